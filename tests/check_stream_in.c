/*
 * Streamed input over HTTP (WS_STREAMED_INPUT_TRANSFER_MODE on a REQUEST
 * channel): the response body reaches the library as the server sends
 * it.  A bare-socket server on loopback answers chunked and withholds
 * the rest of its body until the test has read the first items with
 * WsFillBody and WsReadBody; a body several times MAX_BUFFERED_MESSAGE_SIZE
 * is read in pieces; MAX_STREAMED_START_SIZE and MAX_STREAMED_MESSAGE_SIZE
 * give WS_E_QUOTA_EXCEEDED; an abort releases a waiting WsFillBody with
 * WS_E_OPERATION_ABORTED; a malformed chunk gives WS_E_INVALID_FORMAT and
 * the daemon lives on; a server that stalls is ended by RECEIVE_TIMEOUT.
 */
#include "config.h"

#include <sys/socket.h>
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "check_http.h"

/* <t xmlns="urn:wschannel-test">...</t>, the items of the feed. */
static WS_XML_STRING t_elem = XSTR("t");
static WS_XML_STRING t_ns = XSTR("urn:wschannel-test");
static WS_ELEMENT_DESCRIPTION t_desc = { &t_elem, &t_ns, WS_XML_STRING_TYPE,
    NULL };

#define RSP_HEAD "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" \
	"<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Feed</a:Action>" \
	"</s:Header><s:Body>"
#define RSP_TAIL "</s:Body></s:Envelope>"
#define ITEM(v) "<t xmlns=\"urn:wschannel-test\">" v "</t>"

static WS_TRANSFER_MODE mode_in = WS_STREAMED_INPUT_TRANSFER_MODE;

/* ---- a bare-socket HTTP server ------------------------------------------- */

#define PEER_PARTS	8

struct peer {
	int		 lfd;
	uint16_t	 port;
	/* The body, chunk by chunk; a NULL part waits for the test's
	 * go-ahead (a byte on `go`), a part "!" is a malformed chunk. */
	const char	*parts[PEER_PARTS];
	int		 nparts;
	char		*big;		/* owned by the test, if used */
	int		 go[2];
	int		 rc;		/* 0 when every write went out */
	pthread_t	 th;
};

/* Reads one request: its head, then Content-Length bytes. */
static int
peer_read_request(int fd)
{
	char buf[8192], *e, *cl;
	size_t got = 0, want;
	ssize_t n;

	for (;;) {
		n = harness_raw_read(fd, buf + got, sizeof(buf) - 1 - got,
		    T_MS);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if ((e = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		cl = strcasestr(buf, "Content-Length:");
		want = (size_t)(e + 4 - buf) + (cl != NULL ?
		    strtoul(cl + 15, NULL, 10) : 0);
		if (got >= want || got + 1 >= sizeof(buf))
			return 0;
	}
}

static int
peer_wait_go(struct peer *p)
{
	struct pollfd pf = { p->go[0], POLLIN, 0 };
	char c;

	if (poll(&pf, 1, 3 * T_MS) != 1 || read(p->go[0], &c, 1) != 1)
		return -1;
	return c == 'g' ? 0 : -1;
}

static void *
peer_main(void *arg)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	struct peer *p = arg;
	char line[32];
	int fd, i;

	p->rc = -1;
	if ((fd = harness_raw_accept(p->lfd, T_MS)) < 0)
		return NULL;
	if (peer_read_request(fd) != 0 ||
	    harness_raw_write(fd, head, sizeof(head) - 1) != 0)
		goto out;
	for (i = 0; i < p->nparts; i++) {
		if (p->parts[i] == NULL) {
			if (peer_wait_go(p) != 0)
				goto out;
			continue;
		}
		if (strcmp(p->parts[i], "!") == 0) {
			/* Not a hexadecimal chunk size. */
			if (harness_raw_write(fd, "zz\r\nxx\r\n", 8) != 0)
				goto out;
			continue;
		}
		snprintf(line, sizeof(line), "%zx\r\n", strlen(p->parts[i]));
		if (harness_raw_write(fd, line, strlen(line)) != 0 ||
		    harness_raw_write(fd, p->parts[i],
		    strlen(p->parts[i])) != 0 ||
		    harness_raw_write(fd, "\r\n", 2) != 0)
			goto out;
	}
	if (i == p->nparts && harness_raw_write(fd, "0\r\n\r\n", 5) != 0)
		goto out;
	p->rc = 0;
	/* Until the client is done with the connection. */
	(void)harness_raw_wait_eof(fd, T_MS);
out:
	close(fd);
	return NULL;
}

static void
peer_start(struct peer *p)
{
	if (p->lfd == 0)
		ck_assert_int_ge(p->lfd = harness_tcp_listener(&p->port, 4),
		    0);
	ck_assert_int_eq(pipe(p->go), 0);
	ck_assert_int_eq(pthread_create(&p->th, NULL, peer_main, p), 0);
}

static void
peer_go(struct peer *p)
{
	ck_assert_int_eq(write(p->go[1], "g", 1), 1);
}

static void
peer_end(struct peer *p)
{
	/* A server still waiting for its go-ahead gives up. */
	ck_assert_int_eq(write(p->go[1], "x", 1), 1);
	ck_assert_int_eq(pthread_join(p->th, NULL), 0);
	close(p->go[0]);
	close(p->go[1]);
	close(p->lfd);
	free(p->big);
}

/* A streamed-input REQUEST channel to the peer, with more properties. */
static WS_CHANNEL *
stream_channel(struct peer *p, const WS_CHANNEL_PROPERTY *more, ULONG n)
{
	WS_CHANNEL_PROPERTY props[4];
	WS_CHANNEL *ch;
	ULONG i;

	props[0].id = WS_CHANNEL_PROPERTY_TRANSFER_MODE;
	props[0].value = &mode_in;
	props[0].valueSize = sizeof(mode_in);
	for (i = 0; i < n && i < 3; i++)
		props[1 + i] = more[i];
	HR_EQ(request_channel(&ch, p->port, "/feed", props, 1 + i), S_OK);
	return ch;
}

/* Sends the request; the response's head is in when it returns. */
static WS_MESSAGE *
ask_feed(WS_CHANNEL *ch)
{
	WS_MESSAGE *rq, *rp;
	int32_t v = 1;

	HR_EQ(new_msg(ch, &rq), S_OK);
	HR_EQ(WsSendMessage(ch, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL, NULL), S_OK);
	WsFreeMessage(rq);
	HR_EQ(new_msg(ch, &rp), S_OK);
	return rp;
}

/* The next item as a C string in buf ("" for none). */
static HRESULT
read_item(WS_MESSAGE *m, WS_HEAP *heap, char *buf, size_t len,
    WS_ERROR *error)
{
	WS_XML_STRING *s = NULL;
	HRESULT hr;

	buf[0] = '\0';
	hr = WsReadBody(m, &t_desc, WS_READ_OPTIONAL_POINTER, heap, &s,
	    sizeof(s), error);
	if (hr == S_OK && s != NULL)
		snprintf(buf, len, "%.*s", (int)s->length,
		    (const char *)s->bytes);
	return hr;
}

/*
 * A feed whose server sends the item "one" and the start of the next,
 * then holds back until peer_go and sends `tail` (NULL: holds for ever):
 * the streamed-input channel, its response with "one" read, and a heap.
 */
static WS_MESSAGE *
held_feed(struct peer *p, const char *tail, const WS_CHANNEL_PROPERTY *more,
    ULONG n, WS_CHANNEL **ch, WS_HEAP **heap)
{
	WS_MESSAGE *m;
	char buf[64];

	memset(p, 0, sizeof(*p));
	p->parts[0] = RSP_HEAD ITEM("one") "<t xmlns=\"urn:wschannel-test\">";
	p->parts[1] = NULL;
	p->parts[2] = tail;
	p->nparts = tail != NULL ? 3 : 2;
	peer_start(p);
	*ch = stream_channel(p, more, n);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, heap, NULL), S_OK);
	m = ask_feed(*ch);
	HR_EQ(WsReadMessageStart(*ch, m, NULL, NULL), S_OK);
	HR_EQ(read_item(m, *heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "one");
	return m;
}

/* Waits (bounded) until the daemon shows an operation pending on the
 * only channel there is. */
static void
wait_pending(void)
{
	struct harness_channel_row row;
	int i;

	for (i = 0; i < T_MS / 10; i++) {
		if (harness_list_channels(&row, 1) >= 1 && row.pending > 0)
			return;
		usleep(10000);
	}
	ck_abort_msg("no operation became pending");
}

/*
 * The feed's first items are read while the server still holds the rest
 * of the body back (the whole body never comes without the test's
 * go-ahead): WsReadMessageStart returns at the start, WsReadBody reads
 * what came; then the rest, and the header the envelope carried.
 */
START_TEST(items_before_last_chunk)
{
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap;
	WS_XML_STRING *action = NULL;
	char buf[64];

	memset(&p, 0, sizeof(p));
	p.parts[0] = RSP_HEAD ITEM("one");
	p.parts[1] = ITEM("two") "<t xmlns=\"urn:wschannel-test\">th";
	p.parts[2] = NULL;
	p.parts[3] = "ree</t>" RSP_TAIL;
	p.nparts = 4;
	peer_start(&p);
	ch = stream_channel(&p, NULL, 0);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	m = ask_feed(ch);
	HR_EQ(WsReadMessageStart(ch, m, NULL, NULL), S_OK);
	HR_EQ(WsGetHeader(m, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_READ_REQUIRED_POINTER, heap, &action, sizeof(action), NULL),
	    S_OK);
	ck_assert_int_eq(action->length, strlen("urn:wschannel-test/Feed"));
	HR_EQ(WsFillBody(m, 1, NULL, NULL), S_OK);
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "one");
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "two");
	/* Only now does the server send the rest. */
	peer_go(&p);
	HR_EQ(WsFillBody(m, 16, NULL, NULL), S_OK);
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "three");
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "");
	HR_EQ(WsReadMessageEnd(ch, m, NULL, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	peer_end(&p);
	ck_assert_int_eq(p.rc, 0);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

#define BIG_ITEMS	300
#define BIG_ITEM_LEN	1000

/* The items of a big body, each a chunk of its own. */
static void
big_parts(struct peer *p, int items, const char *tail)
{
	size_t len = (size_t)items * (BIG_ITEM_LEN + 64) + 1024, o;
	int i;

	ck_assert_ptr_nonnull(p->big = malloc(len));
	o = (size_t)snprintf(p->big, len, "%s", RSP_HEAD);
	for (i = 0; i < items; i++) {
		o += (size_t)snprintf(p->big + o, len - o,
		    "<t xmlns=\"urn:wschannel-test\">%05d:", i);
		memset(p->big + o, 'a' + i % 26, BIG_ITEM_LEN);
		o += BIG_ITEM_LEN;
		o += (size_t)snprintf(p->big + o, len - o, "</t>");
	}
	snprintf(p->big + o, len - o, "%s", tail);
	p->parts[0] = p->big;
	p->nparts = 1;
}

/* 300 kB, almost five times MAX_BUFFERED_MESSAGE_SIZE, read a piece at a
 * time. */
START_TEST(large_body_in_pieces)
{
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap;
	char buf[BIG_ITEM_LEN + 16], want[16];
	int n = 0;

	memset(&p, 0, sizeof(p));
	big_parts(&p, BIG_ITEMS, RSP_TAIL);
	peer_start(&p);
	ch = stream_channel(&p, NULL, 0);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	m = ask_feed(ch);
	HR_EQ(WsReadMessageStart(ch, m, NULL, NULL), S_OK);
	for (;;) {
		HR_EQ(WsFillBody(m, 2048, NULL, NULL), S_OK);
		HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
		if (buf[0] == '\0')
			break;
		snprintf(want, sizeof(want), "%05d:", n);
		ck_assert_int_eq(strncmp(buf, want, 6), 0);
		ck_assert_int_eq(strlen(buf), 6 + BIG_ITEM_LEN);
		n++;
		WsResetHeap(heap, NULL);
	}
	ck_assert_int_eq(n, BIG_ITEMS);
	HR_EQ(WsReadMessageEnd(ch, m, NULL, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	peer_end(&p);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* Headers larger than MAX_STREAMED_START_SIZE: WsReadMessageStart fails
 * with WS_E_QUOTA_EXCEEDED and the channel faults. */
START_TEST(start_size_exceeded)
{
	ULONG start = 1024;
	WS_CHANNEL_PROPERTY more = { WS_CHANNEL_PROPERTY_MAX_STREAMED_START_SIZE,
	    &start, sizeof(start) };
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_ERROR *error;
	char text[512], *hdr;
	size_t o;
	int i;

	memset(&p, 0, sizeof(p));
	ck_assert_ptr_nonnull(p.big = hdr = malloc(8192));
	o = (size_t)snprintf(hdr, 8192, "%s", "<s:Envelope xmlns:s=\""
	    "http://www.w3.org/2003/05/soap-envelope\"><s:Header>");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(hdr + o, 8192 - o, "<x:h%d xmlns:x=\""
		    "urn:wschannel-test\">%040d</x:h%d>", i, i, i);
	p.parts[0] = hdr;
	p.parts[1] = NULL;	/* the Body never comes */
	p.nparts = 2;
	peer_start(&p);
	ch = stream_channel(&p, &more, 1);
	HR_EQ(WsCreateError(NULL, 0, &error), S_OK);
	m = ask_feed(ch);
	HR_EQ(WsReadMessageStart(ch, m, NULL, error), WS_E_QUOTA_EXCEEDED);
	error_text(error, text, sizeof(text));
	ck_assert_msg(strstr(text, "MAX_STREAMED_START_SIZE") != NULL, "%s",
	    text);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	peer_end(&p);
	WsFreeError(error);
	WsFreeMessage(m);
	WsFreeChannel(ch);
}
END_TEST

/* A body past MAX_STREAMED_MESSAGE_SIZE: the read that reaches the bound
 * fails with WS_E_QUOTA_EXCEEDED and the channel faults. */
START_TEST(message_size_exceeded)
{
	UINT64 max = 32768;
	WS_CHANNEL_PROPERTY more = {
	    WS_CHANNEL_PROPERTY_MAX_STREAMED_MESSAGE_SIZE, &max, sizeof(max) };
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap;
	char buf[BIG_ITEM_LEN + 16];
	HRESULT hr = S_OK;
	int n;

	memset(&p, 0, sizeof(p));
	big_parts(&p, 100, RSP_TAIL);
	peer_start(&p);
	ch = stream_channel(&p, &more, 1);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	m = ask_feed(ch);
	hr = WsReadMessageStart(ch, m, NULL, NULL);
	for (n = 0; hr == S_OK && n <= 100; n++) {
		if ((hr = WsFillBody(m, 2048, NULL, NULL)) == S_OK)
			hr = read_item(m, heap, buf, sizeof(buf), NULL);
		WsResetHeap(heap, NULL);
	}
	HR_EQ(hr, WS_E_QUOTA_EXCEEDED);
	/* Less than the bound was read. */
	ck_assert_int_lt(n, 33);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	peer_end(&p);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

struct filler {
	WS_MESSAGE	*m;
	HRESULT		 hr;
	int		 calls;
	pthread_t	 th;
};

static void *
filler_main(void *arg)
{
	struct filler *f = arg;

	f->hr = WsFillBody(f->m, 100000, NULL, NULL);
	__atomic_add_fetch(&f->calls, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* An abort from another thread releases a WsFillBody that waits for
 * bytes the server holds back, once, with WS_E_OPERATION_ABORTED. */
START_TEST(abort_releases_fill)
{
	struct peer p;
	struct filler f;
	WS_CHANNEL *ch;
	WS_HEAP *heap;

	memset(&f, 0, sizeof(f));
	f.m = held_feed(&p, "two</t>" RSP_TAIL, NULL, 0, &ch, &heap);
	ck_assert_int_eq(pthread_create(&f.th, NULL, filler_main, &f), 0);
	wait_pending();
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	ck_assert_int_eq(pthread_join(f.th, NULL), 0);
	ck_assert_int_eq(f.calls, 1);
	HR_EQ(f.hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	peer_end(&p);
	WsFreeMessage(f.m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* A chunk whose size does not parse: the waiting read fails with
 * WS_E_INVALID_FORMAT, and the daemon serves the next channel. */
START_TEST(malformed_chunk)
{
	struct peer p, q;
	struct filler f;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap;
	char buf[64];

	memset(&f, 0, sizeof(f));
	f.m = held_feed(&p, "!", NULL, 0, &ch, &heap);
	ck_assert_int_eq(pthread_create(&f.th, NULL, filler_main, &f), 0);
	wait_pending();
	peer_go(&p);
	ck_assert_int_eq(pthread_join(f.th, NULL), 0);
	HR_EQ(f.hr, WS_E_INVALID_FORMAT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	peer_end(&p);
	WsFreeMessage(f.m);
	WsFreeChannel(ch);

	/* The daemon lives on: a whole feed on a new channel. */
	memset(&q, 0, sizeof(q));
	q.parts[0] = RSP_HEAD ITEM("again") RSP_TAIL;
	q.nparts = 1;
	peer_start(&q);
	ch = stream_channel(&q, NULL, 0);
	m = ask_feed(ch);
	HR_EQ(WsReadMessageStart(ch, m, NULL, NULL), S_OK);
	HR_EQ(WsFillBody(m, 1, NULL, NULL), S_OK);
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "again");
	HR_EQ(WsReadMessageEnd(ch, m, NULL, NULL), S_OK);
	peer_end(&q);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* A message abandoned mid-body: the channel's next request goes out on
 * a new connection (the old one is reset with the rest of the body) and
 * its response streams as well. */
START_TEST(abandoned_then_next)
{
	struct peer p, q;
	WS_CHANNEL *ch;
	WS_MESSAGE *m, *m2;
	WS_HEAP *heap;
	char buf[64];

	memset(&q, 0, sizeof(q));
	m = held_feed(&p, "two</t>" RSP_TAIL, NULL, 0, &ch, &heap);
	HR_EQ(WsAbandonMessage(ch, m, NULL), S_OK);
	/* The first server holds its connection: a second one, on the same
	 * listening socket, takes the next. */
	q.lfd = dup(p.lfd);
	q.port = p.port;
	q.parts[0] = RSP_HEAD ITEM("fresh") RSP_TAIL;
	q.nparts = 1;
	peer_start(&q);
	m2 = ask_feed(ch);
	HR_EQ(WsReadMessageStart(ch, m2, NULL, NULL), S_OK);
	HR_EQ(read_item(m2, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "fresh");
	HR_EQ(WsReadMessageEnd(ch, m2, NULL, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	peer_end(&q);
	ck_assert_int_eq(q.rc, 0);
	peer_end(&p);
	WsFreeMessage(m);
	WsFreeMessage(m2);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

struct done {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	HRESULT		 hr;
	int		 calls;
};

static void CALLBACK
done_cb(HRESULT hr, WS_CALLBACK_MODEL model, void *state)
{
	struct done *d = state;

	(void)model;
	pthread_mutex_lock(&d->lock);
	d->hr = hr;
	d->calls++;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* An asynchronous WsReadMessageStart reads the start on the library's
 * thread, its callback once; the body follows as in the synchronous
 * case. */
START_TEST(async_read_start)
{
	struct done d = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	    E_FAIL, 0 };
	WS_ASYNC_CONTEXT ctx = { done_cb, &d };
	struct timespec ts;
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap;
	HRESULT hr;
	char buf[64];

	memset(&p, 0, sizeof(p));
	p.parts[0] = RSP_HEAD ITEM("one") "<t xmlns=\"urn:wschannel-test\">";
	p.parts[1] = NULL;
	p.parts[2] = "two</t>" RSP_TAIL;
	p.nparts = 3;
	peer_start(&p);
	ch = stream_channel(&p, NULL, 0);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	m = ask_feed(ch);
	hr = WsReadMessageStart(ch, m, &ctx, NULL);
	ck_assert_msg(hr == WS_S_ASYNC || hr == S_OK, "%s",
	    harness_hr_name(hr));
	if (hr == WS_S_ASYNC) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += T_MS / 1000;
		pthread_mutex_lock(&d.lock);
		while (d.calls == 0 &&
		    pthread_cond_timedwait(&d.cond, &d.lock, &ts) == 0)
			;
		pthread_mutex_unlock(&d.lock);
		ck_assert_int_eq(d.calls, 1);
		HR_EQ(d.hr, S_OK);
	}
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "one");
	peer_go(&p);
	HR_EQ(read_item(m, heap, buf, sizeof(buf), NULL), S_OK);
	ck_assert_str_eq(buf, "two");
	HR_EQ(WsReadMessageEnd(ch, m, NULL, NULL), S_OK);
	peer_end(&p);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* WsRequestReply is buffered only (as on Windows): on a streamed-input
 * channel it gets the whole response, sent in two chunks. */
START_TEST(request_reply_whole)
{
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *rq, *rp;
	WS_HEAP *heap;
	int32_t v = 41, out = 0;

	memset(&p, 0, sizeof(p));
	p.parts[0] = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/"
	    "soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">urn:wschannel-test/"
	    "Answer</a:Action></s:Header><s:Body>";
	p.parts[1] = "<value xmlns=\"urn:wschannel-test\">42</value>" RSP_TAIL;
	p.nparts = 2;
	peer_start(&p);
	ch = stream_channel(&p, NULL, 0);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(new_msg(ch, &rq), S_OK);
	HR_EQ(new_msg(ch, &rp), S_OK);
	HR_EQ(WsRequestReply(ch, rq, &req_desc, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), rp, &rep_desc, WS_READ_REQUIRED_VALUE, heap, &out,
	    sizeof(out), NULL, NULL), S_OK);
	ck_assert_int_eq(out, 42);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	peer_end(&p);
	ck_assert_int_eq(p.rc, 0);
	WsFreeMessage(rq);
	WsFreeMessage(rp);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

/* A server that stops sending mid-body: RECEIVE_TIMEOUT ends the fill
 * with WS_E_OPERATION_TIMED_OUT and the channel faults. */
START_TEST(stalled_peer_times_out)
{
	ULONG ms = 300;
	WS_CHANNEL_PROPERTY more = { WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, &ms,
	    sizeof(ms) };
	struct peer p;
	WS_CHANNEL *ch;
	WS_MESSAGE *m;
	WS_HEAP *heap;

	/* Held for ever, as far as the client knows. */
	m = held_feed(&p, NULL, &more, 1, &ch, &heap);
	HR_EQ(WsFillBody(m, 100000, NULL, NULL), WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	peer_end(&p);
	WsFreeMessage(m);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
}
END_TEST

static Suite *
stream_in_suite(void)
{
	Suite *s = suite_create("stream_in");
	TCase *tc = tcase_create("stream_in");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, items_before_last_chunk);
	tcase_add_test(tc, large_body_in_pieces);
	tcase_add_test(tc, start_size_exceeded);
	tcase_add_test(tc, message_size_exceeded);
	tcase_add_test(tc, abort_releases_fill);
	tcase_add_test(tc, malformed_chunk);
	tcase_add_test(tc, stalled_peer_times_out);
	tcase_add_test(tc, abandoned_then_next);
	tcase_add_test(tc, request_reply_whole);
	tcase_add_test(tc, async_read_start);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(stream_in_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
