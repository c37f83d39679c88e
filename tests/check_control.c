/*
 * Bad input on the control socket: a bad magic, version, kind or length, a
 * payload that does not decode, an unknown operation, an id that does not
 * exist.  The caller gets an error reply or its connection is closed, the
 * daemon logs one line, and every other client carries on.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "frame.h"
#include "harness.h"
#include "wschannel.pb-c.h"

static void
setup(void)
{
	ck_assert_int_eq(harness_daemon_start(), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(harness_daemon_stop(), 0);
}

static int
control_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", harness_socket_path());
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
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

/* Sends `rq` and reads its reply's HRESULT. */
static uint32_t
call(int fd, Wschannel__Request *rq)
{
	uint8_t buf[4096], hdr[FRAME_HEADER_SIZE];
	struct frame_header fh;
	Wschannel__Reply *r;
	size_t n = wschannel__request__get_packed_size(rq);
	uint32_t hr;

	ck_assert_uint_le(n, sizeof(buf) - FRAME_HEADER_SIZE);
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(rq, buf + FRAME_HEADER_SIZE);
	ck_assert_int_eq(harness_raw_write(fd, buf, FRAME_HEADER_SIZE + n), 0);
	ck_assert_int_eq(harness_raw_read_full(fd, hdr, sizeof(hdr), 5000), 0);
	ck_assert_int_eq(frame_header_parse(hdr, &fh, NULL), 0);
	ck_assert_int_eq(fh.kind, FRAME_REPLY);
	ck_assert_uint_le(fh.length, sizeof(buf));
	ck_assert_int_eq(harness_raw_read_full(fd, buf, fh.length, 5000), 0);
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, fh.length, buf));
	ck_assert_uint_eq(r->id, rq->id);
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
	int fd = control_connect(), before = log_lines();

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

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("bad input");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_major);
	tcase_add_test(tc, bad_kind);
	tcase_add_test(tc, bad_length);
	tcase_add_test(tc, payload_does_not_decode);
	tcase_add_test(tc, unknown_operation_and_ids);
	tcase_add_test(tc, client_vanishes_mid_frame);
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
