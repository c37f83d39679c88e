/*
 * What the HTTP suites share (check_http, check_http_server): the int
 * messages they exchange, listeners and REQUEST channels on loopback, a
 * REPLY server thread through the daemon, and raw HTTP peers.
 */
#include "config.h"

#include <sys/socket.h>
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "check_http.h"

/* ---- messages ------------------------------------------------------------ */

WS_XML_STRING v_elem = XSTR("value");
WS_XML_STRING v_ns = XSTR("urn:wschannel-test");
WS_XML_STRING v_req_action = XSTR("urn:wschannel-test/Ask");
WS_XML_STRING v_rep_action = XSTR("urn:wschannel-test/Answer");
WS_ELEMENT_DESCRIPTION v_int = { &v_elem, &v_ns, WS_INT32_TYPE, NULL };
WS_MESSAGE_DESCRIPTION req_desc = { &v_req_action, &v_int };
WS_MESSAGE_DESCRIPTION rep_desc = { &v_rep_action, &v_int };
const WS_MESSAGE_DESCRIPTION *req_descs[1] = { &req_desc };
const WS_MESSAGE_DESCRIPTION *rep_descs[1] = { &rep_desc };

/* Every string of an error, joined, as ASCII. */
void
error_text(WS_ERROR *error, char *buf, size_t len)
{
	ULONG count = 0, i, k;
	WS_STRING s;
	size_t o = 0;

	buf[0] = '\0';
	if (FAILED(WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT,
	    &count, sizeof(count))))
		return;
	for (i = 0; i < count; i++) {
		memset(&s, 0, sizeof(s));
		if (FAILED(WsGetErrorString(error, i, &s)))
			continue;
		for (k = 0; k < s.length && o + 2 < len; k++)
			buf[o++] = s.chars[k] < 0x80 ? (char)s.chars[k] : '?';
		if (o + 2 < len)
			buf[o++] = '|';
		buf[o] = '\0';
	}
}

HRESULT
new_msg(WS_CHANNEL *ch, WS_MESSAGE **m)
{
	return WsCreateMessageForChannel(ch, NULL, 0, m, NULL);
}

void
free_server_side(WS_CHANNEL *ch, WS_MESSAGE *rq, WS_MESSAGE *rp, WS_HEAP *heap)
{
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (ch != NULL)
		WsFreeChannel(ch);
}

/* WsRequestReply of `v`; the answer in *out. */
HRESULT
ask(WS_CHANNEL *ch, int32_t v, int32_t *out, WS_ERROR *error)
{
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	HRESULT hr;

	if ((hr = new_msg(ch, &rq)) != S_OK || (hr = new_msg(ch, &rp)) != S_OK ||
	    (hr = WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)) != S_OK)
		goto out;
	hr = WsRequestReply(ch, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, out,
	    sizeof(*out), NULL, error);
out:
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	return hr;
}

HRESULT
send_int(WS_CHANNEL *ch, int32_t v, const WS_ASYNC_CONTEXT *ctx)
{
	static WS_MESSAGE *m;	/* lives until the process ends */
	HRESULT hr;

	if (m != NULL)
		WsResetMessage(m, NULL);
	else if ((hr = new_msg(ch, &m)) != S_OK)
		return hr;
	return WsSendMessage(ch, m, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), ctx, NULL);
}

HRESULT
receive_reply(WS_CHANNEL *ch, int32_t *out, WS_ERROR *error)
{
	WS_MESSAGE *m = NULL;
	WS_HEAP *heap = NULL;
	HRESULT hr;

	if ((hr = new_msg(ch, &m)) != S_OK ||
	    (hr = WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)) != S_OK)
		goto out;
	hr = WsReceiveMessage(ch, m, rep_descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, out, sizeof(*out), NULL, NULL, error);
out:
	if (m != NULL)
		WsFreeMessage(m);
	if (heap != NULL)
		WsFreeHeap(heap);
	return hr;
}

/* ---- channels and listeners ------------------------------------------------ */

HRESULT
listener_open(WS_LISTENER **l, uint16_t *port, const char *path,
    const WS_LISTENER_PROPERTY *props, ULONG n)
{
	char url[128];
	WS_STRING s;
	HRESULT hr = E_FAIL;
	int i;

	if ((hr = WsCreateListener(WS_CHANNEL_TYPE_REPLY,
	    WS_HTTP_CHANNEL_BINDING, props, n, NULL, l, NULL)) != S_OK)
		return hr;
	for (i = 0; i < 5; i++) {
		if (harness_free_port(port) != 0)
			continue;
		snprintf(url, sizeof(url), "http://127.0.0.1:%u%s",
		    (unsigned)*port, path);
		s = harness_ws_string(url);
		hr = WsOpenListener(*l, &s, NULL, NULL);
		free(s.chars);
		if (hr != WS_E_ADDRESS_IN_USE)
			break;
		WsResetListener(*l, NULL);
	}
	return hr;
}

HRESULT
request_channel(WS_CHANNEL **ch, uint16_t port, const char *path,
    const WS_CHANNEL_PROPERTY *props, ULONG n)
{
	char url[128];
	HRESULT hr;

	if ((hr = WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
	    WS_HTTP_CHANNEL_BINDING, props, n, NULL, ch, NULL)) != S_OK)
		return hr;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port,
	    path);
	return harness_open_url(*ch, url, NULL, NULL);
}

/* ---- a server thread through the daemon -------------------------------------- */

static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	WS_ERROR *ferr = NULL;
	WS_STRING reason = harness_ws_string("no such operation here");
	int32_t v, w;
	HRESULT hr = S_OK;
	int i;

	for (i = 0; i < s->count && hr == S_OK; i++) {
		if ((hr = WsCreateChannelForListener(s->l, NULL, 0, &ch,
		    NULL)) != S_OK ||
		    (hr = WsAcceptChannel(s->l, ch, NULL, NULL)) != S_OK ||
		    (hr = new_msg(ch, &rq)) != S_OK ||
		    (hr = new_msg(ch, &rp)) != S_OK ||
		    (hr = WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)) != S_OK)
			break;
		hr = WsReceiveMessage(ch, rq, req_descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap,
		    &v, sizeof(v), NULL, NULL, NULL);
		if (hr != S_OK)
			break;
		s->last = v;
		w = v + 1;
		if (s->mode == SRV_ECHO)
			hr = WsSendReplyMessage(ch, rp, &rep_desc,
			    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), rq, NULL,
			    NULL);
		else if (s->mode == SRV_FAULT) {
			if ((hr = WsCreateError(NULL, 0, &ferr)) == S_OK &&
			    (hr = WsAddErrorString(ferr, &reason)) == S_OK)
				hr = WsSendFaultMessageForError(ch, rp, ferr,
				    E_FAIL, WS_FULL_FAULT_DISCLOSURE, rq, NULL,
				    NULL);
			if (ferr != NULL)
				WsFreeError(ferr);
			ferr = NULL;
		}
		if (hr == S_OK)
			hr = WsCloseChannel(ch, NULL, NULL);
		if (hr == S_OK)
			s->served++;
		WsFreeMessage(rq);
		WsFreeMessage(rp);
		WsFreeHeap(heap);
		WsFreeChannel(ch);
		rq = rp = NULL;
		heap = NULL;
		ch = NULL;
	}
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (ch != NULL)
		WsFreeChannel(ch);
	free(reason.chars);
	s->hr = hr;
	return NULL;
}

void
srv_start(struct srv *s, WS_LISTENER *l, enum srv_mode mode, int count)
{
	memset(s, 0, sizeof(*s));
	s->l = l;
	s->mode = mode;
	s->count = count;
	ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

void
srv_join(struct srv *s)
{
	ck_assert_int_eq(pthread_join(s->th, NULL), 0);
}

/* ---- raw HTTP peers ------------------------------------------------------------ */

/* Reads one HTTP message whose end is known by Content-Length (or by
 * EOF); returns its length in buf, NUL-terminated, or -errno. */
ssize_t
raw_read_http(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t got = 0;
	ssize_t n;
	char *end, *cl;
	size_t want = (size_t)-1;

	while (got + 1 < len) {
		n = harness_raw_read(fd, buf + got, len - 1 - got, timeout_ms);
		if (n == 0)
			break;
		if (n < 0)
			return got > 0 ? (ssize_t)got : n;
		got += (size_t)n;
		buf[got] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			cl = strcasestr(buf, "Content-Length:");
			if (cl != NULL && cl < end)
				want = (size_t)(end + 4 - buf) +
				    strtoul(cl + 15, NULL, 10);
			if (want != (size_t)-1 && got >= want)
				break;
		}
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

int
raw_status(const char *resp)
{
	int code = 0;

	if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
		return 0;
	return code;
}

/* A POST to the daemon's listener, by hand. */
int
raw_post(uint16_t port, const char *path, const char *ctype,
    const char *extra, const char *body, char *resp, size_t rlen)
{
	char req[8192];
	int fd, n;

	if ((fd = harness_tcp_connect(port)) < 0)
		return fd;
	n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%u"
	    "\r\nContent-Type: %s\r\n%sContent-Length: %zu\r\n\r\n%s", path,
	    (unsigned)port, ctype, extra != NULL ? extra : "", strlen(body),
	    body);
	if (harness_raw_write(fd, req, (size_t)n) != 0) {
		close(fd);
		return -EIO;
	}
	if (resp != NULL && raw_read_http(fd, resp, rlen, T_MS) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}
