/*
 * The D-Bus door's objects: every channel and listener of the daemon,
 * whichever door created it, is an object under /org/wschannel/WsChannel1
 * (paths from common/busmap.h), with properties, announced with
 * InterfacesAdded / InterfacesRemoved and followed by PropertiesChanged.
 * The changes come from the core's one state event (registry_watch);
 * signals are never broadcast: each peer with a session that may see the
 * object gets its own copy (dbus_signal_peers).
 */
#include <sys/types.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include <wschannel/webservices.h>

#include "bus_loop.h"
#include "busmap.h"
#include "channel.h"
#include "dbus_int.h"
#include "hresult.h"
#include "listener.h"
#include "log.h"
#include "registry.h"

#define DBUS_COUNTERS_MS	250	/* counters: at most 4 signals a second */

static void	dbus_counters_arm(void);

/* ---- access ------------------------------------------------------------------- */

/* Property reads: the same rule, except for the daemon's own signals. */
static int
dbus_may_read(sd_bus *bus, uid_t owner, sd_bus_error *e)
{
	struct dbus_peer *peer;
	sd_bus_message *m;
	int r;

	if (db.emitting || (m = sd_bus_get_current_message(bus)) == NULL)
		return 0;
	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	if (!registry_may_access(&peer->client.sess, owner))
		return dbus_error_set(e, E_ACCESSDENIED,
		    "the object belongs to another user");
	return 0;
}

/* ---- objects: lookup and enumeration ---------------------------------------------- */

static int
dbus_find_channel(sd_bus *bus, const char *path, const char *iface,
    void *arg, void **found, sd_bus_error *e)
{
	struct channel *ch;
	bool listener;
	uint64_t id;

	if (!busmap_parse_path(path, &listener, &id) || listener ||
	    (ch = registry_channel(id)) == NULL)
		return 0;
	*found = ch;
	return 1;
}

static int
dbus_find_listener(sd_bus *bus, const char *path, const char *iface,
    void *arg, void **found, sd_bus_error *e)
{
	struct listener *ls;
	bool listener;
	uint64_t id;

	if (!busmap_parse_path(path, &listener, &id) || !listener ||
	    (ls = registry_listener(id)) == NULL)
		return 0;
	*found = ls;
	return 1;
}

/* Children of .../channel or .../listener: the ones the caller may see. */
static int
dbus_enumerate(sd_bus *bus, const char *prefix, void *arg, char ***nodes,
    sd_bus_error *e)
{
	bool listeners = arg != NULL;
	struct dbus_peer *peer = NULL;
	struct channel *ch;
	struct listener *ls;
	sd_bus_message *m;
	char **v, path[128];
	size_t n = 0, i = 0;
	int r;

	if ((m = sd_bus_get_current_message(bus)) != NULL &&
	    (r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	if (listeners)
		for (ls = registry_first_listener(); ls != NULL;
		    ls = registry_next_listener(ls))
			n++;
	else
		for (ch = registry_first_channel(); ch != NULL;
		    ch = registry_next_channel(ch))
			n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	if (listeners) {
		for (ls = registry_first_listener(); ls != NULL && i < n;
		    ls = registry_next_listener(ls)) {
			if (peer != NULL && !registry_may_access(&peer->client.sess,
			    ls->uid))
				continue;
			busmap_path(path, sizeof(path), true, ls->id);
			if ((v[i++] = strdup(path)) == NULL)
				goto nomem;
		}
	} else {
		for (ch = registry_first_channel(); ch != NULL && i < n;
		    ch = registry_next_channel(ch)) {
			if (peer != NULL && !registry_may_access(&peer->client.sess,
			    ch->uid))
				continue;
			busmap_path(path, sizeof(path), false, ch->id);
			if ((v[i++] = strdup(path)) == NULL)
				goto nomem;
		}
	}
	*nodes = v;
	return 0;
nomem:
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

/* ---- channel properties ------------------------------------------------------------ */

int
dbus_channel_prop(sd_bus *bus, const char *path, const char *iface,
    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *e)
{
	struct channel *ch = arg;
	int r;

	if ((r = dbus_may_read(bus, ch->uid, e)) < 0)
		return r;
	if (strcmp(name, "Id") == 0)
		return sd_bus_message_append(reply, "t", ch->id);
	if (strcmp(name, "State") == 0)
		return sd_bus_message_append(reply, "u", ch->state);
	if (strcmp(name, "StateCause") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)ch->state_cause);
	if (strcmp(name, "Type") == 0)
		return sd_bus_message_append(reply, "u", ch->type);
	if (strcmp(name, "Binding") == 0)
		return sd_bus_message_append(reply, "u", ch->binding);
	if (strcmp(name, "Encoding") == 0)
		return sd_bus_message_append(reply, "u",
		    (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENCODING]);
	if (strcmp(name, "RemoteAddress") == 0)
		return sd_bus_message_append(reply, "s", ch->remote);
	if (strcmp(name, "Url") == 0)
		return sd_bus_message_append(reply, "s",
		    ch->url != NULL ? ch->url : "");
	if (strcmp(name, "Owner") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)ch->uid);
	if (strcmp(name, "OwnerPid") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)ch->pid);
	if (strcmp(name, "PendingOperations") == 0)
		return sd_bus_message_append(reply, "u",
		    pending_count(&ch->pendings));
	if (strcmp(name, "BytesIn") == 0)
		return sd_bus_message_append(reply, "t", ch->bytes_in);
	if (strcmp(name, "BytesOut") == 0)
		return sd_bus_message_append(reply, "t", ch->bytes_out);
	if (strcmp(name, "MessagesIn") == 0)
		return sd_bus_message_append(reply, "t", ch->messages_in);
	if (strcmp(name, "MessagesOut") == 0)
		return sd_bus_message_append(reply, "t", ch->messages_out);
	return -ENOENT;
}

int
dbus_listener_prop(sd_bus *bus, const char *path, const char *iface,
    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *e)
{
	struct listener *ls = arg;
	int r;

	if ((r = dbus_may_read(bus, ls->uid, e)) < 0)
		return r;
	if (strcmp(name, "Id") == 0)
		return sd_bus_message_append(reply, "t", ls->id);
	if (strcmp(name, "State") == 0)
		return sd_bus_message_append(reply, "u", ls->state);
	if (strcmp(name, "StateCause") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)ls->state_cause);
	if (strcmp(name, "Type") == 0)
		return sd_bus_message_append(reply, "u", ls->type);
	if (strcmp(name, "Binding") == 0)
		return sd_bus_message_append(reply, "u", ls->binding);
	if (strcmp(name, "Url") == 0)
		return sd_bus_message_append(reply, "s",
		    ls->url != NULL ? ls->url : "");
	if (strcmp(name, "Owner") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)ls->uid);
	if (strcmp(name, "OwnerPid") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)ls->pid);
	return -ENOENT;
}

int
dbus_manager_prop(sd_bus *bus, const char *path, const char *iface,
    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *e)
{
	return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

/* ---- signals ------------------------------------------------------------------------- */

/*
 * Signals tell of an object's path and state, which only its owner and
 * administrators may learn: none is broadcast.  Each goes to every peer
 * with a session (its first call made one; Manager.Subscribe is the cheap
 * call for a pure observer) that may see the object, as a copy addressed
 * to its unique name.  The peers are visited in one order and the copies
 * leave at once, so each peer sees an object's signals in the order they
 * happened.
 */

typedef int (*dbus_fill_fn)(sd_bus_message *, const char *path, void *arg);

/* `member` of `iface` on `from` (the object, or the manager for the
 * ObjectManager's signals) about the object at `path`. */
static void
dbus_signal_peers(uid_t owner, const char *from, const char *path,
    const char *iface, const char *member, dbus_fill_fn fill, void *arg)
{
	struct dbus_peer *peer;
	sd_bus_message *s;
	int r;

	TAILQ_FOREACH(peer, &db.peers, entry) {
		if (peer->gone)
			continue;
		/* The admin group may have changed with a reload. */
		dbus_peer_refresh(peer);
		if (!registry_may_access(&peer->client.sess, owner))
			continue;
		s = NULL;
		if ((r = sd_bus_message_new_signal(db.bus, &s, from, iface,
		    member)) >= 0 &&
		    (r = sd_bus_message_set_destination(s, peer->name)) >= 0) {
			/* Our own getters: no caller to check. */
			db.emitting = true;
			r = fill(s, path, arg);
			db.emitting = false;
		}
		if (r >= 0)
			r = sd_bus_send(db.bus, s, NULL);
		sd_bus_message_unref(s);
		if (r < 0)
			log_debug("%s on %s to %s: %s", member, path, peer->name,
			    strerror(-r));
	}
}

/* The vtable entry of property `name`, NULL when there is none. */
static const sd_bus_vtable *
dbus_vtable_prop(const sd_bus_vtable *vt, const char *name)
{
	for (; vt->type != _SD_BUS_VTABLE_END; vt++)
		if ((vt->type == _SD_BUS_VTABLE_PROPERTY ||
		    vt->type == _SD_BUS_VTABLE_WRITABLE_PROPERTY) &&
		    strcmp(vt->x.property.member, name) == 0)
			return vt;
	return NULL;
}

/* One {sv} entry of a property, its value from the vtable's getter. */
static int
dbus_append_prop(sd_bus_message *s, const char *path, const char *iface,
    const sd_bus_vtable *p, void *obj)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if ((r = sd_bus_message_open_container(s, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(s, 's',
	    p->x.property.member)) < 0 ||
	    (r = sd_bus_message_open_container(s, 'v',
	    p->x.property.signature)) < 0)
		return r;
	r = p->x.property.get(db.bus, path, iface, p->x.property.member, s,
	    obj, &e);
	sd_bus_error_free(&e);
	if (r < 0 || (r = sd_bus_message_close_container(s)) < 0)
		return r;
	return sd_bus_message_close_container(s);
}

/* The object at `path` and the vtable of its interface. */
static int
dbus_signal_object(const char *path, const sd_bus_vtable **vt, void **obj)
{
	bool listener;
	uint64_t id;

	if (!busmap_parse_path(path, &listener, &id))
		return -ENOENT;
	if (listener) {
		*vt = dbus_listener_vtable;
		*obj = registry_listener(id);
	} else {
		*vt = dbus_channel_vtable;
		*obj = registry_channel(id);
	}
	return *obj != NULL ? 0 : -ENOENT;
}

/* org.freedesktop.DBus.Properties.PropertiesChanged (sa{sv}as): the
 * properties named in `arg` (NULL-terminated) with their values, nothing
 * invalidated. */
static int
dbus_fill_changed(sd_bus_message *s, const char *path, void *arg)
{
	const char *const *names = arg;
	const sd_bus_vtable *vt, *p;
	const char *iface;
	void *obj;
	size_t i;
	int r;

	if ((r = dbus_signal_object(path, &vt, &obj)) < 0)
		return r;
	iface = vt == dbus_listener_vtable ? BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL;
	if ((r = sd_bus_message_append_basic(s, 's', iface)) < 0 ||
	    (r = sd_bus_message_open_container(s, 'a', "{sv}")) < 0)
		return r;
	for (i = 0; names[i] != NULL; i++) {
		if ((p = dbus_vtable_prop(vt, names[i])) == NULL)
			return -ENOENT;
		if ((r = dbus_append_prop(s, path, iface, p, obj)) < 0)
			return r;
	}
	if ((r = sd_bus_message_close_container(s)) < 0 ||
	    (r = sd_bus_message_open_container(s, 'a', "s")) < 0)
		return r;
	return sd_bus_message_close_container(s);
}

/* ObjectManager.InterfacesAdded (oa{sa{sv}}): the interface `arg` with
 * every property it has, as GetManagedObjects gives them. */
static int
dbus_fill_added(sd_bus_message *s, const char *path, void *arg)
{
	const char *iface = arg;
	const sd_bus_vtable *vt, *p;
	void *obj;
	int r;

	if ((r = dbus_signal_object(path, &vt, &obj)) < 0)
		return r;
	if ((r = sd_bus_message_append_basic(s, 'o', path)) < 0 ||
	    (r = sd_bus_message_open_container(s, 'a', "{sa{sv}}")) < 0 ||
	    (r = sd_bus_message_open_container(s, 'e', "sa{sv}")) < 0 ||
	    (r = sd_bus_message_append_basic(s, 's', iface)) < 0 ||
	    (r = sd_bus_message_open_container(s, 'a', "{sv}")) < 0)
		return r;
	for (p = vt; p->type != _SD_BUS_VTABLE_END; p++) {
		if ((p->type != _SD_BUS_VTABLE_PROPERTY &&
		    p->type != _SD_BUS_VTABLE_WRITABLE_PROPERTY) ||
		    (p->flags & (SD_BUS_VTABLE_HIDDEN |
		    SD_BUS_VTABLE_PROPERTY_EXPLICIT)) != 0)
			continue;
		if ((r = dbus_append_prop(s, path, iface, p, obj)) < 0)
			return r;
	}
	if ((r = sd_bus_message_close_container(s)) < 0 ||
	    (r = sd_bus_message_close_container(s)) < 0)
		return r;
	return sd_bus_message_close_container(s);
}

/* ObjectManager.InterfacesRemoved (oas): the interface `arg` is gone. */
static int
dbus_fill_removed(sd_bus_message *s, const char *path, void *arg)
{
	int r;

	if ((r = sd_bus_message_append_basic(s, 'o', path)) < 0 ||
	    (r = sd_bus_message_open_container(s, 'a', "s")) < 0 ||
	    (r = sd_bus_message_append_basic(s, 's', arg)) < 0)
		return r;
	return sd_bus_message_close_container(s);
}

static struct dbus_obj *
dbus_obj_find(uint64_t id, bool listener)
{
	struct dbus_obj *o;

	TAILQ_FOREACH(o, &db.objhash[id % DBUS_OBJ_BUCKETS], hash_entry)
		if (o->id == id && o->is_listener == listener)
			return o;
	return NULL;
}

static void
dbus_obj_free(struct dbus_obj *o)
{
	TAILQ_REMOVE(&db.objs, o, entry);
	TAILQ_REMOVE(&db.objhash[o->id % DBUS_OBJ_BUCKETS], o, hash_entry);
	free(o->url);
	free(o);
}

static bool
dbus_channel_active(uint32_t state)
{
	return state == WS_CHANNEL_STATE_OPENING ||
	    state == WS_CHANNEL_STATE_ACCEPTING ||
	    state == WS_CHANNEL_STATE_OPEN || state == WS_CHANNEL_STATE_CLOSING;
}

static bool
dbus_str_changed(char **snap, const char *now)
{
	if (now == NULL)
		now = "";
	if (*snap != NULL && strcmp(*snap, now) == 0)
		return false;
	free(*snap);
	*snap = strdup(now);
	return true;
}

/*
 * Emits PropertiesChanged for what differs from the snapshot (State
 * whenever `state` says it changed).  Returns whether anything did.
 */
static bool
dbus_emit_changes(struct dbus_obj *o, bool state, bool counters, bool emit)
{
	const char *names[16];
	struct channel *ch = NULL;
	struct listener *ls = NULL;
	char path[128];
	size_t n = 0;
	uint32_t u;

	if (o->is_listener) {
		if ((ls = registry_listener(o->id)) == NULL)
			return false;
		if (state || ls->state != o->state) {
			names[n++] = "State";
			names[n++] = "StateCause";
		}
		o->state = ls->state;
		if (dbus_str_changed(&o->url, ls->url))
			names[n++] = "Url";
	} else {
		if ((ch = registry_channel(o->id)) == NULL)
			return false;
		if (state || ch->state != o->state) {
			names[n++] = "State";
			names[n++] = "StateCause";
		}
		o->state = ch->state;
		u = (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENCODING];
		if (u != o->encoding)
			names[n++] = "Encoding";
		o->encoding = u;
		if (strcmp(o->remote, ch->remote) != 0) {
			names[n++] = "RemoteAddress";
			memcpy(o->remote, ch->remote, sizeof(o->remote));
		}
		if (dbus_str_changed(&o->url, ch->url))
			names[n++] = "Url";
		if (counters) {
#define COUNTER(field, name) do {					\
	if (ch->field != o->field) {					\
		names[n++] = name;					\
		o->field = ch->field;					\
	}								\
} while (0)
			u = pending_count(&ch->pendings);
			if (u != o->pending)
				names[n++] = "PendingOperations";
			o->pending = u;
			COUNTER(bytes_in, "BytesIn");
			COUNTER(bytes_out, "BytesOut");
			COUNTER(messages_in, "MessagesIn");
			COUNTER(messages_out, "MessagesOut");
#undef COUNTER
		}
	}
	if (n == 0 || !emit)
		return n > 0;
	names[n] = NULL;
	busmap_path(path, sizeof(path), o->is_listener, o->id);
	dbus_signal_peers(o->is_listener ? ls->uid : ch->uid, path, path,
	    BUSMAP_IFACE_PROPERTIES, "PropertiesChanged",
	    dbus_fill_changed, (void *)names);
	return true;
}

/* Counters change without events: look at them a few times a second, but
 * only while some channel can move or something just moved. */
static void
dbus_counters_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dbus_obj *o;
	struct channel *ch;
	bool again = false;

	TAILQ_FOREACH(o, &db.objs, entry) {
		if (o->is_listener)
			continue;
		if (dbus_emit_changes(o, false, true, true))
			again = true;
		if ((ch = registry_channel(o->id)) != NULL &&
		    dbus_channel_active(ch->state))
			again = true;
	}
	bus_loop_rearm(db.loop);
	if (again)
		dbus_counters_arm();
}

static void
dbus_counters_arm(void)
{
	struct timeval tv = { 0, DBUS_COUNTERS_MS * 1000 };

	if (db.counters != NULL && !evtimer_pending(db.counters, NULL))
		evtimer_add(db.counters, &tv);
}

static void
dbus_watch_cb(const struct state_event *ev, void *arg)
{
	const char *iface = ev->is_listener ? BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL;
	struct dbus_obj *o;
	char path[128];

	if (db.bus == NULL)
		return;
	busmap_path(path, sizeof(path), ev->is_listener, ev->object);
	switch (ev->kind) {
	case STATE_EVENT_ADDED:
		if ((o = calloc(1, sizeof(*o))) != NULL) {
			o->id = ev->object;
			o->is_listener = ev->is_listener;
			o->state = ev->new_state;
			TAILQ_INSERT_TAIL(&db.objs, o, entry);
			TAILQ_INSERT_TAIL(&db.objhash[o->id % DBUS_OBJ_BUCKETS],
			    o, hash_entry);
			/* The initial values, so that only changes signal. */
			dbus_emit_changes(o, false, true, false);
		}
		dbus_signal_peers(ev->owner_uid, BUSMAP_ROOT, path,
		    BUSMAP_IFACE_OBJMANAGER, "InterfacesAdded", dbus_fill_added,
		    (void *)iface);
		break;
	case STATE_EVENT_REMOVED:
		if ((o = dbus_obj_find(ev->object, ev->is_listener)) != NULL)
			dbus_obj_free(o);
		dbus_signal_peers(ev->owner_uid, BUSMAP_ROOT, path,
		    BUSMAP_IFACE_OBJMANAGER, "InterfacesRemoved", dbus_fill_removed,
		    (void *)iface);
		break;
	case STATE_EVENT_CHANGED:
		if ((o = dbus_obj_find(ev->object, ev->is_listener)) != NULL) {
			dbus_emit_changes(o, true, false, true);
			if (!ev->is_listener)
				dbus_counters_arm();
		}
		break;
	}
	bus_loop_rearm(db.loop);
}

/* ---- export ---------------------------------------------------------------------- */

int
dbus_objects_init(void)
{
	struct channel *ch;
	struct listener *ls;
	struct state_event ev;
	size_t i;
	int r;

	for (i = 0; i < DBUS_OBJ_BUCKETS; i++)
		TAILQ_INIT(&db.objhash[i]);
	if ((r = sd_bus_add_object_vtable(db.bus, NULL, BUSMAP_ROOT,
	    BUSMAP_IFACE_MANAGER, dbus_manager_vtable, NULL)) < 0 ||
	    (r = sd_bus_add_fallback_vtable(db.bus, NULL, BUSMAP_CHANNELS,
	    BUSMAP_IFACE_CHANNEL, dbus_channel_vtable, dbus_find_channel,
	    NULL)) < 0 ||
	    (r = sd_bus_add_fallback_vtable(db.bus, NULL, BUSMAP_LISTENERS,
	    BUSMAP_IFACE_LISTENER, dbus_listener_vtable, dbus_find_listener,
	    NULL)) < 0 ||
	    (r = sd_bus_add_node_enumerator(db.bus, NULL, BUSMAP_CHANNELS,
	    dbus_enumerate, NULL)) < 0 ||
	    (r = sd_bus_add_node_enumerator(db.bus, NULL, BUSMAP_LISTENERS,
	    dbus_enumerate, (void *)1)) < 0 ||
	    (r = sd_bus_add_object_manager(db.bus, NULL, BUSMAP_ROOT)) < 0) {
		log_warnx("cannot export the D-Bus objects: %s", strerror(-r));
		return r;
	}
	if ((db.counters = evtimer_new(db.base, dbus_counters_cb,
	    NULL)) == NULL ||
	    (db.watch = registry_watch_add(dbus_watch_cb, NULL)) == NULL)
		return -ENOMEM;
	/* Objects that exist already (none at start) get snapshots too. */
	memset(&ev, 0, sizeof(ev));
	ev.kind = STATE_EVENT_ADDED;
	for (ch = registry_first_channel(); ch != NULL;
	    ch = registry_next_channel(ch)) {
		ev.object = ch->id;
		ev.new_state = ch->state;
		dbus_watch_cb(&ev, NULL);
	}
	ev.is_listener = true;
	for (ls = registry_first_listener(); ls != NULL;
	    ls = registry_next_listener(ls)) {
		ev.object = ls->id;
		ev.new_state = ls->state;
		dbus_watch_cb(&ev, NULL);
	}
	return 0;
}

void
dbus_objects_free(void)
{
	struct dbus_obj *o;

	registry_watch_remove(db.watch);
	db.watch = NULL;
	while ((o = TAILQ_FIRST(&db.objs)) != NULL)
		dbus_obj_free(o);
	if (db.counters != NULL) {
		event_free(db.counters);
		db.counters = NULL;
	}
}
