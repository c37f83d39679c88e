/*
 * SOAP envelopes with WS-Addressing headers, written and parsed with libxml2.
 * The body travels as the UTF-8 XML serialization of the children of
 * soap:Body (see Envelope.body in proto/wschannel.proto).
 */
#ifndef WSCHANNEL_ENVELOPE_H
#define WSCHANNEL_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

struct envelope {
	uint32_t	 envelope_version;	/* WS_ENVELOPE_VERSION: 1 = SOAP 1.1, 2 = SOAP 1.2 */
	uint32_t	 addressing_version;	/* WS_ADDRESSING_VERSION: 1 = 0.9, 2 = 1.0, 3 = TRANSPORT */
	char		*action;		/* NULL when absent */
	char		*to;
	char		*message_id;
	char		*relates_to;
	char		*reply_to;		/* the Address of ReplyTo */
	char		*fault_to;		/* the Address of FaultTo */
	uint8_t		*body;			/* children of Body as UTF-8 XML, NULL if empty */
	size_t		 body_len;
	bool		 is_fault;		/* Body holds a soap:Fault */
	char		*fault_reason;		/* its reason text when is_fault */
	/* Header elements other than the addressing ones, standalone UTF-8
	 * XML one after the other (Envelope.headers), NULL if none. */
	uint8_t		*headers;
	size_t		 headers_len;
	/* HTTP headers standing for mapped headers (Envelope.http_headers):
	 * to send, or received; NULL, 0 if none.  Each name and value is
	 * malloc'd, like the array. */
	struct envelope_http	*http;
	size_t		 nhttp;
	/* A piece of a streamed body, more follows (Envelope.more_body). */
	bool		 more_body;
};

struct envelope_http {
	char		*name;
	char		*value;
};

/* Frees every member and zeroes the struct; safe on a zeroed struct. */
void	envelope_clear(struct envelope *env);
/* Frees the HTTP headers only. */
void	envelope_http_clear(struct envelope *env);
/* Appends copies of a header's name and value; 0 or -ENOMEM. */
int	envelope_http_add(struct envelope *env, const char *name,
	    const char *value);

/*
 * Writes `env` as a UTF-8 XML document (no XML declaration) into a new
 * malloc'd buffer.  Action and To get mustUnderstand="1" (SOAP 1.2: "1",
 * SOAP 1.1: "1").  With WS-Addressing TRANSPORT no addressing headers are
 * written.  Returns 0, -EINVAL when the body is not well-formed XML or a
 * version is out of range, -ENOMEM.
 */
int	envelope_write(const struct envelope *env, uint8_t **out, size_t *out_len);
/* The same, always through a libxml2 tree: what envelope_write must give
 * byte for byte (the tests and the fuzz target hold it to that). */
int	envelope_write_dom(const struct envelope *env, uint8_t **out,
	    size_t *out_len);

/*
 * Parses a UTF-8 XML SOAP envelope.  Detects the SOAP and WS-Addressing
 * versions from the namespaces.  Returns 0, or -EBADMSG (with *why set to a
 * static reason) when it is not well-formed XML or not a SOAP envelope.
 * On failure `env` is left zeroed.
 */
int	envelope_read(const uint8_t *in, size_t len, struct envelope *env,
	    const char **why);

/* The same, always through a libxml2 tree: what envelope_read must give
 * (the tests hold it to that). */
int	envelope_read_dom(const uint8_t *in, size_t len, struct envelope *env,
	    const char **why);

/* The same, as a libxml2 document (the infoset the binary codec writes). */
int	envelope_to_doc(const struct envelope *env, xmlDoc **out);

/* Reads an envelope from a parsed document; always frees `doc`.  Same
 * results as envelope_read. */
int	envelope_from_doc(xmlDoc *doc, struct envelope *env, const char **why);

#endif
