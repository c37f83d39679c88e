/*
 * WS_XML_READER: walking a tree of nodes (parsed from text or binary, or
 * a caller's XML buffer) the way the WWSAPI reader reports it: BOF, then
 * elements, texts, comments, CDATA and end elements in document order,
 * then EOF.  An empty element is followed by its END_ELEMENT, as on
 * Windows.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_reader.h"
#include "xml_binary.h"

static const WS_XML_NODE xml_node_bof = { WS_XML_NODE_TYPE_BOF };
static const WS_XML_NODE xml_node_eof = { WS_XML_NODE_TYPE_EOF };
static const WS_XML_NODE xml_node_end = { WS_XML_NODE_TYPE_END_ELEMENT };
static const WS_XML_NODE xml_node_cdata = { WS_XML_NODE_TYPE_CDATA };
static const WS_XML_NODE xml_node_end_cdata = { WS_XML_NODE_TYPE_END_CDATA };

bool
xml_reader_valid(const WS_XML_READER *r)
{
	return r != NULL && r->magic == WS_XML_READER_MAGIC;
}

bool
xml_reader_in_attribute(const WS_XML_READER *r)
{
	return r->in_attr;
}

/* A stream is read into memory up to this many bytes. */
#define XML_READER_STREAM_MAX	((size_t)64 << 20)
/* Each parse of a stream's bytes has a heap of its own, this big at most. */
#define XML_READER_HEAP_MAX	((SIZE_T)1 << 30)

/* Text outside the root element needs ALLOW_FRAGMENT (whitespace aside). */
static bool
xml_reader_fragment(const struct xml_node *root)
{
	const struct xml_node *c;
	struct xml_out o = { 0 };
	bool frag = false;
	size_t i;

	for (c = root->first; c != NULL && !frag; c = c->next) {
		if (c->kind == XML_KIND_CDATA)
			frag = true;
		if (c->kind != XML_KIND_TEXT)
			continue;
		o.len = 0;
		if (xml_text_format(c->text.text, &o) != S_OK || o.oom)
			frag = true;
		for (i = 0; i < o.len && !frag; i++)
			if (strchr(" \t\r\n", o.p[i]) == NULL || o.p[i] == 0)
				frag = true;
	}
	xml_out_free(&o);
	return frag;
}

void
xml_reader_parse(WS_XML_READER *r, const uint8_t *p, size_t n)
{
	bool complete = r->in != XML_IN_STREAM || r->eof;
	WS_CHARSET cs = r->in_cs;
	struct xml_node *e;
	size_t open = 0, cut = 0, k;

	/* Binary keeps its typed records typed (xml_binary.c). */
	if (r->binary)
		r->input_hr = xml_binary_parse_part(r->buf, p, n, r->dynamic,
		    complete, r->cur_props.max_depth, r->cur_props.max_attrs,
		    &open, &cut, &r->input_why);
	else
		r->input_hr = xml_serial_parse_part(r->buf, p, n, &cs,
		    complete, r->cur_props.max_depth, r->cur_props.max_attrs,
		    &open, &cut, &r->input_why);
	/* WS_XML_READER_PROPERTY_CHARSET: what WS_CHARSET_AUTO found. */
	if (!r->binary && r->in_cs == WS_CHARSET_AUTO && cs !=
	    WS_CHARSET_AUTO)
		r->cur_props.charset = cs;
	if (r->input_hr == S_OK && !r->cur_props.allow_fragment &&
	    xml_reader_fragment(r->buf->root)) {
		r->input_hr = WS_E_INVALID_FORMAT;
		r->input_why = "text outside the root element (a fragment)";
	}
	/* What the stream has not given yet: the end of the document and of
	 * the elements open at the cut, the rightmost ones of the tree. */
	if (!complete && r->input_hr == S_OK) {
		r->buf->root->open = true;
		for (e = r->buf->root, k = 0; k < open && e->last != NULL &&
		    e->last->kind == XML_KIND_ELEMENT; k++) {
			e = e->last;
			e->open = true;
		}
	}
	r->cut = cut;
	r->parsed = true;
	r->cur = &r->buf->root->at_start;
}

/* xml_reader.h. */
size_t
xml_reader_buffered(WS_XML_READER *r)
{
	struct xml_pos *n;
	size_t used;

	if (!r->parsed)
		return r->pending.len;
	n = r->in_attr ? &r->cur->node->at_start : r->cur;
	n = xml_pos_next(n);
	used = n != NULL ? n->off : r->cut;
	r->buf->starved = false;
	return used < r->pending.len ? r->pending.len - used : 0;
}

static void CALLBACK xml_reader_fill_done(HRESULT, WS_CALLBACK_MODEL, void *);

/* Takes what the callback gave into the pending bytes. */
static HRESULT
xml_reader_took(WS_XML_READER *r, ULONG want, WS_ERROR *error)
{
	if (r->chunk_got == 0) {
		r->eof = true;
		return S_OK;
	}
	if (r->chunk_got > want)
		return ws_error_fail(error, E_INVALIDARG, "WsFillReader: the "
		    "read callback gave %u bytes for %u", (unsigned)r->chunk_got,
		    (unsigned)want);
	xml_out_add(&r->pending, r->chunk, r->chunk_got);
	return r->pending.oom ? ws_error_fail(error, E_OUTOFMEMORY,
	    "WsFillReader: out of memory") : S_OK;
}

#define XML_READER_CHUNK	4096

/*
 * Calls the read callback until `min` bytes are buffered past the current
 * node or the stream ends; never more than STREAM_BUFFER_SIZE buffered.
 * With `ac` the callback may complete later (WS_S_ASYNC): the rest goes on
 * from xml_reader_fill_done.
 */
static HRESULT
xml_reader_fill(WS_XML_READER *r, const WS_ASYNC_CONTEXT *ac,
    WS_ERROR *error)
{
	static const char api[] = "WsFillReader";
	WS_ASYNC_CONTEXT mine = { xml_reader_fill_done, r };
	size_t have = xml_reader_buffered(r), room;
	ULONG want;
	HRESULT hr;

	while (!r->eof && have < r->fill_min) {
		room = r->cur_props.stream_buffer_size - have;
		want = (ULONG)(room < XML_READER_CHUNK ? room :
		    XML_READER_CHUNK);
		if (r->pending.len + want > XML_READER_STREAM_MAX)
			return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
			    "%s: the stream is too big", api);
		if (r->chunk == NULL &&
		    (r->chunk = malloc(XML_READER_CHUNK)) == NULL)
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		r->chunk_got = 0;
		r->chunk_want = want;
		hr = r->read_cb(r->read_state, r->chunk, want, &r->chunk_got,
		    ac != NULL ? &mine : NULL, error);
		if (hr == WS_S_ASYNC && ac != NULL) {
			r->filling = true;
			r->fill_ctx = *ac;
			r->fill_error = error;
			return WS_S_ASYNC;
		}
		if (hr != S_OK)
			return FAILED(hr) ? hr : ws_error_fail(error, E_FAIL,
			    "%s: the read callback did not complete", api);
		if ((hr = xml_reader_took(r, want, error)) != S_OK)
			return hr;
		have += r->chunk_got;
	}
	return S_OK;
}

static void CALLBACK
xml_reader_fill_done(HRESULT hr, WS_CALLBACK_MODEL model, void *state)
{
	WS_XML_READER *r = state;
	WS_ASYNC_CONTEXT ac = r->fill_ctx;

	(void)model;
	r->filling = false;
	if (SUCCEEDED(hr) && hr != S_OK)
		hr = E_FAIL;
	if (hr == S_OK)
		hr = xml_reader_took(r, r->chunk_want, r->fill_error);
	if (hr == S_OK && (hr = xml_reader_fill(r, &ac,
	    r->fill_error)) == WS_S_ASYNC)
		return;
	ac.callback(hr, WS_LONG_CALLBACK, ac.callbackState);
}

HRESULT
xml_reader_pull(WS_XML_READER *r, size_t min, const WS_ASYNC_CONTEXT *ac,
    WS_ERROR *error)
{
	HRESULT hr;

	if ((hr = xml_reader_ready(r, error, "WsFillReader")) != S_OK)
		return hr;
	if (min > r->cur_props.stream_buffer_size)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "WsFillReader: %zu bytes are more than the stream buffer "
		    "holds (WS_XML_READER_PROPERTY_STREAM_BUFFER_SIZE %u)", min,
		    (unsigned)r->cur_props.stream_buffer_size);
	r->fill_min = min;
	if (ac != NULL && ac->callback == NULL)
		ac = NULL;
	return xml_reader_fill(r, ac, error);
}

/* How many steps of document order `p` is from the start of `root`. */
static size_t
xml_reader_index(struct xml_node *root, const struct xml_pos *p)
{
	struct xml_pos *q;
	size_t i = 0;

	for (q = &root->at_start; q != NULL && q != p; q = xml_pos_next(q))
		i++;
	return i;
}

/*
 * A stream reader reads the nodes that the bytes WsFillReader obtained
 * complete, no more: they are parsed on the first read after they grew,
 * into a new tree (on a new heap, the old one freed) where the reader is
 * put at the same place in document order.  A read that needs what was
 * not obtained fails with WS_E_QUOTA_EXCEEDED (xml_reader_starved).
 */
HRESULT
xml_reader_ready(WS_XML_READER *r, WS_ERROR *error, const char *api)
{
	WS_HEAP *heap = r->own_heap, *old = NULL;
	WS_XML_BUFFER *b;
	struct xml_pos *p;
	size_t at = 0;
	bool text, attr = r->in_attr;
	HRESULT hr;

	if (r->in != XML_IN_STREAM || (r->parsed &&
	    r->parsed_len == r->pending.len && r->parsed_eof == r->eof))
		return S_OK;
	if (r->parsed)
		at = xml_reader_index(r->buf->root, r->in_attr ?
		    &r->cur->node->at_start : r->cur);
	text = r->cache_of != NULL;
	/* A canonicalization holds a place in the old tree: keep it. */
	if (r->c14n == NULL) {
		if ((hr = WsCreateHeap(XML_READER_HEAP_MAX, 0, NULL, 0, &heap,
		    NULL)) != S_OK)
			return ws_error_fail(error, hr, "%s: out of memory",
			    api);
		old = r->own_heap;
	}
	if ((b = xml_buffer_new(heap, &hr)) == NULL) {
		if (old != NULL)
			WsFreeHeap(heap);
		return ws_error_fail(error, hr, "%s: out of memory", api);
	}
	r->buf = b;
	r->own_heap = heap;
	/* Nothing obtained yet is "" to the parsers, never NULL. */
	xml_reader_parse(r, r->pending.p != NULL ? r->pending.p :
	    (const uint8_t *)"", r->pending.len);
	WsFreeHeap(old);
	r->parsed_len = r->pending.len;
	r->parsed_eof = r->eof;
	for (p = r->cur; at > 0 && p != NULL; at--) {
		r->cur = p;
		p = xml_pos_next(p);
	}
	if (p != NULL)
		r->cur = p;
	r->buf->starved = false;
	/* The same attribute, and text being read in parts, in the new tree. */
	if (attr && !r->cur->end && r->cur->node->kind == XML_KIND_ELEMENT &&
	    r->attr_index < r->cur->node->elem.attributeCount)
		r->attr_node.text =
		    r->cur->node->elem.attributes[r->attr_index]->value;
	else
		r->in_attr = false;
	if (text)
		r->cache_of = r->in_attr ? (const void *)r->attr_node.text :
		    !r->cur->end && r->cur->node->kind == XML_KIND_TEXT ?
		    (const void *)r->cur->node->text.text : NULL;
	return S_OK;
}

HRESULT
xml_reader_check(WS_XML_READER *r, WS_ERROR *error, const char *api)
{
	HRESULT hr;

	if (!xml_reader_valid(r))
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid reader",
		    api);
	if (r->in == XML_IN_NONE)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader has no input (WsSetInput)", api);
	if (r->filling)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: an asynchronous WsFillReader is pending", api);
	if ((hr = xml_reader_ready(r, error, api)) != S_OK)
		return hr;
	r->buf->starved = false;
	if (FAILED(r->input_hr))
		return ws_error_fail(error, r->input_hr, "%s: %s", api,
		    r->input_why != NULL ? r->input_why :
		    "the input cannot be read");
	return S_OK;
}

/* A walk stopped where the bytes of a stream end: it needs more. */
static HRESULT
xml_reader_starved(WS_XML_READER *r, WS_ERROR *error, const char *api)
{
	return ws_error_fail(error, WS_E_QUOTA_EXCEEDED, "%s: the reader "
	    "needs more data than WsFillReader obtained (%zu bytes)", api,
	    r->pending.len);
}

void
xml_reader_moved(WS_XML_READER *r)
{
	r->cache_of = NULL;
	r->cache_kind = 0;
	r->cache.len = 0;
	r->cache_off = 0;
}

const WS_XML_NODE *
xml_reader_node(WS_XML_READER *r)
{
	const struct xml_pos *p = r->cur;

	if (r->in_attr)
		return &r->attr_node.node;
	switch (p->node->kind) {
	case XML_KIND_ROOT:
		return p->end ? &xml_node_eof : &xml_node_bof;
	case XML_KIND_ELEMENT:
		return p->end ? &xml_node_end : &p->node->elem.node;
	case XML_KIND_CDATA:
		return p->end ? &xml_node_end_cdata : &xml_node_cdata;
	case XML_KIND_TEXT:
		return &p->node->text.node;
	case XML_KIND_COMMENT:
		return &p->node->comment.node;
	}
	return &xml_node_eof;
}

struct xml_pos *
xml_reader_pos(WS_XML_READER *r)
{
	return r->cur;
}

void
xml_reader_set_pos(WS_XML_READER *r, struct xml_pos *p)
{
	r->cur = p;
	xml_reader_moved(r);
}

HRESULT
xml_reader_advance(WS_XML_READER *r)
{
	struct xml_pos *n = xml_pos_next(r->cur);

	if (n == NULL)	/* nothing after EOF, or not obtained yet */
		return r->buf->starved ? WS_E_QUOTA_EXCEEDED :
		    WS_E_INVALID_FORMAT;
	xml_reader_set_pos(r, n);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadNode(WS_XML_READER *reader, WS_ERROR *error)
{
	struct xml_pos *n;
	HRESULT hr;

	if ((hr = xml_reader_check(reader, error, "WsReadNode")) != S_OK)
		return hr;
	if (reader->in_attr)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsReadNode: the reader is inside an attribute");
	/* At EOF the reader stays there. */
	if ((n = xml_pos_next(reader->cur)) != NULL)
		xml_reader_set_pos(reader, n);
	else if (reader->buf->starved)
		return xml_reader_starved(reader, error, "WsReadNode");
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetReaderNode(WS_XML_READER *xmlReader, const WS_XML_NODE **node,
    WS_ERROR *error)
{
	HRESULT hr;

	if (!xml_reader_valid(xmlReader) || node == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetReaderNode: invalid reader or NULL node");
	if ((hr = xml_reader_check(xmlReader, error,
	    "WsGetReaderNode")) != S_OK)
		return hr;
	*node = xml_reader_node(xmlReader);
	return S_OK;
}

/* Whitespace-only text, which the element calls skip. */
static bool
xml_reader_blank(const struct xml_node *n)
{
	const WS_XML_UTF8_TEXT *u;
	ULONG i;

	if (n->kind != XML_KIND_TEXT ||
	    n->text.text->textType != WS_XML_TEXT_TYPE_UTF8)
		return false;
	u = (const WS_XML_UTF8_TEXT *)n->text.text;
	for (i = 0; i < u->value.length; i++)
		if (strchr(" \t\r\n", u->value.bytes[i]) == NULL ||
		    u->value.bytes[i] == 0)
			return false;
	return true;
}

/* Skips BOF, whitespace and comments; *found when on a start element.
 * WS_E_QUOTA_EXCEEDED (not moved) when a stream's bytes end first. */
HRESULT
xml_reader_to_start(WS_XML_READER *r, bool *found)
{
	struct xml_pos *p = r->cur;

	*found = false;
	while (p != NULL) {
		if (!p->end && p->node->kind == XML_KIND_ELEMENT)
			break;
		if (!(p->node->kind == XML_KIND_ROOT && !p->end) &&
		    !xml_reader_blank(p->node) &&
		    p->node->kind != XML_KIND_COMMENT)
			break;
		p = xml_pos_next(p);
	}
	if (p == NULL && r->buf->starved)
		return WS_E_QUOTA_EXCEEDED;
	if (p != NULL && p != r->cur)
		xml_reader_set_pos(r, p);
	*found = !r->cur->end && r->cur->node->kind == XML_KIND_ELEMENT;
	return S_OK;
}

static HRESULT
xml_reader_element_check(WS_XML_READER *r, WS_ERROR *error, const char *api)
{
	HRESULT hr;

	if ((hr = xml_reader_check(r, error, api)) != S_OK)
		return hr;
	if (r->in_attr)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader is inside an attribute", api);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadToStartElement(WS_XML_READER *reader, const WS_XML_STRING *localName,
    const WS_XML_STRING *ns, BOOL *found, WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	bool ok;
	HRESULT hr;

	if ((hr = xml_reader_element_check(reader, error,
	    "WsReadToStartElement")) != S_OK)
		return hr;
	if (xml_reader_to_start(reader, &ok) != S_OK)
		return xml_reader_starved(reader, error,
		    "WsReadToStartElement");
	if (ok) {
		e = &reader->cur->node->elem;
		if ((localName != NULL && !xml_string_eq(localName,
		    e->localName)) || (ns != NULL && !xml_string_eq(ns, e->ns)))
			ok = false;
	}
	if (found != NULL)
		*found = ok;
	else if (!ok)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsReadToStartElement: the expected element is not next");
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadStartElement(WS_XML_READER *reader, WS_ERROR *error)
{
	struct xml_pos *was;
	bool ok;
	HRESULT hr;

	if ((hr = xml_reader_element_check(reader, error,
	    "WsReadStartElement")) != S_OK)
		return hr;
	was = reader->cur;
	if (xml_reader_to_start(reader, &ok) != S_OK)
		return xml_reader_starved(reader, error, "WsReadStartElement");
	if (!ok)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsReadStartElement: the reader is not on a start element");
	/* The next node must be there too, or the reader does not move. */
	if (xml_pos_next(reader->cur) == NULL && reader->buf->starved) {
		if (reader->cur != was)
			xml_reader_set_pos(reader, was);
		return xml_reader_starved(reader, error, "WsReadStartElement");
	}
	return xml_reader_advance(reader);
}

WS_EXPORT HRESULT WINAPI
WsReadEndElement(WS_XML_READER *reader, WS_ERROR *error)
{
	struct xml_pos *p;
	HRESULT hr;

	if ((hr = xml_reader_element_check(reader, error,
	    "WsReadEndElement")) != S_OK)
		return hr;
	for (p = reader->cur; p != NULL && !p->end &&
	    (xml_reader_blank(p->node) || p->node->kind == XML_KIND_COMMENT);
	    p = xml_pos_next(p))
		;
	if (p == NULL && reader->buf->starved)
		return xml_reader_starved(reader, error, "WsReadEndElement");
	if (p == NULL || !p->end || p->node->kind != XML_KIND_ELEMENT)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsReadEndElement: the reader is not on an end element");
	if (xml_pos_next(p) == NULL && reader->buf->starved)
		return xml_reader_starved(reader, error, "WsReadEndElement");
	xml_reader_set_pos(reader, p);
	return xml_reader_advance(reader);
}

WS_EXPORT HRESULT WINAPI
WsSkipNode(WS_XML_READER *reader, WS_ERROR *error)
{
	struct xml_pos *p;
	HRESULT hr;

	if ((hr = xml_reader_element_check(reader, error,
	    "WsSkipNode")) != S_OK)
		return hr;
	p = reader->cur;
	if (p->end && p->node->kind == XML_KIND_ROOT)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsSkipNode: the reader is at EOF");
	/* An element (or the document) goes with its content. */
	if (!p->end && xml_is_container(p->node)) {
		if (p->node->open)
			return xml_reader_starved(reader, error, "WsSkipNode");
		p = &p->node->at_end;
	}
	if (!(p->end && p->node->kind == XML_KIND_ROOT) &&
	    xml_pos_next(p) == NULL && reader->buf->starved)
		return xml_reader_starved(reader, error, "WsSkipNode");
	if (p != reader->cur)
		xml_reader_set_pos(reader, p);
	if (reader->cur->end && reader->cur->node->kind == XML_KIND_ROOT)
		return S_OK;
	return xml_reader_advance(reader);
}

static const WS_XML_ELEMENT_NODE *
xml_reader_element(WS_XML_READER *r)
{
	if (r->cur->end || r->cur->node->kind != XML_KIND_ELEMENT)
		return NULL;
	return &r->cur->node->elem;
}

WS_EXPORT HRESULT WINAPI
WsReadStartAttribute(WS_XML_READER *reader, ULONG attributeIndex,
    WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	HRESULT hr;

	if ((hr = xml_reader_element_check(reader, error,
	    "WsReadStartAttribute")) != S_OK)
		return hr;
	if ((e = xml_reader_element(reader)) == NULL)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsReadStartAttribute: the reader is not on an element");
	if (attributeIndex >= e->attributeCount)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadStartAttribute: the element has %u attributes",
		    (unsigned)e->attributeCount);
	reader->in_attr = true;
	reader->attr_index = attributeIndex;
	reader->attr_node.node.nodeType = WS_XML_NODE_TYPE_TEXT;
	reader->attr_node.text = e->attributes[attributeIndex]->value;
	xml_reader_moved(reader);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadEndAttribute(WS_XML_READER *reader, WS_ERROR *error)
{
	HRESULT hr;

	if ((hr = xml_reader_check(reader, error,
	    "WsReadEndAttribute")) != S_OK)
		return hr;
	if (!reader->in_attr)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsReadEndAttribute: the reader is not in an attribute");
	reader->in_attr = false;
	xml_reader_moved(reader);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsFindAttribute(WS_XML_READER *reader, const WS_XML_STRING *localName,
    const WS_XML_STRING *ns, BOOL required, ULONG *attributeIndex,
    WS_ERROR *error)
{
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_ATTRIBUTE *a;
	HRESULT hr;
	ULONG i;

	if (!xml_reader_valid(reader) || localName == NULL || ns == NULL ||
	    attributeIndex == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsFindAttribute: invalid reader or NULL argument");
	if ((hr = xml_reader_element_check(reader, error,
	    "WsFindAttribute")) != S_OK)
		return hr;
	if ((e = xml_reader_element(reader)) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsFindAttribute: the reader is not on an element");
	for (i = 0; i < e->attributeCount; i++) {
		a = e->attributes[i];
		if (!a->isXmlNs && xml_string_eq(a->localName, localName) &&
		    xml_string_eq(a->ns, ns)) {
			*attributeIndex = i;
			return S_OK;
		}
	}
	if (required)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsFindAttribute: the element has no such attribute");
	*attributeIndex = (ULONG)-1;
	return S_FALSE;
}

/* long: the text walk of WsReadValue's reference page, in one place. */
HRESULT
xml_reader_take_text(WS_XML_READER *r, char **s, size_t *n)
{
	struct xml_out o = { 0 };
	struct xml_pos *p;
	HRESULT hr = S_OK;

	if (r->in_attr) {
		if ((hr = xml_text_format(r->attr_node.text, &o)) != S_OK) {
			xml_out_free(&o);
			return hr;
		}
	} else {
		/* Up to the next start or end element: comments skipped,
		 * CDATA content taken like other text. */
		for (p = r->cur; p != NULL; p = xml_pos_next(p)) {
			if (p->node->kind == XML_KIND_ELEMENT ||
			    p->node->kind == XML_KIND_ROOT)
				break;
			if (p->node->kind != XML_KIND_TEXT)
				continue;
			if ((hr = xml_text_format(p->node->text.text,
			    &o)) != S_OK)
				break;
		}
		if (hr == S_OK && p == NULL && r->buf->starved)
			hr = WS_E_QUOTA_EXCEEDED;
		if (hr == S_OK && p != NULL)
			xml_reader_set_pos(r, p);
	}
	xml_out_add(&o, "", 1);
	if (hr == S_OK && o.oom)
		hr = E_OUTOFMEMORY;
	if (hr != S_OK) {
		xml_out_free(&o);
		return hr;
	}
	*s = (char *)o.p;
	*n = o.len - 1;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadValue(WS_XML_READER *reader, WS_VALUE_TYPE valueType, void *value,
    ULONG valueSize, WS_ERROR *error)
{
	char *s;
	size_t n;
	HRESULT hr;

	if (!xml_reader_valid(reader) || value == NULL ||
	    xml_value_size(valueType) == 0 ||
	    valueSize != xml_value_size(valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadValue: invalid reader, value type or size");
	if ((hr = xml_reader_check(reader, error, "WsReadValue")) != S_OK)
		return hr;
	if ((hr = xml_reader_take_text(reader, &s, &n)) != S_OK)
		return hr == WS_E_QUOTA_EXCEEDED ? xml_reader_starved(reader,
		    error, "WsReadValue") : ws_error_fail(error, hr,
		    "WsReadValue: out of memory");
	hr = xml_value_parse(valueType, s, n, value, valueSize);
	if (hr != S_OK)
		ws_error_fail(error, hr, "WsReadValue: \"%.64s\" is not a "
		    "value of type %d", s, (int)valueType);
	free(s);
	return hr;
}

/* Fills the cache with the current text (kind 1 UTF-8, 2 bytes). */
static HRESULT
xml_reader_cache(WS_XML_READER *r, int kind, bool *have)
{
	const WS_XML_TEXT *t;
	struct xml_out u = { 0 };
	HRESULT hr;

	*have = false;
	if (r->in_attr)
		t = r->attr_node.text;
	else if (!r->cur->end && r->cur->node->kind == XML_KIND_TEXT)
		t = r->cur->node->text.text;
	else
		return S_OK;
	*have = true;
	if (r->cache_of == t && r->cache_kind == kind)
		return S_OK;
	r->cache.len = 0;
	r->cache_off = 0;
	if (kind == 2 && t->textType == WS_XML_TEXT_TYPE_BASE64) {
		const WS_XML_BASE64_TEXT *b = (const WS_XML_BASE64_TEXT *)t;

		xml_out_add(&r->cache, b->bytes, b->length);
	} else if (kind == 2) {
		if ((hr = xml_text_format(t, &u)) == S_OK &&
		    xml_base64_decode((const char *)u.p, u.len, &r->cache) < 0)
			hr = WS_E_INVALID_FORMAT;
		xml_out_free(&u);
		if (hr != S_OK)
			return hr;
	} else if ((hr = xml_text_format(t, &r->cache)) != S_OK)
		return hr;
	if (r->cache.oom)
		return E_OUTOFMEMORY;
	r->cache_of = t;
	r->cache_kind = kind;
	return S_OK;
}

/* Length of the UTF-8 sequence starting with `c`. */
static size_t
xml_utf8_len(uint8_t c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	return 4;
}

/*
 * WsReadChars, WsReadCharsUtf8 and WsReadBytes: as much of the current
 * text as fits, going on with the next text node when one is used up; 0
 * when the reader is not on text (past the start of the document).  `unit` 0 is UTF-16, 1 UTF-8, 2 bytes.
 */
static HRESULT
xml_reader_read_text(WS_XML_READER *r, int unit, void *out, ULONG max,
    ULONG *actual, WS_ERROR *error, const char *api)
{
	ULONG got = 0;
	size_t left, take, k;
	bool have;
	HRESULT hr;

	if (!xml_reader_valid(r) || (out == NULL && max > 0) || actual == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid reader or NULL argument", api);
	if ((hr = xml_reader_check(r, error, api)) != S_OK)
		return hr;
	/* Text is read up to a start or end element (the reference page):
	 * at the start of the document, what follows it is read, so that a
	 * raw message's body (WS_ENCODING_RAW: base64 text at the root) reads
	 * with WsReadBytes at once, as on Windows. */
	if (max > 0 && !r->in_attr && !r->cur->end &&
	    r->cur->node->kind == XML_KIND_ROOT &&
	    (hr = xml_reader_advance(r)) != S_OK) {
		if (hr == WS_E_QUOTA_EXCEEDED)
			return xml_reader_starved(r, error, api);
		return ws_error_fail(error, hr, "%s: cannot read the node "
		    "after the start of the document", api);
	}
	while (got < max) {
		if ((hr = xml_reader_cache(r, unit == 2 ? 2 : 1,
		    &have)) != S_OK)
			return ws_error_fail(error, hr, "%s: the text cannot "
			    "be read this way", api);
		if (!have)
			break;
		left = r->cache.len - r->cache_off;
		if (unit != 0) {
			take = left < max - got ? left : max - got;
			/* Whole UTF-8 sequences only. */
			if (unit == 1)
				while (take > 0 && take < left &&
				    (r->cache.p[r->cache_off + take] & 0xc0) ==
				    0x80)
					take--;
			if (take > 0)
				memcpy((BYTE *)out + got,
				    r->cache.p + r->cache_off, take);
			got += (ULONG)take;
			r->cache_off += take;
		} else {
			while (r->cache_off < r->cache.len && got < max) {
				const uint8_t *c = r->cache.p + r->cache_off;
				uint32_t cp;

				k = xml_utf8_len(c[0]);
				if (k > r->cache.len - r->cache_off)
					k = 1;
				cp = k == 1 ? c[0] : k == 2 ? (uint32_t)(c[0] &
				    0x1f) << 6 | (c[1] & 0x3f) : k == 3 ?
				    (uint32_t)(c[0] & 0x0f) << 12 |
				    (uint32_t)(c[1] & 0x3f) << 6 | (c[2] &
				    0x3f) : (uint32_t)(c[0] & 0x07) << 18 |
				    (uint32_t)(c[1] & 0x3f) << 12 |
				    (uint32_t)(c[2] & 0x3f) << 6 | (c[3] & 0x3f);
				if (cp >= 0x10000) {
					if (max - got < 2)
						break;
					cp -= 0x10000;
					((WCHAR *)out)[got++] =
					    (WCHAR)(0xd800 | (cp >> 10));
					((WCHAR *)out)[got++] =
					    (WCHAR)(0xdc00 | (cp & 0x3ff));
				} else
					((WCHAR *)out)[got++] = (WCHAR)cp;
				r->cache_off += k;
			}
			if (r->cache_off < r->cache.len && got < max)
				break;	/* a pair that does not fit */
		}
		if (r->cache_off < r->cache.len || r->in_attr)
			break;
		/* This text is used up: on to the next node. */
		if ((hr = xml_reader_advance(r)) != S_OK) {
			if (hr == WS_E_QUOTA_EXCEEDED && got == 0)
				return xml_reader_starved(r, error, api);
			break;
		}
	}
	*actual = got;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadChars(WS_XML_READER *reader, WCHAR *chars, ULONG maxCharCount,
    ULONG *actualCharCount, WS_ERROR *error)
{
	return xml_reader_read_text(reader, 0, chars, maxCharCount,
	    actualCharCount, error, "WsReadChars");
}

WS_EXPORT HRESULT WINAPI
WsReadCharsUtf8(WS_XML_READER *reader, BYTE *bytes, ULONG maxByteCount,
    ULONG *actualByteCount, WS_ERROR *error)
{
	return xml_reader_read_text(reader, 1, bytes, maxByteCount,
	    actualByteCount, error, "WsReadCharsUtf8");
}

WS_EXPORT HRESULT WINAPI
WsReadBytes(WS_XML_READER *reader, void *bytes, ULONG maxByteCount,
    ULONG *actualByteCount, WS_ERROR *error)
{
	return xml_reader_read_text(reader, 2, bytes, maxByteCount,
	    actualByteCount, error, "WsReadBytes");
}

/* The element whose scope the reader is in. */
static const struct xml_node *
xml_reader_scope(WS_XML_READER *r)
{
	const struct xml_node *n = r->cur->node;

	if (r->cur->end || n->kind != XML_KIND_ELEMENT)
		n = n->parent;
	while (n != NULL && n->kind != XML_KIND_ELEMENT)
		n = n->parent;
	return n;
}

/*
 * Whether the `n` bytes at `s` (split at `colon`, or NULL) are a QName:
 * an NCName, or two joined by one colon, the prefix not "xmlns" (that
 * prefix is bound to no namespace a value may name).  libxml2 checks the
 * NCName productions.
 */
static bool
xml_reader_qname_ok(const char *s, size_t n, const char *colon)
{
	char *t;
	size_t plen = colon != NULL ? (size_t)(colon - s) : 0;
	bool ok;

	if (colon != NULL && plen == 5 && memcmp(s, "xmlns", 5) == 0)
		return false;
	if (memchr(s, '\0', n) != NULL || (t = malloc(n + 1)) == NULL)
		return false;
	memcpy(t, s, n);
	t[n] = '\0';
	if (colon != NULL) {
		t[plen] = '\0';
		ok = xmlValidateNCName(BAD_CAST t, 0) == 0 &&
		    xmlValidateNCName(BAD_CAST t + plen + 1, 0) == 0;
	} else
		ok = xmlValidateNCName(BAD_CAST t, 0) == 0;
	free(t);
	return ok;
}

WS_EXPORT HRESULT WINAPI
WsReadQualifiedName(WS_XML_READER *reader, WS_HEAP *heap,
    WS_XML_STRING *prefix, WS_XML_STRING *localName, WS_XML_STRING *ns,
    WS_ERROR *error)
{
	static const char api[] = "WsReadQualifiedName";
	WS_XML_STRING p = { 0, NULL, NULL, 0 }, *cp, *cl, *cn;
	const WS_XML_STRING *bound;
	const struct xml_node *scope;
	const char *colon, *s0;
	char *s;
	size_t n;
	HRESULT hr;

	if (!xml_reader_valid(reader) || !ws_heap_valid(heap) ||
	    localName == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid reader or heap, or NULL localName", api);
	if ((hr = xml_reader_check(reader, error, api)) != S_OK)
		return hr;
	scope = xml_reader_scope(reader);
	if ((hr = xml_reader_take_text(reader, &s, &n)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	for (s0 = s; n > 0 && strchr(" \t\r\n", *s0) != NULL; s0++, n--)
		;
	while (n > 0 && strchr(" \t\r\n", s0[n - 1]) != NULL)
		n--;
	colon = memchr(s0, ':', n);
	if (colon != NULL) {
		p.bytes = (BYTE *)s0;
		p.length = (ULONG)(colon - s0);
	}
	bound = xml_scope_ns(scope, &p);
	if (n == 0 || (colon != NULL && (p.length == 0 ||
	    colon + 1 == s0 + n)) || (bound == NULL && p.length > 0) ||
	    !xml_reader_qname_ok(s0, n, colon)) {
		free(s);
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: not a qualified name with a bound prefix", api);
	}
	colon = colon != NULL ? colon + 1 : s0;
	if ((cp = xml_string_new(heap, p.bytes, p.length, &hr)) == NULL ||
	    (cl = xml_string_new(heap, (const BYTE *)colon,
	    (ULONG)(s0 + n - colon), &hr)) == NULL ||
	    (cn = xml_string_dup(heap, bound, &hr)) == NULL) {
		free(s);
		return ws_error_fail(error, hr, "%s: the heap is full", api);
	}
	free(s);
	if (prefix != NULL)
		*prefix = *cp;
	*localName = *cl;
	if (ns != NULL)
		*ns = *cn;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetNamespaceFromPrefix(WS_XML_READER *reader, const WS_XML_STRING *prefix,
    BOOL required, const WS_XML_STRING **ns, WS_ERROR *error)
{
	const WS_XML_STRING *b;
	HRESULT hr;

	if (!xml_reader_valid(reader) || prefix == NULL || ns == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetNamespaceFromPrefix: invalid reader or NULL "
		    "argument");
	if ((hr = xml_reader_check(reader, error,
	    "WsGetNamespaceFromPrefix")) != S_OK)
		return hr;
	if (xml_reader_element(reader) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsGetNamespaceFromPrefix: the reader is not on an "
		    "element");
	if ((b = xml_scope_ns(reader->cur->node, prefix)) == NULL &&
	    prefix->length == 0) {
		static const WS_XML_STRING none = { 0, (BYTE *)"", NULL, 0 };

		b = &none;	/* the default namespace is "" unless bound */
	}
	if (b == NULL) {
		if (required)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "WsGetNamespaceFromPrefix: the prefix is not bound");
		*ns = NULL;
		return S_FALSE;
	}
	*ns = b;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetXmlAttribute(WS_XML_READER *reader, const WS_XML_STRING *localName,
    WS_HEAP *heap, WCHAR **valueChars, ULONG *valueCharCount,
    WS_ERROR *error)
{
	static const WS_XML_STRING xml = WS_XML_STRING_VALUE("xml");
	const struct xml_node *n;
	const WS_XML_ATTRIBUTE *a = NULL;
	struct xml_out o = { 0 };
	WCHAR *w, *hw;
	size_t len;
	ULONG i;
	HRESULT hr;

	if (!xml_reader_valid(reader) || localName == NULL ||
	    !ws_heap_valid(heap) || valueChars == NULL ||
	    valueCharCount == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetXmlAttribute: invalid argument");
	if ((hr = xml_reader_check(reader, error,
	    "WsGetXmlAttribute")) != S_OK)
		return hr;
	/* xml:lang and xml:space apply to everything inside. */
	for (n = xml_reader_scope(reader); n != NULL && a == NULL;
	    n = n->parent) {
		if (n->kind != XML_KIND_ELEMENT)
			continue;
		for (i = 0; i < n->elem.attributeCount && a == NULL; i++)
			if (!n->elem.attributes[i]->isXmlNs &&
			    xml_string_eq(n->elem.attributes[i]->prefix, &xml) &&
			    xml_string_eq(n->elem.attributes[i]->localName,
			    localName))
				a = n->elem.attributes[i];
	}
	if (a == NULL) {
		*valueChars = NULL;
		*valueCharCount = 0;
		return S_FALSE;
	}
	if ((hr = xml_text_format(a->value, &o)) != S_OK || o.oom) {
		xml_out_free(&o);
		return ws_error_fail(error, hr != S_OK ? hr : E_OUTOFMEMORY,
		    "WsGetXmlAttribute: the value cannot be converted");
	}
	w = ws_utf8_to_utf16(o.p != NULL ? (char *)o.p : "", o.len, &len);
	xml_out_free(&o);
	if (w == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "WsGetXmlAttribute: out of memory");
	if ((hw = ws_heap_alloc(heap, (len + 1) * sizeof(WCHAR), &hr)) ==
	    NULL) {
		free(w);
		return ws_error_fail(error, hr, "WsGetXmlAttribute: the heap "
		    "is full");
	}
	memcpy(hw, w, (len + 1) * sizeof(WCHAR));
	free(w);
	*valueChars = hw;
	*valueCharCount = (ULONG)len;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadArray(WS_XML_READER *reader, const WS_XML_STRING *localName,
    const WS_XML_STRING *ns, WS_VALUE_TYPE valueType, void *array,
    ULONG arraySize, ULONG itemOffset, ULONG itemCount,
    ULONG *actualItemCount, WS_ERROR *error)
{
	size_t size = xml_value_size(valueType);
	BOOL found;
	ULONG got = 0;
	HRESULT hr;

	if (!xml_reader_valid(reader) || localName == NULL || ns == NULL ||
	    size == 0 || actualItemCount == NULL ||
	    (array == NULL && itemCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadArray: invalid argument");
	if (arraySize % size != 0 || itemOffset > arraySize / size ||
	    itemCount > arraySize / size - itemOffset)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadArray: items beyond the array");
	if ((hr = xml_reader_element_check(reader, error,
	    "WsReadArray")) != S_OK)
		return hr;
	while (got < itemCount) {
		if ((hr = WsReadToStartElement(reader, localName, ns, &found,
		    error)) != S_OK)
			return hr;
		if (!found)
			break;
		if ((hr = WsReadStartElement(reader, error)) != S_OK ||
		    (hr = WsReadValue(reader, valueType, (BYTE *)array +
		    (itemOffset + got) * size, (ULONG)size, error)) != S_OK ||
		    (hr = WsReadEndElement(reader, error)) != S_OK)
			return hr;
		got++;
	}
	*actualItemCount = got;
	return S_OK;
}
