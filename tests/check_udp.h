/* What check_udp.c shares with its vector table. */
#ifndef WSCHANNEL_CHECK_UDP_H
#define WSCHANNEL_CHECK_UDP_H

#include <stddef.h>

struct udp_vector {
	const char	*id;		/* "A1", as in the capture */
	size_t		 size;
	const char	*sha256;	/* hex, of the payload */
	const char	*payload;	/* `size` bytes */
};

/* Ends with an entry whose id is NULL. */
extern const struct udp_vector udp_vectors[];

#endif
