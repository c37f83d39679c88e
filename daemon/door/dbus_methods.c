/*
 * The D-Bus door's methods: each call is decoded into a struct request
 * (request.h) and run by the dispatcher; its completion comes back to
 * dbus_request_done, which turns the typed result into the method's
 * reply.  The vtables take every name and signature from common/busmap.h.
 */
#include <sys/types.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include <wschannel/webservices.h>

#include "bus_loop.h"
#include "busmap.h"
#include "channel.h"
#include "dbus_int.h"
#include "envelope.h"
#include "hresult.h"
#include "httphdr.h"
#include "listener.h"
#include "log.h"
#include "props.h"
#include "request.h"

/* ---- arguments -------------------------------------------------------------- */

/*
 * Reads a variant holding an unsigned integer (y q u t, or b, or a
 * non-negative n i x).  -EINVAL for any other content, -EROFS for a string
 * (property values that are strings are read-only), or a bus error.
 */
static int
dbus_read_uint_variant(sd_bus_message *m, uint64_t *out)
{
	const char *contents;
	char type;
	union {
		uint8_t y; int b; int16_t n; uint16_t q; int32_t i;
		uint32_t u; int64_t x; uint64_t t; const char *s;
	} v;
	int r;

	if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
		return r;
	if (type != 'v' || contents == NULL || strlen(contents) != 1) {
		sd_bus_message_skip(m, NULL);
		return -EINVAL;
	}
	if ((r = sd_bus_message_enter_container(m, 'v', contents)) < 0)
		return r;
	switch (contents[0]) {
	case 'y': r = sd_bus_message_read_basic(m, 'y', &v.y); *out = v.y; break;
	case 'b': r = sd_bus_message_read_basic(m, 'b', &v.b); *out = v.b != 0; break;
	case 'q': r = sd_bus_message_read_basic(m, 'q', &v.q); *out = v.q; break;
	case 'u': r = sd_bus_message_read_basic(m, 'u', &v.u); *out = v.u; break;
	case 't': r = sd_bus_message_read_basic(m, 't', &v.t); *out = v.t; break;
	case 'n':
		r = sd_bus_message_read_basic(m, 'n', &v.n);
		if (r >= 0 && v.n < 0)
			r = -EINVAL;
		*out = (uint64_t)v.n;
		break;
	case 'i':
		r = sd_bus_message_read_basic(m, 'i', &v.i);
		if (r >= 0 && v.i < 0)
			r = -EINVAL;
		*out = (uint64_t)v.i;
		break;
	case 'x':
		r = sd_bus_message_read_basic(m, 'x', &v.x);
		if (r >= 0 && v.x < 0)
			r = -EINVAL;
		*out = (uint64_t)v.x;
		break;
	case 's':
	case 'o':
	case 'g':
		r = sd_bus_message_read_basic(m, contents[0], &v.s);
		if (r >= 0)
			r = -EROFS;
		break;
	default:
		sd_bus_message_skip(m, contents);
		r = -EINVAL;
		break;
	}
	sd_bus_message_exit_container(m);
	return r;
}

/* a{uv} of WS property ids and values into `r`: a bus error (< 0), or 0
 * (values that are not acceptable refuse the request). */
static int
dbus_read_props(sd_bus_message *m, struct request *r)
{
	uint64_t v;
	uint32_t id;
	int rc;

	if ((rc = sd_bus_message_enter_container(m, 'a', "{uv}")) < 0)
		return rc;
	while ((rc = sd_bus_message_enter_container(m, 'e', "uv")) > 0) {
		if ((rc = sd_bus_message_read(m, "u", &id)) < 0)
			return rc;
		if (r->arg.nprops == REQUEST_MAX_PROPS) {
			request_bad_arg(r, E_INVALIDARG, "too many properties");
			return 0;
		}
		rc = dbus_read_uint_variant(m, &v);
		if (rc == -EINVAL || rc == -EROFS) {
			request_bad_arg(r, E_INVALIDARG, rc == -EROFS ?
			    "property is read-only" :
			    "property value missing or not an integer");
			return 0;
		}
		if (rc < 0)
			return rc;
		request_add_prop(r, id, v);
		if ((rc = sd_bus_message_exit_container(m)) < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	return sd_bus_message_exit_container(m);
}

/* Message keys, mirroring Envelope in proto/wschannel.proto. */
static const struct {
	const char	*key;
	size_t		 off;
} dbus_msg_strings[] = {
	{ "Action", offsetof(struct envelope, action) },
	{ "To", offsetof(struct envelope, to) },
	{ "MessageId", offsetof(struct envelope, message_id) },
	{ "RelatesTo", offsetof(struct envelope, relates_to) },
	{ "ReplyTo", offsetof(struct envelope, reply_to) },
	{ "FaultTo", offsetof(struct envelope, fault_to) },
	{ "FaultReason", offsetof(struct envelope, fault_reason) },
};

/*
 * a{sv} into an envelope.  Returns a bus error (< 0), or 0 with *hr S_OK,
 * or *hr and *why for a message that is not acceptable.
 */
/* The variant of "HttpHeaders": 1, 0 out of memory, or sd-bus's error. */
static int
dbus_read_http(sd_bus_message *m, struct envelope *env)
{
	const char *name, *value;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'v',
	    BUSMAP_MSG_HTTP_HEADERS_SIG)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "(ss)")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "(ss)", &name, &value)) > 0)
		if (envelope_http_add(env, name, value) != 0)
			return 0;
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
	    (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	return 1;
}

static int
dbus_read_message(sd_bus_message *m, struct envelope *env, int32_t *hr,
    const char **why)
{
	const char *key, *contents, *s;
	const void *data;
	char **slot, type;
	uint32_t u;
	size_t i, len;
	int b, r;

	memset(env, 0, sizeof(*env));
	*hr = S_OK;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			goto fail;
		for (i = 0; i < sizeof(dbus_msg_strings) /
		    sizeof(dbus_msg_strings[0]); i++)
			if (strcmp(key, dbus_msg_strings[i].key) == 0)
				break;
		if (i < sizeof(dbus_msg_strings) / sizeof(dbus_msg_strings[0])) {
			if (strcmp(contents, "s") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				goto fail;
			slot = (char **)((char *)env + dbus_msg_strings[i].off);
			free(*slot);
			if ((*slot = strdup(s)) == NULL)
				goto nomem;
		} else if (strcmp(key, "Body") == 0) {
			if (strcmp(contents, "ay") == 0) {
				if ((r = sd_bus_message_enter_container(m, 'v',
				    "ay")) < 0 ||
				    (r = sd_bus_message_read_array(m, 'y',
				    &data, &len)) < 0 ||
				    (r = sd_bus_message_exit_container(m)) < 0)
					goto fail;
			} else if (strcmp(contents, "s") == 0) {
				/* Handy from busctl: the body as a string. */
				if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
					goto fail;
				data = s;
				len = strlen(s);
			} else
				goto bad_type;
			free(env->body);
			env->body = NULL;
			env->body_len = 0;
			if (len > 0) {
				if ((env->body = malloc(len)) == NULL)
					goto nomem;
				memcpy(env->body, data, len);
				env->body_len = len;
			}
		} else if (strcmp(key, "Headers") == 0) {
			if (strcmp(contents, "ay") != 0)
				goto bad_type;
			if ((r = sd_bus_message_enter_container(m, 'v',
			    "ay")) < 0 ||
			    (r = sd_bus_message_read_array(m, 'y', &data,
			    &len)) < 0 ||
			    (r = sd_bus_message_exit_container(m)) < 0)
				goto fail;
			free(env->headers);
			env->headers = NULL;
			env->headers_len = 0;
			if (len > 0) {
				if ((env->headers = malloc(len)) == NULL)
					goto nomem;
				memcpy(env->headers, data, len);
				env->headers_len = len;
			}
		} else if (strcmp(key, BUSMAP_MSG_HTTP_HEADERS) == 0) {
			if (strcmp(contents, BUSMAP_MSG_HTTP_HEADERS_SIG) != 0)
				goto bad_type;
			if ((r = dbus_read_http(m, env)) < 0)
				goto fail;
			if (r == 0)
				goto nomem;
		} else if (strcmp(key, "IsFault") == 0) {
			if (strcmp(contents, "b") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				goto fail;
			env->is_fault = b != 0;
		} else if (strcmp(key, BUSMAP_MSG_HTTP_VERB) == 0 ||
		    strcmp(key, BUSMAP_MSG_HTTP_STATUS_TEXT) == 0) {
			/* Inside the daemon: pseudo headers (httphdr.h). */
			if (strcmp(contents, "s") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				goto fail;
			if (envelope_http_add(env, strcmp(key,
			    BUSMAP_MSG_HTTP_VERB) == 0 ? HTTPHDR_VERB :
			    HTTPHDR_STATUS_TEXT, s) != 0)
				goto nomem;
		} else if (strcmp(key, BUSMAP_MSG_HTTP_STATUS) == 0) {
			char code[16];

			if (strcmp(contents, "u") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "u", &u)) < 0)
				goto fail;
			snprintf(code, sizeof(code), "%u", (unsigned)u);
			if (envelope_http_add(env, HTTPHDR_STATUS, code) != 0)
				goto nomem;
		} else if (strcmp(key, BUSMAP_MSG_MORE_BODY) == 0) {
			if (strcmp(contents, "b") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				goto fail;
			env->more_body = b != 0;
		} else if (strcmp(key, "EnvelopeVersion") == 0 ||
		    strcmp(key, "AddressingVersion") == 0) {
			/* The channel's properties decide; accepted so that
			 * a received message can be sent back as it is. */
			if (strcmp(contents, "u") != 0)
				goto bad_type;
			if ((r = sd_bus_message_read(m, "v", "u", &u)) < 0)
				goto fail;
		} else {
			*hr = E_INVALIDARG;
			*why = "unknown key in the message dictionary";
			goto refuse;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			goto fail;
	}
	if (r < 0)
		goto fail;
	return sd_bus_message_exit_container(m);
bad_type:
	*hr = E_INVALIDARG;
	*why = "a message key holds a value of the wrong type";
	goto refuse;
nomem:
	*hr = E_OUTOFMEMORY;
	*why = "out of memory";
refuse:
	envelope_clear(env);
	return 0;
fail:
	envelope_clear(env);
	return r;
}

int
dbus_append_sv(sd_bus_message *m, const char *key, const char *sig, ...)
{
	va_list ap;
	int r;

	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', key)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', sig)) < 0)
		return r;
	va_start(ap, sig);
	r = sd_bus_message_appendv(m, sig, ap);
	va_end(ap);
	if (r < 0 || (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* The "HttpHeaders" entry of a message dictionary. */
static int
dbus_append_http(sd_bus_message *m, const struct envelope *env)
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
	for (i = 0; i < env->nhttp; i++)
		if (env->http[i].name[0] != ':' &&
		    (r = sd_bus_message_append(m, "(ss)", env->http[i].name,
		    env->http[i].value)) < 0)
			return r;
	if ((r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* An envelope as a{sv}; NULL gives an empty dictionary. */
static int
dbus_append_message(sd_bus_message *m, const struct envelope *env)
{
	const char *s;
	size_t i;
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0)
		return r;
	if (env == NULL)
		return sd_bus_message_close_container(m);
	if ((r = dbus_append_sv(m, "EnvelopeVersion", "u",
	    env->envelope_version)) < 0 ||
	    (r = dbus_append_sv(m, "AddressingVersion", "u",
	    env->addressing_version)) < 0)
		return r;
	for (i = 0; i < sizeof(dbus_msg_strings) / sizeof(dbus_msg_strings[0]);
	    i++) {
		s = *(char *const *)((const char *)env + dbus_msg_strings[i].off);
		if (s != NULL &&
		    (r = dbus_append_sv(m, dbus_msg_strings[i].key, "s", s)) < 0)
			return r;
	}
	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', "Body")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
	    (r = sd_bus_message_append_array(m, 'y',
	    env->body != NULL ? (const void *)env->body : (const void *)"",
	    env->body_len)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	if (env->headers != NULL && env->headers_len > 0 &&
	    ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append_basic(m, 's', "Headers")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', "ay")) < 0 ||
	    (r = sd_bus_message_append_array(m, 'y', env->headers,
	    env->headers_len)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0))
		return r;
	if (env->nhttp > 0 && (r = dbus_append_http(m, env)) < 0)
		return r;
	/* A raw message's method and status (pseudo headers inside). */
	for (i = 0; i < env->nhttp; i++) {
		s = env->http[i].value;
		if (strcmp(env->http[i].name, HTTPHDR_VERB) == 0)
			r = dbus_append_sv(m, BUSMAP_MSG_HTTP_VERB, "s", s);
		else if (strcmp(env->http[i].name, HTTPHDR_STATUS_TEXT) == 0)
			r = dbus_append_sv(m, BUSMAP_MSG_HTTP_STATUS_TEXT, "s", s);
		else if (strcmp(env->http[i].name, HTTPHDR_STATUS) == 0)
			r = dbus_append_sv(m, BUSMAP_MSG_HTTP_STATUS, "u",
			    (uint32_t)strtoul(s, NULL, 10));
		else
			r = 0;
		if (r < 0)
			return r;
	}
	if ((r = dbus_append_sv(m, "IsFault", "b", (int)env->is_fault)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

static int
dbus_append_channel_info(sd_bus_message *m, struct channel *ch)
{
	char path[128];
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
	    (r = dbus_append_sv(m, "Id", "t", ch->id)) < 0 ||
	    (r = dbus_append_sv(m, "State", "u", ch->state)) < 0 ||
	    (r = dbus_append_sv(m, "Type", "u", ch->type)) < 0 ||
	    (r = dbus_append_sv(m, "Binding", "u", ch->binding)) < 0 ||
	    (r = dbus_append_sv(m, "Encoding", "u",
	    (uint32_t)ch->props[WS_CHANNEL_PROPERTY_ENCODING])) < 0 ||
	    (r = dbus_append_sv(m, "RemoteAddress", "s", ch->remote)) < 0 ||
	    (r = dbus_append_sv(m, "Url", "s",
	    ch->url != NULL ? ch->url : "")) < 0 ||
	    (r = dbus_append_sv(m, "Owner", "u", (uint32_t)ch->uid)) < 0 ||
	    (r = dbus_append_sv(m, "OwnerPid", "u", (uint32_t)ch->pid)) < 0 ||
	    (r = dbus_append_sv(m, "PendingOperations", "u",
	    pending_count(&ch->pendings))) < 0 ||
	    (r = dbus_append_sv(m, "BytesIn", "t", ch->bytes_in)) < 0 ||
	    (r = dbus_append_sv(m, "BytesOut", "t", ch->bytes_out)) < 0 ||
	    (r = dbus_append_sv(m, "MessagesIn", "t", ch->messages_in)) < 0 ||
	    (r = dbus_append_sv(m, "MessagesOut", "t", ch->messages_out)) < 0)
		return r;
	if (ch->listener_id != 0) {
		busmap_path(path, sizeof(path), true, ch->listener_id);
		if ((r = dbus_append_sv(m, "Listener", "o", path)) < 0)
			return r;
	}
	/* Only what a transport reported, as on the Unix socket. */
	if (channel_local(ch)[0] != '\0' && (r = dbus_append_sv(m,
	    "LocalAddress", "s", channel_local(ch))) < 0)
		return r;
	if (channel_dropped(ch) != 0 && (r = dbus_append_sv(m,
	    "DatagramsDropped", "t", channel_dropped(ch))) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

static int
dbus_append_listener_info(sd_bus_message *m, struct listener *ls)
{
	uint32_t n = request_listener_accepts(ls);
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
	    (r = dbus_append_sv(m, "Id", "t", ls->id)) < 0 ||
	    (r = dbus_append_sv(m, "State", "u", ls->state)) < 0 ||
	    (r = dbus_append_sv(m, "Type", "u", ls->type)) < 0 ||
	    (r = dbus_append_sv(m, "Binding", "u", ls->binding)) < 0 ||
	    (r = dbus_append_sv(m, "Url", "s",
	    ls->url != NULL ? ls->url : "")) < 0 ||
	    (r = dbus_append_sv(m, "Owner", "u", (uint32_t)ls->uid)) < 0 ||
	    (r = dbus_append_sv(m, "OwnerPid", "u", (uint32_t)ls->pid)) < 0 ||
	    (r = dbus_append_sv(m, "PendingAccepts", "u", n)) < 0)
		return r;
	if (ls->local[0] != '\0' &&
	    ((r = dbus_append_sv(m, "LocalAddress", "s", ls->local)) < 0 ||
	    (r = dbus_append_sv(m, "DatagramsDropped", "t", ls->dropped)) < 0))
		return r;
	if (ls->group[0] != '\0' &&
	    (r = dbus_append_sv(m, "Group", "s", ls->group)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* ---- property values by WS id ------------------------------------------------------ */

static int
dbus_reply_property(sd_bus_message *m, const struct prop_desc *d,
    uint64_t u, const char *s)
{
	if (s != NULL || (d != NULL && (d->kind == PROP_STRING ||
	    d->kind == PROP_ADDRESS)))
		return sd_bus_reply_method_return(m, "v", "s",
		    s != NULL ? s : "");
	switch (d != NULL ? d->kind : PROP_UINT64) {
	case PROP_ULONG:
	case PROP_ENUM:
		return sd_bus_reply_method_return(m, "v", "u", (uint32_t)u);
	case PROP_BOOL:
		return sd_bus_reply_method_return(m, "v", "b", (int)(u != 0));
	default:
		return sd_bus_reply_method_return(m, "v", "t", u);
	}
}


/* ---- method calls into requests ----------------------------------------------------- */

enum dbus_target {
	DBUS_ON_MANAGER,
	DBUS_ON_CHANNEL,	/* the vtable's object is a struct channel */
	DBUS_ON_LISTENER,	/* ... a struct listener */
};

/* Every method and the request it becomes. */
static const struct dbus_op {
	const char		*iface;
	const char		*member;
	enum request_op		 op;
	enum dbus_target	 target;
} dbus_ops[] = {
	{ BUSMAP_IFACE_MANAGER, "CreateChannel", REQUEST_CREATE_CHANNEL,
	    DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "CreateListener", REQUEST_CREATE_LISTENER,
	    DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "ListChannels", REQUEST_LIST, DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "ListListeners", REQUEST_LIST, DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "AbortAll", REQUEST_ABORT_CHANNELS,
	    DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "AbortProcess", REQUEST_ABORT_CHANNELS,
	    DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "Reload", REQUEST_RELOAD, DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "GetStatistics", REQUEST_STATISTICS,
	    DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "EnableAccepted", REQUEST_ENABLE_INTERIM,
	    DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_MANAGER, "Subscribe", REQUEST_WATCH, DBUS_ON_MANAGER },
	{ BUSMAP_IFACE_CHANNEL, "Open", REQUEST_OPEN_CHANNEL, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Close", REQUEST_CLOSE_CHANNEL, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Abort", REQUEST_ABORT_CHANNEL, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Reset", REQUEST_RESET_CHANNEL, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Free", REQUEST_FREE_CHANNEL, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Send", REQUEST_SEND, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Receive", REQUEST_RECEIVE, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "RequestReply", REQUEST_REQUEST_REPLY,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "ReadMessageStart", REQUEST_READ_START,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "ReadMessageEnd", REQUEST_READ_END,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "WriteMessageStart", REQUEST_WRITE_START,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "WriteMessageEnd", REQUEST_WRITE_END,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "AbandonMessage", REQUEST_ABANDON,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "Shutdown", REQUEST_SHUTDOWN, DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "GetProperty", REQUEST_GET_CHANNEL_PROPERTY,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_CHANNEL, "SetProperty", REQUEST_SET_CHANNEL_PROPERTY,
	    DBUS_ON_CHANNEL },
	{ BUSMAP_IFACE_LISTENER, "Open", REQUEST_OPEN_LISTENER,
	    DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "Accept", REQUEST_ACCEPT, DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "Close", REQUEST_CLOSE_LISTENER,
	    DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "Abort", REQUEST_ABORT_LISTENER,
	    DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "Reset", REQUEST_RESET_LISTENER,
	    DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "Free", REQUEST_FREE_LISTENER,
	    DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "CreateChannel",
	    REQUEST_CREATE_CHANNEL_FOR_LISTENER, DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "GetProperty", REQUEST_GET_LISTENER_PROPERTY,
	    DBUS_ON_LISTENER },
	{ BUSMAP_IFACE_LISTENER, "SetProperty", REQUEST_SET_LISTENER_PROPERTY,
	    DBUS_ON_LISTENER },
};

static const struct dbus_op *
dbus_op_of(sd_bus_message *m)
{
	const char *iface = sd_bus_message_get_interface(m);
	const char *member = sd_bus_message_get_member(m);
	size_t i;

	if (iface == NULL || member == NULL)
		return NULL;
	for (i = 0; i < sizeof(dbus_ops) / sizeof(dbus_ops[0]); i++)
		if (strcmp(dbus_ops[i].iface, iface) == 0 &&
		    strcmp(dbus_ops[i].member, member) == 0)
			return &dbus_ops[i];
	return NULL;
}

/* SetProperty's (uv): a number, else the request is refused. */
static int
dbus_read_set_property(sd_bus_message *m, struct request *r)
{
	int rc;

	if ((rc = sd_bus_message_read(m, "u", &r->arg.prop_id)) < 0)
		return rc;
	rc = dbus_read_uint_variant(m, &r->arg.prop_value);
	if (rc == -EINVAL || rc == -EROFS) {
		request_bad_arg(r, E_INVALIDARG, rc == -EROFS ?
		    "property is read-only" :
		    "property value is not an integer");
		return 0;
	}
	return rc < 0 ? rc : 0;
}

/* Accept's channel: an object path that must name a channel. */
static int
dbus_read_accept(sd_bus_message *m, struct request *r)
{
	const char *path;
	bool listener;
	int rc;

	if ((rc = sd_bus_message_read(m, "o", &path)) < 0)
		return rc;
	if (!busmap_parse_path(path, &listener, &r->arg.channel) || listener)
		request_bad_arg(r, E_INVALIDARG, "not a channel object");
	return 0;
}

/* A message dictionary for Send, WriteMessageEnd and RequestReply. */
static int
dbus_read_envelope(sd_bus_message *m, struct request *r)
{
	const char *why = NULL;
	int32_t hr;
	int rc;

	if ((rc = dbus_read_message(m, &r->arg.msg, &hr, &why)) < 0)
		return rc;
	if (hr != S_OK)
		request_bad_arg(r, hr, why);
	return 0;
}

/* The arguments of `m` into `r`: 0, or a bus error (the message does not
 * read).  Unacceptable values refuse the request instead. */
static int
dbus_decode(sd_bus_message *m, struct request *r)
{
	const char *member = sd_bus_message_get_member(m);
	int rc;

	switch (r->op) {
	case REQUEST_CREATE_CHANNEL:
	case REQUEST_CREATE_LISTENER:
		if ((rc = sd_bus_message_read(m, "uu", &r->arg.type,
		    &r->arg.binding)) < 0)
			return rc;
		return dbus_read_props(m, r);
	case REQUEST_CREATE_CHANNEL_FOR_LISTENER:
		return dbus_read_props(m, r);
	case REQUEST_OPEN_CHANNEL:
	case REQUEST_OPEN_LISTENER:
		return sd_bus_message_read(m, "s", &r->arg.url);
	case REQUEST_ACCEPT:
		return dbus_read_accept(m, r);
	case REQUEST_SEND:
	case REQUEST_WRITE_END:
	case REQUEST_REQUEST_REPLY:
		return dbus_read_envelope(m, r);
	case REQUEST_GET_CHANNEL_PROPERTY:
	case REQUEST_GET_LISTENER_PROPERTY:
		return sd_bus_message_read(m, "u", &r->arg.prop_id);
	case REQUEST_SET_CHANNEL_PROPERTY:
	case REQUEST_SET_LISTENER_PROPERTY:
		return dbus_read_set_property(m, r);
	case REQUEST_LIST:
		r->arg.list_channels = strcmp(member, "ListChannels") == 0;
		r->arg.list_listeners = !r->arg.list_channels;
		return 0;
	case REQUEST_ABORT_CHANNELS:
		if (strcmp(member, "AbortProcess") != 0) {
			r->arg.all = true;
			return 0;
		}
		r->arg.by_pid = true;
		return sd_bus_message_read(m, "u", &r->arg.pid);
	default:
		return 0;
	}
}

/*
 * Every method of every interface: the sender's session, the request,
 * the dispatcher.  The reply is sent by dbus_request_done, now or when
 * the operation completes (the call stays pending meanwhile).
 */
static int
dbus_method(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const struct dbus_op *op;
	struct dbus_peer *peer;
	struct request *r;
	int rc;

	if ((op = dbus_op_of(m)) == NULL)
		return dbus_error_set(e, E_INVALIDARG, "unknown method");
	if ((rc = dbus_peer_get(m, &peer, e)) < 0)
		return rc;
	if ((r = request_new(&peer->client, op->op)) == NULL)
		return dbus_reply_hr(m, E_OUTOFMEMORY, "out of memory");
	if (op->target == DBUS_ON_CHANNEL)
		r->arg.object = ((struct channel *)arg)->id;
	else if (op->target == DBUS_ON_LISTENER)
		r->arg.object = ((struct listener *)arg)->id;
	if ((rc = dbus_decode(m, r)) < 0) {
		request_free(r);
		return rc;
	}
	/* Both released by dbus_request_done. */
	r->ctx = sd_bus_message_ref(m);
	peer->refs++;
	request_run(r);
	return 1;
}

/* ---- completions into replies ---------------------------------------------------------- */

static int
dbus_reply_created(sd_bus_message *m, bool listener, uint64_t id)
{
	char path[128];

	busmap_path(path, sizeof(path), listener, id);
	return sd_bus_reply_method_return(m, "o", path);
}

/* (u result, a{sv} message): the message is empty unless one came. */
static int
dbus_reply_message(sd_bus_message *m, int32_t hr, const struct envelope *env)
{
	sd_bus_message *rm = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &rm)) >= 0 &&
	    (r = sd_bus_message_append(rm, "u", (uint32_t)hr)) >= 0 &&
	    (r = dbus_append_message(rm, env)) >= 0)
		r = sd_bus_send(NULL, rm, NULL);
	sd_bus_message_unref(rm);
	return r;
}

/* a(oa{sv}) of the channels, or of the listeners, of a LIST result. */
static int
dbus_reply_list(sd_bus_message *m, const struct request *r)
{
	sd_bus_message *reply = NULL;
	bool listeners = r->arg.list_listeners;
	size_t i, n = listeners ? r->res.nlisteners : r->res.nchannels;
	char path[128];
	int rc;

	if ((rc = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (rc = sd_bus_message_open_container(reply, 'a', "(oa{sv})")) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		busmap_path(path, sizeof(path), listeners, listeners ?
		    r->res.listeners[i]->id : r->res.channels[i]->id);
		if ((rc = sd_bus_message_open_container(reply, 'r',
		    "oa{sv}")) < 0 ||
		    (rc = sd_bus_message_append_basic(reply, 'o', path)) < 0 ||
		    (rc = listeners ?
		    dbus_append_listener_info(reply, r->res.listeners[i]) :
		    dbus_append_channel_info(reply, r->res.channels[i])) < 0 ||
		    (rc = sd_bus_message_close_container(reply)) < 0)
			goto out;
	}
	if ((rc = sd_bus_message_close_container(reply)) >= 0)
		rc = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return rc;
}

/* AbortAll and AbortProcess: a(ouu) of (channel, state after, cancelled). */
static int
dbus_reply_aborted(sd_bus_message *m, const struct request *r)
{
	sd_bus_message *reply = NULL;
	const struct request_abort *a;
	char path[128];
	size_t i;
	int rc;

	if ((rc = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (rc = sd_bus_message_open_container(reply, 'a', "(ouu)")) < 0)
		goto out;
	for (i = 0; i < r->res.naborts; i++) {
		a = &r->res.aborts[i];
		busmap_path(path, sizeof(path), false, a->id);
		if ((rc = sd_bus_message_append(reply, "(ouu)", path,
		    a->state, (uint32_t)a->cancelled)) < 0)
			goto out;
	}
	if ((rc = sd_bus_message_close_container(reply)) >= 0)
		rc = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return rc;
}

static int
dbus_reply_statistics(sd_bus_message *m, const struct request_stats *st)
{
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "{sv}")) < 0 ||
	    (r = dbus_append_sv(reply, "Channels", "u", st->channels)) < 0 ||
	    (r = dbus_append_sv(reply, "Listeners", "u", st->listeners)) < 0 ||
	    (r = dbus_append_sv(reply, "PendingOperations", "u",
	    st->pending)) < 0 ||
	    (r = dbus_append_sv(reply, "UnixClients", "u",
	    st->unix_clients)) < 0 ||
	    (r = dbus_append_sv(reply, "BusPeers", "u", st->bus_peers)) < 0 ||
	    (r = dbus_append_sv(reply, "UptimeUsec", "t",
	    st->uptime_usec)) < 0 ||
	    (r = dbus_append_sv(reply, "Version", "s", st->version)) < 0 ||
	    (r = dbus_append_sv(reply, "DatagramsDropped", "t",
	    st->datagrams_dropped)) < 0 ||
	    (r = sd_bus_message_close_container(reply)) < 0)
		goto out;
	r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

/* The method return of a request that did not fail. */
static int
dbus_reply_result(sd_bus_message *m, const struct request *r)
{
	switch (r->op) {
	case REQUEST_CREATE_CHANNEL:
	case REQUEST_CREATE_CHANNEL_FOR_LISTENER:
		return dbus_reply_created(m, false, r->res.created);
	case REQUEST_CREATE_LISTENER:
		return dbus_reply_created(m, true, r->res.created);
	case REQUEST_ABORT_CHANNEL:
	case REQUEST_ABORT_LISTENER:
		return sd_bus_reply_method_return(m, "uu", r->res.state,
		    (uint32_t)r->res.cancelled);
	case REQUEST_RECEIVE:
	case REQUEST_READ_START:
	case REQUEST_REQUEST_REPLY:
		return dbus_reply_message(m, r->res.hr, r->res.msg);
	case REQUEST_GET_CHANNEL_PROPERTY:
		return dbus_reply_property(m, channel_prop(r->arg.prop_id),
		    r->res.prop_u, r->res.prop_s);
	case REQUEST_GET_LISTENER_PROPERTY:
		return dbus_reply_property(m, listener_prop(r->arg.prop_id),
		    r->res.prop_u, r->res.prop_s);
	case REQUEST_LIST:
		return dbus_reply_list(m, r);
	case REQUEST_ABORT_CHANNELS:
		return dbus_reply_aborted(m, r);
	case REQUEST_STATISTICS:
		return dbus_reply_statistics(m, &r->res.stats);
	case REQUEST_FREE_CHANNEL:
	case REQUEST_FREE_LISTENER:
	case REQUEST_SET_CHANNEL_PROPERTY:
	case REQUEST_SET_LISTENER_PROPERTY:
	case REQUEST_RELOAD:
	case REQUEST_ENABLE_INTERIM:
	case REQUEST_WATCH:
		return sd_bus_reply_method_return(m, "");
	default:
		/* Every other call answers with the object's state. */
		return sd_bus_reply_method_return(m, "u", r->res.state);
	}
}

/* request_door.done: the one reply of a method call. */
void
dbus_request_done(struct request *r)
{
	struct dbus_peer *peer = dbus_peer_of(r->client);
	sd_bus_message *m = r->ctx;
	int rc;

	if (!peer->gone && db.bus != NULL) {
		rc = r->res.hr < 0 ? dbus_reply_hr(m, r->res.hr, r->res.why) :
		    dbus_reply_result(m, r);
		if (rc < 0)
			log_warnx("D-Bus peer %s: cannot send a reply: %s",
			    peer->name, strerror(-rc));
		bus_loop_rearm(db.loop);
	}
	sd_bus_message_unref(m);
	dbus_peer_unref(peer);
}

/*
 * request_door.interim, for a caller that asked (Manager.EnableAccepted):
 * its long call passed its checks and is pending.  The Accepted signal,
 * on the call's object, to the caller alone, leaves before the method
 * return, so the caller tells a precondition failure from a pending
 * operation without waiting for the operation (the Unix socket's interim
 * reply).
 */
void
dbus_request_interim(struct request *r)
{
	sd_bus_message *m = r->ctx, *s = NULL;
	const char *sender = sd_bus_message_get_sender(m);
	const char *path = sd_bus_message_get_path(m);
	uint64_t cookie, id;
	bool listener = false;
	int rc;

	if (sender == NULL || path == NULL || db.bus == NULL ||
	    sd_bus_message_get_cookie(m, &cookie) < 0)
		return;
	(void)busmap_parse_path(path, &listener, &id);
	if ((rc = sd_bus_message_new_signal(db.bus, &s, path, listener ?
	    BUSMAP_IFACE_LISTENER : BUSMAP_IFACE_CHANNEL, "Accepted")) >= 0 &&
	    (rc = sd_bus_message_set_destination(s, sender)) >= 0 &&
	    (rc = sd_bus_message_append(s, "u", (uint32_t)cookie)) >= 0)
		rc = sd_bus_send(db.bus, s, NULL);
	sd_bus_message_unref(s);
	if (rc < 0)
		log_debug("D-Bus peer %s: cannot send Accepted: %s", sender,
		    strerror(-rc));
}

/* ---- vtables ------------------------------------------------------------------------- */

#define M(name, sig, innames, outnames)					\
	SD_BUS_METHOD_WITH_NAMES(name, sig##_IN, innames, sig##_OUT,	\
	    outnames, dbus_method, SD_BUS_VTABLE_UNPRIVILEGED)

const sd_bus_vtable dbus_manager_vtable[] = {
	SD_BUS_VTABLE_START(SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Version", "s", dbus_manager_prop, 0,
	    SD_BUS_VTABLE_PROPERTY_CONST),
	M("CreateChannel", BUSMAP_MGR_CREATE_CHANNEL, SD_BUS_PARAM(type)
	    SD_BUS_PARAM(binding) SD_BUS_PARAM(properties),
	    SD_BUS_PARAM(channel)),
	M("CreateListener", BUSMAP_MGR_CREATE_LISTENER, SD_BUS_PARAM(type)
	    SD_BUS_PARAM(binding) SD_BUS_PARAM(properties),
	    SD_BUS_PARAM(listener)),
	M("ListChannels", BUSMAP_MGR_LIST_CHANNELS, "",
	    SD_BUS_PARAM(channels)),
	M("ListListeners", BUSMAP_MGR_LIST_LISTENERS, "",
	    SD_BUS_PARAM(listeners)),
	M("AbortAll", BUSMAP_MGR_ABORT_ALL, "", SD_BUS_PARAM(results)),
	M("AbortProcess", BUSMAP_MGR_ABORT_PROCESS, SD_BUS_PARAM(pid),
	    SD_BUS_PARAM(results)),
	M("Reload", BUSMAP_MGR_RELOAD, "", ""),
	M("GetStatistics", BUSMAP_MGR_GET_STATISTICS, "",
	    SD_BUS_PARAM(statistics)),
	M("EnableAccepted", BUSMAP_MGR_ENABLE_ACCEPTED, "", ""),
	M("Subscribe", BUSMAP_MGR_SUBSCRIBE, "", ""),
	SD_BUS_VTABLE_END,
};

#define CH_PROP(name, sig, flags)					\
	SD_BUS_PROPERTY(name, sig, dbus_channel_prop, 0, flags)

const sd_bus_vtable dbus_channel_vtable[] = {
	SD_BUS_VTABLE_START(SD_BUS_VTABLE_UNPRIVILEGED),
	CH_PROP("Id", "t", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("State", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("StateCause", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("Type", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("Binding", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("Encoding", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("RemoteAddress", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("Url", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("Owner", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("OwnerPid", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	CH_PROP("PendingOperations", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("BytesIn", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("BytesOut", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("MessagesIn", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	CH_PROP("MessagesOut", "t", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	M("Open", BUSMAP_CH_OPEN, SD_BUS_PARAM(url), SD_BUS_PARAM(state)),
	M("Close", BUSMAP_CH_CLOSE, "", SD_BUS_PARAM(state)),
	M("Abort", BUSMAP_CH_ABORT, "", SD_BUS_PARAM(state)
	    SD_BUS_PARAM(cancelled)),
	M("Reset", BUSMAP_CH_RESET, "", SD_BUS_PARAM(state)),
	M("Free", BUSMAP_CH_FREE, "", ""),
	M("Send", BUSMAP_CH_SEND, SD_BUS_PARAM(message), SD_BUS_PARAM(state)),
	M("Receive", BUSMAP_CH_RECEIVE, "", SD_BUS_PARAM(result)
	    SD_BUS_PARAM(message)),
	M("RequestReply", BUSMAP_CH_REQUEST_REPLY, SD_BUS_PARAM(request),
	    SD_BUS_PARAM(result) SD_BUS_PARAM(reply)),
	M("ReadMessageStart", BUSMAP_CH_READ_MESSAGE_START, "",
	    SD_BUS_PARAM(result) SD_BUS_PARAM(message)),
	M("ReadMessageEnd", BUSMAP_CH_READ_MESSAGE_END, "",
	    SD_BUS_PARAM(state)),
	M("WriteMessageStart", BUSMAP_CH_WRITE_MESSAGE_START, "",
	    SD_BUS_PARAM(state)),
	M("WriteMessageEnd", BUSMAP_CH_WRITE_MESSAGE_END,
	    SD_BUS_PARAM(message), SD_BUS_PARAM(state)),
	M("AbandonMessage", BUSMAP_CH_ABANDON_MESSAGE, "",
	    SD_BUS_PARAM(state)),
	M("Shutdown", BUSMAP_CH_SHUTDOWN, "", SD_BUS_PARAM(state)),
	M("GetProperty", BUSMAP_CH_GET_PROPERTY, SD_BUS_PARAM(id),
	    SD_BUS_PARAM(value)),
	M("SetProperty", BUSMAP_CH_SET_PROPERTY, SD_BUS_PARAM(id)
	    SD_BUS_PARAM(value), ""),
	SD_BUS_SIGNAL_WITH_NAMES("Accepted", BUSMAP_CH_SIG_ACCEPTED,
	    SD_BUS_PARAM(serial), 0),
	SD_BUS_VTABLE_END,
};

#define LS_PROP(name, sig, flags)					\
	SD_BUS_PROPERTY(name, sig, dbus_listener_prop, 0, flags)

const sd_bus_vtable dbus_listener_vtable[] = {
	SD_BUS_VTABLE_START(SD_BUS_VTABLE_UNPRIVILEGED),
	LS_PROP("Id", "t", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("State", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	LS_PROP("StateCause", "u", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	LS_PROP("Url", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	LS_PROP("Binding", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("Type", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("Owner", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	LS_PROP("OwnerPid", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	M("Open", BUSMAP_LS_OPEN, SD_BUS_PARAM(url), SD_BUS_PARAM(state)),
	M("Accept", BUSMAP_LS_ACCEPT, SD_BUS_PARAM(channel),
	    SD_BUS_PARAM(state)),
	M("Close", BUSMAP_LS_CLOSE, "", SD_BUS_PARAM(state)),
	M("Abort", BUSMAP_LS_ABORT, "", SD_BUS_PARAM(state)
	    SD_BUS_PARAM(cancelled)),
	M("Reset", BUSMAP_LS_RESET, "", SD_BUS_PARAM(state)),
	M("Free", BUSMAP_LS_FREE, "", ""),
	M("CreateChannel", BUSMAP_LS_CREATE_CHANNEL, SD_BUS_PARAM(properties),
	    SD_BUS_PARAM(channel)),
	M("GetProperty", BUSMAP_LS_GET_PROPERTY, SD_BUS_PARAM(id),
	    SD_BUS_PARAM(value)),
	M("SetProperty", BUSMAP_LS_SET_PROPERTY, SD_BUS_PARAM(id)
	    SD_BUS_PARAM(value), ""),
	SD_BUS_SIGNAL_WITH_NAMES("Accepted", BUSMAP_LS_SIG_ACCEPTED,
	    SD_BUS_PARAM(serial), 0),
	SD_BUS_VTABLE_END,
};

#undef M
#undef CH_PROP
#undef LS_PROP
