/*
 * wsctl's requests on the D-Bus door: the requests of the control protocol
 * that wsctl sends are answered with the method calls that do the same,
 * and with the Reply and Event messages the socket would have sent, so
 * that wsctl's verbs and formatters are the same whichever door it used.
 *
 *   list_channels   Manager.ListChannels and Manager.ListListeners
 *   show_channel    Properties.GetAll on the channel object (its listener,
 *                   which is not a property, from ListChannels)
 *   abort_channels  Channel.Abort on each id, Manager.AbortProcess,
 *                   Manager.AbortAll
 *   watch           PropertiesChanged on the channel and listener objects,
 *                   InterfacesAdded/Removed on the manager (the daemon's
 *                   unique name leaving the bus is bus.c's loss)
 *
 * The requests run on the I/O thread of bus.c, one at a time and blocking
 * (wsctl sends nothing else meanwhile); the signals of a watch come in
 * through the same thread's sd_bus_process.  The messages handed out are
 * built with malloc in the shape protobuf-c gives them, so
 * wschannel__*__free_unpacked(m, NULL) frees them.
 */
#include <sys/queue.h>

#include <errno.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus.h"
#include "busmap.h"
#include "hresult.h"

/* A daemon that has not answered a one-shot request by then is stuck. */
#define BUS_ADMIN_TIMEOUT_MS	30000

/* ---- the a{sv} dictionaries of channels and listeners ------------------ */

enum bus_key {
	K_ID, K_STATE, K_TYPE, K_BINDING, K_ENCODING, K_REMOTE, K_URL,
	K_OWNER, K_OWNER_PID, K_PENDING, K_PENDING_ACCEPTS, K_BYTES_IN,
	K_BYTES_OUT, K_MESSAGES_IN, K_MESSAGES_OUT, K_LISTENER, K_STATE_CAUSE,
	K_LOCAL, K_GROUP, K_DROPPED,
	K_COUNT
};

/* Name and D-Bus type of each key the interface documents. */
static const struct {
	const char	*name;
	char		 type;
} bus_keys[K_COUNT] = {
	[K_ID] = { "Id", 't' },
	[K_STATE] = { "State", 'u' },
	[K_TYPE] = { "Type", 'u' },
	[K_BINDING] = { "Binding", 'u' },
	[K_ENCODING] = { "Encoding", 'u' },
	[K_REMOTE] = { "RemoteAddress", 's' },
	[K_URL] = { "Url", 's' },
	[K_OWNER] = { "Owner", 'u' },
	[K_OWNER_PID] = { "OwnerPid", 'u' },
	[K_PENDING] = { "PendingOperations", 'u' },
	[K_PENDING_ACCEPTS] = { "PendingAccepts", 'u' },
	[K_BYTES_IN] = { "BytesIn", 't' },
	[K_BYTES_OUT] = { "BytesOut", 't' },
	[K_MESSAGES_IN] = { "MessagesIn", 't' },
	[K_MESSAGES_OUT] = { "MessagesOut", 't' },
	[K_LISTENER] = { "Listener", 'o' },
	[K_STATE_CAUSE] = { "StateCause", 'u' },
	[K_LOCAL] = { "LocalAddress", 's' },
	[K_GROUP] = { "Group", 's' },
	[K_DROPPED] = { "DatagramsDropped", 't' },
};

/* One dictionary read: which keys were there, their values. */
struct bus_dict {
	uint32_t	 present;	/* 1 << enum bus_key */
	uint64_t	 u[K_COUNT];	/* numbers; the id of an 'o' */
	char		*s[K_COUNT];	/* strings, owned */
};

#define HAS(d, k)	(((d)->present & (1u << (k))) != 0)

static void
bus_dict_clear(struct bus_dict *d)
{
	size_t i;

	for (i = 0; i < K_COUNT; i++)
		free(d->s[i]);
	memset(d, 0, sizeof(*d));
}

/* Moves a string out of the dictionary ("" when it was not there). */
static char *
bus_dict_take(struct bus_dict *d, enum bus_key k)
{
	char *s = d->s[k];

	d->s[k] = NULL;
	return s != NULL ? s : strdup("");
}

/*
 * Reads an a{sv} into `d`.  Keys it does not know are skipped (the
 * interface may grow); a known key with another type is -EPROTO.
 */
static int
bus_dict_read(sd_bus_message *m, struct bus_dict *d)
{
	const char *key, *contents, *str;
	union {
		uint64_t	t;
		uint32_t	u;
		const char	*s;
	} v;
	bool listener;
	size_t k;
	int r;

	memset(d, 0, sizeof(*d));
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read_basic(m, 's', &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, NULL, &contents)) < 0)
			return r;
		for (k = 0; k < K_COUNT; k++)
			if (strcmp(bus_keys[k].name, key) == 0)
				break;
		if (k == K_COUNT) {
			if ((r = sd_bus_message_skip(m, "v")) < 0)
				return r;
		} else {
			if (contents == NULL ||
			    contents[0] != bus_keys[k].type ||
			    contents[1] != '\0')
				return -EPROTO;
			if ((r = sd_bus_message_enter_container(m, 'v',
			    contents)) < 0 ||
			    (r = sd_bus_message_read_basic(m, contents[0],
			    &v)) < 0 ||
			    (r = sd_bus_message_exit_container(m)) < 0)
				return r;
			switch (bus_keys[k].type) {
			case 't':
				d->u[k] = v.t;
				break;
			case 'u':
				d->u[k] = v.u;
				break;
			case 'o':
				if (busmap_parse_path(v.s, &listener,
				    &d->u[k]) != 1)
					return -EPROTO;
				break;
			default:
				str = v.s;
				free(d->s[k]);
				if ((d->s[k] = strdup(str)) == NULL)
					return -ENOMEM;
				break;
			}
			d->present |= 1u << k;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* A ChannelInfo as the socket fills it; `id` when the dictionary has none. */
static Wschannel__ChannelInfo *
bus_channel_info(struct bus_dict *d, uint64_t id)
{
	Wschannel__ChannelInfo *ci;

	if ((ci = malloc(sizeof(*ci))) == NULL)
		return NULL;
	wschannel__channel_info__init(ci);
	ci->id = HAS(d, K_ID) ? d->u[K_ID] : id;
	ci->owner_uid = (uint32_t)d->u[K_OWNER];
	ci->owner_pid = (uint32_t)d->u[K_OWNER_PID];
	ci->type = (uint32_t)d->u[K_TYPE];
	ci->binding = (uint32_t)d->u[K_BINDING];
	ci->state = (uint32_t)d->u[K_STATE];
	ci->pending = (uint32_t)d->u[K_PENDING];
	ci->bytes_in = d->u[K_BYTES_IN];
	ci->bytes_out = d->u[K_BYTES_OUT];
	ci->messages_in = d->u[K_MESSAGES_IN];
	ci->messages_out = d->u[K_MESSAGES_OUT];
	ci->has_encoding = HAS(d, K_ENCODING);
	ci->encoding = (uint32_t)d->u[K_ENCODING];
	ci->has_listener = HAS(d, K_LISTENER);
	ci->listener = d->u[K_LISTENER];
	ci->remote_address = bus_dict_take(d, K_REMOTE);
	ci->url = bus_dict_take(d, K_URL);
	/* Present only where a transport reported them, as on the socket. */
	ci->has_datagrams_dropped = HAS(d, K_DROPPED);
	ci->datagrams_dropped = d->u[K_DROPPED];
	if (HAS(d, K_LOCAL))
		ci->local_address = bus_dict_take(d, K_LOCAL);
	if (ci->remote_address == NULL || ci->url == NULL) {
		wschannel__channel_info__free_unpacked(ci, NULL);
		return NULL;
	}
	return ci;
}

static Wschannel__ListenerInfo *
bus_listener_info(struct bus_dict *d, uint64_t id)
{
	Wschannel__ListenerInfo *li;

	if ((li = malloc(sizeof(*li))) == NULL)
		return NULL;
	wschannel__listener_info__init(li);
	li->id = HAS(d, K_ID) ? d->u[K_ID] : id;
	li->owner_uid = (uint32_t)d->u[K_OWNER];
	li->owner_pid = (uint32_t)d->u[K_OWNER_PID];
	li->type = (uint32_t)d->u[K_TYPE];
	li->binding = (uint32_t)d->u[K_BINDING];
	li->state = (uint32_t)d->u[K_STATE];
	li->pending = (uint32_t)d->u[K_PENDING_ACCEPTS];
	li->has_datagrams_dropped = HAS(d, K_DROPPED);
	li->datagrams_dropped = d->u[K_DROPPED];
	if (HAS(d, K_LOCAL))
		li->local_address = bus_dict_take(d, K_LOCAL);
	if (HAS(d, K_GROUP))
		li->group = bus_dict_take(d, K_GROUP);
	if ((li->url = bus_dict_take(d, K_URL)) == NULL) {
		wschannel__listener_info__free_unpacked(li, NULL);
		return NULL;
	}
	return li;
}

/* ---- paths and errors -------------------------------------------------- */

static bool
bus_prefixed(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "0x803D0004: ..." */
static int
bus_message_hresult(const char *message, uint32_t *hr)
{
	unsigned long v;
	char *end;
	size_t i;

	if (message == NULL || strncmp(message, "0x", 2) != 0)
		return -EINVAL;
	for (i = 2; i < 10; i++)
		if (!((message[i] >= '0' && message[i] <= '9') ||
		    (message[i] >= 'A' && message[i] <= 'F') ||
		    (message[i] >= 'a' && message[i] <= 'f')))
			return -EINVAL;
	v = strtoul(message + 2, &end, 16);
	if (end != message + 10)
		return -EINVAL;
	*hr = (uint32_t)v;
	return 0;
}

int
bus_admin_error_hresult(const char *name, const char *message, bool object,
    uint32_t *hr)
{
	if (name == NULL)
		return -EPROTO;
	if (bus_prefixed(name, HRESULT_DBUS_ERROR_PREFIX)) {
		/* A name this wsctl does not know still says its value. */
		if (hresult_from_dbus_error(name, hr) == 0 ||
		    bus_message_hresult(message, hr) == 0)
			return 0;
		*hr = (uint32_t)E_FAIL;
		return 0;
	}
	if (strcmp(name, SD_BUS_ERROR_ACCESS_DENIED) == 0 || strcmp(name,
	    SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED) == 0) {
		*hr = (uint32_t)E_ACCESSDENIED;
		return 0;
	}
	/* No object at that path: the daemon knows no such id. */
	if (object && (strcmp(name, SD_BUS_ERROR_UNKNOWN_OBJECT) == 0 ||
	    strcmp(name, SD_BUS_ERROR_UNKNOWN_INTERFACE) == 0)) {
		*hr = (uint32_t)E_INVALIDARG;
		return 0;
	}
	if (strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
	    strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0 ||
	    bus_prefixed(name, "org.freedesktop.DBus.Error.Spawn."))
		return -EHOSTUNREACH;
	if (strcmp(name, SD_BUS_ERROR_NO_REPLY) == 0 ||
	    strcmp(name, SD_BUS_ERROR_TIMEOUT) == 0 ||
	    strcmp(name, "org.freedesktop.DBus.Error.TimedOut") == 0)
		return -ETIMEDOUT;
	if (strcmp(name, SD_BUS_ERROR_DISCONNECTED) == 0)
		return -ECONNRESET;
	if (strcmp(name, SD_BUS_ERROR_NO_MEMORY) == 0)
		return -ENOMEM;
	return -EPROTO;
}

/* ---- the connection ---------------------------------------------------- */

/* What wsctl watch knows of an object: enough for an Event. */
struct bus_obj {
	uint64_t	 id;
	bool		 listener;
	uint32_t	 state;
	uint32_t	 uid, pid;
	char		*remote;
};

/*
 * Whether this caller may see objects of a uid, as the daemon decides.
 * The daemon addresses its signals only to clients allowed to see the
 * object; checked here too, for a daemon that broadcasts them (older ones
 * did), so that the events are the socket's either way.
 */
enum bus_vis {
	VIS_UNKNOWN,	/* not asked, or the answer was not conclusive */
	VIS_PENDING,	/* asked, no answer yet */
	VIS_YES,
	VIS_NO,
};

struct bus_uid {
	uint32_t		 uid;
	enum bus_vis		 vis;
	struct bus_admin	*admin;
	sd_bus_slot		*probe;		/* the question asked */
	struct bus_uid		*next;
};

/* A state change waiting to be read; its owner_uid decides whether it is. */
struct bus_event {
	Wschannel__Event		*ev;
	TAILQ_ENTRY(bus_event)		 entry;
};

struct bus_admin {
	sd_bus			*bus;		/* bus.c's */
	struct ipc_conn		*conn;
	const char		*daemon;	/* its unique name, bus.c's */
	char			 why[512];	/* the last failure, in words */

	/* watch */
	bool			 watching;
	int			 error;		/* from a signal handler */
	sd_bus_slot		*slots[3];
	/*
	 * Signals sent before the snapshot of each kind (ListChannels,
	 * ListListeners) are already in it: the daemon numbers its signals
	 * and replies from one counter, and the bus keeps its order.
	 */
	bool			 cutoff_on;
	uint64_t		 cutoff[2];	/* [listener] */
	void			*objs;		/* tsearch tree of bus_obj */
	struct bus_uid		*uids;
	TAILQ_HEAD(, bus_event)	 queue;
	uint64_t		 seq;
};

static void
bus_why(struct bus_admin *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
}

static int
bus_obj_cmp(const void *a, const void *b)
{
	const struct bus_obj *x = a, *y = b;

	if (x->listener != y->listener)
		return x->listener ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
bus_obj_free(void *p)
{
	struct bus_obj *o = p;

	free(o->remote);
	free(o);
}

void
bus_admin_free(struct bus_admin *b)
{
	struct bus_event *qe;
	struct bus_uid *u;
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < sizeof(b->slots) / sizeof(b->slots[0]); i++)
		sd_bus_slot_unref(b->slots[i]);
	while ((u = b->uids) != NULL) {
		b->uids = u->next;
		/* A pending probe points at its uid. */
		sd_bus_slot_unref(u->probe);
		free(u);
	}
	while ((qe = TAILQ_FIRST(&b->queue)) != NULL) {
		TAILQ_REMOVE(&b->queue, qe, entry);
		wschannel__event__free_unpacked(qe->ev, NULL);
		free(qe);
	}
	tdestroy(b->objs, bus_obj_free);
	free(b);
}

/*
 * Calls `member` of the daemon (`dest`: its name, or its unique name once
 * known).  1 with *reply; 0 when the daemon (or the bus, on its behalf)
 * refused, with *hr and `why`; -errno when the daemon was not reached.
 * `object`: the path names a channel, so no object there means no id.
 */
static int
bus_call(struct bus_admin *b, const char *dest, const char *path,
    const char *iface, const char *member, int timeout_ms, bool object,
    sd_bus_message **reply, uint32_t *hr, const char *types, ...)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	uint32_t inmsg;
	va_list ap;
	int r;

	*reply = NULL;
	b->why[0] = '\0';
	if ((r = sd_bus_message_new_method_call(b->bus, &m, dest, path, iface,
	    member)) < 0)
		goto out;
	if (types != NULL) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
		if (r < 0)
			goto out;
	}
	r = sd_bus_call(b->bus, m, timeout_ms < 0 ? 0 :
	    (uint64_t)timeout_ms * 1000, &e, reply);
	if (r >= 0) {
		r = 1;
		goto out;
	}
	if (!sd_bus_error_is_set(&e)) {
		bus_why(b, "%s: %s", member, strerror(-r));
		goto out;
	}
	r = bus_admin_error_hresult(e.name, e.message, object, hr);
	if (bus_prefixed(e.name, HRESULT_DBUS_ERROR_PREFIX) &&
	    bus_message_hresult(e.message, &inmsg) == 0 &&
	    strncmp(e.message + 10, ": ", 2) == 0)
		/* The daemon's reason, without the value it starts with. */
		bus_why(b, "%s", e.message + 12);
	else if (r == 0 && object && *hr == (uint32_t)E_INVALIDARG)
		/* No object there: the verbs say "no such channel". */
		b->why[0] = '\0';
	else
		bus_why(b, "%s", e.message != NULL ? e.message : e.name);
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	return r;
}

/* ---- replies ------------------------------------------------------------- */

static Wschannel__Reply *
bus_reply_new(uint32_t hr)
{
	Wschannel__Reply *rep;

	if ((rep = malloc(sizeof(*rep))) == NULL)
		return NULL;
	wschannel__reply__init(rep);
	rep->hresult = hr;
	return rep;
}

/* The whole request refused: the HRESULT and the daemon's reason. */
static int
bus_reply_refused(struct bus_admin *b, uint32_t hr, Wschannel__Reply **out)
{
	Wschannel__Reply *rep;

	if ((rep = bus_reply_new(hr)) == NULL)
		return -ENOMEM;
	if (b->why[0] != '\0') {
		if ((rep->errors = malloc(sizeof(*rep->errors))) == NULL ||
		    (rep->errors[0] = strdup(b->why)) == NULL) {
			wschannel__reply__free_unpacked(rep, NULL);
			return -ENOMEM;
		}
		rep->n_errors = 1;
	}
	b->why[0] = '\0';
	*out = rep;
	return 0;
}

/* Appends to a malloc'd array of pointers, doubling it. */
static int
bus_push(void ***arr, size_t *n, size_t *cap, void *item)
{
	void **a;
	size_t c;

	if (*n == *cap) {
		c = *cap == 0 ? 16 : *cap * 2;
		if ((a = realloc(*arr, c * sizeof(*a))) == NULL)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = item;
	return 0;
}

/* Reads a(oa{sv}) of channels or listeners into the list. */
static int
bus_read_objects(sd_bus_message *reply, bool listeners,
    Wschannel__ChannelList *list)
{
	struct bus_dict d;
	const char *path;
	size_t cap = 0;
	bool is_listener;
	uint64_t id;
	void *info;
	int r;

	if ((r = sd_bus_message_enter_container(reply, 'a', "(oa{sv})")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'r',
	    "oa{sv}")) > 0) {
		if ((r = sd_bus_message_read_basic(reply, 'o', &path)) < 0)
			return r;
		if (busmap_parse_path(path, &is_listener, &id) != 1 ||
		    is_listener != listeners)
			return -EPROTO;
		r = bus_dict_read(reply, &d);
		if (r >= 0) {
			info = listeners ? (void *)bus_listener_info(&d, id) :
			    (void *)bus_channel_info(&d, id);
			r = info == NULL ? -ENOMEM : listeners ?
			    bus_push((void ***)&list->listeners,
			    &list->n_listeners, &cap, info) :
			    bus_push((void ***)&list->channels,
			    &list->n_channels, &cap, info);
			if (r < 0 && info != NULL) {
				if (listeners)
					wschannel__listener_info__free_unpacked(
					    info, NULL);
				else
					wschannel__channel_info__free_unpacked(
					    info, NULL);
			}
		}
		bus_dict_clear(&d);
		if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(reply);
}

/* A bad answer is a protocol error, with the reason kept for the user. */
static int
bus_bad_answer(struct bus_admin *b, const char *member, int r)
{
	if (r == -ENOMEM)
		return r;
	bus_why(b, "%s: unexpected answer: %s", member, strerror(-r));
	return -EPROTO;
}

/* ListChannels + ListListeners. */
static int
bus_list(struct bus_admin *b, const char *dest, int timeout_ms,
    Wschannel__Reply **out, uint64_t cookies[2])
{
	static const char *const member[2] = { "ListChannels",
	    "ListListeners" };
	Wschannel__ChannelList *list = NULL;
	Wschannel__Reply *rep;
	sd_bus_message *reply;
	uint32_t hr = 0;
	int i, r;

	if ((rep = bus_reply_new(0)) == NULL ||
	    (list = malloc(sizeof(*list))) == NULL) {
		free(rep);
		return -ENOMEM;
	}
	wschannel__channel_list__init(list);
	rep->result_case = WSCHANNEL__REPLY__RESULT_LIST;
	rep->list = list;
	for (i = 0; i < 2; i++) {
		r = bus_call(b, dest, BUSMAP_ROOT, BUSMAP_IFACE_MANAGER, member[i],
		    timeout_ms, false, &reply, &hr, NULL);
		if (r == 0) {
			wschannel__reply__free_unpacked(rep, NULL);
			return bus_reply_refused(b, hr, out);
		}
		if (r < 0)
			goto fail;
		if (cookies != NULL &&
		    sd_bus_message_get_cookie(reply, &cookies[i]) < 0)
			cookies[i] = 0;
		r = bus_read_objects(reply, i == 1, list);
		sd_bus_message_unref(reply);
		if (r < 0) {
			r = bus_bad_answer(b, member[i], r);
			goto fail;
		}
	}
	*out = rep;
	return 0;
fail:
	wschannel__reply__free_unpacked(rep, NULL);
	return r;
}

/*
 * The channel object's properties.  The listener a channel was accepted
 * from is no property of it, only a field of ListChannels: taken there.
 */
static int
bus_show(struct bus_admin *b, uint64_t id, int timeout_ms,
    Wschannel__Reply **out)
{
	Wschannel__ChannelInfo *ci = NULL;
	Wschannel__Reply *rep, *all = NULL;
	sd_bus_message *reply;
	struct bus_dict d;
	char path[96];
	uint32_t hr = 0;
	size_t i;
	int r;

	(void)busmap_path(path, sizeof(path), false, id);
	r = bus_call(b, b->daemon, path, BUSMAP_IFACE_PROPERTIES, "GetAll", timeout_ms,
	    true, &reply, &hr, "s", BUSMAP_IFACE_CHANNEL);
	if (r == 0)
		return bus_reply_refused(b, hr, out);
	if (r < 0)
		return r;
	r = bus_dict_read(reply, &d);
	sd_bus_message_unref(reply);
	if (r < 0) {
		bus_dict_clear(&d);
		return bus_bad_answer(b, "GetAll", r);
	}
	ci = bus_channel_info(&d, id);
	bus_dict_clear(&d);
	if (ci == NULL)
		return -ENOMEM;
	if (!ci->has_listener) {
		if ((r = bus_list(b, b->daemon, timeout_ms, &all, NULL)) < 0)
			goto fail;
		for (i = 0; (int32_t)all->hresult >= 0 &&
		    i < all->list->n_channels; i++)
			if (all->list->channels[i]->id == id) {
				ci->has_listener =
				    all->list->channels[i]->has_listener;
				ci->listener = all->list->channels[i]->listener;
			}
		wschannel__reply__free_unpacked(all, NULL);
	}
	if ((rep = bus_reply_new(0)) == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	rep->result_case = WSCHANNEL__REPLY__RESULT_CHANNEL;
	rep->channel = ci;
	*out = rep;
	return 0;
fail:
	wschannel__channel_info__free_unpacked(ci, NULL);
	return r;
}

static Wschannel__AbortResult *
bus_abort_result(uint64_t id, uint32_t hr)
{
	Wschannel__AbortResult *ar;

	if ((ar = malloc(sizeof(*ar))) == NULL)
		return NULL;
	wschannel__abort_result__init(ar);
	ar->id = id;
	ar->hresult = hr;
	return ar;
}

/* Channel.Abort on each id, in the order given; each one's outcome. */
static int
bus_abort_ids(struct bus_admin *b, const Wschannel__AbortChannels *ac,
    int timeout_ms, Wschannel__AbortReport *report, size_t *cap)
{
	Wschannel__AbortResult *ar;
	sd_bus_message *reply;
	uint32_t hr, state, cancelled;
	char path[96];
	size_t i;
	int r;

	for (i = 0; i < ac->n_ids; i++) {
		(void)busmap_path(path, sizeof(path), false, ac->ids[i]);
		hr = 0;
		r = bus_call(b, b->daemon, path, BUSMAP_IFACE_CHANNEL, "Abort",
		    timeout_ms, true, &reply, &hr, NULL);
		if (r < 0)
			return r;
		b->why[0] = '\0';
		if ((ar = bus_abort_result(ac->ids[i], hr)) == NULL) {
			sd_bus_message_unref(reply);
			return -ENOMEM;
		}
		if (r > 0) {
			r = sd_bus_message_read(reply, "uu", &state,
			    &cancelled);
			sd_bus_message_unref(reply);
			if (r < 0) {
				free(ar);
				return bus_bad_answer(b, "Abort", r);
			}
			ar->has_state = ar->has_cancelled = 1;
			ar->state = state;
			ar->cancelled = cancelled;
		}
		if (bus_push((void ***)&report->results, &report->n_results,
		    cap, ar) < 0) {
			free(ar);
			return -ENOMEM;
		}
	}
	return 1;
}

/* AbortProcess / AbortAll: a(ouu) of (channel, state, cancelled). */
static int
bus_abort_some(struct bus_admin *b, const Wschannel__AbortChannels *ac,
    int timeout_ms, Wschannel__AbortReport *report, size_t *cap,
    uint32_t *hr)
{
	const char *member = ac->has_pid ? "AbortProcess" : "AbortAll";
	Wschannel__AbortResult *ar;
	sd_bus_message *reply;
	const char *path;
	uint32_t state, cancelled;
	bool listener;
	uint64_t id;
	int r;

	r = ac->has_pid ?
	    bus_call(b, b->daemon, BUSMAP_ROOT, BUSMAP_IFACE_MANAGER, member, timeout_ms,
	    false, &reply, hr, "u", ac->pid) :
	    bus_call(b, b->daemon, BUSMAP_ROOT, BUSMAP_IFACE_MANAGER, member, timeout_ms,
	    false, &reply, hr, NULL);
	if (r <= 0)
		return r;
	if ((r = sd_bus_message_enter_container(reply, 'a', "(ouu)")) < 0)
		goto bad;
	while ((r = sd_bus_message_read(reply, "(ouu)", &path, &state,
	    &cancelled)) > 0) {
		if (busmap_parse_path(path, &listener, &id) != 1 || listener) {
			r = -EPROTO;
			goto bad;
		}
		if ((ar = bus_abort_result(id, 0)) == NULL) {
			r = -ENOMEM;
			goto bad;
		}
		ar->has_state = ar->has_cancelled = 1;
		ar->state = state;
		ar->cancelled = cancelled;
		if ((r = bus_push((void ***)&report->results,
		    &report->n_results, cap, ar)) < 0) {
			free(ar);
			goto bad;
		}
	}
	if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0)
		goto bad;
	sd_bus_message_unref(reply);
	return 1;
bad:
	sd_bus_message_unref(reply);
	return bus_bad_answer(b, member, r);
}

static int
bus_abort(struct bus_admin *b, const Wschannel__AbortChannels *ac,
    int timeout_ms, Wschannel__Reply **out)
{
	Wschannel__AbortReport *report;
	Wschannel__Reply *rep;
	size_t cap = 0;
	uint32_t hr = 0;
	int r;

	/* The daemon's rule on the socket: exactly one way of naming them. */
	if ((ac->n_ids > 0) + ac->has_pid + (ac->has_all && ac->all) != 1) {
		bus_why(b, "name channels by ids, by pid, or all");
		return bus_reply_refused(b, (uint32_t)E_INVALIDARG, out);
	}
	if ((rep = bus_reply_new(0)) == NULL ||
	    (report = malloc(sizeof(*report))) == NULL) {
		free(rep);
		return -ENOMEM;
	}
	wschannel__abort_report__init(report);
	rep->result_case = WSCHANNEL__REPLY__RESULT_ABORTED;
	rep->aborted = report;
	r = ac->n_ids > 0 ? bus_abort_ids(b, ac, timeout_ms, report, &cap) :
	    bus_abort_some(b, ac, timeout_ms, report, &cap, &hr);
	if (r <= 0) {
		wschannel__reply__free_unpacked(rep, NULL);
		return r < 0 ? r : bus_reply_refused(b, hr, out);
	}
	*out = rep;
	return 0;
}

/* ---- watch --------------------------------------------------------------- */

static void	 bus_flush(struct bus_admin *);

static struct bus_uid *
bus_uid_find(struct bus_admin *b, uint32_t uid)
{
	struct bus_uid *u;

	for (u = b->uids; u != NULL; u = u->next)
		if (u->uid == uid)
			return u;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->uid = uid;
	u->admin = b;
	/* root sees everything; anyone sees their own. */
	if (geteuid() == 0 || uid == (uint32_t)geteuid())
		u->vis = VIS_YES;
	u->next = b->uids;
	b->uids = u;
	return u;
}

static struct bus_obj *
bus_obj_find(struct bus_admin *b, bool listener, uint64_t id)
{
	struct bus_obj key = { .id = id, .listener = listener }, **found;

	found = tfind(&key, &b->objs, bus_obj_cmp);
	return found != NULL ? *found : NULL;
}

/* Adds an object, or refreshes the one with that id. */
static int
bus_obj_set(struct bus_admin *b, bool listener, uint64_t id,
    struct bus_dict *d)
{
	struct bus_obj *o, **slot;

	if ((o = bus_obj_find(b, listener, id)) == NULL) {
		if ((o = calloc(1, sizeof(*o))) == NULL)
			return -ENOMEM;
		o->id = id;
		o->listener = listener;
		if ((slot = tsearch(o, &b->objs, bus_obj_cmp)) == NULL) {
			free(o);
			return -ENOMEM;
		}
	}
	o->state = (uint32_t)d->u[K_STATE];
	o->uid = (uint32_t)d->u[K_OWNER];
	o->pid = (uint32_t)d->u[K_OWNER_PID];
	if (HAS(d, K_REMOTE)) {
		free(o->remote);
		o->remote = bus_dict_take(d, K_REMOTE);
		if (o->remote == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
bus_obj_remove(struct bus_admin *b, bool listener, uint64_t id)
{
	struct bus_obj *o = bus_obj_find(b, listener, id);

	if (o == NULL)
		return;
	tdelete(o, &b->objs, bus_obj_cmp);
	bus_obj_free(o);
}

/*
 * Was this signal sent before the snapshot of objects of its kind?  Then
 * the snapshot has it already.  Serial numbers compare modulo 2^32; once a
 * signal comes after both snapshots, every later one does too.
 */
static bool
bus_stale(struct bus_admin *b, sd_bus_message *m, bool listener)
{
	uint64_t cookie;

	if (!b->cutoff_on || sd_bus_message_get_cookie(m, &cookie) < 0)
		return false;
	if ((int32_t)(uint32_t)(cookie - b->cutoff[listener]) < 0)
		return true;
	if ((int32_t)(uint32_t)(cookie - b->cutoff[!listener]) >= 0)
		b->cutoff_on = false;
	return false;
}

/* The answer to "may I read its Id?", for every object of that uid. */
static int
bus_probe_done(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct bus_uid *u = arg;
	const sd_bus_error *err = sd_bus_message_get_error(m);
	uint32_t hr;

	u->probe = sd_bus_slot_unref(u->probe);
	if (err == NULL)
		u->vis = VIS_YES;
	else if (bus_admin_error_hresult(err->name, err->message, true,
	    &hr) == 0 && hr == (uint32_t)E_ACCESSDENIED)
		u->vis = VIS_NO;
	else
		u->vis = VIS_UNKNOWN;	/* gone already: ask again next time */
	bus_flush(u->admin);
	return 0;
}

/*
 * Learns whether objects of `o`'s owner are visible to us by reading one
 * of its properties, as the daemon checks that on the caller's uid.  Its
 * events wait in the queue for the answer, so the order stays.
 */
static int
bus_probe(struct bus_admin *b, struct bus_obj *o)
{
	struct bus_uid *u;
	char path[96];
	int r;

	if ((u = bus_uid_find(b, o->uid)) == NULL)
		return -ENOMEM;
	if (u->vis != VIS_UNKNOWN)
		return 0;
	(void)busmap_path(path, sizeof(path), o->listener, o->id);
	r = sd_bus_call_method_async(b->bus, &u->probe, b->daemon, path,
	    BUSMAP_IFACE_PROPERTIES, "Get", bus_probe_done, u, "ss",
	    o->listener ? BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL, "Id");
	if (r < 0)
		return r;
	u->vis = VIS_PENDING;
	return 0;
}

static int
bus_queue_event(struct bus_admin *b, struct bus_obj *o, uint32_t new_state,
    bool has_cause, uint32_t cause)
{
	Wschannel__Event *ev;
	struct bus_event *qe;

	if ((ev = malloc(sizeof(*ev))) == NULL)
		return -ENOMEM;
	wschannel__event__init(ev);
	ev->object = o->id;
	ev->is_listener = o->listener;
	ev->old_state = o->state;
	ev->new_state = new_state;
	/* As on the socket: a cause only when it is not S_OK. */
	if (has_cause && cause != 0) {
		ev->has_cause = 1;
		ev->cause = cause;
	}
	ev->has_owner_uid = ev->has_owner_pid = 1;
	ev->owner_uid = o->uid;
	ev->owner_pid = o->pid;
	if ((qe = calloc(1, sizeof(*qe))) == NULL ||
	    (o->remote != NULL && *o->remote != '\0' &&
	    (ev->remote_address = strdup(o->remote)) == NULL)) {
		free(qe);
		wschannel__event__free_unpacked(ev, NULL);
		return -ENOMEM;
	}
	qe->ev = ev;
	TAILQ_INSERT_TAIL(&b->queue, qe, entry);
	return 0;
}

/* A failure inside a handler ends the stream of events. */
static int
bus_handler_failed(struct bus_admin *b, const char *what, int r)
{
	if (b->error == 0) {
		b->error = r == -ENOMEM ? r : -EPROTO;
		if (r != -ENOMEM)
			ipc_conn_set_why(b->conn, "%s: unexpected signal: %s",
			    what, strerror(-r));
		ipc_conn_event(b->conn, NULL, b->error);
	}
	return 0;
}

/*
 * Hands the events at the head of the queue to the reader, in order; the
 * head waits while its owner's visibility is being asked.
 */
static void
bus_flush(struct bus_admin *b)
{
	struct bus_event *qe;
	struct bus_uid *u;

	while (b->error == 0 && (qe = TAILQ_FIRST(&b->queue)) != NULL) {
		if ((u = bus_uid_find(b, qe->ev->owner_uid)) == NULL) {
			bus_handler_failed(b, "watch", -ENOMEM);
			return;
		}
		if (u->vis == VIS_PENDING)
			return;
		TAILQ_REMOVE(&b->queue, qe, entry);
		if (u->vis == VIS_YES) {
			qe->ev->seq = ++b->seq;
			ipc_conn_event(b->conn, qe->ev, 0);
		} else
			wschannel__event__free_unpacked(qe->ev, NULL);
		free(qe);
	}
}

/* PropertiesChanged of a channel or listener: a State is an event. */
static int
bus_on_properties(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct bus_admin *b = arg;
	const char *iface;
	struct bus_dict d;
	struct bus_obj *o;
	bool listener;
	uint64_t id;
	int r;

	if (busmap_parse_path(sd_bus_message_get_path(m), &listener,
	    &id) != 1 || bus_stale(b, m, listener))
		return 0;
	if ((r = sd_bus_message_read_basic(m, 's', &iface)) < 0)
		return bus_handler_failed(b, "PropertiesChanged", r);
	if (strcmp(iface, listener ? BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL) != 0)
		return 0;
	/* Not known: it was never announced to us, so no old state. */
	if ((o = bus_obj_find(b, listener, id)) == NULL)
		return 0;
	if ((r = bus_dict_read(m, &d)) < 0) {
		bus_dict_clear(&d);
		return bus_handler_failed(b, "PropertiesChanged", r);
	}
	/* The address as it is when the state changes, as on the socket. */
	if (!listener && HAS(&d, K_REMOTE)) {
		free(o->remote);
		if ((o->remote = bus_dict_take(&d, K_REMOTE)) == NULL)
			r = -ENOMEM;
	}
	if (r >= 0 && HAS(&d, K_STATE) && d.u[K_STATE] != o->state) {
		r = bus_queue_event(b, o, (uint32_t)d.u[K_STATE],
		    HAS(&d, K_STATE_CAUSE), (uint32_t)d.u[K_STATE_CAUSE]);
		o->state = (uint32_t)d.u[K_STATE];
	}
	bus_dict_clear(&d);
	if (r < 0)
		return bus_handler_failed(b, "PropertiesChanged", r);
	bus_flush(b);
	return 0;
}

/* InterfacesAdded: a new object and its first values. */
static int
bus_on_added(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct bus_admin *b = arg;
	const char *path, *iface;
	struct bus_dict d;
	bool listener;
	uint64_t id;
	int r;

	if ((r = sd_bus_message_read_basic(m, 'o', &path)) < 0)
		return bus_handler_failed(b, "InterfacesAdded", r);
	if (busmap_parse_path(path, &listener, &id) != 1 ||
	    bus_stale(b, m, listener))
		return 0;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}")) < 0)
		return bus_handler_failed(b, "InterfacesAdded", r);
	while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		if ((r = sd_bus_message_read_basic(m, 's', &iface)) < 0)
			break;
		if (strcmp(iface, listener ? BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL) != 0) {
			if ((r = sd_bus_message_skip(m, "a{sv}")) < 0)
				break;
		} else {
			if ((r = bus_dict_read(m, &d)) >= 0 &&
			    (r = bus_obj_set(b, listener, id, &d)) >= 0)
				r = bus_probe(b, bus_obj_find(b, listener, id));
			bus_dict_clear(&d);
			if (r < 0)
				break;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			break;
	}
	if (r < 0)
		return bus_handler_failed(b, "InterfacesAdded", r);
	bus_flush(b);
	return 0;
}

static int
bus_on_removed(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct bus_admin *b = arg;
	const char *path;
	bool listener;
	uint64_t id;
	int r;

	if ((r = sd_bus_message_read_basic(m, 'o', &path)) < 0)
		return bus_handler_failed(b, "InterfacesRemoved", r);
	if (busmap_parse_path(path, &listener, &id) == 1 &&
	    !bus_stale(b, m, listener))
		bus_obj_remove(b, listener, id);
	return 0;
}

/*
 * Subscribes, then takes the snapshot the first events are relative to.
 * Everything is asked of the daemon's unique name (bus.c found it), so
 * that a daemon that restarts meanwhile is noticed as a lost one rather
 * than mixed in.  Manager.Subscribe makes the daemon address its signals
 * to us (any call of ours did already); the matches are in place before
 * the snapshot, so nothing after it is missed, and what came before it is
 * left out by the cutoff (bus_stale).
 */
static int
bus_watch(struct bus_admin *b, int timeout_ms, Wschannel__Reply **out)
{
	Wschannel__Reply *snap = NULL;
	Wschannel__ChannelList *list;
	struct bus_dict d;
	char rule[512];
	size_t i;
	int r;

	if (b->watching) {
		/* Already subscribed: nothing more to do, as on the socket. */
		if ((*out = bus_reply_new(0)) == NULL)
			return -ENOMEM;
		return 0;
	}
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',"
	    "interface='" BUSMAP_IFACE_PROPERTIES "',member='PropertiesChanged',"
	    "path_namespace='" BUSMAP_ROOT "'", b->daemon);
	if ((r = sd_bus_add_match(b->bus, &b->slots[0], rule,
	    bus_on_properties, b)) < 0)
		goto fail;
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',"
	    "interface='" BUSMAP_IFACE_OBJMANAGER "',member='InterfacesAdded',"
	    "path='" BUSMAP_ROOT "'", b->daemon);
	if ((r = sd_bus_add_match(b->bus, &b->slots[1], rule,
	    bus_on_added, b)) < 0)
		goto fail;
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',"
	    "interface='" BUSMAP_IFACE_OBJMANAGER "',member='InterfacesRemoved',"
	    "path='" BUSMAP_ROOT "'", b->daemon);
	if ((r = sd_bus_add_match(b->bus, &b->slots[2], rule,
	    bus_on_removed, b)) < 0)
		goto fail;
	/* An older daemon has no Subscribe: the snapshot's calls make us
	 * known all the same. */
	(void)sd_bus_call_method(b->bus, b->daemon, BUSMAP_ROOT,
	    BUSMAP_IFACE_MANAGER, "Subscribe", NULL, NULL, "");
	if ((r = bus_list(b, b->daemon, timeout_ms, &snap, b->cutoff)) < 0)
		return r;
	if ((int32_t)snap->hresult < 0) {
		*out = snap;
		return 0;
	}
	/* The snapshot: the objects, and uids known to be visible. */
	list = snap->list;
	memset(&d, 0, sizeof(d));
	d.present = 1u << K_REMOTE;
	for (i = 0; i < list->n_channels && r >= 0; i++) {
		d.u[K_STATE] = list->channels[i]->state;
		d.u[K_OWNER] = list->channels[i]->owner_uid;
		d.u[K_OWNER_PID] = list->channels[i]->owner_pid;
		d.s[K_REMOTE] = list->channels[i]->remote_address;
		list->channels[i]->remote_address = NULL;
		if ((r = bus_obj_set(b, false, list->channels[i]->id,
		    &d)) >= 0 && bus_uid_find(b, d.u[K_OWNER]) != NULL)
			bus_uid_find(b, d.u[K_OWNER])->vis = VIS_YES;
	}
	d.present = 0;
	for (i = 0; i < list->n_listeners && r >= 0; i++) {
		d.u[K_STATE] = list->listeners[i]->state;
		d.u[K_OWNER] = list->listeners[i]->owner_uid;
		d.u[K_OWNER_PID] = list->listeners[i]->owner_pid;
		if ((r = bus_obj_set(b, true, list->listeners[i]->id,
		    &d)) >= 0 && bus_uid_find(b, d.u[K_OWNER]) != NULL)
			bus_uid_find(b, d.u[K_OWNER])->vis = VIS_YES;
	}
	bus_dict_clear(&d);
	wschannel__reply__free_unpacked(snap, NULL);
	if (r < 0)
		return r;
	b->cutoff_on = true;
	b->watching = true;
	if ((*out = bus_reply_new(0)) == NULL)
		return -ENOMEM;
	return 0;
fail:
	bus_why(b, "cannot subscribe to the daemon's signals: %s",
	    strerror(-r));
	return r == -ENOMEM ? r : -ECONNRESET;
}

bool
bus_admin_handles(int op)
{
	return op == WSCHANNEL__REQUEST__OP_LIST_CHANNELS ||
	    op == WSCHANNEL__REQUEST__OP_SHOW_CHANNEL ||
	    op == WSCHANNEL__REQUEST__OP_ABORT_CHANNELS ||
	    op == WSCHANNEL__REQUEST__OP_WATCH;
}

int
bus_admin_call(struct bus_admin **bp, sd_bus *bus, const char *dest,
    struct ipc_conn *c, const Wschannel__Request *req,
    Wschannel__Reply **reply)
{
	const int timeout_ms = BUS_ADMIN_TIMEOUT_MS;
	struct bus_admin *b = *bp;
	int r;

	if (b == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			return -ENOMEM;
		TAILQ_INIT(&b->queue);
		b->bus = bus;
		b->conn = c;
		b->daemon = dest;
		*bp = b;
	}
	b->why[0] = '\0';
	switch (req->op_case) {
	case WSCHANNEL__REQUEST__OP_LIST_CHANNELS:
		r = bus_list(b, b->daemon, timeout_ms, reply, NULL);
		break;
	case WSCHANNEL__REQUEST__OP_SHOW_CHANNEL:
		r = bus_show(b, req->show_channel->id, timeout_ms, reply);
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNELS:
		r = bus_abort(b, req->abort_channels, timeout_ms, reply);
		break;
	case WSCHANNEL__REQUEST__OP_WATCH:
		r = bus_watch(b, timeout_ms, reply);
		break;
	default:
		r = -EOPNOTSUPP;
		break;
	}
	if (r < 0 && b->why[0] != '\0')
		ipc_conn_set_why(c, "%s", b->why);
	return r;
}
