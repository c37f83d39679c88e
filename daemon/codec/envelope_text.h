/*
 * The text envelope written without a libxml2 tree (envelope_text.c), for
 * the messages where that gives the very bytes of the tree path.
 */
#ifndef WSCHANNEL_ENVELOPE_TEXT_H
#define WSCHANNEL_ENVELOPE_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct envelope;

/*
 * Writes `env` (already checked by envelope_write) as envelope_write_dom
 * would, into a new malloc'd buffer.  Returns 0, 1 when this message is
 * not one it writes (the caller takes the tree path, which also finds
 * every error), -ENOMEM.
 */
int	envelope_text_write(const struct envelope *env, uint8_t **out,
	    size_t *out_len);

#endif
