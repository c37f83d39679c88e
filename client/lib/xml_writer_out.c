/* WS_XML_WRITER: creation, properties, outputs, flushing and positions. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_writer.h"

/* The writer's own tree lives on a heap of its own, this big at most. */
#define XML_WRITER_HEAP_MAX	((SIZE_T)1 << 30)

static const struct xml_writer_props xml_writer_defaults = {
	.max_depth = 32,
	.allow_fragment = FALSE,
	.max_attrs = 128,
	.write_decl = FALSE,
	.indent = 0,
	.trim_size = 4096,
	.charset = WS_CHARSET_UTF8,
	.max_size = 65536,
	.max_mime_size = 65536,
	.allow_invalid_refs = FALSE,
	.max_ns = 32,
	.compress_empty = FALSE,
	.emit_uncompressed = FALSE,
};

/* Where a settable property lives, and its size. */
static void *
xml_writer_prop(struct xml_writer_props *p, WS_XML_WRITER_PROPERTY_ID id,
    ULONG *size)
{
	*size = sizeof(ULONG);
	switch (id) {
	case WS_XML_WRITER_PROPERTY_MAX_DEPTH:		return &p->max_depth;
	case WS_XML_WRITER_PROPERTY_MAX_ATTRIBUTES:	return &p->max_attrs;
	case WS_XML_WRITER_PROPERTY_INDENT:		return &p->indent;
	case WS_XML_WRITER_PROPERTY_BUFFER_TRIM_SIZE:	return &p->trim_size;
	case WS_XML_WRITER_PROPERTY_BUFFER_MAX_SIZE:	return &p->max_size;
	case WS_XML_WRITER_PROPERTY_MAX_MIME_PARTS_BUFFER_SIZE:
		return &p->max_mime_size;
	case WS_XML_WRITER_PROPERTY_MAX_NAMESPACES:	return &p->max_ns;
	case WS_XML_WRITER_PROPERTY_CHARSET:
		*size = sizeof(WS_CHARSET);
		return &p->charset;
	default:
		break;
	}
	*size = sizeof(BOOL);
	switch (id) {
	case WS_XML_WRITER_PROPERTY_ALLOW_FRAGMENT:
		return &p->allow_fragment;
	case WS_XML_WRITER_PROPERTY_WRITE_DECLARATION:	return &p->write_decl;
	case WS_XML_WRITER_PROPERTY_ALLOW_INVALID_CHARACTER_REFERENCES:
		return &p->allow_invalid_refs;
	case WS_XML_WRITER_PROPERTY_COMPRESS_EMPTY_ELEMENTS:
		return &p->compress_empty;
	case WS_XML_WRITER_PROPERTY_EMIT_UNCOMPRESSED_EMPTY_ELEMENTS:
		return &p->emit_uncompressed;
	default:
		return NULL;
	}
}

static HRESULT
xml_writer_set_props(struct xml_writer_props *p,
    const WS_XML_WRITER_PROPERTY *props, ULONG count, WS_ERROR *error,
    const char *api)
{
	struct xml_writer_props np = *p;
	WS_CHARSET cs;
	void *slot;
	ULONG size, i;

	if (props == NULL && count > 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL properties", api);
	for (i = 0; i < count; i++) {
		slot = xml_writer_prop(&np, props[i].id, &size);
		if (slot == NULL || props[i].value == NULL ||
		    props[i].valueSize != size)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %d cannot be set or has a wrong "
			    "size", api, (int)props[i].id);
		memcpy(slot, props[i].value, size);
	}
	cs = np.charset;
	if (cs != WS_CHARSET_UTF8 && cs != WS_CHARSET_UTF16LE &&
	    cs != WS_CHARSET_UTF16BE)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid charset %d", api, (int)cs);
	*p = np;
	return S_OK;
}

static void
xml_writer_apply(WS_XML_WRITER *w, const struct xml_writer_props *p)
{
	w->max_depth = p->max_depth;
	w->max_attrs = p->max_attrs;
	w->write_decl = p->write_decl;
	w->charset = p->charset;
	w->max_size = p->max_size;
	w->indent = p->indent;
	w->max_ns = p->max_ns;
	w->compress_empty = p->compress_empty;
	w->emit_uncompressed = p->emit_uncompressed;
}

WS_EXPORT HRESULT WINAPI
WsCreateWriter(const WS_XML_WRITER_PROPERTY *properties, ULONG propertyCount,
    WS_XML_WRITER **writer, WS_ERROR *error)
{
	WS_XML_WRITER *w;
	HRESULT hr;

	if (writer == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsCreateWriter: NULL writer");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "WsCreateWriter: out of memory");
	w->props = xml_writer_defaults;
	if ((hr = xml_writer_set_props(&w->props, properties, propertyCount,
	    error, "WsCreateWriter")) != S_OK) {
		free(w);
		return hr;
	}
	xml_writer_apply(w, &w->props);
	w->magic = WS_XML_WRITER_MAGIC;
	*writer = w;
	return S_OK;
}

WS_EXPORT void WINAPI
WsFreeWriter(WS_XML_WRITER *writer)
{
	if (!xml_writer_valid(writer))
		return;
	writer->magic = 0;
	xml_c14n_free(writer->c14n);
	WsFreeHeap(writer->own_heap);
	xml_out_free(&writer->bytes);
	free(writer);
}

/* The bytes of the writer's own tree, as its encoding gives them. */
static HRESULT
xml_writer_render(WS_XML_WRITER *w, WS_ERROR *error, const char *api)
{
	struct xml_out body = { 0 };
	HRESULT hr;

	w->bytes.len = 0;
	if (w->write_decl && !w->binary)
		xml_out_str(&body, w->charset == WS_CHARSET_UTF8 ?
		    "<?xml version=\"1.0\" encoding=\"utf-8\"?>" :
		    "<?xml version=\"1.0\" encoding=\"utf-16\"?>");
	if (body.len > 0 && w->charset != WS_CHARSET_UTF8) {
		/* The declaration goes through the same conversion. */
		struct xml_node *r = w->buf->root;

		xml_out_free(&body);
		hr = xml_serial_encode(r, w->charset, &w->bytes);
		if (hr == S_OK && r->first != NULL) {
			static const char d[] =
			    "<?xml version=\"1.0\" encoding=\"utf-16\"?>";
			struct xml_out t = { 0 };
			size_t i;

			for (i = 0; i < sizeof(d) - 1; i++) {
				uint8_t b[2] = { 0, 0 };

				b[w->charset == WS_CHARSET_UTF16BE] =
				    (uint8_t)d[i];
				xml_out_add(&t, b, 2);
			}
			xml_out_add(&t, w->bytes.p, w->bytes.len);
			xml_out_free(&w->bytes);
			w->bytes = t;
		}
	} else {
		xml_out_add(&w->bytes, body.p, body.len);
		xml_out_free(&body);
		if (w->binary)
			hr = xml_binary_encode(w->buf->root, &w->bin,
			    &w->bytes);
		else if (w->indent > 0 && w->charset == WS_CHARSET_UTF8)
			hr = xml_indent_text(w->buf->root, w->indent,
			    &w->bytes);
		else
			hr = xml_serial_encode(w->buf->root,
			    w->charset, &w->bytes);
	}
	if (hr == S_OK && w->bytes.oom)
		hr = E_OUTOFMEMORY;
	if (hr != S_OK)
		return ws_error_fail(error, hr, "%s: the output cannot be "
		    "encoded", api);
	if (w->bytes.len > w->max_size)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "%s: %zu bytes exceed the writer's maximum buffer size "
		    "of %u", api, w->bytes.len, (unsigned)w->max_size);
	return S_OK;
}

/* The bytes that would close the open elements: their end tags (an open
 * start tag: "/>"), or an EndElement record each in binary. */
static ULONGLONG
xml_writer_to_close(const WS_XML_WRITER *w)
{
	const struct xml_node *n;
	ULONGLONG u = 0;

	for (n = xml_writer_container(w); n != NULL; n = n->parent) {
		if (n->kind != XML_KIND_ELEMENT || n->closed)
			continue;
		if (w->binary)
			u += 1;
		else if (!n->start_done && n->first == NULL)
			u += 2;
		else
			u += 3 + n->elem.localName->length +
			    (n->elem.prefix->length > 0 ?
			    n->elem.prefix->length + 1 : 0);
	}
	return u;
}

/* long: one case per property of the reference page. */
WS_EXPORT HRESULT WINAPI
WsGetWriterProperty(WS_XML_WRITER *writer, WS_XML_WRITER_PROPERTY_ID id,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsGetWriterProperty";
	struct xml_writer_props cur;
	WS_BUFFERS bufs;
	ULONG size;
	void *slot;
	HRESULT hr;
	BOOL b;
	ULONGLONG u;

	if (!xml_writer_valid(writer) || value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer or NULL value", api);
	cur = writer->props;
	cur.max_depth = writer->max_depth;
	cur.max_attrs = writer->max_attrs;
	cur.write_decl = writer->write_decl;
	cur.charset = writer->charset;
	cur.max_size = writer->max_size;
	if ((slot = xml_writer_prop(&cur, id, &size)) != NULL) {
		if (valueSize != size)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %d has size %u", api, (int)id,
			    (unsigned)size);
		memcpy(value, slot, size);
		return S_OK;
	}
	switch (id) {
	case WS_XML_WRITER_PROPERTY_IN_ATTRIBUTE:
		if (valueSize != sizeof(BOOL))
			break;
		b = writer->attr != NULL;
		memcpy(value, &b, sizeof(b));
		return S_OK;
	case WS_XML_WRITER_PROPERTY_BYTES:
	case WS_XML_WRITER_PROPERTY_BUFFERS:
		if (valueSize != (id == WS_XML_WRITER_PROPERTY_BYTES ?
		    sizeof(WS_BYTES) : sizeof(WS_BUFFERS)))
			break;
		if (writer->out == XML_OUT_STREAM ||
		    writer->out == XML_OUT_XML_BUFFER)
			return ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the output is not a writer buffer", api);
		writer->bytes_view.length = 0;
		writer->bytes_view.bytes = NULL;
		if (writer->out == XML_OUT_BUFFER) {
			if ((hr = xml_writer_render(writer, error, api)) !=
			    S_OK)
				return hr;
			writer->bytes_view.length = (ULONG)writer->bytes.len;
			writer->bytes_view.bytes = writer->bytes.p;
		}
		if (id == WS_XML_WRITER_PROPERTY_BYTES) {
			memcpy(value, &writer->bytes_view, sizeof(WS_BYTES));
			return S_OK;
		}
		bufs.bufferCount = writer->bytes_view.length > 0 ? 1 : 0;
		bufs.buffers = bufs.bufferCount > 0 ? &writer->bytes_view :
		    NULL;
		memcpy(value, &bufs, sizeof(bufs));
		return S_OK;
	case WS_XML_WRITER_PROPERTY_BYTES_WRITTEN:
	case WS_XML_WRITER_PROPERTY_BYTES_TO_CLOSE:
		if (valueSize != sizeof(ULONGLONG))
			break;
		u = 0;
		if (id == WS_XML_WRITER_PROPERTY_BYTES_TO_CLOSE &&
		    writer->out != XML_OUT_NONE)
			u = xml_writer_to_close(writer);
		if (id == WS_XML_WRITER_PROPERTY_BYTES_WRITTEN &&
		    (writer->out == XML_OUT_BUFFER ||
		    writer->out == XML_OUT_STREAM)) {
			if ((hr = xml_writer_render(writer, error, api)) !=
			    S_OK)
				return hr;
			u = writer->bytes.len;
		}
		memcpy(value, &u, sizeof(u));
		return S_OK;
	case WS_XML_WRITER_PROPERTY_INITIAL_BUFFER:
		if (valueSize != sizeof(WS_BYTES *))
			break;
		memset(value, 0, sizeof(WS_BYTES *));
		return S_OK;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown property %d", api, (int)id);
	}
	return ws_error_fail(error, E_INVALIDARG,
	    "%s: wrong size for property %d", api, (int)id);
}

/* Forgets the previous output: the writer's own tree is dropped. */
static HRESULT
xml_writer_reset(WS_XML_WRITER *w, WS_HEAP *heap, WS_XML_BUFFER *target,
    const WS_XML_WRITER_PROPERTY *props, ULONG count, WS_ERROR *error,
    const char *api)
{
	struct xml_writer_props p = w->props;
	WS_XML_BUFFER *b = target;
	HRESULT hr;

	if ((hr = xml_writer_set_props(&p, props, count, error, api)) != S_OK)
		return hr;
	/* A new output ends a canonicalization of the old one. */
	xml_c14n_free(w->c14n);
	w->c14n = NULL;
	w->c14n_step = NULL;
	if (target == NULL) {
		if (w->own_heap == NULL && (hr = WsCreateHeap(
		    XML_WRITER_HEAP_MAX, 0, NULL, 0, &w->own_heap,
		    NULL)) != S_OK)
			return ws_error_fail(error, hr, "%s: out of memory",
			    api);
		WsResetHeap(w->own_heap, NULL);
		if ((b = xml_buffer_new(w->own_heap, &hr)) == NULL) {
			w->out = XML_OUT_NONE;
			return ws_error_fail(error, hr, "%s: out of memory",
			    api);
		}
	}
	(void)heap;
	xml_writer_apply(w, &p);
	w->buf = b;
	w->cur = b->root->last != NULL ? (xml_is_container(b->root->last) ?
	    &b->root->last->at_end : &b->root->last->at_start) :
	    &b->root->at_start;
	w->attr = NULL;
	w->attr_elem = NULL;
	w->flushed = 0;
	w->bytes.len = 0;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsSetOutput(WS_XML_WRITER *writer, const WS_XML_WRITER_ENCODING *encoding,
    const WS_XML_WRITER_OUTPUT *output,
    const WS_XML_WRITER_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR *error)
{
	static const char api[] = "WsSetOutput";
	const WS_XML_WRITER_TEXT_ENCODING *te;
	const WS_XML_WRITER_STREAM_OUTPUT *so = NULL;
	WS_CHARSET cs = WS_CHARSET_UTF8;
	struct xml_binary_opts bin = { NULL, NULL };
	bool binary = false;
	HRESULT hr;

	if (!xml_writer_valid(writer) || encoding == NULL || output == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer, NULL encoding or NULL output", api);
	switch (encoding->encodingType) {
	case WS_XML_WRITER_ENCODING_TYPE_TEXT:
		te = (const WS_XML_WRITER_TEXT_ENCODING *)encoding;
		cs = te->charSet;
		if (cs != WS_CHARSET_UTF8 && cs != WS_CHARSET_UTF16LE &&
		    cs != WS_CHARSET_UTF16BE)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: invalid charset %d", api, (int)cs);
		break;
	case WS_XML_WRITER_ENCODING_TYPE_BINARY:
		binary = true;
		bin.dynamic = ((const WS_XML_WRITER_BINARY_ENCODING *)
		    encoding)->dynamicStringCallback;
		bin.dynamic_state = ((const WS_XML_WRITER_BINARY_ENCODING *)
		    encoding)->dynamicStringCallbackState;
		break;
	case WS_XML_WRITER_ENCODING_TYPE_MTOM:
	case WS_XML_WRITER_ENCODING_TYPE_RAW:
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: MTOM and raw encodings are not supported", api);
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown encoding type %d", api,
		    (int)encoding->encodingType);
	}
	switch (output->outputType) {
	case WS_XML_WRITER_OUTPUT_TYPE_BUFFER:
		break;
	case WS_XML_WRITER_OUTPUT_TYPE_STREAM:
		so = (const WS_XML_WRITER_STREAM_OUTPUT *)output;
		if (so->writeCallback == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: NULL write callback", api);
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown output type %d", api,
		    (int)output->outputType);
	}
	if ((hr = xml_writer_reset(writer, NULL, NULL, properties,
	    propertyCount, error, api)) != S_OK)
		return hr;
	writer->binary = binary;
	writer->bin = bin;
	if (!binary)
		writer->charset = cs;
	writer->out = so != NULL ? XML_OUT_STREAM : XML_OUT_BUFFER;
	writer->write_cb = so != NULL ? so->writeCallback : NULL;
	writer->write_state = so != NULL ? so->writeCallbackState : NULL;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsSetOutputToBuffer(WS_XML_WRITER *writer, WS_XML_BUFFER *buffer,
    const WS_XML_WRITER_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR *error)
{
	HRESULT hr;

	if (!xml_writer_valid(writer) || !xml_buffer_valid(buffer))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsSetOutputToBuffer: invalid writer or buffer");
	if ((hr = xml_writer_reset(writer, buffer->heap, buffer, properties,
	    propertyCount, error, "WsSetOutputToBuffer")) != S_OK)
		return hr;
	writer->binary = false;
	writer->out = XML_OUT_XML_BUFFER;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsFlushWriter(WS_XML_WRITER *writer, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsFlushWriter";
	WS_BYTES b;
	HRESULT hr;

	(void)asyncContext;	/* the callback completes synchronously */
	if ((hr = xml_writer_check(writer, error, api)) != S_OK)
		return hr;
	if (writer->out != XML_OUT_STREAM)
		return S_OK;
	if ((hr = xml_writer_render(writer, error, api)) != S_OK)
		return hr;
	if (writer->bytes.len <= writer->flushed ||
	    writer->bytes.len - writer->flushed < minSize)
		return S_OK;
	b.bytes = writer->bytes.p + writer->flushed;
	b.length = (ULONG)(writer->bytes.len - writer->flushed);
	if ((hr = writer->write_cb(writer->write_state, &b, 1, NULL,
	    error)) != S_OK)
		return FAILED(hr) ? hr : ws_error_fail(error, E_FAIL,
		    "%s: the write callback did not complete", api);
	writer->flushed = writer->bytes.len;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsWriteXmlBufferToBytes(WS_XML_WRITER *writer, WS_XML_BUFFER *buffer,
    const WS_XML_WRITER_ENCODING *encoding,
    const WS_XML_WRITER_PROPERTY *properties, ULONG propertyCount,
    WS_HEAP *heap, void **bytes, ULONG *byteCount, WS_ERROR *error)
{
	static const char api[] = "WsWriteXmlBufferToBytes";
	static const WS_XML_WRITER_TEXT_ENCODING utf8 = {
		{ WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	static const WS_XML_WRITER_BUFFER_OUTPUT out = {
		{ WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w;
	WS_BYTES b;
	void *p;
	HRESULT hr;

	if (!xml_writer_valid(writer) || !xml_buffer_valid(buffer) ||
	    !ws_heap_valid(heap) || bytes == NULL || byteCount == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid writer, buffer or heap, or NULL result", api);
	/* A writer of its own, so that the caller's keeps its state. */
	if ((hr = WsCreateWriter(NULL, 0, &w, error)) != S_OK)
		return hr;
	w->props = writer->props;
	w->props.max_size = UINT32_MAX;
	if ((hr = WsSetOutput(w, encoding != NULL ? encoding : &utf8.encoding,
	    &out.output, properties, propertyCount, error)) == S_OK &&
	    (hr = WsWriteXmlBuffer(w, buffer, error)) == S_OK &&
	    (hr = WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES, &b,
	    sizeof(b), error)) == S_OK) {
		if ((p = ws_heap_alloc(heap, b.length, &hr)) == NULL)
			hr = ws_error_fail(error, hr, "%s: the heap cannot "
			    "hold %u bytes", api, (unsigned)b.length);
		else {
			if (b.length > 0)
				memcpy(p, b.bytes, b.length);
			*bytes = p;
			*byteCount = b.length;
		}
	}
	WsFreeWriter(w);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsGetWriterPosition(WS_XML_WRITER *writer, WS_XML_NODE_POSITION *nodePosition,
    WS_ERROR *error)
{
	HRESULT hr;

	if (!xml_writer_valid(writer) || nodePosition == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetWriterPosition: invalid writer or NULL position");
	if ((hr = xml_writer_check(writer, error,
	    "WsGetWriterPosition")) != S_OK)
		return hr;
	if (writer->out != XML_OUT_XML_BUFFER)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsGetWriterPosition: the writer does not write to an "
		    "XML buffer");
	nodePosition->buffer = writer->buf;
	nodePosition->node = writer->cur;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsSetWriterPosition(WS_XML_WRITER *writer,
    const WS_XML_NODE_POSITION *nodePosition, WS_ERROR *error)
{
	struct xml_pos *p;
	HRESULT hr;

	if (!xml_writer_valid(writer) || nodePosition == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsSetWriterPosition: invalid writer or NULL position");
	if ((hr = xml_writer_check(writer, error,
	    "WsSetWriterPosition")) != S_OK)
		return hr;
	if (writer->out != XML_OUT_XML_BUFFER)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsSetWriterPosition: the writer does not write to an "
		    "XML buffer");
	if ((p = xml_pos_from(nodePosition, writer->buf)) == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsSetWriterPosition: the position is not in the "
		    "writer's buffer");
	if (writer->attr != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsSetWriterPosition: an attribute is open");
	writer->cur = p;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsMoveWriter(WS_XML_WRITER *writer, WS_MOVE_TO moveTo, BOOL *found,
    WS_ERROR *error)
{
	HRESULT hr;
	bool ok;

	if (!xml_writer_valid(writer) || (unsigned)moveTo >
	    WS_MOVE_TO_CHILD_NODE)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsMoveWriter: invalid writer or move");
	if ((hr = xml_writer_check(writer, error, "WsMoveWriter")) != S_OK)
		return hr;
	if (writer->out != XML_OUT_XML_BUFFER)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsMoveWriter: the writer does not write to an XML buffer");
	if (writer->attr != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsMoveWriter: an attribute is open");
	ok = xml_move(&writer->cur, moveTo);
	if (found != NULL)
		*found = ok;
	else if (!ok)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsMoveWriter: no such node");
	return S_OK;
}
