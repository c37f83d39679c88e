/*
 * Calls, handles and waiting, whatever the door.  One connection per
 * process is shared by every handle, opened lazily (ipc_connect); wsctl
 * opens one of its own (ipc_open).  Callers register a call (keyed by
 * request id) and hand it to the connection's backend (backend.h): the
 * Unix socket's writes it on the caller's thread, the D-Bus door's I/O
 * thread takes it from a queue.  Each backend's I/O thread hands answers
 * back through the upcalls: a sync caller is woken on its own condition
 * variable, an async call that the daemon made pending is queued for the
 * callback thread.  Nothing here runs user code on an I/O thread.
 *
 * On the Unix socket the library's connection works leader/follower
 * (backend.h): the waiting threads take turns reading (ipc_wait), and the
 * connection's own library thread (ipc_conn_serve) both reads for pending
 * async calls and runs their callbacks, so a sync call costs no thread
 * hop and an async completion at most one.
 *
 * An abort must work with malloc failing: what it sends is prepared when
 * the object is created, its call lives on the caller's stack, and the
 * backends read its reply without allocating (see unix.c and bus.c).
 *
 * Errors go to a WS_ERROR through the sink the library gave us
 * (ipc_error_sink_set), so that this layer never calls up into it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "ipc_arena.h"
#include "ipc_error.h"
#include "ipc_int.h"
#include "frame.h"
#include "hresult.h"


/* One lock for the connection table, every pending list, every call's
 * flags, the event queues and the callback queue: contention is low and
 * it keeps the hand-offs between threads simple to reason about. */
pthread_mutex_t		 ipc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 ipc_conn_cond = PTHREAD_COND_INITIALIZER;
static struct ipc_conn	*ipc_current;
static struct ipc_conn	*ipc_all;
static pthread_once_t	 ipc_once = PTHREAD_ONCE_INIT;

static pthread_cond_t	 ipc_cb_cond = PTHREAD_COND_INITIALIZER;
static struct ipc_call	*ipc_cb_head, *ipc_cb_tail;
static bool		 ipc_cb_started;

static void	 ipc_call_complete_async(struct ipc_call *);
static void	 ipc_io_wake(struct ipc_conn *);
static void	 ipc_wake_hold(void);
static void	 ipc_unlock_wake(void);
static void	 ipc_call_release(struct ipc_call *);
static void	 ipc_deliver(struct ipc_call *);

/* Releases a call's Reply, whichever way it was decoded. */
void
ipc_reply_release(struct ipc_call *call)
{
	if (call->reply != NULL && !call->reply_arena)
		wschannel__reply__free_unpacked(call->reply, NULL);
	call->reply = NULL;
	call->reply_arena = false;
	ipc_arena_reset(&call->arena);
}

/* ---- fork ------------------------------------------------------------------ */

/*
 * fork: the child has none of our threads.  It drops every connection it
 * inherited (closing its copy of the descriptors, so the daemon still sees
 * the parent go away) and never writes to one again; handles from before
 * the fork are stale in the child.  New handles connect afresh.
 */
static void
ipc_atfork_prepare(void)
{
	ipc_handle_atfork_prepare();
	pthread_mutex_lock(&ipc_lock);
}

static void
ipc_atfork_parent(void)
{
	pthread_mutex_unlock(&ipc_lock);
	ipc_handle_atfork_parent();
}

static void
ipc_atfork_child(void)
{
	struct ipc_conn *c;

	for (c = ipc_all; c != NULL; c = c->all_next) {
		__atomic_store_n(&c->dead, true, __ATOMIC_RELEASE);
		c->ops->forked(c);
		if (c->efd >= 0)
			close(c->efd);
		c->efd = -1;
		/* Their callers are threads of the parent. */
		c->pending = NULL;
		c->qhead = c->qtail = NULL;
		c->leader = NULL;
		c->whead = c->wtail = NULL;
		c->cbhead = c->cbtail = NULL;
		c->phead = NULL;
		c->nasync = 0;
		c->io_waiting = c->io_idle = c->io_kicked = false;
		pthread_cond_init(&c->io_cond, NULL);
	}
	ipc_all = NULL;
	ipc_current = NULL;
	ipc_cb_head = ipc_cb_tail = NULL;
	ipc_cb_started = false;
	pthread_cond_init(&ipc_cb_cond, NULL);
	pthread_cond_init(&ipc_conn_cond, NULL);
	pthread_mutex_unlock(&ipc_lock);
	ipc_handle_atfork_child();
}

static void
ipc_init(void)
{
	pthread_atfork(ipc_atfork_prepare, ipc_atfork_parent,
	    ipc_atfork_child);
}

/* ---- connections --------------------------------------------------------------- */

bool
ipc_conn_lost(const struct ipc_conn *c)
{
	return c == NULL || __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE);
}

void
ipc_conn_ref(struct ipc_conn *c)
{
	pthread_mutex_lock(&ipc_lock);
	c->refs++;
	pthread_mutex_unlock(&ipc_lock);
}

/* Releases what a connection holds; the backend's part first. */
static void
ipc_conn_free(struct ipc_conn *c)
{
	c->ops->free(c);
	ipc_event_clear(c);
	if (c->efd >= 0)
		close(c->efd);
	pthread_cond_destroy(&c->io_cond);
	free(c);
}

void
ipc_conn_unref(struct ipc_conn *c)
{
	struct ipc_conn **pp;
	bool last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&ipc_lock);
	last = --c->refs == 0;
	if (last) {
		for (pp = &ipc_all; *pp != NULL; pp = &(*pp)->all_next) {
			if (*pp == c) {
				*pp = c->all_next;
				break;
			}
		}
	}
	/* ipc_close waits for the I/O thread's reference to go. */
	pthread_cond_broadcast(&ipc_conn_cond);
	pthread_mutex_unlock(&ipc_lock);
	if (last)
		ipc_conn_free(c);
}

/* With ipc_lock held: `call` waits for the I/O thread. */
void
ipc_queue(struct ipc_conn *c, struct ipc_call *call)
{
	call->qnext = NULL;
	call->qprev = c->qtail;
	if (c->qtail != NULL)
		c->qtail->qnext = call;
	else
		c->qhead = call;
	c->qtail = call;
}

struct ipc_call *
ipc_conn_take(struct ipc_conn *c)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	if ((call = c->qhead) != NULL) {
		if ((c->qhead = call->qnext) == NULL)
			c->qtail = NULL;
		call->qnext = call->qprev = NULL;
	}
	pthread_mutex_unlock(&ipc_lock);
	return call;
}

void
ipc_link(struct ipc_conn *c, struct ipc_call *call)
{
	call->prev = NULL;
	call->next = c->pending;
	if (c->pending != NULL)
		c->pending->prev = call;
	c->pending = call;
	call->linked = true;
}

static void
ipc_unlink(struct ipc_conn *c, struct ipc_call *call)
{
	if (!call->linked)
		return;
	if (call->prev != NULL)
		call->prev->next = call->next;
	else
		c->pending = call->next;
	if (call->next != NULL)
		call->next->prev = call->prev;
	call->next = call->prev = NULL;
	call->linked = false;
}

/*
 * With ipc_lock held: the Reply of a posted request (ipc_object_post)
 * arrived, or the connection was lost.  Nobody waits for it: a refusal
 * marks its object at once, so that a call started from now on learns of
 * it, and the call is released by ipc_posted_run once the lock can be
 * let go (releasing the object may take the lock).  A loss needs no mark:
 * the object is stale from now on.
 */
static void
ipc_posted_note(struct ipc_call *call)
{
	struct ipc_conn *c = call->conn;
	struct ipc_object *o = call->obj;
	struct ipc_call **pp, *prev = NULL;

	/* Out of the unanswered ones (a short list: a loop's close, reset). */
	for (pp = &c->qhead_posted; *pp != NULL; prev = *pp,
	    pp = &(*pp)->pnext) {
		if (*pp == call) {
			*pp = call->pnext;
			if (c->qtail_posted == call)
				c->qtail_posted = prev;
			call->pnext = NULL;
			break;
		}
	}

	if (FAILED(call->hr) && call->hr != WS_E_ENDPOINT_DISCONNECTED &&
	    o != NULL) {
		o->deferred_api = call->api;
		__atomic_store_n(&o->deferred_hr, call->hr, __ATOMIC_RELEASE);
		__atomic_store_n(&o->known_state, IPC_STATE_UNKNOWN,
		    __ATOMIC_RELAXED);
	}
	if (o != NULL)
		__atomic_sub_fetch(&o->nposted, 1, __ATOMIC_RELAXED);
	call->next = c->phead;
	c->phead = call;
	/* After a loss only the library thread may be left to release it. */
	if (c->dead && c->leads)
		ipc_io_wake(c);
}

/*
 * With ipc_lock held: a Reply to request `id` came, so every posted
 * request written before it succeeded: the daemon answers a quiet request
 * only when it fails, and handles it before anything written after it.
 */
static void
ipc_posted_confirm(struct ipc_conn *c, uint64_t id)
{
	struct ipc_call *call;

	while ((call = c->qhead_posted) != NULL && call->id < id &&
	    call->linked) {
		call->hr = S_OK;
		ipc_unlink(c, call);
		ipc_deliver(call);	/* ipc_posted_note takes it off */
	}
}

/* With ipc_lock held: a quiet posted call joins those a later Reply
 * confirms, before it is written (its refusal may come at once). */
static void
ipc_posted_add(struct ipc_conn *c, struct ipc_call *call)
{
	call->pnext = NULL;
	if (c->qtail_posted != NULL)
		c->qtail_posted->pnext = call;
	else
		c->qhead_posted = call;
	c->qtail_posted = call;
}

/* With ipc_lock held (let go meanwhile): releases the posted calls whose
 * Reply came. */
static void
ipc_posted_run(struct ipc_conn *c)
{
	struct ipc_call *call;

	while ((call = c->phead) != NULL) {
		c->phead = call->next;
		call->next = NULL;
		pthread_mutex_unlock(&ipc_lock);
		ipc_reply_release(call);
		ipc_call_release(call);
		ipc_call_free(call);
		pthread_mutex_lock(&ipc_lock);
	}
}

/* With ipc_lock held: the call has its result; wake whoever completes it. */
static void
ipc_deliver(struct ipc_call *call)
{
	struct ipc_conn *c = call->conn;

	call->done = true;
	if (call->posted) {
		ipc_posted_note(call);
		return;
	}
	if (call->async && call->interim && c != NULL && c->leads) {
		/* For the connection's library thread. */
		c->nasync--;
		call->next = NULL;
		if (c->cbtail != NULL)
			c->cbtail->next = call;
		else	/* atomic: ipc_io_spin looks without the lock */
			__atomic_store_n(&c->cbhead, call, __ATOMIC_RELAXED);
		c->cbtail = call;
		if (c->leader != &c->io_cond)
			ipc_io_wake(c);
	} else if (call->async && call->interim) {
		call->next = NULL;
		if (ipc_cb_tail != NULL)
			ipc_cb_tail->next = call;
		else
			ipc_cb_head = call;
		ipc_cb_tail = call;
		pthread_cond_signal(&ipc_cb_cond);
	} else
		pthread_cond_signal(&call->cond);
}

/* With ipc_lock held. */
static struct ipc_call *
ipc_find(struct ipc_conn *c, uint64_t id)
{
	struct ipc_call *call;

	for (call = c->pending; call != NULL; call = call->next)
		if (call->id == id)
			return call;
	return NULL;
}

void
ipc_conn_fail_id(struct ipc_conn *c, uint64_t id, HRESULT hr)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	if ((call = ipc_find(c, id)) != NULL) {
		ipc_unlink(c, call);
		call->hr = hr;
		call->reply = NULL;
		ipc_deliver(call);
	}
	pthread_mutex_unlock(&ipc_lock);
}

/* With ipc_lock held. */
static void
ipc_interim(struct ipc_call *call)
{
	if (call->async && !call->interim) {
		call->interim = true;
		if (call->conn != NULL && call->conn->leads)
			call->conn->nasync++;
		pthread_cond_signal(&call->cond);
	}
}

/* The channel whose state a reply to `call` gives, or NULL. */
static struct ipc_object *
ipc_call_state_obj(const struct ipc_call *call)
{
	if (call->obj2 != NULL && call->obj2->kind == IPC_CHANNEL)
		return call->obj2;	/* an accept's: the channel's */
	return call->obj;
}

static uint32_t
ipc_known_state(const struct ipc_object *o)
{
	return __atomic_load_n(&o->known_state, __ATOMIC_RELAXED);
}

/* May the async call return before the daemon's checks?  An I/O call on
 * a channel last found OPEN; an accept of a channel last found CREATED
 * on a listener last found OPEN. */
static bool
ipc_call_may_pipeline(const struct ipc_call *call)
{
	if (!call->async || !call->pipeline || call->obj == NULL)
		return false;
	if (call->obj2 != NULL)
		return call->obj->kind == IPC_LISTENER &&
		    ipc_known_state(call->obj) == WS_LISTENER_STATE_OPEN &&
		    ipc_known_state(call->obj2) == WS_CHANNEL_STATE_CREATED;
	return call->obj->kind == IPC_CHANNEL &&
	    ipc_known_state(call->obj) == WS_CHANNEL_STATE_OPEN;
}

/* With ipc_lock held: remembers what a reply said of its channel's state;
 * a reply that says nothing makes it unknown. */
static void
ipc_call_note_state(const struct ipc_call *call, bool has_state,
    uint32_t state)
{
	struct ipc_object *o;

	/* A posted request's state was foreseen when it was sent (and calls
	 * sent after it may have foreseen more). */
	if (call->posted)
		return;
	if ((o = ipc_call_state_obj(call)) != NULL)
		__atomic_store_n(&o->known_state, has_state ? state :
		    IPC_STATE_UNKNOWN, __ATOMIC_RELAXED);
}

void
ipc_conn_interim(struct ipc_conn *c, struct ipc_call *call)
{
	pthread_mutex_lock(&ipc_lock);
	if (call->linked)
		ipc_interim(call);
	pthread_mutex_unlock(&ipc_lock);
}

void
ipc_conn_complete(struct ipc_conn *c, struct ipc_call *call, HRESULT hr,
    Wschannel__Reply *r, bool has_state, uint32_t state)
{
	pthread_mutex_lock(&ipc_lock);
	if (call->linked) {
		ipc_unlink(c, call);
		call->hr = hr;
		call->has_state = has_state;
		call->state = state;
		ipc_call_note_state(call, has_state, state);
		call->reply = r;
		r = NULL;
		ipc_deliver(call);
	}
	pthread_mutex_unlock(&ipc_lock);
	if (r != NULL)
		wschannel__reply__free_unpacked(r, NULL);
}

/*
 * With ipc_lock held: hands a decoded Reply to its call.  Returns true
 * when `r` was kept (it lives in the call's arena, or is the call's to
 * free).  `emergency`: decoded in the static arena, only id, hresult and
 * state survive.
 */
static bool
ipc_reply_apply(struct ipc_conn *c, struct ipc_call *call,
    Wschannel__Reply *r, bool emergency)
{
	if (r->has_interim && r->interim) {
		ipc_call_note_state(call, r->has_state, r->state);
		ipc_interim(call);
		return false;
	}
	ipc_unlink(c, call);
	call->hr = (HRESULT)r->hresult;
	call->has_state = false;
	if (r->has_state) {
		call->has_state = true;
		call->state = r->state;
	} else if (r->result_case == WSCHANNEL__REPLY__RESULT_ABORT &&
	    r->abort != NULL && r->abort->has_state) {
		call->has_state = true;
		call->state = r->abort->state;
	}
	ipc_call_note_state(call, call->has_state, call->state);
	call->reply = NULL;
	if (emergency) {
		/* Only id, hresult and state survive an emergency. */
		if (SUCCEEDED(call->hr) &&
		    r->result_case != WSCHANNEL__REPLY__RESULT__NOT_SET &&
		    r->result_case != WSCHANNEL__REPLY__RESULT_ABORT)
			call->hr = E_OUTOFMEMORY;
	} else
		call->reply = r;
	ipc_deliver(call);
	return !emergency;
}

/* The id of a Reply: protobuf-c writes fields in field-number order, so a
 * Reply starts with field 1 (id, varint), tag byte 0x08. */
static int
ipc_reply_scan_id(const uint8_t *buf, size_t len, uint64_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (len < 2 || buf[0] != 0x08)
		return -1;
	for (i = 1; i < len && i < 11; i++) {
		v |= (uint64_t)(buf[i] & 0x7f) << (7 * (i - 1));
		if ((buf[i] & 0x80) == 0) {
			*id = v;
			return 0;
		}
	}
	return -1;
}

/* The Reply being decoded was dropped: its call is an abort's again. */
static void
ipc_decoded(struct ipc_conn *c)
{
	pthread_mutex_lock(&ipc_lock);
	c->decoding = NULL;
	pthread_mutex_unlock(&ipc_lock);
}

/* No memory for the Reply of `call`: keep what the static arena holds. */
static int
ipc_reply_emergency(struct ipc_conn *c, struct ipc_call *call,
    const uint8_t *buf, size_t len)
{
	ProtobufCAllocator alloc;
	struct ipc_arena ea;
	Wschannel__Reply *r;

	ipc_arena_emergency_begin(&ea, &alloc);
	r = wschannel__reply__unpack(&alloc, len, buf);
	pthread_mutex_lock(&ipc_lock);
	c->decoding = NULL;
	if (call->linked) {
		if (r != NULL)
			(void)ipc_reply_apply(c, call, r, true);
		else if (ea.failed) {
			ipc_unlink(c, call);
			call->hr = E_OUTOFMEMORY;
			call->reply = NULL;
			ipc_deliver(call);
		}
	}
	pthread_mutex_unlock(&ipc_lock);
	ipc_arena_emergency_end();
	return r != NULL || ea.failed ? 0 : -1;
}

int
ipc_conn_reply_frame(struct ipc_conn *c, const uint8_t *buf, size_t len)
{
	ProtobufCAllocator alloc;
	struct ipc_call *call;
	Wschannel__Reply *r;
	uint64_t id;
	bool kept = false;

	if (ipc_reply_scan_id(buf, len, &id) != 0)
		return -1;
	pthread_mutex_lock(&ipc_lock);
	if (c->qhead_posted != NULL)
		ipc_posted_confirm(c, id);
	if ((call = ipc_find(c, id)) != NULL)
		c->decoding = call;
	pthread_mutex_unlock(&ipc_lock);
	if (call == NULL)
		return 0;	/* nobody waits for it (or an abort ended it) */
	/*
	 * Only the thread that reads delivers, so the call stays linked (and
	 * its memory alive) while the Reply is decoded without the lock.
	 */
	ipc_arena_reset(&call->arena);
	if (call->frame_fn != NULL && (len = call->frame_fn(call->frame_arg,
	    buf, len)) == 0) {
		ipc_decoded(c);
		return -1;
	}
	alloc.alloc = ipc_arena_alloc;
	alloc.free = ipc_arena_free;
	alloc.allocator_data = &call->arena;
	if ((r = wschannel__reply__unpack(&alloc, len, buf)) == NULL) {
		if (!call->arena.failed) {
			ipc_decoded(c);
			return -1;
		}
		ipc_arena_reset(&call->arena);
		return ipc_reply_emergency(c, call, buf, len);
	}
	pthread_mutex_lock(&ipc_lock);
	ipc_wake_hold();
	c->decoding = NULL;
	if (call->linked)
		kept = ipc_reply_apply(c, call, r, false);
	if (kept)
		call->reply_arena = true;
	ipc_unlock_wake();
	if (!kept)
		ipc_arena_reset(&call->arena);
	return 0;
}

void
ipc_conn_set_why(struct ipc_conn *c, const char *fmt, ...)
{
	char buf[sizeof(c->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ipc_lock);
	memcpy(c->why, buf, sizeof(buf));
	pthread_mutex_unlock(&ipc_lock);
}

/* With ipc_lock held: the connection is gone, every pending call
 * completes, exactly once. */
static void
ipc_conn_lose_locked(struct ipc_conn *c)
{
	struct ipc_call *call;

	__atomic_store_n(&c->dead, true, __ATOMIC_RELEASE);
	if (ipc_current == c) {
		ipc_current = NULL;
		c->refs--;	/* the I/O thread still holds one */
	}
	/* Queued calls are pending too: they end below, unsent. */
	c->qhead = c->qtail = NULL;
	while ((call = c->pending) != NULL) {
		ipc_unlink(c, call);
		call->hr = WS_E_ENDPOINT_DISCONNECTED;
		call->reply = NULL;
		ipc_deliver(call);
	}
	if (c->eerror == 0)
		c->eerror = -ECONNRESET;
	ipc_event_poke(c);
	if (c->leads)
		ipc_io_wake(c);
}

void
ipc_conn_lose(struct ipc_conn *c)
{
	pthread_mutex_lock(&ipc_lock);
	ipc_conn_lose_locked(c);
	pthread_mutex_unlock(&ipc_lock);
}

/* ---- leader/follower ---------------------------------------------------------- */

/*
 * A library thread woken while the waker holds ipc_lock blocks on the
 * lock at once, and is woken again when it is dropped: two more context
 * switches, on the path of every async completion.  So a thread about to
 * drop the lock puts its wake off until it has (ipc_wake_hold, then
 * ipc_unlock_wake).  The connection stays alive meanwhile: the thread
 * reads it or waits on it.
 */
#define IPC_WAKE_KICK	0x1	/* the idle thread's eventfd */
#define IPC_WAKE_SIGNAL	0x2	/* its condition variable */

static __thread bool		 ipc_wake_held;
static __thread struct ipc_conn	*ipc_wake_conn;
static __thread int		 ipc_wake_how;

static void
ipc_io_wake_now(struct ipc_conn *c, int how)
{
	if (how & IPC_WAKE_KICK)
		c->ops->kick(c);
	if (how & IPC_WAKE_SIGNAL)
		pthread_cond_signal(&c->io_cond);
}

/* With ipc_lock held. */
static void
ipc_wake_hold(void)
{
	ipc_wake_held = true;
}

/* Drops ipc_lock, then makes the wakes put off while it was held. */
static void
ipc_unlock_wake(void)
{
	struct ipc_conn *c = ipc_wake_conn;
	int how = ipc_wake_how;

	ipc_wake_held = false;
	ipc_wake_conn = NULL;
	ipc_wake_how = 0;
	pthread_mutex_unlock(&ipc_lock);
	if (c != NULL)
		ipc_io_wake_now(c, how);
}

/* With ipc_lock held: the library thread has something to do (read for
 * async calls, run callbacks, see the end); woken the cheapest way. */
static void
ipc_io_wake(struct ipc_conn *c)
{
	int how;

	if (c->io_idle) {
		if (c->io_kicked)
			return;
		c->io_kicked = true;
		how = IPC_WAKE_KICK;
	} else if (c->io_waiting)
		how = IPC_WAKE_SIGNAL;
	else
		return;
	if (ipc_wake_held && (ipc_wake_conn == NULL || ipc_wake_conn == c)) {
		ipc_wake_conn = c;
		ipc_wake_how |= how;
	} else
		ipc_io_wake_now(c, how);
}

/* With ipc_lock held: reads one wake-up's worth as the leader `who`. */
static void
ipc_lead(struct ipc_conn *c, const void *who)
{
	int r;

	__atomic_store_n(&c->leader, who, __ATOMIC_RELAXED);
	c->lead_poll = who != &c->io_cond && c->ops->interrupt != NULL &&
	    ((const struct ipc_call *)who)->waits_peer;
	pthread_mutex_unlock(&ipc_lock);
	r = c->ops->lead(c);
	pthread_mutex_lock(&ipc_lock);
	__atomic_store_n(&c->leader, NULL, __ATOMIC_RELAXED);
	c->lead_poll = false;
	if (r < 0 && !c->dead)
		ipc_conn_lose_locked(c);
	if (c->phead != NULL)
		ipc_posted_run(c);
}

/*
 * With ipc_lock held, nobody reading: a waiter still waiting takes over,
 * else the library thread if async calls need a reader (or it waits on
 * its condition variable and should go back to watching the stream).
 */
static void
ipc_lead_pass(struct ipc_conn *c)
{
	struct ipc_call *w;

	if (c == NULL || !c->leads || c->leader != NULL)
		return;
	for (w = c->whead; w != NULL; w = w->wnext) {
		if (!w->done && !(w->async && w->interim)) {
			pthread_cond_signal(&w->cond);
			return;
		}
	}
	if (c->nasync > 0 && c->io_idle && !c->dead && c->cbhead == NULL)
		/* It stands by: for something to read too, without waking
		 * it now (the waiter who just wrote an async call often
		 * reads its answer before it would). */
		c->ops->watch(c, true);
	else if (c->nasync > 0 || c->cbhead != NULL || c->io_waiting)
		ipc_io_wake(c);
}

static void
ipc_waiter_add(struct ipc_conn *c, struct ipc_call *call)
{
	call->wnext = NULL;
	call->wprev = c->wtail;
	if (c->wtail != NULL)
		c->wtail->wnext = call;
	else
		c->whead = call;
	c->wtail = call;
	call->waiting = true;
}

static void
ipc_waiter_del(struct ipc_conn *c, struct ipc_call *call)
{
	if (call->wprev != NULL)
		call->wprev->wnext = call->wnext;
	else
		c->whead = call->wnext;
	if (call->wnext != NULL)
		call->wnext->wprev = call->wprev;
	else
		c->wtail = call->wprev;
	call->wnext = call->wprev = NULL;
	call->waiting = false;
}

/* ipc_int.h.  On a leader/follower connection the waiter reads itself
 * whenever nobody else does; `ts` needs a CLOCK_MONOTONIC condition. */
bool
ipc_wait(struct ipc_conn *c, struct ipc_call *call, const struct timespec *ts)
{
	bool ok = true;

	while (ok && !call->done && !(call->async && call->interim)) {
		if (c->leads && c->leader == NULL && !c->dead) {
			ipc_lead(c, call);
			continue;
		}
		ipc_waiter_add(c, call);
		if (ts == NULL)
			pthread_cond_wait(&call->cond, &ipc_lock);
		else if (pthread_cond_timedwait(&call->cond, &ipc_lock, ts) ==
		    ETIMEDOUT) {
			/* Its Reply came and is being decoded (or written out
			 * by ipc_request_frame's function, into a pipe that
			 * may be slow): not late, waited for to the end. */
			if (c->decoding == call)
				ts = NULL;
			else
				ok = call->done;
		}
		ipc_waiter_del(c, call);
	}
	/* The caller goes on under the lock: the library thread is woken
	 * with it dropped for a moment. */
	ipc_wake_hold();
	ipc_lead_pass(c);
	if (ipc_wake_conn != NULL) {
		ipc_unlock_wake();
		pthread_mutex_lock(&ipc_lock);
	} else
		ipc_wake_held = false;
	return ok;
}

/* With ipc_lock held (let go meanwhile): a caller reads what woke the
 * library thread and hands any completion in it over within microseconds,
 * which would cost it a wake-up of this thread (an interprocessor
 * interrupt, on another CPU).  Yields until it is done or has handed
 * something over, for IPC_SPIN_NS at most: false when neither. */
#define IPC_SPIN_NS	(25 * 1000)

static bool
ipc_io_spin(struct ipc_conn *c)
{
	const void *who = c->leader;
	struct timespec ts;
	int64_t left = IPC_SPIN_NS, last;
	bool done;

	pthread_mutex_unlock(&ipc_lock);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	do {
		last = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		sched_yield();
		done = __atomic_load_n(&c->leader, __ATOMIC_RELAXED) != who ||
		    __atomic_load_n(&c->cbhead, __ATOMIC_RELAXED) != NULL;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left -= (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - last;
	} while (!done && left > 0);
	pthread_mutex_lock(&ipc_lock);
	/* Again under the lock: what changed after the last look woke
	 * nobody, this thread being neither idle nor waiting. */
	return c->leader != who || c->cbhead != NULL || c->phead != NULL;
}

void
ipc_conn_serve(struct ipc_conn *c)
{
	struct ipc_call *call;
	int r;

	pthread_mutex_lock(&ipc_lock);
	for (;;) {
		if (c->phead != NULL) {
			ipc_posted_run(c);
			continue;
		}
		if ((call = c->cbhead) != NULL) {
			if ((c->cbhead = call->next) == NULL)
				c->cbtail = NULL;
			call->next = NULL;
			pthread_mutex_unlock(&ipc_lock);
			ipc_call_complete_async(call);
			pthread_mutex_lock(&ipc_lock);
			continue;
		}
		if (c->dead && c->leader == NULL)
			break;
		if (!c->dead) {
			/*
			 * Standing by: for the stream's end, a kick, and while
			 * async calls are pending for something to read too.
			 * The thread leads only once there is, and without
			 * blocking: a caller that waits meanwhile reads for
			 * itself, its reply not handed over by this thread.
			 * While a caller reads, nothing needs this thread
			 * until it hands a completion over (a kick).
			 */
			c->io_idle = true;
			c->io_kicked = false;
			c->ops->watch(c, c->nasync > 0);
			pthread_mutex_unlock(&ipc_lock);
			r = c->ops->idle(c);
			pthread_mutex_lock(&ipc_lock);
			c->io_idle = false;
			if (r == 0 || c->dead)
				continue;
			if (c->leader == NULL) {
				ipc_lead(c, &c->io_cond);
				ipc_lead_pass(c);
				continue;
			}
			if (ipc_io_spin(c))
				continue;
		}
		/* The caller reading takes long, or reads the end: woken
		 * when it is done (ipc_lead_pass). */
		c->io_waiting = true;
		pthread_cond_wait(&c->io_cond, &ipc_lock);
		c->io_waiting = false;
	}
	pthread_mutex_unlock(&ipc_lock);
}

/* Runs the completions of async calls, so that callbacks never run on an
 * I/O thread nor on the stack of the call that caused them. */
static void *
ipc_cb_main(void *arg)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	for (;;) {
		while (ipc_cb_head == NULL)
			pthread_cond_wait(&ipc_cb_cond, &ipc_lock);
		call = ipc_cb_head;
		if ((ipc_cb_head = call->next) == NULL)
			ipc_cb_tail = NULL;
		call->next = NULL;
		pthread_mutex_unlock(&ipc_lock);
		ipc_call_complete_async(call);
		pthread_mutex_lock(&ipc_lock);
	}
	return NULL;
}

/* Our threads take no signals: those belong to the application.  Named,
 * for top -H and debuggers: "wschannel-io", "wschannel-cb". */
static int
ipc_thread_start(void *(*fn)(void *), void *arg, const char *name)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int r;

	if ((r = pthread_attr_init(&attr)) != 0)
		return -r;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if ((r = pthread_create(&t, &attr, fn, arg)) == 0)
		(void)pthread_setname_np(t, name);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return -r;
}

/* ---- opening ---------------------------------------------------------------------- */

/*
 * A new connection to `addr` and its I/O thread (and the callback thread,
 * for the library's).  With ipc_lock held when `shared`.
 */
static int
ipc_conn_open(const struct ipc_address *addr, bool shared,
    struct ipc_conn **out, struct ipc_status *st)
{
	struct ipc_conn *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ipc_status_set(st, E_OUTOFMEMORY, -ENOMEM,
		    "out of memory connecting to wschanneld");
	c->ops = addr->door == IPC_DOOR_DBUS ? &ipc_bus_backend :
	    &ipc_unix_backend;
	c->shared = shared;
	c->leads = shared && c->ops->lead != NULL;
	c->efd = -1;
	pthread_cond_init(&c->io_cond, NULL);
	if (!shared && (c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		r = -errno;
		pthread_cond_destroy(&c->io_cond);
		free(c);
		return ipc_status_set(st, E_OUTOFMEMORY, r,
		    "cannot make an eventfd: %s", strerror(-r));
	}
	if ((r = c->ops->open(c, addr, st)) < 0) {
		if (c->efd >= 0)
			close(c->efd);
		pthread_cond_destroy(&c->io_cond);
		free(c);
		return r;
	}
	if (!shared)
		pthread_mutex_lock(&ipc_lock);
	if (shared && !c->leads && !ipc_cb_started) {
		if ((r = ipc_thread_start(ipc_cb_main, NULL,
		    "wschannel-cb")) != 0)
			goto fail;
		ipc_cb_started = true;
	}
	/* The I/O thread's and the caller's, and ipc_current's. */
	c->refs = shared ? 3 : 2;
	if ((r = ipc_thread_start(c->ops->io_main, c, "wschannel-io")) != 0)
		goto fail;
	c->all_next = ipc_all;
	ipc_all = c;
	if (shared)
		ipc_current = c;
	else
		pthread_mutex_unlock(&ipc_lock);
	*out = c;
	return 0;
fail:
	if (!shared)
		pthread_mutex_unlock(&ipc_lock);
	/* Not started: nobody else knows the connection. */
	ipc_conn_free(c);
	return ipc_status_set(st, E_OUTOFMEMORY, r,
	    "cannot start the libwschannel threads: %s", strerror(-r));
}

HRESULT
ipc_connect(struct ipc_conn **out, WS_ERROR *error)
{
	struct ipc_address addr;
	struct ipc_status st = { S_OK, 0, "" };
	int r = 0;

	pthread_once(&ipc_once, ipc_init);
	pthread_mutex_lock(&ipc_lock);
	if (ipc_current != NULL && !ipc_current->dead) {
		ipc_current->refs++;
		*out = ipc_current;
	} else if ((r = ipc_address_parse(secure_getenv("WSCHANNEL_ADDRESS"),
	    &addr, &st)) == 0)
		r = ipc_conn_open(&addr, true, out, &st);
	pthread_mutex_unlock(&ipc_lock);
	if (r == 0)
		return S_OK;
	ipc_error_set_code(error, st.hr);
	ipc_error_add_utf8(error, st.why);
	return st.hr;
}

int
ipc_open(const struct ipc_address *addr, struct ipc_conn **out,
    struct ipc_status *st)
{
	pthread_once(&ipc_once, ipc_init);
	return ipc_conn_open(addr, false, out, st);
}

void
ipc_close(struct ipc_conn *c)
{
	if (c == NULL)
		return;
	c->ops->shutdown(c);
	pthread_mutex_lock(&ipc_lock);
	while (c->refs > 1)
		pthread_cond_wait(&ipc_conn_cond, &ipc_lock);
	pthread_mutex_unlock(&ipc_lock);
	ipc_conn_unref(c);
}

/* ---- calls ------------------------------------------------------------------------- */

void *
ipc_call_new(void *stack, size_t size, const WS_ASYNC_CONTEXT *ctx)
{
	struct ipc_call *call;

	if (ctx == NULL) {
		memset(stack, 0, size);
		return stack;
	}
	if ((call = calloc(1, size)) == NULL)
		return NULL;
	call->allocated = true;
	call->async = true;
	call->callback = ctx->callback;
	call->callback_state = ctx->callbackState;
	return call;
}

static void
ipc_call_release(struct ipc_call *call)
{
	ipc_object_unref(call->obj);
	ipc_object_unref(call->obj2);
	call->obj = call->obj2 = NULL;
	if (call->cleanup != NULL)
		call->cleanup(call);
}

void
ipc_call_free(struct ipc_call *call)
{
	ipc_arena_reset(&call->arena);
	pthread_cond_destroy(&call->cond);
	if (call->allocated)
		free(call);
}

/* ipc_int.h. */
void
ipc_reply_errors(WS_ERROR *error, const Wschannel__Reply *r)
{
	size_t i;

	for (i = r->n_errors; i > 0; i--)
		ipc_error_add_utf8(error, r->errors[i - 1]);
}

/* ipc_int.h: turns the result into the call's HRESULT; releases
 * everything but the call's own memory. */
HRESULT
ipc_call_finish(struct ipc_call *call)
{
	HRESULT hr = call->hr;

	if (FAILED(hr)) {
		if (call->reply != NULL && call->reply->n_errors > 0)
			ipc_reply_errors(call->error, call->reply);
		else if (hr == WS_E_ENDPOINT_DISCONNECTED && call->reply == NULL)
			ipc_error_add(call->error, "%s: the connection to "
			    "wschanneld was lost", call->api);
		else
			ipc_error_add(call->error, "%s: %s", call->api,
			    hresult_text((uint32_t)hr));
	}
	if (call->finish != NULL)
		hr = call->finish(call, hr);
	if (FAILED(hr))
		ipc_error_set_code(call->error, hr);
	ipc_reply_release(call);
	ipc_call_release(call);
	return hr;
}

static void
ipc_call_complete_async(struct ipc_call *call)
{
	HRESULT hr;
	bool last;

	hr = ipc_call_finish(call);
	if (call->callback != NULL)
		call->callback(hr, WS_LONG_CALLBACK, call->callback_state);
	pthread_mutex_lock(&ipc_lock);
	last = --call->refs == 0;
	pthread_mutex_unlock(&ipc_lock);
	if (last)
		ipc_call_free(call);
}

/* The operations the daemon may hold pending, which an abort of their
 * channel (or of the listener, for an accept) ends: 2 for those that
 * wait on a peer, whose waiting leader an abort wakes (lead_poll); 1 for
 * sends, which the daemon answers at once unless the peer stalls.
 * Closes are left to the daemon: one cut off may still end CLOSED. */
static int
ipc_op_abortable(Wschannel__Request__OpCase op)
{
	switch (op) {
	case WSCHANNEL__REQUEST__OP_SEND_MESSAGE:
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
		return 1;
	case WSCHANNEL__REQUEST__OP_OPEN_CHANNEL:
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
	case WSCHANNEL__REQUEST__OP_READ_BODY_MORE:
	case WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL:
		return 2;
	default:
		return 0;
	}
}

/*
 * Hands the call to the connection's backend, or completes it at once
 * (no connection, a request over the protocol's limit).  Its condition
 * variable is initialized; the caller waits for the result.
 */
bool
ipc_call_send(struct ipc_call *call, Wschannel__Request *req)
{
	struct ipc_conn *c = call->conn;
	int abortable;

	call->done = call->interim = false;
	if (wschannel__request__get_packed_size(req) > FRAME_MAX_PAYLOAD) {
		/* The same limit on every door, whatever the bus allows. */
		call->hr = WS_E_QUOTA_EXCEEDED;
		call->done = true;
		ipc_error_add(call->error, "%s: the request is larger than the "
		    "protocol's %u-byte limit", call->api, FRAME_MAX_PAYLOAD);
		return false;
	}
	pthread_mutex_lock(&ipc_lock);
	if (c == NULL || c->dead) {
		call->hr = WS_E_ENDPOINT_DISCONNECTED;
		call->done = true;
		pthread_mutex_unlock(&ipc_lock);
		return false;
	}
	call->id = ++c->next_id;
	req->id = call->id;
	if (req->op_case == WSCHANNEL__REQUEST__OP_CREATE_CHANNEL ||
	    req->op_case == WSCHANNEL__REQUEST__OP_CREATE_LISTENER ||
	    req->op_case == WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER)
		call->create_seq = ++c->creates_sent;
	req->has_async = call->async;
	req->async = call->async;
	abortable = ipc_op_abortable(req->op_case);
	call->abortable = abortable > 0;
	call->waits_peer = abortable > 1;
	call->written = false;
	ipc_link(c, call);
	if (call->posted && req->has_quiet && req->quiet)
		ipc_posted_add(c, call);
	/* An async I/O call on a channel last found OPEN returns WS_S_ASYNC
	 * once written, without the interim reply's round trip; should the
	 * channel have faulted meanwhile, the callback gets the answer. */
	if (c->ops->send != NULL && ipc_call_may_pipeline(call)) {
		req->has_pipelined = true;
		req->pipelined = true;
		ipc_interim(call);
	}
	if (c->ops->send == NULL) {
		/* The I/O thread reads `req` until it sent it; this thread
		 * waits at least that long (for the interim reply, or for
		 * the result). */
		call->req = req;
		call->reserved = NULL;
		call->cookie = 0;
		ipc_queue(c, call);
		pthread_mutex_unlock(&ipc_lock);
		c->ops->wake(c);
		return true;
	}
	pthread_mutex_unlock(&ipc_lock);
	/* A failed write loses the connection, which completes the call. */
	c->ops->send(c, call, req);
	return true;
}

/* ipc_int.h.  With ipc_lock held: completes a call without the daemon's
 * answer (a send that failed before writing anything; an abort). */
void
ipc_call_abandon(struct ipc_call *call, HRESULT hr)
{
	if (!call->linked)
		return;		/* the connection loss completed it */
	ipc_unlink(call->conn, call);
	call->hr = hr;
	call->reply = NULL;
	/* A pipelined call already returned WS_S_ASYNC: its callback. */
	ipc_deliver(call);
}

void
ipc_call_unsent(struct ipc_call *call, HRESULT hr)
{
	pthread_mutex_lock(&ipc_lock);
	ipc_call_abandon(call, hr);
	pthread_mutex_unlock(&ipc_lock);
}

HRESULT
ipc_call_run(struct ipc_call *call, Wschannel__Request *req)
{
	HRESULT hr;
	bool last;

	pthread_cond_init(&call->cond, NULL);
	call->refs = call->async ? 2 : 1;
	ipc_call_send(call, req);

	pthread_mutex_lock(&ipc_lock);
	call->written = true;
	(void)ipc_wait(call->conn, call, NULL);
	if (call->async && call->interim) {
		/* Pending: the callback thread completes it. */
		last = --call->refs == 0;
		pthread_mutex_unlock(&ipc_lock);
		if (last)
			ipc_call_free(call);
		return WS_S_ASYNC;
	}
	pthread_mutex_unlock(&ipc_lock);
	hr = ipc_call_finish(call);
	ipc_call_free(call);
	return hr;
}

/* ---- objects ------------------------------------------------------------------------ */

/* Prepares the reservation for `req` (an ObjectRef operation), with a
 * request id of its own. */
static int
ipc_reserve(struct ipc_object *o, struct ipc_reserved *r,
    Wschannel__Request *req)
{
	struct ipc_conn *c = o->conn;

	pthread_mutex_lock(&ipc_lock);
	r->req = ++c->next_id;
	pthread_mutex_unlock(&ipc_lock);
	req->id = r->req;
	return c->ops->reserve(c, o, r, req);
}

int
ipc_object_bind(struct ipc_object *o, struct ipc_conn *c, uint64_t id)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	int r;

	o->conn = c;
	o->id = id;
	o->abort.member = "Abort";
	o->abandon.member = "AbandonMessage";
	ref.id = id;
	if (o->kind == IPC_CHANNEL) {
		req.op_case = WSCHANNEL__REQUEST__OP_ABORT_CHANNEL;
		req.abort_channel = &ref;
	} else {
		req.op_case = WSCHANNEL__REQUEST__OP_ABORT_LISTENER;
		req.abort_listener = &ref;
	}
	if ((r = ipc_reserve(o, &o->abort, &req)) != 0 ||
	    o->kind != IPC_CHANNEL)
		return r;
	wschannel__request__init(&req);
	req.op_case = WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE;
	req.abandon_message = &ref;
	return ipc_reserve(o, &o->abandon, &req);
}

bool
ipc_object_valid(const struct ipc_object *o, uint32_t magic)
{
	return ipc_handle_live(o) && o->magic == magic;
}

void
ipc_object_ref(struct ipc_object *o)
{
	__atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
}

void
ipc_object_unref(struct ipc_object *o)
{
	if (o == NULL || __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	ipc_object_settle(o);	/* nothing may still write into it */
	free(__atomic_exchange_n(&o->kept, NULL, __ATOMIC_ACQ_REL));
	pthread_mutex_destroy(&o->settle_lock);
	if (o->conn != NULL) {
		o->conn->ops->unreserve(o->conn, &o->abort);
		o->conn->ops->unreserve(o->conn, &o->abandon);
	}
	ipc_conn_unref(o->conn);
	pthread_mutex_destroy(&o->abort.lock);
	pthread_mutex_destroy(&o->abandon.lock);
	o->destroy(o);
}

bool
ipc_object_stale(const struct ipc_object *o)
{
	return o->create_hr != S_OK || ipc_conn_lost(o->conn);
}

/* ---- creates (see also ipc_create.c) ---------------------------------------------- */

/*
 * Asks `c` for a Reply sent at once, so that a create's Reply the daemon
 * holds back (Request.unawaited) comes before it.
 */
static void
ipc_create_nudge(struct ipc_conn *c)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetStatistics gs = WSCHANNEL__GET_STATISTICS__INIT;
	struct ipc_call call;

	/* Counters: answered at once, changes nothing, and its Reply fits
	 * the call's own arena (no malloc: an abort may be what waits). */
	ipc_call_new(&call, sizeof(call), NULL);
	call.conn = c;
	call.api = "a create's reply";
	req.op_case = WSCHANNEL__REQUEST__OP_GET_STATISTICS;
	req.get_statistics = &gs;
	(void)ipc_call_run(&call, &req);
}

void
ipc_object_settle(struct ipc_object *o)
{
	struct ipc_call *call;
	HRESULT hr;

	if (__atomic_load_n(&o->create, __ATOMIC_ACQUIRE) == NULL)
		return;
	pthread_mutex_lock(&o->settle_lock);
	if ((call = o->create) != NULL) {
		pthread_mutex_lock(&ipc_lock);
		/* A loss completes its calls; in a forked child nothing will. */
		if (call->conn->dead && !call->done) {
			call->hr = WS_E_ENDPOINT_DISCONNECTED;
			call->done = true;
		}
		if (!call->done && call->unawaited) {
			pthread_mutex_unlock(&ipc_lock);
			ipc_create_nudge(call->conn);
			pthread_mutex_lock(&ipc_lock);
		}
		(void)ipc_wait(call->conn, call, NULL);
		pthread_mutex_unlock(&ipc_lock);
		hr = call->hr;
		if (SUCCEEDED(hr) && (call->reply == NULL ||
		    call->reply->result_case !=
		    WSCHANNEL__REPLY__RESULT_CREATED))
			hr = WS_E_OTHER;
		if (SUCCEEDED(hr))
			(void)ipc_object_bind(o, call->conn,
			    call->reply->created);
		else {
			o->create_hr = hr;
			__atomic_store_n(&o->known_state, IPC_STATE_UNKNOWN,
			    __ATOMIC_RELAXED);
		}
		ipc_reply_release(call);
		pthread_cond_destroy(&call->cond);
		free(call);
		__atomic_store_n(&o->create, NULL, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&o->settle_lock);
}
