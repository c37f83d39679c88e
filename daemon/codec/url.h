/* URLs of the three schemes wschanneld speaks; which binding opens which
 * scheme is in the table of bindings (daemon/core/transport.h). */
#ifndef WSCHANNEL_URL_H
#define WSCHANNEL_URL_H

#include <stdint.h>

enum url_scheme {
	URL_NETTCP,	/* net.tcp://host[:port]/path, default port 808 */
	URL_SOAPUDP,	/* soap.udp://host:port/path */
	URL_HTTP,	/* http://host[:port]/path, default port 80 */
};

struct url {
	enum url_scheme	 scheme;
	char		 host[256];	/* without brackets for IPv6 literals;
					 * "+" or "*" for a wildcard listener */
	uint16_t	 port;
	char		 path[1024];	/* starts with '/', "/" when empty */
};

/*
 * Parses `s`.  Returns 0, -EINVAL for a malformed URL (no scheme, bad
 * port, host too long), -EPROTONOSUPPORT for an unknown scheme.
 */
int	url_parse(const char *s, struct url *u);

#endif
