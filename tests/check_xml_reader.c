/* Check suite for the XML reader (client/lib/xml_reader*.c): nodes,
 * values and HRESULTs as the WWSAPI reference pages describe them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_xml_common.h"

static WS_XML_STRING s_a = XS("a"), s_b = XS("b"), s_c = XS("c"),
    s_p = XS("p"), s_ns = XS("ns"), s_empty = XS(""), s_lang = XS("lang");

static const WS_XML_NODE *
node(WS_XML_READER *r)
{
	const WS_XML_NODE *n = NULL;

	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_ptr_nonnull(n);
	return n;
}

static const WS_XML_NODE *
next(WS_XML_READER *r)
{
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	return node(r);
}

START_TEST(create_and_properties)
{
	WS_XML_READER *r;
	ULONG v = 0, three = 3;
	BOOL b = FALSE;
	WS_XML_READER_PROPERTY p = { WS_XML_READER_PROPERTY_MAX_DEPTH,
	    &three, sizeof(three) };
	WS_XML_READER_PROPERTY ro = { WS_XML_READER_PROPERTY_IN_ATTRIBUTE,
	    &b, sizeof(b) };
	const WS_XML_NODE *n;

	ck_assert_int_eq(WsCreateReader(NULL, 0, NULL, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsCreateReader(&ro, 1, &r, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_MAX_DEPTH, &v, sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 32);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_MAX_ATTRIBUTES, &v, sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 128);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_READ_DECLARATION, &b, sizeof(b), NULL),
	    S_OK);
	ck_assert_int_eq(b, TRUE);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_MAX_DEPTH, &v, 1, NULL), E_INVALIDARG);
	/* No input yet. */
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL),
	    WS_E_INVALID_OPERATION);
	WsFreeReader(r);
	ck_assert_int_eq(WsCreateReader(&p, 1, &r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_MAX_DEPTH, &v, sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 3);
	WsFreeReader(r);
	WsFreeReader(NULL);
}
END_TEST

START_TEST(nodes_in_order)
{
	WS_XML_READER *r = xml_test_reader("<?xml version=\"1.0\" "
	    "encoding=\"utf-8\"?><a b=\"1\" xmlns:p=\"ns\"><p:c>t&amp;</p:c>"
	    "<!--x--><d/></a>");
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_TEXT_NODE *t;
	const WS_XML_UTF8_TEXT *u;
	const WS_XML_NODE *n;

	ck_assert_int_eq(node(r)->nodeType, WS_XML_NODE_TYPE_BOF);
	n = next(r);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	e = (const WS_XML_ELEMENT_NODE *)n;
	ck_assert(xml_test_str_is(e->localName, "a"));
	ck_assert(xml_test_str_is(e->prefix, ""));
	ck_assert(xml_test_str_is(e->ns, ""));
	ck_assert_uint_eq(e->attributeCount, 2);
	n = next(r);
	e = (const WS_XML_ELEMENT_NODE *)n;
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert(xml_test_str_is(e->prefix, "p"));
	ck_assert(xml_test_str_is(e->localName, "c"));
	ck_assert(xml_test_str_is(e->ns, "ns"));
	n = next(r);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_TEXT);
	t = (const WS_XML_TEXT_NODE *)n;
	ck_assert_int_eq(t->text->textType, WS_XML_TEXT_TYPE_UTF8);
	u = (const WS_XML_UTF8_TEXT *)t->text;
	ck_assert(xml_test_str_is(&u->value, "t&"));
	ck_assert_int_eq(next(r)->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	n = next(r);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_COMMENT);
	ck_assert(xml_test_str_is(&((const WS_XML_COMMENT_NODE *)n)->value,
	    "x"));
	n = next(r);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert_int_eq(((const WS_XML_ELEMENT_NODE *)n)->isEmpty, TRUE);
	ck_assert_int_eq(next(r)->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	ck_assert_int_eq(next(r)->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	ck_assert_int_eq(next(r)->nodeType, WS_XML_NODE_TYPE_EOF);
	ck_assert_int_eq(next(r)->nodeType, WS_XML_NODE_TYPE_EOF);
	WsFreeReader(r);
}
END_TEST

START_TEST(malformed_input_fails_the_reads)
{
	static const char *bad[] = { "<a>", "<p:a/>", "<a></b>", "<a b=1/>",
	    "<!DOCTYPE a><a/>", "<a/>&bogus;", "<?xml version=\"1.0\"" };
	WS_XML_READER *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = xml_test_reader(bad[i]);
		ck_assert_msg(WsReadNode(r, NULL) == WS_E_INVALID_FORMAT,
		    "%s", bad[i]);
		WsFreeReader(r);
	}
}
END_TEST

START_TEST(element_calls)
{
	WS_XML_READER *r = xml_test_reader(" <!--c--> <a>\n <b>x</b>\n</a>");
	BOOL found = TRUE;

	ck_assert_int_eq(WsReadToStartElement(r, &s_b, NULL, &found, NULL),
	    S_OK);
	ck_assert_int_eq(found, FALSE);
	ck_assert_int_eq(WsReadToStartElement(r, &s_b, NULL, NULL, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsReadToStartElement(r, &s_a, &s_empty, &found,
	    NULL), S_OK);
	ck_assert_int_eq(found, TRUE);
	ck_assert_int_eq(WsReadEndElement(r, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	/* Text is not skipped on the way to an end element. */
	ck_assert_int_eq(WsReadEndElement(r, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsSkipNode(r, NULL), S_OK);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), WS_E_INVALID_FORMAT);
	WsFreeReader(r);

	r = xml_test_reader("<a><b><c/></b></a><d/>");
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsSkipNode(r, NULL), S_OK);
	ck_assert_int_eq(node(r)->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert(xml_test_str_is(
	    ((const WS_XML_ELEMENT_NODE *)node(r))->localName, "d"));
	WsFreeReader(r);
}
END_TEST

START_TEST(attributes)
{
	WS_XML_READER *r = xml_test_reader("<a b=\" 7 \" p:c=\"v\" "
	    "xmlns:p=\"ns\">t</a>");
	ULONG i = 99, got;
	int32_t v = 0;
	BYTE buf[8];
	BOOL in;

	ck_assert_int_eq(WsFindAttribute(r, &s_b, &s_empty, TRUE, &i, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsFindAttribute(r, &s_b, &s_empty, TRUE, &i, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadStartAttribute(r, i, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_IN_ATTRIBUTE, &in, sizeof(in), NULL), S_OK);
	ck_assert_int_eq(in, TRUE);
	ck_assert_int_eq(node(r)->nodeType, WS_XML_NODE_TYPE_TEXT);
	ck_assert_int_eq(WsReadValue(r, WS_INT32_VALUE_TYPE, &v, sizeof(v),
	    NULL), S_OK);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(WsReadEndAttribute(r, NULL), S_OK);
	ck_assert_int_eq(WsReadEndAttribute(r, NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsFindAttribute(r, &s_c, &s_ns, TRUE, &i, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadStartAttribute(r, i, NULL), S_OK);
	ck_assert_int_eq(WsReadCharsUtf8(r, buf, sizeof(buf), &got, NULL),
	    S_OK);
	ck_assert_uint_eq(got, 1);
	ck_assert_int_eq(buf[0], 'v');
	ck_assert_int_eq(WsReadEndAttribute(r, NULL), S_OK);
	ck_assert_int_eq(WsFindAttribute(r, &s_c, &s_empty, TRUE, &i, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsFindAttribute(r, &s_c, &s_empty, FALSE, &i, NULL),
	    S_FALSE);
	ck_assert_int_eq(WsFindAttribute(r, NULL, &s_empty, FALSE, &i, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsReadStartAttribute(r, 3, NULL), E_INVALIDARG);
	WsFreeReader(r);
}
END_TEST

START_TEST(values)
{
	WS_XML_READER *r;
	int32_t i = 0;
	int8_t i8 = 0;
	BOOL b = FALSE;
	double d = 0;
	GUID g;
	WS_DATETIME dt;
	uint64_t u = 0;

	r = xml_test_reader("<a> -5 </a>");
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_INT32_VALUE_TYPE, &i, sizeof(i),
	    NULL), S_OK);
	ck_assert_int_eq(i, -5);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	WsFreeReader(r);

	r = xml_test_reader("<a>1<!--c-->2<![CDATA[3]]></a>");
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_INT32_VALUE_TYPE, &i, 2, NULL),
	    E_INVALIDARG);
	ck_assert_int_eq(WsReadValue(r, WS_INT32_VALUE_TYPE, &i, sizeof(i),
	    NULL), S_OK);
	ck_assert_int_eq(i, 123);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	WsFreeReader(r);

	r = xml_test_reader("<a>300</a>");
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_INT8_VALUE_TYPE, &i8, sizeof(i8),
	    NULL), WS_E_NUMERIC_OVERFLOW);
	WsFreeReader(r);

	r = xml_test_reader("<a>x1</a>");
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_INT32_VALUE_TYPE, &i, sizeof(i),
	    NULL), WS_E_INVALID_FORMAT);
	WsFreeReader(r);

#define ONE(text, type, var) do {					\
	r = xml_test_reader("<a>" text "</a>");				\
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);		\
	ck_assert_int_eq(WsReadValue(r, type, &var, sizeof(var), NULL),	\
	    S_OK);							\
	WsFreeReader(r);						\
} while (0)
	ONE("true", WS_BOOL_VALUE_TYPE, b);
	ck_assert_int_eq(b, TRUE);
	ONE("-1.5E3", WS_DOUBLE_VALUE_TYPE, d);
	ck_assert(d == -1500.0);
	ONE("18446744073709551615", WS_UINT64_VALUE_TYPE, u);
	ck_assert(u == UINT64_MAX);
	ONE("01020304-0506-0708-090a-0b0c0d0e0f10", WS_GUID_VALUE_TYPE, g);
	ck_assert_uint_eq(g.Data1, 0x01020304);
	ck_assert_uint_eq(g.Data4[7], 0x10);
	ONE("0001-01-02T00:00:01.5Z", WS_DATETIME_VALUE_TYPE, dt);
	ck_assert(dt.ticks == 864000000000ULL + 15000000ULL);
	ck_assert_int_eq(dt.format, WS_DATETIME_FORMAT_UTC);
#undef ONE
}
END_TEST

START_TEST(partial_text_reads)
{
	WS_XML_READER *r = xml_test_reader("<a>h\xc3\xa9llo</a><b>AQID</b>");
	BYTE buf[8];
	WCHAR w[8];
	ULONG got = 9;

	ck_assert_int_eq(WsReadCharsUtf8(r, buf, 2, &got, NULL), S_OK);
	ck_assert_uint_eq(got, 0);	/* not on text */
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	/* A character is never split. */
	ck_assert_int_eq(WsReadCharsUtf8(r, buf, 2, &got, NULL), S_OK);
	ck_assert_uint_eq(got, 1);
	ck_assert_int_eq(WsReadChars(r, w, 2, &got, NULL), S_OK);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(w[0], 0xe9);
	ck_assert_int_eq(w[1], 'l');
	ck_assert_int_eq(WsReadChars(r, w, 8, &got, NULL), S_OK);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(w[0], 'l');
	ck_assert_int_eq(w[1], 'o');
	ck_assert_int_eq(WsReadChars(r, w, 8, &got, NULL), S_OK);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(WsReadChars(r, w, 8, NULL, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadBytes(r, buf, sizeof(buf), &got, NULL), S_OK);
	ck_assert_uint_eq(got, 3);
	ck_assert_int_eq(buf[0], 1);
	ck_assert_int_eq(buf[2], 3);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	WsFreeReader(r);
}
END_TEST

START_TEST(names_and_scopes)
{
	WS_XML_READER *r = xml_test_reader("<a xml:lang=\"en\" xmlns:p=\"ns\">"
	    "<b>p:c</b><b>q:c</b></a>");
	WS_HEAP *heap;
	WS_XML_STRING prefix, local, ns;
	const WS_XML_STRING *found;
	WCHAR *chars;
	ULONG count;

	ck_assert_int_eq(WsCreateHeap(4096, 0, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetNamespaceFromPrefix(r, &s_p, TRUE, &found,
	    NULL), S_OK);
	ck_assert(xml_test_str_is(found, "ns"));
	ck_assert_int_eq(WsGetNamespaceFromPrefix(r, &s_c, TRUE, &found,
	    NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsGetNamespaceFromPrefix(r, &s_c, FALSE, &found,
	    NULL), S_FALSE);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsGetXmlAttribute(r, &s_lang, heap, &chars, &count,
	    NULL), S_OK);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(chars[0], 'e');
	ck_assert_int_eq(WsReadQualifiedName(r, heap, &prefix, &local, &ns,
	    NULL), S_OK);
	ck_assert(xml_test_str_is(&prefix, "p"));
	ck_assert(xml_test_str_is(&local, "c"));
	ck_assert(xml_test_str_is(&ns, "ns"));
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadQualifiedName(r, heap, &prefix, &local, &ns,
	    NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsReadQualifiedName(r, NULL, &prefix, &local, &ns,
	    NULL), E_INVALIDARG);
	WsFreeReader(r);
	/* Not QNames: a local part that is no NCName (what a fuzzer made
	 * of a Subcode), two colons, and the reserved xmlns prefix. */
	{
		static const char *const bad[] = {
		    "<e xmlns:a=\"urn:a\">a:b=\"c\"&gt;d</e>",
		    "<e xmlns:a=\"urn:a\">a:b:c</e>",
		    "<e>xmlns:a</e>",
		    "<e>1abc</e>",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = xml_test_reader(bad[i]);
			ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
			ck_assert_msg(WsReadQualifiedName(r, heap, &prefix,
			    &local, &ns, NULL) == WS_E_INVALID_FORMAT, "%s",
			    bad[i]);
			WsFreeReader(r);
		}
	}
	WsFreeHeap(heap);
}
END_TEST

/* An '&' in a namespace name (written &amp;) is an '&' of the name, in
 * the element's namespace and in the declaration's value alike (the
 * fuzzer found it kept as the reference "&#38;"). */
START_TEST(ampersand_in_namespace)
{
	WS_XML_READER *r = xml_test_reader("<p:a xmlns:p=\"urn:x&amp;y\" "
	    "p:at=\"v\"><p:b xmlns:q=\"urn:&amp;#38;\"/></p:a>");
	const WS_XML_NODE *node;
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_STRING *found;

	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &node, NULL), S_OK);
	ck_assert_int_eq(node->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	e = (const WS_XML_ELEMENT_NODE *)node;
	ck_assert(xml_test_str_is(e->ns, "urn:x&y"));
	ck_assert_uint_eq(e->attributeCount, 2);
	ck_assert(e->attributes[0]->isXmlNs);
	ck_assert(xml_test_str_is(e->attributes[0]->ns, "urn:x&y"));
	ck_assert(xml_test_str_is(e->attributes[1]->ns, "urn:x&y"));
	ck_assert_int_eq(WsGetNamespaceFromPrefix(r, &s_p, TRUE, &found,
	    NULL), S_OK);
	ck_assert(xml_test_str_is(found, "urn:x&y"));
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &node, NULL), S_OK);
	e = (const WS_XML_ELEMENT_NODE *)node;
	ck_assert(xml_test_str_is(e->attributes[0]->ns, "urn:&#38;"));
	WsFreeReader(r);
}
END_TEST

START_TEST(quotas)
{
	ULONG two = 2, one = 1;
	WS_XML_READER_PROPERTY depth = { WS_XML_READER_PROPERTY_MAX_DEPTH,
	    &two, sizeof(two) };
	WS_XML_READER_PROPERTY attrs = {
	    WS_XML_READER_PROPERTY_MAX_ATTRIBUTES, &one, sizeof(one) };
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	static char deep[] = "<a><b><c/></b></a>", ok[] = "<a><b/></a>",
	    wide[] = "<a x=\"1\" y=\"2\"/>";
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, deep, sizeof(deep) - 1 };
	WS_XML_READER *r;

	ck_assert_int_eq(WsCreateReader(&depth, 1, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	in.encodedData = ok;
	in.encodedDataSize = sizeof(ok) - 1;
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	in.encodedData = wide;
	in.encodedDataSize = sizeof(wide) - 1;
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, &attrs, 1,
	    NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	WsFreeReader(r);
}
END_TEST

START_TEST(utf16_and_binary_input)
{
	static char u16[] = "<\0a\0>\0\xe9\0<\0/\0a\0>\0";
	static BYTE bin[] = { 0x40, 0x01, 'b', 0x99, 0x02, 'h', 'i' };
	/* ShortDictionaryElement with id 1: the dynamic dictionary's
	 * first string. */
	static BYTE dyn[] = { 0x42, 0x01, 0x01 };
	static BYTE junk[] = { 0x40, 0x05, 'b' };
	WS_XML_STRING dstr[1] = { XS("zz") };
	WS_XML_DICTIONARY dict = { { 0 }, dstr, 1, TRUE };
	WS_XML_READER_TEXT_ENCODING text = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BINARY_ENCODING be = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, u16, sizeof(u16) - 1 };
	WS_XML_READER *r;
	WS_XML_DICTIONARY *nbfs = NULL;
	const WS_XML_NODE *n;
	const WS_XML_UTF8_TEXT *t;
	WS_CHARSET cs;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &text.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	t = (const WS_XML_UTF8_TEXT *)((const WS_XML_TEXT_NODE *)node(r))->
	    text;
	ck_assert(xml_test_str_is(&t->value, "\xc3\xa9"));
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_CHARSET, &cs, sizeof(cs), NULL), S_OK);
	/* WS_CHARSET_AUTO gives the charset it found. */
	ck_assert_int_eq(cs, WS_CHARSET_UTF16LE);

	in.encodedData = bin;
	in.encodedDataSize = sizeof(bin);
	ck_assert_int_eq(WsGetDictionary(WS_ENCODING_XML_BINARY_1, &nbfs,
	    NULL), S_OK);
	ck_assert_ptr_nonnull(nbfs);
	ck_assert_uint_eq(nbfs->stringCount, 487);
	be.staticDictionary = nbfs;
	ck_assert_int_eq(WsSetInput(r, &be.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	n = next(r);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "b"));
	n = next(r);
	t = (const WS_XML_UTF8_TEXT *)((const WS_XML_TEXT_NODE *)n)->text;
	ck_assert(xml_test_str_is(&t->value, "hi"));

	be.dynamicDictionary = &dict;
	in.encodedData = dyn;
	in.encodedDataSize = sizeof(dyn);
	ck_assert_int_eq(WsSetInput(r, &be.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	n = next(r);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "zz"));

	in.encodedData = junk;
	in.encodedDataSize = sizeof(junk);
	ck_assert_int_eq(WsSetInput(r, &be.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_INVALID_FORMAT);
	be.staticDictionary = &dict;
	ck_assert_int_eq(WsSetInput(r, &be.encoding, &in.input, NULL, 0,
	    NULL), WS_E_NOT_SUPPORTED);
	WsFreeReader(r);
}
END_TEST

static const char *stream_text = "<a><b>1</b><b>2</b><b>3</b></a>";
static size_t stream_off;

static HRESULT CALLBACK
stream_read(void *state, void *bytes, ULONG max, ULONG *actual,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	size_t left = strlen(stream_text) - stream_off;

	(void)state;
	(void)ctx;
	(void)error;
	/* A few bytes at a time, as a socket would give them. */
	*actual = (ULONG)(left < 5 ? left : 5);
	if (*actual > max)
		*actual = max;
	memcpy(bytes, stream_text + stream_off, *actual);
	stream_off += *actual;
	return S_OK;
}

START_TEST(stream_input_and_arrays)
{
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_READER_STREAM_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_STREAM }, stream_read, NULL };
	WS_XML_READER *r;
	int32_t v[4] = { 0 };
	ULONG got = 0;

	stream_off = 0;
	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsFillReader(r, 10, NULL, NULL), S_OK);
	ck_assert_uint_ge(stream_off, 10);
	/* The reader holds what it was filled with, "<a><b>1</b": the
	 * nodes those bytes complete and no more (check_xml_stream.c and
	 * check_xml_incremental.c have the details). */
	ck_assert_uint_eq(stream_off, 10);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsSkipNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsFillReader(r, 4096, NULL, NULL), S_OK);
	ck_assert_uint_eq(stream_off, strlen(stream_text));
	ck_assert_int_eq(WsReadArray(r, &s_b, &s_empty, WS_INT32_VALUE_TYPE,
	    v, sizeof(v), 1, 3, &got, NULL), S_OK);
	ck_assert_uint_eq(got, 3);
	ck_assert_int_eq(v[0], 0);
	ck_assert_int_eq(v[1], 1);
	ck_assert_int_eq(v[3], 3);
	ck_assert_int_eq(WsReadArray(r, &s_b, &s_empty, WS_INT32_VALUE_TYPE,
	    v, sizeof(v), 0, 5, &got, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	WsFreeReader(r);
}
END_TEST

static Suite *
xml_reader_suite(void)
{
	Suite *s = suite_create("xml_reader");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, create_and_properties);
	tcase_add_test(tc, nodes_in_order);
	tcase_add_test(tc, malformed_input_fails_the_reads);
	tcase_add_test(tc, element_calls);
	tcase_add_test(tc, attributes);
	tcase_add_test(tc, values);
	tcase_add_test(tc, partial_text_reads);
	tcase_add_test(tc, names_and_scopes);
	tcase_add_test(tc, ampersand_in_namespace);
	tcase_add_test(tc, quotas);
	tcase_add_test(tc, utf16_and_binary_input);
	tcase_add_test(tc, stream_input_and_arrays);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_reader_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
