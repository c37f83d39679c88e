/*
 * wsbench's rows over soap.udp and HTTP, each beside its floor in the
 * same run: the same hops with bare sockets (wsbench_relay.c), A -unix->
 * relay -udp or http-> relay -unix-> B and back.
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
	struct relay_floor	 rf;
	pthread_t		 replier;
	WS_LISTENER		*l;
	WS_CHANNEL		*ch;
	struct harness_msg	 out, in;
	struct samples		 smp;
};

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

/* Floor: MSG_SIZE bytes through the UDP relay to B and back. */
static double
udp_floor_block(void *arg)
{
	struct udp_ctx *u = arg;
	uint64_t start = now_ns(), t;

	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (relay_floor_round(&u->rf) != 0)
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
	char url[96];
	WS_STRING s;
	uint16_t port;
	int rc = -1, replier = 0;

	memset(&u, 0, sizeof(u));
	if (relay_floor_start(RELAY_UDP, &u.rf) != 0 ||
	    harness_free_port(&port) != 0 ||
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
	relay_floor_stop(&u.rf);
	if (u.ch != NULL)
		WsFreeChannel(u.ch);
	if (u.l != NULL)
		WsFreeListener(u.l);
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
	struct relay_floor	 rf;	/* the floor */
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

/* Floor: MSG_SIZE bytes through the HTTP relay to B and back. */
static double
http_floor_block(void *arg)
{
	struct http_ctx *h = arg;
	uint64_t start = now_ns(), t;

	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (relay_floor_round(&h->rf) != 0)
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
	char url[64];
	uint16_t port;
	WS_STRING s;
	HRESULT hr;
	size_t i;

	for (i = 0; i < MSG_SIZE; i++)
		h->body[i] = 'a' + i % 26;
	if (relay_floor_start(RELAY_HTTP, &h->rf) != 0 ||
	    harness_free_port(&port) != 0 ||
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
	relay_floor_stop(&h.rf);
	free(h.smp.v);
	return rc;
}
