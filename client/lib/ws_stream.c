/*
 * WsFlushBody and WsFillBody, for messages of a streamed channel
 * (WS_CHANNEL_PROPERTY_TRANSFER_MODE).
 *
 * Output: on an HTTP channel in WS_STREAMED_OUTPUT_TRANSFER_MODE, what
 * WsFlushBody pushes goes to wschanneld at once as a piece of the body
 * (Envelope.more_body), which a REPLY channel writes as an HTTP chunk (an
 * evhttp REQUEST channel keeps the pieces and sends the request at
 * WsWriteMessageEnd); the library keeps nothing of it.  Other channels
 * keep the body until WsWriteMessageEnd.
 *
 * Input: on an HTTP REQUEST channel in WS_STREAMED_INPUT_TRANSFER_MODE
 * (over the Unix socket) the body arrives as the server sends it and
 * WsFillBody waits for minSize more bytes (ws_stream_in.c).  Elsewhere a
 * received body is whole when WsReadMessageStart completes (the daemon
 * bounds it by MAX_STREAMED_MESSAGE_SIZE instead of
 * MAX_BUFFERED_MESSAGE_SIZE in streamed-input mode), so WsFillBody always
 * finds at least minSize bytes there or the end of the body.  Both calls
 * keep the reference pages' states and arguments, so a program written
 * for streaming runs unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Does the channel send pieces of bodies as they are flushed? */
static bool
ws_stream_output(WS_CHANNEL *ch)
{
	return ch->binding == WS_HTTP_CHANNEL_BINDING &&
	    (ch->transfer_mode & WS_STREAMED_OUTPUT_TRANSFER_MODE) != 0;
}

/*
 * Sends what the message's body holds as the next piece of the body of
 * the message `ch` is writing (a WriteMessageEnd with more_body), and
 * drops it once the daemon took it.  Synchronous: the piece has left when
 * it returns, so the next one or the End finds the transport free.
 */
static HRESULT
ws_stream_send_part(WS_CHANNEL *ch, WS_MESSAGE *m, WS_ERROR *error,
    const char *api)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__SendMessage op = WSCHANNEL__SEND_MESSAGE__INIT;
	Wschannel__Envelope env = WSCHANNEL__ENVELOPE__INIT;
	struct ipc_call call;
	HRESULT hr;

	if ((hr = ws_channel_live(ch, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&m->lock);
	if (m->state != WS_MESSAGE_STATE_WRITING || m->busy) {
		pthread_mutex_unlock(&m->lock);
		ipc_object_unref(&ch->obj);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being written", api);
	}
	ws_envelope_pack(m, &env);
	if (ws_header_mapped_pack(ch, m, &env) != S_OK) {
		pthread_mutex_unlock(&m->lock);
		ipc_object_unref(&ch->obj);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	/* Busy: the body stays put while the call reads it. */
	m->busy = true;
	if (m->body_len > 0) {
		env.has_body = true;
		env.body.data = m->body;
		env.body.len = m->body_len;
	}
	pthread_mutex_unlock(&m->lock);
	env.has_more_body = true;
	env.more_body = true;
	op.channel = ch->obj.id;
	op.message = &env;
	req.op_case = WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END;
	req.write_message_end = &op;
	ipc_call_new(&call, sizeof(call), NULL);
	call.conn = ch->obj.conn;
	call.obj = &ch->obj;		/* the reference goes with the call */
	call.error = error;
	call.api = api;
	hr = ipc_call_run(&call, &req);
	ws_header_mapped_pack_free(&env);
	pthread_mutex_lock(&m->lock);
	m->busy = false;
	if (hr == S_OK) {
		free(m->body);
		m->body = NULL;
		m->body_len = 0;
		m->body_flushed = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsFlushBody(WS_MESSAGE *message, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsFlushBody";
	WS_CHANNEL *ch;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL callback", api);
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_WRITING || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being written", api);
		goto out;
	}
	/* Below minSize nothing moves, as on Windows; an element still open
	 * in the body writer waits for its end. */
	if ((hr = xml_message_body_flush(message)) == WS_E_INVALID_FORMAT)
		hr = S_OK;
	else if (hr != S_OK) {
		hr = ws_error_fail(error, hr, "%s: the body cannot be flushed",
		    api);
		goto out;
	}
	if (message->body_len - message->body_flushed < minSize ||
	    message->body_len == message->body_flushed)
		goto out;
	ch = message->stream_ch;
	if (ch == NULL || !ipc_handle_live(ch) || !ws_stream_output(ch)) {
		message->body_flushed = message->body_len;
		goto out;
	}
	pthread_mutex_unlock(&message->lock);
	/* The channel must still be writing this very message. */
	if (!ws_channel_current_is(ch, true, message))
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being written on its channel",
		    api);
	/* Completed synchronously: the callback is not called. */
	return ws_stream_send_part(ch, message, error, api);
out:
	pthread_mutex_unlock(&message->lock);
	/* Completed synchronously: the callback is not called. */
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsFillBody(WS_MESSAGE *message, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsFillBody";
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL callback", api);
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_READING || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being read", api);
	else if (message->sin != NULL)
		/* A body read as it arrives: until minSize bytes are
		 * buffered or it ends.  Completed synchronously: the callback
		 * is not called. */
		hr = ws_stream_in_fill(message, minSize, error, api);
	pthread_mutex_unlock(&message->lock);
	return hr;
}
