/* WS_XML_BUFFER: a tree of XML nodes allocated on the caller's WS_HEAP. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

bool
xml_buffer_valid(const WS_XML_BUFFER *b)
{
	return b != NULL && b->magic == WS_XML_BUFFER_MAGIC;
}

struct xml_node *
xml_node_new(WS_XML_BUFFER *b, enum xml_kind kind, HRESULT *hr)
{
	struct xml_node *n;

	if ((n = ws_heap_alloc(b->heap, sizeof(*n), hr)) == NULL)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->buffer = b;
	n->at_start.node = n;
	n->at_end.node = n;
	n->at_end.end = true;
	n->elem.node.nodeType = WS_XML_NODE_TYPE_ELEMENT;
	n->text.node.nodeType = WS_XML_NODE_TYPE_TEXT;
	n->comment.node.nodeType = WS_XML_NODE_TYPE_COMMENT;
	return n;
}

WS_XML_BUFFER *
xml_buffer_new(WS_HEAP *heap, HRESULT *hr)
{
	WS_XML_BUFFER *b;

	if ((b = ws_heap_alloc(heap, sizeof(*b), hr)) == NULL)
		return NULL;
	b->heap = heap;
	b->magic = WS_XML_BUFFER_MAGIC;
	if ((b->root = xml_node_new(b, XML_KIND_ROOT, hr)) == NULL) {
		b->magic = 0;
		return NULL;
	}
	b->root->start_done = true;
	return b;
}

void
xml_node_insert(struct xml_node *parent, struct xml_node *after,
    struct xml_node *n)
{
	n->parent = parent;
	n->prev = after;
	n->next = after != NULL ? after->next : parent->first;
	if (n->next != NULL)
		n->next->prev = n;
	else
		parent->last = n;
	if (after != NULL)
		after->next = n;
	else
		parent->first = n;
}

HRESULT
xml_node_add_attr(struct xml_node *n, bool is_xmlns, bool single_quote,
    const WS_XML_STRING *prefix, const WS_XML_STRING *local,
    const WS_XML_STRING *ns, const WS_XML_TEXT *value, WS_XML_ATTRIBUTE **out)
{
	WS_HEAP *heap = n->buffer->heap;
	WS_XML_ATTRIBUTE *a, **v;
	HRESULT hr;
	ULONG cap;

	if (n->elem.attributeCount == n->attr_cap) {
		cap = n->attr_cap == 0 ? 4 : n->attr_cap * 2;
		if ((v = ws_heap_alloc(heap, cap * sizeof(*v), &hr)) == NULL)
			return hr;
		if (n->elem.attributeCount > 0)
			memcpy(v, n->elem.attributes,
			    n->elem.attributeCount * sizeof(*v));
		n->elem.attributes = v;
		n->attr_cap = cap;
	}
	if ((a = ws_heap_alloc(heap, sizeof(*a), &hr)) == NULL)
		return hr;
	memset(a, 0, sizeof(*a));
	a->isXmlNs = is_xmlns;
	a->singleQuote = single_quote;
	if ((a->prefix = xml_string_dup(heap, prefix, &hr)) == NULL ||
	    (a->localName = xml_string_dup(heap, local, &hr)) == NULL ||
	    (a->ns = xml_string_dup(heap, ns, &hr)) == NULL)
		return hr;
	if (value != NULL &&
	    (a->value = xml_text_copy(heap, value, &hr)) == NULL)
		return hr;
	n->elem.attributes[n->elem.attributeCount++] = a;
	if (out != NULL)
		*out = a;
	return S_OK;
}

HRESULT
xml_node_copy(WS_XML_BUFFER *b, struct xml_node *parent,
    struct xml_node *after, const struct xml_node *src, struct xml_node **out)
{
	struct xml_node *n, *last = NULL;
	const struct xml_node *c;
	WS_HEAP *heap = b->heap;
	HRESULT hr;
	ULONG i;

	if (src->kind == XML_KIND_ROOT) {
		/* A whole document: its children, in order. */
		for (c = src->first; c != NULL; c = c->next) {
			if ((hr = xml_node_copy(b, parent, after, c, &n)) != S_OK)
				return hr;
			after = last = n;
		}
		if (out != NULL)
			*out = last;
		return S_OK;
	}
	if ((n = xml_node_new(b, src->kind, &hr)) == NULL)
		return hr;
	n->start_done = src->start_done;
	n->closed = true;
	n->explicit_end = src->explicit_end;
	switch (src->kind) {
	case XML_KIND_ELEMENT:
		n->elem.isEmpty = src->elem.isEmpty;
		if ((n->elem.prefix = xml_string_dup(heap, src->elem.prefix,
		    &hr)) == NULL ||
		    (n->elem.localName = xml_string_dup(heap,
		    src->elem.localName, &hr)) == NULL ||
		    (n->elem.ns = xml_string_dup(heap, src->elem.ns,
		    &hr)) == NULL)
			return hr;
		for (i = 0; i < src->elem.attributeCount; i++) {
			const WS_XML_ATTRIBUTE *a = src->elem.attributes[i];

			if ((hr = xml_node_add_attr(n, a->isXmlNs,
			    a->singleQuote, a->prefix, a->localName, a->ns,
			    a->value, NULL)) != S_OK)
				return hr;
		}
		break;
	case XML_KIND_TEXT:
		if ((n->text.text = xml_text_copy(heap, src->text.text,
		    &hr)) == NULL)
			return hr;
		break;
	case XML_KIND_COMMENT:
		n->comment.value.length = src->comment.value.length;
		if ((n->comment.value.bytes = ws_heap_alloc(heap,
		    src->comment.value.length + 1, &hr)) == NULL)
			return hr;
		memcpy(n->comment.value.bytes, src->comment.value.bytes,
		    src->comment.value.length);
		break;
	default:
		break;
	}
	xml_node_insert(parent, after, n);
	for (c = src->first; c != NULL; c = c->next)
		if ((hr = xml_node_copy(b, n, n->last, c, NULL)) != S_OK)
			return hr;
	if (out != NULL)
		*out = n;
	return S_OK;
}

const WS_XML_STRING *
xml_scope_ns(const struct xml_node *n, const WS_XML_STRING *prefix)
{
	static const WS_XML_STRING xml_ns = WS_XML_STRING_VALUE(XML_NS_XML);
	static const WS_XML_STRING xmlns_ns = WS_XML_STRING_VALUE(XML_NS_XMLNS);
	ULONG i;

	if (xml_string_is(prefix, "xml"))
		return &xml_ns;
	if (xml_string_is(prefix, "xmlns"))
		return &xmlns_ns;
	for (; n != NULL && n->kind != XML_KIND_ROOT; n = n->parent) {
		if (n->kind != XML_KIND_ELEMENT)
			continue;
		for (i = 0; i < n->elem.attributeCount; i++) {
			const WS_XML_ATTRIBUTE *a = n->elem.attributes[i];

			if (a->isXmlNs && xml_string_eq(a->prefix, prefix))
				return a->ns;
		}
	}
	return NULL;
}

const WS_XML_STRING *
xml_scope_prefix(const struct xml_node *n, const WS_XML_STRING *ns)
{
	static const WS_XML_STRING xml_prefix = WS_XML_STRING_VALUE("xml");
	const struct xml_node *e;
	const WS_XML_STRING *bound;
	ULONG i;

	/* The xml prefix is bound everywhere and no other may be. */
	if (xml_string_is(ns, XML_NS_XML))
		return &xml_prefix;
	for (e = n; e != NULL && e->kind != XML_KIND_ROOT; e = e->parent) {
		if (e->kind != XML_KIND_ELEMENT)
			continue;
		for (i = 0; i < e->elem.attributeCount; i++) {
			const WS_XML_ATTRIBUTE *a = e->elem.attributes[i];

			if (!a->isXmlNs || !xml_string_eq(a->ns, ns))
				continue;
			/* Only if no element below rebinds the prefix. */
			bound = xml_scope_ns(n, a->prefix);
			if (bound != NULL && xml_string_eq(bound, ns))
				return a->prefix;
		}
	}
	return NULL;
}

bool
xml_is_container(const struct xml_node *n)
{
	return n->kind == XML_KIND_ROOT || n->kind == XML_KIND_ELEMENT ||
	    n->kind == XML_KIND_CDATA;
}

/* The next place in document order, NULL after EOF, and NULL (the buffer
 * starved) at the end of a node a stream reader has not obtained yet. */
struct xml_pos *
xml_pos_next(const struct xml_pos *p)
{
	struct xml_node *n = p->node, *c;

	if (!p->end && xml_is_container(n)) {
		if (n->first != NULL)
			return &n->first->at_start;
		c = n;
	} else if (n->kind == XML_KIND_ROOT)
		return NULL;
	else if (n->next != NULL)
		return &n->next->at_start;
	else
		c = n->parent;
	if (c->open) {
		c->buffer->starved = true;
		return NULL;
	}
	return &c->at_end;
}

static struct xml_pos *
xml_pos_prev(const struct xml_pos *p)
{
	struct xml_node *n = p->node;

	if (p->end && xml_is_container(n))
		return n->last != NULL ?
		    (xml_is_container(n->last) ? &n->last->at_end :
		    &n->last->at_start) : &n->at_start;
	if (n->kind == XML_KIND_ROOT)
		return NULL;
	if (n->prev != NULL)
		return xml_is_container(n->prev) ? &n->prev->at_end :
		    &n->prev->at_start;
	return &n->parent->at_start;
}

static struct xml_node *
xml_sibling_element(struct xml_node *n, bool forward)
{
	for (; n != NULL; n = forward ? n->next : n->prev)
		if (n->kind == XML_KIND_ELEMENT)
			return n;
	return NULL;
}

static struct xml_node *
xml_root_of(struct xml_node *n)
{
	while (n->parent != NULL)
		n = n->parent;
	return n;
}

/* WsMoveReader and WsMoveWriter: *pp moves when found. */
bool
xml_move(struct xml_pos **pp, WS_MOVE_TO to)
{
	struct xml_pos *p = *pp, *q = NULL;
	struct xml_node *n = p->node, *root = xml_root_of(n), *e;

	switch (to) {
	case WS_MOVE_TO_ROOT_ELEMENT:
		if ((e = xml_sibling_element(root->first, true)) != NULL)
			q = &e->at_start;
		break;
	case WS_MOVE_TO_NEXT_ELEMENT:
		if (n->kind != XML_KIND_ROOT &&
		    (e = xml_sibling_element(n->next, true)) != NULL)
			q = &e->at_start;
		break;
	case WS_MOVE_TO_PREVIOUS_ELEMENT:
		if (n->kind != XML_KIND_ROOT &&
		    (e = xml_sibling_element(n->prev, false)) != NULL)
			q = &e->at_start;
		break;
	case WS_MOVE_TO_CHILD_ELEMENT:
		if (!p->end && n->kind == XML_KIND_ELEMENT &&
		    (e = xml_sibling_element(n->first, true)) != NULL)
			q = &e->at_start;
		break;
	case WS_MOVE_TO_END_ELEMENT:
		if (!p->end && n->kind == XML_KIND_ELEMENT)
			q = &n->at_end;
		break;
	case WS_MOVE_TO_PARENT_ELEMENT:
		if (n->parent != NULL && n->parent->kind == XML_KIND_ELEMENT)
			q = &n->parent->at_start;
		break;
	case WS_MOVE_TO_NEXT_NODE:
		q = xml_pos_next(p);
		break;
	case WS_MOVE_TO_PREVIOUS_NODE:
		q = xml_pos_prev(p);
		break;
	case WS_MOVE_TO_FIRST_NODE:
		if (n->parent != NULL)
			q = &n->parent->first->at_start;
		break;
	case WS_MOVE_TO_BOF:
		q = &root->at_start;
		break;
	case WS_MOVE_TO_EOF:
		q = &root->at_end;
		break;
	case WS_MOVE_TO_CHILD_NODE:
		if (!p->end && xml_is_container(n) && n->first != NULL)
			q = &n->first->at_start;
		break;
	}
	if (q == NULL)
		return false;
	*pp = q;
	return true;
}

/* A position a caller hands back is looked up, never dereferenced: a
 * stale or foreign pointer is refused, not followed. */
struct xml_pos *
xml_pos_from(const WS_XML_NODE_POSITION *np, WS_XML_BUFFER *b)
{
	struct xml_pos *p;

	if (np == NULL || np->buffer != b || np->node == NULL)
		return NULL;
	for (p = &b->root->at_start; p != NULL; p = xml_pos_next(p)) {
		if ((void *)p == np->node)
			return p;
		if (!p->end && !xml_is_container(p->node) &&
		    (void *)&p->node->at_end == np->node)
			return NULL;
	}
	return NULL;
}

WS_EXPORT HRESULT WINAPI
WsCreateXmlBuffer(WS_HEAP *heap, const WS_XML_BUFFER_PROPERTY *properties,
    ULONG propertyCount, WS_XML_BUFFER **buffer, WS_ERROR *error)
{
	WS_XML_BUFFER *b;
	HRESULT hr;

	if (!ws_heap_valid(heap) || buffer == NULL ||
	    (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsCreateXmlBuffer: invalid heap or NULL buffer");
	/* No buffer property is defined. */
	if (propertyCount > 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsCreateXmlBuffer: unknown property %d",
		    (int)properties[0].id);
	if ((b = xml_buffer_new(heap, &hr)) == NULL)
		return ws_error_fail(error, hr,
		    "WsCreateXmlBuffer: the heap cannot hold the buffer");
	*buffer = b;
	return S_OK;
}
