/* The ListChannels Reply of the Unix door (unix_list.c). */
#ifndef UNIX_LIST_H
#define UNIX_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "wschannel.pb-c.h"

struct channel;
struct request;

/* The listing fields of `ch` (a ShowChannel Reply's too). */
void	 unix_fill_channel(const struct channel *ch,
	    Wschannel__ChannelInfo *ci);
/*
 * A frame packed into memory of its own (bigmem): the frame is
 * base[off, off + len).  The block knows its size, so that
 * unix_block_release(base) is all that its release needs (an evbuffer
 * reference's cleanup has the base and nothing else).
 */
struct unix_block {
	uint8_t	*base;
	size_t	 cap, off, len;
};

/* A block with room for a frame of `room` bytes (and for a head to be put
 * in front of it), its frame empty at b->off; -1 when out of memory. */
int	 unix_block_alloc(struct unix_block *b, size_t room);
/* NULL is ignored. */
void	 unix_block_release(void *base);
/*
 * The whole frame of the Reply `tag` listing `r`'s channels and listeners
 * (r->res), header included, into a new block; 0, -ENOMEM, or -EMSGSIZE
 * when larger than a frame may be.  b->base is NULL after a failure.
 */
int	 unix_list_frame(const struct request *r, uint64_t tag,
	    struct unix_block *b);

#endif
