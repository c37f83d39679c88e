/*
 * Channels: states, properties, the pending queue and abort.
 *
 * A channel dies through one path (channel_abort) and its memory is
 * released later from the loop (channel_free), so an abort may land while a
 * callback of the same channel is on the stack.
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

static bool
channel_type_valid(uint32_t binding, uint32_t type)
{
	switch (binding) {
	case WS_TCP_CHANNEL_BINDING:
		return type == WS_CHANNEL_TYPE_DUPLEX_SESSION;
	case WS_UDP_CHANNEL_BINDING:
		return type == WS_CHANNEL_TYPE_DUPLEX ||
		    type == WS_CHANNEL_TYPE_OUTPUT || type == WS_CHANNEL_TYPE_INPUT;
	case WS_HTTP_CHANNEL_BINDING:
		return type == WS_CHANNEL_TYPE_REQUEST ||
		    type == WS_CHANNEL_TYPE_REPLY;
	default:
		return false;
	}
}

int32_t
channel_prop_check(uint32_t binding, uint32_t id, uint64_t value,
    bool at_create, const char **why)
{
	int32_t hr;

	if ((hr = prop_check_settable(channel_prop(id), binding, value,
	    at_create, why)) != S_OK)
		return hr;
	if (id == WS_CHANNEL_PROPERTY_ENCODING) {
		switch (binding) {
		case WS_TCP_CHANNEL_BINDING:
			if (value != WS_ENCODING_XML_BINARY_SESSION_1 &&
			    value != WS_ENCODING_XML_BINARY_1 &&
			    value != WS_ENCODING_XML_UTF8) {
				*why = "encoding not valid for TCP channels";
				return E_INVALIDARG;
			}
			break;
		default:
			if (value == WS_ENCODING_XML_BINARY_SESSION_1) {
				*why = "session encoding needs a session channel";
				return E_INVALIDARG;
			}
			break;
		}
	}
	if (id == WS_CHANNEL_PROPERTY_ENVELOPE_VERSION &&
	    value == WS_ENVELOPE_VERSION_NONE &&
	    binding != WS_HTTP_CHANNEL_BINDING) {
		*why = "envelope version NONE needs an HTTP channel";
		return E_INVALIDARG;
	}
	return S_OK;
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
	ch->props[WS_CHANNEL_PROPERTY_ENCODING] =
	    ch->binding == WS_TCP_CHANNEL_BINDING ?
	    WS_ENCODING_XML_BINARY_SESSION_1 : WS_ENCODING_XML_UTF8;
	ch->props[WS_CHANNEL_PROPERTY_CHANNEL_TYPE] = ch->type;
}

int32_t
channel_new(struct session *owner, uint32_t type, uint32_t binding,
    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
    struct channel **out, const char **why)
{
	struct channel *ch;
	int32_t hr;
	size_t i;

	if (binding == WS_CUSTOM_CHANNEL_BINDING ||
	    binding == WS_NAMEDPIPE_CHANNEL_BINDING) {
		*why = "custom and named-pipe bindings are not available";
		return WS_E_NOT_SUPPORTED;
	}
	if (binding > WS_NAMEDPIPE_CHANNEL_BINDING) {
		*why = "unknown channel binding";
		return E_INVALIDARG;
	}
	if (!channel_type_valid(binding, type)) {
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
	ch->tops = transport_for_binding(binding);
	TAILQ_INIT(&ch->pendings);
	channel_defaults(ch);
	for (i = 0; i < nprops; i++)
		ch->props[prop_ids[i]] = prop_vals[i];
	memcpy(ch->create_props, ch->props, sizeof(ch->props));
	registry_add_channel(ch);
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
		if (ch->tops != NULL)
			ch->tops->abort(ch);
		channel_set_state(ch, WS_CHANNEL_STATE_CLOSED,
		    WS_E_OPERATION_TIMED_OUT);
		pending_complete_all(&ch->pendings, WS_E_OPERATION_TIMED_OUT);
	}
}

/* Arms the open or close timer from a timeout property (milliseconds). */
static void
channel_timer_start(struct channel *ch, uint32_t prop)
{
	struct timeval tv;
	uint64_t ms = ch->props[prop];

	channel_timer_stop(ch);
	if (!ch->props[WS_CHANNEL_PROPERTY_ENABLE_TIMEOUTS] ||
	    ms == 0xffffffffull)
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
	if ((rc = url_parse(urlstr, &u)) != 0 ||
	    (int)u.scheme != url_scheme_for_binding(ch->binding) ||
	    strcmp(u.host, "+") == 0 || strcmp(u.host, "*") == 0) {
		*why = rc == 0 ? "URL scheme does not match the channel binding" :
		    "malformed endpoint URL";
		hr = WS_E_INVALID_ENDPOINT_URL;
	} else if (ch->tops == NULL) {
		*why = "this transport is not available in this build";
		hr = WS_E_NOT_SUPPORTED;
	} else if ((hr = ch->tops->check(ch, why)) != S_OK) {
		/* The transport said why. */
	} else {
		free(ch->url);
		if ((ch->url = strdup(urlstr)) == NULL) {
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
	if ((hr = ch->tops->open(ch, &u)) != S_OK)
		channel_transport_fault(ch, hr, "cannot start connecting");
	return S_OK;
}

void
channel_transport_opened(struct channel *ch)
{
	struct pending *p;

	channel_timer_stop(ch);
	if (ch->accept_on != NULL) {
		TAILQ_REMOVE(&ch->accept_on->accepting, ch, accept_entry);
		ch->accept_on = NULL;
	}
	channel_set_state(ch, WS_CHANNEL_STATE_OPEN, S_OK);
	if ((p = pending_first(&ch->pendings, PENDING_OPEN)) != NULL ||
	    (p = pending_first(&ch->pendings, PENDING_ACCEPT)) != NULL)
		pending_complete(p, S_OK);
	/* Receives queued while opening can be served now. */
	if (channel_pending_receive(ch) != NULL)
		ch->tops->receive(ch);
}

/*
 * The one teardown path of a failing transport: the channel becomes
 * FAULTED, the transport is gone, every pending operation ends with `hr`.
 */
void
channel_transport_fault(struct channel *ch, int32_t hr, const char *why)
{
	struct pending *p;
	const char *name = hresult_name((uint32_t)hr);

	log_info("channel %llu faulted: %s (%s)", (unsigned long long)ch->id,
	    why, name != NULL ? name : "?");
	channel_timer_stop(ch);
	if (ch->tops != NULL)
		ch->tops->abort(ch);
	if (ch->accept_on != NULL) {
		TAILQ_REMOVE(&ch->accept_on->accepting, ch, accept_entry);
		ch->accept_on = NULL;
	}
	if (ch->state == WS_CHANNEL_STATE_CLOSING) {
		channel_set_state(ch, WS_CHANNEL_STATE_CLOSED, hr);
	} else
		channel_set_state(ch, WS_CHANNEL_STATE_FAULTED, hr);
	while ((p = TAILQ_FIRST(&ch->pendings)) != NULL) {
		p->why = why;
		/* A close in progress still ends the channel CLOSED. */
		pending_complete(p, p->kind == PENDING_CLOSE ? S_OK : hr);
	}
}

void
channel_transport_closed(struct channel *ch)
{
	channel_timer_stop(ch);
	channel_set_state(ch, WS_CHANNEL_STATE_CLOSED, S_OK);
	pending_complete_all(&ch->pendings, S_OK);
}

struct pending *
channel_pending_receive(struct channel *ch)
{
	return pending_first(&ch->pendings, PENDING_RECEIVE);
}

/* Writes `msg` in the channel's envelope and addressing versions and
 * queues it; `p` completes when it has left. */
/* Stamps `msg` with the channel's envelope and addressing versions and
 * hands it to the transport; `p` completes when it has left. */
static int32_t
channel_queue_message(struct channel *ch, struct envelope *msg,
    struct pending *p, const char **why)
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
	if ((hr = ch->tops->send(ch, p, msg, why)) != S_OK) {
		TAILQ_REMOVE(&ch->pendings, p, obj_entry);
		p->ch = NULL;
		return hr;
	}
	ch->messages_out++;
	return S_OK;
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
	ch->tops->receive(ch);
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
	if ((hr = ch->tops->shutdown(ch, p)) != S_OK) {
		TAILQ_REMOVE(&ch->pendings, p, obj_entry);
		p->ch = NULL;
		*why = "cannot queue the End record";
		return hr;
	}
	ch->session_shut_down = true;
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
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	ch->tops->receive(ch);
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
		struct pending *q, *nq;

		for (q = TAILQ_FIRST(&ch->pendings); q != NULL; q = nq) {
			nq = TAILQ_NEXT(q, obj_entry);
			pending_complete(q, WS_E_OPERATION_ABORTED);
		}
		channel_timer_stop(ch);
		ch->tops->abort(ch);
		channel_set_state(ch, WS_CHANNEL_STATE_CLOSED, S_OK);
		return S_OK;
	}
	p->ch = ch;
	TAILQ_INSERT_TAIL(&ch->pendings, p, obj_entry);
	channel_set_state(ch, WS_CHANNEL_STATE_CLOSING, S_OK);
	channel_timer_start(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT);
	ch->tops->close(ch, (ch->type & WS_CHANNEL_TYPE_SESSION) &&
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
	free(ch->url);
	ch->url = NULL;
	ch->remote[0] = '\0';
	ch->session_shut_down = false;
	ch->end_received = false;
	ch->reading = ch->writing = false;
	/* User-set properties survive; what the peer chose does not. */
	ch->props[WS_CHANNEL_PROPERTY_ENCODING] =
	    ch->create_props[WS_CHANNEL_PROPERTY_ENCODING];
	ch->props[WS_CHANNEL_PROPERTY_ENVELOPE_VERSION] =
	    ch->create_props[WS_CHANNEL_PROPERTY_ENVELOPE_VERSION];
	channel_set_state(ch, WS_CHANNEL_STATE_CREATED, S_OK);
	return S_OK;
}

unsigned
channel_abort(struct channel *ch)
{
	uint32_t after = state_channel_after_abort(ch->state);

	channel_timer_stop(ch);
	if (ch->tops != NULL)
		ch->tops->abort(ch);
	if (ch->accept_on != NULL) {
		TAILQ_REMOVE(&ch->accept_on->accepting, ch, accept_entry);
		ch->accept_on = NULL;
	}
	/* The new state first, so that every reply carries it. */
	channel_set_state(ch, after, WS_E_OPERATION_ABORTED);
	return pending_complete_all(&ch->pendings, WS_E_OPERATION_ABORTED);
}

static void
channel_release_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel *ch = arg;

	free(ch->url);
	free(ch);
}

void
channel_free(struct channel *ch)
{
	if (ch->dead)
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
	case WS_CHANNEL_PROPERTY_REMOTE_ADDRESS:
		*s = ch->url != NULL ? ch->url : "";
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
	ch->create_props[id] = value;
	return S_OK;
}
