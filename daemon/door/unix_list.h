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
 * The whole frame of the Reply `tag` listing `r`'s channels and listeners
 * (r->res), header included, in a block of *len bytes to release with
 * bigmem_free; NULL when out of memory (*len 0) or larger than a frame
 * may be (*len its size).
 */
uint8_t	*unix_list_frame(const struct request *r, uint64_t tag, size_t *len);

#endif
