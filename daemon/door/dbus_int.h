/*
 * What the D-Bus door's files share: the connection's state, the peers,
 * and the functions one file gives the others.  dbus.c holds the
 * connection and the peers, dbus_methods.c turns method calls into
 * requests and completions into replies, dbus_objects.c exports the
 * objects (properties, enumeration) and publishes their signals.
 */
#ifndef WSCHANNEL_DBUS_INT_H
#define WSCHANNEL_DBUS_INT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "request.h"

struct event_base;
struct event;
struct bus_loop;
struct envelope;

/* One client of the door: a unique bus name. */
struct dbus_peer {
	struct request_client	 client;
	char			*name;
	sd_bus_slot		*match;		/* its NameOwnerChanged */
	gid_t			*groups;
	size_t			 ngroups;
	int			 refs;	/* the peer, and each request */
	bool			 gone;
	TAILQ_ENTRY(dbus_peer)	 entry;
};

/* What subscribers last heard of an object, to signal only changes. */
struct dbus_obj {
	uint64_t		 id;
	bool			 is_listener;
	uint32_t		 state;
	uint32_t		 encoding;
	uint32_t		 pending;
	uint64_t		 bytes_in, bytes_out, messages_in, messages_out;
	char			 remote[80];
	char			*url;
	TAILQ_ENTRY(dbus_obj)	 entry;
	TAILQ_ENTRY(dbus_obj)	 hash_entry;
};

#define DBUS_OBJ_BUCKETS	1024
TAILQ_HEAD(dbus_obj_list, dbus_obj);

struct dbus_state {
	struct event_base	*base;
	sd_bus			*bus;
	struct bus_loop		*loop;
	void			*watch;
	struct event		*counters;
	bool			 stopping;
	bool			 lost;
	bool			 emitting;	/* property getters skip checks */
	unsigned		 npeers;
	TAILQ_HEAD(, dbus_peer)	 peers;
	struct dbus_obj_list	 objs;
	struct dbus_obj_list	 objhash[DBUS_OBJ_BUCKETS];
};

extern struct dbus_state	 db;
extern struct request_door	 dbus_door;

/* dbus_peer.c */
int	 dbus_error_set(sd_bus_error *, int32_t hr, const char *why);
/* Answers `m` with the error named after `hr`; 1, or a bus error. */
int	 dbus_reply_hr(sd_bus_message *m, int32_t hr, const char *why);
/* The session of the sender of `m`, created at its first call; on
 * failure `e` is set and a negative errno returned. */
int	 dbus_peer_get(sd_bus_message *m, struct dbus_peer **out,
	    sd_bus_error *e);
struct dbus_peer *dbus_peer_of(struct request_client *);
void	 dbus_peer_unref(struct dbus_peer *);
/* Admin membership is decided per call: the group may change on reload. */
void	 dbus_peer_refresh(struct dbus_peer *);
/* Ends a peer's session; `answer`: its pending calls still get replies. */
void	 dbus_peer_end(struct dbus_peer *, bool answer);

/* dbus_methods.c */
extern const sd_bus_vtable dbus_manager_vtable[];
extern const sd_bus_vtable dbus_channel_vtable[];
extern const sd_bus_vtable dbus_listener_vtable[];
void	 dbus_request_done(struct request *);
void	 dbus_request_interim(struct request *);
int	 dbus_append_sv(sd_bus_message *, const char *key, const char *sig,
	    ...);

/* dbus_objects.c: the property getters and lookups of the vtables, and
 * the signals. */
int	 dbus_channel_prop(sd_bus *, const char *path, const char *iface,
	    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *);
int	 dbus_listener_prop(sd_bus *, const char *path, const char *iface,
	    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *);
int	 dbus_manager_prop(sd_bus *, const char *path, const char *iface,
	    const char *name, sd_bus_message *reply, void *arg, sd_bus_error *);
/* Exports the manager, the channel and listener subtrees and the object
 * manager; subscribes to state events.  0 or a negative errno. */
int	 dbus_objects_init(void);
/* Unsubscribes and forgets every snapshot. */
void	 dbus_objects_free(void);

#endif
