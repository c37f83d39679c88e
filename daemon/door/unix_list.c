/*
 * The Reply to ListChannels, packed channel by channel: protobuf-c packs
 * each ChannelInfo and ListenerInfo from one struct on the stack, and only
 * the Reply around them (id, hresult, the list's length) is framed here.
 * Building the whole message first took a ChannelInfo per channel, 160
 * bytes each, megabytes of fresh memory for a large listing.
 */
#include <stdint.h>
#include <stdlib.h>

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

/* One entry of the list: its tag, its length, the packed message. */
static size_t
pb_entry_len(size_t len)
{
	return 1 + pb_varint_len(len) + len;
}

static uint8_t *
pb_entry(uint8_t *p, unsigned field, const ProtobufCMessage *m, size_t len)
{
	*p++ = PB_TAG(field, PB_LEN);
	p = pb_varint(p, len);
	return p + protobuf_c_message_pack(m, p);
}

/* The packed size of every entry of `r`'s list, in sz[], and their sum. */
static size_t
unix_list_sizes(const struct request *r, uint32_t *sz)
{
	Wschannel__ChannelInfo ci;
	Wschannel__ListenerInfo li;
	size_t i, n = r->res.nchannels, body = 0;

	for (i = 0; i < n; i++) {
		wschannel__channel_info__init(&ci);
		unix_fill_channel(r->res.channels[i], &ci);
		sz[i] = (uint32_t)wschannel__channel_info__get_packed_size(&ci);
		body += pb_entry_len(sz[i]);
	}
	for (i = 0; i < r->res.nlisteners; i++) {
		wschannel__listener_info__init(&li);
		unix_fill_listener(r->res.listeners[i], &li);
		sz[n + i] = (uint32_t)
		    wschannel__listener_info__get_packed_size(&li);
		body += pb_entry_len(sz[n + i]);
	}
	return body;
}

uint8_t *
unix_list_frame(const struct request *r, uint64_t tag, size_t *lenp)
{
	Wschannel__ChannelInfo ci;
	Wschannel__ListenerInfo li;
	size_t i, n = r->res.nchannels, all = n + r->res.nlisteners;
	size_t body, payload, len;
	uint32_t *sz;
	uint8_t *buf, *p;

	if ((sz = malloc((all + 1) * sizeof(*sz))) == NULL)
		return NULL;
	body = unix_list_sizes(r, sz);
	/* id, hresult (S_OK: 0), the list. */
	payload = 1 + pb_varint_len(tag) + 2 + 1 + pb_varint_len(body) + body;
	len = FRAME_HEADER_SIZE + payload;
	*lenp = payload > FRAME_MAX_PAYLOAD ? len : 0;
	if (payload > FRAME_MAX_PAYLOAD || (buf = bigmem_alloc(len)) == NULL) {
		free(sz);
		return NULL;
	}
	frame_header_write(buf, FRAME_REPLY, (uint32_t)payload);
	p = buf + FRAME_HEADER_SIZE;
	*p++ = PB_TAG(REPLY_ID, PB_VARINT);
	p = pb_varint(p, tag);
	*p++ = PB_TAG(REPLY_HRESULT, PB_VARINT);
	*p++ = 0;
	*p++ = PB_TAG(REPLY_LIST, PB_LEN);
	p = pb_varint(p, body);
	for (i = 0; i < n; i++) {
		wschannel__channel_info__init(&ci);
		unix_fill_channel(r->res.channels[i], &ci);
		p = pb_entry(p, LIST_CHANNELS, &ci.base, sz[i]);
	}
	for (i = 0; i < r->res.nlisteners; i++) {
		wschannel__listener_info__init(&li);
		unix_fill_listener(r->res.listeners[i], &li);
		p = pb_entry(p, LIST_LISTENERS, &li.base, sz[n + i]);
	}
	free(sz);
	*lenp = len;
	return buf;
}
