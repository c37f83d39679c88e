/*
 * Serialization of described values (WS_STRUCT_DESCRIPTION and friends):
 * what the kinds have in common, and the writing side.  A structure is an
 * element's attributes (attribute, xml:, xsi:type and any-attribute
 * fields) followed by its content (element, repeating, text, choice and
 * any-element fields) in the order of the description; each field goes
 * back through WsWriteType, so nesting has no limit of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "ws_fault.h"

static const WS_XML_STRING xml_struct_xsi = WS_XML_STRING_VALUE(XML_NS_XSI);
static const WS_XML_STRING xml_struct_xsi_type = WS_XML_STRING_VALUE("type");
static const WS_XML_STRING xml_struct_xml_ns = WS_XML_STRING_VALUE(XML_NS_XML);
static const WS_XML_STRING xml_struct_xml_prefix = WS_XML_STRING_VALUE("xml");
static const WS_XML_STRING xml_struct_wsa10 =
    WS_XML_STRING_VALUE("http://www.w3.org/2005/08/addressing");
static const WS_XML_STRING xml_struct_wsa09 =
    WS_XML_STRING_VALUE("http://schemas.xmlsoap.org/ws/2004/08/addressing");
static const WS_XML_STRING xml_struct_address = WS_XML_STRING_VALUE("Address");
static const WS_XML_STRING xml_struct_refparams =
    WS_XML_STRING_VALUE("ReferenceParameters");

/* Does a description fit its type?  Checked before anything is written or
 * read. */
static bool
xml_struct_desc_ok(WS_TYPE t, const void *desc)
{
	switch (t) {
	case WS_STRUCT_TYPE: {
		const WS_STRUCT_DESCRIPTION *d = desc;

		return d != NULL && (d->fieldCount == 0 || d->fields != NULL);
	}
	case WS_ENUM_TYPE: {
		const WS_ENUM_DESCRIPTION *d = desc;

		return d != NULL && (d->valueCount == 0 || d->values != NULL);
	}
	case WS_UNION_TYPE: {
		const WS_UNION_DESCRIPTION *d = desc;

		return d != NULL && (d->fieldCount == 0 || d->fields != NULL) &&
		    d->enumOffset + sizeof(int) <= d->size;
	}
	case WS_CUSTOM_TYPE: {
		const WS_CUSTOM_TYPE_DESCRIPTION *d = desc;

		return d != NULL && d->readCallback != NULL &&
		    d->writeCallback != NULL;
	}
	default:
		return true;
	}
}

HRESULT
xml_struct_write_value(WS_TYPE type, const void *desc, WS_WRITE_OPTION opt,
    const void *value, ULONG size, const void **v)
{
	size_t ts = xml_type_size_of(type, desc);

	if (type == WS_VOID_TYPE) {
		/* Nothing is written, whatever the value. */
		*v = "";
		return S_OK;
	}
	if (!xml_struct_desc_ok(type, desc) || value == NULL || ts == 0)
		return E_INVALIDARG;
	switch (opt) {
	case WS_WRITE_REQUIRED_VALUE:
		if (size != ts)
			return E_INVALIDARG;
		if (xml_type_pointer(type)) {
			memcpy(v, value, sizeof(*v));
			return *v != NULL ? S_OK : E_INVALIDARG;
		}
		*v = value;
		return S_OK;
	case WS_WRITE_REQUIRED_POINTER:
	case WS_WRITE_NILLABLE_POINTER:
		if (size != sizeof(void *))
			return E_INVALIDARG;
		memcpy(v, value, sizeof(*v));
		if (*v == NULL && opt == WS_WRITE_REQUIRED_POINTER)
			return E_INVALIDARG;
		return S_OK;
	default:
		/* None of these kinds has a value that stands for nil. */
		return E_INVALIDARG;
	}
}

static HRESULT
xml_struct_write_nil(WS_XML_WRITER *w, WS_ERROR *error)
{
	WS_XML_UTF8_TEXT t = { { WS_XML_TEXT_TYPE_UTF8 },
	    WS_XML_STRING_VALUE("true") };
	static const WS_XML_STRING nil = WS_XML_STRING_VALUE("nil");
	HRESULT hr;

	if ((hr = WsWriteStartAttribute(w, NULL, &nil, &xml_struct_xsi, FALSE,
	    error)) != S_OK || (hr = WsWriteText(w, &t.text, error)) != S_OK)
		return hr;
	return WsWriteEndAttribute(w, error);
}

/* The text of an enum value, a char/UTF-8/byte array. */
static HRESULT
xml_struct_write_text(WS_XML_WRITER *w, WS_TYPE type, const void *desc,
    const void *v, WS_ERROR *error)
{
	WS_XML_UTF8_TEXT u8 = { { WS_XML_TEXT_TYPE_UTF8 }, { 0, NULL, NULL,
	    0 } };
	WS_XML_UTF16_TEXT u16 = { { WS_XML_TEXT_TYPE_UTF16 }, NULL, 0 };
	WS_XML_BASE64_TEXT b64 = { { WS_XML_TEXT_TYPE_BASE64 }, NULL, 0 };
	const WS_ENUM_DESCRIPTION *ed = desc;
	ULONG i;
	int e;

	switch (type) {
	case WS_ENUM_TYPE:
		memcpy(&e, v, sizeof(e));
		for (i = 0; i < ed->valueCount; i++)
			if (ed->values[i].value == e &&
			    ed->values[i].name != NULL)
				break;
		if (i == ed->valueCount)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: %d is not a value of the enum", e);
		u8.value = *ed->values[i].name;
		return WsWriteText(w, &u8.text, error);
	case WS_CHAR_ARRAY_TYPE:
		u16.bytes = (BYTE *)((const WS_CHAR_ARRAY *)v)->chars;
		u16.byteCount = ((const WS_CHAR_ARRAY *)v)->charCount * 2;
		if (u16.byteCount > 0 && u16.bytes == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: a char array with no chars");
		return WsWriteText(w, &u16.text, error);
	case WS_UTF8_ARRAY_TYPE:
		u8.value.bytes = ((const WS_UTF8_ARRAY *)v)->bytes;
		u8.value.length = ((const WS_UTF8_ARRAY *)v)->byteCount;
		if (u8.value.length > 0 && u8.value.bytes == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: a UTF-8 array with no bytes");
		return WsWriteText(w, &u8.text, error);
	case WS_BYTE_ARRAY_TYPE:
		b64.bytes = ((const WS_BYTE_ARRAY *)v)->bytes;
		b64.length = ((const WS_BYTE_ARRAY *)v)->byteCount;
		if (b64.length > 0 && b64.bytes == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: a byte array with no bytes");
		return WsWriteText(w, &b64.text, error);
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: type %d has no text form", (int)type);
	}
}

/* Is the field's value all its default (zeros without one)? */
static bool
xml_struct_is_default(const WS_FIELD_DESCRIPTION *f, const void *fp,
    size_t n)
{
	static const BYTE zero[64];
	const BYTE *d = zero;
	size_t i;

	if (f->defaultValue != NULL && f->defaultValue->value != NULL) {
		if (f->defaultValue->valueSize != n)
			return false;
		d = f->defaultValue->value;
		return memcmp(fp, d, n) == 0;
	}
	for (i = 0; i < n; i++)
		if (((const BYTE *)fp)[i] != 0)
			return false;
	return true;
}

/* How one value of a field goes to WsWriteType: option, pointer, size. */
struct xml_field_val {
	WS_WRITE_OPTION	 opt;
	const void	*p;
	ULONG		 size;
	bool		 null;
};

static void
xml_struct_field_val(const WS_FIELD_DESCRIPTION *f, const void *fp,
    bool pointer, bool nillable, struct xml_field_val *fv)
{
	void *ptr;

	if (pointer || xml_type_pointer(f->type)) {
		memcpy(&ptr, fp, sizeof(ptr));
		fv->null = ptr == NULL;
		fv->opt = nillable ? WS_WRITE_NILLABLE_POINTER :
		    WS_WRITE_REQUIRED_POINTER;
		fv->p = fp;
		fv->size = sizeof(void *);
		return;
	}
	fv->null = false;
	/* These types have a value that stands for nil. */
	fv->opt = nillable && (f->type == WS_STRING_TYPE ||
	    f->type == WS_BYTES_TYPE || f->type == WS_XML_STRING_TYPE) ?
	    WS_WRITE_NILLABLE_VALUE : WS_WRITE_REQUIRED_VALUE;
	fv->p = fp;
	fv->size = (ULONG)xml_type_size_of(f->type, f->typeDescription);
}

static HRESULT
xml_struct_write_elem(WS_XML_WRITER *w, const WS_XML_STRING *local,
    const WS_XML_STRING *ns, const WS_FIELD_DESCRIPTION *f,
    const struct xml_field_val *fv, WS_ERROR *error)
{
	HRESULT hr;

	if ((hr = WsWriteStartElement(w, NULL, local, ns, error)) != S_OK)
		return hr;
	if (fv->null)
		hr = xml_struct_write_nil(w, error);
	else
		hr = WsWriteType(w, WS_ELEMENT_TYPE_MAPPING, f->type,
		    f->typeDescription, fv->opt, fv->p, fv->size, error);
	if (hr != S_OK)
		return hr;
	return WsWriteEndElement(w, error);
}

static HRESULT	xml_struct_write_union(WS_XML_WRITER *,
		    const WS_UNION_DESCRIPTION *, const BYTE *, bool optional,
		    WS_ERROR *);

/* A repeating field: a wrapper (when named) around items. */
static HRESULT
xml_struct_write_repeat(WS_XML_WRITER *w, const WS_FIELD_DESCRIPTION *f,
    const BYTE *base, WS_ERROR *error)
{
	const BYTE *arr;
	ULONG count, i;
	size_t isz;
	bool pointer = (f->options & WS_FIELD_POINTER) != 0;
	struct xml_field_val fv;
	HRESULT hr;

	memcpy(&arr, base + f->offset, sizeof(arr));
	memcpy(&count, base + f->countOffset, sizeof(count));
	if (f->mapping == WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING)
		isz = xml_type_size_of(WS_UNION_TYPE, f->typeDescription);
	else if (pointer)
		isz = sizeof(void *);
	else
		isz = xml_type_size_of(f->type, f->typeDescription);
	if (isz == 0 || (count > 0 && arr == NULL))
		return ws_error_fail(error, E_INVALIDARG, "WsWriteType: "
		    "array of %u items with no items or no item size",
		    (unsigned)count);
	if (f->itemRange != NULL && (count < f->itemRange->minItemCount ||
	    count > f->itemRange->maxItemCount))
		return ws_error_fail(error, E_INVALIDARG, "WsWriteType: %u "
		    "items, outside the range %u..%u", (unsigned)count,
		    (unsigned)f->itemRange->minItemCount,
		    (unsigned)f->itemRange->maxItemCount);
	if (f->localName != NULL && (hr = WsWriteStartElement(w, NULL,
	    f->localName, f->ns, error)) != S_OK)
		return hr;
	for (i = 0; i < count; i++) {
		const BYTE *ip = arr + (size_t)i * isz;

		if (f->mapping == WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING) {
			hr = xml_struct_write_union(w, f->typeDescription, ip,
			    false, error);
		} else if (f->mapping == WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING) {
			WS_XML_BUFFER *b;

			memcpy(&b, ip, sizeof(b));
			hr = b == NULL ? ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: a NULL XML buffer in an array") :
			    WsWriteXmlBuffer(w, b, error);
		} else {
			xml_struct_field_val(f, ip, pointer,
			    (f->options & WS_FIELD_NILLABLE_ITEM) != 0, &fv);
			if (fv.null && !(f->options & WS_FIELD_NILLABLE_ITEM))
				return ws_error_fail(error, E_INVALIDARG,
				    "WsWriteType: item %u is NULL", (unsigned)i);
			if (f->itemLocalName == NULL || f->itemNs == NULL)
				return ws_error_fail(error, E_INVALIDARG,
				    "WsWriteType: repeating field without an "
				    "item name");
			hr = xml_struct_write_elem(w, f->itemLocalName,
			    f->itemNs, f, &fv, error);
		}
		if (hr != S_OK)
			return hr;
	}
	if (f->localName != NULL)
		return WsWriteEndElement(w, error);
	return S_OK;
}

static HRESULT
xml_struct_write_union(WS_XML_WRITER *w, const WS_UNION_DESCRIPTION *u,
    const BYTE *base, bool optional, WS_ERROR *error)
{
	const WS_FIELD_DESCRIPTION *f;
	struct xml_field_val fv;
	ULONG i;
	int e;

	if (!xml_struct_desc_ok(WS_UNION_TYPE, u))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: invalid union description");
	memcpy(&e, base + u->enumOffset, sizeof(e));
	if (e == u->noneEnumValue) {
		if (optional)
			return S_OK;
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: the union holds no choice");
	}
	for (i = 0; i < u->fieldCount; i++)
		if (u->fields[i] != NULL && u->fields[i]->value == e)
			break;
	if (i == u->fieldCount)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: %d is not a choice of the union", e);
	f = &u->fields[i]->field;
	if (f->mapping != WS_ELEMENT_FIELD_MAPPING || f->localName == NULL ||
	    f->ns == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: a union choice is an element field");
	xml_struct_field_val(f, base + f->offset,
	    (f->options & WS_FIELD_POINTER) != 0,
	    (f->options & WS_FIELD_NILLABLE) != 0, &fv);
	if (fv.null && !(f->options & WS_FIELD_NILLABLE))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: the union's choice is NULL");
	return xml_struct_write_elem(w, f->localName, f->ns, f, &fv, error);
}

static HRESULT
xml_struct_write_any_attrs(WS_XML_WRITER *w, const WS_ANY_ATTRIBUTES *a,
    WS_ERROR *error)
{
	ULONG i;
	HRESULT hr;

	if (a->attributeCount > 0 && a->attributes == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: attributes with no array");
	for (i = 0; i < a->attributeCount; i++) {
		const WS_ANY_ATTRIBUTE *x = &a->attributes[i];

		if (x->value == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: attribute %u has no value",
			    (unsigned)i);
		if ((hr = WsWriteStartAttribute(w, NULL, &x->localName, &x->ns,
		    FALSE, error)) != S_OK ||
		    (hr = WsWriteText(w, x->value, error)) != S_OK ||
		    (hr = WsWriteEndAttribute(w, error)) != S_OK)
			return hr;
	}
	return S_OK;
}

/* An attribute field (attribute, xml: attribute, any attributes). */
static HRESULT
xml_struct_write_attr_field(WS_XML_WRITER *w, const WS_FIELD_DESCRIPTION *f,
    const BYTE *base, WS_ERROR *error)
{
	const void *fp = base + f->offset;
	struct xml_field_val fv;
	const WS_XML_STRING *prefix = NULL, *ns = f->ns;
	HRESULT hr;

	if (f->mapping == WS_ANY_ATTRIBUTES_FIELD_MAPPING)
		return xml_struct_write_any_attrs(w, fp, error);
	if (f->localName == NULL || (ns == NULL &&
	    f->mapping == WS_ATTRIBUTE_FIELD_MAPPING))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: an attribute field without a name");
	if (f->mapping == WS_XML_ATTRIBUTE_FIELD_MAPPING) {
		prefix = &xml_struct_xml_prefix;
		ns = &xml_struct_xml_ns;
	}
	xml_struct_field_val(f, fp, (f->options & WS_FIELD_POINTER) != 0,
	    false, &fv);
	/* An attribute cannot be nil: a NULL or default optional one is
	 * left out. */
	if (fv.null || ((f->options & WS_FIELD_OPTIONAL) &&
	    fv.opt == WS_WRITE_REQUIRED_VALUE &&
	    xml_struct_is_default(f, fp, fv.size))) {
		if (fv.null && !(f->options & WS_FIELD_OPTIONAL))
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: required attribute \"%.*s\" is NULL",
			    (int)f->localName->length,
			    (const char *)f->localName->bytes);
		return S_OK;
	}
	if ((hr = WsWriteStartAttribute(w, prefix, f->localName, ns, FALSE,
	    error)) != S_OK ||
	    (hr = WsWriteType(w, WS_ATTRIBUTE_TYPE_MAPPING, f->type,
	    f->typeDescription, fv.opt, fv.p, fv.size, error)) != S_OK)
		return hr;
	return WsWriteEndAttribute(w, error);
}

/* long: one case per content mapping. */
static HRESULT
xml_struct_write_content_field(WS_XML_WRITER *w,
    const WS_FIELD_DESCRIPTION *f, const BYTE *base, WS_ERROR *error)
{
	const void *fp = base + f->offset;
	struct xml_field_val fv;
	WS_XML_BUFFER *b;

	switch (f->mapping) {
	case WS_ELEMENT_FIELD_MAPPING:
		if (f->localName == NULL || f->ns == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: an element field without a name");
		xml_struct_field_val(f, fp, (f->options & WS_FIELD_POINTER) != 0,
		    (f->options & WS_FIELD_NILLABLE) != 0, &fv);
		if (f->options & WS_FIELD_OPTIONAL) {
			/* Left out when absent or equal to the default. */
			if (fv.null)
				return S_OK;
			if (fv.opt == WS_WRITE_REQUIRED_VALUE &&
			    xml_struct_is_default(f, fp, fv.size))
				return S_OK;
		}
		if (fv.null && !(f->options & WS_FIELD_NILLABLE))
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: required element \"%.*s\" is NULL",
			    (int)f->localName->length,
			    (const char *)f->localName->bytes);
		return xml_struct_write_elem(w, f->localName, f->ns, f, &fv,
		    error);
	case WS_TEXT_FIELD_MAPPING:
		xml_struct_field_val(f, fp, (f->options & WS_FIELD_POINTER) != 0,
		    false, &fv);
		if (fv.null)
			return S_OK;
		return WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, f->type,
		    f->typeDescription, fv.opt, fv.p, fv.size, error);
	case WS_REPEATING_ELEMENT_FIELD_MAPPING:
	case WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING:
	case WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING:
		return xml_struct_write_repeat(w, f, base, error);
	case WS_ELEMENT_CHOICE_FIELD_MAPPING:
		return xml_struct_write_union(w, f->typeDescription, fp,
		    (f->options & WS_FIELD_OPTIONAL) != 0, error);
	case WS_ANY_ELEMENT_FIELD_MAPPING:
	case WS_ANY_CONTENT_FIELD_MAPPING:
		memcpy(&b, fp, sizeof(b));
		if (b == NULL) {
			if ((f->options & WS_FIELD_OPTIONAL) ||
			    f->mapping == WS_ANY_CONTENT_FIELD_MAPPING)
				return S_OK;
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: required any-element field is NULL");
		}
		return WsWriteXmlBuffer(w, b, error);
	default:
		return S_OK;
	}
}

/* The description a value really has: its xsi:type field names a subtype
 * of `d` (or d itself). */
static HRESULT
xml_struct_actual(const WS_STRUCT_DESCRIPTION *d, const BYTE *v,
    const WS_STRUCT_DESCRIPTION **out, WS_ERROR *error)
{
	const WS_STRUCT_DESCRIPTION *a = NULL, *p;
	ULONG i;

	*out = d;
	for (i = 0; i < d->fieldCount; i++) {
		const WS_FIELD_DESCRIPTION *f = d->fields[i];

		if (f != NULL && f->mapping == WS_TYPE_ATTRIBUTE_FIELD_MAPPING) {
			memcpy(&a, v + f->offset, sizeof(a));
			break;
		}
	}
	if (a == NULL || a == d)
		return S_OK;
	for (p = a->parentType; p != NULL && p != d; p = p->parentType)
		;
	if (p == NULL)
		return ws_error_fail(error, E_INVALIDARG, "WsWriteType: the "
		    "value's type is not a subtype of the described one");
	*out = a;
	return S_OK;
}

static HRESULT
xml_struct_write_struct(WS_XML_WRITER *w, WS_TYPE_MAPPING m,
    const WS_STRUCT_DESCRIPTION *d, const BYTE *v, WS_ERROR *error)
{
	const WS_STRUCT_DESCRIPTION *a;
	ULONG i;
	HRESULT hr;

	if ((hr = xml_struct_actual(d, v, &a, error)) != S_OK)
		return hr;
	if (a->structOptions & WS_STRUCT_ABSTRACT)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: the structure's type is abstract");
	if (m == WS_ELEMENT_TYPE_MAPPING) {
		if (a != d) {
			if (a->typeLocalName == NULL || a->typeNs == NULL)
				return ws_error_fail(error, E_INVALIDARG,
				    "WsWriteType: the subtype has no name");
			if ((hr = WsWriteStartAttribute(w, NULL,
			    &xml_struct_xsi_type, &xml_struct_xsi, FALSE,
			    error)) != S_OK ||
			    (hr = WsWriteQualifiedName(w, NULL,
			    a->typeLocalName, a->typeNs, error)) != S_OK ||
			    (hr = WsWriteEndAttribute(w, error)) != S_OK)
				return hr;
		}
		for (i = 0; i < a->fieldCount; i++) {
			const WS_FIELD_DESCRIPTION *f = a->fields[i];

			if (f == NULL)
				return ws_error_fail(error, E_INVALIDARG,
				    "WsWriteType: field %u is NULL",
				    (unsigned)i);
			if ((f->mapping == WS_ATTRIBUTE_FIELD_MAPPING ||
			    f->mapping == WS_XML_ATTRIBUTE_FIELD_MAPPING ||
			    f->mapping == WS_ANY_ATTRIBUTES_FIELD_MAPPING) &&
			    (hr = xml_struct_write_attr_field(w, f, v,
			    error)) != S_OK)
				return hr;
		}
	}
	for (i = 0; i < a->fieldCount; i++) {
		if (a->fields[i] == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: field %u is NULL", (unsigned)i);
		if ((hr = xml_struct_write_content_field(w, a->fields[i], v,
		    error)) != S_OK)
			return hr;
	}
	return S_OK;
}

static HRESULT
xml_struct_write_epr(WS_XML_WRITER *w, const void *desc,
    const WS_ENDPOINT_ADDRESS *a, WS_ERROR *error)
{
	const WS_ENDPOINT_ADDRESS_DESCRIPTION *d = desc;
	const WS_XML_STRING *ns = &xml_struct_wsa10;
	WS_XML_UTF16_TEXT u16 = { { WS_XML_TEXT_TYPE_UTF16 },
	    (BYTE *)a->url.chars, a->url.length * 2 };
	HRESULT hr;

	if (d != NULL && d->addressingVersion == WS_ADDRESSING_VERSION_0_9)
		ns = &xml_struct_wsa09;
	if (a->url.length > 0 && a->url.chars == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: an address with no characters");
	if ((hr = WsWriteStartElement(w, NULL, &xml_struct_address, ns,
	    error)) != S_OK || (hr = WsWriteText(w, &u16.text, error)) != S_OK ||
	    (hr = WsWriteEndElement(w, error)) != S_OK)
		return hr;
	if (a->headers != NULL && ((hr = WsWriteStartElement(w, NULL,
	    &xml_struct_refparams, ns, error)) != S_OK ||
	    (hr = WsWriteXmlBuffer(w, a->headers, error)) != S_OK ||
	    (hr = WsWriteEndElement(w, error)) != S_OK))
		return hr;
	if (a->extensions != NULL)
		return WsWriteXmlBuffer(w, a->extensions, error);
	return S_OK;
}

/* long: the mappings each kind allows, then one case per kind. */
HRESULT
xml_struct_write_type(WS_XML_WRITER *w, WS_TYPE_MAPPING m, WS_TYPE type,
    const void *desc, WS_WRITE_OPTION opt, const void *value, ULONG size,
    WS_ERROR *error)
{
	const WS_CUSTOM_TYPE_DESCRIPTION *cd = desc;
	const void *v = NULL;
	const WS_STRUCT_DESCRIPTION *sd;
	HRESULT hr;

	if ((hr = xml_writer_check(w, error, "WsWriteType")) != S_OK)
		return hr;
	if ((hr = xml_struct_write_value(type, desc, opt, value, size,
	    &v)) != S_OK)
		return ws_error_fail(error, hr, "WsWriteType: type %d cannot "
		    "be written with option %d and size %u (or its "
		    "description is missing)", (int)type, (int)opt,
		    (unsigned)size);
	if (!xml_type_in_range(type, desc, v))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: the value is outside its description's range");
	switch (m) {
	case WS_ELEMENT_TYPE_MAPPING:
	case WS_ELEMENT_CONTENT_TYPE_MAPPING:
		if (xml_writer_in_attribute(w))
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "WsWriteType: an attribute is open");
		if (v == NULL) {
			if (m != WS_ELEMENT_TYPE_MAPPING)
				return ws_error_fail(error, E_INVALIDARG,
				    "WsWriteType: content cannot be nil");
			return xml_struct_write_nil(w, error);
		}
		break;
	case WS_ATTRIBUTE_TYPE_MAPPING:
		if (!xml_writer_in_attribute(w))
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "WsWriteType: no attribute is open");
		switch (type) {
		case WS_ENUM_TYPE:
		case WS_CHAR_ARRAY_TYPE:
		case WS_UTF8_ARRAY_TYPE:
		case WS_BYTE_ARRAY_TYPE:
		case WS_CUSTOM_TYPE:
		case WS_DESCRIPTION_TYPE:
			break;
		default:
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: type %d is not an attribute value",
			    (int)type);
		}
		if (v == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: an attribute cannot be nil");
		break;
	case WS_ANY_ELEMENT_TYPE_MAPPING:
		if (type != WS_CUSTOM_TYPE)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: any-element mapping takes an XML "
			    "buffer or a custom type");
		if (v == NULL)
			return S_OK;
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: unknown mapping %d", (int)m);
	}
	switch (type) {
	case WS_STRUCT_TYPE:
		return xml_struct_write_struct(w, m, desc, v, error);
	case WS_UNION_TYPE:
		return xml_struct_write_union(w, desc, v, false, error);
	case WS_ENUM_TYPE:
	case WS_CHAR_ARRAY_TYPE:
	case WS_UTF8_ARRAY_TYPE:
	case WS_BYTE_ARRAY_TYPE:
		return xml_struct_write_text(w, type, desc, v, error);
	case WS_CUSTOM_TYPE:
		return cd->writeCallback(w, m, cd->descriptionData, v,
		    cd->size, error);
	case WS_ENDPOINT_ADDRESS_TYPE:
		return xml_struct_write_epr(w, desc, v, error);
	case WS_FAULT_TYPE:
		/* The children of the Fault element the caller started. */
		if (m != WS_ELEMENT_TYPE_MAPPING)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: a fault needs the element mapping");
		return ws_fault_write_content(w,
		    ((const WS_FAULT_DESCRIPTION *)desc)->envelopeVersion, v,
		    error);
	case WS_ANY_ATTRIBUTES_TYPE:
		if (m != WS_ELEMENT_TYPE_MAPPING)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: attributes need the element mapping");
		return xml_struct_write_any_attrs(w, v, error);
	case WS_DESCRIPTION_TYPE:
		/* The QName of the described structure type (xsi:type). */
		sd = v;
		if (sd->typeLocalName == NULL || sd->typeNs == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteType: the description has no type name");
		return WsWriteQualifiedName(w, NULL, sd->typeLocalName,
		    sd->typeNs, error);
	case WS_VOID_TYPE:
		return S_OK;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteType: type %d", (int)type);
	}
}

/* xml_type_write_value for every type. */
static HRESULT
xml_struct_write_any(WS_TYPE type, const void *desc, WS_WRITE_OPTION opt,
    const void *value, ULONG size, const void **v)
{
	if (xml_type_described(type))
		return xml_struct_write_value(type, desc, opt, value, size, v);
	return xml_type_write_value(type, opt, value, size, v);
}

WS_EXPORT HRESULT WINAPI
WsWriteType(WS_XML_WRITER *writer, WS_TYPE_MAPPING typeMapping, WS_TYPE type,
    const void *typeDescription, WS_WRITE_OPTION writeOption,
    const void *value, ULONG valueSize, WS_ERROR *error)
{
	if (xml_type_described(type))
		return xml_struct_write_type(writer, typeMapping, type,
		    typeDescription, writeOption, value, valueSize, error);
	return xml_type_write(writer, typeMapping, type, typeDescription,
	    writeOption, value, valueSize, error);
}

WS_EXPORT HRESULT WINAPI
WsWriteElement(WS_XML_WRITER *writer,
    const WS_ELEMENT_DESCRIPTION *elementDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    WS_ERROR *error)
{
	const WS_ELEMENT_DESCRIPTION *d = elementDescription;
	const void *v;
	HRESULT hr;

	if (d == NULL || d->elementLocalName == NULL || d->elementNs == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteElement: incomplete element description");
	/* A bad value writes nothing, not even the start tag. */
	if ((hr = xml_struct_write_any(d->type, d->typeDescription, writeOption,
	    value, valueSize, &v)) != S_OK)
		return ws_error_fail(error, hr, "WsWriteElement: type %d "
		    "cannot be written with option %d and size %u",
		    (int)d->type, (int)writeOption, (unsigned)valueSize);
	if ((hr = WsWriteStartElement(writer, NULL, d->elementLocalName,
	    d->elementNs, error)) != S_OK ||
	    (hr = WsWriteType(writer, WS_ELEMENT_TYPE_MAPPING, d->type,
	    d->typeDescription, writeOption, value, valueSize,
	    error)) != S_OK)
		return hr;
	return WsWriteEndElement(writer, error);
}

WS_EXPORT HRESULT WINAPI
WsWriteAttribute(WS_XML_WRITER *writer,
    const WS_ATTRIBUTE_DESCRIPTION *attributeDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    WS_ERROR *error)
{
	const WS_ATTRIBUTE_DESCRIPTION *d = attributeDescription;
	const void *v;
	HRESULT hr;

	if (d == NULL || d->attributeLocalName == NULL ||
	    d->attributeNs == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteAttribute: incomplete attribute description");
	if ((hr = xml_struct_write_any(d->type, d->typeDescription, writeOption,
	    value, valueSize, &v)) != S_OK || v == NULL)
		return ws_error_fail(error, E_INVALIDARG, "WsWriteAttribute: "
		    "type %d cannot be written with option %d and size %u",
		    (int)d->type, (int)writeOption, (unsigned)valueSize);
	if ((hr = WsWriteStartAttribute(writer, NULL, d->attributeLocalName,
	    d->attributeNs, FALSE, error)) != S_OK ||
	    (hr = WsWriteType(writer, WS_ATTRIBUTE_TYPE_MAPPING, d->type,
	    d->typeDescription, writeOption, value, valueSize,
	    error)) != S_OK)
		return hr;
	return WsWriteEndAttribute(writer, error);
}

