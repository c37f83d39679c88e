/* Check suite for stream input and output: a reader on
 * WS_XML_READER_STREAM_INPUT holds what WsFillReader obtained and no more,
 * and a writer on WS_XML_WRITER_STREAM_OUTPUT gives WsFlushWriter's bytes
 * to its callback once. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"
#include "check_xml_common.h"

/* A stream that gives one byte per call, and how far it got. */
struct trickle {
	const uint8_t	*data;
	size_t		 len, off;
	int		 calls;
};

static HRESULT CALLBACK
trickle_read(void *state, void *bytes, ULONG max, ULONG *actual,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct trickle *t = state;

	(void)ctx;
	(void)error;
	t->calls++;
	*actual = t->off < t->len && max > 0 ? 1 : 0;
	if (*actual > 0)
		memcpy(bytes, t->data + t->off++, 1);
	return S_OK;
}

static WS_XML_READER *
stream_reader(struct trickle *t, bool binary)
{
	WS_XML_READER_TEXT_ENCODING te = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_READER_BINARY_ENCODING be = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_STREAM_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_STREAM }, trickle_read, t };
	WS_XML_READER *r = NULL;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, binary ? &be.encoding : &te.encoding,
	    &in.input, NULL, 0, NULL), S_OK);
	return r;
}

static const char text_doc[] = "<a x=\"1\"><b>text</b><c/></a>";

START_TEST(reader_holds_what_it_was_filled_with)
{
	struct trickle t = { (const uint8_t *)text_doc, strlen(text_doc), 0,
	    0 };
	WS_XML_READER *r = stream_reader(&t, false);
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_NODE *n;
	ULONG k;

	/* Nothing is read before WsFillReader. */
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(t.calls, 0);
	/* Byte by byte: the element is there once its start tag is, 9
	 * bytes, the rest of the document not yet obtained. */
	for (k = 1; k < 9; k++) {
		ck_assert_int_eq(WsFillReader(r, k, NULL, NULL), S_OK);
		ck_assert_uint_eq(t.off, k);
		ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL,
		    NULL), WS_E_QUOTA_EXCEEDED);
	}
	ck_assert_int_eq(WsFillReader(r, 9, NULL, NULL), S_OK);
	ck_assert_uint_eq(t.off, 9);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	e = (const WS_XML_ELEMENT_NODE *)n;
	ck_assert(xml_test_str_is(e->localName, "a"));
	ck_assert_uint_eq(e->attributeCount, 1);
	/* Reading on needs what was not obtained; the reader stays. */
	ck_assert_int_eq(WsReadStartElement(r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert_uint_eq(t.off, 9);
	ck_assert_int_eq(WsFillReader(r, 100, NULL, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "b"));
	WsFreeReader(r);
}
END_TEST

START_TEST(fill_reads_at_least_min_size)
{
	struct trickle t = { (const uint8_t *)text_doc, strlen(text_doc), 0,
	    0 };
	WS_XML_READER *r = stream_reader(&t, false);

	/* minSize is what must be buffered, not what is added: 5 are, so
	 * 7 adds 2 (WsFillReader's reference page). */
	ck_assert_int_eq(WsFillReader(r, 5, NULL, NULL), S_OK);
	ck_assert_uint_eq(t.off, 5);
	ck_assert_int_eq(WsFillReader(r, 7, NULL, NULL), S_OK);
	ck_assert_uint_eq(t.off, 7);
	t.calls = 0;
	ck_assert_int_eq(WsFillReader(r, 7, NULL, NULL), S_OK);
	ck_assert_int_eq(t.calls, 0);
	/* Past the end: what there is, then no more calls. */
	ck_assert_int_eq(WsFillReader(r, 1000, NULL, NULL), S_OK);
	ck_assert_uint_eq(t.off, strlen(text_doc));
	t.calls = 0;
	ck_assert_int_eq(WsFillReader(r, 1000, NULL, NULL), S_OK);
	ck_assert_int_eq(t.calls, 0);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	WsFreeReader(r);
}
END_TEST

START_TEST(place_kept_when_more_arrives)
{
	static const char doc[] = "<a>t</a><!--after-->";
	struct trickle t = { (const uint8_t *)doc, strlen(doc), 0, 0 };
	WS_XML_READER *r = stream_reader(&t, false);
	const WS_XML_NODE *n;

	ck_assert_int_eq(WsFillReader(r, 8, NULL, NULL), S_OK);	/* <a>t</a> */
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_TEXT);
	/* The rest comes; the reader stays on the text. */
	ck_assert_int_eq(WsFillReader(r, 100, NULL, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_TEXT);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_COMMENT);
	WsFreeReader(r);
}
END_TEST

START_TEST(binary_stream_in_single_bytes)
{
	/* <v>-34</v> as Int8Text: typed through the stream too. */
	static const uint8_t doc[] = { 0x40, 0x01, 'v', 0x89, 0xde };
	struct trickle t = { doc, sizeof(doc), 0, 0 };
	WS_XML_READER *r = stream_reader(&t, true);
	const WS_XML_NODE *n;
	const WS_XML_TEXT *x;
	int fills = 0;

	/* The element is known whole when the next record is not one of
	 * its attributes: at 4 bytes; its text at 5. */
	while (WsReadToStartElement(r, NULL, NULL, NULL, NULL) ==
	    WS_E_QUOTA_EXCEEDED) {
		ck_assert_int_lt(fills, 10);
		fills++;
		ck_assert_int_eq(WsFillReader(r, (ULONG)fills, NULL, NULL),
		    S_OK);
	}
	ck_assert_int_eq(fills, 4);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsFillReader(r, 5, NULL, NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	x = ((const WS_XML_TEXT_NODE *)n)->text;
	ck_assert_int_eq(x->textType, WS_XML_TEXT_TYPE_INT32);
	ck_assert_int_eq(((const WS_XML_INT32_TEXT *)x)->value, -34);
	WsFreeReader(r);
}
END_TEST

START_TEST(binary_comment_before_root_waits_for_it)
{
	/* <!--a--><v/>: the comment alone is no document yet; with the
	 * element's start it reads as on a buffer, comment first. */
	static const uint8_t doc[] = { 0x02, 0x01, 'a', 0x40, 0x01, 'v',
	    0x01 };
	struct trickle t = { doc, sizeof(doc), 0, 0 };
	WS_XML_READER *r = stream_reader(&t, true);
	const WS_XML_NODE *n;
	ULONG got;

	for (got = 1; got <= 6; got++) {
		ck_assert_int_eq(WsFillReader(r, got, NULL, NULL), S_OK);
		ck_assert_int_eq(WsReadNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	}
	ck_assert_int_eq(WsFillReader(r, 7, NULL, NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_COMMENT);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	WsFreeReader(r);
}
END_TEST

START_TEST(malformed_stream_at_its_end)
{
	static const char doc[] = "<a><b></a>";
	struct trickle t = { (const uint8_t *)doc, strlen(doc), 0, 0 };
	WS_XML_READER *r = stream_reader(&t, false);

	ck_assert_int_eq(WsFillReader(r, 100, NULL, NULL), S_OK);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    WS_E_INVALID_FORMAT);
	WsFreeReader(r);
}
END_TEST

/* What a stream writer gave its callback, end to end. */
struct gather {
	char	 buf[512];
	size_t	 len;
	int	 calls;
};

static HRESULT CALLBACK
gather_write(void *state, const WS_BYTES *bufs, ULONG count,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct gather *g = state;
	ULONG i;

	(void)ctx;
	(void)error;
	for (i = 0; i < count; i++) {
		ck_assert_uint_le(g->len + bufs[i].length, sizeof(g->buf) - 1);
		memcpy(g->buf + g->len, bufs[i].bytes, bufs[i].length);
		g->len += bufs[i].length;
	}
	g->buf[g->len] = '\0';
	g->calls++;
	return S_OK;
}

START_TEST(writer_flushes_each_byte_once)
{
	static const WS_XML_STRING a = XS("a"), b = XS("b"), ns = XS("");
	WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	struct gather g = { .len = 0 };
	WS_XML_WRITER_STREAM_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_STREAM }, gather_write, &g };
	WS_XML_WRITER *w;
	int i;

	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(WsWriteStartElement(w, NULL, &b, &ns, NULL),
		    S_OK);
		ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
		/* 10 bytes is more than what each round adds: waits. */
		ck_assert_int_eq(WsFlushWriter(w, 10, NULL, NULL), S_OK);
	}
	ck_assert_int_eq(g.calls, 1);	/* at "<a><b/><b/>" */
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsFlushWriter(w, 0, NULL, NULL), S_OK);
	ck_assert_int_eq(WsFlushWriter(w, 0, NULL, NULL), S_OK);
	ck_assert_str_eq(g.buf, "<a><b/><b/><b/></a>");
	ck_assert_int_eq(g.calls, 2);
	WsFreeWriter(w);
}
END_TEST

static Suite *
xml_stream_suite(void)
{
	Suite *s = suite_create("xml_stream");
	TCase *tc = tcase_create("stream");

	tcase_add_test(tc, reader_holds_what_it_was_filled_with);
	tcase_add_test(tc, fill_reads_at_least_min_size);
	tcase_add_test(tc, place_kept_when_more_arrives);
	tcase_add_test(tc, binary_stream_in_single_bytes);
	tcase_add_test(tc, binary_comment_before_root_waits_for_it);
	tcase_add_test(tc, malformed_stream_at_its_end);
	tcase_add_test(tc, writer_flushes_each_byte_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_stream_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
