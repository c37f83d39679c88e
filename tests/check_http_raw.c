/*
 * WS_ENCODING_RAW over HTTP: plain HTTP (REST-style) exchanges without a
 * SOAP envelope.  A REQUEST channel sends the method its mapped header
 * "Verb" names with the body's bytes and Content-Type as they are, and
 * reads any status back through the mapped headers "StatusCode" and
 * "StatusText"; a REPLY channel gets the method, headers and bytes of a
 * request and answers the status and bytes it chooses.  Against bare
 * sockets that read and write HTTP by hand (so the wire is seen), and
 * both sides ours through the daemon.
 */
#include "config.h"

#include <sys/socket.h>
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
#include <sys/un.h>
#include "frame.h"
#include "wschannel.pb-c.h"
#endif

/* ---- the channels' properties, the MS REST sample's ---------------------- */

static WS_XML_STRING n_verb = XSTR("Verb");
static WS_XML_STRING n_code = XSTR("StatusCode");
static WS_XML_STRING n_text = XSTR("StatusText");
static WS_XML_STRING n_ct = XSTR("Content-Type");

static WS_HTTP_HEADER_MAPPING hm_ct = { XSTR("Content-Type"), 0 };
static WS_HTTP_HEADER_MAPPING *ct_maps[] = { &hm_ct };
static WS_HTTP_MESSAGE_MAPPING rest_map = { WS_HTTP_REQUEST_MAPPING_VERB,
    WS_HTTP_RESPONSE_MAPPING_STATUS_CODE | WS_HTTP_RESPONSE_MAPPING_STATUS_TEXT,
    ct_maps, 1, ct_maps, 1 };
/* Verb and Content-Type, but no status: a status is then an error. */
static WS_HTTP_MESSAGE_MAPPING nostatus_map = { WS_HTTP_REQUEST_MAPPING_VERB,
    0, ct_maps, 1, ct_maps, 1 };

static WS_ENCODING raw_enc = WS_ENCODING_RAW;
static WS_CHANNEL_PROPERTY rest_props[] = {
	{ WS_CHANNEL_PROPERTY_ENCODING, &raw_enc, sizeof(raw_enc) },
	{ WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, &rest_map, sizeof(rest_map) },
};
static WS_CHANNEL_PROPERTY nostatus_props[] = {
	{ WS_CHANNEL_PROPERTY_ENCODING, &raw_enc, sizeof(raw_enc) },
	{ WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, &nostatus_map,
	    sizeof(nostatus_map) },
};

/* A raw body: WS_BYTES without an element name (the MS REST sample). */
static WS_ELEMENT_DESCRIPTION bytes_elem = { NULL, NULL, WS_BYTES_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION bytes_desc = { NULL, &bytes_elem };
static WS_MESSAGE_DESCRIPTION empty_desc = { NULL, NULL };

/* Bytes no XML could carry: a NUL, invalid UTF-8, a CR LF. */
static const BYTE blob[] = { 'P', 'N', 'G', 0x00, 0xff, 0xfe, '\r', '\n',
    '<', '&', 0x80, 'z' };

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

static HRESULT
add_code(WS_MESSAGE *m, ULONG code)
{
	return WsAddMappedHeader(m, &n_code, WS_UINT32_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &code, sizeof(code), NULL);
}

static HRESULT
get_text(WS_MESSAGE *m, WS_XML_STRING *name, char *buf, size_t len)
{
	WS_STRING s;
	HRESULT hr;
	ULONG i;

	buf[0] = '\0';
	hr = WsGetMappedHeader(m, name, WS_SINGLETON_HEADER, 0,
	    WS_STRING_TYPE, WS_READ_REQUIRED_VALUE, NULL, &s, sizeof(s), NULL);
	if (hr != S_OK)
		return hr;
	for (i = 0; i < s.length && i + 1 < len; i++)
		buf[i] = s.chars[i] < 0x80 ? (char)s.chars[i] : '?';
	buf[i] = '\0';
	return S_OK;
}

/* Reads one HTTP message: the head, then Content-Length bytes of body (none
 * without it).  Its length, the head's in *head_len; -1 on failure. */
static ssize_t
read_msg(int fd, char *buf, size_t len, size_t *head_len)
{
	size_t got = 0, want = 0;
	ssize_t n;
	char *end, *cl;

	*head_len = 0;
	while (got + 1 < len) {
		n = harness_raw_read(fd, buf + got, len - 1 - got, T_MS);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if (*head_len == 0 && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			*head_len = (size_t)(end + 4 - buf);
			cl = strcasestr(buf, "\r\nContent-Length:");
			want = *head_len + (cl != NULL && cl < end ?
			    strtoul(cl + 17, NULL, 10) : 0);
		}
		if (*head_len > 0 && got >= want)
			return (ssize_t)got;
	}
	return -1;
}

/* The value of header `name` in an HTTP head, copied into val. */
static bool
head_value(const char *head, size_t head_len, const char *name, char *val,
    size_t len)
{
	char pat[64], *p, *e;
	size_t n;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	if ((p = strcasestr(head, pat)) == NULL ||
	    (size_t)(p - head) >= head_len)
		return false;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	e = strstr(p, "\r\n");
	n = (size_t)(e - p) < len - 1 ? (size_t)(e - p) : len - 1;
	memcpy(val, p, n);
	val[n] = '\0';
	return true;
}

/* ---- properties ------------------------------------------------------------ */

START_TEST(raw_properties)
{
	WS_ENVELOPE_VERSION env;
	WS_ADDRESSING_VERSION addr;
	WS_ENCODING enc;
	WS_ENVELOPE_VERSION soap12 = WS_ENVELOPE_VERSION_SOAP_1_2;
	WS_ADDRESSING_VERSION wsa10 = WS_ADDRESSING_VERSION_1_0;
	WS_HTTP_MESSAGE_MAPPING got;
	WS_CHANNEL_PROPERTY p[3];
	WS_CHANNEL *c;
	WS_LISTENER *l;
	uint16_t port;

	/* MS: RAW makes NONE and TRANSPORT the defaults. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    rest_props, 2, NULL, &c, NULL), S_OK);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc), NULL), S_OK);
	ck_assert_int_eq(enc, WS_ENCODING_RAW);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION,
	    &env, sizeof(env), NULL), S_OK);
	ck_assert_int_eq(env, WS_ENVELOPE_VERSION_NONE);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_ADDRESSING_VERSION,
	    &addr, sizeof(addr), NULL), S_OK);
	ck_assert_int_eq(addr, WS_ADDRESSING_VERSION_TRANSPORT);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING,
	    &got, sizeof(got), NULL), S_OK);
	ck_assert_uint_eq(got.requestMappingOptions,
	    WS_HTTP_REQUEST_MAPPING_VERB);
	ck_assert_uint_eq(got.responseHeaderMappingCount, 1);
	WsFreeChannel(c);

	/* RAW carries no envelope: SOAP or WS-Addressing with it is refused. */
	p[0] = rest_props[0];
	p[1].id = WS_CHANNEL_PROPERTY_ENVELOPE_VERSION;
	p[1].value = &soap12;
	p[1].valueSize = sizeof(soap12);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    p, 2, NULL, &c, NULL), E_INVALIDARG);
	p[1].id = WS_CHANNEL_PROPERTY_ADDRESSING_VERSION;
	p[1].value = &wsa10;
	p[1].valueSize = sizeof(wsa10);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    p, 2, NULL, &c, NULL), E_INVALIDARG);

	/* Content-Type is the application's to map with RAW only. */
	p[0].id = WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING;
	p[0].value = &rest_map;
	p[0].valueSize = sizeof(rest_map);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    p, 1, NULL, &c, NULL), E_INVALIDARG);

	/* Windows speaks RAW over HTTP only. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, rest_props, 1, NULL, &c, NULL),
	    E_INVALIDARG);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    rest_props, 1, NULL, &c, NULL), E_INVALIDARG);

	/* An accepted channel takes RAW the same way. */
	HR_EQ(listener_open(&l, &port, "/raw", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, rest_props, 2, &c, NULL), S_OK);
	HR_EQ(WsGetChannelProperty(c, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION,
	    &env, sizeof(env), NULL), S_OK);
	ck_assert_int_eq(env, WS_ENVELOPE_VERSION_NONE);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* ---- our client, a bare-socket server ---------------------------------- */

struct bare {
	int		 lfd;
	char		 req[3][8192];
	ssize_t		 req_len[3];
	size_t		 head_len[3];
	const char	*resp[3];
	size_t		 resp_len[3];
	int		 count;
	pthread_t	 th;
};

/* Serves `count` requests on one connection: reads each, answers it. */
static void *
bare_main(void *arg)
{
	struct bare *b = arg;
	int fd, i;

	if ((fd = harness_raw_accept(b->lfd, T_MS)) < 0)
		return NULL;
	for (i = 0; i < b->count; i++) {
		b->req_len[i] = read_msg(fd, b->req[i], sizeof(b->req[i]),
		    &b->head_len[i]);
		if (b->req_len[i] < 0 ||
		    harness_raw_write(fd, b->resp[i], b->resp_len[i]) != 0)
			break;
	}
	/* The client closes first (its channel's close). */
	(void)harness_raw_wait_eof(fd, T_MS);
	close(fd);
	return NULL;
}

static const char resp_404[] = "HTTP/1.1 404 Gone Fishing\r\n"
    "Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope";
static const char resp_200[] = "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"id\": 42}\n";

START_TEST(client_on_the_wire)
{
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_CHANNEL *c;
	WS_BYTES body = { sizeof(blob), (BYTE *)blob }, got;
	ULONG code;
	struct bare b;
	char v[256], *h;
	uint16_t port;

	memset(&b, 0, sizeof(b));
	ck_assert_int_ge(b.lfd = harness_tcp_listener(&port, 4), 0);
	b.count = 2;
	b.resp[0] = resp_404;
	b.resp_len[0] = sizeof(resp_404) - 1;
	b.resp[1] = resp_200;
	b.resp_len[1] = sizeof(resp_200) - 1;
	ck_assert_int_eq(pthread_create(&b.th, NULL, bare_main, &b), 0);

	HR_EQ(request_channel(&c, port, "/things/7?x=1", rest_props, 2), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);

	/* PUT with the bytes as they are. */
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_verb, "PUT"), S_OK);
	HR_EQ(add_text(rq, &n_ct, "image/png"), S_OK);
	HR_EQ(WsRequestReply(c, rq, &bytes_desc, WS_WRITE_REQUIRED_VALUE, &body,
	    sizeof(body), rp, &bytes_desc, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL, NULL), S_OK);
	/* A 404 is the message: the mapping maps the status. */
	HR_EQ(WsGetMappedHeader(rp, &n_code, WS_SINGLETON_HEADER, 0,
	    WS_UINT32_TYPE, WS_READ_REQUIRED_VALUE, NULL, &code, sizeof(code),
	    NULL), S_OK);
	ck_assert_uint_eq(code, 404);
	HR_EQ(get_text(rp, &n_text, v, sizeof(v)), S_OK);
	ck_assert_str_eq(v, "Gone Fishing");
	HR_EQ(get_text(rp, &n_ct, v, sizeof(v)), S_OK);
	ck_assert_str_eq(v, "text/plain");
	ck_assert_uint_eq(got.length, 4);
	ck_assert_int_eq(memcmp(got.bytes, "nope", 4), 0);

	/* A bodiless GET: no Content-Type, no Content-Length. */
	HR_EQ(WsResetMessage(rq, NULL), S_OK);
	HR_EQ(WsResetMessage(rp, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_verb, "GET"), S_OK);
	HR_EQ(WsRequestReply(c, rq, &empty_desc, WS_WRITE_REQUIRED_VALUE, NULL,
	    0, rp, &bytes_desc, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL, NULL), S_OK);
	HR_EQ(WsGetMappedHeader(rp, &n_code, WS_SINGLETON_HEADER, 0,
	    WS_UINT32_TYPE, WS_READ_REQUIRED_VALUE, NULL, &code, sizeof(code),
	    NULL), S_OK);
	ck_assert_uint_eq(code, 200);
	HR_EQ(get_text(rp, &n_ct, v, sizeof(v)), S_OK);
	ck_assert_str_eq(v, "application/json");
	ck_assert_uint_eq(got.length, 11);
	ck_assert_int_eq(memcmp(got.bytes, "{\"id\": 42}\n", 11), 0);

	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	ck_assert_int_eq(pthread_join(b.th, NULL), 0);
	close(b.lfd);

	/* What the server read: the method, the path, the bytes exactly,
	 * their media type, and no SOAP anywhere. */
	ck_assert_int_gt(b.req_len[0], 0);
	h = b.req[0];
	ck_assert_msg(strncmp(h, "PUT /things/7?x=1 HTTP/1.1\r\n", 28) == 0,
	    "request line: %.40s", h);
	ck_assert(head_value(h, b.head_len[0], "Content-Type", v, sizeof(v)));
	ck_assert_str_eq(v, "image/png");
	ck_assert(head_value(h, b.head_len[0], "Content-Length", v, sizeof(v)));
	ck_assert_int_eq(atoi(v), (int)sizeof(blob));
	ck_assert(!head_value(h, b.head_len[0], "SOAPAction", v, sizeof(v)));
	ck_assert(!head_value(h, b.head_len[0], "Verb", v, sizeof(v)));
	ck_assert_int_eq(b.req_len[0], (ssize_t)(b.head_len[0] + sizeof(blob)));
	ck_assert_int_eq(memcmp(h + b.head_len[0], blob, sizeof(blob)), 0);
	ck_assert_int_gt(b.req_len[1], 0);
	h = b.req[1];
	ck_assert_msg(strncmp(h, "GET /things/7?x=1 HTTP/1.1\r\n", 28) == 0,
	    "request line: %.40s", h);
	ck_assert(!head_value(h, b.head_len[1], "Content-Type", v, sizeof(v)));
	ck_assert(!head_value(h, b.head_len[1], "Content-Length", v,
	    sizeof(v)));
	ck_assert_int_eq(b.req_len[1], (ssize_t)b.head_len[1]);

	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
}
END_TEST

/* Without STATUS_CODE in the mapping a status that is not 2xx is the
 * error the HTTP binding gives it; POST and the default media type. */
START_TEST(client_status_unmapped)
{
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_CHANNEL *c;
	WS_BYTES body = { 3, (BYTE *)"abc" }, got;
	struct bare b;
	char v[256];
	uint16_t port;

	memset(&b, 0, sizeof(b));
	ck_assert_int_ge(b.lfd = harness_tcp_listener(&port, 4), 0);
	b.count = 2;
	b.resp[0] = resp_404;
	b.resp_len[0] = sizeof(resp_404) - 1;
	b.resp[1] = resp_200;
	b.resp_len[1] = sizeof(resp_200) - 1;
	ck_assert_int_eq(pthread_create(&b.th, NULL, bare_main, &b), 0);
	HR_EQ(request_channel(&c, port, "/p", nostatus_props, 2), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsRequestReply(c, rq, &bytes_desc, WS_WRITE_REQUIRED_VALUE, &body,
	    sizeof(body), rp, &bytes_desc, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL, NULL), WS_E_ENDPOINT_NOT_FOUND);
	/* The exchange is over; the channel goes on. */
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	HR_EQ(WsResetMessage(rq, NULL), S_OK);
	HR_EQ(WsResetMessage(rp, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsRequestReply(c, rq, &bytes_desc, WS_WRITE_REQUIRED_VALUE, &body,
	    sizeof(body), rp, &bytes_desc, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL, NULL), S_OK);
	ck_assert_uint_eq(got.length, 11);
	/* No StatusCode where the mapping does not ask for it. */
	HR_EQ(get_text(rp, &n_code, v, sizeof(v)), WS_E_INVALID_FORMAT);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	ck_assert_int_eq(pthread_join(b.th, NULL), 0);
	close(b.lfd);
	ck_assert(strncmp(b.req[0], "POST /p HTTP/1.1\r\n", 18) == 0);
	ck_assert(head_value(b.req[0], b.head_len[0], "Content-Type", v,
	    sizeof(v)));
	ck_assert_str_eq(v, "application/octet-stream");
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
}
END_TEST

/* ---- our server, curl-like clients --------------------------------------- */

/* Accepts one request on `l` and answers it with `code`, `text` and the
 * request's body reversed under `ct`; the request's method into verb. */
static void
serve_one(WS_LISTENER *l, ULONG code, const char *text, const char *ct,
    char *verb, size_t vlen, WS_BYTES *in_copy)
{
	WS_CHANNEL *ch;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	WS_BYTES in, out;
	BYTE rev[256];
	ULONG i;

	HR_EQ(WsCreateChannelForListener(l, rest_props, 2, &ch, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, ch, NULL, NULL), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(new_msg(ch, &rq), S_OK);
	HR_EQ(new_msg(ch, &rp), S_OK);
	HR_EQ(WsReceiveMessage(ch, rq, (const WS_MESSAGE_DESCRIPTION *[]){
	    &bytes_desc }, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, &in, sizeof(in), NULL, NULL, NULL),
	    S_OK);
	HR_EQ(get_text(rq, &n_verb, verb, vlen), S_OK);
	ck_assert_uint_le(in.length, sizeof(rev));
	for (i = 0; i < in.length; i++)
		rev[i] = in.bytes[in.length - 1 - i];
	if (in_copy != NULL) {
		in_copy->length = in.length;
		in_copy->bytes = malloc(in.length + 1);
		memcpy(in_copy->bytes, in.bytes, in.length);
	}
	/* The MS REST sample's way: a reply message, its status as mapped
	 * headers, the bytes as a WS_BYTES body. */
	HR_EQ(WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL), S_OK);
	HR_EQ(add_code(rp, code), S_OK);
	HR_EQ(add_text(rp, &n_text, text), S_OK);
	HR_EQ(add_text(rp, &n_ct, ct), S_OK);
	out.bytes = rev;
	out.length = in.length;
	HR_EQ(WsSendMessage(ch, rp, &bytes_desc, WS_WRITE_REQUIRED_VALUE, &out,
	    sizeof(out), NULL, NULL), S_OK);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}

START_TEST(server_answers_curl)
{
	WS_LISTENER *l;
	uint16_t port;
	char req[512], resp[4096], v[128];
	size_t hl;
	ssize_t n;
	int fd;

	HR_EQ(listener_open(&l, &port, "/api", NULL, 0), S_OK);

	/* A POST of bytes from a browser-like agent: RAW takes it (MS:
	 * DISALLOWED_USER_AGENT does not apply), 201 with our text. */
	fd = harness_tcp_connect(port);
	ck_assert_int_ge(fd, 0);
	n = snprintf(req, sizeof(req), "POST /api/items HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nUser-Agent: Mozilla/5.0 curl-like\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Length: %zu\r\n\r\n", sizeof(blob));
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
	ck_assert_int_eq(harness_raw_write(fd, blob, sizeof(blob)), 0);
	serve_one(l, 201, "Made It", "application/x-reversed", v, sizeof(v),
	    NULL);
	ck_assert_str_eq(v, "POST");
	n = read_msg(fd, resp, sizeof(resp), &hl);
	ck_assert_int_gt(n, 0);
	ck_assert_msg(strncmp(resp, "HTTP/1.1 201 Made It\r\n", 22) == 0,
	    "status line: %.40s", resp);
	ck_assert(head_value(resp, hl, "Content-Type", v, sizeof(v)));
	ck_assert_str_eq(v, "application/x-reversed");
	ck_assert_int_eq(n, (ssize_t)(hl + sizeof(blob)));
	ck_assert_int_eq((BYTE)resp[hl], blob[sizeof(blob) - 1]);
	ck_assert_int_eq((BYTE)resp[hl + sizeof(blob) - 1], blob[0]);
	ck_assert(strstr(resp, "Envelope") == NULL);

	/* DELETE without a body on the kept-alive connection: 404. */
	n = snprintf(req, sizeof(req), "DELETE /api/items/9 HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
	serve_one(l, 404, "No Such Item", "text/plain", v, sizeof(v), NULL);
	ck_assert_str_eq(v, "DELETE");
	n = read_msg(fd, resp, sizeof(resp), &hl);
	ck_assert_int_gt(n, 0);
	ck_assert_msg(strncmp(resp, "HTTP/1.1 404 No Such Item\r\n", 27) == 0,
	    "status line: %.40s", resp);
	ck_assert_int_eq(n, (ssize_t)hl);
	close(fd);
	WsFreeListener(l);
}
END_TEST

/* A SOAP channel of the same daemon still answers 405 to a GET. */
START_TEST(soap_channel_refuses_get)
{
	struct harness_async a;
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	uint16_t port;
	char resp[2048];
	const char req[] = "GET /svc HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t hl;
	int fd;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	harness_async_init(&a);
	HR_EQ(WsAcceptChannel(l, sc, &a.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(sc, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	fd = harness_tcp_connect(port);
	ck_assert_int_eq(harness_raw_write(fd, req, sizeof(req) - 1), 0);
	ck_assert_int_gt(read_msg(fd, resp, sizeof(resp), &hl), 0);
	ck_assert_int_eq(raw_status(resp), 405);
	ck_assert_ptr_nonnull(strstr(resp, "Allow: POST\r\n"));
	close(fd);
	/* The accept waits on for a request it can take. */
	STATE_EQ(sc, WS_CHANNEL_STATE_ACCEPTING);
	HR_EQ(WsAbortChannel(sc, NULL), S_OK);
	ck_assert_int_eq(harness_async_wait(&a, 1, T_MS), 1);
	HR_EQ(a.hr, WS_E_OPERATION_ABORTED);
	harness_async_destroy(&a);
	WsFreeChannel(sc);
	WsFreeListener(l);
}
END_TEST

/* ---- both sides ours ----------------------------------------------------- */

struct srv1 {
	WS_LISTENER	*l;
	char		 verb[32];
	WS_BYTES	 in;
};

static void *
srv1_main(void *arg)
{
	struct srv1 *s = arg;

	serve_one(s->l, 200, "Fine", "application/x-test", s->verb,
	    sizeof(s->verb), &s->in);
	return NULL;
}

START_TEST(client_and_server)
{
	WS_MESSAGE *rq, *rp;
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	WS_HEAP *heap;
	WS_CHANNEL *c;
	WS_LISTENER *l;
	struct srv1 s;
	pthread_t th;
	BYTE buf[64];
	ULONG code, n, total = 0;
	char v[128];
	uint16_t port;

	memset(&s, 0, sizeof(s));
	HR_EQ(listener_open(&l, &port, "/both", NULL, 0), S_OK);
	s.l = l;
	ck_assert_int_eq(pthread_create(&th, NULL, srv1_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/both", rest_props, 2), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);

	/* PATCH, the body written with WsWriteBytes through the body
	 * writer (the raw XML encoding), in two pieces. */
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_verb, "PATCH"), S_OK);
	HR_EQ(WsWriteMessageStart(c, rq, NULL, NULL), S_OK);
	HR_EQ(WsGetMessageProperty(rq, WS_MESSAGE_PROPERTY_BODY_WRITER, &w,
	    sizeof(w), NULL), S_OK);
	HR_EQ(WsWriteBytes(w, blob, 5, NULL), S_OK);
	HR_EQ(WsWriteBytes(w, blob + 5, sizeof(blob) - 5, NULL), S_OK);
	HR_EQ(WsWriteMessageEnd(c, rq, NULL, NULL), S_OK);

	/* The answer read with WsReadBytes through the body reader. */
	HR_EQ(WsReadMessageStart(c, rp, NULL, NULL), S_OK);
	HR_EQ(WsGetMappedHeader(rp, &n_code, WS_SINGLETON_HEADER, 0,
	    WS_UINT32_TYPE, WS_READ_REQUIRED_VALUE, NULL, &code, sizeof(code),
	    NULL), S_OK);
	ck_assert_uint_eq(code, 200);
	HR_EQ(get_text(rp, &n_text, v, sizeof(v)), S_OK);
	ck_assert_str_eq(v, "Fine");
	HR_EQ(get_text(rp, &n_ct, v, sizeof(v)), S_OK);
	ck_assert_str_eq(v, "application/x-test");
	HR_EQ(WsGetMessageProperty(rp, WS_MESSAGE_PROPERTY_BODY_READER, &r,
	    sizeof(r), NULL), S_OK);
	/* The body's one text, the bytes as base64 (raw XML), read from
	 * the start as a Windows program does. */
	do {
		HR_EQ(WsReadBytes(r, buf + total, sizeof(buf) - total, &n,
		    NULL), S_OK);
		total += n;
	} while (n > 0 && total < sizeof(buf));
	HR_EQ(WsReadMessageEnd(c, rp, NULL, NULL), S_OK);
	ck_assert_uint_eq(total, sizeof(blob));
	ck_assert_int_eq(buf[0], blob[sizeof(blob) - 1]);
	ck_assert_int_eq(buf[sizeof(blob) - 1], blob[0]);

	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_str_eq(s.verb, "PATCH");
	ck_assert_uint_eq(s.in.length, sizeof(blob));
	ck_assert_int_eq(memcmp(s.in.bytes, blob, sizeof(blob)), 0);
	free(s.in.bytes);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* ---- bad values ------------------------------------------------------------ */

START_TEST(bad_values)
{
	WS_MESSAGE *rq, *rp;
	WS_CHANNEL *c;
	WS_LISTENER *l;
	WS_BYTES body = { 1, (BYTE *)"x" };
	WS_ERROR *err;
	uint16_t port;
	char req[256];
	int fd, n;
	size_t i;
	static const char *const verbs[] = { "GE T", "", "GET\r\nX: y" };
	static const ULONG codes[] = { 99, 1000, 0 };
	int32_t one = 1;

	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	/* Nothing listens there: nothing is sent anyway. */
	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(request_channel(&c, port, "/x", rest_props, 2), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	/* A method is an HTTP token. */
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		HR_EQ(WsResetMessage(rq, NULL), S_OK);
		HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL),
		    S_OK);
		if (add_text(rq, &n_verb, verbs[i]) != S_OK)
			continue;	/* refused at once (CR LF) */
		HR_EQ(WsSendMessage(c, rq, &bytes_desc, WS_WRITE_REQUIRED_VALUE,
		    &body, sizeof(body), NULL, err), E_INVALIDARG);
	}
	/* A token evhttp cannot send. */
	HR_EQ(WsResetMessage(rq, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(add_text(rq, &n_verb, "PROPFIND"), S_OK);
	HR_EQ(WsSendMessage(c, rq, &bytes_desc, WS_WRITE_REQUIRED_VALUE, &body,
	    sizeof(body), NULL, err), WS_E_NOT_SUPPORTED);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	/* A body that is no bytes: an element has no place in a raw body. */
	HR_EQ(WsResetMessage(rq, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_REQUEST_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsSendMessage(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &one,
	    sizeof(one), NULL, err), WS_E_INVALID_FORMAT);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	WsFreeMessage(rq);
	WsFreeChannel(c);

	/* A status of 100..999 and a text without CR LF, on a reply. */
	HR_EQ(listener_open(&l, &port, "/bad", NULL, 0), S_OK);
	fd = harness_tcp_connect(port);
	n = snprintf(req, sizeof(req), "GET /bad HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
	HR_EQ(WsCreateChannelForListener(l, rest_props, 2, &c, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, c, NULL, NULL), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsReceiveMessage(c, rq, (const WS_MESSAGE_DESCRIPTION *[]){
	    &empty_desc }, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, NULL, NULL, 0, NULL, NULL, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL), S_OK);
	HR_EQ(add_text(rp, &n_text, "Bad\r\nX-Injected: 1"), E_INVALIDARG);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		HR_EQ(WsResetMessage(rp, NULL), S_OK);
		HR_EQ(WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL),
		    S_OK);
		HR_EQ(add_code(rp, codes[i]), S_OK);
		HR_EQ(WsSendMessage(c, rp, &empty_desc,
		    WS_WRITE_REQUIRED_VALUE, NULL, 0, NULL, err), E_INVALIDARG);
	}
	/* Nothing went out: a good status still can. */
	HR_EQ(WsResetMessage(rp, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL), S_OK);
	HR_EQ(add_code(rp, 204), S_OK);
	HR_EQ(WsSendMessage(c, rp, &empty_desc, WS_WRITE_REQUIRED_VALUE, NULL,
	    0, NULL, err), S_OK);
	ck_assert_int_gt(raw_read_http(fd, req, sizeof(req), T_MS), 0);
	ck_assert_int_eq(raw_status(req), 204);
	close(fd);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeChannel(c);
	WsFreeListener(l);
	WsFreeError(err);
}
END_TEST

#ifndef WSCHANNEL_TEST_DBUS
/* ---- a client that skips the library ----------------------------------- */

static int
control_connect(void)
{
	int fd;

	ck_assert_int_ge(fd = harness_control_connect(), 0);
	return fd;
}

/* One request; the HRESULT of its reply, the created id into *created,
 * the first error string into why. */
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
		*created = r->created;
	if (why != NULL)
		snprintf(why, len, "%s", r->n_errors > 0 ? r->errors[0] : "");
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/* A raw REQUEST channel made and opened by hand, with `nprops` of
 * ENCODING RAW, ENVELOPE NONE, ADDRESSING TRANSPORT; the open's result. */
static uint32_t
control_raw_channel(int fd, size_t nprops, uint16_t port, uint64_t *ch)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__OpenChannel oc = WSCHANNEL__OPEN_CHANNEL__INIT;
	Wschannel__Property p[3], *pp[3];
	char url[64];
	size_t i;

	for (i = 0; i < 3; i++) {
		wschannel__property__init(&p[i]);
		p[i].has_u = 1;
		pp[i] = &p[i];
	}
	p[0].id = WS_CHANNEL_PROPERTY_ENCODING;
	p[0].u = WS_ENCODING_RAW;
	p[1].id = WS_CHANNEL_PROPERTY_ENVELOPE_VERSION;
	p[1].u = WS_ENVELOPE_VERSION_NONE;
	p[2].id = WS_CHANNEL_PROPERTY_ADDRESSING_VERSION;
	p[2].u = WS_ADDRESSING_VERSION_TRANSPORT;
	cc.type = WS_CHANNEL_TYPE_REQUEST;
	cc.binding = WS_HTTP_CHANNEL_BINDING;
	cc.n_properties = nprops;
	cc.properties = pp;
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	ck_assert_uint_eq(control_call(fd, &rq, ch, NULL, 0), S_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)port);
	oc.channel = *ch;
	oc.url = url;
	rq.id = 2;
	rq.op_case = WSCHANNEL__REQUEST__OP_OPEN_CHANNEL;
	rq.open_channel = &oc;
	return control_call(fd, &rq, NULL, NULL, 0);
}

/* The daemon checks again what the library checks: a method that is no
 * token or that it cannot send, a status on a request; and RAW without
 * ENVELOPE_VERSION NONE does not open. */
START_TEST(daemon_checks_again)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__SendMessage sm = WSCHANNEL__SEND_MESSAGE__INIT;
	Wschannel__Envelope env = WSCHANNEL__ENVELOPE__INIT;
	char why[256];
	uint64_t ch = 0;
	uint16_t port;
	int fd, lfd;

	fd = control_connect();
	ck_assert_int_ge(lfd = harness_tcp_listener(&port, 4), 0);
	ck_assert_uint_eq(control_raw_channel(fd, 1, port, &ch),
	    (uint32_t)E_INVALIDARG);
	ck_assert_uint_eq(control_raw_channel(fd, 3, port, &ch), S_OK);
	env.body.data = (uint8_t *)"\x00\x01";
	env.body.len = 2;
	env.has_body = 1;
	sm.channel = ch;
	sm.message = &env;
	rq.op_case = WSCHANNEL__REQUEST__OP_SEND_MESSAGE;
	rq.send_message = &sm;
	env.http_verb = (char *)"GE T";
	rq.id = 10;
	ck_assert_uint_eq(control_call(fd, &rq, NULL, why, sizeof(why)),
	    (uint32_t)E_INVALIDARG);
	ck_assert_msg(strstr(why, "token") != NULL, "%s", why);
	env.http_verb = (char *)"PROPFIND";
	rq.id = 11;
	ck_assert_uint_eq(control_call(fd, &rq, NULL, why, sizeof(why)),
	    (uint32_t)WS_E_NOT_SUPPORTED);
	env.http_verb = NULL;
	env.has_http_status = 1;
	env.http_status = 200;
	rq.id = 12;
	ck_assert_uint_eq(control_call(fd, &rq, NULL, why, sizeof(why)),
	    (uint32_t)E_INVALIDARG);
	ck_assert_msg(strstr(why, "request has no HTTP status") != NULL, "%s",
	    why);
	close(lfd);
	close(fd);
}
END_TEST
#endif

static Suite *
http_raw_suite(void)
{
	Suite *s = suite_create("http_raw");
	TCase *tc = tcase_create("raw");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, raw_properties);
	tcase_add_test(tc, client_on_the_wire);
	tcase_add_test(tc, client_status_unmapped);
	tcase_add_test(tc, server_answers_curl);
	tcase_add_test(tc, soap_channel_refuses_get);
	tcase_add_test(tc, client_and_server);
	tcase_add_test(tc, bad_values);
#ifndef WSCHANNEL_TEST_DBUS
	tcase_add_test(tc, daemon_checks_again);
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
	sr = srunner_create(http_raw_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
