/*
 * The response body of an HTTP REQUEST channel in
 * WS_STREAMED_INPUT_TRANSFER_MODE, handed on as it arrives.
 *
 * evhttp gives the body piece by piece (evhttp_request_set_chunked_cb),
 * chunked or not; the pieces wait here, in a window of unread bytes,
 * until the reads of the channel take them.  A WsReadMessageStart whose
 * door can take raw bytes (read_body_more) gets the first bytes as soon
 * as there are any, each read_body_more the next ones: the library reads
 * the envelope itself, with its own XML reader, in the channel's
 * encoding.  Any other receive (WsReceiveMessage, WsRequestReply, a read
 * start over D-Bus) waits for the whole body, which then takes the
 * buffered way (http_client_deliver), bounded by MAX_STREAMED_MESSAGE_SIZE.
 *
 * The window holds at most about HTTP_STREAM_WINDOW unread bytes while
 * the body is read in pieces, or before anyone asked: above it the
 * connection's bufferevent stops reading (the peer's TCP window closes)
 * until the library fetches.  evhttp may still hand over what its input
 * buffer held, one socket read at most.
 */
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "envelope.h"

#include "http.h"

struct http_stream_in {
	struct evbuffer		*win;		/* received, not yet handed on */
	struct bufferevent	*bev;		/* the connection's */
	uint64_t		 total;		/* body bytes received */
	char			*ct;		/* the response's Content-Type */
	struct envelope		 h;		/* its headers, for the mapping */
	bool			 active;	/* a 2xx whose body streams */
	bool			 paused;	/* bev stopped reading */
	bool			 started;	/* the read start took the first bytes */
	bool			 ended;		/* the whole body arrived */
	bool			 finished;	/* the last bytes were handed on */
	/* Past MAX_STREAMED_MESSAGE_SIZE: the next read fails with it. */
	bool			 too_big;
};

struct http_stream_in *
http_stream_in_new(void)
{
	struct http_stream_in *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->win = evbuffer_new()) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/* The connection reads again. */
static void
http_stream_in_resume(struct http_stream_in *s)
{
	if (s->paused && s->bev != NULL)
		bufferevent_enable(s->bev, EV_READ);
	s->paused = false;
}

void
http_stream_in_reset(struct http_stream_in *s, struct bufferevent *bev)
{
	http_stream_in_resume(s);
	evbuffer_drain(s->win, evbuffer_get_length(s->win));
	free(s->ct);
	envelope_http_clear(&s->h);
	s->ct = NULL;
	s->bev = bev;
	s->total = 0;
	s->active = s->started = s->ended = s->finished = false;
	s->too_big = false;
}

void
http_stream_in_free(struct http_stream_in *s)
{
	if (s == NULL)
		return;
	/* The connection goes with the channel's record: no resume. */
	evbuffer_free(s->win);
	free(s->ct);
	envelope_http_clear(&s->h);
	free(s);
}

int
http_stream_in_head(struct http_stream_in *s, struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *ct = evhttp_find_header(in, "Content-Type");

	free(s->ct);
	envelope_http_clear(&s->h);
	if ((s->ct = ct != NULL ? strdup(ct) : NULL) == NULL && ct != NULL)
		return -1;
	if (http_util_headers_take(in, &s->h) != 0)
		return -1;
	s->active = true;
	return 0;
}

bool
http_stream_in_active(const struct http_stream_in *s)
{
	return s->active;
}

bool
http_stream_in_started(const struct http_stream_in *s)
{
	return s->active && s->started;
}

bool
http_stream_in_reading(const struct http_stream_in *s)
{
	return s->active && s->started && !s->finished;
}

int32_t
http_stream_in_take(struct http_stream_in *s, struct evbuffer *in,
    uint64_t max)
{
	size_t n = evbuffer_get_length(in);

	/* evhttp's own bound is off for these channels (it cannot tell a
	 * long body from a malformed chunk): this is the bound. */
	if (s->too_big || s->total + n > max) {
		/* Nothing more is read; the next read is told. */
		s->too_big = true;
		if (!s->paused && s->bev != NULL)
			bufferevent_disable(s->bev, EV_READ);
		s->paused = s->bev != NULL;
		return WS_E_QUOTA_EXCEEDED;
	}
	if (evbuffer_add_buffer(s->win, in) != 0)
		return E_OUTOFMEMORY;
	s->total += n;
	return S_OK;
}

void
http_stream_in_end(struct http_stream_in *s)
{
	s->ended = true;
}

void
http_stream_in_unwind(struct http_stream_in *s, struct evbuffer *in)
{
	evbuffer_add_buffer(in, s->win);
}

/* Moves the whole window into a malloc'd envelope body. */
static int
http_stream_in_drain(struct http_stream_in *s, struct envelope *env)
{
	size_t n = evbuffer_get_length(s->win);

	if (n == 0)
		return 0;
	if ((env->body = malloc(n)) == NULL)
		return -1;
	evbuffer_remove(s->win, env->body, n);
	env->body_len = n;
	return 0;
}

int
http_stream_in_whole(struct http_stream_in *s, uint8_t **body, size_t *len,
    char **ct, struct envelope *h)
{
	struct envelope env;

	memset(&env, 0, sizeof(env));
	if (http_stream_in_drain(s, &env) != 0)
		return -1;
	*body = env.body;
	*len = env.body_len;
	*ct = s->ct;
	s->ct = NULL;
	h->http = s->h.http;
	h->nhttp = s->h.nhttp;
	s->h.http = NULL;
	s->h.nhttp = 0;
	return 0;
}

/* Is the response of the channel's encoding (text or binary)?  The
 * library reads the bytes with the channel's. */
static bool
http_stream_in_media_ok(struct http_stream_in *s, struct channel *ch,
    uint32_t *envv)
{
	uint32_t enc, want = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING);

	if (http_util_media_type(s->ct, &enc, envv) != 0)
		return false;
	return (enc == WS_ENCODING_XML_BINARY_1) ==
	    (want == WS_ENCODING_XML_BINARY_1);
}

/*
 * Hands what the window holds to the waiting read, as raw bytes.  `s` is
 * not touched after the upcall: the completion may end the channel (its
 * client gone), and `s` with it.
 */
static enum http_stream_feed
http_stream_in_give(struct http_stream_in *s, struct channel *ch,
    uint32_t envv)
{
	struct envelope env;
	bool last = s->ended;

	memset(&env, 0, sizeof(env));
	if (http_stream_in_drain(s, &env) != 0)
		return HTTP_STREAM_NOMEM;
	env.envelope_version = envv;
	env.addressing_version = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ADDRESSING_VERSION);
	env.more_body = !s->ended;
	if (!s->started) {
		/* The response's headers go with the start, for the
		 * channel's mapping. */
		env.http = s->h.http;
		env.nhttp = s->h.nhttp;
		s->h.http = NULL;
		s->h.nhttp = 0;
		s->started = true;
	}
	s->finished = last;
	/* The window is empty: the peer may send again. */
	http_stream_in_resume(s);
	channel_transport_count(ch, env.body_len, 0);
	channel_transport_stream(ch, &env);
	envelope_clear(&env);
	return last ? HTTP_STREAM_DONE : HTTP_STREAM_WAIT;
}

enum http_stream_feed
http_stream_in_feed(struct http_stream_in *s, struct channel *ch)
{
	enum channel_stream_want want = channel_transport_stream_want(ch);
	size_t n = evbuffer_get_length(s->win);
	uint32_t envv = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION);

	if (!s->active)
		return HTTP_STREAM_WAIT;
	if (s->too_big)
		return want == CHANNEL_STREAM_NONE ? HTTP_STREAM_WAIT :
		    HTTP_STREAM_TOO_BIG;
	/* An empty body (202, 204) is no envelope: the buffered way says
	 * so. */
	if (!s->started && s->ended && s->total == 0 &&
	    (want == CHANNEL_STREAM_START || want == CHANNEL_STREAM_WHOLE))
		return HTTP_STREAM_WHOLE;
	if (!s->started && want == CHANNEL_STREAM_WHOLE) {
		/* A receive that needs the whole message: no window. */
		http_stream_in_resume(s);
		return s->ended ? HTTP_STREAM_WHOLE : HTTP_STREAM_WAIT;
	}
	if (!s->started && want == CHANNEL_STREAM_START && (n > 0 || s->ended)) {
		if (!http_stream_in_media_ok(s, ch, &envv))
			return HTTP_STREAM_BAD_TYPE;
		return http_stream_in_give(s, ch, envv);
	}
	if (s->started && !s->finished && want == CHANNEL_STREAM_MORE &&
	    (n > 0 || s->ended))
		return http_stream_in_give(s, ch, envv);
	if (s->finished)
		return HTTP_STREAM_DONE;
	/* Backpressure: the peer waits while the window is full. */
	if (evbuffer_get_length(s->win) >= HTTP_STREAM_WINDOW) {
		if (!s->paused && s->bev != NULL)
			bufferevent_disable(s->bev, EV_READ);
		s->paused = s->bev != NULL;
	} else
		http_stream_in_resume(s);
	return HTTP_STREAM_WAIT;
}
