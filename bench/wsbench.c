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
 *   (9) floor: a 256-byte datagram to an echoing loopback UDP socket and
 *       back, beside (10) a soap.udp message round trip through the
 *       daemon: client channel to listener, accept, reply, per message
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

/* ---- soap.udp (issue 9) ---------------------------------------------------- */

static void *
udp_bare_echo(void *arg)
{
	int fd = *(int *)arg;
	struct sockaddr_in6 from;
	socklen_t fl;
	char buf[MSG_SIZE];
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		if ((n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl)) <= 0 || buf[0] == 'q')
			break;
		(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
		    fl);
	}
	return NULL;
}

/* Floor: a MSG_SIZE datagram to an echoing socket on 127.0.0.1 and back. */
static void
bench_udp_bare(struct stats *st)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	size_t cap = 1 << 22, n = 0;
	uint64_t *lat, start, t;
	char buf[MSG_SIZE];
	int s, c;
	pthread_t th;

	memset(st, 0, sizeof(*st));
	memset(buf, 'x', sizeof(buf));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || c < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) != 0 ||
	    (lat = malloc(cap * sizeof(*lat))) == NULL)
		return;
	pthread_create(&th, NULL, udp_bare_echo, &s);
	start = now_ns();
	while (n < cap && now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		if (sendto(c, buf, sizeof(buf), 0, (struct sockaddr *)&a,
		    sizeof(a)) < 0 || recv(c, buf, sizeof(buf), 0) <= 0)
			break;
		lat[n++] = now_ns() - t;
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	buf[0] = 'q';
	(void)sendto(c, buf, 1, 0, (struct sockaddr *)&a, sizeof(a));
	pthread_join(th, NULL);
	close(s);
	close(c);
	free(lat);
}

/* The UDP server's loop of the MS samples: accept one datagram, read it,
 * answer it, close, reset. */
static void *
udp_replier_main(void *arg)
{
	WS_LISTENER *l = arg;
	struct harness_msg in = { 0 }, out = { 0 };
	WS_CHANNEL *s = NULL;

	if (FAILED(WsCreateChannelForListener(l, NULL, 0, &s, NULL)))
		return NULL;
	while (SUCCEEDED(WsAcceptChannel(l, s, NULL, NULL)) &&
	    SUCCEEDED(harness_receive(s, &in, HARNESS_BODY_TEXT, NULL)) &&
	    SUCCEEDED(harness_send_text(s, &out, MSG_SIZE, NULL)) &&
	    SUCCEEDED(WsCloseChannel(s, NULL, NULL)) &&
	    SUCCEEDED(WsResetChannel(s, NULL)))
		;
	harness_msg_free(&in);
	harness_msg_free(&out);
	WsFreeChannel(s);
	return NULL;
}

/* Round trips of MSG_SIZE-character messages from a soap.udp channel to
 * a soap.udp listener of the same daemon, on 127.0.0.1. */
static void
bench_udp(struct stats *st)
{
	struct harness_msg out = { 0 }, in = { 0 };
	size_t cap = 1 << 22, n = 0;
	uint64_t *lat, start, t;
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c = NULL;
	WS_STRING url;
	pthread_t th;
	uint16_t port;
	char buf[96];

	memset(st, 0, sizeof(*st));
	if (harness_free_port(&port) != 0 ||
	    FAILED(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL)) ||
	    FAILED(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL)))
		goto out;
	snprintf(buf, sizeof(buf), "soap.udp://127.0.0.1:%u/bench", port);
	url = harness_ws_string(buf);
	if (FAILED(WsOpenListener(l, &url, NULL, NULL)) ||
	    FAILED(harness_open_url(c, buf, NULL, NULL))) {
		free(url.chars);
		goto out;
	}
	free(url.chars);
	if ((lat = malloc(cap * sizeof(*lat))) == NULL)
		goto out;
	pthread_create(&th, NULL, udp_replier_main, l);
	start = now_ns();
	while (n < cap && now_ns() - start < RATE_SECONDS * 1e9) {
		t = now_ns();
		if (FAILED(harness_send_text(c, &out, MSG_SIZE, NULL)) ||
		    FAILED(harness_receive(c, &in, HARNESS_BODY_TEXT, NULL)))
			break;
		lat[n++] = now_ns() - t;
	}
	stats_of(lat, n, (now_ns() - start) / 1e9, st);
	/* Ends the replier's accept. */
	WsAbortListener(l, NULL);
	pthread_join(th, NULL);
	free(lat);
out:
	harness_msg_free(&out);
	harness_msg_free(&in);
	if (c != NULL)
		WsFreeChannel(c);
	if (l != NULL)
		WsFreeListener(l);
}

static double
ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

int
main(void)
{
	struct stats su, st, sa, sacall, sp, sm, sbin, stxt, st1k, sub, sud;
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
	bench_udp_bare(&sub);
	bench_udp(&sud);
	used = bench_abort(rounds, &sa, &sacall, &raced);

	printf("floors\n");
	printf("  (4) AF_UNIX socketpair round trip   median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n", su.median_us, su.p99_us, su.per_s,
	    su.n);
	printf("  (5) loopback TCP round trip         median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n", st.median_us, st.p99_us,
	    st.per_s, st.n);
	printf("  (8) loopback TCP, 1 KiB             median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n", st1k.median_us, st1k.p99_us,
	    st1k.per_s, st1k.n);
	printf("  (9) loopback UDP round trip         median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  (%zu)\n\n", sub.median_us, sub.p99_us,
	    sub.per_s, sub.n);
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
	printf(" (10) soap.udp round trip via daemon  median %8.1f us  p99 "
	    "%8.1f us  %9.0f /s  %5.2fx rate of (9)\n", sud.median_us,
	    sud.p99_us, sud.per_s, ratio(sud.per_s, sub.per_s));

	status = harness_daemon_stop();
	if (status != 0)
		fprintf(stderr, "wsbench: wschanneld exited with %d\n", status);
	return 0;
}
