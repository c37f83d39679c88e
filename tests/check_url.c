/* Check suite for daemon/url.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "builtin.h"
#include "tcp_sock.h"
#include "transport.h"
#include "url.h"

struct url_case {
	const char	*s;
	enum url_scheme	 scheme;
	const char	*host;
	uint16_t	 port;
	const char	*path;
};

static const struct url_case valid[] = {
	{ "net.tcp://127.0.0.1:27150/wsprobe", URL_NETTCP, "127.0.0.1", 27150,
	    "/wsprobe" },
	{ "net.tcp://localhost/svc", URL_NETTCP, "localhost", 808, "/svc" },
	{ "net.tcp://localhost", URL_NETTCP, "localhost", 808, "/" },
	{ "net.tcp://localhost:808", URL_NETTCP, "localhost", 808, "/" },
	{ "NET.TCP://Host.Example:1/a/b?x=1", URL_NETTCP, "Host.Example", 1,
	    "/a/b?x=1" },
	{ "net.tcp://[::1]:9000/x", URL_NETTCP, "::1", 9000, "/x" },
	{ "net.tcp://[::1]/x", URL_NETTCP, "::1", 808, "/x" },
	{ "net.tcp://[fe80::1:2:3:4]", URL_NETTCP, "fe80::1:2:3:4", 808, "/" },
	{ "net.tcp://[::ffff:127.0.0.1]:5/", URL_NETTCP, "::ffff:127.0.0.1", 5,
	    "/" },
	{ "net.tcp://+:8080/any", URL_NETTCP, "+", 8080, "/any" },
	{ "net.tcp://*/any", URL_NETTCP, "*", 808, "/any" },
	{ "http://127.0.0.1/", URL_HTTP, "127.0.0.1", 80, "/" },
	{ "http://127.0.0.1:8080/svc/x", URL_HTTP, "127.0.0.1", 8080,
	    "/svc/x" },
	{ "http://[::1]:65535", URL_HTTP, "::1", 65535, "/" },
	{ "http://+/", URL_HTTP, "+", 80, "/" },
	{ "http://my-host_1.example?q", URL_HTTP, "my-host_1.example", 80,
	    "/?q" },
	{ "soap.udp://127.0.0.1:3702/", URL_SOAPUDP, "127.0.0.1", 3702, "/" },
	{ "soap.udp://[::1]:3702/probe", URL_SOAPUDP, "::1", 3702, "/probe" },
	{ "soap.udp://*:3702", URL_SOAPUDP, "*", 3702, "/" },
	/* No port: 3702, bindings.md's default for soap.udp. */
	{ "soap.udp://127.0.0.1/", URL_SOAPUDP, "127.0.0.1", 3702, "/" },
	{ "soap.udp://[::1]/", URL_SOAPUDP, "::1", 3702, "/" },
	{ "soap.udp://239.255.255.250", URL_SOAPUDP, "239.255.255.250", 3702,
	    "/" },
	{ "net.tcp://h:00080/", URL_NETTCP, "h", 80, "/" },
};

static const struct {
	const char	*s;
	int		 error;
} invalid[] = {
	{ "", -EINVAL },
	{ "localhost:808/x", -EINVAL },
	{ "://localhost/", -EINVAL },
	{ "1net://localhost/", -EINVAL },
	{ "net tcp://localhost/", -EINVAL },
	{ "https://localhost/", -EPROTONOSUPPORT },
	{ "ftp://localhost/", -EPROTONOSUPPORT },
	{ "net.pipe://localhost/", -EPROTONOSUPPORT },
	{ "net.tcp://", -EINVAL },
	{ "net.tcp:///path", -EINVAL },
	{ "net.tcp://:808/x", -EINVAL },
	{ "net.tcp://host:/x", -EINVAL },
	{ "net.tcp://host:0/x", -EINVAL },
	{ "net.tcp://host:65536/x", -EINVAL },
	{ "net.tcp://host:99999999999999999999/x", -EINVAL },
	{ "net.tcp://host:80a/x", -EINVAL },
	{ "net.tcp://host:80:81/x", -EINVAL },
	{ "net.tcp://host:-1/x", -EINVAL },
	{ "net.tcp://host:+80/x", -EINVAL },
	{ "net.tcp://ho st/x", -EINVAL },
	{ "net.tcp://user@host/x", -EINVAL },
	{ "net.tcp://host/a b", -EINVAL },
	{ "net.tcp://host/a\tb", -EINVAL },
	{ "net.tcp://++/", -EINVAL },
	{ "net.tcp://*.example/", -EINVAL },
	{ "net.tcp://[::1/x", -EINVAL },
	{ "net.tcp://[]/x", -EINVAL },
	{ "net.tcp://[::1]x/", -EINVAL },
	{ "net.tcp://[::1]:/", -EINVAL },
	{ "net.tcp://[127.0.0.1]/", -EINVAL },
	{ "net.tcp://[not:an:address]/", -EINVAL },
	{ "net.tcp://::1/", -EINVAL },
	{ "http://127.0.0.1:0/", -EINVAL },
};

START_TEST(parse_valid)
{
	const struct url_case	*c = &valid[_i];
	struct url		 u;

	memset(&u, 0xa5, sizeof u);
	ck_assert_msg(url_parse(c->s, &u) == 0, "rejected %s", c->s);
	ck_assert_int_eq(u.scheme, c->scheme);
	ck_assert_str_eq(u.host, c->host);
	ck_assert_uint_eq(u.port, c->port);
	ck_assert_str_eq(u.path, c->path);
}
END_TEST

START_TEST(parse_invalid)
{
	struct url	 u, before;

	memset(&u, 0xa5, sizeof u);
	before = u;
	ck_assert_msg(url_parse(invalid[_i].s, &u) == invalid[_i].error,
	    "\"%s\" did not give %d", invalid[_i].s, invalid[_i].error);
	/* The out-parameter is untouched on failure. */
	ck_assert_mem_eq(&u, &before, sizeof u);
}
END_TEST

START_TEST(parse_limits)
{
	char		 s[2048];
	struct url	 u;

	ck_assert_int_eq(url_parse(NULL, &u), -EINVAL);

	/* A 255-byte host fits, 256 does not. */
	strcpy(s, "net.tcp://");
	memset(s + 10, 'h', 255);
	strcpy(s + 10 + 255, "/p");
	ck_assert_int_eq(url_parse(s, &u), 0);
	ck_assert_uint_eq(strlen(u.host), 255);
	memset(s + 10, 'h', 256);
	strcpy(s + 10 + 256, "/p");
	ck_assert_int_eq(url_parse(s, &u), -EINVAL);

	/* A 1023-byte path fits, 1024 does not. */
	strcpy(s, "net.tcp://h");
	s[11] = '/';
	memset(s + 12, 'p', 1022);
	s[12 + 1022] = '\0';
	ck_assert_int_eq(url_parse(s, &u), 0);
	ck_assert_uint_eq(strlen(u.path), 1023);
	s[12 + 1022] = 'p';
	s[12 + 1023] = '\0';
	ck_assert_int_eq(url_parse(s, &u), -EINVAL);
}
END_TEST

/* The scheme each binding opens lives in its entry of the binding table. */
START_TEST(scheme_for_binding)
{
	transport_register_builtin();
	ck_assert_ptr_nonnull(transport_binding(0));
	ck_assert_int_eq(transport_binding(0)->scheme, URL_HTTP);
	ck_assert_ptr_nonnull(transport_binding(1));
	ck_assert_int_eq(transport_binding(1)->scheme, URL_NETTCP);
	ck_assert_ptr_nonnull(transport_binding(2));
	ck_assert_int_eq(transport_binding(2)->scheme, URL_SOAPUDP);
	ck_assert_ptr_null(transport_binding(3));
	ck_assert_ptr_null(transport_binding(0xffffffffu));
	ck_assert_uint_eq(transport_binding_for_scheme(URL_HTTP)->binding, 0);
	ck_assert_uint_eq(transport_binding_for_scheme(URL_NETTCP)->binding, 1);
	ck_assert_uint_eq(transport_binding_for_scheme(URL_SOAPUDP)->binding, 2);
}
END_TEST

/* A URL's host literal becomes the address connected to, and an address
 * is named as listings and REMOTE_IP_ADDRESS show it. */
START_TEST(address_literals_and_names)
{
	static const struct {
		const char	*host;
		uint16_t	 port;
		const char	*name;
	} ok[] = {
		{ "127.0.0.1", 808, "127.0.0.1:808" },
		{ "0.0.0.0", 0, "0.0.0.0:0" },
		{ "255.255.255.255", 65535, "255.255.255.255:65535" },
		{ "10.20.3.4", 9, "10.20.3.4:9" },
		{ "::1", 9000, "[::1]:9000" },
		{ "fe80::1:2:3:4", 1, "[fe80::1:2:3:4]:1" },
		{ "::ffff:127.0.0.1", 80, "[::ffff:127.0.0.1]:80" },
	};
	static const char *names[] = { "localhost", "host.example",
	    "127.0.0.1.", "1.2.3", "fe80::1%lo", "", "256.1.1.1" };
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	socklen_t len;
	char buf[64], small[8];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(tcp_sock_literal_addr(ok[i].host, ok[i].port,
		    &ss, &len), "%s", ok[i].host);
		ck_assert_uint_eq(len, ss.ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		ck_assert_str_eq(tcp_sock_addr_name((struct sockaddr *)&ss,
		    buf, sizeof(buf)), ok[i].name);
	}
	/* Names (and scoped literals) go to the resolver. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(!tcp_sock_literal_addr(names[i], 1, &ss, &len),
		    "%s", names[i]);
	/* Cut to the buffer; an unknown family is "?". */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(4242);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	ck_assert_str_eq(tcp_sock_addr_name((struct sockaddr *)&sin, small,
	    sizeof(small)), "127.0.0");
	sin.sin_family = AF_UNIX;
	ck_assert_str_eq(tcp_sock_addr_name((struct sockaddr *)&sin, buf,
	    sizeof(buf)), "?");
}
END_TEST

static Suite *
url_suite(void)
{
	Suite	*s = suite_create("url");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, parse_valid, 0,
	    (int)(sizeof valid / sizeof valid[0]));
	tcase_add_loop_test(tc, parse_invalid, 0,
	    (int)(sizeof invalid / sizeof invalid[0]));
	tcase_add_test(tc, parse_limits);
	tcase_add_test(tc, scheme_for_binding);
	tcase_add_test(tc, address_literals_and_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(url_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
