/*
 * Message bodies: one element described by a WS_ELEMENT_DESCRIPTION, written
 * and read with libxml2.  Values use the canonical XML Schema lexical forms;
 * reading is strict (range, trailing garbage).
 */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "envelope_text.h"
#include "internal.h"
#include "xml_internal.h"

#define WS_XSI_NS	"http://www.w3.org/2001/XMLSchema-instance"
#define WS_BODY_WRAP	"wschannel-body"

static pthread_once_t	 ws_body_once = PTHREAD_ONCE_INIT;
/* Each thread keeps the libxml2 parser that reads bodies: making one
 * costs more than reading a small body with it. */
static pthread_key_t	 ws_body_ctxt_key;
static bool		 ws_body_ctxt_keyed;
/* Past this many names its dictionary is dropped with it (a peer's
 * names must not pile up in a thread for ever). */
#define WS_BODY_CTXT_NAMES	4096

/*
 * A thread's parser goes with the thread.  Our library thread ends when
 * its connection does, which can be while the process exits, and then
 * libxml2's own destructor (xmlCleanupParser) may free what the parser
 * still points to, the encoding handlers, while it is being freed.  Our
 * destructor runs before libxml2's (we depend on it): it waits for a free
 * in progress, and parsers of threads that end later are kept, reachable,
 * instead.
 */
static pthread_mutex_t	 ws_body_ctxt_lock = PTHREAD_MUTEX_INITIALIZER;
static bool		 ws_body_exiting;
static void		*ws_body_ctxt_kept[8];

static void
ws_body_ctxt_free(void *arg)
{
	size_t i;

	pthread_mutex_lock(&ws_body_ctxt_lock);
	if (!ws_body_exiting)
		xmlFreeParserCtxt(arg);
	else {
		for (i = 0; i < sizeof(ws_body_ctxt_kept) /
		    sizeof(ws_body_ctxt_kept[0]); i++)
			if (ws_body_ctxt_kept[i] == NULL) {
				ws_body_ctxt_kept[i] = arg;
				break;
			}
	}
	pthread_mutex_unlock(&ws_body_ctxt_lock);
}

__attribute__((destructor)) static void
ws_body_fini(void)
{
	pthread_mutex_lock(&ws_body_ctxt_lock);
	ws_body_exiting = true;
	pthread_mutex_unlock(&ws_body_ctxt_lock);
}
static locale_t		 ws_body_c_locale;

/* What the library needs to know about each supported type. */
struct ws_body_type {
	WS_TYPE		 type;
	const char	*name;
	size_t		 size;		/* of the value (REQUIRED_VALUE) */
	bool		 heap;		/* its data lives in the WS_HEAP */
};

static const struct ws_body_type ws_body_types[] = {
	{ WS_INT32_TYPE, "INT32", sizeof(int32_t), false },
	{ WS_UINT32_TYPE, "UINT32", sizeof(uint32_t), false },
	{ WS_INT64_TYPE, "INT64", sizeof(int64_t), false },
	{ WS_UINT64_TYPE, "UINT64", sizeof(uint64_t), false },
	{ WS_BOOL_TYPE, "BOOL", sizeof(BOOL), false },
	{ WS_DOUBLE_TYPE, "DOUBLE", sizeof(double), false },
	{ WS_WSZ_TYPE, "WSZ", sizeof(WCHAR *), true },
	{ WS_XML_STRING_TYPE, "XML_STRING", sizeof(WS_XML_STRING), true },
};

/* A parsed value before it is stored per the read option. */
union ws_body_value {
	int32_t		 i32;
	uint32_t	 u32;
	int64_t		 i64;
	uint64_t	 u64;
	BOOL		 b;
	double		 d;
};

static void
ws_body_init(void)
{
	xmlInitParser();
	ws_body_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	ws_body_ctxt_keyed = pthread_key_create(&ws_body_ctxt_key,
	    ws_body_ctxt_free) == 0;
}

static const struct ws_body_type *
ws_body_type(WS_TYPE t)
{
	size_t i;

	for (i = 0; i < sizeof(ws_body_types) / sizeof(ws_body_types[0]); i++)
		if (ws_body_types[i].type == t)
			return &ws_body_types[i];
	return NULL;
}

char *
ws_body_xml_string(const WS_XML_STRING *s)
{
	char *p;

	if (s == NULL || s->length == 0)
		return strdup("");
	if (s->bytes == NULL || (p = malloc((size_t)s->length + 1)) == NULL)
		return NULL;
	memcpy(p, s->bytes, s->length);
	p[s->length] = '\0';
	return p;
}

/*
 * A WS_BYTES_TYPE body without an element name: the bytes of a raw body
 * (WS_ENCODING_RAW, the MS REST sample), held as the base64 text of a
 * raw XML document (ws_header.c turns it into the bytes on the wire).
 */
static bool
ws_body_is_raw(const WS_ELEMENT_DESCRIPTION *d)
{
	return d->elementLocalName == NULL && d->type == WS_BYTES_TYPE;
}

static HRESULT
ws_body_raw_check(const WS_ELEMENT_DESCRIPTION *d, bool write, int opt,
    WS_HEAP *heap, const void *value, ULONG size, WS_ERROR *error,
    const char *api)
{
	bool ptr = write ? opt == WS_WRITE_REQUIRED_POINTER :
	    opt == WS_READ_REQUIRED_POINTER || opt == WS_READ_OPTIONAL_POINTER;

	if (value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the body value is NULL", api);
	if (!ptr && opt != (write ? (int)WS_WRITE_REQUIRED_VALUE :
	    (int)WS_READ_REQUIRED_VALUE))
		return ws_error_fail(error, E_INVALIDARG, "%s: option %d is not "
		    "supported for a raw body", api, opt);
	if (size != (ptr ? sizeof(void *) : sizeof(WS_BYTES)))
		return ws_error_fail(error, E_INVALIDARG, "%s: a raw body value "
		    "is %zu bytes, not %u", api, ptr ? sizeof(void *) :
		    sizeof(WS_BYTES), size);
	if (write && ptr && *(void *const *)value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the required body pointer is NULL", api);
	if (!write && !ws_heap_valid(heap))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: a raw body is read onto a WS_HEAP", api);
	return S_OK;
}

static HRESULT
ws_body_raw_write(WS_WRITE_OPTION opt, const void *value, uint8_t **out,
    size_t *outlen, WS_ERROR *error, const char *api)
{
	const WS_BYTES *b = value;
	struct xml_out o;

	if (opt == WS_WRITE_REQUIRED_POINTER)
		memcpy(&b, value, sizeof(b));
	if (b->length > 0 && b->bytes == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the raw body's bytes are NULL", api);
	memset(&o, 0, sizeof(o));
	if (b->length > 0)
		xml_base64_encode(&o, b->bytes, b->length);
	if (o.oom) {
		xml_out_free(&o);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	*out = o.p;
	*outlen = o.len;
	return S_OK;
}

/*
 * The bytes of a raw body's base64 text.  Each WsWriteBytes is a text of
 * its own, padded, so the text may be padded runs one after the other:
 * each run is decoded on its own.  0, or -1 when it is no base64.
 */
int
ws_body_base64_decode(const uint8_t *p, size_t len, struct xml_out *o)
{
	size_t start = 0, i = 0;

	while (i < len) {
		if (p[i++] != '=')
			continue;
		while (i < len && (p[i] == '=' || p[i] == ' ' || p[i] == '\t' ||
		    p[i] == '\r' || p[i] == '\n'))
			i++;
		if (xml_base64_decode((const char *)p + start, i - start,
		    o) != 0)
			return -1;
		start = i;
	}
	if (start < len && xml_base64_decode((const char *)p + start,
	    len - start, o) != 0)
		return -1;
	return 0;
}

static HRESULT
ws_body_raw_read(const uint8_t *text, size_t len, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, WS_ERROR *error, const char *api)
{
	struct xml_out o;
	WS_BYTES b, *p;
	HRESULT hr = S_OK;

	memset(&o, 0, sizeof(o));
	memset(&b, 0, sizeof(b));
	if (len > 0 && ws_body_base64_decode(text, len, &o) != 0) {
		xml_out_free(&o);
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the body is not a raw body", api);
	}
	if (o.oom)
		hr = E_OUTOFMEMORY;
	else if (o.len > 0 && (b.bytes = ws_heap_alloc(heap, o.len,
	    &hr)) != NULL) {
		memcpy(b.bytes, o.p, o.len);
		b.length = (ULONG)o.len;
	}
	xml_out_free(&o);
	if (hr != S_OK)
		return ws_error_fail(error, hr, "%s: no memory for the body",
		    api);
	if (opt == WS_READ_REQUIRED_VALUE) {
		memcpy(value, &b, sizeof(b));
		return S_OK;
	}
	if ((p = ws_heap_alloc(heap, sizeof(*p), &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: no memory for the body",
		    api);
	*p = b;
	memcpy(value, &p, sizeof(p));
	return S_OK;
}

/* Checks the description itself. */
static HRESULT
ws_body_check_desc(const WS_ELEMENT_DESCRIPTION *d,
    const struct ws_body_type **tp, WS_ERROR *error, const char *api)
{
	const WS_XML_STRING *n = d->elementLocalName, *ns = d->elementNs;

	if (n == NULL || n->length == 0 || n->bytes == NULL ||
	    memchr(n->bytes, '\0', n->length) != NULL ||
	    (ns != NULL && ns->length > 0 && (ns->bytes == NULL ||
	    memchr(ns->bytes, '\0', ns->length) != NULL)))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the body element description has no valid local "
		    "name or namespace", api);
	if ((*tp = ws_body_type(d->type)) != NULL)
		return S_OK;
	/* The other types go through the XML layer's serializer (a NULL
	 * *tp); a fault body is the faults' own path. */
	if (d->type != WS_VOID_TYPE &&
	    xml_type_size_of(d->type, d->typeDescription) == 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: body element type %d is unknown or has no "
		    "description", api, (int)d->type);
	return S_OK;
}

/* The body element through the XML writer: any described type. */
static HRESULT
ws_body_xml_write(const WS_ELEMENT_DESCRIPTION *d, WS_WRITE_OPTION opt,
    const void *value, ULONG size, uint8_t **out, size_t *outlen,
    WS_ERROR *error, const char *api)
{
	static const WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BUFFER_OUTPUT bo = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	ULONG max = UINT32_MAX;
	WS_XML_WRITER_PROPERTY p = { WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE,
	    &max, sizeof(max) };
	WS_XML_WRITER *w = NULL;
	WS_BYTES b;
	HRESULT hr;

	if (out != NULL) {
		*out = NULL;
		*outlen = 0;
	}
	if ((hr = WsCreateWriter(&p, 1, &w, error)) != S_OK)
		return hr;
	if ((hr = WsSetOutput(w, &enc.encoding, &bo.output, NULL, 0,
	    error)) != S_OK ||
	    (hr = WsWriteElement(w, d, opt, value, size, error)) != S_OK ||
	    (hr = WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES, &b,
	    sizeof(b), error)) != S_OK)
		goto out;
	if (out != NULL) {
		if ((*out = malloc(b.length > 0 ? b.length : 1)) == NULL) {
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
			goto out;
		}
		memcpy(*out, b.bytes, b.length);
		*outlen = b.length;
	}
out:
	WsFreeWriter(w);
	return hr;
}

/* The index-th element of the body through the XML reader. */
static HRESULT
ws_body_xml_read(const uint8_t *xml, size_t len, size_t index,
    const WS_ELEMENT_DESCRIPTION *d, WS_READ_OPTION opt, WS_HEAP *heap,
    void *value, ULONG size, bool *consumed, WS_ERROR *error,
    const char *api)
{
	static const WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	BOOL frag = TRUE, found = FALSE;
	WS_XML_READER_PROPERTY p = { WS_XML_READER_PROPERTY_ALLOW_FRAGMENT,
	    &frag, sizeof(frag) };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)xml, (ULONG)len };
	WS_XML_READER *r = NULL;
	void *null = NULL;
	size_t i;
	HRESULT hr;

	if (len > UINT32_MAX)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "%s: the body is too large", api);
	if ((hr = WsCreateReader(&p, 1, &r, error)) != S_OK)
		return hr;
	if ((hr = WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    error)) != S_OK) {
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the message body is not well-formed XML", api);
		goto out;
	}
	for (i = 0; i <= index; i++) {
		if ((hr = WsReadToStartElement(r, NULL, NULL, &found,
		    error)) != S_OK)
			goto out;
		if (!found || i == index)
			break;
		if ((hr = WsSkipNode(r, error)) != S_OK)
			goto out;
	}
	if (!found) {
		if (opt == WS_READ_OPTIONAL_POINTER ||
		    opt == WS_READ_NILLABLE_POINTER)
			memcpy(value, &null, sizeof(null));
		else
			hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: expected a body element, found none", api);
		goto out;
	}
	if ((hr = WsReadToStartElement(r, d->elementLocalName, d->elementNs,
	    &found, error)) != S_OK)
		goto out;
	if (!found) {
		/* An optional element that is not there: the next one stays
		 * for the next read. */
		if (opt == WS_READ_OPTIONAL_POINTER)
			memcpy(value, &null, sizeof(null));
		else
			hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the body element is not the described one",
			    api);
		goto out;
	}
	if (consumed != NULL)
		*consumed = true;
	hr = WsReadElement(r, d, opt, heap, value, size, error);
out:
	WsFreeReader(r);
	return hr;
}

HRESULT
ws_body_check_write(const WS_ELEMENT_DESCRIPTION *d, WS_WRITE_OPTION opt,
    const void *value, ULONG size, WS_ERROR *error, const char *api)
{
	const struct ws_body_type *t;
	HRESULT hr;

	if (d == NULL)
		return S_OK;
	if (ws_body_is_raw(d))
		return ws_body_raw_check(d, true, (int)opt, NULL, value, size,
		    error, api);
	if ((hr = ws_body_check_desc(d, &t, error, api)) != S_OK)
		return hr;
	if (value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the body value is NULL", api);
	if (t == NULL)	/* a dry run of the writer checks everything */
		return ws_body_xml_write(d, opt, value, size, NULL, NULL,
		    error, api);
	switch (opt) {
	case WS_WRITE_REQUIRED_VALUE:
		if (size != t->size)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a %s body value is %zu bytes, not %u", api,
			    t->name, t->size, size);
		if (t->type == WS_WSZ_TYPE && *(WCHAR *const *)value == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: the WSZ body value is NULL", api);
		break;
	case WS_WRITE_REQUIRED_POINTER:
	case WS_WRITE_NILLABLE_POINTER:
		if (size != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a pointer body value is %zu bytes, not %u",
			    api, sizeof(void *), size);
		if (opt == WS_WRITE_REQUIRED_POINTER &&
		    *(void *const *)value == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: the required body pointer is NULL", api);
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: write option %d is not supported for a body", api,
		    (int)opt);
	}
	return S_OK;
}

/* The shortest decimal form that reads back as the same double. */
static int
ws_body_format_double(double v, char *buf, size_t len)
{
	locale_t old;
	int prec;

	if (isnan(v))
		return snprintf(buf, len, "NaN");
	if (isinf(v))
		return snprintf(buf, len, v > 0 ? "INF" : "-INF");
	if (ws_body_c_locale == (locale_t)0)
		return -1;
	old = uselocale(ws_body_c_locale);
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod_l(buf, NULL, ws_body_c_locale) == v)
			break;
	}
	uselocale(old);
	return 0;
}

/* The element's text for the value, as a malloc'd UTF-8 string; NULL in
 * *text (and S_OK) for a nil pointer. */
static HRESULT
ws_body_text(const struct ws_body_type *t, WS_WRITE_OPTION opt,
    const void *value, char **text, size_t *textlen, WS_ERROR *error,
    const char *api)
{
	const void *v = value;
	char buf[64];
	const WCHAR *w;
	const WS_XML_STRING *xs;
	int32_t i32;
	uint32_t u32;
	int64_t i64;
	uint64_t u64;
	double d;

	*text = NULL;
	*textlen = 0;
	/* WSZ is a pointer type: bodyValue points at the WCHAR* whatever the
	 * option; for the others a pointer option adds one indirection. */
	if (t->type != WS_WSZ_TYPE && opt != WS_WRITE_REQUIRED_VALUE)
		v = *(const void *const *)value;
	if (t->type == WS_WSZ_TYPE)
		v = *(const WCHAR *const *)value;
	if (v == NULL)
		return S_OK;	/* nil */

	switch (t->type) {
	case WS_INT32_TYPE:
		memcpy(&i32, v, sizeof(i32));
		snprintf(buf, sizeof(buf), "%" PRId32, i32);
		break;
	case WS_UINT32_TYPE:
		memcpy(&u32, v, sizeof(u32));
		snprintf(buf, sizeof(buf), "%" PRIu32, u32);
		break;
	case WS_INT64_TYPE:
		memcpy(&i64, v, sizeof(i64));
		snprintf(buf, sizeof(buf), "%" PRId64, i64);
		break;
	case WS_UINT64_TYPE:
		memcpy(&u64, v, sizeof(u64));
		snprintf(buf, sizeof(buf), "%" PRIu64, u64);
		break;
	case WS_BOOL_TYPE:
		memcpy(&i32, v, sizeof(i32));
		snprintf(buf, sizeof(buf), "%s", i32 ? "true" : "false");
		break;
	case WS_DOUBLE_TYPE:
		memcpy(&d, v, sizeof(d));
		if (ws_body_format_double(d, buf, sizeof(buf)) < 0)
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: no C locale to format a double", api);
		break;
	case WS_WSZ_TYPE:
		w = v;
		if ((*text = ws_utf16_to_utf8(w, ws_wcslen(w), textlen)) == NULL)
			return ws_error_fail(error, errno == EILSEQ ?
			    E_INVALIDARG : E_OUTOFMEMORY,
			    "%s: the WSZ body value is not valid UTF-16", api);
		goto check;
	case WS_XML_STRING_TYPE:
		xs = v;
		if (xs->length > 0 && xs->bytes == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: the XML_STRING body value has no bytes", api);
		if ((*text = ws_body_xml_string(xs)) == NULL)
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		*textlen = xs->length;
		if (strlen(*text) != *textlen ||
		    !xmlCheckUTF8((const xmlChar *)*text)) {
			free(*text);
			*text = NULL;
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: the XML_STRING body value is not valid UTF-8",
			    api);
		}
		goto check;
	default:
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: unsupported body type", api);
	}
	if ((*text = strdup(buf)) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	*textlen = strlen(buf);
	return S_OK;
check:
	if (!ws_chars_xml_ok(*text, *textlen)) {
		free(*text);
		*text = NULL;
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the body string holds characters XML 1.0 cannot carry",
		    api);
	}
	return S_OK;
}

/*
 * The common element (a name, maybe a plain default namespace, text)
 * written as bytes: what xmlNodeDump makes of the same tree, byte for
 * byte, without building one; the text is escaped as the serializer does
 * (envelope_text_escape).  0, or -1 when the namespace needs quoting care
 * or on no memory (the tree path then writes it).
 */
static int
ws_body_write_simple(const char *local, const char *ns, const char *text,
    size_t textlen, uint8_t **out, size_t *outlen)
{
	size_t llen = strlen(local), nlen = strlen(ns), n = 0, i;
	uint8_t *p;

	for (i = 0; i < nlen; i++)
		if ((unsigned char)ns[i] < 0x20 || (unsigned char)ns[i] >= 0x80 ||
		    strchr("\"'&<>", ns[i]) != NULL)
			return -1;
	if (textlen > (SIZE_MAX - 64) / 5 - 2 * llen - nlen ||
	    (p = malloc(2 * llen + nlen + 5 * textlen + 16)) == NULL)
		return -1;
	p[n++] = '<';
	memcpy(p + n, local, llen);
	n += llen;
	if (nlen > 0) {
		memcpy(p + n, " xmlns=\"", 8);
		n += 8;
		memcpy(p + n, ns, nlen);
		n += nlen;
		p[n++] = '"';
	}
	if (textlen == 0) {
		memcpy(p + n, "/>", 2);
		n += 2;
	} else {
		p[n++] = '>';
		n += envelope_text_escape(p + n, (const uint8_t *)text, textlen);
		p[n++] = '<';
		p[n++] = '/';
		memcpy(p + n, local, llen);
		n += llen;
		p[n++] = '>';
	}
	*out = p;
	*outlen = n;
	return 0;
}

HRESULT
ws_body_write(const WS_ELEMENT_DESCRIPTION *d, WS_WRITE_OPTION opt,
    const void *value, ULONG size, uint8_t **out, size_t *outlen,
    WS_ERROR *error, const char *api)
{
	const struct ws_body_type *t;
	char *local = NULL, *ns = NULL, *text = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr node;
	xmlNsPtr nsp, xsi;
	xmlBufferPtr buf = NULL;
	size_t textlen;
	HRESULT hr;

	*out = NULL;
	*outlen = 0;
	if (d == NULL)
		return S_OK;
	if (ws_body_is_raw(d))
		return (hr = ws_body_raw_check(d, true, (int)opt, NULL, value,
		    size, error, api)) != S_OK ? hr : ws_body_raw_write(opt,
		    value, out, outlen, error, api);
	pthread_once(&ws_body_once, ws_body_init);
	if ((hr = ws_body_check_desc(d, &t, error, api)) != S_OK)
		return hr;
	if (t == NULL)
		return value == NULL ? ws_error_fail(error, E_INVALIDARG,
		    "%s: the body value is NULL", api) :
		    ws_body_xml_write(d, opt, value, size, out, outlen, error,
		    api);
	if ((hr = ws_body_check_write(d, opt, value, size, error, api)) != S_OK)
		return hr;
	if ((hr = ws_body_text(t, opt, value, &text, &textlen, error,
	    api)) != S_OK)
		return hr;
	hr = E_OUTOFMEMORY;
	if ((local = ws_body_xml_string(d->elementLocalName)) == NULL ||
	    (ns = ws_body_xml_string(d->elementNs)) == NULL)
		goto fail;
	if (xmlValidateNCName((const xmlChar *)local, 0) != 0) {
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: '%s' is not a valid XML element name", api, local);
		goto fail;
	}
	if (text != NULL && ws_body_write_simple(local, ns, text, textlen,
	    out, outlen) == 0) {
		hr = S_OK;
		goto fail;
	}
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (node = xmlNewDocNode(doc, NULL, (const xmlChar *)local,
	    NULL)) == NULL)
		goto fail;
	xmlDocSetRootElement(doc, node);
	if (*ns != '\0') {
		if ((nsp = xmlNewNs(node, (const xmlChar *)ns, NULL)) == NULL)
			goto fail;
		xmlSetNs(node, nsp);
	}
	if (text == NULL) {
		if ((xsi = xmlNewNs(node, (const xmlChar *)WS_XSI_NS,
		    (const xmlChar *)"xsi")) == NULL ||
		    xmlNewNsProp(node, xsi, (const xmlChar *)"nil",
		    (const xmlChar *)"true") == NULL)
			goto fail;
	} else if (textlen > 0) {
		if (textlen > INT32_MAX)
			goto fail;
		xmlNodeAddContentLen(node, (const xmlChar *)text, (int)textlen);
	}
	if ((buf = xmlBufferCreate()) == NULL ||
	    xmlNodeDump(buf, doc, node, 0, 0) < 0)
		goto fail;
	if ((*out = malloc((size_t)xmlBufferLength(buf))) == NULL)
		goto fail;
	memcpy(*out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	*outlen = (size_t)xmlBufferLength(buf);
	hr = S_OK;
fail:
	if (hr == E_OUTOFMEMORY)
		ws_error_fail(error, hr, "%s: out of memory writing the body",
		    api);
	if (buf != NULL)
		xmlBufferFree(buf);
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(text);
	free(local);
	free(ns);
	return hr;
}

HRESULT
ws_body_check_read(const WS_ELEMENT_DESCRIPTION *d, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, ULONG size, WS_ERROR *error, const char *api)
{
	const struct ws_body_type *t;
	bool need_heap;
	HRESULT hr;

	if (d == NULL)
		return S_OK;
	if (ws_body_is_raw(d))
		return ws_body_raw_check(d, false, (int)opt, heap, value, size,
		    error, api);
	if ((hr = ws_body_check_desc(d, &t, error, api)) != S_OK)
		return hr;
	if (value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the value pointer is NULL", api);
	if (t == NULL) {
		size_t ts = xml_type_size_of(d->type, d->typeDescription);

		switch (opt) {
		case WS_READ_REQUIRED_VALUE:
		case WS_READ_NILLABLE_VALUE:
			if (size != ts)
				return ws_error_fail(error, E_INVALIDARG,
				    "%s: a type %d value is %zu bytes, not %u",
				    api, (int)d->type, ts, size);
			break;
		case WS_READ_REQUIRED_POINTER:
		case WS_READ_OPTIONAL_POINTER:
		case WS_READ_NILLABLE_POINTER:
			if (size != sizeof(void *) || !ws_heap_valid(heap))
				return ws_error_fail(error, E_INVALIDARG,
				    "%s: a pointer value is %zu bytes and "
				    "needs a WS_HEAP", api, sizeof(void *));
			break;
		default:
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: read option %d is unknown", api, (int)opt);
		}
		return S_OK;
	}
	switch (opt) {
	case WS_READ_REQUIRED_VALUE:
		if (size != t->size)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a %s value is %zu bytes, not %u", api,
			    t->name, t->size, size);
		need_heap = t->heap;
		break;
	case WS_READ_REQUIRED_POINTER:
	case WS_READ_OPTIONAL_POINTER:
	case WS_READ_NILLABLE_POINTER:
		if (size != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a pointer value is %zu bytes, not %u", api,
			    sizeof(void *), size);
		need_heap = true;
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: read option %d is not supported for a %s body", api,
		    (int)opt, t->name);
	}
	if (need_heap && !ws_heap_valid(heap))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: reading this body needs a WS_HEAP", api);
	return S_OK;
}

static bool
ws_body_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The collapsed lexical form of a number or boolean: no surrounding
 * white space.  Modifies s. */
static char *
ws_body_trim(char *s)
{
	char *e;

	while (ws_body_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && ws_body_space(e[-1]))
		*--e = '\0';
	return s;
}

/* [+-]?[0-9]+ within [-neg_max, max]. */
static int
ws_body_parse_integer(const char *s, uint64_t max, uint64_t neg_max,
    bool *neg, uint64_t *mag)
{
	uint64_t v = 0;
	unsigned d;

	*neg = false;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*neg ? v > neg_max : v > max)
		return -1;
	*mag = v;
	return 0;
}

/* xs:double: INF, -INF, NaN or a decimal with an optional exponent. */
static int
ws_body_parse_double(const char *s, double *out)
{
	const char *p = s;
	char *end;
	bool digits = false;

	if (strcmp(s, "INF") == 0 || strcmp(s, "+INF") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(s, "-INF") == 0) {
		*out = -INFINITY;
		return 0;
	}
	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	/* strtod alone would also take "inf", "0x1p3", "nan(...)". */
	if (*p == '+' || *p == '-')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits = true;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits = true;
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0' || ws_body_c_locale == (locale_t)0)
		return -1;
	errno = 0;
	*out = strtod_l(s, &end, ws_body_c_locale);
	if (*end != '\0' || (errno == ERANGE && isinf(*out)))
		return -1;
	return 0;
}

/* Parses the text of a scalar element into v. */
static int
ws_body_parse_scalar(const struct ws_body_type *t, char *text,
    union ws_body_value *v)
{
	char *s = ws_body_trim(text);
	uint64_t mag;
	bool neg;

	switch (t->type) {
	case WS_INT32_TYPE:
		if (ws_body_parse_integer(s, INT32_MAX,
		    (uint64_t)INT32_MAX + 1, &neg, &mag) != 0)
			return -1;
		v->i32 = neg ? (int32_t)(-(int64_t)mag) : (int32_t)mag;
		return 0;
	case WS_INT64_TYPE:
		if (ws_body_parse_integer(s, INT64_MAX,
		    (uint64_t)INT64_MAX + 1, &neg, &mag) != 0)
			return -1;
		v->i64 = neg ? (int64_t)(0 - mag) : (int64_t)mag;
		return 0;
	case WS_UINT32_TYPE:
		if (ws_body_parse_integer(s, UINT32_MAX, 0, &neg, &mag) != 0)
			return -1;
		v->u32 = (uint32_t)mag;
		return 0;
	case WS_UINT64_TYPE:
		if (ws_body_parse_integer(s, UINT64_MAX, 0, &neg, &mag) != 0)
			return -1;
		v->u64 = mag;
		return 0;
	case WS_BOOL_TYPE:
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			v->b = TRUE;
		else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
			v->b = FALSE;
		else
			return -1;
		return 0;
	case WS_DOUBLE_TYPE:
		return ws_body_parse_double(s, &v->d);
	default:
		return -1;
	}
}

/* Stores `data` (of t->size bytes) per the read option. */
static HRESULT
ws_body_store(const struct ws_body_type *t, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, const void *data, WS_ERROR *error,
    const char *api)
{
	HRESULT hr;
	void *p;

	if (opt == WS_READ_REQUIRED_VALUE) {
		memcpy(value, data, t->size);
		return S_OK;
	}
	if ((p = ws_heap_alloc(heap, t->size, &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: no room in the heap for "
		    "the body value", api);
	memcpy(p, data, t->size);
	memcpy(value, &p, sizeof(p));
	return S_OK;
}

static HRESULT
ws_body_store_text(const struct ws_body_type *t, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, const char *text, WS_ERROR *error,
    const char *api)
{
	WS_XML_STRING xs;
	WCHAR *w, *hw;
	size_t len;
	HRESULT hr;

	if (t->type == WS_WSZ_TYPE) {
		if ((w = ws_utf8_to_utf16(text, strlen(text), &len)) == NULL)
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		hw = ws_heap_alloc(heap, (len + 1) * sizeof(WCHAR), &hr);
		if (hw != NULL)
			memcpy(hw, w, (len + 1) * sizeof(WCHAR));
		free(w);
		if (hw == NULL)
			return ws_error_fail(error, hr, "%s: no room in the "
			    "heap for the body string", api);
		/* A WCHAR* whatever the option. */
		memcpy(value, &hw, sizeof(hw));
		return S_OK;
	}
	memset(&xs, 0, sizeof(xs));
	xs.length = (ULONG)strlen(text);
	if ((xs.bytes = ws_heap_alloc(heap, xs.length + 1, &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: no room in the heap for "
		    "the body string", api);
	memcpy(xs.bytes, text, (size_t)xs.length + 1);
	return ws_body_store(t, opt, heap, value, &xs, error, api);
}

static bool
ws_body_is_nil(xmlNodePtr node)
{
	xmlChar *nil;
	bool r;

	if ((nil = xmlGetNsProp(node, (const xmlChar *)"nil",
	    (const xmlChar *)WS_XSI_NS)) == NULL)
		return false;
	r = xmlStrcmp(nil, (const xmlChar *)"true") == 0 ||
	    xmlStrcmp(nil, (const xmlChar *)"1") == 0;
	xmlFree(nil);
	return r;
}

/* Only text (and comments, processing instructions) inside a value. */
static bool
ws_body_simple_content(xmlNodePtr node)
{
	xmlNodePtr c;

	for (c = node->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return false;
	return true;
}

#define WS_BODY_PARSE	(XML_PARSE_NONET | XML_PARSE_NOERROR | \
			    XML_PARSE_NOWARNING)

static xmlDocPtr
ws_body_parse(const uint8_t *xml, size_t len)
{
	static const char open[] = "<" WS_BODY_WRAP ">";
	static const char close[] = "</" WS_BODY_WRAP ">";
	const uint8_t *end;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	char *buf;
	size_t n;

	/* Tolerate an XML declaration; the children of soap:Body may be
	 * several elements, so parse them inside a wrapper. */
	if (len >= 5 && memcmp(xml, "<?xml", 5) == 0 &&
	    (end = memmem(xml, len, "?>", 2)) != NULL) {
		len -= (size_t)(end + 2 - xml);
		xml = end + 2;
	}
	if (len > INT32_MAX - 64)
		return NULL;
	n = sizeof(open) - 1 + len + sizeof(close) - 1;
	if ((buf = malloc(n)) == NULL)
		return NULL;
	memcpy(buf, open, sizeof(open) - 1);
	if (len > 0)
		memcpy(buf + sizeof(open) - 1, xml, len);
	memcpy(buf + sizeof(open) - 1 + len, close, sizeof(close) - 1);
	/* No network, no entity expansion, and no printing: the library
	 * never writes to stderr. */
	ctxt = ws_body_ctxt_keyed ? pthread_getspecific(ws_body_ctxt_key) :
	    NULL;
	if (ctxt == NULL && ws_body_ctxt_keyed &&
	    (ctxt = xmlNewParserCtxt()) != NULL &&
	    pthread_setspecific(ws_body_ctxt_key, ctxt) != 0) {
		xmlFreeParserCtxt(ctxt);
		ctxt = NULL;
	}
	if (ctxt == NULL)
		doc = xmlReadMemory(buf, (int)n, NULL, "UTF-8", WS_BODY_PARSE);
	else {
		doc = xmlCtxtReadMemory(ctxt, buf, (int)n, NULL, "UTF-8",
		    WS_BODY_PARSE);
		if (ctxt->dict == NULL ||
		    xmlDictSize(ctxt->dict) > WS_BODY_CTXT_NAMES) {
			(void)pthread_setspecific(ws_body_ctxt_key, NULL);
			xmlFreeParserCtxt(ctxt);
		}
	}
	free(buf);
	return doc;
}

HRESULT
ws_body_read(const uint8_t *xml, size_t len, const WS_ELEMENT_DESCRIPTION *d,
    WS_READ_OPTION opt, WS_HEAP *heap, void *value, ULONG size,
    WS_ERROR *error, const char *api)
{
	return ws_body_read_at(xml, len, 0, d, opt, heap, value, size, NULL,
	    error, api);
}

HRESULT
ws_body_read_at(const uint8_t *xml, size_t len, size_t index,
    const WS_ELEMENT_DESCRIPTION *d, WS_READ_OPTION opt, WS_HEAP *heap,
    void *value, ULONG size, bool *consumed, WS_ERROR *error,
    const char *api)
{
	const struct ws_body_type *t;
	union ws_body_value v;
	char *local = NULL, *ns = NULL;
	const char *got_ns;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, node;
	xmlChar *text = NULL;
	void *null = NULL;
	size_t i = 0;
	HRESULT hr;

	if (consumed != NULL)
		*consumed = false;
	if (d == NULL)
		return S_OK;
	if (ws_body_is_raw(d)) {
		/* The whole body is the one raw value. */
		if ((hr = ws_body_raw_check(d, false, (int)opt, heap, value,
		    size, error, api)) != S_OK)
			return hr;
		if (index > 0)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: a raw body was read already", api);
		if ((hr = ws_body_raw_read(xml, len, opt, heap, value, error,
		    api)) == S_OK && consumed != NULL)
			*consumed = true;
		return hr;
	}
	pthread_once(&ws_body_once, ws_body_init);
	if ((hr = ws_body_check_read(d, opt, heap, value, size, error,
	    api)) != S_OK)
		return hr;
	if ((t = ws_body_type(d->type)) == NULL)
		return ws_body_xml_read(xml, len, index, d, opt, heap, value,
		    size, consumed, error, api);
	if ((local = ws_body_xml_string(d->elementLocalName)) == NULL ||
	    (ns = ws_body_xml_string(d->elementNs)) == NULL) {
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
		goto out;
	}
	if ((doc = ws_body_parse(xml, len)) == NULL ||
	    (root = xmlDocGetRootElement(doc)) == NULL) {
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the message body is not well-formed XML", api);
		goto out;
	}
	for (node = root->children; node != NULL; node = node->next)
		if (node->type == XML_ELEMENT_NODE && i++ == index)
			break;
	if (node == NULL) {
		if (opt == WS_READ_OPTIONAL_POINTER ||
		    opt == WS_READ_NILLABLE_POINTER) {
			memcpy(value, &null, sizeof(null));
			hr = S_OK;
		} else
			hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: expected body element {%s}%s, found an empty "
			    "body", api, ns, local);
		goto out;
	}
	got_ns = node->ns != NULL && node->ns->href != NULL ?
	    (const char *)node->ns->href : "";
	if (strcmp((const char *)node->name, local) != 0 ||
	    strcmp(got_ns, ns) != 0) {
		/* An optional element that is not there: the next one stays
		 * for the next read. */
		if (opt == WS_READ_OPTIONAL_POINTER) {
			memcpy(value, &null, sizeof(null));
			hr = S_OK;
			goto out;
		}
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: expected body element {%s}%s, found {%s}%s", api, ns,
		    local, got_ns, (const char *)node->name);
		goto out;
	}
	if (consumed != NULL)
		*consumed = true;
	if (ws_body_is_nil(node)) {
		if (opt == WS_READ_NILLABLE_POINTER) {
			memcpy(value, &null, sizeof(null));
			hr = S_OK;
		} else
			hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: body element {%s}%s is nil but a value is "
			    "required", api, ns, local);
		goto out;
	}
	if (!ws_body_simple_content(node)) {
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: body element {%s}%s holds elements, not a %s", api,
		    ns, local, t->name);
		goto out;
	}
	if ((text = xmlNodeGetContent(node)) == NULL &&
	    (text = xmlStrdup((const xmlChar *)"")) == NULL) {
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
		goto out;
	}
	if (t->heap) {
		hr = ws_body_store_text(t, opt, heap, value,
		    (const char *)text, error, api);
		goto out;
	}
	if (ws_body_parse_scalar(t, (char *)text, &v) != 0) {
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: body element {%s}%s: not a valid %s value", api, ns,
		    local, t->name);
		goto out;
	}
	hr = ws_body_store(t, opt, heap, value, &v, error, api);
out:
	if (text != NULL)
		xmlFree(text);
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(local);
	free(ns);
	return hr;
}
