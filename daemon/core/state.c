/*
 * The call/state table of spec/channel-semantics.md, as pure functions so
 * that the unit tests can walk every call in every state.
 */
#include <wschannel/webservices.h>

#include "state.h"

int32_t
state_channel_check(enum ch_call call, uint32_t state)
{
	switch (call) {
	case CH_CALL_OPEN:
	case CH_CALL_ACCEPT:
		if (state == WS_CHANNEL_STATE_CREATED)
			return S_OK;
		break;
	case CH_CALL_IO:
	case CH_CALL_SHUTDOWN:
		if (state == WS_CHANNEL_STATE_OPEN)
			return S_OK;
		break;
	case CH_CALL_RESET:
		if (state == WS_CHANNEL_STATE_CREATED ||
		    state == WS_CHANNEL_STATE_CLOSED)
			return S_OK;
		/* A FAULTED channel must be closed before it is reset. */
		return WS_E_INVALID_OPERATION;
	case CH_CALL_CLOSE:
	case CH_CALL_ABORT:
	case CH_CALL_FREE:
	case CH_CALL_GET_PROPERTY:
	case CH_CALL_SET_PROPERTY:
		return S_OK;
	}
	if (state == WS_CHANNEL_STATE_FAULTED)
		return WS_E_OBJECT_FAULTED;
	return WS_E_INVALID_OPERATION;
}

int32_t
state_listener_check(enum ls_call call, uint32_t state)
{
	switch (call) {
	case LS_CALL_OPEN:
		if (state == WS_LISTENER_STATE_CREATED)
			return S_OK;
		break;
	case LS_CALL_ACCEPT:
		if (state == WS_LISTENER_STATE_OPEN)
			return S_OK;
		break;
	case LS_CALL_RESET:
		if (state == WS_LISTENER_STATE_CREATED ||
		    state == WS_LISTENER_STATE_CLOSED)
			return S_OK;
		return WS_E_INVALID_OPERATION;
	case LS_CALL_CLOSE:
	case LS_CALL_ABORT:
	case LS_CALL_FREE:
	case LS_CALL_GET_PROPERTY:
	case LS_CALL_SET_PROPERTY:
		return S_OK;
	}
	if (state == WS_LISTENER_STATE_FAULTED)
		return WS_E_OBJECT_FAULTED;
	return WS_E_INVALID_OPERATION;
}

uint32_t
state_channel_after_abort(uint32_t state)
{
	switch (state) {
	case WS_CHANNEL_STATE_OPENING:
	case WS_CHANNEL_STATE_ACCEPTING:
	case WS_CHANNEL_STATE_OPEN:
		return WS_CHANNEL_STATE_FAULTED;
	case WS_CHANNEL_STATE_CLOSING:
		return WS_CHANNEL_STATE_CLOSED;
	default:
		return state;
	}
}

uint32_t
state_listener_after_abort(uint32_t state)
{
	switch (state) {
	case WS_LISTENER_STATE_CREATED:
	case WS_LISTENER_STATE_CLOSED:
		return state;
	case WS_LISTENER_STATE_CLOSING:
		return WS_LISTENER_STATE_CLOSED;
	default:
		return WS_LISTENER_STATE_FAULTED;
	}
}
