/*
 * The D-Bus door as libwschannel's transport (WSCHANNEL_ADDRESS=dbus:...):
 * the same calls as the Unix socket, sent as method calls of
 * org.wschannel.WsChannel1 (systemd/org.wschannel.WsChannel1.xml) to the
 * daemon's unique name, their method returns and errors turned back into
 * Replies.  ipc.c does not know the difference: it queues a call, the I/O
 * thread here sends it and completes it, and everything above (waiters,
 * async callbacks, stale handles) stays as it is.
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
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "hresult.h"
#include "internal.h"

#define BUS_NAME	"org.wschannel.WsChannel1"
#define BUS_ROOT	"/org/wschannel/WsChannel1"
#define BUS_CHANNELS	BUS_ROOT "/channel"
#define BUS_LISTENERS	BUS_ROOT "/listener"
#define BUS_IF_MANAGER	BUS_NAME ".Manager"
#define BUS_IF_CHANNEL	BUS_NAME ".Channel"
#define BUS_IF_LISTENER	BUS_NAME ".Listener"

#define DBUS_NAME	"org.freedesktop.DBus"
#define DBUS_PATH	"/org/freedesktop/DBus"

#define BUS_NOMEM_MS	10	/* retry after the allocator failed us */

struct ipc_bus {
	struct ipc_conn	*conn;
	pthread_mutex_t	 lock;		/* every use of the sd-bus objects */
	sd_bus		*bus;		/* NULL once the I/O thread let go */
	sd_bus_slot	*filter;
	sd_bus_slot	*match;
	char		*unique;	/* wschanneld's unique name */
	char		 shown[128];	/* the bus, for error strings */
	int		 efd;		/* eventfd: calls are queued */
	int		 fd;		/* the bus socket (fork closes it) */
	pid_t		 pid;		/* the process that opened it */
	bool		 accepted;	/* the daemon announces pendings */
	bool		 lost;
	bool		 nomem;		/* retry soon */
	/* The I/O thread's: calls sent and not answered, reserved calls
	 * waiting for memory to be sent. */
	struct ipc_call	*sent;
	struct ipc_call	*retry;
};

/* What the method return of an operation carries. */
enum bus_ret {
	RET_NONE,
	RET_STATE,		/* u state */
	RET_CREATED,		/* o object */
	RET_ABORT,		/* u state, u cancelled */
	RET_PROPERTY,		/* v value */
	RET_MESSAGE,		/* u result, a{sv} message */
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

/* ---- requests into method calls ------------------------------------------ */

static void
bus_path(char *buf, size_t len, bool listener, uint64_t id)
{
	snprintf(buf, len, "%s/%" PRIu64, listener ? BUS_LISTENERS :
	    BUS_CHANNELS, id);
}

/* The id at the end of an object path of ours; 0 if it is none. */
static uint64_t
bus_path_id(const char *path, bool listener)
{
	const char *prefix = listener ? BUS_LISTENERS "/" : BUS_CHANNELS "/";
	size_t n = strlen(prefix);
	uint64_t v = 0;
	const char *p;

	if (path == NULL || strncmp(path, prefix, n) != 0)
		return 0;
	for (p = path + n; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

static int
bus_append_sv(sd_bus_message *m, const char *key, char type, const void *v)
{
	char sig[2] = { type, '\0' };
	int r;

	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', key)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', sig)) < 0 ||
	    (r = sd_bus_message_append_basic(m, type, v)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* An Envelope as the door's a{sv} (the channel decides the versions). */
static int
bus_append_envelope(sd_bus_message *m, const Wschannel__Envelope *e)
{
	const struct {
		const char	*key;
		const char	*val;
	} strs[] = {
		{ "Action", e != NULL ? e->action : NULL },
		{ "To", e != NULL ? e->to : NULL },
		{ "MessageId", e != NULL ? e->message_id : NULL },
		{ "RelatesTo", e != NULL ? e->relates_to : NULL },
		{ "ReplyTo", e != NULL ? e->reply_to : NULL },
		{ "FaultTo", e != NULL ? e->fault_to : NULL },
		{ "FaultReason", e != NULL ? e->fault_reason : NULL },
	};
	size_t i;
	int b, r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0)
		return r;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].val != NULL &&
		    (r = bus_append_sv(m, strs[i].key, 's', strs[i].val)) < 0)
			return r;
	if (e != NULL && e->has_body && e->body.len > 0) {
		if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 's', "Body")) < 0 ||
		    (r = sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
		    (r = sd_bus_message_append_array(m, 'y', e->body.data,
		    e->body.len)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			return r;
	}
	if (e != NULL && e->has_is_fault) {
		b = e->is_fault != 0;
		if ((r = bus_append_sv(m, "IsFault", 'b', &b)) < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

/* One property value: integers as "t", strings as "s" (which the daemon
 * refuses as read-only, like the socket). */
static int
bus_append_value(sd_bus_message *m, const Wschannel__Property *p)
{
	int r;

	if (p->has_u || p->s == NULL) {
		if ((r = sd_bus_message_open_container(m, 'v', "t")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 't', &p->u)) < 0)
			return r;
	} else if ((r = sd_bus_message_open_container(m, 'v', "s")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', p->s)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

static int
bus_append_props(sd_bus_message *m, Wschannel__Property **props, size_t n)
{
	size_t i;
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{uv}")) < 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((r = sd_bus_message_open_container(m, 'e', "uv")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 'u',
		    &props[i]->id)) < 0 ||
		    (r = bus_append_value(m, props[i])) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

static enum bus_ret
bus_op_ret(int op)
{
	switch (op) {
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_CREATE_LISTENER:
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER:
		return RET_CREATED;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNEL:
	case WSCHANNEL__REQUEST__OP_ABORT_LISTENER:
		return RET_ABORT;
	case WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY:
	case WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY:
		return RET_PROPERTY;
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		return RET_MESSAGE;
	case WSCHANNEL__REQUEST__OP_FREE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_FREE_LISTENER:
	case WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY:
	case WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY:
		return RET_NONE;
	default:
		return RET_STATE;
	}
}

/*
 * The method call for a request: which object, which member, which
 * arguments.  An HRESULT for requests it cannot carry.
 */
static HRESULT
bus_build(struct ipc_bus *b, struct ipc_call *call, sd_bus_message **out)
{
	const Wschannel__Request *q = call->req;
	const Wschannel__SendMessage *sm = NULL;
	const Wschannel__SetProperty *sp = NULL;
	const char *member = NULL, *url = NULL, *iface = BUS_IF_CHANNEL;
	sd_bus_message *m = NULL;
	char path[96], chpath[96];
	bool listener = false;
	uint64_t id = 0;
	int r = 0;

	call->op = q->op_case;
	switch (q->op_case) {
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_CREATE_LISTENER:
		listener = q->op_case == WSCHANNEL__REQUEST__OP_CREATE_LISTENER;
		if ((r = sd_bus_message_new_method_call(b->bus, &m, b->unique,
		    BUS_ROOT, BUS_IF_MANAGER, listener ? "CreateListener" :
		    "CreateChannel")) < 0)
			break;
		if (listener)
			r = sd_bus_message_append(m, "uu",
			    q->create_listener->type,
			    q->create_listener->binding);
		else
			r = sd_bus_message_append(m, "uu",
			    q->create_channel->type,
			    q->create_channel->binding);
		if (r >= 0)
			r = listener ? bus_append_props(m,
			    q->create_listener->properties,
			    q->create_listener->n_properties) :
			    bus_append_props(m, q->create_channel->properties,
			    q->create_channel->n_properties);
		goto built;
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER:
		bus_path(path, sizeof(path), true,
		    q->create_channel_for_listener->listener);
		if ((r = sd_bus_message_new_method_call(b->bus, &m, b->unique,
		    path, BUS_IF_LISTENER, "CreateChannel")) >= 0)
			r = bus_append_props(m,
			    q->create_channel_for_listener->properties,
			    q->create_channel_for_listener->n_properties);
		goto built;
	case WSCHANNEL__REQUEST__OP_OPEN_CHANNEL:
		id = q->open_channel->channel;
		url = q->open_channel->url;
		member = "Open";
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL:
		id = q->close_channel->id;
		member = "Close";
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNEL:
		id = q->abort_channel->id;
		member = "Abort";
		break;
	case WSCHANNEL__REQUEST__OP_RESET_CHANNEL:
		id = q->reset_channel->id;
		member = "Reset";
		break;
	case WSCHANNEL__REQUEST__OP_FREE_CHANNEL:
		id = q->free_channel->id;
		member = "Free";
		break;
	case WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY:
		id = q->get_channel_property->id;
		call->op_prop = q->get_channel_property->property_id;
		member = "GetProperty";
		break;
	case WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY:
		id = q->set_channel_property->id;
		sp = q->set_channel_property;
		member = "SetProperty";
		break;
	case WSCHANNEL__REQUEST__OP_SEND_MESSAGE:
		sm = q->send_message;
		member = "Send";
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
		sm = q->write_message_end;
		member = "WriteMessageEnd";
		break;
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		sm = q->request_reply;
		member = "RequestReply";
		break;
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
		id = q->receive_message->id;
		member = "Receive";
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
		id = q->read_message_start->id;
		member = "ReadMessageStart";
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_END:
		id = q->read_message_end->id;
		member = "ReadMessageEnd";
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START:
		id = q->write_message_start->id;
		member = "WriteMessageStart";
		break;
	case WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE:
		id = q->abandon_message->id;
		member = "AbandonMessage";
		break;
	case WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION:
		id = q->shutdown_session->id;
		member = "Shutdown";
		break;
	case WSCHANNEL__REQUEST__OP_OPEN_LISTENER:
		listener = true;
		id = q->open_listener->listener;
		url = q->open_listener->url;
		member = "Open";
		break;
	case WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL:
		listener = true;
		id = q->accept_channel->listener;
		bus_path(chpath, sizeof(chpath), false,
		    q->accept_channel->channel);
		member = "Accept";
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_LISTENER:
		listener = true;
		id = q->close_listener->id;
		member = "Close";
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_LISTENER:
		listener = true;
		id = q->abort_listener->id;
		member = "Abort";
		break;
	case WSCHANNEL__REQUEST__OP_RESET_LISTENER:
		listener = true;
		id = q->reset_listener->id;
		member = "Reset";
		break;
	case WSCHANNEL__REQUEST__OP_FREE_LISTENER:
		listener = true;
		id = q->free_listener->id;
		member = "Free";
		break;
	case WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY:
		listener = true;
		id = q->get_listener_property->id;
		call->op_prop = q->get_listener_property->property_id;
		member = "GetProperty";
		break;
	case WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY:
		listener = true;
		id = q->set_listener_property->id;
		sp = q->set_listener_property;
		member = "SetProperty";
		break;
	default:
		/* wsctl's requests: the library never sends them. */
		return E_INVALIDARG;
	}
	if (sm != NULL)
		id = sm->channel;
	if (listener)
		iface = BUS_IF_LISTENER;
	call->op_obj = id;
	bus_path(path, sizeof(path), listener, id);
	if ((r = sd_bus_message_new_method_call(b->bus, &m, b->unique, path,
	    iface, member)) < 0)
		goto built;
	if (url != NULL)
		r = sd_bus_message_append_basic(m, 's', url);
	else if (sm != NULL)
		r = bus_append_envelope(m, sm->message);
	else if (call->op == WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL)
		r = sd_bus_message_append_basic(m, 'o', chpath);
	else if (sp != NULL) {
		if ((r = sd_bus_message_append_basic(m, 'u',
		    &sp->property->id)) >= 0)
			r = bus_append_value(m, sp->property);
	} else if (call->op == WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY ||
	    call->op == WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY)
		r = sd_bus_message_append_basic(m, 'u', &call->op_prop);
built:
	if (r < 0) {
		sd_bus_message_unref(m);
		/* sd-bus checks what it carries: a string that is not UTF-8
		 * is the caller's mistake. */
		return r == -ENOMEM ? E_OUTOFMEMORY : E_INVALIDARG;
	}
	*out = m;
	return S_OK;
}

/* ---- method returns into Replies ----------------------------------------- */

static char *
bus_strdup(const char *s, bool *nomem)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*nomem = true;
	return d;
}

/* The a{sv} of a message; *present tells whether it held anything. */
static int
bus_read_envelope(sd_bus_message *m, Wschannel__Envelope *e, bool *present,
    bool *nomem)
{
	const struct {
		const char	*key;
		size_t		 off;
	} strs[] = {
		{ "Action", offsetof(Wschannel__Envelope, action) },
		{ "To", offsetof(Wschannel__Envelope, to) },
		{ "MessageId", offsetof(Wschannel__Envelope, message_id) },
		{ "RelatesTo", offsetof(Wschannel__Envelope, relates_to) },
		{ "ReplyTo", offsetof(Wschannel__Envelope, reply_to) },
		{ "FaultTo", offsetof(Wschannel__Envelope, fault_to) },
		{ "FaultReason", offsetof(Wschannel__Envelope, fault_reason) },
	};
	const char *key, *contents, *s;
	const void *data;
	char type, **slot;
	size_t i, len;
	uint32_t u;
	int b, r;

	*present = false;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		*present = true;
		if ((r = sd_bus_message_read_basic(m, 's', &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			return r;
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (strcmp(key, strs[i].key) == 0)
				break;
		if (i < sizeof(strs) / sizeof(strs[0]) &&
		    strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				return r;
			slot = (char **)((char *)e + strs[i].off);
			free(*slot);
			*slot = bus_strdup(s, nomem);
		} else if (strcmp(key, "Body") == 0 &&
		    strcmp(contents, "ay") == 0) {
			if ((r = sd_bus_message_enter_container(m, 'v',
			    "ay")) < 0 ||
			    (r = sd_bus_message_read_array(m, 'y', &data,
			    &len)) < 0 ||
			    (r = sd_bus_message_exit_container(m)) < 0)
				return r;
			free(e->body.data);
			e->body.data = NULL;
			e->body.len = 0;
			e->has_body = 0;
			if (len > 0) {
				if ((e->body.data = malloc(len)) == NULL)
					*nomem = true;
				else {
					memcpy(e->body.data, data, len);
					e->body.len = len;
					e->has_body = 1;
				}
			}
		} else if (strcmp(key, "IsFault") == 0 &&
		    strcmp(contents, "b") == 0) {
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				return r;
			e->has_is_fault = b != 0;
			e->is_fault = b != 0;
		} else if ((strcmp(key, "EnvelopeVersion") == 0 ||
		    strcmp(key, "AddressingVersion") == 0) &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(m, "v", "u", &u)) < 0)
				return r;
			if (key[0] == 'E') {
				e->has_envelope_version = 1;
				e->envelope_version = u;
			} else {
				e->has_addressing_version = 1;
				e->addressing_version = u;
			}
		} else if ((r = sd_bus_message_skip(m, "v")) < 0)
			return r;
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* GetProperty's variant. */
static int
bus_read_property(sd_bus_message *m, Wschannel__Property *p, bool *nomem)
{
	const char *contents, *s;
	char type;
	union {
		uint8_t y; int b; uint16_t q; int16_t n; uint32_t u;
		int32_t i; uint64_t t; int64_t x;
	} v;
	int r;

	if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
		return r;
	if (type != 'v' || contents == NULL || strlen(contents) != 1)
		return -EBADMSG;
	if ((r = sd_bus_message_enter_container(m, 'v', contents)) < 0)
		return r;
	p->has_u = 1;
	switch (contents[0]) {
	case 's':
		p->has_u = 0;
		if ((r = sd_bus_message_read_basic(m, 's', &s)) >= 0)
			p->s = bus_strdup(s, nomem);
		break;
	case 'y':
		r = sd_bus_message_read_basic(m, 'y', &v.y);
		p->u = v.y;
		break;
	case 'b':
		r = sd_bus_message_read_basic(m, 'b', &v.b);
		p->u = v.b != 0;
		break;
	case 'q':
		r = sd_bus_message_read_basic(m, 'q', &v.q);
		p->u = v.q;
		break;
	case 'n':
		r = sd_bus_message_read_basic(m, 'n', &v.n);
		p->u = (uint64_t)(int64_t)v.n;
		break;
	case 'u':
		r = sd_bus_message_read_basic(m, 'u', &v.u);
		p->u = v.u;
		break;
	case 'i':
		r = sd_bus_message_read_basic(m, 'i', &v.i);
		p->u = (uint64_t)(int64_t)v.i;
		break;
	case 't':
		r = sd_bus_message_read_basic(m, 't', &v.t);
		p->u = v.t;
		break;
	case 'x':
		r = sd_bus_message_read_basic(m, 'x', &v.x);
		p->u = (uint64_t)v.x;
		break;
	default:
		r = -EBADMSG;
		break;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/*
 * A method return as the Reply the socket would have carried.  Returns the
 * call's HRESULT; *out is NULL when there is no memory for it (then the
 * HRESULT is E_OUTOFMEMORY, as for a Reply the socket could not decode).
 */
static HRESULT
bus_reply_return(struct ipc_call *call, sd_bus_message *m,
    Wschannel__Reply **out, bool *has_state, uint32_t *state)
{
	Wschannel__Reply *rep;
	Wschannel__Envelope *env;
	Wschannel__Property *prop;
	Wschannel__AbortResult *ar;
	const char *path;
	uint32_t u, cancelled;
	bool nomem = false, present;
	HRESULT hr = S_OK;
	int r = 0;

	*out = NULL;
	if ((rep = malloc(sizeof(*rep))) == NULL)
		return E_OUTOFMEMORY;
	wschannel__reply__init(rep);
	rep->id = call->id;
	switch (bus_op_ret(call->op)) {
	case RET_NONE:
		break;
	case RET_STATE:
		if ((r = sd_bus_message_read_basic(m, 'u', &u)) >= 0) {
			*has_state = true;
			*state = u;
		}
		break;
	case RET_CREATED:
		if ((r = sd_bus_message_read_basic(m, 'o', &path)) < 0)
			break;
		rep->created = bus_path_id(path, call->op ==
		    WSCHANNEL__REQUEST__OP_CREATE_LISTENER);
		if (rep->created == 0) {
			r = -EBADMSG;
			break;
		}
		rep->result_case = WSCHANNEL__REPLY__RESULT_CREATED;
		*has_state = true;
		*state = 0;	/* CREATED, channels and listeners alike */
		break;
	case RET_ABORT:
		if ((r = sd_bus_message_read(m, "uu", &u, &cancelled)) < 0)
			break;
		*has_state = true;
		*state = u;
		if ((ar = malloc(sizeof(*ar))) == NULL) {
			nomem = true;
			break;
		}
		wschannel__abort_result__init(ar);
		ar->id = call->op_obj;
		ar->has_state = 1;
		ar->state = u;
		ar->has_cancelled = 1;
		ar->cancelled = cancelled;
		rep->abort = ar;
		rep->result_case = WSCHANNEL__REPLY__RESULT_ABORT;
		break;
	case RET_PROPERTY:
		if ((prop = malloc(sizeof(*prop))) == NULL) {
			nomem = true;
			break;
		}
		wschannel__property__init(prop);
		prop->id = call->op_prop;
		rep->property = prop;
		rep->result_case = WSCHANNEL__REPLY__RESULT_PROPERTY;
		r = bus_read_property(m, prop, &nomem);
		break;
	case RET_MESSAGE:
		if ((r = sd_bus_message_read_basic(m, 'u', &u)) < 0)
			break;
		hr = (HRESULT)u;
		if ((env = malloc(sizeof(*env))) == NULL) {
			nomem = true;
			break;
		}
		wschannel__envelope__init(env);
		rep->message = env;
		rep->result_case = WSCHANNEL__REPLY__RESULT_MESSAGE;
		r = bus_read_envelope(m, env, &present, &nomem);
		/* Only a received message is one (S_OK); WS_S_END brings an
		 * empty dictionary. */
		if (r >= 0 && (hr != S_OK || !present)) {
			wschannel__envelope__free_unpacked(env, NULL);
			rep->message = NULL;
			rep->result_case = WSCHANNEL__REPLY__RESULT__NOT_SET;
		}
		break;
	}
	if (r < 0 || nomem) {
		wschannel__reply__free_unpacked(rep, NULL);
		/* A state that was read survives, as with the socket's
		 * emergency decoding. */
		return nomem || r == -ENOMEM ? E_OUTOFMEMORY : WS_E_OTHER;
	}
	if (*has_state) {
		rep->has_state = 1;
		rep->state = *state;
	}
	rep->hresult = (uint32_t)hr;
	*out = rep;
	return hr;
}

/* An error as a Reply with its reason; NULL when there is none to keep. */
static Wschannel__Reply *
bus_reply_error(struct ipc_call *call, HRESULT hr, const char *why)
{
	Wschannel__Reply *rep;

	if (why == NULL || (rep = malloc(sizeof(*rep))) == NULL)
		return NULL;
	wschannel__reply__init(rep);
	rep->id = call->id;
	rep->hresult = (uint32_t)hr;
	if ((rep->errors = malloc(sizeof(*rep->errors))) == NULL ||
	    (rep->errors[0] = strdup(why)) == NULL) {
		free(rep->errors);
		free(rep);
		return NULL;
	}
	rep->n_errors = 1;
	return rep;
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
			rep = bus_reply_error(call, hr, why);
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
		hr = bus_reply_return(call, m, &rep, &has_state, &state);
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
	if (!sd_bus_message_is_signal(m, BUS_IF_CHANNEL, "Accepted") &&
	    !sd_bus_message_is_signal(m, BUS_IF_LISTENER, "Accepted"))
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
	    strcmp(name, b->unique) == 0 && *new == '\0')
		b->lost = true;
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
	bus_path(path, sizeof(path), o->kind == IPC_LISTENER, o->id);
	r = sd_bus_message_new_method_call(b->bus, &m, b->unique, path,
	    o->kind == IPC_LISTENER ? BUS_IF_LISTENER : BUS_IF_CHANNEL,
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
	} else {
		if ((hr = bus_build(b, call, &m)) != S_OK) {
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

void *
ipc_bus_main(void *arg)
{
	struct ipc_conn *c = arg;
	struct ipc_bus *b = ipc_conn_bus(c);
	struct pollfd pfd[2];
	uint64_t n;
	int r, ev, ms;

	pthread_mutex_lock(&b->lock);
	while (!b->lost) {
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

void
ipc_bus_wake(struct ipc_bus *b)
{
	uint64_t one = 1;

	(void)!write(b->efd, &one, sizeof(one));
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
		    "GetNameOwner", e, &reply, "s", BUS_NAME);
		if (r >= 0)
			break;
		if (tries > 0 || !sd_bus_error_has_name(e,
		    SD_BUS_ERROR_NAME_HAS_NO_OWNER))
			return r;
		sd_bus_error_free(e);
		if ((r = sd_bus_call_method(bus, DBUS_NAME, DBUS_PATH,
		    DBUS_NAME, "StartServiceByName", e, NULL, "su", BUS_NAME,
		    0)) < 0)
			return r;
	}
	if ((r = sd_bus_message_read_basic(reply, 's', &name)) >= 0 &&
	    (*unique = strdup(name)) == NULL)
		r = -ENOMEM;
	sd_bus_message_unref(reply);
	return r;
}

HRESULT
ipc_bus_open(struct ipc_conn *c, const char *address, struct ipc_bus **out,
    WS_ERROR *error)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct ipc_bus *b;
	const char *step;
	char rule[256];
	HRESULT hr = WS_E_ENDPOINT_UNREACHABLE;
	int r;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY,
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
	step = "wschanneld (" BUS_NAME ") is not on";
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
	r = sd_bus_call_method(b->bus, b->unique, BUS_ROOT, BUS_IF_MANAGER,
	    "EnableAccepted", &e, NULL, "");
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
	*out = b;
	return S_OK;
fail:
	if (r == -ENOMEM || sd_bus_error_has_name(&e, SD_BUS_ERROR_NO_MEMORY))
		hr = E_OUTOFMEMORY;
	else if (sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED))
		hr = E_ACCESSDENIED;
	ws_error_fail(error, hr, "%s %s: %s", step, b->shown,
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
	return hr;
}

/* ---- reservations and the end -------------------------------------------- */

int
ipc_bus_reserve(struct ipc_bus *b, struct ipc_object *o,
    struct ipc_reserved *res)
{
	int r;

	if (getpid() != b->pid)
		return -ECHILD;
	pthread_mutex_lock(&b->lock);
	r = bus_reserved_msg(b, o, res);
	pthread_mutex_unlock(&b->lock);
	return r;
}

void
ipc_bus_unreserve(struct ipc_bus *b, struct ipc_reserved *res)
{
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

void
ipc_bus_free(struct ipc_bus *b)
{
	if (b == NULL)
		return;
	if (getpid() == b->pid) {
		/* Still there if the I/O thread never ran. */
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

void
ipc_bus_forked(struct ipc_bus *b)
{
	/* The child has no I/O thread; the parent's connection stays the
	 * parent's, and the daemon sees the child nowhere. */
	if (b->fd >= 0)
		close(b->fd);
	if (b->efd >= 0)
		close(b->efd);
	b->fd = b->efd = -1;
	b->lost = true;
}
