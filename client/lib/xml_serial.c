/*
 * XML buffers to and from bytes.  Text is written here, as Windows writes
 * it (prefixes as given, empty elements as <a/>, no indentation); text is
 * parsed by libxml2.  Binary is xml_binary.c's, over the daemon's MC-NBFX
 * codec.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "internal.h"
#include "xml_internal.h"

static void
xml_escape(struct xml_out *o, const uint8_t *p, size_t n, int quote)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '\r':	rep = "&#xD;"; break;
		case '"':	rep = quote == '"' ? "&quot;" : NULL; break;
		case '\'':	rep = quote == '\'' ? "&apos;" : NULL; break;
		case '\t':	rep = quote != 0 ? "&#x9;" : NULL; break;
		case '\n':	rep = quote != 0 ? "&#xA;" : NULL; break;
		default:	rep = NULL; break;
		}
		if (rep == NULL)
			continue;
		xml_out_add(o, p + run, i - run);
		xml_out_str(o, rep);
		run = i + 1;
	}
	xml_out_add(o, p + run, n - run);
}

static HRESULT
xml_escape_text(struct xml_out *o, const WS_XML_TEXT *t, int quote)
{
	struct xml_out v = { 0 };
	HRESULT hr;

	if (t == NULL)
		return S_OK;
	if ((hr = xml_text_format(t, &v)) == S_OK)
		xml_escape(o, v.p, v.len, quote);
	if (hr == S_OK && v.oom)
		hr = E_OUTOFMEMORY;
	xml_out_free(&v);
	return hr;
}

static void
xml_qname(struct xml_out *o, const WS_XML_STRING *prefix,
    const WS_XML_STRING *local)
{
	if (prefix != NULL && prefix->length > 0) {
		xml_out_add(o, prefix->bytes, prefix->length);
		xml_out_str(o, ":");
	}
	if (local != NULL)
		xml_out_add(o, local->bytes, local->length);
}

static HRESULT
xml_serial_start_tag(const struct xml_node *n, struct xml_out *o)
{
	const WS_XML_ATTRIBUTE *a;
	int q;
	ULONG i;
	HRESULT hr;

	xml_out_str(o, "<");
	xml_qname(o, n->elem.prefix, n->elem.localName);
	for (i = 0; i < n->elem.attributeCount; i++) {
		a = n->elem.attributes[i];
		q = a->singleQuote ? '\'' : '"';
		xml_out_str(o, " ");
		if (a->isXmlNs) {
			xml_out_str(o, "xmlns");
			if (a->prefix->length > 0) {
				xml_out_str(o, ":");
				xml_out_add(o, a->prefix->bytes,
				    a->prefix->length);
			}
			xml_out_str(o, q == '"' ? "=\"" : "='");
			xml_escape(o, a->ns->bytes, a->ns->length, q);
		} else {
			xml_qname(o, a->prefix, a->localName);
			xml_out_str(o, q == '"' ? "=\"" : "='");
			if ((hr = xml_escape_text(o, a->value, q)) != S_OK)
				return hr;
		}
		xml_out_str(o, q == '"' ? "\"" : "'");
	}
	return S_OK;
}

/* Writes `n`; *stop when an open start tag ends what can be written. */
static HRESULT
xml_serial_node(const struct xml_node *n, struct xml_out *o, bool *stop)
{
	const struct xml_node *c;
	HRESULT hr;

	switch (n->kind) {
	case XML_KIND_ELEMENT:
		if (!n->start_done && !n->closed) {
			*stop = true;
			return S_OK;
		}
		if ((hr = xml_serial_start_tag(n, o)) != S_OK)
			return hr;
		if (n->closed && n->first == NULL && !n->explicit_end) {
			xml_out_str(o, "/>");
			return S_OK;
		}
		xml_out_str(o, ">");
		break;
	case XML_KIND_CDATA:
		xml_out_str(o, "<![CDATA[");
		break;
	case XML_KIND_TEXT:
		if (n->parent->kind == XML_KIND_CDATA) {
			struct xml_out v = { 0 };

			hr = xml_text_format(n->text.text, &v);
			xml_out_add(o, v.p, v.len);
			xml_out_free(&v);
			return hr;
		}
		return xml_escape_text(o, n->text.text, 0);
	case XML_KIND_COMMENT:
		xml_out_str(o, "<!--");
		xml_out_add(o, n->comment.value.bytes, n->comment.value.length);
		xml_out_str(o, "-->");
		return S_OK;
	case XML_KIND_ROOT:
		break;
	}
	for (c = n->first; c != NULL && !*stop; c = c->next)
		if ((hr = xml_serial_node(c, o, stop)) != S_OK)
			return hr;
	if (*stop || !n->closed)
		return S_OK;
	if (n->kind == XML_KIND_ELEMENT) {
		xml_out_str(o, "</");
		xml_qname(o, n->elem.prefix, n->elem.localName);
		xml_out_str(o, ">");
	} else if (n->kind == XML_KIND_CDATA)
		xml_out_str(o, "]]>");
	return S_OK;
}

HRESULT
xml_serial_text(const struct xml_node *root, struct xml_out *o)
{
	bool stop = false;
	HRESULT hr;

	hr = xml_serial_node(root, o, &stop);
	if (hr == S_OK && o->oom)
		hr = E_OUTOFMEMORY;
	return hr;
}

HRESULT
xml_serial_encode(const struct xml_node *root, WS_CHARSET cs,
    struct xml_out *o)
{
	struct xml_out t = { 0 };
	WCHAR *w;
	size_t n, i;
	HRESULT hr;

	if (cs == WS_CHARSET_UTF8 || cs == WS_CHARSET_AUTO)
		return xml_serial_text(root, o);
	if ((hr = xml_serial_text(root, &t)) != S_OK) {
		xml_out_free(&t);
		return hr;
	}
	xml_out_add(&t, "", 1);
	w = t.oom ? NULL : ws_utf8_to_utf16((char *)t.p, t.len - 1, &n);
	xml_out_free(&t);
	if (w == NULL)
		return E_OUTOFMEMORY;
	for (i = 0; i < n; i++) {
		uint8_t b[2];

		b[cs == WS_CHARSET_UTF16BE ? 1 : 0] = (uint8_t)(w[i] & 0xff);
		b[cs == WS_CHARSET_UTF16BE ? 0 : 1] = (uint8_t)(w[i] >> 8);
		xml_out_add(o, b, 2);
	}
	free(w);
	return o->oom ? E_OUTOFMEMORY : S_OK;
}

static WS_XML_STRING *
xml_serial_str(WS_HEAP *heap, const xmlChar *s, HRESULT *hr)
{
	size_t n = s != NULL ? strlen((const char *)s) : 0;

	return xml_string_new(heap, s, (ULONG)n, hr);
}

/*
 * A namespace name as libxml2 keeps it: without entity substitution it
 * leaves an '&' of the document (written &amp;) as the reference "&#38;",
 * while attribute values and text come back decoded.  Undo it, left to
 * right, so that "&amp;#38;" (kept as "&#38;#38;") is "&#38;" again.
 */
static WS_XML_STRING *
xml_serial_href(WS_HEAP *heap, const xmlChar *s, HRESULT *hr)
{
	static const char ref[] = "&#38;";
	WS_XML_STRING *out;
	const char *p, *amp;
	char *d, *q;

	if (s == NULL || strstr((const char *)s, ref) == NULL)
		return xml_serial_str(heap, s, hr);
	if ((d = malloc(strlen((const char *)s) + 1)) == NULL) {
		*hr = E_OUTOFMEMORY;
		return NULL;
	}
	for (p = (const char *)s, q = d; (amp = strstr(p, ref)) != NULL;
	    p = amp + sizeof(ref) - 1) {
		memcpy(q, p, (size_t)(amp - p));
		q += amp - p;
		*q++ = '&';
	}
	strcpy(q, p);
	out = xml_string_new(heap, (const BYTE *)d, (ULONG)strlen(d), hr);
	free(d);
	return out;
}

static HRESULT
xml_serial_attrs(struct xml_node *n, xmlNodePtr x, ULONG max_attrs)
{
	WS_HEAP *heap = n->buffer->heap;
	WS_XML_STRING *p, *l, *ns;
	WS_XML_TEXT *v;
	xmlNsPtr d;
	xmlAttrPtr a;
	xmlChar *val;
	HRESULT hr = S_OK;

	for (d = x->nsDef; d != NULL; d = d->next) {
		if ((p = xml_serial_str(heap, d->prefix, &hr)) == NULL ||
		    (ns = xml_serial_href(heap, d->href, &hr)) == NULL ||
		    (v = xml_text_utf8(heap, ns->bytes, ns->length,
		    &hr)) == NULL ||
		    (hr = xml_node_add_attr(n, true, false, p, p, ns, v,
		    NULL)) != S_OK)
			return hr;
	}
	for (a = x->properties; a != NULL; a = a->next) {
		if (a->ns == NULL && strchr((const char *)a->name, ':') != NULL)
			return WS_E_INVALID_FORMAT;	/* undeclared prefix */
		if ((val = xmlNodeGetContent((xmlNodePtr)a)) == NULL)
			return E_OUTOFMEMORY;
		if ((p = xml_serial_str(heap, a->ns != NULL ? a->ns->prefix :
		    NULL, &hr)) == NULL ||
		    (l = xml_serial_str(heap, a->name, &hr)) == NULL ||
		    (ns = xml_serial_href(heap, a->ns != NULL ? a->ns->href :
		    NULL, &hr)) == NULL ||
		    (v = xml_text_utf8(heap, val, strlen((char *)val),
		    &hr)) == NULL ||
		    (hr = xml_node_add_attr(n, false, false, p, l, ns, v,
		    NULL)) != S_OK) {
			xmlFree(val);
			return hr;
		}
		xmlFree(val);
	}
	return n->elem.attributeCount > max_attrs ? WS_E_QUOTA_EXCEEDED : S_OK;
}

static HRESULT
xml_serial_from(WS_XML_BUFFER *b, struct xml_node *parent, xmlNodePtr x,
    ULONG depth, ULONG max_depth, ULONG max_attrs)
{
	struct xml_node *n;
	enum xml_kind kind;
	xmlChar *s;
	HRESULT hr = S_OK;

	for (; x != NULL; x = x->next) {
		switch (x->type) {
		case XML_ELEMENT_NODE:
			kind = XML_KIND_ELEMENT;
			if (depth + 1 > max_depth)
				return WS_E_QUOTA_EXCEEDED;
			if (x->ns == NULL &&
			    strchr((const char *)x->name, ':') != NULL)
				return WS_E_INVALID_FORMAT;
			break;
		case XML_TEXT_NODE:	kind = XML_KIND_TEXT; break;
		case XML_CDATA_SECTION_NODE: kind = XML_KIND_CDATA; break;
		case XML_COMMENT_NODE:	kind = XML_KIND_COMMENT; break;
		default:
			return WS_E_INVALID_FORMAT;
		}
		if ((n = xml_node_new(b, kind, &hr)) == NULL)
			return hr;
		n->start_done = n->closed = true;
		xml_node_insert(parent, parent->last, n);
		if (kind == XML_KIND_ELEMENT) {
			if ((n->elem.prefix = xml_serial_str(b->heap,
			    x->ns != NULL ? x->ns->prefix : NULL, &hr)) ==
			    NULL || (n->elem.localName = xml_serial_str(b->heap,
			    x->name, &hr)) == NULL ||
			    (n->elem.ns = xml_serial_href(b->heap, x->ns != NULL ?
			    x->ns->href : NULL, &hr)) == NULL ||
			    (hr = xml_serial_attrs(n, x, max_attrs)) != S_OK ||
			    (hr = xml_serial_from(b, n, x->children, depth + 1,
			    max_depth, max_attrs)) != S_OK)
				return hr;
			n->elem.isEmpty = n->first == NULL;
			continue;
		}
		s = x->content != NULL ? x->content : BAD_CAST "";
		if (kind == XML_KIND_COMMENT) {
			WS_XML_STRING *c = xml_serial_str(b->heap, s, &hr);

			if (c == NULL)
				return hr;
			n->comment.value = *c;
			continue;
		}
		if (kind == XML_KIND_CDATA) {
			struct xml_node *t = xml_node_new(b, XML_KIND_TEXT, &hr);

			if (t == NULL)
				return hr;
			t->closed = true;
			xml_node_insert(n, NULL, t);
			n = t;
		}
		if ((n->text.text = xml_text_utf8(b->heap, s,
		    strlen((const char *)s), &hr)) == NULL)
			return hr;
	}
	return S_OK;
}

HRESULT
xml_serial_from_doc(WS_XML_BUFFER *b, struct xml_node *parent,
    xmlNodePtr first, ULONG max_depth, ULONG max_attrs)
{
	return xml_serial_from(b, parent, first, 0, max_depth, max_attrs);
}

/*
 * Text as UTF-8 (BOM removed, `*bom` its bytes); *why on failure.  An
 * incomplete input (a stream so far) loses a trailing odd byte or lone
 * high surrogate, which the next bytes complete.
 */
static uint8_t *
xml_serial_utf8(const uint8_t *in, size_t len, WS_CHARSET *csp,
    bool complete, size_t *outlen, size_t *bom, const char **why)
{
	WS_CHARSET cs = *csp;
	WCHAR *w;
	char *u;
	size_t i, n;
	uint8_t *r;

	*bom = 0;
	if (cs == WS_CHARSET_AUTO) {
		if (len >= 2 && ((in[0] == 0xff && in[1] == 0xfe) ||
		    (in[0] == '<' && in[1] == 0)))
			cs = WS_CHARSET_UTF16LE;
		else if (len >= 2 && ((in[0] == 0xfe && in[1] == 0xff) ||
		    (in[0] == 0 && in[1] == '<')))
			cs = WS_CHARSET_UTF16BE;
		else
			cs = WS_CHARSET_UTF8;
	}
	*csp = cs;
	if (cs == WS_CHARSET_UTF8) {
		if (len >= 3 && in[0] == 0xef && in[1] == 0xbb && in[2] == 0xbf) {
			in += 3;
			len -= 3;
			*bom = 3;
		}
		if ((r = malloc(len + 1)) == NULL)
			return NULL;
		memcpy(r, in, len);
		*outlen = len;
		return r;
	}
	if (len % 2 != 0) {
		if (complete) {
			*why = "odd number of bytes in UTF-16 text";
			return NULL;
		}
		len--;
	}
	if ((w = malloc(len + 2)) == NULL)
		return NULL;
	for (i = 0; i < len / 2; i++)
		w[i] = cs == WS_CHARSET_UTF16LE ?
		    (WCHAR)(in[2 * i] | in[2 * i + 1] << 8) :
		    (WCHAR)(in[2 * i] << 8 | in[2 * i + 1]);
	n = len / 2;
	if (!complete && n > 0 && w[n - 1] >= 0xd800 && w[n - 1] < 0xdc00)
		n--;
	i = n > 0 && w[0] == 0xfeff ? 1 : 0;
	*bom = 2 * i;
	u = ws_utf16_to_utf8(w + i, n - i, outlen);
	free(w);
	if (u == NULL)
		*why = "invalid UTF-16 text";
	return (uint8_t *)u;
}

/* Parses UTF-8 text `p` (declaration allowed) under the buffer's root. */
static HRESULT
xml_serial_parse_utf8(WS_XML_BUFFER *b, const uint8_t *p, size_t n,
    const struct xml_out *closes, ULONG max_depth, ULONG max_attrs,
    const char **why)
{
	static const char open[] = "<_>", close[] = "</_>";
	struct xml_out w = { 0 };
	const uint8_t *e;
	xmlDocPtr doc;
	HRESULT hr;

	/* The declaration is read, not reported; libxml2 sees a fragment in
	 * a helper root, which allows several top-level nodes. */
	if (n >= 6 && memcmp(p, "<?xml", 5) == 0 &&
	    strchr(" \t\r\n", p[5]) != NULL) {
		e = NULL;
		for (size_t i = 5; i + 1 < n; i++)
			if (p[i] == '?' && p[i + 1] == '>') {
				e = p + i + 2;
				break;
			}
		if (e == NULL) {
			*why = "unterminated XML declaration";
			return WS_E_INVALID_FORMAT;
		}
		n -= (size_t)(e - p);
		p = e;
	}
	xml_out_str(&w, open);
	xml_out_add(&w, p, n);
	if (closes != NULL)
		xml_out_add(&w, closes->p, closes->len);
	xml_out_str(&w, close);
	if (w.oom || w.len > INT32_MAX) {
		xml_out_free(&w);
		return w.oom ? E_OUTOFMEMORY : WS_E_QUOTA_EXCEEDED;
	}
	doc = xmlReadMemory((const char *)w.p, (int)w.len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xml_out_free(&w);
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		*why = "the text is not well-formed XML";
		return WS_E_INVALID_FORMAT;
	}
	hr = xml_serial_from_doc(b, b->root,
	    xmlDocGetRootElement(doc)->children, max_depth, max_attrs);
	xmlFreeDoc(doc);
	if (hr == WS_E_INVALID_FORMAT)
		*why = "undeclared prefix or unsupported node";
	else if (hr == WS_E_QUOTA_EXCEEDED)
		*why = "the maximum depth or attribute count was exceeded";
	return hr;
}

HRESULT
xml_serial_parse_part(WS_XML_BUFFER *b, const uint8_t *in, size_t len,
    WS_CHARSET *csp, bool complete, ULONG max_depth, ULONG max_attrs,
    size_t *open, size_t *cut, const char **why)
{
	WS_CHARSET cs = *csp;
	struct xml_scan s = { 0 };
	bool fresh = b->root->first == NULL;
	uint8_t *u;
	size_t n, bom;
	HRESULT hr;

	*why = NULL;
	*open = 0;
	*cut = 0;
	u = xml_serial_utf8(in, len, &cs, complete, &n, &bom, why);
	*csp = cs;
	if (u == NULL)
		return *why != NULL ? WS_E_INVALID_FORMAT : E_OUTOFMEMORY;
	xml_scan_text(u, n, complete, &s);
	if (s.oom)
		hr = E_OUTOFMEMORY;
	else
		hr = xml_serial_parse_utf8(b, u, complete ? n : s.cut,
		    complete ? NULL : &s.closes, max_depth, max_attrs, why);
	if (cs == WS_CHARSET_UTF8)
		xml_scan_shift(&s, bom);
	else
		xml_scan_utf16(&s, u, n, bom);
	if (hr == S_OK && fresh)
		xml_scan_assign(&s, b->root, true);
	*open = s.open;
	*cut = s.cut_in;
	xml_scan_free(&s);
	free(u);
	return hr;
}

HRESULT
xml_serial_parse(WS_XML_BUFFER *b, const uint8_t *in, size_t len,
    WS_CHARSET cs, ULONG max_depth, ULONG max_attrs, const char **why)
{
	size_t open, cut;

	return xml_serial_parse_part(b, in, len, &cs, true, max_depth,
	    max_attrs, &open, &cut, why);
}
