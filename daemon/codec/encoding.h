/*
 * The codec of a channel's WS_ENCODING: UTF-8 text (envelope.c), binary XML
 * (nbfx.c) and binary XML with the in-band session dictionaries of
 * MC-NBFSE.  Transports frame what this produces and never choose a codec
 * themselves.
 */
#ifndef WSCHANNEL_ENCODING_H
#define WSCHANNEL_ENCODING_H

#include <stddef.h>
#include <stdint.h>

struct envelope;
struct encoding;

/*
 * The codec for `ws_encoding` (WS_ENCODING) and `envelope_version`
 * (WS_ENVELOPE_VERSION) of one channel; `max_dict` is its
 * MAX_SESSION_DICTIONARY_SIZE, used by the session encoding only (one
 * dictionary per direction).  Returns 0, -ENOTSUP for an encoding this
 * build cannot write (MTOM, UTF-16, raw), -ENOMEM.
 */
int	 encoding_new(uint32_t ws_encoding, uint32_t envelope_version,
	    uint32_t max_dict, struct encoding **out);
void	 encoding_free(struct encoding *);	/* NULL: no-op */

uint32_t encoding_type(const struct encoding *);	/* its WS_ENCODING */

/*
 * Encodes `msg`.  *doc is the message; with the session encoding *table
 * is the session's StringTable of the strings this message added, which
 * goes in front of the document on the wire (else NULL, 0).  Both are
 * malloc'd for the caller.  Returns S_OK, E_OUTOFMEMORY or
 * WS_E_INVALID_FORMAT (body not well-formed), with *why; on failure
 * nothing is returned.
 */
int32_t	 encoding_encode(struct encoding *, const struct envelope *msg,
	    uint8_t **table, size_t *table_len, uint8_t **doc, size_t *doc_len,
	    const char **why);

/*
 * Decodes one whole message (for the session encoding: its StringTable,
 * then the document) into `env`, which the caller zeroed.  Returns S_OK,
 * WS_E_INVALID_FORMAT, WS_E_QUOTA_EXCEEDED (the peer overflowed the
 * session dictionary) or E_OUTOFMEMORY, with *why; on failure `env` is
 * left zeroed (the session is then beyond repair: fault the channel).
 */
int32_t	 encoding_decode(struct encoding *, const uint8_t *in, size_t len,
	    struct envelope *env, const char **why);

/*
 * The Content-Type an encoding has on HTTP and SOAP-over-UDP, or NULL when
 * it has none there (the session encoding needs a session, MTOM and
 * UTF-16 are not spoken).
 */
const char *encoding_content_type(uint32_t ws_encoding,
	    uint32_t envelope_version);

#endif
