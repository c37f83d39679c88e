/* Frame header of the control protocol (see proto/wschannel.proto). */
#ifndef WSCHANNEL_FRAME_H
#define WSCHANNEL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAGIC        0x57534331u	/* "WSC1" */
#define FRAME_MAJOR        1
#define FRAME_HEADER_SIZE  12
#define FRAME_MAX_PAYLOAD  (16u * 1024 * 1024)

enum frame_kind {
	FRAME_REQUEST = 1,
	FRAME_REPLY = 2,
	FRAME_EVENT = 3,
};

struct frame_header {
	uint32_t magic;
	uint16_t major;
	uint16_t kind;
	uint32_t length;
};

/* Writes the 12-byte header for a payload of `length` bytes. */
void	frame_header_write(uint8_t out[FRAME_HEADER_SIZE], enum frame_kind kind,
	    uint32_t length);

/*
 * Parses and validates a header.  Returns 0, or a negative errno:
 * -EBADMSG for a bad magic or kind, -EPROTONOSUPPORT for another major
 * version, -EMSGSIZE for a length over FRAME_MAX_PAYLOAD.  `why` (may be
 * NULL) receives a static description of the failure.
 */
int	frame_header_parse(const uint8_t in[FRAME_HEADER_SIZE],
	    struct frame_header *hdr, const char **why);

#endif
