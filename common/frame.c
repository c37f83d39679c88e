/* Encoding and validation of the control protocol's frame header. */
#include <errno.h>
#include <string.h>

#include "frame.h"

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

void
frame_header_write(uint8_t out[FRAME_HEADER_SIZE], enum frame_kind kind,
    uint32_t length)
{
	put_be32(out, FRAME_MAGIC);
	put_be16(out + 4, FRAME_MAJOR);
	put_be16(out + 6, (uint16_t)kind);
	put_be32(out + 8, length);
}

int
frame_header_parse(const uint8_t in[FRAME_HEADER_SIZE],
    struct frame_header *hdr, const char **why)
{
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	hdr->magic = get_be32(in);
	hdr->major = get_be16(in + 4);
	hdr->kind = get_be16(in + 6);
	hdr->length = get_be32(in + 8);
	if (hdr->magic != FRAME_MAGIC) {
		*why = "bad frame magic";
		return -EBADMSG;
	}
	if (hdr->major != FRAME_MAJOR) {
		*why = "unsupported protocol major version";
		return -EPROTONOSUPPORT;
	}
	if (hdr->kind < FRAME_REQUEST || hdr->kind > FRAME_EVENT) {
		*why = "unknown frame kind";
		return -EBADMSG;
	}
	if (hdr->length > FRAME_MAX_PAYLOAD) {
		*why = "frame payload too large";
		return -EMSGSIZE;
	}
	return 0;
}
