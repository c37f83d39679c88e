/*
 * The text envelope without a libxml2 tree: the common message (addressing
 * headers, a body the library wrote) costs one streaming parse of the body
 * and one buffer, where the tree costs a node per element, attribute and
 * text, a serializer and a copy.
 *
 * The output must be the bytes envelope_write_dom() gives, always.  So the
 * envelope's own parts are written as libxml2's serializer writes them,
 * and the body is passed through only when it is already in the form that
 * parsing it into a tree and serializing it gives back: a SAX parse
 * (still libxml2, still the same hostile-input options) regenerates that
 * form event by event and compares it with the body as it goes.  Any
 * difference, or anything this file does not regenerate (comments, CDATA,
 * processing instructions, escapes in attribute values, a binding the
 * envelope would drop, an error of any kind), answers "not mine" and the
 * caller takes the tree path, which also gives the error.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "envelope.h"
#include "envelope_text.h"

/* The body is wrapped in an element of this name to parse it as content. */
#define ET_WRAP_OPEN	"<w>"
#define ET_WRAP_CLOSE	"</w>"

/* What a reused parser's dictionary may hold before it is replaced: names,
 * and bytes of them. */
#define ET_MAX_NAMES	4096
#define ET_MAX_DICT	(256 * 1024)
/* A parser that parsed more, or a scratch buffer larger, is not kept. */
#define ET_KEEP		(64 * 1024)

/* The tree path nests no deeper than libxml2's own default limit. */
#define ET_MAX_DEPTH	256

struct et_cmp {
	const uint8_t	*body;
	size_t		 len;
	size_t		 pos;		/* bytes of body matched so far */
	int		 depth;		/* 0: the wrapper's content */
	bool		 open;		/* a start tag awaits ">" or "/>" */
	bool		 differs;	/* not byte-for-byte the tree's form */
};

static void
envelope_text_match(struct et_cmp *c, const void *p, size_t n)
{
	if (c->differs)
		return;
	if (n > c->len - c->pos || memcmp(c->body + c->pos, p, n) != 0) {
		c->differs = true;
		return;
	}
	c->pos += n;
}

/* Which bytes text escapes, and as what. */
static const char *const envelope_text_esc[256] = {
	['<'] = "&lt;", ['>'] = "&gt;", ['&'] = "&amp;", ['\r'] = "&#13;"
};

const xmlChar *
envelope_text_special(const xmlChar *p, const xmlChar *end)
{
#ifdef __SSE2__
	const __m128i	 lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
	const __m128i	 amp = _mm_set1_epi8('&'), cr = _mm_set1_epi8('\r');
	__m128i		 v, m;
	int		 bits;

	for (; end - p >= 16; p += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt),
		    _mm_cmpeq_epi8(v, gt)), _mm_or_si128(_mm_cmpeq_epi8(v, amp),
		    _mm_cmpeq_epi8(v, cr)));
		if ((bits = _mm_movemask_epi8(m)) != 0)
			return p + __builtin_ctz((unsigned int)bits);
	}
#endif
	for (; p < end; p++)
		if (envelope_text_esc[*p] != NULL)
			return p;
	return end;
}

static void
envelope_text_match_str(struct et_cmp *c, const xmlChar *s)
{
	if (s != NULL)
		envelope_text_match(c, s, strlen((const char *)s));
}

/* Ends a pending start tag: the element has content after all. */
static void
envelope_text_close_start(struct et_cmp *c)
{
	if (c->open) {
		envelope_text_match(c, ">", 1);
		c->open = false;
	}
}

/* A value goes through only when it needs no escape in an attribute. */
static bool
envelope_text_plain_value(const xmlChar *p, const xmlChar *end)
{
	for (; p < end; p++)
		switch (*p) {
		case '<': case '>': case '&': case '"':
		case '\n': case '\r': case '\t':
			return false;
		}
	return true;
}

static void
envelope_text_match_qname(struct et_cmp *c, const xmlChar *prefix,
    const xmlChar *local)
{
	if (prefix != NULL) {
		envelope_text_match_str(c, prefix);
		envelope_text_match(c, ":", 1);
	}
	envelope_text_match_str(c, local);
}

/* The prefixes the envelope binds itself, and "xml": a top-level body
 * element redeclaring one loses the declaration on the tree path. */
static bool
envelope_text_envelope_prefix(const xmlChar *prefix)
{
	return prefix != NULL && (xmlStrEqual(prefix, BAD_CAST "s") ||
	    xmlStrEqual(prefix, BAD_CAST "a") ||
	    xmlStrEqual(prefix, BAD_CAST "xml"));
}

static void
envelope_text_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxt	*ctxt = ctx;
	struct et_cmp	*c = ctxt->_private;
	const xmlChar	*href;
	int		 i;

	if (c->differs)
		return;
	/* Depth 1 is the wrapper: fed first, its start is always first. */
	if (++c->depth == 1)
		return;
	envelope_text_close_start(c);
	if (c->depth > ET_MAX_DEPTH || nb_defaulted != 0 ||
	    (prefix != NULL && uri == NULL)) {
		c->differs = true;
		return;
	}
	envelope_text_match(c, "<", 1);
	envelope_text_match_qname(c, prefix, localname);
	for (i = 0; i < nb_namespaces; i++) {
		href = namespaces[2 * i + 1];
		if (href == NULL || *href == '\0' ||
		    !envelope_text_plain_value(href, href + xmlStrlen(href)) ||
		    (c->depth == 2 &&
		    envelope_text_envelope_prefix(namespaces[2 * i]))) {
			c->differs = true;
			return;
		}
		envelope_text_match(c, " xmlns", 6);
		if (namespaces[2 * i] != NULL) {
			envelope_text_match(c, ":", 1);
			envelope_text_match_str(c, namespaces[2 * i]);
		}
		envelope_text_match(c, "=\"", 2);
		envelope_text_match_str(c, href);
		envelope_text_match(c, "\"", 1);
	}
	for (i = 0; i < nb_attributes; i++) {
		const xmlChar **a = attributes + 5 * i;

		if ((a[1] != NULL && a[2] == NULL) ||
		    !envelope_text_plain_value(a[3], a[4])) {
			c->differs = true;
			return;
		}
		envelope_text_match(c, " ", 1);
		envelope_text_match_qname(c, a[1], a[0]);
		envelope_text_match(c, "=\"", 2);
		envelope_text_match(c, a[3], (size_t)(a[4] - a[3]));
		envelope_text_match(c, "\"", 1);
	}
	c->open = true;
}

static void
envelope_text_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxt	*ctxt = ctx;
	struct et_cmp	*c = ctxt->_private;

	(void)uri;
	if (c->differs)
		return;
	if (--c->depth == 0) {
		/* Only the wrapper's own end tag may close depth 1: it
		 * follows the whole body. */
		if (c->open || c->pos != c->len)
			c->differs = true;
		return;
	}
	if (c->open) {
		envelope_text_match(c, "/>", 2);
		c->open = false;
		return;
	}
	envelope_text_match(c, "</", 2);
	envelope_text_match_qname(c, prefix, localname);
	envelope_text_match(c, ">", 1);
}

/* Text as the serializer escapes it: < > & and CR, the rest as is. */
static void
envelope_text_chars(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxt	*ctxt = ctx;
	struct et_cmp	*c = ctxt->_private;
	const xmlChar	*p, *end = ch + len;
	const char	*esc;

	if (c->differs)
		return;
	/* Text outside the wrapper is no body's. */
	if (c->depth < 1) {
		c->differs = true;
		return;
	}
	envelope_text_close_start(c);
	for (;;) {
		p = envelope_text_special(ch, end);
		envelope_text_match(c, ch, (size_t)(p - ch));
		if (p == end)
			break;
		esc = envelope_text_esc[*p];
		envelope_text_match(c, esc, strlen(esc));
		ch = p + 1;
	}
}

/* What the tree path keeps in another form, or refuses. */
static void
envelope_text_other(struct et_cmp *c)
{
	c->differs = true;
}

static void
envelope_text_cdata(void *ctx, const xmlChar *v, int len)
{
	(void)v;
	(void)len;
	envelope_text_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_comment(void *ctx, const xmlChar *v)
{
	(void)v;
	envelope_text_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	(void)data;
	envelope_text_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_reference(void *ctx, const xmlChar *name)
{
	(void)name;
	envelope_text_other(((xmlParserCtxt *)ctx)->_private);
}

static void
envelope_text_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	envelope_text_other(((xmlParserCtxt *)ctx)->_private);
	xmlStopParser(ctx);
}

xmlEntity *
envelope_text_entity(void *ctx, const xmlChar *name)
{
	/* Only the predefined entities exist: there is no DTD. */
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

void
envelope_text_quiet(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

static void
envelope_text_sax(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof *sax);
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = envelope_text_start;
	sax->endElementNs = envelope_text_end;
	sax->characters = envelope_text_chars;
	sax->ignorableWhitespace = envelope_text_chars;
	sax->cdataBlock = envelope_text_cdata;
	sax->comment = envelope_text_comment;
	sax->processingInstruction = envelope_text_pi;
	sax->reference = envelope_text_reference;
	sax->internalSubset = envelope_text_subset;
	sax->getEntity = envelope_text_entity;
	sax->serror = envelope_text_quiet;
}

/*
 * Each thread keeps one parser per use, reset between messages: creating
 * one (context, dictionary, SAX copy) costs more than parsing a small
 * message.  What a parser keeps from one message to the next is bounded:
 * its dictionary holds every distinct name it saw, and its stacks grow to
 * the largest message, so one past ET_MAX_NAMES names or ET_MAX_DICT bytes
 * of them, or that parsed more than ET_KEEP bytes, is freed after use
 * and made anew for the next.  The reset itself clears the state a message
 * leaves (an error, a stop, open elements and their namespaces).  The
 * library links this file too, hence per thread.
 */
struct et_thread {
	xmlParserCtxt	*ctxt[ENVELOPE_TEXT_NUSES];
	unsigned int	 gen[ENVELOPE_TEXT_NUSES];
	char		*buf[ENVELOPE_TEXT_NUSES];
	size_t		 bufsize[ENVELOPE_TEXT_NUSES];
};

static pthread_key_t		 envelope_text_key;
static pthread_once_t		 envelope_text_once = PTHREAD_ONCE_INIT;
static bool			 envelope_text_keyed;
static __thread struct et_thread *envelope_text_self;
/* Names the parsers made, for *gen: never reused while the process runs. */
static unsigned int		 envelope_text_gens;

static void
envelope_text_thread_free(struct et_thread *t)
{
	int	 i;

	if (t == NULL)
		return;
	for (i = 0; i < ENVELOPE_TEXT_NUSES; i++) {
		if (t->ctxt[i] != NULL)
			xmlFreeParserCtxt(t->ctxt[i]);
		free(t->buf[i]);
	}
	free(t);
}

static void
envelope_text_key_free(void *p)
{
	envelope_text_thread_free(p);
	envelope_text_self = NULL;
}

static void
envelope_text_key_init(void)
{
	envelope_text_keyed = pthread_key_create(&envelope_text_key,
	    envelope_text_key_free) == 0;
}

/* This thread's state, made on first use; NULL when out of memory (or
 * when a thread-exit destructor could not be had: nothing is kept). */
static struct et_thread *
envelope_text_thread(void)
{
	struct et_thread	*t;

	if ((t = envelope_text_self) != NULL)
		return t;
	pthread_once(&envelope_text_once, envelope_text_key_init);
	if (!envelope_text_keyed || (t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	if (pthread_setspecific(envelope_text_key, t) != 0) {
		free(t);
		return NULL;
	}
	return envelope_text_self = t;
}

void
envelope_text_cleanup(void)
{
	struct et_thread	*t = envelope_text_self;

	if (t == NULL)
		return;
	envelope_text_self = NULL;
	pthread_setspecific(envelope_text_key, NULL);
	envelope_text_thread_free(t);
}

/*
 * A reset parser of this thread for `use`, with `sax` as its handler,
 * ready for a push parse of `chunk` (may be NULL) and more; NULL when out
 * of memory.
 */
xmlParserCtxt *
envelope_text_parser(enum envelope_text_use use, const xmlSAXHandler *sax,
    const char *chunk, int size, unsigned int *gen)
{
	struct et_thread	*t = envelope_text_thread();
	xmlParserCtxt		*ctxt;

	if (t != NULL && (ctxt = t->ctxt[use]) != NULL) {
		if (xmlCtxtResetPush(ctxt, chunk, size, NULL, NULL) != 0) {
			t->ctxt[use] = NULL;
			xmlFreeParserCtxt(ctxt);
			return NULL;
		}
		/* Made with this use's handler, which the reset keeps. */
		if (ctxt->sax->startElementNs != sax->startElementNs)
			*ctxt->sax = *sax;
	} else {
		if ((ctxt = xmlCreatePushParserCtxt((xmlSAXHandler *)sax,
		    NULL, chunk, size, NULL)) == NULL)
			return NULL;
		if (t != NULL) {
			t->ctxt[use] = ctxt;
			/* Never 0, which names no kept parser. */
			while ((t->gen[use] = __atomic_add_fetch(
			    &envelope_text_gens, 1, __ATOMIC_RELAXED)) == 0)
				;
		}
	}
	*gen = t != NULL ? t->gen[use] : 0;
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	return ctxt;
}

/* Gives the parser back; one that cannot be kept, or that now keeps too
 * much, is freed. */
void
envelope_text_parser_done(enum envelope_text_use use, xmlParserCtxt *ctxt,
    size_t len)
{
	struct et_thread	*t = envelope_text_self;

	ctxt->_private = NULL;
	if (t != NULL && t->ctxt[use] == ctxt) {
		if (len <= ET_KEEP && (ctxt->dict == NULL ||
		    (xmlDictSize(ctxt->dict) <= ET_MAX_NAMES &&
		    xmlDictGetUsage(ctxt->dict) <= ET_MAX_DICT)))
			return;
		t->ctxt[use] = NULL;
	}
	xmlFreeParserCtxt(ctxt);
}

unsigned int
envelope_text_generation(enum envelope_text_use use)
{
	struct et_thread	*t = envelope_text_self;

	return t != NULL && t->ctxt[use] != NULL ? t->gen[use] : 0;
}

void
envelope_text_take(enum envelope_text_use use, char **p, size_t *size)
{
	struct et_thread	*t = envelope_text_self;

	*p = NULL;
	*size = 0;
	if (t != NULL) {
		*p = t->buf[use];
		*size = t->bufsize[use];
		t->buf[use] = NULL;
		t->bufsize[use] = 0;
	}
}

void
envelope_text_give(enum envelope_text_use use, char *p, size_t size)
{
	struct et_thread	*t = envelope_text_self;

	if (t == NULL || size > ET_KEEP || t->buf[use] != NULL) {
		free(p);
		return;
	}
	t->buf[use] = p;
	t->bufsize[use] = size;
}

/* ASCII name characters of an NCName, as a table: 1 may start, 2 may
 * follow. */
static const uint8_t envelope_text_namechar[128] = {
	['-'] = 2, ['.'] = 2, ['_'] = 3,
	['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2,
	['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
	['A'] = 3, ['B'] = 3, ['C'] = 3, ['D'] = 3, ['E'] = 3, ['F'] = 3,
	['G'] = 3, ['H'] = 3, ['I'] = 3, ['J'] = 3, ['K'] = 3, ['L'] = 3,
	['M'] = 3, ['N'] = 3, ['O'] = 3, ['P'] = 3, ['Q'] = 3, ['R'] = 3,
	['S'] = 3, ['T'] = 3, ['U'] = 3, ['V'] = 3, ['W'] = 3, ['X'] = 3,
	['Y'] = 3, ['Z'] = 3,
	['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3, ['e'] = 3, ['f'] = 3,
	['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3, ['k'] = 3, ['l'] = 3,
	['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3,
	['s'] = 3, ['t'] = 3, ['u'] = 3, ['v'] = 3, ['w'] = 3, ['x'] = 3,
	['y'] = 3, ['z'] = 3,
};

/* The first byte of [p, end) that is not printable ASCII other than
 * < > &, or end; 16 bytes at a time where it can. */
static const uint8_t *
envelope_text_plain(const uint8_t *p, const uint8_t *end)
{
#ifdef __SSE2__
	const __m128i	 sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	const __m128i	 lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
	const __m128i	 amp = _mm_set1_epi8('&');
	__m128i		 v, m;
	int		 bits;

	for (; end - p >= 16; p += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Signed: below 0x20 or 0x80 and up. */
		m = _mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, del));
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, lt),
		    _mm_or_si128(_mm_cmpeq_epi8(v, gt),
		    _mm_cmpeq_epi8(v, amp))));
		if ((bits = _mm_movemask_epi8(m)) != 0)
			return p + __builtin_ctz((unsigned int)bits);
	}
#endif
	for (; p < end; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '<' || *p == '>' ||
		    *p == '&')
			return p;
	return end;
}

/* The byte one of envelope_text_esc's escapes at `p` stands for, and its
 * length in *n; 0 when none is there. */
static uint8_t
envelope_text_escaped(const uint8_t *p, const uint8_t *end, size_t *n)
{
	static const uint8_t specials[] = { '<', '>', '&', '\r' };
	size_t i;

	for (i = 0; i < sizeof specials; i++) {
		*n = strlen(envelope_text_esc[specials[i]]);
		if ((size_t)(end - p) >= *n &&
		    memcmp(p, envelope_text_esc[specials[i]], *n) == 0)
			return specials[i];
	}
	return 0;
}

const uint8_t *
envelope_text_ascii(const uint8_t *p, const uint8_t *end, char *out,
    size_t *outlen)
{
	const uint8_t	*run;
	size_t		 len = 0, n;
	uint8_t		 ch;

	for (;;) {
		p = envelope_text_plain(run = p, end);
		if (out != NULL)
			memcpy(out + len, run, (size_t)(p - run));
		len += (size_t)(p - run);
		if (p == end)
			return NULL;
		if (*p == '<')
			break;
		if (*p == '&') {
			if ((ch = envelope_text_escaped(p, end, &n)) == 0)
				return NULL;
			p += n;
		} else if (*p == '\t' || *p == '\n')
			ch = *p++;
		else
			return NULL;
		if (out != NULL)
			out[len] = (char)ch;
		len++;
	}
	if (outlen != NULL)
		*outlen = len;
	return p;
}

/*
 * A default namespace the parse takes: libxml2 refuses one that
 * xmlParseURI cannot read (a namespace error).  The last one that passed
 * is remembered, as a run of messages names the same.
 */
static __thread char	envelope_text_ns_ok[256];
static __thread size_t	envelope_text_ns_ok_len;

static bool
envelope_text_ns_valid(const uint8_t *ns, size_t n)
{
	char	 buf[sizeof envelope_text_ns_ok];
	xmlURI	*u;

	if (n == envelope_text_ns_ok_len && memcmp(ns, envelope_text_ns_ok,
	    n) == 0)
		return true;
	if (n >= sizeof buf)
		return false;
	memcpy(buf, ns, n);
	buf[n] = '\0';
	if ((u = xmlParseURI(buf)) == NULL)
		return false;
	xmlFreeURI(u);
	memcpy(envelope_text_ns_ok, ns, n);
	envelope_text_ns_ok_len = n;
	return true;
}

/*
 * The body the library writes for a simple value (ws_body_write_simple):
 * one element with an ASCII name, perhaps a default namespace of plain
 * ASCII, and printable ASCII text (tab and newline too) escaped as the
 * serializer escapes it; or the element empty, as "<name .../>".  Told by
 * its bytes, so that the common message skips the parse below.  True only
 * for bodies that parse would pass; anything else, however harmless, is
 * left to it (check_envelope_text holds the two paths to the tree's bytes).
 */
bool
envelope_text_body_simple(const uint8_t *b, size_t len)
{
	static const char xmlns[] = " xmlns=\"";
	const uint8_t *p = b, *end = b + len, *name, *ns;
	size_t nlen, n;

	if (len < 4 || *p++ != '<' || *p >= 128 ||
	    !(envelope_text_namechar[*p] & 1))
		return false;
	for (name = p; p < end && *p < 128 && envelope_text_namechar[*p];)
		p++;
	nlen = (size_t)(p - name);
	if (p < end && *p == ' ') {
		if ((size_t)(end - p) < sizeof(xmlns) - 1 ||
		    memcmp(p, xmlns, sizeof(xmlns) - 1) != 0)
			return false;
		for (ns = p += sizeof(xmlns) - 1; p < end && *p != '"'; p++)
			if (*p < 0x20 || *p >= 0x7f || *p == '\'' ||
			    *p == '&' || *p == '<' || *p == '>')
				return false;
		n = (size_t)(p - ns);
		/* Empty, or a namespace no default may name: the parse's. */
		if (p == end || n == 0 || (n == sizeof(ENV_NS_XML) - 1 &&
		    memcmp(ns, ENV_NS_XML, n) == 0) ||
		    (n == sizeof(ENV_NS_XMLNS) - 1 &&
		    memcmp(ns, ENV_NS_XMLNS, n) == 0) ||
		    !envelope_text_ns_valid(ns, n))
			return false;
		p++;
	}
	if (end - p == 2 && p[0] == '/' && p[1] == '>')
		return true;
	/* Text, at least one byte ("<a></a>" is written "<a/>"). */
	if (end - p < 2 || *p++ != '>' || *p == '<' ||
	    (p = envelope_text_ascii(p, end, NULL, NULL)) == NULL)
		return false;
	return (size_t)(end - p) == nlen + 3 && p[1] == '/' &&
	    memcmp(p + 2, name, nlen) == 0 && p[nlen + 2] == '>';
}

/*
 * Whether `body` is what parsing it as the content of an element and
 * serializing the nodes gives back; 0 yes, 1 no (or not well-formed),
 * -ENOMEM.
 */
static int
envelope_text_body_is_canonical(const uint8_t *body, size_t len)
{
	xmlSAXHandler	 sax;
	xmlParserCtxt	*ctxt;
	struct et_cmp	 c;
	unsigned int	 gen;
	char		*doc;
	size_t		 size, n;
	int		 rc;

	/* The tree path's parser drops a byte order mark at the start. */
	if (len > INT_MAX - 16 ||
	    (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0))
		return 1;
	if (envelope_text_body_simple(body, len))
		return 0;
	/* The wrapped body, one chunk: the push parser then looks ahead for
	 * no more input, and is called once. */
	n = sizeof(ET_WRAP_OPEN) - 1 + len + sizeof(ET_WRAP_CLOSE) - 1;
	envelope_text_take(ENVELOPE_TEXT_CHECK, &doc, &size);
	if (size < n) {
		free(doc);
		size = n < 512 ? 512 : n;
		if ((doc = malloc(size)) == NULL)
			return -ENOMEM;
	}
	memcpy(doc, ET_WRAP_OPEN, sizeof(ET_WRAP_OPEN) - 1);
	memcpy(doc + sizeof(ET_WRAP_OPEN) - 1, body, len);
	memcpy(doc + n - (sizeof(ET_WRAP_CLOSE) - 1), ET_WRAP_CLOSE,
	    sizeof(ET_WRAP_CLOSE) - 1);
	memset(&c, 0, sizeof c);
	c.body = body;
	c.len = len;
	envelope_text_sax(&sax);
	if ((ctxt = envelope_text_parser(ENVELOPE_TEXT_CHECK, &sax, NULL, 0,
	    &gen)) == NULL) {
		free(doc);
		return -ENOMEM;
	}
	ctxt->_private = &c;
	rc = xmlParseChunk(ctxt, doc, (int)n, 1);
	if (rc != XML_ERR_OK || !ctxt->wellFormed || !ctxt->nsWellFormed ||
	    c.differs || c.depth != 0 || c.pos != len)
		rc = 1;
	else
		rc = 0;
	envelope_text_parser_done(ENVELOPE_TEXT_CHECK, ctxt, len);
	envelope_text_give(ENVELOPE_TEXT_CHECK, doc, size);
	return rc;
}

/* ---- writing the envelope's own parts ------------------------------------ */

struct et_out {
	uint8_t	*p;
	size_t	 len;
};

static void
envelope_text_put(struct et_out *o, const char *s, size_t n)
{
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
envelope_text_puts(struct et_out *o, const char *s)
{
	envelope_text_put(o, s, strlen(s));
}

/* The most bytes a value takes escaped as text ("&#13;" for CR). */
static size_t
envelope_text_escaped_max(const char *s)
{
	return s != NULL ? 5 * strlen(s) : 0;
}

size_t
envelope_text_escape(uint8_t *out, const uint8_t *in, size_t n)
{
	const xmlChar	*p, *run = in, *end = in + n;
	const char	*esc;
	size_t		 len = 0, k;

	for (;;) {
		p = envelope_text_special(run, end);
		memcpy(out + len, run, (size_t)(p - run));
		len += (size_t)(p - run);
		if (p == end)
			return len;
		esc = envelope_text_esc[*p];
		k = strlen(esc);
		memcpy(out + len, esc, k);
		len += k;
		run = p + 1;
	}
}

static void
envelope_text_put_escaped(struct et_out *o, const char *s)
{
	o->len += envelope_text_escape(o->p + o->len, (const uint8_t *)s,
	    strlen(s));
}

/* <a:NAME[ s:mustUnderstand="1"]>value</a:NAME>, or empty as <.../>. */
static void
envelope_text_put_header(struct et_out *o, const char *name,
    const char *value, bool mu)
{
	envelope_text_puts(o, "<a:");
	envelope_text_puts(o, name);
	if (mu)
		envelope_text_puts(o, " s:mustUnderstand=\"1\"");
	if (*value == '\0') {
		envelope_text_puts(o, "/>");
		return;
	}
	envelope_text_puts(o, ">");
	envelope_text_put_escaped(o, value);
	envelope_text_puts(o, "</a:");
	envelope_text_puts(o, name);
	envelope_text_puts(o, ">");
}

const struct envelope_text_header envelope_text_headers[] = {
	{ "Action", true, false, offsetof(struct envelope, action) },
	{ "MessageID", false, false, offsetof(struct envelope, message_id) },
	{ "RelatesTo", false, false, offsetof(struct envelope, relates_to) },
	{ "ReplyTo", false, true, offsetof(struct envelope, reply_to) },
	{ "FaultTo", false, true, offsetof(struct envelope, fault_to) },
	{ "To", true, false, offsetof(struct envelope, to) },
	{ NULL, false, false, 0 }
};

static void
envelope_text_put_address(struct et_out *o, const char *name,
    const char *value)
{
	envelope_text_puts(o, "<a:");
	envelope_text_puts(o, name);
	envelope_text_puts(o, ">");
	envelope_text_put_header(o, "Address", value, false);
	envelope_text_puts(o, "</a:");
	envelope_text_puts(o, name);
	envelope_text_puts(o, ">");
}

int
envelope_text_write(const struct envelope *env, uint8_t **out,
    size_t *out_len)
{
	const struct envelope_text_header *h;
	const char	*v;
	bool		 addressing, any = false;
	struct et_out	 o;
	size_t		 max;
	int		 rc;

	/* Faults, other headers and the rest stay on the tree path. */
	if (env->is_fault || (env->headers != NULL && env->headers_len > 0) ||
	    env->nhttp > 0 || env->more_body)
		return 1;
	addressing = env->addressing_version != 3;
	max = 1024 + env->body_len;
	for (h = envelope_text_headers; h->name != NULL; h++) {
		v = ENVELOPE_TEXT_FIELD(env, h);
		max += envelope_text_escaped_max(v);
		any |= v != NULL;
	}
	if (env->body != NULL && env->body_len > 0 &&
	    (rc = envelope_text_body_is_canonical(env->body,
	    env->body_len)) != 0)
		return rc;
	if ((o.p = malloc(max + 1)) == NULL)
		return -ENOMEM;
	o.len = 0;
	envelope_text_puts(&o, "<s:Envelope");
	if (addressing)
		envelope_text_puts(&o, env->addressing_version == 2 ?
		    " xmlns:a=\"" ENV_NS_WSA10 "\"" :
		    " xmlns:a=\"" ENV_NS_WSA09 "\"");
	envelope_text_puts(&o, env->envelope_version == 1 ?
	    " xmlns:s=\"" ENV_NS_SOAP11 "\">" : " xmlns:s=\"" ENV_NS_SOAP12 "\">");
	if (addressing && any) {
		envelope_text_puts(&o, "<s:Header>");
		for (h = envelope_text_headers; h->name != NULL; h++) {
			if ((v = ENVELOPE_TEXT_FIELD(env, h)) == NULL)
				continue;
			if (h->addr)
				envelope_text_put_address(&o, h->name, v);
			else
				envelope_text_put_header(&o, h->name, v, h->mu);
		}
		envelope_text_puts(&o, "</s:Header>");
	}
	if (env->body == NULL || env->body_len == 0)
		envelope_text_puts(&o, "<s:Body/>");
	else {
		envelope_text_puts(&o, "<s:Body>");
		envelope_text_put(&o, (const char *)env->body, env->body_len);
		envelope_text_puts(&o, "</s:Body>");
	}
	envelope_text_puts(&o, "</s:Envelope>");
	o.p[o.len] = '\0';
	*out = o.p;
	*out_len = o.len;
	return 0;
}
