/*
 * Between ipc.c and its backends, one per door of the daemon.  ipc.c keeps
 * the calls (the pending list, waiters, the callback thread, losses, the
 * event queue); a backend owns the wire: it connects, carries requests,
 * and reads answers, handing each back to ipc.c through the upcalls below.
 * ipc.c calls a backend only through its table, so no file calls back
 * into one that calls it.
 *
 * Who reads.  A backend with `lead` works leader/follower on the
 * library's shared connection: a thread that waits for its reply reads
 * the socket itself when nobody else does (one read per wake-up, every
 * frame of it handed over), so a synchronous call costs one write and one
 * read on its own thread; the others wait on their own condition
 * variables.  The connection's library thread reads only while async
 * calls are pending and nobody else reads, and runs their callbacks.
 * Without `lead` (D-Bus; wsctl's own connections) the I/O thread reads.
 */
#ifndef WSCHANNEL_IPC_BACKEND_H
#define WSCHANNEL_IPC_BACKEND_H

#include "ipc.h"

struct ipc_backend {
	const char	*name;
	/*
	 * Connects to `addr` and sets c->be, before the I/O thread starts.
	 * 0, or -errno with *st filled (st->hr for the library).
	 */
	int		(*open)(struct ipc_conn *, const struct ipc_address *,
			    struct ipc_status *);
	/* The I/O thread; ends with ipc_conn_lose, then ipc_conn_unref. */
	void	       *(*io_main)(void *conn);
	/*
	 * Sends a linked call on the caller's thread (a failure shows as a
	 * loss).  NULL: calls are queued for the I/O thread instead, which
	 * takes them with ipc_conn_take once woken.
	 */
	void		(*send)(struct ipc_conn *, struct ipc_call *,
			    Wschannel__Request *);
	/* A call was queued (never allocates).  NULL with `send`. */
	void		(*wake)(struct ipc_conn *);
	/*
	 * Prepares what sending a reservation needs, from `req` (its id is
	 * set); may fail, then a queueing backend builds it at first use.
	 */
	int		(*reserve)(struct ipc_conn *, struct ipc_object *,
			    struct ipc_reserved *, Wschannel__Request *req);
	void		(*unreserve)(struct ipc_conn *, struct ipc_reserved *);
	/* With `send`: sends the reservation (never allocates). */
	void		(*send_reserved)(struct ipc_conn *,
			    struct ipc_reserved *);
	/*
	 * The same, calling first(c, arg) once no other frame can be written
	 * before the reservation's (under the writer's lock, which is never
	 * taken with ipc_lock held): an abort ends its calls there, so that
	 * their threads wake at once and their next requests still follow
	 * the abort.  NULL: send_reserved only.
	 */
	void		(*send_reserved_after)(struct ipc_conn *,
			    struct ipc_reserved *,
			    void (*first)(struct ipc_conn *, void *), void *arg);
	/* Gives the connection up: the I/O thread loses it soon. */
	void		(*shutdown)(struct ipc_conn *);
	/* In a forked child: closes the descriptors, touches nothing else. */
	void		(*forked)(struct ipc_conn *);
	/* After the last reference (the I/O thread may never have run). */
	void		(*free)(struct ipc_conn *);
	/*
	 * Leader/follower (NULL: the I/O thread reads).  `lead` reads what
	 * one wake-up brings, blocking until something comes, and hands
	 * every whole frame over; 0, or -1 once the stream has ended.  One
	 * thread at a time (the leader), without ipc_lock; the library
	 * thread's lead (leader == &io_cond) returns 0 at once when nothing
	 * is there.  `idle` blocks the library thread until the stream ends
	 * or, while `watch` says so, has something to read (1), or `kick`
	 * (0).  `watch` is called with ipc_lock held and wakes nobody.
	 */
	int		(*lead)(struct ipc_conn *);
	int		(*idle)(struct ipc_conn *);
	void		(*watch)(struct ipc_conn *, bool readable);
	void		(*kick)(struct ipc_conn *);
	/*
	 * With `lead_poll` set, `lead` also returns 0 without reading once
	 * `interrupt` is called (before or during its wait): an abort ended
	 * the leader's own call without the daemon (ipc_abort_local).
	 */
	void		(*interrupt)(struct ipc_conn *);
};

extern const struct ipc_backend ipc_unix_backend;
extern const struct ipc_backend ipc_bus_backend;

/* Calls and events waiting for their reader (ipc_lock). */
struct ipc_event {
	Wschannel__Event *ev;
	struct ipc_event *next;
};

struct ipc_conn {
	const struct ipc_backend *ops;
	void		*be;		/* the backend's state */
	int		 refs;		/* ipc_lock */
	bool		 dead;		/* ipc_lock; read atomically */
	bool		 shared;	/* the library's, else wsctl's own */
	uint64_t	 next_id;	/* ipc_lock */
	struct ipc_call	*pending;	/* ipc_lock */
	struct ipc_call	*qhead, *qtail;	/* queued for the I/O thread */
	/* Events (ipc_open's connections only); efd polls readable while
	 * one waits or the stream has ended. */
	int		 efd;
	struct ipc_event *ehead, *etail;
	int		 eerror;	/* the stream's end: -ECONNRESET... */
	char		 why[256];	/* the last failure, in words */
	struct ipc_conn	*all_next;	/* ipc_all, for fork */
	/* Leader/follower (ipc_lock). */
	bool		 leads;		/* callers read their own replies */
	const void	*leader;	/* the thread reading now, or NULL */
	bool		 lead_poll;	/* the leader's call is abortable */
	/* The call whose Reply the leader decodes without the lock: an
	 * abort leaves it to the reader (its memory must stay alive). */
	const struct ipc_call *decoding;
	struct ipc_call	*whead, *wtail;	/* waiters that may take over */
	unsigned	 nasync;	/* async calls past their interim */
	struct ipc_call	*cbhead, *cbtail; /* completions to call back */
	struct ipc_call	*phead;		/* posted calls to release */
	/* Posted calls written and not answered yet, oldest first: quiet
	 * (Request.quiet), so a Reply to a later request confirms them. */
	struct ipc_call	*qhead_posted, *qtail_posted;
	pthread_cond_t	 io_cond;	/* the library thread's */
	bool		 io_waiting;	/* ... waits on io_cond */
	bool		 io_idle;	/* ... is in ops->idle */
	bool		 io_kicked;
	/* Keys of the create requests the daemon accepted (ipc_lock). */
	uint64_t	 creates_known[32];
	unsigned	 creates_next;
	/* Creates written (ipc_lock), and whether the daemon remembers the
	 * last ones so that requests may name their objects by them. */
	uint64_t	 creates_sent;
	bool		 refs_ok;
};

/* ---- upcalls from the backends ------------------------------------------ */

/* The next call queued for the I/O thread, or NULL. */
struct ipc_call *ipc_conn_take(struct ipc_conn *);
/* The daemon made `call` pending (the interim reply). */
void	 ipc_conn_interim(struct ipc_conn *, struct ipc_call *);
/* The terminal result of a call that was taken; `r` (may be NULL) is
 * handed over. */
void	 ipc_conn_complete(struct ipc_conn *, struct ipc_call *, HRESULT,
	    Wschannel__Reply *r, bool has_state, uint32_t state);
/*
 * A Reply frame's payload: decoded into the arena of the call it answers
 * (or with malloc for ipc_request), then handed to that call, interim or
 * terminal.  Without memory only id, hresult and state are kept.  -1 for
 * a payload that is not a Reply, which ends the connection.
 */
int	 ipc_conn_reply_frame(struct ipc_conn *, const uint8_t *buf,
	    size_t len);
/* The library thread of a leader/follower connection: reads while async
 * calls are pending and nobody else does, runs their callbacks, and
 * returns once the connection is lost and every callback has run. */
void	 ipc_conn_serve(struct ipc_conn *);
/* Completes a call whose request could not be sent (out of memory);
 * `send` only. */
void	 ipc_call_unsent(struct ipc_call *, HRESULT);
/* Completes call `id` with `hr` and no reply (a Reply lost to memory). */
void	 ipc_conn_fail_id(struct ipc_conn *, uint64_t id, HRESULT);
/* Whether the connection wants Events (else they are skipped). */
bool	 ipc_conn_wants_events(const struct ipc_conn *);
/* An Event for the reader (handed over), or the end of the stream
 * (`ev` NULL, `error` < 0). */
void	 ipc_conn_event(struct ipc_conn *, Wschannel__Event *ev, int error);
/* Words for the failure of the request being answered, or of the
 * stream (printf-like; the I/O thread's). */
void	 ipc_conn_set_why(struct ipc_conn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The connection is gone: every call still pending completes with
 * WS_E_ENDPOINT_DISCONNECTED, once, and the event stream ends. */
void	 ipc_conn_lose(struct ipc_conn *);

/* A formatted failure into a status; returns st->err. */
int	 ipc_status_set(struct ipc_status *, HRESULT, int err, const char *,
	    ...) __attribute__((format(printf, 4, 5)));

#endif
