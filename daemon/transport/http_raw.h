/*
 * WS_ENCODING_RAW over HTTP: the body travels as its bytes, no envelope,
 * no SOAPAction; the request's method, the response's status code and
 * reason phrase and its Content-Type come from the message (Envelope
 * http_verb, http_status, http_status_text, a mapped Content-Type), the
 * rest of the exchange is the HTTP binding's (http_client.c,
 * http_server.c).
 */
#ifndef WSCHANNEL_HTTP_RAW_H
#define WSCHANNEL_HTTP_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>

struct channel;
struct envelope;
struct evkeyvalq;

/* The Content-Type of a raw body nobody named (ours, RFC 2046's type of
 * bytes without a known type). */
#define HTTP_RAW_CONTENT_TYPE	"application/octet-stream"

/* Does the channel speak WS_ENCODING_RAW? */
bool		 http_raw_is(struct channel *);
/* The value of one of the envelope's HTTP entries (a pseudo one of
 * httphdr.h or a header, without case), or NULL. */
const char	*http_raw_get(const struct envelope *, const char *name);
/*
 * Checks again what a client asks a raw message to carry: its method (a
 * request; an HTTP token this build can send), its status code (a
 * response; 100..999) and reason phrase (no CR, LF or control byte), its
 * Content-Type and other mapped headers (as http_util_headers_check).
 * S_OK, or E_INVALIDARG / WS_E_NOT_SUPPORTED with *why.
 */
int32_t		 http_raw_check(const struct envelope *, bool request,
		    const char **why);
/* The body of a raw message, copied (never NULL), within the channel's
 * MAX_BUFFERED_MESSAGE_SIZE: S_OK, WS_E_QUOTA_EXCEEDED, E_OUTOFMEMORY. */
int32_t		 http_raw_encode(struct channel *, const struct envelope *,
		    uint8_t **, size_t *, const char **why);
/* The method of a raw request (POST when it names none), checked. */
enum evhttp_cmd_type http_raw_method(const struct envelope *);
const char	*http_raw_method_name(enum evhttp_cmd_type);
/* Does a request with this method and body length carry Content-Length
 * and Content-Type?  (Not a bodiless GET, HEAD, DELETE, OPTIONS.) */
bool		 http_raw_has_content(enum evhttp_cmd_type, size_t len);
/* The Content-Type a raw message goes with. */
const char	*http_raw_content_type(const struct envelope *);
/* The status code and reason phrase of a raw response. */
int		 http_raw_status(const struct envelope *, const char **reason);
/*
 * What a received raw request or response adds to its headers (taken by
 * http_util_headers_take): its Content-Type, and the method of a request
 * or the status and reason of a response, as the pseudo entries.  0 or
 * -ENOMEM.
 */
int		 http_raw_take(struct evhttp_request *, bool response,
		    struct envelope *);
/* A received raw body as the message the channel gets: `env` (zeroed)
 * takes the body (malloc'd, or NULL) and the headers of `h`. */
void		 http_raw_message(struct envelope *env, uint8_t **body,
		    size_t len, struct envelope *h);

#endif
