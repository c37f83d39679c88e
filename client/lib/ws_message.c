/*
 * WS_MESSAGE, a client-side object: its creation, initialization and
 * properties, its body as WsWriteBody and WsReadBody see it, and how an
 * operation on a channel takes a message and gives it back.
 *
 * Headers are in ws_header.c, the conversion to and from the daemon's
 * envelope in ws_envelope.c, the calls that move messages through a channel
 * in ws_exchange.c.  None of them is called from here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

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

/* The header elements and mapped headers (ws_custom_header.c's). */
void
ws_message_xheader_free(struct ws_xheader *x)
{
	free(x->name);
	free(x->ns);
	free(x->xml);
}

static int
ws_message_xheader_dup(struct ws_xheader *d, const struct ws_xheader *s)
{
	*d = *s;
	d->name = strdup(s->name);
	d->ns = strdup(s->ns);
	d->xml = malloc(s->len > 0 ? s->len : 1);
	if (d->name == NULL || d->ns == NULL || d->xml == NULL) {
		ws_message_xheader_free(d);
		return -ENOMEM;
	}
	memcpy(d->xml, s->xml, s->len);
	return 0;
}

int
ws_message_xheaders_copy(WS_MESSAGE *dst, const WS_MESSAGE *src)
{
	struct ws_xheader *xh = NULL;
	struct ws_mapped *mp = NULL;
	size_t i, j;

	if (src->nxh > 0 && (xh = calloc(src->nxh, sizeof(*xh))) == NULL)
		return -ENOMEM;
	for (i = 0; i < src->nxh; i++)
		if (ws_message_xheader_dup(&xh[i], &src->xh[i]) != 0)
			goto fail;
	if (src->nmapped > 0 &&
	    (mp = calloc(src->nmapped, sizeof(*mp))) == NULL)
		goto fail;
	for (j = 0; j < src->nmapped; j++) {
		mp[j].name = strdup(src->mapped[j].name);
		mp[j].value = strdup(src->mapped[j].value);
		if (mp[j].name == NULL || mp[j].value == NULL) {
			j++;
			goto fail_mapped;
		}
	}
	ws_message_xheaders_clear(dst);
	dst->xh = xh;
	dst->nxh = src->nxh;
	dst->mapped = mp;
	dst->nmapped = src->nmapped;
	return 0;
fail_mapped:
	while (j-- > 0) {
		free(mp[j].name);
		free(mp[j].value);
	}
	free(mp);
fail:
	while (i-- > 0)
		ws_message_xheader_free(&xh[i]);
	free(xh);
	return -ENOMEM;
}

void
ws_message_xheaders_clear(WS_MESSAGE *m)
{
	size_t i;

	for (i = 0; i < m->nxh; i++) {
		free(m->xh[i].name);
		free(m->xh[i].ns);
		free(m->xh[i].xml);
	}
	free(m->xh);
	m->xh = NULL;
	m->nxh = 0;
	free(m->xh_blob);
	m->xh_blob = NULL;
	for (i = 0; i < m->nmapped; i++) {
		free(m->mapped[i].name);
		free(m->mapped[i].value);
	}
	free(m->mapped);
	m->mapped = NULL;
	m->nmapped = 0;
	/* It lives on the message heap, which is reset with the message. */
	m->header_buffer = NULL;
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
	xml_message_clear(m);
	ws_message_xheaders_clear(m);
	m->env_writer = NULL;
	m->env_reader = NULL;
	m->body_flushed = 0;
	m->body_copied = false;
	if (m->sin != NULL)
		m->sin_ops->free(m->sin);
	m->sin = NULL;
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
	/* The caller's reader or writer (WsRead/WriteEnvelopeStart) is
	 * free to go. */
	if (m->done_cb != NULL)
		m->done_cb(m->done_state);
	m->done_cb = NULL;
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

int
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
WS_HEAP *
ws_message_heap_locked(WS_MESSAGE *m)
{
	if (m->heap == NULL)
		(void)WsCreateHeap(WS_MESSAGE_HEAP_MAX, 0, NULL, 0, &m->heap,
		    NULL);
	return m->heap;
}

/* ---- creation and initialization ---------------------------------------- */

HRESULT
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
	WS_MESSAGE xtmp;
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
	memset(&xtmp, 0, sizeof(xtmp));
	if (need_src) {
		/* Copy first: never hold two message locks at once.  A
		 * duplicate takes the custom and mapped headers too. */
		pthread_mutex_lock(&sourceMessage->lock);
		if (ws_message_headers_copy(&src, &sourceMessage->h) != 0 ||
		    (initialization == WS_DUPLICATE_MESSAGE &&
		    ws_message_xheaders_copy(&xtmp, sourceMessage) != 0)) {
			pthread_mutex_unlock(&sourceMessage->lock);
			ws_message_headers_clear(&src);
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
	else if (xtmp.nxh > 0 || xtmp.nmapped > 0) {
		ws_message_xheaders_clear(message);
		message->xh = xtmp.xh;
		message->nxh = xtmp.nxh;
		message->mapped = xtmp.mapped;
		message->nmapped = xtmp.nmapped;
		memset(&xtmp, 0, sizeof(xtmp));
	}
	pthread_mutex_unlock(&message->lock);
	ws_message_headers_clear(&src);
	ws_message_xheaders_clear(&xtmp);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsResetMessage(WS_MESSAGE *message, WS_ERROR *error)
{
	WS_MESSAGE_DONE_CALLBACK done = NULL;
	void *done_state = NULL;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsResetMessage: invalid message handle");
	pthread_mutex_lock(&message->lock);
	if (message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsResetMessage: an operation is using the message");
	else {
		/* Told outside the lock: the callback may use the message. */
		done = message->done_cb;
		done_state = message->done_state;
		message->done_cb = NULL;
		ws_message_clear(message);
	}
	pthread_mutex_unlock(&message->lock);
	if (done != NULL)
		done(done_state);
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
	case WS_MESSAGE_PROPERTY_BODY_READER:
	case WS_MESSAGE_PROPERTY_BODY_WRITER: {
		void *x = NULL;

		if (valueSize != sizeof(x)) {
			hr = ws_message_put(value, valueSize, NULL, sizeof(x),
			    error, api);
			break;
		}
		/* A streamed body's reader is the one it arrives on. */
		if (id == WS_MESSAGE_PROPERTY_BODY_READER &&
		    message->sin != NULL &&
		    message->state == WS_MESSAGE_STATE_READING) {
			x = message->sin_ops->reader(message->sin);
			memcpy(value, &x, sizeof(x));
			hr = S_OK;
			break;
		}
		hr = id == WS_MESSAGE_PROPERTY_BODY_READER ?
		    xml_message_body_reader(message, (WS_XML_READER **)&x,
		    error, api) : xml_message_body_writer(message,
		    (WS_XML_WRITER **)&x, error, api);
		if (hr == S_OK)
			memcpy(value, &x, sizeof(x));
		break;
	}
	case WS_MESSAGE_PROPERTY_HEADER_BUFFER: {
		WS_XML_BUFFER *hb = NULL;

		if (valueSize != sizeof(hb)) {
			hr = ws_message_put(value, valueSize, NULL,
			    sizeof(hb), error, api);
			break;
		}
		if (state == WS_MESSAGE_STATE_EMPTY)
			hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the message is EMPTY", api);
		else if ((hr = xml_message_header_buffer(message,
		    ws_message_heap_locked(message), &hb, error,
		    api)) == S_OK)
			memcpy(value, &hb, sizeof(hb));
		break;
	}
	case WS_MESSAGE_PROPERTY_HEADER_POSITION:
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
		    "(no header buffer or message security)",
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
	} else if ((hr = xml_message_body_flush(message)) != S_OK) {
		hr = ws_error_fail(error, hr, "%s: the body writer's content "
		    "cannot be added", api);
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
	/* Read under the lock: the body stays put meanwhile.  A streamed
	 * one is read as it arrives (ws_stream_in.c). */
	if (message->sin != NULL)
		hr = message->sin_ops->read_body(message, bodyDescription,
		    readOption, heap, value, valueSize, error, api);
	else
		hr = ws_body_read_at(message->body, message->body_len,
		    message->body_next, bodyDescription, readOption, heap,
		    value, valueSize, &consumed, error, api);
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

/* ---- taking messages for an operation ----------------------------------- */

/* Releases the message from an operation: `state` unless it is 0. */
void
ws_message_done(WS_MESSAGE *m, WS_MESSAGE_STATE state)
{
	pthread_mutex_lock(&m->lock);
	m->busy = false;
	if (state != 0)
		m->state = state;
	pthread_mutex_unlock(&m->lock);
}

/* Marks `m` busy when it is in state `want`; WS_E_INVALID_OPERATION if not. */
HRESULT
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
HRESULT
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

/* A copy of the headers of `m`, which must not be EMPTY. */
HRESULT
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

