/*
 * One table of functions per transport (Redis ConnectionType, relayd's
 * struct protocol).  The core calls these; the transport calls back into the
 * core through the channel_transport_* / listener_transport_* functions of
 * channel.h and listener.h.
 */
#ifndef WSCHANNEL_TRANSPORT_H
#define WSCHANNEL_TRANSPORT_H

#include <stdint.h>

struct channel;
struct listener;
struct pending;
struct url;
struct envelope;

struct transport_ops {
	const char	*name;
	/* Can `ch` be opened with its properties (encoding, envelope
	 * version)?  S_OK or the HRESULT, with *why. */
	int32_t		(*check)(struct channel *ch, const char **why);
	/* Starts connecting `ch` to `u`; the result arrives later through
	 * channel_transport_opened() or channel_transport_fault(). */
	int32_t		(*open)(struct channel *ch, const struct url *u);
	/* Encodes `msg` in the channel's wire encoding and queues it for a
	 * SEND pending (already on ch->pendings), which completes when the
	 * bytes have left for the peer. */
	int32_t		(*send)(struct channel *ch, struct pending *p,
			    const struct envelope *msg, const char **why);
	/* Queues the session End record; `p` (a SEND pending already on
	 * ch->pendings) completes when it has left. */
	int32_t		(*shutdown)(struct channel *ch, struct pending *p);
	/* A RECEIVE became pending: deliver what is buffered, if anything. */
	void		(*receive)(struct channel *ch);
	/* Graceful close: End record if `send_end`, flush, close; then
	 * channel_transport_closed(). */
	void		(*close)(struct channel *ch, int send_end);
	/* Tears down at once: no callback into the core afterwards. */
	void		(*abort)(struct channel *ch);

	/* Listener side. */
	int32_t		(*listen)(struct listener *ls, const struct url *u,
			    const char **why);
	/* An accept became pending: hand over a waiting connection, if any. */
	void		(*accept)(struct listener *ls);
	void		(*unlisten)(struct listener *ls);
};

extern const struct transport_ops transport_tcp_ops;

/* Makes `ops` the transport of `binding`; -1 for a binding out of range. */
int	transport_register(uint32_t binding, const struct transport_ops *ops);
/* The transport for a WS_CHANNEL_BINDING, or NULL if this build has none. */
const struct transport_ops *transport_for_binding(uint32_t binding);

#endif
