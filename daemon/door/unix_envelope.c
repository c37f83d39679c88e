/*
 * The Unix door's Envelope (protobuf-c) and the daemon's struct envelope,
 * both ways: a SendMessage's message in, a received message out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "httphdr.h"
#include "unix_envelope.h"

/* Envelope.http_verb, http_status, http_status_text: entries of the
 * envelope's HTTP headers inside the daemon (httphdr.h). */
static int
unix_envelope_raw_in(const Wschannel__Envelope *e, struct envelope *env)
{
	char code[16];

	if (e->http_verb != NULL &&
	    envelope_http_add(env, HTTPHDR_VERB, e->http_verb) != 0)
		return -1;
	if (e->has_http_status) {
		snprintf(code, sizeof(code), "%u", (unsigned)e->http_status);
		if (envelope_http_add(env, HTTPHDR_STATUS, code) != 0)
			return -1;
	}
	if (e->http_status_text != NULL && envelope_http_add(env,
	    HTTPHDR_STATUS_TEXT, e->http_status_text) != 0)
		return -1;
	return 0;
}

int
unix_envelope_in(const Wschannel__Envelope *e, struct envelope *env)
{
	size_t i;

	memset(env, 0, sizeof(*env));
#define DUP(f) do {							\
	if (e->f != NULL && (env->f = strdup(e->f)) == NULL)		\
		goto fail;						\
} while (0)
	DUP(action);
	DUP(to);
	DUP(message_id);
	DUP(relates_to);
	DUP(reply_to);
	DUP(fault_to);
	DUP(fault_reason);
#undef DUP
	if (e->has_body && e->body.len > 0) {
		if ((env->body = malloc(e->body.len)) == NULL)
			goto fail;
		memcpy(env->body, e->body.data, e->body.len);
		env->body_len = e->body.len;
	}
	if (e->has_headers && e->headers.len > 0) {
		if ((env->headers = malloc(e->headers.len)) == NULL)
			goto fail;
		memcpy(env->headers, e->headers.data, e->headers.len);
		env->headers_len = e->headers.len;
	}
	env->is_fault = e->has_is_fault && e->is_fault;
	env->more_body = e->has_more_body && e->more_body;
	for (i = 0; i < e->n_http_headers; i++)
		if (e->http_headers[i]->name != NULL &&
		    e->http_headers[i]->value != NULL &&
		    envelope_http_add(env, e->http_headers[i]->name,
		    e->http_headers[i]->value) != 0)
			goto fail;
	if (unix_envelope_raw_in(e, env) != 0)
		goto fail;
	return 0;
fail:
	envelope_clear(env);
	return -ENOMEM;
}


void
unix_envelope_out(const struct envelope *env, Wschannel__Envelope *e,
    struct unix_http_out *ho)
{
	size_t i, n;

	e->has_envelope_version = 1;
	e->envelope_version = env->envelope_version;
	e->has_addressing_version = 1;
	e->addressing_version = env->addressing_version;
	e->action = env->action;
	e->to = env->to;
	e->message_id = env->message_id;
	e->relates_to = env->relates_to;
	e->reply_to = env->reply_to;
	e->fault_to = env->fault_to;
	if (env->body != NULL) {
		e->has_body = 1;
		e->body.data = env->body;
		e->body.len = env->body_len;
	}
	if (env->is_fault) {
		e->has_is_fault = 1;
		e->is_fault = 1;
		e->fault_reason = env->fault_reason;
	}
	if (env->headers != NULL) {
		e->has_headers = 1;
		e->headers.data = env->headers;
		e->headers.len = env->headers_len;
	}
	for (i = n = 0; i < env->nhttp && n < HTTPHDR_MAX_COUNT; i++) {
		const char *name = env->http[i].name, *v = env->http[i].value;

		if (strcmp(name, HTTPHDR_VERB) == 0)
			e->http_verb = (char *)v;
		else if (strcmp(name, HTTPHDR_STATUS) == 0) {
			e->has_http_status = 1;
			e->http_status = (uint32_t)strtoul(v, NULL, 10);
		} else if (strcmp(name, HTTPHDR_STATUS_TEXT) == 0)
			e->http_status_text = (char *)v;
		else {
			wschannel__http_header__init(&ho->h[n]);
			ho->h[n].name = env->http[i].name;
			ho->h[n].value = env->http[i].value;
			ho->p[n] = &ho->h[n];
			n++;
		}
	}
	e->n_http_headers = n;
	e->http_headers = n > 0 ? ho->p : NULL;
}
