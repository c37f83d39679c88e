/*
 * Canonical XML of what a reader reads or a writer writes between
 * WsStart...Canonicalization and WsEnd...Canonicalization.
 *
 * libxml2 does the canonicalization (xmlC14NExecute, C14N 1.0 and
 * Exclusive C14N 1.0, with or without comments).  What it is given is a
 * small document: the nodes read or written, serialized as text, inside
 * stand-ins for their ancestor elements that carry the ancestors'
 * namespace declarations (and xml:* attributes), so that the namespaces in
 * scope are those of the original.  A visibility callback makes the
 * stand-ins and the omitted element's subtrees a document subset's
 * invisible part, which is what C14N specifies for a subset.
 *
 * A writer's canonical bytes go to the callback as the document is
 * written: at each end of an element, the canonical form of what was
 * written so far, less the end tags of the elements still open, is final
 * and what of it was not given yet is given (in pieces of at most the
 * output buffer size); WsEndWriterCanonicalization gives the rest.  A
 * reader's go at WsEndReaderCanonicalization.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_reader.h"
#include "xml_writer.h"

#define XML_C14N_DEFAULT_BUFFER	1024
#define XML_C14N_WRAPPER	"_c14n_scope"

struct xml_c14n {
	WS_WRITE_CALLBACK	 cb;
	void			*state;
	int			 mode;		/* XML_C14N_1_0, _EXCLUSIVE_1_0 */
	bool			 comments;
	xmlChar			**prefixes;	/* inclusive, NULL-terminated */
	char			*omit_local, *omit_ns;
	bool			 omit;
	ULONG			 bufsize;
	/* Writer: the nodes written go into `parent` between `after` and
	 * `stop` as they were at the start.  Reader: the first node. */
	struct xml_node		*parent, *after, *stop;
	struct xml_pos		*start;
	size_t			 given;	/* canonical bytes given so far */
};

static char *
xml_c14n_strdup(const WS_XML_STRING *s)
{
	char *p;

	if ((p = malloc(s->length + 1)) == NULL)
		return NULL;
	memcpy(p, s->bytes, s->length);
	p[s->length] = '\0';
	return p;
}

void
xml_c14n_free(struct xml_c14n *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; c->prefixes != NULL && c->prefixes[i] != NULL; i++)
		free(c->prefixes[i]);
	free(c->prefixes);
	free(c->omit_local);
	free(c->omit_ns);
	free(c);
}

/* long: one case per canonicalization property of the reference page. */
static HRESULT
xml_c14n_new(WS_WRITE_CALLBACK cb, void *state,
    const WS_XML_CANONICALIZATION_PROPERTY *props, ULONG count,
    struct xml_c14n **out, WS_ERROR *error, const char *api)
{
	const WS_XML_CANONICALIZATION_INCLUSIVE_PREFIXES *ip;
	const WS_XML_QNAME *q;
	WS_XML_CANONICALIZATION_ALGORITHM alg =
	    WS_EXCLUSIVE_XML_CANONICALIZATION_ALGORITHM;
	struct xml_c14n *c;
	ULONG i, k;
	HRESULT hr = S_OK;

	if (cb == NULL || (props == NULL && count > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL callback or properties", api);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	c->cb = cb;
	c->state = state;
	c->bufsize = XML_C14N_DEFAULT_BUFFER;
	for (i = 0; i < count && hr == S_OK; i++) {
		switch (props[i].id) {
		case WS_XML_CANONICALIZATION_PROPERTY_ALGORITHM:
			if (props[i].value == NULL ||
			    props[i].valueSize != sizeof(alg)) {
				hr = E_INVALIDARG;
				break;
			}
			memcpy(&alg, props[i].value, sizeof(alg));
			if ((unsigned)alg >
			    WS_INCLUSIVE_WITH_COMMENTS_XML_CANONICALIZATION_ALGORITHM)
				hr = E_INVALIDARG;
			break;
		case WS_XML_CANONICALIZATION_PROPERTY_INCLUSIVE_PREFIXES:
			ip = props[i].value;
			if (ip == NULL || props[i].valueSize != sizeof(*ip) ||
			    (ip->prefixes == NULL && ip->prefixCount > 0)) {
				hr = E_INVALIDARG;
				break;
			}
			if ((c->prefixes = calloc((size_t)ip->prefixCount + 1,
			    sizeof(*c->prefixes))) == NULL) {
				hr = E_OUTOFMEMORY;
				break;
			}
			for (k = 0; k < ip->prefixCount && hr == S_OK; k++) {
				/* C14N names the default namespace so. */
				c->prefixes[k] = ip->prefixes[k].length == 0 ?
				    (xmlChar *)strdup("#default") : (xmlChar *)
				    xml_c14n_strdup(&ip->prefixes[k]);
				if (c->prefixes[k] == NULL)
					hr = E_OUTOFMEMORY;
			}
			break;
		case WS_XML_CANONICALIZATION_PROPERTY_OMITTED_ELEMENT:
			q = props[i].value;
			if (q == NULL || props[i].valueSize != sizeof(*q)) {
				hr = E_INVALIDARG;
				break;
			}
			c->omit = true;
			if ((c->omit_local = xml_c14n_strdup(&q->localName)) ==
			    NULL || (c->omit_ns = xml_c14n_strdup(&q->ns)) ==
			    NULL)
				hr = E_OUTOFMEMORY;
			break;
		case WS_XML_CANONICALIZATION_PROPERTY_OUTPUT_BUFFER_SIZE:
			if (props[i].value == NULL ||
			    props[i].valueSize != sizeof(ULONG)) {
				hr = E_INVALIDARG;
				break;
			}
			memcpy(&c->bufsize, props[i].value, sizeof(ULONG));
			if (c->bufsize == 0)
				hr = E_INVALIDARG;
			break;
		default:
			hr = E_INVALIDARG;
			break;
		}
	}
	if (hr != S_OK) {
		xml_c14n_free(c);
		return ws_error_fail(error, hr, "%s: %s", api,
		    hr == E_OUTOFMEMORY ? "out of memory" :
		    "invalid canonicalization property");
	}
	c->mode = alg <= WS_EXCLUSIVE_WITH_COMMENTS_XML_CANONICALIZATION_ALGORITHM ?
	    XML_C14N_EXCLUSIVE_1_0 : XML_C14N_1_0;
	c->comments =
	    alg == WS_EXCLUSIVE_WITH_COMMENTS_XML_CANONICALIZATION_ALGORITHM ||
	    alg == WS_INCLUSIVE_WITH_COMMENTS_XML_CANONICALIZATION_ALGORITHM;
	*out = c;
	return S_OK;
}

/* What the visibility callback needs: the stand-in of the innermost
 * ancestor, and the omitted element. */
struct xml_c14n_doc {
	xmlNodePtr		 wrapper;
	const struct xml_c14n	*c;
};

static bool
xml_c14n_omitted(const struct xml_c14n *c, xmlNodePtr n)
{
	const char *ns;

	if (!c->omit || n->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->name, c->omit_local) != 0)
		return false;
	ns = n->ns != NULL && n->ns->href != NULL ?
	    (const char *)n->ns->href : "";
	return strcmp(ns, c->omit_ns) == 0;
}

static int
xml_c14n_visible(void *arg, xmlNodePtr node, xmlNodePtr parent)
{
	struct xml_c14n_doc *d = arg;
	xmlNodePtr n;

	/* Namespace nodes are not xmlNode: their element is `parent`. */
	n = node == NULL || node->type == XML_NAMESPACE_DECL ? parent : node;
	for (; n != NULL; n = n->parent) {
		if (xml_c14n_omitted(d->c, n))
			return 0;
		if (n->parent == d->wrapper)
			return 1;
	}
	return 0;
}

static int
xml_c14n_collect(void *arg, const char *buf, int len)
{
	xml_out_add(arg, buf, (size_t)len);
	return len;
}

static int
xml_c14n_close(void *arg)
{
	(void)arg;
	return 0;
}

/* The start tag of a stand-in for ancestor `a`: its namespace
 * declarations and xml:* attributes. */
static HRESULT
xml_c14n_wrapper(const struct xml_node *a, struct xml_out *o)
{
	const WS_XML_ATTRIBUTE *at;
	struct xml_out v = { 0 };
	ULONG i;
	HRESULT hr = S_OK;

	xml_out_str(o, "<" XML_C14N_WRAPPER);
	for (i = 0; i < a->elem.attributeCount && hr == S_OK; i++) {
		at = a->elem.attributes[i];
		if (at->isXmlNs) {
			if (xml_string_is(at->prefix, "xml"))
				continue;
			xml_out_str(o, " xmlns");
			if (at->prefix->length > 0) {
				xml_out_str(o, ":");
				xml_out_add(o, at->prefix->bytes,
				    at->prefix->length);
			}
			v.len = 0;
			xml_out_add(&v, at->ns->bytes, at->ns->length);
		} else if (xml_string_is(at->prefix, "xml")) {
			xml_out_str(o, " xml:");
			xml_out_add(o, at->localName->bytes,
			    at->localName->length);
			v.len = 0;
			hr = xml_text_format(at->value, &v);
		} else
			continue;
		xml_out_str(o, "=\"");
		for (size_t k = 0; k < v.len; k++)
			switch (v.p[k]) {
			case '&': xml_out_str(o, "&amp;"); break;
			case '<': xml_out_str(o, "&lt;"); break;
			case '"': xml_out_str(o, "&quot;"); break;
			default: xml_out_add(o, &v.p[k], 1); break;
			}
		xml_out_str(o, "\"");
	}
	xml_out_str(o, ">");
	xml_out_free(&v);
	return hr;
}

static HRESULT
xml_c14n_scope(const struct xml_node *a, struct xml_out *o, size_t *depth)
{
	HRESULT hr;

	if (a == NULL || a->kind != XML_KIND_ELEMENT)
		return S_OK;
	if ((hr = xml_c14n_scope(a->parent, o, depth)) != S_OK)
		return hr;
	(*depth)++;
	return xml_c14n_wrapper(a, o);
}

/* The end tags of the open elements at the end of [first, stop), the
 * innermost first, as the serialization left them open. */
static void
xml_c14n_open_ends(const struct xml_node *first, const struct xml_node *stop,
    struct xml_out *o)
{
	const struct xml_node *n = NULL, *c;

	for (c = first; c != NULL && c != stop; c = c->next)
		n = c;
	if (n == NULL || n->kind != XML_KIND_ELEMENT || n->closed ||
	    !n->start_done)
		return;
	xml_c14n_open_ends(n->first, NULL, o);
	xml_out_str(o, "</");
	if (n->elem.prefix != NULL && n->elem.prefix->length > 0) {
		xml_out_add(o, n->elem.prefix->bytes, n->elem.prefix->length);
		xml_out_str(o, ":");
	}
	xml_out_add(o, n->elem.localName->bytes, n->elem.localName->length);
	xml_out_str(o, ">");
}

/*
 * The canonical form of the siblings [first, stop) under `parent`; with
 * `partial`, elements may be open (closed here: `ends` gets the end tags
 * that closed them).
 */
static HRESULT
xml_c14n_canon(const struct xml_c14n *c, const struct xml_node *parent,
    const struct xml_node *first, const struct xml_node *stop,
    struct xml_out *ends, struct xml_out *canon, WS_ERROR *error,
    const char *api)
{
	struct xml_out text = { 0 };
	struct xml_c14n_doc d;
	const struct xml_node *n;
	xmlOutputBufferPtr ob;
	xmlDocPtr doc;
	xmlNodePtr w;
	size_t depth = 0, i;
	HRESULT hr;
	int rc;

	xml_out_str(&text, "<" XML_C14N_WRAPPER ">");
	if ((hr = xml_c14n_scope(parent, &text, &depth)) != S_OK)
		goto out;
	for (n = first; n != NULL && n != stop; n = n->next) {
		if (ends == NULL && n->kind == XML_KIND_ELEMENT &&
		    !n->closed) {
			hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: an element is still open", api);
			goto out;
		}
		if ((hr = xml_serial_text(n, &text)) != S_OK)
			goto out;
	}
	if (ends != NULL) {
		xml_c14n_open_ends(first, stop, ends);
		xml_out_add(&text, ends->p, ends->len);
	}
	for (i = 0; i <= depth; i++)
		xml_out_str(&text, "</" XML_C14N_WRAPPER ">");
	if (text.oom || text.len > INT32_MAX || (ends != NULL && ends->oom)) {
		hr = E_OUTOFMEMORY;
		goto out;
	}
	doc = xmlReadMemory((const char *)text.p, (int)text.len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the nodes do not make well-formed XML", api);
		goto out;
	}
	for (w = xmlDocGetRootElement(doc), i = 0; i < depth; i++)
		for (w = w->children; w != NULL &&
		    w->type != XML_ELEMENT_NODE; w = w->next)
			;
	d.wrapper = w;
	d.c = c;
	ob = xmlOutputBufferCreateIO(xml_c14n_collect, xml_c14n_close,
	    canon, NULL);
	rc = ob == NULL ? -1 : xmlC14NExecute(doc, xml_c14n_visible, &d,
	    c->mode, c->mode == XML_C14N_EXCLUSIVE_1_0 ? c->prefixes : NULL,
	    c->comments, ob);
	if (ob != NULL)
		xmlOutputBufferClose(ob);
	xmlFreeDoc(doc);
	if (rc < 0 || canon->oom) {
		hr = ws_error_fail(error, canon->oom ? E_OUTOFMEMORY :
		    WS_E_INVALID_FORMAT, "%s: canonicalization failed", api);
		goto out;
	}
	hr = S_OK;
out:
	xml_out_free(&text);
	return hr;
}

/* Gives canon[c->given, upto) to the callback, in pieces of at most the
 * buffer size. */
static HRESULT
xml_c14n_give(struct xml_c14n *c, const struct xml_out *canon, size_t upto,
    WS_ERROR *error, const char *api)
{
	WS_BYTES b;
	HRESULT hr;

	for (; c->given < upto; c->given += b.length) {
		b.bytes = canon->p + c->given;
		b.length = (ULONG)(upto - c->given < c->bufsize ?
		    upto - c->given : c->bufsize);
		if ((hr = c->cb(c->state, &b, 1, NULL, error)) != S_OK)
			return FAILED(hr) ? hr : ws_error_fail(error, E_FAIL,
			    "%s: the write callback did not complete", api);
	}
	return S_OK;
}

/* Canonicalizes the siblings [first, stop) under `parent` and gives what
 * was not given yet to the callback. */
static HRESULT
xml_c14n_run(struct xml_c14n *c, const struct xml_node *parent,
    const struct xml_node *first, const struct xml_node *stop,
    WS_ERROR *error, const char *api)
{
	struct xml_out canon = { 0 };
	HRESULT hr;

	if ((hr = xml_c14n_canon(c, parent, first, stop, NULL, &canon, error,
	    api)) == S_OK)
		hr = canon.len < c->given ? ws_error_fail(error,
		    WS_E_INVALID_OPERATION, "%s: what was written before "
		    "changed", api) : xml_c14n_give(c, &canon, canon.len, error,
		    api);
	xml_out_free(&canon);
	return hr;
}

/*
 * The writer's hook at each end of an element: the canonical form so far,
 * without the end tags of the elements still open, is final.  When those
 * end tags are not its end (an omitted element), nothing is final yet.
 */
static HRESULT
xml_c14n_step(WS_XML_WRITER *w, WS_ERROR *error, const char *api)
{
	struct xml_c14n *c = w->c14n;
	struct xml_out canon = { 0 }, ends = { 0 };
	const struct xml_node *first;
	HRESULT hr;

	if (c == NULL)
		return S_OK;
	first = c->after != NULL ? c->after->next : c->parent->first;
	if ((hr = xml_c14n_canon(c, c->parent, first, c->stop, &ends, &canon,
	    error, api)) == S_OK && canon.len >= ends.len &&
	    canon.len - ends.len >= c->given && (ends.len == 0 ||
	    memcmp(canon.p + canon.len - ends.len, ends.p, ends.len) == 0))
		hr = xml_c14n_give(c, &canon, canon.len - ends.len, error,
		    api);
	xml_out_free(&canon);
	xml_out_free(&ends);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsStartWriterCanonicalization(WS_XML_WRITER *writer,
    WS_WRITE_CALLBACK writeCallback, void *writeCallbackState,
    const WS_XML_CANONICALIZATION_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR *error)
{
	static const char api[] = "WsStartWriterCanonicalization";
	struct xml_c14n *c;
	struct xml_pos *p;
	HRESULT hr;

	if ((hr = xml_writer_check(writer, error, api)) != S_OK)
		return hr;
	if (writer->c14n != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is already canonicalizing", api);
	if (writer->attr != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is in an attribute", api);
	if ((hr = xml_c14n_new(writeCallback, writeCallbackState, properties,
	    propertyCount, &c, error, api)) != S_OK)
		return hr;
	/* Where the writer's next node goes, as xml_writer_place puts it. */
	p = writer->cur;
	if (!p->end && xml_is_container(p->node)) {
		c->parent = p->node;
		c->after = !p->node->closed && p->node->kind != XML_KIND_ROOT ?
		    p->node->last : NULL;
	} else {
		c->parent = p->node->parent;
		c->after = p->node;
	}
	if (c->parent == NULL) {
		xml_c14n_free(c);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is at the end of its output", api);
	}
	c->stop = c->after != NULL ? c->after->next : c->parent->first;
	writer->c14n = c;
	writer->c14n_step = xml_c14n_step;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsEndWriterCanonicalization(WS_XML_WRITER *writer, WS_ERROR *error)
{
	static const char api[] = "WsEndWriterCanonicalization";
	struct xml_c14n *c;
	HRESULT hr;

	if (!xml_writer_valid(writer))
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid writer",
		    api);
	if ((c = writer->c14n) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is not canonicalizing", api);
	writer->c14n = NULL;
	writer->c14n_step = NULL;
	hr = xml_c14n_run(c, c->parent, c->after != NULL ? c->after->next :
	    c->parent->first, c->stop, error, api);
	xml_c14n_free(c);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsStartReaderCanonicalization(WS_XML_READER *reader,
    WS_WRITE_CALLBACK writeCallback, void *writeCallbackState,
    const WS_XML_CANONICALIZATION_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR *error)
{
	static const char api[] = "WsStartReaderCanonicalization";
	struct xml_c14n *c;
	HRESULT hr;

	if ((hr = xml_reader_check(reader, error, api)) != S_OK)
		return hr;
	if (reader->c14n != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader is already canonicalizing", api);
	if (reader->in_attr)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader is in an attribute", api);
	if ((hr = xml_c14n_new(writeCallback, writeCallbackState, properties,
	    propertyCount, &c, error, api)) != S_OK)
		return hr;
	c->start = reader->cur;
	reader->c14n = c;
	return S_OK;
}

/* Is `a` `n` or one of its ancestors? */
static bool
xml_c14n_contains(const struct xml_node *a, const struct xml_node *n)
{
	for (; n != NULL; n = n->parent)
		if (n == a)
			return true;
	return false;
}

WS_EXPORT HRESULT WINAPI
WsEndReaderCanonicalization(WS_XML_READER *reader, WS_ERROR *error)
{
	static const char api[] = "WsEndReaderCanonicalization";
	struct xml_c14n *c;
	struct xml_node *first, *x, *stop = NULL;
	struct xml_pos *e;
	HRESULT hr;

	if (!xml_reader_valid(reader))
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid reader",
		    api);
	if ((c = reader->c14n) == NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader is not canonicalizing", api);
	reader->c14n = NULL;
	e = reader->cur;
	/* From the node current at the start (an END_ELEMENT or EOF: none)
	 * to the node current now, which is not read yet; an element that
	 * was entered but not left is a depth error. */
	first = c->start->end ? NULL : c->start->node;
	if (first != NULL && first->kind == XML_KIND_ROOT)
		first = first->first;
	for (x = first; x != NULL; x = x->next) {
		if (!xml_c14n_contains(x, e->node))
			continue;
		if (e->node == x && !e->end) {
			stop = x;
			break;
		}
		if (e->node == x && e->end) {
			stop = x->next;
			break;
		}
		xml_c14n_free(c);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader is deeper than where canonicalization "
		    "started", api);
	}
	hr = first == NULL || first == stop ? S_OK : xml_c14n_run(c,
	    first->parent, first, stop, error, api);
	xml_c14n_free(c);
	return hr;
}
