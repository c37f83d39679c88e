/*
 * The HTTP binding's files: http.c (the ops), http_client.c (REQUEST
 * channels), http_server.c (REPLY listeners and their accepted channels),
 * http_util.c (what both sides share: media types, codecs, timers).
 */
#ifndef WSCHANNEL_HTTP_H
#define WSCHANNEL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

struct channel;
struct envelope;
struct listener;
struct url;
struct evkeyvalq;
struct http_client;
struct http_sreq;

#define HTTP_INFINITE		0xffffffffull
/* Requests waiting for an accept, per listener (bindings.md). */
#define HTTP_QUEUE_MAX		64
/* What the daemon reads of one request before any channel takes it; each
 * channel then applies its own MAX_BUFFERED_MESSAGE_SIZE (413). */
#define HTTP_SERVER_BODY_MAX	(4u * 1024 * 1024)
/* evhttp's own bound of a request's head (its 413 beyond): each channel
 * then applies its MAX_HTTP_REQUEST_HEADERS_BUFFER_SIZE (431). */
#define HTTP_HEADERS_MAX	(1024u * 1024)
#define HTTP_USER_AGENT		"MS-WebServices/1.0"
/* DISALLOWED_USER_AGENT's default (MS); the property is not settable. */
#define HTTP_DISALLOWED_AGENT	"Mozilla"


/* http_util.c */
/* An event with no fd, activated to free a record from the loop. */
struct event	*http_util_reap_event(void (*)(evutil_socket_t, short, void *),
		    void *);
evutil_socket_t	 http_util_evcon_fd(struct evhttp_connection *);
/* The next close of the connection sends a RST. */
void		 http_util_linger0(struct evhttp_connection *);
/* (Re)arms *ev for `ms` (INFINITE: none); stop frees it. */
void		 http_util_timer_arm(struct event **ev, uint64_t ms,
		    void (*)(evutil_socket_t, short, void *), void *);
void		 http_util_timer_stop(struct event **ev);
/* A Content-Type value as WS_ENCODING and WS_ENVELOPE_VERSION: 0 or -1. */
int		 http_util_media_type(const char *, uint32_t *encoding,
		    uint32_t *envelope);
/* Is the encoding UTF-16 text (converted here, at the edge)? */
bool		 http_util_utf16(uint32_t encoding);
/* A UTF-16 encoding corrected by the body's BOM; others as they are. */
uint32_t	 http_util_body_encoding(uint32_t encoding, const uint8_t *,
		    size_t);
/* The action a request's headers carry, malloc'd, or NULL. */
char		*http_util_header_action(struct evkeyvalq *, uint32_t envelope);
int32_t		 http_util_decode(uint32_t encoding, uint32_t envelope,
		    const uint8_t *, size_t, struct envelope *, const char **);
int32_t		 http_util_encode(struct channel *, const struct envelope *,
		    uint32_t encoding, uint8_t **, size_t *, const char **);
void		 http_util_content_type(char *, size_t, uint32_t encoding,
		    uint32_t envelope, const char *action);
/* Mapped headers (Envelope.http_headers): checks what a client asks us
 * to send (S_OK or E_INVALIDARG with *why), adds it to outgoing headers
 * (0 or -1), and takes the received ones but ours into env->http. */
int32_t		 http_util_headers_check(const struct envelope *, const char **);
int		 http_util_headers_put(struct evkeyvalq *,
		    const struct envelope *);
int		 http_util_headers_take(struct evkeyvalq *, struct envelope *);

/* Streamed transfer (WS_CHANNEL_PROPERTY_TRANSFER_MODE): is `mode` on,
 * the bound of what is received and sent, and the envelope of a streamed
 * body split around it (UTF-8 text; *head, *tail malloc'd). */
bool		 http_util_streamed(struct channel *, uint32_t mode);
uint64_t	 http_util_max_in(struct channel *);
uint64_t	 http_util_max_out(struct channel *);
int32_t		 http_util_encode_split(struct channel *,
		    const struct envelope *, uint32_t encoding, uint8_t **head,
		    size_t *hlen, uint8_t **tail, size_t *tlen, const char **why);

/* http_client.c: the record of a REQUEST channel. */
int32_t		 http_client_open(struct channel *, const struct url *);
int32_t		 http_client_send(struct http_client *, const struct envelope *,
		    const char **why);
int32_t		 http_client_send_part(struct http_client *,
		    const struct envelope *, const char **why);
int32_t		 http_client_receive_check(struct http_client *, const char **);
/* Hands a complete response to a waiting receive. */
void		 http_client_deliver(struct http_client *);
void		 http_client_close(struct http_client *);
/* Abort: detaches from the channel; the connection is freed later (RST
 * when `reset` and an exchange was in flight). */
void		 http_client_release(struct http_client *, bool reset);

/* http_server.c: the record of one request, the accepted channel's. */
int32_t		 http_server_reply_send(struct http_sreq *,
		    const struct envelope *, const char **why);
int32_t		 http_server_reply_send_part(struct http_sreq *,
		    const struct envelope *, const char **why);
void		 http_server_reply_want_receive(struct http_sreq *);
void		 http_server_reply_close(struct http_sreq *);
/* Abort: RST when the response is not complete, freed later. */
void		 http_server_req_release(struct http_sreq *);
int32_t		 http_server_listen(struct listener *, const struct url *,
		    const char **why);
void		 http_server_accept(struct listener *);
/* Close: connections end once their responses are read, within the
 * listener's CLOSE_TIMEOUT; abort: at once.  Accepted channels keep
 * theirs either way. */
void		 http_server_unlisten(struct listener *);
void		 http_server_unlisten_abort(struct listener *);

/* http_stream_in.c: the response body of a REQUEST channel in
 * WS_STREAMED_INPUT_TRANSFER_MODE, handed on in raw pieces as it arrives
 * (at most about HTTP_STREAM_WINDOW unread bytes kept). */
#define HTTP_STREAM_WINDOW	(64u * 1024)
struct bufferevent;
struct evbuffer;
struct http_stream_in;
enum http_stream_feed {
	HTTP_STREAM_WAIT,	/* nothing more to do until bytes or a read */
	HTTP_STREAM_DONE,	/* the last bytes were handed on */
	HTTP_STREAM_WHOLE,	/* a receive wants the whole body: it is there */
	HTTP_STREAM_BAD_TYPE,	/* not a SOAP type of the channel's encoding */
	HTTP_STREAM_NOMEM,
	HTTP_STREAM_TOO_BIG,	/* past MAX_STREAMED_MESSAGE_SIZE */
};
struct http_stream_in *http_stream_in_new(void);
void		 http_stream_in_free(struct http_stream_in *);
/* A new exchange on the connection of `bev`: nothing of the last one. */
void		 http_stream_in_reset(struct http_stream_in *,
		    struct bufferevent *);
/* A 2xx response head: its Content-Type and headers are kept, and its
 * body streams.  0 or -1 (no memory). */
int		 http_stream_in_head(struct http_stream_in *,
		    struct evhttp_request *);
bool		 http_stream_in_active(const struct http_stream_in *);
bool		 http_stream_in_started(const struct http_stream_in *);
/* Started and the last bytes not yet handed on. */
bool		 http_stream_in_reading(const struct http_stream_in *);
/* Takes a piece from evhttp's input buffer: S_OK, WS_E_QUOTA_EXCEEDED
 * past `max` body bytes, E_OUTOFMEMORY. */
int32_t		 http_stream_in_take(struct http_stream_in *, struct evbuffer *,
		    uint64_t max);
void		 http_stream_in_end(struct http_stream_in *);
/* Gives back what it took (a response that does not stream). */
void		 http_stream_in_unwind(struct http_stream_in *,
		    struct evbuffer *);
/* Serves the reads waiting on the channel (may complete one). */
enum http_stream_feed http_stream_in_feed(struct http_stream_in *,
		    struct channel *);
/* HTTP_STREAM_WHOLE: the body (malloc'd), Content-Type and headers. */
int		 http_stream_in_whole(struct http_stream_in *, uint8_t **,
		    size_t *, char **ct, struct envelope *h);
/* http_client.c: read_body_more on a REQUEST channel. */
int32_t		 http_client_read_more(struct http_client *, const char **why);

#endif
