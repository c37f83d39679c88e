/*
 * The Reply to ListChannels, packed channel by channel: protobuf-c packs
 * each ChannelInfo and ListenerInfo from one struct on the stack, and only
 * the Reply around them (id, hresult, the list's length) is framed here.
 * Building the whole message first took a ChannelInfo per channel, 160
 * bytes each, megabytes of fresh memory for a large listing.  Each entry
 * is sized and packed in one go, and the Reply's head is written last in
 * front of the entries: a pass over tens of thousands of channels is a
 * cache miss per line it reads, so there is one pass, not two.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wschannel/webservices.h>

#include "bigmem.h"
#include "channel.h"
#include "frame.h"
#include "listener.h"
#include "request.h"
#include "unix_list.h"

/* Wire types and field numbers of Reply and ChannelList (the proto). */
#define PB_VARINT		0
#define PB_LEN			2
#define PB_TAG(f, t)		(((f) << 3) | (t))
#define REPLY_ID		1
#define REPLY_HRESULT		2
#define REPLY_LIST		14
#define LIST_CHANNELS		1
#define LIST_LISTENERS		2

static size_t
pb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *
pb_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

void
unix_fill_channel(const struct channel *ch, Wschannel__ChannelInfo *ci)
{
	ci->id = ch->id;
	ci->owner_uid = ch->uid;
	ci->owner_pid = (uint32_t)ch->pid;
	ci->type = ch->type;
	ci->binding = ch->binding;
	ci->state = ch->state;
	ci->remote_address = (char *)ch->remote;
	ci->pending = pending_count((struct pending_list *)&ch->pendings);
	ci->bytes_in = ch->bytes_in;
	ci->bytes_out = ch->bytes_out;
	ci->messages_in = ch->messages_in;
	ci->messages_out = ch->messages_out;
	ci->has_encoding = 1;
	ci->encoding = (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENCODING];
	ci->url = ch->url;
	if (ch->listener_id != 0) {
		ci->has_listener = 1;
		ci->listener = ch->listener_id;
	}
	/* Only what a transport reported: TCP listings stay as they were. */
	if (channel_local(ch)[0] != '\0')
		ci->local_address = (char *)channel_local(ch);
	if (channel_dropped(ch) != 0) {
		ci->has_datagrams_dropped = 1;
		ci->datagrams_dropped = channel_dropped(ch);
	}
}

static void
unix_fill_listener(const struct listener *ls, Wschannel__ListenerInfo *li)
{
	li->id = ls->id;
	li->owner_uid = ls->uid;
	li->owner_pid = (uint32_t)ls->pid;
	li->type = ls->type;
	li->binding = ls->binding;
	li->state = ls->state;
	li->url = ls->url;
	li->pending = request_listener_accepts(ls);
	if (ls->local[0] != '\0')
		li->local_address = (char *)ls->local;
	if (ls->group[0] != '\0')
		li->group = (char *)ls->group;
	if (ls->local[0] != '\0' || ls->dropped != 0) {
		li->has_datagrams_dropped = 1;
		li->datagrams_dropped = ls->dropped;
	}
}

/*
 * The room in front of a block's frame: the block's size (so that its
 * release needs nothing else), then the frame's header and the Reply's
 * fields before the list, written last, right against the list.
 */
#define BLOCK_CAP_SIZE	sizeof(size_t)
#define BLOCK_HEAD	(BLOCK_CAP_SIZE + FRAME_HEADER_SIZE + 32)
/* A first guess at an entry's size: a TCP channel's is 70 to 80 bytes.
 * The block is populated whole, so a guess too large costs pages. */
#define ENTRY_GUESS	96

int
unix_block_alloc(struct unix_block *b, size_t room)
{
	size_t cap = BLOCK_HEAD + room;

	if ((b->base = bigmem_alloc(cap)) == NULL)
		return -1;
	memcpy(b->base, &cap, BLOCK_CAP_SIZE);
	b->cap = cap;
	b->off = BLOCK_HEAD;
	b->len = 0;
	return 0;
}

void
unix_block_release(void *base)
{
	size_t cap;

	if (base == NULL)
		return;
	memcpy(&cap, base, BLOCK_CAP_SIZE);
	bigmem_free(base, cap);
}

/* Room for `n` more bytes after the frame's end, moving the block to a
 * larger one when needed. */
static int
unix_block_reserve(struct unix_block *b, size_t n)
{
	struct unix_block nb;
	size_t cap = b->cap;

	if (b->cap - b->off - b->len >= n)
		return 0;
	while (cap - b->off - b->len < n)
		cap *= 2;
	if (unix_block_alloc(&nb, cap - BLOCK_HEAD) != 0)
		return -1;
	memcpy(nb.base + b->off, b->base + b->off, b->len);
	nb.off = b->off;
	nb.len = b->len;
	unix_block_release(b->base);
	*b = nb;
	return 0;
}

/* Appends one entry of the list: its tag, its length, the packed
 * message, sized and packed at once so that what it reads of the channel
 * is still in the cache the second time. */
static int
unix_list_entry(struct unix_block *b, unsigned field,
    const ProtobufCMessage *m)
{
	size_t sz = protobuf_c_message_get_packed_size(m);
	uint8_t *p;

	if (unix_block_reserve(b, 1 + pb_varint_len(sz) + sz) != 0)
		return -1;
	p = b->base + b->off + b->len;
	*p++ = PB_TAG(field, PB_LEN);
	p = pb_varint(p, sz);
	p += protobuf_c_message_pack(m, p);
	b->len = (size_t)(p - (b->base + b->off));
	return 0;
}

int
unix_list_frame(const struct request *r, uint64_t tag, struct unix_block *b)
{
	Wschannel__ChannelInfo ci;
	Wschannel__ListenerInfo li;
	size_t i, n = r->res.nchannels, payload, head;
	uint8_t *p;

	if (unix_block_alloc(b, (n + r->res.nlisteners) * ENTRY_GUESS) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		wschannel__channel_info__init(&ci);
		unix_fill_channel(r->res.channels[i], &ci);
		if (unix_list_entry(b, LIST_CHANNELS, &ci.base) != 0)
			goto oom;
	}
	for (i = 0; i < r->res.nlisteners; i++) {
		wschannel__listener_info__init(&li);
		unix_fill_listener(r->res.listeners[i], &li);
		if (unix_list_entry(b, LIST_LISTENERS, &li.base) != 0)
			goto oom;
	}
	/* id, hresult (S_OK: 0), the list's tag and length; then the frame's
	 * header in front of them. */
	head = 1 + pb_varint_len(tag) + 2 + 1 + pb_varint_len(b->len);
	payload = head + b->len;
	if (payload > FRAME_MAX_PAYLOAD) {
		unix_block_release(b->base);
		b->base = NULL;
		return -EMSGSIZE;
	}
	b->off -= FRAME_HEADER_SIZE + head;
	p = b->base + b->off;
	frame_header_write(p, FRAME_REPLY, (uint32_t)payload);
	p += FRAME_HEADER_SIZE;
	*p++ = PB_TAG(REPLY_ID, PB_VARINT);
	p = pb_varint(p, tag);
	*p++ = PB_TAG(REPLY_HRESULT, PB_VARINT);
	*p++ = 0;
	*p++ = PB_TAG(REPLY_LIST, PB_LEN);
	(void)pb_varint(p, b->len);
	b->len += FRAME_HEADER_SIZE + head;
	return 0;
oom:
	unix_block_release(b->base);
	b->base = NULL;
	return -ENOMEM;
}
