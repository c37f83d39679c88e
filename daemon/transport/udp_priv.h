/*
 * soap.udp's pure parts, shared by udp.c and its fuzz target: addresses,
 * the datagram decoder and the To matching of a listener.
 */
#ifndef WSCHANNEL_UDP_PRIV_H
#define WSCHANNEL_UDP_PRIV_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

struct encoding;
struct url;

/* MAX_BUFFERED_MESSAGE_SIZE, fixed for UDP (MS). */
#define UDP_DGRAM_MAX		65536
/* The largest UDP payloads (bindings.md). */
#define UDP_PAYLOAD_MAX_V4	65507
#define UDP_PAYLOAD_MAX_V6	65527
/* Datagrams waiting for an accept or a receive (bindings.md). */
#define UDP_QUEUE_MAX		64
/* Datagrams read per readable event, so one busy socket cannot starve
 * the loop. */
#define UDP_READ_BURST		64

/* WS_MATCH_URL_* of TO_HEADER_MATCHING_OPTIONS (Windows' values). */
#define UDP_MATCH_DNS_HOST		0x01
#define UDP_MATCH_DNS_FULLY_QUALIFIED	0x02
#define UDP_MATCH_NETBIOS_HOST		0x04
#define UDP_MATCH_LOCAL_HOST		0x08
#define UDP_MATCH_HOST_ADDRESSES	0x10
#define UDP_MATCH_THIS_HOST		0x1f
#define UDP_MATCH_PORT			0x20
#define UDP_MATCH_EXACT_PATH		0x40
#define UDP_MATCH_PREFIX_PATH		0x80

/* A datagram as it waits for a receive or an accept. */
struct udp_dgram {
	TAILQ_ENTRY(udp_dgram)	 entry;
	struct envelope		 env;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	size_t			 size;
};
TAILQ_HEAD(udp_dgram_list, udp_dgram);

void	 udp_dgram_free(struct udp_dgram *);		/* NULL: no-op */
void	 udp_dgram_list_free(struct udp_dgram_list *);
/*
 * A datagram's `n` bytes into a new udp_dgram, or NULL with *why when it
 * is to be dropped: larger than UDP_DGRAM_MAX (the caller passes the real
 * length of a cut datagram), not a SOAP envelope, out of memory.
 */
struct udp_dgram *udp_dgram_decode(struct encoding *, const uint8_t *buf,
	    size_t n, const char **why);
/*
 * Does `to` (NULL: no To header) name a listener on `lu` (`group`: it
 * serves a multicast group) under TO_HEADER_MATCHING_OPTIONS `opt`?
 * `ifa` lists this host's addresses (may be NULL).
 */
bool	 udp_to_matches(uint64_t opt, const struct url *lu, bool group,
	    const struct ifaddrs *ifa, const char *to);

/* "127.0.0.1:4242" or "[::1]:4242"; a v4-mapped address as IPv4. */
void	 udp_addr_str(const struct sockaddr *, char *buf, size_t len);
/* A literal host and port into *ss for a socket of `family` (AF_UNSPEC:
 * either; AF_INET6: IPv4 becomes v4-mapped).  0 or -EINVAL. */
int	 udp_addr_parse(const char *host, uint16_t port, int family,
	    struct sockaddr_storage *ss, socklen_t *len);
bool	 udp_addr_is_multicast(const struct sockaddr *);
/* Loopback, or one of `ifa`'s addresses (port ignored). */
bool	 udp_addr_is_local(const struct ifaddrs *ifa, const struct sockaddr *);

#endif
