/*
 * Integration suite of the D-Bus door (daemon/control_dbus.c), method by
 * method, through sd-bus, against a private dbus-daemon
 * (tests/dbus-session.conf, one per test case, killed by its pid) and a
 * private wschanneld per test (--bus <that address> --socket <tmp>).
 *
 *   - the live interface is the one systemd/org.wschannel.WsChannel1.xml
 *     describes, member by member and signature by signature
 *   - Manager: CreateChannel/Listener, ListChannels/Listeners, AbortAll,
 *     AbortProcess, Reload, GetStatistics; ObjectManager signals
 *   - Channel and Listener: every method, the properties, errors named
 *     after the HRESULT with the HRESULT in hex in the message
 *   - PropertiesChanged at every state transition, in order; counters
 *   - a pending Receive completed by Abort (OperationAborted)
 *   - objects created through the Unix socket are on the bus too
 *   - a sender that leaves the bus loses its objects
 *   - another uid is denied (as root: a child with uid 65534), and hears
 *     no signal about root's objects while root's peer does (unicast)
 *
 * WSCHANNEL_VALGRIND=1 runs the daemon under valgrind.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <systemd/sd-bus.h>

#include "harness.h"
#include "hresult.h"

#ifndef DBUS_DAEMON
#define DBUS_DAEMON ""
#endif
/* configure's path, else $PATH. */
#define DBUS_DAEMON_PROG (DBUS_DAEMON[0] != '\0' ? DBUS_DAEMON : "dbus-daemon")
#ifndef ABS_SRCDIR
#define ABS_SRCDIR "."
#endif

#define NAME		"org.wschannel.WsChannel1"
#define ROOT		"/org/wschannel/WsChannel1"
#define IF_MGR		NAME ".Manager"
#define IF_CH		NAME ".Channel"
#define IF_LS		NAME ".Listener"
#define IF_PROPS	"org.freedesktop.DBus.Properties"
#define IF_OM		"org.freedesktop.DBus.ObjectManager"
#define ERR(n)		HRESULT_DBUS_ERROR_PREFIX n

#define T_MS		10000	/* bound of every wait that should succeed */
#define CALL_USEC	(60ull * 1000000)	/* long calls: no default 25 s */

/* WWSAPI values (spec/channel-semantics.md). */
#define ST_CREATED	0
#define ST_OPENING	1
#define ST_ACCEPTING	2
#define ST_OPEN		3
#define ST_FAULTED	4
#define ST_CLOSING	5
#define ST_CLOSED	6
#define LS_OPEN		2
#define LS_CLOSING	4
#define LS_CLOSED	5
#define TYPE_DUPLEX_SESSION 7
#define BINDING_TCP	1
#define PROP_ENCODING	4
#define PROP_STATE	8
#define PROP_MAX_BUFFERED 0
#define PROP_CONNECT_TIMEOUT 12
#define ENC_XML_UTF8	5

static struct {
	pid_t	bus_pid;
	char	bus_addr[512];
	pid_t	daemon_pid;
	bool	valgrind;
	char	dir[96];
	char	sock[128];
	char	log[128];
	char	conf[128];
} T = { .bus_pid = -1, .daemon_pid = -1 };

/* ---- the private bus and daemon ------------------------------------------------ */

static const char *
srcdir(void)
{
	const char *s = getenv("WSCHANNEL_SRCDIR");

	return s != NULL && *s != '\0' ? s : ABS_SRCDIR;
}

/* A private dbus-daemon (not forked: it dies with us, PR_SET_PDEATHSIG). */
static void
bus_start(void)
{
	char conf[PATH_MAX], cfg[PATH_MAX + 16];
	int pfd[2], nullfd;
	pid_t parent = getpid();

	snprintf(conf, sizeof(conf), "%s/tests/dbus-session.conf", srcdir());
	snprintf(cfg, sizeof(cfg), "--config-file=%s", conf);
	if (pipe(pfd) == -1)
		abort();
	T.bus_pid = fork();
	if (T.bus_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		nullfd = open("/dev/null", O_RDWR);
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);	/* its warnings (fd limits as root) */
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
		fprintf(stderr, "cannot start %s with %s\n", DBUS_DAEMON_PROG,
		    conf);
		T.bus_addr[0] = '\0';
	}
	close(pfd[0]);
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
}

static sd_bus *
bus_open(void)
{
	sd_bus *b = NULL;
	int r;

	ck_assert_msg(T.bus_addr[0] != '\0', "no private bus");
	ck_assert_int_ge(sd_bus_new(&b), 0);
	ck_assert_int_ge(sd_bus_set_address(b, T.bus_addr), 0);
	ck_assert_int_ge(sd_bus_set_bus_client(b, 1), 0);
	r = sd_bus_start(b);
	ck_assert_msg(r >= 0, "sd_bus_start: %s", strerror(-r));
	return b;
}

static bool
name_has_owner(sd_bus *b)
{
	sd_bus_message *reply = NULL;
	int has = 0;

	if (sd_bus_call_method(b, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	    "org.freedesktop.DBus", "NameHasOwner", NULL, &reply, "s",
	    NAME) < 0)
		return false;
	sd_bus_message_read(reply, "b", &has);
	sd_bus_message_unref(reply);
	return has;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
daemon_start(void)
{
	const char *argv[24], *env = getenv("WSCHANNEL_VALGRIND");
	char *daemon, addrarg[600];
	uint64_t deadline;
	int argc = 0, logfd;
	pid_t parent = getpid();
	sd_bus *b;

	T.valgrind = env != NULL && strcmp(env, "1") == 0 &&
	    harness_valgrind_usable();
	snprintf(T.dir, sizeof(T.dir), "/tmp/wsdbus.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(T.dir));
	chmod(T.dir, 0755);
	snprintf(T.sock, sizeof(T.sock), "%s/control.sock", T.dir);
	snprintf(T.log, sizeof(T.log), "%s/daemon.log", T.dir);
	snprintf(T.conf, sizeof(T.conf), "%s/wschanneld.conf", T.dir);
	write_file(T.conf, "# empty: the defaults\n");
	snprintf(addrarg, sizeof(addrarg), "%s", T.bus_addr);
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	if (T.valgrind) {
		argv[argc++] = "valgrind";
		argv[argc++] = "-q";
		argv[argc++] = "--leak-check=full";
		argv[argc++] = "--error-exitcode=99";
	}
	argv[argc++] = daemon;
	argv[argc++] = "-d";
	argv[argc++] = "-v";
	argv[argc++] = "--socket";
	argv[argc++] = T.sock;
	argv[argc++] = "--config";
	argv[argc++] = T.conf;
	argv[argc++] = "--bus";
	argv[argc++] = addrarg;
	argv[argc] = NULL;
	logfd = open(T.log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(logfd, 0);
	T.daemon_pid = fork();
	if (T.daemon_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(logfd);
	free(daemon);
	ck_assert_int_gt(T.daemon_pid, 0);
	{
		char a[200];

		snprintf(a, sizeof(a), "unix:path=%s", T.sock);
		setenv("WSCHANNEL_ADDRESS", a, 1);
	}
	/* Ready when the name is owned (the socket is served before). */
	b = bus_open();
	deadline = harness_now_us() + (T.valgrind ? 60000000ull : 10000000ull);
	while (!name_has_owner(b)) {
		ck_assert_msg(harness_now_us() < deadline,
		    "wschanneld did not take %s", NAME);
		ck_assert_msg(waitpid(T.daemon_pid, NULL, WNOHANG) == 0,
		    "wschanneld exited at start");
		harness_sleep_ms(10);
	}
	sd_bus_flush_close_unref(b);
}

static int
daemon_stop(void)
{
	char cmd[256];
	int st;

	if (T.daemon_pid <= 0)
		return 0;
	kill(T.daemon_pid, SIGTERM);
	st = harness_wait_pid(T.daemon_pid, T.valgrind ? 90000 : T_MS);
	if (st == -ETIMEDOUT) {
		kill(T.daemon_pid, SIGKILL);
		harness_wait_pid(T.daemon_pid, T_MS);
	}
	T.daemon_pid = -1;
	if (st != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s >&2", T.log);
		if (system(cmd) == -1)
			perror("system");
	} else {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", T.dir);
		if (system(cmd) == -1)
			perror("system");
	}
	return st;
}

static void
setup(void)
{
	daemon_start();
}

static void
teardown(void)
{
	ck_assert_int_eq(daemon_stop(), 0);
}

/* ---- calls --------------------------------------------------------------------- */

/* A method call that must succeed; returns the reply (unref it). */
static sd_bus_message *
call_ok(sd_bus *b, const char *path, const char *iface, const char *member,
    const char *sig, ...)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	va_list ap;
	int r;

	ck_assert_int_ge(sd_bus_message_new_method_call(b, &m, NAME, path,
	    iface, member), 0);
	if (sig != NULL && *sig != '\0') {
		va_start(ap, sig);
		r = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
		ck_assert_int_ge(r, 0);
	}
	r = sd_bus_call(b, m, CALL_USEC, &e, &reply);
	ck_assert_msg(r >= 0, "%s.%s on %s: %s: %s", iface, member, path,
	    e.name, e.message);
	sd_bus_message_unref(m);
	return reply;
}

/* A method call that must fail with `want` (and the HRESULT in hex). */
static void
call_err(sd_bus *b, const char *want, const char *path, const char *iface,
    const char *member, const char *sig, ...)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	char hex[16];
	uint32_t hr;
	va_list ap;
	int r;

	ck_assert_int_ge(sd_bus_message_new_method_call(b, &m, NAME, path,
	    iface, member), 0);
	if (sig != NULL && *sig != '\0') {
		va_start(ap, sig);
		r = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
		ck_assert_int_ge(r, 0);
	}
	r = sd_bus_call(b, m, CALL_USEC, &e, &reply);
	ck_assert_msg(r < 0, "%s.%s on %s succeeded, expected %s", iface,
	    member, path, want);
	ck_assert_msg(e.name != NULL && strcmp(e.name, want) == 0,
	    "%s.%s: error %s (%s), expected %s", iface, member, e.name,
	    e.message, want);
	if (strncmp(want, HRESULT_DBUS_ERROR_PREFIX,
	    strlen(HRESULT_DBUS_ERROR_PREFIX)) == 0) {
		ck_assert_int_eq(hresult_from_dbus_error(e.name, &hr), 0);
		snprintf(hex, sizeof(hex), "0x%08" PRIX32 ": ", hr);
		ck_assert_msg(e.message != NULL &&
		    strncmp(e.message, hex, strlen(hex)) == 0,
		    "message \"%s\" does not start with %s", e.message, hex);
	}
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
}

/* Manager.CreateChannel(DUPLEX_SESSION, TCP, {ENCODING: XML_UTF8}). */
static char *
create_channel(sd_bus *b)
{
	sd_bus_message *reply;
	const char *path;
	char *p;

	reply = call_ok(b, ROOT, IF_MGR, "CreateChannel", "uua{uv}",
	    TYPE_DUPLEX_SESSION, BINDING_TCP, 1, PROP_ENCODING, "u",
	    ENC_XML_UTF8);
	ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
	ck_assert_ptr_nonnull(p = strdup(path));
	sd_bus_message_unref(reply);
	return p;
}

static char *
create_listener(sd_bus *b)
{
	sd_bus_message *reply;
	const char *path;
	char *p;

	reply = call_ok(b, ROOT, IF_MGR, "CreateListener", "uua{uv}",
	    TYPE_DUPLEX_SESSION, BINDING_TCP, 0);
	ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
	ck_assert_ptr_nonnull(p = strdup(path));
	sd_bus_message_unref(reply);
	return p;
}

/* A listener's CreateChannel (WsCreateChannelForListener). */
static char *
create_server_channel(sd_bus *b, const char *lpath)
{
	sd_bus_message *reply;
	const char *path;
	char *p;

	reply = call_ok(b, lpath, IF_LS, "CreateChannel", "a{uv}", 1,
	    PROP_ENCODING, "u", ENC_XML_UTF8);
	ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
	ck_assert_ptr_nonnull(p = strdup(path));
	sd_bus_message_unref(reply);
	return p;
}

static uint32_t
get_u32(sd_bus *b, const char *path, const char *iface, const char *prop)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	uint32_t v = 0;
	int r;

	r = sd_bus_get_property_trivial(b, NAME, path, iface, prop, &e, 'u', &v);
	ck_assert_msg(r >= 0, "Get %s.%s: %s", path, prop, e.message);
	return v;
}

static uint64_t
get_u64(sd_bus *b, const char *path, const char *iface, const char *prop)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	uint64_t v = 0;
	int r;

	r = sd_bus_get_property_trivial(b, NAME, path, iface, prop, &e, 't', &v);
	ck_assert_msg(r >= 0, "Get %s.%s: %s", path, prop, e.message);
	return v;
}

static char *
get_str(sd_bus *b, const char *path, const char *iface, const char *prop)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *s = NULL;
	int r;

	r = sd_bus_get_property_string(b, NAME, path, iface, prop, &e, &s);
	ck_assert_msg(r >= 0, "Get %s.%s: %s", path, prop, e.message);
	return s;
}

static uint32_t
reply_u32(sd_bus_message *reply)
{
	uint32_t v = 0;

	ck_assert_int_ge(sd_bus_message_read(reply, "u", &v), 0);
	sd_bus_message_unref(reply);
	return v;
}

/* ---- asynchronous calls -------------------------------------------------------- */

struct acall {
	bool		 done;
	sd_bus_message	*reply;
};

static int
acall_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct acall *a = arg;

	a->done = true;
	a->reply = sd_bus_message_ref(m);
	return 0;
}

static void
acall_start(sd_bus *b, struct acall *a, const char *path, const char *iface,
    const char *member, const char *sig, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	memset(a, 0, sizeof(*a));
	ck_assert_int_ge(sd_bus_message_new_method_call(b, &m, NAME, path,
	    iface, member), 0);
	if (sig != NULL && *sig != '\0') {
		va_start(ap, sig);
		r = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
		ck_assert_int_ge(r, 0);
	}
	ck_assert_int_ge(sd_bus_call_async(b, NULL, m, acall_cb, a, CALL_USEC),
	    0);
	sd_bus_message_unref(m);
}

/* Processes `b` until *flag or `ms` passed. */
static bool
pump(sd_bus *b, const bool *flag, int ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)ms, now;
	int r;

	while (!*flag) {
		if ((r = sd_bus_process(b, NULL)) > 0)
			continue;
		ck_assert_int_ge(r, 0);
		if ((now = harness_now_us()) >= deadline)
			return false;
		sd_bus_wait(b, deadline - now);
	}
	return true;
}

/* Lets `b` handle what has arrived (signals) for a short while. */
static void
pump_for(sd_bus *b, int ms)
{
	bool never = false;

	pump(b, &never, ms);
}

static void
acall_wait_ok(sd_bus *b, struct acall *a)
{
	const sd_bus_error *e;

	ck_assert_msg(pump(b, &a->done, T_MS), "no reply in time");
	e = sd_bus_message_get_error(a->reply);
	ck_assert_msg(e == NULL, "error %s: %s", e->name, e->message);
}

static void
acall_wait_err(sd_bus *b, struct acall *a, const char *want)
{
	const sd_bus_error *e;
	char hex[16];
	uint32_t hr;

	ck_assert_msg(pump(b, &a->done, T_MS), "no reply in time");
	e = sd_bus_message_get_error(a->reply);
	ck_assert_msg(e != NULL, "succeeded, expected %s", want);
	ck_assert_msg(strcmp(e->name, want) == 0, "error %s (%s), expected %s",
	    e->name, e->message, want);
	ck_assert_int_eq(hresult_from_dbus_error(e->name, &hr), 0);
	snprintf(hex, sizeof(hex), "0x%08" PRIX32 ": ", hr);
	ck_assert_msg(strncmp(e->message, hex, strlen(hex)) == 0,
	    "message \"%s\" does not start with %s", e->message, hex);
}

static void
acall_free(struct acall *a)
{
	a->reply = sd_bus_message_unref(a->reply);
}

/* ---- messages ------------------------------------------------------------------ */

static void
append_message(sd_bus_message *m, const char *action, const char *body)
{
	ck_assert_int_ge(sd_bus_message_open_container(m, 'a', "{sv}"), 0);
	ck_assert_int_ge(sd_bus_message_append(m, "{sv}", "Action", "s",
	    action), 0);
	ck_assert_int_ge(sd_bus_message_open_container(m, 'e', "sv"), 0);
	ck_assert_int_ge(sd_bus_message_append_basic(m, 's', "Body"), 0);
	ck_assert_int_ge(sd_bus_message_open_container(m, 'v', "ay"), 0);
	ck_assert_int_ge(sd_bus_message_append_array(m, 'y', body,
	    strlen(body)), 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
}

/* Channel.Send or RequestReply with a message, asynchronously. */
static void
send_start(sd_bus *b, struct acall *a, const char *path, const char *member,
    const char *action, const char *body)
{
	sd_bus_message *m = NULL;

	memset(a, 0, sizeof(*a));
	ck_assert_int_ge(sd_bus_message_new_method_call(b, &m, NAME, path,
	    IF_CH, member), 0);
	append_message(m, action, body);
	ck_assert_int_ge(sd_bus_call_async(b, NULL, m, acall_cb, a, CALL_USEC),
	    0);
	sd_bus_message_unref(m);
}

struct rmsg {
	uint32_t	 result;
	char		 action[128];
	char		 body[512];
	uint32_t	 envelope_version;
	int		 is_fault;
	int		 nkeys;
};

/* (u result, a{sv} message) of Receive / RequestReply. */
static void
read_rmsg(sd_bus_message *reply, struct rmsg *out)
{
	const char *key, *contents, *s;
	const void *data;
	size_t len;
	char type;

	memset(out, 0, sizeof(*out));
	ck_assert_int_ge(sd_bus_message_read(reply, "u", &out->result), 0);
	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "{sv}"), 0);
	while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
		out->nkeys++;
		ck_assert_int_ge(sd_bus_message_read(reply, "s", &key), 0);
		ck_assert_int_ge(sd_bus_message_peek_type(reply, &type,
		    &contents), 0);
		if (strcmp(key, "Action") == 0) {
			ck_assert_int_ge(sd_bus_message_read(reply, "v", "s",
			    &s), 0);
			snprintf(out->action, sizeof(out->action), "%s", s);
		} else if (strcmp(key, "Body") == 0) {
			ck_assert_str_eq(contents, "ay");
			ck_assert_int_ge(sd_bus_message_enter_container(reply,
			    'v', "ay"), 0);
			ck_assert_int_ge(sd_bus_message_read_array(reply, 'y',
			    &data, &len), 0);
			ck_assert_uint_lt(len, sizeof(out->body));
			memcpy(out->body, data, len);
			out->body[len] = '\0';
			ck_assert_int_ge(sd_bus_message_exit_container(reply),
			    0);
		} else if (strcmp(key, "EnvelopeVersion") == 0) {
			ck_assert_int_ge(sd_bus_message_read(reply, "v", "u",
			    &out->envelope_version), 0);
		} else if (strcmp(key, "IsFault") == 0) {
			ck_assert_int_ge(sd_bus_message_read(reply, "v", "b",
			    &out->is_fault), 0);
		} else
			ck_assert_int_ge(sd_bus_message_skip(reply, "v"), 0);
		ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
	}
	ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
}

/* ---- a connected pair ------------------------------------------------------------ */

struct pair {
	char		*listener;
	char		*client;
	char		*server;
	uint16_t	 port;
	char		 url[96];
};

/* A listener on a free loopback port and two channels connected through
 * the daemon: server accepted (async), client opened. */
static void
pair_open(sd_bus *b, struct pair *p)
{
	struct acall acc, open;
	int tries;

	memset(p, 0, sizeof(*p));
	p->listener = create_listener(b);
	for (tries = 0;; tries++) {
		ck_assert_int_eq(harness_free_port(&p->port), 0);
		harness_url(p->url, sizeof(p->url), p->port, "dbus");
		{
			sd_bus_error e = SD_BUS_ERROR_NULL;
			sd_bus_message *r = NULL;

			if (sd_bus_call_method(b, NAME, p->listener, IF_LS,
			    "Open", &e, &r, "s", p->url) >= 0) {
				ck_assert_uint_eq(reply_u32(r), LS_OPEN);
				break;
			}
			ck_assert_msg(tries < 5 && strcmp(e.name,
			    ERR("AddressInUse")) == 0, "Open: %s", e.message);
			sd_bus_error_free(&e);
			call_ok(b, p->listener, IF_LS, "Reset", "");
		}
	}
	p->server = create_server_channel(b, p->listener);
	p->client = create_channel(b);
	acall_start(b, &acc, p->listener, IF_LS, "Accept", "o", p->server);
	acall_start(b, &open, p->client, IF_CH, "Open", "s", p->url);
	acall_wait_ok(b, &acc);
	acall_wait_ok(b, &open);
	ck_assert_uint_eq(reply_u32(sd_bus_message_ref(acc.reply)), ST_OPEN);
	ck_assert_uint_eq(reply_u32(sd_bus_message_ref(open.reply)), ST_OPEN);
	acall_free(&acc);
	acall_free(&open);
}

static void
pair_free(struct pair *p)
{
	free(p->listener);
	free(p->client);
	free(p->server);
}

/* ---- the HRESULT table ------------------------------------------------------------ */

START_TEST(test_error_names)
{
	static const uint32_t some[] = {
		0x00000000, 0x003D0001, 0x80004001, 0x80070005, 0x8007000E,
		0x80070057, 0x803D0000, 0x803D0004, 0x803D0014, 0x803D0017,
		0x803D0020, 0x803D0021, 0x803D0023,
	};
	uint32_t hr, i, j;
	const char *a, *b;

	ck_assert_str_eq(hresult_dbus_error(0x803D0004), ERR("OperationAborted"));
	ck_assert_str_eq(hresult_dbus_error(0x80070057), ERR("InvalidArg"));
	ck_assert_str_eq(hresult_dbus_error(0x80070005), ERR("AccessDenied"));
	ck_assert_str_eq(hresult_dbus_error(0x803D0020), ERR("InvalidEndpointUrl"));
	ck_assert_str_eq(hresult_dbus_error(0x12345678), ERR("Unknown"));
	/* One name per HRESULT, and back. */
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		a = hresult_dbus_error(some[i]);
		ck_assert_int_eq(hresult_from_dbus_error(a, &hr), 0);
		ck_assert_uint_eq(hr, some[i]);
	}
	for (i = 0x803D0000; i <= 0x803D0023; i++) {
		a = hresult_dbus_error(i);
		ck_assert_str_ne(a, ERR("Unknown"));
		for (j = i + 1; j <= 0x803D0023; j++) {
			b = hresult_dbus_error(j);
			ck_assert_str_ne(a, b);
		}
	}
	ck_assert_int_ne(hresult_from_dbus_error("org.example.Nope", &hr), 0);
}
END_TEST

/* ---- introspection against the XML file ------------------------------------------- */

/* "method Name in:u:url out:u:state" lines of the interfaces of ours. */
static void
xml_members(const char *xml, size_t len, const char *iface, char ***out,
    size_t *n)
{
	xmlDocPtr doc;
	xmlNodePtr root, i, m, a;
	char line[1024];
	size_t cap = 0;

	doc = xmlReadMemory(xml, (int)len, "introspect.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	ck_assert_ptr_nonnull(doc);
	root = xmlDocGetRootElement(doc);
	*out = NULL;
	*n = 0;
	for (i = root->children; i != NULL; i = i->next) {
		xmlChar *name;

		if (i->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(i->name, BAD_CAST "interface") != 0)
			continue;
		name = xmlGetProp(i, BAD_CAST "name");
		if (name == NULL || strcmp((char *)name, iface) != 0) {
			xmlFree(name);
			continue;
		}
		xmlFree(name);
		for (m = i->children; m != NULL; m = m->next) {
			xmlChar *mname;
			size_t off;

			if (m->type != XML_ELEMENT_NODE ||
			    xmlStrcmp(m->name, BAD_CAST "annotation") == 0)
				continue;
			mname = xmlGetProp(m, BAD_CAST "name");
			off = (size_t)snprintf(line, sizeof(line), "%s %s",
			    (char *)m->name, (char *)mname);
			xmlFree(mname);
			if (xmlStrcmp(m->name, BAD_CAST "property") == 0) {
				xmlChar *type = xmlGetProp(m, BAD_CAST "type");
				xmlChar *acc = xmlGetProp(m, BAD_CAST "access");

				off += (size_t)snprintf(line + off,
				    sizeof(line) - off, " %s %s", (char *)type,
				    (char *)acc);
				xmlFree(type);
				xmlFree(acc);
			}
			for (a = m->children; a != NULL; a = a->next) {
				xmlChar *dir, *type, *aname;

				if (a->type != XML_ELEMENT_NODE ||
				    xmlStrcmp(a->name, BAD_CAST "arg") != 0)
					continue;
				dir = xmlGetProp(a, BAD_CAST "direction");
				type = xmlGetProp(a, BAD_CAST "type");
				aname = xmlGetProp(a, BAD_CAST "name");
				/* Method args default to "in". */
				off += (size_t)snprintf(line + off,
				    sizeof(line) - off, " %s:%s:%s",
				    dir != NULL ? (char *)dir : "in",
				    (char *)type,
				    aname != NULL ? (char *)aname : "");
				xmlFree(dir);
				xmlFree(type);
				xmlFree(aname);
			}
			if (*n == cap) {
				cap = cap * 2 + 16;
				*out = realloc(*out, cap * sizeof(**out));
				ck_assert_ptr_nonnull(*out);
			}
			(*out)[(*n)++] = strdup(line);
		}
	}
	xmlFreeDoc(doc);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
compare_interface(const char *live, const char *file, size_t filelen,
    const char *iface)
{
	char **l, **f;
	size_t nl, nf, i;

	xml_members(live, strlen(live), iface, &l, &nl);
	xml_members(file, filelen, iface, &f, &nf);
	ck_assert_msg(nl > 0, "%s: not in the live introspection", iface);
	qsort(l, nl, sizeof(*l), cmp_str);
	qsort(f, nf, sizeof(*f), cmp_str);
	for (i = 0; i < nl && i < nf; i++)
		ck_assert_msg(strcmp(l[i], f[i]) == 0,
		    "%s: live \"%s\", file \"%s\"", iface, l[i], f[i]);
	ck_assert_msg(nl == nf, "%s: %zu members live, %zu in the file",
	    iface, nl, nf);
	for (i = 0; i < nl; i++)
		free(l[i]);
	for (i = 0; i < nf; i++)
		free(f[i]);
	free(l);
	free(f);
}

static char *
introspect(sd_bus *b, const char *path)
{
	sd_bus_message *reply;
	const char *xml;
	char *s;

	reply = call_ok(b, path, "org.freedesktop.DBus.Introspectable",
	    "Introspect", "");
	ck_assert_int_ge(sd_bus_message_read(reply, "s", &xml), 0);
	s = strdup(xml);
	sd_bus_message_unref(reply);
	return s;
}

START_TEST(test_introspection_matches_xml)
{
	char path[PATH_MAX], *file = NULL, *live, *ch, *ls;
	size_t len = 0;
	sd_bus *b = bus_open();
	FILE *f;

	snprintf(path, sizeof(path), "%s/systemd/org.wschannel.WsChannel1.xml",
	    srcdir());
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_ge(getdelim(&file, &len, '\0', f), 0);
	len = strlen(file);
	fclose(f);

	live = introspect(b, ROOT);
	ck_assert_ptr_nonnull(strstr(live, IF_OM));
	ck_assert_ptr_nonnull(strstr(live, "<node name=\"channel\""));
	compare_interface(live, file, len, IF_MGR);
	free(live);
	ch = create_channel(b);
	ls = create_listener(b);
	live = introspect(b, ch);
	compare_interface(live, file, len, IF_CH);
	free(live);
	live = introspect(b, ls);
	compare_interface(live, file, len, IF_LS);
	free(live);
	/* The objects are children of their folders. */
	live = introspect(b, ROOT "/channel");
	ck_assert_ptr_nonnull(strstr(live, strrchr(ch, '/') + 1));
	free(live);
	free(ch);
	free(ls);
	free(file);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* ---- Manager ---------------------------------------------------------------------- */

struct om_seen {
	char	added[8][128];
	int	nadded;
	char	removed[8][128];
	int	nremoved;
};

static int
om_added_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct om_seen *s = arg;
	const char *path;

	if (sd_bus_message_read(m, "o", &path) >= 0 && s->nadded < 8)
		snprintf(s->added[s->nadded++], 128, "%s", path);
	return 0;
}

static int
om_removed_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct om_seen *s = arg;
	const char *path;

	if (sd_bus_message_read(m, "o", &path) >= 0 && s->nremoved < 8)
		snprintf(s->removed[s->nremoved++], 128, "%s", path);
	return 0;
}

/* Does a(oa{sv}) hold `path`?  *state gets its State. */
static bool
list_has(sd_bus_message *reply, const char *path, uint32_t *state)
{
	const char *p, *key;
	bool found = false;
	uint32_t st;

	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "(oa{sv})"),
	    0);
	while (sd_bus_message_enter_container(reply, 'r', "oa{sv}") > 0) {
		ck_assert_int_ge(sd_bus_message_read(reply, "o", &p), 0);
		ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a',
		    "{sv}"), 0);
		while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
			ck_assert_int_ge(sd_bus_message_read(reply, "s", &key), 0);
			if (strcmp(key, "State") == 0) {
				ck_assert_int_ge(sd_bus_message_read(reply, "v",
				    "u", &st), 0);
				if (strcmp(p, path) == 0 && state != NULL)
					*state = st;
			} else
				ck_assert_int_ge(sd_bus_message_skip(reply, "v"),
				    0);
			ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
		}
		ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
		ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
		if (strcmp(p, path) == 0)
			found = true;
	}
	ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
	sd_bus_message_unref(reply);
	return found;
}

static uint32_t
stat_u32(sd_bus *b, const char *key)
{
	sd_bus_message *reply = call_ok(b, ROOT, IF_MGR, "GetStatistics", "");
	const char *k;
	uint32_t v = UINT32_MAX;

	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "{sv}"), 0);
	while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
		ck_assert_int_ge(sd_bus_message_read(reply, "s", &k), 0);
		if (strcmp(k, key) == 0)
			ck_assert_int_ge(sd_bus_message_read(reply, "v", "u", &v),
			    0);
		else
			ck_assert_int_ge(sd_bus_message_skip(reply, "v"), 0);
		ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
	}
	sd_bus_message_unref(reply);
	return v;
}

START_TEST(test_manager_objects)
{
	struct om_seen seen;
	sd_bus *b = bus_open();
	sd_bus_message *reply;
	char *ch, *ls, *version;
	uint32_t st = 99;
	const char *v;

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, ROOT, IF_OM,
	    "InterfacesAdded", om_added_cb, &seen), 0);
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, ROOT, IF_OM,
	    "InterfacesRemoved", om_removed_cb, &seen), 0);

	version = get_str(b, ROOT, IF_MGR, "Version");
	ck_assert_str_eq(version, PACKAGE_VERSION);
	free(version);

	ch = create_channel(b);
	ls = create_listener(b);
	ck_assert_str_eq(ch, ROOT "/channel/1");
	ck_assert_str_eq(ls, ROOT "/listener/2");
	/* Properties of a new channel. */
	ck_assert_uint_eq(get_u64(b, ch, IF_CH, "Id"), 1);
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "State"), ST_CREATED);
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "Type"), TYPE_DUPLEX_SESSION);
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "Binding"), BINDING_TCP);
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "Encoding"), ENC_XML_UTF8);
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "Owner"), getuid());
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "OwnerPid"), getpid());
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "PendingOperations"), 0);
	ck_assert_uint_eq(get_u64(b, ch, IF_CH, "BytesIn"), 0);
	ck_assert_uint_eq(get_u64(b, ch, IF_CH, "MessagesOut"), 0);
	ck_assert_uint_eq(get_u32(b, ls, IF_LS, "State"), 0);
	ck_assert_uint_eq(get_u32(b, ls, IF_LS, "Binding"), BINDING_TCP);
	ck_assert_uint_eq(get_u32(b, ls, IF_LS, "Type"), TYPE_DUPLEX_SESSION);

	/* Lists, statistics. */
	ck_assert(list_has(call_ok(b, ROOT, IF_MGR, "ListChannels", ""), ch,
	    &st));
	ck_assert_uint_eq(st, ST_CREATED);
	ck_assert(list_has(call_ok(b, ROOT, IF_MGR, "ListListeners", ""), ls,
	    NULL));
	ck_assert_uint_eq(stat_u32(b, "Channels"), 1);
	ck_assert_uint_eq(stat_u32(b, "Listeners"), 1);
	ck_assert_uint_eq(stat_u32(b, "BusPeers"), 1);

	/* Bad creations: the core's errors, named. */
	call_err(b, ERR("InvalidArg"), ROOT, IF_MGR, "CreateChannel", "uua{uv}",
	    99, BINDING_TCP, 0);
	call_err(b, ERR("NotSupported"), ROOT, IF_MGR, "CreateChannel",
	    "uua{uv}", 0, 3, 0);
	call_err(b, ERR("InvalidArg"), ROOT, IF_MGR, "CreateChannel", "uua{uv}",
	    TYPE_DUPLEX_SESSION, BINDING_TCP, 1, PROP_STATE, "u", 3);
	call_err(b, ERR("InvalidArg"), ROOT, IF_MGR, "CreateChannel", "uua{uv}",
	    TYPE_DUPLEX_SESSION, BINDING_TCP, 1, PROP_ENCODING, "s", "x");

	/* GetManagedObjects has both. */
	reply = call_ok(b, ROOT, IF_OM, "GetManagedObjects", "");
	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a',
	    "{oa{sa{sv}}}"), 0);
	{
		int n = 0;

		while (sd_bus_message_enter_container(reply, 'e',
		    "oa{sa{sv}}") > 0) {
			ck_assert_int_ge(sd_bus_message_read(reply, "o", &v), 0);
			ck_assert(strcmp(v, ch) == 0 || strcmp(v, ls) == 0);
			ck_assert_int_ge(sd_bus_message_skip(reply,
			    "a{sa{sv}}"), 0);
			ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
			n++;
		}
		ck_assert_int_eq(n, 2);
	}
	sd_bus_message_unref(reply);

	/* Free: the objects go, with InterfacesRemoved. */
	sd_bus_message_unref(call_ok(b, ch, IF_CH, "Free", ""));
	sd_bus_message_unref(call_ok(b, ls, IF_LS, "Free", ""));
	call_err(b, "org.freedesktop.DBus.Error.UnknownObject", ch, IF_CH,
	    "Abort", "");
	ck_assert(!list_has(call_ok(b, ROOT, IF_MGR, "ListChannels", ""), ch,
	    NULL));
	pump_for(b, 200);
	ck_assert_int_eq(seen.nadded, 2);
	ck_assert_str_eq(seen.added[0], ch);
	ck_assert_str_eq(seen.added[1], ls);
	ck_assert_int_eq(seen.nremoved, 2);
	ck_assert_str_eq(seen.removed[0], ch);
	ck_assert_str_eq(seen.removed[1], ls);
	free(ch);
	free(ls);
	sd_bus_flush_close_unref(b);
}
END_TEST

START_TEST(test_properties_by_id)
{
	sd_bus *b = bus_open();
	sd_bus_message *reply;
	char *ch = create_channel(b), *ls = create_listener(b);
	uint32_t u;

	/* GetProperty(STATE) is a u; MAX_BUFFERED_MESSAGE_SIZE too. */
	reply = call_ok(b, ch, IF_CH, "GetProperty", "u", PROP_STATE);
	ck_assert_int_ge(sd_bus_message_read(reply, "v", "u", &u), 0);
	ck_assert_uint_eq(u, ST_CREATED);
	sd_bus_message_unref(reply);
	reply = call_ok(b, ch, IF_CH, "GetProperty", "u", PROP_MAX_BUFFERED);
	ck_assert_int_ge(sd_bus_message_read(reply, "v", "u", &u), 0);
	ck_assert_uint_eq(u, 65536);
	sd_bus_message_unref(reply);
	/* SetProperty with any unsigned type; then read back. */
	sd_bus_message_unref(call_ok(b, ch, IF_CH, "SetProperty", "uv",
	    PROP_CONNECT_TIMEOUT, "t", (uint64_t)4096));
	reply = call_ok(b, ch, IF_CH, "GetProperty", "u", PROP_CONNECT_TIMEOUT);
	ck_assert_int_ge(sd_bus_message_read(reply, "v", "u", &u), 0);
	ck_assert_uint_eq(u, 4096);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(call_ok(b, ch, IF_CH, "SetProperty", "uv",
	    PROP_CONNECT_TIMEOUT, "i", 5000));
	call_err(b, ERR("InvalidArg"), ch, IF_CH, "SetProperty", "uv",
	    PROP_STATE, "u", 3);
	call_err(b, ERR("InvalidArg"), ch, IF_CH, "SetProperty", "uv",
	    PROP_MAX_BUFFERED, "u", 1024);	/* only at creation */
	call_err(b, ERR("InvalidArg"), ch, IF_CH, "SetProperty", "uv",
	    PROP_CONNECT_TIMEOUT, "s", "big");
	call_err(b, ERR("InvalidArg"), ch, IF_CH, "SetProperty", "uv",
	    PROP_CONNECT_TIMEOUT, "i", -1);
	call_err(b, ERR("InvalidArg"), ch, IF_CH, "GetProperty", "u", 4000);
	/* Listener by id. */
	reply = call_ok(b, ls, IF_LS, "GetProperty", "u",
	    WS_LISTENER_PROPERTY_STATE);
	ck_assert_int_ge(sd_bus_message_read(reply, "v", "u", &u), 0);
	ck_assert_uint_eq(u, 0);
	sd_bus_message_unref(reply);
	call_err(b, ERR("InvalidArg"), ls, IF_LS, "GetProperty", "u", 4000);
	free(ch);
	free(ls);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* ---- Channel and Listener I/O ------------------------------------------------------- */

START_TEST(test_channel_io)
{
	sd_bus *b = bus_open();
	struct acall recv, snd, rr;
	struct rmsg msg;
	struct pair p;
	char *s;

	pair_open(b, &p);
	s = get_str(b, p.client, IF_CH, "Url");
	ck_assert_str_eq(s, p.url);
	free(s);
	s = get_str(b, p.client, IF_CH, "RemoteAddress");
	ck_assert_ptr_nonnull(strstr(s, "127.0.0.1:"));
	free(s);
	s = get_str(b, p.listener, IF_LS, "Url");
	ck_assert_str_eq(s, p.url);
	free(s);

	/* Send and Receive. */
	acall_start(b, &recv, p.server, IF_CH, "Receive", "");
	send_start(b, &snd, p.client, "Send", "urn:wschannel-test/dbus",
	    "<v xmlns=\"urn:wschannel-test\">42</v>");
	acall_wait_ok(b, &snd);
	acall_wait_ok(b, &recv);
	read_rmsg(recv.reply, &msg);
	ck_assert_uint_eq(msg.result, 0);
	ck_assert_str_eq(msg.action, "urn:wschannel-test/dbus");
	ck_assert_ptr_nonnull(strstr(msg.body, ">42</v>"));
	ck_assert_uint_eq(msg.envelope_version, 2);
	ck_assert_int_eq(msg.is_fault, 0);
	acall_free(&snd);
	acall_free(&recv);
	ck_assert_uint_eq(get_u64(b, p.client, IF_CH, "MessagesOut"), 1);
	ck_assert_uint_eq(get_u64(b, p.server, IF_CH, "MessagesIn"), 1);
	ck_assert_uint_gt(get_u64(b, p.server, IF_CH, "BytesIn"), 0);

	/* RequestReply: the server answers what it receives. */
	send_start(b, &rr, p.client, "RequestReply", "urn:req", "<q xmlns=\"urn:x\"/>");
	acall_start(b, &recv, p.server, IF_CH, "Receive", "");
	acall_wait_ok(b, &recv);
	read_rmsg(recv.reply, &msg);
	ck_assert_str_eq(msg.action, "urn:req");
	acall_free(&recv);
	send_start(b, &snd, p.server, "Send", "urn:rep", "<a xmlns=\"urn:x\">ok</a>");
	acall_wait_ok(b, &snd);
	acall_wait_ok(b, &rr);
	read_rmsg(rr.reply, &msg);
	ck_assert_uint_eq(msg.result, 0);
	ck_assert_str_eq(msg.action, "urn:rep");
	ck_assert_ptr_nonnull(strstr(msg.body, ">ok</a>"));
	acall_free(&snd);
	acall_free(&rr);

	/* Read/write message start and end, abandon.  (The read is pending
	 * before the message comes.) */
	acall_start(b, &recv, p.server, IF_CH, "ReadMessageStart", "");
	ck_assert_uint_eq(reply_u32(call_ok(b, p.client, IF_CH,
	    "WriteMessageStart", "")), ST_OPEN);
	{
		sd_bus_message *m = NULL;

		ck_assert_int_ge(sd_bus_message_new_method_call(b, &m, NAME,
		    p.client, IF_CH, "WriteMessageEnd"), 0);
		append_message(m, "urn:w", "<w xmlns=\"urn:x\"/>");
		memset(&snd, 0, sizeof(snd));
		ck_assert_int_ge(sd_bus_call_async(b, NULL, m, acall_cb, &snd,
		    CALL_USEC), 0);
		sd_bus_message_unref(m);
	}
	acall_wait_ok(b, &snd);
	acall_free(&snd);
	acall_wait_ok(b, &recv);
	read_rmsg(recv.reply, &msg);
	ck_assert_str_eq(msg.action, "urn:w");
	acall_free(&recv);
	ck_assert_uint_eq(reply_u32(call_ok(b, p.server, IF_CH,
	    "ReadMessageEnd", "")), ST_OPEN);
	ck_assert_uint_eq(reply_u32(call_ok(b, p.client, IF_CH,
	    "WriteMessageStart", "")), ST_OPEN);
	ck_assert_uint_eq(reply_u32(call_ok(b, p.client, IF_CH,
	    "AbandonMessage", "")), ST_OPEN);

	/* Shutdown: the other side receives the end of the session. */
	acall_start(b, &snd, p.client, IF_CH, "Shutdown", "");
	acall_wait_ok(b, &snd);
	acall_free(&snd);
	acall_start(b, &recv, p.server, IF_CH, "Receive", "");
	acall_wait_ok(b, &recv);
	read_rmsg(recv.reply, &msg);
	ck_assert_uint_eq(msg.result, 0x003D0001);	/* WS_S_END */
	ck_assert_int_eq(msg.nkeys, 0);
	acall_free(&recv);

	/* Close, Reset; the listener's Close, Reset.  The client's close
	 * waits for the server's End: the server shuts its side down. */
	acall_start(b, &snd, p.server, IF_CH, "Shutdown", "");
	acall_wait_ok(b, &snd);
	acall_free(&snd);
	acall_start(b, &snd, p.client, IF_CH, "Close", "");
	acall_wait_ok(b, &snd);
	ck_assert_uint_eq(reply_u32(sd_bus_message_ref(snd.reply)), ST_CLOSED);
	acall_free(&snd);
	ck_assert_uint_eq(reply_u32(call_ok(b, p.client, IF_CH, "Reset", "")),
	    ST_CREATED);
	ck_assert_uint_eq(reply_u32(call_ok(b, p.listener, IF_LS, "Close", "")),
	    LS_CLOSED);
	ck_assert_uint_eq(reply_u32(call_ok(b, p.listener, IF_LS, "Reset", "")),
	    0);
	/* Errors of the core, named after their HRESULT. */
	call_err(b, ERR("InvalidOperation"), p.client, IF_CH, "Receive", "");
	call_err(b, ERR("InvalidOperation"), p.server, IF_CH, "Reset", "");
	call_err(b, ERR("InvalidArg"), p.listener, IF_LS, "Accept", "o", ROOT);
	call_err(b, ERR("InvalidEndpointUrl"), p.client, IF_CH, "Open", "s",
	    "http://127.0.0.1:1/x");
	ck_assert_uint_eq(get_u32(b, p.client, IF_CH, "State"), ST_FAULTED);
	call_err(b, ERR("ObjectFaulted"), p.client, IF_CH, "Receive", "");
	{
		sd_bus_message *m = NULL, *reply = NULL;
		sd_bus_error e = SD_BUS_ERROR_NULL;

		/* An unknown key in a message. */
		ck_assert_int_ge(sd_bus_message_new_method_call(b, &m, NAME,
		    p.server, IF_CH, "Send"), 0);
		ck_assert_int_ge(sd_bus_message_append(m, "a{sv}", 1, "Colour",
		    "s", "blue"), 0);
		ck_assert_int_lt(sd_bus_call(b, m, CALL_USEC, &e, &reply), 0);
		ck_assert_str_eq(e.name, ERR("InvalidArg"));
		sd_bus_error_free(&e);
		sd_bus_message_unref(m);
	}
	pair_free(&p);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* ---- PropertiesChanged ------------------------------------------------------------ */

struct changes {
	const char	*path;
	uint32_t	 states[32];
	int		 nstates;
	uint64_t	 messages_out;
	bool		 saw_counter;
};

static int
changed_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct changes *c = arg;
	const char *iface, *key;
	uint32_t u;

	if (strcmp(sd_bus_message_get_path(m), c->path) != 0)
		return 0;
	if (sd_bus_message_read(m, "s", &iface) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		sd_bus_message_read(m, "s", &key);
		if (strcmp(key, "State") == 0) {
			sd_bus_message_read(m, "v", "u", &u);
			if (c->nstates < 32)
				c->states[c->nstates++] = u;
		} else if (strcmp(key, "MessagesOut") == 0) {
			sd_bus_message_read(m, "v", "t", &c->messages_out);
			c->saw_counter = true;
		} else
			sd_bus_message_skip(m, "v");
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static void
expect_states(sd_bus *b, struct changes *c, const uint32_t *want, int n)
{
	uint64_t deadline = harness_now_us() + 1000ull * T_MS;
	int i;

	while (c->nstates < n && harness_now_us() < deadline)
		pump_for(b, 20);
	pump_for(b, 100);	/* nothing more may come */
	for (i = 0; i < n && i < c->nstates; i++)
		ck_assert_msg(c->states[i] == want[i],
		    "%s: transition %d is to %u, expected %u", c->path, i,
		    c->states[i], want[i]);
	ck_assert_msg(c->nstates == n, "%s: %d transitions, expected %d",
	    c->path, c->nstates, n);
	c->nstates = 0;
}

START_TEST(test_properties_changed)
{
	static const uint32_t open_states[] = { ST_OPENING, ST_OPEN };
	static const uint32_t accept_states[] = { ST_ACCEPTING, ST_OPEN };
	static const uint32_t close_states[] = { ST_CLOSING, ST_CLOSED };
	static const uint32_t reset_states[] = { ST_CREATED };
	static const uint32_t abort_states[] = { ST_FAULTED };
	static const uint32_t ls_open[] = { 1, LS_OPEN };
	static const uint32_t ls_close[] = { LS_CLOSING, LS_CLOSED };
	struct changes cc, sc, lc;
	struct acall a, o, snd;
	sd_bus *b = bus_open();
	char *client, *server, *listener, url[96];
	uint16_t port;

	listener = create_listener(b);
	server = create_server_channel(b, listener);
	client = create_channel(b);
	memset(&cc, 0, sizeof(cc));
	memset(&sc, 0, sizeof(sc));
	memset(&lc, 0, sizeof(lc));
	cc.path = client;
	sc.path = server;
	lc.path = listener;
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, client, IF_PROPS,
	    "PropertiesChanged", changed_cb, &cc), 0);
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, server, IF_PROPS,
	    "PropertiesChanged", changed_cb, &sc), 0);
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, listener, IF_PROPS,
	    "PropertiesChanged", changed_cb, &lc), 0);

	ck_assert_int_eq(harness_free_port(&port), 0);
	harness_url(url, sizeof(url), port, "pc");
	ck_assert_uint_eq(reply_u32(call_ok(b, listener, IF_LS, "Open", "s",
	    url)), LS_OPEN);
	expect_states(b, &lc, ls_open, 2);
	acall_start(b, &a, listener, IF_LS, "Accept", "o", server);
	acall_start(b, &o, client, IF_CH, "Open", "s", url);
	acall_wait_ok(b, &a);
	acall_wait_ok(b, &o);
	acall_free(&a);
	acall_free(&o);
	expect_states(b, &cc, open_states, 2);
	expect_states(b, &sc, accept_states, 2);

	/* Counters follow, without a state change. */
	send_start(b, &snd, client, "Send", "urn:c", "<c xmlns=\"urn:x\"/>");
	acall_wait_ok(b, &snd);
	acall_free(&snd);
	{
		uint64_t deadline = harness_now_us() + 1000ull * T_MS;

		while (cc.messages_out < 1 && harness_now_us() < deadline)
			pump_for(b, 20);
		ck_assert(cc.saw_counter);
		ck_assert_uint_eq(cc.messages_out, 1);
	}

	/* A graceful close drains and waits for the server's End (which
	 * its Shutdown sends): CLOSING, then CLOSED.  Then reset. */
	acall_start(b, &a, server, IF_CH, "Shutdown", "");
	acall_wait_ok(b, &a);
	acall_free(&a);
	acall_start(b, &a, client, IF_CH, "Close", "");
	acall_wait_ok(b, &a);
	acall_free(&a);
	expect_states(b, &cc, close_states, 2);
	sd_bus_message_unref(call_ok(b, client, IF_CH, "Reset", ""));
	expect_states(b, &cc, reset_states, 1);
	/* The server saw the close as an abort of its side or an end; abort
	 * it for certain: OPEN or FAULTED, then FAULTED or nothing. */
	sc.nstates = 0;
	sd_bus_message_unref(call_ok(b, server, IF_CH, "Abort", ""));
	pump_for(b, 200);
	if (sc.nstates > 0)
		ck_assert_uint_eq(sc.states[sc.nstates - 1], abort_states[0]);
	ck_assert_uint_eq(reply_u32(call_ok(b, listener, IF_LS, "Close", "")),
	    LS_CLOSED);
	expect_states(b, &lc, ls_close, 2);
	free(client);
	free(server);
	free(listener);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* ---- abort --------------------------------------------------------------------------- */

START_TEST(test_receive_completed_by_abort)
{
	sd_bus *b = bus_open(), *other = bus_open();
	struct acall recv;
	sd_bus_message *reply;
	uint32_t state, n;
	struct pair p;

	pair_open(b, &p);
	acall_start(b, &recv, p.server, IF_CH, "Receive", "");
	/* The Receive is pending in the daemon before the abort. */
	{
		uint64_t deadline = harness_now_us() + 1000ull * T_MS;

		while (get_u32(other, p.server, IF_CH, "PendingOperations") < 1 &&
		    harness_now_us() < deadline)
			harness_sleep_ms(5);
	}
	ck_assert(!recv.done);
	reply = call_ok(other, p.server, IF_CH, "Abort", "");
	ck_assert_int_ge(sd_bus_message_read(reply, "uu", &state, &n), 0);
	sd_bus_message_unref(reply);
	ck_assert_uint_eq(state, ST_FAULTED);
	ck_assert_uint_eq(n, 1);
	acall_wait_err(b, &recv, ERR("OperationAborted"));
	acall_free(&recv);
	ck_assert_uint_eq(get_u32(b, p.server, IF_CH, "PendingOperations"), 0);
	/* Abort again: nothing left to cancel, the state stays. */
	reply = call_ok(other, p.server, IF_CH, "Abort", "");
	ck_assert_int_ge(sd_bus_message_read(reply, "uu", &state, &n), 0);
	sd_bus_message_unref(reply);
	ck_assert_uint_eq(state, ST_FAULTED);
	ck_assert_uint_eq(n, 0);

	/* AbortProcess and AbortAll answer per channel; a fresh pair, so
	 * that the first abort's reset does not fault the client first. */
	pair_free(&p);
	pair_open(b, &p);
	acall_start(b, &recv, p.client, IF_CH, "Receive", "");
	{
		uint64_t deadline = harness_now_us() + 1000ull * T_MS;

		while (get_u32(other, p.client, IF_CH, "PendingOperations") < 1 &&
		    harness_now_us() < deadline)
			harness_sleep_ms(5);
	}
	reply = call_ok(other, ROOT, IF_MGR, "AbortProcess", "u",
	    (uint32_t)getpid());
	{
		const char *path;
		int count = 0;

		ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a',
		    "(ouu)"), 0);
		while (sd_bus_message_read(reply, "(ouu)", &path, &state, &n) > 0) {
			ck_assert_uint_eq(state, ST_FAULTED);
			count++;
		}
		ck_assert_int_eq(count, 4);
	}
	sd_bus_message_unref(reply);
	acall_wait_err(b, &recv, ERR("OperationAborted"));
	acall_free(&recv);
	reply = call_ok(other, ROOT, IF_MGR, "AbortAll", "");
	ck_assert_int_ge(sd_bus_message_skip(reply, "a(ouu)"), 0);
	sd_bus_message_unref(reply);
	pair_free(&p);
	sd_bus_flush_close_unref(other);
	sd_bus_flush_close_unref(b);
}
END_TEST

START_TEST(test_listener_abort_ends_accept)
{
	sd_bus *b = bus_open();
	struct acall acc;
	sd_bus_message *reply;
	char *ls, *ch, url[96];
	uint32_t state, n;
	uint16_t port;

	ls = create_listener(b);
	ch = create_server_channel(b, ls);
	ck_assert_int_eq(harness_free_port(&port), 0);
	harness_url(url, sizeof(url), port, "acc");
	sd_bus_message_unref(call_ok(b, ls, IF_LS, "Open", "s", url));
	acall_start(b, &acc, ls, IF_LS, "Accept", "o", ch);
	{
		uint64_t deadline = harness_now_us() + 1000ull * T_MS;

		while (get_u32(b, ch, IF_CH, "State") != ST_ACCEPTING &&
		    harness_now_us() < deadline)
			pump_for(b, 5);
	}
	reply = call_ok(b, ls, IF_LS, "Abort", "");
	ck_assert_int_ge(sd_bus_message_read(reply, "uu", &state, &n), 0);
	sd_bus_message_unref(reply);
	ck_assert_uint_eq(state, 3);	/* FAULTED */
	ck_assert_uint_eq(n, 1);
	acall_wait_err(b, &acc, ERR("OperationAborted"));
	acall_free(&acc);
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "State"), ST_FAULTED);
	free(ls);
	free(ch);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* An object of the Unix door is on the bus, and an abort over D-Bus
 * releases a WsReceiveMessage blocked in libwschannel. */
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

START_TEST(test_unix_objects_on_the_bus)
{
	struct harness_raw_server rs;
	struct harness_bg *bg;
	sd_bus *b = bus_open();
	sd_bus_message *reply;
	WS_CHANNEL *ch = NULL;
	char path[128];
	uint32_t state, n, pending = 0;
	uint64_t deadline;
	HRESULT hr;
	int i;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	/* The library's channel is the daemon's first object. */
	snprintf(path, sizeof(path), ROOT "/channel/1");
	ck_assert_uint_eq(get_u32(b, path, IF_CH, "State"), ST_OPEN);
	ck_assert_uint_eq(get_u32(b, path, IF_CH, "OwnerPid"), getpid());
	bg = harness_bg_start(blocked_receive, ch);
	deadline = harness_now_us() + 1000ull * T_MS;
	for (i = 0; pending == 0 && harness_now_us() < deadline; i++) {
		pending = get_u32(b, path, IF_CH, "PendingOperations");
		harness_sleep_ms(5);
	}
	ck_assert_uint_eq(pending, 1);
	reply = call_ok(b, path, IF_CH, "Abort", "");
	ck_assert_int_ge(sd_bus_message_read(reply, "uu", &state, &n), 0);
	sd_bus_message_unref(reply);
	ck_assert_uint_eq(state, ST_FAULTED);
	ck_assert_uint_eq(n, 1);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	/* Freed by the library: gone from the bus. */
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
	deadline = harness_now_us() + 1000ull * T_MS;
	while (list_has(call_ok(b, ROOT, IF_MGR, "ListChannels", ""), path,
	    NULL) && harness_now_us() < deadline)
		harness_sleep_ms(5);
	ck_assert(!list_has(call_ok(b, ROOT, IF_MGR, "ListChannels", ""), path,
	    NULL));
	sd_bus_flush_close_unref(b);
}
END_TEST

/* GetStatistics' DatagramsDropped (a "t"); UINT64_MAX when absent. */
static uint64_t
stat_u64(sd_bus *b, const char *key)
{
	sd_bus_message *reply = call_ok(b, ROOT, IF_MGR, "GetStatistics", "");
	const char *k;
	uint64_t v = UINT64_MAX;

	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "{sv}"), 0);
	while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
		ck_assert_int_ge(sd_bus_message_read(reply, "s", &k), 0);
		if (strcmp(k, key) == 0)
			ck_assert_int_ge(sd_bus_message_read(reply, "v", "t", &v),
			    0);
		else
			ck_assert_int_ge(sd_bus_message_skip(reply, "v"), 0);
		ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
	}
	sd_bus_message_unref(reply);
	return v;
}

/* A soap.udp listener drops a datagram that is no envelope: the bus's
 * GetStatistics counts it in DatagramsDropped, as the Unix door does. */
START_TEST(test_udp_datagrams_dropped)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	sd_bus *b = bus_open();
	WS_LISTENER *l = NULL;
	WS_STRING url;
	uint64_t deadline;
	uint16_t port;
	char buf[96];
	int fd;

	ck_assert_uint_eq(stat_u64(b, "DatagramsDropped"), 0);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l, NULL), S_OK);
	ck_assert_int_eq(harness_free_port(&port), 0);
	snprintf(buf, sizeof(buf), "soap.udp://127.0.0.1:%u/x", port);
	url = harness_ws_string(buf);
	HR_EQ(WsOpenListener(l, &url, NULL, NULL), S_OK);
	free(url.chars);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ck_assert_int_eq(sendto(fd, "not soap", 8, 0, (struct sockaddr *)&sin,
	    sizeof(sin)), 8);
	close(fd);
	deadline = harness_now_us() + 1000ull * T_MS;
	while (stat_u64(b, "DatagramsDropped") != 1 &&
	    harness_now_us() < deadline)
		harness_sleep_ms(5);
	ck_assert_uint_eq(stat_u64(b, "DatagramsDropped"), 1);
	WsFreeListener(l);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* ---- a sender that leaves ----------------------------------------------------------- */

START_TEST(test_sender_disconnect_frees)
{
	sd_bus *b = bus_open(), *gone = bus_open();
	struct om_seen seen;
	struct acall recv, acc;
	char *ch, *ls, *sch, url[96];
	uint64_t deadline;
	uint16_t port;

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, ROOT, IF_OM,
	    "InterfacesRemoved", om_removed_cb, &seen), 0);
	ch = create_channel(gone);
	ls = create_listener(gone);
	sch = create_server_channel(gone, ls);
	ck_assert_int_eq(harness_free_port(&port), 0);
	harness_url(url, sizeof(url), port, "gone");
	sd_bus_message_unref(call_ok(gone, ls, IF_LS, "Open", "s", url));
	/* Pending work of the leaving peer, too. */
	acall_start(gone, &acc, ls, IF_LS, "Accept", "o", sch);
	acall_start(gone, &recv, ch, IF_CH, "Receive", "");	/* refused */
	pump_for(gone, 100);
	ck_assert_uint_eq(stat_u32(b, "Channels"), 2);
	ck_assert_uint_eq(stat_u32(b, "BusPeers"), 2);
	sd_bus_close(gone);
	deadline = harness_now_us() + 1000ull * T_MS;
	while (seen.nremoved < 3 && harness_now_us() < deadline)
		pump_for(b, 20);
	ck_assert_int_eq(seen.nremoved, 3);
	ck_assert_uint_eq(stat_u32(b, "Channels"), 0);
	ck_assert_uint_eq(stat_u32(b, "Listeners"), 0);
	ck_assert_uint_eq(stat_u32(b, "BusPeers"), 1);
	/* The port is free again. */
	{
		char *l2 = create_listener(b);

		sd_bus_message_unref(call_ok(b, l2, IF_LS, "Open", "s", url));
		free(l2);
	}
	acall_free(&acc);
	acall_free(&recv);
	sd_bus_unref(gone);
	free(ch);
	free(ls);
	free(sch);
	sd_bus_flush_close_unref(b);
}
END_TEST

/* ---- another uid -------------------------------------------------------------------- */

/* In the child, as nobody: each failed expectation counts. */
static int
other_uid_checks(const char *root_ch)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus *b = NULL;
	const char *path;
	uint32_t v;
	int fails = 0, r;

#define EXPECT_ERR(want, ...) do {					\
	r = sd_bus_call_method(b, NAME, __VA_ARGS__);			\
	if (r >= 0 || e.name == NULL || strcmp(e.name, (want)) != 0) {	\
		fprintf(stderr, "uid %u, line %d: %s (%s), expected %s\n",\
		    (unsigned)getuid(), __LINE__, e.name, e.message, (want)); \
		fails++;						\
	}								\
	sd_bus_error_free(&e);						\
	reply = sd_bus_message_unref(reply);				\
} while (0)

	if (sd_bus_new(&b) < 0 || sd_bus_set_address(b, T.bus_addr) < 0 ||
	    sd_bus_set_bus_client(b, 1) < 0 || sd_bus_start(b) < 0) {
		fprintf(stderr, "uid %u cannot connect to the bus\n",
		    (unsigned)getuid());
		return 100;
	}
	EXPECT_ERR(ERR("AccessDenied"), root_ch, IF_CH, "Abort", &e, &reply, "");
	EXPECT_ERR(ERR("AccessDenied"), root_ch, IF_CH, "Free", &e, &reply, "");
	EXPECT_ERR(ERR("AccessDenied"), root_ch, IF_CH, "GetProperty", &e,
	    &reply, "u", PROP_STATE);
	EXPECT_ERR(ERR("AccessDenied"), root_ch, IF_CH, "Receive", &e, &reply,
	    "");
	EXPECT_ERR(ERR("AccessDenied"), root_ch, IF_PROPS, "Get", &e, &reply,
	    "ss", IF_CH, "State");
	EXPECT_ERR(ERR("AccessDenied"), root_ch, IF_PROPS, "GetAll", &e,
	    &reply, "s", IF_CH);
	EXPECT_ERR(ERR("AccessDenied"), ROOT, IF_MGR, "Reload", &e, &reply, "");
	/* Its own channel works and is its own; the second one is over
	 * quota (ChannelsPerUser=1). */
	r = sd_bus_call_method(b, NAME, ROOT, IF_MGR, "CreateChannel", &e,
	    &reply, "uua{uv}", TYPE_DUPLEX_SESSION, BINDING_TCP, 0);
	if (r < 0 || sd_bus_message_read(reply, "o", &path) < 0) {
		fprintf(stderr, "CreateChannel as uid %u: %s\n",
		    (unsigned)getuid(), e.message);
		return fails + 1;
	}
	if (sd_bus_get_property_trivial(b, NAME, path, IF_CH, "Owner", &e,
	    'u', &v) < 0 || v != getuid())
		fails++;
	reply = sd_bus_message_unref(reply);
	EXPECT_ERR(ERR("QuotaExceeded"), ROOT, IF_MGR, "CreateChannel", &e,
	    &reply, "uua{uv}", TYPE_DUPLEX_SESSION, BINDING_TCP, 0);
	/* Lists show its own channel only. */
	r = sd_bus_call_method(b, NAME, ROOT, IF_MGR, "ListChannels", &e,
	    &reply, "");
	if (r < 0) {
		fails++;
	} else {
		const char *o;
		int n = 0;

		sd_bus_message_enter_container(reply, 'a', "(oa{sv})");
		while (sd_bus_message_enter_container(reply, 'r',
		    "oa{sv}") > 0) {
			sd_bus_message_read(reply, "o", &o);
			if (strcmp(o, root_ch) == 0 || ++n > 1)
				fails++;
			sd_bus_message_skip(reply, "a{sv}");
			sd_bus_message_exit_container(reply);
		}
	}
	reply = sd_bus_message_unref(reply);
	r = sd_bus_call_method(b, NAME, ROOT, IF_OM, "GetManagedObjects", &e,
	    &reply, "");
	if (r < 0) {
		fprintf(stderr, "GetManagedObjects: %s\n", e.message);
		fails++;
	} else {
		const char *o;

		sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
		while (sd_bus_message_enter_container(reply, 'e',
		    "oa{sa{sv}}") > 0) {
			sd_bus_message_read(reply, "o", &o);
			if (strcmp(o, root_ch) == 0)
				fails++;
			sd_bus_message_skip(reply, "a{sa{sv}}");
			sd_bus_message_exit_container(reply);
		}
	}
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(b);
#undef EXPECT_ERR
	return fails;
}

START_TEST(test_other_uid_denied)
{
	sd_bus *b;
	char *ch;
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		fprintf(stderr, "test_other_uid_denied: skipped (not root)\n");
		return;
	}
	b = bus_open();
	write_file(T.conf, "[Limits]\nChannelsPerUser=1\n");
	sd_bus_message_unref(call_ok(b, ROOT, IF_MGR, "Reload", ""));
	ch = create_channel(b);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			_exit(101);
		_exit(other_uid_checks(ch));
	}
	st = harness_wait_pid(pid, 3 * T_MS);
	ck_assert_msg(st == 0, "the other uid's checks: %d failed", st);
	/* Untouched, and the nobody's channel went with its connection. */
	ck_assert_uint_eq(get_u32(b, ch, IF_CH, "State"), ST_CREATED);
	{
		uint64_t deadline = harness_now_us() + 1000ull * T_MS;

		while (stat_u32(b, "Channels") != 1 &&
		    harness_now_us() < deadline)
			harness_sleep_ms(5);
		ck_assert_uint_eq(stat_u32(b, "Channels"), 1);
	}
	/* A bad configuration is refused and the old one stays. */
	write_file(T.conf, "[Limits]\nChannelsPerUser=many\n");
	call_err(b, ERR("InvalidFormat"), ROOT, IF_MGR, "Reload", "");
	free(ch);
	sd_bus_flush_close_unref(b);
}
END_TEST

/*
 * Signals are unicast to peers that may see the object: nobody, subscribed
 * with every match rule, hears nothing of root's channels, only of its own;
 * root's peer hears of its channels, addressed to it, in the standard
 * bodies.
 */
struct sig_seen {
	char		 paths[32][128];	/* the object each signal is about */
	int		 n;
	int		 nadded, nremoved, nowner, undirected;
	const char	*own;		/* the peer's own unique name */
	uid_t		 uid;
};

static void
sig_note(struct sig_seen *s, sd_bus_message *m, const char *path)
{
	const char *dest = sd_bus_message_get_destination(m);

	if (dest == NULL || strcmp(dest, s->own) != 0)
		s->undirected++;
	if (s->n < 32)
		snprintf(s->paths[s->n++], 128, "%s", path);
}

static int
sig_added_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct sig_seen *s = arg;
	const char *path, *iface, *key;
	uint32_t owner;

	if (sd_bus_message_read(m, "o", &path) < 0)
		return 0;
	sig_note(s, m, path);
	s->nadded++;
	/* oa{sa{sv}}: the Channel or Listener interface with its Owner. */
	if (sd_bus_message_enter_container(m, 'a', "{sa{sv}}") <= 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0) {
		if (sd_bus_message_read(m, "s", &iface) < 0 ||
		    sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
			return 0;
		while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
			if (sd_bus_message_read(m, "s", &key) < 0)
				return 0;
			if ((strcmp(iface, IF_CH) == 0 ||
			    strcmp(iface, IF_LS) == 0) &&
			    strcmp(key, "Owner") == 0) {
				if (sd_bus_message_read(m, "v", "u",
				    &owner) >= 0 && owner == s->uid)
					s->nowner++;
			} else
				sd_bus_message_skip(m, "v");
			sd_bus_message_exit_container(m);
		}
		sd_bus_message_exit_container(m);
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static int
sig_removed_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct sig_seen *s = arg;
	const char *path;
	char **ifaces = NULL;

	if (sd_bus_message_read(m, "o", &path) < 0)
		return 0;
	sig_note(s, m, path);
	/* oas */
	if (sd_bus_message_read_strv(m, &ifaces) >= 0 && ifaces != NULL &&
	    ifaces[0] != NULL && strcmp(ifaces[0], IF_CH) == 0 &&
	    ifaces[1] == NULL)
		s->nremoved++;
	if (ifaces != NULL) {
		for (char **i = ifaces; *i != NULL; i++)
			free(*i);
		free(ifaces);
	}
	return 0;
}

static int
sig_changed_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct sig_seen *s = arg;
	const char *iface;

	/* sa{sv}as */
	if (sd_bus_message_read(m, "s", &iface) < 0 ||
	    sd_bus_message_skip(m, "a{sv}as") < 0 ||
	    !sd_bus_message_at_end(m, true))
		return 0;
	sig_note(s, m, sd_bus_message_get_path(m));
	return 0;
}

static void
sig_subscribe(sd_bus *b, struct sig_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->uid = getuid();
	sd_bus_get_unique_name(b, &s->own);
	sd_bus_match_signal(b, NULL, NULL, ROOT, IF_OM, "InterfacesAdded",
	    sig_added_cb, s);
	sd_bus_match_signal(b, NULL, NULL, ROOT, IF_OM, "InterfacesRemoved",
	    sig_removed_cb, s);
	/* Every PropertiesChanged under the root. */
	sd_bus_add_match(b, NULL, "type='signal',interface='" IF_PROPS "',"
	    "member='PropertiesChanged',path_namespace='" ROOT "'",
	    sig_changed_cb, s);
}

/* Every signal sent before the reply to a call has been dispatched. */
static int
sig_drain(sd_bus *b)
{
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(b, NAME, ROOT, IF_MGR, "Subscribe", NULL,
	    &reply, "");
	sd_bus_message_unref(reply);
	while (r >= 0 && (r = sd_bus_process(b, NULL)) > 0)
		;
	return r;
}

/* In the child, as nobody: the number of failed expectations. */
static int
other_uid_signals(int rfd, int wfd)
{
	sd_bus_message *reply = NULL;
	struct sig_seen s;
	const char *p;
	char own[128], line[8];
	sd_bus *b = NULL;
	int fails = 0, i;

	if (sd_bus_new(&b) < 0 || sd_bus_set_address(b, T.bus_addr) < 0 ||
	    sd_bus_set_bus_client(b, 1) < 0 || sd_bus_start(b) < 0)
		return 100;
	sig_subscribe(b, &s);
	if (sd_bus_call_method(b, NAME, ROOT, IF_MGR, "Subscribe", NULL,
	    &reply, "") < 0)
		return 101;
	reply = sd_bus_message_unref(reply);
	if (write(wfd, "r\n", 2) != 2 ||
	    harness_read_line(rfd, line, sizeof(line), 3 * T_MS) != 0)
		return 102;
	/* Root is done with its channels; now one of its own, which it hears
	 * of. */
	if (sd_bus_call_method(b, NAME, ROOT, IF_MGR, "CreateChannel", NULL,
	    &reply, "uua{uv}", TYPE_DUPLEX_SESSION, BINDING_TCP, 0) < 0 ||
	    sd_bus_message_read(reply, "o", &p) < 0)
		return 103;
	snprintf(own, sizeof(own), "%s", p);
	reply = sd_bus_message_unref(reply);
	if (sd_bus_call_method(b, NAME, own, IF_CH, "Free", NULL, &reply,
	    "") < 0)
		fails++;
	reply = sd_bus_message_unref(reply);
	if (sig_drain(b) < 0)
		return 104;
	for (i = 0; i < s.n; i++) {
		if (strcmp(s.paths[i], own) != 0) {
			fprintf(stderr, "uid %u heard of %s\n",
			    (unsigned)getuid(), s.paths[i]);
			fails++;
		}
	}
	if (s.nadded != 1 || s.nremoved != 1 || s.nowner != 1) {
		fprintf(stderr, "uid %u: added %d removed %d owner %d of its "
		    "own channel\n", (unsigned)getuid(), s.nadded,
		    s.nremoved, s.nowner);
		fails++;
	}
	if (s.undirected != 0)
		fails++;
	sd_bus_flush_close_unref(b);
	return fails;
}

START_TEST(test_other_uid_no_signals)
{
	static const uint32_t ls_open[] = { 1, LS_OPEN };
	struct changes lc;
	struct sig_seen s;
	sd_bus *b;
	char *ls, *ch2, line[8], url[96];
	int up[2], down[2], st, i, nls = 0, nch2 = 0;
	uint16_t port;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_other_uid_no_signals: skipped (not root)\n");
		return;
	}
	b = bus_open();
	sig_subscribe(b, &s);
	ls = create_listener(b);
	memset(&lc, 0, sizeof(lc));
	lc.path = ls;
	ck_assert_int_ge(sd_bus_match_signal(b, NULL, NULL, ls, IF_PROPS,
	    "PropertiesChanged", changed_cb, &lc), 0);
	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			_exit(110);
		_exit(other_uid_signals(down[0], up[1]));
	}
	close(up[1]);
	close(down[0]);
	/* Nobody is subscribed: root's objects come, move and go. */
	ck_assert_int_eq(harness_read_line(up[0], line, sizeof(line), 3 * T_MS),
	    0);
	ck_assert_int_eq(harness_free_port(&port), 0);
	harness_url(url, sizeof(url), port, "uni");
	ck_assert_uint_eq(reply_u32(call_ok(b, ls, IF_LS, "Open", "s", url)),
	    LS_OPEN);
	ch2 = create_channel(b);
	sd_bus_message_unref(call_ok(b, ch2, IF_CH, "Free", ""));
	expect_states(b, &lc, ls_open, 2);
	ck_assert_int_ge(sig_drain(b), 0);
	/* Root heard all of it, addressed to it, in the standard bodies. */
	for (i = 0; i < s.n; i++) {
		ck_assert_msg(strcmp(s.paths[i], ls) == 0 ||
		    strcmp(s.paths[i], ch2) == 0, "root heard of %s",
		    s.paths[i]);
		nls += strcmp(s.paths[i], ls) == 0;
		nch2 += strcmp(s.paths[i], ch2) == 0;
	}
	ck_assert_int_eq(s.nadded, 2);
	ck_assert_int_eq(s.nremoved, 1);
	ck_assert_int_eq(s.nowner, 2);
	ck_assert_int_eq(s.undirected, 0);
	ck_assert_int_ge(nls, 3);	/* added, OPENING, OPEN */
	ck_assert_int_ge(nch2, 2);	/* added, removed */
	ck_assert_int_eq(write(down[1], "g\n", 2), 2);
	st = harness_wait_pid(pid, 3 * T_MS);
	ck_assert_msg(st == 0, "the other uid's signal checks: %d failed", st);
	close(up[0]);
	close(down[1]);
	sd_bus_message_unref(call_ok(b, ls, IF_LS, "Close", ""));
	free(ls);
	free(ch2);
	sd_bus_flush_close_unref(b);
}
END_TEST

static Suite *
dbus_suite(void)
{
	Suite *s = suite_create("dbus");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_error_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("door");
	tcase_add_unchecked_fixture(tc, bus_start, bus_stop);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_introspection_matches_xml);
	tcase_add_test(tc, test_manager_objects);
	tcase_add_test(tc, test_properties_by_id);
	tcase_add_test(tc, test_channel_io);
	tcase_add_test(tc, test_properties_changed);
	tcase_add_test(tc, test_receive_completed_by_abort);
	tcase_add_test(tc, test_listener_abort_ends_accept);
	tcase_add_test(tc, test_unix_objects_on_the_bus);
	tcase_add_test(tc, test_udp_datagrams_dropped);
	tcase_add_test(tc, test_sender_disconnect_frees);
	tcase_add_test(tc, test_other_uid_denied);
	tcase_add_test(tc, test_other_uid_no_signals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (access(DBUS_DAEMON_PROG, X_OK) != 0 &&
	    !harness_have_program("dbus-daemon")) {
		fprintf(stderr, "check_dbus: no dbus-daemon; skipped\n");
		return 77;
	}
	sr = srunner_create(dbus_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
