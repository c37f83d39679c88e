/*
 * URLs of the schemes wschanneld speaks: net.tcp, soap.udp and http.
 * Strict on purpose: these strings come from applications and end up in
 * bind()/connect() calls and on the wire (the NMF Via record).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "url.h"

static const struct {
	const char	*name;
	enum url_scheme	 scheme;
	uint16_t	 default_port;	/* 0: the URL must name a port */
} url_schemes[] = {
	{ "net.tcp", URL_NETTCP, 808 },
	{ "soap.udp", URL_SOAPUDP, 3702 },	/* bindings.md: WS-Discovery's */
	{ "http", URL_HTTP, 80 },
};

static bool
url_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
url_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 3986 reg-name characters we accept in a host name. */
static bool
url_is_host_char(char c)
{
	return url_is_alpha(c) || url_is_digit(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~';
}

/* Parses the port digits in [p, end); rejects empty, 0, > 65535, garbage. */
static int
url_parse_port(const char *p, const char *end, uint16_t *port)
{
	uint32_t	 v = 0;

	if (p == end)
		return -EINVAL;
	for (; p < end; p++) {
		if (!url_is_digit(*p))
			return -EINVAL;
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Splits the authority [p, end) into host and port. */
static int
url_parse_authority(const char *p, const char *end, struct url *u,
    bool *have_port)
{
	const char	*host, *host_end, *q;
	struct in6_addr	 a6;
	size_t		 len;

	*have_port = false;
	if (p < end && *p == '[') {
		host = p + 1;
		host_end = memchr(host, ']', (size_t)(end - host));
		if (host_end == NULL)
			return -EINVAL;
		q = host_end + 1;
		if (q != end && *q != ':')
			return -EINVAL;
		len = (size_t)(host_end - host);
		if (len == 0 || len >= sizeof u->host)
			return -EINVAL;
		memcpy(u->host, host, len);
		u->host[len] = '\0';
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return -EINVAL;
	} else {
		host = p;
		for (q = p; q < end && *q != ':'; q++)
			;
		host_end = q;
		len = (size_t)(host_end - host);
		if (len == 0 || len >= sizeof u->host)
			return -EINVAL;
		if (len == 1 && (*host == '+' || *host == '*')) {
			/* wildcard listener address */
		} else {
			for (q = host; q < host_end; q++)
				if (!url_is_host_char(*q))
					return -EINVAL;
		}
		memcpy(u->host, host, len);
		u->host[len] = '\0';
		q = host_end;
	}
	if (q == end)
		return 0;
	*have_port = true;
	return url_parse_port(q + 1, end, &u->port);
}

int
url_parse(const char *s, struct url *u)
{
	struct url	 tmp;
	const char	*sep, *auth, *auth_end, *p;
	size_t		 scheme_len, i, path_len;
	bool		 have_port, found = false;
	int		 error;

	if (s == NULL)
		return -EINVAL;
	memset(&tmp, 0, sizeof tmp);

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	sep = strstr(s, "://");
	if (sep == NULL || sep == s || !url_is_alpha(*s))
		return -EINVAL;
	for (p = s; p < sep; p++)
		if (!url_is_alpha(*p) && !url_is_digit(*p) && *p != '+' &&
		    *p != '-' && *p != '.')
			return -EINVAL;
	scheme_len = (size_t)(sep - s);
	for (i = 0; i < sizeof url_schemes / sizeof url_schemes[0]; i++) {
		if (strlen(url_schemes[i].name) == scheme_len &&
		    strncasecmp(s, url_schemes[i].name, scheme_len) == 0) {
			found = true;
			break;
		}
	}
	if (!found)
		return -EPROTONOSUPPORT;
	tmp.scheme = url_schemes[i].scheme;

	auth = sep + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)) != NULL)
		return -EINVAL;		/* no user info in these schemes */
	if ((error = url_parse_authority(auth, auth_end, &tmp,
	    &have_port)) != 0)
		return error;
	if (!have_port) {
		if (url_schemes[i].default_port == 0)
			return -EINVAL;
		tmp.port = url_schemes[i].default_port;
	}

	/* The rest is the path (with any query), as the peer will see it. */
	for (p = auth_end; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return -EINVAL;
	path_len = strlen(auth_end);
	if (*auth_end != '/') {
		if (path_len + 1 >= sizeof tmp.path)
			return -EINVAL;
		tmp.path[0] = '/';
		memcpy(tmp.path + 1, auth_end, path_len + 1);
	} else {
		if (path_len >= sizeof tmp.path)
			return -EINVAL;
		memcpy(tmp.path, auth_end, path_len + 1);
	}

	*u = tmp;
	return 0;
}
