/*
 * The text envelope written without a libxml2 tree (envelope_text.c), for
 * the messages where that gives the very bytes of the tree path.
 */
#ifndef WSCHANNEL_ENVELOPE_TEXT_H
#define WSCHANNEL_ENVELOPE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

struct envelope;

/*
 * Writes `env` (already checked by envelope_write) as envelope_write_dom
 * would, into a new malloc'd buffer.  Returns 0, 1 when this message is
 * not one it writes (the caller takes the tree path, which also finds
 * every error), -ENOMEM.
 */
int	envelope_text_write(const struct envelope *env, uint8_t **out,
	    size_t *out_len);

/*
 * Reads a text envelope as envelope_read would, without a tree, when it
 * is one this reads (envelope_text_read.c): returns 0 with `env` filled,
 * 1 when the caller must take the tree path (which also finds every
 * error; `env` is then zeroed), -ENOMEM.
 */
int	envelope_text_read(const uint8_t *in, size_t len, struct envelope *env);

/* Shared by the two: this thread's reused push parser, reset, with `sax`
 * and the hostile-input options; given back with _done. */
xmlParserCtxt *envelope_text_parser(const xmlSAXHandler *sax,
	    const char *chunk, int size);
void	envelope_text_parser_done(xmlParserCtxt *ctxt);
/* SAX callbacks both use: predefined entities only, errors unprinted. */
xmlEntity *envelope_text_entity(void *ctx, const xmlChar *name);
void	envelope_text_quiet(void *ctx, xmlErrorPtr err);

#endif
