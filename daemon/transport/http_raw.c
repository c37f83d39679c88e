/*
 * WS_ENCODING_RAW over HTTP (http_raw.h): what a raw message puts on the
 * wire besides its bytes, and what a received one carries up.  No HTTP
 * parsing of our own: evhttp has read the request or response.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "envelope.h"
#include "httphdr.h"

#include "http.h"
#include "http_raw.h"

/* The methods evhttp 2.1 writes (CONNECT aside: its target is no path). */
static const struct {
	const char		*name;
	enum evhttp_cmd_type	 cmd;
} http_raw_methods[] = {
	{ "GET", EVHTTP_REQ_GET },
	{ "POST", EVHTTP_REQ_POST },
	{ "HEAD", EVHTTP_REQ_HEAD },
	{ "PUT", EVHTTP_REQ_PUT },
	{ "DELETE", EVHTTP_REQ_DELETE },
	{ "OPTIONS", EVHTTP_REQ_OPTIONS },
	{ "TRACE", EVHTTP_REQ_TRACE },
	{ "PATCH", EVHTTP_REQ_PATCH },
};

/* Reason phrases of the codes a response names without one (RFC 9110). */
static const struct {
	int		 code;
	const char	*reason;
} http_raw_reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 304, "Not Modified" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 413, "Content Too Large" }, { 415, "Unsupported Media Type" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
};

bool
http_raw_is(struct channel *ch)
{
	return channel_prop_value(ch, WS_CHANNEL_PROPERTY_ENCODING) ==
	    WS_ENCODING_RAW;
}

const char *
http_raw_get(const struct envelope *env, const char *name)
{
	size_t i;

	for (i = 0; i < env->nhttp; i++)
		if (strcasecmp(env->http[i].name, name) == 0)
			return env->http[i].value;
	return NULL;
}

static bool
http_raw_pseudo(const char *name)
{
	return name[0] == ':';
}

static bool
http_raw_is_ct(const char *name)
{
	return strcasecmp(name, "Content-Type") == 0;
}

/* The status code of an envelope: 0 when it names none, -1 when it is no
 * number of 100..999. */
static int
http_raw_code(const struct envelope *env)
{
	const char *s = http_raw_get(env, HTTPHDR_STATUS);
	char *end;
	unsigned long v;

	if (s == NULL)
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	return *end != '\0' || v < 100 || v > 999 ? -1 : (int)v;
}

int32_t
http_raw_check(const struct envelope *msg, bool request, const char **why)
{
	struct envelope rest;
	const char *v;
	size_t i, n;
	int32_t hr;

	if ((v = http_raw_get(msg, HTTPHDR_VERB)) != NULL) {
		if (!request) {
			*why = "a response has no HTTP method";
			return E_INVALIDARG;
		}
		if (!httphdr_name_ok(v, strlen(v))) {
			*why = "the HTTP method (mapped header Verb) is not a "
			    "token";
			return E_INVALIDARG;
		}
		for (i = 0; i < sizeof(http_raw_methods) /
		    sizeof(http_raw_methods[0]); i++)
			if (strcmp(http_raw_methods[i].name, v) == 0)
				break;
		if (i == sizeof(http_raw_methods) /
		    sizeof(http_raw_methods[0])) {
			*why = "this build sends the HTTP methods GET, POST, "
			    "HEAD, PUT, DELETE, OPTIONS, TRACE and PATCH only";
			return WS_E_NOT_SUPPORTED;
		}
	}
	if (http_raw_get(msg, HTTPHDR_STATUS) != NULL ||
	    http_raw_get(msg, HTTPHDR_STATUS_TEXT) != NULL) {
		if (request) {
			*why = "a request has no HTTP status";
			return E_INVALIDARG;
		}
		if (http_raw_code(msg) < 0) {
			*why = "the HTTP status code (mapped header StatusCode) "
			    "is not a number of 100..999";
			return E_INVALIDARG;
		}
		v = http_raw_get(msg, HTTPHDR_STATUS_TEXT);
		if (v != NULL && !httphdr_value_ok(v, strlen(v))) {
			*why = "the HTTP reason phrase (mapped header "
			    "StatusText) holds CR, LF or a control byte";
			return E_INVALIDARG;
		}
	}
	if ((v = http_raw_get(msg, "Content-Type")) != NULL &&
	    (*v == '\0' || !httphdr_value_ok(v, strlen(v)))) {
		*why = "the mapped Content-Type is empty or holds a control "
		    "byte";
		return E_INVALIDARG;
	}
	/* The other headers, as for any HTTP message. */
	memset(&rest, 0, sizeof(rest));
	if (msg->nhttp > 0 && (rest.http = calloc(msg->nhttp,
	    sizeof(*rest.http))) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	for (i = n = 0; i < msg->nhttp; i++)
		if (!http_raw_pseudo(msg->http[i].name) &&
		    !http_raw_is_ct(msg->http[i].name))
			rest.http[n++] = msg->http[i];
	rest.nhttp = n;
	hr = http_util_headers_check(&rest, why);
	free(rest.http);
	return hr;
}

int32_t
http_raw_encode(struct channel *ch, const struct envelope *msg, uint8_t **out,
    size_t *len, const char **why)
{
	if (msg->body_len > http_util_max_out(ch)) {
		*why = "message larger than MAX_BUFFERED_MESSAGE_SIZE";
		return WS_E_QUOTA_EXCEEDED;
	}
	if ((*out = malloc(msg->body_len > 0 ? msg->body_len : 1)) == NULL) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	if (msg->body_len > 0)
		memcpy(*out, msg->body, msg->body_len);
	*len = msg->body_len;
	return S_OK;
}

enum evhttp_cmd_type
http_raw_method(const struct envelope *msg)
{
	const char *v = http_raw_get(msg, HTTPHDR_VERB);
	size_t i;

	for (i = 0; v != NULL && i < sizeof(http_raw_methods) /
	    sizeof(http_raw_methods[0]); i++)
		if (strcmp(http_raw_methods[i].name, v) == 0)
			return http_raw_methods[i].cmd;
	return EVHTTP_REQ_POST;
}

const char *
http_raw_method_name(enum evhttp_cmd_type cmd)
{
	size_t i;

	for (i = 0; i < sizeof(http_raw_methods) /
	    sizeof(http_raw_methods[0]); i++)
		if (http_raw_methods[i].cmd == cmd)
			return http_raw_methods[i].name;
	return "CONNECT";
}

bool
http_raw_has_content(enum evhttp_cmd_type cmd, size_t len)
{
	if (len > 0)
		return true;
	return cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD &&
	    cmd != EVHTTP_REQ_DELETE && cmd != EVHTTP_REQ_OPTIONS &&
	    cmd != EVHTTP_REQ_TRACE;
}

const char *
http_raw_content_type(const struct envelope *msg)
{
	const char *v = http_raw_get(msg, "Content-Type");

	return v != NULL ? v : HTTP_RAW_CONTENT_TYPE;
}

int
http_raw_status(const struct envelope *msg, const char **reason)
{
	int code = http_raw_code(msg);
	size_t i;

	if (code <= 0)
		code = 200;
	if ((*reason = http_raw_get(msg, HTTPHDR_STATUS_TEXT)) != NULL)
		return code;
	*reason = "Unknown";
	for (i = 0; i < sizeof(http_raw_reasons) /
	    sizeof(http_raw_reasons[0]); i++)
		if (http_raw_reasons[i].code == code)
			*reason = http_raw_reasons[i].reason;
	return code;
}

int
http_raw_take(struct evhttp_request *req, bool response, struct envelope *env)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type"), *line;
	char code[16];

	if (ct != NULL && httphdr_value_ok(ct, strlen(ct)) &&
	    envelope_http_add(env, "Content-Type", ct) != 0)
		return -ENOMEM;
	if (!response)
		return envelope_http_add(env, HTTPHDR_VERB,
		    http_raw_method_name(evhttp_request_get_command(req))) != 0 ?
		    -ENOMEM : 0;
	snprintf(code, sizeof(code), "%d",
	    evhttp_request_get_response_code(req));
	if (envelope_http_add(env, HTTPHDR_STATUS, code) != 0)
		return -ENOMEM;
	line = evhttp_request_get_response_code_line(req);
	if (line != NULL && httphdr_value_ok(line, strlen(line)) &&
	    envelope_http_add(env, HTTPHDR_STATUS_TEXT, line) != 0)
		return -ENOMEM;
	return 0;
}

void
http_raw_message(struct envelope *env, uint8_t **body, size_t len,
    struct envelope *h)
{
	env->envelope_version = WS_ENVELOPE_VERSION_NONE;
	env->addressing_version = WS_ADDRESSING_VERSION_TRANSPORT;
	env->body = *body;
	env->body_len = *body != NULL ? len : 0;
	*body = NULL;
	env->http = h->http;
	env->nhttp = h->nhttp;
	h->http = NULL;
	h->nhttp = 0;
}
