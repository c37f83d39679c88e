/*
 * The Unix door's memory of recent creates, so that a request may name a
 * channel or listener by the create that made it, before its reply came
 * back (proto: Reply.creates_kept).
 */
#ifndef UNIX_REFS_H
#define UNIX_REFS_H

#include <stdint.h>

#include "wschannel.pb-c.h"

/* Creates remembered per connection; the library names only creates at
 * most half as old, so a reference always finds its entry. */
#define UNIX_REFS		64
/* An id with this bit is "the object created by my request (id & ~bit)". */
#define UNIX_REF_BIT		(UINT64_C(1) << 63)

struct unix_refs {
	uint64_t	req[UNIX_REFS];
	uint64_t	id[UNIX_REFS];
	int32_t		hr[UNIX_REFS];
	unsigned	next;
	unsigned	count;
};

void	unix_refs_note(struct unix_refs *, uint64_t, int32_t, uint64_t);
int32_t	unix_refs_resolve(const struct unix_refs *, Wschannel__Request *,
	    const char **);

#endif
