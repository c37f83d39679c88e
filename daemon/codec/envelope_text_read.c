/*
 * The text envelope read without a libxml2 tree: one SAX parse fills the
 * addressing headers and writes each child of Body as the standalone XML
 * the tree path would give (envelope_read_body: a copy into a scratch
 * document, then the serializer).
 *
 * The tree path must stay the meaning, so this reads only what it can
 * give back byte for byte, and answers "not mine" for the rest: a fault,
 * headers other than the addressing ones, a body element that takes a
 * namespace (or a QName value's prefix) from outside itself, comments,
 * CDATA, processing instructions, escapes in attribute values, text
 * between Body's children, anything malformed.  The caller then takes the
 * tree path, which also gives the errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "envelope.h"
#include "envelope_text.h"

/* The tree path's depth limit (envelope.c), Envelope being depth 1. */
#define ER_MAX_DEPTH	256
/* Bindings in scope inside one body element that this follows. */
#define ER_MAX_NS	64
/* Text of a leaf kept for the QName test (longer is no QName there). */
#define ER_LEAF_MAX	300

struct er_buf {
	char	*p;
	size_t	 len, size;
	size_t	 first;		/* the size of a first allocation, 0: 256 */
	bool	 nomem;
};

struct er_ns {
	const xmlChar	*prefix;	/* NULL: the default namespace */
	int		 depth;		/* of the element declaring it */
};

/*
 * The names a read compares, interned in the read parser's dictionary:
 * the parser hands every name and namespace out interned, so a name is
 * one of these exactly when it is the same pointer.  Made again whenever
 * the parser (so the dictionary) is another (gen).
 */
struct er_names {
	unsigned int	 gen;
	const xmlChar	*soap12, *soap11, *wsa10, *wsa09;
	const xmlChar	*envelope, *header, *body, *fault;
	const xmlChar	*action, *to, *message_id, *relates_to;
	const xmlChar	*reply_to, *fault_to, *address;
};

static __thread struct er_names envelope_text_read_names;

struct er_state {
	struct envelope	*env;
	bool		 bail;
	int		 depth;
	const struct er_names *nm;
	const xmlChar	*soap_ns;	/* interned, as those of nm */
	const xmlChar	*wsa_ns;	/* decided by the first header */
	bool		 seen_header, seen_body;
	bool		 in_header, in_body;
	/* Capturing the text of a header (or of the Address under ReplyTo
	 * and FaultTo) at cap_depth into *slot. */
	char		**slot;
	int		 cap_depth;
	char		**addr_slot;	/* inside ReplyTo/FaultTo */
	int		 addr_depth;
	bool		 addr_done;
	struct er_buf	 text;
	/* The body. */
	struct er_buf	 out;
	bool		 body_first;	/* the first element child is next */
	bool		 open;		/* a start tag awaits ">" or "/>" */
	int		 last_start;	/* depth of the latest start tag */
	int		 nns;
	size_t		 leaf_len;
	bool		 leaf_long;	/* more than the leaf buffer holds */
	bool		 leaf_colon;	/* a ':' anywhere in it */
	/* Last: not zeroed, each read writes an entry before reading it. */
	struct er_ns	 ns[ER_MAX_NS];
	char		 leaf[ER_LEAF_MAX];
};

static void
envelope_text_read_put(struct er_buf *b, const void *p, size_t n)
{
	size_t	 size;
	char	*np;

	if (b->nomem)
		return;
	if (n >= b->size - b->len || b->p == NULL) {
		size = b->size != 0 ? b->size : b->first > 256 ? b->first :
		    256;
		while (size - b->len <= n)
			size *= 2;
		if ((np = realloc(b->p, size)) == NULL) {
			b->nomem = true;
			return;
		}
		b->p = np;
		b->size = size;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
envelope_text_read_puts(struct er_buf *b, const xmlChar *s)
{
	envelope_text_read_put(b, s, strlen((const char *)s));
}

/* What the serializer writes for a byte of an attribute value, when
 * that is not the byte itself. */
static const char *const envelope_text_read_attr_esc[256] = {
	['<'] = "&lt;", ['>'] = "&gt;", ['&'] = "&amp;", ['\r'] = "&#13;",
	['"'] = "&quot;", ['\n'] = "&#10;", ['\t'] = "&#9;"
};

/* Escapes as the serializer does: text (< > & CR) or, with `attr`, an
 * attribute value (also " and the other white space). */
static void
envelope_text_read_escaped(struct er_buf *b, const xmlChar *p, size_t n,
    bool attr)
{
	const xmlChar	*end = p + n, *run = p;
	const char	*esc;

	for (;;) {
		if (attr)
			while (p < end &&
			    envelope_text_read_attr_esc[*p] == NULL)
				p++;
		else
			p = envelope_text_special(p, end);
		envelope_text_read_put(b, run, (size_t)(p - run));
		if (p == end)
			break;
		esc = envelope_text_read_attr_esc[*p];
		envelope_text_read_put(b, esc, strlen(esc));
		run = ++p;
	}
}

static void
envelope_text_read_qname(struct er_buf *b, const xmlChar *prefix,
    const xmlChar *local)
{
	if (prefix != NULL) {
		envelope_text_read_puts(b, prefix);
		envelope_text_read_put(b, ":", 1);
	}
	envelope_text_read_puts(b, local);
}

static bool
envelope_text_read_space(xmlChar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether `prefix` is bound inside the body element being written. */
static bool
envelope_text_read_bound(const struct er_state *st, const xmlChar *prefix)
{
	int	 i;

	if (prefix != NULL && xmlStrEqual(prefix, BAD_CAST "xml"))
		return true;
	for (i = st->nns - 1; i >= 0; i--)
		if (prefix == NULL ? st->ns[i].prefix == NULL :
		    st->ns[i].prefix != NULL &&
		    xmlStrEqual(st->ns[i].prefix, prefix))
			return true;
	return false;
}

/*
 * A value of the form prefix:local whose prefix is not bound inside the
 * element would get a declaration on the tree path (when Body's scope has
 * it): leave such a body to the tree.
 */
static bool
envelope_text_read_qname_ok(const struct er_state *st, const xmlChar *v,
    size_t n)
{
	xmlChar	 buf[256], *colon;

	while (n > 0 && envelope_text_read_space(*v)) {
		v++;
		n--;
	}
	while (n > 0 && envelope_text_read_space(v[n - 1]))
		n--;
	if (n == 0 || n >= sizeof buf)
		return true;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (xmlValidateQName(buf, 0) != 0 ||
	    (colon = (xmlChar *)strchr((char *)buf, ':')) == NULL)
		return true;
	*colon = '\0';
	return envelope_text_read_bound(st, buf);
}

static void
envelope_text_read_close_start(struct er_state *st)
{
	if (st->open) {
		envelope_text_read_put(&st->out, ">", 1);
		st->open = false;
	}
}

static bool
envelope_text_read_plain_href(const xmlChar *p)
{
	if (p == NULL || *p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (strchr("<>&\"'\n\r\t", *p) != NULL)
			return false;
	return true;
}

/* A start tag under Body (depth >= 3). */
static void
envelope_text_read_body_start(struct er_state *st, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
    const xmlChar **namespaces, int nb_attributes, const xmlChar **attrs)
{
	int	 i;

	if (st->depth == 3 && st->body_first) {
		st->body_first = false;
		if (uri == st->soap_ns && localname == st->nm->fault) {
			st->bail = true;
			return;
		}
	}
	envelope_text_read_close_start(st);
	envelope_text_read_put(&st->out, "<", 1);
	envelope_text_read_qname(&st->out, prefix, localname);
	for (i = 0; i < nb_namespaces; i++) {
		if (st->nns == ER_MAX_NS ||
		    !envelope_text_read_plain_href(namespaces[2 * i + 1])) {
			st->bail = true;
			return;
		}
		st->ns[st->nns].prefix = namespaces[2 * i];
		st->ns[st->nns].depth = st->depth;
		st->nns++;
		envelope_text_read_put(&st->out, " xmlns", 6);
		if (namespaces[2 * i] != NULL) {
			envelope_text_read_put(&st->out, ":", 1);
			envelope_text_read_puts(&st->out, namespaces[2 * i]);
		}
		envelope_text_read_put(&st->out, "=\"", 2);
		envelope_text_read_puts(&st->out, namespaces[2 * i + 1]);
		envelope_text_read_put(&st->out, "\"", 1);
	}
	/* Its namespace must come from inside: no reconciliation. */
	if ((uri != NULL || prefix != NULL) &&
	    !envelope_text_read_bound(st, prefix)) {
		st->bail = true;
		return;
	}
	for (i = 0; i < nb_attributes; i++) {
		const xmlChar **a = attrs + 5 * i;
		size_t n = (size_t)(a[4] - a[3]);

		if ((a[1] != NULL && !envelope_text_read_bound(st, a[1])) ||
		    memchr(a[3], '&', n) != NULL ||
		    !envelope_text_read_qname_ok(st, a[3], n)) {
			st->bail = true;
			return;
		}
		envelope_text_read_put(&st->out, " ", 1);
		envelope_text_read_qname(&st->out, a[1], a[0]);
		envelope_text_read_put(&st->out, "=\"", 2);
		envelope_text_read_escaped(&st->out, a[3], n, true);
		envelope_text_read_put(&st->out, "\"", 1);
	}
	st->open = true;
	st->leaf_len = 0;
	st->leaf_long = st->leaf_colon = false;
}

static void
envelope_text_read_body_end(struct er_state *st, const xmlChar *localname,
    const xmlChar *prefix)
{
	/* A leaf's text is its only child: the tree path tests it. */
	if (st->last_start == st->depth && st->leaf_len > 0 &&
	    (st->leaf_long ? st->leaf_colon :
	    !envelope_text_read_qname_ok(st, BAD_CAST st->leaf,
	    st->leaf_len))) {
		st->bail = true;
		return;
	}
	while (st->nns > 0 && st->ns[st->nns - 1].depth == st->depth)
		st->nns--;
	if (st->open) {
		envelope_text_read_put(&st->out, "/>", 2);
		st->open = false;
		return;
	}
	envelope_text_read_put(&st->out, "</", 2);
	envelope_text_read_qname(&st->out, prefix, localname);
	envelope_text_read_put(&st->out, ">", 1);
}

/* A child of Header: one of the addressing headers, or not ours. */
static void
envelope_text_read_header_start(struct er_state *st, const xmlChar *localname,
    const xmlChar *uri)
{
	struct envelope	*env = st->env;
	char		**slot = NULL;

	if (uri == NULL) {
		st->bail = true;
		return;
	}
	if (st->wsa_ns == NULL) {
		if (uri == st->nm->wsa10) {
			st->wsa_ns = uri;
			env->addressing_version = 2;
		} else if (uri == st->nm->wsa09) {
			st->wsa_ns = uri;
			env->addressing_version = 1;
		} else {
			st->bail = true;
			return;
		}
	}
	if (uri != st->wsa_ns) {
		st->bail = true;
		return;
	}
	if (localname == st->nm->action)
		slot = &env->action;
	else if (localname == st->nm->to)
		slot = &env->to;
	else if (localname == st->nm->message_id)
		slot = &env->message_id;
	else if (localname == st->nm->relates_to)
		slot = &env->relates_to;
	else if (localname == st->nm->reply_to ||
	    localname == st->nm->fault_to) {
		st->addr_slot = localname == st->nm->reply_to ? &env->reply_to :
		    &env->fault_to;
		st->addr_depth = st->depth;
		st->addr_done = false;
		return;
	} else {
		st->bail = true;
		return;
	}
	if (*slot != NULL) {
		st->bail = true;
		return;
	}
	st->slot = slot;
	st->cap_depth = st->depth;
	st->text.len = 0;
}

/* The Address under ReplyTo or FaultTo; anything else there is not ours. */
static void
envelope_text_read_address_start(struct er_state *st,
    const xmlChar *localname, const xmlChar *uri)
{
	if (st->depth != st->addr_depth + 1 || st->addr_done ||
	    uri == NULL || uri != st->wsa_ns ||
	    localname != st->nm->address ||
	    *st->addr_slot != NULL) {
		st->bail = true;
		return;
	}
	st->slot = st->addr_slot;
	st->cap_depth = st->depth;
	st->text.len = 0;
	st->addr_done = true;
}

/* Stores the captured text without the XML white space around it. */
static void
envelope_text_read_header_end(struct er_state *st)
{
	const char	*p = st->text.p != NULL ? st->text.p : "";
	size_t		 n = st->text.len;

	while (n > 0 && envelope_text_read_space((xmlChar)*p)) {
		p++;
		n--;
	}
	while (n > 0 && envelope_text_read_space((xmlChar)p[n - 1]))
		n--;
	if ((*st->slot = strndup(p, n)) == NULL)
		st->text.nomem = true;
	st->slot = NULL;
}

static void
envelope_text_read_start(void *ctx, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
    const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	xmlParserCtxt	*ctxt = ctx;
	struct er_state	*st = ctxt->_private;

	if (st->bail)
		return;
	if (++st->depth > ER_MAX_DEPTH || nb_defaulted != 0 ||
	    (prefix != NULL && uri == NULL)) {
		st->bail = true;
		xmlStopParser(ctxt);
		return;
	}
	st->last_start = st->depth;
	if (st->depth == 1) {
		if (uri == st->nm->soap12 || uri == st->nm->soap11)
			st->soap_ns = uri;
		if (st->soap_ns == NULL ||
		    localname != st->nm->envelope) {
			st->bail = true;
			return;
		}
		st->env->envelope_version =
		    st->soap_ns == st->nm->soap12 ? 2 : 1;
		st->env->addressing_version = 3;
	} else if (st->depth == 2) {
		if (uri == st->soap_ns &&
		    !st->seen_header && !st->seen_body &&
		    localname == st->nm->header)
			st->seen_header = st->in_header = true;
		else if (uri != NULL &&
		    uri == st->soap_ns &&
		    !st->seen_body && localname == st->nm->body) {
			st->seen_body = st->in_body = true;
			st->body_first = true;
		} else
			st->bail = true;
	} else if (st->in_body)
		envelope_text_read_body_start(st, localname, prefix, uri,
		    nb_namespaces, namespaces, nb_attributes, attributes);
	else if (st->slot != NULL)
		st->bail = true;	/* markup inside a header's text */
	else if (st->addr_slot != NULL)
		envelope_text_read_address_start(st, localname, uri);
	else
		envelope_text_read_header_start(st, localname, uri);
}

static void
envelope_text_read_end(void *ctx, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxt	*ctxt = ctx;
	struct er_state	*st = ctxt->_private;

	(void)uri;
	if (st->bail)
		return;
	if (st->in_body && st->depth >= 3)
		envelope_text_read_body_end(st, localname, prefix);
	else if (st->slot != NULL && st->depth == st->cap_depth)
		envelope_text_read_header_end(st);
	else if (st->addr_slot != NULL && st->depth == st->addr_depth)
		st->addr_slot = NULL;
	else if (st->depth == 2)
		st->in_header = st->in_body = false;
	st->depth--;
}

static void
envelope_text_read_chars(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxt	*ctxt = ctx;
	struct er_state	*st = ctxt->_private;
	size_t		 n = (size_t)len;
	int		 i;

	if (st->bail)
		return;
	if (st->in_body && st->depth >= 3) {
		envelope_text_read_close_start(st);
		envelope_text_read_escaped(&st->out, ch, n, false);
		if (memchr(ch, ':', n) != NULL)
			st->leaf_colon = true;
		if (st->leaf_len + n > sizeof st->leaf)
			st->leaf_long = true;
		else {
			memcpy(st->leaf + st->leaf_len, ch, n);
			st->leaf_len += n;
		}
		return;
	}
	if (st->in_body) {
		/* Blank text between Body's children carries nothing. */
		for (i = 0; i < len; i++)
			if (!envelope_text_read_space(ch[i])) {
				st->bail = true;
				return;
			}
		return;
	}
	if (st->slot != NULL)
		envelope_text_read_put(&st->text, ch, n);
}

static void
envelope_text_read_other(struct er_state *st)
{
	st->bail = true;
}

static void
envelope_text_read_cdata(void *ctx, const xmlChar *v, int len)
{
	(void)v;
	(void)len;
	envelope_text_read_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_read_comment(void *ctx, const xmlChar *v)
{
	(void)v;
	envelope_text_read_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_read_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	(void)data;
	envelope_text_read_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_read_reference(void *ctx, const xmlChar *name)
{
	(void)name;
	envelope_text_read_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_read_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	envelope_text_read_other(((xmlParserCtxt *)ctx)->_private);
	xmlStopParser(ctx);
}

static void
envelope_text_read_sax(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof *sax);
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = envelope_text_read_start;
	sax->endElementNs = envelope_text_read_end;
	sax->characters = envelope_text_read_chars;
	sax->ignorableWhitespace = envelope_text_read_chars;
	sax->cdataBlock = envelope_text_read_cdata;
	sax->comment = envelope_text_read_comment;
	sax->processingInstruction = envelope_text_read_pi;
	sax->reference = envelope_text_read_reference;
	sax->internalSubset = envelope_text_read_subset;
	sax->getEntity = envelope_text_entity;
	sax->serror = envelope_text_quiet;
}

/* What a failed read filled (envelope_clear is the caller's, which calls
 * this file: no circle). */
static void
envelope_text_read_clear(struct envelope *env)
{
	free(env->action);
	free(env->to);
	free(env->message_id);
	free(env->relates_to);
	free(env->reply_to);
	free(env->fault_to);
	free(env->body);
	memset(env, 0, sizeof *env);
}

/* The names of this thread's read parser of generation `gen`, interned
 * in its dictionary; NULL when out of memory. */
static const struct er_names *
envelope_text_read_intern(xmlDict *dict, unsigned int gen)
{
	struct er_names	*nm = &envelope_text_read_names;
	const xmlChar	**slots[] = { &nm->soap12, &nm->soap11, &nm->wsa10,
			    &nm->wsa09, &nm->envelope, &nm->header, &nm->body,
			    &nm->fault, &nm->action, &nm->to, &nm->message_id,
			    &nm->relates_to, &nm->reply_to, &nm->fault_to,
			    &nm->address };
	static const char *const names[] = { ENV_NS_SOAP12, ENV_NS_SOAP11,
			    ENV_NS_WSA10, ENV_NS_WSA09, "Envelope", "Header",
			    "Body", "Fault", "Action", "To", "MessageID",
			    "RelatesTo", "ReplyTo", "FaultTo", "Address" };
	size_t		 i;

	/* A parser that is not kept (gen 0) has its dictionary to itself. */
	if (gen != 0 && nm->gen == gen)
		return nm;
	nm->gen = 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((*slots[i] = xmlDictLookup(dict, BAD_CAST names[i],
		    -1)) == NULL)
			return NULL;
	nm->gen = gen;
	return nm;
}

/* The state of one read: the parts it uses zeroed (the rest is written
 * before it is read), the header text into this thread's scratch buffer,
 * the body into one sized for the usual case, the whole input. */
static void
envelope_text_read_init(struct er_state *st, struct envelope *env,
    size_t len)
{
	memset(st, 0, offsetof(struct er_state, ns));
	st->env = env;
	envelope_text_take(ENVELOPE_TEXT_READ, &st->text.p, &st->text.size);
	st->text.len = 0;
	st->out.first = len + 1;
}

/* ---- the daemon's own form, told by its bytes ------------------------------ */

struct er_cur {
	const uint8_t	*p, *end;
};

static bool
envelope_text_read_lit(struct er_cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/*
 * A header's text as envelope_text_write leaves it (envelope_text_ascii),
 * up to "</a:NAME>", into a new string; NULL when it is not that form, or
 * on no memory (`nomem`).
 */
static char *
envelope_text_read_value(struct er_cur *c, const char *name, bool *nomem)
{
	const uint8_t	*start = c->p;
	char		*v;
	size_t		 n;

	if ((c->p = envelope_text_ascii(start, c->end, NULL, &n)) == NULL)
		return NULL;
	if ((v = malloc(n + 1)) == NULL) {
		*nomem = true;
		return NULL;
	}
	(void)envelope_text_ascii(start, c->end, v, NULL);
	v[n] = '\0';
	/* The tree trims XML white space (a written &#13; included) from
	 * the ends: such values are its to read. */
	if (n == 0 || envelope_text_read_space((xmlChar)v[0]) ||
	    envelope_text_read_space((xmlChar)v[n - 1]) ||
	    !envelope_text_read_lit(c, "</a:") ||
	    !envelope_text_read_lit(c, name) || !envelope_text_read_lit(c, ">")) {
		free(v);
		return NULL;
	}
	return v;
}

/* <a:NAME[ s:mustUnderstand="1"]>value</a:NAME>, or <a:NAME.../>, into
 * *slot; with `addr`, the value inside <a:Address>.  0 read, 1 absent (the
 * cursor unmoved), -1 not the form, -ENOMEM. */
static int
envelope_text_read_header(struct er_cur *c, const char *name, bool mu,
    bool addr, char **slot)
{
	struct er_cur	 at = *c;
	bool		 nomem = false;
	int		 rc;

	if (!envelope_text_read_lit(c, "<a:") || !envelope_text_read_lit(c,
	    name) || c->p == c->end ||
	    (*c->p != ' ' && *c->p != '>' && *c->p != '/')) {
		*c = at;
		return 1;
	}
	if (addr) {
		if (!envelope_text_read_lit(c, ">"))
			return -1;
		if ((rc = envelope_text_read_header(c, "Address", false, false,
		    slot)) != 0)
			return rc < 0 ? rc : -1;
		return envelope_text_read_lit(c, "</a:") &&
		    envelope_text_read_lit(c, name) &&
		    envelope_text_read_lit(c, ">") ? 0 : -1;
	}
	if (mu && !envelope_text_read_lit(c, " s:mustUnderstand=\"1\""))
		return -1;
	if (envelope_text_read_lit(c, "/>"))
		*slot = strdup("");
	else if (!envelope_text_read_lit(c, ">"))
		return -1;
	else if ((*slot = envelope_text_read_value(c, name, &nomem)) == NULL)
		return nomem ? -ENOMEM : -1;
	return *slot != NULL ? 0 : -ENOMEM;
}

/*
 * What envelope_text_write writes for a message with addressing headers
 * and a simple body (envelope_text_body_simple) or none, read from its
 * bytes: the common message between two wschannel peers skips the
 * parse.  0 read, 1 not that form (anything else: the parse reads it,
 * and check_envelope_text holds both to the tree's reading), -ENOMEM.
 */
static int
envelope_text_read_own(const uint8_t *in, size_t len, struct envelope *env)
{
	static const char body_end[] = "</s:Body></s:Envelope>";
	struct er_cur	 c = { in, in + len };
	const struct envelope_text_header *h;
	const uint8_t	*body, *text;
	size_t		 n, seen = 0;
	int		 rc;

	if (!envelope_text_read_lit(&c, "<s:Envelope xmlns:a=\""))
		return 1;
	if (envelope_text_read_lit(&c, ENV_NS_WSA10 "\""))
		env->addressing_version = 2;
	else if (envelope_text_read_lit(&c, ENV_NS_WSA09 "\""))
		env->addressing_version = 1;
	else
		return 1;
	if (envelope_text_read_lit(&c, " xmlns:s=\"" ENV_NS_SOAP12 "\">"))
		env->envelope_version = 2;
	else if (envelope_text_read_lit(&c, " xmlns:s=\"" ENV_NS_SOAP11 "\">"))
		env->envelope_version = 1;
	else
		return 1;
	if (!envelope_text_read_lit(&c, "<s:Header>"))
		return 1;
	for (h = envelope_text_headers; h->name != NULL; h++) {
		rc = envelope_text_read_header(&c, h->name, h->mu, h->addr,
		    (char **)((char *)env + h->field));
		if (rc < 0)
			return rc == -ENOMEM ? rc : 1;
		seen += rc == 0;
	}
	if (seen == 0 || !envelope_text_read_lit(&c, "</s:Header>"))
		return 1;
	if (envelope_text_read_lit(&c, "<s:Body/></s:Envelope>"))
		return c.p == c.end ? 0 : 1;
	n = sizeof(body_end) - 1;
	if (!envelope_text_read_lit(&c, "<s:Body>") ||
	    (size_t)(c.end - c.p) <= n ||
	    memcmp(c.end - n, body_end, n) != 0)
		return 1;
	body = c.p;
	n = (size_t)(c.end - n - body);
	if (!envelope_text_body_simple(body, n))
		return 1;
	/* A ':' in its text may be a QName whose prefix is Envelope's: the
	 * tree then declares it on the element (envelope_read_body). */
	text = memchr(body, '>', n);
	if (body[n - 2] != '/' && memchr(text, ':', (size_t)(body + n - text))
	    != NULL)
		return 1;
	if ((env->body = malloc(n + 1)) == NULL)
		return -ENOMEM;
	memcpy(env->body, body, n);
	env->body[n] = '\0';
	env->body_len = n;
	return 0;
}

int
envelope_text_read(const uint8_t *in, size_t len, struct envelope *env)
{
	xmlSAXHandler	 sax;
	xmlParserCtxt	*ctxt;
	struct er_state	 st;
	unsigned int	 gen;
	int		 rc;

	memset(env, 0, sizeof *env);
	/* What the tree path's parser might take differently (a byte order
	 * mark, another encoding's first bytes) is left to it. */
	if (in == NULL || len < 4 || len > INT_MAX || in[0] != '<')
		return 1;
	if ((rc = envelope_text_read_own(in, len, env)) != 1) {
		if (rc != 0)
			envelope_text_read_clear(env);
		return rc;
	}
	envelope_text_read_clear(env);
	envelope_text_read_init(&st, env, len);
	envelope_text_read_sax(&sax);
	if ((ctxt = envelope_text_parser(ENVELOPE_TEXT_READ, &sax, NULL, 0,
	    &gen)) == NULL) {
		envelope_text_give(ENVELOPE_TEXT_READ, st.text.p, st.text.size);
		return -ENOMEM;
	}
	ctxt->_private = &st;
	if (ctxt->dict == NULL ||
	    (st.nm = envelope_text_read_intern(ctxt->dict, gen)) == NULL)
		st.out.nomem = true;
	else
		rc = xmlParseChunk(ctxt, (const char *)in, (int)len, 1);
	if (st.out.nomem || st.text.nomem)
		rc = -ENOMEM;
	else if (rc != XML_ERR_OK || !ctxt->wellFormed ||
	    !ctxt->nsWellFormed || st.bail || !st.seen_body ||
	    st.depth != 0)
		rc = 1;
	else
		rc = 0;
	envelope_text_parser_done(ENVELOPE_TEXT_READ, ctxt, len);
	envelope_text_give(ENVELOPE_TEXT_READ, st.text.p, st.text.size);
	if (rc == 0 && st.out.len > 0) {
		env->body = (uint8_t *)st.out.p;
		env->body_len = st.out.len;
	} else
		free(st.out.p);
	if (rc != 0)
		envelope_text_read_clear(env);
	return rc;
}
