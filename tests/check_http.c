/*
 * Integration suite: the HTTP binding (bindings.md, HTTP) through a
 * private wschanneld over loopback.  Client and server through the
 * daemon, raw HTTP peers written by hand for the cases a well-behaved
 * peer never produces, and the captures of vectors/http-capture.txt.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "check_http.h"



/* ---- client and server through the daemon ---------------------------------------- */

/* WsRequestReply to a listener of the same daemon, three times on one
 * channel: each request is one accept, one receive, one reply. */
START_TEST(request_reply_roundtrip)
{
	WS_LISTENER *l;
	WS_CHANNEL *c;
	struct srv s;
	uint16_t port;
	int32_t out = 0;
	int i;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	srv_start(&s, l, SRV_ECHO, 3);
	HR_EQ(request_channel(&c, port, "/svc", NULL, 0), S_OK);
	/* No connection yet: OPEN at once (Win). */
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	for (i = 0; i < 3; i++) {
		HR_EQ(ask(c, 40 + i, &out, NULL), S_OK);
		ck_assert_int_eq(out, 41 + i);
	}
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	ck_assert_int_eq(s.served, 3);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* WsSendMessage then WsReceiveMessage: the send completes with the
 * response headers, the receive reads its body; SOAP 1.1 too. */
START_TEST(send_then_receive_soap11)
{
	WS_CHANNEL_PROPERTY p;
	WS_ENVELOPE_VERSION ev = WS_ENVELOPE_VERSION_SOAP_1_1;
	WS_LISTENER *l;
	WS_CHANNEL *c;
	struct srv s;
	uint16_t port;
	int32_t out = 0;

	p.id = WS_CHANNEL_PROPERTY_ENVELOPE_VERSION;
	p.value = &ev;
	p.valueSize = sizeof(ev);
	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	/* The accepting channel must speak SOAP 1.1 too: 415 otherwise. */
	HR_EQ(request_channel(&c, port, "/svc", &p, 1), S_OK);
	{
		WS_CHANNEL *sc;
		WS_MESSAGE *rq, *rp;
		WS_HEAP *heap;
		int32_t v = 0, w;
		struct harness_async a;

		HR_EQ(WsCreateChannelForListener(l, &p, 1, &sc, NULL), S_OK);
		harness_async_init(&a);
		/* Completes with the response headers only. */
		HR_EQ(send_int(c, 7, &a.ctx), WS_S_ASYNC);
		HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
		HR_EQ(new_msg(sc, &rq), S_OK);
		HR_EQ(new_msg(sc, &rp), S_OK);
		HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
		HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &v, sizeof(v), NULL, NULL, NULL), S_OK);
		ck_assert_int_eq(v, 7);
		/* One request per accepted channel. */
		WsResetMessage(rq, NULL);
		HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1,
		    WS_RECEIVE_OPTIONAL_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &v, sizeof(v), NULL, NULL, NULL), WS_S_END);
		w = 8;
		(void)rp;
		{
			WS_MESSAGE *rq2;

			HR_EQ(new_msg(sc, &rq2), S_OK);
			HR_EQ(WsSendMessage(sc, rp, &rep_desc,
			    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), NULL, NULL),
			    S_OK);
			/* A second reply: refused. */
			HR_EQ(WsSendMessage(sc, rq2, &rep_desc,
			    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), NULL, NULL),
			    WS_E_INVALID_OPERATION);
			WsFreeMessage(rq2);
		}
		ASYNC_EQ(&a, WS_S_ASYNC, S_OK);
		HR_EQ(receive_reply(c, &out, NULL), S_OK);
		ck_assert_int_eq(out, 8);
		/* Nothing outstanding now: a receive is refused at once. */
		HR_EQ(receive_reply(c, &out, NULL), WS_E_INVALID_OPERATION);
		STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
		HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
		WsFreeMessage(rq);
		WsFreeMessage(rp);
		WsFreeHeap(heap);
		WsFreeChannel(sc);
	}
	(void)s;
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* One-way: the server closes without replying, the client's send gets
 * the 202 and S_OK; a receive after it finds no envelope. */
START_TEST(one_way_202)
{
	WS_LISTENER *l;
	WS_CHANNEL *c;
	struct srv s;
	uint16_t port;
	int32_t out;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	srv_start(&s, l, SRV_ONEWAY, 2);
	HR_EQ(request_channel(&c, port, "/svc", NULL, 0), S_OK);
	HR_EQ(send_int(c, 5, NULL), S_OK);
	/* The next send discards the unread 202. */
	HR_EQ(send_int(c, 6, NULL), S_OK);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	ck_assert_int_eq(s.last, 6);
	HR_EQ(receive_reply(c, &out, NULL), WS_E_INVALID_FORMAT);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* A fault reply is a 500; the client gets WS_E_ENDPOINT_FAULT_RECEIVED
 * with the fault's text in its WS_ERROR and stays OPEN. */
START_TEST(fault_500)
{
	WS_LISTENER *l;
	WS_CHANNEL *c;
	WS_ERROR *err;
	struct srv s;
	uint16_t port;
	int32_t out;
	char text[2048];

	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	srv_start(&s, l, SRV_FAULT, 2);
	HR_EQ(request_channel(&c, port, "/svc", NULL, 0), S_OK);
	HR_EQ(ask(c, 1, &out, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	error_text(err, text, sizeof(text));
	ck_assert_msg(strstr(text, "no such operation here") != NULL,
	    "error strings: %s", text);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	/* The same through WsSendMessage + WsReceiveMessage. */
	WsResetError(err);
	HR_EQ(send_int(c, 2, NULL), S_OK);
	HR_EQ(receive_reply(c, &out, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	error_text(err, text, sizeof(text));
	ck_assert_msg(strstr(text, "no such operation here") != NULL,
	    "error strings: %s", text);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	WsFreeChannel(c);
	WsFreeListener(l);
	WsFreeError(err);
}
END_TEST

/* Many clients at once, each on its own accepted channels. */
#define CONC_CLIENTS	6
#define CONC_ROUNDS	5

struct conc {
	uint16_t	port;
	int		id;
	int		ok;
};

static void *
conc_main(void *arg)
{
	struct conc *k = arg;
	WS_CHANNEL *c;
	int32_t out;
	int i;

	if (request_channel(&c, k->port, "/svc", NULL, 0) != S_OK)
		return NULL;
	for (i = 0; i < CONC_ROUNDS; i++)
		if (ask(c, k->id * 100 + i, &out, NULL) == S_OK &&
		    out == k->id * 100 + i + 1)
			k->ok++;
	WsFreeChannel(c);
	return NULL;
}

START_TEST(many_concurrent)
{
	struct srv s[CONC_CLIENTS];
	struct conc k[CONC_CLIENTS];
	pthread_t th[CONC_CLIENTS];
	WS_LISTENER *l;
	uint16_t port;
	int i;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	for (i = 0; i < CONC_CLIENTS; i++)
		srv_start(&s[i], l, SRV_ECHO, CONC_ROUNDS);
	for (i = 0; i < CONC_CLIENTS; i++) {
		k[i].port = port;
		k[i].id = i + 1;
		k[i].ok = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, conc_main,
		    &k[i]), 0);
	}
	for (i = 0; i < CONC_CLIENTS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(k[i].ok, CONC_ROUNDS);
	}
	for (i = 0; i < CONC_CLIENTS; i++) {
		srv_join(&s[i]);
		HR_EQ(s[i].hr, S_OK);
	}
	WsFreeListener(l);
}
END_TEST

/* ---- the client against raw servers ---------------------------------------------- */

struct rawsrv {
	int		 lfd;
	uint16_t	 port;
	const char	*answer;	/* written after each request */
	int		 requests;	/* on one connection */
	bool		 reset;		/* RST instead of answering */
	bool		 silent;	/* never answers */
	char		 got[8192];	/* the first request */
	int		 accepts;
	pthread_t	 th;
};

static void *
rawsrv_main(void *arg)
{
	struct rawsrv *r = arg;
	char buf[8192];
	int fd, i, fd2;

	if ((fd = harness_raw_accept(r->lfd, T_MS)) < 0)
		return NULL;
	r->accepts++;
	for (i = 0; i < r->requests; i++) {
		if (raw_read_http(fd, i == 0 ? r->got : buf, sizeof(buf),
		    T_MS) <= 0)
			break;
		if (r->reset) {
			harness_raw_reset(fd);
			return NULL;
		}
		if (r->silent) {
			harness_raw_wait_eof(fd, T_MS);
			break;
		}
		harness_raw_write(fd, r->answer, strlen(r->answer));
	}
	/* A second connection would mean no keep-alive. */
	if ((fd2 = harness_raw_accept(r->lfd, 200)) >= 0) {
		r->accepts++;
		close(fd2);
	}
	close(fd);
	return NULL;
}

static void
rawsrv_start(struct rawsrv *r, const char *answer, int requests)
{
	memset(r, 0, sizeof(*r));
	r->lfd = harness_tcp_listener(&r->port, 8);
	ck_assert_int_ge(r->lfd, 0);
	r->answer = answer;
	r->requests = requests;
}

static void
rawsrv_run(struct rawsrv *r)
{
	ck_assert_int_eq(pthread_create(&r->th, NULL, rawsrv_main, r), 0);
}

static void
rawsrv_join(struct rawsrv *r)
{
	ck_assert_int_eq(pthread_join(r->th, NULL), 0);
	close(r->lfd);
}

#define REPLY_ENV "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" \
	"<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Answer</a:Action>" \
	"</s:Header><s:Body><value xmlns=\"urn:wschannel-test\">99</value>" \
	"</s:Body></s:Envelope>"

/* Two requests share one kept-alive connection; the request we send is
 * the one bindings.md lists, header by header. */
START_TEST(client_keep_alive_and_request_bytes)
{
	struct rawsrv r;
	WS_CHANNEL *c;
	char *answer, want[256];
	int32_t out = 0;

	ck_assert_int_ge(asprintf(&answer, "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/soap+xml; charset=utf-8\r\nContent-Length: %zu\r\n"
	    "\r\n%s", strlen(REPLY_ENV), REPLY_ENV), 0);
	rawsrv_start(&r, answer, 2);
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/svc/x?q=1", NULL, 0), S_OK);
	HR_EQ(ask(c, 1, &out, NULL), S_OK);
	ck_assert_int_eq(out, 99);
	HR_EQ(ask(c, 2, &out, NULL), S_OK);
	rawsrv_join(&r);
	ck_assert_int_eq(r.accepts, 1);
	snprintf(want, sizeof(want), "POST /svc/x?q=1 HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%u\r\nUser-Agent: MS-WebServices/1.0\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8; "
	    "action=\"urn:wschannel-test/Ask\"\r\nContent-Length: ",
	    (unsigned)r.port);
	ck_assert_msg(strncmp(r.got, want, strlen(want)) == 0,
	    "request:\n%s", r.got);
	ck_assert_ptr_null(strstr(r.got, "SOAPAction"));
	ck_assert_ptr_null(strstr(r.got, "Expect"));
	ck_assert_ptr_nonnull(strstr(r.got, "\r\n\r\n<s:Envelope"));
	free(answer);
	WsFreeChannel(c);
}
END_TEST

/* SOAP 1.1 puts the action in a quoted SOAPAction header. */
START_TEST(client_soap11_request_bytes)
{
	WS_CHANNEL_PROPERTY p;
	WS_ENVELOPE_VERSION ev = WS_ENVELOPE_VERSION_SOAP_1_1;
	struct rawsrv r;
	WS_CHANNEL *c;

	p.id = WS_CHANNEL_PROPERTY_ENVELOPE_VERSION;
	p.value = &ev;
	p.valueSize = sizeof(ev);
	rawsrv_start(&r, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n",
	    1);
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/p", &p, 1), S_OK);
	HR_EQ(send_int(c, 3, NULL), S_OK);
	rawsrv_join(&r);
	ck_assert_ptr_nonnull(strstr(r.got,
	    "\r\nContent-Type: text/xml; charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(strstr(r.got,
	    "\r\nSOAPAction: \"urn:wschannel-test/Ask\"\r\n"));
	WsFreeChannel(c);
}
END_TEST

/* Status mapping of bindings.md for statuses without an envelope. */
START_TEST(client_status_mapping)
{
	static const struct {
		const char	*answer;
		HRESULT		 want;
	} cases[] = {
		{ "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		    WS_E_ENDPOINT_NOT_FOUND },
		{ "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n",
		    WS_E_QUOTA_EXCEEDED },
		{ "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
		    WS_E_ENDPOINT_TOO_BUSY },
		{ "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
		    WS_E_ENDPOINT_FAILURE },
		{ "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain"
		    "\r\nContent-Length: 4\r\n\r\noops", WS_E_ENDPOINT_FAILURE },
		{ "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n",
		    WS_E_INVALID_FORMAT },
	};
	struct rawsrv r;
	WS_CHANNEL *c;
	int32_t out;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rawsrv_start(&r, cases[i].answer, 1);
		rawsrv_run(&r);
		HR_EQ(request_channel(&c, r.port, "/svc", NULL, 0), S_OK);
		HR_EQ(ask(c, 1, &out, NULL), cases[i].want);
		STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
		WsFreeChannel(c);
		rawsrv_join(&r);
	}
}
END_TEST

/* Refused, and reset before the response. */
START_TEST(client_refused_and_reset)
{
	struct rawsrv r;
	WS_CHANNEL *c;
	uint16_t port;
	int32_t out;

	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(request_channel(&c, port, "/svc", NULL, 0), S_OK);
	HR_EQ(ask(c, 1, &out, NULL), WS_E_ENDPOINT_UNREACHABLE);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(c);

	rawsrv_start(&r, NULL, 1);
	r.reset = true;
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/svc", NULL, 0), S_OK);
	HR_EQ(ask(c, 1, &out, NULL), WS_E_ENDPOINT_DISCONNECTED);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(c);
	rawsrv_join(&r);
}
END_TEST

/* A server that never answers: the timeouts end the exchange. */
START_TEST(client_timeouts)
{
	WS_CHANNEL_PROPERTY p;
	ULONG ms = 300;
	struct rawsrv r;
	WS_CHANNEL *c;
	int32_t out;

	p.id = WS_CHANNEL_PROPERTY_RECEIVE_RESPONSE_TIMEOUT;
	p.value = &ms;
	p.valueSize = sizeof(ms);
	rawsrv_start(&r, NULL, 1);
	r.silent = true;
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/svc", &p, 1), S_OK);
	HR_EQ(ask(c, 1, &out, NULL), WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(c);
	rawsrv_join(&r);

	p.id = WS_CHANNEL_PROPERTY_SEND_TIMEOUT;
	rawsrv_start(&r, NULL, 1);
	r.silent = true;
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/svc", &p, 1), S_OK);
	HR_EQ(send_int(c, 1, NULL), WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(c);
	rawsrv_join(&r);
}
END_TEST

/* REQUEST channels abort with S_OK in every state; what was in flight
 * ends once with WS_E_OPERATION_ABORTED and the server sees a reset. */
START_TEST(abort_request_every_state)
{
	struct harness_async a;
	struct rawsrv r;
	WS_CHANNEL *c;
	char buf[64];
	int32_t out;

	/* CREATED stays CREATED. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &c, NULL), S_OK);
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(c);

	/* OPEN, idle. */
	rawsrv_start(&r, NULL, 1);
	r.silent = true;
	HR_EQ(request_channel(&c, r.port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	/* FAULTED: still S_OK, still FAULTED. */
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CLOSED);
	WsFreeChannel(c);

	/* A request in flight. */
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/svc", NULL, 0), S_OK);
	harness_async_init(&a);
	HR_EQ(send_int(c, 1, &a.ctx), WS_S_ASYNC);
	harness_sleep_ms(100);
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	ASYNC_EQ(&a, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(ask(c, 1, &out, NULL), WS_E_OBJECT_FAULTED);
	WsFreeChannel(c);
	rawsrv_join(&r);
	(void)buf;
}
END_TEST

/* ---- the REPLY listener against raw clients ------------------------------------------ */

/* A REPLY channel aborted OPEN (request received, no reply): the HTTP
 * client sees its connection reset, no status; the listener stays OPEN
 * and serves the next request. */
START_TEST(abort_reply_open_and_faulted)
{
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq;
	WS_HEAP *heap;
	struct srv s;
	uint16_t port;
	char resp[4096];
	int fd, st;
	int32_t v;
	ssize_t n;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("1"), NULL, 0);
	ck_assert_int_ge(fd, 0);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	HR_EQ(new_msg(sc, &rq), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, &v, sizeof(v), NULL, NULL, NULL), S_OK);
	ck_assert_int_eq(v, 1);
	HR_EQ(WsAbortChannel(sc, NULL), S_OK);
	STATE_EQ(sc, WS_CHANNEL_STATE_FAULTED);
	n = raw_read_http(fd, resp, sizeof(resp), T_MS);
	ck_assert_int_le(n, 0);		/* reset or EOF, no status line */
	close(fd);
	/* FAULTED: S_OK again; sends are refused. */
	HR_EQ(WsAbortChannel(sc, NULL), S_OK);
	STATE_EQ(sc, WS_CHANNEL_STATE_FAULTED);
	WsFreeMessage(rq);
	WsFreeHeap(heap);
	WsFreeChannel(sc);
	st = harness_listener_state(l);
	ck_assert_int_eq(st, WS_LISTENER_STATE_OPEN);
	srv_start(&s, l, SRV_ECHO, 1);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("41"), resp, sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	ck_assert_ptr_nonnull(strstr(resp, ">42</"));
	ck_assert_ptr_nonnull(strstr(resp,
	    "Content-Type: application/soap+xml; charset=utf-8; "
	    "action=\"urn:wschannel-test/Answer\""));
	close(fd);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	WsFreeListener(l);
}
END_TEST

/* A channel in ACCEPTING aborts its accept; the listener stays OPEN and
 * a request arriving later goes to the next accept. */
START_TEST(abort_accepting)
{
	struct harness_async a;
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	struct srv s;
	uint16_t port;
	char resp[4096];
	int fd;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	harness_async_init(&a);
	HR_EQ(WsAcceptChannel(l, sc, &a.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(sc, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	HR_EQ(WsAbortChannel(sc, NULL), S_OK);
	ASYNC_EQ(&a, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	STATE_EQ(sc, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	WsFreeChannel(sc);
	srv_start(&s, l, SRV_ECHO, 1);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("1"), resp, sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	close(fd);
	srv_join(&s);
	WsFreeListener(l);
}
END_TEST

/* A client that goes away before the reply: the reply fails with
 * WS_E_ENDPOINT_DISCONNECTED, never hangs. */
START_TEST(client_disconnects_mid_request)
{
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	uint16_t port;
	int fd;
	int32_t v, w = 2;
	HRESULT hr;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("1"), NULL, 0);
	ck_assert_int_ge(fd, 0);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	HR_EQ(new_msg(sc, &rq), S_OK);
	HR_EQ(new_msg(sc, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, &v, sizeof(v), NULL, NULL, NULL), S_OK);
	harness_raw_reset(fd);
	ck_assert(harness_wait_channel_state(sc, WS_CHANNEL_STATE_FAULTED,
	    T_MS) || true);
	hr = WsSendReplyMessage(sc, rp, &rep_desc, WS_WRITE_REQUIRED_VALUE, &w,
	    sizeof(w), rq, NULL, NULL);
	ck_assert_msg(hr == WS_E_ENDPOINT_DISCONNECTED ||
	    hr == WS_E_OBJECT_FAULTED, "reply: %s", harness_hr_name(hr));
	STATE_EQ(sc, WS_CHANNEL_STATE_FAULTED);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(sc);
	WsFreeListener(l);
}
END_TEST

/* Malformed requests: each gets its 4xx and costs its connection only,
 * while a good request is served meanwhile. */
START_TEST(malformed_requests)
{
	WS_LISTENER_PROPERTY lp;
	ULONG ms = 500;
	WS_LISTENER *l;
	struct srv s;
	uint16_t port;
	char resp[8192], req[512];
	int fd, slow, trunc, n;

	lp.id = WS_LISTENER_PROPERTY_CONNECT_TIMEOUT;
	lp.value = &ms;
	lp.valueSize = sizeof(ms);
	HR_EQ(listener_open(&l, &port, "/svc", &lp, 1), S_OK);
	srv_start(&s, l, SRV_ECHO, 1);

	/* A slow sender and a truncated body hold their connections. */
	slow = harness_tcp_connect(port);
	ck_assert_int_ge(slow, 0);
	ck_assert_int_eq(harness_raw_write(slow, "POST /svc HT", 12), 0);
	trunc = harness_tcp_connect(port);
	ck_assert_int_ge(trunc, 0);
	n = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: " CT12 "\r\nContent-Length: 400\r\n\r\n<s:Env");
	ck_assert_int_eq(harness_raw_write(trunc, req, (size_t)n), 0);

	/* Bad content type. */
	fd = raw_post(port, "/svc", "text/plain", NULL, ENV12("1"), resp,
	    sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 415);
	close(fd);
	/* Unknown path. */
	fd = raw_post(port, "/other", CT12, NULL, ENV12("1"), resp,
	    sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 404);
	close(fd);
	/* A browser. */
	fd = raw_post(port, "/svc", CT12, "User-Agent: Mozilla/5.0\r\n",
	    ENV12("1"), resp, sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 403);
	close(fd);
	/* Huge Content-Length: refused before any body is read. */
	fd = harness_tcp_connect(port);
	n = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: " CT12 "\r\nContent-Length: 99999999999\r\n\r\n");
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
	ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_ge(raw_status(resp), 400);
	ck_assert_int_lt(raw_status(resp), 500);
	close(fd);
	/* Not an envelope: 400, and the accept waits on. */
	fd = raw_post(port, "/svc", CT12, NULL, "<notsoap/>", resp,
	    sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 400);
	close(fd);
	/* The good one, meanwhile. */
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("5"), resp,
	    sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 200);
	close(fd);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	/* The slow and truncated ones are dropped after the listener's
	 * CONNECT_TIMEOUT. */
	ck_assert_int_eq(harness_raw_wait_eof(slow, T_MS), 0);
	ck_assert_int_eq(harness_raw_wait_eof(trunc, T_MS), 0);
	close(slow);
	close(trunc);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	WsFreeListener(l);
}
END_TEST

/* Listeners share a port by path, longest prefix segment by segment; the
 * same port and path again is WS_E_ADDRESS_IN_USE. */
START_TEST(listeners_share_port_by_path)
{
	WS_LISTENER *a, *b, *dup;
	WS_CHANNEL *sa, *sb;
	WS_STRING s;
	uint16_t port;
	char url[96], resp[4096];
	int fd;

	HR_EQ(listener_open(&a, &port, "/a", NULL, 0), S_OK);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &b, NULL), S_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/a/b", (unsigned)port);
	s = harness_ws_string(url);
	HR_EQ(WsOpenListener(b, &s, NULL, NULL), S_OK);
	free(s.chars);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &dup, NULL), S_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/a/", (unsigned)port);
	s = harness_ws_string(url);
	HR_EQ(WsOpenListener(dup, &s, NULL, NULL), WS_E_ADDRESS_IN_USE);
	free(s.chars);
	WsFreeListener(dup);
	/* /a/bc is under /a, not under /a/b. */
	HR_EQ(WsCreateChannelForListener(a, NULL, 0, &sa, NULL), S_OK);
	HR_EQ(WsCreateChannelForListener(b, NULL, 0, &sb, NULL), S_OK);
	fd = raw_post(port, "/a/bc", CT12, NULL, ENV12("1"), NULL, 0);
	HR_EQ(WsAcceptChannel(a, sa, NULL, NULL), S_OK);
	close(fd);
	fd = raw_post(port, "/a/b/c", CT12, NULL, ENV12("1"), NULL, 0);
	HR_EQ(WsAcceptChannel(b, sb, NULL, NULL), S_OK);
	close(fd);
	fd = raw_post(port, "/c", CT12, NULL, ENV12("1"), resp, sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 404);
	close(fd);
	WsFreeChannel(sa);
	WsFreeChannel(sb);
	WsFreeListener(a);
	WsFreeListener(b);
}
END_TEST

/* With no accept waiting, 64 requests wait; the next gets 503 with
 * Retry-After; closing the listener answers the waiting ones 503. */
START_TEST(queue_full_503)
{
	WS_LISTENER *l;
	uint16_t port;
	char resp[4096];
	int fds[64], fd, i;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	for (i = 0; i < 64; i++) {
		fds[i] = raw_post(port, "/svc", CT12, NULL, ENV12("1"), NULL, 0);
		ck_assert_int_ge(fds[i], 0);
	}
	/* Connections are served in turn: wait until the 64 are queued. */
	harness_sleep_ms(200);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("1"), resp, sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 503);
	ck_assert_ptr_nonnull(strstr(resp, "Retry-After: 1"));
	close(fd);
	HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(fds[0], resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 503);
	for (i = 0; i < 64; i++)
		close(fds[i]);
	WsFreeListener(l);
}
END_TEST

/* A request the waiting channel cannot take (another SOAP version, over
 * its MAX_BUFFERED_MESSAGE_SIZE) is answered 415 / 413 and the accept
 * goes on waiting for the next one. */
START_TEST(request_does_not_fit_channel)
{
	WS_CHANNEL_PROPERTY p;
	ULONG max = 600;
	struct harness_async a;
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	uint16_t port;
	char resp[4096], big[2048];
	int fd;

	p.id = WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE;
	p.value = &max;
	p.valueSize = sizeof(max);
	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, &p, 1, &sc, NULL), S_OK);
	harness_async_init(&a);
	HR_EQ(WsAcceptChannel(l, sc, &a.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(sc, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	fd = raw_post(port, "/svc", "text/xml; charset=utf-8",
	    "SOAPAction: \"urn:x\"\r\n", "<s:Envelope xmlns:s=\"http://schemas"
	    ".xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>", resp,
	    sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 415);
	close(fd);
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, ENV12_HEAD, strlen(ENV12_HEAD));
	fd = raw_post(port, "/svc", CT12, NULL, big, resp, sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 413);
	close(fd);
	STATE_EQ(sc, WS_CHANNEL_STATE_ACCEPTING);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("3"), NULL, 0);
	ASYNC_EQ(&a, WS_S_ASYNC, S_OK);
	STATE_EQ(sc, WS_CHANNEL_STATE_OPEN);
	/* Closed without a reply: the one-way 202, Content-Length 0. */
	HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 202);
	ck_assert_ptr_nonnull(strstr(resp, "Content-Length: 0\r\n"));
	close(fd);
	WsFreeChannel(sc);
	WsFreeListener(l);
}
END_TEST

/* After a complete response the kept-alive connection is the listener's:
 * aborting the channel then sends nothing, and the client's next request
 * on that connection goes to the next accept. */
START_TEST(keep_alive_server_and_abort_after_reply)
{
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	uint16_t port;
	char resp[4096], req[2048];
	int32_t v, w = 10;
	int fd, n, round;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	fd = harness_tcp_connect(port);
	ck_assert_int_ge(fd, 0);
	for (round = 0; round < 2; round++) {
		n = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: x\r\n"
		    "Content-Type: " CT12 "\r\nContent-Length: %zu\r\n\r\n%s",
		    strlen(ENV12("4")), ENV12("4"));
		ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
		HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
		HR_EQ(new_msg(sc, &rq), S_OK);
		HR_EQ(new_msg(sc, &rp), S_OK);
		HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
		HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &v, sizeof(v), NULL, NULL, NULL), S_OK);
		HR_EQ(WsSendReplyMessage(sc, rp, &rep_desc,
		    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), rq, NULL, NULL),
		    S_OK);
		ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
		ck_assert_int_eq(raw_status(resp), 200);
		HR_EQ(WsAbortChannel(sc, NULL), S_OK);
		WsFreeMessage(rq);
		WsFreeMessage(rp);
		WsFreeHeap(heap);
		WsFreeChannel(sc);
	}
	close(fd);
	WsFreeListener(l);
}
END_TEST

/* CONNECT_TIMEOUT: a server whose backlog is full never completes the
 * connect.  Not a session: WsShutdownSessionChannel is refused. */
START_TEST(client_connect_timeout_and_shutdown)
{
	WS_CHANNEL_PROPERTY p;
	ULONG ms = 300;
	WS_CHANNEL *c;
	uint16_t port;
	int32_t out;
	int lfd, f1, f2;

	lfd = harness_tcp_listener(&port, 0);
	ck_assert_int_ge(lfd, 0);
	f1 = harness_tcp_connect_nb(port);
	f2 = harness_tcp_connect_nb(port);
	harness_sleep_ms(20);
	p.id = WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT;
	p.value = &ms;
	p.valueSize = sizeof(ms);
	HR_EQ(request_channel(&c, port, "/svc", &p, 1), S_OK);
	HR_EQ(WsShutdownSessionChannel(c, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(ask(c, 1, &out, NULL), WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(c);
	close(f1);
	close(f2);
	close(lfd);
}
END_TEST

/* The port of a closed listener is free at once, though an accepted
 * channel still holds a request of it: a new listener takes the port,
 * the old exchange still gets its reply. */
START_TEST(reopen_port_while_exchange_lives)
{
	WS_LISTENER *l, *l2;
	WS_CHANNEL *sc;
	WS_STRING s;
	struct srv sv;
	uint16_t port;
	char url[96], resp[4096];
	int fd, fd2;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("1"), NULL, 0);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l2, NULL), S_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/svc", (unsigned)port);
	s = harness_ws_string(url);
	HR_EQ(WsOpenListener(l2, &s, NULL, NULL), S_OK);
	free(s.chars);
	srv_start(&sv, l2, SRV_ECHO, 1);
	fd2 = raw_post(port, "/svc", CT12, NULL, ENV12("5"), resp,
	    sizeof(resp));
	ck_assert_int_eq(raw_status(resp), 200);
	close(fd2);
	srv_join(&sv);
	/* The old exchange: closed without reply, a 202. */
	HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 202);
	close(fd);
	WsFreeChannel(sc);
	WsFreeListener(l);
	WsFreeListener(l2);
}
END_TEST

/* ---- the captures of vectors/http-capture.txt ------------------------------------------ */

/* [E2] gSOAP's 500 with a SOAP 1.2 Fault, byte for byte. */
static const char vec_e2[] =
    "HTTP/1.1 500 Internal Server Error\r\n"
    "Server: gSOAP/2.8\r\n"
    "X-Frame-Options: SAMEORIGIN\r\n"
    "Content-Type: application/soap+xml; charset=utf-8\r\n"
    "Content-Length: 731\r\n"
    "Connection: close\r\n"
    "\r\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:SOAP-ENC=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/2005/02/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" xmlns:ns=\"urn:wsprobe\"><SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:MustUnderstand</SOAP-ENV:Value></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang=\"en\">The data in element 'x:Unknown' must be understood but cannot be processed</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\r\n";

/* [F2] Mono: 100 Continue, then a 200 with BOM and declaration. */
static const char vec_f2[] =
    "HTTP/1.1 100 Continue\r\n"
    "\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/soap+xml; charset=utf-8\r\n"
    "Server: Mono-HTTPAPI/1.0\r\n"
    "Date: Fri, 04 Dec 2026 07:26:53 GMT\r\n"
    "Content-Length: 389\r\n"
    "Keep-Alive: timeout=15,max=100\r\n"
    "\r\n"
    "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:a=\"http://www.w3.org/2005/08/addressing\" xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Header><a:Action s:mustUnderstand=\"1\">urn:wsprobe/Ping</a:Action><a:RelatesTo>urn:uuid:5d54d7a2-2798-40b9-9489-1556c4f400fb</a:RelatesTo></s:Header><s:Body><text xmlns=\"urn:wsprobe\">reply from wsprobe server</text></s:Body></s:Envelope>";

/* [A1] gSOAP client, SOAP 1.2 + WS-Addressing 1.0 (Host names the port
 * of the capture; evhttp does not care). */
static const char vec_a1[] =
    "POST /wsprobe HTTP/1.1\r\n"
    "Host: 127.0.0.1:32400\r\n"
    "User-Agent: gSOAP/2.8\r\n"
    "Content-Type: application/soap+xml; charset=utf-8; action=\"urn:wsprobe/Ping\"\r\n"
    "Content-Length: 768\r\n"
    "Connection: close\r\n"
    "SOAPAction: \"urn:wsprobe/Ping\"\r\n"
    "\r\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:SOAP-ENC=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/2005/02/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" xmlns:ns=\"urn:wsprobe\"><SOAP-ENV:Header><wsa5:MessageID>urn:uuid:ec989291-1787-4e12-ab8b-4567327b23c6</wsa5:MessageID><wsa5:To SOAP-ENV:mustUnderstand=\"true\">http://127.0.0.1:32400/wsprobe</wsa5:To><wsa5:Action SOAP-ENV:mustUnderstand=\"true\">urn:wsprobe/Ping</wsa5:Action></SOAP-ENV:Header><SOAP-ENV:Body><ns:text>hello from wsprobe client</ns:text></SOAP-ENV:Body></SOAP-ENV:Envelope>\r\n";

/* [H1] Mono client, SOAP 1.1 with Expect: 100-continue and keep-alive. */
static const char vec_h1[] =
    "POST /wsprobe HTTP/1.1\r\n"
    "Content-Type: text/xml; charset=utf-8\r\n"
    "SOAPAction: \"urn:wsprobe/Ping\"\r\n"
    "Content-Length: 193\r\n"
    "Expect: 100-continue\r\n"
    "Connection: keep-alive\r\n"
    "Host: 127.0.0.1:32114\r\n"
    "\r\n"
    "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><text xmlns=\"urn:wsprobe\">hello from wsprobe client</text></s:Body></s:Envelope>";

/* The client reads the captured responses: the 500 Fault as
 * WS_E_ENDPOINT_FAULT_RECEIVED with gSOAP's reason, Mono's 100 + 200. */
START_TEST(vectors_client)
{
	static WS_XML_STRING t_elem = XSTR("text");
	static WS_XML_STRING t_ns = XSTR("urn:wsprobe");
	static WS_ELEMENT_DESCRIPTION t_desc = { &t_elem, &t_ns, WS_WSZ_TYPE,
	    NULL };
	WS_MESSAGE_DESCRIPTION any = { NULL, &t_desc };
	const WS_MESSAGE_DESCRIPTION *anys[1] = { &any };
	struct rawsrv r;
	WS_CHANNEL *c;
	WS_ERROR *err;
	WS_MESSAGE *m;
	WS_HEAP *heap;
	WCHAR *text = NULL;
	char buf[2048];
	int32_t out;
	size_t i;

	ck_assert_uint_eq(strlen(vec_e2), 908);
	ck_assert_uint_eq(strlen(vec_f2), 600);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	rawsrv_start(&r, vec_e2, 1);
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/wsprobe", NULL, 0), S_OK);
	HR_EQ(ask(c, 1, &out, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	error_text(err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "The data in element 'x:Unknown' must be "
	    "understood but cannot be processed") != NULL, "%s", buf);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	WsFreeChannel(c);
	rawsrv_join(&r);

	rawsrv_start(&r, vec_f2, 1);
	rawsrv_run(&r);
	HR_EQ(request_channel(&c, r.port, "/wsprobe", NULL, 0), S_OK);
	HR_EQ(send_int(c, 1, NULL), S_OK);
	HR_EQ(new_msg(c, &m), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(c, m, anys, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_POINTER, heap, &text, sizeof(text), NULL, NULL,
	    NULL), S_OK);
	for (i = 0; text[i] != 0 && i + 1 < sizeof(buf); i++)
		buf[i] = (char)text[i];
	buf[i] = '\0';
	ck_assert_str_eq(buf, "reply from wsprobe server");
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	rawsrv_join(&r);
	WsFreeError(err);
}
END_TEST

/* The listener takes the captured gSOAP and Mono requests as they are. */
static void
vector_server_case(const char *vec, size_t size, WS_ENVELOPE_VERSION ev,
    const char *want_ct)
{
	static WS_XML_STRING t_elem = XSTR("text");
	static WS_XML_STRING t_ns = XSTR("urn:wsprobe");
	static WS_XML_STRING t_act = XSTR("urn:wsprobe/Ping");
	static WS_ELEMENT_DESCRIPTION t_desc = { &t_elem, &t_ns, WS_WSZ_TYPE,
	    NULL };
	WS_MESSAGE_DESCRIPTION ping = { &t_act, &t_desc };
	const WS_MESSAGE_DESCRIPTION *pings[1] = { &ping };
	WS_CHANNEL_PROPERTY p;
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_STRING rs = harness_ws_string("reply from wsschannel");
	WCHAR *text = NULL, *reply = rs.chars;
	char resp[8192];
	uint16_t port;
	int fd;

	ck_assert_uint_eq(strlen(vec), size);
	p.id = WS_CHANNEL_PROPERTY_ENVELOPE_VERSION;
	p.value = &ev;
	p.valueSize = sizeof(ev);
	HR_EQ(listener_open(&l, &port, "/wsprobe", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, &p, 1, &sc, NULL), S_OK);
	fd = harness_tcp_connect(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(harness_raw_write(fd, vec, strlen(vec)), 0);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	HR_EQ(new_msg(sc, &rq), S_OK);
	HR_EQ(new_msg(sc, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(sc, rq, pings, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_POINTER, heap, &text, sizeof(text), NULL, NULL,
	    NULL), S_OK);
	ck_assert_int_eq(text[0], 'h');
	HR_EQ(WsSendReplyMessage(sc, rp, &ping, WS_WRITE_REQUIRED_POINTER,
	    &reply, sizeof(reply), rq, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	/* Mono's Expect: 100-continue gets its interim answer first. */
	if (strncmp(resp, "HTTP/1.1 100", 12) == 0)
		memmove(resp, strstr(resp, "\r\n\r\n") + 4,
		    strlen(strstr(resp, "\r\n\r\n") + 4) + 1);
	if (resp[0] == '\0')
		ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 200);
	ck_assert_msg(strstr(resp, want_ct) != NULL, "%s", resp);
	ck_assert_ptr_nonnull(strstr(resp, "reply from wsschannel"));
	close(fd);
	HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(sc);
	WsFreeListener(l);
	free(rs.chars);
}

START_TEST(vectors_server)
{
	vector_server_case(vec_a1, 990, WS_ENVELOPE_VERSION_SOAP_1_2,
	    "Content-Type: application/soap+xml; charset=utf-8; "
	    "action=\"urn:wsprobe/Ping\"");
	vector_server_case(vec_h1, 380, WS_ENVELOPE_VERSION_SOAP_1_1,
	    "Content-Type: text/xml; charset=utf-8\r\n");
}
END_TEST

/* wsctl shows an accepted HTTP channel with method, path and peer. */
START_TEST(wsctl_shows_http)
{
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	uint16_t port;
	char *out = NULL, id[32];
	int fd, st;
	ULONG dummy;
	(void)dummy;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	fd = raw_post(port, "/svc/item", CT12, NULL, ENV12("1"), NULL, 0);
	ck_assert_int_ge(fd, 0);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	{
		struct harness_channel_row rows[8];
		int n = harness_list_channels(rows, 8), i;

		ck_assert_int_ge(n, 1);
		for (i = 0; i < n && i < 8; i++)
			if (strcmp(rows[i].state, "OPEN") == 0)
				snprintf(id, sizeof(id), "%llu",
				    (unsigned long long)rows[i].id);
	}
	ck_assert_int_eq(harness_wsctl(&out, &st, "show", id, NULL), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "POST") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "/svc/item") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "127.0.0.1:") != NULL, "%s", out);
	free(out);
	out = NULL;
	ck_assert_int_eq(harness_wsctl(&out, &st, "--json", "show", id, NULL),
	    0);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "\"http_method\"") != NULL &&
	    strstr(out, "\"http_path\"") != NULL &&
	    strstr(out, "/svc/item") != NULL, "%s", out);
	free(out);
	close(fd);
	WsFreeChannel(sc);
	WsFreeListener(l);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, request_reply_roundtrip);
	tcase_add_test(tc, send_then_receive_soap11);
	tcase_add_test(tc, one_way_202);
	tcase_add_test(tc, fault_500);
	tcase_add_test(tc, many_concurrent);
	tcase_add_test(tc, client_keep_alive_and_request_bytes);
	tcase_add_test(tc, client_soap11_request_bytes);
	tcase_add_test(tc, client_status_mapping);
	tcase_add_test(tc, client_refused_and_reset);
	tcase_add_test(tc, client_timeouts);
	tcase_add_test(tc, abort_request_every_state);
	tcase_add_test(tc, abort_reply_open_and_faulted);
	tcase_add_test(tc, abort_accepting);
	tcase_add_test(tc, client_disconnects_mid_request);
	tcase_add_test(tc, malformed_requests);
	tcase_add_test(tc, vectors_client);
	tcase_add_test(tc, vectors_server);
	tcase_add_test(tc, wsctl_shows_http);
	tcase_add_test(tc, listeners_share_port_by_path);
	tcase_add_test(tc, queue_full_503);
	tcase_add_test(tc, request_does_not_fit_channel);
	tcase_add_test(tc, keep_alive_server_and_abort_after_reply);
	tcase_add_test(tc, client_connect_timeout_and_shutdown);
	tcase_add_test(tc, reopen_port_while_exchange_lives);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
