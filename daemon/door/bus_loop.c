/*
 * sd-bus on libevent.  sd-bus tells us what it waits for: the fd
 * (sd_bus_get_fd), POLLIN/POLLOUT (sd_bus_get_events) and an absolute
 * CLOCK_MONOTONIC deadline in microseconds (sd_bus_get_timeout, UINT64_MAX
 * for none).  One libevent event carries all three; when it fires we call
 * sd_bus_process until it has nothing left to do, then ask again.
 */
#include <sys/types.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "bus_loop.h"
#include "log.h"

/* Messages handled per wake-up before the other door gets a turn; the rest
 * are handled on the next loop iteration (timeout 0), not dropped. */
#define BUS_LOOP_BATCH	256

struct bus_loop {
	struct event_base	*base;
	sd_bus			*bus;
	struct event		*ev;
	int			 fd;
	short			 armed_flags;	/* EV_READ / EV_WRITE armed */
	uint64_t		 armed_deadline;	/* usec, UINT64_MAX: none */
	bool			 armed;
	bool			 more;		/* batch cut short */
	bool			 closed;
	bus_loop_closed_fn	 closed_cb;
	void			*closed_arg;
};

static void	bus_loop_cb(evutil_socket_t, short, void *);

static uint64_t
bus_loop_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
bus_loop_close(struct bus_loop *bl, int error)
{
	if (bl->closed)
		return;
	bl->closed = true;
	if (bl->armed) {
		event_del(bl->ev);
		bl->armed = false;
	}
	if (error < 0)
		log_warnx("D-Bus connection lost: %s", strerror(-error));
	if (bl->closed_cb != NULL)
		bl->closed_cb(bl->closed_arg);
}

void
bus_loop_rearm(struct bus_loop *bl)
{
	struct timeval tv, *tvp = NULL;
	uint64_t deadline, now;
	short flags = 0;
	int events, r;

	if (bl == NULL || bl->closed)
		return;
	if ((events = sd_bus_get_events(bl->bus)) < 0) {
		bus_loop_close(bl, events);
		return;
	}
	if (events & POLLIN)
		flags |= EV_READ;
	if (events & POLLOUT)
		flags |= EV_WRITE;
	if ((r = sd_bus_get_timeout(bl->bus, &deadline)) < 0) {
		bus_loop_close(bl, r);
		return;
	}
	if (bl->more)
		deadline = 0;	/* finish the batch on the next iteration */
	/* Nothing changed since the last arming: leave the event alone. */
	if (bl->armed && flags == bl->armed_flags &&
	    deadline == bl->armed_deadline)
		return;
	if (bl->armed)
		event_del(bl->ev);
	if (deadline != UINT64_MAX) {
		now = bus_loop_now_usec();
		deadline = deadline > now ? deadline - now : 0;
		tv.tv_sec = (time_t)(deadline / 1000000);
		tv.tv_usec = (suseconds_t)(deadline % 1000000);
		tvp = &tv;
		deadline += now;
	}
	event_assign(bl->ev, bl->base, bl->fd, flags, bus_loop_cb, bl);
	if (event_add(bl->ev, tvp) != 0) {
		log_warnx("cannot arm the D-Bus event");
		bl->armed = false;
		return;
	}
	bl->armed = true;
	bl->armed_flags = flags;
	bl->armed_deadline = tvp != NULL ? deadline : UINT64_MAX;
}

static void
bus_loop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bus_loop *bl = arg;
	int i, r = 0;

	bl->armed = false;
	bl->more = false;
	/* A callback may free the connection's users; keep the bus alive. */
	sd_bus_ref(bl->bus);
	for (i = 0; i < BUS_LOOP_BATCH; i++) {
		if ((r = sd_bus_process(bl->bus, NULL)) <= 0)
			break;
	}
	if (i == BUS_LOOP_BATCH)
		bl->more = true;
	if (r < 0 && r != -EBUSY) {
		/* -ENOTCONN, -ECONNRESET...: after the synthesized
		 * Disconnected message there is nothing more to do. */
		bus_loop_close(bl, r == -ENOTCONN || r == -ECONNRESET ? 0 : r);
	} else
		bus_loop_rearm(bl);
	sd_bus_unref(bl->bus);
}

int
bus_loop_new(struct event_base *base, sd_bus *bus, bus_loop_closed_fn closed,
    void *arg, struct bus_loop **out)
{
	struct bus_loop *bl;
	int fd;

	if ((fd = sd_bus_get_fd(bus)) < 0)
		return fd;
	if ((bl = calloc(1, sizeof(*bl))) == NULL)
		return -ENOMEM;
	bl->base = base;
	bl->bus = sd_bus_ref(bus);
	bl->fd = fd;
	bl->closed_cb = closed;
	bl->closed_arg = arg;
	bl->armed_deadline = UINT64_MAX;
	if ((bl->ev = event_new(base, fd, EV_READ, bus_loop_cb, bl)) == NULL) {
		sd_bus_unref(bl->bus);
		free(bl);
		return -ENOMEM;
	}
	bus_loop_rearm(bl);
	*out = bl;
	return 0;
}

int
bus_loop_flush(struct bus_loop *bl, int timeout_ms)
{
	uint64_t end = bus_loop_now_usec() + (uint64_t)timeout_ms * 1000;
	struct pollfd pfd;
	uint64_t now;
	int events, r;

	if (bl == NULL || bl->closed)
		return 0;
	for (;;) {
		if ((events = sd_bus_get_events(bl->bus)) < 0)
			return events;
		if (!(events & POLLOUT))
			return 0;
		if ((now = bus_loop_now_usec()) >= end)
			return -ETIMEDOUT;
		pfd.fd = bl->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)((end - now + 999) / 1000));
		if (r < 0 && errno != EINTR)
			return -errno;
		/* sd_bus_process writes the queue out (and may read). */
		if ((r = sd_bus_process(bl->bus, NULL)) < 0)
			return r;
	}
}

void
bus_loop_free(struct bus_loop *bl)
{
	if (bl == NULL)
		return;
	if (bl->armed)
		event_del(bl->ev);
	event_free(bl->ev);
	sd_bus_unref(bl->bus);
	free(bl);
}
