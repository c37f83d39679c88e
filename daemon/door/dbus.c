/*
 * The D-Bus door: org.wschannel.WsChannel1 through sd-bus, with exactly the
 * power of the Unix socket, because both doors run the same requests
 * (request.c).  This file holds the connection; dbus_peer.c the peers
 * (a session per unique bus name, its credentials, its end) and the
 * errors.  dbus_methods.c turns
 * method calls into requests and completions into replies;
 * dbus_objects.c exports the objects and publishes their signals.  The
 * interface is written down in systemd/org.wschannel.WsChannel1.xml and
 * mapped in common/busmap.h.
 *
 * Who is calling: the sender's credentials as the bus daemon recorded them
 * when it connected (GetConnectionCredentials: uid, pid, groups), asked
 * once per unique name and kept with its session; a unique name is never
 * reused and its credentials never change, so the per-call check
 * (registry_may_access on that uid) sees what a per-call query would.
 * sd_bus_query_sender_creds would give the uid and pid the same way, but
 * the groups only by reading /proc after the fact, which races with the
 * sender exiting.
 */
#include <sys/types.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include <wschannel/webservices.h>

#include "bus_loop.h"
#include "busmap.h"
#include "dbus.h"
#include "dbus_int.h"
#include "hresult.h"
#include "log.h"
#include "registry.h"
#include "request.h"

#define DBUS_FLUSH_MS		2000	/* shutdown: replies get this long */

struct dbus_state db = {
	.peers = TAILQ_HEAD_INITIALIZER(db.peers),
	.objs = TAILQ_HEAD_INITIALIZER(db.objs),
};

struct request_door dbus_door = {
	.name = "D-Bus",
	.kind = REQUEST_DOOR_BUS,
	.done = dbus_request_done,
	.interim = dbus_request_interim,
	.clients = control_dbus_peers,
};

/* ---- connection ----------------------------------------------------------------------- */

static void
dbus_teardown(void)
{
	struct dbus_peer *peer;

	while ((peer = TAILQ_FIRST(&db.peers)) != NULL)
		dbus_peer_end(peer, !db.lost);
	request_door_remove(&dbus_door);
	dbus_objects_free();
	if (!db.lost)
		bus_loop_flush(db.loop, DBUS_FLUSH_MS);
	bus_loop_free(db.loop);
	db.loop = NULL;
	if (db.bus != NULL) {
		sd_bus_close(db.bus);
		sd_bus_unref(db.bus);
		db.bus = NULL;
	}
}

static void
dbus_lost_cb(evutil_socket_t fd, short what, void *arg)
{
	dbus_teardown();
}

/* The bus went away under us.  The Unix door goes on; the watchdog stops
 * (control_dbus_connected) so that a supervised daemon gets restarted. */
static void
dbus_closed(void *arg)
{
	if (db.lost)
		return;
	db.lost = true;
	log_warnx("the D-Bus connection is gone; serving the Unix socket only");
	/* Not from inside bus_loop's own callback. */
	if (event_base_once(db.base, -1, EV_TIMEOUT, dbus_lost_cb, NULL,
	    NULL) != 0)
		log_warnx("cannot schedule the D-Bus teardown");
}

static int
dbus_open_bus(const char *which, sd_bus **out)
{
	sd_bus *bus = NULL;
	int r;

	if (strcmp(which, "system") == 0)
		return sd_bus_open_system_with_description(out, "wschanneld");
	if (strcmp(which, "session") == 0)
		return sd_bus_open_user_with_description(out, "wschanneld");
	if ((r = sd_bus_new(&bus)) < 0)
		return r;
	if ((r = sd_bus_set_address(bus, which)) < 0 ||
	    (r = sd_bus_set_bus_client(bus, 1)) < 0 ||
	    (r = sd_bus_set_description(bus, "wschanneld")) < 0 ||
	    (r = sd_bus_start(bus)) < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*out = bus;
	return 0;
}

int
control_dbus_init(struct event_base *base, const char *which,
    request_reload_fn reload)
{
	int r;

	db.base = base;
	dbus_door.reload = reload;
	if ((r = dbus_open_bus(which, &db.bus)) < 0) {
		log_warnx("cannot connect to the %s bus: %s", which,
		    strerror(-r));
		db.bus = NULL;
		return r;
	}
	if ((r = dbus_objects_init()) < 0)
		goto fail;
	request_door_add(&dbus_door);
	/* At start, before the loop runs: a plain blocking call is fine. */
	if ((r = sd_bus_request_name(db.bus, BUSMAP_NAME, 0)) < 0) {
		log_warnx("cannot own %s on the %s bus: %s", BUSMAP_NAME,
		    which, strerror(-r));
		goto fail;
	}
	if ((r = bus_loop_new(base, db.bus, dbus_closed, NULL, &db.loop)) < 0)
		goto fail;
	log_info("serving %s on the %s bus", BUSMAP_NAME, which);
	return 0;
fail:
	dbus_teardown();
	return r;
}

void
control_dbus_stop_accepting(void)
{
	if (db.bus == NULL || db.stopping)
		return;
	db.stopping = true;
	if (sd_bus_release_name_async(db.bus, NULL, BUSMAP_NAME, NULL,
	    NULL) < 0)
		log_debug("cannot release %s", BUSMAP_NAME);
	bus_loop_rearm(db.loop);
}

void
control_dbus_shutdown(void)
{
	if (db.bus == NULL && db.loop == NULL && db.watch == NULL)
		return;
	dbus_teardown();
}

bool
control_dbus_connected(void)
{
	return db.bus != NULL && !db.lost;
}

unsigned
control_dbus_peers(void)
{
	return db.npeers;
}
