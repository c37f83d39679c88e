/* Check suite for WS_XML_READER_PROPERTY_ROW and _COLUMN: the 0-based
 * row and column (as the WS_XML_READER_PROPERTY_ID reference page says)
 * where the node the reader is on begins, in a text document. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"
#include "check_xml_common.h"

/* Lines end in CR LF, LF and CR; a tab and a two-byte character count
 * one column each. */
static const char doc[] =
    "<?xml version=\"1.0\"?>\r\n"
    "<root>\n"
    "  <a x='1'>text</a>\n"
    "\t<b/><!--c-->\r"
    "  <c>\xc3\xa9\xc3\xa9<d/></c>\n"
    "</root>";

static const struct where {
	WS_XML_NODE_TYPE	 type;
	ULONGLONG		 row, col;
} where[] = {
	{ WS_XML_NODE_TYPE_BOF, 0, 0 },
	{ WS_XML_NODE_TYPE_TEXT, 0, 21 },	/* the line end */
	{ WS_XML_NODE_TYPE_ELEMENT, 1, 0 },	/* root */
	{ WS_XML_NODE_TYPE_TEXT, 1, 6 },
	{ WS_XML_NODE_TYPE_ELEMENT, 2, 2 },	/* a */
	{ WS_XML_NODE_TYPE_TEXT, 2, 11 },
	{ WS_XML_NODE_TYPE_END_ELEMENT, 2, 15 },
	{ WS_XML_NODE_TYPE_TEXT, 2, 19 },
	{ WS_XML_NODE_TYPE_ELEMENT, 3, 1 },	/* b: one tag, */
	{ WS_XML_NODE_TYPE_END_ELEMENT, 3, 1 },	/* start and end */
	{ WS_XML_NODE_TYPE_COMMENT, 3, 5 },
	{ WS_XML_NODE_TYPE_TEXT, 3, 13 },
	{ WS_XML_NODE_TYPE_ELEMENT, 4, 2 },	/* c */
	{ WS_XML_NODE_TYPE_TEXT, 4, 5 },
	{ WS_XML_NODE_TYPE_ELEMENT, 4, 7 },	/* d */
	{ WS_XML_NODE_TYPE_END_ELEMENT, 4, 7 },
	{ WS_XML_NODE_TYPE_END_ELEMENT, 4, 11 },
	{ WS_XML_NODE_TYPE_TEXT, 4, 15 },
	{ WS_XML_NODE_TYPE_END_ELEMENT, 5, 0 },
	{ WS_XML_NODE_TYPE_EOF, 5, 7 },
};

static void
rowcol(WS_XML_READER *r, ULONGLONG *row, ULONGLONG *col)
{
	ck_assert_int_eq(WsGetReaderProperty(r, WS_XML_READER_PROPERTY_ROW,
	    row, sizeof(*row), NULL), S_OK);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_COLUMN, col, sizeof(*col), NULL), S_OK);
}

static void
walk(WS_XML_READER *r)
{
	const WS_XML_NODE *n;
	ULONGLONG row, col;
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		if (i > 0)
			ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
		ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
		rowcol(r, &row, &col);
		ck_assert_msg(n->nodeType == where[i].type &&
		    row == where[i].row && col == where[i].col,
		    "node %zu: type %d at %llu:%llu, expected %d at %llu:%llu",
		    i, (int)n->nodeType, (unsigned long long)row,
		    (unsigned long long)col, (int)where[i].type,
		    (unsigned long long)where[i].row,
		    (unsigned long long)where[i].col);
	}
}

START_TEST(multi_line_text)
{
	WS_XML_READER *r = xml_test_reader(doc);

	walk(r);
	WsFreeReader(r);
}
END_TEST

START_TEST(utf16_counts_characters)
{
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BUFFER_INPUT in = { { WS_XML_READER_INPUT_TYPE_BUFFER },
	    NULL, 0 };
	uint8_t u16[512];
	size_t n = 0, i;
	WS_XML_READER *r;

	/* The same document as UTF-16LE: the same rows and columns. */
	for (i = 0; i < sizeof(doc) - 1; i++) {
		uint32_t c = (uint8_t)doc[i];

		if (c >= 0xc0) {
			c = (c & 0x1f) << 6 | (doc[i + 1] & 0x3f);
			i++;
		}
		u16[n++] = (uint8_t)c;
		u16[n++] = (uint8_t)(c >> 8);
	}
	in.encodedData = u16;
	in.encodedDataSize = (ULONG)n;
	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	walk(r);
	WsFreeReader(r);
}
END_TEST

START_TEST(attribute_is_at_its_element)
{
	WS_XML_READER *r = xml_test_reader("<r>\n  <e a='1'\n     b='2'/></r>");
	ULONGLONG row, col;

	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	rowcol(r, &row, &col);
	ck_assert_uint_eq(row, 1);
	ck_assert_uint_eq(col, 2);
	ck_assert_int_eq(WsReadStartAttribute(r, 1, NULL), S_OK);
	rowcol(r, &row, &col);
	ck_assert_uint_eq(row, 1);
	ck_assert_uint_eq(col, 2);
	WsFreeReader(r);
}
END_TEST

/* A stream read in small fills keeps the places of the whole document. */
struct trickle {
	const char	*p;
	size_t		 len, off;
};

static HRESULT CALLBACK
trickle_read(void *state, void *bytes, ULONG max, ULONG *actual,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct trickle *t = state;
	size_t n = t->len - t->off;

	(void)ctx;
	(void)error;
	if (n > 3)
		n = 3;
	if (n > max)
		n = max;
	memcpy(bytes, t->p + t->off, n);
	t->off += n;
	*actual = (ULONG)n;
	return S_OK;
}

START_TEST(stream_keeps_rows)
{
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	struct trickle t = { doc, sizeof(doc) - 1, 0 };
	WS_XML_READER_STREAM_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_STREAM }, trickle_read, &t };
	WS_XML_READER *r;
	const WS_XML_NODE *n;
	ULONGLONG row, col;
	ULONG want = 3;
	size_t i = 0;
	int guard = 0;
	HRESULT hr;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	while (i < sizeof(where) / sizeof(where[0]) && guard++ < 1000) {
		if (i > 0 && (hr = WsReadNode(r, NULL)) != S_OK) {
			ck_assert_int_eq(hr, WS_E_QUOTA_EXCEEDED);
			want += 3;
			ck_assert_int_eq(WsFillReader(r, want, NULL, NULL),
			    S_OK);
			continue;
		}
		want = 3;
		ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
		rowcol(r, &row, &col);
		ck_assert_int_eq(n->nodeType, where[i].type);
		ck_assert_uint_eq(row, where[i].row);
		ck_assert_uint_eq(col, where[i].col);
		i++;
	}
	ck_assert_uint_eq(i, sizeof(where) / sizeof(where[0]));
	WsFreeReader(r);
}
END_TEST

START_TEST(only_text_and_read_only)
{
	static const uint8_t bin[] = { 0x40, 0x01, 'v', 0x01 };
	WS_XML_READER_BINARY_ENCODING be = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)bin, sizeof(bin) };
	ULONGLONG v = 1;
	ULONG small;
	WS_XML_READER_PROPERTY p = { WS_XML_READER_PROPERTY_ROW, &v,
	    sizeof(v) };
	WS_XML_READER *r;

	/* Read-only: not a property to create a reader with. */
	ck_assert_int_eq(WsCreateReader(&p, 1, &r, NULL), E_INVALIDARG);
	r = xml_test_reader("<a/>");
	ck_assert_int_eq(WsGetReaderProperty(r, WS_XML_READER_PROPERTY_ROW,
	    &small, sizeof(small), NULL), E_INVALIDARG);
	/* Binary documents have no rows. */
	ck_assert_int_eq(WsSetInput(r, &be.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsGetReaderProperty(r,
	    WS_XML_READER_PROPERTY_COLUMN, &v, sizeof(v), NULL),
	    E_INVALIDARG);
	WsFreeReader(r);
}
END_TEST

static Suite *
xml_rowcol_suite(void)
{
	Suite *s = suite_create("xml_rowcol");
	TCase *tc = tcase_create("rowcol");

	tcase_add_test(tc, multi_line_text);
	tcase_add_test(tc, utf16_counts_characters);
	tcase_add_test(tc, attribute_is_at_its_element);
	tcase_add_test(tc, stream_keeps_rows);
	tcase_add_test(tc, only_text_and_read_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_rowcol_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
