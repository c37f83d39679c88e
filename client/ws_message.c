/*
 * WS_MESSAGE, a client-side object (headers and body), and the two calls
 * that move one through a channel: WsSendMessage and WsReceiveMessage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct ws_message_send_call {
	struct ipc_call			 c;
	WS_MESSAGE			*msg;
	uint8_t				*body;
};

struct ws_message_recv_call {
	struct ipc_call			 c;
	WS_MESSAGE			*msg;
	const WS_MESSAGE_DESCRIPTION	**descs;
	ULONG				 count;
	WS_RECEIVE_OPTION		 recv_opt;
	WS_READ_OPTION			 read_opt;
	WS_HEAP				*heap;
	void				*value;
	ULONG				 size;
	ULONG				*index;
};

bool
ws_message_valid(const WS_MESSAGE *m)
{
	return m != NULL && m->magic == WS_MESSAGE_MAGIC;
}

void
ws_message_headers_clear(struct ws_headers *h)
{
	free(h->action);
	free(h->to);
	free(h->message_id);
	free(h->relates_to);
	free(h->reply_to);
	free(h->fault_to);
	memset(h, 0, sizeof(*h));
}

static void
ws_message_clear(WS_MESSAGE *m)
{
	ws_message_headers_clear(&m->h);
	free(m->body);
	m->body = NULL;
	m->body_len = 0;
	m->state = WS_MESSAGE_STATE_EMPTY;
}

void
ws_message_ref(WS_MESSAGE *m)
{
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

void
ws_message_unref(WS_MESSAGE *m)
{
	if (m == NULL || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	ws_message_clear(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* A fresh "urn:uuid:" message id (random, version 4). */
static char *
ws_message_new_id(void)
{
	static unsigned long counter;
	struct timespec ts;
	unsigned long n;
	uint8_t b[16];
	char *s;
	size_t i;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		/* No entropy yet (early boot): unique is what matters. */
		clock_gettime(CLOCK_REALTIME, &ts);
		n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		memset(b, 0, sizeof(b));
		memcpy(b, &ts.tv_sec, sizeof(ts.tv_sec) < 8 ?
		    sizeof(ts.tv_sec) : 8);
		for (i = 0; i < 4; i++) {
			b[8 + i] = (uint8_t)(ts.tv_nsec >> (8 * i));
			b[12 + i] = (uint8_t)(n >> (8 * i)) ^
			    (uint8_t)(getpid() >> (8 * i));
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	if (asprintf(&s, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]) < 0)
		return NULL;
	return s;
}

static int
ws_message_strdup(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) == NULL ? -ENOMEM : 0;
}

static int
ws_message_headers_copy(struct ws_headers *dst, const struct ws_headers *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->is_fault = src->is_fault;
	if (ws_message_strdup(&dst->action, src->action) != 0 ||
	    ws_message_strdup(&dst->to, src->to) != 0 ||
	    ws_message_strdup(&dst->message_id, src->message_id) != 0 ||
	    ws_message_strdup(&dst->relates_to, src->relates_to) != 0 ||
	    ws_message_strdup(&dst->reply_to, src->reply_to) != 0 ||
	    ws_message_strdup(&dst->fault_to, src->fault_to) != 0) {
		ws_message_headers_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

WS_EXPORT HRESULT WINAPI
WsCreateMessageForChannel(WS_CHANNEL *channel,
    const WS_MESSAGE_PROPERTY *properties, ULONG propertyCount,
    WS_MESSAGE **message, WS_ERROR *error)
{
	static const char api[] = "WsCreateMessageForChannel";
	WS_MESSAGE *m;
	ULONG i;

	if (message == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: message or properties is NULL", api);
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	for (i = 0; i < propertyCount; i++) {
		/* The encoder settings belong to the daemon, which writes the
		 * wire form; these are accepted and have no effect. */
		switch (properties[i].id) {
		case WS_MESSAGE_PROPERTY_HEAP_PROPERTIES:
		case WS_MESSAGE_PROPERTY_XML_READER_PROPERTIES:
		case WS_MESSAGE_PROPERTY_XML_WRITER_PROPERTIES:
		case WS_MESSAGE_PROPERTY_MAX_PROCESSED_HEADERS:
			break;
		default:
			ipc_object_unref(&channel->obj);
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: message property %d cannot be set", api,
			    (int)properties[i].id);
		}
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	m->refs = 1;
	m->state = WS_MESSAGE_STATE_EMPTY;
	m->envelope_version = channel->envelope_version;
	m->addressing_version = channel->addressing_version;
	pthread_mutex_init(&m->lock, NULL);
	m->magic = WS_MESSAGE_MAGIC;
	ipc_object_unref(&channel->obj);
	*message = m;
	return S_OK;
}

/* With m->lock held: fills the headers for `init`. */
static HRESULT
ws_message_init_locked(WS_MESSAGE *m, WS_MESSAGE_INITIALIZATION init,
    const struct ws_headers *src)
{
	struct ws_headers h;
	const char *to;

	memset(&h, 0, sizeof(h));
	switch (init) {
	case WS_BLANK_MESSAGE:
		break;
	case WS_DUPLICATE_MESSAGE:
		if (ws_message_headers_copy(&h, src) != 0)
			return E_OUTOFMEMORY;
		break;
	case WS_REQUEST_MESSAGE:
		if ((h.message_id = ws_message_new_id()) == NULL)
			return E_OUTOFMEMORY;
		break;
	case WS_REPLY_MESSAGE:
	case WS_FAULT_MESSAGE:
		/* A reply relates to the request's id and goes where the
		 * request asked (FaultTo first for a fault). */
		to = src->reply_to;
		if (init == WS_FAULT_MESSAGE && src->fault_to != NULL)
			to = src->fault_to;
		if ((h.message_id = ws_message_new_id()) == NULL ||
		    ws_message_strdup(&h.relates_to, src->message_id) != 0 ||
		    ws_message_strdup(&h.to, to) != 0) {
			ws_message_headers_clear(&h);
			return E_OUTOFMEMORY;
		}
		h.is_fault = init == WS_FAULT_MESSAGE;
		break;
	}
	ws_message_headers_clear(&m->h);
	m->h = h;
	m->init = init;
	m->state = WS_MESSAGE_STATE_INITIALIZED;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsInitializeMessage(WS_MESSAGE *message,
    WS_MESSAGE_INITIALIZATION initialization, WS_MESSAGE *sourceMessage,
    WS_ERROR *error)
{
	static const char api[] = "WsInitializeMessage";
	struct ws_headers src;
	bool need_src;
	HRESULT hr;

	if (!ws_message_valid(message) ||
	    (unsigned)initialization > WS_FAULT_MESSAGE)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or initialization", api);
	need_src = initialization == WS_DUPLICATE_MESSAGE ||
	    initialization == WS_REPLY_MESSAGE ||
	    initialization == WS_FAULT_MESSAGE;
	if (need_src && (!ws_message_valid(sourceMessage) ||
	    sourceMessage == message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: this initialization needs a source message", api);
	memset(&src, 0, sizeof(src));
	if (need_src) {
		/* Copy first: never hold two message locks at once. */
		pthread_mutex_lock(&sourceMessage->lock);
		if (ws_message_headers_copy(&src, &sourceMessage->h) != 0) {
			pthread_mutex_unlock(&sourceMessage->lock);
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		}
		pthread_mutex_unlock(&sourceMessage->lock);
	}
	pthread_mutex_lock(&message->lock);
	if (message->state != WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is not EMPTY (reset it first)", api);
	else if ((hr = ws_message_init_locked(message, initialization,
	    &src)) != S_OK)
		ws_error_fail(error, hr, "%s: out of memory", api);
	pthread_mutex_unlock(&message->lock);
	ws_message_headers_clear(&src);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsResetMessage(WS_MESSAGE *message, WS_ERROR *error)
{
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsResetMessage: invalid message handle");
	pthread_mutex_lock(&message->lock);
	if (message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "WsResetMessage: a send or receive is using the message");
	else
		ws_message_clear(message);
	pthread_mutex_unlock(&message->lock);
	return hr;
}

WS_EXPORT void WINAPI
WsFreeMessage(WS_MESSAGE *message)
{
	if (!ws_message_valid(message))
		return;
	message->magic = 0;
	ws_message_unref(message);
}

/* Releases the message from a call: `state` unless it is 0. */
static void
ws_message_done(WS_MESSAGE *m, WS_MESSAGE_STATE state)
{
	pthread_mutex_lock(&m->lock);
	m->busy = false;
	if (state != 0)
		m->state = state;
	pthread_mutex_unlock(&m->lock);
}

static HRESULT
ws_message_send_finish(struct ipc_call *c, HRESULT hr)
{
	struct ws_message_send_call *sc = (struct ws_message_send_call *)c;

	ws_message_done(sc->msg, WS_MESSAGE_STATE_DONE);
	return hr;
}

static void
ws_message_send_cleanup(struct ipc_call *c)
{
	struct ws_message_send_call *sc = (struct ws_message_send_call *)c;

	free(sc->body);
	sc->body = NULL;
	ws_message_unref(sc->msg);
	sc->msg = NULL;
}

WS_EXPORT HRESULT WINAPI
WsSendMessage(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION *messageDescription,
    WS_WRITE_OPTION writeOption, const void *bodyValue, ULONG bodyValueSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsSendMessage";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__SendMessage op = WSCHANNEL__SEND_MESSAGE__INIT;
	Wschannel__Envelope env = WSCHANNEL__ENVELOPE__INIT;
	struct ws_message_send_call stack, *sc = NULL;
	WS_MESSAGE_STATE was;
	uint8_t *body = NULL;
	size_t body_len = 0;
	char *action = NULL;
	HRESULT hr;

	if (messageDescription == NULL || !ws_message_valid(message) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL description, invalid message or NULL callback",
		    api);
	hr = ws_body_check_write(messageDescription->bodyElementDescription,
	    writeOption, bodyValue, bodyValueSize, error, api);
	if (hr != S_OK)
		return hr;
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (ipc_object_stale(&channel->obj)) {
		hr = ws_channel_stale_result(&channel->obj, api, error);
		ipc_object_unref(&channel->obj);
		return hr;
	}

	pthread_mutex_lock(&message->lock);
	was = message->state;
	if (message->busy || (was != WS_MESSAGE_STATE_EMPTY &&
	    was != WS_MESSAGE_STATE_INITIALIZED)) {
		pthread_mutex_unlock(&message->lock);
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message must be EMPTY or INITIALIZED", api);
	}
	message->busy = true;
	pthread_mutex_unlock(&message->lock);

	hr = ws_body_write(messageDescription->bodyElementDescription,
	    writeOption, bodyValue, bodyValueSize, &body, &body_len, error,
	    api);
	if (hr == S_OK && messageDescription->action != NULL &&
	    (action = ws_body_xml_string(messageDescription->action)) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	if (hr == S_OK && (sc = ipc_call_new(&stack, sizeof(stack),
	    asyncContext)) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	pthread_mutex_lock(&message->lock);
	if (hr == S_OK && was == WS_MESSAGE_STATE_EMPTY &&
	    (hr = ws_message_init_locked(message, WS_REQUEST_MESSAGE,
	    NULL)) != S_OK)
		ws_error_fail(error, hr, "%s: out of memory", api);
	if (hr != S_OK) {
		message->busy = false;
		pthread_mutex_unlock(&message->lock);
		if (sc != NULL && sc != &stack)
			free(sc);
		free(body);
		free(action);
		ipc_object_unref(&channel->obj);
		return hr;
	}
	/* The action comes from the description; no description action
	 * leaves the message's own. */
	if (action != NULL) {
		free(message->h.action);
		message->h.action = action;
	}
	message->state = WS_MESSAGE_STATE_WRITING;
	/* The strings stay put while the message is busy. */
	env.has_envelope_version = true;
	env.envelope_version = (uint32_t)message->envelope_version;
	env.has_addressing_version = true;
	env.addressing_version = (uint32_t)message->addressing_version;
	env.action = message->h.action;
	env.to = message->h.to;
	env.message_id = message->h.message_id;
	env.relates_to = message->h.relates_to;
	env.reply_to = message->h.reply_to;
	env.fault_to = message->h.fault_to;
	if (message->h.is_fault) {
		env.has_is_fault = true;
		env.is_fault = true;
	}
	pthread_mutex_unlock(&message->lock);
	if (body_len > 0) {
		env.has_body = true;
		env.body.data = body;
		env.body.len = body_len;
	}

	ws_message_ref(message);
	sc->c.conn = channel->obj.conn;
	sc->c.obj = &channel->obj;
	sc->c.error = error;
	sc->c.api = api;
	sc->c.finish = ws_message_send_finish;
	sc->c.cleanup = ws_message_send_cleanup;
	sc->msg = message;
	sc->body = body;
	op.channel = channel->obj.id;
	op.message = &env;
	req.op_case = WSCHANNEL__REQUEST__OP_SEND_MESSAGE;
	req.send_message = &op;
	return ipc_call_run(&sc->c, &req);
}

/* Copies the received envelope into the message. */
static int
ws_message_fill(WS_MESSAGE *m, const Wschannel__Envelope *e)
{
	struct ws_headers h;
	uint8_t *body = NULL;

	memset(&h, 0, sizeof(h));
	if (ws_message_strdup(&h.action, e->action) != 0 ||
	    ws_message_strdup(&h.to, e->to) != 0 ||
	    ws_message_strdup(&h.message_id, e->message_id) != 0 ||
	    ws_message_strdup(&h.relates_to, e->relates_to) != 0 ||
	    ws_message_strdup(&h.reply_to, e->reply_to) != 0 ||
	    ws_message_strdup(&h.fault_to, e->fault_to) != 0)
		goto fail;
	h.is_fault = e->has_is_fault && e->is_fault;
	if (e->has_body && e->body.len > 0) {
		if ((body = malloc(e->body.len)) == NULL)
			goto fail;
		memcpy(body, e->body.data, e->body.len);
	}
	pthread_mutex_lock(&m->lock);
	ws_message_headers_clear(&m->h);
	free(m->body);
	m->h = h;
	m->body = body;
	m->body_len = body != NULL ? e->body.len : 0;
	if (e->has_envelope_version)
		m->envelope_version = (WS_ENVELOPE_VERSION)e->envelope_version;
	if (e->has_addressing_version)
		m->addressing_version =
		    (WS_ADDRESSING_VERSION)e->addressing_version;
	pthread_mutex_unlock(&m->lock);
	return 0;
fail:
	ws_message_headers_clear(&h);
	return -ENOMEM;
}

static bool
ws_message_action_matches(const WS_XML_STRING *want, const char *got)
{
	/* No action in the description takes any message; a message without
	 * an action (addressing TRANSPORT) cannot be told apart. */
	if (want == NULL || got == NULL)
		return true;
	return strlen(got) == want->length &&
	    (want->length == 0 || memcmp(got, want->bytes, want->length) == 0);
}

/* Matches the message against the descriptions and reads its body.
 * Runs on the thread that gets the result, never on the I/O thread. */
static HRESULT
ws_message_recv_finish(struct ipc_call *c, HRESULT hr)
{
	struct ws_message_recv_call *rc = (struct ws_message_recv_call *)c;
	WS_MESSAGE *m = rc->msg;
	const Wschannel__Envelope *e;
	const char *action;
	ULONG i, first = rc->count;

	if (hr == WS_S_END) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		if (rc->recv_opt == WS_RECEIVE_OPTIONAL_MESSAGE)
			return WS_S_END;
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the session ended (no more messages) but a message "
		    "was required", c->api);
	}
	if (FAILED(hr)) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return hr;
	}
	if (c->reply == NULL ||
	    c->reply->result_case != WSCHANNEL__REPLY__RESULT_MESSAGE ||
	    c->reply->message == NULL) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no message", c->api);
	}
	e = c->reply->message;
	if (ws_message_fill(m, e) != 0) {
		ws_message_done(m, WS_MESSAGE_STATE_EMPTY);
		return ws_error_fail(c->error, E_OUTOFMEMORY,
		    "%s: out of memory", c->api);
	}
	action = e->action;
	/* The first description whose action matches and whose body reads;
	 * the attempts are quiet, the first candidate's failure is told. */
	for (i = 0; i < rc->count; i++) {
		if (!ws_message_action_matches(rc->descs[i]->action, action))
			continue;
		if (first == rc->count)
			first = i;
		hr = ws_body_read(m->body, m->body_len,
		    rc->descs[i]->bodyElementDescription, rc->read_opt,
		    rc->heap, rc->value, rc->size, NULL, c->api);
		if (hr == S_OK) {
			if (rc->index != NULL)
				*rc->index = i;
			ws_message_done(m, WS_MESSAGE_STATE_DONE);
			return S_OK;
		}
	}
	ws_message_done(m, WS_MESSAGE_STATE_DONE);
	if (first == rc->count)
		return ws_error_fail(c->error, WS_E_INVALID_FORMAT,
		    "%s: the message's action '%s' matches none of the %u "
		    "message descriptions", c->api, action ? action : "",
		    rc->count);
	return ws_body_read(m->body, m->body_len,
	    rc->descs[first]->bodyElementDescription, rc->read_opt, rc->heap,
	    rc->value, rc->size, c->error, c->api);
}

static void
ws_message_recv_cleanup(struct ipc_call *c)
{
	struct ws_message_recv_call *rc = (struct ws_message_recv_call *)c;

	ws_message_unref(rc->msg);
	rc->msg = NULL;
}

WS_EXPORT HRESULT WINAPI
WsReceiveMessage(WS_CHANNEL *channel, WS_MESSAGE *message,
    const WS_MESSAGE_DESCRIPTION **messageDescriptions,
    ULONG messageDescriptionCount, WS_RECEIVE_OPTION receiveOption,
    WS_READ_OPTION readBodyOption, WS_HEAP *heap, void *value,
    ULONG valueSize, ULONG *index, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error)
{
	static const char api[] = "WsReceiveMessage";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	struct ws_message_recv_call stack, *rc;
	HRESULT hr;
	ULONG i;

	if (!ws_message_valid(message) || messageDescriptions == NULL ||
	    messageDescriptionCount == 0 ||
	    (receiveOption != WS_RECEIVE_REQUIRED_MESSAGE &&
	    receiveOption != WS_RECEIVE_OPTIONAL_MESSAGE) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message, descriptions, receive option or "
		    "callback", api);
	for (i = 0; i < messageDescriptionCount; i++) {
		if (messageDescriptions[i] == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: message description %u is NULL", api, i);
		hr = ws_body_check_read(
		    messageDescriptions[i]->bodyElementDescription,
		    readBodyOption, heap, value, valueSize, error, api);
		if (hr != S_OK)
			return hr;
	}
	if (!ws_channel_get(channel))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	if (ipc_object_stale(&channel->obj)) {
		hr = ws_channel_stale_result(&channel->obj, api, error);
		ipc_object_unref(&channel->obj);
		return hr;
	}
	pthread_mutex_lock(&message->lock);
	if (message->busy || message->state != WS_MESSAGE_STATE_EMPTY) {
		pthread_mutex_unlock(&message->lock);
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message must be EMPTY", api);
	}
	if ((rc = ipc_call_new(&stack, sizeof(stack), asyncContext)) == NULL) {
		pthread_mutex_unlock(&message->lock);
		ipc_object_unref(&channel->obj);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	message->busy = true;
	message->state = WS_MESSAGE_STATE_READING;
	pthread_mutex_unlock(&message->lock);

	ws_message_ref(message);
	rc->c.conn = channel->obj.conn;
	rc->c.obj = &channel->obj;
	rc->c.error = error;
	rc->c.api = api;
	rc->c.finish = ws_message_recv_finish;
	rc->c.cleanup = ws_message_recv_cleanup;
	rc->msg = message;
	rc->descs = messageDescriptions;
	rc->count = messageDescriptionCount;
	rc->recv_opt = receiveOption;
	rc->read_opt = readBodyOption;
	rc->heap = heap;
	rc->value = value;
	rc->size = valueSize;
	rc->index = index;
	ref.id = channel->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE;
	req.receive_message = &ref;
	return ipc_call_run(&rc->c, &req);
}
