/*
 * The calls every channel and listener handle makes through its object:
 * a request about it, its abort and abandon from reservations made at
 * creation (they must work with malloc failing), and its release.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "backend.h"
#include "ipc_error.h"
#include "ipc_int.h"
#include "hresult.h"

HRESULT
ipc_object_call(struct ipc_object *o, Wschannel__Request *req,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error, const char *api)
{
	struct ipc_call stack, *c;

	ipc_object_settle_soon(o);
	if ((c = ipc_call_new(&stack, sizeof(stack), ctx)) == NULL) {
		ipc_object_unref(o);
		ipc_error_set_code(error, E_OUTOFMEMORY);
		ipc_error_add(error, "%s: out of memory", api);
		return E_OUTOFMEMORY;
	}
	c->conn = o->conn;
	c->obj = o;
	c->error = error;
	c->api = api;
	return ipc_call_run(c, req);
}

/* An abort of an object whose daemon side went with the connection. */
static HRESULT
ipc_object_abort_stale(struct ipc_object *o)
{
	uint32_t closed = o->kind == IPC_CHANNEL ? WS_CHANNEL_STATE_CLOSED :
	    WS_LISTENER_STATE_CLOSED;
	uint32_t faulted = o->kind == IPC_CHANNEL ? WS_CHANNEL_STATE_FAULTED :
	    WS_LISTENER_STATE_FAULTED;

	if (ipc_object_stale_state(o) != closed)
		ipc_object_set_stale_state(o, faulted);
	return S_OK;
}

/*
 * With ipc_lock held.  An abort of `o` is being written, and nothing can
 * be written before it: the calls it ends complete now with
 * WS_E_OPERATION_ABORTED, as the daemon's answers would a moment later
 * (those find no call and are dropped), so that a blocked receive returns
 * after one wake-up instead of the daemon's, and its thread's next
 * request still follows the abort.  Only on a leader/follower connection,
 * where a request is written by its own thread before it waits: a call is
 * ended only once written whole, and never while the reader decodes its
 * Reply.  The daemon, which ends the same operations, keeps the channel's
 * state.  A leader that does not poll (a send's) wakes with the daemon's
 * answers.
 */
static void
ipc_abort_local(struct ipc_conn *c, const struct ipc_object *o)
{
	struct ipc_call *call, *next;

	if (!c->leads || c->dead)
		return;
	for (call = c->pending; call != NULL; call = next) {
		next = call->next;
		if (!call->abortable || !call->written || call->done ||
		    call->posted || call == c->decoding ||
		    (call->obj != o && call->obj2 != o) ||
		    (o->kind == IPC_LISTENER && call->obj2 == NULL))
			continue;
		call->has_state = false;
		ipc_call_abandon(call, WS_E_OPERATION_ABORTED);
		if (c->leader == call && c->lead_poll)
			c->ops->interrupt(c);
	}
}

/* An abort's calls end as it is written (ipc_abort_local). */
static void
ipc_object_abort_first(struct ipc_conn *c, void *arg)
{
	pthread_mutex_lock(&ipc_lock);
	ipc_abort_local(c, arg);
	pthread_mutex_unlock(&ipc_lock);
}

/*
 * Sends a reserved request and waits for its reply.  Nothing here
 * allocates: what is sent was prepared at creation, the call is on this
 * stack, and the I/O thread can read the reply without malloc.  Returns
 * false when the connection is gone (then nothing was sent); otherwise the
 * call holds the result, and call->reply (may be NULL) is the caller's to
 * free.
 */
static bool
ipc_reserved_run(struct ipc_object *o, struct ipc_reserved *r,
    struct ipc_call *call, bool abort)
{
	struct ipc_conn *c = o->conn;

	ipc_object_settle(o);
	/* A queueing backend builds a reservation it lacks at first use. */
	if (ipc_object_stale(o) || (r->len == 0 && c->ops->send != NULL))
		return false;
	pthread_mutex_lock(&r->lock);
	memset(call, 0, sizeof(*call));
	pthread_cond_init(&call->cond, NULL);
	call->conn = c;
	call->id = r->req;
	call->refs = 1;

	pthread_mutex_lock(&ipc_lock);
	if (c->dead) {
		pthread_mutex_unlock(&ipc_lock);
		pthread_mutex_unlock(&r->lock);
		pthread_cond_destroy(&call->cond);
		return false;
	}
	ipc_link(c, call);
	if (c->ops->send == NULL) {
		/* The I/O thread sends the reservation; `obj` is borrowed
		 * (our caller holds a reference). */
		call->reserved = r;
		call->obj = o;
		ipc_queue(c, call);
		pthread_mutex_unlock(&ipc_lock);
		c->ops->wake(c);
	} else {
		pthread_mutex_unlock(&ipc_lock);
		if (abort && c->ops->send_reserved_after != NULL)
			c->ops->send_reserved_after(c, r, ipc_object_abort_first,
			    o);
		else
			c->ops->send_reserved(c, r);
	}

	pthread_mutex_lock(&ipc_lock);
	(void)ipc_wait(c, call, NULL);
	pthread_mutex_unlock(&ipc_lock);
	pthread_mutex_unlock(&r->lock);
	pthread_cond_destroy(&call->cond);
	return true;
}

/* Concurrent aborts of one object take turns on the reservation. */
HRESULT
ipc_object_abort(struct ipc_object *o, WS_ERROR *error, const char *api)
{
	struct ipc_call call;
	HRESULT hr;

	/* Async I/O waits for the daemon's checks again from here. */
	__atomic_store_n(&o->known_state, IPC_STATE_UNKNOWN, __ATOMIC_RELAXED);
	if (!ipc_reserved_run(o, &o->abort, &call, true))
		return ipc_object_abort_stale(o);
	hr = call.hr;
	if (hr == WS_E_ENDPOINT_DISCONNECTED && call.reply == NULL)
		hr = ipc_object_abort_stale(o);
	if (FAILED(hr)) {
		if (call.reply != NULL && call.reply->n_errors > 0)
			ipc_reply_errors(error, call.reply);
		else
			ipc_error_add(error, "%s: %s", api,
			    hresult_text((uint32_t)hr));
		ipc_error_set_code(error, hr);
	}
	ipc_reply_release(&call);
	return hr;
}

HRESULT
ipc_object_abandon(struct ipc_object *o, uint32_t *state)
{
	struct ipc_call call;
	HRESULT hr;

	if (!ipc_reserved_run(o, &o->abandon, &call, false))
		return S_OK;
	hr = call.hr;
	if (hr == WS_E_ENDPOINT_DISCONNECTED && call.reply == NULL)
		hr = S_OK;	/* lost meanwhile: the channel went with it */
	if (state != NULL && call.has_state)
		*state = call.state;
	ipc_reply_release(&call);
	return hr;
}

void
ipc_object_release(struct ipc_object *o)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	struct ipc_call call;

	ipc_object_settle(o);
	if (!ipc_object_stale(o)) {
		/* One round trip: the daemon's free aborts first (pending
		 * calls get their WS_E_OPERATION_ABORTED before its Reply). */
		memset(&call, 0, sizeof(call));
		call.conn = o->conn;
		call.api = o->kind == IPC_CHANNEL ? "WsFreeChannel" :
		    "WsFreeListener";
		ref.id = o->id;
		if (o->kind == IPC_CHANNEL) {
			req.op_case = WSCHANNEL__REQUEST__OP_FREE_CHANNEL;
			req.free_channel = &ref;
		} else {
			req.op_case = WSCHANNEL__REQUEST__OP_FREE_LISTENER;
			req.free_listener = &ref;
		}
		(void)ipc_call_run(&call, &req);
	}
	ipc_object_unref(o);
}

/* ---- the object itself ------------------------------------------------------ */

void
ipc_object_init(struct ipc_object *o, enum ipc_kind kind, uint32_t magic,
    void (*destroy)(struct ipc_object *))
{
	o->magic = magic;
	o->refs = 1;
	o->kind = kind;
	o->stale_state = kind == IPC_CHANNEL ? WS_CHANNEL_STATE_FAULTED :
	    WS_LISTENER_STATE_FAULTED;
	o->known_state = IPC_STATE_UNKNOWN;
	o->create = NULL;
	o->create_hr = S_OK;
	pthread_mutex_init(&o->settle_lock, NULL);
	pthread_mutex_init(&o->abort.lock, NULL);
	pthread_mutex_init(&o->abandon.lock, NULL);
	o->destroy = destroy;
}

/*
 * The daemon remembers the last UNIX_REFS (64) creates of a connection;
 * naming only creates at most 16 old leaves room for those written
 * meanwhile by other threads.
 */
#define IPC_REF_WINDOW	16
#define IPC_REF_BIT	(UINT64_C(1) << 63)

void
ipc_object_settle_soon(struct ipc_object *o)
{
	struct ipc_call *call;
	struct ipc_conn *c;
	bool by_ref = false;

	if (__atomic_load_n(&o->create, __ATOMIC_ACQUIRE) == NULL)
		return;
	pthread_mutex_lock(&o->settle_lock);
	if ((call = o->create) != NULL) {
		c = call->conn;
		pthread_mutex_lock(&ipc_lock);
		by_ref = !call->done && !c->dead && c->refs_ok &&
		    c->creates_sent - call->create_seq < IPC_REF_WINDOW;
		pthread_mutex_unlock(&ipc_lock);
		if (by_ref)
			__atomic_store_n(&o->id, IPC_REF_BIT | call->id,
			    __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&o->settle_lock);
	if (!by_ref)
		ipc_object_settle(o);
}

HRESULT
ipc_object_create_failed(const struct ipc_object *o)
{
	return o->create_hr;
}

uint32_t
ipc_object_stale_state(const struct ipc_object *o)
{
	return __atomic_load_n(&o->stale_state, __ATOMIC_RELAXED);
}

void
ipc_object_set_stale_state(struct ipc_object *o, uint32_t state)
{
	__atomic_store_n(&o->stale_state, state, __ATOMIC_RELAXED);
}
