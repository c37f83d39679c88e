/* Check suite for the XML writer (client/lib/xml_writer*.c): output bytes
 * and HRESULTs as the WWSAPI reference pages describe them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_xml_common.h"

static WS_XML_STRING s_a = XS("a"), s_b = XS("b"), s_c = XS("c"),
    s_p = XS("p"), s_q = XS("q"), s_ns = XS("ns"), s_ns2 = XS("ns2"),
    s_empty = XS("");

START_TEST(create_and_properties)
{
	WS_XML_WRITER *w;
	ULONG depth = 0, attrs = 0, size = 0, bad = 7;
	BOOL b = TRUE;
	WS_CHARSET cs = WS_CHARSET_AUTO;
	WS_XML_WRITER_PROPERTY p = { WS_XML_WRITER_PROPERTY_MAX_DEPTH, &bad,
	    sizeof(bad) };
	WS_XML_WRITER_PROPERTY wrong = { WS_XML_WRITER_PROPERTY_MAX_DEPTH,
	    &bad, 2 };
	WS_XML_WRITER_PROPERTY ro = { WS_XML_WRITER_PROPERTY_BYTES, &bad,
	    sizeof(bad) };

	ck_assert_int_eq(WsCreateWriter(NULL, 0, NULL, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsCreateWriter(&wrong, 1, &w, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsCreateWriter(&ro, 1, &w, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_MAX_DEPTH, &depth, sizeof(depth), NULL),
	    S_OK);
	ck_assert_uint_eq(depth, 32);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_MAX_ATTRIBUTES, &attrs, sizeof(attrs),
	    NULL), S_OK);
	ck_assert_uint_eq(attrs, 128);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE, &size, sizeof(size),
	    NULL), S_OK);
	ck_assert_uint_eq(size, 65536);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_WRITE_DECLARATION, &b, sizeof(b), NULL),
	    S_OK);
	ck_assert_int_eq(b, FALSE);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_CHARSET, &cs, sizeof(cs), NULL), S_OK);
	ck_assert_int_eq(cs, WS_CHARSET_UTF8);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_MAX_DEPTH, &depth, 1, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsGetWriterProperty(w, 99, &depth, sizeof(depth),
	    NULL), E_INVALIDARG);
	/* Nothing to write to yet. */
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_ns, NULL),
	    WS_E_INVALID_OPERATION);
	WsFreeWriter(w);
	ck_assert_int_eq(WsCreateWriter(&p, 1, &w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_MAX_DEPTH, &depth, sizeof(depth), NULL),
	    S_OK);
	ck_assert_uint_eq(depth, 7);
	WsFreeWriter(w);
	WsFreeWriter(NULL);
}
END_TEST

START_TEST(start_element_waits_for_its_end)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);

	ck_assert_int_eq(WsWriteStartElement(w, &s_p, &s_a, &s_ns, NULL),
	    S_OK);
	out_is(w, "");
	ck_assert_int_eq(WsWriteEndStartElement(w, NULL), S_OK);
	out_is(w, "<p:a xmlns:p=\"ns\">");
	ck_assert_int_eq(WsWriteEndStartElement(w, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<p:a xmlns:p=\"ns\"></p:a>");
	ck_assert_int_eq(WsWriteEndElement(w, NULL), WS_E_INVALID_FORMAT);
	WsFreeWriter(w);
}
END_TEST

START_TEST(namespaces_declared_once)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);

	/* No prefix: the default namespace. */
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	/* Another namespace with the same prefix is redeclared below. */
	ck_assert_int_eq(WsWriteStartElement(w, &s_empty, &s_c, &s_ns2,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a xmlns=\"ns\"><b/><c xmlns=\"ns2\"><a xmlns=\"\"/></c>"
	    "</a>");
	ck_assert_int_eq(WsWriteEndElement(w, NULL), WS_E_INVALID_FORMAT);
	WsFreeWriter(w);
}
END_TEST

START_TEST(attributes)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	BOOL in = FALSE;

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &s_b, &s_empty,
	    FALSE, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_IN_ATTRIBUTE, &in, sizeof(in), NULL), S_OK);
	ck_assert_int_eq(in, TRUE);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"x\"<", 3, NULL),
	    S_OK);
	/* No element inside an attribute. */
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_c, &s_empty, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &s_b, &s_empty,
	    FALSE, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsWriteStartAttribute(w, &s_p, &s_c, &s_ns2, TRUE,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"y", 1, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
	/* A namespace without a prefix gets one. */
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &s_q, &s_ns, FALSE,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, NULL, &s_ns, FALSE,
	    NULL), E_INVALIDARG);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a b=\"x&quot;&lt;\" p:c='y' xmlns:p='ns2' a:q=\"\" "
	    "xmlns:a=\"ns\"/>");
	/* Attributes belong to an open start tag only. */
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &s_b, &s_empty,
	    FALSE, NULL), WS_E_INVALID_OPERATION);
	WsFreeWriter(w);
}
END_TEST

START_TEST(text_escaped_and_typed)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	static const WCHAR chars[] = { 'h', 0xe9, '<' };
	static const BYTE bytes[] = { 1, 2, 3 };
	int32_t i = -5;
	BOOL t = TRUE;
	double d = 1.5;
	uint64_t big = UINT64_MAX;
	GUID g = { 0x01020304, 0x0506, 0x0708, { 9, 10, 11, 12, 13, 14, 15,
	    16 } };

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"<&>\r", 4, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteChars(w, chars, 3, NULL), S_OK);
	ck_assert_int_eq(WsWriteBytes(w, bytes, 3, NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_INT32_VALUE_TYPE, &i, sizeof(i),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_BOOL_VALUE_TYPE, &t, sizeof(t),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_DOUBLE_VALUE_TYPE, &d, sizeof(d),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_UINT64_VALUE_TYPE, &big,
	    sizeof(big), NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_GUID_VALUE_TYPE, &g, sizeof(g),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_INT32_VALUE_TYPE, &i, 2, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsWriteValue(w, 99, &i, sizeof(i), NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a>&lt;&amp;&gt;&#xD;h\xc3\xa9&lt;AQID-5true1.5"
	    "18446744073709551615"
	    "01020304-0506-0708-090a-0b0c0d0e0f10</a>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(cdata_comment_node)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	WS_XML_COMMENT_NODE c = { { WS_XML_NODE_TYPE_COMMENT }, XS(" hi ") };
	WS_XML_NODE end = { WS_XML_NODE_TYPE_END_ELEMENT };

	ck_assert_int_eq(WsWriteEndCData(w, NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartCData(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"<x>", 3, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteEndCData(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteNode(w, &c.node, NULL), S_OK);
	ck_assert_int_eq(WsWriteNode(w, &end, NULL), S_OK);
	ck_assert_int_eq(WsWriteNode(w, NULL, NULL), E_INVALIDARG);
	out_is(w, "<a><![CDATA[<x>]]><!-- hi --></a>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(xmlns_and_prefix_lookup)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	const WS_XML_STRING *p = NULL;

	ck_assert_int_eq(WsWriteStartElement(w, &s_p, &s_a, &s_ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &s_p, &s_ns, FALSE, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &s_q, &s_ns2, FALSE, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &s_q, &s_ns, FALSE, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &s_q, NULL, FALSE, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsGetPrefixFromNamespace(w, &s_ns2, TRUE, &p, NULL),
	    S_OK);
	ck_assert(xml_test_str_is(p, "q"));
	ck_assert_int_eq(WsGetPrefixFromNamespace(w, &s_b, TRUE, &p, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsGetPrefixFromNamespace(w, &s_b, FALSE, &p, NULL),
	    S_FALSE);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(WsWriteQualifiedName(w, NULL, &s_b, &s_ns2, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteQualifiedName(w, NULL, NULL, &s_ns2, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<p:a xmlns:p=\"ns\" xmlns:q=\"ns2\">q:b</p:a>");
	WsFreeWriter(w);
}
END_TEST

/* The xml prefix is bound everywhere: never declared, never replaced. */
START_TEST(xml_prefix_always_bound)
{
	static const WS_XML_STRING xmlns_xml =
	    XS("http://www.w3.org/XML/1998/namespace");
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	const WS_XML_STRING *p = NULL;

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsGetPrefixFromNamespace(w, &xmlns_xml, TRUE, &p,
	    NULL), S_OK);
	ck_assert(xml_test_str_is(p, "xml"));
	ck_assert_int_eq(WsWriteQualifiedName(w, NULL, &s_b, &xmlns_xml,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a>xml:b</a>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(array_and_depth_quota)
{
	ULONG two = 2;
	WS_XML_WRITER_PROPERTY p = { WS_XML_WRITER_PROPERTY_MAX_DEPTH, &two,
	    sizeof(two) };
	WS_XML_WRITER *w = xml_test_writer(&p, 1);
	int32_t v[3] = { 1, 2, 3 };

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteArray(w, &s_b, &s_empty, WS_INT32_VALUE_TYPE,
	    v, sizeof(v), 1, 2, NULL), S_OK);
	ck_assert_int_eq(WsWriteArray(w, &s_b, &s_empty, WS_INT32_VALUE_TYPE,
	    v, sizeof(v), 2, 2, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsWriteArray(w, &s_b, &s_empty, WS_INT32_VALUE_TYPE,
	    NULL, 0, 0, 0, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_c, &s_empty, NULL),
	    WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a><b>2</b><b>3</b><b/></a>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(declaration_charset_and_max_size)
{
	BOOL t = TRUE;
	ULONG small = 8;
	WS_XML_WRITER_PROPERTY decl = {
	    WS_XML_WRITER_PROPERTY_WRITE_DECLARATION, &t, sizeof(t) };
	WS_XML_WRITER_PROPERTY max = {
	    WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE, &small, sizeof(small) };
	WS_XML_WRITER_TEXT_ENCODING u16 = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF16LE };
	WS_XML_WRITER_TEXT_ENCODING bad = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, 77 };
	WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w = xml_test_writer(&decl, 1);
	WS_BYTES b;

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>");
	WsFreeWriter(w);

	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &bad.encoding, &out.output, NULL, 0,
	    NULL), E_INVALIDARG);
	ck_assert_int_eq(WsSetOutput(w, &u16.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	ck_assert_uint_eq(b.length, 8);
	ck_assert_int_eq(memcmp(b.bytes, "<\0a\0/\0>\0", 8), 0);
	WsFreeWriter(w);

	w = xml_test_writer(&max, 1);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"0123456789", 10,
	    NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), WS_E_QUOTA_EXCEEDED);
	WsFreeWriter(w);
}
END_TEST

static size_t stream_calls;
static char stream_data[256];
static size_t stream_len;

static HRESULT CALLBACK
stream_write(void *state, const WS_BYTES *bufs, ULONG count,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	ULONG i;

	(void)ctx;
	(void)error;
	ck_assert_ptr_eq(state, &stream_calls);
	stream_calls++;
	for (i = 0; i < count; i++) {
		ck_assert_uint_le(stream_len + bufs[i].length,
		    sizeof(stream_data));
		memcpy(stream_data + stream_len, bufs[i].bytes,
		    bufs[i].length);
		stream_len += bufs[i].length;
	}
	return S_OK;
}

START_TEST(stream_output)
{
	WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_WRITER_STREAM_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_STREAM }, stream_write,
	    &stream_calls };
	WS_XML_WRITER_STREAM_OUTPUT none = {
	    { WS_XML_WRITER_OUTPUT_TYPE_STREAM }, NULL, NULL };
	WS_XML_WRITER *w;
	WS_BYTES b;

	stream_calls = stream_len = 0;
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &none.output, NULL, 0,
	    NULL), E_INVALIDARG);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"t", 1, NULL),
	    S_OK);
	/* Less than minSize waits. */
	ck_assert_int_eq(WsFlushWriter(w, 100, NULL, NULL), S_OK);
	ck_assert_uint_eq(stream_calls, 0);
	ck_assert_int_eq(WsFlushWriter(w, 0, NULL, NULL), S_OK);
	ck_assert_uint_eq(stream_calls, 1);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsFlushWriter(w, 0, NULL, NULL), S_OK);
	ck_assert_uint_eq(stream_calls, 2);
	ck_assert_uint_eq(stream_len, 8);
	ck_assert_int_eq(memcmp(stream_data, "<a>t</a>", 8), 0);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), WS_E_INVALID_OPERATION);
	WsFreeWriter(w);
}
END_TEST

START_TEST(binary_output)
{
	WS_XML_WRITER_BINARY_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w;
	WS_BYTES b;
	/* ShortDictionaryElement "a" (MC-NBFS id 0xb6), Chars8Text "hi"
	 * with its end element (0x99). */
	static const BYTE exp[] = { 0x42, 0xb6, 0x01, 0x99, 0x02, 'h', 'i' };

	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteCharsUtf8(w, (const BYTE *)"hi", 2, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	ck_assert_uint_eq(b.length, sizeof(exp));
	ck_assert_int_eq(memcmp(b.bytes, exp, sizeof(exp)), 0);
	WsFreeWriter(w);
}
END_TEST

/* The reference page's example for COMPRESS_EMPTY_ELEMENTS. */
static const char empties[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<container>\n"
    " <emptyElement />\n"
    " <emptyElementWithEndTag></emptyElementWithEndTag>\n"
    "</container>";

/* WsCopyNode of `empties` (its root element) with COMPRESS_EMPTY_ELEMENTS
 * as given, to a text writer or a binary one. */
static void
copy_empties(BOOL compress, bool binary, WS_BYTES *out, char *keep,
    size_t keepsize)
{
	WS_XML_WRITER_PROPERTY p = {
	    WS_XML_WRITER_PROPERTY_COMPRESS_EMPTY_ELEMENTS, &compress,
	    sizeof(compress) };
	WS_XML_WRITER_BINARY_ENCODING be = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER_TEXT_ENCODING te = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_WRITER_BUFFER_OUTPUT o = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_READER *r = xml_test_reader(empties);
	WS_XML_WRITER *w;
	BOOL got = !compress;

	ck_assert_int_eq(WsCreateWriter(&p, 1, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, binary ? &be.encoding : &te.encoding,
	    &o.output, NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_COMPRESS_EMPTY_ELEMENTS, &got, sizeof(got),
	    NULL), S_OK);
	ck_assert_int_eq(got, compress);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsCopyNode(w, r, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    out, sizeof(*out), NULL), S_OK);
	ck_assert_uint_lt(out->length, keepsize);
	memcpy(keep, out->bytes, out->length);
	out->bytes = (BYTE *)keep;
	WsFreeWriter(w);
	WsFreeReader(r);
}

START_TEST(copy_node_compress_empty_elements)
{
	WS_BYTES b, bb;
	char t[512], u[512];
	BOOL def = TRUE;
	WS_XML_WRITER *w;

	/* FALSE, the default: each element as it was read. */
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w,
	    WS_XML_WRITER_PROPERTY_COMPRESS_EMPTY_ELEMENTS, &def, sizeof(def),
	    NULL), S_OK);
	ck_assert_int_eq(def, FALSE);
	WsFreeWriter(w);
	copy_empties(FALSE, false, &b, t, sizeof(t));
	ck_assert_str_eq((t[b.length] = '\0', t),
	    "<container>\n <emptyElement/>\n"
	    " <emptyElementWithEndTag></emptyElementWithEndTag>\n"
	    "</container>");
	/* TRUE: elements without content are empty elements. */
	copy_empties(TRUE, false, &b, t, sizeof(t));
	ck_assert_str_eq((t[b.length] = '\0', t),
	    "<container>\n <emptyElement/>\n <emptyElementWithEndTag/>\n"
	    "</container>");
	/* Binary has no empty elements: the property changes nothing. */
	copy_empties(FALSE, true, &b, t, sizeof(t));
	copy_empties(TRUE, true, &bb, u, sizeof(u));
	ck_assert_uint_eq(b.length, bb.length);
	ck_assert(memcmp(t, u, b.length) == 0);
}
END_TEST

START_TEST(emit_uncompressed_empty_elements)
{
	BOOL on = TRUE;
	WS_XML_WRITER_PROPERTY p = {
	    WS_XML_WRITER_PROPERTY_EMIT_UNCOMPRESSED_EMPTY_ELEMENTS, &on,
	    sizeof(on) };
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a/>");
	WsFreeWriter(w);
	w = xml_test_writer(&p, 1);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_b, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a><b></b></a>");
	WsFreeWriter(w);
}
END_TEST

static Suite *
xml_writer_suite(void)
{
	Suite *s = suite_create("xml_writer");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, create_and_properties);
	tcase_add_test(tc, start_element_waits_for_its_end);
	tcase_add_test(tc, namespaces_declared_once);
	tcase_add_test(tc, attributes);
	tcase_add_test(tc, text_escaped_and_typed);
	tcase_add_test(tc, cdata_comment_node);
	tcase_add_test(tc, xmlns_and_prefix_lookup);
	tcase_add_test(tc, xml_prefix_always_bound);
	tcase_add_test(tc, array_and_depth_quota);
	tcase_add_test(tc, declaration_charset_and_max_size);
	tcase_add_test(tc, stream_output);
	tcase_add_test(tc, binary_output);
	tcase_add_test(tc, copy_node_compress_empty_elements);
	tcase_add_test(tc, emit_uncompressed_empty_elements);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_writer_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
