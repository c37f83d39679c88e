/*
 * Mapped headers over HTTP (WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING):
 * WsAddMappedHeader on a request becomes an HTTP request header, and the
 * response headers the mapping names come back through WsGetMappedHeader;
 * the same on a REPLY channel the other way round.  Against our own server
 * through the daemon, and against bare sockets that read and write the
 * HTTP by hand, so the headers are seen on the wire.  The gSOAP side is
 * check_http_mapping_gsoap.c.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "harness.h"
#include "check_http.h"
#ifndef WSCHANNEL_TEST_DBUS
#include "frame.h"
#include "wschannel.pb-c.h"
#endif

/* ---- the mappings ----------------------------------------------------------- */

static WS_XML_STRING n_reqid = XSTR("X-Request-Id");
static WS_XML_STRING n_trace = XSTR("X-Trace");
static WS_XML_STRING n_tag = XSTR("X-Tag");
static WS_XML_STRING n_note = XSTR("X-Note");
static WS_XML_STRING n_other = XSTR("X-Other");
static WS_XML_STRING n_secret = XSTR("X-Secret");

static WS_HTTP_HEADER_MAPPING hm_reqid = { XSTR("X-Request-Id"), 0 };
static WS_HTTP_HEADER_MAPPING hm_trace = { XSTR("X-Trace"), 0 };
static WS_HTTP_HEADER_MAPPING hm_tag = { XSTR("X-Tag"),
    WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR };
static WS_HTTP_HEADER_MAPPING hm_note = { XSTR("X-Note"),
    WS_HTTP_HEADER_MAPPING_QUOTED_VALUE };
static WS_HTTP_HEADER_MAPPING hm_other = { XSTR("X-Other"), 0 };
static WS_HTTP_HEADER_MAPPING hm_secret = { XSTR("X-Secret"), 0 };

/* The client sends X-Request-Id, X-Tag and X-Note, not X-Other; it reads
 * X-Trace back, not X-Secret. */
static WS_HTTP_HEADER_MAPPING *cli_req[] = { &hm_reqid, &hm_tag, &hm_note };
static WS_HTTP_HEADER_MAPPING *cli_rep[] = { &hm_trace };
static WS_HTTP_MESSAGE_MAPPING cli_map = { 0, 0, cli_req, 3, cli_rep, 1 };
/* The server reads all four (X-Other never arrives) and answers X-Trace
 * and X-Secret. */
static WS_HTTP_HEADER_MAPPING *srv_req[] = { &hm_reqid, &hm_tag, &hm_note,
    &hm_other };
static WS_HTTP_HEADER_MAPPING *srv_rep[] = { &hm_trace, &hm_secret };
static WS_HTTP_MESSAGE_MAPPING srv_map = { 0, 0, srv_req, 4, srv_rep, 2 };

static WS_CHANNEL_PROPERTY cli_props[] = {
	{ WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, &cli_map, sizeof(cli_map) },
};
static WS_CHANNEL_PROPERTY srv_props[] = {
	{ WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, &srv_map, sizeof(srv_map) },
};

static HRESULT
add_text(WS_MESSAGE *m, WS_XML_STRING *name, const char *ascii)
{
	WS_STRING s = harness_ws_string(ascii);
	HRESULT hr;

	hr = WsAddMappedHeader(m, name, WS_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &s, sizeof(s), NULL);
	free(s.chars);
	return hr;
}

/* The index-th value of a mapped header as ASCII into buf, or the
 * HRESULT of WsGetMappedHeader. */
static HRESULT
get_text(WS_MESSAGE *m, WS_XML_STRING *name, ULONG index, char *buf,
    size_t len)
{
	WS_STRING s;
	HRESULT hr;
	ULONG i;

	buf[0] = '\0';
	hr = WsGetMappedHeader(m, name, WS_REPEATING_HEADER, index,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &s, sizeof(s), NULL);
	if (hr != S_OK)
		return hr;
	for (i = 0; i < s.length && i + 1 < len; i++)
		buf[i] = s.chars[i] < 0x80 ? (char)s.chars[i] : '?';
	buf[i] = '\0';
	return S_OK;
}

/* ---- the property ------------------------------------------------------------ */

START_TEST(mapping_property)
{
	WS_HTTP_HEADER_MAPPING owned = { XSTR("content-type"), 0 };
	WS_HTTP_HEADER_MAPPING action = { XSTR("SOAPAction"), 0 };
	WS_HTTP_HEADER_MAPPING host = { XSTR("Host"), 0 };
	WS_HTTP_HEADER_MAPPING space = { XSTR("X Bad"), 0 };
	WS_HTTP_HEADER_MAPPING both = { XSTR("X-Both"),
	    WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR |
	    WS_HTTP_HEADER_MAPPING_SEMICOLON_SEPARATOR };
	WS_HTTP_HEADER_MAPPING *one[1], *null1[1] = { NULL };
	WS_HTTP_MESSAGE_MAPPING bad, got;
	WS_CHANNEL_PROPERTY p = { WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &bad, sizeof(bad) };
	WS_HTTP_HEADER_MAPPING *const refused[] = { &owned, &action, &host,
	    &space, &both };
	WS_CHANNEL *c;
	WS_LISTENER *l;
	WS_MESSAGE *m;
	WS_ERROR *err;
	char text[512];
	uint16_t port;
	size_t i;

	/* Given at creation, handed back as it was. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    cli_props, 1, NULL, &c, NULL), S_OK);
	memset(&got, 0xa5, sizeof(got));
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &got, sizeof(got), NULL), S_OK);
	ck_assert_uint_eq(got.requestHeaderMappingCount, 3);
	ck_assert_uint_eq(got.responseHeaderMappingCount, 1);
	ck_assert_uint_eq(got.requestMappingOptions, 0);
	ck_assert_uint_eq(got.requestHeaderMappings[1]->headerMappingOptions,
	    WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR);
	ck_assert_uint_eq(got.responseHeaderMappings[0]->headerName.length, 7);
	ck_assert(memcmp(got.responseHeaderMappings[0]->headerName.bytes,
	    "X-Trace", 7) == 0);
	/* A copy: the caller's arrays may go away. */
	ck_assert_ptr_ne(got.requestHeaderMappings, cli_req);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &got, sizeof(got) - 1, NULL), E_INVALIDARG);
	/* Creation only. */
	HR_EQ(WsSetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &cli_map, sizeof(cli_map), NULL), E_INVALIDARG);
	WsFreeChannel(c);

	/* The default maps nothing. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &c, NULL), S_OK);
	memset(&got, 0xa5, sizeof(got));
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &got, sizeof(got), NULL), S_OK);
	ck_assert_uint_eq(got.requestHeaderMappingCount, 0);
	ck_assert_uint_eq(got.responseHeaderMappingCount, 0);
	ck_assert_ptr_null(got.requestHeaderMappings);
	WsFreeChannel(c);

	/* HTTP only. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, cli_props, 1, NULL, &c, NULL),
	    E_INVALIDARG);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL), S_OK);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &got, sizeof(got), NULL), E_INVALIDARG);
	WsFreeChannel(c);

	/* Headers the transport owns, names that are no tokens, both
	 * separators: refused, with the reason. */
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		one[0] = refused[i];
		memset(&bad, 0, sizeof(bad));
		bad.requestHeaderMappings = one;
		bad.requestHeaderMappingCount = 1;
		WsResetError(err);
		HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
		    WS_HTTP_CHANNEL_BINDING, &p, 1, NULL, &c, err),
		    E_INVALIDARG);
		error_text(err, text, sizeof(text));
		ck_assert_msg(strstr(text, "WsCreateChannel") != NULL, "%s",
		    text);
	}
	error_text(err, text, sizeof(text));
	ck_assert_msg(strstr(text, "invalid headerMappingOptions") != NULL,
	    "%s", text);
	one[0] = &owned;
	memset(&bad, 0, sizeof(bad));
	bad.responseHeaderMappings = one;
	bad.responseHeaderMappingCount = 1;
	WsResetError(err);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    &p, 1, NULL, &c, err), E_INVALIDARG);
	error_text(err, text, sizeof(text));
	ck_assert_msg(strstr(text, "owns the header content-type") != NULL,
	    "%s", text);
	/* NULL pointers in the arrays, or arrays missing. */
	memset(&bad, 0, sizeof(bad));
	bad.requestHeaderMappings = null1;
	bad.requestHeaderMappingCount = 1;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    &p, 1, NULL, &c, NULL), E_INVALIDARG);
	bad.requestHeaderMappings = NULL;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    &p, 1, NULL, &c, NULL), E_INVALIDARG);
	/* MS: the request and response options need WS_ENCODING_RAW. */
	memset(&bad, 0, sizeof(bad));
	bad.responseMappingOptions = WS_HTTP_RESPONSE_MAPPING_STATUS_CODE;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    &p, 1, NULL, &c, NULL), E_INVALIDARG);
	memset(&bad, 0, sizeof(bad));
	bad.requestMappingOptions = WS_HTTP_REQUEST_MAPPING_VERB;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    &p, 1, NULL, &c, NULL), E_INVALIDARG);
	/* With RAW they are allowed (check_http_raw.c uses them). */
	{
		WS_ENCODING raw = WS_ENCODING_RAW;
		WS_CHANNEL_PROPERTY rp[2] = {
			{ WS_CHANNEL_PROPERTY_ENCODING, &raw, sizeof(raw) },
			p,
		};

		HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
		    WS_HTTP_CHANNEL_BINDING, rp, 2, NULL, &c, NULL), S_OK);
		WsFreeChannel(c);
	}
	/* A wrong size. */
	p.valueSize = sizeof(bad) - 1;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    &p, 1, NULL, &c, NULL), E_INVALIDARG);
	WsFreeError(err);

	/* The listener's channels take it the same way. */
	HR_EQ(listener_open(&l, &port, "/m", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, srv_props, 1, &c, NULL), S_OK);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &got, sizeof(got), NULL), S_OK);
	ck_assert_uint_eq(got.requestHeaderMappingCount, 4);
	ck_assert_uint_eq(got.responseHeaderMappingCount, 2);
	WsFreeChannel(c);
	one[0] = &host;
	memset(&bad, 0, sizeof(bad));
	p.valueSize = sizeof(bad);
	bad.requestHeaderMappings = one;
	bad.requestHeaderMappingCount = 1;
	HR_EQ(WsCreateChannelForListener(l, &p, 1, &c, NULL), E_INVALIDARG);
	WsFreeListener(l);

	/* What HTTP cannot carry never becomes a mapped header. */
	HR_EQ(WsCreateMessage(WS_ENVELOPE_VERSION_SOAP_1_2,
	    WS_ADDRESSING_VERSION_1_0, NULL, 0, &m, NULL), S_OK);
	HR_EQ(WsInitializeMessage(m, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(m, &n_reqid, "a\r\nX-Injected: 1"), E_INVALIDARG);
	HR_EQ(add_text(m, &n_reqid, "nul\x01"), E_INVALIDARG);
	HR_EQ(add_text(m, (WS_XML_STRING *)&space.headerName, "v"),
	    E_INVALIDARG);
	HR_EQ(add_text(m, &n_reqid, "fine\tvalue"), S_OK);
	WsFreeMessage(m);
}
END_TEST

/* ---- against our own server ------------------------------------------------- */

struct msrv {
	WS_LISTENER	*l;
	HRESULT		 hr;
	int		 step;		/* where it stopped */
	char		 reqid[64];
	char		 tag0[64], tag1[64];
	HRESULT		 tag2;		/* a third X-Tag: none */
	char		 note[64];
	HRESULT		 other;		/* X-Other: never sent */
	pthread_t	 th;
};

#define MSRV_STEP(s, e) do {						\
	(s)->step = __LINE__;						\
	if (((s)->hr = (e)) != S_OK)					\
		goto out;						\
} while (0)

/* Accepts one request, reads its mapped headers, answers v + 1 with
 * X-Trace: trace-<X-Request-Id> and X-Secret. */
static void *
msrv_main(void *arg)
{
	struct msrv *s = arg;
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	char trace[96];
	int32_t v = 0, w;

	MSRV_STEP(s, WsCreateChannelForListener(s->l, srv_props, 1, &ch,
	    NULL));
	MSRV_STEP(s, WsAcceptChannel(s->l, ch, NULL, NULL));
	MSRV_STEP(s, new_msg(ch, &rq));
	MSRV_STEP(s, new_msg(ch, &rp));
	MSRV_STEP(s, WsCreateHeap(65536, 0, NULL, 0, &heap, NULL));
	MSRV_STEP(s, WsReceiveMessage(ch, rq, req_descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL, NULL));
	MSRV_STEP(s, get_text(rq, &n_reqid, 0, s->reqid, sizeof(s->reqid)));
	(void)get_text(rq, &n_tag, 0, s->tag0, sizeof(s->tag0));
	(void)get_text(rq, &n_tag, 1, s->tag1, sizeof(s->tag1));
	s->tag2 = get_text(rq, &n_tag, 2, trace, sizeof(trace));
	(void)get_text(rq, &n_note, 0, s->note, sizeof(s->note));
	s->other = get_text(rq, &n_other, 0, trace, sizeof(trace));
	snprintf(trace, sizeof(trace), "trace-%s", s->reqid);
	MSRV_STEP(s, WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL));
	MSRV_STEP(s, add_text(rp, &n_trace, trace));
	MSRV_STEP(s, add_text(rp, &n_secret, "s3cret"));
	w = v + 1;
	MSRV_STEP(s, WsSendReplyMessage(ch, rp, &rep_desc,
	    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), rq, NULL, NULL));
	MSRV_STEP(s, WsCloseChannel(ch, NULL, NULL));
	s->step = 0;
out:
	free_server_side(ch, rq, rp, heap);
	return NULL;
}

START_TEST(request_reply_own_server)
{
	struct msrv s;
	WS_CHANNEL *c;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	char buf[128];
	int32_t v = 41, out = 0;
	uint16_t port;

	memset(&s, 0, sizeof(s));
	HR_EQ(listener_open(&s.l, &port, "/m", NULL, 0), S_OK);
	ck_assert_int_eq(pthread_create(&s.th, NULL, msrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/m", cli_props, 1), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_reqid, "req-42"), S_OK);
	HR_EQ(add_text(rq, &n_tag, "a"), S_OK);
	HR_EQ(add_text(rq, &n_tag, "b"), S_OK);
	HR_EQ(add_text(rq, &n_note, "he said \"hi, you\""), S_OK);
	/* Not in the client's request mapping: stays on the message. */
	HR_EQ(add_text(rq, &n_other, "never"), S_OK);
	HR_EQ(WsRequestReply(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 42);
	/* The response header the client maps... */
	HR_EQ(get_text(rp, &n_trace, 0, buf, sizeof(buf)), S_OK);
	ck_assert_str_eq(buf, "trace-req-42");
	/* ... and not the one it does not. */
	HR_EQ(get_text(rp, &n_secret, 0, buf, sizeof(buf)),
	    WS_E_INVALID_FORMAT);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(s.hr == S_OK, "server: %s at line %d",
	    harness_hr_name(s.hr), s.step);
	ck_assert_str_eq(s.reqid, "req-42");
	/* Joined with the comma, split again. */
	ck_assert_str_eq(s.tag0, "a");
	ck_assert_str_eq(s.tag1, "b");
	HR_EQ(s.tag2, WS_E_INVALID_FORMAT);
	/* Quoted on the wire, unquoted again. */
	ck_assert_str_eq(s.note, "he said \"hi, you\"");
	HR_EQ(s.other, WS_E_INVALID_FORMAT);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	WsFreeListener(s.l);
}
END_TEST

/* ---- on the wire: a bare socket for a server ------------------------------- */

#define ENV12_ANSWER "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" \
	"<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Answer</a:Action>" \
	"</s:Header><s:Body><value xmlns=\"urn:wschannel-test\">8</value>" \
	"</s:Body></s:Envelope>"

struct rawsrv {
	int		 lfd;
	char		 req[16384];
	ssize_t		 got;
	int		 rc;
	pthread_t	 th;
};

/* Reads one request and answers with X-Trace (twice: the client's
 * mapping joins nothing, each line is a value) and X-Secret. */
static void *
rawsrv_main(void *arg)
{
	struct rawsrv *s = arg;
	char resp[2048];
	int fd, n;

	if ((fd = harness_raw_accept(s->lfd, T_MS)) < 0) {
		s->rc = fd;
		return NULL;
	}
	s->got = raw_read_http(fd, s->req, sizeof(s->req), T_MS);
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8\r\n"
	    "X-Trace: t-9\r\nX-Secret: no\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(ENV12_ANSWER), ENV12_ANSWER);
	s->rc = harness_raw_write(fd, resp, (size_t)n);
	/* The client reads all before it closes. */
	(void)harness_raw_wait_eof(fd, T_MS);
	close(fd);
	return NULL;
}

START_TEST(request_headers_on_the_wire)
{
	struct rawsrv s;
	WS_CHANNEL *c;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	char buf[128], *body;
	int32_t v = 7, out = 0;
	uint16_t port;

	memset(&s, 0, sizeof(s));
	ck_assert_int_ge(s.lfd = harness_tcp_listener(&port, 4), 0);
	ck_assert_int_eq(pthread_create(&s.th, NULL, rawsrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/raw", cli_props, 1), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_reqid, "req-7"), S_OK);
	HR_EQ(add_text(rq, &n_tag, "x"), S_OK);
	HR_EQ(add_text(rq, &n_tag, "y"), S_OK);
	HR_EQ(add_text(rq, &n_note, "q\"uote"), S_OK);
	HR_EQ(add_text(rq, &n_other, "stays"), S_OK);
	HR_EQ(WsRequestReply(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 8);
	HR_EQ(get_text(rp, &n_trace, 0, buf, sizeof(buf)), S_OK);
	ck_assert_str_eq(buf, "t-9");
	HR_EQ(get_text(rp, &n_secret, 0, buf, sizeof(buf)),
	    WS_E_INVALID_FORMAT);
	WsFreeChannel(c);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_int_eq(s.rc, 0);
	ck_assert_int_gt(s.got, 0);
	body = strstr(s.req, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	/* The head keeps the line end of its last header. */
	body[2] = '\0';
	body += 4;
	/* Real HTTP headers, as the mapping says... */
	ck_assert_msg(strstr(s.req, "\r\nX-Request-Id: req-7\r\n") != NULL,
	    "%s", s.req);
	ck_assert_msg(strstr(s.req, "\r\nX-Tag: x, y\r\n") != NULL, "%s",
	    s.req);
	ck_assert_msg(strstr(s.req, "\r\nX-Note: \"q\\\"uote\"\r\n") != NULL,
	    "%s", s.req);
	/* ... the unmapped one nowhere, and none inside the envelope. */
	ck_assert_msg(strcasestr(s.req, "X-Other") == NULL, "%s", s.req);
	ck_assert_msg(strstr(body, "req-7") == NULL &&
	    strstr(body, "X-Request-Id") == NULL, "%s", body);
	/* The transport's own headers are there once. */
	ck_assert_msg(strstr(s.req, "Content-Length: ") != NULL, "%s", s.req);
	close(s.lfd);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
}
END_TEST

/* ---- on the wire: a bare socket for a client --------------------------------- */

START_TEST(reply_headers_on_the_wire)
{
	struct msrv s;
	char resp[8192], *head_end;
	uint16_t port;
	int fd;

	memset(&s, 0, sizeof(s));
	HR_EQ(listener_open(&s.l, &port, "/m", NULL, 0), S_OK);
	ck_assert_int_eq(pthread_create(&s.th, NULL, msrv_main, &s), 0);
	/* Two X-Tag lines and a comma-joined one make three values. */
	fd = raw_post(port, "/m", CT12, "X-Request-Id: raw-1\r\n"
	    "X-Tag: one\r\nx-tag: two, three\r\nX-Note: \"a \\\"b\\\"\"\r\n"
	    "X-Other: from-raw\r\n", ENV12("5"), resp, sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	head_end = strstr(resp, "\r\n\r\n");
	ck_assert_ptr_nonnull(head_end);
	head_end[2] = '\0';
	ck_assert_msg(strstr(resp, "\r\nX-Trace: trace-raw-1\r\n") != NULL,
	    "%s", resp);
	ck_assert_msg(strstr(resp, "\r\nX-Secret: s3cret\r\n") != NULL, "%s",
	    resp);
	ck_assert_msg(strstr(head_end + 4, "trace-raw-1") == NULL, "%s",
	    head_end + 4);
	close(fd);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(s.hr == S_OK, "server: %s at line %d",
	    harness_hr_name(s.hr), s.step);
	ck_assert_str_eq(s.reqid, "raw-1");
	ck_assert_str_eq(s.tag0, "one");
	ck_assert_str_eq(s.tag1, "two");
	/* The third value is there this time. */
	HR_EQ(s.tag2, S_OK);
	ck_assert_str_eq(s.note, "a \"b\"");
	/* Mapped on the server, so a peer that sends it is read. */
	HR_EQ(s.other, S_OK);
	WsFreeListener(s.l);
}
END_TEST

/* A channel with no mapping gives a REPLY's request headers to no one and
 * puts nothing on the wire (MS: only what the mapping names). */
START_TEST(no_mapping_no_headers)
{
	struct rawsrv s;
	WS_CHANNEL *c;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	char buf[64];
	int32_t v = 7, out = 0;
	uint16_t port;

	memset(&s, 0, sizeof(s));
	ck_assert_int_ge(s.lfd = harness_tcp_listener(&port, 4), 0);
	ck_assert_int_eq(pthread_create(&s.th, NULL, rawsrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/raw", NULL, 0), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_reqid, "req-x"), S_OK);
	HR_EQ(WsRequestReply(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	HR_EQ(get_text(rp, &n_trace, 0, buf, sizeof(buf)), WS_E_INVALID_FORMAT);
	WsFreeChannel(c);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(strcasestr(s.req, "X-Request-Id") == NULL, "%s", s.req);
	close(s.lfd);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
}
END_TEST

/* ---- the daemon checks again ---------------------------------------------- */

#ifndef WSCHANNEL_TEST_DBUS
static int
control_connect(void)
{
	int fd;

	ck_assert_int_ge(fd = harness_control_connect(), 0);
	return fd;
}

/* Sends one request and returns the HRESULT of its reply: the created id
 * (or the property's value) into *created, the first error string into
 * why. */
static uint32_t
control_call(int fd, Wschannel__Request *rq, uint64_t *created, char *why,
    size_t len)
{
	uint8_t buf[4096], hdr[FRAME_HEADER_SIZE], *in;
	struct frame_header fh;
	Wschannel__Reply *r;
	size_t n = wschannel__request__get_packed_size(rq);
	uint32_t hr;

	ck_assert_uint_le(n + FRAME_HEADER_SIZE, sizeof(buf));
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(rq, buf + FRAME_HEADER_SIZE);
	ck_assert_int_eq(harness_raw_write(fd, buf, n + FRAME_HEADER_SIZE), 0);
	ck_assert_int_eq(harness_raw_read_full(fd, hdr, sizeof(hdr), T_MS), 0);
	ck_assert_int_eq(frame_header_parse(hdr, &fh, NULL), 0);
	ck_assert_int_eq(fh.kind, FRAME_REPLY);
	ck_assert_ptr_nonnull(in = malloc(fh.length + 1));
	ck_assert_int_eq(harness_raw_read_full(fd, in, fh.length, T_MS), 0);
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, fh.length,
	    in));
	free(in);
	ck_assert_uint_eq(r->id, rq->id);
	hr = r->hresult;
	if (created != NULL)
		*created = r->result_case == WSCHANNEL__REPLY__RESULT_PROPERTY &&
		    r->property != NULL ? r->property->u : r->created;
	if (why != NULL)
		snprintf(why, len, "%s", r->n_errors > 0 ? r->errors[0] : "");
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/*
 * A client that skips the library's checks: the daemon refuses headers
 * the transport owns, names that are no tokens and values with CR/LF,
 * and a piece of a body on a channel that does not stream; the channel
 * stays OPEN.
 */
START_TEST(daemon_refuses_bad_headers)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__OpenChannel oc = WSCHANNEL__OPEN_CHANNEL__INIT;
	Wschannel__SendMessage sm = WSCHANNEL__SEND_MESSAGE__INIT;
	Wschannel__GetProperty gp = WSCHANNEL__GET_PROPERTY__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__Envelope env = WSCHANNEL__ENVELOPE__INIT;
	Wschannel__HttpHeader h = WSCHANNEL__HTTP_HEADER__INIT, *hp[1] = { &h };
	static const char *const bad[][2] = {
		{ "Content-Length", "5" },
		{ "connection", "close" },
		{ "X Bad", "v" },
		{ "X-Ok", "a\r\nX-Injected: 1" },
	};
	char url[64], why[256];
	uint64_t ch = 0, state = 0;
	uint16_t port;
	int fd, lfd;
	size_t i;

	fd = control_connect();
	cc.type = WS_CHANNEL_TYPE_REQUEST;
	cc.binding = WS_HTTP_CHANNEL_BINDING;
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	ck_assert_uint_eq(control_call(fd, &rq, &ch, NULL, 0), S_OK);
	ck_assert_int_ge(lfd = harness_tcp_listener(&port, 4), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)port);
	oc.channel = ch;
	oc.url = url;
	rq.id = 2;
	rq.op_case = WSCHANNEL__REQUEST__OP_OPEN_CHANNEL;
	rq.open_channel = &oc;
	ck_assert_uint_eq(control_call(fd, &rq, NULL, NULL, 0), S_OK);
	env.body.data = (uint8_t *)"<value xmlns=\"urn:wschannel-test\">1</value>";
	env.body.len = strlen((const char *)env.body.data);
	env.has_body = 1;
	env.action = (char *)"urn:wschannel-test/Ask";
	env.n_http_headers = 1;
	env.http_headers = hp;
	sm.channel = ch;
	sm.message = &env;
	rq.op_case = WSCHANNEL__REQUEST__OP_SEND_MESSAGE;
	rq.send_message = &sm;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.name = (char *)bad[i][0];
		h.value = (char *)bad[i][1];
		rq.id = 10 + i;
		ck_assert_uint_eq(control_call(fd, &rq, NULL, why, sizeof(why)),
		    (uint32_t)E_INVALIDARG);
		ck_assert_msg(strstr(why, "mapped HTTP header") != NULL, "%s",
		    why);
	}
	/* A piece of a streamed body (Envelope.more_body) on a buffered
	 * channel: refused, the message still being written. */
	ref.id = ch;
	rq.id = 15;
	rq.op_case = WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START;
	rq.write_message_start = &ref;
	ck_assert_uint_eq(control_call(fd, &rq, NULL, NULL, 0), S_OK);
	env.n_http_headers = 0;
	env.http_headers = NULL;
	env.has_more_body = env.more_body = 1;
	rq.id = 16;
	rq.op_case = WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END;
	rq.write_message_end = &sm;
	ck_assert_uint_eq(control_call(fd, &rq, NULL, why, sizeof(why)),
	    (uint32_t)WS_E_INVALID_OPERATION);
	ck_assert_msg(strstr(why, "WS_STREAMED_OUTPUT_TRANSFER_MODE") != NULL,
	    "%s", why);
	gp.id = ch;
	gp.property_id = WS_CHANNEL_PROPERTY_STATE;
	rq.id = 20;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	rq.get_channel_property = &gp;
	ck_assert_uint_eq(control_call(fd, &rq, &state, NULL, 0), S_OK);
	ck_assert_uint_eq(state, WS_CHANNEL_STATE_OPEN);
	close(lfd);
	close(fd);
}
END_TEST
#endif

static Suite *
mapping_suite(void)
{
	Suite *s = suite_create("http_mapping");
	TCase *tc = tcase_create("mapping");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mapping_property);
	tcase_add_test(tc, request_reply_own_server);
	tcase_add_test(tc, request_headers_on_the_wire);
	tcase_add_test(tc, reply_headers_on_the_wire);
	tcase_add_test(tc, no_mapping_no_headers);
#ifndef WSCHANNEL_TEST_DBUS
	tcase_add_test(tc, daemon_refuses_bad_headers);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

#ifdef WSCHANNEL_TEST_DBUS
	/* The same suite, the library over the D-Bus door. */
	harness_use_dbus(true);
#endif
	sr = srunner_create(mapping_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
