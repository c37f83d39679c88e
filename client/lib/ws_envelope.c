/*
 * A WS_MESSAGE to and from the daemon's Envelope (proto/wschannel.proto):
 * the addressing headers, the other header elements and the body as the
 * daemon carries them.  The daemon writes the wire form of what travels;
 * WsWriteEnvelopeStart/End and WsReadEnvelopeStart/End write and read the
 * same soap:Envelope through the caller's XML writer or reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

#define NS_WSA10	"http://www.w3.org/2005/08/addressing"
#define NS_WSA09	"http://schemas.xmlsoap.org/ws/2004/08/addressing"

/* With m->lock held (or m busy): the envelope to send, pointing into m. */
void
ws_envelope_pack(WS_MESSAGE *m, Wschannel__Envelope *env)
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
	/* The joined headers stay in the message until the next pack; out
	 * of memory here is out of memory for the daemon's copy too, so the
	 * headers would be the least of it. */
	if (ws_custom_header_pack(m, &env->headers.data,
	    &env->headers.len) == 0 && env->headers.len > 0)
		env->has_headers = true;
}

/* Copies the received envelope into the message: the reply's buffer is
 * released once the call completes. */
int
ws_envelope_unpack(WS_MESSAGE *m, const Wschannel__Envelope *e)
{
	struct ws_headers view, h;
	uint8_t *body = NULL;

	/* The envelope's strings seen as headers, to copy them in one go. */
	memset(&view, 0, sizeof(view));
	view.action = e->action;
	view.to = e->to;
	view.message_id = e->message_id;
	view.relates_to = e->relates_to;
	view.reply_to = e->reply_to;
	view.fault_to = e->fault_to;
	view.fault_reason = e->fault_reason;
	view.is_fault = e->has_is_fault && e->is_fault;
	if (ws_message_headers_copy(&h, &view) != 0)
		return -ENOMEM;
	if (e->has_body && e->body.len > 0) {
		if ((body = malloc(e->body.len)) == NULL) {
			ws_message_headers_clear(&h);
			return -ENOMEM;
		}
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
	if (ws_custom_header_unpack(m, e->has_headers ? e->headers.data : NULL,
	    e->has_headers ? e->headers.len : 0) != S_OK) {
		pthread_mutex_unlock(&m->lock);
		return -ENOMEM;
	}
	pthread_mutex_unlock(&m->lock);
	return 0;
}

bool
ws_envelope_action_matches(const WS_XML_STRING *want, const char *got)
{
	/* No action in the description takes any message; a message without
	 * an action (addressing TRANSPORT) cannot be told apart. */
	if (want == NULL || got == NULL)
		return true;
	return strlen(got) == want->length &&
	    (want->length == 0 || memcmp(got, want->bytes, want->length) == 0);
}

/* ---- WsWriteEnvelopeStart/End ------------------------------------------- */

struct ws_envelope_ns {
	WS_XML_STRING	 soap;		/* empty without envelope */
	WS_XML_STRING	 wsa;		/* empty for TRANSPORT */
};

static void
ws_envelope_ns_of(const WS_MESSAGE *m, struct ws_envelope_ns *ns)
{
	const char *soap = ws_custom_header_soap_ns(m->envelope_version);
	const char *wsa = "";

	if (m->addressing_version == WS_ADDRESSING_VERSION_1_0)
		wsa = NS_WSA10;
	else if (m->addressing_version == WS_ADDRESSING_VERSION_0_9)
		wsa = NS_WSA09;
	memset(ns, 0, sizeof(*ns));
	ns->soap.length = (ULONG)strlen(soap);
	ns->soap.bytes = (BYTE *)soap;
	ns->wsa.length = (ULONG)strlen(wsa);
	ns->wsa.bytes = (BYTE *)wsa;
}

static WS_XML_STRING
ws_envelope_xs(const char *s)
{
	WS_XML_STRING x = { (ULONG)strlen(s), (BYTE *)s, NULL, 0 };

	return x;
}

/* <a:name [s:mustUnderstand="1"]>text</a:name>, or the text inside an
 * a:Address for ReplyTo and FaultTo. */
static HRESULT
ws_envelope_write_header(WS_XML_WRITER *w, const struct ws_envelope_ns *ns,
    const char *name, const char *text, bool mu, bool address,
    WS_ERROR *error)
{
	static const WS_XML_STRING a = WS_XML_STRING_VALUE("a");
	static const WS_XML_STRING s = WS_XML_STRING_VALUE("s");
	static const WS_XML_STRING mus = WS_XML_STRING_VALUE("mustUnderstand");
	static const WS_XML_STRING addr = WS_XML_STRING_VALUE("Address");
	WS_XML_STRING local = ws_envelope_xs(name);
	HRESULT hr;

	if (text == NULL)
		return S_OK;
	if ((hr = WsWriteStartElement(w, &a, &local, &ns->wsa, error)) != S_OK)
		return hr;
	if (mu && ((hr = WsWriteStartAttribute(w, &s, &mus, &ns->soap, FALSE,
	    error)) != S_OK ||
	    (hr = WsWriteCharsUtf8(w, (const BYTE *)"1", 1, error)) != S_OK ||
	    (hr = WsWriteEndAttribute(w, error)) != S_OK))
		return hr;
	if (address && (hr = WsWriteStartElement(w, &a, &addr, &ns->wsa,
	    error)) != S_OK)
		return hr;
	if ((hr = WsWriteCharsUtf8(w, (const BYTE *)text, (ULONG)strlen(text),
	    error)) != S_OK)
		return hr;
	if (address && (hr = WsWriteEndElement(w, error)) != S_OK)
		return hr;
	return WsWriteEndElement(w, error);
}

/* Copies every top-level node of UTF-8 XML `xml` to the writer. */
static HRESULT
ws_envelope_copy_nodes(WS_XML_WRITER *w, const uint8_t *xml, size_t len,
    WS_ERROR *error)
{
	static const WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	BOOL frag = TRUE;
	WS_XML_READER_PROPERTY p = { WS_XML_READER_PROPERTY_ALLOW_FRAGMENT,
	    &frag, sizeof(frag) };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)xml, (ULONG)len };
	const WS_XML_NODE *node;
	WS_XML_READER *r;
	HRESULT hr;

	if (len == 0)
		return S_OK;
	if ((hr = WsCreateReader(&p, 1, &r, error)) != S_OK)
		return hr;
	if ((hr = WsSetInput(r, &enc.encoding, &in.input, NULL, 0,
	    error)) != S_OK)
		goto out;
	for (;;) {
		if ((hr = WsGetReaderNode(r, &node, error)) != S_OK ||
		    node->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
		if (node->nodeType == WS_XML_NODE_TYPE_BOF)
			hr = WsReadNode(r, error);
		else
			hr = WsCopyNode(w, r, error);
		if (hr != S_OK)
			break;
	}
out:
	WsFreeReader(r);
	return hr;
}

static bool
ws_envelope_has_headers(const WS_MESSAGE *m)
{
	const struct ws_headers *h = &m->h;
	bool addressing = m->addressing_version !=
	    WS_ADDRESSING_VERSION_TRANSPORT;

	return m->nxh > 0 || (addressing && (h->action != NULL ||
	    h->to != NULL || h->message_id != NULL || h->relates_to != NULL ||
	    h->reply_to != NULL || h->fault_to != NULL));
}

/* With m->lock held: Envelope, Header and its content, and Body open. */
static HRESULT
ws_envelope_write_start(WS_MESSAGE *m, WS_XML_WRITER *w, WS_ERROR *error)
{
	static const WS_XML_STRING a = WS_XML_STRING_VALUE("a");
	static const WS_XML_STRING s = WS_XML_STRING_VALUE("s");
	static const WS_XML_STRING envl = WS_XML_STRING_VALUE("Envelope");
	static const WS_XML_STRING hdr = WS_XML_STRING_VALUE("Header");
	static const WS_XML_STRING body = WS_XML_STRING_VALUE("Body");
	const struct ws_headers *h = &m->h;
	struct ws_envelope_ns ns;
	HRESULT hr;
	size_t i;

	if (m->envelope_version == WS_ENVELOPE_VERSION_NONE)
		return S_OK;
	ws_envelope_ns_of(m, &ns);
	if ((hr = WsWriteStartElement(w, &s, &envl, &ns.soap, error)) != S_OK)
		return hr;
	/* Declared on the Envelope, as Windows does (the writer puts the
	 * element's own s first; the order carries nothing). */
	if (ns.wsa.length > 0 && (hr = WsWriteXmlnsAttribute(w, &a, &ns.wsa,
	    FALSE, error)) != S_OK)
		return hr;
	if (ws_envelope_has_headers(m)) {
		if ((hr = WsWriteStartElement(w, &s, &hdr, &ns.soap,
		    error)) != S_OK)
			return hr;
		if (ns.wsa.length > 0 &&
		    ((hr = ws_envelope_write_header(w, &ns, "Action",
		    h->action, true, false, error)) != S_OK ||
		    (hr = ws_envelope_write_header(w, &ns, "MessageID",
		    h->message_id, false, false, error)) != S_OK ||
		    (hr = ws_envelope_write_header(w, &ns, "RelatesTo",
		    h->relates_to, false, false, error)) != S_OK ||
		    (hr = ws_envelope_write_header(w, &ns, "ReplyTo",
		    h->reply_to, false, true, error)) != S_OK ||
		    (hr = ws_envelope_write_header(w, &ns, "FaultTo",
		    h->fault_to, false, true, error)) != S_OK ||
		    (hr = ws_envelope_write_header(w, &ns, "To", h->to, true,
		    false, error)) != S_OK))
			return hr;
		for (i = 0; i < m->nxh; i++)
			if ((hr = ws_envelope_copy_nodes(w, m->xh[i].xml,
			    m->xh[i].len, error)) != S_OK)
				return hr;
		if ((hr = WsWriteEndElement(w, error)) != S_OK)
			return hr;
	}
	return WsWriteStartElement(w, &s, &body, &ns.soap, error);
}

WS_EXPORT HRESULT WINAPI
WsWriteEnvelopeStart(WS_MESSAGE *message, WS_XML_WRITER *writer,
    WS_MESSAGE_DONE_CALLBACK doneCallback, void *doneCallbackState,
    WS_ERROR *error)
{
	static const char api[] = "WsWriteEnvelopeStart";
	HRESULT hr;

	if (!ws_message_valid(message) || writer == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL writer", api);
	if ((hr = xml_writer_check(writer, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_INITIALIZED || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message must be INITIALIZED", api);
	} else if ((hr = ws_envelope_write_start(message, writer,
	    error)) == S_OK) {
		/* The body is what is written from now on (after a copied
		 * one). */
		if (!message->body_copied) {
			free(message->body);
			message->body = NULL;
			message->body_len = 0;
		}
		message->body_flushed = 0;
		message->env_writer = writer;
		message->done_cb = doneCallback;
		message->done_state = doneCallbackState;
		message->addressed = true;
		message->state = WS_MESSAGE_STATE_WRITING;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsWriteEnvelopeEnd(WS_MESSAGE *message, WS_ERROR *error)
{
	static const char api[] = "WsWriteEnvelopeEnd";
	WS_XML_WRITER *w;
	HRESULT hr;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	pthread_mutex_lock(&message->lock);
	w = message->env_writer;
	if (message->state != WS_MESSAGE_STATE_WRITING || w == NULL ||
	    message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION, "%s: the "
		    "message is not being written by WsWriteEnvelopeStart",
		    api);
		pthread_mutex_unlock(&message->lock);
		return hr;
	}
	if ((hr = xml_message_body_flush(message)) != S_OK) {
		hr = ws_error_fail(error, hr, "%s: the body writer has an "
		    "element still open", api);
		goto out;
	}
	if ((hr = ws_envelope_copy_nodes(w, message->body, message->body_len,
	    error)) != S_OK)
		goto out;
	if (message->envelope_version != WS_ENVELOPE_VERSION_NONE &&
	    (hr = WsWriteEndElement(w, error)) == S_OK)
		hr = WsWriteEndElement(w, error);
out:
	/* In the right state, the message is DONE whatever happened, as the
	 * reference page says. */
	if (message->state == WS_MESSAGE_STATE_WRITING && w != NULL &&
	    !message->busy)
		message->state = WS_MESSAGE_STATE_DONE;
	pthread_mutex_unlock(&message->lock);
	return hr;
}

/* ---- WsReadEnvelopeStart/End -------------------------------------------- */

static bool
ws_envelope_is(const WS_XML_STRING *s, const WS_XML_STRING *want)
{
	return s != NULL && s->length == want->length &&
	    memcmp(s->bytes, want->bytes, s->length) == 0;
}

/* The text content of the element at the reader, which is consumed. */
static HRESULT
ws_envelope_read_text(WS_XML_READER *r, char **out, WS_ERROR *error)
{
	size_t n;
	HRESULT hr;

	if ((hr = WsReadStartElement(r, error)) != S_OK)
		return hr;
	if ((hr = xml_reader_take_text(r, out, &n)) != S_OK)
		return ws_error_fail(error, hr, "a header's text cannot be "
		    "read");
	if ((hr = WsReadEndElement(r, error)) != S_OK) {
		free(*out);
		*out = NULL;
	}
	return hr;
}

/* ReplyTo and FaultTo: the text of their Address; the rest is skipped. */
static HRESULT
ws_envelope_read_address(WS_XML_READER *r, const struct ws_envelope_ns *ns,
    char **out, WS_ERROR *error)
{
	static const WS_XML_STRING addr = WS_XML_STRING_VALUE("Address");
	const WS_XML_NODE *node;
	const WS_XML_ELEMENT_NODE *e;
	BOOL found;
	HRESULT hr;

	if ((hr = WsReadStartElement(r, error)) != S_OK)
		return hr;
	for (;;) {
		if ((hr = WsReadToStartElement(r, NULL, NULL, &found,
		    error)) != S_OK)
			return hr;
		if (!found)
			break;
		if ((hr = WsGetReaderNode(r, &node, error)) != S_OK)
			return hr;
		e = (const WS_XML_ELEMENT_NODE *)node;
		if (*out == NULL && ws_envelope_is(e->localName, &addr) &&
		    ws_envelope_is(e->ns, &ns->wsa))
			hr = ws_envelope_read_text(r, out, error);
		else
			hr = WsSkipNode(r, error);
		if (hr != S_OK)
			return hr;
	}
	return WsReadEndElement(r, error);
}

/* The slot of an addressing header by local name, and whether its value
 * is an endpoint address. */
static char **
ws_envelope_slot(struct ws_headers *h, const WS_XML_STRING *name, bool *addr)
{
	static const struct {
		const char	*name;
		size_t		 off;
		bool		 addr;
	} t[] = {
		{ "Action", offsetof(struct ws_headers, action), false },
		{ "To", offsetof(struct ws_headers, to), false },
		{ "MessageID", offsetof(struct ws_headers, message_id), false },
		{ "RelatesTo", offsetof(struct ws_headers, relates_to), false },
		{ "ReplyTo", offsetof(struct ws_headers, reply_to), true },
		{ "FaultTo", offsetof(struct ws_headers, fault_to), true },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (name->length == strlen(t[i].name) &&
		    memcmp(name->bytes, t[i].name, name->length) == 0) {
			*addr = t[i].addr;
			return (char **)((char *)h + t[i].off);
		}
	}
	return NULL;
}

/* With m->lock held: the children of soap:Header. */
static HRESULT
ws_envelope_read_headers(WS_MESSAGE *m, WS_XML_READER *r,
    const struct ws_envelope_ns *ns, WS_ERROR *error, const char *api)
{
	const WS_XML_NODE *node;
	const WS_XML_ELEMENT_NODE *e;
	char **slot;
	BOOL found;
	bool addr;
	HRESULT hr;

	for (;;) {
		if ((hr = WsReadToStartElement(r, NULL, NULL, &found,
		    error)) != S_OK || !found)
			return hr;
		if ((hr = WsGetReaderNode(r, &node, error)) != S_OK)
			return hr;
		e = (const WS_XML_ELEMENT_NODE *)node;
		slot = ns->wsa.length > 0 && ws_envelope_is(e->ns, &ns->wsa) ?
		    ws_envelope_slot(&m->h, e->localName, &addr) : NULL;
		if (slot != NULL && *slot != NULL)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: a duplicate addressing header", api);
		if (slot == NULL)
			hr = ws_custom_header_take(m, r, error, api);
		else if (addr)
			hr = ws_envelope_read_address(r, ns, slot, error);
		else
			hr = ws_envelope_read_text(r, slot, error);
		if (hr != S_OK)
			return hr;
	}
}

/* With m->lock held: what is left of the Body's content, as UTF-8 XML. */
static HRESULT
ws_envelope_read_body(WS_MESSAGE *m, WS_XML_READER *r, WS_ERROR *error)
{
	static const WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BUFFER_OUTPUT bo = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	ULONG max = UINT32_MAX;
	WS_XML_WRITER_PROPERTY p = { WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE,
	    &max, sizeof(max) };
	const WS_XML_NODE *node;
	WS_XML_WRITER *w;
	WS_BYTES b;
	HRESULT hr;

	if ((hr = WsCreateWriter(&p, 1, &w, error)) != S_OK)
		return hr;
	if ((hr = WsSetOutput(w, &enc.encoding, &bo.output, NULL, 0,
	    error)) != S_OK)
		goto out;
	for (;;) {
		if ((hr = WsGetReaderNode(r, &node, error)) != S_OK)
			goto out;
		if (node->nodeType == WS_XML_NODE_TYPE_END_ELEMENT ||
		    node->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
		if ((hr = WsCopyNode(w, r, error)) != S_OK)
			goto out;
	}
	if ((hr = WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES, &b,
	    sizeof(b), error)) != S_OK)
		goto out;
	free(m->body);
	m->body = NULL;
	m->body_len = 0;
	if (b.length > 0) {
		if ((m->body = malloc(b.length)) == NULL) {
			hr = E_OUTOFMEMORY;
			goto out;
		}
		memcpy(m->body, b.bytes, b.length);
		m->body_len = b.length;
	}
out:
	WsFreeWriter(w);
	return hr;
}

/*
 * With m->lock held (or m busy): Envelope and Header read into the
 * message, and the Body's start tag; the reader is left on the Body's
 * content.  A streamed body is read from there (ws_stream_in.c).
 */
HRESULT
ws_envelope_read_head(WS_MESSAGE *m, WS_XML_READER *r, WS_ERROR *error,
    const char *api)
{
	static const WS_XML_STRING envl = WS_XML_STRING_VALUE("Envelope");
	static const WS_XML_STRING hdr = WS_XML_STRING_VALUE("Header");
	static const WS_XML_STRING body = WS_XML_STRING_VALUE("Body");
	const WS_XML_NODE *node;
	const WS_XML_ELEMENT_NODE *e;
	struct ws_envelope_ns ns;
	BOOL found;
	HRESULT hr;

	ws_envelope_ns_of(m, &ns);
	if ((hr = WsReadToStartElement(r, &envl, &ns.soap, &found,
	    error)) != S_OK)
		return hr;
	if (!found)
		return ws_error_fail(error, WS_E_INVALID_FORMAT, "%s: no "
		    "soap:Envelope of the message's SOAP version", api);
	if ((hr = WsReadStartElement(r, error)) != S_OK ||
	    (hr = WsReadToStartElement(r, NULL, NULL, &found, error)) != S_OK)
		return hr;
	if (found && (hr = WsGetReaderNode(r, &node, error)) == S_OK) {
		e = (const WS_XML_ELEMENT_NODE *)node;
		if (ws_envelope_is(e->localName, &hdr) &&
		    ws_envelope_is(e->ns, &ns.soap) &&
		    ((hr = WsReadStartElement(r, error)) != S_OK ||
		    (hr = ws_envelope_read_headers(m, r, &ns, error,
		    api)) != S_OK || (hr = WsReadEndElement(r, error)) != S_OK))
			return hr;
	}
	if (hr != S_OK || (hr = WsReadToStartElement(r, &body, &ns.soap,
	    &found, error)) != S_OK)
		return hr;
	if (!found)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: no soap:Body", api);
	return WsReadStartElement(r, error);
}

/* With m->lock held: Envelope and Header read, the Body's content taken;
 * the reader is left on the Body's end. */
static HRESULT
ws_envelope_read_start(WS_MESSAGE *m, WS_XML_READER *r, WS_ERROR *error,
    const char *api)
{
	static const WS_XML_STRING fault = WS_XML_STRING_VALUE("Fault");
	struct ws_envelope_ns ns;
	BOOL found;
	HRESULT hr;

	if (m->envelope_version == WS_ENVELOPE_VERSION_NONE)
		return ws_envelope_read_body(m, r, error);
	ws_envelope_ns_of(m, &ns);
	if ((hr = ws_envelope_read_head(m, r, error, api)) != S_OK ||
	    (hr = WsReadToStartElement(r, &fault, &ns.soap, &found,
	    error)) != S_OK)
		return hr;
	m->h.is_fault = found;
	return ws_envelope_read_body(m, r, error);
}

WS_EXPORT HRESULT WINAPI
WsReadEnvelopeStart(WS_MESSAGE *message, WS_XML_READER *reader,
    WS_MESSAGE_DONE_CALLBACK doneCallback, void *doneCallbackState,
    WS_ERROR *error)
{
	static const char api[] = "WsReadEnvelopeStart";
	HRESULT hr;

	if (!ws_message_valid(message) || reader == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or NULL reader", api);
	if ((hr = xml_reader_check(reader, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message must be EMPTY", api);
	} else if ((hr = ws_envelope_read_start(message, reader, error,
	    api)) != S_OK) {
		/* Nothing of a malformed envelope stays. */
		ws_message_headers_clear(&message->h);
		ws_message_xheaders_clear(message);
		free(message->body);
		message->body = NULL;
		message->body_len = 0;
	} else {
		message->body_next = 0;
		message->env_reader = reader;
		message->done_cb = doneCallback;
		message->done_state = doneCallbackState;
		message->state = WS_MESSAGE_STATE_READING;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsReadEnvelopeEnd(WS_MESSAGE *message, WS_ERROR *error)
{
	static const char api[] = "WsReadEnvelopeEnd";
	WS_XML_READER *r;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	pthread_mutex_lock(&message->lock);
	r = message->env_reader;
	if (message->state != WS_MESSAGE_STATE_READING || r == NULL ||
	    message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION, "%s: the "
		    "message is not being read by WsReadEnvelopeStart", api);
	else if (message->envelope_version != WS_ENVELOPE_VERSION_NONE &&
	    ((hr = WsReadEndElement(r, error)) != S_OK ||
	    (hr = WsReadEndElement(r, error)) != S_OK))
		;
	else
		message->state = WS_MESSAGE_STATE_DONE;
	pthread_mutex_unlock(&message->lock);
	return hr;
}
