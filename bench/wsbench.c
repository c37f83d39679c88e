/*
 * wsbench: performance figures of wschannel, printed beside the floors
 * they are bounded by.  Reported, never asserted.
 *
 *   (1) abort latency: WsAbortChannel in one thread to the return of a
 *       WsReceiveMessage blocked in another (median, p99)
 *   (2) WsGetChannelProperty(STATE) calls per second
 *   (3) request/reply of a 256-byte body between two channels through the
 *       daemon over loopback TCP, round trips per second
 *   (4) floor: AF_UNIX socketpair request/response round trip
 *   (5) floor: loopback TCP request/response round trip
 *   (6) request/reply of a 1 KiB body, binary session encoding (the
 *       net.tcp default) and (7) the same in UTF-8 text, beside the loopback
 *       TCP floor of 1 KiB round trips (8)
 *   (9) HTTP request/reply (WsRequestReply to a REPLY listener) through
 *       the daemon, beside (10) a bare evhttp request/reply in-process
 *
 * It starts its own private wschanneld through the test harness
 * ($WSCHANNEL_BUILDDIR, set by `make bench`).  WSBENCH_ROUNDS overrides
 * the number of abort rounds (default 10000).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "../tests/harness.h"

#define MSG_SIZE	256
#define BIG_SIZE	1024
#define RATE_SECONDS	2.0
#define ABORT_BUDGET_S	90.0	/* stop the abort rounds early past this */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	size_t	 n;
	double	 median_us, p99_us, mean_us, per_s;
};

static void
stats_of(uint64_t *ns, size_t n, double elapsed_s, struct stats *st)
{
	uint64_t sum = 0;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->n = n;
	if (n == 0)
		return;
	qsort(ns, n, sizeof(*ns), cmp_u64);
	for (i = 0; i < n; i++)
		sum += ns[i];
	st->median_us = ns[n / 2] / 1000.0;
	st->p99_us = ns[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0;
	st->mean_us = (double)sum / n / 1000.0;
	st->per_s = elapsed_s > 0 ? n / elapsed_s : 0;
}

/* ---- floors: bare request/response over a socket -------------------------------- */

static int
full_io(int fd, void *buf, size_t len, bool wr)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = wr ? write(fd, (char *)buf + done, len - done) :
		    read(fd, (char *)buf + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static size_t floor_size = MSG_SIZE;

static void *
echo_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[BIG_SIZE];

	while (full_io(fd, buf, floor_size, false) == 0 &&
	    full_io(fd, buf, floor_size, true) == 0)
		;
	return NULL;
}

/* Ping-pongs floor_size bytes for RATE_SECONDS between fd and an echo. */
static void
floor_rtt(int fd, int echo_fd, struct stats *st)
{
	size_t cap = 1 << 22, n = 0;
	uint64_t *lat, start, t;
	char buf[BIG_SIZE];
	pthread_t th;

	memset(buf, 'x', sizeof(buf));
	lat = malloc(cap * sizeof(*lat));
	pthread_create(&th, NULL, echo_main, (void *)(intptr_t)echo_fd);
	start = now_ns();
	while (n < cap && now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		if (full_io(fd, buf, floor_size, true) == -1 ||
		    full_io(fd, buf, floor_size, false) == -1)
			break;
		lat[n++] = now_ns() - t;
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	shutdown(fd, SHUT_RDWR);
	pthread_join(th, NULL);
	free(lat);
}

static void
floor_unix(struct stats *st)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		memset(st, 0, sizeof(*st));
		return;
	}
	floor_rtt(sv[0], sv[1], st);
	close(sv[0]);
	close(sv[1]);
}

static void
floor_tcp(struct stats *st)
{
	int lfd, c, s, one = 1;
	uint16_t port;

	memset(st, 0, sizeof(*st));
	if ((lfd = harness_tcp_listener(&port, 4)) < 0)
		return;
	if ((c = harness_tcp_connect(port)) < 0) {
		close(lfd);
		return;
	}
	if ((s = harness_raw_accept(lfd, 5000)) < 0) {
		close(c);
		close(lfd);
		return;
	}
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	floor_rtt(c, s, st);
	close(c);
	close(s);
	close(lfd);
}

/* ---- (1) abort latency -------------------------------------------------------------- */

struct worker {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	WS_CHANNEL		*ch;
	struct harness_msg	 m;
	int			 go;		/* rounds requested */
	int			 done;		/* rounds finished */
	atomic_int		 calling;	/* about to block */
	uint64_t		 t_return;
	HRESULT			 hr;
	bool			 quit;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int seen = 0;
	HRESULT hr;
	uint64_t t;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->go == seen && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->quit)
			break;
		seen = w->go;
		pthread_mutex_unlock(&w->lock);
		atomic_store(&w->calling, 1);
		hr = harness_receive(w->ch, &w->m, HARNESS_BODY_INT, NULL);
		t = now_ns();
		pthread_mutex_lock(&w->lock);
		w->hr = hr;
		w->t_return = t;
		w->done = seen;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int
bench_abort(int rounds, struct stats *st, struct stats *call, int *raced)
{
	struct harness_pair p;
	struct worker w;
	pthread_t th;
	uint64_t *lat, *calls, start, t0, t1;
	struct timespec gap = { 0, 200000 };	/* let the receive reach the daemon */
	size_t n = 0;
	int r;

	*raced = 0;
	if (FAILED(harness_pair_open(&p, NULL, 0)))
		return -1;
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	w.ch = p.server;
	lat = calloc((size_t)rounds, sizeof(*lat));
	calls = calloc((size_t)rounds, sizeof(*calls));
	pthread_create(&th, NULL, worker_main, &w);
	start = now_ns();
	for (r = 0; r < rounds; r++) {
		if ((now_ns() - start) / 1e9 > ABORT_BUDGET_S)
			break;
		atomic_store(&w.calling, 0);
		pthread_mutex_lock(&w.lock);
		w.go = r + 1;
		pthread_cond_broadcast(&w.cond);
		pthread_mutex_unlock(&w.lock);
		while (!atomic_load(&w.calling))
			sched_yield();
		nanosleep(&gap, NULL);

		t0 = now_ns();
		WsAbortChannel(p.server, NULL);
		t1 = now_ns();
		pthread_mutex_lock(&w.lock);
		while (w.done != r + 1)
			pthread_cond_wait(&w.cond, &w.lock);
		pthread_mutex_unlock(&w.lock);
		if (w.hr == WS_E_OPERATION_ABORTED) {
			lat[n] = w.t_return > t0 ? w.t_return - t0 : 0;
			calls[n] = t1 - t0;
			n++;
		} else
			(*raced)++;	/* the abort overtook the receive */

		if (FAILED(WsCloseChannel(p.client, NULL, NULL)) ||
		    FAILED(WsResetChannel(p.client, NULL)) ||
		    FAILED(WsCloseChannel(p.server, NULL, NULL)) ||
		    FAILED(WsResetChannel(p.server, NULL)) ||
		    FAILED(harness_pair_reconnect(&p))) {
			fprintf(stderr, "wsbench: reconnect failed at round "
			    "%d\n", r);
			break;
		}
	}
	pthread_mutex_lock(&w.lock);
	w.quit = true;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(th, NULL);
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	stats_of(calls, n, 0, call);
	harness_msg_free(&w.m);
	harness_pair_free(&p);
	free(lat);
	free(calls);
	return r;
}

/* ---- (2) property calls -------------------------------------------------------------- */

static void
bench_property(struct stats *st)
{
	size_t cap = 1 << 22, n = 0;
	WS_CHANNEL_STATE state;
	uint64_t *lat, start, t;
	WS_CHANNEL *ch;

	memset(st, 0, sizeof(*st));
	if (FAILED(harness_tcp_channel(&ch, NULL, 0)))
		return;
	lat = malloc(cap * sizeof(*lat));
	start = now_ns();
	while (n < cap && now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		if (FAILED(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE,
		    &state, sizeof(state), NULL)))
			break;
		lat[n++] = now_ns() - t;
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	free(lat);
	WsFreeChannel(ch);
}

/* ---- (3) message round trips -------------------------------------------------------- */

static size_t reply_size = MSG_SIZE;

static void *
replier_main(void *arg)
{
	struct harness_pair *p = arg;
	struct harness_msg in = { 0 }, out = { 0 };

	while (SUCCEEDED(harness_receive(p->server, &in, HARNESS_BODY_TEXT,
	    NULL)) && in.rtext != NULL)
		if (FAILED(harness_send_text(p->server, &out, reply_size, NULL)))
			break;
	harness_msg_free(&in);
	harness_msg_free(&out);
	return NULL;
}

/* Round trips of `size`-byte bodies between two channels of encoding
 * `enc`, opened through the daemon to each other over loopback TCP. */
static void
bench_messages(struct stats *st, size_t size, WS_ENCODING enc)
{
	struct harness_msg out = { 0 }, in = { 0 };
	size_t cap = 1 << 22, n = 0;
	struct harness_pair p;
	uint64_t *lat, start, t;
	pthread_t th;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc) };

	memset(st, 0, sizeof(*st));
	memset(&p, 0, sizeof(p));
	reply_size = size;
	if (FAILED(harness_tcp_listener_open(&p.listener, &p.port)) ||
	    FAILED(harness_tcp_channel(&p.client, &prop, 1)) ||
	    FAILED(harness_open_accepted(p.listener, p.port, p.client,
	    &p.server))) {
		harness_pair_free(&p);
		return;
	}
	lat = malloc(cap * sizeof(*lat));
	pthread_create(&th, NULL, replier_main, &p);
	start = now_ns();
	while (n < cap && now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		if (FAILED(harness_send_text(p.client, &out, size, NULL)) ||
		    FAILED(harness_receive(p.client, &in, HARNESS_BODY_TEXT,
		    NULL)))
			break;
		lat[n++] = now_ns() - t;
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	/* Ends the replier's receive. */
	WsAbortChannel(p.server, NULL);
	pthread_join(th, NULL);
	harness_msg_free(&out);
	harness_msg_free(&in);
	harness_pair_free(&p);
	free(lat);
}

/* ---- HTTP: through the daemon, and bare evhttp ----------------------------------- */

#define HX(s) { sizeof(s) - 1, (BYTE *)(s), NULL, 0 }
static WS_XML_STRING hb_elem = HX("text");
static WS_XML_STRING hb_ns = HX("urn:wsbench");
static WS_XML_STRING hb_act = HX("urn:wsbench/Echo");
static WS_ELEMENT_DESCRIPTION hb_text = { &hb_elem, &hb_ns, WS_WSZ_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION hb_desc = { &hb_act, &hb_text };
static volatile int hb_stop;

/* The REPLY side: accept, receive, reply, close, reset, for each request. */
static void *
http_replier_main(void *arg)
{
	WS_LISTENER *l = arg;
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &hb_desc };
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	WCHAR *text;

	if (FAILED(WsCreateChannelForListener(l, NULL, 0, &ch, NULL)) ||
	    FAILED(WsCreateMessageForChannel(ch, NULL, 0, &rq, NULL)) ||
	    FAILED(WsCreateMessageForChannel(ch, NULL, 0, &rp, NULL)) ||
	    FAILED(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL)))
		goto out;
	while (!hb_stop && SUCCEEDED(WsAcceptChannel(l, ch, NULL, NULL))) {
		if (FAILED(WsReceiveMessage(ch, rq, descs, 1,
		    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_POINTER, heap,
		    &text, sizeof(text), NULL, NULL, NULL)) ||
		    FAILED(WsSendReplyMessage(ch, rp, &hb_desc,
		    WS_WRITE_REQUIRED_POINTER, &text, sizeof(text), rq, NULL,
		    NULL)) || FAILED(WsCloseChannel(ch, NULL, NULL)))
			break;
		WsResetMessage(rq, NULL);
		WsResetMessage(rp, NULL);
		WsResetHeap(heap, NULL);
		WsResetChannel(ch, NULL);
	}
out:
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (ch != NULL)
		WsFreeChannel(ch);
	return NULL;
}

/* (9) WsRequestReply of a MSG_SIZE-character body on an HTTP REQUEST
 * channel to a REPLY listener of the same daemon: one POST, one accepted
 * channel per round trip, the connection kept alive. */
static void
bench_http(struct stats *st)
{
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c = NULL;
	WS_MESSAGE *rq = NULL, *rp = NULL;
	WS_HEAP *heap = NULL;
	WCHAR body[MSG_SIZE + 1], *out, *in = body;
	size_t cap = 1 << 20, n = 0, i;
	uint64_t *lat, start, t;
	char url[64];
	uint16_t port;
	pthread_t th;
	WS_STRING s;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < MSG_SIZE; i++)
		body[i] = 'a' + i % 26;
	body[MSG_SIZE] = 0;
	if (harness_free_port(&port) != 0 ||
	    FAILED(WsCreateListener(WS_CHANNEL_TYPE_REPLY,
	    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL)))
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/bench", (unsigned)port);
	s = harness_ws_string(url);
	if (FAILED(WsOpenListener(l, &s, NULL, NULL)) ||
	    FAILED(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
	    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL)) ||
	    FAILED(WsOpenChannel(c, &(WS_ENDPOINT_ADDRESS){ .url = s }, NULL,
	    NULL)) ||
	    FAILED(WsCreateMessageForChannel(c, NULL, 0, &rq, NULL)) ||
	    FAILED(WsCreateMessageForChannel(c, NULL, 0, &rp, NULL)) ||
	    FAILED(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL)))
		goto out;
	hb_stop = 0;
	pthread_create(&th, NULL, http_replier_main, l);
	lat = malloc(cap * sizeof(*lat));
	start = now_ns();
	while (n < cap && now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		if (FAILED(WsRequestReply(c, rq, &hb_desc,
		    WS_WRITE_REQUIRED_POINTER, &in, sizeof(in), rp, &hb_desc,
		    WS_READ_REQUIRED_POINTER, heap, &out, sizeof(out), NULL,
		    NULL)))
			break;
		lat[n++] = now_ns() - t;
		WsResetMessage(rq, NULL);
		WsResetMessage(rp, NULL);
		WsResetHeap(heap, NULL);
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	free(lat);
	/* Ends the replier's accept. */
	hb_stop = 1;
	WsAbortListener(l, NULL);
	pthread_join(th, NULL);
out:
	free(s.chars);
	if (rq != NULL)
		WsFreeMessage(rq);
	if (rp != NULL)
		WsFreeMessage(rp);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (c != NULL)
		WsFreeChannel(c);
	if (l != NULL)
		WsFreeListener(l);
}

/* (10) floor: the same exchange as bare evhttp, a client and a server in
 * this process, each on its own loop, no SOAP and no daemon. */
static void
evhttp_echo_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/soap+xml; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", in);
}

static volatile int evh_stop;

/* The server's loop checks for the end every 50 ms: the loops share no
 * lock (libevent's threading is not enabled here). */
static void
evhttp_server_tick(evutil_socket_t fd, short what, void *arg)
{
	if (evh_stop)
		event_base_loopbreak(arg);
}

static void *
evhttp_server_main(void *arg)
{
	struct timeval tv = { 0, 50000 };
	struct event *tick;

	tick = event_new(arg, -1, EV_PERSIST, evhttp_server_tick, arg);
	if (tick != NULL)
		event_add(tick, &tv);
	event_base_dispatch(arg);
	if (tick != NULL)
		event_free(tick);
	return NULL;
}

struct evh_round {
	struct event_base	*base;
	int			 ok;
};

static void
evhttp_client_done(struct evhttp_request *req, void *arg)
{
	struct evh_round *r = arg;

	r->ok = req != NULL && evhttp_request_get_response_code(req) == 200;
	event_base_loopbreak(r->base);
}

static void
floor_evhttp(struct stats *st)
{
	struct event_base *sb, *cb;
	struct evhttp *http;
	struct evhttp_bound_socket *bs;
	struct evhttp_connection *evcon;
	struct evhttp_request *req;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char body[MSG_SIZE * 3];
	size_t cap = 1 << 20, n = 0;
	uint64_t *lat, start, t;
	struct evh_round r;
	pthread_t th;

	memset(st, 0, sizeof(*st));
	memset(body, 'a', sizeof(body));
	evh_stop = 0;
	if ((sb = event_base_new()) == NULL || (cb = event_base_new()) == NULL ||
	    (http = evhttp_new(sb)) == NULL ||
	    (bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0)) == NULL ||
	    getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &slen) != 0)
		return;
	evhttp_set_gencb(http, evhttp_echo_cb, NULL);
	pthread_create(&th, NULL, evhttp_server_main, sb);
	evcon = evhttp_connection_base_new(cb, NULL, "127.0.0.1",
	    ntohs(sin.sin_port));
	lat = malloc(cap * sizeof(*lat));
	start = now_ns();
	while (evcon != NULL && n < cap &&
	    now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		r.base = cb;
		r.ok = 0;
		req = evhttp_request_new(evhttp_client_done, &r);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Host", "127.0.0.1");
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "application/soap+xml; charset=utf-8");
		/* About the size of the daemon's envelope of (9). */
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    sizeof(body));
		if (evhttp_make_request(evcon, req, EVHTTP_REQ_POST,
		    "/bench") != 0)
			break;
		event_base_dispatch(cb);
		if (!r.ok)
			break;
		lat[n++] = now_ns() - t;
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	free(lat);
	if (evcon != NULL)
		evhttp_connection_free(evcon);
	evh_stop = 1;
	pthread_join(th, NULL);
	evhttp_free(http);
	event_base_free(sb);
	event_base_free(cb);
}

static double
ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

int
main(void)
{
	struct stats su, st, sa, sacall, sp, sm, sbin, stxt, st1k;
	struct stats shttp, sevh;
	const char *env = getenv("WSBENCH_ROUNDS");
	int rounds = env != NULL ? atoi(env) : 10000, used, raced, status;

	if (rounds <= 0)
		rounds = 10000;
	if (harness_daemon_start() < 0) {
		fprintf(stderr, "wsbench: cannot start wschanneld from %s\n",
		    harness_builddir());
		return 1;
	}
	printf("wsbench: private wschanneld at %s, %ld CPUs, %d-byte "
	    "messages\n\n", harness_socket_path(), sysconf(_SC_NPROCESSORS_ONLN),
	    MSG_SIZE);

	floor_unix(&su);
	floor_tcp(&st);
	floor_size = BIG_SIZE;
	floor_tcp(&st1k);
	floor_size = MSG_SIZE;
	bench_property(&sp);
	bench_messages(&sm, MSG_SIZE, WS_ENCODING_XML_UTF8);
	bench_messages(&sbin, BIG_SIZE, WS_ENCODING_XML_BINARY_SESSION_1);
	bench_messages(&stxt, BIG_SIZE, WS_ENCODING_XML_UTF8);
	used = bench_abort(rounds, &sa, &sacall, &raced);
	bench_http(&shttp);
	floor_evhttp(&sevh);

	printf("floors\n");
	printf("  (4) AF_UNIX socketpair round trip   median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n", su.median_us, su.p99_us, su.per_s,
	    su.n);
	printf("  (5) loopback TCP round trip         median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n", st.median_us, st.p99_us,
	    st.per_s, st.n);
	printf("  (8) loopback TCP, 1 KiB             median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n\n", st1k.median_us, st1k.p99_us,
	    st1k.per_s, st1k.n);
	printf("wschannel\n");
	printf("  (1) abort latency                   median %8.1f us  p99 "
	    "%8.1f us  %5.1fx (4)\n", sa.median_us, sa.p99_us,
	    ratio(sa.median_us, su.median_us));
	printf("      rounds: %zu measured of %d asked (%d run, %d where the "
	    "abort overtook the receive)%s\n", sa.n, rounds, used, raced,
	    used < rounds ? "; stopped early to keep the run short" : "");
	printf("      WsAbortChannel call itself      median %8.1f us  p99 "
	    "%8.1f us\n", sacall.median_us, sacall.p99_us);
	printf("  (2) WsGetChannelProperty(STATE)     median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  %5.2fx rate of (4)\n", sp.median_us,
	    sp.p99_us, sp.per_s, ratio(sp.per_s, su.per_s));
	printf("  (3) message round trip via daemon   median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  %5.2fx rate of (5)\n", sm.median_us,
	    sm.p99_us, sm.per_s, ratio(sm.per_s, st.per_s));

	printf("  (6) 1 KiB req/reply, binary session median %6.1f us  p99 "
	    "%8.1f us  %9.0f /s  %5.2fx rate of (8)\n", sbin.median_us,
	    sbin.p99_us, sbin.per_s, ratio(sbin.per_s, st1k.per_s));
	printf("  (7) 1 KiB req/reply, UTF-8 text     median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  %5.2fx rate of (8)\n", stxt.median_us,
	    stxt.p99_us, stxt.per_s, ratio(stxt.per_s, st1k.per_s));

	printf("  (9) HTTP request/reply via daemon   median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  %5.2fx rate of (10)\n", shttp.median_us,
	    shttp.p99_us, shttp.per_s, ratio(shttp.per_s, sevh.per_s));
	printf(" (10) floor: bare evhttp req/reply    median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n", sevh.median_us, sevh.p99_us,
	    sevh.per_s, sevh.n);

	status = harness_daemon_stop();
	if (status != 0)
		fprintf(stderr, "wsbench: wschanneld exited with %d\n", status);
	return 0;
}
