/*
 * Message extensions: custom and mapped headers, header attributes and
 * mustUnderstand, WsWrite/ReadEnvelopeStart/End, WsCopyMessage, streamed
 * bodies (WsFlushBody, WsFillBody) and WsAsyncExecute.  The local tests
 * need no daemon; the TCP ones run a private wschanneld per test and move
 * messages between two channels of it, in text and binary encodings.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
/* What the pending step of the WsAsyncExecute chain completes with. */
#define E_FAIL_STEP	WS_E_OPERATION_TIMED_OUT

#define NS_SOAP12	"http://www.w3.org/2003/05/soap-envelope"
#define NS_WSA10	"http://www.w3.org/2005/08/addressing"

static WS_XML_STRING h_name = WS_XML_STRING_VALUE("Ticket");
static WS_XML_STRING h_other = WS_XML_STRING_VALUE("Trace");
static WS_XML_STRING h_ns = WS_XML_STRING_VALUE("urn:msgext");
static WS_XML_STRING b_name = WS_XML_STRING_VALUE("Item");
static WS_XML_STRING b_text = WS_XML_STRING_VALUE("Note");

static WS_ELEMENT_DESCRIPTION ticket_desc = { &h_name, &h_ns, WS_INT32_TYPE,
    NULL };
static WS_ELEMENT_DESCRIPTION trace_desc = { &h_other, &h_ns, WS_WSZ_TYPE,
    NULL };
static WS_ELEMENT_DESCRIPTION item_desc = { &b_name, &h_ns, WS_INT32_TYPE,
    NULL };
static WS_ELEMENT_DESCRIPTION note_desc = { &b_text, &h_ns, WS_WSZ_TYPE,
    NULL };

/* ---- helpers ------------------------------------------------------------ */

static WS_MESSAGE *
msg_new(void)
{
	WS_MESSAGE *m = NULL;

	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_1_0, NULL, 0, &m, NULL), S_OK);
	return m;
}

static WS_MESSAGE *
msg_init(WS_MESSAGE_INITIALIZATION init)
{
	WS_MESSAGE *m = msg_new();

	HR_EQ(WsInitializeMessage(m, init, NULL, NULL), S_OK);
	return m;
}

static WS_HEAP *
heap_new(void)
{
	WS_HEAP *h = NULL;

	HR_EQ(WsCreateHeap(1 << 16, 0, NULL, 0, &h, NULL), S_OK);
	return h;
}

static int
msg_state(WS_MESSAGE *m)
{
	WS_MESSAGE_STATE st = 0;

	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_STATE, &st,
	    sizeof(st), NULL), S_OK);
	return (int)st;
}

static void
add_ticket(WS_MESSAGE *m, int32_t v, ULONG attrs)
{
	HR_EQ(WsAddCustomHeader(m, &ticket_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), attrs, NULL), S_OK);
}

static int32_t
get_ticket(WS_MESSAGE *m, WS_REPEATING_HEADER_OPTION rep, ULONG index,
    ULONG *attrs, HRESULT want)
{
	int32_t v = -1;

	HR_EQ(WsGetCustomHeader(m, &ticket_desc, rep, index,
	    WS_READ_REQUIRED_VALUE, NULL, &v, sizeof(v), attrs, NULL), want);
	return v;
}

static void
set_text_header(WS_MESSAGE *m, WS_HEADER_TYPE t, const char *ascii)
{
	WS_XML_STRING s = { (ULONG)strlen(ascii), (BYTE *)ascii, NULL, 0 };

	HR_EQ(WsSetHeader(m, t, WS_XML_STRING_TYPE, WS_WRITE_REQUIRED_VALUE,
	    &s, sizeof(s), NULL), S_OK);
}

static bool
header_is(WS_MESSAGE *m, WS_HEADER_TYPE t, const char *ascii)
{
	WS_XML_STRING s;

	if (WsGetHeader(m, t, WS_XML_STRING_TYPE, WS_READ_REQUIRED_VALUE,
	    NULL, &s, sizeof(s), NULL) != S_OK)
		return false;
	return s.length == strlen(ascii) &&
	    memcmp(s.bytes, ascii, s.length) == 0;
}

/* An ASCII string as NUL-terminated WCHARs in `buf` (L"" is not 16-bit
 * without -fshort-wchar). */
static WCHAR *
wsz(WCHAR *buf, const char *ascii)
{
	size_t i;

	for (i = 0; ascii[i] != '\0'; i++)
		buf[i] = (WCHAR)(unsigned char)ascii[i];
	buf[i] = 0;
	return buf;
}

static bool
wsz_is(const WCHAR *w, const char *ascii)
{
	size_t i;

	for (i = 0; ascii[i] != '\0'; i++)
		if (w[i] != (WCHAR)(unsigned char)ascii[i])
			return false;
	return w[i] == 0;
}

static WS_XML_WRITER *
writer_new(bool binary)
{
	static const WS_XML_WRITER_TEXT_ENCODING text = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BINARY_ENCODING bin = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	static const WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w = NULL;

	HR_EQ(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsSetOutput(w, binary ? &bin.encoding : &text.encoding,
	    &out.output, NULL, 0, NULL), S_OK);
	return w;
}

static WS_XML_READER *
reader_new(bool binary, const void *bytes, ULONG len)
{
	static const WS_XML_READER_TEXT_ENCODING text = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_READER_BINARY_ENCODING bin = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)bytes, len };
	WS_XML_READER *r = NULL;

	HR_EQ(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	HR_EQ(WsSetInput(r, binary ? &bin.encoding : &text.encoding,
	    &in.input, NULL, 0, NULL), S_OK);
	return r;
}

static WS_BYTES
writer_bytes(WS_XML_WRITER *w)
{
	WS_BYTES b;

	HR_EQ(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES, &b,
	    sizeof(b), NULL), S_OK);
	return b;
}

/* ---- argument and state errors ------------------------------------------ */

START_TEST(test_custom_header_errors)
{
	WS_MESSAGE *m = msg_new(), *none = NULL;
	WS_ELEMENT_DESCRIPTION noname = { NULL, &h_ns, WS_INT32_TYPE, NULL };
	int32_t v = 1;
	ULONG attrs;

	/* EMPTY: nothing to add to, get or remove. */
	HR_EQ(WsAddCustomHeader(m, &ticket_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), 0, NULL), WS_E_INVALID_OPERATION);
	get_ticket(m, WS_SINGLETON_HEADER, 0, NULL, WS_E_INVALID_OPERATION);
	HR_EQ(WsRemoveCustomHeader(m, &h_name, &h_ns, NULL),
	    WS_E_INVALID_OPERATION);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);

	HR_EQ(WsAddCustomHeader(none, &ticket_desc, WS_WRITE_REQUIRED_VALUE,
	    &v, sizeof(v), 0, NULL), E_INVALIDARG);
	HR_EQ(WsAddCustomHeader(m, NULL, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), 0, NULL), E_INVALIDARG);
	HR_EQ(WsAddCustomHeader(m, &noname, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), 0, NULL), E_INVALIDARG);
	HR_EQ(WsAddCustomHeader(m, &ticket_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), 0x4, NULL), E_INVALIDARG);
	/* A wrong value size is the writer's E_INVALIDARG, nothing kept. */
	HR_EQ(WsAddCustomHeader(m, &ticket_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    2, 0, NULL), E_INVALIDARG);
	get_ticket(m, WS_SINGLETON_HEADER, 0, NULL, WS_E_INVALID_FORMAT);

	HR_EQ(WsGetCustomHeader(m, &ticket_desc, 0, 0, WS_READ_REQUIRED_VALUE,
	    NULL, &v, sizeof(v), NULL, NULL), E_INVALIDARG);
	HR_EQ(WsGetCustomHeader(m, &ticket_desc, WS_SINGLETON_HEADER, 1,
	    WS_READ_REQUIRED_VALUE, NULL, &v, sizeof(v), NULL, NULL),
	    E_INVALIDARG);
	HR_EQ(WsGetCustomHeader(m, NULL, WS_SINGLETON_HEADER, 0,
	    WS_READ_REQUIRED_VALUE, NULL, &v, sizeof(v), NULL, NULL),
	    E_INVALIDARG);
	HR_EQ(WsRemoveCustomHeader(m, NULL, &h_ns, NULL), E_INVALIDARG);
	HR_EQ(WsRemoveCustomHeader(m, &h_name, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsGetHeaderAttributes(m, NULL, &attrs, NULL), E_INVALIDARG);
	/* Only a message being read is checked or marked. */
	HR_EQ(WsCheckMustUnderstandHeaders(m, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsCheckMustUnderstandHeaders(NULL, NULL), E_INVALIDARG);
	HR_EQ(WsMarkHeaderAsUnderstood(m, NULL, NULL), E_INVALIDARG);
	WsFreeMessage(m);
}
END_TEST

START_TEST(test_other_errors)
{
	WS_MESSAGE *m = msg_new(), *m2 = msg_new();
	WS_XML_WRITER *w = writer_new(false);
	WS_XML_READER *r = reader_new(false, "<a/>", 4);
	WS_XML_STRING name = WS_XML_STRING_VALUE("X-Trace");
	WS_ASYNC_STATE st;
	WS_ASYNC_CONTEXT nocb = { NULL, NULL };
	WCHAR xbuf[2];
	WS_STRING s = { 1, wsz(xbuf, "x") };

	HR_EQ(WsWriteEnvelopeStart(NULL, w, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsWriteEnvelopeStart(m, NULL, NULL, NULL, NULL), E_INVALIDARG);
	/* Needs INITIALIZED. */
	HR_EQ(WsWriteEnvelopeStart(m, w, NULL, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	HR_EQ(WsWriteEnvelopeEnd(m, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsReadEnvelopeStart(m, NULL, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsReadEnvelopeEnd(m, NULL), WS_E_INVALID_OPERATION);
	/* Not an envelope: nothing of it stays, the message stays EMPTY. */
	HR_EQ(WsReadEnvelopeStart(m, r, NULL, NULL, NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(msg_state(m), WS_MESSAGE_STATE_EMPTY);

	HR_EQ(WsCopyMessage(m, m, NULL), E_INVALIDARG);
	HR_EQ(WsCopyMessage(m, m2, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsInitializeMessage(m2, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	/* The destination must be EMPTY. */
	HR_EQ(WsCopyMessage(m, m2, NULL), WS_E_INVALID_OPERATION);
	/* Reading needs an EMPTY message. */
	HR_EQ(WsReadEnvelopeStart(m, r, NULL, NULL, NULL),
	    WS_E_INVALID_OPERATION);

	HR_EQ(WsFlushBody(m, 0, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsFillBody(m, 0, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsFlushBody(NULL, 0, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsFillBody(m, 0, &nocb, NULL), E_INVALIDARG);

	HR_EQ(WsAddMappedHeader(m, NULL, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &s, sizeof(s), NULL), E_INVALIDARG);
	HR_EQ(WsAddMappedHeader(m, &name, WS_INT32_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &s, sizeof(s), NULL), E_INVALIDARG);
	HR_EQ(WsGetMappedHeader(m, &name, WS_SINGLETON_HEADER, 0,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &s, sizeof(s),
	    NULL), WS_E_INVALID_FORMAT);
	HR_EQ(WsRemoveMappedHeader(m, NULL, NULL), E_INVALIDARG);

	HR_EQ(WsAsyncExecute(NULL, NULL, WS_LONG_CALLBACK, NULL, NULL, NULL),
	    E_INVALIDARG);
	HR_EQ(WsAsyncExecute(&st, NULL, WS_LONG_CALLBACK, NULL, NULL, NULL),
	    E_INVALIDARG);
	WsFreeReader(r);
	WsFreeWriter(w);
	WsFreeMessage(m);
	WsFreeMessage(m2);
}
END_TEST

/* ---- custom and mapped headers on one message ---------------------------- */

START_TEST(test_custom_header_local)
{
	WS_MESSAGE *m = msg_init(WS_BLANK_MESSAGE);
	WS_HEAP *heap = heap_new();
	WCHAR *trace = NULL, inbuf[16];
	const WCHAR *in = wsz(inbuf, "from-a");
	int32_t *p = (int32_t *)&p;
	ULONG attrs = 99;

	add_ticket(m, 7, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsAddCustomHeader(m, &trace_desc, WS_WRITE_REQUIRED_POINTER,
	    &in, sizeof(in), 0, NULL), S_OK);
	ck_assert_int_eq(get_ticket(m, WS_SINGLETON_HEADER, 0, &attrs, S_OK),
	    7);
	ck_assert_uint_eq(attrs, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsGetCustomHeader(m, &trace_desc, WS_SINGLETON_HEADER, 0,
	    WS_READ_REQUIRED_POINTER, heap, &trace, sizeof(trace), &attrs,
	    NULL), S_OK);
	ck_assert(wsz_is(trace, "from-a"));
	ck_assert_uint_eq(attrs, 0);

	/* A duplicate carries the custom headers with their attributes. */
	{
		WS_MESSAGE *d = msg_new();

		HR_EQ(WsInitializeMessage(d, WS_DUPLICATE_MESSAGE, m, NULL),
		    S_OK);
		ck_assert_int_eq(get_ticket(d, WS_SINGLETON_HEADER, 0, &attrs,
		    S_OK), 7);
		ck_assert_uint_eq(attrs, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
		HR_EQ(WsGetCustomHeader(d, &trace_desc, WS_SINGLETON_HEADER, 0,
		    WS_READ_REQUIRED_POINTER, heap, &trace, sizeof(trace),
		    NULL, NULL), S_OK);
		ck_assert(wsz_is(trace, "from-a"));
		WsFreeMessage(d);
	}

	/* A second Ticket: a singleton read fails, repeating reads work. */
	add_ticket(m, 8, 0);
	get_ticket(m, WS_SINGLETON_HEADER, 0, NULL, WS_E_INVALID_FORMAT);
	ck_assert_int_eq(get_ticket(m, WS_REPEATING_HEADER, 0, NULL, S_OK),
	    7);
	ck_assert_int_eq(get_ticket(m, WS_REPEATING_HEADER, 1, &attrs, S_OK),
	    8);
	ck_assert_uint_eq(attrs, 0);
	get_ticket(m, WS_REPEATING_HEADER, 2, NULL, WS_E_INVALID_FORMAT);
	/* Absent with an optional pointer: NULL and success. */
	HR_EQ(WsGetCustomHeader(m, &ticket_desc, WS_REPEATING_HEADER, 2,
	    WS_READ_OPTIONAL_POINTER, heap, &p, sizeof(p), NULL, NULL), S_OK);
	ck_assert_ptr_null(p);

	/* Remove takes every instance, and only that name. */
	HR_EQ(WsRemoveCustomHeader(m, &h_name, &h_ns, NULL), S_OK);
	get_ticket(m, WS_REPEATING_HEADER, 0, NULL, WS_E_INVALID_FORMAT);
	HR_EQ(WsGetCustomHeader(m, &trace_desc, WS_SINGLETON_HEADER, 0,
	    WS_READ_REQUIRED_POINTER, heap, &trace, sizeof(trace), NULL,
	    NULL), S_OK);
	HR_EQ(WsRemoveCustomHeader(m, &h_name, &h_ns, NULL), S_OK);

	/* Reset forgets them. */
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsGetCustomHeader(m, &trace_desc, WS_SINGLETON_HEADER, 0,
	    WS_READ_REQUIRED_POINTER, heap, &trace, sizeof(trace), NULL,
	    NULL), WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
	WsFreeMessage(m);
}
END_TEST

START_TEST(test_mapped_header_local)
{
	WS_MESSAGE *m = msg_init(WS_BLANK_MESSAGE);
	WS_XML_STRING name = WS_XML_STRING_VALUE("X-Trace");
	WS_XML_STRING lower = WS_XML_STRING_VALUE("x-trace");
	WCHAR one[4], two[4];
	WS_STRING a = { 3, wsz(one, "one") }, b = { 3, wsz(two, "two") };
	WS_STRING got;

	HR_EQ(WsAddMappedHeader(m, &name, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &a, sizeof(a), NULL), S_OK);
	/* HTTP header names ignore case. */
	HR_EQ(WsGetMappedHeader(m, &lower, WS_SINGLETON_HEADER, 0,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &got, sizeof(got),
	    NULL), S_OK);
	ck_assert_uint_eq(got.length, 3);
	ck_assert(memcmp(got.chars, one, 3 * sizeof(WCHAR)) == 0);
	HR_EQ(WsAddMappedHeader(m, &name, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &b, sizeof(b), NULL), S_OK);
	HR_EQ(WsGetMappedHeader(m, &name, WS_SINGLETON_HEADER, 0,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &got, sizeof(got),
	    NULL), WS_E_INVALID_FORMAT);
	HR_EQ(WsGetMappedHeader(m, &name, WS_REPEATING_HEADER, 1,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &got, sizeof(got),
	    NULL), S_OK);
	ck_assert(memcmp(got.chars, two, 3 * sizeof(WCHAR)) == 0);
	HR_EQ(WsRemoveMappedHeader(m, &lower, NULL), S_OK);
	HR_EQ(WsGetMappedHeader(m, &name, WS_REPEATING_HEADER, 0,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &got, sizeof(got),
	    NULL), WS_E_INVALID_FORMAT);
	WsFreeMessage(m);
}
END_TEST

/* ---- envelopes through an XML writer and reader -------------------------- */

/* The envelope of the round trips, as Windows lays it out: addressing
 * headers first (Action and To with mustUnderstand), then the others. */
static const char expect_envelope[] =
    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA10 "\">"
    "<s:Header>"
    "<a:Action s:mustUnderstand=\"1\">urn:msgext/Order</a:Action>"
    "<a:MessageID>urn:uuid:00000000-0000-0000-0000-000000000001"
    "</a:MessageID>"
    "<a:To s:mustUnderstand=\"1\">net.tcp://127.0.0.1/x</a:To>"
    "<Ticket xmlns=\"urn:msgext\" xmlns:s=\"" NS_SOAP12 "\" "
    "s:mustUnderstand=\"1\">7</Ticket>"
    "</s:Header>"
    "<s:Body><Item xmlns=\"urn:msgext\">42</Item>"
    "<Note xmlns=\"urn:msgext\">hello &amp; more</Note></s:Body>"
    "</s:Envelope>";

static int done_calls;

static void CALLBACK
count_done(void *state)
{
	ck_assert_ptr_eq(state, &done_calls);
	done_calls++;
}

/* An addressed message with a custom header and two body elements. */
static WS_MESSAGE *
order_message(WS_XML_WRITER *w)
{
	WS_MESSAGE *m = msg_init(WS_BLANK_MESSAGE);
	static WCHAR buf[16];
	const WCHAR *note = wsz(buf, "hello & more");
	int32_t item = 42;

	set_text_header(m, WS_ACTION_HEADER, "urn:msgext/Order");
	set_text_header(m, WS_MESSAGE_ID_HEADER,
	    "urn:uuid:00000000-0000-0000-0000-000000000001");
	set_text_header(m, WS_TO_HEADER, "net.tcp://127.0.0.1/x");
	add_ticket(m, 7, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsWriteEnvelopeStart(m, w, count_done, &done_calls, NULL),
	    S_OK);
	ck_assert_int_eq(msg_state(m), WS_MESSAGE_STATE_WRITING);
	HR_EQ(WsWriteBody(m, &item_desc, WS_WRITE_REQUIRED_VALUE, &item,
	    sizeof(item), NULL), S_OK);
	HR_EQ(WsWriteBody(m, &note_desc, WS_WRITE_REQUIRED_POINTER, &note,
	    sizeof(note), NULL), S_OK);
	HR_EQ(WsWriteEnvelopeEnd(m, NULL), S_OK);
	ck_assert_int_eq(msg_state(m), WS_MESSAGE_STATE_DONE);
	/* Done with the writer only once the message lets go of it. */
	ck_assert_int_eq(done_calls, 0);
	return m;
}

/* Reads an envelope into a new message and checks what it holds. */
static void
check_read_back(bool binary, const WS_BYTES *b)
{
	WS_XML_READER *r = reader_new(binary, b->bytes, b->length);
	WS_MESSAGE *m = msg_new();
	WS_HEAP *heap = heap_new();
	WCHAR *note = NULL;
	int32_t item = 0;
	ULONG attrs = 0;

	HR_EQ(WsReadEnvelopeStart(m, r, count_done, &done_calls, NULL), S_OK);
	ck_assert_int_eq(msg_state(m), WS_MESSAGE_STATE_READING);
	ck_assert(header_is(m, WS_ACTION_HEADER, "urn:msgext/Order"));
	ck_assert(header_is(m, WS_TO_HEADER, "net.tcp://127.0.0.1/x"));
	ck_assert(header_is(m, WS_MESSAGE_ID_HEADER,
	    "urn:uuid:00000000-0000-0000-0000-000000000001"));
	/* Not yet understood: the check fails until the header is read. */
	HR_EQ(WsCheckMustUnderstandHeaders(m, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(get_ticket(m, WS_SINGLETON_HEADER, 0, &attrs, S_OK),
	    7);
	ck_assert_uint_eq(attrs, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsCheckMustUnderstandHeaders(m, NULL), S_OK);
	HR_EQ(WsReadBody(m, &item_desc, WS_READ_REQUIRED_VALUE, heap, &item,
	    sizeof(item), NULL), S_OK);
	ck_assert_int_eq(item, 42);
	HR_EQ(WsReadBody(m, &note_desc, WS_READ_REQUIRED_POINTER, heap, &note,
	    sizeof(note), NULL), S_OK);
	ck_assert(wsz_is(note, "hello & more"));
	HR_EQ(WsReadEnvelopeEnd(m, NULL), S_OK);
	ck_assert_int_eq(msg_state(m), WS_MESSAGE_STATE_DONE);
	done_calls = 0;
	WsFreeMessage(m);
	ck_assert_int_eq(done_calls, 1);
	WsFreeHeap(heap);
	WsFreeReader(r);
}

START_TEST(test_envelope_text_round_trip)
{
	WS_XML_WRITER *w = writer_new(false), *w2;
	WS_XML_READER *r;
	WS_MESSAGE *m, *m2;
	WS_BYTES b, b2;

	done_calls = 0;
	m = order_message(w);
	b = writer_bytes(w);
	ck_assert_msg(b.length == strlen(expect_envelope) &&
	    memcmp(b.bytes, expect_envelope, b.length) == 0,
	    "wrote %.*s", (int)b.length, b.bytes);
	check_read_back(false, &b);

	/* What was read writes the same bytes again. */
	r = reader_new(false, b.bytes, b.length);
	m2 = msg_new();
	HR_EQ(WsReadEnvelopeStart(m2, r, NULL, NULL, NULL), S_OK);
	HR_EQ(WsReadEnvelopeEnd(m2, NULL), S_OK);
	HR_EQ(WsResetMessage(m2, NULL), S_OK);
	WsFreeReader(r);
	r = reader_new(false, b.bytes, b.length);
	HR_EQ(WsReadEnvelopeStart(m2, r, NULL, NULL, NULL), S_OK);
	WsFreeMessage(m2);

	/* WsResetMessage tells the writer's owner, once. */
	done_calls = 0;
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	ck_assert_int_eq(done_calls, 1);
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	ck_assert_int_eq(done_calls, 1);
	WsFreeMessage(m);
	ck_assert_int_eq(done_calls, 1);

	/* A copy of a read message writes the same envelope. */
	m = msg_new();
	m2 = msg_new();
	WsFreeReader(r);
	r = reader_new(false, b.bytes, b.length);
	HR_EQ(WsReadEnvelopeStart(m, r, NULL, NULL, NULL), S_OK);
	HR_EQ(WsCopyMessage(m2, m, NULL), S_OK);
	ck_assert_int_eq(msg_state(m2), WS_MESSAGE_STATE_INITIALIZED);
	w2 = writer_new(false);
	HR_EQ(WsWriteEnvelopeStart(m2, w2, NULL, NULL, NULL), S_OK);
	/* The copy's body was taken over whole: written back as it is. */
	HR_EQ(WsWriteEnvelopeEnd(m2, NULL), S_OK);
	b2 = writer_bytes(w2);
	ck_assert_msg(b2.length == strlen(expect_envelope) &&
	    memcmp(b2.bytes, expect_envelope, b2.length) == 0,
	    "copy wrote %.*s", (int)b2.length, b2.bytes);
	WsFreeMessage(m);
	WsFreeMessage(m2);
	WsFreeWriter(w2);
	WsFreeReader(r);
	WsFreeWriter(w);
}
END_TEST

START_TEST(test_envelope_binary_round_trip)
{
	WS_XML_WRITER *w = writer_new(true), *tw;
	WS_XML_READER *r;
	WS_MESSAGE *m, *m2;
	WS_BYTES b, t;

	done_calls = 0;
	m = order_message(w);
	b = writer_bytes(w);
	/* MC-NBFX: a prefixed element record (0x44..0x5D) for s:Envelope. */
	ck_assert_uint_gt(b.length, 0);
	ck_assert(b.bytes != NULL && ((BYTE *)b.bytes)[0] != '<');
	check_read_back(true, &b);
	/* Read from binary, written as text: the same envelope. */
	r = reader_new(true, b.bytes, b.length);
	m2 = msg_new();
	HR_EQ(WsReadEnvelopeStart(m2, r, NULL, NULL, NULL), S_OK);
	HR_EQ(WsReadEnvelopeEnd(m2, NULL), S_OK);
	WsFreeMessage(m);
	m = msg_new();
	HR_EQ(WsCopyMessage(m, m2, NULL), S_OK);
	tw = writer_new(false);
	HR_EQ(WsWriteEnvelopeStart(m, tw, NULL, NULL, NULL), S_OK);
	HR_EQ(WsWriteEnvelopeEnd(m, NULL), S_OK);
	t = writer_bytes(tw);
	ck_assert_msg(t.length == strlen(expect_envelope) &&
	    memcmp(t.bytes, expect_envelope, t.length) == 0,
	    "wrote %.*s", (int)t.length, t.bytes);
	WsFreeMessage(m);
	WsFreeMessage(m2);
	WsFreeWriter(tw);
	WsFreeReader(r);
	WsFreeWriter(w);
}
END_TEST

/* The body writer's elements and WsWriteBody's keep their order inside
 * an envelope written with WsWriteEnvelopeStart. */
START_TEST(test_envelope_body_writer)
{
	static const char expect[] =
	    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA10 "\">"
	    "<s:Body><Item xmlns=\"urn:msgext\">1</Item><raw>x</raw>"
	    "<Item xmlns=\"urn:msgext\">2</Item></s:Body></s:Envelope>";
	static const WS_XML_STRING raw = WS_XML_STRING_VALUE("raw");
	static const WS_XML_STRING empty = WS_XML_STRING_VALUE("");
	WS_XML_WRITER *w = writer_new(false), *bw = NULL;
	WS_MESSAGE *m = msg_init(WS_BLANK_MESSAGE);
	int32_t v = 1;
	WS_BYTES b;

	HR_EQ(WsWriteEnvelopeStart(m, w, NULL, NULL, NULL), S_OK);
	HR_EQ(WsWriteBody(m, &item_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL), S_OK);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_BODY_WRITER, &bw,
	    sizeof(bw), NULL), S_OK);
	HR_EQ(WsWriteStartElement(bw, NULL, &raw, &empty, NULL), S_OK);
	HR_EQ(WsWriteCharsUtf8(bw, (const BYTE *)"x", 1, NULL), S_OK);
	HR_EQ(WsWriteEndElement(bw, NULL), S_OK);
	v = 2;
	HR_EQ(WsWriteBody(m, &item_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL), S_OK);
	HR_EQ(WsWriteEnvelopeEnd(m, NULL), S_OK);
	b = writer_bytes(w);
	ck_assert_msg(b.length == strlen(expect) &&
	    memcmp(b.bytes, expect, b.length) == 0, "wrote %.*s",
	    (int)b.length, b.bytes);

	/* An element left open in the body writer: the end fails, and the
	 * message is DONE all the same (reference page). */
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	WsFreeWriter(w);
	w = writer_new(false);
	HR_EQ(WsWriteEnvelopeStart(m, w, NULL, NULL, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_BODY_WRITER, &bw,
	    sizeof(bw), NULL), S_OK);
	HR_EQ(WsWriteStartElement(bw, NULL, &raw, &empty, NULL), S_OK);
	HR_EQ(WsWriteEnvelopeEnd(m, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(msg_state(m), WS_MESSAGE_STATE_DONE);
	HR_EQ(WsWriteEnvelopeEnd(m, NULL), WS_E_INVALID_OPERATION);
	WsFreeMessage(m);
	WsFreeWriter(w);
}
END_TEST

/* WS_MESSAGE_PROPERTY_HEADER_BUFFER, WsGetHeaderAttributes and
 * WsMarkHeaderAsUnderstood on a header the application reads itself. */
START_TEST(test_mark_understood)
{
	WS_XML_WRITER *w = writer_new(false);
	WS_XML_READER *r, *hrd = NULL;
	WS_XML_BUFFER *hb = NULL;
	WS_XML_NODE_POSITION pos;
	WS_MESSAGE *m, *in;
	WS_BYTES b;
	ULONG attrs = 0;
	BOOL found;

	done_calls = 0;
	m = order_message(w);
	b = writer_bytes(w);
	r = reader_new(false, b.bytes, b.length);
	in = msg_new();
	HR_EQ(WsReadEnvelopeStart(in, r, NULL, NULL, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(in, WS_MESSAGE_PROPERTY_HEADER_BUFFER, &hb,
	    sizeof(hb), NULL), S_OK);
	HR_EQ(WsCreateReader(NULL, 0, &hrd, NULL), S_OK);
	HR_EQ(WsSetInputToBuffer(hrd, hb, NULL, 0, NULL), S_OK);
	HR_EQ(WsReadToStartElement(hrd, &h_name, &h_ns, &found, NULL), S_OK);
	ck_assert(found);
	HR_EQ(WsGetHeaderAttributes(in, hrd, &attrs, NULL), S_OK);
	ck_assert_uint_eq(attrs, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsCheckMustUnderstandHeaders(in, NULL), WS_E_INVALID_FORMAT);
	HR_EQ(WsGetReaderPosition(hrd, &pos, NULL), S_OK);
	HR_EQ(WsMarkHeaderAsUnderstood(in, &pos, NULL), S_OK);
	HR_EQ(WsCheckMustUnderstandHeaders(in, NULL), S_OK);
	/* A position of another buffer is refused. */
	pos.buffer = NULL;
	HR_EQ(WsMarkHeaderAsUnderstood(in, &pos, NULL), E_INVALIDARG);
	WsFreeReader(hrd);
	WsFreeMessage(in);
	WsFreeMessage(m);
	WsFreeReader(r);
	WsFreeWriter(w);
}
END_TEST

/* ---- headers over TCP through the daemon --------------------------------- */

struct pair {
	WS_LISTENER	*l;
	uint16_t	 port;
	WS_CHANNEL	*c;
	WS_CHANNEL	*s;
};

static ULONG
pair_props(WS_CHANNEL_PROPERTY *p, WS_ENCODING *enc, WS_TRANSFER_MODE *mode)
{
	ULONG n = 0;

	p[n++] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ENCODING, enc,
	    sizeof(*enc) };
	if (mode != NULL)
		p[n++] = (WS_CHANNEL_PROPERTY){
		    WS_CHANNEL_PROPERTY_TRANSFER_MODE, mode, sizeof(*mode) };
	return n;
}

static void
pair_open(struct pair *p, WS_ENCODING enc, WS_TRANSFER_MODE *mode)
{
	WS_CHANNEL_PROPERTY props[4];
	ULONG n = pair_props(props, &enc, mode);
	struct harness_async *acc;

	memset(p, 0, sizeof(*p));
	HR_EQ(harness_tcp_listener_open(&p->l, &p->port), S_OK);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, props, n, NULL, &p->c, NULL), S_OK);
	HR_EQ(WsCreateChannelForListener(p->l, props, n, &p->s, NULL), S_OK);
	/* Leaked if the accept never completes: a late callback must find
	 * it alive. */
	acc = malloc(sizeof(*acc));
	ck_assert_ptr_nonnull(acc);
	harness_async_init(acc);
	HR_EQ(WsAcceptChannel(p->l, p->s, &acc->ctx, NULL), WS_S_ASYNC);
	HR_EQ(harness_open(p->c, p->port, NULL, NULL), S_OK);
	ck_assert_int_eq(harness_async_wait(acc, 1, T_MS), 1);
	HR_EQ(acc->hr, S_OK);
	harness_async_destroy(acc);
	free(acc);
}

static void
pair_free(struct pair *p)
{
	WsFreeChannel(p->c);
	WsFreeChannel(p->s);
	WsFreeListener(p->l);
}

static WS_MESSAGE *
msg_for(WS_CHANNEL *ch)
{
	WS_MESSAGE *m = NULL;

	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &m, NULL), S_OK);
	return m;
}

static void
headers_over_tcp(WS_ENCODING enc)
{
	WS_MESSAGE_DESCRIPTION md = { NULL, &item_desc };
	WS_HEAP *heap = heap_new();
	WCHAR tbuf[8], *got = NULL;
	const WCHAR *trace = wsz(tbuf, "hop-1");
	WS_MESSAGE *out, *in;
	struct pair p;
	int32_t item = 5;
	ULONG attrs = 9;

	pair_open(&p, enc, NULL);
	out = msg_for(p.c);
	in = msg_for(p.s);
	HR_EQ(WsInitializeMessage(out, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	add_ticket(out, 11, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	add_ticket(out, 12, 0);
	HR_EQ(WsAddCustomHeader(out, &trace_desc, WS_WRITE_REQUIRED_POINTER,
	    &trace, sizeof(trace), WS_RELAY_HEADER_ATTRIBUTE, NULL), S_OK);
	HR_EQ(WsSendMessage(p.c, out, &md, WS_WRITE_REQUIRED_VALUE, &item,
	    sizeof(item), NULL, NULL), S_OK);

	HR_EQ(WsReadMessageStart(p.s, in, NULL, NULL), S_OK);
	/* Read nothing yet: the mustUnderstand Ticket is not understood. */
	HR_EQ(WsCheckMustUnderstandHeaders(in, NULL), WS_E_INVALID_FORMAT);
	get_ticket(in, WS_SINGLETON_HEADER, 0, NULL, WS_E_INVALID_FORMAT);
	ck_assert_int_eq(get_ticket(in, WS_REPEATING_HEADER, 1, &attrs, S_OK),
	    12);
	ck_assert_uint_eq(attrs, 0);
	/* Index 1 read: index 0, the mustUnderstand one, still is not. */
	HR_EQ(WsCheckMustUnderstandHeaders(in, NULL), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(get_ticket(in, WS_REPEATING_HEADER, 0, &attrs, S_OK),
	    11);
	ck_assert_uint_eq(attrs, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsCheckMustUnderstandHeaders(in, NULL), S_OK);
	HR_EQ(WsGetCustomHeader(in, &trace_desc, WS_SINGLETON_HEADER, 0,
	    WS_READ_REQUIRED_POINTER, heap, &got, sizeof(got), &attrs, NULL),
	    S_OK);
	ck_assert(wsz_is(got, "hop-1"));
	ck_assert_uint_eq(attrs, WS_RELAY_HEADER_ATTRIBUTE);
	item = 0;
	HR_EQ(WsReadBody(in, &item_desc, WS_READ_REQUIRED_VALUE, heap, &item,
	    sizeof(item), NULL), S_OK);
	ck_assert_int_eq(item, 5);
	HR_EQ(WsReadMessageEnd(p.s, in, NULL, NULL), S_OK);
	WsFreeMessage(out);
	WsFreeMessage(in);
	WsFreeHeap(heap);
	pair_free(&p);
}

START_TEST(test_headers_tcp_text)
{
	headers_over_tcp(WS_ENCODING_XML_UTF8);
}
END_TEST

START_TEST(test_headers_tcp_binary)
{
	headers_over_tcp(WS_ENCODING_XML_BINARY_SESSION_1);
}
END_TEST

/* A reply goes back with the headers the service added. */
START_TEST(test_headers_tcp_copy_forward)
{
	WS_MESSAGE_DESCRIPTION md = { NULL, &item_desc };
	WS_MESSAGE *out, *in, *fwd, *back;
	WS_HEAP *heap = heap_new();
	struct pair p;
	int32_t item = 3;
	ULONG attrs = 0;

	pair_open(&p, WS_ENCODING_XML_UTF8, NULL);
	out = msg_for(p.c);
	in = msg_for(p.s);
	fwd = msg_for(p.s);
	back = msg_for(p.c);
	HR_EQ(WsInitializeMessage(out, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	add_ticket(out, 21, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	HR_EQ(WsSendMessage(p.c, out, &md, WS_WRITE_REQUIRED_VALUE, &item,
	    sizeof(item), NULL, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.s, in, NULL, NULL), S_OK);
	HR_EQ(WsReadMessageEnd(p.s, in, NULL, NULL), S_OK);
	/* The received message, copied whole, is sent back as it is. */
	HR_EQ(WsCopyMessage(fwd, in, NULL), S_OK);
	HR_EQ(WsWriteMessageStart(p.s, fwd, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageEnd(p.s, fwd, NULL, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.c, back, NULL, NULL), S_OK);
	ck_assert_int_eq(get_ticket(back, WS_SINGLETON_HEADER, 0, &attrs,
	    S_OK), 21);
	ck_assert_uint_eq(attrs, WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE);
	item = 0;
	HR_EQ(WsReadBody(back, &item_desc, WS_READ_REQUIRED_VALUE, heap,
	    &item, sizeof(item), NULL), S_OK);
	ck_assert_int_eq(item, 3);
	HR_EQ(WsReadMessageEnd(p.c, back, NULL, NULL), S_OK);
	WsFreeMessage(out);
	WsFreeMessage(in);
	WsFreeMessage(fwd);
	WsFreeMessage(back);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* ---- streamed bodies ----------------------------------------------------- */

#define STREAM_ITEMS	300	/* ~10 KB of body, chunks of 1 KB */
#define STREAM_CHUNK	1024

START_TEST(test_streamed_body_tcp)
{
	WS_TRANSFER_MODE mode = WS_STREAMED_TRANSFER_MODE, got_mode = 0;
	WS_MESSAGE *out, *in;
	WS_HEAP *heap = heap_new();
	struct pair p;
	int32_t v, *pv;
	int i, flushes = 0;

	pair_open(&p, WS_ENCODING_XML_BINARY_SESSION_1, &mode);
	HR_EQ(WsGetChannelProperty(p.c, WS_CHANNEL_PROPERTY_TRANSFER_MODE,
	    &got_mode, sizeof(got_mode), NULL), S_OK);
	ck_assert_int_eq(got_mode, WS_STREAMED_TRANSFER_MODE);
	out = msg_for(p.c);
	in = msg_for(p.s);
	HR_EQ(WsInitializeMessage(out, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageStart(p.c, out, NULL, NULL), S_OK);
	for (i = 0; i < STREAM_ITEMS; i++) {
		v = i * 1000;
		HR_EQ(WsWriteBody(out, &item_desc, WS_WRITE_REQUIRED_VALUE, &v,
		    sizeof(v), NULL), S_OK);
		HR_EQ(WsFlushBody(out, STREAM_CHUNK, NULL, NULL), S_OK);
		flushes++;
	}
	HR_EQ(WsFlushBody(out, 0, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageEnd(p.c, out, NULL, NULL), S_OK);
	ck_assert_int_eq(flushes, STREAM_ITEMS);

	/* The reader fills a chunk, reads what it holds, until the end. */
	HR_EQ(WsReadMessageStart(p.s, in, NULL, NULL), S_OK);
	for (i = 0; ; i++) {
		HR_EQ(WsFillBody(in, STREAM_CHUNK, NULL, NULL), S_OK);
		HR_EQ(WsReadBody(in, &item_desc, WS_READ_OPTIONAL_POINTER,
		    heap, &pv, sizeof(pv), NULL), S_OK);
		if (pv == NULL)
			break;
		ck_assert_int_eq(*pv, i * 1000);
	}
	ck_assert_int_eq(i, STREAM_ITEMS);
	HR_EQ(WsReadMessageEnd(p.s, in, NULL, NULL), S_OK);
	HR_EQ(WsFillBody(in, 1, NULL, NULL), WS_E_INVALID_OPERATION);
	WsFreeMessage(out);
	WsFreeMessage(in);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* ---- WsAsyncExecute ------------------------------------------------------ */

/* Three steps; the second goes pending when an async context is given and
 * completes from another thread, as a real async call does. */
struct steps {
	int		 trace[8];
	int		 n;
	HRESULT		 seen[8];
	bool		 async_ctx_seen;
	pthread_t	 th;
	bool		 started;
	WS_ASYNC_CONTEXT ctx;
};

static HRESULT CALLBACK step2(HRESULT, WS_CALLBACK_MODEL, void *,
    WS_ASYNC_OPERATION *, const WS_ASYNC_CONTEXT *, WS_ERROR *);
static HRESULT CALLBACK step3(HRESULT, WS_CALLBACK_MODEL, void *,
    WS_ASYNC_OPERATION *, const WS_ASYNC_CONTEXT *, WS_ERROR *);

static void *
complete_later(void *arg)
{
	struct steps *s = arg;

	harness_sleep_ms(20);
	s->ctx.callback(E_FAIL_STEP, WS_LONG_CALLBACK, s->ctx.callbackState);
	return NULL;
}

static HRESULT CALLBACK
step1(HRESULT hr, WS_CALLBACK_MODEL model, void *state,
    WS_ASYNC_OPERATION *next, const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct steps *s = state;

	(void)model;
	(void)error;
	(void)ctx;
	ck_assert_ptr_null(next->function);
	s->seen[s->n] = hr;
	s->trace[s->n++] = 1;
	next->function = step2;
	return S_OK;
}

static HRESULT CALLBACK
step2(HRESULT hr, WS_CALLBACK_MODEL model, void *state,
    WS_ASYNC_OPERATION *next, const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct steps *s = state;

	(void)model;
	(void)error;
	s->seen[s->n] = hr;
	s->trace[s->n++] = 2;
	next->function = step3;
	if (ctx == NULL)
		return E_FAIL_STEP;
	s->async_ctx_seen = true;
	s->ctx = *ctx;
	s->started = pthread_create(&s->th, NULL, complete_later, s) == 0;
	ck_assert(s->started);
	return WS_S_ASYNC;
}

static HRESULT CALLBACK
step3(HRESULT hr, WS_CALLBACK_MODEL model, void *state,
    WS_ASYNC_OPERATION *next, const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct steps *s = state;

	(void)model;
	(void)ctx;
	(void)next;
	(void)error;
	s->seen[s->n] = hr;
	s->trace[s->n++] = 3;
	/* The previous step's failure is this one's input; it recovers. */
	return hr == E_FAIL_STEP ? S_FALSE : E_FAIL;
}

START_TEST(test_async_execute_sync)
{
	struct steps s;
	WS_ASYNC_STATE st;

	memset(&s, 0, sizeof(s));
	HR_EQ(WsAsyncExecute(&st, step1, WS_LONG_CALLBACK, &s, NULL, NULL),
	    S_FALSE);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.trace[0] * 100 + s.trace[1] * 10 + s.trace[2], 123);
	HR_EQ(s.seen[0], S_OK);
	HR_EQ(s.seen[1], S_OK);
	HR_EQ(s.seen[2], E_FAIL_STEP);
	ck_assert(!s.async_ctx_seen);
}
END_TEST

START_TEST(test_async_execute_async)
{
	struct harness_async a;
	struct steps s;
	WS_ASYNC_STATE st;
	HRESULT hr;

	memset(&s, 0, sizeof(s));
	harness_async_init(&a);
	hr = WsAsyncExecute(&st, step1, WS_LONG_CALLBACK, &s, &a.ctx, NULL);
	HR_EQ(hr, WS_S_ASYNC);
	ck_assert_int_eq(harness_async_wait(&a, 1, T_MS), 1);
	HR_EQ(a.hr, S_FALSE);
	ck_assert_int_eq(s.n, 3);
	HR_EQ(s.seen[2], E_FAIL_STEP);
	ck_assert(s.async_ctx_seen);
	ck_assert(!a.on_caller_thread);
	pthread_join(s.th, NULL);
	/* One callback, not more. */
	harness_sleep_ms(50);
	ck_assert_int_eq(harness_async_calls(&a), 1);
	harness_async_destroy(&a);
}
END_TEST

/* A chain that never goes pending returns its result and calls back
 * nobody, like any call that completes synchronously. */
static HRESULT CALLBACK
only_step(HRESULT hr, WS_CALLBACK_MODEL model, void *state,
    WS_ASYNC_OPERATION *next, const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	int *calls = state;

	(void)hr;
	(void)model;
	(void)next;
	(void)error;
	ck_assert_ptr_nonnull(ctx);
	(*calls)++;
	return WS_E_QUOTA_EXCEEDED;
}

START_TEST(test_async_execute_no_pending)
{
	struct harness_async a;
	WS_ASYNC_STATE st;
	int calls = 0;

	harness_async_init(&a);
	HR_EQ(WsAsyncExecute(&st, only_step, WS_SHORT_CALLBACK, &calls, &a.ctx,
	    NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(calls, 1);
	harness_sleep_ms(20);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	harness_async_destroy(&a);
}
END_TEST

static Suite *
msgext_suite(void)
{
	Suite *s = suite_create("msgext");
	TCase *tc;

	tc = tcase_create("local");
	tcase_add_test(tc, test_custom_header_errors);
	tcase_add_test(tc, test_other_errors);
	tcase_add_test(tc, test_custom_header_local);
	tcase_add_test(tc, test_mapped_header_local);
	tcase_add_test(tc, test_envelope_text_round_trip);
	tcase_add_test(tc, test_envelope_binary_round_trip);
	tcase_add_test(tc, test_envelope_body_writer);
	tcase_add_test(tc, test_mark_understood);
	tcase_add_test(tc, test_async_execute_sync);
	tcase_add_test(tc, test_async_execute_async);
	tcase_add_test(tc, test_async_execute_no_pending);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_headers_tcp_text);
	tcase_add_test(tc, test_headers_tcp_binary);
	tcase_add_test(tc, test_headers_tcp_copy_forward);
	tcase_add_test(tc, test_streamed_body_tcp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

#ifdef WSCHANNEL_TEST_DBUS
	harness_use_dbus(true);
#endif
	sr = srunner_create(msgext_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
