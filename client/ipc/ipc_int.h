/*
 * What the files of client/ipc share beyond backend.h: the lock of every
 * call and connection, and sending and waiting for a call (ipc.c).
 */
#ifndef WSCHANNEL_IPC_INT_H
#define WSCHANNEL_IPC_INT_H

#include <stdbool.h>
#include <time.h>

#include "backend.h"

extern pthread_mutex_t ipc_lock;

/* Hands the call to the connection's backend (true: its result comes
 * through the upcalls), or completes it at once (false). */
bool	 ipc_call_send(struct ipc_call *, Wschannel__Request *);
/* With ipc_lock held: waits until `call` has its result (an async call:
 * or its interim); false when the CLOCK_MONOTONIC deadline `ts` passed. */
bool	 ipc_wait(struct ipc_conn *, struct ipc_call *, const struct timespec *);
/* Releases a call's Reply, whichever way it was decoded. */
void	 ipc_reply_release(struct ipc_call *);
/* Turns a call's result into its HRESULT (errors, finish), releasing all
 * but the call's memory, which ipc_call_free releases. */
HRESULT	 ipc_call_finish(struct ipc_call *);
void	 ipc_call_free(struct ipc_call *);
/* With ipc_lock held: the call joins the connection's pending calls, or
 * the queue its I/O thread sends from. */
/* Adds the reply's strings so that WsGetErrorString(0) is errors[0]. */
void	 ipc_reply_errors(WS_ERROR *, const Wschannel__Reply *);
void	 ipc_link(struct ipc_conn *, struct ipc_call *);
/* With ipc_lock held: ends a linked call with `hr` and no Reply. */
void	 ipc_call_abandon(struct ipc_call *, HRESULT);
void	 ipc_queue(struct ipc_conn *, struct ipc_call *);
/* With ipc_lock held: the event reader's descriptor polls readable. */
void	 ipc_event_poke(struct ipc_conn *);
/* Frees the events nobody took. */
void	 ipc_event_clear(struct ipc_conn *);

#endif
