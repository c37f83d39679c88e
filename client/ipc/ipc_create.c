/*
 * Creates that do not wait: a create request the daemon accepted before on
 * the connection is only written (ipc_object_settle binds the object when
 * its reply is needed), and marked unawaited, so that the daemon may send
 * its reply with the next one instead of waking this process for it; any
 * other create waits for its reply, and its key is kept.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ipc_error.h"
#include "ipc_int.h"

/* A create request's key: a hash of its bytes without the request id
 * (0: none, for a request too big to bother). */
static uint64_t
ipc_create_key(const Wschannel__Request *req)
{
	Wschannel__Request copy = *req;
	uint8_t buf[1024];
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i, n;

	copy.id = 0;
	if ((n = wschannel__request__get_packed_size(&copy)) > sizeof(buf))
		return 0;
	wschannel__request__pack(&copy, buf);
	for (i = 0; i < n; i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	return h | 1;
}

/* With ipc_lock held. */
static bool
ipc_create_known(const struct ipc_conn *c, uint64_t key)
{
	size_t i;

	for (i = 0; key != 0 && i < sizeof(c->creates_known) /
	    sizeof(c->creates_known[0]); i++)
		if (c->creates_known[i] == key)
			return true;
	return false;
}

struct ipc_create_call {
	struct ipc_call	 c;
	uint64_t	 id;
};

static HRESULT
ipc_create_finish(struct ipc_call *c, HRESULT hr)
{
	struct ipc_create_call *cc = (struct ipc_create_call *)c;

	if (FAILED(hr))
		return hr;
	if (c->reply == NULL ||
	    c->reply->result_case != WSCHANNEL__REPLY__RESULT_CREATED) {
		ipc_error_add(c->error, "%s: wschanneld's reply carries no "
		    "object id", c->api);
		return WS_E_OTHER;
	}
	cc->id = c->reply->created;
	if (c->reply->has_creates_kept && c->reply->creates_kept)
		__atomic_store_n(&c->conn->refs_ok, true, __ATOMIC_RELAXED);
	return S_OK;
}

HRESULT
ipc_object_create(struct ipc_object *o, struct ipc_conn *c,
    Wschannel__Request *req, WS_ERROR *error, const char *api)
{
	struct ipc_create_call cc;
	struct ipc_call *call = NULL;
	uint64_t key = ipc_create_key(req);
	size_t n = sizeof(c->creates_known) / sizeof(c->creates_known[0]);
	HRESULT hr;

	pthread_mutex_lock(&ipc_lock);
	if (c->ops->send != NULL && !c->dead && ipc_create_known(c, key))
		call = calloc(1, sizeof(*call));
	pthread_mutex_unlock(&ipc_lock);
	if (call != NULL) {
		/* Settled by the next call on the object. */
		pthread_cond_init(&call->cond, NULL);
		call->conn = c;
		call->api = api;
		call->refs = 1;
		o->conn = c;
		o->known_state = 0;	/* CREATED, channel or listener */
		/* Named by its create meanwhile (ipc_object_settle_soon), so
		 * its Reply may come with the next one. */
		if (__atomic_load_n(&c->refs_ok, __ATOMIC_RELAXED)) {
			call->unawaited = true;
			req->has_unawaited = true;
			req->unawaited = true;
		}
		__atomic_store_n(&o->create, call, __ATOMIC_RELEASE);
		ipc_call_send(call, req);
		return S_OK;
	}
	ipc_call_new(&cc, sizeof(cc), NULL);
	cc.c.conn = c;
	cc.c.error = error;
	cc.c.api = api;
	cc.c.finish = ipc_create_finish;
	if (FAILED(hr = ipc_call_run(&cc.c, req)))
		return hr;
	(void)ipc_object_bind(o, c, cc.id);
	o->known_state = 0;
	pthread_mutex_lock(&ipc_lock);
	if (key != 0 && !ipc_create_known(c, key))
		c->creates_known[c->creates_next++ % n] = key;
	pthread_mutex_unlock(&ipc_lock);
	return S_OK;
}
