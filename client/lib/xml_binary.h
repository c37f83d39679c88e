/* Binary XML with typed text (xml_binary.c), between XML buffers and the
 * shared MC-NBFX codec. */
#ifndef WSCHANNEL_XML_BINARY_H
#define WSCHANNEL_XML_BINARY_H

#include "xml_internal.h"

/* What a binary writer was given in WS_XML_WRITER_BINARY_ENCODING. */
struct xml_binary_opts {
	WS_DYNAMIC_STRING_CALLBACK	 dynamic;
	void				*dynamic_state;
};

/* Parses binary bytes into `buf`, typed records as typed WS_XML_TEXTs. */
HRESULT	xml_binary_parse(WS_XML_BUFFER *, const uint8_t *, size_t,
	    const WS_XML_DICTIONARY *dynamic, ULONG max_depth, ULONG max_attrs,
	    const char **why);
/* The same for what a stream obtained so far (xml_serial_parse_part). */
HRESULT	xml_binary_parse_part(WS_XML_BUFFER *, const uint8_t *, size_t,
	    const WS_XML_DICTIONARY *dynamic, bool complete, ULONG max_depth,
	    ULONG max_attrs, size_t *open, size_t *cut, const char **why);
/* The complete top-level elements of a tree as binary documents. */
HRESULT	xml_binary_encode(const struct xml_node *root,
	    const struct xml_binary_opts *, struct xml_out *);

#endif
