/*
 * WS_FAULT to and from its soap:Fault element, through the public XML
 * reader and writer: SOAP 1.2's Code/Value/Subcode, Reason/Text with
 * xml:lang, Node, Role and Detail; SOAP 1.1's unqualified faultcode,
 * faultstring, faultactor and detail.  Also deep copies of a fault.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "ws_fault.h"

#define WS_FAULT_NS_SOAP12	"http://www.w3.org/2003/05/soap-envelope"
#define WS_FAULT_NS_SOAP11	"http://schemas.xmlsoap.org/soap/envelope/"
#define WS_FAULT_NS_XML		"http://www.w3.org/XML/1998/namespace"

/* Subcodes nest; a peer gets no deeper than this, nor more reasons. */
#define WS_FAULT_MAX_CODES	32
#define WS_FAULT_MAX_REASONS	64

static const WS_XML_STRING ws_fault_soap12 =
    WS_XML_STRING_VALUE(WS_FAULT_NS_SOAP12);
static const WS_XML_STRING ws_fault_soap11 =
    WS_XML_STRING_VALUE(WS_FAULT_NS_SOAP11);
static const WS_XML_STRING ws_fault_xml_ns =
    WS_XML_STRING_VALUE(WS_FAULT_NS_XML);
static const WS_XML_STRING ws_fault_empty = WS_XML_STRING_VALUE("");
static const WS_XML_STRING ws_fault_s = WS_XML_STRING_VALUE("s");
static const WS_XML_STRING ws_fault_xml = WS_XML_STRING_VALUE("xml");
static const WS_XML_STRING ws_fault_lang = WS_XML_STRING_VALUE("lang");

/* The names of the parts, SOAP 1.2 then SOAP 1.1. */
enum ws_fault_part {
	WS_FAULT_CODE_PART,
	WS_FAULT_REASON_PART,
	WS_FAULT_NODE_PART,
	WS_FAULT_ROLE_PART,
	WS_FAULT_DETAIL_PART,
	WS_FAULT_PARTS
};
static const WS_XML_STRING ws_fault_names12[WS_FAULT_PARTS] = {
	WS_XML_STRING_VALUE("Code"), WS_XML_STRING_VALUE("Reason"),
	WS_XML_STRING_VALUE("Node"), WS_XML_STRING_VALUE("Role"),
	WS_XML_STRING_VALUE("Detail"),
};
static const WS_XML_STRING ws_fault_names11[WS_FAULT_PARTS] = {
	WS_XML_STRING_VALUE("faultcode"), WS_XML_STRING_VALUE("faultstring"),
	WS_XML_STRING_VALUE(""), WS_XML_STRING_VALUE("faultactor"),
	WS_XML_STRING_VALUE("detail"),
};
static const WS_XML_STRING ws_fault_fault = WS_XML_STRING_VALUE("Fault");
static const WS_XML_STRING ws_fault_value = WS_XML_STRING_VALUE("Value");
static const WS_XML_STRING ws_fault_subcode = WS_XML_STRING_VALUE("Subcode");
static const WS_XML_STRING ws_fault_text = WS_XML_STRING_VALUE("Text");

static const WS_XML_STRING *
ws_fault_ns(WS_ENVELOPE_VERSION v)
{
	return v == WS_ENVELOPE_VERSION_SOAP_1_1 ? &ws_fault_soap11 :
	    &ws_fault_soap12;
}

static bool
ws_fault_xs_eq(const WS_XML_STRING *a, const WS_XML_STRING *b)
{
	return a->length == b->length &&
	    (a->length == 0 || memcmp(a->bytes, b->bytes, a->length) == 0);
}

static bool
ws_fault_xs_is(const WS_XML_STRING *a, const char *s)
{
	return a->length == strlen(s) && memcmp(a->bytes, s, a->length) == 0;
}

/* ---- writing ------------------------------------------------------------ */

static HRESULT
ws_fault_write_string(WS_XML_WRITER *w, const WS_STRING *s, WS_ERROR *error)
{
	if (s->length == 0)
		return S_OK;
	return xml_type_write(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_STRING_TYPE,
	    NULL, WS_WRITE_REQUIRED_VALUE, s, sizeof(*s), error);
}

/* <name>text</name>, in the SOAP namespace (1.2) or none (1.1). */
static HRESULT
ws_fault_write_text(WS_XML_WRITER *w, WS_ENVELOPE_VERSION v,
    enum ws_fault_part part, const WS_STRING *s, const WS_STRING *lang,
    WS_ERROR *error)
{
	bool v11 = v == WS_ENVELOPE_VERSION_SOAP_1_1;
	const WS_XML_STRING *name = v11 ? &ws_fault_names11[part] :
	    &ws_fault_names12[part];
	HRESULT hr;

	if (!v11 && part == WS_FAULT_REASON_PART)
		name = &ws_fault_text;
	if ((hr = WsWriteStartElement(w, v11 ? NULL : &ws_fault_s, name,
	    v11 ? &ws_fault_empty : ws_fault_ns(v), error)) != S_OK)
		return hr;
	if (lang != NULL && lang->length > 0 &&
	    ((hr = WsWriteStartAttribute(w, &ws_fault_xml, &ws_fault_lang,
	    &ws_fault_xml_ns, FALSE, error)) != S_OK ||
	    (hr = xml_type_write(w, WS_ATTRIBUTE_TYPE_MAPPING, WS_STRING_TYPE,
	    NULL, WS_WRITE_REQUIRED_VALUE, lang, sizeof(*lang),
	    error)) != S_OK ||
	    (hr = WsWriteEndAttribute(w, error)) != S_OK))
		return hr;
	if ((hr = ws_fault_write_string(w, s, error)) != S_OK)
		return hr;
	return WsWriteEndElement(w, error);
}

/*
 * A code's QName as element text.  The first code with no namespace is
 * SOAP's own, spelled for the version (Sender and Receiver are Client and
 * Server in SOAP 1.1), as the WS_FAULT reference page says.
 */
static HRESULT
ws_fault_write_qname(WS_XML_WRITER *w, WS_ENVELOPE_VERSION v,
    const WS_XML_QNAME *q, bool first, WS_ERROR *error)
{
	const WS_XML_STRING *local = &q->localName, *ns = &q->ns;
	static const WS_XML_STRING client = WS_XML_STRING_VALUE("Client");
	static const WS_XML_STRING server = WS_XML_STRING_VALUE("Server");

	if (first && ns->length == 0) {
		ns = ws_fault_ns(v);
		if (v == WS_ENVELOPE_VERSION_SOAP_1_1 &&
		    ws_fault_xs_is(local, "Sender"))
			local = &client;
		else if (v == WS_ENVELOPE_VERSION_SOAP_1_1 &&
		    ws_fault_xs_is(local, "Receiver"))
			local = &server;
	}
	if (ns->length == 0)
		return xml_type_write(w, WS_ELEMENT_CONTENT_TYPE_MAPPING,
		    WS_XML_STRING_TYPE, NULL, WS_WRITE_REQUIRED_VALUE, local,
		    sizeof(*local), error);
	return WsWriteQualifiedName(w, NULL, local, ns, error);
}

/* SOAP 1.2: <Code><Value/><Subcode><Value/>...</Subcode></Code>. */
static HRESULT
ws_fault_write_code12(WS_XML_WRITER *w, const WS_FAULT_CODE *c,
    WS_ERROR *error)
{
	const WS_XML_STRING *ns = &ws_fault_soap12;
	ULONG depth = 0;
	HRESULT hr;

	if ((hr = WsWriteStartElement(w, &ws_fault_s,
	    &ws_fault_names12[WS_FAULT_CODE_PART], ns, error)) != S_OK)
		return hr;
	for (; c != NULL; c = c->subCode, depth++) {
		if (depth > 0 && (hr = WsWriteStartElement(w, &ws_fault_s,
		    &ws_fault_subcode, ns, error)) != S_OK)
			return hr;
		if ((hr = WsWriteStartElement(w, &ws_fault_s, &ws_fault_value,
		    ns, error)) != S_OK ||
		    (hr = ws_fault_write_qname(w, WS_ENVELOPE_VERSION_SOAP_1_2,
		    &c->value, depth == 0, error)) != S_OK ||
		    (hr = WsWriteEndElement(w, error)) != S_OK)
			return hr;
	}
	/* The Subcodes, then Code. */
	while (depth-- > 0)
		if ((hr = WsWriteEndElement(w, error)) != S_OK)
			return hr;
	return S_OK;
}

/* The children of the detail buffer's element, under our Detail. */
static HRESULT
ws_fault_write_detail(WS_XML_WRITER *w, WS_ENVELOPE_VERSION v,
    WS_XML_BUFFER *detail, WS_ERROR *error)
{
	bool v11 = v == WS_ENVELOPE_VERSION_SOAP_1_1;
	WS_XML_READER *r = NULL;
	const WS_XML_NODE *n;
	BOOL found = FALSE;
	HRESULT hr;

	if ((hr = WsCreateReader(NULL, 0, &r, error)) != S_OK)
		return hr;
	if ((hr = WsSetInputToBuffer(r, detail, NULL, 0, error)) != S_OK ||
	    (hr = WsReadToStartElement(r, NULL, NULL, &found, error)) != S_OK)
		goto out;
	if (!found)	/* an empty buffer: no detail */
		goto out;
	if ((hr = WsWriteStartElement(w, v11 ? NULL : &ws_fault_s,
	    v11 ? &ws_fault_names11[WS_FAULT_DETAIL_PART] :
	    &ws_fault_names12[WS_FAULT_DETAIL_PART],
	    v11 ? &ws_fault_empty : ws_fault_ns(v), error)) != S_OK ||
	    (hr = WsReadStartElement(r, error)) != S_OK)
		goto out;
	for (;;) {
		if ((hr = WsGetReaderNode(r, &n, error)) != S_OK)
			goto out;
		if (n->nodeType == WS_XML_NODE_TYPE_END_ELEMENT ||
		    n->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
		if ((hr = WsCopyNode(w, r, error)) != S_OK)
			goto out;
	}
	hr = WsWriteEndElement(w, error);
out:
	WsFreeReader(r);
	return hr;
}

/* What a fault needs before anything of it is written. */
static HRESULT
ws_fault_check(WS_XML_WRITER *w, WS_ENVELOPE_VERSION v, const WS_FAULT *f,
    WS_ERROR *error)
{
	const WS_FAULT_CODE *c;
	ULONG depth = 0;

	if (w == NULL || f == NULL || (v != WS_ENVELOPE_VERSION_SOAP_1_1 &&
	    v != WS_ENVELOPE_VERSION_SOAP_1_2))
		return ws_error_fail(error, E_INVALIDARG, "WS_FAULT: NULL "
		    "writer or fault, or an envelope version without faults");
	for (c = f->code; c != NULL && depth <= WS_FAULT_MAX_CODES;
	    c = c->subCode)
		depth++;
	if (f->code == NULL || depth > WS_FAULT_MAX_CODES ||
	    f->reasonCount == 0 || f->reasons == NULL)
		return ws_error_fail(error, E_INVALIDARG, "WS_FAULT: a fault "
		    "needs a code (at most %d deep) and at least one reason",
		    WS_FAULT_MAX_CODES);
	return S_OK;
}

/* long: the parts in schema order, each for its envelope version. */
HRESULT
ws_fault_write_content(WS_XML_WRITER *w, WS_ENVELOPE_VERSION v,
    const WS_FAULT *f, WS_ERROR *error)
{
	bool v11 = v == WS_ENVELOPE_VERSION_SOAP_1_1;
	ULONG i;
	HRESULT hr;

	if ((hr = ws_fault_check(w, v, f, error)) != S_OK)
		return hr;
	if (v11) {
		/* Only the first code and the first reason (SOAP 1.1 has
		 * one of each), and no node. */
		if ((hr = WsWriteStartElement(w, NULL,
		    &ws_fault_names11[WS_FAULT_CODE_PART], &ws_fault_empty,
		    error)) != S_OK ||
		    (hr = ws_fault_write_qname(w, v, &f->code->value, true,
		    error)) != S_OK ||
		    (hr = WsWriteEndElement(w, error)) != S_OK ||
		    (hr = ws_fault_write_text(w, v, WS_FAULT_REASON_PART,
		    &f->reasons[0].text, &f->reasons[0].lang, error)) != S_OK)
			return hr;
	} else {
		if ((hr = ws_fault_write_code12(w, f->code, error)) != S_OK ||
		    (hr = WsWriteStartElement(w, &ws_fault_s,
		    &ws_fault_names12[WS_FAULT_REASON_PART], ws_fault_ns(v),
		    error)) != S_OK)
			return hr;
		for (i = 0; i < f->reasonCount; i++)
			if ((hr = ws_fault_write_text(w, v,
			    WS_FAULT_REASON_PART, &f->reasons[i].text,
			    &f->reasons[i].lang, error)) != S_OK)
				return hr;
		if ((hr = WsWriteEndElement(w, error)) != S_OK)
			return hr;
		if (f->node.length > 0 &&
		    (hr = ws_fault_write_text(w, v, WS_FAULT_NODE_PART,
		    &f->node, NULL, error)) != S_OK)
			return hr;
	}
	if (f->actor.length > 0 &&
	    (hr = ws_fault_write_text(w, v, WS_FAULT_ROLE_PART, &f->actor,
	    NULL, error)) != S_OK)
		return hr;
	if (f->detail != NULL &&
	    (hr = ws_fault_write_detail(w, v, f->detail, error)) != S_OK)
		return hr;
	return S_OK;
}

HRESULT
ws_fault_write(WS_XML_WRITER *w, WS_ENVELOPE_VERSION v, const WS_FAULT *f,
    WS_ERROR *error)
{
	HRESULT hr;

	if ((hr = ws_fault_check(w, v, f, error)) != S_OK ||
	    (hr = WsWriteStartElement(w, &ws_fault_s, &ws_fault_fault,
	    ws_fault_ns(v), error)) != S_OK ||
	    (hr = ws_fault_write_content(w, v, f, error)) != S_OK)
		return hr;
	return WsWriteEndElement(w, error);
}

/* ---- reading ------------------------------------------------------------ */

static HRESULT
ws_fault_bad(WS_ERROR *error, const char *why)
{
	return ws_error_fail(error, WS_E_INVALID_FORMAT, "WS_FAULT: %s", why);
}

/* The element the reader is on after skipping to the next start, or NULL
 * when the content of the current element ended. */
static HRESULT
ws_fault_next(WS_XML_READER *r, const WS_XML_ELEMENT_NODE **out,
    WS_ERROR *error)
{
	const WS_XML_NODE *n;
	BOOL found;
	HRESULT hr;

	*out = NULL;
	if ((hr = WsReadToStartElement(r, NULL, NULL, &found, error)) != S_OK)
		return hr;
	if (!found)
		return S_OK;
	if ((hr = WsGetReaderNode(r, &n, error)) != S_OK)
		return hr;
	*out = (const WS_XML_ELEMENT_NODE *)n;
	return S_OK;
}

/* The text content of the element at the reader, as a WS_STRING. */
static HRESULT
ws_fault_read_string(WS_XML_READER *r, WS_HEAP *heap, WS_STRING *s,
    WS_ERROR *error)
{
	HRESULT hr;

	memset(s, 0, sizeof(*s));
	if ((hr = WsReadStartElement(r, error)) != S_OK ||
	    (hr = xml_type_read(r, WS_ELEMENT_CONTENT_TYPE_MAPPING,
	    WS_STRING_TYPE, NULL, WS_READ_REQUIRED_VALUE, heap, s, sizeof(*s),
	    error)) != S_OK)
		return hr;
	return WsReadEndElement(r, error);
}

/* A reason: its text, and its xml:lang when there is one. */
static HRESULT
ws_fault_read_reason(WS_XML_READER *r, WS_HEAP *heap, WS_FAULT_REASON *fr,
    WS_ERROR *error)
{
	ULONG idx;
	HRESULT hr;

	memset(fr, 0, sizeof(*fr));
	hr = WsFindAttribute(r, &ws_fault_lang, &ws_fault_xml_ns, FALSE, &idx,
	    error);
	if (hr == S_OK) {
		if ((hr = WsReadStartAttribute(r, idx, error)) != S_OK ||
		    (hr = xml_type_read(r, WS_ATTRIBUTE_TYPE_MAPPING,
		    WS_STRING_TYPE, NULL, WS_READ_REQUIRED_VALUE, heap,
		    &fr->lang, sizeof(fr->lang), error)) != S_OK ||
		    (hr = WsReadEndAttribute(r, error)) != S_OK)
			return hr;
	} else if (hr != S_FALSE)
		return hr;
	return ws_fault_read_string(r, heap, &fr->text, error);
}

/* A QName as element text: namespace from its prefix (none: ""). */
static HRESULT
ws_fault_read_qname(WS_XML_READER *r, WS_HEAP *heap, WS_XML_QNAME *q,
    WS_ERROR *error)
{
	HRESULT hr;

	memset(q, 0, sizeof(*q));
	if ((hr = WsReadStartElement(r, error)) != S_OK ||
	    (hr = WsReadQualifiedName(r, heap, NULL, &q->localName, &q->ns,
	    error)) != S_OK)
		return hr;
	return WsReadEndElement(r, error);
}

/* SOAP 1.2 Code (the reader on it) and its Subcodes, on the heap. */
static HRESULT
ws_fault_read_code12(WS_XML_READER *r, WS_HEAP *heap, WS_FAULT_CODE **out,
    WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	WS_FAULT_CODE *c, **link = out;
	ULONG depth = 0, i;
	HRESULT hr;

	for (;;) {
		if (++depth > WS_FAULT_MAX_CODES)
			return ws_fault_bad(error, "subcodes nested too deeply");
		if ((hr = WsReadStartElement(r, error)) != S_OK ||
		    (hr = ws_fault_next(r, &e, error)) != S_OK)
			return hr;
		if (e == NULL || !ws_fault_xs_eq(e->localName,
		    &ws_fault_value) || !ws_fault_xs_eq(e->ns, &ws_fault_soap12))
			return ws_fault_bad(error, "a Code or Subcode without "
			    "its Value");
		if ((c = ws_heap_alloc(heap, sizeof(*c), &hr)) == NULL)
			return ws_error_fail(error, hr, "WS_FAULT: the heap "
			    "is full");
		memset(c, 0, sizeof(*c));
		*link = c;
		link = &c->subCode;
		if ((hr = ws_fault_read_qname(r, heap, &c->value, error)) !=
		    S_OK || (hr = ws_fault_next(r, &e, error)) != S_OK)
			return hr;
		if (e == NULL)
			break;
		if (!ws_fault_xs_eq(e->localName, &ws_fault_subcode) ||
		    !ws_fault_xs_eq(e->ns, &ws_fault_soap12))
			return ws_fault_bad(error, "an unexpected element in a "
			    "fault Code");
	}
	for (i = 0; i < depth; i++)
		if ((hr = WsReadEndElement(r, error)) != S_OK)
			return hr;
	return S_OK;
}

/* SOAP 1.2 Reason (the reader on it): its Texts. */
static HRESULT
ws_fault_read_reasons12(WS_XML_READER *r, WS_HEAP *heap, WS_FAULT *f,
    WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	WS_FAULT_REASON tmp[WS_FAULT_MAX_REASONS];
	ULONG n = 0;
	HRESULT hr;

	if ((hr = WsReadStartElement(r, error)) != S_OK)
		return hr;
	for (;;) {
		if ((hr = ws_fault_next(r, &e, error)) != S_OK)
			return hr;
		if (e == NULL)
			break;
		if (!ws_fault_xs_eq(e->localName, &ws_fault_text) ||
		    !ws_fault_xs_eq(e->ns, &ws_fault_soap12))
			return ws_fault_bad(error, "an unexpected element in a "
			    "fault Reason");
		if (n == WS_FAULT_MAX_REASONS)
			return ws_fault_bad(error, "too many reasons");
		if ((hr = ws_fault_read_reason(r, heap, &tmp[n++], error)) !=
		    S_OK)
			return hr;
	}
	if (n == 0)
		return ws_fault_bad(error, "a fault Reason without a Text");
	if ((f->reasons = ws_heap_alloc(heap, n * sizeof(*f->reasons),
	    &hr)) == NULL)
		return ws_error_fail(error, hr, "WS_FAULT: the heap is full");
	memcpy(f->reasons, tmp, n * sizeof(*f->reasons));
	f->reasonCount = n;
	return WsReadEndElement(r, error);
}

/* Which part an element is, or WS_FAULT_PARTS. */
static enum ws_fault_part
ws_fault_which(WS_ENVELOPE_VERSION v, const WS_XML_ELEMENT_NODE *e)
{
	bool v11 = v == WS_ENVELOPE_VERSION_SOAP_1_1;
	int i;

	/* SOAP 1.1 parts are unqualified; some peers qualify them. */
	if (v11 ? (e->ns->length != 0 && !ws_fault_xs_eq(e->ns,
	    &ws_fault_soap11)) : !ws_fault_xs_eq(e->ns, &ws_fault_soap12))
		return WS_FAULT_PARTS;
	for (i = 0; i < WS_FAULT_PARTS; i++) {
		const WS_XML_STRING *name = v11 ? &ws_fault_names11[i] :
		    &ws_fault_names12[i];

		if (name->length > 0 && ws_fault_xs_eq(e->localName, name))
			return (enum ws_fault_part)i;
	}
	return WS_FAULT_PARTS;
}

/* One part of the fault, the reader on its element. */
static HRESULT
ws_fault_read_part(WS_XML_READER *r, WS_ENVELOPE_VERSION v, WS_HEAP *heap,
    enum ws_fault_part part, WS_FAULT *f, WS_ERROR *error)
{
	HRESULT hr;

	switch (part) {
	case WS_FAULT_CODE_PART:
		if (v == WS_ENVELOPE_VERSION_SOAP_1_2)
			return ws_fault_read_code12(r, heap, &f->code, error);
		if ((f->code = ws_heap_alloc(heap, sizeof(*f->code), &hr)) ==
		    NULL)
			return ws_error_fail(error, hr, "WS_FAULT: the heap "
			    "is full");
		memset(f->code, 0, sizeof(*f->code));
		return ws_fault_read_qname(r, heap, &f->code->value, error);
	case WS_FAULT_REASON_PART:
		if (v == WS_ENVELOPE_VERSION_SOAP_1_2)
			return ws_fault_read_reasons12(r, heap, f, error);
		if ((f->reasons = ws_heap_alloc(heap, sizeof(*f->reasons),
		    &hr)) == NULL)
			return ws_error_fail(error, hr, "WS_FAULT: the heap "
			    "is full");
		f->reasonCount = 1;
		return ws_fault_read_reason(r, heap, &f->reasons[0], error);
	case WS_FAULT_NODE_PART:
		return ws_fault_read_string(r, heap, &f->node, error);
	case WS_FAULT_ROLE_PART:
		return ws_fault_read_string(r, heap, &f->actor, error);
	case WS_FAULT_DETAIL_PART:
		/* The whole element: its name is ignored when written. */
		return WsReadXmlBuffer(r, heap, &f->detail, error);
	default:
		return E_INVALIDARG;
	}
}

HRESULT
ws_fault_read(WS_XML_READER *r, WS_ENVELOPE_VERSION v, WS_HEAP *heap,
    WS_FAULT *out, WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	enum ws_fault_part part;
	bool seen[WS_FAULT_PARTS] = { false };
	WS_FAULT f;
	HRESULT hr;

	if (r == NULL || out == NULL || !ws_heap_valid(heap) ||
	    (v != WS_ENVELOPE_VERSION_SOAP_1_1 &&
	    v != WS_ENVELOPE_VERSION_SOAP_1_2))
		return ws_error_fail(error, E_INVALIDARG, "WS_FAULT: NULL "
		    "reader, heap or fault, or an envelope version without "
		    "faults");
	memset(&f, 0, sizeof(f));
	if ((hr = ws_fault_next(r, &e, error)) != S_OK)
		return hr;
	if (e == NULL || !ws_fault_xs_eq(e->localName, &ws_fault_fault) ||
	    !ws_fault_xs_eq(e->ns, ws_fault_ns(v)))
		return ws_fault_bad(error, v == WS_ENVELOPE_VERSION_SOAP_1_1 ?
		    "no SOAP 1.1 Fault element" : "no SOAP 1.2 Fault element");
	if ((hr = WsReadStartElement(r, error)) != S_OK)
		return hr;
	for (;;) {
		if ((hr = ws_fault_next(r, &e, error)) != S_OK)
			return hr;
		if (e == NULL)
			break;
		if ((part = ws_fault_which(v, e)) == WS_FAULT_PARTS)
			return ws_fault_bad(error, "an unexpected element in "
			    "the Fault");
		if (seen[part])
			return ws_fault_bad(error, "a part of the Fault twice");
		seen[part] = true;
		if ((hr = ws_fault_read_part(r, v, heap, part, &f, error)) !=
		    S_OK)
			return hr;
	}
	if (!seen[WS_FAULT_CODE_PART] || !seen[WS_FAULT_REASON_PART])
		return ws_fault_bad(error, "a Fault without its code or its "
		    "reason");
	if ((hr = WsReadEndElement(r, error)) != S_OK)
		return hr;
	*out = f;
	return S_OK;
}

/* ---- copies and text ---------------------------------------------------- */

static HRESULT
ws_fault_copy_string(WS_HEAP *heap, const WS_STRING *src, WS_STRING *dst)
{
	HRESULT hr;

	memset(dst, 0, sizeof(*dst));
	if (src->length == 0)
		return S_OK;
	if (src->chars == NULL)
		return E_INVALIDARG;
	if ((dst->chars = ws_heap_alloc(heap, src->length * sizeof(WCHAR),
	    &hr)) == NULL)
		return hr;
	memcpy(dst->chars, src->chars, src->length * sizeof(WCHAR));
	dst->length = src->length;
	return S_OK;
}

static HRESULT
ws_fault_copy_xs(WS_HEAP *heap, const WS_XML_STRING *src, WS_XML_STRING *dst)
{
	HRESULT hr;

	memset(dst, 0, sizeof(*dst));
	if (src->length == 0)
		return S_OK;
	if (src->bytes == NULL)
		return E_INVALIDARG;
	if ((dst->bytes = ws_heap_alloc(heap, src->length, &hr)) == NULL)
		return hr;
	memcpy(dst->bytes, src->bytes, src->length);
	dst->length = src->length;
	return S_OK;
}

HRESULT
ws_fault_copy_buffer(WS_HEAP *heap, WS_XML_BUFFER *src, WS_XML_BUFFER **dst)
{
	WS_XML_WRITER *w = NULL;
	HRESULT hr;

	if ((hr = WsCreateXmlBuffer(heap, NULL, 0, dst, NULL)) != S_OK ||
	    (hr = WsCreateWriter(NULL, 0, &w, NULL)) != S_OK)
		return hr;
	if ((hr = WsSetOutputToBuffer(w, *dst, NULL, 0, NULL)) == S_OK)
		hr = WsWriteXmlBuffer(w, src, NULL);
	WsFreeWriter(w);
	return hr;
}

HRESULT
ws_fault_copy(WS_HEAP *heap, const WS_FAULT *src, WS_FAULT *dst)
{
	const WS_FAULT_CODE *c;
	WS_FAULT_CODE **link;
	WS_FAULT f;
	ULONG i, depth = 0;
	HRESULT hr;

	if (src->reasonCount > 0 && src->reasons == NULL)
		return E_INVALIDARG;
	memset(&f, 0, sizeof(f));
	link = &f.code;
	for (c = src->code; c != NULL; c = c->subCode) {
		if (++depth > WS_FAULT_MAX_CODES)
			return E_INVALIDARG;
		if ((*link = ws_heap_alloc(heap, sizeof(**link), &hr)) == NULL)
			return hr;
		memset(*link, 0, sizeof(**link));
		if ((hr = ws_fault_copy_xs(heap, &c->value.localName,
		    &(*link)->value.localName)) != S_OK ||
		    (hr = ws_fault_copy_xs(heap, &c->value.ns,
		    &(*link)->value.ns)) != S_OK)
			return hr;
		link = &(*link)->subCode;
	}
	if (src->reasonCount > 0) {
		if ((f.reasons = ws_heap_alloc(heap, src->reasonCount *
		    sizeof(*f.reasons), &hr)) == NULL)
			return hr;
		for (i = 0; i < src->reasonCount; i++)
			if ((hr = ws_fault_copy_string(heap,
			    &src->reasons[i].text, &f.reasons[i].text)) != S_OK ||
			    (hr = ws_fault_copy_string(heap,
			    &src->reasons[i].lang, &f.reasons[i].lang)) != S_OK)
				return hr;
		f.reasonCount = src->reasonCount;
	}
	if ((hr = ws_fault_copy_string(heap, &src->actor, &f.actor)) != S_OK ||
	    (hr = ws_fault_copy_string(heap, &src->node, &f.node)) != S_OK)
		return hr;
	if (src->detail != NULL &&
	    (hr = ws_fault_copy_buffer(heap, src->detail, &f.detail)) != S_OK)
		return hr;
	*dst = f;
	return S_OK;
}

HRESULT
ws_fault_to_text(WS_ENVELOPE_VERSION v, const WS_FAULT *f, uint8_t **out,
    size_t *out_len, WS_ERROR *error)
{
	WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_WRITER_BUFFER_OUTPUT bo = { { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w = NULL;
	WS_BYTES bytes;
	HRESULT hr;

	*out = NULL;
	*out_len = 0;
	if ((hr = WsCreateWriter(NULL, 0, &w, error)) != S_OK)
		return hr;
	if ((hr = WsSetOutput(w, &enc.encoding, &bo.output, NULL, 0,
	    error)) != S_OK || (hr = ws_fault_write(w, v, f, error)) != S_OK ||
	    (hr = WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES, &bytes,
	    sizeof(bytes), error)) != S_OK)
		goto out;
	if ((*out = malloc(bytes.length + 1)) == NULL) {
		hr = ws_error_fail(error, E_OUTOFMEMORY, "WS_FAULT: out of "
		    "memory");
		goto out;
	}
	memcpy(*out, bytes.bytes, bytes.length);
	(*out)[bytes.length] = '\0';
	*out_len = bytes.length;
out:
	WsFreeWriter(w);
	return hr;
}

HRESULT
ws_fault_from_text(const uint8_t *in, size_t len, WS_ENVELOPE_VERSION v,
    WS_HEAP *heap, WS_FAULT *f, WS_ERROR *error)
{
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_READER_BUFFER_INPUT bi = { { WS_XML_READER_INPUT_TYPE_BUFFER },
	    (void *)in, (ULONG)len };
	WS_XML_READER *r = NULL;
	HRESULT hr;

	if (len > UINT32_MAX)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "WS_FAULT: the fault is too large");
	if ((hr = WsCreateReader(NULL, 0, &r, error)) != S_OK)
		return hr;
	if ((hr = WsSetInput(r, &enc.encoding, &bi.input, NULL, 0,
	    error)) == S_OK)
		hr = ws_fault_read(r, v, heap, f, error);
	WsFreeReader(r);
	return hr;
}
