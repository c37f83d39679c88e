/* Large short-lived blocks with their pages in (bigmem.h). */
#include <sys/mman.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "bigmem.h"

/* Each mapping starts with its size; what the caller gets follows. */
#define BIGMEM_HEAD	64
#define BIGMEM_KEEP	3
#define BIGMEM_KEEP_MAX	(8u << 20)	/* larger ones are unmapped */

static pthread_mutex_t	 bigmem_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t		*bigmem_kept[BIGMEM_KEEP];

static size_t
bigmem_size(const uint8_t *m)
{
	return *(const size_t *)(const void *)m;
}

/* The smallest kept mapping of at least `size` bytes, or NULL. */
static uint8_t *
bigmem_take(size_t size)
{
	uint8_t *m = NULL;
	int i, best = -1;

	/* Never waited for: a child forked while a thread of its parent
	 * held the lock would wait forever. */
	if (pthread_mutex_trylock(&bigmem_lock) != 0)
		return NULL;
	for (i = 0; i < BIGMEM_KEEP; i++)
		if (bigmem_kept[i] != NULL && bigmem_size(bigmem_kept[i]) >=
		    size && (best < 0 || bigmem_size(bigmem_kept[i]) <
		    bigmem_size(bigmem_kept[best])))
			best = i;
	if (best >= 0) {
		m = bigmem_kept[best];
		bigmem_kept[best] = NULL;
	}
	pthread_mutex_unlock(&bigmem_lock);
	return m;
}

void *
bigmem_alloc(size_t len)
{
	size_t size = BIGMEM_HEAD + len, page = 4096;
	uint8_t *m;

	if (len < BIGMEM_MIN)
		return malloc(len);
	if (size < len)
		return NULL;
	if ((m = bigmem_take(size)) == NULL) {
		size = (size + page - 1) & ~(page - 1);
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		*(size_t *)(void *)m = size;
	}
	return m + BIGMEM_HEAD;
}

/*
 * The three largest mappings freed are kept for the next large blocks
 * (a listing takes three: its array, its pointers, its frame), so that
 * listing every channel again does not map and populate megabytes again
 * (a fresh page costs a trap on first touch even populated, on a virtual
 * machine).  At most BIGMEM_KEEP mappings of BIGMEM_KEEP_MAX each: a
 * 50,000-channel listing fits, a process that once carried a huge
 * message does not keep it.
 */
void
bigmem_free(void *p, size_t len)
{
	uint8_t *m, *drop;
	int i, slot = -1;

	if (p == NULL)
		return;
	if (len < BIGMEM_MIN) {
		free(p);
		return;
	}
	drop = m = (uint8_t *)p - BIGMEM_HEAD;
	if (bigmem_size(m) > BIGMEM_KEEP_MAX) {
		(void)munmap(m, bigmem_size(m));
		return;
	}
	if (pthread_mutex_trylock(&bigmem_lock) != 0) {
		(void)munmap(m, bigmem_size(m));
		return;
	}
	/* An empty slot, else the smallest kept, which `m` may replace. */
	for (i = 0; i < BIGMEM_KEEP; i++) {
		if (bigmem_kept[i] == NULL) {
			slot = i;
			break;
		}
		if (slot < 0 ||
		    bigmem_size(bigmem_kept[i]) < bigmem_size(bigmem_kept[slot]))
			slot = i;
	}
	if (bigmem_kept[slot] == NULL ||
	    bigmem_size(bigmem_kept[slot]) < bigmem_size(m)) {
		drop = bigmem_kept[slot];
		bigmem_kept[slot] = m;
	}
	pthread_mutex_unlock(&bigmem_lock);
	if (drop != NULL)
		(void)munmap(drop, bigmem_size(drop));
}
