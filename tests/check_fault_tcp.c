/*
 * Integration suite: faults both ways over net.tcp through a private
 * wschanneld.  A server answers a request with WsSendFaultMessageForError
 * (a code with a subcode, reasons in two languages, a detail, a fault
 * action); the client's WsRequestReply gets WS_E_ENDPOINT_FAULT_RECEIVED
 * and the whole fault in its WS_ERROR.  Then the other way: the client
 * sends the fault on its duplex channel and the server reads it as a
 * fault message, its body a WS_FAULT.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "harness.h"
#include "ws_fault.h"

#define T_MS	10000	/* bound of every wait that should succeed */

#define WSTR(s)	{ (ULONG)(sizeof(s) / sizeof(char16_t) - 1), (WCHAR *)(s) }

#define NS12	"http://www.w3.org/2003/05/soap-envelope"
#define NS11	"http://schemas.xmlsoap.org/soap/envelope/"

static WS_XML_STRING v_name = WS_XML_STRING_VALUE("value");
static WS_XML_STRING v_ns = WS_XML_STRING_VALUE("urn:wschannel-test");
static WS_XML_STRING req_action =
    WS_XML_STRING_VALUE("urn:wschannel-test/request");
static WS_XML_STRING rep_action =
    WS_XML_STRING_VALUE("urn:wschannel-test/reply");
static WS_ELEMENT_DESCRIPTION v_elem = { &v_name, &v_ns, WS_INT32_TYPE,
    NULL };
static WS_MESSAGE_DESCRIPTION req_desc = { &req_action, &v_elem };
static WS_MESSAGE_DESCRIPTION rep_desc = { &rep_action, &v_elem };

/* The fault's detail: a string element, and its action. */
static WS_XML_STRING d_name = WS_XML_STRING_VALUE("why");
static WS_XML_STRING d_ns = WS_XML_STRING_VALUE("urn:widgets");
static WS_XML_STRING d_action = WS_XML_STRING_VALUE("urn:widgets/fault");
static WS_ELEMENT_DESCRIPTION d_elem = { &d_name, &d_ns, WS_STRING_TYPE,
    NULL };
static WS_FAULT_DETAIL_DESCRIPTION d_desc = { &d_action, &d_elem };

static WS_FAULT_CODE f_sub = { { WS_XML_STRING_VALUE("Overheated"),
    WS_XML_STRING_VALUE("urn:widgets") }, NULL };
static WS_FAULT_CODE f_code = { { WS_XML_STRING_VALUE("Receiver"),
    WS_XML_STRING_VALUE("") }, &f_sub };
static WS_FAULT_REASON f_reasons[2] = {
	{ WSTR(u"the widget overheated"), WSTR(u"en-US") },
	{ WSTR(u"das Ger\u00e4t ist \u00fcberhitzt"), WSTR(u"de-DE") },
};

struct variant {
	const char		*name;
	WS_ENCODING		 enc;
	WS_ENVELOPE_VERSION	 env;
	WS_ADDRESSING_VERSION	 addr;
};

/* The binary session encoding (the TCP default) and text in SOAP 1.1. */
static const struct variant variants[] = {
	{ "binary session, SOAP 1.2 / WSA 1.0", WS_ENCODING_XML_BINARY_SESSION_1,
	    WS_ENVELOPE_VERSION_SOAP_1_2, WS_ADDRESSING_VERSION_1_0 },
	{ "text, SOAP 1.2 / WSA 1.0", WS_ENCODING_XML_UTF8,
	    WS_ENVELOPE_VERSION_SOAP_1_2, WS_ADDRESSING_VERSION_1_0 },
	{ "text, SOAP 1.1 / WSA 0.9", WS_ENCODING_XML_UTF8,
	    WS_ENVELOPE_VERSION_SOAP_1_1, WS_ADDRESSING_VERSION_0_9 },
};

struct pair {
	WS_LISTENER	*l;
	uint16_t	 port;
	WS_CHANNEL	*c;
	WS_CHANNEL	*s;
};

static ULONG
props_of(WS_CHANNEL_PROPERTY *p, const struct variant *v)
{
	p[0] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ENCODING,
	    (void *)&v->enc, sizeof(v->enc) };
	p[1] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ENVELOPE_VERSION,
	    (void *)&v->env, sizeof(v->env) };
	p[2] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ADDRESSING_VERSION,
	    (void *)&v->addr, sizeof(v->addr) };
	return 3;
}

static void
pair_open(struct pair *p, const struct variant *v)
{
	WS_CHANNEL_PROPERTY props[3];
	struct harness_async *acc;
	ULONG n = props_of(props, v);

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

/*
 * The error a failing service builds: its own string, the fault with a
 * subcode and two reasons, and a detail with its action.
 */
static HRESULT
fault_error_new(WS_ERROR **out)
{
	WS_FAULT f;
	WS_STRING why = WSTR(u"fan stuck at 0 rpm");
	HRESULT hr;

	memset(&f, 0, sizeof(f));
	f.code = &f_code;
	f.reasons = f_reasons;
	f.reasonCount = 2;
	if (FAILED(hr = WsCreateError(NULL, 0, out)) ||
	    FAILED(hr = WsSetFaultErrorProperty(*out,
	    WS_FAULT_ERROR_PROPERTY_FAULT, &f, sizeof(f))))
		return hr;
	return WsSetFaultErrorDetail(*out, &d_desc, WS_WRITE_REQUIRED_VALUE,
	    &why, sizeof(why));
}

/* What the receiving side checks of the fault it got. */
static void
check_fault(const WS_FAULT *f, const struct variant *v, WS_HEAP *heap)
{
	WS_ERROR *e = NULL;
	WS_STRING *why = NULL;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(f->code);
	if (v->env == WS_ENVELOPE_VERSION_SOAP_1_2) {
		ck_assert(xstr_is(&f->code->value.localName, "Receiver"));
		ck_assert(xstr_is(&f->code->value.ns, NS12));
		ck_assert_ptr_nonnull(f->code->subCode);
		ck_assert(xstr_is(&f->code->subCode->value.localName,
		    "Overheated"));
		ck_assert(xstr_is(&f->code->subCode->value.ns, "urn:widgets"));
		ck_assert_uint_eq(f->reasonCount, 2);
		ck_assert(wstr_is(&f->reasons[1].text,
		    u"das Ger\u00e4t ist \u00fcberhitzt"));
		ck_assert(wstr_is(&f->reasons[1].lang, u"de-DE"));
	} else {
		/* SOAP 1.1 carries one code (Server) and one reason. */
		ck_assert(xstr_is(&f->code->value.localName, "Server"));
		ck_assert(xstr_is(&f->code->value.ns, NS11));
		ck_assert_uint_eq(f->reasonCount, 1);
	}
	ck_assert(wstr_is(&f->reasons[0].text, u"the widget overheated"));
	ck_assert(wstr_is(&f->reasons[0].lang, u"en-US"));
	/* The detail reads through an error holding the fault. */
	HR_EQ(WsCreateError(NULL, 0, &e), S_OK);
	HR_EQ(WsSetFaultErrorProperty(e, WS_FAULT_ERROR_PROPERTY_FAULT, f,
	    sizeof(*f)), S_OK);
	HR_EQ(WsGetFaultErrorDetail(e, &d_desc, WS_READ_REQUIRED_POINTER,
	    heap, &why, sizeof(why)), S_OK);
	ck_assert(wstr_is(why, u"fan stuck at 0 rpm"));
	WsFreeError(e);
}

struct serve_arg {
	WS_CHANNEL	*ch;
};

/* The server: one request, answered with the fault (full disclosure). */
static HRESULT
serve_fault(void *arg)
{
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &req_desc };
	struct serve_arg *sa = arg;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *ferr = NULL;
	WS_HEAP *heap = NULL;
	int32_t v = 0;
	HRESULT hr;

	if (FAILED(hr = WsCreateMessageForChannel(sa->ch, NULL, 0, &rq,
	    NULL)) || FAILED(hr = WsCreateMessageForChannel(sa->ch, NULL, 0,
	    &rp, NULL)) || FAILED(hr = WsCreateHeap(1 << 16, 0, NULL, 0,
	    &heap, NULL)))
		goto out;
	if (FAILED(hr = WsReceiveMessage(sa->ch, rq, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL, NULL)))
		goto out;
	if (FAILED(hr = fault_error_new(&ferr)))
		goto out;
	hr = WsSendFaultMessageForError(sa->ch, rp, ferr, E_FAIL,
	    WS_FULL_FAULT_DISCLOSURE, rq, NULL, NULL);
out:
	if (ferr != NULL)
		WsFreeError(ferr);
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	return hr;
}

/* Server to client: WsRequestReply gets the whole fault in its error. */
START_TEST(fault_to_client)
{
	const struct variant *v = &variants[_i];
	struct serve_arg sa;
	struct harness_bg *bg;
	struct pair p;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *err = NULL;
	WS_HEAP *heap = NULL;
	WS_FAULT *f = NULL;
	WS_XML_STRING act;
	WS_STRING s;
	WS_STRING *why = NULL;
	int32_t in = 1, out = 0;
	HRESULT hr;

	pair_open(&p, v);
	sa.ch = p.s;
	bg = harness_bg_start(serve_fault, &sa);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	HR_EQ(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.c, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.c, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	/* The reason (English, the error's language) is string 0. */
	HR_EQ(WsGetErrorString(err, 0, &s), S_OK);
	ck_assert(wstr_is(&s, u"the widget overheated"));
	HR_EQ(WsGetFaultErrorProperty(err, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	check_fault(f, v, heap);
	HR_EQ(WsGetFaultErrorProperty(err, WS_FAULT_ERROR_PROPERTY_ACTION,
	    &act, sizeof(act)), S_OK);
	ck_assert_msg(xstr_is(&act, "urn:widgets/fault"), "action '%.*s'",
	    (int)act.length, (const char *)act.bytes);
	HR_EQ(WsGetFaultErrorDetail(err, &d_desc, WS_READ_REQUIRED_POINTER,
	    heap, &why, sizeof(why)), S_OK);
	ck_assert(wstr_is(why, u"fan stuck at 0 rpm"));
	/* A fault is an answer: the channel stays OPEN. */
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeError(err);
	WsFreeHeap(heap);
	WsFreeChannel(p.c);
	WsFreeChannel(p.s);
	WsFreeListener(p.l);
}
END_TEST

/* The server's side of the reverse direction: it sends a request, and
 * reads the answer, a fault message, with WsReadMessageStart. */
struct reverse_arg {
	WS_CHANNEL	*ch;
	const struct variant *v;
	WS_HEAP		*heap;
	WS_FAULT	 fault;
	BOOL		 is_fault;
	char		 action[128];
};

static HRESULT
reverse_server(void *arg)
{
	struct reverse_arg *ra = arg;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_XML_READER *body = NULL;
	WS_XML_STRING act;
	int32_t v = 5;
	HRESULT hr;

	if (FAILED(hr = WsCreateMessageForChannel(ra->ch, NULL, 0, &rq,
	    NULL)) || FAILED(hr = WsCreateMessageForChannel(ra->ch, NULL, 0,
	    &rp, NULL)))
		goto out;
	if (FAILED(hr = WsSendMessage(ra->ch, rq, &req_desc,
	    WS_WRITE_REQUIRED_VALUE, &v, sizeof(v), NULL, NULL)) ||
	    FAILED(hr = WsReadMessageStart(ra->ch, rp, NULL, NULL)) ||
	    FAILED(hr = WsGetMessageProperty(rp, WS_MESSAGE_PROPERTY_IS_FAULT,
	    &ra->is_fault, sizeof(ra->is_fault), NULL)) ||
	    FAILED(hr = WsGetHeader(rp, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_READ_REQUIRED_VALUE, ra->heap, &act, sizeof(act), NULL)) ||
	    FAILED(hr = WsGetMessageProperty(rp,
	    WS_MESSAGE_PROPERTY_BODY_READER, &body, sizeof(body), NULL)))
		goto out;
	snprintf(ra->action, sizeof(ra->action), "%.*s", (int)act.length,
	    (const char *)act.bytes);
	/* What WsReadBody does with WS_FAULT_TYPE. */
	if (FAILED(hr = ws_fault_read(body, ra->v->env, ra->heap, &ra->fault,
	    NULL)))
		goto out;
	hr = WsReadMessageEnd(ra->ch, rp, NULL, NULL);
out:
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	return hr;
}

/* Client to server: the client answers the server's message with
 * WsSendFaultMessageForError on its duplex channel. */
START_TEST(fault_to_server)
{
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &req_desc };
	const struct variant *v = &variants[_i];
	struct reverse_arg ra;
	struct harness_bg *bg;
	struct pair p;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *ferr = NULL;
	int32_t got = 0;
	HRESULT hr;

	pair_open(&p, v);
	memset(&ra, 0, sizeof(ra));
	ra.ch = p.s;
	ra.v = v;
	HR_EQ(WsCreateHeap(1 << 20, 0, NULL, 0, &ra.heap, NULL), S_OK);
	bg = harness_bg_start(reverse_server, &ra);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCreateMessageForChannel(p.c, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.c, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsReceiveMessage(p.c, rq, descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, NULL, &got, sizeof(got), NULL, NULL,
	    NULL), S_OK);
	ck_assert_int_eq(got, 5);
	HR_EQ(fault_error_new(&ferr), S_OK);
	HR_EQ(WsSendFaultMessageForError(p.c, rp, ferr, E_FAIL,
	    WS_FULL_FAULT_DISCLOSURE, rq, NULL, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	ck_assert(ra.is_fault);
	ck_assert_str_eq(ra.action, "urn:widgets/fault");
	check_fault(&ra.fault, v, ra.heap);
	STATE_EQ(p.s, WS_CHANNEL_STATE_OPEN);
	WsFreeError(ferr);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(ra.heap);
	WsFreeChannel(p.c);
	WsFreeChannel(p.s);
	WsFreeListener(p.l);
}
END_TEST

/*
 * Minimal disclosure: the fault tells nothing of the error's strings, and
 * without a fault action the addressing version's is used.
 */
static HRESULT
serve_minimal(void *arg)
{
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &req_desc };
	struct serve_arg *sa = arg;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *ferr = NULL;
	WS_STRING secret = WSTR(u"password is hunter2");
	int32_t v = 0;
	HRESULT hr;

	if (FAILED(hr = WsCreateMessageForChannel(sa->ch, NULL, 0, &rq,
	    NULL)) || FAILED(hr = WsCreateMessageForChannel(sa->ch, NULL, 0,
	    &rp, NULL)) || FAILED(hr = WsCreateError(NULL, 0, &ferr)) ||
	    FAILED(hr = WsAddErrorString(ferr, &secret)))
		goto out;
	if (FAILED(hr = WsReceiveMessage(sa->ch, rq, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, NULL, &v,
	    sizeof(v), NULL, NULL, NULL)))
		goto out;
	hr = WsSendFaultMessageForError(sa->ch, rp, ferr, E_ACCESSDENIED,
	    WS_MINIMAL_FAULT_DISCLOSURE, rq, NULL, NULL);
out:
	if (ferr != NULL)
		WsFreeError(ferr);
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	return hr;
}

START_TEST(fault_minimal)
{
	const struct variant *v = &variants[_i];
	struct serve_arg sa;
	struct harness_bg *bg;
	struct pair p;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *err = NULL;
	WS_HEAP *heap = NULL;
	WS_FAULT *f = NULL;
	WS_XML_STRING act;
	int32_t in = 1, out = 0;
	HRESULT hr;
	ULONG i;

	pair_open(&p, v);
	sa.ch = p.s;
	bg = harness_bg_start(serve_minimal, &sa);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	HR_EQ(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.c, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.c, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(WsGetFaultErrorProperty(err, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(f->detail);
	ck_assert_uint_eq(f->reasonCount, 1);
	for (i = 0; i + 7 <= f->reasons[0].text.length; i++)
		ck_assert_msg(memcmp(f->reasons[0].text.chars + i,
		    u"hunter2", 7 * sizeof(WCHAR)) != 0,
		    "minimal disclosure told the error's string");
	ck_assert(xstr_is(&f->code->value.localName,
	    v->env == WS_ENVELOPE_VERSION_SOAP_1_2 ? "Receiver" : "Server"));
	HR_EQ(WsGetFaultErrorProperty(err, WS_FAULT_ERROR_PROPERTY_ACTION,
	    &act, sizeof(act)), S_OK);
	ck_assert(xstr_is(&act, v->addr == WS_ADDRESSING_VERSION_1_0 ?
	    "http://www.w3.org/2005/08/addressing/soap/fault" :
	    "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"));
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeError(err);
	WsFreeHeap(heap);
	WsFreeChannel(p.c);
	WsFreeChannel(p.s);
	WsFreeListener(p.l);
}
END_TEST

/* The HTTP server: accepts one channel, answers its request with the
 * fault (a 500), closes. */
struct http_arg {
	WS_LISTENER	*l;
};

static HRESULT
http_serve_fault(void *arg)
{
	struct http_arg *ha = arg;
	struct serve_arg sa;
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	if (FAILED(hr = WsCreateChannelForListener(ha->l, NULL, 0, &ch,
	    NULL)) || FAILED(hr = WsAcceptChannel(ha->l, ch, NULL, NULL)))
		goto out;
	sa.ch = ch;
	if (SUCCEEDED(hr = serve_fault(&sa)))
		hr = WsCloseChannel(ch, NULL, NULL);
out:
	if (ch != NULL)
		WsFreeChannel(ch);
	return hr;
}

/* The same fault over HTTP (SOAP 1.2, text): a 500 whose envelope the
 * client reads into the same WS_FAULT. */
START_TEST(fault_http)
{
	static const struct variant http12 = { "HTTP", WS_ENCODING_XML_UTF8,
	    WS_ENVELOPE_VERSION_SOAP_1_2, WS_ADDRESSING_VERSION_1_0 };
	struct http_arg ha;
	struct harness_bg *bg;
	WS_CHANNEL *c = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *err = NULL;
	WS_HEAP *heap = NULL;
	WS_FAULT *f = NULL;
	WS_STRING url_s, *why = NULL;
	char url[128];
	uint16_t port = 0;
	int32_t in = 1, out = 0;
	HRESULT hr = E_FAIL;
	int i;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &ha.l, NULL), S_OK);
	for (i = 0; i < 5; i++) {
		if (harness_free_port(&port) != 0)
			continue;
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/svc",
		    (unsigned)port);
		url_s = harness_ws_string(url);
		hr = WsOpenListener(ha.l, &url_s, NULL, NULL);
		free(url_s.chars);
		if (hr != WS_E_ADDRESS_IN_USE)
			break;
		WsResetListener(ha.l, NULL);
	}
	HR_EQ(hr, S_OK);
	bg = harness_bg_start(http_serve_fault, &ha);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &c, NULL), S_OK);
	HR_EQ(harness_open_url(c, url, NULL, NULL), S_OK);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	HR_EQ(WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &rq, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &rp, NULL), S_OK);
	HR_EQ(WsRequestReply(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(WsGetFaultErrorProperty(err, WS_FAULT_ERROR_PROPERTY_FAULT, &f,
	    sizeof(f)), S_OK);
	check_fault(f, &http12, heap);
	HR_EQ(WsGetFaultErrorDetail(err, &d_desc, WS_READ_REQUIRED_POINTER,
	    heap, &why, sizeof(why)), S_OK);
	ck_assert(wstr_is(why, u"fan stuck at 0 rpm"));
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeError(err);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	WsFreeListener(ha.l);
}
END_TEST

static Suite *
fault_tcp_suite(void)
{
	Suite *s = suite_create("fault_tcp");
	TCase *tc = tcase_create("tcp");
	int n = (int)(sizeof(variants) / sizeof(variants[0]));

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, fault_to_client, 0, n);
	tcase_add_loop_test(tc, fault_to_server, 0, n);
	tcase_add_loop_test(tc, fault_minimal, 0, n);
	tcase_add_test(tc, fault_http);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fault_tcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
