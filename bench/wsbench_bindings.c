/*
 * wsbench's rows over soap.udp and HTTP, each beside a bare floor in the
 * same run: a datagram echo, and an evhttp POST echo on a kept-alive
 * connection.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tests/harness.h"
#include "wsbench.h"

/* -- soap.udp round trip -- */

struct udp_ctx {
	int			 s, c;		/* the bare echo and its client */
	struct sockaddr_in	 a;		/* where the echo listens */
	pthread_t		 echo, replier;
	WS_LISTENER		*l;
	WS_CHANNEL		*ch;
	struct harness_msg	 out, in;
	struct samples		 smp;
};

static void *
udp_bare_echo(void *arg)
{
	struct udp_ctx *u = arg;
	struct sockaddr_in6 from;
	socklen_t fl;
	char buf[MSG_SIZE];
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		if ((n = recvfrom(u->s, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl)) <= 0 || buf[0] == 'q')
			break;
		(void)sendto(u->s, buf, (size_t)n, 0,
		    (struct sockaddr *)&from, fl);
	}
	return NULL;
}

/* The UDP server loop of the MS samples: accept one datagram, read it,
 * answer it, close, reset; until the listener is aborted. */
static void *
udp_replier(void *arg)
{
	WS_LISTENER *l = arg;
	struct harness_msg in = { 0 }, out = { 0 };
	WS_CHANNEL *s = NULL;

	if (FAILED(WsCreateChannelForListener(l, NULL, 0, &s, NULL)))
		return NULL;
	while (SUCCEEDED(WsAcceptChannel(l, s, NULL, NULL)) &&
	    SUCCEEDED(harness_receive(s, &in, HARNESS_BODY_TEXT, NULL)) &&
	    SUCCEEDED(harness_send_text(s, &out, MSG_SIZE, NULL)) &&
	    SUCCEEDED(WsCloseChannel(s, NULL, NULL)) &&
	    SUCCEEDED(WsResetChannel(s, NULL)))
		;
	harness_msg_free(&in);
	harness_msg_free(&out);
	WsFreeChannel(s);
	return NULL;
}

/* Floor: a MSG_SIZE datagram to an echoing socket on 127.0.0.1 and back. */
static double
udp_floor_block(void *arg)
{
	struct udp_ctx *u = arg;
	char buf[MSG_SIZE];
	uint64_t start = now_ns(), t;

	memset(buf, 'x', sizeof(buf));
	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (sendto(u->c, buf, sizeof(buf), 0,
		    (struct sockaddr *)&u->a, sizeof(u->a)) < 0 ||
		    recv(u->c, buf, sizeof(buf), 0) <= 0)
			return -1;
		samples_add(&u->smp, now_ns() - t);
	}
	return samples_block(&u->smp);
}

/* A MSG_SIZE-character message from a soap.udp channel to a listener of
 * the same daemon, and the listener's answer back. */
static double
udp_value_block(void *arg)
{
	struct udp_ctx *u = arg;
	uint64_t start = now_ns(), t;

	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (FAILED(harness_send_text(u->ch, &u->out, MSG_SIZE, NULL)) ||
		    FAILED(harness_receive(u->ch, &u->in, HARNESS_BODY_TEXT,
		    NULL)))
			return -1;
		samples_add(&u->smp, now_ns() - t);
	}
	return samples_block(&u->smp);
}

int
row_udp(struct row *r)
{
	struct udp_ctx u;
	socklen_t al = sizeof(u.a);
	char url[96], q = 'q';
	WS_STRING s;
	uint16_t port;
	int rc = -1, echo = 0, replier = 0;

	memset(&u, 0, sizeof(u));
	u.a.sin_family = AF_INET;
	u.a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	u.s = socket(AF_INET, SOCK_DGRAM, 0);
	u.c = socket(AF_INET, SOCK_DGRAM, 0);
	if (u.s < 0 || u.c < 0 ||
	    bind(u.s, (struct sockaddr *)&u.a, sizeof(u.a)) != 0 ||
	    getsockname(u.s, (struct sockaddr *)&u.a, &al) != 0)
		goto out;
	echo = pthread_create(&u.echo, NULL, udp_bare_echo, &u) == 0;
	if (!echo || harness_free_port(&port) != 0 ||
	    FAILED(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, NULL, 0, NULL, &u.l, NULL)) ||
	    FAILED(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, NULL, 0, NULL, &u.ch, NULL)))
		goto out;
	snprintf(url, sizeof(url), "soap.udp://127.0.0.1:%u/bench", port);
	s = harness_ws_string(url);
	if (FAILED(WsOpenListener(u.l, &s, NULL, NULL)) ||
	    FAILED(harness_open_url(u.ch, url, NULL, NULL))) {
		free(s.chars);
		goto out;
	}
	free(s.chars);
	replier = pthread_create(&u.replier, NULL, udp_replier, u.l) == 0;
	if (replier)
		rc = interleave(udp_floor_block, udp_value_block, &u,
		    &r->floor, &r->value);
out:
	if (replier) {
		WsAbortListener(u.l, NULL);	/* ends the replier's accept */
		pthread_join(u.replier, NULL);
	}
	if (echo) {
		(void)sendto(u.c, &q, 1, 0, (struct sockaddr *)&u.a,
		    sizeof(u.a));
		pthread_join(u.echo, NULL);
	}
	if (u.ch != NULL)
		WsFreeChannel(u.ch);
	if (u.l != NULL)
		WsFreeListener(u.l);
	if (u.s >= 0)
		close(u.s);
	if (u.c >= 0)
		close(u.c);
	harness_msg_free(&u.out);
	harness_msg_free(&u.in);
	free(u.smp.v);
	return rc;
}

/* -- HTTP request/reply -- */

#define HX(s) { sizeof(s) - 1, (BYTE *)(s), NULL, 0 }
static WS_XML_STRING hb_elem = HX("text");
static WS_XML_STRING hb_ns = HX("urn:wsbench");
static WS_XML_STRING hb_act = HX("urn:wsbench/Echo");
static WS_ELEMENT_DESCRIPTION hb_text = { &hb_elem, &hb_ns, WS_WSZ_TYPE,
    NULL };
static WS_MESSAGE_DESCRIPTION hb_desc = { &hb_act, &hb_text };

struct http_ctx {
	/* Through the daemon: a REQUEST channel to a REPLY listener. */
	WS_LISTENER		*l;
	WS_CHANNEL		*ch;
	WS_MESSAGE		*rq, *rp;
	WS_HEAP			*heap;
	WCHAR			 body[MSG_SIZE + 1];
	pthread_t		 replier;
	bool			 replier_running;
	volatile int		 stop;
	/* The floor: a bare evhttp server and client, each on its loop. */
	struct event_base	*sb, *cb;
	struct evhttp		*http;
	struct evhttp_connection *evcon;
	pthread_t		 server;
	bool			 server_running;
	volatile int		 server_stop;
	int			 ok;
	struct samples		 smp;
};

/* The REPLY side, as the MS sample: accept, receive, reply, close, reset,
 * for each request, until the listener is aborted. */
static void *
http_replier(void *arg)
{
	struct http_ctx *h = arg;
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &hb_desc };
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	WCHAR *text;

	if (FAILED(WsCreateChannelForListener(h->l, NULL, 0, &ch, NULL)) ||
	    FAILED(WsCreateMessageForChannel(ch, NULL, 0, &rq, NULL)) ||
	    FAILED(WsCreateMessageForChannel(ch, NULL, 0, &rp, NULL)) ||
	    FAILED(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL)))
		goto out;
	while (!h->stop && SUCCEEDED(WsAcceptChannel(h->l, ch, NULL, NULL))) {
		if (FAILED(WsReceiveMessage(ch, rq, descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_POINTER, heap,
		    &text, sizeof(text), NULL, NULL, NULL)) ||
		    FAILED(WsSendReplyMessage(ch, rp, &hb_desc,
		    WS_WRITE_REQUIRED_POINTER, &text, sizeof(text), rq, NULL,
		    NULL)) || FAILED(WsCloseChannel(ch, NULL, NULL)))
			break;
		WsResetMessage(rq, NULL);
		WsResetMessage(rp, NULL);
		WsResetHeap(heap, NULL);
		WsResetChannel(ch, NULL);
	}
out:
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (ch != NULL)
		WsFreeChannel(ch);
	return NULL;
}

static void
http_echo_cb(struct evhttp_request *req, void *arg)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/soap+xml; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", evhttp_request_get_input_buffer(req));
}

/* The loops share no lock (libevent threading is off): the server's
 * checks for the end every 50 ms. */
static void
http_server_tick(evutil_socket_t fd, short what, void *arg)
{
	struct http_ctx *h = arg;

	if (h->server_stop)
		event_base_loopbreak(h->sb);
}

static void *
http_server_main(void *arg)
{
	struct http_ctx *h = arg;
	struct timeval tv = { 0, 50000 };
	struct event *tick;

	tick = event_new(h->sb, -1, EV_PERSIST, http_server_tick, h);
	if (tick != NULL)
		event_add(tick, &tv);
	event_base_dispatch(h->sb);
	if (tick != NULL)
		event_free(tick);
	return NULL;
}

static void
http_client_done(struct evhttp_request *req, void *arg)
{
	struct http_ctx *h = arg;

	h->ok = req != NULL && evhttp_request_get_response_code(req) == 200;
	event_base_loopbreak(h->cb);
}

/* Floor: a POST of about the daemon's envelope size to an evhttp server
 * that echoes it, on a kept-alive connection. */
static double
http_floor_block(void *arg)
{
	struct http_ctx *h = arg;
	struct evhttp_request *req;
	char body[MSG_SIZE * 3];
	uint64_t start = now_ns(), t;

	memset(body, 'a', sizeof(body));
	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		h->ok = 0;
		if ((req = evhttp_request_new(http_client_done, h)) == NULL)
			return -1;
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Host", "127.0.0.1");
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "application/soap+xml; charset=utf-8");
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    sizeof(body));
		if (evhttp_make_request(h->evcon, req, EVHTTP_REQ_POST,
		    "/bench") != 0)
			return -1;
		event_base_dispatch(h->cb);
		if (!h->ok)
			return -1;
		samples_add(&h->smp, now_ns() - t);
	}
	return samples_block(&h->smp);
}

/* WsRequestReply of a MSG_SIZE-character body: one POST, one accepted
 * REPLY channel per round trip, the connection kept alive. */
static double
http_value_block(void *arg)
{
	struct http_ctx *h = arg;
	WCHAR *in = h->body, *out;
	uint64_t start = now_ns(), t;

	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (FAILED(WsRequestReply(h->ch, h->rq, &hb_desc,
		    WS_WRITE_REQUIRED_POINTER, &in, sizeof(in), h->rp,
		    &hb_desc, WS_READ_REQUIRED_POINTER, h->heap, &out,
		    sizeof(out), NULL, NULL)))
			return -1;
		samples_add(&h->smp, now_ns() - t);
		WsResetMessage(h->rq, NULL);
		WsResetMessage(h->rp, NULL);
		WsResetHeap(h->heap, NULL);
	}
	return samples_block(&h->smp);
}

/* Sets up both sides of the HTTP row; 0 or -1. */
static int
http_setup(struct http_ctx *h)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char url[64];
	uint16_t port;
	WS_STRING s;
	HRESULT hr;
	size_t i;

	for (i = 0; i < MSG_SIZE; i++)
		h->body[i] = 'a' + i % 26;
	if ((h->sb = event_base_new()) == NULL ||
	    (h->cb = event_base_new()) == NULL ||
	    (h->http = evhttp_new(h->sb)) == NULL ||
	    (bs = evhttp_bind_socket_with_handle(h->http, "127.0.0.1", 0)) ==
	    NULL || getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &slen) != 0)
		return -1;
	evhttp_set_gencb(h->http, http_echo_cb, NULL);
	if ((h->evcon = evhttp_connection_base_new(h->cb, NULL, "127.0.0.1",
	    ntohs(sin.sin_port))) == NULL ||
	    pthread_create(&h->server, NULL, http_server_main, h) != 0)
		return -1;
	h->server_running = true;
	if (harness_free_port(&port) != 0 ||
	    FAILED(WsCreateListener(WS_CHANNEL_TYPE_REPLY,
	    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &h->l, NULL)))
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/bench", (unsigned)port);
	s = harness_ws_string(url);
	hr = WsOpenListener(h->l, &s, NULL, NULL);
	if (SUCCEEDED(hr))
		hr = WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
		    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &h->ch, NULL);
	if (SUCCEEDED(hr))
		hr = WsOpenChannel(h->ch, &(WS_ENDPOINT_ADDRESS){ .url = s },
		    NULL, NULL);
	free(s.chars);
	if (FAILED(hr) ||
	    FAILED(WsCreateMessageForChannel(h->ch, NULL, 0, &h->rq, NULL)) ||
	    FAILED(WsCreateMessageForChannel(h->ch, NULL, 0, &h->rp, NULL)) ||
	    FAILED(WsCreateHeap(1 << 20, 0, NULL, 0, &h->heap, NULL)) ||
	    pthread_create(&h->replier, NULL, http_replier, h) != 0)
		return -1;
	h->replier_running = true;
	return 0;
}

int
row_http(struct row *r)
{
	struct http_ctx h;
	int rc = -1;

	memset(&h, 0, sizeof(h));
	if (http_setup(&h) == 0)
		rc = interleave(http_floor_block, http_value_block, &h,
		    &r->floor, &r->value);
	if (h.replier_running) {
		h.stop = 1;
		WsAbortListener(h.l, NULL);	/* ends the replier's accept */
		pthread_join(h.replier, NULL);
	}
	if (h.rq != NULL)
		WsFreeMessage(h.rq);
	if (h.rp != NULL)
		WsFreeMessage(h.rp);
	if (h.heap != NULL)
		WsFreeHeap(h.heap);
	if (h.ch != NULL)
		WsFreeChannel(h.ch);
	if (h.l != NULL)
		WsFreeListener(h.l);
	if (h.evcon != NULL)
		evhttp_connection_free(h.evcon);
	if (h.server_running) {
		h.server_stop = 1;
		pthread_join(h.server, NULL);
	}
	if (h.http != NULL)
		evhttp_free(h.http);
	if (h.sb != NULL)
		event_base_free(h.sb);
	if (h.cb != NULL)
		event_base_free(h.cb);
	free(h.smp.v);
	return rc;
}
