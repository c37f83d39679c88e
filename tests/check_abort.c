/*
 * Integration suite: every bullet of the WsAbortChannel section of
 * spec/channel-semantics.md, through libwschannel and a private wschanneld.
 * One daemon per test (checked fixture; Check forks each test).
 *
 * This program defines malloc, calloc and realloc (when not built with
 * AddressSanitizer) so that one test can make every allocation of the
 * process fail while it aborts a channel.
 */
#include "config.h"

#include <sys/resource.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
#define QUIET_MS	50	/* how long "nothing more happens" is watched */
#define RACE_ROUNDS	300

#if defined(__SANITIZE_ADDRESS__)
#define ABORT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ABORT_ASAN 1
#endif
#endif

/* ---- allocation failure on demand ------------------------------------------------ */

#ifndef ABORT_ASAN
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_int alloc_fail;
static atomic_long alloc_refused;
/* A thread that keeps its allocations while the others' fail. */
static __thread bool alloc_exempt;

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);

void *
malloc(size_t n)
{
	if (atomic_load_explicit(&alloc_fail, memory_order_relaxed) &&
	    !alloc_exempt) {
		atomic_fetch_add(&alloc_refused, 1);
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	if (atomic_load_explicit(&alloc_fail, memory_order_relaxed) &&
	    !alloc_exempt) {
		atomic_fetch_add(&alloc_refused, 1);
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (atomic_load_explicit(&alloc_fail, memory_order_relaxed) &&
	    !alloc_exempt && n != 0) {
		atomic_fetch_add(&alloc_refused, 1);
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}
#endif

/* ---- fixture and helpers ---------------------------------------------------------- */

static WS_CHANNEL *
tcp_channel(void)
{
	WS_CHANNEL *ch = NULL;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	return ch;
}

static struct harness_pair
pair(void)
{
	struct harness_pair p;

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.server, WS_CHANNEL_STATE_OPEN);
	return p;
}

static WS_CHANNEL *
faulted_channel(void)
{
	WS_CHANNEL *ch = tcp_channel();
	uint16_t port;

	ck_assert_int_eq(harness_free_port(&port), 0);
	ck_assert(FAILED(harness_open(ch, port, NULL, NULL)));
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	return ch;
}

static void
exchange_int(WS_CHANNEL *from, WS_CHANNEL *to, int32_t v)
{
	struct harness_msg s = { 0 }, r = { 0 };

	HR_EQ(harness_send_int32(from, &s, v, NULL), S_OK);
	HR_EQ(harness_receive(to, &r, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(r.value, v);
	harness_msg_free(&s);
	harness_msg_free(&r);
}

/* After an abort, I/O calls answer WS_E_OBJECT_FAULTED. */
static void
io_faulted(WS_CHANNEL *ch)
{
	struct harness_msg m = { 0 };

	HR_EQ(harness_send_int32(ch, &m, 1, NULL), WS_E_OBJECT_FAULTED);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(harness_open(ch, 1, NULL, NULL), WS_E_OBJECT_FAULTED);
	harness_msg_free(&m);
}

/*
 * Waits until the daemon lists exactly one of our channels with a pending
 * operation and returns its id: then a receive issued by another thread
 * is known to be waiting in the daemon.
 */
static uint64_t
wait_pending(pid_t pid)
{
	struct harness_channel_row rows[32];
	uint64_t deadline = harness_now_us() + 1000ull * T_MS;
	int i, n;

	for (;;) {
		n = harness_list_channels(rows, 32);
		ck_assert_msg(n >= 0, "wsctl list failed: %d", n);
		for (i = 0; i < n && i < 32; i++)
			if (rows[i].pid == (uint32_t)pid && rows[i].pending > 0)
				return rows[i].id;
		ck_assert_msg(harness_now_us() < deadline,
		    "no pending operation listed by the daemon");
		harness_sleep_ms(5);
	}
}

/* A raw listener with listen(fd, 0), filled so that connects hang. */
struct full_backlog {
	int		lfd, f1, f2;
	uint16_t	port;
};

static void
full_backlog_open(struct full_backlog *fb)
{
	fb->lfd = harness_tcp_listener(&fb->port, 0);
	ck_assert_int_ge(fb->lfd, 0);
	fb->f1 = harness_tcp_connect_nb(fb->port);
	fb->f2 = harness_tcp_connect_nb(fb->port);
	ck_assert(fb->f1 >= 0 && fb->f2 >= 0);
	harness_sleep_ms(20);
}

static void
full_backlog_close(struct full_backlog *fb)
{
	close(fb->f1);
	close(fb->f2);
	close(fb->lfd);
}

/* ---- every state ------------------------------------------------------------------------ */

/* NULL is E_INVALIDARG. */
START_TEST(abort_null)
{
	HR_EQ(WsAbortChannel(NULL, NULL), E_INVALIDARG);
}
END_TEST

/* A freed handle is E_INVALIDARG (the library must recognise it). */
START_TEST(abort_freed_handle)
{
	WS_CHANNEL *ch = tcp_channel();

	WsFreeChannel(ch);
	HR_EQ(WsAbortChannel(ch, NULL), E_INVALIDARG);
}
END_TEST

/* CREATED is unchanged by an abort, and still opens afterwards. */
START_TEST(abort_created_unchanged)
{
	struct harness_pair p = pair();
	WS_CHANNEL *ch = tcp_channel(), *s = NULL;

	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	HR_EQ(harness_open_accepted(p.listener, p.port, ch, &s), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	exchange_int(ch, s, 6);
	WsFreeChannel(ch);
	WsFreeChannel(s);
	harness_pair_free(&p);
}
END_TEST

/* FAULTED and CLOSED are unchanged by an abort. */
START_TEST(abort_faulted_closed_unchanged)
{
	WS_CHANNEL *f = faulted_channel(), *c = tcp_channel();

	HR_EQ(WsAbortChannel(f, NULL), S_OK);
	STATE_EQ(f, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsCloseChannel(c, NULL, NULL), S_OK);
	HR_EQ(WsAbortChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CLOSED);
	/* CLOSED stays resettable. */
	HR_EQ(WsResetChannel(c, NULL), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(f);
	WsFreeChannel(c);
}
END_TEST

/* OPEN becomes FAULTED; both ends' later I/O is refused or ended. */
START_TEST(abort_open)
{
	struct harness_pair p = pair();
	struct harness_msg m = { .optional = true };
	HRESULT hr;

	HR_EQ(WsAbortChannel(p.client, NULL), S_OK);
	STATE_EQ(p.client, WS_CHANNEL_STATE_FAULTED);
	io_faulted(p.client);
	/* The transport is gone at once: the peer does not hang. */
	hr = harness_receive(p.server, &m, HARNESS_BODY_INT, NULL);
	ck_assert_msg(hr == WS_E_ENDPOINT_DISCONNECTED || hr == WS_S_END,
	    "peer of an aborted channel: %s", harness_hr_name(hr));
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsAcceptChannel(p.listener, p.server, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	harness_msg_free(&m);
	harness_pair_free(&p);
}
END_TEST

/* OPENING: the open returns ABORTED and the channel is FAULTED. */
START_TEST(abort_opening)
{
	struct harness_raw_server rs = { .lfd = -1, .fd = -1 };
	struct full_backlog fb;
	struct harness_async op;
	WS_CHANNEL *ch = tcp_channel();
	uint16_t port;

	/* 0: connect hangs on a full backlog; 1: preamble unanswered. */
	if (_i == 0) {
		full_backlog_open(&fb);
		port = fb.port;
	} else {
		rs.lfd = harness_tcp_listener(&port, 8);
		ck_assert_int_ge(rs.lfd, 0);
	}
	harness_async_init(&op);
	HR_EQ(harness_open(ch, port, &op.ctx, NULL), WS_S_ASYNC);
	if (_i == 1) {
		rs.fd = harness_raw_accept(rs.lfd, T_MS);
		ck_assert_int_ge(rs.fd, 0);
		ck_assert_int_eq(harness_nmf_read_preamble(rs.fd, T_MS, NULL,
		    0, NULL), 0);
	}
	ck_assert(harness_wait_channel_state(ch, WS_CHANNEL_STATE_OPENING,
	    T_MS));
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	ASYNC_EQ(&op, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	io_faulted(ch);
	if (_i == 1)	/* the socket was closed at once */
		ck_assert_int_eq(harness_raw_wait_eof(rs.fd, T_MS), 0);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&op), 1);
	WsFreeChannel(ch);
	if (_i == 0)
		full_backlog_close(&fb);
	else
		harness_raw_server_close(&rs);
}
END_TEST

static HRESULT
bg_accept(void *arg)
{
	void **a = arg;

	return WsAcceptChannel(a[0], a[1], NULL, NULL);
}

/* ACCEPTING (async and blocking): ABORTED, FAULTED; listener unharmed. */
START_TEST(abort_accepting)
{
	struct harness_async acc;
	struct harness_bg *bg;
	WS_LISTENER *l;
	WS_CHANNEL *s1 = NULL, *s2 = NULL, *s3 = NULL, *c;
	void *bgarg[2];
	uint16_t port;
	HRESULT hr;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s1, NULL), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s2, NULL), S_OK);
	harness_async_init(&acc);
	HR_EQ(WsAcceptChannel(l, s1, &acc.ctx, NULL), WS_S_ASYNC);
	bgarg[0] = l;
	bgarg[1] = s2;
	bg = harness_bg_start(bg_accept, bgarg);
	ck_assert(harness_wait_channel_state(s1, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	ck_assert(harness_wait_channel_state(s2, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	HR_EQ(WsAbortChannel(s1, NULL), S_OK);
	HR_EQ(WsAbortChannel(s2, NULL), S_OK);
	ASYNC_EQ(&acc, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(s1, WS_CHANNEL_STATE_FAULTED);
	STATE_EQ(s2, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);

	/* The listener still accepts. */
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s3, NULL), S_OK);
	bgarg[1] = s3;
	bg = harness_bg_start(bg_accept, bgarg);
	ck_assert(harness_wait_channel_state(s3, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	c = tcp_channel();
	HR_EQ(harness_open(c, port, NULL, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	exchange_int(c, s3, 8);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&acc), 1);
	WsFreeChannel(s1);
	WsFreeChannel(s2);
	WsFreeChannel(s3);
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/*
 * Issue 14, item 1: an async accept ended at once (abort, close, or abort
 * then free) must leave its listener as it found it.  Each round ends one
 * such accept, then a client opens while a blocking accept starts on
 * another thread: whichever reaches the daemon first, the two must meet.
 * Every wait is short, so a lost connection fails the test quickly.
 */
START_TEST(abort_accept_listener_reuse)
{
	enum { ROUNDS = 40, WAIT_MS = 3000 };
	struct harness_async acc[ROUNDS];
	struct harness_bg *bg;
	WS_LISTENER *l;
	WS_CHANNEL *a, *s, *c;
	void *bgarg[2];
	uint16_t port;
	HRESULT hr;
	int i;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < ROUNDS; i++) {
		a = NULL;
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &a, NULL), S_OK);
		harness_async_init(&acc[i]);
		HR_EQ(WsAcceptChannel(l, a, &acc[i].ctx, NULL), WS_S_ASYNC);
		if (_i == 1)
			HR_EQ(WsCloseChannel(a, NULL, NULL), S_OK);
		else
			HR_EQ(WsAbortChannel(a, NULL), S_OK);
		if (_i == 2)
			WsFreeChannel(a);
		ck_assert_msg(harness_async_wait(&acc[i], 1, WAIT_MS) == 1,
		    "round %d: no callback for the ended accept", i);
		ASYNC_EQ(&acc[i], WS_S_ASYNC, WS_E_OPERATION_ABORTED);
		if (_i != 2)
			WsFreeChannel(a);

		s = NULL;
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
		bgarg[0] = l;
		bgarg[1] = s;
		bg = harness_bg_start(bg_accept, bgarg);
		c = tcp_channel();
		hr = harness_open(c, port, NULL, NULL);
		ck_assert_msg(hr == S_OK, "round %d: client open: %s", i,
		    harness_hr_name(hr));
		ck_assert_msg(harness_bg_wait(bg, WAIT_MS, &hr),
		    "round %d: the accept never returned", i);
		HR_EQ(hr, S_OK);
		exchange_int(c, s, i);
		/* Each close waits for the other end's End. */
		bg = harness_close_start(c);
		ck_assert_ptr_nonnull(bg);
		HR_EQ(WsCloseChannel(s, NULL, NULL), S_OK);
		ck_assert(harness_bg_wait(bg, WAIT_MS, &hr));
		HR_EQ(hr, S_OK);
		WsFreeChannel(c);
		WsFreeChannel(s);
	}
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	/* No ended accept was answered twice. */
	harness_sleep_ms(QUIET_MS);
	for (i = 0; i < ROUNDS; i++)
		ck_assert_int_eq(harness_async_calls(&acc[i]), 1);
	WsFreeListener(l);
}
END_TEST

/* CLOSING (output cannot drain): close returns ABORTED, channel CLOSED. */
START_TEST(abort_closing)
{
	ULONG max = 1 << 20, ct = 30000;
	WS_CHANNEL_PROPERTY props[2] = {
		{ WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max,
		    sizeof(max) },
		{ WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &ct, sizeof(ct) },
	};
	struct harness_raw_server rs;
	struct harness_async ca;
	struct harness_fill *fill;
	WS_CHANNEL *ch = NULL;
	HRESULT hr;
	int sent;

	HR_EQ(harness_tcp_channel(&ch, props, 2), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 4096), 0);
	/* 6 MB in all: more than the kernel holds for a peer not reading. */
	fill = harness_fill_start(ch, 24, 250000);
	ck_assert_ptr_nonnull(fill);
	sent = harness_fill_settle(fill, 1000, &hr);
	ck_assert_msg(SUCCEEDED(hr), "send before close: %s",
	    harness_hr_name(hr));
	fprintf(stderr, "abort_closing: %d of 24 sends done before the "
	    "close\n", sent);

	harness_async_init(&ca);
	hr = WsCloseChannel(ch, &ca.ctx, NULL);
	ck_assert_msg(hr == WS_S_ASYNC, "close of a channel whose output "
	    "cannot drain returned %s at once", harness_hr_name(hr));
	ck_assert_msg(harness_wait_channel_state(ch, WS_CHANNEL_STATE_CLOSING,
	    T_MS), "CLOSING never seen (state %s)",
	    harness_state_name(harness_channel_state(ch)));
	ck_assert_int_eq(harness_async_calls(&ca), 0);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	ASYNC_EQ(&ca, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	/* A send that was still blocked is released too. */
	ck_assert(harness_fill_end(fill, T_MS, &hr));
	ck_assert_msg(hr == S_OK || hr == WS_E_OPERATION_ABORTED,
	    "blocked send: %s", harness_hr_name(hr));
	/* Queued output is discarded and the socket closed: EOF soon. */
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, T_MS), 0);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ca), 1);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* Abort, close, reset: the channel opens again and exchanges messages. */
START_TEST(abort_close_reset_reuse)
{
	struct harness_pair p = pair();

	exchange_int(p.client, p.server, 1);
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	io_faulted(p.server);
	HR_EQ(WsResetChannel(p.server, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsCloseChannel(p.server, NULL, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_CLOSED);
	HR_EQ(WsResetChannel(p.server, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_CREATED);

	HR_EQ(WsAbortChannel(p.client, NULL), S_OK);
	HR_EQ(WsCloseChannel(p.client, NULL, NULL), S_OK);
	HR_EQ(WsResetChannel(p.client, NULL), S_OK);
	HR_EQ(harness_pair_reconnect(&p), S_OK);
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.server, WS_CHANNEL_STATE_OPEN);
	exchange_int(p.client, p.server, 2);
	exchange_int(p.server, p.client, 3);
	harness_pair_free(&p);
}
END_TEST

/* Free right after abort, with an operation pending. */
START_TEST(abort_then_free)
{
	struct harness_pair p = pair();
	struct harness_async ra;
	struct harness_msg m = { 0 };

	harness_async_init(&ra);
	HR_EQ(harness_receive(p.server, &m, HARNESS_BODY_INT, &ra.ctx),
	    WS_S_ASYNC);
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	WsFreeChannel(p.server);
	p.server = NULL;
	HR_EQ(WsAbortChannel(p.client, NULL), S_OK);
	WsFreeChannel(p.client);
	p.client = NULL;
	ASYNC_EQ(&ra, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 1);
	harness_msg_free(&m);
	harness_pair_free(&p);
}
END_TEST

/*
 * WsFreeChannel on an OPEN channel with an operation pending, no abort
 * before it (channel-semantics.md: an open channel is aborted first, then
 * freed): the operation ends with WS_E_OPERATION_ABORTED exactly once,
 * the peer's connection is reset, and the daemon lists the channel no
 * more.
 */
START_TEST(free_open_channel_aborts_pending)
{
	struct harness_pair p = pair();
	struct harness_async ra;
	struct harness_msg m = { 0 }, pm = { 0 };
	struct harness_channel_row rows[4];

	harness_async_init(&ra);
	HR_EQ(harness_receive(p.server, &m, HARNESS_BODY_INT, &ra.ctx),
	    WS_S_ASYNC);
	WsFreeChannel(p.server);
	p.server = NULL;
	ASYNC_EQ(&ra, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 1);
	/* The client's session was reset, not closed. */
	ck_assert(FAILED(harness_receive(p.client, &pm, HARNESS_BODY_INT,
	    NULL)));
	ck_assert_int_eq(harness_list_channels(rows, 4), 1);
	harness_msg_free(&m);
	harness_msg_free(&pm);
	harness_pair_free(&p);
}
END_TEST

/* ---- pending operations --------------------------------------------------------------- */

/* A receive blocked in one thread, aborted from another: ABORTED once. */
START_TEST(abort_blocked_receive)
{
	struct harness_pair p = pair();
	struct harness_recv ra = { 0 };
	struct harness_bg *bg;
	HRESULT hr;

	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	ck_assert_ptr_nonnull(bg);
	wait_pending(getpid());
	ck_assert(!harness_bg_done(bg));
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	ck_assert_msg(harness_bg_wait(bg, T_MS, &hr),
	    "blocked receive not released by the abort");
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	io_faulted(p.server);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
}
END_TEST

/*
 * Each abort is logged with who aborted which channel, after its reply:
 * the line shows up in the daemon's log once the receive it released has
 * returned, and `wsctl abort --all` gets its summary line too.
 */
static bool
daemon_log_has(const char *a, const char *b)
{
	char path[512], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/daemon.log", harness_dir());
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, a) != NULL && strstr(line, b) != NULL;
	fclose(f);
	return found;
}

static bool
daemon_log_wait(const char *a, const char *b)
{
	int i;

	for (i = 0; i < T_MS / 10; i++) {
		if (daemon_log_has(a, b))
			return true;
		usleep(10000);
	}
	return false;
}

START_TEST(abort_logged)
{
	struct harness_pair p = pair();
	struct harness_recv ra = { 0 };
	struct harness_bg *bg;
	char who[64], *out = NULL;
	HRESULT hr;
	int st;

	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	ck_assert_ptr_nonnull(bg);
	wait_pending(getpid());
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	snprintf(who, sizeof(who), "by uid %u pid %d (1 cancelled)",
	    (unsigned)getuid(), (int)getpid());
	ck_assert_msg(daemon_log_wait("aborted over", who),
	    "no log line \"aborted over ... %s\"", who);
	ck_assert_int_eq(harness_wsctl(&out, &st, "abort", "--all", NULL), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(daemon_log_wait(" aborted ", "channel(s) over"),
	    "no summary line of wsctl abort --all");
	free(out);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
}
END_TEST

/*
 * An owner aborting its own idle channel, as WsFreeChannel does first,
 * writes no line: routine, where a cut-off operation or another's abort
 * (above) is news.
 */
START_TEST(abort_idle_own_quiet)
{
	struct harness_pair p = pair();
	char who[64];

	HR_EQ(WsAbortChannel(p.client, NULL), S_OK);
	harness_pair_free(&p);
	/* A round trip after them: their loop passes, lines and all, are
	 * over. */
	p = pair();
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	snprintf(who, sizeof(who), "by uid %u pid %d (0 cancelled)",
	    (unsigned)getuid(), (int)getpid());
	ck_assert_msg(!daemon_log_has("aborted over", who),
	    "a line for a routine abort: \"aborted over ... %s\"", who);
	harness_pair_free(&p);
}
END_TEST

/* `wsctl abort ID` from another process does the same. */
START_TEST(abort_by_wsctl)
{
	struct harness_pair p = pair();
	struct harness_recv ra = { 0 };
	struct harness_bg *bg;
	char ids[32], *out = NULL;
	uint64_t id;
	HRESULT hr;
	int st;

	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	id = wait_pending(getpid());
	snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);
	ck_assert_int_eq(harness_wsctl(&out, &st, "abort", ids, NULL), 0);
	ck_assert_msg(st == 0, "wsctl abort %s exited %d: %s", ids, st,
	    out != NULL ? out : "");
	/* It prints the state after the abort and what it cancelled. */
	ck_assert_msg(out != NULL && strstr(out, "FAULTED") != NULL &&
	    strstr(out, "cancelled=1") != NULL, "wsctl abort printed: %s",
	    out != NULL ? out : "(nothing)");
	ck_assert_msg(harness_bg_wait(bg, T_MS, &hr),
	    "blocked receive not released by wsctl abort");
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	io_faulted(p.server);
	/* Our own abort afterwards is still S_OK and changes nothing. */
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	free(out);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
}
END_TEST

/* An async receive's callback runs once, with ABORTED, not on our stack. */
START_TEST(abort_async_receive)
{
	struct harness_pair p = pair();
	struct harness_async a;
	struct harness_msg m = { 0 };

	harness_async_init(&a);
	HR_EQ(harness_receive(p.server, &m, HARNESS_BODY_INT, &a.ctx),
	    WS_S_ASYNC);
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	ASYNC_EQ(&a, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 1);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&m);
	harness_pair_free(&p);
}
END_TEST

/* Many operations pending at once (receive + sends): each ends once. */
START_TEST(abort_many_pending)
{
	enum { NSEND = 16 };
	ULONG max = 1 << 20;
	WS_CHANNEL_PROPERTY prop = {
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max, sizeof(max) };
	struct harness_async ra, sa[NSEND];
	struct harness_msg rm = { 0 }, sm[NSEND];
	struct harness_raw_server rs;
	struct harness_fill *fill;
	WS_CHANNEL *ch = NULL;
	bool direct[NSEND];
	HRESULT hr;
	int i, aborted = 0;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 4096), 0);
	harness_async_init(&ra);
	HR_EQ(harness_receive(ch, &rm, HARNESS_BODY_INT, &ra.ctx), WS_S_ASYNC);
	memset(sm, 0, sizeof(sm));
	for (i = 0; i < NSEND; i++) {
		harness_async_init(&sa[i]);
		hr = harness_send_text(ch, &sm[i], 200000, &sa[i].ctx);
		ck_assert_msg(hr == WS_S_ASYNC || hr == S_OK, "send %d: %s", i,
		    harness_hr_name(hr));
		direct[i] = hr == S_OK;	/* done at once: no callback */
	}
	/* And blocking sends from another thread. */
	fill = harness_fill_start(ch, 4, 200000);
	ck_assert_ptr_nonnull(fill);
	harness_sleep_ms(100);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);

	ck_assert_int_eq(harness_async_wait(&ra, 1, T_MS), 1);
	HR_EQ(ra.hr, WS_E_OPERATION_ABORTED);
	for (i = 0; i < NSEND; i++) {
		if (direct[i])
			continue;
		ck_assert_int_eq(harness_async_wait(&sa[i], 1, T_MS), 1);
		ck_assert_msg(sa[i].hr == S_OK ||
		    sa[i].hr == WS_E_OPERATION_ABORTED, "send %d: %s", i,
		    harness_hr_name(sa[i].hr));
		aborted += sa[i].hr == WS_E_OPERATION_ABORTED;
	}
	ck_assert(harness_fill_end(fill, T_MS, &hr));
	ck_assert_msg(hr == S_OK || hr == WS_E_OPERATION_ABORTED ||
	    hr == WS_E_OBJECT_FAULTED, "blocking send: %s",
	    harness_hr_name(hr));
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 1);
	for (i = 0; i < NSEND; i++)
		ck_assert_int_eq(harness_async_calls(&sa[i]), direct[i] ? 0 : 1);
	fprintf(stderr, "abort_many_pending: %d of %d async sends aborted\n",
	    aborted, NSEND);
	harness_msg_free(&rm);
	for (i = 0; i < NSEND; i++)
		harness_msg_free(&sm[i]);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* Abort racing with a message's arrival: never two completions, or none. */
START_TEST(abort_race_completion)
{
	struct harness_async *ra, *sa;
	struct harness_msg *rm, *sm;
	struct harness_pair p = pair();
	int round, got = 0, aborted = 0, j;
	HRESULT hr;

	ra = calloc(RACE_ROUNDS, sizeof(*ra));
	sa = calloc(RACE_ROUNDS, sizeof(*sa));
	rm = calloc(RACE_ROUNDS, sizeof(*rm));
	sm = calloc(RACE_ROUNDS, sizeof(*sm));
	ck_assert(ra != NULL && sa != NULL && rm != NULL && sm != NULL);
	for (round = 0; round < RACE_ROUNDS; round++) {
		harness_async_init(&ra[round]);
		harness_async_init(&sa[round]);
		hr = S_OK;
		HR_EQ(harness_receive(p.server, &rm[round], HARNESS_BODY_INT,
		    &ra[round].ctx), WS_S_ASYNC);
		/*
		 * Vary the gap between the peer's send and the abort so that
		 * the abort lands before, during and after the delivery.
		 */
		switch (round % 4) {
		case 0:		/* async send, abort at once */
		case 1:
			hr = harness_send_int32(p.client, &sm[round], round,
			    &sa[round].ctx);
			ck_assert(hr == WS_S_ASYNC || hr == S_OK);
			for (j = 0; j < (round % 2) * (round % 13); j++)
				sched_yield();
			break;
		case 2:		/* sync send, abort right after */
			HR_EQ(harness_send_int32(p.client, &sm[round], round,
			    NULL), S_OK);
			break;
		case 3:		/* sync send, a moment later */
			HR_EQ(harness_send_int32(p.client, &sm[round], round,
			    NULL), S_OK);
			for (j = 0; j < round % 17; j++)
				sched_yield();
			break;
		}
		HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
		ck_assert_msg(harness_async_wait(&ra[round], 1, T_MS) == 1,
		    "round %d: no completion", round);
		if (ra[round].hr == S_OK) {
			ck_assert_int_eq(rm[round].value, round);
			got++;
		} else {
			ck_assert_msg(ra[round].hr == WS_E_OPERATION_ABORTED,
			    "round %d: %s", round,
			    harness_hr_name(ra[round].hr));
			aborted++;
		}
		STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
		if (round % 4 < 2)	/* the send completes too, once */
			ck_assert_msg(hr == S_OK || harness_async_wait(
			    &sa[round], 1, T_MS) >= 1, "round %d: send never "
			    "ended", round);
		HR_EQ(WsCloseChannel(p.client, NULL, NULL), S_OK);
		HR_EQ(WsResetChannel(p.client, NULL), S_OK);
		HR_EQ(WsCloseChannel(p.server, NULL, NULL), S_OK);
		HR_EQ(WsResetChannel(p.server, NULL), S_OK);
		HR_EQ(harness_pair_reconnect(&p), S_OK);
	}
	harness_sleep_ms(QUIET_MS);
	for (round = 0; round < RACE_ROUNDS; round++) {
		ck_assert_msg(harness_async_calls(&ra[round]) == 1,
		    "round %d: %d receive completions", round,
		    harness_async_calls(&ra[round]));
		ck_assert_msg(harness_async_calls(&sa[round]) <= 1,
		    "round %d: %d send completions", round,
		    harness_async_calls(&sa[round]));
	}
	fprintf(stderr, "abort_race_completion: %d rounds, %d received, "
	    "%d aborted\n", RACE_ROUNDS, got, aborted);
	for (round = 0; round < RACE_ROUNDS; round++) {
		harness_msg_free(&rm[round]);
		harness_msg_free(&sm[round]);
		harness_async_destroy(&ra[round]);
		harness_async_destroy(&sa[round]);
	}
	free(ra);
	free(sa);
	free(rm);
	free(sm);
	harness_pair_free(&p);
}
END_TEST

/* ---- the daemon goes away ---------------------------------------------------------------- */

/* Daemon SIGKILLed: blocked calls end DISCONNECTED; abort is still S_OK. */
START_TEST(abort_daemon_killed)
{
	struct harness_pair p = pair();
	struct harness_recv ra = { 0 };
	struct harness_async a;
	struct harness_msg m = { 0 };
	struct harness_bg *bg;
	HRESULT hr;

	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	wait_pending(getpid());
	harness_async_init(&a);
	HR_EQ(harness_receive(p.client, &m, HARNESS_BODY_INT, &a.ctx),
	    WS_S_ASYNC);
	ck_assert_int_eq(harness_daemon_kill(), 0);
	ck_assert_msg(harness_bg_wait(bg, T_MS, &hr),
	    "blocked receive hangs after the daemon died");
	HR_EQ(hr, WS_E_ENDPOINT_DISCONNECTED);
	ASYNC_EQ(&a, WS_S_ASYNC, WS_E_ENDPOINT_DISCONNECTED);
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	HR_EQ(WsAbortChannel(p.client, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	STATE_EQ(p.client, WS_CHANNEL_STATE_FAULTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 1);
	harness_msg_free(&m);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
}
END_TEST

#ifndef ABORT_ASAN
/*
 * Over D-Bus, with every allocation of the library's threads failing, the
 * abort still leaves and the daemon acts on it (wsctl, another process,
 * sees the channel FAULTED); the replies, its own and the aborted
 * receive's, are read once memory is back: sd-bus allocates to read.
 */
static void
abort_without_memory_bus(void)
{
	struct harness_channel_row rows[32];
	struct harness_pair p = pair();
	struct harness_recv ra = { 0 };
	struct harness_bg *bg, *ab;
	HRESULT hr = E_FAIL, rhr = E_FAIL;
	uint64_t id, deadline;
	bool faulted = false;
	long refused;
	int i, n;

	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	ck_assert_ptr_nonnull(bg);
	id = wait_pending(getpid());

	/* This thread watches through wsctl, with its allocations. */
	alloc_exempt = true;
	atomic_store(&alloc_refused, 0);
	atomic_store(&alloc_fail, 1);
	ab = harness_abort_start(p.server);
	deadline = harness_now_us() + 1000ull * T_MS;
	while (ab != NULL && !faulted && harness_now_us() < deadline) {
		n = harness_list_channels(rows, 32);
		for (i = 0; i < n && i < 32; i++)
			if (rows[i].id == id &&
			    strcmp(rows[i].state, "FAULTED") == 0)
				faulted = true;
		harness_sleep_ms(5);
	}
	atomic_store(&alloc_fail, 0);
	alloc_exempt = false;
	refused = atomic_load(&alloc_refused);

	fprintf(stderr, "abort_without_memory (D-Bus): %ld allocations "
	    "refused\n", refused);
	ck_assert_ptr_nonnull(ab);
	ck_assert_msg(faulted, "the abort did not reach the daemon while "
	    "allocations failed");
	ck_assert_msg(harness_bg_wait(ab, T_MS, &hr), "WsAbortChannel did "
	    "not return once memory came back");
	HR_EQ(hr, S_OK);
	ck_assert_msg(harness_bg_wait(bg, T_MS, &rhr), "blocked receive not "
	    "released once memory came back");
	HR_EQ(rhr, WS_E_OPERATION_ABORTED);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
}
#endif

/* With every allocation failing, abort still works and releases. */
START_TEST(abort_without_memory)
{
#ifdef ABORT_ASAN
	fprintf(stderr, "abort_without_memory: skipped (AddressSanitizer "
	    "owns malloc)\n");
#else
	if (harness_dbus()) {
		/* sd-bus allocates to read any message: what holds over
		 * D-Bus is tested by abort_without_memory_bus. */
		abort_without_memory_bus();
		return;
	}
#endif
#ifndef ABORT_ASAN
	struct harness_pair p = pair();
	struct harness_recv ra = { 0 };
	struct harness_bg *bg;
	HRESULT hr, rhr = E_FAIL;
	bool released;
	long refused;

	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	ck_assert_ptr_nonnull(bg);
	wait_pending(getpid());

	atomic_store(&alloc_refused, 0);
	atomic_store(&alloc_fail, 1);
	hr = WsAbortChannel(p.server, NULL);
	released = harness_bg_wait(bg, T_MS, &rhr);
	atomic_store(&alloc_fail, 0);
	refused = atomic_load(&alloc_refused);

	fprintf(stderr, "abort_without_memory: %ld allocations refused\n",
	    refused);
	HR_EQ(hr, S_OK);
	ck_assert_msg(released, "blocked receive not released while "
	    "allocations fail");
	HR_EQ(rhr, WS_E_OPERATION_ABORTED);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
#endif
}
END_TEST

/* ---- another uid ------------------------------------------------------------------------------ */

static const char *const as_nobody[] = { "setpriv", "--reuid=65534",
    "--regid=65534", "--clear-groups", NULL };

/* Runs tests/abort_client, optionally as nobody; returns its output. */
static char *
abort_client(bool nobody, const char *verb, const char *arg, int *status)
{
	const char *argv[12];
	char *client, *out = NULL, env[160];
	int n = 0, i;

	client = harness_build_path("tests/abort_client");
	if (nobody)
		for (i = 0; as_nobody[i] != NULL; i++)
			argv[n++] = as_nobody[i];
	if (harness_dbus()) {
		/* Its raw frames speak the socket's protocol (no library call
		 * names another's id); the daemon serves both doors. */
		snprintf(env, sizeof(env), "WSCHANNEL_ADDRESS=%s",
		    harness_socket_address());
		argv[n++] = "env";
		argv[n++] = env;
	}
	argv[n++] = client;
	argv[n++] = verb;
	if (arg != NULL)
		argv[n++] = arg;
	argv[n] = NULL;
	ck_assert_int_eq(harness_run((char *const *)argv, T_MS, &out, status),
	    0);
	free(client);
	return out;
}

/* Another uid can neither abort nor read a root-owned channel. */
START_TEST(abort_other_uid)
{
	struct harness_pair p;
	char *out, *empty = NULL, *line, ids[32];
	unsigned long long id = 0, lid;
	unsigned uid, pid, state;
	int st;

	if (geteuid() != 0 || !harness_have_program("setpriv")) {
		fprintf(stderr, "abort_other_uid: skipped (needs root and "
		    "setpriv)\n");
		return;
	}
	ck_assert_int_eq(harness_share_socket(), 0);
	/* The libtool wrapper relinks on first use: do that as root. */
	free(abort_client(false, "true", NULL, &st));
	ck_assert_int_eq(st, 0);
	out = abort_client(true, "true", NULL, &st);
	free(out);
	if (st != 0) {
		fprintf(stderr, "abort_other_uid: skipped (nobody cannot run "
		    "%s/tests/abort_client: exit %d)\n", harness_builddir(),
		    st);
		return;
	}
	ck_assert_int_eq(harness_wsctl(&empty, &st, "list", NULL), 0);
	ck_assert_int_eq(st, 0);

	p = pair();
	out = abort_client(false, "list", NULL, &st);
	ck_assert_int_eq(st, 0);
	for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n"))
		if (sscanf(line, "channel %llu %u %u %u %llu", &id, &uid, &pid,
		    &state, &lid) == 5 && pid == (unsigned)getpid() &&
		    lid == 0 && state == WS_CHANNEL_STATE_OPEN)
			break;
	ck_assert_msg(line != NULL, "our client channel is not listed");
	ck_assert_uint_eq(uid, 0);
	free(out);
	snprintf(ids, sizeof(ids), "%llu", id);

	out = abort_client(true, "abort-id", ids, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strncmp(out, "hresult=0x80070005", 18) == 0,
	    "abort by nobody: %s", out);
	free(out);
	out = abort_client(true, "get-state", ids, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strncmp(out, "hresult=0x80070005", 18) == 0,
	    "get-state by nobody: %s", out);
	free(out);
	/* The daemon does not lend its privileges: a port below 1024 is
	 * refused to nobody before any bind (net.tcp's default is 808). */
	out = abort_client(true, "listen", "net.tcp://127.0.0.1:808/x", &st);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strncmp(out, "hresult=0x80070005", 18) == 0,
	    "listener on 808 by nobody: %s", out);
	ck_assert_msg(strstr(out, "state=") == NULL,
	    "nobody learned the state: %s", out);
	free(out);

	/* wsctl as nobody sees nothing and may abort nothing. */
	ck_assert_int_eq(harness_wsctl_prefixed(as_nobody, &out, &st, "list",
	    NULL), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, empty);
	free(out);
	ck_assert_int_eq(harness_wsctl_prefixed(as_nobody, &out, &st, "abort",
	    ids, NULL), 0);
	ck_assert_int_eq(st, 4);
	free(out);
	ck_assert_int_eq(harness_wsctl_prefixed(as_nobody, &out, &st, "show",
	    ids, NULL), 0);
	ck_assert_int_eq(st, 4);
	free(out);

	/* Untouched. */
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	exchange_int(p.client, p.server, 65534);
	free(empty);
	harness_pair_free(&p);
}
END_TEST

/* ---- the daemon at its fd limit ------------------------------------------------------------ */

#define FD_SCAN_MAX	4096

/* How many fds the daemon has open (-1 on error); `open` marks them. */
static int
daemon_fds(pid_t pid, bool open[FD_SCAN_MAX])
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0, fd;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	memset(open, 0, FD_SCAN_MAX * sizeof(open[0]));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd >= 0 && fd < FD_SCAN_MAX)
			open[fd] = true;
		n++;
	}
	closedir(d);
	return n;
}

/* Waits until the daemon has `want` fds open; the count it saw last. */
static int
daemon_wait_fds(pid_t pid, int want)
{
	static bool open[FD_SCAN_MAX];
	uint64_t end = harness_now_us() + T_MS * 1000ull;
	int n;

	while ((n = daemon_fds(pid, open)) != want &&
	    harness_now_us() < end)
		harness_sleep_ms(5);
	return n;
}

/*
 * The daemon's fd count once it has stayed the same over 200 ms (an fd
 * the loop closes or opens a moment later would throw the limit below
 * off by one); the count it saw last.
 */
static int
daemon_settled_fds(pid_t pid, bool open[FD_SCAN_MAX])
{
	uint64_t end = harness_now_us() + T_MS * 1000ull;
	int n, last = -1, same = 0;

	while ((n = daemon_fds(pid, open)) >= 0 && harness_now_us() < end) {
		same = n == last ? same + 1 : 0;
		if (same == 5)
			break;
		last = n;
		harness_sleep_ms(40);
	}
	return n;
}

/*
 * Lowers the daemon's soft RLIMIT_NOFILE so that exactly `nfree` more fds
 * can be opened: fds are numbered lowest-first below the limit, so the
 * limit is the number below which `nfree` numbers are unused.
 */
static void
daemon_leave_fds(pid_t pid, int nfree)
{
	static bool open[FD_SCAN_MAX];
	struct rlimit old, rl;
	int fd, avail = 0;

	ck_assert_int_ge(daemon_settled_fds(pid, open), 0);
	for (fd = 0; fd < FD_SCAN_MAX && avail < nfree; fd++)
		if (!open[fd])
			avail++;
	ck_assert_int_eq(avail, nfree);
	ck_assert_int_eq(prlimit(pid, RLIMIT_NOFILE, NULL, &old), 0);
	rl.rlim_cur = (rlim_t)fd;
	rl.rlim_max = old.rlim_max;
	ck_assert_msg(prlimit(pid, RLIMIT_NOFILE, &rl, NULL) == 0,
	    "prlimit: %s", strerror(errno));
}

static WS_CHANNEL *
fdlimit_client(void)
{
	ULONG ms = 20000;	/* a wait for it would fail the test */
	WS_CHANNEL_PROPERTY p = { WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT, &ms,
	    sizeof(ms) };
	WS_CHANNEL *ch = NULL;

	HR_EQ(harness_tcp_channel(&ch, &p, 1), S_OK);
	return ch;
}

/*
 * Issue 14, item 2: at the daemon's fd limit an open fails at once with
 * WS_E_QUOTA_EXCEEDED (not after CONNECT_TIMEOUT), abort still succeeds
 * on every channel, and a listener whose accept hit EMFILE resumes once
 * fds are freed.  The limit is lowered on the running daemon with
 * prlimit(2), leaving room for exactly two client/server pairs.
 */
START_TEST(abort_at_fd_limit)
{
	enum { PAIRS = 2, MAXCH = 6, RESUME_MS = 3000 };
	static bool open[FD_SCAN_MAX];
	struct harness_async acc[MAXCH], op;
	struct rlimit saved;
	WS_LISTENER *l;
	WS_CHANNEL *c[MAXCH] = { NULL }, *s[MAXCH] = { NULL }, *w, *ws;
	pid_t pid = harness_daemon_pid();
	uint64_t t0, ms;
	uint16_t port;
	HRESULT hr = S_OK;
	int i, n, nopen;

	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(prlimit(pid, RLIMIT_NOFILE, NULL, &saved), 0);
	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	/* One pair first, so that whatever the daemon opens once is open. */
	w = fdlimit_client();
	HR_EQ(harness_open_accepted(l, port, w, &ws), S_OK);
	exchange_int(w, ws, 1);
	HR_EQ(WsAbortChannel(w, NULL), S_OK);
	HR_EQ(WsAbortChannel(ws, NULL), S_OK);
	WsFreeChannel(w);
	WsFreeChannel(ws);
	nopen = daemon_settled_fds(pid, open);
	ck_assert_int_gt(nopen, 0);
	/* Each pair is a client socket, then the accepted one. */
	daemon_leave_fds(pid, 2 * PAIRS);

	for (n = 0; n < MAXCH; n++) {
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s[n], NULL),
		    S_OK);
		harness_async_init(&acc[n]);
		HR_EQ(WsAcceptChannel(l, s[n], &acc[n].ctx, NULL), WS_S_ASYNC);
		c[n] = fdlimit_client();
		t0 = harness_now_us();
		if ((hr = harness_open(c[n], port, NULL, NULL)) != S_OK)
			break;
		ASYNC_EQ(&acc[n], WS_S_ASYNC, S_OK);
	}
	ms = (harness_now_us() - t0) / 1000;
	ck_assert_msg(hr != WS_E_OPERATION_TIMED_OUT, "the open waited for "
	    "CONNECT_TIMEOUT (%llu ms)", (unsigned long long)ms);
	HR_EQ(hr, WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(n, PAIRS);
	STATE_EQ(c[n], WS_CHANNEL_STATE_FAULTED);
	HR_EQ(WsAbortChannel(c[n], NULL), S_OK);
	STATE_EQ(s[n], WS_CHANNEL_STATE_ACCEPTING);

	/*
	 * Free one fd (the last client's socket): the next open gets it, so
	 * the daemon's accept of that connection hits EMFILE.
	 */
	HR_EQ(WsAbortChannel(c[PAIRS - 1], NULL), S_OK);
	ck_assert_int_eq(daemon_wait_fds(pid, nopen + 2 * PAIRS - 1),
	    nopen + 2 * PAIRS - 1);
	w = fdlimit_client();
	harness_async_init(&op);
	HR_EQ(harness_open(w, port, &op.ctx, NULL), WS_S_ASYNC);
	harness_sleep_ms(300);
	ck_assert_int_eq(harness_async_calls(&op), 0);
	STATE_EQ(s[n], WS_CHANNEL_STATE_ACCEPTING);

	/* Free another: the paused listener takes the waiting peer. */
	HR_EQ(WsAbortChannel(s[PAIRS - 1], NULL), S_OK);
	ck_assert_msg(harness_async_wait(&op, 1, RESUME_MS) == 1,
	    "the listener did not resume after fds were freed");
	ASYNC_EQ(&op, WS_S_ASYNC, S_OK);
	ck_assert_int_eq(harness_async_wait(&acc[n], 1, RESUME_MS), 1);
	ASYNC_EQ(&acc[n], WS_S_ASYNC, S_OK);
	exchange_int(w, s[n], 2);

	/* Abort succeeds on every channel, whatever its state. */
	HR_EQ(WsAbortChannel(w, NULL), S_OK);
	for (i = 0; i <= n; i++) {
		HR_EQ(WsAbortChannel(c[i], NULL), S_OK);
		HR_EQ(WsAbortChannel(s[i], NULL), S_OK);
		STATE_EQ(c[i], WS_CHANNEL_STATE_FAULTED);
		STATE_EQ(s[i], WS_CHANNEL_STATE_FAULTED);
	}
	ck_assert_int_eq(prlimit(pid, RLIMIT_NOFILE, &saved, NULL), 0);
	for (i = 0; i <= n; i++) {
		WsFreeChannel(c[i]);
		WsFreeChannel(s[i]);
	}
	WsFreeChannel(w);
	WsFreeListener(l);
}
END_TEST

/* ---- the daemon under valgrind ------------------------------------------------------------------ */

/* The abort paths leave the daemon valgrind-clean (exit 0 on SIGTERM). */
START_TEST(daemon_valgrind_clean)
{
	struct harness_pair p;
	struct harness_recv ra = { 0 };
	struct harness_async a;
	struct harness_msg m = { 0 };
	struct harness_bg *bg;
	HRESULT hr;

	if (!harness_valgrind_usable()) {
		fprintf(stderr, "daemon_valgrind_clean: skipped (%s)\n",
		    harness_sanitized() ? "sanitizers: ASan checks the "
		    "daemon in every test" : "valgrind not installed");
		return;
	}
	/* Replace the fixture's daemon before the library connects. */
	ck_assert_int_eq(harness_daemon_stop(), 0);
	ck_assert_int_eq(harness_daemon_start_flags(HARNESS_VALGRIND), 0);
	ck_assert(harness_daemon_valgrind());

	p = pair();
	exchange_int(p.client, p.server, 1);
	ra.ch = p.server;
	bg = harness_receive_start(&ra);
	harness_async_init(&a);
	HR_EQ(harness_receive(p.client, &m, HARNESS_BODY_INT, &a.ctx),
	    WS_S_ASYNC);
	harness_sleep_ms(200);
	HR_EQ(WsAbortChannel(p.server, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, 30000, &hr));
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	ck_assert_int_eq(harness_async_wait(&a, 1, 30000), 1);
	HR_EQ(WsCloseChannel(p.server, NULL, NULL), S_OK);
	HR_EQ(WsResetChannel(p.server, NULL), S_OK);
	/* Free the client with its state unknown; close the listener. */
	WsFreeChannel(p.client);
	p.client = NULL;
	HR_EQ(WsCloseListener(p.listener, NULL, NULL), S_OK);
	harness_msg_free(&m);
	harness_msg_free(&ra.m);
	harness_pair_free(&p);
	/* Leave live objects behind on purpose: shutdown must free them. */
	p = pair();
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

static Suite *
abort_suite(void)
{
	Suite *s = suite_create("abort");
	TCase *tc;

#define TCASE(name, timeout) do {					\
	tc = tcase_create(name);					\
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);			\
	tcase_set_timeout(tc, timeout);					\
	suite_add_tcase(s, tc);						\
} while (0)

	TCASE("states", 60);
	tcase_add_test(tc, abort_null);
	tcase_add_test(tc, abort_freed_handle);
	tcase_add_test(tc, abort_created_unchanged);
	tcase_add_test(tc, abort_faulted_closed_unchanged);
	tcase_add_test(tc, abort_open);
	tcase_add_loop_test(tc, abort_opening, 0, 2);
	tcase_add_test(tc, abort_accepting);
	tcase_add_loop_test(tc, abort_accept_listener_reuse, 0, 3);
	tcase_add_test(tc, abort_closing);
	tcase_add_test(tc, abort_close_reset_reuse);
	tcase_add_test(tc, abort_then_free);
	tcase_add_test(tc, free_open_channel_aborts_pending);

	TCASE("pending", 60);
	tcase_add_test(tc, abort_blocked_receive);
	tcase_add_test(tc, abort_by_wsctl);
	tcase_add_test(tc, abort_logged);
	tcase_add_test(tc, abort_idle_own_quiet);
	tcase_add_test(tc, abort_async_receive);
	tcase_add_test(tc, abort_many_pending);
	tcase_add_test(tc, abort_race_completion);

	TCASE("failures", 60);
	tcase_add_test(tc, abort_daemon_killed);
	tcase_add_test(tc, abort_without_memory);
	tcase_add_test(tc, abort_other_uid);

	TCASE("fdlimit", 60);
	tcase_add_test(tc, abort_at_fd_limit);

	TCASE("valgrind", 240);
	tcase_add_test(tc, daemon_valgrind_clean);
#undef TCASE
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(abort_suite());
	int failed;

#ifdef WSCHANNEL_TEST_DBUS
	/* The same suite, the library over the D-Bus door. */
	harness_use_dbus(true);
#endif

	/* Every test needs its own process: the library connects once. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
