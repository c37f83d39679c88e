/*
 * HTTP headers that stand for mapped headers of a message
 * (WS_HTTP_MESSAGE_MAPPING): what a header name and value may be, and
 * which headers the HTTP transport owns.  Shared by the library, which
 * checks a mapping when a channel is created, and the daemon, which
 * checks again what a client asks it to put on the wire.
 */
#ifndef WSCHANNEL_HTTPHDR_H
#define WSCHANNEL_HTTPHDR_H

#include <stdbool.h>
#include <stddef.h>

/* Headers one message may carry, and their bytes (names and values). */
#define HTTPHDR_MAX_COUNT	64
#define HTTPHDR_MAX_BYTES	16384

/* A token (RFC 9110 field-name) of `len` bytes, 1 or more. */
bool	httphdr_name_ok(const char *name, size_t len);
/* No CR, LF, NUL or other control byte but HTAB. */
bool	httphdr_value_ok(const char *value, size_t len);
/* A header the transport writes or that frames the message (Content-Type,
 * Content-Length, SOAPAction, Host, Connection...), compared without case:
 * a mapping may not name it. */
bool	httphdr_owned(const char *name, size_t len);

/*
 * Inside the daemon, Envelope.http_verb, http_status and http_status_text
 * travel as entries of the envelope's HTTP headers under these names,
 * which are no tokens and so never an HTTP header's (the doors put them
 * there and take them out).
 */
#define HTTPHDR_VERB		":verb"
#define HTTPHDR_STATUS		":status"
#define HTTPHDR_STATUS_TEXT	":status-text"

#endif
