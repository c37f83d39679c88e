/*
 * Fuzz target for the control protocol as the Unix door reads it
 * (control_process in daemon/door/unix.c): the bytes are what a client
 * wrote on its connection.  Frame after frame: the 12-byte header is
 * parsed with common/frame.c, anything but a Request ends the
 * connection, a frame not yet complete waits, and the payload is
 * unpacked as a wschannel.Request by protobuf-c.
 *
 * Checked on the way: the header parser reads its 12 bytes and no more
 * and only accepts what frame_header_write writes; a length over
 * FRAME_MAX_PAYLOAD is refused before any unpacking; the unpacker reads
 * the payload and no more (each gets an exact-size heap copy, so a
 * sanitizer sees a byte too far); an unpacked Request has every required
 * field and the member of its oneof that the dispatcher dereferences;
 * packing it again is stable.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "frame.h"
#include "fuzz.h"
#include "wschannel.pb-c.h"

static uint32_t
fuzz_frame_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static __attribute__((noreturn)) void
fuzz_frame_fail(const char *what)
{
	fprintf(stderr, "%s\n", what);
	abort();
}

/* The header's promises; returns frame_header_parse's result. */
static int
fuzz_frame_header(const uint8_t *in, struct frame_header *hdr)
{
	uint8_t		*copy, again[FRAME_HEADER_SIZE];
	const char	*why = NULL;
	uint32_t	 magic, major, kind, length;
	int		 rc;

	if ((copy = malloc(FRAME_HEADER_SIZE)) == NULL)
		return -ENOMEM;
	memcpy(copy, in, FRAME_HEADER_SIZE);
	rc = frame_header_parse(copy, hdr, &why);
	free(copy);
	magic = fuzz_frame_be32(in);
	major = ((uint32_t)in[4] << 8) | in[5];
	kind = ((uint32_t)in[6] << 8) | in[7];
	length = fuzz_frame_be32(in + 8);
	if (rc == 0) {
		if (magic != FRAME_MAGIC || major != FRAME_MAJOR ||
		    kind < FRAME_REQUEST || kind > FRAME_EVENT ||
		    length > FRAME_MAX_PAYLOAD)
			fuzz_frame_fail("a bad header was accepted");
		frame_header_write(again, (enum frame_kind)hdr->kind,
		    hdr->length);
		if (memcmp(again, in, FRAME_HEADER_SIZE) != 0)
			fuzz_frame_fail("an accepted header does not rewrite "
			    "to the same bytes");
		return 0;
	}
	if (rc != -EBADMSG && rc != -EPROTONOSUPPORT && rc != -EMSGSIZE)
		fuzz_frame_fail("unexpected header error");
	if (why == NULL)
		fuzz_frame_fail("a refused header says not why");
	if (magic == FRAME_MAGIC && major == FRAME_MAJOR &&
	    kind >= FRAME_REQUEST && kind <= FRAME_EVENT) {
		if (length <= FRAME_MAX_PAYLOAD)
			fuzz_frame_fail("a good header was refused");
		if (rc != -EMSGSIZE)
			fuzz_frame_fail("an over-limit length is not -EMSGSIZE");
	}
	return rc;
}

/*
 * The dispatcher follows rq->op_case to its member without a NULL
 * check: the member must be there and be a message.
 */
static void
fuzz_frame_oneof(const Wschannel__Request *rq)
{
	const ProtobufCFieldDescriptor	*f;
	void *const			*member;

	if (rq->op_case == WSCHANNEL__REQUEST__OP__NOT_SET)
		return;
	f = protobuf_c_message_descriptor_get_field(
	    &wschannel__request__descriptor, (unsigned)rq->op_case);
	if (f == NULL || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0)
		fuzz_frame_fail("op_case names no member of the oneof");
	if (f->type != PROTOBUF_C_TYPE_MESSAGE)
		fuzz_frame_fail("a oneof member that is not a message");
	member = (void *const *)(const void *)((const char *)rq + f->offset);
	if (*member == NULL)
		fuzz_frame_fail("op_case set, its message NULL");
}

/*
 * Whether `m` or a message inside it kept unknown fields.  protobuf-c
 * keeps them as they came and packs them again as it thinks best, which
 * need not be a form it accepts (an overlong-encoded field number 0 is
 * kept, and its canonical form refused): the daemon never repacks a
 * Request, so such a Request only escapes the stricter checks below.
 */
static bool
fuzz_frame_has_unknown(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const char				*base = (const char *)m;
	ProtobufCMessage *const			*sub;
	size_t					 i, k, n;

	if (m->n_unknown_fields != 0)
		return true;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
		    *(const uint32_t *)(const void *)(base +
		    f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(const void *)(base +
			    f->quantifier_offset);
			sub = *(ProtobufCMessage *const *const *)(const void *)
			    (base + f->offset);
		} else {
			n = 1;
			sub = (ProtobufCMessage *const *)(const void *)
			    (base + f->offset);
		}
		for (k = 0; k < n; k++)
			if (sub[k] != NULL && fuzz_frame_has_unknown(sub[k]))
				return true;
	}
	return false;
}

/* Packing what was unpacked, and once more, gives the same bytes. */
static void
fuzz_frame_repack(const Wschannel__Request *rq)
{
	Wschannel__Request	*again;
	uint8_t			*b1, *b2;
	size_t			 n1, n2;

	n1 = wschannel__request__get_packed_size(rq);
	if ((b1 = malloc(n1 != 0 ? n1 : 1)) == NULL)
		return;
	if (wschannel__request__pack(rq, b1) != n1)
		fuzz_frame_fail("pack wrote another size than it announced");
	if ((again = wschannel__request__unpack(NULL, n1, b1)) == NULL) {
		if (fuzz_frame_has_unknown(&rq->base)) {
			free(b1);
			return;
		}
		fuzz_frame_fail("a packed Request does not unpack");
	}
	n2 = wschannel__request__get_packed_size(again);
	if (n2 != n1 || (b2 = malloc(n2 != 0 ? n2 : 1)) == NULL)
		fuzz_frame_fail("repacking changed the size");
	wschannel__request__pack(again, b2);
	if (memcmp(b1, b2, n1) != 0)
		fuzz_frame_fail("repacking changed the bytes");
	if (again->id != rq->id || again->op_case != rq->op_case)
		fuzz_frame_fail("repacking changed id or op");
	wschannel__request__free_unpacked(again, NULL);
	free(b1);
	free(b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_header	 hdr;
	Wschannel__Request	*rq;
	uint8_t			*payload;
	size_t			 off = 0;

	for (;;) {
		if (size - off < FRAME_HEADER_SIZE)
			break;		/* waits for the rest of a header */
		if (fuzz_frame_header(data + off, &hdr) != 0)
			break;		/* the door closes the connection */
		if (hdr.kind != FRAME_REQUEST)
			break;		/* likewise */
		if (size - off - FRAME_HEADER_SIZE < hdr.length)
			break;		/* waits for the rest of the frame */
		if ((payload = malloc(hdr.length != 0 ? hdr.length : 1)) == NULL)
			break;
		memcpy(payload, data + off + FRAME_HEADER_SIZE, hdr.length);
		rq = wschannel__request__unpack(NULL, hdr.length, payload);
		free(payload);
		off += FRAME_HEADER_SIZE + (size_t)hdr.length;
		if (rq == NULL)
			break;		/* "request does not decode": closed */
		if (!protobuf_c_message_check(&rq->base))
			fuzz_frame_fail("a Request unpacked without a "
			    "required field");
		fuzz_frame_oneof(rq);
		fuzz_frame_repack(rq);
		wschannel__request__free_unpacked(rq, NULL);
	}
	return 0;
}
