/*
 * net.tcp: .NET Message Framing over TCP, on the connection I/O of
 * tcp_sock.c (libevent events, no bufferevent).
 *
 * Reading is lazy: bytes wait in the connection's input (bounded by its
 * watermark) until a receive is pending, so a peer that sends garbage or
 * vanishes is noticed by the receive that would have read it, and a slow
 * application gives the peer TCP backpressure.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "encoding.h"
#include "envelope.h"
#include "listener.h"
#include "log.h"
#include "nmf.h"
#include "registry.h"
#include "transport.h"
#include "url.h"
#include "tcp_sock.h"

/* Preamble records are small; a Via longer than this is hostile. */
#define TCP_PREAMBLE_MAX	4096
/*
 * Output queued toward a peer that does not read: past this, a send is
 * refused with WS_E_QUOTA_EXCEEDED (the channel stays OPEN) instead of
 * growing the daemon.  A send waits until its bytes left, so this only
 * binds concurrent sends; one message may overshoot it by its own size.
 */
#define TCP_OUTPUT_MAX		(4u * 1024 * 1024)
/*
 * Accepted connections whose preamble is being read (or is complete and
 * waits for an accept), per listener.  Preambles are read side by side,
 * so peers that trickle theirs cannot stand between a waiting accept and
 * a healthy client; past this many the rest wait in the kernel's backlog.
 */
#define TCP_POOL_MAX		64

/* "[v6 address]:port", with room to spare. */
#define TCP_PEER_LEN		80

enum tcp_phase {
	TP_RESOLVING,		/* client: host name lookup in flight */
	TP_CONNECTING,		/* client: connect in flight */
	TP_AWAIT_ACK,		/* client: preamble sent, waiting for the ack */
	TP_PREAMBLE,		/* server: reading the peer's preamble */
	TP_READY,		/* server: preamble done, waiting for an accept */
	TP_OPEN,
	TP_CLOSING,		/* flushing, waiting for the peer's End */
};

struct tcp_conn {
	struct channel		*ch;
	struct tcp_io		 io;
	enum tcp_phase		 phase;
	/* Flags as bits (memory per idle channel). */
	bool			 eof:1;		/* peer closed its side */
	/* The peer's End record was read: its side of the session is over,
	 * so a graceful close need not wait for it. */
	bool			 got_end:1;
	bool			 got_version:1, got_mode:1, got_via:1,
				 got_encoding:1;
	bool			 in_open:1;	/* inside tcp_open */
	/* Client side, awaiting the ack: connected to a listener of ours
	 * (`tl`, on its `local` list through pool_entry). */
	bool			 local:1;
	int			 sock_err;	/* errno of a failed socket */
	int32_t			 open_hr;	/* what tcp_open returns */
	/* Accepted side: what the preamble announced, which the channel
	 * adopts only once the preamble is complete. */
	char			*via;
	uint32_t		 peer_encoding, peer_envelope;
	/* The codec of the session, once its encoding is known. */
	struct encoding		*enc;
	/* Accepted side: the peer's preamble must end within the
	 * listener's CONNECT_TIMEOUT. */
	struct event		*hs_timer;
	/* Accepted side, until an accept takes it: the listener's pool, and
	 * the preamble's bytes, counted on the channel once it has one.
	 * Client side, while `local`: the listener of ours it connected
	 * to. */
	struct tcp_listener	*tl;
	TAILQ_ENTRY(tcp_conn)	 pool_entry;
	uint64_t		 pre_bytes;
	/* Client side: the lookup of the host, on the loop (evdns), within
	 * the channel's RESOLVE_TIMEOUT. */
	struct evdns_getaddrinfo_request *dns_req;
	/* One or the other (memory per channel): while TP_RESOLVING the
	 * lookup's timer; later, until the channel has it, the peer's
	 * address, known from connect or accept rather than asked of the
	 * socket. */
	union {
		struct event	*dns_timer;
		char		*peer;
	};
};

struct tcp_listener {
	struct listener		*ls;
	/* The listening socket and its read readiness: armed when an accept
	 * waits, and disarmed lazily, by a wake-up that finds none. */
	evutil_socket_t		 fd;
	struct event		*ev;
	int			 armed;
	/* Connections in their preamble or ready (TCP_POOL_MAX). */
	TAILQ_HEAD(, tcp_conn)	 pool;
	unsigned		 npool;
	/* accept(2) failed (EMFILE...): paused until `retry` fires, and
	 * `warned` keeps the log to one line per shortage. */
	struct event		*retry;
	int			 paused;
	int			 warned;
	/* Where it listens, and our own clients that connected to it and
	 * wait for their ack (the loopback short cut, tcp_local_*). */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	TAILQ_HEAD(, tcp_conn)	 local;
	TAILQ_ENTRY(tcp_listener) entry;
};

static TAILQ_HEAD(, tcp_listener) tcp_listeners =
    TAILQ_HEAD_INITIALIZER(tcp_listeners);

static void	tcp_pool_remove(struct tcp_conn *);
static void	tcp_drained(struct tcp_conn *);
static void	tcp_io_event(void *, enum tcp_io_what, int);
static void	tcp_open_fail(struct tcp_conn *, int32_t, const char *);

static void
tcp_conn_free(struct tcp_conn *c, int reset)
{
	if (c == NULL)
		return;
	tcp_pool_remove(c);
	if (c->dns_req != NULL) {
		/* Its callback then sees EVUTIL_EAI_CANCEL and touches
		 * nothing. */
		evdns_getaddrinfo_cancel(c->dns_req);
		c->dns_req = NULL;
	}
	if (c->phase == TP_RESOLVING) {
		if (c->dns_timer != NULL)
			event_free(c->dns_timer);
	} else
		free(c->peer);
	encoding_free(c->enc);
	free(c->via);
	if (c->hs_timer != NULL)
		event_free(c->hs_timer);
	/* Frees `c` too, after the reset when there is one. */
	tcp_io_release(&c->io, reset, c);
}

/* The codec (and MC-NBFSE dictionaries), once the encoding is known. */
static int
tcp_start_session(struct tcp_conn *c)
{
	return encoding_new((uint32_t)channel_prop_value(c->ch,
	    WS_CHANNEL_PROPERTY_ENCODING), (uint32_t)channel_prop_value(c->ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), (uint32_t)
	    channel_prop_value(c->ch,
	    WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE), &c->enc);
}

/* Tells the channel its peer's address (REMOTE_IP_ADDRESS, listings),
 * which the connection then no longer keeps. */
static void
tcp_note_remote(struct tcp_conn *c)
{
	if (c->peer != NULL && strcmp(c->peer, "?") != 0)
		channel_transport_peer(c->ch, c->peer);
	free(c->peer);
	c->peer = NULL;
}

/* The peer's address for a log line. */
static const char *
tcp_peer(const struct tcp_conn *c)
{
	return c->peer != NULL ? c->peer : "?";
}

/* Input may hold one whole message of the allowed size and its framing. */
static void
tcp_set_watermark(struct tcp_conn *c)
{
	size_t max = (size_t)channel_prop_value(c->ch,
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE);

	tcp_io_set_max(&c->io, max > 0x7fff0000 ? 0x7fff0000 + 16 : max + 16);
}

/* A SizedEnvelope that is not all there yet: its whole size, so that the
 * rest is read into place. */
static void
tcp_expect(struct tcp_conn *c, const uint8_t *p, size_t len)
{
	uint32_t size;
	int k;

	if (len < 2 || p[0] != NMF_SIZED_ENVELOPE)
		return;
	if ((k = nmf_mbi31_decode(p + 1, len - 1, &size)) > 0)
		tcp_io_expect(&c->io, 1 + (size_t)k + size);
}

static int
tcp_write_simple(struct tcp_conn *c, enum nmf_record_type type)
{
	uint8_t b[1];

	nmf_encode_simple(b, sizeof(b), type);
	return tcp_io_queue(&c->io, b, 1);
}

/* A one-byte record written at once when nothing is queued (a record
 * whose leaving no send waits for: the PreambleAck). */
static int
tcp_write_now(struct tcp_conn *c, enum nmf_record_type type)
{
	uint8_t b[1];

	nmf_encode_simple(b, sizeof(b), type);
	return tcp_io_send(&c->io, b, 1, NULL, 0, NULL, 0) < 0 ? -1 : 0;
}

/* Sends a framing Fault straight to the socket before it is torn down. */
static void
tcp_send_fault_now(struct tcp_conn *c, const char *fault)
{
	uint8_t buf[512];
	size_t n;

	n = nmf_encode_fault(buf, sizeof(buf), fault);
	if (n <= sizeof(buf) && c->io.fd != -1)
		(void)tcp_io_write_raw(&c->io, buf, n);
}

/* Client side: process records while waiting for the PreambleAck. */
static void
tcp_process_ack(struct tcp_conn *c)
{
	struct channel *ch = c->ch;
	struct nmf_record rec;
	const uint8_t *p;
	size_t len;
	int n;

	p = tcp_io_data(&c->io, &len);
	if (len == 0)
		return;
	n = nmf_record_decode(p, len, TCP_PREAMBLE_MAX, &rec);
	if (n == 0)
		return;
	tcp_pool_remove(c);	/* off its listener's local list */
	if (n < 0 || (rec.type != NMF_PREAMBLE_ACK && rec.type != NMF_FAULT)) {
		channel_transport_fault(ch, WS_E_INVALID_FORMAT,
		    "the endpoint did not answer the preamble with an ack");
		return;
	}
	if (rec.type == NMF_FAULT) {
		int notfound = rec.size >= 16 &&
		    memmem(rec.data, rec.size, "EndpointNotFound", 16) != NULL;

		channel_transport_fault(ch, notfound ?
		    WS_E_ENDPOINT_NOT_FOUND : WS_E_ENDPOINT_FAULT_RECEIVED,
		    "the endpoint refused the preamble with a framing fault");
		return;
	}
	tcp_io_drain(&c->io, (size_t)n);
	channel_transport_count(ch, (uint64_t)n, 0);
	if (tcp_start_session(c) != 0) {
		channel_transport_fault(ch, E_OUTOFMEMORY,
		    "cannot allocate the session dictionaries");
		return;
	}
	c->phase = TP_OPEN;
	tcp_set_watermark(c);
	channel_transport_opened(ch);
}

static void	tcp_preamble_fail(struct tcp_conn *, int32_t, const char *);
static void	tcp_pool_ready(struct tcp_conn *);

/*
 * Server side: the peer's preamble, record by record, before any channel
 * has it (the connection is in its listener's pool).  1 when `c` left the
 * pool (failed, freed, or handed to an accept), 0 while it stays.
 */
static int
tcp_process_preamble(struct tcp_conn *c)
{
	struct nmf_record rec;
	const uint8_t *p;
	size_t len;
	int n;

	for (;;) {
		p = tcp_io_data(&c->io, &len);
		if (len == 0)
			return 0;
		n = nmf_record_decode(p, len, TCP_PREAMBLE_MAX, &rec);
		if (n == 0)
			return 0;
		if (n < 0)
			goto bad;
		switch (rec.type) {
		case NMF_VERSION:
			if (c->got_version)
				goto bad;
			if (rec.major != 1 || rec.minor != 0) {
				tcp_send_fault_now(c, NMF_FAULT_UNSUPPORTED_VERSION);
				tcp_preamble_fail(c, WS_E_NOT_SUPPORTED,
				    "peer speaks an unsupported framing version");
				return 1;
			}
			c->got_version = 1;
			break;
		case NMF_MODE:
			if (!c->got_version || c->got_mode)
				goto bad;
			if (rec.mode != NMF_MODE_DUPLEX) {
				tcp_send_fault_now(c, NMF_FAULT_UNSUPPORTED_MODE);
				tcp_preamble_fail(c, WS_E_NOT_SUPPORTED,
				    "peer asked for a framing mode other than duplex");
				return 1;
			}
			c->got_mode = 1;
			break;
		case NMF_VIA:
			if (!c->got_mode || c->got_via)
				goto bad;
			if ((c->via = strndup((const char *)rec.data,
			    rec.size)) == NULL) {
				tcp_preamble_fail(c, E_OUTOFMEMORY,
				    "cannot keep the peer's Via");
				return 1;
			}
			c->got_via = 1;
			break;
		case NMF_KNOWN_ENCODING:
			if (!c->got_via || c->got_encoding)
				goto bad;
			if (nmf_encoding_to_ws(rec.encoding, &c->peer_encoding,
			    &c->peer_envelope) != 0) {
				tcp_send_fault_now(c, NMF_FAULT_UNSUPPORTED_ENCODING);
				tcp_preamble_fail(c, WS_E_NOT_SUPPORTED,
				    "peer announced an encoding this build does not speak");
				return 1;
			}
			c->got_encoding = 1;
			break;
		case NMF_EXTENSIBLE_ENCODING:
			tcp_send_fault_now(c, NMF_FAULT_UNSUPPORTED_ENCODING);
			tcp_preamble_fail(c, WS_E_NOT_SUPPORTED,
			    "peer announced an extensible encoding");
			return 1;
		case NMF_PREAMBLE_END:
			if (!c->got_encoding)
				goto bad;
			tcp_io_drain(&c->io, (size_t)n);
			c->pre_bytes += (uint64_t)n;
			tcp_pool_ready(c);
			return c->tl == NULL;
		default:
			goto bad;
		}
		tcp_io_drain(&c->io, (size_t)n);
		c->pre_bytes += (uint64_t)n;
	}
bad:
	tcp_preamble_fail(c, WS_E_INVALID_FORMAT,
	    "malformed or out-of-order preamble record");
	return 1;
}

/* OPEN: hand complete messages to pending receives. */
static void
tcp_process_messages(struct tcp_conn *c)
{
	struct channel *ch = c->ch;
	struct nmf_record rec;
	struct envelope env;
	const uint8_t *data;
	const char *why;
	size_t len;
	int32_t hr;
	int n;

	while (channel_tp(ch) == c && channel_transport_receiving(ch)) {
		data = tcp_io_data(&c->io, &len);
		if (len == 0) {
			if (c->eof || c->sock_err)
				channel_transport_fault(ch,
				    WS_E_ENDPOINT_DISCONNECTED,
				    c->eof ? "peer closed the connection" :
				    "the connection was reset");
			return;
		}
		n = nmf_record_decode(data, len, (uint32_t)channel_prop_value(ch,
		    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE), &rec);
		if (n == -EMSGSIZE) {
			tcp_send_fault_now(c, NMF_FAULT_MAX_MESSAGE_SIZE);
			channel_transport_fault(ch, WS_E_QUOTA_EXCEEDED,
			    "peer sent a message larger than MAX_BUFFERED_MESSAGE_SIZE");
			return;
		}
		if (n < 0) {
			channel_transport_fault(ch, WS_E_INVALID_FORMAT,
			    "peer sent a malformed framing record");
			return;
		}
		if (n == 0) {
			if (c->eof || c->sock_err)
				channel_transport_fault(ch,
				    WS_E_ENDPOINT_DISCONNECTED,
				    "connection ended in the middle of a record");
			else
				tcp_expect(c, data, len);
			return;
		}
		switch (rec.type) {
		case NMF_SIZED_ENVELOPE:
			memset(&env, 0, sizeof(env));
			why = "malformed message";
			if ((hr = encoding_decode(c->enc, rec.data, rec.size,
			    &env, &why)) != S_OK) {
				channel_transport_fault(ch, hr, why);
				return;
			}
			tcp_io_drain(&c->io, (size_t)n);
			channel_transport_count(ch, (uint64_t)n, 0);
			channel_transport_message(ch, &env);
			break;
		case NMF_END:
			tcp_io_drain(&c->io, (size_t)n);
			channel_transport_count(ch, (uint64_t)n, 0);
			c->got_end = 1;
			channel_transport_end(ch);
			return;
		case NMF_FAULT:
			channel_transport_fault(ch, WS_E_ENDPOINT_FAULT_RECEIVED,
			    "peer sent a framing fault");
			return;
		default:
			channel_transport_fault(ch, WS_E_INVALID_FORMAT,
			    "unexpected framing record in an open session");
			return;
		}
	}
}

static void	tcp_finish_close(struct tcp_conn *);
static void	tcp_pool_drop(struct tcp_conn *, const char *);

/*
 * CLOSING: the application will receive nothing more, so what the peer
 * still sends is skipped until its End record.  Its Fault, a record that
 * does not parse or one over MAX_BUFFERED_MESSAGE_SIZE ends the wait at
 * once: that peer is not closing gracefully (-1).  1 when the wait is
 * over, 0 while it goes on.
 */
static int
tcp_process_closing(struct tcp_conn *c)
{
	struct nmf_record rec;
	const uint8_t *data;
	size_t len;
	int n;

	while (!c->got_end && (data = tcp_io_data(&c->io, &len), len > 0)) {
		n = nmf_record_decode(data, len, (uint32_t)channel_prop_value(
		    c->ch, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE), &rec);
		if (n == 0) {
			tcp_expect(c, data, len);
			break;
		}
		if (n < 0 || (rec.type != NMF_SIZED_ENVELOPE &&
		    rec.type != NMF_END))
			return -1;
		tcp_io_drain(&c->io, (size_t)n);
		channel_transport_count(c->ch, (uint64_t)n, 0);
		if (rec.type == NMF_END)
			c->got_end = 1;
	}
	return c->got_end || c->eof || c->sock_err;
}

/*
 * CLOSING: done once our output (and End) left and the peer's End or FIN
 * came, as .NET Message Framing's graceful close expects: a FIN sent
 * before the peer's End makes WCF log a reset.  The core's CLOSE_TIMEOUT
 * bounds the wait.
 */
static void
tcp_closing_step(struct tcp_conn *c)
{
	int r;

	r = tcp_process_closing(c);
	/* Otherwise our own output may still be leaving. */
	if (r < 0 || c->eof || c->sock_err || (r > 0 &&
	    tcp_io_queued(&c->io) == 0))
		tcp_finish_close(c);
}

static void
tcp_process(struct tcp_conn *c)
{
	switch (c->phase) {
	case TP_AWAIT_ACK:
		tcp_process_ack(c);
		break;
	case TP_PREAMBLE:
		(void)tcp_process_preamble(c);
		break;
	case TP_OPEN:
		tcp_process_messages(c);
		break;
	case TP_CLOSING:
		tcp_closing_step(c);
		break;
	default:
		break;
	}
}

static void
tcp_finish_close(struct tcp_conn *c)
{
	struct channel *ch = c->ch;

	channel_set_tp(ch, NULL);
	tcp_conn_free(c, 0);
	channel_transport_closed(ch);
}

static void
tcp_drained(struct tcp_conn *c)
{
	struct channel *ch = c->ch;

	if (ch == NULL)
		return;		/* pooled: nothing of ours is queued */
	/* Output is empty: every queued send has left. */
	channel_transport_drained(ch);
	if (channel_tp(ch) == c && c->phase == TP_CLOSING)
		tcp_closing_step(c);
}

/* The peer closed its side (err 0), or the socket failed with `err`. */
static void
tcp_conn_ended(struct tcp_conn *c, int err)
{
	struct channel *ch = c->ch;
	size_t len;

	if (err != 0) {
		if (c->phase == TP_CONNECTING) {
			channel_transport_fault(ch, tcp_sock_hr_from_errno(err),
			    "cannot connect to the endpoint");
			return;
		}
		c->sock_err = err;
	} else
		c->eof = 1;
	(void)tcp_io_data(&c->io, &len);
	if (c->tl != NULL) {
		/* Pooled: what arrived may still complete or fail the
		 * preamble; otherwise the peer left, costing no accept. */
		if (c->phase == TP_PREAMBLE && len > 0 &&
		    tcp_process_preamble(c))
			return;
		tcp_pool_drop(c, "left during its preamble");
		return;
	}
	switch (c->phase) {
	case TP_CLOSING:
		/* The peer's FIN ends the wait for its End; a dead peer
		 * ends the flush. */
		tcp_finish_close(c);
		return;
	case TP_OPEN:
		/* Buffered messages are still delivered; what is pending now
		 * learns of the end when it gets past them. */
		if (channel_transport_sending(ch) && c->sock_err) {
			channel_transport_fault(ch, WS_E_ENDPOINT_DISCONNECTED,
			    "the connection was reset");
			return;
		}
		tcp_process(c);
		return;
	default:
		if (len > 0)
			tcp_process(c);
		if (channel_tp(ch) == c && c->phase != TP_OPEN)
			channel_transport_fault(ch, WS_E_ENDPOINT_DISCONNECTED,
			    "the connection ended during the preamble");
		return;
	}
}

/*
 * Client side: the preamble, straight after connect(2) even when it said
 * EINPROGRESS (on loopback the connection is usually up by then), so an
 * open costs no readiness round.  A socket still connecting takes nothing
 * (EAGAIN, ENOTCONN): then write readiness says when it is done, as for
 * any connect; a failed connect shows as the send's error.
 */
static void
tcp_send_preamble(struct tcp_conn *c)
{
	struct channel *ch = c->ch;
	uint8_t buf[2048];
	size_t n;
	ssize_t w;

	n = nmf_encode_preamble(buf, sizeof(buf), channel_url(ch),
	    (uint8_t)nmf_encoding_from_ws((uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING), (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION)));
	if (n > sizeof(buf)) {
		tcp_open_fail(c, WS_E_INVALID_ENDPOINT_URL,
		    "cannot write the preamble");
		return;
	}
	w = tcp_io_write_raw(&c->io, buf, n);
	if (w == -EAGAIN || w == -EWOULDBLOCK || w == -ENOTCONN) {
		if (tcp_io_wait_writable(&c->io) != 0)
			tcp_open_fail(c, E_OUTOFMEMORY,
			    "cannot wait for the connection");
		return;
	}
	if (w < 0) {
		tcp_open_fail(c, tcp_sock_hr_from_errno((int)-w),
		    "cannot connect to the endpoint");
		return;
	}
	if ((size_t)w < n && tcp_io_queue(&c->io, buf + w, n - (size_t)w) !=
	    0) {
		tcp_open_fail(c, E_OUTOFMEMORY, "cannot queue the preamble");
		return;
	}
	tcp_note_remote(c);
	channel_transport_count(ch, 0, n);
	c->phase = TP_AWAIT_ACK;
	tcp_io_read(&c->io, true);
}

/* Write readiness of a connect that was not done at once. */
static void
tcp_connect_done(struct tcp_conn *c)
{
	int err;

	if (c->phase != TP_CONNECTING)
		return;
	if ((err = tcp_sock_error(c->io.fd)) != 0) {
		channel_transport_fault(c->ch, tcp_sock_hr_from_errno(err),
		    "cannot connect to the endpoint");
		return;
	}
	tcp_send_preamble(c);
}

static void
tcp_io_event(void *arg, enum tcp_io_what what, int err)
{
	struct tcp_conn *c = arg;

	switch (what) {
	case TCP_IO_READ:
		tcp_process(c);
		break;
	case TCP_IO_EOF:
		tcp_conn_ended(c, 0);
		break;
	case TCP_IO_ERROR:
		tcp_conn_ended(c, err != 0 ? err : ECONNRESET);
		break;
	case TCP_IO_DRAINED:
		tcp_drained(c);
		break;
	case TCP_IO_WRITABLE:
		tcp_connect_done(c);
		break;
	}
}

static struct tcp_conn *
tcp_conn_new(struct channel *ch, evutil_socket_t fd)
{
	struct tcp_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ch = ch;
	tcp_io_init(&c->io, tcp_io_event, c);
	tcp_io_set_max(&c->io, TCP_PREAMBLE_MAX * 2);
	if (fd != -1 && tcp_io_setfd(&c->io, fd) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

/* Fails the open: an upcall later, or what tcp_open returns when the
 * lookup ended inside it (open makes no upcall, transport.h). */
static void
tcp_open_fail(struct tcp_conn *c, int32_t hr, const char *why)
{
	if (c->in_open) {
		c->open_hr = hr;
		return;
	}
	channel_transport_fault(c->ch, hr, why);
}

/*
 * The loopback short cut.  When a channel of ours connects to a listener
 * of ours, both ends of the connection live in this loop, and what one
 * end writes is in the other's socket as the write returns.  So the
 * listener accepts in the same loop pass as the connect, and the client
 * reads its ack in the same pass as the accept sent it, instead of one
 * epoll_wait later each: an open of such a pair is one pass, and its
 * replies leave in one write.  Only the order of work changes: a read
 * that finds nothing waits for readiness as always.
 */
static struct tcp_listener *
tcp_local_listener(const struct sockaddr *to)
{
	struct tcp_listener *tl;

	TAILQ_FOREACH(tl, &tcp_listeners, entry)
		if (tl->addrlen > 0 &&
		    tcp_sock_reaches((struct sockaddr *)&tl->addr, to))
			return tl;
	return NULL;
}

static void
tcp_local_link(struct tcp_conn *c, struct tcp_listener *tl)
{
	c->tl = tl;
	c->local = 1;
	TAILQ_INSERT_TAIL(&tl->local, c, pool_entry);
	if (tl->armed)
		registry_activate(tl->ev, EV_READ);
}

/* `tl` took a peer and acked it: our clients of it read now. */
static void
tcp_local_kick(struct tcp_listener *tl)
{
	struct tcp_conn *c;

	TAILQ_FOREACH(c, &tl->local, pool_entry)
		tcp_io_read_soon(&c->io);
}

/* Connects to `sa`, the peer's address. */
static void
tcp_connect_to(struct tcp_conn *c, const struct sockaddr *sa, socklen_t salen)
{
	struct tcp_listener *tl;
	char peer[TCP_PEER_LEN];
	evutil_socket_t fd;
	int rc, err;

	c->phase = TP_CONNECTING;
	/* Our own socket(2), not libevent's, so that its errno is known: at
	 * the fd limit the open fails at once with a quota error instead of
	 * looking like an unreachable peer. */
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (fd == -1 || tcp_io_setfd(&c->io, fd) != 0) {
		err = errno;
		if (fd != -1) {
			evutil_closesocket(fd);
			err = ENOMEM;
		}
		if (tcp_sock_shortage(err)) {
			log_warnx("channel %llu: cannot open a socket: %s: the "
			    "daemon is out of file descriptors",
			    (unsigned long long)channel_id(c->ch),
			    strerror(err));
			tcp_open_fail(c, WS_E_QUOTA_EXCEEDED,
			    "the daemon is out of file descriptors");
		} else
			tcp_open_fail(c, WS_E_ENDPOINT_UNREACHABLE,
			    "cannot create a socket");
		return;
	}
	tcp_sock_options(c->ch, fd, false);
	/* The address we connect to is the peer's: no getpeername later. */
	c->peer = strdup(tcp_sock_addr_name(sa, peer, sizeof(peer)));
	do
		rc = connect(fd, sa, salen);
	while (rc != 0 && errno == EINTR);
	err = rc == 0 ? 0 : errno;
	tl = tcp_local_listener(sa);
	if (err != 0 && err != EINPROGRESS) {
		tcp_open_fail(c, tcp_sock_hr_from_errno(err),
		    "cannot connect to the endpoint");
		return;
	}
	tcp_send_preamble(c);
	if (tl != NULL && c->phase == TP_AWAIT_ACK)
		tcp_local_link(c, tl);
}

/* The host's addresses: connect to the first, as libevent's
 * bufferevent_socket_connect_hostname does. */
static void
tcp_resolved_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct tcp_conn *c = arg;
	struct sockaddr_storage ss;
	socklen_t salen;

	/* Cancelled by an abort or the timeout: `c` may be gone. */
	if (result == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	c->dns_req = NULL;
	if (c->dns_timer != NULL) {
		event_free(c->dns_timer);
		c->dns_timer = NULL;
	}
	if (result != 0 || res == NULL || res->ai_addrlen > sizeof(ss)) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		log_info("channel %llu: cannot resolve the host name: %s",
		    (unsigned long long)channel_id(c->ch),
		    evutil_gai_strerror(result));
		tcp_open_fail(c, WS_E_ENDPOINT_NOT_FOUND,
		    "cannot resolve the host name");
		return;
	}
	memcpy(&ss, res->ai_addr, res->ai_addrlen);
	salen = (socklen_t)res->ai_addrlen;
	evutil_freeaddrinfo(res);
	tcp_connect_to(c, (struct sockaddr *)&ss, salen);
}

static void
tcp_resolve_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_conn *c = arg;

	event_free(c->dns_timer);
	c->dns_timer = NULL;
	/* The abort that follows cancels the lookup (tcp_conn_free). */
	channel_transport_fault(c->ch, WS_E_OPERATION_TIMED_OUT,
	    "RESOLVE_TIMEOUT expired before the host name was resolved");
}

/* Looks the host up without blocking the loop (literals and /etc/hosts
 * answer at once), then connects. */
static int32_t
tcp_open(struct channel *ch, const struct url *u)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct sockaddr_storage ss;
	socklen_t salen;
	struct tcp_conn *c;
	struct timeval tv;
	char port[8];
	uint64_t ms;

	if ((c = tcp_conn_new(ch, -1)) == NULL)
		return E_OUTOFMEMORY;
	c->phase = TP_RESOLVING;
	channel_set_tp(ch, c);
	c->in_open = 1;
	if (tcp_sock_literal_addr(u->host, u->port, &ss, &salen)) {
		tcp_connect_to(c, (struct sockaddr *)&ss, salen);
		req = NULL;
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_protocol = IPPROTO_TCP;
		snprintf(port, sizeof(port), "%u", (unsigned)u->port);
		req = evdns_getaddrinfo(registry_dns(), u->host, port, &hints,
		    tcp_resolved_cb, c);
	}
	c->in_open = 0;
	if (c->open_hr != S_OK) {
		int32_t hr = c->open_hr;

		channel_set_tp(ch, NULL);
		tcp_conn_free(c, 0);
		return hr;
	}
	if (req == NULL)
		return S_OK;	/* answered at once: connecting */
	c->dns_req = req;
	ms = channel_timeout(ch, WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT);
	if (ms == 0xffffffffull)
		return S_OK;	/* INFINITE */
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if ((c->dns_timer = evtimer_new(registry_base(),
	    tcp_resolve_timeout_cb, c)) == NULL) {
		channel_set_tp(ch, NULL);
		tcp_conn_free(c, 0);
		return E_OUTOFMEMORY;
	}
	evtimer_add(c->dns_timer, &tv);
	return S_OK;
}

static int32_t
tcp_check(struct channel *ch, const char **why)
{
	if (nmf_encoding_from_ws((uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING), (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION)) < 0) {
		*why = "net.tcp has no framing for this encoding and envelope "
		    "version (binary encodings need SOAP 1.2)";
		return WS_E_NOT_SUPPORTED;
	}
	return S_OK;
}

static int32_t
tcp_send(struct channel *ch, const struct envelope *msg, const char **why)
{
	struct tcp_conn *c = channel_tp(ch);
	uint8_t hdr[1 + NMF_MBI31_MAX], *table = NULL, *doc = NULL;
	size_t n, table_len = 0, doc_len = 0, total;
	int32_t hr = S_OK;

	if (c == NULL || c->phase != TP_OPEN) {
		*why = "the connection is not open";
		return WS_E_INVALID_OPERATION;
	}
	if (c->sock_err) {
		*why = "the connection was reset";
		return WS_E_ENDPOINT_DISCONNECTED;
	}
	/* Before encoding: a session dictionary must not learn strings of a
	 * message that is not sent. */
	if (tcp_io_queued(&c->io) >= TCP_OUTPUT_MAX) {
		*why = "the peer does not read: too much output is queued on "
		    "the connection";
		return WS_E_QUOTA_EXCEEDED;
	}
	if ((hr = encoding_encode(c->enc, msg, &table, &table_len, &doc,
	    &doc_len, why)) != S_OK)
		return hr;
	total = table_len + doc_len;
	if (total > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE) ||
	    total > 0x7fffffff) {
		*why = "message larger than MAX_BUFFERED_MESSAGE_SIZE";
		hr = WS_E_QUOTA_EXCEEDED;
		goto out;
	}
	n = nmf_encode_sized_envelope_header(hdr, sizeof(hdr), (uint32_t)total);
	if ((hr = tcp_io_send(&c->io, hdr, n, table, table_len, doc,
	    doc_len)) < 0) {
		*why = "out of memory";
		goto out;
	}
	channel_transport_count(ch, 0, n + total);
out:
	free(table);
	free(doc);
	return hr;
}

static int32_t
tcp_shutdown(struct channel *ch)
{
	struct tcp_conn *c = channel_tp(ch);

	if (c == NULL || c->phase != TP_OPEN)
		return WS_E_INVALID_OPERATION;
	if (c->sock_err)
		return WS_E_ENDPOINT_DISCONNECTED;
	if (tcp_write_simple(c, NMF_END) != 0)
		return E_OUTOFMEMORY;
	channel_transport_count(ch, 0, 1);
	return S_OK;
}

static void
tcp_want_receive(struct channel *ch)
{
	struct tcp_conn *c = channel_tp(ch);

	if (c != NULL)
		tcp_process(c);
}

static void
tcp_close(struct channel *ch, bool send_end)
{
	struct tcp_conn *c = channel_tp(ch);

	if (c == NULL) {
		channel_transport_closed(ch);
		return;
	}
	c->phase = TP_CLOSING;
	if (send_end && !c->sock_err && tcp_write_simple(c, NMF_END) == 0)
		channel_transport_count(ch, 0, 1);
	if (c->sock_err || c->eof || tcp_io_queued(&c->io) == 0) {
		/* Nothing to flush: the drained upcall now, then what the
		 * peer already sent may end the wait at once. */
		tcp_drained(c);
		return;
	}
	/* Skips what the peer sent before, so the input buffer's
	 * watermark cannot stall the End behind it. */
	(void)tcp_process_closing(c);
}

static void
tcp_abort(struct channel *ch)
{
	struct tcp_conn *c = channel_tp(ch);

	channel_set_tp(ch, NULL);
	tcp_conn_free(c, 1);
}

/* ---- listeners ---------------------------------------------------------- */

/* Is a peer wanted now: an accept waits and the pool has room? */
static int
tcp_listener_wants(struct tcp_listener *tl)
{
	return listener_transport_waiting(tl->ls) > 0 &&
	    tl->npool < TCP_POOL_MAX;
}

/*
 * Arms the listening socket when a peer is wanted.  It is not disarmed
 * when the want ends, only by a wake-up that finds none (tcp_listen_cb):
 * back-to-back accepts then cost no epoll_ctl each.  Without a waiting
 * accept (or with a full pool), connections stay in the kernel's backlog:
 * the peer sees a slow open, not a dropped one.
 */
static void
tcp_listener_update(struct tcp_listener *tl)
{
	if (tl->ev == NULL || tl->paused || tl->armed ||
	    !tcp_listener_wants(tl))
		return;
	if (event_add(tl->ev, NULL) == 0)
		tl->armed = 1;
}

static void
tcp_listener_disarm(struct tcp_listener *tl)
{
	if (tl->armed)
		(void)event_del(tl->ev);
	tl->armed = 0;
}

static void
tcp_pool_remove(struct tcp_conn *c)
{
	if (c->tl == NULL)
		return;
	if (c->local) {
		TAILQ_REMOVE(&c->tl->local, c, pool_entry);
		c->tl = NULL;
		c->local = 0;
		return;
	}
	TAILQ_REMOVE(&c->tl->pool, c, pool_entry);
	c->tl->npool--;
	c->tl = NULL;
	if (c->hs_timer != NULL) {
		event_free(c->hs_timer);
		c->hs_timer = NULL;
	}
}

/* A pooled connection goes, costing no accept; the pool may take
 * another. */
static void
tcp_pool_drop(struct tcp_conn *c, const char *why)
{
	struct tcp_listener *tl = c->tl;

	log_info("listener %llu: peer %s %s; dropped",
	    (unsigned long long)listener_id(tl->ls), tcp_peer(c), why);
	tcp_conn_free(c, 1);
	tcp_listener_update(tl);
}

/*
 * A preamble we refuse: the first waiting accept fails with `hr`, as it
 * would have had it taken this peer; with none waiting the peer is only
 * dropped.  Either way the connection is freed.
 */
static void
tcp_preamble_fail(struct tcp_conn *c, int32_t hr, const char *why)
{
	struct tcp_listener *tl = c->tl;
	struct channel *ch;

	tcp_pool_remove(c);
	if ((ch = listener_transport_incoming(tl->ls, c)) == NULL) {
		log_info("listener %llu: peer %s: %s; dropped",
		    (unsigned long long)listener_id(tl->ls), tcp_peer(c), why);
		tcp_conn_free(c, 1);
		tcp_listener_update(tl);
		return;
	}
	c->ch = ch;
	tcp_note_remote(c);
	tcp_listener_update(tl);
	/* The teardown aborts us: `c` is freed there. */
	channel_transport_fault(ch, hr, why);
}

/* A complete preamble meets a waiting accept: the channel adopts what
 * the peer announced, and the PreambleAck opens the session. */
static void
tcp_handoff(struct tcp_listener *tl, struct tcp_conn *c, struct channel *ch)
{
	int32_t hr;

	c->ch = ch;
	tcp_sock_options(ch, c->io.fd, true);
	tcp_note_remote(c);
	channel_transport_count(ch, c->pre_bytes, 0);
	if ((hr = channel_transport_adopt(ch, c->via, c->peer_encoding,
	    c->peer_envelope)) != S_OK) {
		channel_transport_fault(ch, hr,
		    "cannot adopt the peer's preamble");
		return;
	}
	if (tcp_start_session(c) != 0 ||
	    tcp_write_now(c, NMF_PREAMBLE_ACK) != 0) {
		channel_transport_fault(ch, E_OUTOFMEMORY,
		    "cannot queue the preamble ack");
		return;
	}
	channel_transport_count(ch, 0, 1);
	c->phase = TP_OPEN;
	tcp_set_watermark(c);
	tcp_local_kick(tl);
	channel_transport_opened(ch);
}

/* Ready connections go to waiting accepts, first come first served. */
static void
tcp_pool_dispatch(struct tcp_listener *tl)
{
	struct tcp_conn *c, *next;
	struct channel *ch;

	for (c = TAILQ_FIRST(&tl->pool); c != NULL; c = next) {
		next = TAILQ_NEXT(c, pool_entry);
		if (c->phase != TP_READY)
			continue;
		if ((ch = listener_transport_incoming(tl->ls, c)) == NULL)
			break;
		tcp_pool_remove(c);
		tcp_handoff(tl, c, ch);
	}
	tcp_listener_update(tl);
}

/* The preamble is complete: an accept takes it now, or the next one
 * will (the peer waits for our ack meanwhile, under its own timeout). */
static void
tcp_pool_ready(struct tcp_conn *c)
{
	struct tcp_listener *tl = c->tl;

	c->phase = TP_READY;
	if (c->hs_timer != NULL) {
		event_free(c->hs_timer);
		c->hs_timer = NULL;
	}
	/* Ready ones keep their order: this one follows those before it. */
	TAILQ_REMOVE(&tl->pool, c, pool_entry);
	TAILQ_INSERT_TAIL(&tl->pool, c, pool_entry);
	tcp_pool_dispatch(tl);
}

static void	tcp_handshake_timeout_cb(evutil_socket_t, short, void *);

static void
tcp_handshake_timer(struct tcp_conn *c, uint64_t ms)
{
	struct timeval tv;

	if (ms == 0xffffffffull)
		return;		/* INFINITE */
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if ((c->hs_timer = evtimer_new(registry_base(),
	    tcp_handshake_timeout_cb, c)) != NULL)
		evtimer_add(c->hs_timer, &tv);
}

/* A peer that did not finish its preamble within the listener's
 * CONNECT_TIMEOUT is dropped; no accept ever waited on it. */
static void
tcp_handshake_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	tcp_pool_drop(arg, "sent no whole preamble within the listener's "
	    "CONNECT_TIMEOUT");
}

/* Peer `fd` joins the pool: its preamble is read while accepts wait. */
static void
tcp_listener_take(struct tcp_listener *tl, evutil_socket_t fd,
    const struct sockaddr *sa)
{
	struct tcp_conn *c;
	char peer[TCP_PEER_LEN];

	if ((c = tcp_conn_new(NULL, fd)) == NULL) {
		evutil_closesocket(fd);
		log_warnx("listener %llu: cannot allocate an accepted "
		    "connection", (unsigned long long)listener_id(tl->ls));
		return;
	}
	c->phase = TP_PREAMBLE;	/* first: c->peer is no dns_timer now */
	/* accept(2) said who it is: no getpeername later. */
	c->peer = strdup(tcp_sock_addr_name(sa, peer, sizeof(peer)));
	c->tl = tl;
	TAILQ_INSERT_TAIL(&tl->pool, c, pool_entry);
	tl->npool++;
	tcp_io_read(&c->io, true);
	tcp_handshake_timer(c, listener_prop_value(tl->ls,
	    WS_LISTENER_PROPERTY_CONNECT_TIMEOUT));
	/* A local client has often sent its preamble already: read it now
	 * rather than a loop pass later. */
	tcp_io_read_now(&c->io);
}

static void	tcp_listener_error(struct tcp_listener *, int);

/* The listener whose accept callback runs; cleared if it is closed
 * inside (by an upcall of a peer it took). */
static struct tcp_listener *tcp_accepting;

/* Peers taken per wake-up at most, so one busy listener cannot hold the
 * loop; the level-triggered socket wakes us again for the rest. */
#define TCP_ACCEPT_BATCH	16

/*
 * The listening socket is readable.  Peers are taken only while an accept
 * waits (and the pool has room); a wake-up that finds none wanted disarms
 * the socket and leaves the peer in the kernel's backlog for the next
 * WsAcceptChannel (the core does not say when an accept leaves the queue:
 * an abort or a close of an ACCEPTING channel, so this is where we learn
 * it).
 */
static void
tcp_listen_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct tcp_listener *tl = arg;
	struct sockaddr_storage ss;
	socklen_t sl;
	evutil_socket_t fd;
	int i;

	for (i = 0; i < TCP_ACCEPT_BATCH; i++) {
		if (!tcp_listener_wants(tl)) {
			if (i == 0)
				tcp_listener_disarm(tl);
			return;
		}
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tcp_listener_error(tl, errno);
			return;
		}
		if (tl->warned) {
			log_info("listener %llu: accepting again",
			    (unsigned long long)listener_id(tl->ls));
			tl->warned = 0;
		}
		tcp_accepting = tl;
		tcp_listener_take(tl, fd, (struct sockaddr *)&ss);
		if (tcp_accepting != tl)
			return;		/* closed inside */
		tcp_accepting = NULL;
	}
}

/* The pause after a failed accept is over: try again if still wanted. */
static void
tcp_listener_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_listener *tl = arg;

	tl->paused = 0;
	tcp_listener_update(tl);
}

/*
 * accept(2) failed, typically EMFILE at the daemon's fd limit.  The peer
 * stays in the kernel's backlog, so a level-triggered listener would call
 * us again at once: pause it and retry after TCP_ACCEPT_RETRY_MS, when
 * some descriptors may have been freed.  A waiting accept then completes
 * late instead of never.
 */
#define TCP_ACCEPT_RETRY_MS	100
static void
tcp_listener_error(struct tcp_listener *tl, int err)
{
	struct timeval tv = { 0, TCP_ACCEPT_RETRY_MS * 1000 };

	if (!tl->warned) {
		log_warnx("listener %llu: accept failed: %s%s; retrying every "
		    "%d ms", (unsigned long long)listener_id(tl->ls),
		    evutil_socket_error_to_string(err),
		    tcp_sock_shortage(err) ? " (out of file descriptors)" :
		    "", TCP_ACCEPT_RETRY_MS);
		tl->warned = 1;
	}
	tcp_listener_disarm(tl);
	if (tl->retry == NULL && (tl->retry = evtimer_new(registry_base(),
	    tcp_listener_retry_cb, tl)) == NULL)
		return;		/* as before: armed again by the next accept */
	tl->paused = 1;
	evtimer_add(tl->retry, &tv);
}

static int32_t
tcp_listen(struct listener *ls, const struct url *u, const char **why)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct tcp_listener *tl;
	char port[8];
	int rc, err = 0;
	evutil_socket_t fd = -1;
	int on = 1;
	const char *host = u->host;

	/*
	 * A literal address is listened on; anything else (`+`, `*`, a host
	 * name) means the wildcard address, as WsOpenListener documents for
	 * TCP.  So no name is ever looked up here, and a slow DNS server
	 * cannot stall the loop.
	 */
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_family = AF_UNSPEC;
	snprintf(port, sizeof(port), "%u", u->port);
	if (tcp_sock_host_is_literal(host))
		rc = getaddrinfo(host, port, &hints, &res);
	else {
		host = NULL;
		hints.ai_family = AF_INET6;	/* dual-stack any */
		rc = getaddrinfo(NULL, port, &hints, &res);
	}
	if (rc != 0) {
		*why = "cannot make an address of the listener's host";
		return WS_E_ADDRESS_NOT_AVAILABLE;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			err = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (ai->ai_family == AF_INET6 && host == NULL) {
			int off = 0;

			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
			    sizeof(off));
		}
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, (int)listener_prop_value(ls,
		    WS_LISTENER_PROPERTY_LISTEN_BACKLOG)) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		*why = err == EADDRINUSE ? "the address is already in use" :
		    "cannot listen on that address";
		return err == EADDRINUSE ? WS_E_ADDRESS_IN_USE :
		    WS_E_ADDRESS_NOT_AVAILABLE;
	}
	if ((tl = calloc(1, sizeof(*tl))) == NULL) {
		close(fd);
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	tl->ls = ls;
	TAILQ_INIT(&tl->pool);
	TAILQ_INIT(&tl->local);
	tl->addrlen = sizeof(tl->addr);
	if (getsockname(fd, (struct sockaddr *)&tl->addr, &tl->addrlen) != 0)
		tl->addrlen = 0;
	/* What it accepts inherits TCP_NODELAY, NO_DELAY's default. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	tl->fd = fd;
	tl->ev = event_new(registry_base(), fd, EV_READ | EV_PERSIST,
	    tcp_listen_cb, tl);
	if (tl->ev == NULL) {
		close(fd);
		free(tl);
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	TAILQ_INSERT_TAIL(&tcp_listeners, tl, entry);
	listener_set_tp(ls, tl);
	return S_OK;
}

static void
tcp_accept(struct listener *ls)
{
	struct tcp_listener *tl = listener_tp(ls);

	if (tl == NULL)
		return;
	/* A ready peer came first: it goes to this accept. */
	tcp_pool_dispatch(tl);
}

static void
tcp_unlisten(struct listener *ls)
{
	struct tcp_listener *tl = listener_tp(ls);

	if (tl == NULL)
		return;
	listener_set_tp(ls, NULL);
	TAILQ_REMOVE(&tcp_listeners, tl, entry);
	while (!TAILQ_EMPTY(&tl->local))
		tcp_pool_remove(TAILQ_FIRST(&tl->local));
	while (!TAILQ_EMPTY(&tl->pool))
		tcp_conn_free(TAILQ_FIRST(&tl->pool), 1);
	if (tl->retry != NULL)
		event_free(tl->retry);
	if (tcp_accepting == tl)
		tcp_accepting = NULL;
	event_free(tl->ev);
	close(tl->fd);
	free(tl);
}

const struct transport_ops transport_tcp_ops = {
	.check = tcp_check,
	.open = tcp_open,
	.send = tcp_send,
	.want_receive = tcp_want_receive,
	.shutdown = tcp_shutdown,
	.close = tcp_close,
	.abort = tcp_abort,
	.listener_open = tcp_listen,
	.listener_accept = tcp_accept,
	.listener_close = tcp_unlisten,
	.listener_abort = tcp_unlisten,
};
