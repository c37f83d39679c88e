/*
 * The calls that move messages through a channel: send and receive,
 * request-reply, the message-at-a-time calls (WsRead/WriteMessageStart/End,
 * WsAbandonMessage).
 *
 * The daemon sees whole envelopes only: WsWriteMessageStart just marks the
 * channel mid-write, WsWriteBody appends to the message's body, and
 * WsWriteMessageEnd carries the whole message.  WsReadMessageStart gets the
 * whole message; WsReadBody reads its body elements one after the other.
 */
#include <stdlib.h>
#include <string.h>

#include "hresult.h"
#include "internal.h"
#include "ws_fault.h"

enum ws_exchange_kind {
	WS_EXCHANGE_SEND,	/* WsSendMessage, WsSendReplyMessage, faults */
	WS_EXCHANGE_RECEIVE,
	WS_EXCHANGE_REQUEST_REPLY,
	WS_EXCHANGE_READ_START,
	WS_EXCHANGE_READ_END,
	WS_EXCHANGE_WRITE_START,
	WS_EXCHANGE_WRITE_END,
};

/* One message operation on a channel; what its completion needs. */
struct ws_exchange {
	struct ipc_call			 c;
	enum ws_exchange_kind		 kind;
	WS_MESSAGE			*msg;		/* referenced */
	WS_MESSAGE			*reply;		/* request-reply's */
	uint8_t				*body;		/* a sent body, owned */
	char				*request_id;	/* request-reply, owned */
	/* How a received body is read. */
	const WS_MESSAGE_DESCRIPTION	**descs;
	const WS_MESSAGE_DESCRIPTION	*desc1;		/* request-reply's */
	ULONG				 count;
	WS_RECEIVE_OPTION		 recv_opt;
	WS_READ_OPTION			 read_opt;
	WS_HEAP				*heap;
	void				*value;
	ULONG				 size;
	ULONG				*index;
};

/* ---- completions -------------------------------------------------------- */

/* The envelope of a reply that carries one, else NULL. */
static const Wschannel__Envelope *
ws_exchange_envelope(const struct ipc_call *c)
{
	if (c->reply == NULL ||
	    c->reply->result_case != WSCHANNEL__REPLY__RESULT_MESSAGE)
		return NULL;
	return c->reply->message;
}

/*
 * The message in the daemon's reply, unpacked into `m`: S_OK and *out, or
 * (no message in the reply, no memory) `m` left EMPTY and the HRESULT.
 */
static HRESULT
ws_exchange_unpack(struct ipc_call *c, WS_MESSAGE *m,
    const Wschannel__Envelope **out)
{
	const Wschannel__Envelope *e;
	HRESULT hr;

	if ((e = ws_exchange_envelope(c)) == NULL) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no message", c->api);
	}
	/* HTTP headers become mapped headers per the channel's mapping. */
	if (ws_envelope_unpack(m, e) != 0 ||
	    ws_header_mapped_unpack((WS_CHANNEL *)c->obj, m, e) != S_OK) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, E_OUTOFMEMORY,
		    "%s: out of memory", c->api);
	}
	/* A raw message's bytes, method and status (ws_header.c). */
	if ((hr = ws_header_raw_unpack((WS_CHANNEL *)c->obj, m, e, c->error,
	    c->api)) != S_OK) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	*out = e;
	return S_OK;
}

/*
 * A received fault ends the call with WS_E_ENDPOINT_FAULT_RECEIVED: the
 * parsed WS_FAULT and the fault action go into the error as its fault
 * properties, and the reason becomes its first string (index 0).  A fault
 * that does not parse still tells the reason the daemon read.
 */
static HRESULT
ws_exchange_fault_received(struct ipc_call *c, const Wschannel__Envelope *e,
    WS_MESSAGE *m)
{
	ws_error_add(c->error, "%s: the remote endpoint replied with a fault",
	    c->api);
	if (c->error != NULL && (m->body == NULL ||
	    ws_fault_error_received(c->error, m->body, m->body_len,
	    m->envelope_version, e->action) != S_OK) &&
	    e->fault_reason != NULL && *e->fault_reason != '\0')
		ws_error_add_utf8(c->error, e->fault_reason);
	ws_message_done(m, WS_MESSAGE_STATE_DONE);
	ws_error_set_code(c->error, WS_E_ENDPOINT_FAULT_RECEIVED);
	return WS_E_ENDPOINT_FAULT_RECEIVED;
}

/*
 * A fault received on a REQUEST channel (an HTTP 500) ends the receive
 * with WS_E_ENDPOINT_FAULT_RECEIVED and the fault's reason in the error,
 * unless FAULTS_AS_ERRORS is FALSE (bindings.md); S_OK otherwise.
 */
static HRESULT
ws_exchange_fault_error(struct ws_exchange *ex, const Wschannel__Envelope *e,
    WS_MESSAGE *m)
{
	struct ipc_call *c = &ex->c;
	WS_CHANNEL *ch = (WS_CHANNEL *)c->obj;

	if (!e->has_is_fault || !e->is_fault ||
	    ch->type != WS_CHANNEL_TYPE_REQUEST || !ch->faults_as_errors)
		return S_OK;
	return ws_exchange_fault_received(c, e, m);
}

/* Matches the message against the descriptions and reads its body. */
static HRESULT
ws_exchange_receive_finish(struct ws_exchange *ex, HRESULT hr)
{
	struct ipc_call *c = &ex->c;
	WS_MESSAGE *m = ex->msg;
	const Wschannel__Envelope *e;
	const char *action;
	ULONG i, first = ex->count;

	if (hr == WS_S_END) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		if (ex->recv_opt == WS_RECEIVE_OPTIONAL_MESSAGE)
			return WS_S_END;
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the session ended (no more messages) but a message "
		    "was required", c->api);
	}
	if (FAILED(hr)) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	if ((hr = ws_exchange_unpack(c, m, &e)) != S_OK)
		return hr;
	if ((hr = ws_exchange_fault_error(ex, e, m)) != S_OK)
		return hr;
	action = e->action;
	/* The first description whose action matches and whose body reads;
	 * the attempts are quiet, the first candidate's failure is told. */
	for (i = 0; i < ex->count; i++) {
		if (!ws_envelope_action_matches(ex->descs[i]->action, action))
			continue;
		if (first == ex->count)
			first = i;
		hr = ws_body_read(m->body, m->body_len,
		    ex->descs[i]->bodyElementDescription, ex->read_opt,
		    ex->heap, ex->value, ex->size, NULL, c->api);
		if (hr == S_OK) {
			if (ex->index != NULL)
				*ex->index = i;
			ws_message_done(m, WS_MESSAGE_STATE_DONE);
			return S_OK;
		}
	}
	if (first == ex->count)
		hr = ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the message's action '%s' matches none of the %u "
		    "message descriptions", c->api, action ? action : "",
		    ex->count);
	else
		hr = ws_body_read(m->body, m->body_len,
		    ex->descs[first]->bodyElementDescription, ex->read_opt,
		    ex->heap, ex->value, ex->size, c->error, c->api);
	ws_message_done(m, WS_MESSAGE_STATE_DONE);
	return hr;
}

/*
 * The reply of WsRequestReply: a fault ends the call with its reason in the
 * error; a reply that names another request in RelatesTo is not ours.
 */
static HRESULT
ws_exchange_reply_finish(struct ws_exchange *ex, HRESULT hr)
{
	struct ipc_call *c = &ex->c;
	WS_MESSAGE *r = ex->reply;
	const WS_MESSAGE_DESCRIPTION *d = ex->desc1;
	const Wschannel__Envelope *e;

	if (hr == WS_S_END) {
		ws_message_done(r, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_ENDPOINT_DISCONNECTED,
		    "%s: the remote endpoint ended the session before it "
		    "replied", c->api);
	}
	if (FAILED(hr)) {
		ws_message_done(r, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	if ((hr = ws_exchange_unpack(c, r, &e)) != S_OK)
		return hr;
	if (e->has_is_fault && e->is_fault)
		return ws_exchange_fault_received(c, e, r);
	if (ex->request_id != NULL && e->relates_to != NULL &&
	    strcmp(ex->request_id, e->relates_to) != 0) {
		ws_message_done(r, WS_MESSAGE_STATE_DONE);
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the reply relates to message %s, not to the request "
		    "%s", c->api, e->relates_to, ex->request_id);
	}
	if (!ws_envelope_action_matches(d->action, e->action)) {
		ws_message_done(r, WS_MESSAGE_STATE_DONE);
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the reply's action '%s' is not the one its "
		    "description expects", c->api, e->action);
	}
	hr = ws_body_read(r->body, r->body_len, d->bodyElementDescription,
	    ex->read_opt, ex->heap, ex->value, ex->size, c->error, c->api);
	ws_message_done(r, WS_MESSAGE_STATE_DONE);
	return hr;
}

/*
 * A message the daemon handed over (or may have: a reply lost for lack of
 * memory) leaves the channel mid-read even when it cannot be kept here, so
 * the message is made current all the same: WsAbandonMessage frees the
 * channel of it.
 */
static HRESULT
ws_exchange_read_start_finish(struct ws_exchange *ex, WS_CHANNEL *ch,
    HRESULT hr)
{
	struct ipc_call *c = &ex->c;
	const Wschannel__Envelope *e;

	if (hr == WS_S_END || FAILED(hr)) {
		if (hr == E_OUTOFMEMORY)
			ws_channel_current_set(ch, false, ex->msg);
		ws_message_done(ex->msg, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	ws_channel_current_set(ch, false, ex->msg);
	if ((hr = ws_exchange_unpack(c, ex->msg, &e)) != S_OK)
		return hr;
	/* Raw bytes of a streamed body: the library reads the envelope. */
	if (e->has_more_body &&
	    (hr = ws_stream_in_start(ch, ex->msg, e->more_body, c->error,
	    c->api)) != S_OK) {
		ws_message_done(ex->msg, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	ws_message_done(ex->msg, WS_MESSAGE_STATE_READING);
	return S_OK;
}

/* Runs on the thread that gets the result, never on the I/O thread. */
static HRESULT
ws_exchange_finish(struct ipc_call *c, HRESULT hr)
{
	struct ws_exchange *ex = (struct ws_exchange *)c;
	WS_CHANNEL *ch = (WS_CHANNEL *)c->obj;

	/* An accepted HTTP channel's reply is out whole: its close can no
	 * longer fail (ws_channel.c). */
	if (hr == S_OK && (ex->kind == WS_EXCHANGE_SEND ||
	    ex->kind == WS_EXCHANGE_WRITE_END))
		ipc_object_set_flags(c->obj, IPC_OBJ_REPLIED, 0);
	switch (ex->kind) {
	case WS_EXCHANGE_SEND:
		ws_message_done(ex->msg, WS_MESSAGE_STATE_DONE);
		return hr;
	case WS_EXCHANGE_RECEIVE:
		return ws_exchange_receive_finish(ex, hr);
	case WS_EXCHANGE_REQUEST_REPLY:
		ws_message_done(ex->msg, WS_MESSAGE_STATE_DONE);
		return ws_exchange_reply_finish(ex, hr);
	case WS_EXCHANGE_READ_START:
		return ws_exchange_read_start_finish(ex, ch, hr);
	case WS_EXCHANGE_READ_END:
	case WS_EXCHANGE_WRITE_END:
		/* A failed End leaves the message current: WsAbandonMessage
		 * (or a reset of the message) releases it. */
		if (hr == S_OK)
			ws_channel_current_clear(ch, ex->msg);
		ws_message_done(ex->msg, hr == S_OK ? WS_MESSAGE_STATE_DONE :
		    0);
		return hr;
	case WS_EXCHANGE_WRITE_START:
		if (hr == S_OK) {
			ws_channel_current_set(ch, true, ex->msg);
			pthread_mutex_lock(&ex->msg->lock);
			/* The daemon addresses it. */
			ex->msg->addressed = true;
			/* WsFlushBody streams through it (ws_stream.c). */
			ex->msg->stream_ch = ch;
			pthread_mutex_unlock(&ex->msg->lock);
			ws_message_done(ex->msg, WS_MESSAGE_STATE_WRITING);
		} else
			ws_message_done(ex->msg, 0);
		return hr;
	}
	return hr;
}

static void
ws_exchange_cleanup(struct ipc_call *c)
{
	struct ws_exchange *ex = (struct ws_exchange *)c;

	free(ex->body);
	free(ex->request_id);
	ex->body = NULL;
	ex->request_id = NULL;
	ws_message_unref(ex->msg);
	ws_message_unref(ex->reply);
	ex->msg = ex->reply = NULL;
}

/* ---- running operations ------------------------------------------------- */

static struct ws_exchange *
ws_exchange_new(struct ws_exchange *stack, const WS_ASYNC_CONTEXT *ctx)
{
	return ipc_call_new(stack, sizeof(*stack), ctx);
}

/* Gives up an operation that never ran. */
static HRESULT
ws_exchange_discard(WS_CHANNEL *ch, struct ws_exchange *ex, HRESULT hr)
{
	if (ex != NULL && ex->c.allocated)
		free(ex);
	ipc_object_unref(&ch->obj);
	return hr;
}

/*
 * Windows checks the channel's state before the message's: a FAULTED
 * channel answers WS_E_OBJECT_FAULTED, one that is not OPEN
 * WS_E_INVALID_OPERATION, whatever the message.  Only the daemon knows the
 * state, so it is asked only once a call's own check has failed (quietly,
 * without an error string); S_OK means the channel is OPEN (or its state
 * cannot be had) and the call's own failure stands.  Calls that go on pay
 * nothing: the daemon checks the state first itself.
 */
static HRESULT
ws_exchange_state_first(WS_CHANNEL *ch, HRESULT hr, WS_ERROR *error,
    const char *api)
{
	WS_CHANNEL_STATE state;

	/* Argument checks and lack of memory come before any state. */
	if (hr == E_INVALIDARG || hr == E_OUTOFMEMORY)
		return S_OK;
	if (WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &state,
	    sizeof(state), NULL) != S_OK || state == WS_CHANNEL_STATE_OPEN)
		return S_OK;
	if (state == WS_CHANNEL_STATE_FAULTED)
		return ws_error_fail(error, WS_E_OBJECT_FAULTED,
		    "%s: the channel is FAULTED", api);
	return ws_error_fail(error, WS_E_INVALID_OPERATION,
	    "%s: the channel is not OPEN", api);
}

/* Fills the call's common part; it owns the channel reference from now. */
static void
ws_exchange_prepare(struct ws_exchange *ex, WS_CHANNEL *ch,
    enum ws_exchange_kind kind, WS_ERROR *error, const char *api)
{
	ex->kind = kind;
	ex->c.conn = ch->obj.conn;
	ex->c.obj = &ch->obj;
	ex->c.error = error;
	ex->c.api = api;
	ex->c.finish = ws_exchange_finish;
	ex->c.cleanup = ws_exchange_cleanup;
	/* Sends and receives may return before the daemon's checks. */
	ex->c.pipeline = kind == WS_EXCHANGE_SEND ||
	    kind == WS_EXCHANGE_RECEIVE || kind == WS_EXCHANGE_REQUEST_REPLY;
}

/*
 * The first receive (or WsReadMessageStart) of a channel whose accept
 * brought its message completes from it at once, as if wschanneld had
 * answered with it: the daemon received it already.  A read start still
 * tells the daemon the channel is mid-read, without waiting (posted; a
 * refusal surfaces on the next call).  S_FALSE: no message is kept, the
 * call goes to the daemon.
 */
static HRESULT
ws_exchange_kept(WS_CHANNEL *ch, struct ws_exchange *ex,
    Wschannel__Request__OpCase op_case)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	Wschannel__Envelope *e = NULL;
	HRESULT hr;

	if (!ipc_object_has_kept(&ch->obj))
		return S_FALSE;
	if (op_case == WSCHANNEL__REQUEST__OP_READ_MESSAGE_START) {
		ref.id = ch->obj.id;
		req.op_case = op_case;
		req.read_message_start = &ref;
		req.has_want_message = true;
		req.want_message = false;
		if (ipc_object_post(&ch->obj, &req, WS_CHANNEL_STATE_OPEN,
		    ex->c.api) != S_OK)
			return ipc_call_local(&ex->c, ws_error_fail(ex->c.error,
			    E_OUTOFMEMORY, "%s: out of memory", ex->c.api),
			    NULL);
	}
	if ((hr = ipc_object_take_kept(&ch->obj, &e)) == S_FALSE &&
	    op_case == WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE)
		return S_FALSE;	/* taken meanwhile by another thread */
	if (hr != S_OK)
		return ipc_call_local(&ex->c, hr == S_FALSE ? WS_E_OTHER :
		    ws_error_fail(ex->c.error, hr, "%s: out of memory",
		    ex->c.api), NULL);
	r.hresult = S_OK;
	r.result_case = WSCHANNEL__REPLY__RESULT_MESSAGE;
	r.message = e;
	hr = ipc_call_local(&ex->c, S_OK, &r);
	wschannel__envelope__free_unpacked(e, NULL);
	return hr;
}

/* An operation that names the channel only. */
static HRESULT
ws_exchange_run_ref(WS_CHANNEL *ch, struct ws_exchange *ex,
    Wschannel__Request__OpCase op_case)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	HRESULT hr;

	if ((op_case == WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE ||
	    op_case == WSCHANNEL__REQUEST__OP_READ_MESSAGE_START) &&
	    (hr = ws_exchange_kept(ch, ex, op_case)) != S_FALSE)
		return hr;
	ref.id = ch->obj.id;
	req.op_case = op_case;
	switch (op_case) {
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
		req.receive_message = &ref;
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
		req.read_message_start = &ref;
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_END:
		req.read_message_end = &ref;
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START:
		req.write_message_start = &ref;
		break;
	default:
		break;
	}
	return ipc_call_run(&ex->c, &req);
}

/*
 * An operation that carries ex->msg as an envelope: with the body the call
 * wrote (ex->body), or with the message's own (WsWriteBody's).  The message
 * is busy, so what the envelope points at stays put until it is packed.
 */
static HRESULT
ws_exchange_run_send(WS_CHANNEL *ch, struct ws_exchange *ex,
    Wschannel__Request__OpCase op_case, size_t body_len)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__SendMessage op = WSCHANNEL__SEND_MESSAGE__INIT;
	Wschannel__Envelope env = WSCHANNEL__ENVELOPE__INIT;
	WS_MESSAGE *m = ex->msg;
	const uint8_t *body = ex->body;
	uint8_t *raw = NULL;
	HRESULT hr;

	pthread_mutex_lock(&m->lock);
	ws_envelope_pack(m, &env);
	/* Mapped headers the channel's mapping names go as HTTP headers. */
	if (ws_header_mapped_pack(ch, m, &env) != S_OK) {
		pthread_mutex_unlock(&m->lock);
		hr = ws_exchange_finish(&ex->c, ws_error_fail(ex->c.error,
		    E_OUTOFMEMORY, "%s: out of memory", ex->c.api));
		ws_exchange_cleanup(&ex->c);
		return ws_exchange_discard(ch, ex, hr);
	}
	if (op_case == WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END) {
		/* What the body writer wrote is part of the body. */
		(void)xml_message_body_flush(m);
		body = m->body;
		body_len = m->body_len;
	}
	pthread_mutex_unlock(&m->lock);
	if (body_len > 0) {
		env.has_body = true;
		env.body.data = (uint8_t *)body;
		env.body.len = body_len;
	}
	/* A raw message goes as bytes, with its method or status. */
	if ((hr = ws_header_raw_pack(ch, m, &env, &raw, ex->c.error,
	    ex->c.api)) != S_OK) {
		ws_header_mapped_pack_free(&env);
		hr = ws_exchange_finish(&ex->c, hr);
		ws_exchange_cleanup(&ex->c);
		return ws_exchange_discard(ch, ex, hr);
	}
	op.channel = ch->obj.id;
	op.message = &env;
	req.op_case = op_case;
	switch (op_case) {
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		req.request_reply = &op;
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
		req.write_message_end = &op;
		break;
	default:
		req.send_message = &op;
		break;
	}
	hr = ipc_call_run(&ex->c, &req);
	ws_header_mapped_pack_free(&env);
	ws_header_raw_pack_free(&env, raw);
	return hr;
}

/* The send-like calls: WsSendMessage, WsSendReplyMessage, faults. */
static HRESULT
ws_exchange_send(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION *desc, WS_WRITE_OPTION opt,
    const void *value, ULONG size, WS_MESSAGE_INITIALIZATION init,
    const struct ws_headers *src, unsigned flags, const char *fault_reason,
    uint8_t *own_body, size_t own_len, const WS_ASYNC_CONTEXT *ctx,
    WS_ERROR *error, const char *api)
{
	struct ws_exchange stack, *ex;
	uint8_t *body;
	size_t body_len;
	HRESULT hr;

	/* own_body is ours from here, whatever happens. */
	if ((hr = ws_channel_live(channel, error, api)) != S_OK) {
		free(own_body);
		return hr;
	}
	if ((ex = ws_exchange_new(&stack, ctx)) == NULL) {
		free(own_body);
		return ws_exchange_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", api));
	}
	/* Quietly first: the channel's state may be the answer. */
	if ((hr = ws_message_take_send(message, desc, opt, value, size, init,
	    src, flags, fault_reason, &body, &body_len, NULL, api)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, api)) == S_OK)
		hr = ws_message_take_send(message, desc, opt, value, size,
		    init, src, flags, fault_reason, &body, &body_len, error,
		    api);
	if (hr != S_OK) {
		free(own_body);
		return ws_exchange_discard(channel, ex, hr);
	}
	/* A body built by the caller (a Fault) takes the place of the
	 * description's, which was empty. */
	if (own_body != NULL) {
		free(body);
		body = own_body;
		body_len = own_len;
	}
	ws_exchange_prepare(ex, channel, WS_EXCHANGE_SEND, error, api);
	ws_message_ref(message);
	ex->msg = message;
	ex->body = body;
	return ws_exchange_run_send(channel, ex,
	    WSCHANNEL__REQUEST__OP_SEND_MESSAGE, body_len);
}

/* ---- the calls ---------------------------------------------------------- */

WS_EXPORT HRESULT WINAPI
WsSendMessage(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION *messageDescription,
    WS_WRITE_OPTION writeOption, const void *bodyValue, ULONG bodyValueSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendMessage";
	HRESULT hr;

	if (messageDescription == NULL || !ws_message_valid(message) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL description, invalid message or NULL callback",
		    api);
	hr = ws_body_check_write(messageDescription->bodyElementDescription,
	    writeOption, bodyValue, bodyValueSize, error, api);
	if (hr != S_OK)
		return hr;
	/* An EMPTY message goes out blank, with no MessageID: the bytes
	 * Windows' implementation sends (see the captured vectors). */
	return ws_exchange_send(channel, message, messageDescription,
	    writeOption, bodyValue, bodyValueSize, WS_BLANK_MESSAGE, NULL, 0,
	    NULL, NULL, 0, asyncContext, error, api);
}

WS_EXPORT HRESULT WINAPI
WsSendReplyMessage(WS_CHANNEL *channel, WS_MESSAGE *replyMessage,
    const WS_MESSAGE_DESCRIPTION *replyMessageDescription,
    WS_WRITE_OPTION writeOption, const void *replyBodyValue,
    ULONG replyBodyValueSize, WS_MESSAGE *requestMessage,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendReplyMessage";
	struct ws_headers src;
	HRESULT hr;

	if (replyMessageDescription == NULL ||
	    !ws_message_valid(replyMessage) ||
	    !ws_message_valid(requestMessage) ||
	    replyMessage == requestMessage ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL description, invalid messages or NULL callback",
		    api);
	hr = ws_body_check_write(
	    replyMessageDescription->bodyElementDescription, writeOption,
	    replyBodyValue, replyBodyValueSize, error, api);
	if (hr != S_OK)
		return hr;
	if (!ws_channel_valid(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if ((hr = ws_message_source(requestMessage, &src, NULL, api)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, api)) == S_OK)
		hr = ws_message_source(requestMessage, &src, error, api);
	if (hr != S_OK)
		return hr;
	hr = ws_exchange_send(channel, replyMessage, replyMessageDescription,
	    writeOption, replyBodyValue, replyBodyValueSize, WS_REPLY_MESSAGE,
	    &src, WS_TAKE_REPLY, NULL, NULL, 0, asyncContext, error, api);
	ws_message_headers_clear(&src);
	return hr;
}

/*
 * The fault is WsCreateFaultFromError's (the error's fault, detail and
 * strings as the disclosure allows), written here as the soap:Fault
 * element of the reply's envelope version; the daemon sends the element
 * as the body.  The action is the error's fault action, else the
 * addressing version's fault action.
 */
WS_EXPORT HRESULT WINAPI
WsSendFaultMessageForError(WS_CHANNEL *channel, WS_MESSAGE *replyMessage,
    WS_ERROR *faultError, HRESULT faultErrorCode,
    WS_FAULT_DISCLOSURE faultDisclosure, WS_MESSAGE *requestMessage,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendFaultMessageForError";
	WS_MESSAGE_DESCRIPTION desc = { NULL, NULL };
	WS_XML_STRING action_xs = { 0, NULL, NULL, 0 };
	WS_ENVELOPE_VERSION version;
	struct ws_headers src;
	char *reason = NULL, *action = NULL;
	uint8_t *body = NULL;
	size_t body_len = 0;
	HRESULT hr;

	if (!ws_message_valid(replyMessage) ||
	    !ws_message_valid(requestMessage) ||
	    replyMessage == requestMessage || faultError == NULL ||
	    SUCCEEDED(faultErrorCode) ||
	    (faultDisclosure != WS_MINIMAL_FAULT_DISCLOSURE &&
	    faultDisclosure != WS_FULL_FAULT_DISCLOSURE) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid messages, fault error, error code, disclosure "
		    "or callback", api);
	if (!ws_channel_valid(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if ((hr = ws_message_source(requestMessage, &src, NULL, api)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, api)) == S_OK)
		hr = ws_message_source(requestMessage, &src, error, api);
	if (hr != S_OK)
		return hr;
	pthread_mutex_lock(&replyMessage->lock);
	version = replyMessage->envelope_version;
	pthread_mutex_unlock(&replyMessage->lock);
	if ((hr = ws_fault_error_body(faultError, faultErrorCode,
	    faultDisclosure, version, &body, &body_len, &action, &reason,
	    error, api)) != S_OK) {
		ws_message_headers_clear(&src);
		return hr;
	}
	if (action != NULL) {
		action_xs.bytes = (BYTE *)action;
		action_xs.length = (ULONG)strlen(action);
		desc.action = &action_xs;
	}
	hr = ws_exchange_send(channel, replyMessage,
	    action != NULL ? &desc : NULL, WS_WRITE_REQUIRED_VALUE, NULL, 0,
	    WS_FAULT_MESSAGE, &src, WS_TAKE_REPLY | WS_TAKE_FAULT, reason,
	    body, body_len, asyncContext, error, api);
	free(reason);
	free(action);
	ws_message_headers_clear(&src);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsReceiveMessage(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION **messageDescriptions,
    ULONG messageDescriptionCount, WS_RECEIVE_OPTION receiveOption,
    WS_READ_OPTION readBodyOption, WS_HEAP *heap, void *value,
    ULONG valueSize, ULONG *index, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error)
{
	static const char api[] = "WsReceiveMessage";
	struct ws_exchange stack, *ex;
	HRESULT hr;
	ULONG i;

	if (!ws_message_valid(message) || messageDescriptions == NULL ||
	    messageDescriptionCount == 0 ||
	    (receiveOption != WS_RECEIVE_REQUIRED_MESSAGE &&
	    receiveOption != WS_RECEIVE_OPTIONAL_MESSAGE) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, descriptions, receive option or "
		    "callback", api);
	for (i = 0; i < messageDescriptionCount; i++) {
		if (messageDescriptions[i] == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: message description %u is NULL", api, i);
		hr = ws_body_check_read(
		    messageDescriptions[i]->bodyElementDescription,
		    readBodyOption, heap, value, valueSize, error, api);
		if (hr != S_OK)
			return hr;
	}
	if ((hr = ws_channel_live(channel, error, api)) != S_OK)
		return hr;
	if ((ex = ws_exchange_new(&stack, asyncContext)) == NULL)
		return ws_exchange_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", api));
	if ((hr = ws_message_take(message, WS_MESSAGE_STATE_EMPTY,
	    WS_MESSAGE_STATE_READING, NULL, api, NULL)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, api)) == S_OK)
		hr = ws_message_take(message, WS_MESSAGE_STATE_EMPTY,
		    WS_MESSAGE_STATE_READING, error, api,
		    "the message must be EMPTY");
	if (hr != S_OK)
		return ws_exchange_discard(channel, ex, hr);
	ws_exchange_prepare(ex, channel, WS_EXCHANGE_RECEIVE, error, api);
	ws_message_ref(message);
	ex->msg = message;
	ex->descs = messageDescriptions;
	ex->count = messageDescriptionCount;
	ex->recv_opt = receiveOption;
	ex->read_opt = readBodyOption;
	ex->heap = heap;
	ex->value = value;
	ex->size = valueSize;
	ex->index = index;
	return ws_exchange_run_ref(channel, ex,
	    WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE);
}

WS_EXPORT HRESULT WINAPI
WsRequestReply(WS_CHANNEL *channel, WS_MESSAGE *requestMessage,
    const WS_MESSAGE_DESCRIPTION *requestMessageDescription,
    WS_WRITE_OPTION writeOption, const void *requestBodyValue,
    ULONG requestBodyValueSize, WS_MESSAGE *replyMessage,
    const WS_MESSAGE_DESCRIPTION *replyMessageDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsRequestReply";
	struct ws_exchange stack, *ex;
	uint8_t *body;
	size_t body_len;
	HRESULT hr;

	if (!ws_message_valid(requestMessage) ||
	    !ws_message_valid(replyMessage) || requestMessage == replyMessage ||
	    requestMessageDescription == NULL ||
	    replyMessageDescription == NULL ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid messages, NULL descriptions or NULL callback",
		    api);
	hr = ws_body_check_write(
	    requestMessageDescription->bodyElementDescription, writeOption,
	    requestBodyValue, requestBodyValueSize, error, api);
	if (hr == S_OK)
		hr = ws_body_check_read(
		    replyMessageDescription->bodyElementDescription, readOption,
		    heap, value, valueSize, error, api);
	if (hr != S_OK)
		return hr;
	if ((hr = ws_channel_live(channel, error, api)) != S_OK)
		return hr;
	if ((ex = ws_exchange_new(&stack, asyncContext)) == NULL)
		return ws_exchange_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", api));
	/* Quietly first: the channel's state may be the answer. */
	if ((hr = ws_message_take(replyMessage, WS_MESSAGE_STATE_EMPTY,
	    WS_MESSAGE_STATE_READING, NULL, api, NULL)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, api)) == S_OK)
		hr = ws_message_take(replyMessage, WS_MESSAGE_STATE_EMPTY,
		    WS_MESSAGE_STATE_READING, error, api,
		    "the reply message must be EMPTY");
	if (hr != S_OK)
		return ws_exchange_discard(channel, ex, hr);
	if ((hr = ws_message_take_send(requestMessage,
	    requestMessageDescription, writeOption, requestBodyValue,
	    requestBodyValueSize, WS_REQUEST_MESSAGE, NULL, WS_TAKE_NEED_ID,
	    NULL, &body, &body_len, NULL, api)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, api)) == S_OK)
		hr = ws_message_take_send(requestMessage,
		    requestMessageDescription, writeOption, requestBodyValue,
		    requestBodyValueSize, WS_REQUEST_MESSAGE, NULL,
		    WS_TAKE_NEED_ID, NULL, &body, &body_len, error, api);
	if (hr != S_OK) {
		ws_message_done(replyMessage, WS_MESSAGE_STATE_EMPTY);
		return ws_exchange_discard(channel, ex, hr);
	}
	ws_exchange_prepare(ex, channel, WS_EXCHANGE_REQUEST_REPLY, error, api);
	ws_message_ref(requestMessage);
	ws_message_ref(replyMessage);
	ex->msg = requestMessage;
	ex->reply = replyMessage;
	ex->body = body;
	/* The id the reply must relate to (the message is busy: stable).
	 * Correlation is a check, not a need: without memory for it, the
	 * reply is taken as it comes. */
	if (requestMessage->h.message_id != NULL)
		ex->request_id = strdup(requestMessage->h.message_id);
	ex->desc1 = replyMessageDescription;
	ex->descs = &ex->desc1;
	ex->count = 1;
	ex->recv_opt = WS_RECEIVE_REQUIRED_MESSAGE;
	ex->read_opt = readOption;
	ex->heap = heap;
	ex->value = value;
	ex->size = valueSize;
	return ws_exchange_run_send(channel, ex,
	    WSCHANNEL__REQUEST__OP_REQUEST_REPLY, body_len);
}

/* What differs between the four message-at-a-time calls. */
struct ws_exchange_step {
	const char		*api;
	enum ws_exchange_kind	 kind;
	Wschannel__Request__OpCase op;
	int			 current;	/* -1: none; else the message must
						 * be the channel's current one,
						 * being written (1) or read (0) */
	WS_MESSAGE_STATE	 want;		/* the message's state before */
	const char		*want_why;
};

/* Read/write message start and end: checks, then the daemon operation. */
static HRESULT
ws_exchange_message_step(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error,
    const struct ws_exchange_step *st)
{
	struct ws_exchange stack, *ex;
	HRESULT hr;

	if (!ws_message_valid(message) ||
	    (ctx != NULL && ctx->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL callback", st->api);
	if ((hr = ws_channel_live(channel, error, st->api)) != S_OK)
		return hr;
	if (st->current >= 0 &&
	    !ws_channel_current_is(channel, st->current == 1, message)) {
		if ((hr = ws_exchange_state_first(channel,
		    WS_E_INVALID_OPERATION, error, st->api)) == S_OK)
			hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the message is not being %s on this channel "
			    "(call %s)", st->api, st->current ? "written" :
			    "read", st->current ? "WsWriteMessageStart" :
			    "WsReadMessageStart");
		return ws_exchange_discard(channel, NULL, hr);
	}
	if ((ex = ws_exchange_new(&stack, ctx)) == NULL)
		return ws_exchange_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", st->api));
	/* Quietly first: the channel's state may be the answer. */
	if ((hr = ws_message_take(message, st->want, 0, NULL, st->api,
	    NULL)) != S_OK &&
	    (hr = ws_exchange_state_first(channel, hr, error, st->api)) ==
	    S_OK)
		hr = ws_message_take(message, st->want, 0, error, st->api,
		    st->want_why);
	if (hr != S_OK)
		return ws_exchange_discard(channel, ex, hr);
	if (st->kind == WS_EXCHANGE_WRITE_START) {
		/* The body is what WsWriteBody appends from now on (after
		 * the body of a WsCopyMessage). */
		pthread_mutex_lock(&message->lock);
		if (!message->body_copied) {
			free(message->body);
			message->body = NULL;
			message->body_len = 0;
		}
		pthread_mutex_unlock(&message->lock);
	}
	ws_exchange_prepare(ex, channel, st->kind, error, st->api);
	ws_message_ref(message);
	ex->msg = message;
	if (st->kind == WS_EXCHANGE_WRITE_END)
		return ws_exchange_run_send(channel, ex, st->op, 0);
	return ws_exchange_run_ref(channel, ex, st->op);
}

WS_EXPORT HRESULT WINAPI
WsReadMessageStart(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_exchange_step st = { "WsReadMessageStart",
	    WS_EXCHANGE_READ_START, WSCHANNEL__REQUEST__OP_READ_MESSAGE_START,
	    -1, WS_MESSAGE_STATE_EMPTY, "the message must be EMPTY" };

	return ws_exchange_message_step(channel, message, asyncContext, error,
	    &st);
}

WS_EXPORT HRESULT WINAPI
WsReadMessageEnd(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_exchange_step st = { "WsReadMessageEnd",
	    WS_EXCHANGE_READ_END, WSCHANNEL__REQUEST__OP_READ_MESSAGE_END, 0,
	    WS_MESSAGE_STATE_READING, "the message is not being read" };
	HRESULT hr;

	/* A streamed body is read to its end first. */
	if (ws_channel_valid(channel) && (hr = ws_stream_in_finish(channel,
	    message, error, st.api)) != S_OK)
		return hr;
	return ws_exchange_message_step(channel, message, asyncContext, error,
	    &st);
}

WS_EXPORT HRESULT WINAPI
WsWriteMessageStart(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_exchange_step st = { "WsWriteMessageStart",
	    WS_EXCHANGE_WRITE_START,
	    WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START, -1,
	    WS_MESSAGE_STATE_INITIALIZED, "the message must be INITIALIZED" };

	return ws_exchange_message_step(channel, message, asyncContext, error,
	    &st);
}

WS_EXPORT HRESULT WINAPI
WsWriteMessageEnd(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_exchange_step st = { "WsWriteMessageEnd",
	    WS_EXCHANGE_WRITE_END, WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END, 1,
	    WS_MESSAGE_STATE_WRITING, "the message is not being written" };

	return ws_exchange_message_step(channel, message, asyncContext, error,
	    &st);
}

/*
 * Never blocks on other operations and never fails for lack of resources:
 * the request was encoded when the channel was created (see ipc.c).  Which
 * message is current is known here; the daemon only knows the channel is
 * mid-read or mid-write, and may have forgotten it already (an abort ends
 * both), which is no reason to fail.
 */
WS_EXPORT HRESULT WINAPI
WsAbandonMessage(WS_CHANNEL *channel, WS_MESSAGE *message, WS_ERROR *error)
{
	static const char api[] = "WsAbandonMessage";
	HRESULT hr;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	/* The channel's record decides, whatever became of the message
	 * meanwhile (reset after a failed End, say): abandoning is how the
	 * channel gets free of it. */
	if (!ws_channel_current_holds(channel, message)) {
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, E_INVALIDARG, "%s: the message is "
		    "not being read or written on this channel", api);
	}
	hr = ipc_object_abandon(&channel->obj, NULL);
	if (hr == E_INVALIDARG)
		hr = S_OK;
	if (FAILED(hr)) {
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, hr, "%s: %s", api,
		    hresult_text((uint32_t)hr));
	}
	ws_channel_current_clear(channel, message);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_READING ||
	    message->state == WS_MESSAGE_STATE_WRITING)
		message->state = WS_MESSAGE_STATE_DONE;
	pthread_mutex_unlock(&message->lock);
	ipc_object_unref(&channel->obj);
	return S_OK;
}
