/*
 * The Windows server loop (accept, receive, reply, close, reset) on
 * soap.udp and HTTP, as it costs two round trips to wschanneld: the
 * accept's reply brings the channel's first message, so the receive
 * completes even while the daemon is stopped; a close and reset whose
 * result is known are only written.  What a program observes does not
 * change: every datagram or request reaches the loop exactly once (or is
 * dropped where it was dropped before: an abort, a reset or a free of a
 * channel holding it), a receive after an abort fails as before, and a
 * posted close that the daemon refuses leaves the channel FAULTED for the
 * next call.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "config.h"
#include "frame.h"
#include "harness.h"
#include "wschannel.pb-c.h"

#define LOOP_N		30	/* datagrams per run: below the queue of 64 */

/* ---- helpers ---------------------------------------------------------------- */

/* A listener of `type` and `binding`, OPEN on a free loopback port. */
static WS_LISTENER *
loop_listener(WS_CHANNEL_TYPE type, WS_CHANNEL_BINDING binding,
    const char *scheme, uint16_t *port)
{
	WS_LISTENER *l = NULL;
	WS_STRING url;
	char buf[128];
	HRESULT hr = E_FAIL;
	int i;

	HR_EQ(WsCreateListener(type, binding, NULL, 0, NULL, &l, NULL), S_OK);
	for (i = 0; i < 5 && hr != S_OK; i++) {
		ck_assert_int_eq(harness_free_port(port), 0);
		snprintf(buf, sizeof(buf), "%s://127.0.0.1:%u/loop", scheme,
		    (unsigned)*port);
		url = harness_ws_string(buf);
		hr = WsOpenListener(l, &url, NULL, NULL);
		free(url.chars);
		if (hr != S_OK) {
			HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
			HR_EQ(WsResetListener(l, NULL), S_OK);
		}
	}
	HR_EQ(hr, S_OK);
	return l;
}

static WS_LISTENER *
loop_udp_listener(uint16_t *port)
{
	return loop_listener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    "soap.udp", port);
}

/* A UDP socket of the test's own, bound to 127.0.0.1. */
static int
loop_raw_udp(void)
{
	struct sockaddr_in sin;
	int fd;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
	    0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* A SOAP 1.2 datagram carrying the INT32 `v` (harness's int message). */
static void
loop_send_dgram(int fd, uint16_t port, int v)
{
	struct sockaddr_in sin;
	char body[128], *env;

	snprintf(body, sizeof(body),
	    "<value xmlns=\"urn:wschannel-test\">%d</value>", v);
	ck_assert_ptr_nonnull(env = harness_soap12_envelope(
	    HARNESS_ACTION_INT, body));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(sendto(fd, env, strlen(env), 0,
	    (struct sockaddr *)&sin, sizeof(sin)), (ssize_t)strlen(env));
	free(env);
}

/* How many datagrams wait on `fd` (drained), within `ms` of quiet. */
static int
loop_drain(int fd, int ms)
{
	char buf[65536];
	struct pollfd pfd = { fd, POLLIN, 0 };
	int n = 0;

	while (poll(&pfd, 1, ms) == 1 && recv(fd, buf, sizeof(buf), 0) > 0)
		n++;
	return n;
}

struct loop_recv {
	WS_CHANNEL		*ch;
	struct harness_msg	*m;
	bool			 read_start;
};

static HRESULT
loop_recv_fn(void *arg)
{
	struct loop_recv *lr = arg;

	if (lr->read_start)
		return WsReadMessageStart(lr->ch, lr->m->msg, NULL, NULL);
	return harness_receive(lr->ch, lr->m, HARNESS_BODY_INT, NULL);
}

/*
 * Stops the daemon, then receives on `ch` (or starts reading, with
 * `read_start`) on another thread: the call must complete while the
 * daemon is stopped, from what the accept brought.  Bounded: should it
 * wait for the daemon, SIGCONT frees it and the test fails.  Returns the
 * call's result, the daemon running again.
 */
static HRESULT
loop_recv_stopped(WS_CHANNEL *ch, struct harness_msg *m, bool read_start)
{
	struct loop_recv lr = { ch, m, read_start };
	struct harness_bg *bg;
	HRESULT hr = E_FAIL;
	pid_t pid;

	ck_assert_int_gt(pid = harness_daemon_pid(), 0);
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	bg = harness_bg_start(loop_recv_fn, &lr);
	if (!harness_bg_wait(bg, 3000, &hr)) {
		kill(pid, SIGCONT);
		ck_assert_msg(harness_bg_wait(bg, 10000, &hr),
		    "the call hangs");
		ck_abort_msg("%s waited for the stopped daemon", read_start ?
		    "WsReadMessageStart" : "the receive");
	}
	ck_assert_int_eq(kill(pid, SIGCONT), 0);
	return hr;
}

/* ---- the message comes with the accept ---------------------------------------- */

/*
 * With the daemon stopped after the accept, the receive still completes:
 * the message travelled in the accept's reply.  The next receive, once
 * the daemon runs again, finds the channel's one datagram consumed.
 */
START_TEST(test_udp_accept_brings_message)
{
	struct harness_msg m = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	uint16_t port;
	int fd;

	l = loop_udp_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	fd = loop_raw_udp();
	loop_send_dgram(fd, port, 41);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(loop_recv_stopped(ch, &m, false), S_OK);
	ck_assert_int_eq(m.value, 41);
	/* The daemon received it: the channel's next receive is the end. */
	HR_EQ(WsResetMessage(m.msg, NULL), S_OK);
	m.optional = true;
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), WS_S_END);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	/* The loop goes on: the next datagram, to the same channel. */
	loop_send_dgram(fd, port, 42);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(WsResetMessage(m.msg, NULL), S_OK);
	m.optional = false;
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 42);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	WsFreeListener(l);
	close(fd);
}
END_TEST

/* WsReadMessageStart takes the kept message too, and the daemon learns
 * the channel is mid-read: WsReadMessageEnd then succeeds there. */
START_TEST(test_udp_read_start_kept)
{
	struct harness_msg m = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	WS_XML_STRING ln = WS_XML_STRING_VALUE("value");
	WS_XML_STRING ns = WS_XML_STRING_VALUE("urn:wschannel-test");
	WS_ELEMENT_DESCRIPTION ed = { &ln, &ns, WS_INT32_TYPE, NULL };
	WS_HEAP *heap = NULL;
	int32_t v = 0;
	uint16_t port;
	int fd;

	l = loop_udp_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &m.msg, NULL), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	fd = loop_raw_udp();
	loop_send_dgram(fd, port, 7);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(loop_recv_stopped(ch, &m, true), S_OK);
	HR_EQ(WsReadBody(m.msg, &ed, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL), S_OK);
	ck_assert_int_eq(v, 7);
	/* The daemon marked the channel mid-read: a receive is refused
	 * there, and the End is accepted. */
	HR_EQ(WsReadMessageEnd(ch, m.msg, NULL, NULL), S_OK);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	WsFreeMessage(m.msg);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
	WsFreeListener(l);
	close(fd);
}
END_TEST

/* An async receive served from the kept message returns its result
 * directly, and its callback never runs (channel-semantics.md). */
START_TEST(test_udp_async_receive_kept)
{
	struct harness_msg m = { 0 };
	struct harness_async a;
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	uint16_t port;
	int fd;

	l = loop_udp_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	fd = loop_raw_udp();
	loop_send_dgram(fd, port, 9);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	harness_async_init(&a);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, &a.ctx), S_OK);
	ck_assert_int_eq(m.value, 9);
	harness_sleep_ms(50);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	harness_async_destroy(&a);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	WsFreeListener(l);
	close(fd);
}
END_TEST

/* An abort between the accept and the receive: the receive fails as it
 * did before (the channel is FAULTED), and the loop goes on with the next
 * datagram after close and reset. */
START_TEST(test_udp_abort_before_receive)
{
	struct harness_msg m = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	uint16_t port;
	int fd;

	l = loop_udp_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	fd = loop_raw_udp();
	loop_send_dgram(fd, port, 1);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL),
	    WS_E_OBJECT_FAULTED);
	ck_assert_int_eq(harness_channel_state(ch), WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsResetChannel(ch, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	loop_send_dgram(fd, port, 2);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(WsResetMessage(m.msg, NULL), S_OK);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 2);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	WsFreeListener(l);
	close(fd);
}
END_TEST

/*
 * LOOP_N datagrams through the samples' loop, some channels dropping the
 * message they hold (reset after close, free, abort) as the application
 * asks: every other datagram is received exactly once, in order, each
 * answered once, and the datagram after the loop goes to the next accept.
 */
START_TEST(test_udp_loop_exactly_once)
{
	struct harness_msg m = { 0 }, out = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	int got[LOOP_N + 1], ngot = 0, want = 0, replies = 0, i, fd;
	uint16_t port;

	l = loop_udp_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	fd = loop_raw_udp();
	for (i = 0; i < LOOP_N; i++)
		loop_send_dgram(fd, port, i);
	for (i = 0; i < LOOP_N; i++) {
		HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
		switch (i % 5) {
		case 1:		/* closed unread: dropped */
			break;
		case 2:		/* freed unread: dropped */
			WsFreeChannel(ch);
			ch = NULL;
			HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch,
			    NULL), S_OK);
			continue;
		case 3:		/* aborted unread: dropped */
			HR_EQ(WsAbortChannel(ch, NULL), S_OK);
			break;
		default:
			if (m.msg != NULL)
				HR_EQ(WsResetMessage(m.msg, NULL), S_OK);
			HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL),
			    S_OK);
			got[ngot++] = m.value;
			if (out.msg != NULL)
				HR_EQ(WsResetMessage(out.msg, NULL), S_OK);
			HR_EQ(harness_send_int32(ch, &out, m.value, NULL),
			    S_OK);
			replies++;
			break;
		}
		HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
		HR_EQ(WsResetChannel(ch, NULL), S_OK);
	}
	for (i = 0; i < LOOP_N; i++) {
		if (i % 5 == 1 || i % 5 == 2 || i % 5 == 3)
			continue;
		ck_assert_int_lt(want, ngot);
		ck_assert_int_eq(got[want], i);
		want++;
	}
	ck_assert_int_eq(want, ngot);
	/* Nothing left over, nothing doubled: the next datagram is next. */
	loop_send_dgram(fd, port, 1000);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(WsResetMessage(m.msg, NULL), S_OK);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 1000);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	ck_assert_int_eq(loop_drain(fd, 300), replies);
	harness_msg_free(&m);
	harness_msg_free(&out);
	WsFreeChannel(ch);
	WsFreeListener(l);
	close(fd);
}
END_TEST

/* ---- a posted close the daemon refuses ------------------------------------------ */

static int
loop_pipe_connect(void)
{
	int fd;

	ck_assert_int_ge(fd = harness_control_connect(), 0);
	return fd;
}

/* One request on a raw connection of the test's own, and its HRESULT. */
static uint32_t
loop_pipe_call(int fd, Wschannel__Request *rq)
{
	uint8_t buf[4096], hdr[FRAME_HEADER_SIZE];
	struct frame_header fh;
	Wschannel__Reply *r;
	size_t n = wschannel__request__get_packed_size(rq);
	uint32_t hr;

	ck_assert_uint_le(n, sizeof(buf) - FRAME_HEADER_SIZE);
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(rq, buf + FRAME_HEADER_SIZE);
	ck_assert_int_eq(harness_raw_write(fd, buf, FRAME_HEADER_SIZE + n), 0);
	ck_assert_int_eq(harness_raw_read_full(fd, hdr, sizeof(hdr), 5000), 0);
	ck_assert_int_eq(frame_header_parse(hdr, &fh, NULL), 0);
	ck_assert_uint_le(fh.length, sizeof(buf));
	ck_assert_int_eq(harness_raw_read_full(fd, buf, fh.length, 5000), 0);
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, fh.length,
	    buf));
	hr = r->hresult;
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/*
 * The close of an OPEN accepted channel cannot fail, so it is only
 * written and returns S_OK.  Should the daemon refuse it after all (here:
 * another connection of the same user freed the channel meanwhile), the
 * channel reads FAULTED and the next call says so.
 */
START_TEST(test_udp_posted_close_refused)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	struct harness_channel_row rows[8];
	struct harness_msg m = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	WS_ERROR *err = NULL;
	char why[512];
	uint64_t id = 0;
	uint16_t port;
	int fd, pfd, n, i;

	l = loop_udp_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	fd = loop_raw_udp();
	loop_send_dgram(fd, port, 5);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	/* The one OPEN channel is ours. */
	ck_assert_int_gt(n = harness_list_channels(rows, 8), 0);
	for (i = 0; i < n && i < 8; i++)
		if (strcmp(rows[i].state, "OPEN") == 0)
			id = rows[i].id;
	ck_assert_uint_ne(id, 0);
	pfd = loop_pipe_connect();
	ref.id = id;
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_FREE_CHANNEL;
	rq.free_channel = &ref;
	ck_assert_uint_eq(loop_pipe_call(pfd, &rq), S_OK);

	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	ck_assert_int_eq(harness_channel_state(ch), WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	HR_EQ(WsAcceptChannel(l, ch, NULL, err), WS_E_OBJECT_FAULTED);
	ck_assert(harness_error_string(err, why, sizeof(why)));
	ck_assert_msg(strstr(why, "WsCloseChannel") != NULL, "%s", why);
	WsFreeError(err);
	close(pfd);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	WsFreeListener(l);
	close(fd);
}
END_TEST

/* ---- HTTP ------------------------------------------------------------------------ */

static WS_LISTENER *
loop_http_listener(uint16_t *port)
{
	return loop_listener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    "http", port);
}

/* A POST of the INT32 `v` on a kept-alive connection `fd`. */
static void
loop_http_post(int fd, uint16_t port, int v)
{
	char body[128], *env, req[1024];
	int n;

	snprintf(body, sizeof(body),
	    "<value xmlns=\"urn:wschannel-test\">%d</value>", v);
	ck_assert_ptr_nonnull(env = harness_soap12_envelope(
	    HARNESS_ACTION_INT, body));
	n = snprintf(req, sizeof(req), "POST /loop HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%u\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n\r\n%s", (unsigned)port, strlen(env), env);
	ck_assert_int_lt(n, (int)sizeof(req));
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
	free(env);
}

/* Reads one response on `fd`: its status, its body's INT32 in *v. */
static int
loop_http_response(int fd, int *v)
{
	char buf[8192], *p, *body;
	size_t len = 0, clen;
	ssize_t n;
	int status = 0;

	for (;;) {
		ck_assert_uint_lt(len, sizeof(buf) - 1);
		n = harness_raw_read(fd, buf + len, sizeof(buf) - 1 - len,
		    5000);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		buf[len] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		body += 4;
		p = strstr(buf, "Content-Length:");
		ck_assert_ptr_nonnull(p);
		clen = strtoul(p + 15, NULL, 10);
		if ((size_t)(buf + len - body) < clen)
			continue;
		break;
	}
	ck_assert_int_eq(sscanf(buf, "HTTP/1.1 %d", &status), 1);
	*v = -1;
	if ((p = strstr(body, "urn:wschannel-test\">")) != NULL)
		*v = atoi(p + 20);
	return status;
}

/* The samples' HTTP loop, with the receive answered while the daemon is
 * stopped, then LOOP_N requests on one kept-alive connection, each
 * received and answered exactly once. */
START_TEST(test_http_loop)
{
	struct harness_msg m = { 0 }, out = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL;
	uint16_t port;
	int fd, i, v;

	l = loop_http_listener(&port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	loop_http_post(fd, port, 100);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(loop_recv_stopped(ch, &m, false), S_OK);
	ck_assert_int_eq(m.value, 100);
	HR_EQ(harness_send_int32(ch, &out, 100, NULL), S_OK);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	ck_assert_int_eq(loop_http_response(fd, &v), 200);
	ck_assert_int_eq(v, 100);
	for (i = 0; i < LOOP_N; i++) {
		loop_http_post(fd, port, i);
		HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
		HR_EQ(WsResetMessage(m.msg, NULL), S_OK);
		HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
		ck_assert_int_eq(m.value, i);
		HR_EQ(WsResetMessage(out.msg, NULL), S_OK);
		HR_EQ(harness_send_int32(ch, &out, i + 1000, NULL), S_OK);
		HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
		HR_EQ(WsResetChannel(ch, NULL), S_OK);
		ck_assert_int_eq(loop_http_response(fd, &v), 200);
		ck_assert_int_eq(v, i + 1000);
	}
	/* A request closed unanswered still gets the one-way 202. */
	loop_http_post(fd, port, 7);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	ck_assert_int_eq(loop_http_response(fd, &v), 202);
	close(fd);
	harness_msg_free(&m);
	harness_msg_free(&out);
	WsFreeChannel(ch);
	WsFreeListener(l);
}
END_TEST

static Suite *
loop_suite(void)
{
	Suite *s = suite_create("server_loop");
	TCase *tc = tcase_create("loop");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_udp_accept_brings_message);
	tcase_add_test(tc, test_udp_read_start_kept);
	tcase_add_test(tc, test_udp_async_receive_kept);
	tcase_add_test(tc, test_udp_abort_before_receive);
	tcase_add_test(tc, test_udp_loop_exactly_once);
	tcase_add_test(tc, test_udp_posted_close_refused);
	tcase_add_test(tc, test_http_loop);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(loop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
