/*
 * http: SOAP over HTTP (WS_HTTP_CHANNEL_BINDING) on libevent's evhttp.
 *
 * A REQUEST channel keeps one evhttp_connection (kept alive, reopened by
 * evhttp when the server closed it) and at most one request in flight: a
 * send completes when the response headers arrive, the next receive reads
 * that response's body.  A REPLY listener shares one evhttp server per
 * port with the other listeners on it; each complete request goes to one
 * waiting accept (or a bounded queue), and the accepted channel holds that
 * request only: one receive gets it, the next gets WS_S_END, the reply
 * (or the 202 of a close) is its response.
 *
 * evhttp may call us from deep inside its own frames, and an upcall may
 * end in our abort, so nothing that evhttp owns is freed inside abort:
 * abort detaches the record and activates its "reap" event, allocated
 * with the record, which frees the connection from the loop later.
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

#define HTTP_INFINITE		0xffffffffull
/* Requests waiting for an accept, per listener (bindings.md). */
#define HTTP_QUEUE_MAX		64
/* What the daemon reads of one request before any channel takes it; each
 * channel then applies its own MAX_BUFFERED_MESSAGE_SIZE (413). */
#define HTTP_SERVER_BODY_MAX	(4u * 1024 * 1024)
#define HTTP_HEADERS_MAX	65536
#define HTTP_USER_AGENT		"MS-WebServices/1.0"
/* DISALLOWED_USER_AGENT's default (MS); the property is not settable. */
#define HTTP_DISALLOWED_AGENT	"Mozilla"

/* ---- shared helpers ------------------------------------------------------- */

static struct event *
http_reap_event(void (*cb)(evutil_socket_t, short, void *), void *arg)
{
	return event_new(registry_base(), -1, 0, cb, arg);
}

/* The fd of an evhttp connection, or -1. */
static evutil_socket_t
http_evcon_fd(struct evhttp_connection *evcon)
{
	struct bufferevent *bev;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return -1;
	return bufferevent_getfd(bev);
}

/* Makes the next close of the connection a RST: the outcome of what was
 * in flight is unknown to the peer (bindings.md, abort). */
static void
http_evcon_linger0(struct evhttp_connection *evcon)
{
	struct linger lg = { 1, 0 };
	evutil_socket_t fd = http_evcon_fd(evcon);

	if (fd != -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void
http_timer_arm(struct event **ev, uint64_t ms,
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

static void
http_timer_stop(struct event **ev)
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
static int
http_media_type(const char *ct, uint32_t *encoding, uint32_t *envelope)
{
	size_t n;
	const char *cs;

	if (ct == NULL)
		return -1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	/* UTF-16 bodies are not spoken (yet): refused like any other. */
	if ((cs = strcasestr(ct, "charset=")) != NULL &&
	    strncasecmp(cs + 8, "utf-8", 5) != 0 &&
	    strncasecmp(cs + 8, "\"utf-8\"", 7) != 0)
		return -1;
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
	return 0;
}

/* The action of a request from its HTTP headers: SOAP 1.2's action
 * parameter or SOAP 1.1's SOAPAction, unquoted; malloc'd or NULL. */
static char *
http_header_action(struct evkeyvalq *hdrs, uint32_t envelope)
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
		n = strcspn(v, "; \t");
	return n > 0 ? strndup(v, n) : NULL;
}

/* Decodes a body of `encoding` into `env` (zeroed): S_OK or the HRESULT. */
static int32_t
http_decode(uint32_t encoding, uint32_t envelope, const uint8_t *body,
    size_t len, struct envelope *env, const char **why)
{
	struct encoding *enc;
	int32_t hr;

	if (encoding_new(encoding, envelope, 0, &enc) != 0) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	*why = "the body is not a SOAP envelope";
	hr = encoding_decode(enc, body, len, env, why);
	encoding_free(enc);
	return hr;
}

/* Encodes `msg` with the channel's encoding; S_OK with *out, *len. */
static int32_t
http_encode(struct channel *ch, const struct envelope *msg, uint32_t encoding,
    uint8_t **out, size_t *len, const char **why)
{
	struct encoding *enc;
	uint8_t *table = NULL;
	size_t table_len = 0;
	int32_t hr;

	if (encoding_new(encoding, (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), 0, &enc) != 0) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	hr = encoding_encode(enc, msg, &table, &table_len, out, len, why);
	encoding_free(enc);
	free(table);
	if (hr == S_OK && *len > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE)) {
		free(*out);
		*out = NULL;
		*why = "message larger than MAX_BUFFERED_MESSAGE_SIZE";
		return WS_E_QUOTA_EXCEEDED;
	}
	return hr;
}

/* The Content-Type we send for `encoding`, with the action where SOAP
 * 1.2 text carries it (bindings.md). */
static void
http_content_type(char *buf, size_t len, uint32_t encoding, uint32_t envelope,
    const char *action)
{
	const char *base = encoding_content_type(encoding, envelope);

	if (base == NULL)
		base = "application/soap+xml; charset=utf-8";
	if (encoding == WS_ENCODING_XML_UTF8 &&
	    envelope == WS_ENVELOPE_VERSION_SOAP_1_2 && action != NULL)
		snprintf(buf, len, "%s; action=\"%s\"", base, action);
	else
		snprintf(buf, len, "%s", base);
}

static int32_t
http_check(struct channel *ch, const char **why)
{
	uint32_t enc = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING);
	uint32_t env = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION);

	if (enc != WS_ENCODING_XML_UTF8 && enc != WS_ENCODING_XML_BINARY_1) {
		*why = "this build speaks UTF-8 text and binary XML over HTTP, "
		    "not UTF-16";
		return WS_E_NOT_SUPPORTED;
	}
	if (enc == WS_ENCODING_XML_BINARY_1 &&
	    env != WS_ENVELOPE_VERSION_SOAP_1_2) {
		*why = "application/soap+msbin1 carries SOAP 1.2 only";
		return WS_E_NOT_SUPPORTED;
	}
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_TRANSFER_MODE) != 0) {
		*why = "streamed transfer is not supported yet";
		return WS_E_NOT_SUPPORTED;
	}
	return S_OK;
}

/* ---- REQUEST channels (client) --------------------------------------------- */

enum http_phase {
	HC_IDLE,		/* no request outstanding */
	HC_RESOLVING,		/* the first request waits for the host's address */
	HC_WAIT_HEADERS,	/* request made, no response status yet */
	HC_BODY,		/* status and headers in: the send completed */
	HC_READY,		/* response complete, not yet received */
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
	bool			 close_after;	/* idle close: FIN then closed */
};

static void	http_client_start(struct http_client *);

static void
http_client_clear_response(struct http_client *hc)
{
	free(hc->body);
	free(hc->resp_ct);
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
	event_free(hc->reap);
	free(hc);
}

/* Frees everything but what evhttp may still be using (reaped later). */
static void
http_client_release(struct http_client *hc, bool reset)
{
	if (hc->dns_req != NULL) {
		evdns_getaddrinfo_cancel(hc->dns_req);
		hc->dns_req = NULL;
	}
	http_timer_stop(&hc->dns_timer);
	http_timer_stop(&hc->connect_timer);
	http_timer_stop(&hc->response_timer);
	if (hc->pend_body != NULL)
		evbuffer_free(hc->pend_body);
	hc->pend_body = NULL;
	free(hc->pend_ct);
	free(hc->pend_action);
	free(hc->uri);
	hc->pend_ct = hc->pend_action = hc->uri = NULL;
	http_client_clear_response(hc);
	/* Callbacks until the reap see no channel and do nothing. */
	hc->ch = NULL;
	if (reset && hc->evcon != NULL && hc->phase != HC_IDLE &&
	    hc->phase != HC_READY)
		http_evcon_linger0(hc->evcon);
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

/* A failure of the request in flight: the channel faults (bindings.md,
 * response mapping). */
static void
http_client_fail(struct http_client *hc, int32_t hr, const char *why)
{
	struct channel *ch = hc->ch;

	if (ch == NULL)
		return;
	if (hc->in_send) {
		hc->send_hr = hr;
		return;
	}
	channel_transport_fault(ch, hr, why);
}

/* Hands the complete response to the waiting receive, if one waits. */
static void
http_client_deliver(struct http_client *hc)
{
	struct channel *ch = hc->ch;
	struct envelope env;
	uint32_t enc, envv;
	const char *why;
	int32_t hr;

	if (ch == NULL || hc->phase != HC_READY ||
	    !channel_transport_receiving(ch))
		return;
	if (hc->body_len == 0) {
		channel_transport_fault(ch, WS_E_INVALID_FORMAT,
		    "the response has no envelope (a one-way 202 or an empty "
		    "200/204)");
		return;
	}
	if (http_media_type(hc->resp_ct, &enc, &envv) != 0) {
		channel_transport_fault(ch, hc->status == 500 ?
		    WS_E_ENDPOINT_FAILURE : WS_E_INVALID_FORMAT,
		    "the response's Content-Type is not a SOAP media type");
		return;
	}
	memset(&env, 0, sizeof(env));
	if ((hr = http_decode(enc, envv, hc->body, hc->body_len, &env,
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
	http_timer_stop(&hc->response_timer);
	http_timer_stop(&hc->connect_timer);
	hc->status = status;
	if ((status < 200 || status > 299) && status != 500) {
		log_info("channel %llu: HTTP %d from the server",
		    (unsigned long long)channel_id(ch), status);
		hc->phase = HC_IDLE;
		hc->req = NULL;
		channel_transport_fault(ch, http_client_status_hr(status),
		    "the server answered with an HTTP error status");
		/* Our record lives until the reap; evhttp closes. */
		return -1;
	}
	hc->phase = HC_BODY;
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
	http_timer_stop(&hc->response_timer);
	http_timer_stop(&hc->connect_timer);
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		hc->phase = HC_IDLE;
		if (hc->err == EVREQ_HTTP_DATA_TOO_LONG)
			channel_transport_fault(ch, WS_E_QUOTA_EXCEEDED,
			    "response larger than MAX_BUFFERED_MESSAGE_SIZE");
		else if (hc->err == EVREQ_HTTP_TIMEOUT)
			channel_transport_fault(ch, WS_E_OPERATION_TIMED_OUT,
			    "the HTTP exchange timed out");
		else if (req != NULL && hc->err == -1)
			/* evhttp ends a failed connect this way, without
			 * its error callback. */
			channel_transport_fault(ch, WS_E_ENDPOINT_UNREACHABLE,
			    "cannot connect to the server");
		else if (hc->status == 0 && (hc->sock_err == ECONNREFUSED ||
		    hc->sock_err == EHOSTUNREACH || hc->sock_err == ENETUNREACH))
			channel_transport_fault(ch, WS_E_ENDPOINT_UNREACHABLE,
			    "cannot connect to the server");
		else
			channel_transport_fault(ch, WS_E_ENDPOINT_DISCONNECTED,
			    "the connection ended before the response");
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	n = evbuffer_get_length(in);
	if (n > 0 && (hc->body = malloc(n)) == NULL) {
		channel_transport_fault(ch, E_OUTOFMEMORY, "out of memory");
		return;
	}
	if (n > 0)
		evbuffer_remove(in, hc->body, n);
	hc->body_len = n;
	ct = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	hc->resp_ct = ct != NULL ? strdup(ct) : NULL;
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
	fd = http_evcon_fd(hc->evcon);
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
		    (ev_ssize_t)channel_prop_value(ch,
		    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE));
	}
	if ((req = evhttp_request_new(http_client_done_cb, hc)) == NULL) {
		http_client_fail(hc, E_OUTOFMEMORY, "out of memory");
		return;
	}
	evhttp_request_set_header_cb(req, http_client_header_cb);
	evhttp_request_set_error_cb(req, http_client_error_cb);
	h = evhttp_request_get_output_headers(req);
	snprintf(len, sizeof(len), "%zu", evbuffer_get_length(hc->pend_body));
	evhttp_add_header(h, "Host", hc->host_hdr);
	evhttp_add_header(h, "User-Agent", HTTP_USER_AGENT);
	evhttp_add_header(h, "Content-Type", hc->pend_ct);
	evhttp_add_header(h, "Content-Length", len);
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION) ==
	    WS_ENVELOPE_VERSION_SOAP_1_1) {
		snprintf(quoted, sizeof(quoted), "\"%s\"",
		    hc->pend_action != NULL ? hc->pend_action : "");
		evhttp_add_header(h, "SOAPAction", quoted);
	}
	evbuffer_add_buffer(evhttp_request_get_output_buffer(req),
	    hc->pend_body);
	http_client_clear_response(hc);
	hc->phase = HC_WAIT_HEADERS;
	hc->req = req;
	if (evhttp_make_request(hc->evcon, req, EVHTTP_REQ_POST,
	    hc->uri) != 0) {
		hc->req = NULL;
		hc->phase = HC_IDLE;
		http_client_fail(hc, WS_E_ENDPOINT_UNREACHABLE,
		    "cannot start the HTTP request");
		return;
	}
	fd = http_evcon_fd(hc->evcon);
	connected = fd != -1 &&
	    getpeername(fd, (struct sockaddr *)&ss, &sslen) == 0;
	if (!connected)
		http_timer_arm(&hc->connect_timer, channel_timeout(ch,
		    WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT),
		    http_client_connect_timeout_cb, hc);
	http_timer_arm(&hc->response_timer, channel_timeout(ch,
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
	http_timer_stop(&hc->dns_timer);
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
	http_timer_arm(&hc->dns_timer, channel_timeout(hc->ch,
	    WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT),
	    http_client_resolve_timeout_cb, hc);
}

/* WsOpenChannel: the URL only; nothing on the wire (Win, bindings.md). */
static int32_t
http_open(struct channel *ch, const struct url *u)
{
	struct http_client *hc;
	const char *s = channel_url(ch), *p;
	bool v6 = strchr(u->host, ':') != NULL;

	if ((hc = calloc(1, sizeof(*hc))) == NULL)
		return E_OUTOFMEMORY;
	hc->ch = ch;
	hc->u = *u;
	hc->err = -1;
	if ((hc->reap = http_reap_event(http_client_reap_cb, hc)) == NULL) {
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

static int32_t
http_client_send(struct http_client *hc, const struct envelope *msg,
    const char **why)
{
	struct channel *ch = hc->ch;
	uint32_t enc = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING);
	uint8_t *doc = NULL;
	size_t len = 0;
	char ct[1200];
	int32_t hr;

	if (hc->phase == HC_READY) {
		/* A response nobody read is discarded (bindings.md). */
		http_client_clear_response(hc);
		hc->phase = HC_IDLE;
	}
	if (hc->phase != HC_IDLE) {
		*why = "a request is outstanding: receive its response first";
		return WS_E_INVALID_OPERATION;
	}
	if ((hr = http_encode(ch, msg, enc, &doc, &len, why)) != S_OK)
		return hr;
	http_content_type(ct, sizeof(ct), enc, (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), msg->action);
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

static int32_t
http_client_receive_check(struct http_client *hc, const char **why)
{
	if (hc->phase == HC_IDLE) {
		*why = "no request is outstanding: send one first";
		return WS_E_INVALID_OPERATION;
	}
	return S_OK;
}

static void
http_client_close(struct http_client *hc)
{
	struct channel *ch = hc->ch;

	/* Idle: FIN on the kept-alive connection; in flight: RST. */
	channel_set_tp(ch, NULL);
	http_client_release(hc, true);
	channel_transport_closed(ch);
}

/* ---- REPLY listeners and channels (server) --------------------------------- */

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
	bool			 req_owned;	/* detached from its connection */
	bool			 delivered;	/* the receive got it */
	bool			 replied;	/* a response was queued */
	bool			 complete;	/* ... and fully written */
	bool			 closing;	/* the 202 of a close */
	uint32_t		 encoding, envelope;
	char			*action;
	char			*url;
	char			 peer[80];
	uint8_t			*body;
	size_t			 body_len;
	struct envelope		 env;		/* decoded when assigned */
};

TAILQ_HEAD(http_sreq_list, http_sreq);

struct http_listener {
	TAILQ_ENTRY(http_listener) entry;
	struct listener		*ls;
	struct http_server	*srv;
	char			 path[1024];	/* without a trailing '/' */
	struct http_sreq_list	 queue;
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

static void
http_sreq_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_sreq *sr = arg;
	struct http_server *srv = sr->srv;

	if (sr->req != NULL && sr->req_owned)
		evhttp_request_free(sr->req);
	else if (sr->evcon != NULL && !sr->complete) {
		/* Abort with the response unfinished: RST, no status. */
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
		http_evcon_linger0(sr->evcon);
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
static void
http_sreq_release(struct http_sreq *sr)
{
	sr->ch = NULL;
	event_active(sr->reap, EV_TIMEOUT, 0);
}

/* A status without envelope for a request no channel will answer. */
static void
http_sreq_reject(struct http_sreq *sr, int code, const char *reason)
{
	if (sr->req != NULL && sr->evcon != NULL && !sr->replied) {
		sr->replied = sr->complete = true;
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
		if (code == 503)
			evhttp_add_header(evhttp_request_get_output_headers(
			    sr->req), "Retry-After", "1");
		evhttp_send_error(sr->req, code, reason);
		sr->req = NULL;
		sr->evcon = NULL;
	}
	http_sreq_release(sr);
}

/* The client's connection went away. */
static void
http_sreq_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_sreq *sr = arg;
	struct channel *ch = sr->ch;

	sr->evcon = NULL;
	if (sr->req != NULL && !sr->complete &&
	    evhttp_request_get_connection(sr->req) == NULL)
		sr->req_owned = true;	/* evhttp let go of it: ours */
	else
		sr->req = NULL;		/* freed with the connection */
	if (sr->hl != NULL) {
		/* Still queued: nobody will know it existed. */
		TAILQ_REMOVE(&sr->hl->queue, sr, entry);
		sr->hl->queued--;
		sr->hl = NULL;
		http_sreq_release(sr);
		return;
	}
	if (ch != NULL && !sr->complete)
		channel_transport_fault(ch, WS_E_ENDPOINT_DISCONNECTED,
		    "the HTTP client closed its connection before the "
		    "response");
}

/* The response has been written whole. */
static void
http_sreq_complete_cb(struct evhttp_request *req, void *arg)
{
	struct http_sreq *sr = arg;
	struct channel *ch = sr->ch;

	sr->complete = true;
	sr->req = NULL;
	if (sr->evcon != NULL)
		evhttp_connection_set_closecb(sr->evcon, NULL, NULL);
	/* The kept-alive connection is the listener's again. */
	sr->evcon = NULL;
	if (ch == NULL)
		return;
	if (sr->closing) {
		channel_set_tp(ch, NULL);
		http_sreq_release(sr);
		channel_transport_closed(ch);
		return;
	}
	channel_transport_sent(ch);
}

/* Writes the response: status, media type of the request, body. */
static int32_t
http_sreq_respond(struct http_sreq *sr, int code, const char *reason,
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
		http_content_type(ct, sizeof(ct), sr->encoding, sr->envelope,
		    action);
		evhttp_add_header(h, "Content-Type", ct);
	}
	snprintf(n, sizeof(n), "%zu", len);
	evhttp_add_header(h, "Content-Length", n);
	sr->replied = true;
	evhttp_request_set_on_complete_cb(sr->req, http_sreq_complete_cb, sr);
	evhttp_send_reply(sr->req, code, reason, buf);
	evbuffer_free(buf);
	return S_OK;
}

static int32_t
http_reply_send(struct http_sreq *sr, const struct envelope *msg,
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
	if ((hr = http_encode(ch, msg, sr->encoding, &doc, &len, why)) != S_OK)
		return hr;
	/* A fault goes out as 500 (SOAP-HTTP; gSOAP, vectors E2/E4). */
	hr = http_sreq_respond(sr, msg->is_fault ? 500 : 200,
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

static void
http_reply_want_receive(struct http_sreq *sr)
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

static void
http_reply_close(struct http_sreq *sr)
{
	struct channel *ch = sr->ch;

	if (!sr->replied && sr->req != NULL && sr->evcon != NULL) {
		/* No reply: the one-way answer, drained in CLOSING. */
		sr->closing = true;
		if (http_sreq_respond(sr, 202, "Accepted", NULL, 0,
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
	http_sreq_release(sr);
	channel_transport_closed(ch);
}

/* Does `path` fall under the listener's path, segment by segment? */
static size_t
http_path_match(const char *lpath, const char *path)
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
static void	http_listener_dispatch(struct http_listener *);

/*
 * Gives `sr` to the oldest waiting accept of its listener: the channel
 * takes its URL, encoding and envelope version and becomes OPEN.  A
 * request this channel cannot take is answered here and the accept waits
 * for the next one.  False when no accept waits.
 */
static bool
http_sreq_assign(struct http_listener *hl, struct http_sreq *sr)
{
	struct channel *ch;
	const char *why;
	int32_t hr;

	if ((ch = listener_transport_incoming(hl->ls, sr)) == NULL)
		return false;
	sr->ch = ch;
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION) !=
	    sr->envelope) {
		http_sreq_reject(sr, 415, "Unsupported Media Type");
		goto requeue;
	}
	if (sr->body_len > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE)) {
		http_sreq_reject(sr, 413, "Payload Too Large");
		goto requeue;
	}
	/* Not an envelope: the application never sees it. */
	if ((hr = http_decode(sr->encoding, sr->envelope, sr->body,
	    sr->body_len, &sr->env, &why)) != S_OK) {
		log_info("listener %llu: request from %s refused: %s",
		    (unsigned long long)listener_id(hl->ls), sr->peer, why);
		http_sreq_reject(sr, hr == E_OUTOFMEMORY ? 503 : 400,
		    hr == E_OUTOFMEMORY ? "Service Unavailable" :
		    "Bad Request");
		goto requeue;
	}
	/* Without addressing the action is the transport's. */
	if (sr->env.action == NULL && sr->action != NULL &&
	    (sr->env.action = strdup(sr->action)) == NULL) {
		http_sreq_reject(sr, 503, "Service Unavailable");
		goto requeue;
	}
	if ((hr = channel_transport_adopt(ch, sr->url, sr->encoding,
	    sr->envelope)) != S_OK) {
		http_sreq_reject(sr, hr == E_OUTOFMEMORY ? 503 : 415,
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
http_listener_dispatch(struct http_listener *hl)
{
	struct http_sreq *sr;

	while ((sr = TAILQ_FIRST(&hl->queue)) != NULL &&
	    listener_transport_waiting(hl->ls) > 0) {
		TAILQ_REMOVE(&hl->queue, sr, entry);
		hl->queued--;
		sr->hl = NULL;
		(void)http_sreq_assign(hl, sr);
	}
}

static struct http_listener *
http_server_route(struct http_server *srv, const char *path)
{
	struct http_listener *hl, *best = NULL;
	size_t n, best_n = 0;

	TAILQ_FOREACH(hl, &srv->listeners, entry)
		if ((n = http_path_match(hl->path, path)) > best_n) {
			best = hl;
			best_n = n;
		}
	return best;
}

static void
http_peer_string(struct evhttp_connection *evcon, char *buf, size_t len)
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
	    (sr->reap = http_reap_event(http_sreq_reap_cb, sr)) == NULL) {
		free(sr);
		evhttp_send_error(req, 503, "Service Unavailable");
		return;
	}
	sr->srv = srv;
	srv->refs++;
	sr->req = req;
	sr->evcon = evhttp_request_get_connection(req);
	if (http_media_type(evhttp_find_header(in, "Content-Type"),
	    &sr->encoding, &sr->envelope) != 0) {
		http_sreq_reject(sr, 415, "Unsupported Media Type");
		return;
	}
	body = evhttp_request_get_input_buffer(req);
	n = evbuffer_get_length(body);
	host = evhttp_find_header(in, "Host");
	if (asprintf(&sr->url, "http://%s%s", host != NULL ? host : "localhost",
	    evhttp_request_get_uri(req)) == -1) {
		sr->url = NULL;
		http_sreq_reject(sr, 503, "Service Unavailable");
		return;
	}
	if (n == 0 || (sr->body = malloc(n)) == NULL) {
		http_sreq_reject(sr, n == 0 ? 400 : 503, n == 0 ?
		    "Bad Request" : "Service Unavailable");
		return;
	}
	evbuffer_remove(body, sr->body, n);
	sr->body_len = n;
	sr->action = http_header_action(in, sr->envelope);
	http_peer_string(sr->evcon, sr->peer, sizeof(sr->peer));
	evhttp_connection_set_closecb(sr->evcon, http_sreq_close_cb, sr);
	if (http_sreq_assign(hl, sr))
		return;
	if (hl->queued >= HTTP_QUEUE_MAX) {
		log_info("listener %llu: %u requests wait for an accept; "
		    "answering 503", (unsigned long long)listener_id(hl->ls),
		    hl->queued);
		http_sreq_reject(sr, 503, "Service Unavailable");
		return;
	}
	sr->hl = hl;
	TAILQ_INSERT_TAIL(&hl->queue, sr, entry);
	hl->queued++;
}

static struct http_server *
http_server_get(const struct url *u, uint64_t read_ms, int32_t *hr,
    const char **why)
{
	struct http_server *srv;
	const char *addr = u->host;
	struct timeval tv;

	TAILQ_FOREACH(srv, &http_servers, entry)
		if (srv->port == u->port)
			return srv;
	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->http = evhttp_new(registry_base())) == NULL) {
		free(srv);
		*hr = E_OUTOFMEMORY;
		*why = "out of memory";
		return NULL;
	}
	TAILQ_INIT(&srv->listeners);
	srv->port = u->port;
	if (strcmp(addr, "+") == 0 || strcmp(addr, "*") == 0)
		addr = "::";
	if ((srv->bound = evhttp_bind_socket_with_handle(srv->http, addr,
	    u->port)) == NULL && strcmp(addr, "::") == 0)
		srv->bound = evhttp_bind_socket_with_handle(srv->http,
		    "0.0.0.0", u->port);
	if (srv->bound == NULL) {
		*hr = errno == EADDRINUSE ? WS_E_ADDRESS_IN_USE :
		    WS_E_ADDRESS_NOT_AVAILABLE;
		*why = errno == EADDRINUSE ? "the address is already in use" :
		    "cannot listen on that address";
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

static int32_t
http_listen(struct listener *ls, const struct url *u, const char **why)
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

static void
http_accept(struct listener *ls)
{
	struct http_listener *hl = listener_tp(ls);

	if (hl != NULL)
		http_listener_dispatch(hl);
}

/* Close and abort: queued requests were never handed over: 503. */
static void
http_unlisten(struct listener *ls)
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
		http_sreq_reject(sr, 503, "Service Unavailable");
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

/* ---- the ops: REQUEST or REPLY by the record the channel holds ----------- */

/* Client records start with a channel pointer too; tell them apart by
 * the channel's type. */
static bool
http_is_reply(struct channel *ch)
{
	return channel_prop_value(ch, WS_CHANNEL_PROPERTY_CHANNEL_TYPE) ==
	    WS_CHANNEL_TYPE_REPLY;
}

static int32_t
http_send(struct channel *ch, const struct envelope *msg, const char **why)
{
	void *tp = channel_tp(ch);

	if (tp == NULL) {
		*why = "the channel is not open";
		return WS_E_INVALID_OPERATION;
	}
	return http_is_reply(ch) ? http_reply_send(tp, msg, why) :
	    http_client_send(tp, msg, why);
}

static int32_t
http_receive_check(struct channel *ch, const char **why)
{
	void *tp = channel_tp(ch);

	if (tp == NULL || http_is_reply(ch))
		return S_OK;
	return http_client_receive_check(tp, why);
}

static void
http_want_receive(struct channel *ch)
{
	void *tp = channel_tp(ch);

	if (tp == NULL)
		return;
	if (http_is_reply(ch))
		http_reply_want_receive(tp);
	else
		http_client_deliver(tp);
}

static int32_t
http_shutdown(struct channel *ch)
{
	return WS_E_INVALID_OPERATION;
}

static void
http_close(struct channel *ch, bool send_end)
{
	void *tp = channel_tp(ch);

	if (tp == NULL)
		channel_transport_closed(ch);
	else if (http_is_reply(ch))
		http_reply_close(tp);
	else
		http_client_close(tp);
}

static void
http_abort(struct channel *ch)
{
	void *tp = channel_tp(ch);

	if (tp == NULL)
		return;
	channel_set_tp(ch, NULL);
	if (http_is_reply(ch))
		http_sreq_release(tp);
	else
		http_client_release(tp, true);
}

const struct transport_ops transport_http_ops = {
	.check = http_check,
	.open = http_open,
	.send = http_send,
	.receive_check = http_receive_check,
	.want_receive = http_want_receive,
	.shutdown = http_shutdown,
	.close = http_close,
	.abort = http_abort,
	.listener_open = http_listen,
	.listener_accept = http_accept,
	.listener_close = http_unlisten,
	.listener_abort = http_unlisten,
};
