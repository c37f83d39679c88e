/*
 * .NET Message Framing (MC-NMF) records.
 *
 * Everything here works on a caller's buffer and must stay safe when that
 * buffer comes from a hostile peer: no read past `len`, no allocation, and
 * a size prefix is judged against the limit before its payload has arrived.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "nmf.h"

/* WS_ENVELOPE_VERSION values, spelled here so the codec needs no public header. */
#define NMF_ENVELOPE_SOAP_1_1	1
#define NMF_ENVELOPE_SOAP_1_2	2

#define NMF_MBI31_LIMIT		0x7fffffffu

int
nmf_mbi31_encode(uint32_t v, uint8_t out[NMF_MBI31_MAX])
{
	int	 n = 0;

	v &= NMF_MBI31_LIMIT;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

int
nmf_mbi31_decode(const uint8_t *in, size_t len, uint32_t *v)
{
	uint32_t	 value = 0;
	size_t		 i;

	for (i = 0; i < NMF_MBI31_MAX; i++) {
		if (i == len)
			return 0;
		/* The fifth byte only has room for the top 3 of 31 bits. */
		if (i == NMF_MBI31_MAX - 1 && (in[i] & 0xf8) != 0)
			return -EBADMSG;
		value |= (uint32_t)(in[i] & 0x7f) << (7 * i);
		if ((in[i] & 0x80) == 0) {
			*v = value;
			return (int)i + 1;
		}
	}
	/* Not reached: the fifth byte has its high bit clear or was refused. */
	return -EBADMSG;
}

/*
 * Decodes a size-prefixed payload that starts at in[1].  The limit is
 * applied as soon as the prefix is complete so that a peer announcing a
 * huge record is refused before we buffer any of it.
 */
static int
nmf_decode_sized(const uint8_t *in, size_t len, uint32_t max_size,
    struct nmf_record *rec)
{
	uint32_t	 size;
	int		 n;

	n = nmf_mbi31_decode(in + 1, len - 1, &size);
	if (n <= 0)
		return n;
	/* The record's length must also fit the int we return. */
	if (size > max_size || size > (uint32_t)(INT_MAX - 1 - n))
		return -EMSGSIZE;
	if (len - 1 - (size_t)n < size)
		return 0;
	rec->data = in + 1 + n;
	rec->size = size;
	return 1 + n + (int)size;
}

/*
 * UnsizedEnvelope (singleton unsized mode) is followed by data chunks, not by
 * one payload; we decode only its type byte and leave the chunks to the
 * caller, as for the other one-byte records.
 */
int
nmf_record_decode(const uint8_t *in, size_t len, uint32_t max_size,
    struct nmf_record *rec)
{
	struct nmf_record	 r;
	int			 n;

	if (len == 0)
		return 0;
	memset(&r, 0, sizeof r);
	r.type = in[0];
	switch (in[0]) {
	case NMF_VERSION:
		if (len < 3)
			return 0;
		r.major = in[1];
		r.minor = in[2];
		n = 3;
		break;
	case NMF_MODE:
		if (len < 2)
			return 0;
		r.mode = in[1];
		n = 2;
		break;
	case NMF_KNOWN_ENCODING:
		if (len < 2)
			return 0;
		r.encoding = in[1];
		n = 2;
		break;
	case NMF_VIA:
	case NMF_EXTENSIBLE_ENCODING:
	case NMF_SIZED_ENVELOPE:
	case NMF_FAULT:
	case NMF_UPGRADE_REQUEST:
		n = nmf_decode_sized(in, len, max_size, &r);
		if (n <= 0)
			return n;
		break;
	case NMF_UNSIZED_ENVELOPE:
	case NMF_END:
	case NMF_UPGRADE_RESPONSE:
	case NMF_PREAMBLE_ACK:
	case NMF_PREAMBLE_END:
		n = 1;
		break;
	default:
		return -EBADMSG;
	}
	*rec = r;
	return n;
}

/* Appends `n` bytes at *pos when they fit; the position always advances so
 * the final value is the size the whole record needs. */
static void
nmf_put(uint8_t *out, size_t cap, size_t *pos, const void *p, size_t n)
{
	if (n > 0 && *pos <= cap && n <= cap - *pos)
		memcpy(out + *pos, p, n);
	*pos += n;
}

static void
nmf_put_byte(uint8_t *out, size_t cap, size_t *pos, uint8_t b)
{
	nmf_put(out, cap, pos, &b, 1);
}

static void
nmf_put_string(uint8_t *out, size_t cap, size_t *pos, const char *s)
{
	uint8_t	 mbi[NMF_MBI31_MAX];
	size_t	 len = strlen(s);
	int	 n;

	n = nmf_mbi31_encode((uint32_t)len, mbi);
	nmf_put(out, cap, pos, mbi, (size_t)n);
	nmf_put(out, cap, pos, s, len);
}

size_t
nmf_encode_preamble(uint8_t *out, size_t cap, const char *via,
    uint8_t known_encoding)
{
	size_t	 pos = 0;

	nmf_put_byte(out, cap, &pos, NMF_VERSION);
	nmf_put_byte(out, cap, &pos, 1);
	nmf_put_byte(out, cap, &pos, 0);
	nmf_put_byte(out, cap, &pos, NMF_MODE);
	nmf_put_byte(out, cap, &pos, NMF_MODE_DUPLEX);
	nmf_put_byte(out, cap, &pos, NMF_VIA);
	nmf_put_string(out, cap, &pos, via);
	nmf_put_byte(out, cap, &pos, NMF_KNOWN_ENCODING);
	nmf_put_byte(out, cap, &pos, known_encoding);
	nmf_put_byte(out, cap, &pos, NMF_PREAMBLE_END);
	return pos;
}

size_t
nmf_encode_sized_envelope_header(uint8_t *out, size_t cap,
    uint32_t payload_size)
{
	uint8_t	 mbi[NMF_MBI31_MAX];
	size_t	 pos = 0;
	int	 n;

	nmf_put_byte(out, cap, &pos, NMF_SIZED_ENVELOPE);
	n = nmf_mbi31_encode(payload_size, mbi);
	nmf_put(out, cap, &pos, mbi, (size_t)n);
	return pos;
}

size_t
nmf_encode_fault(uint8_t *out, size_t cap, const char *fault)
{
	size_t	 pos = 0;

	nmf_put_byte(out, cap, &pos, NMF_FAULT);
	nmf_put_string(out, cap, &pos, fault);
	return pos;
}

/* Returns 0 (writes nothing) for a type that is not a one-byte record. */
size_t
nmf_encode_simple(uint8_t *out, size_t cap, enum nmf_record_type type)
{
	size_t	 pos = 0;

	switch (type) {
	case NMF_UNSIZED_ENVELOPE:
	case NMF_END:
	case NMF_UPGRADE_RESPONSE:
	case NMF_PREAMBLE_ACK:
	case NMF_PREAMBLE_END:
		nmf_put_byte(out, cap, &pos, (uint8_t)type);
		return pos;
	default:
		return 0;
	}
}

/* Only the UTF-8 text encodings for now; binary XML comes with nbfx.c. */
/* WS_ENCODING values this file needs. */
#define WS_ENC_BINARY_1		0
#define WS_ENC_BINARY_SESSION_1	1
#define WS_ENC_UTF8		5

int
nmf_encoding_supported(uint8_t enc, uint32_t *envelope_version)
{
	uint32_t ws_encoding;

	return nmf_encoding_to_ws(enc, &ws_encoding, envelope_version);
}

int
nmf_encoding_to_ws(uint8_t enc, uint32_t *ws_encoding,
    uint32_t *envelope_version)
{
	switch (enc) {
	case NMF_ENC_SOAP11_UTF8:
		*ws_encoding = WS_ENC_UTF8;
		*envelope_version = NMF_ENVELOPE_SOAP_1_1;
		return 0;
	case NMF_ENC_SOAP12_UTF8:
		*ws_encoding = WS_ENC_UTF8;
		*envelope_version = NMF_ENVELOPE_SOAP_1_2;
		return 0;
	case NMF_ENC_SOAP12_BINARY:
		*ws_encoding = WS_ENC_BINARY_1;
		*envelope_version = NMF_ENVELOPE_SOAP_1_2;
		return 0;
	case NMF_ENC_SOAP12_BINARY_SESSION:
		*ws_encoding = WS_ENC_BINARY_SESSION_1;
		*envelope_version = NMF_ENVELOPE_SOAP_1_2;
		return 0;
	default:
		return -ENOTSUP;
	}
}

int
nmf_encoding_from_ws(uint32_t ws_encoding, uint32_t envelope_version)
{
	switch (ws_encoding) {
	case WS_ENC_UTF8:
		return envelope_version == NMF_ENVELOPE_SOAP_1_1 ?
		    NMF_ENC_SOAP11_UTF8 : NMF_ENC_SOAP12_UTF8;
	case WS_ENC_BINARY_1:
		/* MC-NMF has binary records for SOAP 1.2 only. */
		return envelope_version == NMF_ENVELOPE_SOAP_1_2 ?
		    NMF_ENC_SOAP12_BINARY : -ENOTSUP;
	case WS_ENC_BINARY_SESSION_1:
		return envelope_version == NMF_ENVELOPE_SOAP_1_2 ?
		    NMF_ENC_SOAP12_BINARY_SESSION : -ENOTSUP;
	default:
		return -ENOTSUP;
	}
}
