/*
 * wsbench's scale section: idle channels in one daemon, its memory per
 * channel, `wsctl list` and `wsctl abort --all` over all of them (with
 * the CPU time wsctl and the daemon spent), and abort --all's floor: as
 * many loopback sockets closed with a reset by one process.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tests/harness.h"
#include "wsbench.h"

/*
 * Waits (at most 2 s) until the daemon's CPU time stops growing: work it
 * does after its reply (the resets of an abort) is part of what a command
 * costs, though not of how long wsctl waited.
 */
static void
daemon_settle(void)
{
	uint64_t prev = harness_daemon_cpu_ns(), cur;
	int i;

	for (i = 0; i < 100; i++) {
		sleep_ns(20000000);
		if ((cur = harness_daemon_cpu_ns()) == prev)
			break;
		prev = cur;
	}
}

/* CPU time so far, ns, of RUSAGE_SELF or RUSAGE_CHILDREN (waited for). */
static uint64_t
rusage_cpu_ns(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) != 0)
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    1000000000ull + (uint64_t)(ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_usec) * 1000ull;
}

/*
 * Times one wsctl command, in ms of wall time; the lines it printed in
 * *lines, the CPU time it and the daemon spent in *cpu_ms (on a loaded
 * machine the wall time is mostly waiting for a CPU; the CPU time is what
 * the command costs).
 */
static double
time_wsctl(const char *a1, const char *a2, int *lines, double *cpu_ms)
{
	char *out = NULL, *p;
	uint64_t cpu = harness_daemon_cpu_ns() +
	    rusage_cpu_ns(RUSAGE_CHILDREN);
	uint64_t t = now_ns();
	int status = -1, n = 0;

	if (harness_wsctl(&out, &status, a1, a2, (char *)NULL) < 0 ||
	    status != 0) {
		free(out);
		return -1;
	}
	t = now_ns() - t;
	daemon_settle();
	*cpu_ms = (double)(harness_daemon_cpu_ns() +
	    rusage_cpu_ns(RUSAGE_CHILDREN) - cpu) / 1e6;
	for (p = out; p != NULL && *p != '\0'; p++)
		n += *p == '\n';
	if (lines != NULL)
		*lines = n;
	free(out);
	return t / 1e6;
}

void
bench_scale(size_t pairs, struct scale *sc)
{
	WS_CHANNEL **c, **s;
	WS_LISTENER *l = NULL;
	uint16_t port;
	long rss0, rss1;
	size_t i, n = 0;
	uint64_t hold;
	double cpu0;

	memset(sc, 0, sizeof(*sc));
	c = calloc(pairs, sizeof(*c));
	s = calloc(pairs, sizeof(*s));
	if (c == NULL || s == NULL ||
	    FAILED(harness_tcp_listener_open(&l, &port)))
		goto out;
	sc->list0_ms = time_wsctl("list", NULL, NULL, &cpu0);
	rss0 = harness_daemon_rss_kib();
	for (n = 0; n < pairs; n++) {
		if (FAILED(harness_tcp_channel(&c[n], NULL, 0)))
			break;
		if (FAILED(harness_open_accepted(l, port, c[n], &s[n]))) {
			WsFreeChannel(c[n]);
			c[n] = NULL;
			break;
		}
	}
	rss1 = harness_daemon_rss_kib();
	sc->channels = 2 * n;
	if (n > 0 && rss0 > 0 && rss1 > 0)
		sc->kib_per_channel = (double)(rss1 - rss0) / (2.0 * n);
	if (getenv("WSBENCH_HOLD") != NULL) {
		/* For profiling by hand: the daemon full, for a while. */
		fprintf(stderr, "wsbench: holding %zu channels, daemon pid %d\n",
		    2 * n, (int)harness_daemon_pid());
		hold = now_ns() + (uint64_t)atoi(getenv("WSBENCH_HOLD")) *
		    1000000000ull;
		while (now_ns() < hold)
			sleep(1);
	}
	sc->list_ms = time_wsctl("list", NULL, &sc->listed, &sc->list_cpu_ms);
	sc->abort_ms = time_wsctl("abort", "--all", NULL, &sc->abort_cpu_ms);
	sc->ok = n > 0 && sc->list_ms >= 0 && sc->abort_ms >= 0 &&
	    sc->list0_ms >= 0;
out:
	for (i = 0; i < n; i++) {
		WsFreeChannel(c[i]);
		WsFreeChannel(s[i]);
	}
	if (l != NULL)
		WsFreeListener(l);
	free(c);
	free(s);
}

/*
 * The floor of `wsctl abort --all` over `channels` channels: opens that
 * many loopback TCP sockets (both ends of channels/2 connections, as the
 * daemon holds them) and times closing them all with a reset, which is
 * what aborting a channel does to its socket.
 */
void
bench_close_floor(size_t channels, struct scale *sc)
{
	struct linger lg = { 1, 0 };
	uint16_t port;
	size_t i, n = 0, pairs = channels / 2;
	uint64_t t, cpu;
	int lfd, *fds;

	if ((fds = calloc(2 * pairs + 1, sizeof(*fds))) == NULL)
		return;
	if ((lfd = harness_tcp_listener(&port, 512)) < 0) {
		free(fds);
		return;
	}
	for (i = 0; i < pairs; i++, n += 2)
		if (tcp_pair(lfd, port, &fds[n], &fds[n + 1]) != 0)
			break;
	close(lfd);
	cpu = rusage_cpu_ns(RUSAGE_SELF);
	t = now_ns();
	for (i = 0; i < n; i++) {
		setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fds[i]);
	}
	sc->close_ms = (now_ns() - t) / 1e6;
	sc->close_cpu_ms = (rusage_cpu_ns(RUSAGE_SELF) - cpu) / 1e6;
	sc->closed = n;
	free(fds);
}

/* The fd limit raised as far as allowed, before the daemon inherits it;
 * the pairs that fit (two daemon descriptors each, and some to spare). */
size_t
scale_pairs(void)
{
	struct rlimit rl;
	const char *env = getenv("WSBENCH_SCALE");

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (env != NULL)
		return (size_t)strtoul(env, NULL, 10);
	return rl.rlim_cur > 512 ? (size_t)(rl.rlim_cur - 256) / 2 : 0;
}

/* `wsctl list` at `channels`: the empty list's time, and the measured
 * list's time above it scaled to that many channels. */
double
scale_list_at(const struct scale *sc, int channels)
{
	double grow = sc->list_ms - sc->list0_ms;

	if (sc->channels == 0)
		return 0;
	return sc->list0_ms + (grow > 0 ? grow : 0) * channels /
	    (double)sc->channels;
}
