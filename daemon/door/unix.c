/*
 * The Unix-socket door.  Authenticates each connection with SO_PEERCRED,
 * validates every frame and field before use, calls the core, and turns
 * each completion into exactly one Reply.  A bad frame closes that
 * connection with one logged line and harms nobody else.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <wschannel/webservices.h>

#include "wschannel.pb-c.h"

#include "channel.h"
#include "unix.h"
#include "envelope.h"
#include "frame.h"
#include "hresult.h"
#include "listener.h"
#include "log.h"
#include "props.h"
#include "registry.h"

/* Past this much unsent output a connection stops being read (requests
 * wait in the kernel); a watcher this far behind is dropped. */
#define CONTROL_OUTPUT_HIGH	(8u * 1024 * 1024)
#define CONTROL_MAX_PROPS	64

struct control_conn {
	struct session		 sess;
	struct bufferevent	*bev;
	void			*watch;
	int			 refs;
	int			 dead;
	int			 throttled;
	uint64_t		 inflight_id;	/* request being dispatched */
	int			 inflight_done;	/* ... already answered */
	TAILQ_ENTRY(control_conn) entry;
};

struct reply_ctx {
	struct control_conn	*cc;
	uint64_t		 id;
};

static struct evconnlistener	*ctl_listener;
static char			*ctl_path;
static TAILQ_HEAD(, control_conn) ctl_conns = TAILQ_HEAD_INITIALIZER(ctl_conns);
static unsigned			 ctl_nconns;

static void	control_conn_close(struct control_conn *, const char *why);
static void	control_read_cb(struct bufferevent *, void *);

static void
control_conn_unref(struct control_conn *cc)
{
	if (--cc->refs > 0)
		return;
	free(cc);
}

/* Queues one frame; a connection that cannot take it is closed. */
static void
control_send(struct control_conn *cc, enum frame_kind kind,
    const ProtobufCMessage *msg)
{
	uint8_t hdr[FRAME_HEADER_SIZE];
	struct evbuffer *out;
	struct evbuffer_iovec v;
	size_t len;

	if (cc->dead)
		return;
	len = protobuf_c_message_get_packed_size(msg);
	if (len > FRAME_MAX_PAYLOAD) {
		log_warnx("pid %d: reply of %zu bytes exceeds the frame limit",
		    (int)cc->sess.pid, len);
		control_conn_close(cc, NULL);
		return;
	}
	out = bufferevent_get_output(cc->bev);
	frame_header_write(hdr, kind, (uint32_t)len);
	if (evbuffer_add(out, hdr, sizeof(hdr)) != 0 ||
	    evbuffer_reserve_space(out, len, &v, 1) < 1) {
		control_conn_close(cc, "out of memory queueing a reply");
		return;
	}
	protobuf_c_message_pack(msg, v.iov_base);
	v.iov_len = len;
	evbuffer_commit_space(out, &v, 1);
}

static void
control_reply(struct control_conn *cc, Wschannel__Reply *r)
{
	control_send(cc, FRAME_REPLY, &r->base);
}

/* A terminal reply with just an HRESULT, a reason and maybe a state. */
static void
control_reply_simple(struct control_conn *cc, uint64_t id, int32_t hr,
    const char *why, int has_state, uint32_t state)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	char *errs[1];

	r.id = id;
	r.hresult = (uint32_t)hr;
	if (why != NULL && hr < 0) {
		errs[0] = (char *)why;
		r.errors = errs;
		r.n_errors = 1;
	}
	r.has_state = has_state;
	r.state = state;
	control_reply(cc, &r);
}

/* ---- envelopes between the protocol and the core ------------------------- */

static int
control_envelope_in(const Wschannel__Envelope *e, struct envelope *env)
{
	memset(env, 0, sizeof(*env));
#define DUP(f) do {							\
	if (e->f != NULL && (env->f = strdup(e->f)) == NULL)		\
		goto fail;						\
} while (0)
	DUP(action);
	DUP(to);
	DUP(message_id);
	DUP(relates_to);
	DUP(reply_to);
	DUP(fault_to);
	DUP(fault_reason);
#undef DUP
	if (e->has_body && e->body.len > 0) {
		if ((env->body = malloc(e->body.len)) == NULL)
			goto fail;
		memcpy(env->body, e->body.data, e->body.len);
		env->body_len = e->body.len;
	}
	env->is_fault = e->has_is_fault && e->is_fault;
	return 0;
fail:
	envelope_clear(env);
	return -ENOMEM;
}

static void
control_envelope_out(const struct envelope *env, Wschannel__Envelope *e)
{
	e->has_envelope_version = 1;
	e->envelope_version = env->envelope_version;
	e->has_addressing_version = 1;
	e->addressing_version = env->addressing_version;
	e->action = env->action;
	e->to = env->to;
	e->message_id = env->message_id;
	e->relates_to = env->relates_to;
	e->reply_to = env->reply_to;
	e->fault_to = env->fault_to;
	if (env->body != NULL) {
		e->has_body = 1;
		e->body.data = env->body;
		e->body.len = env->body_len;
	}
	if (env->is_fault) {
		e->has_is_fault = 1;
		e->is_fault = 1;
		e->fault_reason = env->fault_reason;
	}
}

/* ---- pending operations -------------------------------------------------- */

static void
control_pending_done(struct pending *p, int32_t hr, void *arg)
{
	struct reply_ctx *ctx = arg;
	struct control_conn *cc = ctx->cc;
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	Wschannel__Envelope e = WSCHANNEL__ENVELOPE__INIT;
	char *errs[1];

	if (cc->inflight_id == ctx->id)
		cc->inflight_done = 1;
	if (!cc->dead) {
		r.id = ctx->id;
		r.hresult = (uint32_t)hr;
		if (hr < 0 && p->why != NULL) {
			errs[0] = (char *)p->why;
			r.errors = errs;
			r.n_errors = 1;
		}
		if (p->ch != NULL) {
			r.has_state = 1;
			r.state = p->ch->state;
		}
		if (p->kind == PENDING_RECEIVE && hr == S_OK &&
		    p->msg.envelope_version != 0) {
			control_envelope_out(&p->msg, &e);
			r.result_case = WSCHANNEL__REPLY__RESULT_MESSAGE;
			r.message = &e;
		}
		control_reply(cc, &r);
	}
	free(ctx);
	control_conn_unref(cc);
}

/* A pending owned by this connection's session, for request `id`. */
static struct pending *
control_pending_new(struct control_conn *cc, enum pending_kind kind,
    uint64_t id)
{
	struct reply_ctx *ctx;
	struct pending *p;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	if ((p = pending_new(kind, &cc->sess, control_pending_done, ctx)) == NULL) {
		free(ctx);
		return NULL;
	}
	ctx->cc = cc;
	ctx->id = id;
	cc->refs++;
	TAILQ_INSERT_TAIL(&cc->sess.pendings, p, sess_entry);
	return p;
}

/* The core did not take the pending: undo control_pending_new. */
static void
control_pending_discard(struct pending *p)
{
	struct reply_ctx *ctx = p->arg;

	TAILQ_REMOVE(&p->sess->pendings, p, sess_entry);
	envelope_clear(&p->msg);
	free(p);
	control_conn_unref(ctx->cc);
	free(ctx);
}

/*
 * Runs a long operation: `start` queues `p` or refuses it.  Refusals are
 * answered at once; accepted async requests get the interim reply unless
 * the operation already completed.
 */
static void
control_long_op_result(struct control_conn *cc, const Wschannel__Request *rq,
    struct pending *p, int32_t hr, const char *why, struct channel *ch)
{
	if (hr != S_OK) {
		control_pending_discard(p);
		control_reply_simple(cc, rq->id, hr, why, ch != NULL,
		    ch != NULL ? ch->state : 0);
		return;
	}
	if (rq->has_async && rq->async && !cc->inflight_done) {
		Wschannel__Reply r = WSCHANNEL__REPLY__INIT;

		r.id = rq->id;
		r.hresult = (uint32_t)WS_S_ASYNC;
		r.has_interim = 1;
		r.interim = 1;
		if (ch != NULL) {
			r.has_state = 1;
			r.state = ch->state;
		}
		control_reply(cc, &r);
	}
}

/* ---- requests ------------------------------------------------------------- */

static int32_t
control_props_in(Wschannel__Property **props, size_t n, uint32_t *ids,
    uint64_t *vals, const char **why)
{
	size_t i;

	if (n > CONTROL_MAX_PROPS) {
		*why = "too many properties";
		return E_INVALIDARG;
	}
	for (i = 0; i < n; i++) {
		if (!props[i]->has_u) {
			*why = "property value missing or not an integer";
			return E_INVALIDARG;
		}
		ids[i] = props[i]->id;
		vals[i] = props[i]->u;
	}
	return S_OK;
}

static void
control_created(struct control_conn *cc, uint64_t id, int32_t hr,
    const char *why, uint64_t obj)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	char *errs[1];

	r.id = id;
	r.hresult = (uint32_t)hr;
	if (hr == S_OK) {
		r.result_case = WSCHANNEL__REPLY__RESULT_CREATED;
		r.created = obj;
		r.has_state = 1;
		r.state = 0;	/* CREATED, for channels and listeners alike */
	} else if (why != NULL) {
		errs[0] = (char *)why;
		r.errors = errs;
		r.n_errors = 1;
	}
	control_reply(cc, &r);
}

static void
control_property_reply(struct control_conn *cc, uint64_t id, int32_t hr,
    const char *why, uint32_t prop_id, uint64_t u, const char *s)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	Wschannel__Property pr = WSCHANNEL__PROPERTY__INIT;
	char *errs[1];

	r.id = id;
	r.hresult = (uint32_t)hr;
	if (hr == S_OK) {
		pr.id = prop_id;
		if (s != NULL)
			pr.s = (char *)s;
		else {
			pr.has_u = 1;
			pr.u = u;
		}
		r.result_case = WSCHANNEL__REPLY__RESULT_PROPERTY;
		r.property = &pr;
	} else if (why != NULL) {
		errs[0] = (char *)why;
		r.errors = errs;
		r.n_errors = 1;
	}
	control_reply(cc, &r);
}

static void
control_abort_reply(struct control_conn *cc, uint64_t id, uint64_t obj,
    uint32_t state, unsigned cancelled)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	Wschannel__AbortResult ar = WSCHANNEL__ABORT_RESULT__INIT;

	ar.id = obj;
	ar.hresult = S_OK;
	ar.has_state = 1;
	ar.state = state;
	ar.has_cancelled = 1;
	ar.cancelled = cancelled;
	r.id = id;
	r.hresult = S_OK;
	r.has_state = 1;
	r.state = state;
	r.result_case = WSCHANNEL__REPLY__RESULT_ABORT;
	r.abort = &ar;
	control_reply(cc, &r);
}

static void
control_fill_info(const struct channel *ch, Wschannel__ChannelInfo *ci)
{
	ci->id = ch->id;
	ci->owner_uid = ch->uid;
	ci->owner_pid = (uint32_t)ch->pid;
	ci->type = ch->type;
	ci->binding = ch->binding;
	ci->state = ch->state;
	ci->remote_address = (char *)ch->remote;
	ci->pending = pending_count((struct pending_list *)&ch->pendings);
	ci->bytes_in = ch->bytes_in;
	ci->bytes_out = ch->bytes_out;
	ci->messages_in = ch->messages_in;
	ci->messages_out = ch->messages_out;
	ci->has_encoding = 1;
	ci->encoding = (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENCODING];
	ci->url = ch->url;
	if (ch->listener_id != 0) {
		ci->has_listener = 1;
		ci->listener = ch->listener_id;
	}
}

static void
control_list(struct control_conn *cc, uint64_t id)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	Wschannel__ChannelList cl = WSCHANNEL__CHANNEL_LIST__INIT;
	Wschannel__ChannelInfo *cis = NULL, **cip = NULL;
	Wschannel__ListenerInfo *lis = NULL, **lip = NULL;
	struct channel *ch;
	struct listener *ls;
	size_t nc = 0, nl = 0;

	for (ch = registry_first_channel(); ch != NULL; ch = registry_next_channel(ch))
		nc++;
	for (ls = registry_first_listener(); ls != NULL; ls = registry_next_listener(ls))
		nl++;
	cis = calloc(nc + 1, sizeof(*cis));
	cip = calloc(nc + 1, sizeof(*cip));
	lis = calloc(nl + 1, sizeof(*lis));
	lip = calloc(nl + 1, sizeof(*lip));
	if (cis == NULL || cip == NULL || lis == NULL || lip == NULL) {
		control_reply_simple(cc, id, E_OUTOFMEMORY, "out of memory",
		    0, 0);
		goto out;
	}
	for (ch = registry_first_channel(); ch != NULL; ch = registry_next_channel(ch)) {
		if (!registry_may_access(&cc->sess, ch->uid))
			continue;
		wschannel__channel_info__init(&cis[cl.n_channels]);
		control_fill_info(ch, &cis[cl.n_channels]);
		cip[cl.n_channels] = &cis[cl.n_channels];
		cl.n_channels++;
	}
	for (ls = registry_first_listener(); ls != NULL; ls = registry_next_listener(ls)) {
		Wschannel__ListenerInfo *li = &lis[cl.n_listeners];

		if (!registry_may_access(&cc->sess, ls->uid))
			continue;
		wschannel__listener_info__init(li);
		li->id = ls->id;
		li->owner_uid = ls->uid;
		li->owner_pid = (uint32_t)ls->pid;
		li->type = ls->type;
		li->binding = ls->binding;
		li->state = ls->state;
		li->url = ls->url;
		{
			struct channel *a;
			unsigned n = 0;

			TAILQ_FOREACH(a, &ls->accepting, accept_entry)
				n++;
			li->pending = n;
		}
		lip[cl.n_listeners++] = li;
	}
	cl.channels = cip;
	cl.listeners = lip;
	r.id = id;
	r.hresult = S_OK;
	r.result_case = WSCHANNEL__REPLY__RESULT_LIST;
	r.list = &cl;
	control_reply(cc, &r);
out:
	free(cis);
	free(cip);
	free(lis);
	free(lip);
}

static void
control_abort_channels(struct control_conn *cc, uint64_t id,
    const Wschannel__AbortChannels *a)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	Wschannel__AbortReport rep = WSCHANNEL__ABORT_REPORT__INIT;
	Wschannel__AbortResult *res = NULL, **resp = NULL;
	struct channel *ch, *nch;
	size_t n = 0, max, i, done = 0;
	int32_t hr;

	if ((a->n_ids > 0) + (a->has_pid) + (a->has_all && a->all) != 1) {
		control_reply_simple(cc, id, E_INVALIDARG,
		    "name channels by ids, by pid, or all", 0, 0);
		return;
	}
	max = a->n_ids;
	if (max == 0)
		for (ch = registry_first_channel(); ch != NULL;
		    ch = registry_next_channel(ch))
			max++;
	res = calloc(max + 1, sizeof(*res));
	resp = calloc(max + 1, sizeof(*resp));
	if (res == NULL || resp == NULL) {
		control_reply_simple(cc, id, E_OUTOFMEMORY, "out of memory", 0, 0);
		goto out;
	}
	if (a->n_ids > 0) {
		for (i = 0; i < a->n_ids; i++) {
			wschannel__abort_result__init(&res[n]);
			res[n].id = a->ids[i];
			hr = registry_lookup_channel(&cc->sess, a->ids[i], &ch);
			res[n].hresult = (uint32_t)hr;
			if (hr == S_OK) {
				res[n].has_cancelled = 1;
				res[n].cancelled = channel_abort(ch);
				res[n].has_state = 1;
				res[n].state = ch->state;
				done++;
			}
			resp[n] = &res[n];
			n++;
		}
	} else {
		for (ch = registry_first_channel(); ch != NULL && n < max; ch = nch) {
			nch = registry_next_channel(ch);
			if (!registry_may_access(&cc->sess, ch->uid))
				continue;
			if (a->has_pid && (uint32_t)ch->pid != a->pid)
				continue;
			wschannel__abort_result__init(&res[n]);
			res[n].id = ch->id;
			res[n].hresult = S_OK;
			res[n].has_cancelled = 1;
			res[n].cancelled = channel_abort(ch);
			res[n].has_state = 1;
			res[n].state = ch->state;
			resp[n] = &res[n];
			n++;
			done++;
		}
	}
	if (done > 0)
		log_info("uid %u pid %d aborted %zu channel(s)",
		    (unsigned)cc->sess.uid, (int)cc->sess.pid, done);
	rep.results = resp;
	rep.n_results = n;
	r.id = id;
	r.hresult = S_OK;
	r.result_case = WSCHANNEL__REPLY__RESULT_ABORTED;
	r.aborted = &rep;
	control_reply(cc, &r);
out:
	free(res);
	free(resp);
}

static void
control_watch_cb(const struct state_event *ev, void *arg)
{
	struct control_conn *cc = arg;
	Wschannel__Event e = WSCHANNEL__EVENT__INIT;

	if (cc->dead || ev->kind != STATE_EVENT_CHANGED ||
	    !registry_may_access(&cc->sess, ev->owner_uid))
		return;
	if (evbuffer_get_length(bufferevent_get_output(cc->bev)) >
	    CONTROL_OUTPUT_HIGH) {
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

/* A request naming an object that does not exist or is not the caller's:
 * one log line, and the error reply. */
static void
control_refused(struct control_conn *cc, uint64_t id, const char *what,
    uint64_t obj, int32_t hr)
{
	char why[64];

	log_info("uid %u pid %d: %s %llu %s", (unsigned)cc->sess.uid,
	    (int)cc->sess.pid, what, (unsigned long long)obj,
	    hr == E_ACCESSDENIED ? "belongs to another user" : "does not exist");
	snprintf(why, sizeof(why), hr == E_ACCESSDENIED ?
	    "%s belongs to another user" : "no such %s", what);
	control_reply_simple(cc, id, hr, why, 0, 0);
}

static void
control_dispatch(struct control_conn *cc, const Wschannel__Request *rq)
{
	uint32_t ids[CONTROL_MAX_PROPS];
	uint64_t vals[CONTROL_MAX_PROPS];
	struct channel *ch = NULL;
	struct listener *ls = NULL;
	struct pending *p;
	struct envelope env;
	const char *why = NULL, *s;
	uint64_t u, obj;
	int32_t hr;

	cc->inflight_id = rq->id;
	cc->inflight_done = 0;

/* Looks up the named channel or listener, answering the failure. */
#define CHANNEL(ref) do {						\
	if ((hr = registry_lookup_channel(&cc->sess, (ref), &ch)) != S_OK) { \
		control_refused(cc, rq->id, "channel", (ref), hr);	\
		return;							\
	}								\
} while (0)
#define LISTENER(ref) do {						\
	if ((hr = registry_lookup_listener(&cc->sess, (ref), &ls)) != S_OK) { \
		control_refused(cc, rq->id, "listener", (ref), hr);	\
		return;							\
	}								\
} while (0)
#define PENDING(kind) do {						\
	if ((p = control_pending_new(cc, (kind), rq->id)) == NULL) {	\
		control_reply_simple(cc, rq->id, E_OUTOFMEMORY,		\
		    "out of memory", 0, 0);				\
		return;							\
	}								\
} while (0)

	switch (rq->op_case) {
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL:
		hr = control_props_in(rq->create_channel->properties,
		    rq->create_channel->n_properties, ids, vals, &why);
		if (hr == S_OK)
			hr = registry_check_quota(&cc->sess, false, &why);
		if (hr == S_OK)
			hr = channel_new(&cc->sess, rq->create_channel->type,
			    rq->create_channel->binding, ids, vals,
			    rq->create_channel->n_properties, &ch, &why);
		control_created(cc, rq->id, hr, why, hr == S_OK ? ch->id : 0);
		break;
	case WSCHANNEL__REQUEST__OP_OPEN_CHANNEL:
		CHANNEL(rq->open_channel->channel);
		PENDING(PENDING_OPEN);
		hr = channel_open(ch, rq->open_channel->url, p, &why);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL:
		CHANNEL(rq->close_channel->id);
		PENDING(PENDING_CLOSE);
		hr = channel_close(ch, p);
		if (cc->inflight_done)
			break;	/* completed inside the call: replied */
		if (hr == S_OK && p->ch == NULL) {
			/* Closed at once: nothing left to wait for. */
			control_pending_discard(p);
			control_reply_simple(cc, rq->id, S_OK, NULL, 1, ch->state);
			break;
		}
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNEL:
		CHANNEL(rq->abort_channel->id);
		u = channel_abort(ch);
		control_abort_reply(cc, rq->id, ch->id, ch->state, (unsigned)u);
		break;
	case WSCHANNEL__REQUEST__OP_RESET_CHANNEL:
		CHANNEL(rq->reset_channel->id);
		hr = channel_reset(ch, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ch->state);
		break;
	case WSCHANNEL__REQUEST__OP_FREE_CHANNEL:
		CHANNEL(rq->free_channel->id);
		channel_free(ch);
		control_reply_simple(cc, rq->id, S_OK, NULL, 0, 0);
		break;
	case WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY:
		CHANNEL(rq->get_channel_property->id);
		hr = channel_get_property(ch, rq->get_channel_property->property_id,
		    &u, &s, &why);
		control_property_reply(cc, rq->id, hr, why,
		    rq->get_channel_property->property_id, u, s);
		break;
	case WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY:
		CHANNEL(rq->set_channel_property->id);
		if (!rq->set_channel_property->property->has_u) {
			control_reply_simple(cc, rq->id, E_INVALIDARG,
			    "property is read-only", 0, 0);
			break;
		}
		hr = channel_set_property(ch, rq->set_channel_property->property->id,
		    rq->set_channel_property->property->u, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ch->state);
		break;
	case WSCHANNEL__REQUEST__OP_SEND_MESSAGE:
		CHANNEL(rq->send_message->channel);
		if (control_envelope_in(rq->send_message->message, &env) != 0) {
			control_reply_simple(cc, rq->id, E_OUTOFMEMORY,
			    "out of memory", 1, ch->state);
			break;
		}
		PENDING(PENDING_SEND);
		hr = channel_send(ch, &env, p, &why);
		envelope_clear(&env);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
		CHANNEL(rq->receive_message->id);
		PENDING(PENDING_RECEIVE);
		hr = channel_receive(ch, p, &why);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
		CHANNEL(rq->read_message_start->id);
		PENDING(PENDING_RECEIVE);
		hr = channel_read_start(ch, p, &why);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_END:
		CHANNEL(rq->read_message_end->id);
		hr = channel_read_end(ch, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ch->state);
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START:
		CHANNEL(rq->write_message_start->id);
		hr = channel_write_start(ch, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ch->state);
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY: {
		const Wschannel__SendMessage *sm =
		    rq->op_case == WSCHANNEL__REQUEST__OP_REQUEST_REPLY ?
		    rq->request_reply : rq->write_message_end;
		int rr = rq->op_case == WSCHANNEL__REQUEST__OP_REQUEST_REPLY;

		CHANNEL(sm->channel);
		if (control_envelope_in(sm->message, &env) != 0) {
			control_reply_simple(cc, rq->id, E_OUTOFMEMORY,
			    "out of memory", 1, ch->state);
			break;
		}
		PENDING(rr ? PENDING_RECEIVE : PENDING_SEND);
		hr = rr ? channel_request_reply(ch, &env, p, &why) :
		    channel_write_end(ch, &env, p, &why);
		envelope_clear(&env);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	}
	case WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE:
		CHANNEL(rq->abandon_message->id);
		hr = channel_abandon(ch, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ch->state);
		break;
	case WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION:
		CHANNEL(rq->shutdown_session->id);
		PENDING(PENDING_SEND);
		hr = channel_shutdown(ch, p, &why);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;

	case WSCHANNEL__REQUEST__OP_CREATE_LISTENER:
		hr = control_props_in(rq->create_listener->properties,
		    rq->create_listener->n_properties, ids, vals, &why);
		if (hr == S_OK)
			hr = registry_check_quota(&cc->sess, true, &why);
		if (hr == S_OK)
			hr = listener_new(&cc->sess, rq->create_listener->type,
			    rq->create_listener->binding, ids, vals,
			    rq->create_listener->n_properties, &ls, &why);
		control_created(cc, rq->id, hr, why, hr == S_OK ? ls->id : 0);
		break;
	case WSCHANNEL__REQUEST__OP_OPEN_LISTENER:
		LISTENER(rq->open_listener->listener);
		hr = listener_open(ls, rq->open_listener->url, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ls->state);
		break;
	case WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL:
		LISTENER(rq->accept_channel->listener);
		CHANNEL(rq->accept_channel->channel);
		PENDING(PENDING_ACCEPT);
		hr = listener_accept(ls, ch, p, &why);
		control_long_op_result(cc, rq, p, hr, why, ch);
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_LISTENER:
		LISTENER(rq->close_listener->id);
		hr = listener_close(ls);
		control_reply_simple(cc, rq->id, hr, NULL, 1, ls->state);
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_LISTENER:
		LISTENER(rq->abort_listener->id);
		u = listener_abort(ls);
		control_abort_reply(cc, rq->id, ls->id, ls->state, (unsigned)u);
		break;
	case WSCHANNEL__REQUEST__OP_RESET_LISTENER:
		LISTENER(rq->reset_listener->id);
		hr = listener_reset(ls, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ls->state);
		break;
	case WSCHANNEL__REQUEST__OP_FREE_LISTENER:
		LISTENER(rq->free_listener->id);
		listener_free(ls);
		control_reply_simple(cc, rq->id, S_OK, NULL, 0, 0);
		break;
	case WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY:
		LISTENER(rq->get_listener_property->id);
		hr = listener_get_property(ls, rq->get_listener_property->property_id,
		    &u, &s, &why);
		control_property_reply(cc, rq->id, hr, why,
		    rq->get_listener_property->property_id, u, s);
		break;
	case WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY:
		LISTENER(rq->set_listener_property->id);
		if (!rq->set_listener_property->property->has_u) {
			control_reply_simple(cc, rq->id, E_INVALIDARG,
			    "property is read-only", 0, 0);
			break;
		}
		hr = listener_set_property(ls, rq->set_listener_property->property->id,
		    rq->set_listener_property->property->u, &why);
		control_reply_simple(cc, rq->id, hr, why, 1, ls->state);
		break;
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER:
		LISTENER(rq->create_channel_for_listener->listener);
		hr = control_props_in(rq->create_channel_for_listener->properties,
		    rq->create_channel_for_listener->n_properties, ids, vals, &why);
		if (hr == S_OK)
			hr = registry_check_quota(&cc->sess, false, &why);
		if (hr == S_OK)
			hr = listener_new_channel(ls, &cc->sess, ids, vals,
			    rq->create_channel_for_listener->n_properties, &ch, &why);
		obj = hr == S_OK ? ch->id : 0;
		control_created(cc, rq->id, hr, why, obj);
		break;

	case WSCHANNEL__REQUEST__OP_LIST_CHANNELS:
		control_list(cc, rq->id);
		break;
	case WSCHANNEL__REQUEST__OP_SHOW_CHANNEL: {
		Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
		Wschannel__ChannelInfo ci = WSCHANNEL__CHANNEL_INFO__INIT;

		CHANNEL(rq->show_channel->id);
		control_fill_info(ch, &ci);
		r.id = rq->id;
		r.hresult = S_OK;
		r.has_state = 1;
		r.state = ch->state;
		r.result_case = WSCHANNEL__REPLY__RESULT_CHANNEL;
		r.channel = &ci;
		control_reply(cc, &r);
		break;
	}
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNELS:
		control_abort_channels(cc, rq->id, rq->abort_channels);
		break;
	case WSCHANNEL__REQUEST__OP_WATCH:
		if (cc->watch == NULL &&
		    (cc->watch = registry_watch_add(control_watch_cb, cc)) == NULL) {
			control_reply_simple(cc, rq->id, E_OUTOFMEMORY,
			    "out of memory", 0, 0);
			break;
		}
		control_reply_simple(cc, rq->id, S_OK, NULL, 0, 0);
		break;
	default:
		log_warnx("pid %d: unknown operation %d", (int)cc->sess.pid,
		    (int)rq->op_case);
		control_reply_simple(cc, rq->id, E_INVALIDARG,
		    "unknown operation", 0, 0);
		break;
	}
#undef CHANNEL
#undef LISTENER
#undef PENDING
}

/* ---- connections ----------------------------------------------------------- */

static void
control_conn_close(struct control_conn *cc, const char *why)
{
	if (cc->dead)
		return;
	if (why != NULL)
		log_warnx("client uid %u pid %d: %s; closing its connection",
		    (unsigned)cc->sess.uid, (int)cc->sess.pid, why);
	cc->dead = 1;
	TAILQ_REMOVE(&ctl_conns, cc, entry);
	ctl_nconns--;
	registry_watch_remove(cc->watch);
	cc->watch = NULL;
	/* Everything it asked for and everything it owns ends with it. */
	registry_session_end(&cc->sess);
	bufferevent_free(cc->bev);
	cc->bev = NULL;
	control_conn_unref(cc);
}

static void
control_process(struct control_conn *cc)
{
	struct evbuffer *in;
	struct frame_header hdr;
	Wschannel__Request *rq;
	const uint8_t *p;
	const char *why;

	cc->refs++;
	while (!cc->dead) {
		in = bufferevent_get_input(cc->bev);
		if (evbuffer_get_length(bufferevent_get_output(cc->bev)) >
		    CONTROL_OUTPUT_HIGH) {
			/* Backpressure: the client reads its replies first. */
			cc->throttled = 1;
			bufferevent_disable(cc->bev, EV_READ);
			break;
		}
		if (evbuffer_get_length(in) < FRAME_HEADER_SIZE)
			break;
		p = evbuffer_pullup(in, FRAME_HEADER_SIZE);
		if (frame_header_parse(p, &hdr, &why) != 0) {
			control_conn_close(cc, why);
			break;
		}
		if (hdr.kind != FRAME_REQUEST) {
			control_conn_close(cc, "client sent a frame that is not a request");
			break;
		}
		if (evbuffer_get_length(in) < FRAME_HEADER_SIZE + (size_t)hdr.length) {
			/* Wait for the rest without re-reading the header. */
			bufferevent_setwatermark(cc->bev, EV_READ,
			    FRAME_HEADER_SIZE + (size_t)hdr.length, 0);
			break;
		}
		bufferevent_setwatermark(cc->bev, EV_READ, 0, 0);
		p = evbuffer_pullup(in, FRAME_HEADER_SIZE + (ssize_t)hdr.length);
		rq = wschannel__request__unpack(NULL, hdr.length,
		    p + FRAME_HEADER_SIZE);
		evbuffer_drain(in, FRAME_HEADER_SIZE + (size_t)hdr.length);
		if (rq == NULL) {
			control_conn_close(cc, "request does not decode");
			break;
		}
		control_dispatch(cc, rq);
		wschannel__request__free_unpacked(rq, NULL);
	}
	control_conn_unref(cc);
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	control_process(arg);
}

static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_conn *cc = arg;

	if (cc->throttled) {
		cc->throttled = 0;
		bufferevent_enable(bev, EV_READ);
		control_process(cc);
	}
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_conn *cc = arg;

	if (what & BEV_EVENT_ERROR)
		log_debug("client pid %d: %s", (int)cc->sess.pid,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	control_conn_close(cc, NULL);
}

static void
control_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control_conn *cc;
	struct ucred cred;
	socklen_t len = sizeof(cred);

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
	registry_session_init(&cc->sess, cred.uid, cred.pid, cred.gid);
	cc->refs = 1;
	cc->bev = bufferevent_socket_new(evconnlistener_get_base(evl), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (cc->bev == NULL) {
		log_warnx("out of memory accepting a client");
		evutil_closesocket(fd);
		free(cc);
		return;
	}
	/* Write callback only when the output has drained below 1 MiB. */
	bufferevent_setwatermark(cc->bev, EV_WRITE, 1024 * 1024, 0);
	bufferevent_setcb(cc->bev, control_read_cb, control_write_cb,
	    control_event_cb, cc);
	bufferevent_enable(cc->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&ctl_conns, cc, entry);
	ctl_nconns++;
	log_debug("client uid %u pid %d connected", (unsigned)cred.uid,
	    (int)cred.pid);
}

static void
control_accept_error_cb(struct evconnlistener *evl, void *arg)
{
	log_warnx("control socket accept: %s",
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
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
control_init(struct event_base *base, const char *path, int fd)
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
	ctl_listener = evconnlistener_new(base, control_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (ctl_listener == NULL) {
		close(fd);
		return -ENOMEM;
	}
	evconnlistener_set_error_cb(ctl_listener, control_accept_error_cb);
	return 0;
}

void
control_stop_accepting(void)
{
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
	struct evbuffer *out;
	evutil_socket_t fd;

	while ((cc = TAILQ_FIRST(&ctl_conns)) != NULL) {
		/* Sessions end first so every pending reply is queued. */
		registry_session_end(&cc->sess);
		out = bufferevent_get_output(cc->bev);
		fd = bufferevent_getfd(cc->bev);
		while (evbuffer_get_length(out) > 0 &&
		    evbuffer_write(out, fd) > 0)
			;
		control_conn_close(cc, NULL);
	}
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
