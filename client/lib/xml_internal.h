/*
 * The XML layer of libwschannel: a tree of nodes on a WS_HEAP (the
 * WS_XML_BUFFER), a writer that inserts into such a tree and serializes it,
 * and a reader that walks one.  Text input is parsed by libxml2 and binary
 * input by the daemon's MC-NBFX codec (daemon/codec), both into the tree.
 */
#ifndef WSCHANNEL_XML_INTERNAL_H
#define WSCHANNEL_XML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "wschannel/webservices.h"

#define WS_XML_BUFFER_MAGIC	0x57584246u	/* "WXBF" */
#define WS_XML_READER_MAGIC	0x57585244u	/* "WXRD" */
#define WS_XML_WRITER_MAGIC	0x57585752u	/* "WXWR" */

#define XML_NS_XML	"http://www.w3.org/XML/1998/namespace"
#define XML_NS_XMLNS	"http://www.w3.org/2000/xmlns/"
#define XML_NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"

enum xml_kind {
	XML_KIND_ROOT,		/* BOF .. EOF */
	XML_KIND_ELEMENT,	/* start .. end element */
	XML_KIND_CDATA,		/* CDATA .. END_CDATA, texts inside */
	XML_KIND_TEXT,
	XML_KIND_COMMENT
};

struct xml_node;

/* A place in a tree: before a node (its start) or after its content (its
 * end: END_ELEMENT, END_CDATA, EOF).  WS_XML_NODE_POSITION.node points to
 * one of these, which live inside their node. */
struct xml_pos {
	struct xml_node	*node;
	bool		 end;
	/* Where a parsed node begins in its input: the byte offset and, for
	 * text, the 0-based row and column (xml_scan.c). */
	uint64_t	 row, col;
	size_t		 off;
};

struct xml_node {
	enum xml_kind	 kind;
	struct xml_node	*parent, *first, *last, *next, *prev;
	struct xml_pos	 at_start, at_end;
	WS_XML_BUFFER	*buffer;
	/* The public views of the node, handed out by WsGetReaderNode. */
	WS_XML_ELEMENT_NODE elem;
	ULONG		 attr_cap;
	WS_XML_TEXT_NODE text;
	WS_XML_COMMENT_NODE comment;
	/* Writer state of an element: its start tag is complete (content or
	 * WsWriteEndStartElement came), it is closed, and whether an empty
	 * element keeps a separate end tag. */
	bool		 start_done;
	bool		 closed;
	bool		 explicit_end;
	/* A stream reader's element (or document) whose end was not
	 * obtained yet: nothing reads past its content. */
	bool		 open;
};

struct _WS_XML_BUFFER {
	uint32_t	 magic;
	WS_HEAP		*heap;
	struct xml_node	*root;
	/* xml_pos_next stopped at an open node (the reader needs more). */
	bool		 starved;
};

/* A growing malloc'd byte string. */
struct xml_out {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
	bool		 oom;
};

/* xml_scan.c: where nodes begin and end in text or binary bytes, ahead of
 * the parsers (which judge well-formedness). */
enum xml_scan_kind {
	XML_SCAN_START,		/* <a ...> */
	XML_SCAN_EMPTY,		/* <a .../> */
	XML_SCAN_END,
	XML_SCAN_TEXT,
	XML_SCAN_COMMENT,
	XML_SCAN_CDATA,
	XML_SCAN_CDATA_TEXT,
	XML_SCAN_CDATA_END
};

struct xml_scan_ev {
	enum xml_scan_kind	 kind;
	size_t			 off;
	uint64_t		 row, col;
};

struct xml_scan {
	struct xml_scan_ev	*ev;
	size_t			 nev, cap;
	size_t			 cut;	/* bytes making complete nodes */
	size_t			 cut_in;	/* the same, in input bytes */
	size_t			 open;	/* elements open at the cut */
	struct xml_out		 closes;	/* what closes them */
	uint64_t		 row, col;	/* at the cut */
	size_t			 walked;
	bool			 oom;
};

void		 xml_scan_text(const uint8_t *, size_t, bool complete,
		    struct xml_scan *);
void		 xml_scan_binary(const uint8_t *, size_t, bool complete,
		    struct xml_scan *);
/* Offsets of the scanned UTF-8 back to the input's: UTF-8 with `bom`
 * bytes before, or UTF-16 (its `bom` bytes before). */
void		 xml_scan_shift(struct xml_scan *, size_t bom);
void		 xml_scan_utf16(struct xml_scan *, const uint8_t *, size_t,
		    size_t bom);
void		 xml_scan_assign(const struct xml_scan *, struct xml_node *,
		    bool text);
void		 xml_scan_free(struct xml_scan *);

/* xml_buffer.c: nodes and trees. */
WS_XML_BUFFER	*xml_buffer_new(WS_HEAP *, HRESULT *);
bool		 xml_buffer_valid(const WS_XML_BUFFER *);
struct xml_node	*xml_node_new(WS_XML_BUFFER *, enum xml_kind, HRESULT *);
/* Inserts `n` under `parent`, after `after` (NULL: first). */
void		 xml_node_insert(struct xml_node *parent, struct xml_node *after,
		    struct xml_node *n);
WS_XML_STRING	*xml_string_new(WS_HEAP *, const BYTE *, ULONG, HRESULT *);
WS_XML_STRING	*xml_string_dup(WS_HEAP *, const WS_XML_STRING *, HRESULT *);
bool		 xml_string_eq(const WS_XML_STRING *, const WS_XML_STRING *);
bool		 xml_string_is(const WS_XML_STRING *, const char *);
/* Adds an attribute to an element; strings and value are copied. */
HRESULT		 xml_node_add_attr(struct xml_node *, bool is_xmlns,
		    bool single_quote, const WS_XML_STRING *prefix,
		    const WS_XML_STRING *local, const WS_XML_STRING *ns,
		    const WS_XML_TEXT *value, WS_XML_ATTRIBUTE **out);
/* Deep copy of `src` (its subtree) inserted under parent after `after`. */
HRESULT		 xml_node_copy(WS_XML_BUFFER *, struct xml_node *parent,
		    struct xml_node *after, const struct xml_node *src,
		    struct xml_node **out);
/* The namespace bound to `prefix` at element `n` (walking up), or NULL. */
const WS_XML_STRING *xml_scope_ns(const struct xml_node *,
		    const WS_XML_STRING *prefix);
/* A prefix bound to `ns` at `n` and not rebound below, or NULL. */
const WS_XML_STRING *xml_scope_prefix(const struct xml_node *,
		    const WS_XML_STRING *ns);
/* The node a position names, in document order. */
bool		 xml_move(struct xml_pos **, WS_MOVE_TO);
struct xml_pos	*xml_pos_next(const struct xml_pos *);
/* Is `n` a container (root, element, CDATA)? */
bool		 xml_is_container(const struct xml_node *);
/* Checks a WS_XML_NODE_POSITION and gives the place it names. */
struct xml_pos	*xml_pos_from(const WS_XML_NODE_POSITION *, WS_XML_BUFFER *);

/* xml_out: bytes. */
void		 xml_out_add(struct xml_out *, const void *, size_t);
void		 xml_out_str(struct xml_out *, const char *);
void		 xml_out_free(struct xml_out *);

/* xml_text.c: WS_XML_TEXT values. */
WS_XML_TEXT	*xml_text_copy(WS_HEAP *, const WS_XML_TEXT *, HRESULT *);
WS_XML_TEXT	*xml_text_utf8(WS_HEAP *, const BYTE *, size_t, HRESULT *);
/* The canonical XML text of a value, UTF-8, appended to `out`; E_INVALIDARG
 * for a malformed text (unknown type, bad UTF-16, NULL bytes). */
HRESULT		 xml_text_format(const WS_XML_TEXT *, struct xml_out *);
bool		 xml_text_valid(const WS_XML_TEXT *);
void		 xml_base64_encode(struct xml_out *, const BYTE *, size_t);
/* Decodes base64 (whitespace ignored); -1 when malformed. */
int		 xml_base64_decode(const char *, size_t, struct xml_out *);
/* Parsing of text (whitespace around it trimmed), as XML Schema. */
HRESULT		 xml_parse_bool(const char *, size_t, BOOL *);
HRESULT		 xml_parse_int(const char *, size_t, int64_t min, int64_t max,
		    int64_t *);
HRESULT		 xml_parse_uint(const char *, size_t, uint64_t max, uint64_t *);
HRESULT		 xml_parse_double(const char *, size_t, double *);
HRESULT		 xml_parse_guid(const char *, size_t, GUID *);
HRESULT		 xml_parse_datetime(const char *, size_t, WS_DATETIME *);
HRESULT		 xml_parse_timespan(const char *, size_t, WS_TIMESPAN *);
HRESULT		 xml_parse_decimal(const char *, size_t, DECIMAL *);
/* The text a WS_VALUE_TYPE value is written as; E_INVALIDARG for a bad
 * type or size. */
HRESULT		 xml_value_text(WS_HEAP *, WS_VALUE_TYPE, const void *, ULONG,
		    WS_XML_TEXT **);
/* Parses UTF-8 text as a WS_VALUE_TYPE into value (valueSize checked). */
HRESULT		 xml_value_parse(WS_VALUE_TYPE, const char *, size_t, void *,
		    ULONG);
size_t		 xml_value_size(WS_VALUE_TYPE);

/* xml_serial.c: a tree as text, and trees to and from libxml2 documents
 * (binary goes through daemon/codec's nbfx, which speaks libxml2). */
/* Text of the tree (complete nodes, and open elements so far). */
HRESULT		 xml_serial_text(const struct xml_node *root, struct xml_out *);
HRESULT		 xml_serial_encode(const struct xml_node *root, WS_CHARSET,
		    struct xml_out *);
/* Reads `doc` under `parent`; quotas as WsCreateReader's properties. */
HRESULT		 xml_serial_from_doc(WS_XML_BUFFER *, struct xml_node *parent,
		    xmlNodePtr first, ULONG max_depth, ULONG max_attrs);
/* Parses text (charset given or detected) into `buf`; binary input is
 * xml_binary_parse's. */
HRESULT		 xml_serial_parse(WS_XML_BUFFER *, const uint8_t *, size_t,
		    WS_CHARSET, ULONG max_depth, ULONG max_attrs,
		    const char **why);
/* The same for what a stream obtained so far: without `complete`, the
 * nodes the bytes complete, `*open` elements left open (the tree's
 * rightmost ones), `*cut` input bytes used.  WS_CHARSET_AUTO becomes
 * the charset found. */
HRESULT		 xml_serial_parse_part(WS_XML_BUFFER *, const uint8_t *,
		    size_t, WS_CHARSET *, bool complete, ULONG max_depth,
		    ULONG max_attrs, size_t *open, size_t *cut,
		    const char **why);

/* xml_writer.c / xml_reader.c internals used by the others. */
struct xml_writer_api;
HRESULT		 xml_writer_text(WS_XML_WRITER *, const WS_XML_TEXT *,
		    WS_ERROR *, const char *);
HRESULT		 xml_writer_check(WS_XML_WRITER *, WS_ERROR *, const char *);
bool		 xml_writer_in_attribute(const WS_XML_WRITER *);
/* The current reader node, and helpers of xml_type.c. */
const WS_XML_NODE *xml_reader_node(WS_XML_READER *);
HRESULT		 xml_reader_check(WS_XML_READER *, WS_ERROR *, const char *);
bool		 xml_reader_in_attribute(const WS_XML_READER *);
/* The text at the reader (the attribute value, or consecutive text nodes
 * of element content, which are consumed), as malloc'd UTF-8. */
HRESULT		 xml_reader_take_text(WS_XML_READER *, char **, size_t *);
HRESULT		 xml_reader_to_start(WS_XML_READER *, bool *found);
HRESULT		 xml_reader_advance(WS_XML_READER *);
/* The element at the reader and the position, for WsCopyNode. */
struct xml_pos	*xml_reader_pos(WS_XML_READER *);
void		 xml_reader_set_pos(WS_XML_READER *, struct xml_pos *);
/* `copy_node`: WsCopyNode's copy, which
 * WS_XML_WRITER_PROPERTY_COMPRESS_EMPTY_ELEMENTS may compress. */
HRESULT		 xml_writer_insert_copy(WS_XML_WRITER *, const struct xml_node *,
		    bool copy_node, WS_ERROR *, const char *);

/* Serialization of descriptions (issue 12).  xml_type.c: primitive
 * types, and what every type has (size, range); xml_struct.c writes the
 * described kinds and has WsWriteType/WsWriteElement/WsWriteAttribute;
 * xml_struct_read.c reads them and has the reading calls. */
/* Is the type one of the described kinds (struct, enum, union, arrays,
 * custom, endpoint address, description, void, fault, any attributes)? */
bool		 xml_type_described(WS_TYPE);
/* Types whose value itself is a pointer (WSZ, XML buffer, description). */
bool		 xml_type_pointer(WS_TYPE);
/* Size of a value of any type, 0 when unknown or the description is
 * missing. */
size_t		 xml_type_size_of(WS_TYPE, const void *desc);
/* Range and length constraints of a primitive type's description. */
bool		 xml_type_in_range(WS_TYPE, const void *desc, const void *v);
/* The value a write option names (NULL: nil), for a primitive type; the
 * read arguments checked likewise. */
HRESULT		 xml_type_write_value(WS_TYPE, WS_WRITE_OPTION, const void *,
		    ULONG, const void **);
HRESULT		 xml_type_read_args(WS_TYPE, WS_READ_OPTION, WS_HEAP *, void *,
		    ULONG);
/* WsWriteType/WsReadType of a primitive type. */
HRESULT		 xml_type_write(WS_XML_WRITER *, WS_TYPE_MAPPING, WS_TYPE,
		    const void *, WS_WRITE_OPTION, const void *, ULONG,
		    WS_ERROR *);
HRESULT		 xml_type_read(WS_XML_READER *, WS_TYPE_MAPPING, WS_TYPE,
		    const void *, WS_READ_OPTION, WS_HEAP *, void *, ULONG,
		    WS_ERROR *);
/* The value a write option names (NULL: nil), for a described kind. */
HRESULT		 xml_struct_write_value(WS_TYPE, const void *desc,
		    WS_WRITE_OPTION, const void *value, ULONG size,
		    const void **v);
HRESULT		 xml_struct_write_type(WS_XML_WRITER *, WS_TYPE_MAPPING,
		    WS_TYPE, const void *desc, WS_WRITE_OPTION, const void *value,
		    ULONG size, WS_ERROR *);
HRESULT		 xml_struct_read_args(WS_TYPE, const void *desc,
		    WS_READ_OPTION, WS_HEAP *, void *value, ULONG size);
HRESULT		 xml_struct_read_type(WS_XML_READER *, WS_TYPE_MAPPING,
		    WS_TYPE, const void *desc, WS_READ_OPTION, WS_HEAP *,
		    void *value, ULONG size, WS_ERROR *);

#endif
