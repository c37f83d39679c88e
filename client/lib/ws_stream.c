/*
 * WsFlushBody and WsFillBody, for messages of a streamed channel
 * (WS_CHANNEL_PROPERTY_TRANSFER_MODE).  The daemon still moves whole
 * envelopes: what WsFlushBody pushes joins the body the daemon gets at
 * WsWriteMessageEnd, and a received body is whole when WsReadMessageStart
 * completes, so WsFillBody always finds at least minSize bytes there or
 * the end of the body.  Both calls keep the reference pages' states and
 * arguments, so a program written for streaming runs unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

WS_EXPORT HRESULT WINAPI
WsFlushBody(WS_MESSAGE *message, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsFlushBody";
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
	if (message->body_len - message->body_flushed >= minSize)
		message->body_flushed = message->body_len;
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

	(void)minSize;	/* the whole body is there */
	if (!ws_message_valid(message) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL callback", api);
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_READING || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being read", api);
	pthread_mutex_unlock(&message->lock);
	return hr;
}
