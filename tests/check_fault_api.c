/*
 * Unit suite: WS_ERROR and the fault calls as the reference pages
 * describe them (strings, properties, reset, fault properties, the fault
 * detail, WsCreateFaultFromError), and WS_FAULT as XML: written and
 * compared byte for byte with hand-checked SOAP 1.1 and 1.2 text, and read
 * back, malformed faults included.  No daemon: linked against the
 * library's own objects, to reach ws_fault_write/ws_fault_read.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "harness.h"
#include "ws_fault.h"

#define WSTR(s)	{ (ULONG)(sizeof(s) / sizeof(char16_t) - 1), (WCHAR *)(s) }

#define NS12	"http://www.w3.org/2003/05/soap-envelope"
#define NS11	"http://schemas.xmlsoap.org/soap/envelope/"

static WS_XML_STRING d_name = WS_XML_STRING_VALUE("code");
static WS_XML_STRING d_ns = WS_XML_STRING_VALUE("urn:widgets");
static WS_XML_STRING d_action = WS_XML_STRING_VALUE("urn:widgets/fault");
static WS_XML_STRING d_other = WS_XML_STRING_VALUE("urn:widgets/other");
static WS_ELEMENT_DESCRIPTION d_int = { &d_name, &d_ns, WS_INT32_TYPE, NULL };
static WS_XML_STRING s_name = WS_XML_STRING_VALUE("why");
static WS_ELEMENT_DESCRIPTION d_str = { &s_name, &d_ns, WS_STRING_TYPE,
    NULL };

static WS_ERROR *
error_new(void)
{
	WS_ERROR *e = NULL;

	HR_EQ(WsCreateError(NULL, 0, &e), S_OK);
	return e;
}

static WS_HEAP *
heap_new(void)
{
	WS_HEAP *h = NULL;

	HR_EQ(WsCreateHeap(1 << 20, 0, NULL, 0, &h, NULL), S_OK);
	return h;
}

static bool
wstr_is(const WS_STRING *s, const char16_t *want)
{
	size_t n = 0;

	while (want[n] != 0)
		n++;
	return s->length == n &&
	    (n == 0 || memcmp(s->chars, want, n * sizeof(WCHAR)) == 0);
}

static bool
xstr_is(const WS_XML_STRING *s, const char *want)
{
	return s->length == strlen(want) &&
	    memcmp(s->bytes, want, s->length) == 0;
}

static ULONG
string_count(WS_ERROR *e)
{
	ULONG n = 99;

	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_STRING_COUNT, &n,
	    sizeof(n)), S_OK);
	return n;
}

static void
add_string(WS_ERROR *e, const char *ascii)
{
	WS_STRING s = harness_ws_string(ascii);

	HR_EQ(WsAddErrorString(e, &s), S_OK);
	free(s.chars);
}

/* The fault the serialization tests write: a subcode, two reasons,
 * actor, node, and a detail element. */
static WS_FAULT_CODE t_sub = { { WS_XML_STRING_VALUE("Overheated"),
    WS_XML_STRING_VALUE("urn:widgets") }, NULL };
static WS_FAULT_CODE t_code = { { WS_XML_STRING_VALUE("Receiver"),
    WS_XML_STRING_VALUE("") }, &t_sub };
static WS_FAULT_REASON t_reasons[2] = {
	{ WSTR(u"too hot"), WSTR(u"en-US") },
	{ WSTR(u"zu hei\u00df"), WSTR(u"de") },
};

static void
fault_fill(WS_FAULT *f, WS_HEAP *heap)
{
	WS_XML_WRITER *w = NULL;
	int32_t v = 7;

	memset(f, 0, sizeof(*f));
	f->code = &t_code;
	f->reasons = t_reasons;
	f->reasonCount = 2;
	f->actor = (WS_STRING)WSTR(u"urn:actor");
	f->node = (WS_STRING)WSTR(u"urn:node");
	HR_EQ(WsCreateXmlBuffer(heap, NULL, 0, &f->detail, NULL), S_OK);
	HR_EQ(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsSetOutputToBuffer(w, f->detail, NULL, 0, NULL), S_OK);
	{
		static WS_XML_STRING any = WS_XML_STRING_VALUE("anything");
		static WS_XML_STRING none = WS_XML_STRING_VALUE("");

		/* The detail element's own name is replaced when written. */
		HR_EQ(WsWriteStartElement(w, NULL, &any, &none, NULL), S_OK);
		HR_EQ(WsWriteElement(w, &d_int, WS_WRITE_REQUIRED_VALUE, &v,
		    sizeof(v), NULL), S_OK);
		HR_EQ(WsWriteEndElement(w, NULL), S_OK);
	}
	WsFreeWriter(w);
}

/* ---- WS_ERROR ----------------------------------------------------------- */

/* Index 0 is the most recent string; past the count is E_INVALIDARG. */
START_TEST(error_strings)
{
	WS_ERROR *e = error_new();
	WS_STRING s, bad = { 3, NULL };

	ck_assert_uint_eq(string_count(e), 0);
	HR_EQ(WsGetErrorString(e, 0, &s), E_INVALIDARG);
	add_string(e, "first");
	add_string(e, "second");
	ck_assert_uint_eq(string_count(e), 2);
	HR_EQ(WsGetErrorString(e, 0, &s), S_OK);
	ck_assert(wstr_is(&s, u"second"));
	HR_EQ(WsGetErrorString(e, 1, &s), S_OK);
	ck_assert(wstr_is(&s, u"first"));
	HR_EQ(WsGetErrorString(e, 2, &s), E_INVALIDARG);
	HR_EQ(WsGetErrorString(e, 0, NULL), E_INVALIDARG);
	HR_EQ(WsGetErrorString(NULL, 0, &s), E_INVALIDARG);
	HR_EQ(WsAddErrorString(e, NULL), E_INVALIDARG);
	HR_EQ(WsAddErrorString(e, &bad), E_INVALIDARG);
	HR_EQ(WsAddErrorString(NULL, &s), E_INVALIDARG);
	ck_assert_uint_eq(string_count(e), 2);
	HR_EQ(WsResetError(e), S_OK);
	ck_assert_uint_eq(string_count(e), 0);
	HR_EQ(WsGetErrorString(e, 0, &s), E_INVALIDARG);
	HR_EQ(WsResetError(NULL), E_INVALIDARG);
	WsFreeError(e);
}
END_TEST

/* LANGID: en-US by default, never 0, set only while the error is empty;
 * the count and the original code are read-only; sizes are checked. */
START_TEST(error_properties)
{
	WS_ERROR *e = error_new(), *e2 = NULL;
	USHORT lang = 0, de = 0x0407, zero = 0;
	HRESULT code = 1;
	ULONG n = 0;
	WS_ERROR_PROPERTY p = { WS_ERROR_PROPERTY_LANGID, &zero, sizeof(zero) };

	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &lang,
	    sizeof(lang)), S_OK);
	ck_assert_uint_eq(lang, 0x0409);
	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE,
	    &code, sizeof(code)), S_OK);
	ck_assert_int_eq(code, S_OK);
	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &lang, 4),
	    E_INVALIDARG);
	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_STRING_COUNT, &n, 2),
	    E_INVALIDARG);
	HR_EQ(WsGetErrorProperty(e, (WS_ERROR_PROPERTY_ID)7, &n, sizeof(n)),
	    E_INVALIDARG);
	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_STRING_COUNT, NULL,
	    sizeof(n)), E_INVALIDARG);
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_STRING_COUNT, &n,
	    sizeof(n)), E_INVALIDARG);
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE,
	    &code, sizeof(code)), E_INVALIDARG);
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &zero,
	    sizeof(zero)), E_INVALIDARG);
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &de, 4),
	    E_INVALIDARG);
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &de,
	    sizeof(de)), S_OK);
	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &lang,
	    sizeof(lang)), S_OK);
	ck_assert_uint_eq(lang, 0x0407);
	/* Not once the error holds something; again after a reset. */
	add_string(e, "x");
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &de,
	    sizeof(de)), WS_E_INVALID_OPERATION);
	HR_EQ(WsResetError(e), S_OK);
	HR_EQ(WsSetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &de,
	    sizeof(de)), S_OK);
	/* The language survives a reset. */
	HR_EQ(WsGetErrorProperty(e, WS_ERROR_PROPERTY_LANGID, &lang,
	    sizeof(lang)), S_OK);
	ck_assert_uint_eq(lang, 0x0407);
	HR_EQ(WsCreateError(&p, 1, &e2), E_INVALIDARG);
	WsFreeError(e);
}
END_TEST

/* ---- fault properties --------------------------------------------------- */

/* FAULT is a deep copy; its reason in the error's language joins the
 * strings; the pointer stays until the reset, which clears it all. */
START_TEST(fault_property)
{
	WS_ERROR *e = error_new();
	WS_HEAP *h = heap_new();
	WS_FAULT f, *got = (WS_FAULT *)1;
	WS_FAULT_REASON rs[2];
	WS_XML_STRING act;
	WS_XML_BUFFER *hdr = (WS_XML_BUFFER *)1;
	WS_STRING s;

	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &got,
	    sizeof(got)), S_OK);
	ck_assert_ptr_null(got);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION, &act,
	    sizeof(act)), S_OK);
	ck_assert_uint_eq(act.length, 0);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_HEADER, &hdr,
	    sizeof(hdr)), S_OK);
	ck_assert_ptr_null(hdr);

	fault_fill(&f, h);
	/* The German reason first: the English one is the error's. */
	rs[0] = t_reasons[1];
	rs[1] = t_reasons[0];
	f.reasons = rs;
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	ck_assert_uint_eq(string_count(e), 1);
	HR_EQ(WsGetErrorString(e, 0, &s), S_OK);
	ck_assert(wstr_is(&s, u"too hot"));
	/* A copy: the caller's memory may go. */
	rs[1].text = (WS_STRING)WSTR(u"changed");
	WsFreeHeap(h);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &got,
	    sizeof(got)), S_OK);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->reasonCount, 2);
	ck_assert(wstr_is(&got->reasons[1].text, u"too hot"));
	ck_assert(wstr_is(&got->reasons[0].lang, u"de"));
	ck_assert(xstr_is(&got->code->value.localName, "Receiver"));
	ck_assert(xstr_is(&got->code->subCode->value.ns, "urn:widgets"));
	ck_assert(wstr_is(&got->actor, u"urn:actor"));
	ck_assert(wstr_is(&got->node, u"urn:node"));
	ck_assert_ptr_nonnull(got->detail);

	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION,
	    &d_action, sizeof(d_action)), S_OK);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION, &act,
	    sizeof(act)), S_OK);
	ck_assert(xstr_is(&act, "urn:widgets/fault"));
	/* Wrong sizes, NULL values and unknown ids. */
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f) - 1), E_INVALIDARG);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, NULL,
	    sizeof(f)), E_INVALIDARG);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION,
	    &d_action, 4), E_INVALIDARG);
	HR_EQ(WsSetFaultErrorProperty(e, (WS_FAULT_ERROR_PROPERTY_ID)3,
	    &d_action, sizeof(d_action)), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &got,
	    sizeof(f)), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION, &act,
	    sizeof(void *)), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorProperty(e, (WS_FAULT_ERROR_PROPERTY_ID)9, &got,
	    sizeof(got)), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorProperty(NULL, WS_FAULT_ERROR_PROPERTY_FAULT,
	    &got, sizeof(got)), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, NULL,
	    sizeof(got)), E_INVALIDARG);

	/* Reset: no strings, no fault, no action. */
	HR_EQ(WsResetError(e), S_OK);
	ck_assert_uint_eq(string_count(e), 0);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &got,
	    sizeof(got)), S_OK);
	ck_assert_ptr_null(got);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION, &act,
	    sizeof(act)), S_OK);
	ck_assert_uint_eq(act.length, 0);
	WsFreeError(e);
}
END_TEST

/* HEADER: a copy of the buffer; NULL removes it; reset clears it. */
START_TEST(fault_header_property)
{
	static WS_XML_STRING hn = WS_XML_STRING_VALUE("hdr");
	WS_ERROR *e = error_new();
	WS_HEAP *h = heap_new(), *h2 = heap_new();
	WS_XML_BUFFER *b = NULL, *got = NULL, *none = NULL;
	WS_XML_WRITER *w = NULL;
	WS_XML_READER *r = NULL;
	BOOL found = FALSE;

	HR_EQ(WsCreateXmlBuffer(h, NULL, 0, &b, NULL), S_OK);
	HR_EQ(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsSetOutputToBuffer(w, b, NULL, 0, NULL), S_OK);
	HR_EQ(WsWriteStartElement(w, NULL, &hn, &d_ns, NULL), S_OK);
	HR_EQ(WsWriteEndElement(w, NULL), S_OK);
	WsFreeWriter(w);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_HEADER, &b,
	    sizeof(b)), S_OK);
	WsFreeHeap(h);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_HEADER, &got,
	    sizeof(got)), S_OK);
	ck_assert_ptr_nonnull(got);
	HR_EQ(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	HR_EQ(WsSetInputToBuffer(r, got, NULL, 0, NULL), S_OK);
	HR_EQ(WsReadToStartElement(r, &hn, &d_ns, &found, NULL), S_OK);
	ck_assert(found);
	WsFreeReader(r);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_HEADER, &b,
	    sizeof(b) - 1), E_INVALIDARG);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_HEADER,
	    &none, sizeof(none)), S_OK);
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_HEADER, &got,
	    sizeof(got)), S_OK);
	ck_assert_ptr_null(got);
	WsFreeHeap(h2);
	WsFreeError(e);
}
END_TEST

/* ---- the detail --------------------------------------------------------- */

START_TEST(fault_detail)
{
	WS_FAULT_DETAIL_DESCRIPTION fd = { &d_action, &d_int };
	WS_FAULT_DETAIL_DESCRIPTION other = { &d_other, &d_int };
	WS_FAULT_DETAIL_DESCRIPTION any = { NULL, &d_int };
	WS_FAULT_DETAIL_DESCRIPTION str = { NULL, &d_str };
	WS_ERROR *e = error_new();
	WS_HEAP *h = heap_new();
	WS_XML_STRING act;
	WS_FAULT *got;
	WS_STRING *sp = (WS_STRING *)1;
	int32_t v = 42, out = 0, *p = (int32_t *)1;

	/* Nothing stored yet. */
	HR_EQ(WsGetFaultErrorDetail(e, &fd, WS_READ_REQUIRED_VALUE, h, &out,
	    sizeof(out)), WS_E_INVALID_FORMAT);
	HR_EQ(WsGetFaultErrorDetail(e, &fd, WS_READ_OPTIONAL_POINTER, h, &p,
	    sizeof(p)), S_OK);
	ck_assert_ptr_null(p);
	/* Argument checks. */
	HR_EQ(WsSetFaultErrorDetail(NULL, &fd, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v)), E_INVALIDARG);
	HR_EQ(WsSetFaultErrorDetail(e, NULL, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v)), E_INVALIDARG);
	HR_EQ(WsSetFaultErrorDetail(e, &fd, WS_WRITE_REQUIRED_VALUE, &v,
	    2), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorDetail(e, NULL, WS_READ_REQUIRED_VALUE, h, &out,
	    sizeof(out)), E_INVALIDARG);
	HR_EQ(WsGetFaultErrorDetail(e, &fd, WS_READ_REQUIRED_VALUE, h, NULL,
	    sizeof(out)), E_INVALIDARG);

	HR_EQ(WsSetFaultErrorDetail(e, &fd, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v)), S_OK);
	/* The description's action became the fault action. */
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_ACTION, &act,
	    sizeof(act)), S_OK);
	ck_assert(xstr_is(&act, "urn:widgets/fault"));
	HR_EQ(WsGetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &got,
	    sizeof(got)), S_OK);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(got->detail);
	HR_EQ(WsGetFaultErrorDetail(e, &fd, WS_READ_REQUIRED_VALUE, h, &out,
	    sizeof(out)), S_OK);
	ck_assert_int_eq(out, 42);
	HR_EQ(WsGetFaultErrorDetail(e, &any, WS_READ_REQUIRED_POINTER, h, &p,
	    sizeof(p)), S_OK);
	ck_assert_int_eq(*p, 42);
	/* Another action: another fault's description. */
	out = 0;
	HR_EQ(WsGetFaultErrorDetail(e, &other, WS_READ_REQUIRED_VALUE, h,
	    &out, sizeof(out)), WS_E_INVALID_FORMAT);
	ck_assert_int_eq(out, 0);
	HR_EQ(WsGetFaultErrorDetail(e, &other, WS_READ_OPTIONAL_POINTER, h,
	    &p, sizeof(p)), S_OK);
	ck_assert_ptr_null(p);
	/* Another element name: absent for an optional read. */
	HR_EQ(WsGetFaultErrorDetail(e, &str, WS_READ_OPTIONAL_POINTER, h, &sp,
	    sizeof(sp)), S_OK);
	ck_assert_ptr_null(sp);
	HR_EQ(WsGetFaultErrorDetail(e, &str, WS_READ_REQUIRED_POINTER, h, &sp,
	    sizeof(sp)), WS_E_INVALID_FORMAT);
	/* A second detail replaces the first. */
	{
		WS_STRING why = WSTR(u"fan stuck");

		HR_EQ(WsSetFaultErrorDetail(e, &str, WS_WRITE_REQUIRED_VALUE,
		    &why, sizeof(why)), S_OK);
		HR_EQ(WsGetFaultErrorDetail(e, &str, WS_READ_REQUIRED_POINTER,
		    h, &sp, sizeof(sp)), S_OK);
		ck_assert(wstr_is(sp, u"fan stuck"));
	}
	HR_EQ(WsResetError(e), S_OK);
	HR_EQ(WsGetFaultErrorDetail(e, &str, WS_READ_OPTIONAL_POINTER, h, &sp,
	    sizeof(sp)), S_OK);
	ck_assert_ptr_null(sp);
	WsFreeHeap(h);
	WsFreeError(e);
}
END_TEST

/* ---- WsCreateFaultFromError --------------------------------------------- */

START_TEST(fault_from_error)
{
	WS_ERROR *e = error_new();
	WS_HEAP *h = heap_new();
	WS_FAULT f, g;
	WS_FAULT_DETAIL_DESCRIPTION fd = { NULL, &d_int };
	int32_t v = 5, out = 0;

	HR_EQ(WsCreateFaultFromError(e, S_OK, WS_FULL_FAULT_DISCLOSURE, h,
	    &f), E_INVALIDARG);
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, (WS_FAULT_DISCLOSURE)2, h,
	    &f), E_INVALIDARG);
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, WS_FULL_FAULT_DISCLOSURE,
	    NULL, &f), E_INVALIDARG);
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, WS_FULL_FAULT_DISCLOSURE, h,
	    NULL), E_INVALIDARG);
	HR_EQ(WsCreateFaultFromError(NULL, E_FAIL, WS_FULL_FAULT_DISCLOSURE,
	    h, &f), E_INVALIDARG);

	/* No strings: the code's own text; the generic code, no namespace
	 * (SOAP's, when written). */
	HR_EQ(WsCreateFaultFromError(e, E_OUTOFMEMORY,
	    WS_FULL_FAULT_DISCLOSURE, h, &f), S_OK);
	ck_assert_ptr_nonnull(f.code);
	ck_assert(xstr_is(&f.code->value.localName, "Receiver"));
	ck_assert_uint_eq(f.code->value.ns.length, 0);
	ck_assert_ptr_null(f.code->subCode);
	ck_assert_uint_eq(f.reasonCount, 1);
	ck_assert_uint_gt(f.reasons[0].text.length, 0);
	ck_assert(wstr_is(&f.reasons[0].lang, u"en-US"));
	ck_assert_ptr_null(f.detail);
	/* A request that did not read: the sender's fault. */
	HR_EQ(WsCreateFaultFromError(e, WS_E_INVALID_FORMAT,
	    WS_FULL_FAULT_DISCLOSURE, h, &f), S_OK);
	ck_assert(xstr_is(&f.code->value.localName, "Sender"));

	/* Full: the strings, most recent first; minimal: none of them. */
	add_string(e, "disk full");
	add_string(e, "cannot save");
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, WS_FULL_FAULT_DISCLOSURE, h,
	    &f), S_OK);
	ck_assert_uint_eq(f.reasonCount, 1);
	ck_assert(wstr_is(&f.reasons[0].text, u"cannot save\ndisk full"));
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, WS_MINIMAL_FAULT_DISCLOSURE,
	    h, &f), S_OK);
	ck_assert_uint_eq(f.reasonCount, 1);
	ck_assert(!wstr_is(&f.reasons[0].text, u"cannot save\ndisk full"));
	ck_assert_uint_gt(f.reasons[0].text.length, 0);

	/* A stored fault is the fault; the detail comes with it. */
	HR_EQ(WsSetFaultErrorDetail(e, &fd, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v)), S_OK);
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, WS_FULL_FAULT_DISCLOSURE, h,
	    &f), S_OK);
	ck_assert_ptr_nonnull(f.detail);
	ck_assert(xstr_is(&f.code->value.localName, "Receiver"));
	fault_fill(&g, h);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &g,
	    sizeof(g)), S_OK);
	HR_EQ(WsCreateFaultFromError(e, E_FAIL, WS_MINIMAL_FAULT_DISCLOSURE,
	    h, &f), S_OK);
	ck_assert_uint_eq(f.reasonCount, 2);
	ck_assert(wstr_is(&f.reasons[0].text, u"too hot"));
	ck_assert(xstr_is(&f.code->subCode->value.localName, "Overheated"));
	/* Its detail, read back through a stored copy. */
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	HR_EQ(WsGetFaultErrorDetail(e, &fd, WS_READ_REQUIRED_VALUE, h, &out,
	    sizeof(out)), S_OK);
	ck_assert_int_eq(out, 7);
	WsFreeHeap(h);
	WsFreeError(e);
}
END_TEST

/* ---- WS_FAULT as XML ---------------------------------------------------- */

/* Hand-checked against SOAP 1.2 part 1, 5.4: Code (Value, Subcode),
 * Reason (Text with xml:lang, one per language), Node, Role, Detail. */
static const char fault12[] =
    "<s:Fault xmlns:s=\"" NS12 "\">"
    "<s:Code><s:Value>s:Receiver</s:Value><s:Subcode>"
    "<s:Value xmlns:a=\"urn:widgets\">a:Overheated</s:Value></s:Subcode>"
    "</s:Code>"
    "<s:Reason><s:Text xml:lang=\"en-US\">too hot</s:Text>"
    "<s:Text xml:lang=\"de\">zu hei\xc3\x9f</s:Text></s:Reason>"
    "<s:Node>urn:node</s:Node><s:Role>urn:actor</s:Role>"
    "<s:Detail><code xmlns=\"urn:widgets\">7</code></s:Detail>"
    "</s:Fault>";

/* Hand-checked against SOAP 1.1, 4.4: unqualified faultcode (Server for
 * Receiver), faultstring (the first reason), faultactor, detail; no node,
 * no subcode. */
static const char fault11[] =
    "<s:Fault xmlns:s=\"" NS11 "\">"
    "<faultcode>s:Server</faultcode>"
    "<faultstring xml:lang=\"en-US\">too hot</faultstring>"
    "<faultactor>urn:actor</faultactor>"
    "<detail><code xmlns=\"urn:widgets\">7</code></detail>"
    "</s:Fault>";

START_TEST(write_fault)
{
	WS_ENVELOPE_VERSION v = _i == 0 ? WS_ENVELOPE_VERSION_SOAP_1_2 :
	    WS_ENVELOPE_VERSION_SOAP_1_1;
	const char *want = _i == 0 ? fault12 : fault11;
	WS_HEAP *h = heap_new();
	WS_FAULT f;
	uint8_t *out;
	size_t len;

	fault_fill(&f, h);
	HR_EQ(ws_fault_to_text(v, &f, &out, &len, NULL), S_OK);
	ck_assert_msg(len == strlen(want) && memcmp(out, want, len) == 0,
	    "wrote\n%.*s\nexpected\n%s", (int)len, (const char *)out, want);
	free(out);
	/* A Sender code with a namespace is written as it is. */
	{
		WS_FAULT_CODE c = { { WS_XML_STRING_VALUE("Sender"),
		    WS_XML_STRING_VALUE("urn:mine") }, NULL };

		f.code = &c;
		f.detail = NULL;
		HR_EQ(ws_fault_to_text(v, &f, &out, &len, NULL), S_OK);
		ck_assert_ptr_nonnull(strstr((char *)out,
		    "xmlns:a=\"urn:mine\">a:Sender<"));
		free(out);
	}
	/* No code or no reason: not a fault. */
	f.code = NULL;
	HR_EQ(ws_fault_to_text(v, &f, &out, &len, NULL), E_INVALIDARG);
	f.code = &t_code;
	f.reasonCount = 0;
	HR_EQ(ws_fault_to_text(v, &f, &out, &len, NULL), E_INVALIDARG);
	HR_EQ(ws_fault_to_text(WS_ENVELOPE_VERSION_NONE, &f, &out, &len,
	    NULL), E_INVALIDARG);
	WsFreeHeap(h);
}
END_TEST

/* What was written reads back as the same fault (SOAP 1.1 keeping what
 * it can carry). */
START_TEST(read_fault)
{
	WS_ENVELOPE_VERSION v = _i == 0 ? WS_ENVELOPE_VERSION_SOAP_1_2 :
	    WS_ENVELOPE_VERSION_SOAP_1_1;
	const char *text = _i == 0 ? fault12 : fault11;
	WS_HEAP *h = heap_new();
	WS_ERROR *e = error_new();
	WS_FAULT f;
	WS_FAULT_DETAIL_DESCRIPTION fd = { NULL, &d_int };
	int32_t out = 0;

	HR_EQ(ws_fault_from_text((const uint8_t *)text, strlen(text), v, h,
	    &f, NULL), S_OK);
	ck_assert_ptr_nonnull(f.code);
	ck_assert(xstr_is(&f.code->value.localName, _i == 0 ? "Receiver" :
	    "Server"));
	ck_assert(xstr_is(&f.code->value.ns, _i == 0 ? NS12 : NS11));
	if (_i == 0) {
		ck_assert_ptr_nonnull(f.code->subCode);
		ck_assert(xstr_is(&f.code->subCode->value.localName,
		    "Overheated"));
		ck_assert(xstr_is(&f.code->subCode->value.ns, "urn:widgets"));
		ck_assert_uint_eq(f.reasonCount, 2);
		ck_assert(wstr_is(&f.reasons[1].text, u"zu hei\u00df"));
		ck_assert(wstr_is(&f.reasons[1].lang, u"de"));
		ck_assert(wstr_is(&f.node, u"urn:node"));
	} else {
		ck_assert_ptr_null(f.code->subCode);
		ck_assert_uint_eq(f.reasonCount, 1);
		ck_assert_uint_eq(f.node.length, 0);
	}
	ck_assert(wstr_is(&f.reasons[0].text, u"too hot"));
	ck_assert(wstr_is(&f.reasons[0].lang, u"en-US"));
	ck_assert(wstr_is(&f.actor, u"urn:actor"));
	ck_assert_ptr_nonnull(f.detail);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	HR_EQ(WsGetFaultErrorDetail(e, &fd, WS_READ_REQUIRED_VALUE, h, &out,
	    sizeof(out)), S_OK);
	ck_assert_int_eq(out, 7);
	/* The other version's fault is not this version's. */
	HR_EQ(ws_fault_from_text((const uint8_t *)text, strlen(text),
	    _i == 0 ? WS_ENVELOPE_VERSION_SOAP_1_1 :
	    WS_ENVELOPE_VERSION_SOAP_1_2, h, &f, NULL), WS_E_INVALID_FORMAT);
	WsFreeError(e);
	WsFreeHeap(h);
}
END_TEST

/*
 * WS_FAULT_TYPE through the typed calls: WsWriteElement writes a Fault
 * element that WsReadElement reads back whole; the text of fault12 reads
 * the same way; the fault type takes only the element mapping and a
 * WS_FAULT_DESCRIPTION.
 */
START_TEST(fault_type)
{
	static WS_XML_STRING fault_name = WS_XML_STRING_VALUE("Fault");
	static WS_XML_STRING ns12 = WS_XML_STRING_VALUE(NS12);
	WS_FAULT_DESCRIPTION fdesc = { WS_ENVELOPE_VERSION_SOAP_1_2 };
	WS_ELEMENT_DESCRIPTION ed = { &fault_name, &ns12, WS_FAULT_TYPE,
	    &fdesc };
	WS_XML_READER_TEXT_ENCODING tenc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_READER_BUFFER_INPUT in = { { WS_XML_READER_INPUT_TYPE_BUFFER },
	    (void *)fault12, (ULONG)strlen(fault12) };
	WS_HEAP *h = heap_new();
	WS_XML_BUFFER *buf;
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	WS_FAULT f, g, *p = NULL;

	fault_fill(&f, h);
	HR_EQ(WsCreateXmlBuffer(h, NULL, 0, &buf, NULL), S_OK);
	HR_EQ(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	HR_EQ(WsSetOutputToBuffer(w, buf, NULL, 0, NULL), S_OK);
	HR_EQ(WsWriteElement(w, &ed, WS_WRITE_REQUIRED_VALUE, &f, sizeof(f),
	    NULL), S_OK);
	/* Any other mapping, or no description, is refused. */
	HR_EQ(WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_FAULT_TYPE,
	    &fdesc, WS_WRITE_REQUIRED_VALUE, &f, sizeof(f), NULL),
	    E_INVALIDARG);
	HR_EQ(WsWriteType(w, WS_ELEMENT_TYPE_MAPPING, WS_FAULT_TYPE, NULL,
	    WS_WRITE_REQUIRED_VALUE, &f, sizeof(f), NULL), E_INVALIDARG);
	HR_EQ(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	HR_EQ(WsSetInputToBuffer(r, buf, NULL, 0, NULL), S_OK);
	HR_EQ(WsReadElement(r, &ed, WS_READ_REQUIRED_POINTER, h, &p,
	    sizeof(p), NULL), S_OK);
	ck_assert_ptr_nonnull(p);
	ck_assert(xstr_is(&p->code->value.localName, "Receiver"));
	ck_assert(xstr_is(&p->code->subCode->value.localName, "Overheated"));
	ck_assert_uint_eq(p->reasonCount, 2);
	ck_assert(wstr_is(&p->reasons[1].text, u"zu hei\u00df"));
	ck_assert(wstr_is(&p->actor, u"urn:actor"));
	ck_assert_ptr_nonnull(p->detail);
	/* Another peer's text, by value. */
	HR_EQ(WsSetInput(r, &tenc.encoding, &in.input, NULL, 0, NULL), S_OK);
	HR_EQ(WsReadElement(r, &ed, WS_READ_REQUIRED_VALUE, h, &g, sizeof(g),
	    NULL), S_OK);
	ck_assert(wstr_is(&g.reasons[0].text, u"too hot"));
	ck_assert(wstr_is(&g.node, u"urn:node"));
	HR_EQ(WsSetInput(r, &tenc.encoding, &in.input, NULL, 0, NULL), S_OK);
	HR_EQ(WsReadType(r, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_FAULT_TYPE,
	    &fdesc, WS_READ_REQUIRED_VALUE, h, &g, sizeof(g), NULL),
	    E_INVALIDARG);
	WsFreeReader(r);
	WsFreeWriter(w);
	WsFreeHeap(h);
}
END_TEST

/* Faults as other peers write them: gSOAP's SOAP 1.2 (prefixes of its
 * own, one reason) and a SOAP 1.1 one with qualified parts and no lang. */
START_TEST(read_foreign)
{
	static const char gsoap[] =
	    "<SOAP-ENV:Fault xmlns:SOAP-ENV=\"" NS12 "\">"
	    "<SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:MustUnderstand"
	    "</SOAP-ENV:Value></SOAP-ENV:Code><SOAP-ENV:Reason>"
	    "<SOAP-ENV:Text xml:lang=\"en\">cannot be processed</SOAP-ENV:Text>"
	    "</SOAP-ENV:Reason></SOAP-ENV:Fault>";
	static const char old11[] =
	    "<e:Fault xmlns:e=\"" NS11 "\">\n"
	    "  <e:faultcode>e:Client</e:faultcode>\n"
	    "  <e:faultstring>bad request</e:faultstring>\n"
	    "</e:Fault>";
	WS_HEAP *h = heap_new();
	WS_ERROR *e = error_new();
	WS_FAULT f;
	WS_STRING s;

	HR_EQ(ws_fault_from_text((const uint8_t *)gsoap, strlen(gsoap),
	    WS_ENVELOPE_VERSION_SOAP_1_2, h, &f, NULL), S_OK);
	ck_assert(xstr_is(&f.code->value.localName, "MustUnderstand"));
	ck_assert(xstr_is(&f.code->value.ns, NS12));
	ck_assert(wstr_is(&f.reasons[0].lang, u"en"));
	/* "en" is the language of an en-US error: its string. */
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	HR_EQ(WsGetErrorString(e, 0, &s), S_OK);
	ck_assert(wstr_is(&s, u"cannot be processed"));
	HR_EQ(ws_fault_from_text((const uint8_t *)old11, strlen(old11),
	    WS_ENVELOPE_VERSION_SOAP_1_1, h, &f, NULL), S_OK);
	ck_assert(xstr_is(&f.code->value.localName, "Client"));
	ck_assert(wstr_is(&f.reasons[0].text, u"bad request"));
	ck_assert_uint_eq(f.reasons[0].lang.length, 0);
	ck_assert_ptr_null(f.detail);
	WsFreeError(e);
	WsFreeHeap(h);
}
END_TEST

/* Malformed faults: a clear WS_E_INVALID_FORMAT, the output untouched. */
START_TEST(read_malformed)
{
	static const char *const bad[] = {
	    /* no Reason */
	    "<s:Fault xmlns:s=\"" NS12 "\"><s:Code><s:Value>s:Sender"
	    "</s:Value></s:Code></s:Fault>",
	    /* Reason without Text */
	    "<s:Fault xmlns:s=\"" NS12 "\"><s:Code><s:Value>s:Sender"
	    "</s:Value></s:Code><s:Reason/></s:Fault>",
	    /* Code without Value */
	    "<s:Fault xmlns:s=\"" NS12 "\"><s:Code/><s:Reason><s:Text>x"
	    "</s:Text></s:Reason></s:Fault>",
	    /* an element a Fault does not have */
	    "<s:Fault xmlns:s=\"" NS12 "\"><s:Code><s:Value>s:Sender"
	    "</s:Value></s:Code><s:Reason><s:Text>x</s:Text></s:Reason>"
	    "<s:Extra/></s:Fault>",
	    /* Reason twice */
	    "<s:Fault xmlns:s=\"" NS11 "\"><faultcode>s:Client</faultcode>"
	    "<faultstring>a</faultstring><faultstring>b</faultstring>"
	    "</s:Fault>",
	    /* not a Fault */
	    "<s:Body xmlns:s=\"" NS11 "\"/>",
	    /* a code whose prefix is not bound */
	    "<s:Fault xmlns:s=\"" NS11 "\"><faultcode>q:Client</faultcode>"
	    "<faultstring>a</faultstring></s:Fault>",
	};
	WS_HEAP *h = heap_new();
	WS_FAULT f, zero;
	char deep[8192];
	size_t i, n = 0;
	int d;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		WS_ENVELOPE_VERSION v = strstr(bad[i], NS12) != NULL ?
		    WS_ENVELOPE_VERSION_SOAP_1_2 : WS_ENVELOPE_VERSION_SOAP_1_1;

		memset(&f, 0, sizeof(f));
		ck_assert_msg(ws_fault_from_text((const uint8_t *)bad[i],
		    strlen(bad[i]), v, h, &f, NULL) == WS_E_INVALID_FORMAT,
		    "accepted: %s", bad[i]);
		ck_assert(memcmp(&f, &zero, sizeof(f)) == 0);
	}
	/* Subcodes nested past the limit: the reader's depth quota (32)
	 * stops them first. */
	n += (size_t)snprintf(deep + n, sizeof(deep) - n,
	    "<s:Fault xmlns:s=\"" NS12 "\"><s:Code><s:Value>s:Sender"
	    "</s:Value>");
	for (d = 0; d < 40; d++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n,
		    "<s:Subcode><s:Value>s:X</s:Value>");
	for (d = 0; d < 40; d++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n,
		    "</s:Subcode>");
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</s:Code>"
	    "<s:Reason><s:Text>x</s:Text></s:Reason></s:Fault>");
	ck_assert_uint_lt(n, sizeof(deep));
	HR_EQ(ws_fault_from_text((const uint8_t *)deep, n,
	    WS_ENVELOPE_VERSION_SOAP_1_2, h, &f, NULL), WS_E_QUOTA_EXCEEDED);
	WsFreeHeap(h);
}
END_TEST

static Suite *
fault_api_suite(void)
{
	Suite *s = suite_create("fault_api");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, error_strings);
	tcase_add_test(tc, error_properties);
	tcase_add_test(tc, fault_property);
	tcase_add_test(tc, fault_header_property);
	tcase_add_test(tc, fault_detail);
	tcase_add_test(tc, fault_from_error);
	tcase_add_loop_test(tc, write_fault, 0, 2);
	tcase_add_loop_test(tc, read_fault, 0, 2);
	tcase_add_test(tc, fault_type);
	tcase_add_test(tc, read_foreign);
	tcase_add_test(tc, read_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fault_api_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
