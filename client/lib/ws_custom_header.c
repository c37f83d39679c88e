/*
 * The headers of a message beyond the addressing ones: custom headers
 * (WsAddCustomHeader, WsGetCustomHeader, WsRemoveCustomHeader), their
 * mustUnderstand and relay attributes (WsGetHeaderAttributes,
 * WsCheckMustUnderstandHeaders, WsMarkHeaderAsUnderstood) and mapped
 * headers, which stand for HTTP headers on the message.
 *
 * Each custom header is kept as the standalone UTF-8 XML of its element,
 * written and read through the public XML writer and reader, so that any
 * WS_ELEMENT_DESCRIPTION they take works here too.  The daemon carries the
 * list as Envelope.headers and writes it into soap:Header.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "xml_internal.h"
#include "httphdr.h"

#define NS_SOAP11	"http://schemas.xmlsoap.org/soap/envelope/"
#define NS_SOAP12	"http://www.w3.org/2003/05/soap-envelope"

/* Every known attribute bit. */
#define WS_HEADER_ATTRIBUTES_ALL \
	(WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE | WS_RELAY_HEADER_ATTRIBUTE)

const char *
ws_custom_header_soap_ns(WS_ENVELOPE_VERSION v)
{
	switch (v) {
	case WS_ENVELOPE_VERSION_SOAP_1_1:
		return NS_SOAP11;
	case WS_ENVELOPE_VERSION_SOAP_1_2:
		return NS_SOAP12;
	default:
		return "";
	}
}

int
ws_custom_header_pack(WS_MESSAGE *m, uint8_t **out, size_t *len)
{
	size_t i, n = 0;
	uint8_t *p;

	*out = NULL;
	*len = 0;
	for (i = 0; i < m->nxh; i++)
		n += m->xh[i].len;
	if (n == 0)
		return 0;
	if ((p = malloc(n)) == NULL)
		return -ENOMEM;
	for (n = 0, i = 0; i < m->nxh; i++) {
		memcpy(p + n, m->xh[i].xml, m->xh[i].len);
		n += m->xh[i].len;
	}
	free(m->xh_blob);
	m->xh_blob = p;
	*out = p;
	*len = n;
	return 0;
}

/* ---- XML helpers -------------------------------------------------------- */

static HRESULT
ws_custom_header_reader(const uint8_t *xml, size_t len, WS_XML_READER **out,
    WS_ERROR *error)
{
	static const WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	BOOL frag = TRUE;
	WS_XML_READER_PROPERTY p = { WS_XML_READER_PROPERTY_ALLOW_FRAGMENT,
	    &frag, sizeof(frag) };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)xml, (ULONG)len };
	HRESULT hr;

	if ((hr = WsCreateReader(&p, 1, out, error)) != S_OK)
		return hr;
	if ((hr = WsSetInput(*out, &enc.encoding, &in.input, NULL, 0,
	    error)) != S_OK) {
		WsFreeReader(*out);
		*out = NULL;
	}
	return hr;
}

static HRESULT
ws_custom_header_writer(WS_XML_WRITER **out, WS_ERROR *error)
{
	static const WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BUFFER_OUTPUT bo = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	ULONG max = UINT32_MAX;
	WS_XML_WRITER_PROPERTY p = { WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE,
	    &max, sizeof(max) };
	HRESULT hr;

	if ((hr = WsCreateWriter(&p, 1, out, error)) != S_OK)
		return hr;
	if ((hr = WsSetOutput(*out, &enc.encoding, &bo.output, NULL, 0,
	    error)) != S_OK) {
		WsFreeWriter(*out);
		*out = NULL;
	}
	return hr;
}

/* What the writer wrote, malloc'd. */
static HRESULT
ws_custom_header_bytes(WS_XML_WRITER *w, uint8_t **out, size_t *len,
    WS_ERROR *error)
{
	WS_BYTES b;
	HRESULT hr;

	if ((hr = WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES, &b,
	    sizeof(b), error)) != S_OK)
		return hr;
	if ((*out = malloc(b.length > 0 ? b.length : 1)) == NULL)
		return E_OUTOFMEMORY;
	memcpy(*out, b.bytes, b.length);
	*len = b.length;
	return S_OK;
}

static char *
ws_custom_header_str(const WS_XML_STRING *s)
{
	if (s == NULL)
		return strdup("");
	return strndup((const char *)s->bytes, s->length);
}

static bool
ws_custom_header_is(const WS_XML_STRING *s, const char *want)
{
	return s != NULL && strlen(want) == s->length &&
	    memcmp(s->bytes, want, s->length) == 0;
}

/* The mustUnderstand and relay attributes of an element, for the SOAP
 * namespace given (either version when it is ""). */
static ULONG
ws_custom_header_attrs_of(const WS_XML_ELEMENT_NODE *e, const char *soap)
{
	struct xml_out o;
	ULONG attrs = 0, i;
	bool yes;

	for (i = 0; i < e->attributeCount; i++) {
		const WS_XML_ATTRIBUTE *a = e->attributes[i];

		if (a->isXmlNs || a->value == NULL)
			continue;
		if (*soap != '\0' ? !ws_custom_header_is(a->ns, soap) :
		    !ws_custom_header_is(a->ns, NS_SOAP11) &&
		    !ws_custom_header_is(a->ns, NS_SOAP12))
			continue;
		memset(&o, 0, sizeof(o));
		if (xml_text_format(a->value, &o) != S_OK || o.oom) {
			xml_out_free(&o);
			continue;
		}
		yes = (o.len == 1 && o.p[0] == '1') ||
		    (o.len == 4 && memcmp(o.p, "true", 4) == 0);
		xml_out_free(&o);
		if (!yes)
			continue;
		if (ws_custom_header_is(a->localName, "mustUnderstand"))
			attrs |= WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE;
		else if (ws_custom_header_is(a->localName, "relay"))
			attrs |= WS_RELAY_HEADER_ATTRIBUTE;
	}
	return attrs;
}

/* Appends the element at the reader as a header; the reader moves past
 * it.  With m->lock held. */
HRESULT
ws_custom_header_take(WS_MESSAGE *m, WS_XML_READER *r, WS_ERROR *error,
    const char *api)
{
	const WS_XML_NODE *node;
	const WS_XML_ELEMENT_NODE *e;
	struct ws_xheader x, *n;
	WS_XML_WRITER *w = NULL;
	HRESULT hr;

	memset(&x, 0, sizeof(x));
	if ((hr = WsGetReaderNode(r, &node, error)) != S_OK)
		return hr;
	if (node->nodeType != WS_XML_NODE_TYPE_ELEMENT)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: a header is not an element", api);
	e = (const WS_XML_ELEMENT_NODE *)node;
	x.name = ws_custom_header_str(e->localName);
	x.ns = ws_custom_header_str(e->ns);
	x.attrs = ws_custom_header_attrs_of(e,
	    ws_custom_header_soap_ns(m->envelope_version));
	if (x.name == NULL || x.ns == NULL) {
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
		goto out;
	}
	if ((hr = ws_custom_header_writer(&w, error)) != S_OK ||
	    (hr = WsCopyNode(w, r, error)) != S_OK ||
	    (hr = ws_custom_header_bytes(w, &x.xml, &x.len, error)) != S_OK)
		goto out;
	if ((n = realloc(m->xh, (m->nxh + 1) * sizeof(*n))) == NULL) {
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
		goto out;
	}
	m->xh = n;
	m->xh[m->nxh++] = x;
	memset(&x, 0, sizeof(x));
out:
	WsFreeWriter(w);
	ws_message_xheader_free(&x);
	return hr;
}

/* Skips to the next element or the end; *found tells which. */
static HRESULT
ws_custom_header_next(WS_XML_READER *r, bool *found, WS_ERROR *error)
{
	const WS_XML_NODE *node;
	HRESULT hr;

	for (;;) {
		if ((hr = WsGetReaderNode(r, &node, error)) != S_OK)
			return hr;
		if (node->nodeType == WS_XML_NODE_TYPE_ELEMENT) {
			*found = true;
			return S_OK;
		}
		if (node->nodeType == WS_XML_NODE_TYPE_EOF) {
			*found = false;
			return S_OK;
		}
		if ((hr = WsReadNode(r, error)) != S_OK)
			return hr;
	}
}

/* With m->lock held: the received header elements become the list. */
HRESULT
ws_custom_header_unpack(WS_MESSAGE *m, const uint8_t *xml, size_t len)
{
	WS_XML_READER *r = NULL;
	bool found;
	HRESULT hr;

	ws_message_xheaders_clear(m);
	if (xml == NULL || len == 0)
		return S_OK;
	if ((hr = ws_custom_header_reader(xml, len, &r, NULL)) != S_OK)
		return hr;
	while ((hr = ws_custom_header_next(r, &found, NULL)) == S_OK && found)
		if ((hr = ws_custom_header_take(m, r, NULL, "unpack")) != S_OK)
			break;
	WsFreeReader(r);
	return hr;
}

/* ---- custom headers ----------------------------------------------------- */

static bool
ws_custom_header_matches(const struct ws_xheader *x, const WS_XML_STRING *name,
    const WS_XML_STRING *ns)
{
	return ws_custom_header_is(name, x->name) &&
	    ws_custom_header_is(ns, x->ns);
}

/* Writes the header element: start, attributes, content by type. */
static HRESULT
ws_custom_header_write(WS_MESSAGE *m, const WS_ELEMENT_DESCRIPTION *d,
    WS_WRITE_OPTION opt, const void *value, ULONG size, ULONG attrs,
    uint8_t **out, size_t *len, WS_ERROR *error)
{
	static const WS_XML_STRING s = { 1, (BYTE *)"s", NULL, 0 };
	const char *soap = ws_custom_header_soap_ns(m->envelope_version);
	WS_XML_STRING soapns = { (ULONG)strlen(soap), (BYTE *)soap, NULL, 0 };
	WS_XML_WRITER *w;
	HRESULT hr;

	if ((hr = ws_custom_header_writer(&w, error)) != S_OK)
		return hr;
	if ((hr = WsWriteStartElement(w, NULL, d->elementLocalName,
	    d->elementNs, error)) != S_OK)
		goto out;
	if (attrs & WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE) {
		static const WS_XML_STRING mu = WS_XML_STRING_VALUE(
		    "mustUnderstand");

		if ((hr = WsWriteStartAttribute(w, &s, &mu, &soapns, FALSE,
		    error)) != S_OK ||
		    (hr = WsWriteCharsUtf8(w, (const BYTE *)"1", 1,
		    error)) != S_OK ||
		    (hr = WsWriteEndAttribute(w, error)) != S_OK)
			goto out;
	}
	if (attrs & WS_RELAY_HEADER_ATTRIBUTE) {
		static const WS_XML_STRING relay = WS_XML_STRING_VALUE("relay");

		if ((hr = WsWriteStartAttribute(w, &s, &relay, &soapns, FALSE,
		    error)) != S_OK ||
		    (hr = WsWriteCharsUtf8(w, (const BYTE *)"true", 4,
		    error)) != S_OK ||
		    (hr = WsWriteEndAttribute(w, error)) != S_OK)
			goto out;
	}
	if ((hr = WsWriteType(w, WS_ELEMENT_TYPE_MAPPING, d->type,
	    d->typeDescription, opt, value, size, error)) != S_OK ||
	    (hr = WsWriteEndElement(w, error)) != S_OK)
		goto out;
	hr = ws_custom_header_bytes(w, out, len, error);
out:
	WsFreeWriter(w);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsAddCustomHeader(WS_MESSAGE *message,
    const WS_ELEMENT_DESCRIPTION *headerDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    ULONG headerAttributes, WS_ERROR *error)
{
	static const char api[] = "WsAddCustomHeader";
	const WS_ELEMENT_DESCRIPTION *d = headerDescription;
	struct ws_xheader x, *n;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || d == NULL ||
	    d->elementLocalName == NULL || d->elementNs == NULL)
		return ws_error_fail(error, E_INVALIDARG, "%s: invalid message "
		    "or a description without element name and namespace",
		    api);
	if (headerAttributes & ~(ULONG)WS_HEADER_ATTRIBUTES_ALL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown header attributes 0x%x", api,
		    (unsigned)headerAttributes);
	memset(&x, 0, sizeof(x));
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (message->envelope_version == WS_ENVELOPE_VERSION_NONE)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: a message without envelope has no headers", api);
	else if ((headerAttributes & WS_RELAY_HEADER_ATTRIBUTE) &&
	    message->envelope_version != WS_ENVELOPE_VERSION_SOAP_1_2)
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: the relay attribute is SOAP 1.2 only", api);
	else if ((hr = ws_custom_header_write(message, d, writeOption, value,
	    valueSize, headerAttributes, &x.xml, &x.len, error)) == S_OK) {
		x.name = ws_custom_header_str(d->elementLocalName);
		x.ns = ws_custom_header_str(d->elementNs);
		x.attrs = headerAttributes;
		n = x.name == NULL || x.ns == NULL ? NULL :
		    realloc(message->xh, (message->nxh + 1) * sizeof(*n));
		if (n == NULL) {
			ws_message_xheader_free(&x);
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		} else {
			message->xh = n;
			message->xh[message->nxh++] = x;
		}
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* The index (in m->xh) of the header to read, or -1 when there is none;
 * WS_E_INVALID_FORMAT for a singleton that appears more than once. */
static HRESULT
ws_custom_header_find(WS_MESSAGE *m, const WS_XML_STRING *name,
    const WS_XML_STRING *ns, WS_REPEATING_HEADER_OPTION rep, ULONG index,
    long *at, WS_ERROR *error, const char *api)
{
	size_t i, seen = 0;

	*at = -1;
	for (i = 0; i < m->nxh; i++) {
		if (!ws_custom_header_matches(&m->xh[i], name, ns))
			continue;
		if (seen == index && *at < 0)
			*at = (long)i;
		seen++;
	}
	if (rep == WS_SINGLETON_HEADER && seen > 1)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: header %.*s appears %zu times but is a singleton",
		    api, (int)name->length, name->bytes, seen);
	return S_OK;
}

/* Nothing to read: a NULL pointer where the option allows it. */
static HRESULT
ws_custom_header_absent(WS_READ_OPTION opt, void *value, ULONG size,
    WS_ERROR *error, const char *api)
{
	void *null = NULL;

	if (opt != WS_READ_OPTIONAL_POINTER && opt != WS_READ_NILLABLE_POINTER)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the message has no such header", api);
	if (value == NULL || size != sizeof(void *))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: a pointer value is %zu bytes", api, sizeof(void *));
	memcpy(value, &null, sizeof(null));
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetCustomHeader(WS_MESSAGE *message,
    const WS_ELEMENT_DESCRIPTION *customHeaderDescription,
    WS_REPEATING_HEADER_OPTION repeatingOption, ULONG headerIndex,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    ULONG *headerAttributes, WS_ERROR *error)
{
	static const char api[] = "WsGetCustomHeader";
	const WS_ELEMENT_DESCRIPTION *d = customHeaderDescription;
	WS_XML_READER *r = NULL;
	uint8_t *xml = NULL;
	size_t len = 0;
	ULONG attrs = 0;
	long at;
	HRESULT hr;

	if (!ws_message_valid(message) || d == NULL ||
	    d->elementLocalName == NULL || d->elementNs == NULL ||
	    (heap != NULL && !ws_heap_valid(heap)))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, heap or description", api);
	if (repeatingOption != WS_REPEATING_HEADER &&
	    repeatingOption != WS_SINGLETON_HEADER)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid repeating option %d", api,
		    (int)repeatingOption);
	if (repeatingOption == WS_SINGLETON_HEADER && headerIndex != 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: a singleton header has index 0 only", api);
	if (readOption < WS_READ_REQUIRED_VALUE ||
	    readOption > WS_READ_NILLABLE_VALUE)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid read option %d", api, (int)readOption);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY", api);
		goto unlock;
	}
	if ((hr = ws_custom_header_find(message, d->elementLocalName,
	    d->elementNs, repeatingOption, headerIndex, &at, error,
	    api)) != S_OK)
		goto unlock;
	if (at >= 0) {
		len = message->xh[at].len;
		attrs = message->xh[at].attrs;
		if ((xml = malloc(len > 0 ? len : 1)) == NULL) {
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
			goto unlock;
		}
		memcpy(xml, message->xh[at].xml, len);
		/* Reading a header is understanding it. */
		message->xh[at].understood = true;
	}
	if (heap == NULL && (heap = ws_message_heap_locked(message)) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
unlock:
	pthread_mutex_unlock(&message->lock);
	if (hr != S_OK) {
		free(xml);
		return hr;
	}
	if (xml == NULL)
		return ws_custom_header_absent(readOption, value, valueSize,
		    error, api);
	if ((hr = ws_custom_header_reader(xml, len, &r, error)) == S_OK)
		hr = WsReadElement(r, d, readOption, heap, value, valueSize,
		    error);
	WsFreeReader(r);
	free(xml);
	if (hr == S_OK && headerAttributes != NULL)
		*headerAttributes = attrs;
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsRemoveCustomHeader(WS_MESSAGE *message, const WS_XML_STRING *headerName,
    const WS_XML_STRING *headerNs, WS_ERROR *error)
{
	static const char api[] = "WsRemoveCustomHeader";
	size_t i, j;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || headerName == NULL ||
	    headerNs == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, NULL name or namespace", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	} else {
		/* Every instance goes; none there is fine. */
		for (i = j = 0; i < message->nxh; i++) {
			if (ws_custom_header_matches(&message->xh[i],
			    headerName, headerNs))
				ws_message_xheader_free(&message->xh[i]);
			else
				message->xh[j++] = message->xh[i];
		}
		message->nxh = j;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* ---- attributes and mustUnderstand -------------------------------------- */

WS_EXPORT HRESULT WINAPI
WsGetHeaderAttributes(WS_MESSAGE *message, WS_XML_READER *reader,
    ULONG *headerAttributes, WS_ERROR *error)
{
	static const char api[] = "WsGetHeaderAttributes";
	const WS_XML_NODE *node;
	WS_ENVELOPE_VERSION env;
	WS_MESSAGE_STATE state;
	HRESULT hr;

	if (!ws_message_valid(message) || reader == NULL ||
	    headerAttributes == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, NULL reader or result", api);
	pthread_mutex_lock(&message->lock);
	env = message->envelope_version;
	state = message->state;
	pthread_mutex_unlock(&message->lock);
	if (state == WS_MESSAGE_STATE_EMPTY)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY", api);
	if ((hr = WsGetReaderNode(reader, &node, error)) != S_OK)
		return hr;
	if (node->nodeType != WS_XML_NODE_TYPE_ELEMENT)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the reader is not on a header element", api);
	*headerAttributes = ws_custom_header_attrs_of(
	    (const WS_XML_ELEMENT_NODE *)node, ws_custom_header_soap_ns(env));
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsCheckMustUnderstandHeaders(WS_MESSAGE *message, WS_ERROR *error)
{
	static const char api[] = "WsCheckMustUnderstandHeaders";
	HRESULT hr = S_OK;
	size_t i;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_READING) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being read", api);
		goto out;
	}
	for (i = 0; i < message->nxh; i++) {
		const struct ws_xheader *x = &message->xh[i];

		if ((x->attrs & WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE) &&
		    !x->understood) {
			hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the header {%s}%s must be understood and was "
			    "not", api, x->ns, x->name);
			break;
		}
	}
out:
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* The index of the header a position in the header buffer names. */
static long
ws_custom_header_at(WS_MESSAGE *m, const WS_XML_NODE_POSITION *pos)
{
	struct xml_pos *p;
	struct xml_node *n, *c;
	long i = 0;

	if (m->header_buffer == NULL || pos->buffer != m->header_buffer ||
	    (p = xml_pos_from(pos, m->header_buffer)) == NULL || p->end)
		return -1;
	for (n = p->node; n != NULL && n->parent != m->header_buffer->root;
	    n = n->parent)
		;
	if (n == NULL || n != p->node || n->kind != XML_KIND_ELEMENT)
		return -1;
	for (c = m->header_buffer->root->first; c != NULL && c != n;
	    c = c->next)
		if (c->kind == XML_KIND_ELEMENT)
			i++;
	return c == n && (size_t)i < m->nxh ? i : -1;
}

WS_EXPORT HRESULT WINAPI
WsMarkHeaderAsUnderstood(WS_MESSAGE *message,
    const WS_XML_NODE_POSITION *headerPosition, WS_ERROR *error)
{
	static const char api[] = "WsMarkHeaderAsUnderstood";
	HRESULT hr = S_OK;
	long at;

	if (!ws_message_valid(message) || headerPosition == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL position", api);
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_READING)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not being read", api);
	else if ((at = ws_custom_header_at(message, headerPosition)) < 0)
		hr = ws_error_fail(error, E_INVALIDARG, "%s: the position is "
		    "not a header element of the message's header buffer "
		    "(WS_MESSAGE_PROPERTY_HEADER_BUFFER)", api);
	else
		message->xh[at].understood = true;
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* ---- mapped headers ----------------------------------------------------- */

static bool
ws_mapped_is(const struct ws_mapped *h, const WS_XML_STRING *name)
{
	/* HTTP header names are case-insensitive. */
	return strlen(h->name) == name->length &&
	    strncasecmp(h->name, (const char *)name->bytes, name->length) == 0;
}

static bool
ws_mapped_type_ok(WS_TYPE t)
{
	return t == WS_STRING_TYPE || t == WS_XML_STRING_TYPE ||
	    t == WS_WSZ_TYPE;
}

WS_EXPORT HRESULT WINAPI
WsAddMappedHeader(WS_MESSAGE *message, const WS_XML_STRING *headerName,
    WS_TYPE valueType, WS_WRITE_OPTION writeOption, const void *value,
    ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsAddMappedHeader";
	struct ws_mapped h, *n;
	char *text = NULL;
	HRESULT hr;

	if (!ws_message_valid(message) || headerName == NULL ||
	    headerName->length == 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or empty header name", api);
	if (!ws_mapped_type_ok(valueType) && !ws_header_number_type(valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: a mapped header is text (WS_STRING_TYPE, "
		    "WS_XML_STRING_TYPE or WS_WSZ_TYPE) or a number, not type "
		    "%d", api, (int)valueType);
	/* It may become an HTTP header: what HTTP cannot carry is refused
	 * here, where the caller can tell which header it was. */
	if (headerName->bytes == NULL ||
	    !httphdr_name_ok((const char *)headerName->bytes,
	    headerName->length))
		return ws_error_fail(error, E_INVALIDARG, "%s: a mapped header "
		    "name must be an HTTP token", api);
	if ((hr = ws_header_number_type(valueType) ?
	    ws_header_number_encode(valueType, writeOption, value, valueSize,
	    &text, error, api) : ws_value_encode(valueType, writeOption, value,
	    valueSize, &text, error, api)) != S_OK)
		return hr;
	if (text != NULL && !httphdr_value_ok(text, strlen(text))) {
		free(text);
		return ws_error_fail(error, E_INVALIDARG, "%s: the value of "
		    "mapped header %.*s holds CR, LF or another control "
		    "character", api, (int)headerName->length,
		    headerName->bytes);
	}
	h.name = strndup((const char *)headerName->bytes, headerName->length);
	h.value = text;
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	} else if (h.name == NULL || (n = realloc(message->mapped,
	    (message->nmapped + 1) * sizeof(*n))) == NULL) {
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	} else {
		message->mapped = n;
		message->mapped[message->nmapped++] = h;
		h.name = h.value = NULL;
	}
	pthread_mutex_unlock(&message->lock);
	free(h.name);
	free(h.value);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsGetMappedHeader(WS_MESSAGE *message, const WS_XML_STRING *headerName,
    WS_REPEATING_HEADER_OPTION repeatingOption, ULONG headerIndex,
    WS_TYPE valueType, WS_READ_OPTION readOption, WS_HEAP *heap, void *value,
    ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsGetMappedHeader";
	char *text = NULL;
	size_t i, seen = 0;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || headerName == NULL ||
	    (heap != NULL && !ws_heap_valid(heap)))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, heap or NULL name", api);
	if ((repeatingOption != WS_REPEATING_HEADER &&
	    repeatingOption != WS_SINGLETON_HEADER) ||
	    (repeatingOption == WS_SINGLETON_HEADER && headerIndex != 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid repeating option or index", api);
	if (!ws_mapped_type_ok(valueType) && !ws_header_number_type(valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: a mapped header is read as text or a number, not type "
		    "%d", api, (int)valueType);
	if ((hr = ws_value_check_read(ws_header_number_type(valueType) ?
	    WS_STRING_TYPE : valueType, readOption, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY", api);
		goto unlock;
	}
	for (i = 0; i < message->nmapped; i++) {
		if (!ws_mapped_is(&message->mapped[i], headerName))
			continue;
		if (seen++ == headerIndex &&
		    (text = strdup(message->mapped[i].value)) == NULL) {
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
			goto unlock;
		}
	}
	if (repeatingOption == WS_SINGLETON_HEADER && seen > 1)
		hr = ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: mapped header %.*s appears %zu times but is a "
		    "singleton", api, (int)headerName->length,
		    headerName->bytes, seen);
	else if (heap == NULL &&
	    (heap = ws_message_heap_locked(message)) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
unlock:
	pthread_mutex_unlock(&message->lock);
	if (hr == S_OK && text == NULL)
		hr = ws_custom_header_absent(readOption, value, valueSize,
		    error, api);
	else if (hr == S_OK && ws_header_number_type(valueType))
		hr = ws_header_number_decode(text, valueType, readOption, heap,
		    value, valueSize, error, api);
	else if (hr == S_OK)
		hr = ws_value_decode(text, valueType, readOption, heap, value,
		    valueSize, error, api);
	free(text);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsRemoveMappedHeader(WS_MESSAGE *message, const WS_XML_STRING *headerName,
    WS_ERROR *error)
{
	static const char api[] = "WsRemoveMappedHeader";
	size_t i, j;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || headerName == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL name", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	} else {
		for (i = j = 0; i < message->nmapped; i++) {
			if (ws_mapped_is(&message->mapped[i], headerName)) {
				free(message->mapped[i].name);
				free(message->mapped[i].value);
			} else
				message->mapped[j++] = message->mapped[i];
		}
		message->nmapped = j;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* ---- copies ------------------------------------------------------------- */

/* Not a Windows call (WS_DUPLICATE_MESSAGE copies the addressing headers
 * only): the whole message, custom and mapped headers and body included,
 * into an EMPTY message of the same versions, which becomes INITIALIZED
 * and can be sent or read from like the source. */
WS_EXPORT HRESULT WINAPI
WsCopyMessage(WS_MESSAGE *message, WS_MESSAGE *sourceMessage,
    WS_ERROR *error)
{
	static const char api[] = "WsCopyMessage";
	WS_MESSAGE tmp;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || !ws_message_valid(sourceMessage) ||
	    message == sourceMessage)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handles", api);
	memset(&tmp, 0, sizeof(tmp));
	/* Copy first: never hold two message locks at once. */
	pthread_mutex_lock(&sourceMessage->lock);
	if (sourceMessage->state == WS_MESSAGE_STATE_EMPTY) {
		pthread_mutex_unlock(&sourceMessage->lock);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the source message is EMPTY", api);
	}
	tmp.envelope_version = sourceMessage->envelope_version;
	tmp.addressing_version = sourceMessage->addressing_version;
	tmp.init = sourceMessage->init;
	tmp.addressed = sourceMessage->addressed;
	/* What the body writer holds is part of the body (when complete). */
	(void)xml_message_body_flush(sourceMessage);
	if (ws_message_headers_copy(&tmp.h, &sourceMessage->h) != 0 ||
	    ws_message_xheaders_copy(&tmp, sourceMessage) != 0 ||
	    (sourceMessage->body_len > 0 &&
	    (tmp.body = malloc(sourceMessage->body_len)) == NULL))
		hr = E_OUTOFMEMORY;
	else if (sourceMessage->body_len > 0) {
		memcpy(tmp.body, sourceMessage->body, sourceMessage->body_len);
		tmp.body_len = sourceMessage->body_len;
	}
	pthread_mutex_unlock(&sourceMessage->lock);
	if (hr != S_OK) {
		ws_error_fail(error, hr, "%s: out of memory", api);
		goto fail;
	}
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the destination message is not EMPTY", api);
	else if (message->envelope_version != tmp.envelope_version ||
	    message->addressing_version != tmp.addressing_version)
		hr = ws_error_fail(error, E_INVALIDARG, "%s: the messages' "
		    "envelope or addressing versions differ", api);
	else {
		message->h = tmp.h;
		message->body = tmp.body;
		message->body_len = tmp.body_len;
		message->body_next = 0;
		message->xh = tmp.xh;
		message->nxh = tmp.nxh;
		message->mapped = tmp.mapped;
		message->nmapped = tmp.nmapped;
		message->init = tmp.init;
		message->addressed = tmp.addressed;
		message->body_copied = true;
		message->state = WS_MESSAGE_STATE_INITIALIZED;
		memset(&tmp, 0, sizeof(tmp));
	}
	pthread_mutex_unlock(&message->lock);
fail:
	ws_message_headers_clear(&tmp.h);
	free(tmp.body);
	ws_message_xheaders_clear(&tmp);
	return hr;
}
