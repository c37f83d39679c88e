/* wsctl's requests: one Reply each, with a deadline. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipc_arena.h"
#include "ipc_int.h"
#include "hresult.h"

/* What a request that ended without a Reply tells wsctl. */
static int
ipc_request_errno(HRESULT hr)
{
	switch (hr) {
	case WS_E_ENDPOINT_DISCONNECTED:
		return -ECONNRESET;
	case WS_E_ENDPOINT_UNREACHABLE:
		return -EHOSTUNREACH;
	case WS_E_OPERATION_TIMED_OUT:
		return -ETIMEDOUT;
	case E_OUTOFMEMORY:
		return -ENOMEM;
	case WS_E_QUOTA_EXCEEDED:
		return -EMSGSIZE;
	default:
		return -EPROTO;
	}
}

/*
 * A Reply handed out: a copy of its top level, and what holds the rest,
 * the arena chunks it was decoded into (a megabyte list is a dozen
 * mallocs, not three per channel) or a tree a backend built with malloc.
 */
struct ipc_reply_box {
	struct ipc_arena_chunk	*chunks;
	Wschannel__Reply	*tree;
	Wschannel__Reply	 r;
};

static Wschannel__Reply *
ipc_reply_box(struct ipc_call *call)
{
	struct ipc_reply_box *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if (call->reply == NULL) {
		/* Decoded without memory: only the HRESULT is left. */
		wschannel__reply__init(&b->r);
		b->r.id = call->id;
		b->r.hresult = (uint32_t)call->hr;
		return &b->r;
	}
	b->r = *call->reply;
	if (call->reply_arena) {
		b->chunks = call->arena.chunks;
		call->arena.chunks = NULL;
	} else
		b->tree = call->reply;
	call->reply = NULL;
	call->reply_arena = false;
	return &b->r;
}

void
ipc_reply_free(Wschannel__Reply *r)
{
	struct ipc_reply_box *b;

	if (r == NULL)
		return;
	b = (struct ipc_reply_box *)(void *)((char *)r -
	    offsetof(struct ipc_reply_box, r));
	if (b->tree != NULL)
		wschannel__reply__free_unpacked(b->tree, NULL);
	ipc_arena_chunks_free(b->chunks);
	free(b);
}

int
ipc_request(struct ipc_conn *c, Wschannel__Request *req, int timeout_ms,
    Wschannel__Reply **out)
{
	return ipc_request_frame(c, req, timeout_ms, NULL, NULL, out);
}

int
ipc_request_frame(struct ipc_conn *c, Wschannel__Request *req,
    int timeout_ms, size_t (*fn)(void *, const uint8_t *, size_t), void *arg,
    Wschannel__Reply **out)
{
	struct ipc_call call;
	pthread_condattr_t attr;
	struct timespec ts;
	bool timed_out = false;
	int r = 0;

	memset(&call, 0, sizeof(call));
	call.conn = c;
	call.api = "request";
	call.refs = 1;
	call.frame_fn = fn;
	call.frame_arg = arg;
	/* Handed out to the caller with the chunks (ipc_reply_box). */
	call.arena.chunks_only = true;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&call.cond, &attr);
	pthread_condattr_destroy(&attr);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (timeout_ms >= 0) {
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&ipc_lock);
	c->why[0] = '\0';
	pthread_mutex_unlock(&ipc_lock);
	ipc_call_send(&call, req);

	pthread_mutex_lock(&ipc_lock);
	timed_out = !ipc_wait(c, &call, timeout_ms < 0 ? NULL : &ts);
	pthread_mutex_unlock(&ipc_lock);
	if (timed_out) {
		/* Given up: the loss that follows completes the call. */
		c->ops->shutdown(c);
		pthread_mutex_lock(&ipc_lock);
		(void)ipc_wait(c, &call, NULL);
		pthread_mutex_unlock(&ipc_lock);
		r = -ETIMEDOUT;
	} else if (call.reply == NULL && FAILED(call.hr))
		r = ipc_request_errno(call.hr);
	else if ((*out = ipc_reply_box(&call)) == NULL)
		r = -ENOMEM;
	ipc_reply_release(&call);
	pthread_cond_destroy(&call.cond);
	return r;
}

const char *
ipc_conn_why(struct ipc_conn *c)
{
	/* The I/O thread wrote it before it completed the request. */
	return c->why[0] != '\0' ? c->why : NULL;
}
