/* Check suite for WsDecodeUrl, WsEncodeUrl and WsCombineUrl
 * (client/lib/ws_url.c): the parts of each scheme, default ports, escapes,
 * dot segments, the flags, the RFC 3986 resolution examples, and the
 * HRESULTs of bad URLs and bad arguments. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"

static WS_HEAP *heap;
static WS_ERROR *err;

static void
setup(void)
{
	ck_assert_int_eq(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsCreateError(NULL, 0, &err), S_OK);
}

static void
teardown(void)
{
	WsFreeHeap(heap);
	WsFreeError(err);
}

/* An ASCII/Latin-1 string as a WS_STRING on the heap. */
static WS_STRING
wstr(const char *s)
{
	WS_STRING w;
	size_t i, n = strlen(s);
	void *p;

	ck_assert_int_eq(WsAlloc(heap, (n + 1) * sizeof(WCHAR), &p, NULL),
	    S_OK);
	w.chars = p;
	for (i = 0; i < n; i++)
		w.chars[i] = (unsigned char)s[i];
	w.length = (ULONG)n;
	return w;
}

/* A WS_STRING of code units below 256 as a C string, for messages. */
static const char *
cstr(const WS_STRING *w)
{
	static char buf[8][512];
	static int next;
	char *b = buf[next++ % 8];
	ULONG i;

	for (i = 0; i < w->length && i < 511; i++)
		b[i] = w->chars[i] < 256 ? (char)w->chars[i] : '?';
	b[i] = '\0';
	return b;
}

#define ck_assert_wstr(w, s) ck_assert_str_eq(cstr(&(w)), (s))

static HRESULT
decode(const char *url, ULONG flags, WS_HTTP_URL **out)
{
	WS_STRING s = wstr(url);
	WS_URL *u = NULL;
	HRESULT hr;

	hr = WsDecodeUrl(&s, flags, heap, &u, err);
	*out = (WS_HTTP_URL *)u;
	return hr;
}

/* The first string of the error, as ASCII. */
static const char *
error_text(void)
{
	WS_STRING s;
	ULONG count = 0;

	ck_assert_int_eq(WsGetErrorProperty(err,
	    WS_ERROR_PROPERTY_STRING_COUNT, &count, sizeof(count)), S_OK);
	ck_assert_uint_ge(count, 1);
	ck_assert_int_eq(WsGetErrorString(err, 0, &s), S_OK);
	return cstr(&s);
}

START_TEST(decode_parts)
{
	WS_HTTP_URL *u;

	ck_assert_int_eq(decode("http://example.org:8080/a/b?q=1&r=2#frag", 0,
	    &u), S_OK);
	ck_assert_int_eq(u->url.scheme, WS_URL_HTTP_SCHEME_TYPE);
	ck_assert_wstr(u->host, "example.org");
	ck_assert_uint_eq(u->port, 8080);
	ck_assert_wstr(u->portAsString, "8080");
	ck_assert_wstr(u->path, "/a/b");
	ck_assert_wstr(u->query, "q=1&r=2");
	ck_assert_wstr(u->fragment, "frag");

	/* No path, query or fragment: empty strings. */
	ck_assert_int_eq(decode("net.tcp://host", 0, &u), S_OK);
	ck_assert_int_eq(u->url.scheme, WS_URL_NETTCP_SCHEME_TYPE);
	ck_assert_wstr(u->host, "host");
	ck_assert_uint_eq(u->path.length, 0);
	ck_assert_uint_eq(u->query.length, 0);
	ck_assert_uint_eq(u->fragment.length, 0);

	/* The scheme is case-insensitive. */
	ck_assert_int_eq(decode("SOAP.UDP://h/", 0, &u), S_OK);
	ck_assert_int_eq(u->url.scheme, WS_URL_SOAPUDP_SCHEME_TYPE);

	/* An IP literal keeps its brackets, a port may follow. */
	ck_assert_int_eq(decode("soap.udp://[ff02::c]:3702/probe", 0, &u),
	    S_OK);
	ck_assert_wstr(u->host, "[ff02::c]");
	ck_assert_uint_eq(u->port, 3702);
	ck_assert_wstr(u->path, "/probe");
}
END_TEST

START_TEST(decode_default_ports)
{
	static const struct {
		const char *url;
		WS_URL_SCHEME_TYPE scheme;
		USHORT port;
	} t[] = {
		{ "http://h/", WS_URL_HTTP_SCHEME_TYPE, 80 },
		{ "https://h/", WS_URL_HTTPS_SCHEME_TYPE, 443 },
		{ "net.tcp://h/", WS_URL_NETTCP_SCHEME_TYPE, 808 },
		{ "soap.udp://h/", WS_URL_SOAPUDP_SCHEME_TYPE, 65535 },
		{ "net.pipe://h/", WS_URL_NETPIPE_SCHEME_TYPE, 65535 },
	};
	WS_HTTP_URL *u;
	size_t i;

	for (i = 0; i < WsCountOf(t); i++) {
		ck_assert_int_eq(decode(t[i].url, 0, &u), S_OK);
		ck_assert_int_eq(u->url.scheme, t[i].scheme);
		ck_assert_uint_eq(u->port, t[i].port);
		ck_assert_uint_eq(u->portAsString.length, 0);
	}
}
END_TEST

START_TEST(decode_escapes_and_dots)
{
	WS_HTTP_URL *u;

	ck_assert_int_eq(decode("http://h/a%20b/%41?x=%2F%3f#%23", 0, &u),
	    S_OK);
	ck_assert_wstr(u->path, "/a b/A");
	ck_assert_wstr(u->query, "x=/?");
	ck_assert_wstr(u->fragment, "#");
	/* A UTF-8 sequence in escapes becomes one UTF-16 unit. */
	ck_assert_int_eq(decode("http://h/caf%C3%A9", 0, &u), S_OK);
	ck_assert_uint_eq(u->path.length, 5);
	ck_assert_uint_eq(u->path.chars[4], 0xe9);
	/* Dot segments collapse unless asked not to. */
	ck_assert_int_eq(decode("http://h/a/./b/../c/.", 0, &u), S_OK);
	ck_assert_wstr(u->path, "/a/c/");
	ck_assert_int_eq(decode("http://h/a/./b/../c", 
	    WS_URL_FLAGS_NO_PATH_COLLAPSE, &u), S_OK);
	ck_assert_wstr(u->path, "/a/./b/../c");
	/* An escape that is not UTF-8 is a format error. */
	ck_assert_int_eq(decode("http://h/%C3", 0, &u), WS_E_INVALID_FORMAT);
}
END_TEST

START_TEST(decode_flags)
{
	WS_HTTP_URL *u;

	ck_assert_int_eq(decode("http://+:80/svc", 0, &u),
	    WS_E_INVALID_FORMAT);
	ck_assert_ptr_nonnull(strstr(error_text(), "WILDCARDS"));
	ck_assert_int_eq(decode("http://+:80/svc",
	    WS_URL_FLAGS_ALLOW_HOST_WILDCARDS, &u), S_OK);
	ck_assert_wstr(u->host, "+");
	ck_assert_int_eq(decode("net.tcp://*/svc",
	    WS_URL_FLAGS_ALLOW_HOST_WILDCARDS, &u), S_OK);
	ck_assert_wstr(u->host, "*");

	ck_assert_int_eq(decode("http://h:81/p?q#f",
	    WS_URL_FLAGS_ZERO_TERMINATE, &u), S_OK);
	ck_assert_uint_eq(u->host.chars[u->host.length], 0);
	ck_assert_uint_eq(u->portAsString.chars[u->portAsString.length], 0);
	ck_assert_uint_eq(u->path.chars[u->path.length], 0);
	ck_assert_uint_eq(u->query.chars[u->query.length], 0);
	ck_assert_uint_eq(u->fragment.chars[u->fragment.length], 0);

	ck_assert_int_eq(decode("http://h/", 0x8, &u), E_INVALIDARG);
}
END_TEST

START_TEST(decode_bad_urls)
{
	static const char *const bad[] = {
		"", "h/p", "ftp://h/", "http:/h/", "http:h", "http://",
		"http:///p", "http://:80/", "http://h:/", "http://h:x/",
		"http://h:65536/", "http://h:123456/", "http://u@h/",
		"http://h/%zz", "http://h/%4", "http://h/a b", "http://[::1/",
	};
	WS_HTTP_URL *u;
	size_t i;

	for (i = 0; i < WsCountOf(bad); i++) {
		WsResetError(err);
		u = (WS_HTTP_URL *)(uintptr_t)1;
		ck_assert_msg(decode(bad[i], 0, &u) == WS_E_INVALID_FORMAT,
		    "'%s' decoded", bad[i]);
		ck_assert_msg(strstr(error_text(), "WsDecodeUrl") != NULL,
		    "'%s': no error string", bad[i]);
	}
}
END_TEST

START_TEST(decode_arguments_and_quota)
{
	WS_STRING s = wstr("http://h/"), nochars = { 3, NULL };
	WS_URL *u;
	WS_HEAP *small;
	char longurl[600];

	ck_assert_int_eq(WsDecodeUrl(NULL, 0, heap, &u, err), E_INVALIDARG);
	ck_assert_int_eq(WsDecodeUrl(&s, 0, NULL, &u, err), E_INVALIDARG);
	ck_assert_int_eq(WsDecodeUrl(&s, 0, heap, NULL, err), E_INVALIDARG);
	ck_assert_int_eq(WsDecodeUrl(&nochars, 0, heap, &u, err),
	    E_INVALIDARG);
	/* The result lives on the heap: a small one runs out. */
	ck_assert_int_eq(WsCreateHeap(256, 0, NULL, 0, &small, NULL), S_OK);
	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "http://h/", 9);
	longurl[sizeof(longurl) - 1] = '\0';
	s = wstr(longurl);
	ck_assert_int_eq(WsDecodeUrl(&s, 0, small, &u, err),
	    WS_E_QUOTA_EXCEEDED);
	WsFreeHeap(small);
}
END_TEST

static HRESULT
encode(const WS_HTTP_URL *u, ULONG flags, WS_STRING *out)
{
	return WsEncodeUrl(&u->url, flags, heap, out, err);
}

START_TEST(encode_parts)
{
	WS_HTTP_URL u;
	WS_STRING out;

	memset(&u, 0, sizeof(u));
	u.url.scheme = WS_URL_NETTCP_SCHEME_TYPE;
	u.host = wstr("host");
	u.port = 9000;
	u.path = wstr("/a b/c#d");
	u.query = wstr("x=1 2&y=/?");
	u.fragment = wstr("f g");
	ck_assert_int_eq(encode(&u, 0, &out), S_OK);
	ck_assert_wstr(out,
	    "net.tcp://host:9000/a%20b/c%23d?x=1%202&y=/?#f%20g");

	/* The default port is left out; portAsString is kept as given. */
	memset(&u, 0, sizeof(u));
	u.url.scheme = WS_URL_HTTP_SCHEME_TYPE;
	u.host = wstr("h");
	u.port = 80;
	ck_assert_int_eq(encode(&u, 0, &out), S_OK);
	ck_assert_wstr(out, "http://h");
	u.portAsString = wstr("80");
	u.path = wstr("svc");
	ck_assert_int_eq(encode(&u, 0, &out), S_OK);
	ck_assert_wstr(out, "http://h:80/svc");

	/* Non-ASCII as UTF-8 escapes; an IP literal as it is. */
	memset(&u, 0, sizeof(u));
	u.url.scheme = WS_URL_SOAPUDP_SCHEME_TYPE;
	u.host = wstr("[::1]");
	u.port = 3702;
	u.path = wstr("/caf\xe9");
	ck_assert_int_eq(encode(&u, WS_URL_FLAGS_ZERO_TERMINATE, &out), S_OK);
	ck_assert_wstr(out, "soap.udp://[::1]:3702/caf%C3%A9");
	ck_assert_uint_eq(out.chars[out.length], 0);

	/* Dots collapse unless asked not to. */
	memset(&u, 0, sizeof(u));
	u.url.scheme = WS_URL_HTTPS_SCHEME_TYPE;
	u.host = wstr("h");
	u.path = wstr("/a/../b/./c");
	ck_assert_int_eq(encode(&u, 0, &out), S_OK);
	ck_assert_wstr(out, "https://h/b/c");
	ck_assert_int_eq(encode(&u, WS_URL_FLAGS_NO_PATH_COLLAPSE, &out),
	    S_OK);
	ck_assert_wstr(out, "https://h/a/../b/./c");
}
END_TEST

START_TEST(encode_errors)
{
	WS_HTTP_URL u;
	WS_STRING out;

	memset(&u, 0, sizeof(u));
	u.url.scheme = (WS_URL_SCHEME_TYPE)9;
	u.host = wstr("h");
	ck_assert_int_eq(encode(&u, 0, &out), WS_E_INVALID_FORMAT);
	u.url.scheme = WS_URL_HTTP_SCHEME_TYPE;
	u.host.length = 0;
	ck_assert_int_eq(encode(&u, 0, &out), WS_E_INVALID_FORMAT);
	u.host = wstr("+");
	ck_assert_int_eq(encode(&u, 0, &out), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(encode(&u, WS_URL_FLAGS_ALLOW_HOST_WILDCARDS, &out),
	    S_OK);
	ck_assert_wstr(out, "http://+");
	u.host = wstr("h");
	u.port = 81;
	u.portAsString = wstr("82");
	ck_assert_int_eq(encode(&u, 0, &out), E_INVALIDARG);
	u.portAsString = wstr("8x");
	ck_assert_int_eq(encode(&u, 0, &out), WS_E_INVALID_FORMAT);
	u.portAsString.length = 0;
	ck_assert_int_eq(WsEncodeUrl(NULL, 0, heap, &out, err), E_INVALIDARG);
	ck_assert_int_eq(WsEncodeUrl(&u.url, 0, NULL, &out, err),
	    E_INVALIDARG);
	ck_assert_int_eq(WsEncodeUrl(&u.url, 0, heap, NULL, err),
	    E_INVALIDARG);
	ck_assert_int_eq(WsEncodeUrl(&u.url, 0x10, heap, &out, err),
	    E_INVALIDARG);
}
END_TEST

START_TEST(round_trip)
{
	static const char *const urls[] = {
		"http://example.org:8080/a%20b/c?x=1%202&y=/#top",
		"https://h/",
		"net.tcp://127.0.0.1:8000/echo",
		"soap.udp://[ff02::c]:3702/",
		"net.pipe://localhost/svc/caf%C3%A9",
	};
	WS_HTTP_URL *u;
	WS_STRING out;
	size_t i;

	for (i = 0; i < WsCountOf(urls); i++) {
		ck_assert_int_eq(decode(urls[i], 0, &u), S_OK);
		ck_assert_int_eq(encode(u, 0, &out), S_OK);
		ck_assert_wstr(out, urls[i]);
	}
}
END_TEST

static const char *
combine(const char *base, const char *ref, ULONG flags, HRESULT *hr)
{
	WS_STRING b = wstr(base), r = wstr(ref), out = { 0, NULL };

	*hr = WsCombineUrl(&b, &r, flags, heap, &out, err);
	return *hr == S_OK ? cstr(&out) : "";
}

/* RFC 3986 section 5.4, normal and abnormal examples. */
START_TEST(combine_rfc3986)
{
	static const char *const t[][2] = {
		{ "g:h", "g:h" }, { "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" }, { "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" }, { "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" }, { "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" }, { ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" }, { "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" }, { "./", "http://a/b/c/" },
		{ "..", "http://a/b/" }, { "../", "http://a/b/" },
		{ "../g", "http://a/b/g" }, { "../..", "http://a/" },
		{ "../../", "http://a/" }, { "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" }, { "/./g", "http://a/g" },
		{ "/../g", "http://a/g" }, { "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" }, { "g..", "http://a/b/c/g.." },
		{ "./../g", "http://a/b/g" }, { "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/../y", "http://a/b/c/y" },
	};
	HRESULT hr;
	size_t i;

	for (i = 0; i < WsCountOf(t); i++) {
		const char *got = combine("http://a/b/c/d;p?q", t[i][0], 0,
		    &hr);

		ck_assert_msg(hr == S_OK && strcmp(got, t[i][1]) == 0,
		    "'%s': got '%s' (0x%08x), want '%s'", t[i][0], got,
		    (unsigned)hr, t[i][1]);
	}
}
END_TEST

START_TEST(combine_flags_and_errors)
{
	WS_STRING b = wstr("net.tcp://h:1/svc/"), out;
	HRESULT hr;

	ck_assert_str_eq(combine("net.tcp://h:1/svc/", "x/../y", 0, &hr),
	    "net.tcp://h:1/svc/y");
	ck_assert_str_eq(combine("net.tcp://h:1/svc/", "x/../y",
	    WS_URL_FLAGS_NO_PATH_COLLAPSE, &hr), "net.tcp://h:1/svc/x/../y");
	ck_assert_str_eq(combine("http://h", "p", 0, &hr), "http://h/p");
	ck_assert_int_eq(WsCombineUrl(&b, &b, WS_URL_FLAGS_ZERO_TERMINATE,
	    heap, &out, err), S_OK);
	ck_assert_uint_eq(out.chars[out.length], 0);

	combine("/relative/base", "x", 0, &hr);
	ck_assert_int_eq(hr, WS_E_INVALID_FORMAT);
	ck_assert_ptr_nonnull(strstr(error_text(), "not absolute"));
	combine("http://h/ a", "x", 0, &hr);
	ck_assert_int_eq(hr, WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsCombineUrl(NULL, &b, 0, heap, &out, err),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCombineUrl(&b, NULL, 0, heap, &out, err),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCombineUrl(&b, &b, 0, NULL, &out, err),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCombineUrl(&b, &b, 0, heap, NULL, err),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCombineUrl(&b, &b, 0x20, heap, &out, err),
	    E_INVALIDARG);
}
END_TEST

static Suite *
url_api_suite(void)
{
	Suite *s = suite_create("url_api");
	TCase *tc = tcase_create("url");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, decode_parts);
	tcase_add_test(tc, decode_default_ports);
	tcase_add_test(tc, decode_escapes_and_dots);
	tcase_add_test(tc, decode_flags);
	tcase_add_test(tc, decode_bad_urls);
	tcase_add_test(tc, decode_arguments_and_quota);
	tcase_add_test(tc, encode_parts);
	tcase_add_test(tc, encode_errors);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, combine_rfc3986);
	tcase_add_test(tc, combine_flags_and_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(url_api_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
