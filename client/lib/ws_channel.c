/*
 * WS_CHANNEL: a handle naming a channel of wschanneld, the property
 * conversions channels and listeners share, and the messages a channel
 * holds between WsRead/WriteMessageStart and their End.  Messages are used
 * from here, never the reverse: ws_message.c knows nothing of channels.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hresult.h"
#include "internal.h"
#include "ws_security.h"

_Static_assert(sizeof(WS_STRING) == 16 || sizeof(void *) != 8,
    "props.h sizes WS_STRING for LP64");
_Static_assert(sizeof(WS_ENDPOINT_ADDRESS) == 40 || sizeof(void *) != 8,
    "props.h sizes WS_ENDPOINT_ADDRESS for LP64");
_Static_assert(sizeof(WS_CHANNEL_PROPERTY) == sizeof(WS_LISTENER_PROPERTY) &&
    offsetof(WS_CHANNEL_PROPERTY, value) == offsetof(WS_LISTENER_PROPERTY, value) &&
    offsetof(WS_CHANNEL_PROPERTY, valueSize) ==
    offsetof(WS_LISTENER_PROPERTY, valueSize),
    "channel and listener properties share one layout");

/* A call on one object that needs nothing but the HRESULT. */
struct ws_channel_prop_call {
	struct ipc_call			 c;
	const struct prop_desc		*desc;
	void				*value;
	WS_CHANNEL			*ch;
};

HRESULT
ws_channel_prop_check(const struct prop_desc *d, uint32_t id,
    const void *value, ULONG size, bool set, WS_ERROR *error, const char *api)
{
	if (d == NULL || d->kind == PROP_NONE)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown property id %u", api, id);
	if (d->kind == PROP_UNSUPPORTED)
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: property %s is not supported by wschannel", api,
		    d->name);
	if (value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: property %s: the value pointer is NULL", api, d->name);
	if (d->kind == PROP_IFINDEX_SET) {
		if (size % sizeof(ULONG) != 0)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %s takes an array of ULONG, not %u "
			    "bytes", api, d->name, size);
		return S_OK;
	}
	if (size != d->size)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: property %s takes a %u-byte value, not %u bytes", api,
		    d->name, d->size, size);
	if (set && d->kind == PROP_STRING) {
		const WS_STRING *s = value;

		if (s->chars == NULL && s->length > 0)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %s: NULL characters", api, d->name);
	}
	if (set && d->kind == PROP_ADDRESS) {
		const WS_ENDPOINT_ADDRESS *a = value;

		if (a->url.chars == NULL && a->url.length > 0)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %s: NULL url characters", api,
			    d->name);
	}
	return S_OK;
}

static HRESULT
ws_channel_string_encode(const WS_STRING *s, char **out, WS_ERROR *error,
    const char *api, const char *what)
{
	if (s->length == 0) {
		*out = strdup("");
	} else
		*out = ws_utf16_to_utf8(s->chars, s->length, NULL);
	if (*out == NULL) {
		if (errno == EILSEQ)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: %s is not valid UTF-16", api, what);
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "%s: out of memory", api);
	}
	return S_OK;
}

/* The daemon keeps an interface set as a mask of indexes 0..63. */
static HRESULT
ws_channel_ifset_encode(const struct prop_desc *d, const void *value,
    ULONG size, uint64_t *mask, WS_ERROR *error, const char *api)
{
	uint32_t idx;
	ULONG i;

	*mask = 0;
	for (i = 0; i < size / sizeof(idx); i++) {
		memcpy(&idx, (const uint8_t *)value + i * sizeof(idx),
		    sizeof(idx));
		if (idx > PROP_IFINDEX_MAX)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %s: interface index %u is above "
			    "%d, which wschannel cannot hold", api, d->name,
			    idx, PROP_IFINDEX_MAX);
		*mask |= 1ull << idx;
	}
	return S_OK;
}

HRESULT
ws_channel_prop_decode_ifset(const struct prop_desc *d,
    const Wschannel__Property *p, void *value, ULONG size, WS_ERROR *error,
    const char *api)
{
	uint32_t idx, n = 0;

	if (!p->has_u)
		return ws_error_fail(error, WS_E_OTHER,
		    "%s: wschanneld sent no value for %s", api, d->name);
	for (idx = 0; idx <= PROP_IFINDEX_MAX; idx++)
		if (p->u & (1ull << idx))
			n++;
	if ((uint64_t)n * sizeof(idx) > size)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: property %s holds %u interfaces, more than %u bytes",
		    api, d->name, n, size);
	memset(value, 0, size);
	n = 0;
	for (idx = 0; idx <= PROP_IFINDEX_MAX; idx++)
		if (p->u & (1ull << idx)) {
			memcpy((uint8_t *)value + n * sizeof(idx), &idx,
			    sizeof(idx));
			n++;
		}
	return S_OK;
}

HRESULT
ws_channel_prop_encode(const struct prop_desc *d, const void *value,
    ULONG size, Wschannel__Property *p, WS_ERROR *error, const char *api)
{
	uint32_t u32;
	int32_t i32;
	uint64_t u64;

	wschannel__property__init(p);
	p->id = d->id;
	switch (d->kind) {
	case PROP_IFINDEX_SET:
		p->has_u = true;
		return ws_channel_ifset_encode(d, value, size, &p->u, error,
		    api);
	case PROP_ULONG:
		memcpy(&u32, value, sizeof(u32));
		p->has_u = true;
		p->u = u32;
		break;
	case PROP_ENUM:
		memcpy(&i32, value, sizeof(i32));
		p->has_u = true;
		p->u = (uint32_t)i32;
		break;
	case PROP_BOOL:
		memcpy(&i32, value, sizeof(i32));
		p->has_u = true;
		p->u = i32 != 0;
		break;
	case PROP_UINT64:
		memcpy(&u64, value, sizeof(u64));
		p->has_u = true;
		p->u = u64;
		break;
	case PROP_STRING:
		return ws_channel_string_encode(value, &p->s, error, api,
		    d->name);
	case PROP_ADDRESS:
		return ws_channel_string_encode(
		    &((const WS_ENDPOINT_ADDRESS *)value)->url, &p->s, error,
		    api, d->name);
	default:
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: property %s is not supported", api, d->name);
	}
	return S_OK;
}

void
ws_channel_prop_clear(Wschannel__Property *p)
{
	free(p->s);
	p->s = NULL;
}

/* "1.2.3.4:80" or "[::1]:80", as the daemon sends a peer, into the
 * SOCKADDR_STORAGE of REMOTE_IP_ADDRESS. */
static HRESULT
ws_channel_sockaddr_decode(const char *text, void *value, WS_ERROR *error,
    const char *api)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char host[64];
	const char *colon, *end;
	unsigned long port;
	size_t n;

	memset(&ss, 0, sizeof(ss));
	if (text == NULL || (colon = strrchr(text, ':')) == NULL)
		goto bad;
	if (text[0] == '[') {
		if ((end = strchr(text, ']')) == NULL || end + 1 != colon)
			goto bad;
		n = (size_t)(end - text - 1);
		text++;
	} else
		n = (size_t)(colon - text);
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, text, n);
	host[n] = '\0';
	port = strtoul(colon + 1, NULL, 10);
	if (port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	} else
		goto bad;
	memcpy(value, &ss, sizeof(ss));
	return S_OK;
bad:
	return ws_error_fail(error, WS_E_OTHER,
	    "%s: wschanneld sent no usable remote address", api);
}

HRESULT
ws_channel_prop_decode(const struct prop_desc *d, const Wschannel__Property *p,
    void *value, pthread_mutex_t *lock, WCHAR **slot, WS_ERROR *error,
    const char *api)
{
	WS_ENDPOINT_ADDRESS addr;
	WS_STRING str;
	WCHAR *w = NULL;
	size_t len = 0;
	uint32_t u32;

	switch (d->kind) {
	case PROP_ULONG:
	case PROP_ENUM:
	case PROP_BOOL:
	case PROP_UINT64:
		if (!p->has_u)
			return ws_error_fail(error, WS_E_OTHER,
			    "%s: wschanneld sent no value for %s", api, d->name);
		if (d->kind == PROP_UINT64) {
			memcpy(value, &p->u, sizeof(p->u));
		} else {
			u32 = (uint32_t)p->u;
			memcpy(value, &u32, sizeof(u32));
		}
		return S_OK;
	case PROP_STRING:
	case PROP_ADDRESS:
		if (slot == NULL)
			break;
		if (p->s != NULL && *p->s != '\0' &&
		    (w = ws_utf8_to_utf16(p->s, strlen(p->s), &len)) == NULL)
			return ws_error_fail(error, errno == EILSEQ ?
			    WS_E_INVALID_FORMAT : E_OUTOFMEMORY,
			    "%s: cannot convert %s to UTF-16", api, d->name);
		/* Windows hands out memory the channel owns: valid until the
		 * next Get of this property or until the channel is freed. */
		pthread_mutex_lock(lock);
		free(*slot);
		*slot = w;
		pthread_mutex_unlock(lock);
		str.length = (ULONG)len;
		str.chars = w;
		if (d->kind == PROP_STRING) {
			memcpy(value, &str, sizeof(str));
		} else {
			memset(&addr, 0, sizeof(addr));
			addr.url = str;
			memcpy(value, &addr, sizeof(addr));
		}
		return S_OK;
	case PROP_SOCKADDR:
		return ws_channel_sockaddr_decode(p->s, value, error, api);
	default:
		break;
	}
	return ws_error_fail(error, WS_E_NOT_SUPPORTED,
	    "%s: property %s is not supported", api, d->name);
}

HRESULT
ws_channel_props_encode(const struct prop_desc *(*lookup)(uint32_t),
    const WS_CHANNEL_PROPERTY *props, ULONG count, Wschannel__Property ***out,
    WS_ERROR *error, const char *api)
{
	Wschannel__Property **v;
	const struct prop_desc *d;
	HRESULT hr;
	ULONG i;

	*out = NULL;
	if (count == 0)
		return S_OK;
	for (i = 0; i < count; i++) {
		d = lookup((uint32_t)props[i].id);
		hr = ws_channel_prop_check(d, (uint32_t)props[i].id,
		    props[i].value, props[i].valueSize, true, error, api);
		if (hr != S_OK)
			return hr;
	}
	if ((v = calloc(count, sizeof(*v))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	for (i = 0; i < count; i++) {
		if ((v[i] = malloc(sizeof(*v[i]))) == NULL) {
			ws_channel_props_free(v, i);
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		}
		hr = ws_channel_prop_encode(lookup((uint32_t)props[i].id),
		    props[i].value, props[i].valueSize, v[i], error, api);
		if (hr != S_OK) {
			ws_channel_props_free(v, i + 1);
			return hr;
		}
	}
	*out = v;
	return S_OK;
}

void
ws_channel_props_free(Wschannel__Property **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (v[i] != NULL)
			ws_channel_prop_clear(v[i]);
		free(v[i]);
	}
	free(v);
}

HRESULT
ws_channel_stale_result(struct ipc_object *o, const char *api,
    WS_ERROR *error)
{
	uint32_t closed = o->kind == IPC_CHANNEL ? WS_CHANNEL_STATE_CLOSED :
	    WS_LISTENER_STATE_CLOSED;
	HRESULT hr;

	/* A create that did not wait for its answer, refused after all
	 * (the user's quota, the daemon's memory): that answer, from now. */
	if ((hr = ipc_object_create_failed(o)) != S_OK)
		return ws_error_fail(error, hr, "%s: wschanneld could not "
		    "create the %s: %s", api, o->kind == IPC_CHANNEL ?
		    "channel" : "listener", hresult_text((uint32_t)hr));
	if (ipc_object_stale_state(o) == closed)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the %s is CLOSED (its connection to wschanneld was "
		    "lost)", api, o->kind == IPC_CHANNEL ? "channel" :
		    "listener");
	return ws_error_fail(error, WS_E_OBJECT_FAULTED,
	    "%s: the %s is FAULTED: its connection to wschanneld was lost",
	    api, o->kind == IPC_CHANNEL ? "channel" : "listener");
}

static void
ws_channel_destroy(struct ipc_object *o)
{
	WS_CHANNEL *ch = (WS_CHANNEL *)o;
	size_t i;

	for (i = 0; i < CHANNEL_PROP_COUNT; i++)
		free(ch->prop_str[i]);
	ws_message_unref(ch->cur_read);
	ws_message_unref(ch->cur_write);
	ws_header_mapping_free(ch->mapping);
	pthread_mutex_destroy(&ch->lock);
	ipc_handle_del(ch);
	free(ch);
}

bool
ws_channel_get(WS_CHANNEL *ch)
{
	if (ch == NULL || !ipc_object_valid(&ch->obj, WS_CHANNEL_MAGIC))
		return false;
	ipc_object_ref(&ch->obj);
	ipc_object_settle_soon(&ch->obj);	/* its id, or its create's */
	return true;
}

/* Handle checks come before any state check. */
bool
ws_channel_valid(const WS_CHANNEL *ch)
{
	return ch != NULL && ipc_object_valid(&ch->obj, WS_CHANNEL_MAGIC);
}

/* Validates the channel handle and takes a reference; the HRESULT for a
 * channel whose daemon connection is gone. */
HRESULT
ws_channel_live(WS_CHANNEL *ch, WS_ERROR *error, const char *api)
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
	if ((hr = ws_channel_deferred(ch, WS_E_OBJECT_FAULTED, error,
	    api)) != S_OK) {
		ipc_object_unref(&ch->obj);
		return hr;
	}
	return S_OK;
}

HRESULT
ws_channel_deferred(WS_CHANNEL *ch, HRESULT hr, WS_ERROR *error,
    const char *api)
{
	const char *what;
	HRESULT was;

	if ((was = ipc_object_deferred_take(&ch->obj, &what)) == S_OK)
		return S_OK;
	return ws_error_fail(error, hr, "%s: the channel is FAULTED: %s "
	    "returned before wschanneld answered, and wschanneld refused it "
	    "(%s)", api, what, hresult_text((uint32_t)was));
}

/*
 * The loop of the Windows samples ends each message with WsCloseChannel
 * and WsResetChannel.  Where their result is known in advance they are
 * only written (ipc_object_post) and return S_OK: closing an accepted
 * soap.udp channel that is OPEN, or an HTTP REPLY channel once its reply
 * went out whole, completes at once in the daemon (nothing on the wire,
 * or nothing left to send); resetting a channel that is CLOSED always
 * succeeds.  Only with nothing else in flight on the channel, and only
 * for channels accepted with their first message (ws_listener.c).
 */
static bool
ws_channel_close_known(WS_CHANNEL *ch)
{
	uint32_t f = ipc_object_flags(&ch->obj);
	bool idle;

	if (!(f & IPC_OBJ_ACCEPTED) || ipc_object_deferred(&ch->obj) ||
	    ipc_object_known_state(&ch->obj) != WS_CHANNEL_STATE_OPEN ||
	    !ipc_object_idle(&ch->obj))
		return false;
	if (ch->binding == WS_UDP_CHANNEL_BINDING)
		return true;
	pthread_mutex_lock(&ch->lock);
	idle = ch->cur_read == NULL && ch->cur_write == NULL;
	pthread_mutex_unlock(&ch->lock);
	/* A reply not sent is a 202 that drains in CLOSING, and may fail. */
	return idle && ch->binding == WS_HTTP_CHANNEL_BINDING &&
	    ch->type == WS_CHANNEL_TYPE_REPLY &&
	    ch->transfer_mode == WS_BUFFERED_TRANSFER_MODE &&
	    (f & IPC_OBJ_REPLIED);
}

static bool
ws_channel_reset_known(WS_CHANNEL *ch)
{
	return (ipc_object_flags(&ch->obj) & IPC_OBJ_ACCEPTED) &&
	    !ipc_object_deferred(&ch->obj) &&
	    ipc_object_known_state(&ch->obj) == WS_CHANNEL_STATE_CLOSED &&
	    ipc_object_idle(&ch->obj);
}

WS_CHANNEL *
ws_channel_alloc(WS_CHANNEL_TYPE type, WS_CHANNEL_BINDING binding,
    const WS_CHANNEL_PROPERTY *props, ULONG count)
{
	WS_CHANNEL *ch;
	int32_t v;
	ULONG i;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	if (ipc_handle_add(ch) != 0) {
		free(ch);
		return NULL;
	}
	ch->type = type;
	ch->binding = binding;
	ch->envelope_version = WS_ENVELOPE_VERSION_SOAP_1_2;
	ch->addressing_version = WS_ADDRESSING_VERSION_1_0;
	ch->faults_as_errors = true;
	/* HTTP's defaults: the binding that streams. */
	ch->encoding = WS_ENCODING_XML_UTF8;
	ch->stream_start_max = 16384;
	/* The message versions are fixed at creation: the daemon refuses
	 * to change them later. */
	for (i = 0; i < count; i++) {
		if (props[i].valueSize != sizeof(v) || props[i].value == NULL)
			continue;
		memcpy(&v, props[i].value, sizeof(v));
		if (props[i].id == WS_CHANNEL_PROPERTY_ENVELOPE_VERSION)
			ch->envelope_version = (WS_ENVELOPE_VERSION)v;
		else if (props[i].id == WS_CHANNEL_PROPERTY_ADDRESSING_VERSION)
			ch->addressing_version = (WS_ADDRESSING_VERSION)v;
		else if (props[i].id == WS_CHANNEL_PROPERTY_FAULTS_AS_ERRORS)
			ch->faults_as_errors = v != 0;
		else if (props[i].id == WS_CHANNEL_PROPERTY_TRANSFER_MODE)
			ch->transfer_mode = (WS_TRANSFER_MODE)v;
		else if (props[i].id == WS_CHANNEL_PROPERTY_ENCODING)
			ch->encoding = (WS_ENCODING)v;
		else if (props[i].id ==
		    WS_CHANNEL_PROPERTY_MAX_STREAMED_START_SIZE)
			ch->stream_start_max = (ULONG)v;
	}
	pthread_mutex_init(&ch->lock, NULL);
	ch->obj.magic = 0;	/* not a valid handle until bound */
	return ch;
}

/* Creates the daemon's channel with `req` on `conn` (whose reference the
 * channel takes on success); the handle is valid from here. */
HRESULT
ws_channel_create(WS_CHANNEL *ch, struct ipc_conn *conn,
    Wschannel__Request *req, WS_ERROR *error, const char *api)
{
	HRESULT hr;

	ipc_object_init(&ch->obj, IPC_CHANNEL, WS_CHANNEL_MAGIC,
	    ws_channel_destroy);
	if ((hr = ipc_object_create(&ch->obj, conn, req, error, api)) != S_OK)
		ch->obj.magic = 0;
	return hr;
}

void
ws_channel_discard(WS_CHANNEL *ch)
{
	if (ch == NULL)
		return;
	ws_header_mapping_free(ch->mapping);
	pthread_mutex_destroy(&ch->lock);
	ipc_handle_del(ch);
	free(ch);
}


/* WsCreateChannel, `map` (the HTTP_MESSAGE_MAPPING the library keeps,
 * taken out of the properties) given to the channel or freed. */
static HRESULT
ws_channel_create_mapped(WS_CHANNEL_TYPE channelType,
    WS_CHANNEL_BINDING channelBinding, const WS_CHANNEL_PROPERTY *properties,
    ULONG propertyCount, const WS_SECURITY_DESCRIPTION *securityDescription,
    WS_CHANNEL **channel, struct ws_http_mapping *map, WS_ERROR *error,
    const char *api)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel op = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__Property **props;
	struct ipc_conn *conn;
	WS_CHANNEL *ch;
	HRESULT hr;

	if (channel == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: channel or properties is NULL", api);
	if ((hr = ws_security_check(securityDescription, error, api)) != S_OK) {
		ws_header_mapping_free(map);
		return hr;
	}
	hr = ws_channel_props_encode(channel_prop, properties, propertyCount,
	    &props, error, api);
	if (hr != S_OK) {
		ws_header_mapping_free(map);
		return hr;
	}
	if ((ch = ws_channel_alloc(channelType, channelBinding, properties,
	    propertyCount)) == NULL) {
		ws_header_mapping_free(map);
		ws_channel_props_free(props, propertyCount);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	ch->mapping = map;
	if ((hr = ipc_connect(&conn, error)) != S_OK) {
		ws_channel_discard(ch);
		ws_channel_props_free(props, propertyCount);
		return hr;
	}
	op.type = (uint32_t)channelType;
	op.binding = (uint32_t)channelBinding;
	op.n_properties = propertyCount;
	op.properties = props;
	req.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	req.create_channel = &op;
	hr = ws_channel_create(ch, conn, &req, error, api);
	ws_channel_props_free(props, propertyCount);
	if (FAILED(hr)) {
		ws_channel_discard(ch);
		ipc_conn_unref(conn);
		return hr;
	}
	*channel = ch;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsCreateChannel(WS_CHANNEL_TYPE channelType, WS_CHANNEL_BINDING channelBinding,
    const WS_CHANNEL_PROPERTY *properties, ULONG propertyCount,
    const WS_SECURITY_DESCRIPTION *securityDescription, WS_CHANNEL **channel,
    WS_ERROR *error)
{
	static const char api[] = "WsCreateChannel";
	struct ws_http_mapping *map;
	WS_CHANNEL_PROPERTY *rest;
	ULONG nrest;
	HRESULT hr;

	if (channel == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: channel or properties is NULL", api);
	if ((hr = ws_header_mapping_take(channelBinding, properties,
	    propertyCount, &rest, &nrest, &map, error, api)) != S_OK)
		return hr;
	hr = ws_channel_create_mapped(channelType, channelBinding,
	    rest != NULL ? rest : properties, nrest, securityDescription,
	    channel, map, error, api);
	free(rest);
	return hr;
}

static HRESULT
ws_channel_simple(WS_CHANNEL *ch, Wschannel__Request *req,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error, const char *api)
{
	return ipc_object_call(&ch->obj, req, ctx, error, api);
}

WS_EXPORT HRESULT WINAPI
WsOpenChannel(WS_CHANNEL *channel, const WS_ENDPOINT_ADDRESS *endpointAddress,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsOpenChannel";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__OpenChannel op = WSCHANNEL__OPEN_CHANNEL__INIT;
	char *url;
	HRESULT hr;

	if (endpointAddress == NULL ||
	    (asyncContext != NULL && asyncContext->callback == NULL) ||
	    (endpointAddress->url.chars == NULL &&
	    endpointAddress->url.length > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL endpoint address or callback", api);
	if ((hr = ws_channel_live(channel, error, api)) != S_OK)
		return hr;
	hr = ws_channel_string_encode(&endpointAddress->url, &url, error, api,
	    "the endpoint URL");
	if (hr != S_OK) {
		ipc_object_unref(&channel->obj);
		return hr;
	}
	op.channel = channel->obj.id;
	op.url = url;
	req.op_case = WSCHANNEL__REQUEST__OP_OPEN_CHANNEL;
	req.open_channel = &op;
	hr = ws_channel_simple(channel, &req, asyncContext, error, api);
	free(url);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsCloseChannel(WS_CHANNEL *channel, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error)
{
	static const char api[] = "WsCloseChannel";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;

	if (asyncContext != NULL && asyncContext->callback == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL callback", api);
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (ipc_object_stale(&channel->obj)) {
		/* Nothing left to close: the daemon object went with the
		 * connection. */
		ipc_object_set_stale_state(&channel->obj,
		    WS_CHANNEL_STATE_CLOSED);
		ipc_object_unref(&channel->obj);
		return S_OK;
	}
	ipc_object_drop_kept(&channel->obj);
	ref.id = channel->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL;
	req.close_channel = &ref;
	/* A refused close or reset before this one: FAULTED, and closing a
	 * FAULTED channel is what the application does about it. */
	if (ipc_object_deferred_take(&channel->obj, NULL) == S_OK &&
	    ws_channel_close_known(channel) &&
	    ipc_object_post(&channel->obj, &req, WS_CHANNEL_STATE_CLOSED,
	    api) == S_OK) {
		ipc_object_unref(&channel->obj);
		return S_OK;
	}
	return ws_channel_simple(channel, &req, asyncContext, error, api);
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
	if ((hr = ws_channel_live(channel, error, api)) != S_OK)
		return hr;
	ref.id = channel->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION;
	req.shutdown_session = &ref;
	return ipc_object_call(&channel->obj, &req, asyncContext, error, api);
}

WS_EXPORT HRESULT WINAPI
WsAbortChannel(WS_CHANNEL *channel, WS_ERROR *error)
{
	HRESULT hr;

	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsAbortChannel: invalid channel handle");
	/* The message its accept brought goes with the channel's state; a
	 * refused close or reset is superseded by the abort's own answer. */
	ipc_object_drop_kept(&channel->obj);
	(void)ipc_object_deferred_take(&channel->obj, NULL);
	hr = ipc_object_abort(&channel->obj, error, "WsAbortChannel");
	ipc_object_unref(&channel->obj);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsResetChannel(WS_CHANNEL *channel, WS_ERROR *error)
{
	static const char api[] = "WsResetChannel";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	HRESULT hr;

	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (ipc_object_stale(&channel->obj)) {
		if (ipc_object_stale_state(&channel->obj) ==
		    WS_CHANNEL_STATE_CLOSED)
			hr = ws_error_fail(error, WS_E_ENDPOINT_DISCONNECTED,
			    "%s: the channel's connection to wschanneld was "
			    "lost; free it and create a new one", api);
		else
			hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the channel is FAULTED", api);
		ipc_object_unref(&channel->obj);
		return hr;
	}
	if ((hr = ws_channel_deferred(channel, WS_E_INVALID_OPERATION, error,
	    api)) != S_OK) {
		ipc_object_unref(&channel->obj);
		return hr;
	}
	ipc_object_drop_kept(&channel->obj);
	ref.id = channel->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_RESET_CHANNEL;
	req.reset_channel = &ref;
	if (ws_channel_reset_known(channel) &&
	    ipc_object_post(&channel->obj, &req, WS_CHANNEL_STATE_CREATED,
	    api) == S_OK) {
		ipc_object_set_flags(&channel->obj, 0, IPC_OBJ_ACCEPTED |
		    IPC_OBJ_REPLIED);
		ipc_object_unref(&channel->obj);
		return S_OK;
	}
	ipc_object_set_flags(&channel->obj, 0, IPC_OBJ_ACCEPTED |
	    IPC_OBJ_REPLIED);
	return ws_channel_simple(channel, &req, NULL, error, api);
}

/* Aborts then frees the daemon's channel; the handle's memory goes when the
 * last call still running on it completes (with WS_E_OPERATION_ABORTED). */
WS_EXPORT void WINAPI
WsFreeChannel(WS_CHANNEL *channel)
{
	if (channel == NULL ||
	    !ipc_object_valid(&channel->obj, WS_CHANNEL_MAGIC))
		return;
	channel->obj.magic = 0;
	ipc_object_drop_kept(&channel->obj);
	ipc_object_release(&channel->obj);
}

static HRESULT
ws_channel_getprop_finish(struct ipc_call *c, HRESULT hr)
{
	struct ws_channel_prop_call *pc = (struct ws_channel_prop_call *)c;
	const Wschannel__Reply *r = c->reply;
	uint32_t state = WS_CHANNEL_STATE_FAULTED;

	/* A posted close or reset whose refusal came before this answer. */
	if (pc->desc->id == WS_CHANNEL_PROPERTY_STATE &&
	    ipc_object_deferred(&pc->ch->obj)) {
		memcpy(pc->value, &state, sizeof(state));
		return S_OK;
	}
	if (FAILED(hr))
		return hr;
	if (r == NULL || r->result_case != WSCHANNEL__REPLY__RESULT_PROPERTY ||
	    r->property == NULL)
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no property", c->api);
	return ws_channel_prop_decode(pc->desc, r->property, pc->value,
	    &pc->ch->lock, &pc->ch->prop_str[pc->desc->id], c->error, c->api);
}

WS_EXPORT HRESULT WINAPI
WsGetChannelProperty(WS_CHANNEL *channel, WS_CHANNEL_PROPERTY_ID id,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsGetChannelProperty";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetProperty op = WSCHANNEL__GET_PROPERTY__INIT;
	const struct prop_desc *d = channel_prop((uint32_t)id);
	struct ws_channel_prop_call pc;
	uint32_t state;
	HRESULT hr;

	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (id == WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING) {
		/* The library keeps it (ws_header.c). */
		hr = ws_header_mapping_get(channel, value, valueSize, error,
		    api);
		ipc_object_unref(&channel->obj);
		return hr;
	}
	hr = ws_channel_prop_check(d, (uint32_t)id, value, valueSize, false,
	    error, api);
	if (hr != S_OK) {
		ipc_object_unref(&channel->obj);
		return hr;
	}
	if (id == WS_CHANNEL_PROPERTY_STATE &&
	    ipc_object_deferred(&channel->obj)) {
		/* A posted close or reset was refused: FAULTED until the
		 * application closes it (ws_channel_close_known). */
		state = WS_CHANNEL_STATE_FAULTED;
		memcpy(value, &state, sizeof(state));
		ipc_object_unref(&channel->obj);
		return S_OK;
	}
	if (ipc_object_stale(&channel->obj)) {
		/* The one state we know without asking. */
		if (id == WS_CHANNEL_PROPERTY_STATE) {
			state = ipc_object_stale_state(&channel->obj);
			memcpy(value, &state, sizeof(state));
			hr = S_OK;
		} else
			hr = ws_channel_stale_result(&channel->obj, api, error);
		ipc_object_unref(&channel->obj);
		return hr;
	}
	op.id = channel->obj.id;
	op.property_id = (uint32_t)id;
	req.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	req.get_channel_property = &op;
	ipc_call_new(&pc, sizeof(pc), NULL);
	pc.c.conn = channel->obj.conn;
	pc.c.obj = &channel->obj;
	pc.c.error = error;
	pc.c.api = api;
	pc.c.finish = ws_channel_getprop_finish;
	pc.desc = d;
	pc.value = value;
	pc.ch = channel;
	return ipc_call_run(&pc.c, &req);
}

WS_EXPORT HRESULT WINAPI
WsSetChannelProperty(WS_CHANNEL *channel, WS_CHANNEL_PROPERTY_ID id,
    const void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsSetChannelProperty";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__SetProperty op = WSCHANNEL__SET_PROPERTY__INIT;
	const struct prop_desc *d = channel_prop((uint32_t)id);
	Wschannel__Property p;
	HRESULT hr;

	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (id == WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING) {
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, E_INVALIDARG, "%s: property "
		    "HTTP_MESSAGE_MAPPING is set at creation only", api);
	}
	hr = ws_channel_prop_check(d, (uint32_t)id, value, valueSize, true,
	    error, api);
	if (hr == S_OK && ipc_object_stale(&channel->obj))
		hr = ws_channel_stale_result(&channel->obj, api, error);
	if (hr == S_OK)
		hr = ws_channel_prop_encode(d, value, valueSize, &p, error,
		    api);
	if (hr != S_OK) {
		ipc_object_unref(&channel->obj);
		return hr;
	}
	op.id = channel->obj.id;
	op.property = &p;
	req.op_case = WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY;
	req.set_channel_property = &op;
	hr = ws_channel_simple(channel, &req, NULL, error, api);
	ws_channel_prop_clear(&p);
	return hr;
}

/* Here rather than in ws_message.c: channels use messages, never the
 * reverse. */
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

/* ---- the channel's current messages ------------------------------------- */

void
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
void
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
bool
ws_channel_current_holds(WS_CHANNEL *ch, WS_MESSAGE *m)
{
	bool cur;

	pthread_mutex_lock(&ch->lock);
	cur = ch->cur_read == m || ch->cur_write == m;
	pthread_mutex_unlock(&ch->lock);
	return cur;
}

/* Is `m` being read (or written) on `ch`: its slot and its state agree? */
bool
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
