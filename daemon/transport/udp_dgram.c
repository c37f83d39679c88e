/*
 * soap.udp's pure parts: addresses, the datagram decoder and To matching.
 * No socket and no core object here, so that fuzz/fuzz_udp.c can drive
 * the decoder with the codecs alone.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "encoding.h"
#include "envelope.h"
#include "udp_priv.h"
#include "url.h"

/* "127.0.0.1:4242" or "[::1]:4242"; a v4-mapped address as IPv4. */
void
udp_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_in *sin;
	struct in_addr a4;

	buf[0] = '\0';
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(&a4, &sin6->sin6_addr.s6_addr[12], 4);
			inet_ntop(AF_INET, &a4, host, sizeof(host));
			snprintf(buf, len, "%s:%u", host,
			    ntohs(sin6->sin6_port));
			return;
		}
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	}
}

/*
 * A literal IPv4 or IPv6 host and a port into `ss`, in `family` (an IPv4
 * address for an AF_INET6 socket becomes v4-mapped).  0 or -EINVAL.
 */
int
udp_addr_parse(const char *host, uint16_t port, int family,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct in_addr a4;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4) == 1) {
		if (family == AF_INET6) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(port);
			sin6->sin6_addr.s6_addr[10] = 0xff;
			sin6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sin6->sin6_addr.s6_addr[12], &a4, 4);
			*len = sizeof(*sin6);
			return 0;
		}
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a4;
		*len = sizeof(*sin);
		return 0;
	}
	if (family != AF_INET &&
	    inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

bool
udp_addr_is_multicast(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return IN_MULTICAST(ntohl(
		    ((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

/* Is the address of `sa` (port ignored) one of `ifa`'s? */
bool
udp_addr_is_local(const struct ifaddrs *ifa, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	struct in_addr a4;
	bool v4 = sa->sa_family == AF_INET;

	if (v4)
		a4 = ((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(&a4, &sin6->sin6_addr.s6_addr[12], 4);
		v4 = true;
	} else if (sa->sa_family != AF_INET6)
		return false;
	if (v4 && (ntohl(a4.s_addr) >> 24) == 127)
		return true;
	if (!v4 && IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
		return true;
	/*
	 * The unspecified address: no remote host may send from it, but this
	 * one does when the route's interface has no address of a wide enough
	 * scope (multicast through lo, whose 127.0.0.1 is host-scoped).
	 */
	if (v4 && a4.s_addr == htonl(INADDR_ANY))
		return true;
	if (!v4 && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		return true;
	for (; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL)
			continue;
		if (v4 && ifa->ifa_addr->sa_family == AF_INET &&
		    memcmp(&((struct sockaddr_in *)ifa->ifa_addr)->sin_addr,
		    &a4, 4) == 0)
			return true;
		if (!v4 && ifa->ifa_addr->sa_family == AF_INET6 &&
		    memcmp(&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr,
		    &sin6->sin6_addr, 16) == 0)
			return true;
	}
	return false;
}

/* ---- datagrams -------------------------------------------------------------- */

void
udp_dgram_free(struct udp_dgram *d)
{
	if (d == NULL)
		return;
	envelope_clear(&d->env);
	free(d);
}

void
udp_dgram_list_free(struct udp_dgram_list *l)
{
	struct udp_dgram *d;

	while ((d = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, d, entry);
		udp_dgram_free(d);
	}
}

/*
 * A datagram's bytes into a new udp_dgram, or NULL with *why when it is
 * to be dropped (too large, not a SOAP envelope, out of memory).
 */
struct udp_dgram *
udp_dgram_decode(struct encoding *enc, const uint8_t *buf, size_t n,
    const char **why)
{
	struct udp_dgram *d;
	int32_t hr;

	if (n > UDP_DGRAM_MAX) {
		*why = "datagram larger than MAX_BUFFERED_MESSAGE_SIZE";
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	*why = "not a SOAP envelope";
	if ((hr = encoding_decode(enc, buf, n, &d->env, why)) != S_OK) {
		free(d);
		return NULL;
	}
	d->size = n;
	return d;
}

bool
udp_to_matches(uint64_t opt, const struct url *lu, bool group,
    const struct ifaddrs *ifa, const char *to)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char name[256];
	struct url u;
	size_t plen;

	if (opt == 0 || to == NULL)
		return true;
	if (url_parse(to, &u) != 0 || u.scheme != URL_SOAPUDP)
		return false;
	if ((opt & UDP_MATCH_PORT) && u.port != lu->port)
		return false;
	plen = strlen(lu->path);
	if ((opt & UDP_MATCH_EXACT_PATH) && strcmp(u.path, lu->path) != 0)
		return false;
	if ((opt & UDP_MATCH_PREFIX_PATH) &&
	    strncmp(u.path, lu->path, plen) != 0)
		return false;
	if (!(opt & UDP_MATCH_THIS_HOST))
		return true;
	if (strcasecmp(u.host, lu->host) == 0)
		return true;
	if ((opt & UDP_MATCH_LOCAL_HOST) && strcasecmp(u.host, "localhost") == 0)
		return true;
	if ((opt & (UDP_MATCH_DNS_HOST | UDP_MATCH_NETBIOS_HOST)) &&
	    gethostname(name, sizeof(name)) == 0 &&
	    (name[sizeof(name) - 1] = '\0', strcasecmp(u.host, name) == 0))
		return true;
	if ((opt & UDP_MATCH_HOST_ADDRESSES) &&
	    udp_addr_parse(u.host, u.port, AF_UNSPEC, &ss, &sslen) == 0 &&
	    (udp_addr_is_local(ifa, (struct sockaddr *)&ss) ||
	    (group && udp_addr_is_multicast((struct sockaddr *)&ss))))
		return true;
	return false;
}

