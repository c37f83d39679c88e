/*
 * The Unix-socket door.  Authenticates each connection with SO_PEERCRED,
 * checks every frame before decoding it, decodes each Request into a
 * struct request for the dispatcher (request.c) and encodes each
 * completion into exactly one Reply frame; state changes become Event
 * frames for the connections that asked (Watch).  A bad frame closes that
 * connection with one logged line and harms nobody else.
 *
 * The cost of a call is system calls, so each wake-up of a connection is
 * one read(2) into a buffer shared by all connections (the loop is one
 * thread), every whole frame in it is handled, and what is left of a
 * frame waits in the connection's own stash.  Replies are queued and
 * written once per connection per loop pass, by a deferred event that
 * runs after the callbacks of the pass; write-readiness is watched only
 * while a write would block.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <wschannel/webservices.h>

#include "wschannel.pb-c.h"

#include "channel.h"
#include "bigmem.h"
#include "envelope.h"
#include "frame.h"
#include "hresult.h"
#include "httphdr.h"
#include "listener.h"
#include "log.h"
#include "registry.h"
#include "request.h"
#include "unix.h"
#include "unix_envelope.h"
#include "unix_list.h"
#include "unix_refs.h"

/* Past this much unsent output a connection stops being read (requests
 * wait in the kernel); a watcher this far behind is dropped. */
#define CONTROL_OUTPUT_HIGH	(8u * 1024 * 1024)
/* A throttled connection is read again below this much. */
#define CONTROL_OUTPUT_LOW	(1024u * 1024)
/* The one read buffer: what a wake-up of any connection brings. */
#define CONTROL_RBUF_SIZE	(256u * 1024)
/* Replies of operations already pending still come past the high mark;
 * a client that lets them pile up this far never reads: it is cut off. */
#define CONTROL_OUTPUT_MAX	(4 * CONTROL_OUTPUT_HIGH)

struct control_conn {
	struct request_client	 client;
	int			 fd;
	struct event		*rev;	/* persistent read */
	struct event		*wev;	/* added only while writes block */
	struct evbuffer		*out;	/* frames not yet written */
	/* Replies of unawaited creates, written with the next frame or when
	 * hold_ev fires; only while `out` is empty, so order is kept. */
	struct evbuffer		*held;
	struct event		*hold_ev;
	/* Input not handled yet: a partial frame, or frames left when the
	 * connection was throttled.  NULL most of the time. */
	uint8_t			*stash;
	size_t			 stash_len, stash_cap;
	int			 refs;	/* the connection, and each request */
	int			 dead;
	int			 throttled;
	int			 wev_on;
	int			 dirty;	/* on ctl_dirty: output to flush */
	size_t			 unread;	/* handled, still in the socket */
	struct unix_refs	 refs_made;	/* recent creates (unix_refs.c) */
	TAILQ_ENTRY(control_conn) entry;
	TAILQ_ENTRY(control_conn) dirty_entry;
};

static void	control_request_done(struct request *);
static void	control_request_interim(struct request *);
static void	control_watch_cb(const struct state_event *, void *);

static struct request_door control_door = {
	.name = "the Unix socket",
	.kind = REQUEST_DOOR_UNIX,
	.done = control_request_done,
	.interim = control_request_interim,
	.event = control_watch_cb,
	.clients = control_connections,
};

static struct evconnlistener	*ctl_listener;
/* Accept paused after a failure (EMFILE...); one log line per pause. */
static struct event		*ctl_retry;
static int			 ctl_warned;
static char			*ctl_path;
static TAILQ_HEAD(, control_conn) ctl_conns = TAILQ_HEAD_INITIALIZER(ctl_conns);
static unsigned			 ctl_nconns;
/* Connections with output queued in this loop pass, written at its end
 * (REGISTRY_PASS_REPLIES). */
static TAILQ_HEAD(, control_conn) ctl_dirty = TAILQ_HEAD_INITIALIZER(ctl_dirty);
static uint8_t			*ctl_rbuf;

static void	control_conn_close(struct control_conn *, const char *why);
static void	control_flush_dirty(void);

static struct control_conn *
control_conn_of(struct request_client *c)
{
	return (struct control_conn *)((char *)c -
	    offsetof(struct control_conn, client));
}

static void
control_conn_unref(struct control_conn *cc)
{
	if (--cc->refs > 0)
		return;
	free(cc->stash);
	free(cc);
}

/* Output was queued: written at the end of this loop pass. */
static void
control_mark_dirty(struct control_conn *cc)
{
	if (cc->dirty)
		return;
	cc->dirty = 1;
	TAILQ_INSERT_TAIL(&ctl_dirty, cc, dirty_entry);
	/* The loop (and so the pass's end) is there as long as the door. */
	if (TAILQ_FIRST(&ctl_dirty) == cc)
		(void)registry_pass_end(REGISTRY_PASS_REPLIES,
		    control_flush_dirty);
}

/*
 * A client that never reads its replies costs at most CONTROL_OUTPUT_MAX:
 * past it the connection is closed, which ends its operations and frees
 * what it owns, as when it goes away.  1 when `cc` was closed.
 */
static int
control_output_full(struct control_conn *cc, size_t len)
{
	if (evbuffer_get_length(cc->out) + evbuffer_get_length(cc->held) +
	    len <= CONTROL_OUTPUT_MAX)
		return 0;
	control_conn_close(cc, "client does not read its replies");
	return 1;
}

/*
 * How long the Reply of an unawaited create may wait for company.  The
 * library writes a pair's creates, its accept and its open one after the
 * other; the creates' Replies then go out with the open's instead of
 * waking the client a moment before it.
 */
#define CONTROL_HOLD_USEC	100

static void
control_block_done(const void *data, size_t len, void *base)
{
	unix_block_release(base);
}

/* Held replies join the output, ahead of what comes now. */
static void
control_unhold(struct control_conn *cc)
{
	if (evbuffer_get_length(cc->held) == 0)
		return;
	(void)evbuffer_add_buffer(cc->out, cc->held);
	event_del(cc->hold_ev);
}

/*
 * Queues a whole frame already packed into block `b` (unix_list.h), which
 * the output refers to until it is written, then releases; a connection
 * that cannot take it is closed.
 */
static void
control_queue_block(struct control_conn *cc, const struct unix_block *b)
{
	if (cc->dead || control_output_full(cc, b->len)) {
		unix_block_release(b->base);
		return;
	}
	control_unhold(cc);
	if (evbuffer_add_reference(cc->out, b->base + b->off, b->len,
	    control_block_done, b->base) != 0) {
		unix_block_release(b->base);
		control_conn_close(cc, "out of memory queueing a reply");
		return;
	}
	control_mark_dirty(cc);
}

/* A frame of BIGMEM_MIN or more: packed into a block of its own, not
 * copied into the output. */
static void
control_queue_big(struct control_conn *cc, enum frame_kind kind,
    const ProtobufCMessage *msg, size_t len)
{
	struct unix_block b;
	uint8_t *p;

	if (unix_block_alloc(&b, FRAME_HEADER_SIZE + len) != 0) {
		control_conn_close(cc, "out of memory queueing a reply");
		return;
	}
	p = b.base + b.off;
	frame_header_write(p, kind, (uint32_t)len);
	protobuf_c_message_pack(msg, p + FRAME_HEADER_SIZE);
	b.len = FRAME_HEADER_SIZE + len;
	control_queue_block(cc, &b);
}

static void
control_hold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control_conn *cc = arg;

	if (cc->dead || evbuffer_get_length(cc->held) == 0)
		return;
	control_unhold(cc);
	control_mark_dirty(cc);
}

/* Queues one frame, or holds it (`hold`: an unawaited create's Reply,
 * and nothing else waits to be written); a connection that cannot take
 * it is closed. */
static void
control_queue(struct control_conn *cc, enum frame_kind kind,
    const ProtobufCMessage *msg, bool hold)
{
	static const struct timeval hold_tv = { 0, CONTROL_HOLD_USEC };
	uint8_t hdr[FRAME_HEADER_SIZE];
	struct evbuffer *out;
	struct evbuffer_iovec v;
	size_t len;

	if (cc->dead)
		return;
	len = protobuf_c_message_get_packed_size(msg);
	if (len > FRAME_MAX_PAYLOAD) {
		log_warnx("pid %d: reply of %zu bytes exceeds the frame limit",
		    (int)cc->client.sess.pid, len);
		control_conn_close(cc, NULL);
		return;
	}
	if (len >= BIGMEM_MIN) {
		control_queue_big(cc, kind, msg, len);
		return;
	}
	if (control_output_full(cc, len))
		return;
	hold = hold && evbuffer_get_length(cc->out) == 0;
	if (!hold)
		control_unhold(cc);
	out = hold ? cc->held : cc->out;
	frame_header_write(hdr, kind, (uint32_t)len);
	if (evbuffer_add(out, hdr, sizeof(hdr)) != 0 ||
	    evbuffer_reserve_space(out, len, &v, 1) < 1) {
		control_conn_close(cc, "out of memory queueing a reply");
		return;
	}
	protobuf_c_message_pack(msg, v.iov_base);
	v.iov_len = len;
	evbuffer_commit_space(out, &v, 1);
	if (!hold)
		control_mark_dirty(cc);
	else if (!evtimer_pending(cc->hold_ev, NULL))
		(void)evtimer_add(cc->hold_ev, &hold_tv);
}

static void
control_send(struct control_conn *cc, enum frame_kind kind,
    const ProtobufCMessage *msg)
{
	control_queue(cc, kind, msg, false);
}

/* An answer that never reached the dispatcher (out of memory). */
static void
control_reply_error(struct control_conn *cc, uint64_t id, int32_t hr,
    const char *why)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	char *errs[1];

	r.id = id;
	r.hresult = (uint32_t)hr;
	errs[0] = (char *)why;
	r.errors = errs;
	r.n_errors = 1;
	control_send(cc, FRAME_REPLY, &r.base);
}

/* ---- completions into Reply frames ------------------------------------------ */

/* Sends the ListChannels reply: every channel and listener of the result,
 * packed one by one into a block of its own (unix_list.c). */
static void
control_reply_list(struct control_conn *cc, struct request *r)
{
	struct unix_block b;
	int rc;

	if ((rc = unix_list_frame(r, r->tag, &b)) != 0) {
		if (rc == -EMSGSIZE)
			control_reply_error(cc, r->tag, WS_E_QUOTA_EXCEEDED,
			    "the listing is larger than a frame may be");
		else
			control_reply_error(cc, r->tag, E_OUTOFMEMORY,
			    "out of memory");
		return;
	}
	control_queue_block(cc, &b);
}

/* Sends the AbortChannels reply: one AbortResult per line of the result. */
static void
control_reply_aborted(struct control_conn *cc, struct request *r)
{
	Wschannel__Reply rep = WSCHANNEL__REPLY__INIT;
	Wschannel__AbortReport ar = WSCHANNEL__ABORT_REPORT__INIT;
	Wschannel__AbortResult *res, **resp;
	const struct request_abort *a;
	size_t i, n = r->res.naborts;

	res = bigmem_alloc((n + 1) * sizeof(*res));
	resp = bigmem_alloc((n + 1) * sizeof(*resp));
	if (res == NULL || resp == NULL) {
		control_reply_error(cc, r->tag, E_OUTOFMEMORY, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		a = &r->res.aborts[i];
		wschannel__abort_result__init(&res[i]);
		res[i].id = a->id;
		res[i].hresult = (uint32_t)a->hr;
		if (a->hr == S_OK) {
			res[i].has_cancelled = 1;
			res[i].cancelled = a->cancelled;
			res[i].has_state = 1;
			res[i].state = a->state;
		}
		resp[i] = &res[i];
	}
	ar.results = resp;
	ar.n_results = n;
	rep.id = r->tag;
	rep.hresult = S_OK;
	rep.result_case = WSCHANNEL__REPLY__RESULT_ABORTED;
	rep.aborted = &ar;
	control_send(cc, FRAME_REPLY, &rep.base);
out:
	bigmem_free(res, (n + 1) * sizeof(*res));
	bigmem_free(resp, (n + 1) * sizeof(*resp));
}

/* The Reply of every other request: the HRESULT, the reason, the state and
 * the one typed result of a success. */
static void
control_reply_result(struct control_conn *cc, struct request *r)
{
	Wschannel__Reply rep = WSCHANNEL__REPLY__INIT;
	Wschannel__Envelope e = WSCHANNEL__ENVELOPE__INIT;
	struct unix_http_out ho;
	Wschannel__Property pr = WSCHANNEL__PROPERTY__INIT;
	Wschannel__AbortResult ar = WSCHANNEL__ABORT_RESULT__INIT;
	Wschannel__ChannelInfo ci = WSCHANNEL__CHANNEL_INFO__INIT;
	Wschannel__Statistics st = WSCHANNEL__STATISTICS__INIT;
	bool ok = r->res.hr == S_OK;
	char *errs[1];

	rep.id = r->tag;
	rep.hresult = (uint32_t)r->res.hr;
	if (r->res.hr < 0 && r->res.why != NULL) {
		errs[0] = (char *)r->res.why;
		rep.errors = errs;
		rep.n_errors = 1;
	}
	rep.has_state = r->res.has_state;
	rep.state = r->res.state;
	switch (r->op) {
	case REQUEST_CREATE_CHANNEL:
	case REQUEST_CREATE_LISTENER:
	case REQUEST_CREATE_CHANNEL_FOR_LISTENER:
		if (ok) {
			rep.result_case = WSCHANNEL__REPLY__RESULT_CREATED;
			rep.created = r->res.created;
		}
		unix_refs_note(&cc->refs_made, r->tag, r->res.hr,
		    r->res.created);
		rep.has_creates_kept = 1;
		rep.creates_kept = 1;
		break;
	case REQUEST_GET_CHANNEL_PROPERTY:
	case REQUEST_GET_LISTENER_PROPERTY:
		if (!ok)
			break;
		pr.id = r->arg.prop_id;
		if (r->res.prop_s != NULL)
			pr.s = (char *)r->res.prop_s;
		else {
			pr.has_u = 1;
			pr.u = r->res.prop_u;
		}
		rep.result_case = WSCHANNEL__REPLY__RESULT_PROPERTY;
		rep.property = &pr;
		break;
	case REQUEST_RECEIVE:
	case REQUEST_READ_START:
	case REQUEST_REQUEST_REPLY:
	case REQUEST_ACCEPT:		/* with want_message: the first one */
	case REQUEST_READ_MORE:
		if (r->res.msg == NULL)
			break;
		unix_envelope_out(r->res.msg, &e, &ho);
		if (r->res.raw) {
			/* Raw bytes of a streamed body (read_body_more). */
			e.has_more_body = 1;
			e.more_body = r->res.msg->more_body;
		}
		rep.result_case = WSCHANNEL__REPLY__RESULT_MESSAGE;
		rep.message = &e;
		break;
	case REQUEST_ABORT_CHANNEL:
	case REQUEST_ABORT_LISTENER:
		if (!ok)
			break;
		ar.id = r->arg.object;
		ar.hresult = S_OK;
		ar.has_state = 1;
		ar.state = r->res.state;
		ar.has_cancelled = 1;
		ar.cancelled = r->res.cancelled;
		rep.result_case = WSCHANNEL__REPLY__RESULT_ABORT;
		rep.abort = &ar;
		break;
	case REQUEST_SHOW_CHANNEL:
		if (!ok)
			break;
		unix_fill_channel(r->res.channel, &ci);
		rep.result_case = WSCHANNEL__REPLY__RESULT_CHANNEL;
		rep.channel = &ci;
		break;
	case REQUEST_STATISTICS:
		if (!ok)
			break;
		st.channels = r->res.stats.channels;
		st.listeners = r->res.stats.listeners;
		st.pending = r->res.stats.pending;
		st.unix_clients = r->res.stats.unix_clients;
		st.bus_peers = r->res.stats.bus_peers;
		st.uptime_usec = r->res.stats.uptime_usec;
		st.version = (char *)r->res.stats.version;
		st.has_datagrams_dropped = 1;
		st.datagrams_dropped = r->res.stats.datagrams_dropped;
		rep.result_case = WSCHANNEL__REPLY__RESULT_STATISTICS;
		rep.statistics = &st;
		break;
	default:
		break;
	}
	control_queue(cc, FRAME_REPLY, &rep.base, r->unawaited && ok &&
	    rep.result_case == WSCHANNEL__REPLY__RESULT_CREATED);
}

/* request_door.done: the one Reply of a request. */
static void
control_request_done(struct request *r)
{
	struct control_conn *cc = control_conn_of(r->client);

	if (!cc->dead && !(r->quiet && r->res.hr == S_OK)) {
		if (r->op == REQUEST_LIST && r->res.hr == S_OK)
			control_reply_list(cc, r);
		else if (r->op == REQUEST_ABORT_CHANNELS && r->res.hr == S_OK)
			control_reply_aborted(cc, r);
		else
			control_reply_result(cc, r);
	}
	control_conn_unref(cc);
}

/* request_door.interim: an async call passed its checks and is pending. */
static void
control_request_interim(struct request *r)
{
	struct control_conn *cc = control_conn_of(r->client);
	Wschannel__Reply rep = WSCHANNEL__REPLY__INIT;

	rep.id = r->tag;
	rep.hresult = (uint32_t)WS_S_ASYNC;
	rep.has_interim = 1;
	rep.interim = 1;
	rep.has_state = r->res.has_state;
	rep.state = r->res.state;
	control_send(cc, FRAME_REPLY, &rep.base);
}

/* request_door.event: a state change, as an Event frame to a watcher. */
static void
control_watch_cb(const struct state_event *ev, void *arg)
{
	struct control_conn *cc = control_conn_of(arg);
	Wschannel__Event e = WSCHANNEL__EVENT__INIT;

	if (cc->dead || ev->kind != STATE_EVENT_CHANGED ||
	    !registry_may_access(&cc->client.sess, ev->owner_uid))
		return;
	if (evbuffer_get_length(cc->out) > CONTROL_OUTPUT_HIGH) {
		control_conn_close(cc, "watcher does not keep up; dropped");
		return;
	}
	e.object = ev->object;
	e.is_listener = ev->is_listener;
	e.old_state = ev->old_state;
	e.new_state = ev->new_state;
	if (ev->cause != S_OK) {
		e.has_cause = 1;
		e.cause = (uint32_t)ev->cause;
	}
	e.has_owner_uid = 1;
	e.owner_uid = ev->owner_uid;
	e.has_owner_pid = 1;
	e.owner_pid = (uint32_t)ev->owner_pid;
	e.seq = ev->seq;
	e.remote_address = (char *)ev->remote;
	control_send(cc, FRAME_EVENT, &e.base);
}

/* ---- Request frames into requests -------------------------------------------- */

/* Each operation of the protocol and the request it becomes. */
static const struct {
	Wschannel__Request__OpCase	 op_case;
	enum request_op			 op;
} control_ops[] = {
	{ WSCHANNEL__REQUEST__OP_CREATE_CHANNEL, REQUEST_CREATE_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_OPEN_CHANNEL, REQUEST_OPEN_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL, REQUEST_CLOSE_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_ABORT_CHANNEL, REQUEST_ABORT_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_RESET_CHANNEL, REQUEST_RESET_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_FREE_CHANNEL, REQUEST_FREE_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY,
	    REQUEST_GET_CHANNEL_PROPERTY },
	{ WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY,
	    REQUEST_SET_CHANNEL_PROPERTY },
	{ WSCHANNEL__REQUEST__OP_SEND_MESSAGE, REQUEST_SEND },
	{ WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE, REQUEST_RECEIVE },
	{ WSCHANNEL__REQUEST__OP_READ_MESSAGE_START, REQUEST_READ_START },
	{ WSCHANNEL__REQUEST__OP_READ_MESSAGE_END, REQUEST_READ_END },
	{ WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START, REQUEST_WRITE_START },
	{ WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END, REQUEST_WRITE_END },
	{ WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE, REQUEST_ABANDON },
	{ WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION, REQUEST_SHUTDOWN },
	{ WSCHANNEL__REQUEST__OP_REQUEST_REPLY, REQUEST_REQUEST_REPLY },
	{ WSCHANNEL__REQUEST__OP_CREATE_LISTENER, REQUEST_CREATE_LISTENER },
	{ WSCHANNEL__REQUEST__OP_OPEN_LISTENER, REQUEST_OPEN_LISTENER },
	{ WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL, REQUEST_ACCEPT },
	{ WSCHANNEL__REQUEST__OP_CLOSE_LISTENER, REQUEST_CLOSE_LISTENER },
	{ WSCHANNEL__REQUEST__OP_ABORT_LISTENER, REQUEST_ABORT_LISTENER },
	{ WSCHANNEL__REQUEST__OP_RESET_LISTENER, REQUEST_RESET_LISTENER },
	{ WSCHANNEL__REQUEST__OP_FREE_LISTENER, REQUEST_FREE_LISTENER },
	{ WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY,
	    REQUEST_GET_LISTENER_PROPERTY },
	{ WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY,
	    REQUEST_SET_LISTENER_PROPERTY },
	{ WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER,
	    REQUEST_CREATE_CHANNEL_FOR_LISTENER },
	{ WSCHANNEL__REQUEST__OP_LIST_CHANNELS, REQUEST_LIST },
	{ WSCHANNEL__REQUEST__OP_SHOW_CHANNEL, REQUEST_SHOW_CHANNEL },
	{ WSCHANNEL__REQUEST__OP_ABORT_CHANNELS, REQUEST_ABORT_CHANNELS },
	{ WSCHANNEL__REQUEST__OP_WATCH, REQUEST_WATCH },
	{ WSCHANNEL__REQUEST__OP_RELOAD, REQUEST_RELOAD },
	{ WSCHANNEL__REQUEST__OP_GET_STATISTICS, REQUEST_STATISTICS },
	{ WSCHANNEL__REQUEST__OP_READ_BODY_MORE, REQUEST_READ_MORE },
};

static void
control_props_in(struct request *r, Wschannel__Property **props, size_t n)
{
	size_t i;

	if (n > REQUEST_MAX_PROPS) {
		request_bad_arg(r, E_INVALIDARG, "too many properties");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!props[i]->has_u) {
			request_bad_arg(r, E_INVALIDARG,
			    "property value missing or not an integer");
			return;
		}
		request_add_prop(r, props[i]->id, props[i]->u);
	}
}

/* A message for SendMessage, WriteMessageEnd and RequestReply. */
static void
control_message_in(struct request *r, const Wschannel__SendMessage *sm)
{
	r->arg.object = sm->channel;
	if (unix_envelope_in(sm->message, &r->arg.msg) != 0)
		request_bad_arg(r, E_OUTOFMEMORY, "out of memory");
}

static void
control_set_property_in(struct request *r, const Wschannel__SetProperty *sp)
{
	r->arg.object = sp->id;
	r->arg.prop_id = sp->property->id;
	if (sp->property->has_u)
		r->arg.prop_value = sp->property->u;
	else
		request_bad_arg(r, E_INVALIDARG, "property is read-only");
}

/* The arguments of `rq` into `r`; strings stay in `rq`, which outlives
 * request_run. */
static void
control_decode(struct request *r, const Wschannel__Request *rq)
{
	switch (rq->op_case) {
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL:
		r->arg.type = rq->create_channel->type;
		r->arg.binding = rq->create_channel->binding;
		control_props_in(r, rq->create_channel->properties,
		    rq->create_channel->n_properties);
		break;
	case WSCHANNEL__REQUEST__OP_CREATE_LISTENER:
		r->arg.type = rq->create_listener->type;
		r->arg.binding = rq->create_listener->binding;
		control_props_in(r, rq->create_listener->properties,
		    rq->create_listener->n_properties);
		break;
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER:
		r->arg.object = rq->create_channel_for_listener->listener;
		control_props_in(r, rq->create_channel_for_listener->properties,
		    rq->create_channel_for_listener->n_properties);
		break;
	case WSCHANNEL__REQUEST__OP_OPEN_CHANNEL:
		r->arg.object = rq->open_channel->channel;
		r->arg.url = rq->open_channel->url;
		break;
	case WSCHANNEL__REQUEST__OP_OPEN_LISTENER:
		r->arg.object = rq->open_listener->listener;
		r->arg.url = rq->open_listener->url;
		break;
	case WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL:
		r->arg.object = rq->accept_channel->listener;
		r->arg.channel = rq->accept_channel->channel;
		break;
	case WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY:
	case WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY:
		/* One GetProperty message for both. */
		r->arg.object = rq->get_channel_property->id;
		r->arg.prop_id = rq->get_channel_property->property_id;
		break;
	case WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY:
		control_set_property_in(r, rq->set_channel_property);
		break;
	case WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY:
		control_set_property_in(r, rq->set_listener_property);
		break;
	case WSCHANNEL__REQUEST__OP_SEND_MESSAGE:
		control_message_in(r, rq->send_message);
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
		control_message_in(r, rq->write_message_end);
		break;
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		control_message_in(r, rq->request_reply);
		break;
	case WSCHANNEL__REQUEST__OP_LIST_CHANNELS:
		r->arg.list_channels = r->arg.list_listeners = true;
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNELS:
		r->arg.ids = rq->abort_channels->ids;
		r->arg.nids = rq->abort_channels->n_ids;
		r->arg.by_pid = rq->abort_channels->has_pid;
		r->arg.pid = rq->abort_channels->pid;
		r->arg.all = rq->abort_channels->has_all &&
		    rq->abort_channels->all;
		break;
	case WSCHANNEL__REQUEST__OP_WATCH:
	case WSCHANNEL__REQUEST__OP_RELOAD:
	case WSCHANNEL__REQUEST__OP_GET_STATISTICS:
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNEL:
	case WSCHANNEL__REQUEST__OP_RESET_CHANNEL:
	case WSCHANNEL__REQUEST__OP_FREE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_END:
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START:
	case WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE:
	case WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION:
	case WSCHANNEL__REQUEST__OP_SHOW_CHANNEL:
	case WSCHANNEL__REQUEST__OP_CLOSE_LISTENER:
	case WSCHANNEL__REQUEST__OP_ABORT_LISTENER:
	case WSCHANNEL__REQUEST__OP_RESET_LISTENER:
	case WSCHANNEL__REQUEST__OP_FREE_LISTENER:
	case WSCHANNEL__REQUEST__OP_READ_BODY_MORE:
		/* One ObjectRef each, in the same place of the oneof's
		 * union. */
		r->arg.object = rq->close_channel->id;
		break;
	default:
		break;
	}
}

/* Request.want_message: an accept that brings the channel's first
 * message, or the read of the message an accept brought. */
static void
control_want_message(struct request *r, const Wschannel__Request *rq)
{
	if (!rq->has_want_message)
		return;
	if (rq->op_case == WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL)
		r->want_message = rq->want_message;
	else if (rq->op_case == WSCHANNEL__REQUEST__OP_READ_MESSAGE_START)
		r->read_kept = !rq->want_message;
}

static void
control_dispatch(struct control_conn *cc, Wschannel__Request *rq)
{
	enum request_op op = REQUEST_UNKNOWN;
	const char *why = NULL;
	struct request *r;
	int32_t hr;
	size_t i;

	/* Objects named by their create (unix_refs.c) get their ids. */
	if ((hr = unix_refs_resolve(&cc->refs_made, rq, &why)) != S_OK) {
		control_reply_error(cc, rq->id, hr, why);
		return;
	}

	for (i = 0; i < sizeof(control_ops) / sizeof(control_ops[0]); i++)
		if (control_ops[i].op_case == rq->op_case)
			op = control_ops[i].op;
	if (op == REQUEST_UNKNOWN)
		log_warnx("pid %d: unknown operation %d",
		    (int)cc->client.sess.pid, (int)rq->op_case);
	if ((r = request_new(&cc->client, op)) == NULL) {
		control_reply_error(cc, rq->id, E_OUTOFMEMORY, "out of memory");
		return;
	}
	r->tag = rq->id;
	r->async = rq->has_async && rq->async &&
	    !(rq->has_pipelined && rq->pipelined);
	if (op != REQUEST_UNKNOWN)
		control_decode(r, rq);
	control_want_message(r, rq);
	r->quiet = rq->has_quiet && rq->quiet && !r->async;
	r->unawaited = rq->has_unawaited && rq->unawaited && !r->async;
	/* Released by control_request_done. */
	cc->refs++;
	request_run(r);
}

/* ---- connections ----------------------------------------------------------- */

static void
control_conn_close(struct control_conn *cc, const char *why)
{
	if (cc->dead)
		return;
	if (why != NULL)
		log_warnx("client uid %u pid %d: %s; closing its connection",
		    (unsigned)cc->client.sess.uid, (int)cc->client.sess.pid,
		    why);
	cc->dead = 1;
	TAILQ_REMOVE(&ctl_conns, cc, entry);
	ctl_nconns--;
	/* Everything it asked for and everything it owns ends with it. */
	request_client_end(&cc->client);
	if (cc->dirty) {
		TAILQ_REMOVE(&ctl_dirty, cc, dirty_entry);
		cc->dirty = 0;
	}
	event_free(cc->rev);
	event_free(cc->wev);
	event_free(cc->hold_ev);
	evbuffer_free(cc->out);
	evbuffer_free(cc->held);
	evutil_closesocket(cc->fd);
	cc->rev = cc->wev = cc->hold_ev = NULL;
	cc->out = cc->held = NULL;
	cc->fd = -1;
	control_conn_unref(cc);
}

/*
 * protobuf-c allocates as it decodes, and a frame within FRAME_MAX_PAYLOAD
 * can still expand a hundredfold (a 4-byte repeated Property becomes a
 * 40-byte struct and a pointer).  Each decode gets a budget proportional
 * to its payload, so a hostile frame fails to decode instead of costing
 * the daemon hundreds of megabytes.
 */
#define CONTROL_DECODE_SLACK	(64u * 1024)

/*
 * A decoded request lives only until it is dispatched (the dispatcher
 * copies what it keeps), so its pieces come from a small arena on the
 * stack of control_process, one bump each, instead of a malloc and a free
 * per field; what does not fit (a large body) comes from malloc.
 */
#define CONTROL_ARENA_SIZE	4096

struct control_arena {
	union {
		max_align_t	align;
		uint8_t		bytes[CONTROL_ARENA_SIZE];
	} u;
	size_t	used;
};

struct control_budget {
	size_t	left;
	bool	exceeded;
	bool	malloced;	/* a piece did not fit the arena */
	struct control_arena *arena;
};

static void *
control_budget_alloc(void *arg, size_t size)
{
	struct control_budget *b = arg;
	struct control_arena *ar = b->arena;
	size_t step = (size + _Alignof(max_align_t) - 1) &
	    ~(_Alignof(max_align_t) - 1);
	void *p;

	if (size > b->left) {
		b->exceeded = true;
		return NULL;
	}
	b->left -= size;
	if (ar != NULL && step >= size && step <= CONTROL_ARENA_SIZE - ar->used) {
		p = ar->u.bytes + ar->used;
		ar->used += step;
		return p;
	}
	b->malloced = true;
	return malloc(size);
}

static void
control_budget_free(void *arg, void *ptr)
{
	struct control_budget *b = arg;
	const uint8_t *p = ptr;

	if (b->arena != NULL && p >= b->arena->u.bytes &&
	    p < b->arena->u.bytes + CONTROL_ARENA_SIZE)
		return;		/* the arena goes as a whole */
	free(ptr);
}

static Wschannel__Request *
control_decode_frame(const uint8_t *payload, size_t len,
    ProtobufCAllocator *a, struct control_budget *b)
{
	b->left = 2 * len + CONTROL_DECODE_SLACK;
	b->exceeded = b->malloced = false;
	if (b->arena != NULL)
		b->arena->used = 0;
	a->alloc = control_budget_alloc;
	a->free = control_budget_free;
	a->allocator_data = b;
	return wschannel__request__unpack(a, len, payload);
}

/*
 * Handles every whole frame of buf[0..len); returns how many bytes were
 * used.  Stops early when the connection dies or is throttled.
 */
static size_t
control_process(struct control_conn *cc, const uint8_t *buf, size_t len)
{
	struct control_arena arena;
	struct control_budget budget = { .arena = &arena };
	ProtobufCAllocator alloc;
	struct frame_header hdr;
	Wschannel__Request *rq;
	const char *why;
	size_t off = 0, flen;

	while (!cc->dead) {
		if (evbuffer_get_length(cc->out) > CONTROL_OUTPUT_HIGH) {
			/* Backpressure: the client reads its replies first. */
			cc->throttled = 1;
			event_del(cc->rev);
			break;
		}
		if (len - off < FRAME_HEADER_SIZE)
			break;
		if (frame_header_parse(buf + off, &hdr, &why) != 0) {
			control_conn_close(cc, why);
			break;
		}
		if (hdr.kind != FRAME_REQUEST) {
			control_conn_close(cc, "client sent a frame that is not a request");
			break;
		}
		flen = FRAME_HEADER_SIZE + (size_t)hdr.length;
		if (len - off < flen)
			break;
		rq = control_decode_frame(buf + off + FRAME_HEADER_SIZE,
		    hdr.length, &alloc, &budget);
		off += flen;
		if (rq == NULL) {
			control_conn_close(cc, budget.exceeded ?
			    "request expands past its decoding budget" :
			    "request does not decode");
			break;
		}
		control_dispatch(cc, rq);
		/* All in the arena (most requests): nothing to walk. */
		if (budget.malloced)
			wschannel__request__free_unpacked(rq, &alloc);
	}
	return off;
}

/* The bytes a stash needs to hold the frame it starts (or its header). */
static size_t
control_stash_want(const struct control_conn *cc)
{
	size_t want = FRAME_HEADER_SIZE;

	if (cc->stash_len >= FRAME_HEADER_SIZE)
		want += ((size_t)cc->stash[8] << 24 | (size_t)cc->stash[9] << 16 |
		    (size_t)cc->stash[10] << 8 | cc->stash[11]);
	if (want > FRAME_HEADER_SIZE + FRAME_MAX_PAYLOAD)
		want = FRAME_HEADER_SIZE;	/* refused when parsed */
	return want;
}

/* Keeps buf[0..len) for the next wake-up; false when out of memory. */
static bool
control_stash_keep(struct control_conn *cc, const uint8_t *buf, size_t len)
{
	uint8_t *p;
	size_t cap;

	if (len == 0) {
		free(cc->stash);
		cc->stash = NULL;
		cc->stash_len = cc->stash_cap = 0;
		return true;
	}
	if (cc->stash != NULL && buf >= cc->stash &&
	    buf < cc->stash + cc->stash_cap) {
		memmove(cc->stash, buf, len);	/* what is left of it */
		cc->stash_len = len;
		return true;
	}
	cap = len < 4096 ? 4096 : len;
	if ((p = malloc(cap)) == NULL)
		return false;
	memcpy(p, buf, len);
	free(cc->stash);
	cc->stash = p;
	cc->stash_len = len;
	cc->stash_cap = cap;
	return true;
}

/* Handles the stash and keeps what is left; false if the connection died. */
static bool
control_process_stash(struct control_conn *cc)
{
	size_t used;

	used = control_process(cc, cc->stash, cc->stash_len);
	if (cc->dead)
		return false;
	if (!control_stash_keep(cc, cc->stash + used, cc->stash_len - used)) {
		control_conn_close(cc, "out of memory reading a request");
		return false;
	}
	return true;
}

/*
 * Takes the bytes handled this pass out of the socket (into the shared
 * buffer, free again by the pass's end).  0, or -1 with the connection
 * closed.
 */
static int
control_consume(struct control_conn *cc)
{
	ssize_t n;

	while (cc->unread > 0) {
		n = read(cc->fd, ctl_rbuf, cc->unread);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			control_conn_close(cc, "its requests cannot be read "
			    "a second time");
			return -1;
		}
		cc->unread -= (size_t)n;
	}
	return 0;
}

/*
 * One read: into the stash when part of a frame waits there, else into
 * the shared buffer.  The shared buffer is filled with MSG_PEEK, and the
 * bytes leave the socket only after the pass has written the replies
 * (control_flush).  Taking a request out of an AF_UNIX socket frees the
 * client's send space, and that wakes every thread of the client blocked
 * in read(2) on it, which is where a caller waits for its reply: woken for
 * nothing, before the reply exists.  On a virtual machine the daemon pays
 * for that wake-up (an interprocessor interrupt) before it can answer.
 * Taken after the reply, the bytes find the caller already woken.
 */
static void
control_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control_conn *cc = arg;
	uint8_t *buf = ctl_rbuf, *p;
	size_t cap = CONTROL_RBUF_SIZE, want, used;
	ssize_t n;

	cc->refs++;
	if (cc->stash_len > 0) {
		want = control_stash_want(cc);
		if (want < cc->stash_len + 4096)
			want = cc->stash_len + 4096;
		if (want > cc->stash_cap) {
			if ((p = realloc(cc->stash, want)) == NULL) {
				control_conn_close(cc,
				    "out of memory reading a request");
				goto out;
			}
			cc->stash = p;
			cc->stash_cap = want;
		}
		buf = cc->stash + cc->stash_len;
		cap = cc->stash_cap - cc->stash_len;
	}
	if (cc->unread > 0 && control_consume(cc) != 0)
		goto out;
	if (buf == ctl_rbuf)
		n = recv(fd, buf, cap, MSG_PEEK);
	else
		n = read(fd, buf, cap);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		goto out;
	if (n <= 0) {
		if (n < 0)
			log_debug("client pid %d: %s", (int)cc->client.sess.pid,
			    strerror(errno));
		control_conn_close(cc, NULL);
		goto out;
	}
	if (buf != ctl_rbuf) {
		cc->stash_len += (size_t)n;
		(void)control_process_stash(cc);
		goto out;
	}
	cc->unread = (size_t)n;
	control_mark_dirty(cc);
	used = control_process(cc, buf, (size_t)n);
	if (!cc->dead && !control_stash_keep(cc, buf + used, (size_t)n - used))
		control_conn_close(cc, "out of memory reading a request");
out:
	control_conn_unref(cc);
}

/* Writes what the connection can take now, then takes the requests it
 * answered out of the socket; watches for writability only while it
 * cannot take everything. */
static void
control_flush(struct control_conn *cc)
{
	int n;

	if (cc->dirty) {
		TAILQ_REMOVE(&ctl_dirty, cc, dirty_entry);
		cc->dirty = 0;
	}
	while (evbuffer_get_length(cc->out) > 0) {
		n = evbuffer_write(cc->out, cc->fd);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			log_debug("client pid %d: %s", (int)cc->client.sess.pid,
			    strerror(errno));
			control_conn_close(cc, NULL);
			return;
		}
		if (n <= 0)
			break;
	}
	if (cc->unread > 0 && control_consume(cc) != 0)
		return;
	if (evbuffer_get_length(cc->out) > 0) {
		if (!cc->wev_on && event_add(cc->wev, NULL) == 0)
			cc->wev_on = 1;
	} else if (cc->wev_on) {
		event_del(cc->wev);
		cc->wev_on = 0;
	}
	if (cc->throttled &&
	    evbuffer_get_length(cc->out) < CONTROL_OUTPUT_LOW) {
		cc->throttled = 0;
		event_add(cc->rev, NULL);
		if (cc->stash_len > 0)
			(void)control_process_stash(cc);
	}
}

/* The end of a loop pass: every connection with output writes it once. */
static void
control_flush_dirty(void)
{
	struct control_conn *cc;

	while ((cc = TAILQ_FIRST(&ctl_dirty)) != NULL) {
		cc->refs++;
		control_flush(cc);
		control_conn_unref(cc);
	}
}

static void
control_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control_conn *cc = arg;

	cc->refs++;
	control_flush(cc);
	control_conn_unref(cc);
}

static void
control_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control_conn *cc;
	struct event_base *base;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (ctl_warned) {
		log_info("control socket: accepting again");
		ctl_warned = 0;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("SO_PEERCRED");
		evutil_closesocket(fd);
		return;
	}
	if ((cc = calloc(1, sizeof(*cc))) == NULL) {
		log_warnx("out of memory accepting a client");
		evutil_closesocket(fd);
		return;
	}
	request_client_init(&cc->client, &control_door, cred.uid, cred.pid,
	    cred.gid);
	cc->refs = 1;
	cc->fd = fd;
	base = evconnlistener_get_base(evl);
	cc->rev = event_new(base, fd, EV_READ | EV_PERSIST, control_read_cb,
	    cc);
	cc->wev = event_new(base, fd, EV_WRITE | EV_PERSIST, control_write_cb,
	    cc);
	cc->hold_ev = evtimer_new(base, control_hold_cb, cc);
	cc->out = evbuffer_new();
	cc->held = evbuffer_new();
	if (cc->rev == NULL || cc->wev == NULL || cc->hold_ev == NULL ||
	    cc->out == NULL || cc->held == NULL ||
	    event_add(cc->rev, NULL) != 0) {
		log_warnx("out of memory accepting a client");
		if (cc->rev != NULL)
			event_free(cc->rev);
		if (cc->wev != NULL)
			event_free(cc->wev);
		if (cc->hold_ev != NULL)
			event_free(cc->hold_ev);
		if (cc->out != NULL)
			evbuffer_free(cc->out);
		if (cc->held != NULL)
			evbuffer_free(cc->held);
		evutil_closesocket(fd);
		free(cc);
		return;
	}
	TAILQ_INSERT_TAIL(&ctl_conns, cc, entry);
	ctl_nconns++;
	log_debug("client uid %u pid %d connected", (unsigned)cred.uid,
	    (int)cred.pid);
}

static void
control_accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	if (ctl_listener != NULL)
		evconnlistener_enable(ctl_listener);
}

/*
 * accept(2) failed, typically EMFILE at the fd limit: the client stays in
 * the backlog and the socket stays readable, so retrying at once would
 * spin.  Pause 100 ms and try again; never give up on the door.
 */
static void
control_accept_error_cb(struct evconnlistener *evl, void *arg)
{
	struct timeval tv = { 0, 100 * 1000 };

	if (!ctl_warned) {
		log_warnx("control socket accept: %s; retrying every 100 ms",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		ctl_warned = 1;
	}
	if (ctl_retry == NULL && (ctl_retry = evtimer_new(
	    evconnlistener_get_base(evl), control_accept_retry_cb,
	    NULL)) == NULL)
		return;		/* keep trying at once rather than stop */
	evconnlistener_disable(evl);
	evtimer_add(ctl_retry, &tv);
}

/* Creates the directory of `path` if needed (one level, like RuntimeDirectory). */
static int
control_mkdir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -errno;
	return 0;
}

int
control_init(struct event_base *base, const char *path, int fd,
    request_reload_fn reload)
{
	struct sockaddr_un sun;
	mode_t old;
	int s, rc;

	if (fd < 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(sun.sun_path)) {
			log_warnx("socket path too long: %s", path);
			return -ENAMETOOLONG;
		}
		strcpy(sun.sun_path, path);
		if ((rc = control_mkdir(path)) < 0) {
			errno = -rc;
			log_warn("cannot create the directory of %s", path);
			return rc;
		}
		if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1) {
			log_warn("socket");
			return -errno;
		}
		/* A stale socket from a crashed daemon is replaced; a live
		 * one means another daemon owns this path. */
		if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			log_warnx("%s: another wschanneld is listening there", path);
			close(s);
			return -EADDRINUSE;
		}
		unlink(path);
		old = umask(0111);	/* 0666: access is checked per object */
		rc = bind(s, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
		if (rc == -1 || listen(s, 128) == -1) {
			log_warn("cannot listen on %s", path);
			rc = -errno;
			close(s);
			return rc;
		}
		if ((ctl_path = strdup(path)) == NULL) {
			close(s);
			return -ENOMEM;
		}
		fd = s;
	}
	if (ctl_rbuf == NULL && (ctl_rbuf = malloc(CONTROL_RBUF_SIZE)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	ctl_listener = evconnlistener_new(base, control_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (ctl_listener == NULL) {
		close(fd);
		return -ENOMEM;
	}
	evconnlistener_set_error_cb(ctl_listener, control_accept_error_cb);
	control_door.reload = reload;
	request_door_add(&control_door);
	return 0;
}

void
control_stop_accepting(void)
{
	if (ctl_retry != NULL) {
		event_free(ctl_retry);
		ctl_retry = NULL;
	}
	if (ctl_listener != NULL) {
		evconnlistener_free(ctl_listener);
		ctl_listener = NULL;
	}
	if (ctl_path != NULL) {
		unlink(ctl_path);
		free(ctl_path);
		ctl_path = NULL;
	}
}

/* Flushes what each client can take now, then closes it. */
void
control_shutdown(void)
{
	struct control_conn *cc;

	while ((cc = TAILQ_FIRST(&ctl_conns)) != NULL) {
		/* Sessions end first so every pending reply is queued. */
		request_client_end(&cc->client);
		while (evbuffer_get_length(cc->out) > 0 &&
		    evbuffer_write(cc->out, cc->fd) > 0)
			;
		control_conn_close(cc, NULL);
	}
	request_door_remove(&control_door);
	free(ctl_rbuf);
	ctl_rbuf = NULL;
}

unsigned
control_connections(void)
{
	return ctl_nconns;
}

int
control_accepting(void)
{
	return ctl_listener != NULL;
}
