/*
 * net.tcp at the system-call floor (issue 13): the daemon reads its
 * sockets itself (one readv per wake-up into a shared buffer, only a
 * partial record kept per connection), sends the preamble straight after
 * connect, takes peer addresses from connect and accept, and keeps the
 * listening socket armed between accepts.  What a user sees of it must
 * not change: refused connects, records cut anywhere, messages larger
 * than any one read, backpressure, peers that wait for an accept, and the
 * addresses the channels report.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
#define QUIET_MS	200	/* how long "nothing happens" is watched */

/* A SizedEnvelope record of `env` (malloc'd), its length in *len. */
static uint8_t *
floor_record(const char *env, size_t *len)
{
	size_t n = strlen(env), k = 0;
	uint32_t v = (uint32_t)n;
	uint8_t *r;

	ck_assert_ptr_nonnull(r = malloc(n + 6));
	r[k++] = 0x06;
	do {
		r[k] = v & 0x7f;
		v >>= 7;
		if (v != 0)
			r[k] |= 0x80;
		k++;
	} while (v != 0);
	memcpy(r + k, env, n);
	*len = k + n;
	return r;
}

/* Writes `p` one byte per write(2), each its own TCP segment. */
static void
floor_trickle(int fd, const uint8_t *p, size_t len)
{
	int on = 1;
	size_t i;

	ck_assert_int_eq(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
	    sizeof(on)), 0);
	for (i = 0; i < len; i++) {
		ck_assert_int_eq(harness_raw_write(fd, p + i, 1), 0);
		/* Often enough that the daemon wakes between bytes. */
		if (i % 8 == 0)
			harness_sleep_ms(1);
	}
}

/* The INT32 message `v` as a SizedEnvelope record. */
static uint8_t *
floor_int_record(int v, size_t *len)
{
	char body[128], *env;
	uint8_t *r;

	snprintf(body, sizeof(body),
	    "<value xmlns=\"urn:wschannel-test\">%d</value>", v);
	ck_assert_ptr_nonnull(env = harness_soap12_envelope(
	    HARNESS_ACTION_INT, body));
	r = floor_record(env, len);
	free(env);
	return r;
}

/* The port of a sockaddr that WsGetChannelProperty filled. */
static int
floor_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return -1;
}

/* ---- connect ------------------------------------------------------------------ */

/* The preamble goes out without waiting for the connect: a closed port
 * still fails the open with WS_E_ENDPOINT_NOT_FOUND, sync and async. */
START_TEST(refused_connect_not_found)
{
	struct harness_async a;
	WS_CHANNEL *ch = NULL;
	uint16_t port;
	HRESULT ret;

	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	HR_EQ(harness_open(ch, port, NULL, NULL), WS_E_ENDPOINT_NOT_FOUND);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(ch);

	ch = NULL;
	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	harness_async_init(&a);
	ret = harness_open(ch, port, &a.ctx, NULL);
	ASYNC_EQ(&a, ret, WS_E_ENDPOINT_NOT_FOUND);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	/* Exactly one completion, whichever way it came. */
	harness_sleep_ms(50);
	ck_assert_int_eq(harness_async_calls(&a), ret == WS_S_ASYNC ? 1 : 0);
	WsFreeChannel(ch);
}
END_TEST

/* Both ends report the other's address, from connect and accept. */
START_TEST(remote_addresses_from_connect_and_accept)
{
	struct harness_raw_server rs;
	struct sockaddr_storage ss;
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	WS_LISTENER *l = NULL;
	WS_CHANNEL *ch = NULL, *s = NULL;
	uint16_t port;
	int fd;

	/* Our channel to a raw server: its address is the one dialled. */
	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	memset(&ss, 0, sizeof(ss));
	HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_REMOTE_IP_ADDRESS,
	    &ss, sizeof(ss), NULL), S_OK);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_int_eq(floor_port(&ss), rs.port);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);

	/* A raw client accepted: its address is the one accept saw. */
	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&me, &ml), 0);
	{
		char url[64];

		harness_url(url, sizeof(url), port, "x");
		ck_assert_int_eq(harness_nmf_write_preamble(fd, url,
		    HARNESS_NMF_SOAP12_UTF8), 0);
	}
	HR_EQ(WsAcceptChannel(l, s, NULL, NULL), S_OK);
	ck_assert_int_eq(harness_nmf_read_ack(fd, T_MS), 0);
	memset(&ss, 0, sizeof(ss));
	HR_EQ(WsGetChannelProperty(s, WS_CHANNEL_PROPERTY_REMOTE_IP_ADDRESS,
	    &ss, sizeof(ss), NULL), S_OK);
	ck_assert_int_eq(floor_port(&ss), ntohs(me.sin_port));
	close(fd);
	WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

/* ---- records cut anywhere ----------------------------------------------------- */

/* A message whose record arrives one byte per segment, with a receive
 * waiting all along, is received whole; the next one too. */
START_TEST(record_split_byte_by_byte)
{
	struct harness_raw_server rs;
	struct harness_async ra;
	struct harness_msg m = { 0 };
	WS_CHANNEL *ch = NULL;
	uint8_t *rec;
	size_t len;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	harness_async_init(&ra);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, &ra.ctx), WS_S_ASYNC);
	rec = floor_int_record(4242, &len);
	floor_trickle(rs.fd, rec, len);
	free(rec);
	ck_assert_int_eq(harness_async_wait(&ra, 1, T_MS), 1);
	HR_EQ(ra.hr, S_OK);
	ck_assert_int_eq(m.value, 4242);

	rec = floor_int_record(-5, &len);
	ck_assert_int_eq(harness_raw_write(rs.fd, rec, len), 0);
	free(rec);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, -5);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* An accepting channel gets a preamble sent one byte per segment. */
START_TEST(preamble_split_byte_by_byte)
{
	struct harness_async aa;
	struct harness_msg m = { 0 };
	WS_LISTENER *l = NULL;
	WS_CHANNEL *s = NULL;
	uint8_t pre[256], *rec;
	char url[64];
	size_t n = 0, len;
	uint16_t port;
	int fd;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	harness_async_init(&aa);
	HR_EQ(WsAcceptChannel(l, s, &aa.ctx, NULL), WS_S_ASYNC);
	harness_url(url, sizeof(url), port, "x");
	/* Version 1.0, duplex, Via, SOAP 1.2 UTF-8, PreambleEnd. */
	pre[n++] = 0x00; pre[n++] = 0x01; pre[n++] = 0x00;
	pre[n++] = 0x01; pre[n++] = 0x02;
	pre[n++] = 0x02; pre[n++] = (uint8_t)strlen(url);
	memcpy(pre + n, url, strlen(url));
	n += strlen(url);
	pre[n++] = 0x03; pre[n++] = HARNESS_NMF_SOAP12_UTF8;
	pre[n++] = 0x0c;
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	floor_trickle(fd, pre, n);
	ck_assert_int_eq(harness_nmf_read_ack(fd, T_MS), 0);
	ck_assert_int_eq(harness_async_wait(&aa, 1, T_MS), 1);
	HR_EQ(aa.hr, S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	rec = floor_int_record(77, &len);
	floor_trickle(fd, rec, len);
	free(rec);
	HR_EQ(harness_receive(s, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 77);
	harness_msg_free(&m);
	close(fd);
	WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

/* ---- sizes beyond one read ---------------------------------------------------- */

#define BIG_CHARS	(3u * 1024 * 1024)

/* A message of several MiB crosses between two channels of the daemon
 * in many reads and arrives whole, then a small one after it. */
START_TEST(large_message_arrives_whole)
{
	ULONG max = 8u * 1024 * 1024;
	WS_CHANNEL_PROPERTY prop = {
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max, sizeof(max) };
	struct harness_msg sm = { 0 }, rm = { 0 };
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c = NULL, *s = NULL;
	uint16_t port;
	HRESULT hr;
	size_t i;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(harness_tcp_channel(&c, &prop, 1), S_OK);
	HR_EQ(WsCreateChannelForListener(l, &prop, 1, &s, NULL), S_OK);
	{
		struct harness_async aa;

		harness_async_init(&aa);
		HR_EQ(WsAcceptChannel(l, s, &aa.ctx, NULL), WS_S_ASYNC);
		HR_EQ(harness_open(c, port, NULL, NULL), S_OK);
		ck_assert_int_eq(harness_async_wait(&aa, 1, T_MS), 1);
		HR_EQ(aa.hr, S_OK);
	}
	HR_EQ(harness_send_text(c, &sm, BIG_CHARS, NULL), S_OK);
	hr = harness_receive(s, &rm, HARNESS_BODY_TEXT, NULL);
	HR_EQ(hr, S_OK);
	ck_assert_ptr_nonnull(rm.rtext);
	for (i = 0; i < BIG_CHARS; i++)
		if (rm.rtext[i] != (WCHAR)('a' + i % 26))
			break;
	ck_assert_uint_eq(i, BIG_CHARS);
	ck_assert_int_eq(rm.rtext[BIG_CHARS], 0);

	HR_EQ(harness_send_int32(c, &sm, 31337, NULL), S_OK);
	HR_EQ(harness_receive(s, &rm, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(rm.value, 31337);
	harness_msg_free(&sm);
	harness_msg_free(&rm);
	WsFreeChannel(c);
	WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

#define AHEAD		200

/*
 * A peer that writes far ahead of the receives, many records per segment,
 * more than the channel holds unread (reading stops at the watermark and
 * starts again as receives take messages): every message arrives, once,
 * in order.
 */
START_TEST(messages_ahead_of_receives_all_arrive)
{
	struct harness_raw_server rs;
	struct harness_msg m = { 0 };
	WS_CHANNEL *ch = NULL;
	uint8_t *all = NULL, *rec;
	char body[2300], *env;
	size_t n = 0, len;
	int i, v;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	for (i = 0; i < AHEAD; i++) {
		snprintf(body, sizeof(body),
		    "<value xmlns=\"urn:wschannel-test\">%05d %02000d</value>",
		    i, 0);
		ck_assert_ptr_nonnull(env = harness_soap12_envelope(
		    HARNESS_ACTION_TEXT, body));
		rec = floor_record(env, &len);
		free(env);
		ck_assert_ptr_nonnull(all = realloc(all, n + len));
		memcpy(all + n, rec, len);
		n += len;
		free(rec);
	}
	/* ~450 KB: beyond the channel's 64 KiB, within the kernel's
	 * buffers, so this write does not wait for the receives. */
	ck_assert_int_eq(harness_raw_write(rs.fd, all, n), 0);
	free(all);
	for (i = 0; i < AHEAD; i++) {
		HR_EQ(harness_receive(ch, &m, HARNESS_BODY_TEXT, NULL), S_OK);
		ck_assert_ptr_nonnull(m.rtext);
		for (v = 0, len = 0; len < 5; len++)
			v = v * 10 + (m.rtext[len] - '0');
		ck_assert_int_eq(v, i);
	}
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* ---- peers waiting for an accept ---------------------------------------------- */

/* Connects a raw client and sends its preamble; the fd. */
static int
floor_raw_client(uint16_t port)
{
	char url[64];
	int fd;

	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	harness_url(url, sizeof(url), port, "x");
	ck_assert_int_eq(harness_nmf_write_preamble(fd, url,
	    HARNESS_NMF_SOAP12_UTF8), 0);
	return fd;
}

/* No ack comes while no accept waits. */
static void
floor_no_ack(int fd)
{
	uint8_t b;

	ck_assert_int_eq(harness_raw_read(fd, &b, 1, QUIET_MS), -ETIMEDOUT);
}

/* An accept on a new channel of `l` takes the waiting peer `fd`. */
static WS_CHANNEL *
floor_accept_waiting(WS_LISTENER *l, int fd)
{
	WS_CHANNEL *s = NULL;

	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, s, NULL, NULL), S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	ck_assert_int_eq(harness_nmf_read_ack(fd, T_MS), 0);
	return s;
}

/*
 * After an accept completed (the listening socket stays armed) and after
 * an accept was aborted, a peer that arrives with no accept pending
 * waits, unanswered, and the next WsAcceptChannel takes it.
 */
START_TEST(connection_waits_for_next_accept)
{
	struct harness_async aa;
	struct harness_msg m = { 0 };
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c = NULL, *s = NULL, *x = NULL, *s2, *s3;
	uint8_t *rec;
	size_t len;
	uint16_t port;
	int fd, fd2;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(harness_tcp_channel(&c, NULL, 0), S_OK);
	HR_EQ(harness_open_accepted(l, port, c, &s), S_OK);

	fd = floor_raw_client(port);
	floor_no_ack(fd);
	s2 = floor_accept_waiting(l, fd);
	rec = floor_int_record(9, &len);
	ck_assert_int_eq(harness_raw_write(fd, rec, len), 0);
	free(rec);
	HR_EQ(harness_receive(s2, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 9);

	/* An accept that left the queue by an abort. */
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &x, NULL), S_OK);
	harness_async_init(&aa);
	HR_EQ(WsAcceptChannel(l, x, &aa.ctx, NULL), WS_S_ASYNC);
	HR_EQ(WsAbortChannel(x, NULL), S_OK);
	ck_assert_int_eq(harness_async_wait(&aa, 1, T_MS), 1);
	HR_EQ(aa.hr, WS_E_OPERATION_ABORTED);
	fd2 = floor_raw_client(port);
	floor_no_ack(fd2);
	s3 = floor_accept_waiting(l, fd2);
	ck_assert_int_eq(harness_async_calls(&aa), 1);

	harness_msg_free(&m);
	close(fd);
	close(fd2);
	WsFreeChannel(s3);
	WsFreeChannel(s2);
	WsFreeChannel(x);
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

static Suite *
tcp_floor_suite(void)
{
	Suite *s = suite_create("tcp_floor");
	TCase *tc = tcase_create("tcp_floor");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, refused_connect_not_found);
	tcase_add_test(tc, remote_addresses_from_connect_and_accept);
	tcase_add_test(tc, record_split_byte_by_byte);
	tcase_add_test(tc, preamble_split_byte_by_byte);
	tcase_add_test(tc, large_message_arrives_whole);
	tcase_add_test(tc, messages_ahead_of_receives_all_arrive);
	tcase_add_test(tc, connection_waits_for_next_accept);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tcp_floor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
