/*
 * Bad input on the control socket: a bad magic, version, kind or length, a
 * payload that does not decode, an unknown operation, an id that does not
 * exist.  The caller gets an error reply or its connection is closed, the
 * daemon logs one line, and every other client carries on.  And the
 * manager's requests D-Bus has too: Reload (administrators only) and
 * GetStatistics, over the socket.  And what reading costs a client: a
 * caller blocked in read(2) for its reply is woken once, by the reply.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "config.h"
#include "frame.h"
#include "harness.h"
#include "wschannel.pb-c.h"

static int
control_connect(void)
{
	int fd;

	ck_assert_int_ge(fd = harness_control_connect(), 0);
	return fd;
}

/* True when the daemon closed `fd` (EOF) within a few seconds. */
static int
closed_by_daemon(int fd)
{
	char buf[256];

	return harness_raw_wait_eof(fd, 5000) == 0 ||
	    harness_raw_read(fd, buf, sizeof(buf), 100) == 0;
}

/* The daemon log's line count, to see that each bad frame logs one. */
static int
log_lines(void)
{
	char path[512], line[1024];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/daemon.log", harness_dir());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	return n;
}

/* Another client, through libwschannel, is served as before. */
static void
others_carry_on(void)
{
	WS_CHANNEL *ch;
	WS_CHANNEL_STATE st = 99;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), S_OK);
	ck_assert_int_eq(st, WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(ch);
}

static void
bad_header(uint32_t magic, uint16_t major, uint16_t kind, uint32_t length)
{
	uint8_t h[FRAME_HEADER_SIZE];
	int fd, before, after, tries;

	others_carry_on();
	before = log_lines();
	h[0] = magic >> 24; h[1] = magic >> 16; h[2] = magic >> 8; h[3] = magic;
	h[4] = major >> 8; h[5] = major;
	h[6] = kind >> 8; h[7] = kind;
	h[8] = length >> 24; h[9] = length >> 16; h[10] = length >> 8;
	h[11] = length;
	fd = control_connect();
	ck_assert_int_eq(harness_raw_write(fd, h, sizeof(h)), 0);
	ck_assert_msg(closed_by_daemon(fd), "connection not closed");
	close(fd);
	/* One line, written before the connection was closed. */
	for (tries = 0; (after = log_lines()) == before && tries < 50; tries++)
		usleep(20000);
	ck_assert_int_eq(after, before + 1);
	others_carry_on();
}

START_TEST(bad_magic)
{
	bad_header(0x47455420, FRAME_MAJOR, FRAME_REQUEST, 4);	/* "GET " */
}
END_TEST

START_TEST(bad_major)
{
	bad_header(FRAME_MAGIC, FRAME_MAJOR + 1, FRAME_REQUEST, 4);
}
END_TEST

START_TEST(bad_kind)
{
	/* A client may only send requests. */
	bad_header(FRAME_MAGIC, FRAME_MAJOR, FRAME_REPLY, 4);
}
END_TEST

START_TEST(bad_length)
{
	/* Refused from the header, before anything that large is read. */
	bad_header(FRAME_MAGIC, FRAME_MAJOR, FRAME_REQUEST, FRAME_MAX_PAYLOAD + 1);
}
END_TEST

START_TEST(payload_does_not_decode)
{
	uint8_t buf[FRAME_HEADER_SIZE + 4] = { 0 };
	int fd;

	frame_header_write(buf, FRAME_REQUEST, 4);
	memset(buf + FRAME_HEADER_SIZE, 0xff, 4);	/* not a protobuf */
	fd = control_connect();
	ck_assert_int_eq(harness_raw_write(fd, buf, sizeof(buf)), 0);
	ck_assert_msg(closed_by_daemon(fd), "connection not closed");
	close(fd);
	others_carry_on();
}
END_TEST

/* Packs `rq` as a frame into buf; its length. */
static size_t
frame_pack(uint8_t *buf, size_t size, const Wschannel__Request *rq)
{
	size_t n = wschannel__request__get_packed_size(rq);

	ck_assert_uint_le(n, size - FRAME_HEADER_SIZE);
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(rq, buf + FRAME_HEADER_SIZE);
	return FRAME_HEADER_SIZE + n;
}

/* Reads the next Reply frame's payload into buf; its length. */
static size_t
read_reply_bytes(int fd, uint8_t *buf, size_t size)
{
	uint8_t hdr[FRAME_HEADER_SIZE];
	struct frame_header fh;

	ck_assert_int_eq(harness_raw_read_full(fd, hdr, sizeof(hdr), 5000), 0);
	ck_assert_int_eq(frame_header_parse(hdr, &fh, NULL), 0);
	ck_assert_int_eq(fh.kind, FRAME_REPLY);
	ck_assert_uint_le(fh.length, size);
	ck_assert_int_eq(harness_raw_read_full(fd, buf, fh.length, 5000), 0);
	return fh.length;
}

/* Asks for the listing as request `id` and reads its Reply's payload
 * into buf; its length. */
static size_t
list_raw(int fd, uint64_t id, uint8_t *buf, size_t size)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__ListChannels lc = WSCHANNEL__LIST_CHANNELS__INIT;

	rq.id = id;
	rq.op_case = WSCHANNEL__REQUEST__OP_LIST_CHANNELS;
	rq.list_channels = &lc;
	ck_assert_int_eq(harness_raw_write(fd, buf, frame_pack(buf, size,
	    &rq)), 0);
	return read_reply_bytes(fd, buf, size);
}

/* Reads the next reply, which must answer request `id` (the caller frees
 * it). */
static Wschannel__Reply *
read_reply(int fd, uint64_t id)
{
	uint8_t buf[4096];
	size_t n = read_reply_bytes(fd, buf, sizeof(buf));
	Wschannel__Reply *r;

	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, n, buf));
	ck_assert_uint_eq(r->id, id);
	return r;
}

/* Sends `rq` and reads its reply (the caller frees it). */
static Wschannel__Reply *
call_reply(int fd, Wschannel__Request *rq)
{
	uint8_t buf[4096];
	size_t n = frame_pack(buf, sizeof(buf), rq);

	ck_assert_int_eq(harness_raw_write(fd, buf, n), 0);
	return read_reply(fd, rq->id);
}

/* Sends `rq` and reads its reply's HRESULT. */
static uint32_t
call(int fd, Wschannel__Request *rq)
{
	Wschannel__Reply *r = call_reply(fd, rq);
	uint32_t hr;

	ck_assert_int_ge(r->n_errors, 1);	/* a reason for WS_ERROR */
	hr = r->hresult;
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/* An operation this daemon does not know (none set, as a newer client's
 * unknown field decodes) and ids that do not exist get error replies on a
 * connection that stays usable. */
START_TEST(unknown_operation_and_ids)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__GetProperty gp = WSCHANNEL__GET_PROPERTY__INIT;
	int fd, before;

	/* A served call first: the daemon's own start-up lines are written
	 * by then (the socket accepts before "listening on" is logged). */
	others_carry_on();
	fd = control_connect();
	before = log_lines();
	rq.id = 1;
	ck_assert_uint_eq(call(fd, &rq), (uint32_t)E_INVALIDARG);

	ref.id = 424242;
	rq.id = 2;
	rq.op_case = WSCHANNEL__REQUEST__OP_ABORT_CHANNEL;
	rq.abort_channel = &ref;
	ck_assert_uint_eq(call(fd, &rq), (uint32_t)E_INVALIDARG);

	gp.id = 424242;
	gp.property_id = WS_CHANNEL_PROPERTY_STATE;
	rq.id = 3;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	rq.get_channel_property = &gp;
	ck_assert_uint_eq(call(fd, &rq), (uint32_t)E_INVALIDARG);

	rq.id = 4;
	rq.op_case = WSCHANNEL__REQUEST__OP_FREE_LISTENER;
	rq.free_listener = &ref;
	ck_assert_uint_eq(call(fd, &rq), (uint32_t)E_INVALIDARG);
	/* One line for each: the unknown operation and the three ids. */
	ck_assert_int_eq(log_lines(), before + 4);
	close(fd);
	others_carry_on();
}
END_TEST

/* A client that vanishes in the middle of a frame costs nothing else. */
START_TEST(client_vanishes_mid_frame)
{
	uint8_t buf[FRAME_HEADER_SIZE + 2];
	int fd;

	frame_header_write(buf, FRAME_REQUEST, 100);
	buf[FRAME_HEADER_SIZE] = 0x08;
	buf[FRAME_HEADER_SIZE + 1] = 0x01;
	fd = control_connect();
	ck_assert_int_eq(harness_raw_write(fd, buf, sizeof(buf)), 0);
	close(fd);
	others_carry_on();
}
END_TEST

/*
 * Requests that arrive in pieces, cut inside a header and inside a
 * payload: the daemon looks at what came before it takes it out of the
 * socket, and keeps a cut frame's start for the next read.  Each request
 * is answered once, in order, and nothing more comes.
 */
START_TEST(requests_in_pieces_answered_once)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetStatistics gs = WSCHANNEL__GET_STATISTICS__INIT;
	uint8_t buf[4 * 256], extra[16];
	size_t len = 0, f1, f2, cut[4];
	uint64_t id;
	int fd, i;

	rq.op_case = WSCHANNEL__REQUEST__OP_GET_STATISTICS;
	rq.get_statistics = &gs;
	for (id = 1; id <= 4; id++) {
		rq.id = id;
		len += frame_pack(buf + len, sizeof(buf) - len, &rq);
		if (id == 1)
			f1 = len;
		else if (id == 2)
			f2 = len;
	}
	/* The first frame and part of the second's header; the rest of that
	 * header and part of its payload; the rest, the third frame and
	 * part of the fourth's payload; the rest. */
	cut[0] = f1 + FRAME_HEADER_SIZE / 2;
	cut[1] = f1 + FRAME_HEADER_SIZE + 2;
	cut[2] = len - 3;
	cut[3] = len;
	fd = control_connect();
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(harness_raw_write(fd, buf + (i ? cut[i - 1] : 0),
		    cut[i] - (i ? cut[i - 1] : 0)), 0);
		usleep(50000);	/* handled apart */
	}
	ck_assert_uint_lt(cut[1], f2);
	for (id = 1; id <= 4; id++) {
		Wschannel__Reply *r = read_reply(fd, id);

		ck_assert_uint_eq(r->hresult, S_OK);
		wschannel__reply__free_unpacked(r, NULL);
	}
	ck_assert_int_eq(harness_raw_read(fd, extra, sizeof(extra), 300),
	    -ETIMEDOUT);
	close(fd);
}
END_TEST

/* The daemon's peak resident memory in KiB (VmHWM), or -1. */
static long
daemon_peak_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)harness_daemon_pid());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * A frame within the payload limit whose decoding would expand a
 * hundredfold: a CreateChannel with four million 4-byte properties.  The
 * daemon refuses it while decoding, and its peak memory grows by about the
 * frame, not by the ~400 MiB the decoded properties would take.
 */
START_TEST(frame_that_expands)
{
	size_t n = (FRAME_MAX_PAYLOAD - 16) / 4, sub = 4 + 4 * n, len, i;
	uint8_t *buf, *p;
	long before, after;
	int fd;

	ck_assert_ptr_nonnull(buf = malloc(FRAME_HEADER_SIZE + FRAME_MAX_PAYLOAD));
	p = buf + FRAME_HEADER_SIZE;
	*p++ = 0x08; *p++ = 0x01;		/* id = 1 */
	*p++ = 0x52;				/* create_channel, length-delimited */
	for (len = sub; len >= 0x80; len >>= 7)
		*p++ = (uint8_t)(len | 0x80);
	*p++ = (uint8_t)len;
	*p++ = 0x08; *p++ = 0x01;		/* type */
	*p++ = 0x10; *p++ = 0x01;		/* binding */
	for (i = 0; i < n; i++) {
		*p++ = 0x1a; *p++ = 0x02;	/* properties: { id = 0 } */
		*p++ = 0x08; *p++ = 0x00;
	}
	len = (size_t)(p - buf) - FRAME_HEADER_SIZE;
	ck_assert_uint_le(len, FRAME_MAX_PAYLOAD);
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)len);

	others_carry_on();
	before = daemon_peak_kib();
	ck_assert_int_gt(before, 0);
	fd = control_connect();
	ck_assert_int_eq(harness_raw_write(fd, buf, FRAME_HEADER_SIZE + len), 0);
	ck_assert_msg(closed_by_daemon(fd), "connection not closed");
	close(fd);
	free(buf);
	after = daemon_peak_kib();
	ck_assert_msg(after - before < 160 * 1024,
	    "daemon peak memory grew by %ld KiB for one %zu-byte frame",
	    after - before, len);
	others_carry_on();
}
END_TEST

/* ---- Reload and GetStatistics -------------------------------------------------- */

/*
 * The harness starts its daemon without a configuration file; Reload
 * needs one to re-read, so these tests start their own daemon with
 * --config in a directory another uid may enter.
 */
static struct {
	char	 dir[32], sock[96], conf[96], log[96];
	pid_t	 pid;
} C = { .pid = -1 };

static void
conf_write(const char *text)
{
	FILE *f = fopen(C.conf, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A connection to our daemon's socket; -1 while it does not accept. */
static int
conf_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", C.sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
conf_setup(void)
{
	char *daemon;
	uint64_t deadline;
	pid_t parent = getpid();
	int logfd, fd;

	snprintf(C.dir, sizeof(C.dir), "/tmp/wsctlconf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(C.dir));
	ck_assert_int_eq(chmod(C.dir, 0755), 0);
	snprintf(C.sock, sizeof(C.sock), "%s/control.sock", C.dir);
	snprintf(C.conf, sizeof(C.conf), "%s/wschanneld.conf", C.dir);
	snprintf(C.log, sizeof(C.log), "%s/daemon.log", C.dir);
	conf_write("# empty: the defaults\n");
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	logfd = open(C.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(logfd, 0);
	C.pid = fork();
	ck_assert_int_ge(C.pid, 0);
	if (C.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execl(daemon, daemon, "-d", "--socket", C.sock, "--config",
		    C.conf, (char *)NULL);
		_exit(127);
	}
	close(logfd);
	free(daemon);
	deadline = harness_now_us() + 10000000ull;
	while ((fd = conf_connect()) == -1) {
		ck_assert_msg(harness_now_us() < deadline,
		    "wschanneld does not accept (see %s)", C.log);
		ck_assert_msg(waitpid(C.pid, NULL, WNOHANG) == 0,
		    "wschanneld exited at start (see %s)", C.log);
		harness_sleep_ms(10);
	}
	close(fd);
}

static void
conf_teardown(void)
{
	char cmd[256];
	int st;

	if (C.pid <= 0)
		return;
	kill(C.pid, SIGTERM);
	if ((st = harness_wait_pid(C.pid, 10000)) == -ETIMEDOUT) {
		kill(C.pid, SIGKILL);
		harness_wait_pid(C.pid, 10000);
	}
	C.pid = -1;
	snprintf(cmd, sizeof(cmd), st == 0 ? "rm -rf %s" : "cat %s/daemon.log >&2",
	    C.dir);
	if (system(cmd) == -1)
		perror("system");
	ck_assert_int_eq(st, 0);
}

static uint32_t
reload(int fd, uint64_t id, char *why, size_t len)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__Reload rl = WSCHANNEL__RELOAD__INIT;
	Wschannel__Reply *r;
	uint32_t hr;

	rq.id = id;
	rq.op_case = WSCHANNEL__REQUEST__OP_RELOAD;
	rq.reload = &rl;
	r = call_reply(fd, &rq);
	hr = r->hresult;
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT__NOT_SET);
	/* A failure says why; a success says nothing. */
	ck_assert_int_eq(r->n_errors, hr != S_OK);
	if (why != NULL)
		snprintf(why, len, "%s", r->n_errors > 0 ? r->errors[0] : "");
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/* GetStatistics; S_OK and its result, which the caller frees. */
static Wschannel__Reply *
statistics(int fd, uint64_t id)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetStatistics gs = WSCHANNEL__GET_STATISTICS__INIT;
	Wschannel__Reply *r;

	rq.id = id;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_STATISTICS;
	rq.get_statistics = &gs;
	r = call_reply(fd, &rq);
	ck_assert_uint_eq(r->hresult, S_OK);
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT_STATISTICS);
	ck_assert_ptr_nonnull(r->statistics);
	return r;
}

/* CreateChannel (TCP duplex session): its HRESULT. */
static uint32_t
create_channel(int fd, uint64_t id)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__Reply *r;
	uint32_t hr;

	cc.type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	cc.binding = WS_TCP_CHANNEL_BINDING;
	rq.id = id;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	r = call_reply(fd, &rq);
	hr = r->hresult;
	if (hr == S_OK)
		ck_assert_int_eq(r->result_case,
		    WSCHANNEL__REPLY__RESULT_CREATED);
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/* Anyone may ask for the counters; they count what exists. */
START_TEST(statistics_over_the_socket)
{
	Wschannel__Reply *r;
	int fd = conf_connect(), fd2 = conf_connect();

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(fd2, 0);
	r = statistics(fd, 1);
	ck_assert_uint_eq(r->statistics->channels, 0);
	ck_assert_uint_eq(r->statistics->listeners, 0);
	ck_assert_uint_eq(r->statistics->pending, 0);
	ck_assert_uint_eq(r->statistics->unix_clients, 2);
	ck_assert_uint_eq(r->statistics->bus_peers, 0);	/* no --bus */
	ck_assert_uint_gt(r->statistics->uptime_usec, 0);
	ck_assert_ptr_nonnull(r->statistics->version);
	ck_assert_str_eq(r->statistics->version, PACKAGE_VERSION);
	wschannel__reply__free_unpacked(r, NULL);

	ck_assert_uint_eq(create_channel(fd, 2), S_OK);
	close(fd2);
	r = statistics(fd, 3);
	ck_assert_uint_eq(r->statistics->channels, 1);
	ck_assert_uint_le(r->statistics->unix_clients, 2);
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
}
END_TEST

/* Reload re-reads the file: a good one is taken, a bad one refused with
 * its reason while the old one stays.  Only an administrator may. */
START_TEST(reload_over_the_socket)
{
	char why[256];
	int fd = conf_connect();

	ck_assert_int_ge(fd, 0);
	if (geteuid() != 0) {
		/* Not root, and no admin group configured. */
		ck_assert_uint_eq(reload(fd, 1, why, sizeof(why)),
		    (uint32_t)E_ACCESSDENIED);
		fprintf(stderr, "reload_over_the_socket: admin part skipped "
		    "(not root)\n");
		close(fd);
		return;
	}
	conf_write("[Limits]\nChannelsPerUser=1\n");
	ck_assert_uint_eq(reload(fd, 1, NULL, 0), S_OK);
	conf_write("[Limits]\nChannelsPerUser=many\n");
	ck_assert_uint_eq(reload(fd, 2, why, sizeof(why)),
	    (uint32_t)WS_E_INVALID_FORMAT);
	ck_assert_msg(strstr(why, "ChannelsPerUser") != NULL,
	    "reason: %s", why);
	/* The connection goes on serving. */
	ck_assert_uint_eq(create_channel(fd, 3), S_OK);
	close(fd);
}
END_TEST

/* In the child, as nobody: the number of failed expectations. */
static int
other_uid_checks(void)
{
	Wschannel__Reply *r;
	char why[256];
	int fd, fails = 0;

	if ((fd = conf_connect()) == -1)
		return 100;
	if (reload(fd, 1, why, sizeof(why)) != (uint32_t)E_ACCESSDENIED) {
		fprintf(stderr, "Reload as uid %u: %s\n", (unsigned)getuid(),
		    why);
		fails++;
	}
	/* The quota reloaded by root applies to nobody. */
	if (create_channel(fd, 2) != S_OK)
		fails++;
	if (create_channel(fd, 3) != (uint32_t)WS_E_QUOTA_EXCEEDED)
		fails++;
	/* The counters are everyone's: root's channel and nobody's. */
	r = statistics(fd, 4);
	if (r->statistics->channels != 2)
		fails++;
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
	return fails;
}

START_TEST(reload_denied_to_another_uid)
{
	pid_t pid;
	int fd, st;

	if (geteuid() != 0) {
		fprintf(stderr, "reload_denied_to_another_uid: skipped "
		    "(not root)\n");
		return;
	}
	ck_assert_int_ge(fd = conf_connect(), 0);
	conf_write("[Limits]\nChannelsPerUser=1\n");
	ck_assert_uint_eq(reload(fd, 1, NULL, 0), S_OK);
	ck_assert_uint_eq(create_channel(fd, 2), S_OK);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 ||
		    setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			_exit(101);
		_exit(other_uid_checks());
	}
	st = harness_wait_pid(pid, 20000);
	ck_assert_msg(st == 0, "the other uid's checks: %d failed", st);
	close(fd);
}
END_TEST

/* ---- reading costs the client one wake-up ----------------------------------- */

static long
thread_sleeps(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_THREAD, &ru), 0);
	return ru.ru_nvcsw;
}

/*
 * This thread on one CPU and the daemon on another; false with fewer than
 * two.  On one CPU the reply's wake-up preempts the daemon before it takes
 * the request out, and the caller's next read is then woken for nothing.
 */
static bool
pin_apart(void)
{
	cpu_set_t allowed, one;
	int cpu, a = -1, b = -1;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return false;
	for (cpu = 0; cpu < CPU_SETSIZE && b < 0; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		if (a < 0)
			a = cpu;
		else
			b = cpu;
	}
	if (b < 0)
		return false;
	CPU_ZERO(&one);
	CPU_SET(a, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	CPU_ZERO(&one);
	CPU_SET(b, &one);
	ck_assert_int_eq(sched_setaffinity(harness_daemon_pid(), sizeof(one),
	    &one), 0);
	return true;
}

/*
 * A synchronous call writes its request and blocks in read(2) for the
 * reply.  Were the daemon to take the request out of the socket before
 * answering, the freed send space would wake the caller for nothing
 * (AF_UNIX wakes every reader blocked on the socket) and the call would
 * sleep twice.  Asserted as fewer than 1.5 sleeps a call on average:
 * now and then the reply comes before the caller sleeps, or the daemon
 * is preempted between its reply and taking the request.
 */
START_TEST(sync_call_wakes_caller_once)
{
	WS_CHANNEL *ch;
	WS_CHANNEL_STATE st;
	long before, after;
	int i, n = 400;

	if (!pin_apart()) {
		fprintf(stderr, "sync_call_wakes_caller_once: needs two CPUs; "
		    "skipped\n");
		return;
	}
	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	for (i = 0; i < 20; i++)
		HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &st,
		    sizeof(st), NULL), S_OK);
	before = thread_sleeps();
	for (i = 0; i < n; i++)
		HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &st,
		    sizeof(st), NULL), S_OK);
	after = thread_sleeps();
	ck_assert_int_eq(st, WS_CHANNEL_STATE_CREATED);
	ck_assert_msg((after - before) * 2 < n * 3,
	    "%ld sleeps in %d calls", after - before, n);
	WsFreeChannel(ch);
}
END_TEST

/*
 * The daemon packs a listing entry by entry instead of building the whole
 * message first (unix_list.c); what it sends is byte for byte what
 * protobuf-c packs from the same Reply: listeners, open, accepted and
 * created channels, with remote addresses, URLs and listener ids.
 */
START_TEST(listing_packs_as_protobuf_c_would)
{
	struct harness_pair p;
	WS_CHANNEL *ch[3];
	uint8_t buf[16384], again[16384];
	Wschannel__Reply *r;
	size_t n;
	int fd, i;

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	for (i = 0; i < 3; i++)
		HR_EQ(harness_tcp_channel(&ch[i], NULL, 0), S_OK);
	fd = control_connect();
	n = list_raw(fd, 300, buf, sizeof(buf));	/* a two-byte varint */
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, n, buf));
	ck_assert_uint_eq(r->id, 300);
	ck_assert_uint_eq(r->hresult, S_OK);
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT_LIST);
	ck_assert_uint_eq(r->list->n_channels, 5);
	ck_assert_uint_eq(r->list->n_listeners, 1);
	ck_assert_uint_eq(wschannel__reply__get_packed_size(r), n);
	ck_assert_uint_eq(wschannel__reply__pack(r, again), n);
	ck_assert_mem_eq(again, buf, n);
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
	for (i = 0; i < 3; i++)
		WsFreeChannel(ch[i]);
	harness_pair_free(&p);
}
END_TEST

/*
 * A channel keeps the URL it was opened on whole: a short one in the
 * channel itself, a long one in memory of its own (channel_set_url), and
 * a listing reports either as given.  The channel opens towards a bare
 * TCP listener that never answers, so it stays OPENING until aborted.
 */
START_TEST(listing_reports_long_and_short_urls)
{
	struct harness_async a;
	WS_CHANNEL *ch[2];
	char url[2][160];
	uint8_t buf[16384];
	Wschannel__Reply *r;
	uint16_t port;
	size_t i, j, n, found = 0;
	int lfd, fd;

	ck_assert_int_ge(lfd = harness_tcp_listener(&port, 4), 0);
	snprintf(url[0], sizeof(url[0]), "net.tcp://127.0.0.1:%u/s", port);
	snprintf(url[1], sizeof(url[1]), "net.tcp://127.0.0.1:%u/%s", port,
	    "a/path/much/longer/than/what/the/channel/keeps/in/itself/x");
	ck_assert_uint_gt(strlen(url[1]), 64);
	harness_async_init(&a);
	for (i = 0; i < 2; i++) {
		HR_EQ(harness_tcp_channel(&ch[i], NULL, 0), S_OK);
		HR_EQ(harness_open_url(ch[i], url[i], &a.ctx, NULL),
		    WS_S_ASYNC);
	}
	fd = control_connect();
	n = list_raw(fd, 40, buf, sizeof(buf));
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, n, buf));
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT_LIST);
	for (i = 0; i < r->list->n_channels; i++)
		for (j = 0; j < 2; j++)
			if (r->list->channels[i]->url != NULL &&
			    strcmp(r->list->channels[i]->url, url[j]) == 0)
				found |= (size_t)1 << j;
	ck_assert_uint_eq(found, 3);
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
	for (i = 0; i < 2; i++)
		HR_EQ(WsAbortChannel(ch[i], NULL), S_OK);
	ck_assert_int_eq(harness_async_wait(&a, 2, 10000), 2);
	for (i = 0; i < 2; i++)
		WsFreeChannel(ch[i]);
	harness_async_destroy(&a);
	close(lfd);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("bad input");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_major);
	tcase_add_test(tc, bad_kind);
	tcase_add_test(tc, bad_length);
	tcase_add_test(tc, payload_does_not_decode);
	tcase_add_test(tc, unknown_operation_and_ids);
	tcase_add_test(tc, client_vanishes_mid_frame);
	tcase_add_test(tc, requests_in_pieces_answered_once);
	tcase_add_test(tc, frame_that_expands);
	suite_add_tcase(s, tc);

	tc = tcase_create("wake-ups");
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sync_call_wakes_caller_once);
	tcase_add_test(tc, listing_packs_as_protobuf_c_would);
	tcase_add_test(tc, listing_reports_long_and_short_urls);
	suite_add_tcase(s, tc);

	tc = tcase_create("reload and statistics");
	tcase_add_checked_fixture(tc, conf_setup, conf_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, statistics_over_the_socket);
	tcase_add_test(tc, reload_over_the_socket);
	tcase_add_test(tc, reload_denied_to_another_uid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
