/* WS_XML_READER: creation, properties, inputs, positions, XML buffers read
 * from a reader or from bytes, WsCopyNode and WsGetDictionary. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "xml_reader.h"
#include "nbfx.h"

/* The reader's own tree lives on a heap of its own, this big at most. */
#define XML_READER_HEAP_MAX	((SIZE_T)1 << 30)

static const struct xml_reader_props xml_reader_defaults = {
	.max_depth = 32,
	.allow_fragment = FALSE,
	.max_attrs = 128,
	.read_decl = TRUE,
	.charset = WS_CHARSET_UTF8,
	.utf8_trim_size = 4096,
	.stream_buffer_size = 16384,
	.max_mime_parts = 4096,
	.allow_invalid_refs = FALSE,
	.max_ns = 32,
	.max_root_part = 65536,
	.max_mime_headers = 8192,
};

static void *
xml_reader_prop(struct xml_reader_props *p, WS_XML_READER_PROPERTY_ID id,
    ULONG *size)
{
	*size = sizeof(ULONG);
	switch (id) {
	case WS_XML_READER_PROPERTY_MAX_DEPTH:		return &p->max_depth;
	case WS_XML_READER_PROPERTY_MAX_ATTRIBUTES:	return &p->max_attrs;
	case WS_XML_READER_PROPERTY_UTF8_TRIM_SIZE:
		return &p->utf8_trim_size;
	case WS_XML_READER_PROPERTY_STREAM_BUFFER_SIZE:
		return &p->stream_buffer_size;
	case WS_XML_READER_PROPERTY_MAX_MIME_PARTS:
		return &p->max_mime_parts;
	case WS_XML_READER_PROPERTY_MAX_NAMESPACES:	return &p->max_ns;
	case WS_XML_READER_PROPERTY_STREAM_MAX_ROOT_MIME_PART_SIZE:
		return &p->max_root_part;
	case WS_XML_READER_PROPERTY_STREAM_MAX_MIME_HEADERS_SIZE:
		return &p->max_mime_headers;
	default:
		break;
	}
	*size = sizeof(BOOL);
	switch (id) {
	case WS_XML_READER_PROPERTY_ALLOW_FRAGMENT:
		return &p->allow_fragment;
	case WS_XML_READER_PROPERTY_READ_DECLARATION:	return &p->read_decl;
	case WS_XML_READER_PROPERTY_ALLOW_INVALID_CHARACTER_REFERENCES:
		return &p->allow_invalid_refs;
	default:
		return NULL;
	}
}

static HRESULT
xml_reader_set_props(struct xml_reader_props *p,
    const WS_XML_READER_PROPERTY *props, ULONG count, WS_ERROR *error,
    const char *api)
{
	struct xml_reader_props np = *p;
	void *slot;
	ULONG size, i;

	if (props == NULL && count > 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL properties", api);
	for (i = 0; i < count; i++) {
		slot = xml_reader_prop(&np, props[i].id, &size);
		if (slot == NULL || props[i].value == NULL ||
		    props[i].valueSize != size)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: property %d cannot be set or has a wrong "
			    "size", api, (int)props[i].id);
		memcpy(slot, props[i].value, size);
	}
	*p = np;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsCreateReader(const WS_XML_READER_PROPERTY *properties, ULONG propertyCount,
    WS_XML_READER **reader, WS_ERROR *error)
{
	WS_XML_READER *r;
	HRESULT hr;

	if (reader == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsCreateReader: NULL reader");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "WsCreateReader: out of memory");
	r->props = xml_reader_defaults;
	if ((hr = xml_reader_set_props(&r->props, properties, propertyCount,
	    error, "WsCreateReader")) != S_OK) {
		free(r);
		return hr;
	}
	r->cur_props = r->props;
	r->magic = WS_XML_READER_MAGIC;
	*reader = r;
	return S_OK;
}

WS_EXPORT void WINAPI
WsFreeReader(WS_XML_READER *reader)
{
	if (!xml_reader_valid(reader))
		return;
	reader->magic = 0;
	xml_c14n_free(reader->c14n);
	WsFreeHeap(reader->own_heap);
	xml_out_free(&reader->pending);
	xml_out_free(&reader->cache);
	free(reader->chunk);
	free(reader);
}

/*
 * WS_XML_READER_PROPERTY_ROW and _COLUMN: where the current node begins
 * in a text document, 0-based as the reference page says; a line ends at
 * LF, CR or CR LF and a column is a character.  Inside an attribute, the
 * element's place; at EOF, the end of the input.
 */
static HRESULT
xml_reader_rowcol(WS_XML_READER *r, bool row, ULONGLONG *v, WS_ERROR *error)
{
	const struct xml_pos *p;
	HRESULT hr;

	if ((hr = xml_reader_check(r, error, "WsGetReaderProperty")) != S_OK)
		return hr;
	if (r->binary || r->in == XML_IN_XML_BUFFER)
		return ws_error_fail(error, E_INVALIDARG, "WsGetReaderProperty: "
		    "rows and columns are only those of text input");
	p = r->in_attr ? &r->cur->node->at_start : r->cur;
	*v = row ? p->row : p->col;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetReaderProperty(WS_XML_READER *reader, WS_XML_READER_PROPERTY_ID id,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	struct xml_reader_props p;
	ULONGLONG rc;
	void *slot;
	ULONG size;
	BOOL b;
	HRESULT hr;

	if (!xml_reader_valid(reader) || value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetReaderProperty: invalid reader or NULL value");
	p = reader->cur_props;
	if ((slot = xml_reader_prop(&p, id, &size)) == NULL) {
		switch (id) {
		case WS_XML_READER_PROPERTY_CHARSET:
			slot = &p.charset;
			size = sizeof(WS_CHARSET);
			break;
		case WS_XML_READER_PROPERTY_IN_ATTRIBUTE:
			b = reader->in_attr;
			slot = &b;
			size = sizeof(BOOL);
			break;
		case WS_XML_READER_PROPERTY_ROW:
		case WS_XML_READER_PROPERTY_COLUMN:
			if ((hr = xml_reader_rowcol(reader, id ==
			    WS_XML_READER_PROPERTY_ROW, &rc, error)) != S_OK)
				return hr;
			slot = &rc;
			size = sizeof(rc);
			break;
		default:
			return ws_error_fail(error, E_INVALIDARG,
			    "WsGetReaderProperty: property %d is not "
			    "available", (int)id);
		}
	}
	if (valueSize != size)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetReaderProperty: property %d has size %u", (int)id,
		    (unsigned)size);
	memcpy(value, slot, size);
	return S_OK;
}

/* A fresh tree of the reader's own for new input. */
static HRESULT
xml_reader_fresh(WS_XML_READER *r, const WS_XML_READER_PROPERTY *props,
    ULONG count, WS_ERROR *error, const char *api)
{
	struct xml_reader_props p = r->props;
	HRESULT hr;

	if ((hr = xml_reader_set_props(&p, props, count, error, api)) != S_OK)
		return hr;
	/* A new input ends a canonicalization of the old one. */
	xml_c14n_free(r->c14n);
	r->c14n = NULL;
	if (r->own_heap == NULL && (hr = WsCreateHeap(XML_READER_HEAP_MAX, 0,
	    NULL, 0, &r->own_heap, NULL)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	WsResetHeap(r->own_heap, NULL);
	r->in = XML_IN_NONE;
	if ((r->buf = xml_buffer_new(r->own_heap, &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	r->cur_props = p;
	r->cur = &r->buf->root->at_start;
	r->in_attr = false;
	r->parsed = false;
	r->input_hr = S_OK;
	r->input_why = NULL;
	r->pending.len = 0;
	r->eof = false;
	r->parsed_eof = false;
	r->parsed_len = 0;
	r->cut = 0;
	xml_reader_moved(r);
	return S_OK;
}

/* The binary static dictionary must be the one the codec knows. */
static bool
xml_reader_static_ok(const WS_XML_DICTIONARY *d)
{
	WS_XML_DICTIONARY *ours = NULL;

	return d == NULL || (WsGetDictionary(WS_ENCODING_XML_BINARY_1, &ours,
	    NULL) == S_OK && d == ours);
}

WS_EXPORT HRESULT WINAPI
WsSetInput(WS_XML_READER *reader, const WS_XML_READER_ENCODING *encoding,
    const WS_XML_READER_INPUT *input,
    const WS_XML_READER_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR *error)
{
	static const char api[] = "WsSetInput";
	const WS_XML_READER_BINARY_ENCODING *be = NULL;
	const WS_XML_READER_BUFFER_INPUT *bi = NULL;
	const WS_XML_READER_STREAM_INPUT *si = NULL;
	WS_CHARSET cs = WS_CHARSET_AUTO;
	HRESULT hr;

	if (!xml_reader_valid(reader) || encoding == NULL || input == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid reader, NULL encoding or NULL input", api);
	switch (encoding->encodingType) {
	case WS_XML_READER_ENCODING_TYPE_TEXT:
		cs = ((const WS_XML_READER_TEXT_ENCODING *)encoding)->charSet;
		if ((unsigned)cs > WS_CHARSET_UTF16BE)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: invalid charset %d", api, (int)cs);
		break;
	case WS_XML_READER_ENCODING_TYPE_BINARY:
		be = (const WS_XML_READER_BINARY_ENCODING *)encoding;
		if (!xml_reader_static_ok(be->staticDictionary))
			return ws_error_fail(error, WS_E_NOT_SUPPORTED,
			    "%s: only the dictionary of WsGetDictionary can "
			    "be the static dictionary", api);
		break;
	case WS_XML_READER_ENCODING_TYPE_MTOM:
	case WS_XML_READER_ENCODING_TYPE_RAW:
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: MTOM and raw encodings are not supported", api);
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown encoding type %d", api,
		    (int)encoding->encodingType);
	}
	if (input->inputType == WS_XML_READER_INPUT_TYPE_BUFFER) {
		bi = (const WS_XML_READER_BUFFER_INPUT *)input;
		if (bi->encodedData == NULL && bi->encodedDataSize > 0)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: NULL data", api);
	} else if (input->inputType == WS_XML_READER_INPUT_TYPE_STREAM) {
		si = (const WS_XML_READER_STREAM_INPUT *)input;
		if (si->readCallback == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: NULL read callback", api);
	} else
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: unknown input type %d", api, (int)input->inputType);
	if ((hr = xml_reader_fresh(reader, properties, propertyCount, error,
	    api)) != S_OK)
		return hr;
	reader->binary = be != NULL;
	reader->in_cs = cs;
	reader->dynamic = be != NULL ? be->dynamicDictionary : NULL;
	reader->cur_props.charset = cs;
	if (bi != NULL) {
		/* The bytes are parsed now; a malformed input fails the reads
		 * that follow, as on Windows, not this call. */
		reader->in = XML_IN_BYTES;
		xml_reader_parse(reader, bi->encodedData, bi->encodedDataSize);
	} else {
		reader->in = XML_IN_STREAM;
		reader->read_cb = si->readCallback;
		reader->read_state = si->readCallbackState;
	}
	if (reader->cur_props.charset == WS_CHARSET_AUTO)
		reader->cur_props.charset = WS_CHARSET_UTF8;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsSetInputToBuffer(WS_XML_READER *reader, WS_XML_BUFFER *buffer,
    const WS_XML_READER_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR *error)
{
	HRESULT hr;

	if (!xml_reader_valid(reader) || !xml_buffer_valid(buffer))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsSetInputToBuffer: invalid reader or buffer");
	if ((hr = xml_reader_fresh(reader, properties, propertyCount, error,
	    "WsSetInputToBuffer")) != S_OK)
		return hr;
	reader->buf = buffer;
	reader->cur = &buffer->root->at_start;
	reader->parsed = true;
	reader->in = XML_IN_XML_BUFFER;
	return S_OK;
}

/*
 * Stream input: the read callback is called until `minSize` bytes past
 * the current node are buffered or the stream ends; the reader then reads
 * the nodes those bytes complete.  With an asyncContext the callback may
 * complete later (WS_S_ASYNC); no other call may use the reader until the
 * asyncContext's callback says the fill is over.
 */
WS_EXPORT HRESULT WINAPI
WsFillReader(WS_XML_READER *reader, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	if (!xml_reader_valid(reader))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsFillReader: invalid reader");
	if (reader->in == XML_IN_NONE)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsFillReader: the reader has no input");
	if (reader->filling)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsFillReader: a fill is pending");
	if (reader->in != XML_IN_STREAM || reader->eof)
		return S_OK;
	return xml_reader_pull(reader, minSize, asyncContext, error);
}

static HRESULT
xml_reader_buffer_check(WS_XML_READER *r, WS_ERROR *error, const char *api)
{
	HRESULT hr;

	if ((hr = xml_reader_check(r, error, api)) != S_OK)
		return hr;
	if (r->in != XML_IN_XML_BUFFER)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the reader does not read an XML buffer", api);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetReaderPosition(WS_XML_READER *reader, WS_XML_NODE_POSITION *nodePosition,
    WS_ERROR *error)
{
	HRESULT hr;

	if (!xml_reader_valid(reader) || nodePosition == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetReaderPosition: invalid reader or NULL position");
	if ((hr = xml_reader_buffer_check(reader, error,
	    "WsGetReaderPosition")) != S_OK)
		return hr;
	nodePosition->buffer = reader->buf;
	nodePosition->node = reader->cur;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsSetReaderPosition(WS_XML_READER *reader,
    const WS_XML_NODE_POSITION *nodePosition, WS_ERROR *error)
{
	struct xml_pos *p;
	HRESULT hr;

	if (!xml_reader_valid(reader) || nodePosition == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsSetReaderPosition: invalid reader or NULL position");
	if ((hr = xml_reader_buffer_check(reader, error,
	    "WsSetReaderPosition")) != S_OK)
		return hr;
	if (reader->c14n != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsSetReaderPosition: the reader is canonicalizing");
	if ((p = xml_pos_from(nodePosition, reader->buf)) == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsSetReaderPosition: the position is not in the reader's "
		    "buffer");
	reader->in_attr = false;
	xml_reader_set_pos(reader, p);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsMoveReader(WS_XML_READER *reader, WS_MOVE_TO moveTo, BOOL *found,
    WS_ERROR *error)
{
	struct xml_pos *p;
	HRESULT hr;
	bool ok;

	if (!xml_reader_valid(reader) || (unsigned)moveTo >
	    WS_MOVE_TO_CHILD_NODE)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsMoveReader: invalid reader or move");
	if ((hr = xml_reader_buffer_check(reader, error,
	    "WsMoveReader")) != S_OK)
		return hr;
	if (reader->c14n != NULL)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsMoveReader: the reader is canonicalizing");
	if (reader->in_attr)
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsMoveReader: the reader is inside an attribute");
	p = reader->cur;
	ok = xml_move(&p, moveTo);
	if (ok)
		xml_reader_set_pos(reader, p);
	if (found != NULL)
		*found = ok;
	else if (!ok)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "WsMoveReader: no such node");
	return S_OK;
}

/* The node at the reader for a copy (an element with its content, the
 * whole document at BOF), and where the reader goes after it. */
static HRESULT
xml_reader_copy_source(WS_XML_READER *r, const struct xml_node **src,
    struct xml_pos **after)
{
	struct xml_pos *p = r->cur;

	if (r->in_attr)
		return WS_E_INVALID_OPERATION;
	if (p->end)
		return WS_E_INVALID_FORMAT;
	/* A stream's node whose end (or what follows) is not obtained. */
	if (p->node->open)
		return WS_E_QUOTA_EXCEEDED;
	*src = p->node;
	*after = xml_is_container(p->node) ? &p->node->at_end : p;
	if (p->node->kind != XML_KIND_ROOT &&
	    (*after = xml_pos_next(*after)) == NULL)
		return r->buf->starved ? WS_E_QUOTA_EXCEEDED :
		    WS_E_INVALID_FORMAT;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsCopyNode(WS_XML_WRITER *writer, WS_XML_READER *reader, WS_ERROR *error)
{
	const struct xml_node *src;
	struct xml_pos *after;
	HRESULT hr;

	if (!xml_reader_valid(reader))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsCopyNode: invalid reader");
	if ((hr = xml_writer_check(writer, error, "WsCopyNode")) != S_OK ||
	    (hr = xml_reader_check(reader, error, "WsCopyNode")) != S_OK)
		return hr;
	if ((hr = xml_reader_copy_source(reader, &src, &after)) != S_OK)
		return ws_error_fail(error, hr, hr == WS_E_QUOTA_EXCEEDED ?
		    "WsCopyNode: the reader needs more data than WsFillReader "
		    "obtained" : "WsCopyNode: the reader is at an end or "
		    "inside an attribute");
	if ((hr = xml_writer_insert_copy(writer, src, true, error,
	    "WsCopyNode")) != S_OK)
		return hr;
	xml_reader_set_pos(reader, after);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadXmlBuffer(WS_XML_READER *reader, WS_HEAP *heap,
    WS_XML_BUFFER **buffer, WS_ERROR *error)
{
	const struct xml_node *src;
	struct xml_pos *after;
	WS_XML_BUFFER *b;
	bool found;
	HRESULT hr;

	if (!xml_reader_valid(reader) || !ws_heap_valid(heap) ||
	    buffer == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsReadXmlBuffer: invalid reader or heap, or NULL buffer");
	if ((hr = xml_reader_check(reader, error, "WsReadXmlBuffer")) != S_OK)
		return hr;
	if (!reader->in_attr && xml_reader_to_start(reader, &found) != S_OK)
		return ws_error_fail(error, WS_E_QUOTA_EXCEEDED,
		    "WsReadXmlBuffer: the reader needs more data than "
		    "WsFillReader obtained");
	if ((hr = xml_reader_copy_source(reader, &src, &after)) != S_OK)
		return ws_error_fail(error, hr, hr == WS_E_QUOTA_EXCEEDED ?
		    "WsReadXmlBuffer: the reader needs more data than "
		    "WsFillReader obtained" : "WsReadXmlBuffer: the reader is "
		    "at an end or inside an attribute");
	if ((b = xml_buffer_new(heap, &hr)) == NULL ||
	    (hr = xml_node_copy(b, b->root, NULL, src, NULL)) != S_OK)
		return ws_error_fail(error, hr, "WsReadXmlBuffer: the heap is "
		    "full");
	xml_reader_set_pos(reader, after);
	*buffer = b;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsReadXmlBufferFromBytes(WS_XML_READER *reader,
    const WS_XML_READER_ENCODING *encoding,
    const WS_XML_READER_PROPERTY *properties, ULONG propertyCount,
    const void *bytes, ULONG byteCount, WS_HEAP *heap,
    WS_XML_BUFFER **buffer, WS_ERROR *error)
{
	static const char api[] = "WsReadXmlBufferFromBytes";
	static const WS_XML_READER_TEXT_ENCODING text = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)bytes, byteCount };
	WS_XML_READER *r;
	WS_XML_BUFFER *b;
	HRESULT hr;

	if (!xml_reader_valid(reader) || !ws_heap_valid(heap) ||
	    buffer == NULL || (bytes == NULL && byteCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid argument", api);
	/* A reader of its own, so that the caller's keeps its input. */
	if ((hr = WsCreateReader(NULL, 0, &r, error)) != S_OK)
		return hr;
	r->props = reader->props;
	if ((hr = WsSetInput(r, encoding != NULL ? encoding : &text.encoding,
	    &in.input, properties, propertyCount, error)) == S_OK &&
	    (hr = xml_reader_check(r, error, api)) == S_OK) {
		if ((b = xml_buffer_new(heap, &hr)) == NULL ||
		    (hr = xml_node_copy(b, b->root, NULL, r->buf->root,
		    NULL)) != S_OK)
			hr = ws_error_fail(error, hr, "%s: the heap is full",
			    api);
		else
			*buffer = b;
	}
	WsFreeReader(r);
	return hr;
}

static WS_XML_DICTIONARY xml_nbfs;
static WS_XML_STRING xml_nbfs_strings[NBFS_DICT_COUNT];
static pthread_once_t xml_nbfs_once = PTHREAD_ONCE_INIT;

static void
xml_nbfs_init(void)
{
	size_t i;

	for (i = 0; i < NBFS_DICT_COUNT; i++) {
		xml_nbfs_strings[i].length = (ULONG)nbfs_dict[i].len;
		xml_nbfs_strings[i].bytes = (BYTE *)nbfs_dict[i].s;
		xml_nbfs_strings[i].dictionary = &xml_nbfs;
		xml_nbfs_strings[i].id = (ULONG)i;
	}
	xml_nbfs.strings = xml_nbfs_strings;
	xml_nbfs.stringCount = NBFS_DICT_COUNT;
	xml_nbfs.isConst = TRUE;
}

/* The MC-NBFS dictionary for the binary encodings, NULL for the others. */
WS_EXPORT HRESULT WINAPI
WsGetDictionary(WS_ENCODING encoding, WS_XML_DICTIONARY **dictionary,
    WS_ERROR *error)
{
	if (dictionary == NULL || (unsigned)encoding > WS_ENCODING_RAW)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetDictionary: NULL dictionary or unknown encoding");
	if (encoding == WS_ENCODING_XML_BINARY_1 ||
	    encoding == WS_ENCODING_XML_BINARY_SESSION_1) {
		pthread_once(&xml_nbfs_once, xml_nbfs_init);
		*dictionary = &xml_nbfs;
	} else
		*dictionary = NULL;
	return S_OK;
}
