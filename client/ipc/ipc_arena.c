/*
 * The arenas Replies are decoded into (ipc.h's struct ipc_arena), the
 * allocators protobuf-c is given, and the static arena a Reply is decoded
 * into when malloc fails.
 */
#include <pthread.h>
#include <stdlib.h>

#include "bigmem.h"
#include "ipc_arena.h"

/* Decoding without memory: a Reply that malloc could not hold is decoded
 * again here, keeping only id, hresult and state (one decoder at a time). */
#define IPC_EMERGENCY_SIZE	(256 * 1024)
static pthread_mutex_t	 ipc_emergency_lock = PTHREAD_MUTEX_INITIALIZER;
static _Alignas(16) uint8_t ipc_emergency_mem[IPC_EMERGENCY_SIZE];

struct ipc_arena_chunk {
	struct ipc_arena_chunk *next;
	size_t		  cap, used;
	_Alignas(16) uint8_t mem[];
};

/* The first chunk; each next one twice the last, up to 1 MiB (8
 * doublings), so that a Reply of megabytes (wsctl list) takes a dozen
 * allocations. */
#define IPC_ARENA_CHUNK		4096
#define IPC_ARENA_DOUBLINGS	8

void *
ipc_arena_alloc(void *data, size_t size)
{
	struct ipc_arena *a = data;
	struct ipc_arena_chunk *k = a->chunks;
	size_t n = (size + 15) & ~(size_t)15, cap;

	if (n < size) {
		a->failed = true;
		return NULL;
	}
	if (!a->chunks_only && n <= IPC_ARENA_INLINE - a->used) {
		a->used += n;
		return a->mem + a->used - n;
	}
	if (k != NULL && n <= k->cap - k->used) {
		k->used += n;
		return k->mem + k->used - n;
	}
	cap = (size_t)IPC_ARENA_CHUNK << (a->nchunks < IPC_ARENA_DOUBLINGS ?
	    a->nchunks : IPC_ARENA_DOUBLINGS);
	if (cap < n)
		cap = n;
	if ((k = bigmem_alloc(sizeof(*k) + cap)) == NULL) {
		a->failed = true;
		return NULL;
	}
	k->cap = cap;
	k->used = n;
	k->next = a->chunks;
	a->chunks = k;
	a->nchunks++;
	return k->mem;
}

void
ipc_arena_free(void *data, void *p)
{
	/* Released all at once, with the Reply. */
}

void
ipc_arena_chunks_free(struct ipc_arena_chunk *k)
{
	struct ipc_arena_chunk *next;

	for (; k != NULL; k = next) {
		next = k->next;
		bigmem_free(k, sizeof(*k) + k->cap);
	}
}

void
ipc_arena_reset(struct ipc_arena *a)
{
	ipc_arena_chunks_free(a->chunks);
	a->chunks = NULL;
	a->nchunks = 0;
	a->used = 0;
	a->failed = false;
}

/* The static arena: one region, nothing to free. */
static void *
ipc_arena_emergency_alloc(void *data, size_t size)
{
	struct ipc_arena *a = data;	/* only used and failed */
	size_t n = (size + 15) & ~(size_t)15;

	if (n < size || n > IPC_EMERGENCY_SIZE - a->used) {
		a->failed = true;
		return NULL;
	}
	a->used += n;
	return ipc_emergency_mem + a->used - n;
}

void
ipc_arena_emergency_begin(struct ipc_arena *a, ProtobufCAllocator *alloc)
{
	pthread_mutex_lock(&ipc_emergency_lock);
	a->used = 0;
	a->failed = false;
	a->chunks = NULL;
	a->nchunks = 0;
	alloc->alloc = ipc_arena_emergency_alloc;
	alloc->free = ipc_arena_free;
	alloc->allocator_data = a;
}

void
ipc_arena_emergency_end(void)
{
	pthread_mutex_unlock(&ipc_emergency_lock);
}
