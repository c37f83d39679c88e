/*
 * stress: many channel pairs through one private wschanneld, from many
 * threads, with aborts from other threads at random moments and client
 * processes killed in the middle of a call.  Every asynchronous operation
 * is counted: each must complete exactly once (none lost, none doubled),
 * nothing may hang, and afterwards the daemon's descriptors and memory
 * come back to their baseline.  Prints one table; exits non-zero when a
 * rule was broken.
 *
 *   STRESS_SECONDS  how long the storm lasts (default 4: the bounded run of
 *                   make check; make stress runs longer)
 *   STRESS_THREADS  worker threads (default 6)
 *   STRESS_BINDINGS which bindings take part: any of "tcp", "udp", "http"
 *                   (default all three)
 *   STRESS_VALGRIND 1: the daemon runs under valgrind, and its exit must
 *                   be clean (memory figures are then not checked)
 *   STRESS_SLOW_PEERS  k > 0: afterwards, report a healthy pair's message
 *                   latency while k slow peers hold a listener (the fd
 *                   limits of test and daemon raised to the hard limit),
 *                   the daemon's memory per slow peer and per open
 *                   channel, the same for k slow HTTP clients against a
 *                   REPLY listener, and a healthy UDP exchange under a
 *                   flood of hostile datagrams (never asserted)
 *
 * Every binding with a transport takes part: net.tcp pairs, soap.udp
 * DUPLEX channels against a DUPLEX listener (an accept per datagram) and
 * HTTP REQUEST channels against a REPLY listener (an accept per request).
 * Each worker round picks one at random; the killer's client processes
 * (abort_client for net.tcp, stress_client for the others) rotate too.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "harness.h"

enum { BIND_TCP, BIND_UDP, BIND_HTTP };

#define WAIT_MS		15000	/* bound of any wait that must succeed */
#define SLOTS		64	/* channels the aborter may pick from */

/* One asynchronous operation; kept to the end to catch a late double. */
struct op {
	struct harness_async	 a;
	struct harness_msg	 m;
	HRESULT			 ret;	/* what the call returned */
	const char		*what;	/* for the report of a hang */
	HRESULT			 also;	/* a further result it may end with */
	struct op		*next;
};

static struct {
	int		 seconds, threads;
	bool		 valgrind;
	bool		 use[3];	/* BIND_TCP, BIND_UDP, BIND_HTTP */
	uint64_t	 deadline;
	WS_LISTENER	*l;
	uint16_t	 port;
	WS_LISTENER	*ludp, *lhttp;	/* shared by the workers too */
	uint16_t	 pudp, phttp;
	pthread_mutex_t	 lock;		/* ops list and slots */
	struct op	*ops;
	WS_CHANNEL	*slot[SLOTS];
	atomic_uint	 seed;
	atomic_long	 started, sync_calls, aborts, kills, pairs;
	atomic_long	 udp_rounds, udp_accepted, http_rounds, http_answered;
	atomic_long	 hung;		/* waits that ran out */
	atomic_long	 unexpected;	/* results no rule allows */
} S;

static unsigned
rnd(unsigned n)
{
	unsigned x = atomic_fetch_add(&S.seed, 0x9e3779b9u);

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	return n == 0 ? 0 : x % n;
}

static bool
running(void)
{
	return harness_now_us() < S.deadline;
}

/* This thread's operations since op_release(): their messages are freed
 * there, so memory stays flat however long the storm. */
#define MINE_MAX	16
static __thread struct op *mine[MINE_MAX];
static __thread int nmine;

static struct op *
op_new(const char *what)
{
	struct op *o = calloc(1, sizeof(*o));

	if (o == NULL)
		abort();
	if (nmine < MINE_MAX)
		mine[nmine++] = o;
	harness_async_init(&o->a);
	o->what = what;
	pthread_mutex_lock(&S.lock);
	o->next = S.ops;
	S.ops = o;
	pthread_mutex_unlock(&S.lock);
	atomic_fetch_add(&S.started, 1);
	return o;
}

/* An async call returned `hr`: anything but WS_S_ASYNC is its result and
 * no callback may follow (the final count checks that). */
static void
op_returned(struct op *o, HRESULT hr)
{
	o->ret = hr;
}

/* Waits for `o` when it went async; false (and counted) when it hung. */
static bool
op_wait(struct op *o)
{
	if (o->ret != WS_S_ASYNC)
		return true;
	if (harness_async_wait(&o->a, 1, WAIT_MS) >= 1)
		return true;
	atomic_fetch_add(&S.hung, 1);
	fprintf(stderr, "stress: %s did not end within %d ms\n", o->what,
	    WAIT_MS);
	return false;
}

/* The channels are gone: each of this thread's operations has ended (or
 * is counted as hung); their messages can go. */
static void
op_release(void)
{
	int i;

	for (i = 0; i < nmine; i++)
		if (op_wait(mine[i]))
			harness_msg_free(&mine[i]->m);
	nmine = 0;
}

/* Every result a stressed operation may end with. */
static void
op_check(HRESULT hr)
{
	switch (hr) {
	case S_OK:
	case WS_S_ASYNC:
	case WS_S_END:
	case WS_E_OPERATION_ABORTED:
	case WS_E_OBJECT_FAULTED:
	case WS_E_INVALID_OPERATION:
	case WS_E_ENDPOINT_DISCONNECTED:
	case WS_E_OPERATION_TIMED_OUT:
	case WS_E_QUOTA_EXCEEDED:
	/* HTTP: a REPLY listener whose queue is full, or whose accepted
	 * channel went away before it answered, gives 503. */
	case WS_E_ENDPOINT_TOO_BUSY:
		return;
	default:
		fprintf(stderr, "stress: unexpected result %s\n",
		    harness_hr_name(hr));
		atomic_fetch_add(&S.unexpected, 1);
	}
}

static void
slot_put(WS_CHANNEL *ch)
{
	unsigned i = rnd(SLOTS);

	pthread_mutex_lock(&S.lock);
	if (S.slot[i] == NULL)
		S.slot[i] = ch;
	pthread_mutex_unlock(&S.lock);
}

static void
slot_take(WS_CHANNEL *ch)
{
	int i;

	pthread_mutex_lock(&S.lock);
	for (i = 0; i < SLOTS; i++)
		if (S.slot[i] == ch)
			S.slot[i] = NULL;
	pthread_mutex_unlock(&S.lock);
}

/* Aborts a random published channel every few milliseconds. */
static void *
aborter_main(void *arg)
{
	WS_CHANNEL *ch;
	unsigned i;

	while (running()) {
		harness_sleep_ms(1 + (int)rnd(4));
		i = rnd(SLOTS);
		pthread_mutex_lock(&S.lock);
		/* Under the lock: its owner cannot free it meanwhile. */
		if ((ch = S.slot[i]) != NULL) {
			op_check(WsAbortChannel(ch, NULL));
			atomic_fetch_add(&S.aborts, 1);
		}
		pthread_mutex_unlock(&S.lock);
	}
	return NULL;
}

/* One pair: accept + open, a few exchanges with async receives pending,
 * then one of the ways a pair ends, at a random moment. */
static void
worker_pair(void)
{
	struct op *acc, *o, *rc, *rs;
	struct harness_msg m = { 0 };
	WS_CHANNEL *c = NULL, *s = NULL;
	/* Opens pair with any worker's accept; when the aborter ended one,
	 * one open waits for an accept that may not come: its timeout
	 * ends it well within WAIT_MS. */
	ULONG ct = 2000;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT, &ct,
	    sizeof(ct) };
	HRESULT hr;
	int i, n;

	if (FAILED(WsCreateChannelForListener(S.l, NULL, 0, &s, NULL)) ||
	    FAILED(harness_tcp_channel(&c, &prop, 1))) {
		atomic_fetch_add(&S.unexpected, 1);
		goto out;
	}
	acc = op_new("accept");
	op_returned(acc, WsAcceptChannel(S.l, s, &acc->a.ctx, NULL));
	slot_put(s);
	o = op_new("open");
	op_returned(o, harness_open(c, S.port, &o->a.ctx, NULL));
	slot_put(c);
	op_check(acc->ret);
	op_check(o->ret);
	if (!op_wait(o) || !op_wait(acc))
		goto out;
	atomic_fetch_add(&S.pairs, 1);
	/* Receives pending on both ends while messages flow. */
	rs = op_new("receive (server)");
	rs->m.optional = true;		/* the End is WS_S_END */
	op_returned(rs, harness_receive(s, &rs->m, HARNESS_BODY_INT,
	    &rs->a.ctx));
	rc = op_new("receive (client)");
	rc->m.optional = true;
	op_returned(rc, harness_receive(c, &rc->m, HARNESS_BODY_INT,
	    &rc->a.ctx));
	n = (int)rnd(4);
	for (i = 0; i < n; i++) {
		o = op_new("send");
		op_returned(o, harness_send_int32(i % 2 ? s : c, &o->m, i,
		    &o->a.ctx));
		op_check(o->ret);
		if (rnd(3) == 0) {
			hr = harness_send_int32(c, &m, i, NULL);
			atomic_fetch_add(&S.sync_calls, 1);
			op_check(hr);
			harness_msg_free(&m);
		}
	}
	harness_sleep_ms((int)rnd(3));
	switch (rnd(5)) {
	case 0:		/* abort both, then free */
		op_check(WsAbortChannel(c, NULL));
		op_check(WsAbortChannel(s, NULL));
		break;
	case 1:		/* a close of each end (each waits for the other) */
		o = op_new("close (client)");
		op_returned(o, WsCloseChannel(c, &o->a.ctx, NULL));
		op_check(o->ret);
		hr = WsCloseChannel(s, NULL, NULL);
		atomic_fetch_add(&S.sync_calls, 1);
		op_check(hr);
		op_wait(o);
		break;
	case 2:		/* one end closes, the other is freed under it */
		o = op_new("close (server)");
		op_returned(o, WsCloseChannel(s, &o->a.ctx, NULL));
		op_check(o->ret);
		break;
	case 3:		/* the session is shut down, then freed */
		o = op_new("shutdown");
		op_returned(o, WsShutdownSessionChannel(c, &o->a.ctx, NULL));
		op_check(o->ret);
		break;
	default:	/* freed with everything pending */
		break;
	}
out:
	if (c != NULL) {
		slot_take(c);
		WsFreeChannel(c);
	}
	if (s != NULL) {
		slot_take(s);
		WsFreeChannel(s);
	}
	op_release();
}

/* Creates `l` of `type` on `binding` and opens it on "<scheme>://
 * 127.0.0.1:<free port>/x", retrying when the port was taken meanwhile. */
static HRESULT
stress_listener(WS_CHANNEL_TYPE type, WS_CHANNEL_BINDING binding,
    const char *scheme, WS_LISTENER **l, uint16_t *port)
{
	char url[96];
	WS_STRING s;
	HRESULT hr;
	int i;

	if (FAILED(hr = WsCreateListener(type, binding, NULL, 0, NULL, l,
	    NULL)))
		return hr;
	for (i = 0; i < 5; i++) {
		if (harness_free_port(port) != 0)
			continue;
		snprintf(url, sizeof(url), "%s://127.0.0.1:%u/x", scheme,
		    (unsigned)*port);
		s = harness_ws_string(url);
		hr = WsOpenListener(*l, &s, NULL, NULL);
		free(s.chars);
		if (hr == S_OK)
			return S_OK;
		WsCloseListener(*l, NULL, NULL);
		WsResetListener(*l, NULL);
	}
	WsFreeListener(*l);
	*l = NULL;
	return hr;
}

static void
stress_url(char *buf, size_t len, const char *scheme, uint16_t port)
{
	snprintf(buf, len, "%s://127.0.0.1:%u/x", scheme, (unsigned)port);
}

/* Waits up to ms for `o` when it went async; true when it has ended.
 * For waits that may rightly never end by themselves (a datagram that
 * another worker's accept took): freeing the channel ends them later. */
static bool
op_ended(struct op *o, int ms)
{
	return o->ret != WS_S_ASYNC || harness_async_wait(&o->a, 1, ms) >= 1;
}

/* What an operation ended with: its return, or its callback's. */
static HRESULT
op_result(struct op *o)
{
	return o->ret != WS_S_ASYNC ? o->ret : o->a.hr;
}

/* The way a round ends, for both channels: aborts, closes (sync or async),
 * or nothing before the frees. */
static void
worker_finish(WS_CHANNEL *c, WS_CHANNEL *s, const char *tag)
{
	struct op *o;

	switch (rnd(4)) {
	case 0:
		op_check(WsAbortChannel(c, NULL));
		op_check(WsAbortChannel(s, NULL));
		break;
	case 1:
		o = op_new(tag);
		op_returned(o, WsCloseChannel(s, &o->a.ctx, NULL));
		op_check(o->ret);
		op_check(WsCloseChannel(c, NULL, NULL));
		atomic_fetch_add(&S.sync_calls, 1);
		break;
	case 2:
		o = op_new(tag);
		op_returned(o, WsCloseChannel(c, &o->a.ctx, NULL));
		op_check(o->ret);
		break;
	default:	/* freed with everything pending */
		break;
	}
}

/*
 * One soap.udp round: a DUPLEX client sends a datagram or a few to the
 * shared DUPLEX listener while this worker's accept waits there.  Any
 * worker's accept may take our datagram, so waits for the accept and the
 * answer are short and may run out; freeing then ends what still waits.
 */
static void
worker_udp(void)
{
	struct op *acc, *o, *rc, *rs;
	struct harness_msg m = { 0 };
	WS_CHANNEL *c = NULL, *s = NULL;
	char url[96];
	int i, n;

	if (FAILED(WsCreateChannelForListener(S.ludp, NULL, 0, &s, NULL)) ||
	    FAILED(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL))) {
		atomic_fetch_add(&S.unexpected, 1);
		goto out;
	}
	atomic_fetch_add(&S.udp_rounds, 1);
	acc = op_new("accept (udp)");
	op_returned(acc, WsAcceptChannel(S.ludp, s, &acc->a.ctx, NULL));
	op_check(acc->ret);
	slot_put(s);
	stress_url(url, sizeof(url), "soap.udp", S.pudp);
	o = op_new("open (udp)");
	op_returned(o, harness_open_url(c, url, rnd(2) ? &o->a.ctx : NULL,
	    NULL));
	op_check(o->ret);
	slot_put(c);
	if (!op_wait(o) || op_result(o) != S_OK)
		goto finish;
	/* The answer's receive waits while the datagrams leave. */
	rc = op_new("receive (udp client)");
	op_returned(rc, harness_receive(c, &rc->m, HARNESS_BODY_INT,
	    &rc->a.ctx));
	op_check(rc->ret);
	n = 1 + (int)rnd(3);
	for (i = 0; i < n; i++) {
		if (rnd(2) == 0) {
			o = op_new("send (udp)");
			op_returned(o, harness_send_int32(c, &o->m, i,
			    &o->a.ctx));
			op_check(o->ret);
		} else {
			op_check(harness_send_int32(c, &m, i, NULL));
			atomic_fetch_add(&S.sync_calls, 1);
			harness_msg_free(&m);
		}
	}
	if (!op_ended(acc, 50 + (int)rnd(200)) || op_result(acc) != S_OK)
		goto finish;
	atomic_fetch_add(&S.udp_accepted, 1);
	/* The accepted channel holds one datagram, then its end. */
	rs = op_new("receive (udp server)");
	rs->m.optional = true;
	op_returned(rs, harness_receive(s, &rs->m, HARNESS_BODY_INT,
	    rnd(2) ? &rs->a.ctx : NULL));
	op_check(rs->ret);
	if (op_ended(rs, 200) && op_result(rs) == S_OK) {
		o = op_new("answer (udp)");
		op_returned(o, harness_send_int32(s, &o->m, 100,
		    rnd(2) ? &o->a.ctx : NULL));
		op_check(o->ret);
	}
	harness_sleep_ms((int)rnd(3));
finish:
	worker_finish(c, s, "close (udp)");
out:
	if (c != NULL) {
		slot_take(c);
		WsFreeChannel(c);
	}
	if (s != NULL) {
		slot_take(s);
		WsFreeChannel(s);
	}
	op_release();
}

/*
 * One HTTP round: a REQUEST channel sends a request to the shared REPLY
 * listener while this worker's accept waits there; whichever request the
 * accept took gets an answer (or an abort, or a close without one: 202).
 * The request's send ends with the response's headers, then the answer
 * is received.
 */
static void
worker_http(void)
{
	struct op *acc, *o, *rc, *rq, *rs;
	WS_CHANNEL *c = NULL, *s = NULL;
	char url[96];

	if (FAILED(WsCreateChannelForListener(S.lhttp, NULL, 0, &s, NULL)) ||
	    FAILED(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
	    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL))) {
		atomic_fetch_add(&S.unexpected, 1);
		goto out;
	}
	atomic_fetch_add(&S.http_rounds, 1);
	acc = op_new("accept (http)");
	op_returned(acc, WsAcceptChannel(S.lhttp, s, &acc->a.ctx, NULL));
	op_check(acc->ret);
	slot_put(s);
	stress_url(url, sizeof(url), "http", S.phttp);
	o = op_new("open (http)");
	op_returned(o, harness_open_url(c, url, rnd(2) ? &o->a.ctx : NULL,
	    NULL));
	op_check(o->ret);
	slot_put(c);
	if (!op_wait(o) || op_result(o) != S_OK)
		goto finish;
	rq = op_new("request (http)");
	op_returned(rq, harness_send_int32(c, &rq->m, 1, &rq->a.ctx));
	op_check(rq->ret);
	if (!op_ended(acc, 50 + (int)rnd(200)) || op_result(acc) != S_OK)
		goto finish;
	rs = op_new("receive (http server)");
	op_returned(rs, harness_receive(s, &rs->m, HARNESS_BODY_INT,
	    rnd(2) ? &rs->a.ctx : NULL));
	op_check(rs->ret);
	if (op_ended(rs, 500) && op_result(rs) == S_OK && rnd(4) != 0) {
		o = op_new("answer (http)");
		op_returned(o, harness_send_int32(s, &o->m, 2,
		    rnd(2) ? &o->a.ctx : NULL));
		op_check(o->ret);
	}
	if (op_ended(rq, 50 + (int)rnd(200)) && op_result(rq) == S_OK &&
	    rnd(3) != 0) {
		atomic_fetch_add(&S.http_answered, 1);
		rc = op_new("receive (http client)");
		rc->m.optional = true;
		/* Whoever took our request may have closed without an
		 * answer: the 202 has no envelope to read. */
		rc->also = WS_E_INVALID_FORMAT;
		op_returned(rc, harness_receive(c, &rc->m, HARNESS_BODY_INT,
		    rnd(2) ? &rc->a.ctx : NULL));
		if (rc->ret != rc->also)
			op_check(rc->ret);
	}
	harness_sleep_ms((int)rnd(3));
finish:
	worker_finish(c, s, "close (http)");
out:
	if (c != NULL) {
		slot_take(c);
		WsFreeChannel(c);
	}
	if (s != NULL) {
		slot_take(s);
		WsFreeChannel(s);
	}
	op_release();
}

static void *
worker_main(void *arg)
{
	unsigned b;

	while (running()) {
		while (!S.use[b = rnd(3)])
			continue;
		if (b == BIND_UDP)
			worker_udp();
		else if (b == BIND_HTTP)
			worker_http();
		else
			worker_pair();
	}
	return NULL;
}

/*
 * Another process holds channels to `l`, its receives blocked, and is
 * killed at a random moment: the receives pending on our accepted ends
 * must each end once, and the daemon must let go of its channels.
 */
static void
killer_tcp(WS_LISTENER *l, char *argv[])
{
	WS_CHANNEL *s[2];
	struct op *acc[2], *rcv[2];
	char line[64];
	pid_t pid;
	int outfd, i, ready;

	for (i = 0; i < 2; i++) {
		s[i] = NULL;
		if (FAILED(WsCreateChannelForListener(l, NULL, 0, &s[i],
		    NULL)))
			abort();
		acc[i] = op_new("accept (killed client)");
		op_returned(acc[i], WsAcceptChannel(l, s[i],
		    &acc[i]->a.ctx, NULL));
	}
	if ((pid = harness_spawn(argv, &outfd)) <= 0) {
		atomic_fetch_add(&S.unexpected, 1);
		goto out;
	}
	/*
	 * Half the time it is killed while its receives block (its
	 * opens completed, so our accepts did): our receives pending
	 * then must end by its death alone.  Otherwise it dies before,
	 * during or after its opens, and freeing ends our accepts.
	 */
	ready = rnd(2) == 0 && harness_read_line(outfd, line,
	    sizeof(line), WAIT_MS) == 0;
	for (i = 0; ready && i < 2; i++) {
		rcv[i] = NULL;
		if (op_wait(acc[i]) && (acc[i]->ret == S_OK ||
		    acc[i]->a.hr == S_OK)) {
			rcv[i] = op_new("receive (killed client)");
			rcv[i]->m.optional = true;
			op_returned(rcv[i], harness_receive(s[i],
			    &rcv[i]->m, HARNESS_BODY_INT,
			    &rcv[i]->a.ctx));
		}
	}
	harness_sleep_ms((int)rnd(20));
	kill(pid, SIGKILL);
	harness_wait_pid(pid, WAIT_MS);
	close(outfd);
	atomic_fetch_add(&S.kills, 1);
	for (i = 0; ready && i < 2; i++)
		if (rcv[i] != NULL)
			op_wait(rcv[i]);
out:
	for (i = 0; i < 2; i++)
		WsFreeChannel(s[i]);
	op_release();
}

/*
 * The same on soap.udp or HTTP: stress_client sends a datagram (and waits
 * for the answer) or a request (and waits in its send), and is killed at
 * a random moment.  Our accept takes its datagram or request when it came;
 * the answer then goes to a process that may be gone: it must end once,
 * and the daemon must let go of the dead client's channel.
 */
static void
killer_other(WS_LISTENER *l, char *argv[])
{
	WS_CHANNEL *s = NULL;
	struct op *acc, *rcv, *o;
	char line[64];
	pid_t pid;
	int outfd;

	if (FAILED(WsCreateChannelForListener(l, NULL, 0, &s, NULL)))
		abort();
	acc = op_new("accept (killed client)");
	op_returned(acc, WsAcceptChannel(l, s, &acc->a.ctx, NULL));
	if ((pid = harness_spawn(argv, &outfd)) <= 0) {
		atomic_fetch_add(&S.unexpected, 1);
		goto out;
	}
	if (rnd(2) == 0 && harness_read_line(outfd, line, sizeof(line),
	    WAIT_MS) == 0 && op_ended(acc, 200 + (int)rnd(200)) &&
	    op_result(acc) == S_OK) {
		rcv = op_new("receive (killed client)");
		rcv->m.optional = true;
		op_returned(rcv, harness_receive(s, &rcv->m, HARNESS_BODY_INT,
		    &rcv->a.ctx));
		op_check(rcv->ret);
		harness_sleep_ms((int)rnd(20));
		kill(pid, SIGKILL);
		if (op_wait(rcv) && op_result(rcv) == S_OK) {
			o = op_new("answer (killed client)");
			op_returned(o, harness_send_int32(s, &o->m, 8,
			    &o->a.ctx));
			op_check(o->ret);
			op_wait(o);
		}
	} else {
		harness_sleep_ms((int)rnd(20));
		kill(pid, SIGKILL);
	}
	harness_wait_pid(pid, WAIT_MS);
	close(outfd);
	atomic_fetch_add(&S.kills, 1);
out:
	WsFreeChannel(s);
	op_release();
}

/* Kills client processes of each binding in turn, each on a listener of
 * its own so that no worker's accept takes their datagrams or requests. */
static void *
killer_main(void *arg)
{
	WS_LISTENER *l = NULL, *lu = NULL, *lh = NULL;
	char url[96], uurl[96], hurl[96], *argv[5], *uargv[4], *hargv[4];
	uint16_t port, pu, ph;
	unsigned n = 0;

	if (FAILED(harness_tcp_listener_open(&l, &port)) ||
	    FAILED(stress_listener(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, "soap.udp", &lu, &pu)) ||
	    FAILED(stress_listener(WS_CHANNEL_TYPE_REPLY,
	    WS_HTTP_CHANNEL_BINDING, "http", &lh, &ph))) {
		atomic_fetch_add(&S.unexpected, 1);
		return NULL;
	}
	harness_url(url, sizeof(url), port, "k");
	argv[0] = harness_build_path("tests/abort_client");
	argv[1] = "hold";
	argv[2] = url;
	argv[3] = "2";
	argv[4] = NULL;
	stress_url(uurl, sizeof(uurl), "soap.udp", pu);
	stress_url(hurl, sizeof(hurl), "http", ph);
	uargv[0] = hargv[0] = harness_build_path("tests/stress_client");
	uargv[1] = "udp";
	hargv[1] = "http";
	uargv[2] = uurl;
	hargv[2] = hurl;
	uargv[3] = hargv[3] = NULL;
	while (running())
		switch (n++ % 3) {
		case BIND_TCP:
			if (S.use[BIND_TCP])
				killer_tcp(l, argv);
			break;
		case BIND_UDP:
			if (S.use[BIND_UDP])
				killer_other(lu, uargv);
			break;
		default:
			if (S.use[BIND_HTTP])
				killer_other(lh, hargv);
			break;
		}
	free(argv[0]);
	free(uargv[0]);
	WsFreeListener(l);
	WsFreeListener(lu);
	WsFreeListener(lh);
	return NULL;
}

/* The daemon's open descriptors, or -1. */
static int
daemon_fds(void)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)harness_daemon_pid());
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Waits (bounded) until the daemon holds `want` descriptors. */
static int
daemon_settle_fds(int want)
{
	uint64_t end = harness_now_us() + 1000ull * WAIT_MS;
	int n;

	while ((n = daemon_fds()) > want && harness_now_us() < end)
		harness_sleep_ms(20);
	return n;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The figures issue 14 asks for, reported, never asserted: round trips of
 * a healthy pair while `k` slow peers hold a listener (each sent one byte
 * of its preamble and went quiet, 8 accepts wait), and the daemon's
 * memory per open channel.
 */
static void
slow_peers_phase(int k)
{
	enum { ROUNDS = 2000, ACCEPTS = 8, PAIRS = 100 };
	static uint64_t rtt[ROUNDS];
	struct harness_async acc[ACCEPTS];
	WS_CHANNEL *as[ACCEPTS], *pc[PAIRS], *ps[PAIRS];
	struct harness_msg m = { 0 }, r = { 0 };
	struct harness_pair p;
	WS_LISTENER *l = NULL;
	uint16_t port;
	uint64_t t0;
	long rss0, rss1;
	int *fds, i, n = 0;
	uint8_t b = 0x00;
	struct rlimit rl;

	/* 10,000 peers need more descriptors than the usual soft limit, on
	 * both sides: ours and the daemon's, up to the hard limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (prlimit(harness_daemon_pid(), RLIMIT_NOFILE, &rl,
		    NULL) != 0)
			fprintf(stderr, "stress: prlimit on the daemon: %s\n",
			    strerror(errno));
		printf("| RLIMIT_NOFILE of test and daemon | %llu |\n",
		    (unsigned long long)rl.rlim_cur);
	}
	if ((fds = calloc((size_t)k, sizeof(*fds))) == NULL ||
	    FAILED(harness_tcp_listener_open(&l, &port)) ||
	    FAILED(harness_pair_open(&p, NULL, 0)))
		return;
	for (i = 0; i < ACCEPTS; i++) {
		as[i] = NULL;
		harness_async_init(&acc[i]);
		if (SUCCEEDED(WsCreateChannelForListener(l, NULL, 0, &as[i],
		    NULL)))
			(void)WsAcceptChannel(l, as[i], &acc[i].ctx, NULL);
	}
	harness_sleep_ms(200);
	rss0 = harness_daemon_rss_kib();
	for (i = 0; i < k; i++) {
		if ((fds[n] = harness_tcp_connect_nb(port)) < 0)
			break;
		/* Half stay silent, half send the first byte of a preamble. */
		if (i % 2 == 0)
			(void)send(fds[n], &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		n++;
	}
	harness_sleep_ms(1000);
	rss1 = harness_daemon_rss_kib();
	printf("| daemon fds while slow peers connect | %d |\n", daemon_fds());
	if (n > 0)
		printf("| daemon VmRSS growth per slow peer, KiB | %.2f |\n",
		    (double)(rss1 - rss0) / n);
	for (i = 0; i < ROUNDS; i++) {
		t0 = harness_now_us();
		if (harness_send_int32(p.client, &m, i, NULL) != S_OK ||
		    harness_receive(p.server, &r, HARNESS_BODY_INT, NULL) != S_OK)
			break;
		rtt[i] = harness_now_us() - t0;
		harness_msg_free(&m);
		harness_msg_free(&r);
	}
	if (i > 0) {
		qsort(rtt, (size_t)i, sizeof(rtt[0]), cmp_u64);
		printf("| slow peers held | %d |\n", n);
		printf("| one-way message under slow peers, us p50 / p99 / max "
		    "| %llu / %llu / %llu |\n",
		    (unsigned long long)rtt[i / 2],
		    (unsigned long long)rtt[i * 99 / 100],
		    (unsigned long long)rtt[i - 1]);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	for (i = 0; i < ACCEPTS; i++) {
		WsFreeChannel(as[i]);
		harness_async_wait(&acc[i], 1, WAIT_MS);
		harness_async_destroy(&acc[i]);
	}
	WsFreeListener(l);
	harness_pair_free(&p);
	free(fds);

	/* Memory per open channel: PAIRS idle pairs through one listener. */
	if (FAILED(harness_tcp_listener_open(&l, &port)))
		return;
	harness_sleep_ms(200);
	rss0 = harness_daemon_rss_kib();
	for (i = 0; i < PAIRS; i++) {
		pc[i] = ps[i] = NULL;
		if (SUCCEEDED(harness_tcp_channel(&pc[i], NULL, 0)))
			(void)harness_open_accepted(l, port, pc[i], &ps[i]);
	}
	rss1 = harness_daemon_rss_kib();
	printf("| daemon VmRSS per open channel, KiB | %.1f |\n",
	    (double)(rss1 - rss0) / (2 * PAIRS));
	for (i = 0; i < PAIRS; i++) {
		if (pc[i] != NULL)
			WsFreeChannel(pc[i]);
		if (ps[i] != NULL)
			WsFreeChannel(ps[i]);
	}
	WsFreeListener(l);
	fflush(stdout);
}

/* p50 / p99 / max of `n` samples (sorted here), as one table row. */
static void
report_rtt(const char *what, uint64_t *v, int n)
{
	if (n <= 0) {
		printf("| %s, us p50 / p99 / max | (no round) |\n", what);
		return;
	}
	qsort(v, (size_t)n, sizeof(v[0]), cmp_u64);
	printf("| %s, us p50 / p99 / max | %llu / %llu / %llu |\n", what,
	    (unsigned long long)v[n / 2], (unsigned long long)v[n * 99 / 100],
	    (unsigned long long)v[n - 1]);
}

/* One healthy HTTP request and answer through `l` (both ends ours, from
 * this thread: the accept and the request go async); its time in us, or
 * 0 when a step failed. */
static uint64_t
http_round(WS_LISTENER *l, WS_CHANNEL *c, int32_t v)
{
	struct harness_async acc, snd;
	struct harness_msg q = { 0 }, r = { 0 }, a = { 0 }, b = { 0 };
	WS_CHANNEL *s = NULL;
	uint64_t t0 = harness_now_us(), dt = 0;
	HRESULT hr;

	harness_async_init(&acc);
	harness_async_init(&snd);
	if (FAILED(WsCreateChannelForListener(l, NULL, 0, &s, NULL)))
		goto out;
	hr = WsAcceptChannel(l, s, &acc.ctx, NULL);
	if (FAILED(hr) || harness_send_int32(c, &q, v, &snd.ctx) !=
	    WS_S_ASYNC)
		goto out;
	if (hr == WS_S_ASYNC && (harness_async_wait(&acc, 1, WAIT_MS) < 1 ||
	    acc.hr != S_OK))
		goto out;
	if (harness_receive(s, &r, HARNESS_BODY_INT, NULL) != S_OK ||
	    harness_send_int32(s, &a, v + 1, NULL) != S_OK ||
	    harness_async_wait(&snd, 1, WAIT_MS) < 1 || snd.hr != S_OK ||
	    harness_receive(c, &b, HARNESS_BODY_INT, NULL) != S_OK ||
	    b.value != v + 1)
		goto out;
	dt = harness_now_us() - t0;
out:
	if (s != NULL)
		WsFreeChannel(s);
	harness_async_wait(&acc, 1, WAIT_MS);
	harness_async_wait(&snd, 1, WAIT_MS);
	harness_async_destroy(&acc);
	harness_async_destroy(&snd);
	harness_msg_free(&q);
	harness_msg_free(&r);
	harness_msg_free(&a);
	harness_msg_free(&b);
	return dt;
}

/*
 * `k` slow HTTP clients hold connections to a REPLY listener, each having
 * sent part of a request line and trickling a byte now and then, while
 * a healthy client's requests are answered on the same listener.
 */
static void
slow_http_phase(int k)
{
	enum { ROUNDS = 500 };
	static const char part[] = "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8\r\n";
	static uint64_t rtt[ROUNDS];
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c = NULL;
	char url[96];
	uint16_t port;
	long rss0, rss1;
	int *fds, *sent, i, j, n = 0, ok = 0;

	if ((fds = calloc((size_t)k, sizeof(*fds))) == NULL ||
	    (sent = calloc((size_t)k, sizeof(*sent))) == NULL ||
	    FAILED(stress_listener(WS_CHANNEL_TYPE_REPLY,
	    WS_HTTP_CHANNEL_BINDING, "http", &l, &port)))
		return;
	stress_url(url, sizeof(url), "http", port);
	if (FAILED(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST,
	    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL)) ||
	    FAILED(harness_open_url(c, url, NULL, NULL)))
		goto out;
	(void)http_round(l, c, 0);
	harness_sleep_ms(200);
	rss0 = harness_daemon_rss_kib();
	for (i = 0; i < k; i++) {
		if ((fds[n] = harness_tcp_connect_nb(port)) < 0)
			break;
		sent[n] = 1 + (int)rnd(10);
		(void)send(fds[n], part, (size_t)sent[n], MSG_DONTWAIT |
		    MSG_NOSIGNAL);
		n++;
	}
	harness_sleep_ms(1000);
	rss1 = harness_daemon_rss_kib();
	for (i = 0; i < ROUNDS; i++) {
		/* A byte more from a few slow clients each round. */
		for (j = 0; j < 20 && n > 0; j++) {
			int x = (int)rnd((unsigned)n);

			if (sent[x] < (int)sizeof(part) - 1 && send(fds[x],
			    part + sent[x], 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
				sent[x]++;
		}
		if ((rtt[ok] = http_round(l, c, i)) != 0)
			ok++;
	}
	printf("| slow HTTP clients connected / daemon fds meanwhile | %d / %d "
	    "|\n", n, daemon_fds());
	printf("| daemon VmRSS growth per slow HTTP client, KiB | %.2f |\n",
	    n > 0 ? (double)(rss1 - rss0) / n : 0.0);
	printf("| healthy HTTP rounds answered | %d of %d |\n", ok, ROUNDS);
	report_rtt("HTTP request + answer under slow clients", rtt, ok);
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (c != NULL)
		WsFreeChannel(c);
	WsFreeListener(l);
	free(fds);
	free(sent);
	fflush(stdout);
}

static atomic_bool flooding;
static atomic_long flooded;

/* Sends hostile datagrams to the port in `arg` until told to stop:
 * random bytes, a truncated envelope, and near-maximum sizes. */
static void *
flood_main(void *arg)
{
	static const char trunc[] = "<s:Envelope xmlns:s=\"http://www.w3.org/"
	    "2003/05/soap-envelope\"><s:Header><a:To";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	static uint8_t buf[65000];
	size_t len;
	int fd, i;

	sin.sin_port = htons(*(uint16_t *)arg);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return NULL;
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)rnd(256);
	memcpy(buf, trunc, sizeof(trunc) - 1);
	while (atomic_load(&flooding)) {
		switch (rnd(3)) {
		case 0:
			len = sizeof(trunc) - 1;
			break;
		case 1:
			len = 1 + rnd(1400);
			break;
		default:
			len = sizeof(buf);
			break;
		}
		if (sendto(fd, buf + (len == sizeof(trunc) - 1 ? 0 :
		    (len < sizeof(buf) ? rnd(64) : 0)), len, 0,
		    (struct sockaddr *)&sin, sizeof(sin)) > 0)
			atomic_fetch_add(&flooded, 1);
	}
	close(fd);
	return NULL;
}

/*
 * A flood of hostile datagrams against a UDP listener while a healthy
 * client's datagrams are accepted and answered there.  Datagrams may be
 * lost under a flood (UDP promises nothing): those rounds are counted,
 * not failed; what matters is that the daemon stays bounded and serves.
 */
static void
udp_flood_phase(void)
{
	enum { ROUNDS = 500 };
	static uint64_t rtt[ROUNDS];
	struct harness_async acc, rcv;
	struct harness_msg q = { 0 }, r = { 0 }, a = { 0 }, b = { 0 };
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c = NULL, *s;
	pthread_t th;
	char url[96];
	uint16_t port;
	uint64_t t0;
	long rss0, rss1;
	int i, ok = 0, lost = 0;

	if (FAILED(stress_listener(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, "soap.udp", &l, &port)))
		return;
	stress_url(url, sizeof(url), "soap.udp", port);
	rss0 = harness_daemon_rss_kib();
	atomic_store(&flooding, true);
	pthread_create(&th, NULL, flood_main, &port);
	for (i = 0; i < ROUNDS; i++) {
		if (c == NULL && (FAILED(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX,
		    WS_UDP_CHANNEL_BINDING, NULL, 0, NULL, &c, NULL)) ||
		    FAILED(harness_open_url(c, url, NULL, NULL))))
			break;
		s = NULL;
		harness_async_init(&acc);
		harness_async_init(&rcv);
		t0 = harness_now_us();
		if (SUCCEEDED(WsCreateChannelForListener(l, NULL, 0, &s,
		    NULL)) && SUCCEEDED(WsAcceptChannel(l, s, &acc.ctx, NULL)) &&
		    harness_receive(c, &b, HARNESS_BODY_INT, &rcv.ctx) ==
		    WS_S_ASYNC && harness_send_int32(c, &q, i, NULL) == S_OK &&
		    harness_async_wait(&acc, 1, 1000) >= 1 && acc.hr == S_OK &&
		    harness_receive(s, &r, HARNESS_BODY_INT, NULL) == S_OK &&
		    harness_send_int32(s, &a, i, NULL) == S_OK &&
		    harness_async_wait(&rcv, 1, 1000) >= 1 && rcv.hr == S_OK)
			rtt[ok++] = harness_now_us() - t0;
		else {
			/* Lost in the flood: a fresh client drops the late
			 * answer with the receive that waits for it. */
			lost++;
			WsFreeChannel(c);
			c = NULL;
		}
		if (s != NULL)
			WsFreeChannel(s);
		harness_async_wait(&acc, 1, WAIT_MS);
		harness_async_wait(&rcv, 1, WAIT_MS);
		harness_async_destroy(&acc);
		harness_async_destroy(&rcv);
		harness_msg_free(&q);
		harness_msg_free(&r);
		harness_msg_free(&a);
		harness_msg_free(&b);
	}
	atomic_store(&flooding, false);
	pthread_join(th, NULL);
	rss1 = harness_daemon_rss_kib();
	printf("| hostile datagrams flooded | %ld |\n", atomic_load(&flooded));
	printf("| healthy UDP rounds answered / lost under the flood | %d / %d "
	    "|\n", ok, lost);
	report_rtt("UDP datagram + answer under the flood", rtt, ok);
	printf("| daemon VmRSS KiB before / after the flood | %ld / %ld |\n",
	    rss0, rss1);
	if (c != NULL)
		WsFreeChannel(c);
	WsFreeListener(l);
	fflush(stdout);
}

static int
env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? atoi(v) : def;
}

int
main(void)
{
	pthread_t *t, ab, kl;
	struct op *o, *next;
	long rss0, rss1, lost = 0, doubled = 0, once = 0, direct = 0;
	int fds0, fds1, i, rc, bad = 0;
	const char *v;

	S.seconds = env_int("STRESS_SECONDS", 4);
	S.threads = env_int("STRESS_THREADS", 6);
	S.valgrind = env_int("STRESS_VALGRIND", 0) != 0;
	if ((v = getenv("STRESS_BINDINGS")) == NULL || *v == '\0')
		v = "tcp,udp,http";
	S.use[BIND_TCP] = strstr(v, "tcp") != NULL;
	S.use[BIND_UDP] = strstr(v, "udp") != NULL;
	S.use[BIND_HTTP] = strstr(v, "http") != NULL;
	if (!S.use[BIND_TCP] && !S.use[BIND_UDP] && !S.use[BIND_HTTP]) {
		fprintf(stderr, "stress: STRESS_BINDINGS names none of tcp, "
		    "udp, http\n");
		return 2;
	}
	if (S.valgrind && !harness_valgrind_usable()) {
		printf("stress: valgrind not usable here; skipped\n");
		return 77;
	}
	atomic_init(&S.seed, (unsigned)getpid() * 2654435761u);
	pthread_mutex_init(&S.lock, NULL);
	if (harness_daemon_start_flags(S.valgrind ? HARNESS_VALGRIND : 0) != 0) {
		fprintf(stderr, "stress: cannot start the daemon\n");
		return 1;
	}
	if (FAILED(harness_tcp_listener_open(&S.l, &S.port)) ||
	    FAILED(stress_listener(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, "soap.udp", &S.ludp, &S.pudp)) ||
	    FAILED(stress_listener(WS_CHANNEL_TYPE_REPLY,
	    WS_HTTP_CHANNEL_BINDING, "http", &S.lhttp, &S.phttp))) {
		fprintf(stderr, "stress: cannot open the listeners\n");
		return 1;
	}
	/* Warm up (the library's connection, the loop's first buffers),
	 * then take the baseline. */
	S.deadline = harness_now_us() + 300000;
	while (running()) {
		if (S.use[BIND_TCP])
			worker_pair();
		if (S.use[BIND_UDP])
			worker_udp();
		if (S.use[BIND_HTTP])
			worker_http();
	}
	harness_sleep_ms(200);
	fds0 = daemon_fds();
	rss0 = harness_daemon_rss_kib();

	S.deadline = harness_now_us() + 1000000ull * (uint64_t)S.seconds;
	if ((t = calloc((size_t)S.threads, sizeof(*t))) == NULL)
		return 1;
	for (i = 0; i < S.threads; i++)
		pthread_create(&t[i], NULL, worker_main, NULL);
	pthread_create(&ab, NULL, aborter_main, NULL);
	pthread_create(&kl, NULL, killer_main, NULL);
	for (i = 0; i < S.threads; i++)
		pthread_join(t[i], NULL);
	pthread_join(ab, NULL);
	pthread_join(kl, NULL);
	free(t);

	/* Every operation ends once: wait for stragglers, then look for a
	 * second callback a little later. */
	for (o = S.ops; o != NULL; o = o->next)
		if (o->ret == WS_S_ASYNC)
			harness_async_wait(&o->a, 1, WAIT_MS);
	harness_sleep_ms(300);
	for (o = S.ops; o != NULL; o = o->next) {
		int calls = harness_async_calls(&o->a);

		if (o->ret == WS_S_ASYNC) {
			if (calls == 0)
				lost++;
			else if (calls > 1)
				doubled++;
			else {
				once++;
				if (o->a.hr != o->also)
					op_check(o->a.hr);
			}
		} else {
			direct++;
			if (o->ret != o->also)
				op_check(o->ret);
			if (calls != 0)
				doubled++;
		}
	}
	fds1 = daemon_settle_fds(fds0);
	harness_sleep_ms(200);
	rss1 = harness_daemon_rss_kib();

	printf("| figure | value |\n|---|---|\n");
	printf("| seconds, threads | %d, %d |\n", S.seconds, S.threads);
	printf("| bindings | %s%s%s |\n", S.use[BIND_TCP] ? "net.tcp " : "",
	    S.use[BIND_UDP] ? "soap.udp " : "", S.use[BIND_HTTP] ? "http" : "");
	printf("| net.tcp pairs opened | %ld |\n", atomic_load(&S.pairs));
	printf("| soap.udp rounds / accepts that took a datagram | %ld / %ld |\n",
	    atomic_load(&S.udp_rounds), atomic_load(&S.udp_accepted));
	printf("| HTTP rounds / requests answered | %ld / %ld |\n",
	    atomic_load(&S.http_rounds), atomic_load(&S.http_answered));
	printf("| async operations | %ld |\n", atomic_load(&S.started));
	printf("| completed once by callback | %ld |\n", once);
	printf("| answered directly | %ld |\n", direct);
	printf("| lost | %ld |\n", lost);
	printf("| doubled | %ld |\n", doubled);
	printf("| hung waits | %ld |\n", atomic_load(&S.hung));
	printf("| unexpected results | %ld |\n", atomic_load(&S.unexpected));
	printf("| sync calls | %ld |\n", atomic_load(&S.sync_calls));
	printf("| aborts from another thread | %ld |\n",
	    atomic_load(&S.aborts));
	printf("| client processes killed | %ld |\n", atomic_load(&S.kills));
	printf("| daemon fds before / after | %d / %d |\n", fds0, fds1);
	printf("| daemon VmRSS KiB before / after | %ld / %ld |\n", rss0, rss1);
	fflush(stdout);

	bad += lost != 0 || doubled != 0 || atomic_load(&S.hung) != 0 ||
	    atomic_load(&S.unexpected) != 0;
	bad += fds1 != fds0;
	if (fds1 != fds0 && getenv("STRESS_PAUSE") != NULL) {
		fprintf(stderr, "stress: daemon %d kept descriptors\n",
		    (int)harness_daemon_pid());
		sleep(60);
	}
	/* Allocator caches may keep a little; a leak per operation would
	 * show as megabytes.  Under valgrind or ASan (whose quarantine keeps
	 * freed memory) the size means nothing: their own checks count. */
	if (!S.valgrind && !harness_sanitized() && rss1 - rss0 > 8 * 1024) {
		fprintf(stderr, "stress: the daemon grew by %ld KiB\n",
		    rss1 - rss0);
		bad++;
	}
	if (env_int("STRESS_SLOW_PEERS", 0) > 0) {
		slow_peers_phase(env_int("STRESS_SLOW_PEERS", 0));
		slow_http_phase(env_int("STRESS_SLOW_PEERS", 0));
		udp_flood_phase();
	}
	for (o = S.ops; o != NULL; o = next) {
		next = o->next;
		harness_msg_free(&o->m);
		harness_async_destroy(&o->a);
		free(o);
	}
	WsFreeListener(S.l);
	WsFreeListener(S.ludp);
	WsFreeListener(S.lhttp);
	/* Exit 0 is a clean shutdown; under valgrind also leak-free. */
	if ((rc = harness_daemon_stop()) != 0) {
		fprintf(stderr, "stress: the daemon exited with %d\n", rc);
		bad++;
	}
	if (bad != 0)
		fprintf(stderr, "stress: FAILED\n");
	return bad == 0 ? 0 : 1;
}
