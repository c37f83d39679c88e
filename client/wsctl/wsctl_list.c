/*
 * `wsctl list` into a pipe, entry by entry.  A listing of tens of
 * thousands of channels decoded whole is megabytes of ChannelInfo in
 * fresh memory, and on the virtual machines this runs on each fresh page
 * costs a trap at first touch: decoding took more than half of wsctl's
 * time.  Records into a pipe need no widths, so the Reply's bytes are
 * walked here instead (ipc_request_frame): each ChannelInfo and
 * ListenerInfo is decoded by protobuf-c into the same small scratch
 * memory, written as its record, and dropped.
 *
 * Only the framing is read by hand: the tags and lengths of the Reply's
 * fields and of the list's entries, and of each entry's fields for the
 * two things needed before the first record (whether any entry has an
 * endpoint address, which adds a column, and whether the ids come in
 * order, as the daemon lists them).  Anything else (a refusal, entries
 * out of order, a field after the list, bytes that are no fields) is
 * left to the whole decode and the formatter.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "wsctl.h"

/* Wire types, and the field numbers of the proto this reads. */
#define PB_VARINT	0
#define PB_I64		1
#define PB_LEN		2
#define PB_I32		5
#define REPLY_HRESULT	2
#define REPLY_LIST	14
#define LIST_CHANNELS	1
#define LIST_LISTENERS	2
#define INFO_ID		1	/* ChannelInfo's and ListenerInfo's */
#define CHANNEL_LOCAL	16	/* ChannelInfo.local_address */
#define LISTENER_LOCAL	9	/* ListenerInfo.local_address */

struct pb_field {
	uint32_t	 num, type;
	uint64_t	 v;	/* a varint's value; a length's */
	const uint8_t	*p;	/* PB_LEN: the bytes */
};

static const uint8_t *
pb_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	unsigned shift;

	*v = 0;
	for (shift = 0; p < end && shift < 64; shift += 7) {
		*v |= (uint64_t)(*p & 0x7f) << shift;
		if ((*p++ & 0x80) == 0)
			return p;
	}
	return NULL;
}

/* The field at *pp, and *pp past it; false at the end, or with *bad set
 * for bytes that are no field. */
static bool
pb_next(const uint8_t **pp, const uint8_t *end, struct pb_field *f,
    bool *bad)
{
	const uint8_t *p = *pp;
	uint64_t tag;

	if (p == end)
		return false;
	if ((p = pb_varint(p, end, &tag)) == NULL || (tag >> 3) == 0 ||
	    (tag >> 3) > UINT32_MAX)
		goto bad;
	f->num = (uint32_t)(tag >> 3);
	f->type = (uint32_t)(tag & 7);
	f->p = NULL;
	switch (f->type) {
	case PB_VARINT:
		if ((p = pb_varint(p, end, &f->v)) == NULL)
			goto bad;
		break;
	case PB_I64:
	case PB_I32:
		f->v = f->type == PB_I64 ? 8 : 4;
		if ((uint64_t)(end - p) < f->v)
			goto bad;
		p += f->v;
		break;
	case PB_LEN:
		if ((p = pb_varint(p, end, &f->v)) == NULL ||
		    f->v > (uint64_t)(end - p))
			goto bad;
		f->p = p;
		p += f->v;
		break;
	default:
		goto bad;
	}
	*pp = p;
	return true;
bad:
	*bad = true;
	return false;
}

/* What an entry says before it is decoded: its id and whether it has an
 * endpoint address (field `local`, not empty). */
static bool
wsctl_list_peek(const struct pb_field *e, uint32_t local, uint64_t *id,
    bool *has_local)
{
	const uint8_t *p = e->p, *end = e->p + e->v;
	struct pb_field f;
	bool bad = false;

	*id = 0;
	*has_local = false;
	while (pb_next(&p, end, &f, &bad)) {
		if (f.num == INFO_ID && f.type == PB_VARINT)
			*id = f.v;
		else if (f.num == local && f.type == PB_LEN && f.v > 0)
			*has_local = true;
	}
	return !bad;
}

/*
 * The entries of the list at `list`: whether they are well framed and in
 * id order, channels and listeners each, and whether any channel and any
 * listener has an endpoint address.
 */
static bool
wsctl_list_scan(const struct pb_field *list, bool *clocal, bool *llocal)
{
	const uint8_t *p = list->p, *end = list->p + list->v;
	struct pb_field e;
	uint64_t id, last[3] = { 0, 0, 0 };
	bool bad = false, local;

	*clocal = *llocal = false;
	while (pb_next(&p, end, &e, &bad)) {
		if (e.type != PB_LEN ||
		    (e.num != LIST_CHANNELS && e.num != LIST_LISTENERS))
			continue;
		if (!wsctl_list_peek(&e, e.num == LIST_CHANNELS ?
		    CHANNEL_LOCAL : LISTENER_LOCAL, &id, &local) ||
		    id <= last[e.num])
			return false;
		last[e.num] = id;
		if (local)
			*(e.num == LIST_CHANNELS ? clocal : llocal) = true;
	}
	return !bad;
}

/*
 * Where each entry is decoded: the same memory every time, handed out in
 * order and taken back all at once after the entry's record.  An entry
 * larger than it (a URL of kilobytes) goes to malloc.
 */
struct scratch {
	size_t			 used;
	_Alignas(16) uint8_t	 mem[8192];
};

static void *
scratch_alloc(void *data, size_t size)
{
	struct scratch *s = data;
	size_t n = (size + 15) & ~(size_t)15;

	if (n < size || n > sizeof(s->mem) - s->used)
		return malloc(size);
	s->used += n;
	return s->mem + s->used - n;
}

static void
scratch_free(void *data, void *p)
{
	struct scratch *s = data;
	uintptr_t a = (uintptr_t)p, m = (uintptr_t)s->mem;

	/* Compared as numbers: p may be malloc's, not in mem. */
	if (a < m || a >= m + sizeof(s->mem))
		free(p);
}

/* Each entry of kind `num` as its record; false when one did not decode. */
static bool
wsctl_list_write(struct wsctl_out *out, const struct pb_field *list,
    uint32_t num, bool local)
{
	const ProtobufCMessageDescriptor *desc = num == LIST_CHANNELS ?
	    &wschannel__channel_info__descriptor :
	    &wschannel__listener_info__descriptor;
	const uint8_t *p = list->p, *end = list->p + list->v;
	struct scratch s;
	ProtobufCAllocator alloc = { scratch_alloc, scratch_free, &s };
	ProtobufCMessage *m;
	struct pb_field e;
	bool bad = false;

	while (pb_next(&p, end, &e, &bad)) {
		if (e.type != PB_LEN || e.num != num)
			continue;
		s.used = 0;
		if ((m = protobuf_c_message_unpack(desc, &alloc, e.v, e.p)) ==
		    NULL)
			return false;
		if (num == LIST_CHANNELS)
			wsctl_text_channel_line(out,
			    (Wschannel__ChannelInfo *)(void *)m, local);
		else
			wsctl_text_listener_line(out,
			    (Wschannel__ListenerInfo *)(void *)m, local);
		protobuf_c_message_free_unpacked(m, &alloc);
	}
	return !bad;
}

size_t
wsctl_list_frame(void *arg, const uint8_t *buf, size_t len)
{
	struct wsctl_list_raw *lr = arg;
	const uint8_t *p = buf, *end = buf + len, *at, *list_at = NULL;
	struct pb_field f, list = { 0, 0, 0, NULL };
	bool bad = false, clocal, llocal, listeners = false;

	for (at = p; pb_next(&p, end, &f, &bad); at = p) {
		if (f.num == REPLY_HRESULT && (f.type != PB_VARINT || f.v != 0))
			return len;		/* a refusal: the whole Reply */
		if (f.num == REPLY_LIST && f.type == PB_LEN) {
			list_at = at;
			list = f;
		}
	}
	/* The list, last, well framed and in order; else all as usual. */
	if (bad || list_at == NULL || list.p + list.v != end ||
	    !wsctl_list_scan(&list, &clocal, &llocal))
		return len;
	for (p = list.p; pb_next(&p, list.p + list.v, &f, &bad); )
		listeners |= f.num == LIST_LISTENERS && f.type == PB_LEN;
	lr->done = true;
	if (!wsctl_list_write(lr->out, &list, LIST_CHANNELS, clocal))
		lr->bad = true;
	else if (listeners) {
		/* The empty line tells the listeners from the channels. */
		fputc('\n', lr->out->f);
		if (!wsctl_list_write(lr->out, &list, LIST_LISTENERS, llocal))
			lr->bad = true;
	}
	/* The Reply is what came before the list: id and hresult. */
	return (size_t)(list_at - buf);
}
