/*
 * WsDecodeUrl, WsEncodeUrl and WsCombineUrl: URLs of the WWSAPI schemes
 * (http, https, net.tcp, soap.udp, net.pipe) split into their parts and put
 * back together, with RFC 3986 escaping and reference resolution.
 *
 * The work is done on UTF-8 copies of the caller's UTF-16 strings; what is
 * returned is UTF-16 again, allocated on the caller's WS_HEAP (so a full
 * heap gives WS_E_QUOTA_EXCEEDED, as on Windows).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define WS_URL_FLAGS_ALL	(WS_URL_FLAGS_ALLOW_HOST_WILDCARDS | \
	WS_URL_FLAGS_NO_PATH_COLLAPSE | WS_URL_FLAGS_ZERO_TERMINATE)

static const struct {
	const char	*name;
	USHORT		 port;		/* when the URL names none */
} ws_url_schemes[] = {
	[WS_URL_HTTP_SCHEME_TYPE] = { "http", 80 },
	[WS_URL_HTTPS_SCHEME_TYPE] = { "https", 443 },
	[WS_URL_NETTCP_SCHEME_TYPE] = { "net.tcp", 808 },
	[WS_URL_SOAPUDP_SCHEME_TYPE] = { "soap.udp", 65535 },
	[WS_URL_NETPIPE_SCHEME_TYPE] = { "net.pipe", 65535 },
};
#define WS_URL_NSCHEMES \
	(sizeof(ws_url_schemes) / sizeof(ws_url_schemes[0]))

/* Escaping: which bytes a component may carry as they are. */
enum ws_url_part { WS_URL_HOST, WS_URL_PATH, WS_URL_QUERY };

/* A URL split per RFC 3986 appendix B; `has_*` tell an empty part from
 * a missing one.  Pointers are into the string that was split. */
struct ws_url_split {
	const char	*scheme, *authority, *path, *query, *fragment;
	size_t		 scheme_len, authority_len, path_len, query_len,
			 fragment_len;
	bool		 has_scheme, has_authority, has_query, has_fragment;
};

/* A growing UTF-8 buffer; `failed` once an allocation failed. */
struct ws_url_buf {
	char	*s;
	size_t	 len, cap;
	bool	 failed;
};

static void
ws_url_buf_add(struct ws_url_buf *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? 64 : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static int
ws_url_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
ws_url_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* May byte `c` stand unescaped in `part`?  Unreserved and sub-delims
 * everywhere; ':' and '@' in paths and queries; '/' in paths, '/' and '?'
 * in queries and fragments. */
static bool
ws_url_plain(unsigned char c, enum ws_url_part part)
{
	if (ws_url_alpha(c) || (c >= '0' && c <= '9'))
		return true;
	if (strchr("-._~!$&'()*+,;=", c) != NULL && c != '\0')
		return true;
	switch (part) {
	case WS_URL_HOST:
		return false;
	case WS_URL_PATH:
		return c == ':' || c == '@' || c == '/';
	case WS_URL_QUERY:
		return c == ':' || c == '@' || c == '/' || c == '?';
	}
	return false;
}

static void
ws_url_escape(struct ws_url_buf *b, const char *s, size_t n,
    enum ws_url_part part)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	size_t i;

	for (i = 0; i < n; i++) {
		if (ws_url_plain((unsigned char)s[i], part)) {
			ws_url_buf_add(b, s + i, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[(unsigned char)s[i] >> 4];
		esc[2] = hex[(unsigned char)s[i] & 0xf];
		ws_url_buf_add(b, esc, 3);
	}
}

/* %XX escapes undone into a malloc'd copy; -1 with errno EINVAL for a
 * broken escape, ENOMEM. */
static int
ws_url_unescape(const char *s, size_t n, char **out, size_t *outlen)
{
	char *d;
	size_t i, j;
	int hi, lo;

	if ((d = malloc(n + 1)) == NULL)
		return -1;
	for (i = j = 0; i < n; i++) {
		if (s[i] != '%') {
			d[j++] = s[i];
			continue;
		}
		if (i + 2 >= n) {
			free(d);
			errno = EINVAL;
			return -1;
		}
		if ((hi = ws_url_hex(s[i + 1])) < 0 ||
		    (lo = ws_url_hex(s[i + 2])) < 0) {
			free(d);
			errno = EINVAL;
			return -1;
		}
		d[j++] = (char)(hi << 4 | lo);
		i += 2;
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return 0;
}

/* RFC 3986 5.2.4, in place; returns the new length. */
static size_t
ws_url_remove_dots(char *p, size_t n)
{
	size_t in = 0, out = 0, seg;

	while (in < n) {
		if (n - in >= 3 && memcmp(p + in, "../", 3) == 0)
			in += 3;
		else if (n - in >= 2 && memcmp(p + in, "./", 2) == 0)
			in += 2;
		else if (n - in >= 3 && memcmp(p + in, "/./", 3) == 0)
			in += 2;
		else if (n - in == 2 && memcmp(p + in, "/.", 2) == 0) {
			in += 1;
			p[in] = '/';
		} else if ((n - in >= 4 && memcmp(p + in, "/../", 4) == 0) ||
		    (n - in == 3 && memcmp(p + in, "/..", 3) == 0)) {
			in += 3;
			if (in == n) {
				in--;
				p[in] = '/';
			}
			while (out > 0 && p[out - 1] != '/')
				out--;
			if (out > 0)
				out--;
		} else if ((n - in == 1 && p[in] == '.') ||
		    (n - in == 2 && memcmp(p + in, "..", 2) == 0))
			in = n;
		else {
			seg = 1;
			while (in + seg < n && p[in + seg] != '/')
				seg++;
			memmove(p + out, p + in, seg);
			out += seg;
			in += seg;
		}
	}
	return out;
}

/* Appendix B of RFC 3986: never fails, every string is a reference. */
static void
ws_url_split(const char *s, size_t n, struct ws_url_split *u)
{
	size_t i = 0, j;

	memset(u, 0, sizeof(*u));
	if (n > 0 && ws_url_alpha((unsigned char)s[0])) {
		for (j = 1; j < n && (ws_url_alpha((unsigned char)s[j]) ||
		    (s[j] >= '0' && s[j] <= '9') || s[j] == '+' ||
		    s[j] == '-' || s[j] == '.'); j++)
			;
		if (j < n && s[j] == ':') {
			u->has_scheme = true;
			u->scheme = s;
			u->scheme_len = j;
			i = j + 1;
		}
	}
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		u->has_authority = true;
		u->authority = s + i + 2;
		for (i += 2; i < n && strchr("/?#", s[i]) == NULL; i++)
			u->authority_len++;
	}
	u->path = s + i;
	for (; i < n && s[i] != '?' && s[i] != '#'; i++)
		u->path_len++;
	if (i < n && s[i] == '?') {
		u->has_query = true;
		u->query = s + ++i;
		for (; i < n && s[i] != '#'; i++)
			u->query_len++;
	}
	if (i < n && s[i] == '#') {
		u->has_fragment = true;
		u->fragment = s + i + 1;
		u->fragment_len = n - i - 1;
	}
}

static int
ws_url_scheme_of(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < WS_URL_NSCHEMES; i++)
		if (strlen(ws_url_schemes[i].name) == n &&
		    strncasecmp(ws_url_schemes[i].name, s, n) == 0)
			return (int)i;
	return -1;
}

/* UTF-8 into a WS_STRING on the heap (zero-terminated when asked). */
static HRESULT
ws_url_out(WS_HEAP *heap, const char *s, size_t n, ULONG flags,
    WS_STRING *out, WS_ERROR *error, const char *api)
{
	bool zero = (flags & WS_URL_FLAGS_ZERO_TERMINATE) != 0;
	WCHAR *w, *chars;
	size_t wlen = 0;
	HRESULT hr;

	if (n == 0 && !zero) {
		out->length = 0;
		out->chars = NULL;
		return S_OK;
	}
	if (n == 0)
		w = NULL;	/* only the terminating zero */
	else if ((w = ws_utf8_to_utf16(s, n, &wlen)) == NULL)
		return errno == ENOMEM ? ws_error_fail(error, E_OUTOFMEMORY,
		    "%s: out of memory", api) : ws_error_fail(error,
		    WS_E_INVALID_FORMAT, "%s: the URL's escapes do not decode "
		    "to UTF-8", api);
	if (wlen > 0x7fffffff ||
	    (chars = ws_heap_alloc(heap, (wlen + 1) * sizeof(WCHAR), &hr)) ==
	    NULL) {
		free(w);
		if (wlen > 0x7fffffff)
			hr = WS_E_QUOTA_EXCEEDED;
		return ws_error_fail(error, hr, "%s: no room on the heap for "
		    "the URL", api);
	}
	if (wlen > 0)
		memcpy(chars, w, wlen * sizeof(WCHAR));
	chars[wlen] = 0;
	free(w);
	out->length = (ULONG)wlen;
	out->chars = chars;
	return S_OK;
}

/* A WS_STRING as malloc'd UTF-8; NULL and *hr set on failure. */
static char *
ws_url_in(const WS_STRING *s, size_t *len, HRESULT *hr, WS_ERROR *error,
    const char *api, const char *what)
{
	char *u;

	if (s->chars == NULL && s->length > 0) {
		*hr = ws_error_fail(error, E_INVALIDARG, "%s: %s has a length "
		    "but no characters", api, what);
		return NULL;
	}
	if ((u = ws_utf16_to_utf8(s->chars, s->length, len)) == NULL)
		*hr = errno == ENOMEM ? ws_error_fail(error, E_OUTOFMEMORY,
		    "%s: out of memory", api) : ws_error_fail(error,
		    WS_E_INVALID_FORMAT, "%s: %s is not valid UTF-16", api,
		    what);
	return u;
}

static bool
ws_url_is_wildcard(const char *h, size_t n)
{
	return n == 1 && (h[0] == '+' || h[0] == '*');
}

/* Host and port of an authority; WS_E_INVALID_FORMAT with the reason. */
static HRESULT
ws_url_authority(const struct ws_url_split *u, ULONG flags, size_t *hostlen,
    const char **port, size_t *portlen, ULONG *portval, WS_ERROR *error,
    const char *api)
{
	const char *a = u->authority, *end;
	size_t n = u->authority_len, i;

	if (memchr(a, '@', n) != NULL)
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: user "
		    "information in a URL is not supported", api);
	if (n > 0 && a[0] == '[') {
		if ((end = memchr(a, ']', n)) == NULL)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: an IP literal without its ']'", api);
		*hostlen = (size_t)(end - a) + 1;
	} else
		for (*hostlen = 0; *hostlen < n && a[*hostlen] != ':';
		    (*hostlen)++)
			;
	if (*hostlen == 0)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the URL has no host", api);
	if (ws_url_is_wildcard(a, *hostlen) &&
	    (flags & WS_URL_FLAGS_ALLOW_HOST_WILDCARDS) == 0)
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: host "
		    "'%c' needs WS_URL_FLAGS_ALLOW_HOST_WILDCARDS", api, a[0]);
	*port = NULL;
	*portlen = 0;
	*portval = 0;
	if (*hostlen == n)
		return S_OK;
	if (a[*hostlen] != ':' || *hostlen + 1 == n)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: a ':' with no port after the host", api);
	*port = a + *hostlen + 1;
	*portlen = n - *hostlen - 1;
	for (i = 0; i < *portlen; i++) {
		if ((*port)[i] < '0' || (*port)[i] > '9' || i >= 5 ||
		    (*portval = *portval * 10 + (ULONG)((*port)[i] - '0')) >
		    65535)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: port '%.*s' is not a number from 0 to 65535",
			    api, (int)*portlen, *port);
	}
	return S_OK;
}

/* One decoded part into `out`: unescaped, dots collapsed for paths. */
static HRESULT
ws_url_decode_part(WS_HEAP *heap, const char *s, size_t n, bool path,
    ULONG flags, WS_STRING *out, WS_ERROR *error, const char *api)
{
	char *d;
	size_t dn;
	HRESULT hr;

	if (ws_url_unescape(s, n, &d, &dn) == -1)
		return errno == ENOMEM ? ws_error_fail(error, E_OUTOFMEMORY,
		    "%s: out of memory", api) : ws_error_fail(error,
		    WS_E_INVALID_FORMAT, "%s: a '%%' not followed by two hex "
		    "digits in '%.*s'", api, (int)n, s);
	if (path && (flags & WS_URL_FLAGS_NO_PATH_COLLAPSE) == 0)
		dn = ws_url_remove_dots(d, dn);
	hr = ws_url_out(heap, d, dn, flags, out, error, api);
	free(d);
	return hr;
}

static HRESULT
ws_url_check_chars(const char *s, size_t n, WS_ERROR *error, const char *api)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the URL has a space or control character "
			    "at offset %zu", api, i);
	return S_OK;
}

static HRESULT
ws_url_decode(const char *s, size_t n, ULONG flags, WS_HEAP *heap,
    WS_URL **outUrl, WS_ERROR *error, const char *api)
{
	struct ws_url_split u;
	WS_HTTP_URL *url;
	const char *port = NULL;
	size_t hostlen = 0, portlen = 0;
	ULONG portval = 0;
	int scheme;
	HRESULT hr;

	if ((hr = ws_url_check_chars(s, n, error, api)) != S_OK)
		return hr;
	ws_url_split(s, n, &u);
	if (!u.has_scheme ||
	    (scheme = ws_url_scheme_of(u.scheme, u.scheme_len)) < 0)
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: '%.*s' "
		    "is not a URL of the http, https, net.tcp, soap.udp or "
		    "net.pipe scheme", api, (int)n, s);
	if (!u.has_authority)
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: no '//' "
		    "after '%s:'", api, ws_url_schemes[scheme].name);
	if ((hr = ws_url_authority(&u, flags, &hostlen, &port, &portlen,
	    &portval, error, api)) != S_OK)
		return hr;
	if ((url = ws_heap_alloc(heap, sizeof(*url), &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: no room on the heap for "
		    "the URL", api);
	memset(url, 0, sizeof(*url));
	url->url.scheme = (WS_URL_SCHEME_TYPE)scheme;
	url->port = port != NULL ? (USHORT)portval :
	    ws_url_schemes[scheme].port;
	if ((hr = ws_url_decode_part(heap, u.authority, hostlen, false, flags,
	    &url->host, error, api)) != S_OK ||
	    (hr = ws_url_out(heap, port, portlen, flags, &url->portAsString,
	    error, api)) != S_OK ||
	    (hr = ws_url_decode_part(heap, u.path, u.path_len, true, flags,
	    &url->path, error, api)) != S_OK ||
	    (hr = ws_url_decode_part(heap, u.query, u.query_len, false, flags,
	    &url->query, error, api)) != S_OK ||
	    (hr = ws_url_decode_part(heap, u.fragment, u.fragment_len, false,
	    flags, &url->fragment, error, api)) != S_OK)
		return hr;
	*outUrl = &url->url;
	return S_OK;
}

static HRESULT
ws_url_check_args(WS_HEAP *heap, const void *in, const void *out, ULONG flags,
    WS_ERROR *error, const char *api)
{
	if (in == NULL || out == NULL || heap == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: a URL, the heap or the result is NULL", api);
	if (!ws_heap_valid(heap))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: not a live heap", api);
	if ((flags & ~(ULONG)WS_URL_FLAGS_ALL) != 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown flags 0x%lx", api,
		    (unsigned long)(flags & ~(ULONG)WS_URL_FLAGS_ALL));
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsDecodeUrl(const WS_STRING *url, ULONG flags, WS_HEAP *heap, WS_URL **outUrl,
    WS_ERROR *error)
{
	static const char api[] = "WsDecodeUrl";
	char *s;
	size_t n;
	HRESULT hr;

	if ((hr = ws_url_check_args(heap, url, outUrl, flags, error, api)) !=
	    S_OK)
		return hr;
	if ((s = ws_url_in(url, &n, &hr, error, api, "the URL")) == NULL)
		return hr;
	hr = ws_url_decode(s, n, flags, heap, outUrl, error, api);
	free(s);
	return hr;
}

/* One part of a WS_URL, as UTF-8, escaped into `b`. */
static HRESULT
ws_url_encode_part(struct ws_url_buf *b, const WS_STRING *s,
    enum ws_url_part part, bool collapse, WS_ERROR *error, const char *api,
    const char *what)
{
	char *u;
	size_t n;
	HRESULT hr;

	if ((u = ws_url_in(s, &n, &hr, error, api, what)) == NULL)
		return hr;
	if (collapse)
		n = ws_url_remove_dots(u, n);
	if (part == WS_URL_PATH && n > 0 && u[0] != '/')
		ws_url_buf_add(b, "/", 1);
	ws_url_escape(b, u, n, part);
	free(u);
	return S_OK;
}

/* The authority of a WS_URL into `b`: host (an IP literal as it is), then
 * the port: portAsString as given, else `port` unless it is the default. */
static HRESULT
ws_url_encode_authority(struct ws_url_buf *b, const WS_HTTP_URL *url,
    ULONG flags, WS_ERROR *error, const char *api)
{
	char *h, *p, num[8];
	size_t hn, pn, i;
	ULONG v = 0;
	HRESULT hr;

	if ((h = ws_url_in(&url->host, &hn, &hr, error, api, "the host")) ==
	    NULL)
		return hr;
	if (hn == 0 || (ws_url_is_wildcard(h, hn) &&
	    (flags & WS_URL_FLAGS_ALLOW_HOST_WILDCARDS) == 0)) {
		free(h);
		return ws_error_fail(error, WS_E_INVALID_FORMAT, hn == 0 ?
		    "%s: the URL has no host" : "%s: a wildcard host needs "
		    "WS_URL_FLAGS_ALLOW_HOST_WILDCARDS", api);
	}
	if (hn > 2 && h[0] == '[' && h[hn - 1] == ']' &&
	    strspn(h + 1, "0123456789abcdefABCDEF:.") == hn - 2)
		ws_url_buf_add(b, h, hn);
	else if (ws_url_is_wildcard(h, hn))
		ws_url_buf_add(b, h, hn);
	else
		ws_url_escape(b, h, hn, WS_URL_HOST);
	free(h);
	if ((p = ws_url_in(&url->portAsString, &pn, &hr, error, api,
	    "portAsString")) == NULL)
		return hr;
	for (i = 0; i < pn; i++)
		if (p[i] < '0' || p[i] > '9' || i >= 5 ||
		    (v = v * 10 + (ULONG)(p[i] - '0')) > 65535) {
			free(p);
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: portAsString is not a number from 0 to "
			    "65535", api);
		}
	if (pn > 0 && url->port != 0 && v != url->port) {
		free(p);
		return ws_error_fail(error, E_INVALIDARG, "%s: port %u and "
		    "portAsString %lu disagree", api, (unsigned)url->port,
		    (unsigned long)v);
	}
	if (pn > 0) {
		ws_url_buf_add(b, ":", 1);
		ws_url_buf_add(b, p, pn);
	} else if (url->port != 0 &&
	    url->port != ws_url_schemes[url->url.scheme].port) {
		snprintf(num, sizeof(num), ":%u", (unsigned)url->port);
		ws_url_buf_add(b, num, strlen(num));
	}
	free(p);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsEncodeUrl(const WS_URL *base, ULONG flags, WS_HEAP *heap, WS_STRING *outUrl,
    WS_ERROR *error)
{
	static const char api[] = "WsEncodeUrl";
	const WS_HTTP_URL *url = (const WS_HTTP_URL *)base;
	struct ws_url_buf b = { NULL, 0, 0, false };
	bool collapse = (flags & WS_URL_FLAGS_NO_PATH_COLLAPSE) == 0;
	HRESULT hr;

	if ((hr = ws_url_check_args(heap, base, outUrl, flags, error, api)) !=
	    S_OK)
		return hr;
	if ((size_t)base->scheme >= WS_URL_NSCHEMES)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: unknown scheme type %d", api, (int)base->scheme);
	ws_url_buf_add(&b, ws_url_schemes[base->scheme].name,
	    strlen(ws_url_schemes[base->scheme].name));
	ws_url_buf_add(&b, "://", 3);
	if ((hr = ws_url_encode_authority(&b, url, flags, error, api)) !=
	    S_OK ||
	    (hr = ws_url_encode_part(&b, &url->path, WS_URL_PATH, collapse,
	    error, api, "the path")) != S_OK)
		goto out;
	if (url->query.length > 0) {
		ws_url_buf_add(&b, "?", 1);
		if ((hr = ws_url_encode_part(&b, &url->query, WS_URL_QUERY,
		    false, error, api, "the query")) != S_OK)
			goto out;
	}
	if (url->fragment.length > 0) {
		ws_url_buf_add(&b, "#", 1);
		if ((hr = ws_url_encode_part(&b, &url->fragment, WS_URL_QUERY,
		    false, error, api, "the fragment")) != S_OK)
			goto out;
	}
	if (b.failed)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	else
		hr = ws_url_out(heap, b.s, b.len, flags, outUrl, error, api);
out:
	free(b.s);
	return hr;
}

/* RFC 3986 5.2.3: the base's path up to its last '/', then the reference's. */
static void
ws_url_merge(struct ws_url_buf *b, const struct ws_url_split *base,
    const struct ws_url_split *ref)
{
	size_t keep = base->path_len;

	if (base->has_authority && base->path_len == 0) {
		ws_url_buf_add(b, "/", 1);
		ws_url_buf_add(b, ref->path, ref->path_len);
		return;
	}
	while (keep > 0 && base->path[keep - 1] != '/')
		keep--;
	ws_url_buf_add(b, base->path, keep);
	ws_url_buf_add(b, ref->path, ref->path_len);
}

/* The target of RFC 3986 5.2.2 and its recomposition (5.3) into `out`. */
static void
ws_url_resolve(struct ws_url_buf *out, const struct ws_url_split *base,
    const struct ws_url_split *ref, bool collapse)
{
	struct ws_url_buf path = { NULL, 0, 0, false };
	const struct ws_url_split *auth, *query;

	if (ref->has_scheme) {
		auth = query = ref;
		ws_url_buf_add(&path, ref->path, ref->path_len);
	} else if (ref->has_authority) {
		auth = query = ref;
		ws_url_buf_add(&path, ref->path, ref->path_len);
	} else if (ref->path_len == 0) {
		auth = base;
		query = ref->has_query ? ref : base;
		ws_url_buf_add(&path, base->path, base->path_len);
	} else {
		auth = base;
		query = ref;
		if (ref->path[0] == '/')
			ws_url_buf_add(&path, ref->path, ref->path_len);
		else
			ws_url_merge(&path, base, ref);
	}
	if (path.failed) {
		out->failed = true;
		return;
	}
	if (collapse && path.len > 0)
		path.len = ws_url_remove_dots(path.s, path.len);
	if (ref->has_scheme)
		ws_url_buf_add(out, ref->scheme, ref->scheme_len);
	else
		ws_url_buf_add(out, base->scheme, base->scheme_len);
	ws_url_buf_add(out, ":", 1);
	if (auth->has_authority) {
		ws_url_buf_add(out, "//", 2);
		ws_url_buf_add(out, auth->authority, auth->authority_len);
	}
	ws_url_buf_add(out, path.s != NULL ? path.s : "", path.len);
	if (query->has_query) {
		ws_url_buf_add(out, "?", 1);
		ws_url_buf_add(out, query->query, query->query_len);
	}
	if (ref->has_fragment) {
		ws_url_buf_add(out, "#", 1);
		ws_url_buf_add(out, ref->fragment, ref->fragment_len);
	}
	free(path.s);
}

WS_EXPORT HRESULT WINAPI
WsCombineUrl(const WS_STRING *baseUrl, const WS_STRING *referenceUrl,
    ULONG flags, WS_HEAP *heap, WS_STRING *resultUrl, WS_ERROR *error)
{
	static const char api[] = "WsCombineUrl";
	struct ws_url_buf b = { NULL, 0, 0, false };
	struct ws_url_split base, ref;
	char *bs = NULL, *rs = NULL;
	size_t bn, rn;
	HRESULT hr;

	if (referenceUrl == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the reference URL is NULL", api);
	if ((hr = ws_url_check_args(heap, baseUrl, resultUrl, flags, error,
	    api)) != S_OK)
		return hr;
	if ((bs = ws_url_in(baseUrl, &bn, &hr, error, api, "the base URL")) ==
	    NULL || (rs = ws_url_in(referenceUrl, &rn, &hr, error, api,
	    "the reference URL")) == NULL)
		goto out;
	if ((hr = ws_url_check_chars(bs, bn, error, api)) != S_OK ||
	    (hr = ws_url_check_chars(rs, rn, error, api)) != S_OK)
		goto out;
	ws_url_split(bs, bn, &base);
	ws_url_split(rs, rn, &ref);
	if (!base.has_scheme) {
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: the base "
		    "URL '%s' is not absolute (no scheme)", api, bs);
		goto out;
	}
	ws_url_resolve(&b, &base, &ref,
	    (flags & WS_URL_FLAGS_NO_PATH_COLLAPSE) == 0);
	if (b.failed)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	else
		hr = ws_url_out(heap, b.s, b.len, flags, resultUrl, error, api);
out:
	free(b.s);
	free(bs);
	free(rs);
	return hr;
}
