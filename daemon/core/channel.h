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
struct transport_binding;
struct event;
struct envelope;

/*
 * The fields are the core's.  Doors read some of them for listings;
 * transports are built with WSCHANNEL_TRANSPORT defined and see none:
 * they use the functions "for transports" below.
 */
#ifndef WSCHANNEL_TRANSPORT
struct channel_ext {
	char			 local[80];	/* our end, when the transport says */
	char			*remote_url;	/* REMOTE_ADDRESS, when not url */
	uint64_t		 dropped;	/* datagrams the transport dropped */
};

struct channel {
	/*
	 * First what a listing reads of every channel, together: a listing
	 * of tens of thousands of channels is a cache miss per line it
	 * touches, so these share the first lines (the registry's `entry`
	 * too, which the walk follows).
	 */
	uint64_t		 id;
	uid_t			 uid;
	pid_t			 pid;
	uint32_t		 type;		/* WS_CHANNEL_TYPE */
	uint32_t		 binding;	/* WS_CHANNEL_BINDING */
	uint32_t		 state;		/* WS_CHANNEL_STATE */
	int32_t			 state_cause;	/* HRESULT of the last change */
	TAILQ_ENTRY(channel)	 entry;
	uint64_t		 listener_id;	/* created for / accepted from */
	char			*url;		/* opened or accepted on */
	/* What only datagram and HTTP transports report: allocated when one
	 * first does, so that a TCP channel does not carry it (memory per
	 * idle channel).  Read it through channel_local/channel_dropped. */
	struct channel_ext	*ext;
	struct pending_list	 pendings;
	uint64_t		 bytes_in, bytes_out;
	uint64_t		 messages_in, messages_out;
	char			 remote[80];	/* "127.0.0.1:4242" */
	/* Where `url` points when it fits (channel_set_url): not a string
	 * of its own somewhere else in the heap for a listing to miss. */
	char			 url_short[48];
	uint64_t		 props[CHANNEL_PROP_COUNT];

	struct session		*owner;		/* NULL once its session ended */
	/* What reset restores of the two the peer may change: only these,
	 * not a second copy of every property (memory per idle channel). */
	uint64_t		 create_encoding, create_envelope;
	uint64_t		 props_given;	/* bit per id the caller set */
	bool			 session_shut_down;
	bool			 end_received;
	bool			 reading;	/* between read start and end */
	bool			 writing;	/* between write start and end */
	bool			 dead;		/* freed, memory release pending */
	struct listener		*accept_on;	/* listener while ACCEPTING */
	TAILQ_ENTRY(channel)	 accept_entry;

	const struct transport_binding *tb;	/* its binding's rules */
	void			*tp;		/* transport state */
	struct event		*timer;		/* open / close timeout */

	TAILQ_ENTRY(channel)	 hash_entry;
};
#endif

/* Our own address as a transport reported it ("" when none did), and the
 * datagrams it dropped; for listings. */
const char *channel_local(const struct channel *);
uint64_t channel_dropped(const struct channel *);

/* Sets `url` (a copy; NULL clears it); -1 when out of memory (it is then
 * cleared). */
int	 channel_set_url(struct channel *, const char *url);

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
/* WsReadMessageStart of the message the channel's accept already handed
 * to the client: only marks the channel mid-read. */
int32_t	 channel_read_kept(struct channel *, const char **why);
/* read_body_more: the next raw piece of a streamed body being read. */
int32_t	 channel_read_more(struct channel *, struct pending *,
	    const char **why);
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
/* Aborts, unregisters, and releases the memory later from the loop (so
 * that callbacks of the channel on the stack stay safe).  NULL: no-op. */
void	 channel_free(struct channel *);

int32_t	 channel_get_property(struct channel *, uint32_t id, uint64_t *u,
	    const char **s, const char **why);
int32_t	 channel_set_property(struct channel *, uint32_t id, uint64_t value,
	    const char **why);

void	 channel_set_state(struct channel *, uint32_t state, int32_t cause);

/*
 * For transports.  Each may be called from the transport's callbacks on
 * the loop while the transport holds state for the channel (between its
 * open, or listener_transport_incoming(), and its abort or
 * channel_transport_closed()), unless said otherwise.
 */

/* Its id, for logs.  Any time. */
uint64_t channel_id(const struct channel *);
/* The value of an integer-like WS_CHANNEL_PROPERTY_* id (0 for others).
 * Any time. */
uint64_t channel_prop_value(const struct channel *, uint32_t id);
/* A timeout property (WS_CHANNEL_PROPERTY_*_TIMEOUT) in ms as it applies
 * now: 0xffffffff (INFINITE) when ENABLE_TIMEOUTS is FALSE and the caller
 * did not set this one.  Any time. */
uint64_t channel_timeout(const struct channel *, uint32_t id);
/* The URL it was opened on, or for an accepted one the listener's URL
 * until channel_transport_adopt() gives the peer's Via.  Any time. */
const char *channel_url(const struct channel *);
/* The transport's state for the channel, NULL when it holds none.  The
 * core clears it when it calls abort, in channel_transport_closed() and
 * in listener_transport_requeue(). */
void	*channel_tp(const struct channel *);
void	 channel_set_tp(struct channel *, void *tp);
/* Is a receive waiting for a message? */
bool	 channel_transport_receiving(const struct channel *);
/* Is a send (or the End record of a shutdown) waiting to leave? */
bool	 channel_transport_sending(const struct channel *);

/* The connection is up (client: the peer acked; accepted: the peer's
 * preamble ended): the channel becomes OPEN and its open or accept
 * completes; want_receive follows if a receive already waits. */
void	 channel_transport_opened(struct channel *);
/* A message arrived: the oldest waiting receive completes with it (and
 * takes its contents: *msg is zeroed).  Only while one waits. */
void	 channel_transport_message(struct channel *, struct envelope *msg);
/* The peer ended the session: every waiting receive, and each later one,
 * completes with WS_S_END. */
void	 channel_transport_end(struct channel *);
/* The oldest waiting send has left. */
void	 channel_transport_sent(struct channel *);
/* Every waiting send has left (the output queue is empty). */
void	 channel_transport_drained(struct channel *);
/* The transport failed: the channel tears down (FAULTED, or CLOSED while
 * closing) with `hr`, abort runs, every operation ends.  `why` is a
 * static string. */
void	 channel_transport_fault(struct channel *, int32_t hr, const char *why);
/* The graceful close asked by close() finished; the transport has freed
 * its state.  The channel becomes CLOSED and its close completes. */
void	 channel_transport_closed(struct channel *);
/* The peer's address, "127.0.0.1:4242" or "[::1]:4242"; NULL clears. */
void	 channel_transport_peer(struct channel *, const char *peer);
/* Accepted side, before channel_transport_opened(): the channel takes the
 * URL the peer addressed (`via`, NULL keeps the listener's) and the
 * encoding and envelope version the peer announced.  S_OK,
 * E_OUTOFMEMORY, or WS_E_NOT_SUPPORTED when the binding does not allow
 * that encoding (nothing changed then). */
int32_t	 channel_transport_adopt(struct channel *, const char *via,
	    uint32_t encoding, uint32_t envelope_version);
/* Our own address, "0.0.0.0:3702"; shown by wsctl.  NULL clears. */
void	 channel_transport_local(struct channel *, const char *local);
/* The REMOTE_ADDRESS the channel reports (while OPEN) when it is not the
 * URL it was opened on, e.g. the source of an accepted datagram.  S_OK or
 * E_OUTOFMEMORY (nothing changed then). */
int32_t	 channel_transport_remote_url(struct channel *, const char *url);
/* HTTP_CONNECTION_ID of an accepted HTTP channel: its connection. */
void	 channel_transport_connection_id(struct channel *, uint64_t id);
/* Counts `n` incoming datagrams (or requests) the transport dropped as
 * malformed, oversized or over its queue (wsctl show, GetStatistics). */
void	 channel_transport_dropped(struct channel *, uint64_t n);
/* What the waiting reads want of a streamed-input transport: nothing,
 * the start of a body in raw pieces (a read start whose door takes them),
 * a whole message (any other receive), or the next raw piece. */
enum channel_stream_want {
	CHANNEL_STREAM_NONE,
	CHANNEL_STREAM_START,
	CHANNEL_STREAM_WHOLE,
	CHANNEL_STREAM_MORE,
};
enum channel_stream_want channel_transport_stream_want(const struct channel *);
/* Raw bytes of a streamed body, msg->more_body set while more may
 * follow: they answer the read_body_more that waits, else the read start
 * (the channel is then mid-read).  Takes the contents (*msg zeroed).
 * Only while channel_transport_stream_want() is START or MORE. */
void	 channel_transport_stream(struct channel *, struct envelope *msg);
/* Adds to the byte counters wsctl shows; any time. */
void	 channel_transport_count(struct channel *, uint64_t bytes_in,
	    uint64_t bytes_out);

#endif
