/*
 * The handles that are alive (ipc.h): an open-addressing set of pointers,
 * so that a call on a freed handle is refused without reading it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "ipc.h"

/* The live handles: an open-addressing set of pointers; a deleted slot
 * holds ipc_handle_tomb until the next rehash. */
#define IPC_HANDLES_MIN		64
static pthread_rwlock_t	 ipc_handles_lock = PTHREAD_RWLOCK_INITIALIZER;
static const void	**ipc_handles;
static size_t		 ipc_handles_cap;	/* a power of two */
static size_t		 ipc_handles_used;	/* live + tombstones */
static size_t		 ipc_handles_live;
static const char	 ipc_handle_tomb_mark;
#define ipc_handle_tomb	((const void *)&ipc_handle_tomb_mark)


void
ipc_handle_atfork_prepare(void)
{
	pthread_rwlock_wrlock(&ipc_handles_lock);
}

void
ipc_handle_atfork_parent(void)
{
	pthread_rwlock_unlock(&ipc_handles_lock);
}

/* Handles stay what they were (the child may free them); the lock is new. */
void
ipc_handle_atfork_child(void)
{
	pthread_rwlock_init(&ipc_handles_lock, NULL);
}

static size_t
ipc_handle_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* With the write lock held: the table rebuilt with room for more. */
static int
ipc_handle_grow(void)
{
	const void **t, **old = ipc_handles;
	size_t cap = IPC_HANDLES_MIN, i, j, oldcap = ipc_handles_cap;

	while (cap < (ipc_handles_live + 1) * 4)
		cap *= 2;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return -ENOMEM;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL || old[i] == ipc_handle_tomb)
			continue;
		for (j = ipc_handle_hash(old[i]) & (cap - 1); t[j] != NULL;
		    j = (j + 1) & (cap - 1))
			;
		t[j] = old[i];
	}
	free(old);
	ipc_handles = t;
	ipc_handles_cap = cap;
	ipc_handles_used = ipc_handles_live;
	return 0;
}

int
ipc_handle_add(const void *p)
{
	size_t j;
	int r = 0;

	pthread_rwlock_wrlock(&ipc_handles_lock);
	if ((ipc_handles_used + 1) * 2 > ipc_handles_cap &&
	    (r = ipc_handle_grow()) != 0)
		goto out;
	for (j = ipc_handle_hash(p) & (ipc_handles_cap - 1);
	    ipc_handles[j] != NULL && ipc_handles[j] != ipc_handle_tomb;
	    j = (j + 1) & (ipc_handles_cap - 1))
		;
	if (ipc_handles[j] == NULL)
		ipc_handles_used++;
	ipc_handles[j] = p;
	ipc_handles_live++;
out:
	pthread_rwlock_unlock(&ipc_handles_lock);
	return r;
}

/* With a lock held: the slot of `p`, or -1. */
static ssize_t
ipc_handle_find(const void *p)
{
	size_t j;

	if (ipc_handles_cap == 0)
		return -1;
	for (j = ipc_handle_hash(p) & (ipc_handles_cap - 1);
	    ipc_handles[j] != NULL; j = (j + 1) & (ipc_handles_cap - 1))
		if (ipc_handles[j] == p)
			return (ssize_t)j;
	return -1;
}

void
ipc_handle_del(const void *p)
{
	ssize_t j;

	if (p == NULL)
		return;
	pthread_rwlock_wrlock(&ipc_handles_lock);
	if ((j = ipc_handle_find(p)) >= 0) {
		ipc_handles[j] = ipc_handle_tomb;
		ipc_handles_live--;
	}
	pthread_rwlock_unlock(&ipc_handles_lock);
}

bool
ipc_handle_live(const void *p)
{
	bool live;

	if (p == NULL)
		return false;
	pthread_rwlock_rdlock(&ipc_handles_lock);
	live = ipc_handle_find(p) >= 0;
	pthread_rwlock_unlock(&ipc_handles_lock);
	return live;
}
