/*
 * The headers of a WS_MESSAGE: WsAddressMessage and the standard
 * addressing headers (WsSetHeader, WsGetHeader, WsRemoveHeader), kept as
 * UTF-8 text in the message and converted to and from the caller's value
 * types by ws_value.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "xml_internal.h"
#include "httphdr.h"

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
	    (hr = ws_value_encode(WS_ENDPOINT_ADDRESS_TYPE,
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
ws_header_slot(struct ws_headers *h, WS_HEADER_TYPE type)
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
ws_header_valid(WS_HEADER_TYPE type)
{
	return type >= WS_ACTION_HEADER && type <= WS_FAULT_TO_HEADER;
}

/* The value types the Windows documentation lists for each header. */
static bool
ws_header_type_ok(WS_HEADER_TYPE header, WS_TYPE type)
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
ws_header_transport_ok(WS_HEADER_TYPE header)
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

	if (!ws_message_valid(message) || !ws_header_valid(headerType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or header type", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (message->addressing_version ==
	    WS_ADDRESSING_VERSION_TRANSPORT &&
	    !ws_header_transport_ok(headerType))
		hr = ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: header %d needs WS-Addressing (the message uses "
		    "addressing TRANSPORT)", api, (int)headerType);
	pthread_mutex_unlock(&message->lock);
	if (hr != S_OK)
		return hr;
	if (!ws_header_type_ok(headerType, valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: header %d does not take value type %d", api,
		    (int)headerType, (int)valueType);
	if (headerType == WS_FROM_HEADER)
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: the From header is not supported by wschannel", api);
	if ((hr = ws_value_encode(valueType, writeOption, value,
	    valueSize, &text, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	/* Checked again: another thread may have started using it. */
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	} else {
		slot = ws_header_slot(&message->h, headerType);
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

	if (!ws_message_valid(message) || !ws_header_valid(headerType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or header type", api);
	if (!ws_header_type_ok(headerType, valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: header %d does not take value type %d", api,
		    (int)headerType, (int)valueType);
	if ((hr = ws_value_check_read(valueType, readOption, error,
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
	slot = ws_header_slot(&message->h, headerType);
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
	hr = ws_value_decode(text, valueType, readOption, heap, value,
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
	else if (!ws_header_valid(headerType))
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid header type %d", api, (int)headerType);
	else if ((slot = ws_header_slot(&message->h,
	    headerType)) != NULL) {
		/* Removing a header that is not there is fine. */
		free(*slot);
		*slot = NULL;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* ---- WS_HTTP_MESSAGE_MAPPING -------------------------------------------- */

/*
 * The channel's mapping, copied at creation: WsGetChannelProperty hands
 * out `pub`, whose arrays point into this record, valid until the channel
 * is freed (like the string properties).
 */
struct ws_http_mapping {
	WS_HTTP_MESSAGE_MAPPING	 pub;
	WS_HTTP_HEADER_MAPPING	*hdrs;		/* request ones, response ones */
	WS_HTTP_HEADER_MAPPING	**ptrs;
	char			*names;		/* every name, NUL-terminated */
	/* WS_ENCODING_RAW on HTTP: a record even without a mapping. */
	bool			 raw;
};

#define WS_HTTP_HEADER_MAPPING_ALL	(WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR | \
	WS_HTTP_HEADER_MAPPING_SEMICOLON_SEPARATOR | \
	WS_HTTP_HEADER_MAPPING_QUOTED_VALUE)
#define WS_HTTP_RESPONSE_MAPPING_ALL	(WS_HTTP_RESPONSE_MAPPING_STATUS_CODE | \
	WS_HTTP_RESPONSE_MAPPING_STATUS_TEXT)

void
ws_header_mapping_free(struct ws_http_mapping *hm)
{
	if (hm == NULL)
		return;
	free(hm->hdrs);
	free(hm->ptrs);
	free(hm->names);
	free(hm);
}

static HRESULT
ws_header_mapping_check_one(const WS_HTTP_HEADER_MAPPING *h, bool raw,
    WS_ERROR *error, const char *api)
{
	const char *name;
	ULONG opt;

	if (h == NULL)
		return ws_error_fail(error, E_INVALIDARG, "%s: a header mapping "
		    "pointer of WS_HTTP_MESSAGE_MAPPING is NULL", api);
	name = (const char *)h->headerName.bytes;
	if (name == NULL || !httphdr_name_ok(name, h->headerName.length))
		return ws_error_fail(error, E_INVALIDARG, "%s: a mapped HTTP "
		    "header name must be a token (letters, digits and "
		    "!#$%%&'*+-.^_`|~)", api);
	/* A raw body's media type is the application's (the MS REST
	 * sample maps Content-Type both ways). */
	if (httphdr_owned(name, h->headerName.length) && !(raw &&
	    h->headerName.length == 12 &&
	    strncasecmp(name, "Content-Type", 12) == 0))
		return ws_error_fail(error, E_INVALIDARG, "%s: the HTTP "
		    "transport owns the header %.*s; it cannot be mapped", api,
		    (int)h->headerName.length, name);
	opt = h->headerMappingOptions;
	if ((opt & ~(ULONG)WS_HTTP_HEADER_MAPPING_ALL) != 0 ||
	    ((opt & WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR) &&
	    (opt & WS_HTTP_HEADER_MAPPING_SEMICOLON_SEPARATOR)))
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid "
		    "headerMappingOptions 0x%x for %.*s", api, (unsigned)opt,
		    (int)h->headerName.length, name);
	return S_OK;
}

static HRESULT
ws_header_mapping_check(const WS_HTTP_MESSAGE_MAPPING *m, bool raw,
    WS_ERROR *error, const char *api)
{
	ULONG i;
	HRESULT hr;

	if ((m->requestMappingOptions & ~(ULONG)WS_HTTP_REQUEST_MAPPING_VERB) ||
	    (m->responseMappingOptions & ~(ULONG)WS_HTTP_RESPONSE_MAPPING_ALL))
		return ws_error_fail(error, E_INVALIDARG, "%s: unknown request "
		    "or response mapping options", api);
	/* MS: both must be 0 unless the encoding is WS_ENCODING_RAW. */
	if (!raw && (m->requestMappingOptions != 0 ||
	    m->responseMappingOptions != 0))
		return ws_error_fail(error, E_INVALIDARG, "%s: requestMapping"
		    "Options and responseMappingOptions must be 0 unless "
		    "WS_CHANNEL_PROPERTY_ENCODING is WS_ENCODING_RAW", api);
	if ((m->requestHeaderMappingCount > 0 &&
	    m->requestHeaderMappings == NULL) ||
	    (m->responseHeaderMappingCount > 0 &&
	    m->responseHeaderMappings == NULL))
		return ws_error_fail(error, E_INVALIDARG, "%s: a header mapping "
		    "array is NULL", api);
	if (m->requestHeaderMappingCount > HTTPHDR_MAX_COUNT ||
	    m->responseHeaderMappingCount > HTTPHDR_MAX_COUNT)
		return ws_error_fail(error, E_INVALIDARG, "%s: at most %d "
		    "header mappings each way", api, HTTPHDR_MAX_COUNT);
	for (i = 0; i < m->requestHeaderMappingCount; i++)
		if ((hr = ws_header_mapping_check_one(
		    m->requestHeaderMappings[i], raw, error, api)) != S_OK)
			return hr;
	for (i = 0; i < m->responseHeaderMappingCount; i++)
		if ((hr = ws_header_mapping_check_one(
		    m->responseHeaderMappings[i], raw, error, api)) != S_OK)
			return hr;
	return S_OK;
}

static struct ws_http_mapping *
ws_header_mapping_copy(const WS_HTTP_MESSAGE_MAPPING *m)
{
	struct ws_http_mapping *hm;
	ULONG nreq = m->requestHeaderMappingCount;
	ULONG n = nreq + m->responseHeaderMappingCount, i;
	const WS_HTTP_HEADER_MAPPING *src;
	size_t bytes = 0, o = 0;

	for (i = 0; i < n; i++) {
		src = i < nreq ? m->requestHeaderMappings[i] :
		    m->responseHeaderMappings[i - nreq];
		bytes += src->headerName.length + 1;
	}
	if ((hm = calloc(1, sizeof(*hm))) == NULL)
		return NULL;
	hm->pub = *m;
	if (n == 0) {
		hm->pub.requestHeaderMappings = NULL;
		hm->pub.responseHeaderMappings = NULL;
		return hm;
	}
	if ((hm->hdrs = calloc(n, sizeof(*hm->hdrs))) == NULL ||
	    (hm->ptrs = calloc(n, sizeof(*hm->ptrs))) == NULL ||
	    (hm->names = malloc(bytes)) == NULL) {
		ws_header_mapping_free(hm);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		src = i < nreq ? m->requestHeaderMappings[i] :
		    m->responseHeaderMappings[i - nreq];
		memcpy(hm->names + o, src->headerName.bytes,
		    src->headerName.length);
		hm->names[o + src->headerName.length] = '\0';
		hm->hdrs[i].headerName.length = src->headerName.length;
		hm->hdrs[i].headerName.bytes = (BYTE *)hm->names + o;
		hm->hdrs[i].headerMappingOptions = src->headerMappingOptions;
		hm->ptrs[i] = &hm->hdrs[i];
		o += src->headerName.length + 1;
	}
	hm->pub.requestHeaderMappings = nreq > 0 ? hm->ptrs : NULL;
	hm->pub.responseHeaderMappings = n > nreq ? hm->ptrs + nreq : NULL;
	return hm;
}

/* MS: with WS_ENCODING_RAW, an HTTP channel's envelope version defaults
 * to NONE and its addressing version to TRANSPORT. */
static const WS_ENVELOPE_VERSION ws_header_env_none = WS_ENVELOPE_VERSION_NONE;
static const WS_ADDRESSING_VERSION ws_header_addr_transport =
    WS_ADDRESSING_VERSION_TRANSPORT;

/* The int value of property `id` among `props` into *v: true if given. */
static bool
ws_header_prop_int(const WS_CHANNEL_PROPERTY *props, ULONG count,
    WS_CHANNEL_PROPERTY_ID id, int32_t *v)
{
	ULONG i;

	for (i = 0; i < count; i++)
		if (props[i].id == id && props[i].value != NULL &&
		    props[i].valueSize == sizeof(*v)) {
			memcpy(v, props[i].value, sizeof(*v));
			return true;
		}
	return false;
}

HRESULT
ws_header_mapping_take(WS_CHANNEL_BINDING binding,
    const WS_CHANNEL_PROPERTY *props, ULONG count, WS_CHANNEL_PROPERTY **rest,
    ULONG *nrest, struct ws_http_mapping **out, WS_ERROR *error,
    const char *api)
{
	const WS_HTTP_MESSAGE_MAPPING *m = NULL;
	WS_HTTP_MESSAGE_MAPPING none;
	WS_CHANNEL_PROPERTY *v;
	int32_t enc = 0, envv = 0, addr = 0;
	bool raw, has_env, has_addr;
	ULONG i, n = 0;
	HRESULT hr;

	*rest = NULL;
	*nrest = count;
	*out = NULL;
	raw = ws_header_prop_int(props, count, WS_CHANNEL_PROPERTY_ENCODING,
	    &enc) && enc == WS_ENCODING_RAW;
	for (i = 0; i < count; i++) {
		if (props[i].id != WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING)
			continue;
		if (binding != WS_HTTP_CHANNEL_BINDING)
			return ws_error_fail(error, E_INVALIDARG, "%s: property "
			    "HTTP_MESSAGE_MAPPING is for WS_HTTP_CHANNEL_BINDING "
			    "only", api);
		if (props[i].value == NULL ||
		    props[i].valueSize != sizeof(WS_HTTP_MESSAGE_MAPPING))
			return ws_error_fail(error, E_INVALIDARG, "%s: property "
			    "HTTP_MESSAGE_MAPPING takes a %zu-byte "
			    "WS_HTTP_MESSAGE_MAPPING", api,
			    sizeof(WS_HTTP_MESSAGE_MAPPING));
		m = props[i].value;
		n++;
	}
	/* Other bindings refuse RAW in the daemon. */
	raw = raw && binding == WS_HTTP_CHANNEL_BINDING;
	has_env = ws_header_prop_int(props, count,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION, &envv);
	has_addr = ws_header_prop_int(props, count,
	    WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &addr);
	if (raw && ((has_env && envv != WS_ENVELOPE_VERSION_NONE) ||
	    (has_addr && addr != WS_ADDRESSING_VERSION_TRANSPORT)))
		return ws_error_fail(error, E_INVALIDARG, "%s: WS_ENCODING_RAW "
		    "carries no envelope: its ENVELOPE_VERSION is NONE and its "
		    "ADDRESSING_VERSION TRANSPORT", api);
	if (m == NULL && !raw)
		return S_OK;
	if (m != NULL && (hr = ws_header_mapping_check(m, raw, error,
	    api)) != S_OK)
		return hr;
	if (m == NULL) {
		memset(&none, 0, sizeof(none));
		m = &none;
	}
	if ((v = calloc(count - n + 2 + 1, sizeof(*v))) == NULL ||
	    (*out = ws_header_mapping_copy(m)) == NULL) {
		free(v);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	(*out)->raw = raw;
	for (i = n = 0; i < count; i++)
		if (props[i].id != WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING)
			v[n++] = props[i];
	if (raw && !has_env) {
		v[n].id = WS_CHANNEL_PROPERTY_ENVELOPE_VERSION;
		v[n].value = (void *)&ws_header_env_none;
		v[n++].valueSize = sizeof(ws_header_env_none);
	}
	if (raw && !has_addr) {
		v[n].id = WS_CHANNEL_PROPERTY_ADDRESSING_VERSION;
		v[n].value = (void *)&ws_header_addr_transport;
		v[n++].valueSize = sizeof(ws_header_addr_transport);
	}
	*rest = v;
	*nrest = n;
	return S_OK;
}

HRESULT
ws_header_mapping_get(WS_CHANNEL *ch, void *value, ULONG size,
    WS_ERROR *error, const char *api)
{
	WS_HTTP_MESSAGE_MAPPING none;

	if (ch->binding != WS_HTTP_CHANNEL_BINDING)
		return ws_error_fail(error, E_INVALIDARG, "%s: property "
		    "HTTP_MESSAGE_MAPPING is for WS_HTTP_CHANNEL_BINDING only",
		    api);
	if (value == NULL || size != sizeof(WS_HTTP_MESSAGE_MAPPING))
		return ws_error_fail(error, E_INVALIDARG, "%s: property "
		    "HTTP_MESSAGE_MAPPING takes a %zu-byte "
		    "WS_HTTP_MESSAGE_MAPPING", api,
		    sizeof(WS_HTTP_MESSAGE_MAPPING));
	/* MS: the default maps nothing. */
	memset(&none, 0, sizeof(none));
	memcpy(value, ch->mapping != NULL ? &ch->mapping->pub : &none,
	    sizeof(none));
	return S_OK;
}

/* The header mappings a channel applies to what it sends (out) or
 * receives: a REQUEST channel sends requests, a REPLY channel responses. */
static WS_HTTP_HEADER_MAPPING **
ws_header_mappings(WS_CHANNEL *ch, bool out, ULONG *n)
{
	const WS_HTTP_MESSAGE_MAPPING *p;
	bool request;

	*n = 0;
	if (ch->mapping == NULL || (ch->type != WS_CHANNEL_TYPE_REQUEST &&
	    ch->type != WS_CHANNEL_TYPE_REPLY))
		return NULL;
	p = &ch->mapping->pub;
	request = (ch->type == WS_CHANNEL_TYPE_REQUEST) == out;
	*n = request ? p->requestHeaderMappingCount :
	    p->responseHeaderMappingCount;
	return request ? p->requestHeaderMappings : p->responseHeaderMappings;
}

static bool
ws_header_name_is(const WS_XML_STRING *want, const char *name)
{
	return strlen(name) == want->length && strncasecmp(name,
	    (const char *)want->bytes, want->length) == 0;
}

/* Appends `v` to o (quoted, with " and \ escaped, when `quote`). */
static void
ws_header_put_value(struct xml_out *o, const char *v, bool quote)
{
	if (!quote) {
		xml_out_add(o, v, strlen(v));
		return;
	}
	xml_out_add(o, "\"", 1);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			xml_out_add(o, "\\", 1);
		xml_out_add(o, v, 1);
	}
	xml_out_add(o, "\"", 1);
}

static Wschannel__HttpHeader *
ws_header_http_new(const WS_XML_STRING *name, struct xml_out *o)
{
	Wschannel__HttpHeader *h;

	xml_out_add(o, "", 1);
	if (o->oom || (h = malloc(sizeof(*h))) == NULL)
		return NULL;
	wschannel__http_header__init(h);
	if ((h->name = strndup((const char *)name->bytes,
	    name->length)) == NULL) {
		free(h);
		return NULL;
	}
	h->value = (char *)o->p;
	memset(o, 0, sizeof(*o));
	return h;
}

void
ws_header_mapped_pack_free(Wschannel__Envelope *env)
{
	size_t i;

	for (i = 0; i < env->n_http_headers; i++) {
		free(env->http_headers[i]->name);
		free(env->http_headers[i]->value);
		free(env->http_headers[i]);
	}
	free(env->http_headers);
	env->http_headers = NULL;
	env->n_http_headers = 0;
}

/*
 * The mapped headers the channel's mapping names for what it sends, as
 * HTTP headers (MS: the others stay on the message).  Repeated ones join
 * into one header with the mapping's separator, or go as as many header
 * lines without one.  With m->lock held.
 */
HRESULT
ws_header_mapped_pack(WS_CHANNEL *ch, WS_MESSAGE *m, Wschannel__Envelope *env)
{
	WS_HTTP_HEADER_MAPPING **map;
	Wschannel__HttpHeader *h;
	struct xml_out o;
	const char *sep;
	ULONG n, j;
	size_t i, seen;

	if ((map = ws_header_mappings(ch, true, &n)) == NULL || n == 0 ||
	    m->nmapped == 0)
		return S_OK;
	/* At most one line per mapped header and mapping entry (a mapping
	 * may name a header twice). */
	if ((env->http_headers = calloc(m->nmapped * n,
	    sizeof(*env->http_headers))) == NULL)
		return E_OUTOFMEMORY;
	memset(&o, 0, sizeof(o));
	for (j = 0; j < n; j++) {
		ULONG opt = map[j]->headerMappingOptions;
		bool quote = opt & WS_HTTP_HEADER_MAPPING_QUOTED_VALUE;

		sep = (opt & WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR) ? ", " :
		    (opt & WS_HTTP_HEADER_MAPPING_SEMICOLON_SEPARATOR) ? "; " :
		    NULL;
		for (i = seen = 0; i < m->nmapped; i++) {
			if (!ws_header_name_is(&map[j]->headerName,
			    m->mapped[i].name))
				continue;
			if (seen++ > 0 && sep != NULL)
				xml_out_add(&o, sep, 2);
			ws_header_put_value(&o, m->mapped[i].value, quote);
			if (sep != NULL)
				continue;
			if ((h = ws_header_http_new(&map[j]->headerName,
			    &o)) == NULL)
				goto nomem;
			env->http_headers[env->n_http_headers++] = h;
		}
		if (sep == NULL || seen == 0)
			continue;
		if ((h = ws_header_http_new(&map[j]->headerName, &o)) == NULL)
			goto nomem;
		env->http_headers[env->n_http_headers++] = h;
	}
	return S_OK;
nomem:
	xml_out_free(&o);
	ws_header_mapped_pack_free(env);
	return E_OUTOFMEMORY;
}

/* One received value into the list: split at the mapping's separator
 * outside quotes, trimmed, unquoted when the mapping quotes. */
static int
ws_header_take_values(struct ws_mapped **list, size_t *n, const char *name,
    const char *value, ULONG opt)
{
	char sepc = (opt & WS_HTTP_HEADER_MAPPING_COMMA_SEPARATOR) ? ',' :
	    (opt & WS_HTTP_HEADER_MAPPING_SEMICOLON_SEPARATOR) ? ';' : '\0';
	bool quote = opt & WS_HTTP_HEADER_MAPPING_QUOTED_VALUE, inq;
	const char *p = value, *end;
	struct ws_mapped *v;
	char *d, *w, *q, *last;

	for (;;) {
		for (end = p, inq = false; *end != '\0'; end++) {
			if (*end == '"')
				inq = !inq;
			else if (inq && *end == '\\' && end[1] != '\0')
				end++;
			else if (!inq && sepc != '\0' && *end == sepc)
				break;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((d = strndup(p, (size_t)(end - p))) == NULL)
			return -1;
		if (quote && end - p >= 2 && *p == '"' && end[-1] == '"') {
			/* Unescape in place, without the quotes. */
			last = d + (end - p) - 1;
			for (q = d + 1, w = d; q < last; q++) {
				if (*q == '\\' && q + 1 < last)
					q++;
				*w++ = *q;
			}
			*w = '\0';
		}
		if ((v = realloc(*list, (*n + 1) * sizeof(*v))) == NULL ||
		    (v[*n].name = strdup(name)) == NULL) {
			if (v != NULL)
				*list = v;
			free(d);
			return -1;
		}
		*list = v;
		v[*n].value = d;
		(*n)++;
		while (*end != '\0' && *end != sepc)
			end++;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

/* The received HTTP headers the mapping names become the message's
 * mapped headers (MS: only those). */
HRESULT
ws_header_mapped_unpack(WS_CHANNEL *ch, WS_MESSAGE *m,
    const Wschannel__Envelope *e)
{
	WS_HTTP_HEADER_MAPPING **map;
	struct ws_mapped *list = NULL;
	size_t i, n = 0, old;
	ULONG nmap, j;

	map = ws_header_mappings(ch, false, &nmap);
	for (i = 0; map != NULL && i < e->n_http_headers; i++) {
		const Wschannel__HttpHeader *h = e->http_headers[i];

		if (h->name == NULL || h->value == NULL)
			continue;
		for (j = 0; j < nmap; j++)
			if (ws_header_name_is(&map[j]->headerName, h->name))
				break;
		if (j < nmap && ws_header_take_values(&list, &n, h->name,
		    h->value, map[j]->headerMappingOptions) != 0)
			goto nomem;
	}
	pthread_mutex_lock(&m->lock);
	for (old = 0; old < m->nmapped; old++) {
		free(m->mapped[old].name);
		free(m->mapped[old].value);
	}
	free(m->mapped);
	m->mapped = list;
	m->nmapped = n;
	pthread_mutex_unlock(&m->lock);
	return S_OK;
nomem:
	for (i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].value);
	}
	free(list);
	return E_OUTOFMEMORY;
}

/* ---- WS_ENCODING_RAW ---------------------------------------------------- */

/*
 * A raw channel's message has no envelope: its body is bytes, which the
 * message holds as the base64 text of a document in the raw XML encoding
 * (WS_XML_WRITER_RAW_ENCODING: WsWriteBytes through the body writer,
 * WsReadBytes through the body reader, a WS_BYTES_TYPE body without an
 * element name); the daemon carries the bytes themselves.  The request's
 * method and the response's status are mapped headers named "Verb",
 * "StatusCode" and "StatusText" (MS) when the mapping's request and
 * response options say so.
 */
#define WS_HEADER_VERB		"Verb"
#define WS_HEADER_STATUS_CODE	"StatusCode"
#define WS_HEADER_STATUS_TEXT	"StatusText"

bool
ws_header_raw(const WS_CHANNEL *ch)
{
	return ch->mapping != NULL && ch->mapping->raw;
}

/* The first mapped header `name` of the message, or NULL (m->lock). */
static const char *
ws_header_mapped_find(const WS_MESSAGE *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nmapped; i++)
		if (strcasecmp(m->mapped[i].name, name) == 0)
			return m->mapped[i].value;
	return NULL;
}

static int
ws_header_mapped_append(WS_MESSAGE *m, const char *name, const char *value)
{
	struct ws_mapped *v;
	char *n, *d;

	if ((n = strdup(name)) == NULL || (d = strdup(value)) == NULL) {
		free(n);
		return -1;
	}
	if ((v = realloc(m->mapped, (m->nmapped + 1) * sizeof(*v))) == NULL) {
		free(n);
		free(d);
		return -1;
	}
	m->mapped = v;
	v[m->nmapped].name = n;
	v[m->nmapped++].value = d;
	return 0;
}

void
ws_header_raw_pack_free(Wschannel__Envelope *env, uint8_t *raw)
{
	free(env->http_verb);
	free(env->http_status_text);
	env->http_verb = env->http_status_text = NULL;
	free(raw);
}

/*
 * The method or status a raw message sends, and its body as bytes, into
 * `env` (whose body is the message's text); *raw holds what
 * ws_header_raw_pack_free releases.  S_OK, or E_INVALIDARG /
 * WS_E_INVALID_FORMAT / E_OUTOFMEMORY with a string in `error`.
 */
HRESULT
ws_header_raw_pack(WS_CHANNEL *ch, WS_MESSAGE *m, Wschannel__Envelope *env,
    uint8_t **raw, WS_ERROR *error, const char *api)
{
	const WS_HTTP_MESSAGE_MAPPING *p;
	const char *verb = NULL, *code = NULL, *text = NULL;
	struct xml_out o;
	unsigned long v;
	char *end;

	*raw = NULL;
	if (!ws_header_raw(ch))
		return S_OK;
	p = &ch->mapping->pub;
	pthread_mutex_lock(&m->lock);
	if (ch->type == WS_CHANNEL_TYPE_REQUEST &&
	    (p->requestMappingOptions & WS_HTTP_REQUEST_MAPPING_VERB))
		verb = ws_header_mapped_find(m, WS_HEADER_VERB);
	if (ch->type == WS_CHANNEL_TYPE_REPLY &&
	    (p->responseMappingOptions & WS_HTTP_RESPONSE_MAPPING_STATUS_CODE))
		code = ws_header_mapped_find(m, WS_HEADER_STATUS_CODE);
	if (ch->type == WS_CHANNEL_TYPE_REPLY &&
	    (p->responseMappingOptions & WS_HTTP_RESPONSE_MAPPING_STATUS_TEXT))
		text = ws_header_mapped_find(m, WS_HEADER_STATUS_TEXT);
	if (verb != NULL && !httphdr_name_ok(verb, strlen(verb))) {
		pthread_mutex_unlock(&m->lock);
		return ws_error_fail(error, E_INVALIDARG, "%s: the mapped "
		    "header Verb (\"%s\") is not an HTTP method token", api,
		    verb);
	}
	if (code != NULL) {
		v = strtoul(code, &end, 10);
		if (*code < '0' || *code > '9' || *end != '\0' || v < 100 ||
		    v > 999) {
			pthread_mutex_unlock(&m->lock);
			return ws_error_fail(error, E_INVALIDARG, "%s: the "
			    "mapped header StatusCode (\"%s\") is not an HTTP "
			    "status of 100..999", api, code);
		}
		env->has_http_status = true;
		env->http_status = (uint32_t)v;
	}
	if ((verb != NULL && (env->http_verb = strdup(verb)) == NULL) ||
	    (text != NULL && (env->http_status_text = strdup(text)) == NULL)) {
		pthread_mutex_unlock(&m->lock);
		ws_header_raw_pack_free(env, NULL);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	pthread_mutex_unlock(&m->lock);
	/* The body writer's text is base64 of the bytes (raw XML). */
	memset(&o, 0, sizeof(o));
	if (env->has_body && env->body.len > 0 && ws_body_base64_decode(
	    env->body.data, env->body.len, &o) != 0) {
		xml_out_free(&o);
		ws_header_raw_pack_free(env, NULL);
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: the body "
		    "of a WS_ENCODING_RAW message is bytes: write it with "
		    "WsWriteBytes or a WS_BYTES_TYPE body without an element "
		    "name", api);
	}
	if (o.oom) {
		xml_out_free(&o);
		ws_header_raw_pack_free(env, NULL);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	env->has_body = o.len > 0;
	env->body.data = o.p;
	env->body.len = o.len;
	*raw = o.p;
	return S_OK;
}

/* An HTTP status a raw channel does not map, as the SOAP binding's error
 * (bindings.md, response mapping). */
static HRESULT
ws_header_raw_status_hr(uint32_t status)
{
	switch (status) {
	case 404:
		return WS_E_ENDPOINT_NOT_FOUND;
	case 413:
		return WS_E_QUOTA_EXCEEDED;
	case 503:
		return WS_E_ENDPOINT_TOO_BUSY;
	default:
		return WS_E_ENDPOINT_FAILURE;
	}
}

/*
 * A received raw message: its bytes become the body's base64 text, its
 * method or status the mapped headers the mapping asks for.  A response
 * whose status is not 2xx is an error unless the mapping maps
 * StatusCode (then the application reads it).
 */
HRESULT
ws_header_raw_unpack(WS_CHANNEL *ch, WS_MESSAGE *m,
    const Wschannel__Envelope *e, WS_ERROR *error, const char *api)
{
	const WS_HTTP_MESSAGE_MAPPING *p;
	struct xml_out o;
	char code[16];
	bool oom = false;

	if (!ws_header_raw(ch))
		return S_OK;
	p = &ch->mapping->pub;
	if (ch->type == WS_CHANNEL_TYPE_REQUEST && e->has_http_status &&
	    (e->http_status < 200 || e->http_status > 299) &&
	    !(p->responseMappingOptions & WS_HTTP_RESPONSE_MAPPING_STATUS_CODE))
		return ws_error_fail(error, ws_header_raw_status_hr(
		    e->http_status), "%s: the server answered HTTP %u %s", api,
		    (unsigned)e->http_status, e->http_status_text != NULL ?
		    e->http_status_text : "");
	memset(&o, 0, sizeof(o));
	pthread_mutex_lock(&m->lock);
	if (m->body_len > 0) {
		xml_base64_encode(&o, m->body, m->body_len);
		if (!o.oom) {
			free(m->body);
			m->body = o.p;
			m->body_len = o.len;
			m->body_next = 0;
		} else
			oom = true;
	}
	if (ch->type == WS_CHANNEL_TYPE_REPLY && e->http_verb != NULL &&
	    (p->requestMappingOptions & WS_HTTP_REQUEST_MAPPING_VERB))
		oom |= ws_header_mapped_append(m, WS_HEADER_VERB,
		    e->http_verb) != 0;
	if (ch->type == WS_CHANNEL_TYPE_REQUEST && e->has_http_status &&
	    (p->responseMappingOptions &
	    WS_HTTP_RESPONSE_MAPPING_STATUS_CODE)) {
		snprintf(code, sizeof(code), "%u", (unsigned)e->http_status);
		oom |= ws_header_mapped_append(m, WS_HEADER_STATUS_CODE,
		    code) != 0;
	}
	if (ch->type == WS_CHANNEL_TYPE_REQUEST &&
	    e->http_status_text != NULL && (p->responseMappingOptions &
	    WS_HTTP_RESPONSE_MAPPING_STATUS_TEXT))
		oom |= ws_header_mapped_append(m, WS_HEADER_STATUS_TEXT,
		    e->http_status_text) != 0;
	pthread_mutex_unlock(&m->lock);
	if (oom) {
		if (o.oom)
			xml_out_free(&o);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	return S_OK;
}

/* ---- numbers as mapped header values ------------------------------------ */

bool
ws_header_number_type(WS_TYPE t)
{
	return t == WS_UINT16_TYPE || t == WS_UINT32_TYPE ||
	    t == WS_INT32_TYPE || t == WS_UINT64_TYPE;
}

static size_t
ws_header_number_size(WS_TYPE t)
{
	return t == WS_UINT16_TYPE ? 2 : t == WS_UINT64_TYPE ? 8 : 4;
}

/* A number (WS_UINT32_TYPE: the MS REST sample's StatusCode) as the
 * decimal text a mapped header holds. */
HRESULT
ws_header_number_encode(WS_TYPE t, WS_WRITE_OPTION opt, const void *value,
    ULONG size, char **text, WS_ERROR *error, const char *api)
{
	const void *p = value;
	char buf[32];
	uint16_t u16;
	uint32_t u32;
	int32_t i32;
	uint64_t u64;

	if (opt == WS_WRITE_REQUIRED_POINTER) {
		if (value == NULL || size != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG, "%s: a "
			    "pointer value is %zu bytes", api, sizeof(void *));
		memcpy(&p, value, sizeof(p));
	} else if (opt != WS_WRITE_REQUIRED_VALUE)
		return ws_error_fail(error, E_INVALIDARG, "%s: a number is "
		    "written as WS_WRITE_REQUIRED_VALUE or _POINTER", api);
	else if (size != ws_header_number_size(t))
		return ws_error_fail(error, E_INVALIDARG, "%s: a value of type "
		    "%d is %zu bytes", api, (int)t, ws_header_number_size(t));
	if (p == NULL)
		return ws_error_fail(error, E_INVALIDARG, "%s: NULL value", api);
	switch (t) {
	case WS_UINT16_TYPE:
		memcpy(&u16, p, sizeof(u16));
		snprintf(buf, sizeof(buf), "%u", (unsigned)u16);
		break;
	case WS_INT32_TYPE:
		memcpy(&i32, p, sizeof(i32));
		snprintf(buf, sizeof(buf), "%d", (int)i32);
		break;
	case WS_UINT64_TYPE:
		memcpy(&u64, p, sizeof(u64));
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u64);
		break;
	default:
		memcpy(&u32, p, sizeof(u32));
		snprintf(buf, sizeof(buf), "%u", (unsigned)u32);
		break;
	}
	if ((*text = strdup(buf)) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	return S_OK;
}

/* The decimal text of a mapped header as a number of type `t`. */
HRESULT
ws_header_number_decode(const char *text, WS_TYPE t, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, ULONG size, WS_ERROR *error, const char *api)
{
	unsigned long long u;
	long long s;
	size_t n = ws_header_number_size(t);
	uint16_t u16;
	uint32_t u32;
	int32_t i32;
	uint64_t u64;
	void *dst = value, *mem;
	char *end;
	HRESULT hr;

	errno = 0;
	if (t == WS_INT32_TYPE) {
		s = strtoll(text, &end, 10);
		u = 0;
	} else {
		u = strtoull(text, &end, 10);
		s = 0;
	}
	if (*text == '\0' || *end != '\0' || errno != 0 ||
	    (t != WS_INT32_TYPE && *text == '-') ||
	    (t == WS_UINT16_TYPE && u > 0xffff) ||
	    (t == WS_UINT32_TYPE && u > 0xffffffffull) ||
	    (t == WS_INT32_TYPE && (s < INT32_MIN || s > INT32_MAX)))
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: the "
		    "mapped header value \"%s\" is not a number of type %d",
		    api, text, (int)t);
	u16 = (uint16_t)u;
	u32 = (uint32_t)u;
	i32 = (int32_t)s;
	u64 = (uint64_t)u;
	if (opt == WS_READ_REQUIRED_VALUE) {
		if (value == NULL || size != n)
			return ws_error_fail(error, E_INVALIDARG, "%s: a value "
			    "of type %d is %zu bytes", api, (int)t, n);
	} else {
		if (value == NULL || size != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG, "%s: a "
			    "pointer value is %zu bytes", api, sizeof(void *));
		if ((mem = ws_heap_alloc(heap, n, &hr)) == NULL)
			return ws_error_fail(error, hr, "%s: no heap space", api);
		memcpy(value, &mem, sizeof(mem));
		dst = mem;
	}
	memcpy(dst, t == WS_UINT16_TYPE ? (void *)&u16 : t == WS_INT32_TYPE ?
	    (void *)&i32 : t == WS_UINT64_TYPE ? (void *)&u64 : (void *)&u32, n);
	return S_OK;
}
