/*
 * The one wire client of the project, used by the library and by wsctl:
 * connections to wschanneld, each with an I/O thread that matches Replies
 * to waiting calls, a callback thread that completes asynchronous calls,
 * live handles, and the objects' reservations.  How a request reaches the
 * daemon is a backend's business (backend.h): protobuf frames over the
 * Unix socket (unix.c) or method calls on the D-Bus door (bus.c).
 */
#ifndef WSCHANNEL_IPC_H
#define WSCHANNEL_IPC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wschannel/webservices.h"
#include "wschannel.pb-c.h"

struct ipc_conn;
struct ipc_call;
struct ipc_kept;

#define IPC_STATE_UNKNOWN	UINT32_MAX

enum ipc_kind {
	IPC_CHANNEL = 1,
	IPC_LISTENER,
};

/*
 * A request encoded when its object is created, so that sending it needs
 * no memory: WsAbortChannel's (every object) and WsAbandonMessage's
 * (channels).  Concurrent users of one reservation take turns on `lock`.
 * On the Unix socket it is a frame; over D-Bus a method call message that
 * is built at creation and sent again each time (see bus.c).
 */
#define IPC_RESERVED_FRAME_MAX	64

struct ipc_reserved {
	pthread_mutex_t	  lock;
	uint64_t	  req;		/* the request id, reused every time */
	size_t		  len;		/* 0: not reserved */
	uint8_t		  frame[IPC_RESERVED_FRAME_MAX];
	/* D-Bus: the sd_bus_message, touched under the bus lock only;
	 * "Abort" or "AbandonMessage" on `path`. */
	void		 *msg;
	const char	 *member;
};

/*
 * The client side of a daemon object (channel or listener).  Handles embed
 * it as their first member.  It lives while the handle does or a call on it
 * is in flight, whichever is longer.
 */
struct ipc_object {
	uint32_t	  magic;	/* cleared when the handle is freed */
	int		  refs;		/* the handle + calls in flight (atomic) */
	enum ipc_kind	  kind;
	struct ipc_conn	 *conn;		/* the connection the object lives on */
	uint64_t	  id;		/* the daemon's id */
	uint32_t	  stale_state;	/* state shown once conn is lost (atomic) */
	/* The state the last reply about the object gave, IPC_STATE_UNKNOWN
	 * when the last one gave none or an abort is under way (atomic). */
	uint32_t	  known_state;
	/* A create sent without waiting (ipc_object_create): `id` and the
	 * reservations come with its reply, which ipc_object_settle awaits;
	 * `create_hr` is its failure, after which the object is stale. */
	struct ipc_call	 *create;
	HRESULT		  create_hr;
	pthread_mutex_t	  settle_lock;
	/* Whatever WsAbortChannel and WsAbandonMessage need, reserved at
	 * creation. */
	struct ipc_reserved abort;
	struct ipc_reserved abandon;	/* channels only */
	void		(*destroy)(struct ipc_object *);
	/*
	 * The server loop in two round trips (ipc_loop.c).  `kept`: the
	 * first message an accept brought (atomic pointer), for the first
	 * receive.  `lflags`: IPC_OBJ_* (atomic).  `nposted`: requests of
	 * ipc_object_post still in flight (atomic).  `deferred_hr`: a
	 * posted request wschanneld refused (atomic), and `deferred_api`
	 * the call that posted it.
	 */
	struct ipc_kept	 *kept;
	uint32_t	  lflags;
	int		  nposted;
	HRESULT		  deferred_hr;
	const char	 *deferred_api;
};

/* ipc_object.lflags: what the library knows of a channel's exchange. */
#define IPC_OBJ_ACCEPTED	0x1	/* accepted from a UDP or HTTP REPLY
					 * listener, with want_message */
#define IPC_OBJ_REPLIED		0x2	/* a send completed since the accept */

/*
 * Where a call's Reply is decoded: a bump allocator that starts inside the
 * call (enough for every small Reply, an abort's included, so reading one
 * needs no malloc) and goes on in chunks; all of it is released at once
 * with the Reply.
 */
#define IPC_ARENA_INLINE	768

struct ipc_arena_chunk;

struct ipc_arena {
	size_t		  used;
	bool		  failed;	/* an allocation failed */
	bool		  chunks_only;	/* not `mem`: the chunks are handed out */
	unsigned	  nchunks;	/* each twice the last, up to a MiB */
	struct ipc_arena_chunk *chunks;
	_Alignas(16) uint8_t mem[IPC_ARENA_INLINE];
};

/*
 * One request in flight and its completion.  Sync calls keep it on the
 * caller's stack; async calls allocate it (ipc_call_new) because it outlives
 * the call.  Operations embed it as their first member.
 */
struct ipc_call {
	/* Owned by ipc.c. */
	struct ipc_call	 *next, *prev;	/* conn's pending list, callback queue */
	uint64_t	  id;
	/* A create: the connection's creates_sent once it was written. */
	uint64_t	  create_seq;
	pthread_cond_t	  cond;
	bool		  async;
	/* An async I/O call that may return WS_S_ASYNC as soon as it is
	 * written, when its channel is known OPEN (ipc_call_send). */
	bool		  pipeline;
	bool		  interim;	/* the daemon said WS_S_ASYNC */
	bool		  done;		/* the terminal reply (or loss) arrived */
	bool		  linked;
	bool		  allocated;
	/* Its request names an operation the daemon may hold pending on a
	 * channel (or a listener's accept), and it was written whole: an
	 * abort through this connection ends it at once. */
	bool		  abortable;
	bool		  waits_peer;	/* ...and it waits on a peer */
	bool		  written;
	/* Posted (ipc_object_post): nobody waits; the reader releases it
	 * and a failure marks its object (deferred_hr). */
	bool		  posted;
	/* A create written Request.unawaited: its Reply may be held back
	 * by the daemon until another one goes out (ipc_create_nudge). */
	bool		  unawaited;
	struct ipc_call	 *pnext;	/* posted, not answered: conn's list */
	int		  refs;		/* async: the caller and the completion */
	/* The result, filled by the I/O thread. */
	HRESULT		  hr;
	bool		  has_state;
	uint32_t	  state;
	Wschannel__Reply *reply;	/* NULL after a loss or an emergency decode */
	bool		  reply_arena;	/* `reply` lives in `arena` */
	struct ipc_arena  arena;
	/* Leader/follower: the waiters that may take over reading. */
	struct ipc_call	 *wnext, *wprev;
	bool		  waiting;
	/* Filled by the caller before ipc_call_run. */
	struct ipc_conn	 *conn;
	struct ipc_object *obj;		/* referenced for the call's duration */
	struct ipc_object *obj2;
	WS_ERROR	 *error;
	const char	 *api;		/* "WsOpenChannel", for error strings */
	WS_ASYNC_CALLBACK callback;
	void		 *callback_state;
	/* Turns the result into the call's HRESULT; runs on the thread that
	 * gets the result (the caller, or the callback thread). */
	HRESULT		(*finish)(struct ipc_call *, HRESULT);
	/* Releases what the operation owns; called last. */
	void		(*cleanup)(struct ipc_call *);
	/* ipc_request_frame's: sees a Reply frame's bytes before they are
	 * decoded, and says how many of them to decode. */
	size_t		(*frame_fn)(void *, const uint8_t *, size_t);
	void		 *frame_arg;
	/*
	 * The D-Bus backend.  `req` is the caller's request, read by the
	 * I/O thread until it is sent (the caller waits at least that long);
	 * `reserved` names a reservation to send instead.  The rest is the
	 * I/O thread's: its queue links, the serial it was sent with, and
	 * what the reply's translation needs of the request.
	 */
	const Wschannel__Request *req;
	struct ipc_reserved *reserved;
	struct ipc_call	 *qnext, *qprev;
	uint64_t	  cookie;
	int		  op;		/* Wschannel__Request__OpCase */
	uint64_t	  op_obj;
	uint32_t	  op_prop;
};

/*
 * The handles that are alive (channels, listeners, messages, heaps,
 * errors): a call on a freed handle is refused without reading the freed
 * memory.  Added when a handle is allocated, removed just before its
 * memory is freed.  ipc_handle_add fails only for lack of memory;
 * ipc_handle_live never allocates.
 */
int	 ipc_handle_add(const void *);
void	 ipc_handle_del(const void *);
bool	 ipc_handle_live(const void *);
/* ipc.c's fork handlers: the set is locked across fork. */
void	 ipc_handle_atfork_prepare(void);
void	 ipc_handle_atfork_parent(void);
void	 ipc_handle_atfork_child(void);

/* The connection for a new object, opened if needed (one reference). */
HRESULT	 ipc_connect(struct ipc_conn **, WS_ERROR *);
void	 ipc_conn_ref(struct ipc_conn *);
void	 ipc_conn_unref(struct ipc_conn *);
bool	 ipc_conn_lost(const struct ipc_conn *);

/*
 * Returns `stack` zeroed for a sync call, or a new zeroed allocation of
 * `size` bytes for an async one (NULL when out of memory).
 */
void	*ipc_call_new(void *stack, size_t size, const WS_ASYNC_CONTEXT *);
/*
 * Sends `req` and completes the call: the terminal HRESULT, or WS_S_ASYNC
 * when the daemon made it pending (the callback then gets the result).
 * Consumes the call (and the references of obj/obj2) in every case.
 */
HRESULT	 ipc_call_run(struct ipc_call *, Wschannel__Request *);

/* Objects. */
void	 ipc_object_init(struct ipc_object *, enum ipc_kind, uint32_t magic,
	    void (*destroy)(struct ipc_object *));
/* Binds a created object to its daemon id and reserves its abort (and a
 * channel's abandon). */
int	 ipc_object_bind(struct ipc_object *, struct ipc_conn *, uint64_t id);
/*
 * Creates the daemon side of an initialized object with `req` (a
 * CreateChannel, CreateChannelForListener or CreateListener) on `c`,
 * whose reference the object takes on success.  When this connection's daemon already
 * accepted the very same request (same type, binding, listener and
 * properties: its checks depend on nothing else), the request is only
 * written and S_OK returned at once; the object is bound when its reply
 * arrives, which the next call on it awaits (ipc_object_settle).
 */
HRESULT	 ipc_object_create(struct ipc_object *, struct ipc_conn *c,
	    Wschannel__Request *req, WS_ERROR *, const char *api);
/* Waits for a pipelined create's reply and binds the object (or records
 * its failure); at once when there is none.  Every use of o->id first. */
void	 ipc_object_settle(struct ipc_object *);
/* The same, except that a create still in flight on a connection whose
 * daemon keeps creates (Reply.creates_kept) is not awaited: o->id names
 * the object by its create's request id, which the daemon resolves. */
void	 ipc_object_settle_soon(struct ipc_object *);
/* A pipelined create the daemon refused: its HRESULT, else S_OK. */
HRESULT	 ipc_object_create_failed(const struct ipc_object *);
bool	 ipc_object_valid(const struct ipc_object *, uint32_t magic);
void	 ipc_object_ref(struct ipc_object *);
void	 ipc_object_unref(struct ipc_object *);
bool	 ipc_object_stale(const struct ipc_object *);
uint32_t ipc_object_stale_state(const struct ipc_object *);
void	 ipc_object_set_stale_state(struct ipc_object *, uint32_t);
/* A call on `o` whose result is just an HRESULT; consumes a reference. */
HRESULT	 ipc_object_call(struct ipc_object *, Wschannel__Request *,
	    const WS_ASYNC_CONTEXT *, WS_ERROR *, const char *);
/* Aborts through the reservation: never allocates memory. */
HRESULT	 ipc_object_abort(struct ipc_object *, WS_ERROR *, const char *api);
/*
 * Sends the channel's reserved abandon_message and returns the daemon's
 * HRESULT without adding error strings (the caller interprets it); S_OK
 * when the connection is gone (nothing is being read or written any more).
 * Never allocates memory.
 */
HRESULT	 ipc_object_abandon(struct ipc_object *, uint32_t *state);
/* Aborts then frees the daemon object; for Ws*Free (errors are dropped). */
void	 ipc_object_release(struct ipc_object *);

/* ---- the server loop in two round trips (ipc_loop.c) -------------------- */

/*
 * Completes `call` at once with `hr` and the Reply `r` (borrowed, may be
 * NULL) as if wschanneld had answered, without sending anything: its
 * finish runs on this thread, and no callback runs even for an async
 * call (a result already known is returned directly).  Consumes the call
 * like ipc_call_run.
 */
HRESULT	 ipc_call_local(struct ipc_call *, HRESULT hr, Wschannel__Reply *r);
/*
 * Sends `req` (an operation on `o`) without waiting for its Reply, when
 * the connection's door allows (the Unix socket): `o`'s known state
 * becomes `state`, the Reply is read and dropped by whichever thread
 * reads next, and a failure in it marks `o` (ipc_object_deferred_take).
 * Requests on one connection are handled in order, so a later call sees
 * its effect.  S_OK, or S_FALSE when it cannot be posted (D-Bus, lost
 * connection, no memory): nothing was sent then.
 */
HRESULT	 ipc_object_post(struct ipc_object *, Wschannel__Request *,
	    uint32_t state, const char *api);
/* The state the last Reply (or post) gave, IPC_STATE_UNKNOWN if none. */
uint32_t ipc_object_known_state(const struct ipc_object *);
/* No call on `o` in flight but the caller's own (whose reference it
 * holds) and posted ones. */
bool	 ipc_object_idle(const struct ipc_object *);
/* A posted request of `o` that wschanneld refused: its HRESULT (once;
 * the mark is cleared) and the API that posted it; S_OK when none. */
HRESULT	 ipc_object_deferred_take(struct ipc_object *, const char **api);
bool	 ipc_object_deferred(const struct ipc_object *);
/* Keeps the message an accept brought (a copy); 0 or -ENOMEM. */
int	 ipc_object_keep(struct ipc_object *, const Wschannel__Envelope *);
/* Takes the kept message: S_OK and *out (free it with
 * wschannel__envelope__free_unpacked), S_FALSE when none is kept, or
 * E_OUTOFMEMORY (it is lost then). */
HRESULT	 ipc_object_take_kept(struct ipc_object *, Wschannel__Envelope **out);
bool	 ipc_object_has_kept(const struct ipc_object *);
void	 ipc_object_drop_kept(struct ipc_object *);
void	 ipc_object_set_flags(struct ipc_object *, uint32_t set,
	    uint32_t clear);
uint32_t ipc_object_flags(const struct ipc_object *);

/*
 * What went wrong opening a connection, for whoever reports it: the
 * library turns it into a WS_ERROR, wsctl into a line on stderr.
 */
struct ipc_status {
	HRESULT		  hr;
	int		  err;		/* the same as -errno */
	char		  why[384];	/* a sentence, "" when none */
};

/*
 * How ipc fills a WS_ERROR without knowing what one is: the library
 * (client/lib/ws_error.c) hands these over when it creates its first
 * WS_ERROR, which is before any call can be given one.  Both must accept
 * NULL and stale handles.
 */
struct ipc_error_sink {
	void		(*add)(WS_ERROR *, const char *utf8);
	void		(*set_code)(WS_ERROR *, HRESULT);
};
void	 ipc_error_sink_set(const struct ipc_error_sink *);

/* ---- addresses ---------------------------------------------------------- */

enum ipc_door {
	IPC_DOOR_UNIX,		/* the control socket, protobuf frames */
	IPC_DOOR_DBUS,		/* the D-Bus door, through sd-bus */
};

#define IPC_TARGET_MAX	1024

struct ipc_address {
	enum ipc_door	  door;
	bool		  abstract;	/* unix: an abstract socket name */
	char		  target[IPC_TARGET_MAX];	/* path, name or bus */
};

/*
 * The library's rules for WSCHANNEL_ADDRESS (`env`, NULL when unset):
 * "unix:path=/p" (keys separated by commas; abstract=NAME for an abstract
 * socket), a bare absolute path, "dbus:system", "dbus:session" or
 * "dbus:ADDRESS"; unset, the per-user socket under $XDG_RUNTIME_DIR if
 * there is one, else the system socket.  -EAFNOSUPPORT with st->why for
 * an address of no door, -ENAMETOOLONG.
 */
int	 ipc_address_parse(const char *env, struct ipc_address *,
	    struct ipc_status *);

/* ---- wsctl: a connection of its own, requests and events ---------------- */

/*
 * Opens a connection that no handle shares (wsctl's), to `addr`, with an
 * I/O thread like the library's.  0, or -errno with *st filled (and no
 * connection).
 */
int	 ipc_open(const struct ipc_address *addr, struct ipc_conn **,
	    struct ipc_status *st);
/* Ends the connection and waits for its I/O thread to let go of it. */
void	 ipc_close(struct ipc_conn *);
/*
 * One request (wsctl's: ListChannels, ShowChannel, AbortChannels,
 * Watch...) and its terminal Reply, whose hresult may be a refusal; the
 * request id is set here.  -ECONNRESET (connection lost), -ETIMEDOUT
 * after `timeout_ms` (< 0: none; the connection is then given up),
 * -EHOSTUNREACH, -ENOMEM, -EPROTO (an answer that makes no sense).
 * ipc_conn_why says more when it can.  The Reply is freed with
 * ipc_reply_free.
 */
int	 ipc_request(struct ipc_conn *, Wschannel__Request *, int timeout_ms,
	    Wschannel__Reply **);
/*
 * ipc_request, with the Reply's bytes (a frame the socket backend read;
 * the D-Bus backend has none) first handed to `fn` on the thread that
 * read them, without any lock: it returns how many of them, from the
 * start, are decoded into the Reply (all of them, or fewer when it used
 * the fields at the end itself: protobuf-c writes fields in order, so
 * what comes before them is a Reply still).  It must not call into ipc.
 */
int	 ipc_request_frame(struct ipc_conn *, Wschannel__Request *,
	    int timeout_ms, size_t (*fn)(void *, const uint8_t *, size_t),
	    void *arg, Wschannel__Reply **);
void	 ipc_reply_free(Wschannel__Reply *);
/* The backend's words for the last failure of a request, or NULL. */
const char *ipc_conn_why(struct ipc_conn *);
/*
 * After a Watch: a descriptor that polls readable while an event (or the
 * end of the stream) waits for ipc_event_next.
 */
int	 ipc_event_fd(struct ipc_conn *);
/*
 * The next state change (free with wschannel__event__free_unpacked), 0;
 * -EAGAIN when none waits; -ECONNRESET once the connection is lost and
 * every event before the loss was returned; -EPROTO, -ENOMEM when the
 * backend could not make sense of what it got.
 */
int	 ipc_event_next(struct ipc_conn *, Wschannel__Event **);

#endif
