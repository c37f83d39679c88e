/* Check suite for daemon/envelope.c (SOAP envelopes over libxml2). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "envelope.h"

#define NS12	"http://www.w3.org/2003/05/soap-envelope"
#define NS11	"http://schemas.xmlsoap.org/soap/envelope/"
#define WSA10	"http://www.w3.org/2005/08/addressing"
#define WSA09	"http://schemas.xmlsoap.org/ws/2004/08/addressing"

#define PING_BODY "<text xmlns=\"urn:wsprobe\">hello from wsprobe client</text>"

/*
 * The envelope of the Wine capture (net.tcp-capture.txt, part A) as text:
 * xmlns:a before xmlns:s, Action and To with mustUnderstand, the body in
 * its own default namespace.
 */
static const char capture_doc[] =
    "<s:Envelope xmlns:a=\"" WSA10 "\" xmlns:s=\"" NS12 "\">"
    "<s:Header>"
    "<a:Action s:mustUnderstand=\"1\">urn:wsprobe/Ping</a:Action>"
    "<a:To s:mustUnderstand=\"1\">net.tcp://127.0.0.1:27150/wsprobe</a:To>"
    "</s:Header>"
    "<s:Body>" PING_BODY "</s:Body>"
    "</s:Envelope>";

static void
set_body(struct envelope *e, const char *body)
{
	e->body = (uint8_t *)body;
	e->body_len = body != NULL ? strlen(body) : 0;
}

static char *
write_string(const struct envelope *e)
{
	uint8_t	*out = NULL;
	size_t	 len = 0;
	char	*s;

	ck_assert_int_eq(envelope_write(e, &out, &len), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen((char *)out), len);
	ck_assert_ptr_nonnull(s = strndup((char *)out, len));
	free(out);
	return s;
}

static int
read_string(const char *doc, struct envelope *e, const char **why)
{
	return envelope_read((const uint8_t *)doc, strlen(doc), e, why);
}

static void
assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
	}
}

static void
assert_body(const struct envelope *e, const char *want)
{
	if (want == NULL) {
		ck_assert_ptr_null(e->body);
		ck_assert_uint_eq(e->body_len, 0);
	} else {
		ck_assert_ptr_nonnull(e->body);
		ck_assert_uint_eq(e->body_len, strlen(want));
		ck_assert_mem_eq(e->body, want, e->body_len);
	}
}

/* Writes `in`, reads it back and compares every field. */
static void
round_trip(const struct envelope *in)
{
	struct envelope	 out;
	const char	*why = NULL;
	uint8_t		*buf;
	size_t		 len;
	bool		 addressed = in->addressing_version != 3;

	ck_assert_int_eq(envelope_write(in, &buf, &len), 0);
	ck_assert_msg(envelope_read(buf, len, &out, &why) == 0, "%s: %.*s",
	    why, (int)len, buf);
	ck_assert_uint_eq(out.envelope_version, in->envelope_version);
	ck_assert_uint_eq(out.addressing_version, in->addressing_version);
	assert_str_or_null(out.action, addressed ? in->action : NULL);
	assert_str_or_null(out.to, addressed ? in->to : NULL);
	assert_str_or_null(out.message_id, addressed ? in->message_id : NULL);
	assert_str_or_null(out.relates_to, addressed ? in->relates_to : NULL);
	assert_str_or_null(out.reply_to, addressed ? in->reply_to : NULL);
	assert_str_or_null(out.fault_to, addressed ? in->fault_to : NULL);
	ck_assert_int_eq(out.is_fault, in->is_fault);
	if (!in->is_fault) {
		ck_assert_ptr_null(out.fault_reason);
		assert_body(&out, in->body_len > 0 ? (char *)in->body : NULL);
	}
	envelope_clear(&out);
	free(buf);
}

START_TEST(write_capture_bytes)
{
	struct envelope	 e = { 0 };
	char		*s;

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "urn:wsprobe/Ping";
	e.to = "net.tcp://127.0.0.1:27150/wsprobe";
	set_body(&e, PING_BODY);
	s = write_string(&e);
	ck_assert_str_eq(s, capture_doc);
	free(s);
}
END_TEST

START_TEST(write_all_headers_bytes)
{
	struct envelope	 e = { 0 };
	char		*s;

	e.envelope_version = 1;
	e.addressing_version = 1;
	e.action = "urn:a";
	e.to = "http://127.0.0.1/x";
	e.message_id = "urn:uuid:0001";
	e.relates_to = "urn:uuid:0000";
	e.reply_to = "urn:reply";
	e.fault_to = "urn:fault&<>";
	s = write_string(&e);
	ck_assert_str_eq(s,
	    "<s:Envelope xmlns:a=\"" WSA09 "\" xmlns:s=\"" NS11 "\">"
	    "<s:Header>"
	    "<a:Action s:mustUnderstand=\"1\">urn:a</a:Action>"
	    "<a:MessageID>urn:uuid:0001</a:MessageID>"
	    "<a:RelatesTo>urn:uuid:0000</a:RelatesTo>"
	    "<a:ReplyTo><a:Address>urn:reply</a:Address></a:ReplyTo>"
	    "<a:FaultTo><a:Address>urn:fault&amp;&lt;&gt;</a:Address>"
	    "</a:FaultTo>"
	    "<a:To s:mustUnderstand=\"1\">http://127.0.0.1/x</a:To>"
	    "</s:Header>"
	    "<s:Body/>"
	    "</s:Envelope>");
	free(s);
}
END_TEST

START_TEST(write_no_header)
{
	struct envelope	 e = { 0 };
	char		*s;

	/* Addressing without any header: no Header element. */
	e.envelope_version = 2;
	e.addressing_version = 2;
	s = write_string(&e);
	ck_assert_str_eq(s, "<s:Envelope xmlns:a=\"" WSA10 "\" xmlns:s=\""
	    NS12 "\"><s:Body/></s:Envelope>");
	free(s);

	/* TRANSPORT: headers given but none written, no WS-A namespace. */
	e.addressing_version = 3;
	e.action = "urn:a";
	e.to = "net.tcp://127.0.0.1/";
	set_body(&e, "<x/>");
	s = write_string(&e);
	ck_assert_str_eq(s, "<s:Envelope xmlns:s=\"" NS12 "\">"
	    "<s:Body><x/></s:Body></s:Envelope>");
	free(s);
}
END_TEST

START_TEST(round_trip_soap12_wsa10)
{
	struct envelope	 e = { 0 };

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "urn:wsprobe/Ping";
	e.to = "net.tcp://127.0.0.1:27150/wsprobe";
	set_body(&e, PING_BODY);
	round_trip(&e);
}
END_TEST

START_TEST(round_trip_soap11_wsa09)
{
	struct envelope	 e = { 0 };

	e.envelope_version = 1;
	e.addressing_version = 1;
	e.action = "http://tempuri.org/IService/Op";
	e.to = "http://127.0.0.1:8080/svc";
	set_body(&e, "<Op xmlns=\"http://tempuri.org/\"><v>1</v></Op>");
	round_trip(&e);
}
END_TEST

START_TEST(round_trip_transport)
{
	struct envelope	 e = { 0 };
	uint8_t		*buf;
	size_t		 len;

	e.envelope_version = 2;
	e.addressing_version = 3;
	e.action = "urn:not-written";
	e.to = "net.tcp://127.0.0.1/";
	e.message_id = "urn:uuid:x";
	set_body(&e, PING_BODY);
	round_trip(&e);
	ck_assert_int_eq(envelope_write(&e, &buf, &len), 0);
	ck_assert_ptr_null(memmem(buf, len, "addressing", 10));
	ck_assert_ptr_null(memmem(buf, len, "Header", 6));
	free(buf);
}
END_TEST

START_TEST(round_trip_all_headers)
{
	struct envelope	 e = { 0 };
	uint32_t	 ev, av;

	e.action = "urn:act";
	e.to = "soap.udp://127.0.0.1:3702/";
	e.message_id = "urn:uuid:6b29fc40-ca47-1067-b31d-00dd010662da";
	e.relates_to = "urn:uuid:00000000-0000-0000-0000-000000000000";
	e.reply_to = WSA10 "/anonymous";
	e.fault_to = "net.tcp://127.0.0.1:9/faults?a=1&b=<2>";
	set_body(&e, "<m:x xmlns:m=\"urn:m\">\xc3\xa9t\xc3\xa9 &amp; &lt;</m:x>");
	for (ev = 1; ev <= 2; ev++) {
		for (av = 1; av <= 3; av++) {
			e.envelope_version = ev;
			e.addressing_version = av;
			round_trip(&e);
		}
	}
	/* Empty header values survive as empty strings. */
	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "";
	e.reply_to = "";
	round_trip(&e);
}
END_TEST

START_TEST(round_trip_empty_body)
{
	struct envelope	 e = { 0 };

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "urn:a";
	round_trip(&e);
	e.body = (uint8_t *)"ignored";
	e.body_len = 0;
	round_trip(&e);
}
END_TEST

START_TEST(round_trip_bodies)
{
	static const char *bodies[] = {
		"<x xmlns=\"urn:default\"><y>1</y><y a=\"b\"/></x>",
		"<p:x xmlns:p=\"urn:p\" xmlns=\"urn:d\"><y p:a=\"1\"/></p:x>",
		"<a/><b/>",
		"<a>x</a>text<!--c--><![CDATA[<raw>]]>",
		"<u xmlns=\"urn:u\">\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80</u>",
		"<q a=\"&quot;&amp;&lt;\xc3\xa9\">&gt;</q>",
		"<s:Fault2 xmlns:s=\"urn:not-soap\"/>",
	};
	struct envelope	 e = { 0 };
	size_t		 i;

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "urn:a";
	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		set_body(&e, bodies[i]);
		round_trip(&e);
	}
}
END_TEST

/* Body content that uses prefixes declared only on Envelope or Body. */
START_TEST(read_body_standalone)
{
	static const char doc[] =
	    "<soap:Envelope xmlns:soap=\"" NS12 "\" xmlns:m=\"urn:m\"\n"
	    "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
	    "    xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n"
	    "  <soap:Body xmlns:n=\"urn:n\">\n"
	    "    <m:ping m:x=\"1\"><n:inner/></m:ping>\n"
	    "    <m:v xsi:type=\"xsd:int\">5</m:v>\n"
	    "    <plain/>\n"
	    "  </soap:Body>\n"
	    "</soap:Envelope>\n";
	struct envelope	 e;
	const char	*why = NULL;

	ck_assert_int_eq(read_string(doc, &e, &why), 0);
	ck_assert_uint_eq(e.envelope_version, 2);
	ck_assert_uint_eq(e.addressing_version, 3);
	ck_assert_ptr_null(e.action);
	assert_body(&e,
	    "<m:ping xmlns:m=\"urn:m\" xmlns:n=\"urn:n\" m:x=\"1\">"
	    "<n:inner/></m:ping>"
	    "<m:v xmlns:m=\"urn:m\""
	    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
	    " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
	    " xsi:type=\"xsd:int\">5</m:v>"
	    "<plain/>");
	envelope_clear(&e);
}
END_TEST

/* A default namespace on Envelope reaches unprefixed body elements. */
START_TEST(read_body_default_ns)
{
	static const char doc[] =
	    "<Envelope xmlns=\"" NS11 "\"><Body><op><arg xmlns=\"\"/></op>"
	    "</Body></Envelope>";
	struct envelope	 e;
	const char	*why = NULL;

	ck_assert_int_eq(read_string(doc, &e, &why), 0);
	ck_assert_uint_eq(e.envelope_version, 1);
	assert_body(&e, "<op xmlns=\"" NS11 "\"><arg xmlns=\"\"/></op>");
	envelope_clear(&e);
}
END_TEST

START_TEST(read_capture_doc)
{
	struct envelope	 e;
	const char	*why = NULL;

	ck_assert_int_eq(read_string(capture_doc, &e, &why), 0);
	ck_assert_uint_eq(e.envelope_version, 2);
	ck_assert_uint_eq(e.addressing_version, 2);
	ck_assert_str_eq(e.action, "urn:wsprobe/Ping");
	ck_assert_str_eq(e.to, "net.tcp://127.0.0.1:27150/wsprobe");
	ck_assert_ptr_null(e.message_id);
	ck_assert(!e.is_fault);
	assert_body(&e, PING_BODY);
	envelope_clear(&e);
}
END_TEST

START_TEST(read_headers_lenient)
{
	/* Surrounding white space is dropped, unknown headers ignored. */
	static const char doc[] =
	    "<s:Envelope xmlns:s=\"" NS11 "\" xmlns:w=\"" WSA09 "\">"
	    "<s:Header><x:Other xmlns:x=\"urn:x\">1</x:Other>"
	    "<w:Action>\n  urn:a  \n</w:Action>"
	    "<w:ReplyTo><w:Address> urn:r </w:Address>"
	    "<w:ReferenceParameters/></w:ReplyTo>"
	    "<w:FaultTo/>"
	    "</s:Header><s:Body/></s:Envelope>";
	struct envelope	 e;
	const char	*why = NULL;

	ck_assert_int_eq(read_string(doc, &e, &why), 0);
	ck_assert_uint_eq(e.addressing_version, 1);
	ck_assert_str_eq(e.action, "urn:a");
	ck_assert_str_eq(e.reply_to, "urn:r");
	ck_assert_ptr_null(e.fault_to);
	assert_body(&e, NULL);
	envelope_clear(&e);
}
END_TEST

START_TEST(fault_soap12)
{
	struct envelope	 e = { 0 }, r, r2;
	const char	*why = NULL;
	char		*s, *s2;

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = WSA10 "/fault";
	e.is_fault = true;
	e.fault_reason = "it broke <badly>";
	s = write_string(&e);
	ck_assert_str_eq(s,
	    "<s:Envelope xmlns:a=\"" WSA10 "\" xmlns:s=\"" NS12 "\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">" WSA10 "/fault"
	    "</a:Action></s:Header>"
	    "<s:Body><s:Fault>"
	    "<s:Code><s:Value>s:Receiver</s:Value></s:Code>"
	    "<s:Reason><s:Text xml:lang=\"en\">it broke &lt;badly&gt;"
	    "</s:Text></s:Reason>"
	    "</s:Fault></s:Body></s:Envelope>");
	ck_assert_int_eq(read_string(s, &r, &why), 0);
	ck_assert(r.is_fault);
	ck_assert_str_eq(r.fault_reason, "it broke <badly>");
	assert_body(&r, "<s:Fault xmlns:s=\"" NS12 "\">"
	    "<s:Code><s:Value>s:Receiver</s:Value></s:Code>"
	    "<s:Reason><s:Text xml:lang=\"en\">it broke &lt;badly&gt;"
	    "</s:Text></s:Reason></s:Fault>");

	/* What was read writes back to the same document. */
	s2 = write_string(&r);
	ck_assert_str_eq(s2, s);
	ck_assert_int_eq(read_string(s2, &r2, &why), 0);
	ck_assert(r2.is_fault);
	ck_assert_str_eq(r2.fault_reason, r.fault_reason);
	envelope_clear(&r2);
	envelope_clear(&r);
	free(s2);
	free(s);
}
END_TEST

START_TEST(fault_soap11)
{
	struct envelope	 e = { 0 }, r;
	const char	*why = NULL;
	char		*s;

	e.envelope_version = 1;
	e.addressing_version = 3;
	e.is_fault = true;
	e.fault_reason = "no such operation";
	s = write_string(&e);
	ck_assert_str_eq(s,
	    "<s:Envelope xmlns:s=\"" NS11 "\"><s:Body><s:Fault>"
	    "<faultcode>s:Server</faultcode>"
	    "<faultstring>no such operation</faultstring>"
	    "</s:Fault></s:Body></s:Envelope>");
	ck_assert_int_eq(read_string(s, &r, &why), 0);
	ck_assert_uint_eq(r.envelope_version, 1);
	ck_assert(r.is_fault);
	ck_assert_str_eq(r.fault_reason, "no such operation");
	envelope_clear(&r);
	free(s);

	/* A body that is not a Fault becomes its detail. */
	set_body(&e, "<d:info xmlns:d=\"urn:d\">x</d:info>");
	s = write_string(&e);
	ck_assert_str_eq(s,
	    "<s:Envelope xmlns:s=\"" NS11 "\"><s:Body><s:Fault>"
	    "<faultcode>s:Server</faultcode>"
	    "<faultstring>no such operation</faultstring>"
	    "<detail><d:info xmlns:d=\"urn:d\">x</d:info></detail>"
	    "</s:Fault></s:Body></s:Envelope>");
	ck_assert_int_eq(read_string(s, &r, &why), 0);
	ck_assert(r.is_fault);
	ck_assert_str_eq(r.fault_reason, "no such operation");
	envelope_clear(&r);
	free(s);
}
END_TEST

START_TEST(fault_read_foreign)
{
	/* The shape WCF sends, with a subcode and detail. */
	static const char doc[] =
	    "<s:Envelope xmlns:s=\"" NS12 "\" xmlns:a=\"" WSA10 "\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">"
	    "http://schemas.microsoft.com/net/2005/12/"
	    "windowscommunicationfoundation/dispatcher/fault</a:Action>"
	    "<a:RelatesTo>urn:uuid:1</a:RelatesTo></s:Header>"
	    "<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value>"
	    "<s:Subcode><s:Value xmlns:d=\"urn:disp\">d:Bad</s:Value>"
	    "</s:Subcode></s:Code>"
	    "<s:Reason><s:Text xml:lang=\"en-US\">Bad input</s:Text>"
	    "</s:Reason><s:Detail><x:y xmlns:x=\"urn:x\"/></s:Detail>"
	    "</s:Fault></s:Body></s:Envelope>";
	struct envelope	 e;
	const char	*why = NULL;

	ck_assert_int_eq(read_string(doc, &e, &why), 0);
	ck_assert(e.is_fault);
	ck_assert_str_eq(e.fault_reason, "Bad input");
	ck_assert_str_eq(e.relates_to, "urn:uuid:1");
	envelope_clear(&e);
}
END_TEST

static void
assert_read_rejected(const char *doc, size_t len)
{
	struct envelope	 e, zero;
	const char	*why = NULL;

	memset(&e, 0x5a, sizeof e);
	memset(&zero, 0, sizeof zero);
	ck_assert_int_eq(envelope_read((const uint8_t *)doc, len, &e, &why),
	    -EBADMSG);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_gt(strlen(why), 0);
	ck_assert_mem_eq(&e, &zero, sizeof e);
	ck_assert_int_eq(envelope_read((const uint8_t *)doc, len, &e, NULL),
	    -EBADMSG);
}

/* Header elements other than addressing ones (Envelope.headers) follow
 * the addressing headers; a binding they redeclare goes. */
#define OTHER_HEADERS \
    "<Ticket xmlns=\"urn:msgext\" xmlns:s=\"" NS12 "\" " \
    "s:mustUnderstand=\"1\">7</Ticket><Trace xmlns=\"urn:msgext\">a</Trace>"

START_TEST(write_other_headers)
{
	struct envelope	 e = { 0 };
	char		*s;

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "urn:wsprobe/Ping";
	e.headers = (uint8_t *)OTHER_HEADERS;
	e.headers_len = strlen(OTHER_HEADERS);
	set_body(&e, PING_BODY);
	s = write_string(&e);
	ck_assert_str_eq(s,
	    "<s:Envelope xmlns:a=\"" WSA10 "\" xmlns:s=\"" NS12 "\">"
	    "<s:Header>"
	    "<a:Action s:mustUnderstand=\"1\">urn:wsprobe/Ping</a:Action>"
	    "<Ticket xmlns=\"urn:msgext\" s:mustUnderstand=\"1\">7</Ticket>"
	    "<Trace xmlns=\"urn:msgext\">a</Trace>"
	    "</s:Header>"
	    "<s:Body>" PING_BODY "</s:Body>"
	    "</s:Envelope>");
	free(s);
	/* Without addressing the Header holds them alone. */
	e.addressing_version = 3;
	e.action = NULL;
	s = write_string(&e);
	ck_assert_ptr_nonnull(strstr(s, "<s:Header><Ticket "));
	free(s);
	/* Malformed headers are refused like a malformed body. */
	e.headers = (uint8_t *)"<Ticket>";
	e.headers_len = 8;
	{
		uint8_t	*out = NULL;
		size_t	 len = 0;

		ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
		ck_assert_ptr_null(out);
	}
}
END_TEST

START_TEST(read_other_headers)
{
	struct envelope	 e;
	const char	*why = NULL;
	const char	 doc[] =
	    "<s:Envelope xmlns:a=\"" WSA10 "\" xmlns:s=\"" NS12 "\">"
	    "<s:Header>"
	    "<a:Action s:mustUnderstand=\"1\">urn:wsprobe/Ping</a:Action>"
	    "<x:Ticket xmlns:x=\"urn:msgext\" s:mustUnderstand=\"1\">7"
	    "</x:Ticket>"
	    "<a:To s:mustUnderstand=\"1\">net.tcp://h/x</a:To>"
	    "</s:Header>"
	    "<s:Body>" PING_BODY "</s:Body>"
	    "</s:Envelope>";

	ck_assert_int_eq(read_string(doc, &e, &why), 0);
	ck_assert_str_eq(e.action, "urn:wsprobe/Ping");
	ck_assert_str_eq(e.to, "net.tcp://h/x");
	ck_assert_ptr_nonnull(e.headers);
	/* Standalone: the prefixes it uses from the Envelope are declared. */
	ck_assert_uint_eq(e.headers_len, strlen((char *)e.headers));
	ck_assert_str_eq((char *)e.headers,
	    "<x:Ticket xmlns:x=\"urn:msgext\" xmlns:s=\"" NS12 "\" "
	    "s:mustUnderstand=\"1\">7</x:Ticket>");
	envelope_clear(&e);
	/* Only addressing headers: nothing else to carry. */
	ck_assert_int_eq(read_string(capture_doc, &e, &why), 0);
	ck_assert_ptr_null(e.headers);
	envelope_clear(&e);
}
END_TEST

START_TEST(reject_not_xml)
{
	static const char *docs[] = {
		"", "hello", "<", "<s:Envelope", "\x00\x01\x02",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Body></s:Envelope>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Body/></s:Envelope><x/>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Body>\xff\xfe</s:Body>"
		    "</s:Envelope>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Body>&undefined;</s:Body>"
		    "</s:Envelope>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Body>&#1;</s:Body>"
		    "</s:Envelope>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Body><u:x/></s:Body>"
		    "</s:Envelope>",
	};
	size_t	 i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++)
		assert_read_rejected(docs[i], strlen(docs[i]));
	assert_read_rejected("\x00\x01\x02", 3);
	assert_read_rejected(NULL, 0);
}
END_TEST

START_TEST(reject_not_envelope)
{
	static const char *docs[] = {
		"<foo/>",
		"<Envelope><Body/></Envelope>",
		"<s:Envelope xmlns:s=\"urn:other\"><s:Body/></s:Envelope>",
		"<s:Body xmlns:s=\"" NS12 "\"/>",
		"<s:envelope xmlns:s=\"" NS12 "\"><s:Body/></s:envelope>",
	};
	size_t	 i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++)
		assert_read_rejected(docs[i], strlen(docs[i]));
}
END_TEST

START_TEST(reject_missing_body)
{
	static const char *docs[] = {
		"<s:Envelope xmlns:s=\"" NS12 "\"/>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><s:Header/></s:Envelope>",
		/* A Body of the other SOAP version does not count. */
		"<s:Envelope xmlns:s=\"" NS12 "\" xmlns:t=\"" NS11 "\">"
		    "<t:Body/></s:Envelope>",
		"<s:Envelope xmlns:s=\"" NS12 "\"><Body/></s:Envelope>",
		/* Neither does one after a stray element. */
		"<s:Envelope xmlns:s=\"" NS12 "\"><x/><s:Body/></s:Envelope>",
	};
	size_t	 i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++)
		assert_read_rejected(docs[i], strlen(docs[i]));
}
END_TEST

START_TEST(reject_duplicate_header)
{
	static const char doc[] =
	    "<s:Envelope xmlns:s=\"" NS12 "\" xmlns:a=\"" WSA10 "\">"
	    "<s:Header><a:To>urn:1</a:To><a:To>urn:2</a:To></s:Header>"
	    "<s:Body/></s:Envelope>";

	assert_read_rejected(doc, strlen(doc));
}
END_TEST

START_TEST(reject_billion_laughs)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE s:Envelope [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<s:Envelope xmlns:s=\"" NS12 "\"><s:Body><x>&lol9;</x></s:Body>"
	    "</s:Envelope>";
	static const char xxe[] =
	    "<!DOCTYPE s:Envelope [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    "<s:Envelope xmlns:s=\"" NS12 "\"><s:Body><x>&e;</x></s:Body>"
	    "</s:Envelope>";
	static const char ext[] =
	    "<!DOCTYPE s:Envelope SYSTEM \"http://127.0.0.1:1/x.dtd\">"
	    "<s:Envelope xmlns:s=\"" NS12 "\"><s:Body/></s:Envelope>";

	assert_read_rejected(doc, strlen(doc));
	assert_read_rejected(xxe, strlen(xxe));
	assert_read_rejected(ext, strlen(ext));
}
END_TEST

/* An envelope whose Body holds elements down to total depth `depth`. */
static char *
nested_doc(int depth)
{
	static const char head[] = "<s:Envelope xmlns:s=\"" NS12 "\"><s:Body>";
	static const char tail[] = "</s:Body></s:Envelope>";
	size_t	 n = (size_t)(depth > 2 ? depth - 2 : 0);
	char	*doc, *p;
	size_t	 i;

	doc = malloc(sizeof head + sizeof tail + n * 7);
	ck_assert_ptr_nonnull(doc);
	p = stpcpy(doc, head);
	for (i = 0; i < n; i++)
		p = stpcpy(p, "<x>");
	for (i = 0; i < n; i++)
		p = stpcpy(p, "</x>");
	strcpy(p, tail);
	return doc;
}

START_TEST(reject_depth_bomb)
{
	struct envelope	 e;
	const char	*why = NULL;
	char		*doc;

	doc = nested_doc(256);
	ck_assert_msg(read_string(doc, &e, &why) == 0, "%s", why);
	/* 254 nested x, the innermost one written <x/>. */
	ck_assert_uint_eq(e.body_len, (256 - 2) * 7 - 3);
	envelope_clear(&e);
	free(doc);

	doc = nested_doc(257);
	assert_read_rejected(doc, strlen(doc));
	free(doc);

	doc = nested_doc(100000);
	assert_read_rejected(doc, strlen(doc));
	/* Unclosed, as a peer could send it. */
	assert_read_rejected(doc, strlen(doc) / 2);
	free(doc);
}
END_TEST

START_TEST(write_rejects)
{
	static const char *bad_bodies[] = {
		"<a>", "</a>", "<a></b>", "<u:x/>", "<s:Fault/>", "<a:To/>",
		"<x a:b=\"1\"/>", "&undefined;", "<!DOCTYPE x><x/>", "\xff",
		"<x>\x01</x>",
	};
	struct envelope	 e = { 0 };
	uint8_t		*out = (uint8_t *)"untouched";
	size_t		 len = 42, i;

	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = "urn:a";
	for (i = 0; i < sizeof bad_bodies / sizeof bad_bodies[0]; i++) {
		set_body(&e, bad_bodies[i]);
		ck_assert_msg(envelope_write(&e, &out, &len) == -EINVAL,
		    "accepted body %s", bad_bodies[i]);
	}
	set_body(&e, NULL);

	e.envelope_version = 0;
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
	e.envelope_version = 3;
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
	e.envelope_version = 2;
	e.addressing_version = 0;
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
	e.addressing_version = 4;
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
	e.addressing_version = 2;

	e.action = "urn:\x01";
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
	e.action = "urn:\xc3";
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);
	e.action = "urn:a";
	e.is_fault = true;
	e.fault_reason = "bad \x1b[0m";
	ck_assert_int_eq(envelope_write(&e, &out, &len), -EINVAL);

	ck_assert_str_eq((char *)out, "untouched");
	ck_assert_uint_eq(len, 42);
}
END_TEST

START_TEST(clear)
{
	struct envelope	 e = { 0 };
	const char	*why;

	envelope_clear(&e);
	envelope_clear(NULL);
	ck_assert_int_eq(read_string(capture_doc, &e, &why), 0);
	envelope_clear(&e);
	ck_assert_ptr_null(e.action);
	ck_assert_ptr_null(e.body);
	ck_assert_uint_eq(e.body_len, 0);
	envelope_clear(&e);
}
END_TEST

static uint32_t
fuzz_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/*
 * Mutates the capture document: whatever is read must be either refused
 * or good enough to be written again.
 */
START_TEST(fuzz_read)
{
	static const char alphabet[] = "<>/:=\"'&;!?[]x ";
	struct envelope	 e;
	uint32_t	 seed = 0xc0ffee;
	uint8_t		*buf, *out;
	size_t		 len, out_len, j, k;
	int		 i, rc, ok = 0;

	for (i = 0; i < 5000; i++) {
		len = sizeof capture_doc - 1;
		buf = malloc(len);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf, capture_doc, len);
		k = 1 + fuzz_next(&seed) % 3;
		for (j = 0; j < k; j++) {
			size_t at = fuzz_next(&seed) % len;

			if (fuzz_next(&seed) & 1)
				buf[at] = (uint8_t)fuzz_next(&seed);
			else
				buf[at] = (uint8_t)alphabet[fuzz_next(&seed) %
				    (sizeof alphabet - 1)];
		}
		if ((fuzz_next(&seed) & 7) == 0)
			len = fuzz_next(&seed) % len;
		rc = envelope_read(buf, len, &e, NULL);
		ck_assert(rc == 0 || rc == -EBADMSG);
		if (rc == 0) {
			ok++;
			ck_assert_int_eq(envelope_write(&e, &out, &out_len),
			    0);
			free(out);
			envelope_clear(&e);
		}
		free(buf);
	}
	ck_assert_int_gt(ok, 0);
}
END_TEST

static Suite *
envelope_suite(void)
{
	Suite	*s = suite_create("envelope");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, write_capture_bytes);
	tcase_add_test(tc, write_all_headers_bytes);
	tcase_add_test(tc, write_no_header);
	tcase_add_test(tc, round_trip_soap12_wsa10);
	tcase_add_test(tc, round_trip_soap11_wsa09);
	tcase_add_test(tc, round_trip_transport);
	tcase_add_test(tc, round_trip_all_headers);
	tcase_add_test(tc, round_trip_empty_body);
	tcase_add_test(tc, round_trip_bodies);
	tcase_add_test(tc, read_body_standalone);
	tcase_add_test(tc, read_body_default_ns);
	tcase_add_test(tc, read_capture_doc);
	tcase_add_test(tc, read_headers_lenient);
	tcase_add_test(tc, fault_soap12);
	tcase_add_test(tc, fault_soap11);
	tcase_add_test(tc, fault_read_foreign);
	tcase_add_test(tc, reject_not_xml);
	tcase_add_test(tc, reject_not_envelope);
	tcase_add_test(tc, reject_missing_body);
	tcase_add_test(tc, reject_duplicate_header);
	tcase_add_test(tc, write_other_headers);
	tcase_add_test(tc, read_other_headers);
	tcase_add_test(tc, reject_billion_laughs);
	tcase_add_test(tc, reject_depth_bomb);
	tcase_add_test(tc, write_rejects);
	tcase_add_test(tc, clear);
	tcase_add_test(tc, fuzz_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(envelope_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
