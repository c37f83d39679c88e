/*
 * The D-Bus door: org.wschannel.WsChannel1 through sd-bus, with exactly the
 * power of the Unix socket (see systemd/org.wschannel.WsChannel1.xml for
 * the interface, common/busmap.h for its names).  Holds no channel logic:
 * it authenticates the sender, decodes method calls into requests for
 * request.c and turns their completions into replies.
 */
#ifndef WSCHANNEL_CONTROL_DBUS_H
#define WSCHANNEL_CONTROL_DBUS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

struct event_base;

/*
 * Connects to `bus` ("system", "session" or a D-Bus address), exports the
 * objects and takes the name; `reload` answers Manager.Reload (NULL:
 * nothing to reload).  0 or a negative errno (logged).
 */
int	 control_dbus_init(struct event_base *, const char *bus,
	    request_reload_fn reload);
/* Releases the name; method calls from now on are answered with
 * WS_E_ENDPOINT_DISCONNECTED. */
void	 control_dbus_stop_accepting(void);
/* Ends every peer's session (its objects aborted and freed, its pending
 * calls answered), writes out what the bus takes within a bound, closes
 * the connection and frees everything.  Safe when never initialised. */
void	 control_dbus_shutdown(void);
/* The connection is up (false when never asked for one). */
bool	 control_dbus_connected(void);
unsigned control_dbus_peers(void);

#endif
