/*
 * The binary XML writer: walks a libxml2 tree and picks, for each node,
 * the record Windows Web Services picks, so that our bytes match a Windows
 * peer's byte for byte.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "nbfx.h"
#include "nbfx_priv.h"

struct nbfx_nsbind {
	const xmlChar	*prefix;	/* NULL: the default namespace */
	const xmlChar	*href;		/* "": none */
};

struct nbfx_wr {
	struct nbfx_buf		 out;
	struct nbfx_dict	*d;
	struct nbfx_nsbind	*scope;	/* in-scope bindings, innermost last */
	size_t			 nscope, cap;
	struct nbfx_buf		 value;	/* scratch: an attribute value */
	const struct nbfx_wopts	*opts;	/* NULL: plain nbfx_write */
};

static const xmlChar *
nbfx_wr_lookup(const struct nbfx_wr *w, const xmlChar *prefix)
{
	size_t	 i;

	for (i = w->nscope; i > 0; i--)
		if (xmlStrEqual(w->scope[i - 1].prefix, prefix))
			return w->scope[i - 1].href;
	if (prefix == NULL)
		return BAD_CAST "";
	if (xmlStrEqual(prefix, BAD_CAST "xml"))
		return XML_XML_NAMESPACE;
	return NULL;
}

static int
nbfx_wr_push(struct nbfx_wr *w, const xmlChar *prefix, const xmlChar *href)
{
	struct nbfx_nsbind	*s;
	size_t			 cap;

	if (w->nscope == w->cap) {
		cap = w->cap != 0 ? w->cap * 2 : 16;
		if ((s = reallocarray(w->scope, cap, sizeof(*s))) == NULL)
			return -ENOMEM;
		w->scope = s;
		w->cap = cap;
	}
	w->scope[w->nscope].prefix = prefix;
	w->scope[w->nscope].href = href;
	w->nscope++;
	return 0;
}

/*
 * Makes sure `prefix` means `href` on the element whose bindings start at
 * scope[mark], adding a declaration when the tree relies on one it does
 * not carry (a node built with a namespace declared nowhere, or an element
 * in no namespace under a default one).
 */
static int
nbfx_wr_bind(struct nbfx_wr *w, size_t mark, const xmlChar *prefix,
    const xmlChar *href)
{
	const xmlChar	*cur;
	size_t		 i;

	if (prefix != NULL && prefix[0] == '\0')
		prefix = NULL;
	if (href == NULL)
		href = BAD_CAST "";
	for (i = w->nscope; i > mark; i--)
		if (xmlStrEqual(w->scope[i - 1].prefix, prefix))
			return xmlStrEqual(w->scope[i - 1].href, href) ? 0 : -EINVAL;
	if ((cur = nbfx_wr_lookup(w, prefix)) != NULL && xmlStrEqual(cur, href))
		return 0;
	if (prefix != NULL && (href[0] == '\0' ||
	    xmlStrEqual(prefix, BAD_CAST "xml") ||
	    xmlStrEqual(prefix, BAD_CAST "xmlns")))
		return -EINVAL;
	return nbfx_wr_push(w, prefix, href);
}

/* A string's DictionaryString id: static, else from the session (added
 * now if the quota allows).  Returns 1 with *id, 0 to write it inline. */
static int
nbfx_wr_dict_id(struct nbfx_wr *w, const xmlChar *s, uint32_t *id)
{
	size_t	 len = strlen((const char *)s);
	int	 i;

	if (len == 0)
		return 0;
	if ((i = nbfs_dict_lookup((const char *)s, len)) >= 0) {
		*id = 2 * (uint32_t)i;
		return 1;
	}
	if (w->opts != NULL && w->opts->dynamic != NULL) {
		uint32_t	 dyn;

		if ((i = w->opts->dynamic(w->opts->arg, (const char *)s, len,
		    &dyn)) < 0)
			return i;
		if (i == 1) {
			if (dyn > (NBFX_MAX_STRING - 1) / 2)
				return -EINVAL;
			*id = 2 * dyn + 1;
			return 1;
		}
	}
	if (w->d == NULL)
		return 0;
	if ((i = nbfx_dict_find(w->d, (const char *)s, len)) < 0 &&
	    (i = nbfx_dict_add(w->d, (const char *)s, len)) < 0)
		return i == -EDQUOT ? 0 : i;
	*id = 2 * (uint32_t)i + 1;
	return 1;
}

static int
nbfx_wr_xstring(struct nbfx_wr *w, const xmlChar *s)
{
	return nbfx_buf_string(&w->out, (const char *)s, strlen((const char *)s));
}

/* -1 for no prefix, 0..25 for a one-letter prefix, 26 for any other. */
static int
nbfx_wr_prefix_kind(const xmlChar *p)
{
	if (p == NULL || p[0] == '\0')
		return -1;
	if (p[0] >= 'a' && p[0] <= 'z' && p[1] == '\0')
		return p[0] - 'a';
	return 26;
}

/*
 * The record for a name: `base` is the Short (no prefix) form, base+1 the
 * prefixed one, base+2/+3 their dictionary forms; letters are the a..z
 * ranges.  Elements and attributes share this layout.
 */
static int
nbfx_wr_name(struct nbfx_wr *w, uint8_t base, uint8_t dict_letter,
    uint8_t letter, const xmlChar *prefix, const xmlChar *name)
{
	uint32_t	 id;
	int		 k = nbfx_wr_prefix_kind(prefix), rc;

	if (name == NULL || xmlValidateNCName(name, 0) != 0 ||
	    (k >= 0 && xmlValidateNCName(prefix, 0) != 0))
		return -EINVAL;
	if ((rc = nbfx_wr_dict_id(w, name, &id)) < 0)
		return rc;
	if (rc == 1) {
		if (k < 0)
			rc = nbfx_buf_byte(&w->out, base + 2);
		else if (k < 26)
			rc = nbfx_buf_byte(&w->out, (uint8_t)(dict_letter + k));
		else if ((rc = nbfx_buf_byte(&w->out, base + 3)) == 0)
			rc = nbfx_wr_xstring(w, prefix);
		return rc < 0 ? rc : nbfx_buf_mbi31(&w->out, id);
	}
	if (k < 0)
		rc = nbfx_buf_byte(&w->out, base);
	else if (k < 26)
		rc = nbfx_buf_byte(&w->out, (uint8_t)(letter + k));
	else if ((rc = nbfx_buf_byte(&w->out, base + 1)) == 0)
		rc = nbfx_wr_xstring(w, prefix);
	return rc < 0 ? rc : nbfx_wr_xstring(w, name);
}

static int
nbfx_wr_xmlns(struct nbfx_wr *w, const xmlChar *prefix, const xmlChar *href)
{
	uint32_t	 id;
	int		 dict, rc;

	if (!nbfx_xml_chars(href, strlen((const char *)href)) ||
	    (prefix != NULL && xmlValidateNCName(prefix, 0) != 0))
		return -EINVAL;
	if ((dict = nbfx_wr_dict_id(w, href, &id)) < 0)
		return dict;
	if (prefix == NULL)
		rc = nbfx_buf_byte(&w->out, dict ? NBFX_SHORT_DICT_XMLNS :
		    NBFX_SHORT_XMLNS);
	else if ((rc = nbfx_buf_byte(&w->out, dict ? NBFX_DICT_XMLNS :
	    NBFX_XMLNS)) == 0)
		rc = nbfx_wr_xstring(w, prefix);
	if (rc < 0)
		return rc;
	return dict ? nbfx_buf_mbi31(&w->out, id) : nbfx_wr_xstring(w, href);
}

/*
 * A text record: the one-byte records where they say exactly the same
 * thing, Chars8/16/32 otherwise (never DictionaryText: Windows writes
 * text inline too).  `end` picks the WithEndElement twin.
 */
static int
nbfx_wr_text(struct nbfx_wr *w, const uint8_t *s, size_t len, bool end)
{
	uint8_t	 t = 0, hdr[5];
	size_t	 n;

	if (len == 0)
		t = NBFX_EMPTY_TEXT;
	else if (len == 1 && s[0] == '0')
		t = NBFX_ZERO_TEXT;
	else if (len == 1 && s[0] == '1')
		t = NBFX_ONE_TEXT;
	else if (len == 4 && memcmp(s, "true", 4) == 0)
		t = NBFX_TRUE_TEXT;
	else if (len == 5 && memcmp(s, "false", 5) == 0)
		t = NBFX_FALSE_TEXT;
	if (t != 0)
		return nbfx_buf_byte(&w->out, (uint8_t)(t | (end ? 1 : 0)));
	/* Never write what our own reader would refuse. */
	if (len > NBFX_MAX_STRING || !nbfx_xml_chars(s, len))
		return -EINVAL;
	if (len <= 0xff) {
		hdr[0] = NBFX_CHARS8_TEXT, n = 1;
	} else if (len <= 0xffff) {
		hdr[0] = NBFX_CHARS16_TEXT, n = 2;
	} else {
		hdr[0] = NBFX_CHARS32_TEXT, n = 4;
	}
	hdr[0] |= end ? 1 : 0;
	hdr[1] = (uint8_t)len;
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)(len >> 16);
	hdr[4] = (uint8_t)(len >> 24);
	if (nbfx_buf_add(&w->out, hdr, n + 1) < 0)
		return -ENOMEM;
	return nbfx_buf_add(&w->out, s, len);
}

/* The typed record a node or attribute carries (its _private), or NULL. */
static const struct nbfx_typed *
nbfx_wr_typed(const struct nbfx_wr *w, void *priv)
{
	uintptr_t	 i = (uintptr_t)priv;

	if (w->opts == NULL || i == 0 || i > w->opts->ntab)
		return NULL;
	return &w->opts->tab[i - 1];
}

/* A typed record as given; a list cannot fold the EndElement in. */
static int
nbfx_wr_typed_text(struct nbfx_wr *w, const struct nbfx_typed *t, bool end)
{
	bool	 list = t->type == NBFX_START_LIST_TEXT;
	int	 rc;

	if (t->type < NBFX_ZERO_TEXT || t->type > NBFX_LAST_TEXT ||
	    (t->type & 1) != 0 || t->type == NBFX_END_LIST_TEXT)
		return -EINVAL;
	if ((rc = nbfx_buf_byte(&w->out, (uint8_t)(t->type |
	    (end && !list ? 1 : 0)))) < 0 ||
	    (rc = nbfx_buf_add(&w->out, t->p, t->len)) < 0)
		return rc;
	if (end && list)
		return nbfx_buf_byte(&w->out, NBFX_END_ELEMENT);
	return 0;
}

static int
nbfx_wr_comment(struct nbfx_wr *w, const xmlNode *n)
{
	const xmlChar	*c = n->content != NULL ? n->content : BAD_CAST "";
	size_t		 len = strlen((const char *)c), i;
	int		 rc;

	if (!nbfx_xml_chars(c, len))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (c[i] == '-' && (i + 1 == len || c[i + 1] == '-'))
			return -EINVAL;
	if ((rc = nbfx_buf_byte(&w->out, NBFX_COMMENT)) < 0)
		return rc;
	return nbfx_wr_xstring(w, c);
}

/* The value of an attribute: its text children, end to end. */
static int
nbfx_wr_attr_value(struct nbfx_wr *w, const xmlAttr *a)
{
	const xmlNode	*c;
	int		 rc;

	w->value.len = 0;
	for (c = a->children; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE)
			return -EINVAL;	/* entity reference */
		if (c->content != NULL && (rc = nbfx_buf_str(&w->value,
		    (const char *)c->content)) < 0)
			return rc;
	}
	return 0;
}

static int
nbfx_wr_element(struct nbfx_wr *w, const xmlNode *n, size_t depth)
{
	const xmlNs	*ns;
	const xmlAttr	*a;
	const xmlNode	*c;
	const xmlChar	*t;
	const struct nbfx_typed *tt;
	size_t		 mark = w->nscope, i;
	bool		 ended = false;
	int		 rc;

	if (depth >= NBFX_MAX_DEPTH)
		return -EINVAL;
	/* The bindings this element declares, then those it needs. */
	for (ns = n->nsDef; ns != NULL; ns = ns->next) {
		if (ns->type != XML_NAMESPACE_DECL)
			return -EINVAL;
		if (xmlStrEqual(ns->prefix, BAD_CAST "xml")) {
			if (!xmlStrEqual(ns->href, XML_XML_NAMESPACE))
				return -EINVAL;
			continue;
		}
		for (i = mark; i < w->nscope; i++)
			if (xmlStrEqual(w->scope[i].prefix, ns->prefix))
				return -EINVAL;
		if (ns->prefix != NULL && (ns->href == NULL || ns->href[0] == '\0'))
			return -EINVAL;
		if ((rc = nbfx_wr_push(w, ns->prefix, ns->href != NULL ?
		    ns->href : BAD_CAST "")) < 0)
			return rc;
	}
	if ((rc = nbfx_wr_bind(w, mark, n->ns != NULL ? n->ns->prefix : NULL,
	    n->ns != NULL ? n->ns->href : NULL)) < 0)
		return rc;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns == NULL)
			continue;
		if (a->ns->prefix == NULL || a->ns->prefix[0] == '\0')
			return -EINVAL;	/* XML cannot say it */
		if ((rc = nbfx_wr_bind(w, mark, a->ns->prefix, a->ns->href)) < 0)
			return rc;
	}

	/* Element record, xmlns records, attribute records. */
	t = n->ns != NULL ? n->ns->prefix : NULL;
	if ((rc = nbfx_wr_name(w, NBFX_SHORT_ELEMENT, NBFX_PREFIX_DICT_ELEMENT_A,
	    NBFX_PREFIX_ELEMENT_A, t, n->name)) < 0)
		return rc;
	for (i = mark; i < w->nscope; i++)
		if ((rc = nbfx_wr_xmlns(w, w->scope[i].prefix,
		    w->scope[i].href)) < 0)
			return rc;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->type != XML_ATTRIBUTE_NODE)
			return -EINVAL;
		if ((rc = nbfx_wr_name(w, NBFX_SHORT_ATTRIBUTE,
		    NBFX_PREFIX_DICT_ATTRIBUTE_A, NBFX_PREFIX_ATTRIBUTE_A,
		    a->ns != NULL ? a->ns->prefix : NULL, a->name)) < 0 ||
		    (rc = nbfx_wr_attr_value(w, a)) < 0)
			return rc;
		if ((tt = nbfx_wr_typed(w, a->_private)) != NULL) {
			if (tt->type == NBFX_START_LIST_TEXT)
				return -EINVAL;	/* one record only */
			rc = nbfx_wr_typed_text(w, tt, false);
		} else
			rc = nbfx_wr_text(w, w->value.p, w->value.len, false);
		if (rc < 0)
			return rc;
	}

	for (c = n->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			rc = nbfx_wr_element(w, c, depth + 1);
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if ((tt = nbfx_wr_typed(w, c->_private)) != NULL) {
				ended = c->next == NULL;
				rc = nbfx_wr_typed_text(w, tt, ended);
				break;
			}
			if (c->content == NULL || c->content[0] == '\0')
				break;
			/* The last child folds the EndElement into its record. */
			ended = c->next == NULL;
			rc = nbfx_wr_text(w, c->content,
			    strlen((const char *)c->content), ended);
			break;
		case XML_COMMENT_NODE:
			rc = nbfx_wr_comment(w, c);
			break;
		default:
			rc = -EINVAL;
			break;
		}
		if (rc < 0)
			return rc;
	}
	if (!ended && (rc = nbfx_buf_byte(&w->out, NBFX_END_ELEMENT)) < 0)
		return rc;
	w->nscope = mark;
	return 0;
}

int
nbfx_write(xmlDocPtr doc, struct nbfx_dict *d, uint8_t **table,
    size_t *table_len, uint8_t **out, size_t *out_len)
{
	return nbfx_write_opts(doc, d, NULL, table, table_len, out, out_len);
}

int
nbfx_write_opts(xmlDocPtr doc, struct nbfx_dict *d,
    const struct nbfx_wopts *opts, uint8_t **table, size_t *table_len,
    uint8_t **out, size_t *out_len)
{
	struct nbfx_wr	 w;
	struct nbfx_buf	 tb = { NULL, 0, 0 };
	const xmlNode	*n;
	size_t		 mark = nbfx_dict_count(d);
	bool		 root = false;
	int		 rc = 0;

	memset(&w, 0, sizeof(w));
	w.d = d;
	w.opts = opts;
	for (n = doc->children; n != NULL && rc == 0; n = n->next) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			if (root)
				rc = -EINVAL;
			else
				rc = nbfx_wr_element(&w, n, 0);
			root = true;
			break;
		case XML_COMMENT_NODE:
			rc = nbfx_wr_comment(&w, n);
			break;
		default:
			rc = -EINVAL;
			break;
		}
	}
	if (rc == 0 && !root)
		rc = -EINVAL;
	if (rc == 0 && d != NULL)
		rc = nbfx_dict_write_table(d, mark, &tb);
	/* An empty document still needs a buffer to hand back. */
	if (rc == 0 && w.out.p == NULL)
		rc = nbfx_buf_reserve(&w.out, 1);
	free(w.scope);
	free(w.value.p);
	if (rc < 0) {
		if (d != NULL)
			nbfx_dict_truncate(d, mark);
		free(w.out.p);
		free(tb.p);
		return rc;
	}
	*table = tb.p;
	*table_len = tb.len;
	*out = w.out.p;
	*out_len = w.out.len;
	return 0;
}
