/*
 * WsAsyncExecute: runs a chain of WS_ASYNC_FUNCTIONs, each naming the
 * next in its WS_ASYNC_OPERATION and getting the previous one's result.
 * Without an async context every function runs synchronously; with one,
 * a function that returns WS_S_ASYNC continues the chain from its
 * completion, and the caller's callback gets the last function's result.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The run of an asynchronous chain; WS_ASYNC_STATE.internal0 points to
 * it while it runs. */
struct ws_async_run {
	WS_ASYNC_STATE		*state;
	WS_ASYNC_OPERATION	 next;
	/* given to each function */
	WS_ASYNC_CONTEXT	 ctx;
	WS_ASYNC_CONTEXT	 user;		/* the caller's */
	void			*callback_state;
	WS_ERROR		*error;
	bool			 went_async;
};

/*
 * Calls functions until the chain ends (the result) or one goes pending
 * (WS_S_ASYNC).  After a function returned WS_S_ASYNC its completion may
 * already run on another thread: nothing of `run` is touched past it.
 */
static HRESULT
ws_async_drive(struct ws_async_run *run, HRESULT hr, WS_CALLBACK_MODEL model)
{
	WS_ASYNC_FUNCTION f;

	while ((f = run->next.function) != NULL) {
		run->next.function = NULL;
		hr = f(hr, model, run->callback_state, &run->next, &run->ctx,
		    run->error);
		if (hr == WS_S_ASYNC)
			return WS_S_ASYNC;
	}
	return hr;
}

static void
ws_async_finish(struct ws_async_run *run, HRESULT hr, WS_CALLBACK_MODEL model)
{
	WS_ASYNC_CONTEXT user = run->user;

	run->state->internal0 = NULL;
	free(run);
	user.callback(hr, model, user.callbackState);
}

static void CALLBACK
ws_async_completed(HRESULT hr, WS_CALLBACK_MODEL model, void *state)
{
	struct ws_async_run *run = state;

	run->went_async = true;
	if ((hr = ws_async_drive(run, hr, model)) != WS_S_ASYNC)
		ws_async_finish(run, hr, model);
}

WS_EXPORT HRESULT WINAPI
WsAsyncExecute(WS_ASYNC_STATE *asyncState, WS_ASYNC_FUNCTION operation,
    WS_CALLBACK_MODEL callbackModel, void *callbackState,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsAsyncExecute";
	struct ws_async_run *run;
	WS_ASYNC_OPERATION next;
	WS_ASYNC_FUNCTION f;
	HRESULT hr = S_OK;

	if (asyncState == NULL || operation == NULL ||
	    (callbackModel != WS_SHORT_CALLBACK &&
	    callbackModel != WS_LONG_CALLBACK) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG, "%s: NULL state or "
		    "operation, invalid callback model or NULL callback", api);
	memset(asyncState, 0, sizeof(*asyncState));
	if (asyncContext == NULL) {
		next.function = operation;
		while ((f = next.function) != NULL) {
			next.function = NULL;
			hr = f(hr, callbackModel, callbackState, &next, NULL,
			    error);
		}
		return hr;
	}
	if ((run = calloc(1, sizeof(*run))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	run->state = asyncState;
	run->next.function = operation;
	run->ctx.callback = ws_async_completed;
	run->ctx.callbackState = run;
	run->user = *asyncContext;
	run->callback_state = callbackState;
	run->error = error;
	asyncState->internal0 = run;
	if ((hr = ws_async_drive(run, S_OK, callbackModel)) == WS_S_ASYNC)
		return WS_S_ASYNC;
	/* Done without going pending: the result is returned and the
	 * callback is not called, as for any WWSAPI async call. */
	asyncState->internal0 = NULL;
	free(run);
	return hr;
}
