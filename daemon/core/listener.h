/* Listeners: WS_LISTENER objects, each with the accepts waiting on it. */
#ifndef WSCHANNEL_LISTENER_H
#define WSCHANNEL_LISTENER_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include "props.h"
#include "pending.h"

struct session;
struct channel;
struct transport_binding;

/* As struct channel: the core's fields, hidden from transports. */
#ifndef WSCHANNEL_TRANSPORT
struct listener {
	uint64_t		 id;
	uid_t			 uid;
	pid_t			 pid;
	struct session		*owner;
	uint32_t		 type;
	uint32_t		 binding;
	uint32_t		 state;		/* WS_LISTENER_STATE */
	int32_t			 state_cause;	/* HRESULT of the last change */
	uint64_t		 props[LISTENER_PROP_COUNT];
	char			*url;
	char			 local[80];	/* bound address, when known */
	char			 group[64];	/* multicast group, "" if none */
	uint64_t		 dropped;	/* datagrams dropped before accept */
	bool			 dead;		/* freed, memory release pending */
	const struct transport_binding *tb;	/* its binding's rules */
	void			*tp;		/* transport state */
	struct pending_list	 pendings;	/* accepts, in arrival order */
	TAILQ_HEAD(, channel)	 accepting;	/* channels in ACCEPTING */
	TAILQ_ENTRY(listener)	 entry;
};
#endif

int32_t	 listener_new(struct session *owner, uint32_t type, uint32_t binding,
	    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
	    struct listener **out, const char **why);
int32_t	 listener_prop_check(uint32_t binding, uint32_t id, uint64_t value,
	    bool at_create, const char **why);
int32_t	 listener_open(struct listener *, const char *url, const char **why);
int32_t	 listener_accept(struct listener *, struct channel *, struct pending *,
	    const char **why);
/* Close and abort both end every waiting accept with
 * WS_E_OPERATION_ABORTED (those channels become FAULTED). */
int32_t	 listener_close(struct listener *);
unsigned listener_abort(struct listener *);
int32_t	 listener_reset(struct listener *, const char **why);
/* Aborts, unregisters, and releases the memory later from the loop, like
 * channel_free().  NULL: no-op. */
void	 listener_free(struct listener *);
int32_t	 listener_get_property(struct listener *, uint32_t id, uint64_t *u,
	    const char **s, const char **why);
int32_t	 listener_set_property(struct listener *, uint32_t id, uint64_t value,
	    const char **why);
/* A channel created for this listener (WsCreateChannelForListener). */
int32_t	 listener_new_channel(struct listener *, struct session *owner,
	    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
	    struct channel **out, const char **why);

/*
 * For transports, from their callbacks on the loop while they hold state
 * for the listener (between listener_open and listener_close or
 * listener_abort), unless said otherwise.
 */

/* Its id, for logs.  Any time. */
uint64_t listener_id(const struct listener *);
/* The value of an integer-like WS_LISTENER_PROPERTY_* id (0 for others).
 * Any time. */
uint64_t listener_prop_value(const struct listener *, uint32_t id);
/* The transport's state for the listener, NULL when it holds none; the
 * core clears it when it calls listener_close or listener_abort. */
void	*listener_tp(const struct listener *);
void	 listener_set_tp(struct listener *, void *tp);
/* How many accepts wait for a peer: take peers only while it is not 0. */
unsigned listener_transport_waiting(const struct listener *);
/* A peer arrived: the oldest channel waiting in ACCEPTING leaves the
 * queue with `tp` as its transport state and is returned; it stays
 * ACCEPTING until channel_transport_opened() or _fault().  NULL when no
 * accept waits (drop the peer). */
struct channel *listener_transport_incoming(struct listener *, void *tp);
/* The address it is bound to ("0.0.0.0:3702") and the multicast group
 * it serves (NULL or "" for none), for wsctl list.  Any time. */
void	 listener_transport_endpoint(struct listener *, const char *local,
	    const char *group);
/* Counts `n` incoming datagrams (or requests) dropped before any accept:
 * malformed, oversized, wrong To, or over the queue. */
void	 listener_transport_dropped(struct listener *, uint64_t n);
/* The peer of a channel from listener_transport_incoming() failed before
 * the channel opened, and the transport has freed its state for it: the
 * channel goes back to the head of its listener's queue and the accept
 * waits for the next peer.  False when the listener is gone or no longer
 * OPEN (the transport then faults the channel). */
bool	 listener_transport_requeue(struct channel *);

#endif
