/*
 * The D-Bus door.  The same calls as the Unix socket (control.c), through
 * sd-bus vtables: a session per bus peer (its unique name), pendings owned
 * by that session, replies sent from the completion callbacks.  Every
 * channel and listener of the daemon, whichever door created it, is an
 * object under /org/wschannel/WsChannel1, announced with InterfacesAdded /
 * InterfacesRemoved.  Signals are never broadcast: each peer with a
 * session that may see the object gets its own copy (dbus_signal_peers).
 * The interface is written down in systemd/org.wschannel.WsChannel1.xml.
 *
 * Who is calling: the sender's credentials as the bus daemon recorded them
 * when it connected (GetConnectionCredentials: uid, pid, groups), asked
 * once per unique name and kept with its session; a unique name is never
 * reused and its credentials never change, so the per-call check
 * (registry_may_access on that uid) sees what a per-call query would.
 * sd_bus_query_sender_creds would give the uid and pid the same way, but
 * the groups only by reading /proc after the fact, which races with the
 * sender exiting.
 */
#include <sys/types.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include <wschannel/webservices.h>

#include "bus_loop.h"
#include "channel.h"
#include "unix.h"
#include "dbus.h"
#include "envelope.h"
#include "hresult.h"
#include "listener.h"
#include "log.h"
#include "props.h"
#include "registry.h"

#define IFACE_MANAGER	CONTROL_DBUS_NAME ".Manager"
#define IFACE_CHANNEL	CONTROL_DBUS_NAME ".Channel"
#define IFACE_LISTENER	CONTROL_DBUS_NAME ".Listener"
#define PATH_CHANNELS	CONTROL_DBUS_PATH "/channel"
#define PATH_LISTENERS	CONTROL_DBUS_PATH "/listener"
#define IFACE_OBJMANAGER "org.freedesktop.DBus.ObjectManager"

#define DBUS_MAX_PROPS		64
#define DBUS_FLUSH_MS		2000	/* shutdown: replies get this long */
#define DBUS_COUNTERS_MS	250	/* counters: at most 4 signals a second */

/* One client of the door: a unique bus name. */
struct dbus_peer {
	struct session		 sess;
	char			*name;
	sd_bus_slot		*match;		/* its NameOwnerChanged */
	gid_t			*groups;
	size_t			 ngroups;
	int			 refs;
	bool			 gone;
	bool			 accepted;	/* wants the Accepted signal */
	TAILQ_ENTRY(dbus_peer)	 entry;
};

enum dbus_reply {
	DBUS_REPLY_STATE,	/* (u state) of the channel */
	DBUS_REPLY_MESSAGE,	/* (u hresult, a{sv} message) */
};

/* A method call waiting for its pending to complete. */
struct dbus_call {
	struct dbus_peer	*peer;
	sd_bus_message		*m;
	enum dbus_reply		 reply;
	uint64_t		 obj;
};

/* What subscribers last heard of an object, to signal only changes. */
struct dbus_obj {
	uint64_t		 id;
	bool			 is_listener;
	uint32_t		 state;
	uint32_t		 encoding;
	uint32_t		 pending;
	uint64_t		 bytes_in, bytes_out, messages_in, messages_out;
	char			 remote[80];
	char			*url;
	TAILQ_ENTRY(dbus_obj)	 entry;
	TAILQ_ENTRY(dbus_obj)	 hash_entry;
};

#define DBUS_OBJ_BUCKETS	1024
TAILQ_HEAD(dbus_obj_list, dbus_obj);

static struct {
	struct event_base	*base;
	sd_bus			*bus;
	struct bus_loop		*loop;
	void			*watch;
	struct event		*counters;
	control_dbus_reload_fn	 reload;
	bool			 stopping;
	bool			 lost;
	bool			 emitting;	/* property getters skip checks */
	struct dbus_call	*inflight;	/* long op being started */
	bool			 inflight_done;	/* ... already answered */
	uint64_t		 started;	/* CLOCK_MONOTONIC usec */
	unsigned		 npeers;
	TAILQ_HEAD(, dbus_peer)	 peers;
	struct dbus_obj_list	 objs;
	struct dbus_obj_list	 objhash[DBUS_OBJ_BUCKETS];
} db = {
	.peers = TAILQ_HEAD_INITIALIZER(db.peers),
	.objs = TAILQ_HEAD_INITIALIZER(db.objs),
};

static void	dbus_counters_arm(void);

static uint64_t
dbus_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
dbus_path(char *buf, size_t len, bool listener, uint64_t id)
{
	snprintf(buf, len, "%s/%" PRIu64, listener ? PATH_LISTENERS :
	    PATH_CHANNELS, id);
}

/* The id of ".../channel/<id>" under `prefix`; false for anything else. */
static bool
dbus_path_id(const char *path, const char *prefix, uint64_t *id)
{
	size_t n = strlen(prefix);
	uint64_t v = 0;
	const char *p;

	if (strncmp(path, prefix, n) != 0 || path[n] != '/')
		return false;
	p = path + n + 1;
	/* Canonical decimal only: one name per object. */
	if (*p < '1' || *p > '9')
		return false;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*id = v;
	return true;
}

/* ---- errors ---------------------------------------------------------------- */

static int
dbus_error_set(sd_bus_error *e, int32_t hr, const char *why)
{
	return sd_bus_error_setf(e, hresult_dbus_error((uint32_t)hr),
	    "0x%08" PRIX32 ": %s", (uint32_t)hr,
	    why != NULL ? why : hresult_text((uint32_t)hr));
}

/* Answers `m` with the error named after `hr`. */
static int
dbus_reply_hr(sd_bus_message *m, int32_t hr, const char *why)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	dbus_error_set(&e, hr, why);
	r = sd_bus_reply_method_error(m, &e);
	sd_bus_error_free(&e);
	return r < 0 ? r : 1;
}

/* ---- peers ----------------------------------------------------------------- */

static void
dbus_peer_unref(struct dbus_peer *peer)
{
	if (--peer->refs > 0)
		return;
	sd_bus_slot_unref(peer->match);
	free(peer->groups);
	free(peer->name);
	free(peer);
}

/* Admin membership is decided per call: the admin group may change on a
 * reload. */
static void
dbus_peer_refresh(struct dbus_peer *peer)
{
	gid_t admin = registry_admin_gid();
	size_t i;

	peer->sess.gid = peer->ngroups > 0 ? peer->groups[0] : (gid_t)-1;
	if (admin == (gid_t)-1)
		return;
	for (i = 0; i < peer->ngroups; i++)
		if (peer->groups[i] == admin)
			peer->sess.gid = admin;
}

/*
 * The peer's unique name left the bus: its pending calls end (nobody is
 * left to answer) and what it owns is aborted and freed.  With `answer`
 * (shutdown) the replies are still sent.
 */
static void
dbus_peer_end(struct dbus_peer *peer, bool answer)
{
	if (peer->gone)
		return;
	if (!answer)
		peer->gone = true;
	TAILQ_REMOVE(&db.peers, peer, entry);
	db.npeers--;
	log_debug("D-Bus peer %s (uid %u pid %d) is gone", peer->name,
	    (unsigned)peer->sess.uid, (int)peer->sess.pid);
	registry_session_end(&peer->sess);
	peer->gone = true;
	dbus_peer_unref(peer);
}

static int
dbus_name_owner_changed(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct dbus_peer *peer = arg;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
		return 0;
	if (*new != '\0' || strcmp(name, peer->name) != 0)
		return 0;
	peer->refs++;
	dbus_peer_end(peer, false);
	/* This match is the one running: sd-bus keeps it alive until the
	 * callback returns. */
	sd_bus_slot_unref(peer->match);
	peer->match = NULL;
	dbus_peer_unref(peer);
	bus_loop_rearm(db.loop);
	return 0;
}

/* Reads the bus daemon's record of `name`: uid, pid and groups. */
static int
dbus_peer_creds(struct dbus_peer *peer, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const char *key, *contents;
	const uint32_t *gids;
	bool have_uid = false;
	uint32_t u, pid = 0, uid = 0;
	size_t n, i;
	char type;
	int r;

	r = sd_bus_call_method(db.bus, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "GetConnectionCredentials", e, &reply, "s", peer->name);
	if (r < 0)
		return r;
	if ((r = sd_bus_message_enter_container(reply, 'a', "{sv}")) < 0)
		goto out;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(reply, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(reply, &type, &contents)) < 0)
			goto out;
		if (strcmp(key, "UnixUserID") == 0 &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(reply, "v", "u", &u)) < 0)
				goto out;
			uid = u;
			have_uid = true;
		} else if (strcmp(key, "ProcessID") == 0 &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(reply, "v", "u", &pid)) < 0)
				goto out;
		} else if (strcmp(key, "UnixGroupIDs") == 0 &&
		    strcmp(contents, "au") == 0) {
			if ((r = sd_bus_message_enter_container(reply, 'v',
			    "au")) < 0 ||
			    (r = sd_bus_message_read_array(reply, 'u',
			    (const void **)&gids, &n)) < 0 ||
			    (r = sd_bus_message_exit_container(reply)) < 0)
				goto out;
			n /= sizeof(uint32_t);
			free(peer->groups);
			peer->ngroups = 0;
			if ((peer->groups = calloc(n + 1, sizeof(gid_t))) == NULL) {
				r = -ENOMEM;
				goto out;
			}
			for (i = 0; i < n; i++)
				peer->groups[i] = gids[i];
			peer->ngroups = n;
		} else if ((r = sd_bus_message_skip(reply, "v")) < 0)
			goto out;
		if ((r = sd_bus_message_exit_container(reply)) < 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (!have_uid) {
		r = -EPROTO;
		goto out;
	}
	registry_session_init(&peer->sess, (uid_t)uid, (pid_t)pid,
	    (gid_t)-1);
	r = 0;
out:
	sd_bus_message_unref(reply);
	return r;
}

/*
 * The session of the sender of `m`, created at its first call.  On
 * failure `e` is set and a negative errno returned.
 */
static int
dbus_peer_get(sd_bus_message *m, struct dbus_peer **out, sd_bus_error *e)
{
	struct dbus_peer *peer;
	const char *sender;
	char rule[256];
	int r;

	if (db.stopping)
		return dbus_error_set(e, WS_E_ENDPOINT_DISCONNECTED,
		    "the daemon is stopping");
	if ((sender = sd_bus_message_get_sender(m)) == NULL)
		return dbus_error_set(e, E_ACCESSDENIED,
		    "the caller has no bus name");
	TAILQ_FOREACH(peer, &db.peers, entry) {
		if (strcmp(peer->name, sender) == 0) {
			dbus_peer_refresh(peer);
			*out = peer;
			return 0;
		}
	}
	if ((peer = calloc(1, sizeof(*peer))) == NULL ||
	    (peer->name = strdup(sender)) == NULL) {
		free(peer);
		return dbus_error_set(e, E_OUTOFMEMORY, "out of memory");
	}
	peer->refs = 1;
	TAILQ_INIT(&peer->sess.pendings);
	/*
	 * Watch the name before asking who it is: the bus daemon handles the
	 * two in order, so a peer that leaves in between is seen either
	 * by the query failing or by the signal.
	 */
	snprintf(rule, sizeof(rule), "type='signal',sender='org.freedesktop.DBus',"
	    "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='%s'", sender);
	r = sd_bus_add_match_async(db.bus, &peer->match, rule,
	    dbus_name_owner_changed, NULL, peer);
	if (r >= 0)
		r = dbus_peer_creds(peer, e);
	if (r < 0) {
		log_warnx("D-Bus peer %s: cannot learn its credentials: %s",
		    sender, sd_bus_error_is_set(e) ? e->message : strerror(-r));
		dbus_peer_unref(peer);
		sd_bus_error_free(e);
		return dbus_error_set(e, E_ACCESSDENIED,
		    "the caller's credentials are unknown");
	}
	TAILQ_INSERT_HEAD(&db.peers, peer, entry);
	db.npeers++;
	dbus_peer_refresh(peer);
	log_debug("D-Bus peer %s is uid %u pid %d", sender,
	    (unsigned)peer->sess.uid, (int)peer->sess.pid);
	*out = peer;
	return 0;
}

/* ---- pending method calls ------------------------------------------------- */

static int	dbus_append_message(sd_bus_message *, const struct envelope *);

static uint32_t
dbus_channel_state(uint64_t id)
{
	struct channel *ch = registry_channel(id);

	return ch != NULL ? ch->state : WS_CHANNEL_STATE_CLOSED;
}

static void
dbus_pending_done(struct pending *p, int32_t hr, void *arg)
{
	struct dbus_call *call = arg;
	sd_bus_message *reply = NULL;
	int r = 0;

	if (call == db.inflight)
		db.inflight_done = true;
	if (!call->peer->gone && db.bus != NULL) {
		if (hr < 0)
			r = dbus_reply_hr(call->m, hr, p->why);
		else if (call->reply == DBUS_REPLY_STATE)
			r = sd_bus_reply_method_return(call->m, "u",
			    p->ch != NULL ? p->ch->state :
			    dbus_channel_state(call->obj));
		else {
			if ((r = sd_bus_message_new_method_return(call->m,
			    &reply)) >= 0 &&
			    (r = sd_bus_message_append(reply, "u",
			    (uint32_t)hr)) >= 0)
				r = dbus_append_message(reply, hr == S_OK &&
				    p->msg.envelope_version != 0 ? &p->msg :
				    NULL);
			if (r >= 0)
				r = sd_bus_send(db.bus, reply, NULL);
			sd_bus_message_unref(reply);
		}
		if (r < 0)
			log_warnx("D-Bus peer %s: cannot send a reply: %s",
			    call->peer->name, strerror(-r));
		bus_loop_rearm(db.loop);
	}
	sd_bus_message_unref(call->m);
	dbus_peer_unref(call->peer);
	free(call);
}

/* A pending owned by the peer's session, answering `m` when it ends. */
static struct pending *
dbus_pending_new(struct dbus_peer *peer, enum pending_kind kind,
    sd_bus_message *m, enum dbus_reply reply, uint64_t obj)
{
	struct dbus_call *call;
	struct pending *p;

	if ((call = calloc(1, sizeof(*call))) == NULL)
		return NULL;
	if ((p = pending_new(kind, &peer->sess, dbus_pending_done, call)) == NULL) {
		free(call);
		return NULL;
	}
	call->peer = peer;
	call->m = sd_bus_message_ref(m);
	call->reply = reply;
	call->obj = obj;
	peer->refs++;
	TAILQ_INSERT_TAIL(&peer->sess.pendings, p, sess_entry);
	db.inflight = call;
	db.inflight_done = false;
	return p;
}

/* The core did not take the pending: undo dbus_pending_new. */
static void
dbus_pending_discard(struct pending *p)
{
	struct dbus_call *call = p->arg;

	TAILQ_REMOVE(&p->sess->pendings, p, sess_entry);
	envelope_clear(&p->msg);
	free(p);
	sd_bus_message_unref(call->m);
	dbus_peer_unref(call->peer);
	free(call);
}

/*
 * Tells a caller that asked for it (Manager.EnableAccepted) that its long
 * call `m` passed its checks and is pending: the Accepted signal, on the
 * call's object, to the caller alone.  It leaves before the method return,
 * so the caller knows a precondition failure from a pending operation
 * without waiting for the operation (the Unix socket's interim reply).
 */
static void
dbus_announce_pending(sd_bus_message *m)
{
	const char *sender = sd_bus_message_get_sender(m);
	const char *path = sd_bus_message_get_path(m);
	struct dbus_peer *peer;
	sd_bus_message *s = NULL;
	uint64_t cookie;
	int r;

	if (sender == NULL || path == NULL ||
	    sd_bus_message_get_cookie(m, &cookie) < 0)
		return;
	TAILQ_FOREACH(peer, &db.peers, entry)
		if (strcmp(peer->name, sender) == 0)
			break;
	if (peer == NULL || !peer->accepted)
		return;
	if ((r = sd_bus_message_new_signal(db.bus, &s, path,
	    strncmp(path, PATH_LISTENERS "/", sizeof(PATH_LISTENERS)) == 0 ?
	    IFACE_LISTENER : IFACE_CHANNEL, "Accepted")) >= 0 &&
	    (r = sd_bus_message_set_destination(s, sender)) >= 0 &&
	    (r = sd_bus_message_append(s, "u", (uint32_t)cookie)) >= 0)
		r = sd_bus_send(db.bus, s, NULL);
	sd_bus_message_unref(s);
	if (r < 0)
		log_debug("D-Bus peer %s: cannot send Accepted: %s", sender,
		    strerror(-r));
}

/*
 * The end of starting a long operation: S_OK means the pending is queued
 * (and maybe already answered); a success code (WS_S_END) or an error is
 * answered now.
 */
static int
dbus_long_op_result(sd_bus_message *m, struct pending *p, int32_t hr,
    const char *why, enum dbus_reply reply, struct channel *ch)
{
	sd_bus_message *rm = NULL;
	int r;

	db.inflight = NULL;
	if (hr == S_OK) {
		if (!db.inflight_done)
			dbus_announce_pending(m);
		return 1;
	}
	dbus_pending_discard(p);
	if (hr < 0)
		return dbus_reply_hr(m, hr, why);
	if (reply == DBUS_REPLY_STATE)
		return sd_bus_reply_method_return(m, "u", ch->state);
	if ((r = sd_bus_message_new_method_return(m, &rm)) >= 0 &&
	    (r = sd_bus_message_append(rm, "u", (uint32_t)hr)) >= 0 &&
	    (r = dbus_append_message(rm, NULL)) >= 0)
		r = sd_bus_send(NULL, rm, NULL);
	sd_bus_message_unref(rm);
	return r;
}

/* ---- arguments -------------------------------------------------------------- */

/*
 * Reads a variant holding an unsigned integer (y q u t, or b, or a
 * non-negative n i x).  -EINVAL for any other content, -EROFS for a string
 * (property values that are strings are read-only), or a bus error.
 */
static int
dbus_read_uint_variant(sd_bus_message *m, uint64_t *out)
{
	const char *contents;
	char type;
	union {
		uint8_t y; int b; int16_t n; uint16_t q; int32_t i;
		uint32_t u; int64_t x; uint64_t t; const char *s;
	} v;
	int r;

	if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
		return r;
	if (type != 'v' || contents == NULL || strlen(contents) != 1) {
		sd_bus_message_skip(m, NULL);
		return -EINVAL;
	}
	if ((r = sd_bus_message_enter_container(m, 'v', contents)) < 0)
		return r;
	switch (contents[0]) {
	case 'y': r = sd_bus_message_read_basic(m, 'y', &v.y); *out = v.y; break;
	case 'b': r = sd_bus_message_read_basic(m, 'b', &v.b); *out = v.b != 0; break;
	case 'q': r = sd_bus_message_read_basic(m, 'q', &v.q); *out = v.q; break;
	case 'u': r = sd_bus_message_read_basic(m, 'u', &v.u); *out = v.u; break;
	case 't': r = sd_bus_message_read_basic(m, 't', &v.t); *out = v.t; break;
	case 'n':
		r = sd_bus_message_read_basic(m, 'n', &v.n);
		if (r >= 0 && v.n < 0)
			r = -EINVAL;
		*out = (uint64_t)v.n;
		break;
	case 'i':
		r = sd_bus_message_read_basic(m, 'i', &v.i);
		if (r >= 0 && v.i < 0)
			r = -EINVAL;
		*out = (uint64_t)v.i;
		break;
	case 'x':
		r = sd_bus_message_read_basic(m, 'x', &v.x);
		if (r >= 0 && v.x < 0)
			r = -EINVAL;
		*out = (uint64_t)v.x;
		break;
	case 's':
	case 'o':
	case 'g':
		r = sd_bus_message_read_basic(m, contents[0], &v.s);
		if (r >= 0)
			r = -EROFS;
		break;
	default:
		sd_bus_message_skip(m, contents);
		r = -EINVAL;
		break;
	}
	sd_bus_message_exit_container(m);
	return r;
}

/* a{uv} of WS property ids and values: a bus error (< 0), or 0 with *hr
 * S_OK, or *hr and *why for values that are not acceptable. */
static int
dbus_read_props(sd_bus_message *m, uint32_t *ids, uint64_t *vals,
    size_t *n, int32_t *hr, const char **why)
{
	uint32_t id;
	int r;

	*n = 0;
	if ((r = sd_bus_message_enter_container(m, 'a', "{uv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "uv")) > 0) {
		if ((r = sd_bus_message_read(m, "u", &id)) < 0)
			return r;
		if (*n == DBUS_MAX_PROPS) {
			*hr = E_INVALIDARG;
			*why = "too many properties";
			return 0;
		}
		r = dbus_read_uint_variant(m, &vals[*n]);
		if (r == -EINVAL || r == -EROFS) {
			*hr = E_INVALIDARG;
			*why = r == -EROFS ? "property is read-only" :
			    "property value missing or not an integer";
			return 0;
		}
		if (r < 0)
			return r;
		ids[(*n)++] = id;
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	*hr = S_OK;
	return sd_bus_message_exit_container(m);
}

/* Message keys, mirroring Envelope in proto/wschannel.proto. */
static const struct {
	const char	*key;
	size_t		 off;
} dbus_msg_strings[] = {
	{ "Action", offsetof(struct envelope, action) },
	{ "To", offsetof(struct envelope, to) },
	{ "MessageId", offsetof(struct envelope, message_id) },
	{ "RelatesTo", offsetof(struct envelope, relates_to) },
	{ "ReplyTo", offsetof(struct envelope, reply_to) },
	{ "FaultTo", offsetof(struct envelope, fault_to) },
	{ "FaultReason", offsetof(struct envelope, fault_reason) },
};

/*
 * a{sv} into an envelope.  Returns a bus error (< 0), or 0 with *hr S_OK,
 * or *hr and *why for a message that is not acceptable.
 */
static int
dbus_read_message(sd_bus_message *m, struct envelope *env, int32_t *hr,
    const char **why)
{
	const char *key, *contents, *s;
	const void *data;
	char **slot, type;
	uint32_t u;
	size_t i, len;
	int b, r;

	memset(env, 0, sizeof(*env));
	*hr = S_OK;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			goto fail;
		for (i = 0; i < sizeof(dbus_msg_strings) /
		    sizeof(dbus_msg_strings[0]); i++)
			if (strcmp(key, dbus_msg_strings[i].key) == 0)
				break;
		if (i < sizeof(dbus_msg_strings) / sizeof(dbus_msg_strings[0])) {
			if (strcmp(contents, "s") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				goto fail;
			slot = (char **)((char *)env + dbus_msg_strings[i].off);
			free(*slot);
			if ((*slot = strdup(s)) == NULL)
				goto nomem;
		} else if (strcmp(key, "Body") == 0) {
			if (strcmp(contents, "ay") == 0) {
				if ((r = sd_bus_message_enter_container(m, 'v',
				    "ay")) < 0 ||
				    (r = sd_bus_message_read_array(m, 'y',
				    &data, &len)) < 0 ||
				    (r = sd_bus_message_exit_container(m)) < 0)
					goto fail;
			} else if (strcmp(contents, "s") == 0) {
				/* Handy from busctl: the body as a string. */
				if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
					goto fail;
				data = s;
				len = strlen(s);
			} else
				goto bad_type;
			free(env->body);
			env->body = NULL;
			env->body_len = 0;
			if (len > 0) {
				if ((env->body = malloc(len)) == NULL)
					goto nomem;
				memcpy(env->body, data, len);
				env->body_len = len;
			}
		} else if (strcmp(key, "IsFault") == 0) {
			if (strcmp(contents, "b") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				goto fail;
			env->is_fault = b != 0;
		} else if (strcmp(key, "EnvelopeVersion") == 0 ||
		    strcmp(key, "AddressingVersion") == 0) {
			/* The channel's properties decide; accepted so that
			 * a received message can be sent back as it is. */
			if (strcmp(contents, "u") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "u", &u)) < 0)
				goto fail;
		} else {
			*hr = E_INVALIDARG;
			*why = "unknown key in the message dictionary";
			goto refuse;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			goto fail;
	}
	if (r < 0)
		goto fail;
	return sd_bus_message_exit_container(m);
bad_type:
	*hr = E_INVALIDARG;
	*why = "a message key holds a value of the wrong type";
	goto refuse;
nomem:
	*hr = E_OUTOFMEMORY;
	*why = "out of memory";
refuse:
	envelope_clear(env);
	return 0;
fail:
	envelope_clear(env);
	return r;
}

static int
dbus_append_sv(sd_bus_message *m, const char *key, const char *sig, ...)
{
	va_list ap;
	int r;

	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', key)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', sig)) < 0)
		return r;
	va_start(ap, sig);
	r = sd_bus_message_appendv(m, sig, ap);
	va_end(ap);
	if (r < 0 || (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* An envelope as a{sv}; NULL gives an empty dictionary. */
static int
dbus_append_message(sd_bus_message *m, const struct envelope *env)
{
	const char *s;
	size_t i;
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0)
		return r;
	if (env == NULL)
		return sd_bus_message_close_container(m);
	if ((r = dbus_append_sv(m, "EnvelopeVersion", "u",
	    env->envelope_version)) < 0 ||
	    (r = dbus_append_sv(m, "AddressingVersion", "u",
	    env->addressing_version)) < 0)
		return r;
	for (i = 0; i < sizeof(dbus_msg_strings) / sizeof(dbus_msg_strings[0]);
	    i++) {
		s = *(char *const *)((const char *)env + dbus_msg_strings[i].off);
		if (s != NULL &&
		    (r = dbus_append_sv(m, dbus_msg_strings[i].key, "s", s)) < 0)
			return r;
	}
	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', "Body")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
	    (r = sd_bus_message_append_array(m, 'y',
	    env->body != NULL ? (const void *)env->body : (const void *)"",
	    env->body_len)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	if ((r = dbus_append_sv(m, "IsFault", "b", (int)env->is_fault)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* ---- access ------------------------------------------------------------------- */

/*
 * Channel and listener methods: the caller's session and the object, or
 * the call answered with the error (E_ACCESSDENIED for an object of
 * another user).  Returns 1 to go on, else what the handler returns.
 */
static int
dbus_begin(sd_bus_message *m, uint64_t id, uid_t owner,
    struct dbus_peer **peer, sd_bus_error *e)
{
	int r;

	if ((r = dbus_peer_get(m, peer, e)) < 0)
		return r;
	if (!registry_may_access(&(*peer)->sess, owner)) {
		log_channel(LOG_INFO, id, owner, E_ACCESSDENIED,
		    "D-Bus %s.%s on %s denied to uid %u pid %d",
		    sd_bus_message_get_interface(m),
		    sd_bus_message_get_member(m), sd_bus_message_get_path(m),
		    (unsigned)(*peer)->sess.uid, (int)(*peer)->sess.pid);
		return dbus_error_set(e, E_ACCESSDENIED,
		    "the object belongs to another user");
	}
	return 1;
}

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
	if (!registry_may_access(&peer->sess, owner))
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
	uint64_t id;

	if (!dbus_path_id(path, PATH_CHANNELS, &id) ||
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
	uint64_t id;

	if (!dbus_path_id(path, PATH_LISTENERS, &id) ||
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
			if (peer != NULL && !registry_may_access(&peer->sess,
			    ls->uid))
				continue;
			dbus_path(path, sizeof(path), true, ls->id);
			if ((v[i++] = strdup(path)) == NULL)
				goto nomem;
		}
	} else {
		for (ch = registry_first_channel(); ch != NULL && i < n;
		    ch = registry_next_channel(ch)) {
			if (peer != NULL && !registry_may_access(&peer->sess,
			    ch->uid))
				continue;
			dbus_path(path, sizeof(path), false, ch->id);
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

static int
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

static int
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

static int
dbus_manager_prop(sd_bus *bus, const char *path, const char *iface,
    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *e)
{
	return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

/* ---- property values by WS id ------------------------------------------------------ */

static int
dbus_reply_property(sd_bus_message *m, const struct prop_desc *d,
    uint64_t u, const char *s)
{
	if (s != NULL || (d != NULL && (d->kind == PROP_STRING ||
	    d->kind == PROP_ADDRESS)))
		return sd_bus_reply_method_return(m, "v", "s",
		    s != NULL ? s : "");
	switch (d != NULL ? d->kind : PROP_UINT64) {
	case PROP_ULONG:
	case PROP_ENUM:
		return sd_bus_reply_method_return(m, "v", "u", (uint32_t)u);
	case PROP_BOOL:
		return sd_bus_reply_method_return(m, "v", "b", (int)(u != 0));
	default:
		return sd_bus_reply_method_return(m, "v", "t", u);
	}
}

/* ---- Channel methods ----------------------------------------------------------------- */

#define CHANNEL_BEGIN()							\
	struct channel *ch = arg;					\
	struct dbus_peer *peer;						\
	int r_;								\
	if ((r_ = dbus_begin(m, ch->id, ch->uid, &peer, e)) <= 0)	\
		return r_

#define PENDING(kind, reply) do {					\
	if ((p = dbus_pending_new(peer, (kind), m, (reply), ch->id)) == NULL) \
		return dbus_reply_hr(m, E_OUTOFMEMORY, "out of memory"); \
} while (0)

static int
dbus_ch_open(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *url, *why = NULL;
	struct pending *p;
	int32_t hr;
	int r;

	CHANNEL_BEGIN();
	if ((r = sd_bus_message_read(m, "s", &url)) < 0)
		return r;
	PENDING(PENDING_OPEN, DBUS_REPLY_STATE);
	hr = channel_open(ch, url, p, &why);
	return dbus_long_op_result(m, p, hr, why, DBUS_REPLY_STATE, ch);
}

static int
dbus_ch_close(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct pending *p;
	int32_t hr;

	CHANNEL_BEGIN();
	PENDING(PENDING_CLOSE, DBUS_REPLY_STATE);
	hr = channel_close(ch, p);
	if (db.inflight_done) {
		db.inflight = NULL;
		return 1;	/* completed inside the call: answered */
	}
	if (hr == S_OK && p->ch == NULL) {
		/* Closed at once: nothing left to wait for. */
		db.inflight = NULL;
		dbus_pending_discard(p);
		return sd_bus_reply_method_return(m, "u", ch->state);
	}
	return dbus_long_op_result(m, p, hr, NULL, DBUS_REPLY_STATE, ch);
}

static int
dbus_ch_abort(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	unsigned n;

	CHANNEL_BEGIN();
	n = channel_abort(ch);
	log_channel(LOG_INFO, ch->id, ch->uid, S_OK,
	    "aborted over D-Bus by uid %u pid %d (%u cancelled)",
	    (unsigned)peer->sess.uid, (int)peer->sess.pid, n);
	return sd_bus_reply_method_return(m, "uu", ch->state, (uint32_t)n);
}

static int
dbus_ch_reset(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *why = NULL;
	int32_t hr;

	CHANNEL_BEGIN();
	if ((hr = channel_reset(ch, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return sd_bus_reply_method_return(m, "u", ch->state);
}

static int
dbus_ch_free(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	CHANNEL_BEGIN();
	channel_free(ch);
	return sd_bus_reply_method_return(m, "");
}

/* Send and WriteMessageEnd: a message, then a SEND pending. */
static int
dbus_ch_send_common(sd_bus_message *m, void *arg, sd_bus_error *e,
    bool write_end)
{
	struct envelope env;
	struct pending *p;
	const char *why = NULL;
	int32_t hr;
	int r;

	CHANNEL_BEGIN();
	if ((r = dbus_read_message(m, &env, &hr, &why)) < 0)
		return r;
	if (hr != S_OK)
		return dbus_reply_hr(m, hr, why);
	if ((p = dbus_pending_new(peer, PENDING_SEND, m, DBUS_REPLY_STATE,
	    ch->id)) == NULL) {
		envelope_clear(&env);
		return dbus_reply_hr(m, E_OUTOFMEMORY, "out of memory");
	}
	hr = write_end ? channel_write_end(ch, &env, p, &why) :
	    channel_send(ch, &env, p, &why);
	envelope_clear(&env);
	return dbus_long_op_result(m, p, hr, why, DBUS_REPLY_STATE, ch);
}

static int
dbus_ch_send(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_send_common(m, arg, e, false);
}

static int
dbus_ch_write_end(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_send_common(m, arg, e, true);
}

static int
dbus_ch_receive_common(sd_bus_message *m, void *arg, sd_bus_error *e,
    bool read_start)
{
	struct pending *p;
	const char *why = NULL;
	int32_t hr;

	CHANNEL_BEGIN();
	PENDING(PENDING_RECEIVE, DBUS_REPLY_MESSAGE);
	hr = read_start ? channel_read_start(ch, p, &why) :
	    channel_receive(ch, p, &why);
	return dbus_long_op_result(m, p, hr, why, DBUS_REPLY_MESSAGE, ch);
}

static int
dbus_ch_receive(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_receive_common(m, arg, e, false);
}

static int
dbus_ch_read_start(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_receive_common(m, arg, e, true);
}

static int
dbus_ch_request_reply(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct envelope env;
	struct pending *p;
	const char *why = NULL;
	int32_t hr;
	int r;

	CHANNEL_BEGIN();
	if ((r = dbus_read_message(m, &env, &hr, &why)) < 0)
		return r;
	if (hr != S_OK)
		return dbus_reply_hr(m, hr, why);
	if ((p = dbus_pending_new(peer, PENDING_RECEIVE, m, DBUS_REPLY_MESSAGE,
	    ch->id)) == NULL) {
		envelope_clear(&env);
		return dbus_reply_hr(m, E_OUTOFMEMORY, "out of memory");
	}
	hr = channel_request_reply(ch, &env, p, &why);
	envelope_clear(&env);
	return dbus_long_op_result(m, p, hr, why, DBUS_REPLY_MESSAGE, ch);
}

static int
dbus_ch_shutdown(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct pending *p;
	const char *why = NULL;
	int32_t hr;

	CHANNEL_BEGIN();
	PENDING(PENDING_SEND, DBUS_REPLY_STATE);
	hr = channel_shutdown(ch, p, &why);
	return dbus_long_op_result(m, p, hr, why, DBUS_REPLY_STATE, ch);
}

/* The calls answered at once with the channel's state. */
static int
dbus_ch_simple(sd_bus_message *m, void *arg, sd_bus_error *e,
    int32_t (*fn)(struct channel *, const char **))
{
	const char *why = NULL;
	int32_t hr;

	CHANNEL_BEGIN();
	if ((hr = fn(ch, &why)) < 0)
		return dbus_reply_hr(m, hr, why);
	return sd_bus_reply_method_return(m, "u", ch->state);
}

static int
dbus_ch_read_end(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_simple(m, arg, e, channel_read_end);
}

static int
dbus_ch_write_start(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_simple(m, arg, e, channel_write_start);
}

static int
dbus_ch_abandon(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_ch_simple(m, arg, e, channel_abandon);
}

static int
dbus_ch_get_property(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *why = NULL, *s = NULL;
	uint32_t id;
	uint64_t u = 0;
	int32_t hr;
	int r;

	CHANNEL_BEGIN();
	if ((r = sd_bus_message_read(m, "u", &id)) < 0)
		return r;
	if ((hr = channel_get_property(ch, id, &u, &s, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return dbus_reply_property(m, channel_prop(id), u, s);
}

static int
dbus_ch_set_property(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *why = NULL;
	uint32_t id;
	uint64_t v = 0;
	int32_t hr;
	int r;

	CHANNEL_BEGIN();
	if ((r = sd_bus_message_read(m, "u", &id)) < 0)
		return r;
	r = dbus_read_uint_variant(m, &v);
	if (r == -EINVAL || r == -EROFS)
		return dbus_reply_hr(m, E_INVALIDARG, r == -EROFS ?
		    "property is read-only" :
		    "property value is not an integer");
	if (r < 0)
		return r;
	if ((hr = channel_set_property(ch, id, v, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return sd_bus_reply_method_return(m, "");
}

#undef CHANNEL_BEGIN

/* ---- Listener methods ---------------------------------------------------------------- */

#define LISTENER_BEGIN()						\
	struct listener *ls = arg;					\
	struct dbus_peer *peer;						\
	int r_;								\
	if ((r_ = dbus_begin(m, ls->id, ls->uid, &peer, e)) <= 0)	\
		return r_

static int
dbus_reply_created(sd_bus_message *m, bool listener, uint64_t id)
{
	char path[128];

	dbus_path(path, sizeof(path), listener, id);
	return sd_bus_reply_method_return(m, "o", path);
}

static int
dbus_ls_open(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *url, *why = NULL;
	int32_t hr;
	int r;

	LISTENER_BEGIN();
	if ((r = sd_bus_message_read(m, "s", &url)) < 0)
		return r;
	if ((hr = listener_open(ls, url, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return sd_bus_reply_method_return(m, "u", ls->state);
}

static int
dbus_ls_accept(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *path, *why = NULL;
	struct channel *ch;
	struct pending *p;
	uint64_t id;
	int32_t hr;
	int r;

	LISTENER_BEGIN();
	if ((r = sd_bus_message_read(m, "o", &path)) < 0)
		return r;
	if (!dbus_path_id(path, PATH_CHANNELS, &id))
		return dbus_reply_hr(m, E_INVALIDARG, "not a channel object");
	if ((hr = registry_lookup_channel(&peer->sess, id, &ch)) != S_OK)
		return dbus_reply_hr(m, hr, hr == E_ACCESSDENIED ?
		    "channel belongs to another user" : "no such channel");
	PENDING(PENDING_ACCEPT, DBUS_REPLY_STATE);
	hr = listener_accept(ls, ch, p, &why);
	return dbus_long_op_result(m, p, hr, why, DBUS_REPLY_STATE, ch);
}

static int
dbus_ls_close(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	int32_t hr;

	LISTENER_BEGIN();
	if ((hr = listener_close(ls)) != S_OK)
		return dbus_reply_hr(m, hr, NULL);
	return sd_bus_reply_method_return(m, "u", ls->state);
}

static int
dbus_ls_abort(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	unsigned n;

	LISTENER_BEGIN();
	n = listener_abort(ls);
	return sd_bus_reply_method_return(m, "uu", ls->state, (uint32_t)n);
}

static int
dbus_ls_reset(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *why = NULL;
	int32_t hr;

	LISTENER_BEGIN();
	if ((hr = listener_reset(ls, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return sd_bus_reply_method_return(m, "u", ls->state);
}

static int
dbus_ls_free(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	LISTENER_BEGIN();
	listener_free(ls);
	return sd_bus_reply_method_return(m, "");
}

static int
dbus_ls_create_channel(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	uint32_t ids[DBUS_MAX_PROPS];
	uint64_t vals[DBUS_MAX_PROPS];
	struct channel *ch;
	const char *why = NULL;
	size_t n;
	int32_t hr;
	int r;

	LISTENER_BEGIN();
	if ((r = dbus_read_props(m, ids, vals, &n, &hr, &why)) < 0)
		return r;
	if (hr == S_OK)
		hr = registry_check_quota(&peer->sess, false, &why);
	if (hr == S_OK)
		hr = listener_new_channel(ls, &peer->sess, ids, vals, n, &ch,
		    &why);
	if (hr != S_OK)
		return dbus_reply_hr(m, hr, why);
	return dbus_reply_created(m, false, ch->id);
}

static int
dbus_ls_get_property(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *why = NULL, *s = NULL;
	uint32_t id;
	uint64_t u = 0;
	int32_t hr;
	int r;

	LISTENER_BEGIN();
	if ((r = sd_bus_message_read(m, "u", &id)) < 0)
		return r;
	if ((hr = listener_get_property(ls, id, &u, &s, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return dbus_reply_property(m, listener_prop(id), u, s);
}

static int
dbus_ls_set_property(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char *why = NULL;
	uint32_t id;
	uint64_t v = 0;
	int32_t hr;
	int r;

	LISTENER_BEGIN();
	if ((r = sd_bus_message_read(m, "u", &id)) < 0)
		return r;
	r = dbus_read_uint_variant(m, &v);
	if (r == -EINVAL || r == -EROFS)
		return dbus_reply_hr(m, E_INVALIDARG, r == -EROFS ?
		    "property is read-only" :
		    "property value is not an integer");
	if (r < 0)
		return r;
	if ((hr = listener_set_property(ls, id, v, &why)) != S_OK)
		return dbus_reply_hr(m, hr, why);
	return sd_bus_reply_method_return(m, "");
}

#undef LISTENER_BEGIN
#undef PENDING

/* ---- Manager methods ----------------------------------------------------------------- */

static int
dbus_mgr_create(sd_bus_message *m, sd_bus_error *e, bool listener)
{
	uint32_t ids[DBUS_MAX_PROPS];
	uint64_t vals[DBUS_MAX_PROPS];
	struct dbus_peer *peer;
	struct channel *ch;
	struct listener *ls;
	const char *why = NULL;
	uint32_t type, binding;
	size_t n;
	int32_t hr;
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	if ((r = sd_bus_message_read(m, "uu", &type, &binding)) < 0 ||
	    (r = dbus_read_props(m, ids, vals, &n, &hr, &why)) < 0)
		return r;
	if (hr == S_OK)
		hr = registry_check_quota(&peer->sess, listener, &why);
	if (hr == S_OK && listener)
		hr = listener_new(&peer->sess, type, binding, ids, vals, n,
		    &ls, &why);
	else if (hr == S_OK)
		hr = channel_new(&peer->sess, type, binding, ids, vals, n,
		    &ch, &why);
	if (hr != S_OK)
		return dbus_reply_hr(m, hr, why);
	return dbus_reply_created(m, listener, listener ? ls->id : ch->id);
}

static int
dbus_mgr_create_channel(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_mgr_create(m, e, false);
}

static int
dbus_mgr_create_listener(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_mgr_create(m, e, true);
}

static int
dbus_append_channel_info(sd_bus_message *m, struct channel *ch)
{
	char path[128];
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
	    (r = dbus_append_sv(m, "Id", "t", ch->id)) < 0 ||
	    (r = dbus_append_sv(m, "State", "u", ch->state)) < 0 ||
	    (r = dbus_append_sv(m, "Type", "u", ch->type)) < 0 ||
	    (r = dbus_append_sv(m, "Binding", "u", ch->binding)) < 0 ||
	    (r = dbus_append_sv(m, "Encoding", "u",
	    (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENCODING])) < 0 ||
	    (r = dbus_append_sv(m, "RemoteAddress", "s", ch->remote)) < 0 ||
	    (r = dbus_append_sv(m, "Url", "s",
	    ch->url != NULL ? ch->url : "")) < 0 ||
	    (r = dbus_append_sv(m, "Owner", "u", (uint32_t)ch->uid)) < 0 ||
	    (r = dbus_append_sv(m, "OwnerPid", "u", (uint32_t)ch->pid)) < 0 ||
	    (r = dbus_append_sv(m, "PendingOperations", "u",
	    pending_count(&ch->pendings))) < 0 ||
	    (r = dbus_append_sv(m, "BytesIn", "t", ch->bytes_in)) < 0 ||
	    (r = dbus_append_sv(m, "BytesOut", "t", ch->bytes_out)) < 0 ||
	    (r = dbus_append_sv(m, "MessagesIn", "t", ch->messages_in)) < 0 ||
	    (r = dbus_append_sv(m, "MessagesOut", "t", ch->messages_out)) < 0)
		return r;
	if (ch->listener_id != 0) {
		dbus_path(path, sizeof(path), true, ch->listener_id);
		if ((r = dbus_append_sv(m, "Listener", "o", path)) < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

static int
dbus_append_listener_info(sd_bus_message *m, struct listener *ls)
{
	struct channel *a;
	uint32_t n = 0;
	int r;

	TAILQ_FOREACH(a, &ls->accepting, accept_entry)
		n++;
	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
	    (r = dbus_append_sv(m, "Id", "t", ls->id)) < 0 ||
	    (r = dbus_append_sv(m, "State", "u", ls->state)) < 0 ||
	    (r = dbus_append_sv(m, "Type", "u", ls->type)) < 0 ||
	    (r = dbus_append_sv(m, "Binding", "u", ls->binding)) < 0 ||
	    (r = dbus_append_sv(m, "Url", "s",
	    ls->url != NULL ? ls->url : "")) < 0 ||
	    (r = dbus_append_sv(m, "Owner", "u", (uint32_t)ls->uid)) < 0 ||
	    (r = dbus_append_sv(m, "OwnerPid", "u", (uint32_t)ls->pid)) < 0 ||
	    (r = dbus_append_sv(m, "PendingAccepts", "u", n)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

static int
dbus_mgr_list(sd_bus_message *m, sd_bus_error *e, bool listeners)
{
	sd_bus_message *reply = NULL;
	struct dbus_peer *peer;
	struct channel *ch;
	struct listener *ls;
	char path[128];
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "(oa{sv})")) < 0)
		goto out;
	if (listeners) {
		for (ls = registry_first_listener(); ls != NULL;
		    ls = registry_next_listener(ls)) {
			if (!registry_may_access(&peer->sess, ls->uid))
				continue;
			dbus_path(path, sizeof(path), true, ls->id);
			if ((r = sd_bus_message_open_container(reply, 'r',
			    "oa{sv}")) < 0 ||
			    (r = sd_bus_message_append_basic(reply, 'o',
			    path)) < 0 ||
			    (r = dbus_append_listener_info(reply, ls)) < 0 ||
			    (r = sd_bus_message_close_container(reply)) < 0)
				goto out;
		}
	} else {
		for (ch = registry_first_channel(); ch != NULL;
		    ch = registry_next_channel(ch)) {
			if (!registry_may_access(&peer->sess, ch->uid))
				continue;
			dbus_path(path, sizeof(path), false, ch->id);
			if ((r = sd_bus_message_open_container(reply, 'r',
			    "oa{sv}")) < 0 ||
			    (r = sd_bus_message_append_basic(reply, 'o',
			    path)) < 0 ||
			    (r = dbus_append_channel_info(reply, ch)) < 0 ||
			    (r = sd_bus_message_close_container(reply)) < 0)
				goto out;
		}
	}
	if ((r = sd_bus_message_close_container(reply)) >= 0)
		r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

static int
dbus_mgr_list_channels(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_mgr_list(m, e, false);
}

static int
dbus_mgr_list_listeners(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_mgr_list(m, e, true);
}

/* AbortAll and AbortProcess: a(ouu) of (channel, state after, cancelled). */
static int
dbus_mgr_abort_some(sd_bus_message *m, sd_bus_error *e, bool by_pid)
{
	sd_bus_message *reply = NULL;
	struct dbus_peer *peer;
	struct channel *ch, *nch;
	char path[128];
	uint32_t pid = 0, n;
	size_t count = 0;
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	if (by_pid && (r = sd_bus_message_read(m, "u", &pid)) < 0)
		return r;
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "(ouu)")) < 0)
		goto out;
	for (ch = registry_first_channel(); ch != NULL; ch = nch) {
		nch = registry_next_channel(ch);
		if (!registry_may_access(&peer->sess, ch->uid))
			continue;
		if (by_pid && (uint32_t)ch->pid != pid)
			continue;
		n = channel_abort(ch);
		count++;
		dbus_path(path, sizeof(path), false, ch->id);
		if ((r = sd_bus_message_append(reply, "(ouu)", path,
		    ch->state, n)) < 0)
			goto out;
	}
	if (count > 0)
		log_info("uid %u pid %d aborted %zu channel(s) over D-Bus",
		    (unsigned)peer->sess.uid, (int)peer->sess.pid, count);
	if ((r = sd_bus_message_close_container(reply)) >= 0)
		r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

static int
dbus_mgr_abort_all(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_mgr_abort_some(m, e, false);
}

static int
dbus_mgr_abort_process(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return dbus_mgr_abort_some(m, e, true);
}

static int
dbus_mgr_reload(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct dbus_peer *peer;
	char why[256];
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	if (!registry_is_admin(&peer->sess))
		return dbus_reply_hr(m, E_ACCESSDENIED,
		    "only an administrator may reload the daemon");
	if (db.reload == NULL)
		return dbus_reply_hr(m, WS_E_INVALID_OPERATION,
		    "this daemon has no configuration to reload");
	why[0] = '\0';
	if (db.reload(why, sizeof(why)) < 0)
		return dbus_reply_hr(m, WS_E_INVALID_FORMAT, why);
	return sd_bus_reply_method_return(m, "");
}

/* The caller wants to hear when its long calls become pending. */
static int
dbus_mgr_enable_accepted(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct dbus_peer *peer;
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	peer->accepted = true;
	return sd_bus_reply_method_return(m, "");
}

/* A pure observer makes itself known: from now on it receives the signals
 * of the objects it may see (any other call does the same). */
static int
dbus_mgr_subscribe(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct dbus_peer *peer;
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	return sd_bus_reply_method_return(m, "");
}

static int
dbus_mgr_statistics(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	struct registry_stats st;
	struct dbus_peer *peer;
	int r;

	if ((r = dbus_peer_get(m, &peer, e)) < 0)
		return r;
	registry_stats(&st);
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "{sv}")) < 0 ||
	    (r = dbus_append_sv(reply, "Channels", "u", st.channels)) < 0 ||
	    (r = dbus_append_sv(reply, "Listeners", "u", st.listeners)) < 0 ||
	    (r = dbus_append_sv(reply, "PendingOperations", "u",
	    st.pending)) < 0 ||
	    (r = dbus_append_sv(reply, "UnixClients", "u",
	    control_connections())) < 0 ||
	    (r = dbus_append_sv(reply, "BusPeers", "u", db.npeers)) < 0 ||
	    (r = dbus_append_sv(reply, "UptimeUsec", "t",
	    dbus_now_usec() - db.started)) < 0 ||
	    (r = dbus_append_sv(reply, "Version", "s", PACKAGE_VERSION)) < 0 ||
	    (r = sd_bus_message_close_container(reply)) < 0)
		goto out;
	r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

/* ---- vtables ------------------------------------------------------------------------- */

#define M(name, in, innames, out, outnames, fn)			\
	SD_BUS_METHOD_WITH_NAMES(name, in, innames, out, outnames, fn,	\
	    SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable dbus_manager_vtable[] = {
	SD_BUS_VTABLE_START(SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Version", "s", dbus_manager_prop, 0,
	    SD_BUS_VTABLE_PROPERTY_CONST),
	M("CreateChannel", "uua{uv}", SD_BUS_PARAM(type) SD_BUS_PARAM(binding)
	    SD_BUS_PARAM(properties), "o", SD_BUS_PARAM(channel),
	    dbus_mgr_create_channel),
	M("CreateListener", "uua{uv}", SD_BUS_PARAM(type) SD_BUS_PARAM(binding)
	    SD_BUS_PARAM(properties), "o", SD_BUS_PARAM(listener),
	    dbus_mgr_create_listener),
	M("ListChannels", "", "", "a(oa{sv})", SD_BUS_PARAM(channels),
	    dbus_mgr_list_channels),
	M("ListListeners", "", "", "a(oa{sv})", SD_BUS_PARAM(listeners),
	    dbus_mgr_list_listeners),
	M("AbortAll", "", "", "a(ouu)", SD_BUS_PARAM(results),
	    dbus_mgr_abort_all),
	M("AbortProcess", "u", SD_BUS_PARAM(pid), "a(ouu)",
	    SD_BUS_PARAM(results), dbus_mgr_abort_process),
	M("Reload", "", "", "", "", dbus_mgr_reload),
	M("GetStatistics", "", "", "a{sv}", SD_BUS_PARAM(statistics),
	    dbus_mgr_statistics),
	M("EnableAccepted", "", "", "", "", dbus_mgr_enable_accepted),
	M("Subscribe", "", "", "", "", dbus_mgr_subscribe),
	SD_BUS_VTABLE_END,
};

#define CH_PROP(name, sig, flags)					\
	SD_BUS_PROPERTY(name, sig, dbus_channel_prop, 0, flags)

static const sd_bus_vtable dbus_channel_vtable[] = {
	SD_BUS_VTABLE_START(SD_BUS_VTABLE_UNPRIVILEGED),
	CH_PROP("Id", "t", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("State", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("StateCause", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("Type", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("Binding", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("Encoding", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("RemoteAddress", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("Url", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("Owner", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("OwnerPid", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("PendingOperations", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("BytesIn", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("BytesOut", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("MessagesIn", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("MessagesOut", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	M("Open", "s", SD_BUS_PARAM(url), "u", SD_BUS_PARAM(state),
	    dbus_ch_open),
	M("Close", "", "", "u", SD_BUS_PARAM(state), dbus_ch_close),
	M("Abort", "", "", "uu", SD_BUS_PARAM(state) SD_BUS_PARAM(cancelled),
	    dbus_ch_abort),
	M("Reset", "", "", "u", SD_BUS_PARAM(state), dbus_ch_reset),
	M("Free", "", "", "", "", dbus_ch_free),
	M("Send", "a{sv}", SD_BUS_PARAM(message), "u", SD_BUS_PARAM(state),
	    dbus_ch_send),
	M("Receive", "", "", "ua{sv}", SD_BUS_PARAM(result)
	    SD_BUS_PARAM(message), dbus_ch_receive),
	M("RequestReply", "a{sv}", SD_BUS_PARAM(request), "ua{sv}",
	    SD_BUS_PARAM(result) SD_BUS_PARAM(reply), dbus_ch_request_reply),
	M("ReadMessageStart", "", "", "ua{sv}", SD_BUS_PARAM(result)
	    SD_BUS_PARAM(message), dbus_ch_read_start),
	M("ReadMessageEnd", "", "", "u", SD_BUS_PARAM(state), dbus_ch_read_end),
	M("WriteMessageStart", "", "", "u", SD_BUS_PARAM(state),
	    dbus_ch_write_start),
	M("WriteMessageEnd", "a{sv}", SD_BUS_PARAM(message), "u",
	    SD_BUS_PARAM(state), dbus_ch_write_end),
	M("AbandonMessage", "", "", "u", SD_BUS_PARAM(state), dbus_ch_abandon),
	M("Shutdown", "", "", "u", SD_BUS_PARAM(state), dbus_ch_shutdown),
	M("GetProperty", "u", SD_BUS_PARAM(id), "v", SD_BUS_PARAM(value),
	    dbus_ch_get_property),
	M("SetProperty", "uv", SD_BUS_PARAM(id) SD_BUS_PARAM(value), "", ,
	    dbus_ch_set_property),
	SD_BUS_SIGNAL_WITH_NAMES("Accepted", "u", SD_BUS_PARAM(serial), 0),
	SD_BUS_VTABLE_END,
};

#define LS_PROP(name, sig, flags)					\
	SD_BUS_PROPERTY(name, sig, dbus_listener_prop, 0, flags)

static const sd_bus_vtable dbus_listener_vtable[] = {
	SD_BUS_VTABLE_START(SD_BUS_VTABLE_UNPRIVILEGED),
	LS_PROP("Id", "t", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("State", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	LS_PROP("StateCause", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	LS_PROP("Url", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	LS_PROP("Binding", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("Type", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("Owner", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("OwnerPid", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	M("Open", "s", SD_BUS_PARAM(url), "u", SD_BUS_PARAM(state),
	    dbus_ls_open),
	M("Accept", "o", SD_BUS_PARAM(channel), "u", SD_BUS_PARAM(state),
	    dbus_ls_accept),
	M("Close", "", "", "u", SD_BUS_PARAM(state), dbus_ls_close),
	M("Abort", "", "", "uu", SD_BUS_PARAM(state) SD_BUS_PARAM(cancelled),
	    dbus_ls_abort),
	M("Reset", "", "", "u", SD_BUS_PARAM(state), dbus_ls_reset),
	M("Free", "", "", "", "", dbus_ls_free),
	M("CreateChannel", "a{uv}", SD_BUS_PARAM(properties), "o",
	    SD_BUS_PARAM(channel), dbus_ls_create_channel),
	M("GetProperty", "u", SD_BUS_PARAM(id), "v", SD_BUS_PARAM(value),
	    dbus_ls_get_property),
	M("SetProperty", "uv", SD_BUS_PARAM(id) SD_BUS_PARAM(value), "", ,
	    dbus_ls_set_property),
	SD_BUS_SIGNAL_WITH_NAMES("Accepted", "u", SD_BUS_PARAM(serial), 0),
	SD_BUS_VTABLE_END,
};

#undef M

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
		if (!registry_may_access(&peer->sess, owner))
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
	uint64_t id;

	if (dbus_path_id(path, PATH_CHANNELS, &id)) {
		*vt = dbus_channel_vtable;
		*obj = registry_channel(id);
	} else if (dbus_path_id(path, PATH_LISTENERS, &id)) {
		*vt = dbus_listener_vtable;
		*obj = registry_listener(id);
	} else
		return -ENOENT;
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
	iface = vt == dbus_listener_vtable ? IFACE_LISTENER : IFACE_CHANNEL;
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
	dbus_path(path, sizeof(path), o->is_listener, o->id);
	dbus_signal_peers(o->is_listener ? ls->uid : ch->uid, path, path,
	    "org.freedesktop.DBus.Properties", "PropertiesChanged",
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
	const char *iface = ev->is_listener ? IFACE_LISTENER : IFACE_CHANNEL;
	struct dbus_obj *o;
	char path[128];

	if (db.bus == NULL)
		return;
	dbus_path(path, sizeof(path), ev->is_listener, ev->object);
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
		dbus_signal_peers(ev->owner_uid, CONTROL_DBUS_PATH, path,
		    IFACE_OBJMANAGER, "InterfacesAdded", dbus_fill_added,
		    (void *)iface);
		break;
	case STATE_EVENT_REMOVED:
		if ((o = dbus_obj_find(ev->object, ev->is_listener)) != NULL)
			dbus_obj_free(o);
		dbus_signal_peers(ev->owner_uid, CONTROL_DBUS_PATH, path,
		    IFACE_OBJMANAGER, "InterfacesRemoved", dbus_fill_removed,
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

/* ---- connection ----------------------------------------------------------------------- */

static void
dbus_teardown(void)
{
	struct dbus_peer *peer;
	struct dbus_obj *o;

	while ((peer = TAILQ_FIRST(&db.peers)) != NULL)
		dbus_peer_end(peer, !db.lost);
	registry_watch_remove(db.watch);
	db.watch = NULL;
	while ((o = TAILQ_FIRST(&db.objs)) != NULL)
		dbus_obj_free(o);
	if (db.counters != NULL) {
		event_free(db.counters);
		db.counters = NULL;
	}
	if (!db.lost)
		bus_loop_flush(db.loop, DBUS_FLUSH_MS);
	bus_loop_free(db.loop);
	db.loop = NULL;
	if (db.bus != NULL) {
		sd_bus_close(db.bus);
		sd_bus_unref(db.bus);
		db.bus = NULL;
	}
}

static void
dbus_lost_cb(evutil_socket_t fd, short what, void *arg)
{
	dbus_teardown();
}

/* The bus went away under us.  The Unix door goes on; the watchdog stops
 * (control_dbus_connected) so that a supervised daemon gets restarted. */
static void
dbus_closed(void *arg)
{
	if (db.lost)
		return;
	db.lost = true;
	log_warnx("the D-Bus connection is gone; serving the Unix socket only");
	/* Not from inside bus_loop's own callback. */
	if (event_base_once(db.base, -1, EV_TIMEOUT, dbus_lost_cb, NULL,
	    NULL) != 0)
		log_warnx("cannot schedule the D-Bus teardown");
}

static int
dbus_open_bus(const char *which, sd_bus **out)
{
	sd_bus *bus = NULL;
	int r;

	if (strcmp(which, "system") == 0)
		return sd_bus_open_system_with_description(out, "wschanneld");
	if (strcmp(which, "session") == 0)
		return sd_bus_open_user_with_description(out, "wschanneld");
	if ((r = sd_bus_new(&bus)) < 0)
		return r;
	if ((r = sd_bus_set_address(bus, which)) < 0 ||
	    (r = sd_bus_set_bus_client(bus, 1)) < 0 ||
	    (r = sd_bus_set_description(bus, "wschanneld")) < 0 ||
	    (r = sd_bus_start(bus)) < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*out = bus;
	return 0;
}

int
control_dbus_init(struct event_base *base, const char *which,
    control_dbus_reload_fn reload)
{
	struct channel *ch;
	struct listener *ls;
	struct state_event ev;
	size_t i;
	int r;

	for (i = 0; i < DBUS_OBJ_BUCKETS; i++)
		TAILQ_INIT(&db.objhash[i]);
	db.base = base;
	db.reload = reload;
	db.started = dbus_now_usec();
	if ((r = dbus_open_bus(which, &db.bus)) < 0) {
		log_warnx("cannot connect to the %s bus: %s", which,
		    strerror(-r));
		db.bus = NULL;
		return r;
	}
	if ((r = sd_bus_add_object_vtable(db.bus, NULL, CONTROL_DBUS_PATH,
	    IFACE_MANAGER, dbus_manager_vtable, NULL)) < 0 ||
	    (r = sd_bus_add_fallback_vtable(db.bus, NULL, PATH_CHANNELS,
	    IFACE_CHANNEL, dbus_channel_vtable, dbus_find_channel, NULL)) < 0 ||
	    (r = sd_bus_add_fallback_vtable(db.bus, NULL, PATH_LISTENERS,
	    IFACE_LISTENER, dbus_listener_vtable, dbus_find_listener,
	    NULL)) < 0 ||
	    (r = sd_bus_add_node_enumerator(db.bus, NULL, PATH_CHANNELS,
	    dbus_enumerate, NULL)) < 0 ||
	    (r = sd_bus_add_node_enumerator(db.bus, NULL, PATH_LISTENERS,
	    dbus_enumerate, (void *)1)) < 0 ||
	    (r = sd_bus_add_object_manager(db.bus, NULL,
	    CONTROL_DBUS_PATH)) < 0) {
		log_warnx("cannot export the D-Bus objects: %s", strerror(-r));
		goto fail;
	}
	if ((db.counters = evtimer_new(base, dbus_counters_cb, NULL)) == NULL ||
	    (db.watch = registry_watch_add(dbus_watch_cb, NULL)) == NULL) {
		r = -ENOMEM;
		goto fail;
	}
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
	/* At start, before the loop runs: a plain blocking call is fine. */
	if ((r = sd_bus_request_name(db.bus, CONTROL_DBUS_NAME, 0)) < 0) {
		log_warnx("cannot own %s on the %s bus: %s", CONTROL_DBUS_NAME,
		    which, strerror(-r));
		goto fail;
	}
	if ((r = bus_loop_new(base, db.bus, dbus_closed, NULL, &db.loop)) < 0)
		goto fail;
	log_info("serving %s on the %s bus", CONTROL_DBUS_NAME, which);
	return 0;
fail:
	dbus_teardown();
	return r;
}

void
control_dbus_stop_accepting(void)
{
	if (db.bus == NULL || db.stopping)
		return;
	db.stopping = true;
	if (sd_bus_release_name_async(db.bus, NULL, CONTROL_DBUS_NAME, NULL,
	    NULL) < 0)
		log_debug("cannot release %s", CONTROL_DBUS_NAME);
	bus_loop_rearm(db.loop);
}

void
control_dbus_shutdown(void)
{
	if (db.bus == NULL && db.loop == NULL && db.watch == NULL)
		return;
	dbus_teardown();
}

bool
control_dbus_connected(void)
{
	return db.bus != NULL && !db.lost;
}

unsigned
control_dbus_peers(void)
{
	return db.npeers;
}
