/*
 * The text writer with WS_XML_WRITER_PROPERTY_INDENT: each element starts
 * on a line of its own, indented by the property's number of spaces per
 * level of nesting, and an element holding elements ends on a line of its
 * own; text stays where it is written ("<a>\r\n  <b>t</b>\r\n</a>").
 * Lines end with CR LF, as the Windows writer ends them.  Texts, comments
 * and CDATA are written by the plain serializer (xml_serial_text); start
 * tags here, the same way.
 */
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_writer.h"

static void
xml_indent_escape(struct xml_out *o, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		switch (p[i]) {
		case '&':	xml_out_str(o, "&amp;"); break;
		case '<':	xml_out_str(o, "&lt;"); break;
		case '>':	xml_out_str(o, "&gt;"); break;
		case '"':	xml_out_str(o, "&quot;"); break;
		case '\r':	xml_out_str(o, "&#xD;"); break;
		case '\t':	xml_out_str(o, "&#x9;"); break;
		case '\n':	xml_out_str(o, "&#xA;"); break;
		default:	xml_out_add(o, &p[i], 1); break;
		}
}

static void
xml_indent_qname(struct xml_out *o, const WS_XML_STRING *prefix,
    const WS_XML_STRING *local)
{
	if (prefix != NULL && prefix->length > 0) {
		xml_out_add(o, prefix->bytes, prefix->length);
		xml_out_str(o, ":");
	}
	xml_out_add(o, local->bytes, local->length);
}

static HRESULT
xml_indent_start_tag(const struct xml_node *n, struct xml_out *o)
{
	struct xml_out v = { 0 };
	const WS_XML_ATTRIBUTE *a;
	HRESULT hr = S_OK;
	ULONG i;

	xml_out_str(o, "<");
	xml_indent_qname(o, n->elem.prefix, n->elem.localName);
	for (i = 0; i < n->elem.attributeCount && hr == S_OK; i++) {
		a = n->elem.attributes[i];
		xml_out_str(o, " ");
		v.len = 0;
		if (a->isXmlNs) {
			xml_out_str(o, "xmlns");
			if (a->prefix->length > 0) {
				xml_out_str(o, ":");
				xml_out_add(o, a->prefix->bytes,
				    a->prefix->length);
			}
			xml_out_add(&v, a->ns->bytes, a->ns->length);
		} else {
			xml_indent_qname(o, a->prefix, a->localName);
			if (a->value != NULL)
				hr = xml_text_format(a->value, &v);
		}
		xml_out_str(o, "=\"");
		xml_indent_escape(o, v.p, v.len);
		xml_out_str(o, "\"");
	}
	xml_out_free(&v);
	return hr;
}

static void
xml_indent_line(struct xml_out *o, ULONG indent, ULONG depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)indent * depth, k;

	xml_out_str(o, "\r\n");
	for (; n > 0; n -= k) {
		k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		xml_out_add(o, spaces, k);
	}
}

/* Writes `n` at nesting `depth`; *stop at an open start tag. */
static HRESULT
xml_indent_node(const struct xml_node *n, ULONG indent, ULONG depth,
    bool first, struct xml_out *o, bool *stop)
{
	const struct xml_node *c;
	bool elems = false;
	HRESULT hr;

	if (n->kind != XML_KIND_ELEMENT)
		return xml_serial_text(n, o);
	if (!n->start_done && !n->closed) {
		*stop = true;
		return S_OK;
	}
	if (!first)
		xml_indent_line(o, indent, depth);
	if ((hr = xml_indent_start_tag(n, o)) != S_OK)
		return hr;
	if (n->closed && n->first == NULL && !n->explicit_end) {
		xml_out_str(o, "/>");
		return S_OK;
	}
	xml_out_str(o, ">");
	for (c = n->first; c != NULL && !*stop; c = c->next) {
		if ((hr = xml_indent_node(c, indent, depth + 1, false, o,
		    stop)) != S_OK)
			return hr;
		elems = elems || c->kind == XML_KIND_ELEMENT;
	}
	if (*stop || !n->closed)
		return S_OK;
	if (elems)
		xml_indent_line(o, indent, depth);
	xml_out_str(o, "</");
	xml_indent_qname(o, n->elem.prefix, n->elem.localName);
	xml_out_str(o, ">");
	return S_OK;
}

HRESULT
xml_indent_text(const struct xml_node *root, ULONG indent, struct xml_out *o)
{
	const struct xml_node *c;
	bool stop = false, first = true;
	HRESULT hr = S_OK;

	for (c = root->first; c != NULL && !stop && hr == S_OK; c = c->next) {
		hr = xml_indent_node(c, indent, 0, first, o, &stop);
		first = false;
	}
	if (hr == S_OK && o->oom)
		hr = E_OUTOFMEMORY;
	return hr;
}
