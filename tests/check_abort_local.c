/*
 * Integration suite: WsAbortChannel and WsAbortListener release the calls
 * they end without waiting for wschanneld.  Once the abort is written, the
 * library completes the blocked receive, accept or open itself, with
 * WS_E_OPERATION_ABORTED, and the daemon's own answers for them, which
 * come a moment later, are dropped: each call still ends exactly once,
 * and the daemon still keeps the channel's state.
 *
 * The daemon is stopped (SIGSTOP) around each abort, so that a release
 * that came from it could not have happened; the abort itself returns
 * only once the daemon runs again and answers it.
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
#define QUIET_MS	50	/* how long "nothing more happens" is watched */

/* ---- helpers ---------------------------------------------------------------- */

/* The state letter of /proc/PID/stat ('T' once stopped), or 0. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2];
}

/* Stops the daemon and waits until it is stopped: what it has not read
 * yet, it reads only after daemon_cont. */
static void
daemon_stop(void)
{
	pid_t d = harness_daemon_pid();
	int i;

	ck_assert_int_gt(d, 0);
	ck_assert_int_eq(kill(d, SIGSTOP), 0);
	for (i = 0; i < T_MS && proc_state(d) != 'T'; i++)
		harness_sleep_ms(1);
	if (proc_state(d) != 'T') {
		kill(d, SIGCONT);
		ck_abort_msg("wschanneld did not stop");
	}
}

static void
daemon_cont(void)
{
	ck_assert_int_eq(kill(harness_daemon_pid(), SIGCONT), 0);
}

/* Waits until the daemon lists `n` of our channels with an operation
 * pending: the calls other threads started are waiting in it. */
static void
wait_pending(int n)
{
	struct harness_channel_row rows[32];
	uint64_t deadline = harness_now_us() + 1000ull * T_MS;
	int i, k, got;

	for (;;) {
		got = harness_list_channels(rows, 32);
		ck_assert_msg(got >= 0, "wsctl list failed: %d", got);
		for (i = k = 0; i < got && i < 32; i++)
			if (rows[i].pid == (uint32_t)getpid() &&
			    rows[i].pending > 0)
				k++;
		if (k >= n)
			return;
		ck_assert_msg(harness_now_us() < deadline,
		    "%d pending operations listed by the daemon, not %d", k, n);
		harness_sleep_ms(5);
	}
}

static WS_CHANNEL_STATE
state_of(WS_CHANNEL *ch)
{
	WS_CHANNEL_STATE st = 0;

	HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), S_OK);
	return st;
}

static HRESULT
bg_abort_listener(void *arg)
{
	return WsAbortListener(arg, NULL);
}

/* ---- tests ------------------------------------------------------------------- */

/*
 * A receive blocked in another thread returns WS_E_OPERATION_ABORTED
 * while the daemon is stopped; the abort returns once the daemon answers
 * it, and the channel is FAULTED as after any abort.
 */
START_TEST(blocked_receive_released_without_the_daemon)
{
	struct harness_pair p;
	struct harness_recv ra = { 0 };
	struct harness_bg *rb, *ab;
	HRESULT rhr = E_FAIL, ahr = E_FAIL;
	bool released, abort_back;

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	ra.ch = p.server;
	ck_assert_ptr_nonnull(rb = harness_receive_start(&ra));
	wait_pending(1);
	daemon_stop();
	ab = harness_abort_start(p.server);
	released = harness_bg_wait(rb, T_MS, &rhr);
	harness_sleep_ms(QUIET_MS);
	abort_back = harness_bg_done(ab);
	daemon_cont();
	ck_assert_msg(released, "the receive waited for the stopped daemon");
	HR_EQ(rhr, WS_E_OPERATION_ABORTED);
	ck_assert_msg(!abort_back, "the abort returned without its answer");
	ck_assert(harness_bg_wait(ab, T_MS, &ahr));
	HR_EQ(ahr, S_OK);
	ck_assert_int_eq(state_of(p.server), WS_CHANNEL_STATE_FAULTED);
	/* I/O after the abort finds the channel FAULTED. */
	HR_EQ(harness_receive(p.server, &ra.m, HARNESS_BODY_INT, NULL),
	    WS_E_OBJECT_FAULTED);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
}
END_TEST

struct receive_twice {
	WS_CHANNEL		*ch;
	struct harness_msg	 m;
	HRESULT			 second;
};

static HRESULT
receive_twice_main(void *arg)
{
	struct receive_twice *t = arg;
	HRESULT hr;

	hr = harness_receive(t->ch, &t->m, HARNESS_BODY_INT, NULL);
	t->second = harness_receive(t->ch, &t->m, HARNESS_BODY_INT, NULL);
	return hr;
}

/*
 * The released caller runs before the aborting thread has written the
 * abort to the daemon, and calls again at once: that call still comes
 * after the abort, and finds the channel FAULTED (channel-semantics.md,
 * "After an abort").  Repeated, for the race.
 */
START_TEST(released_caller_next_call_follows_abort)
{
	struct receive_twice t;
	struct harness_pair p;
	struct harness_bg *bg;
	HRESULT hr;
	int i;

	for (i = 0; i < 10; i++) {
		HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
		memset(&t, 0, sizeof(t));
		t.ch = p.server;
		t.second = E_FAIL;
		ck_assert_ptr_nonnull(bg = harness_bg_start(receive_twice_main,
		    &t));
		wait_pending(1);
		HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
		ck_assert(harness_bg_wait(bg, T_MS, &hr));
		HR_EQ(hr, WS_E_OPERATION_ABORTED);
		HR_EQ(t.second, WS_E_OBJECT_FAULTED);
		harness_msg_free(&t.m);
		harness_pair_free(&p);
	}
}
END_TEST

/*
 * An async receive ended by the abort is called back once, with
 * WS_E_OPERATION_ABORTED: the library ends it when the abort is written
 * (the callback runs once the thread reading for async calls wakes, at
 * the latest with the abort's answer), and the daemon's own answer for
 * it calls nothing again.
 */
START_TEST(async_receive_called_back_once)
{
	struct harness_pair p;
	struct harness_async a;
	struct harness_msg m = { 0 };
	struct harness_bg *ab;
	HRESULT ahr = E_FAIL;
	int calls;

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	harness_async_init(&a);
	HR_EQ(harness_receive(p.server, &m, HARNESS_BODY_INT, &a.ctx),
	    WS_S_ASYNC);
	wait_pending(1);
	daemon_stop();
	ab = harness_abort_start(p.server);
	harness_sleep_ms(QUIET_MS);
	daemon_cont();
	calls = harness_async_wait(&a, 1, T_MS);
	ck_assert_int_eq(calls, 1);
	HR_EQ(a.hr, WS_E_OPERATION_ABORTED);
	ck_assert(harness_bg_wait(ab, T_MS, &ahr));
	HR_EQ(ahr, S_OK);
	/* A round trip after the abort's: the daemon's answer for the
	 * receive was read before this one's. */
	ck_assert_int_eq(state_of(p.server), WS_CHANNEL_STATE_FAULTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 1);
	harness_async_destroy(&a);
	harness_msg_free(&m);
	harness_pair_free(&p);
}
END_TEST

/*
 * Two receives blocked on two channels, one thread reading for both: the
 * abort of one releases only its own, whichever thread reads; the other
 * waits on until its own abort.
 */
START_TEST(abort_releases_only_its_channel)
{
	struct harness_pair p1, p2;
	struct harness_recv r1 = { 0 }, r2 = { 0 };
	struct harness_bg *b1, *b2, *a1, *a2;
	HRESULT h1 = E_FAIL, h2 = E_FAIL, ah = E_FAIL;
	bool first, other_waits, second;

	HR_EQ(harness_pair_open(&p1, NULL, 0), S_OK);
	HR_EQ(harness_pair_open(&p2, NULL, 0), S_OK);
	r1.ch = p1.server;
	r2.ch = p2.server;
	ck_assert_ptr_nonnull(b1 = harness_receive_start(&r1));
	ck_assert_ptr_nonnull(b2 = harness_receive_start(&r2));
	wait_pending(2);
	daemon_stop();
	a2 = harness_abort_start(p2.server);
	first = harness_bg_wait(b2, T_MS, &h2);
	harness_sleep_ms(QUIET_MS);
	other_waits = !harness_bg_done(b1);
	a1 = harness_abort_start(p1.server);
	second = harness_bg_wait(b1, T_MS, &h1);
	daemon_cont();
	ck_assert_msg(first && second, "a receive waited for the daemon");
	ck_assert_msg(other_waits, "the other channel's receive ended too");
	HR_EQ(h1, WS_E_OPERATION_ABORTED);
	HR_EQ(h2, WS_E_OPERATION_ABORTED);
	ck_assert(harness_bg_wait(a1, T_MS, &ah));
	HR_EQ(ah, S_OK);
	ck_assert(harness_bg_wait(a2, T_MS, &ah));
	HR_EQ(ah, S_OK);
	ck_assert_int_eq(state_of(p1.server), WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(state_of(p2.server), WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&r1.m);
	harness_msg_free(&r2.m);
	harness_pair_free(&p1);
	harness_pair_free(&p2);
}
END_TEST

struct accept_arg {
	WS_LISTENER	*l;
	WS_CHANNEL	*ch;
};

static HRESULT
bg_accept(void *arg)
{
	struct accept_arg *aa = arg;

	return WsAcceptChannel(aa->l, aa->ch, NULL, NULL);
}

/*
 * A blocked accept ends at once with WS_E_OPERATION_ABORTED when its
 * channel is aborted, and when its listener is: both while the daemon is
 * stopped.
 */
START_TEST(blocked_accept_released_without_the_daemon)
{
	struct accept_arg aa;
	struct harness_bg *b, *ab;
	HRESULT hr = E_FAIL, ahr = E_FAIL;
	uint16_t port;
	bool released;
	int round;

	HR_EQ(harness_tcp_listener_open(&aa.l, &port), S_OK);
	for (round = 0; round < 2; round++) {
		HR_EQ(WsCreateChannelForListener(aa.l, NULL, 0, &aa.ch, NULL),
		    S_OK);
		ck_assert_ptr_nonnull(b = harness_bg_start(bg_accept, &aa));
		wait_pending(1);
		daemon_stop();
		ab = round == 0 ? harness_abort_start(aa.ch) :
		    harness_bg_start(bg_abort_listener, aa.l);
		released = harness_bg_wait(b, T_MS, &hr);
		daemon_cont();
		ck_assert_msg(released, "round %d: the accept waited for the "
		    "stopped daemon", round);
		HR_EQ(hr, WS_E_OPERATION_ABORTED);
		ck_assert(harness_bg_wait(ab, T_MS, &ahr));
		HR_EQ(ahr, S_OK);
		WsFreeChannel(aa.ch);
	}
	WsFreeListener(aa.l);
}
END_TEST

/*
 * Messages racing aborts: a receive either gets its message or ends with
 * WS_E_OPERATION_ABORTED, once; the abort's own answer always comes.
 */
START_TEST(abort_racing_a_message_ends_each_receive_once)
{
	struct harness_msg s = { 0 };
	struct harness_async a;
	struct harness_pair p;
	struct harness_recv ra = { 0 };
	int round, got = 0, aborted = 0;

	for (round = 0; round < 40; round++) {
		HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
		harness_async_init(&a);
		HR_EQ(harness_receive(p.server, &ra.m, HARNESS_BODY_INT,
		    &a.ctx), WS_S_ASYNC);
		HR_EQ(harness_send_int32(p.client, &s, round, NULL), S_OK);
		HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
		ck_assert_int_eq(harness_async_wait(&a, 1, T_MS), 1);
		ck_assert_int_eq(state_of(p.server), WS_CHANNEL_STATE_FAULTED);
		harness_sleep_ms(5);
		ck_assert_int_eq(harness_async_calls(&a), 1);
		if (a.hr == S_OK) {
			ck_assert_int_eq(ra.m.value, round);
			got++;
		} else {
			HR_EQ(a.hr, WS_E_OPERATION_ABORTED);
			aborted++;
		}
		harness_async_destroy(&a);
		harness_msg_free(&ra.m);
		harness_msg_free(&s);
		harness_pair_free(&p);
	}
	ck_assert_int_eq(got + aborted, 40);
}
END_TEST

static Suite *
abort_local_suite(void)
{
	Suite *s = suite_create("abort_local");
	TCase *tc = tcase_create("abort_local");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, blocked_receive_released_without_the_daemon);
	tcase_add_test(tc, released_caller_next_call_follows_abort);
	tcase_add_test(tc, async_receive_called_back_once);
	tcase_add_test(tc, abort_releases_only_its_channel);
	tcase_add_test(tc, blocked_accept_released_without_the_daemon);
	tcase_add_test(tc, abort_racing_a_message_ends_each_receive_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(abort_local_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
