/* Integration suite: struct bodies (a purchase order) through a private
 * daemon over TCP with WsSendMessage/WsReceiveMessage and WsRequestReply/
 * WsSendReplyMessage, and WsWriteBody/WsReadBody on a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"
#include "check_xml_common.h"
#include "check_serial.h"

#define T_MS	10000

static WS_XML_STRING sx_act_rq = SX("urn:po/Submit"),
    sx_act_rp = SX("urn:po/Confirm");
static WS_MESSAGE_DESCRIPTION po_rq_desc = { &sx_act_rq, &po_elem };
static WS_MESSAGE_DESCRIPTION po_rp_desc = { &sx_act_rp, &po_elem };

static bool
wstr_is(const WCHAR *w, const char *s)
{
	size_t i;

	if (w == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (w[i] != (WCHAR)(unsigned char)s[i])
			return false;
	return w[i] == 0;
}

static void
po_check(const PURCHASE_ORDER *got)
{
	ck_assert_int_eq(got->id, 7);
	ck_assert(wstr_is(got->customer, "Ada & Co"));
	ck_assert(wstr_is(got->shipTo.city, "Paris"));
	ck_assert_uint_eq(got->itemCount, 2);
	ck_assert(wstr_is(got->items[0].product, "bolt"));
	ck_assert(got->items[1].price == 0.25);
	ck_assert_uint_eq(got->orderDate.ticks, PO_TICKS);
	ck_assert_ptr_nonnull(got->priority);
	ck_assert_int_eq(*got->priority, 2);
}

START_TEST(send_and_receive_struct)
{
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &po_rq_desc };
	struct harness_pair p;
	WS_MESSAGE *w, *r;
	WS_HEAP *heap = NULL;
	PURCHASE_ORDER po, got;
	int32_t prio = 2;
	ULONG index = 9;

	po_sample(&po, &prio);
	HR_EQ(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.client, NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.server, NULL, 0, &r, NULL), S_OK);
	HR_EQ(WsSendMessage(p.client, w, &po_rq_desc, WS_WRITE_REQUIRED_VALUE,
	    &po, sizeof(po), NULL, NULL), S_OK);
	memset(&got, 0, sizeof(got));
	HR_EQ(WsReceiveMessage(p.server, r, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), &index, NULL, NULL), S_OK);
	ck_assert_uint_eq(index, 0);
	po_check(&got);
	ck_assert_int_eq(got.status, PO_SHIPPED);

	/* A wrong valueSize fails before anything is sent. */
	HR_EQ(WsResetMessage(w, NULL), S_OK);
	HR_EQ(WsSendMessage(p.client, w, &po_rq_desc, WS_WRITE_REQUIRED_VALUE,
	    &po, sizeof(po) - 4, NULL, NULL), E_INVALIDARG);
	WsFreeMessage(w);
	WsFreeMessage(r);
	harness_pair_free(&p);
	WsFreeHeap(heap);
}
END_TEST

struct serve_po {
	WS_CHANNEL	*ch;
	int32_t		 got_id;
};

static HRESULT
serve_po(void *arg)
{
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &po_rq_desc };
	struct serve_po *sp = arg;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	PURCHASE_ORDER *po = NULL;
	HRESULT hr;

	if (FAILED(hr = WsCreateMessageForChannel(sp->ch, NULL, 0, &rq,
	    NULL)) || FAILED(hr = WsCreateMessageForChannel(sp->ch, NULL, 0,
	    &rp, NULL)) || FAILED(hr = WsCreateHeap(1 << 20, 0, NULL, 0,
	    &heap, NULL)))
		goto out;
	if (FAILED(hr = WsReceiveMessage(sp->ch, rq, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_POINTER, heap, &po,
	    sizeof(po), NULL, NULL, NULL)))
		goto out;
	sp->got_id = po->id;
	/* The confirmation: the same order, accepted as new, one more item
	 * count check on the way back. */
	po->status = PO_NEW;
	po->id += 1000;
	hr = WsSendReplyMessage(sp->ch, rp, &po_rp_desc,
	    WS_WRITE_REQUIRED_POINTER, &po, sizeof(po), rq, NULL, NULL);
out:
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	return hr;
}

START_TEST(request_reply_struct)
{
	struct harness_pair p;
	struct serve_po sp = { NULL, 0 };
	struct harness_bg *bg;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap = NULL;
	PURCHASE_ORDER po, *got = NULL;
	int32_t prio = 2;
	HRESULT hr;

	po_sample(&po, &prio);
	HR_EQ(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	sp.ch = p.server;
	bg = harness_bg_start(serve_po, &sp);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCreateMessageForChannel(p.client, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.client, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsRequestReply(p.client, rq, &po_rq_desc,
	    WS_WRITE_REQUIRED_VALUE, &po, sizeof(po), rp, &po_rp_desc,
	    WS_READ_REQUIRED_POINTER, heap, &got, sizeof(got), NULL, NULL),
	    S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	ck_assert_int_eq(sp.got_id, 7);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(got->id, 1007);
	ck_assert_int_eq(got->status, PO_NEW);
	ck_assert_uint_eq(got->itemCount, 2);
	ck_assert(wstr_is(got->items[1].product, "nut"));
	ck_assert_uint_eq(got->orderDate.ticks, PO_TICKS);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	harness_pair_free(&p);
	WsFreeHeap(heap);
}
END_TEST

/* WsWriteBody/WsReadBody between WsWriteMessageStart/End and
 * WsReadMessageStart/End: two struct bodies in a row and an optional one
 * that is absent. */
START_TEST(write_and_read_body)
{
	struct harness_pair p;
	WS_MESSAGE *w = NULL, *r = NULL;
	WS_HEAP *heap = NULL;
	PURCHASE_ORDER po, got, *none = (void *)1;
	OPTS o = { 1, 2, 3, 4 }, og;
	int32_t prio = 2;

	po_sample(&po, &prio);
	HR_EQ(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.client, NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.server, NULL, 0, &r, NULL), S_OK);
	HR_EQ(WsInitializeMessage(w, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsSetHeader(w, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &sx_act_rq, sizeof(sx_act_rq), NULL),
	    S_OK);
	HR_EQ(WsWriteMessageStart(p.client, w, NULL, NULL), S_OK);
	HR_EQ(WsWriteBody(w, &po_elem, WS_WRITE_REQUIRED_VALUE, &po,
	    sizeof(po), NULL), S_OK);
	HR_EQ(WsWriteBody(w, &opts_elem, WS_WRITE_REQUIRED_VALUE, &o,
	    sizeof(o), NULL), S_OK);
	HR_EQ(WsWriteMessageEnd(p.client, w, NULL, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.server, r, NULL, NULL), S_OK);
	HR_EQ(WsReadBody(r, &po_elem, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL), S_OK);
	po_check(&got);
	HR_EQ(WsReadBody(r, &po_elem, WS_READ_OPTIONAL_POINTER, heap, &none,
	    sizeof(none), NULL), S_OK);
	ck_assert_ptr_null(none);
	HR_EQ(WsReadBody(r, &opts_elem, WS_READ_REQUIRED_VALUE, heap, &og,
	    sizeof(og), NULL), S_OK);
	ck_assert_int_eq(og.a, 1);
	ck_assert_int_eq(og.c, 3);
	ck_assert_int_eq(og.d, 42);
	HR_EQ(WsReadMessageEnd(p.server, r, NULL, NULL), S_OK);
	WsFreeMessage(w);
	WsFreeMessage(r);
	harness_pair_free(&p);
	WsFreeHeap(heap);
}
END_TEST

static Suite *
serial_msg_suite(void)
{
	Suite *s = suite_create("serial_msg");
	TCase *tc = tcase_create("tcp");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, send_and_receive_struct);
	tcase_add_test(tc, request_reply_struct);
	tcase_add_test(tc, write_and_read_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(serial_msg_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
