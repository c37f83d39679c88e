/*
 * WS_MESSAGE, a client-side object (headers and body), and the calls that
 * move messages through a channel: send and receive, request-reply, the
 * message-at-a-time calls (WsRead/WriteMessageStart/End, WsAbandonMessage)
 * and WsShutdownSessionChannel.
 *
 * The daemon sees whole envelopes only: WsWriteMessageStart just marks the
 * channel mid-write, WsWriteBody appends to the message's body here, and
 * WsWriteMessageEnd carries the whole message.  WsReadMessageStart gets the
 * whole message; WsReadBody reads its body elements one after the other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hresult.h"
#include "internal.h"

/* The message's own heap (WS_MESSAGE_PROPERTY_HEAP, and WsGetHeader with
 * no heap): plenty for addressing headers. */
#define WS_MESSAGE_HEAP_MAX	(64 * 1024)

#define WS_WSA09_ANONYMOUS \
	"http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
#define WS_WSA09_FAULT_ACTION \
	"http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
#define WS_WSA10_FAULT_ACTION \
	"http://www.w3.org/2005/08/addressing/soap/fault"
/* The reason of a fault sent with WS_MINIMAL_FAULT_DISCLOSURE. */
#define WS_MINIMAL_FAULT_REASON \
	"The remote endpoint failed to process the request."

enum ws_io_kind {
	WS_IO_SEND,		/* WsSendMessage, WsSendReplyMessage, faults */
	WS_IO_RECEIVE,
	WS_IO_REQUEST_REPLY,
	WS_IO_READ_START,
	WS_IO_READ_END,
	WS_IO_WRITE_START,
	WS_IO_WRITE_END,
};

/* One message operation on a channel; what its completion needs. */
struct ws_io_call {
	struct ipc_call			 c;
	enum ws_io_kind			 kind;
	WS_MESSAGE			*msg;		/* referenced */
	WS_MESSAGE			*reply;		/* request-reply's */
	uint8_t				*body;		/* a sent body, owned */
	char				*request_id;	/* request-reply, owned */
	/* How a received body is read. */
	const WS_MESSAGE_DESCRIPTION	**descs;
	const WS_MESSAGE_DESCRIPTION	*desc1;		/* request-reply's */
	ULONG				 count;
	WS_RECEIVE_OPTION		 recv_opt;
	WS_READ_OPTION			 read_opt;
	WS_HEAP				*heap;
	void				*value;
	ULONG				 size;
	ULONG				*index;
};

/* How ws_message_take_send initializes and checks the message. */
#define WS_TAKE_REPLY	0x1	/* INITIALIZED must be a reply or a fault */
#define WS_TAKE_FAULT	0x2	/* INITIALIZED must be a fault; sent as one */
#define WS_TAKE_NEED_ID	0x4	/* make sure there is a MessageID */

bool
ws_message_valid(const WS_MESSAGE *m)
{
	return ipc_handle_live(m) && m->magic == WS_MESSAGE_MAGIC;
}

void
ws_message_headers_clear(struct ws_headers *h)
{
	free(h->action);
	free(h->to);
	free(h->message_id);
	free(h->relates_to);
	free(h->reply_to);
	free(h->fault_to);
	free(h->fault_reason);
	memset(h, 0, sizeof(*h));
}

/* Back to EMPTY: headers, body and everything allocated in the heap. */
static void
ws_message_clear(WS_MESSAGE *m)
{
	ws_message_headers_clear(&m->h);
	free(m->body);
	m->body = NULL;
	m->body_len = 0;
	m->body_next = 0;
	m->addressed = false;
	m->state = WS_MESSAGE_STATE_EMPTY;
	if (m->heap != NULL)
		(void)WsResetHeap(m->heap, NULL);
}

void
ws_message_ref(WS_MESSAGE *m)
{
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

void
ws_message_unref(WS_MESSAGE *m)
{
	if (m == NULL || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	ws_message_clear(m);
	if (m->heap != NULL)
		WsFreeHeap(m->heap);
	pthread_mutex_destroy(&m->lock);
	ipc_handle_del(m);
	free(m);
}

/* A fresh "urn:uuid:" message id (random, version 4). */
static char *
ws_message_new_id(void)
{
	static unsigned long counter;
	struct timespec ts;
	unsigned long n;
	uint8_t b[16];
	char *s;
	size_t i;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		/* No entropy yet (early boot): unique is what matters. */
		clock_gettime(CLOCK_REALTIME, &ts);
		n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		memset(b, 0, sizeof(b));
		memcpy(b, &ts.tv_sec, sizeof(ts.tv_sec) < 8 ?
		    sizeof(ts.tv_sec) : 8);
		for (i = 0; i < 4; i++) {
			b[8 + i] = (uint8_t)(ts.tv_nsec >> (8 * i));
			b[12 + i] = (uint8_t)(n >> (8 * i)) ^
			    (uint8_t)(getpid() >> (8 * i));
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	if (asprintf(&s, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]) < 0)
		return NULL;
	return s;
}

static int
ws_message_strdup(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) == NULL ? -ENOMEM : 0;
}

static int
ws_message_headers_copy(struct ws_headers *dst, const struct ws_headers *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->is_fault = src->is_fault;
	if (ws_message_strdup(&dst->action, src->action) != 0 ||
	    ws_message_strdup(&dst->to, src->to) != 0 ||
	    ws_message_strdup(&dst->message_id, src->message_id) != 0 ||
	    ws_message_strdup(&dst->relates_to, src->relates_to) != 0 ||
	    ws_message_strdup(&dst->reply_to, src->reply_to) != 0 ||
	    ws_message_strdup(&dst->fault_to, src->fault_to) != 0 ||
	    ws_message_strdup(&dst->fault_reason, src->fault_reason) != 0) {
		ws_message_headers_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

/* With m->lock held: the message's heap, created on first use. */
static WS_HEAP *
ws_message_heap_locked(WS_MESSAGE *m)
{
	if (m->heap == NULL)
		(void)WsCreateHeap(WS_MESSAGE_HEAP_MAX, 0, NULL, 0, &m->heap,
		    NULL);
	return m->heap;
}

/* ---- creation and initialization ---------------------------------------- */

static HRESULT
ws_message_new(WS_ENVELOPE_VERSION env, WS_ADDRESSING_VERSION addr,
    const WS_MESSAGE_PROPERTY *properties, ULONG count, WS_MESSAGE **out,
    WS_ERROR *error, const char *api)
{
	WS_MESSAGE *m;
	ULONG i;

	for (i = 0; i < count; i++) {
		/* The encoder settings belong to the daemon, which writes the
		 * wire form; these are accepted and have no effect.  The
		 * versions are arguments, not properties. */
		switch (properties[i].id) {
		case WS_MESSAGE_PROPERTY_HEAP_PROPERTIES:
		case WS_MESSAGE_PROPERTY_XML_READER_PROPERTIES:
		case WS_MESSAGE_PROPERTY_XML_WRITER_PROPERTIES:
		case WS_MESSAGE_PROPERTY_MAX_PROCESSED_HEADERS:
			break;
		default:
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: message property %d cannot be set", api,
			    (int)properties[i].id);
		}
	}
	if ((m = calloc(1, sizeof(*m))) == NULL || ipc_handle_add(m) != 0) {
		free(m);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	m->refs = 1;
	m->state = WS_MESSAGE_STATE_EMPTY;
	m->envelope_version = env;
	m->addressing_version = addr;
	pthread_mutex_init(&m->lock, NULL);
	m->magic = WS_MESSAGE_MAGIC;
	*out = m;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsCreateMessage(WS_ENVELOPE_VERSION envelopeVersion,
    WS_ADDRESSING_VERSION addressingVersion,
    const WS_MESSAGE_PROPERTY *properties, ULONG propertyCount,
    WS_MESSAGE **message, WS_ERROR *error)
{
	static const char api[] = "WsCreateMessage";

	if (message == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: message or properties is NULL", api);
	if (envelopeVersion < WS_ENVELOPE_VERSION_SOAP_1_1 ||
	    envelopeVersion > WS_ENVELOPE_VERSION_NONE ||
	    addressingVersion < WS_ADDRESSING_VERSION_0_9 ||
	    addressingVersion > WS_ADDRESSING_VERSION_TRANSPORT)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid envelope version %d or addressing version %d",
		    api, (int)envelopeVersion, (int)addressingVersion);
	/* Without an envelope there is nowhere to put addressing headers. */
	if (envelopeVersion == WS_ENVELOPE_VERSION_NONE &&
	    addressingVersion != WS_ADDRESSING_VERSION_TRANSPORT)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: envelope version NONE needs addressing TRANSPORT",
		    api);
	return ws_message_new(envelopeVersion, addressingVersion, properties,
	    propertyCount, message, error, api);
}

WS_EXPORT HRESULT WINAPI
WsCreateMessageForChannel(WS_CHANNEL *channel,
    const WS_MESSAGE_PROPERTY *properties, ULONG propertyCount,
    WS_MESSAGE **message, WS_ERROR *error)
{
	static const char api[] = "WsCreateMessageForChannel";
	HRESULT hr;

	if (message == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: message or properties is NULL", api);
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	hr = ws_message_new(channel->envelope_version,
	    channel->addressing_version, properties, propertyCount, message,
	    error, api);
	ipc_object_unref(&channel->obj);
	return hr;
}

/* With m->lock held: fills the headers for `init`. */
static HRESULT
ws_message_init_locked(WS_MESSAGE *m, WS_MESSAGE_INITIALIZATION init,
    const struct ws_headers *src)
{
	bool addressing = m->addressing_version !=
	    WS_ADDRESSING_VERSION_TRANSPORT;
	struct ws_headers h;
	const char *to;

	memset(&h, 0, sizeof(h));
	switch (init) {
	case WS_BLANK_MESSAGE:
		break;
	case WS_DUPLICATE_MESSAGE:
		if (ws_message_headers_copy(&h, src) != 0)
			return E_OUTOFMEMORY;
		break;
	case WS_REQUEST_MESSAGE:
		/* A MessageID to correlate the reply with; WS-Addressing
		 * 2004/08 wants the anonymous ReplyTo spelled out. */
		if (addressing && (h.message_id = ws_message_new_id()) == NULL)
			return E_OUTOFMEMORY;
		if (m->addressing_version == WS_ADDRESSING_VERSION_0_9 &&
		    (h.reply_to = strdup(WS_WSA09_ANONYMOUS)) == NULL) {
			ws_message_headers_clear(&h);
			return E_OUTOFMEMORY;
		}
		break;
	case WS_REPLY_MESSAGE:
	case WS_FAULT_MESSAGE:
		/* A reply relates to the request's id and goes where the
		 * request asked (FaultTo first for a fault). */
		to = src->reply_to;
		if (init == WS_FAULT_MESSAGE && src->fault_to != NULL)
			to = src->fault_to;
		if (ws_message_strdup(&h.relates_to, src->message_id) != 0 ||
		    ws_message_strdup(&h.to, to) != 0) {
			ws_message_headers_clear(&h);
			return E_OUTOFMEMORY;
		}
		h.is_fault = init == WS_FAULT_MESSAGE;
		break;
	}
	ws_message_headers_clear(&m->h);
	m->h = h;
	m->init = init;
	m->state = WS_MESSAGE_STATE_INITIALIZED;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsInitializeMessage(WS_MESSAGE *message,
    WS_MESSAGE_INITIALIZATION initialization, WS_MESSAGE *sourceMessage,
    WS_ERROR *error)
{
	static const char api[] = "WsInitializeMessage";
	struct ws_headers src;
	bool need_src;
	HRESULT hr;

	if (!ws_message_valid(message) ||
	    (unsigned)initialization > WS_FAULT_MESSAGE)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or initialization", api);
	need_src = initialization == WS_DUPLICATE_MESSAGE ||
	    initialization == WS_REPLY_MESSAGE ||
	    initialization == WS_FAULT_MESSAGE;
	if (need_src && (!ws_message_valid(sourceMessage) ||
	    sourceMessage == message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: this initialization needs a source message", api);
	memset(&src, 0, sizeof(src));
	if (need_src) {
		/* Copy first: never hold two message locks at once. */
		pthread_mutex_lock(&sourceMessage->lock);
		if (ws_message_headers_copy(&src, &sourceMessage->h) != 0) {
			pthread_mutex_unlock(&sourceMessage->lock);
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		}
		pthread_mutex_unlock(&sourceMessage->lock);
	}
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not EMPTY (reset it first)", api);
	else if ((hr = ws_message_init_locked(message, initialization,
	    &src)) != S_OK)
		ws_error_fail(error, hr, "%s: out of memory", api);
	pthread_mutex_unlock(&message->lock);
	ws_message_headers_clear(&src);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsResetMessage(WS_MESSAGE *message, WS_ERROR *error)
{
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsResetMessage: invalid message handle");
	pthread_mutex_lock(&message->lock);
	if (message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsResetMessage: an operation is using the message");
	else
		ws_message_clear(message);
	pthread_mutex_unlock(&message->lock);
	return hr;
}

WS_EXPORT void WINAPI
WsFreeMessage(WS_MESSAGE *message)
{
	if (!ws_message_valid(message))
		return;
	message->magic = 0;
	ws_message_unref(message);
}

/* ---- properties --------------------------------------------------------- */

static HRESULT
ws_message_put(void *value, ULONG size, const void *v, size_t want,
    WS_ERROR *error, const char *api)
{
	if (size != want)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the property takes a %zu-byte value, not %u bytes",
		    api, want, size);
	memcpy(value, v, want);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetMessageProperty(WS_MESSAGE *message, WS_MESSAGE_PROPERTY_ID id,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsGetMessageProperty";
	WS_MESSAGE_STATE state;
	WS_HEAP *heap;
	uint32_t u;
	BOOL b;
	HRESULT hr;

	if (!ws_message_valid(message) || value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL value", api);
	pthread_mutex_lock(&message->lock);
	state = message->state;
	switch (id) {
	case WS_MESSAGE_PROPERTY_STATE:
		u = (uint32_t)state;
		hr = ws_message_put(value, valueSize, &u, sizeof(u), error,
		    api);
		break;
	case WS_MESSAGE_PROPERTY_HEAP:
		if (valueSize != sizeof(heap)) {
			hr = ws_message_put(value, valueSize, NULL,
			    sizeof(heap), error, api);
			break;
		}
		if ((heap = ws_message_heap_locked(message)) == NULL)
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		else
			hr = ws_message_put(value, valueSize, &heap,
			    sizeof(heap), error, api);
		break;
	case WS_MESSAGE_PROPERTY_ENVELOPE_VERSION:
		u = (uint32_t)message->envelope_version;
		hr = ws_message_put(value, valueSize, &u, sizeof(u), error,
		    api);
		break;
	case WS_MESSAGE_PROPERTY_ADDRESSING_VERSION:
		u = (uint32_t)message->addressing_version;
		hr = ws_message_put(value, valueSize, &u, sizeof(u), error,
		    api);
		break;
	case WS_MESSAGE_PROPERTY_IS_ADDRESSED:
	case WS_MESSAGE_PROPERTY_IS_FAULT:
		/* Nothing to tell about a message that holds nothing. */
		if (state == WS_MESSAGE_STATE_EMPTY) {
			hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the message is EMPTY", api);
			break;
		}
		b = id == WS_MESSAGE_PROPERTY_IS_ADDRESSED ?
		    message->addressed : message->h.is_fault;
		hr = ws_message_put(value, valueSize, &b, sizeof(b), error,
		    api);
		break;
	case WS_MESSAGE_PROPERTY_HEAP_PROPERTIES:
	case WS_MESSAGE_PROPERTY_XML_READER_PROPERTIES:
	case WS_MESSAGE_PROPERTY_XML_WRITER_PROPERTIES:
	case WS_MESSAGE_PROPERTY_MAX_PROCESSED_HEADERS:
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: message property %d is a creation setting and cannot "
		    "be read", api, (int)id);
		break;
	case WS_MESSAGE_PROPERTY_HEADER_BUFFER:
	case WS_MESSAGE_PROPERTY_HEADER_POSITION:
	case WS_MESSAGE_PROPERTY_BODY_READER:
	case WS_MESSAGE_PROPERTY_BODY_WRITER:
	case WS_MESSAGE_PROPERTY_USERNAME:
	case WS_MESSAGE_PROPERTY_ENCODED_CERT:
	case WS_MESSAGE_PROPERTY_TRANSPORT_SECURITY_WINDOWS_TOKEN:
	case WS_MESSAGE_PROPERTY_HTTP_HEADER_AUTH_WINDOWS_TOKEN:
	case WS_MESSAGE_PROPERTY_MESSAGE_SECURITY_WINDOWS_TOKEN:
	case WS_MESSAGE_PROPERTY_SAML_ASSERTION:
	case WS_MESSAGE_PROPERTY_SECURITY_CONTEXT:
	case WS_MESSAGE_PROPERTY_PROTECTION_LEVEL:
		hr = ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: message property %d is not supported by wschannel "
		    "(no XML buffers, readers, writers or message security)",
		    api, (int)id);
		break;
	default:
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown message property %d", api, (int)id);
		break;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* Every property that can be set is set at creation. */
WS_EXPORT HRESULT WINAPI
WsSetMessageProperty(WS_MESSAGE *message, WS_MESSAGE_PROPERTY_ID id,
    const void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsSetMessageProperty";
	bool empty;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	pthread_mutex_lock(&message->lock);
	empty = message->state == WS_MESSAGE_STATE_EMPTY;
	pthread_mutex_unlock(&message->lock);
	switch (id) {
	case WS_MESSAGE_PROPERTY_STATE:
	case WS_MESSAGE_PROPERTY_ENVELOPE_VERSION:
	case WS_MESSAGE_PROPERTY_ADDRESSING_VERSION:
	case WS_MESSAGE_PROPERTY_IS_ADDRESSED:
		if (empty)
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the message is EMPTY", api);
		break;
	default:
		break;
	}
	(void)value;
	(void)valueSize;
	return ws_error_fail(error, E_INVALIDARG,
	    "%s: message property %d is read-only", api, (int)id);
}

/* ---- addressing and headers --------------------------------------------- */

WS_EXPORT HRESULT WINAPI
WsAddressMessage(WS_MESSAGE *message, const WS_ENDPOINT_ADDRESS *address,
    WS_ERROR *error)
{
	static const char api[] = "WsAddressMessage";
	char *to = NULL;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	if (address != NULL && address->url.length > 0 &&
	    (hr = ws_body_value_encode(WS_ENDPOINT_ADDRESS_TYPE,
	    WS_WRITE_REQUIRED_VALUE, address, sizeof(*address), &to, error,
	    api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (message->addressed)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is already addressed", api);
	else {
		if (to != NULL) {
			free(message->h.to);
			message->h.to = to;
			to = NULL;
		}
		message->addressed = true;
	}
	pthread_mutex_unlock(&message->lock);
	free(to);
	return hr;
}

/* The slot of a standard header; NULL for From, which wschannel does not
 * carry. */
static char **
ws_message_header_slot(struct ws_headers *h, WS_HEADER_TYPE type)
{
	switch (type) {
	case WS_ACTION_HEADER:
		return &h->action;
	case WS_TO_HEADER:
		return &h->to;
	case WS_MESSAGE_ID_HEADER:
		return &h->message_id;
	case WS_RELATES_TO_HEADER:
		return &h->relates_to;
	case WS_REPLY_TO_HEADER:
		return &h->reply_to;
	case WS_FAULT_TO_HEADER:
		return &h->fault_to;
	default:
		return NULL;
	}
}

static bool
ws_message_header_valid(WS_HEADER_TYPE type)
{
	return type >= WS_ACTION_HEADER && type <= WS_FAULT_TO_HEADER;
}

/* The value types the Windows documentation lists for each header. */
static bool
ws_message_header_type_ok(WS_HEADER_TYPE header, WS_TYPE type)
{
	switch (header) {
	case WS_MESSAGE_ID_HEADER:
	case WS_RELATES_TO_HEADER:
		if (type == WS_UNIQUE_ID_TYPE)
			return true;
		/* FALLTHROUGH */
	case WS_ACTION_HEADER:
	case WS_TO_HEADER:
		return type == WS_STRING_TYPE || type == WS_XML_STRING_TYPE ||
		    type == WS_WSZ_TYPE;
	case WS_FROM_HEADER:
	case WS_REPLY_TO_HEADER:
	case WS_FAULT_TO_HEADER:
		return type == WS_ENDPOINT_ADDRESS_TYPE;
	default:
		return false;
	}
}

/* Action and To are the only headers without WS-Addressing. */
static bool
ws_message_header_transport_ok(WS_HEADER_TYPE header)
{
	return header == WS_ACTION_HEADER || header == WS_TO_HEADER;
}

WS_EXPORT HRESULT WINAPI
WsSetHeader(WS_MESSAGE *message, WS_HEADER_TYPE headerType, WS_TYPE valueType,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    WS_ERROR *error)
{
	static const char api[] = "WsSetHeader";
	char *text, **slot;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || !ws_message_header_valid(headerType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or header type", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (message->addressing_version ==
	    WS_ADDRESSING_VERSION_TRANSPORT &&
	    !ws_message_header_transport_ok(headerType))
		hr = ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: header %d needs WS-Addressing (the message uses "
		    "addressing TRANSPORT)", api, (int)headerType);
	pthread_mutex_unlock(&message->lock);
	if (hr != S_OK)
		return hr;
	if (!ws_message_header_type_ok(headerType, valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: header %d does not take value type %d", api,
		    (int)headerType, (int)valueType);
	if (headerType == WS_FROM_HEADER)
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: the From header is not supported by wschannel", api);
	if ((hr = ws_body_value_encode(valueType, writeOption, value,
	    valueSize, &text, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	/* Checked again: another thread may have started using it. */
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	} else {
		slot = ws_message_header_slot(&message->h, headerType);
		free(*slot);
		*slot = text;
		text = NULL;
		if (headerType == WS_TO_HEADER)
			message->addressed = true;
	}
	pthread_mutex_unlock(&message->lock);
	free(text);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsGetHeader(WS_MESSAGE *message, WS_HEADER_TYPE headerType, WS_TYPE valueType,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    WS_ERROR *error)
{
	static const char api[] = "WsGetHeader";
	char *text = NULL, **slot;
	void *null = NULL;
	HRESULT hr;

	if (!ws_message_valid(message) || !ws_message_header_valid(headerType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or header type", api);
	if (!ws_message_header_type_ok(headerType, valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: header %d does not take value type %d", api,
		    (int)headerType, (int)valueType);
	if ((hr = ws_body_value_check_read(valueType, readOption, error,
	    api)) != S_OK)
		return hr;
	if (heap != NULL && !ws_heap_valid(heap))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid heap handle", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY) {
		pthread_mutex_unlock(&message->lock);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY", api);
	}
	slot = ws_message_header_slot(&message->h, headerType);
	if (slot != NULL && *slot != NULL && (text = strdup(*slot)) == NULL) {
		pthread_mutex_unlock(&message->lock);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	if (heap == NULL && (heap = ws_message_heap_locked(message)) == NULL) {
		pthread_mutex_unlock(&message->lock);
		free(text);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	pthread_mutex_unlock(&message->lock);

	/* Absence is told before the value is looked at, as on Windows. */
	if (text == NULL) {
		if (readOption != WS_READ_OPTIONAL_POINTER)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the message has no header %d", api,
			    (int)headerType);
		if (value == NULL || valueSize != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a pointer value is %zu bytes", api,
			    sizeof(void *));
		memcpy(value, &null, sizeof(null));
		return S_OK;
	}
	hr = ws_body_value_decode(text, valueType, readOption, heap, value,
	    valueSize, error, api);
	free(text);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsRemoveHeader(WS_MESSAGE *message, WS_HEADER_TYPE headerType,
    WS_ERROR *error)
{
	static const char api[] = "WsRemoveHeader";
	char **slot;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (!ws_message_header_valid(headerType))
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid header type %d", api, (int)headerType);
	else if ((slot = ws_message_header_slot(&message->h,
	    headerType)) != NULL) {
		/* Removing a header that is not there is fine. */
		free(*slot);
		*slot = NULL;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* ---- bodies ------------------------------------------------------------- */

WS_EXPORT HRESULT WINAPI
WsWriteBody(WS_MESSAGE *message, const WS_ELEMENT_DESCRIPTION *bodyDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    WS_ERROR *error)
{
	static const char api[] = "WsWriteBody";
	uint8_t *xml = NULL, *n;
	size_t len = 0;
	HRESULT hr;

	if (!ws_message_valid(message) || bodyDescription == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL description", api);
	pthread_mutex_lock(&message->lock);
	hr = message->state != WS_MESSAGE_STATE_WRITING || message->busy ?
	    WS_E_INVALID_OPERATION : S_OK;
	pthread_mutex_unlock(&message->lock);
	if (hr != S_OK)
		return ws_error_fail(error, hr, "%s: the message is not being "
		    "written (call WsWriteMessageStart)", api);
	if ((hr = ws_body_write(bodyDescription, writeOption, value, valueSize,
	    &xml, &len, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_WRITING || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being written", api);
	} else if (len > 0) {
		n = realloc(message->body, message->body_len + len);
		if (n == NULL) {
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		} else {
			memcpy(n + message->body_len, xml, len);
			message->body = n;
			message->body_len += len;
		}
	}
	pthread_mutex_unlock(&message->lock);
	free(xml);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsReadBody(WS_MESSAGE *message, const WS_ELEMENT_DESCRIPTION *bodyDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    WS_ERROR *error)
{
	static const char api[] = "WsReadBody";
	bool consumed = false;
	HRESULT hr;

	if (!ws_message_valid(message) || bodyDescription == NULL ||
	    (heap != NULL && !ws_heap_valid(heap)))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, heap or NULL description", api);
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_READING || message->busy) {
		pthread_mutex_unlock(&message->lock);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being read (call "
		    "WsReadMessageStart)", api);
	}
	if (heap == NULL)
		heap = ws_message_heap_locked(message);
	/* Read under the lock: the body stays put meanwhile. */
	hr = ws_body_read_at(message->body, message->body_len,
	    message->body_next, bodyDescription, readOption, heap, value,
	    valueSize, &consumed, error, api);
	if (hr == S_OK && consumed)
		message->body_next++;
	pthread_mutex_unlock(&message->lock);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsXmlStringEquals(const WS_XML_STRING *string1, const WS_XML_STRING *string2,
    WS_ERROR *error)
{
	if (string1 == NULL || string2 == NULL ||
	    (string1->length > 0 && string1->bytes == NULL) ||
	    (string2->length > 0 && string2->bytes == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsXmlStringEquals: NULL string");
	/* Two entries of one dictionary are equal when their ids are. */
	if (string1->dictionary != NULL &&
	    string1->dictionary == string2->dictionary)
		return string1->id == string2->id ? S_OK : S_FALSE;
	if (string1->length != string2->length)
		return S_FALSE;
	if (string1->length == 0 ||
	    memcmp(string1->bytes, string2->bytes, string1->length) == 0)
		return S_OK;
	return S_FALSE;
}

/* ---- the channel's current messages ------------------------------------- */

static void
ws_channel_current_set(WS_CHANNEL *ch, bool write, WS_MESSAGE *m)
{
	WS_MESSAGE **slot, *old;

	ws_message_ref(m);
	pthread_mutex_lock(&ch->lock);
	slot = write ? &ch->cur_write : &ch->cur_read;
	old = *slot;
	*slot = m;
	pthread_mutex_unlock(&ch->lock);
	ws_message_unref(old);
}

/* Drops `m` from whichever slot holds it. */
static void
ws_channel_current_clear(WS_CHANNEL *ch, WS_MESSAGE *m)
{
	int n = 0;

	pthread_mutex_lock(&ch->lock);
	if (ch->cur_read == m) {
		ch->cur_read = NULL;
		n++;
	}
	if (ch->cur_write == m) {
		ch->cur_write = NULL;
		n++;
	}
	pthread_mutex_unlock(&ch->lock);
	while (n-- > 0)
		ws_message_unref(m);
}

/* Does `ch` hold `m` as its message being read or written? */
static bool
ws_channel_current_holds(WS_CHANNEL *ch, WS_MESSAGE *m)
{
	bool cur;

	pthread_mutex_lock(&ch->lock);
	cur = ch->cur_read == m || ch->cur_write == m;
	pthread_mutex_unlock(&ch->lock);
	return cur;
}

/* Is `m` being read (or written) on `ch`: its slot and its state agree? */
static bool
ws_channel_current_is(WS_CHANNEL *ch, bool write, WS_MESSAGE *m)
{
	bool cur;

	pthread_mutex_lock(&ch->lock);
	cur = (write ? ch->cur_write : ch->cur_read) == m;
	pthread_mutex_unlock(&ch->lock);
	if (!cur)
		return false;
	pthread_mutex_lock(&m->lock);
	cur = m->state == (write ? WS_MESSAGE_STATE_WRITING :
	    WS_MESSAGE_STATE_READING);
	pthread_mutex_unlock(&m->lock);
	return cur;
}

/* ---- taking messages for an operation ----------------------------------- */

/* Releases the message from an operation: `state` unless it is 0. */
static void
ws_message_done(WS_MESSAGE *m, WS_MESSAGE_STATE state)
{
	pthread_mutex_lock(&m->lock);
	m->busy = false;
	if (state != 0)
		m->state = state;
	pthread_mutex_unlock(&m->lock);
}

/* Marks `m` busy when it is in state `want`; WS_E_INVALID_OPERATION if not. */
static HRESULT
ws_message_take(WS_MESSAGE *m, WS_MESSAGE_STATE want, WS_MESSAGE_STATE now,
    WS_ERROR *error, const char *api, const char *why)
{
	HRESULT hr = S_OK;

	pthread_mutex_lock(&m->lock);
	if (m->busy || m->state != want)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION, "%s: %s", api,
		    why);
	else {
		m->busy = true;
		if (now != 0)
			m->state = now;
	}
	pthread_mutex_unlock(&m->lock);
	return hr;
}

/*
 * Takes `m` for sending: checks its state, writes the body, initializes an
 * EMPTY message with `init` (from `src` for replies), applies the
 * description's action, and leaves it busy and WRITING.
 */
static HRESULT
ws_message_take_send(WS_MESSAGE *m, const WS_MESSAGE_DESCRIPTION *desc,
    WS_WRITE_OPTION opt, const void *value, ULONG size,
    WS_MESSAGE_INITIALIZATION init, const struct ws_headers *src,
    unsigned flags, const char *fault_reason, uint8_t **body,
    size_t *body_len, WS_ERROR *error, const char *api)
{
	WS_MESSAGE_STATE was;
	char *action = NULL, *reason = NULL;
	HRESULT hr = S_OK;

	*body = NULL;
	*body_len = 0;
	pthread_mutex_lock(&m->lock);
	was = m->state;
	if (m->busy || (was != WS_MESSAGE_STATE_EMPTY &&
	    was != WS_MESSAGE_STATE_INITIALIZED))
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message must be EMPTY or INITIALIZED", api);
	else if (was == WS_MESSAGE_STATE_INITIALIZED &&
	    (flags & WS_TAKE_FAULT) && m->init != WS_FAULT_MESSAGE)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: an INITIALIZED fault message must be initialized "
		    "with WS_FAULT_MESSAGE", api);
	else if (was == WS_MESSAGE_STATE_INITIALIZED &&
	    (flags & WS_TAKE_REPLY) && m->init != WS_REPLY_MESSAGE &&
	    m->init != WS_FAULT_MESSAGE)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: an INITIALIZED reply must be initialized with "
		    "WS_REPLY_MESSAGE or WS_FAULT_MESSAGE", api);
	else
		m->busy = true;
	pthread_mutex_unlock(&m->lock);
	if (hr != S_OK)
		return hr;

	if (desc != NULL) {
		hr = ws_body_write(desc->bodyElementDescription, opt, value,
		    size, body, body_len, error, api);
		if (hr == S_OK && desc->action != NULL &&
		    (action = ws_body_xml_string(desc->action)) == NULL)
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
	}
	if (hr == S_OK && (flags & WS_TAKE_FAULT) &&
	    (reason = strdup(fault_reason != NULL ? fault_reason : "")) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);

	pthread_mutex_lock(&m->lock);
	if (hr == S_OK && was == WS_MESSAGE_STATE_EMPTY &&
	    (hr = ws_message_init_locked(m, init, src)) != S_OK)
		ws_error_fail(error, hr, "%s: out of memory", api);
	if (hr == S_OK && (flags & WS_TAKE_NEED_ID) &&
	    m->h.message_id == NULL &&
	    m->addressing_version != WS_ADDRESSING_VERSION_TRANSPORT &&
	    (m->h.message_id = ws_message_new_id()) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	if (hr == S_OK && (flags & WS_TAKE_FAULT) && action == NULL &&
	    m->h.action == NULL &&
	    m->addressing_version != WS_ADDRESSING_VERSION_TRANSPORT &&
	    (action = strdup(m->addressing_version ==
	    WS_ADDRESSING_VERSION_0_9 ? WS_WSA09_FAULT_ACTION :
	    WS_WSA10_FAULT_ACTION)) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	if (hr != S_OK) {
		m->busy = false;
		pthread_mutex_unlock(&m->lock);
		free(*body);
		*body = NULL;
		*body_len = 0;
		free(action);
		free(reason);
		return hr;
	}
	/* The action comes from the description; no description action
	 * leaves the message's own. */
	if (action != NULL) {
		free(m->h.action);
		m->h.action = action;
	}
	if (flags & WS_TAKE_FAULT) {
		m->h.is_fault = true;
		free(m->h.fault_reason);
		m->h.fault_reason = reason;
	}
	m->state = WS_MESSAGE_STATE_WRITING;
	m->addressed = true;
	pthread_mutex_unlock(&m->lock);
	return S_OK;
}

/* With m->lock held (or m busy): the envelope to send, pointing into m. */
static void
ws_message_envelope(WS_MESSAGE *m, Wschannel__Envelope *env)
{
	env->has_envelope_version = true;
	env->envelope_version = (uint32_t)m->envelope_version;
	env->has_addressing_version = true;
	env->addressing_version = (uint32_t)m->addressing_version;
	env->action = m->h.action;
	env->to = m->h.to;
	env->message_id = m->h.message_id;
	env->relates_to = m->h.relates_to;
	env->reply_to = m->h.reply_to;
	env->fault_to = m->h.fault_to;
	if (m->h.is_fault) {
		env->has_is_fault = true;
		env->is_fault = true;
		env->fault_reason = m->h.fault_reason;
	}
}

/* Copies the received envelope into the message. */
static int
ws_message_fill(WS_MESSAGE *m, const Wschannel__Envelope *e)
{
	struct ws_headers h;
	uint8_t *body = NULL;

	memset(&h, 0, sizeof(h));
	if (ws_message_strdup(&h.action, e->action) != 0 ||
	    ws_message_strdup(&h.to, e->to) != 0 ||
	    ws_message_strdup(&h.message_id, e->message_id) != 0 ||
	    ws_message_strdup(&h.relates_to, e->relates_to) != 0 ||
	    ws_message_strdup(&h.reply_to, e->reply_to) != 0 ||
	    ws_message_strdup(&h.fault_to, e->fault_to) != 0 ||
	    ws_message_strdup(&h.fault_reason, e->fault_reason) != 0)
		goto fail;
	h.is_fault = e->has_is_fault && e->is_fault;
	if (e->has_body && e->body.len > 0) {
		if ((body = malloc(e->body.len)) == NULL)
			goto fail;
		memcpy(body, e->body.data, e->body.len);
	}
	pthread_mutex_lock(&m->lock);
	ws_message_headers_clear(&m->h);
	free(m->body);
	m->h = h;
	m->body = body;
	m->body_len = body != NULL ? e->body.len : 0;
	m->body_next = 0;
	if (e->has_envelope_version)
		m->envelope_version = (WS_ENVELOPE_VERSION)e->envelope_version;
	if (e->has_addressing_version)
		m->addressing_version =
		    (WS_ADDRESSING_VERSION)e->addressing_version;
	pthread_mutex_unlock(&m->lock);
	return 0;
fail:
	ws_message_headers_clear(&h);
	return -ENOMEM;
}

static bool
ws_message_action_matches(const WS_XML_STRING *want, const char *got)
{
	/* No action in the description takes any message; a message without
	 * an action (addressing TRANSPORT) cannot be told apart. */
	if (want == NULL || got == NULL)
		return true;
	return strlen(got) == want->length &&
	    (want->length == 0 || memcmp(got, want->bytes, want->length) == 0);
}

/* ---- completions -------------------------------------------------------- */

/* The envelope of a reply that carries one, else NULL. */
static const Wschannel__Envelope *
ws_io_envelope(const struct ipc_call *c)
{
	if (c->reply == NULL ||
	    c->reply->result_case != WSCHANNEL__REPLY__RESULT_MESSAGE)
		return NULL;
	return c->reply->message;
}

/* Matches the message against the descriptions and reads its body. */
static HRESULT
ws_io_receive_finish(struct ws_io_call *io, HRESULT hr)
{
	struct ipc_call *c = &io->c;
	WS_MESSAGE *m = io->msg;
	const Wschannel__Envelope *e;
	const char *action;
	ULONG i, first = io->count;

	if (hr == WS_S_END) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		if (io->recv_opt == WS_RECEIVE_OPTIONAL_MESSAGE)
			return WS_S_END;
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the session ended (no more messages) but a message "
		    "was required", c->api);
	}
	if (FAILED(hr)) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	if ((e = ws_io_envelope(c)) == NULL) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no message", c->api);
	}
	if (ws_message_fill(m, e) != 0) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, E_OUTOFMEMORY,
		    "%s: out of memory", c->api);
	}
	action = e->action;
	/* The first description whose action matches and whose body reads;
	 * the attempts are quiet, the first candidate's failure is told. */
	for (i = 0; i < io->count; i++) {
		if (!ws_message_action_matches(io->descs[i]->action, action))
			continue;
		if (first == io->count)
			first = i;
		hr = ws_body_read(m->body, m->body_len,
		    io->descs[i]->bodyElementDescription, io->read_opt,
		    io->heap, io->value, io->size, NULL, c->api);
		if (hr == S_OK) {
			if (io->index != NULL)
				*io->index = i;
			ws_message_done(m, WS_MESSAGE_STATE_DONE);
			return S_OK;
		}
	}
	if (first == io->count)
		hr = ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the message's action '%s' matches none of the %u "
		    "message descriptions", c->api, action ? action : "",
		    io->count);
	else
		hr = ws_body_read(m->body, m->body_len,
		    io->descs[first]->bodyElementDescription, io->read_opt,
		    io->heap, io->value, io->size, c->error, c->api);
	ws_message_done(m, WS_MESSAGE_STATE_DONE);
	return hr;
}

/*
 * The reply of WsRequestReply: a fault ends the call with its reason in the
 * error; a reply that names another request in RelatesTo is not ours.
 */
static HRESULT
ws_io_reply_finish(struct ws_io_call *io, HRESULT hr)
{
	struct ipc_call *c = &io->c;
	WS_MESSAGE *r = io->reply;
	const WS_MESSAGE_DESCRIPTION *d = io->desc1;
	const Wschannel__Envelope *e;

	if (hr == WS_S_END) {
		ws_message_done(r, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_ENDPOINT_DISCONNECTED,
		    "%s: the remote endpoint ended the session before it "
		    "replied", c->api);
	}
	if (FAILED(hr)) {
		ws_message_done(r, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	if ((e = ws_io_envelope(c)) == NULL) {
		ws_message_done(r, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no message", c->api);
	}
	if (ws_message_fill(r, e) != 0) {
		ws_message_done(r, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, E_OUTOFMEMORY,
		    "%s: out of memory", c->api);
	}
	if (e->has_is_fault && e->is_fault) {
		ws_message_done(r, WS_MESSAGE_STATE_DONE);
		/* The reason is the first string (index 0) of the error. */
		ws_error_add(c->error, "%s: the remote endpoint replied with "
		    "a fault", c->api);
		if (e->fault_reason != NULL && *e->fault_reason != '\0')
			ws_error_add_utf8(c->error, e->fault_reason);
		ws_error_set_code(c->error, WS_E_ENDPOINT_FAULT_RECEIVED);
		return WS_E_ENDPOINT_FAULT_RECEIVED;
	}
	if (io->request_id != NULL && e->relates_to != NULL &&
	    strcmp(io->request_id, e->relates_to) != 0) {
		ws_message_done(r, WS_MESSAGE_STATE_DONE);
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the reply relates to message %s, not to the request "
		    "%s", c->api, e->relates_to, io->request_id);
	}
	if (!ws_message_action_matches(d->action, e->action)) {
		ws_message_done(r, WS_MESSAGE_STATE_DONE);
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the reply's action '%s' is not the one its "
		    "description expects", c->api, e->action);
	}
	hr = ws_body_read(r->body, r->body_len, d->bodyElementDescription,
	    io->read_opt, io->heap, io->value, io->size, c->error, c->api);
	ws_message_done(r, WS_MESSAGE_STATE_DONE);
	return hr;
}

/*
 * A message the daemon handed over (or may have: a reply lost for lack of
 * memory) leaves the channel mid-read even when it cannot be kept here, so
 * the message is made current all the same: WsAbandonMessage frees the
 * channel of it.
 */
static HRESULT
ws_io_read_start_finish(struct ws_io_call *io, WS_CHANNEL *ch, HRESULT hr)
{
	struct ipc_call *c = &io->c;
	const Wschannel__Envelope *e;

	if (hr == WS_S_END || FAILED(hr)) {
		if (hr == E_OUTOFMEMORY)
			ws_channel_current_set(ch, false, io->msg);
		ws_message_done(io->msg, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	ws_channel_current_set(ch, false, io->msg);
	if ((e = ws_io_envelope(c)) == NULL) {
		ws_message_done(io->msg, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no message", c->api);
	}
	if (ws_message_fill(io->msg, e) != 0) {
		ws_message_done(io->msg, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, E_OUTOFMEMORY,
		    "%s: out of memory", c->api);
	}
	ws_message_done(io->msg, WS_MESSAGE_STATE_READING);
	return S_OK;
}

/* Runs on the thread that gets the result, never on the I/O thread. */
static HRESULT
ws_io_finish(struct ipc_call *c, HRESULT hr)
{
	struct ws_io_call *io = (struct ws_io_call *)c;
	WS_CHANNEL *ch = (WS_CHANNEL *)c->obj;

	switch (io->kind) {
	case WS_IO_SEND:
		ws_message_done(io->msg, WS_MESSAGE_STATE_DONE);
		return hr;
	case WS_IO_RECEIVE:
		return ws_io_receive_finish(io, hr);
	case WS_IO_REQUEST_REPLY:
		ws_message_done(io->msg, WS_MESSAGE_STATE_DONE);
		return ws_io_reply_finish(io, hr);
	case WS_IO_READ_START:
		return ws_io_read_start_finish(io, ch, hr);
	case WS_IO_READ_END:
	case WS_IO_WRITE_END:
		/* A failed End leaves the message current: WsAbandonMessage
		 * (or a reset of the message) releases it. */
		if (hr == S_OK)
			ws_channel_current_clear(ch, io->msg);
		ws_message_done(io->msg, hr == S_OK ? WS_MESSAGE_STATE_DONE :
		    0);
		return hr;
	case WS_IO_WRITE_START:
		if (hr == S_OK) {
			ws_channel_current_set(ch, true, io->msg);
			pthread_mutex_lock(&io->msg->lock);
			/* The daemon addresses it. */
			io->msg->addressed = true;
			pthread_mutex_unlock(&io->msg->lock);
			ws_message_done(io->msg, WS_MESSAGE_STATE_WRITING);
		} else
			ws_message_done(io->msg, 0);
		return hr;
	}
	return hr;
}

static void
ws_io_cleanup(struct ipc_call *c)
{
	struct ws_io_call *io = (struct ws_io_call *)c;

	free(io->body);
	free(io->request_id);
	io->body = NULL;
	io->request_id = NULL;
	ws_message_unref(io->msg);
	ws_message_unref(io->reply);
	io->msg = io->reply = NULL;
}

/* ---- running operations ------------------------------------------------- */

/* Handle checks come before any state check. */
static bool
ws_channel_valid(const WS_CHANNEL *ch)
{
	return ch != NULL && ipc_object_valid(&ch->obj, WS_CHANNEL_MAGIC);
}

/* Validates the channel handle and takes a reference; the HRESULT for a
 * channel whose daemon connection is gone. */
static HRESULT
ws_io_channel(WS_CHANNEL *ch, WS_ERROR *error, const char *api)
{
	HRESULT hr;

	if (!ws_channel_get(ch))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (ipc_object_stale(&ch->obj)) {
		hr = ws_channel_stale_result(&ch->obj, api, error);
		ipc_object_unref(&ch->obj);
		return hr;
	}
	return S_OK;
}

static struct ws_io_call *
ws_io_new(struct ws_io_call *stack, const WS_ASYNC_CONTEXT *ctx)
{
	return ipc_call_new(stack, sizeof(*stack), ctx);
}

/* Gives up an operation that never ran. */
static HRESULT
ws_io_discard(WS_CHANNEL *ch, struct ws_io_call *io, HRESULT hr)
{
	if (io != NULL && io->c.allocated)
		free(io);
	ipc_object_unref(&ch->obj);
	return hr;
}

/* Fills the call's common part; it owns the channel reference from now. */
static void
ws_io_prepare(struct ws_io_call *io, WS_CHANNEL *ch, enum ws_io_kind kind,
    WS_ERROR *error, const char *api)
{
	io->kind = kind;
	io->c.conn = ch->obj.conn;
	io->c.obj = &ch->obj;
	io->c.error = error;
	io->c.api = api;
	io->c.finish = ws_io_finish;
	io->c.cleanup = ws_io_cleanup;
}

/* An operation that names the channel only. */
static HRESULT
ws_io_run_ref(WS_CHANNEL *ch, struct ws_io_call *io,
    Wschannel__Request__OpCase op_case)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;

	ref.id = ch->obj.id;
	req.op_case = op_case;
	switch (op_case) {
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
		req.receive_message = &ref;
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
		req.read_message_start = &ref;
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_END:
		req.read_message_end = &ref;
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START:
		req.write_message_start = &ref;
		break;
	default:
		break;
	}
	return ipc_call_run(&io->c, &req);
}

/*
 * An operation that carries io->msg as an envelope: with the body the call
 * wrote (io->body), or with the message's own (WsWriteBody's).  The message
 * is busy, so what the envelope points at stays put until it is packed.
 */
static HRESULT
ws_io_run_send(WS_CHANNEL *ch, struct ws_io_call *io,
    Wschannel__Request__OpCase op_case, size_t body_len)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__SendMessage op = WSCHANNEL__SEND_MESSAGE__INIT;
	Wschannel__Envelope env = WSCHANNEL__ENVELOPE__INIT;
	WS_MESSAGE *m = io->msg;
	const uint8_t *body = io->body;

	pthread_mutex_lock(&m->lock);
	ws_message_envelope(m, &env);
	if (op_case == WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END) {
		body = m->body;
		body_len = m->body_len;
	}
	pthread_mutex_unlock(&m->lock);
	if (body_len > 0) {
		env.has_body = true;
		env.body.data = (uint8_t *)body;
		env.body.len = body_len;
	}
	op.channel = ch->obj.id;
	op.message = &env;
	req.op_case = op_case;
	switch (op_case) {
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		req.request_reply = &op;
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
		req.write_message_end = &op;
		break;
	default:
		req.send_message = &op;
		break;
	}
	return ipc_call_run(&io->c, &req);
}

/* A copy of the headers of `m`, which must not be EMPTY. */
static HRESULT
ws_message_source(WS_MESSAGE *m, struct ws_headers *h, WS_ERROR *error,
    const char *api)
{
	HRESULT hr = S_OK;

	memset(h, 0, sizeof(*h));
	pthread_mutex_lock(&m->lock);
	if (m->state == WS_MESSAGE_STATE_EMPTY)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the request message is EMPTY", api);
	else if (ws_message_headers_copy(h, &m->h) != 0)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	pthread_mutex_unlock(&m->lock);
	return hr;
}

/* The send-like calls: WsSendMessage, WsSendReplyMessage, faults. */
static HRESULT
ws_io_send(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION *desc, WS_WRITE_OPTION opt,
    const void *value, ULONG size, WS_MESSAGE_INITIALIZATION init,
    const struct ws_headers *src, unsigned flags, const char *fault_reason,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error, const char *api)
{
	struct ws_io_call stack, *io;
	uint8_t *body;
	size_t body_len;
	HRESULT hr;

	if ((hr = ws_io_channel(channel, error, api)) != S_OK)
		return hr;
	if ((io = ws_io_new(&stack, ctx)) == NULL)
		return ws_io_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", api));
	if ((hr = ws_message_take_send(message, desc, opt, value, size, init,
	    src, flags, fault_reason, &body, &body_len, error, api)) != S_OK)
		return ws_io_discard(channel, io, hr);
	ws_io_prepare(io, channel, WS_IO_SEND, error, api);
	ws_message_ref(message);
	io->msg = message;
	io->body = body;
	return ws_io_run_send(channel, io, WSCHANNEL__REQUEST__OP_SEND_MESSAGE,
	    body_len);
}

/* ---- the calls ---------------------------------------------------------- */

WS_EXPORT HRESULT WINAPI
WsSendMessage(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION *messageDescription,
    WS_WRITE_OPTION writeOption, const void *bodyValue, ULONG bodyValueSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendMessage";
	HRESULT hr;

	if (messageDescription == NULL || !ws_message_valid(message) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL description, invalid message or NULL callback",
		    api);
	hr = ws_body_check_write(messageDescription->bodyElementDescription,
	    writeOption, bodyValue, bodyValueSize, error, api);
	if (hr != S_OK)
		return hr;
	/* An EMPTY message goes out blank, with no MessageID: the bytes
	 * Windows' implementation sends (see the captured vectors). */
	return ws_io_send(channel, message, messageDescription, writeOption,
	    bodyValue, bodyValueSize, WS_BLANK_MESSAGE, NULL, 0, NULL,
	    asyncContext, error, api);
}

WS_EXPORT HRESULT WINAPI
WsSendReplyMessage(WS_CHANNEL *channel, WS_MESSAGE *replyMessage,
    const WS_MESSAGE_DESCRIPTION *replyMessageDescription,
    WS_WRITE_OPTION writeOption, const void *replyBodyValue,
    ULONG replyBodyValueSize, WS_MESSAGE *requestMessage,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendReplyMessage";
	struct ws_headers src;
	HRESULT hr;

	if (replyMessageDescription == NULL ||
	    !ws_message_valid(replyMessage) ||
	    !ws_message_valid(requestMessage) ||
	    replyMessage == requestMessage ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL description, invalid messages or NULL callback",
		    api);
	hr = ws_body_check_write(
	    replyMessageDescription->bodyElementDescription, writeOption,
	    replyBodyValue, replyBodyValueSize, error, api);
	if (hr != S_OK)
		return hr;
	if (!ws_channel_valid(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if ((hr = ws_message_source(requestMessage, &src, error, api)) != S_OK)
		return hr;
	hr = ws_io_send(channel, replyMessage, replyMessageDescription,
	    writeOption, replyBodyValue, replyBodyValueSize, WS_REPLY_MESSAGE,
	    &src, WS_TAKE_REPLY, NULL, asyncContext, error, api);
	ws_message_headers_clear(&src);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsSendFaultMessageForError(WS_CHANNEL *channel, WS_MESSAGE *replyMessage,
    WS_ERROR *faultError, HRESULT faultErrorCode,
    WS_FAULT_DISCLOSURE faultDisclosure, WS_MESSAGE *requestMessage,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendFaultMessageForError";
	struct ws_headers src;
	char *reason = NULL;
	HRESULT hr;

	if (!ws_message_valid(replyMessage) ||
	    !ws_message_valid(requestMessage) ||
	    replyMessage == requestMessage || faultError == NULL ||
	    SUCCEEDED(faultErrorCode) ||
	    (faultDisclosure != WS_MINIMAL_FAULT_DISCLOSURE &&
	    faultDisclosure != WS_FULL_FAULT_DISCLOSURE) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid messages, fault error, error code, disclosure "
		    "or callback", api);
	if (!ws_channel_valid(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if ((hr = ws_message_source(requestMessage, &src, error, api)) != S_OK)
		return hr;
	/* Full disclosure tells the error's strings (or the code's text);
	 * minimal disclosure tells nothing of the server's internals. */
	if (faultDisclosure == WS_FULL_FAULT_DISCLOSURE &&
	    (reason = ws_error_join(faultError, "\n")) == NULL &&
	    (reason = strdup(hresult_text((uint32_t)faultErrorCode))) == NULL) {
		ws_message_headers_clear(&src);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	hr = ws_io_send(channel, replyMessage, NULL, WS_WRITE_REQUIRED_VALUE,
	    NULL, 0, WS_FAULT_MESSAGE, &src, WS_TAKE_REPLY | WS_TAKE_FAULT,
	    reason != NULL ? reason : WS_MINIMAL_FAULT_REASON, asyncContext,
	    error, api);
	free(reason);
	ws_message_headers_clear(&src);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsReceiveMessage(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION **messageDescriptions,
    ULONG messageDescriptionCount, WS_RECEIVE_OPTION receiveOption,
    WS_READ_OPTION readBodyOption, WS_HEAP *heap, void *value,
    ULONG valueSize, ULONG *index, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error)
{
	static const char api[] = "WsReceiveMessage";
	struct ws_io_call stack, *io;
	HRESULT hr;
	ULONG i;

	if (!ws_message_valid(message) || messageDescriptions == NULL ||
	    messageDescriptionCount == 0 ||
	    (receiveOption != WS_RECEIVE_REQUIRED_MESSAGE &&
	    receiveOption != WS_RECEIVE_OPTIONAL_MESSAGE) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, descriptions, receive option or "
		    "callback", api);
	for (i = 0; i < messageDescriptionCount; i++) {
		if (messageDescriptions[i] == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: message description %u is NULL", api, i);
		hr = ws_body_check_read(
		    messageDescriptions[i]->bodyElementDescription,
		    readBodyOption, heap, value, valueSize, error, api);
		if (hr != S_OK)
			return hr;
	}
	if ((hr = ws_io_channel(channel, error, api)) != S_OK)
		return hr;
	if ((io = ws_io_new(&stack, asyncContext)) == NULL)
		return ws_io_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", api));
	if ((hr = ws_message_take(message, WS_MESSAGE_STATE_EMPTY,
	    WS_MESSAGE_STATE_READING, error, api,
	    "the message must be EMPTY")) != S_OK)
		return ws_io_discard(channel, io, hr);
	ws_io_prepare(io, channel, WS_IO_RECEIVE, error, api);
	ws_message_ref(message);
	io->msg = message;
	io->descs = messageDescriptions;
	io->count = messageDescriptionCount;
	io->recv_opt = receiveOption;
	io->read_opt = readBodyOption;
	io->heap = heap;
	io->value = value;
	io->size = valueSize;
	io->index = index;
	return ws_io_run_ref(channel, io,
	    WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE);
}

WS_EXPORT HRESULT WINAPI
WsRequestReply(WS_CHANNEL *channel, WS_MESSAGE *requestMessage,
    const WS_MESSAGE_DESCRIPTION *requestMessageDescription,
    WS_WRITE_OPTION writeOption, const void *requestBodyValue,
    ULONG requestBodyValueSize, WS_MESSAGE *replyMessage,
    const WS_MESSAGE_DESCRIPTION *replyMessageDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsRequestReply";
	struct ws_io_call stack, *io;
	uint8_t *body;
	size_t body_len;
	HRESULT hr;

	if (!ws_message_valid(requestMessage) ||
	    !ws_message_valid(replyMessage) || requestMessage == replyMessage ||
	    requestMessageDescription == NULL ||
	    replyMessageDescription == NULL ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid messages, NULL descriptions or NULL callback",
		    api);
	hr = ws_body_check_write(
	    requestMessageDescription->bodyElementDescription, writeOption,
	    requestBodyValue, requestBodyValueSize, error, api);
	if (hr == S_OK)
		hr = ws_body_check_read(
		    replyMessageDescription->bodyElementDescription, readOption,
		    heap, value, valueSize, error, api);
	if (hr != S_OK)
		return hr;
	if ((hr = ws_io_channel(channel, error, api)) != S_OK)
		return hr;
	if ((io = ws_io_new(&stack, asyncContext)) == NULL)
		return ws_io_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", api));
	if ((hr = ws_message_take(replyMessage, WS_MESSAGE_STATE_EMPTY,
	    WS_MESSAGE_STATE_READING, error, api,
	    "the reply message must be EMPTY")) != S_OK)
		return ws_io_discard(channel, io, hr);
	if ((hr = ws_message_take_send(requestMessage,
	    requestMessageDescription, writeOption, requestBodyValue,
	    requestBodyValueSize, WS_REQUEST_MESSAGE, NULL, WS_TAKE_NEED_ID,
	    NULL, &body, &body_len, error, api)) != S_OK) {
		ws_message_done(replyMessage, WS_MESSAGE_STATE_EMPTY);
		return ws_io_discard(channel, io, hr);
	}
	ws_io_prepare(io, channel, WS_IO_REQUEST_REPLY, error, api);
	ws_message_ref(requestMessage);
	ws_message_ref(replyMessage);
	io->msg = requestMessage;
	io->reply = replyMessage;
	io->body = body;
	/* The id the reply must relate to (the message is busy: stable).
	 * Correlation is a check, not a need: without memory for it, the
	 * reply is taken as it comes. */
	if (requestMessage->h.message_id != NULL)
		io->request_id = strdup(requestMessage->h.message_id);
	io->desc1 = replyMessageDescription;
	io->descs = &io->desc1;
	io->count = 1;
	io->recv_opt = WS_RECEIVE_REQUIRED_MESSAGE;
	io->read_opt = readOption;
	io->heap = heap;
	io->value = value;
	io->size = valueSize;
	return ws_io_run_send(channel, io, WSCHANNEL__REQUEST__OP_REQUEST_REPLY,
	    body_len);
}

/* What differs between the four message-at-a-time calls. */
struct ws_step {
	const char		*api;
	enum ws_io_kind		 kind;
	Wschannel__Request__OpCase op;
	int			 current;	/* -1: none; else the message must
						 * be the channel's current one,
						 * being written (1) or read (0) */
	WS_MESSAGE_STATE	 want;		/* the message's state before */
	const char		*want_why;
};

/* Read/write message start and end: checks, then the daemon operation. */
static HRESULT
ws_io_message_step(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error, const struct ws_step *st)
{
	struct ws_io_call stack, *io;
	HRESULT hr;

	if (!ws_message_valid(message) ||
	    (ctx != NULL && ctx->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL callback", st->api);
	if ((hr = ws_io_channel(channel, error, st->api)) != S_OK)
		return hr;
	if (st->current >= 0 &&
	    !ws_channel_current_is(channel, st->current == 1, message))
		return ws_io_discard(channel, NULL, ws_error_fail(error,
		    WS_E_INVALID_OPERATION, "%s: the message is not being "
		    "%s on this channel (call %s)", st->api, st->current ?
		    "written" : "read", st->current ? "WsWriteMessageStart" :
		    "WsReadMessageStart"));
	if ((io = ws_io_new(&stack, ctx)) == NULL)
		return ws_io_discard(channel, NULL, ws_error_fail(error,
		    E_OUTOFMEMORY, "%s: out of memory", st->api));
	if ((hr = ws_message_take(message, st->want, 0, error, st->api,
	    st->want_why)) != S_OK)
		return ws_io_discard(channel, io, hr);
	if (st->kind == WS_IO_WRITE_START) {
		/* The body is what WsWriteBody appends from now on. */
		pthread_mutex_lock(&message->lock);
		free(message->body);
		message->body = NULL;
		message->body_len = 0;
		pthread_mutex_unlock(&message->lock);
	}
	ws_io_prepare(io, channel, st->kind, error, st->api);
	ws_message_ref(message);
	io->msg = message;
	if (st->kind == WS_IO_WRITE_END)
		return ws_io_run_send(channel, io, st->op, 0);
	return ws_io_run_ref(channel, io, st->op);
}

WS_EXPORT HRESULT WINAPI
WsReadMessageStart(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_step st = { "WsReadMessageStart",
	    WS_IO_READ_START, WSCHANNEL__REQUEST__OP_READ_MESSAGE_START, -1,
	    WS_MESSAGE_STATE_EMPTY, "the message must be EMPTY" };

	return ws_io_message_step(channel, message, asyncContext, error, &st);
}

WS_EXPORT HRESULT WINAPI
WsReadMessageEnd(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_step st = { "WsReadMessageEnd",
	    WS_IO_READ_END, WSCHANNEL__REQUEST__OP_READ_MESSAGE_END, 0,
	    WS_MESSAGE_STATE_READING, "the message is not being read" };

	return ws_io_message_step(channel, message, asyncContext, error, &st);
}

WS_EXPORT HRESULT WINAPI
WsWriteMessageStart(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_step st = { "WsWriteMessageStart",
	    WS_IO_WRITE_START, WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START, -1,
	    WS_MESSAGE_STATE_INITIALIZED, "the message must be INITIALIZED" };

	return ws_io_message_step(channel, message, asyncContext, error, &st);
}

WS_EXPORT HRESULT WINAPI
WsWriteMessageEnd(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const struct ws_step st = { "WsWriteMessageEnd",
	    WS_IO_WRITE_END, WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END, 1,
	    WS_MESSAGE_STATE_WRITING, "the message is not being written" };

	return ws_io_message_step(channel, message, asyncContext, error, &st);
}

/*
 * Never blocks on other operations and never fails for lack of resources:
 * the request was encoded when the channel was created (see ipc.c).  Which
 * message is current is known here; the daemon only knows the channel is
 * mid-read or mid-write, and may have forgotten it already (an abort ends
 * both), which is no reason to fail.
 */
WS_EXPORT HRESULT WINAPI
WsAbandonMessage(WS_CHANNEL *channel, WS_MESSAGE *message, WS_ERROR *error)
{
	static const char api[] = "WsAbandonMessage";
	HRESULT hr;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	/* The channel's record decides, whatever became of the message
	 * meanwhile (reset after a failed End, say): abandoning is how the
	 * channel gets free of it. */
	if (!ws_channel_current_holds(channel, message)) {
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, E_INVALIDARG, "%s: the message is "
		    "not being read or written on this channel", api);
	}
	hr = ipc_object_abandon(&channel->obj, NULL);
	if (hr == E_INVALIDARG)
		hr = S_OK;
	if (FAILED(hr)) {
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, hr, "%s: %s", api,
		    hresult_text((uint32_t)hr));
	}
	ws_channel_current_clear(channel, message);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_READING ||
	    message->state == WS_MESSAGE_STATE_WRITING)
		message->state = WS_MESSAGE_STATE_DONE;
	pthread_mutex_unlock(&message->lock);
	ipc_object_unref(&channel->obj);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsShutdownSessionChannel(WS_CHANNEL *channel,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsShutdownSessionChannel";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	HRESULT hr;

	if (asyncContext != NULL && asyncContext->callback == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL callback", api);
	if ((hr = ws_io_channel(channel, error, api)) != S_OK)
		return hr;
	ref.id = channel->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION;
	req.shutdown_session = &ref;
	return ipc_object_call(&channel->obj, &req, asyncContext, error, api);
}
