/*
 * The D-Bus backend's files: bus.c (the connection and its I/O thread),
 * bus_msg.c (the library's requests as method calls, their returns as
 * Replies) and bus_admin.c (wsctl's requests and the event stream of a
 * watch).  bus.c calls the other two; they call no one in bus.c.
 */
#ifndef WSCHANNEL_IPC_BUS_H
#define WSCHANNEL_IPC_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "backend.h"

/* bus_msg.c */

/*
 * The method call for a library request (call->req) to `dest`; fills
 * call->op and what the answer's translation needs.  An HRESULT for a
 * request it cannot carry.
 */
HRESULT	 bus_msg_build(sd_bus *, const char *dest, struct ipc_call *,
	    sd_bus_message **);
/*
 * A method return as the Reply the socket would have carried.  Returns
 * the call's HRESULT; *out is NULL when there is no memory for it (then
 * the HRESULT is E_OUTOFMEMORY).
 */
HRESULT	 bus_msg_return(struct ipc_call *, sd_bus_message *,
	    Wschannel__Reply **out, bool *has_state, uint32_t *state);
/* An error as a Reply with its reason; NULL when there is none to keep. */
Wschannel__Reply *bus_msg_error(struct ipc_call *, HRESULT, const char *why);

/* bus_admin.c */

struct bus_admin;

/* Whether `op` is one of wsctl's requests (Wschannel__Request__OpCase). */
bool	 bus_admin_handles(int op);
/*
 * Answers one of wsctl's requests with method calls to `dest` (blocking:
 * wsctl sends one at a time and nothing else), as the Reply the socket
 * would have sent.  A Watch subscribes and starts the stream of events,
 * which go to `c` (ipc_conn_event) as the daemon's signals come in.
 * 0 with *out, or -errno with ipc_conn_set_why.  *admin is created at the
 * first Watch.
 */
int	 bus_admin_call(struct bus_admin **, sd_bus *, const char *dest,
	    struct ipc_conn *c, const Wschannel__Request *,
	    Wschannel__Reply **out);
void	 bus_admin_free(struct bus_admin *);
/*
 * How a D-Bus error counts for wsctl: 0 with *hr for a refusal (the
 * daemon's org.wschannel.WsChannel1.Error.*, else the "0x%08X: " its
 * message starts with; the bus's AccessDenied is E_ACCESSDENIED; an
 * unknown object is E_INVALIDARG when `object` says the call named a
 * channel), or -errno when the daemon was not reached (-EHOSTUNREACH,
 * -ETIMEDOUT, -ECONNRESET, -ENOMEM, -EPROTO).
 */
int	 bus_admin_error_hresult(const char *name, const char *message,
	    bool object, uint32_t *hr);

#endif
