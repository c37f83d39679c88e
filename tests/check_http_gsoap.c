/*
 * Interop suite: the HTTP binding against gSOAP from Debian, both ways,
 * SOAP 1.1 and 1.2.  tests/gsoap_http/ping_client and ping_server are
 * built by soapcpp2 from tests/gsoap_http/ping.h; their messages carry
 * no WS-Addressing headers (plain gSOAP has none), so our channels use
 * WS_ADDRESSING_VERSION_TRANSPORT: the action travels in HTTP.
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
/* gSOAP's response carries no action. */
static WS_MESSAGE_DESCRIPTION rep_desc = { NULL, &v_int };
static const WS_MESSAGE_DESCRIPTION *req_descs[1] = { &req_desc };

/* ENVELOPE_VERSION `ev` and ADDRESSING_VERSION TRANSPORT. */
static WS_ENVELOPE_VERSION prop_ev;
static WS_ADDRESSING_VERSION prop_av = WS_ADDRESSING_VERSION_TRANSPORT;
static WS_CHANNEL_PROPERTY props[2] = {
	{ WS_CHANNEL_PROPERTY_ENVELOPE_VERSION, &prop_ev, sizeof(prop_ev) },
	{ WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &prop_av, sizeof(prop_av) },
};

static void
error_text(WS_ERROR *error, char *buf, size_t len)
{
	ULONG count = 0, i, k;
	WS_STRING s;
	size_t o = 0;

	buf[0] = '\0';
	if (FAILED(WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT,
	    &count, sizeof(count))))
		return;
	for (i = 0; i < count; i++) {
		memset(&s, 0, sizeof(s));
		if (FAILED(WsGetErrorString(error, i, &s)))
			continue;
		for (k = 0; k < s.length && o + 2 < len; k++)
			buf[o++] = s.chars[k] < 0x80 ? (char)s.chars[k] : '?';
		buf[o++] = '|';
		buf[o] = '\0';
	}
}

static HRESULT
ask(WS_CHANNEL *ch, int32_t v, int32_t *out, WS_ERROR *error)
{
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	HRESULT hr;

	if ((hr = WsCreateMessageForChannel(ch, NULL, 0, &rq, NULL)) != S_OK ||
	    (hr = WsCreateMessageForChannel(ch, NULL, 0, &rp, NULL)) != S_OK ||
	    (hr = WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)) != S_OK)
		goto out;
	hr = WsRequestReply(ch, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, out,
	    sizeof(*out), NULL, error);
out:
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	return hr;
}

static char *
peer_path(const char *name)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "tests/gsoap_http/%s", name);
	return harness_build_path(rel);
}

/* Our REQUEST channel against the gSOAP server: an answer, then a fault
 * (gSOAP closes each connection: the second request reconnects). */
static void
client_case(WS_ENVELOPE_VERSION ev)
{
	char *argv[3], line[128], url[96], text[2048];
	WS_CHANNEL *c;
	WS_ERROR *err;
	int32_t out = 0;
	pid_t pid;
	int fd;
	unsigned port;

	argv[0] = peer_path("ping_server");
	argv[1] = (char *)"2";
	argv[2] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	ck_assert_int_eq(sscanf(line, "PORT %u", &port), 1);
	prop_ev = ev;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    props, 2, NULL, &c, NULL), S_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/ping", port);
	HR_EQ(harness_open_url(c, url, NULL, NULL), S_OK);
	HR_EQ(ask(c, 41, &out, NULL), S_OK);
	ck_assert_int_eq(out, 42);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	HR_EQ(ask(c, -1, &out, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	error_text(err, text, sizeof(text));
	ck_assert_msg(strstr(text, "negative values are refused") != NULL,
	    "%s", text);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	WsFreeError(err);
	WsFreeChannel(c);
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(argv[0]);
}

START_TEST(client_to_gsoap_soap12)
{
	client_case(WS_ENVELOPE_VERSION_SOAP_1_2);
}
END_TEST

START_TEST(client_to_gsoap_soap11)
{
	client_case(WS_ENVELOPE_VERSION_SOAP_1_1);
}
END_TEST

/* The gSOAP client against our REPLY listener: an answer, then a fault. */
static void
server_case(WS_ENVELOPE_VERSION ev, const char *ver)
{
	char *argv[5], line[256], url[96], val[16];
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_ERROR *ferr;
	WS_STRING reason = harness_ws_string("the value is too odd");
	WS_STRING s;
	uint16_t port;
	int32_t v, w;
	pid_t pid;
	int fd, round, i;
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
	prop_ev = ev;
	for (round = 0; round < 2; round++) {
		argv[0] = peer_path("ping_client");
		argv[1] = url;
		argv[2] = (char *)ver;
		snprintf(val, sizeof(val), "%d", round == 0 ? 7 : 9);
		argv[3] = val;
		argv[4] = NULL;
		pid = harness_spawn(argv, &fd);
		ck_assert_int_gt(pid, 0);
		HR_EQ(WsCreateChannelForListener(l, props, 2, &sc, NULL), S_OK);
		HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
		HR_EQ(WsCreateMessageForChannel(sc, NULL, 0, &rq, NULL), S_OK);
		HR_EQ(WsCreateMessageForChannel(sc, NULL, 0, &rp, NULL), S_OK);
		HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
		/* gSOAP's action (SOAPAction or action=) selects the
		 * description. */
		HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &v, sizeof(v), NULL, NULL, NULL), S_OK);
		if (round == 0) {
			ck_assert_int_eq(v, 7);
			w = v + 1;
			HR_EQ(WsSendReplyMessage(sc, rp, &rep_desc,
			    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), rq, NULL,
			    NULL), S_OK);
		} else {
			HR_EQ(WsCreateError(NULL, 0, &ferr), S_OK);
			HR_EQ(WsAddErrorString(ferr, &reason), S_OK);
			HR_EQ(WsSendFaultMessageForError(sc, rp, ferr, E_FAIL,
			    WS_FULL_FAULT_DISCLOSURE, rq, NULL, NULL), S_OK);
			WsFreeError(ferr);
		}
		ck_assert_int_eq(harness_read_line(fd, line, sizeof(line),
		    T_MS), 0);
		if (round == 0)
			ck_assert_str_eq(line, "OK 8");
		else
			ck_assert_msg(strncmp(line, "FAULT ", 6) == 0 &&
			    strstr(line, "the value is too odd") != NULL, "%s",
			    line);
		ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
		close(fd);
		free(argv[0]);
		HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
		WsFreeMessage(rq);
		WsFreeMessage(rp);
		WsFreeHeap(heap);
		WsFreeChannel(sc);
	}
	free(reason.chars);
	WsFreeListener(l);
}

START_TEST(gsoap_to_server_soap12)
{
	server_case(WS_ENVELOPE_VERSION_SOAP_1_2, "12");
}
END_TEST

START_TEST(gsoap_to_server_soap11)
{
	server_case(WS_ENVELOPE_VERSION_SOAP_1_1, "11");
}
END_TEST

static Suite *
gsoap_suite(void)
{
	Suite *s = suite_create("http_gsoap");
	TCase *tc = tcase_create("gsoap");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, client_to_gsoap_soap12);
	tcase_add_test(tc, client_to_gsoap_soap11);
	tcase_add_test(tc, gsoap_to_server_soap12);
	tcase_add_test(tc, gsoap_to_server_soap11);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gsoap_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
