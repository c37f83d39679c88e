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
	/* A stream's bytes, pulled by WsFillReader, parsed on first read. */
	WS_READ_CALLBACK	 read_cb;
	void			*read_state;
	struct xml_out		 pending;
	bool			 parsed;
	/* A stream holds what WsFillReader obtained: `pending` is parsed
	 * again when it grew (`parsed_len`), until the callback's end. */
	bool			 eof;
	size_t			 parsed_len;
	WS_XML_BUFFER		*spare;	/* an empty tree a failed parse left */
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
/* Pulls a stream's bytes: at least `min` more, or (all) to its end. */
HRESULT		 xml_reader_pull(WS_XML_READER *, size_t min, bool all,
		    WS_ERROR *, const char *);

#endif
