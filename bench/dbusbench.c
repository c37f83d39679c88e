/*
 * dbusbench: the cost of the D-Bus door, next to the cost of D-Bus itself.
 * Reported, never asserted.
 *
 *   (1) floor: org.freedesktop.DBus.Peer.Ping on the daemon, a method sd-bus
 *       answers by itself: client -> dbus-daemon -> wschanneld's sd-bus on
 *       the libevent loop -> back
 *   (2) Properties.Get(Channel, "State")
 *   (3) Channel.GetProperty(WS_CHANNEL_PROPERTY_STATE)
 *   (4) Channel.Abort on a channel (no pending operation)
 *
 * all synchronous round trips on the same private bus in the same run, with
 * the ratio of each median to the floor's.  It starts its own dbus-daemon
 * (tests/dbus-session.conf) and wschanneld ($WSCHANNEL_BUILDDIR, set by
 * `make bench`).  DBUSBENCH_SECONDS sets the time per measurement
 * (default 2).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "../tests/harness.h"

#ifndef DBUS_DAEMON
#define DBUS_DAEMON ""
#endif
#ifndef ABS_SRCDIR
#define ABS_SRCDIR "."
#endif
#define DBUS_DAEMON_PROG (DBUS_DAEMON[0] != '\0' ? DBUS_DAEMON : "dbus-daemon")

#define NAME	"org.wschannel.WsChannel1"
#define ROOT	"/org/wschannel/WsChannel1"
#define MAX_SAMPLES	2000000

static pid_t	bus_pid = -1, daemon_pid = -1;
static char	bus_addr[512], dir[64];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static pid_t
start(const char *const *argv, int outfd, int errfd)
{
	pid_t parent = getpid(), pid;
	int nullfd = open("/dev/null", O_RDWR);

	if ((pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(nullfd, 0);
		dup2(outfd >= 0 ? outfd : nullfd, 1);
		dup2(errfd >= 0 ? errfd : nullfd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(nullfd);
	return pid;
}

static int
bus_start(void)
{
	const char *src = getenv("WSCHANNEL_SRCDIR"), *argv[6];
	char cfg[PATH_MAX + 16];
	int pfd[2];

	snprintf(cfg, sizeof(cfg), "--config-file=%s/tests/dbus-session.conf",
	    src != NULL && *src != '\0' ? src : ABS_SRCDIR);
	if (pipe(pfd) == -1)
		return -errno;
	argv[0] = DBUS_DAEMON_PROG;
	argv[1] = cfg;
	argv[2] = "--nofork";
	argv[3] = "--print-address=1";
	argv[4] = NULL;
	bus_pid = start(argv, pfd[1], -1);
	close(pfd[1]);
	if (bus_pid < 0 || harness_read_line(pfd[0], bus_addr, sizeof(bus_addr),
	    10000) != 0 || bus_addr[0] == '\0') {
		close(pfd[0]);
		return -EIO;
	}
	close(pfd[0]);
	return 0;
}

static sd_bus *
bus_connect(void)
{
	sd_bus *b = NULL;

	if (sd_bus_new(&b) < 0 || sd_bus_set_address(b, bus_addr) < 0 ||
	    sd_bus_set_bus_client(b, 1) < 0 || sd_bus_start(b) < 0) {
		sd_bus_unref(b);
		return NULL;
	}
	return b;
}

static int
daemon_start(sd_bus *b)
{
	const char *argv[12];
	char sock[128], conf[128], log[128], *daemon;
	uint64_t deadline;
	int logfd, has = 0;
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/dbusbench.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -errno;
	snprintf(sock, sizeof(sock), "%s/control.sock", dir);
	snprintf(conf, sizeof(conf), "%s/wschanneld.conf", dir);
	snprintf(log, sizeof(log), "%s/daemon.log", dir);
	if ((f = fopen(conf, "w")) != NULL)
		fclose(f);
	if ((daemon = harness_build_path("wschanneld")) == NULL)
		return -ENOMEM;
	argv[0] = daemon;
	argv[1] = "-d";
	argv[2] = "--socket";
	argv[3] = sock;
	argv[4] = "--config";
	argv[5] = conf;
	argv[6] = "--bus";
	argv[7] = bus_addr;
	argv[8] = NULL;
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	daemon_pid = start(argv, logfd, logfd);
	close(logfd);
	free(daemon);
	deadline = harness_now_us() + 10000000ull;
	while (!has && harness_now_us() < deadline) {
		sd_bus_message *reply = NULL;

		if (sd_bus_call_method(b, "org.freedesktop.DBus",
		    "/org/freedesktop/DBus", "org.freedesktop.DBus",
		    "NameHasOwner", NULL, &reply, "s", NAME) >= 0)
			sd_bus_message_read(reply, "b", &has);
		sd_bus_message_unref(reply);
		if (!has)
			harness_sleep_ms(10);
	}
	return has ? 0 : -ETIMEDOUT;
}

struct result {
	const char	*what;
	size_t		 n;
	double		 median_us, p99_us, per_s;
	int		 failed;
};

/* sd-bus sends a message once: each round builds its call first (outside
 * the timed part). */
typedef int (*build_fn)(sd_bus *, const char *, sd_bus_message **);

static int
build_ping(sd_bus *b, const char *path, sd_bus_message **m)
{
	return sd_bus_message_new_method_call(b, m, NAME, ROOT,
	    "org.freedesktop.DBus.Peer", "Ping");
}

static int
build_get(sd_bus *b, const char *path, sd_bus_message **m)
{
	int r;

	if ((r = sd_bus_message_new_method_call(b, m, NAME, path,
	    "org.freedesktop.DBus.Properties", "Get")) < 0)
		return r;
	return sd_bus_message_append(*m, "ss", NAME ".Channel", "State");
}

static int
build_getprop(sd_bus *b, const char *path, sd_bus_message **m)
{
	int r;

	if ((r = sd_bus_message_new_method_call(b, m, NAME, path,
	    NAME ".Channel", "GetProperty")) < 0)
		return r;
	return sd_bus_message_append(*m, "u", 8);	/* STATE */
}

static int
build_abort(sd_bus *b, const char *path, sd_bus_message **m)
{
	return sd_bus_message_new_method_call(b, m, NAME, path,
	    NAME ".Channel", "Abort");
}

/*
 * Synchronous calls of the four kinds, interleaved round by round so that
 * warm-up and frequency drift hit them alike, for 4 x `seconds`.
 */
static int
measure_all(sd_bus *b, build_fn *builds, const char *path, double seconds,
    uint64_t **ns, struct result *res)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	uint64_t start, end, t0, t1, spent[4] = { 0 };
	sd_bus_message *m, *reply;
	size_t n = 0, i, k;

	for (i = 0; i < 400; i++) {
		m = reply = NULL;
		if (builds[i % 4](b, path, &m) < 0 || sd_bus_call(b, m, 0, &e,
		    &reply) < 0) {
			fprintf(stderr, "dbusbench: %s: %s\n", res[i % 4].what,
			    e.message != NULL ? e.message : "cannot build");
			sd_bus_error_free(&e);
			sd_bus_message_unref(m);
			return -1;
		}
		sd_bus_message_unref(m);
		sd_bus_message_unref(reply);
	}
	start = now_ns();
	end = start + (uint64_t)(4 * seconds * 1e9);
	for (n = 0; n < MAX_SAMPLES / 4 && now_ns() < end; n++) {
		for (k = 0; k < 4; k++) {
			m = reply = NULL;
			if (builds[k](b, path, &m) < 0)
				return -1;
			t0 = now_ns();
			if (sd_bus_call(b, m, 0, &e, &reply) < 0) {
				sd_bus_error_free(&e);
				res[k].failed++;
			}
			t1 = now_ns();
			sd_bus_message_unref(m);
			sd_bus_message_unref(reply);
			ns[k][n] = t1 - t0;
			spent[k] += t1 - t0;
		}
	}
	for (k = 0; k < 4; k++) {
		qsort(ns[k], n, sizeof(*ns[k]), cmp_u64);
		res[k].n = n;
		if (n > 0) {
			res[k].median_us = ns[k][n / 2] / 1000.0;
			res[k].p99_us = ns[k][(n * 99) / 100] / 1000.0;
			res[k].per_s = n / (spent[k] / 1e9);
		}
	}
	return 0;
}

int
main(void)
{
	const char *env = getenv("DBUSBENCH_SECONDS");
	double seconds = env != NULL ? atof(env) : 2.0;
	struct result res[4] = {
		{ .what = "(1) floor: Peer.Ping on the daemon" },
		{ .what = "(2) Properties.Get(Channel, State)" },
		{ .what = "(3) Channel.GetProperty(STATE)    " },
		{ .what = "(4) Channel.Abort                 " },
	};
	build_fn builds[4] = { build_ping, build_get, build_getprop,
	    build_abort };
	sd_bus_message *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *path = NULL;
	char cmd[128];
	uint64_t *ns[4] = { NULL };
	sd_bus *b = NULL;
	int i, st, rc = 0;

	if (seconds <= 0)
		seconds = 2.0;
	for (i = 0; i < 4; i++)
		if ((ns[i] = calloc(MAX_SAMPLES / 4, sizeof(*ns[i]))) == NULL)
			return 1;
	if (bus_start() != 0) {
		fprintf(stderr, "dbusbench: cannot start %s; skipped\n",
		    DBUS_DAEMON_PROG);
		for (i = 0; i < 4; i++)
			free(ns[i]);
		return 0;
	}
	if ((b = bus_connect()) == NULL || daemon_start(b) != 0) {
		fprintf(stderr, "dbusbench: cannot start wschanneld on the "
		    "private bus\n");
		rc = 1;
		goto out;
	}
	if (sd_bus_call_method(b, NAME, ROOT, NAME ".Manager", "CreateChannel",
	    &e, &reply, "uua{uv}", 7, 1, 1, 4, "u", 5) < 0 ||
	    sd_bus_message_read(reply, "o", &path) < 0) {
		fprintf(stderr, "dbusbench: CreateChannel: %s\n", e.message);
		rc = 1;
		goto out;
	}
	printf("dbusbench: private dbus-daemon and wschanneld, synchronous calls, "
	    "the four kinds interleaved for %.1f s\n", 4 * seconds);
	if (measure_all(b, builds, path, seconds, ns, res) != 0) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < 4; i++) {
		printf("  %s median %8.1f us  p99 %8.1f us  %9.0f calls/s",
		    res[i].what, res[i].median_us, res[i].p99_us, res[i].per_s);
		if (i > 0 && res[0].median_us > 0)
			printf("  x%.2f of (1)", res[i].median_us /
			    res[0].median_us);
		if (res[i].failed > 0)
			printf("  (%d failed)", res[i].failed);
		printf("\n");
	}
	printf("  the door's own cost per call is the difference to (1): "
	    "the bus daemon's two hops are in both\n");
out:
	sd_bus_message_unref(reply);
	sd_bus_error_free(&e);
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		st = harness_wait_pid(daemon_pid, 10000);
		if (st != 0) {
			fprintf(stderr, "dbusbench: wschanneld exited with %d\n",
			    st);
			rc = 1;
		}
	}
	if (b != NULL)
		sd_bus_flush_close_unref(b);
	if (bus_pid > 0) {
		kill(bus_pid, SIGTERM);
		harness_wait_pid(bus_pid, 10000);
	}
	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) == -1)
			rc = 1;
	}
	for (i = 0; i < 4; i++)
		free(ns[i]);
	return rc;
}
