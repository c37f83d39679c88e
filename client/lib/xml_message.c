/*
 * WS_MESSAGE_PROPERTY_BODY_READER and BODY_WRITER: the body of a message
 * as an XML reader (while READING) or writer (while WRITING).  The body is
 * kept as the UTF-8 text of soap:Body's children; what the writer wrote
 * joins it before each WsWriteBody and at WsWriteMessageEnd, so that the
 * two ways of writing a body keep their order.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_writer.h"

/* With m->lock held. */
HRESULT
xml_message_body_reader(WS_MESSAGE *m, WS_XML_READER **out, WS_ERROR *error,
    const char *api)
{
	static const WS_XML_READER_TEXT_ENCODING enc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	BOOL frag = TRUE;
	WS_XML_READER_PROPERTY p = { WS_XML_READER_PROPERTY_ALLOW_FRAGMENT,
	    &frag, sizeof(frag) };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, m->body,
	    (ULONG)m->body_len };
	HRESULT hr;

	if (m->state != WS_MESSAGE_STATE_READING)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the body reader is there while the message is read "
		    "(after WsReadMessageStart)", api);
	if (m->body_reader == NULL && (hr = WsCreateReader(NULL, 0,
	    &m->body_reader, error)) != S_OK)
		return hr;
	/* Each time from the start of the body's content. */
	if ((hr = WsSetInput(m->body_reader, &enc.encoding, &in.input, &p, 1,
	    error)) != S_OK)
		return hr;
	*out = m->body_reader;
	return S_OK;
}

/* With m->lock held. */
HRESULT
xml_message_body_writer(WS_MESSAGE *m, WS_XML_WRITER **out, WS_ERROR *error,
    const char *api)
{
	static const WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BUFFER_OUTPUT bo = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	ULONG max = UINT32_MAX;
	WS_XML_WRITER_PROPERTY p = { WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE,
	    &max, sizeof(max) };
	HRESULT hr;

	if (m->state != WS_MESSAGE_STATE_WRITING)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the body writer is there while the message is "
		    "written (after WsWriteMessageStart)", api);
	if (m->body_writer == NULL) {
		if ((hr = WsCreateWriter(&p, 1, &m->body_writer,
		    error)) != S_OK)
			return hr;
		if ((hr = WsSetOutput(m->body_writer, &enc.encoding,
		    &bo.output, NULL, 0, error)) != S_OK) {
			WsFreeWriter(m->body_writer);
			m->body_writer = NULL;
			return hr;
		}
	}
	*out = m->body_writer;
	return S_OK;
}

/* With m->lock held: what the body writer wrote joins the body; not
 * while an element or attribute is open there. */
HRESULT
xml_message_body_flush(WS_MESSAGE *m)
{
	static const WS_XML_WRITER_TEXT_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BUFFER_OUTPUT bo = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_BYTES b;
	uint8_t *n;
	HRESULT hr;

	if (m->body_writer == NULL)
		return S_OK;
	if (m->body_writer->attr != NULL ||
	    xml_writer_container(m->body_writer)->kind != XML_KIND_ROOT)
		return WS_E_INVALID_FORMAT;
	if ((hr = WsGetWriterProperty(m->body_writer,
	    WS_XML_WRITER_PROPERTY_BYTES, &b, sizeof(b), NULL)) != S_OK)
		return hr;
	if (b.length == 0)
		return S_OK;
	if ((n = realloc(m->body, m->body_len + b.length)) == NULL)
		return E_OUTOFMEMORY;
	memcpy(n + m->body_len, b.bytes, b.length);
	m->body = n;
	m->body_len += b.length;
	/* Written once: the writer starts over. */
	return WsSetOutput(m->body_writer, &enc.encoding, &bo.output, NULL, 0,
	    NULL);
}

/* With m->lock held: WS_MESSAGE_PROPERTY_HEADER_BUFFER, the header
 * elements (other than addressing ones) in a buffer on `heap`, the
 * message's. */
HRESULT
xml_message_header_buffer(WS_MESSAGE *m, WS_HEAP *heap, WS_XML_BUFFER **out,
    WS_ERROR *error, const char *api)
{
	WS_XML_BUFFER *b;
	const char *why;
	HRESULT hr;
	size_t i;

	if (m->header_buffer != NULL) {
		*out = m->header_buffer;
		return S_OK;
	}
	if (heap == NULL ||
	    (b = xml_buffer_new(heap, &hr)) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	for (i = 0; i < m->nxh; i++)
		if ((hr = xml_serial_parse(b, m->xh[i].xml, m->xh[i].len,
		    WS_CHARSET_UTF8, 256, 256, &why)) != S_OK)
			return ws_error_fail(error, hr,
			    "%s: header %zu cannot be parsed", api, i);
	m->header_buffer = b;
	*out = b;
	return S_OK;
}

void
xml_message_clear(WS_MESSAGE *m)
{
	WsFreeReader(m->body_reader);
	WsFreeWriter(m->body_writer);
	m->body_reader = NULL;
	m->body_writer = NULL;
}
