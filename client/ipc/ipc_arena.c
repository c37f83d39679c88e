/*
 * The arenas Replies are decoded into (ipc.h's struct ipc_arena), the
 * allocators protobuf-c is given, and the static arena a Reply is decoded
 * into when malloc fails.
 */
#include <pthread.h>
#include <stdlib.h>

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

#define IPC_ARENA_CHUNK		4096

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
	if (n <= IPC_ARENA_INLINE - a->used) {
		a->used += n;
		return a->mem + a->used - n;
	}
	if (k != NULL && n <= k->cap - k->used) {
		k->used += n;
		return k->mem + k->used - n;
	}
	cap = n > IPC_ARENA_CHUNK ? n : IPC_ARENA_CHUNK;
	if ((k = malloc(sizeof(*k) + cap)) == NULL) {
		a->failed = true;
		return NULL;
	}
	k->cap = cap;
	k->used = n;
	k->next = a->chunks;
	a->chunks = k;
	return k->mem;
}

void
ipc_arena_free(void *data, void *p)
{
	/* Released all at once, with the Reply. */
}

void
ipc_arena_reset(struct ipc_arena *a)
{
	struct ipc_arena_chunk *k;

	while ((k = a->chunks) != NULL) {
		a->chunks = k->next;
		free(k);
	}
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

/* malloc, remembering whether it failed: tells a payload that does not
 * decode from a decoder that ran out of memory. */
void *
ipc_arena_track_alloc(void *data, size_t size)
{
	struct ipc_arena *a = data;
	void *p;

	if ((p = malloc(size)) == NULL)
		a->failed = true;
	return p;
}

void
ipc_arena_track_free(void *data, void *p)
{
	free(p);
}

void
ipc_arena_emergency_begin(struct ipc_arena *a, ProtobufCAllocator *alloc)
{
	pthread_mutex_lock(&ipc_emergency_lock);
	a->used = 0;
	a->failed = false;
	a->chunks = NULL;
	alloc->alloc = ipc_arena_emergency_alloc;
	alloc->free = ipc_arena_free;
	alloc->allocator_data = a;
}

void
ipc_arena_emergency_end(void)
{
	pthread_mutex_unlock(&ipc_emergency_lock);
}
