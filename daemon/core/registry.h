/*
 * The registry: every channel and listener by id, the sessions (door
 * connections) that own them, ownership checks, and the state-change
 * subscribers (wsctl watch, D-Bus signals).
 */
#ifndef WSCHANNEL_REGISTRY_H
#define WSCHANNEL_REGISTRY_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include "pending.h"

struct event;
struct event_base;
struct evdns_base;
struct channel;
struct listener;

/* One client of a door: a Unix-socket connection or a D-Bus peer. */
struct session {
	uid_t			 uid;
	pid_t			 pid;
	gid_t			 gid;
	struct pending_list	 pendings;	/* operations it asked for */
	/* Channels and listeners it owns: a session that owns none (wsctl,
	 * a watcher) ends without a walk over every object there is. */
	size_t			 owned;
	TAILQ_ENTRY(session)	 entry;
};

enum state_event_kind {
	STATE_EVENT_CHANGED,	/* old_state -> new_state */
	STATE_EVENT_ADDED,	/* object created (new_state is its state) */
	STATE_EVENT_REMOVED,	/* object freed */
};

/* A state change (or the birth or death of an object), as subscribers see it. */
struct state_event {
	enum state_event_kind kind;
	uint64_t	 object;
	bool		 is_listener;
	uint32_t	 old_state, new_state;
	int32_t		 cause;		/* HRESULT, S_OK when none */
	uid_t		 owner_uid;
	pid_t		 owner_pid;
	uint64_t	 seq;
	const char	*remote;	/* may be NULL */
};

typedef void (*registry_watch_fn)(const struct state_event *, void *arg);

struct registry_stats {
	unsigned	channels, listeners, pending;
	uint64_t	dropped;	/* datagrams dropped by transports */
};

int		 registry_init(struct event_base *);
void		 registry_shutdown(void);	/* abort and free everything */
struct event_base *registry_base(void);
struct evdns_base *registry_dns(void);
/*
 * Work made runnable within this loop pass (event_active), for instance
 * the other end of a loopback connection that both live here.  The end of
 * the pass (below) goes behind it, so that what it sets off is answered
 * in the same pass.
 */
void		 registry_activate(struct event *, short what);

/*
 * The end of a loop pass, after all its work (what registry_activate made
 * runnable included), in a fixed order: the doors write their replies,
 * then the log lines about the requests they answered, then connections
 * torn down in the pass are reset, so that a peer never sees its reset
 * before the client sees the answer.  registry_pass_end asks for `fn` at
 * that point, once however often asked; false when there is no loop to
 * run it (the caller does it at once).
 */
enum registry_phase {
	REGISTRY_PASS_REPLIES,
	REGISTRY_PASS_LOG,
	REGISTRY_PASS_RESETS,
	REGISTRY_PASS_PHASES
};
bool		 registry_pass_end(enum registry_phase, void (*fn)(void));
/* At exit, after the owners of the phases wrote what they held. */
void		 registry_pass_free(void);

/* Admin group (besides root) that may act on any object; -1 for none. */
void		 registry_set_admin_gid(gid_t);

void		 registry_session_init(struct session *, uid_t, pid_t, gid_t);
/* Cancels the session's pending work, aborts and frees what it owns. */
void		 registry_session_end(struct session *);
bool		 registry_is_admin(const struct session *);
/* May `s` see and act on an object owned by `owner_uid`? */
bool		 registry_may_access(const struct session *, uid_t owner_uid);

uint64_t	 registry_next_id(void);
/*
 * How the registry aborts and frees the objects it holds without calling
 * their files by name (STYLE.md 16): channel.c and listener.c pass theirs
 * when they register an object, so no circle of calls forms.
 */
struct registry_kind {
	unsigned	(*abort)(void *obj);
	void		(*free)(void *obj);
};

void		 registry_add_channel(struct channel *, const struct registry_kind *);
void		 registry_remove_channel(struct channel *);
void		 registry_add_listener(struct listener *, const struct registry_kind *);
void		 registry_remove_listener(struct listener *);
struct channel	*registry_channel(uint64_t id);
struct listener	*registry_listener(uint64_t id);

/*
 * Looks up a channel for a session: E_INVALIDARG when there is no such id,
 * E_ACCESSDENIED when it belongs to someone else, else S_OK and *out.
 */
int32_t		 registry_lookup_channel(const struct session *, uint64_t id,
		    struct channel **out);
int32_t		 registry_lookup_listener(const struct session *, uint64_t id,
		    struct listener **out);

/* Iteration in id order. */
struct channel	*registry_first_channel(void);
struct channel	*registry_next_channel(struct channel *);
/* How many channels and listeners there are, without a walk. */
size_t		 registry_nchannels(void);
size_t		 registry_nlisteners(void);
struct listener	*registry_first_listener(void);
struct listener	*registry_next_listener(struct listener *);

void		*registry_watch_add(registry_watch_fn, void *arg);
void		 registry_watch_remove(void *handle);
void		 registry_notify(struct state_event *);

void		 registry_stats(struct registry_stats *);
/* Counts incoming datagrams a transport dropped, daemon-wide. */
void		 registry_count_dropped(uint64_t n);

/* The admin group set by registry_set_admin_gid, (gid_t)-1 for none. */
gid_t		 registry_admin_gid(void);
/* Aborts every channel and listener (shutdown: every pending operation of
 * every client completes with WS_E_OPERATION_ABORTED); frees nothing. */
void		 registry_abort_all(void);

/* Per-user object limits (0: none); administrators are exempt. */
struct registry_limits {
	unsigned	channels_per_user;
	unsigned	listeners_per_user;
};
void		 registry_set_limits(const struct registry_limits *);
/* S_OK, or WS_E_QUOTA_EXCEEDED (and *why) when the user of `s` already
 * owns its maximum of channels (or listeners).  Doors call it before
 * channel_new / listener_new / listener_new_channel. */
int32_t		 registry_check_quota(const struct session *, bool listener,
		    const char **why);

#endif
