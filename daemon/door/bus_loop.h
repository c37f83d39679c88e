/*
 * sd-bus on the daemon's libevent loop, by the contract of sd_bus_get_fd,
 * sd_bus_get_events, sd_bus_get_timeout and sd_bus_process: one event on
 * the bus fd whose flags and deadline are recomputed after every
 * processing round and after every send from outside sd_bus_process.  No
 * second thread, no polling timer.
 */
#ifndef WSCHANNEL_BUS_LOOP_H
#define WSCHANNEL_BUS_LOOP_H

#include <systemd/sd-bus.h>

struct event_base;
struct bus_loop;

/* Called once, from the loop, when the connection is gone. */
typedef void (*bus_loop_closed_fn)(void *arg);

/* Attaches `bus` (started, or being started) to `base`; takes a reference
 * on it.  0 or a negative errno. */
int	 bus_loop_new(struct event_base *base, sd_bus *bus,
	    bus_loop_closed_fn closed, void *arg, struct bus_loop **out);
/* Recomputes the fd flags and the deadline.  Call it after every
 * sd_bus_send (or reply, or signal) made outside sd_bus_process. */
void	 bus_loop_rearm(struct bus_loop *);
/* Writes out what sd-bus has queued, waiting at most `timeout_ms`
 * (shutdown).  0, -ETIMEDOUT, or the connection's error. */
int	 bus_loop_flush(struct bus_loop *, int timeout_ms);
/* Detaches and drops the reference; NULL is a no-op. */
void	 bus_loop_free(struct bus_loop *);

#endif
