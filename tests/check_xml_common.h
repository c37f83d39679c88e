/* Helpers shared by the XML suites (tests/check_xml_*.c). */
#ifndef CHECK_XML_COMMON_H
#define CHECK_XML_COMMON_H

#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"

#define XS(s)	{ sizeof(s) - 1, (BYTE *)(s), NULL, 0 }

static inline WS_XML_WRITER *
xml_test_writer(const WS_XML_WRITER_PROPERTY *props, ULONG n)
{
	WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w = NULL;

	ck_assert_int_eq(WsCreateWriter(props, n, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	return w;
}

/* The writer's bytes so far equal `exp`. */
#define out_is(w, exp) do {						\
	WS_BYTES b_;							\
	ck_assert_int_eq(WsGetWriterProperty((w),			\
	    WS_XML_WRITER_PROPERTY_BYTES, &b_, sizeof(b_), NULL), S_OK);\
	ck_assert_msg(b_.length == strlen(exp) && (b_.length == 0 ||	\
	    memcmp(b_.bytes, (exp), b_.length) == 0),			\
	    "output \"%.*s\", expected \"%s\"", (int)b_.length,	\
	    (const char *)b_.bytes, (exp));				\
} while (0)

static inline WS_XML_READER *
xml_test_reader(const char *text)
{
	WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)text,
	    (ULONG)strlen(text) };
	WS_XML_READER *r = NULL;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    NULL), S_OK);
	return r;
}

static inline int
xml_test_str_is(const WS_XML_STRING *s, const char *v)
{
	return s != NULL && s->length == strlen(v) &&
	    memcmp(s->bytes, v, s->length) == 0;
}

#endif
