/*
 * wsctl against a real daemon: each test starts a private wschanneld on a
 * temporary socket (tests/harness.c), makes channels and listeners through
 * libwschannel, runs the wsctl binary and compares its output, text and
 * JSON, with tests/expected/wsctl-*.
 *
 * A fresh daemon numbers its objects from 1, so ids are predictable; what
 * varies from run to run (uids, pids, ports, byte counts, event sequence
 * numbers) is replaced with placeholders before comparing: UID, PID
 * (this process), CHILD (a helper process), PORT (the listener's port),
 * EPHEMERAL (any other loopback port), N (a byte count), SEQ.
 *
 * The list, show, abort and watch tests run twice: through the daemon's
 * socket, and through its D-Bus door (a private dbus-daemon started with
 * tests/dbus-session.conf, the daemon with --bus <its address>, wsctl with
 * --bus <it>), against the same expected files.  Over D-Bus a watch line
 * has no CAUSE (the signals carry none), so that column is left out of the
 * comparison there.  Last, a bus that starts the daemon itself (D-Bus
 * activation) when wsctl asks for it.
 *
 * WSCTL_BLESS=1 rewrites the expected files from what wsctl printed.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <wschannel/webservices.h>

#include "harness.h"

#define WSCTL_RUN_MS	20000
#define WAIT_MS		10000

#ifndef DBUS_DAEMON
#define DBUS_DAEMON ""
#endif
/* configure's path, else $PATH. */
#define DBUS_DAEMON_PROG (DBUS_DAEMON[0] != '\0' ? DBUS_DAEMON : "dbus-daemon")
#define BUS_NAME	"org.wschannel.WsChannel1"

/*
 * The door wsctl goes through.  Over the socket the harness runs the
 * daemon; over D-Bus this file does (the harness has no --bus), with a
 * private bus, in a directory named like the harness's so that its clean
 * up at exit covers a test that failed half way.
 */
static struct {
	bool	 bus;		/* the D-Bus fixture is in use */
	pid_t	 bus_pid;	/* private dbus-daemon */
	char	 bus_addr[512];
	pid_t	 daemon_pid;
	char	 dir[96];
	char	 sock[128];
	char	 log[128];
} D = { .bus_pid = -1, .daemon_pid = -1 };

/* The test program's own pid, for the directory names. */
static pid_t root_pid;

/* Where this test may put files. */
static const char *
test_dir(void)
{
	return D.bus ? D.dir : harness_dir();
}

/* ---- running wsctl ---------------------------------------------------- */

static char *
wsctl_path(void)
{
	char *p = harness_build_path("wsctl");

	ck_assert_ptr_nonnull(p);
	return p;
}

/*
 * Runs `prefix` (NULL-terminated, may be NULL) wsctl `door` `where` and the
 * NULL-terminated arguments; `door` "--socket", "--bus" or NULL.
 */
static char *
run_wsctl_v(const char *const *prefix, const char *door, const char *where,
    int *status, va_list ap)
{
	const char *argv[40];
	const char *arg;
	char *out = NULL, *wsctl = wsctl_path();
	int argc = 0, r;

	while (prefix != NULL && *prefix != NULL)
		argv[argc++] = *prefix++;
	argv[argc++] = wsctl;
	if (door != NULL && where != NULL) {
		argv[argc++] = door;
		argv[argc++] = where;
	}
	while ((arg = va_arg(ap, const char *)) != NULL && argc < 39)
		argv[argc++] = arg;
	argv[argc] = NULL;
	r = harness_run((char *const *)argv, WSCTL_RUN_MS, &out, status);
	ck_assert_msg(r == 0, "running wsctl failed: %s", strerror(-r));
	free(wsctl);
	if (out == NULL)
		out = strdup("");
	return out;
}

static char *
run_wsctl_sock(const char *sock, int *status, ...)
{
	va_list ap;
	char *out;

	va_start(ap, status);
	out = run_wsctl_v(NULL, "--socket", sock, status, ap);
	va_end(ap);
	return out;
}

static char *
run_wsctl_bus(const char *bus, int *status, ...)
{
	va_list ap;
	char *out;

	va_start(ap, status);
	out = run_wsctl_v(NULL, "--bus", bus, status, ap);
	va_end(ap);
	return out;
}

/* wsctl against the private daemon, through the door of the fixture. */
static char *
run_wsctl_prefixed(const char *const *prefix, int *status, ...)
{
	va_list ap;
	char *out;

	if (D.bus)
		ck_assert_int_gt(D.daemon_pid, 0);
	else
		ck_assert_ptr_nonnull(harness_socket_path());
	va_start(ap, status);
	out = run_wsctl_v(prefix, D.bus ? "--bus" : "--socket",
	    D.bus ? D.bus_addr : harness_socket_path(), status, ap);
	va_end(ap);
	return out;
}

#define run_wsctl(status, ...) run_wsctl_prefixed(NULL, status, __VA_ARGS__)

/* Runs wsctl, expects exit status `want` and returns stdout. */
#define WSCTL(want, ...) ({						\
	int st_ = -1;							\
	char *o_ = run_wsctl(&st_, __VA_ARGS__, NULL);			\
	ck_assert_msg(st_ == (want), "wsctl exited %d, not %d; "	\
	    "stdout:\n%s", st_, (want), o_);				\
	o_;								\
})

static char *read_file(const char *path);

/*
 * The same, with wsctl's stderr into a file (through sh, so that the
 * harness's runner, which keeps only stdout, serves as it is): *err gets
 * what wsctl said there.
 */
/* uid 65534, which owns nothing and administers nothing. */
static const char *const as_nobody[] = { "setpriv", "--reuid=65534",
    "--regid=65534", "--clear-groups", NULL };

/*
 * `door` NULL: none.  As uid 65534 if `nobody` (the file is made first,
 * writable by anyone, since the directory is not).
 */
static char *
run_wsctl_err_at(bool nobody, const char *door, const char *where,
    char **err, int *status, ...)
{
	char script[PATH_MAX + 64], path[PATH_MAX];
	const char *prefix[16];
	va_list ap;
	char *out;
	int n = 0, fd;

	snprintf(path, sizeof(path), "%s/wsctl.err", test_dir());
	snprintf(script, sizeof(script), "exec \"$0\" \"$@\" 2>'%s'", path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0666), 0);
	close(fd);
	while (nobody && as_nobody[n] != NULL) {
		prefix[n] = as_nobody[n];
		n++;
	}
	prefix[n++] = "/bin/sh";
	prefix[n++] = "-c";
	prefix[n++] = script;
	prefix[n] = NULL;
	va_start(ap, status);
	out = run_wsctl_v(prefix, door, where, status, ap);
	va_end(ap);
	*err = read_file(path);
	ck_assert_ptr_nonnull(*err);
	unlink(path);
	return out;
}

/* The door of the fixture. */
#define run_wsctl_err(err, status, ...)					\
	run_wsctl_err_at(false, D.bus ? "--bus" : "--socket",		\
	    D.bus ? D.bus_addr : harness_socket_path(), err, status,	\
	    __VA_ARGS__)

/* Runs wsctl, expects exit status `want` and stderr `want_err`; stdout. */
#define WSCTL_E(want, want_err, ...) ({					\
	int st_ = -1;							\
	char *e_, *o_ = run_wsctl_err(&e_, &st_, __VA_ARGS__, NULL);	\
	ck_assert_msg(st_ == (want), "wsctl exited %d, not %d; "	\
	    "stdout:\n%s", st_, (want), o_);				\
	ck_assert_str_eq(e_, (want_err));				\
	free(e_);							\
	o_;								\
})

/* ---- normalizing ------------------------------------------------------ */

static struct {
	uint16_t	port;		/* -> PORT */
	pid_t		child;		/* -> CHILD */
} nm;

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

enum field { F_UID, F_PID, F_BYTES, F_SEQ };

/* The placeholder for a number in a field, or NULL to keep it. */
static const char *
placeholder(enum field f, const char *s, size_t n)
{
	unsigned long long v;

	if (!all_digits(s, n))
		return NULL;
	v = strtoull(s, NULL, 10);
	switch (f) {
	case F_UID:
		return v == (unsigned long long)getuid() ? "UID" : NULL;
	case F_PID:
		if (v == (unsigned long long)getpid())
			return "PID";
		if (nm.child > 0 && v == (unsigned long long)nm.child)
			return "CHILD";
		return NULL;
	case F_BYTES:
		/* What counts as a byte (framing or not) is the daemon's
		 * business; that wsctl shows the counters is ours. */
		return "N";
	case F_SEQ:
		return "SEQ";
	}
	return NULL;
}

/* "127.0.0.1:<port>": PORT for the listener's, EPHEMERAL for the others. */
static void
norm_addrs(FILE *f, const char *in)
{
	static const char host[] = "127.0.0.1:";
	const char *p = in, *hit;
	size_t n;

	while ((hit = strstr(p, host)) != NULL) {
		hit += strlen(host);
		fwrite(p, 1, hit - p, f);
		for (n = 0; isdigit((unsigned char)hit[n]); n++)
			;
		if (n == 0) {
			p = hit;
			continue;
		}
		fputs(nm.port != 0 && strtoul(hit, NULL, 10) == nm.port ?
		    "PORT" : "EPHEMERAL", f);
		p = hit + n;
	}
	fputs(p, f);
}

/* Text: `wsctl list` rows (10 and 8 fields), watch lines (9), show lines. */
static void
norm_text_line(FILE *f, const char *line, size_t len)
{
	static const struct {
		const char	*key;
		enum field	 field;
	} show[] = {
		{ "owner-uid:", F_UID }, { "owner-pid:", F_PID },
		{ "bytes-in:", F_BYTES }, { "bytes-out:", F_BYTES },
	};
	const char *tok[16], *ph;
	size_t toklen[16], i, ntok = 0, pos = 0;

	for (i = 0; i < sizeof(show) / sizeof(show[0]); i++) {
		size_t kl = strlen(show[i].key), v;

		if (len < kl || strncmp(line, show[i].key, kl) != 0)
			continue;
		for (v = kl; v < len && line[v] == ' '; v++)
			;
		ph = placeholder(show[i].field, line + v, len - v);
		fwrite(line, 1, v, f);
		if (ph != NULL)
			fputs(ph, f);
		else
			fwrite(line + v, 1, len - v, f);
		return;
	}
	while (pos < len && ntok < 16) {
		tok[ntok] = line + pos;
		while (pos < len && line[pos] != ' ')
			pos++;
		toklen[ntok] = line + pos - tok[ntok];
		ntok++;
		if (pos < len)
			pos++;
	}
	/* Padded lines (show) have empty tokens: no columns there. */
	for (i = 0; i < ntok; i++)
		if (toklen[i] == 0) {
			fwrite(line, 1, len, f);
			return;
		}
	for (i = 0; i < ntok; i++) {
		ph = NULL;
		if ((ntok == 10 || ntok == 8) && i == 1)
			ph = placeholder(F_UID, tok[i], toklen[i]);
		else if ((ntok == 10 || ntok == 8) && i == 2)
			ph = placeholder(F_PID, tok[i], toklen[i]);
		else if (ntok == 10 && (i == 8 || i == 9))
			ph = placeholder(F_BYTES, tok[i], toklen[i]);
		else if (ntok == 9 && i == 0)
			ph = placeholder(F_SEQ, tok[i], toklen[i]);
		else if (ntok == 9 && i == 6)
			ph = placeholder(F_UID, tok[i], toklen[i]);
		else if (ntok == 9 && i == 7)
			ph = placeholder(F_PID, tok[i], toklen[i]);
		if (i > 0)
			fputc(' ', f);
		if (ph != NULL)
			fputs(ph, f);
		else
			fwrite(tok[i], 1, toklen[i], f);
	}
}

/* JSON: the number after these keys becomes a quoted placeholder. */
static void
norm_json(FILE *f, const char *in)
{
	static const struct {
		const char	*key;
		enum field	 field;
	} keys[] = {
		{ "\"owner_uid\":", F_UID }, { "\"owner_pid\":", F_PID },
		{ "\"bytes_in\":", F_BYTES }, { "\"bytes_out\":", F_BYTES },
		{ "\"seq\":", F_SEQ },
	};
	const char *p = in, *ph;
	size_t i, kl, n;

	while (*p != '\0') {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			kl = strlen(keys[i].key);
			if (strncmp(p, keys[i].key, kl) == 0)
				break;
		}
		if (i == sizeof(keys) / sizeof(keys[0])) {
			fputc(*p++, f);
			continue;
		}
		fwrite(p, 1, kl, f);
		p += kl;
		for (n = 0; isdigit((unsigned char)p[n]); n++)
			;
		ph = placeholder(keys[i].field, p, n);
		if (ph != NULL) {
			fprintf(f, "\"%s\"", ph);
			p += n;
		}
	}
}

/* The normalized copy of wsctl's stdout (text or JSON); frees `in`. */
static char *
norm(char *in)
{
	char *mid = NULL, *out = NULL;
	size_t len = 0;
	const char *line, *nl;
	FILE *f;

	f = open_memstream(&mid, &len);
	ck_assert_ptr_nonnull(f);
	if (in[0] == '{' || in[0] == '[')
		norm_json(f, in);
	else
		for (line = in; *line != '\0'; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl == NULL) {
				norm_text_line(f, line, strlen(line));
				break;
			}
			norm_text_line(f, line, nl - line);
			fputc('\n', f);
		}
	fclose(f);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	norm_addrs(f, mid);
	fclose(f);
	free(mid);
	free(in);
	return out;
}

/* ---- expected files --------------------------------------------------- */

static char *
expected_path(const char *name)
{
	const char *src = getenv("WSCHANNEL_SRCDIR");
	char *p;

	if (src == NULL || *src == '\0')
		src = ABS_SRCDIR;
	ck_assert_int_ge(asprintf(&p, "%s/tests/expected/%s", src, name), 0);
	return p;
}

static char *
read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *in, *out;

	in = fopen(path, "r");
	if (in == NULL)
		return NULL;
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(in);
	fclose(out);
	return buf;
}

/* Compares (normalized) output with tests/expected/<name>; frees `got`. */
static void
expect_file(const char *name, char *got)
{
	char *path = expected_path(name), *want;
	const char *bless = getenv("WSCTL_BLESS");
	FILE *f;

	/* Only the socket's output is complete enough to bless. */
	if (bless != NULL && strcmp(bless, "1") == 0 && !D.bus) {
		f = fopen(path, "w");
		ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
		fputs(got, f);
		fclose(f);
	}
	want = read_file(path);
	ck_assert_msg(want != NULL, "%s: %s", path, strerror(errno));
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- expected %s\n%s--- got\n%s--- end\n", name,
		    want, got);
		ck_abort_msg("wsctl output differs from %s (see stderr)", name);
	}
	free(want);
	free(path);
	free(got);
}

/* The same for a short expectation written in the test. */
static void
expect_str(const char *want, char *got)
{
	ck_assert_str_eq(got, want);
	free(got);
}

/* ---- objects ---------------------------------------------------------- */

static WS_CHANNEL *
created_channel(void)
{
	WS_CHANNEL *ch = NULL;

	ck_assert_int_eq(harness_tcp_channel(&ch, NULL, 0), S_OK);
	return ch;
}

static WS_LISTENER *
created_listener(void)
{
	WS_LISTENER *l = NULL;

	ck_assert_int_eq(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL), S_OK);
	return l;
}

static void
open_pair(struct harness_pair *p)
{
	HRESULT hr = harness_pair_open(p, NULL, 0);

	ck_assert_msg(hr == S_OK, "harness_pair_open: 0x%08X", (unsigned)hr);
	nm.port = p->port;
}

/* A receive that blocks on another thread until something ends it. */
struct receiver {
	WS_CHANNEL		*ch;
	WS_MESSAGE		*msg;
	WS_HEAP			*heap;
	struct harness_bg	*bg;
};

static HRESULT
receiver_run(void *arg)
{
	static WS_XML_STRING action = { 8, (BYTE *)"urn:wait", NULL, 0 };
	static WS_MESSAGE_DESCRIPTION desc = { &action, NULL };
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &desc };
	struct receiver *r = arg;

	return WsReceiveMessage(r->ch, r->msg, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, r->heap, NULL,
	    0, NULL, NULL, NULL);
}

static void
receiver_start(struct receiver *r, WS_CHANNEL *ch)
{
	memset(r, 0, sizeof(*r));
	r->ch = ch;
	ck_assert_int_eq(WsCreateHeap(65536, 0, NULL, 0, &r->heap, NULL), S_OK);
	ck_assert_int_eq(WsCreateMessageForChannel(ch, NULL, 0, &r->msg, NULL),
	    S_OK);
	r->bg = harness_bg_start(receiver_run, r);
	ck_assert_ptr_nonnull(r->bg);
}

/* Waits for the receive to end; returns its HRESULT. */
static HRESULT
receiver_wait(struct receiver *r)
{
	HRESULT hr = E_FAIL;

	ck_assert_msg(harness_bg_wait(r->bg, WAIT_MS, &hr),
	    "the receive did not return after the abort");
	WsFreeMessage(r->msg);
	WsFreeHeap(r->heap);
	return hr;
}

/* Polls `wsctl show` until channel `id` has `n` operations pending. */
static void
wait_pending(const char *id, unsigned n)
{
	char needle[64], *out;
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;
	bool found;

	snprintf(needle, sizeof(needle), "\npending:      %u\n", n);
	for (;;) {
		out = WSCTL(0, "show", id);
		found = strstr(out, needle) != NULL;
		free(out);
		if (found)
			return;
		ck_assert_msg(harness_now_us() < deadline,
		    "channel %s never had %u operations pending", id, n);
		harness_sleep_ms(20);
	}
}

/* ---- fixture ---------------------------------------------------------- */

static void
setup(void)
{
	memset(&nm, 0, sizeof(nm));
	ck_assert_int_eq(harness_daemon_start(), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(harness_daemon_stop(), 0);
}

/* ---- the D-Bus fixture ------------------------------------------------ */

static const char *
srcdir(void)
{
	const char *s = getenv("WSCHANNEL_SRCDIR");

	return s != NULL && *s != '\0' ? s : ABS_SRCDIR;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A directory the harness removes when the test program exits. */
static void
make_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/wschannel-test.%ld.XXXXXX", (long)root_pid);
	ck_assert_ptr_nonnull(mkdtemp(buf));
	/* The bus's activated daemon and uid 65534 look in here too. */
	ck_assert_int_eq(chmod(buf, 0755), 0);
}

/*
 * A private dbus-daemon with `conf`; its address into D.bus_addr.  Not
 * forked: it dies with the test (PR_SET_PDEATHSIG) and is stopped by pid.
 */
static void
bus_start(const char *conf)
{
	char cfg[PATH_MAX + 16];
	int pfd[2], nullfd;
	pid_t parent = getpid();

	snprintf(cfg, sizeof(cfg), "--config-file=%s", conf);
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	D.bus_pid = fork();
	ck_assert_int_ge(D.bus_pid, 0);
	if (D.bus_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		nullfd = open("/dev/null", O_RDWR);
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);
		dup2(pfd[1], 3);
		execlp(DBUS_DAEMON_PROG, "dbus-daemon", cfg, "--nofork",
		    "--print-address=3", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	ck_assert_msg(harness_read_line(pfd[0], D.bus_addr, sizeof(D.bus_addr),
	    WAIT_MS) == 0 && D.bus_addr[0] != '\0',
	    "cannot start %s with %s", DBUS_DAEMON_PROG, conf);
	close(pfd[0]);
}

static void
bus_stop(void)
{
	if (D.bus_pid > 0) {
		kill(D.bus_pid, SIGTERM);
		if (harness_wait_pid(D.bus_pid, WAIT_MS) < 0) {
			kill(D.bus_pid, SIGKILL);
			harness_wait_pid(D.bus_pid, WAIT_MS);
		}
	}
	D.bus_pid = -1;
}

static sd_bus *
bus_connect(void)
{
	sd_bus *b = NULL;
	int r;

	ck_assert_int_ge(sd_bus_new(&b), 0);
	ck_assert_int_ge(sd_bus_set_address(b, D.bus_addr), 0);
	ck_assert_int_ge(sd_bus_set_bus_client(b, 1), 0);
	r = sd_bus_start(b);
	ck_assert_msg(r >= 0, "sd_bus_start: %s", strerror(-r));
	return b;
}

/* The pid of whoever owns the daemon's name; 0 when nobody does. */
static pid_t
bus_name_pid(sd_bus *b)
{
	sd_bus_message *reply = NULL;
	uint32_t pid = 0;

	if (sd_bus_call_method(b, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "GetConnectionUnixProcessID", NULL, &reply, "s", BUS_NAME) < 0)
		return 0;
	if (sd_bus_message_read(reply, "u", &pid) < 0)
		pid = 0;
	sd_bus_message_unref(reply);
	return (pid_t)pid;
}

/* wschanneld -d --socket <dir>/control.sock --bus <the private bus>. */
static void
bus_daemon_start(void)
{
	char *daemon, conf[160], addr[200];
	uint64_t deadline;
	pid_t parent = getpid();
	int logfd;
	sd_bus *b;

	snprintf(D.sock, sizeof(D.sock), "%s/control.sock", D.dir);
	snprintf(D.log, sizeof(D.log), "%s/daemon.log", D.dir);
	snprintf(conf, sizeof(conf), "%s/wschanneld.conf", D.dir);
	write_file(conf, "# empty: the defaults\n");
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	logfd = open(D.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(logfd, 0);
	D.daemon_pid = fork();
	ck_assert_int_ge(D.daemon_pid, 0);
	if (D.daemon_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execl(daemon, daemon, "-d", "--socket", D.sock, "--config", conf,
		    "--bus", D.bus_addr, (char *)NULL);
		_exit(127);
	}
	close(logfd);
	free(daemon);
	/* The library keeps using the socket; wsctl takes the bus. */
	snprintf(addr, sizeof(addr), "unix:path=%s", D.sock);
	setenv("WSCHANNEL_ADDRESS", addr, 1);
	/* Ready once it owns the name (it serves the socket before). */
	b = bus_connect();
	deadline = harness_now_us() + WAIT_MS * 1000ull;
	while (bus_name_pid(b) != D.daemon_pid) {
		ck_assert_msg(waitpid(D.daemon_pid, NULL, WNOHANG) == 0,
		    "wschanneld exited at start (see %s)", D.log);
		ck_assert_msg(harness_now_us() < deadline,
		    "wschanneld did not take %s", BUS_NAME);
		harness_sleep_ms(5);
	}
	sd_bus_flush_close_unref(b);
}

static int
bus_daemon_stop(void)
{
	int st;

	if (D.daemon_pid <= 0)
		return 0;
	kill(D.daemon_pid, SIGTERM);
	st = harness_wait_pid(D.daemon_pid, WAIT_MS);
	if (st == -ETIMEDOUT) {
		kill(D.daemon_pid, SIGKILL);
		harness_wait_pid(D.daemon_pid, WAIT_MS);
	}
	D.daemon_pid = -1;
	return st;
}

/* SIGKILL now (the "daemon crashed" case). */
static void
bus_daemon_kill(void)
{
	ck_assert_int_gt(D.daemon_pid, 0);
	kill(D.daemon_pid, SIGKILL);
	harness_wait_pid(D.daemon_pid, WAIT_MS);
	D.daemon_pid = -1;
}

static void
bus_setup(void)
{
	char conf[PATH_MAX];

	memset(&nm, 0, sizeof(nm));
	D.bus = true;
	make_dir(D.dir, sizeof(D.dir));
	snprintf(conf, sizeof(conf), "%s/tests/dbus-session.conf", srcdir());
	bus_start(conf);
	bus_daemon_start();
}

static void
bus_teardown(void)
{
	int st = bus_daemon_stop();

	bus_stop();
	ck_assert_msg(st == 0, "wschanneld exited %d (see %s)", st, D.log);
}

/* ---- list and show ---------------------------------------------------- */

START_TEST(test_list_empty)
{
	/* Into a pipe no line at all ("no channels" is for a terminal). */
	expect_str("", WSCTL_E(0, "", "list"));
	expect_str("{\"channels\":[],\"listeners\":[]}\n",
	    WSCTL(0, "--json", "list"));
	expect_str("{\"results\":[]}\n", WSCTL(0, "abort", "--all", "--json"));
	expect_str("", WSCTL(0, "abort", "--all"));
}
END_TEST

START_TEST(test_list_show)
{
	struct harness_channel_row rows[8];
	struct harness_pair pair;
	WS_LISTENER *l5;
	WS_CHANNEL *ch4;
	char *out;

	/* Listener 1, client 2, server 3 (accepted), all OPEN. */
	open_pair(&pair);
	ch4 = created_channel();		/* 4, CREATED */
	l5 = created_listener();		/* 5, CREATED */

	expect_file("wsctl-list.txt", norm(WSCTL(0, "list")));
	expect_file("wsctl-list.json", norm(WSCTL(0, "list", "--json")));
	out = WSCTL(0, "list");
	ck_assert_int_eq(harness_parse_list(out, rows, 8), 3);
	free(out);
	ck_assert_uint_eq(rows[0].id, 2);
	ck_assert_str_eq(rows[0].state, "OPEN");

	expect_file("wsctl-show-2.txt", norm(WSCTL(0, "show", "2")));
	expect_file("wsctl-show-2.json", norm(WSCTL(0, "--json", "show", "2")));
	expect_file("wsctl-show-3.txt", norm(WSCTL(0, "show", "3")));
	expect_file("wsctl-show-4.txt", norm(WSCTL(0, "show", "4")));
	expect_file("wsctl-show-4.json", norm(WSCTL(0, "show", "4", "--json")));

	WsFreeListener(l5);
	WsFreeChannel(ch4);
	harness_pair_free(&pair);
}
END_TEST

START_TEST(test_not_found)
{
	WS_CHANNEL *ch1 = created_channel();

	/* In words, on stderr only. */
	expect_str("", WSCTL_E(3, "wsctl: no such channel 99\n", "show", "99"));
	expect_str("", WSCTL_E(3, "wsctl: no such channel 99\n", "--json",
	    "show", "99"));
	expect_str("", WSCTL_E(3, "wsctl: no such channel 999\n", "abort",
	    "999"));
	/* JSON stays a document: the failed id is in it, with its words. */
	expect_str("{\"results\":[{\"id\":99,\"hresult\":\"E_INVALIDARG\","
	    "\"error\":\"no such channel\",\"state\":null,"
	    "\"cancelled\":null}]}\n",
	    WSCTL_E(3, "wsctl: no such channel 99\n", "--json", "abort",
	    "99"));
	/* The ids that exist are aborted all the same. */
	expect_str("1 CREATED cancelled=0\n",
	    WSCTL_E(3, "wsctl: no such channel 99\n", "abort", "99", "1"));
	expect_str("1 CREATED cancelled=0\n",
	    WSCTL_E(3, "wsctl: no such channel 98\nwsctl: no such channel 99\n",
	    "abort", "99", "1", "98"));
	expect_str("1 CREATED cancelled=0\n", WSCTL_E(0, "", "abort", "1"));
	WsFreeChannel(ch1);
}
END_TEST

/* ---- abort ------------------------------------------------------------ */

START_TEST(test_abort_id)
{
	struct harness_pair pair;
	struct receiver rcv;
	char *out;

	open_pair(&pair);
	receiver_start(&rcv, pair.client);	/* channel 2 */
	wait_pending("2", 1);

	expect_file("wsctl-abort-id.txt", norm(WSCTL(0, "abort", "2")));
	ck_assert_int_eq(receiver_wait(&rcv), WS_E_OPERATION_ABORTED);
	ck_assert_int_eq(harness_channel_state(pair.client),
	    WS_CHANNEL_STATE_FAULTED);
	out = WSCTL(0, "show", "2");
	ck_assert_ptr_nonnull(strstr(out, "\nstate:        FAULTED\n"));
	ck_assert_ptr_nonnull(strstr(out, "\npending:      0\n"));
	free(out);
	/* Again: FAULTED stays FAULTED and nothing is left to cancel. */
	expect_str("{\"results\":[{\"id\":2,\"hresult\":\"S_OK\",\"error\":null,"
	    "\"state\":\"FAULTED\",\"cancelled\":0}]}\n",
	    WSCTL(0, "--json", "abort", "2"));
	harness_pair_free(&pair);
}
END_TEST

/*
 * Another process with channels of its own: a pair (listener 1, channels
 * 2 and 3).  It writes "<pid> <port>\n" when ready and exits when `hold`
 * is closed.  Forked before this process makes any WsXxx call, so the two
 * do not share the library's connection.
 */
static pid_t
spawn_holder(int *hold_fd, uint16_t *port)
{
	int ready[2], hold[2];
	char buf[64];
	ssize_t n;
	long pid;
	unsigned p;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct harness_pair pair;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		close(hold[1]);
		if (harness_pair_open(&pair, NULL, 0) != S_OK)
			_exit(1);
		n = snprintf(buf, sizeof(buf), "%ld %u\n", (long)getpid(),
		    pair.port);
		if (write(ready[1], buf, n) != n)
			_exit(1);
		/* Until the test is done with us. */
		while (read(hold[0], buf, sizeof(buf)) > 0)
			;
		harness_pair_free(&pair);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	n = read(ready[0], buf, sizeof(buf) - 1);
	close(ready[0]);
	ck_assert_msg(n > 0, "the helper process did not get ready");
	buf[n] = '\0';
	ck_assert_int_eq(sscanf(buf, "%ld %u", &pid, &p), 2);
	*hold_fd = hold[1];
	*port = (uint16_t)p;
	return (pid_t)pid;
}

static int
reap(pid_t pid)
{
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		ck_assert_int_eq(r, 0);
		if (harness_now_us() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			ck_abort_msg("process %ld did not exit", (long)pid);
		}
		harness_sleep_ms(10);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_abort_pid)
{
	char pidarg[24];
	WS_CHANNEL *ch4, *ch5;
	pid_t child;
	int hold;

	child = spawn_holder(&hold, &nm.port);
	nm.child = child;
	ch4 = created_channel();		/* 4, ours */
	ch5 = created_channel();		/* 5, ours */

	snprintf(pidarg, sizeof(pidarg), "%ld", (long)child);
	expect_file("wsctl-abort-pid.txt", norm(WSCTL(0, "abort", "--pid",
	    pidarg)));
	/* Only the other process's channels were touched. */
	expect_file("wsctl-abort-pid-list.txt", norm(WSCTL(0, "list")));
	ck_assert_int_eq(harness_channel_state(ch4), WS_CHANNEL_STATE_CREATED);

	snprintf(pidarg, sizeof(pidarg), "%ld", (long)getpid());
	expect_str("{\"results\":["
	    "{\"id\":4,\"hresult\":\"S_OK\",\"error\":null,"
	    "\"state\":\"CREATED\",\"cancelled\":0},"
	    "{\"id\":5,\"hresult\":\"S_OK\",\"error\":null,"
	    "\"state\":\"CREATED\",\"cancelled\":0}"
	    "]}\n", WSCTL(0, "--json", "abort", "--pid", pidarg));
	/* A process with no channels: nothing to do, and no error. */
	expect_str("", WSCTL(0, "abort", "--pid", "2147483647"));

	close(hold);
	ck_assert_int_eq(reap(child), 0);
	WsFreeChannel(ch5);
	WsFreeChannel(ch4);
}
END_TEST

START_TEST(test_abort_all)
{
	struct harness_pair pair;
	struct receiver rcv;
	WS_CHANNEL *ch4;

	open_pair(&pair);
	ch4 = created_channel();
	receiver_start(&rcv, pair.server);	/* channel 3 */
	wait_pending("3", 1);

	/* 2 and 3 go in one turn of the daemon's loop: 3's receive is
	 * cancelled by the abort, not by 2's disconnection. */
	expect_file("wsctl-abort-all.json",
	    norm(WSCTL(0, "--json", "abort", "--all")));
	ck_assert_int_eq(receiver_wait(&rcv), WS_E_OPERATION_ABORTED);
	expect_file("wsctl-abort-all.txt", norm(WSCTL(0, "abort", "--all")));
	ck_assert_int_eq(harness_channel_state(pair.client),
	    WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_channel_state(pair.server),
	    WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_channel_state(ch4), WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(ch4);
	harness_pair_free(&pair);
}
END_TEST

/* ---- another user ----------------------------------------------------- */


/* wsctl as uid 65534, which owns nothing and administers nothing. */
#define WSCTL_NOBODY(want, ...) ({					\
	int st_ = -1;							\
	char *o_ = run_wsctl_prefixed(as_nobody, &st_, __VA_ARGS__,	\
	    NULL);							\
	ck_assert_msg(st_ == (want), "wsctl (nobody) exited %d, not %d; " \
	    "stdout:\n%s", st_, (want), o_);				\
	o_;								\
})

/* The same, with stderr `want_err`. */
#define WSCTL_NOBODY_E(want, want_err, ...) ({				\
	int st_ = -1;							\
	char *e_, *o_ = run_wsctl_err_at(true,				\
	    D.bus ? "--bus" : "--socket",				\
	    D.bus ? D.bus_addr : harness_socket_path(), &e_, &st_,	\
	    __VA_ARGS__, NULL);						\
	ck_assert_msg(st_ == (want), "wsctl (nobody) exited %d, not %d; " \
	    "stdout:\n%s", st_, (want), o_);				\
	ck_assert_str_eq(e_, (want_err));				\
	free(e_);							\
	o_;								\
})

START_TEST(test_access_denied)
{
	WS_CHANNEL *ch1;
	char *out;

	if (geteuid() != 0 || !harness_have_program("setpriv")) {
		fprintf(stderr, "test_access_denied: skipped (needs root and "
		    "setpriv)\n");
		return;
	}
	ch1 = created_channel();
	/* Over D-Bus only the bus is shared, and it is open to anyone. */
	if (!D.bus)
		ck_assert_int_eq(harness_share_socket(), 0);

	/* Someone else's channel is invisible, and untouchable. */
	expect_str("", WSCTL_NOBODY(0, "list"));
	expect_str("{\"channels\":[],\"listeners\":[]}\n",
	    WSCTL_NOBODY(0, "list", "--json"));
	expect_str("", WSCTL_NOBODY_E(4,
	    "wsctl: channel 1 belongs to another user\n", "show", "1"));
	expect_str("", WSCTL_NOBODY_E(4,
	    "wsctl: channel 1 belongs to another user\n", "abort", "1"));
	expect_str("{\"results\":[{\"id\":1,\"hresult\":\"E_ACCESSDENIED\","
	    "\"error\":\"the channel belongs to another user\","
	    "\"state\":null,\"cancelled\":null}]}\n",
	    WSCTL_NOBODY_E(4, "wsctl: channel 1 belongs to another user\n",
	    "--json", "abort", "1"));
	/* Each failure said, in id order; denied is worse than missing. */
	expect_str("", WSCTL_NOBODY_E(4,
	    "wsctl: channel 1 belongs to another user\n"
	    "wsctl: no such channel 99\n", "abort", "99", "1"));
	expect_str("", WSCTL_NOBODY(0, "abort", "--all"));
	expect_str("", WSCTL_NOBODY(0, "abort", "--pid", "1"));

	/* Root sees it, untouched. */
	out = WSCTL(0, "show", "1");
	ck_assert_ptr_nonnull(strstr(out, "\nstate:        CREATED\n"));
	free(out);
	WsFreeChannel(ch1);
}
END_TEST

/* ---- no daemon, bad command lines ------------------------------------- */

#define HINT_SOCKET "Is wschanneld running? Start it (systemctl start " \
	"wschanneld, or wschanneld -d --socket PATH) or point wsctl at it " \
	"with --socket PATH, --bus BUS, or WSCHANNEL_ADDRESS.\n"
#define HINT_BUS "Is wschanneld on that bus? Start it (systemctl start " \
	"wschanneld, or wschanneld -d --bus BUS) or point wsctl at it " \
	"with --socket PATH, --bus BUS, or WSCHANNEL_ADDRESS.\n"

START_TEST(test_unreachable)
{
	static const char *const verbs[][3] = {
		{ "list", NULL }, { "show", "1", NULL }, { "abort", "1", NULL },
		{ "abort", "--all", NULL }, { "watch", NULL },
	};
	struct sockaddr_un sun;
	char *none, *dead, *out, *sock, *err, *want;
	size_t i;
	int st, fd;

	ck_assert_int_ge(asprintf(&none, "%s/none.sock", harness_dir()), 0);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		out = run_wsctl_sock(none, &st, verbs[i][0], verbs[i][1], NULL);
		ck_assert_int_eq(st, 5);
		expect_str("", out);
	}
	/* The address tried, why, and what to do about it. */
	ck_assert_int_ge(asprintf(&want, "wsctl: cannot reach wschanneld at "
	    "%s: No such file or directory\n%s", none, HINT_SOCKET), 0);
	out = run_wsctl_err_at(false, "--socket", none, &err, &st, "list",
	    NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);
	expect_str(want, err);
	free(want);

	/* A socket file nobody listens on: ECONNREFUSED. */
	ck_assert_int_ge(asprintf(&dead, "%s/dead.sock", harness_dir()), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, dead);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	out = run_wsctl_err_at(false, "--socket", dead, &err, &st, "--json",
	    "list", NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);
	ck_assert_int_ge(asprintf(&want, "wsctl: cannot reach wschanneld at "
	    "%s: Connection refused\n%s", dead, HINT_SOCKET), 0);
	expect_str(want, err);
	free(want);
	unlink(dead);

	/* The daemon killed: same thing through its own socket. */
	sock = strdup(harness_socket_path());
	ck_assert_int_eq(harness_daemon_kill(), 0);
	out = run_wsctl_sock(sock, &st, "list", NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);

	/* WSCHANNEL_ADDRESS is used without --socket. */
	setenv("WSCHANNEL_ADDRESS", "unix:path=/nonexistent/wsctl.sock", 1);
	out = run_wsctl_err_at(false, NULL, NULL, &err, &st, "list", NULL);
	ck_assert_int_eq(st, 5);
	free(out);
	expect_str("wsctl: cannot reach wschanneld at /nonexistent/wsctl.sock: "
	    "No such file or directory\n" HINT_SOCKET, err);
	free(sock);
	free(dead);
	free(none);
}
END_TEST

START_TEST(test_usage)
{
	char *out, *daemon;
	size_t i;
	int st;

	out = run_wsctl_sock(NULL, &st, NULL);
	ck_assert_int_eq(st, 2);
	free(out);
	out = run_wsctl_sock(NULL, &st, "show", "x", NULL);
	ck_assert_int_eq(st, 2);
	expect_str("", out);
	out = run_wsctl_sock(NULL, &st, "abort", "--all", "3", NULL);
	ck_assert_int_eq(st, 2);
	free(out);
	out = run_wsctl_sock(NULL, &st, "--help", NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "Exit status:"));
	free(out);
	out = run_wsctl_sock(NULL, &st, "abort", "--help", NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "--pid PID"));
	free(out);
	/* One door at a time, and a bus that looks like one. */
	out = run_wsctl_sock("/x.sock", &st, "--bus", "system", "list", NULL);
	ck_assert_int_eq(st, 2);
	expect_str("", out);
	out = run_wsctl_bus("sesion", &st, "list", NULL);
	ck_assert_int_eq(st, 2);
	expect_str("", out);
	out = run_wsctl_sock(NULL, &st, "--help", NULL);
	ck_assert_ptr_nonnull(strstr(out, "--bus BUS"));
	free(out);
	out = run_wsctl_sock(NULL, &st, "watch", "--help", NULL);
	ck_assert_ptr_nonnull(strstr(out, "SEQ is counted by wsctl"));
	free(out);

	/* --version and -V on both programs, without a daemon. */
	out = run_wsctl_sock(NULL, &st, "--version", NULL);
	ck_assert_int_eq(st, 0);
	expect_str("wsctl " PACKAGE_VERSION "\n", out);
	out = run_wsctl_sock("/nonexistent.sock", &st, "-V", "list", NULL);
	ck_assert_int_eq(st, 0);
	expect_str("wsctl " PACKAGE_VERSION "\n", out);
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	for (i = 0; i < 2; i++) {
		char *argv[] = { daemon, i == 0 ? "--version" : "-V", NULL };

		ck_assert_int_eq(harness_run(argv, WAIT_MS, &out, &st), 0);
		ck_assert_int_eq(st, 0);
		expect_str("wschanneld " PACKAGE_VERSION "\n", out);
	}
	free(daemon);
}
END_TEST

/* ---- watch ------------------------------------------------------------ */

/*
 * `prefix` (NULL-terminated, may be NULL) `wsctl watch` in the background,
 * its stdout into `file`.
 */
static pid_t
watch_start_as(const char *file, bool json, const char *const *prefix)
{
	const char *door = D.bus ? "--bus" : "--socket";
	const char *where = D.bus ? D.bus_addr : harness_socket_path();
	const char *argv[16];
	char *wsctl = wsctl_path();
	pid_t pid;
	int fd, argc = 0;

	ck_assert_ptr_nonnull(where);
	while (prefix != NULL && *prefix != NULL)
		argv[argc++] = *prefix++;
	argv[argc++] = wsctl;
	argv[argc++] = door;
	argv[argc++] = where;
	if (json)
		argv[argc++] = "--json";
	argv[argc++] = "watch";
	argv[argc] = NULL;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fd, STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd);
	free(wsctl);
	return pid;
}

static pid_t
watch_start(const char *file, bool json)
{
	return watch_start_as(file, json, NULL);
}

static bool
file_has(const char *file, const char *needle)
{
	char *s = read_file(file);
	bool found = s != NULL && strstr(s, needle) != NULL;

	free(s);
	return found;
}

/*
 * Subscribing happens some time after wsctl starts, and nothing says when:
 * flip a probe channel (CREATED -> CLOSED -> CREATED) until every watcher
 * has printed a line.  From then on it misses nothing.
 */
static void
watch_sync(WS_CHANNEL *probe, const char *const *files, size_t nfiles)
{
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;
	size_t i;

	for (;;) {
		ck_assert_int_eq(WsCloseChannel(probe, NULL, NULL), S_OK);
		ck_assert_int_eq(WsResetChannel(probe, NULL), S_OK);
		harness_sleep_ms(50);
		for (i = 0; i < nfiles; i++)
			if (!file_has(files[i], "\n"))
				break;
		if (i == nfiles)
			return;
		ck_assert_msg(harness_now_us() < deadline,
		    "wsctl watch printed nothing");
	}
}

static void
wait_file_has(const char *file, const char *needle)
{
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;

	while (!file_has(file, needle)) {
		ck_assert_msg(harness_now_us() < deadline,
		    "%s never got '%s'", file, needle);
		harness_sleep_ms(20);
	}
}

/* The `seq` of a watch line, text ("7 channel ...") or JSON. */
static uint64_t
line_seq(const char *line)
{
	unsigned long long v;

	if (sscanf(line, "{\"seq\":%llu", &v) == 1 ||
	    sscanf(line, "%llu ", &v) == 1)
		return v;
	ck_abort_msg("no seq in '%s'", line);
	return 0;
}

/* The object a watch line is about: "channel 3" or "listener 2". */
static void
line_object(const char *line, char *buf, size_t len)
{
	unsigned long long seq, id;
	char kind[16];

	if (sscanf(line, "{\"seq\":%llu,\"kind\":\"%15[a-z]\",\"id\":%llu",
	    &seq, kind, &id) != 3 &&
	    sscanf(line, "%llu %15s %llu", &seq, kind, &id) != 3)
		ck_abort_msg("cannot parse watch line '%s'", line);
	snprintf(buf, len, "%s %llu", kind, id);
}

/*
 * The lines about `objects`, in order, after checking that sequence
 * numbers increase along the whole file.
 */
static char *
watch_lines(const char *file, const char *const *objects)
{
	char *all = read_file(file), *line, *save = NULL, *out = NULL;
	char obj[48];
	uint64_t seq, last = 0;
	const char *const *o;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(all);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	for (line = strtok_r(all, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		seq = line_seq(line);
		ck_assert_msg(seq > last, "seq %" PRIu64 " after %" PRIu64
		    " in %s", seq, last, file);
		last = seq;
		line_object(line, obj, sizeof(obj));
		for (o = objects; *o != NULL; o++)
			if (strcmp(obj, *o) == 0)
				fprintf(f, "%s\n", line);
	}
	fclose(f);
	free(all);
	return out;
}

START_TEST(test_watch)
{
	static const char *const objects[] = { "listener 2", "channel 3",
	    "channel 5", NULL };
	struct harness_pair pair;
	WS_CHANNEL *probe, *ch5;
	char *text, *json;
	const char *files[2];
	pid_t wt, wj;

	ck_assert_int_ge(asprintf(&text, "%s/watch.txt", test_dir()), 0);
	ck_assert_int_ge(asprintf(&json, "%s/watch.json", test_dir()), 0);
	files[0] = text;
	files[1] = json;
	probe = created_channel();			/* 1 */
	wt = watch_start(text, false);
	wj = watch_start(json, true);
	watch_sync(probe, files, 2);

	/*
	 * Listener 2 opens, then client 3 opens while server 4 accepts (4's
	 * lines interleave with 3's in no fixed order, so they are left
	 * out), then 5 is closed and reset, then wsctl aborts 3.  Each step
	 * ends before the next begins: the order of the rest is fixed.
	 */
	open_pair(&pair);
	ch5 = created_channel();
	ck_assert_int_eq(WsCloseChannel(ch5, NULL, NULL), S_OK);
	ck_assert_int_eq(WsResetChannel(ch5, NULL), S_OK);
	expect_str("3 FAULTED cancelled=0\n", WSCTL(0, "abort", "3"));
	wait_file_has(text, " channel 3 OPEN FAULTED ");
	wait_file_has(json, "\"id\":3,\"old_state\":\"OPEN\","
	    "\"new_state\":\"FAULTED\"");

	/* Interrupted, it stops cleanly. */
	kill(wt, SIGTERM);
	kill(wj, SIGINT);
	ck_assert_int_eq(reap(wt), 0);
	ck_assert_int_eq(reap(wj), 0);

	/* The same files over both doors, CAUSE included (StateCause). */
	expect_file("wsctl-watch.txt", norm(watch_lines(text, objects)));
	expect_file("wsctl-watch.json", norm(watch_lines(json, objects)));

	WsFreeChannel(ch5);
	WsFreeChannel(probe);
	harness_pair_free(&pair);
	free(json);
	free(text);
}
END_TEST

START_TEST(test_watch_daemon_gone)
{
	WS_CHANNEL *probe;
	const char *files[1];
	char *text;
	pid_t wt;

	ck_assert_int_ge(asprintf(&text, "%s/watch.txt", test_dir()), 0);
	files[0] = text;
	probe = created_channel();
	wt = watch_start(text, false);
	watch_sync(probe, files, 1);
	if (D.bus)
		bus_daemon_kill();
	else
		ck_assert_int_eq(harness_daemon_kill(), 0);
	/* "connection lost" */
	ck_assert_int_eq(reap(wt), 5);
	WsFreeChannel(probe);
	free(text);
}
END_TEST

/* ---- D-Bus only --------------------------------------------------------- */

/* No bus there, no daemon on the bus, a bus address that is not one. */
START_TEST(test_bus_unreachable)
{
	static const char *const verbs[][3] = {
		{ "list", NULL }, { "show", "1", NULL }, { "abort", "1", NULL },
		{ "abort", "--all", NULL }, { "abort", "--pid", "1" },
		{ "watch", NULL },
	};
	char *nobus, *env, *out, *err, *want;
	size_t i;
	int st;

	ck_assert_int_ge(asprintf(&nobus, "unix:path=%s/none.bus", D.dir), 0);
	out = run_wsctl_err_at(false, "--bus", nobus, &err, &st, "list", NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);
	/* Which bus, why, and the hint. */
	ck_assert_int_ge(asprintf(&want, "wsctl: cannot connect to the bus at "
	    "%s: No such file or directory\n" HINT_BUS, nobus), 0);
	expect_str(want, err);
	free(want);

	/* The bus is up, the daemon gone, and nothing can start it. */
	bus_daemon_kill();
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		out = run_wsctl_bus(D.bus_addr, &st, verbs[i][0],
		    verbs[i][1], verbs[i][2], NULL);
		ck_assert_msg(st == 5, "wsctl %s exited %d, not 5",
		    verbs[i][0], st);
		expect_str("", out);
	}
	out = run_wsctl_err_at(false, "--bus", D.bus_addr, &err, &st, "list",
	    NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);
#define NOT_ON "wsctl: wschanneld (" BUS_NAME ") is not on the bus at "
	ck_assert_msg(strncmp(err, NOT_ON, strlen(NOT_ON)) == 0,
	    "stderr: %s", err);
#undef NOT_ON
	ck_assert_msg(strstr(err, "\n" HINT_BUS) != NULL &&
	    strcmp(strstr(err, "\n" HINT_BUS), "\n" HINT_BUS) == 0,
	    "stderr: %s", err);
	free(err);

	/* WSCHANNEL_ADDRESS=dbus:... is used without --bus or --socket. */
	ck_assert_int_ge(asprintf(&env, "dbus:%s", D.bus_addr), 0);
	setenv("WSCHANNEL_ADDRESS", env, 1);
	out = run_wsctl_sock(NULL, &st, "--json", "list", NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);
	/* --socket still wins over it. */
	out = run_wsctl_sock(D.sock, &st, "list", NULL);
	ck_assert_int_eq(st, 5);
	free(out);
	setenv("WSCHANNEL_ADDRESS", "dbus:nonsense", 1);
	out = run_wsctl_sock(NULL, &st, "list", NULL);
	ck_assert_int_eq(st, 1);
	expect_str("", out);
	free(env);
	free(nobus);
}
END_TEST

/* Stopped, as the kernel sees it: gone, or a zombie not yet reaped. */
static bool
pid_gone(pid_t pid)
{
	char path[64], *stat, *p;
	bool gone;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((stat = read_file(path)) == NULL)
		return true;
	p = strrchr(stat, ')');
	gone = p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	free(stat);
	return gone;
}

/* Is `pid` a wschanneld (and so ours to stop)? */
static bool
pid_is_daemon(pid_t pid)
{
	char path[64], *comm;
	bool is;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((comm = read_file(path)) == NULL)
		return false;
	is = strcmp(comm, "wschanneld\n") == 0;
	free(comm);
	return is;
}

/*
 * A bus that starts the daemon when a call names it: its configuration
 * has a service directory with org.wschannel.WsChannel1.service, whose
 * Exec= runs wschanneld on this bus.  wsctl's first call starts it.
 * The daemon is the bus's child, not ours: it is found through the bus and
 * stopped by its pid (every assertion waits until then).
 */
START_TEST(test_bus_activation)
{
	char conf[160], svcdir[160], svc[200], sock[160], dconf[160];
	char *text, *daemon, *list = NULL, *aborted = NULL;
	int st_list = -1, st_abort = -1;
	uint64_t deadline;
	bool stopped = false, was_daemon = false;
	pid_t pid = 0;
	sd_bus *b;

	D.bus = true;
	make_dir(D.dir, sizeof(D.dir));
	snprintf(conf, sizeof(conf), "%s/bus.conf", D.dir);
	snprintf(svcdir, sizeof(svcdir), "%s/services", D.dir);
	snprintf(svc, sizeof(svc), "%s/" BUS_NAME ".service", svcdir);
	snprintf(sock, sizeof(sock), "%s/control.sock", D.dir);
	snprintf(dconf, sizeof(dconf), "%s/wschanneld.conf", D.dir);
	ck_assert_int_eq(mkdir(svcdir, 0755), 0);
	write_file(dconf, "# empty: the defaults\n");
	ck_assert_int_ge(asprintf(&text,
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
	    "Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/"
	    "busconfig.dtd\">\n"
	    "<busconfig>\n"
	    "  <type>session</type>\n"
	    "  <listen>unix:path=%s/bus</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    "  <servicedir>%s</servicedir>\n"
	    "  <policy context=\"default\">\n"
	    "    <allow user=\"*\"/>\n"
	    "    <allow own=\"*\"/>\n"
	    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	    "    <allow eavesdrop=\"true\"/>\n"
	    "  </policy>\n"
	    "</busconfig>\n", D.dir, svcdir), 0);
	write_file(conf, text);
	free(text);
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	ck_assert_int_ge(asprintf(&text,
	    "[D-BUS Service]\n"
	    "Name=" BUS_NAME "\n"
	    "Exec=%s -d --socket %s --config %s --bus unix:path=%s/bus\n",
	    daemon, sock, dconf, D.dir), 0);
	write_file(svc, text);
	free(text);
	free(daemon);
	bus_start(conf);

	b = bus_connect();
	ck_assert_int_eq(bus_name_pid(b), 0);
	list = run_wsctl_bus(D.bus_addr, &st_list, "list", NULL);
	aborted = run_wsctl_bus(D.bus_addr, &st_abort, "--json", "abort",
	    "--all", NULL);
	if ((pid = bus_name_pid(b)) > 0 && (was_daemon = pid_is_daemon(pid))) {
		kill(pid, SIGTERM);
		deadline = harness_now_us() + WAIT_MS * 1000ull;
		while (!(stopped = pid_gone(pid)) &&
		    harness_now_us() < deadline)
			harness_sleep_ms(10);
	}
	sd_bus_flush_close_unref(b);
	bus_stop();

	ck_assert_msg(st_list == 0, "wsctl list exited %d", st_list);
	expect_str("", list);
	ck_assert_msg(st_abort == 0, "wsctl abort exited %d", st_abort);
	expect_str("{\"results\":[]}\n", aborted);
	ck_assert_msg(pid > 0, "nobody owns " BUS_NAME " after the calls");
	ck_assert_msg(was_daemon, "pid %ld owns " BUS_NAME ", not wschanneld",
	    (long)pid);
	ck_assert_msg(stopped, "the activated wschanneld did not stop");
}
END_TEST

/*
 * Someone else's state changes are not shown: the socket sends a watcher
 * only what it may see, and over D-Bus, where every listener gets the
 * signals, wsctl asks the daemon whether it may see that owner's objects.
 */
START_TEST(test_watch_other_user)
{
	WS_CHANNEL *probe, *ch2;
	const char *files[1];
	char *mine, *theirs, *out;
	pid_t wr, wn;

	if (geteuid() != 0 || !harness_have_program("setpriv")) {
		fprintf(stderr, "test_watch_other_user: skipped (needs root "
		    "and setpriv)\n");
		return;
	}
	if (!D.bus)
		ck_assert_int_eq(harness_share_socket(), 0);
	ck_assert_int_ge(asprintf(&mine, "%s/root.txt", test_dir()), 0);
	ck_assert_int_ge(asprintf(&theirs, "%s/nobody.txt", test_dir()), 0);
	files[0] = mine;
	probe = created_channel();
	wn = watch_start_as(theirs, false, as_nobody);
	wr = watch_start(mine, false);
	watch_sync(probe, files, 1);
	/*
	 * A channel born while both watch (over D-Bus, one the watcher has
	 * to ask about), once both have had time to subscribe.
	 */
	harness_sleep_ms(100);
	ch2 = created_channel();
	ck_assert_int_eq(WsCloseChannel(ch2, NULL, NULL), S_OK);
	ck_assert_int_eq(WsResetChannel(ch2, NULL), S_OK);
	wait_file_has(mine, " channel 2 CLOSED CREATED ");
	harness_sleep_ms(100);
	kill(wn, SIGTERM);
	kill(wr, SIGTERM);
	ck_assert_int_eq(reap(wn), 0);
	ck_assert_int_eq(reap(wr), 0);
	out = read_file(theirs);
	ck_assert_ptr_nonnull(out);
	expect_str("", out);
	WsFreeChannel(ch2);
	WsFreeChannel(probe);
	free(theirs);
	free(mine);
}
END_TEST

static Suite *
wsctl_suite(void)
{
	Suite *s = suite_create("wsctl");
	TCase *tc;

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_list_empty);
	tcase_add_test(tc, test_list_show);
	tcase_add_test(tc, test_not_found);
	suite_add_tcase(s, tc);

	tc = tcase_create("abort");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_abort_id);
	tcase_add_test(tc, test_abort_pid);
	tcase_add_test(tc, test_abort_all);
	tcase_add_test(tc, test_access_denied);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_usage);
	suite_add_tcase(s, tc);

	tc = tcase_create("watch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_watch);
	tcase_add_test(tc, test_watch_daemon_gone);
	tcase_add_test(tc, test_watch_other_user);
	suite_add_tcase(s, tc);

	/* The same again through the D-Bus door. */
	tc = tcase_create("list-dbus");
	tcase_add_checked_fixture(tc, bus_setup, bus_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_list_empty);
	tcase_add_test(tc, test_list_show);
	tcase_add_test(tc, test_not_found);
	suite_add_tcase(s, tc);

	tc = tcase_create("abort-dbus");
	tcase_add_checked_fixture(tc, bus_setup, bus_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_abort_id);
	tcase_add_test(tc, test_abort_pid);
	tcase_add_test(tc, test_abort_all);
	tcase_add_test(tc, test_access_denied);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors-dbus");
	tcase_add_checked_fixture(tc, bus_setup, bus_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bus_unreachable);
	suite_add_tcase(s, tc);

	tc = tcase_create("watch-dbus");
	tcase_add_checked_fixture(tc, bus_setup, bus_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_watch);
	tcase_add_test(tc, test_watch_daemon_gone);
	tcase_add_test(tc, test_watch_other_user);
	suite_add_tcase(s, tc);

	tc = tcase_create("activation");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bus_activation);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	root_pid = getpid();
	sr = srunner_create(wsctl_suite());
	/* One daemon and one library connection per test: fork mode only. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
