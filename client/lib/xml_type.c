/*
 * WsReadType/WsWriteType and the element and attribute calls on them, for
 * every primitive WS_TYPE, with the read and write options of the
 * reference pages; FILETIME conversions.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

/* Ticks from 0001-01-01 to 1601-01-01, where FILETIME starts. */
#define XML_FILETIME_OFFSET	504911232000000000ULL
#define XML_TICKS_MAX		3155378975999999999ULL

static const WS_XML_STRING xml_xsi = WS_XML_STRING_VALUE(XML_NS_XSI);
static const WS_XML_STRING xml_nil = WS_XML_STRING_VALUE("nil");

bool
xml_type_described(WS_TYPE t)
{
	switch (t) {
	case WS_CHAR_ARRAY_TYPE:
	case WS_UTF8_ARRAY_TYPE:
	case WS_BYTE_ARRAY_TYPE:
	case WS_DESCRIPTION_TYPE:
	case WS_STRUCT_TYPE:
	case WS_CUSTOM_TYPE:
	case WS_ENDPOINT_ADDRESS_TYPE:
	case WS_FAULT_TYPE:
	case WS_VOID_TYPE:
	case WS_ENUM_TYPE:
	case WS_UNION_TYPE:
	case WS_ANY_ATTRIBUTES_TYPE:
		return true;
	default:
		return false;
	}
}

bool
xml_type_pointer(WS_TYPE t)
{
	return t == WS_WSZ_TYPE || t == WS_XML_BUFFER_TYPE ||
	    t == WS_DESCRIPTION_TYPE;
}

/* long: one case per type. */
size_t
xml_type_size_of(WS_TYPE t, const void *desc)
{
	switch (t) {
	case WS_BOOL_TYPE:		return sizeof(BOOL);
	case WS_INT8_TYPE:		return 1;
	case WS_INT16_TYPE:		return 2;
	case WS_INT32_TYPE:		return 4;
	case WS_INT64_TYPE:		return 8;
	case WS_UINT8_TYPE:		return 1;
	case WS_UINT16_TYPE:		return 2;
	case WS_UINT32_TYPE:		return 4;
	case WS_UINT64_TYPE:		return 8;
	case WS_FLOAT_TYPE:		return sizeof(float);
	case WS_DOUBLE_TYPE:		return sizeof(double);
	case WS_DECIMAL_TYPE:		return sizeof(DECIMAL);
	case WS_DATETIME_TYPE:		return sizeof(WS_DATETIME);
	case WS_TIMESPAN_TYPE:		return sizeof(WS_TIMESPAN);
	case WS_GUID_TYPE:		return sizeof(GUID);
	case WS_DURATION_TYPE:		return sizeof(WS_DURATION);
	case WS_UNIQUE_ID_TYPE:		return sizeof(WS_UNIQUE_ID);
	case WS_STRING_TYPE:		return sizeof(WS_STRING);
	case WS_WSZ_TYPE:		return sizeof(WCHAR *);
	case WS_BYTES_TYPE:		return sizeof(WS_BYTES);
	case WS_XML_STRING_TYPE:	return sizeof(WS_XML_STRING);
	case WS_XML_QNAME_TYPE:		return sizeof(WS_XML_QNAME);
	case WS_XML_BUFFER_TYPE:	return sizeof(WS_XML_BUFFER *);
	case WS_CHAR_ARRAY_TYPE:	return sizeof(WS_CHAR_ARRAY);
	case WS_UTF8_ARRAY_TYPE:	return sizeof(WS_UTF8_ARRAY);
	case WS_BYTE_ARRAY_TYPE:	return sizeof(WS_BYTE_ARRAY);
	case WS_DESCRIPTION_TYPE:	return sizeof(void *);
	case WS_ENUM_TYPE:		return desc != NULL ? sizeof(int) : 0;
	case WS_ENDPOINT_ADDRESS_TYPE:	return sizeof(WS_ENDPOINT_ADDRESS);
	case WS_FAULT_TYPE:
		return desc != NULL ? sizeof(WS_FAULT) : 0;
	case WS_ANY_ATTRIBUTES_TYPE:	return sizeof(WS_ANY_ATTRIBUTES);
	case WS_STRUCT_TYPE:
		return desc != NULL ?
		    ((const WS_STRUCT_DESCRIPTION *)desc)->size : 0;
	case WS_UNION_TYPE:
		return desc != NULL ?
		    ((const WS_UNION_DESCRIPTION *)desc)->size : 0;
	case WS_CUSTOM_TYPE:
		return desc != NULL ?
		    ((const WS_CUSTOM_TYPE_DESCRIPTION *)desc)->size : 0;
	case WS_VOID_TYPE:
		return desc != NULL ?
		    ((const WS_VOID_DESCRIPTION *)desc)->size : 0;
	default:
		return 0;
	}
}

#define XML_RANGE(T, D, v) do {						\
	T x_;								\
	memcpy(&x_, (v), sizeof(x_));					\
	return x_ >= ((const D *)desc)->minValue &&			\
	    x_ <= ((const D *)desc)->maxValue;				\
} while (0)

#define XML_COUNT(D, lo, hi, n) \
	return (n) >= ((const D *)desc)->lo && (n) <= ((const D *)desc)->hi

/* long: one case per type with a range or a length. */
bool
xml_type_in_range(WS_TYPE t, const void *desc, const void *v)
{
	if (desc == NULL || v == NULL)
		return true;
	switch (t) {
	case WS_INT8_TYPE:	XML_RANGE(char, WS_INT8_DESCRIPTION, v);
	case WS_INT16_TYPE:	XML_RANGE(short, WS_INT16_DESCRIPTION, v);
	case WS_INT32_TYPE:	XML_RANGE(int, WS_INT32_DESCRIPTION, v);
	case WS_INT64_TYPE:	XML_RANGE(int64_t, WS_INT64_DESCRIPTION, v);
	case WS_UINT8_TYPE:	XML_RANGE(BYTE, WS_UINT8_DESCRIPTION, v);
	case WS_UINT16_TYPE:	XML_RANGE(USHORT, WS_UINT16_DESCRIPTION, v);
	case WS_UINT32_TYPE:	XML_RANGE(ULONG, WS_UINT32_DESCRIPTION, v);
	case WS_UINT64_TYPE:	XML_RANGE(uint64_t, WS_UINT64_DESCRIPTION, v);
	case WS_FLOAT_TYPE:	XML_RANGE(float, WS_FLOAT_DESCRIPTION, v);
	case WS_DOUBLE_TYPE:	XML_RANGE(double, WS_DOUBLE_DESCRIPTION, v);
	case WS_TIMESPAN_TYPE:
		return ((const WS_TIMESPAN *)v)->ticks >=
		    ((const WS_TIMESPAN_DESCRIPTION *)desc)->minValue.ticks &&
		    ((const WS_TIMESPAN *)v)->ticks <=
		    ((const WS_TIMESPAN_DESCRIPTION *)desc)->maxValue.ticks;
	case WS_DATETIME_TYPE:
		return ((const WS_DATETIME *)v)->ticks >=
		    ((const WS_DATETIME_DESCRIPTION *)desc)->minValue.ticks &&
		    ((const WS_DATETIME *)v)->ticks <=
		    ((const WS_DATETIME_DESCRIPTION *)desc)->maxValue.ticks;
	case WS_BOOL_TYPE:
		return !!*(const BOOL *)v ==
		    !!((const WS_BOOL_DESCRIPTION *)desc)->value;
	case WS_STRING_TYPE:
		XML_COUNT(WS_STRING_DESCRIPTION, minCharCount, maxCharCount,
		    ((const WS_STRING *)v)->length);
	case WS_WSZ_TYPE:	/* v is the string itself */
		XML_COUNT(WS_WSZ_DESCRIPTION, minCharCount, maxCharCount,
		    ws_wcslen(v));
	case WS_BYTES_TYPE:
		XML_COUNT(WS_BYTES_DESCRIPTION, minByteCount, maxByteCount,
		    ((const WS_BYTES *)v)->length);
	case WS_XML_STRING_TYPE:
		XML_COUNT(WS_XML_STRING_DESCRIPTION, minByteCount,
		    maxByteCount, ((const WS_XML_STRING *)v)->length);
	case WS_CHAR_ARRAY_TYPE:
		XML_COUNT(WS_CHAR_ARRAY_DESCRIPTION, minCharCount,
		    maxCharCount, ((const WS_CHAR_ARRAY *)v)->charCount);
	case WS_UTF8_ARRAY_TYPE:
		XML_COUNT(WS_UTF8_ARRAY_DESCRIPTION, minByteCount,
		    maxByteCount, ((const WS_UTF8_ARRAY *)v)->byteCount);
	case WS_BYTE_ARRAY_TYPE:
		XML_COUNT(WS_BYTE_ARRAY_DESCRIPTION, minByteCount,
		    maxByteCount, ((const WS_BYTE_ARRAY *)v)->byteCount);
	case WS_XML_QNAME_TYPE: {
		const WS_XML_QNAME *q = v;
		const WS_XML_QNAME_DESCRIPTION *d = desc;

		return q->localName.length >= d->minLocalNameByteCount &&
		    q->localName.length <= d->maxLocalNameByteCount &&
		    q->ns.length >= d->minNsByteCount &&
		    q->ns.length <= d->maxNsByteCount;
	}
	default:
		return true;
	}
}

/* The WS_VALUE_TYPE a WS_TYPE is read and written as, or -1. */
static int
xml_type_value(WS_TYPE t)
{
	switch (t) {
	case WS_BOOL_TYPE:	return WS_BOOL_VALUE_TYPE;
	case WS_INT8_TYPE:	return WS_INT8_VALUE_TYPE;
	case WS_INT16_TYPE:	return WS_INT16_VALUE_TYPE;
	case WS_INT32_TYPE:	return WS_INT32_VALUE_TYPE;
	case WS_INT64_TYPE:	return WS_INT64_VALUE_TYPE;
	case WS_UINT8_TYPE:	return WS_UINT8_VALUE_TYPE;
	case WS_UINT16_TYPE:	return WS_UINT16_VALUE_TYPE;
	case WS_UINT32_TYPE:	return WS_UINT32_VALUE_TYPE;
	case WS_UINT64_TYPE:	return WS_UINT64_VALUE_TYPE;
	case WS_FLOAT_TYPE:	return WS_FLOAT_VALUE_TYPE;
	case WS_DOUBLE_TYPE:	return WS_DOUBLE_VALUE_TYPE;
	case WS_DECIMAL_TYPE:	return WS_DECIMAL_VALUE_TYPE;
	case WS_DATETIME_TYPE:	return WS_DATETIME_VALUE_TYPE;
	case WS_TIMESPAN_TYPE:	return WS_TIMESPAN_VALUE_TYPE;
	case WS_GUID_TYPE:	return WS_GUID_VALUE_TYPE;
	case WS_DURATION_TYPE:	return WS_DURATION_VALUE_TYPE;
	default:		return -1;
	}
}

/* Size of a value of the type; 0 for a type not handled here. */
static size_t
xml_type_size(WS_TYPE t)
{
	int v = xml_type_value(t);

	if (v >= 0)
		return xml_value_size((WS_VALUE_TYPE)v);
	switch (t) {
	case WS_UNIQUE_ID_TYPE:		return sizeof(WS_UNIQUE_ID);
	case WS_STRING_TYPE:		return sizeof(WS_STRING);
	case WS_WSZ_TYPE:		return sizeof(WCHAR *);
	case WS_BYTES_TYPE:		return sizeof(WS_BYTES);
	case WS_XML_STRING_TYPE:	return sizeof(WS_XML_STRING);
	case WS_XML_QNAME_TYPE:		return sizeof(WS_XML_QNAME);
	case WS_XML_BUFFER_TYPE:	return sizeof(WS_XML_BUFFER *);
	default:			return 0;
	}
}

/* Types whose value itself is a pointer (never REQUIRED_VALUE). */
static bool
xml_type_is_pointer(WS_TYPE t)
{
	return t == WS_WSZ_TYPE || t == WS_XML_BUFFER_TYPE;
}

/* Types with an empty value that stands for nil (NILLABLE_VALUE). */
static bool
xml_type_nillable_value(WS_TYPE t)
{
	return t == WS_STRING_TYPE || t == WS_BYTES_TYPE ||
	    t == WS_XML_STRING_TYPE;
}

/* The value a write option points to, or NULL for nil. */
HRESULT
xml_type_write_value(WS_TYPE type, WS_WRITE_OPTION opt, const void *value,
    ULONG size, const void **v)
{
	size_t ts = xml_type_size(type);

	if (ts == 0 || value == NULL)
		return E_INVALIDARG;
	switch (opt) {
	case WS_WRITE_REQUIRED_VALUE:
	case WS_WRITE_NILLABLE_VALUE:
		if (size != ts || (opt == WS_WRITE_NILLABLE_VALUE &&
		    !xml_type_nillable_value(type)))
			return E_INVALIDARG;
		if (xml_type_is_pointer(type)) {
			memcpy(v, value, sizeof(*v));
			return *v != NULL ? S_OK : E_INVALIDARG;
		}
		*v = value;
		if (opt == WS_WRITE_NILLABLE_VALUE) {
			/* Nil is the value with no data at all. */
			const WS_STRING *s = value;

			if ((type == WS_STRING_TYPE && s->chars == NULL &&
			    s->length == 0) || (type == WS_BYTES_TYPE &&
			    ((const WS_BYTES *)value)->bytes == NULL &&
			    ((const WS_BYTES *)value)->length == 0) ||
			    (type == WS_XML_STRING_TYPE &&
			    ((const WS_XML_STRING *)value)->bytes == NULL &&
			    ((const WS_XML_STRING *)value)->length == 0))
				*v = NULL;
		}
		return S_OK;
	case WS_WRITE_REQUIRED_POINTER:
	case WS_WRITE_NILLABLE_POINTER:
		if (size != sizeof(void *))
			return E_INVALIDARG;
		memcpy(v, value, sizeof(*v));
		if (*v == NULL && opt == WS_WRITE_REQUIRED_POINTER)
			return E_INVALIDARG;
		return S_OK;
	}
	return E_INVALIDARG;
}

/* long: one case per primitive type. */
static HRESULT
xml_type_write_text(WS_XML_WRITER *w, WS_TYPE type, const void *v,
    WS_ERROR *error, const char *api)
{
	int vt = xml_type_value(type);
	WS_XML_UTF16_TEXT u16;
	WS_XML_UTF8_TEXT u8;
	WS_XML_BASE64_TEXT b64;
	WS_XML_UNIQUE_ID_TEXT uid;
	WS_XML_TEXT *t;
	WS_HEAP *heap = NULL;
	HRESULT hr;

	memset(&u8, 0, sizeof(u8));
	if (vt >= 0) {
		if ((hr = WsCreateHeap(1024, 0, NULL, 0, &heap, NULL)) != S_OK)
			return ws_error_fail(error, hr, "%s: out of memory",
			    api);
		hr = xml_value_text(heap, (WS_VALUE_TYPE)vt, v,
		    (ULONG)xml_value_size((WS_VALUE_TYPE)vt), &t);
		if (hr == S_OK)
			hr = xml_writer_text(w, t, error, api);
		else
			ws_error_fail(error, hr, "%s: invalid value", api);
		WsFreeHeap(heap);
		return hr;
	}
	switch (type) {
	case WS_UNIQUE_ID_TYPE: {
		const WS_UNIQUE_ID *id = v;

		if (id->uri.length > 0) {
			u16.text.textType = WS_XML_TEXT_TYPE_UTF16;
			u16.bytes = (BYTE *)id->uri.chars;
			u16.byteCount = id->uri.length * 2;
			return xml_writer_text(w, &u16.text, error, api);
		}
		uid.text.textType = WS_XML_TEXT_TYPE_UNIQUE_ID;
		uid.value = id->guid;
		return xml_writer_text(w, &uid.text, error, api);
	}
	case WS_STRING_TYPE:
	case WS_WSZ_TYPE:
		u16.text.textType = WS_XML_TEXT_TYPE_UTF16;
		if (type == WS_STRING_TYPE) {
			u16.bytes = (BYTE *)((const WS_STRING *)v)->chars;
			u16.byteCount = ((const WS_STRING *)v)->length * 2;
		} else {
			u16.bytes = (BYTE *)v;
			u16.byteCount = (ULONG)ws_wcslen(v) * 2;
		}
		return xml_writer_text(w, &u16.text, error, api);
	case WS_BYTES_TYPE:
		b64.text.textType = WS_XML_TEXT_TYPE_BASE64;
		b64.bytes = ((const WS_BYTES *)v)->bytes;
		b64.length = ((const WS_BYTES *)v)->length;
		return xml_writer_text(w, &b64.text, error, api);
	case WS_XML_STRING_TYPE:
		u8.text.textType = WS_XML_TEXT_TYPE_UTF8;
		u8.value = *(const WS_XML_STRING *)v;
		return xml_writer_text(w, &u8.text, error, api);
	case WS_XML_QNAME_TYPE:
		return WsWriteQualifiedName(w, NULL,
		    &((const WS_XML_QNAME *)v)->localName,
		    &((const WS_XML_QNAME *)v)->ns, error);
	case WS_XML_BUFFER_TYPE:
		return WsWriteXmlBuffer(w, (WS_XML_BUFFER *)v, error);
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: type %d is not a primitive type", api, (int)type);
	}
}

/* WsWriteType of a primitive type (xml_struct.c has the others). */
HRESULT
xml_type_write(WS_XML_WRITER *writer, WS_TYPE_MAPPING typeMapping, WS_TYPE type,
    const void *typeDescription, WS_WRITE_OPTION writeOption,
    const void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsWriteType";
	const void *v = NULL;
	HRESULT hr;

	if ((hr = xml_writer_check(writer, error, api)) != S_OK)
		return hr;
	if ((hr = xml_type_write_value(type, writeOption, value, valueSize,
	    &v)) != S_OK)
		return ws_error_fail(error, hr, "%s: type %d cannot be "
		    "written with option %d and size %u", api, (int)type,
		    (int)writeOption, (unsigned)valueSize);
	/* A primitive's description, when given, is its range. */
	if (v != NULL && !xml_type_in_range(type, typeDescription, v))
		return ws_error_fail(error, E_INVALIDARG, "%s: the value is "
		    "outside its description's range", api);
	switch (typeMapping) {
	case WS_ATTRIBUTE_TYPE_MAPPING:
		if (!xml_writer_in_attribute(writer))
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: no attribute is open", api);
		if (v == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: an attribute cannot be nil", api);
		break;
	case WS_ELEMENT_TYPE_MAPPING:
	case WS_ELEMENT_CONTENT_TYPE_MAPPING:
		if (xml_writer_in_attribute(writer))
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: an attribute is open", api);
		if (v == NULL) {
			/* Nil: xsi:nil="true" on the open element. */
			WS_XML_UTF8_TEXT t = { { WS_XML_TEXT_TYPE_UTF8 },
			    WS_XML_STRING_VALUE("true") };

			if (typeMapping != WS_ELEMENT_TYPE_MAPPING)
				return ws_error_fail(error, E_INVALIDARG,
				    "%s: content cannot be nil", api);
			if ((hr = WsWriteStartAttribute(writer, NULL, &xml_nil,
			    &xml_xsi, FALSE, error)) != S_OK ||
			    (hr = xml_writer_text(writer, &t.text, error,
			    api)) != S_OK)
				return hr;
			return WsWriteEndAttribute(writer, error);
		}
		break;
	case WS_ANY_ELEMENT_TYPE_MAPPING:
		if (type != WS_XML_BUFFER_TYPE)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: any-element mapping takes an XML buffer", api);
		if (v == NULL)
			return S_OK;
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown mapping %d", api, (int)typeMapping);
	}
	return xml_type_write_text(writer, type, v, error, api);
}

/* long: one case per primitive type, each allocating on the heap. */
static HRESULT
xml_type_parse(WS_TYPE type, const char *s, size_t n, WS_HEAP *heap,
    void *out)
{
	int vt = xml_type_value(type);
	struct xml_out o = { 0 };
	WCHAR *w, *hw;
	size_t len;
	HRESULT hr = S_OK;

	if (vt >= 0)
		return xml_value_parse((WS_VALUE_TYPE)vt, s, n, out,
		    (ULONG)xml_value_size((WS_VALUE_TYPE)vt));
	switch (type) {
	case WS_UNIQUE_ID_TYPE: {
		WS_UNIQUE_ID *id = out;

		memset(id, 0, sizeof(*id));
		if (n > 9 && memcmp(s, "urn:uuid:", 9) == 0)
			return xml_parse_guid(s + 9, n - 9, &id->guid);
		if (n == 0)
			return WS_E_INVALID_FORMAT;
		type = WS_STRING_TYPE;
		out = &id->uri;
	}
		/* FALLTHROUGH */
	case WS_STRING_TYPE:
	case WS_WSZ_TYPE:
		if ((w = ws_utf8_to_utf16(s, n, &len)) == NULL)
			return WS_E_INVALID_FORMAT;
		if ((hw = ws_heap_alloc(heap, (len + 1) * sizeof(WCHAR),
		    &hr)) != NULL) {
			memcpy(hw, w, (len + 1) * sizeof(WCHAR));
			if (type == WS_WSZ_TYPE)
				memcpy(out, &hw, sizeof(hw));
			else {
				((WS_STRING *)out)->chars = hw;
				((WS_STRING *)out)->length = (ULONG)len;
			}
		}
		free(w);
		return hr;
	case WS_BYTES_TYPE: {
		WS_BYTES *b = out;

		if (xml_base64_decode(s, n, &o) < 0 || o.oom) {
			hr = o.oom ? E_OUTOFMEMORY : WS_E_INVALID_FORMAT;
			xml_out_free(&o);
			return hr;
		}
		b->length = (ULONG)o.len;
		b->bytes = NULL;
		if (o.len > 0 && (b->bytes = ws_heap_alloc(heap, o.len,
		    &hr)) != NULL)
			memcpy(b->bytes, o.p, o.len);
		xml_out_free(&o);
		return hr;
	}
	case WS_XML_STRING_TYPE: {
		WS_XML_STRING *x = xml_string_new(heap, (const BYTE *)s,
		    (ULONG)n, &hr);

		if (x != NULL)
			*(WS_XML_STRING *)out = *x;
		return hr;
	}
	default:
		return E_INVALIDARG;
	}
}

/* Checks a read's arguments; *target is where the value goes. */
HRESULT
xml_type_read_args(WS_TYPE type, WS_READ_OPTION opt, WS_HEAP *heap,
    void *value, ULONG size)
{
	size_t ts = xml_type_size(type);

	if (ts == 0 || value == NULL)
		return E_INVALIDARG;
	switch (opt) {
	case WS_READ_REQUIRED_VALUE:
	case WS_READ_NILLABLE_VALUE:
		if (size != ts || (opt == WS_READ_NILLABLE_VALUE &&
		    !xml_type_nillable_value(type)))
			return E_INVALIDARG;
		if (xml_type_is_pointer(type) && opt == WS_READ_REQUIRED_VALUE)
			break;
		if (xml_type_is_pointer(type))
			return E_INVALIDARG;
		break;
	case WS_READ_REQUIRED_POINTER:
	case WS_READ_OPTIONAL_POINTER:
	case WS_READ_NILLABLE_POINTER:
		if (size != sizeof(void *))
			return E_INVALIDARG;
		break;
	default:
		return E_INVALIDARG;
	}
	/* Strings, bytes and pointers are allocated on the heap. */
	if (heap == NULL && (opt != WS_READ_REQUIRED_VALUE ||
	    xml_type_value(type) < 0))
		return E_INVALIDARG;
	if (heap != NULL && !ws_heap_valid(heap))
		return E_INVALIDARG;
	return S_OK;
}

/* Stores a parsed text, allocating for the pointer options. */
static HRESULT
xml_type_store(WS_TYPE type, WS_READ_OPTION opt, const char *s, size_t n,
    WS_HEAP *heap, void *value)
{
	size_t ts = xml_type_size(type);
	void *p;
	HRESULT hr;

	if (opt == WS_READ_REQUIRED_VALUE || opt == WS_READ_NILLABLE_VALUE ||
	    xml_type_is_pointer(type))
		return xml_type_parse(type, s, n, heap, value);
	if ((p = ws_heap_alloc(heap, ts, &hr)) == NULL)
		return hr;
	memset(p, 0, ts);
	if ((hr = xml_type_parse(type, s, n, heap, p)) != S_OK)
		return hr;
	memcpy(value, &p, sizeof(p));
	return S_OK;
}

static void
xml_type_nil(WS_TYPE type, WS_READ_OPTION opt, void *value)
{
	if (opt == WS_READ_NILLABLE_VALUE)
		memset(value, 0, xml_type_size(type));
	else
		memset(value, 0, sizeof(void *));
}

/* Is the element at the reader xsi:nil="true"? */
static bool
xml_type_is_nil(WS_XML_READER *r)
{
	const WS_XML_NODE *n = xml_reader_node(r);
	const WS_XML_ELEMENT_NODE *e = (const WS_XML_ELEMENT_NODE *)n;
	struct xml_out o = { 0 };
	bool nil = false;
	ULONG i;

	if (n->nodeType != WS_XML_NODE_TYPE_ELEMENT)
		return false;
	for (i = 0; i < e->attributeCount && !nil; i++) {
		const WS_XML_ATTRIBUTE *a = e->attributes[i];

		if (a->isXmlNs || !xml_string_eq(a->localName, &xml_nil) ||
		    !xml_string_eq(a->ns, &xml_xsi))
			continue;
		o.len = 0;
		if (xml_text_format(a->value, &o) == S_OK && !o.oom) {
			BOOL b = FALSE;

			nil = xml_parse_bool((const char *)o.p, o.len, &b) ==
			    S_OK && b;
		}
	}
	xml_out_free(&o);
	return nil;
}

static HRESULT
xml_type_read_content(WS_XML_READER *r, WS_TYPE type, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, WS_ERROR *error, const char *api)
{
	char *s;
	size_t n;
	HRESULT hr;

	if (type == WS_XML_BUFFER_TYPE)
		return WsReadXmlBuffer(r, heap, value, error);
	if (type == WS_XML_QNAME_TYPE) {
		WS_XML_QNAME q, *p = value;

		if (opt != WS_READ_REQUIRED_VALUE &&
		    opt != WS_READ_NILLABLE_VALUE) {
			if ((p = ws_heap_alloc(heap, sizeof(*p), &hr)) == NULL)
				return ws_error_fail(error, hr,
				    "%s: the heap is full", api);
			memcpy(value, &p, sizeof(p));
		}
		if ((hr = WsReadQualifiedName(r, heap, NULL, &q.localName,
		    &q.ns, error)) != S_OK)
			return hr;
		*p = q;
		return S_OK;
	}
	if ((hr = xml_reader_take_text(r, &s, &n)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	hr = xml_type_store(type, opt, s, n, heap, value);
	if (hr != S_OK)
		ws_error_fail(error, hr, "%s: \"%.64s\" is not a value of "
		    "type %d", api, s, (int)type);
	free(s);
	return hr;
}

static bool	xml_type_read_in_range(WS_TYPE, const void *, WS_READ_OPTION,
		    const void *);
static HRESULT	xml_type_read_primitive(WS_XML_READER *, WS_TYPE_MAPPING,
		    WS_TYPE, WS_READ_OPTION, WS_HEAP *, void *, ULONG,
		    WS_ERROR *);

/* WsReadType of a primitive type (xml_struct_read.c has the others). */
HRESULT
xml_type_read(WS_XML_READER *reader, WS_TYPE_MAPPING typeMapping, WS_TYPE type,
    const void *typeDescription, WS_READ_OPTION readOption, WS_HEAP *heap,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsReadType";
	HRESULT hr;

	if ((hr = xml_reader_check(reader, error, api)) != S_OK)
		return hr;
	if ((hr = xml_type_read_primitive(reader, typeMapping, type,
	    readOption, heap, value, valueSize, error)) != S_OK ||
	    typeDescription == NULL)
		return hr;
	if (!xml_type_read_in_range(type, typeDescription, readOption, value))
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: the "
		    "value is outside its description's range", api);
	return S_OK;
}

/* A primitive value where WsReadType put it, checked against the
 * description's range. */
static bool
xml_type_read_in_range(WS_TYPE type, const void *desc, WS_READ_OPTION opt,
    const void *value)
{
	const void *v = value;

	if (opt != WS_READ_REQUIRED_VALUE && opt != WS_READ_NILLABLE_VALUE)
		memcpy(&v, value, sizeof(v));
	else if (xml_type_is_pointer(type))
		memcpy(&v, value, sizeof(v));
	return v == NULL || xml_type_in_range(type, desc, v);
}

static HRESULT
xml_type_read_primitive(WS_XML_READER *reader, WS_TYPE_MAPPING typeMapping,
    WS_TYPE type, WS_READ_OPTION readOption, WS_HEAP *heap, void *value,
    ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsReadType";
	BOOL found;
	HRESULT hr;

	if ((hr = xml_type_read_args(type, readOption, heap, value,
	    valueSize)) != S_OK)
		return ws_error_fail(error, hr, "%s: type %d cannot be read "
		    "with option %d and size %u", api, (int)type,
		    (int)readOption, (unsigned)valueSize);
	switch (typeMapping) {
	case WS_ATTRIBUTE_TYPE_MAPPING:
		if (!xml_reader_in_attribute(reader))
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the reader is not in an attribute", api);
		return xml_type_read_content(reader, type, readOption, heap,
		    value, error, api);
	case WS_ELEMENT_CONTENT_TYPE_MAPPING:
		return xml_type_read_content(reader, type, readOption, heap,
		    value, error, api);
	case WS_ANY_ELEMENT_TYPE_MAPPING:
		if (type != WS_XML_BUFFER_TYPE)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: any-element mapping takes an XML buffer", api);
		return WsReadXmlBuffer(reader, heap, value, error);
	case WS_ELEMENT_TYPE_MAPPING:
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown mapping %d", api, (int)typeMapping);
	}
	if ((hr = WsReadToStartElement(reader, NULL, NULL, &found,
	    error)) != S_OK)
		return hr;
	if (!found) {
		if (readOption != WS_READ_OPTIONAL_POINTER)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: no element to read", api);
		memset(value, 0, sizeof(void *));
		return S_OK;
	}
	if (type == WS_XML_BUFFER_TYPE)
		return WsReadXmlBuffer(reader, heap, value, error);
	if (xml_type_is_nil(reader)) {
		if (readOption != WS_READ_NILLABLE_POINTER &&
		    readOption != WS_READ_NILLABLE_VALUE)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the element is nil", api);
		xml_type_nil(type, readOption, value);
		return WsSkipNode(reader, error);
	}
	if ((hr = WsReadStartElement(reader, error)) != S_OK ||
	    (hr = xml_type_read_content(reader, type, readOption, heap, value,
	    error, api)) != S_OK)
		return hr;
	return WsReadEndElement(reader, error);
}

WS_EXPORT HRESULT WINAPI
WsDateTimeToFileTime(const WS_DATETIME *dateTime, FILETIME *fileTime,
    WS_ERROR *error)
{
	uint64_t t;

	if (dateTime == NULL || fileTime == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsDateTimeToFileTime: NULL argument");
	if (dateTime->ticks > XML_TICKS_MAX ||
	    (unsigned)dateTime->format > WS_DATETIME_FORMAT_NONE)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsDateTimeToFileTime: invalid date and time");
	if (dateTime->ticks < XML_FILETIME_OFFSET)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsDateTimeToFileTime: before 1601, which a FILETIME "
		    "cannot hold");
	t = dateTime->ticks - XML_FILETIME_OFFSET;
	fileTime->dwLowDateTime = (DWORD)t;
	fileTime->dwHighDateTime = (DWORD)(t >> 32);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsFileTimeToDateTime(const FILETIME *fileTime, WS_DATETIME *dateTime,
    WS_ERROR *error)
{
	uint64_t t;

	if (fileTime == NULL || dateTime == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsFileTimeToDateTime: NULL argument");
	t = (uint64_t)fileTime->dwHighDateTime << 32 | fileTime->dwLowDateTime;
	if (t > XML_TICKS_MAX - XML_FILETIME_OFFSET)
		return ws_error_fail(error, WS_E_NUMERIC_OVERFLOW,
		    "WsFileTimeToDateTime: after 9999-12-31");
	dateTime->ticks = t + XML_FILETIME_OFFSET;
	dateTime->format = WS_DATETIME_FORMAT_UTC;
	return S_OK;
}
