/*
 * Serialization of described values, the reading side: WsReadType and
 * WsReadElement for structures, unions, enums, arrays, endpoint
 * addresses, custom types and the rest of xml_struct.c's kinds.  Values are
 * allocated on the caller's WS_HEAP, so its quota bounds what any input
 * can cost; the input's shape is checked against the description
 * (missing, extra or unknown content is WS_E_INVALID_FORMAT).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "ws_fault.h"

static const WS_XML_STRING xml_sr_xsi = WS_XML_STRING_VALUE(XML_NS_XSI);
static const WS_XML_STRING xml_sr_tname = WS_XML_STRING_VALUE("type");
static const WS_XML_STRING xml_sr_xml_ns = WS_XML_STRING_VALUE(XML_NS_XML);
static const WS_XML_STRING xml_sr_wsa10 =
    WS_XML_STRING_VALUE("http://www.w3.org/2005/08/addressing");
static const WS_XML_STRING xml_sr_wsa09 =
    WS_XML_STRING_VALUE("http://schemas.xmlsoap.org/ws/2004/08/addressing");
static const WS_XML_STRING xml_sr_address = WS_XML_STRING_VALUE("Address");
static const WS_XML_STRING xml_sr_refparams =
    WS_XML_STRING_VALUE("ReferenceParameters");

#define XML_SR_FAIL(e, ...)	ws_error_fail((e), WS_E_INVALID_FORMAT, \
				    "WsReadType: " __VA_ARGS__)

static void *
xml_sr_alloc(WS_HEAP *heap, size_t n, HRESULT *hr)
{
	void *p;

	if (heap == NULL || !ws_heap_valid(heap)) {
		*hr = E_INVALIDARG;
		return NULL;
	}
	if ((p = ws_heap_alloc(heap, n, hr)) != NULL)
		memset(p, 0, n);
	return p;
}

HRESULT
xml_struct_read_args(WS_TYPE type, const void *desc, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, ULONG size)
{
	size_t ts = xml_type_size_of(type, desc);

	if (value == NULL && type != WS_VOID_TYPE)
		return E_INVALIDARG;
	if (type == WS_VOID_TYPE)
		return S_OK;
	if (ts == 0 || (desc == NULL && (type == WS_STRUCT_TYPE ||
	    type == WS_UNION_TYPE || type == WS_ENUM_TYPE ||
	    type == WS_CUSTOM_TYPE)))
		return E_INVALIDARG;
	switch (opt) {
	case WS_READ_REQUIRED_VALUE:
		if (size != ts)
			return E_INVALIDARG;
		break;
	case WS_READ_REQUIRED_POINTER:
	case WS_READ_OPTIONAL_POINTER:
	case WS_READ_NILLABLE_POINTER:
		if (size != sizeof(void *) || heap == NULL)
			return E_INVALIDARG;
		break;
	default:
		return E_INVALIDARG;
	}
	if (heap != NULL && !ws_heap_valid(heap))
		return E_INVALIDARG;
	return S_OK;
}

/* Where the value goes: `value` itself, or a zeroed block on the heap
 * whose address goes to `value`. */
static HRESULT
xml_sr_target(WS_READ_OPTION opt, WS_HEAP *heap, void *value, size_t n,
    void **out, WS_ERROR *error)
{
	HRESULT hr;
	void *p;

	if (opt == WS_READ_REQUIRED_VALUE) {
		memset(value, 0, n);
		*out = value;
		return S_OK;
	}
	if ((p = xml_sr_alloc(heap, n, &hr)) == NULL)
		return ws_error_fail(error, hr, "WsReadType: no room for a "
		    "value of %zu bytes in the heap", n);
	memcpy(value, &p, sizeof(p));
	*out = p;
	return S_OK;
}

static bool
xml_sr_is_nil(const WS_XML_ELEMENT_NODE *e)
{
	struct xml_out o = { 0 };
	bool nil = false;
	ULONG i;
	BOOL b;

	for (i = 0; i < e->attributeCount && !nil; i++) {
		const WS_XML_ATTRIBUTE *a = e->attributes[i];

		if (a->isXmlNs || !xml_string_is(a->localName, "nil") ||
		    !xml_string_eq(a->ns, &xml_sr_xsi))
			continue;
		o.len = 0;
		b = FALSE;
		if (xml_text_format(a->value, &o) == S_OK && !o.oom)
			nil = xml_parse_bool((const char *)o.p, o.len, &b) ==
			    S_OK && b;
	}
	xml_out_free(&o);
	return nil;
}

/* Text of an enum value or an array, from the reader (element content or
 * the open attribute). */
static HRESULT
xml_sr_text(WS_XML_READER *r, WS_TYPE type, const void *desc, WS_HEAP *heap,
    void *v, WS_ERROR *error)
{
	const WS_ENUM_DESCRIPTION *ed = desc;
	struct xml_out o = { 0 };
	char *s, *t;
	size_t n, len;
	WCHAR *w;
	void *p = NULL;
	ULONG i;
	HRESULT hr;

	if ((hr = xml_reader_take_text(r, &s, &n)) != S_OK)
		return ws_error_fail(error, hr, "WsReadType: out of memory");
	t = s;
	hr = S_OK;
	switch (type) {
	case WS_ENUM_TYPE:
		/* An enum's text is a token: white space around it is not
		 * part of the name. */
		while (n > 0 && (*t == ' ' || *t == '\t' || *t == '\n' ||
		    *t == '\r'))
			t++, n--;
		while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' ||
		    t[n - 1] == '\n' || t[n - 1] == '\r'))
			n--;
		for (i = 0; i < ed->valueCount; i++)
			if (ed->values[i].name != NULL &&
			    ed->values[i].name->length == n &&
			    memcmp(ed->values[i].name->bytes, t, n) == 0)
				break;
		if (i == ed->valueCount)
			hr = XML_SR_FAIL(error, "\"%.64s\" is not a name of "
			    "the enum", t);
		else
			memcpy(v, &ed->values[i].value, sizeof(int));
		break;
	case WS_CHAR_ARRAY_TYPE:
		if ((w = ws_utf8_to_utf16(s, n, &len)) == NULL) {
			hr = XML_SR_FAIL(error, "the text is not UTF-8");
			break;
		}
		if (len > 0 && (p = xml_sr_alloc(heap, len * 2, &hr)) !=
		    NULL)
			memcpy(p, w, len * 2);
		free(w);
		((WS_CHAR_ARRAY *)v)->chars = p;
		((WS_CHAR_ARRAY *)v)->charCount = (ULONG)len;
		break;
	case WS_UTF8_ARRAY_TYPE:
		if (n > 0 && (p = xml_sr_alloc(heap, n, &hr)) != NULL)
			memcpy(p, s, n);
		((WS_UTF8_ARRAY *)v)->bytes = p;
		((WS_UTF8_ARRAY *)v)->byteCount = (ULONG)n;
		break;
	case WS_BYTE_ARRAY_TYPE:
		if (xml_base64_decode(s, n, &o) < 0 || o.oom) {
			hr = o.oom ? E_OUTOFMEMORY :
			    XML_SR_FAIL(error, "the text is not base64");
			break;
		}
		if (o.len > 0 && (p = xml_sr_alloc(heap, o.len, &hr)) !=
		    NULL)
			memcpy(p, o.p, o.len);
		((WS_BYTE_ARRAY *)v)->bytes = p;
		((WS_BYTE_ARRAY *)v)->byteCount = (ULONG)o.len;
		break;
	default:
		hr = ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: type %d has no text form", (int)type);
	}
	if (hr != S_OK && FAILED(hr) && hr != WS_E_INVALID_FORMAT &&
	    hr != E_INVALIDARG)
		ws_error_fail(error, hr, "WsReadType: the heap is full");
	xml_out_free(&o);
	free(s);
	return hr;
}

/* Options and size for reading one value of a field into its storage. */
static void
xml_sr_field_opt(const WS_FIELD_DESCRIPTION *f, bool pointer, bool nillable,
    WS_READ_OPTION *opt, ULONG *size)
{
	if (pointer || xml_type_pointer(f->type)) {
		*opt = nillable ? WS_READ_NILLABLE_POINTER :
		    pointer ? WS_READ_REQUIRED_POINTER : WS_READ_REQUIRED_VALUE;
		*size = sizeof(void *);
		return;
	}
	*size = (ULONG)xml_type_size_of(f->type, f->typeDescription);
	*opt = nillable && (f->type == WS_STRING_TYPE ||
	    f->type == WS_BYTES_TYPE || f->type == WS_XML_STRING_TYPE) ?
	    WS_READ_NILLABLE_VALUE : WS_READ_REQUIRED_VALUE;
}

/* A field that is not in the input: its default, zeros or NULL. */
static void
xml_sr_default(const WS_FIELD_DESCRIPTION *f, BYTE *base)
{
	size_t n = xml_type_size_of(f->type, f->typeDescription);

	if ((f->options & WS_FIELD_POINTER) ||
	    xml_type_pointer(f->type))
		n = sizeof(void *);
	if (f->defaultValue != NULL && f->defaultValue->value != NULL &&
	    f->defaultValue->valueSize == n &&
	    !(f->options & WS_FIELD_POINTER))
		memcpy(base + f->offset, f->defaultValue->value, n);
	else
		memset(base + f->offset, 0, n);
}

/* The rest of the current element's content, copied into a buffer (NULL
 * when there is none). */
static HRESULT
xml_sr_rest(WS_XML_READER *r, WS_HEAP *heap, WS_XML_BUFFER **out,
    WS_ERROR *error)
{
	WS_XML_BUFFER *b = NULL;
	WS_XML_WRITER *w = NULL;
	const WS_XML_NODE *n;
	bool any = false;
	HRESULT hr;

	*out = NULL;
	if ((hr = WsCreateXmlBuffer(heap, NULL, 0, &b, error)) != S_OK ||
	    (hr = WsCreateWriter(NULL, 0, &w, error)) != S_OK ||
	    (hr = WsSetOutputToBuffer(w, b, NULL, 0, error)) != S_OK)
		goto out;
	for (;;) {
		n = xml_reader_node(r);
		if (n->nodeType == WS_XML_NODE_TYPE_END_ELEMENT ||
		    n->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
		if ((hr = WsCopyNode(w, r, error)) != S_OK)
			goto out;
		any = true;
	}
	if (any)
		*out = b;
out:
	WsFreeWriter(w);
	return hr;
}

static HRESULT	xml_sr_union(WS_XML_READER *, const WS_UNION_DESCRIPTION *,
		    WS_HEAP *, BYTE *, bool optional, bool *matched,
		    WS_ERROR *);

/* long: the wrapper, then items until one does not match. */
static HRESULT
xml_sr_repeat(WS_XML_READER *r, const WS_FIELD_DESCRIPTION *f, WS_HEAP *heap,
    BYTE *base, WS_ERROR *error)
{
	bool pointer = (f->options & WS_FIELD_POINTER) != 0, matched;
	BYTE *arr = NULL, *na;
	ULONG count = 0, cap = 0, isz;
	WS_READ_OPTION opt;
	BOOL found;
	HRESULT hr;

	if (f->mapping == WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING)
		isz = (ULONG)xml_type_size_of(WS_UNION_TYPE,
		    f->typeDescription);
	else
		xml_sr_field_opt(f, pointer,
		    (f->options & WS_FIELD_NILLABLE_ITEM) != 0, &opt, &isz);
	if (f->mapping == WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING)
		isz = sizeof(WS_XML_BUFFER *);
	if (isz == 0 || (f->mapping == WS_REPEATING_ELEMENT_FIELD_MAPPING &&
	    (f->itemLocalName == NULL || f->itemNs == NULL)))
		return ws_error_fail(error, E_INVALIDARG, "WsReadType: "
		    "repeating field without an item name or size");
	if (f->localName != NULL) {
		if ((hr = WsReadToStartElement(r, f->localName, f->ns, &found,
		    error)) != S_OK)
			return hr;
		if (!found) {
			if (!(f->options & WS_FIELD_OPTIONAL))
				return XML_SR_FAIL(error, "the element "
				    "\"%.*s\" is missing",
				    (int)f->localName->length,
				    (const char *)f->localName->bytes);
			goto done;
		}
		if ((hr = WsReadStartElement(r, error)) != S_OK)
			return hr;
	}
	for (;;) {
		if (f->mapping == WS_REPEATING_ELEMENT_FIELD_MAPPING)
			hr = WsReadToStartElement(r, f->itemLocalName,
			    f->itemNs, &found, error);
		else
			hr = WsReadToStartElement(r, NULL, NULL, &found,
			    error);
		if (hr != S_OK)
			return hr;
		if (!found)
			break;
		if (count == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			if (cap > UINT32_MAX / isz)
				return ws_error_fail(error,
				    WS_E_QUOTA_EXCEEDED, "WsReadType: too "
				    "many items");
			if ((na = xml_sr_alloc(heap, (size_t)cap * isz,
			    &hr)) == NULL)
				return ws_error_fail(error, hr, "WsReadType: "
				    "no room for %u items in the heap",
				    (unsigned)cap);
			if (count > 0)
				memcpy(na, arr, (size_t)count * isz);
			arr = na;
		}
		na = arr + (size_t)count * isz;
		if (f->mapping == WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING) {
			if ((hr = xml_sr_union(r, f->typeDescription, heap, na,
			    true, &matched, error)) != S_OK)
				return hr;
			if (!matched)
				break;
		} else if (f->mapping == WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING)
			hr = WsReadXmlBuffer(r, heap, (WS_XML_BUFFER **)na,
			    error);
		else
			hr = WsReadType(r, WS_ELEMENT_TYPE_MAPPING, f->type,
			    f->typeDescription, opt, heap, na, isz, error);
		if (hr != S_OK)
			return hr;
		count++;
	}
	if (f->localName != NULL && (hr = WsReadEndElement(r, error)) != S_OK)
		return hr;
done:
	if (f->itemRange != NULL && (count < f->itemRange->minItemCount ||
	    count > f->itemRange->maxItemCount))
		return XML_SR_FAIL(error, "%u items, outside the range %u..%u",
		    (unsigned)count, (unsigned)f->itemRange->minItemCount,
		    (unsigned)f->itemRange->maxItemCount);
	memcpy(base + f->offset, &arr, sizeof(arr));
	memcpy(base + f->countOffset, &count, sizeof(count));
	return S_OK;
}

/* The choice of a union: the next element names it. */
static HRESULT
xml_sr_union(WS_XML_READER *r, const WS_UNION_DESCRIPTION *u, WS_HEAP *heap,
    BYTE *base, bool optional, bool *matched, WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	const WS_FIELD_DESCRIPTION *f;
	WS_READ_OPTION opt;
	ULONG i, size;
	BOOL found;
	HRESULT hr;

	*matched = false;
	if (u == NULL || (u->fieldCount > 0 && u->fields == NULL) ||
	    u->enumOffset + sizeof(int) > u->size)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: invalid union description");
	if ((hr = WsReadToStartElement(r, NULL, NULL, &found, error)) != S_OK)
		return hr;
	if (found) {
		e = (const WS_XML_ELEMENT_NODE *)xml_reader_node(r);
		for (i = 0; i < u->fieldCount; i++) {
			if (u->fields[i] == NULL)
				continue;
			f = &u->fields[i]->field;
			if (f->localName == NULL || f->ns == NULL ||
			    !xml_string_eq(f->localName, e->localName) ||
			    !xml_string_eq(f->ns, e->ns))
				continue;
			memset(base, 0, u->size);
			xml_sr_field_opt(f, (f->options & WS_FIELD_POINTER) != 0,
			    (f->options & WS_FIELD_NILLABLE) != 0, &opt, &size);
			if ((hr = WsReadType(r, WS_ELEMENT_TYPE_MAPPING,
			    f->type, f->typeDescription, opt, heap,
			    base + f->offset, size, error)) != S_OK)
				return hr;
			memcpy(base + u->enumOffset, &u->fields[i]->value,
			    sizeof(int));
			*matched = true;
			return S_OK;
		}
	}
	if (!optional)
		return XML_SR_FAIL(error, "no choice of the union is next");
	memset(base, 0, u->size);
	memcpy(base + u->enumOffset, &u->noneEnumValue, sizeof(int));
	return S_OK;
}

/* long: one case per content mapping. */
static HRESULT
xml_sr_content_field(WS_XML_READER *r, const WS_FIELD_DESCRIPTION *f,
    WS_HEAP *heap, BYTE *base, WS_ERROR *error)
{
	BYTE *fp = base + f->offset;
	WS_READ_OPTION opt;
	ULONG size;
	BOOL found;
	bool matched;
	HRESULT hr;

	switch (f->mapping) {
	case WS_ELEMENT_FIELD_MAPPING:
		if (f->localName == NULL || f->ns == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsReadType: an element field without a name");
		if ((hr = WsReadToStartElement(r, f->localName, f->ns, &found,
		    error)) != S_OK)
			return hr;
		if (!found) {
			if (!(f->options & WS_FIELD_OPTIONAL))
				return XML_SR_FAIL(error, "the element "
				    "\"%.*s\" is missing",
				    (int)f->localName->length,
				    (const char *)f->localName->bytes);
			xml_sr_default(f, base);
			return S_OK;
		}
		xml_sr_field_opt(f, (f->options & WS_FIELD_POINTER) != 0,
		    (f->options & WS_FIELD_NILLABLE) != 0, &opt, &size);
		return WsReadType(r, WS_ELEMENT_TYPE_MAPPING, f->type,
		    f->typeDescription, opt, heap, fp, size, error);
	case WS_TEXT_FIELD_MAPPING:
		xml_sr_field_opt(f, (f->options & WS_FIELD_POINTER) != 0, false,
		    &opt, &size);
		return WsReadType(r, WS_ELEMENT_CONTENT_TYPE_MAPPING, f->type,
		    f->typeDescription, opt, heap, fp, size, error);
	case WS_REPEATING_ELEMENT_FIELD_MAPPING:
	case WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING:
	case WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING:
		return xml_sr_repeat(r, f, heap, base, error);
	case WS_ELEMENT_CHOICE_FIELD_MAPPING:
		return xml_sr_union(r, f->typeDescription, heap, fp,
		    (f->options & WS_FIELD_OPTIONAL) != 0, &matched, error);
	case WS_ANY_ELEMENT_FIELD_MAPPING:
		if ((hr = WsReadToStartElement(r, NULL, NULL, &found,
		    error)) != S_OK)
			return hr;
		if (!found) {
			if (!(f->options & WS_FIELD_OPTIONAL))
				return XML_SR_FAIL(error, "an element is "
				    "missing");
			memset(fp, 0, sizeof(void *));
			return S_OK;
		}
		return WsReadXmlBuffer(r, heap, (WS_XML_BUFFER **)fp, error);
	case WS_ANY_CONTENT_FIELD_MAPPING:
		return xml_sr_rest(r, heap, (WS_XML_BUFFER **)fp, error);
	case WS_NO_FIELD_MAPPING:
		xml_sr_default(f, base);
		return S_OK;
	default:
		return S_OK;
	}
}

/* Is `a` the attribute of an attribute field of `d`? */
static bool
xml_sr_mapped(const WS_STRUCT_DESCRIPTION *d, const WS_XML_ATTRIBUTE *a)
{
	ULONG i;

	for (i = 0; i < d->fieldCount; i++) {
		const WS_FIELD_DESCRIPTION *f = d->fields[i];

		if (f->mapping == WS_ATTRIBUTE_FIELD_MAPPING &&
		    f->localName != NULL && f->ns != NULL &&
		    xml_string_eq(f->localName, a->localName) &&
		    xml_string_eq(f->ns, a->ns))
			return true;
		if (f->mapping == WS_XML_ATTRIBUTE_FIELD_MAPPING &&
		    f->localName != NULL &&
		    xml_string_eq(f->localName, a->localName) &&
		    xml_string_eq(&xml_sr_xml_ns, a->ns))
			return true;
	}
	return false;
}

/* Attributes no field maps: into the any-attributes field, ignored, or
 * an error, as the description says. */
static HRESULT
xml_sr_unmapped(const WS_STRUCT_DESCRIPTION *d, const WS_XML_ELEMENT_NODE *e,
    WS_HEAP *heap, BYTE *base, WS_ERROR *error)
{
	const WS_FIELD_DESCRIPTION *any = NULL;
	WS_ANY_ATTRIBUTES *out;
	WS_XML_STRING *s;
	ULONG i, n = 0;
	HRESULT hr = S_OK;

	for (i = 0; i < d->fieldCount; i++)
		if (d->fields[i]->mapping == WS_ANY_ATTRIBUTES_FIELD_MAPPING)
			any = d->fields[i];
	for (i = 0; i < e->attributeCount; i++) {
		const WS_XML_ATTRIBUTE *a = e->attributes[i];

		if (a->isXmlNs || xml_string_eq(a->ns, &xml_sr_xsi) ||
		    xml_sr_mapped(d, a))
			continue;
		if (any == NULL && !(d->structOptions &
		    WS_STRUCT_IGNORE_UNHANDLED_ATTRIBUTES))
			return XML_SR_FAIL(error, "unexpected attribute "
			    "\"%.*s\"", (int)a->localName->length,
			    (const char *)a->localName->bytes);
		n++;
	}
	if (any == NULL)
		return S_OK;
	out = (WS_ANY_ATTRIBUTES *)(base + any->offset);
	memset(out, 0, sizeof(*out));
	if (n == 0)
		return S_OK;
	if ((out->attributes = xml_sr_alloc(heap,
	    n * sizeof(WS_ANY_ATTRIBUTE), &hr)) == NULL)
		return ws_error_fail(error, hr, "WsReadType: the heap is full");
	for (i = 0; i < e->attributeCount; i++) {
		const WS_XML_ATTRIBUTE *a = e->attributes[i];
		WS_ANY_ATTRIBUTE *x = &out->attributes[out->attributeCount];

		if (a->isXmlNs || xml_string_eq(a->ns, &xml_sr_xsi) ||
		    xml_sr_mapped(d, a))
			continue;
		if ((s = xml_string_dup(heap, a->localName, &hr)) == NULL)
			break;
		x->localName = *s;
		if ((s = xml_string_dup(heap, a->ns, &hr)) == NULL)
			break;
		x->ns = *s;
		if ((x->value = xml_text_copy(heap, a->value, &hr)) == NULL)
			break;
		out->attributeCount++;
	}
	if (hr != S_OK)
		return ws_error_fail(error, hr, "WsReadType: the heap is full");
	return S_OK;
}

static HRESULT
xml_sr_attr_fields(WS_XML_READER *r, const WS_STRUCT_DESCRIPTION *d,
    WS_HEAP *heap, BYTE *base, WS_ERROR *error)
{
	const WS_XML_STRING *ns;
	WS_READ_OPTION opt;
	ULONG i, idx, size;
	HRESULT hr;

	for (i = 0; i < d->fieldCount; i++) {
		const WS_FIELD_DESCRIPTION *f = d->fields[i];

		if (f->mapping != WS_ATTRIBUTE_FIELD_MAPPING &&
		    f->mapping != WS_XML_ATTRIBUTE_FIELD_MAPPING)
			continue;
		ns = f->mapping == WS_XML_ATTRIBUTE_FIELD_MAPPING ?
		    &xml_sr_xml_ns : f->ns;
		if (f->localName == NULL || ns == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsReadType: an attribute field without a name");
		if ((hr = WsFindAttribute(r, f->localName, ns, FALSE, &idx,
		    error)) == S_FALSE) {
			if (!(f->options & WS_FIELD_OPTIONAL))
				return XML_SR_FAIL(error, "the attribute "
				    "\"%.*s\" is missing",
				    (int)f->localName->length,
				    (const char *)f->localName->bytes);
			xml_sr_default(f, base);
			continue;
		}
		if (hr != S_OK ||
		    (hr = WsReadStartAttribute(r, idx, error)) != S_OK)
			return hr;
		xml_sr_field_opt(f, (f->options & WS_FIELD_POINTER) != 0, false,
		    &opt, &size);
		hr = WsReadType(r, WS_ATTRIBUTE_TYPE_MAPPING, f->type,
		    f->typeDescription, opt, heap, base + f->offset, size,
		    error);
		WsReadEndAttribute(r, NULL);
		if (hr != S_OK)
			return hr;
	}
	return xml_sr_unmapped(d, (const WS_XML_ELEMENT_NODE *)
	    xml_reader_node(r), heap, base, error);
}

/* `d` or the subtype of it named (local, ns). */
static const WS_STRUCT_DESCRIPTION *
xml_sr_subtype(const WS_STRUCT_DESCRIPTION *d, const WS_XML_STRING *local,
    const WS_XML_STRING *ns, int depth)
{
	const WS_STRUCT_DESCRIPTION *s;
	ULONG i;

	if (d->typeLocalName != NULL && d->typeNs != NULL &&
	    xml_string_eq(d->typeLocalName, local) &&
	    xml_string_eq(d->typeNs, ns))
		return d;
	if (depth > 32 || (d->subTypeCount > 0 && d->subTypes == NULL))
		return NULL;
	for (i = 0; i < d->subTypeCount; i++)
		if (d->subTypes[i] != NULL && (s = xml_sr_subtype(d->subTypes[i],
		    local, ns, depth + 1)) != NULL)
			return s;
	return NULL;
}

/* The type an element's xsi:type names, `d` when it has none. */
static HRESULT
xml_sr_xsi_type(WS_XML_READER *r, const WS_STRUCT_DESCRIPTION *d,
    const WS_STRUCT_DESCRIPTION **out, WS_ERROR *error)
{
	WS_XML_STRING prefix, local;
	const WS_XML_STRING *ns;
	const char *colon;
	char *s, *t;
	size_t n;
	ULONG idx;
	HRESULT hr;

	*out = d;
	if ((hr = WsFindAttribute(r, &xml_sr_tname, &xml_sr_xsi, FALSE, &idx,
	    error)) == S_FALSE)
		return S_OK;
	if (hr != S_OK || (hr = WsReadStartAttribute(r, idx, error)) != S_OK)
		return hr;
	hr = xml_reader_take_text(r, &s, &n);
	WsReadEndAttribute(r, NULL);
	if (hr != S_OK)
		return ws_error_fail(error, hr, "WsReadType: out of memory");
	for (t = s; n > 0 && (*t == ' ' || *t == '\t' || *t == '\n'); n--)
		t++;
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' ||
	    t[n - 1] == '\n'))
		n--;
	memset(&prefix, 0, sizeof(prefix));
	memset(&local, 0, sizeof(local));
	local.bytes = (BYTE *)t;
	local.length = (ULONG)n;
	if ((colon = memchr(t, ':', n)) != NULL) {
		prefix.bytes = (BYTE *)t;
		prefix.length = (ULONG)(colon - t);
		local.bytes = (BYTE *)colon + 1;
		local.length = (ULONG)(n - prefix.length - 1);
	}
	if ((hr = WsGetNamespaceFromPrefix(r, &prefix, TRUE, &ns,
	    error)) != S_OK) {
		free(s);
		return XML_SR_FAIL(error, "xsi:type has an unbound prefix");
	}
	*out = xml_sr_subtype(d, &local, ns, 0);
	if (*out == NULL) {
		hr = XML_SR_FAIL(error, "xsi:type \"%.*s\" is not a subtype "
		    "of the described structure", (int)n, t);
		free(s);
		return hr;
	}
	free(s);
	return S_OK;
}

/* After the last field: nothing but white space, unless the description
 * ignores trailing content. */
static HRESULT
xml_sr_trailing(WS_XML_READER *r, const WS_STRUCT_DESCRIPTION *d,
    WS_ERROR *error)
{
	bool ignore = (d->structOptions &
	    WS_STRUCT_IGNORE_TRAILING_ELEMENT_CONTENT) != 0;
	const WS_XML_NODE *n;
	BOOL found;
	HRESULT hr;

	for (;;) {
		if ((hr = WsReadToStartElement(r, NULL, NULL, &found,
		    error)) != S_OK)
			return hr;
		if (found) {
			if (!ignore)
				return XML_SR_FAIL(error, "unexpected element "
				    "after the last field");
			if ((hr = WsSkipNode(r, error)) != S_OK)
				return hr;
			continue;
		}
		n = xml_reader_node(r);
		if (!ignore || n->nodeType == WS_XML_NODE_TYPE_END_ELEMENT ||
		    n->nodeType == WS_XML_NODE_TYPE_EOF)
			return S_OK;
		if ((hr = WsReadNode(r, error)) != S_OK)
			return hr;
	}
}

static HRESULT
xml_sr_struct_content(WS_XML_READER *r, const WS_STRUCT_DESCRIPTION *d,
    WS_HEAP *heap, BYTE *base, WS_ERROR *error)
{
	ULONG i;
	HRESULT hr;

	for (i = 0; i < d->fieldCount; i++)
		if ((hr = xml_sr_content_field(r, d->fields[i], heap, base,
		    error)) != S_OK)
			return hr;
	return xml_sr_trailing(r, d, error);
}

static bool
xml_sr_fields_ok(const WS_STRUCT_DESCRIPTION *d)
{
	ULONG i;

	for (i = 0; i < d->fieldCount; i++)
		if (d->fields[i] == NULL)
			return false;
	return true;
}

/* A structure element, the reader on its start. */
static HRESULT
xml_sr_struct(WS_XML_READER *r, const WS_STRUCT_DESCRIPTION *d,
    WS_READ_OPTION opt, WS_HEAP *heap, void *value, ULONG size,
    WS_ERROR *error)
{
	const WS_STRUCT_DESCRIPTION *a;
	void *t = NULL;
	ULONG i;
	HRESULT hr;

	if ((hr = xml_sr_xsi_type(r, d, &a, error)) != S_OK)
		return hr;
	if (!xml_sr_fields_ok(a))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: a field description is NULL");
	if (a->structOptions & WS_STRUCT_ABSTRACT)
		return XML_SR_FAIL(error, "the element's type is abstract");
	if (opt == WS_READ_REQUIRED_VALUE && a->size > size)
		return XML_SR_FAIL(error, "the element's subtype does not fit "
		    "the value");
	if ((hr = xml_sr_target(opt, heap, value, a->size, &t,
	    error)) != S_OK)
		return hr;
	for (i = 0; i < a->fieldCount; i++)
		if (a->fields[i]->mapping == WS_TYPE_ATTRIBUTE_FIELD_MAPPING)
			memcpy((BYTE *)t + a->fields[i]->offset, &a,
			    sizeof(a));
	if ((hr = xml_sr_attr_fields(r, a, heap, t, error)) != S_OK ||
	    (hr = WsReadStartElement(r, error)) != S_OK ||
	    (hr = xml_sr_struct_content(r, a, heap, t, error)) != S_OK)
		return hr;
	return WsReadEndElement(r, error);
}

static HRESULT
xml_sr_epr(WS_XML_READER *r, const void *desc, WS_HEAP *heap,
    WS_ENDPOINT_ADDRESS *a, WS_ERROR *error)
{
	const WS_ENDPOINT_ADDRESS_DESCRIPTION *d = desc;
	const WS_XML_STRING *ns = &xml_sr_wsa10;
	WS_ELEMENT_DESCRIPTION ed = { (WS_XML_STRING *)&xml_sr_address, NULL,
	    WS_STRING_TYPE, NULL };
	BOOL found;
	HRESULT hr;

	if (d != NULL && d->addressingVersion == WS_ADDRESSING_VERSION_0_9)
		ns = &xml_sr_wsa09;
	ed.elementNs = (WS_XML_STRING *)ns;
	if ((hr = WsReadElement(r, &ed, WS_READ_REQUIRED_VALUE, heap, &a->url,
	    sizeof(a->url), error)) != S_OK)
		return hr;
	if ((hr = WsReadToStartElement(r, &xml_sr_refparams, ns, &found,
	    error)) != S_OK)
		return hr;
	if (found && ((hr = WsReadStartElement(r, error)) != S_OK ||
	    (hr = xml_sr_rest(r, heap, &a->headers, error)) != S_OK ||
	    (hr = WsReadEndElement(r, error)) != S_OK))
		return hr;
	return xml_sr_rest(r, heap, &a->extensions, error);
}

/* The content of a value of the type (the reader after its start tag,
 * or in the attribute). */
static HRESULT
xml_sr_content(WS_XML_READER *r, WS_TYPE type, const void *desc,
    WS_HEAP *heap, void *t, WS_ERROR *error)
{
	bool matched;

	switch (type) {
	case WS_STRUCT_TYPE:
		if (!xml_sr_fields_ok(desc))
			return ws_error_fail(error, E_INVALIDARG,
			    "WsReadType: a field description is NULL");
		return xml_sr_struct_content(r, desc, heap, t, error);
	case WS_UNION_TYPE:
		return xml_sr_union(r, desc, heap, t, false, &matched, error);
	case WS_ENUM_TYPE:
	case WS_CHAR_ARRAY_TYPE:
	case WS_UTF8_ARRAY_TYPE:
	case WS_BYTE_ARRAY_TYPE:
		return xml_sr_text(r, type, desc, heap, t, error);
	case WS_ENDPOINT_ADDRESS_TYPE:
		return xml_sr_epr(r, desc, heap, t, error);
	case WS_ANY_ATTRIBUTES_TYPE:
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: attributes need the element mapping");
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: type %d cannot be read alone", (int)type);
	}
}

/* long: the mappings each kind allows, then the element's framing. */
HRESULT
xml_struct_read_type(WS_XML_READER *r, WS_TYPE_MAPPING m, WS_TYPE type,
    const void *desc, WS_READ_OPTION opt, WS_HEAP *heap, void *value,
    ULONG size, WS_ERROR *error)
{
	const WS_CUSTOM_TYPE_DESCRIPTION *cd = desc;
	const WS_XML_ELEMENT_NODE *e;
	size_t ts = xml_type_size_of(type, desc);
	void *t = NULL;
	BOOL found;
	HRESULT hr;

	if ((hr = xml_reader_check(r, error, "WsReadType")) != S_OK)
		return hr;
	if (type == WS_FAULT_TYPE && m != WS_ELEMENT_TYPE_MAPPING)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: a fault needs the element mapping");
	if ((hr = xml_struct_read_args(type, desc, opt, heap, value,
	    size)) != S_OK)
		return ws_error_fail(error, hr, "WsReadType: type %d cannot be "
		    "read with option %d and size %u (or its description, "
		    "heap or value is missing)", (int)type, (int)opt,
		    (unsigned)size);
	if (type == WS_CUSTOM_TYPE && (cd->readCallback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: the custom type has no read callback");
	if (type == WS_DESCRIPTION_TYPE)
		return ws_error_fail(error, E_INVALIDARG, "WsReadType: a "
		    "description is read as a structure's type attribute field");
	switch (m) {
	case WS_ATTRIBUTE_TYPE_MAPPING:
		if (!xml_reader_in_attribute(r))
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "WsReadType: the reader is not in an attribute");
		if (type == WS_STRUCT_TYPE || type == WS_UNION_TYPE ||
		    type == WS_ENDPOINT_ADDRESS_TYPE ||
		    type == WS_ANY_ATTRIBUTES_TYPE)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsReadType: type %d is not an attribute value",
			    (int)type);
		/* FALLTHROUGH */
	case WS_ELEMENT_CONTENT_TYPE_MAPPING:
		if (type == WS_VOID_TYPE)
			return S_OK;
		if ((hr = xml_sr_target(opt, heap, value, ts, &t,
		    error)) != S_OK)
			return hr;
		if (type == WS_CUSTOM_TYPE)
			return cd->readCallback(r, m, cd->descriptionData,
			    heap, t, cd->size, error);
		return xml_sr_content(r, type, desc, heap, t, error);
	case WS_ANY_ELEMENT_TYPE_MAPPING:
		if (type != WS_CUSTOM_TYPE)
			return ws_error_fail(error, E_INVALIDARG, "WsReadType: "
			    "any-element mapping takes an XML buffer or a "
			    "custom type");
		if ((hr = xml_sr_target(opt, heap, value, ts, &t,
		    error)) != S_OK)
			return hr;
		return cd->readCallback(r, m, cd->descriptionData, heap, t,
		    cd->size, error);
	case WS_ELEMENT_TYPE_MAPPING:
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadType: unknown mapping %d", (int)m);
	}
	if ((hr = WsReadToStartElement(r, NULL, NULL, &found, error)) != S_OK)
		return hr;
	if (!found) {
		if (opt != WS_READ_OPTIONAL_POINTER)
			return XML_SR_FAIL(error, "no element to read");
		memset(value, 0, sizeof(void *));
		return S_OK;
	}
	if (type == WS_VOID_TYPE)
		return WsSkipNode(r, error);
	e = (const WS_XML_ELEMENT_NODE *)xml_reader_node(r);
	if (xml_sr_is_nil(e)) {
		if (opt != WS_READ_NILLABLE_POINTER)
			return XML_SR_FAIL(error, "the element is nil");
		memset(value, 0, sizeof(void *));
		return WsSkipNode(r, error);
	}
	if (type == WS_STRUCT_TYPE)
		return xml_sr_struct(r, desc, opt, heap, value, size, error);
	if ((hr = xml_sr_target(opt, heap, value, ts, &t, error)) != S_OK)
		return hr;
	if (type == WS_FAULT_TYPE)	/* the whole Fault element */
		return ws_fault_read(r,
		    ((const WS_FAULT_DESCRIPTION *)desc)->envelopeVersion, heap,
		    t, error);
	if (type == WS_CUSTOM_TYPE)
		return cd->readCallback(r, m, cd->descriptionData, heap, t,
		    cd->size, error);
	if (type == WS_ANY_ATTRIBUTES_TYPE) {
		static const WS_STRUCT_DESCRIPTION none = { 0, 0, NULL, 0,
		    NULL, NULL, NULL, NULL, 0, 0 };
		static WS_FIELD_DESCRIPTION f = { WS_ANY_ATTRIBUTES_FIELD_MAPPING,
		    NULL, NULL, WS_ANY_ATTRIBUTES_TYPE, NULL, 0, 0, NULL, 0,
		    NULL, NULL, NULL };
		static WS_FIELD_DESCRIPTION *fs[] = { &f };
		WS_STRUCT_DESCRIPTION d = none;

		d.fields = fs;
		d.fieldCount = 1;
		if ((hr = xml_sr_unmapped(&d, e, heap, t, error)) != S_OK)
			return hr;
		return WsSkipNode(r, error);
	}
	if ((hr = WsReadStartElement(r, error)) != S_OK ||
	    (hr = xml_sr_content(r, type, desc, heap, t, error)) != S_OK)
		return hr;
	return WsReadEndElement(r, error);
}

/* xml_type_read_args for every type. */
static HRESULT
xml_sr_read_any(WS_TYPE type, const void *desc, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, ULONG size)
{
	if (xml_type_described(type))
		return xml_struct_read_args(type, desc, opt, heap, value, size);
	return xml_type_read_args(type, opt, heap, value, size);
}

WS_EXPORT HRESULT WINAPI
WsReadType(WS_XML_READER *reader, WS_TYPE_MAPPING typeMapping, WS_TYPE type,
    const void *typeDescription, WS_READ_OPTION readOption, WS_HEAP *heap,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	if (xml_type_described(type))
		return xml_struct_read_type(reader, typeMapping, type,
		    typeDescription, readOption, heap, value, valueSize, error);
	return xml_type_read(reader, typeMapping, type, typeDescription,
	    readOption, heap, value, valueSize, error);
}

WS_EXPORT HRESULT WINAPI
WsReadElement(WS_XML_READER *reader,
    const WS_ELEMENT_DESCRIPTION *elementDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    WS_ERROR *error)
{
	const WS_ELEMENT_DESCRIPTION *d = elementDescription;
	BOOL found;
	HRESULT hr;

	if (d == NULL || d->elementLocalName == NULL || d->elementNs == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadElement: incomplete element description");
	if ((hr = xml_reader_check(reader, error, "WsReadElement")) != S_OK)
		return hr;
	if ((hr = xml_sr_read_any(d->type, d->typeDescription, readOption,
	    heap, value, valueSize)) != S_OK)
		return ws_error_fail(error, hr, "WsReadElement: invalid value "
		    "size, option or heap");
	if ((hr = WsReadToStartElement(reader, d->elementLocalName,
	    d->elementNs, &found, error)) != S_OK)
		return hr;
	if (!found) {
		if (readOption != WS_READ_OPTIONAL_POINTER)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "WsReadElement: the element \"%.*s\" is not next",
			    (int)d->elementLocalName->length,
			    (const char *)d->elementLocalName->bytes);
		memset(value, 0, sizeof(void *));
		return S_OK;
	}
	return WsReadType(reader, WS_ELEMENT_TYPE_MAPPING, d->type,
	    d->typeDescription, readOption, heap, value, valueSize, error);
}

WS_EXPORT HRESULT WINAPI
WsReadAttribute(WS_XML_READER *reader,
    const WS_ATTRIBUTE_DESCRIPTION *attributeDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    WS_ERROR *error)
{
	const WS_ATTRIBUTE_DESCRIPTION *d = attributeDescription;
	ULONG i;
	HRESULT hr;

	if (d == NULL || d->attributeLocalName == NULL ||
	    d->attributeNs == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadAttribute: incomplete attribute description");
	if ((hr = xml_reader_check(reader, error, "WsReadAttribute")) != S_OK)
		return hr;
	if ((hr = xml_sr_read_any(d->type, d->typeDescription, readOption,
	    heap, value, valueSize)) != S_OK)
		return ws_error_fail(error, hr, "WsReadAttribute: invalid "
		    "value size, option or heap");
	if ((hr = WsFindAttribute(reader, d->attributeLocalName,
	    d->attributeNs, FALSE, &i, error)) == S_FALSE) {
		if (readOption != WS_READ_OPTIONAL_POINTER &&
		    readOption != WS_READ_NILLABLE_POINTER)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "WsReadAttribute: the attribute is missing");
		memset(value, 0, sizeof(void *));
		return S_OK;
	}
	if (hr != S_OK || (hr = WsReadStartAttribute(reader, i,
	    error)) != S_OK)
		return hr;
	hr = WsReadType(reader, WS_ATTRIBUTE_TYPE_MAPPING, d->type,
	    d->typeDescription, readOption, heap, value, valueSize, error);
	WsReadEndAttribute(reader, NULL);
	return hr;
}

