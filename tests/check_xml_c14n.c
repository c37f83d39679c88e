/* Check suite for XML canonicalization: WsStart/EndReaderCanonicalization
 * and WsStart/EndWriterCanonicalization, the four algorithms and the
 * canonicalization properties.  The expected bytes are worked out by hand
 * from C14N 1.0 and Exclusive C14N 1.0: namespace declarations first,
 * sorted by prefix (the default first), then attributes by namespace URI
 * (none first) and local name, double quotes, no empty-element tags. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"
#include "check_xml_common.h"

struct sink {
	char	 buf[1024];
	size_t	 len;
	int	 calls;
	ULONG	 biggest;
};

static HRESULT CALLBACK
sink_write(void *state, const WS_BYTES *bufs, ULONG count,
    const WS_ASYNC_CONTEXT *async, WS_ERROR *error)
{
	struct sink *s = state;
	ULONG i;

	(void)async;
	(void)error;
	for (i = 0; i < count; i++) {
		ck_assert_uint_le(s->len + bufs[i].length, sizeof(s->buf) - 1);
		memcpy(s->buf + s->len, bufs[i].bytes, bufs[i].length);
		s->len += bufs[i].length;
		if (bufs[i].length > s->biggest)
			s->biggest = bufs[i].length;
	}
	s->buf[s->len] = '\0';
	s->calls++;
	return S_OK;
}

static const char doc[] =
    "<a:Root xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns=\"urn:d\">"
    "<a:Child b:x='1'   y=\"2\"><!--c--><c:G xmlns:c=\"urn:c\">t&amp;</c:G>"
    "<Plain/></a:Child><a:Next/></a:Root>";

/* Canonicalizes a:Child of `doc` with the given properties. */
static void
c14n_child(const WS_XML_CANONICALIZATION_PROPERTY *props, ULONG n,
    struct sink *s)
{
	WS_XML_READER *r = xml_test_reader(doc);
	const WS_XML_NODE *node;

	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);	/* a:Root */
	ck_assert_int_eq(WsStartReaderCanonicalization(r, sink_write, s,
	    props, n, NULL), S_OK);
	ck_assert_int_eq(WsSkipNode(r, NULL), S_OK);
	ck_assert_int_eq(WsEndReaderCanonicalization(r, NULL), S_OK);
	/* The reader goes on where it was. */
	ck_assert_int_eq(WsGetReaderNode(r, &node, NULL), S_OK);
	ck_assert_int_eq(node->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)node)->
	    localName, "Next"));
	WsFreeReader(r);
}

START_TEST(reader_exclusive)
{
	struct sink s = { .len = 0 };

	c14n_child(NULL, 0, &s);
	ck_assert_str_eq(s.buf,
	    "<a:Child xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" y=\"2\" b:x=\"1\">"
	    "<c:G xmlns:c=\"urn:c\">t&amp;</c:G>"
	    "<Plain xmlns=\"urn:d\"></Plain></a:Child>");
}
END_TEST

START_TEST(reader_inclusive_with_comments)
{
	WS_XML_CANONICALIZATION_ALGORITHM alg =
	    WS_INCLUSIVE_WITH_COMMENTS_XML_CANONICALIZATION_ALGORITHM;
	WS_XML_CANONICALIZATION_PROPERTY p = {
	    WS_XML_CANONICALIZATION_PROPERTY_ALGORITHM, &alg, sizeof(alg) };
	struct sink s = { .len = 0 };

	c14n_child(&p, 1, &s);
	ck_assert_str_eq(s.buf,
	    "<a:Child xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" "
	    "y=\"2\" b:x=\"1\"><!--c--><c:G xmlns:c=\"urn:c\">t&amp;</c:G>"
	    "<Plain></Plain></a:Child>");
}
END_TEST

START_TEST(reader_inclusive_and_exclusive_comments)
{
	WS_XML_CANONICALIZATION_ALGORITHM alg =
	    WS_INCLUSIVE_XML_CANONICALIZATION_ALGORITHM;
	WS_XML_CANONICALIZATION_PROPERTY p = {
	    WS_XML_CANONICALIZATION_PROPERTY_ALGORITHM, &alg, sizeof(alg) };
	struct sink s = { .len = 0 }, t = { .len = 0 };

	c14n_child(&p, 1, &s);
	ck_assert_ptr_null(strstr(s.buf, "<!--c-->"));
	ck_assert_ptr_nonnull(strstr(s.buf, "xmlns=\"urn:d\""));
	alg = WS_EXCLUSIVE_WITH_COMMENTS_XML_CANONICALIZATION_ALGORITHM;
	c14n_child(&p, 1, &t);
	ck_assert_str_eq(t.buf,
	    "<a:Child xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" y=\"2\" b:x=\"1\">"
	    "<!--c--><c:G xmlns:c=\"urn:c\">t&amp;</c:G>"
	    "<Plain xmlns=\"urn:d\"></Plain></a:Child>");
}
END_TEST

START_TEST(reader_inclusive_prefixes_omitted_element_buffer_size)
{
	WS_XML_STRING def = XS("");
	WS_XML_CANONICALIZATION_INCLUSIVE_PREFIXES ip = { 1, &def };
	WS_XML_QNAME omit = { XS("G"), XS("urn:c") };
	ULONG size = 8;
	WS_XML_CANONICALIZATION_PROPERTY p[] = {
	    { WS_XML_CANONICALIZATION_PROPERTY_INCLUSIVE_PREFIXES, &ip,
	      sizeof(ip) },
	    { WS_XML_CANONICALIZATION_PROPERTY_OMITTED_ELEMENT, &omit,
	      sizeof(omit) },
	    { WS_XML_CANONICALIZATION_PROPERTY_OUTPUT_BUFFER_SIZE, &size,
	      sizeof(size) } };
	struct sink s = { .len = 0 };

	c14n_child(p, 3, &s);
	/* The default namespace is inclusive: declared at the apex. */
	ck_assert_str_eq(s.buf,
	    "<a:Child xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" "
	    "y=\"2\" b:x=\"1\"><Plain></Plain></a:Child>");
	ck_assert_uint_le(s.biggest, 8);
	ck_assert_int_gt(s.calls, 1);
}
END_TEST

START_TEST(writer_exclusive)
{
	static const WS_XML_STRING p = XS("p"), e = XS("E"), f = XS("F"),
	    ns = XS("urn:p");
	WS_XML_UTF8_TEXT hi = { { WS_XML_TEXT_TYPE_UTF8 }, XS("h<i") };
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	struct sink s = { .len = 0 };

	ck_assert_int_eq(WsWriteStartElement(w, &p, &e, &ns, NULL), S_OK);
	ck_assert_int_eq(WsStartWriterCanonicalization(w, sink_write, &s,
	    NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsStartWriterCanonicalization(w, sink_write, &s,
	    NULL, 0, NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteStartElement(w, &p, &f, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &hi.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, &p, &f, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsEndWriterCanonicalization(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_str_eq(s.buf,
	    "<p:F xmlns:p=\"urn:p\">h&lt;i</p:F><p:F xmlns:p=\"urn:p\"></p:F>");
	/* The writer's own output is untouched. */
	out_is(w, "<p:E xmlns:p=\"urn:p\"><p:F>h&lt;i</p:F><p:F/></p:E>");
	WsFreeWriter(w);
}
END_TEST

/* Each call of the write callback, kept apart. */
struct calls {
	char	 part[8][256];
	int	 n;
};

static HRESULT CALLBACK
calls_write(void *state, const WS_BYTES *bufs, ULONG count,
    const WS_ASYNC_CONTEXT *async, WS_ERROR *error)
{
	struct calls *c = state;
	size_t len = 0;
	ULONG i;

	(void)async;
	(void)error;
	ck_assert_int_lt(c->n, 8);
	for (i = 0; i < count; i++) {
		ck_assert_uint_lt(len + bufs[i].length, sizeof(c->part[0]));
		memcpy(c->part[c->n] + len, bufs[i].bytes, bufs[i].length);
		len += bufs[i].length;
	}
	c->part[c->n++][len] = '\0';
	return S_OK;
}

START_TEST(writer_gives_bytes_as_elements_end)
{
	static const WS_XML_STRING p = XS("p"), e = XS("E"), f = XS("F"),
	    g = XS("G"), h = XS("H"), a = XS("a"), b = XS("b"),
	    ns = XS("urn:p"), none = XS("");
	WS_XML_UTF8_TEXT x = { { WS_XML_TEXT_TYPE_UTF8 }, XS("x") };
	WS_XML_UTF8_TEXT one = { { WS_XML_TEXT_TYPE_UTF8 }, XS("1") };
	WS_XML_UTF8_TEXT two = { { WS_XML_TEXT_TYPE_UTF8 }, XS("2") };
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	struct calls c = { .n = 0 };

	ck_assert_int_eq(WsStartWriterCanonicalization(w, calls_write, &c,
	    NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, &p, &e, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &a, &none, FALSE,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &one.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, &p, &f, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &x.text, NULL), S_OK);
	ck_assert_int_eq(c.n, 0);
	/* The end of p:F makes everything so far final. */
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(c.n, 1);
	ck_assert_str_eq(c.part[0],
	    "<p:E xmlns:p=\"urn:p\" a=\"1\"><p:F>x</p:F>");
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &g, &none, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &b, &none, FALSE,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &two.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &h, &none, NULL), S_OK);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.part[1], "<G b=\"2\"><H></H>");
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(c.n, 3);
	ck_assert_str_eq(c.part[2], "</G>");
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(c.n, 4);
	ck_assert_str_eq(c.part[3], "</p:E>");
	/* Everything was given: the end adds nothing. */
	ck_assert_int_eq(WsEndWriterCanonicalization(w, NULL), S_OK);
	ck_assert_int_eq(c.n, 4);
	WsFreeWriter(w);
}
END_TEST

START_TEST(misuse)
{
	WS_XML_CANONICALIZATION_ALGORITHM alg =
	    (WS_XML_CANONICALIZATION_ALGORITHM)7;
	WS_XML_CANONICALIZATION_PROPERTY p = {
	    WS_XML_CANONICALIZATION_PROPERTY_ALGORITHM, &alg, sizeof(alg) };
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	WS_XML_READER *r = xml_test_reader(doc);
	struct sink s = { .len = 0 };

	ck_assert_int_eq(WsEndWriterCanonicalization(w, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsEndReaderCanonicalization(r, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsStartWriterCanonicalization(w, NULL, NULL, NULL,
	    0, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsStartReaderCanonicalization(r, sink_write, &s, &p,
	    1, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsEndWriterCanonicalization(NULL, NULL),
	    E_INVALIDARG);
	/* Ending deeper than the start is a depth error. */
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsStartReaderCanonicalization(r, sink_write, &s,
	    NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsEndReaderCanonicalization(r, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_uint_eq(s.len, 0);
	WsFreeReader(r);
	WsFreeWriter(w);
}
END_TEST

START_TEST(free_while_canonicalizing)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	WS_XML_READER *r = xml_test_reader(doc);
	struct sink s = { .len = 0 };

	ck_assert_int_eq(WsStartWriterCanonicalization(w, sink_write, &s,
	    NULL, 0, NULL), S_OK);
	ck_assert_int_eq(WsStartReaderCanonicalization(r, sink_write, &s,
	    NULL, 0, NULL), S_OK);
	WsFreeWriter(w);
	WsFreeReader(r);
	ck_assert_int_eq(s.calls, 0);
}
END_TEST

static Suite *
xml_c14n_suite(void)
{
	Suite *s = suite_create("xml_c14n");
	TCase *tc = tcase_create("c14n");

	tcase_add_test(tc, reader_exclusive);
	tcase_add_test(tc, reader_inclusive_with_comments);
	tcase_add_test(tc, reader_inclusive_and_exclusive_comments);
	tcase_add_test(tc, reader_inclusive_prefixes_omitted_element_buffer_size);
	tcase_add_test(tc, writer_exclusive);
	tcase_add_test(tc, writer_gives_bytes_as_elements_end);
	tcase_add_test(tc, misuse);
	tcase_add_test(tc, free_while_canonicalizing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_c14n_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
