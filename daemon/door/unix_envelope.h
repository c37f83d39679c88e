/* The Unix door's Envelope and the daemon's struct envelope. */
#ifndef UNIX_ENVELOPE_H
#define UNIX_ENVELOPE_H

#include "wschannel.pb-c.h"

#include "envelope.h"
#include "httphdr.h"

/* Room for the HTTP headers of an outgoing envelope (the transports hand
 * over at most HTTPHDR_MAX_COUNT). */
struct unix_http_out {
	Wschannel__HttpHeader	 h[HTTPHDR_MAX_COUNT];
	Wschannel__HttpHeader	*p[HTTPHDR_MAX_COUNT];
};

/* A copy of `e` in `env` (cleared first), 0; -ENOMEM. */
int	unix_envelope_in(const Wschannel__Envelope *e, struct envelope *env);
/* `e` pointing into `env` (nothing copied), its HTTP headers in `ho`. */
void	unix_envelope_out(const struct envelope *env, Wschannel__Envelope *e,
	    struct unix_http_out *ho);

#endif
