/* Check suite for daemon/nbfx.c: binary XML and its dictionaries. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "nbfx.h"

/*
 * The SizedEnvelope payloads of /work/shared/vectors/net.tcp-capture.txt:
 * a Wine webservices.dll client's message, and a Wine listener's reply.
 * Each is a StringTable (18 bytes: size 0x11, "text", "urn:wsprobe") then
 * the document.
 */
static const uint8_t client_payload[129] = {
	0x11, 0x04, 0x74, 0x65, 0x78, 0x74, 0x0b, 0x75, 0x72, 0x6e, 0x3a, 0x77,
	0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x56, 0x02, 0x0b, 0x01, 0x61, 0x06,
	0x0b, 0x01, 0x73, 0x04, 0x56, 0x08, 0x44, 0x0a, 0x1e, 0x00, 0x82, 0x99,
	0x10, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65,
	0x2f, 0x50, 0x69, 0x6e, 0x67, 0x44, 0x0c, 0x1e, 0x00, 0x82, 0x99, 0x21,
	0x6e, 0x65, 0x74, 0x2e, 0x74, 0x63, 0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32,
	0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x32, 0x37, 0x31, 0x35,
	0x30, 0x2f, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x01, 0x56, 0x0e,
	0x42, 0x01, 0x0a, 0x03, 0x99, 0x19, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20,
	0x66, 0x72, 0x6f, 0x6d, 0x20, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65,
	0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x01, 0x01,
};

static const uint8_t listener_payload[89] = {
	0x11, 0x04, 0x74, 0x65, 0x78, 0x74, 0x0b, 0x75, 0x72, 0x6e, 0x3a, 0x77,
	0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x56, 0x02, 0x0b, 0x01, 0x61, 0x06,
	0x0b, 0x01, 0x73, 0x04, 0x56, 0x08, 0x44, 0x0a, 0x1e, 0x00, 0x82, 0x99,
	0x10, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65,
	0x2f, 0x50, 0x69, 0x6e, 0x67, 0x01, 0x56, 0x0e, 0x42, 0x01, 0x0a, 0x03,
	0x99, 0x19, 0x72, 0x65, 0x70, 0x6c, 0x79, 0x20, 0x66, 0x72, 0x6f, 0x6d,
	0x20, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x20, 0x73, 0x65, 0x72,
	0x76, 0x65, 0x72, 0x01, 0x01,
};

#define TABLE_LEN	18
#define NS_S		"http://www.w3.org/2003/05/soap-envelope"
#define NS_A		"http://www.w3.org/2005/08/addressing"

#define CLIENT_C14N							\
	"<s:Envelope xmlns:a=\"" NS_A "\" xmlns:s=\"" NS_S "\">"	\
	"<s:Header><a:Action s:mustUnderstand=\"1\">urn:wsprobe/Ping</a:Action>" \
	"<a:To s:mustUnderstand=\"1\">net.tcp://127.0.0.1:27150/wsprobe</a:To>" \
	"</s:Header><s:Body><text xmlns=\"urn:wsprobe\">hello from wsprobe client"	\
	"</text></s:Body></s:Envelope>"

static void
quiet(void *ctx, const char *msg, ...)
{
}

/* Decodes from an exact-size heap copy so ASan sees any read past `len`. */
static int
read_exact(const uint8_t *in, size_t len, const struct nbfx_dict *d,
    xmlDocPtr *doc, const char **why)
{
	uint8_t	*copy;
	int	 rc;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	if (len > 0)
		memcpy(copy, in, len);
	*why = NULL;
	rc = nbfx_read(copy, len, d, doc, why);
	free(copy);
	if (rc == -EBADMSG)
		ck_assert_ptr_nonnull(*why);
	return rc;
}

static int
table_exact(struct nbfx_dict *d, const uint8_t *in, size_t len)
{
	uint8_t	*copy;
	int	 rc;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	if (len > 0)
		memcpy(copy, in, len);
	rc = nbfx_dict_read_table(d, copy, len);
	free(copy);
	return rc;
}

/*
 * Inclusive C14N with comments: a stable text form of an infoset.  C14N
 * refuses relative or non-ASCII namespace URIs (mutated input has them);
 * then the plain serialization stands in, which is as good for comparing
 * two trees built the same way.
 */
static char *
c14n(xmlDocPtr doc)
{
	xmlChar	*out = NULL;
	int	 n;

	n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 1, &out);
	if (n < 0) {
		xmlFree(out);
		out = NULL;
		xmlDocDumpMemory(doc, &out, &n);
	}
	ck_assert_ptr_nonnull(out);
	return (char *)out;
}

static xmlDocPtr
parse(const char *xml)
{
	xmlDocPtr	 doc;

	doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
	    XML_PARSE_NONET);
	ck_assert_msg(doc != NULL, "test XML does not parse: %s", xml);
	return doc;
}

static void
hexdiff(const char *what, const uint8_t *got, size_t got_len,
    const uint8_t *want, size_t want_len)
{
	size_t	 i;

	ck_assert_msg(got_len == want_len, "%s: %zu bytes, want %zu", what,
	    got_len, want_len);
	for (i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i],
		    "%s: byte %zu is %02x, want %02x", what, i, got[i], want[i]);
}

static xmlNodePtr
first_element(xmlNodePtr n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static void
assert_element(xmlNodePtr n, const char *ns, const char *name)
{
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->type, XML_ELEMENT_NODE);
	ck_assert_str_eq((const char *)n->name, name);
	if (ns == NULL)
		ck_assert_ptr_null(n->ns);
	else {
		ck_assert_ptr_nonnull(n->ns);
		ck_assert_str_eq((const char *)n->ns->href, ns);
	}
}

static void
assert_text(xmlNodePtr n, const char *text)
{
	xmlChar	*c = xmlNodeGetContent(n);

	ck_assert_str_eq((const char *)c, text);
	xmlFree(c);
}

static void
assert_must_understand(xmlNodePtr n)
{
	xmlChar	*v = xmlGetNsProp(n, BAD_CAST "mustUnderstand", BAD_CAST NS_S);

	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq((const char *)v, "1");
	xmlFree(v);
}

/* Encodes and checks table and document against the captured bytes. */
static void
assert_encodes_to(xmlDocPtr doc, struct nbfx_dict *d, const uint8_t *table,
    size_t table_len, const uint8_t *bytes, size_t len)
{
	uint8_t	*t, *o;
	size_t	 tl, ol;

	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), 0);
	hexdiff("string table", t, tl, table, table_len);
	hexdiff("document", o, ol, bytes, len);
	free(t);
	free(o);
}

/* ---- the captured vectors ------------------------------------------------ */

START_TEST(client_vector)
{
	struct nbfx_dict	*rd, *wd;
	xmlDocPtr		 doc;
	xmlNodePtr		 env, hdr, n, body;
	xmlNsPtr		 ns;
	const char		*why;
	const uint8_t		*docb = client_payload + TABLE_LEN;
	size_t			 docl = sizeof(client_payload) - TABLE_LEN;
	static const uint8_t	 empty_table[] = { 0x00 };
	char			*s;

	rd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	ck_assert_int_eq(table_exact(rd, client_payload, sizeof(client_payload)),
	    TABLE_LEN);
	ck_assert_uint_eq(nbfx_dict_count(rd), 2);
	ck_assert_uint_eq(nbfx_dict_bytes(rd), 17);
	ck_assert_uint_eq(docl, 111);
	ck_assert_int_eq(read_exact(docb, docl, rd, &doc, &why), 0);

	env = xmlDocGetRootElement(doc);
	assert_element(env, NS_S, "Envelope");
	ns = env->nsDef;	/* declaration order is kept: a, then s */
	ck_assert_str_eq((const char *)ns->prefix, "a");
	ck_assert_str_eq((const char *)ns->href, NS_A);
	ck_assert_str_eq((const char *)ns->next->prefix, "s");
	ck_assert_str_eq((const char *)ns->next->href, NS_S);
	ck_assert_ptr_null(ns->next->next);
	hdr = first_element(env->children);
	assert_element(hdr, NS_S, "Header");
	n = first_element(hdr->children);
	assert_element(n, NS_A, "Action");
	assert_must_understand(n);
	assert_text(n, "urn:wsprobe/Ping");
	n = first_element(n->next);
	assert_element(n, NS_A, "To");
	assert_must_understand(n);
	assert_text(n, "net.tcp://127.0.0.1:27150/wsprobe");
	ck_assert_ptr_null(first_element(n->next));
	body = first_element(hdr->next);
	assert_element(body, NS_S, "Body");
	n = first_element(body->children);
	assert_element(n, "urn:wsprobe", "text");
	ck_assert_ptr_null(n->nsDef->prefix);
	assert_text(n, "hello from wsprobe client");
	s = c14n(doc);
	ck_assert_str_eq(s, CLIENT_C14N);
	xmlFree(s);

	/* A fresh dictionary gives back the captured bytes; the second
	 * message on it announces nothing and reuses the ids. */
	wd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	assert_encodes_to(doc, wd, client_payload, TABLE_LEN, docb, docl);
	assert_encodes_to(doc, wd, empty_table, 1, docb, docl);
	ck_assert_uint_eq(nbfx_dict_count(wd), 2);
	xmlFreeDoc(doc);

	/* The reader side of the second message: an empty table. */
	ck_assert_int_eq(table_exact(rd, empty_table, 1), 1);
	ck_assert_int_eq(read_exact(docb, docl, rd, &doc, &why), 0);
	xmlFreeDoc(doc);
	nbfx_dict_free(rd);
	nbfx_dict_free(wd);
}
END_TEST

START_TEST(listener_vector)
{
	struct nbfx_dict	*rd, *wd;
	xmlDocPtr		 doc;
	xmlNodePtr		 env, hdr, n;
	const char		*why;
	const uint8_t		*docb = listener_payload + TABLE_LEN;
	size_t			 docl = sizeof(listener_payload) - TABLE_LEN;

	rd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	ck_assert_int_eq(table_exact(rd, listener_payload,
	    sizeof(listener_payload)), TABLE_LEN);
	ck_assert_uint_eq(docl, 71);
	ck_assert_int_eq(read_exact(docb, docl, rd, &doc, &why), 0);
	env = xmlDocGetRootElement(doc);
	assert_element(env, NS_S, "Envelope");
	hdr = first_element(env->children);
	n = first_element(hdr->children);
	assert_element(n, NS_A, "Action");
	assert_must_understand(n);
	assert_text(n, "urn:wsprobe/Ping");
	ck_assert_ptr_null(first_element(n->next));
	n = first_element(first_element(hdr->next)->children);
	assert_element(n, "urn:wsprobe", "text");
	assert_text(n, "reply from wsprobe server");

	wd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	assert_encodes_to(doc, wd, listener_payload, TABLE_LEN, docb, docl);
	xmlFreeDoc(doc);
	nbfx_dict_free(rd);
	nbfx_dict_free(wd);
}
END_TEST

/* The same bytes from text XML parsed by libxml2, as the envelope module
 * would hand it over. */
START_TEST(vector_from_text)
{
	struct nbfx_dict	*wd;
	xmlDocPtr		 doc;

	doc = parse("<s:Envelope xmlns:a=\"" NS_A "\" xmlns:s=\"" NS_S "\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">urn:wsprobe/Ping"
	    "</a:Action></s:Header><s:Body><text xmlns=\"urn:wsprobe\">"
	    "reply from wsprobe server</text></s:Body></s:Envelope>");
	wd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	assert_encodes_to(doc, wd, listener_payload, TABLE_LEN,
	    listener_payload + TABLE_LEN, sizeof(listener_payload) - TABLE_LEN);
	xmlFreeDoc(doc);
	nbfx_dict_free(wd);
}
END_TEST

/* Without a session (WS_ENCODING_XML_BINARY_1): no table, names inline. */
START_TEST(no_session)
{
	static const uint8_t	 want[] = {
		0x56, 0x02, 0x0b, 0x01, 0x73, 0x04, 0x56, 0x0e,
		0x40, 0x04, 't', 'e', 'x', 't',
		0x08, 0x0b, 'u', 'r', 'n', ':', 'w', 's', 'p', 'r', 'o', 'b', 'e',
		0x99, 0x02, 'h', 'i', 0x01, 0x01,
	};
	xmlDocPtr	 doc, again;
	uint8_t		*t, *o;
	size_t		 tl, ol;
	const char	*why;
	char		*s1, *s2;

	doc = parse("<s:Envelope xmlns:s=\"" NS_S "\"><s:Body>"
	    "<text xmlns=\"urn:wsprobe\">hi</text></s:Body></s:Envelope>");
	ck_assert_int_eq(nbfx_write(doc, NULL, &t, &tl, &o, &ol), 0);
	ck_assert_ptr_null(t);
	ck_assert_uint_eq(tl, 0);
	hexdiff("document", o, ol, want, sizeof(want));
	ck_assert_int_eq(read_exact(o, ol, NULL, &again, &why), 0);
	s1 = c14n(doc);
	s2 = c14n(again);
	ck_assert_str_eq(s1, s2);
	xmlFree(s1);
	xmlFree(s2);
	xmlFreeDoc(again);
	xmlFreeDoc(doc);
	free(o);
}
END_TEST

/* ---- every record type --------------------------------------------------- */

struct text_case {
	const char	*what;
	size_t		 len;
	uint8_t		 rec[24];	/* a text record, non-EndElement form */
	const char	*text;		/* its canonical text */
};

#define TC(what, text, ...)	{ what, sizeof((uint8_t[]){ __VA_ARGS__ }),	\
	{ __VA_ARGS__ }, text }

static const struct text_case text_cases[] = {
	TC("ZeroText", "0", 0x80),
	TC("OneText", "1", 0x82),
	TC("FalseText", "false", 0x84),
	TC("TrueText", "true", 0x86),
	TC("Int8Text", "-34", 0x88, 0xde),
	TC("Int8Text max", "127", 0x88, 0x7f),
	TC("Int16Text", "-32768", 0x8a, 0x00, 0x80),
	TC("Int32Text", "123456789", 0x8c, 0x15, 0xcd, 0x5b, 0x07),
	TC("Int32Text min", "-2147483648", 0x8c, 0x00, 0x00, 0x00, 0x80),
	TC("Int64Text", "2147483648", 0x8e, 0x00, 0x00, 0x00, 0x80, 0, 0, 0, 0),
	TC("Int64Text min", "-9223372036854775808", 0x8e, 0, 0, 0, 0, 0, 0, 0,
	    0x80),
	TC("FloatText", "1.1", 0x90, 0xcd, 0xcc, 0x8c, 0x3f),
	TC("FloatText -INF", "-INF", 0x90, 0x00, 0x00, 0x80, 0xff),
	TC("FloatText NaN", "NaN", 0x90, 0x00, 0x00, 0xc0, 0x7f),
	TC("FloatText -0", "-0", 0x90, 0x00, 0x00, 0x00, 0x80),
	TC("FloatText 1E+07", "1E+07", 0x90, 0x80, 0x96, 0x18, 0x4b),
	TC("DoubleText", "1.1", 0x92, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xf1,
	    0x3f),
	TC("DoubleText INF", "INF", 0x92, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f),
	TC("DoubleText 1E+20", "1E+20", 0x92, 0x40, 0x8c, 0xb5, 0x78, 0x1d,
	    0xaf, 0x15, 0x44),
	TC("DoubleText 0.0001", "0.0001", 0x92, 0x2d, 0x43, 0x1c, 0xeb, 0xe2,
	    0x36, 0x1a, 0x3f),
	TC("DoubleText 1E-05", "1E-05", 0x92, 0xf1, 0x68, 0xe3, 0x88, 0xb5,
	    0xf8, 0xe4, 0x3e),
	TC("DoubleText -2.5", "-2.5", 0x92, 0, 0, 0, 0, 0, 0, 0x04, 0xc0),
	TC("DecimalText", "5.123456", 0x94, 0x00, 0x00, 0x06, 0x00, 0, 0, 0, 0,
	    0x80, 0x2d, 0x4e, 0x00, 0x00, 0x00, 0x00, 0x00),
	TC("DecimalText neg", "-0.10", 0x94, 0x00, 0x00, 0x02, 0x80, 0, 0, 0, 0,
	    0x0a, 0, 0, 0, 0, 0, 0, 0),
	TC("DecimalText max", "79228162514264337593543950335", 0x94, 0, 0, 0, 0,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff),
	TC("DateTimeText max", "9999-12-31T23:59:59.9999999", 0x96, 0xff, 0x3f,
	    0x37, 0xf4, 0x75, 0x28, 0xca, 0x2b),
	/* 630822816000000000 ticks = 2000-01-01, kind UTC. */
	TC("DateTimeText UTC", "2000-01-01T00:00:00Z", 0x96, 0x00, 0x40, 0xe4,
	    0x47, 0x02, 0x22, 0xc1, 0x48),
	TC("DateTimeText local", "0001-01-01T00:00:00.5+00:00", 0x96, 0x40,
	    0x4b, 0x4c, 0x00, 0x00, 0x00, 0x00, 0x80),
	TC("Chars8Text", "abc", 0x98, 0x03, 'a', 'b', 'c'),
	TC("Chars16Text", "abc", 0x9a, 0x03, 0x00, 'a', 'b', 'c'),
	TC("Chars32Text", "a\xc3\xa9", 0x9c, 0x03, 0, 0, 0, 'a', 0xc3, 0xa9),
	TC("Bytes8Text", "AAEC", 0x9e, 0x03, 0x00, 0x01, 0x02),
	TC("Bytes16Text", "AP8=", 0xa0, 0x02, 0x00, 0x00, 0xff),
	TC("Bytes32Text", "Bw==", 0xa2, 0x01, 0, 0, 0, 0x07),
	TC("List", "123 x true", 0xa4, 0x88, 0x7b, 0x98, 0x01, 'x', 0x86, 0xa6),
	TC("EmptyText", "", 0xa8),
	TC("DictionaryText", "Header", 0xaa, 0x08),
	TC("DictionaryText 2-byte id", "detail", 0xaa, 0xcc, 0x07),
	TC("UniqueIdText", "urn:uuid:03020100-0504-0706-0809-0a0b0c0d0e0f", 0xac,
	    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
	TC("TimeSpanText zero", "PT0S", 0xae, 0, 0, 0, 0, 0, 0, 0, 0),
	/* 1 day 2 h 3 min 4.5 s = 937845000000 ticks; and its negation. */
	TC("TimeSpanText", "P1DT2H3M4.5S", 0xae, 0x40, 0x07, 0xeb, 0x5b, 0xda,
	    0x00, 0x00, 0x00),
	TC("TimeSpanText neg", "-P1DT2H3M4.5S", 0xae, 0xc0, 0xf8, 0x14, 0xa4,
	    0x25, 0xff, 0xff, 0xff),
	TC("TimeSpanText hour", "PT1H", 0xae, 0x00, 0x68, 0xc4, 0x61, 0x08, 0, 0,
	    0),
	TC("UuidText", "03020100-0504-0706-0809-0a0b0c0d0e0f", 0xb0, 0, 1, 2, 3,
	    4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
	TC("UInt64Text", "18446744073709551615", 0xb2, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff),
	TC("BoolText true", "true", 0xb4, 0x01),
	TC("BoolText false", "false", 0xb4, 0x00),
	TC("UnicodeChars8Text", "abc", 0xb6, 0x06, 'a', 0, 'b', 0, 'c', 0),
	TC("UnicodeChars16Text", "\xf0\x9f\x98\x80", 0xb8, 0x04, 0x00, 0x3d,
	    0xd8, 0x00, 0xde),
	TC("UnicodeChars32Text", "\xe2\x82\xac", 0xba, 0x02, 0, 0, 0, 0xac,
	    0x20),
	TC("QNameDictionaryText", "b:Envelope", 0xbc, 0x01, 0x02),
};

static void
assert_decodes(const uint8_t *in, size_t len, const struct nbfx_dict *d,
    const char *want, const char *what)
{
	xmlDocPtr	 doc;
	const char	*why;
	char		*s;
	int		 rc;

	rc = read_exact(in, len, d, &doc, &why);
	ck_assert_msg(rc == 0, "%s: %d (%s)", what, rc, why);
	s = c14n(doc);
	ck_assert_msg(strcmp(s, want) == 0, "%s: got %s, want %s", what, s, want);
	xmlFree(s);
	xmlFreeDoc(doc);
}

START_TEST(text_records)
{
	const struct text_case	*tc = &text_cases[_i];
	uint8_t			 buf[64];
	char			 want[160];
	size_t			 n;

	/* <doc>text</doc> with the record and an EndElement. */
	memcpy(buf, "\x40\x03" "doc", 5);
	memcpy(buf + 5, tc->rec, tc->len);
	buf[5 + tc->len] = 0x01;
	snprintf(want, sizeof(want), "<doc>%s</doc>", tc->text);
	assert_decodes(buf, 6 + tc->len, NULL, want, tc->what);

	/* The WithEndElement twin (lists have none). */
	if (tc->rec[0] != 0xa4) {
		buf[5] |= 1;
		assert_decodes(buf, 5 + tc->len, NULL, want, tc->what);
	}

	/* As an attribute value: <doc v="text"/>. */
	memcpy(buf, "\x40\x03" "doc\x04\x01v", 8);
	memcpy(buf + 8, tc->rec, tc->len);
	n = 8 + tc->len;
	buf[n++] = 0x01;
	snprintf(want, sizeof(want), "<doc v=\"%s\"></doc>", tc->text);
	assert_decodes(buf, n, NULL, want, tc->what);
}
END_TEST

struct doc_case {
	const char	*what;
	size_t		 len;
	uint8_t		 in[64];
	const char	*c14n;
};

#define DC(what, c14n, ...)	{ what, sizeof((uint8_t[]){ __VA_ARGS__ }),	\
	{ __VA_ARGS__ }, c14n }
#define DOC	0x03, 'd', 'o', 'c'
#define URNX	0x05, 'u', 'r', 'n', ':', 'x'

static const struct doc_case doc_cases[] = {
	DC("ShortElement", "<doc></doc>", 0x40, DOC, 0x01),
	DC("Element", "<p:doc xmlns:p=\"urn:x\"></p:doc>",
	    0x41, 0x01, 'p', DOC, 0x09, 0x01, 'p', URNX, 0x01),
	DC("ShortDictionaryElement", "<Envelope></Envelope>", 0x42, 0x02, 0x01),
	DC("DictionaryElement", "<pp:Body xmlns:pp=\"urn:x\"></pp:Body>",
	    0x43, 0x02, 'p', 'p', 0x0e, 0x09, 0x02, 'p', 'p', URNX, 0x01),
	DC("PrefixDictionaryElementA", "<a:To xmlns:a=\"urn:x\"></a:To>",
	    0x44, 0x0c, 0x09, 0x01, 'a', URNX, 0x01),
	DC("PrefixDictionaryElementZ", "<z:To xmlns:z=\"urn:x\"></z:To>",
	    0x5d, 0x0c, 0x09, 0x01, 'z', URNX, 0x01),
	DC("PrefixElementA", "<a:doc xmlns:a=\"urn:x\"></a:doc>",
	    0x5e, DOC, 0x09, 0x01, 'a', URNX, 0x01),
	DC("PrefixElementZ", "<z:doc xmlns:z=\"urn:x\"></z:doc>",
	    0x77, DOC, 0x09, 0x01, 'z', URNX, 0x01),
	DC("ShortAttribute", "<doc a=\"x\"></doc>",
	    0x40, DOC, 0x04, 0x01, 'a', 0x98, 0x01, 'x', 0x01),
	DC("Attribute", "<doc xmlns:p=\"urn:x\" p:a=\"x\"></doc>",
	    0x40, DOC, 0x05, 0x01, 'p', 0x01, 'a', 0x98, 0x01, 'x',
	    0x09, 0x01, 'p', URNX, 0x01),
	DC("ShortDictionaryAttribute", "<doc To=\"true\"></doc>",
	    0x40, DOC, 0x06, 0x0c, 0x86, 0x01),
	DC("DictionaryAttribute",
	    "<doc xmlns:p=\"urn:x\" p:mustUnderstand=\"1\"></doc>",
	    0x40, DOC, 0x09, 0x01, 'p', URNX, 0x07, 0x01, 'p', 0x00, 0x82, 0x01),
	DC("ShortXmlnsAttribute", "<doc xmlns=\"urn:x\"></doc>",
	    0x40, DOC, 0x08, URNX, 0x01),
	DC("XmlnsAttribute", "<doc xmlns:p=\"urn:x\"></doc>",
	    0x40, DOC, 0x09, 0x01, 'p', URNX, 0x01),
	DC("ShortDictionaryXmlnsAttribute", "<doc xmlns=\"" NS_S "\"></doc>",
	    0x40, DOC, 0x0a, 0x04, 0x01),
	DC("DictionaryXmlnsAttribute", "<doc xmlns:s=\"" NS_S "\"></doc>",
	    0x40, DOC, 0x0b, 0x01, 's', 0x04, 0x01),
	DC("PrefixDictionaryAttributeA", "<doc xmlns:a=\"urn:x\" a:To=\"0\"></doc>",
	    0x40, DOC, 0x0c, 0x0c, 0x80, 0x09, 0x01, 'a', URNX, 0x01),
	DC("PrefixDictionaryAttributeZ", "<doc xmlns:z=\"urn:x\" z:To=\"0\"></doc>",
	    0x40, DOC, 0x25, 0x0c, 0x80, 0x09, 0x01, 'z', URNX, 0x01),
	DC("PrefixAttributeA", "<doc xmlns:a=\"urn:x\" a:v=\"\"></doc>",
	    0x40, DOC, 0x26, 0x01, 'v', 0xa8, 0x09, 0x01, 'a', URNX, 0x01),
	DC("PrefixAttributeZ", "<doc xmlns:z=\"urn:x\" z:v=\"\"></doc>",
	    0x40, DOC, 0x3f, 0x01, 'v', 0xa8, 0x09, 0x01, 'z', URNX, 0x01),
	DC("xml prefix", "<doc xml:lang=\"en\"></doc>",
	    0x40, DOC, 0x05, 0x03, 'x', 'm', 'l', 0x04, 'l', 'a', 'n', 'g', 0x98,
	    0x02, 'e', 'n', 0x01),
	DC("Comment", "<!--hi-->\n<doc><!--hello--></doc>",
	    0x02, 0x02, 'h', 'i', 0x40, DOC, 0x02, 0x05, 'h', 'e', 'l', 'l', 'o',
	    0x01),
	/* The example of MC-NBFX 2.2.3.31 (Array). */
	DC("Array", "<doc><arr>13107</arr><arr>-30584</arr><arr>-8739</arr></doc>",
	    0x40, DOC, 0x03, 0x40, 0x03, 'a', 'r', 'r', 0x01, 0x8b, 0x03, 0x33,
	    0x33, 0x88, 0x88, 0xdd, 0xdd, 0x01),
	DC("Array with attributes and bools",
	    "<doc xmlns:p=\"urn:x\"><p:b k=\"v\">true</p:b>"
	    "<p:b k=\"v\">false</p:b></doc>",
	    0x40, DOC, 0x09, 0x01, 'p', URNX, 0x03, 0x5e + 'p' - 'a', 0x01, 'b',
	    0x04, 0x01, 'k', 0x98, 0x01, 'v', 0x01, 0xb5, 0x02, 0x01, 0x00, 0x01),
	DC("Array of Int32", "<doc><i>1</i><i>-1</i></doc>",
	    0x40, DOC, 0x03, 0x40, 0x01, 'i', 0x01, 0x8d, 0x02, 1, 0, 0, 0, 0xff,
	    0xff, 0xff, 0xff, 0x01),
	DC("default namespace and undeclaring it",
	    "<doc xmlns=\"urn:x\"><in xmlns=\"\"></in></doc>",
	    0x40, DOC, 0x08, URNX, 0x40, 0x02, 'i', 'n', 0x08, 0x00, 0x01, 0x01),
	DC("mixed content merges text",
	    "<doc>ab<e></e>cd</doc>",
	    0x40, DOC, 0x98, 0x01, 'a', 0x98, 0x01, 'b', 0x40, 0x01, 'e', 0x01,
	    0x98, 0x01, 'c', 0x99, 0x01, 'd'),
	DC("whitespace outside the root is dropped", "<doc></doc>",
	    0x98, 0x01, ' ', 0x40, DOC, 0x01, 0x98, 0x02, '\r', '\n'),
	DC("escaping", "<doc a=\"&lt;&amp;&quot;\">&lt;&amp;&gt;</doc>",
	    0x40, DOC, 0x04, 0x01, 'a', 0x98, 0x03, '<', '&', '"',
	    0x99, 0x03, '<', '&', '>'),
	DC("Windows-only static string 0x3ce",
	    "<doc>urn:oasis:names:tc:SAML:1.0:cm:bearer</doc>",
	    0x40, DOC, 0xab, 0xce, 0x07),
};

START_TEST(doc_records)
{
	const struct doc_case	*dc = &doc_cases[_i];

	assert_decodes(dc->in, dc->len, NULL, dc->c14n, dc->what);
}
END_TEST

START_TEST(session_records)
{
	/* Session strings: 1 = "item", 3 = "urn:s", 5 = "val". */
	static const uint8_t	 table[] = { 0x0f, 0x04, 'i', 't', 'e', 'm',
		0x05, 'u', 'r', 'n', ':', 's', 0x03, 'v', 'a', 'l' };
	static const uint8_t	 in[] = { 0x42, 0x01, 0x0a, 0x03, 0x06, 0x05,
		0xaa, 0x05, 0x44, 0x01, 0x0b, 0x01, 'a', 0x03, 0xbc, 0x00, 0x01,
		0x01, 0xab, 0x05 };
	struct nbfx_dict	*d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);

	ck_assert_int_eq(table_exact(d, table, sizeof(table)), (int)sizeof(table));
	ck_assert_uint_eq(nbfx_dict_count(d), 3);
	assert_decodes(in, sizeof(in), d,
	    "<item xmlns=\"urn:s\" val=\"val\"><a:item xmlns:a=\"urn:s\">"
	    "a:item</a:item>val</item>", "session records");
	nbfx_dict_free(d);
}
END_TEST

/* ---- XML -> binary -> XML ------------------------------------------------ */

static void
assert_round_trip(xmlDocPtr doc, bool session, const char *what)
{
	struct nbfx_dict	*wd = NULL, *rd = NULL;
	uint8_t			*t, *o;
	size_t			 tl, ol;
	xmlDocPtr		 again;
	const char		*why;
	char			*s1, *s2;
	int			 rc;

	if (session) {
		wd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
		rd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	}
	rc = nbfx_write(doc, wd, &t, &tl, &o, &ol);
	ck_assert_msg(rc == 0, "%s: write %d", what, rc);
	if (session)
		ck_assert_int_eq(table_exact(rd, t, tl), (int)tl);
	rc = read_exact(o, ol, rd, &again, &why);
	ck_assert_msg(rc == 0, "%s: read %d (%s)", what, rc, why);
	s1 = c14n(doc);
	s2 = c14n(again);
	ck_assert_msg(strcmp(s1, s2) == 0, "%s:\n%s\n%s", what, s1, s2);
	xmlFree(s1);
	xmlFree(s2);
	xmlFreeDoc(again);
	free(t);
	free(o);
	nbfx_dict_free(wd);
	nbfx_dict_free(rd);
}

static const char *xml_cases[] = {
	"<doc/>",
	"<doc a=\"1\" b=\"0\" c=\"true\" d=\"false\" e=\"\" f=\"x y\">1</doc>",
	"<doc>0</doc>",
	"<doc>true<x/>false</doc>",
	"<s:Envelope xmlns:s=\"" NS_S "\"><s:Body xml:lang=\"en\"><!-- c -->"
	    "<![CDATA[a<b]]></s:Body></s:Envelope>",
	"<a xmlns=\"urn:1\"><b xmlns=\"\"><c xmlns=\"urn:2\" xmlns:q=\"urn:1\" "
	    "q:k=\"v\"/></b></a>",
	"<p:a xmlns:p=\"urn:1\"><p:b xmlns:p=\"urn:2\"><p:c/></p:b><p:d/></p:a>",
	"<longprefix:Envelope xmlns:longprefix=\"" NS_S "\" "
	    "longprefix:mustUnderstand=\"0\"/>",
	"<doc>caf\xc3\xa9 \xf0\x9f\x98\x80 &amp; &lt;tag&gt; \"q\" 'a'\r\n\t</doc>",
	"<doc a=\"&#9;&#10;&#13;\"/>",
};

START_TEST(xml_round_trip)
{
	xmlDocPtr	 doc = parse(xml_cases[_i]);

	assert_round_trip(doc, false, xml_cases[_i]);
	assert_round_trip(doc, true, xml_cases[_i]);
	xmlFreeDoc(doc);
}
END_TEST

/* Texts of every length class: Chars8, Chars16, Chars32. */
START_TEST(long_texts)
{
	static const size_t	 lens[] = { 255, 256, 65535, 65536, 200000 };
	xmlDocPtr		 doc;
	xmlNodePtr		 root;
	uint8_t			*t, *o;
	size_t			 tl, ol, i;
	char			*s;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		s = malloc(lens[i] + 1);
		memset(s, 'x', lens[i]);
		s[lens[i]] = '\0';
		doc = xmlNewDoc(BAD_CAST "1.0");
		root = xmlNewDocNode(doc, NULL, BAD_CAST "doc", NULL);
		xmlDocSetRootElement(doc, root);
		xmlAddChild(root, xmlNewDocText(doc, BAD_CAST s));
		xmlNewProp(root, BAD_CAST "v", BAD_CAST s);
		ck_assert_int_eq(nbfx_write(doc, NULL, &t, &tl, &o, &ol), 0);
		/* 40 03 doc 04 01 v, then the value's record type. */
		ck_assert_uint_eq(o[8], lens[i] <= 0xff ? 0x98 :
		    lens[i] <= 0xffff ? 0x9a : 0x9c);
		assert_round_trip(doc, false, "long text");
		xmlFreeDoc(doc);
		free(o);
		free(s);
	}
}
END_TEST

/* ---- random infosets ----------------------------------------------------- */

static uint64_t	 rng_state;

static uint32_t
rng(void)
{
	/* xorshift64*: deterministic across runs and platforms. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static uint32_t
rnd(uint32_t n)
{
	return rng() % n;
}

static const char *names[] = {
	"Envelope", "Body", "Header", "Action", "To", "a", "s", "mustUnderstand",
	"text", "item", "Value", "x", "detail", "n\xc3\xa9", "_under", "dash-ed",
	"dot.ted", "Q9",
};
static const char *uris[] = {
	NS_S, NS_A, "urn:wsprobe", "http://example.org/ns", "urn:x:\xc3\xa9",
	"http://www.w3.org/2001/XMLSchema-instance", "urn:a", "urn:b",
};
static const char *prefixes[] = {
	"a", "s", "z", "p", "ns1", "longer", "b",
};

static void
random_name(char *buf, size_t cap)
{
	static const char	 chars[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
	size_t			 i, n;

	if (rnd(3) != 0) {
		snprintf(buf, cap, "%s", names[rnd(sizeof(names) / sizeof(names[0]))]);
		return;
	}
	n = 1 + rnd(cap - 2 < 40 ? (uint32_t)cap - 2 : 40);
	for (i = 0; i < n; i++)
		buf[i] = i == 0 ? chars[rnd(26)] : chars[rnd(sizeof(chars) - 1)];
	buf[n] = '\0';
}

static void
random_text(char *buf, size_t cap)
{
	static const char	*pieces[] = {
		"0", "1", "true", "false", " ", "a", "hello", "<", "&", ">", "\"",
		"'", "\t", "\n", "\r", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"]]>", "--", "urn:wsprobe", "Envelope",
	};
	size_t	 n = 0, k, len;

	buf[0] = '\0';
	k = rnd(5) == 0 ? 0 : rnd(12);
	if (rnd(50) == 0)
		k = 200;	/* longer than Chars8 */
	while (k-- > 0) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];

		len = strlen(p);
		if (n + len + 1 > cap)
			break;
		memcpy(buf + n, p, len + 1);
		n += len;
	}
}

/* A namespace for prefix `p` (NULL: default) in scope at `n`, declaring
 * one on `n` when there is none. */
static xmlNsPtr
random_ns(xmlDocPtr doc, xmlNodePtr n, const char *p)
{
	xmlNsPtr	 ns;

	ns = xmlSearchNs(doc, n, BAD_CAST p);
	if (ns != NULL && (ns->href[0] != '\0' || rnd(2) == 0))
		return ns->href[0] != '\0' ? ns : NULL;
	return xmlNewNs(n, BAD_CAST uris[rnd(sizeof(uris) / sizeof(uris[0]))],
	    BAD_CAST p);
}

static void
random_element(xmlDocPtr doc, xmlNodePtr parent, int depth)
{
	xmlNodePtr	 n;
	xmlNsPtr	 ns, def;
	char		 name[64], text[2048];
	const char	*p;
	uint32_t	 i, k;

	random_name(name, sizeof(name));
	n = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
	if (parent == NULL)
		xmlDocSetRootElement(doc, n);
	else
		xmlAddChild(parent, n);
	/* Some extra declarations, then the element's own namespace. */
	for (k = rnd(3); k > 0; k--) {
		p = rnd(3) == 0 ? NULL : prefixes[rnd(sizeof(prefixes) /
		    sizeof(prefixes[0]))];
		for (ns = n->nsDef; ns != NULL; ns = ns->next)
			if (xmlStrEqual(ns->prefix, BAD_CAST p))
				break;
		if (ns == NULL)
			xmlNewNs(n, BAD_CAST (p == NULL && rnd(4) == 0 ? "" :
			    uris[rnd(sizeof(uris) / sizeof(uris[0]))]), BAD_CAST p);
	}
	switch (rnd(3)) {
	case 0:
		def = xmlSearchNs(doc, n, NULL);
		if (def != NULL && def->href[0] != '\0') {
			/* No namespace under a default one: undeclare it
			 * explicitly, as a parser would have seen it. */
			for (ns = n->nsDef; ns != NULL; ns = ns->next)
				if (ns->prefix == NULL)
					break;
			if (ns == NULL)
				xmlNewNs(n, BAD_CAST "", NULL);
			else
				xmlSetNs(n, ns->href[0] != '\0' ? ns : NULL);
		}
		break;
	case 1:
		xmlSetNs(n, random_ns(doc, n, NULL));
		break;
	default:
		xmlSetNs(n, random_ns(doc, n,
		    prefixes[rnd(sizeof(prefixes) / sizeof(prefixes[0]))]));
		break;
	}
	for (k = rnd(4); k > 0; k--) {
		random_name(name, sizeof(name));
		random_text(text, sizeof(text));
		ns = NULL;
		if (rnd(2) == 0)
			ns = random_ns(doc, n, prefixes[rnd(sizeof(prefixes) /
			    sizeof(prefixes[0]))]);
		if (xmlHasNsProp(n, BAD_CAST name, ns != NULL ? ns->href : NULL))
			continue;
		xmlNewNsProp(n, ns, BAD_CAST name, BAD_CAST text);
	}
	k = depth > 6 ? 0 : rnd(5);
	for (i = 0; i < k; i++) {
		switch (rnd(6)) {
		case 0:
		case 1:
			random_element(doc, n, depth + 1);
			break;
		case 2:
			xmlAddChild(n, xmlNewDocComment(doc, BAD_CAST "c"));
			break;
		default:
			random_text(text, sizeof(text));
			if (text[0] != '\0' && (n->last == NULL ||
			    n->last->type != XML_TEXT_NODE))
				xmlAddChild(n, xmlNewDocText(doc, BAD_CAST text));
			break;
		}
	}
}

START_TEST(random_round_trip)
{
	xmlDocPtr	 doc;
	int		 i;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 3000; i++) {
		doc = xmlNewDoc(BAD_CAST "1.0");
		if (rnd(10) == 0)
			xmlAddChild((xmlNodePtr)doc, xmlNewDocComment(doc,
			    BAD_CAST "before"));
		random_element(doc, NULL, 0);
		assert_round_trip(doc, (i & 1) != 0, "random infoset");
		xmlFreeDoc(doc);
	}
}
END_TEST

/* ---- the session quota --------------------------------------------------- */

static void
string127(char *buf, int i)
{
	memset(buf, 'n', 127);
	buf[0] = (char)('a' + i % 26);
	buf[1] = (char)('a' + i / 26);
	buf[127] = '\0';
}

START_TEST(quota)
{
	struct nbfx_dict	*d;
	uint8_t			 table[2 + 17 * 128];
	size_t			 n = 2;
	char			 s[128];
	int			 i;

	/* One table of 16 strings of 127 bytes: 2048 exactly. */
	table[0] = 0x80;
	table[1] = 0x10;	/* MultiByteInt31 2048 */
	for (i = 0; i < 16; i++) {
		string127(s, i);
		table[n++] = 127;
		memcpy(table + n, s, 127);
		n += 127;
	}
	d = nbfx_dict_new(2048);
	ck_assert_int_eq(table_exact(d, table, n), (int)n);
	ck_assert_uint_eq(nbfx_dict_count(d), 16);
	ck_assert_uint_eq(nbfx_dict_bytes(d), 2048);
	/* A 17th string in a later table overflows. */
	ck_assert_int_eq(table_exact(d, (const uint8_t *)"\x02\x01x", 3), -EDQUOT);
	ck_assert_uint_eq(nbfx_dict_count(d), 16);
	nbfx_dict_free(d);

	/* 17 strings in one table: refused whole, dictionary unchanged. */
	table[0] = 0x80;
	table[1] = 0x11;	/* 2176 */
	string127(s, 16);
	table[n++] = 127;
	memcpy(table + n, s, 127);
	n += 127;
	d = nbfx_dict_new(2048);
	ck_assert_int_eq(table_exact(d, table, n), -EDQUOT);
	ck_assert_uint_eq(nbfx_dict_count(d), 0);
	ck_assert_uint_eq(nbfx_dict_bytes(d), 0);
	nbfx_dict_free(d);
}
END_TEST

/* The writer stops adding at the quota and writes the rest inline. */
START_TEST(quota_writer)
{
	struct nbfx_dict	*wd, *rd;
	xmlDocPtr		 doc, again;
	xmlNodePtr		 root, c;
	uint8_t			*t, *o;
	size_t			 tl, ol;
	const char		*why;
	char			 s[128], *s1, *s2;
	int			 i;

	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(doc, NULL, BAD_CAST "Body", NULL);	/* static */
	xmlDocSetRootElement(doc, root);
	for (i = 0; i < 17; i++) {
		string127(s, i);
		c = xmlNewDocNode(doc, NULL, BAD_CAST s, NULL);
		xmlAddChild(root, c);
	}
	wd = nbfx_dict_new(2048);
	ck_assert_int_eq(nbfx_write(doc, wd, &t, &tl, &o, &ol), 0);
	ck_assert_uint_eq(nbfx_dict_count(wd), 16);
	ck_assert_uint_eq(tl, 2 + 2048);
	/* Body (42 0e), 16 x (42 id 01) with 1-byte ids 1..31, then the
	 * 17th inline: 40 7f name 01. */
	ck_assert_uint_eq(o[0], 0x42);
	ck_assert_uint_eq(o[2 + 15 * 3], 0x42);
	ck_assert_uint_eq(o[2 + 15 * 3 + 1], 31);
	ck_assert_uint_eq(o[2 + 16 * 3], 0x40);
	ck_assert_uint_eq(o[2 + 16 * 3 + 1], 127);
	rd = nbfx_dict_new(2048);
	ck_assert_int_eq(table_exact(rd, t, tl), (int)tl);
	ck_assert_int_eq(read_exact(o, ol, rd, &again, &why), 0);
	s1 = c14n(doc);
	s2 = c14n(again);
	ck_assert_str_eq(s1, s2);
	xmlFree(s1);
	xmlFree(s2);
	xmlFreeDoc(again);
	xmlFreeDoc(doc);
	free(t);
	free(o);
	nbfx_dict_free(wd);
	nbfx_dict_free(rd);
}
END_TEST

/* ---- malformed input ----------------------------------------------------- */

START_TEST(truncated_vectors)
{
	const uint8_t	*payloads[] = { client_payload, listener_payload };
	size_t		 lens[] = { sizeof(client_payload), sizeof(listener_payload) };
	struct nbfx_dict *d;
	xmlDocPtr	 doc;
	const char	*why;
	size_t		 p, k;

	for (p = 0; p < 2; p++) {
		for (k = 0; k < TABLE_LEN; k++) {
			d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
			ck_assert_int_eq(table_exact(d, payloads[p], k), -EBADMSG);
			ck_assert_uint_eq(nbfx_dict_count(d), 0);
			nbfx_dict_free(d);
		}
		d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
		ck_assert_int_eq(table_exact(d, payloads[p], lens[p]), TABLE_LEN);
		for (k = 0; k < lens[p] - TABLE_LEN; k++)
			ck_assert_msg(read_exact(payloads[p] + TABLE_LEN, k, d,
			    &doc, &why) == -EBADMSG,
			    "payload %zu truncated to %zu decoded", p, k);
		/* Without the session the ids 1 and 3 are unknown. */
		ck_assert_int_eq(read_exact(payloads[p] + TABLE_LEN,
		    lens[p] - TABLE_LEN, NULL, &doc, &why), -EBADMSG);
		ck_assert_str_eq(why, "session dictionary id without a session");
		nbfx_dict_free(d);
	}
}
END_TEST

struct bad_case {
	const char	*what;
	size_t		 len;
	uint8_t		 in[40];
};

#define BC(what, ...)	{ what, sizeof((uint8_t[]){ __VA_ARGS__ }),	\
	{ __VA_ARGS__ } }

static const struct bad_case bad_cases[] = {
	BC("empty", 0x00),		/* (len forced to 0 below) */
	BC("record 0x00", 0x40, DOC, 0x00, 0x01),
	BC("record 0x78", 0x40, DOC, 0x78, 0x01),
	BC("record 0x7f", 0x40, DOC, 0x7f, 0x01),
	BC("record 0xbe", 0x40, DOC, 0xbe, 0x01),
	BC("record 0xff", 0x40, DOC, 0xff, 0x01),
	BC("StartListText WithEndElement", 0x40, DOC, 0xa5, 0xa6),
	BC("EndListText alone", 0x40, DOC, 0xa6, 0x01),
	BC("nested list", 0x40, DOC, 0xa4, 0xa4, 0xa6, 0xa6, 0x01),
	BC("WithEndElement in a list", 0x40, DOC, 0xa4, 0x81, 0xa6, 0x01),
	BC("Chars8 past the end", 0x40, DOC, 0x99, 0x05, 'a'),
	BC("Chars32 negative", 0x40, DOC, 0x9d, 0x00, 0x00, 0x00, 0x80, 'a'),
	BC("Bytes16 past the end", 0x40, DOC, 0xa1, 0xff, 0xff, 0x00),
	BC("name past the end", 0x40, 0x7f, 'a'),
	BC("MultiByteInt31 too long", 0x40, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
	BC("MultiByteInt31 over 2^31", 0x40, 0xff, 0xff, 0xff, 0xff, 0x7f),
	BC("static id out of range", 0x42, 0xd2, 0x07, 0x01),
	BC("session id without a session", 0x42, 0x01, 0x01),
	BC("attribute after text", 0x40, DOC, 0x98, 0x01, 'a', 0x04, 0x01, 'a',
	    0x80, 0x01),
	BC("attribute at the top", 0x04, 0x01, 'a', 0x80),
	BC("attribute value WithEndElement", 0x40, DOC, 0x04, 0x01, 'a', 0x81),
	BC("attribute value not text", 0x40, DOC, 0x04, 0x01, 'a', 0x40),
	BC("undeclared element prefix", 0x5e + 15, DOC, 0x01),
	BC("undeclared attribute prefix", 0x40, DOC, 0x26 + 15, 0x01, 'a', 0x80,
	    0x01),
	BC("duplicate attribute", 0x40, DOC, 0x04, 0x01, 'a', 0x80, 0x04, 0x01,
	    'a', 0x82, 0x01),
	BC("duplicate attribute by namespace", 0x40, DOC, 0x09, 0x01, 'p', URNX,
	    0x09, 0x01, 'q', URNX, 0x26 + 15, 0x01, 'a', 0x80, 0x26 + 16, 0x01,
	    'a', 0x80, 0x01),
	BC("prefix declared twice", 0x40, DOC, 0x09, 0x01, 'p', URNX, 0x09, 0x01,
	    'p', URNX, 0x01),
	BC("prefix bound to nothing", 0x40, DOC, 0x09, 0x01, 'p', 0x00, 0x01),
	BC("xmlns prefix declared", 0x40, DOC, 0x09, 0x05, 'x', 'm', 'l', 'n',
	    's', URNX, 0x01),
	BC("xml prefix rebound", 0x40, DOC, 0x09, 0x03, 'x', 'm', 'l', URNX, 0x01),
	BC("xmlns as an attribute", 0x40, DOC, 0x04, 0x05, 'x', 'm', 'l', 'n',
	    's', 0x80, 0x01),
	BC("two roots", 0x40, DOC, 0x01, 0x40, DOC, 0x01),
	BC("text outside the root", 0x98, 0x01, 'x', 0x40, DOC, 0x01),
	BC("EndElement at the top", 0x40, DOC, 0x01, 0x01),
	BC("WithEndElement at the top", 0x81),
	BC("unclosed element", 0x40, DOC),
	BC("no root", 0x02, 0x01, 'c'),
	BC("invalid UTF-8 text", 0x40, DOC, 0x99, 0x02, 0xc3, 0x28),
	BC("overlong UTF-8", 0x40, DOC, 0x99, 0x02, 0xc0, 0xaf),
	BC("UTF-8 surrogate", 0x40, DOC, 0x99, 0x03, 0xed, 0xa0, 0x80),
	BC("control character", 0x40, DOC, 0x99, 0x01, 0x01),
	BC("NUL in a name", 0x40, 0x03, 'd', 0x00, 'c', 0x01),
	BC("name not an NCName", 0x40, 0x03, '1', 'a', 'b', 0x01),
	BC("name with a colon", 0x40, 0x03, 'a', ':', 'b', 0x01),
	BC("empty name", 0x40, 0x00, 0x01),
	BC("odd UTF-16 length", 0x40, DOC, 0xb7, 0x03, 'a', 0, 'b'),
	BC("lone surrogate", 0x40, DOC, 0xb7, 0x02, 0x00, 0xd8),
	BC("decimal scale 29", 0x40, DOC, 0x95, 0, 0, 29, 0, 0, 0, 0, 0, 1, 0, 0,
	    0, 0, 0, 0, 0),
	BC("decimal bad sign", 0x40, DOC, 0x95, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0,
	    0, 0, 0, 0, 0),
	BC("DateTime kind 3", 0x40, DOC, 0x97, 0, 0, 0, 0, 0, 0, 0, 0xc0),
	BC("DateTime past 9999", 0x40, DOC, 0x97, 0x00, 0x40, 0x37, 0xf4, 0x75,
	    0x28, 0xca, 0x2b),
	BC("QName prefix 26", 0x40, DOC, 0xbd, 26, 0x02),
	BC("Array of nothing", 0x40, DOC, 0x03, 0x40, 0x01, 'i', 0x01, 0x8d, 0x00,
	    0x01),
	BC("Array bad type", 0x40, DOC, 0x03, 0x40, 0x01, 'i', 0x01, 0x99, 0x01,
	    0x01, 'a', 0x01),
	BC("Array non-EndElement form", 0x40, DOC, 0x03, 0x40, 0x01, 'i', 0x01,
	    0x8c, 0x01, 0, 0, 0, 0, 0x01),
	BC("Array short", 0x40, DOC, 0x03, 0x40, 0x01, 'i', 0x01, 0x8d, 0x02, 1,
	    0, 0, 0, 0x01),
	BC("Array with content", 0x40, DOC, 0x03, 0x40, 0x01, 'i', 0x80, 0x01,
	    0x8d, 0x01, 0, 0, 0, 0, 0x01),
	BC("Array at the top", 0x03, 0x40, 0x01, 'i', 0x01, 0x8d, 0x01, 0, 0, 0,
	    0),
	BC("Array of Array", 0x40, DOC, 0x03, 0x03, 0x40, 0x01, 'i', 0x01, 0x8d,
	    0x01, 0, 0, 0, 0, 0x01),
	BC("comment with --", 0x02, 0x03, 'a', '-', '-', 0x40, DOC, 0x01),
	BC("comment ending in -", 0x02, 0x02, 'a', '-', 0x40, DOC, 0x01),
};

START_TEST(malformed)
{
	const struct bad_case	*bc = &bad_cases[_i];
	xmlDocPtr		 doc;
	const char		*why;
	int			 rc;

	rc = read_exact(bc->in, _i == 0 ? 0 : bc->len, NULL, &doc, &why);
	ck_assert_msg(rc == -EBADMSG, "%s: %d", bc->what, rc);
}
END_TEST

START_TEST(session_id_unknown)
{
	static const uint8_t	 in[] = { 0x42, 0x05, 0x01 };	/* id 5: 3rd */
	struct nbfx_dict	*d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	xmlDocPtr		 doc;
	const char		*why;

	ck_assert_int_eq(table_exact(d, client_payload, TABLE_LEN), TABLE_LEN);
	ck_assert_int_eq(read_exact(in, sizeof(in), d, &doc, &why), -EBADMSG);
	ck_assert_str_eq(why, "session dictionary id not in the dictionary");
	nbfx_dict_free(d);
}
END_TEST

START_TEST(bad_tables)
{
	static const struct {
		size_t	 len;
		uint8_t	 in[8];
	} cases[] = {
		{ 0, { 0 } },				/* nothing */
		{ 3, { 0x03, 0x01, 'a' } },		/* short of its size */
		{ 4, { 0x03, 0x03, 'a', 'b' } },	/* string overruns */
		{ 4, { 0x03, 0x01, 'a', 0x81 } },	/* length cut short */
		{ 3, { 0x02, 0x01, 0xff } },		/* not UTF-8 */
		{ 3, { 0x02, 0x01, 0x00 } },		/* NUL */
		{ 6, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 } },
	};
	struct nbfx_dict	*d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(table_exact(d, cases[i].in, cases[i].len) == -EBADMSG,
		    "table case %zu", i);
	ck_assert_uint_eq(nbfx_dict_count(d), 0);
	/* Trailing bytes after the table belong to the document. */
	ck_assert_int_eq(table_exact(d, (const uint8_t *)"\x02\x01" "a\x40", 4), 3);
	ck_assert_uint_eq(nbfx_dict_count(d), 1);
	nbfx_dict_free(d);
}
END_TEST

static void
nested(uint8_t *buf, size_t depth, size_t *len)
{
	size_t	 i, n = 0;

	for (i = 0; i < depth; i++) {
		buf[n++] = 0x40;
		buf[n++] = 0x01;
		buf[n++] = 'e';
	}
	for (i = 0; i < depth; i++)
		buf[n++] = 0x01;
	*len = n;
}

START_TEST(limits)
{
	static uint8_t		 buf[4 * 1024 * 1024];
	struct nbfx_dict	*d;
	xmlDocPtr		 doc;
	const char		*why;
	size_t			 n, i;
	char			 s[2001];

	nested(buf, NBFX_MAX_DEPTH, &n);
	ck_assert_int_eq(read_exact(buf, n, NULL, &doc, &why), 0);
	xmlFreeDoc(doc);
	nested(buf, NBFX_MAX_DEPTH + 1, &n);
	ck_assert_int_eq(read_exact(buf, n, NULL, &doc, &why), -EBADMSG);
	ck_assert_str_eq(why, "elements nested too deep");
	nested(buf, 100000, &n);
	ck_assert_int_eq(read_exact(buf, n, NULL, &doc, &why), -EBADMSG);

	/* Too many attributes on one element. */
	n = 0;
	buf[n++] = 0x40, buf[n++] = 0x01, buf[n++] = 'e';
	for (i = 0; i <= NBFX_MAX_ATTRS; i++) {
		buf[n++] = 0x04;
		buf[n++] = 0x03;
		buf[n++] = (uint8_t)('a' + i / 26 / 26 % 26);
		buf[n++] = (uint8_t)('a' + i / 26 % 26);
		buf[n++] = (uint8_t)('a' + i % 26);
		buf[n++] = 0x80;
	}
	buf[n++] = 0x01;
	ck_assert_int_eq(read_exact(buf, n, NULL, &doc, &why), -EBADMSG);
	ck_assert_str_eq(why, "too many attributes");
	ck_assert_int_eq(read_exact(buf + 6, n - 6, NULL, &doc, &why), -EBADMSG);

	/* A 2000-byte session string referenced 30000 times: 60 kB that
	 * would expand to 60 MB. */
	d = nbfx_dict_new(4096);
	n = 0;
	buf[n++] = 0xd2, buf[n++] = 0x0f;	/* table size 2002 */
	buf[n++] = 0xd0, buf[n++] = 0x0f;	/* string length 2000 */
	memset(s, 'x', 2000);
	memcpy(buf + n, s, 2000);
	n += 2000;
	ck_assert_int_eq(table_exact(d, buf, n), (int)n);
	n = 0;
	buf[n++] = 0x40, buf[n++] = 0x01, buf[n++] = 'e';
	for (i = 0; i < 30000; i++)
		buf[n++] = 0xaa, buf[n++] = 0x01;
	buf[n++] = 0x01;
	ck_assert_int_eq(read_exact(buf, n, d, &doc, &why), -EBADMSG);
	ck_assert_str_eq(why, "document expands beyond the limit");
	nbfx_dict_free(d);
}
END_TEST

/* Random mutations of the vectors: decode or refuse, never crash; what
 * decodes encodes and decodes back to the same infoset. */
START_TEST(mutations)
{
	uint8_t			 buf[160];
	struct nbfx_dict	*d;
	xmlDocPtr		 doc;
	const char		*why;
	size_t			 len;
	int			 i, k, rc, ok = 0, n;

	rng_state = 0x2545f4914f6cdd1dULL;
	for (i = 0; i < 20000; i++) {
		len = sizeof(client_payload);
		memcpy(buf, client_payload, len);
		for (k = 1 + (int)rnd(4); k > 0; k--) {
			switch (rnd(3)) {
			case 0:
				buf[rnd((uint32_t)len)] = (uint8_t)rng();
				break;
			case 1:
				buf[rnd((uint32_t)len)] ^= (uint8_t)(1u << rnd(8));
				break;
			default:
				if (len > TABLE_LEN)
					len = TABLE_LEN +
					    rnd((uint32_t)(len - TABLE_LEN));
				break;
			}
		}
		d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
		n = table_exact(d, buf, len);
		if (n >= 0) {
			rc = read_exact(buf + n, len - (size_t)n, d, &doc, &why);
			ck_assert(rc == 0 || rc == -EBADMSG);
			if (rc == 0) {
				ok++;
				assert_round_trip(doc, true, "mutation");
				xmlFreeDoc(doc);
			}
		} else
			ck_assert(n == -EBADMSG || n == -EDQUOT);
		nbfx_dict_free(d);
	}
	ck_assert_int_gt(ok, 100);
}
END_TEST

/* ---- writer refusals ----------------------------------------------------- */

START_TEST(write_refusals)
{
	struct nbfx_dict	*d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	xmlDocPtr		 doc;
	xmlNodePtr		 root;
	xmlNsPtr		 ns;
	uint8_t			*t = (uint8_t *)"x", *o = (uint8_t *)"y";
	size_t			 tl = 7, ol = 7;

	/* A processing instruction after names that would enter the
	 * session: refused, and the dictionary keeps nothing. */
	doc = parse("<newname xmlns=\"urn:new\"><?pi x?></newname>");
	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), -EINVAL);
	ck_assert_uint_eq(nbfx_dict_count(d), 0);
	ck_assert_uint_eq(nbfx_dict_bytes(d), 0);
	ck_assert_uint_eq(tl, 7);	/* outputs untouched */
	xmlFreeDoc(doc);

	/* An attribute in a namespace without a prefix. */
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(doc, NULL, BAD_CAST "r", NULL);
	xmlDocSetRootElement(doc, root);
	ns = xmlNewNs(root, BAD_CAST "urn:x", NULL);
	xmlNewNsProp(root, ns, BAD_CAST "a", BAD_CAST "v");
	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), -EINVAL);
	xmlFreeDoc(doc);

	/* Text and comments XML cannot hold, a name that is no NCName. */
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(doc, NULL, BAD_CAST "r", NULL);
	xmlDocSetRootElement(doc, root);
	xmlAddChild(root, xmlNewDocText(doc, BAD_CAST "a\001b"));
	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), -EINVAL);
	xmlFreeDoc(doc);
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(doc, NULL, BAD_CAST "r", NULL);
	xmlDocSetRootElement(doc, root);
	xmlAddChild(root, xmlNewDocComment(doc, BAD_CAST "a--b"));
	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), -EINVAL);
	xmlFreeDoc(doc);
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(doc, NULL, BAD_CAST "a:b", NULL);
	xmlDocSetRootElement(doc, root);
	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), -EINVAL);
	xmlFreeDoc(doc);

	/* No root. */
	doc = xmlNewDoc(BAD_CAST "1.0");
	ck_assert_int_eq(nbfx_write(doc, d, &t, &tl, &o, &ol), -EINVAL);
	xmlFreeDoc(doc);
	ck_assert_uint_eq(nbfx_dict_count(d), 0);
	nbfx_dict_free(d);
	nbfx_dict_free(NULL);
}
END_TEST

/* A namespace the tree uses but never declares gets a declaration. */
START_TEST(write_adds_declarations)
{
	xmlDocPtr	 doc, again;
	xmlNodePtr	 root, c;
	xmlNsPtr	 ns;
	uint8_t		*t, *o;
	size_t		 tl, ol;
	const char	*why;
	char		*s;

	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(doc, NULL, BAD_CAST "r", NULL);
	xmlDocSetRootElement(doc, root);
	ns = xmlNewNs(NULL, BAD_CAST "urn:x", BAD_CAST "p");
	c = xmlNewDocNode(doc, ns, BAD_CAST "c", NULL);
	xmlAddChild(root, c);
	ck_assert_int_eq(nbfx_write(doc, NULL, &t, &tl, &o, &ol), 0);
	ck_assert_int_eq(read_exact(o, ol, NULL, &again, &why), 0);
	s = c14n(again);
	ck_assert_str_eq(s, "<r><p:c xmlns:p=\"urn:x\"></p:c></r>");
	xmlFree(s);
	xmlFreeDoc(again);
	xmlFreeDoc(doc);
	xmlFreeNs(ns);
	free(o);
}
END_TEST

START_TEST(static_dictionary)
{
	size_t	 i, j;

	ck_assert_str_eq(nbfs_dict[0x00 / 2].s, "mustUnderstand");
	ck_assert_str_eq(nbfs_dict[0x02 / 2].s, "Envelope");
	ck_assert_str_eq(nbfs_dict[0x04 / 2].s, NS_S);
	ck_assert_str_eq(nbfs_dict[0x06 / 2].s, NS_A);
	ck_assert_str_eq(nbfs_dict[0x08 / 2].s, "Header");
	ck_assert_str_eq(nbfs_dict[0x0a / 2].s, "Action");
	ck_assert_str_eq(nbfs_dict[0x0c / 2].s, "To");
	ck_assert_str_eq(nbfs_dict[0x0e / 2].s, "Body");
	ck_assert_str_eq(nbfs_dict[0xa2 / 2].s, "");
	ck_assert_str_eq(nbfs_dict[0x256 / 2].s, "xmlns");
	ck_assert_str_eq(nbfs_dict[0x3c2 / 2].s,
	    "http://schemas.xmlsoap.org/soap/envelope/");
	ck_assert_str_eq(nbfs_dict[0x3cc / 2].s, "detail");
	for (i = 0; i < NBFS_DICT_COUNT_READ; i++) {
		ck_assert_uint_eq(strlen(nbfs_dict[i].s), nbfs_dict[i].len);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(nbfs_dict[i].s, nbfs_dict[j].s);
		if (i < NBFS_DICT_COUNT)
			ck_assert_int_eq(nbfs_dict_lookup(nbfs_dict[i].s,
			    nbfs_dict[i].len), (int)i);
	}
	ck_assert_int_eq(nbfs_dict_lookup(nbfs_dict[487].s, nbfs_dict[487].len), -1);
	ck_assert_int_eq(nbfs_dict_lookup("text", 4), -1);
}
END_TEST

static Suite *
nbfx_suite(void)
{
	Suite	*s = suite_create("nbfx");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, static_dictionary);
	tcase_add_test(tc, client_vector);
	tcase_add_test(tc, listener_vector);
	tcase_add_test(tc, vector_from_text);
	tcase_add_test(tc, no_session);
	tcase_add_loop_test(tc, text_records, 0,
	    sizeof(text_cases) / sizeof(text_cases[0]));
	tcase_add_loop_test(tc, doc_records, 0,
	    sizeof(doc_cases) / sizeof(doc_cases[0]));
	tcase_add_test(tc, session_records);
	tcase_add_loop_test(tc, xml_round_trip, 0,
	    sizeof(xml_cases) / sizeof(xml_cases[0]));
	tcase_add_test(tc, long_texts);
	tcase_add_test(tc, random_round_trip);
	tcase_add_test(tc, quota);
	tcase_add_test(tc, quota_writer);
	tcase_add_test(tc, truncated_vectors);
	tcase_add_loop_test(tc, malformed, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, session_id_unknown);
	tcase_add_test(tc, bad_tables);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, mutations);
	tcase_add_test(tc, write_refusals);
	tcase_add_test(tc, write_adds_declarations);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(nbfx_suite());
	int	 failed;

	xmlSetGenericErrorFunc(NULL, quiet);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
