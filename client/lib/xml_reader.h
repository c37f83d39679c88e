/* The reader object, shared by xml_reader.c (reading) and xml_reader_in.c
 * (creation, properties, inputs, positions, buffers). */
#ifndef WSCHANNEL_XML_READER_H
#define WSCHANNEL_XML_READER_H

#include "xml_internal.h"

enum xml_in_kind {
	XML_IN_NONE,
	XML_IN_BYTES,		/* WsSetInput: bytes parsed into our tree */
	XML_IN_STREAM,		/* WsSetInput with a read callback */
	XML_IN_XML_BUFFER	/* WsSetInputToBuffer */
};

struct xml_reader_props {
	ULONG		 max_depth;
	BOOL		 allow_fragment;
	ULONG		 max_attrs;
	BOOL		 read_decl;
	WS_CHARSET	 charset;
	ULONG		 utf8_trim_size;
	ULONG		 stream_buffer_size;
	ULONG		 max_mime_parts;
	ULONG		 max_root_part;	/* STREAM_MAX_ROOT_MIME_PART_SIZE */
	ULONG		 max_mime_headers;	/* STREAM_MAX_MIME_HEADERS_SIZE */
	BOOL		 allow_invalid_refs;
	ULONG		 max_ns;
};

struct _WS_XML_READER {
	uint32_t		 magic;
	struct xml_reader_props	 props;		/* from WsCreateReader */
	struct xml_reader_props	 cur_props;	/* for the current input */
	enum xml_in_kind	 in;
	bool			 binary;
	const WS_XML_DICTIONARY	*dynamic;
	/* A stream's bytes, pulled by WsFillReader, parsed on first read:
	 * what they make of complete nodes (`cut` bytes), the elements still
	 * open marked open; again each time WsFillReader added to them. */
	WS_CHARSET		 in_cs;		/* as WsSetInput gave it */
	WS_READ_CALLBACK	 read_cb;
	void			*read_state;
	struct xml_out		 pending;
	bool			 parsed;
	bool			 eof;
	bool			 parsed_eof;
	size_t			 parsed_len;
	size_t			 cut;
	/* An asynchronous WsFillReader: its context, goal and chunk. */
	bool			 filling;
	WS_ASYNC_CONTEXT	 fill_ctx;
	WS_ERROR		*fill_error;
	size_t			 fill_min;
	uint8_t			*chunk;
	ULONG			 chunk_want, chunk_got;
	HRESULT			 input_hr;	/* malformed input, reported */
	const char		*input_why;	/*   by every read */
	WS_HEAP			*own_heap;
	WS_XML_BUFFER		*buf;
	struct xml_pos		*cur;
	/* Inside an attribute (WsReadStartAttribute): its value as node. */
	bool			 in_attr;
	ULONG			 attr_index;
	WS_XML_TEXT_NODE	 attr_node;
	/* Partial reads of text (WsReadChars...): the text as UTF-8 or as
	 * decoded bytes, and how much was handed out. */
	const void		*cache_of;
	int			 cache_kind;
	struct xml_out		 cache;
	size_t			 cache_off;
	struct xml_c14n		*c14n;	/* WsStartReaderCanonicalization */
};

struct xml_c14n;
void		 xml_c14n_free(struct xml_c14n *);
bool		 xml_reader_valid(const WS_XML_READER *);
/* Parses pending stream bytes on first use. */
HRESULT		 xml_reader_ready(WS_XML_READER *, WS_ERROR *, const char *);
void		 xml_reader_moved(WS_XML_READER *);
/* Parses bytes into the reader's tree; a failure is kept for the reads. */
void		 xml_reader_parse(WS_XML_READER *, const uint8_t *, size_t);
/* Bytes obtained past the current node: what Windows keeps buffered
 * (what WsFillReader and WsFillBody count). */
size_t		 xml_reader_buffered(WS_XML_READER *);
/* WsFillReader: until `min` bytes past the current node are buffered or
 * the stream ends; WS_S_ASYNC when the callback went asynchronous. */
HRESULT		 xml_reader_pull(WS_XML_READER *, size_t min,
		    const WS_ASYNC_CONTEXT *, WS_ERROR *);

#endif
