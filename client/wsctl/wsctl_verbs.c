/*
 * wsctl's verbs, each one request and one formatted reply (watch: then a
 * stream of events), and where the daemon is.  The requests go through
 * client/ipc, the project's one wire client, to either door: over D-Bus
 * its backend answers them with the replies and events the socket would
 * have sent, so the verbs and the formatters do not know which door they
 * used.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hresult.h"
#include "ipc.h"
#include "wsctl.h"

/* A daemon that has not answered a one-shot request by then is stuck. */
#define WSCTL_REPLY_TIMEOUT_MS	30000

#define WSCTL_DEFAULT_SOCKET	"/run/wschanneld/control.sock"
#define WSCTL_ADDRESS_PREFIX	"unix:path="
#define WSCTL_DBUS_PREFIX	"dbus:"

int
wsctl_socket_path(const char *opt, char **path)
{
	const char *env;
	char *p;

	if (opt != NULL) {
		p = strdup(opt);
		goto out;
	}
	env = getenv("WSCHANNEL_ADDRESS");
	if (env != NULL && *env != '\0') {
		if (strncmp(env, WSCTL_ADDRESS_PREFIX,
		    strlen(WSCTL_ADDRESS_PREFIX)) != 0 ||
		    env[strlen(WSCTL_ADDRESS_PREFIX)] == '\0')
			return -EAFNOSUPPORT;
		p = strdup(env + strlen(WSCTL_ADDRESS_PREFIX));
		goto out;
	}
	env = getenv("XDG_RUNTIME_DIR");
	if (env != NULL && *env != '\0') {
		if (asprintf(&p, "%s/wschanneld/control.sock", env) < 0)
			return -ENOMEM;
		if (access(p, F_OK) == 0)
			goto out;
		free(p);
	}
	p = strdup(WSCTL_DEFAULT_SOCKET);
out:
	if (p == NULL)
		return -ENOMEM;
	*path = p;
	return 0;
}

int
wsctl_bus_address(const char *opt, char **bus)
{
	const char *env;
	char *p;

	if (opt == NULL) {
		env = getenv("WSCHANNEL_ADDRESS");
		if (env == NULL || strncmp(env, WSCTL_DBUS_PREFIX,
		    strlen(WSCTL_DBUS_PREFIX)) != 0)
			return 0;
		opt = env + strlen(WSCTL_DBUS_PREFIX);
		if (wsctl_parse_bus(opt) < 0)
			return -EAFNOSUPPORT;
	}
	if ((p = strdup(opt)) == NULL)
		return -ENOMEM;
	*bus = p;
	return 1;
}

int
wsctl_exit_for_errno(int error)
{
	switch (error) {
	case -EBADMSG:
	case -EPROTO:
	case -EPROTONOSUPPORT:
	case -EMSGSIZE:
	case -ENOMEM:
	case -EAFNOSUPPORT:
		return WSCTL_EXIT_FAILURE;
	default:
		/* Connecting, sending or waiting failed: no daemon. */
		return WSCTL_EXIT_UNREACHABLE;
	}
}

/* ---- the verbs ----------------------------------------------------- */

static void
wsctl_warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("wsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *
wsctl_errno_str(int error)
{
	switch (error) {
	case -ECONNRESET:
		return "connection to the daemon lost";
	case -ETIMEDOUT:
		return "the daemon did not answer";
	case -EBADMSG:
	case -EPROTO:
	case -EPROTONOSUPPORT:
	case -EMSGSIZE:
		return "protocol error";
	default:
		return strerror(-error);
	}
}

/*
 * One line on stderr for a failed request; its exit code.  The bus's own
 * words, when it gave some, say more than an errno.
 */
static int
wsctl_fail(const char *what, int error, struct ipc_conn *conn)
{
	const char *why = conn != NULL ? ipc_conn_why(conn) : NULL;

	wsctl_warnx("%s: %s", what, why != NULL ? why :
	    wsctl_errno_str(error));
	return wsctl_exit_for_errno(error);
}

static const char *
wsctl_bus_str(const char *bus)
{
	if (strcmp(bus, "system") == 0)
		return "the system bus";
	if (strcmp(bus, "session") == 0)
		return "the session bus";
	return bus;
}

/*
 * The one line a newcomer needs when no daemon answers: how to start one,
 * and how to point wsctl at one that runs elsewhere.  Not an error line,
 * so no "wsctl: " (as "Try 'wsctl --help'." after a usage error).
 */
static void
wsctl_hint(enum ipc_door door)
{
	if (door == IPC_DOOR_DBUS)
		fputs("Is wschanneld on that bus? Start it (systemctl start "
		    "wschanneld, or wschanneld -d --bus BUS) or point wsctl at "
		    "it with --socket PATH, --bus BUS, or WSCHANNEL_ADDRESS.\n",
		    stderr);
	else
		fputs("Is wschanneld running? Start it (systemctl start "
		    "wschanneld, or wschanneld -d --socket PATH) or point wsctl "
		    "at it with --socket PATH, --bus BUS, or "
		    "WSCHANNEL_ADDRESS.\n", stderr);
}

/* Nobody answered at `shown`: why, and the hint.  WSCTL_EXIT_UNREACHABLE. */
static int
wsctl_unreachable(enum ipc_door door, const char *shown, int error)
{
	wsctl_warnx("cannot reach wschanneld at %s: %s", shown,
	    strerror(-error));
	wsctl_hint(door);
	return WSCTL_EXIT_UNREACHABLE;
}

/* Opens the connection; an exit code, and lines on stderr if it failed. */
static int
wsctl_open(struct ipc_address *addr, const char *shown,
    struct ipc_conn **conn)
{
	struct ipc_status st = { 0, 0, "" };
	int r;

	r = ipc_open(addr, conn, &st);
	if (r == 0)
		return WSCTL_EXIT_OK;
	if (r == -ENOMEM) {
		wsctl_warnx("cannot connect to %s: %s", shown, strerror(-r));
		return WSCTL_EXIT_FAILURE;
	}
	/* The bus backend says which step failed: no bus, or no daemon. */
	if (addr->door == IPC_DOOR_DBUS && st.why[0] != '\0') {
		wsctl_warnx("%s", st.why);
		wsctl_hint(addr->door);
		return WSCTL_EXIT_UNREACHABLE;
	}
	return wsctl_unreachable(addr->door, shown, r);
}

static int
wsctl_connect(const struct wsctl_cmd *cmd, struct ipc_conn **conn)
{
	struct ipc_address addr;
	char *path, *bus;
	int code, r;

	memset(&addr, 0, sizeof(addr));
	r = cmd->socket != NULL ? 0 : wsctl_bus_address(cmd->bus, &bus);
	if (r > 0) {
		addr.door = IPC_DOOR_DBUS;
		if (strlen(bus) >= sizeof(addr.target)) {
			code = wsctl_unreachable(addr.door, wsctl_bus_str(bus),
			    -ENAMETOOLONG);
			free(bus);
			return code;
		}
		strcpy(addr.target, bus);
		code = wsctl_open(&addr, wsctl_bus_str(bus), conn);
		free(bus);
		return code;
	}
	if (r == 0)
		r = wsctl_socket_path(cmd->socket, &path);
	if (r == -EAFNOSUPPORT) {
		wsctl_warnx("WSCHANNEL_ADDRESS=%s: expected unix:path=PATH or "
		    "dbus:system, dbus:session, dbus:ADDRESS",
		    getenv("WSCHANNEL_ADDRESS"));
		return WSCTL_EXIT_FAILURE;
	}
	if (r < 0)
		return wsctl_fail("socket", r, NULL);
	addr.door = IPC_DOOR_UNIX;
	if (strlen(path) >= sizeof(addr.target)) {
		code = wsctl_unreachable(addr.door, path, -ENAMETOOLONG);
		free(path);
		return code;
	}
	strcpy(addr.target, path);
	code = wsctl_open(&addr, path, conn);
	free(path);
	/* Whatever went wrong with the socket, no daemon is there. */
	return code == WSCTL_EXIT_OK ? code : WSCTL_EXIT_UNREACHABLE;
}

/*
 * One channel the daemon would not act on, in words on stderr: "no such
 * channel 99", "channel 1 belongs to another user", else the HRESULT's
 * sentence and name.  Its exit code.
 */
static int
wsctl_channel_failed(uint64_t id, uint32_t hr)
{
	char buf[16];
	int code = wsctl_exit_for_hresult(hr);

	if (code == WSCTL_EXIT_NOT_FOUND)
		wsctl_warnx("no such channel %" PRIu64, id);
	else if (code == WSCTL_EXIT_DENIED)
		wsctl_warnx("channel %" PRIu64 " belongs to another user", id);
	else
		wsctl_warnx("channel %" PRIu64 ": %s (%s)", id,
		    hresult_text(hr), wsctl_hresult_str(hr, buf, sizeof(buf)));
	return code;
}

/*
 * The daemon refused the whole request.  For one channel (`id` not 0) a
 * missing or foreign channel is said plainly; otherwise the daemon's own
 * words if it gave any, else ours, and the HRESULT's name either way.
 */
static int
wsctl_reply_failed(const char *what, uint64_t id,
    const Wschannel__Reply *reply)
{
	const char *text;
	char buf[16];
	size_t i;
	int code = wsctl_exit_for_hresult(reply->hresult);

	if (id != 0 && (code == WSCTL_EXIT_NOT_FOUND ||
	    code == WSCTL_EXIT_DENIED))
		return wsctl_channel_failed(id, reply->hresult);
	if (reply->n_errors > 0 && *reply->errors[0] != '\0')
		text = reply->errors[0];
	else
		text = hresult_text(reply->hresult);
	wsctl_warnx("%s: %s (%s)", what, text,
	    wsctl_hresult_str(reply->hresult, buf, sizeof(buf)));
	for (i = 1; i < reply->n_errors; i++)
		wsctl_warnx("%s: %s", what, reply->errors[i]);
	return code;
}

static void
wsctl_out_stdout(const struct wsctl_cmd *cmd, struct wsctl_out *out)
{
	wsctl_out_init(out, stdout, cmd->json, isatty(STDOUT_FILENO));
}

/* After the output: a full disk or closed pipe is a failure too. */
static int
wsctl_out_finish(struct wsctl_out *out, int code)
{
	if (out->error != 0) {
		wsctl_warnx("output: %s", strerror(-out->error));
		return WSCTL_EXIT_FAILURE;
	}
	if (fflush(out->f) != 0 || ferror(out->f)) {
		wsctl_warnx("write error");
		return WSCTL_EXIT_FAILURE;
	}
	return code;
}

/*
 * Connect, send one request (about channel `id`, or 0), wait for its
 * reply; `fn` and `arg` see its bytes first (ipc_request_frame), unless
 * NULL.
 */
static int
wsctl_request_frame(const struct wsctl_cmd *cmd, const char *what,
    uint64_t id, Wschannel__Request *req,
    size_t (*fn)(void *, const uint8_t *, size_t), void *arg,
    Wschannel__Reply **reply)
{
	struct ipc_conn *conn = NULL;
	int code, r;

	code = wsctl_connect(cmd, &conn);
	if (code != WSCTL_EXIT_OK)
		return code;
	r = ipc_request_frame(conn, req, WSCTL_REPLY_TIMEOUT_MS, fn, arg,
	    reply);
	if (r < 0)
		code = wsctl_fail(what, r, conn);
	ipc_close(conn);
	if (r < 0)
		return code;
	if ((int32_t)(*reply)->hresult < 0) {
		code = wsctl_reply_failed(what, id, *reply);
		ipc_reply_free(*reply);
		*reply = NULL;
		return code;
	}
	return WSCTL_EXIT_OK;
}

static int
wsctl_request(const struct wsctl_cmd *cmd, const char *what, uint64_t id,
    Wschannel__Request *req, Wschannel__Reply **reply)
{
	return wsctl_request_frame(cmd, what, id, req, NULL, NULL, reply);
}

/* A reply that succeeded without the result its request calls for. */
static int
wsctl_bad_reply(const char *what, Wschannel__Reply *reply)
{
	wsctl_warnx("%s: protocol error: unexpected reply", what);
	ipc_reply_free(reply);
	return WSCTL_EXIT_FAILURE;
}

/*
 * Output is ordered by id whatever order the daemon keeps its objects in,
 * so that it is stable from one run to the next.
 */
static int
wsctl_cmp_channel(const void *a, const void *b)
{
	const Wschannel__ChannelInfo *x = *(Wschannel__ChannelInfo *const *)a;
	const Wschannel__ChannelInfo *y = *(Wschannel__ChannelInfo *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
wsctl_cmp_listener(const void *a, const void *b)
{
	const Wschannel__ListenerInfo *x = *(Wschannel__ListenerInfo *const *)a;
	const Wschannel__ListenerInfo *y = *(Wschannel__ListenerInfo *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
wsctl_cmp_result(const void *a, const void *b)
{
	const Wschannel__AbortResult *x = *(Wschannel__AbortResult *const *)a;
	const Wschannel__AbortResult *y = *(Wschannel__AbortResult *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Whether the `n` pointers of `v` are in order already (an empty list,
 * whose array may be NULL, is). */
static bool
wsctl_sorted(void *const *v, size_t n, int (*cmp)(const void *, const void *))
{
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp(&v[i - 1], &v[i]) > 0)
			return false;
	return true;
}

int
wsctl_run_list(const struct wsctl_cmd *cmd)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ListChannels list = WSCHANNEL__LIST_CHANNELS__INIT;
	Wschannel__Reply *reply;
	struct wsctl_out out;
	struct wsctl_list_raw raw = { &out, false, false };
	int code;

	req.op_case = WSCHANNEL__REQUEST__OP_LIST_CHANNELS;
	req.list_channels = &list;
	/* A listing of every channel is a megabyte: written in large
	 * pieces into a pipe, not 4 KiB ones (nothing was written yet). */
	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
	wsctl_out_stdout(cmd, &out);
	/* Records into a pipe are written as the Reply is read
	 * (wsctl_list.c); a terminal's columns and JSON need it whole. */
	code = wsctl_request_frame(cmd, "list", 0, &req, !out.tty &&
	    out.fmt == &wsctl_format_text ? wsctl_list_frame : NULL, &raw,
	    &reply);
	if (code != WSCTL_EXIT_OK)
		return code;
	if (raw.bad) {
		wsctl_warnx("list: protocol error: a listing entry does not "
		    "decode");
		ipc_reply_free(reply);
		return WSCTL_EXIT_FAILURE;
	}
	if (raw.done) {
		ipc_reply_free(reply);
		return wsctl_out_finish(&out, WSCTL_EXIT_OK);
	}
	if (reply->result_case != WSCHANNEL__REPLY__RESULT_LIST)
		return wsctl_bad_reply("list", reply);
	/* The daemon lists in id order: sorting is then a check. */
	if (!wsctl_sorted((void *const *)reply->list->channels,
	    reply->list->n_channels, wsctl_cmp_channel))
		qsort(reply->list->channels, reply->list->n_channels,
		    sizeof(*reply->list->channels), wsctl_cmp_channel);
	if (!wsctl_sorted((void *const *)reply->list->listeners,
	    reply->list->n_listeners, wsctl_cmp_listener))
		qsort(reply->list->listeners, reply->list->n_listeners,
		    sizeof(*reply->list->listeners), wsctl_cmp_listener);
	out.fmt->list(&out, reply->list);
	ipc_reply_free(reply);
	return wsctl_out_finish(&out, WSCTL_EXIT_OK);
}

int
wsctl_run_show(const struct wsctl_cmd *cmd)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__Reply *reply;
	struct wsctl_out out;
	char what[48];
	int code;

	snprintf(what, sizeof(what), "channel %" PRIu64, cmd->ids[0]);
	ref.id = cmd->ids[0];
	req.op_case = WSCHANNEL__REQUEST__OP_SHOW_CHANNEL;
	req.show_channel = &ref;
	code = wsctl_request(cmd, what, ref.id, &req, &reply);
	if (code != WSCTL_EXIT_OK)
		return code;
	if (reply->result_case != WSCHANNEL__REPLY__RESULT_CHANNEL)
		return wsctl_bad_reply(what, reply);
	wsctl_out_stdout(cmd, &out);
	out.fmt->show(&out, reply->channel);
	ipc_reply_free(reply);
	return wsctl_out_finish(&out, WSCTL_EXIT_OK);
}

int
wsctl_run_abort(const struct wsctl_cmd *cmd)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__AbortChannels ac = WSCHANNEL__ABORT_CHANNELS__INIT;
	const Wschannel__AbortResult *r;
	Wschannel__Reply *reply;
	struct wsctl_out out;
	size_t i;
	int code;

	ac.ids = cmd->ids;
	ac.n_ids = cmd->n_ids;
	ac.has_pid = cmd->has_pid;
	ac.pid = cmd->pid;
	ac.has_all = cmd->all;
	ac.all = cmd->all;
	req.op_case = WSCHANNEL__REQUEST__OP_ABORT_CHANNELS;
	req.abort_channels = &ac;
	code = wsctl_request(cmd, "abort", 0, &req, &reply);
	if (code != WSCTL_EXIT_OK)
		return code;
	if (reply->result_case != WSCHANNEL__REPLY__RESULT_ABORTED)
		return wsctl_bad_reply("abort", reply);
	if (!wsctl_sorted((void *const *)reply->aborted->results,
	    reply->aborted->n_results, wsctl_cmp_result))
		qsort(reply->aborted->results, reply->aborted->n_results,
		    sizeof(*reply->aborted->results), wsctl_cmp_result);
	wsctl_out_stdout(cmd, &out);
	/* Results on stdout first: they are what a script reads. */
	out.fmt->abort(&out, reply->aborted);
	fflush(out.f);
	/* Every channel is tried; each failure is said, the worst decides. */
	for (i = 0; i < reply->aborted->n_results; i++) {
		r = reply->aborted->results[i];
		if ((int32_t)r->hresult < 0)
			code = wsctl_exit_worst(code,
			    wsctl_channel_failed(r->id, r->hresult));
	}
	ipc_reply_free(reply);
	return wsctl_out_finish(&out, code);
}

static volatile sig_atomic_t wsctl_interrupted;

static void
wsctl_on_signal(int sig)
{
	wsctl_interrupted = 1;
}

static void
wsctl_watch_event(const Wschannel__Event *ev, void *arg)
{
	struct wsctl_out *out = arg;

	out->fmt->event(out, ev);
	/* A line is only useful to whoever reads the pipe once it is there. */
	fflush(out->f);
}

/*
 * Waits for the next event, with SIGINT and SIGTERM let in only while
 * waiting.  0 with *ev, -EINTR, or the end of the stream.
 */
static int
wsctl_watch_next(struct ipc_conn *conn, const sigset_t *wait_mask,
    Wschannel__Event **ev)
{
	struct pollfd pfd;
	int r;

	while ((r = ipc_event_next(conn, ev)) == -EAGAIN) {
		pfd.fd = ipc_event_fd(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, wait_mask) < 0)
			return -errno;
	}
	return r;
}

int
wsctl_run_watch(const struct wsctl_cmd *cmd)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__Watch watch = WSCHANNEL__WATCH__INIT;
	Wschannel__Reply *reply;
	Wschannel__Event *ev;
	struct ipc_conn *conn = NULL;
	struct wsctl_out out;
	struct sigaction sa;
	sigset_t block, wait_mask;
	int code, r;

	/*
	 * SIGINT and SIGTERM are blocked except inside ppoll, so one that
	 * arrives between two reads is not lost: it ends the next wait.  No
	 * SA_RESTART: the wait must return.  ipc's threads block every
	 * signal, so they come to this thread.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wsctl_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);

	code = wsctl_connect(cmd, &conn);
	if (code != WSCTL_EXIT_OK)
		return code;
	wsctl_out_stdout(cmd, &out);
	/* Before the request: events may come before its reply. */
	if (out.fmt->watch_begin != NULL) {
		out.fmt->watch_begin(&out);
		fflush(out.f);
	}

	req.op_case = WSCHANNEL__REQUEST__OP_WATCH;
	req.watch = &watch;
	r = ipc_request(conn, &req, WSCTL_REPLY_TIMEOUT_MS, &reply);
	if (r < 0) {
		code = wsctl_fail("watch", r, conn);
		goto done;
	}
	if ((int32_t)reply->hresult < 0) {
		code = wsctl_reply_failed("watch", 0, reply);
		ipc_reply_free(reply);
		goto done;
	}
	ipc_reply_free(reply);

	while (!wsctl_interrupted) {
		r = wsctl_watch_next(conn, &wait_mask, &ev);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			code = wsctl_fail("watch", r, conn);
			break;
		}
		wsctl_watch_event(ev, &out);
		wschannel__event__free_unpacked(ev, NULL);
		if (ferror(out.f)) {
			wsctl_warnx("write error");
			code = WSCTL_EXIT_FAILURE;
			break;
		}
	}
done:
	ipc_close(conn);
	return wsctl_out_finish(&out, code);
}
