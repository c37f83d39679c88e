/*
 * .NET Message Framing (MC-NMF): the records of a duplex net.tcp session.
 * Pure functions over byte buffers; no I/O, no allocation.
 */
#ifndef WSCHANNEL_NMF_H
#define WSCHANNEL_NMF_H

#include <stddef.h>
#include <stdint.h>

enum nmf_record_type {
	NMF_VERSION = 0x00,
	NMF_MODE = 0x01,
	NMF_VIA = 0x02,
	NMF_KNOWN_ENCODING = 0x03,
	NMF_EXTENSIBLE_ENCODING = 0x04,
	NMF_UNSIZED_ENVELOPE = 0x05,
	NMF_SIZED_ENVELOPE = 0x06,
	NMF_END = 0x07,
	NMF_FAULT = 0x08,
	NMF_UPGRADE_REQUEST = 0x09,
	NMF_UPGRADE_RESPONSE = 0x0a,
	NMF_PREAMBLE_ACK = 0x0b,
	NMF_PREAMBLE_END = 0x0c,
};

enum nmf_mode {
	NMF_MODE_SINGLETON_UNSIZED = 1,
	NMF_MODE_DUPLEX = 2,
	NMF_MODE_SIMPLEX = 3,
	NMF_MODE_SINGLETON_SIZED = 4,
};

/* Known encodings (KnownEncodingRecord). */
enum nmf_encoding {
	NMF_ENC_SOAP11_UTF8 = 0x00,
	NMF_ENC_SOAP11_UTF16 = 0x01,
	NMF_ENC_SOAP11_UNICODE_LE = 0x02,
	NMF_ENC_SOAP12_UTF8 = 0x03,
	NMF_ENC_SOAP12_UTF16 = 0x04,
	NMF_ENC_SOAP12_UNICODE_LE = 0x05,
	NMF_ENC_SOAP12_MTOM = 0x06,
	NMF_ENC_SOAP12_BINARY = 0x07,
	NMF_ENC_SOAP12_BINARY_SESSION = 0x08,
};

/* Fault strings of MC-NMF section 2.2.5 (Fault Records) that we send. */
#define NMF_FAULT_UNSUPPORTED_VERSION \
	"http://schemas.microsoft.com/ws/2006/05/framing/faults/UnsupportedVersion"
#define NMF_FAULT_UNSUPPORTED_MODE \
	"http://schemas.microsoft.com/ws/2006/05/framing/faults/UnsupportedMode"
#define NMF_FAULT_UNSUPPORTED_ENCODING \
	"http://schemas.microsoft.com/ws/2006/05/framing/faults/ContentTypeInvalid"
#define NMF_FAULT_MAX_MESSAGE_SIZE \
	"http://schemas.microsoft.com/ws/2006/05/framing/faults/MaxMessageSizeExceededFault"
#define NMF_FAULT_INVALID_VIA \
	"http://schemas.microsoft.com/ws/2006/05/framing/faults/EndpointNotFound"

/* Longest MultiByteInt31 in bytes. */
#define NMF_MBI31_MAX 5

/*
 * MultiByteInt31: 7 bits per byte, least significant group first, high bit
 * set on every byte but the last; values 0..0x7fffffff.
 * encode returns the number of bytes written (1..5); v must be <= 0x7fffffff.
 * decode returns bytes consumed (>0), 0 when more input is needed, or
 * -EBADMSG for an encoding longer than 5 bytes or a value above 2^31-1.
 */
int	nmf_mbi31_encode(uint32_t v, uint8_t out[NMF_MBI31_MAX]);
int	nmf_mbi31_decode(const uint8_t *in, size_t len, uint32_t *v);

/* One decoded record.  `data` points into the caller's input buffer. */
struct nmf_record {
	enum nmf_record_type type;
	uint8_t		 major, minor;	/* NMF_VERSION */
	uint8_t		 mode;		/* NMF_MODE */
	uint8_t		 encoding;	/* NMF_KNOWN_ENCODING */
	const uint8_t	*data;		/* VIA, EXTENSIBLE_ENCODING, FAULT,
					 * SIZED_ENVELOPE, UPGRADE_REQUEST:
					 * the payload */
	uint32_t	 size;		/* its length */
};

/*
 * Decodes the record at the start of `in`.  Returns the bytes it occupies
 * (>0), 0 when `in` holds only part of it (read more and call again), or a
 * negative errno: -EBADMSG for an unknown record type or a malformed size,
 * -EMSGSIZE when a sized payload is larger than `max_size` (detected from the
 * size prefix alone, before the payload has arrived).
 */
int	nmf_record_decode(const uint8_t *in, size_t len, uint32_t max_size,
	    struct nmf_record *rec);

/*
 * Encoders.  Each writes into `out` (capacity `cap`) and returns the number
 * of bytes the record needs; if that is more than `cap`, nothing useful was
 * written and the caller retries with a bigger buffer (snprintf style).
 */
size_t	nmf_encode_preamble(uint8_t *out, size_t cap, const char *via,
	    uint8_t known_encoding);	/* Version 1.0, Mode duplex, Via,
					 * KnownEncoding, PreambleEnd */
size_t	nmf_encode_sized_envelope_header(uint8_t *out, size_t cap,
	    uint32_t payload_size);	/* 0x06 + MultiByteInt31 size */
size_t	nmf_encode_fault(uint8_t *out, size_t cap, const char *fault);
size_t	nmf_encode_simple(uint8_t *out, size_t cap,
	    enum nmf_record_type type);	/* END, PREAMBLE_ACK, PREAMBLE_END */

/*
 * Known encoding bytes and the WWSAPI encodings they stand for.
 * nmf_encoding_to_ws: 0 and the WS_ENCODING and WS_ENVELOPE_VERSION of a
 * known encoding we speak (SOAP 1.1/1.2 UTF-8 text, SOAP 1.2 binary with
 * and without the in-band session dictionary), -ENOTSUP otherwise.
 * nmf_encoding_supported is the same without the encoding.
 * nmf_encoding_from_ws: the byte to announce for a channel's encoding and
 * envelope version, or -ENOTSUP when MC-NMF has none (binary SOAP 1.1).
 */
int	nmf_encoding_to_ws(uint8_t enc, uint32_t *ws_encoding,
	    uint32_t *envelope_version);
int	nmf_encoding_supported(uint8_t enc, uint32_t *envelope_version);
int	nmf_encoding_from_ws(uint32_t ws_encoding, uint32_t envelope_version);

#endif
