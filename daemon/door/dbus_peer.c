/*
 * The D-Bus door's peers and errors: a session per unique bus name, its
 * credentials (see dbus.c for why they are asked once), its end; and the
 * HRESULT-to-D-Bus-error mapping every reply uses.  The lowest of the
 * door's D-Bus files: dbus.c, dbus_methods.c and dbus_objects.c call it,
 * it calls none of them.
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

/* ---- errors ---------------------------------------------------------------- */

int
dbus_error_set(sd_bus_error *e, int32_t hr, const char *why)
{
	return sd_bus_error_setf(e, hresult_dbus_error((uint32_t)hr),
	    "0x%08" PRIX32 ": %s", (uint32_t)hr,
	    why != NULL ? why : hresult_text((uint32_t)hr));
}

/* Answers `m` with the error named after `hr`. */
int
dbus_reply_hr(sd_bus_message *m, int32_t hr, const char *why)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	dbus_error_set(&e, hr, why);
	r = sd_bus_reply_method_error(m, &e);
	sd_bus_error_free(&e);
	return r < 0 ? r : 1;
}

/* ---- peers ----------------------------------------------------------------- */

struct dbus_peer *
dbus_peer_of(struct request_client *c)
{
	return (struct dbus_peer *)((char *)c -
	    offsetof(struct dbus_peer, client));
}

void
dbus_peer_unref(struct dbus_peer *peer)
{
	if (--peer->refs > 0)
		return;
	sd_bus_slot_unref(peer->match);
	free(peer->groups);
	free(peer->name);
	free(peer);
}

void
dbus_peer_refresh(struct dbus_peer *peer)
{
	gid_t admin = registry_admin_gid();
	size_t i;

	peer->client.sess.gid = peer->ngroups > 0 ? peer->groups[0] : (gid_t)-1;
	if (admin == (gid_t)-1)
		return;
	for (i = 0; i < peer->ngroups; i++)
		if (peer->groups[i] == admin)
			peer->client.sess.gid = admin;
}

/*
 * The peer's unique name left the bus: its pending calls end (nobody is
 * left to answer) and what it owns is aborted and freed.  With `answer`
 * (shutdown) the replies are still sent.
 */
void
dbus_peer_end(struct dbus_peer *peer, bool answer)
{
	if (peer->gone)
		return;
	if (!answer)
		peer->gone = true;
	TAILQ_REMOVE(&db.peers, peer, entry);
	db.npeers--;
	log_debug("D-Bus peer %s (uid %u pid %d) is gone", peer->name,
	    (unsigned)peer->client.sess.uid, (int)peer->client.sess.pid);
	request_client_end(&peer->client);
	peer->gone = true;
	dbus_peer_unref(peer);
}

static int
dbus_name_owner_changed(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	struct dbus_peer *peer = arg;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
		return 0;
	if (*new != '\0' || strcmp(name, peer->name) != 0)
		return 0;
	peer->refs++;
	dbus_peer_end(peer, false);
	/* This match is the one running: sd-bus keeps it alive until the
	 * callback returns. */
	sd_bus_slot_unref(peer->match);
	peer->match = NULL;
	dbus_peer_unref(peer);
	bus_loop_rearm(db.loop);
	return 0;
}

/* Reads the bus daemon's record of `name`: uid, pid and groups. */
static int
dbus_peer_creds(struct dbus_peer *peer, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const char *key, *contents;
	const uint32_t *gids;
	bool have_uid = false;
	uint32_t u, pid = 0, uid = 0;
	size_t n, i;
	char type;
	int r;

	r = sd_bus_call_method(db.bus, BUSMAP_DRIVER_NAME, BUSMAP_DRIVER_PATH,
	    BUSMAP_DRIVER_IFACE,
	    "GetConnectionCredentials", e, &reply, "s", peer->name);
	if (r < 0)
		return r;
	if ((r = sd_bus_message_enter_container(reply, 'a', "{sv}")) < 0)
		goto out;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(reply, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(reply, &type, &contents)) < 0)
			goto out;
		if (strcmp(key, "UnixUserID") == 0 &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(reply, "v", "u", &u)) < 0)
				goto out;
			uid = u;
			have_uid = true;
		} else if (strcmp(key, "ProcessID") == 0 &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(reply, "v", "u", &pid)) < 0)
				goto out;
		} else if (strcmp(key, "UnixGroupIDs") == 0 &&
		    strcmp(contents, "au") == 0) {
			if ((r = sd_bus_message_enter_container(reply, 'v',
			    "au")) < 0 ||
			    (r = sd_bus_message_read_array(reply, 'u',
			    (const void **)&gids, &n)) < 0 ||
			    (r = sd_bus_message_exit_container(reply)) < 0)
				goto out;
			n /= sizeof(uint32_t);
			free(peer->groups);
			peer->ngroups = 0;
			if ((peer->groups = calloc(n + 1, sizeof(gid_t))) == NULL) {
				r = -ENOMEM;
				goto out;
			}
			for (i = 0; i < n; i++)
				peer->groups[i] = gids[i];
			peer->ngroups = n;
		} else if ((r = sd_bus_message_skip(reply, "v")) < 0)
			goto out;
		if ((r = sd_bus_message_exit_container(reply)) < 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (!have_uid) {
		r = -EPROTO;
		goto out;
	}
	request_client_init(&peer->client, &dbus_door, (uid_t)uid, (pid_t)pid,
	    (gid_t)-1);
	r = 0;
out:
	sd_bus_message_unref(reply);
	return r;
}

int
dbus_peer_get(sd_bus_message *m, struct dbus_peer **out, sd_bus_error *e)
{
	struct dbus_peer *peer;
	const char *sender;
	char rule[256];
	int r;

	if (db.stopping)
		return dbus_error_set(e, WS_E_ENDPOINT_DISCONNECTED,
		    "the daemon is stopping");
	if ((sender = sd_bus_message_get_sender(m)) == NULL)
		return dbus_error_set(e, E_ACCESSDENIED,
		    "the caller has no bus name");
	TAILQ_FOREACH(peer, &db.peers, entry) {
		if (strcmp(peer->name, sender) == 0) {
			dbus_peer_refresh(peer);
			*out = peer;
			return 0;
		}
	}
	if ((peer = calloc(1, sizeof(*peer))) == NULL ||
	    (peer->name = strdup(sender)) == NULL) {
		free(peer);
		return dbus_error_set(e, E_OUTOFMEMORY, "out of memory");
	}
	peer->refs = 1;
	TAILQ_INIT(&peer->client.sess.pendings);
	/*
	 * Watch the name before asking who it is: the bus daemon handles the
	 * two in order, so a peer that leaves in between is seen either
	 * by the query failing or by the signal.
	 */
	snprintf(rule, sizeof(rule), "type='signal',sender='" BUSMAP_DRIVER_NAME
	    "',path='" BUSMAP_DRIVER_PATH "',interface='" BUSMAP_DRIVER_IFACE
	    "',member='NameOwnerChanged',arg0='%s'", sender);
	r = sd_bus_add_match_async(db.bus, &peer->match, rule,
	    dbus_name_owner_changed, NULL, peer);
	if (r >= 0)
		r = dbus_peer_creds(peer, e);
	if (r < 0) {
		log_warnx("D-Bus peer %s: cannot learn its credentials: %s",
		    sender, sd_bus_error_is_set(e) ? e->message : strerror(-r));
		dbus_peer_unref(peer);
		sd_bus_error_free(e);
		return dbus_error_set(e, E_ACCESSDENIED,
		    "the caller's credentials are unknown");
	}
	TAILQ_INSERT_HEAD(&db.peers, peer, entry);
	db.npeers++;
	dbus_peer_refresh(peer);
	log_debug("D-Bus peer %s is uid %u pid %d", sender,
	    (unsigned)peer->client.sess.uid, (int)peer->client.sess.pid);
	*out = peer;
	return 0;
}

