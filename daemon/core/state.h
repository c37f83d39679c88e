/* The state table of the spec: which call is valid in which state. */
#ifndef WSCHANNEL_STATE_H
#define WSCHANNEL_STATE_H

#include <stdint.h>

enum ch_call {
	CH_CALL_OPEN,
	CH_CALL_ACCEPT,		/* the channel side of WsAcceptChannel */
	CH_CALL_IO,		/* send, receive, request-reply, read/write message */
	CH_CALL_SHUTDOWN,	/* WsShutdownSessionChannel */
	CH_CALL_CLOSE,
	CH_CALL_RESET,
	CH_CALL_ABORT,
	CH_CALL_FREE,
	CH_CALL_GET_PROPERTY,
	CH_CALL_SET_PROPERTY,
};

enum ls_call {
	LS_CALL_OPEN,
	LS_CALL_ACCEPT,
	LS_CALL_CLOSE,
	LS_CALL_RESET,
	LS_CALL_ABORT,
	LS_CALL_FREE,
	LS_CALL_GET_PROPERTY,
	LS_CALL_SET_PROPERTY,
};

/* S_OK when `call` is valid in `state`, else the HRESULT the spec names. */
int32_t	state_channel_check(enum ch_call call, uint32_t state);
int32_t	state_listener_check(enum ls_call call, uint32_t state);

/* The state an abort leaves a channel / listener in. */
uint32_t state_channel_after_abort(uint32_t state);
uint32_t state_listener_after_abort(uint32_t state);

#endif
