/* The writer object, shared by xml_writer.c (writing) and
 * xml_writer_out.c (creation, properties, outputs, positions). */
#ifndef WSCHANNEL_XML_WRITER_H
#define WSCHANNEL_XML_WRITER_H

#include "xml_internal.h"
#include "xml_binary.h"

enum xml_out_kind {
	XML_OUT_NONE,
	XML_OUT_BUFFER,		/* WS_XML_WRITER_BUFFER_OUTPUT */
	XML_OUT_STREAM,		/* WS_XML_WRITER_STREAM_OUTPUT */
	XML_OUT_XML_BUFFER	/* WsSetOutputToBuffer */
};

struct xml_writer_props {
	ULONG		 max_depth;
	BOOL		 allow_fragment;
	ULONG		 max_attrs;
	BOOL		 write_decl;
	ULONG		 indent;
	ULONG		 trim_size;
	WS_CHARSET	 charset;
	ULONG		 max_size;
	ULONG		 max_mime_size;
	BOOL		 allow_invalid_refs;
	ULONG		 max_ns;
	BOOL		 compress_empty;
	BOOL		 emit_uncompressed;
};

struct _WS_XML_WRITER {
	uint32_t		 magic;
	struct xml_writer_props	 props;		/* from WsCreateWriter */
	/* In effect for the current output (WsSetOutput may override). */
	ULONG			 max_depth;
	ULONG			 max_attrs;
	BOOL			 write_decl;
	WS_CHARSET		 charset;
	ULONG			 max_size;
	ULONG			 indent;
	ULONG			 max_ns;
	BOOL			 compress_empty;
	BOOL			 emit_uncompressed;
	enum xml_out_kind	 out;
	bool			 binary;
	WS_WRITE_CALLBACK	 write_cb;
	void			*write_state;
	WS_HEAP			*own_heap;	/* for the writer's own tree */
	WS_XML_BUFFER		*buf;
	struct xml_pos		*cur;		/* where the next node goes */
	WS_XML_ATTRIBUTE	*attr;		/* an open attribute */
	struct xml_node		*attr_elem;	/* its element */
	struct xml_out		 bytes;		/* PROPERTY_BYTES, last result */
	WS_BYTES		 bytes_view;
	size_t			 flushed;	/* bytes given to the stream */
	struct xml_binary_opts	 bin;		/* the binary encoding's */
	struct xml_c14n		*c14n;		/* WsStartWriterCanonicalization */
	/* Called at each end of an element while canonicalizing, to give
	 * the canonical bytes that are final (xml_c14n.c). */
	HRESULT			(*c14n_step)(WS_XML_WRITER *, WS_ERROR *,
				    const char *);
};

/* xml_indent.c: the text of a tree with WS_XML_WRITER_PROPERTY_INDENT. */
HRESULT		 xml_indent_text(const struct xml_node *, ULONG indent,
		    struct xml_out *);
struct xml_c14n;
void		 xml_c14n_free(struct xml_c14n *);
bool		 xml_writer_valid(const WS_XML_WRITER *);
struct xml_node	*xml_writer_container(const WS_XML_WRITER *);
struct xml_node	*xml_writer_pending(const WS_XML_WRITER *);
HRESULT		 xml_writer_place(WS_XML_WRITER *, struct xml_node *, bool);
HRESULT		 xml_writer_bind(WS_XML_WRITER *, struct xml_node *,
		    const WS_XML_STRING *, const WS_XML_STRING *, bool);

#endif
