/* The Unix-socket door: protobuf-c frames of proto/wschannel.proto. */
#ifndef WSCHANNEL_CONTROL_H
#define WSCHANNEL_CONTROL_H

#include "request.h"

struct event_base;

/* Listens on `path` (creating its directory), or adopts `fd` if >= 0;
 * `reload` answers the Reload request (NULL: nothing to reload). */
int	control_init(struct event_base *, const char *path, int fd,
	    request_reload_fn reload);
/* Stops accepting new connections. */
void	control_stop_accepting(void);
/* Ends every connection: their sessions end (objects aborted and freed)
 * after pending replies were queued; then flushes what it can. */
void	control_shutdown(void);
unsigned control_connections(void);
/* The control socket is being served (the watchdog's health check). */
int	control_accepting(void);

#endif
