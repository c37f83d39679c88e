/*
 * Streamed input: a message body read as it arrives, for a channel in
 * WS_STREAMED_INPUT_TRANSFER_MODE whose daemon hands the body on in raw
 * pieces (HTTP REQUEST channels over the Unix socket; see
 * daemon/transport/http_stream_in.c and read_body_more in
 * proto/wschannel.proto).
 *
 * The daemon answers WsReadMessageStart with the first raw bytes of the
 * envelope, in the channel's encoding (text, UTF-8 or UTF-16, or binary
 * msbin1), and each read_body_more with the next ones.  The message gets
 * an XML reader on WS_XML_READER_STREAM_INPUT whose read callback hands
 * it those bytes, fetching more from the daemon when it has none:
 *  - WsReadMessageStart returns once the envelope, its headers and the
 *    Body's start tag are in (at most MAX_STREAMED_START_SIZE bytes, else
 *    WS_E_QUOTA_EXCEEDED);
 *  - WsFillBody(minSize) fetches until minSize bytes past what was read
 *    are buffered, or the body ends (WsFillReader);
 *  - WsReadBody reads the next element from what is buffered, fetching
 *    the rest of an element whose start is already there;
 *  - WsReadMessageEnd fetches (and drops) what is left.
 * The envelope's start is read afresh, from its first byte, each time
 * more of it arrived (it is small); the body is read once.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_reader.h"

/* What a stream reader may hold; the daemon bounds the message by
 * MAX_STREAMED_MESSAGE_SIZE before that. */
#define WS_STREAM_IN_BUFFER	((ULONG)1 << 30)

struct ws_stream_in {
	WS_CHANNEL	*ch;		/* checked live at each fetch */
	WS_XML_READER	*reader;
	/* Raw bytes fetched, not yet handed to the reader (while the start
	 * is read: all of them, from the first). */
	uint8_t		*buf;
	size_t		 len, off, cap;
	bool		 ended;		/* the daemon has no more */
	bool		 head;		/* reading the start: no fetching */
	const char	*api;		/* the call that reads, for errors */
};

/* A read_body_more in flight. */
struct ws_stream_fetch {
	struct ipc_call		 c;
	struct ws_stream_in	*s;
};

static HRESULT
ws_stream_in_add(struct ws_stream_in *s, const uint8_t *p, size_t n)
{
	uint8_t *b;
	size_t cap;

	if (s->len + n > s->cap) {
		cap = s->cap == 0 ? 4096 : s->cap;
		while (cap < s->len + n)
			cap *= 2;
		if ((b = realloc(s->buf, cap)) == NULL)
			return E_OUTOFMEMORY;
		s->buf = b;
		s->cap = cap;
	}
	if (n > 0)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	return S_OK;
}

static HRESULT
ws_stream_in_fetched(struct ipc_call *c, HRESULT hr)
{
	struct ws_stream_fetch *f = (struct ws_stream_fetch *)c;
	const Wschannel__Envelope *e;

	if (hr != S_OK)
		return hr;
	if (c->reply == NULL ||
	    c->reply->result_case != WSCHANNEL__REPLY__RESULT_MESSAGE ||
	    !(e = c->reply->message)->has_more_body)
		return ws_error_fail(c->error, WS_E_OTHER, "%s: wschanneld's "
		    "reply carries no body bytes", c->api);
	if (e->has_body && ws_stream_in_add(f->s, e->body.data,
	    e->body.len) != S_OK)
		return ws_error_fail(c->error, E_OUTOFMEMORY,
		    "%s: out of memory", c->api);
	f->s->ended = !e->more_body;
	return S_OK;
}

/* Fetches the next raw bytes from the daemon (waits for them). */
static HRESULT
ws_stream_in_fetch(struct ws_stream_in *s, WS_ERROR *error, const char *api)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	struct ws_stream_fetch f;
	HRESULT hr;

	if ((hr = ws_channel_live(s->ch, error, api)) != S_OK)
		return hr;
	ipc_call_new(&f, sizeof(f), NULL);
	f.s = s;
	f.c.conn = s->ch->obj.conn;
	f.c.obj = &s->ch->obj;		/* the reference goes with the call */
	f.c.error = error;
	f.c.api = api;
	f.c.finish = ws_stream_in_fetched;
	ref.id = s->ch->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_READ_BODY_MORE;
	req.read_body_more = &ref;
	return ipc_call_run(&f.c, &req);
}

/* The reader's read callback: the bytes fetched, then more. */
static HRESULT CALLBACK
ws_stream_in_read(void *state, void *bytes, ULONG max, ULONG *got,
    const WS_ASYNC_CONTEXT *ac, WS_ERROR *error)
{
	struct ws_stream_in *s = state;
	size_t n;
	HRESULT hr;

	(void)ac;	/* completes at once */
	*got = 0;
	if (s->off == s->len) {
		if (s->head || s->ended)
			return S_OK;	/* the end, for now or for good */
		s->off = s->len = 0;
		if ((hr = ws_stream_in_fetch(s, error, s->api)) != S_OK)
			return hr;
	}
	n = s->len - s->off;
	if (n > max)
		n = max;
	memcpy(bytes, s->buf + s->off, n);
	s->off += n;
	*got = (ULONG)n;
	return S_OK;
}

static void
ws_stream_in_free(struct ws_stream_in *s)
{
	if (s == NULL)
		return;
	WsFreeReader(s->reader);
	free(s->buf);
	free(s);
}

/* How deep a node is: the document 0, Envelope 1, Body 2, its
 * children 3. */
static int
ws_stream_in_depth(const struct xml_node *n)
{
	int d = 0;

	for (; n != NULL && n->kind != XML_KIND_ROOT; n = n->parent)
		d++;
	return d;
}

/*
 * Is the next child element of the Body from the reader's place (which
 * may be the end of the one read last: a reader stays there until what
 * follows is in) complete with the node after it, or is the Body's end
 * there?
 */
static bool
ws_stream_in_next_whole(WS_XML_READER *r)
{
	struct xml_pos *p, *q;
	bool whole = false;
	int d;

	for (p = r->cur; p != NULL; p = xml_pos_next(p)) {
		d = ws_stream_in_depth(p->node);
		if (d < 3) {
			/* The Body ends (or the reader is elsewhere: the
			 * reads say where). */
			whole = d < 2 || p->end;
			break;
		}
		if (d == 3 && !p->end && p->node->kind == XML_KIND_ELEMENT) {
			/* Its end is there when a walk reaches it, and
			 * the node after it: reading the end moves there. */
			for (q = p; (q = xml_pos_next(q)) != NULL;)
				if (q->end && q->node == p->node) {
					whole = xml_pos_next(q) != NULL;
					break;
				}
			break;
		}
	}
	r->buf->starved = false;
	return whole;
}

static HRESULT
ws_stream_in_read_body(WS_MESSAGE *m, const WS_ELEMENT_DESCRIPTION *d,
    WS_READ_OPTION opt, WS_HEAP *heap, void *value, ULONG size,
    WS_ERROR *error, const char *api)
{
	struct ws_stream_in *s = m->sin;
	WS_XML_READER *r = s->reader;
	HRESULT hr;

	s->api = api;
	/* The rest of an element that has begun: WsFillBody's minSize
	 * need not know how long the elements are. */
	for (;;) {
		if ((hr = xml_reader_check(r, error, api)) != S_OK)
			return hr;
		if (r->eof || ws_stream_in_next_whole(r))
			break;
		if ((hr = WsFillReader(r, (ULONG)xml_reader_buffered(r) + 1,
		    NULL, error)) != S_OK)
			return hr;
	}
	return WsReadElement(r, d, opt, heap, value, size, error);
}

static WS_XML_READER *
ws_stream_in_reader(struct ws_stream_in *s)
{
	return s->reader;
}

static const struct ws_stream_in_ops ws_stream_in_ops = {
	.read_body = ws_stream_in_read_body,
	.reader = ws_stream_in_reader,
	.free = ws_stream_in_free,
};

/* A reader over the bytes fetched so far, in the channel's encoding. */
static HRESULT
ws_stream_in_reader_new(struct ws_stream_in *s, WS_ENCODING enc,
    WS_ERROR *error)
{
	WS_XML_READER_TEXT_ENCODING text = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BINARY_ENCODING bin = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_STREAM_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_STREAM }, ws_stream_in_read, s };
	ULONG max = WS_STREAM_IN_BUFFER;
	WS_XML_READER_PROPERTY p = {
	    WS_XML_READER_PROPERTY_STREAM_BUFFER_SIZE, &max, sizeof(max) };
	bool binary = enc == WS_ENCODING_XML_BINARY_1 ||
	    enc == WS_ENCODING_XML_BINARY_SESSION_1;
	HRESULT hr;

	WsFreeReader(s->reader);
	s->reader = NULL;
	if (binary && (hr = WsGetDictionary(WS_ENCODING_XML_BINARY_1,
	    &bin.staticDictionary, error)) != S_OK)
		return hr;
	if ((hr = WsCreateReader(&p, 1, &s->reader, error)) != S_OK)
		return hr;
	return WsSetInput(s->reader, binary ? &bin.encoding : &text.encoding,
	    &in.input, NULL, 0, error);
}

/* Drops the header elements a cut-short read of the start took (the
 * mapped headers came with the daemon's reply and stay). */
static void
ws_stream_in_drop_headers(WS_MESSAGE *m)
{
	size_t i;

	ws_message_headers_clear(&m->h);
	for (i = 0; i < m->nxh; i++)
		ws_message_xheader_free(&m->xh[i]);
	free(m->xh);
	free(m->xh_blob);
	m->xh = NULL;
	m->xh_blob = NULL;
	m->nxh = 0;
}

/*
 * The envelope's start from the bytes fetched so far, from the first;
 * S_OK, WS_E_QUOTA_EXCEEDED when they end before it does, or the
 * failure of a malformed one.
 */
static HRESULT
ws_stream_in_try_head(WS_MESSAGE *m, struct ws_stream_in *s, WS_ENCODING enc,
    WS_ERROR *error)
{
	HRESULT hr;

	if ((hr = ws_stream_in_reader_new(s, enc, error)) != S_OK)
		return hr;
	s->off = 0;
	s->head = true;
	/* All of them, and the end of the stream if it ended. */
	if ((s->len > 0 || s->ended) && (hr = WsFillReader(s->reader,
	    (ULONG)s->len + (s->ended ? 1 : 0), NULL, error)) != S_OK)
		return hr;
	pthread_mutex_lock(&m->lock);
	ws_stream_in_drop_headers(m);
	hr = ws_envelope_read_head(m, s->reader, NULL, s->api);
	pthread_mutex_unlock(&m->lock);
	return hr;
}

/* Reads the start, fetching more until it is in. */
HRESULT
ws_stream_in_start(WS_CHANNEL *ch, WS_MESSAGE *m, bool more, WS_ERROR *error,
    const char *api)
{
	struct ws_stream_in *s;
	/* Both fixed at creation: known here without asking the daemon. */
	WS_ENCODING enc = ch->encoding;
	ULONG start_max = ch->stream_start_max;
	HRESULT hr;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	s->ch = ch;
	s->api = api;
	s->ended = !more;
	/* The first bytes came as the message's body. */
	pthread_mutex_lock(&m->lock);
	s->buf = m->body;
	s->len = s->cap = m->body_len;
	m->body = NULL;
	m->body_len = 0;
	pthread_mutex_unlock(&m->lock);
	for (;;) {
		hr = ws_stream_in_try_head(m, s, enc, error);
		if (hr != WS_E_QUOTA_EXCEEDED)
			break;
		/* Cut short: more, unless it is over or too much. */
		if (s->ended) {
			hr = ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: the "
			    "message ends before its soap:Body", api);
			goto fail;
		}
		if (s->len >= start_max) {
			hr = ws_error_fail(error, WS_E_QUOTA_EXCEEDED, "%s: the "
			    "start of the message (envelope, headers and Body "
			    "start tag) is larger than MAX_STREAMED_START_SIZE "
			    "(%u bytes)", api, (unsigned)start_max);
			goto fail;
		}
		if ((hr = ws_stream_in_fetch(s, error, api)) != S_OK)
			goto fail;
	}
	if (hr != S_OK) {
		hr = ws_error_fail(error, hr, "%s: the start of the message "
		    "is not a SOAP envelope of the channel's version", api);
		goto fail;
	}
	/* From now on the reader fetches what it lacks. */
	s->head = false;
	pthread_mutex_lock(&m->lock);
	m->body_next = 0;
	m->sin = s;
	m->sin_ops = &ws_stream_in_ops;
	pthread_mutex_unlock(&m->lock);
	return S_OK;
fail:
	pthread_mutex_lock(&m->lock);
	ws_stream_in_drop_headers(m);
	pthread_mutex_unlock(&m->lock);
	ws_stream_in_free(s);
	/* As any format failure of a receive: the channel faults (and the
	 * rest of the response goes with its connection). */
	if (hr == WS_E_INVALID_FORMAT || hr == WS_E_QUOTA_EXCEEDED)
		(void)WsAbortChannel(ch, NULL);
	return hr;
}

HRESULT
ws_stream_in_fill(WS_MESSAGE *m, ULONG min, WS_ERROR *error, const char *api)
{
	struct ws_stream_in *s = m->sin;

	s->api = api;
	return WsFillReader(s->reader, min, NULL, error);
}

/* WsReadMessageEnd: the rest of the body is fetched and dropped, so that
 * the exchange is over before the channel's next one. */
HRESULT
ws_stream_in_finish(WS_CHANNEL *ch, WS_MESSAGE *m, WS_ERROR *error,
    const char *api)
{
	struct ws_stream_in *s;
	HRESULT hr = S_OK;

	if (!ipc_handle_live(m) || m->magic != WS_MESSAGE_MAGIC)
		return S_OK;	/* the step's own checks answer */
	pthread_mutex_lock(&m->lock);
	if ((s = m->sin) == NULL || s->ch != ch ||
	    m->state != WS_MESSAGE_STATE_READING || m->busy) {
		pthread_mutex_unlock(&m->lock);
		return S_OK;
	}
	s->api = api;
	while (!s->ended && hr == S_OK) {
		s->off = s->len = 0;
		hr = ws_stream_in_fetch(s, error, api);
	}
	s->off = s->len;
	pthread_mutex_unlock(&m->lock);
	return hr;
}
