/*
 * soap.udp: SOAP over UDP (WS_UDP_CHANNEL_BINDING), one envelope per
 * datagram, unicast and multicast, on the libevent loop.
 *
 * A client channel owns one unconnected socket on an ephemeral port, so
 * that answers to a multicast request, which come from each responder's
 * own address, are received.  A listener owns one socket; each datagram
 * it takes is parsed at once (a wrong To or a malformed envelope must be
 * dropped before any accept sees it) and goes to the oldest waiting
 * accept, or waits in a queue of UDP_QUEUE_MAX.  An accepted channel holds
 * that one datagram and answers from the listener's socket, which it keeps
 * a reference to, so a reply leaves from the listener's port.
 *
 * Upcalls that open and send may not make (transport.h) go through one
 * deferred event per channel.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
#include "props.h"
#include "registry.h"
#include "transport.h"
#include "udp_priv.h"
#include "url.h"

struct udp_listener {
	struct listener		*ls;		/* NULL once closed */
	int			 refs;		/* the listener + accepted ones */
	evutil_socket_t		 fd;
	struct event		*ev;
	int			 family;
	struct url		 url;
	bool			 has_group;
	struct sockaddr_storage	 group;
	uint64_t		 joined;	/* interface indexes, as a mask */
	struct udp_dgram_list	 queue;
	unsigned		 nqueued;
	struct encoding		*enc;
	struct ifaddrs		*ifa;		/* this host's addresses */
	char			 local[80];
	uint8_t			*buf;
};

struct udp_chan {
	struct channel		*ch;
	struct udp_listener	*ul;		/* accepted: the listener's */
	evutil_socket_t		 fd;		/* client: its own socket */
	struct event		*ev;		/* client: readable */
	struct event		*defer;		/* upcalls open/send owe */
	int			 family;	/* of the socket it sends on */
	struct sockaddr_storage	 dest;
	socklen_t		 destlen;
	struct udp_dgram_list	 inq;		/* client: waiting receives */
	unsigned		 nin;
	struct udp_dgram	*held;		/* accepted: its one datagram */
	bool			 delivered;
	bool			 open_done, open_told;
	unsigned		 sent;		/* sends not yet reported */
	int32_t			 fault_hr;	/* a fault to report, or 0 */
	const char		*fault_why;
	struct encoding		*enc;
	uint8_t			*buf;
	struct evdns_getaddrinfo_request *dns_req;
	struct event		*dns_timer;
	int			 in_open;
	int32_t			 open_hr;
};

/*
 * Reads one datagram from `fd` into `buf` (UDP_DGRAM_MAX + 1 bytes).
 * Returns its real length (more than UDP_DGRAM_MAX: it did not fit), or
 * -1 with errno (EAGAIN: nothing more).
 */
static ssize_t
udp_recv(evutil_socket_t fd, uint8_t *buf, struct sockaddr_storage *src,
    socklen_t *srclen)
{
	*srclen = sizeof(*src);
	/* MSG_TRUNC: the length of the whole datagram, even if cut. */
	return recvfrom(fd, buf, UDP_DGRAM_MAX + 1, MSG_TRUNC | MSG_DONTWAIT,
	    (struct sockaddr *)src, srclen);
}

/* ---- channels --------------------------------------------------------------- */

static void	udp_listener_unref(struct udp_listener *);

static void
udp_chan_free(struct udp_chan *uc)
{
	if (uc == NULL)
		return;
	if (uc->dns_req != NULL) {
		/* Its callback then sees EVUTIL_EAI_CANCEL. */
		evdns_getaddrinfo_cancel(uc->dns_req);
		uc->dns_req = NULL;
	}
	if (uc->dns_timer != NULL)
		event_free(uc->dns_timer);
	if (uc->ev != NULL)
		event_free(uc->ev);
	if (uc->fd != -1)
		evutil_closesocket(uc->fd);
	if (uc->defer != NULL)
		event_free(uc->defer);
	udp_dgram_list_free(&uc->inq);
	udp_dgram_free(uc->held);
	encoding_free(uc->enc);
	free(uc->buf);
	if (uc->ul != NULL)
		udp_listener_unref(uc->ul);
	free(uc);
}

/* Runs what open and send could not report themselves. */
static void
udp_defer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_chan *uc = arg;
	struct channel *ch = uc->ch;

	if (uc->fault_hr != 0) {
		channel_transport_fault(ch, uc->fault_hr, uc->fault_why);
		return;
	}
	if (uc->open_done && !uc->open_told) {
		uc->open_told = true;
		channel_transport_opened(ch);
		if (channel_tp(ch) != uc)
			return;
	}
	if (uc->sent > 0) {
		uc->sent = 0;
		channel_transport_drained(ch);
	}
}

static void
udp_defer(struct udp_chan *uc)
{
	event_active(uc->defer, EV_TIMEOUT, 0);
}

static struct udp_chan *
udp_chan_new(struct channel *ch)
{
	struct udp_chan *uc;

	if ((uc = calloc(1, sizeof(*uc))) == NULL)
		return NULL;
	uc->ch = ch;
	uc->fd = -1;
	TAILQ_INIT(&uc->inq);
	if ((uc->defer = event_new(registry_base(), -1, 0, udp_defer_cb,
	    uc)) == NULL ||
	    encoding_new(WS_ENCODING_XML_UTF8, ch == NULL ?
	    WS_ENVELOPE_VERSION_SOAP_1_2 : (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), 0, &uc->enc) != 0) {
		udp_chan_free(uc);
		return NULL;
	}
	return uc;
}

/* Hands waiting datagrams to waiting receives. */
static void
udp_chan_deliver(struct udp_chan *uc)
{
	struct channel *ch = uc->ch;
	struct udp_dgram *d;

	while (channel_tp(ch) == uc && channel_transport_receiving(ch) &&
	    (d = TAILQ_FIRST(&uc->inq)) != NULL) {
		TAILQ_REMOVE(&uc->inq, d, entry);
		uc->nin--;
		channel_transport_message(ch, &d->env);
		udp_dgram_free(d);
	}
}

/* Client channel: every datagram that arrived, queued for receives. */
static void
udp_chan_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_chan *uc = arg;
	struct channel *ch = uc->ch;
	struct sockaddr_storage src;
	struct udp_dgram *d;
	const char *why;
	socklen_t srclen;
	ssize_t n;
	int i;

	for (i = 0; i < UDP_READ_BURST; i++) {
		if ((n = udp_recv(fd, uc->buf, &src, &srclen)) < 0)
			break;
		channel_transport_count(ch, (uint64_t)n, 0);
		if ((d = udp_dgram_decode(uc->enc, uc->buf, (size_t)n,
		    &why)) == NULL) {
			log_debug("channel %llu: datagram of %zd bytes "
			    "dropped: %s", (unsigned long long)channel_id(ch),
			    n, why);
			channel_transport_dropped(ch, 1);
			continue;
		}
		if (uc->nin >= UDP_QUEUE_MAX) {
			log_debug("channel %llu: receive queue full; datagram "
			    "dropped", (unsigned long long)channel_id(ch));
			udp_dgram_free(d);
			channel_transport_dropped(ch, 1);
			continue;
		}
		memcpy(&d->src, &src, srclen);
		d->srclen = srclen;
		TAILQ_INSERT_TAIL(&uc->inq, d, entry);
		uc->nin++;
	}
	udp_chan_deliver(uc);
}

/* Fails the open: later through the deferred event, or at once as what
 * udp_open returns when the lookup ended inside it. */
static void
udp_open_fail(struct udp_chan *uc, int32_t hr, const char *why)
{
	if (uc->in_open) {
		uc->open_hr = hr;
		return;
	}
	uc->fault_hr = hr;
	uc->fault_why = why;
	udp_defer(uc);
}

/* Outgoing multicast: MULTICAST_HOPS as TTL, MULTICAST_INTERFACE as the
 * interface (0: the kernel's), loop on. */
static void
udp_multicast_options(struct udp_chan *uc)
{
	int hops = (int)channel_prop_value(uc->ch,
	    WS_CHANNEL_PROPERTY_MULTICAST_HOPS), on = 1;
	unsigned ifx = (unsigned)channel_prop_value(uc->ch,
	    WS_CHANNEL_PROPERTY_MULTICAST_INTERFACE);
	struct ip_mreqn mr;

	if (uc->family == AF_INET) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_ifindex = (int)ifx;
		(void)setsockopt(uc->fd, IPPROTO_IP, IP_MULTICAST_TTL, &hops,
		    sizeof(hops));
		(void)setsockopt(uc->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &on,
		    sizeof(on));
		if (ifx != 0)
			(void)setsockopt(uc->fd, IPPROTO_IP, IP_MULTICAST_IF,
			    &mr, sizeof(mr));
	} else {
		(void)setsockopt(uc->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS,
		    &hops, sizeof(hops));
		(void)setsockopt(uc->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP,
		    &on, sizeof(on));
		if (ifx != 0)
			(void)setsockopt(uc->fd, IPPROTO_IPV6,
			    IPV6_MULTICAST_IF, &ifx, sizeof(ifx));
	}
}

/* The socket of a client channel: unconnected, on an ephemeral port that
 * stays for the channel's life. */
static int32_t
udp_chan_socket(struct udp_chan *uc, const char **why)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char local[80];
	int err;

	uc->fd = socket(uc->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP);
	if (uc->fd == -1) {
		err = errno;
		*why = "cannot create a socket";
		return err == EMFILE || err == ENFILE || err == ENOBUFS ||
		    err == ENOMEM ? WS_E_QUOTA_EXCEEDED :
		    WS_E_ENDPOINT_UNREACHABLE;
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)uc->family;
	if (bind(uc->fd, (struct sockaddr *)&ss, uc->family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) != 0) {
		*why = "cannot bind a local port";
		return WS_E_ADDRESS_NOT_AVAILABLE;
	}
	if (udp_addr_is_multicast((struct sockaddr *)&uc->dest))
		udp_multicast_options(uc);
	if ((uc->buf = malloc(UDP_DGRAM_MAX + 1)) == NULL ||
	    (uc->ev = event_new(registry_base(), uc->fd, EV_READ | EV_PERSIST,
	    udp_chan_read_cb, uc)) == NULL || event_add(uc->ev, NULL) != 0) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	if (getsockname(uc->fd, (struct sockaddr *)&ss, &len) == 0) {
		udp_addr_str((struct sockaddr *)&ss, local, sizeof(local));
		channel_transport_local(uc->ch, local);
	}
	udp_addr_str((struct sockaddr *)&uc->dest, local, sizeof(local));
	channel_transport_peer(uc->ch, local);
	return S_OK;
}

static void
udp_resolved_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct udp_chan *uc = arg;
	const char *why = NULL;
	int32_t hr;

	/* Cancelled by an abort or the timeout: `uc` may be gone. */
	if (result == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	uc->dns_req = NULL;
	if (uc->dns_timer != NULL) {
		event_free(uc->dns_timer);
		uc->dns_timer = NULL;
	}
	if (result != 0 || res == NULL ||
	    res->ai_addrlen > sizeof(uc->dest)) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		log_info("channel %llu: cannot resolve the host name: %s",
		    (unsigned long long)channel_id(uc->ch),
		    evutil_gai_strerror(result));
		udp_open_fail(uc, WS_E_ENDPOINT_NOT_FOUND,
		    "cannot resolve the host name");
		return;
	}
	uc->family = res->ai_family;
	memcpy(&uc->dest, res->ai_addr, res->ai_addrlen);
	uc->destlen = (socklen_t)res->ai_addrlen;
	evutil_freeaddrinfo(res);
	if ((hr = udp_chan_socket(uc, &why)) != S_OK) {
		udp_open_fail(uc, hr, why);
		return;
	}
	/* No handshake on UDP: OPEN as soon as the socket exists. */
	uc->open_done = true;
	udp_defer(uc);
}

static void
udp_resolve_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_chan *uc = arg;

	event_free(uc->dns_timer);
	uc->dns_timer = NULL;
	channel_transport_fault(uc->ch, WS_E_OPERATION_TIMED_OUT,
	    "RESOLVE_TIMEOUT expired before the host name was resolved");
}

static int32_t
udp_open(struct channel *ch, const struct url *u)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct udp_chan *uc;
	struct timeval tv;
	char port[8];
	uint64_t ms, ipv;

	if ((uc = udp_chan_new(ch)) == NULL)
		return E_OUTOFMEMORY;
	channel_set_tp(ch, uc);
	memset(&hints, 0, sizeof(hints));
	ipv = channel_prop_value(ch, WS_CHANNEL_PROPERTY_IP_VERSION);
	hints.ai_family = ipv == WS_IP_VERSION_4 ? AF_INET :
	    ipv == WS_IP_VERSION_6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	snprintf(port, sizeof(port), "%u", (unsigned)u->port);
	uc->in_open = 1;
	req = evdns_getaddrinfo(registry_dns(), u->host, port, &hints,
	    udp_resolved_cb, uc);
	uc->in_open = 0;
	if (uc->open_hr != S_OK) {
		int32_t hr = uc->open_hr;

		channel_set_tp(ch, NULL);
		udp_chan_free(uc);
		return hr;
	}
	if (req == NULL)
		return S_OK;	/* answered at once */
	uc->dns_req = req;
	ms = channel_timeout(ch, WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT);
	if (ms == 0xffffffffull)
		return S_OK;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if ((uc->dns_timer = evtimer_new(registry_base(),
	    udp_resolve_timeout_cb, uc)) == NULL) {
		channel_set_tp(ch, NULL);
		udp_chan_free(uc);
		return E_OUTOFMEMORY;
	}
	evtimer_add(uc->dns_timer, &tv);
	return S_OK;
}

static int32_t
udp_check(struct channel *ch, const char **why)
{
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENCODING) !=
	    WS_ENCODING_XML_UTF8) {
		*why = "soap.udp speaks WS_ENCODING_XML_UTF8 only";
		return E_INVALIDARG;
	}
	/* A datagram is one whole message: nothing to stream. */
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_TRANSFER_MODE) != 0) {
		*why = "soap.udp carries buffered messages only";
		return WS_E_NOT_SUPPORTED;
	}
	return S_OK;
}

/* The largest UDP payload the socket's family carries. */
static size_t
udp_payload_max(const struct udp_chan *uc)
{
	const struct sockaddr_in6 *sin6 =
	    (const struct sockaddr_in6 *)&uc->dest;

	if (uc->dest.ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return UDP_PAYLOAD_MAX_V6;
	return UDP_PAYLOAD_MAX_V4;
}

/* One message, one datagram, sent once (no SOAP-over-UDP repeats). */
static int32_t
udp_send(struct channel *ch, const struct envelope *msg, const char **why)
{
	struct udp_chan *uc = channel_tp(ch);
	uint8_t *table = NULL, *doc = NULL;
	size_t table_len = 0, doc_len = 0;
	evutil_socket_t fd;
	ssize_t n;
	int32_t hr;

	if (uc == NULL || uc->fault_hr != 0 ||
	    (fd = uc->ul != NULL ? uc->ul->fd : uc->fd) == -1) {
		*why = "the channel is not open";
		return WS_E_INVALID_OPERATION;
	}
	if ((hr = encoding_encode(uc->enc, msg, &table, &table_len, &doc,
	    &doc_len, why)) != S_OK)
		return hr;
	free(table);
	/* Too large for one datagram: nothing is sent and the channel
	 * faults (bindings.md), which only an upcall can do. */
	if (doc_len > udp_payload_max(uc) || doc_len > channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE)) {
		free(doc);
		uc->fault_hr = WS_E_QUOTA_EXCEEDED;
		uc->fault_why = "the message does not fit one datagram";
		udp_defer(uc);
		return S_OK;
	}
	/* MULTICAST_INTERFACE may change in any state (bindings.md): the
	 * next datagram to a group leaves by the interface set now. */
	if (uc->ul == NULL && udp_addr_is_multicast((struct sockaddr *)&uc->dest))
		udp_multicast_options(uc);
	n = sendto(fd, doc, doc_len, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&uc->dest, uc->destlen);
	free(doc);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOBUFS)) {
		*why = "the socket's send buffer is full";
		return WS_E_QUOTA_EXCEEDED;
	}
	if (n < 0) {
		log_info("channel %llu: sendto: %s",
		    (unsigned long long)channel_id(ch), strerror(errno));
		uc->fault_hr = errno == EMSGSIZE ? WS_E_QUOTA_EXCEEDED :
		    WS_E_ENDPOINT_UNREACHABLE;
		uc->fault_why = "the datagram could not be sent";
		udp_defer(uc);
		return S_OK;
	}
	channel_transport_count(ch, 0, (uint64_t)n);
	uc->sent++;
	udp_defer(uc);
	return S_OK;
}

static void
udp_want_receive(struct channel *ch)
{
	struct udp_chan *uc = channel_tp(ch);

	if (uc == NULL)
		return;
	if (uc->ul == NULL) {
		udp_chan_deliver(uc);
		return;
	}
	/* Accepted: its one datagram, then the end of the channel. */
	if (!uc->delivered && uc->held != NULL) {
		uc->delivered = true;
		channel_transport_message(ch, &uc->held->env);
		udp_dgram_free(uc->held);
		uc->held = NULL;
		if (channel_tp(ch) != uc)
			return;
	}
	if (uc->delivered)
		channel_transport_end(ch);
}

static int32_t
udp_shutdown(struct channel *ch)
{
	return WS_E_INVALID_OPERATION;
}

/* Nothing on the wire: a client closes its socket, an accepted channel
 * lets go of its datagram and of the listener's socket. */
static void
udp_close(struct channel *ch, bool send_end)
{
	struct udp_chan *uc = channel_tp(ch);

	channel_set_tp(ch, NULL);
	udp_chan_free(uc);
	channel_transport_closed(ch);
}

static void
udp_abort(struct channel *ch)
{
	struct udp_chan *uc = channel_tp(ch);

	channel_set_tp(ch, NULL);
	udp_chan_free(uc);
}

/* ---- listeners ------------------------------------------------------------ */

static void
udp_listener_unref(struct udp_listener *ul)
{
	if (--ul->refs > 0)
		return;
	if (ul->fd != -1)
		evutil_closesocket(ul->fd);
	free(ul);
}

/*
 * Where an accepted channel answers: the request's ReplyTo when it is a
 * soap.udp URL with a literal address, else the datagram's source.
 */
static void
udp_reply_dest(struct udp_chan *uc, const struct udp_dgram *d)
{
	struct url u;

	memcpy(&uc->dest, &d->src, d->srclen);
	uc->destlen = d->srclen;
	if (d->env.reply_to == NULL || url_parse(d->env.reply_to, &u) != 0 ||
	    u.scheme != URL_SOAPUDP)
		return;
	if (udp_addr_parse(u.host, u.port, uc->ul->family, &uc->dest,
	    &uc->destlen) != 0) {
		memcpy(&uc->dest, &d->src, d->srclen);
		uc->destlen = d->srclen;
	}
}

/*
 * Gives datagram `d` to the oldest waiting accept: the channel becomes
 * OPEN holding it.  False (and `d` untouched) when no accept waits.
 */
static bool
udp_listener_hand(struct udp_listener *ul, struct udp_dgram *d)
{
	struct udp_chan *uc;
	struct channel *ch;
	char peer[80], url[96];

	if (listener_transport_waiting(ul->ls) == 0)
		return false;
	if ((uc = udp_chan_new(NULL)) == NULL) {
		log_warnx("listener %llu: cannot allocate an accepted "
		    "channel; datagram dropped",
		    (unsigned long long)listener_id(ul->ls));
		listener_transport_dropped(ul->ls, 1);
		udp_dgram_free(d);
		return true;
	}
	uc->ul = ul;
	ul->refs++;
	uc->family = ul->family;
	if ((ch = listener_transport_incoming(ul->ls, uc)) == NULL) {
		udp_chan_free(uc);
		return false;
	}
	uc->ch = ch;
	uc->held = d;
	udp_reply_dest(uc, d);
	udp_addr_str((struct sockaddr *)&d->src, peer, sizeof(peer));
	snprintf(url, sizeof(url), "soap.udp://%s", peer);
	channel_transport_peer(ch, peer);
	channel_transport_local(ch, ul->local);
	channel_transport_count(ch, d->size, 0);
	/* Replies go in the SOAP version the request came in. */
	encoding_free(uc->enc);
	uc->enc = NULL;
	if (channel_transport_remote_url(ch, url) != S_OK ||
	    channel_transport_adopt(ch, NULL, WS_ENCODING_XML_UTF8,
	    d->env.envelope_version) != S_OK ||
	    encoding_new(WS_ENCODING_XML_UTF8, d->env.envelope_version, 0,
	    &uc->enc) != 0) {
		channel_transport_fault(ch, E_OUTOFMEMORY,
		    "cannot set up the accepted channel");
		return true;
	}
	channel_transport_opened(ch);
	return true;
}

static void
udp_listener_drop(struct udp_listener *ul, size_t n, const char *why)
{
	log_debug("listener %llu: datagram of %zu bytes dropped: %s",
	    (unsigned long long)listener_id(ul->ls), n, why);
	listener_transport_dropped(ul->ls, 1);
}

/* One datagram that reached the listener's socket. */
static void
udp_listener_datagram(struct udp_listener *ul, size_t n,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	struct listener *ls = ul->ls;
	struct udp_dgram *d;
	const char *why;

	if (!listener_prop_value(ls, WS_LISTENER_PROPERTY_MULTICAST_LOOPBACK) &&
	    udp_addr_is_local(ul->ifa, (const struct sockaddr *)src))
		return;		/* our own, as asked: not counted */
	if ((d = udp_dgram_decode(ul->enc, ul->buf, n, &why)) == NULL) {
		udp_listener_drop(ul, n, why);
		return;
	}
	if (!udp_to_matches(listener_prop_value(ls,
	    WS_LISTENER_PROPERTY_TO_HEADER_MATCHING_OPTIONS), &ul->url,
	    ul->has_group, ul->ifa, d->env.to)) {
		udp_dgram_free(d);
		udp_listener_drop(ul, n, "its To does not name this listener");
		return;
	}
	memcpy(&d->src, src, srclen);
	d->srclen = srclen;
	if (TAILQ_EMPTY(&ul->queue) && udp_listener_hand(ul, d))
		return;
	if (ul->nqueued >= UDP_QUEUE_MAX) {
		udp_dgram_free(d);
		udp_listener_drop(ul, n, "no accept waits and the queue is full");
		return;
	}
	TAILQ_INSERT_TAIL(&ul->queue, d, entry);
	ul->nqueued++;
}

static void
udp_listener_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_listener *ul = arg;
	struct sockaddr_storage src;
	socklen_t srclen;
	ssize_t n;
	int i;

	/* An accept completed from here may close the listener: hold it. */
	ul->refs++;
	for (i = 0; i < UDP_READ_BURST && ul->ls != NULL; i++) {
		if ((n = udp_recv(fd, ul->buf, &src, &srclen)) < 0)
			break;
		udp_listener_datagram(ul, (size_t)n, &src, srclen);
	}
	udp_listener_unref(ul);
}

/* Joins or leaves the group on interface `ifx` (0: the kernel's). */
static int
udp_listener_membership(struct udp_listener *ul, unsigned ifx, bool join)
{
	struct ipv6_mreq m6;
	struct ip_mreqn m4;

	if (ul->group.ss_family == AF_INET) {
		memset(&m4, 0, sizeof(m4));
		m4.imr_multiaddr = ((struct sockaddr_in *)&ul->group)->sin_addr;
		m4.imr_ifindex = (int)ifx;
		return setsockopt(ul->fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP :
		    IP_DROP_MEMBERSHIP, &m4, sizeof(m4));
	}
	memset(&m6, 0, sizeof(m6));
	m6.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&ul->group)->sin6_addr;
	m6.ipv6mr_interface = ifx;
	return setsockopt(ul->fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP :
	    IPV6_LEAVE_GROUP, &m6, sizeof(m6));
}

/* Makes the joined interfaces those of MULTICAST_INTERFACES: new ones
 * joined, removed ones left.  S_OK or the HRESULT with *why. */
static int32_t
udp_listener_rejoin(struct udp_listener *ul, const char **why)
{
	uint64_t want = ul->has_group ? listener_prop_value(ul->ls,
	    WS_LISTENER_PROPERTY_MULTICAST_INTERFACES) : 0;
	unsigned i;

	for (i = 0; i <= PROP_IFINDEX_MAX; i++) {
		uint64_t bit = 1ull << i;

		if ((ul->joined & bit) && !(want & bit)) {
			(void)udp_listener_membership(ul, i, false);
			ul->joined &= ~bit;
		}
	}
	for (i = 0; i <= PROP_IFINDEX_MAX; i++) {
		uint64_t bit = 1ull << i;

		if (!(want & bit) || (ul->joined & bit))
			continue;
		if (udp_listener_membership(ul, i, true) != 0) {
			log_info("listener %llu: cannot join the group on "
			    "interface %u: %s",
			    (unsigned long long)listener_id(ul->ls), i,
			    strerror(errno));
			*why = "cannot join the multicast group on an interface "
			    "of MULTICAST_INTERFACES";
			return WS_E_ADDRESS_NOT_AVAILABLE;
		}
		ul->joined |= bit;
	}
	return S_OK;
}

/* Lets go of the socket (and every join, queued datagram and the event);
 * accepted channels may keep the descriptor for their replies. */
static void
udp_listener_stop(struct listener *ls)
{
	struct udp_listener *ul = listener_tp(ls);
	unsigned i;

	if (ul == NULL)
		return;
	listener_set_tp(ls, NULL);
	for (i = 0; i <= PROP_IFINDEX_MAX; i++)
		if (ul->joined & (1ull << i))
			(void)udp_listener_membership(ul, i, false);
	ul->joined = 0;
	if (ul->ev != NULL)
		event_free(ul->ev);
	ul->ev = NULL;
	udp_dgram_list_free(&ul->queue);
	ul->nqueued = 0;
	encoding_free(ul->enc);
	ul->enc = NULL;
	if (ul->ifa != NULL)
		freeifaddrs(ul->ifa);
	ul->ifa = NULL;
	free(ul->buf);
	ul->buf = NULL;
	ul->ls = NULL;
	udp_listener_unref(ul);
}

/* The address to bind: a literal, the wildcard of a group's family, or
 * the wildcard for "+", "*" and names (bindings.md). */
static int32_t
udp_listener_address(struct udp_listener *ul, struct sockaddr_storage *ss,
    socklen_t *len, const char **why)
{
	uint64_t ipv = listener_prop_value(ul->ls,
	    WS_LISTENER_PROPERTY_IP_VERSION);
	bool mc = listener_prop_value(ul->ls,
	    WS_LISTENER_PROPERTY_IS_MULTICAST) != 0;

	if (udp_addr_parse(ul->url.host, ul->url.port, AF_UNSPEC, ss,
	    len) == 0) {
		ul->family = ss->ss_family;
		if (!udp_addr_is_multicast((struct sockaddr *)ss))
			return S_OK;
		if (!mc) {
			*why = "a multicast group needs IS_MULTICAST TRUE";
			return WS_E_ADDRESS_NOT_AVAILABLE;
		}
		ul->has_group = true;
		memcpy(&ul->group, ss, *len);
		/* Bound to the wildcard: the group's datagrams are addressed
		 * to the group, not to us. */
		if (ul->family == AF_INET)
			((struct sockaddr_in *)ss)->sin_addr.s_addr =
			    htonl(INADDR_ANY);
		else
			((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_any;
		return S_OK;
	}
	ul->family = ipv == WS_IP_VERSION_4 ? AF_INET : AF_INET6;
	return udp_addr_parse(ul->family == AF_INET ? "0.0.0.0" : "::",
	    ul->url.port, ul->family, ss, len) == 0 ? S_OK : E_FAIL;
}

static int32_t
udp_listener_socket(struct udp_listener *ul, const char **why)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int32_t hr;
	int on = 1, off = 0, err;

	if ((hr = udp_listener_address(ul, &ss, &len, why)) != S_OK)
		return hr;
	ul->fd = socket(ul->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP);
	if (ul->fd == -1) {
		*why = "cannot create a socket";
		return WS_E_QUOTA_EXCEEDED;
	}
	if (ul->family == AF_INET6)
		(void)setsockopt(ul->fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    listener_prop_value(ul->ls, WS_LISTENER_PROPERTY_IP_VERSION) ==
		    WS_IP_VERSION_6 || ul->has_group ? &on : &off, sizeof(on));
	/* Multicast listeners share the port with other processes (MS). */
	if (listener_prop_value(ul->ls, WS_LISTENER_PROPERTY_IS_MULTICAST)) {
		(void)setsockopt(ul->fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		(void)setsockopt(ul->fd, SOL_SOCKET, SO_REUSEPORT, &on,
		    sizeof(on));
	}
	/* Only the groups this socket joined, not every group some other
	 * socket of the host joined on this port. */
	if (ul->has_group && ul->family == AF_INET)
		(void)setsockopt(ul->fd, IPPROTO_IP, IP_MULTICAST_ALL, &off,
		    sizeof(off));
	if (bind(ul->fd, (struct sockaddr *)&ss, len) != 0) {
		err = errno;
		*why = err == EADDRINUSE ? "the address is already in use" :
		    "cannot bind that address";
		return err == EADDRINUSE ? WS_E_ADDRESS_IN_USE :
		    WS_E_ADDRESS_NOT_AVAILABLE;
	}
	len = sizeof(ss);
	if (getsockname(ul->fd, (struct sockaddr *)&ss, &len) == 0)
		udp_addr_str((struct sockaddr *)&ss, ul->local,
		    sizeof(ul->local));
	return S_OK;
}

static int32_t
udp_listen(struct listener *ls, const struct url *u, const char **why)
{
	struct udp_listener *ul;
	char group[64] = "";
	int32_t hr;

	if ((ul = calloc(1, sizeof(*ul))) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	ul->ls = ls;
	ul->refs = 1;
	ul->fd = -1;
	ul->url = *u;
	TAILQ_INIT(&ul->queue);
	listener_set_tp(ls, ul);
	if ((hr = udp_listener_socket(ul, why)) != S_OK)
		goto fail;
	if (getifaddrs(&ul->ifa) != 0)
		ul->ifa = NULL;
	if ((ul->buf = malloc(UDP_DGRAM_MAX + 1)) == NULL ||
	    encoding_new(WS_ENCODING_XML_UTF8, WS_ENVELOPE_VERSION_SOAP_1_2, 0,
	    &ul->enc) != 0 ||
	    (ul->ev = event_new(registry_base(), ul->fd, EV_READ | EV_PERSIST,
	    udp_listener_read_cb, ul)) == NULL || event_add(ul->ev, NULL) != 0) {
		*why = "out of memory";
		hr = E_OUTOFMEMORY;
		goto fail;
	}
	if ((hr = udp_listener_rejoin(ul, why)) != S_OK)
		goto fail;
	if (ul->has_group) {
		udp_addr_str((struct sockaddr *)&ul->group, group,
		    sizeof(group));
		/* The group without its port. */
		if (strrchr(group, ':') != NULL)
			*strrchr(group, ':') = '\0';
	}
	listener_transport_endpoint(ls, ul->local, group);
	return S_OK;
fail:
	udp_listener_stop(ls);
	return hr;
}

/* Queued datagrams go to the accepts that now wait, oldest first. */
static void
udp_accept(struct listener *ls)
{
	struct udp_listener *ul = listener_tp(ls);
	struct udp_dgram *d;

	if (ul == NULL)
		return;
	ul->refs++;
	while (ul->ls != NULL && (d = TAILQ_FIRST(&ul->queue)) != NULL &&
	    listener_transport_waiting(ls) > 0) {
		TAILQ_REMOVE(&ul->queue, d, entry);
		ul->nqueued--;
		if (!udp_listener_hand(ul, d)) {
			TAILQ_INSERT_HEAD(&ul->queue, d, entry);
			ul->nqueued++;
			break;
		}
	}
	udp_listener_unref(ul);
}

static int32_t
udp_listener_set(struct listener *ls, uint32_t id, const char **why)
{
	struct udp_listener *ul = listener_tp(ls);

	if (ul == NULL || id != WS_LISTENER_PROPERTY_MULTICAST_INTERFACES)
		return S_OK;
	return udp_listener_rejoin(ul, why);
}

const struct transport_ops transport_udp_ops = {
	.check = udp_check,
	.open = udp_open,
	.send = udp_send,
	.want_receive = udp_want_receive,
	.shutdown = udp_shutdown,
	.close = udp_close,
	.abort = udp_abort,
	.listener_open = udp_listen,
	.listener_accept = udp_accept,
	.listener_close = udp_listener_stop,
	.listener_abort = udp_listener_stop,
	.listener_set = udp_listener_set,
};
