/*
 * Fuzz target for daemon/codec/url.c.  The input, cut at its first NUL,
 * is the URL an application passed.  A URL that parses must keep the
 * promises of url.h (a host that fits and is a name, a wildcard or an
 * IPv6 literal; a port that is never 0; a path that starts with '/' and
 * holds no space or control character) and must round-trip: written back
 * as scheme://host:port/path it parses to the same fields.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "url.h"

static const char *const fuzz_url_schemes[] = {
	[URL_NETTCP] = "net.tcp",
	[URL_SOAPUDP] = "soap.udp",
	[URL_HTTP] = "http",
};

static __attribute__((noreturn)) void
fuzz_url_fail(const char *in, const char *what)
{
	fprintf(stderr, "url \"%s\": %s\n", in, what);
	abort();
}

static bool
fuzz_url_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* What url.h promises about a parsed URL, field by field. */
static void
fuzz_url_check(const char *in, const struct url *u)
{
	struct in6_addr	 a6;
	size_t		 hlen, plen, i;

	if ((unsigned)u->scheme > URL_HTTP)
		fuzz_url_fail(in, "scheme out of range");
	hlen = strnlen(u->host, sizeof(u->host));
	if (hlen == 0 || hlen == sizeof(u->host))
		fuzz_url_fail(in, "host empty or not terminated");
	if (strchr(u->host, ':') != NULL) {
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			fuzz_url_fail(in, "host with ':' is not IPv6");
	} else if (strcmp(u->host, "+") != 0 && strcmp(u->host, "*") != 0) {
		for (i = 0; i < hlen; i++)
			if (!fuzz_url_host_char(u->host[i]))
				fuzz_url_fail(in, "bad character in host");
	}
	if (u->port == 0)
		fuzz_url_fail(in, "port 0");
	plen = strnlen(u->path, sizeof(u->path));
	if (plen == 0 || plen == sizeof(u->path) || u->path[0] != '/')
		fuzz_url_fail(in, "path empty, unterminated or not absolute");
	for (i = 0; i < plen; i++)
		if ((unsigned char)u->path[i] <= 0x20 || u->path[i] == 0x7f)
			fuzz_url_fail(in, "space or control character in path");
	if (strstr(in, "://") == NULL)
		fuzz_url_fail(in, "parsed without \"://\"");
}

static void
fuzz_url_round_trip(const char *in, const struct url *u)
{
	static char	 s[sizeof(u->host) + sizeof(u->path) + 32];
	struct url	 again;
	bool		 v6 = strchr(u->host, ':') != NULL;
	int		 rc;

	snprintf(s, sizeof(s), "%s://%s%s%s:%u%s",
	    fuzz_url_schemes[u->scheme], v6 ? "[" : "", u->host,
	    v6 ? "]" : "", (unsigned)u->port, u->path);
	memset(&again, 0x5a, sizeof(again));
	if ((rc = url_parse(s, &again)) != 0) {
		fprintf(stderr, "rewritten as \"%s\": %d\n", s, rc);
		fuzz_url_fail(in, "the rewritten URL does not parse");
	}
	if (again.scheme != u->scheme || again.port != u->port ||
	    strcmp(again.host, u->host) != 0 ||
	    strcmp(again.path, u->path) != 0) {
		fprintf(stderr, "rewritten as \"%s\"\n", s);
		fuzz_url_fail(in, "round trip changed a field");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url	 u, before;
	char		*s;
	int		 rc;

	/* An exact-size copy, so a read past the NUL is caught. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&u, 0xa5, sizeof(u));
	before = u;
	rc = url_parse(s, &u);
	if (rc == 0) {
		fuzz_url_check(s, &u);
		fuzz_url_round_trip(s, &u);
	} else {
		if (rc != -EINVAL && rc != -EPROTONOSUPPORT)
			fuzz_url_fail(s, "unexpected error");
		/* Out-parameters are untouched on failure (STYLE.md 11). */
		if (memcmp(&u, &before, sizeof(u)) != 0)
			fuzz_url_fail(s, "failure wrote to the result");
	}
	free(s);
	return 0;
}
