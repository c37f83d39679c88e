/*
 * Failure modes of issue 14 on the HTTP binding through a private
 * wschanneld: exchanges ended by an abort at every moment, from either
 * end, must each end once and leave the daemon holding no descriptor of
 * theirs.
 *
 * The stress storm found a request queued on a REPLY listener (no accept
 * waiting) whose client then went away: it kept its connection's
 * descriptor in the daemon, and the next accept was handed that dead
 * request, since evhttp does not watch a connection whose request it
 * passed on.  http_server.c now watches queued requests' connections.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wschannel/webservices.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
#define ROUNDS		20	/* per moment of the abort */

/* The daemon's open descriptors, or -1. */
static int
daemon_fds(void)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)harness_daemon_pid());
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Waits (bounded) until the daemon holds at most `want` descriptors. */
static int
daemon_settle_fds(int want)
{
	uint64_t end = harness_now_us() + 1000ull * T_MS;
	int n;

	while ((n = daemon_fds()) > want && harness_now_us() < end)
		harness_sleep_ms(20);
	return n;
}

static WS_LISTENER *
reply_listener(uint16_t *port)
{
	WS_LISTENER *l = NULL;
	WS_STRING s;
	char url[96];
	HRESULT hr = E_FAIL;
	int i;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l, NULL), S_OK);
	for (i = 0; i < 5 && hr != S_OK; i++) {
		ck_assert_int_eq(harness_free_port(port), 0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/x",
		    (unsigned)*port);
		s = harness_ws_string(url);
		hr = WsOpenListener(l, &s, NULL, NULL);
		free(s.chars);
		if (hr != S_OK) {
			WsCloseListener(l, NULL, NULL);
			WsResetListener(l, NULL);
		}
	}
	HR_EQ(hr, S_OK);
	return l;
}

/*
 * A request's send, then an abort of the client `delay_ms` later (0: at
 * once, while its connection is still being made), with an accept
 * waiting on the listener or not: the send ends once, and afterwards the
 * daemon holds what it held before.
 */
static void
abort_request_at(int delay_ms, bool accepting)
{
	struct harness_async a, acc;
	struct harness_msg m = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *c, *s;
	char url[96];
	uint16_t port;
	int fds0, i;

	l = reply_listener(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)port);
	/* The first exchange's aborts make what lives on (the evhttp server,
	 * the resolver); what any later one keeps is a leak. */
	for (i = 0; i < 2; i++) {
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
		HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
		    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL), S_OK);
		HR_EQ(harness_open_url(c, url, NULL, NULL), S_OK);
		harness_async_init(&a);
		HR_EQ(harness_send_int32(c, &m, i, &a.ctx), WS_S_ASYNC);
		HR_EQ(WsAbortChannel(c, NULL), S_OK);
		ck_assert_int_eq(harness_async_wait(&a, 1, T_MS), 1);
		WsFreeChannel(c);
		WsFreeChannel(s);
		harness_async_destroy(&a);
		harness_msg_free(&m);
	}
	harness_sleep_ms(200);
	fds0 = daemon_fds();
	for (i = 0; i < ROUNDS; i++) {
		s = NULL;
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
		harness_async_init(&acc);
		if (accepting)
			HR_EQ(WsAcceptChannel(l, s, &acc.ctx, NULL),
			    WS_S_ASYNC);
		HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
		    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL), S_OK);
		HR_EQ(harness_open_url(c, url, NULL, NULL), S_OK);
		harness_async_init(&a);
		HR_EQ(harness_send_int32(c, &m, i, &a.ctx), WS_S_ASYNC);
		if (delay_ms > 0)
			harness_sleep_ms(delay_ms);
		HR_EQ(WsAbortChannel(c, NULL), S_OK);
		ck_assert_int_eq(harness_async_wait(&a, 1, T_MS), 1);
		WsFreeChannel(c);
		WsFreeChannel(s);
		if (accepting)
			ck_assert_int_eq(harness_async_wait(&acc, 1, T_MS), 1);
		harness_sleep_ms(50);
		ck_assert_int_eq(harness_async_calls(&a), 1);
		if (accepting)
			ck_assert_int_eq(harness_async_calls(&acc), 1);
		harness_async_destroy(&a);
		harness_async_destroy(&acc);
		harness_msg_free(&m);
	}
	ck_assert_int_eq(daemon_settle_fds(fds0), fds0);
	WsFreeListener(l);
}

START_TEST(abort_request_connecting)
{
	abort_request_at(0, false);
	abort_request_at(0, true);
}
END_TEST

START_TEST(abort_request_waiting)
{
	abort_request_at(5, false);
	abort_request_at(5, true);
}
END_TEST

static Suite *
fault_http_suite(void)
{
	Suite *s = suite_create("fault_http");
	TCase *tc = tcase_create("abort");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, abort_request_connecting);
	tcase_add_test(tc, abort_request_waiting);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fault_http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
