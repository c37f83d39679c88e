/*
 * The service manager's side: sd_notify READY / STATUS / RELOADING /
 * STOPPING and the watchdog.  Without NOTIFY_SOCKET everything here is a
 * no-op, so the daemon behaves the same when started by hand.
 */
#ifndef WSCHANNEL_NOTIFY_H
#define WSCHANNEL_NOTIFY_H

#include <stdbool.h>

struct event_base;

/* Is the daemon able to serve?  WATCHDOG=1 is only sent while it is. */
typedef bool (*notify_health_fn)(void);

/*
 * Arms the watchdog timer (half of WATCHDOG_USEC, when the manager asked
 * for one) and the STATUS= updates, which follow the registry's events.
 */
int	 notify_init(struct event_base *, notify_health_fn);
/* READY=1 with the first STATUS=. */
void	 notify_ready(void);
/* RELOADING=1 (with MONOTONIC_USEC=); notify_ready() ends the reload. */
void	 notify_reloading(void);
/* STOPPING=1: the first thing of a shutdown. */
void	 notify_stopping(void);
/* Sends STATUS= now if the counts changed since the last one. */
void	 notify_status(void);
void	 notify_shutdown(void);

#endif
