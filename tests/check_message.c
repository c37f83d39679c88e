/*
 * Integration suite: the message-level calls (request-reply, replies and
 * faults, WsRead/WriteMessageStart/End, WsAbandonMessage, session shutdown,
 * headers, message objects and states) through libwschannel and a private
 * wschanneld, in every envelope/addressing combination that matters.
 *
 * The channel encoding is a parameter: main runs the whole suite once per
 * entry of run_encodings (tests that talk to a raw peer by hand only run
 * in text encodings).  One daemon per test; Check forks each test.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
#define QUIET_MS	50	/* how long "nothing more happens" is watched */

/* The encodings the suite runs in; add the binary ones as the daemon
 * learns them.  WSCHANNEL_TEST_ENCODINGS="5,1" (WS_ENCODING values)
 * chooses others for one run. */
static const WS_ENCODING run_encodings[] = {
	WS_ENCODING_XML_UTF8,
};

/* The encoding of this run, set by main before the tests fork. */
static WS_ENCODING encoding = WS_ENCODING_XML_UTF8;

/* Tests that play a raw peer write UTF-8 text by hand. */
static bool
text_encoding(void)
{
	return encoding == WS_ENCODING_XML_UTF8;
}

/* ---- descriptions ------------------------------------------------------- */

static WS_XML_STRING elem_name = WS_XML_STRING_VALUE("value");
static WS_XML_STRING text_name = WS_XML_STRING_VALUE("text");
static WS_XML_STRING elem_ns = WS_XML_STRING_VALUE("urn:wschannel-test");
static WS_XML_STRING req_action =
    WS_XML_STRING_VALUE("urn:wschannel-test/request");
static WS_XML_STRING rep_action =
    WS_XML_STRING_VALUE("urn:wschannel-test/reply");
static WS_XML_STRING stream_action =
    WS_XML_STRING_VALUE("urn:wschannel-test/stream");

static WS_ELEMENT_DESCRIPTION int_elem = {
	&elem_name, &elem_ns, WS_INT32_TYPE, NULL };
static WS_ELEMENT_DESCRIPTION text_elem = {
	&text_name, &elem_ns, WS_WSZ_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION req_desc = { &req_action, &int_elem };
static WS_MESSAGE_DESCRIPTION rep_desc = { &rep_action, &int_elem };

/* ---- envelope and addressing versions ----------------------------------- */

struct variant {
	const char		*name;
	WS_ENVELOPE_VERSION	 env;
	WS_ADDRESSING_VERSION	 addr;
	const char		*env_ns;	/* on the wire */
	const char		*addr_ns;	/* NULL: no addressing headers */
};

#define NS_SOAP11	"http://schemas.xmlsoap.org/soap/envelope/"
#define NS_SOAP12	"http://www.w3.org/2003/05/soap-envelope"
#define NS_WSA09	"http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define NS_WSA10	"http://www.w3.org/2005/08/addressing"

static const struct variant variants[] = {
	{ "SOAP 1.2 / WSA 1.0", WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_1_0, NS_SOAP12, NS_WSA10 },
	{ "SOAP 1.1 / WSA 0.9", WS_ENVELOPE_VERSION_SOAP_1_1,
	    WS_ADDRESSING_VERSION_0_9, NS_SOAP11, NS_WSA09 },
	{ "SOAP 1.2 / TRANSPORT", WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_TRANSPORT, NS_SOAP12, NULL },
	{ "SOAP 1.1 / TRANSPORT", WS_ENVELOPE_VERSION_SOAP_1_1,
	    WS_ADDRESSING_VERSION_TRANSPORT, NS_SOAP11, NULL },
	{ "SOAP 1.1 / WSA 1.0", WS_ENVELOPE_VERSION_SOAP_1_1,
	    WS_ADDRESSING_VERSION_1_0, NS_SOAP11, NS_WSA10 },
};
#define N_VARIANTS	(int)(sizeof(variants) / sizeof(variants[0]))

/* The binary encodings exist for SOAP 1.2 only (the known encodings of
 * .NET Message Framing): a run in one leaves the SOAP 1.1 variants out. */
static bool
variant_ok(const struct variant *v)
{
	return v->env == WS_ENVELOPE_VERSION_SOAP_1_2 ||
	    (encoding != WS_ENCODING_XML_BINARY_1 &&
	    encoding != WS_ENCODING_XML_BINARY_SESSION_1);
}

/* The variants of this run, indexed by the loop tests' _i. */
static int	 run_variant[N_VARIANTS];
static int	 n_run_variants;

static const struct variant *
variant_at(int i)
{
	return &variants[run_variant[i]];
}

/* The properties of a channel of variant `v` (plus `extra`). */
static ULONG
channel_props(WS_CHANNEL_PROPERTY *props, const struct variant *v,
    const WS_CHANNEL_PROPERTY *extra, ULONG nextra)
{
	static WS_ENCODING enc;
	static WS_ENVELOPE_VERSION env;
	static WS_ADDRESSING_VERSION addr;
	ULONG n = 0, i;

	enc = encoding;
	env = v->env;
	addr = v->addr;
	props[n++] = (WS_CHANNEL_PROPERTY){ WS_CHANNEL_PROPERTY_ENCODING,
	    &enc, sizeof(enc) };
	props[n++] = (WS_CHANNEL_PROPERTY){
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION, &env, sizeof(env) };
	props[n++] = (WS_CHANNEL_PROPERTY){
	    WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &addr, sizeof(addr) };
	for (i = 0; i < nextra; i++)
		props[n++] = extra[i];
	return n;
}

static WS_CHANNEL *
channel_new(const struct variant *v, const WS_CHANNEL_PROPERTY *extra,
    ULONG nextra)
{
	WS_CHANNEL_PROPERTY props[8];
	WS_CHANNEL *ch = NULL;
	ULONG n = channel_props(props, v, extra, nextra);

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, props, n, NULL, &ch, NULL), S_OK);
	return ch;
}

/* Two channels of variant `v` connected through the daemon. */
struct pair {
	WS_LISTENER	*l;
	uint16_t	 port;
	WS_CHANNEL	*c;	/* opened */
	WS_CHANNEL	*s;	/* accepted */
};

static void
pair_open(struct pair *p, const struct variant *v)
{
	WS_CHANNEL_PROPERTY props[8];
	struct harness_async *acc;
	ULONG n;

	memset(p, 0, sizeof(*p));
	HR_EQ(harness_tcp_listener_open(&p->l, &p->port), S_OK);
	p->c = channel_new(v, NULL, 0);
	n = channel_props(props, v, NULL, 0);
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
	STATE_EQ(p->c, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p->s, WS_CHANNEL_STATE_OPEN);
}

static void
pair_free(struct pair *p)
{
	WsFreeChannel(p->c);
	WsFreeChannel(p->s);
	WsFreeListener(p->l);
	memset(p, 0, sizeof(*p));
}

/* ---- small helpers ------------------------------------------------------ */

static WS_MESSAGE *
msg_for(WS_CHANNEL *ch)
{
	WS_MESSAGE *m = NULL;

	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &m, NULL), S_OK);
	return m;
}

static WS_HEAP *
heap_new(void)
{
	WS_HEAP *h = NULL;

	HR_EQ(WsCreateHeap(1 << 16, 0, NULL, 0, &h, NULL), S_OK);
	return h;
}

static WS_ERROR *
error_new(void)
{
	WS_ERROR *e = NULL;

	HR_EQ(WsCreateError(NULL, 0, &e), S_OK);
	return e;
}

static int
msg_state(WS_MESSAGE *m)
{
	WS_MESSAGE_STATE st = 0;

	if (WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_STATE, &st,
	    sizeof(st), NULL) != S_OK)
		return -1;
	return (int)st;
}

#define MSTATE_EQ(m, want) do {						\
	int ms_ = msg_state(m), mw_ = (want);				\
	ck_assert_msg(ms_ == mw_, "state of %s: %d, expected %d", #m,	\
	    ms_, mw_);							\
} while (0)

static BOOL
msg_bool(WS_MESSAGE *m, WS_MESSAGE_PROPERTY_ID id)
{
	BOOL b = -1;

	HR_EQ(WsGetMessageProperty(m, id, &b, sizeof(b), NULL), S_OK);
	return b;
}

/* A header as ASCII into buf (a WSZ, or an endpoint address's URL);
 * false when absent. */
static bool
header_ascii(WS_MESSAGE *m, WS_HEADER_TYPE type, char *buf, size_t len)
{
	WS_ENDPOINT_ADDRESS *ea = NULL;
	WCHAR *w = NULL;
	size_t i, n = (size_t)-1;

	if (type == WS_REPLY_TO_HEADER || type == WS_FAULT_TO_HEADER) {
		HR_EQ(WsGetHeader(m, type, WS_ENDPOINT_ADDRESS_TYPE,
		    WS_READ_OPTIONAL_POINTER, NULL, &ea, sizeof(ea), NULL),
		    S_OK);
		if (ea == NULL)
			return false;
		w = ea->url.chars;
		n = ea->url.length;
	} else {
		HR_EQ(WsGetHeader(m, type, WS_WSZ_TYPE,
		    WS_READ_OPTIONAL_POINTER, NULL, &w, sizeof(w), NULL), S_OK);
		if (w == NULL)
			return false;
	}
	for (i = 0; i < n && w[i] != 0 && i + 1 < len; i++)
		buf[i] = (char)w[i];
	buf[i] = '\0';
	return true;
}

static bool
wsz_is(const WCHAR *w, const char *ascii)
{
	size_t i;

	if (w == NULL)
		return false;
	for (i = 0; ascii[i] != '\0'; i++)
		if (w[i] != (WCHAR)(unsigned char)ascii[i])
			return false;
	return w[i] == 0;
}

static bool
ws_string_is(const WS_STRING *s, const char *ascii)
{
	size_t i, n = strlen(ascii);

	if (s->length != n)
		return false;
	for (i = 0; i < n; i++)
		if (s->chars[i] != (WCHAR)(unsigned char)ascii[i])
			return false;
	return true;
}

static bool
xml_string_is(const WS_XML_STRING *s, const char *ascii)
{
	return s->length == strlen(ascii) &&
	    memcmp(s->bytes, ascii, s->length) == 0;
}

/* The pending operations the daemon lists for this process. */
static int
pending_sum(void)
{
	struct harness_channel_row rows[32];
	int i, n, sum = 0;

	n = harness_list_channels(rows, 32);
	ck_assert_msg(n >= 0, "wsctl list failed: %d", n);
	for (i = 0; i < n && i < 32; i++)
		if (rows[i].pid == (uint32_t)getpid())
			sum += (int)rows[i].pending;
	return sum;
}

/* Waits until at least `want` operations of ours are pending. */
static void
wait_pending(int want)
{
	uint64_t deadline = harness_now_us() + 1000ull * T_MS;

	while (pending_sum() < want) {
		ck_assert_msg(harness_now_us() < deadline,
		    "the daemon never listed %d pending operations", want);
		harness_sleep_ms(5);
	}
}

/* ---- a peer that answers requests --------------------------------------- */

enum serve_mode {
	SERVE_REPLY,		/* value + 1 with WsSendReplyMessage */
	SERVE_FAULT_FULL,	/* WsSendFaultMessageForError, full */
	SERVE_FAULT_MINIMAL,	/* ... minimal disclosure */
	SERVE_FAULT_INIT,	/* WS_FAULT_MESSAGE reply with a body */
};

#define FAULT_TEXT	"the widget broke"

struct serve_arg {
	WS_CHANNEL	*ch;
	enum serve_mode	 mode;
	int32_t		 got;
	char		 action[128];	/* the request's, "" if none */
	char		 message_id[128];
};

static HRESULT
serve_one(void *arg)
{
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &req_desc };
	struct serve_arg *sa = arg;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_ERROR *ferr = NULL;
	WS_HEAP *heap = NULL;
	WS_STRING text;
	int32_t v = 0;
	HRESULT hr;

	if (FAILED(hr = WsCreateMessageForChannel(sa->ch, NULL, 0, &rq, NULL)) ||
	    FAILED(hr = WsCreateMessageForChannel(sa->ch, NULL, 0, &rp, NULL)) ||
	    FAILED(hr = WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL)))
		goto out;
	hr = WsReceiveMessage(sa->ch, rq, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL, NULL);
	if (FAILED(hr))
		goto out;
	sa->got = v;
	header_ascii(rq, WS_ACTION_HEADER, sa->action, sizeof(sa->action));
	header_ascii(rq, WS_MESSAGE_ID_HEADER, sa->message_id,
	    sizeof(sa->message_id));
	switch (sa->mode) {
	case SERVE_REPLY:
		v++;
		hr = WsSendReplyMessage(sa->ch, rp, &rep_desc,
		    WS_WRITE_REQUIRED_VALUE, &v, sizeof(v), rq, NULL, NULL);
		break;
	case SERVE_FAULT_FULL:
	case SERVE_FAULT_MINIMAL:
		if (FAILED(hr = WsCreateError(NULL, 0, &ferr)))
			break;
		text = harness_ws_string(FAULT_TEXT);
		hr = WsAddErrorString(ferr, &text);
		free(text.chars);
		if (FAILED(hr))
			break;
		hr = WsSendFaultMessageForError(sa->ch, rp, ferr, E_FAIL,
		    sa->mode == SERVE_FAULT_FULL ? WS_FULL_FAULT_DISCLOSURE :
		    WS_MINIMAL_FAULT_DISCLOSURE, rq, NULL, NULL);
		break;
	case SERVE_FAULT_INIT:
		if (FAILED(hr = WsInitializeMessage(rp, WS_FAULT_MESSAGE, rq,
		    NULL)))
			break;
		hr = WsSendReplyMessage(sa->ch, rp, &rep_desc,
		    WS_WRITE_REQUIRED_VALUE, &v, sizeof(v), rq, NULL, NULL);
		break;
	}
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

/* ---- message objects ---------------------------------------------------- */

/* WsCreateMessage's checks and the properties of a new message. */
START_TEST(create_message)
{
	WS_MESSAGE_PROPERTY prop;
	WS_ENVELOPE_VERSION env = WS_ENVELOPE_VERSION_SOAP_1_1;
	WS_ADDRESSING_VERSION addr;
	WS_MESSAGE *m = NULL;
	WS_HEAP *heap = NULL;
	void *ptr = NULL;
	ULONG u = 0;
	BOOL b;

	HR_EQ(WsCreateMessage(0, 0, NULL, 0, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsCreateMessage(0, 0, NULL, 0, &m, NULL), E_INVALIDARG);
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_1, 0, NULL, 0, &m,
	    NULL), E_INVALIDARG);
	HR_EQ(WsCreateMessage(0, WS_ADDRESSING_VERSION_0_9, NULL, 0, &m,
	    NULL), E_INVALIDARG);
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_NONE,
	    WS_ADDRESSING_VERSION_1_0, NULL, 0, &m, NULL), E_INVALIDARG);
	prop.id = WS_MESSAGE_PROPERTY_ENVELOPE_VERSION;
	prop.value = &env;
	prop.valueSize = sizeof(env);
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_1,
	    WS_ADDRESSING_VERSION_0_9, &prop, 1, &m, NULL), E_INVALIDARG);

	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_1,
	    WS_ADDRESSING_VERSION_0_9, NULL, 0, &m, NULL), S_OK);
	MSTATE_EQ(m, WS_MESSAGE_STATE_EMPTY);
	env = 0;
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_ENVELOPE_VERSION,
	    &env, sizeof(env), NULL), S_OK);
	ck_assert_int_eq(env, WS_ENVELOPE_VERSION_SOAP_1_1);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_ADDRESSING_VERSION,
	    &addr, sizeof(addr), NULL), S_OK);
	ck_assert_int_eq(addr, WS_ADDRESSING_VERSION_0_9);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_IS_ADDRESSED, &b,
	    sizeof(b), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_IS_FAULT, &b,
	    sizeof(b), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_HEAP, &heap,
	    sizeof(heap), NULL), S_OK);
	ck_assert_ptr_nonnull(heap);
	HR_EQ(WsAlloc(heap, 16, &ptr, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_STATE, &u, 2, NULL),
	    E_INVALIDARG);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_STATE, NULL,
	    sizeof(u), NULL), E_INVALIDARG);
	/* The header buffer (check_msgext) holds a message's headers: an
	 * EMPTY message has none to give. */
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_HEADER_BUFFER, &ptr,
	    sizeof(ptr), NULL), WS_E_INVALID_OPERATION);
	/* The body reader exists while a message is read (check_xml_message),
	 * not on an EMPTY one. */
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_BODY_READER, &ptr,
	    sizeof(ptr), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsGetMessageProperty(m, (WS_MESSAGE_PROPERTY_ID)99, &u,
	    sizeof(u), NULL), E_INVALIDARG);
	HR_EQ(WsGetMessageProperty(NULL, WS_MESSAGE_PROPERTY_STATE, &u,
	    sizeof(u), NULL), E_INVALIDARG);
	u = WS_MESSAGE_STATE_DONE;
	HR_EQ(WsSetMessageProperty(m, WS_MESSAGE_PROPERTY_STATE, &u,
	    sizeof(u), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsSetMessageProperty(m, WS_MESSAGE_PROPERTY_STATE, &u,
	    sizeof(u), NULL), E_INVALIDARG);
	MSTATE_EQ(m, WS_MESSAGE_STATE_INITIALIZED);
	ck_assert_int_eq(msg_bool(m, WS_MESSAGE_PROPERTY_IS_ADDRESSED), FALSE);
	ck_assert_int_eq(msg_bool(m, WS_MESSAGE_PROPERTY_IS_FAULT), FALSE);
	WsFreeMessage(m);

	/* NONE goes with TRANSPORT. */
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_NONE,
	    WS_ADDRESSING_VERSION_TRANSPORT, NULL, 0, &m, NULL), S_OK);
	WsFreeMessage(m);
}
END_TEST

/* EMPTY -> INITIALIZED -> (reset) EMPTY; calls in the wrong state. */
START_TEST(message_states)
{
	WS_CHANNEL *ch = channel_new(&variants[0], NULL, 0);
	WS_MESSAGE *m = msg_for(ch), *src = msg_for(ch);
	WS_ENVELOPE_VERSION env = 0;
	WS_HEAP *heap = heap_new();
	int32_t v = 1;

	MSTATE_EQ(m, WS_MESSAGE_STATE_EMPTY);
	HR_EQ(WsInitializeMessage(m, (WS_MESSAGE_INITIALIZATION)0xdead, NULL,
	    NULL), E_INVALIDARG);
	HR_EQ(WsInitializeMessage(m, WS_REPLY_MESSAGE, NULL, NULL),
	    E_INVALIDARG);
	HR_EQ(WsInitializeMessage(m, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	MSTATE_EQ(m, WS_MESSAGE_STATE_INITIALIZED);
	HR_EQ(WsInitializeMessage(m, WS_REQUEST_MESSAGE, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	/* Body calls need WRITING / READING. */
	HR_EQ(WsWriteBody(m, &int_elem, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsReadBody(m, &int_elem, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsWriteBody(m, NULL, WS_WRITE_REQUIRED_VALUE, &v, sizeof(v),
	    NULL), E_INVALIDARG);
	HR_EQ(WsReadBody(m, NULL, WS_READ_REQUIRED_VALUE, heap, &v, sizeof(v),
	    NULL), E_INVALIDARG);
	HR_EQ(WsWriteBody(NULL, &int_elem, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL), E_INVALIDARG);
	HR_EQ(WsReadBody(NULL, &int_elem, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL), E_INVALIDARG);
	/* The message-level calls want the right state, before any I/O. */
	HR_EQ(WsReadMessageStart(ch, m, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsReadMessageEnd(ch, m, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsWriteMessageEnd(ch, m, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	MSTATE_EQ(m, WS_MESSAGE_STATE_EMPTY);
	HR_EQ(WsGetMessageProperty(m, WS_MESSAGE_PROPERTY_ENVELOPE_VERSION,
	    &env, sizeof(env), NULL), S_OK);
	ck_assert_int_eq(env, WS_ENVELOPE_VERSION_SOAP_1_2);
	HR_EQ(WsWriteMessageStart(ch, m, NULL, NULL), WS_E_INVALID_OPERATION);
	/* The channel is CREATED: the daemon says so. */
	HR_EQ(WsReadMessageStart(ch, m, NULL, NULL), WS_E_INVALID_OPERATION);
	MSTATE_EQ(m, WS_MESSAGE_STATE_EMPTY);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageStart(ch, m, NULL, NULL), WS_E_INVALID_OPERATION);
	MSTATE_EQ(m, WS_MESSAGE_STATE_INITIALIZED);
	/* Duplicate copies the source's headers. */
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(src, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_DUPLICATE_MESSAGE, src, NULL), S_OK);
	{
		char a[128], b[128];

		ck_assert(header_ascii(src, WS_MESSAGE_ID_HEADER, a,
		    sizeof(a)));
		ck_assert(header_ascii(m, WS_MESSAGE_ID_HEADER, b, sizeof(b)));
		ck_assert_str_eq(a, b);
	}
	WsFreeMessage(m);
	WsFreeMessage(src);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* WsAddressMessage: To from the address, once. */
START_TEST(address_message)
{
	WS_STRING url = harness_ws_string("net.tcp://example.test/svc");
	WS_ENDPOINT_ADDRESS addr;
	WS_MESSAGE *m = NULL;
	char to[128];

	memset(&addr, 0, sizeof(addr));
	addr.url = url;
	HR_EQ(WsAddressMessage(NULL, &addr, NULL), E_INVALIDARG);
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_1_0, NULL, 0, &m, NULL), S_OK);
	HR_EQ(WsAddressMessage(m, &addr, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsInitializeMessage(m, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	ck_assert_int_eq(msg_bool(m, WS_MESSAGE_PROPERTY_IS_ADDRESSED), FALSE);
	ck_assert(!header_ascii(m, WS_TO_HEADER, to, sizeof(to)));
	HR_EQ(WsAddressMessage(m, &addr, NULL), S_OK);
	ck_assert_int_eq(msg_bool(m, WS_MESSAGE_PROPERTY_IS_ADDRESSED), TRUE);
	ck_assert(header_ascii(m, WS_TO_HEADER, to, sizeof(to)));
	ck_assert_str_eq(to, "net.tcp://example.test/svc");
	HR_EQ(WsAddressMessage(m, &addr, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsAddressMessage(m, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsAddressMessage(m, NULL, NULL), S_OK);
	ck_assert_int_eq(msg_bool(m, WS_MESSAGE_PROPERTY_IS_ADDRESSED), TRUE);
	ck_assert(!header_ascii(m, WS_TO_HEADER, to, sizeof(to)));
	WsFreeMessage(m);
	free(url.chars);
}
END_TEST

static void
uid_eq(const WS_UNIQUE_ID *a, const WS_UNIQUE_ID *b)
{
	ck_assert_int_eq(a->uri.length, b->uri.length);
	if (a->uri.length > 0)
		ck_assert(memcmp(a->uri.chars, b->uri.chars,
		    a->uri.length * sizeof(WCHAR)) == 0);
	else
		ck_assert(memcmp(&a->guid, &b->guid, sizeof(GUID)) == 0);
}

/* Set, get (every accepted type) and remove of the standard headers. */
START_TEST(headers)
{
	static const GUID guid = { 0x01234567, 0x89ab, 0xcdef,
	    { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef } };
	WS_XML_STRING action = WS_XML_STRING_VALUE("urn:test/action");
	WS_XML_STRING xs, *pxs = NULL;
	WS_STRING to = harness_ws_string("net.tcp://to.test/x");
	WS_STRING uri = harness_ws_string("urn:not-a-uuid:42");
	WS_STRING ws;
	WS_UNIQUE_ID id, got;
	WS_ENDPOINT_ADDRESS ea, gea, *pea = NULL;
	WS_MESSAGE *m = NULL;
	WS_HEAP *heap = heap_new();
	WCHAR wacts[] = { 'u', 'r', 'n', ':', 'b', 0 };
	const WCHAR *wsz;
	WCHAR *wout = NULL;
	char buf[128];

	HR_EQ(WsSetHeader(NULL, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, sizeof(action), NULL),
	    E_INVALIDARG);
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_1_0, NULL, 0, &m, NULL), S_OK);
	/* The type is checked first, then the state. */
	HR_EQ(WsSetHeader(m, 0, WS_XML_STRING_TYPE, WS_WRITE_REQUIRED_VALUE,
	    &action, sizeof(action), NULL), E_INVALIDARG);
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, sizeof(action), NULL),
	    WS_E_INVALID_OPERATION);
	HR_EQ(WsGetHeader(m, 0, WS_WSZ_TYPE, WS_READ_REQUIRED_POINTER, NULL,
	    &wout, sizeof(wout), NULL), E_INVALIDARG);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_REQUIRED_POINTER, NULL, &wout, sizeof(wout), NULL),
	    WS_E_INVALID_OPERATION);
	HR_EQ(WsRemoveHeader(m, 0, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsRemoveHeader(m, WS_ACTION_HEADER, NULL),
	    WS_E_INVALID_OPERATION);

	HR_EQ(WsInitializeMessage(m, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsRemoveHeader(m, 0, NULL), E_INVALIDARG);
	/* A request has a MessageID and nothing else (WS-Addressing 1.0). */
	HR_EQ(WsGetHeader(m, WS_MESSAGE_ID_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got), NULL), S_OK);
	ck_assert_int_eq(got.uri.length, 0);
	ck_assert(header_ascii(m, WS_MESSAGE_ID_HEADER, buf, sizeof(buf)));
	ck_assert(strncmp(buf, "urn:uuid:", 9) == 0 && strlen(buf) == 45);
	ck_assert(!header_ascii(m, WS_REPLY_TO_HEADER, buf, sizeof(buf)));

	/* Absent: required is WS_E_INVALID_FORMAT (even with no value
	 * pointer), optional is NULL. */
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_REQUIRED_POINTER, NULL, NULL, 0, NULL),
	    WS_E_INVALID_FORMAT);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &xs, sizeof(xs), NULL),
	    WS_E_INVALID_FORMAT);
	pxs = (WS_XML_STRING *)1;
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_READ_OPTIONAL_POINTER, heap, &pxs, sizeof(pxs), NULL), S_OK);
	ck_assert_ptr_null(pxs);

	/* Action: XML_STRING in, every string type out. */
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, sizeof(action), NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &xs, sizeof(xs), NULL), S_OK);
	HR_EQ(WsXmlStringEquals(&xs, &action, NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_READ_REQUIRED_POINTER, heap, &pxs, sizeof(pxs), NULL), S_OK);
	HR_EQ(WsXmlStringEquals(pxs, &action, NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_STRING_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &ws, sizeof(ws), NULL), S_OK);
	ck_assert(ws_string_is(&ws, "urn:test/action"));
	/* No heap: the message's own. */
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_REQUIRED_POINTER, NULL, &wout, sizeof(wout), NULL), S_OK);
	ck_assert(wsz_is(wout, "urn:test/action"));
	/* The value pointer and size are checked once the header is there. */
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_REQUIRED_POINTER, NULL, NULL, 0, NULL), E_INVALIDARG);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_REQUIRED_POINTER, NULL, &wout, 0, NULL), E_INVALIDARG);
	/* Options that would make a header nil, and wrong types. */
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_NILLABLE_POINTER, NULL, &wout, sizeof(wout), NULL),
	    E_INVALIDARG);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE, 0, NULL, &wout,
	    sizeof(wout), NULL), E_INVALIDARG);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got), NULL),
	    E_INVALIDARG);
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_NILLABLE_VALUE, &action, sizeof(action), NULL),
	    E_INVALIDARG);
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, 3, NULL), E_INVALIDARG);
	HR_EQ(WsSetHeader(m, WS_REPLY_TO_HEADER, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &to, sizeof(to), NULL), E_INVALIDARG);
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_INT32_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, sizeof(action), NULL),
	    E_INVALIDARG);
	/* WSZ in (a pointer type), replacing. */
	wsz = wacts;
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_WRITE_REQUIRED_POINTER, &wsz, sizeof(wsz), NULL), S_OK);
	ck_assert(header_ascii(m, WS_ACTION_HEADER, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "urn:b");

	/* To: WS_STRING. */
	HR_EQ(WsSetHeader(m, WS_TO_HEADER, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &to, sizeof(to), NULL), S_OK);
	ck_assert(header_ascii(m, WS_TO_HEADER, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "net.tcp://to.test/x");

	/* MessageID: a GUID and a URI both come back as they went. */
	memset(&id, 0, sizeof(id));
	id.guid = guid;
	HR_EQ(WsSetHeader(m, WS_MESSAGE_ID_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &id, sizeof(id), NULL), S_OK);
	ck_assert(header_ascii(m, WS_MESSAGE_ID_HEADER, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "urn:uuid:01234567-89ab-cdef-0123-456789abcdef");
	HR_EQ(WsGetHeader(m, WS_MESSAGE_ID_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got), NULL), S_OK);
	uid_eq(&got, &id);
	id.uri = uri;
	HR_EQ(WsSetHeader(m, WS_RELATES_TO_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &id, sizeof(id), NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_RELATES_TO_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got), NULL), S_OK);
	uid_eq(&got, &id);
	/* RelatesTo as a string works too. */
	HR_EQ(WsSetHeader(m, WS_RELATES_TO_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, sizeof(action), NULL), S_OK);
	ck_assert(header_ascii(m, WS_RELATES_TO_HEADER, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "urn:test/action");

	/* ReplyTo and FaultTo: endpoint addresses. */
	memset(&ea, 0, sizeof(ea));
	ea.url = to;
	HR_EQ(WsSetHeader(m, WS_REPLY_TO_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &ea, sizeof(ea), NULL), S_OK);
	pea = &ea;
	HR_EQ(WsSetHeader(m, WS_FAULT_TO_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_WRITE_REQUIRED_POINTER, &pea, sizeof(pea), NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_REPLY_TO_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &gea, sizeof(gea), NULL), S_OK);
	ck_assert(ws_string_is(&gea.url, "net.tcp://to.test/x"));
	ck_assert_ptr_null(gea.headers);
	pea = NULL;
	HR_EQ(WsGetHeader(m, WS_FAULT_TO_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_READ_REQUIRED_POINTER, heap, &pea, sizeof(pea), NULL), S_OK);
	ck_assert_ptr_nonnull(pea);
	ck_assert(ws_string_is(&pea->url, "net.tcp://to.test/x"));
	/* From is not carried by wschannel. */
	HR_EQ(WsSetHeader(m, WS_FROM_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &ea, sizeof(ea), NULL),
	    WS_E_NOT_SUPPORTED);
	HR_EQ(WsRemoveHeader(m, WS_FROM_HEADER, NULL), S_OK);

	/* Remove, and remove again. */
	HR_EQ(WsRemoveHeader(m, WS_ACTION_HEADER, NULL), S_OK);
	ck_assert(!header_ascii(m, WS_ACTION_HEADER, buf, sizeof(buf)));
	HR_EQ(WsRemoveHeader(m, WS_ACTION_HEADER, NULL), S_OK);
	HR_EQ(WsRemoveHeader(m, WS_REPLY_TO_HEADER, NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_REPLY_TO_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_READ_REQUIRED_VALUE, heap, &gea, sizeof(gea), NULL),
	    WS_E_INVALID_FORMAT);
	ck_assert(header_ascii(m, WS_FAULT_TO_HEADER, buf, sizeof(buf)));
	WsFreeMessage(m);

	/* WS-Addressing 2004/08 requests name the anonymous ReplyTo. */
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_1,
	    WS_ADDRESSING_VERSION_0_9, NULL, 0, &m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	ck_assert(header_ascii(m, WS_REPLY_TO_HEADER, buf, sizeof(buf)));
	ck_assert_str_eq(buf, NS_WSA09 "/role/anonymous");
	WsFreeMessage(m);

	/* TRANSPORT: Action and To only, and a request has no MessageID. */
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_TRANSPORT, NULL, 0, &m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	ck_assert(!header_ascii(m, WS_MESSAGE_ID_HEADER, buf, sizeof(buf)));
	HR_EQ(WsSetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &action, sizeof(action), NULL), S_OK);
	HR_EQ(WsSetHeader(m, WS_MESSAGE_ID_HEADER, WS_UNIQUE_ID_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &id, sizeof(id), NULL),
	    WS_E_NOT_SUPPORTED);
	HR_EQ(WsSetHeader(m, WS_REPLY_TO_HEADER, WS_ENDPOINT_ADDRESS_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &ea, sizeof(ea), NULL),
	    WS_E_NOT_SUPPORTED);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	free(to.chars);
	free(uri.chars);
}
END_TEST

START_TEST(xml_string_equals)
{
	WS_XML_STRING a = WS_XML_STRING_VALUE("abc");
	WS_XML_STRING b = WS_XML_STRING_VALUE("abc");
	WS_XML_STRING c = WS_XML_STRING_VALUE("abd");
	WS_XML_STRING d = WS_XML_STRING_VALUE("ab");
	WS_XML_STRING e = WS_XML_STRING_VALUE("");
	WS_XML_STRING f = { 0, NULL, NULL, 0 };
	WS_XML_DICTIONARY dict;
	WS_XML_STRING d1 = WS_XML_STRING_VALUE("x"), d2 = WS_XML_STRING_VALUE("y");

	HR_EQ(WsXmlStringEquals(&a, &b, NULL), S_OK);
	HR_EQ(WsXmlStringEquals(&a, &a, NULL), S_OK);
	HR_EQ(WsXmlStringEquals(&a, &c, NULL), S_FALSE);
	HR_EQ(WsXmlStringEquals(&a, &d, NULL), S_FALSE);
	HR_EQ(WsXmlStringEquals(&e, &f, NULL), S_OK);
	HR_EQ(WsXmlStringEquals(&e, &a, NULL), S_FALSE);
	HR_EQ(WsXmlStringEquals(NULL, &a, NULL), E_INVALIDARG);
	HR_EQ(WsXmlStringEquals(&a, NULL, NULL), E_INVALIDARG);
	/* Entries of one dictionary compare by id. */
	memset(&dict, 0, sizeof(dict));
	d1.dictionary = d2.dictionary = &dict;
	d1.id = d2.id = 7;
	HR_EQ(WsXmlStringEquals(&d1, &d2, NULL), S_OK);
	d2.id = 8;
	HR_EQ(WsXmlStringEquals(&d1, &d2, NULL), S_FALSE);
}
END_TEST

/* NULL handles and pointers of the new calls are E_INVALIDARG. */
START_TEST(null_arguments)
{
	struct harness_async a;
	WS_CHANNEL *ch = channel_new(&variants[0], NULL, 0);
	WS_MESSAGE *m = msg_for(ch), *m2 = msg_for(ch);
	WS_ERROR *e = error_new();
	WS_HEAP *heap = heap_new();
	int32_t v = 0;

	harness_async_init(&a);
	HR_EQ(WsRequestReply(NULL, m, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), m2, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsRequestReply(ch, NULL, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), m2, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL), E_INVALIDARG);
	HR_EQ(WsRequestReply(ch, m, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL), E_INVALIDARG);
	HR_EQ(WsRequestReply(ch, m, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), m, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL), E_INVALIDARG);
	HR_EQ(WsSendReplyMessage(NULL, m, &rep_desc, WS_WRITE_REQUIRED_VALUE,
	    &v, sizeof(v), m2, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsSendReplyMessage(ch, m, &rep_desc, WS_WRITE_REQUIRED_VALUE,
	    &v, sizeof(v), NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsSendReplyMessage(ch, m, NULL, WS_WRITE_REQUIRED_VALUE,
	    &v, sizeof(v), m2, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsSendFaultMessageForError(ch, m, NULL, E_FAIL,
	    WS_FULL_FAULT_DISCLOSURE, m2, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsSendFaultMessageForError(ch, m, e, S_OK,
	    WS_FULL_FAULT_DISCLOSURE, m2, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsReadMessageStart(NULL, m, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsReadMessageStart(ch, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsReadMessageEnd(NULL, m, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsReadMessageEnd(ch, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsWriteMessageStart(NULL, m, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsWriteMessageStart(ch, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsWriteMessageEnd(NULL, m, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsWriteMessageEnd(ch, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsAbandonMessage(NULL, m, NULL), E_INVALIDARG);
	HR_EQ(WsAbandonMessage(ch, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsShutdownSessionChannel(NULL, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsShutdownSessionChannel(NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsGetHeader(NULL, WS_ACTION_HEADER, WS_WSZ_TYPE,
	    WS_READ_REQUIRED_POINTER, NULL, &v, sizeof(void *), NULL),
	    E_INVALIDARG);
	HR_EQ(WsRemoveHeader(NULL, WS_ACTION_HEADER, NULL), E_INVALIDARG);
	/* A message that is not the current one is E_INVALIDARG too. */
	HR_EQ(WsAbandonMessage(ch, m, NULL), E_INVALIDARG);
	/* The CREATED channel cannot shut down its session. */
	HR_EQ(WsShutdownSessionChannel(ch, NULL, NULL), WS_E_INVALID_OPERATION);
	MSTATE_EQ(m, WS_MESSAGE_STATE_EMPTY);
	MSTATE_EQ(m2, WS_MESSAGE_STATE_EMPTY);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	WsFreeMessage(m);
	WsFreeMessage(m2);
	WsFreeError(e);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* ---- request-reply ------------------------------------------------------ */

/* Request-reply between two channels, one thread answering with
 * WsSendReplyMessage; every envelope/addressing variant. */
START_TEST(request_reply)
{
	const struct variant *v = variant_at(_i);
	struct serve_arg sa = { .mode = SERVE_REPLY };
	struct harness_bg *bg;
	struct pair p;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap = heap_new();
	WS_UNIQUE_ID mid, rel;
	WS_XML_STRING act;
	WS_ENVELOPE_VERSION env = 0;
	WS_ADDRESSING_VERSION addr = 0;
	int32_t in = 41, out = 0;
	HRESULT hr;

	pair_open(&p, v);
	sa.ch = p.s;
	bg = harness_bg_start(serve_one, &sa);
	ck_assert_ptr_nonnull(bg);
	rq = msg_for(p.c);
	rp = msg_for(p.c);
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 42);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	ck_assert_int_eq(sa.got, 41);
	MSTATE_EQ(rq, WS_MESSAGE_STATE_DONE);
	MSTATE_EQ(rp, WS_MESSAGE_STATE_DONE);
	ck_assert_int_eq(msg_bool(rp, WS_MESSAGE_PROPERTY_IS_FAULT), FALSE);
	HR_EQ(WsGetMessageProperty(rp, WS_MESSAGE_PROPERTY_ENVELOPE_VERSION,
	    &env, sizeof(env), NULL), S_OK);
	HR_EQ(WsGetMessageProperty(rp, WS_MESSAGE_PROPERTY_ADDRESSING_VERSION,
	    &addr, sizeof(addr), NULL), S_OK);
	ck_assert_int_eq(env, v->env);
	ck_assert_int_eq(addr, v->addr);
	if (v->addr_ns != NULL) {
		/* The reply relates to the request; both actions made it. */
		ck_assert_str_eq(sa.action, "urn:wschannel-test/request");
		ck_assert(strncmp(sa.message_id, "urn:uuid:", 9) == 0);
		HR_EQ(WsGetHeader(rq, WS_MESSAGE_ID_HEADER, WS_UNIQUE_ID_TYPE,
		    WS_READ_REQUIRED_VALUE, heap, &mid, sizeof(mid), NULL),
		    S_OK);
		HR_EQ(WsGetHeader(rp, WS_RELATES_TO_HEADER, WS_UNIQUE_ID_TYPE,
		    WS_READ_REQUIRED_VALUE, heap, &rel, sizeof(rel), NULL),
		    S_OK);
		uid_eq(&mid, &rel);
		HR_EQ(WsGetHeader(rp, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
		    WS_READ_REQUIRED_VALUE, heap, &act, sizeof(act), NULL),
		    S_OK);
		HR_EQ(WsXmlStringEquals(&act, &rep_action, NULL), S_OK);
	} else {
		/* Without WS-Addressing there is nothing to correlate. */
		ck_assert_str_eq(sa.message_id, "");
		HR_EQ(WsGetHeader(rp, WS_RELATES_TO_HEADER, WS_UNIQUE_ID_TYPE,
		    WS_READ_REQUIRED_VALUE, heap, &rel, sizeof(rel), NULL),
		    WS_E_INVALID_FORMAT);
	}
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.s, WS_CHANNEL_STATE_OPEN);

	/* The messages are reusable after a reset. */
	HR_EQ(WsResetMessage(rq, NULL), S_OK);
	HR_EQ(WsResetMessage(rp, NULL), S_OK);
	bg = harness_bg_start(serve_one, &sa);
	in = 7;
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 8);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	/* Not EMPTY: refused before anything is sent. */
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), WS_E_INVALID_OPERATION);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* The same asynchronously: WS_S_ASYNC, then one callback. */
START_TEST(request_reply_async)
{
	struct serve_arg sa = { .mode = SERVE_REPLY };
	struct harness_async a;
	struct harness_bg *bg;
	struct pair p;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap = heap_new();
	int32_t in = -5, out = 0;
	HRESULT hr;

	pair_open(&p, variant_at(_i));
	rq = msg_for(p.c);
	rp = msg_for(p.c);
	harness_async_init(&a);
	hr = WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), &a.ctx, NULL);
	HR_EQ(hr, WS_S_ASYNC);
	/* The reply comes only once the peer answers. */
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	sa.ch = p.s;
	bg = harness_bg_start(serve_one, &sa);
	ASYNC_EQ(&a, hr, S_OK);
	ck_assert_int_eq(out, -4);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	MSTATE_EQ(rp, WS_MESSAGE_STATE_DONE);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/*
 * A fault reply ends the request with WS_E_ENDPOINT_FAULT_RECEIVED and the
 * fault's reason as the first string of the error: the peer sends it with
 * WsSendFaultMessageForError (full and minimal disclosure) or as a
 * WS_FAULT_MESSAGE reply; in two envelope versions.
 */
START_TEST(fault_reply)
{
	static const enum serve_mode modes[] = { SERVE_FAULT_FULL,
	    SERVE_FAULT_MINIMAL, SERVE_FAULT_INIT };
	const struct variant *v = variant_at(_i / 3);
	struct serve_arg sa = { .mode = modes[_i % 3] };
	struct harness_bg *bg;
	struct pair p;
	WS_MESSAGE *rq, *rp;
	WS_ERROR *err = error_new();
	WS_HEAP *heap = heap_new();
	HRESULT hr, orig = 0;
	int32_t in = 1, out = 0;
	char text[256];
	ULONG count = 0;

	pair_open(&p, v);
	sa.ch = p.s;
	bg = harness_bg_start(serve_one, &sa);
	rq = msg_for(p.c);
	rp = msg_for(p.c);
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, err), WS_E_ENDPOINT_FAULT_RECEIVED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(WsGetErrorProperty(err, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE,
	    &orig, sizeof(orig)), S_OK);
	HR_EQ(orig, WS_E_ENDPOINT_FAULT_RECEIVED);
	HR_EQ(WsGetErrorProperty(err, WS_ERROR_PROPERTY_STRING_COUNT, &count,
	    sizeof(count)), S_OK);
	ck_assert_uint_ge(count, 1);
	if (sa.mode != SERVE_FAULT_INIT) {
		ck_assert(harness_error_string(err, text, sizeof(text)));
		if (sa.mode == SERVE_FAULT_FULL)
			ck_assert_str_eq(text, FAULT_TEXT);
		else
			ck_assert_msg(text[0] != '\0' &&
			    strstr(text, "widget") == NULL,
			    "minimal disclosure told '%s'", text);
	}
	ck_assert_int_eq(out, 0);
	MSTATE_EQ(rq, WS_MESSAGE_STATE_DONE);
	MSTATE_EQ(rp, WS_MESSAGE_STATE_DONE);
	ck_assert_int_eq(msg_bool(rp, WS_MESSAGE_PROPERTY_IS_FAULT), TRUE);
	/* A fault is an answer, not a failure of the channel. */
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	HR_EQ(WsResetMessage(rq, NULL), S_OK);
	HR_EQ(WsResetMessage(rp, NULL), S_OK);
	sa.mode = SERVE_REPLY;
	bg = harness_bg_start(serve_one, &sa);
	HR_EQ(WsRequestReply(p.c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 2);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeError(err);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* The value of `name` in an XML text: between "name>" and "<". */
static bool
xml_value(const char *xml, const char *name, char *buf, size_t len)
{
	const char *p, *e;
	char key[64];

	snprintf(key, sizeof(key), "%s>", name);
	if ((p = strstr(xml, key)) == NULL)
		return false;
	p += strlen(key);
	if ((e = strchr(p, '<')) == NULL || (size_t)(e - p) >= len)
		return false;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	return true;
}

/*
 * A raw peer answers the request with a SOAP 1.2 fault it wrote by hand
 * (_i 0), or with a reply that relates to another message (_i 1), which is
 * not the reply: WS_E_INVALID_FORMAT, and the reply message keeps it.
 */
START_TEST(raw_reply)
{
	static const char fault_fmt[] =
	    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA10 "\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">" NS_WSA10
	    "/soap/fault</a:Action><a:RelatesTo>%s</a:RelatesTo></s:Header>"
	    "<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code>"
	    "<s:Reason><s:Text xml:lang=\"en\">raw peer says no</s:Text>"
	    "</s:Reason></s:Fault></s:Body></s:Envelope>";
	static const char reply_fmt[] =
	    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA10 "\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">"
	    "urn:wschannel-test/reply</a:Action><a:RelatesTo>%s</a:RelatesTo>"
	    "</s:Header><s:Body><value xmlns=\"urn:wschannel-test\">9</value>"
	    "</s:Body></s:Envelope>";
	struct harness_raw_server rs;
	struct harness_async a;
	WS_CHANNEL *ch;
	WS_MESSAGE *rq, *rp;
	WS_ERROR *err = error_new();
	WS_HEAP *heap = heap_new();
	int32_t in = 3, out = 0;
	char *payload, *env, mid[128], text[256];
	size_t len;
	uint8_t type;

	ch = channel_new(&variants[0], NULL, 0);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	rq = msg_for(ch);
	rp = msg_for(ch);
	harness_async_init(&a);
	HR_EQ(WsRequestReply(ch, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), &a.ctx, err), WS_S_ASYNC);
	ck_assert_int_eq(harness_nmf_read_record(rs.fd, T_MS, &type, &payload,
	    &len), 0);
	ck_assert_int_eq(type, 0x06);
	ck_assert_msg(xml_value(payload, "MessageID", mid, sizeof(mid)),
	    "no MessageID in %s", payload);
	ck_assert(asprintf(&env, _i == 0 ? fault_fmt : reply_fmt, _i == 0 ?
	    mid : "urn:uuid:00000000-0000-4000-8000-000000000000") > 0);
	ck_assert_int_eq(harness_nmf_write_envelope(rs.fd, env, strlen(env)),
	    0);
	if (_i == 0) {
		ASYNC_EQ(&a, WS_S_ASYNC, WS_E_ENDPOINT_FAULT_RECEIVED);
		ck_assert(harness_error_string(err, text, sizeof(text)));
		ck_assert_str_eq(text, "raw peer says no");
		ck_assert_int_eq(msg_bool(rp, WS_MESSAGE_PROPERTY_IS_FAULT),
		    TRUE);
	} else {
		ASYNC_EQ(&a, WS_S_ASYNC, WS_E_INVALID_FORMAT);
		ck_assert_int_eq(out, 0);
		ck_assert(header_ascii(rp, WS_RELATES_TO_HEADER, text,
		    sizeof(text)));
		ck_assert_str_eq(text,
		    "urn:uuid:00000000-0000-4000-8000-000000000000");
	}
	MSTATE_EQ(rp, WS_MESSAGE_STATE_DONE);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	free(env);
	free(payload);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeError(err);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* What goes on the wire for each variant (seen by a raw peer), and what
 * comes back from a peer that speaks it. */
START_TEST(raw_wire_versions)
{
	const struct variant *v = variant_at(_i);
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &rep_desc };
	struct harness_raw_server rs;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap = heap_new();
	int32_t val = 12;
	char *payload, *env;
	size_t len;
	uint8_t type;

	ch = channel_new(v, NULL, 0);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	m = msg_for(ch);
	HR_EQ(WsSendMessage(ch, m, &req_desc, WS_WRITE_REQUIRED_VALUE, &val,
	    sizeof(val), NULL, NULL), S_OK);
	ck_assert_int_eq(harness_nmf_read_record(rs.fd, T_MS, &type, &payload,
	    &len), 0);
	ck_assert_int_eq(type, 0x06);
	ck_assert_msg(strstr(payload, v->env_ns) != NULL, "%s: %s", v->name,
	    payload);
	ck_assert_msg(strstr(payload, v->env == WS_ENVELOPE_VERSION_SOAP_1_1 ?
	    NS_SOAP12 : NS_SOAP11) == NULL, "%s: %s", v->name, payload);
	/* WsSendMessage writes no MessageID (as Windows' implementation
	 * does, see the captured vectors); WsRequestReply does. */
	if (v->addr_ns != NULL) {
		ck_assert_msg(strstr(payload, v->addr_ns) != NULL &&
		    strstr(payload, "MessageID") == NULL &&
		    strstr(payload, "urn:wschannel-test/request") != NULL,
		    "%s: %s", v->name, payload);
	} else {
		ck_assert_msg(strstr(payload, "addressing") == NULL &&
		    strstr(payload, "MessageID") == NULL, "%s: %s", v->name,
		    payload);
	}
	ck_assert_msg(strstr(payload, ">12<") != NULL, "%s", payload);
	free(payload);

	/* And the peer's message in the same versions is read back. */
	ck_assert(asprintf(&env, "<s:Envelope xmlns:s=\"%s\"%s%s%s><s:Header>"
	    "%s</s:Header><s:Body><value xmlns=\"urn:wschannel-test\">77"
	    "</value></s:Body></s:Envelope>", v->env_ns,
	    v->addr_ns ? " xmlns:a=\"" : "", v->addr_ns ? v->addr_ns : "",
	    v->addr_ns ? "\"" : "", v->addr_ns ?
	    "<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/reply"
	    "</a:Action>" : "") > 0);
	ck_assert_int_eq(harness_nmf_write_envelope(rs.fd, env, strlen(env)),
	    0);
	HR_EQ(WsResetMessage(m, NULL), S_OK);
	val = 0;
	HR_EQ(WsReceiveMessage(ch, m, descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, &val, sizeof(val), NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(val, 77);
	free(env);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* A text body on the wire, byte for byte, both ways: the characters XML
 * escapes, an empty value, a carriage return and a character past ASCII. */
START_TEST(raw_wire_text_body)
{
	static const struct {
		const char	*utf8;	/* the value */
		const char	*wire;	/* its element as we write it */
	} cases[] = {
		{ "a<b>&c\"d'e\tf\ng", "<text xmlns=\"urn:wschannel-test\">"
		    "a&lt;b&gt;&amp;c\"d'e\tf\ng</text>" },
		{ "", "<text xmlns=\"urn:wschannel-test\"/>" },
		{ "x\ry", "<text xmlns=\"urn:wschannel-test\">x&#13;y</text>" },
		{ "caf\xc3\xa9", "<text xmlns=\"urn:wschannel-test\">caf\xc3\xa9"
		    "</text>" },
	};
	static const WS_MESSAGE_DESCRIPTION td = { &req_action, &text_elem };
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &td };
	struct harness_raw_server rs;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap = heap_new();
	WCHAR w[32], *got;
	char *payload, *env;
	size_t len, i, k, n;
	uint8_t type;

	ch = channel_new(&variants[0], NULL, 0);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	m = msg_for(ch);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The values are ASCII but for one two-byte é. */
		for (k = n = 0; cases[i].utf8[k] != '\0'; k++, n++)
			if ((unsigned char)cases[i].utf8[k] == 0xc3)
				w[n] = (WCHAR)(0xc0 | (cases[i].utf8[++k] &
				    0x3f));
			else
				w[n] = (WCHAR)cases[i].utf8[k];
		w[n] = 0;
		got = w;
		HR_EQ(WsResetMessage(m, NULL), S_OK);
		HR_EQ(WsSendMessage(ch, m, &td, WS_WRITE_REQUIRED_POINTER,
		    &got, sizeof(got), NULL, NULL), S_OK);
		ck_assert_int_eq(harness_nmf_read_record(rs.fd, T_MS, &type,
		    &payload, &len), 0);
		ck_assert_msg(strstr(payload, cases[i].wire) != NULL,
		    "case %zu: %s", i, payload);
		/* The same element from the peer reads back as the value. */
		ck_assert(asprintf(&env, "<s:Envelope xmlns:s=\"" NS_SOAP12
		    "\" xmlns:a=\"" NS_WSA10 "\"><s:Header><a:Action "
		    "s:mustUnderstand=\"1\">urn:wschannel-test/request"
		    "</a:Action></s:Header><s:Body>%s</s:Body></s:Envelope>",
		    cases[i].wire) > 0);
		ck_assert_int_eq(harness_nmf_write_envelope(rs.fd, env,
		    strlen(env)), 0);
		HR_EQ(WsResetMessage(m, NULL), S_OK);
		got = NULL;
		HR_EQ(WsReceiveMessage(ch, m, descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_POINTER, heap,
		    &got, sizeof(got), NULL, NULL, NULL), S_OK);
		ck_assert_ptr_nonnull(got);
		for (k = 0; k <= n; k++)
			ck_assert_msg(got[k] == w[k], "case %zu: char %zu", i,
			    k);
		free(env);
		free(payload);
	}
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* Bodies whose names are all different: the parser the library keeps
 * per thread to read them starts over past its bound, and every body
 * still reads. */
START_TEST(raw_bodies_with_many_names)
{
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &req_desc };
	struct harness_raw_server rs;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap = heap_new();
	int32_t val;
	char *env;
	int i;

	ch = channel_new(&variants[0], NULL, 0);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	m = msg_for(ch);
	for (i = 0; i < 4500; i++) {
		ck_assert(asprintf(&env, "<s:Envelope xmlns:s=\"" NS_SOAP12
		    "\" xmlns:a=\"" NS_WSA10 "\"><s:Header><a:Action "
		    "s:mustUnderstand=\"1\">urn:wschannel-test/request"
		    "</a:Action></s:Header><s:Body><value xmlns=\""
		    "urn:wschannel-test\" n%d=\"x\">%d</value></s:Body>"
		    "</s:Envelope>", i, i) > 0);
		ck_assert_int_eq(harness_nmf_write_envelope(rs.fd, env,
		    strlen(env)), 0);
		free(env);
		HR_EQ(WsResetMessage(m, NULL), S_OK);
		val = -1;
		HR_EQ(WsReceiveMessage(ch, m, descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &val, sizeof(val), NULL, NULL, NULL), S_OK);
		ck_assert_int_eq(val, i);
	}
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* ---- message at a time -------------------------------------------------- */

/* Write start/body/end on one side, read start/body/end on the other. */
START_TEST(read_write_message)
{
	const struct variant *v = variant_at(_i);
	WCHAR hello[] = { 'h', 'e', 'l', 'l', 'o', 0 };
	const WCHAR *text = hello;
	WCHAR *rtext = NULL;
	int32_t *pint = (int32_t *)1;
	WS_XML_STRING act;
	struct pair p;
	WS_MESSAGE *w, *r;
	WS_HEAP *heap = heap_new();
	int32_t val = 7, rv = 0;

	pair_open(&p, v);
	w = msg_for(p.c);
	r = msg_for(p.s);
	HR_EQ(WsInitializeMessage(w, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsSetHeader(w, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &stream_action, sizeof(stream_action),
	    NULL), S_OK);
	HR_EQ(WsWriteMessageStart(p.c, w, NULL, NULL), S_OK);
	MSTATE_EQ(w, WS_MESSAGE_STATE_WRITING);
	ck_assert_int_eq(msg_bool(w, WS_MESSAGE_PROPERTY_IS_ADDRESSED), TRUE);
	/* One message at a time is written on a channel. */
	{
		WS_MESSAGE *w2 = msg_for(p.c);

		HR_EQ(WsInitializeMessage(w2, WS_BLANK_MESSAGE, NULL, NULL),
		    S_OK);
		HR_EQ(WsWriteMessageStart(p.c, w2, NULL, NULL),
		    WS_E_INVALID_OPERATION);
		MSTATE_EQ(w2, WS_MESSAGE_STATE_INITIALIZED);
		HR_EQ(WsWriteMessageEnd(p.c, w2, NULL, NULL),
		    WS_E_INVALID_OPERATION);
		WsFreeMessage(w2);
	}
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &val,
	    sizeof(val), NULL), S_OK);
	HR_EQ(WsWriteBody(w, &text_elem, WS_WRITE_REQUIRED_POINTER, &text,
	    sizeof(text), NULL), S_OK);
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &val, 2,
	    NULL), E_INVALIDARG);
	HR_EQ(WsWriteMessageEnd(p.s, w, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsWriteMessageEnd(p.c, w, NULL, NULL), S_OK);
	MSTATE_EQ(w, WS_MESSAGE_STATE_DONE);
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &val,
	    sizeof(val), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsWriteMessageEnd(p.c, w, NULL, NULL), WS_E_INVALID_OPERATION);

	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), S_OK);
	MSTATE_EQ(r, WS_MESSAGE_STATE_READING);
	ck_assert_int_eq(msg_bool(r, WS_MESSAGE_PROPERTY_IS_FAULT), FALSE);
	/* Another read waits for the End: the daemon refuses a second. */
	{
		WS_MESSAGE *r2 = msg_for(p.s);

		HR_EQ(WsReadMessageStart(p.s, r2, NULL, NULL),
		    WS_E_INVALID_OPERATION);
		MSTATE_EQ(r2, WS_MESSAGE_STATE_EMPTY);
		WsFreeMessage(r2);
	}
	if (v->addr_ns != NULL) {
		HR_EQ(WsGetHeader(r, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
		    WS_READ_REQUIRED_VALUE, heap, &act, sizeof(act), NULL),
		    S_OK);
		ck_assert(xml_string_is(&act, "urn:wschannel-test/stream"));
	}
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), S_OK);
	ck_assert_int_eq(rv, 7);
	/* An optional element that is not next is NULL and stays there. */
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_OPTIONAL_POINTER, heap, &pint,
	    sizeof(pint), NULL), S_OK);
	ck_assert_ptr_null(pint);
	HR_EQ(WsReadBody(r, &text_elem, WS_READ_REQUIRED_POINTER, heap,
	    &rtext, sizeof(rtext), NULL), S_OK);
	ck_assert(wsz_is(rtext, "hello"));
	/* Nothing more: optional gives NULL, required is a format error. */
	pint = (int32_t *)1;
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_OPTIONAL_POINTER, heap, &pint,
	    sizeof(pint), NULL), S_OK);
	ck_assert_ptr_null(pint);
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), WS_E_INVALID_FORMAT);
	HR_EQ(WsReadMessageEnd(p.c, r, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), S_OK);
	MSTATE_EQ(r, WS_MESSAGE_STATE_DONE);
	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), WS_E_INVALID_OPERATION);

	/* After the End, the next message reads normally. */
	{
		struct harness_msg s = { 0 }, m = { 0 };

		HR_EQ(harness_send_int32(p.c, &s, 99, NULL), S_OK);
		HR_EQ(harness_receive(p.s, &m, HARNESS_BODY_INT, NULL), S_OK);
		ck_assert_int_eq(m.value, 99);
		harness_msg_free(&s);
		harness_msg_free(&m);
	}
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.s, WS_CHANNEL_STATE_OPEN);
	WsFreeMessage(w);
	WsFreeMessage(r);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* Asynchronous read start and write start/end. */
START_TEST(read_write_async)
{
	struct harness_async ra, wa;
	struct pair p;
	WS_MESSAGE *w, *r;
	WS_HEAP *heap = heap_new();
	int32_t val = 5, rv = 0;
	HRESULT hr;

	pair_open(&p, &variants[0]);
	w = msg_for(p.c);
	r = msg_for(p.s);
	harness_async_init(&ra);
	hr = WsReadMessageStart(p.s, r, &ra.ctx, NULL);
	HR_EQ(hr, WS_S_ASYNC);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 0);

	HR_EQ(WsInitializeMessage(w, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	harness_async_init(&wa);
	hr = WsWriteMessageStart(p.c, w, &wa.ctx, NULL);
	ck_assert(hr == WS_S_ASYNC || hr == S_OK);
	ASYNC_EQ(&wa, hr, S_OK);
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &val,
	    sizeof(val), NULL), S_OK);
	harness_async_destroy(&wa);
	harness_async_init(&wa);
	hr = WsWriteMessageEnd(p.c, w, &wa.ctx, NULL);
	ck_assert(hr == WS_S_ASYNC || hr == S_OK);
	ASYNC_EQ(&wa, hr, S_OK);
	MSTATE_EQ(w, WS_MESSAGE_STATE_DONE);

	ASYNC_EQ(&ra, WS_S_ASYNC, S_OK);
	MSTATE_EQ(r, WS_MESSAGE_STATE_READING);
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), S_OK);
	ck_assert_int_eq(rv, 5);
	harness_async_destroy(&ra);
	harness_async_init(&ra);
	hr = WsReadMessageEnd(p.s, r, &ra.ctx, NULL);
	ck_assert(hr == WS_S_ASYNC || hr == S_OK);
	ASYNC_EQ(&ra, hr, S_OK);
	MSTATE_EQ(r, WS_MESSAGE_STATE_DONE);
	WsFreeMessage(w);
	WsFreeMessage(r);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/*
 * WsAbandonMessage on a message half-read with WsReadMessageStart keeps the
 * channel OPEN and the next receive works; the same for one being written.
 */
START_TEST(abandon_keeps_open)
{
	struct harness_msg s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, m = { 0 };
	struct pair p;
	WS_MESSAGE *r, *other, *w;
	WS_HEAP *heap = heap_new();
	int32_t rv = 0, val = 1;

	pair_open(&p, &variants[0]);
	r = msg_for(p.s);
	other = msg_for(p.s);
	HR_EQ(harness_send_int32(p.c, &s1, 1, NULL), S_OK);
	HR_EQ(harness_send_int32(p.c, &s2, 2, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), S_OK);
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), S_OK);
	ck_assert_int_eq(rv, 1);
	/* Not the current message, or not this channel: E_INVALIDARG. */
	HR_EQ(WsAbandonMessage(p.s, other, NULL), E_INVALIDARG);
	HR_EQ(WsAbandonMessage(p.c, r, NULL), E_INVALIDARG);
	HR_EQ(WsAbandonMessage(p.s, r, NULL), S_OK);
	STATE_EQ(p.s, WS_CHANNEL_STATE_OPEN);
	MSTATE_EQ(r, WS_MESSAGE_STATE_DONE);
	HR_EQ(WsAbandonMessage(p.s, r, NULL), E_INVALIDARG);
	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), WS_E_INVALID_OPERATION);
	/* The next receive works. */
	HR_EQ(harness_receive(p.s, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 2);
	STATE_EQ(p.s, WS_CHANNEL_STATE_OPEN);

	/* A message being written: abandoned, nothing is sent, and the next
	 * send goes through. */
	w = msg_for(p.c);
	HR_EQ(WsInitializeMessage(w, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageStart(p.c, w, NULL, NULL), S_OK);
	HR_EQ(WsWriteBody(w, &int_elem, WS_WRITE_REQUIRED_VALUE, &val,
	    sizeof(val), NULL), S_OK);
	HR_EQ(WsAbandonMessage(p.c, w, NULL), S_OK);
	MSTATE_EQ(w, WS_MESSAGE_STATE_DONE);
	HR_EQ(WsWriteMessageEnd(p.c, w, NULL, NULL), WS_E_INVALID_OPERATION);
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	HR_EQ(harness_send_int32(p.c, &s3, 3, NULL), S_OK);
	HR_EQ(harness_receive(p.s, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 3);
	/* The abandoned message is reusable. */
	HR_EQ(WsResetMessage(r, NULL), S_OK);
	HR_EQ(harness_send_int32(p.c, &s1, 4, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), S_OK);
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), S_OK);
	ck_assert_int_eq(rv, 4);
	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), S_OK);
	/* A message reset in the middle of a read still frees the channel
	 * when it is abandoned. */
	HR_EQ(WsResetMessage(r, NULL), S_OK);
	HR_EQ(harness_send_int32(p.c, &s2, 5, NULL), S_OK);
	HR_EQ(harness_send_int32(p.c, &s3, 6, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), S_OK);
	HR_EQ(WsResetMessage(r, NULL), S_OK);
	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsAbandonMessage(p.s, r, NULL), S_OK);
	MSTATE_EQ(r, WS_MESSAGE_STATE_EMPTY);
	HR_EQ(harness_receive(p.s, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 6);
	harness_msg_free(&s1);
	harness_msg_free(&s2);
	harness_msg_free(&s3);
	harness_msg_free(&m);
	WsFreeMessage(r);
	WsFreeMessage(other);
	WsFreeMessage(w);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* WsAbortChannel on a message half-read faults the channel: the End then
 * gives WS_E_OBJECT_FAULTED; abandoning it still works (FAULTED). */
START_TEST(abort_half_read)
{
	struct harness_msg s = { 0 };
	struct pair p;
	WS_MESSAGE *r;
	WS_HEAP *heap = heap_new();
	int32_t rv = 0;

	pair_open(&p, &variants[0]);
	r = msg_for(p.s);
	HR_EQ(harness_send_int32(p.c, &s, 11, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), S_OK);
	HR_EQ(WsAbortChannel(p.s, NULL), S_OK);
	STATE_EQ(p.s, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsReadMessageEnd(p.s, r, NULL, NULL), WS_E_OBJECT_FAULTED);
	/* The body that arrived is still there to read. */
	HR_EQ(WsReadBody(r, &int_elem, WS_READ_REQUIRED_VALUE, heap, &rv,
	    sizeof(rv), NULL), S_OK);
	ck_assert_int_eq(rv, 11);
	HR_EQ(WsAbandonMessage(p.s, r, NULL), S_OK);
	MSTATE_EQ(r, WS_MESSAGE_STATE_DONE);
	STATE_EQ(p.s, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsResetMessage(r, NULL), S_OK);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), WS_E_OBJECT_FAULTED);
	MSTATE_EQ(r, WS_MESSAGE_STATE_EMPTY);
	harness_msg_free(&s);
	WsFreeMessage(r);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* ---- abort of pending message operations -------------------------------- */

enum pend_kind {
	PEND_REQUEST_REPLY,	/* waiting for its reply */
	PEND_READ_START,	/* waiting for a message */
	PEND_WRITE_END,		/* blocked on a peer that does not read */
	PEND_SHUTDOWN,		/* the End record queued behind such data */
	PEND_KINDS
};

struct pend_arg {
	enum pend_kind		 kind;
	WS_CHANNEL		*ch;
	WS_MESSAGE		*m1, *m2;
	WS_HEAP			*heap;
	int32_t			 in, out;
	const WS_ASYNC_CONTEXT	*ctx;
};

static HRESULT
pend_run(void *arg)
{
	struct pend_arg *pa = arg;

	switch (pa->kind) {
	case PEND_REQUEST_REPLY:
		return WsRequestReply(pa->ch, pa->m1, &req_desc,
		    WS_WRITE_REQUIRED_VALUE, &pa->in, sizeof(pa->in), pa->m2,
		    &rep_desc, WS_READ_REQUIRED_VALUE, pa->heap, &pa->out,
		    sizeof(pa->out), pa->ctx, NULL);
	case PEND_READ_START:
		return WsReadMessageStart(pa->ch, pa->m1, pa->ctx, NULL);
	case PEND_WRITE_END:
		return WsWriteMessageEnd(pa->ch, pa->m1, pa->ctx, NULL);
	case PEND_SHUTDOWN:
		return WsShutdownSessionChannel(pa->ch, pa->ctx, NULL);
	default:
		return E_FAIL;
	}
}

/*
 * Each kind of pending message operation, synchronous (from a thread) and
 * asynchronous, completes exactly once with WS_E_OPERATION_ABORTED when
 * the channel is aborted, and the channel is FAULTED.
 */
START_TEST(abort_pending)
{
	enum pend_kind kind = (enum pend_kind)(_i / 2);
	bool async = _i % 2 == 1;
	ULONG max = 1 << 20;
	WS_CHANNEL_PROPERTY big = {
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max, sizeof(max) };
	struct harness_raw_server rs;
	struct harness_fill *fill = NULL;
	struct harness_async a;
	struct harness_bg *bg = NULL;
	struct pend_arg pa;
	struct pair p;
	bool raw = kind == PEND_WRITE_END || kind == PEND_SHUTDOWN;
	int32_t val = 1;
	HRESULT hr, last;
	int base;

	memset(&pa, 0, sizeof(pa));
	memset(&p, 0, sizeof(p));
	pa.kind = kind;
	pa.heap = heap_new();
	if (raw) {
		/* A peer that never reads: sends fill every buffer. */
		pa.ch = channel_new(&variants[0], &big, 1);
		ck_assert_int_eq(harness_raw_server_open(&rs, pa.ch, 4096), 0);
		fill = harness_fill_start(pa.ch, 64, 200000);
		ck_assert_ptr_nonnull(fill);
		/* Blocked means: no send finished for a second AND the
		 * daemon holds one.  A slow send (a loaded machine, a
		 * sanitizer build: up to ~400 ms seen) is not a full buffer,
		 * and counting it in `base` below would make the count wrong
		 * the moment it finishes. */
		for (int tries = 0; tries < 10; tries++) {
			harness_fill_settle(fill, 1000, &last);
			if (pending_sum() >= 1)
				break;
		}
	} else {
		pair_open(&p, &variants[0]);
		pa.ch = p.c;
	}
	pa.m1 = msg_for(pa.ch);
	pa.m2 = msg_for(pa.ch);
	if (kind == PEND_WRITE_END) {
		HR_EQ(WsInitializeMessage(pa.m1, WS_BLANK_MESSAGE, NULL, NULL),
		    S_OK);
		HR_EQ(WsWriteMessageStart(pa.ch, pa.m1, NULL, NULL), S_OK);
		HR_EQ(WsWriteBody(pa.m1, &int_elem, WS_WRITE_REQUIRED_VALUE,
		    &val, sizeof(val), NULL), S_OK);
	}
	base = pending_sum();
	harness_async_init(&a);
	if (async) {
		pa.ctx = &a.ctx;
		HR_EQ(pend_run(&pa), WS_S_ASYNC);
	} else {
		bg = harness_bg_start(pend_run, &pa);
		ck_assert_ptr_nonnull(bg);
	}
	wait_pending(base + 1);
	HR_EQ(WsAbortChannel(pa.ch, NULL), S_OK);
	if (async) {
		ASYNC_EQ(&a, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
		harness_sleep_ms(QUIET_MS);
		ck_assert_int_eq(harness_async_calls(&a), 1);
	} else {
		ck_assert(harness_bg_wait(bg, T_MS, &hr));
		HR_EQ(hr, WS_E_OPERATION_ABORTED);
	}
	STATE_EQ(pa.ch, WS_CHANNEL_STATE_FAULTED);
	switch (kind) {
	case PEND_REQUEST_REPLY:
		MSTATE_EQ(pa.m1, WS_MESSAGE_STATE_DONE);
		MSTATE_EQ(pa.m2, WS_MESSAGE_STATE_EMPTY);
		break;
	case PEND_READ_START:
		MSTATE_EQ(pa.m1, WS_MESSAGE_STATE_EMPTY);
		break;
	case PEND_WRITE_END:
		/* Still the channel's current message until abandoned. */
		MSTATE_EQ(pa.m1, WS_MESSAGE_STATE_WRITING);
		HR_EQ(WsAbandonMessage(pa.ch, pa.m1, NULL), S_OK);
		MSTATE_EQ(pa.m1, WS_MESSAGE_STATE_DONE);
		break;
	default:
		break;
	}
	/* Everything after the abort: WS_E_OBJECT_FAULTED. */
	HR_EQ(WsResetMessage(pa.m2, NULL), S_OK);
	HR_EQ(WsReadMessageStart(pa.ch, pa.m2, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(WsShutdownSessionChannel(pa.ch, NULL, NULL), WS_E_OBJECT_FAULTED);
	if (fill != NULL)
		ck_assert(harness_fill_end(fill, T_MS, &hr));
	WsFreeMessage(pa.m1);
	WsFreeMessage(pa.m2);
	WsFreeHeap(pa.heap);
	if (raw) {
		WsFreeChannel(pa.ch);
		harness_raw_server_close(&rs);
	} else
		pair_free(&p);
}
END_TEST

/* ---- sessions ----------------------------------------------------------- */

/*
 * WsShutdownSessionChannel on one side: the other side's next receive is
 * WS_S_END, a second shutdown is WS_E_INVALID_OPERATION, the shut side
 * sends no more but still receives.
 */
START_TEST(session_shutdown)
{
	struct harness_msg s = { 0 }, m = { .optional = true };
	struct harness_async a;
	struct pair p;
	WS_MESSAGE *r, *rq, *rp;
	WS_HEAP *heap = heap_new();
	int32_t in = 1, out = 0;
	BOOL shut = FALSE;
	HRESULT hr;

	pair_open(&p, variant_at(_i));
	HR_EQ(WsShutdownSessionChannel(p.c, NULL, NULL), S_OK);
	HR_EQ(harness_receive(p.s, &m, HARNESS_BODY_INT, NULL), WS_S_END);
	r = msg_for(p.s);
	HR_EQ(WsReadMessageStart(p.s, r, NULL, NULL), WS_S_END);
	MSTATE_EQ(r, WS_MESSAGE_STATE_EMPTY);
	HR_EQ(WsShutdownSessionChannel(p.c, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	HR_EQ(WsGetChannelProperty(p.c, WS_CHANNEL_PROPERTY_IS_SESSION_SHUT_DOWN,
	    &shut, sizeof(shut), NULL), S_OK);
	ck_assert_int_eq(shut, TRUE);
	/* The shut side sends no more... */
	HR_EQ(harness_send_int32(p.c, &s, 1, NULL), WS_E_INVALID_OPERATION);
	harness_msg_free(&s);
	/* ...but the other side still can, and it is received. */
	HR_EQ(harness_send_int32(p.s, &s, 5, NULL), S_OK);
	m.optional = false;
	HR_EQ(harness_receive(p.c, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 5);
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.s, WS_CHANNEL_STATE_OPEN);
	/* A request whose peer ended the session gets no reply. */
	rq = msg_for(p.s);
	rp = msg_for(p.s);
	HR_EQ(WsRequestReply(p.s, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &in,
	    sizeof(in), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), WS_E_ENDPOINT_DISCONNECTED);
	MSTATE_EQ(rp, WS_MESSAGE_STATE_EMPTY);
	/* The other side shuts down too, asynchronously. */
	harness_async_init(&a);
	hr = WsShutdownSessionChannel(p.s, &a.ctx, NULL);
	ck_assert(hr == WS_S_ASYNC || hr == S_OK);
	ASYNC_EQ(&a, hr, S_OK);
	harness_msg_free(&m);
	m.optional = true;
	HR_EQ(harness_receive(p.c, &m, HARNESS_BODY_INT, NULL), WS_S_END);
	/* Closing after both shut down is graceful. */
	HR_EQ(WsCloseChannel(p.c, NULL, NULL), S_OK);
	HR_EQ(WsCloseChannel(p.s, NULL, NULL), S_OK);
	STATE_EQ(p.c, WS_CHANNEL_STATE_CLOSED);
	harness_msg_free(&s);
	harness_msg_free(&m);
	WsFreeMessage(r);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	pair_free(&p);
}
END_TEST

/* Shutdown needs an OPEN session channel. */
START_TEST(shutdown_states)
{
	WS_CHANNEL *udp = NULL, *ch = channel_new(&variants[0], NULL, 0);
	uint16_t port;

	HR_EQ(WsShutdownSessionChannel(ch, NULL, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &udp, NULL), S_OK);
	HR_EQ(WsShutdownSessionChannel(udp, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(harness_free_port(&port), 0);
	ck_assert(FAILED(harness_open(ch, port, NULL, NULL)));
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsShutdownSessionChannel(ch, NULL, NULL), WS_E_OBJECT_FAULTED);
	WsFreeChannel(udp);
	WsFreeChannel(ch);
}
END_TEST

/* ---- the channel's state before the message's --------------------------- */

/* A message in each state a call can refuse. */
struct wrong_msgs {
	WS_MESSAGE	*empty, *init, *done;
};

/*
 * Every message call, each with a message in the wrong state for it, on
 * `ch`: each returns `want` (with `why` in the error, when given), calls
 * no callback, and leaves the messages as they were.
 */
static void
wrong_message_calls(WS_CHANNEL *ch, const struct wrong_msgs *w, HRESULT want,
    const char *why)
{
	static const WS_MESSAGE_DESCRIPTION *descs[1] = { &req_desc };
	WS_ERROR *err = error_new(), *ferr = error_new();
	WS_HEAP *heap = heap_new();
	struct harness_async a;
	int32_t in = 1, out = 0;
	char text[256];
	HRESULT hr[11];
	size_t i;

	harness_async_init(&a);
#define CALL(n, expr) do {							HR_EQ(WsResetError(err), S_OK);						hr[n] = (expr);								ck_assert_msg(hr[n] == want, "call %d: got 0x%08x, want 0x%08x",\
	    n, (unsigned)hr[n], (unsigned)want);				if (why != NULL) {								ck_assert(harness_error_string(err, text, sizeof(text)));\
		ck_assert_msg(strstr(text, why) != NULL,				    "call %d: '%s' does not say '%s'", n, text, why);		}								} while (0)
	CALL(0, WsWriteMessageEnd(ch, w->init, NULL, err));
	CALL(1, WsReadMessageEnd(ch, w->empty, NULL, err));
	CALL(2, WsWriteMessageStart(ch, w->empty, NULL, err));
	CALL(3, WsReadMessageStart(ch, w->init, NULL, err));
	CALL(4, WsSendMessage(ch, w->done, &req_desc, WS_WRITE_REQUIRED_VALUE,
	    &in, sizeof(in), NULL, err));
	CALL(5, WsReceiveMessage(ch, w->done, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL, err));
	/* The reply message is not EMPTY; then the request is DONE. */
	CALL(6, WsRequestReply(ch, w->empty, &req_desc,
	    WS_WRITE_REQUIRED_VALUE, &in, sizeof(in), w->done, &rep_desc,
	    WS_READ_REQUIRED_VALUE, heap, &out, sizeof(out), NULL, err));
	CALL(7, WsRequestReply(ch, w->done, &req_desc,
	    WS_WRITE_REQUIRED_VALUE, &in, sizeof(in), w->empty, &rep_desc,
	    WS_READ_REQUIRED_VALUE, heap, &out, sizeof(out), NULL, err));
	/* The request message is EMPTY: there is nothing to reply to. */
	CALL(8, WsSendReplyMessage(ch, w->init, &rep_desc,
	    WS_WRITE_REQUIRED_VALUE, &in, sizeof(in), w->empty, NULL, err));
	CALL(9, WsSendFaultMessageForError(ch, w->init, ferr, E_FAIL,
	    WS_MINIMAL_FAULT_DISCLOSURE, w->empty, NULL, err));
	/* With an async context: returned directly, no callback. */
	CALL(10, WsWriteMessageEnd(ch, w->init, &a.ctx, err));
#undef CALL
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	for (i = 0; i < 11; i++)
		HR_EQ(hr[i], want);
	MSTATE_EQ(w->empty, WS_MESSAGE_STATE_EMPTY);
	MSTATE_EQ(w->init, WS_MESSAGE_STATE_INITIALIZED);
	MSTATE_EQ(w->done, WS_MESSAGE_STATE_DONE);
	WsFreeError(err);
	WsFreeError(ferr);
	WsFreeHeap(heap);
}

/*
 * Windows checks the channel's state before the message's (Wine's channel
 * tests, run on Windows: a receive and a send with a message left by a
 * failed receive give WS_E_OBJECT_FAULTED on the FAULTED channel).  So a
 * FAULTED channel answers WS_E_OBJECT_FAULTED whatever the message, a
 * CREATED one WS_E_INVALID_OPERATION, and only an OPEN one the message's
 * own failure.
 */
START_TEST(state_before_message)
{
	WS_CHANNEL *fresh = channel_new(&variants[0], NULL, 0);
	struct wrong_msgs w;
	struct pair p;
	int32_t in = 1;

	pair_open(&p, &variants[0]);
	w.empty = msg_for(p.c);
	w.init = msg_for(p.c);
	w.done = msg_for(p.c);
	HR_EQ(WsInitializeMessage(w.init, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsSendMessage(p.c, w.done, &req_desc, WS_WRITE_REQUIRED_VALUE,
	    &in, sizeof(in), NULL, NULL), S_OK);
	MSTATE_EQ(w.done, WS_MESSAGE_STATE_DONE);

	wrong_message_calls(p.c, &w, WS_E_INVALID_OPERATION, NULL);
	STATE_EQ(p.c, WS_CHANNEL_STATE_OPEN);
	wrong_message_calls(fresh, &w, WS_E_INVALID_OPERATION, "not OPEN");
	STATE_EQ(fresh, WS_CHANNEL_STATE_CREATED);
	HR_EQ(WsAbortChannel(p.c, NULL), S_OK);
	STATE_EQ(p.c, WS_CHANNEL_STATE_FAULTED);
	wrong_message_calls(p.c, &w, WS_E_OBJECT_FAULTED, "FAULTED");
	STATE_EQ(p.c, WS_CHANNEL_STATE_FAULTED);
	/* Shutdown too: FAULTED first, before whether it may shut down. */
	HR_EQ(WsShutdownSessionChannel(p.c, NULL, NULL), WS_E_OBJECT_FAULTED);

	WsFreeMessage(w.empty);
	WsFreeMessage(w.init);
	WsFreeMessage(w.done);
	WsFreeChannel(fresh);
	pair_free(&p);
}
END_TEST

static Suite *
message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc;
	int i, two;

	/* Only the variants this encoding can carry; the first two (when
	 * there are two) for the tests that need not see them all. */
	for (i = n_run_variants = 0; i < N_VARIANTS; i++)
		if (variant_ok(&variants[i]))
			run_variant[n_run_variants++] = i;
	two = n_run_variants < 2 ? n_run_variants : 2;

#define TCASE(name) do {						\
	tc = tcase_create(name);					\
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);			\
	tcase_set_timeout(tc, 60);					\
	suite_add_tcase(s, tc);						\
} while (0)

	TCASE("objects");
	tcase_add_test(tc, create_message);
	tcase_add_test(tc, message_states);
	tcase_add_test(tc, address_message);
	tcase_add_test(tc, headers);
	tcase_add_test(tc, xml_string_equals);
	tcase_add_test(tc, null_arguments);

	TCASE("request-reply");
	tcase_add_loop_test(tc, request_reply, 0, n_run_variants);
	tcase_add_loop_test(tc, request_reply_async, 0, two);
	tcase_add_loop_test(tc, fault_reply, 0, two * 3);
	if (text_encoding()) {
		tcase_add_loop_test(tc, raw_reply, 0, 2);
		tcase_add_loop_test(tc, raw_wire_versions, 0, N_VARIANTS);
		tcase_add_test(tc, raw_wire_text_body);
		tcase_add_test(tc, raw_bodies_with_many_names);
	}

	TCASE("message-at-a-time");
	tcase_add_loop_test(tc, read_write_message, 0, n_run_variants);
	tcase_add_test(tc, read_write_async);
	tcase_add_test(tc, abandon_keeps_open);
	tcase_add_test(tc, abort_half_read);
	tcase_add_test(tc, state_before_message);

	TCASE("abort");
	tcase_add_loop_test(tc, abort_pending, 0, 2 * PEND_KINDS);

	TCASE("session");
	tcase_add_loop_test(tc, session_shutdown, 0, two);
	tcase_add_test(tc, shutdown_states);
#undef TCASE
	return s;
}

int
main(void)
{
	WS_ENCODING list[16];
	const char *env = getenv("WSCHANNEL_TEST_ENCODINGS");
	size_t i, n = 0;
	char *end;
	long v;
	int failed = 0;

#ifdef WSCHANNEL_TEST_DBUS
	/* The same suite, the library over the D-Bus door. */
	harness_use_dbus(true);
#endif
	for (i = 0; i < sizeof(run_encodings) / sizeof(run_encodings[0]); i++)
		list[n++] = run_encodings[i];
	if (env != NULL && *env != '\0') {
		for (n = 0; *env != '\0' && n < 16; env = end) {
			v = strtol(env, &end, 10);
			if (end == env || v < 0 || v > WS_ENCODING_RAW) {
				fprintf(stderr, "WSCHANNEL_TEST_ENCODINGS: "
				    "expected numbers like \"5,1\"\n");
				return 2;
			}
			list[n++] = (WS_ENCODING)v;
			if (*end == ',')
				end++;
		}
	}
	for (i = 0; i < n; i++) {
		SRunner *sr;

		encoding = list[i];
		sr = srunner_create(message_suite());
		fprintf(stderr, "check_message: encoding %d\n", (int)encoding);
		/* Every test needs its own process: the library connects
		 * once. */
		srunner_set_fork_status(sr, CK_FORK);
		srunner_run_all(sr, CK_NORMAL);
		failed += srunner_ntests_failed(sr);
		srunner_free(sr);
	}
	return failed == 0 ? 0 : 1;
}
