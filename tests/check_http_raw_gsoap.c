/*
 * WS_ENCODING_RAW against gSOAP from Debian: tests/gsoap_http/rest_client
 * sends plain HTTP with gSOAP's REST calls (soap_PUT, soap_POST and
 * soap_send_raw: no envelope) to our raw REPLY channel, which answers the
 * status, media type and bytes it chooses.
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

static WS_XML_STRING n_verb = XSTR("Verb");
static WS_XML_STRING n_code = XSTR("StatusCode");
static WS_XML_STRING n_text = XSTR("StatusText");
static WS_XML_STRING n_ct = XSTR("Content-Type");
static WS_HTTP_HEADER_MAPPING hm_ct = { XSTR("Content-Type"), 0 };
static WS_HTTP_HEADER_MAPPING *ct_maps[] = { &hm_ct };
static WS_HTTP_MESSAGE_MAPPING map = { WS_HTTP_REQUEST_MAPPING_VERB,
    WS_HTTP_RESPONSE_MAPPING_STATUS_CODE | WS_HTTP_RESPONSE_MAPPING_STATUS_TEXT,
    ct_maps, 1, ct_maps, 1 };
static WS_ENCODING raw = WS_ENCODING_RAW;
static WS_CHANNEL_PROPERTY props[2] = {
	{ WS_CHANNEL_PROPERTY_ENCODING, &raw, sizeof(raw) },
	{ WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, &map, sizeof(map) },
};
static WS_ELEMENT_DESCRIPTION bytes_elem = { NULL, NULL, WS_BYTES_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION bytes_desc = { NULL, &bytes_elem };
static const WS_MESSAGE_DESCRIPTION *bytes_descs[1] = { &bytes_desc };

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

/* gSOAP's PUT and POST of text/plain bytes; we answer 201 and 200 with
 * the bytes reversed. */
START_TEST(gsoap_rest_client)
{
	static const char *const verbs[] = { "PUT", "POST" };
	static const ULONG codes[] = { 201, 200 };
	char *argv[6], line[256], url[96], want[256], v[64];
	WS_LISTENER *l;
	WS_CHANNEL *ch;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_BYTES in, out;
	BYTE rev[64];
	uint16_t port;
	pid_t pid;
	ULONG code, i, k;
	int fd;
	WS_STRING s;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l, NULL), S_OK);
	ck_assert_int_eq(harness_free_port(&port), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/rest", (unsigned)port);
	s = harness_ws_string(url);
	HR_EQ(WsOpenListener(l, &s, NULL, NULL), S_OK);
	free(s.chars);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/rest/doc",
	    (unsigned)port);
	for (k = 0; k < 2; k++) {
		argv[0] = harness_build_path("tests/gsoap_http/rest_client");
		argv[1] = url;
		argv[2] = (char *)verbs[k];
		argv[3] = (char *)"text/plain";
		argv[4] = (char *)"hello gsoap";
		argv[5] = NULL;
		pid = harness_spawn(argv, &fd);
		ck_assert_int_gt(pid, 0);

		HR_EQ(WsCreateChannelForListener(l, props, 2, &ch, NULL), S_OK);
		HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
		HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
		HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &rq, NULL), S_OK);
		HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &rp, NULL), S_OK);
		HR_EQ(WsReceiveMessage(ch, rq, bytes_descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &in, sizeof(in), NULL, NULL, NULL), S_OK);
		HR_EQ(get_text(rq, &n_verb, v, sizeof(v)), S_OK);
		ck_assert_str_eq(v, verbs[k]);
		HR_EQ(get_text(rq, &n_ct, v, sizeof(v)), S_OK);
		ck_assert_ptr_nonnull(strstr(v, "text/plain"));
		ck_assert_uint_eq(in.length, 11);
		ck_assert_int_eq(memcmp(in.bytes, "hello gsoap", 11), 0);
		for (i = 0; i < in.length; i++)
			rev[i] = in.bytes[in.length - 1 - i];
		out.bytes = rev;
		out.length = in.length;
		code = codes[k];
		HR_EQ(WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL), S_OK);
		HR_EQ(WsAddMappedHeader(rp, &n_code, WS_UINT32_TYPE,
		    WS_WRITE_REQUIRED_VALUE, &code, sizeof(code), NULL), S_OK);
		HR_EQ(add_text(rp, &n_text, code == 201 ? "Created" : "OK"),
		    S_OK);
		HR_EQ(add_text(rp, &n_ct, "text/x-reversed"), S_OK);
		HR_EQ(WsSendMessage(ch, rp, &bytes_desc,
		    WS_WRITE_REQUIRED_VALUE, &out, sizeof(out), NULL, NULL),
		    S_OK);
		ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS),
		    0);
		snprintf(want, sizeof(want), "STATUS %u CT text/x-reversed "
		    "BODY paosg olleh", (unsigned)code);
		ck_assert_str_eq(line, want);
		HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
		WsFreeMessage(rq);
		WsFreeMessage(rp);
		WsFreeHeap(heap);
		WsFreeChannel(ch);
		ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
		close(fd);
		free(argv[0]);
	}
	WsFreeListener(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http_raw_gsoap");
	TCase *tc = tcase_create("gsoap");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gsoap_rest_client);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
