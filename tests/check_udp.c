/*
 * soap.udp through a private wschanneld: unicast over IPv4 and IPv6
 * loopback, accept and abort in every state, timeouts, oversize sends,
 * malformed datagrams dropped and counted, the captured datagrams of
 * ../shared/vectors/soap.udp-capture.txt replayed byte for byte.
 * Multicast, gSOAP and the WS-Discovery example: check_udp_mcast.c.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "check_udp.h"
#include "frame.h"
#include "harness.h"
#include "wschannel.pb-c.h"

/* ---- raw UDP peers ------------------------------------------------------ */

/* A UDP socket on the loopback address of `family`, any port; fd, *port. */
int
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

void
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
ssize_t
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

WS_CHANNEL *
udp_channel(const WS_CHANNEL_PROPERTY *props, ULONG n)
{
	WS_CHANNEL *ch = NULL;

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    props, n, NULL, &ch, NULL), S_OK);
	return ch;
}

/* A DUPLEX UDP listener OPEN on `host` (a literal, "+", or a group) and
 * a free port; *port gets it. */
WS_LISTENER *
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

WS_LISTENER *
udp_listener(const char *host, uint16_t *port)
{
	return udp_listener_props(host, port, NULL, 0);
}

HRESULT
open_to(WS_CHANNEL *ch, const char *host, uint16_t port)
{
	char buf[128];

	snprintf(buf, sizeof(buf), strchr(host, ':') != NULL ?
	    "soap.udp://[%s]:%u/x" : "soap.udp://%s:%u/x", host, port);
	return harness_open_url(ch, buf, NULL, NULL);
}

/* Accepts one channel of `l` (blocking). */
WS_CHANNEL *
accept_one(WS_LISTENER *l)
{
	WS_CHANNEL *s = NULL;

	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, s, NULL, NULL), S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	return s;
}

int32_t
receive_int(WS_CHANNEL *ch)
{
	struct harness_msg m = { 0 };
	int32_t v;

	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	v = m.value;
	harness_msg_free(&m);
	return v;
}

void
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

void
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

void
setup(void)
{
	ck_assert_int_eq(harness_daemon_start(), 0);
}

void
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
long
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

/* GetStatistics' datagrams_dropped, asked over the control socket the
 * way any client may (one frame each way). */
uint64_t
stats_dropped(void)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetStatistics gs = WSCHANNEL__GET_STATISTICS__INIT;
	Wschannel__Reply *r;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct frame_header fh;
	uint8_t buf[1024];
	uint64_t v;
	size_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    harness_socket_path());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_STATISTICS;
	rq.get_statistics = &gs;
	n = wschannel__request__get_packed_size(&rq);
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(&rq, buf + FRAME_HEADER_SIZE);
	ck_assert_int_eq(harness_raw_write(fd, buf, FRAME_HEADER_SIZE + n), 0);
	ck_assert_int_eq(harness_raw_read_full(fd, buf, FRAME_HEADER_SIZE,
	    5000), 0);
	ck_assert_int_eq(frame_header_parse(buf, &fh, NULL), 0);
	ck_assert_uint_le(fh.length, sizeof(buf));
	ck_assert_int_eq(harness_raw_read_full(fd, buf, fh.length, 5000), 0);
	r = wschannel__reply__unpack(NULL, fh.length, buf);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT_STATISTICS);
	ck_assert(r->statistics->has_datagrams_dropped);
	v = r->statistics->datagrams_dropped;
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
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
	/* Daemon-wide: the listener's 9 and the channel's 1. */
	ck_assert_uint_eq(stats_dropped(), 10);
	close(fd);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* RESOLVE_TIMEOUT at open: a name server that never answers
 * (WSCHANNEL_RESOLV_CONF points the daemon's resolver at a bound UDP
 * socket nobody reads). */
static int dns_fd = -1;

static void
setup_silent_dns(void)
{
	ck_assert_int_ge(dns_fd = harness_silent_dns_start(), 0);
	setup();
}

static void
teardown_silent_dns(void)
{
	teardown();
	harness_silent_dns_stop();
	dns_fd = -1;
}

/* The lookup hangs: the open ends with WS_E_OPERATION_TIMED_OUT once
 * RESOLVE_TIMEOUT passes, the channel is FAULTED, and it really was the
 * lookup (the query reached the name server). */
START_TEST(resolve_timeout)
{
	ULONG rt = 300;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT, &rt,
	    sizeof(rt) };
	WS_CHANNEL_STATE st = WS_CHANNEL_STATE_CREATED;
	struct pollfd pfd = { 0, POLLIN, 0 };
	WS_CHANNEL *c = udp_channel(&prop, 1);

	pfd.fd = dns_fd;
	HR_EQ(harness_open_url(c, "soap.udp://silent.wschannel.test:3702/x",
	    NULL, NULL), WS_E_OPERATION_TIMED_OUT);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), S_OK);
	ck_assert_int_eq(st, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	WsFreeChannel(c);
}
END_TEST

/* ---- the captured datagrams ------------------------------------------------- */

/* The vector `id`, after checking its size and SHA-256 against the
 * capture's (sha256sum over a file of its bytes). */
const struct udp_vector *
vector(const char *id)
{
	const struct udp_vector *v;
	char path[512], *out = NULL;
	char *argv[] = { "sha256sum", path, NULL };
	int fd, status;

	for (v = udp_vectors; v->id != NULL; v++)
		if (strcmp(v->id, id) == 0)
			break;
	ck_assert_ptr_nonnull(v->id);
	snprintf(path, sizeof(path), "%s/vector-%s", harness_dir(), id);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, v->payload, v->size), (ssize_t)v->size);
	close(fd);
	if (harness_have_program("sha256sum")) {
		argv[0] = "/usr/bin/sha256sum";
		if (access(argv[0], X_OK) != 0)
			argv[0] = "/bin/sha256sum";
		ck_assert_int_eq(harness_run(argv, 10000, &out, &status), 0);
		ck_assert_int_eq(status, 0);
		ck_assert_msg(strncmp(out, v->sha256, 64) == 0,
		    "vector %s: sha256 %.64s, the capture says %s", id, out,
		    v->sha256);
		free(out);
	}
	unlink(path);
	return v;
}

static WS_XML_STRING ping_action = WS_XML_STRING_VALUE("urn:wsprobe/Ping");
static WS_XML_STRING text_name = WS_XML_STRING_VALUE("text");
static WS_XML_STRING probe_ns = WS_XML_STRING_VALUE("urn:wsprobe");
static WS_ELEMENT_DESCRIPTION text_elem = { &text_name, &probe_ns,
    WS_WSZ_TYPE, NULL };
WS_MESSAGE_DESCRIPTION ping_desc = { &ping_action, &text_elem };

/* Receives a Ping and returns its text (malloc'd ASCII); the message
 * stays in *msg for a reply. */
char *
receive_ping(WS_CHANNEL *ch, WS_MESSAGE **msg, WS_HEAP *heap)
{
	const WS_MESSAGE_DESCRIPTION *descs[] = { &ping_desc };
	WCHAR *text = NULL;
	char *s;
	size_t i, n;

	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, msg, NULL), S_OK);
	HR_EQ(WsReceiveMessage(ch, *msg, descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_POINTER, heap, &text, sizeof(text), NULL, NULL,
	    NULL), S_OK);
	for (n = 0; text[n] != 0; n++)
		;
	s = malloc(n + 1);
	for (i = 0; i < n; i++)
		s[i] = (char)text[i];
	s[n] = '\0';
	return s;
}

/* A header of the message being read, as ASCII into buf. */
void
header_str(WS_MESSAGE *msg, WS_HEAP *heap, WS_HEADER_TYPE type, char *buf,
    size_t len)
{
	WCHAR *v = NULL;
	size_t i;

	HR_EQ(WsGetHeader(msg, type, WS_WSZ_TYPE, WS_READ_REQUIRED_POINTER,
	    heap, &v, sizeof(v), NULL), S_OK);
	for (i = 0; v[i] != 0 && i + 1 < len; i++)
		buf[i] = (char)v[i];
	buf[i] = '\0';
}

/* The gSOAP requests (SOAP 1.2 and 1.1) and Mono's (BOM + declaration)
 * reach an accept as they are; the reply leaves from the listener's port
 * to the request's source, in the request's SOAP version, RelatesTo its
 * MessageID. */
START_TEST(vectors_requests)
{
	static const struct {
		const char *id, *ns, *message_id;
	} reqs[] = {
		{ "A1", "http://www.w3.org/2003/05/soap-envelope",
		    "urn:uuid:f0362de9-1787-4e12-ab8b-4567327b23c6" },
		{ "B1", "http://schemas.xmlsoap.org/soap/envelope/",
		    "urn:uuid:f161ef7f-1787-4e12-ab8b-4567327b23c6" },
		{ "D1", "http://www.w3.org/2003/05/soap-envelope",
		    "urn:uuid:2839a984-0764-4aa8-a1b1-138642984042" },
	};
	ULONG zero = 0;
	WS_LISTENER_PROPERTY lp = {
	    WS_LISTENER_PROPERTY_TO_HEADER_MATCHING_OPTIONS, &zero,
	    sizeof(zero) };
	static char buf[70000];
	WS_LISTENER *l;
	WS_CHANNEL *s;
	WS_MESSAGE *req, *rep;
	WS_HEAP *heap;
	char *text, want[128];
	uint16_t port, rport, src;
	int fd = raw_udp(AF_INET, &rport);
	size_t i;

	/* The captures were addressed to other ports: To is not matched. */
	l = udp_listener_props("127.0.0.1", &port, &lp, 1);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		const struct udp_vector *v = vector(reqs[i].id);

		raw_send_to(fd, "127.0.0.1", port, v->payload, v->size);
		s = accept_one(l);
		text = receive_ping(s, &req, heap);
		ck_assert_str_eq(text, "hello from wsprobe client");
		free(text);
		header_str(req, heap, WS_MESSAGE_ID_HEADER, want, sizeof(want));
		ck_assert_str_eq(want, reqs[i].message_id);
		HR_EQ(WsCreateMessageForChannel(s, NULL, 0, &rep, NULL), S_OK);
		{
			WCHAR *reply = harness_ws_string(
			    "reply from wsprobe server").chars;

			HR_EQ(WsSendReplyMessage(s, rep, &ping_desc,
			    WS_WRITE_REQUIRED_POINTER, &reply, sizeof(reply),
			    req, NULL, NULL), S_OK);
			free(reply);
		}
		ck_assert_int_gt(raw_recv(fd, buf, sizeof(buf), &src, 5000), 0);
		ck_assert_int_eq(src, port);
		ck_assert_msg(strstr(buf, reqs[i].ns) != NULL, "%s", buf);
		snprintf(want, sizeof(want), "RelatesTo>%s<",
		    reqs[i].message_id);
		ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
		ck_assert_msg(strstr(buf, "reply from wsprobe server") != NULL,
		    "%s", buf);
		/* We send no declaration, no BOM (bindings.md). */
		ck_assert_msg(strncmp(buf, "<?xml", 5) != 0 &&
		    (unsigned char)buf[0] != 0xef, "%s", buf);
		WsFreeMessage(req);
		WsFreeMessage(rep);
		WsResetHeap(heap, NULL);
		WsFreeChannel(s);
	}
	WsFreeHeap(heap);
	close(fd);
	WsFreeListener(l);
}
END_TEST

/* A reply sent to a ReplyTo that is a soap.udp URL goes there, not to the
 * datagram's source. */
START_TEST(reply_to_address)
{
	ULONG zero = 0;
	WS_LISTENER_PROPERTY lp = {
	    WS_LISTENER_PROPERTY_TO_HEADER_MATCHING_OPTIONS, &zero,
	    sizeof(zero) };
	const struct udp_vector *v = vector("A1");
	static char buf[4096], req[4096];
	const char *anon = "http://www.w3.org/2005/08/addressing/anonymous";
	WS_LISTENER *l;
	WS_CHANNEL *s;
	uint16_t port, p1, p2, src;
	int fd1 = raw_udp(AF_INET, &p1), fd2 = raw_udp(AF_INET, &p2);
	char *at, rt[64];

	l = udp_listener_props("127.0.0.1", &port, &lp, 1);
	/* A1 with its anonymous ReplyTo made soap.udp://127.0.0.1:<p2>. */
	at = strstr(v->payload, anon);
	ck_assert_ptr_nonnull(at);
	snprintf(rt, sizeof(rt), "soap.udp://127.0.0.1:%u", p2);
	snprintf(req, sizeof(req), "%.*s%s%s", (int)(at - v->payload),
	    v->payload, rt, at + strlen(anon));
	raw_send_to(fd1, "127.0.0.1", port, req, strlen(req));
	s = accept_one(l);
	send_int(s, 9);
	ck_assert_int_gt(raw_recv(fd2, buf, sizeof(buf), &src, 5000), 0);
	ck_assert_int_eq(src, port);
	ck_assert_msg(strstr(buf, ">9<") != NULL, "%s", buf);
	WsFreeChannel(s);
	close(fd1);
	close(fd2);
	WsFreeListener(l);
}
END_TEST

/* The server side of the captures answering our client channels: gSOAP's
 * replies (1.2 and 1.1) and wsdd's ProbeMatches in WS-Addressing 2004/08,
 * each with its declaration and line breaks. */
START_TEST(vectors_replies)
{
	static const struct {
		const char *id;
		WS_ENVELOPE_VERSION env;
		WS_ADDRESSING_VERSION addr;
		const char *action, *relates;
	} reps[] = {
		{ "A2", WS_ENVELOPE_VERSION_SOAP_1_2, WS_ADDRESSING_VERSION_1_0,
		    "urn:wsprobe/Ping",
		    "urn:uuid:f0362de9-1787-4e12-ab8b-4567327b23c6" },
		{ "B2", WS_ENVELOPE_VERSION_SOAP_1_1, WS_ADDRESSING_VERSION_1_0,
		    "urn:wsprobe/Ping",
		    "urn:uuid:f161ef7f-1787-4e12-ab8b-4567327b23c6" },
		{ "E5", WS_ENVELOPE_VERSION_SOAP_1_2, WS_ADDRESSING_VERSION_0_9,
		    "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches",
		    "urn:uuid:65b624dd-1086-49b1-896e-c550c1742c99" },
		{ "E9", WS_ENVELOPE_VERSION_SOAP_1_2, WS_ADDRESSING_VERSION_0_9,
		    "http://schemas.xmlsoap.org/ws/2005/04/discovery/ResolveMatches",
		    "urn:uuid:58f71057-9118-41cf-8265-a84b59811091" },
	};
	static char buf[4096];
	WS_CHANNEL_PROPERTY p[2];
	WS_CHANNEL *c;
	WS_MESSAGE *msg;
	WS_HEAP *heap;
	char got[128];
	uint16_t rport, cport;
	int fd = raw_udp(AF_INET, &rport);
	size_t i;

	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		const struct udp_vector *v = vector(reps[i].id);

		WS_ENVELOPE_VERSION env = reps[i].env;
		WS_ADDRESSING_VERSION addr = reps[i].addr;

		p[0] = (WS_CHANNEL_PROPERTY){
		    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION, &env, sizeof(env) };
		p[1] = (WS_CHANNEL_PROPERTY){
		    WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &addr, sizeof(addr) };
		c = udp_channel(p, 2);
		HR_EQ(open_to(c, "127.0.0.1", rport), S_OK);
		/* Our request tells the raw peer the channel's port. */
		send_int(c, 1);
		ck_assert_int_gt(raw_recv(fd, buf, sizeof(buf), &cport, 5000),
		    0);
		raw_send_to(fd, "127.0.0.1", cport, v->payload, v->size);
		HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &msg, NULL), S_OK);
		HR_EQ(WsReadMessageStart(c, msg, NULL, NULL), S_OK);
		header_str(msg, heap, WS_ACTION_HEADER, got, sizeof(got));
		ck_assert_str_eq(got, reps[i].action);
		header_str(msg, heap, WS_RELATES_TO_HEADER, got, sizeof(got));
		ck_assert_str_eq(got, reps[i].relates);
		HR_EQ(WsReadMessageEnd(c, msg, NULL, NULL), S_OK);
		WsFreeMessage(msg);
		WsResetHeap(heap, NULL);
		WsFreeChannel(c);
	}
	WsFreeHeap(heap);
	close(fd);
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

	tc = tcase_create("resolve");
	tcase_add_checked_fixture(tc, setup_silent_dns, teardown_silent_dns);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, resolve_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("vectors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vectors_requests);
	tcase_add_test(tc, reply_to_address);
	tcase_add_test(tc, vectors_replies);
	suite_add_tcase(s, tc);

	udp_mcast_tcases(s);
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
