/* What the files of libwschannel share: handle layouts and helpers. */
#ifndef WSCHANNEL_CLIENT_INTERNAL_H
#define WSCHANNEL_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wschannel/webservices.h"
#include "props.h"
#include "ipc.h"

/* The library is built with -fvisibility=hidden: only the WsXxx API is
 * exported, each definition marked with this. */
#define WS_EXPORT	__attribute__((visibility("default")))

/* Handle magics, checked on entry and cleared on free, so that a stale
 * handle is refused with E_INVALIDARG rather than used. */
#define WS_CHANNEL_MAGIC	0x5743484eu	/* "WCHN" */
#define WS_LISTENER_MAGIC	0x574c534eu	/* "WLSN" */
#define WS_MESSAGE_MAGIC	0x574d5347u	/* "WMSG" */
#define WS_HEAP_MAGIC		0x57484550u	/* "WHEP" */
#define WS_ERROR_MAGIC		0x57455252u	/* "WERR" */

struct _WS_CHANNEL {
	struct ipc_object	 obj;		/* first: handles are cast */
	WS_CHANNEL_TYPE		 type;
	WS_CHANNEL_BINDING	 binding;
	/* Taken by WsCreateMessageForChannel; fixed at creation. */
	WS_ENVELOPE_VERSION	 envelope_version;
	WS_ADDRESSING_VERSION	 addressing_version;
	/* FAULTS_AS_ERRORS (settable at creation only): a fault received
	 * on a REQUEST channel ends the receive as an error. */
	bool			 faults_as_errors;
	/* Windows returns string properties in memory the channel owns:
	 * valid until the next Get of that property or WsFreeChannel. */
	pthread_mutex_t		 lock;
	WCHAR			*prop_str[CHANNEL_PROP_COUNT];
	/* The messages between WsReadMessageStart/WsWriteMessageStart and
	 * their End (or WsAbandonMessage), referenced; under `lock`. */
	WS_MESSAGE		*cur_read;
	WS_MESSAGE		*cur_write;
	/* WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, kept here (ws_header.c):
	 * NULL for none; fixed at creation. */
	struct ws_http_mapping	*mapping;
	/* WS_CHANNEL_PROPERTY_TRANSFER_MODE (creation only). */
	WS_TRANSFER_MODE	 transfer_mode;
	/* ENCODING and MAX_STREAMED_START_SIZE as given at creation (the
	 * HTTP defaults otherwise), for reading a streamed start. */
	WS_ENCODING		 encoding;
	ULONG			 stream_start_max;
};

struct _WS_LISTENER {
	struct ipc_object	 obj;
	WS_CHANNEL_TYPE		 type;
	WS_CHANNEL_BINDING	 binding;
};

/* The addressing headers and body of a message, as UTF-8. */
struct ws_headers {
	char		*action;
	char		*to;
	char		*message_id;
	char		*relates_to;
	char		*reply_to;
	char		*fault_to;
	bool		 is_fault;
	char		*fault_reason;	/* a received fault's reason text */
};

struct _WS_MESSAGE {
	uint32_t		 magic;
	int			 refs;		/* handle + calls in flight (atomic) */
	pthread_mutex_t		 lock;
	WS_MESSAGE_STATE	 state;
	bool			 busy;		/* a send or receive is in flight */
	WS_ENVELOPE_VERSION	 envelope_version;
	WS_ADDRESSING_VERSION	 addressing_version;
	WS_MESSAGE_INITIALIZATION init;
	bool			 addressed;	/* WsAddressMessage, or sent */
	struct ws_headers	 h;
	uint8_t			*body;		/* children of soap:Body, UTF-8 XML */
	size_t			 body_len;
	size_t			 body_next;	/* element WsReadBody reads next */
	WS_HEAP			*heap;		/* WS_MESSAGE_PROPERTY_HEAP, lazily */
	/* WS_MESSAGE_PROPERTY_BODY_READER/BODY_WRITER, lazily (xml_message.c) */
	WS_XML_READER		*body_reader;
	WS_XML_WRITER		*body_writer;
	/* Headers other than addressing ones (ws_custom_header.c), HTTP
	 * headers mapped onto the message, and the header buffer handed out
	 * as WS_MESSAGE_PROPERTY_HEADER_BUFFER (on the message heap). */
	struct ws_xheader	*xh;
	size_t			 nxh;
	uint8_t			*xh_blob;	/* xh joined, for the Envelope */
	struct ws_mapped	*mapped;
	size_t			 nmapped;
	WS_XML_BUFFER		*header_buffer;
	/* WsWriteEnvelopeStart/WsReadEnvelopeStart (ws_envelope.c): the
	 * caller's writer or reader, and who to tell once the message no
	 * longer uses it (reset or freed). */
	WS_XML_WRITER		*env_writer;
	WS_XML_READER		*env_reader;
	WS_MESSAGE_DONE_CALLBACK done_cb;
	void			*done_state;
	/* Bytes of body WsFlushBody has pushed so far (ws_stream.c). */
	size_t			 body_flushed;
	/* The channel of the last WsWriteMessageStart (not referenced:
	 * ws_stream.c checks it is live and still writing this message),
	 * through which WsFlushBody sends pieces of a streamed body. */
	WS_CHANNEL		*stream_ch;
	/* The body came with WsCopyMessage: writing the message starts
	 * after it instead of afresh. */
	bool			 body_copied;
	/* A body read as it arrives (ws_stream_in.c), NULL for a whole
	 * one; reached through sin_ops, so that this file's callers need
	 * not call that file. */
	struct ws_stream_in	*sin;
	const struct ws_stream_in_ops *sin_ops;
};

/* ws_stream_in.c: what the message calls of a streamed body, with
 * m->lock held: WsReadBody, WS_MESSAGE_PROPERTY_BODY_READER, the end. */
struct ws_stream_in_ops {
	HRESULT		(*read_body)(WS_MESSAGE *,
			    const WS_ELEMENT_DESCRIPTION *, WS_READ_OPTION,
			    WS_HEAP *, void *, ULONG, WS_ERROR *,
			    const char *);
	WS_XML_READER	*(*reader)(struct ws_stream_in *);
	void		(*free)(struct ws_stream_in *);
};

/* A header element other than the addressing ones, kept as standalone
 * UTF-8 XML (every namespace it uses declared on it). */
struct ws_xheader {
	char		*name;		/* local name and namespace, UTF-8 */
	char		*ns;
	uint8_t		*xml;
	size_t		 len;
	ULONG		 attrs;		/* WS_*_HEADER_ATTRIBUTE */
	bool		 understood;	/* read by WsGetCustomHeader or marked */
};

/* A mapped (HTTP) header: name and value as UTF-8 text. */
struct ws_mapped {
	char		*name;
	char		*value;
};

/* ws_error.c; it also fills WS_ERRORs for client/ipc (its sink). */
void	 ws_error_add(WS_ERROR *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 ws_error_add_utf8(WS_ERROR *, const char *);
void	 ws_error_set_code(WS_ERROR *, HRESULT);
/* Adds a formatted string, records `hr` as the original code, returns it. */
HRESULT	 ws_error_fail(WS_ERROR *, HRESULT, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The strings of an error joined by `sep`, most recent first (index 0
 * first), as malloc'd UTF-8; NULL when there are none or no memory. */
char	*ws_error_join(WS_ERROR *, const char *sep);
size_t	 ws_wcslen(const WCHAR *);
/* UTF-16 <-> UTF-8 with iconv; malloc'd, NUL-terminated, NULL with errno
 * set (EILSEQ for invalid input, ENOMEM). */
char	*ws_utf16_to_utf8(const WCHAR *, size_t, size_t *);
WCHAR	*ws_utf8_to_utf16(const char *, size_t, size_t *);

/* ws_heap.c */
bool	 ws_heap_valid(const WS_HEAP *);
/* 8-byte aligned; NULL and *hr set (E_OUTOFMEMORY, WS_E_QUOTA_EXCEEDED). */
void	*ws_heap_alloc(WS_HEAP *, size_t, HRESULT *);

/* ws_body.c */
HRESULT	 ws_body_check_write(const WS_ELEMENT_DESCRIPTION *, WS_WRITE_OPTION,
	    const void *, ULONG, WS_ERROR *, const char *);
HRESULT	 ws_body_write(const WS_ELEMENT_DESCRIPTION *, WS_WRITE_OPTION,
	    const void *, ULONG, uint8_t **, size_t *, WS_ERROR *, const char *);
HRESULT	 ws_body_check_read(const WS_ELEMENT_DESCRIPTION *, WS_READ_OPTION,
	    WS_HEAP *, void *, ULONG, WS_ERROR *, const char *);
HRESULT	 ws_body_read(const uint8_t *, size_t, const WS_ELEMENT_DESCRIPTION *,
	    WS_READ_OPTION, WS_HEAP *, void *, ULONG, WS_ERROR *, const char *);
/* The index-th element child of the body; *consumed (may be NULL) tells
 * whether the element was read (an optional one that is absent is not). */
HRESULT	 ws_body_read_at(const uint8_t *, size_t, size_t,
	    const WS_ELEMENT_DESCRIPTION *, WS_READ_OPTION, WS_HEAP *, void *,
	    ULONG, bool *, WS_ERROR *, const char *);
/* A WS_XML_STRING as a NUL-terminated malloc'd string ("" for NULL). */
char	*ws_body_xml_string(const WS_XML_STRING *);
/* ws_chars.c: can XML 1.0 carry these characters (no C0 controls but
 * tab, LF, CR)?  A leaf, so that the XML layer and the bodies built on it
 * do not call each other. */
bool	 ws_chars_xml_ok(const char *, size_t);

/* ws_header.c: WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING, which stays in
 * the library.  _take checks and copies it out of a creation's properties
 * (*rest: the others, malloc'd, or NULL when it was not there); _get is
 * WsGetChannelProperty's.  _pack puts the message's mapped headers the
 * mapping names for this direction into the Envelope (m->lock held;
 * _pack_free undoes it); _unpack keeps the received HTTP headers the
 * mapping names as the message's mapped headers. */
struct ws_http_mapping;
HRESULT	 ws_header_mapping_take(WS_CHANNEL_BINDING, const WS_CHANNEL_PROPERTY *,
	    ULONG, WS_CHANNEL_PROPERTY **rest, ULONG *nrest,
	    struct ws_http_mapping **, WS_ERROR *, const char *);
void	 ws_header_mapping_free(struct ws_http_mapping *);
HRESULT	 ws_header_mapping_get(WS_CHANNEL *, void *, ULONG, WS_ERROR *,
	    const char *);
HRESULT	 ws_header_mapped_pack(WS_CHANNEL *, WS_MESSAGE *,
	    Wschannel__Envelope *);
void	 ws_header_mapped_pack_free(Wschannel__Envelope *);
HRESULT	 ws_header_mapped_unpack(WS_CHANNEL *, WS_MESSAGE *,
	    const Wschannel__Envelope *);
/* WS_ENCODING_RAW on HTTP (ws_header.c): is the channel raw; a raw
 * message's method or status and its bytes into the Envelope (m not
 * locked; *raw freed by _pack_free) and out of it (after _mapped_unpack);
 * numbers as mapped header values (WS_UINT32_TYPE StatusCode, MS). */
bool	 ws_header_raw(const WS_CHANNEL *);
/* ws_body.c: the bytes of a raw body's base64 text (padded runs one after
 * the other, a WsWriteBytes each); 0 or -1. */
struct xml_out;
int	 ws_body_base64_decode(const uint8_t *, size_t, struct xml_out *);
HRESULT	 ws_header_raw_pack(WS_CHANNEL *, WS_MESSAGE *, Wschannel__Envelope *,
	    uint8_t **raw, WS_ERROR *, const char *);
void	 ws_header_raw_pack_free(Wschannel__Envelope *, uint8_t *raw);
HRESULT	 ws_header_raw_unpack(WS_CHANNEL *, WS_MESSAGE *,
	    const Wschannel__Envelope *, WS_ERROR *, const char *);
bool	 ws_header_number_type(WS_TYPE);
HRESULT	 ws_header_number_encode(WS_TYPE, WS_WRITE_OPTION, const void *,
	    ULONG, char **, WS_ERROR *, const char *);
HRESULT	 ws_header_number_decode(const char *, WS_TYPE, WS_READ_OPTION,
	    WS_HEAP *, void *, ULONG, WS_ERROR *, const char *);

/* ws_value.c: header values (WS_STRING, WS_XML_STRING, WSZ, WS_UNIQUE_ID,
 * WS_ENDPOINT_ADDRESS) to and from UTF-8 text. */
HRESULT	 ws_value_encode(WS_TYPE, WS_WRITE_OPTION, const void *, ULONG,
	    char **, WS_ERROR *, const char *);
HRESULT	 ws_value_check_read(WS_TYPE, WS_READ_OPTION, WS_ERROR *,
	    const char *);
HRESULT	 ws_value_decode(const char *, WS_TYPE, WS_READ_OPTION,
	    WS_HEAP *, void *, ULONG, WS_ERROR *, const char *);

/* ws_channel.c: properties shared with listeners. */
HRESULT	 ws_channel_prop_check(const struct prop_desc *, uint32_t, const void *,
	    ULONG, bool, WS_ERROR *, const char *);
HRESULT	 ws_channel_prop_encode(const struct prop_desc *, const void *,
	    ULONG, Wschannel__Property *, WS_ERROR *, const char *);
/* A PROP_IFINDEX_SET from the daemon (a mask) into a ULONG array of
 * `size` bytes, ascending. */
HRESULT	 ws_channel_prop_decode_ifset(const struct prop_desc *,
	    const Wschannel__Property *, void *, ULONG, WS_ERROR *,
	    const char *);
void	 ws_channel_prop_clear(Wschannel__Property *);
/* Writes a property from the daemon into the caller's buffer; strings are
 * converted into *slot, which the object owns. */
HRESULT	 ws_channel_prop_decode(const struct prop_desc *,
	    const Wschannel__Property *, void *, pthread_mutex_t *, WCHAR **,
	    WS_ERROR *, const char *);
HRESULT	 ws_channel_props_encode(const struct prop_desc *(*)(uint32_t),
	    const WS_CHANNEL_PROPERTY *, ULONG, Wschannel__Property ***,
	    WS_ERROR *, const char *);
void	 ws_channel_props_free(Wschannel__Property **, size_t);
/* Validates a handle and takes a reference for a call. */
bool	 ws_channel_get(WS_CHANNEL *);
/* A channel not yet known to the daemon, then bound to its id. */
WS_CHANNEL *ws_channel_alloc(WS_CHANNEL_TYPE, WS_CHANNEL_BINDING,
	    const WS_CHANNEL_PROPERTY *, ULONG);
HRESULT	 ws_channel_create(WS_CHANNEL *, struct ipc_conn *,
	    Wschannel__Request *, WS_ERROR *, const char *api);
void	 ws_channel_discard(WS_CHANNEL *);
/* What a call gets on an object whose connection was lost. */
HRESULT	 ws_channel_stale_result(struct ipc_object *, const char *, WS_ERROR *);
/* A valid handle, without a reference. */
bool	 ws_channel_valid(const WS_CHANNEL *);
/* ws_channel_get, and the HRESULT for a channel whose connection is lost
 * (no reference is kept then). */
HRESULT	 ws_channel_live(WS_CHANNEL *, WS_ERROR *, const char *);
/* A close or reset that returned before wschanneld answered and that it
 * refused (ipc_object_post): `hr` with the reason, once; else S_OK. */
HRESULT	 ws_channel_deferred(WS_CHANNEL *, HRESULT hr, WS_ERROR *,
	    const char *);
/* The channel's message being read (write false) or written: set takes a
 * reference, clear drops `m` from whichever slot holds it. */
void	 ws_channel_current_set(WS_CHANNEL *, bool, WS_MESSAGE *);
void	 ws_channel_current_clear(WS_CHANNEL *, WS_MESSAGE *);
bool	 ws_channel_current_holds(WS_CHANNEL *, WS_MESSAGE *);
/* Is `m` in the slot and in the matching state (READING or WRITING)? */
bool	 ws_channel_current_is(WS_CHANNEL *, bool, WS_MESSAGE *);

/* ws_message.c: the message object, and how operations take it. */
bool	 ws_message_valid(const WS_MESSAGE *);
void	 ws_message_ref(WS_MESSAGE *);
void	 ws_message_unref(WS_MESSAGE *);
HRESULT	 ws_message_new(WS_ENVELOPE_VERSION, WS_ADDRESSING_VERSION,
	    const WS_MESSAGE_PROPERTY *, ULONG, WS_MESSAGE **, WS_ERROR *,
	    const char *);
void	 ws_message_headers_clear(struct ws_headers *);
/* Frees the custom and mapped headers (m->lock held or m unshared). */
void	 ws_message_xheaders_clear(WS_MESSAGE *);
/* A deep copy; 0, or -ENOMEM with *dst cleared. */
int	 ws_message_headers_copy(struct ws_headers *dst,
	    const struct ws_headers *src);
/* With m->lock held: the message's own heap, created on first use. */
WS_HEAP	*ws_message_heap_locked(WS_MESSAGE *);
/* Marks the message busy if it is in state `want` (then in `now` unless
 * 0); ws_message_done gives it back (in `state` unless 0). */
HRESULT	 ws_message_take(WS_MESSAGE *, WS_MESSAGE_STATE want,
	    WS_MESSAGE_STATE now, WS_ERROR *, const char *api,
	    const char *why);
void	 ws_message_done(WS_MESSAGE *, WS_MESSAGE_STATE state);
/* How ws_message_take_send initializes and checks the message. */
#define WS_TAKE_REPLY	0x1	/* INITIALIZED must be a reply or a fault */
#define WS_TAKE_FAULT	0x2	/* INITIALIZED must be a fault; sent as one */
#define WS_TAKE_NEED_ID	0x4	/* make sure there is a MessageID */
/* Takes the message for sending, the body written into *body. */
HRESULT	 ws_message_take_send(WS_MESSAGE *, const WS_MESSAGE_DESCRIPTION *,
	    WS_WRITE_OPTION, const void *, ULONG, WS_MESSAGE_INITIALIZATION,
	    const struct ws_headers *src, unsigned flags,
	    const char *fault_reason, uint8_t **body, size_t *body_len,
	    WS_ERROR *, const char *api);
/* A copy of the headers of a request message, which must not be EMPTY. */
HRESULT	 ws_message_source(WS_MESSAGE *, struct ws_headers *, WS_ERROR *,
	    const char *);

/* ws_custom_header.c: the header list of a message; with m->lock held. */
/* Every header element joined in m->xh_blob (NULL, 0 if none). */
int	 ws_custom_header_pack(WS_MESSAGE *, uint8_t **, size_t *);
/* Splits received header elements into the message's list. */
HRESULT	 ws_custom_header_unpack(WS_MESSAGE *, const uint8_t *, size_t);
/* Deep copies of the lists; 0 or -ENOMEM (dst untouched then). */
/* ws_message.c: one custom header freed; every custom and mapped header
 * of `src` copied into `dst` (replacing its own), -ENOMEM on failure. */
void	 ws_message_xheader_free(struct ws_xheader *);
int	 ws_message_xheaders_copy(WS_MESSAGE *dst, const WS_MESSAGE *src);
/* Appends a header element read from `reader` (positioned on it). */
HRESULT	 ws_custom_header_take(WS_MESSAGE *, WS_XML_READER *, WS_ERROR *,
	    const char *);
/* The SOAP namespace of an envelope version, "" for NONE. */
const char *ws_custom_header_soap_ns(WS_ENVELOPE_VERSION);

/* ws_envelope.c: a message to and from the control protocol's Envelope. */
void	 ws_envelope_pack(WS_MESSAGE *, Wschannel__Envelope *);
int	 ws_envelope_unpack(WS_MESSAGE *, const Wschannel__Envelope *);
/* The envelope's start up to the Body's content, from `reader`. */
HRESULT	 ws_envelope_read_head(WS_MESSAGE *, WS_XML_READER *, WS_ERROR *,
	    const char *);
/* Does a received action match a description's (NULL matches all)? */
bool	 ws_envelope_action_matches(const WS_XML_STRING *, const char *);

/* ws_stream_in.c: a body in WS_STREAMED_INPUT_TRANSFER_MODE over HTTP,
 * read as it arrives.  _start: the daemon's first raw bytes (the message
 * busy, just unpacked): the envelope's start is read, fetching more until
 * it is there (MAX_STREAMED_START_SIZE); _fill is WsFillBody's (m->lock
 * held); _finish drains the rest before WsReadMessageEnd. */
HRESULT	 ws_stream_in_start(WS_CHANNEL *, WS_MESSAGE *, bool more,
	    WS_ERROR *, const char *);
HRESULT	 ws_stream_in_fill(WS_MESSAGE *, ULONG, WS_ERROR *, const char *);
HRESULT	 ws_stream_in_finish(WS_CHANNEL *, WS_MESSAGE *, WS_ERROR *,
	    const char *);

/* xml_message.c: the body as an XML reader or writer; with m->lock held. */
HRESULT	 xml_message_body_reader(WS_MESSAGE *, WS_XML_READER **, WS_ERROR *,
	    const char *);
HRESULT	 xml_message_body_writer(WS_MESSAGE *, WS_XML_WRITER **, WS_ERROR *,
	    const char *);
/* What the body writer wrote joins m->body. */
HRESULT	 xml_message_body_flush(WS_MESSAGE *);
void	 xml_message_clear(WS_MESSAGE *);
/* WS_MESSAGE_PROPERTY_HEADER_BUFFER: the header elements in a buffer on
 * the message heap (given). */
HRESULT	 xml_message_header_buffer(WS_MESSAGE *, WS_HEAP *, WS_XML_BUFFER **,
	    WS_ERROR *, const char *);

/* ws_error.c: the fault properties ws_fault.c keeps in an error, freed by
 * WsResetError and WsFreeError through free_fn (no call up from there). */
struct ws_error_ext {
	void	(*free_fn)(struct ws_error_ext *);
};
/* Validates and locks the error; false for an invalid handle. */
bool	 ws_error_lock(WS_ERROR *);
void	 ws_error_unlock(WS_ERROR *);
struct ws_error_ext **ws_error_ext_locked(WS_ERROR *);
USHORT	 ws_error_langid_locked(const WS_ERROR *);

#endif
