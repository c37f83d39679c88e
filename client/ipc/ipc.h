/*
 * The library's side of the control protocol: one connection to wschanneld
 * per process, an I/O thread that matches Replies to waiting calls, and a
 * callback thread that completes asynchronous calls.
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

enum ipc_kind {
	IPC_CHANNEL = 1,
	IPC_LISTENER,
};

/*
 * A request encoded when its object is created, so that sending it needs
 * no memory: WsAbortChannel's (every object) and WsAbandonMessage's
 * (channels).  Concurrent users of one reservation take turns on `lock`.
 * On the Unix socket it is a frame; over D-Bus a method call message that
 * is built at creation and sent again each time (see ipc_bus.c).
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
	/* Whatever WsAbortChannel and WsAbandonMessage need, reserved at
	 * creation. */
	struct ipc_reserved abort;
	struct ipc_reserved abandon;	/* channels only */
	void		(*destroy)(struct ipc_object *);
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
	pthread_cond_t	  cond;
	bool		  async;
	bool		  interim;	/* the daemon said WS_S_ASYNC */
	bool		  done;		/* the terminal reply (or loss) arrived */
	bool		  linked;
	bool		  allocated;
	int		  refs;		/* async: the caller and the completion */
	/* The result, filled by the I/O thread. */
	HRESULT		  hr;
	bool		  has_state;
	uint32_t	  state;
	Wschannel__Reply *reply;	/* NULL after a loss or an emergency decode */
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

/*
 * Between ipc.c and the D-Bus backend (ipc_bus.c).  ipc.c keeps the
 * calls (the pending list, waiters, the callback thread, losses); the
 * backend owns the sd_bus connection, on its I/O thread, and turns calls
 * into method calls and method returns into Replies.
 */
struct ipc_bus;

/* Connects to `address` ("system", "session" or a D-Bus address) and
 * finds wschanneld on that bus; with ipc_lock held, before the I/O
 * thread starts. */
HRESULT	 ipc_bus_open(struct ipc_conn *, const char *address,
	    struct ipc_bus **, WS_ERROR *);
/* The I/O thread; consumes a reference on the connection. */
void	*ipc_bus_main(void *conn);
/* Wakes the I/O thread: a call was queued.  Never allocates. */
void	 ipc_bus_wake(struct ipc_bus *);
/* Builds the reservation's message (may fail; then the I/O thread builds
 * it when it is first needed). */
int	 ipc_bus_reserve(struct ipc_bus *, struct ipc_object *,
	    struct ipc_reserved *);
void	 ipc_bus_unreserve(struct ipc_bus *, struct ipc_reserved *);
/* After the connection is gone and unreferenced. */
void	 ipc_bus_free(struct ipc_bus *);
/* In a forked child: closes the descriptors, touches nothing else. */
void	 ipc_bus_forked(struct ipc_bus *);

struct ipc_bus *ipc_conn_bus(const struct ipc_conn *);
/* The next call queued for the I/O thread, or NULL. */
struct ipc_call *ipc_conn_take(struct ipc_conn *);
/* The daemon made `call` pending (the interim reply). */
void	 ipc_conn_interim(struct ipc_conn *, struct ipc_call *);
/* The terminal result of a call that was taken; `r` (may be NULL) is
 * handed over. */
void	 ipc_conn_complete(struct ipc_conn *, struct ipc_call *, HRESULT,
	    Wschannel__Reply *r, bool has_state, uint32_t state);
/* The connection is gone: every call still pending completes with
 * WS_E_ENDPOINT_DISCONNECTED, once. */
void	 ipc_conn_lose(struct ipc_conn *);

#endif
