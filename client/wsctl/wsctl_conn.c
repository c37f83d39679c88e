/*
 * wsctl's side of the control protocol: a blocking, single-threaded client
 * of the daemon's Unix socket (libwschannel, with its I/O thread, is more
 * than an administrator's one-shot command needs), and the verbs, each one
 * request and one formatted reply.  A connection may instead lead to the
 * D-Bus door (wsctl_bus.c), which takes the same requests and gives the
 * same replies and events.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "hresult.h"
#include "wsctl.h"

/* A daemon that has not answered a one-shot request by then is stuck. */
#define WSCTL_REPLY_TIMEOUT_MS	30000

#define WSCTL_DEFAULT_SOCKET	"/run/wschanneld/control.sock"
#define WSCTL_ADDRESS_PREFIX	"unix:path="
#define WSCTL_DBUS_PREFIX	"dbus:"

struct wsctl_conn {
	struct wsctl_bus *bus;		/* the D-Bus door, or NULL */
	int		 fd;
	uint64_t	 next_id;
	/* Bytes read and not yet returned as a frame. */
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
	bool		 has_mask;
	sigset_t	 mask;
};

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
wsctl_conn_open(const char *path, struct wsctl_conn **out)
{
	struct sockaddr_un sun;
	struct wsctl_conn *conn;
	int fd, error;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);

	conn = calloc(1, sizeof(*conn));
	if (conn == NULL)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = -errno;
		free(conn);
		return error;
	}
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EINTR)
			continue;
		error = -errno;
		close(fd);
		free(conn);
		return error;
	}
	conn->fd = fd;
	*out = conn;
	return 0;
}

int
wsctl_conn_open_bus(const char *bus, struct wsctl_conn **out)
{
	struct wsctl_conn *conn;
	int r;

	if ((conn = calloc(1, sizeof(*conn))) == NULL)
		return -ENOMEM;
	conn->fd = -1;
	if ((r = wsctl_bus_open(bus, &conn->bus)) < 0) {
		free(conn);
		return r;
	}
	*out = conn;
	return 0;
}

void
wsctl_conn_free(struct wsctl_conn *conn)
{
	if (conn == NULL)
		return;
	if (conn->fd >= 0)
		close(conn->fd);
	wsctl_bus_free(conn->bus);
	free(conn->buf);
	free(conn);
}

const char *
wsctl_conn_why(const struct wsctl_conn *conn)
{
	return conn->bus != NULL ? wsctl_bus_why(conn->bus) : NULL;
}

void
wsctl_conn_set_sigmask(struct wsctl_conn *conn, const sigset_t *mask)
{
	conn->has_mask = mask != NULL;
	if (mask != NULL)
		conn->mask = *mask;
	if (conn->bus != NULL)
		wsctl_bus_set_sigmask(conn->bus, mask);
}

int
wsctl_conn_send(struct wsctl_conn *conn, Wschannel__Request *req)
{
	uint8_t *frame;
	size_t size, off;
	ssize_t n;
	int error = 0;

	if (conn->bus != NULL)
		return -EOPNOTSUPP;
	req->id = ++conn->next_id;
	size = wschannel__request__get_packed_size(req);
	if (size > FRAME_MAX_PAYLOAD)
		return -EMSGSIZE;
	frame = malloc(FRAME_HEADER_SIZE + size);
	if (frame == NULL)
		return -ENOMEM;
	frame_header_write(frame, FRAME_REQUEST, (uint32_t)size);
	wschannel__request__pack(req, frame + FRAME_HEADER_SIZE);
	for (off = 0; off < FRAME_HEADER_SIZE + size; off += n) {
		/* MSG_NOSIGNAL: a daemon gone away is EPIPE, not a SIGPIPE. */
		n = send(conn->fd, frame + off, FRAME_HEADER_SIZE + size - off,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			error = -errno;
			break;
		}
	}
	free(frame);
	return error;
}

static int64_t
wsctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for input until `deadline` (ms, < 0: none), then reads some. */
static int
wsctl_conn_fill(struct wsctl_conn *conn, size_t want, int64_t deadline)
{
	struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	uint8_t *buf;
	size_t cap;
	ssize_t n;
	int64_t left;
	int r;

	if (want > conn->cap) {
		cap = want < 4096 ? 4096 : want;
		buf = realloc(conn->buf, cap);
		if (buf == NULL)
			return -ENOMEM;
		conn->buf = buf;
		conn->cap = cap;
	}
	if (deadline >= 0) {
		left = deadline - wsctl_now_ms();
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		tsp = &ts;
	}
	r = ppoll(&pfd, 1, tsp, conn->has_mask ? &conn->mask : NULL);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = read(conn->fd, conn->buf + conn->len, conn->cap - conn->len);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	conn->len += n;
	return 0;
}

int
wsctl_conn_read(struct wsctl_conn *conn, int timeout_ms,
    Wschannel__Reply **reply, Wschannel__Event **event)
{
	struct frame_header hdr;
	int64_t deadline;
	size_t total;
	int r;

	*reply = NULL;
	*event = NULL;
	if (conn->bus != NULL)
		return wsctl_bus_read_event(conn->bus, timeout_ms, event);
	deadline = timeout_ms < 0 ? -1 : wsctl_now_ms() + timeout_ms;
	for (;;) {
		total = FRAME_HEADER_SIZE;
		if (conn->len >= FRAME_HEADER_SIZE) {
			/* Checked before the payload is even awaited. */
			r = frame_header_parse(conn->buf, &hdr, NULL);
			if (r < 0)
				return r;
			if (hdr.kind == FRAME_REQUEST)
				return -EPROTO;
			total += hdr.length;
			if (conn->len >= total)
				break;
		}
		r = wsctl_conn_fill(conn, total, deadline);
		if (r < 0)
			return r;
	}

	if (hdr.kind == FRAME_REPLY)
		*reply = wschannel__reply__unpack(NULL, hdr.length,
		    conn->buf + FRAME_HEADER_SIZE);
	else
		*event = wschannel__event__unpack(NULL, hdr.length,
		    conn->buf + FRAME_HEADER_SIZE);
	memmove(conn->buf, conn->buf + total, conn->len - total);
	conn->len -= total;
	if (*reply == NULL && *event == NULL)
		return -EBADMSG;
	return 0;
}

int
wsctl_conn_call(struct wsctl_conn *conn, Wschannel__Request *req,
    int timeout_ms, void (*on_event)(const Wschannel__Event *, void *),
    void *arg, Wschannel__Reply **reply)
{
	Wschannel__Reply *rep;
	Wschannel__Event *ev;
	int r;

	/* The door answers in one go; its events are read afterwards. */
	if (conn->bus != NULL) {
		req->id = ++conn->next_id;
		r = wsctl_bus_call(conn->bus, req, timeout_ms, reply);
		if (r == 0)
			(*reply)->id = req->id;
		return r;
	}
	r = wsctl_conn_send(conn, req);
	if (r < 0)
		return r;
	for (;;) {
		r = wsctl_conn_read(conn, timeout_ms, &rep, &ev);
		if (r < 0)
			return r;
		if (ev != NULL) {
			if (on_event != NULL)
				on_event(ev, arg);
			wschannel__event__free_unpacked(ev, NULL);
			continue;
		}
		if (rep->id != req->id || (rep->has_interim && rep->interim)) {
			wschannel__reply__free_unpacked(rep, NULL);
			continue;
		}
		*reply = rep;
		return 0;
	}
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
wsctl_fail(const char *what, int error, const struct wsctl_conn *conn)
{
	const char *why = conn != NULL ? wsctl_conn_why(conn) : NULL;

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

static int
wsctl_connect(const struct wsctl_cmd *cmd, struct wsctl_conn **conn)
{
	char *path, *bus;
	int r;

	r = cmd->socket != NULL ? 0 : wsctl_bus_address(cmd->bus, &bus);
	if (r > 0) {
		r = wsctl_conn_open_bus(bus, conn);
		if (r < 0) {
			wsctl_warnx("cannot connect to %s: %s",
			    wsctl_bus_str(bus), strerror(-r));
			free(bus);
			return r == -ENOMEM ? WSCTL_EXIT_FAILURE :
			    WSCTL_EXIT_UNREACHABLE;
		}
		free(bus);
		return WSCTL_EXIT_OK;
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
	r = wsctl_conn_open(path, conn);
	if (r < 0) {
		wsctl_warnx("cannot connect to %s: %s", path, strerror(-r));
		free(path);
		return WSCTL_EXIT_UNREACHABLE;
	}
	free(path);
	return WSCTL_EXIT_OK;
}

/*
 * The daemon refused the whole request: its own words if it gave any,
 * else ours, and the HRESULT's name either way.
 */
static int
wsctl_reply_failed(const char *what, const Wschannel__Reply *reply)
{
	const char *text;
	char buf[16];
	size_t i;

	if (reply->n_errors > 0 && *reply->errors[0] != '\0')
		text = reply->errors[0];
	else if (wsctl_exit_for_hresult(reply->hresult) ==
	    WSCTL_EXIT_NOT_FOUND && strncmp(what, "channel ", 8) == 0)
		/* For a request naming one object: "no such id". */
		text = "no such channel";
	else
		text = hresult_text(reply->hresult);
	wsctl_warnx("%s: %s (%s)", what, text,
	    wsctl_hresult_str(reply->hresult, buf, sizeof(buf)));
	for (i = 1; i < reply->n_errors; i++)
		wsctl_warnx("%s: %s", what, reply->errors[i]);
	return wsctl_exit_for_hresult(reply->hresult);
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

/* Connect, send one request, wait for its reply. */
static int
wsctl_request(const struct wsctl_cmd *cmd, const char *what,
    Wschannel__Request *req, Wschannel__Reply **reply)
{
	struct wsctl_conn *conn = NULL;
	int code, r;

	code = wsctl_connect(cmd, &conn);
	if (code != WSCTL_EXIT_OK)
		return code;
	r = wsctl_conn_call(conn, req, WSCTL_REPLY_TIMEOUT_MS, NULL, NULL,
	    reply);
	if (r < 0)
		code = wsctl_fail(what, r, conn);
	wsctl_conn_free(conn);
	if (r < 0)
		return code;
	if ((int32_t)(*reply)->hresult < 0) {
		code = wsctl_reply_failed(what, *reply);
		wschannel__reply__free_unpacked(*reply, NULL);
		*reply = NULL;
		return code;
	}
	return WSCTL_EXIT_OK;
}

/* A reply that succeeded without the result its request calls for. */
static int
wsctl_bad_reply(const char *what, Wschannel__Reply *reply)
{
	wsctl_warnx("%s: protocol error: unexpected reply", what);
	wschannel__reply__free_unpacked(reply, NULL);
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

int
wsctl_run_list(const struct wsctl_cmd *cmd)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ListChannels list = WSCHANNEL__LIST_CHANNELS__INIT;
	Wschannel__Reply *reply;
	struct wsctl_out out;
	int code;

	req.op_case = WSCHANNEL__REQUEST__OP_LIST_CHANNELS;
	req.list_channels = &list;
	code = wsctl_request(cmd, "list", &req, &reply);
	if (code != WSCTL_EXIT_OK)
		return code;
	if (reply->result_case != WSCHANNEL__REPLY__RESULT_LIST)
		return wsctl_bad_reply("list", reply);
	/* qsort must not see the NULL array of an empty list. */
	if (reply->list->n_channels > 0)
		qsort(reply->list->channels, reply->list->n_channels,
		    sizeof(*reply->list->channels), wsctl_cmp_channel);
	if (reply->list->n_listeners > 0)
		qsort(reply->list->listeners, reply->list->n_listeners,
		    sizeof(*reply->list->listeners), wsctl_cmp_listener);
	wsctl_out_stdout(cmd, &out);
	out.fmt->list(&out, reply->list);
	wschannel__reply__free_unpacked(reply, NULL);
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
	code = wsctl_request(cmd, what, &req, &reply);
	if (code != WSCTL_EXIT_OK)
		return code;
	if (reply->result_case != WSCHANNEL__REPLY__RESULT_CHANNEL)
		return wsctl_bad_reply(what, reply);
	wsctl_out_stdout(cmd, &out);
	out.fmt->show(&out, reply->channel);
	wschannel__reply__free_unpacked(reply, NULL);
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
	code = wsctl_request(cmd, "abort", &req, &reply);
	if (code != WSCTL_EXIT_OK)
		return code;
	if (reply->result_case != WSCHANNEL__REPLY__RESULT_ABORTED)
		return wsctl_bad_reply("abort", reply);
	if (reply->aborted->n_results > 0)
		qsort(reply->aborted->results, reply->aborted->n_results,
		    sizeof(*reply->aborted->results), wsctl_cmp_result);
	wsctl_out_stdout(cmd, &out);
	out.fmt->abort(&out, reply->aborted);
	/* Every channel is tried; the first that failed decides the status. */
	for (i = 0; i < reply->aborted->n_results; i++) {
		r = reply->aborted->results[i];
		code = wsctl_exit_for_hresult(r->hresult);
		if (code != WSCTL_EXIT_OK)
			break;
	}
	wschannel__reply__free_unpacked(reply, NULL);
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

int
wsctl_run_watch(const struct wsctl_cmd *cmd)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__Watch watch = WSCHANNEL__WATCH__INIT;
	Wschannel__Reply *reply;
	Wschannel__Event *ev;
	struct wsctl_conn *conn = NULL;
	struct wsctl_out out;
	struct sigaction sa;
	sigset_t block, wait_mask;
	int code, r;

	/*
	 * SIGINT and SIGTERM are blocked except inside ppoll, so one that
	 * arrives between two reads is not lost: it ends the next wait.  No
	 * SA_RESTART: the wait must return.
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
	wsctl_conn_set_sigmask(conn, &wait_mask);
	wsctl_out_stdout(cmd, &out);
	/* Before the request: events may come before its reply. */
	if (out.fmt->watch_begin != NULL) {
		out.fmt->watch_begin(&out);
		fflush(out.f);
	}

	req.op_case = WSCHANNEL__REQUEST__OP_WATCH;
	req.watch = &watch;
	r = wsctl_conn_call(conn, &req, WSCTL_REPLY_TIMEOUT_MS,
	    wsctl_watch_event, &out, &reply);
	if (r == -EINTR && wsctl_interrupted)
		goto done;
	if (r < 0) {
		code = wsctl_fail("watch", r, conn);
		goto done;
	}
	if ((int32_t)reply->hresult < 0) {
		code = wsctl_reply_failed("watch", reply);
		wschannel__reply__free_unpacked(reply, NULL);
		goto done;
	}
	wschannel__reply__free_unpacked(reply, NULL);

	while (!wsctl_interrupted) {
		r = wsctl_conn_read(conn, -1, &reply, &ev);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			code = wsctl_fail("watch", r, conn);
			break;
		}
		if (reply != NULL) {
			/* Nothing else was asked: a stray reply is ignored. */
			wschannel__reply__free_unpacked(reply, NULL);
			continue;
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
	wsctl_conn_free(conn);
	return wsctl_out_finish(&out, code);
}
