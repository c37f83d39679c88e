/*
 * The D-Bus backend (WSCHANNEL_ADDRESS=dbus:..., wsctl --bus): the same
 * calls as the Unix socket, sent as method calls of
 * org.wschannel.WsChannel1 (systemd/org.wschannel.WsChannel1.xml, names
 * from common/busmap.h) to the daemon's unique name, their method returns
 * and errors turned back into Replies (bus_msg.c; wsctl's requests and
 * events in bus_admin.c).  ipc.c does not know the difference: it queues a
 * call, the I/O thread here sends it and completes it, and everything
 * above (waiters, async callbacks, stale handles) stays as it is.
 *
 * sd-bus objects are not thread-safe.  The one connection is driven by the
 * I/O thread: callers queue calls (ipc_conn_take) and write the eventfd;
 * the thread polls the bus and the eventfd, sends with sd_bus_send (no
 * reply slots, so nothing times out: long calls wait as long as the
 * operation), and a filter matches method returns and errors to the calls
 * by the serial they were sent with.  Every other use of the sd-bus objects
 * (building and dropping the reservations of WsAbortChannel) takes the same
 * lock the I/O thread holds while it works, never while it polls.
 *
 * Interim replies: the daemon sends Accepted(serial) to a caller that
 * called Manager.EnableAccepted once its long call is pending, before the
 * method return; that is the Unix socket's interim WS_S_ASYNC reply.
 *
 * The daemon is gone when its unique name leaves the bus
 * (NameOwnerChanged), when the bus goes, or when the bus answers one of our
 * calls in its stead (NoReply, ServiceUnknown): then every call ends with
 * WS_E_ENDPOINT_DISCONNECTED, once, and the handles go stale, as when the
 * Unix socket closes.  Our side of the bus is closed too, so that a daemon
 * that is still there frees what we owned.
 *
 * WsAbortChannel without memory: its method call is built when the object
 * is created and sent again at every abort (the bus daemon allows a serial
 * again once it was answered; concurrent aborts of one object take turns),
 * and its reply is read without building a Reply.  sd-bus itself allocates
 * to read any message, though: with malloc failing the abort leaves, and
 * the daemon acts on it, but the replies (the abort's, and the aborted
 * calls') are read once memory comes back.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus.h"
#include "busmap.h"
#include "hresult.h"

#define DBUS_NAME	"org.freedesktop.DBus"
#define DBUS_PATH	"/org/freedesktop/DBus"

#define BUS_NOMEM_MS	10	/* retry after the allocator failed us */

struct ipc_bus {
	struct ipc_conn	*conn;
	struct bus_admin *admin;	/* wsctl's watch */
	pthread_mutex_t	 lock;		/* every use of the sd-bus objects */
	sd_bus		*bus;		/* NULL once the I/O thread let go */
	sd_bus_slot	*filter;
	sd_bus_slot	*match;
	char		*unique;	/* wschanneld's unique name */
	char		 shown[IPC_TARGET_MAX + 16];	/* the bus, for errors */
	int		 efd;		/* eventfd: calls are queued */
	int		 fd;		/* the bus socket (fork closes it) */
	pid_t		 pid;		/* the process that opened it */
	bool		 accepted;	/* the daemon announces pendings */
	bool		 lost;
	bool		 closing;	/* ipc_close or a timeout (atomic) */
	bool		 nomem;		/* retry soon */
	/* The I/O thread's: calls sent and not answered, reserved calls
	 * waiting for memory to be sent. */
	struct ipc_call	*sent;
	struct ipc_call	*retry;
};

/* ---- lists of the I/O thread --------------------------------------------- */

static void
bus_list_add(struct ipc_call **head, struct ipc_call *call)
{
	call->qprev = NULL;
	call->qnext = *head;
	if (*head != NULL)
		(*head)->qprev = call;
	*head = call;
}

static void
bus_list_del(struct ipc_call **head, struct ipc_call *call)
{
	if (call->qprev != NULL)
		call->qprev->qnext = call->qnext;
	else
		*head = call->qnext;
	if (call->qnext != NULL)
		call->qnext->qprev = call->qprev;
	call->qnext = call->qprev = NULL;
}

static struct ipc_call *
bus_list_find(struct ipc_call *head, uint64_t cookie)
{
	for (; head != NULL; head = head->qnext)
		if (head->cookie == cookie)
			return head;
	return NULL;
}

/* ---- errors -------------------------------------------------------------- */

/* "0x803D0004: reason": the HRESULT and where the reason starts. */
static bool
bus_error_parse(const char *msg, uint32_t *hr, const char **why)
{
	char *end;
	unsigned long v;

	if (msg == NULL || msg[0] != '0' || (msg[1] != 'x' && msg[1] != 'X'))
		return false;
	v = strtoul(msg + 2, &end, 16);
	if (end != msg + 10 || v > UINT32_MAX)
		return false;
	*hr = (uint32_t)v;
	*why = end[0] == ':' && end[1] == ' ' ? end + 2 : end;
	return true;
}

/*
 * The HRESULT of a D-Bus error and the reason to show (NULL: just the
 * HRESULT's text).  *lost: the bus answered for a daemon that is gone.
 */
static HRESULT
bus_error_hr(const sd_bus_error *e, const char **why, bool *lost)
{
	static const struct {
		const char	*name;
		HRESULT		 hr;
	} bus_errors[] = {
		{ SD_BUS_ERROR_UNKNOWN_OBJECT, E_INVALIDARG },
		{ SD_BUS_ERROR_UNKNOWN_INTERFACE, E_INVALIDARG },
		{ SD_BUS_ERROR_UNKNOWN_METHOD, E_INVALIDARG },
		{ SD_BUS_ERROR_INVALID_ARGS, E_INVALIDARG },
		{ SD_BUS_ERROR_INVALID_SIGNATURE, E_INVALIDARG },
		{ SD_BUS_ERROR_ACCESS_DENIED, E_ACCESSDENIED },
		{ SD_BUS_ERROR_AUTH_FAILED, E_ACCESSDENIED },
		{ SD_BUS_ERROR_LIMITS_EXCEEDED, WS_E_QUOTA_EXCEEDED },
		{ SD_BUS_ERROR_NO_MEMORY, E_OUTOFMEMORY },
		{ SD_BUS_ERROR_TIMEOUT, WS_E_OPERATION_TIMED_OUT },
	};
	uint32_t u;
	size_t i;

	*why = NULL;
	*lost = false;
	if (e == NULL || e->name == NULL)
		return WS_E_OTHER;
	if (hresult_from_dbus_error(e->name, &u) == 0 ||
	    strncmp(e->name, HRESULT_DBUS_ERROR_PREFIX,
	    strlen(HRESULT_DBUS_ERROR_PREFIX)) == 0) {
		/* Ours; the message carries the HRESULT too, which is all an
		 * Error.Unknown has to say. */
		if (!bus_error_parse(e->message, &u, why) &&
		    hresult_from_dbus_error(e->name, &u) != 0)
			u = (uint32_t)WS_E_OTHER;
		/* The daemon's reason, unless it is just the HRESULT's text
		 * (the socket sends none then). */
		if (*why != NULL && (**why == '\0' ||
		    strcmp(*why, hresult_text(u)) == 0))
			*why = NULL;
		return (HRESULT)u;
	}
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED)) {
		*lost = true;
		return WS_E_ENDPOINT_DISCONNECTED;
	}
	*why = e->message;
	for (i = 0; i < sizeof(bus_errors) / sizeof(bus_errors[0]); i++)
		if (strcmp(e->name, bus_errors[i].name) == 0)
			return bus_errors[i].hr;
	return WS_E_OTHER;
}

/* The answer to `call`: complete it, or find the daemon gone. */
static void
bus_answer(struct ipc_bus *b, struct ipc_call *call, sd_bus_message *m,
    bool error)
{
	Wschannel__Reply *rep = NULL;
	const char *why;
	uint32_t state = 0, cancelled;
	bool lost, has_state = false;
	HRESULT hr;

	if (error) {
		hr = bus_error_hr(sd_bus_message_get_error(m), &why, &lost);
		if (lost) {
			/* The call stays pending: the loss completes it with
			 * every other. */
			b->lost = true;
			return;
		}
		if (call->reserved == NULL)
			rep = bus_msg_error(call, hr, why);
	} else if (call->reserved != NULL) {
		/* Abort and AbandonMessage, read in place: no memory. */
		hr = S_OK;
		if (strcmp(call->reserved->member, "Abort") == 0) {
			if (sd_bus_message_read(m, "uu", &state,
			    &cancelled) >= 0)
				has_state = true;
		} else if (sd_bus_message_read_basic(m, 'u', &state) >= 0)
			has_state = true;
	} else
		hr = bus_msg_return(call, m, &rep, &has_state, &state);
	ipc_conn_complete(b->conn, call, hr, rep, has_state, state);
}

/* ---- the I/O thread ------------------------------------------------------ */

static int
bus_filter(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct ipc_bus *b = arg;
	struct ipc_call *call;
	const char *sender;
	uint64_t cookie;
	uint32_t serial;
	uint8_t type;

	if (sd_bus_message_get_type(m, &type) < 0)
		return 0;
	if (type == SD_BUS_MESSAGE_METHOD_RETURN ||
	    type == SD_BUS_MESSAGE_METHOD_ERROR) {
		if (sd_bus_message_get_reply_cookie(m, &cookie) < 0 ||
		    (call = bus_list_find(b->sent, cookie)) == NULL)
			return 0;
		bus_list_del(&b->sent, call);
		bus_answer(b, call, m, type == SD_BUS_MESSAGE_METHOD_ERROR);
		return 1;
	}
	if (type != SD_BUS_MESSAGE_SIGNAL)
		return 0;
	if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local",
	    "Disconnected")) {
		b->lost = true;
		return 0;
	}
	if (!sd_bus_message_is_signal(m, BUSMAP_IFACE_CHANNEL, "Accepted") &&
	    !sd_bus_message_is_signal(m, BUSMAP_IFACE_LISTENER, "Accepted"))
		return 0;
	sender = sd_bus_message_get_sender(m);
	if (sender == NULL || strcmp(sender, b->unique) != 0 ||
	    sd_bus_message_read_basic(m, 'u', &serial) < 0)
		return 1;
	if ((call = bus_list_find(b->sent, serial)) != NULL)
		ipc_conn_interim(b->conn, call);
	return 1;
}

/* wschanneld's unique name left the bus: the daemon is gone. */
static int
bus_owner_changed(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct ipc_bus *b = arg;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) >= 0 &&
	    strcmp(name, b->unique) == 0 && *new == '\0') {
		ipc_conn_set_why(b->conn, "the daemon left the bus");
		b->lost = true;
	}
	return 0;
}

/* With the lock held: the reservation's method call, built once. */
static int
bus_reserved_msg(struct ipc_bus *b, const struct ipc_object *o,
    struct ipc_reserved *res)
{
	sd_bus_message *m = NULL;
	char path[96];
	int r;

	if (res->msg != NULL)
		return 0;
	if (b->bus == NULL)
		return -ENOTCONN;
	(void)busmap_path(path, sizeof(path), o->kind == IPC_LISTENER, o->id);
	r = sd_bus_message_new_method_call(b->bus, &m, b->unique, path,
	    o->kind == IPC_LISTENER ? BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL,
	    res->member);
	if (r < 0)
		return r;
	res->msg = m;
	return 0;
}

static bool
bus_disconnected(int r)
{
	return r == -ENOTCONN || r == -ECONNRESET || r == -ECONNREFUSED ||
	    r == -ECONNABORTED || r == -EPIPE || r == -ESHUTDOWN ||
	    r == -ENETDOWN || r == -EBADF;
}

/* What a failure of one of wsctl's requests tells ipc.c. */
static HRESULT
bus_admin_hr(int r)
{
	switch (r) {
	case -ECONNRESET:
		return WS_E_ENDPOINT_DISCONNECTED;
	case -EHOSTUNREACH:
		return WS_E_ENDPOINT_UNREACHABLE;
	case -ETIMEDOUT:
		return WS_E_OPERATION_TIMED_OUT;
	case -ENOMEM:
		return E_OUTOFMEMORY;
	default:
		return WS_E_OTHER;
	}
}

/* One of wsctl's requests, answered before the next call is sent. */
static void
bus_send_admin(struct ipc_bus *b, struct ipc_call *call)
{
	Wschannel__Reply *rep = NULL;
	int r;

	r = bus_admin_call(&b->admin, b->bus, b->unique, b->conn, call->req,
	    &rep);
	if (r < 0) {
		ipc_conn_complete(b->conn, call, bus_admin_hr(r), NULL, false,
		    0);
		return;
	}
	rep->id = call->id;
	ipc_conn_complete(b->conn, call, (HRESULT)rep->hresult, rep, false, 0);
}

/*
 * Sends one call.  Reserved calls that lack memory wait on the retry
 * list; other failures complete the call (or find the bus gone, and then
 * the loss completes it).
 */
static void
bus_send(struct ipc_bus *b, struct ipc_call *call)
{
	sd_bus_message *m = NULL;
	uint64_t cookie = 0;
	HRESULT hr;
	int r;

	if (call->reserved != NULL) {
		if ((r = bus_reserved_msg(b, call->obj, call->reserved)) >= 0)
			r = sd_bus_send(b->bus, call->reserved->msg, &cookie);
		if (r == -ENOMEM || r == -ENOBUFS) {
			bus_list_add(&b->retry, call);
			b->nomem = true;
			return;
		}
	} else if (bus_admin_handles(call->req->op_case)) {
		bus_send_admin(b, call);
		return;
	} else {
		if ((hr = bus_msg_build(b->bus, b->unique, call, &m)) != S_OK) {
			ipc_conn_complete(b->conn, call, hr, NULL, false, 0);
			return;
		}
		r = sd_bus_send(b->bus, m, &cookie);
		sd_bus_message_unref(m);
	}
	if (r < 0) {
		if (bus_disconnected(r) || sd_bus_is_open(b->bus) <= 0)
			b->lost = true;	/* the loss completes it */
		else
			ipc_conn_complete(b->conn, call, r == -ENOMEM ?
			    E_OUTOFMEMORY : r == -ENOBUFS ? WS_E_QUOTA_EXCEEDED :
			    WS_E_OTHER, NULL, false, 0);
		return;
	}
	call->cookie = cookie;
	bus_list_add(&b->sent, call);
	/* A daemon that does not announce pending calls: an async call is
	 * taken to be pending once it left (its precondition failures then
	 * come through the callback). */
	if (!b->accepted)
		ipc_conn_interim(b->conn, call);
}

static void
bus_send_all(struct ipc_bus *b)
{
	struct ipc_call *call, *retry = b->retry;

	b->retry = NULL;
	b->nomem = false;
	while ((call = retry) != NULL && !b->lost) {
		bus_list_del(&retry, call);
		bus_send(b, call);
	}
	/* Still here after a loss: ipc_conn_lose completes them. */
	while (retry != NULL)
		bus_list_del(&retry, retry);
	while (!b->lost && (call = ipc_conn_take(b->conn)) != NULL)
		bus_send(b, call);
}

/* Milliseconds until the bus wants attention, -1 for never. */
static int
bus_poll_timeout(struct ipc_bus *b)
{
	struct timespec ts;
	uint64_t until, now;
	int ms = -1;

	if (sd_bus_get_timeout(b->bus, &until) >= 0 && until != UINT64_MAX) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000 +
		    (uint64_t)ts.tv_nsec / 1000;
		if (until <= now)
			ms = 0;
		else if ((until - now) / 1000 >= INT32_MAX)
			ms = INT32_MAX;
		else
			ms = (int)((until - now + 999) / 1000);
	}
	if (b->nomem && (ms < 0 || ms > BUS_NOMEM_MS))
		ms = BUS_NOMEM_MS;
	return ms;
}

static void *
bus_io_main(void *arg)
{
	struct ipc_conn *c = arg;
	struct ipc_bus *b = c->be;
	struct pollfd pfd[2];
	uint64_t n;
	int r, ev, ms;

	pthread_mutex_lock(&b->lock);
	while (!b->lost) {
		if (__atomic_load_n(&b->closing, __ATOMIC_ACQUIRE)) {
			b->lost = true;
			break;
		}
		bus_send_all(b);
		if (b->lost)
			break;
		r = sd_bus_process(b->bus, NULL);
		if (r == -ENOMEM || r == -ENOBUFS) {
			/* Try again soon: the message waits in the socket. */
			b->nomem = true;
			r = 0;
		} else if (r < 0 || sd_bus_is_open(b->bus) <= 0) {
			b->lost = true;
			break;
		}
		if (b->lost)
			break;
		if (r > 0)
			continue;
		if ((ev = sd_bus_get_events(b->bus)) < 0) {
			b->lost = true;
			break;
		}
		pfd[0].fd = sd_bus_get_fd(b->bus);
		pfd[0].events = (short)ev;
		pfd[0].revents = 0;
		pfd[1].fd = b->efd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		ms = bus_poll_timeout(b);
		pthread_mutex_unlock(&b->lock);
		r = poll(pfd, 2, ms);
		pthread_mutex_lock(&b->lock);
		if (r > 0 && (pfd[1].revents & POLLIN))
			(void)!read(b->efd, &n, sizeof(n));
	}
	/* Nothing sent is answered any more; every call ends now. */
	while (b->sent != NULL)
		bus_list_del(&b->sent, b->sent);
	while (b->retry != NULL)
		bus_list_del(&b->retry, b->retry);
	ipc_conn_lose(c);
	bus_admin_free(b->admin);
	b->admin = NULL;
	/* Closing tells a daemon that is still there to free what we own. */
	sd_bus_slot_unref(b->filter);
	sd_bus_slot_unref(b->match);
	b->filter = b->match = NULL;
	sd_bus_close(b->bus);
	/* The reservations may keep the object alive a while longer. */
	sd_bus_unref(b->bus);
	b->bus = NULL;
	pthread_mutex_unlock(&b->lock);
	ipc_conn_unref(c);
	return NULL;
}

static void
bus_wake(struct ipc_conn *c)
{
	struct ipc_bus *b = c->be;
	uint64_t one = 1;

	(void)!write(b->efd, &one, sizeof(one));
}

static void
bus_shutdown(struct ipc_conn *c)
{
	__atomic_store_n(&((struct ipc_bus *)c->be)->closing, true,
	    __ATOMIC_RELEASE);
	bus_wake(c);
}

/* ---- opening ------------------------------------------------------------- */

static int
bus_connect(const char *address, sd_bus **out)
{
	sd_bus *bus = NULL;
	int r;

	if (strcmp(address, "system") == 0)
		r = sd_bus_open_system(&bus);
	else if (strcmp(address, "session") == 0)
		r = sd_bus_open_user(&bus);
	else {
		if ((r = sd_bus_new(&bus)) < 0)
			return r;
		if ((r = sd_bus_set_address(bus, address)) >= 0 &&
		    (r = sd_bus_set_bus_client(bus, 1)) >= 0)
			r = sd_bus_start(bus);
	}
	/* A library never exits its process, whatever becomes of the bus. */
	if (r >= 0)
		r = sd_bus_set_exit_on_disconnect(bus, 0);
	if (r < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*out = bus;
	return 0;
}

/* wschanneld's unique name, starting it if the bus can (activation). */
static int
bus_find_daemon(sd_bus *bus, char **unique, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const char *name;
	int r, tries;

	for (tries = 0; tries < 2; tries++) {
		r = sd_bus_call_method(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME,
		    "GetNameOwner", e, &reply, "s", BUSMAP_NAME);
		if (r >= 0)
			break;
		if (tries > 0 || !sd_bus_error_has_name(e,
		    SD_BUS_ERROR_NAME_HAS_NO_OWNER))
			return r;
		sd_bus_error_free(e);
		if ((r = sd_bus_call_method(bus, DBUS_NAME, DBUS_PATH,
		    DBUS_NAME, "StartServiceByName", e, NULL, "su", BUSMAP_NAME,
		    0)) < 0)
			return r;
	}
	if ((r = sd_bus_message_read_basic(reply, 's', &name)) >= 0 &&
	    (*unique = strdup(name)) == NULL)
		r = -ENOMEM;
	sd_bus_message_unref(reply);
	return r;
}

static int
bus_open(struct ipc_conn *c, const struct ipc_address *a,
    struct ipc_status *st)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *address = a->target;
	struct ipc_bus *b;
	const char *step;
	char rule[256];
	HRESULT hr = WS_E_ENDPOINT_UNREACHABLE;
	int r;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return ipc_status_set(st, E_OUTOFMEMORY, -ENOMEM,
		    "out of memory connecting to wschanneld");
	b->conn = c;
	b->efd = -1;
	b->fd = -1;
	b->pid = getpid();
	pthread_mutex_init(&b->lock, NULL);
	if (strcmp(address, "system") == 0 || strcmp(address, "session") == 0)
		snprintf(b->shown, sizeof(b->shown), "the D-Bus %s bus",
		    address);
	else
		snprintf(b->shown, sizeof(b->shown), "the bus at %s", address);

	step = "cannot connect to";
	if ((r = bus_connect(address, &b->bus)) < 0)
		goto fail;
	step = "wschanneld (" BUSMAP_NAME ") is not on";
	if ((r = bus_find_daemon(b->bus, &b->unique, &e)) < 0)
		goto fail;
	/* Watch the name before using it: a daemon that leaves in between
	 * fails EnableAccepted below. */
	step = "cannot watch wschanneld on";
	snprintf(rule, sizeof(rule), "type='signal',sender='" DBUS_NAME "',"
	    "path='" DBUS_PATH "',interface='" DBUS_NAME "',"
	    "member='NameOwnerChanged',arg0='%s'", b->unique);
	if ((r = sd_bus_add_match(b->bus, &b->match, rule, bus_owner_changed,
	    b)) < 0 ||
	    (r = sd_bus_add_filter(b->bus, &b->filter, bus_filter, b)) < 0)
		goto fail;
	step = "wschanneld does not answer on";
	r = sd_bus_call_method(b->bus, b->unique, BUSMAP_ROOT,
	    BUSMAP_IFACE_MANAGER, "EnableAccepted", &e, NULL, "");
	if (r >= 0)
		b->accepted = true;
	else if (sd_bus_error_has_name(&e, SD_BUS_ERROR_UNKNOWN_METHOD)) {
		/* An older daemon: async calls count as pending once sent. */
		sd_bus_error_free(&e);
	} else
		goto fail;
	step = "cannot set up the library's thread for";
	if ((b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		r = -errno;
		goto fail;
	}
	b->fd = sd_bus_get_fd(b->bus);
	c->be = b;
	return 0;
fail:
	if (r == -ENOMEM || sd_bus_error_has_name(&e, SD_BUS_ERROR_NO_MEMORY))
		hr = E_OUTOFMEMORY;
	else if (sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED))
		hr = E_ACCESSDENIED;
	if (r >= 0)
		r = -EPROTO;
	ipc_status_set(st, hr, r, "%s %s: %s", step, b->shown,
	    sd_bus_error_is_set(&e) ? e.message : strerror(-r));
	sd_bus_error_free(&e);
	sd_bus_slot_unref(b->filter);
	sd_bus_slot_unref(b->match);
	sd_bus_flush_close_unref(b->bus);
	if (b->efd != -1)
		close(b->efd);
	pthread_mutex_destroy(&b->lock);
	free(b->unique);
	free(b);
	return r;
}

/* ---- reservations and the end -------------------------------------------- */

static int
bus_reserve(struct ipc_conn *c, struct ipc_object *o,
    struct ipc_reserved *res, Wschannel__Request *req)
{
	struct ipc_bus *b = c->be;
	int r;

	if (getpid() != b->pid)
		return -ECHILD;
	pthread_mutex_lock(&b->lock);
	r = bus_reserved_msg(b, o, res);
	pthread_mutex_unlock(&b->lock);
	return r;
}

static void
bus_unreserve(struct ipc_conn *c, struct ipc_reserved *res)
{
	struct ipc_bus *b = c->be;

	if (res->msg == NULL)
		return;
	/* A forked child leaves the parent's sd-bus objects alone. */
	if (getpid() == b->pid) {
		pthread_mutex_lock(&b->lock);
		sd_bus_message_unref(res->msg);
		pthread_mutex_unlock(&b->lock);
	}
	res->msg = NULL;
}

static void
bus_free(struct ipc_conn *c)
{
	struct ipc_bus *b = c->be;

	if (b == NULL)
		return;
	if (getpid() == b->pid) {
		/* Still there if the I/O thread never ran. */
		bus_admin_free(b->admin);
		sd_bus_slot_unref(b->filter);
		sd_bus_slot_unref(b->match);
		sd_bus_flush_close_unref(b->bus);
		if (b->efd != -1)
			close(b->efd);
		pthread_mutex_destroy(&b->lock);
	}
	free(b->unique);
	free(b);
}

static void
bus_forked(struct ipc_conn *c)
{
	struct ipc_bus *b = c->be;

	/* The child has no I/O thread; the parent's connection stays the
	 * parent's, and the daemon sees the child nowhere. */
	if (b->fd >= 0)
		close(b->fd);
	if (b->efd >= 0)
		close(b->efd);
	b->fd = b->efd = -1;
	b->lost = true;
}

const struct ipc_backend ipc_bus_backend = {
	.name = "dbus",
	.open = bus_open,
	.io_main = bus_io_main,
	.wake = bus_wake,
	.reserve = bus_reserve,
	.unreserve = bus_unreserve,
	.shutdown = bus_shutdown,
	.forked = bus_forked,
	.free = bus_free,
};
