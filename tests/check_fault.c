/*
 * Failure modes of issue 14 through a private wschanneld: hostile and slow
 * net.tcp peers (oversized and endless records, undecodable binary XML,
 * garbage and trickled preambles, a peer that never reads), name lookups
 * that never end, a control client that never reads its replies and a
 * client process killed in the middle of a call.  Each test checks what a
 * user notices: the error the spec names, a bounded daemon, and everyone
 * else served as before.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "frame.h"
#include "harness.h"
#include "wschannel.pb-c.h"

#define T_MS		10000	/* bound of every wait that should succeed */

/*
 * The daemon grew by less than `kib` since `before`.  Not under the
 * sanitizers: ASan keeps freed memory in quarantine, so its resident size
 * says nothing about what the daemon holds.
 */
#define RSS_GREW_LESS(before, kib) do {					\
	if (!harness_sanitized())					\
		ck_assert_int_lt(harness_daemon_rss_kib() - (before), (kib));	\
} while (0)

/* The daemon still serves a newcomer: a pair opens and exchanges. */
static void
others_served(void)
{
	struct harness_pair p;
	struct harness_msg s = { 0 }, r = { 0 };

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	HR_EQ(harness_send_int32(p.client, &s, 77, NULL), S_OK);
	HR_EQ(harness_receive(p.server, &r, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(r.value, 77);
	harness_msg_free(&s);
	harness_msg_free(&r);
	harness_pair_free(&p);
}

/* Writes as much of buf as the socket takes now; -1 on error. */
static ssize_t
write_some(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return n;
}

/* ---- hostile peers ---------------------------------------------------------- */

/*
 * A record announcing 2 GB: refused from its header, before any of it
 * arrives: the receive returns WS_E_QUOTA_EXCEEDED, FAULTED, and the peer
 * gets the framing Fault then the end of the connection.
 */
START_TEST(size_record_2gb)
{
	static const uint8_t rec[] = { 0x06, 0xff, 0xff, 0xff, 0xff, 0x07 };
	struct harness_raw_server rs;
	struct harness_msg r = { 0 };
	WS_CHANNEL *ch = NULL;
	uint8_t type;
	long before;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	before = harness_daemon_rss_kib();
	ck_assert_int_eq(harness_raw_write(rs.fd, rec, sizeof(rec)), 0);
	HR_EQ(harness_receive(ch, &r, HARNESS_BODY_INT, NULL),
	    WS_E_QUOTA_EXCEEDED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_raw_read_full(rs.fd, &type, 1, T_MS), 0);
	ck_assert_int_eq(type, 0x08);		/* Fault record */
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, T_MS), 0);
	RSS_GREW_LESS(before, 8 * 1024);
	harness_msg_free(&r);
	harness_raw_server_close(&rs);
	WsFreeChannel(ch);
	others_served();
}
END_TEST

/*
 * A peer that sends endlessly while the application receives nothing: the
 * daemon stops reading at one message's worth, so the peer's writes block
 * (TCP backpressure) long before 64 MiB, and the daemon stays small.  The
 * messages are still there, in order, when the application receives.
 */
START_TEST(endless_records_bounded)
{
	enum { FLOOD = 64 * 1024 * 1024 };
	struct harness_raw_server rs;
	struct harness_msg r = { 0 };
	WS_CHANNEL *ch = NULL;
	char *env;
	uint8_t *rec;
	size_t len, hdr, off, sent = 0;
	uint64_t deadline;
	long before;
	ssize_t n;
	int stalls = 0;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	ck_assert_ptr_nonnull(env = harness_soap12_envelope(
	    HARNESS_ACTION_INT, "<value xmlns=\"urn:wschannel-test\">5</value>"));
	len = strlen(env);
	ck_assert_ptr_nonnull(rec = malloc(len + 8));
	rec[0] = 0x06;
	hdr = 1;
	{
		size_t v = len;

		while (v >= 0x80) {
			rec[hdr++] = 0x80 | (v & 0x7f);
			v >>= 7;
		}
		rec[hdr++] = (uint8_t)v;
	}
	memcpy(rec + hdr, env, len);
	len += hdr;
	before = harness_daemon_rss_kib();
	deadline = harness_now_us() + 5000000;
	/* Write until the socket takes nothing for a while. */
	off = 0;
	while (sent < FLOOD && harness_now_us() < deadline) {
		n = write_some(rs.fd, rec + off, len - off);
		ck_assert_int_ge(n, 0);
		if (n == 0) {
			if (++stalls == 20)
				break;
			harness_sleep_ms(10);
			continue;
		}
		stalls = 0;
		sent += (size_t)n;
		off = (off + (size_t)n) % len;
	}
	ck_assert_msg(sent < FLOOD, "the daemon took %zu bytes unread", sent);
	RSS_GREW_LESS(before, 16 * 1024);
	/* Whole messages are served as they come. */
	HR_EQ(harness_receive(ch, &r, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(r.value, 5);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	harness_msg_free(&r);
	free(rec);
	free(env);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* A binary session channel whose peer sends `doc` (a whole sized envelope
 * record): the receive's result, and the channel must be FAULTED. */
static HRESULT
binary_peer_sends(const uint8_t *doc, size_t len)
{
	ULONG enc = WS_ENCODING_XML_BINARY_SESSION_1;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc) };
	struct harness_raw_server rs;
	struct harness_msg r = { 0 };
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	ck_assert_int_eq(harness_raw_write(rs.fd, doc, len), 0);
	hr = harness_receive(ch, &r, HARNESS_BODY_INT, NULL);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&r);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
	return hr;
}

/* Binary XML that names a session string never sent, or stops in the
 * middle of an element: WS_E_INVALID_FORMAT, FAULTED, nobody else harmed. */
START_TEST(hostile_binary_xml)
{
	/* Empty string table; <s:{session id 63}/>. */
	static const uint8_t unknown_id[] = { 0x06, 0x04, 0x00, 0x56, 0x7f,
	    0x01 };
	/* Empty string table; <s:Envelope> and nothing after it. */
	static const uint8_t truncated[] = { 0x06, 0x03, 0x00, 0x56, 0x02 };
	/* A static dictionary id far past the dictionary. */
	static const uint8_t bad_static[] = { 0x06, 0x06, 0x00, 0x56, 0xfe,
	    0xff, 0x7f, 0x01 };

	HR_EQ(binary_peer_sends(unknown_id, sizeof(unknown_id)),
	    WS_E_INVALID_FORMAT);
	HR_EQ(binary_peer_sends(truncated, sizeof(truncated)),
	    WS_E_INVALID_FORMAT);
	HR_EQ(binary_peer_sends(bad_static, sizeof(bad_static)),
	    WS_E_INVALID_FORMAT);
	others_served();
}
END_TEST

struct acceptor {
	WS_LISTENER	*l;
	WS_CHANNEL	*ch;
	HRESULT		 hr;
};

static HRESULT
acceptor_run(void *arg)
{
	struct acceptor *a = arg;

	return WsAcceptChannel(a->l, a->ch, NULL, NULL);
}

/* A listener with CONNECT_TIMEOUT `ms` on a free port. */
static WS_LISTENER *
listener_with_timeout(ULONG ms, uint16_t *port)
{
	WS_LISTENER_PROPERTY lp = { WS_LISTENER_PROPERTY_CONNECT_TIMEOUT, &ms,
	    sizeof(ms) };
	WS_LISTENER *l = NULL;
	WS_STRING url;
	char buf[64];

	ck_assert_int_eq(harness_free_port(port), 0);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, &lp, 1, NULL, &l, NULL), S_OK);
	harness_url(buf, sizeof(buf), *port, "x");
	url = harness_ws_string(buf);
	HR_EQ(WsOpenListener(l, &url, NULL, NULL), S_OK);
	free(url.chars);
	return l;
}

/* A healthy client completes `s`'s accept running in `bg`; one message. */
static void
healthy_client_accepted(struct harness_bg *bg, WS_CHANNEL *s, uint16_t port)
{
	ULONG ct = 3000;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT, &ct,
	    sizeof(ct) };
	struct harness_msg m = { 0 }, r = { 0 };
	WS_CHANNEL *c = NULL;
	HRESULT hr;

	/* Far below the listener's CONNECT_TIMEOUT in these tests: a peer
	 * ahead of this one must not make it wait for that. */
	HR_EQ(harness_tcp_channel(&c, &prop, 1), S_OK);
	HR_EQ(harness_open(c, port, NULL, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(harness_send_int32(c, &m, 9, NULL), S_OK);
	HR_EQ(harness_receive(s, &r, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(r.value, 9);
	harness_msg_free(&m);
	harness_msg_free(&r);
	WsFreeChannel(c);
}

/*
 * Garbage instead of a preamble: the connection is closed and the accept
 * that took it fails with WS_E_INVALID_FORMAT; the listener stays OPEN
 * and its next accept serves a healthy client.
 */
START_TEST(garbage_preamble)
{
	uint8_t junk[256];
	struct acceptor a;
	struct harness_bg *bg;
	uint16_t port;
	HRESULT hr;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(0x9d * i + 0x31);
	junk[0] = 0x7e;			/* no record type of the framing */
	a.l = listener_with_timeout(5000, &port);
	HR_EQ(WsCreateChannelForListener(a.l, NULL, 0, &a.ch, NULL), S_OK);
	ck_assert_ptr_nonnull(bg = harness_bg_start(acceptor_run, &a));
	ck_assert(harness_wait_channel_state(a.ch, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(harness_raw_write(fd, junk, sizeof(junk)), 0);
	ck_assert_int_eq(harness_raw_wait_eof(fd, T_MS), 0);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, WS_E_INVALID_FORMAT);
	STATE_EQ(a.ch, WS_CHANNEL_STATE_FAULTED);
	close(fd);
	WsFreeChannel(a.ch);
	ck_assert_int_eq(harness_listener_state(a.l), WS_LISTENER_STATE_OPEN);

	HR_EQ(WsCreateChannelForListener(a.l, NULL, 0, &a.ch, NULL), S_OK);
	ck_assert_ptr_nonnull(bg = harness_bg_start(acceptor_run, &a));
	healthy_client_accepted(bg, a.ch, port);
	WsFreeChannel(a.ch);
	WsFreeListener(a.l);
}
END_TEST

/*
 * A peer that trickles a valid preamble, one byte every 40 ms, never
 * finishes within the listener's CONNECT_TIMEOUT (300 ms): it is cut off,
 * and the accept it held goes on to serve a healthy client.
 */
START_TEST(slow_preamble_cut)
{
	/* Version 1.0, duplex, Via "net.tcp://x/", UTF-8, PreambleEnd. */
	static const uint8_t pre[] = { 0x00, 0x01, 0x00, 0x01, 0x02, 0x02,
	    0x0c, 'n', 'e', 't', '.', 't', 'c', 'p', ':', '/', '/', 'x', '/',
	    0x03, 0x03, 0x0c };
	struct acceptor a;
	struct harness_bg *bg;
	uint16_t port;
	size_t i;
	int fd, cut = 0;

	a.l = listener_with_timeout(300, &port);
	HR_EQ(WsCreateChannelForListener(a.l, NULL, 0, &a.ch, NULL), S_OK);
	ck_assert_ptr_nonnull(bg = harness_bg_start(acceptor_run, &a));
	ck_assert(harness_wait_channel_state(a.ch, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	for (i = 0; i < sizeof(pre) && !cut; i++) {
		if (write_some(fd, pre + i, 1) != 1)
			cut = 1;
		else
			harness_sleep_ms(40);
	}
	ck_assert_int_eq(harness_raw_wait_eof(fd, T_MS), 0);
	close(fd);
	STATE_EQ(a.ch, WS_CHANNEL_STATE_ACCEPTING);
	healthy_client_accepted(bg, a.ch, port);
	WsFreeChannel(a.ch);
	WsFreeListener(a.l);
}
END_TEST

/*
 * Slow peers that connected first (one byte of preamble each, then
 * nothing) do not stand between a waiting accept and a healthy client:
 * preambles are read side by side, and the first one complete is
 * accepted, long before the listener's CONNECT_TIMEOUT cuts the others.
 */
START_TEST(slow_peers_ahead_of_healthy_client)
{
	enum { SLOW = 6 };
	struct acceptor a;
	struct harness_bg *bg;
	uint8_t b = 0x00;
	uint16_t port;
	int fd[SLOW], i;

	a.l = listener_with_timeout(8000, &port);
	HR_EQ(WsCreateChannelForListener(a.l, NULL, 0, &a.ch, NULL), S_OK);
	ck_assert_ptr_nonnull(bg = harness_bg_start(acceptor_run, &a));
	ck_assert(harness_wait_channel_state(a.ch, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	for (i = 0; i < SLOW; i++) {
		ck_assert_int_ge(fd[i] = harness_tcp_connect(port), 0);
		ck_assert_int_eq(harness_raw_write(fd[i], &b, 1), 0);
	}
	harness_sleep_ms(100);
	healthy_client_accepted(bg, a.ch, port);
	for (i = 0; i < SLOW; i++)
		close(fd[i]);
	WsFreeChannel(a.ch);
	WsFreeListener(a.l);
}
END_TEST

/*
 * Concurrent async sends toward a peer that never reads: the daemon queues
 * a bounded amount (the first sends wait), refuses the rest with
 * WS_E_QUOTA_EXCEEDED and keeps the channel OPEN.  An abort then ends the
 * waiting ones: every send ends exactly once, and the daemon stays small.
 */
START_TEST(async_sends_to_non_reader)
{
	enum { N = 100, CHARS = 400000 };
	ULONG max = 1 << 20;
	WS_CHANNEL_PROPERTY prop = {
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max, sizeof(max) };
	static struct harness_async a[N];
	static struct harness_msg m[N];
	static HRESULT ret[N];
	struct harness_raw_server rs;
	WS_CHANNEL *ch = NULL;
	int i, quota = 0, waiting = 0;
	long before;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 4096), 0);
	before = harness_daemon_rss_kib();
	memset(m, 0, sizeof(m));
	for (i = 0; i < N; i++) {
		harness_async_init(&a[i]);
		ret[i] = harness_send_text(ch, &m[i], CHARS, &a[i].ctx);
	}
	for (i = 0; i < N; i++) {
		if (ret[i] == WS_S_ASYNC && harness_async_wait(&a[i], 1, 200) == 1)
			ret[i] = a[i].hr;
		if (ret[i] == WS_E_QUOTA_EXCEEDED)
			quota++;
		else if (ret[i] == WS_S_ASYNC)
			waiting++;
		else
			ck_assert_msg(ret[i] == S_OK, "send %d: %s", i,
			    harness_hr_name(ret[i]));
	}
	ck_assert_int_gt(quota, 0);
	ck_assert_int_gt(waiting, 0);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	RSS_GREW_LESS(before, 24 * 1024);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	for (i = 0; i < N; i++) {
		if (ret[i] != WS_S_ASYNC)
			continue;
		ck_assert_int_eq(harness_async_wait(&a[i], 1, T_MS), 1);
		HR_EQ(a[i].hr, WS_E_OPERATION_ABORTED);
	}
	harness_sleep_ms(50);
	for (i = 0; i < N; i++) {
		ck_assert_int_le(harness_async_calls(&a[i]), 1);
		if (ret[i] == WS_S_ASYNC || a[i].calls == 1)
			ck_assert_int_eq(harness_async_calls(&a[i]), 1);
	}
	for (i = 0; i < N; i++) {
		harness_msg_free(&m[i]);
		harness_async_destroy(&a[i]);
	}
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* ---- name lookups that never end ------------------------------------------ */

/* A name server of the test's own that reads queries and never answers
 * (WSCHANNEL_RESOLV_CONF points the daemon's resolver at it). */
static int dns_fd = -1;

static void
setup_silent_dns(void)
{
	ck_assert_int_ge(dns_fd = harness_silent_dns_start(), 0);
	harness_fixture_setup();
}

static void
teardown_silent_dns(void)
{
	harness_fixture_teardown();
	harness_silent_dns_stop();
	dns_fd = -1;
}

/* RESOLVE_TIMEOUT INFINITE (the TCP default) and a lookup that never
 * ends: CONNECT_TIMEOUT still ends the open, TIMED_OUT and FAULTED. */
START_TEST(connect_timeout_covers_lookup)
{
	ULONG ct = 400;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT, &ct,
	    sizeof(ct) };
	struct pollfd pfd = { 0, POLLIN, 0 };
	WS_CHANNEL *ch = NULL;

	pfd.fd = dns_fd;
	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	HR_EQ(harness_open_url(ch, "net.tcp://silent.wschannel.test:808/x",
	    NULL, NULL), WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	/* It was the lookup that hung: the query reached the name server. */
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	WsFreeChannel(ch);
}
END_TEST

/*
 * A listener URL with a host name listens on the wildcard address, as
 * WsOpenListener documents for TCP: no lookup (the silent name server
 * sees no query), the open succeeds, and a client reaches it on 127.0.0.1.
 */
START_TEST(listener_host_name_not_looked_up)
{
	struct pollfd pfd = { 0, POLLIN, 0 };
	struct harness_bg *bg;
	struct acceptor a;
	WS_STRING url;
	char buf[96];
	uint16_t port;

	pfd.fd = dns_fd;
	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &a.l, NULL), S_OK);
	snprintf(buf, sizeof(buf), "net.tcp://silent.wschannel.test:%u/x",
	    (unsigned)port);
	url = harness_ws_string(buf);
	HR_EQ(WsOpenListener(a.l, &url, NULL, NULL), S_OK);
	free(url.chars);
	ck_assert_int_eq(poll(&pfd, 1, 200), 0);
	HR_EQ(WsCreateChannelForListener(a.l, NULL, 0, &a.ch, NULL), S_OK);
	ck_assert_ptr_nonnull(bg = harness_bg_start(acceptor_run, &a));
	healthy_client_accepted(bg, a.ch, port);
	WsFreeChannel(a.ch);
	WsFreeListener(a.l);
}
END_TEST

/* ---- the control door ------------------------------------------------------ */

static int
control_connect(void)
{
	int fd;

	ck_assert_int_ge(fd = harness_control_connect(), 0);
	return fd;
}

/*
 * A client that sends requests and never reads a reply: the daemon stops
 * reading it once its replies pile up (its writes then block), costs a
 * bounded amount of memory, and serves everyone else meanwhile.
 */
START_TEST(control_client_never_reads)
{
	enum { BATCH = 512, LIMIT = 48 * 1024 * 1024 };
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetStatistics gs = WSCHANNEL__GET_STATISTICS__INIT;
	uint8_t one[64], *buf;
	size_t n, len, off = 0, sent = 0;
	uint64_t deadline;
	long before;
	ssize_t w;
	int fd, stalls = 0, i;

	rq.op_case = WSCHANNEL__REQUEST__OP_GET_STATISTICS;
	rq.get_statistics = &gs;
	rq.id = 1;
	n = wschannel__request__get_packed_size(&rq);
	ck_assert_uint_le(n + FRAME_HEADER_SIZE, sizeof(one));
	frame_header_write(one, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(&rq, one + FRAME_HEADER_SIZE);
	len = (n + FRAME_HEADER_SIZE) * BATCH;
	ck_assert_ptr_nonnull(buf = malloc(len));
	for (i = 0; i < BATCH; i++)
		memcpy(buf + (size_t)i * (n + FRAME_HEADER_SIZE), one,
		    n + FRAME_HEADER_SIZE);
	fd = control_connect();
	before = harness_daemon_rss_kib();
	deadline = harness_now_us() + 20000000;
	while (sent < LIMIT && harness_now_us() < deadline) {
		w = write_some(fd, buf + off, len - off);
		ck_assert_int_ge(w, 0);
		if (w == 0) {
			if (++stalls == 50)
				break;
			harness_sleep_ms(10);
			continue;
		}
		stalls = 0;
		sent += (size_t)w;
		off = (off + (size_t)w) % len;
	}
	ck_assert_msg(sent < LIMIT, "the daemon read %zu bytes of requests "
	    "from a client that reads nothing", sent);
	RSS_GREW_LESS(before, 40 * 1024);
	others_served();
	close(fd);
	free(buf);
	others_served();
}
END_TEST

static void
control_write(int fd, Wschannel__Request *rq)
{
	uint8_t buf[512];
	size_t n = wschannel__request__get_packed_size(rq);

	ck_assert_uint_le(n + FRAME_HEADER_SIZE, sizeof(buf));
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(rq, buf + FRAME_HEADER_SIZE);
	ck_assert_int_eq(harness_raw_write(fd, buf, n + FRAME_HEADER_SIZE), 0);
}

/* The next frame on the control socket, as a Reply for request `id`. */
static Wschannel__Reply *
control_read(int fd, uint64_t id)
{
	uint8_t hdr[FRAME_HEADER_SIZE], *buf;
	struct frame_header fh;
	Wschannel__Reply *r;

	ck_assert_int_eq(harness_raw_read_full(fd, hdr, sizeof(hdr), T_MS), 0);
	ck_assert_int_eq(frame_header_parse(hdr, &fh, NULL), 0);
	ck_assert_int_eq(fh.kind, FRAME_REPLY);
	ck_assert_ptr_nonnull(buf = malloc(fh.length + 1));
	ck_assert_int_eq(harness_raw_read_full(fd, buf, fh.length, T_MS), 0);
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, fh.length,
	    buf));
	free(buf);
	ck_assert_uint_eq(r->id, id);
	return r;
}

/*
 * Reading requests stops at 8 MiB of unread replies, but operations
 * already pending keep completing: a client with hundreds of receives
 * pending that never reads is cut off at CONTROL_OUTPUT_MAX (32 MiB).
 * Its channel is then aborted like a vanished client's, so the peer
 * feeding those receives sees its connection end before it sent all.
 */
START_TEST(control_replies_pile_up)
{
	enum { N = 800, CHARS = 60000 };
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__OpenChannel oc = WSCHANNEL__OPEN_CHANNEL__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__Property prop = WSCHANNEL__PROPERTY__INIT, *props[1];
	Wschannel__Reply *r;
	char url[64], *body, *env;
	uint16_t port;
	uint64_t ch;
	size_t len;
	long before;
	int fd, lfd, tfd, i, sent;

	fd = control_connect();
	prop.id = WS_CHANNEL_PROPERTY_ENCODING;
	prop.has_u = 1;
	prop.u = WS_ENCODING_XML_UTF8;
	props[0] = &prop;
	cc.type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	cc.binding = WS_TCP_CHANNEL_BINDING;
	cc.n_properties = 1;
	cc.properties = props;
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	control_write(fd, &rq);
	r = control_read(fd, 1);
	ck_assert_uint_eq(r->hresult, S_OK);
	ch = r->created;
	wschannel__reply__free_unpacked(r, NULL);

	ck_assert_int_ge(lfd = harness_tcp_listener(&port, 4), 0);
	snprintf(url, sizeof(url), "net.tcp://127.0.0.1:%u/x", (unsigned)port);
	oc.channel = ch;
	oc.url = url;
	rq.id = 2;
	rq.op_case = WSCHANNEL__REQUEST__OP_OPEN_CHANNEL;
	rq.open_channel = &oc;
	control_write(fd, &rq);
	ck_assert_int_ge(tfd = harness_raw_accept(lfd, T_MS), 0);
	ck_assert_int_eq(harness_nmf_read_preamble(tfd, T_MS, NULL, 0, NULL),
	    0);
	ck_assert_int_eq(harness_nmf_write_ack(tfd), 0);
	r = control_read(fd, 2);
	ck_assert_uint_eq(r->hresult, S_OK);
	wschannel__reply__free_unpacked(r, NULL);

	ref.id = ch;
	rq.op_case = WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE;
	rq.receive_message = &ref;
	for (i = 0; i < N; i++) {
		rq.id = 100 + (uint64_t)i;
		control_write(fd, &rq);
	}
	harness_sleep_ms(200);

	ck_assert_ptr_nonnull(body = malloc(CHARS + 64));
	len = (size_t)snprintf(body, 64, "<value xmlns=\"urn:wschannel-test\">");
	memset(body + len, 'a', CHARS);
	strcpy(body + len + CHARS, "</value>");
	ck_assert_ptr_nonnull(env = harness_soap12_envelope(
	    HARNESS_ACTION_TEXT, body));
	len = strlen(env);
	before = harness_daemon_rss_kib();
	for (sent = 0; sent < N; sent++)
		if (harness_nmf_write_envelope(tfd, env, len) < 0)
			break;
	ck_assert_msg(sent < N, "all %d messages went to a client that "
	    "reads nothing", N);
	RSS_GREW_LESS(before, 64 * 1024);
	free(env);
	free(body);
	close(tfd);
	close(lfd);
	close(fd);
	others_served();
}
END_TEST

/* ---- a client killed in the middle of a call ------------------------------ */

/*
 * abort_client holds channels to our listener, blocked in a receive, and
 * is killed: the daemon aborts what it owned (the list of channels loses
 * them), our accepted ends see the connection end, and the daemon serves
 * the next client.
 */
START_TEST(client_killed_mid_call)
{
	enum { N = 3 };
	struct harness_channel_row rows[64];
	struct harness_msg r = { 0 };
	struct acceptor acc[N];
	struct harness_bg *bg[N];
	char url[96], line[64], *argv[5], nbuf[8];
	WS_LISTENER *l;
	uint16_t port;
	HRESULT hr;
	pid_t pid;
	int outfd, i, before, after = -1;
	uint64_t deadline;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < N; i++) {
		acc[i].l = l;
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &acc[i].ch, NULL),
		    S_OK);
		ck_assert_ptr_nonnull(bg[i] = harness_bg_start(acceptor_run,
		    &acc[i]));
	}
	before = harness_list_channels(rows, 64);
	harness_url(url, sizeof(url), port, "x");
	snprintf(nbuf, sizeof(nbuf), "%d", N);
	argv[0] = harness_build_path("tests/abort_client");
	argv[1] = "hold";
	argv[2] = url;
	argv[3] = nbuf;
	argv[4] = NULL;
	ck_assert_int_gt(pid = harness_spawn(argv, &outfd), 0);
	ck_assert_int_eq(harness_read_line(outfd, line, sizeof(line), T_MS), 0);
	ck_assert_int_eq(strncmp(line, "ready", 5), 0);
	for (i = 0; i < N; i++) {
		ck_assert(harness_bg_wait(bg[i], T_MS, &hr));
		HR_EQ(hr, S_OK);
	}
	ck_assert_int_eq(harness_list_channels(rows, 64), before + N);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_ge(harness_wait_pid(pid, T_MS), 0);
	close(outfd);
	/* Its channels are gone from the daemon... */
	deadline = harness_now_us() + 1000ull * T_MS;
	while (harness_now_us() < deadline &&
	    (after = harness_list_channels(rows, 64)) != before)
		harness_sleep_ms(20);
	ck_assert_int_eq(after, before);
	/* ... and our ends learn that the peer is gone. */
	for (i = 0; i < N; i++) {
		hr = harness_receive(acc[i].ch, &r, HARNESS_BODY_INT, NULL);
		ck_assert_msg(hr == WS_E_ENDPOINT_DISCONNECTED,
		    "accepted end %d: %s", i, harness_hr_name(hr));
		STATE_EQ(acc[i].ch, WS_CHANNEL_STATE_FAULTED);
		WsFreeChannel(acc[i].ch);
	}
	harness_msg_free(&r);
	free(argv[0]);
	WsFreeListener(l);
	others_served();
}
END_TEST

static Suite *
fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc;

	tc = tcase_create("peers");
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, size_record_2gb);
	tcase_add_test(tc, endless_records_bounded);
	tcase_add_test(tc, hostile_binary_xml);
	tcase_add_test(tc, garbage_preamble);
	tcase_add_test(tc, slow_preamble_cut);
	tcase_add_test(tc, slow_peers_ahead_of_healthy_client);
	tcase_add_test(tc, async_sends_to_non_reader);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookups");
	tcase_add_checked_fixture(tc, setup_silent_dns, teardown_silent_dns);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, connect_timeout_covers_lookup);
	tcase_add_test(tc, listener_host_name_not_looked_up);
	suite_add_tcase(s, tc);

	tc = tcase_create("clients");
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, control_client_never_reads);
	tcase_add_test(tc, control_replies_pile_up);
	tcase_add_test(tc, client_killed_mid_call);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fault_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
