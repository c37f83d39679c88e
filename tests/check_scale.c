/*
 * Many channels in one daemon, and what the fast paths for them must keep:
 * `wsctl abort --all` over a few hundred open pairs ends every pending
 * receive exactly once and resets every socket; an abort resets its
 * connection (RST, not FIN) even though the reset now waits until the
 * replies are written; a session that owns nothing (wsctl) ends without
 * touching anyone's channels, and one that owns channels still frees them
 * all when its process goes.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "harness.h"

#define T_MS		10000
#define NPAIRS		150
#define MAX_ROWS	(2 * NPAIRS + 16)

/* Rows of `wsctl list` owned by process `pid`. */
static int
rows_of(pid_t pid)
{
	static struct harness_channel_row rows[MAX_ROWS];
	int n, i, mine = 0;

	n = harness_list_channels(rows, MAX_ROWS);
	ck_assert_int_ge(n, 0);
	ck_assert_int_le(n, MAX_ROWS);
	for (i = 0; i < n; i++)
		mine += rows[i].pid == (uint32_t)pid;
	return mine;
}

/* Every pending receive of NPAIRS pairs ends once, every socket resets. */
START_TEST(abort_all_many)
{
	static WS_CHANNEL *c[NPAIRS], *s[NPAIRS];
	static struct harness_async ra[NPAIRS];
	static struct harness_msg rm[NPAIRS];
	static struct harness_channel_row rows[MAX_ROWS];
	WS_LISTENER *l;
	uint16_t port;
	char *out = NULL;
	int i, n, st, open = 0;
	HRESULT hr;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < NPAIRS; i++) {
		HR_EQ(harness_tcp_channel(&c[i], NULL, 0), S_OK);
		HR_EQ(harness_open_accepted(l, port, c[i], &s[i]), S_OK);
		harness_async_init(&ra[i]);
		HR_EQ(harness_receive(s[i], &rm[i], HARNESS_BODY_INT,
		    &ra[i].ctx), WS_S_ASYNC);
	}
	n = harness_list_channels(rows, MAX_ROWS);
	ck_assert_int_eq(n, 2 * NPAIRS);
	for (i = 0; i < n; i++)
		open += strcmp(rows[i].state, "OPEN") == 0;
	ck_assert_int_eq(open, 2 * NPAIRS);

	ck_assert_int_eq(harness_wsctl(&out, &st, "abort", "--all", NULL), 0);
	ck_assert_msg(st == 0, "wsctl abort --all exited %d: %s", st, out);
	free(out);
	for (i = 0; i < NPAIRS; i++) {
		ck_assert_int_eq(harness_async_wait(&ra[i], 1, T_MS), 1);
		HR_EQ(ra[i].hr, WS_E_OPERATION_ABORTED);
	}
	/* Nothing stays open, nothing is left pending. */
	n = harness_list_channels(rows, MAX_ROWS);
	ck_assert_int_eq(n, 2 * NPAIRS);
	for (i = 0; i < n; i++) {
		ck_assert_str_ne(rows[i].state, "OPEN");
		ck_assert_uint_eq(rows[i].pending, 0);
	}
	/* A second abort finds nothing to release. */
	ck_assert_int_eq(harness_wsctl(&out, &st, "abort", "--all", NULL), 0);
	ck_assert_int_eq(st, 0);
	free(out);
	harness_sleep_ms(100);
	for (i = 0; i < NPAIRS; i++) {
		ck_assert_int_eq(harness_async_calls(&ra[i]), 1);
		/* Reset: the channels open again, to a new peer. */
		hr = WsResetChannel(c[i], NULL);
		ck_assert_msg(hr == S_OK || hr == WS_E_INVALID_OPERATION,
		    "reset: %s", harness_hr_name(hr));
		harness_async_destroy(&ra[i]);
		harness_msg_free(&rm[i]);
		WsFreeChannel(c[i]);
		WsFreeChannel(s[i]);
	}
	WsFreeListener(l);
	ck_assert_int_eq(rows_of(getpid()), 0);
}
END_TEST

/* The raw peer of an aborted channel sees a reset, not an orderly end. */
START_TEST(abort_resets_peer)
{
	struct harness_raw_server rs;
	WS_CHANNEL *ch;
	char buf[64];
	ssize_t n;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	/* No End record, no FIN: the first read fails with a reset. */
	n = harness_raw_read(rs.fd, buf, sizeof(buf), T_MS);
	ck_assert_msg(n == -ECONNRESET, "peer read %zd (%s), expected a reset",
	    n, n < 0 ? strerror((int)-n) : "data or EOF");
	harness_raw_server_close(&rs);
	WsFreeChannel(ch);
}
END_TEST

/*
 * More aborted connections than the daemon resets in one loop pass
 * (TCP_DOOMED_BATCH, 1024): wsctl gets its reply, and every peer still
 * sees its reset, those of the later passes too.  (That the reply leaves
 * before the resets is the daemon's order of work, which no peer can tell
 * from here.)  The peers are ours, so this process and the daemon take
 * more descriptors than the usual soft limit (up to the hard limit).
 */
#define NPEERS		1100

START_TEST(abort_all_resets_every_peer)
{
	static struct harness_raw_server rs[NPEERS];
	static WS_CHANNEL *ch[NPEERS];
	struct rlimit rl;
	char *out = NULL, buf[64];
	ssize_t n;
	int i, st;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_msg(rl.rlim_max >= NPEERS + 256, "RLIMIT_NOFILE's hard "
	    "limit %llu is below the %d descriptors this needs",
	    (unsigned long long)rl.rlim_max, NPEERS + 256);
	rl.rlim_cur = NPEERS + 256;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(prlimit(harness_daemon_pid(), RLIMIT_NOFILE, &rl,
	    NULL), 0);
	for (i = 0; i < NPEERS; i++) {
		HR_EQ(harness_tcp_channel(&ch[i], NULL, 0), S_OK);
		ck_assert_int_eq(harness_raw_server_open(&rs[i], ch[i], 0), 0);
		close(rs[i].lfd);	/* fds: the peers' ends only */
		rs[i].lfd = -1;
	}
	ck_assert_int_eq(harness_wsctl(&out, &st, "abort", "--all", NULL), 0);
	ck_assert_msg(st == 0, "wsctl abort --all exited %d: %s", st, out);
	free(out);
	for (i = 0; i < NPEERS; i++) {
		n = harness_raw_read(rs[i].fd, buf, sizeof(buf), T_MS);
		ck_assert_msg(n == -ECONNRESET, "peer %d read %zd (%s), "
		    "expected a reset", i, n, n < 0 ? strerror((int)-n) :
		    "data or EOF");
		STATE_EQ(ch[i], WS_CHANNEL_STATE_FAULTED);
		harness_raw_server_close(&rs[i]);
		WsFreeChannel(ch[i]);
	}
}
END_TEST

/*
 * wsctl sessions own nothing and end without freeing anyone's channels; a
 * process that owns channels frees them all when it exits, and only its
 * own.
 */
START_TEST(session_end_frees_its_own)
{
	int go[2], ready[2], i, n;
	WS_CHANNEL *mine[3];
	WS_LISTENER *l;
	uint16_t port;
	pid_t child;
	char b = 0;
	uint64_t deadline;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	fflush(NULL);
	/* Before this process uses the library: the child starts clean. */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		WS_CHANNEL *ch[5];
		WS_LISTENER *cl;
		uint16_t p;

		close(go[1]);
		close(ready[0]);
		for (i = 0; i < 5; i++)
			if (FAILED(harness_tcp_channel(&ch[i], NULL, 0)))
				_exit(101);
		if (FAILED(harness_tcp_listener_open(&cl, &p)))
			_exit(102);
		if (write(ready[1], &b, 1) != 1)
			_exit(103);
		/* Until the parent says so; then exit without freeing. */
		(void)read(go[0], &b, 1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	ck_assert_int_eq(harness_raw_read(ready[0], &b, 1, T_MS), 1);
	for (i = 0; i < 3; i++)
		HR_EQ(harness_tcp_channel(&mine[i], NULL, 0), S_OK);
	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);

	/* Each listing is a session of its own that ends. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(rows_of(child), 5);
		ck_assert_int_eq(rows_of(getpid()), 3);
	}
	close(go[1]);
	ck_assert_int_eq(harness_wait_pid(child, T_MS), 0);
	deadline = harness_now_us() + 1000ull * T_MS;
	while ((n = rows_of(child)) != 0 && harness_now_us() < deadline)
		harness_sleep_ms(20);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(rows_of(getpid()), 3);
	for (i = 0; i < 3; i++) {
		STATE_EQ(mine[i], WS_CHANNEL_STATE_CREATED);
		WsFreeChannel(mine[i]);
	}
	WsFreeListener(l);
	close(ready[0]);
	ck_assert_int_eq(rows_of(getpid()), 0);
}
END_TEST

static Suite *
scale_suite(void)
{
	Suite *s = suite_create("scale");
	TCase *tc = tcase_create("many channels");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, abort_all_many);
	tcase_add_test(tc, abort_resets_peer);
	tcase_add_test(tc, abort_all_resets_every_peer);
	tcase_add_test(tc, session_end_frees_its_own);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scale_suite());
	int failed;

	/* Every test needs its own process: the library connects once. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
