/*
 * wsctl against a real daemon: each test starts a private wschanneld on a
 * temporary socket (tests/harness.c), makes channels and listeners through
 * libwschannel, runs the wsctl binary and compares its output, text and
 * JSON, with tests/expected/wsctl-*.
 *
 * A fresh daemon numbers its objects from 1, so ids are predictable; what
 * varies from run to run (uids, pids, ports, byte counts, event sequence
 * numbers) is replaced with placeholders before comparing: UID, PID
 * (this process), CHILD (a helper process), PORT (the listener's port),
 * EPHEMERAL (any other loopback port), N (a byte count), SEQ.
 *
 * WSCTL_BLESS=1 rewrites the expected files from what wsctl printed.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "harness.h"

#define WSCTL_RUN_MS	20000
#define WAIT_MS		10000

/* ---- running wsctl ---------------------------------------------------- */

static char *
wsctl_path(void)
{
	char *p = harness_build_path("wsctl");

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Runs wsctl with --socket `sock` and the NULL-terminated arguments. */
static char *
run_wsctl_sock_v(const char *sock, int *status, va_list ap)
{
	const char *argv[32];
	const char *arg;
	char *out = NULL, *wsctl = wsctl_path();
	int argc = 0, r;

	argv[argc++] = wsctl;
	if (sock != NULL) {
		argv[argc++] = "--socket";
		argv[argc++] = sock;
	}
	while ((arg = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = arg;
	argv[argc] = NULL;
	r = harness_run((char *const *)argv, WSCTL_RUN_MS, &out, status);
	ck_assert_msg(r == 0, "running wsctl failed: %s", strerror(-r));
	free(wsctl);
	if (out == NULL)
		out = strdup("");
	return out;
}

static char *
run_wsctl_sock(const char *sock, int *status, ...)
{
	va_list ap;
	char *out;

	va_start(ap, status);
	out = run_wsctl_sock_v(sock, status, ap);
	va_end(ap);
	return out;
}

/* wsctl against the private daemon. */
static char *
run_wsctl(int *status, ...)
{
	va_list ap;
	char *out;

	ck_assert_ptr_nonnull(harness_socket_path());
	va_start(ap, status);
	out = run_wsctl_sock_v(harness_socket_path(), status, ap);
	va_end(ap);
	return out;
}

/* Runs wsctl, expects exit status `want` and returns stdout. */
#define WSCTL(want, ...) ({						\
	int st_ = -1;							\
	char *o_ = run_wsctl(&st_, __VA_ARGS__, NULL);			\
	ck_assert_msg(st_ == (want), "wsctl exited %d, not %d; "	\
	    "stdout:\n%s", st_, (want), o_);				\
	o_;								\
})

/* ---- normalizing ------------------------------------------------------ */

static struct {
	uint16_t	port;		/* -> PORT */
	pid_t		child;		/* -> CHILD */
} nm;

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

enum field { F_UID, F_PID, F_BYTES, F_SEQ };

/* The placeholder for a number in a field, or NULL to keep it. */
static const char *
placeholder(enum field f, const char *s, size_t n)
{
	unsigned long long v;

	if (!all_digits(s, n))
		return NULL;
	v = strtoull(s, NULL, 10);
	switch (f) {
	case F_UID:
		return v == (unsigned long long)getuid() ? "UID" : NULL;
	case F_PID:
		if (v == (unsigned long long)getpid())
			return "PID";
		if (nm.child > 0 && v == (unsigned long long)nm.child)
			return "CHILD";
		return NULL;
	case F_BYTES:
		/* What counts as a byte (framing or not) is the daemon's
		 * business; that wsctl shows the counters is ours. */
		return "N";
	case F_SEQ:
		return "SEQ";
	}
	return NULL;
}

/* "127.0.0.1:<port>": PORT for the listener's, EPHEMERAL for the others. */
static void
norm_addrs(FILE *f, const char *in)
{
	static const char host[] = "127.0.0.1:";
	const char *p = in, *hit;
	size_t n;

	while ((hit = strstr(p, host)) != NULL) {
		hit += strlen(host);
		fwrite(p, 1, hit - p, f);
		for (n = 0; isdigit((unsigned char)hit[n]); n++)
			;
		if (n == 0) {
			p = hit;
			continue;
		}
		fputs(nm.port != 0 && strtoul(hit, NULL, 10) == nm.port ?
		    "PORT" : "EPHEMERAL", f);
		p = hit + n;
	}
	fputs(p, f);
}

/* Text: `wsctl list` rows (10 and 8 fields), watch lines (9), show lines. */
static void
norm_text_line(FILE *f, const char *line, size_t len)
{
	static const struct {
		const char	*key;
		enum field	 field;
	} show[] = {
		{ "owner-uid:", F_UID }, { "owner-pid:", F_PID },
		{ "bytes-in:", F_BYTES }, { "bytes-out:", F_BYTES },
	};
	const char *tok[16], *ph;
	size_t toklen[16], i, ntok = 0, pos = 0;

	for (i = 0; i < sizeof(show) / sizeof(show[0]); i++) {
		size_t kl = strlen(show[i].key), v;

		if (len < kl || strncmp(line, show[i].key, kl) != 0)
			continue;
		for (v = kl; v < len && line[v] == ' '; v++)
			;
		ph = placeholder(show[i].field, line + v, len - v);
		fwrite(line, 1, v, f);
		if (ph != NULL)
			fputs(ph, f);
		else
			fwrite(line + v, 1, len - v, f);
		return;
	}
	while (pos < len && ntok < 16) {
		tok[ntok] = line + pos;
		while (pos < len && line[pos] != ' ')
			pos++;
		toklen[ntok] = line + pos - tok[ntok];
		ntok++;
		if (pos < len)
			pos++;
	}
	/* Padded lines (show) have empty tokens: no columns there. */
	for (i = 0; i < ntok; i++)
		if (toklen[i] == 0) {
			fwrite(line, 1, len, f);
			return;
		}
	for (i = 0; i < ntok; i++) {
		ph = NULL;
		if ((ntok == 10 || ntok == 8) && i == 1)
			ph = placeholder(F_UID, tok[i], toklen[i]);
		else if ((ntok == 10 || ntok == 8) && i == 2)
			ph = placeholder(F_PID, tok[i], toklen[i]);
		else if (ntok == 10 && (i == 8 || i == 9))
			ph = placeholder(F_BYTES, tok[i], toklen[i]);
		else if (ntok == 9 && i == 0)
			ph = placeholder(F_SEQ, tok[i], toklen[i]);
		else if (ntok == 9 && i == 6)
			ph = placeholder(F_UID, tok[i], toklen[i]);
		else if (ntok == 9 && i == 7)
			ph = placeholder(F_PID, tok[i], toklen[i]);
		if (i > 0)
			fputc(' ', f);
		if (ph != NULL)
			fputs(ph, f);
		else
			fwrite(tok[i], 1, toklen[i], f);
	}
}

/* JSON: the number after these keys becomes a quoted placeholder. */
static void
norm_json(FILE *f, const char *in)
{
	static const struct {
		const char	*key;
		enum field	 field;
	} keys[] = {
		{ "\"owner_uid\":", F_UID }, { "\"owner_pid\":", F_PID },
		{ "\"bytes_in\":", F_BYTES }, { "\"bytes_out\":", F_BYTES },
		{ "\"seq\":", F_SEQ },
	};
	const char *p = in, *ph;
	size_t i, kl, n;

	while (*p != '\0') {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			kl = strlen(keys[i].key);
			if (strncmp(p, keys[i].key, kl) == 0)
				break;
		}
		if (i == sizeof(keys) / sizeof(keys[0])) {
			fputc(*p++, f);
			continue;
		}
		fwrite(p, 1, kl, f);
		p += kl;
		for (n = 0; isdigit((unsigned char)p[n]); n++)
			;
		ph = placeholder(keys[i].field, p, n);
		if (ph != NULL) {
			fprintf(f, "\"%s\"", ph);
			p += n;
		}
	}
}

/* The normalized copy of wsctl's stdout (text or JSON); frees `in`. */
static char *
norm(char *in)
{
	char *mid = NULL, *out = NULL;
	size_t len = 0;
	const char *line, *nl;
	FILE *f;

	f = open_memstream(&mid, &len);
	ck_assert_ptr_nonnull(f);
	if (in[0] == '{' || in[0] == '[')
		norm_json(f, in);
	else
		for (line = in; *line != '\0'; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl == NULL) {
				norm_text_line(f, line, strlen(line));
				break;
			}
			norm_text_line(f, line, nl - line);
			fputc('\n', f);
		}
	fclose(f);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	norm_addrs(f, mid);
	fclose(f);
	free(mid);
	free(in);
	return out;
}

/* ---- expected files --------------------------------------------------- */

static char *
expected_path(const char *name)
{
	const char *src = getenv("WSCHANNEL_SRCDIR");
	char *p;

	if (src == NULL || *src == '\0')
		src = ABS_SRCDIR;
	ck_assert_int_ge(asprintf(&p, "%s/tests/expected/%s", src, name), 0);
	return p;
}

static char *
read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *in, *out;

	in = fopen(path, "r");
	if (in == NULL)
		return NULL;
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(in);
	fclose(out);
	return buf;
}

/* Compares (normalized) output with tests/expected/<name>; frees `got`. */
static void
expect_file(const char *name, char *got)
{
	char *path = expected_path(name), *want;
	const char *bless = getenv("WSCTL_BLESS");
	FILE *f;

	if (bless != NULL && strcmp(bless, "1") == 0) {
		f = fopen(path, "w");
		ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
		fputs(got, f);
		fclose(f);
	}
	want = read_file(path);
	ck_assert_msg(want != NULL, "%s: %s", path, strerror(errno));
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- expected %s\n%s--- got\n%s--- end\n", name,
		    want, got);
		ck_abort_msg("wsctl output differs from %s (see stderr)", name);
	}
	free(want);
	free(path);
	free(got);
}

/* The same for a short expectation written in the test. */
static void
expect_str(const char *want, char *got)
{
	ck_assert_str_eq(got, want);
	free(got);
}

/* ---- objects ---------------------------------------------------------- */

static WS_CHANNEL *
created_channel(void)
{
	WS_CHANNEL *ch = NULL;

	ck_assert_int_eq(harness_tcp_channel(&ch, NULL, 0), S_OK);
	return ch;
}

static WS_LISTENER *
created_listener(void)
{
	WS_LISTENER *l = NULL;

	ck_assert_int_eq(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL), S_OK);
	return l;
}

static void
open_pair(struct harness_pair *p)
{
	HRESULT hr = harness_pair_open(p, NULL, 0);

	ck_assert_msg(hr == S_OK, "harness_pair_open: 0x%08X", (unsigned)hr);
	nm.port = p->port;
}

/* A receive that blocks on another thread until something ends it. */
struct receiver {
	WS_CHANNEL		*ch;
	WS_MESSAGE		*msg;
	WS_HEAP			*heap;
	struct harness_bg	*bg;
};

static HRESULT
receiver_run(void *arg)
{
	static WS_XML_STRING action = { 8, (BYTE *)"urn:wait", NULL, 0 };
	static WS_MESSAGE_DESCRIPTION desc = { &action, NULL };
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &desc };
	struct receiver *r = arg;

	return WsReceiveMessage(r->ch, r->msg, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, r->heap, NULL,
	    0, NULL, NULL, NULL);
}

static void
receiver_start(struct receiver *r, WS_CHANNEL *ch)
{
	memset(r, 0, sizeof(*r));
	r->ch = ch;
	ck_assert_int_eq(WsCreateHeap(65536, 0, NULL, 0, &r->heap, NULL), S_OK);
	ck_assert_int_eq(WsCreateMessageForChannel(ch, NULL, 0, &r->msg, NULL),
	    S_OK);
	r->bg = harness_bg_start(receiver_run, r);
	ck_assert_ptr_nonnull(r->bg);
}

/* Waits for the receive to end; returns its HRESULT. */
static HRESULT
receiver_wait(struct receiver *r)
{
	HRESULT hr = E_FAIL;

	ck_assert_msg(harness_bg_wait(r->bg, WAIT_MS, &hr),
	    "the receive did not return after the abort");
	WsFreeMessage(r->msg);
	WsFreeHeap(r->heap);
	return hr;
}

/* Polls `wsctl show` until channel `id` has `n` operations pending. */
static void
wait_pending(const char *id, unsigned n)
{
	char needle[64], *out;
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;
	bool found;

	snprintf(needle, sizeof(needle), "\npending:      %u\n", n);
	for (;;) {
		out = WSCTL(0, "show", id);
		found = strstr(out, needle) != NULL;
		free(out);
		if (found)
			return;
		ck_assert_msg(harness_now_us() < deadline,
		    "channel %s never had %u operations pending", id, n);
		harness_sleep_ms(20);
	}
}

/* ---- fixture ---------------------------------------------------------- */

static void
setup(void)
{
	memset(&nm, 0, sizeof(nm));
	ck_assert_int_eq(harness_daemon_start(), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(harness_daemon_stop(), 0);
}

/* ---- list and show ---------------------------------------------------- */

START_TEST(test_list_empty)
{
	expect_str("", WSCTL(0, "list"));
	expect_str("{\"channels\":[],\"listeners\":[]}\n",
	    WSCTL(0, "--json", "list"));
	expect_str("{\"results\":[]}\n", WSCTL(0, "abort", "--all", "--json"));
	expect_str("", WSCTL(0, "abort", "--all"));
}
END_TEST

START_TEST(test_list_show)
{
	struct harness_channel_row rows[8];
	struct harness_pair pair;
	WS_LISTENER *l5;
	WS_CHANNEL *ch4;

	/* Listener 1, client 2, server 3 (accepted), all OPEN. */
	open_pair(&pair);
	ch4 = created_channel();		/* 4, CREATED */
	l5 = created_listener();		/* 5, CREATED */

	expect_file("wsctl-list.txt", norm(WSCTL(0, "list")));
	expect_file("wsctl-list.json", norm(WSCTL(0, "list", "--json")));
	ck_assert_int_eq(harness_list_channels(rows, 8), 3);
	ck_assert_uint_eq(rows[0].id, 2);
	ck_assert_str_eq(rows[0].state, "OPEN");

	expect_file("wsctl-show-2.txt", norm(WSCTL(0, "show", "2")));
	expect_file("wsctl-show-2.json", norm(WSCTL(0, "--json", "show", "2")));
	expect_file("wsctl-show-3.txt", norm(WSCTL(0, "show", "3")));
	expect_file("wsctl-show-4.txt", norm(WSCTL(0, "show", "4")));
	expect_file("wsctl-show-4.json", norm(WSCTL(0, "show", "4", "--json")));

	WsFreeListener(l5);
	WsFreeChannel(ch4);
	harness_pair_free(&pair);
}
END_TEST

START_TEST(test_not_found)
{
	WS_CHANNEL *ch1 = created_channel();

	expect_str("", WSCTL(3, "show", "99"));
	expect_str("", WSCTL(3, "--json", "show", "99"));
	expect_str("99 error: E_INVALIDARG\n", WSCTL(3, "abort", "99"));
	expect_str("{\"results\":[{\"id\":99,\"hresult\":\"E_INVALIDARG\","
	    "\"state\":null,\"cancelled\":null}]}\n",
	    WSCTL(3, "--json", "abort", "99"));
	/* The ids that exist are aborted all the same. */
	expect_str("1 CREATED cancelled=0\n99 error: E_INVALIDARG\n",
	    WSCTL(3, "abort", "99", "1"));
	expect_str("1 CREATED cancelled=0\n", WSCTL(0, "abort", "1"));
	WsFreeChannel(ch1);
}
END_TEST

/* ---- abort ------------------------------------------------------------ */

START_TEST(test_abort_id)
{
	struct harness_pair pair;
	struct receiver rcv;
	char *out;

	open_pair(&pair);
	receiver_start(&rcv, pair.client);	/* channel 2 */
	wait_pending("2", 1);

	expect_file("wsctl-abort-id.txt", norm(WSCTL(0, "abort", "2")));
	ck_assert_int_eq(receiver_wait(&rcv), WS_E_OPERATION_ABORTED);
	ck_assert_int_eq(harness_channel_state(pair.client),
	    WS_CHANNEL_STATE_FAULTED);
	out = WSCTL(0, "show", "2");
	ck_assert_ptr_nonnull(strstr(out, "\nstate:        FAULTED\n"));
	ck_assert_ptr_nonnull(strstr(out, "\npending:      0\n"));
	free(out);
	/* Again: FAULTED stays FAULTED and nothing is left to cancel. */
	expect_str("{\"results\":[{\"id\":2,\"hresult\":\"S_OK\","
	    "\"state\":\"FAULTED\",\"cancelled\":0}]}\n",
	    WSCTL(0, "--json", "abort", "2"));
	harness_pair_free(&pair);
}
END_TEST

/*
 * Another process with channels of its own: a pair (listener 1, channels
 * 2 and 3).  It writes "<pid> <port>\n" when ready and exits when `hold`
 * is closed.  Forked before this process makes any WsXxx call, so the two
 * do not share the library's connection.
 */
static pid_t
spawn_holder(int *hold_fd, uint16_t *port)
{
	int ready[2], hold[2];
	char buf[64];
	ssize_t n;
	long pid;
	unsigned p;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct harness_pair pair;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		close(hold[1]);
		if (harness_pair_open(&pair, NULL, 0) != S_OK)
			_exit(1);
		n = snprintf(buf, sizeof(buf), "%ld %u\n", (long)getpid(),
		    pair.port);
		if (write(ready[1], buf, n) != n)
			_exit(1);
		/* Until the test is done with us. */
		while (read(hold[0], buf, sizeof(buf)) > 0)
			;
		harness_pair_free(&pair);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	n = read(ready[0], buf, sizeof(buf) - 1);
	close(ready[0]);
	ck_assert_msg(n > 0, "the helper process did not get ready");
	buf[n] = '\0';
	ck_assert_int_eq(sscanf(buf, "%ld %u", &pid, &p), 2);
	*hold_fd = hold[1];
	*port = (uint16_t)p;
	return (pid_t)pid;
}

static int
reap(pid_t pid)
{
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		ck_assert_int_eq(r, 0);
		if (harness_now_us() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			ck_abort_msg("process %ld did not exit", (long)pid);
		}
		harness_sleep_ms(10);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_abort_pid)
{
	char pidarg[24];
	WS_CHANNEL *ch4, *ch5;
	pid_t child;
	int hold;

	child = spawn_holder(&hold, &nm.port);
	nm.child = child;
	ch4 = created_channel();		/* 4, ours */
	ch5 = created_channel();		/* 5, ours */

	snprintf(pidarg, sizeof(pidarg), "%ld", (long)child);
	expect_file("wsctl-abort-pid.txt", norm(WSCTL(0, "abort", "--pid",
	    pidarg)));
	/* Only the other process's channels were touched. */
	expect_file("wsctl-abort-pid-list.txt", norm(WSCTL(0, "list")));
	ck_assert_int_eq(harness_channel_state(ch4), WS_CHANNEL_STATE_CREATED);

	snprintf(pidarg, sizeof(pidarg), "%ld", (long)getpid());
	expect_str("{\"results\":["
	    "{\"id\":4,\"hresult\":\"S_OK\",\"state\":\"CREATED\",\"cancelled\":0},"
	    "{\"id\":5,\"hresult\":\"S_OK\",\"state\":\"CREATED\",\"cancelled\":0}"
	    "]}\n", WSCTL(0, "--json", "abort", "--pid", pidarg));
	/* A process with no channels: nothing to do, and no error. */
	expect_str("", WSCTL(0, "abort", "--pid", "2147483647"));

	close(hold);
	ck_assert_int_eq(reap(child), 0);
	WsFreeChannel(ch5);
	WsFreeChannel(ch4);
}
END_TEST

START_TEST(test_abort_all)
{
	struct harness_pair pair;
	struct receiver rcv;
	WS_CHANNEL *ch4;

	open_pair(&pair);
	ch4 = created_channel();
	receiver_start(&rcv, pair.server);	/* channel 3 */
	wait_pending("3", 1);

	/* 2 and 3 go in one turn of the daemon's loop: 3's receive is
	 * cancelled by the abort, not by 2's disconnection. */
	expect_file("wsctl-abort-all.json",
	    norm(WSCTL(0, "--json", "abort", "--all")));
	ck_assert_int_eq(receiver_wait(&rcv), WS_E_OPERATION_ABORTED);
	expect_file("wsctl-abort-all.txt", norm(WSCTL(0, "abort", "--all")));
	ck_assert_int_eq(harness_channel_state(pair.client),
	    WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_channel_state(pair.server),
	    WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_channel_state(ch4), WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(ch4);
	harness_pair_free(&pair);
}
END_TEST

/* ---- another user ----------------------------------------------------- */

static const char *const as_nobody[] = { "setpriv", "--reuid=65534",
    "--regid=65534", "--clear-groups", NULL };

/* wsctl as uid 65534, which owns nothing and administers nothing. */
#define WSCTL_NOBODY(want, ...) ({					\
	int st_ = -1;							\
	char *o_ = NULL;						\
	ck_assert_int_eq(harness_wsctl_prefixed(as_nobody, &o_, &st_,	\
	    __VA_ARGS__, NULL), 0);					\
	ck_assert_msg(st_ == (want), "wsctl (nobody) exited %d, not %d; " \
	    "stdout:\n%s", st_, (want), o_);				\
	o_ != NULL ? o_ : strdup("");					\
})

START_TEST(test_access_denied)
{
	WS_CHANNEL *ch1;
	char *out;

	if (geteuid() != 0 || !harness_have_program("setpriv")) {
		fprintf(stderr, "test_access_denied: skipped (needs root and "
		    "setpriv)\n");
		return;
	}
	ch1 = created_channel();
	ck_assert_int_eq(harness_share_socket(), 0);

	/* Someone else's channel is invisible, and untouchable. */
	expect_str("", WSCTL_NOBODY(0, "list"));
	expect_str("{\"channels\":[],\"listeners\":[]}\n",
	    WSCTL_NOBODY(0, "list", "--json"));
	expect_str("", WSCTL_NOBODY(4, "show", "1"));
	expect_str("1 error: E_ACCESSDENIED\n", WSCTL_NOBODY(4, "abort", "1"));
	expect_str("{\"results\":[{\"id\":1,\"hresult\":\"E_ACCESSDENIED\","
	    "\"state\":null,\"cancelled\":null}]}\n",
	    WSCTL_NOBODY(4, "--json", "abort", "1"));
	/* Denied comes first in id order, so it decides the status. */
	expect_str("1 error: E_ACCESSDENIED\n99 error: E_INVALIDARG\n",
	    WSCTL_NOBODY(4, "abort", "99", "1"));
	expect_str("", WSCTL_NOBODY(0, "abort", "--all"));
	expect_str("", WSCTL_NOBODY(0, "abort", "--pid", "1"));

	/* Root sees it, untouched. */
	out = WSCTL(0, "show", "1");
	ck_assert_ptr_nonnull(strstr(out, "\nstate:        CREATED\n"));
	free(out);
	WsFreeChannel(ch1);
}
END_TEST

/* ---- no daemon, bad command lines ------------------------------------- */

START_TEST(test_unreachable)
{
	static const char *const verbs[][3] = {
		{ "list", NULL }, { "show", "1", NULL }, { "abort", "1", NULL },
		{ "abort", "--all", NULL }, { "watch", NULL },
	};
	struct sockaddr_un sun;
	char *none, *dead, *out, *sock;
	size_t i;
	int st, fd;

	ck_assert_int_ge(asprintf(&none, "%s/none.sock", harness_dir()), 0);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		out = run_wsctl_sock(none, &st, verbs[i][0], verbs[i][1], NULL);
		ck_assert_int_eq(st, 5);
		expect_str("", out);
	}

	/* A socket file nobody listens on: ECONNREFUSED. */
	ck_assert_int_ge(asprintf(&dead, "%s/dead.sock", harness_dir()), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, dead);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	out = run_wsctl_sock(dead, &st, "--json", "list", NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);
	unlink(dead);

	/* The daemon killed: same thing through its own socket. */
	sock = strdup(harness_socket_path());
	ck_assert_int_eq(harness_daemon_kill(), 0);
	out = run_wsctl_sock(sock, &st, "list", NULL);
	ck_assert_int_eq(st, 5);
	expect_str("", out);

	/* WSCHANNEL_ADDRESS is used without --socket. */
	setenv("WSCHANNEL_ADDRESS", "unix:path=/nonexistent/wsctl.sock", 1);
	out = run_wsctl_sock(NULL, &st, "list", NULL);
	ck_assert_int_eq(st, 5);
	free(out);
	free(sock);
	free(dead);
	free(none);
}
END_TEST

START_TEST(test_usage)
{
	int st;
	char *out;

	out = run_wsctl_sock(NULL, &st, NULL);
	ck_assert_int_eq(st, 2);
	free(out);
	out = run_wsctl_sock(NULL, &st, "show", "x", NULL);
	ck_assert_int_eq(st, 2);
	expect_str("", out);
	out = run_wsctl_sock(NULL, &st, "abort", "--all", "3", NULL);
	ck_assert_int_eq(st, 2);
	free(out);
	out = run_wsctl_sock(NULL, &st, "--help", NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "Exit status:"));
	free(out);
	out = run_wsctl_sock(NULL, &st, "abort", "--help", NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "--pid PID"));
	free(out);
}
END_TEST

/* ---- watch ------------------------------------------------------------ */

/* `wsctl watch` in the background, its stdout into `file`. */
static pid_t
watch_start(const char *file, bool json)
{
	char *wsctl = wsctl_path();
	pid_t pid;
	int fd;

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fd, STDOUT_FILENO);
		if (json)
			execl(wsctl, wsctl, "--socket", harness_socket_path(),
			    "--json", "watch", (char *)NULL);
		else
			execl(wsctl, wsctl, "watch", "--socket",
			    harness_socket_path(), (char *)NULL);
		_exit(127);
	}
	close(fd);
	free(wsctl);
	return pid;
}

static bool
file_has(const char *file, const char *needle)
{
	char *s = read_file(file);
	bool found = s != NULL && strstr(s, needle) != NULL;

	free(s);
	return found;
}

/*
 * Subscribing happens some time after wsctl starts, and nothing says when:
 * flip a probe channel (CREATED -> CLOSED -> CREATED) until every watcher
 * has printed a line.  From then on it misses nothing.
 */
static void
watch_sync(WS_CHANNEL *probe, const char *const *files, size_t nfiles)
{
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;
	size_t i;

	for (;;) {
		ck_assert_int_eq(WsCloseChannel(probe, NULL, NULL), S_OK);
		ck_assert_int_eq(WsResetChannel(probe, NULL), S_OK);
		harness_sleep_ms(50);
		for (i = 0; i < nfiles; i++)
			if (!file_has(files[i], "\n"))
				break;
		if (i == nfiles)
			return;
		ck_assert_msg(harness_now_us() < deadline,
		    "wsctl watch printed nothing");
	}
}

static void
wait_file_has(const char *file, const char *needle)
{
	uint64_t deadline = harness_now_us() + WAIT_MS * 1000ull;

	while (!file_has(file, needle)) {
		ck_assert_msg(harness_now_us() < deadline,
		    "%s never got '%s'", file, needle);
		harness_sleep_ms(20);
	}
}

/* The `seq` of a watch line, text ("7 channel ...") or JSON. */
static uint64_t
line_seq(const char *line)
{
	unsigned long long v;

	if (sscanf(line, "{\"seq\":%llu", &v) == 1 ||
	    sscanf(line, "%llu ", &v) == 1)
		return v;
	ck_abort_msg("no seq in '%s'", line);
	return 0;
}

/* The object a watch line is about: "channel 3" or "listener 2". */
static void
line_object(const char *line, char *buf, size_t len)
{
	unsigned long long seq, id;
	char kind[16];

	if (sscanf(line, "{\"seq\":%llu,\"kind\":\"%15[a-z]\",\"id\":%llu",
	    &seq, kind, &id) != 3 &&
	    sscanf(line, "%llu %15s %llu", &seq, kind, &id) != 3)
		ck_abort_msg("cannot parse watch line '%s'", line);
	snprintf(buf, len, "%s %llu", kind, id);
}

/*
 * The lines about `objects`, in order, after checking that sequence
 * numbers increase along the whole file.
 */
static char *
watch_lines(const char *file, const char *const *objects)
{
	char *all = read_file(file), *line, *save = NULL, *out = NULL;
	char obj[48];
	uint64_t seq, last = 0;
	const char *const *o;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(all);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	for (line = strtok_r(all, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		seq = line_seq(line);
		ck_assert_msg(seq > last, "seq %" PRIu64 " after %" PRIu64
		    " in %s", seq, last, file);
		last = seq;
		line_object(line, obj, sizeof(obj));
		for (o = objects; *o != NULL; o++)
			if (strcmp(obj, *o) == 0)
				fprintf(f, "%s\n", line);
	}
	fclose(f);
	free(all);
	return out;
}

START_TEST(test_watch)
{
	static const char *const objects[] = { "listener 2", "channel 3",
	    "channel 5", NULL };
	struct harness_pair pair;
	WS_CHANNEL *probe, *ch5;
	char *text, *json;
	const char *files[2];
	pid_t wt, wj;

	ck_assert_int_ge(asprintf(&text, "%s/watch.txt", harness_dir()), 0);
	ck_assert_int_ge(asprintf(&json, "%s/watch.json", harness_dir()), 0);
	files[0] = text;
	files[1] = json;
	probe = created_channel();			/* 1 */
	wt = watch_start(text, false);
	wj = watch_start(json, true);
	watch_sync(probe, files, 2);

	/*
	 * Listener 2 opens, then client 3 opens while server 4 accepts (4's
	 * lines interleave with 3's in no fixed order, so they are left
	 * out), then 5 is closed and reset, then wsctl aborts 3.  Each step
	 * ends before the next begins: the order of the rest is fixed.
	 */
	open_pair(&pair);
	ch5 = created_channel();
	ck_assert_int_eq(WsCloseChannel(ch5, NULL, NULL), S_OK);
	ck_assert_int_eq(WsResetChannel(ch5, NULL), S_OK);
	expect_str("3 FAULTED cancelled=0\n", WSCTL(0, "abort", "3"));
	wait_file_has(text, " channel 3 OPEN FAULTED ");
	wait_file_has(json, "\"id\":3,\"old_state\":\"OPEN\","
	    "\"new_state\":\"FAULTED\"");

	/* Interrupted, it stops cleanly. */
	kill(wt, SIGTERM);
	kill(wj, SIGINT);
	ck_assert_int_eq(reap(wt), 0);
	ck_assert_int_eq(reap(wj), 0);

	expect_file("wsctl-watch.txt", norm(watch_lines(text, objects)));
	expect_file("wsctl-watch.json", norm(watch_lines(json, objects)));

	WsFreeChannel(ch5);
	WsFreeChannel(probe);
	harness_pair_free(&pair);
	free(json);
	free(text);
}
END_TEST

START_TEST(test_watch_daemon_gone)
{
	WS_CHANNEL *probe;
	const char *files[1];
	char *text;
	pid_t wt;

	ck_assert_int_ge(asprintf(&text, "%s/watch.txt", harness_dir()), 0);
	files[0] = text;
	probe = created_channel();
	wt = watch_start(text, false);
	watch_sync(probe, files, 1);
	ck_assert_int_eq(harness_daemon_kill(), 0);
	/* "connection lost" */
	ck_assert_int_eq(reap(wt), 5);
	WsFreeChannel(probe);
	free(text);
}
END_TEST

static Suite *
wsctl_suite(void)
{
	Suite *s = suite_create("wsctl");
	TCase *tc;

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_list_empty);
	tcase_add_test(tc, test_list_show);
	tcase_add_test(tc, test_not_found);
	suite_add_tcase(s, tc);

	tc = tcase_create("abort");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_abort_id);
	tcase_add_test(tc, test_abort_pid);
	tcase_add_test(tc, test_abort_all);
	tcase_add_test(tc, test_access_denied);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_usage);
	suite_add_tcase(s, tc);

	tc = tcase_create("watch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_watch);
	tcase_add_test(tc, test_watch_daemon_gone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(wsctl_suite());
	/* One daemon and one library connection per test: fork mode only. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
