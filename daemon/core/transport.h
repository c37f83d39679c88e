/*
 * The contract between the core and its transports, and the registry of
 * bindings (Redis ConnectionType, relayd's struct protocol).
 *
 * One struct transport_binding per WS_CHANNEL_BINDING says what the
 * binding allows (channel and listener types, encodings, envelope
 * versions, properties) and which transport_ops serve it.  The core reads
 * only these tables and never tests which binding it has; a transport
 * talks back to the core only through the "for transports" functions of
 * channel.h and listener.h, and never sees a field of a core object.
 */
#ifndef WSCHANNEL_TRANSPORT_H
#define WSCHANNEL_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "url.h"

struct channel;
struct listener;
struct envelope;

/*
 * What the core asks of a transport.  Every function is called on the
 * loop.  Unless said otherwise an upcall may run inside any of them, and
 * an upcall may end in abort(): after one, the transport checks
 * channel_tp(ch) (or listener_tp(ls)) before it touches its own state.
 */
struct transport_ops {
	/* Optional.  Can `ch` be opened with its properties (encoding,
	 * envelope version)?  S_OK or the HRESULT, with *why.  No upcall. */
	int32_t		(*check)(struct channel *ch, const char **why);
	/* Starts connecting `ch` to `u` (channel_url(ch) is its string);
	 * the result comes later through channel_transport_opened() or
	 * channel_transport_fault().  Failing here (an HRESULT, no upcall)
	 * faults the channel. */
	int32_t		(*open)(struct channel *ch, const struct url *u);
	/* Encodes `msg` and queues it; the send waits until
	 * channel_transport_sent() or _drained() says it left.  S_OK;
	 * TRANSPORT_SENT when all of it has already left (the send then
	 * completes at once, and no _sent()/_drained() is due for it); or
	 * the HRESULT with *why and nothing queued (the call then fails, the
	 * channel stays OPEN).  No upcall. */
	int32_t		(*send)(struct channel *ch, const struct envelope *msg,
			    const char **why);
	/* A receive became pending: deliver what is buffered, if anything,
	 * through channel_transport_message() / _end() / _fault(). */
	void		(*want_receive)(struct channel *ch);
	/* Queues the session End record; it counts as a send (its pending
	 * waits for _sent() / _drained()).  S_OK or the HRESULT.  No upcall. */
	int32_t		(*shutdown)(struct channel *ch);
	/* Graceful close: the End record first if `send_end`, flush, close,
	 * free its state, then channel_transport_closed(). */
	void		(*close)(struct channel *ch, bool send_end);
	/* Optional.  May a receive start now?  S_OK, or the HRESULT with
	 * *why: the receive (or WsReadMessageStart) then fails at once and
	 * the channel stays as it is.  For a binding whose receive reads what
	 * a send asked for (HTTP REQUEST: the response of the last request),
	 * so a receive with nothing outstanding is refused, not left waiting.
	 * WsRequestReply does not ask: its own send makes one outstanding.
	 * No upcall. */
	int32_t		(*receive_check)(struct channel *ch, const char **why);
	/* Tears down at once and frees its state.  Never fails, never
	 * allocates, makes no upcall then or later for `ch`; does nothing
	 * when it holds nothing for `ch` (channel_tp(ch) == NULL). */
	void		(*abort)(struct channel *ch);

	/* Binds and listens on `u`; S_OK or the HRESULT with *why (then it
	 * holds nothing).  No upcall. */
	int32_t		(*listener_open)(struct listener *ls, const struct url *u,
			    const char **why);
	/* An accept became pending (or was requeued): take peers again, and
	 * hand each one over with listener_transport_incoming(). */
	void		(*listener_accept)(struct listener *ls);
	/* WsCloseListener: stop listening and free its state.  No upcall. */
	void		(*listener_close)(struct listener *ls);
	/* WsAbortListener, or the listener is freed: as listener_close, and
	 * like abort it never fails and never allocates. */
	void		(*listener_abort)(struct listener *ls);
	/* Optional.  WsSetListenerProperty changed property `id` of an open
	 * listener (the new value is listener_prop_value()): apply it now.
	 * S_OK, or the HRESULT with *why (the old value is then restored).
	 * No upcall. */
	int32_t		(*listener_set)(struct listener *ls, uint32_t id,
			    const char **why);
	/* Optional (NULL: the binding cannot stream; WS_E_NOT_SUPPORTED).
	 * A piece of the body of the message being written on a channel in
	 * WS_STREAMED_OUTPUT_TRANSFER_MODE (Envelope.more_body): like send,
	 * but the message goes on; the next piece, or the send that ends
	 * it, comes after this one left (channel_transport_sent()).  No
	 * upcall. */
	int32_t		(*send_part)(struct channel *ch,
			    const struct envelope *msg, const char **why);
	/* Optional (NULL: bodies are never read in pieces).  A
	 * read_body_more became pending on a channel that is mid-read: S_OK
	 * and the next raw piece comes through channel_transport_stream()
	 * (maybe at once), or the HRESULT with *why when no streamed body is
	 * being read (the call then fails, the channel stays as it is). */
	int32_t		(*read_more)(struct channel *ch, const char **why);
};

/* A channel type or an encoding as a bit of the masks below (all the
 * WS_CHANNEL_TYPE and WS_ENCODING values are below 32). */
/* transport_ops.send: the message left at once (S_FALSE's value). */
#define TRANSPORT_SENT		1

#define TRANSPORT_BIT(v)	(1u << (v))

/* One binding: what the core checks before any transport runs. */
struct transport_binding {
	uint32_t	 binding;	/* WS_CHANNEL_BINDING */
	const char	*name;		/* "net.tcp", for logs */
	enum url_scheme	 scheme;	/* the URLs it opens and listens on */
	uint32_t	 channel_types;	/* TRANSPORT_BIT(WS_CHANNEL_TYPE_...) */
	uint32_t	 listener_types;
	uint32_t	 default_encoding;	/* WS_ENCODING of a new channel */
	uint32_t	 encodings;	/* TRANSPORT_BIT(WS_ENCODING_...) allowed */
	bool		 envelope_none;	/* WS_ENVELOPE_VERSION_NONE allowed */
	uint32_t	 prop_bit;	/* its PROP_B_* (common/props.h) */
	/* Optional: a rule of this binding on one property value, after the
	 * common checks of props.c and the ones above.  S_OK or E_INVALIDARG
	 * with *why. */
	int32_t		(*prop_check)(bool listener, uint32_t id,
			    uint64_t value, const char **why);
	/* NULL: a binding this build knows but has no transport for: its
	 * objects can be created and configured, opening them gives
	 * WS_E_NOT_SUPPORTED. */
	const struct transport_ops *ops;
};

/* Makes `tb` the entry of its binding, replacing any (a test registers a
 * fake one).  `tb` must outlive the daemon.  0, or -EINVAL when its
 * binding is out of range or its prop_bit is not 1 << binding. */
int	transport_register(const struct transport_binding *tb);
/* The entry of a WS_CHANNEL_BINDING value, or NULL. */
const struct transport_binding *transport_binding(uint32_t binding);
/* The entry for a new object of `binding`: S_OK, WS_E_NOT_SUPPORTED for a
 * WS_CHANNEL_BINDING without an entry (custom, named pipe), E_INVALIDARG
 * for a value that is no WS_CHANNEL_BINDING; with *why. */
int32_t	transport_lookup(uint32_t binding,
	    const struct transport_binding **out, const char **why);
/* The entry whose URLs have `scheme`, or NULL. */
const struct transport_binding *transport_binding_for_scheme(
	    enum url_scheme scheme);
/* Checks one value of an integer-like channel (or listener) property
 * against the binding's rules above; S_OK or E_INVALIDARG with *why. */
int32_t	transport_prop_check(const struct transport_binding *tb,
	    bool listener, uint32_t id, uint64_t value, const char **why);

#endif
