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
struct transport_ops;

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
	const struct transport_ops *tops;
	void			*tp;
	struct pending_list	 pendings;	/* accepts, in arrival order */
	TAILQ_HEAD(, channel)	 accepting;	/* channels in ACCEPTING */
	TAILQ_ENTRY(listener)	 entry;
};

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
void	 listener_free(struct listener *);
int32_t	 listener_get_property(struct listener *, uint32_t id, uint64_t *u,
	    const char **s, const char **why);
int32_t	 listener_set_property(struct listener *, uint32_t id, uint64_t value,
	    const char **why);
/* A channel created for this listener (WsCreateChannelForListener). */
int32_t	 listener_new_channel(struct listener *, struct session *owner,
	    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
	    struct channel **out, const char **why);

/* Called by transports: the next channel waiting in ACCEPTING, or NULL.
 * The transport then drives that channel's preamble and calls
 * channel_transport_opened() / channel_transport_fault(). */
struct channel *listener_take_accepting(struct listener *);
/* Puts a channel taken by listener_take_accepting back at the head of the
 * queue (its connection failed before the preamble ended): the accept
 * waits for the next peer.  False when the listener cannot take it. */
bool	 listener_requeue(struct listener *, struct channel *);

#endif
