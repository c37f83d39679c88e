/*
 * The text envelope written without a libxml2 tree (envelope_text.c), for
 * the messages where that gives the very bytes of the tree path.
 */
#ifndef WSCHANNEL_ENVELOPE_TEXT_H
#define WSCHANNEL_ENVELOPE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

struct envelope;

/* The namespaces of the envelope, its addressing headers and XML itself,
 * for the tree path (envelope.c) and the text one alike. */
#define ENV_NS_SOAP12	"http://www.w3.org/2003/05/soap-envelope"
#define ENV_NS_SOAP11	"http://schemas.xmlsoap.org/soap/envelope/"
#define ENV_NS_WSA10	"http://www.w3.org/2005/08/addressing"
#define ENV_NS_WSA09	"http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define ENV_NS_XML	"http://www.w3.org/XML/1998/namespace"
#define ENV_NS_XMLNS	"http://www.w3.org/2000/xmlns/"

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

/*
 * Shared by the two: each use has this thread's own push parser, kept
 * from message to message (creating one costs more than parsing a small
 * message) and reset for each, with its SAX handler and the hostile-input
 * options.  *gen names the parser: it changes when the parser (and its
 * dictionary, whose interned names a caller may keep) was replaced.
 * _done gives it back after a parse of `len` bytes; a parser that parsed a
 * large input or holds too many names is freed there, so what one message
 * leaves behind is bounded and never reaches the next.
 */
enum envelope_text_use {
	ENVELOPE_TEXT_READ,		/* envelope_text_read */
	ENVELOPE_TEXT_CHECK,		/* the canonical test of a body */
	ENVELOPE_TEXT_NUSES
};
xmlParserCtxt *envelope_text_parser(enum envelope_text_use,
	    const xmlSAXHandler *sax, const char *chunk, int size,
	    unsigned int *gen);
void	envelope_text_parser_done(enum envelope_text_use,
	    xmlParserCtxt *ctxt, size_t len);
/* The generation of this thread's kept parser of a use, 0 when none. */
unsigned int envelope_text_generation(enum envelope_text_use);
/* This thread's scratch buffer of a use, taken out (NULL, 0 when none)
 * and given back; one that grew large is freed rather than kept. */
void	envelope_text_take(enum envelope_text_use, char **p, size_t *size);
void	envelope_text_give(enum envelope_text_use, char *p, size_t size);
/* Frees the calling thread's parsers and buffers (a daemon's exit: the
 * main thread runs no thread-exit destructor).  Safe to call at any time,
 * they are made again when next needed. */
void	envelope_text_cleanup(void);
/* The first byte of [p, end) that text escapes (< > & CR), or end: the
 * scan every text run of both takes, so it goes 16 bytes at a time. */
const xmlChar *envelope_text_special(const xmlChar *p, const xmlChar *end);
/* The `n` bytes at `in` escaped as the serializer (xmlNodeDump) escapes
 * text, into `out`, which has room for 5 * n bytes; the bytes written. */
size_t	envelope_text_escape(uint8_t *out, const uint8_t *in, size_t n);
/* A body of the library's simple form, canonical as it is: the text
 * writer then skips its check. */
bool	envelope_text_body_simple(const uint8_t *body, size_t len);
/*
 * Text as the writer escapes it, of printable ASCII (tab and newline
 * too): from `p` to the '<' that ends it, which is returned, or NULL when
 * the text is not of that form.  Unescaped into `out` (when not NULL; room
 * for end - p bytes) and its length into *outlen.
 */
const uint8_t *envelope_text_ascii(const uint8_t *p, const uint8_t *end,
	    char *out, size_t *outlen);

/* The addressing headers the text writer writes, in its order, and the
 * envelope's field of each; the reader of its own form reads them so. */
struct envelope_text_header {
	const char	*name;
	bool		 mu;		/* s:mustUnderstand="1" */
	bool		 addr;		/* the value is in an <a:Address> */
	size_t		 field;		/* offsetof(struct envelope, ...) */
};
/* Ends with a NULL name. */
extern const struct envelope_text_header envelope_text_headers[];
#define ENVELOPE_TEXT_FIELD(env, h) \
	(*(char *const *)(const void *)((const char *)(env) + (h)->field))
/* SAX callbacks both use: predefined entities only, errors unprinted. */
xmlEntity *envelope_text_entity(void *ctx, const xmlChar *name);
void	envelope_text_quiet(void *ctx, xmlErrorPtr err);

#endif
