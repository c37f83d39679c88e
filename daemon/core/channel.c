/*
 * Channels: states, properties, the pending queue and abort.
 *
 * A channel stops through one path (channel_teardown) and its memory is
 * released later from the loop (channel_free), so an abort may land while a
 * callback of the same channel is on the stack.  What a binding allows
 * comes from its entry in the registry of bindings (transport.c).
 */
#include <sys/types.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "envelope.h"
#include "hresult.h"
#include "listener.h"
#include "log.h"
#include "registry.h"
#include "state.h"
#include "transport.h"
#include "url.h"

/* props_given keeps one bit per property id. */
_Static_assert(CHANNEL_PROP_COUNT <= 64, "props_given is too narrow");

#define CHANNEL_INFINITE	0xffffffffull

static unsigned
channel_kind_abort(void *obj)
{
	return channel_abort(obj);
}

static void
channel_kind_free(void *obj)
{
	channel_free(obj);
}

/* What the registry calls to end a channel (registry.h). */
static const struct registry_kind channel_kind = {
	.abort = channel_kind_abort,
	.free = channel_kind_free,
};

int32_t
channel_prop_check(uint32_t binding, uint32_t id, uint64_t value,
    bool at_create, const char **why)
{
	const struct transport_binding *tb;
	int32_t hr;

	if ((hr = transport_lookup(binding, &tb, why)) != S_OK ||
	    (hr = prop_check_settable(channel_prop(id), binding, value,
	    at_create, why)) != S_OK)
		return hr;
	return transport_prop_check(tb, false, id, value, why);
}

static void
channel_defaults(struct channel *ch)
{
	const struct prop_desc *d;
	uint32_t i;

	for (i = 0; i < CHANNEL_PROP_COUNT; i++) {
		d = channel_prop(i);
		ch->props[i] = d->def;
	}
	ch->props[WS_CHANNEL_PROPERTY_ENCODING] = ch->tb->default_encoding;
	ch->props[WS_CHANNEL_PROPERTY_CHANNEL_TYPE] = ch->type;
}

int
channel_set_url(struct channel *ch, const char *url)
{
	size_t len;

	if (url != NULL && url == ch->url)
		return 0;
	if (ch->url != ch->url_short)
		free(ch->url);
	ch->url = NULL;
	if (url == NULL)
		return 0;
	if ((len = strlen(url)) < sizeof(ch->url_short)) {
		memcpy(ch->url_short, url, len + 1);
		ch->url = ch->url_short;
	} else if ((ch->url = strdup(url)) == NULL)
		return -1;
	return 0;
}

int32_t
channel_new(struct session *owner, uint32_t type, uint32_t binding,
    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
    struct channel **out, const char **why)
{
	const struct transport_binding *tb;
	struct channel *ch;
	int32_t hr;
	size_t i;

	if ((hr = transport_lookup(binding, &tb, why)) != S_OK)
		return hr;
	if (type >= 32 || !(tb->channel_types & TRANSPORT_BIT(type))) {
		*why = "channel type not valid for this binding";
		return E_INVALIDARG;
	}
	for (i = 0; i < nprops; i++)
		if ((hr = channel_prop_check(binding, prop_ids[i], prop_vals[i],
		    true, why)) != S_OK)
			return hr;
	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	ch->id = registry_next_id();
	ch->owner = owner;
	ch->uid = owner != NULL ? owner->uid : 0;
	ch->pid = owner != NULL ? owner->pid : 0;
	ch->type = type;
	ch->binding = binding;
	ch->state = WS_CHANNEL_STATE_CREATED;
	ch->tb = tb;
	TAILQ_INIT(&ch->pendings);
	channel_defaults(ch);
	for (i = 0; i < nprops; i++) {
		ch->props[prop_ids[i]] = prop_vals[i];
		ch->props_given |= 1ull << prop_ids[i];
	}
	ch->create_encoding = ch->props[WS_CHANNEL_PROPERTY_ENCODING];
	ch->create_envelope = ch->props[WS_CHANNEL_PROPERTY_ENVELOPE_VERSION];
	registry_add_channel(ch, &channel_kind);
	log_debug("channel %llu created by uid %u pid %d",
	    (unsigned long long)ch->id, (unsigned)ch->uid, (int)ch->pid);
	*out = ch;
	return S_OK;
}

void
channel_set_state(struct channel *ch, uint32_t state, int32_t cause)
{
	struct state_event ev;

	if (ch->state == state)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.object = ch->id;
	ev.old_state = ch->state;
	ev.new_state = state;
	ev.cause = cause;
	ev.owner_uid = ch->uid;
	ev.owner_pid = ch->pid;
	ev.remote = ch->remote[0] != '\0' ? ch->remote : NULL;
	ch->state = state;
	ch->state_cause = cause;
	registry_notify(&ev);
}

static unsigned	channel_teardown(struct channel *, uint32_t state, int32_t cause,
		    const char *why);

static void
channel_timer_stop(struct channel *ch)
{
	if (ch->timer != NULL) {
		event_free(ch->timer);
		ch->timer = NULL;
	}
}

static void
channel_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel *ch = arg;

	event_free(ch->timer);
	ch->timer = NULL;
	if (ch->state == WS_CHANNEL_STATE_OPENING) {
		channel_transport_fault(ch, WS_E_OPERATION_TIMED_OUT,
		    "connect timed out");
	} else if (ch->state == WS_CHANNEL_STATE_CLOSING) {
		/* Output did not drain in CLOSE_TIMEOUT: close abortively. */
		channel_teardown(ch, WS_CHANNEL_STATE_CLOSED,
		    WS_E_OPERATION_TIMED_OUT, NULL);
	}
}

/*
 * A send or a receive outlived its timeout: as on Windows the channel
 * faults, and every operation on it ends with WS_E_OPERATION_TIMED_OUT
 * (a close in progress too; CLOSING ends CLOSED).
 */
static void
channel_pending_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;

	pending_timer_stop(p);
	channel_transport_fault(p->ch, WS_E_OPERATION_TIMED_OUT,
	    p->kind == PENDING_SEND ?
	    "SEND_TIMEOUT expired before the message left" :
	    "RECEIVE_TIMEOUT expired before a message arrived");
}

/* Arms the timeout of a send or receive `p` just queued on `ch`, from a
 * timeout property; the pending stops it when it completes. */
static void
channel_pending_arm(struct channel *ch, struct pending *p, uint32_t prop)
{
	struct timeval tv;
	uint64_t ms = channel_timeout(ch, prop);

	if (ms == CHANNEL_INFINITE)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if ((p->timer = evtimer_new(registry_base(),
	    channel_pending_timeout_cb, p)) == NULL) {
		log_warnx("channel %llu: cannot arm a timeout; the operation "
		    "waits without one", (unsigned long long)ch->id);
		return;
	}
	evtimer_add(p->timer, &tv);
}

/* Arms the open or close timer from a timeout property (milliseconds). */
static void
channel_timer_start(struct channel *ch, uint32_t prop)
{
	struct timeval tv;
	uint64_t ms = channel_timeout(ch, prop);

	channel_timer_stop(ch);
	if (ms == CHANNEL_INFINITE)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	ch->timer = evtimer_new(registry_base(), channel_timeout_cb, ch);
	if (ch->timer != NULL)
		evtimer_add(ch->timer, &tv);
}

int32_t
channel_open(struct channel *ch, const char *urlstr, struct pending *p,
    const char **why)
{
	struct url u;
	int32_t hr;
	int rc;

	if ((hr = state_channel_check(CH_CALL_OPEN, ch->state)) != S_OK) {
		*why = "WsOpenChannel needs a channel in the CREATED state";
		return hr;
	}
	/* From here on a failed open leaves the channel FAULTED. */
	if ((rc = url_parse(urlstr, &u)) != 0 || u.scheme != ch->tb->scheme ||
	    strcmp(u.host, "+") == 0 || strcmp(u.host, "*") == 0) {
		*why = rc == 0 ? "URL scheme does not match the channel binding" :
		    "malformed endpoint URL";
		hr = WS_E_INVALID_ENDPOINT_URL;
	} else if (ch->tb->ops == NULL) {
		*why = "this transport is not available in this build";
		hr = WS_E_NOT_SUPPORTED;
	} else if (ch->tb->ops->check != NULL &&
	    (hr = ch->tb->ops->check(ch, why)) != S_OK) {
		/* The transport said why. */
	} else {
		if (channel_set_url(ch, urlstr) != 0) {
			*why = "out of memory";
			hr = E_OUTOFMEMORY;
		}
	}
	if (hr != S_OK) {
		channel_set_state(ch, WS_CHANNEL_STATE_FAULTED, hr);
		return hr;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	channel_set_state(ch, WS_CHANNEL_STATE_OPENING, S_OK);
	channel_timer_start(ch, WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT);
	if ((hr = ch->tb->ops->open(ch, &u)) != S_OK)
		channel_transport_fault(ch, hr, "cannot start connecting");
	return S_OK;
}

/* Leaves the listener's accept queue, if on it. */
static void
channel_leave_accept(struct channel *ch)
{
	if (ch->accept_on != NULL) {
		TAILQ_REMOVE(&ch->accept_on->accepting, ch, accept_entry);
		ch->accept_on = NULL;
	}
}

static struct pending *
channel_pending_receive(struct channel *ch)
{
	return pending_first(&ch->pendings, PENDING_RECEIVE);
}

/* Asks the transport for buffered messages when a receive waits. */
static void
channel_want_receive(struct channel *ch)
{
	if (ch->state == WS_CHANNEL_STATE_OPEN && ch->tp != NULL &&
	    channel_pending_receive(ch) != NULL)
		ch->tb->ops->want_receive(ch);
}

/*
 * The one way a channel stops: timers stop, the transport is aborted, the
 * channel leaves any accept queue, takes `state` with `cause`, and every
 * pending operation completes exactly once: a WsCloseChannel in progress
 * with S_OK (the channel did end CLOSED) unless the close itself was
 * aborted or timed out, the others with `cause`, or with
 * WS_E_OPERATION_ABORTED when `cause` is a success (a close that cut them
 * off).  `why`, if any, goes with every reply.  Returns the number of the
 * callers' operations it ended (internal ones are not counted).
 */
static unsigned
channel_teardown(struct channel *ch, uint32_t state, int32_t cause,
    const char *why)
{
	struct pending *p;
	int32_t hr, close_hr;
	unsigned n = 0;

	channel_timer_stop(ch);
	if (ch->tp != NULL) {
		ch->tb->ops->abort(ch);
		ch->tp = NULL;
	}
	channel_leave_accept(ch);
	/* The new state first, so that every reply carries it. */
	channel_set_state(ch, state, cause);
	hr = cause >= 0 ? WS_E_OPERATION_ABORTED : cause;
	close_hr = cause == WS_E_OPERATION_ABORTED ||
	    cause == WS_E_OPERATION_TIMED_OUT ? cause : S_OK;
	while ((p = TAILQ_FIRST(&ch->pendings)) != NULL) {
		if (why != NULL)
			p->why = why;
		if (p->done != NULL)
			n++;
		pending_complete(p, p->kind == PENDING_CLOSE ? close_hr : hr);
	}
	return n;
}

void
channel_transport_opened(struct channel *ch)
{
	struct pending *p;

	channel_timer_stop(ch);
	channel_leave_accept(ch);
	channel_set_state(ch, WS_CHANNEL_STATE_OPEN, S_OK);
	if ((p = pending_first(&ch->pendings, PENDING_OPEN)) != NULL ||
	    (p = pending_first(&ch->pendings, PENDING_ACCEPT)) != NULL)
		pending_complete(p, S_OK);
	/* Receives queued while opening can be served now. */
	channel_want_receive(ch);
}

void
channel_transport_fault(struct channel *ch, int32_t hr, const char *why)
{
	const char *name = hresult_name((uint32_t)hr);

	log_info("channel %llu faulted: %s (%s)", (unsigned long long)ch->id,
	    why, name != NULL ? name : "?");
	channel_teardown(ch, ch->state == WS_CHANNEL_STATE_CLOSING ?
	    WS_CHANNEL_STATE_CLOSED : WS_CHANNEL_STATE_FAULTED, hr, why);
}

void
channel_transport_closed(struct channel *ch)
{
	/* The transport has freed its state: nothing to abort. */
	ch->tp = NULL;
	channel_teardown(ch, WS_CHANNEL_STATE_CLOSED, S_OK, NULL);
}

void
channel_transport_message(struct channel *ch, struct envelope *msg)
{
	struct pending *p;

	if ((p = channel_pending_receive(ch)) == NULL) {
		/* Nobody asked: the transport broke its contract. */
		log_warnx("channel %llu: message with no receive waiting; "
		    "dropped", (unsigned long long)ch->id);
		envelope_clear(msg);
		return;
	}
	ch->messages_in++;
	p->msg = *msg;
	memset(msg, 0, sizeof(*msg));
	if (p->read_start)
		ch->reading = true;
	pending_complete(p, S_OK);
}

void
channel_transport_end(struct channel *ch)
{
	struct pending *p;

	ch->end_received = true;
	while ((p = channel_pending_receive(ch)) != NULL)
		pending_complete(p, WS_S_END);
}

void
channel_transport_sent(struct channel *ch)
{
	struct pending *p;

	if ((p = pending_first(&ch->pendings, PENDING_SEND)) != NULL)
		pending_complete(p, S_OK);
}

void
channel_transport_drained(struct channel *ch)
{
	struct pending *p;

	/* From the head each time: a completion may abort the channel. */
	while ((p = pending_first(&ch->pendings, PENDING_SEND)) != NULL)
		pending_complete(p, S_OK);
}

bool
channel_transport_receiving(const struct channel *ch)
{
	return pending_first((struct pending_list *)&ch->pendings,
	    PENDING_RECEIVE) != NULL;
}

bool
channel_transport_sending(const struct channel *ch)
{
	return pending_first((struct pending_list *)&ch->pendings,
	    PENDING_SEND) != NULL;
}

void
channel_transport_peer(struct channel *ch, const char *peer)
{
	snprintf(ch->remote, sizeof(ch->remote), "%s", peer != NULL ? peer : "");
}

void
channel_transport_connection_id(struct channel *ch, uint64_t id)
{
	ch->props[WS_CHANNEL_PROPERTY_HTTP_CONNECTION_ID] = id;
}

int32_t
channel_transport_adopt(struct channel *ch, const char *via, uint32_t encoding,
    uint32_t envelope_version)
{
	if (encoding >= 32 || !(ch->tb->encodings & TRANSPORT_BIT(encoding)))
		return WS_E_NOT_SUPPORTED;
	if (via != NULL && channel_set_url(ch, via) != 0)
		return E_OUTOFMEMORY;
	ch->props[WS_CHANNEL_PROPERTY_ENCODING] = encoding;
	ch->props[WS_CHANNEL_PROPERTY_ENVELOPE_VERSION] = envelope_version;
	return S_OK;
}

/* The channel's rarely used part, allocated on first use; NULL when out of
 * memory. */
static struct channel_ext *
channel_ext(struct channel *ch)
{
	if (ch->ext == NULL)
		ch->ext = calloc(1, sizeof(*ch->ext));
	return ch->ext;
}

const char *
channel_local(const struct channel *ch)
{
	return ch->ext != NULL ? ch->ext->local : "";
}

uint64_t
channel_dropped(const struct channel *ch)
{
	return ch->ext != NULL ? ch->ext->dropped : 0;
}

void
channel_transport_local(struct channel *ch, const char *local)
{
	struct channel_ext *x;

	if (local == NULL || *local == '\0') {
		if (ch->ext != NULL)
			ch->ext->local[0] = '\0';
		return;
	}
	/* Out of memory: listings only lack the address. */
	if ((x = channel_ext(ch)) != NULL)
		snprintf(x->local, sizeof(x->local), "%s", local);
}

int32_t
channel_transport_remote_url(struct channel *ch, const char *url)
{
	struct channel_ext *x;
	char *s = NULL;

	if (url == NULL && ch->ext == NULL)
		return S_OK;
	if ((x = channel_ext(ch)) == NULL)
		return E_OUTOFMEMORY;
	if (url != NULL && (s = strdup(url)) == NULL)
		return E_OUTOFMEMORY;
	free(x->remote_url);
	x->remote_url = s;
	return S_OK;
}

void
channel_transport_dropped(struct channel *ch, uint64_t n)
{
	struct channel_ext *x;

	/* Out of memory: the daemon-wide count still has them. */
	if ((x = channel_ext(ch)) != NULL)
		x->dropped += n;
	registry_count_dropped(n);
}

void
channel_transport_count(struct channel *ch, uint64_t bytes_in,
    uint64_t bytes_out)
{
	ch->bytes_in += bytes_in;
	ch->bytes_out += bytes_out;
}

uint64_t
channel_id(const struct channel *ch)
{
	return ch->id;
}

uint64_t
channel_prop_value(const struct channel *ch, uint32_t id)
{
	return id < CHANNEL_PROP_COUNT ? ch->props[id] : 0;
}

/* ENABLE_TIMEOUTS FALSE makes INFINITE only the timeouts the caller did
 * not give (spec/bindings.md, Timeouts). */
uint64_t
channel_timeout(const struct channel *ch, uint32_t id)
{
	if (id >= CHANNEL_PROP_COUNT)
		return CHANNEL_INFINITE;
	if (!ch->props[WS_CHANNEL_PROPERTY_ENABLE_TIMEOUTS] &&
	    !(ch->props_given & (1ull << id)))
		return CHANNEL_INFINITE;
	return ch->props[id];
}

const char *
channel_url(const struct channel *ch)
{
	return ch->url;
}

void *
channel_tp(const struct channel *ch)
{
	return ch->tp;
}

void
channel_set_tp(struct channel *ch, void *tp)
{
	ch->tp = tp;
}

/* Stamps `msg` with the channel's envelope and addressing versions and
 * hands it to the transport; `p` completes when it has left. */
static int32_t
channel_queue_send(struct channel *ch, struct envelope *msg,
    struct pending *p, bool part, const char **why)
{
	int32_t hr;

	msg->envelope_version = (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENVELOPE_VERSION];
	msg->addressing_version = (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ADDRESSING_VERSION];
	/* A client channel addresses its messages to the URL it opened, as
	 * Windows does; an accepted channel answers without To. */
	if (msg->to == NULL && ch->listener_id == 0 && ch->url != NULL &&
	    msg->addressing_version != WS_ADDRESSING_VERSION_TRANSPORT &&
	    (msg->to = strdup(ch->url)) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	hr = part ? ch->tb->ops->send_part(ch, msg, why) :
	    ch->tb->ops->send(ch, msg, why);
	if (hr != S_OK && hr != TRANSPORT_SENT) {
		TAILQ_REMOVE(&ch->pendings, p, obj_entry);
		p->ch = NULL;
		return hr;
	}
	if (!part)
		ch->messages_out++;
	if (hr == TRANSPORT_SENT) {
		/* Written already, and nothing queued before it: this send
		 * and any before it are done without waiting for the loop. */
		channel_transport_drained(ch);
		return S_OK;
	}
	channel_pending_arm(ch, p, WS_CHANNEL_PROPERTY_SEND_TIMEOUT);
	return S_OK;
}

/* A whole message (`part` above: a piece of a streamed body). */
static int32_t
channel_queue_message(struct channel *ch, struct envelope *msg,
    struct pending *p, const char **why)
{
	return channel_queue_send(ch, msg, p, false, why);
}

static int32_t
channel_check_io(struct channel *ch, const char **why)
{
	int32_t hr;

	if ((hr = state_channel_check(CH_CALL_IO, ch->state)) != S_OK)
		*why = ch->state == WS_CHANNEL_STATE_FAULTED ?
		    "the channel is FAULTED" : "the channel is not OPEN";
	return hr;
}

static int32_t
channel_check_send(struct channel *ch, const char **why)
{
	int32_t hr;

	if ((hr = channel_check_io(ch, why)) != S_OK)
		return hr;
	if (ch->session_shut_down) {
		*why = "the session was shut down: no more messages can be sent";
		return WS_E_INVALID_OPERATION;
	}
	return S_OK;
}

int32_t
channel_send(struct channel *ch, struct envelope *msg, struct pending *p,
    const char **why)
{
	int32_t hr;

	if ((hr = channel_check_send(ch, why)) != S_OK)
		return hr;
	if (ch->writing) {
		*why = "a message is being written with WsWriteMessageStart";
		return WS_E_INVALID_OPERATION;
	}
	return channel_queue_message(ch, msg, p, why);
}

int32_t
channel_write_start(struct channel *ch, const char **why)
{
	int32_t hr;

	if ((hr = channel_check_send(ch, why)) != S_OK)
		return hr;
	if (ch->writing) {
		*why = "a message is already being written";
		return WS_E_INVALID_OPERATION;
	}
	ch->writing = true;
	return S_OK;
}

int32_t
channel_write_end(struct channel *ch, struct envelope *msg, struct pending *p,
    const char **why)
{
	int32_t hr;

	if ((hr = channel_check_send(ch, why)) != S_OK)
		return hr;
	if (!ch->writing) {
		*why = "no message is being written: call WsWriteMessageStart";
		return WS_E_INVALID_OPERATION;
	}
	if (msg->more_body) {
		/* WsFlushBody's piece of a streamed body: out now, and the
		 * message is still being written. */
		if (!(ch->props[WS_CHANNEL_PROPERTY_TRANSFER_MODE] &
		    WS_STREAMED_OUTPUT_TRANSFER_MODE)) {
			*why = "a piece of a body needs "
			    "WS_STREAMED_OUTPUT_TRANSFER_MODE";
			return WS_E_INVALID_OPERATION;
		}
		if (ch->tb->ops->send_part == NULL) {
			*why = "this binding does not stream bodies";
			return WS_E_NOT_SUPPORTED;
		}
		return channel_queue_send(ch, msg, p, true, why);
	}
	if ((hr = channel_queue_message(ch, msg, p, why)) == S_OK)
		ch->writing = false;
	return hr;
}

int32_t
channel_request_reply(struct channel *ch, struct envelope *msg,
    struct pending *p, const char **why)
{
	struct pending *sp;
	int32_t hr;

	if ((hr = channel_check_send(ch, why)) != S_OK)
		return hr;
	if (ch->end_received) {
		*why = "the session was ended by the remote endpoint";
		return WS_S_END;
	}
	/* The request leaves as an internal send; `p` is the receive that
	 * waits for the reply, so an abort finds the operation either way. */
	if ((sp = pending_new(PENDING_SEND, NULL, NULL, NULL)) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	if ((hr = channel_queue_message(ch, msg, sp, why)) != S_OK) {
		pending_complete(sp, hr);
		return hr;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	/* RECEIVE_RESPONSE_TIMEOUT is HTTP's (bindings.md): on a session the
	 * reply is a message like any other. */
	channel_pending_arm(ch, p, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT);
	channel_want_receive(ch);
	return S_OK;
}

int32_t
channel_shutdown(struct channel *ch, struct pending *p, const char **why)
{
	int32_t hr;

	if ((hr = state_channel_check(CH_CALL_SHUTDOWN, ch->state)) != S_OK) {
		*why = ch->state == WS_CHANNEL_STATE_FAULTED ?
		    "the channel is FAULTED" : "the channel is not OPEN";
		return hr;
	}
	if (!(ch->type & WS_CHANNEL_TYPE_SESSION)) {
		*why = "WsShutdownSessionChannel needs a session channel";
		return WS_E_INVALID_OPERATION;
	}
	if (ch->session_shut_down) {
		*why = "the session was already shut down";
		return WS_E_INVALID_OPERATION;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	if ((hr = ch->tb->ops->shutdown(ch)) != S_OK) {
		TAILQ_REMOVE(&ch->pendings, p, obj_entry);
		p->ch = NULL;
		*why = "cannot queue the End record";
		return hr;
	}
	ch->session_shut_down = true;
	channel_pending_arm(ch, p, WS_CHANNEL_PROPERTY_SEND_TIMEOUT);
	return S_OK;
}

int32_t
channel_receive(struct channel *ch, struct pending *p, const char **why)
{
	int32_t hr;

	if ((hr = channel_check_io(ch, why)) != S_OK)
		return hr;
	if (ch->reading) {
		*why = "a message is being read with WsReadMessageStart";
		return WS_E_INVALID_OPERATION;
	}
	if (ch->end_received) {
		*why = "the session was ended by the remote endpoint";
		return WS_S_END;
	}
	if (ch->tp != NULL && ch->tb->ops->receive_check != NULL &&
	    (hr = ch->tb->ops->receive_check(ch, why)) != S_OK)
		return hr;
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	channel_pending_arm(ch, p, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT);
	channel_want_receive(ch);
	return S_OK;
}

int32_t
channel_read_start(struct channel *ch, struct pending *p, const char **why)
{
	int32_t hr;

	/* Set before: a buffered message completes (and frees) `p` inside
	 * channel_receive. */
	p->read_start = true;
	if ((hr = channel_receive(ch, p, why)) != S_OK)
		p->read_start = false;
	return hr;
}

/* The client reads the message its accept carried (request.c took it as
 * a receive then): the channel is mid-read as if this call received it. */
int32_t
channel_read_kept(struct channel *ch, const char **why)
{
	int32_t hr;

	if ((hr = channel_check_io(ch, why)) != S_OK)
		return hr;
	if (ch->reading) {
		*why = "a message is being read with WsReadMessageStart";
		return WS_E_INVALID_OPERATION;
	}
	ch->reading = true;
	return S_OK;
}

int32_t
channel_read_end(struct channel *ch, const char **why)
{
	int32_t hr;

	if ((hr = channel_check_io(ch, why)) != S_OK)
		return hr;
	if (!ch->reading) {
		*why = "no message is being read: call WsReadMessageStart";
		return WS_E_INVALID_OPERATION;
	}
	ch->reading = false;
	return S_OK;
}

/*
 * read_body_more: a receive of the next raw piece of the body the channel
 * is reading in WS_STREAMED_INPUT_TRANSFER_MODE; each waits at most
 * RECEIVE_TIMEOUT, as a receive does.
 */
int32_t
channel_read_more(struct channel *ch, struct pending *p, const char **why)
{
	int32_t hr;

	if ((hr = channel_check_io(ch, why)) != S_OK)
		return hr;
	if (!ch->reading || ch->tp == NULL || ch->tb->ops->read_more == NULL) {
		*why = "no streamed message is being read: call "
		    "WsReadMessageStart on a streamed-input channel";
		return WS_E_INVALID_OPERATION;
	}
	if (pending_first(&ch->pendings, PENDING_READ_MORE) != NULL) {
		*why = "more of the body is already being read";
		return WS_E_INVALID_OPERATION;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	channel_pending_arm(ch, p, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT);
	if ((hr = ch->tb->ops->read_more(ch, why)) != S_OK) {
		/* Not queued after all: the caller answers. */
		if (p->ch != NULL) {
			TAILQ_REMOVE(&ch->pendings, p, obj_entry);
			p->ch = NULL;
		}
		pending_timer_stop(p);
		return hr;
	}
	return S_OK;
}

enum channel_stream_want
channel_transport_stream_want(const struct channel *ch)
{
	struct pending_list *l = (struct pending_list *)&ch->pendings;
	struct pending *p;

	if (pending_first(l, PENDING_READ_MORE) != NULL)
		return CHANNEL_STREAM_MORE;
	if ((p = pending_first(l, PENDING_RECEIVE)) == NULL)
		return CHANNEL_STREAM_NONE;
	return p->read_start && p->stream_ok ? CHANNEL_STREAM_START :
	    CHANNEL_STREAM_WHOLE;
}

void
channel_transport_stream(struct channel *ch, struct envelope *msg)
{
	struct pending *p;

	if ((p = pending_first(&ch->pendings, PENDING_READ_MORE)) == NULL &&
	    (p = channel_pending_receive(ch)) != NULL && !p->read_start)
		p = NULL;
	if (p == NULL) {
		log_warnx("channel %llu: body bytes with no read waiting; "
		    "dropped", (unsigned long long)ch->id);
		envelope_clear(msg);
		return;
	}
	if (p->kind == PENDING_RECEIVE) {
		ch->messages_in++;
		ch->reading = true;
	}
	p->msg = *msg;
	p->raw = true;
	memset(msg, 0, sizeof(*msg));
	pending_complete(p, S_OK);
}

int32_t
channel_abandon(struct channel *ch, const char **why)
{
	if (ch->state != WS_CHANNEL_STATE_OPEN &&
	    ch->state != WS_CHANNEL_STATE_FAULTED) {
		*why = "WsAbandonMessage needs an OPEN or FAULTED channel";
		return WS_E_INVALID_OPERATION;
	}
	if (!ch->reading && !ch->writing) {
		*why = "no message is being read or written on this channel";
		return E_INVALIDARG;
	}
	ch->reading = ch->writing = false;
	return S_OK;
}

int32_t
channel_close(struct channel *ch, struct pending *p)
{
	bool graceful;

	switch (ch->state) {
	case WS_CHANNEL_STATE_CREATED:
	case WS_CHANNEL_STATE_CLOSED:
		channel_set_state(ch, WS_CHANNEL_STATE_CLOSED, S_OK);
		return S_OK;
	case WS_CHANNEL_STATE_FAULTED:
		channel_set_state(ch, WS_CHANNEL_STATE_CLOSED, S_OK);
		return S_OK;
	case WS_CHANNEL_STATE_CLOSING:
		/* Join the close in progress. */
		p->ch = ch;
		TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
		return S_OK;
	case WS_CHANNEL_STATE_OPENING:
	case WS_CHANNEL_STATE_ACCEPTING:
		/* Nothing to flush: end the open or accept, then close. */
		channel_abort(ch);
		channel_set_state(ch, WS_CHANNEL_STATE_CLOSED, S_OK);
		return S_OK;
	default:
		break;
	}
	/* OPEN.  Graceful only when no message is mid-read or mid-write. */
	graceful = channel_pending_receive(ch) == NULL && !ch->reading &&
	    !ch->writing;
	ch->reading = ch->writing = false;
	if (!graceful) {
		/* What is in flight is cut off: aborted, the close succeeds. */
		channel_teardown(ch, WS_CHANNEL_STATE_CLOSED, S_OK, NULL);
		return S_OK;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	channel_set_state(ch, WS_CHANNEL_STATE_CLOSING, S_OK);
	channel_timer_start(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT);
	ch->tb->ops->close(ch, (ch->type & WS_CHANNEL_TYPE_SESSION) &&
	    !ch->session_shut_down);
	return S_OK;
}

int32_t
channel_reset(struct channel *ch, const char **why)
{
	int32_t hr;

	if ((hr = state_channel_check(CH_CALL_RESET, ch->state)) != S_OK) {
		*why = "WsResetChannel needs a CREATED or CLOSED channel";
		return hr;
	}
	(void)channel_set_url(ch, NULL);
	ch->remote[0] = '\0';
	if (ch->ext != NULL) {
		ch->ext->local[0] = '\0';
		free(ch->ext->remote_url);
		ch->ext->remote_url = NULL;
	}
	ch->session_shut_down = false;
	ch->end_received = false;
	ch->reading = ch->writing = false;
	/* User-set properties survive; what the peer chose does not. */
	ch->props[WS_CHANNEL_PROPERTY_ENCODING] = ch->create_encoding;
	ch->props[WS_CHANNEL_PROPERTY_ENVELOPE_VERSION] = ch->create_envelope;
	channel_set_state(ch, WS_CHANNEL_STATE_CREATED, S_OK);
	return S_OK;
}

unsigned
channel_abort(struct channel *ch)
{
	return channel_teardown(ch, state_channel_after_abort(ch->state),
	    WS_E_OPERATION_ABORTED, NULL);
}

static void
channel_release_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel *ch = arg;

	(void)channel_set_url(ch, NULL);
	if (ch->ext != NULL) {
		free(ch->ext->remote_url);
		free(ch->ext);
	}
	free(ch);
}

void
channel_free(struct channel *ch)
{
	if (ch == NULL || ch->dead)
		return;
	channel_abort(ch);
	ch->dead = true;
	registry_remove_channel(ch);
	log_debug("channel %llu freed", (unsigned long long)ch->id);
	/* Callbacks of this channel may still be on the stack. */
	if (event_base_once(registry_base(), -1, EV_TIMEOUT, channel_release_cb,
	    ch, NULL) == -1)
		log_warnx("channel %llu: cannot defer release; leaking it",
		    (unsigned long long)ch->id);
}

int32_t
channel_get_property(struct channel *ch, uint32_t id, uint64_t *u,
    const char **s, const char **why)
{
	int32_t hr;

	if ((hr = prop_check_readable(channel_prop(id), ch->binding,
	    why)) != S_OK)
		return hr;
	*u = 0;
	*s = NULL;
	switch (id) {
	case WS_CHANNEL_PROPERTY_STATE:
		*u = ch->state;
		break;
	case WS_CHANNEL_PROPERTY_CHANNEL_TYPE:
		*u = ch->type;
		break;
	case WS_CHANNEL_PROPERTY_IS_SESSION_SHUT_DOWN:
		*u = ch->session_shut_down;
		break;
	case WS_CHANNEL_PROPERTY_TRANSPORT_URL:
		*s = ch->url != NULL ? ch->url : "";
		break;
	case WS_CHANNEL_PROPERTY_REMOTE_ADDRESS:
		/* There is a remote end only while OPEN (bindings.md). */
		if (ch->state != WS_CHANNEL_STATE_OPEN) {
			*why = "REMOTE_ADDRESS is readable in the OPEN state only";
			return WS_E_INVALID_OPERATION;
		}
		*s = ch->ext != NULL && ch->ext->remote_url != NULL ?
		    ch->ext->remote_url :
		    ch->url != NULL ? ch->url : "";
		break;
	case WS_CHANNEL_PROPERTY_REMOTE_IP_ADDRESS:
		/* Known once the transport has read from the peer (MS). */
		if (ch->remote[0] == '\0') {
			*why = "REMOTE_IP_ADDRESS is known after the first read "
			    "from the remote endpoint";
			return WS_E_INVALID_OPERATION;
		}
		*s = ch->remote;
		break;
	default:
		*u = ch->props[id];
		break;
	}
	return S_OK;
}

int32_t
channel_set_property(struct channel *ch, uint32_t id, uint64_t value,
    const char **why)
{
	int32_t hr;

	if ((hr = channel_prop_check(ch->binding, id, value, false, why)) != S_OK)
		return hr;
	ch->props[id] = value;
	if (id == WS_CHANNEL_PROPERTY_ENCODING)
		ch->create_encoding = value;
	else if (id == WS_CHANNEL_PROPERTY_ENVELOPE_VERSION)
		ch->create_envelope = value;
	ch->props_given |= 1ull << id;
	return S_OK;
}
