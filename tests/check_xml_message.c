/* Integration suite: WS_MESSAGE_PROPERTY_BODY_WRITER and BODY_READER on a
 * message sent through a private daemon (client/lib/xml_message.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"
#include "check_xml_common.h"

static WS_XML_STRING s_v = XS("v"), s_i = XS("i"), s_ns = XS("urn:t"),
    s_action = XS("urn:t/Body");

START_TEST(body_writer_and_reader)
{
	WS_ELEMENT_DESCRIPTION int_elem = { &s_i, &s_ns, WS_INT32_TYPE,
	    NULL };
	struct harness_pair p;
	WS_MESSAGE *w, *r;
	WS_XML_WRITER *bw = NULL;
	WS_XML_READER *br = NULL;
	int32_t five = 5, seven = 7, got = 0;

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.client, NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.server, NULL, 0, &r, NULL), S_OK);
	HR_EQ(WsInitializeMessage(w, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsSetHeader(w, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &s_action, sizeof(s_action), NULL), S_OK);
	/* Only while the message is written. */
	HR_EQ(WsGetMessageProperty(w, WS_MESSAGE_PROPERTY_BODY_WRITER, &bw,
	    sizeof(bw), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsWriteMessageStart(p.client, w, NULL, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(w, WS_MESSAGE_PROPERTY_BODY_WRITER, &bw,
	    1, NULL), E_INVALIDARG);
	HR_EQ(WsGetMessageProperty(w, WS_MESSAGE_PROPERTY_BODY_WRITER, &bw,
	    sizeof(bw), NULL), S_OK);
	ck_assert_ptr_nonnull(bw);
	HR_EQ(WsWriteStartElement(bw, NULL, &s_v, &s_ns, NULL), S_OK);
	HR_EQ(WsWriteValue(bw, WS_INT32_VALUE_TYPE, &five, sizeof(five),
	    NULL), S_OK);
	/* A body element cannot go in while the writer has one open. */
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &seven,
	    sizeof(seven), NULL), WS_E_INVALID_FORMAT);
	HR_EQ(WsWriteEndElement(bw, NULL), S_OK);
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &seven,
	    sizeof(seven), NULL), S_OK);
	HR_EQ(WsWriteMessageEnd(p.client, w, NULL, NULL), S_OK);

	HR_EQ(WsReadMessageStart(p.server, r, NULL, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(r, WS_MESSAGE_PROPERTY_BODY_READER, &br,
	    sizeof(br), NULL), S_OK);
	ck_assert_ptr_nonnull(br);
	/* The writer's element first, then WsWriteBody's. */
	HR_EQ(WsReadToStartElement(br, &s_v, &s_ns, NULL, NULL), S_OK);
	HR_EQ(WsReadStartElement(br, NULL), S_OK);
	HR_EQ(WsReadValue(br, WS_INT32_VALUE_TYPE, &got, sizeof(got), NULL),
	    S_OK);
	ck_assert_int_eq(got, 5);
	HR_EQ(WsReadEndElement(br, NULL), S_OK);
	HR_EQ(WsReadElement(br, &int_elem, WS_READ_REQUIRED_VALUE, NULL, &got,
	    sizeof(got), NULL), S_OK);
	ck_assert_int_eq(got, 7);
	HR_EQ(WsReadMessageEnd(p.server, r, NULL, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(r, WS_MESSAGE_PROPERTY_BODY_READER, &br,
	    sizeof(br), NULL), WS_E_INVALID_OPERATION);
	WsFreeMessage(w);
	WsFreeMessage(r);
	harness_pair_free(&p);
}
END_TEST

static Suite *
xml_message_suite(void)
{
	Suite *s = suite_create("xml_message");
	TCase *tc = tcase_create("body");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_add_test(tc, body_writer_and_reader);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_message_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
