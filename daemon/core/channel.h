/* Channels: the WS_CHANNEL objects of every client, owned by the daemon. */
#ifndef WSCHANNEL_CHANNEL_H
#define WSCHANNEL_CHANNEL_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include "props.h"
#include "pending.h"

struct session;
struct listener;
struct transport_ops;
struct event;
struct envelope;

struct channel {
	uint64_t		 id;
	uid_t			 uid;
	pid_t			 pid;
	struct session		*owner;		/* NULL once its session ended */
	uint32_t		 type;		/* WS_CHANNEL_TYPE */
	uint32_t		 binding;	/* WS_CHANNEL_BINDING */
	uint32_t		 state;		/* WS_CHANNEL_STATE */
	int32_t			 state_cause;	/* HRESULT of the last change */
	uint64_t		 props[CHANNEL_PROP_COUNT];
	uint64_t		 create_props[CHANNEL_PROP_COUNT]; /* kept by reset */
	char			*url;		/* opened or accepted on */
	char			 remote[80];	/* "127.0.0.1:4242" */
	bool			 session_shut_down;
	bool			 end_received;
	bool			 reading;	/* between read start and end */
	bool			 writing;	/* between write start and end */
	bool			 dead;		/* freed, memory release pending */
	uint64_t		 listener_id;	/* created for / accepted from */
	struct listener		*accept_on;	/* listener while ACCEPTING */
	TAILQ_ENTRY(channel)	 accept_entry;

	const struct transport_ops *tops;
	void			*tp;		/* transport state */
	struct event		*timer;		/* open / close timeout */

	struct pending_list	 pendings;
	uint64_t		 bytes_in, bytes_out;
	uint64_t		 messages_in, messages_out;

	TAILQ_ENTRY(channel)	 entry;
	TAILQ_ENTRY(channel)	 hash_entry;
};

/* Creation; properties are {id, value} pairs already validated by
 * channel_prop_check(). */
int32_t	 channel_new(struct session *owner, uint32_t type, uint32_t binding,
	    const uint32_t *prop_ids, const uint64_t *prop_vals, size_t nprops,
	    struct channel **out, const char **why);

/* Validates one property for creation (`at_create`) or for
 * WsSetChannelProperty. */
int32_t	 channel_prop_check(uint32_t binding, uint32_t id, uint64_t value,
	    bool at_create, const char **why);

/* The calls.  Long ones take a pending (already allocated by the door) and
 * complete it; all return S_OK when the pending was queued, else the
 * HRESULT to answer with at once (and the pending was not used). */
int32_t	 channel_open(struct channel *, const char *url, struct pending *,
	    const char **why);
int32_t	 channel_send(struct channel *, struct envelope *msg, struct pending *,
	    const char **why);
int32_t	 channel_receive(struct channel *, struct pending *, const char **why);
/* WsReadMessageStart: a receive that leaves the channel mid-read. */
int32_t	 channel_read_start(struct channel *, struct pending *, const char **why);
int32_t	 channel_read_end(struct channel *, const char **why);
int32_t	 channel_write_start(struct channel *, const char **why);
int32_t	 channel_write_end(struct channel *, struct envelope *msg,
	    struct pending *, const char **why);
/* WsAbandonMessage: never blocks, never changes the channel's state. */
int32_t	 channel_abandon(struct channel *, const char **why);
/* WsRequestReply: sends `msg`, then `p` waits for the next message. */
int32_t	 channel_request_reply(struct channel *, struct envelope *msg,
	    struct pending *, const char **why);
int32_t	 channel_shutdown(struct channel *, struct pending *, const char **why);
int32_t	 channel_close(struct channel *, struct pending *);
int32_t	 channel_reset(struct channel *, const char **why);
/* Never fails.  Returns the number of operations cancelled. */
unsigned channel_abort(struct channel *);
/* Aborts, unregisters, and releases the memory later from the loop. */
void	 channel_free(struct channel *);

int32_t	 channel_get_property(struct channel *, uint32_t id, uint64_t *u,
	    const char **s, const char **why);
int32_t	 channel_set_property(struct channel *, uint32_t id, uint64_t value,
	    const char **why);

void	 channel_set_state(struct channel *, uint32_t state, int32_t cause);

/* Called by transports. */
void	 channel_transport_opened(struct channel *);
void	 channel_transport_fault(struct channel *, int32_t hr, const char *why);
void	 channel_transport_closed(struct channel *);
/* The oldest pending receive, or NULL. */
struct pending *channel_pending_receive(struct channel *);

#endif
