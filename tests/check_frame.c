/* Check suite for common/frame.c (control protocol frame header). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "frame.h"

START_TEST(write_layout)
{
	static const uint8_t expect[FRAME_HEADER_SIZE] = {
		'W', 'S', 'C', '1',	/* magic, big-endian */
		0x00, 0x01,		/* major */
		0x00, 0x02,		/* kind: reply */
		0x00, 0x01, 0x02, 0x03,	/* length */
	};
	uint8_t	 out[FRAME_HEADER_SIZE];

	frame_header_write(out, FRAME_REPLY, 0x00010203);
	ck_assert_mem_eq(out, expect, sizeof expect);
}
END_TEST

START_TEST(round_trip)
{
	static const enum frame_kind kinds[] = { FRAME_REQUEST, FRAME_REPLY,
	    FRAME_EVENT };
	static const uint32_t lengths[] = { 0, 1, 12345, FRAME_MAX_PAYLOAD };
	struct frame_header	 h;
	const char		*why;
	uint8_t			 out[FRAME_HEADER_SIZE];
	size_t			 i, j;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		for (j = 0; j < sizeof lengths / sizeof lengths[0]; j++) {
			frame_header_write(out, kinds[i], lengths[j]);
			why = NULL;
			ck_assert_int_eq(frame_header_parse(out, &h, &why), 0);
			ck_assert_uint_eq(h.magic, FRAME_MAGIC);
			ck_assert_uint_eq(h.major, FRAME_MAJOR);
			ck_assert_uint_eq(h.kind, kinds[i]);
			ck_assert_uint_eq(h.length, lengths[j]);
			ck_assert_int_eq(frame_header_parse(out, &h, NULL), 0);
		}
	}
}
END_TEST

/* Parses `in` and checks the error and that a reason was given. */
static void
assert_rejected(const uint8_t *in, int expect)
{
	struct frame_header	 h;
	const char		*why = NULL;

	ck_assert_int_eq(frame_header_parse(in, &h, &why), expect);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_gt(strlen(why), 0);
	ck_assert_int_eq(frame_header_parse(in, &h, NULL), expect);
}

START_TEST(bad_magic)
{
	uint8_t	 out[FRAME_HEADER_SIZE];
	size_t	 i;

	for (i = 0; i < 4; i++) {
		frame_header_write(out, FRAME_REQUEST, 10);
		out[i] ^= 0x20;
		assert_rejected(out, -EBADMSG);
	}
	memset(out, 0, sizeof out);
	assert_rejected(out, -EBADMSG);
}
END_TEST

START_TEST(bad_major)
{
	uint8_t	 out[FRAME_HEADER_SIZE];

	frame_header_write(out, FRAME_REQUEST, 10);
	out[5] = 2;
	assert_rejected(out, -EPROTONOSUPPORT);
	out[5] = 0;
	assert_rejected(out, -EPROTONOSUPPORT);
	out[4] = 1;
	out[5] = 1;
	assert_rejected(out, -EPROTONOSUPPORT);
}
END_TEST

START_TEST(bad_kind)
{
	uint8_t	 out[FRAME_HEADER_SIZE];

	frame_header_write(out, 0, 10);
	assert_rejected(out, -EBADMSG);
	frame_header_write(out, 4, 10);
	assert_rejected(out, -EBADMSG);
	frame_header_write(out, FRAME_REQUEST, 10);
	out[6] = 1;	/* kind 0x0101 */
	assert_rejected(out, -EBADMSG);
}
END_TEST

START_TEST(bad_length)
{
	uint8_t	 out[FRAME_HEADER_SIZE];

	frame_header_write(out, FRAME_EVENT, FRAME_MAX_PAYLOAD + 1);
	assert_rejected(out, -EMSGSIZE);
	frame_header_write(out, FRAME_EVENT, 0xffffffffu);
	assert_rejected(out, -EMSGSIZE);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite	*s = suite_create("frame");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, write_layout);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_major);
	tcase_add_test(tc, bad_kind);
	tcase_add_test(tc, bad_length);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(frame_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
