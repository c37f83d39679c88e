/*
 * The one dispatcher of both doors.  A door decodes its input (a protobuf
 * Request frame, a D-Bus method call) into a struct request and hands it
 * to request_run(), which checks it once (ownership, arguments, quota),
 * calls the core once and answers through the door's request_door.done:
 * the door only turns the typed result into its own reply.  Anything one
 * door can do, the other can, because there is only this implementation.
 */
#ifndef WSCHANNEL_REQUEST_H
#define WSCHANNEL_REQUEST_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "registry.h"

#define REQUEST_MAX_PROPS	64

struct channel;
struct listener;
struct request;

/* Re-reads the configuration (Reload): 0, or -errno and a reason. */
typedef int (*request_reload_fn)(char *why, size_t len);

enum request_op {
	REQUEST_UNKNOWN = 0,		/* the door could not tell: refused */
	/* channels; arg.object names the channel */
	REQUEST_CREATE_CHANNEL,		/* type, binding, props */
	REQUEST_OPEN_CHANNEL,		/* url; long */
	REQUEST_CLOSE_CHANNEL,		/* long */
	REQUEST_ABORT_CHANNEL,
	REQUEST_RESET_CHANNEL,
	REQUEST_FREE_CHANNEL,
	REQUEST_SEND,			/* msg; long */
	REQUEST_RECEIVE,		/* long; res.msg */
	REQUEST_REQUEST_REPLY,		/* msg; long; res.msg */
	REQUEST_READ_START,		/* long; res.msg */
	REQUEST_READ_END,
	REQUEST_WRITE_START,
	REQUEST_WRITE_END,		/* msg; long */
	REQUEST_ABANDON,
	REQUEST_SHUTDOWN,		/* long */
	REQUEST_GET_CHANNEL_PROPERTY,	/* prop_id; res.prop_u or prop_s */
	REQUEST_SET_CHANNEL_PROPERTY,	/* prop_id, prop_value */
	REQUEST_SHOW_CHANNEL,		/* res.channel */
	/* listeners; arg.object names the listener */
	REQUEST_CREATE_LISTENER,	/* type, binding, props */
	REQUEST_OPEN_LISTENER,		/* url */
	REQUEST_ACCEPT,			/* arg.channel; long */
	REQUEST_CLOSE_LISTENER,
	REQUEST_ABORT_LISTENER,
	REQUEST_RESET_LISTENER,
	REQUEST_FREE_LISTENER,
	REQUEST_GET_LISTENER_PROPERTY,
	REQUEST_SET_LISTENER_PROPERTY,
	REQUEST_CREATE_CHANNEL_FOR_LISTENER, /* props */
	/* the manager */
	REQUEST_LIST,			/* list_channels, list_listeners */
	REQUEST_ABORT_CHANNELS,		/* ids, or by_pid, or all */
	REQUEST_WATCH,			/* state events to this client */
	REQUEST_ENABLE_INTERIM,		/* every long call: the interim */
	REQUEST_RELOAD,
	REQUEST_STATISTICS,
	/* channels, again */
	REQUEST_READ_MORE,		/* long; res.msg, res.raw */
};

enum request_door_kind {
	REQUEST_DOOR_UNIX,
	REQUEST_DOOR_BUS,
};

/*
 * What a door gives the dispatcher.  `done` is called exactly once per
 * request run, maybe from inside request_run(), maybe much later from a
 * completion; the request is freed when it returns.  `interim` is called
 * (before `done`) when a long call that wants it passed its checks and is
 * pending.  `event` is the per-client state event callback REQUEST_WATCH
 * subscribes (arg: the request_client), NULL when the door publishes
 * events to every client itself.
 */
struct request_door {
	const char		*name;		/* "the Unix socket", in logs */
	enum request_door_kind	 kind;
	void			(*done)(struct request *);
	void			(*interim)(struct request *);
	registry_watch_fn	 event;
	unsigned		(*clients)(void);	/* for STATISTICS */
	request_reload_fn	 reload;	/* NULL: nothing to reload */
};

/* One client of a door: a Unix connection or a bus peer.  Embedded in
 * the door's own struct. */
struct request_client {
	struct session		 sess;
	struct request_door	*door;
	void			*watch;		/* REQUEST_WATCH subscription */
	bool			 interim;	/* REQUEST_ENABLE_INTERIM */
};

/* One line of REQUEST_ABORT_CHANNELS. */
struct request_abort {
	uint64_t		 id;
	int32_t			 hr;		/* S_OK, or why not aborted */
	uint32_t		 state;		/* when hr is S_OK */
	unsigned		 cancelled;	/* when hr is S_OK */
};

struct request_stats {
	unsigned		 channels, listeners, pending;
	unsigned		 unix_clients, bus_peers;
	uint64_t		 uptime_usec;
	const char		*version;
	uint64_t		 datagrams_dropped;
};

struct request {
	enum request_op		 op;
	struct request_client	*client;
	void			*ctx;		/* the door's: where to reply */
	uint64_t		 tag;		/* the door's: the caller's id */
	bool			 async;		/* this call wants the interim */
	/* ACCEPT: the reply carries the channel's first message when the
	 * transport holds it already (res.first); READ_START: the client
	 * reads the message its accept carried (only mark the channel). */
	bool			 want_message;
	bool			 read_kept;
	/* Request.quiet: no Reply unless it fails (Unix door). */
	bool			 quiet;
	/* Request.unawaited: its Reply may wait for the next (Unix door). */
	bool			 unawaited;

	/* Arguments.  Strings and `ids` are borrowed: they must outlive
	 * request_run(), not the request. */
	struct {
		uint64_t	 object;	/* the channel or listener */
		uint64_t	 channel;	/* ACCEPT: the channel */
		uint32_t	 type, binding;	/* CREATE_CHANNEL/LISTENER */
		const char	*url;		/* OPEN_* */
		uint32_t	 prop_id;	/* GET/SET_*_PROPERTY */
		uint64_t	 prop_value;	/* SET_*_PROPERTY */
		uint32_t	 prop_ids[REQUEST_MAX_PROPS];	/* CREATE_* */
		uint64_t	 prop_vals[REQUEST_MAX_PROPS];
		size_t		 nprops;
		struct envelope	 msg;		/* SEND, WRITE_END, REQUEST_REPLY;
						 * owned, cleared with the request */
		const uint64_t	*ids;		/* ABORT_CHANNELS by ids */
		size_t		 nids;
		bool		 by_pid;	/* ABORT_CHANNELS by pid */
		uint32_t	 pid;
		bool		 all;		/* ABORT_CHANNELS, all visible */
		bool		 list_channels;	/* LIST */
		bool		 list_listeners;
		int32_t		 hr;		/* request_bad_arg() */
		const char	*why;
	} arg;

	/* The result, valid in `done`. */
	struct {
		int32_t		 hr;
		const char	*why;		/* may be NULL */
		bool		 has_state;	/* `state` is the named object's */
		uint32_t	 state;		/* after the call; for long calls
						 * the channel's even without
						 * has_state (CLOSED when gone) */
		uint64_t	 created;	/* CREATE_* */
		uint64_t	 prop_u;	/* GET_*_PROPERTY: a number, */
		const char	*prop_s;	/* ... or a string */
		const struct envelope *msg;	/* received; NULL for none */
		/* msg is raw bytes of a streamed body; msg->more_body says
		 * whether more follow (READ_START, READ_MORE). */
		bool		 raw;
		unsigned	 cancelled;	/* ABORT_CHANNEL/LISTENER */
		struct request_abort *aborts;	/* ABORT_CHANNELS */
		size_t		 naborts;
		struct channel	**channels;	/* LIST: those the client sees */
		size_t		 nchannels;
		struct listener	**listeners;
		size_t		 nlisteners;
		struct channel	*channel;	/* SHOW_CHANNEL */
		struct request_stats stats;	/* STATISTICS */
		char		 whybuf[256];
		struct envelope	 first;		/* ACCEPT with want_message */
		bool		 taken;		/* ... its receive completed */
	} res;

	/* The dispatcher's own: whether `done` ran, and whether request_run
	 * is still on the stack (a completion may come from inside it). */
	bool			 running;
	bool			 answered;
};

/* The doors register when they start serving and leave when they stop;
 * STATISTICS counts the clients of each and the uptime of the first. */
void	 request_door_add(struct request_door *);
void	 request_door_remove(struct request_door *);
/* Frees the requests kept for reuse (at exit). */
void	 request_cache_drop(void);

void	 request_client_init(struct request_client *, struct request_door *,
	    uid_t, pid_t, gid_t);
/* The client went away: its watch ends, its pending calls are answered
 * (WS_E_OPERATION_ABORTED) and what it owns is aborted and freed. */
void	 request_client_end(struct request_client *);

/* A zeroed request of `client` for `op`, or NULL (out of memory). */
struct request *request_new(struct request_client *, enum request_op);
/* Frees a request that was never run (the door gave up decoding it). */
void	 request_free(struct request *);
/* The door found the arguments unacceptable: answered with `hr` after
 * the ownership checks.  The first reason wins. */
void	 request_bad_arg(struct request *, int32_t hr, const char *why);
/* Appends a property for CREATE_*; E_INVALIDARG past REQUEST_MAX_PROPS. */
int32_t	 request_add_prop(struct request *, uint32_t id, uint64_t value);
/* Checks, calls the core and answers (door->done), now or later.  Takes
 * the request. */
void	 request_run(struct request *);

/* How many accepts wait on a listener (for listings). */
unsigned request_listener_accepts(const struct listener *);

#endif
