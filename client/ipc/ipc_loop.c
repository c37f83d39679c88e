/*
 * The Windows server loop (accept, receive, reply, close, reset) in two
 * round trips to wschanneld instead of five.  What the calls of the loop
 * need from the wire client:
 *
 * - a message kept with its channel: the accept's Reply brings the first
 *   message (Request.want_message), and the first receive completes from
 *   it at once, through ipc_call_local, without sending anything;
 * - posted requests: a close or reset whose result is known in advance is
 *   written quiet (Request.quiet) and the call returns; the daemon answers
 *   only a refusal, which marks the object so that the next call on it
 *   says so, and the Reply to any later request confirms the rest (ipc.c).
 *
 * Which calls qualify is the library's decision (client/lib); nothing here
 * knows bindings.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ipc_int.h"

/* A packed Envelope. */
struct ipc_kept {
	size_t		 len;
	uint8_t		 data[];
};

HRESULT
ipc_call_local(struct ipc_call *call, HRESULT hr, Wschannel__Reply *r)
{
	pthread_cond_init(&call->cond, NULL);
	call->hr = hr;
	call->reply = r;
	call->reply_arena = true;	/* borrowed: not freed with the call */
	call->done = true;
	hr = ipc_call_finish(call);
	ipc_call_free(call);
	return hr;
}

HRESULT
ipc_object_post(struct ipc_object *o, Wschannel__Request *req,
    uint32_t state, const char *api)
{
	struct ipc_conn *c = o->conn;
	struct ipc_call *call;

	/* Only where the caller's thread writes (the Unix socket), so that
	 * what follows on this thread is written after it. */
	if (ipc_object_stale(o) || c == NULL || !c->leads ||
	    c->ops->send == NULL)
		return S_FALSE;
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return S_FALSE;
	pthread_cond_init(&call->cond, NULL);
	call->allocated = true;
	call->posted = true;
	call->refs = 1;
	call->conn = c;
	call->obj = o;
	call->api = api;
	ipc_object_ref(o);
	__atomic_add_fetch(&o->nposted, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&o->known_state, state, __ATOMIC_RELAXED);
	/* Answered only if it fails; a later Reply confirms it (ipc.c). */
	req->has_quiet = true;
	req->quiet = true;
	if (ipc_call_send(call, req))
		return S_OK;	/* the reader releases it */
	/* Not sent (the connection is gone): nobody else knows the call. */
	__atomic_sub_fetch(&o->nposted, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&o->known_state, IPC_STATE_UNKNOWN, __ATOMIC_RELAXED);
	ipc_object_unref(o);
	call->obj = NULL;
	ipc_call_free(call);
	return S_FALSE;
}

uint32_t
ipc_object_known_state(const struct ipc_object *o)
{
	return __atomic_load_n(&o->known_state, __ATOMIC_RELAXED);
}

bool
ipc_object_idle(const struct ipc_object *o)
{
	/* The handle's reference, the caller's, one per posted request. */
	return __atomic_load_n(&o->refs, __ATOMIC_ACQUIRE) ==
	    2 + __atomic_load_n(&o->nposted, __ATOMIC_ACQUIRE);
}

HRESULT
ipc_object_deferred_take(struct ipc_object *o, const char **api)
{
	HRESULT hr;

	if (__atomic_load_n(&o->deferred_hr, __ATOMIC_ACQUIRE) == S_OK)
		return S_OK;
	if (api != NULL)
		*api = o->deferred_api != NULL ? o->deferred_api : "a call";
	hr = __atomic_exchange_n(&o->deferred_hr, S_OK, __ATOMIC_ACQ_REL);
	return hr;
}

bool
ipc_object_deferred(const struct ipc_object *o)
{
	return __atomic_load_n(&o->deferred_hr, __ATOMIC_ACQUIRE) != S_OK;
}

int
ipc_object_keep(struct ipc_object *o, const Wschannel__Envelope *e)
{
	struct ipc_kept *k;
	size_t len = wschannel__envelope__get_packed_size(e);

	if ((k = malloc(sizeof(*k) + len)) == NULL)
		return -ENOMEM;
	k->len = wschannel__envelope__pack(e, k->data);
	free(__atomic_exchange_n(&o->kept, k, __ATOMIC_ACQ_REL));
	return 0;
}

HRESULT
ipc_object_take_kept(struct ipc_object *o, Wschannel__Envelope **out)
{
	struct ipc_kept *k;

	if (__atomic_load_n(&o->kept, __ATOMIC_ACQUIRE) == NULL ||
	    (k = __atomic_exchange_n(&o->kept, NULL, __ATOMIC_ACQ_REL)) ==
	    NULL)
		return S_FALSE;
	*out = wschannel__envelope__unpack(NULL, k->len, k->data);
	free(k);
	return *out != NULL ? S_OK : E_OUTOFMEMORY;
}

bool
ipc_object_has_kept(const struct ipc_object *o)
{
	return __atomic_load_n(&o->kept, __ATOMIC_ACQUIRE) != NULL;
}

void
ipc_object_drop_kept(struct ipc_object *o)
{
	if (__atomic_load_n(&o->kept, __ATOMIC_ACQUIRE) != NULL)
		free(__atomic_exchange_n(&o->kept, NULL, __ATOMIC_ACQ_REL));
}

void
ipc_object_set_flags(struct ipc_object *o, uint32_t set, uint32_t clear)
{
	if (clear != 0)
		__atomic_and_fetch(&o->lflags, ~clear, __ATOMIC_RELAXED);
	if (set != 0)
		__atomic_or_fetch(&o->lflags, set, __ATOMIC_RELAXED);
}

uint32_t
ipc_object_flags(const struct ipc_object *o)
{
	return __atomic_load_n(&o->lflags, __ATOMIC_RELAXED);
}
