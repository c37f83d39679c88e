/*
 * A WS_MESSAGE to and from the daemon's Envelope (proto/wschannel.proto):
 * the addressing headers and the body as the daemon carries them.  The
 * daemon writes the wire form; this is only the library's side of the
 * control protocol.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* With m->lock held (or m busy): the envelope to send, pointing into m. */
void
ws_envelope_pack(WS_MESSAGE *m, Wschannel__Envelope *env)
{
	env->has_envelope_version = true;
	env->envelope_version = (uint32_t)m->envelope_version;
	env->has_addressing_version = true;
	env->addressing_version = (uint32_t)m->addressing_version;
	env->action = m->h.action;
	env->to = m->h.to;
	env->message_id = m->h.message_id;
	env->relates_to = m->h.relates_to;
	env->reply_to = m->h.reply_to;
	env->fault_to = m->h.fault_to;
	if (m->h.is_fault) {
		env->has_is_fault = true;
		env->is_fault = true;
		env->fault_reason = m->h.fault_reason;
	}
}

/* Copies the received envelope into the message: the reply's buffer is
 * released once the call completes. */
int
ws_envelope_unpack(WS_MESSAGE *m, const Wschannel__Envelope *e)
{
	struct ws_headers view, h;
	uint8_t *body = NULL;

	/* The envelope's strings seen as headers, to copy them in one go. */
	memset(&view, 0, sizeof(view));
	view.action = e->action;
	view.to = e->to;
	view.message_id = e->message_id;
	view.relates_to = e->relates_to;
	view.reply_to = e->reply_to;
	view.fault_to = e->fault_to;
	view.fault_reason = e->fault_reason;
	view.is_fault = e->has_is_fault && e->is_fault;
	if (ws_message_headers_copy(&h, &view) != 0)
		return -ENOMEM;
	if (e->has_body && e->body.len > 0) {
		if ((body = malloc(e->body.len)) == NULL) {
			ws_message_headers_clear(&h);
			return -ENOMEM;
		}
		memcpy(body, e->body.data, e->body.len);
	}
	pthread_mutex_lock(&m->lock);
	ws_message_headers_clear(&m->h);
	free(m->body);
	m->h = h;
	m->body = body;
	m->body_len = body != NULL ? e->body.len : 0;
	m->body_next = 0;
	if (e->has_envelope_version)
		m->envelope_version = (WS_ENVELOPE_VERSION)e->envelope_version;
	if (e->has_addressing_version)
		m->addressing_version =
		    (WS_ADDRESSING_VERSION)e->addressing_version;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

bool
ws_envelope_action_matches(const WS_XML_STRING *want, const char *got)
{
	/* No action in the description takes any message; a message without
	 * an action (addressing TRANSPORT) cannot be told apart. */
	if (want == NULL || got == NULL)
		return true;
	return strlen(got) == want->length &&
	    (want->length == 0 || memcmp(got, want->bytes, want->length) == 0);
}
