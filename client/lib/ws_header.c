/*
 * The headers of a WS_MESSAGE: WsAddressMessage and the standard
 * addressing headers (WsSetHeader, WsGetHeader, WsRemoveHeader), kept as
 * UTF-8 text in the message and converted to and from the caller's value
 * types by ws_value.c.
 */
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
ws_header_mapping_check_one(const WS_HTTP_HEADER_MAPPING *h, WS_ERROR *error,
    const char *api)
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
	if (httphdr_owned(name, h->headerName.length))
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
		    m->requestHeaderMappings[i], error, api)) != S_OK)
			return hr;
	for (i = 0; i < m->responseHeaderMappingCount; i++)
		if ((hr = ws_header_mapping_check_one(
		    m->responseHeaderMappings[i], error, api)) != S_OK)
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

HRESULT
ws_header_mapping_take(WS_CHANNEL_BINDING binding,
    const WS_CHANNEL_PROPERTY *props, ULONG count, WS_CHANNEL_PROPERTY **rest,
    ULONG *nrest, struct ws_http_mapping **out, WS_ERROR *error,
    const char *api)
{
	const WS_HTTP_MESSAGE_MAPPING *m = NULL;
	WS_CHANNEL_PROPERTY *v;
	WS_ENCODING enc;
	bool raw = false;
	ULONG i, n = 0;
	HRESULT hr;

	*rest = NULL;
	*nrest = count;
	*out = NULL;
	for (i = 0; i < count; i++) {
		if (props[i].id == WS_CHANNEL_PROPERTY_ENCODING &&
		    props[i].value != NULL &&
		    props[i].valueSize == sizeof(enc)) {
			memcpy(&enc, props[i].value, sizeof(enc));
			raw = enc == WS_ENCODING_RAW;
		}
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
	if (m == NULL)
		return S_OK;
	if ((hr = ws_header_mapping_check(m, raw, error, api)) != S_OK)
		return hr;
	if ((v = calloc(count - n + 1, sizeof(*v))) == NULL ||
	    (*out = ws_header_mapping_copy(m)) == NULL) {
		free(v);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	for (i = n = 0; i < count; i++)
		if (props[i].id != WS_CHANNEL_PROPERTY_HTTP_MESSAGE_MAPPING)
			v[n++] = props[i];
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
