/*
 * A few freed objects of one kind, kept for the next allocation of that
 * kind: the daemon makes a request and a pending operation or two per
 * message, and their calloc and free were a measurable share of its own
 * work.  Not under AddressSanitizer, where reuse would hide a use after
 * free.  The daemon drains them as it exits.
 */
#ifndef WSCHANNEL_FREELIST_H
#define WSCHANNEL_FREELIST_H

#include <stddef.h>
#include <stdlib.h>

#define FREELIST_MAX	64

struct freelist {
	void	*v[FREELIST_MAX];
	size_t	 n;
};

/* A kept object (its old contents), or NULL. */
static inline void *
freelist_take(struct freelist *f)
{
	return f->n > 0 ? f->v[--f->n] : NULL;
}

/* Keeps p, or frees it when enough are kept. */
static inline void
freelist_give(struct freelist *f, void *p)
{
#ifndef __SANITIZE_ADDRESS__
	if (f->n < FREELIST_MAX) {
		f->v[f->n++] = p;
		return;
	}
#endif
	free(p);
}

static inline void
freelist_drain(struct freelist *f)
{
	while (f->n > 0)
		free(f->v[--f->n]);
}

#endif
