/*
 * Streamed transfer over HTTP (WS_CHANNEL_PROPERTY_TRANSFER_MODE): a
 * REPLY channel in WS_STREAMED_OUTPUT_TRANSFER_MODE sends its response
 * with chunked transfer encoding as WsFlushBody hands pieces over (a bare
 * socket sees the first piece before the server writes the next), and a
 * channel in WS_STREAMED_INPUT_TRANSFER_MODE reads a body larger than
 * MAX_BUFFERED_MESSAGE_SIZE with WsFillBody and WsReadBody, element by
 * element, where a buffered one gets WS_E_QUOTA_EXCEEDED.
 */
#include "config.h"

#include <sys/socket.h>
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "harness.h"
#include "check_http.h"

/* <text xmlns="urn:wschannel-test">...</text>, many of them. */
static WS_XML_STRING t_elem = XSTR("text");
static WS_XML_STRING t_ns = XSTR("urn:wschannel-test");
static WS_ELEMENT_DESCRIPTION t_desc = { &t_elem, &t_ns, WS_XML_STRING_TYPE,
    NULL };

#define TEXT_LEN	1000
#define TEXT_COUNT	200	/* 200 kB: three times MAX_BUFFERED's default */

static WS_TRANSFER_MODE mode_out = WS_STREAMED_OUTPUT_TRANSFER_MODE;
static WS_TRANSFER_MODE mode_in = WS_STREAMED_INPUT_TRANSFER_MODE;
static WS_TRANSFER_MODE mode_both = WS_STREAMED_TRANSFER_MODE;
static WS_CHANNEL_PROPERTY p_out[] = {
	{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &mode_out, sizeof(mode_out) },
};
static WS_CHANNEL_PROPERTY p_in[] = {
	{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &mode_in, sizeof(mode_in) },
};
static WS_CHANNEL_PROPERTY p_both[] = {
	{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &mode_both, sizeof(mode_both) },
};

/* The i-th text: its number, then letters up to TEXT_LEN. */
static void
text_fill(char *buf, int i)
{
	int n = snprintf(buf, TEXT_LEN + 1, "%05d:", i);

	memset(buf + n, 'a' + i % 26, TEXT_LEN - (size_t)n);
	buf[TEXT_LEN] = '\0';
}

static HRESULT
write_text(WS_MESSAGE *m, int i)
{
	char buf[TEXT_LEN + 1];
	WS_XML_STRING s;

	text_fill(buf, i);
	memset(&s, 0, sizeof(s));
	s.length = TEXT_LEN;
	s.bytes = (BYTE *)buf;
	return WsWriteBody(m, &t_desc, WS_WRITE_REQUIRED_VALUE, &s, sizeof(s),
	    NULL);
}

/* Reads `count` texts with WsFillBody and WsReadBody, each checked;
 * returns how many were right. */
static int
read_texts(WS_MESSAGE *m, int count, WS_HEAP *heap, HRESULT *hr)
{
	char want[TEXT_LEN + 1];
	WS_XML_STRING s;
	int i;

	for (i = 0; i < count; i++) {
		if ((*hr = WsFillBody(m, TEXT_LEN, NULL, NULL)) != S_OK ||
		    (*hr = WsReadBody(m, &t_desc, WS_READ_REQUIRED_VALUE, heap,
		    &s, sizeof(s), NULL)) != S_OK)
			return i;
		text_fill(want, i);
		if (s.length != TEXT_LEN || memcmp(s.bytes, want, TEXT_LEN) != 0)
			return i;
		WsResetHeap(heap, NULL);
	}
	*hr = S_OK;
	return i;
}

/* ---- a streaming server --------------------------------------------------- */

struct ssrv {
	WS_LISTENER		*l;
	const WS_CHANNEL_PROPERTY *props;
	int			 count;		/* texts in the response */
	int			 go;		/* read end: wait after piece 1 */
	HRESULT			 hr;
	int			 step;
	pthread_t		 th;
};

#define SSRV_STEP(s, e) do {						\
	(s)->step = __LINE__;						\
	if (((s)->hr = (e)) != S_OK)					\
		goto out;						\
} while (0)

/* Waits (bounded) for the test's go-ahead on a pipe. */
static HRESULT
ssrv_wait(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	if (fd < 0)
		return S_OK;
	if (poll(&p, 1, T_MS) != 1 || read(fd, &c, 1) != 1)
		return WS_E_OPERATION_TIMED_OUT;
	return S_OK;
}

/* Accepts one request and answers with `count` texts, one piece per
 * WsFlushBody. */
static void *
ssrv_main(void *arg)
{
	struct ssrv *s = arg;
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	int32_t v = 0;
	int i;

	SSRV_STEP(s, WsCreateChannelForListener(s->l, s->props, 1, &ch,
	    NULL));
	SSRV_STEP(s, WsAcceptChannel(s->l, ch, NULL, NULL));
	SSRV_STEP(s, new_msg(ch, &rq));
	SSRV_STEP(s, new_msg(ch, &rp));
	SSRV_STEP(s, WsCreateHeap(65536, 0, NULL, 0, &heap, NULL));
	SSRV_STEP(s, WsReceiveMessage(ch, rq, req_descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL, NULL));
	SSRV_STEP(s, WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL));
	SSRV_STEP(s, WsWriteMessageStart(ch, rp, NULL, NULL));
	for (i = 0; i < s->count; i++) {
		SSRV_STEP(s, write_text(rp, i));
		SSRV_STEP(s, WsFlushBody(rp, 0, NULL, NULL));
		if (i == 0)
			SSRV_STEP(s, ssrv_wait(s->go));
	}
	SSRV_STEP(s, WsWriteMessageEnd(ch, rp, NULL, NULL));
	SSRV_STEP(s, WsCloseChannel(ch, NULL, NULL));
	s->step = 0;
out:
	free_server_side(ch, rq, rp, heap);
	return NULL;
}

/* Reads from fd until `want` appears in buf (NUL-terminated). */
static bool
read_until(int fd, char *buf, size_t len, size_t *got, const char *want)
{
	ssize_t n;

	while (strstr(buf, want) == NULL) {
		if (*got + 1 >= len)
			return false;
		n = harness_raw_read(fd, buf + *got, len - 1 - *got, T_MS);
		if (n <= 0)
			return false;
		*got += (size_t)n;
		buf[*got] = '\0';
	}
	return true;
}

/* The body of a chunked message, joined (in place); -1 if malformed. */
static ssize_t
dechunk(char *p, size_t len, char *out)
{
	char *end = p + len, *e;
	size_t o = 0, n;

	for (;;) {
		n = strtoul(p, &e, 16);
		if (e == p || e + 2 > end || e[0] != '\r' || e[1] != '\n')
			return -1;
		p = e + 2;
		if (n == 0)
			return (ssize_t)o;
		if (p + n + 2 > end)
			return -1;
		memcpy(out + o, p, n);
		o += n;
		p += n + 2;
	}
}

/*
 * A bare socket asks; the response's head and first piece arrive while
 * the server waits for our go-ahead, before it writes the second text:
 * the body really goes out piece by piece, chunked.
 */
START_TEST(reply_streams_chunks)
{
	struct ssrv s;
	char *buf, *body, *head_end, *joined;
	size_t got = 0, len = 1 << 16;
	ssize_t n;
	uint16_t port;
	int fd, go[2];

	memset(&s, 0, sizeof(s));
	s.props = p_out;
	s.count = 3;
	ck_assert_int_eq(pipe(go), 0);
	s.go = go[0];
	HR_EQ(listener_open(&s.l, &port, "/s", NULL, 0), S_OK);
	ck_assert_int_eq(pthread_create(&s.th, NULL, ssrv_main, &s), 0);
	ck_assert_int_ge(fd = raw_post(port, "/s", CT12, NULL, ENV12("1"),
	    NULL, 0), 0);
	ck_assert_ptr_nonnull(buf = calloc(1, len));
	ck_assert_msg(read_until(fd, buf, len, &got, "00000:"), "%s", buf);
	ck_assert_int_eq(raw_status(buf), 200);
	head_end = strstr(buf, "\r\n\r\n");
	ck_assert_ptr_nonnull(head_end);
	ck_assert_msg(strcasestr(buf, "Transfer-Encoding: chunked") != NULL &&
	    strcasestr(buf, "Content-Length") == NULL, "%s", buf);
	/* The server has not written the second text yet. */
	ck_assert_msg(strstr(buf, "00001:") == NULL, "%s", buf);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_msg(read_until(fd, buf, len, &got, "\r\n0\r\n\r\n"), "%s",
	    buf);
	head_end = strstr(buf, "\r\n\r\n");
	body = head_end + 4;
	ck_assert_ptr_nonnull(joined = calloc(1, len));
	n = dechunk(body, got - (size_t)(body - buf), joined);
	ck_assert_int_gt(n, 0);
	/* One envelope, the three texts in order inside its Body. */
	ck_assert_msg(strncmp(joined, "<s:Envelope", 11) == 0 &&
	    strstr(joined, "</s:Body></s:Envelope>") != NULL, "%s", joined);
	ck_assert_msg(strstr(joined, "00000:") < strstr(joined, "00001:") &&
	    strstr(joined, "00001:") < strstr(joined, "00002:") &&
	    strstr(joined, "00002:") < strstr(joined, "</s:Body>"), "%s",
	    joined);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(s.hr == S_OK, "server: %s at line %d",
	    harness_hr_name(s.hr), s.step);
	close(fd);
	close(go[0]);
	close(go[1]);
	free(buf);
	free(joined);
	WsFreeListener(s.l);
}
END_TEST

/* Our REQUEST channel reads the streamed response (200 kB) text by text
 * with streamed input; a buffered one is refused it. */
static void
client_reads(const WS_CHANNEL_PROPERTY *props, HRESULT want)
{
	struct ssrv s;
	WS_CHANNEL *c;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	int32_t v = 1;
	uint16_t port;
	HRESULT hr = E_FAIL;
	int read;

	memset(&s, 0, sizeof(s));
	s.props = p_out;
	s.count = TEXT_COUNT;
	s.go = -1;
	HR_EQ(listener_open(&s.l, &port, "/s", NULL, 0), S_OK);
	ck_assert_int_eq(pthread_create(&s.th, NULL, ssrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/s", props, props != NULL ? 1 : 0),
	    S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsSendMessage(c, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL, NULL), S_OK);
	HR_EQ(WsReadMessageStart(c, rp, NULL, NULL), want);
	if (want == S_OK) {
		read = read_texts(rp, TEXT_COUNT, heap, &hr);
		HR_EQ(hr, S_OK);
		ck_assert_int_eq(read, TEXT_COUNT);
		HR_EQ(WsReadMessageEnd(c, rp, NULL, NULL), S_OK);
		STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	} else
		STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	/* The server finished writing either way. */
	ck_assert_msg(s.hr == S_OK || want != S_OK, "server: %s at line %d",
	    harness_hr_name(s.hr), s.step);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	WsFreeListener(s.l);
}

START_TEST(client_streamed_input_reads_large_body)
{
	client_reads(p_in, S_OK);
}
END_TEST

/* The daemon may refuse the response before the read asks or after: the
 * read is told either way (fail_response below forces each order). */
START_TEST(client_buffered_refuses_large_body)
{
	client_reads(NULL, WS_E_QUOTA_EXCEEDED);
}
END_TEST

/* ---- a response that fails before, or after, the read asks ----------------- */

/*
 * The daemon reads an HTTP response as it arrives, but on Windows only
 * the receive reads it: the read gets the response's failure whether the
 * response came first or the read did, the channel faults then, and the
 * channel is OPEN until then.  A bare socket serves, so that the test
 * knows what the daemon has seen: it refuses a response by ending the
 * connection, which the socket sees.
 */
enum fail_kind {
	FAIL_TOO_LONG,		/* Content-Length past MAX_BUFFERED_MESSAGE_SIZE */
	FAIL_CUT,		/* the connection ends inside the body */
	FAIL_CHUNKS,		/* chunked, past the bound, once the read waits */
	FAIL_STREAM_CUT,	/* chunked, one chunk, then the end */
	FAIL_STREAM_MID,	/* the envelope's start, the end once read */
};

/* What the test does once the response failed (FAIL_CHUNKS: reads). */
enum fail_then {
	THEN_READ,		/* WsReadMessageStart */
	THEN_RECEIVE,		/* WsReceiveMessage */
	THEN_ABORT,		/* WsAbortChannel, then a read */
	THEN_CLOSE,		/* WsCloseChannel */
	THEN_SEND,		/* a new request, answered */
	THEN_FILL,		/* FAIL_STREAM_MID: WsFillBody */
};

struct fsrv {
	int		 lfd;
	enum fail_kind	 kind;
	int		 go;		/* FAIL_CHUNKS: the send completed;
					 * FAIL_STREAM_MID: the start read */
	int		 answer;	/* then serve one more request */
	int		 seen;		/* written to once the daemon refused */
	int		 rc;		/* 0, or the line that failed */
	pthread_t	 th;
};

#define FSRV_HEAD "HTTP/1.1 200 OK\r\n"					\
	"Content-Type: application/soap+xml; charset=utf-8\r\n"
#define FSRV_ANSWER "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>"	\
	"<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Answer</a:Action>" \
	"</s:Header><s:Body><value xmlns=\"urn:wschannel-test\">5</value>" \
	"</s:Body></s:Envelope>"

#define FSRV_MID ENV12_HEAD "<text xmlns=\"urn:wschannel-test\">00000:"

#define FSRV_CHECK(s, e) do {						\
	if (!(e)) {							\
		(s)->rc = __LINE__;					\
		goto out;						\
	}								\
} while (0)

/* Waits (bounded) until the daemon's one channel has an operation
 * pending: the read the test made after its send completed. */
static bool
fsrv_read_pending(void)
{
	struct harness_channel_row row;
	int i;

	for (i = 0; i < 200; i++) {
		if (harness_list_channels(&row, 1) == 1 && row.pending > 0)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Writes a body of `len` bytes, in chunks or not; the daemon may end
 * the connection on the way (the write then fails: fine). */
static void
fsrv_body(int fd, size_t len, bool chunked)
{
	char piece[1024];
	size_t n;
	int h;

	memset(piece, 'x', sizeof(piece));
	while (len > 0) {
		n = len < 1000 ? len : 1000;
		if (chunked) {
			h = snprintf(piece, sizeof(piece), "%zx\r\n", n);
			memset(piece + h, 'x', n);
			memcpy(piece + h + n, "\r\n", 2);
			if (harness_raw_write(fd, piece, (size_t)h + n + 2) != 0)
				return;
		} else if (harness_raw_write(fd, piece, n) != 0)
			return;
		len -= n;
	}
}

static void *
fsrv_main(void *arg)
{
	struct fsrv *s = arg;
	char buf[8192], head[256];
	int fd = -1;

	FSRV_CHECK(s, (fd = harness_raw_accept(s->lfd, T_MS)) >= 0);
	FSRV_CHECK(s, raw_read_http(fd, buf, sizeof(buf), T_MS) > 0);
	switch (s->kind) {
	case FAIL_TOO_LONG:
		snprintf(head, sizeof(head), FSRV_HEAD
		    "Content-Length: %d\r\n\r\n", TEXT_LEN * TEXT_COUNT);
		FSRV_CHECK(s, harness_raw_write(fd, head, strlen(head)) == 0);
		fsrv_body(fd, TEXT_LEN * TEXT_COUNT, false);
		break;
	case FAIL_CUT:
		snprintf(head, sizeof(head), FSRV_HEAD
		    "Content-Length: 1000\r\n\r\n");
		FSRV_CHECK(s, harness_raw_write(fd, head, strlen(head)) == 0);
		fsrv_body(fd, 10, false);
		FSRV_CHECK(s, shutdown(fd, SHUT_WR) == 0);
		break;
	case FAIL_CHUNKS:
	case FAIL_STREAM_CUT:
	case FAIL_STREAM_MID:
		snprintf(head, sizeof(head), FSRV_HEAD
		    "Transfer-Encoding: chunked\r\n\r\n");
		FSRV_CHECK(s, harness_raw_write(fd, head, strlen(head)) == 0);
		if (s->kind == FAIL_STREAM_MID) {
			/* Past <s:Body>, then the end once the start was
			 * read. */
			snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n",
			    strlen(FSRV_MID), FSRV_MID);
			FSRV_CHECK(s, harness_raw_write(fd, buf,
			    strlen(buf)) == 0);
			FSRV_CHECK(s, ssrv_wait(s->go) == S_OK);
			FSRV_CHECK(s, shutdown(fd, SHUT_WR) == 0);
			break;
		}
		if (s->kind == FAIL_STREAM_CUT) {
			fsrv_body(fd, 100, true);
			FSRV_CHECK(s, shutdown(fd, SHUT_WR) == 0);
			break;
		}
		/* The body only once the read waits in the daemon. */
		FSRV_CHECK(s, ssrv_wait(s->go) == S_OK);
		FSRV_CHECK(s, fsrv_read_pending());
		fsrv_body(fd, TEXT_LEN * TEXT_COUNT, true);
		break;
	}
	/* The daemon ends the connection when it refuses the response (or
	 * sees it end): only then does the test go on. */
	FSRV_CHECK(s, harness_raw_wait_eof(fd, T_MS) == 0);
	close(fd);
	fd = -1;
	FSRV_CHECK(s, write(s->seen, "s", 1) == 1);
	if (s->answer) {
		/* The next request comes on a new connection. */
		FSRV_CHECK(s, (fd = harness_raw_accept(s->lfd, T_MS)) >= 0);
		FSRV_CHECK(s, raw_read_http(fd, buf, sizeof(buf), T_MS) > 0);
		snprintf(head, sizeof(head), FSRV_HEAD
		    "Content-Length: %zu\r\n\r\n", strlen(FSRV_ANSWER));
		FSRV_CHECK(s, harness_raw_write(fd, head, strlen(head)) == 0);
		FSRV_CHECK(s, harness_raw_write(fd, FSRV_ANSWER,
		    strlen(FSRV_ANSWER)) == 0);
	}
	s->rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * Sends one request to a bare server that fails its response `kind`
 * way, then `then`.  The read gets `want`, with `reason` in its error.
 */
static void
fail_response(const WS_CHANNEL_PROPERTY *props, enum fail_kind kind,
    enum fail_then then, HRESULT want, const char *reason)
{
	struct fsrv s;
	WS_CHANNEL *c;
	WS_MESSAGE *rp, *rp2;
	WS_ERROR *err;
	char text[1024];
	int32_t out = 0;
	uint16_t port;
	int go[2], seen[2];

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.go = -1;
	s.answer = then == THEN_SEND;
	ck_assert_int_ge(s.lfd = harness_tcp_listener(&port, 4), 0);
	ck_assert_int_eq(pipe(seen), 0);
	s.seen = seen[1];
	if (kind == FAIL_CHUNKS || kind == FAIL_STREAM_MID) {
		ck_assert_int_eq(pipe(go), 0);
		s.go = go[0];
	}
	ck_assert_int_eq(pthread_create(&s.th, NULL, fsrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/f", props, props != NULL ? 1 : 0),
	    S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(new_msg(c, &rp2), S_OK);
	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	/* The status line and headers complete the send. */
	HR_EQ(send_int(c, 1, NULL), S_OK);
	if (kind == FAIL_CHUNKS) {
		ck_assert_int_eq(write(go[1], "g", 1), 1);
		/* Waits while the server sends the body. */
		HR_EQ(WsReadMessageStart(c, rp, NULL, err), want);
		goto told;
	}
	if (kind == FAIL_STREAM_MID) {
		/* The start is read; the rest of the body fails before the
		 * next read asks for it. */
		HR_EQ(WsReadMessageStart(c, rp, NULL, NULL), S_OK);
		ck_assert_int_eq(write(go[1], "g", 1), 1);
	}
	/* The daemon has refused the response; no read has asked yet. */
	ck_assert_msg(ssrv_wait(seen[0]) == S_OK, "server failed at line %d",
	    s.rc);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	switch (then) {
	case THEN_READ:
		HR_EQ(WsReadMessageStart(c, rp, NULL, err), want);
		break;
	case THEN_RECEIVE:
		HR_EQ(receive_reply(c, &out, err), want);
		break;
	case THEN_FILL:
		HR_EQ(WsFillBody(rp, TEXT_LEN, NULL, err), want);
		break;
	case THEN_ABORT:
		HR_EQ(WsAbortChannel(c, NULL), S_OK);
		STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
		/* The response's failure went with the abort. */
		HR_EQ(WsReadMessageStart(c, rp, NULL, NULL),
		    WS_E_OBJECT_FAULTED);
		goto done;
	case THEN_CLOSE:
		HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
		STATE_EQ(c, WS_CHANNEL_STATE_CLOSED);
		goto done;
	case THEN_SEND:
		/* A failed response nobody read is dropped like an unread
		 * one: the next exchange works. */
		HR_EQ(send_int(c, 2, NULL), S_OK);
		HR_EQ(receive_reply(c, &out, NULL), S_OK);
		ck_assert_int_eq(out, 5);
		STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
		goto done;
	}
told:
	error_text(err, text, sizeof(text));
	ck_assert_msg(strstr(text, reason) != NULL, "%s", text);
	/* Told once: the channel is FAULTED from then on. */
	STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsReadMessageStart(c, rp2, NULL, NULL), WS_E_OBJECT_FAULTED);
	HR_EQ(receive_reply(c, &out, NULL), WS_E_OBJECT_FAULTED);
done:
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(s.rc == 0, "server failed at line %d", s.rc);
	if (kind == FAIL_CHUNKS || kind == FAIL_STREAM_MID) {
		close(go[0]);
		close(go[1]);
	}
	close(seen[0]);
	close(seen[1]);
	WsFreeError(err);
	WsFreeMessage(rp);
	WsFreeMessage(rp2);
	WsFreeChannel(c);
	close(s.lfd);
}

/* The response is refused before the read asks: the read is told. */
START_TEST(failed_response_first_told_to_read)
{
	fail_response(NULL, FAIL_TOO_LONG, THEN_READ, WS_E_QUOTA_EXCEEDED,
	    "MAX_BUFFERED_MESSAGE_SIZE");
}
END_TEST

/* The read waits first, then the response grows past the bound. */
START_TEST(failed_response_after_read_told)
{
	fail_response(NULL, FAIL_CHUNKS, THEN_READ, WS_E_QUOTA_EXCEEDED,
	    "MAX_BUFFERED_MESSAGE_SIZE");
}
END_TEST

START_TEST(failed_response_first_told_to_receive)
{
	fail_response(NULL, FAIL_TOO_LONG, THEN_RECEIVE, WS_E_QUOTA_EXCEEDED,
	    "MAX_BUFFERED_MESSAGE_SIZE");
}
END_TEST

/* A body cut short before anyone reads: the read gets why. */
START_TEST(cut_response_first_told_to_read)
{
	fail_response(NULL, FAIL_CUT, THEN_READ, WS_E_ENDPOINT_DISCONNECTED,
	    "ended before the response");
}
END_TEST

/* The same on a streamed-input channel, before its read start. */
START_TEST(cut_stream_first_told_to_read)
{
	fail_response(p_in, FAIL_STREAM_CUT, THEN_READ,
	    WS_E_ENDPOINT_DISCONNECTED, "ended before the response");
}
END_TEST

/* A streamed body cut after its start was read: the next read of more
 * of it is told. */
START_TEST(cut_stream_told_to_fill)
{
	/* Over D-Bus a read start takes the whole body: no piece is read
	 * before the cut. */
	if (harness_dbus())
		return;
	fail_response(p_in, FAIL_STREAM_MID, THEN_FILL,
	    WS_E_ENDPOINT_DISCONNECTED, "ended before the response");
}
END_TEST

/* An abort or a close in between drops the kept failure. */
START_TEST(failed_response_then_abort)
{
	fail_response(NULL, FAIL_TOO_LONG, THEN_ABORT, S_OK, "");
}
END_TEST

START_TEST(failed_response_then_close)
{
	fail_response(NULL, FAIL_TOO_LONG, THEN_CLOSE, S_OK, "");
}
END_TEST

/* A new request drops it like any unread response. */
START_TEST(failed_response_dropped_by_next_send)
{
	fail_response(NULL, FAIL_TOO_LONG, THEN_SEND, S_OK, "");
}
END_TEST

/* ---- a streamed request ------------------------------------------------------ */

struct rsrv {
	WS_LISTENER		*l;
	const WS_CHANNEL_PROPERTY *props;
	int			 read;		/* texts read */
	HRESULT			 hr;
	int			 step;
	pthread_t		 th;
};

/* Reads a request of TEXT_COUNT texts, answers how many were right. */
static void *
rsrv_main(void *arg)
{
	struct rsrv *s = arg;
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	HRESULT hr = S_OK;
	int32_t w;

	SSRV_STEP(s, WsCreateChannelForListener(s->l, s->props,
	    s->props != NULL ? 1 : 0, &ch, NULL));
	SSRV_STEP(s, WsAcceptChannel(s->l, ch, NULL, NULL));
	SSRV_STEP(s, new_msg(ch, &rq));
	SSRV_STEP(s, new_msg(ch, &rp));
	SSRV_STEP(s, WsCreateHeap(65536, 0, NULL, 0, &heap, NULL));
	SSRV_STEP(s, WsReadMessageStart(ch, rq, NULL, NULL));
	s->read = read_texts(rq, TEXT_COUNT, heap, &hr);
	SSRV_STEP(s, hr);
	SSRV_STEP(s, WsReadMessageEnd(ch, rq, NULL, NULL));
	w = s->read;
	SSRV_STEP(s, WsSendReplyMessage(ch, rp, &rep_desc,
	    WS_WRITE_REQUIRED_VALUE, &w, sizeof(w), rq, NULL, NULL));
	SSRV_STEP(s, WsCloseChannel(ch, NULL, NULL));
	s->step = 0;
out:
	free_server_side(ch, rq, rp, heap);
	return NULL;
}

/* A REQUEST channel streams its request out (WsFlushBody after each
 * text) to a REPLY channel that streams it in: 200 kB both ways past
 * MAX_BUFFERED_MESSAGE_SIZE; the client keeps none of it. */
START_TEST(request_streamed_both_ways)
{
	struct rsrv s;
	WS_CHANNEL *c;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	int32_t out = 0;
	uint16_t port;
	int i;

	memset(&s, 0, sizeof(s));
	s.props = p_in;
	HR_EQ(listener_open(&s.l, &port, "/r", NULL, 0), S_OK);
	ck_assert_int_eq(pthread_create(&s.th, NULL, rsrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/r", p_both, 1), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(new_msg(c, &rp), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageStart(c, rq, NULL, NULL), S_OK);
	for (i = 0; i < TEXT_COUNT; i++) {
		HR_EQ(write_text(rq, i), S_OK);
		HR_EQ(WsFlushBody(rq, 0, NULL, NULL), S_OK);
	}
	HR_EQ(WsWriteMessageEnd(c, rq, NULL, NULL), S_OK);
	HR_EQ(WsReadMessageStart(c, rp, NULL, NULL), S_OK);
	HR_EQ(WsReadBody(rp, &v_int, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL), S_OK);
	HR_EQ(WsReadMessageEnd(c, rp, NULL, NULL), S_OK);
	ck_assert_int_eq(out, TEXT_COUNT);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(s.hr == S_OK, "server: %s at line %d",
	    harness_hr_name(s.hr), s.step);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(c);
	WsFreeListener(s.l);
}
END_TEST

/* The same request to a buffered REPLY channel: 413, never accepted. */
START_TEST(buffered_server_refuses_large_request)
{
	WS_LISTENER *l;
	WS_CHANNEL *c;
	WS_MESSAGE *rq;
	uint16_t port;
	int i;
	struct rsrv s;

	memset(&s, 0, sizeof(s));
	HR_EQ(listener_open(&l, &port, "/r", NULL, 0), S_OK);
	s.l = l;
	s.props = NULL;
	ck_assert_int_eq(pthread_create(&s.th, NULL, rsrv_main, &s), 0);
	HR_EQ(request_channel(&c, port, "/r", p_out, 1), S_OK);
	HR_EQ(new_msg(c, &rq), S_OK);
	HR_EQ(WsInitializeMessage(rq, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	HR_EQ(WsWriteMessageStart(c, rq, NULL, NULL), S_OK);
	for (i = 0; i < TEXT_COUNT; i++) {
		HR_EQ(write_text(rq, i), S_OK);
		HR_EQ(WsFlushBody(rq, 0, NULL, NULL), S_OK);
	}
	HR_EQ(WsWriteMessageEnd(c, rq, NULL, NULL), WS_E_QUOTA_EXCEEDED);
	WsAbortListener(l, NULL);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	HR_EQ(s.hr, WS_E_OPERATION_ABORTED);
	WsFreeMessage(rq);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* Abandoned after its first piece: the close resets the client's
 * connection at once (no whole message can reach it) and succeeds. */
struct asrv {
	WS_LISTENER	*l;
	HRESULT		 hr, close_hr;
	int		 step;
	int		 go;
	pthread_t	 th;
};

static void *
asrv_main(void *arg)
{
	struct asrv *s = arg;
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	int32_t v = 0;

	SSRV_STEP(s, WsCreateChannelForListener(s->l, p_out, 1, &ch, NULL));
	SSRV_STEP(s, WsAcceptChannel(s->l, ch, NULL, NULL));
	SSRV_STEP(s, new_msg(ch, &rq));
	SSRV_STEP(s, new_msg(ch, &rp));
	SSRV_STEP(s, WsCreateHeap(65536, 0, NULL, 0, &heap, NULL));
	SSRV_STEP(s, WsReceiveMessage(ch, rq, req_descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &v,
	    sizeof(v), NULL, NULL, NULL));
	SSRV_STEP(s, WsInitializeMessage(rp, WS_REPLY_MESSAGE, rq, NULL));
	SSRV_STEP(s, WsWriteMessageStart(ch, rp, NULL, NULL));
	SSRV_STEP(s, write_text(rp, 0));
	SSRV_STEP(s, WsFlushBody(rp, 0, NULL, NULL));
	SSRV_STEP(s, ssrv_wait(s->go));
	SSRV_STEP(s, WsAbandonMessage(ch, rp, NULL));
	s->close_hr = WsCloseChannel(ch, NULL, NULL);
	s->step = 0;
out:
	free_server_side(ch, rq, rp, heap);
	return NULL;
}

START_TEST(abandoned_stream_resets)
{
	struct asrv s;
	char *buf;
	size_t got = 0, len = 1 << 16;
	uint16_t port;
	int fd, go[2];

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(pipe(go), 0);
	s.go = go[0];
	HR_EQ(listener_open(&s.l, &port, "/a", NULL, 0), S_OK);
	ck_assert_int_eq(pthread_create(&s.th, NULL, asrv_main, &s), 0);
	ck_assert_int_ge(fd = raw_post(port, "/a", CT12, NULL, ENV12("1"),
	    NULL, 0), 0);
	ck_assert_ptr_nonnull(buf = calloc(1, len));
	ck_assert_msg(read_until(fd, buf, len, &got, "00000:"), "%s", buf);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	/* The connection ends without the last chunk. */
	ck_assert_int_eq(harness_raw_wait_eof(fd, T_MS), 0);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	ck_assert_msg(s.hr == S_OK, "server: %s at line %d",
	    harness_hr_name(s.hr), s.step);
	HR_EQ(s.close_hr, S_OK);
	ck_assert_msg(strstr(buf, "\r\n0\r\n\r\n") == NULL, "%s", buf);
	close(fd);
	close(go[0]);
	close(go[1]);
	free(buf);
	WsFreeListener(s.l);
}
END_TEST

/* Streamed output is sent as UTF-8 text only: another encoding fails the
 * open. */
START_TEST(streamed_output_limits)
{
	WS_ENCODING bin = WS_ENCODING_XML_BINARY_1;
	WS_CHANNEL_PROPERTY pb[2] = {
		{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &mode_out,
		    sizeof(mode_out) },
		{ WS_CHANNEL_PROPERTY_ENCODING, &bin, sizeof(bin) },
	};
	WS_CHANNEL *c;
	uint16_t port = 9;

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    pb, 2, NULL, &c, NULL), S_OK);
	HR_EQ(harness_open_url(c, "http://127.0.0.1:9/x", NULL, NULL),
	    WS_E_NOT_SUPPORTED);
	WsFreeChannel(c);
	(void)port;
}
END_TEST

static Suite *
stream_suite(void)
{
	Suite *s = suite_create("stream_http");
	TCase *tc = tcase_create("stream");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, reply_streams_chunks);
	tcase_add_test(tc, client_streamed_input_reads_large_body);
	tcase_add_test(tc, client_buffered_refuses_large_body);
	tcase_add_test(tc, failed_response_first_told_to_read);
	tcase_add_test(tc, failed_response_after_read_told);
	tcase_add_test(tc, failed_response_first_told_to_receive);
	tcase_add_test(tc, cut_response_first_told_to_read);
	tcase_add_test(tc, cut_stream_first_told_to_read);
	tcase_add_test(tc, cut_stream_told_to_fill);
	tcase_add_test(tc, failed_response_then_abort);
	tcase_add_test(tc, failed_response_then_close);
	tcase_add_test(tc, failed_response_dropped_by_next_send);
	tcase_add_test(tc, request_streamed_both_ways);
	tcase_add_test(tc, buffered_server_refuses_large_request);
	tcase_add_test(tc, streamed_output_limits);
	tcase_add_test(tc, abandoned_stream_resets);
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
	sr = srunner_create(stream_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
