/*
 * Integration suite: the HTTP REPLY side's edges (bindings.md, HTTP,
 * server): stalled requests, header limits, the properties of accepted
 * channels, listener close, UTF-16.  check_http.c has the rest; both
 * share tests/http_peer.c.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "check_http.h"



/* This suite's requests carry no MessageID. */
#undef ENV12_HEAD
#undef ENV12
#undef CT12
#define ENV12_HEAD "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" \
	"<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Ask</a:Action>" \
	"</s:Header><s:Body>"
#define ENV12(v) ENV12_HEAD "<value xmlns=\"urn:wschannel-test\">" v \
	"</value></s:Body></s:Envelope>"
#define CT12 "application/soap+xml; charset=utf-8; action=\"urn:wschannel-test/Ask\""

/* Reads the one response a stalled request gets, then the close. */
static int
stalled_status(int fd)
{
	char resp[4096];

	if (raw_read_http(fd, resp, sizeof(resp), T_MS) <= 0)
		return -1;
	if (harness_raw_wait_eof(fd, T_MS) != 0)
		return -2;
	return raw_status(resp);
}

/* ---- stalled requests ------------------------------------------------------ */

/*
 * A request that has begun and does not end within the listener's
 * CONNECT_TIMEOUT gets 408 and its connection closes; an idle connection
 * closes without a status; the rest are served meanwhile.
 */
START_TEST(stalled_requests_get_408)
{
	WS_LISTENER_PROPERTY lp;
	ULONG ms = 700;
	WS_LISTENER *l;
	struct srv s;
	uint16_t port;
	char resp[8192], req[512], buf[64];
	int idle, slow, trunc, kept, fd, n;

	lp.id = WS_LISTENER_PROPERTY_CONNECT_TIMEOUT;
	lp.value = &ms;
	lp.valueSize = sizeof(ms);
	HR_EQ(listener_open(&l, &port, "/svc", &lp, 1), S_OK);
	srv_start(&s, l, SRV_ECHO, 2);

	idle = harness_tcp_connect(port);
	ck_assert_int_ge(idle, 0);
	/* A slow sender: half a request line. */
	slow = harness_tcp_connect(port);
	ck_assert_int_ge(slow, 0);
	ck_assert_int_eq(harness_raw_write(slow, "POST /svc HT", 12), 0);
	/* A truncated body: 6 bytes of 400. */
	trunc = harness_tcp_connect(port);
	ck_assert_int_ge(trunc, 0);
	n = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: " CT12 "\r\nContent-Length: 400\r\n\r\n<s:Env");
	ck_assert_int_eq(harness_raw_write(trunc, req, (size_t)n), 0);
	/* A kept-alive connection: one request served, the next stalls. */
	kept = raw_post(port, "/svc", CT12, NULL, ENV12("1"), resp,
	    sizeof(resp));
	ck_assert_int_ge(kept, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	ck_assert_ptr_nonnull(strstr(resp, ">2</value>"));
	n = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: " CT12 "\r\nContent-Le");
	ck_assert_int_eq(harness_raw_write(kept, req, (size_t)n), 0);
	/* A whole request on a new connection, served meanwhile. */
	fd = raw_post(port, "/svc", CT12, NULL, ENV12("5"), resp,
	    sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	ck_assert_ptr_nonnull(strstr(resp, ">6</value>"));
	close(fd);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);

	ck_assert_int_eq(stalled_status(slow), 408);
	ck_assert_int_eq(stalled_status(trunc), 408);
	ck_assert_int_eq(stalled_status(kept), 408);
	/* Idle: evhttp's own timeout closes it, no status. */
	ck_assert_int_eq(harness_raw_read(idle, buf, sizeof(buf), T_MS), 0);
	close(idle);
	close(slow);
	close(trunc);
	close(kept);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	WsFreeListener(l);
}
END_TEST

/* ---- MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE ------------------------------------ */

static HRESULT
accept_bg(void *arg)
{
	void **a = arg;

	return WsAcceptChannel(a[0], a[1], NULL, NULL);
}

/*
 * Headers over the accepting channel's MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE
 * get 431 and the accept waits on for the next request; under the
 * default (65536) the same headers pass.
 */
START_TEST(headers_over_limit_431)
{
	WS_CHANNEL_PROPERTY cp;
	ULONG hmax = 2048;
	WS_LISTENER *l;
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	struct harness_bg *bg;
	struct srv s;
	void *args[2];
	uint16_t port;
	char resp[8192], pad[4000];
	int32_t v, w;
	int fd;
	HRESULT hr;

	memcpy(pad, "X-Pad: ", 7);
	memset(pad + 7, 'p', 3000);
	memcpy(pad + 3007, "\r\n", 3);
	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	cp.id = WS_CHANNEL_PROPERTY_MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE;
	cp.value = &hmax;
	cp.valueSize = sizeof(hmax);
	HR_EQ(WsCreateChannelForListener(l, &cp, 1, &sc, NULL), S_OK);
	args[0] = l;
	args[1] = sc;
	bg = harness_bg_start(accept_bg, args);
	ck_assert_ptr_nonnull(bg);
	fd = raw_post(port, "/svc", CT12, pad, ENV12("1"), resp, sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 431);
	ck_assert_int_eq(harness_raw_wait_eof(fd, T_MS), 0);
	close(fd);
	/* The accept took no channel for it; a small request it takes. */
	fd = raw_post(port, "/svc", CT12, "X-Pad: small\r\n", ENV12("7"),
	    NULL, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(new_msg(sc, &rq), S_OK);
	HR_EQ(new_msg(sc, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, &v, sizeof(v), NULL, NULL, NULL), S_OK);
	ck_assert_int_eq(v, 7);
	w = 8;
	HR_EQ(WsSendReplyMessage(sc, rp, &rep_desc, WS_WRITE_REQUIRED_VALUE, &w,
	    sizeof(w), rq, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 200);
	close(fd);
	HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(sc);

	/* The default channel takes the 3 KB header. */
	srv_start(&s, l, SRV_ECHO, 1);
	fd = raw_post(port, "/svc", CT12, pad, ENV12("1"), resp, sizeof(resp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	close(fd);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	WsFreeListener(l);
}
END_TEST

/* ---- REMOTE_IP_ADDRESS, HTTP_CONNECTION_ID ------------------------------------ */

/* Accepts the request `fd` sent on a new channel, reads the two
 * properties, answers v + 1 and checks the response came. */
static void
serve_one(WS_LISTENER *l, int fd, int32_t want, struct sockaddr_storage *ss,
    ULONGLONG *id)
{
	WS_CHANNEL *sc;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	char resp[8192];
	int32_t v, w;

	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &sc, NULL), S_OK);
	/* Nothing read yet: no remote address. */
	HR_EQ(WsGetChannelProperty(sc, WS_CHANNEL_PROPERTY_REMOTE_IP_ADDRESS,
	    ss, sizeof(*ss), NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsAcceptChannel(l, sc, NULL, NULL), S_OK);
	HR_EQ(new_msg(sc, &rq), S_OK);
	HR_EQ(new_msg(sc, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(sc, rq, req_descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, &v, sizeof(v), NULL, NULL, NULL), S_OK);
	ck_assert_int_eq(v, want);
	memset(ss, 0xee, sizeof(*ss));
	HR_EQ(WsGetChannelProperty(sc, WS_CHANNEL_PROPERTY_REMOTE_IP_ADDRESS,
	    ss, sizeof(*ss), NULL), S_OK);
	HR_EQ(WsGetChannelProperty(sc, WS_CHANNEL_PROPERTY_HTTP_CONNECTION_ID,
	    id, sizeof(*id), NULL), S_OK);
	/* Read only. */
	HR_EQ(WsSetChannelProperty(sc, WS_CHANNEL_PROPERTY_HTTP_CONNECTION_ID,
	    id, sizeof(*id), NULL), E_INVALIDARG);
	w = v + 1;
	HR_EQ(WsSendReplyMessage(sc, rp, &rep_desc, WS_WRITE_REQUIRED_VALUE, &w,
	    sizeof(w), rq, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(fd, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 200);
	HR_EQ(WsCloseChannel(sc, NULL, NULL), S_OK);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(sc);
}

/* Writes one whole request on `fd` (kept alive). */
static void
post_on(int fd, uint16_t port, const char *body)
{
	char req[2048];
	int n;

	n = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: "
	    "127.0.0.1:%u\r\nContent-Type: " CT12 "\r\nContent-Length: %zu"
	    "\r\n\r\n%s", (unsigned)port, strlen(body), body);
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)n), 0);
}

/*
 * An accepted channel reports its client's address and port, and the id
 * of the connection: the same for the requests of one kept-alive
 * connection, another for another connection.
 */
START_TEST(remote_address_and_connection_id)
{
	struct sockaddr_storage ss, mine;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t sl = sizeof(mine);
	WS_LISTENER *l;
	ULONGLONG id1, id2, id3;
	uint16_t port;
	int a, b;

	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	a = harness_tcp_connect(port);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(getsockname(a, (struct sockaddr *)&mine, &sl), 0);
	post_on(a, port, ENV12("1"));
	serve_one(l, a, 1, &ss, &id1);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_uint_eq(sin->sin_port,
	    ((struct sockaddr_in *)&mine)->sin_port);
	/* The same connection again. */
	post_on(a, port, ENV12("2"));
	serve_one(l, a, 2, &ss, &id2);
	ck_assert(id2 == id1);
	ck_assert_uint_eq(sin->sin_port,
	    ((struct sockaddr_in *)&mine)->sin_port);
	/* Another connection. */
	b = harness_tcp_connect(port);
	ck_assert_int_ge(b, 0);
	post_on(b, port, ENV12("3"));
	serve_one(l, b, 3, &ss, &id3);
	ck_assert(id3 != id1);
	ck_assert_uint_ne(sin->sin_port,
	    ((struct sockaddr_in *)&mine)->sin_port);
	close(a);
	close(b);
	WsFreeListener(l);
}
END_TEST

/* ---- listener close and abort ------------------------------------------------ */

/* The three kinds of connection a closing listener has. */
struct close_case {
	WS_LISTENER	*l;
	WS_CHANNEL	*sc;		/* accepted, request read, no reply */
	WS_MESSAGE	*rq, *rp;
	WS_HEAP		*heap;
	uint16_t	 port;
	int		 kept;		/* served, kept alive, idle */
	int		 half;		/* half a request */
	int		 held;		/* its request is the channel's */
};

static void
close_case_open(struct close_case *cc, ULONG close_ms)
{
	WS_LISTENER_PROPERTY lp;
	struct srv s;
	char resp[8192];
	int32_t v;

	memset(cc, 0, sizeof(*cc));
	lp.id = WS_LISTENER_PROPERTY_CLOSE_TIMEOUT;
	lp.value = &close_ms;
	lp.valueSize = sizeof(close_ms);
	HR_EQ(listener_open(&cc->l, &cc->port, "/svc", &lp, 1), S_OK);
	srv_start(&s, cc->l, SRV_ECHO, 1);
	cc->kept = raw_post(cc->port, "/svc", CT12, NULL, ENV12("1"), resp,
	    sizeof(resp));
	ck_assert_int_ge(cc->kept, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	cc->half = harness_tcp_connect(cc->port);
	ck_assert_int_ge(cc->half, 0);
	ck_assert_int_eq(harness_raw_write(cc->half, "POST /svc HTTP/1.1\r\n"
	    "Host: x\r\nContent-Le", 38), 0);
	HR_EQ(WsCreateChannelForListener(cc->l, NULL, 0, &cc->sc, NULL), S_OK);
	cc->held = raw_post(cc->port, "/svc", CT12, NULL, ENV12("4"), NULL, 0);
	ck_assert_int_ge(cc->held, 0);
	HR_EQ(WsAcceptChannel(cc->l, cc->sc, NULL, NULL), S_OK);
	HR_EQ(new_msg(cc->sc, &cc->rq), S_OK);
	HR_EQ(new_msg(cc->sc, &cc->rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &cc->heap, NULL), S_OK);
	HR_EQ(WsReceiveMessage(cc->sc, cc->rq, req_descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, cc->heap, &v,
	    sizeof(v), NULL, NULL, NULL), S_OK);
	ck_assert_int_eq(v, 4);
}

/* The channel answers after its listener is gone: the client gets the
 * response, told the connection closes after it. */
static void
close_case_finish(struct close_case *cc)
{
	char resp[8192];
	int32_t w = 5;

	HR_EQ(WsSendReplyMessage(cc->sc, cc->rp, &rep_desc,
	    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), cc->rq, NULL, NULL), S_OK);
	ck_assert_int_gt(raw_read_http(cc->held, resp, sizeof(resp), T_MS), 0);
	ck_assert_int_eq(raw_status(resp), 200);
	ck_assert_ptr_nonnull(strstr(resp, ">5</value>"));
	ck_assert_ptr_nonnull(strcasestr(resp, "Connection: close"));
	ck_assert_int_eq(harness_raw_wait_eof(cc->held, T_MS), 0);
	HR_EQ(WsCloseChannel(cc->sc, NULL, NULL), S_OK);
	WsFreeMessage(cc->rq);
	WsFreeMessage(cc->rp);
	WsFreeHeap(cc->heap);
	WsFreeChannel(cc->sc);
	close(cc->kept);
	close(cc->half);
	close(cc->held);
	WsFreeListener(cc->l);
}

/*
 * WsCloseListener: the idle kept-alive connection closes, a half-read
 * request gets 503 once CLOSE_TIMEOUT has passed (long before its
 * CONNECT_TIMEOUT, 60 s), and an accepted channel keeps its connection.
 */
START_TEST(listener_close_drains)
{
	struct close_case cc;
	char buf[256];

	close_case_open(&cc, 300);
	HR_EQ(WsCloseListener(cc.l, NULL, NULL), S_OK);
	ck_assert_int_eq(harness_raw_read(cc.kept, buf, sizeof(buf), T_MS), 0);
	ck_assert_int_eq(stalled_status(cc.half), 503);
	close_case_finish(&cc);
}
END_TEST

/* EOF or a reset, no byte before (not a timeout). */
static bool
closed_silently(int fd)
{
	char buf[256];
	ssize_t n = harness_raw_read(fd, buf, sizeof(buf), T_MS);

	return n == 0 || n == -ECONNRESET;
}

/* WsAbortListener: the same connections close at once, no status
 * written, even with a CLOSE_TIMEOUT of a minute; the accepted channel
 * still answers its client. */
START_TEST(listener_abort_closes_at_once)
{
	struct close_case cc;

	close_case_open(&cc, 60000);
	HR_EQ(WsAbortListener(cc.l, NULL), S_OK);
	ck_assert(closed_silently(cc.kept));
	ck_assert(closed_silently(cc.half));
	HR_EQ(WsCloseListener(cc.l, NULL, NULL), S_OK);
	close_case_finish(&cc);
}
END_TEST

/* ---- UTF-16 ------------------------------------------------------------------ */

static HRESULT
ask_bg(void *arg)
{
	void **a = arg;

	return ask(a[0], 9, a[1], NULL);
}

/* `text` (UTF-8) as UTF-16 in `to` ("UTF-16LE"...), into buf; its length. */
static size_t
conv(const char *from, const char *to, const void *text, size_t len,
    char *buf, size_t cap)
{
	iconv_t cd = iconv_open(to, from);
	char *ip = (char *)text, *op = buf;
	size_t il = len, ol = cap;

	ck_assert(cd != (iconv_t)-1);
	ck_assert(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	return cap - ol;
}

/* The body of an HTTP message in resp (whole, Content-Length known). */
static const char *
body_of(const char *resp, size_t got, size_t *len)
{
	const char *b = strstr(resp, "\r\n\r\n");

	ck_assert_ptr_nonnull(b);
	b += 4;
	*len = got - (size_t)(b - resp);
	return b;
}

/*
 * A raw client posts a UTF-16LE envelope (with its BOM, charset=utf-16):
 * the application reads it, and the response comes back in UTF-16LE
 * with a BOM and charset=utf-16.
 */
START_TEST(utf16_request_to_listener)
{
	WS_LISTENER *l;
	struct srv s;
	uint16_t port;
	char env16[4096], req[8192], resp[8192], back[4096];
	const char *b, *env = ENV12("41");
	size_t n, blen, k;
	ssize_t got;
	int fd, hl;

	env16[0] = (char)0xff;
	env16[1] = (char)0xfe;
	n = 2 + conv("UTF-8", "UTF-16LE", env, strlen(env), env16 + 2,
	    sizeof(env16) - 2);
	HR_EQ(listener_open(&l, &port, "/svc", NULL, 0), S_OK);
	srv_start(&s, l, SRV_ECHO, 1);
	fd = harness_tcp_connect(port);
	ck_assert_int_ge(fd, 0);
	hl = snprintf(req, sizeof(req), "POST /svc HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/soap+xml; charset=utf-16; "
	    "action=\"urn:wschannel-test/Ask\"\r\nContent-Length: %zu\r\n\r\n",
	    n);
	memcpy(req + hl, env16, n);
	ck_assert_int_eq(harness_raw_write(fd, req, (size_t)hl + n), 0);
	got = raw_read_http(fd, resp, sizeof(resp), T_MS);
	ck_assert_int_gt(got, 0);
	ck_assert_int_eq(raw_status(resp), 200);
	ck_assert_ptr_nonnull(strcasestr(resp, "charset=utf-16"));
	b = body_of(resp, (size_t)got, &blen);
	ck_assert_uint_gt(blen, 2);
	ck_assert_uint_eq((uint8_t)b[0], 0xff);
	ck_assert_uint_eq((uint8_t)b[1], 0xfe);
	k = conv("UTF-16LE", "UTF-8", b + 2, blen - 2, back, sizeof(back) - 1);
	back[k] = '\0';
	ck_assert_ptr_nonnull(strstr(back, ">42</value>"));
	close(fd);
	srv_join(&s);
	HR_EQ(s.hr, S_OK);
	WsFreeListener(l);
}
END_TEST

/*
 * A REQUEST channel with ENCODING UTF16BE against a raw server: the
 * request is UTF-16BE with its BOM and charset=utf-16; the server's
 * UTF-16LE answer (its BOM says so) is read.
 */
START_TEST(utf16_request_channel)
{
	WS_CHANNEL_PROPERTY cp;
	WS_ENCODING enc = WS_ENCODING_XML_UTF16BE;
	WS_CHANNEL *c;
	struct harness_bg *bg;
	uint16_t port;
	char resp[8192], back[4096], out[8192], env16[4096];
	const char *b, *env;
	size_t blen, k, n;
	ssize_t got;
	int lfd, fd, hl;
	int32_t answer = 0;
	void *args[3];
	HRESULT hr;

	lfd = harness_tcp_listener(&port, 4);
	ck_assert_int_ge(lfd, 0);
	cp.id = WS_CHANNEL_PROPERTY_ENCODING;
	cp.value = &enc;
	cp.valueSize = sizeof(enc);
	HR_EQ(request_channel(&c, port, "/svc", &cp, 1), S_OK);
	args[0] = c;
	args[1] = &answer;
	bg = harness_bg_start(ask_bg, args);
	ck_assert_ptr_nonnull(bg);
	fd = harness_raw_accept(lfd, T_MS);
	ck_assert_int_ge(fd, 0);
	got = raw_read_http(fd, resp, sizeof(resp), T_MS);
	ck_assert_int_gt(got, 0);
	ck_assert_ptr_nonnull(strcasestr(resp,
	    "Content-Type: application/soap+xml; charset=utf-16"));
	b = body_of(resp, (size_t)got, &blen);
	ck_assert_uint_gt(blen, 2);
	ck_assert_uint_eq((uint8_t)b[0], 0xfe);
	ck_assert_uint_eq((uint8_t)b[1], 0xff);
	k = conv("UTF-16BE", "UTF-8", b + 2, blen - 2, back, sizeof(back) - 1);
	back[k] = '\0';
	ck_assert_ptr_nonnull(strstr(back, ">9</value>"));
	/* The answer, in the other byte order. */
	env = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
	    " xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>"
	    "<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Answer"
	    "</a:Action></s:Header><s:Body><value xmlns=\"urn:wschannel-test\">"
	    "10</value></s:Body></s:Envelope>";
	env16[0] = (char)0xff;
	env16[1] = (char)0xfe;
	n = 2 + conv("UTF-8", "UTF-16LE", env, strlen(env), env16 + 2,
	    sizeof(env16) - 2);
	hl = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/soap+xml; charset=utf-16\r\nContent-Length: %zu\r\n"
	    "\r\n", n);
	memcpy(out + hl, env16, n);
	ck_assert_int_eq(harness_raw_write(fd, out, (size_t)hl + n), 0);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	ck_assert_int_eq(answer, 10);
	close(fd);
	close(lfd);
	WsFreeChannel(c);
}
END_TEST

static Suite *
http_server_suite(void)
{
	Suite *s = suite_create("http_server");
	TCase *tc = tcase_create("http_server");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stalled_requests_get_408);
	tcase_add_test(tc, headers_over_limit_431);
	tcase_add_test(tc, remote_address_and_connection_id);
	tcase_add_test(tc, listener_close_drains);
	tcase_add_test(tc, listener_abort_closes_at_once);
	tcase_add_test(tc, utf16_request_to_listener);
	tcase_add_test(tc, utf16_request_channel);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_server_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
