/*
 * Integration test harness: a private wschanneld per test, wsctl runs
 * against it, raw loopback peers, and a few WWSAPI helpers shared by the
 * integration suites and the benchmark.
 *
 * Usage in a Check suite (fork mode, one daemon per test):
 *
 *	static void setup(void) { ck_assert_int_eq(harness_daemon_start(), 0); }
 *	static void teardown(void) { ck_assert_int_eq(harness_daemon_stop(), 0); }
 *	tcase_add_checked_fixture(tc, setup, teardown);
 *
 * The harness finds the build tree in $WSCHANNEL_BUILDDIR (set by
 * `make check`), else in the directory the tests were configured in.  It
 * sets WSCHANNEL_ADDRESS for the library, so start the daemon before the
 * first WsXxx call of the process.  Every wait is bounded.  Functions
 * return 0 or a negative errno unless stated otherwise; none of them calls
 * ck_assert (only the HR_EQ/STATE_EQ/ASYNC_EQ macros at the end do), so
 * the bench can use them too.  Check must fork each test (the default):
 * the library connects to the daemon once per process.
 */
#ifndef WSCHANNEL_HARNESS_H
#define WSCHANNEL_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include <wschannel/webservices.h>

/* ---- the private daemon ----------------------------------------------------- */

#define HARNESS_VALGRIND	0x1	/* run it under valgrind (if usable) */
/* In a network namespace of its own with only `lo` up (root only): lets a
 * test bind wildcard addresses without listening beyond this machine. */
#define HARNESS_NETNS		0x2

/* Can this process create network namespaces (root, not forbidden)? */
bool	 harness_netns_usable(void);

/*
 * Creates a temporary directory (in $TMPDIR or /tmp), starts
 * `wschanneld -d --socket <dir>/control.sock` (stdout and stderr to
 * <dir>/daemon.log), waits (bounded) until the socket
 * accepts and sets WSCHANNEL_ADDRESS=unix:path=<socket>.  With
 * WSCHANNEL_VALGRIND=1 in the environment, or HARNESS_VALGRIND in `flags`,
 * the daemon runs under `valgrind --leak-check=full --error-exitcode=99`
 * when harness_valgrind_usable().  The daemon gets SIGKILL if the test
 * process dies first.  -EALREADY when one is running.
 */
int	 harness_daemon_start(void);
int	 harness_daemon_start_flags(int flags);
/*
 * SIGTERM, a bounded wait (then SIGKILL), removes the directory.  Returns
 * the daemon's exit code (0 for a clean, leak-free exit), 128 + signal
 * when it died of a signal, 0 when none was running (or it was killed with
 * harness_daemon_kill), or a negative errno.  On a non-zero status the
 * daemon's log is copied to stderr and the directory is kept until the
 * test program exits (for good with WSCHANNEL_KEEP_TMP=1).  Directories of
 * tests that failed an assertion (no teardown runs then) are removed when
 * the test program exits, too.
 */
int	 harness_daemon_stop(void);
/* SIGKILL now and reap it (the "daemon crashed" case). */
int	 harness_daemon_kill(void);
pid_t	 harness_daemon_pid(void);		/* -1 when none */
bool	 harness_daemon_valgrind(void);		/* runs under valgrind */
const char *harness_socket_path(void);		/* NULL when none */
const char *harness_dir(void);			/* the temporary directory */
/* Makes the socket usable by another uid (dir 0755, socket 0666). */
int	 harness_share_socket(void);

/*
 * The D-Bus door.  After harness_use_dbus(true) (the suites' _dbus builds
 * do it in main, with -DWSCHANNEL_TEST_DBUS=1; WSCHANNEL_TEST_DBUS=1 in the
 * environment does it for any suite), harness_daemon_start also starts a
 * private dbus-daemon (tests/dbus-session.conf, dying with the test,
 * killed by its pid in harness_daemon_stop), gives wschanneld --bus <its
 * address>, waits (bounded) until the daemon owns org.wschannel.WsChannel1
 * and sets WSCHANNEL_ADDRESS=dbus:<address>: the library then reaches the
 * daemon over D-Bus only.  The Unix socket is served as well (wsctl and
 * raw frames use it).  harness_daemon_kill leaves the bus running.
 */
void	 harness_use_dbus(bool);
bool	 harness_dbus(void);
const char *harness_bus_address(void);		/* NULL when none */
pid_t	 harness_bus_pid(void);			/* -1 when none */
/* "unix:path=<socket>" of the running daemon: for programs that speak the
 * socket's protocol whatever the library uses.  NULL when none. */
const char *harness_socket_address(void);

/* ---- programs ------------------------------------------------------------------ */

/* $WSCHANNEL_BUILDDIR, or the configure-time build directory. */
const char *harness_builddir(void);
/* "<builddir>/<rel>", malloc'd. */
char	*harness_build_path(const char *rel);
/*
 * Runs argv[0] (a path) with argv, stdin from /dev/null, stdout captured
 * into *out (malloc'd, NUL-terminated; may be NULL), stderr inherited.
 * *status gets the exit code, or 128 + signal.  Killed after `timeout_ms`
 * (-ETIMEDOUT).
 */
int	 harness_run(char *const argv[], int timeout_ms, char **out,
	    int *status);
/*
 * Runs `<builddir>/wsctl --socket <socket> arg...` (NULL-terminated), with a
 * 20 s bound.  `prefix` (NULL-terminated, may be NULL) is put in front of
 * the command, e.g. { "setpriv", "--reuid=65534", ..., NULL }.
 */
int	 harness_wsctl(char **out, int *status, const char *arg, ...)
	    __attribute__((sentinel));
int	 harness_wsctl_prefixed(const char *const *prefix, char **out,
	    int *status, const char *arg, ...) __attribute__((sentinel));

/*
 * Starts argv (execvp) with stdout on a pipe (*outfd, the read end, may be
 * NULL: stdout then goes to /dev/null).  Returns the pid or -errno.  The
 * child gets SIGKILL if the test process dies.
 */
pid_t	 harness_spawn(char *const argv[], int *outfd);
/* Reads one line (without its newline) from fd; 0, -EPIPE, -ETIMEDOUT. */
int	 harness_read_line(int fd, char *buf, size_t len, int timeout_ms);
/* Reaps pid within timeout_ms: exit code, 128 + signal, or -ETIMEDOUT. */
int	 harness_wait_pid(pid_t pid, int timeout_ms);

/* One channel row of `wsctl list` (plain text, not a terminal). */
struct harness_channel_row {
	uint64_t	id;
	uint32_t	uid;
	uint32_t	pid;
	char		state[16];	/* "OPEN" */
	uint32_t	pending;	/* operations pending */
};
/*
 * Parses the channel rows of `wsctl list` output into rows[] (at most
 * `max`); returns how many there were (maybe more than `max`).
 */
int	 harness_parse_list(const char *out, struct harness_channel_row *rows,
	    int max);
/* Runs `wsctl list` and parses it.  Returns the row count or -errno. */
int	 harness_list_channels(struct harness_channel_row *rows, int max);

/* Looks for `name` in $PATH. */
bool	 harness_have_program(const char *name);
/* Built with AddressSanitizer (then ASan checks the daemon for leaks). */
bool	 harness_sanitized(void);
/* valgrind is installed and the build is not sanitized. */
bool	 harness_valgrind_usable(void);

/* ---- raw loopback peers ------------------------------------------------------- */

/* A TCP socket listening on 127.0.0.1:0 with `backlog`; fd or -errno. */
int	 harness_tcp_listener(uint16_t *port, int backlog);
/* A port that was free a moment ago (bound to 127.0.0.1:0, then closed). */
int	 harness_free_port(uint16_t *port);
/*
 * A name server of the test's own that reads queries and never answers:
 * a UDP socket on 127.0.0.1, and WSCHANNEL_RESOLV_CONF naming it for a
 * daemon started after this call (for RESOLVE and CONNECT timeouts).
 * Returns the socket (poll it to see a query arrive) or a negative
 * errno; harness_silent_dns_stop() closes it and unsets the variable.
 */
int	 harness_silent_dns_start(void);
void	 harness_silent_dns_stop(void);
/* Blocking connect to 127.0.0.1:port; fd or -errno. */
int	 harness_tcp_connect(uint16_t port);
/* Non-blocking connect (in progress is fine); fd or -errno. */
int	 harness_tcp_connect_nb(uint16_t port);
/* accept() with a bound; fd or -errno (-ETIMEDOUT). */
int	 harness_raw_accept(int lfd, int timeout_ms);
/* Reads what is there (at least one byte); 0 at EOF, -ETIMEDOUT. */
ssize_t	 harness_raw_read(int fd, void *buf, size_t len, int timeout_ms);
/* Reads exactly len bytes; -EPIPE on an early EOF. */
int	 harness_raw_read_full(int fd, void *buf, size_t len, int timeout_ms);
/* Writes all of buf (blocking). */
int	 harness_raw_write(int fd, const void *buf, size_t len);
/* A connection of the test's own to the daemon's control socket, to speak
 * the protocol without the library; fd or -errno. */
int	 harness_control_connect(void);
/* Closes with SO_LINGER 0 so that the peer gets a RST. */
void	 harness_raw_reset(int fd);
/* Waits until the peer closed (EOF or error); 0 or -ETIMEDOUT. */
int	 harness_raw_wait_eof(int fd, int timeout_ms);

/* .NET Message Framing by hand, for peers that misbehave on purpose. */
#define HARNESS_NMF_SOAP12_UTF8	0x03
/* Reads the client's preamble up to PreambleEnd; via/encoding optional. */
int	 harness_nmf_read_preamble(int fd, int timeout_ms, char *via,
	    size_t vialen, uint8_t *encoding);
int	 harness_nmf_write_preamble(int fd, const char *via, uint8_t encoding);
int	 harness_nmf_write_ack(int fd);		/* PreambleAck 0x0B */
/* Reads one byte and expects PreambleAck. */
int	 harness_nmf_read_ack(int fd, int timeout_ms);
/* A SizedEnvelope record (0x06, MultiByteInt31 size, bytes). */
int	 harness_nmf_write_envelope(int fd, const void *data, size_t len);
/*
 * Reads one record.  *type gets its type byte; a SizedEnvelope or Fault
 * payload is returned in *payload (malloc'd, NUL-terminated) and *len.
 */
int	 harness_nmf_read_record(int fd, int timeout_ms, uint8_t *type,
	    char **payload, size_t *len);
/*
 * A SOAP 1.2 / WS-Addressing 1.0 envelope with `action` and `body_xml` as
 * the children of Body; malloc'd string.
 */
char	*harness_soap12_envelope(const char *action, const char *body_xml);

/*
 * A channel opened to a raw peer: `lfd` listens on 127.0.0.1:port, `fd` is
 * the accepted connection; the preamble was read and acknowledged by hand.
 * rcvbuf > 0 shrinks the peer's receive buffer (so that a peer that never
 * reads stalls the channel's output early).  `ch` is the caller's CREATED
 * channel.  0, -errno, or -EPROTO when the open failed.
 */
struct harness_raw_server {
	int		 lfd;
	int		 fd;
	uint16_t	 port;
	WS_CHANNEL	*ch;
};
int	 harness_raw_server_open(struct harness_raw_server *rs, WS_CHANNEL *ch,
	    int rcvbuf);
void	 harness_raw_server_close(struct harness_raw_server *rs);

/* ---- WWSAPI helpers ----------------------------------------------------------- */

/* "net.tcp://127.0.0.1:<port>/<path>" (path NULL: "x") into buf. */
void	 harness_url(char *buf, size_t len, uint16_t port, const char *path);
/* A WS_STRING (WCHAR) copy of an ASCII string, malloc'd; free with free(). */
WS_STRING harness_ws_string(const char *ascii);

/* The channel's STATE property, or -1 when the call fails. */
int	 harness_channel_state(WS_CHANNEL *ch);
int	 harness_listener_state(WS_LISTENER *l);
/* Polls until the state is `state`; false after `timeout_ms`. */
bool	 harness_wait_channel_state(WS_CHANNEL *ch, int state, int timeout_ms);

/* A DUPLEX_SESSION TCP channel with ENCODING = XML_UTF8 (plus `extra`). */
HRESULT	 harness_tcp_channel(WS_CHANNEL **ch, const WS_CHANNEL_PROPERTY *extra,
	    ULONG nextra);
/* Opens `ch` on net.tcp://127.0.0.1:port/x. */
HRESULT	 harness_open(WS_CHANNEL *ch, uint16_t port, const WS_ASYNC_CONTEXT *,
	    WS_ERROR *error);
/*
 * A DUPLEX_SESSION TCP listener, OPEN on a free loopback port (retried a
 * few times if the port gets taken meanwhile).
 */
HRESULT	 harness_tcp_listener_open(WS_LISTENER **l, uint16_t *port);

/*
 * Opens `c` to `port` while listener `l` accepts it into a new channel
 * (*s): a net.tcp open completes only once the other side accepts.
 */
HRESULT	 harness_open_accepted(WS_LISTENER *l, uint16_t port, WS_CHANNEL *c,
	    WS_CHANNEL **s);

/* A connected pair through the daemon: client opened to listener's port. */
struct harness_pair {
	WS_LISTENER	*listener;
	uint16_t	 port;
	WS_CHANNEL	*client;	/* opened */
	WS_CHANNEL	*server;	/* accepted */
};
/* `sprops` are given to WsCreateChannelForListener for the server side. */
HRESULT	 harness_pair_open(struct harness_pair *p,
	    const WS_CHANNEL_PROPERTY *sprops, ULONG nsprops);
/* Re-establishes both channels of a pair after close + reset. */
HRESULT	 harness_pair_reconnect(struct harness_pair *p);
void	 harness_pair_free(struct harness_pair *p);

/*
 * An async context that counts its callbacks: each callback records its
 * HRESULT, model, thread and time, and bumps `calls`.
 */
struct harness_async {
	WS_ASYNC_CONTEXT	ctx;
	int			calls;
	HRESULT			hr;
	WS_CALLBACK_MODEL	model;
	bool			on_caller_thread;	/* ran on `caller` */
	uint64_t		when_us;
	/* private */
	pthread_t		caller;
	pthread_mutex_t		lock;
	pthread_cond_t		cond;
};
/* Sets ctx to count into `a`; `caller` is taken to be this thread. */
void	 harness_async_init(struct harness_async *a);
/*
 * Waits until calls >= n; returns calls (read under the lock).  Keep `a`
 * alive (do not destroy it) while a callback may still come.
 */
int	 harness_async_wait(struct harness_async *a, int n, int timeout_ms);
int	 harness_async_calls(struct harness_async *a);
void	 harness_async_destroy(struct harness_async *a);

/*
 * The Check fixture of the suites that test against a daemon: each test
 * starts its own, and it must stop with exit status 0 (under ASan or
 * valgrind that also means leak-free).
 */
void	 harness_fixture_setup(void);
void	 harness_fixture_teardown(void);

/* Runs fn(arg) on a new thread; harness_bg_wait collects its result. */
struct harness_bg;
struct harness_bg *harness_bg_start(HRESULT (*fn)(void *), void *arg);
/* true and *hr when it finished within timeout_ms (then the bg is freed). */
bool	 harness_bg_wait(struct harness_bg *bg, int timeout_ms, HRESULT *hr);
/* Has it finished (without waiting)? */
bool	 harness_bg_done(struct harness_bg *bg);

/*
 * Messages for tests that only need "a message": an INT32 body (action
 * HARNESS_ACTION_INT) or a WSZ body of n characters (HARNESS_ACTION_TEXT),
 * element "value" in namespace "urn:wschannel-test".  A harness_msg starts
 * zeroed, holds the WS_MESSAGE, heap and value buffers that an async call
 * needs until its callback, and is reusable after harness_msg_free.
 */
#define HARNESS_ACTION_INT	"urn:wschannel-test/int"
#define HARNESS_ACTION_TEXT	"urn:wschannel-test/text"
enum harness_body {
	HARNESS_BODY_INT,
	HARNESS_BODY_TEXT,
};
struct harness_msg {
	WS_MESSAGE	*msg;
	WS_HEAP		*heap;
	int32_t		 value;		/* sent or received INT32 */
	WCHAR		*text;		/* sent WSZ (malloc'd) */
	WCHAR		*rtext;		/* received WSZ (on the heap) */
	ULONG		 index;		/* matched description */
	bool		 optional;	/* WS_RECEIVE_OPTIONAL_MESSAGE: the
					 * peer's End gives WS_S_END */
};
HRESULT	 harness_send_int32(WS_CHANNEL *ch, struct harness_msg *m, int32_t v,
	    const WS_ASYNC_CONTEXT *async);
HRESULT	 harness_send_text(WS_CHANNEL *ch, struct harness_msg *m, size_t n,
	    const WS_ASYNC_CONTEXT *async);
/* Receives the message of one kind (value or rtext). */
HRESULT	 harness_receive(WS_CHANNEL *ch, struct harness_msg *m,
	    enum harness_body kind, const WS_ASYNC_CONTEXT *async);
void	 harness_msg_free(struct harness_msg *m);

/*
 * Sends `count` WSZ messages of `chars` characters one after the other
 * from a thread: toward a peer that never reads, that fills every buffer
 * on the way.  harness_fill_settle waits until all were sent, one failed,
 * or none completed for `stall_ms` (the sends block), and returns how many
 * were sent, with the last result in *last.  harness_fill_end waits
 * (bounded) for the thread and frees `f` when it ended: *hr is the result
 * of its last send.
 */
struct harness_fill;
struct harness_fill *harness_fill_start(WS_CHANNEL *ch, int count,
	    size_t chars);
int	 harness_fill_settle(struct harness_fill *f, int stall_ms,
	    HRESULT *last);
bool	 harness_fill_end(struct harness_fill *f, int timeout_ms, HRESULT *hr);

/* "WS_E_OPERATION_ABORTED" or "0x803D00FF" (static buffer for unknowns). */
const char *harness_hr_name(HRESULT hr);
const char *harness_state_name(int state);	/* "OPEN", "(unknown)" */

/* WsOpenChannel on a URL given as ASCII. */
HRESULT	 harness_open_url(WS_CHANNEL *ch, const char *url,
	    const WS_ASYNC_CONTEXT *async, WS_ERROR *error);

/*
 * Checks the outcome of an async call that returned `ret`: WS_S_ASYNC and
 * then exactly one callback with `want`, WS_LONG_CALLBACK, on a thread
 * other than the caller's; or `want` returned directly and no callback.
 * NULL when it holds, else a description (static buffer).
 */
const char *harness_async_verify(struct harness_async *a, HRESULT ret,
	    HRESULT want, int timeout_ms);

/* Assertions for Check suites (expanded where <check.h> is included). */
#define HR_EQ(expr, want) do {						\
	HRESULT hr_ = (expr), w_ = (want);				\
	ck_assert_msg(hr_ == w_, "%s: got %s, expected %s", #expr,	\
	    harness_hr_name(hr_), harness_hr_name(w_));			\
} while (0)
#define STATE_EQ(ch, want) do {						\
	int st_ = harness_channel_state(ch), w_ = (want);		\
	ck_assert_msg(st_ == w_, "state of %s: %s, expected %s", #ch,	\
	    harness_state_name(st_), harness_state_name(w_));		\
} while (0)
#define ASYNC_EQ(a, ret, want) do {					\
	const char *m_ = harness_async_verify((a), (ret), (want), 10000); \
	ck_assert_msg(m_ == NULL, "%s: %s", #ret, m_);			\
} while (0)

/* The first string of a WS_ERROR, as ASCII into buf; false if none. */
bool	 harness_error_string(WS_ERROR *error, char *buf, size_t len);

/* CLOCK_MONOTONIC in microseconds. */
uint64_t harness_now_us(void);
void	 harness_sleep_ms(int ms);

/*
 * WsCloseChannel(ch) on a thread; harness_bg_wait gives its HRESULT.  A
 * graceful close waits for the peer's End, so the test closes (or shuts
 * down) the other end meanwhile.
 */
struct harness_bg *harness_close_start(WS_CHANNEL *ch);
/* WsAbortChannel(ch) on a thread. */
struct harness_bg *harness_abort_start(WS_CHANNEL *ch);
/* A blocking receive of an INT32 message (harness_receive) on `r->ch`
 * into `r->m`, on a thread; `r` lives until harness_bg_wait says it
 * ended, and the test frees r->m. */
struct harness_recv {
	WS_CHANNEL		*ch;
	struct harness_msg	 m;
};
struct harness_bg *harness_receive_start(struct harness_recv *r);

/* harness_proc.c: the CPU a task ran on last, from its stat file (-1 when
 * unreadable); how many of this process's threads go by `name` (top -H),
 * and in *cpu (if not NULL) where the first of them ran last, or -1. */
int	 harness_stat_cpu(const char *path);
int	 harness_threads_named(const char *name, int *cpu);
/* The running daemon's resident memory in KiB (VmRSS), or -1; its CPU
 * time so far in ns (schedstat), or 0 when the kernel does not say. */
long	 harness_daemon_rss_kib(void);
uint64_t harness_daemon_cpu_ns(void);

#endif
