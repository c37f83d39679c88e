/*
 * soap.udp through a private wschanneld: unicast over IPv4 and IPv6
 * loopback, accept and abort in every state, timeouts, oversize sends,
 * malformed datagrams dropped and counted, the captured datagrams of
 * ../shared/vectors/soap.udp-capture.txt replayed byte for byte, and
 * multicast inside a network namespace of the test's own.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "harness.h"

/* ---- raw UDP peers ------------------------------------------------------ */

/* A UDP socket bound to `host` (a literal) port 0; fd, *port. */
static int
raw_udp(int family, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void
raw_send_to(int fd, const char *host, uint16_t port, const void *buf,
    size_t len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		ck_assert_int_eq(sendto(fd, buf, len, 0,
		    (struct sockaddr *)&sin, sizeof(sin)), (ssize_t)len);
		return;
	}
	memset(&sin6, 0, sizeof(sin6));
	ck_assert_int_eq(inet_pton(AF_INET6, host, &sin6.sin6_addr), 1);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	ck_assert_int_eq(sendto(fd, buf, len, 0, (struct sockaddr *)&sin6,
	    sizeof(sin6)), (ssize_t)len);
}

/* One datagram within timeout_ms: its length (NUL-terminated in buf) and
 * source port, or -1. */
static ssize_t
raw_recv(int fd, char *buf, size_t len, uint16_t *srcport, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	n = recvfrom(fd, buf, len - 1, 0, (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (srcport != NULL)
		*srcport = ntohs(ss.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return n;
}

/* ---- WWSAPI helpers ------------------------------------------------------- */

static WS_CHANNEL *
udp_channel(const WS_CHANNEL_PROPERTY *props, ULONG n)
{
	WS_CHANNEL *ch = NULL;

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    props, n, NULL, &ch, NULL), S_OK);
	return ch;
}

/* A DUPLEX UDP listener OPEN on `host` (a literal, "+", or a group) and
 * a free port; *port gets it. */
static WS_LISTENER *
udp_listener_props(const char *host, uint16_t *port,
    const WS_LISTENER_PROPERTY *props, ULONG n)
{
	WS_LISTENER *l = NULL;
	WS_STRING url;
	char buf[128];
	HRESULT hr = E_FAIL;
	int i;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    props, n, NULL, &l, NULL), S_OK);
	for (i = 0; i < 5 && hr != S_OK; i++) {
		ck_assert_int_eq(harness_free_port(port), 0);
		snprintf(buf, sizeof(buf), strchr(host, ':') != NULL ?
		    "soap.udp://[%s]:%u/x" : "soap.udp://%s:%u/x", host, *port);
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
udp_listener(const char *host, uint16_t *port)
{
	return udp_listener_props(host, port, NULL, 0);
}

static HRESULT
open_to(WS_CHANNEL *ch, const char *host, uint16_t port)
{
	char buf[128];

	snprintf(buf, sizeof(buf), strchr(host, ':') != NULL ?
	    "soap.udp://[%s]:%u/x" : "soap.udp://%s:%u/x", host, port);
	return harness_open_url(ch, buf, NULL, NULL);
}

/* Accepts one channel of `l` (blocking). */
static WS_CHANNEL *
accept_one(WS_LISTENER *l)
{
	WS_CHANNEL *s = NULL;

	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, s, NULL, NULL), S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	return s;
}

static int32_t
receive_int(WS_CHANNEL *ch)
{
	struct harness_msg m = { 0 };
	int32_t v;

	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	v = m.value;
	harness_msg_free(&m);
	return v;
}

static void
send_int(WS_CHANNEL *ch, int32_t v)
{
	struct harness_msg m = { 0 };

	HR_EQ(harness_send_int32(ch, &m, v, NULL), S_OK);
	harness_msg_free(&m);
}

/* The accepted channel holds one message: the next receive ends. */
static void
assert_end(WS_CHANNEL *ch)
{
	struct harness_msg m = { .optional = true };

	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), WS_S_END);
	harness_msg_free(&m);
}

static void
remote_address(WS_CHANNEL *ch, char *buf, size_t len)
{
	WS_ENDPOINT_ADDRESS a;
	ULONG i;

	memset(&a, 0, sizeof(a));
	HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_REMOTE_ADDRESS, &a,
	    sizeof(a), NULL), S_OK);
	for (i = 0; i < a.url.length && i + 1 < len; i++)
		buf[i] = (char)a.url.chars[i];
	buf[i] = '\0';
}

static void
setup(void)
{
	ck_assert_int_eq(harness_daemon_start(), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(harness_daemon_stop(), 0);
}

/* ---- unicast ------------------------------------------------------------ */

/* Send, accept, one message then the end, a reply from the listener's port
 * back to the client, REMOTE_ADDRESS on both sides. */
static void
unicast_round_trip(const char *host)
{
	WS_LISTENER *l;
	WS_CHANNEL *c = udp_channel(NULL, 0), *s;
	char addr[128], want[128];
	uint16_t port;

	l = udp_listener(host, &port);
	/* No packet, no handshake: OPEN with nobody to talk to yet. */
	HR_EQ(open_to(c, host, port), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	remote_address(c, addr, sizeof(addr));
	snprintf(want, sizeof(want), strchr(host, ':') != NULL ?
	    "soap.udp://[%s]:%u/x" : "soap.udp://%s:%u/x", host, port);
	ck_assert_str_eq(addr, want);

	send_int(c, 41);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 41);
	assert_end(s);
	remote_address(s, addr, sizeof(addr));
	snprintf(want, sizeof(want), strchr(host, ':') != NULL ?
	    "soap.udp://[%s]:" : "soap.udp://%s:", host);
	ck_assert_msg(strncmp(addr, want, strlen(want)) == 0, "%s", addr);
	send_int(s, 42);
	ck_assert_int_eq(receive_int(c), 42);
	/* Close is immediate and sends nothing; the listener stays. */
	HR_EQ(WsCloseChannel(s, NULL, NULL), S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_CLOSED);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	send_int(c, 43);
	HR_EQ(WsResetChannel(s, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, s, NULL, NULL), S_OK);
	ck_assert_int_eq(receive_int(s), 43);
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
}

START_TEST(unicast_ipv4)
{
	unicast_round_trip("127.0.0.1");
}
END_TEST

START_TEST(unicast_ipv6)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	sin6.sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) != 0) {
		fprintf(stderr, "unicast_ipv6: skipped: no IPv6 loopback\n");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	unicast_round_trip("::1");
}
END_TEST

/* A wildcard listener ("+") takes IPv4 and IPv6 peers alike. */
START_TEST(wildcard_listener)
{
	WS_LISTENER *l;
	WS_CHANNEL *c = udp_channel(NULL, 0), *s;
	uint16_t port;

	l = udp_listener("+", &port);
	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	send_int(c, 7);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 7);
	send_int(s, 8);
	ck_assert_int_eq(receive_int(c), 8);
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* Bindings.md's types and encodings: DUPLEX only, UTF-8 only, the fixed
 * buffer size; shutdown is not for UDP. */
START_TEST(create_rules)
{
	WS_CHANNEL *ch = NULL;
	WS_LISTENER *l = NULL;
	WS_ENCODING bin = WS_ENCODING_XML_BINARY_1;
	ULONG small = 4096;
	WS_ADDRESSING_VERSION tr = WS_ADDRESSING_VERSION_TRANSPORT;
	WS_CHANNEL_PROPERTY p[1];
	uint16_t port;

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_OUTPUT, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &ch, NULL), E_INVALIDARG);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_INPUT, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l, NULL), E_INVALIDARG);
	p[0] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ENCODING, &bin,
	    sizeof(bin) };
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    p, 1, NULL, &ch, NULL), E_INVALIDARG);
	p[0] = (WS_CHANNEL_PROPERTY){
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &small,
	    sizeof(small) };
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    p, 1, NULL, &ch, NULL), E_INVALIDARG);
	p[0] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ADDRESSING_VERSION,
	    &tr, sizeof(tr) };
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    p, 1, NULL, &ch, NULL), E_INVALIDARG);
	ch = udp_channel(NULL, 0);
	/* REMOTE_ADDRESS exists in OPEN only. */
	{
		WS_ENDPOINT_ADDRESS a;

		HR_EQ(WsGetChannelProperty(ch,
		    WS_CHANNEL_PROPERTY_REMOTE_ADDRESS, &a, sizeof(a), NULL),
		    WS_E_INVALID_OPERATION);
	}
	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(open_to(ch, "127.0.0.1", port), S_OK);
	HR_EQ(WsShutdownSessionChannel(ch, NULL, NULL), WS_E_INVALID_OPERATION);
	WsFreeChannel(ch);
}
END_TEST

/* ---- abort in every state ------------------------------------------------- */

/* ACCEPTING: the accept ends ABORTED, the listener stays OPEN and its next
 * accept gets the next datagram. */
START_TEST(abort_accepting)
{
	struct harness_async a;
	WS_LISTENER *l;
	WS_CHANNEL *c = udp_channel(NULL, 0), *s = NULL, *s2;
	uint16_t port;
	HRESULT hr;

	l = udp_listener("127.0.0.1", &port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	harness_async_init(&a);
	hr = WsAcceptChannel(l, s, &a.ctx, NULL);
	HR_EQ(hr, WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(s, WS_CHANNEL_STATE_ACCEPTING,
	    5000));
	HR_EQ(WsAbortChannel(s, NULL), S_OK);
	ASYNC_EQ(&a, hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(s, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	/* Abort again, in FAULTED: S_OK, unchanged. */
	HR_EQ(WsAbortChannel(s, NULL), S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_FAULTED);

	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	send_int(c, 5);
	s2 = accept_one(l);
	ck_assert_int_eq(receive_int(s2), 5);
	WsFreeChannel(s2);
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
	harness_async_destroy(&a);
}
END_TEST

/* OPEN with a receive pending: it ends ABORTED, the channel FAULTED; then
 * close and reset make it reusable. */
START_TEST(abort_open_receive)
{
	struct harness_async a;
	struct harness_msg m = { 0 };
	WS_CHANNEL *c = udp_channel(NULL, 0);
	uint16_t port;
	HRESULT hr;

	ck_assert_int_eq(harness_free_port(&port), 0);
	/* CREATED: unchanged. */
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CREATED);
	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	harness_async_init(&a);
	hr = harness_receive(c, &m, HARNESS_BODY_INT, &a.ctx);
	HR_EQ(hr, WS_S_ASYNC);
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	ASYNC_EQ(&a, hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(harness_send_int32(c, &m, 1, NULL), WS_E_OBJECT_FAULTED);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CLOSED);
	/* CLOSED: unchanged. */
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CLOSED);
	HR_EQ(WsResetChannel(c, NULL), S_OK);
	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	harness_msg_free(&m);
	WsFreeChannel(c);
	harness_async_destroy(&a);
}
END_TEST

/* An accepted channel OPEN (its datagram unread) and one OPEN after the
 * read: abort faults each, the listener and its socket are untouched. */
START_TEST(abort_accepted_open)
{
	WS_LISTENER *l;
	WS_CHANNEL *c = udp_channel(NULL, 0), *s1, *s2, *s3;
	uint16_t port;

	l = udp_listener("127.0.0.1", &port);
	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	send_int(c, 1);
	send_int(c, 2);
	send_int(c, 3);
	s1 = accept_one(l);
	s2 = accept_one(l);
	HR_EQ(WsAbortChannel(s1, NULL), S_OK);
	STATE_EQ(s1, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(receive_int(s2), 2);
	HR_EQ(WsAbortChannel(s2, NULL), S_OK);
	STATE_EQ(s2, WS_CHANNEL_STATE_FAULTED);
	s3 = accept_one(l);
	ck_assert_int_eq(receive_int(s3), 3);
	send_int(s3, 30);
	ck_assert_int_eq(receive_int(c), 30);
	WsFreeChannel(s1);
	WsFreeChannel(s2);
	WsFreeChannel(s3);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* Closing or aborting the listener ends its waiting accepts. */
START_TEST(listener_abort_accepts)
{
	struct harness_async a;
	WS_LISTENER *l;
	WS_CHANNEL *s = NULL;
	uint16_t port;
	HRESULT hr;

	l = udp_listener("127.0.0.1", &port);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	harness_async_init(&a);
	hr = WsAcceptChannel(l, s, &a.ctx, NULL);
	HR_EQ(hr, WS_S_ASYNC);
	HR_EQ(WsAbortListener(l, NULL), S_OK);
	ASYNC_EQ(&a, hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(s, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_FAULTED);
	WsFreeChannel(s);
	WsFreeListener(l);
	harness_async_destroy(&a);
}
END_TEST

/* ---- timeouts and sizes ---------------------------------------------------- */

START_TEST(receive_timeout)
{
	ULONG ms = 200;
	WS_CHANNEL_PROPERTY p = { WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, &ms,
	    sizeof(ms) };
	WS_CHANNEL *c = udp_channel(&p, 1);
	struct harness_msg m = { 0 };
	uint16_t port;

	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	HR_EQ(harness_receive(c, &m, HARNESS_BODY_INT, NULL),
	    WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&m);
	WsFreeChannel(c);
}
END_TEST

/* A message that does not fit one datagram: QUOTA_EXCEEDED, nothing on
 * the wire, FAULTED.  The largest that fits goes through. */
START_TEST(oversize_send)
{
	WS_CHANNEL *c = udp_channel(NULL, 0);
	struct harness_msg m = { 0 };
	static char buf[70000];
	uint16_t port;
	int fd = raw_udp(AF_INET, &port);
	ssize_t n;

	HR_EQ(open_to(c, "127.0.0.1", port), S_OK);
	HR_EQ(harness_send_text(c, &m, 40000, NULL), S_OK);
	n = raw_recv(fd, buf, sizeof(buf), NULL, 5000);
	ck_assert_int_gt(n, 40000);
	ck_assert_int_le(n, 65507);
	HR_EQ(harness_send_text(c, &m, 66000, NULL), WS_E_QUOTA_EXCEEDED);
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	/* Nothing left: a later datagram of our own comes first. */
	raw_send_to(fd, "127.0.0.1", port, "mark", 4);
	n = raw_recv(fd, buf, sizeof(buf), NULL, 5000);
	ck_assert_int_eq(n, 4);
	harness_msg_free(&m);
	close(fd);
	WsFreeChannel(c);
}
END_TEST

/* The value of `key` ("DROPPED" column etc.) in wsctl's output: the
 * number after `key` in a line holding `needle`. */
static long
wsctl_number(const char *verb, const char *arg, const char *needle,
    int field)
{
	char *out = NULL, *line, *save = NULL, *tok;
	long v = -1;
	int status, i;

	ck_assert_int_eq(harness_wsctl(&out, &status, verb, arg, NULL), 0);
	ck_assert_int_eq(status, 0);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL;

		if (strstr(line, needle) == NULL)
			continue;
		for (i = 0, tok = strtok_r(line, " \t", &s2); tok != NULL;
		    tok = strtok_r(NULL, " \t", &s2), i++)
			if (i == field)
				v = strtol(tok, NULL, 10);
	}
	free(out);
	return v;
}

static const char good_env[] =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>"
    "<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/int</a:Action>"
    "<a:To s:mustUnderstand=\"1\">soap.udp://127.0.0.1:%u/x</a:To>"
    "</s:Header><s:Body><value xmlns=\"urn:wschannel-test\">%d</value>"
    "</s:Body></s:Envelope>";

/* Garbage, a cut envelope, a wrong To and a queue overflow are dropped
 * and counted; good datagrams still get through. */
START_TEST(malformed_dropped)
{
	WS_LISTENER *l;
	WS_CHANNEL *s, *c = udp_channel(NULL, 0);
	char env[1024], want[32], *out = NULL;
	uint16_t port, rport;
	int fd = raw_udp(AF_INET, &rport), i, status;
	long id;
	size_t n;

	l = udp_listener("127.0.0.1", &port);
	raw_send_to(fd, "127.0.0.1", port, "garbage", 7);
	n = (size_t)snprintf(env, sizeof(env), good_env, port, 1);
	raw_send_to(fd, "127.0.0.1", port, env, n / 2);
	/* Another port in To: not for this listener. */
	n = (size_t)snprintf(env, sizeof(env), good_env, port + 1, 2);
	raw_send_to(fd, "127.0.0.1", port, env, n);
	n = (size_t)snprintf(env, sizeof(env), good_env, port, 3);
	raw_send_to(fd, "127.0.0.1", port, env, n);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 3);
	WsFreeChannel(s);
	/* 64 wait in the queue without an accept, the rest is dropped. */
	for (i = 0; i < 70; i++) {
		n = (size_t)snprintf(env, sizeof(env), good_env, port, 100 + i);
		raw_send_to(fd, "127.0.0.1", port, env, n);
	}
	/* The listener's DROPPED column (the last one). */
	for (i = 0; i < 200; i++) {
		if (wsctl_number("list", NULL, "soap.udp://", 10) == 9)
			break;
		harness_sleep_ms(20);
	}
	ck_assert_int_eq(wsctl_number("list", NULL, "soap.udp://", 10), 9);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 100);
	WsFreeChannel(s);

	/* A client channel drops garbage too, and shows the count. */
	HR_EQ(open_to(c, "127.0.0.1", rport), S_OK);
	send_int(c, 0);
	ck_assert_int_gt(raw_recv(fd, env, sizeof(env), &port, 5000), 0);
	raw_send_to(fd, "127.0.0.1", port, "<not", 4);
	n = (size_t)snprintf(env, sizeof(env), good_env, port, 55);
	raw_send_to(fd, "127.0.0.1", port, env, n);
	ck_assert_int_eq(receive_int(c), 55);
	/* Its row in `wsctl list` names the raw peer as REMOTE. */
	snprintf(want, sizeof(want), "127.0.0.1:%u ", rport);
	id = wsctl_number("list", NULL, want, 0);
	ck_assert_int_gt(id, 0);
	snprintf(want, sizeof(want), "%ld", id);
	ck_assert_int_eq(harness_wsctl(&out, &status, "show", want, NULL), 0);
	ck_assert_msg(strstr(out, "dropped:      1\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "local:        0.0.0.0:") != NULL, "%s", out);
	free(out);
	close(fd);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

Suite *
udp_suite(void);

Suite *
udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc;

	tc = tcase_create("unicast");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, unicast_ipv4);
	tcase_add_test(tc, unicast_ipv6);
	tcase_add_test(tc, wildcard_listener);
	tcase_add_test(tc, create_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("abort");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, abort_accepting);
	tcase_add_test(tc, abort_open_receive);
	tcase_add_test(tc, abort_accepted_open);
	tcase_add_test(tc, listener_abort_accepts);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, receive_timeout);
	tcase_add_test(tc, oversize_send);
	tcase_add_test(tc, malformed_dropped);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(udp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
