/*
 * wsbench: performance figures of wschannel, each printed beside a floor
 * that does the same hops with bare sockets, measured in the same run
 * (medians over interleaved blocks, so that load from elsewhere hits both
 * alike).  Reported, never asserted.
 *
 * Each row is one function in bench_rows[]: it fills the figure and its
 * floor; main prints the table and one JSON line.  Adding a row is adding
 * a function and a line in that table.  A scale section follows: idle
 * channels in one daemon, its memory per channel, `wsctl list` and
 * `wsctl abort --all` over all of them.
 *
 * It starts its own private wschanneld through the test harness
 * ($WSCHANNEL_BUILDDIR, set by `make bench`).  WSBENCH_BLOCKS overrides the
 * number of interleaved blocks (default 6), WSBENCH_SCALE the number of
 * channel pairs of the scale section (default: as many as the fd limit
 * allows; 0 skips it), WSBENCH_ROWS a comma-separated list of the row
 * keys to run (default: all; "none" runs only the scale section).
 * WSBENCH_HOLD=SECONDS keeps the scale section's channels open that long
 * before `wsctl list`, with the daemon's pid on stderr, for profiling by
 * hand (perf record -p PID, wsctl --socket PATH); WSBENCH_SKIP_FLOOR=1
 * runs only the wschannel blocks of each row, so that a profile sees them
 * alone (the ratios it prints are then meaningless).  The scale figures come
 * with the CPU time wsctl and the daemon spent (the wall time on a loaded
 * machine is mostly waiting for a CPU), and abort --all with its floor:
 * as many loopback sockets closed with a reset by one process.
 *
 * Each row also says which CPU the daemon was on after each of its blocks,
 * after how many of them the library's I/O thread was on that CPU too,
 * and, when the CPUs ran a fixed loop at speeds more than a fifth apart
 * just before the row, how fast each one was: virtual CPUs can differ.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/harness.h"
#include "wsbench.h"

#define IDLE_NS		2000000		/* the idle before a cold call */
#define ABORT_ROUNDS	25		/* per block */
#define OPEN_ROUNDS	20		/* per block */
#define OPEN_WARMUP	300		/* pairs opened before the blocks */
#define PIPE_CHANNELS	64
#define ECHO_SIZE	64
#define MAX_BLOCKS	32

static int nblocks = 6;

static void	 daemon_cpu_note(void);
static void	 daemon_cpu_words(const struct row *, char *, size_t);

/* ---- measuring ------------------------------------------------------------- */

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n); 0 for none.  Sorts v. */
static double
median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void
samples_add(struct samples *s, uint64_t ns)
{
	double *v;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		if ((v = realloc(s->v, s->cap * sizeof(*v))) == NULL)
			return;
		s->v = v;
	}
	s->v[s->n++] = ns / 1000.0;
}

/* The block's median, and the samples emptied for the next block. */
double
samples_block(struct samples *s)
{
	double m = median(s->v, s->n);

	s->n = 0;
	return m;
}

/*
 * Runs `nblocks` blocks of the floor and of the figure, alternating, and
 * returns the median of each one's block results.  A block returns < 0 to
 * stop early (the figure could not be had).
 */
int
interleave(double (*floor_block)(void *), double (*value_block)(void *),
    void *arg, double *floor, double *value)
{
	double f[MAX_BLOCKS], v[MAX_BLOCKS];
	bool skip = getenv("WSBENCH_SKIP_FLOOR") != NULL;
	int i;

	for (i = 0; i < nblocks; i++) {
		f[i] = 1;
		if ((!skip && (f[i] = floor_block(arg)) < 0) ||
		    (v[i] = value_block(arg)) < 0)
			return -1;
		daemon_cpu_note();
	}
	*floor = median(f, (size_t)nblocks);
	*value = median(v, (size_t)nblocks);
	return 0;
}

/* ---- the CPUs ---------------------------------------------------------------- */

/*
 * Virtual CPUs need not be alike: on the 2-vCPU guests this was written
 * on, one ran a plain loop 2.5 times slower than the other, and the
 * daemon, which the scheduler seldom moves, stays on whichever it started
 * on.  So the run says how fast each CPU is and, per row, where the
 * daemon was, for the reader to weigh the figures by.
 */
#define CPU_MAX		WSBENCH_CPU_MAX
#define SPIN_ROUNDS	4000000

static double	 cpu_speed[CPU_MAX];	/* 1 for the fastest; 0 unprobed */
static int	 daemon_blocks[CPU_MAX];	/* the row being run's */
static int	 io_with_daemon;		/* ... blocks */

/* A fixed loop pinned to each CPU in turn, best of three. */
static void
cpus_probe(void)
{
	cpu_set_t old, one;
	uint64_t t, best[CPU_MAX] = { 0 }, fastest = 0;
	volatile unsigned long x = 0;
	unsigned long k;
	int i, try;

	if (sched_getaffinity(0, sizeof(old), &old) != 0)
		return;
	for (i = 0; i < CPU_MAX; i++) {
		if (!CPU_ISSET(i, &old))
			continue;
		CPU_ZERO(&one);
		CPU_SET(i, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		for (try = 0; try < 3; try++) {
			t = now_ns();
			for (k = 0; k < SPIN_ROUNDS; k++)
				x += k;
			t = now_ns() - t;
			if (best[i] == 0 || t < best[i])
				best[i] = t;
		}
		if (fastest == 0 || best[i] < fastest)
			fastest = best[i];
	}
	(void)sched_setaffinity(0, sizeof(old), &old);
	for (i = 0; i < CPU_MAX; i++)
		if (best[i] > 0)
			cpu_speed[i] = (double)fastest / (double)best[i];
}

/* The CPU the daemon ran on last, or -1. */
static int
daemon_cpu(void)
{
	char path[64];
	int cpu;

	snprintf(path, sizeof(path), "/proc/%d/stat",
	    (int)harness_daemon_pid());
	cpu = harness_stat_cpu(path);
	return cpu < CPU_MAX ? cpu : -1;
}

/* After a block: where the daemon was, and whether the library's I/O
 * thread was there too (on two CPUs, a pair opened then took ~135 us
 * instead of ~90: it woke on the daemon's CPU and pre-empted it). */
static void
daemon_cpu_note(void)
{
	int cpu = daemon_cpu(), io;

	if (cpu < 0)
		return;
	daemon_blocks[cpu]++;
	if (harness_threads_named("wschannel-io", &io) > 0 && io == cpu)
		io_with_daemon++;
}

/* "1 (6 of 6 blocks)" or "0: 2, 1: 4" into buf. */
static void
daemon_cpu_blocks(const int *blocks, char *buf, size_t size)
{
	size_t len = 0;
	int i, n = 0, total = 0, last = -1;

	buf[0] = '\0';
	for (i = 0; i < CPU_MAX; i++) {
		if (blocks[i] == 0)
			continue;
		n++;
		total += blocks[i];
		last = i;
	}
	if (n == 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (n == 1) {
		snprintf(buf, size, "%d (%d of %d blocks)", last, total,
		    total);
		return;
	}
	for (i = 0; i < CPU_MAX && len < size; i++)
		if (blocks[i] > 0)
			len += (size_t)snprintf(buf + len, size - len,
			    "%s%d: %d", len > 0 ? ", " : "", i, blocks[i]);
}

/* ---- bare-socket helpers --------------------------------------------------- */

int
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

/* A child process that echoes `size`-byte messages on fd until EOF. */
pid_t
echo_process(int fd, int other, size_t size)
{
	char buf[4096];
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	close(other);
	while (full_io(fd, buf, size, false) == 0 &&
	    full_io(fd, buf, size, true) == 0)
		;
	_exit(0);
}

static void
reap(pid_t pid)
{
	int st;

	if (pid > 0)
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
}

static void
nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int
tcp_pair(int lfd, uint16_t port, int *c, int *s)
{
	if ((*c = harness_tcp_connect(port)) < 0)
		return -1;
	if ((*s = harness_raw_accept(lfd, 5000)) < 0) {
		close(*c);
		return -1;
	}
	nodelay(*c);
	nodelay(*s);
	return 0;
}

/* ---- rows ------------------------------------------------------------------ */

/* -- abort after idle -- */

struct abort_ctx {
	struct harness_pair	 p;
	int			 efd;		/* the echo process's socket */
	pthread_t		 th;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct harness_msg	 m;
	int			 go, done;
	atomic_int		 calling;
	uint64_t		 t_return;
	HRESULT			 hr;
	bool			 quit;
	struct samples		 s;
};

static void *
abort_worker(void *arg)
{
	struct abort_ctx *a = arg;
	int seen = 0;
	HRESULT hr;
	uint64_t t;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (a->go == seen && !a->quit)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->quit)
			break;
		seen = a->go;
		pthread_mutex_unlock(&a->lock);
		atomic_store(&a->calling, 1);
		hr = harness_receive(a->p.server, &a->m, HARNESS_BODY_INT, NULL);
		t = now_ns();
		pthread_mutex_lock(&a->lock);
		a->hr = hr;
		a->t_return = t;
		a->done = seen;
		pthread_cond_broadcast(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static double
abort_floor_block(void *arg)
{
	struct abort_ctx *a = arg;
	char buf[ECHO_SIZE] = { 0 };
	uint64_t t;
	int i;

	for (i = 0; i < ABORT_ROUNDS; i++) {
		sleep_ns(IDLE_NS);
		t = now_ns();
		if (full_io(a->efd, buf, sizeof(buf), true) != 0 ||
		    full_io(a->efd, buf, sizeof(buf), false) != 0)
			return -1;
		samples_add(&a->s, now_ns() - t);
	}
	return samples_block(&a->s);
}

/* WsAbortChannel to the return of the receive it releases, each after
 * the receive has sat in the daemon for IDLE_NS. */
static double
abort_value_block(void *arg)
{
	struct abort_ctx *a = arg;
	uint64_t t0;
	int i;

	for (i = 0; i < ABORT_ROUNDS; i++) {
		atomic_store(&a->calling, 0);
		pthread_mutex_lock(&a->lock);
		a->go++;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		while (!atomic_load(&a->calling))
			sched_yield();
		sleep_ns(IDLE_NS);
		t0 = now_ns();
		WsAbortChannel(a->p.server, NULL);
		pthread_mutex_lock(&a->lock);
		while (a->done != a->go)
			pthread_cond_wait(&a->cond, &a->lock);
		pthread_mutex_unlock(&a->lock);
		if (a->hr == WS_E_OPERATION_ABORTED)
			samples_add(&a->s, a->t_return - t0);
		if (FAILED(WsCloseChannel(a->p.client, NULL, NULL)) ||
		    FAILED(WsResetChannel(a->p.client, NULL)) ||
		    FAILED(WsCloseChannel(a->p.server, NULL, NULL)) ||
		    FAILED(WsResetChannel(a->p.server, NULL)) ||
		    FAILED(harness_pair_reconnect(&a->p)))
			return -1;
	}
	return samples_block(&a->s);
}

static int
row_abort(struct row *r)
{
	struct abort_ctx a;
	int sv[2], rc = -1;
	pid_t echo;

	memset(&a, 0, sizeof(a));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	echo = echo_process(sv[1], sv[0], ECHO_SIZE);
	close(sv[1]);
	a.efd = sv[0];
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	if (SUCCEEDED(harness_pair_open(&a.p, NULL, 0))) {
		pthread_create(&a.th, NULL, abort_worker, &a);
		rc = interleave(abort_floor_block, abort_value_block, &a,
		    &r->floor, &r->value);
		pthread_mutex_lock(&a.lock);
		a.quit = true;
		pthread_cond_broadcast(&a.cond);
		pthread_mutex_unlock(&a.lock);
		pthread_join(a.th, NULL);
	}
	close(a.efd);
	reap(echo);
	harness_msg_free(&a.m);
	harness_pair_free(&a.p);
	free(a.s.v);
	return rc;
}

/* -- property calls -- */

struct prop_ctx {
	WS_CHANNEL	*ch;
	int		 efd;
};

static double
prop_floor_block(void *arg)
{
	struct prop_ctx *p = arg;
	char buf[ECHO_SIZE] = { 0 };
	uint64_t start = now_ns(), n = 0;

	while (now_ns() - start < BLOCK_SECONDS * 1e9) {
		if (full_io(p->efd, buf, sizeof(buf), true) != 0 ||
		    full_io(p->efd, buf, sizeof(buf), false) != 0)
			return -1;
		n++;
	}
	return n / ((now_ns() - start) / 1e9);
}

static double
prop_value_block(void *arg)
{
	struct prop_ctx *p = arg;
	WS_CHANNEL_STATE state;
	uint64_t start = now_ns(), n = 0;

	while (now_ns() - start < BLOCK_SECONDS * 1e9) {
		if (FAILED(WsGetChannelProperty(p->ch,
		    WS_CHANNEL_PROPERTY_STATE, &state, sizeof(state), NULL)))
			return -1;
		n++;
	}
	return n / ((now_ns() - start) / 1e9);
}

static int
row_property(struct row *r)
{
	struct prop_ctx p;
	int sv[2], rc = -1;
	pid_t echo;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	echo = echo_process(sv[1], sv[0], ECHO_SIZE);
	close(sv[1]);
	p.efd = sv[0];
	if (SUCCEEDED(harness_tcp_channel(&p.ch, NULL, 0))) {
		rc = interleave(prop_floor_block, prop_value_block, &p,
		    &r->floor, &r->value);
		WsFreeChannel(p.ch);
	}
	close(p.efd);
	reap(echo);
	return rc;
}

/* -- request/reply between two processes over net.tcp -- */

/* The peer process B: accepts one channel, then answers each message
 * with one of MSG_SIZE characters until its channel fails. */
static void
rr_peer(int pfd)
{
	struct harness_msg in = { 0 }, out = { 0 };
	WS_LISTENER *l;
	WS_CHANNEL *s;
	uint16_t port;

	if (FAILED(harness_tcp_listener_open(&l, &port)) ||
	    FAILED(WsCreateChannelForListener(l, NULL, 0, &s, NULL)) ||
	    write(pfd, &port, sizeof(port)) != sizeof(port) ||
	    FAILED(WsAcceptChannel(l, s, NULL, NULL)))
		_exit(1);
	while (SUCCEEDED(harness_receive(s, &in, HARNESS_BODY_TEXT, NULL)) &&
	    in.rtext != NULL)
		if (FAILED(harness_send_text(s, &out, MSG_SIZE, NULL)))
			break;
	_exit(0);
}

/* Copies what is readable on `from` to `to`; -1 at the end. */
static int
relay_move(int from, int to)
{
	char buf[65536];
	ssize_t n;

	if ((n = read(from, buf, sizeof(buf))) <= 0)
		return -1;
	return full_io(to, buf, (size_t)n, true);
}

/* The floor's relay: A -unix-> relay -tcp-> relay -unix-> B and back, in
 * one process and one poll loop, as the daemon does it. */
static void
relay_process(int ua, int ub)
{
	struct pollfd p[4];
	int lfd, tc, ts, i;
	uint16_t port;

	if ((lfd = harness_tcp_listener(&port, 4)) < 0 ||
	    tcp_pair(lfd, port, &tc, &ts) != 0)
		_exit(1);
	p[0].fd = ua;
	p[1].fd = tc;
	p[2].fd = ts;
	p[3].fd = ub;
	for (i = 0; i < 4; i++)
		p[i].events = POLLIN;
	for (;;) {
		if (poll(p, 4, -1) < 0)
			continue;
		if ((p[0].revents && relay_move(ua, tc) != 0) ||
		    (p[2].revents && relay_move(ts, ub) != 0) ||
		    (p[3].revents && relay_move(ub, ts) != 0) ||
		    (p[1].revents && relay_move(tc, ua) != 0))
			_exit(0);
	}
}

struct rr_ctx {
	WS_CHANNEL		*ch;
	int			 rfd;	/* the relay, to B */
	struct harness_msg	 out, in;
	struct samples		 s;
};

static double
rr_floor_block(void *arg)
{
	struct rr_ctx *c = arg;
	char buf[MSG_SIZE] = { 0 };
	uint64_t start = now_ns(), t;

	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (full_io(c->rfd, buf, sizeof(buf), true) != 0 ||
		    full_io(c->rfd, buf, sizeof(buf), false) != 0)
			return -1;
		samples_add(&c->s, now_ns() - t);
	}
	return samples_block(&c->s);
}

static double
rr_value_block(void *arg)
{
	struct rr_ctx *c = arg;
	uint64_t start = now_ns(), t;

	while ((t = now_ns()) - start < BLOCK_SECONDS * 1e9) {
		if (FAILED(harness_send_text(c->ch, &c->out, MSG_SIZE, NULL)) ||
		    FAILED(harness_receive(c->ch, &c->in, HARNESS_BODY_TEXT,
		    NULL)))
			return -1;
		samples_add(&c->s, now_ns() - t);
	}
	return samples_block(&c->s);
}

static int
row_request_reply(struct row *r)
{
	struct rr_ctx c;
	int pp[2], sa[2], sb[2], rc = -1;
	pid_t peer, relay = -1, echo = -1;
	uint16_t port;

	memset(&c, 0, sizeof(c));
	c.rfd = -1;
	if (pipe(pp) == -1)
		return -1;
	if ((peer = fork()) == 0) {
		close(pp[0]);
		rr_peer(pp[1]);
	}
	close(pp[1]);
	if (peer < 0 || full_io(pp[0], &port, sizeof(port), false) != 0 ||
	    FAILED(harness_tcp_channel(&c.ch, NULL, 0)) ||
	    FAILED(harness_open(c.ch, port, NULL, NULL)))
		goto out;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sa) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sb) == -1)
		goto out;
	if ((relay = fork()) == 0) {
		close(sa[0]);
		close(sb[0]);
		relay_process(sa[1], sb[1]);
	}
	close(sa[1]);
	close(sb[1]);
	echo = echo_process(sb[0], sa[0], MSG_SIZE);
	close(sb[0]);
	c.rfd = sa[0];
	rc = interleave(rr_floor_block, rr_value_block, &c, &r->floor,
	    &r->value);
out:
	close(pp[0]);
	if (c.rfd >= 0)
		close(c.rfd);
	if (c.ch != NULL)
		WsFreeChannel(c.ch);	/* B's receive fails: it exits */
	reap(relay);
	reap(echo);
	reap(peer);
	harness_msg_free(&c.out);
	harness_msg_free(&c.in);
	free(c.s.v);
	return rc;
}

/* -- pipelined async send/receive on many channels -- */

struct pipe_ch {
	struct pipe_ctx		*ctx;
	WS_CHANNEL		*c, *s;
	struct harness_msg	 out, in;
	WS_ASYNC_CONTEXT	 sctx, rctx;
	bool			 sending, receiving;
};

struct pipe_ctx {
	struct pipe_ch		 ch[PIPE_CHANNELS];
	WS_LISTENER		*l;
	uint16_t		 port;
	atomic_ulong		 received;
	atomic_bool		 running;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 outstanding;	/* ops not called back */
	int			 lfd, fc[PIPE_CHANNELS], fs[PIPE_CHANNELS];
};

static void pipe_send(struct pipe_ch *);
static void pipe_receive(struct pipe_ch *);

static void
pipe_op_end(struct pipe_ctx *x)
{
	pthread_mutex_lock(&x->lock);
	if (--x->outstanding <= PIPE_CHANNELS)
		pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

static void CALLBACK
pipe_sent(HRESULT hr, WS_CALLBACK_MODEL model, void *arg)
{
	struct pipe_ch *p = arg;

	if (SUCCEEDED(hr) && atomic_load(&p->ctx->running))
		pipe_send(p);
	pipe_op_end(p->ctx);
}

static void CALLBACK
pipe_received(HRESULT hr, WS_CALLBACK_MODEL model, void *arg)
{
	struct pipe_ch *p = arg;

	if (SUCCEEDED(hr)) {
		atomic_fetch_add(&p->ctx->received, 1);
		pipe_receive(p);
	}
	pipe_op_end(p->ctx);
}

/* Starts the next send (or receive); an answer given at once counts as
 * a callback. */
static void
pipe_send(struct pipe_ch *p)
{
	HRESULT hr;

	pthread_mutex_lock(&p->ctx->lock);
	p->ctx->outstanding++;
	pthread_mutex_unlock(&p->ctx->lock);
	hr = harness_send_text(p->c, &p->out, MSG_SIZE, &p->sctx);
	if (hr != WS_S_ASYNC)
		pipe_sent(hr, WS_SHORT_CALLBACK, p);
}

static void
pipe_receive(struct pipe_ch *p)
{
	HRESULT hr;

	pthread_mutex_lock(&p->ctx->lock);
	p->ctx->outstanding++;
	pthread_mutex_unlock(&p->ctx->lock);
	hr = harness_receive(p->s, &p->in, HARNESS_BODY_TEXT, &p->rctx);
	if (hr != WS_S_ASYNC)
		pipe_received(hr, WS_SHORT_CALLBACK, p);
}

/* Waits until only the receives are pending (every send called back). */
static void
pipe_settle(struct pipe_ctx *x)
{
	pthread_mutex_lock(&x->lock);
	while (x->outstanding > PIPE_CHANNELS)
		pthread_cond_wait(&x->cond, &x->lock);
	pthread_mutex_unlock(&x->lock);
}

static double
pipe_value_block(void *arg)
{
	struct pipe_ctx *x = arg;
	unsigned long n0, n1;
	uint64_t t0, t1;
	int i;

	atomic_store(&x->running, true);
	for (i = 0; i < PIPE_CHANNELS; i++)
		pipe_send(&x->ch[i]);
	t0 = now_ns();
	n0 = atomic_load(&x->received);
	sleep_ns((long)(BLOCK_SECONDS * 1e9));
	n1 = atomic_load(&x->received);
	t1 = now_ns();
	atomic_store(&x->running, false);
	pipe_settle(x);
	return (n1 - n0) / ((t1 - t0) / 1e9);
}

/* The same pipelining on bare loopback TCP: one message in flight per
 * connection, each read answered by the next write. */
static double
pipe_floor_block(void *arg)
{
	struct pipe_ctx *x = arg;
	struct pollfd p[PIPE_CHANNELS];
	char buf[MSG_SIZE] = { 0 };
	uint64_t start, n = 0;
	int i;

	for (i = 0; i < PIPE_CHANNELS; i++) {
		p[i].fd = x->fs[i];
		p[i].events = POLLIN;
		if (full_io(x->fc[i], buf, sizeof(buf), true) != 0)
			return -1;
	}
	start = now_ns();
	while (now_ns() - start < BLOCK_SECONDS * 1e9) {
		if (poll(p, PIPE_CHANNELS, -1) < 0)
			continue;
		for (i = 0; i < PIPE_CHANNELS; i++) {
			if (p[i].revents == 0)
				continue;
			if (full_io(x->fs[i], buf, sizeof(buf), false) != 0 ||
			    full_io(x->fc[i], buf, sizeof(buf), true) != 0)
				return -1;
			n++;
		}
	}
	/* Drain the messages still in flight. */
	for (i = 0; i < PIPE_CHANNELS; i++)
		if (full_io(x->fs[i], buf, sizeof(buf), false) != 0)
			return -1;
	return n / ((now_ns() - start) / 1e9);
}

static int
row_pipelined(struct row *r)
{
	struct pipe_ctx *x;
	struct pipe_ch *p;
	int i, n = 0, rc = -1;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	x->lfd = harness_tcp_listener(&x->port, PIPE_CHANNELS);
	for (i = 0; i < PIPE_CHANNELS; i++)
		x->fc[i] = x->fs[i] = -1;
	if (x->lfd < 0 || FAILED(harness_tcp_listener_open(&x->l, &x->port)))
		goto out;
	for (i = 0; i < PIPE_CHANNELS; i++) {
		p = &x->ch[i];
		p->ctx = x;
		p->sctx.callback = pipe_sent;
		p->sctx.callbackState = p;
		p->rctx.callback = pipe_received;
		p->rctx.callbackState = p;
		if (FAILED(harness_tcp_channel(&p->c, NULL, 0)) ||
		    FAILED(harness_open_accepted(x->l, x->port, p->c, &p->s)))
			goto out;
		n++;
	}
	{
		uint16_t fport;
		int flfd = harness_tcp_listener(&fport, PIPE_CHANNELS);

		for (i = 0; flfd >= 0 && i < PIPE_CHANNELS; i++)
			if (tcp_pair(flfd, fport, &x->fc[i], &x->fs[i]) != 0)
				break;
		if (flfd >= 0)
			close(flfd);
		if (i < PIPE_CHANNELS)
			goto out;
	}
	for (i = 0; i < PIPE_CHANNELS; i++)
		pipe_receive(&x->ch[i]);
	rc = interleave(pipe_floor_block, pipe_value_block, x, &r->floor,
	    &r->value);
out:
	/* The receives still pending end with the aborts. */
	for (i = 0; i < n; i++)
		WsAbortChannel(x->ch[i].s, NULL);
	pthread_mutex_lock(&x->lock);
	while (x->outstanding > 0)
		pthread_cond_wait(&x->cond, &x->lock);
	pthread_mutex_unlock(&x->lock);
	for (i = 0; i < PIPE_CHANNELS; i++) {
		p = &x->ch[i];
		if (p->c != NULL)
			WsFreeChannel(p->c);
		if (p->s != NULL)
			WsFreeChannel(p->s);
		harness_msg_free(&p->out);
		harness_msg_free(&p->in);
		if (x->fc[i] >= 0)
			close(x->fc[i]);
		if (x->fs[i] >= 0)
			close(x->fs[i]);
	}
	if (x->l != NULL)
		WsFreeListener(x->l);
	if (x->lfd >= 0)
		close(x->lfd);
	free(x);
	return rc;
}

/* -- opening a channel pair -- */

struct open_ctx {
	WS_LISTENER	*l;
	uint16_t	 port;
	int		 lfd;
	uint16_t	 lport;
	struct samples	 s;
};

static double
open_floor_block(void *arg)
{
	struct open_ctx *o = arg;
	uint64_t t;
	int i, c, s;

	for (i = 0; i < OPEN_ROUNDS; i++) {
		t = now_ns();
		if (tcp_pair(o->lfd, o->lport, &c, &s) != 0)
			return -1;
		samples_add(&o->s, now_ns() - t);
		close(c);
		close(s);
	}
	return samples_block(&o->s);
}

static double
open_value_block(void *arg)
{
	struct open_ctx *o = arg;
	WS_CHANNEL *c, *s;
	uint64_t t;
	int i;

	for (i = 0; i < OPEN_ROUNDS; i++) {
		t = now_ns();
		if (FAILED(harness_tcp_channel(&c, NULL, 0)))
			return -1;
		if (FAILED(harness_open_accepted(o->l, o->port, c, &s))) {
			WsFreeChannel(c);
			return -1;
		}
		samples_add(&o->s, now_ns() - t);
		WsFreeChannel(c);
		WsFreeChannel(s);
	}
	return samples_block(&o->s);
}

static int
row_open_pair(struct row *r)
{
	struct open_ctx o;
	bool ok = true;
	int i, rc = -1;

	memset(&o, 0, sizeof(o));
	if ((o.lfd = harness_tcp_listener(&o.lport, 64)) < 0)
		return -1;
	if (SUCCEEDED(harness_tcp_listener_open(&o.l, &o.port))) {
		/* A daemon's first few hundred pairs run a third slower (run
		 * alone, this row measured 120-137 us cold, 90 us after). */
		for (i = 0; ok && i < OPEN_WARMUP / OPEN_ROUNDS; i++)
			ok = open_value_block(&o) >= 0;
		if (ok)
			rc = interleave(open_floor_block, open_value_block,
			    &o, &r->floor, &r->value);
		WsFreeListener(o.l);
	}
	close(o.lfd);
	free(o.s.v);
	return rc;
}

/*
 * The rows.  figure, floor, per second?, target ratio, function.  Latency
 * rows target value/floor <= target, rate rows value/floor >= target.
 */
static struct row bench_rows[] = {
	{ .key = "abort_after_idle_us", .figure = "WsAbortChannel releasing "
	  "a blocked receive, after 2 ms idle", .floor_name = "cold AF_UNIX "
	  "round trip after 2 ms idle", .rate = false, .target = 1.5,
	  .run = row_abort },
	{ .key = "get_property_state_per_s", .figure =
	  "WsGetChannelProperty(STATE) rate", .floor_name = "64-byte AF_UNIX "
	  "echo process", .rate = true, .target = 0.85, .run = row_property },
	{ .key = "tcp_request_reply_us", .figure = "256-byte request/reply, "
	  "two processes, net.tcp", .floor_name = "relay A-unix-relay-tcp-"
	  "relay-unix-B", .rate = false, .target = 2.0,
	  .run = row_request_reply },
	{ .key = "pipelined_64_per_s", .figure = "64 channels pipelined async "
	  "send/receive, messages", .floor_name = "the same pipelining on "
	  "bare TCP", .rate = true, .target = 0.5, .run = row_pipelined },
	{ .key = "open_pair_us", .figure = "open a channel pair "
	  "(create+open+accept)", .floor_name = "bare TCP connect/accept",
	  .rate = false, .target = 5.0, .run = row_open_pair },
	{ .key = "udp_round_trip_us", .figure = "256-character soap.udp "
	  "message and answer, accept per message", .floor_name = "relay "
	  "A-unix-relay-udp-relay-unix-B", .rate = false, .target = 2.0,
	  .run = row_udp },
	{ .key = "http_request_reply_us", .figure = "256-character HTTP "
	  "WsRequestReply, accept per request", .floor_name = "relay "
	  "A-unix-relay-http-relay-unix-B, evhttp kept alive", .rate = false, .target = 2.0,
	  .run = row_http },
};
#define NROWS	(sizeof(bench_rows) / sizeof(bench_rows[0]))

static double
row_ratio(const struct row *r)
{
	return r->floor > 0 ? r->value / r->floor : 0;
}

static bool
row_met(const struct row *r)
{
	return r->rate ? row_ratio(r) >= r->target : row_ratio(r) <= r->target;
}

/* Whether WSBENCH_ROWS names the row (or is unset). */
static bool
row_wanted(const struct row *r)
{
	const char *env = getenv("WSBENCH_ROWS"), *p;
	size_t len = strlen(r->key);

	if (env == NULL || *env == '\0')
		return true;
	for (p = env; (p = strstr(p, r->key)) != NULL; p += len)
		if ((p == env || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ','))
			return true;
	return false;
}

/* ---- output ------------------------------------------------------------------ */

static void
print_table(const struct scale *sc)
{
	const struct row *r;
	char where[128];
	size_t i;

	printf("| figure | floor | floor value | wschannel | ratio | target "
	    "| daemon's CPU |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < NROWS; i++) {
		r = &bench_rows[i];
		if (!row_wanted(r))
			continue;
		if (!r->ok) {
			printf("| %s | %s | - | failed | - | %s %.2fx | - |\n",
			    r->figure, r->floor_name, r->rate ? ">=" : "<=",
			    r->target);
			continue;
		}
		daemon_cpu_words(r, where, sizeof(where));
		printf("| %s | %s | %.1f %s | %.1f %s | %.2fx | %s %.2fx %s "
		    "| %s |\n", r->figure, r->floor_name, r->floor,
		    r->rate ? "/s" : "us", r->value, r->rate ? "/s" : "us",
		    row_ratio(r), r->rate ? ">=" : "<=", r->target,
		    row_met(r) ? "met" : "missed", where);
	}
	if (sc->ok)
		printf("\nscale: %zu idle channels (%d lines listed): %.2f KiB "
		    "of daemon memory per channel, wsctl list %.1f ms (%.1f ms "
		    "CPU), wsctl abort --all %.1f ms (%.1f ms CPU)\n",
		    sc->channels, sc->listed, sc->kib_per_channel, sc->list_ms,
		    sc->list_cpu_ms, sc->abort_ms, sc->abort_cpu_ms);
	if (sc->ok)
		printf("wsctl list of %d channels, extrapolated: %.1f ms (an "
		    "empty list took %.1f ms; the rest grows with the "
		    "channels)\n", SCALE_TARGET, scale_list_at(sc, SCALE_TARGET),
		    sc->list0_ms);
	if (sc->closed > 0)
		printf("abort --all floor: %zu loopback TCP sockets closed with "
		    "a reset by one process, %.1f ms (%.1f ms CPU)\n",
		    sc->closed, sc->close_ms, sc->close_cpu_ms);
}

/* Where the daemon ran, and the CPUs' speeds if they differ, into buf. */
static void
daemon_cpu_words(const struct row *r, char *buf, size_t size)
{
	size_t len;
	bool differ = false;
	int i;

	daemon_cpu_blocks(r->daemon_cpu, buf, size);
	len = strlen(buf);
	if (r->io_with_daemon > 0 && len < size)
		snprintf(buf + len, size - len, "; library I/O thread there "
		    "after %d", r->io_with_daemon);
	for (i = 0; i < CPU_MAX; i++)
		if (r->cpu_speed[i] > 0 && r->cpu_speed[i] < 0.8)
			differ = true;
	for (i = 0; differ && i < CPU_MAX; i++) {
		len = strlen(buf);
		if (r->cpu_speed[i] > 0 && len < size)
			snprintf(buf + len, size - len, "; cpu%d speed %.2f",
			    i, r->cpu_speed[i]);
	}
}

/* Each CPU's speed, and a word when they differ. */
static void
print_cpus(void)
{
	double slowest = 1;
	int i;

	printf("CPU speed at the start (one loop pinned to each, 1 = the "
	    "fastest; measured again before each row):");
	for (i = 0; i < CPU_MAX; i++)
		if (cpu_speed[i] > 0) {
			printf(" cpu%d %.2f", i, cpu_speed[i]);
			if (cpu_speed[i] < slowest)
				slowest = cpu_speed[i];
		}
	printf("\n");
	if (slowest < 0.8)
		printf("The CPUs differ in speed: a row's figures depend on "
		    "which CPU the daemon ran on (last column), and the "
		    "floor's processes on where they ran.\n");
	printf("\n");
}

/* ,"name":{"cpu":value,...} for the CPUs with a value above 0. */
static void
print_json_cpus(const char *name, const double *v, int decimals)
{
	bool first = true;
	int i;

	printf(",\"%s\":{", name);
	for (i = 0; i < CPU_MAX; i++) {
		if (v[i] <= 0)
			continue;
		printf("%s\"%d\":%.*f", first ? "" : ",", i, decimals, v[i]);
		first = false;
	}
	printf("}");
}

static void
print_json(const struct scale *sc)
{
	const struct row *r;
	double blocks[CPU_MAX];
	size_t i;
	int j;

	printf("{\"bench\":\"wsbench\",\"cpus\":%ld,\"blocks\":%d",
	    sysconf(_SC_NPROCESSORS_ONLN), nblocks);
	for (i = 0; i < NROWS; i++) {
		r = &bench_rows[i];
		if (!r->ok)
			continue;
		printf(",\"%s\":{\"value\":%.1f,\"floor\":%.1f,\"ratio\":%.3f,"
		    "\"target\":%.2f,\"met\":%s", r->key, r->value, r->floor,
		    row_ratio(r), r->target, row_met(r) ? "true" : "false");
		for (j = 0; j < CPU_MAX; j++)
			blocks[j] = r->daemon_cpu[j];
		print_json_cpus("daemon_cpu_blocks", blocks, 0);
		print_json_cpus("cpu_speed", r->cpu_speed, 2);
		printf(",\"io_thread_with_daemon_blocks\":%d}",
		    r->io_with_daemon);
	}
	if (sc->ok)
		printf(",\"scale\":{\"channels\":%zu,\"kib_per_channel\":%.3f,"
		    "\"list_ms\":%.1f,\"list_cpu_ms\":%.1f,\"abort_all_ms\":%.1f,"
		    "\"abort_all_cpu_ms\":%.1f,\"empty_list_ms\":%.1f,"
		    "\"list_ms_at_%d\":%.1f}", sc->channels,
		    sc->kib_per_channel, sc->list_ms, sc->list_cpu_ms,
		    sc->abort_ms, sc->abort_cpu_ms, sc->list0_ms, SCALE_TARGET,
		    scale_list_at(sc, SCALE_TARGET));
	if (sc->closed > 0)
		printf(",\"abort_all_floor\":{\"sockets\":%zu,\"ms\":%.1f,"
		    "\"cpu_ms\":%.1f}", sc->closed, sc->close_ms,
		    sc->close_cpu_ms);
	printf("}\n");
}

int
main(void)
{
	const char *env = getenv("WSBENCH_BLOCKS");
	struct scale sc;
	size_t i, pairs;
	int status;

	if (env != NULL && atoi(env) > 0)
		nblocks = atoi(env) < MAX_BLOCKS ? atoi(env) : MAX_BLOCKS;
	pairs = scale_pairs();
	signal(SIGPIPE, SIG_IGN);
	if (harness_daemon_start() < 0) {
		fprintf(stderr, "wsbench: cannot start wschanneld from %s\n",
		    harness_builddir());
		return 1;
	}
	printf("wsbench: private wschanneld at %s, %ld CPUs, %d interleaved "
	    "blocks per row\n", harness_socket_path(),
	    sysconf(_SC_NPROCESSORS_ONLN), nblocks);
	cpus_probe();
	print_cpus();
	fflush(stdout);
	for (i = 0; i < NROWS; i++) {
		if (!row_wanted(&bench_rows[i]))
			continue;
		memset(daemon_blocks, 0, sizeof(daemon_blocks));
		io_with_daemon = 0;
		cpus_probe();
		memcpy(bench_rows[i].cpu_speed, cpu_speed, sizeof(cpu_speed));
		bench_rows[i].ok = bench_rows[i].run(&bench_rows[i]) == 0;
		memcpy(bench_rows[i].daemon_cpu, daemon_blocks,
		    sizeof(daemon_blocks));
		bench_rows[i].io_with_daemon = io_with_daemon;
		if (!bench_rows[i].ok)
			fprintf(stderr, "wsbench: %s: could not be measured\n",
			    bench_rows[i].key);
	}
	memset(&sc, 0, sizeof(sc));
	if (pairs > 0)
		bench_scale(pairs, &sc);
	if (sc.ok)
		bench_close_floor(sc.channels, &sc);
	print_table(&sc);
	printf("\n");
	print_json(&sc);
	status = harness_daemon_stop();
	if (status != 0)
		fprintf(stderr, "wsbench: wschanneld exited with %d\n", status);
	return 0;
}
