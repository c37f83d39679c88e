/*
 * HTTP REQUEST channels: one kept-alive evhttp_connection per channel and
 * at most one request in flight.  A send completes when the response
 * headers arrive (Wine does the same); the next receive reads the body,
 * and is told when the body failed before it asked (http_client_fail).
 * The host is looked up once, at the first request (RESOLVE_TIMEOUT),
 * then evhttp connects (CONNECT_TIMEOUT) and reconnects by itself when
 * the server closed the connection.
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


enum http_phase {
	HC_IDLE,		/* no request outstanding */
	HC_RESOLVING,		/* the first request waits for the host's address */
	HC_WAIT_HEADERS,	/* request made, no response status yet */
	HC_BODY,		/* status and headers in: the send completed */
	HC_READY,		/* response complete, not yet received */
	HC_FAILED,		/* response failed, no read told yet */
};

struct http_client {
	struct channel		*ch;		/* NULL once aborted */
	struct event		*reap;
	enum http_phase		 phase;
	struct url		 u;
	char			 host_hdr[300];
	char			*uri;		/* path[?query] */
	char			 addr[INET6_ADDRSTRLEN];	/* resolved */
	struct evhttp_connection *evcon;
	struct evhttp_request	*req;		/* in flight, evhttp's */
	/* The request while the host is looked up. */
	struct evbuffer		*pend_body;
	char			*pend_ct;
	char			*pend_action;
	struct envelope		 pend_h;	/* its mapped headers (http) */
	struct evdns_getaddrinfo_request *dns_req;
	struct event		*dns_timer;
	struct event		*connect_timer;
	struct event		*response_timer;
	int			 in_send;
	int32_t			 send_hr;	/* a failure inside send */
	/* The response. */
	int			 status;
	int			 err;		/* evhttp error, or -1 */
	int			 sock_err;	/* errno with that error */
	uint8_t			*body;
	size_t			 body_len;
	char			*resp_ct;
	struct envelope		 resp_h;	/* its headers (http only) */
	/* Pieces of a streamed request body: evhttp sends a request in one
	 * go, with its length, so they wait here for the last one; the
	 * event completes each piece from the loop. */
	struct evbuffer		*part_body;
	struct event		*part_ev;
	bool			 close_after;	/* idle close: FIN then closed */
	/* WS_STREAMED_INPUT_TRANSFER_MODE: the response body as it comes
	 * (http_stream_in.c); NULL for other channels. */
	struct http_stream_in	*sin;
	/* The request's method (POST but for a raw message's). */
	enum evhttp_cmd_type	 pend_cmd;
	/* HC_FAILED: what the next read is told (why: a static string). */
	int32_t			 fail_hr;
	const char		*fail_why;
};

static void	http_client_start(struct http_client *);
static void	http_client_stream_feed(struct http_client *);

static void
http_client_clear_response(struct http_client *hc)
{
	free(hc->body);
	free(hc->resp_ct);
	envelope_http_clear(&hc->resp_h);
	hc->body = NULL;
	hc->resp_ct = NULL;
	hc->body_len = 0;
	hc->status = 0;
	hc->err = -1;
	hc->sock_err = 0;
}

static void
http_client_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *hc = arg;

	if (hc->evcon != NULL)
		evhttp_connection_free(hc->evcon);
	if (hc->part_ev != NULL)
		event_free(hc->part_ev);
	event_free(hc->reap);
	free(hc);
}

/* Frees everything but what evhttp may still be using (reaped later). */
void
http_client_release(struct http_client *hc, bool reset)
{
	if (hc->dns_req != NULL) {
		evdns_getaddrinfo_cancel(hc->dns_req);
		hc->dns_req = NULL;
	}
	http_util_timer_stop(&hc->dns_timer);
	http_util_timer_stop(&hc->connect_timer);
	http_util_timer_stop(&hc->response_timer);
	if (hc->pend_body != NULL)
		evbuffer_free(hc->pend_body);
	hc->pend_body = NULL;
	if (hc->part_body != NULL)
		evbuffer_free(hc->part_body);
	hc->part_body = NULL;
	free(hc->pend_ct);
	free(hc->pend_action);
	free(hc->uri);
	envelope_http_clear(&hc->pend_h);
	hc->pend_ct = hc->pend_action = hc->uri = NULL;
	http_client_clear_response(hc);
	http_stream_in_free(hc->sin);
	hc->sin = NULL;
	/* Callbacks until the reap see no channel and do nothing. */
	hc->ch = NULL;
	if (reset && hc->evcon != NULL && hc->phase != HC_IDLE &&
	    hc->phase != HC_READY)
		http_util_linger0(hc->evcon);
	/* The reap frees the connection and, with it, the request in
	 * flight (no callback runs for it then). */
	hc->req = NULL;
	event_active(hc->reap, EV_TIMEOUT, 0);
}

static int32_t
http_client_status_hr(int status)
{
	switch (status) {
	case 404:
		return WS_E_ENDPOINT_NOT_FOUND;
	case 413:
		return WS_E_QUOTA_EXCEEDED;
	case 503:
		return WS_E_ENDPOINT_TOO_BUSY;
	default:
		return WS_E_ENDPOINT_FAILURE;
	}
}

/*
 * A failure of the request in flight or of its response: the channel
 * faults (bindings.md, response mapping).  As on Windows, where only the
 * receive reads the response, the failure belongs to the operation that
 * waits for it: the send (before the status line), else the read.  When
 * neither waits (the send completed, the receive is not asked yet), it
 * is kept for the next read, which gets it and faults the channel then
 * (http_client_deliver, http_client_read_more); until then the channel
 * stays OPEN.  Otherwise the read, arriving a moment later, would see
 * WS_E_OBJECT_FAULTED instead of the cause, depending on who came first.
 */
static void
http_client_fail(struct http_client *hc, int32_t hr, const char *why)
{
	struct channel *ch = hc->ch;

	if (ch == NULL || hc->phase == HC_FAILED)
		return;
	if (hc->in_send) {
		hc->send_hr = hr;
		return;
	}
	if (channel_transport_sending(ch) ||
	    channel_transport_stream_want(ch) != CHANNEL_STREAM_NONE) {
		channel_transport_fault(ch, hr, why);
		return;
	}
	log_info("channel %llu: the response failed (%s); the next read is "
	    "told", (unsigned long long)channel_id(ch), why);
	hc->phase = HC_FAILED;
	hc->fail_hr = hr;
	hc->fail_why = why;
}

/* A read asks for a response that failed before: it is told now. */
static void
http_client_fail_kept(struct http_client *hc)
{
	channel_transport_fault(hc->ch, hc->fail_hr, hc->fail_why);
}

/* Hands the complete response to the waiting receive, if one waits. */
void
http_client_deliver(struct http_client *hc)
{
	struct channel *ch = hc->ch;
	struct envelope env;
	uint32_t enc, envv;
	const char *why;
	int32_t hr;

	if (ch != NULL && hc->phase == HC_FAILED) {
		if (channel_transport_stream_want(ch) != CHANNEL_STREAM_NONE)
			http_client_fail_kept(hc);
		return;
	}
	if (ch != NULL && hc->sin != NULL && http_stream_in_active(hc->sin)) {
		http_client_stream_feed(hc);
		return;
	}
	if (ch == NULL || hc->phase != HC_READY ||
	    !channel_transport_receiving(ch))
		return;
	if (http_raw_is(ch)) {
		/* Whatever the status, the bytes and the status are the
		 * message (the library maps or refuses the status). */
		memset(&env, 0, sizeof(env));
		http_raw_message(&env, &hc->body, hc->body_len, &hc->resp_h);
		hc->phase = HC_IDLE;
		http_client_clear_response(hc);
		channel_transport_message(ch, &env);
		envelope_clear(&env);
		return;
	}
	if (hc->body_len == 0) {
		channel_transport_fault(ch, WS_E_INVALID_FORMAT,
		    "the response has no envelope (a one-way 202 or an empty "
		    "200/204)");
		return;
	}
	if (http_util_media_type(hc->resp_ct, &enc, &envv) != 0) {
		channel_transport_fault(ch, hc->status == 500 ?
		    WS_E_ENDPOINT_FAILURE : WS_E_INVALID_FORMAT,
		    "the response's Content-Type is not a SOAP media type");
		return;
	}
	memset(&env, 0, sizeof(env));
	if ((hr = http_util_decode(enc, envv, hc->body, hc->body_len, &env,
	    &why)) != S_OK) {
		channel_transport_fault(ch, hc->status == 500 ?
		    WS_E_ENDPOINT_FAILURE : hr, why);
		return;
	}
	if (hc->status == 500 && !env.is_fault) {
		envelope_clear(&env);
		channel_transport_fault(ch, WS_E_ENDPOINT_FAILURE,
		    "the server answered 500 without a SOAP fault");
		return;
	}
	/* The response's headers, for the library to map. */
	env.http = hc->resp_h.http;
	env.nhttp = hc->resp_h.nhttp;
	hc->resp_h.http = NULL;
	hc->resp_h.nhttp = 0;
	hc->phase = HC_IDLE;
	http_client_clear_response(hc);
	/* A fault stays a message here; the library turns it into
	 * WS_E_ENDPOINT_FAULT_RECEIVED per FAULTS_AS_ERRORS. */
	channel_transport_message(ch, &env);
	envelope_clear(&env);
}

static int
http_client_header_cb(struct evhttp_request *req, void *arg)
{
	struct http_client *hc = arg;
	struct channel *ch = hc->ch;
	int status;

	if (ch == NULL)
		return -1;
	status = evhttp_request_get_response_code(req);
	/* An interim 100 Continue is not the response. */
	if (status == 100)
		return 0;
	http_util_timer_stop(&hc->response_timer);
	http_util_timer_stop(&hc->connect_timer);
	hc->status = status;
	if ((status < 200 || status > 299) && status != 500 &&
	    !http_raw_is(ch)) {
		log_info("channel %llu: HTTP %d from the server",
		    (unsigned long long)channel_id(ch), status);
		hc->phase = HC_IDLE;
		hc->req = NULL;
		http_client_fail(hc, http_client_status_hr(status),
		    "the server answered with an HTTP error status");
		/* Our record lives until the reap; evhttp closes. */
		return -1;
	}
	hc->phase = HC_BODY;
	/* A streamed-input channel's 2xx body streams; a fault (500) comes
	 * whole. */
	if (hc->sin != NULL && status != 500 &&
	    http_stream_in_head(hc->sin, req) != 0) {
		hc->req = NULL;
		hc->phase = HC_IDLE;
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return -1;
	}
	/* The send completes with the status line and headers (Wine). */
	channel_transport_sent(ch);
	return 0;
}

static void
http_client_error_cb(enum evhttp_request_error err, void *arg)
{
	struct http_client *hc = arg;

	hc->err = (int)err;
	hc->sock_err = EVUTIL_SOCKET_ERROR();
}

static void
http_client_done_cb(struct evhttp_request *req, void *arg)
{
	struct http_client *hc = arg;
	struct channel *ch = hc->ch;
	struct evbuffer *in;
	const char *ct;
	size_t n;

	if (ch == NULL || hc->req == NULL)
		return;
	hc->req = NULL;
	http_util_timer_stop(&hc->response_timer);
	http_util_timer_stop(&hc->connect_timer);
	/* The body failed already (http_client_chunk_cb); the rest of it
	 * changes nothing. */
	if (hc->phase == HC_FAILED)
		return;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		hc->phase = HC_IDLE;
		/* evhttp's body bound is off on a streamed-input channel
		 * (http_stream_in_take bounds it): "too long" there is a
		 * chunk it could not parse. */
		if (hc->sin != NULL && (hc->err == EVREQ_HTTP_DATA_TOO_LONG ||
		    hc->err == EVREQ_HTTP_INVALID_HEADER))
			http_client_fail(hc, WS_E_INVALID_FORMAT,
			    "the response's body is malformed (a chunk of its "
			    "chunked transfer coding does not parse)");
		else if (hc->err == EVREQ_HTTP_DATA_TOO_LONG)
			http_client_fail(hc, WS_E_QUOTA_EXCEEDED,
			    "response larger than MAX_BUFFERED_MESSAGE_SIZE");
		else if (hc->err == EVREQ_HTTP_TIMEOUT)
			http_client_fail(hc, WS_E_OPERATION_TIMED_OUT,
			    "the HTTP exchange timed out");
		else if (req != NULL && hc->err == -1)
			/* evhttp ends a failed connect this way, without
			 * its error callback. */
			http_client_fail(hc, WS_E_ENDPOINT_UNREACHABLE,
			    "cannot connect to the server");
		else if (hc->status == 0 && (hc->sock_err == ECONNREFUSED ||
		    hc->sock_err == EHOSTUNREACH || hc->sock_err == ENETUNREACH))
			http_client_fail(hc, WS_E_ENDPOINT_UNREACHABLE,
			    "cannot connect to the server");
		else
			http_client_fail(hc, WS_E_ENDPOINT_DISCONNECTED,
			    "the connection ended before the response");
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	if (hc->sin != NULL && http_stream_in_active(hc->sin)) {
		/* The whole body is in: the reads take the rest. */
		http_stream_in_end(hc->sin);
		http_client_stream_feed(hc);
		return;
	}
	if (hc->sin != NULL)
		http_stream_in_unwind(hc->sin, in);
	n = evbuffer_get_length(in);
	if (n > 0 && (hc->body = malloc(n)) == NULL) {
		hc->phase = HC_IDLE;
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return;
	}
	if (n > 0)
		evbuffer_remove(in, hc->body, n);
	hc->body_len = n;
	ct = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	hc->resp_ct = ct != NULL ? strdup(ct) : NULL;
	if (http_util_headers_take(evhttp_request_get_input_headers(req),
	    &hc->resp_h) != 0 || (http_raw_is(ch) &&
	    http_raw_take(req, true, &hc->resp_h) != 0)) {
		hc->phase = HC_IDLE;
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return;
	}
	channel_transport_count(ch, n, 0);
	hc->phase = HC_READY;
	/* A 200 with a body never read is dropped at the next send. */
	http_client_deliver(hc);
}

static void
http_client_connect_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *hc = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	event_free(hc->connect_timer);
	hc->connect_timer = NULL;
	fd = http_util_evcon_fd(hc->evcon);
	/* Connected meanwhile: the response timeout applies now. */
	if (fd != -1 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		return;
	http_client_fail(hc, WS_E_OPERATION_TIMED_OUT,
	    "CONNECT_TIMEOUT expired before the server accepted");
}

static void
http_client_response_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *hc = arg;

	event_free(hc->response_timer);
	hc->response_timer = NULL;
	http_client_fail(hc, WS_E_OPERATION_TIMED_OUT,
	    "RECEIVE_RESPONSE_TIMEOUT expired before the response headers");
}

/* ---- streamed input (http_stream_in.c) --------------------------------- */

/* A piece of the response body, as evhttp reads it. */
static void
http_client_chunk_cb(struct evhttp_request *req, void *arg)
{
	struct http_client *hc = arg;
	int32_t hr;

	if (hc->ch == NULL || hc->sin == NULL || hc->phase == HC_FAILED)
		return;
	hr = http_stream_in_take(hc->sin, evhttp_request_get_input_buffer(req),
	    http_util_max_in(hc->ch));
	/* A streaming body too large fails the read that waits, now or
	 * next (http_client_stream_feed). */
	if (hr == E_OUTOFMEMORY ||
	    (hr != S_OK && !http_stream_in_active(hc->sin))) {
		http_client_fail(hc, hr, hr == WS_E_QUOTA_EXCEEDED ?
		    "the response is larger than MAX_STREAMED_MESSAGE_SIZE" :
		    "out of memory");
		return;
	}
	if (http_stream_in_active(hc->sin))
		http_client_stream_feed(hc);
}

/* The body of the request's response comes piece by piece. */
static int
http_client_stream_attach(struct http_client *hc, struct evhttp_request *req)
{
	if (hc->sin == NULL && (hc->sin = http_stream_in_new()) == NULL)
		return -1;
	http_stream_in_reset(hc->sin,
	    evhttp_connection_get_bufferevent(hc->evcon));
	evhttp_request_set_chunked_cb(req, http_client_chunk_cb);
	/* http_stream_in_take applies MAX_STREAMED_MESSAGE_SIZE. */
	evhttp_connection_set_max_body_size(hc->evcon, -1);
	return 0;
}

/* Serves the reads waiting for the streaming response. */
static void
http_client_stream_feed(struct http_client *hc)
{
	struct channel *ch = hc->ch;
	size_t n;

	if (ch == NULL || hc->sin == NULL)
		return;
	switch (http_stream_in_feed(hc->sin, ch)) {
	case HTTP_STREAM_WAIT:
		break;
	case HTTP_STREAM_DONE:
		/* The completion may have ended the channel. */
		if (hc->ch != NULL) {
			http_stream_in_reset(hc->sin, NULL);
			hc->phase = HC_IDLE;
		}
		break;
	case HTTP_STREAM_WHOLE:
		/* The buffered way, with the body the window gathered. */
		http_client_clear_response(hc);
		if (http_stream_in_whole(hc->sin, &hc->body, &n, &hc->resp_ct,
		    &hc->resp_h) != 0) {
			channel_transport_fault(ch, E_OUTOFMEMORY,
			    "out of memory");
			break;
		}
		hc->body_len = n;
		http_stream_in_reset(hc->sin, NULL);
		channel_transport_count(ch, n, 0);
		hc->phase = HC_READY;
		http_client_deliver(hc);
		break;
	case HTTP_STREAM_BAD_TYPE:
		channel_transport_fault(ch, WS_E_INVALID_FORMAT,
		    "the response's Content-Type is not a SOAP media type of "
		    "the channel's encoding");
		break;
	case HTTP_STREAM_NOMEM:
		channel_transport_fault(ch, E_OUTOFMEMORY, "out of memory");
		break;
	case HTTP_STREAM_TOO_BIG:
		channel_transport_fault(ch, WS_E_QUOTA_EXCEEDED,
		    "the response is larger than MAX_STREAMED_MESSAGE_SIZE");
		break;
	}
}

int32_t
http_client_read_more(struct http_client *hc, const char **why)
{
	/* The rest of the body failed: this read is told. */
	if (hc->phase == HC_FAILED) {
		http_client_fail_kept(hc);
		return S_OK;
	}
	/* Started, or refused at the start for its size. */
	if (hc->sin == NULL || (!http_stream_in_reading(hc->sin) &&
	    !http_stream_in_active(hc->sin))) {
		*why = "no streamed response body is being read";
		return WS_E_INVALID_OPERATION;
	}
	http_client_stream_feed(hc);
	return S_OK;
}

/* A new request while the last response is still being read in pieces:
 * the rest of it is dropped, with its connection when it is not over. */
static void
http_client_stream_drop(struct http_client *hc)
{
	/* First: it may resume reading on the connection's bufferevent. */
	http_stream_in_reset(hc->sin, NULL);
	if (hc->req != NULL && hc->evcon != NULL) {
		http_util_linger0(hc->evcon);
		evhttp_connection_free(hc->evcon);
		hc->evcon = NULL;
		hc->req = NULL;
	}
	hc->phase = HC_IDLE;
}

/* Makes the prepared request on the (maybe new) connection. */
static void
http_client_start(struct http_client *hc)
{
	struct channel *ch = hc->ch;
	struct evhttp_request *req;
	struct evkeyvalq *h;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char len[24], quoted[1100];
	evutil_socket_t fd;
	bool connected;

	if (hc->evcon == NULL) {
		hc->evcon = evhttp_connection_base_new(registry_base(), NULL,
		    hc->addr, hc->u.port);
		if (hc->evcon == NULL) {
			http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
			return;
		}
		evhttp_connection_set_retries(hc->evcon, 0);
		/* Our own timers bound each phase; evhttp's default 50 s
		 * must not cut a longer RECEIVE_TIMEOUT short. */
		evhttp_connection_set_timeout(hc->evcon, 7 * 24 * 3600);
		evhttp_connection_set_max_body_size(hc->evcon,
		    (ev_ssize_t)http_util_max_in(ch));
	}
	if ((req = evhttp_request_new(http_client_done_cb, hc)) == NULL) {
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return;
	}
	evhttp_request_set_header_cb(req, http_client_header_cb);
	evhttp_request_set_error_cb(req, http_client_error_cb);
	if (http_util_streamed(ch, WS_STREAMED_INPUT_TRANSFER_MODE) &&
	    http_client_stream_attach(hc, req) != 0) {
		evhttp_request_free(req);
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return;
	}
	h = evhttp_request_get_output_headers(req);
	snprintf(len, sizeof(len), "%zu", evbuffer_get_length(hc->pend_body));
	evhttp_add_header(h, "Host", hc->host_hdr);
	evhttp_add_header(h, "User-Agent", HTTP_USER_AGENT);
	/* A bodiless GET of a raw channel says nothing of a body. */
	if (http_raw_has_content(hc->pend_cmd,
	    evbuffer_get_length(hc->pend_body))) {
		evhttp_add_header(h, "Content-Type", hc->pend_ct);
		evhttp_add_header(h, "Content-Length", len);
	}
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION) ==
	    WS_ENVELOPE_VERSION_SOAP_1_1) {
		snprintf(quoted, sizeof(quoted), "\"%s\"",
		    hc->pend_action != NULL ? hc->pend_action : "");
		evhttp_add_header(h, "SOAPAction", quoted);
	}
	if (http_util_headers_put(h, &hc->pend_h) != 0) {
		evhttp_request_free(req);
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return;
	}
	evbuffer_add_buffer(evhttp_request_get_output_buffer(req),
	    hc->pend_body);
	http_client_clear_response(hc);
	hc->phase = HC_WAIT_HEADERS;
	hc->req = req;
	if (evhttp_make_request(hc->evcon, req, hc->pend_cmd,
	    hc->uri) != 0) {
		hc->req = NULL;
		hc->phase = HC_IDLE;
		http_client_fail(hc, WS_E_ENDPOINT_UNREACHABLE,
		    "cannot start the HTTP request");
		return;
	}
	fd = http_util_evcon_fd(hc->evcon);
	connected = fd != -1 &&
	    getpeername(fd, (struct sockaddr *)&ss, &sslen) == 0;
	if (!connected)
		http_util_timer_arm(&hc->connect_timer, channel_timeout(ch,
		    WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT),
		    http_client_connect_timeout_cb, hc);
	http_util_timer_arm(&hc->response_timer, channel_timeout(ch,
	    WS_CHANNEL_PROPERTY_RECEIVE_RESPONSE_TIMEOUT),
	    http_client_response_timeout_cb, hc);
}

static void
http_client_resolved_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct http_client *hc = arg;
	void *a;

	if (result == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	hc->dns_req = NULL;
	http_util_timer_stop(&hc->dns_timer);
	if (result != 0 || res == NULL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		hc->phase = HC_IDLE;
		http_client_fail(hc, WS_E_ENDPOINT_NOT_FOUND,
		    "cannot resolve the host name");
		return;
	}
	a = res->ai_family == AF_INET6 ?
	    (void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr :
	    (void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
	evutil_inet_ntop(res->ai_family, a, hc->addr, sizeof(hc->addr));
	evutil_freeaddrinfo(res);
	http_client_start(hc);
}

static void
http_client_resolve_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *hc = arg;

	event_free(hc->dns_timer);
	hc->dns_timer = NULL;
	http_client_fail(hc, WS_E_OPERATION_TIMED_OUT,
	    "RESOLVE_TIMEOUT expired before the host name was resolved");
}

/* The first request looks the host up once, without blocking the loop. */
static void
http_client_resolve(struct http_client *hc)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;

	hc->phase = HC_RESOLVING;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	req = evdns_getaddrinfo(registry_dns(), hc->u.host, NULL, &hints,
	    http_client_resolved_cb, hc);
	if (req == NULL)
		return;		/* answered at once */
	hc->dns_req = req;
	http_util_timer_arm(&hc->dns_timer, channel_timeout(hc->ch,
	    WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT),
	    http_client_resolve_timeout_cb, hc);
}

/* WsOpenChannel: the URL only; nothing on the wire (Win, bindings.md). */
int32_t
http_client_open(struct channel *ch, const struct url *u)
{
	struct http_client *hc;
	const char *s = channel_url(ch), *p;
	bool v6 = strchr(u->host, ':') != NULL;

	if ((hc = calloc(1, sizeof(*hc))) == NULL)
		return E_OUTOFMEMORY;
	hc->ch = ch;
	hc->u = *u;
	hc->err = -1;
	hc->pend_cmd = EVHTTP_REQ_POST;
	if ((hc->reap = http_util_reap_event(http_client_reap_cb, hc)) == NULL) {
		free(hc);
		return E_OUTOFMEMORY;
	}
	/* The path and query as given, after the authority. */
	p = strstr(s, "://");
	p = p != NULL ? p + 3 : s;
	p += strcspn(p, "/?");
	if ((hc->uri = *p == '/' ? strdup(p) : malloc(strlen(p) + 2)) == NULL) {
		event_free(hc->reap);
		free(hc);
		return E_OUTOFMEMORY;
	}
	if (*p != '/')
		sprintf(hc->uri, "/%s", p);
	if (u->port == 80)
		snprintf(hc->host_hdr, sizeof(hc->host_hdr), v6 ? "[%s]" : "%s",
		    u->host);
	else
		snprintf(hc->host_hdr, sizeof(hc->host_hdr),
		    v6 ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
	channel_set_tp(ch, hc);
	channel_transport_peer(ch, hc->host_hdr);
	channel_transport_opened(ch);
	return S_OK;
}

static void
http_client_part_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *hc = arg;

	if (hc->ch != NULL)
		channel_transport_sent(hc->ch);
}

/* A piece of a streamed request body: kept until the last one. */
int32_t
http_client_send_part(struct http_client *hc, const struct envelope *msg,
    const char **why)
{
	size_t have;

	if (hc->phase != HC_IDLE && hc->phase != HC_READY &&
	    hc->phase != HC_FAILED) {
		*why = "a request is outstanding: receive its response first";
		return WS_E_INVALID_OPERATION;
	}
	if (hc->part_body == NULL && (hc->part_body = evbuffer_new()) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	if (hc->part_ev == NULL && (hc->part_ev = event_new(registry_base(),
	    -1, 0, http_client_part_cb, hc)) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	have = evbuffer_get_length(hc->part_body);
	if (have + msg->body_len > http_util_max_out(hc->ch)) {
		*why = "the body is larger than MAX_STREAMED_MESSAGE_SIZE";
		return WS_E_QUOTA_EXCEEDED;
	}
	if (evbuffer_add(hc->part_body, msg->body, msg->body_len) != 0) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	event_active(hc->part_ev, EV_TIMEOUT, 0);
	return S_OK;
}

static int32_t	http_client_send_whole(struct http_client *,
		    const struct envelope *, const char **);

/* A message, after the pieces of its body a streamed send kept. */
int32_t
http_client_send(struct http_client *hc, const struct envelope *msg,
    const char **why)
{
	struct envelope whole;
	size_t have;
	int32_t hr;

	if (hc->part_body == NULL ||
	    (have = evbuffer_get_length(hc->part_body)) == 0)
		return http_client_send_whole(hc, msg, why);
	whole = *msg;
	whole.body_len = have + msg->body_len;
	if ((whole.body = malloc(whole.body_len)) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	evbuffer_copyout(hc->part_body, whole.body, have);
	if (msg->body_len > 0)
		memcpy(whole.body + have, msg->body, msg->body_len);
	if ((hr = http_client_send_whole(hc, &whole, why)) == S_OK)
		evbuffer_drain(hc->part_body, have);
	free(whole.body);
	return hr;
}

static int32_t
http_client_send_whole(struct http_client *hc, const struct envelope *msg,
    const char **why)
{
	struct channel *ch = hc->ch;
	uint32_t enc = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING);
	uint8_t *doc = NULL;
	size_t len = 0, i;
	char ct[1200];
	int32_t hr;

	/* A streamed response that is complete, or being read. */
	if (hc->phase == HC_BODY && hc->sin != NULL &&
	    (hc->req == NULL || http_stream_in_started(hc->sin)))
		http_client_stream_drop(hc);
	if (hc->phase == HC_FAILED && hc->sin != NULL)
		/* Its connection too, when the body still comes. */
		http_client_stream_drop(hc);
	if (hc->phase == HC_READY || hc->phase == HC_FAILED) {
		/* A response nobody read is discarded (bindings.md), and so
		 * is the failure of one. */
		http_client_clear_response(hc);
		hc->phase = HC_IDLE;
	}
	if (hc->phase != HC_IDLE) {
		*why = "a request is outstanding: receive its response first";
		return WS_E_INVALID_OPERATION;
	}
	if (enc == WS_ENCODING_RAW) {
		/* The bytes as they are, with the method and Content-Type
		 * the message names. */
		if ((hr = http_raw_check(msg, true, why)) != S_OK)
			return hr;
		if ((hr = http_raw_encode(ch, msg, &doc, &len,
		    why)) != S_OK)
			return hr;
		snprintf(ct, sizeof(ct), "%s", http_raw_content_type(msg));
		hc->pend_cmd = http_raw_method(msg);
	} else {
		if ((hr = http_util_headers_check(msg, why)) != S_OK)
			return hr;
		if ((hr = http_util_encode(ch, msg, enc, &doc, &len,
		    why)) != S_OK)
			return hr;
		http_util_content_type(ct, sizeof(ct), enc,
		    (uint32_t)channel_prop_value(ch,
		    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), msg->action);
		hc->pend_cmd = EVHTTP_REQ_POST;
	}
	free(hc->pend_ct);
	free(hc->pend_action);
	hc->pend_ct = strdup(ct);
	hc->pend_action = msg->action != NULL ? strdup(msg->action) : NULL;
	if (hc->pend_body == NULL)
		hc->pend_body = evbuffer_new();
	if (hc->pend_ct == NULL || hc->pend_body == NULL ||
	    (msg->action != NULL && hc->pend_action == NULL) ||
	    evbuffer_add(hc->pend_body, doc, len) != 0) {
		free(doc);
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	free(doc);
	envelope_http_clear(&hc->pend_h);
	for (i = 0; i < msg->nhttp; i++)
		if (envelope_http_add(&hc->pend_h, msg->http[i].name,
		    msg->http[i].value) != 0) {
			envelope_http_clear(&hc->pend_h);
			evbuffer_drain(hc->pend_body,
			    evbuffer_get_length(hc->pend_body));
			*why = "out of memory";
			return E_OUTOFMEMORY;
		}
	channel_transport_count(ch, 0, len);
	hc->send_hr = S_OK;
	hc->in_send = 1;
	if (hc->addr[0] != '\0')
		http_client_start(hc);
	else
		http_client_resolve(hc);
	hc->in_send = 0;
	if (hc->send_hr != S_OK) {
		hc->phase = HC_IDLE;
		*why = "cannot send the HTTP request";
		return hc->send_hr;
	}
	return S_OK;
}

int32_t
http_client_receive_check(struct http_client *hc, const char **why)
{
	if (hc->phase == HC_IDLE) {
		*why = "no request is outstanding: send one first";
		return WS_E_INVALID_OPERATION;
	}
	return S_OK;
}

void
http_client_close(struct http_client *hc)
{
	struct channel *ch = hc->ch;

	/* Idle: FIN on the kept-alive connection; in flight: RST. */
	channel_set_tp(ch, NULL);
	http_client_release(hc, true);
	channel_transport_closed(ch);
}

