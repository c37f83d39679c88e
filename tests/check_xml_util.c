/* Check suite for the small XML calls (WsTrimXmlWhitespace,
 * WsVerifyXmlNCName, WsPushBytes, WsPullBytes) and the writer and reader
 * properties that change output or limits: INDENT, MAX_NAMESPACES,
 * BYTES_TO_CLOSE, the MIME size properties. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"
#include "check_xml_common.h"

static const WS_XML_STRING s_a = XS("a"), s_b = XS("b"), s_c = XS("c"),
    s_empty = XS("");

START_TEST(trim_whitespace)
{
	WCHAR in[] = { ' ', '\t', 'a', ' ', 'b', '\r', '\n', ' ' };
	WCHAR sp[] = { ' ', '\n' };
	WCHAR *out = NULL;
	ULONG n = 99;

	ck_assert_int_eq(WsTrimXmlWhitespace(in, 8, &out, &n, NULL), S_OK);
	ck_assert_ptr_eq(out, in + 2);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(WsTrimXmlWhitespace(sp, 2, &out, &n, NULL), S_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(WsTrimXmlWhitespace(in, 0, &out, &n, NULL), S_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(WsTrimXmlWhitespace(NULL, 3, &out, &n, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsTrimXmlWhitespace(in, 8, NULL, &n, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsTrimXmlWhitespace(in, 8, &out, NULL, NULL),
	    E_INVALIDARG);
}
END_TEST

START_TEST(verify_ncname)
{
	WCHAR ok[] = { '_', 'a', '1', '.', '-', 0x00e9 };
	WCHAR colon[] = { 'a', ':', 'b' };
	WCHAR digit[] = { '1', 'a' };
	WCHAR space[] = { 'a', ' ' };
	WCHAR lone[] = { 'a', 0xd800 };
	WCHAR nul[] = { 'a', 0 };

	ck_assert_int_eq(WsVerifyXmlNCName(ok, 6, NULL), S_OK);
	ck_assert_int_eq(WsVerifyXmlNCName(colon, 3, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsVerifyXmlNCName(digit, 2, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsVerifyXmlNCName(space, 2, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsVerifyXmlNCName(lone, 2, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsVerifyXmlNCName(nul, 2, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsVerifyXmlNCName(ok, 0, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsVerifyXmlNCName(NULL, 2, NULL), E_INVALIDARG);
}
END_TEST

/* Gives "Hello" in pieces of 1 and 4 bytes. */
static HRESULT CALLBACK
push_cb(void *state, WS_WRITE_CALLBACK write, void *wstate,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	WS_BYTES b[2] = { { 1, (BYTE *)"H" }, { 4, (BYTE *)"ello" } };

	(void)state;
	(void)ctx;
	return write(wstate, b, 2, NULL, error);
}

struct pull {
	const char	*data;
	size_t		 off;
};

static HRESULT CALLBACK
pull_cb(void *state, void *bytes, ULONG max, ULONG *actual,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct pull *p = state;

	(void)ctx;
	(void)error;
	/* Two bytes at a time: pieces that are not whole base64 groups. */
	*actual = p->data[p->off] == '\0' ? 0 : p->data[p->off + 1] == '\0' ?
	    1 : 2;
	if (*actual > max)
		*actual = max;
	memcpy(bytes, p->data + p->off, *actual);
	p->off += *actual;
	return S_OK;
}

START_TEST(push_and_pull_bytes)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	struct pull p = { "Hello", 0 };

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsPushBytes(w, push_cb, NULL, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsPullBytes(w, pull_cb, &p, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	/* "Hello" is SGVsbG8= however it came. */
	out_is(w, "<a>SGVsbG8=</a><b>SGVsbG8=</b>");
	ck_assert_int_eq(WsPushBytes(w, NULL, NULL, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsPullBytes(NULL, pull_cb, &p, NULL), E_INVALIDARG);
	WsFreeWriter(w);
}
END_TEST

START_TEST(indent)
{
	ULONG two = 2;
	WS_XML_WRITER_PROPERTY prop = { WS_XML_WRITER_PROPERTY_INDENT, &two,
	    sizeof(two) };
	WS_XML_UTF8_TEXT t = { { WS_XML_TEXT_TYPE_UTF8 }, XS("t") };
	WS_XML_WRITER *w = xml_test_writer(&prop, 1);
	ULONG got = 0;

	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_INDENT,
	    &got, sizeof(got), NULL), S_OK);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteText(w, &t.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_c, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a>\r\n  <b>t</b>\r\n  <b>\r\n    <c/>\r\n  </b>\r\n</a>");
	WsFreeWriter(w);

	/* No indent: one line. */
	w = xml_test_writer(NULL, 0);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a><b/></a>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(max_namespaces)
{
	ULONG two = 2;
	WS_XML_WRITER_PROPERTY prop = { WS_XML_WRITER_PROPERTY_MAX_NAMESPACES,
	    &two, sizeof(two) };
	static const WS_XML_STRING p1 = XS("p1"), p2 = XS("p2"), p3 = XS("p3"),
	    n1 = XS("urn:1"), n2 = XS("urn:2"), n3 = XS("urn:3");
	WS_XML_WRITER *w = xml_test_writer(&prop, 1);

	ck_assert_int_eq(WsWriteStartElement(w, &p1, &s_a, &n1, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, &p2, &s_a, &n2, NULL), S_OK);
	/* A third declaration in scope is over the quota... */
	ck_assert_int_eq(WsWriteStartElement(w, &p3, &s_a, &n3, NULL),
	    WS_E_QUOTA_EXCEEDED);
	/* ...a prefix already bound is not a new one. */
	ck_assert_int_eq(WsWriteStartElement(w, &p1, &s_b, &n1, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<p1:a xmlns:p1=\"urn:1\"><p2:a xmlns:p2=\"urn:2\">"
	    "<p1:b/></p2:a></p1:a>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(bytes_to_close)
{
	static const WS_XML_STRING p = XS("p"), n = XS("urn:p");
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	ULONGLONG u = 99;

	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_BYTES_TO_CLOSE, &u, sizeof(u), NULL), S_OK);
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(WsWriteStartElement(w, &p, &s_a, &n, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndStartElement(w, NULL), S_OK);
	/* "</b>" and "</p:a>" */
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_BYTES_TO_CLOSE, &u, sizeof(u), NULL), S_OK);
	ck_assert_uint_eq(u, 4 + 6);
	WsFreeWriter(w);
}
END_TEST

START_TEST(reader_mime_sizes)
{
	WS_XML_READER *r = xml_test_reader("<a/>");
	ULONG v = 0, big = 1000;
	WS_XML_READER_PROPERTY prop = {
	    WS_XML_READER_PROPERTY_STREAM_MAX_ROOT_MIME_PART_SIZE, &big,
	    sizeof(big) };
	WS_XML_READER *r2;

	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_STREAM_MAX_ROOT_MIME_PART_SIZE, &v,
	    sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_STREAM_MAX_MIME_HEADERS_SIZE, &v,
	    sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 8192);
	ck_assert_int_eq(WsCreateReader(&prop, 1, &r2, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderProperty(r2,
	    WS_XML_READER_PROPERTY_STREAM_MAX_ROOT_MIME_PART_SIZE, &v,
	    sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 1000);
	WsFreeReader(r2);
	WsFreeReader(r);
}
END_TEST

static Suite *
xml_util_suite(void)
{
	Suite *s = suite_create("xml_util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, trim_whitespace);
	tcase_add_test(tc, verify_ncname);
	tcase_add_test(tc, push_and_pull_bytes);
	tcase_add_test(tc, indent);
	tcase_add_test(tc, max_namespaces);
	tcase_add_test(tc, bytes_to_close);
	tcase_add_test(tc, reader_mime_sizes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_util_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
