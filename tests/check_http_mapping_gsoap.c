/*
 * Mapped headers against gSOAP from Debian: tests/gsoap_http/hdr_server
 * prints the X-Request-Id HTTP header it got and answers with X-Trace;
 * hdr_client sends X-Request-Id and prints the X-Trace it got.  Our
 * channels use WS_ADDRESSING_VERSION_TRANSPORT, as plain gSOAP has no
 * WS-Addressing.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define T_MS		20000
#define XSTR(s) { sizeof(s) - 1, (BYTE *)(s), NULL, 0 }

static WS_XML_STRING v_elem = XSTR("value");
static WS_XML_STRING v_ns = XSTR("urn:wschannel-test");
static WS_XML_STRING v_req_action = XSTR("urn:wschannel-test/Ask");
static WS_ELEMENT_DESCRIPTION v_int = { &v_elem, &v_ns, WS_INT32_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION req_desc = { &v_req_action, &v_int };
static WS_MESSAGE_DESCRIPTION rep_desc = { NULL, &v_int };
static const WS_MESSAGE_DESCRIPTION *req_descs[1] = { &req_desc };

static WS_XML_STRING n_reqid = XSTR("X-Request-Id");
static WS_XML_STRING n_trace = XSTR("X-Trace");
static WS_HTTP_HEADER_MAPPING hm_reqid = { XSTR("X-Request-Id"), 0 };
static WS_HTTP_HEADER_MAPPING hm_trace = { XSTR("X-Trace"), 0 };
static WS_HTTP_HEADER_MAPPING *req_maps[] = { &hm_reqid };
static WS_HTTP_HEADER_MAPPING *rep_maps[] = { &hm_trace };
static WS_HTTP_MESSAGE_MAPPING map = { 0, 0, req_maps, 1, rep_maps, 1 };

static WS_ADDRESSING_VERSION prop_av = WS_ADDRESSING_VERSION_TRANSPORT;
static WS_CHANNEL_PROPERTY props[2] = {
	{ WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &prop_av, sizeof(prop_av) },
	{ WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, &map, sizeof(map) },
};

static char *
peer_path(const char *name)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "tests/gsoap_http/%s", name);
	return harness_build_path(rel);
}

static HRESULT
add_text(WS_MESSAGE *m, WS_XML_STRING *name, const char *ascii)
{
	WS_STRING s = harness_ws_string(ascii);
	HRESULT hr;

	hr = WsAddMappedHeader(m, name, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &s, sizeof(s), NULL);
	free(s.chars);
	return hr;
}

static HRESULT
get_text(WS_MESSAGE *m, WS_XML_STRING *name, char *buf, size_t len)
{
	WS_STRING s;
	HRESULT hr;
	ULONG i;

	buf[0] = '\0';
	hr = WsGetMappedHeader(m, name, WS_SINGLETON_HEADER, 0,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &s, sizeof(s), NULL);
	if (hr != S_OK)
		return hr;
	for (i = 0; i < s.length && i + 1 < len; i++)
		buf[i] = s.chars[i] < 0x80 ? (char)s.chars[i] : '?';
	buf[i] = '\0';
	return S_OK;
}

/* Our REQUEST channel to the gSOAP server: X-Request-Id goes, X-Trace
 * comes back. */
START_TEST(client_to_gsoap)
{
	char *argv[3], line[128], url[96], buf[128];
	WS_CHANNEL *c;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	int32_t v = 41, out = 0;
	pid_t pid;
	int fd;
	unsigned port;

	argv[0] = peer_path("hdr_server");
	argv[1] = (char *)"1";
	argv[2] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	ck_assert_int_eq(sscanf(line, "PORT %u", &port), 1);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    props, 2, NULL, &c, NULL), S_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/ping", port);
	HR_EQ(harness_open_url(c, url, NULL, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_reqid, "wsc-1234"), S_OK);
	HR_EQ(WsRequestReply(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 42);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	ck_assert_str_eq(line, "REQID wsc-1234");
	HR_EQ(get_text(rp, &n_trace, buf, sizeof(buf)), S_OK);
	ck_assert_str_eq(buf, "trace-wsc-1234");
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(argv[0]);
}
END_TEST

/* The gSOAP client to our REPLY channel: its X-Request-Id is read, our
 * X-Trace reaches it. */
START_TEST(gsoap_to_server)
{
	char *argv[5], line[256], url[96], buf[128], trace[160];
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_STRING s;
	uint16_t port;
	int32_t v, w;
	pid_t pid;
	int fd, i;
	HRESULT hr = E_FAIL;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l, NULL), S_OK);
	for (i = 0; i < 5 && hr != S_OK; i++) {
		ck_assert_int_eq(harness_free_port(&port), 0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/ping",
		    (unsigned)port);
		s = harness_ws_string(url);
		hr = WsOpenListener(l, &s, NULL, NULL);
		free(s.chars);
		if (hr != S_OK)
			WsResetListener(l, NULL);
	}
	HR_EQ(hr, S_OK);
	argv[0] = peer_path("hdr_client");
	argv[1] = url;
	argv[2] = (char *)"6";
	argv[3] = (char *)"gs-77";
	argv[4] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	HR_EQ(WsCreateChannelForListener(l, props, 2, &sc, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(sc, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(sc, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL, NULL), S_OK);
	ck_assert_int_eq(v, 6);
	HR_EQ(get_text(rq, &n_reqid, buf, sizeof(buf)), S_OK);
	ck_assert_str_eq(buf, "gs-77");
	snprintf(trace, sizeof(trace), "seen-%s", buf);
	HR_EQ(WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL), S_OK);
	HR_EQ(add_text(rp, &n_trace, trace), S_OK);
	w = v + 1;
	HR_EQ(WsSendReplyMessage(sc, rp, &rep_desc, WS_WRITE_REQUIRED_VALUE,
	    &w, sizeof(w), rq, NULL, NULL), S_OK);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	ck_assert_str_eq(line, "OK 7 TRACE seen-gs-77");
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(argv[0]);
	HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(sc);
	WsFreeListener(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http_mapping_gsoap");
	TCase *tc = tcase_create("gsoap");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, client_to_gsoap);
	tcase_add_test(tc, gsoap_to_server);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
