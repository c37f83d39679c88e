/*
 * The library's requests as method calls of the D-Bus door
 * (systemd/org.wschannel.WsChannel1.xml, names from common/busmap.h), and
 * their method returns as the Replies the Unix socket would have carried,
 * so that everything above the backend reads one kind of answer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus.h"
#include "busmap.h"

/* What the method return of an operation carries. */
enum bus_ret {
	RET_NONE,
	RET_STATE,		/* u state */
	RET_CREATED,		/* o object */
	RET_ABORT,		/* u state, u cancelled */
	RET_PROPERTY,		/* v value */
	RET_MESSAGE,		/* u result, a{sv} message */
};

/* ---- requests into method calls ------------------------------------------ */

static int
bus_append_sv(sd_bus_message *m, const char *key, char type, const void *v)
{
	char sig[2] = { type, '\0' };
	int r;

	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', key)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', sig)) < 0 ||
	    (r = sd_bus_message_append_basic(m, type, v)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* Envelope.http_headers as the dictionary's "HttpHeaders" entry. */
static int
bus_append_http(sd_bus_message *m, const Wschannel__Envelope *e)
{
	size_t i;
	int r;

	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's',
	    BUSMAP_MSG_HTTP_HEADERS)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v',
	    BUSMAP_MSG_HTTP_HEADERS_SIG)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'a', "(ss)")) < 0)
		return r;
	for (i = 0; i < e->n_http_headers; i++)
		if ((r = sd_bus_message_append(m, "(ss)",
		    e->http_headers[i]->name, e->http_headers[i]->value)) < 0)
			return r;
	if ((r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* An Envelope as the door's a{sv} (the channel decides the versions). */
static int
bus_append_envelope(sd_bus_message *m, const Wschannel__Envelope *e)
{
	const struct {
		const char	*key;
		const char	*val;
	} strs[] = {
		{ "Action", e != NULL ? e->action : NULL },
		{ "To", e != NULL ? e->to : NULL },
		{ "MessageId", e != NULL ? e->message_id : NULL },
		{ "RelatesTo", e != NULL ? e->relates_to : NULL },
		{ "ReplyTo", e != NULL ? e->reply_to : NULL },
		{ "FaultTo", e != NULL ? e->fault_to : NULL },
		{ "FaultReason", e != NULL ? e->fault_reason : NULL },
		{ BUSMAP_MSG_HTTP_VERB, e != NULL ? e->http_verb : NULL },
		{ BUSMAP_MSG_HTTP_STATUS_TEXT, e != NULL ?
		    e->http_status_text : NULL },
	};
	size_t i;
	int b, r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0)
		return r;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].val != NULL &&
		    (r = bus_append_sv(m, strs[i].key, 's', strs[i].val)) < 0)
			return r;
	if (e != NULL && e->has_body && e->body.len > 0) {
		if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 's', "Body")) < 0 ||
		    (r = sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
		    (r = sd_bus_message_append_array(m, 'y', e->body.data,
		    e->body.len)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			return r;
	}
	if (e != NULL && e->has_headers && e->headers.len > 0) {
		if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 's', "Headers")) < 0 ||
		    (r = sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
		    (r = sd_bus_message_append_array(m, 'y', e->headers.data,
		    e->headers.len)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			return r;
	}
	if (e != NULL && e->n_http_headers > 0 &&
	    (r = bus_append_http(m, e)) < 0)
		return r;
	if (e != NULL && e->has_http_status && (r = bus_append_sv(m,
	    BUSMAP_MSG_HTTP_STATUS, 'u', &e->http_status)) < 0)
		return r;
	if (e != NULL && e->has_more_body && e->more_body) {
		b = 1;
		if ((r = bus_append_sv(m, BUSMAP_MSG_MORE_BODY, 'b', &b)) < 0)
			return r;
	}
	if (e != NULL && e->has_is_fault) {
		b = e->is_fault != 0;
		if ((r = bus_append_sv(m, "IsFault", 'b', &b)) < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

/* One property value: integers as "t", strings as "s" (which the daemon
 * refuses as read-only, like the socket). */
static int
bus_append_value(sd_bus_message *m, const Wschannel__Property *p)
{
	int r;

	if (p->has_u || p->s == NULL) {
		if ((r = sd_bus_message_open_container(m, 'v', "t")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 't', &p->u)) < 0)
			return r;
	} else if ((r = sd_bus_message_open_container(m, 'v', "s")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', p->s)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

static int
bus_append_props(sd_bus_message *m, Wschannel__Property **props, size_t n)
{
	size_t i;
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{uv}")) < 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((r = sd_bus_message_open_container(m, 'e', "uv")) < 0 ||
		    (r = sd_bus_message_append_basic(m, 'u',
		    &props[i]->id)) < 0 ||
		    (r = bus_append_value(m, props[i])) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

static enum bus_ret
bus_op_ret(int op)
{
	switch (op) {
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_CREATE_LISTENER:
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER:
		return RET_CREATED;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNEL:
	case WSCHANNEL__REQUEST__OP_ABORT_LISTENER:
		return RET_ABORT;
	case WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY:
	case WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY:
		return RET_PROPERTY;
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		return RET_MESSAGE;
	case WSCHANNEL__REQUEST__OP_FREE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_FREE_LISTENER:
	case WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY:
	case WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY:
		return RET_NONE;
	default:
		return RET_STATE;
	}
}

/*
 * The method call for a request: which object, which member, which
 * arguments.  An HRESULT for requests it cannot carry.
 */
/* Long: one case per library request, read as a table of the protocol. */
HRESULT
bus_msg_build(sd_bus *bus, const char *dest, struct ipc_call *call,
    sd_bus_message **out)
{
	const Wschannel__Request *q = call->req;
	const Wschannel__SendMessage *sm = NULL;
	const Wschannel__SetProperty *sp = NULL;
	const char *member = NULL, *url = NULL, *iface = BUSMAP_IFACE_CHANNEL;
	sd_bus_message *m = NULL;
	char path[96], chpath[96];
	bool listener = false;
	uint64_t id = 0;
	int r = 0;

	call->op = q->op_case;
	switch (q->op_case) {
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL:
	case WSCHANNEL__REQUEST__OP_CREATE_LISTENER:
		listener = q->op_case == WSCHANNEL__REQUEST__OP_CREATE_LISTENER;
		if ((r = sd_bus_message_new_method_call(bus, &m, dest,
		    BUSMAP_ROOT, BUSMAP_IFACE_MANAGER, listener ? "CreateListener" :
		    "CreateChannel")) < 0)
			break;
		if (listener)
			r = sd_bus_message_append(m, "uu",
			    q->create_listener->type,
			    q->create_listener->binding);
		else
			r = sd_bus_message_append(m, "uu",
			    q->create_channel->type,
			    q->create_channel->binding);
		if (r >= 0)
			r = listener ? bus_append_props(m,
			    q->create_listener->properties,
			    q->create_listener->n_properties) :
			    bus_append_props(m, q->create_channel->properties,
			    q->create_channel->n_properties);
		goto built;
	case WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER:
		(void)busmap_path(path, sizeof(path), true,
		    q->create_channel_for_listener->listener);
		if ((r = sd_bus_message_new_method_call(bus, &m, dest,
		    path, BUSMAP_IFACE_LISTENER, "CreateChannel")) >= 0)
			r = bus_append_props(m,
			    q->create_channel_for_listener->properties,
			    q->create_channel_for_listener->n_properties);
		goto built;
	case WSCHANNEL__REQUEST__OP_OPEN_CHANNEL:
		id = q->open_channel->channel;
		url = q->open_channel->url;
		member = "Open";
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL:
		id = q->close_channel->id;
		member = "Close";
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_CHANNEL:
		id = q->abort_channel->id;
		member = "Abort";
		break;
	case WSCHANNEL__REQUEST__OP_RESET_CHANNEL:
		id = q->reset_channel->id;
		member = "Reset";
		break;
	case WSCHANNEL__REQUEST__OP_FREE_CHANNEL:
		id = q->free_channel->id;
		member = "Free";
		break;
	case WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY:
		id = q->get_channel_property->id;
		call->op_prop = q->get_channel_property->property_id;
		member = "GetProperty";
		break;
	case WSCHANNEL__REQUEST__OP_SET_CHANNEL_PROPERTY:
		id = q->set_channel_property->id;
		sp = q->set_channel_property;
		member = "SetProperty";
		break;
	case WSCHANNEL__REQUEST__OP_SEND_MESSAGE:
		sm = q->send_message;
		member = "Send";
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_END:
		sm = q->write_message_end;
		member = "WriteMessageEnd";
		break;
	case WSCHANNEL__REQUEST__OP_REQUEST_REPLY:
		sm = q->request_reply;
		member = "RequestReply";
		break;
	case WSCHANNEL__REQUEST__OP_RECEIVE_MESSAGE:
		id = q->receive_message->id;
		member = "Receive";
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_START:
		id = q->read_message_start->id;
		member = "ReadMessageStart";
		break;
	case WSCHANNEL__REQUEST__OP_READ_MESSAGE_END:
		id = q->read_message_end->id;
		member = "ReadMessageEnd";
		break;
	case WSCHANNEL__REQUEST__OP_WRITE_MESSAGE_START:
		id = q->write_message_start->id;
		member = "WriteMessageStart";
		break;
	case WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE:
		id = q->abandon_message->id;
		member = "AbandonMessage";
		break;
	case WSCHANNEL__REQUEST__OP_SHUTDOWN_SESSION:
		id = q->shutdown_session->id;
		member = "Shutdown";
		break;
	case WSCHANNEL__REQUEST__OP_OPEN_LISTENER:
		listener = true;
		id = q->open_listener->listener;
		url = q->open_listener->url;
		member = "Open";
		break;
	case WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL:
		listener = true;
		id = q->accept_channel->listener;
		(void)busmap_path(chpath, sizeof(chpath), false,
		    q->accept_channel->channel);
		member = "Accept";
		break;
	case WSCHANNEL__REQUEST__OP_CLOSE_LISTENER:
		listener = true;
		id = q->close_listener->id;
		member = "Close";
		break;
	case WSCHANNEL__REQUEST__OP_ABORT_LISTENER:
		listener = true;
		id = q->abort_listener->id;
		member = "Abort";
		break;
	case WSCHANNEL__REQUEST__OP_RESET_LISTENER:
		listener = true;
		id = q->reset_listener->id;
		member = "Reset";
		break;
	case WSCHANNEL__REQUEST__OP_FREE_LISTENER:
		listener = true;
		id = q->free_listener->id;
		member = "Free";
		break;
	case WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY:
		listener = true;
		id = q->get_listener_property->id;
		call->op_prop = q->get_listener_property->property_id;
		member = "GetProperty";
		break;
	case WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY:
		listener = true;
		id = q->set_listener_property->id;
		sp = q->set_listener_property;
		member = "SetProperty";
		break;
	default:
		/* wsctl's requests: the library never sends them. */
		return E_INVALIDARG;
	}
	if (sm != NULL)
		id = sm->channel;
	if (listener)
		iface = BUSMAP_IFACE_LISTENER;
	call->op_obj = id;
	(void)busmap_path(path, sizeof(path), listener, id);
	if ((r = sd_bus_message_new_method_call(bus, &m, dest, path,
	    iface, member)) < 0)
		goto built;
	if (url != NULL)
		r = sd_bus_message_append_basic(m, 's', url);
	else if (sm != NULL)
		r = bus_append_envelope(m, sm->message);
	else if (call->op == WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL)
		r = sd_bus_message_append_basic(m, 'o', chpath);
	else if (sp != NULL) {
		if ((r = sd_bus_message_append_basic(m, 'u',
		    &sp->property->id)) >= 0)
			r = bus_append_value(m, sp->property);
	} else if (call->op == WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY ||
	    call->op == WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY)
		r = sd_bus_message_append_basic(m, 'u', &call->op_prop);
built:
	if (r < 0) {
		sd_bus_message_unref(m);
		/* sd-bus checks what it carries: a string that is not UTF-8
		 * is the caller's mistake. */
		return r == -ENOMEM ? E_OUTOFMEMORY : E_INVALIDARG;
	}
	*out = m;
	return S_OK;
}

/* ---- method returns into Replies ----------------------------------------- */

/* The id of a created object of the kind asked for; 0 if it is none. */
static uint64_t
bus_created_id(const char *path, bool want_listener)
{
	bool listener;
	uint64_t id;

	if (busmap_parse_path(path, &listener, &id) != 1 ||
	    listener != want_listener)
		return 0;
	return id;
}

static char *
bus_strdup(const char *s, bool *nomem)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*nomem = true;
	return d;
}

/* A variant "ay" into `bytes` (replacing what was there); an empty array
 * leaves it absent.  Out of memory sets *nomem, as for the strings. */
static int
bus_msg_read_bytes(sd_bus_message *m, ProtobufCBinaryData *bytes,
    protobuf_c_boolean *has, bool *nomem)
{
	const void *data;
	size_t len;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'v', "ay")) < 0 ||
	    (r = sd_bus_message_read_array(m, 'y', &data, &len)) < 0 ||
	    (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	free(bytes->data);
	bytes->data = NULL;
	bytes->len = 0;
	*has = 0;
	if (len > 0) {
		if ((bytes->data = malloc(len)) == NULL)
			*nomem = true;
		else {
			memcpy(bytes->data, data, len);
			bytes->len = len;
			*has = 1;
		}
	}
	return 0;
}

/* The a{sv} of a message; *present tells whether it held anything. */
/* The variant of "HttpHeaders", appended to e->http_headers (freed with
 * the envelope by protobuf-c).  Out of memory sets *nomem. */
static int
bus_msg_read_http(sd_bus_message *m, Wschannel__Envelope *e, bool *nomem)
{
	Wschannel__HttpHeader *h, **v;
	const char *name, *value;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'v',
	    BUSMAP_MSG_HTTP_HEADERS_SIG)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "(ss)")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "(ss)", &name, &value)) > 0) {
		if ((v = realloc(e->http_headers, (e->n_http_headers + 1) *
		    sizeof(*v))) == NULL || (h = malloc(sizeof(*h))) == NULL) {
			if (v != NULL)
				e->http_headers = v;
			*nomem = true;
			continue;
		}
		e->http_headers = v;
		wschannel__http_header__init(h);
		h->name = bus_strdup(name, nomem);
		h->value = bus_strdup(value, nomem);
		e->http_headers[e->n_http_headers++] = h;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int
bus_read_envelope(sd_bus_message *m, Wschannel__Envelope *e, bool *present,
    bool *nomem)
{
	const struct {
		const char	*key;
		size_t		 off;
	} strs[] = {
		{ "Action", offsetof(Wschannel__Envelope, action) },
		{ "To", offsetof(Wschannel__Envelope, to) },
		{ "MessageId", offsetof(Wschannel__Envelope, message_id) },
		{ "RelatesTo", offsetof(Wschannel__Envelope, relates_to) },
		{ "ReplyTo", offsetof(Wschannel__Envelope, reply_to) },
		{ "FaultTo", offsetof(Wschannel__Envelope, fault_to) },
		{ "FaultReason", offsetof(Wschannel__Envelope, fault_reason) },
		{ BUSMAP_MSG_HTTP_VERB, offsetof(Wschannel__Envelope,
		    http_verb) },
		{ BUSMAP_MSG_HTTP_STATUS_TEXT, offsetof(Wschannel__Envelope,
		    http_status_text) },
	};
	const char *key, *contents, *s;
	char type, **slot;
	size_t i;
	uint32_t u;
	int b, r;

	*present = false;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		*present = true;
		if ((r = sd_bus_message_read_basic(m, 's', &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			return r;
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (strcmp(key, strs[i].key) == 0)
				break;
		if (i < sizeof(strs) / sizeof(strs[0]) &&
		    strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				return r;
			slot = (char **)((char *)e + strs[i].off);
			free(*slot);
			*slot = bus_strdup(s, nomem);
		} else if (strcmp(key, "Body") == 0 &&
		    strcmp(contents, "ay") == 0) {
			if ((r = bus_msg_read_bytes(m, &e->body, &e->has_body,
			    nomem)) < 0)
				return r;
		} else if (strcmp(key, "Headers") == 0 &&
		    strcmp(contents, "ay") == 0) {
			if ((r = bus_msg_read_bytes(m, &e->headers,
			    &e->has_headers, nomem)) < 0)
				return r;
		} else if (strcmp(key, BUSMAP_MSG_HTTP_HEADERS) == 0 &&
		    strcmp(contents, BUSMAP_MSG_HTTP_HEADERS_SIG) == 0) {
			if ((r = bus_msg_read_http(m, e, nomem)) < 0)
				return r;
		} else if (strcmp(key, "IsFault") == 0 &&
		    strcmp(contents, "b") == 0) {
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				return r;
			e->has_is_fault = b != 0;
			e->is_fault = b != 0;
		} else if (strcmp(key, BUSMAP_MSG_HTTP_STATUS) == 0 &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(m, "v", "u", &u)) < 0)
				return r;
			e->has_http_status = 1;
			e->http_status = u;
		} else if ((strcmp(key, "EnvelopeVersion") == 0 ||
		    strcmp(key, "AddressingVersion") == 0) &&
		    strcmp(contents, "u") == 0) {
			if ((r = sd_bus_message_read(m, "v", "u", &u)) < 0)
				return r;
			if (key[0] == 'E') {
				e->has_envelope_version = 1;
				e->envelope_version = u;
			} else {
				e->has_addressing_version = 1;
				e->addressing_version = u;
			}
		} else if ((r = sd_bus_message_skip(m, "v")) < 0)
			return r;
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* GetProperty's variant. */
static int
bus_read_property(sd_bus_message *m, Wschannel__Property *p, bool *nomem)
{
	const char *contents, *s;
	char type;
	union {
		uint8_t y; int b; uint16_t q; int16_t n; uint32_t u;
		int32_t i; uint64_t t; int64_t x;
	} v;
	int r;

	if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
		return r;
	if (type != 'v' || contents == NULL || strlen(contents) != 1)
		return -EBADMSG;
	if ((r = sd_bus_message_enter_container(m, 'v', contents)) < 0)
		return r;
	p->has_u = 1;
	switch (contents[0]) {
	case 's':
		p->has_u = 0;
		if ((r = sd_bus_message_read_basic(m, 's', &s)) >= 0)
			p->s = bus_strdup(s, nomem);
		break;
	case 'y':
		r = sd_bus_message_read_basic(m, 'y', &v.y);
		p->u = v.y;
		break;
	case 'b':
		r = sd_bus_message_read_basic(m, 'b', &v.b);
		p->u = v.b != 0;
		break;
	case 'q':
		r = sd_bus_message_read_basic(m, 'q', &v.q);
		p->u = v.q;
		break;
	case 'n':
		r = sd_bus_message_read_basic(m, 'n', &v.n);
		p->u = (uint64_t)(int64_t)v.n;
		break;
	case 'u':
		r = sd_bus_message_read_basic(m, 'u', &v.u);
		p->u = v.u;
		break;
	case 'i':
		r = sd_bus_message_read_basic(m, 'i', &v.i);
		p->u = (uint64_t)(int64_t)v.i;
		break;
	case 't':
		r = sd_bus_message_read_basic(m, 't', &v.t);
		p->u = v.t;
		break;
	case 'x':
		r = sd_bus_message_read_basic(m, 'x', &v.x);
		p->u = (uint64_t)v.x;
		break;
	default:
		r = -EBADMSG;
		break;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/*
 * A method return as the Reply the socket would have carried.  Returns the
 * call's HRESULT; *out is NULL when there is no memory for it (then the
 * HRESULT is E_OUTOFMEMORY, as for a Reply the socket could not decode).
 */
HRESULT
bus_msg_return(struct ipc_call *call, sd_bus_message *m,
    Wschannel__Reply **out, bool *has_state, uint32_t *state)
{
	Wschannel__Reply *rep;
	Wschannel__Envelope *env;
	Wschannel__Property *prop;
	Wschannel__AbortResult *ar;
	const char *path;
	uint32_t u, cancelled;
	bool nomem = false, present;
	HRESULT hr = S_OK;
	int r = 0;

	*out = NULL;
	if ((rep = malloc(sizeof(*rep))) == NULL)
		return E_OUTOFMEMORY;
	wschannel__reply__init(rep);
	rep->id = call->id;
	switch (bus_op_ret(call->op)) {
	case RET_NONE:
		break;
	case RET_STATE:
		if ((r = sd_bus_message_read_basic(m, 'u', &u)) >= 0) {
			*has_state = true;
			*state = u;
		}
		break;
	case RET_CREATED:
		if ((r = sd_bus_message_read_basic(m, 'o', &path)) < 0)
			break;
		rep->created = bus_created_id(path, call->op ==
		    WSCHANNEL__REQUEST__OP_CREATE_LISTENER);
		if (rep->created == 0) {
			r = -EBADMSG;
			break;
		}
		rep->result_case = WSCHANNEL__REPLY__RESULT_CREATED;
		*has_state = true;
		*state = 0;	/* CREATED, channels and listeners alike */
		break;
	case RET_ABORT:
		if ((r = sd_bus_message_read(m, "uu", &u, &cancelled)) < 0)
			break;
		*has_state = true;
		*state = u;
		if ((ar = malloc(sizeof(*ar))) == NULL) {
			nomem = true;
			break;
		}
		wschannel__abort_result__init(ar);
		ar->id = call->op_obj;
		ar->has_state = 1;
		ar->state = u;
		ar->has_cancelled = 1;
		ar->cancelled = cancelled;
		rep->abort = ar;
		rep->result_case = WSCHANNEL__REPLY__RESULT_ABORT;
		break;
	case RET_PROPERTY:
		if ((prop = malloc(sizeof(*prop))) == NULL) {
			nomem = true;
			break;
		}
		wschannel__property__init(prop);
		prop->id = call->op_prop;
		rep->property = prop;
		rep->result_case = WSCHANNEL__REPLY__RESULT_PROPERTY;
		r = bus_read_property(m, prop, &nomem);
		break;
	case RET_MESSAGE:
		if ((r = sd_bus_message_read_basic(m, 'u', &u)) < 0)
			break;
		hr = (HRESULT)u;
		if ((env = malloc(sizeof(*env))) == NULL) {
			nomem = true;
			break;
		}
		wschannel__envelope__init(env);
		rep->message = env;
		rep->result_case = WSCHANNEL__REPLY__RESULT_MESSAGE;
		r = bus_read_envelope(m, env, &present, &nomem);
		/* Only a received message is one (S_OK); WS_S_END brings an
		 * empty dictionary. */
		if (r >= 0 && (hr != S_OK || !present)) {
			wschannel__envelope__free_unpacked(env, NULL);
			rep->message = NULL;
			rep->result_case = WSCHANNEL__REPLY__RESULT__NOT_SET;
		}
		break;
	}
	if (r < 0 || nomem) {
		wschannel__reply__free_unpacked(rep, NULL);
		/* A state that was read survives, as with the socket's
		 * emergency decoding. */
		return nomem || r == -ENOMEM ? E_OUTOFMEMORY : WS_E_OTHER;
	}
	if (*has_state) {
		rep->has_state = 1;
		rep->state = *state;
	}
	rep->hresult = (uint32_t)hr;
	*out = rep;
	return hr;
}

/* An error as a Reply with its reason; NULL when there is none to keep. */
Wschannel__Reply *
bus_msg_error(struct ipc_call *call, HRESULT hr, const char *why)
{
	Wschannel__Reply *rep;

	if (why == NULL || (rep = malloc(sizeof(*rep))) == NULL)
		return NULL;
	wschannel__reply__init(rep);
	rep->id = call->id;
	rep->hresult = (uint32_t)hr;
	if ((rep->errors = malloc(sizeof(*rep->errors))) == NULL ||
	    (rep->errors[0] = strdup(why)) == NULL) {
		free(rep->errors);
		free(rep);
		return NULL;
	}
	rep->n_errors = 1;
	return rep;
}
