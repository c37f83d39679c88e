/* Check suite for WsReadType/WsWriteType and the element and attribute
 * calls on them (client/lib/xml_type.c), and the small calls beside. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_xml_common.h"

static WS_XML_STRING s_a = XS("a"), s_b = XS("b"), s_empty = XS("");

#define ELEM(t)		{ &s_a, &s_empty, (t), NULL }

START_TEST(write_primitives)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	WS_ELEMENT_DESCRIPTION d_i32 = ELEM(WS_INT32_TYPE),
	    d_str = ELEM(WS_STRING_TYPE), d_bytes = ELEM(WS_BYTES_TYPE),
	    d_bool = ELEM(WS_BOOL_TYPE), d_dt = ELEM(WS_DATETIME_TYPE),
	    d_id = ELEM(WS_UNIQUE_ID_TYPE), d_ts = ELEM(WS_TIMESPAN_TYPE),
	    d_wsz = ELEM(WS_WSZ_TYPE), d_xs = ELEM(WS_XML_STRING_TYPE),
	    d_u8 = ELEM(WS_UINT8_TYPE), d_dbl = ELEM(WS_DOUBLE_TYPE);
	int32_t i = -5, *ip = NULL;
	static WCHAR chars[] = { 'h', 'i', 0 };
	WS_STRING str = { 2, chars };
	WCHAR *wsz = chars;
	BYTE raw[] = { 0xff, 0 };
	WS_BYTES bytes = { 2, raw };
	BOOL b = FALSE;
	WS_DATETIME dt = { 864000000000ULL + 5000000ULL,
	    WS_DATETIME_FORMAT_UTC };
	WS_UNIQUE_ID id = { { 0, NULL }, { 0xaabbccdd, 1, 2, { 3, 4, 5, 6,
	    7, 8, 9, 10 } } };
	WS_TIMESPAN ts = { -(36000000000LL + 15000000LL) };
	WS_XML_STRING xs = XS("x<");
	uint8_t u8 = 255;
	double dbl = 0.1;

	ck_assert_int_eq(WsWriteElement(w, &d_i32, WS_WRITE_REQUIRED_VALUE,
	    &i, sizeof(i), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_str, WS_WRITE_REQUIRED_VALUE,
	    &str, sizeof(str), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_bytes, WS_WRITE_REQUIRED_VALUE,
	    &bytes, sizeof(bytes), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_bool, WS_WRITE_REQUIRED_VALUE,
	    &b, sizeof(b), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_dt, WS_WRITE_REQUIRED_VALUE,
	    &dt, sizeof(dt), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_id, WS_WRITE_REQUIRED_VALUE,
	    &id, sizeof(id), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_ts, WS_WRITE_REQUIRED_VALUE,
	    &ts, sizeof(ts), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_wsz, WS_WRITE_REQUIRED_POINTER,
	    &wsz, sizeof(wsz), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_xs, WS_WRITE_REQUIRED_VALUE,
	    &xs, sizeof(xs), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_u8, WS_WRITE_REQUIRED_VALUE,
	    &u8, sizeof(u8), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_dbl, WS_WRITE_REQUIRED_VALUE,
	    &dbl, sizeof(dbl), NULL), S_OK);
	ck_assert_int_eq(WsWriteElement(w, &d_i32, WS_WRITE_NILLABLE_POINTER,
	    &ip, sizeof(ip), NULL), S_OK);
	out_is(w, "<a>-5</a><a>hi</a><a>/wA=</a><a>false</a>"
	    "<a>0001-01-02T00:00:00.5Z</a>"
	    "<a>urn:uuid:aabbccdd-0001-0002-0304-05060708090a</a>"
	    "<a>-PT1H1.5S</a><a>hi</a><a>x&lt;</a><a>255</a><a>0.1</a>"
	    "<a a:nil=\"true\" "
	    "xmlns:a=\"http://www.w3.org/2001/XMLSchema-instance\"/>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(write_option_errors)
{
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);
	WS_ELEMENT_DESCRIPTION d = ELEM(WS_INT32_TYPE),
	    bad = ELEM(WS_STRUCT_TYPE);
	WS_ATTRIBUTE_DESCRIPTION ad = { &s_b, &s_empty, WS_INT32_TYPE, NULL };
	int32_t i = 5, *ip = NULL;

	ck_assert_int_eq(WsWriteElement(w, &d, WS_WRITE_REQUIRED_VALUE, &i,
	    2, NULL), E_INVALIDARG);
	ck_assert_int_eq(WsWriteElement(w, &d, WS_WRITE_REQUIRED_POINTER,
	    &ip, sizeof(ip), NULL), E_INVALIDARG);
	/* int32 has no empty value that could stand for nil. */
	ck_assert_int_eq(WsWriteElement(w, &d, WS_WRITE_NILLABLE_VALUE, &i,
	    sizeof(i), NULL), E_INVALIDARG);
	ck_assert_int_eq(WsWriteElement(w, &bad, WS_WRITE_REQUIRED_VALUE, &i,
	    sizeof(i), NULL), E_INVALIDARG);
	ck_assert_int_eq(WsWriteElement(w, NULL, WS_WRITE_REQUIRED_VALUE, &i,
	    sizeof(i), NULL), E_INVALIDARG);
	/* Attribute mapping without an open attribute. */
	ck_assert_int_eq(WsWriteType(w, WS_ATTRIBUTE_TYPE_MAPPING,
	    WS_INT32_TYPE, NULL, WS_WRITE_REQUIRED_VALUE, &i, sizeof(i),
	    NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &s_a, &s_empty, NULL),
	    S_OK);
	ck_assert_int_eq(WsWriteAttribute(w, &ad, WS_WRITE_REQUIRED_VALUE, &i,
	    sizeof(i), NULL), S_OK);
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	out_is(w, "<a b=\"5\"/>");
	WsFreeWriter(w);
}
END_TEST

START_TEST(read_primitives)
{
	WS_XML_READER *r = xml_test_reader("<a>-5</a><a> hi </a><a>/wA=</a>"
	    "<a>urn:uuid:aabbccdd-0001-0002-0304-05060708090a</a>"
	    "<a>-PT1H1.5S</a><a>x</a><a xmlns:i=\"http://www.w3.org/2001/"
	    "XMLSchema-instance\" i:nil=\"true\"/><a b=\" 6\">p</a>");
	WS_ELEMENT_DESCRIPTION d_i32 = ELEM(WS_INT32_TYPE),
	    d_str = ELEM(WS_STRING_TYPE), d_bytes = ELEM(WS_BYTES_TYPE),
	    d_id = ELEM(WS_UNIQUE_ID_TYPE), d_ts = ELEM(WS_TIMESPAN_TYPE),
	    d_wsz = ELEM(WS_WSZ_TYPE), d_other = { &s_b, &s_empty,
	    WS_INT32_TYPE, NULL };
	WS_ATTRIBUTE_DESCRIPTION ad = { &s_b, &s_empty, WS_INT32_TYPE, NULL },
	    missing = { &s_a, &s_empty, WS_INT32_TYPE, NULL };
	WS_HEAP *heap;
	int32_t i = 0, *ip = (int32_t *)1;
	WS_STRING str;
	WS_BYTES bytes;
	WS_UNIQUE_ID id;
	WS_TIMESPAN ts;
	WCHAR *wsz = NULL;

	ck_assert_int_eq(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsReadElement(r, &d_i32, WS_READ_REQUIRED_VALUE,
	    NULL, &i, sizeof(i), NULL), S_OK);
	ck_assert_int_eq(i, -5);
	/* A string needs a heap. */
	ck_assert_int_eq(WsReadElement(r, &d_str, WS_READ_REQUIRED_VALUE,
	    NULL, &str, sizeof(str), NULL), E_INVALIDARG);
	ck_assert_int_eq(WsReadElement(r, &d_str, WS_READ_REQUIRED_VALUE,
	    heap, &str, sizeof(str), NULL), S_OK);
	ck_assert_uint_eq(str.length, 4);
	ck_assert_int_eq(str.chars[1], 'h');
	ck_assert_int_eq(WsReadElement(r, &d_bytes, WS_READ_REQUIRED_VALUE,
	    heap, &bytes, sizeof(bytes), NULL), S_OK);
	ck_assert_uint_eq(bytes.length, 2);
	ck_assert_int_eq(bytes.bytes[0], 0xff);
	ck_assert_int_eq(WsReadElement(r, &d_id, WS_READ_REQUIRED_VALUE,
	    heap, &id, sizeof(id), NULL), S_OK);
	ck_assert_uint_eq(id.uri.length, 0);
	ck_assert_uint_eq(id.guid.Data1, 0xaabbccdd);
	ck_assert_int_eq(WsReadElement(r, &d_ts, WS_READ_REQUIRED_VALUE,
	    heap, &ts, sizeof(ts), NULL), S_OK);
	ck_assert(ts.ticks == -(36000000000LL + 15000000LL));
	/* Not the element the description names. */
	ck_assert_int_eq(WsReadElement(r, &d_other, WS_READ_REQUIRED_VALUE,
	    heap, &i, sizeof(i), NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsReadElement(r, &d_other, WS_READ_OPTIONAL_POINTER,
	    heap, &ip, sizeof(ip), NULL), S_OK);
	ck_assert_ptr_null(ip);
	ck_assert_int_eq(WsReadElement(r, &d_wsz, WS_READ_REQUIRED_POINTER,
	    heap, &wsz, sizeof(wsz), NULL), S_OK);
	ck_assert_int_eq(wsz[0], 'x');
	ck_assert_int_eq(wsz[1], 0);
	/* Nil: only for the nillable options. */
	ck_assert_int_eq(WsReadElement(r, &d_i32, WS_READ_REQUIRED_POINTER,
	    heap, &ip, sizeof(ip), NULL), WS_E_INVALID_FORMAT);
	ip = (int32_t *)1;
	ck_assert_int_eq(WsReadElement(r, &d_i32, WS_READ_NILLABLE_POINTER,
	    heap, &ip, sizeof(ip), NULL), S_OK);
	ck_assert_ptr_null(ip);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsReadAttribute(r, &ad, WS_READ_REQUIRED_POINTER,
	    heap, &ip, sizeof(ip), NULL), S_OK);
	ck_assert_int_eq(*ip, 6);
	ck_assert_int_eq(WsReadAttribute(r, &missing, WS_READ_REQUIRED_VALUE,
	    heap, &i, sizeof(i), NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsReadType(r, WS_ATTRIBUTE_TYPE_MAPPING,
	    WS_INT32_TYPE, NULL, WS_READ_REQUIRED_VALUE, heap, &i, sizeof(i),
	    NULL), WS_E_INVALID_OPERATION);
	WsFreeReader(r);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(round_trip_every_value_type)
{
	static const WS_TYPE types[] = { WS_BOOL_TYPE, WS_INT8_TYPE,
	    WS_INT16_TYPE, WS_INT32_TYPE, WS_INT64_TYPE, WS_UINT8_TYPE,
	    WS_UINT16_TYPE, WS_UINT32_TYPE, WS_UINT64_TYPE, WS_FLOAT_TYPE,
	    WS_DOUBLE_TYPE, WS_DECIMAL_TYPE, WS_DATETIME_TYPE,
	    WS_TIMESPAN_TYPE, WS_GUID_TYPE, WS_DURATION_TYPE };
	static const size_t sizes[] = { sizeof(BOOL), 1, 2, 4, 8, 1, 2, 4,
	    8, sizeof(float), sizeof(double), sizeof(DECIMAL),
	    sizeof(WS_DATETIME), sizeof(WS_TIMESPAN), sizeof(GUID),
	    sizeof(WS_DURATION) };
	union {
		BYTE raw[64];
		BOOL b; int8_t i8; int16_t i16; int32_t i32; int64_t i64;
		float f; double d; DECIMAL dec; WS_DATETIME dt; GUID g;
		WS_DURATION dur;
	} in, back;
	WS_ELEMENT_DESCRIPTION d = ELEM(WS_BOOL_TYPE);
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_READER_BUFFER_INPUT bi = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, NULL, 0 };
	WS_BYTES out;
	size_t k;

	for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		memset(&in, 0, sizeof(in));
		memset(&back, 0xee, sizeof(back));
		switch (types[k]) {
		case WS_BOOL_TYPE:	in.b = TRUE; break;
		case WS_FLOAT_TYPE:	in.f = -1.25e10f; break;
		case WS_DOUBLE_TYPE:	in.d = 1.0 / 3; break;
		case WS_DECIMAL_TYPE:
			in.dec.scale = 3;
			in.dec.sign = 0x80;
			in.dec.Hi32 = 1;
			in.dec.Lo64 = 12345;
			break;
		case WS_DATETIME_TYPE:
			in.dt.ticks = 630822816000000001ULL;
			in.dt.format = WS_DATETIME_FORMAT_UTC;
			break;
		case WS_DURATION_TYPE:
			in.dur.negative = TRUE;
			in.dur.years = 1;
			in.dur.hours = 2;
			in.dur.milliseconds = 3;
			in.dur.ticks = 4;
			break;
		default:
			memset(&in, 0x81, sizes[k]);
			break;
		}
		d.type = types[k];
		w = xml_test_writer(NULL, 0);
		ck_assert_int_eq(WsWriteElement(w, &d, WS_WRITE_REQUIRED_VALUE,
		    &in, (ULONG)sizes[k], NULL), S_OK);
		ck_assert_int_eq(WsGetWriterProperty(w,
		    WS_XML_WRITER_PROPERTY_BYTES, &out, sizeof(out), NULL),
		    S_OK);
		ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
		bi.encodedData = out.bytes;
		bi.encodedDataSize = out.length;
		ck_assert_int_eq(WsSetInput(r, &enc.encoding, &bi.input, NULL,
		    0, NULL), S_OK);
		ck_assert_int_eq(WsReadElement(r, &d, WS_READ_REQUIRED_VALUE,
		    NULL, &back, (ULONG)sizes[k], NULL), S_OK);
		ck_assert_msg(memcmp(&in, &back, sizes[k]) == 0,
		    "type %d: %.*s", (int)types[k], (int)out.length,
		    (const char *)out.bytes);
		WsFreeReader(r);
		WsFreeWriter(w);
	}
}
END_TEST

START_TEST(small_calls)
{
	WS_DATETIME dt = { 504911232000000000ULL + 10, WS_DATETIME_FORMAT_UTC },
	    back;
	FILETIME ft;
	WS_HEAP *heap;
	WS_ERROR *err;
	SIZE_T v = 0;
	USHORT lang = 0x0407, got = 0;
	void *p;

	ck_assert_int_eq(WsDateTimeToFileTime(&dt, &ft, NULL), S_OK);
	ck_assert_uint_eq(ft.dwLowDateTime, 10);
	ck_assert_uint_eq(ft.dwHighDateTime, 0);
	ck_assert_int_eq(WsFileTimeToDateTime(&ft, &back, NULL), S_OK);
	ck_assert(back.ticks == dt.ticks);
	dt.ticks = 5;
	ck_assert_int_eq(WsDateTimeToFileTime(&dt, &ft, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(WsDateTimeToFileTime(NULL, &ft, NULL), E_INVALIDARG);
	ft.dwLowDateTime = ft.dwHighDateTime = 0xffffffff;
	ck_assert_int_eq(WsFileTimeToDateTime(&ft, &back, NULL),
	    WS_E_NUMERIC_OVERFLOW);

	ck_assert_int_eq(WsCreateHeap(1000, 10, NULL, 0, &heap, NULL), S_OK);
	ck_assert_int_eq(WsGetHeapProperty(heap, WS_HEAP_PROPERTY_MAX_SIZE,
	    &v, sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 1000);
	ck_assert_int_eq(WsAlloc(heap, 100, &p, NULL), S_OK);
	ck_assert_int_eq(WsGetHeapProperty(heap,
	    WS_HEAP_PROPERTY_REQUESTED_SIZE, &v, sizeof(v), NULL), S_OK);
	ck_assert_uint_eq(v, 100);
	ck_assert_int_eq(WsGetHeapProperty(heap, WS_HEAP_PROPERTY_ACTUAL_SIZE,
	    &v, sizeof(v), NULL), S_OK);
	ck_assert_uint_ge(v, 100);
	ck_assert_int_eq(WsGetHeapProperty(heap, WS_HEAP_PROPERTY_MAX_SIZE,
	    &v, 1, NULL), E_INVALIDARG);
	WsFreeHeap(heap);

	ck_assert_int_eq(WsCreateError(NULL, 0, &err), S_OK);
	ck_assert_int_eq(WsSetErrorProperty(err, WS_ERROR_PROPERTY_LANGID,
	    &lang, sizeof(lang)), S_OK);
	ck_assert_int_eq(WsGetErrorProperty(err, WS_ERROR_PROPERTY_LANGID,
	    &got, sizeof(got)), S_OK);
	ck_assert_uint_eq(got, 0x0407);
	ck_assert_int_eq(WsSetErrorProperty(err,
	    WS_ERROR_PROPERTY_STRING_COUNT, &lang, sizeof(lang)),
	    E_INVALIDARG);
	WsFreeError(err);
}
END_TEST

START_TEST(timespan_limits)
{
	static const char *ok[] = { "P10675199DT2H48M5.4775807S",
	    "-P10675199DT2H48M5.4775808S", "PT0S", "P1D", "PT1M" };
	static const int64_t val[] = { INT64_MAX, INT64_MIN, 0,
	    864000000000LL, 600000000LL };
	static const char *bad[] = { "P10675199DT2H48M5.4775808S", "P",
	    "PT", "P1H", "PT1D", "P1.5D", "PT1.5M", "1S",
	    "P99999999999999999999D" };
	WS_ELEMENT_DESCRIPTION d = ELEM(WS_TIMESPAN_TYPE);
	WS_TIMESPAN ts;
	WS_XML_READER *r;
	WS_XML_WRITER *w;
	char buf[80];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(buf, sizeof(buf), "<a>%s</a>", ok[i]);
		r = xml_test_reader(buf);
		ck_assert_int_eq(WsReadElement(r, &d, WS_READ_REQUIRED_VALUE,
		    NULL, &ts, sizeof(ts), NULL), S_OK);
		ck_assert_msg(ts.ticks == val[i], "%s", ok[i]);
		WsFreeReader(r);
		/* And written back as read. */
		w = xml_test_writer(NULL, 0);
		ck_assert_int_eq(WsWriteElement(w, &d, WS_WRITE_REQUIRED_VALUE,
		    &ts, sizeof(ts), NULL), S_OK);
		if (i < 2)
			out_is(w, buf);
		WsFreeWriter(w);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "<a>%s</a>", bad[i]);
		r = xml_test_reader(buf);
		ck_assert_msg(WsReadElement(r, &d, WS_READ_REQUIRED_VALUE,
		    NULL, &ts, sizeof(ts), NULL) == WS_E_INVALID_FORMAT, "%s",
		    bad[i]);
		WsFreeReader(r);
	}
}
END_TEST

static Suite *
xml_type_suite(void)
{
	Suite *s = suite_create("xml_type");
	TCase *tc = tcase_create("type");

	tcase_add_test(tc, write_primitives);
	tcase_add_test(tc, write_option_errors);
	tcase_add_test(tc, read_primitives);
	tcase_add_test(tc, round_trip_every_value_type);
	tcase_add_test(tc, small_calls);
	tcase_add_test(tc, timespan_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_type_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
