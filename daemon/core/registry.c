/* Objects by id, sessions, ownership and state-change subscribers. */
#include <sys/types.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/dns.h>

#include <wschannel/webservices.h>

#include "registry.h"
#include "channel.h"
#include "listener.h"
#include "log.h"

#define REGISTRY_BUCKETS 1024

struct watcher {
	registry_watch_fn	 fn;
	void			*arg;
	TAILQ_ENTRY(watcher)	 entry;
};

static struct event_base	*reg_base;
static struct evdns_base	*reg_dns;
static uint64_t			 reg_next_id = 1;
static uint64_t			 reg_seq;
static gid_t			 reg_admin_gid = (gid_t)-1;
/* Datagrams dropped by transports since start (GetStatistics). */
static uint64_t		 reg_dropped;
static struct registry_limits	 reg_limits;
static TAILQ_HEAD(, channel)	 reg_channels = TAILQ_HEAD_INITIALIZER(reg_channels);
static TAILQ_HEAD(, listener)	 reg_listeners = TAILQ_HEAD_INITIALIZER(reg_listeners);
static TAILQ_HEAD(, channel)	 reg_chash[REGISTRY_BUCKETS];
static TAILQ_HEAD(, watcher)	 reg_watchers = TAILQ_HEAD_INITIALIZER(reg_watchers);
static size_t			 reg_nchannels, reg_nlisteners;
/* How channels and listeners end, as they told us when registering. */
static const struct registry_kind *reg_channel_kind;
static const struct registry_kind *reg_listener_kind;

/* ---- the end of a loop pass (registry.h) ---- */

static unsigned		 reg_activations;
static struct event	*reg_pass_ev;
static void		(*reg_pass_fn[REGISTRY_PASS_PHASES])(void);
static bool		 reg_pass_queued;
static unsigned		 reg_pass_seen;	/* reg_activations when queued */

void
registry_activate(struct event *ev, short what)
{
	reg_activations++;
	event_active(ev, what, 0);
}

/*
 * Active events run in the order they were made active, so the pass's
 * end is queued again behind whatever was made runnable since it was
 * queued; then each phase asked for runs, in order.  What a phase asks
 * for runs later in this round, or in the next one queued meanwhile.
 */
static void
registry_pass_cb(evutil_socket_t fd, short what, void *arg)
{
	void (*fn)(void);
	int i;

	(void)fd;
	(void)what;
	(void)arg;
	if (reg_pass_seen != reg_activations) {
		reg_pass_seen = reg_activations;
		event_active(reg_pass_ev, EV_TIMEOUT, 0);
		return;
	}
	reg_pass_queued = false;
	for (i = 0; i < REGISTRY_PASS_PHASES; i++) {
		if ((fn = reg_pass_fn[i]) != NULL) {
			reg_pass_fn[i] = NULL;
			fn();
		}
	}
}

bool
registry_pass_end(enum registry_phase phase, void (*fn)(void))
{
	if (reg_pass_ev == NULL)
		return false;
	reg_pass_fn[phase] = fn;
	if (!reg_pass_queued) {
		reg_pass_queued = true;
		reg_pass_seen = reg_activations;
		event_active(reg_pass_ev, EV_TIMEOUT, 0);
	}
	return true;
}

void
registry_pass_free(void)
{
	int i;

	if (reg_pass_ev != NULL)
		event_free(reg_pass_ev);
	reg_pass_ev = NULL;
	reg_pass_queued = false;
	for (i = 0; i < REGISTRY_PASS_PHASES; i++)
		reg_pass_fn[i] = NULL;
}

int
registry_init(struct event_base *base)
{
	const char *rc;
	size_t i;

	reg_base = base;
	if ((reg_pass_ev = event_new(base, -1, 0, registry_pass_cb,
	    NULL)) == NULL)
		return -ENOMEM;
	for (i = 0; i < REGISTRY_BUCKETS; i++)
		TAILQ_INIT(&reg_chash[i]);
	/* Name resolution for net.tcp hosts that are not literals.  Tests
	 * give their own resolv.conf (a name server that never answers). */
	if ((rc = getenv("WSCHANNEL_RESOLV_CONF")) != NULL && *rc != '\0' &&
	    (reg_dns = evdns_base_new(base,
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) != NULL &&
	    evdns_base_resolv_conf_parse(reg_dns, DNS_OPTIONS_ALL, rc) != 0) {
		evdns_base_free(reg_dns, 0);
		reg_dns = NULL;
	}
	if (reg_dns == NULL)
		reg_dns = evdns_base_new(base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (reg_dns == NULL) {
		reg_dns = evdns_base_new(base, 0);
		if (reg_dns == NULL)
			return -ENOMEM;
		evdns_base_load_hosts(reg_dns, NULL);
	}
	return 0;
}

void
registry_shutdown(void)
{
	struct channel *ch;
	struct listener *ls;
	struct watcher *w;

	while ((ls = TAILQ_FIRST(&reg_listeners)) != NULL)
		reg_listener_kind->free(ls);
	while ((ch = TAILQ_FIRST(&reg_channels)) != NULL)
		reg_channel_kind->free(ch);
	while ((w = TAILQ_FIRST(&reg_watchers)) != NULL) {
		TAILQ_REMOVE(&reg_watchers, w, entry);
		free(w);
	}
	if (reg_dns != NULL) {
		evdns_base_free(reg_dns, 1);
		reg_dns = NULL;
	}
}

struct event_base *
registry_base(void)
{
	return reg_base;
}

struct evdns_base *
registry_dns(void)
{
	return reg_dns;
}

void
registry_set_admin_gid(gid_t gid)
{
	reg_admin_gid = gid;
}

void
registry_session_init(struct session *s, uid_t uid, pid_t pid, gid_t gid)
{
	s->uid = uid;
	s->pid = pid;
	s->gid = gid;
	s->owned = 0;
	TAILQ_INIT(&s->pendings);
}

void
registry_session_end(struct session *s)
{
	struct channel *ch, *nch;
	struct listener *ls, *nls;
	struct pending *p;

	/* Its own requests first: nobody is left to hear their replies. */
	while ((p = TAILQ_FIRST(&s->pendings)) != NULL)
		pending_complete(p, WS_E_OPERATION_ABORTED);
	if (s->owned == 0)
		return;
	for (ls = TAILQ_FIRST(&reg_listeners); ls != NULL; ls = nls) {
		nls = TAILQ_NEXT(ls, entry);
		if (ls->owner == s)
			reg_listener_kind->free(ls);
	}
	for (ch = TAILQ_FIRST(&reg_channels); ch != NULL; ch = nch) {
		nch = TAILQ_NEXT(ch, entry);
		if (ch->owner == s)
			reg_channel_kind->free(ch);
	}
}

bool
registry_is_admin(const struct session *s)
{
	return s->uid == 0 ||
	    (reg_admin_gid != (gid_t)-1 && s->gid == reg_admin_gid);
}

bool
registry_may_access(const struct session *s, uid_t owner_uid)
{
	return s->uid == owner_uid || registry_is_admin(s);
}

uint64_t
registry_next_id(void)
{
	return reg_next_id++;
}

static void
registry_notify_object(enum state_event_kind kind, uint64_t id, bool is_listener,
    uint32_t state, uid_t uid, pid_t pid)
{
	struct state_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.object = id;
	ev.is_listener = is_listener;
	ev.old_state = ev.new_state = state;
	ev.owner_uid = uid;
	ev.owner_pid = pid;
	registry_notify(&ev);
}

void
registry_add_channel(struct channel *ch, const struct registry_kind *kind)
{
	reg_channel_kind = kind;
	TAILQ_INSERT_TAIL(&reg_channels, ch, entry);
	reg_nchannels++;
	if (ch->owner != NULL)
		ch->owner->owned++;
	TAILQ_INSERT_TAIL(&reg_chash[ch->id % REGISTRY_BUCKETS], ch, hash_entry);
	registry_notify_object(STATE_EVENT_ADDED, ch->id, false, ch->state,
	    ch->uid, ch->pid);
}

void
registry_remove_channel(struct channel *ch)
{
	TAILQ_REMOVE(&reg_channels, ch, entry);
	reg_nchannels--;
	if (ch->owner != NULL)
		ch->owner->owned--;
	TAILQ_REMOVE(&reg_chash[ch->id % REGISTRY_BUCKETS], ch, hash_entry);
	registry_notify_object(STATE_EVENT_REMOVED, ch->id, false, ch->state,
	    ch->uid, ch->pid);
}

void
registry_add_listener(struct listener *ls, const struct registry_kind *kind)
{
	reg_listener_kind = kind;
	TAILQ_INSERT_TAIL(&reg_listeners, ls, entry);
	reg_nlisteners++;
	if (ls->owner != NULL)
		ls->owner->owned++;
	registry_notify_object(STATE_EVENT_ADDED, ls->id, true, ls->state,
	    ls->uid, ls->pid);
}

void
registry_remove_listener(struct listener *ls)
{
	TAILQ_REMOVE(&reg_listeners, ls, entry);
	reg_nlisteners--;
	if (ls->owner != NULL)
		ls->owner->owned--;
	registry_notify_object(STATE_EVENT_REMOVED, ls->id, true, ls->state,
	    ls->uid, ls->pid);
}

struct channel *
registry_channel(uint64_t id)
{
	struct channel *ch;

	TAILQ_FOREACH(ch, &reg_chash[id % REGISTRY_BUCKETS], hash_entry)
		if (ch->id == id)
			return ch;
	return NULL;
}

struct listener *
registry_listener(uint64_t id)
{
	struct listener *ls;

	TAILQ_FOREACH(ls, &reg_listeners, entry)
		if (ls->id == id)
			return ls;
	return NULL;
}

int32_t
registry_lookup_channel(const struct session *s, uint64_t id,
    struct channel **out)
{
	struct channel *ch;

	if ((ch = registry_channel(id)) == NULL)
		return E_INVALIDARG;
	if (!registry_may_access(s, ch->uid))
		return E_ACCESSDENIED;
	*out = ch;
	return S_OK;
}

int32_t
registry_lookup_listener(const struct session *s, uint64_t id,
    struct listener **out)
{
	struct listener *ls;

	if ((ls = registry_listener(id)) == NULL)
		return E_INVALIDARG;
	if (!registry_may_access(s, ls->uid))
		return E_ACCESSDENIED;
	*out = ls;
	return S_OK;
}

struct channel *
registry_first_channel(void)
{
	return TAILQ_FIRST(&reg_channels);
}

struct channel *
registry_next_channel(struct channel *ch)
{
	return TAILQ_NEXT(ch, entry);
}

size_t
registry_nchannels(void)
{
	return reg_nchannels;
}

size_t
registry_nlisteners(void)
{
	return reg_nlisteners;
}

struct listener *
registry_first_listener(void)
{
	return TAILQ_FIRST(&reg_listeners);
}

struct listener *
registry_next_listener(struct listener *ls)
{
	return TAILQ_NEXT(ls, entry);
}

void *
registry_watch_add(registry_watch_fn fn, void *arg)
{
	struct watcher *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->fn = fn;
	w->arg = arg;
	TAILQ_INSERT_TAIL(&reg_watchers, w, entry);
	return w;
}

void
registry_watch_remove(void *handle)
{
	struct watcher *w = handle;

	if (w == NULL)
		return;
	TAILQ_REMOVE(&reg_watchers, w, entry);
	free(w);
}

void
registry_notify(struct state_event *ev)
{
	struct watcher *w, *nw;

	ev->seq = ++reg_seq;
	for (w = TAILQ_FIRST(&reg_watchers); w != NULL; w = nw) {
		nw = TAILQ_NEXT(w, entry);
		w->fn(ev, w->arg);
	}
}

void
registry_stats(struct registry_stats *st)
{
	struct channel *ch;
	struct listener *ls;

	st->channels = st->listeners = st->pending = 0;
	st->dropped = reg_dropped;
	TAILQ_FOREACH(ch, &reg_channels, entry) {
		st->channels++;
		st->pending += pending_count(&ch->pendings);
	}
	TAILQ_FOREACH(ls, &reg_listeners, entry) {
		st->listeners++;
		st->pending += pending_count(&ls->pendings);
	}
}

void
registry_count_dropped(uint64_t n)
{
	reg_dropped += n;
}

gid_t
registry_admin_gid(void)
{
	return reg_admin_gid;
}

void
registry_abort_all(void)
{
	struct channel *ch;
	struct listener *ls;

	TAILQ_FOREACH(ls, &reg_listeners, entry)
		reg_listener_kind->abort(ls);
	TAILQ_FOREACH(ch, &reg_channels, entry)
		reg_channel_kind->abort(ch);
}

void
registry_set_limits(const struct registry_limits *l)
{
	reg_limits = *l;
}

int32_t
registry_check_quota(const struct session *s, bool listener, const char **why)
{
	struct channel *ch;
	struct listener *ls;
	unsigned n = 0, max;

	max = listener ? reg_limits.listeners_per_user :
	    reg_limits.channels_per_user;
	if (max == 0 || registry_is_admin(s))
		return S_OK;
	if (listener) {
		TAILQ_FOREACH(ls, &reg_listeners, entry)
			if (ls->uid == s->uid)
				n++;
	} else {
		TAILQ_FOREACH(ch, &reg_channels, entry)
			if (ch->uid == s->uid)
				n++;
	}
	if (n < max)
		return S_OK;
	*why = listener ? "the user owns its maximum of listeners" :
	    "the user owns its maximum of channels";
	return WS_E_QUOTA_EXCEEDED;
}
