/*
 * HTTP REPLY listeners: one evhttp server per port, shared by the
 * listeners on it and routed by path.  Each complete request goes to one
 * waiting accept (or a queue of HTTP_QUEUE_MAX); the accepted channel
 * holds that request only: one receive gets it, the next WS_S_END, and
 * its reply (or the 202 of a close) is the response.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
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
#include "listener.h"
#include "log.h"
#include "registry.h"
#include "transport.h"
#include "url.h"


#include "http.h"
#include "http_raw.h"


struct http_server;
struct http_listener;

/* One request, from its arrival until its response is written (or its
 * connection is gone) and no channel holds it. */
struct http_sreq {
	TAILQ_ENTRY(http_sreq)	 entry;		/* on a listener's queue */
	struct http_server	*srv;
	struct http_listener	*hl;		/* while queued */
	struct channel		*ch;		/* once accepted */
	struct evhttp_request	*req;		/* NULL once evhttp freed it */
	struct evhttp_connection *evcon;	/* NULL once gone */
	struct event		*reap;
	struct event		*gone;		/* while queued: client left? */
	bool			 req_owned;	/* detached from its connection */
	bool			 delivered;	/* the receive got it */
	bool			 replied;	/* a response was queued */
	bool			 complete;	/* ... and fully written */
	bool			 closing;	/* the 202 of a close */
	bool			 rejecting;	/* a status of ours, no channel */
	uint32_t		 encoding, envelope;
	/* What a SOAP channel refuses and a raw one takes: the method,
	 * the media type (http_util_media_type's result), the agent. */
	enum evhttp_cmd_type	 cmd;
	int			 media_rc;
	bool			 agent_refused;
	char			*action;
	char			*url;
	char			 peer[80];
	uint8_t			*body;
	size_t			 body_len;
	size_t			 headers_len;	/* request line and headers */
	uint64_t		 conn_id;	/* HTTP_CONNECTION_ID */
	struct envelope		 env;		/* decoded when assigned */
	struct envelope		 req_h;		/* its headers (http only) */
	/* A streamed response (WS_STREAMED_OUTPUT_TRANSFER_MODE): chunked,
	 * a piece in flight, what follows the body, the body bytes so far,
	 * and the event that completes an empty piece from the loop. */
	bool			 streaming;
	bool			 stream_ended;	/* its last chunk is queued */
	bool			 part_busy;
	uint8_t			*tail;
	size_t			 tail_len;
	uint64_t		 streamed;
	struct event		*part_ev;
};

TAILQ_HEAD(http_server_req_list, http_sreq);

struct http_listener {
	TAILQ_ENTRY(http_listener) entry;
	struct listener		*ls;
	struct http_server	*srv;
	char			 path[1024];	/* without a trailing '/' */
	struct http_server_req_list	 queue;
	unsigned		 queued;
};

/*
 * One client connection, from the bufferevent we give evhttp until evhttp
 * frees it.  evhttp 2.1 drops a request that stalls (slow sender,
 * truncated body) without a status; a request that has begun and is not
 * whole after the listener's CONNECT_TIMEOUT gets our 408 instead, and
 * evhttp's own timeout (twice ours) is left for idle kept-alive
 * connections only.
 */
struct http_sconn {
	TAILQ_ENTRY(http_sconn)	 entry;
	struct http_server	*srv;
	struct bufferevent	*bev;		/* one reference is ours */
	struct evbuffer_cb_entry *watch;	/* bytes read */
	struct evhttp_connection *evcon;	/* once bound */
	struct event		*bind;		/* binds after evhttp's setup */
	struct event		*timer;		/* the 408 */
	struct http_sreq	*sr;		/* told when the client goes */
	bool			 started;	/* a request is partly read */
	uint64_t		 id;		/* HTTP_CONNECTION_ID */
};

struct http_server {
	TAILQ_ENTRY(http_server) entry;
	TAILQ_HEAD(, http_sconn) conns;
	uint64_t		 read_ms;	/* a request's bound */
	struct event		*drain;		/* CLOSE_TIMEOUT, listenerless */
	uint64_t		 drain_ms;
	struct event		*sweep;		/* closes connections, deferred */
	bool			 sweep_all;	/* ... half-read ones too */
	uint16_t		 port;
	struct evhttp		*http;
	struct evhttp_bound_socket *bound;
	TAILQ_HEAD(, http_listener) listeners;
	unsigned		 refs;		/* live http_sreq */
};

static TAILQ_HEAD(, http_server) http_servers =
    TAILQ_HEAD_INITIALIZER(http_servers);

static void	http_server_conn_free(struct http_sconn *);
static void	http_server_drain_stop(struct http_server *);
static void	http_server_drained_one(struct http_server *);

static void
http_server_maybe_free(struct http_server *srv)
{
	if (!TAILQ_EMPTY(&srv->listeners) || srv->refs > 0)
		return;
	TAILQ_REMOVE(&http_servers, srv, entry);
	if (srv->sweep != NULL)
		event_free(srv->sweep);
	evhttp_free(srv->http);
	/* Those evhttp freed before they were bound. */
	while (!TAILQ_EMPTY(&srv->conns))
		http_server_conn_free(TAILQ_FIRST(&srv->conns));
	free(srv);
}

static void	http_server_req_close_cb(struct evhttp_connection *, void *);
static void	http_server_req_complete_cb(struct evhttp_request *, void *);

/* ---- connections: the 408 of a stalled request -------------------------- */

static const char http_server_408[] =
    "HTTP/1.1 408 Request Timeout\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 20\r\n"
    "Connection: close\r\n"
    "\r\n"
    "408 Request Timeout\n";

static const char http_server_503[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 24\r\n"
    "Connection: close\r\n"
    "\r\n"
    "503 Service Unavailable\n";

static uint64_t	http_server_conn_ids;

static void
http_server_conn_free(struct http_sconn *c)
{
	TAILQ_REMOVE(&c->srv->conns, c, entry);
	if (c->watch != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->watch);
	if (c->bind != NULL)
		event_free(c->bind);
	http_util_timer_stop(&c->timer);
	bufferevent_decref(c->bev);
	free(c);
}

/* evhttp is freeing the connection: the request on it hears of it. */
static void
http_server_conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_sconn *c = arg;
	struct http_sreq *sr = c->sr;

	c->sr = NULL;
	if (sr != NULL)
		http_server_req_close_cb(evcon, sr);
	http_server_conn_free(c);
}

static void
http_server_conn_bind(struct http_sconn *c, struct evhttp_connection *evcon)
{
	if (c->evcon != NULL)
		return;
	c->evcon = evcon;
	evhttp_connection_set_closecb(evcon, http_server_conn_close_cb, c);
}

/* Runs once evhttp has set the connection up: its bufferevent's callback
 * argument is the evhttp_connection (no other API gives it). */
static void
http_server_conn_bind_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_sconn *c = arg;
	bufferevent_data_cb rd, wr;
	bufferevent_event_cb ev;
	void *evcon;

	event_free(c->bind);
	c->bind = NULL;
	bufferevent_getcb(c->bev, &rd, &wr, &ev, &evcon);
	if (ev == NULL || evcon == NULL) {
		/* evhttp freed it already (its setup failed). */
		http_server_conn_free(c);
		return;
	}
	http_server_conn_bind(c, evcon);
}

static struct http_sconn *
http_server_conn_find(struct http_server *srv, struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	struct http_sconn *c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		if (c->bev == bev) {
			http_server_conn_bind(c, evcon);
			return c;
		}
	return NULL;
}

/* The 408 is out (or cannot be): the connection goes. */
static void
http_server_conn_408_done_cb(struct bufferevent *bev, void *arg)
{
	struct http_sconn *c = arg;

	evhttp_connection_free(c->evcon);
}

static void
http_server_conn_408_error_cb(struct bufferevent *bev, short what, void *arg)
{
	http_server_conn_408_done_cb(bev, arg);
}

/* Ends a half-read request with a status of ours: evhttp stops reading
 * it, and the connection is ours to end once the status is written. */
static void
http_server_conn_fail(struct http_sconn *c, const char *resp, size_t len)
{
	http_util_timer_stop(&c->timer);
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setcb(c->bev, NULL, http_server_conn_408_done_cb,
	    http_server_conn_408_error_cb, c);
	if (bufferevent_write(c->bev, resp, len) != 0 ||
	    bufferevent_enable(c->bev, EV_WRITE) != 0)
		evhttp_connection_free(c->evcon);
}

static void
http_server_conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_sconn *c = arg;

	http_util_timer_stop(&c->timer);
	if (!c->started || c->sr != NULL || c->evcon == NULL)
		return;
	log_info("HTTP connection %llu: a request still incomplete after "
	    "%llu ms; answering 408", (unsigned long long)c->id,
	    (unsigned long long)c->srv->read_ms);
	http_server_conn_fail(c, http_server_408, sizeof(http_server_408) - 1);
}

static void
http_server_conn_arm(struct http_sconn *c)
{
	if (c->started && c->sr == NULL && c->timer == NULL)
		http_util_timer_arm(&c->timer, c->srv->read_ms,
		    http_server_conn_timer_cb, c);
}

/* Bytes came in: a request has begun, and its clock runs. */
static void
http_server_conn_input_cb(struct evbuffer *buf,
    const struct evbuffer_cb_info *info, void *arg)
{
	struct http_sconn *c = arg;

	if (info->n_added == 0 || c->started)
		return;
	c->started = true;
	http_server_conn_arm(c);
}

/* evhttp's hook for a new connection's bufferevent: the same socket
 * bufferevent evhttp would make, watched. */
static struct bufferevent *
http_server_bev_cb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	struct http_sconn *c;
	struct bufferevent *bev;

	if ((bev = bufferevent_socket_new(base, -1, 0)) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bind = event_new(base, -1, 0, http_server_conn_bind_cb,
	    c)) == NULL ||
	    (c->watch = evbuffer_add_cb(bufferevent_get_input(bev),
	    http_server_conn_input_cb, c)) == NULL) {
		if (c != NULL && c->bind != NULL)
			event_free(c->bind);
		free(c);
		return bev;	/* unwatched: evhttp's behaviour */
	}
	c->srv = srv;
	c->bev = bev;
	c->id = ++http_server_conn_ids;
	bufferevent_incref(bev);
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	event_active(c->bind, EV_TIMEOUT, 0);
	return bev;
}

/* A whole request arrived on the connection: its clock stops. */
static struct http_sconn *
http_server_conn_request(struct http_server *srv,
    struct evhttp_connection *evcon)
{
	struct http_sconn *c;

	if ((c = http_server_conn_find(srv, evcon)) == NULL)
		return NULL;
	http_util_timer_stop(&c->timer);
	c->started = evbuffer_get_length(bufferevent_get_input(c->bev)) > 0;
	return c;
}

/* The request `sr` hears when its client goes (or stops hearing). */
static void
http_server_watch(struct http_sreq *sr)
{
	struct http_sconn *c;

	if (sr->evcon == NULL)
		return;
	if ((c = http_server_conn_find(sr->srv, sr->evcon)) != NULL) {
		c->sr = sr;
		http_util_timer_stop(&c->timer);
	} else
		/* An unwatched connection (its record could not be made):
		 * the request hears of its end from evhttp directly. */
		evhttp_connection_set_closecb(sr->evcon,
		    http_server_req_close_cb, sr);
}

static void
http_server_unwatch(struct http_sreq *sr)
{
	struct http_sconn *c;

	if (sr->evcon == NULL)
		return;
	if ((c = http_server_conn_find(sr->srv, sr->evcon)) != NULL) {
		if (c->sr == sr)
			c->sr = NULL;
		/* A pipelined request may have begun meanwhile. */
		http_server_conn_arm(c);
	} else
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
}

/* Stops watching a request that leaves the queue. */
static void
http_server_req_unwatch(struct http_sreq *sr)
{
	if (sr->gone != NULL)
		event_free(sr->gone);
	sr->gone = NULL;
}

static void
http_server_req_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_sreq *sr = arg;
	struct http_server *srv = sr->srv;

	http_server_req_unwatch(sr);

	if (sr->req != NULL && sr->req_owned)
		evhttp_request_free(sr->req);
	else if (sr->evcon != NULL && !sr->complete) {
		/* Abort with the response unfinished: RST, no status. */
		http_server_unwatch(sr);
		http_util_linger0(sr->evcon);
		evhttp_connection_free(sr->evcon);
	} else if (sr->evcon != NULL)
		http_server_unwatch(sr);
	event_free(sr->reap);
	if (sr->part_ev != NULL)
		event_free(sr->part_ev);
	free(sr->tail);
	envelope_clear(&sr->env);
	envelope_http_clear(&sr->req_h);
	free(sr->action);
	free(sr->url);
	free(sr->body);
	free(sr);
	srv->refs--;
	http_server_maybe_free(srv);
}

/* The record is done with: freed from the loop, never under evhttp. */
void
http_server_req_release(struct http_sreq *sr)
{
	sr->ch = NULL;
	event_active(sr->reap, EV_TIMEOUT, 0);
}


/* A status without envelope for a request no channel will answer; the
 * connection closes after it (it costs the client its connection). */
static void
http_server_req_reject(struct http_sreq *sr, int code, const char *reason)
{
	struct evkeyvalq *h;
	struct evbuffer *buf;

	/* No channel answers it now (the caller requeues the channel). */
	sr->ch = NULL;
	if (sr->req != NULL && sr->evcon != NULL && !sr->replied) {
		/* Released once written (or its client is gone): the server
		 * stays until then. */
		sr->replied = sr->rejecting = true;
		http_server_watch(sr);
		evhttp_request_set_on_complete_cb(sr->req,
		    http_server_req_complete_cb, sr);
		h = evhttp_request_get_output_headers(sr->req);
		evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
		evhttp_add_header(h, "Connection", "close");
		if (code == 503)
			evhttp_add_header(h, "Retry-After", "1");
		if ((buf = evbuffer_new()) != NULL)
			evbuffer_add_printf(buf, "%d %s\n", code, reason);
		evhttp_send_reply(sr->req, code, reason, buf);
		if (buf != NULL)
			evbuffer_free(buf);
		return;
	}
	http_server_req_release(sr);
}

/* The client's connection went away. */
static void
http_server_req_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_sreq *sr = arg;
	struct channel *ch = sr->ch;

	sr->evcon = NULL;
	if (sr->req != NULL && !sr->complete &&
	    evhttp_request_get_connection(sr->req) == NULL)
		sr->req_owned = true;	/* evhttp let go of it: ours */
	else
		sr->req = NULL;		/* freed with the connection */
	if (sr->rejecting) {
		http_server_req_release(sr);
		return;
	}
	if (sr->hl != NULL) {
		/* Still queued: nobody will know it existed. */
		http_server_req_unwatch(sr);
		TAILQ_REMOVE(&sr->hl->queue, sr, entry);
		sr->hl->queued--;
		sr->hl = NULL;
		http_server_req_release(sr);
		return;
	}
	if (ch != NULL && !sr->complete)
		channel_transport_fault(ch, WS_E_ENDPOINT_DISCONNECTED,
		    "the HTTP client closed its connection before the "
		    "response");
}

/* The response has been written whole. */
static void
http_server_req_complete_cb(struct evhttp_request *req, void *arg)
{
	struct http_sreq *sr = arg;
	struct channel *ch = sr->ch;

	sr->complete = true;
	sr->req = NULL;
	http_server_drained_one(sr->srv);
	http_server_unwatch(sr);
	/* The kept-alive connection is the listener's again. */
	sr->evcon = NULL;
	if (sr->rejecting) {
		http_server_req_release(sr);
		return;
	}
	if (ch == NULL)
		return;
	if (sr->closing) {
		channel_set_tp(ch, NULL);
		http_server_req_release(sr);
		channel_transport_closed(ch);
		return;
	}
	channel_transport_sent(ch);
}

/* Writes the response: status, media type of the request, the mapped
 * headers of `msg` (may be NULL), body. */
static int32_t
http_server_req_respond(struct http_sreq *sr, int code, const char *reason,
    const uint8_t *body, size_t len, const char *action,
    const struct envelope *msg)
{
	struct evkeyvalq *h;
	struct evbuffer *buf;
	char ct[1200], n[24];

	if (sr->req == NULL || sr->evcon == NULL)
		return WS_E_ENDPOINT_DISCONNECTED;
	if ((buf = evbuffer_new()) == NULL ||
	    (len > 0 && evbuffer_add(buf, body, len) != 0)) {
		if (buf != NULL)
			evbuffer_free(buf);
		return E_OUTOFMEMORY;
	}
	h = evhttp_request_get_output_headers(sr->req);
	if (len > 0 && sr->encoding == WS_ENCODING_RAW && msg != NULL)
		evhttp_add_header(h, "Content-Type", http_raw_content_type(msg));
	else if (len > 0) {
		http_util_content_type(ct, sizeof(ct), sr->encoding, sr->envelope,
		    action);
		evhttp_add_header(h, "Content-Type", ct);
	}
	snprintf(n, sizeof(n), "%zu", len);
	evhttp_add_header(h, "Content-Length", n);
	if (msg != NULL && http_util_headers_put(h, msg) != 0) {
		evhttp_clear_headers(h);
		evbuffer_free(buf);
		return E_OUTOFMEMORY;
	}
	/* No listener will take another request on it. */
	if (TAILQ_EMPTY(&sr->srv->listeners))
		evhttp_add_header(h, "Connection", "close");
	sr->replied = true;
	evhttp_request_set_on_complete_cb(sr->req, http_server_req_complete_cb, sr);
	evhttp_send_reply(sr->req, code, reason, buf);
	evbuffer_free(buf);
	return S_OK;
}

/* A piece of a streamed response left (or there was nothing to write). */
static void
http_server_part_done(struct http_sreq *sr)
{
	if (!sr->part_busy)
		return;
	sr->part_busy = false;
	if (sr->ch != NULL)
		channel_transport_sent(sr->ch);
}

static void
http_server_part_cb(struct evhttp_connection *evcon, void *arg)
{
	http_server_part_done(arg);
}

static void
http_server_part_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	http_server_part_done(arg);
}

/* The status line and headers of a streamed response: chunked (HTTP/1.1;
 * an HTTP/1.0 client gets the body up to the close). */
static void
http_server_stream_start(struct http_sreq *sr, const struct envelope *msg)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(sr->req);
	char ct[1200];

	http_util_content_type(ct, sizeof(ct), sr->encoding, sr->envelope,
	    msg->action);
	evhttp_add_header(h, "Content-Type", ct);
	(void)http_util_headers_put(h, msg);
	if (TAILQ_EMPTY(&sr->srv->listeners))
		evhttp_add_header(h, "Connection", "close");
	sr->replied = sr->streaming = true;
	evhttp_request_set_on_complete_cb(sr->req, http_server_req_complete_cb,
	    sr);
	evhttp_send_reply_start(sr->req, msg->is_fault ? 500 : 200,
	    msg->is_fault ? "Internal Server Error" : "OK");
}

/*
 * WsFlushBody's piece of a streamed response: the first one sends the
 * status, the headers (those of this message) and the envelope up to the
 * body; each goes out as a chunk at once.
 */
int32_t
http_server_reply_send_part(struct http_sreq *sr, const struct envelope *msg,
    const char **why)
{
	struct channel *ch = sr->ch;
	struct evbuffer *buf;
	uint8_t *head = NULL;
	size_t hlen = 0, n;
	int32_t hr;

	if ((sr->replied && !sr->streaming) || sr->stream_ended) {
		*why = "the request was already answered";
		return WS_E_INVALID_OPERATION;
	}
	if (sr->req == NULL || sr->evcon == NULL) {
		*why = "the HTTP client is gone";
		return WS_E_ENDPOINT_DISCONNECTED;
	}
	if (sr->part_busy) {
		*why = "the previous piece of the body is still being written";
		return WS_E_INVALID_OPERATION;
	}
	if (sr->streamed + msg->body_len > http_util_max_out(ch)) {
		*why = "the body is larger than MAX_STREAMED_MESSAGE_SIZE";
		return WS_E_QUOTA_EXCEEDED;
	}
	if (sr->part_ev == NULL && (sr->part_ev = event_new(registry_base(),
	    -1, 0, http_server_part_ev_cb, sr)) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	if (!sr->streaming && ((hr = http_util_headers_check(msg, why)) != S_OK ||
	    (hr = http_util_encode_split(ch, msg, sr->encoding, &head, &hlen,
	    &sr->tail, &sr->tail_len, why)) != S_OK))
		return hr;
	if ((buf = evbuffer_new()) == NULL ||
	    evbuffer_add(buf, head, hlen) != 0 ||
	    evbuffer_add(buf, msg->body, msg->body_len) != 0) {
		if (buf != NULL)
			evbuffer_free(buf);
		free(head);
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	free(head);
	if (!sr->streaming)
		http_server_stream_start(sr, msg);
	sr->streamed += msg->body_len;
	sr->part_busy = true;
	n = evbuffer_get_length(buf);
	if (n > 0)
		evhttp_send_reply_chunk_with_cb(sr->req, buf,
		    http_server_part_cb, sr);
	else
		event_active(sr->part_ev, EV_TIMEOUT, 0);
	evbuffer_free(buf);
	channel_transport_count(ch, 0, n);
	return S_OK;
}

/* The end of a streamed response: the last piece, the envelope's end, the
 * last chunk; complete once written (http_server_req_complete_cb). */
static int32_t
http_server_stream_end(struct http_sreq *sr, const struct envelope *msg,
    const char **why)
{
	struct evbuffer *buf;
	size_t n;

	if (sr->part_busy) {
		*why = "the previous piece of the body is still being written";
		return WS_E_INVALID_OPERATION;
	}
	if (sr->streamed + msg->body_len > http_util_max_out(sr->ch)) {
		*why = "the body is larger than MAX_STREAMED_MESSAGE_SIZE";
		return WS_E_QUOTA_EXCEEDED;
	}
	if ((buf = evbuffer_new()) == NULL ||
	    evbuffer_add(buf, msg->body, msg->body_len) != 0 ||
	    evbuffer_add(buf, sr->tail, sr->tail_len) != 0) {
		if (buf != NULL)
			evbuffer_free(buf);
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	n = evbuffer_get_length(buf);
	sr->stream_ended = true;
	evhttp_send_reply_chunk(sr->req, buf);
	evbuffer_free(buf);
	evhttp_send_reply_end(sr->req);
	channel_transport_count(sr->ch, 0, n);
	return S_OK;
}

/* A raw response: the status and bytes the message names. */
static int32_t
http_server_reply_send_raw(struct http_sreq *sr, const struct envelope *msg,
    const char **why)
{
	const char *reason;
	uint8_t *doc = NULL;
	size_t len = 0;
	int32_t hr;
	int code;

	if ((hr = http_raw_check(msg, false, why)) != S_OK ||
	    (hr = http_raw_encode(sr->ch, msg, &doc, &len, why)) != S_OK)
		return hr;
	code = http_raw_status(msg, &reason);
	hr = http_server_req_respond(sr, code, reason, doc, len, NULL, msg);
	free(doc);
	if (hr != S_OK) {
		*why = "cannot queue the response";
		return hr;
	}
	channel_transport_count(sr->ch, 0, len);
	return S_OK;
}

int32_t
http_server_reply_send(struct http_sreq *sr, const struct envelope *msg,
    const char **why)
{
	struct channel *ch = sr->ch;
	uint8_t *doc = NULL;
	size_t len = 0;
	int32_t hr;

	if (sr->streaming) {
		if (sr->req == NULL || sr->evcon == NULL) {
			*why = "the HTTP client is gone";
			return WS_E_ENDPOINT_DISCONNECTED;
		}
		if (!sr->stream_ended)
			return http_server_stream_end(sr, msg, why);
	}
	if (sr->replied) {
		*why = "the request was already answered";
		return WS_E_INVALID_OPERATION;
	}
	if (sr->req == NULL || sr->evcon == NULL) {
		*why = "the HTTP client is gone";
		return WS_E_ENDPOINT_DISCONNECTED;
	}
	if (sr->encoding == WS_ENCODING_RAW)
		return http_server_reply_send_raw(sr, msg, why);
	if ((hr = http_util_headers_check(msg, why)) != S_OK)
		return hr;
	if ((hr = http_util_encode(ch, msg, sr->encoding, &doc, &len, why)) != S_OK)
		return hr;
	/* A fault goes out as 500 (SOAP-HTTP; gSOAP, vectors E2/E4). */
	hr = http_server_req_respond(sr, msg->is_fault ? 500 : 200,
	    msg->is_fault ? "Internal Server Error" : "OK", doc, len,
	    msg->action, msg);
	free(doc);
	if (hr != S_OK) {
		*why = "cannot queue the response";
		return hr;
	}
	channel_transport_count(ch, 0, len);
	return S_OK;
}

void
http_server_reply_want_receive(struct http_sreq *sr)
{
	struct channel *ch = sr->ch;

	if (sr->delivered) {
		/* One request per accepted channel (bindings.md). */
		channel_transport_end(ch);
		return;
	}
	sr->delivered = true;
	/* The channel takes the envelope's contents. */
	channel_transport_message(ch, &sr->env);
}

void
http_server_reply_close(struct http_sreq *sr)
{
	struct channel *ch = sr->ch;

	if (!sr->replied && sr->req != NULL && sr->evcon != NULL) {
		/* No reply: the one-way answer, drained in CLOSING. */
		sr->closing = true;
		if (http_server_req_respond(sr, 202, "Accepted", NULL, 0,
		    NULL, NULL) == S_OK)
			return;
	}
	if (sr->streaming && !sr->stream_ended) {
		/* A streamed response that never got its end (the message was
		 * abandoned): no whole message can reach the client; reset its
		 * connection, as an abort does. */
		channel_set_tp(ch, NULL);
		http_server_req_release(sr);
		channel_transport_closed(ch);
		return;
	}
	if (sr->replied && !sr->complete && sr->req != NULL &&
	    sr->evcon != NULL) {
		/* The reply is still draining: the close waits for it. */
		sr->closing = true;
		return;
	}
	channel_set_tp(ch, NULL);
	http_server_req_release(sr);
	channel_transport_closed(ch);
}

/* Does `path` fall under the listener's path, segment by segment? */
static size_t
http_server_path_match(const char *lpath, const char *path)
{
	size_t n = strlen(lpath);

	if (n == 0)
		return 1;	/* "/" takes every path */
	if (strncmp(lpath, path, n) != 0 ||
	    (path[n] != '\0' && path[n] != '/' && path[n] != '?'))
		return 0;
	return n + 1;
}

/* Hands queued requests to waiting accepts, oldest first. */
static void	http_server_dispatch(struct http_listener *);

/*
 * A raw channel takes the request as it came: its bytes, headers (the
 * mapping keeps those it names), method and Content-Type.  0, or -1 when
 * it was answered here (the accept waits on).
 */
static int
http_server_req_take_raw(struct http_sreq *sr, struct channel *ch)
{
	int32_t hr;

	if (sr->headers_len > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE)) {
		http_server_req_reject(sr, 431,
		    "Request Header Fields Too Large");
		return -1;
	}
	if (sr->body_len > http_util_max_in(ch)) {
		http_server_req_reject(sr, 413, "Payload Too Large");
		return -1;
	}
	if (sr->req == NULL || http_raw_take(sr->req, false, &sr->req_h) != 0) {
		http_server_req_reject(sr, 503, "Service Unavailable");
		return -1;
	}
	http_raw_message(&sr->env, &sr->body, sr->body_len, &sr->req_h);
	sr->encoding = WS_ENCODING_RAW;
	sr->envelope = WS_ENVELOPE_VERSION_NONE;
	if ((hr = channel_transport_adopt(ch, sr->url, sr->encoding,
	    sr->envelope)) != S_OK) {
		http_server_req_reject(sr, 503, "Service Unavailable");
		return -1;
	}
	channel_transport_peer(ch, sr->peer);
	channel_transport_connection_id(ch, sr->conn_id);
	channel_transport_count(ch, sr->body_len, 0);
	channel_transport_opened(ch);
	return 0;
}

/*
 * Gives `sr` to the oldest waiting accept of its listener: the channel
 * takes its URL, encoding and envelope version and becomes OPEN.  A
 * request this channel cannot take is answered here and the accept waits
 * for the next one.  False when no accept waits.
 */
static bool
http_server_req_assign(struct http_listener *hl, struct http_sreq *sr)
{
	struct channel *ch;
	const char *why;
	int32_t hr;

	if ((ch = listener_transport_incoming(hl->ls, sr)) == NULL)
		return false;
	sr->ch = ch;
	if (http_raw_is(ch)) {
		if (http_server_req_take_raw(sr, ch) == 0)
			return true;
		goto requeue;
	}
	/* A SOAP channel takes a POST of a SOAP media type with a body, not
	 * from a browser (bindings.md); a request it refuses costs it
	 * nothing, the accept waits on. */
	if (sr->cmd != EVHTTP_REQ_POST) {
		if (sr->req != NULL)
			evhttp_add_header(evhttp_request_get_output_headers(
			    sr->req), "Allow", "POST");
		http_server_req_reject(sr, 405, "Method Not Allowed");
		goto requeue;
	}
	if (sr->agent_refused) {
		http_server_req_reject(sr, 403, "Forbidden");
		goto requeue;
	}
	if (sr->media_rc != 0) {
		http_server_req_reject(sr, 415, "Unsupported Media Type");
		goto requeue;
	}
	if (sr->body_len == 0) {
		http_server_req_reject(sr, 400, "Bad Request");
		goto requeue;
	}
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION) !=
	    sr->envelope) {
		http_server_req_reject(sr, 415, "Unsupported Media Type");
		goto requeue;
	}
	if (sr->headers_len > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE)) {
		http_server_req_reject(sr, 431,
		    "Request Header Fields Too Large");
		goto requeue;
	}
	if (sr->body_len > http_util_max_in(ch)) {
		http_server_req_reject(sr, 413, "Payload Too Large");
		goto requeue;
	}
	/* Not an envelope: the application never sees it. */
	if ((hr = http_util_decode(sr->encoding, sr->envelope, sr->body,
	    sr->body_len, &sr->env, &why)) != S_OK) {
		log_info("listener %llu: request from %s refused: %s",
		    (unsigned long long)listener_id(hl->ls), sr->peer, why);
		http_server_req_reject(sr, hr == E_OUTOFMEMORY ? 503 : 400,
		    hr == E_OUTOFMEMORY ? "Service Unavailable" :
		    "Bad Request");
		goto requeue;
	}
	/* The request's headers, for the library to map. */
	sr->env.http = sr->req_h.http;
	sr->env.nhttp = sr->req_h.nhttp;
	sr->req_h.http = NULL;
	sr->req_h.nhttp = 0;
	/* Without addressing the action is the transport's. */
	if (sr->env.action == NULL && sr->action != NULL &&
	    (sr->env.action = strdup(sr->action)) == NULL) {
		http_server_req_reject(sr, 503, "Service Unavailable");
		goto requeue;
	}
	if ((hr = channel_transport_adopt(ch, sr->url, sr->encoding,
	    sr->envelope)) != S_OK) {
		http_server_req_reject(sr, hr == E_OUTOFMEMORY ? 503 : 415,
		    hr == E_OUTOFMEMORY ? "Service Unavailable" :
		    "Unsupported Media Type");
		goto requeue;
	}
	channel_transport_peer(ch, sr->peer);
	channel_transport_connection_id(ch, sr->conn_id);
	channel_transport_count(ch, sr->body_len, 0);
	channel_transport_opened(ch);
	return true;
requeue:
	if (!listener_transport_requeue(ch))
		channel_transport_fault(ch, WS_E_INVALID_FORMAT,
		    "the request did not fit the channel");
	return true;
}

static void
http_server_dispatch(struct http_listener *hl)
{
	struct http_sreq *sr;

	while ((sr = TAILQ_FIRST(&hl->queue)) != NULL &&
	    listener_transport_waiting(hl->ls) > 0) {
		TAILQ_REMOVE(&hl->queue, sr, entry);
		hl->queued--;
		sr->hl = NULL;
		http_server_req_unwatch(sr);
		(void)http_server_req_assign(hl, sr);
	}
}

static struct http_listener *
http_server_route(struct http_server *srv, const char *path)
{
	struct http_listener *hl, *best = NULL;
	size_t n, best_n = 0;

	TAILQ_FOREACH(hl, &srv->listeners, entry)
		if ((n = http_server_path_match(hl->path, path)) > best_n) {
			best = hl;
			best_n = n;
		}
	return best;
}

static void
http_server_peer_string(struct evhttp_connection *evcon, char *buf, size_t len)
{
	char *addr = NULL;
	ev_uint16_t port = 0;

	evhttp_connection_get_peer(evcon, &addr, &port);
	if (addr == NULL)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, strchr(addr, ':') != NULL ? "[%s]:%u" :
		    "%s:%u", addr, (unsigned)port);
}

/* The size of a request's head as it came: request line and headers, with
 * their separators (what MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE bounds). */
static size_t
http_server_headers_len(struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	size_t n;

	/* "POST " uri " HTTP/1.1\r\n", and the blank line. */
	n = strlen(evhttp_request_get_uri(req)) + 16 + 2;
	TAILQ_FOREACH(kv, in, next)
		n += strlen(kv->key) + 2 + strlen(kv->value) + 2;
	return n;
}

/*
 * A queued request's connection became readable.  evhttp reads nothing
 * more from a connection whose request it passed on, so it never sees
 * the client leave; without this, the request (and its descriptor) would
 * wait for an accept that gets a dead request.  EOF or an error: the
 * client is gone and the request with it.  Bytes (a pipelined request):
 * stop watching; its accept learns the rest.
 */
static void
http_server_req_gone_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_sreq *sr = arg;
	ssize_t n;
	char c;

	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	http_server_req_unwatch(sr);
	if (n > 0 || sr->hl == NULL)
		return;
	log_debug("listener %llu: the client of a queued request from %s "
	    "left", (unsigned long long)listener_id(sr->hl->ls), sr->peer);
	TAILQ_REMOVE(&sr->hl->queue, sr, entry);
	sr->hl->queued--;
	sr->hl = NULL;
	http_server_req_release(sr);
}

/* Every request to a port we listen on: checked, then queued or given. */
static void
http_server_request_cb(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct http_listener *hl;
	struct http_sreq *sr;
	struct http_sconn *conn;
	struct evbuffer *body;
	const char *path, *ua, *host;
	evutil_socket_t fd;
	size_t n;

	conn = http_server_conn_request(srv, evhttp_request_get_connection(req));
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if ((hl = http_server_route(srv, path)) == NULL) {
		evhttp_send_error(req, TAILQ_EMPTY(&srv->listeners) ? 503 :
		    404, NULL);
		return;
	}
	if ((sr = calloc(1, sizeof(*sr))) == NULL ||
	    (sr->reap = http_util_reap_event(http_server_req_reap_cb, sr)) == NULL) {
		free(sr);
		evhttp_send_error(req, 503, "Service Unavailable");
		return;
	}
	sr->srv = srv;
	srv->refs++;
	sr->req = req;
	sr->evcon = evhttp_request_get_connection(req);
	/* The channel that takes it decides on these: a raw one takes any
	 * method, media type and agent (MS: DISALLOWED_USER_AGENT does not
	 * apply to RAW). */
	sr->cmd = evhttp_request_get_command(req);
	sr->media_rc = http_util_media_type(evhttp_find_header(in,
	    "Content-Type"), &sr->encoding, &sr->envelope);
	sr->agent_refused = (ua = evhttp_find_header(in, "User-Agent")) !=
	    NULL && strstr(ua, HTTP_DISALLOWED_AGENT) != NULL;
	body = evhttp_request_get_input_buffer(req);
	n = evbuffer_get_length(body);
	host = evhttp_find_header(in, "Host");
	if (asprintf(&sr->url, "http://%s%s", host != NULL ? host : "localhost",
	    evhttp_request_get_uri(req)) == -1) {
		sr->url = NULL;
		http_server_req_reject(sr, 503, "Service Unavailable");
		return;
	}
	if (n > 0 && (sr->body = malloc(n)) == NULL) {
		http_server_req_reject(sr, 503, "Service Unavailable");
		return;
	}
	if (n > 0)
		evbuffer_remove(body, sr->body, n);
	sr->body_len = n;
	if (sr->media_rc == 0)
		sr->encoding = http_util_body_encoding(sr->encoding, sr->body,
		    n);
	sr->headers_len = http_server_headers_len(req);
	/* Unwatched connections (no memory for the record) get an id of
	 * their own request: unique still. */
	sr->conn_id = conn != NULL ? conn->id : ++http_server_conn_ids;
	sr->action = sr->media_rc == 0 ?
	    http_util_header_action(in, sr->envelope) : NULL;
	if (http_util_headers_take(in, &sr->req_h) != 0) {
		http_server_req_reject(sr, 503, "Service Unavailable");
		return;
	}
	http_server_peer_string(sr->evcon, sr->peer, sizeof(sr->peer));
	http_server_watch(sr);
	if (http_server_req_assign(hl, sr))
		return;
	if (hl->queued >= HTTP_QUEUE_MAX) {
		log_info("listener %llu: %u requests wait for an accept; "
		    "answering 503", (unsigned long long)listener_id(hl->ls),
		    hl->queued);
		http_server_req_reject(sr, 503, "Service Unavailable");
		return;
	}
	sr->hl = hl;
	TAILQ_INSERT_TAIL(&hl->queue, sr, entry);
	hl->queued++;
	fd = http_util_evcon_fd(sr->evcon);
	if (fd != -1 && (sr->gone = event_new(registry_base(), fd,
	    EV_READ | EV_PERSIST, http_server_req_gone_cb, sr)) != NULL)
		event_add(sr->gone, NULL);
}

/* Binds the server's port: `+` and `*` are every address (dual stack,
 * else IPv4), anything else that address. */
static int32_t
http_server_bind(struct http_server *srv, const struct url *u,
    const char **why)
{
	const char *addr = u->host;

	if (strcmp(addr, "+") == 0 || strcmp(addr, "*") == 0)
		addr = "::";
	if ((srv->bound = evhttp_bind_socket_with_handle(srv->http, addr,
	    u->port)) == NULL && strcmp(addr, "::") == 0)
		srv->bound = evhttp_bind_socket_with_handle(srv->http,
		    "0.0.0.0", u->port);
	if (srv->bound != NULL)
		return S_OK;
	*why = errno == EADDRINUSE ? "the address is already in use" :
	    "cannot listen on that address";
	return errno == EADDRINUSE ? WS_E_ADDRESS_IN_USE :
	    WS_E_ADDRESS_NOT_AVAILABLE;
}

/*
 * The server of a port, bound.  One whose last listener closed lives on
 * unbound while its exchanges finish; a new listener binds it again.
 */
static struct http_server *
http_server_get(const struct url *u, uint64_t read_ms, int32_t *hr,
    const char **why)
{
	struct http_server *srv;
	struct timeval tv;

	TAILQ_FOREACH(srv, &http_servers, entry)
		if (srv->port == u->port) {
			if (srv->bound == NULL &&
			    (*hr = http_server_bind(srv, u, why)) != S_OK)
				return NULL;
			http_server_drain_stop(srv);
			return srv;
		}
	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->http = evhttp_new(registry_base())) == NULL) {
		free(srv);
		*hr = E_OUTOFMEMORY;
		*why = "out of memory";
		return NULL;
	}
	TAILQ_INIT(&srv->listeners);
	TAILQ_INIT(&srv->conns);
	srv->port = u->port;
	srv->read_ms = read_ms == 0 ? HTTP_INFINITE : read_ms;
	if ((*hr = http_server_bind(srv, u, why)) != S_OK) {
		evhttp_free(srv->http);
		free(srv);
		return NULL;
	}
	evhttp_set_max_headers_size(srv->http, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(srv->http, HTTP_SERVER_BODY_MAX);
	if (read_ms != HTTP_INFINITE && read_ms > 0) {
		/* Twice ours: our 408 comes first (see http_sconn). */
		read_ms = read_ms > HTTP_INFINITE / 2 ? HTTP_INFINITE - 1 :
		    read_ms * 2;
		tv.tv_sec = read_ms / 1000;
		tv.tv_usec = (read_ms % 1000) * 1000;
		evhttp_set_timeout_tv(srv->http, &tv);
	}
	evhttp_set_bevcb(srv->http, http_server_bev_cb, srv);
	evhttp_set_gencb(srv->http, http_server_request_cb, srv);
	/* Raw channels serve any method evhttp parses; SOAP ones answer
	 * 405 but to POST (http_server_req_assign). */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_PATCH);
	TAILQ_INSERT_TAIL(&http_servers, srv, entry);
	return srv;
}

/* ---- closing listeners ---------------------------------------------------- */

enum http_sweep {
	HTTP_SWEEP_IDLE,	/* connections with nothing in flight */
	HTTP_SWEEP_EXPIRED,	/* and half-read requests (503), and
				 * statuses of ours still unread */
	HTTP_SWEEP_ALL,		/* every one no channel holds, at once */
};

/* Ends the connections of a server without listeners that no accepted
 * channel holds. */
static void
http_server_sweep(struct http_server *srv, enum http_sweep how)
{
	struct http_sconn *c, *next;
	struct bufferevent *bev;

	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->evcon == NULL ||
		    (c->sr != NULL && !c->sr->rejecting))
			continue;
		bev = c->bev;
		if (how == HTTP_SWEEP_ALL) {
			http_util_linger0(c->evcon);
			evhttp_connection_free(c->evcon);
		} else if (c->started && c->sr == NULL) {
			if (how == HTTP_SWEEP_EXPIRED)
				http_server_conn_fail(c, http_server_503,
				    sizeof(http_server_503) - 1);
		} else if (c->sr == NULL && evbuffer_get_length(
		    bufferevent_get_output(bev)) == 0)
			evhttp_connection_free(c->evcon);
		else if (how == HTTP_SWEEP_EXPIRED)
			evhttp_connection_free(c->evcon);
	}
}

static void
http_server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	if (TAILQ_EMPTY(&srv->listeners))
		http_server_sweep(srv, srv->sweep_all ? HTTP_SWEEP_ALL :
		    HTTP_SWEEP_IDLE);
}

/* CLOSE_TIMEOUT since the last response: what is left goes. */
static void
http_server_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	http_util_timer_stop(&srv->drain);
	if (TAILQ_EMPTY(&srv->listeners))
		http_server_sweep(srv, HTTP_SWEEP_EXPIRED);
	srv->refs--;
	http_server_maybe_free(srv);
}

static void
http_server_drain_stop(struct http_server *srv)
{
	if (srv->drain == NULL)
		return;
	http_util_timer_stop(&srv->drain);
	srv->refs--;
}

/* A response went out whole: a listenerless server's clock restarts. */
static void
http_server_drained_one(struct http_server *srv)
{
	if (srv->drain == NULL || srv->drain_ms == HTTP_INFINITE)
		return;
	http_util_timer_arm(&srv->drain, srv->drain_ms, http_server_drain_cb,
	    srv);
}

int32_t
http_server_listen(struct listener *ls, const struct url *u, const char **why)
{
	struct http_listener *hl, *o;
	struct http_server *srv;
	int32_t hr = S_OK;
	size_t n;

	if ((hl = calloc(1, sizeof(*hl))) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	hl->ls = ls;
	TAILQ_INIT(&hl->queue);
	snprintf(hl->path, sizeof(hl->path), "%s", u->path);
	hl->path[strcspn(hl->path, "?")] = '\0';
	n = strlen(hl->path);
	while (n > 0 && hl->path[n - 1] == '/')
		hl->path[--n] = '\0';
	/* A client gets its request bounded by the listener's CONNECT
	 * timeout: a slow sender costs its connection only. */
	if ((srv = http_server_get(u, listener_prop_value(ls,
	    WS_LISTENER_PROPERTY_CONNECT_TIMEOUT), &hr, why)) == NULL) {
		free(hl);
		return hr;
	}
	TAILQ_FOREACH(o, &srv->listeners, entry)
		if (strcmp(o->path, hl->path) == 0) {
			free(hl);
			http_server_maybe_free(srv);
			*why = "another listener has this port and path";
			return WS_E_ADDRESS_IN_USE;
		}
	hl->srv = srv;
	TAILQ_INSERT_TAIL(&srv->listeners, hl, entry);
	listener_set_tp(ls, hl);
	return S_OK;
}

void
http_server_accept(struct listener *ls)
{
	struct http_listener *hl = listener_tp(ls);

	if (hl != NULL)
		http_server_dispatch(hl);
}

/* Close and abort: queued requests were never handed over: 503. */
static void
http_server_stop(struct listener *ls, bool abortive)
{
	struct http_listener *hl = listener_tp(ls);
	struct http_server *srv;
	struct http_sreq *sr;

	if (hl == NULL)
		return;
	srv = hl->srv;
	if (!abortive) {
		srv->drain_ms = listener_prop_value(ls,
		    WS_LISTENER_PROPERTY_CLOSE_TIMEOUT);
		if (srv->drain_ms == 0)
			abortive = true;
	}
	listener_set_tp(ls, NULL);
	while ((sr = TAILQ_FIRST(&hl->queue)) != NULL) {
		TAILQ_REMOVE(&hl->queue, sr, entry);
		sr->hl = NULL;
		http_server_req_unwatch(sr);
		http_server_req_reject(sr, 503, "Service Unavailable");
	}
	TAILQ_REMOVE(&srv->listeners, hl, entry);
	free(hl);
	if (TAILQ_EMPTY(&srv->listeners) && srv->bound != NULL) {
		/* The port is free at once; live exchanges finish. */
		evhttp_del_accept_socket(srv->http, srv->bound);
		srv->bound = NULL;
	}
	if (TAILQ_EMPTY(&srv->listeners) && (srv->sweep != NULL ||
	    (srv->sweep = event_new(registry_base(), -1, 0,
	    http_server_sweep_cb, srv)) != NULL)) {
		/* Not under the caller's frames: from the loop. */
		srv->sweep_all = abortive;
		event_active(srv->sweep, EV_TIMEOUT, 0);
		http_server_drain_stop(srv);
		if (!abortive && srv->drain_ms != HTTP_INFINITE) {
			srv->refs++;
			http_util_timer_arm(&srv->drain, srv->drain_ms,
			    http_server_drain_cb, srv);
		}
	}
	http_server_maybe_free(srv);
}

void
http_server_unlisten(struct listener *ls)
{
	http_server_stop(ls, false);
}

void
http_server_unlisten_abort(struct listener *ls)
{
	http_server_stop(ls, true);
}

