/*
 * The D-Bus door: org.wschannel.WsChannel1 through sd-bus, with exactly the
 * power of the Unix socket (see systemd/org.wschannel.WsChannel1.xml for
 * the interface).  Holds no channel logic: it authenticates the sender,
 * validates arguments, calls the core and turns completions into replies.
 */
#ifndef WSCHANNEL_CONTROL_DBUS_H
#define WSCHANNEL_CONTROL_DBUS_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;

#define CONTROL_DBUS_NAME	"org.wschannel.WsChannel1"
#define CONTROL_DBUS_PATH	"/org/wschannel/WsChannel1"

/* Re-reads the configuration (Manager.Reload): 0, or -errno and a reason. */
typedef int (*control_dbus_reload_fn)(char *why, size_t len);

/*
 * Connects to `bus` ("system", "session" or a D-Bus address), exports the
 * objects and takes the name.  0 or a negative errno (logged).
 */
int	 control_dbus_init(struct event_base *, const char *bus,
	    control_dbus_reload_fn);
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
