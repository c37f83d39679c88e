/*
 * The dispatcher of both doors (request.h): ownership and argument checks,
 * the one call into the core, the pending's life, and the typed result a
 * door turns into its reply.  Per-request progress (answered, running)
 * lives in the request, so a completion that runs inside the core call is
 * seen without any door-wide flag.
 */
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "envelope.h"
#include "freelist.h"
#include "hresult.h"
#include "listener.h"
#include "log.h"
#include "pending.h"
#include "registry.h"
#include "request.h"
#include "request_log.h"

#define REQUEST_MAX_DOORS	4

static struct request_door	*request_doors[REQUEST_MAX_DOORS];
static uint64_t			 request_started;	/* usec, monotonic */

static uint64_t
request_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A request is 1.4 KiB, most of it the property arrays of creates, which
 * a reused one needs no zeroing of (nprops is 0). */
static struct freelist	 request_kept;

void
request_cache_drop(void)
{
	freelist_drain(&request_kept);
}

void
request_door_add(struct request_door *door)
{
	size_t i;

	if (request_started == 0)
		request_started = request_now_usec();
	for (i = 0; i < REQUEST_MAX_DOORS; i++) {
		if (request_doors[i] == door)
			return;
		if (request_doors[i] == NULL) {
			request_doors[i] = door;
			return;
		}
	}
}

void
request_door_remove(struct request_door *door)
{
	size_t i;

	for (i = 0; i < REQUEST_MAX_DOORS; i++)
		if (request_doors[i] == door)
			request_doors[i] = NULL;
}

void
request_client_init(struct request_client *c, struct request_door *door,
    uid_t uid, pid_t pid, gid_t gid)
{
	registry_session_init(&c->sess, uid, pid, gid);
	c->door = door;
	c->watch = NULL;
	c->interim = false;
}

void
request_client_end(struct request_client *c)
{
	registry_watch_remove(c->watch);
	c->watch = NULL;
	registry_session_end(&c->sess);
}

struct request *
request_new(struct request_client *c, enum request_op op)
{
	struct request *r;
	size_t props = offsetof(struct request, arg.prop_ids);
	size_t rest = offsetof(struct request, arg.nprops);

	if ((r = freelist_take(&request_kept)) != NULL) {
		memset(r, 0, props);
		memset((uint8_t *)r + rest, 0, sizeof(*r) - rest);
	} else if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->op = op;
	r->client = c;
	return r;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	envelope_clear(&r->arg.msg);
	envelope_clear(&r->res.first);
	free(r->res.aborts);
	free(r->res.channels);
	free(r->res.listeners);
	freelist_give(&request_kept, r);
}

void
request_bad_arg(struct request *r, int32_t hr, const char *why)
{
	if (r->arg.hr == S_OK) {
		r->arg.hr = hr;
		r->arg.why = why;
	}
}

int32_t
request_add_prop(struct request *r, uint32_t id, uint64_t value)
{
	if (r->arg.nprops == REQUEST_MAX_PROPS) {
		request_bad_arg(r, E_INVALIDARG, "too many properties");
		return E_INVALIDARG;
	}
	r->arg.prop_ids[r->arg.nprops] = id;
	r->arg.prop_vals[r->arg.nprops++] = value;
	return S_OK;
}

unsigned
request_listener_accepts(const struct listener *ls)
{
	const struct channel *a;
	unsigned n = 0;

	TAILQ_FOREACH(a, &ls->accepting, accept_entry)
		n++;
	return n;
}

/* ---- answering ------------------------------------------------------------ */

/* The terminal answer: the door replies, then the request is done. */
static void
request_finish(struct request *r, int32_t hr, const char *why)
{
	r->res.hr = hr;
	r->res.why = why;
	r->client->door->done(r);
	r->answered = true;
	r->res.msg = NULL;
	if (!r->running)
		request_free(r);
}

/* The same, with the state of the object the request named. */
static void
request_finish_state(struct request *r, int32_t hr, const char *why,
    uint32_t state)
{
	r->res.has_state = true;
	r->res.state = state;
	request_finish(r, hr, why);
}

/* A new channel or listener: its id, and its state (CREATED, 0 for both). */
static void
request_finish_created(struct request *r, int32_t hr, const char *why)
{
	if (hr == S_OK)
		request_finish_state(r, hr, NULL, 0);
	else
		request_finish(r, hr, why);
}

/* ---- pending operations ------------------------------------------------------- */

/* The receive an accept makes for its first message: keeps the message
 * in the request, and tells it the receive completed. */
static void
request_take_done(struct pending *p, int32_t hr, void *arg)
{
	struct request *r = arg;

	r->res.taken = true;
	if (hr == S_OK && p->msg.envelope_version != 0) {
		r->res.first = p->msg;
		memset(&p->msg, 0, sizeof(p->msg));
	}
}

/*
 * An accept that completed with a message its transport holds (an
 * accepted datagram or HTTP request) hands that message over at once when
 * the client asked (want_message): a receive that completes inside the
 * call, as WsReceiveMessage's would.  A receive that would have to wait is
 * withdrawn unseen, and the client receives as usual.
 */
static void
request_accept_take(struct request *r, struct channel *ch)
{
	struct pending *p;
	const char *why = NULL;

	if (ch->state != WS_CHANNEL_STATE_OPEN || ch->reading ||
	    ch->end_received ||
	    pending_first(&ch->pendings, PENDING_RECEIVE) != NULL)
		return;
	if ((p = pending_new(PENDING_RECEIVE, NULL, request_take_done,
	    r)) == NULL)
		return;
	r->res.taken = false;
	if (channel_receive(ch, p, &why) != S_OK) {
		pending_free(p);
		return;
	}
	if (!r->res.taken) {
		/* Nothing at hand: withdraw it before anything arrives. */
		p->done = NULL;
		pending_complete(p, WS_E_OPERATION_ABORTED);
	}
	if (r->res.first.envelope_version != 0)
		r->res.msg = &r->res.first;
}

static void
request_pending_done(struct pending *p, int32_t hr, void *arg)
{
	struct request *r = arg;
	struct channel *ch;
	uint64_t id;

	if (p->ch != NULL) {
		r->res.has_state = true;
		r->res.state = p->ch->state;
	} else {
		/* The channel left its pending behind (or is gone). */
		r->res.has_state = false;
		id = r->op == REQUEST_ACCEPT ? r->arg.channel : r->arg.object;
		ch = registry_channel(id);
		r->res.state = ch != NULL ? ch->state : WS_CHANNEL_STATE_CLOSED;
	}
	if (p->kind == PENDING_RECEIVE && hr == S_OK &&
	    p->msg.envelope_version != 0)
		r->res.msg = &p->msg;
	if (p->kind == PENDING_ACCEPT && hr == S_OK && r->want_message &&
	    p->ch != NULL)
		request_accept_take(r, p->ch);
	/* Raw pieces of a streamed body (the version is the channel's). */
	if ((p->kind == PENDING_RECEIVE || p->kind == PENDING_READ_MORE) &&
	    hr == S_OK && p->raw) {
		r->res.msg = &p->msg;
		r->res.raw = true;
	}
	request_finish(r, hr, p->why);
}

/* A pending owned by the client's session that answers `r`; NULL (and `r`
 * answered) when out of memory. */
static struct pending *
request_pending(struct request *r, enum pending_kind kind)
{
	struct session *sess = &r->client->sess;
	struct pending *p;

	if ((p = pending_new(kind, sess, request_pending_done, r)) == NULL) {
		request_finish(r, E_OUTOFMEMORY, "out of memory");
		return NULL;
	}
	TAILQ_INSERT_TAIL(&sess->pendings, p, sess_entry);
	return p;
}

/* The core did not take the pending: undo request_pending. */
static void
request_pending_discard(struct pending *p)
{
	TAILQ_REMOVE(&p->sess->pendings, p, sess_entry);
	envelope_clear(&p->msg);
	free(p);
}

/*
 * The end of starting a long operation: S_OK means the pending is queued
 * (and maybe already answered); a success code (WS_S_END) or an error is
 * answered now, with the channel's state.
 */
static void
request_long_op(struct request *r, struct pending *p, int32_t hr,
    const char *why, struct channel *ch)
{
	if (hr != S_OK) {
		request_pending_discard(p);
		request_finish_state(r, hr, why, ch->state);
		return;
	}
	if (!r->answered) {
		/* For the interim answer. */
		r->res.has_state = true;
		r->res.state = ch->state;
	}
}

/* ---- lookups ------------------------------------------------------------------ */

/* A request naming an object that does not exist or is not the caller's:
 * one log line, and the error answer. */
static void
request_refused(struct request *r, const char *what, uint64_t obj,
    int32_t hr)
{
	const struct session *s = &r->client->sess;

	log_info("uid %u pid %d: %s %llu %s", (unsigned)s->uid, (int)s->pid,
	    what, (unsigned long long)obj, hr == E_ACCESSDENIED ?
	    "belongs to another user" : "does not exist");
	snprintf(r->res.whybuf, sizeof(r->res.whybuf), hr == E_ACCESSDENIED ?
	    "%s belongs to another user" : "no such %s", what);
	request_finish(r, hr, r->res.whybuf);
}

static bool
request_channel(struct request *r, uint64_t id, struct channel **ch)
{
	int32_t hr;

	if ((hr = registry_lookup_channel(&r->client->sess, id, ch)) == S_OK)
		return true;
	request_refused(r, "channel", id, hr);
	return false;
}

static bool
request_listener(struct request *r, uint64_t id, struct listener **ls)
{
	int32_t hr;

	if ((hr = registry_lookup_listener(&r->client->sess, id, ls)) == S_OK)
		return true;
	request_refused(r, "listener", id, hr);
	return false;
}

/* The arguments the door could not accept, after the ownership checks. */
static bool
request_args_ok(struct request *r)
{
	if (r->arg.hr == S_OK)
		return true;
	request_finish(r, r->arg.hr, r->arg.why);
	return false;
}

/* ---- channels ----------------------------------------------------------------- */

/* The long channel calls: one pending each, answered when it completes. */
static void
request_channel_long(struct request *r, struct channel *ch)
{
	struct pending *p;
	const char *why = NULL;
	int32_t hr;

	switch (r->op) {
	case REQUEST_OPEN_CHANNEL:
		if ((p = request_pending(r, PENDING_OPEN)) == NULL)
			return;
		hr = channel_open(ch, r->arg.url, p, &why);
		break;
	case REQUEST_CLOSE_CHANNEL:
		if ((p = request_pending(r, PENDING_CLOSE)) == NULL)
			return;
		hr = channel_close(ch, p);
		if (r->answered)
			return;	/* completed inside the call */
		if (hr == S_OK && p->ch == NULL) {
			/* Closed at once: nothing left to wait for. */
			request_pending_discard(p);
			request_finish_state(r, S_OK, NULL, ch->state);
			return;
		}
		break;
	case REQUEST_SEND:
	case REQUEST_WRITE_END:
		if ((p = request_pending(r, PENDING_SEND)) == NULL)
			return;
		hr = r->op == REQUEST_SEND ?
		    channel_send(ch, &r->arg.msg, p, &why) :
		    channel_write_end(ch, &r->arg.msg, p, &why);
		break;
	case REQUEST_RECEIVE:
	case REQUEST_READ_START:
		if ((p = request_pending(r, PENDING_RECEIVE)) == NULL)
			return;
		/* Only the Unix socket carries read_body_more: the D-Bus
		 * door gets whole messages. */
		p->stream_ok = r->op == REQUEST_READ_START &&
		    r->client->door->kind == REQUEST_DOOR_UNIX;
		hr = r->op == REQUEST_RECEIVE ? channel_receive(ch, p, &why) :
		    channel_read_start(ch, p, &why);
		break;
	case REQUEST_READ_MORE:
		if ((p = request_pending(r, PENDING_READ_MORE)) == NULL)
			return;
		hr = channel_read_more(ch, p, &why);
		break;
	case REQUEST_REQUEST_REPLY:
		if ((p = request_pending(r, PENDING_RECEIVE)) == NULL)
			return;
		hr = channel_request_reply(ch, &r->arg.msg, p, &why);
		break;
	case REQUEST_SHUTDOWN:
		if ((p = request_pending(r, PENDING_SEND)) == NULL)
			return;
		hr = channel_shutdown(ch, p, &why);
		break;
	default:
		request_finish(r, E_INVALIDARG, "unknown operation");
		return;
	}
	/* The message was copied into the core's queue, if taken at all. */
	envelope_clear(&r->arg.msg);
	request_long_op(r, p, hr, why, ch);
}

static void
request_channel_op(struct request *r)
{
	struct channel *ch;
	const char *why = NULL, *s = NULL;
	uint64_t u = 0;
	int32_t hr;

	if (!request_channel(r, r->arg.object, &ch) || !request_args_ok(r))
		return;
	switch (r->op) {
	case REQUEST_ABORT_CHANNEL:
		r->res.cancelled = channel_abort(ch);
		/*
		 * Written after the reply (request_log.c).  Whose work was cut
		 * off, or by whom else, is worth a line; an owner aborting its
		 * own idle channel (WsFreeChannel does, first) is routine.
		 */
		if (r->res.cancelled > 0 || ch->owner != &r->client->sess)
			request_log_channel(ch->id, ch->uid,
			    "aborted over %s by uid %u pid %d (%u cancelled)",
			    r->client->door->name,
			    (unsigned)r->client->sess.uid,
			    (int)r->client->sess.pid, r->res.cancelled);
		else
			log_channel(LOG_DEBUG, ch->id, ch->uid, 0,
			    "aborted by its owner over %s, nothing pending",
			    r->client->door->name);
		request_finish_state(r, S_OK, NULL, ch->state);
		break;
	case REQUEST_RESET_CHANNEL:
		hr = channel_reset(ch, &why);
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_FREE_CHANNEL:
		channel_free(ch);
		request_finish(r, S_OK, NULL);
		break;
	case REQUEST_READ_START:
		if (!r->read_kept) {
			request_channel_long(r, ch);
			break;
		}
		/* The message came with the accept: nothing to wait for. */
		hr = channel_read_kept(ch, &why);
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_READ_END:
		hr = channel_read_end(ch, &why);
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_WRITE_START:
		hr = channel_write_start(ch, &why);
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_ABANDON:
		hr = channel_abandon(ch, &why);
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_GET_CHANNEL_PROPERTY:
		hr = channel_get_property(ch, r->arg.prop_id, &u, &s, &why);
		r->res.prop_u = u;
		r->res.prop_s = s;
		/* With the state: the client's pipelining keeps what it knew. */
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_SET_CHANNEL_PROPERTY:
		hr = channel_set_property(ch, r->arg.prop_id, r->arg.prop_value,
		    &why);
		request_finish_state(r, hr, why, ch->state);
		break;
	case REQUEST_SHOW_CHANNEL:
		r->res.channel = ch;
		request_finish_state(r, S_OK, NULL, ch->state);
		break;
	default:
		request_channel_long(r, ch);
		break;
	}
}

/* ---- listeners ------------------------------------------------------------------ */

static void
request_accept(struct request *r, struct listener *ls)
{
	struct channel *ch;
	struct pending *p;
	const char *why = NULL;
	int32_t hr;

	if (!request_channel(r, r->arg.channel, &ch) ||
	    (p = request_pending(r, PENDING_ACCEPT)) == NULL)
		return;
	hr = listener_accept(ls, ch, p, &why);
	request_long_op(r, p, hr, why, ch);
}

static void
request_listener_op(struct request *r)
{
	struct listener *ls;
	struct channel *ch;
	const char *why = NULL, *s = NULL;
	uint64_t u = 0;
	int32_t hr;

	if (!request_listener(r, r->arg.object, &ls) || !request_args_ok(r))
		return;
	switch (r->op) {
	case REQUEST_OPEN_LISTENER:
		hr = listener_open(ls, r->arg.url, &why);
		request_finish_state(r, hr, why, ls->state);
		break;
	case REQUEST_ACCEPT:
		request_accept(r, ls);
		break;
	case REQUEST_CLOSE_LISTENER:
		hr = listener_close(ls);
		request_finish_state(r, hr, NULL, ls->state);
		break;
	case REQUEST_ABORT_LISTENER:
		r->res.cancelled = listener_abort(ls);
		request_finish_state(r, S_OK, NULL, ls->state);
		break;
	case REQUEST_RESET_LISTENER:
		hr = listener_reset(ls, &why);
		request_finish_state(r, hr, why, ls->state);
		break;
	case REQUEST_FREE_LISTENER:
		listener_free(ls);
		request_finish(r, S_OK, NULL);
		break;
	case REQUEST_GET_LISTENER_PROPERTY:
		hr = listener_get_property(ls, r->arg.prop_id, &u, &s, &why);
		r->res.prop_u = u;
		r->res.prop_s = s;
		request_finish(r, hr, why);
		break;
	case REQUEST_SET_LISTENER_PROPERTY:
		hr = listener_set_property(ls, r->arg.prop_id,
		    r->arg.prop_value, &why);
		request_finish_state(r, hr, why, ls->state);
		break;
	case REQUEST_CREATE_CHANNEL_FOR_LISTENER:
		hr = registry_check_quota(&r->client->sess, false, &why);
		if (hr == S_OK)
			hr = listener_new_channel(ls, &r->client->sess,
			    r->arg.prop_ids, r->arg.prop_vals, r->arg.nprops,
			    &ch, &why);
		if (hr == S_OK)
			r->res.created = ch->id;
		request_finish_created(r, hr, why);
		break;
	default:
		request_finish(r, E_INVALIDARG, "unknown operation");
		break;
	}
}

/* ---- the manager ------------------------------------------------------------------ */

static void
request_create(struct request *r)
{
	struct session *sess = &r->client->sess;
	bool listener = r->op == REQUEST_CREATE_LISTENER;
	struct channel *ch;
	struct listener *ls;
	const char *why = NULL;
	int32_t hr;

	if (!request_args_ok(r))
		return;
	hr = registry_check_quota(sess, listener, &why);
	if (hr == S_OK && listener) {
		hr = listener_new(sess, r->arg.type, r->arg.binding,
		    r->arg.prop_ids, r->arg.prop_vals, r->arg.nprops, &ls, &why);
		if (hr == S_OK)
			r->res.created = ls->id;
	} else if (hr == S_OK) {
		hr = channel_new(sess, r->arg.type, r->arg.binding,
		    r->arg.prop_ids, r->arg.prop_vals, r->arg.nprops, &ch, &why);
		if (hr == S_OK)
			r->res.created = ch->id;
	}
	request_finish_created(r, hr, why);
}

/* The channels and listeners the client may see, in id order. */
static void
request_list(struct request *r)
{
	const struct session *sess = &r->client->sess;
	struct channel *ch;
	struct listener *ls;
	/* Counted by the registry: one walk over tens of thousands of
	 * channels (a cache miss each) is what a listing costs. */
	size_t nc = registry_nchannels(), nl = registry_nlisteners();

	if ((r->res.channels = calloc(nc + 1, sizeof(ch))) == NULL ||
	    (r->res.listeners = calloc(nl + 1, sizeof(ls))) == NULL) {
		request_finish(r, E_OUTOFMEMORY, "out of memory");
		return;
	}
	for (ch = registry_first_channel();
	    r->arg.list_channels && ch != NULL; ch = registry_next_channel(ch))
		if (registry_may_access(sess, ch->uid))
			r->res.channels[r->res.nchannels++] = ch;
	for (ls = registry_first_listener();
	    r->arg.list_listeners && ls != NULL; ls = registry_next_listener(ls))
		if (registry_may_access(sess, ls->uid))
			r->res.listeners[r->res.nlisteners++] = ls;
	request_finish(r, S_OK, NULL);
}

/* Administrative abort: the channels named by id, those of one process,
 * or every one the client may see. */
static void
request_abort_channels(struct request *r)
{
	const struct session *sess = &r->client->sess;
	struct request_abort *a;
	struct channel *ch, *nch;
	size_t max = r->arg.nids, i, done = 0;

	if ((r->arg.nids > 0) + r->arg.by_pid + r->arg.all != 1) {
		request_finish(r, E_INVALIDARG,
		    "name channels by ids, by pid, or all");
		return;
	}
	/* By pid or all: at most every channel there is. */
	if (r->arg.nids == 0)
		max = registry_nchannels();
	if ((r->res.aborts = calloc(max + 1, sizeof(*a))) == NULL) {
		request_finish(r, E_OUTOFMEMORY, "out of memory");
		return;
	}
	for (i = 0; i < r->arg.nids; i++) {
		a = &r->res.aborts[r->res.naborts++];
		a->id = r->arg.ids[i];
		a->hr = registry_lookup_channel(sess, a->id, &ch);
		if (a->hr != S_OK)
			continue;
		a->cancelled = channel_abort(ch);
		a->state = ch->state;
		done++;
	}
	for (ch = registry_first_channel(); r->arg.nids == 0 && ch != NULL &&
	    r->res.naborts < max; ch = nch) {
		nch = registry_next_channel(ch);
		if (!registry_may_access(sess, ch->uid) ||
		    (r->arg.by_pid && (uint32_t)ch->pid != r->arg.pid))
			continue;
		a = &r->res.aborts[r->res.naborts++];
		a->id = ch->id;
		a->hr = S_OK;
		a->cancelled = channel_abort(ch);
		a->state = ch->state;
		done++;
	}
	if (done > 0)
		request_log_info("uid %u pid %d aborted %zu channel(s) over %s",
		    (unsigned)sess->uid, (int)sess->pid, done,
		    r->client->door->name);
	request_finish(r, S_OK, NULL);
}

static void
request_watch(struct request *r)
{
	struct request_client *c = r->client;

	/* A door without per-client events publishes to every client. */
	if (c->door->event != NULL && c->watch == NULL &&
	    (c->watch = registry_watch_add(c->door->event, c)) == NULL) {
		request_finish(r, E_OUTOFMEMORY, "out of memory");
		return;
	}
	request_finish(r, S_OK, NULL);
}

static void
request_reload(struct request *r)
{
	request_reload_fn reload = r->client->door->reload;

	if (!registry_is_admin(&r->client->sess)) {
		request_finish(r, E_ACCESSDENIED,
		    "only an administrator may reload the daemon");
		return;
	}
	if (reload == NULL) {
		request_finish(r, WS_E_INVALID_OPERATION,
		    "this daemon has no configuration to reload");
		return;
	}
	r->res.whybuf[0] = '\0';
	if (reload(r->res.whybuf, sizeof(r->res.whybuf)) < 0) {
		request_finish(r, WS_E_INVALID_FORMAT, r->res.whybuf);
		return;
	}
	request_finish(r, S_OK, NULL);
}

static void
request_statistics(struct request *r)
{
	struct request_stats *st = &r->res.stats;
	struct registry_stats rs;
	size_t i;

	registry_stats(&rs);
	st->channels = rs.channels;
	st->listeners = rs.listeners;
	st->pending = rs.pending;
	st->datagrams_dropped = rs.dropped;
	for (i = 0; i < REQUEST_MAX_DOORS; i++) {
		if (request_doors[i] == NULL ||
		    request_doors[i]->clients == NULL)
			continue;
		if (request_doors[i]->kind == REQUEST_DOOR_UNIX)
			st->unix_clients += request_doors[i]->clients();
		else
			st->bus_peers += request_doors[i]->clients();
	}
	st->uptime_usec = request_now_usec() - request_started;
	st->version = PACKAGE_VERSION;
	request_finish(r, S_OK, NULL);
}

/* ---- the one switch ------------------------------------------------------------------ */

void
request_run(struct request *r)
{
	r->running = true;
	switch (r->op) {
	case REQUEST_CREATE_CHANNEL:
	case REQUEST_CREATE_LISTENER:
		request_create(r);
		break;
	case REQUEST_OPEN_CHANNEL:
	case REQUEST_CLOSE_CHANNEL:
	case REQUEST_ABORT_CHANNEL:
	case REQUEST_RESET_CHANNEL:
	case REQUEST_FREE_CHANNEL:
	case REQUEST_SEND:
	case REQUEST_RECEIVE:
	case REQUEST_REQUEST_REPLY:
	case REQUEST_READ_START:
	case REQUEST_READ_END:
	case REQUEST_WRITE_START:
	case REQUEST_WRITE_END:
	case REQUEST_ABANDON:
	case REQUEST_SHUTDOWN:
	case REQUEST_GET_CHANNEL_PROPERTY:
	case REQUEST_SET_CHANNEL_PROPERTY:
	case REQUEST_SHOW_CHANNEL:
	case REQUEST_READ_MORE:
		request_channel_op(r);
		break;
	case REQUEST_OPEN_LISTENER:
	case REQUEST_ACCEPT:
	case REQUEST_CLOSE_LISTENER:
	case REQUEST_ABORT_LISTENER:
	case REQUEST_RESET_LISTENER:
	case REQUEST_FREE_LISTENER:
	case REQUEST_GET_LISTENER_PROPERTY:
	case REQUEST_SET_LISTENER_PROPERTY:
	case REQUEST_CREATE_CHANNEL_FOR_LISTENER:
		request_listener_op(r);
		break;
	case REQUEST_LIST:
		request_list(r);
		break;
	case REQUEST_ABORT_CHANNELS:
		request_abort_channels(r);
		break;
	case REQUEST_WATCH:
		request_watch(r);
		break;
	case REQUEST_ENABLE_INTERIM:
		r->client->interim = true;
		request_finish(r, S_OK, NULL);
		break;
	case REQUEST_RELOAD:
		request_reload(r);
		break;
	case REQUEST_STATISTICS:
		request_statistics(r);
		break;
	case REQUEST_UNKNOWN:
	default:
		request_finish(r, E_INVALIDARG, "unknown operation");
		break;
	}
	r->running = false;
	if (r->answered) {
		request_free(r);
		return;
	}
	/* Pending: tell a caller that asked that its checks passed. */
	if ((r->async || r->client->interim) && r->client->door->interim != NULL)
		r->client->door->interim(r);
}
