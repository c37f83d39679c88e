/*
 * Memory for something large and short-lived (a listing of every channel,
 * the frame that carries it): below BIGMEM_MIN plain malloc, above it a
 * mapping of its own with its pages already in (MAP_POPULATE).  Touching
 * a fresh page one at a time costs a fault each, and on the virtual
 * machines this runs on a fault is a trap to the hypervisor: the first
 * `wsctl list` of 20,000 channels took 1,200 of them in the daemon, two
 * thirds of its time.
 */
#ifndef WSCHANNEL_BIGMEM_H
#define WSCHANNEL_BIGMEM_H

#include <stddef.h>

#define BIGMEM_MIN	(128 * 1024)

/* Not zeroed. */
void	*bigmem_alloc(size_t len);
/* `len` as given to the allocation; NULL is ignored.  A freed mapping may
 * be kept for the next large block (bigmem.c). */
void	 bigmem_free(void *p, size_t len);

#endif
