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
	char			*action;
	char			*url;
	char			 peer[80];
	uint8_t			*body;
	size_t			 body_len;
	struct envelope		 env;		/* decoded when assigned */
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

struct http_server {
	TAILQ_ENTRY(http_server) entry;
	uint16_t		 port;
	struct evhttp		*http;
	struct evhttp_bound_socket *bound;
	TAILQ_HEAD(, http_listener) listeners;
	unsigned		 refs;		/* live http_sreq */
};

static TAILQ_HEAD(, http_server) http_servers =
    TAILQ_HEAD_INITIALIZER(http_servers);

static void
http_server_maybe_free(struct http_server *srv)
{
	if (!TAILQ_EMPTY(&srv->listeners) || srv->refs > 0)
		return;
	TAILQ_REMOVE(&http_servers, srv, entry);
	evhttp_free(srv->http);
	free(srv);
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
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
		http_util_linger0(sr->evcon);
		evhttp_connection_free(sr->evcon);
	} else if (sr->evcon != NULL)
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
	event_free(sr->reap);
	envelope_clear(&sr->env);
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

static void	http_server_req_close_cb(struct evhttp_connection *, void *);
static void	http_server_req_complete_cb(struct evhttp_request *, void *);

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
		evhttp_connection_set_closecb(sr->evcon,
		    http_server_req_close_cb, sr);
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
	if (sr->evcon != NULL)
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
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

/* Writes the response: status, media type of the request, body. */
static int32_t
http_server_req_respond(struct http_sreq *sr, int code, const char *reason,
    const uint8_t *body, size_t len, const char *action)
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
	if (len > 0) {
		http_util_content_type(ct, sizeof(ct), sr->encoding, sr->envelope,
		    action);
		evhttp_add_header(h, "Content-Type", ct);
	}
	snprintf(n, sizeof(n), "%zu", len);
	evhttp_add_header(h, "Content-Length", n);
	sr->replied = true;
	evhttp_request_set_on_complete_cb(sr->req, http_server_req_complete_cb, sr);
	evhttp_send_reply(sr->req, code, reason, buf);
	evbuffer_free(buf);
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

	if (sr->replied) {
		*why = "the request was already answered";
		return WS_E_INVALID_OPERATION;
	}
	if (sr->req == NULL || sr->evcon == NULL) {
		*why = "the HTTP client is gone";
		return WS_E_ENDPOINT_DISCONNECTED;
	}
	if ((hr = http_util_encode(ch, msg, sr->encoding, &doc, &len, why)) != S_OK)
		return hr;
	/* A fault goes out as 500 (SOAP-HTTP; gSOAP, vectors E2/E4). */
	hr = http_server_req_respond(sr, msg->is_fault ? 500 : 200,
	    msg->is_fault ? "Internal Server Error" : "OK", doc, len,
	    msg->action);
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
		    NULL) == S_OK)
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
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION) !=
	    sr->envelope) {
		http_server_req_reject(sr, 415, "Unsupported Media Type");
		goto requeue;
	}
	if (sr->body_len > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE)) {
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
	struct evbuffer *body;
	const char *path, *ua, *host;
	evutil_socket_t fd;
	size_t n;

	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if ((hl = http_server_route(srv, path)) == NULL) {
		evhttp_send_error(req, TAILQ_EMPTY(&srv->listeners) ? 503 :
		    404, NULL);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "POST");
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	if ((ua = evhttp_find_header(in, "User-Agent")) != NULL &&
	    strstr(ua, HTTP_DISALLOWED_AGENT) != NULL) {
		evhttp_send_error(req, 403, "Forbidden");
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
	if (http_util_media_type(evhttp_find_header(in, "Content-Type"),
	    &sr->encoding, &sr->envelope) != 0) {
		http_server_req_reject(sr, 415, "Unsupported Media Type");
		return;
	}
	body = evhttp_request_get_input_buffer(req);
	n = evbuffer_get_length(body);
	host = evhttp_find_header(in, "Host");
	if (asprintf(&sr->url, "http://%s%s", host != NULL ? host : "localhost",
	    evhttp_request_get_uri(req)) == -1) {
		sr->url = NULL;
		http_server_req_reject(sr, 503, "Service Unavailable");
		return;
	}
	if (n == 0 || (sr->body = malloc(n)) == NULL) {
		http_server_req_reject(sr, n == 0 ? 400 : 503, n == 0 ?
		    "Bad Request" : "Service Unavailable");
		return;
	}
	evbuffer_remove(body, sr->body, n);
	sr->body_len = n;
	sr->action = http_util_header_action(in, sr->envelope);
	http_server_peer_string(sr->evcon, sr->peer, sizeof(sr->peer));
	evhttp_connection_set_closecb(sr->evcon, http_server_req_close_cb, sr);
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
	srv->port = u->port;
	if ((*hr = http_server_bind(srv, u, why)) != S_OK) {
		evhttp_free(srv->http);
		free(srv);
		return NULL;
	}
	evhttp_set_max_headers_size(srv->http, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(srv->http, HTTP_SERVER_BODY_MAX);
	if (read_ms != HTTP_INFINITE && read_ms > 0) {
		tv.tv_sec = read_ms / 1000;
		tv.tv_usec = (read_ms % 1000) * 1000;
		evhttp_set_timeout_tv(srv->http, &tv);
	}
	evhttp_set_gencb(srv->http, http_server_request_cb, srv);
	TAILQ_INSERT_TAIL(&http_servers, srv, entry);
	return srv;
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
void
http_server_unlisten(struct listener *ls)
{
	struct http_listener *hl = listener_tp(ls);
	struct http_server *srv;
	struct http_sreq *sr;

	if (hl == NULL)
		return;
	listener_set_tp(ls, NULL);
	srv = hl->srv;
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
	http_server_maybe_free(srv);
}

