/*
 * What both sides of the HTTP binding share: the media types of SOAP over
 * HTTP (bindings.md), the codec calls, timers and deferred frees.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "encoding.h"
#include "envelope.h"
#include "httphdr.h"
#include "listener.h"
#include "log.h"
#include "registry.h"
#include "transport.h"
#include "url.h"


#include "http.h"


struct event *
http_util_reap_event(void (*cb)(evutil_socket_t, short, void *), void *arg)
{
	return event_new(registry_base(), -1, 0, cb, arg);
}

/* The fd of an evhttp connection, or -1. */
evutil_socket_t
http_util_evcon_fd(struct evhttp_connection *evcon)
{
	struct bufferevent *bev;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return -1;
	return bufferevent_getfd(bev);
}

/* Makes the next close of the connection a RST: the outcome of what was
 * in flight is unknown to the peer (bindings.md, abort). */
void
http_util_linger0(struct evhttp_connection *evcon)
{
	struct linger lg = { 1, 0 };
	evutil_socket_t fd = http_util_evcon_fd(evcon);

	if (fd != -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

void
http_util_timer_arm(struct event **ev, uint64_t ms,
    void (*cb)(evutil_socket_t, short, void *), void *arg)
{
	struct timeval tv;

	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
	if (ms == HTTP_INFINITE)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if ((*ev = evtimer_new(registry_base(), cb, arg)) != NULL)
		evtimer_add(*ev, &tv);
}

void
http_util_timer_stop(struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
}

/*
 * The media type of a Content-Type value: its encoding and SOAP version.
 * 0, or -1 for a type SOAP over HTTP does not use here.  (Only the value
 * of one header evhttp has parsed: no HTTP parsing of our own.)
 */
int
http_util_media_type(const char *ct, uint32_t *encoding, uint32_t *envelope)
{
	size_t n;
	const char *cs;
	uint32_t utf16 = 0;

	if (ct == NULL)
		return -1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	if ((cs = strcasestr(ct, "charset=")) != NULL) {
		cs += 8;
		if (*cs == '"')
			cs++;
		/* UTF-16 text: its byte order is the body's BOM when it has
		 * one (http_util_body_encoding), else big endian (RFC 2781)
		 * unless the charset names it. */
		if (strncasecmp(cs, "utf-16le", 8) == 0)
			utf16 = WS_ENCODING_XML_UTF16LE;
		else if (strncasecmp(cs, "utf-16", 6) == 0)
			utf16 = WS_ENCODING_XML_UTF16BE;
		else if (strncasecmp(cs, "utf-8", 5) != 0)
			return -1;
	}
	if (n == 20 && strncasecmp(ct, "application/soap+xml", n) == 0) {
		*encoding = WS_ENCODING_XML_UTF8;
		*envelope = WS_ENVELOPE_VERSION_SOAP_1_2;
	} else if (n == 8 && strncasecmp(ct, "text/xml", n) == 0) {
		*encoding = WS_ENCODING_XML_UTF8;
		*envelope = WS_ENVELOPE_VERSION_SOAP_1_1;
	} else if (n == 23 && strncasecmp(ct, "application/soap+msbin1", n) == 0) {
		*encoding = WS_ENCODING_XML_BINARY_1;
		*envelope = WS_ENVELOPE_VERSION_SOAP_1_2;
	} else
		return -1;
	if (utf16 != 0) {
		if (*encoding != WS_ENCODING_XML_UTF8)
			return -1;	/* msbin1 has no charset */
		*encoding = utf16;
	}
	return 0;
}

bool
http_util_utf16(uint32_t encoding)
{
	return encoding == WS_ENCODING_XML_UTF16LE ||
	    encoding == WS_ENCODING_XML_UTF16BE;
}

uint32_t
http_util_body_encoding(uint32_t encoding, const uint8_t *body, size_t len)
{
	if (!http_util_utf16(encoding) || len < 2)
		return encoding;
	if (body[0] == 0xff && body[1] == 0xfe)
		return WS_ENCODING_XML_UTF16LE;
	if (body[0] == 0xfe && body[1] == 0xff)
		return WS_ENCODING_XML_UTF16BE;
	return encoding;
}

/*
 * Text between UTF-8 (what the codec speaks) and UTF-16 (what the peer
 * does): iconv from `from` to `to`; `bom` bytes go first.  -1 when the
 * text does not convert (bad input) or memory runs out (errno).
 */
static int
http_util_iconv(const char *from, const char *to, const uint8_t *in,
    size_t len, const uint8_t *bom, size_t bom_len, uint8_t **out,
    size_t *out_len)
{
	iconv_t cd;
	char *ip = (char *)in, *op;
	size_t il = len, ol, cap = len * 2 + bom_len + 4, r;
	uint8_t *buf;

	if ((cd = iconv_open(to, from)) == (iconv_t)-1)
		return -1;
	if ((buf = malloc(cap)) == NULL) {
		iconv_close(cd);
		return -1;
	}
	if (bom_len > 0)
		memcpy(buf, bom, bom_len);
	op = (char *)buf + bom_len;
	ol = cap - bom_len;
	/* UTF-8 to UTF-16 at most doubles, UTF-16 to UTF-8 at most grows
	 * by half: one pass fits. */
	r = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1 || il != 0) {
		free(buf);
		errno = EILSEQ;
		return -1;
	}
	*out = buf;
	*out_len = cap - ol;
	return 0;
}

/* The action of a request from its HTTP headers: SOAP 1.2's action
 * parameter or SOAP 1.1's SOAPAction, unquoted; malloc'd or NULL. */
char *
http_util_header_action(struct evkeyvalq *hdrs, uint32_t envelope)
{
	const char *v = NULL, *p;
	size_t n;

	if (envelope == WS_ENVELOPE_VERSION_SOAP_1_2) {
		p = evhttp_find_header(hdrs, "Content-Type");
		if (p != NULL && (v = strcasestr(p, "action=")) != NULL)
			v += 7;
	}
	if (v == NULL)
		v = evhttp_find_header(hdrs, "SOAPAction");
	if (v == NULL)
		return NULL;
	while (*v == ' ')
		v++;
	if (*v == '"') {
		v++;
		n = strcspn(v, "\"");
	} else
		n = strcspn(v, "; \t\"");
	return n > 0 ? strndup(v, n) : NULL;
}

/* Decodes a body of `encoding` into `env` (zeroed): S_OK or the HRESULT. */
int32_t
http_util_decode(uint32_t encoding, uint32_t envelope, const uint8_t *body,
    size_t len, struct envelope *env, const char **why)
{
	struct encoding *enc;
	uint8_t *utf8 = NULL;
	size_t n;
	int32_t hr;

	if (http_util_utf16(encoding)) {
		/* The BOM says the order; iconv never sees it. */
		encoding = http_util_body_encoding(encoding, body, len);
		if (len >= 2 && ((body[0] == 0xff && body[1] == 0xfe) ||
		    (body[0] == 0xfe && body[1] == 0xff))) {
			body += 2;
			len -= 2;
		}
		if (http_util_iconv(encoding == WS_ENCODING_XML_UTF16LE ?
		    "UTF-16LE" : "UTF-16BE", "UTF-8", body, len, NULL, 0,
		    &utf8, &n) != 0) {
			*why = errno == EILSEQ ? "the body is not UTF-16 text" :
			    "out of memory";
			return errno == EILSEQ ? WS_E_INVALID_FORMAT :
			    E_OUTOFMEMORY;
		}
		body = utf8;
		len = n;
		encoding = WS_ENCODING_XML_UTF8;
	}
	if (encoding_new(encoding, envelope, 0, &enc) != 0) {
		free(utf8);
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	*why = "the body is not a SOAP envelope";
	hr = encoding_decode(enc, body, len, env, why);
	encoding_free(enc);
	free(utf8);
	return hr;
}

/* Encodes `msg` with the channel's encoding; S_OK with *out, *len. */
int32_t
http_util_encode(struct channel *ch, const struct envelope *msg, uint32_t encoding,
    uint8_t **out, size_t *len, const char **why)
{
	static const uint8_t bom_le[2] = { 0xff, 0xfe }, bom_be[2] = { 0xfe, 0xff };
	struct encoding *enc;
	uint8_t *table = NULL, *utf16;
	size_t table_len = 0, n;
	uint32_t wire = encoding;
	int32_t hr;

	if (http_util_utf16(encoding))
		encoding = WS_ENCODING_XML_UTF8;	/* converted below */
	if (encoding_new(encoding, (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), 0, &enc) != 0) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	hr = encoding_encode(enc, msg, &table, &table_len, out, len, why);
	encoding_free(enc);
	free(table);
	if (hr == S_OK && wire != encoding) {
		/* With a BOM, as charset=utf-16 asks (RFC 2781). */
		if (http_util_iconv("UTF-8", wire == WS_ENCODING_XML_UTF16LE ?
		    "UTF-16LE" : "UTF-16BE", *out, *len,
		    wire == WS_ENCODING_XML_UTF16LE ? bom_le : bom_be, 2,
		    &utf16, &n) != 0) {
			free(*out);
			*out = NULL;
			*why = errno == EILSEQ ? "the message is not UTF-8 text" :
			    "out of memory";
			return errno == EILSEQ ? WS_E_INVALID_FORMAT :
			    E_OUTOFMEMORY;
		}
		free(*out);
		*out = utf16;
		*len = n;
	}
	if (hr == S_OK && *len > http_util_max_out(ch)) {
		free(*out);
		*out = NULL;
		*why = http_util_streamed(ch, WS_STREAMED_OUTPUT_TRANSFER_MODE) ?
		    "message larger than MAX_STREAMED_MESSAGE_SIZE" :
		    "message larger than MAX_BUFFERED_MESSAGE_SIZE";
		return WS_E_QUOTA_EXCEEDED;
	}
	return hr;
}

/* ---- streamed transfer -------------------------------------------------- */

bool
http_util_streamed(struct channel *ch, uint32_t mode)
{
	return (channel_prop_value(ch, WS_CHANNEL_PROPERTY_TRANSFER_MODE) &
	    mode) != 0;
}

/* What a message may weigh on the wire: MAX_STREAMED_MESSAGE_SIZE when
 * that way is streamed (MS), else MAX_BUFFERED_MESSAGE_SIZE. */
uint64_t
http_util_max_in(struct channel *ch)
{
	return channel_prop_value(ch, http_util_streamed(ch,
	    WS_STREAMED_INPUT_TRANSFER_MODE) ?
	    WS_CHANNEL_PROPERTY_MAX_STREAMED_MESSAGE_SIZE :
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE);
}

uint64_t
http_util_max_out(struct channel *ch)
{
	return channel_prop_value(ch, http_util_streamed(ch,
	    WS_STREAMED_OUTPUT_TRANSFER_MODE) ?
	    WS_CHANNEL_PROPERTY_MAX_STREAMED_MESSAGE_SIZE :
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE);
}

#define HTTP_STREAM_MARK	"wschannel-streamed-body"

/*
 * The envelope of a streamed message around its body: what goes before
 * the first piece (up to and with <s:Body>) and after the last.  UTF-8
 * text only: pieces are the library's UTF-8 XML, each a run of whole
 * elements with their namespaces declared, so they go out as they are.
 */
int32_t
http_util_encode_split(struct channel *ch, const struct envelope *msg,
    uint32_t encoding, uint8_t **head, size_t *hlen, uint8_t **tail,
    size_t *tlen, const char **why)
{
	struct envelope shell;
	uint8_t *doc = NULL, *mark, *end;
	size_t len = 0;
	int32_t hr;

	if (encoding != WS_ENCODING_XML_UTF8) {
		*why = "streamed output is sent as UTF-8 text only";
		return WS_E_NOT_SUPPORTED;
	}
	shell = *msg;
	shell.body = (uint8_t *)"<" HTTP_STREAM_MARK "/>";
	shell.body_len = strlen((const char *)shell.body);
	if ((hr = http_util_encode(ch, &shell, encoding, &doc, &len,
	    why)) != S_OK)
		return hr;
	mark = memmem(doc, len, "<" HTTP_STREAM_MARK, strlen(HTTP_STREAM_MARK) + 1);
	end = mark != NULL ? memmem(mark, len - (size_t)(mark - doc), "/>",
	    2) : NULL;
	if (end == NULL || (*tail = malloc(len - (size_t)(end + 2 - doc) +
	    1)) == NULL) {
		free(doc);
		*why = end == NULL ? "cannot place the streamed body" :
		    "out of memory";
		return end == NULL ? WS_E_INVALID_FORMAT : E_OUTOFMEMORY;
	}
	*tlen = len - (size_t)(end + 2 - doc);
	memcpy(*tail, end + 2, *tlen);
	*hlen = (size_t)(mark - doc);
	*head = doc;
	return S_OK;
}

/* The Content-Type we send for `encoding`, with the action where SOAP
 * 1.2 text carries it (bindings.md). */
void
http_util_content_type(char *buf, size_t len, uint32_t encoding, uint32_t envelope,
    const char *action)
{
	const char *base = encoding_content_type(encoding, envelope);

	if (http_util_utf16(encoding))
		base = envelope == WS_ENVELOPE_VERSION_SOAP_1_1 ?
		    "text/xml; charset=utf-16" :
		    "application/soap+xml; charset=utf-16";
	if (base == NULL)
		base = "application/soap+xml; charset=utf-8";
	if ((encoding == WS_ENCODING_XML_UTF8 || http_util_utf16(encoding)) &&
	    envelope == WS_ENVELOPE_VERSION_SOAP_1_2 && action != NULL)
		snprintf(buf, len, "%s; action=\"%s\"", base, action);
	else
		snprintf(buf, len, "%s", base);
}


/* ---- HTTP headers standing for mapped headers ---------------------------- */

/*
 * What a client asks us to write as HTTP headers is checked here again
 * (the library checked it against the channel's mapping): a token name
 * the transport does not own, a value HTTP can carry, within the bounds.
 */
int32_t
http_util_headers_check(const struct envelope *msg, const char **why)
{
	size_t i, bytes = 0;

	if (msg->nhttp > HTTPHDR_MAX_COUNT) {
		*why = "too many mapped HTTP headers on one message";
		return E_INVALIDARG;
	}
	for (i = 0; i < msg->nhttp; i++) {
		const char *n = msg->http[i].name, *v = msg->http[i].value;

		if (!httphdr_name_ok(n, strlen(n))) {
			*why = "a mapped HTTP header name is not a token";
			return E_INVALIDARG;
		}
		if (httphdr_owned(n, strlen(n))) {
			*why = "a mapped HTTP header names a header the HTTP "
			    "transport owns";
			return E_INVALIDARG;
		}
		if (!httphdr_value_ok(v, strlen(v))) {
			*why = "a mapped HTTP header value holds a control "
			    "character";
			return E_INVALIDARG;
		}
		bytes += strlen(n) + strlen(v);
	}
	if (bytes > HTTPHDR_MAX_BYTES) {
		*why = "the mapped HTTP headers of one message are too large";
		return E_INVALIDARG;
	}
	return S_OK;
}

/* Adds the checked headers of `msg` to a request or response. */
int
http_util_headers_put(struct evkeyvalq *h, const struct envelope *msg)
{
	size_t i;

	for (i = 0; i < msg->nhttp; i++) {
		/* The pseudo entries of a raw message (httphdr.h) and its
		 * Content-Type are written by who sends it. */
		if (msg->http[i].name[0] == ':' ||
		    strcasecmp(msg->http[i].name, "Content-Type") == 0)
			continue;
		if (evhttp_add_header(h, msg->http[i].name,
		    msg->http[i].value) != 0)
			return -1;
	}
	return 0;
}

/*
 * The headers of a received request or response, but the transport's own,
 * into env->http: the library keeps what the channel's mapping names.
 * Beyond the bounds the rest is left out; 0 or -ENOMEM.
 */
int
http_util_headers_take(struct evkeyvalq *in, struct envelope *env)
{
	struct evkeyval *kv;
	size_t bytes = 0, n;

	TAILQ_FOREACH(kv, in, next) {
		n = strlen(kv->key) + strlen(kv->value);
		if (httphdr_owned(kv->key, strlen(kv->key)) ||
		    !httphdr_name_ok(kv->key, strlen(kv->key)) ||
		    !httphdr_value_ok(kv->value, strlen(kv->value)))
			continue;
		if (env->nhttp >= HTTPHDR_MAX_COUNT ||
		    bytes + n > HTTPHDR_MAX_BYTES)
			break;
		if (envelope_http_add(env, kv->key, kv->value) != 0)
			return -ENOMEM;
		bytes += n;
	}
	return 0;
}
