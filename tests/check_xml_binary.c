/* Check suite for typed binary XML: the MC-NBFX text records a binary
 * writer writes for typed texts, the WS_XML_TEXT types a binary reader
 * returns for them, and the binary writer's dynamic string callback.
 * Expected bytes are worked out by hand from MC-NBFX 2.2.3. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"
#include "check_xml_common.h"

static WS_XML_WRITER *
bin_writer(WS_DYNAMIC_STRING_CALLBACK cb, void *state)
{
	WS_XML_WRITER_BINARY_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, cb, state };
	WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w = NULL;

	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	return w;
}

static WS_XML_READER *
bin_reader(const void *bytes, ULONG n, WS_XML_DICTIONARY *dynamic)
{
	WS_XML_READER_BINARY_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, dynamic };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)bytes, n };
	WS_XML_READER *r = NULL;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	return r;
}

/* The writer's bytes equal exp[0..n). */
static void
bytes_are(WS_XML_WRITER *w, const uint8_t *exp, size_t n)
{
	WS_BYTES b;
	size_t i;

	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	for (i = 0; i < b.length && i < n; i++)
		ck_assert_msg(b.bytes[i] == exp[i],
		    "byte %zu is %02x, expected %02x", i, b.bytes[i], exp[i]);
	ck_assert_uint_eq(b.length, n);
}

/* <a>value</a> written with WsWriteValue, as bytes. */
static void
value_is(WS_VALUE_TYPE type, const void *v, ULONG size, const uint8_t *rec,
    size_t n)
{
	static const WS_XML_STRING a = XS("v"), ns = XS("");
	uint8_t exp[64] = { 0x40, 0x01, 'v' };
	WS_XML_WRITER *w = bin_writer(NULL, NULL);

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, type, v, size, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	memcpy(exp + 3, rec, n);
	bytes_are(w, exp, 3 + n);
	WsFreeWriter(w);
}

START_TEST(writer_integers_take_the_shortest_record)
{
	int32_t i32;
	int64_t i64;
	uint64_t u64;
	BOOL b;

	i32 = 0;
	value_is(WS_INT32_VALUE_TYPE, &i32, sizeof(i32),
	    (const uint8_t []){ 0x81 }, 1);		/* ZeroText + end */
	i32 = 1;
	value_is(WS_INT32_VALUE_TYPE, &i32, sizeof(i32),
	    (const uint8_t []){ 0x83 }, 1);		/* OneText */
	i32 = -34;
	value_is(WS_INT32_VALUE_TYPE, &i32, sizeof(i32),
	    (const uint8_t []){ 0x89, 0xde }, 2);	/* Int8Text */
	i32 = -32768;
	value_is(WS_INT32_VALUE_TYPE, &i32, sizeof(i32),
	    (const uint8_t []){ 0x8b, 0x00, 0x80 }, 3);	/* Int16Text */
	i32 = INT32_MAX;
	value_is(WS_INT32_VALUE_TYPE, &i32, sizeof(i32),
	    (const uint8_t []){ 0x8d, 0xff, 0xff, 0xff, 0x7f }, 5);
	i64 = 2147483648LL;
	value_is(WS_INT64_VALUE_TYPE, &i64, sizeof(i64),
	    (const uint8_t []){ 0x8f, 0, 0, 0, 0x80, 0, 0, 0, 0 }, 9);
	u64 = UINT64_MAX;
	value_is(WS_UINT64_VALUE_TYPE, &u64, sizeof(u64),
	    (const uint8_t []){ 0xb3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff }, 9);
	u64 = 200;
	value_is(WS_UINT64_VALUE_TYPE, &u64, sizeof(u64),
	    (const uint8_t []){ 0x8b, 0xc8, 0x00 }, 3);
	b = TRUE;
	value_is(WS_BOOL_VALUE_TYPE, &b, sizeof(b),
	    (const uint8_t []){ 0x87 }, 1);		/* TrueText */
	b = FALSE;
	value_is(WS_BOOL_VALUE_TYPE, &b, sizeof(b),
	    (const uint8_t []){ 0x85 }, 1);		/* FalseText */
}
END_TEST

START_TEST(writer_reals_decimal_time_guid)
{
	double d;
	float f;
	DECIMAL dec;
	WS_DATETIME dt;
	WS_TIMESPAN ts;
	GUID g = { 0x03020100, 0x0504, 0x0706,
	    { 8, 9, 10, 11, 12, 13, 14, 15 } };

	d = 0.1;
	value_is(WS_DOUBLE_VALUE_TYPE, &d, sizeof(d),
	    (const uint8_t []){ 0x93, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99,
	    0xb9, 0x3f }, 9);
	d = 2.5;	/* exact as a float: FloatText, as .NET writes it */
	value_is(WS_DOUBLE_VALUE_TYPE, &d, sizeof(d),
	    (const uint8_t []){ 0x91, 0x00, 0x00, 0x20, 0x40 }, 5);
	d = 3.0;	/* whole: an integer record */
	value_is(WS_DOUBLE_VALUE_TYPE, &d, sizeof(d),
	    (const uint8_t []){ 0x89, 0x03 }, 2);
	f = 1.1f;
	value_is(WS_FLOAT_VALUE_TYPE, &f, sizeof(f),
	    (const uint8_t []){ 0x91, 0xcd, 0xcc, 0x8c, 0x3f }, 5);
	memset(&dec, 0, sizeof(dec));
	dec.scale = 3;
	dec.Lo64 = 5123;	/* 5.123 */
	value_is(WS_DECIMAL_VALUE_TYPE, &dec, sizeof(dec),
	    (const uint8_t []){ 0x95, 0, 0, 3, 0, 0, 0, 0, 0, 0x03, 0x14, 0,
	    0, 0, 0, 0, 0 }, 17);
	dt.ticks = 0x2bca2875f4373fffULL;	/* 9999-12-31T23:59:59.9999999 */
	dt.format = WS_DATETIME_FORMAT_NONE;
	value_is(WS_DATETIME_VALUE_TYPE, &dt, sizeof(dt),
	    (const uint8_t []){ 0x97, 0xff, 0x3f, 0x37, 0xf4, 0x75, 0x28,
	    0xca, 0x2b }, 9);
	dt.ticks = 0;
	dt.format = WS_DATETIME_FORMAT_UTC;	/* kind 1 in the top bits */
	value_is(WS_DATETIME_VALUE_TYPE, &dt, sizeof(dt),
	    (const uint8_t []){ 0x97, 0, 0, 0, 0, 0, 0, 0, 0x40 }, 9);
	ts.ticks = -1;
	value_is(WS_TIMESPAN_VALUE_TYPE, &ts, sizeof(ts),
	    (const uint8_t []){ 0xaf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff }, 9);
	value_is(WS_GUID_VALUE_TYPE, &g, sizeof(g),
	    (const uint8_t []){ 0xb1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15 }, 17);
}
END_TEST

START_TEST(writer_bytes_attributes_texts)
{
	static const WS_XML_STRING a = XS("v"), b = XS("b"), ns = XS("");
	static const uint8_t exp[] = {
	    0x40, 0x01, 'v',
	    0x04, 0x01, 'b', 0x88, 0x05,		/* b="5" as Int8Text */
	    0x9e, 0x03, 0x00, 0x01, 0x02,		/* Bytes8Text */
	    0x98, 0x02, 'h', 'i',			/* Chars8Text */
	    0xad, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const BYTE raw[] = { 0, 1, 2 };
	WS_XML_UNIQUE_ID_TEXT u = { { WS_XML_TEXT_TYPE_UNIQUE_ID },
	    { 0x03020100, 0x0504, 0x0706, { 8, 9, 10, 11, 12, 13, 14, 15 } } };
	WS_XML_UTF8_TEXT hi = { { WS_XML_TEXT_TYPE_UTF8 }, XS("hi") };
	WS_XML_WRITER *w = bin_writer(NULL, NULL);
	int32_t five = 5;

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &b, &ns, FALSE,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_INT32_VALUE_TYPE, &five,
	    sizeof(five), NULL), S_OK);
	ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteBytes(w, raw, sizeof(raw), NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &hi.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &u.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	bytes_are(w, exp, sizeof(exp));
	WsFreeWriter(w);
}
END_TEST

START_TEST(writer_list_and_qname)
{
	static const WS_XML_STRING a = XS("v"), ns = XS(""), p = XS("s"),
	    uri = XS("urn:x"), mu = XS("mustUnderstand"), other = XS("zz");
	static const uint8_t exp[] = {
	    0x40, 0x01, 'v', 0x09, 0x01, 's', 0x05, 'u', 'r', 'n', ':', 'x',
	    0xa4, 0x88, 0x05, 0x86, 0x98, 0x01, 'x', 0xa6, 0x01,
	    0x40, 0x01, 'v', 0x09, 0x01, 's', 0x05, 'u', 'r', 'n', ':', 'x',
	    0xbd, 0x12, 0x00,		/* QNameDictionaryText s:id 0 */
	    0x40, 0x01, 'v', 0x09, 0x01, 's', 0x05, 'u', 'r', 'n', ':', 'x',
	    0x99, 0x04, 's', ':', 'z', 'z' };
	WS_XML_INT32_TEXT i5 = { { WS_XML_TEXT_TYPE_INT32 }, 5 };
	WS_XML_BOOL_TEXT bt = { { WS_XML_TEXT_TYPE_BOOL }, TRUE };
	WS_XML_UTF8_TEXT x = { { WS_XML_TEXT_TYPE_UTF8 }, XS("x") };
	WS_XML_TEXT *items[] = { &i5.text, &bt.text, &x.text };
	WS_XML_LIST_TEXT l = { { WS_XML_TEXT_TYPE_LIST }, 3, items };
	WS_XML_QNAME_TEXT q = { { WS_XML_TEXT_TYPE_QNAME }, (WS_XML_STRING *)&p,
	    (WS_XML_STRING *)&mu, (WS_XML_STRING *)&uri };
	WS_XML_WRITER *w = bin_writer(NULL, NULL);

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &p, &uri, FALSE, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteText(w, &l.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &p, &uri, FALSE, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteText(w, &q.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	/* Not in the dictionary: characters. */
	q.localName = (WS_XML_STRING *)&other;
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteXmlnsAttribute(w, &p, &uri, FALSE, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteText(w, &q.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	bytes_are(w, exp, sizeof(exp));
	WsFreeWriter(w);
}
END_TEST

/* The text of the node after <a>'s start, read from binary bytes. */
static const WS_XML_TEXT *
read_text(WS_XML_READER *r)
{
	const WS_XML_NODE *n;

	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_TEXT);
	return ((const WS_XML_TEXT_NODE *)n)->text;
}

START_TEST(reader_returns_typed_texts)
{
	static const uint8_t i8[] = { 0x40, 0x01, 'v', 0x89, 0xde };
	static const uint8_t zero[] = { 0x40, 0x01, 'v', 0x81 };
	static const uint8_t i64[] = { 0x40, 0x01, 'v', 0x8f, 0, 0, 0, 0x80,
	    0, 0, 0, 0 };
	static const uint8_t u64[] = { 0x40, 0x01, 'v', 0xb3, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t bt[] = { 0x40, 0x01, 'v', 0xb5, 0x01 };
	static const uint8_t fl[] = { 0x40, 0x01, 'v', 0x91, 0xcd, 0xcc,
	    0x8c, 0x3f };
	static const uint8_t db[] = { 0x40, 0x01, 'v', 0x93, 0x9a, 0x99,
	    0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f };
	static const uint8_t dt[] = { 0x40, 0x01, 'v', 0x97, 0xff, 0x3f,
	    0x37, 0xf4, 0x75, 0x28, 0xca, 0x6b };
	static const uint8_t by[] = { 0x40, 0x01, 'v', 0x9f, 0x03, 0x07,
	    0x08, 0x09 };
	static const uint8_t ch[] = { 0x40, 0x01, 'v', 0x99, 0x02, 'h', 'i' };
	static const uint8_t uu[] = { 0x40, 0x01, 'v', 0xb1, 0, 1, 2, 3, 4, 5,
	    6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	const WS_XML_TEXT *t;
	WS_XML_READER *r;

	r = bin_reader(i8, sizeof(i8), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_INT32);
	ck_assert_int_eq(((const WS_XML_INT32_TEXT *)t)->value, -34);
	WsFreeReader(r);
	r = bin_reader(zero, sizeof(zero), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_INT32);
	ck_assert_int_eq(((const WS_XML_INT32_TEXT *)t)->value, 0);
	WsFreeReader(r);
	r = bin_reader(i64, sizeof(i64), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_INT64);
	ck_assert(((const WS_XML_INT64_TEXT *)t)->value == 2147483648LL);
	WsFreeReader(r);
	r = bin_reader(u64, sizeof(u64), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_UINT64);
	ck_assert(((const WS_XML_UINT64_TEXT *)t)->value == UINT64_MAX);
	WsFreeReader(r);
	r = bin_reader(bt, sizeof(bt), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_BOOL);
	ck_assert_int_eq(((const WS_XML_BOOL_TEXT *)t)->value, TRUE);
	WsFreeReader(r);
	r = bin_reader(fl, sizeof(fl), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_FLOAT);
	ck_assert(((const WS_XML_FLOAT_TEXT *)t)->value == 1.1f);
	WsFreeReader(r);
	r = bin_reader(db, sizeof(db), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_DOUBLE);
	ck_assert(((const WS_XML_DOUBLE_TEXT *)t)->value == 0.1);
	WsFreeReader(r);
	r = bin_reader(dt, sizeof(dt), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_DATETIME);
	ck_assert(((const WS_XML_DATETIME_TEXT *)t)->value.ticks ==
	    0x2bca2875f4373fffULL);
	ck_assert_int_eq(((const WS_XML_DATETIME_TEXT *)t)->value.format,
	    WS_DATETIME_FORMAT_UTC);
	WsFreeReader(r);
	r = bin_reader(by, sizeof(by), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_BASE64);
	ck_assert_uint_eq(((const WS_XML_BASE64_TEXT *)t)->length, 3);
	ck_assert_int_eq(((const WS_XML_BASE64_TEXT *)t)->bytes[2], 9);
	WsFreeReader(r);
	r = bin_reader(ch, sizeof(ch), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_UTF8);
	ck_assert(xml_test_str_is(&((const WS_XML_UTF8_TEXT *)t)->value,
	    "hi"));
	WsFreeReader(r);
	r = bin_reader(uu, sizeof(uu), NULL);
	t = read_text(r);
	ck_assert_int_eq(t->textType, WS_XML_TEXT_TYPE_GUID);
	ck_assert_uint_eq(((const WS_XML_GUID_TEXT *)t)->value.Data1,
	    0x03020100);
	ck_assert_uint_eq(((const WS_XML_GUID_TEXT *)t)->value.Data4[7], 15);
	WsFreeReader(r);
}
END_TEST

START_TEST(reader_typed_attribute_list_qname)
{
	static const uint8_t attr[] = { 0x40, 0x01, 'v', 0x04, 0x01, 'b',
	    0x8a, 0x00, 0x01, 0x01 };		/* b = Int16Text 256 */
	static const uint8_t list[] = { 0x40, 0x01, 'v', 0xa4, 0x88, 0x05,
	    0x86, 0x98, 0x01, 'x', 0xa6, 0x01 };
	static const uint8_t qn[] = { 0x40, 0x01, 'v', 0x09, 0x01, 's', 0x05,
	    'u', 'r', 'n', ':', 'x', 0xbd, 0x12, 0x00 };
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_LIST_TEXT *l;
	const WS_XML_QNAME_TEXT *q;
	const WS_XML_NODE *n;
	WS_XML_READER *r;

	r = bin_reader(attr, sizeof(attr), NULL);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	e = (const WS_XML_ELEMENT_NODE *)n;
	ck_assert_uint_eq(e->attributeCount, 1);
	ck_assert_int_eq(e->attributes[0]->value->textType,
	    WS_XML_TEXT_TYPE_INT32);
	ck_assert_int_eq(((const WS_XML_INT32_TEXT *)
	    e->attributes[0]->value)->value, 256);
	WsFreeReader(r);

	r = bin_reader(list, sizeof(list), NULL);
	l = (const WS_XML_LIST_TEXT *)read_text(r);
	ck_assert_int_eq(l->text.textType, WS_XML_TEXT_TYPE_LIST);
	ck_assert_uint_eq(l->itemCount, 3);
	ck_assert_int_eq(l->items[0]->textType, WS_XML_TEXT_TYPE_INT32);
	ck_assert_int_eq(l->items[1]->textType, WS_XML_TEXT_TYPE_BOOL);
	ck_assert_int_eq(l->items[2]->textType, WS_XML_TEXT_TYPE_UTF8);
	WsFreeReader(r);

	r = bin_reader(qn, sizeof(qn), NULL);
	q = (const WS_XML_QNAME_TEXT *)read_text(r);
	ck_assert_int_eq(q->text.textType, WS_XML_TEXT_TYPE_QNAME);
	ck_assert(xml_test_str_is(q->prefix, "s"));
	ck_assert(xml_test_str_is(q->localName, "mustUnderstand"));
	ck_assert(xml_test_str_is(q->ns, "urn:x"));
	WsFreeReader(r);
}
END_TEST

/* Writes every value type, reads it back with WsReadValue. */
START_TEST(round_trip_values)
{
	static const WS_XML_STRING a = XS("v"), ns = XS("");
	WS_XML_WRITER *w = bin_writer(NULL, NULL);
	WS_XML_READER *r;
	WS_BYTES b;
	int32_t i = -70000, i2 = 0;
	double d = -1.5e300, d2 = 0;
	uint64_t u = 12345678901234ULL, u2 = 0;
	BYTE *copy;

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_INT32_VALUE_TYPE, &i, sizeof(i),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_DOUBLE_VALUE_TYPE, &d, sizeof(d),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &a, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteValue(w, WS_UINT64_VALUE_TYPE, &u, sizeof(u),
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	copy = malloc(b.length);
	memcpy(copy, b.bytes, b.length);
	r = bin_reader(copy, b.length, NULL);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_INT32_VALUE_TYPE, &i2, sizeof(i2),
	    NULL), S_OK);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_DOUBLE_VALUE_TYPE, &d2,
	    sizeof(d2), NULL), S_OK);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsReadValue(r, WS_UINT64_VALUE_TYPE, &u2,
	    sizeof(u2), NULL), S_OK);
	ck_assert_int_eq(i2, i);
	ck_assert(d2 == d);
	ck_assert(u2 == u);
	WsFreeReader(r);
	WsFreeWriter(w);
	free(copy);
}
END_TEST

struct dyn_state {
	int	 calls;
	bool	 fail;
};

static HRESULT CALLBACK
dyn_cb(void *state, const WS_XML_STRING *s, BOOL *found, ULONG *id,
    WS_ERROR *error)
{
	struct dyn_state *st = state;

	(void)error;
	st->calls++;
	if (st->fail)
		return E_ACCESSDENIED;
	*found = xml_test_str_is(s, "Hello") || xml_test_str_is(s, "urn:d");
	*id = xml_test_str_is(s, "Hello") ? 3 : 0;
	return S_OK;
}

START_TEST(dynamic_string_callback)
{
	static const WS_XML_STRING hello = XS("Hello"), env = XS("Envelope"),
	    other = XS("Other"), ns = XS(""), urn = XS("urn:d"), p = XS("p");
	struct dyn_state st = { 0, false };
	WS_XML_WRITER *w = bin_writer(dyn_cb, &st);
	WS_BYTES b;

	ck_assert_int_eq(WsWriteStartElement(w, NULL, &hello, &ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &env, &ns, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &other, &ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, &p, &hello, &urn, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	{
		static const uint8_t want[] = {
		    0x42, 0x07,			/* <Hello> by dynamic id 3 */
		    0x42, 0x02,			/* <Envelope>, static id 2 */
		    0x40, 0x05, 'O', 't', 'h', 'e', 'r', 0x01, 0x01,
		    0x53, 0x07,			/* <p:Hello>: 0x44 + 'p'-'a' */
		    0x0b, 0x01, 'p', 0x01,	/* xmlns:p by dynamic id 0 */
		    0x01, 0x01 };
		bytes_are(w, want, sizeof(want));
	}
	ck_assert_int_gt(st.calls, 0);
	WsFreeWriter(w);

	/* A failing callback fails the output. */
	st.fail = true;
	w = bin_writer(dyn_cb, &st);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &hello, &ns, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), E_ACCESSDENIED);
	WsFreeWriter(w);
}
END_TEST

START_TEST(dynamic_dictionary_reader)
{
	static const uint8_t in[] = { 0x42, 0x03, 0x01 };	/* id 1 */
	WS_XML_STRING strs[2] = { XS("Zero"), XS("Hello") };
	WS_XML_DICTIONARY d = { { 0 }, strs, 2, FALSE };
	const WS_XML_NODE *n;
	WS_XML_READER *r;

	strs[0].dictionary = strs[1].dictionary = &d;
	strs[1].id = 1;
	r = bin_reader(in, sizeof(in), &d);
	ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "Hello"));
	WsFreeReader(r);
	/* Without it, a dynamic id is malformed input. */
	r = bin_reader(in, sizeof(in), NULL);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_INVALID_FORMAT);
	WsFreeReader(r);
}
END_TEST

/* Lists are lists at any length: no cap at 64 items. */
START_TEST(long_lists_stay_lists)
{
	static const WS_XML_STRING v = XS("v"), none = XS("");
	enum { N = 1000, M = 300 };
	static uint8_t doc[5 + 3 * N + 2];
	static WS_XML_INT32_TEXT vals[M];
	static WS_XML_TEXT *items[M];
	WS_XML_LIST_TEXT list = { { WS_XML_TEXT_TYPE_LIST }, M, items };
	WS_XML_WRITER_BINARY_ENCODING be = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER_BUFFER_OUTPUT o = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	const WS_XML_LIST_TEXT *l;
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	WS_BYTES b;
	size_t n = 0;
	int i;

	/* <v> with a StartList of N Int16Text records. */
	doc[n++] = 0x40;
	doc[n++] = 0x01;
	doc[n++] = 'v';
	doc[n++] = 0xa4;
	for (i = 0; i < N; i++) {
		doc[n++] = 0x8a;
		doc[n++] = (uint8_t)(i + 300);
		doc[n++] = (uint8_t)((i + 300) >> 8);
	}
	doc[n++] = 0xa6;
	doc[n++] = 0x01;
	r = bin_reader(doc, (ULONG)n, NULL);
	l = (const WS_XML_LIST_TEXT *)read_text(r);
	ck_assert_int_eq(l->text.textType, WS_XML_TEXT_TYPE_LIST);
	ck_assert_uint_eq(l->itemCount, N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(l->items[i]->textType,
		    WS_XML_TEXT_TYPE_INT32);
		ck_assert_int_eq(((const WS_XML_INT32_TEXT *)
		    l->items[i])->value, i + 300);
	}
	WsFreeReader(r);

	/* Written as binary and read back: still a list of M. */
	for (i = 0; i < M; i++) {
		vals[i].text.textType = WS_XML_TEXT_TYPE_INT32;
		vals[i].value = -i;
		items[i] = &vals[i].text;
	}
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &be.encoding, &o.output, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &v, &none, NULL), S_OK);
	ck_assert_int_eq(WsWriteText(w, &list.text, NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	r = bin_reader(b.bytes, b.length, NULL);
	l = (const WS_XML_LIST_TEXT *)read_text(r);
	ck_assert_int_eq(l->text.textType, WS_XML_TEXT_TYPE_LIST);
	ck_assert_uint_eq(l->itemCount, M);
	ck_assert_int_eq(((const WS_XML_INT32_TEXT *)l->items[M - 1])->value,
	    1 - M);
	WsFreeReader(r);
	WsFreeWriter(w);
}
END_TEST

static Suite *
xml_binary_suite(void)
{
	Suite *s = suite_create("xml_binary");
	TCase *tc = tcase_create("typed");

	tcase_add_test(tc, writer_integers_take_the_shortest_record);
	tcase_add_test(tc, writer_reals_decimal_time_guid);
	tcase_add_test(tc, writer_bytes_attributes_texts);
	tcase_add_test(tc, writer_list_and_qname);
	tcase_add_test(tc, reader_returns_typed_texts);
	tcase_add_test(tc, reader_typed_attribute_list_qname);
	tcase_add_test(tc, long_lists_stay_lists);
	tcase_add_test(tc, round_trip_values);
	tcase_add_test(tc, dynamic_string_callback);
	tcase_add_test(tc, dynamic_dictionary_reader);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_binary_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
