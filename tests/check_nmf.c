/* Check suite for daemon/nmf.c (.NET Message Framing records). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "nmf.h"

/*
 * Byte vectors from /work/shared/vectors/net.tcp-capture.txt: what a Wine
 * webservices.dll client sent to a plain listener, and what a Wine listener
 * sent back to a plain client.
 */
static const uint8_t client_stream[176] = {
	0x00, 0x01, 0x00, 0x01, 0x02, 0x02, 0x21, 0x6e, 0x65, 0x74, 0x2e, 0x74,
	0x63, 0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30,
	0x2e, 0x31, 0x3a, 0x32, 0x37, 0x31, 0x35, 0x30, 0x2f, 0x77, 0x73, 0x70,
	0x72, 0x6f, 0x62, 0x65, 0x03, 0x08, 0x0c, 0x06, 0x81, 0x01, 0x11, 0x04,
	0x74, 0x65, 0x78, 0x74, 0x0b, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70,
	0x72, 0x6f, 0x62, 0x65, 0x56, 0x02, 0x0b, 0x01, 0x61, 0x06, 0x0b, 0x01,
	0x73, 0x04, 0x56, 0x08, 0x44, 0x0a, 0x1e, 0x00, 0x82, 0x99, 0x10, 0x75,
	0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x2f, 0x50,
	0x69, 0x6e, 0x67, 0x44, 0x0c, 0x1e, 0x00, 0x82, 0x99, 0x21, 0x6e, 0x65,
	0x74, 0x2e, 0x74, 0x63, 0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e,
	0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x32, 0x37, 0x31, 0x35, 0x30, 0x2f,
	0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x01, 0x56, 0x0e, 0x42, 0x01,
	0x0a, 0x03, 0x99, 0x19, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x66, 0x72,
	0x6f, 0x6d, 0x20, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x20, 0x63,
	0x6c, 0x69, 0x65, 0x6e, 0x74, 0x01, 0x01, 0x07,
};

static const uint8_t listener_stream[92] = {
	0x0b, 0x06, 0x59, 0x11, 0x04, 0x74, 0x65, 0x78, 0x74, 0x0b, 0x75, 0x72,
	0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x56, 0x02, 0x0b,
	0x01, 0x61, 0x06, 0x0b, 0x01, 0x73, 0x04, 0x56, 0x08, 0x44, 0x0a, 0x1e,
	0x00, 0x82, 0x99, 0x10, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72,
	0x6f, 0x62, 0x65, 0x2f, 0x50, 0x69, 0x6e, 0x67, 0x01, 0x56, 0x0e, 0x42,
	0x01, 0x0a, 0x03, 0x99, 0x19, 0x72, 0x65, 0x70, 0x6c, 0x79, 0x20, 0x66,
	0x72, 0x6f, 0x6d, 0x20, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x20,
	0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x01, 0x01,
};

#define VIA	"net.tcp://127.0.0.1:27150/wsprobe"

/* Decodes from an exact-size heap copy so ASan sees any read past `len`. */
static int
decode_exact(const uint8_t *in, size_t len, uint32_t max_size,
    struct nmf_record *rec)
{
	uint8_t	*copy;
	int	 n;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	if (len > 0)
		memcpy(copy, in, len);
	n = nmf_record_decode(copy, len, max_size, rec);
	/* Point `data` back into the caller's buffer before freeing. */
	if (n > 0 && rec->data != NULL)
		rec->data = in + (rec->data - copy);
	free(copy);
	return n;
}

/* Every strict prefix of a complete record must ask for more input. */
static void
assert_prefixes_incomplete(const uint8_t *rec, size_t len)
{
	struct nmf_record	 r;
	size_t			 k;

	for (k = 0; k < len; k++)
		ck_assert_msg(decode_exact(rec, k, 1 << 20, &r) == 0,
		    "prefix of %zu/%zu bytes of record 0x%02x did not return 0",
		    k, len, rec[0]);
}

START_TEST(mbi31_boundaries)
{
	static const struct {
		uint32_t	 v;
		size_t		 len;
		uint8_t		 bytes[NMF_MBI31_MAX];
	} cases[] = {
		{ 0, 1, { 0x00 } },
		{ 0x7f, 1, { 0x7f } },
		{ 0x80, 2, { 0x80, 0x01 } },
		{ 0x81, 2, { 0x81, 0x01 } },	/* the 129 of the vector */
		{ 0x3fff, 2, { 0xff, 0x7f } },
		{ 0x4000, 3, { 0x80, 0x80, 0x01 } },
		{ 0x1fffff, 3, { 0xff, 0xff, 0x7f } },
		{ 0x200000, 4, { 0x80, 0x80, 0x80, 0x01 } },
		{ 0x0fffffff, 4, { 0xff, 0xff, 0xff, 0x7f } },
		{ 0x10000000, 5, { 0x80, 0x80, 0x80, 0x80, 0x01 } },
		{ 0x7fffffff, 5, { 0xff, 0xff, 0xff, 0xff, 0x07 } },
	};
	uint8_t		 out[NMF_MBI31_MAX];
	uint32_t	 v;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(out, 0xaa, sizeof out);
		ck_assert_int_eq(nmf_mbi31_encode(cases[i].v, out),
		    (int)cases[i].len);
		ck_assert_mem_eq(out, cases[i].bytes, cases[i].len);
		v = 0xdeadbeef;
		ck_assert_int_eq(nmf_mbi31_decode(cases[i].bytes,
		    cases[i].len, &v), (int)cases[i].len);
		ck_assert_uint_eq(v, cases[i].v);
		/* Any shorter input is incomplete. */
		ck_assert_int_eq(nmf_mbi31_decode(cases[i].bytes,
		    cases[i].len - 1, &v), 0);
	}
}
END_TEST

START_TEST(mbi31_invalid)
{
	static const uint8_t too_long[] = { 0x80, 0x80, 0x80, 0x80, 0x80,
	    0x01 };
	static const uint8_t too_big[] = { 0xff, 0xff, 0xff, 0xff, 0x08 };
	static const uint8_t too_big2[] = { 0x80, 0x80, 0x80, 0x80, 0x7f };
	static const uint8_t partial[] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t trailing[] = { 0x05, 0xff };
	uint32_t	 v = 42;

	ck_assert_int_eq(nmf_mbi31_decode(too_long, sizeof too_long, &v),
	    -EBADMSG);
	/* Judged on the fifth byte alone, before a sixth can arrive. */
	ck_assert_int_eq(nmf_mbi31_decode(too_long, 5, &v), -EBADMSG);
	ck_assert_int_eq(nmf_mbi31_decode(too_big, sizeof too_big, &v),
	    -EBADMSG);
	ck_assert_int_eq(nmf_mbi31_decode(too_big2, sizeof too_big2, &v),
	    -EBADMSG);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(nmf_mbi31_decode(partial, sizeof partial, &v), 0);
	ck_assert_int_eq(nmf_mbi31_decode(partial, 0, &v), 0);
	ck_assert_int_eq(nmf_mbi31_decode(trailing, sizeof trailing, &v), 1);
	ck_assert_uint_eq(v, 5);
}
END_TEST

START_TEST(preamble_bytes)
{
	uint8_t	 buf[64], small[16];
	size_t	 n;

	n = nmf_encode_preamble(buf, sizeof buf, VIA,
	    NMF_ENC_SOAP12_BINARY_SESSION);
	ck_assert_uint_eq(n, 43);
	ck_assert_mem_eq(buf, client_stream, 43);

	/* Too small: the size is reported and nothing past cap is touched. */
	memset(small, 0x5a, sizeof small);
	n = nmf_encode_preamble(small, 8, VIA, NMF_ENC_SOAP12_BINARY_SESSION);
	ck_assert_uint_eq(n, 43);
	for (n = 8; n < sizeof small; n++)
		ck_assert_uint_eq(small[n], 0x5a);
	ck_assert_uint_eq(nmf_encode_preamble(NULL, 0, VIA, 0), 43);
}
END_TEST

START_TEST(client_stream_records)
{
	struct nmf_record	 r;
	size_t			 off = 0;
	int			 n;

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(r.type, NMF_VERSION);
	ck_assert_uint_eq(r.major, 1);
	ck_assert_uint_eq(r.minor, 0);
	off += n;

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(r.type, NMF_MODE);
	ck_assert_uint_eq(r.mode, NMF_MODE_DUPLEX);
	off += n;

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 2 + 33);
	ck_assert_int_eq(r.type, NMF_VIA);
	ck_assert_uint_eq(r.size, 33);
	ck_assert_mem_eq(r.data, VIA, 33);
	ck_assert_ptr_eq(r.data, client_stream + off + 2);
	off += n;

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(r.type, NMF_KNOWN_ENCODING);
	ck_assert_uint_eq(r.encoding, NMF_ENC_SOAP12_BINARY_SESSION);
	off += n;

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(r.type, NMF_PREAMBLE_END);
	off += n;
	ck_assert_uint_eq(off, 43);

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 132);
	ck_assert_int_eq(r.type, NMF_SIZED_ENVELOPE);
	ck_assert_uint_eq(r.size, 129);
	ck_assert_ptr_eq(r.data, client_stream + off + 3);
	/* The payload opens with the string table (size 0x11, "text"). */
	ck_assert_uint_eq(r.data[0], 0x11);
	ck_assert_mem_eq(r.data + 1, "\x04text", 5);
	ck_assert_uint_eq(r.data[r.size - 1], 0x01);
	off += n;

	n = decode_exact(client_stream + off, sizeof client_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(r.type, NMF_END);
	off += n;
	ck_assert_uint_eq(off, sizeof client_stream);
}
END_TEST

START_TEST(listener_stream_records)
{
	struct nmf_record	 r;
	size_t			 off = 0;
	int			 n;

	n = decode_exact(listener_stream, sizeof listener_stream, 65536, &r);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(r.type, NMF_PREAMBLE_ACK);
	off += n;

	n = decode_exact(listener_stream + off, sizeof listener_stream - off,
	    65536, &r);
	ck_assert_int_eq(n, 91);
	ck_assert_int_eq(r.type, NMF_SIZED_ENVELOPE);
	ck_assert_uint_eq(r.size, 89);
	ck_assert_ptr_eq(r.data, listener_stream + off + 2);
	ck_assert_mem_eq(r.data + r.size - 27, "reply from wsprobe server",
	    25);
	off += n;
	ck_assert_uint_eq(off, sizeof listener_stream);
}
END_TEST

START_TEST(strict_prefixes)
{
	struct nmf_record	 r;
	size_t			 off;
	int			 n;

	for (off = 0; off < sizeof client_stream; off += (size_t)n) {
		n = decode_exact(client_stream + off,
		    sizeof client_stream - off, 1 << 20, &r);
		ck_assert_int_gt(n, 0);
		assert_prefixes_incomplete(client_stream + off, (size_t)n);
	}
	for (off = 0; off < sizeof listener_stream; off += (size_t)n) {
		n = decode_exact(listener_stream + off,
		    sizeof listener_stream - off, 1 << 20, &r);
		ck_assert_int_gt(n, 0);
		assert_prefixes_incomplete(listener_stream + off, (size_t)n);
	}
}
END_TEST

START_TEST(oversize)
{
	static const uint8_t env129[] = { NMF_SIZED_ENVELOPE, 0x81, 0x01 };
	static const uint8_t env_max[] = { NMF_SIZED_ENVELOPE, 0xff, 0xff,
	    0xff, 0xff, 0x07 };
	static const uint8_t via_big[] = { NMF_VIA, 0x80, 0x02 };
	static const uint8_t fault_big[] = { NMF_FAULT, 0x80, 0x80, 0x01 };
	struct nmf_record	 r;

	/* Only the three header bytes of a 129-byte envelope are present. */
	ck_assert_int_eq(decode_exact(env129, sizeof env129, 128, &r),
	    -EMSGSIZE);
	ck_assert_int_eq(decode_exact(env129, sizeof env129, 129, &r), 0);
	ck_assert_int_eq(decode_exact(env129, 2, 128, &r), 0);
	ck_assert_int_eq(decode_exact(env_max, sizeof env_max, 1 << 24, &r),
	    -EMSGSIZE);
	/* Even with no limit, a record longer than INT_MAX is refused. */
	ck_assert_int_eq(decode_exact(env_max, sizeof env_max, UINT32_MAX,
	    &r), -EMSGSIZE);
	ck_assert_int_eq(decode_exact(via_big, sizeof via_big, 255, &r),
	    -EMSGSIZE);
	ck_assert_int_eq(decode_exact(fault_big, sizeof fault_big, 0x3fff,
	    &r), -EMSGSIZE);
	ck_assert_int_eq(decode_exact(client_stream + 43,
	    sizeof client_stream - 43, 128, &r), -EMSGSIZE);
	ck_assert_int_eq(decode_exact(client_stream + 43, 3, 128, &r),
	    -EMSGSIZE);
}
END_TEST

START_TEST(bad_records)
{
	static const uint8_t types[] = { 0x0d, 0x0e, 0x10, 0x3c, 0x56, 0x7f,
	    0x80, 0xff };
	static const uint8_t bad_size[] = { NMF_SIZED_ENVELOPE, 0x80, 0x80,
	    0x80, 0x80, 0x80 };
	struct nmf_record	 r;
	uint8_t			 buf[4];
	size_t			 i;

	for (i = 0; i < sizeof types; i++) {
		memset(buf, 0, sizeof buf);
		buf[0] = types[i];
		ck_assert_int_eq(decode_exact(buf, sizeof buf, 65536, &r),
		    -EBADMSG);
		ck_assert_int_eq(decode_exact(buf, 1, 65536, &r), -EBADMSG);
	}
	ck_assert_int_eq(decode_exact(bad_size, sizeof bad_size, 65536, &r),
	    -EBADMSG);
	ck_assert_int_eq(decode_exact(bad_size, 0, 65536, &r), 0);
}
END_TEST

START_TEST(fault_round_trip)
{
	const char *faults[] = { NMF_FAULT_UNSUPPORTED_VERSION,
	    NMF_FAULT_UNSUPPORTED_MODE, NMF_FAULT_UNSUPPORTED_ENCODING,
	    NMF_FAULT_MAX_MESSAGE_SIZE, NMF_FAULT_INVALID_VIA };
	const char	*prefix =
	    "http://schemas.microsoft.com/ws/2006/05/framing/faults/";
	struct nmf_record	 r;
	uint8_t			 buf[256];
	size_t			 i, n, len;

	for (i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		len = strlen(faults[i]);
		ck_assert_int_eq(strncmp(faults[i], prefix, strlen(prefix)),
		    0);
		n = nmf_encode_fault(buf, sizeof buf, faults[i]);
		ck_assert_uint_eq(n, 2 + len);
		ck_assert_uint_eq(buf[0], NMF_FAULT);
		ck_assert_uint_eq(buf[1], len);
		ck_assert_int_eq(decode_exact(buf, n, 1024, &r), (int)n);
		ck_assert_int_eq(r.type, NMF_FAULT);
		ck_assert_uint_eq(r.size, len);
		ck_assert_mem_eq(r.data, faults[i], len);
		assert_prefixes_incomplete(buf, n);
		ck_assert_uint_eq(nmf_encode_fault(buf, 1, faults[i]), n);
	}
}
END_TEST

START_TEST(simple_encoders)
{
	uint8_t		 buf[8];
	uint32_t	 v;

	ck_assert_uint_eq(nmf_encode_sized_envelope_header(buf, sizeof buf,
	    129), 3);
	ck_assert_mem_eq(buf, client_stream + 43, 3);
	ck_assert_uint_eq(nmf_encode_sized_envelope_header(buf, sizeof buf,
	    89), 2);
	ck_assert_mem_eq(buf, listener_stream + 1, 2);
	ck_assert_uint_eq(nmf_encode_sized_envelope_header(buf, 1,
	    0x7fffffff), 6);

	ck_assert_uint_eq(nmf_encode_simple(buf, sizeof buf, NMF_END), 1);
	ck_assert_uint_eq(buf[0], 0x07);
	ck_assert_uint_eq(nmf_encode_simple(buf, sizeof buf,
	    NMF_PREAMBLE_ACK), 1);
	ck_assert_uint_eq(buf[0], 0x0b);
	ck_assert_uint_eq(nmf_encode_simple(buf, sizeof buf,
	    NMF_PREAMBLE_END), 1);
	ck_assert_uint_eq(buf[0], 0x0c);
	ck_assert_uint_eq(nmf_encode_simple(NULL, 0, NMF_END), 1);
	ck_assert_uint_eq(nmf_encode_simple(buf, sizeof buf, NMF_VIA), 0);
	ck_assert_uint_eq(nmf_encode_simple(buf, sizeof buf, NMF_VERSION), 0);

	ck_assert_int_eq(nmf_encoding_supported(NMF_ENC_SOAP11_UTF8, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(nmf_encoding_supported(NMF_ENC_SOAP12_UTF8, &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(nmf_encoding_supported(NMF_ENC_SOAP12_BINARY_SESSION,
	    &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(nmf_encoding_supported(NMF_ENC_SOAP12_BINARY, &v), 0);
	ck_assert_int_eq(nmf_encoding_supported(NMF_ENC_SOAP12_MTOM, &v),
	    -ENOTSUP);
	/* The byte a channel announces: binary exists for SOAP 1.2 only. */
	ck_assert_int_eq(nmf_encoding_from_ws(1, 2), NMF_ENC_SOAP12_BINARY_SESSION);
	ck_assert_int_eq(nmf_encoding_from_ws(0, 2), NMF_ENC_SOAP12_BINARY);
	ck_assert_int_eq(nmf_encoding_from_ws(5, 1), NMF_ENC_SOAP11_UTF8);
	ck_assert_int_eq(nmf_encoding_from_ws(5, 2), NMF_ENC_SOAP12_UTF8);
	ck_assert_int_eq(nmf_encoding_from_ws(1, 1), -ENOTSUP);
	ck_assert_int_eq(nmf_encoding_from_ws(2, 2), -ENOTSUP);
	ck_assert_int_eq(nmf_encoding_supported(NMF_ENC_SOAP11_UTF16, &v),
	    -ENOTSUP);
	ck_assert_int_eq(nmf_encoding_supported(0x42, &v), -ENOTSUP);
}
END_TEST

/* xorshift32: the same sequence everywhere, unlike rand(). */
static uint32_t
fuzz_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

START_TEST(fuzz_decode)
{
	struct nmf_record	 r;
	uint32_t		 seed = 0x5eed1234, max;
	uint8_t			*buf;
	size_t			 len, j;
	int			 i, n, ok = 0;

	for (i = 0; i < 100000; i++) {
		len = fuzz_next(&seed) % 48;
		buf = malloc(len > 0 ? len : 1);
		ck_assert_ptr_nonnull(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&seed);
		/* Mostly valid type bytes and small sizes, to go deep. */
		if (len > 0 && (fuzz_next(&seed) & 3) != 0)
			buf[0] %= 0x0e;
		if (len > 1 && (fuzz_next(&seed) & 1) != 0)
			buf[1] &= 0x3f;
		max = fuzz_next(&seed) % 64;
		n = nmf_record_decode(buf, len, max, &r);
		ck_assert(n == 0 || n == -EBADMSG || n == -EMSGSIZE ||
		    (n > 0 && (size_t)n <= len));
		if (n > 0) {
			ok++;
			if (r.data != NULL) {
				ck_assert(r.data > buf);
				ck_assert(r.data + r.size <= buf + n);
				ck_assert_uint_le(r.size, max);
			}
		}
		free(buf);
	}
	/* The bias above must really have produced records. */
	ck_assert_int_gt(ok, 1000);
}
END_TEST

static Suite *
nmf_suite(void)
{
	Suite	*s = suite_create("nmf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, mbi31_boundaries);
	tcase_add_test(tc, mbi31_invalid);
	tcase_add_test(tc, preamble_bytes);
	tcase_add_test(tc, client_stream_records);
	tcase_add_test(tc, listener_stream_records);
	tcase_add_test(tc, strict_prefixes);
	tcase_add_test(tc, oversize);
	tcase_add_test(tc, bad_records);
	tcase_add_test(tc, fault_round_trip);
	tcase_add_test(tc, simple_encoders);
	tcase_add_test(tc, fuzz_decode);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(nmf_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
