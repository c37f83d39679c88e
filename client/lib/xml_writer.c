/*
 * WS_XML_WRITER.  Every writer writes into a tree (an XML buffer: its own
 * for WsSetOutput, the caller's for WsSetOutputToBuffer); the bytes of
 * WS_XML_WRITER_PROPERTY_BYTES and of a stream are that tree serialized.
 * An element whose start tag is still open (attributes may come) writes
 * nothing yet, as on Windows.  Prefixes and namespaces follow the
 * WWSAPI rules: the writer declares what the names need, where they need
 * it, and never redeclares a binding already in scope.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_writer.h"

bool
xml_writer_valid(const WS_XML_WRITER *w)
{
	return w != NULL && w->magic == WS_XML_WRITER_MAGIC;
}

HRESULT
xml_writer_check(WS_XML_WRITER *w, WS_ERROR *error, const char *api)
{
	if (!xml_writer_valid(w))
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid writer",
		    api);
	if (w->out == XML_OUT_NONE)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer has no output (WsSetOutput)", api);
	return S_OK;
}

bool
xml_writer_in_attribute(const WS_XML_WRITER *w)
{
	return w->attr != NULL;
}

/* The node new content goes into: an element, a CDATA or the root. */
struct xml_node *
xml_writer_container(const WS_XML_WRITER *w)
{
	const struct xml_pos *p = w->cur;

	if (!p->end && xml_is_container(p->node))
		return p->node;
	return p->node->parent;
}

/* The element whose start tag is open, or NULL. */
struct xml_node *
xml_writer_pending(const WS_XML_WRITER *w)
{
	struct xml_node *n = w->cur->node;

	if (w->cur->end || n->kind != XML_KIND_ELEMENT || n->start_done ||
	    n->closed)
		return NULL;
	return n;
}

static struct xml_pos *
xml_writer_after(struct xml_node *n)
{
	return xml_is_container(n) ? &n->at_end : &n->at_start;
}

/* Puts `n` at the writer's place, which moves past it (into it when it
 * is an open container). */
HRESULT
xml_writer_place(WS_XML_WRITER *w, struct xml_node *n, bool open)
{
	struct xml_pos *p = w->cur;
	struct xml_node *parent, *after;

	if (!p->end && xml_is_container(p->node)) {
		parent = p->node;
		after = NULL;
		/* After the last node already written into it. */
		if (!parent->closed && parent->kind != XML_KIND_ROOT)
			after = parent->last;
	} else {
		parent = p->node->parent;
		after = p->node;
	}
	if (parent == NULL)
		return WS_E_INVALID_OPERATION;	/* at EOF */
	if (parent->kind == XML_KIND_ELEMENT)
		parent->start_done = true;
	xml_node_insert(parent, after, n);
	w->cur = open ? &n->at_start : xml_writer_after(n);
	return S_OK;
}

static ULONG
xml_writer_depth(const struct xml_node *n)
{
	ULONG d = 0;

	for (; n != NULL; n = n->parent)
		if (n->kind == XML_KIND_ELEMENT)
			d++;
	return d;
}

/* A prefix for `ns` not bound at `n`: a, b, ..., z, a1, ... */
static HRESULT
xml_writer_new_prefix(WS_XML_WRITER *w, const struct xml_node *n,
    WS_XML_STRING **out)
{
	char buf[16];
	WS_XML_STRING s;
	HRESULT hr;
	unsigned i;

	for (i = 0; ; i++) {
		if (i < 26)
			snprintf(buf, sizeof(buf), "%c", 'a' + i);
		else
			snprintf(buf, sizeof(buf), "a%u", i - 25);
		s.length = (ULONG)strlen(buf);
		s.bytes = (BYTE *)buf;
		if (xml_scope_ns(n, &s) == NULL)
			break;
	}
	if ((*out = xml_string_new(w->buf->heap, s.bytes, s.length,
	    &hr)) == NULL)
		return hr;
	return S_OK;
}

/* The namespace declarations in scope at `n`. */
static ULONG
xml_writer_ns_count(const struct xml_node *n)
{
	ULONG c = 0, i;

	for (; n != NULL; n = n->parent)
		if (n->kind == XML_KIND_ELEMENT)
			for (i = 0; i < n->elem.attributeCount; i++)
				c += n->elem.attributes[i]->isXmlNs ? 1 : 0;
	return c;
}

/* Declares prefix -> ns on element `n` unless already in scope. */
HRESULT
xml_writer_bind(WS_XML_WRITER *w, struct xml_node *n,
    const WS_XML_STRING *prefix, const WS_XML_STRING *ns, bool single_quote)
{
	const WS_XML_STRING *bound = xml_scope_ns(n, prefix);
	WS_XML_TEXT *v;
	ULONG i;
	HRESULT hr;

	if (xml_string_is(prefix, "xml") || xml_string_is(prefix, "xmlns"))
		return xml_string_eq(bound, ns) ? S_OK : WS_E_INVALID_FORMAT;
	if (bound != NULL ? xml_string_eq(bound, ns) : ns->length == 0)
		return S_OK;
	for (i = 0; i < n->elem.attributeCount; i++)
		if (n->elem.attributes[i]->isXmlNs &&
		    xml_string_eq(n->elem.attributes[i]->prefix, prefix))
			return WS_E_INVALID_FORMAT;	/* bound here already */
	if (prefix->length > 0 && ns->length == 0)
		return WS_E_INVALID_FORMAT;	/* XML 1.0 cannot unbind */
	if (xml_writer_ns_count(n) >= w->max_ns)
		return WS_E_QUOTA_EXCEEDED;	/* MAX_NAMESPACES */
	if ((v = xml_text_utf8(w->buf->heap, ns->bytes, ns->length,
	    &hr)) == NULL)
		return hr;
	return xml_node_add_attr(n, true, single_quote, prefix, prefix, ns, v,
	    NULL);
}

static HRESULT
xml_writer_content_check(WS_XML_WRITER *w, WS_ERROR *error, const char *api,
    bool in_cdata_ok)
{
	HRESULT hr;

	if ((hr = xml_writer_check(w, error, api)) != S_OK)
		return hr;
	if (w->attr != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is inside an attribute", api);
	if (!in_cdata_ok && xml_writer_container(w)->kind == XML_KIND_CDATA)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is inside a CDATA section", api);
	if (w->cur->end && w->cur->node->kind == XML_KIND_ROOT)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is at the end of its buffer", api);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteStartElement(WS_XML_WRITER *writer, const WS_XML_STRING *prefix,
    const WS_XML_STRING *localName, const WS_XML_STRING *ns, WS_ERROR *error)
{
	static const char api[] = "WsWriteStartElement";
	static const WS_XML_STRING empty = { 0, NULL, NULL, 0 };
	struct xml_node *parent, *n;
	const WS_XML_STRING *p;
	WS_HEAP *heap;
	HRESULT hr;

	if (!xml_writer_valid(writer) || localName == NULL || ns == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer, NULL localName or NULL ns", api);
	if ((hr = xml_writer_content_check(writer, error, api,
	    false)) != S_OK)
		return hr;
	if (localName->length == 0)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: empty local name", api);
	parent = xml_writer_container(writer);
	if (xml_writer_depth(parent) + 1 > writer->max_depth)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "%s: deeper than the writer's maximum depth of %u", api,
		    (unsigned)writer->max_depth);
	/* Without a prefix: one already bound to the namespace, else the
	 * default namespace. */
	p = prefix;
	if (p == NULL && (p = xml_scope_prefix(parent, ns)) == NULL)
		p = &empty;
	heap = writer->buf->heap;
	if ((n = xml_node_new(writer->buf, XML_KIND_ELEMENT, &hr)) == NULL ||
	    (n->elem.prefix = xml_string_dup(heap, p, &hr)) == NULL ||
	    (n->elem.localName = xml_string_dup(heap, localName, &hr)) ==
	    NULL || (n->elem.ns = xml_string_dup(heap, ns, &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	n->elem.isEmpty = FALSE;
	n->parent = parent;	/* for the scope while binding */
	if ((hr = xml_writer_bind(writer, n, p, ns, false)) != S_OK)
		return ws_error_fail(error, hr,
		    "%s: the prefix cannot be bound to the namespace", api);
	if ((hr = xml_writer_place(writer, n, true)) != S_OK)
		return ws_error_fail(error, hr, "%s: no place to write", api);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteEndStartElement(WS_XML_WRITER *writer, WS_ERROR *error)
{
	static const char api[] = "WsWriteEndStartElement";
	struct xml_node *n;
	HRESULT hr;

	if ((hr = xml_writer_content_check(writer, error, api,
	    false)) != S_OK)
		return hr;
	if ((n = xml_writer_pending(writer)) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: no start element is open", api);
	n->start_done = true;
	n->explicit_end = true;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteEndElement(WS_XML_WRITER *writer, WS_ERROR *error)
{
	static const char api[] = "WsWriteEndElement";
	struct xml_node *n;
	HRESULT hr;

	if ((hr = xml_writer_content_check(writer, error, api,
	    false)) != S_OK)
		return hr;
	n = xml_writer_container(writer);
	if (n->kind != XML_KIND_ELEMENT)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: no element is open", api);
	n->start_done = true;
	n->closed = true;
	/* Windows 8's EMIT_UNCOMPRESSED_EMPTY_ELEMENTS: <a></a>, not <a/>. */
	if (writer->emit_uncompressed && n->first == NULL)
		n->explicit_end = true;
	writer->cur = &n->at_end;
	if (writer->c14n != NULL && writer->c14n_step != NULL)
		return writer->c14n_step(writer, error, api);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteStartAttribute(WS_XML_WRITER *writer, const WS_XML_STRING *prefix,
    const WS_XML_STRING *localName, const WS_XML_STRING *ns, BOOL singleQuote,
    WS_ERROR *error)
{
	static const char api[] = "WsWriteStartAttribute";
	static const WS_XML_STRING empty = { 0, NULL, NULL, 0 };
	WS_XML_UTF8_TEXT none = { { WS_XML_TEXT_TYPE_UTF8 }, { 0, NULL,
	    NULL, 0 } };
	struct xml_node *n;
	const WS_XML_STRING *p = prefix;
	WS_XML_STRING *gen;
	ULONG i;
	HRESULT hr;

	if (!xml_writer_valid(writer) || localName == NULL || ns == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer, NULL localName or NULL ns", api);
	if ((hr = xml_writer_content_check(writer, error, api,
	    false)) != S_OK)
		return hr;
	if ((n = xml_writer_pending(writer)) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: no start element is open", api);
	for (i = 0; i < n->elem.attributeCount; i++) {
		const WS_XML_ATTRIBUTE *a = n->elem.attributes[i];

		if (!a->isXmlNs && xml_string_eq(a->localName, localName) &&
		    xml_string_eq(a->ns, ns))
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the element has this attribute already", api);
	}
	if (n->elem.attributeCount >= writer->max_attrs)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "%s: more than %u attributes", api,
		    (unsigned)writer->max_attrs);
	/* An attribute in a namespace needs a prefix: the default namespace
	 * does not apply to attributes. */
	if (ns->length == 0) {
		if (p != NULL && p->length > 0)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: a prefix needs a namespace", api);
		p = &empty;
	} else if (p == NULL || p->length == 0) {
		p = xml_scope_prefix(n, ns);
		if (p == NULL || p->length == 0) {
			if ((hr = xml_writer_new_prefix(writer, n,
			    &gen)) != S_OK)
				return ws_error_fail(error, hr,
				    "%s: out of memory", api);
			p = gen;
		}
	}
	if ((hr = xml_node_add_attr(n, false, singleQuote != FALSE, p,
	    localName, ns, &none.text, &writer->attr)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	/* An unprefixed attribute is in no namespace whatever the default
	 * namespace is: nothing to bind. */
	if (ns->length > 0 && (hr = xml_writer_bind(writer, n, p, ns,
	    singleQuote)) != S_OK) {
		n->elem.attributeCount--;
		writer->attr = NULL;
		return ws_error_fail(error, hr,
		    "%s: the prefix is bound to another namespace", api);
	}
	writer->attr_elem = n;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteEndAttribute(WS_XML_WRITER *writer, WS_ERROR *error)
{
	HRESULT hr;

	if ((hr = xml_writer_check(writer, error,
	    "WsWriteEndAttribute")) != S_OK)
		return hr;
	if (writer->attr == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsWriteEndAttribute: no attribute is open");
	writer->attr = NULL;
	writer->attr_elem = NULL;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteXmlnsAttribute(WS_XML_WRITER *writer, const WS_XML_STRING *prefix,
    const WS_XML_STRING *ns, BOOL singleQuote, WS_ERROR *error)
{
	static const char api[] = "WsWriteXmlnsAttribute";
	static const WS_XML_STRING empty = { 0, NULL, NULL, 0 };
	struct xml_node *n;
	HRESULT hr;

	if (!xml_writer_valid(writer) || ns == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer or NULL ns", api);
	if ((hr = xml_writer_content_check(writer, error, api,
	    false)) != S_OK)
		return hr;
	if ((n = xml_writer_pending(writer)) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: no start element is open", api);
	if ((hr = xml_writer_bind(writer, n, prefix != NULL ? prefix : &empty,
	    ns, singleQuote != FALSE)) != S_OK)
		return ws_error_fail(error, hr,
		    "%s: the prefix is bound to another namespace here", api);
	return S_OK;
}

/* Text into the open attribute (appended to its value) or as a node. */
HRESULT
xml_writer_text(WS_XML_WRITER *w, const WS_XML_TEXT *text, WS_ERROR *error,
    const char *api)
{
	struct xml_out o = { 0 };
	struct xml_node *n;
	WS_XML_TEXT *v;
	HRESULT hr;

	if ((hr = xml_writer_check(w, error, api)) != S_OK)
		return hr;
	if (!xml_text_valid(text))
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid text",
		    api);
	if (w->attr != NULL) {
		const WS_XML_TEXT *old = w->attr->value;

		if (old->textType == WS_XML_TEXT_TYPE_UTF8 &&
		    ((const WS_XML_UTF8_TEXT *)old)->value.length == 0)
			v = xml_text_copy(w->buf->heap, text, &hr);
		else {
			/* Two pieces of a value make one UTF-8 value. */
			if ((hr = xml_text_format(old, &o)) == S_OK)
				hr = xml_text_format(text, &o);
			v = hr != S_OK ? NULL : xml_text_utf8(w->buf->heap,
			    o.p, o.len, &hr);
			xml_out_free(&o);
		}
		if (v == NULL)
			return ws_error_fail(error, hr, "%s: %s", api,
			    hr == E_OUTOFMEMORY ? "out of memory" :
			    "invalid text");
		w->attr->value = v;
		return S_OK;
	}
	if (w->cur->end && w->cur->node->kind == XML_KIND_ROOT)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is at the end of its buffer", api);
	if ((n = xml_node_new(w->buf, XML_KIND_TEXT, &hr)) == NULL ||
	    (n->text.text = xml_text_copy(w->buf->heap, text, &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	n->closed = true;
	return xml_writer_place(w, n, false);
}

WS_EXPORT HRESULT WINAPI
WsWriteText(WS_XML_WRITER *writer, const WS_XML_TEXT *text, WS_ERROR *error)
{
	if (!xml_writer_valid(writer) || text == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteText: invalid writer or NULL text");
	return xml_writer_text(writer, text, error, "WsWriteText");
}

WS_EXPORT HRESULT WINAPI
WsWriteChars(WS_XML_WRITER *writer, const WCHAR *chars, ULONG charCount,
    WS_ERROR *error)
{
	WS_XML_UTF16_TEXT t;

	if (!xml_writer_valid(writer) || (chars == NULL && charCount > 0) ||
	    charCount > UINT32_MAX / 2)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteChars: invalid writer or NULL chars");
	t.text.textType = WS_XML_TEXT_TYPE_UTF16;
	t.bytes = (BYTE *)chars;
	t.byteCount = charCount * 2;
	return xml_writer_text(writer, &t.text, error, "WsWriteChars");
}

WS_EXPORT HRESULT WINAPI
WsWriteCharsUtf8(WS_XML_WRITER *writer, const BYTE *bytes, ULONG byteCount,
    WS_ERROR *error)
{
	WS_XML_UTF8_TEXT t;

	if (!xml_writer_valid(writer) || (bytes == NULL && byteCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteCharsUtf8: invalid writer or NULL bytes");
	if (!ws_chars_xml_ok((const char *)bytes, byteCount))
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsWriteCharsUtf8: not valid UTF-8 XML characters");
	memset(&t, 0, sizeof(t));
	t.text.textType = WS_XML_TEXT_TYPE_UTF8;
	t.value.bytes = (BYTE *)bytes;
	t.value.length = byteCount;
	return xml_writer_text(writer, &t.text, error, "WsWriteCharsUtf8");
}

WS_EXPORT HRESULT WINAPI
WsWriteBytes(WS_XML_WRITER *writer, const void *bytes, ULONG byteCount,
    WS_ERROR *error)
{
	WS_XML_BASE64_TEXT t;

	if (!xml_writer_valid(writer) || (bytes == NULL && byteCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteBytes: invalid writer or NULL bytes");
	t.text.textType = WS_XML_TEXT_TYPE_BASE64;
	t.bytes = (BYTE *)bytes;
	t.length = byteCount;
	return xml_writer_text(writer, &t.text, error, "WsWriteBytes");
}

WS_EXPORT HRESULT WINAPI
WsWriteValue(WS_XML_WRITER *writer, WS_VALUE_TYPE valueType,
    const void *value, ULONG valueSize, WS_ERROR *error)
{
	WS_XML_TEXT *t;
	HRESULT hr;

	if ((hr = xml_writer_check(writer, error, "WsWriteValue")) != S_OK)
		return hr;
	if ((hr = xml_value_text(writer->buf->heap, valueType, value,
	    valueSize, &t)) != S_OK)
		return ws_error_fail(error, hr,
		    "WsWriteValue: invalid value type, size or value");
	return xml_writer_text(writer, t, error, "WsWriteValue");
}

WS_EXPORT HRESULT WINAPI
WsWriteQualifiedName(WS_XML_WRITER *writer, const WS_XML_STRING *prefix,
    const WS_XML_STRING *localName, const WS_XML_STRING *ns, WS_ERROR *error)
{
	static const char api[] = "WsWriteQualifiedName";
	WS_XML_QNAME_TEXT q;
	const WS_XML_STRING *p = prefix, *bound;
	struct xml_node *n;
	WS_XML_STRING *gen;
	HRESULT hr;

	if (!xml_writer_valid(writer) || localName == NULL ||
	    (prefix == NULL && ns == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer, NULL localName or no namespace", api);
	if ((hr = xml_writer_check(writer, error, api)) != S_OK)
		return hr;
	n = writer->attr_elem != NULL ? writer->attr_elem :
	    xml_writer_container(writer);
	if (n->kind != XML_KIND_ELEMENT)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: a qualified name needs an element", api);
	if (p == NULL && (p = xml_scope_prefix(n, ns)) == NULL) {
		if (xml_writer_pending(writer) == NULL &&
		    writer->attr_elem == NULL)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the namespace has no prefix in scope", api);
		if ((hr = xml_writer_new_prefix(writer, n, &gen)) != S_OK)
			return ws_error_fail(error, hr, "%s: out of memory",
			    api);
		p = gen;
	}
	bound = xml_scope_ns(n, p);
	if (ns != NULL && !xml_string_eq(bound, ns)) {
		if ((xml_writer_pending(writer) == NULL &&
		    writer->attr_elem == NULL) ||
		    (hr = xml_writer_bind(writer, n, p, ns, false)) != S_OK)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the prefix cannot be bound here", api);
	} else if (ns == NULL && bound == NULL && p->length > 0)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the prefix is not bound", api);
	q.text.textType = WS_XML_TEXT_TYPE_QNAME;
	q.prefix = (WS_XML_STRING *)p;
	q.localName = (WS_XML_STRING *)localName;
	q.ns = (WS_XML_STRING *)(ns != NULL ? ns : bound);
	return xml_writer_text(writer, &q.text, error, api);
}

WS_EXPORT HRESULT WINAPI
WsWriteStartCData(WS_XML_WRITER *writer, WS_ERROR *error)
{
	struct xml_node *n;
	HRESULT hr;

	if ((hr = xml_writer_content_check(writer, error,
	    "WsWriteStartCData", false)) != S_OK)
		return hr;
	if ((n = xml_node_new(writer->buf, XML_KIND_CDATA, &hr)) == NULL)
		return ws_error_fail(error, hr,
		    "WsWriteStartCData: out of memory");
	return xml_writer_place(writer, n, true);
}

WS_EXPORT HRESULT WINAPI
WsWriteEndCData(WS_XML_WRITER *writer, WS_ERROR *error)
{
	struct xml_node *n;
	HRESULT hr;

	if ((hr = xml_writer_content_check(writer, error, "WsWriteEndCData",
	    true)) != S_OK)
		return hr;
	n = xml_writer_container(writer);
	if (n->kind != XML_KIND_CDATA)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsWriteEndCData: no CDATA section is open");
	n->closed = true;
	writer->cur = &n->at_end;
	return S_OK;
}

static HRESULT
xml_writer_comment(WS_XML_WRITER *w, const WS_XML_STRING *s,
    WS_ERROR *error)
{
	struct xml_node *n;
	HRESULT hr;

	if ((hr = xml_writer_content_check(w, error, "WsWriteNode",
	    false)) != S_OK)
		return hr;
	if (s->length > 0 && s->bytes == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteNode: comment without bytes");
	if ((n = xml_node_new(w->buf, XML_KIND_COMMENT, &hr)) == NULL ||
	    (n->comment.value.bytes = ws_heap_alloc(w->buf->heap,
	    s->length + 1, &hr)) == NULL)
		return ws_error_fail(error, hr, "WsWriteNode: out of memory");
	if (s->length > 0)
		memcpy(n->comment.value.bytes, s->bytes, s->length);
	n->comment.value.length = s->length;
	n->closed = true;
	return xml_writer_place(w, n, false);
}

WS_EXPORT HRESULT WINAPI
WsWriteNode(WS_XML_WRITER *writer, const WS_XML_NODE *node, WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_ATTRIBUTE *a;
	HRESULT hr;
	ULONG i;

	if (!xml_writer_valid(writer) || node == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteNode: invalid writer or NULL node");
	switch (node->nodeType) {
	case WS_XML_NODE_TYPE_ELEMENT:
		e = (const WS_XML_ELEMENT_NODE *)node;
		if (e->attributeCount > 0 && e->attributes == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteNode: attributes missing");
		if ((hr = WsWriteStartElement(writer, e->prefix, e->localName,
		    e->ns, error)) != S_OK)
			return hr;
		for (i = 0; i < e->attributeCount; i++) {
			a = e->attributes[i];
			if (a == NULL)
				return ws_error_fail(error, E_INVALIDARG,
				    "WsWriteNode: NULL attribute");
			if (a->isXmlNs)
				hr = WsWriteXmlnsAttribute(writer, a->prefix,
				    a->ns, a->singleQuote, error);
			else if ((hr = WsWriteStartAttribute(writer, a->prefix,
			    a->localName, a->ns, a->singleQuote,
			    error)) == S_OK) {
				if (a->value != NULL)
					hr = xml_writer_text(writer, a->value,
					    error, "WsWriteNode");
				if (hr == S_OK)
					hr = WsWriteEndAttribute(writer, error);
			}
			if (hr != S_OK)
				return hr;
		}
		return S_OK;
	case WS_XML_NODE_TYPE_TEXT:
		if (((const WS_XML_TEXT_NODE *)node)->text == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsWriteNode: text node without text");
		return xml_writer_text(writer,
		    ((const WS_XML_TEXT_NODE *)node)->text, error,
		    "WsWriteNode");
	case WS_XML_NODE_TYPE_END_ELEMENT:
		return WsWriteEndElement(writer, error);
	case WS_XML_NODE_TYPE_COMMENT:
		return xml_writer_comment(writer,
		    &((const WS_XML_COMMENT_NODE *)node)->value, error);
	case WS_XML_NODE_TYPE_CDATA:
		return WsWriteStartCData(writer, error);
	case WS_XML_NODE_TYPE_END_CDATA:
		return WsWriteEndCData(writer, error);
	case WS_XML_NODE_TYPE_BOF:
	case WS_XML_NODE_TYPE_EOF:
		return xml_writer_check(writer, error, "WsWriteNode");
	}
	return ws_error_fail(error, E_INVALIDARG,
	    "WsWriteNode: unknown node type %d", (int)node->nodeType);
}

/* A copy of a node (with its subtree) at the writer's place. */
/* Elements without content in [n, stop) and below lose their end tag. */
static void
xml_writer_compress(struct xml_node *n, struct xml_node *stop)
{
	for (; n != NULL && n != stop; n = n->next) {
		if (n->kind != XML_KIND_ELEMENT)
			continue;
		if (n->first == NULL)
			n->explicit_end = false;
		else
			xml_writer_compress(n->first, NULL);
	}
}

HRESULT
xml_writer_insert_copy(WS_XML_WRITER *w, const struct xml_node *src,
    bool copy_node, WS_ERROR *error, const char *api)
{
	struct xml_node *parent, *after, *last = NULL;
	struct xml_pos *p;
	HRESULT hr;

	if ((hr = xml_writer_content_check(w, error, api, false)) != S_OK)
		return hr;
	p = w->cur;
	if (!p->end && xml_is_container(p->node)) {
		parent = p->node;
		after = parent->closed || parent->kind == XML_KIND_ROOT ?
		    NULL : parent->last;
	} else {
		parent = p->node->parent;
		after = p->node;
	}
	if (xml_writer_depth(parent) + (src->kind == XML_KIND_ELEMENT) >
	    w->max_depth)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "%s: deeper than the writer's maximum depth", api);
	if (parent->kind == XML_KIND_ELEMENT)
		parent->start_done = true;
	if ((hr = xml_node_copy(w->buf, parent, after, src, &last)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	/* WsCopyNode keeps <a></a> and <a/> as read, or with
	 * COMPRESS_EMPTY_ELEMENTS makes every element without content
	 * <a/>; a whole document copied is the nodes after `after`. */
	if (copy_node && w->compress_empty && last != NULL)
		xml_writer_compress(after != NULL ? after->next :
		    parent->first, last->next);
	if (last != NULL)
		w->cur = xml_writer_after(last);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteXmlBuffer(WS_XML_WRITER *writer, WS_XML_BUFFER *buffer,
    WS_ERROR *error)
{
	if (!xml_writer_valid(writer) || !xml_buffer_valid(buffer))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteXmlBuffer: invalid writer or buffer");
	return xml_writer_insert_copy(writer, buffer->root, false, error,
	    "WsWriteXmlBuffer");
}

WS_EXPORT HRESULT WINAPI
WsWriteArray(WS_XML_WRITER *writer, const WS_XML_STRING *localName,
    const WS_XML_STRING *ns, WS_VALUE_TYPE valueType, const void *array,
    ULONG arraySize, ULONG itemOffset, ULONG itemCount, WS_ERROR *error)
{
	size_t size = xml_value_size(valueType);
	ULONG i;
	HRESULT hr;

	if (!xml_writer_valid(writer) || localName == NULL || ns == NULL ||
	    size == 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteArray: invalid writer, name or value type");
	if ((hr = xml_writer_check(writer, error, "WsWriteArray")) != S_OK)
		return hr;
	if (array == NULL && itemCount > 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteArray: NULL array");
	if (arraySize % size != 0 || itemOffset > arraySize / size ||
	    itemCount > arraySize / size - itemOffset)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsWriteArray: items beyond the array");
	for (i = 0; i < itemCount; i++) {
		if ((hr = WsWriteStartElement(writer, NULL, localName, ns,
		    error)) != S_OK ||
		    (hr = WsWriteValue(writer, valueType,
		    (const BYTE *)array + (itemOffset + i) * size,
		    (ULONG)size, error)) != S_OK ||
		    (hr = WsWriteEndElement(writer, error)) != S_OK)
			return hr;
	}
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetPrefixFromNamespace(WS_XML_WRITER *writer, const WS_XML_STRING *ns,
    BOOL required, const WS_XML_STRING **prefix, WS_ERROR *error)
{
	const WS_XML_STRING *p;
	struct xml_node *n;
	HRESULT hr;

	if (!xml_writer_valid(writer) || ns == NULL || prefix == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetPrefixFromNamespace: invalid writer or NULL argument");
	if ((hr = xml_writer_check(writer, error,
	    "WsGetPrefixFromNamespace")) != S_OK)
		return hr;
	n = writer->attr_elem != NULL ? writer->attr_elem :
	    xml_writer_container(writer);
	if ((p = xml_scope_prefix(n, ns)) == NULL) {
		if (required)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "WsGetPrefixFromNamespace: the namespace is not "
			    "bound in scope");
		*prefix = NULL;
		return S_FALSE;
	}
	*prefix = p;
	return S_OK;
}
