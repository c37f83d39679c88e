/*
 * wschanneld as a systemd service, without systemd running:
 *
 *   - `systemd-analyze verify` on the units (ExecStart pointed at the
 *     build tree) and `systemd-analyze security --offline=yes
 *     --threshold=25` on the service (skipped without systemd-analyze)
 *   - started by `systemd-socket-activate`, it serves clients on the
 *     passed socket and creates none of its own
 *   - a NOTIFY_SOCKET bound here receives READY=1 with STATUS=, STATUS=
 *     with live counts, WATCHDOG=1 (WATCHDOG_USEC / WATCHDOG_PID),
 *     RELOADING=1 then READY=1 after SIGHUP, STOPPING=1 at SIGTERM
 *   - SIGTERM with 100 threads blocked in WsReceiveMessage through
 *     libwschannel (and blocked D-Bus Receive calls when a dbus-daemon is
 *     available): every call returns WS_E_OPERATION_ABORTED or
 *     WS_E_ENDPOINT_DISCONNECTED, the daemon exits 0 (under valgrind, leak
 *     checked, when valgrind is usable)
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "harness.h"

#ifndef DBUS_DAEMON
#define DBUS_DAEMON ""
#endif
#ifndef SYSTEMD_ANALYZE
#define SYSTEMD_ANALYZE ""
#endif
#ifndef ABS_SRCDIR
#define ABS_SRCDIR "."
#endif
#define DBUS_DAEMON_PROG (DBUS_DAEMON[0] != '\0' ? DBUS_DAEMON : "dbus-daemon")
#define ANALYZE_PROG (SYSTEMD_ANALYZE[0] != '\0' ? SYSTEMD_ANALYZE : "systemd-analyze")

#define T_MS		10000
#define NCLIENTS	100
#define NBUS_CALLS	10

static struct {
	char	dir[96];
	char	sock[128];
	char	log[128];
	char	conf[128];
	pid_t	daemon_pid;
	bool	termed;		/* SIGTERM sent already */
	bool	valgrind;
	pid_t	bus_pid;
	char	bus_addr[512];
} T = { .daemon_pid = -1, .bus_pid = -1 };

static const char *
srcdir(void)
{
	const char *s = getenv("WSCHANNEL_SRCDIR");

	return s != NULL && *s != '\0' ? s : ABS_SRCDIR;
}

static bool
have(const char *path, const char *name)
{
	return access(path, X_OK) == 0 || harness_have_program(name);
}

static void
make_dir(void)
{
	FILE *f;

	snprintf(T.dir, sizeof(T.dir), "/tmp/wssysd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(T.dir));
	snprintf(T.sock, sizeof(T.sock), "%s/control.sock", T.dir);
	snprintf(T.log, sizeof(T.log), "%s/daemon.log", T.dir);
	snprintf(T.conf, sizeof(T.conf), "%s/wschanneld.conf", T.dir);
	ck_assert_ptr_nonnull(f = fopen(T.conf, "w"));
	fputs("[Daemon]\nVerbose=no\n", f);
	fclose(f);
}

static void
remove_dir(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", T.dir);
	if (system(cmd) == -1)
		perror("system");
}

static void
show_log(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "cat %s >&2", T.log);
	if (system(cmd) == -1)
		perror("system");
}

/* A private dbus-daemon for the tests that want one; false without. */
static bool
bus_start(void)
{
	char conf[PATH_MAX], cfg[PATH_MAX + 16];
	int pfd[2], nullfd;
	pid_t parent = getpid();

	if (!have(DBUS_DAEMON_PROG, "dbus-daemon"))
		return false;
	snprintf(conf, sizeof(conf), "%s/tests/dbus-session.conf", srcdir());
	snprintf(cfg, sizeof(cfg), "--config-file=%s", conf);
	if (pipe(pfd) == -1)
		return false;
	T.bus_pid = fork();
	if (T.bus_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		nullfd = open("/dev/null", O_RDWR);
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);
		close(pfd[0]);
		if (pfd[1] != 3) {
			dup2(pfd[1], 3);
			close(pfd[1]);
		}
		execlp(DBUS_DAEMON_PROG, "dbus-daemon", cfg, "--nofork",
		    "--print-address=3", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (T.bus_pid < 0 || harness_read_line(pfd[0], T.bus_addr,
	    sizeof(T.bus_addr), T_MS) != 0 || T.bus_addr[0] == '\0') {
		T.bus_addr[0] = '\0';
		close(pfd[0]);
		return false;
	}
	close(pfd[0]);
	return true;
}

static void
bus_stop(void)
{
	if (T.bus_pid > 0) {
		kill(T.bus_pid, SIGTERM);
		if (harness_wait_pid(T.bus_pid, T_MS) < 0) {
			kill(T.bus_pid, SIGKILL);
			harness_wait_pid(T.bus_pid, T_MS);
		}
	}
	T.bus_pid = -1;
	T.bus_addr[0] = '\0';
}

/*
 * Starts argv with stdout and stderr into the log.  `env` (NULL-ended
 * "NAME=VALUE") is added; with `watchdog_pid` WATCHDOG_PID is the child's
 * own pid.
 */
static pid_t
spawn(const char *const *argv, const char *const *env, bool watchdog_pid)
{
	pid_t parent = getpid(), pid;
	char buf[32];
	int logfd, nullfd;
	size_t i;

	logfd = open(T.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	nullfd = open("/dev/null", O_RDWR);
	ck_assert_int_ge(logfd, 0);
	ck_assert_int_ge(nullfd, 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(nullfd, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		if (watchdog_pid) {
			snprintf(buf, sizeof(buf), "%d", (int)getpid());
			setenv("WATCHDOG_PID", buf, 1);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(logfd);
	close(nullfd);
	return pid;
}

/* wschanneld -d [valgrind] --socket --config [--bus] plus `extra`. */
/* True when a connection to the Unix socket at `path` succeeds. */
static bool
sock_accepts(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return rc == 0;
}

static void
daemon_start(const char *const *env, bool watchdog_pid, bool valgrind)
{
	const char *argv[32];
	char *daemon;
	int argc = 0;
	uint64_t deadline;

	T.valgrind = valgrind && harness_valgrind_usable();
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	if (T.valgrind) {
		argv[argc++] = "valgrind";
		argv[argc++] = "-q";
		argv[argc++] = "--leak-check=full";
		argv[argc++] = "--error-exitcode=99";
	}
	argv[argc++] = daemon;
	argv[argc++] = "-d";
	argv[argc++] = "--socket";
	argv[argc++] = T.sock;
	argv[argc++] = "--config";
	argv[argc++] = T.conf;
	if (T.bus_addr[0] != '\0') {
		argv[argc++] = "--bus";
		argv[argc++] = T.bus_addr;
	}
	argv[argc] = NULL;
	T.daemon_pid = spawn(argv, env, watchdog_pid);
	free(daemon);
	deadline = harness_now_us() + (T.valgrind ? 60000000ull : 10000000ull);
	/* Connectable, not merely created: the file exists from bind(),
	 * a moment before listen(). */
	while (!sock_accepts(T.sock)) {
		ck_assert_msg(harness_now_us() < deadline,
		    "wschanneld did not listen on %s", T.sock);
		ck_assert_msg(waitpid(T.daemon_pid, NULL, WNOHANG) == 0,
		    "wschanneld exited at start");
		harness_sleep_ms(10);
	}
	{
		char a[200];

		snprintf(a, sizeof(a), "unix:path=%s", T.sock);
		setenv("WSCHANNEL_ADDRESS", a, 1);
	}
}

/* SIGTERM; the exit code (0: clean and, under valgrind, leak-free). */
static int
daemon_stop(void)
{
	int st;

	if (T.daemon_pid <= 0)
		return 0;
	if (!T.termed)
		kill(T.daemon_pid, SIGTERM);
	T.termed = false;
	st = harness_wait_pid(T.daemon_pid, T.valgrind ? 90000 : T_MS);
	if (st == -ETIMEDOUT) {
		kill(T.daemon_pid, SIGKILL);
		harness_wait_pid(T.daemon_pid, T_MS);
	}
	T.daemon_pid = -1;
	if (st != 0)
		show_log();
	return st;
}

static void
setup(void)
{
	make_dir();
}

static void
teardown(void)
{
	if (T.daemon_pid > 0) {
		kill(T.daemon_pid, SIGKILL);
		harness_wait_pid(T.daemon_pid, T_MS);
		T.daemon_pid = -1;
	}
	bus_stop();
	remove_dir();
}

/* ---- the units --------------------------------------------------------------------- */

static char *
slurp(const char *path)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (getdelim(&s, &len, '\0', f) < 0) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/*
 * The generated service with its ExecStart= binary replaced by the build
 * tree's (verify wants an executable there), written to the test dir.
 */
static void
units_for_verify(char *service, size_t len, char *socket, size_t slen)
{
	char *gen, *unit, *start, *end, *daemon;
	FILE *f;

	ck_assert_ptr_nonnull(gen = harness_build_path(
	    "systemd/wschanneld.service"));
	unit = slurp(gen);
	ck_assert_msg(unit != NULL, "%s: not built", gen);
	ck_assert_ptr_nonnull(start = strstr(unit, "\nExecStart="));
	start += strlen("\nExecStart=");
	end = start + strcspn(start, " \n");
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	snprintf(service, len, "%s/wschanneld.service", T.dir);
	ck_assert_ptr_nonnull(f = fopen(service, "w"));
	fprintf(f, "%.*s%s%s", (int)(start - unit), unit, daemon, end);
	fclose(f);
	free(unit);
	free(daemon);
	free(gen);

	{
		char src[PATH_MAX];

		snprintf(src, sizeof(src), "%s/systemd/wschanneld.socket",
		    srcdir());
		ck_assert_ptr_nonnull(unit = slurp(src));
	}
	snprintf(socket, slen, "%s/wschanneld.socket", T.dir);
	ck_assert_ptr_nonnull(f = fopen(socket, "w"));
	fputs(unit, f);
	fclose(f);
	free(unit);
}

START_TEST(test_units_verify)
{
	char service[PATH_MAX], socket[PATH_MAX], *out = NULL, *unit, *path;
	const char *argv[8];
	int status;

	if (!have(ANALYZE_PROG, "systemd-analyze")) {
		fprintf(stderr, "test_units_verify: no systemd-analyze; skipped\n");
		return;
	}
	units_for_verify(service, sizeof(service), socket, sizeof(socket));
	argv[0] = ANALYZE_PROG;
	argv[1] = "verify";
	argv[2] = service;
	argv[3] = socket;
	argv[4] = NULL;
	ck_assert_int_eq(harness_run((char *const *)argv, 3 * T_MS, &out,
	    &status), 0);
	ck_assert_msg(status == 0, "systemd-analyze verify: exit %d", status);
	free(out);

	/* What bus activation and the socket need, in the files. */
	unit = slurp(service);
	ck_assert_ptr_nonnull(strstr(unit, "Type=notify"));
	ck_assert_ptr_nonnull(strstr(unit, "Alias=dbus-org.wschannel.WsChannel1.service"));
	ck_assert_ptr_nonnull(strstr(unit, "BusName=org.wschannel.WsChannel1"));
	ck_assert_ptr_nonnull(strstr(unit, "WatchdogSec="));
	ck_assert_ptr_nonnull(strstr(unit, "RuntimeDirectory=wschanneld"));
	free(unit);
	unit = slurp(socket);
	ck_assert_ptr_nonnull(strstr(unit, "FileDescriptorName=control"));
	free(unit);
	ck_assert_ptr_nonnull(path = harness_build_path(
	    "systemd/org.wschannel.WsChannel1.service"));
	ck_assert_ptr_nonnull(unit = slurp(path));
	ck_assert_ptr_nonnull(strstr(unit,
	    "SystemdService=dbus-org.wschannel.WsChannel1.service"));
	ck_assert_ptr_nonnull(strstr(unit, "Name=org.wschannel.WsChannel1"));
	free(unit);
	free(path);
}
END_TEST

START_TEST(test_security_score)
{
	char service[PATH_MAX], socket[PATH_MAX], *out = NULL, *line;
	const char *argv[8];
	int status;

	if (!have(ANALYZE_PROG, "systemd-analyze")) {
		fprintf(stderr, "test_security_score: no systemd-analyze; skipped\n");
		return;
	}
	units_for_verify(service, sizeof(service), socket, sizeof(socket));
	argv[0] = ANALYZE_PROG;
	argv[1] = "security";
	argv[2] = "--offline=yes";
	argv[3] = "--threshold=25";
	argv[4] = "--no-pager";
	argv[5] = service;
	argv[6] = NULL;
	ck_assert_int_eq(harness_run((char *const *)argv, 3 * T_MS, &out,
	    &status), 0);
	if (out != NULL && (line = strstr(out, "Overall exposure level")) != NULL)
		fprintf(stderr, "%.*s\n", (int)strcspn(line, "\n"), line);
	ck_assert_msg(status == 0, "systemd-analyze security: exit %d\n%s",
	    status, out != NULL ? out : "");
	free(out);
}
END_TEST

/* ---- socket activation ---------------------------------------------------------------- */

START_TEST(test_socket_activation)
{
	const char *argv[16];
	char own[160], *daemon, *log;
	WS_CHANNEL *ch = NULL;
	uint64_t deadline;
	struct stat st;
	int argc = 0;

	if (!harness_have_program("systemd-socket-activate")) {
		fprintf(stderr, "test_socket_activation: no "
		    "systemd-socket-activate; skipped\n");
		return;
	}
	/* The daemon is told of another socket, which it must not create. */
	snprintf(own, sizeof(own), "%s/own.sock", T.dir);
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	argv[argc++] = "systemd-socket-activate";
	argv[argc++] = "-l";
	argv[argc++] = T.sock;
	argv[argc++] = "--fdname=control";
	argv[argc++] = daemon;
	argv[argc++] = "-d";
	argv[argc++] = "-v";
	argv[argc++] = "--socket";
	argv[argc++] = own;
	argv[argc++] = "--config";
	argv[argc++] = T.conf;
	argv[argc] = NULL;
	T.daemon_pid = spawn(argv, NULL, false);
	free(daemon);
	deadline = harness_now_us() + 1000ull * T_MS;
	/* Listening, not merely bound (the file exists from bind()).  This
	 * probe is the first connection: it starts the daemon, which takes
	 * the probe from the passed socket and sees it go. */
	while (!sock_accepts(T.sock) && harness_now_us() < deadline)
		harness_sleep_ms(10);
	ck_assert_int_eq(stat(T.sock, &st), 0);
	{
		char a[200];

		snprintf(a, sizeof(a), "unix:path=%s", T.sock);
		setenv("WSCHANNEL_ADDRESS", a, 1);
	}
	/* The first connection starts it; it serves on the passed socket. */
	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(ch);
	ck_assert_int_ne(stat(own, &st), 0);
	ck_assert_int_eq(daemon_stop(), 0);
	log = slurp(T.log);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, "socket from systemd") != NULL,
	    "the daemon did not take the passed socket:\n%s", log);
	free(log);
	/* Not its socket: left for the socket unit. */
	ck_assert_int_eq(stat(T.sock, &st), 0);
}
END_TEST

/* ---- sd_notify ------------------------------------------------------------------------ */

struct notify_log {
	int	fd;
	char	text[16384];	/* every datagram, "|"-separated */
	size_t	len;
};

/* Reads datagrams until one holds `line` (a whole line); false on timeout. */
static bool
notify_wait(struct notify_log *n, const char *line, int ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)ms;
	struct pollfd pfd = { n->fd, POLLIN, 0 };
	char buf[4096], *p;
	uint64_t now;
	ssize_t r;

	for (;;) {
		if ((now = harness_now_us()) >= deadline)
			return false;
		if (poll(&pfd, 1, (int)((deadline - now) / 1000) + 1) <= 0)
			continue;
		if ((r = recv(n->fd, buf, sizeof(buf) - 1, 0)) <= 0)
			continue;
		buf[r] = '\0';
		if (n->len + (size_t)r + 2 < sizeof(n->text)) {
			memcpy(n->text + n->len, buf, (size_t)r);
			n->len += (size_t)r;
			n->text[n->len++] = '|';
			n->text[n->len] = '\0';
		}
		for (p = strtok(buf, "\n"); p != NULL; p = strtok(NULL, "\n"))
			if (strcmp(p, line) == 0)
				return true;
	}
}

START_TEST(test_notify_protocol)
{
	struct sockaddr_un sun;
	struct notify_log n;
	char path[128], env_sock[160], *p;
	const char *env[4];
	WS_CHANNEL *ch = NULL;
	bool have_bus;

	memset(&n, 0, sizeof(n));
	snprintf(path, sizeof(path), "%s/notify.sock", T.dir);
	n.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(n.fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(n.fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	snprintf(env_sock, sizeof(env_sock), "NOTIFY_SOCKET=%s", path);
	env[0] = env_sock;
	env[1] = "WATCHDOG_USEC=200000";
	env[2] = NULL;
	/* READY=1 once both doors listen: with a bus when there is one. */
	have_bus = bus_start();
	daemon_start(env, true, false);

	ck_assert_msg(notify_wait(&n, "READY=1", T_MS), "no READY=1: %s", n.text);
	ck_assert_msg(strstr(n.text, "STATUS=0 channels, 0 listeners, 0 pending"),
	    "READY without STATUS=: %s", n.text);
	ck_assert_msg(notify_wait(&n, "WATCHDOG=1", T_MS), "no WATCHDOG=1: %s",
	    n.text);
	/* Live counts follow the objects. */
	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_msg(notify_wait(&n, "STATUS=1 channel, 0 listeners, 0 pending",
	    T_MS), "no STATUS= with the new channel: %s", n.text);

	/* SIGHUP: RELOADING=1, then READY=1. */
	n.len = 0;
	n.text[0] = '\0';
	kill(T.daemon_pid, SIGHUP);
	ck_assert_msg(notify_wait(&n, "RELOADING=1", T_MS), "no RELOADING=1: %s",
	    n.text);
	ck_assert_ptr_nonnull(strstr(n.text, "MONOTONIC_USEC="));
	ck_assert_msg(notify_wait(&n, "READY=1", T_MS),
	    "no READY=1 after the reload: %s", n.text);
	p = strstr(n.text, "RELOADING=1");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(p, "READY=1"));
	WsFreeChannel(ch);

	/* SIGTERM: STOPPING=1 first, and a clean exit. */
	n.len = 0;
	kill(T.daemon_pid, SIGTERM);
	T.termed = true;
	ck_assert_msg(notify_wait(&n, "STOPPING=1", T_MS), "no STOPPING=1: %s",
	    n.text);
	ck_assert_int_eq(daemon_stop(), 0);
	close(n.fd);
	(void)have_bus;
}
END_TEST

/* ---- SIGTERM with blocked clients ------------------------------------------------------ */

static HRESULT
blocked_receive(void *arg)
{
	struct harness_msg m;
	HRESULT hr;

	memset(&m, 0, sizeof(m));
	hr = harness_receive(arg, &m, HARNESS_BODY_INT, NULL);
	harness_msg_free(&m);
	return hr;
}

struct bus_call {
	bool		 done;
	char		 error[256];
};

static int
bus_call_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct bus_call *c = arg;
	const sd_bus_error *err = sd_bus_message_get_error(m);

	c->done = true;
	snprintf(c->error, sizeof(c->error), "%s", err != NULL ? err->name :
	    "(success)");
	return 0;
}

static uint32_t
bus_pending(sd_bus *b)
{
	sd_bus_message *reply = NULL;
	const char *k;
	uint32_t v = 0;

	if (sd_bus_call_method(b, "org.wschannel.WsChannel1",
	    "/org/wschannel/WsChannel1", "org.wschannel.WsChannel1.Manager",
	    "GetStatistics", NULL, &reply, "") < 0)
		return 0;
	sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
		sd_bus_message_read(reply, "s", &k);
		if (strcmp(k, "PendingOperations") == 0)
			sd_bus_message_read(reply, "v", "u", &v);
		else
			sd_bus_message_skip(reply, "v");
		sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	return v;
}

START_TEST(test_sigterm_blocked_clients)
{
	WS_CHANNEL *c[NCLIENTS], *s[NCLIENTS];
	struct harness_bg *bg[NCLIENTS];
	struct bus_call calls[NBUS_CALLS];
	WS_LISTENER *l = NULL;
	sd_bus *b = NULL;
	uint64_t deadline;
	uint16_t port;
	HRESULT hr;
	int i, nbus = 0, st, wait_ms;

	if (bus_start()) {
		ck_assert_int_ge(sd_bus_new(&b), 0);
		ck_assert_int_ge(sd_bus_set_address(b, T.bus_addr), 0);
		ck_assert_int_ge(sd_bus_set_bus_client(b, 1), 0);
		ck_assert_int_ge(sd_bus_start(b), 0);
	}
	daemon_start(NULL, false, true);
	wait_ms = T.valgrind ? 60000 : T_MS;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < NCLIENTS; i++) {
		HR_EQ(harness_tcp_channel(&c[i], NULL, 0), S_OK);
		HR_EQ(harness_open_accepted(l, port, c[i], &s[i]), S_OK);
	}
	for (i = 0; i < NCLIENTS; i++)
		ck_assert_ptr_nonnull(bg[i] = harness_bg_start(blocked_receive,
		    c[i]));
	/* Some callers over D-Bus too, on the accepted side (ids: the
	 * listener is 1, then client 2k and server 2k+1). */
	if (b != NULL) {
		memset(calls, 0, sizeof(calls));
		for (i = 0; i < NBUS_CALLS; i++) {
			char path[128];

			snprintf(path, sizeof(path),
			    "/org/wschannel/WsChannel1/channel/%d", 2 * i + 3);
			ck_assert_int_ge(sd_bus_call_method_async(b, NULL,
			    "org.wschannel.WsChannel1", path,
			    "org.wschannel.WsChannel1.Channel", "Receive",
			    bus_call_cb, &calls[i], ""), 0);
			nbus++;
		}
		/* Everybody is blocked in the daemon before the signal. */
		deadline = harness_now_us() + 1000ull * (uint64_t)wait_ms;
		while (bus_pending(b) < NCLIENTS + NBUS_CALLS &&
		    harness_now_us() < deadline)
			harness_sleep_ms(20);
		ck_assert_uint_eq(bus_pending(b), NCLIENTS + NBUS_CALLS);
	} else
		harness_sleep_ms(500);	/* let the requests reach it */
	for (i = 0; i < NCLIENTS; i++)
		ck_assert_msg(!harness_bg_done(bg[i]), "client %d returned early",
		    i);

	kill(T.daemon_pid, SIGTERM);
	T.termed = true;
	for (i = 0; i < NCLIENTS; i++) {
		ck_assert_msg(harness_bg_wait(bg[i], wait_ms, &hr),
		    "client %d still blocked", i);
		ck_assert_msg(hr == WS_E_OPERATION_ABORTED ||
		    hr == WS_E_ENDPOINT_DISCONNECTED, "client %d: %s", i,
		    harness_hr_name(hr));
	}
	if (b != NULL) {
		deadline = harness_now_us() + 1000ull * (uint64_t)wait_ms;
		for (i = 0; i < nbus; i++) {
			while (!calls[i].done && harness_now_us() < deadline) {
				if (sd_bus_process(b, NULL) > 0)
					continue;
				sd_bus_wait(b, 100000);
			}
			ck_assert_msg(calls[i].done, "D-Bus call %d unanswered", i);
			ck_assert_msg(strcmp(calls[i].error,
			    "org.wschannel.WsChannel1.Error.OperationAborted") == 0 ||
			    strcmp(calls[i].error,
			    "org.wschannel.WsChannel1.Error.EndpointDisconnected") == 0 ||
			    strcmp(calls[i].error,
			    "org.freedesktop.DBus.Error.NoReply") == 0,
			    "D-Bus call %d: %s", i, calls[i].error);
		}
	}
	st = daemon_stop();
	ck_assert_msg(st == 0, "wschanneld exited with %d%s", st,
	    T.valgrind ? " (valgrind: 99 means errors or leaks)" : "");
	if (b != NULL)
		sd_bus_flush_close_unref(b);
	/* The handles still work locally after the daemon is gone. */
	for (i = 0; i < NCLIENTS; i++) {
		WsAbortChannel(c[i], NULL);
		WsFreeChannel(c[i]);
		WsFreeChannel(s[i]);
	}
	WsFreeListener(l);
}
END_TEST

static Suite *
systemd_suite(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc;

	tc = tcase_create("units");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_units_verify);
	tcase_add_test(tc, test_security_score);
	suite_add_tcase(s, tc);

	tc = tcase_create("service");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_socket_activation);
	tcase_add_test(tc, test_notify_protocol);
	tcase_add_test(tc, test_sigterm_blocked_clients);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(systemd_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
