/*
 * Listeners and the accepts waiting on them.  Like a channel, a listener
 * is freed later from the loop (listener_free), so that a transport
 * callback of the listener may be on the stack when it is aborted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "listener.h"
#include "log.h"
#include "registry.h"
#include "state.h"
#include "transport.h"
#include "url.h"

static unsigned
listener_kind_abort(void *obj)
{
	return listener_abort(obj);
}

static void
listener_kind_free(void *obj)
{
	listener_free(obj);
}

/* What the registry calls to end a listener (registry.h). */
static const struct registry_kind listener_kind = {
	.abort = listener_kind_abort,
	.free = listener_kind_free,
};

int32_t
listener_prop_check(uint32_t binding, uint32_t id, uint64_t value,
    bool at_create, const char **why)
{
	const struct transport_binding *tb;
	int32_t hr;

	if ((hr = transport_lookup(binding, &tb, why)) != S_OK ||
	    (hr = prop_check_settable(listener_prop(id), binding, value,
	    at_create, why)) != S_OK)
		return hr;
	return transport_prop_check(tb, true, id, value, why);
}

int32_t
listener_new(struct session *owner, uint32_t type, uint32_t binding,
    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
    struct listener **out, const char **why)
{
	const struct transport_binding *tb;
	struct listener *ls;
	int32_t hr;
	size_t i;

	if ((hr = transport_lookup(binding, &tb, why)) != S_OK)
		return hr;
	if (type >= 32 || !(tb->listener_types & TRANSPORT_BIT(type))) {
		*why = "channel type not valid for a listener of this binding";
		return E_INVALIDARG;
	}
	for (i = 0; i < nprops; i++)
		if ((hr = listener_prop_check(binding, prop_ids[i],
		    prop_vals[i], true, why)) != S_OK)
			return hr;
	if ((ls = calloc(1, sizeof(*ls))) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	ls->id = registry_next_id();
	ls->owner = owner;
	ls->uid = owner != NULL ? owner->uid : 0;
	ls->pid = owner != NULL ? owner->pid : 0;
	ls->type = type;
	ls->binding = binding;
	ls->state = WS_LISTENER_STATE_CREATED;
	ls->tb = tb;
	TAILQ_INIT(&ls->pendings);
	TAILQ_INIT(&ls->accepting);
	for (i = 0; i < LISTENER_PROP_COUNT; i++)
		ls->props[i] = listener_prop(i)->def;
	ls->props[WS_LISTENER_PROPERTY_CHANNEL_TYPE] = type;
	ls->props[WS_LISTENER_PROPERTY_CHANNEL_BINDING] = binding;
	for (i = 0; i < nprops; i++)
		ls->props[prop_ids[i]] = prop_vals[i];
	registry_add_listener(ls, &listener_kind);
	*out = ls;
	return S_OK;
}

static void
listener_set_state(struct listener *ls, uint32_t state, int32_t cause)
{
	struct state_event ev;

	if (ls->state == state)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.object = ls->id;
	ev.is_listener = true;
	ev.old_state = ls->state;
	ev.new_state = state;
	ev.cause = cause;
	ev.owner_uid = ls->uid;
	ev.owner_pid = ls->pid;
	ls->state = state;
	ls->state_cause = cause;
	registry_notify(&ev);
}

int32_t
listener_open(struct listener *ls, const char *urlstr, const char **why)
{
	struct url u;
	int32_t hr;

	if ((hr = state_listener_check(LS_CALL_OPEN, ls->state)) != S_OK) {
		*why = "WsOpenListener needs a listener in the CREATED state";
		return hr;
	}
	if (url_parse(urlstr, &u) != 0 || u.scheme != ls->tb->scheme) {
		*why = "URL does not fit the listener's binding";
		return WS_E_INVALID_ENDPOINT_URL;
	}
	if (ls->tb->ops == NULL) {
		*why = "this transport is not available in this build";
		return WS_E_NOT_SUPPORTED;
	}
	/* The daemon may hold privileges its clients lack: a port below 1024
	 * is only opened for root or the admin group, as the kernel would. */
	if (u.port != 0 && u.port < 1024 &&
	    (ls->owner == NULL || !registry_is_admin(ls->owner))) {
		*why = "ports below 1024 are for root and the admin group";
		return E_ACCESSDENIED;
	}
	listener_set_state(ls, WS_LISTENER_STATE_OPENING, S_OK);
	if ((hr = ls->tb->ops->listener_open(ls, &u, why)) != S_OK) {
		listener_set_state(ls, WS_LISTENER_STATE_FAULTED, hr);
		return hr;
	}
	free(ls->url);
	ls->url = strdup(urlstr);
	listener_set_state(ls, WS_LISTENER_STATE_OPEN, S_OK);
	return S_OK;
}

int32_t
listener_accept(struct listener *ls, struct channel *ch, struct pending *p,
    const char **why)
{
	int32_t hr;

	if ((hr = state_channel_check(CH_CALL_ACCEPT, ch->state)) != S_OK) {
		*why = "WsAcceptChannel needs a channel in the CREATED state";
		return hr;
	}
	/* Argument and precondition failures change nothing. */
	if ((hr = state_listener_check(LS_CALL_ACCEPT, ls->state)) != S_OK) {
		*why = "WsAcceptChannel needs an OPEN listener";
		return hr;
	}
	if (ch->binding != ls->binding || ch->type != ls->type) {
		*why = "channel type or binding differs from the listener's";
		return E_INVALIDARG;
	}
	(void)channel_set_url(ch, ls->url);	/* a listing's "-" if not */
	ch->listener_id = ls->id;
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	ch->accept_on = ls;
	TAILQ_INSERT_TAIL(&ls->accepting, ch, accept_entry);
	channel_set_state(ch, WS_CHANNEL_STATE_ACCEPTING, S_OK);
	if (ls->tp != NULL)
		ls->tb->ops->listener_accept(ls);
	return S_OK;
}

struct channel *
listener_transport_incoming(struct listener *ls, void *tp)
{
	struct channel *ch;

	if ((ch = TAILQ_FIRST(&ls->accepting)) == NULL)
		return NULL;
	TAILQ_REMOVE(&ls->accepting, ch, accept_entry);
	ch->accept_on = NULL;
	ch->tp = tp;
	return ch;
}

bool
listener_transport_requeue(struct channel *ch)
{
	struct listener *ls = registry_listener(ch->listener_id);

	/* The peer is gone and so is the transport's state. */
	ch->tp = NULL;
	ch->remote[0] = '\0';
	if (ls == NULL || ls->state != WS_LISTENER_STATE_OPEN ||
	    ch->state != WS_CHANNEL_STATE_ACCEPTING || ch->accept_on != NULL)
		return false;
	ch->accept_on = ls;
	TAILQ_INSERT_HEAD(&ls->accepting, ch, accept_entry);
	if (ls->tp != NULL)
		ls->tb->ops->listener_accept(ls);
	return true;
}

unsigned
listener_transport_waiting(const struct listener *ls)
{
	const struct channel *ch;
	unsigned n = 0;

	TAILQ_FOREACH(ch, &ls->accepting, accept_entry)
		n++;
	return n;
}

void
listener_transport_endpoint(struct listener *ls, const char *local,
    const char *group)
{
	snprintf(ls->local, sizeof(ls->local), "%s", local != NULL ? local : "");
	snprintf(ls->group, sizeof(ls->group), "%s", group != NULL ? group : "");
}

void
listener_transport_dropped(struct listener *ls, uint64_t n)
{
	ls->dropped += n;
	registry_count_dropped(n);
}

uint64_t
listener_id(const struct listener *ls)
{
	return ls->id;
}

uint64_t
listener_prop_value(const struct listener *ls, uint32_t id)
{
	return id < LISTENER_PROP_COUNT ? ls->props[id] : 0;
}

void *
listener_tp(const struct listener *ls)
{
	return ls->tp;
}

void
listener_set_tp(struct listener *ls, void *tp)
{
	ls->tp = tp;
}

/* Ends every accept waiting on `ls`: those channels become FAULTED. */
static unsigned
listener_cancel_accepts(struct listener *ls)
{
	struct channel *ch;
	unsigned n = 0;

	while ((ch = TAILQ_FIRST(&ls->accepting)) != NULL)
		n += channel_abort(ch);
	return n;
}

/* The transport lets go of the listener: closing, or aborting. */
static void
listener_transport_stop(struct listener *ls, bool abortive)
{
	if (ls->tp == NULL)
		return;
	if (abortive)
		ls->tb->ops->listener_abort(ls);
	else
		ls->tb->ops->listener_close(ls);
	ls->tp = NULL;
}

int32_t
listener_close(struct listener *ls)
{
	switch (ls->state) {
	case WS_LISTENER_STATE_OPEN:
	case WS_LISTENER_STATE_OPENING:
		listener_set_state(ls, WS_LISTENER_STATE_CLOSING, S_OK);
		/* FALLTHROUGH */
	case WS_LISTENER_STATE_FAULTED:
		listener_cancel_accepts(ls);
		listener_transport_stop(ls, false);
		break;
	default:
		break;
	}
	listener_set_state(ls, WS_LISTENER_STATE_CLOSED, S_OK);
	return S_OK;
}

unsigned
listener_abort(struct listener *ls)
{
	uint32_t after = state_listener_after_abort(ls->state);
	unsigned n;

	n = listener_cancel_accepts(ls);
	listener_transport_stop(ls, true);
	listener_set_state(ls, after, WS_E_OPERATION_ABORTED);
	return n;
}

int32_t
listener_reset(struct listener *ls, const char **why)
{
	int32_t hr;

	if ((hr = state_listener_check(LS_CALL_RESET, ls->state)) != S_OK) {
		*why = "WsResetListener needs a CREATED or CLOSED listener";
		return hr;
	}
	free(ls->url);
	ls->url = NULL;
	ls->local[0] = ls->group[0] = '\0';
	listener_set_state(ls, WS_LISTENER_STATE_CREATED, S_OK);
	return S_OK;
}

static void
listener_release_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener *ls = arg;

	free(ls->url);
	free(ls);
}

void
listener_free(struct listener *ls)
{
	if (ls == NULL || ls->dead)
		return;
	listener_abort(ls);
	ls->dead = true;
	registry_remove_listener(ls);
	log_debug("listener %llu freed", (unsigned long long)ls->id);
	/* Callbacks of this listener may still be on the stack. */
	if (event_base_once(registry_base(), -1, EV_TIMEOUT,
	    listener_release_cb, ls, NULL) == -1)
		log_warnx("listener %llu: cannot defer release; leaking it",
		    (unsigned long long)ls->id);
}

int32_t
listener_get_property(struct listener *ls, uint32_t id, uint64_t *u,
    const char **s, const char **why)
{
	int32_t hr;

	if ((hr = prop_check_readable(listener_prop(id), ls->binding,
	    why)) != S_OK)
		return hr;
	*s = NULL;
	*u = id == WS_LISTENER_PROPERTY_STATE ? ls->state : ls->props[id];
	return S_OK;
}

int32_t
listener_set_property(struct listener *ls, uint32_t id, uint64_t value,
    const char **why)
{
	uint64_t old;
	int32_t hr;

	if ((hr = listener_prop_check(ls->binding, id, value, false, why)) != S_OK)
		return hr;
	old = ls->props[id];
	ls->props[id] = value;
	/* A property the transport applies while open (multicast joins). */
	if (ls->tp != NULL && ls->tb->ops->listener_set != NULL &&
	    (hr = ls->tb->ops->listener_set(ls, id, why)) != S_OK) {
		ls->props[id] = old;
		return hr;
	}
	return S_OK;
}

int32_t
listener_new_channel(struct listener *ls, struct session *owner,
    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
    struct channel **out, const char **why)
{
	int32_t hr;

	hr = channel_new(owner, ls->type, ls->binding, prop_ids, prop_vals,
	    nprops, out, why);
	if (hr == S_OK)
		(*out)->listener_id = ls->id;
	return hr;
}
