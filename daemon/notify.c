/*
 * sd_notify and the watchdog.  WATCHDOG=1 comes from a timer of the main
 * loop, so a loop that is stuck stops petting the watchdog by itself; the
 * health callback also withholds it while a door the daemon was asked to
 * serve is gone.  STATUS= follows the registry's events, at most once per
 * NOTIFY_STATUS_MS.
 */
#include <sys/types.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"
#include "registry.h"

#define NOTIFY_STATUS_MS	1000

static struct event_base	*nt_base;
static struct event		*nt_watchdog;
static struct event		*nt_status;
static void			*nt_watch;
static notify_health_fn		 nt_health;
static bool			 nt_stopping;
static bool			 nt_unhealthy_logged;
static char			 nt_last[128];

static void
notify_status_string(char *buf, size_t len)
{
	struct registry_stats st;

	registry_stats(&st);
	snprintf(buf, len, "%u channel%s, %u listener%s, %u pending",
	    st.channels, st.channels == 1 ? "" : "s",
	    st.listeners, st.listeners == 1 ? "" : "s", st.pending);
}

void
notify_status(void)
{
	char buf[sizeof(nt_last)];

	if (nt_stopping)
		return;
	notify_status_string(buf, sizeof(buf));
	if (strcmp(buf, nt_last) == 0)
		return;
	memcpy(nt_last, buf, sizeof(nt_last));
	sd_notifyf(0, "STATUS=%s", buf);
}

static void
notify_status_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_status();
}

/* Objects come and go, states change: refresh STATUS= soon, coalesced. */
static void
notify_watch_cb(const struct state_event *ev, void *arg)
{
	struct timeval tv = { NOTIFY_STATUS_MS / 1000,
	    (NOTIFY_STATUS_MS % 1000) * 1000 };

	if (nt_status != NULL && !evtimer_pending(nt_status, NULL))
		evtimer_add(nt_status, &tv);
}

static void
notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	if (nt_health != NULL && !nt_health()) {
		if (!nt_unhealthy_logged)
			log_warnx("not healthy: withholding the watchdog");
		nt_unhealthy_logged = true;
		return;
	}
	nt_unhealthy_logged = false;
	sd_notify(0, "WATCHDOG=1");
	/* Pending counts change without events; the watchdog tick is a
	 * good moment to look. */
	notify_status();
}

int
notify_init(struct event_base *base, notify_health_fn health)
{
	struct timeval tv;
	uint64_t usec = 0;
	int r;

	nt_base = base;
	nt_health = health;
	nt_stopping = false;
	nt_last[0] = '\0';
	if ((nt_status = evtimer_new(base, notify_status_cb, NULL)) == NULL)
		return -ENOMEM;
	if ((nt_watch = registry_watch_add(notify_watch_cb, NULL)) == NULL)
		return -ENOMEM;
	/* The manager's watchdog, if it is meant for this process. */
	if ((r = sd_watchdog_enabled(0, &usec)) < 0)
		log_warnx("ignoring a bad WATCHDOG_USEC: %s", strerror(-r));
	if (r > 0 && usec > 0) {
		usec /= 2;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		nt_watchdog = event_new(base, -1, EV_PERSIST, notify_watchdog_cb,
		    NULL);
		if (nt_watchdog == NULL || event_add(nt_watchdog, &tv) != 0)
			return -ENOMEM;
		log_debug("watchdog every %llu us",
		    (unsigned long long)usec);
	}
	return 0;
}

void
notify_ready(void)
{
	char buf[sizeof(nt_last)];

	notify_status_string(buf, sizeof(buf));
	memcpy(nt_last, buf, sizeof(nt_last));
	sd_notifyf(0, "READY=1\nSTATUS=%s", buf);
}

void
notify_reloading(void)
{
	struct timespec ts;

	/* MONOTONIC_USEC lets the manager match this to its reload job. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading the configuration\n"
	    "MONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
}

void
notify_stopping(void)
{
	nt_stopping = true;
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
}

void
notify_shutdown(void)
{
	registry_watch_remove(nt_watch);
	nt_watch = NULL;
	if (nt_watchdog != NULL) {
		event_free(nt_watchdog);
		nt_watchdog = NULL;
	}
	if (nt_status != NULL) {
		event_free(nt_status);
		nt_status = NULL;
	}
}
