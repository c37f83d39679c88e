/* Check suite for XML buffers (client/lib/xml_buffer.c, xml_serial.c):
 * writing into and reading from buffers, positions, copies, and round
 * trips text <-> binary <-> buffer. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_xml_common.h"

static WS_XML_STRING s_a = XS("a"), s_b = XS("b"), s_c = XS("c"),
    s_p = XS("p"), s_ns = XS("ns"), s_empty = XS("");

static const char doc[] = "<p:a xmlns:p=\"ns\" x=\"1\"><b>t</b>"
    "<!--c--><c/><b>u&amp;</b></p:a>";

static WS_XML_BUFFER *
buffer_of(WS_HEAP *heap, const void *bytes, ULONG n, bool binary)
{
	WS_XML_READER_TEXT_ENCODING te = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BINARY_ENCODING be = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER *r;
	WS_XML_BUFFER *b = NULL;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsReadXmlBufferFromBytes(r, binary ? &be.encoding :
	    &te.encoding, NULL, 0, bytes, n, heap, &b, NULL), S_OK);
	WsFreeReader(r);
	return b;
}

static void
bytes_of(WS_HEAP *heap, WS_XML_BUFFER *b, bool binary, WS_BYTES *out)
{
	WS_XML_WRITER_TEXT_ENCODING te = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_WRITER_BINARY_ENCODING be = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER *w;
	void *p = NULL;
	ULONG n = 0;

	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsWriteXmlBufferToBytes(w, b, binary ? &be.encoding :
	    &te.encoding, NULL, 0, heap, &p, &n, NULL), S_OK);
	WsFreeWriter(w);
	out->bytes = p;
	out->length = n;
}

START_TEST(create)
{
	WS_HEAP *heap;
	WS_XML_BUFFER *b;
	WS_XML_BUFFER_PROPERTY p = { 0, NULL, 0 };

	ck_assert_int_eq(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsCreateXmlBuffer(NULL, NULL, 0, &b, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCreateXmlBuffer(heap, NULL, 0, NULL, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCreateXmlBuffer(heap, &p, 1, &b, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsCreateXmlBuffer(heap, NULL, 0, &b, NULL), S_OK);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(round_trip_text_binary_buffer)
{
	WS_HEAP *heap;
	WS_XML_BUFFER *b1, *b2, *b3;
	WS_BYTES text, bin, text2, text3;

	ck_assert_int_eq(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL), S_OK);
	b1 = buffer_of(heap, doc, sizeof(doc) - 1, false);
	bytes_of(heap, b1, false, &text);
	ck_assert_uint_eq(text.length, sizeof(doc) - 1);
	ck_assert_int_eq(memcmp(text.bytes, doc, text.length), 0);
	bytes_of(heap, b1, true, &bin);
	/* Binary is shorter and starts with an element record. */
	ck_assert_uint_lt(bin.length, text.length);
	ck_assert_uint_ge(bin.bytes[0], 0x40);
	b2 = buffer_of(heap, bin.bytes, bin.length, true);
	bytes_of(heap, b2, false, &text2);
	ck_assert_msg(text2.length == text.length &&
	    memcmp(text2.bytes, text.bytes, text.length) == 0, "%.*s",
	    (int)text2.length, (const char *)text2.bytes);
	/* And once more through a buffer written node by node. */
	b3 = buffer_of(heap, text2.bytes, text2.length, false);
	bytes_of(heap, b3, false, &text3);
	ck_assert_int_eq(memcmp(text3.bytes, doc, sizeof(doc) - 1), 0);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(writer_into_buffer_keeps_typed_text)
{
	WS_HEAP *heap;
	WS_XML_BUFFER *b;
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	WS_XML_NODE_POSITION pos;
	const WS_XML_NODE *n;
	int32_t v = 42;
	WS_BYTES out;
	BOOL found;

	ck_assert_int_eq(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsCreateXmlBuffer(heap, NULL, 0, &b, NULL), S_OK);
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterPosition(w, &pos, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsSetOutputToBuffer(w, b, NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_INT32_VALUE_TYPE, &v, sizeof(v),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	/* Bytes are for a writer's own buffer only. */
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &out, sizeof(out), NULL), WS_E_INVALID_OPERATION);
	/* Insert <b/> before the int: move to a's start, write there. */
	ck_assert_int_eq(WsMoveWriter(w, WS_MOVE_TO_ROOT_ELEMENT, &found,
	    NULL), S_OK);
	ck_assert_int_eq(found, TRUE);
	ck_assert_int_eq(WsGetWriterPosition(w, &pos, NULL), S_OK);
	ck_assert_ptr_eq(pos.buffer, b);
	ck_assert_int_eq(WsMoveWriter(w, WS_MOVE_TO_CHILD_ELEMENT, &found,
	    NULL), S_OK);
	ck_assert_int_eq(found, FALSE);
	ck_assert_int_eq(WsMoveWriter(w, WS_MOVE_TO_CHILD_ELEMENT, NULL,
	    NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInputToBuffer(r, b, NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "b"));
	ck_assert_int_eq(WsSkipNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_TEXT);
	ck_assert_int_eq(((const WS_XML_TEXT_NODE *)n)->text->textType,
	    WS_XML_TEXT_TYPE_INT32);
	ck_assert_int_eq(((const WS_XML_INT32_TEXT *)
	    ((const WS_XML_TEXT_NODE *)n)->text)->value, 42);
	/* Back to a saved place. */
	ck_assert_int_eq(WsSetReaderPosition(r, &pos, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "a"));
	ck_assert_int_eq(WsMoveReader(r, WS_MOVE_TO_EOF, NULL, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_EOF);
	ck_assert_int_eq(WsMoveReader(r, WS_MOVE_TO_PREVIOUS_NODE, &found,
	    NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	pos.node = &v;	/* not a place of this buffer */
	ck_assert_int_eq(WsSetReaderPosition(r, &pos, NULL), E_INVALIDARG);
	WsFreeReader(r);
	WsFreeWriter(w);

	w = xml_test_writer(NULL, 0);
	ck_assert_int_eq(WsWriteXmlBuffer(w, b, NULL), S_OK);
	out_is(w, "<a><b/>42</a>");
	WsFreeWriter(w);
	r = xml_test_reader("<a/>");
	ck_assert_int_eq(WsMoveReader(r, WS_MOVE_TO_EOF, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	WsFreeReader(r);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(copy_node_and_read_buffer)
{
	WS_XML_READER *r = xml_test_reader(doc);
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	WS_XML_BUFFER *b;
	WS_HEAP *heap;
	const WS_XML_NODE *n;

	ck_assert_int_eq(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	/* The first <b> with its content, then the reader is past it. */
	ck_assert_int_eq(WsCopyNode(w, r, NULL), S_OK);
	out_is(w, "<b>t</b>");
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_COMMENT);
	ck_assert_int_eq(WsCopyNode(w, r, NULL), S_OK);
	out_is(w, "<b>t</b><!--c-->");
	ck_assert_int_eq(WsReadXmlBuffer(r, heap, &b, NULL), S_OK);
	ck_assert_int_eq(WsReadXmlBuffer(r, NULL, &b, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsWriteXmlBuffer(w, b, NULL), S_OK);
	out_is(w, "<b>t</b><!--c--><c/>");
	ck_assert_int_eq(WsReadXmlBuffer(r, heap, &b, NULL), S_OK);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_EOF);
	ck_assert_int_eq(WsCopyNode(w, r, NULL), WS_E_INVALID_FORMAT);
	WsFreeReader(r);
	WsFreeWriter(w);

	/* Node by node with WsWriteNode gives the same document. */
	r = xml_test_reader(doc);
	w = xml_test_writer(NULL, 0);
	for (;;) {
		ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
		ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
		if (n->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
		ck_assert_int_eq(WsWriteNode(w, n, NULL), S_OK);
	}
	out_is(w, doc);
	WsFreeReader(r);
	WsFreeWriter(w);

	/* The whole document from BOF. */
	r = xml_test_reader(doc);
	w = xml_test_writer(NULL, 0);
	ck_assert_int_eq(WsCopyNode(w, r, NULL), S_OK);
	out_is(w, doc);
	WsFreeReader(r);
	WsFreeWriter(w);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(prefix_in_buffer_scope)
{
	WS_HEAP *heap;
	WS_XML_BUFFER *b;
	WS_XML_WRITER *w;
	const WS_XML_STRING *p;
	BOOL found;

	ck_assert_int_eq(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	b = buffer_of(heap, doc, sizeof(doc) - 1, false);
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutputToBuffer(w, b, NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsMoveWriter(w, WS_MOVE_TO_ROOT_ELEMENT, &found,
	    NULL), S_OK);
	ck_assert_int_eq(WsMoveWriter(w, WS_MOVE_TO_CHILD_ELEMENT, &found,
	    NULL), S_OK);
	ck_assert_int_eq(found, TRUE);
	ck_assert_int_eq(WsGetPrefixFromNamespace(w, &s_ns, TRUE, &p, NULL),
	    S_OK);
	ck_assert(xml_test_str_is(p, "p"));
	/* Written inside <b>: the prefix in scope serves. */
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_c, &s_ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	WsFreeWriter(w);
	w = xml_test_writer(NULL, 0);
	ck_assert_int_eq(WsWriteXmlBuffer(w, b, NULL), S_OK);
	out_is(w, "<p:a xmlns:p=\"ns\" x=\"1\"><b><p:c/>t</b><!--c--><c/>"
	    "<b>u&amp;</b></p:a>");
	WsFreeWriter(w);
	(void)s_a;
	(void)s_p;
	WsFreeHeap(heap);
}
END_TEST

static Suite *
xml_buffer_suite(void)
{
	Suite *s = suite_create("xml_buffer");
	TCase *tc = tcase_create("buffer");

	tcase_add_test(tc, create);
	tcase_add_test(tc, round_trip_text_binary_buffer);
	tcase_add_test(tc, writer_into_buffer_keeps_typed_text);
	tcase_add_test(tc, copy_node_and_read_buffer);
	tcase_add_test(tc, prefix_in_buffer_scope);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_buffer_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
