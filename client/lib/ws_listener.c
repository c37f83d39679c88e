/* WS_LISTENER: a handle naming a listener of wschanneld. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ws_security.h"

struct ws_listener_prop_call {
	struct ipc_call			 c;
	const struct prop_desc		*desc;
	void				*value;
	ULONG				 size;
};

static void
ws_listener_destroy(struct ipc_object *o)
{
	ipc_handle_del(o);
	free(o);
}

static void
ws_listener_discard(WS_LISTENER *l)
{
	ipc_handle_del(l);
	free(l);
}

static bool
ws_listener_get(WS_LISTENER *l)
{
	if (l == NULL || !ipc_object_valid(&l->obj, WS_LISTENER_MAGIC))
		return false;
	ipc_object_ref(&l->obj);
	ipc_object_settle_soon(&l->obj);	/* its id, or its create's */
	return true;
}

WS_EXPORT HRESULT WINAPI
WsCreateListener(WS_CHANNEL_TYPE channelType,
    WS_CHANNEL_BINDING channelBinding, const WS_LISTENER_PROPERTY *properties,
    ULONG propertyCount, const WS_SECURITY_DESCRIPTION *securityDescription,
    WS_LISTENER **listener, WS_ERROR *error)
{
	static const char api[] = "WsCreateListener";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateListener op = WSCHANNEL__CREATE_LISTENER__INIT;
	Wschannel__Property **props;
	struct ipc_conn *conn;
	WS_LISTENER *l;
	HRESULT hr;

	if (listener == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: listener or properties is NULL", api);
	if ((hr = ws_security_check(securityDescription, error, api)) != S_OK)
		return hr;
	hr = ws_channel_props_encode(listener_prop,
	    (const WS_CHANNEL_PROPERTY *)properties, propertyCount, &props,
	    error, api);
	if (hr != S_OK)
		return hr;
	if ((l = calloc(1, sizeof(*l))) == NULL || ipc_handle_add(l) != 0) {
		free(l);
		ws_channel_props_free(props, propertyCount);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	if ((hr = ipc_connect(&conn, error)) != S_OK) {
		ws_listener_discard(l);
		ws_channel_props_free(props, propertyCount);
		return hr;
	}
	op.type = (uint32_t)channelType;
	op.binding = (uint32_t)channelBinding;
	op.n_properties = propertyCount;
	op.properties = props;
	req.op_case = WSCHANNEL__REQUEST__OP_CREATE_LISTENER;
	req.create_listener = &op;
	l->type = channelType;
	l->binding = channelBinding;
	ipc_object_init(&l->obj, IPC_LISTENER, WS_LISTENER_MAGIC,
	    ws_listener_destroy);
	hr = ipc_object_create(&l->obj, conn, &req, error, api);
	ws_channel_props_free(props, propertyCount);
	if (FAILED(hr)) {
		l->obj.magic = 0;
		ws_listener_discard(l);
		ipc_conn_unref(conn);
		return hr;
	}
	*listener = l;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsOpenListener(WS_LISTENER *listener, const WS_STRING *url,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsOpenListener";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__OpenListener op = WSCHANNEL__OPEN_LISTENER__INIT;
	char *u;
	HRESULT hr;

	if (url == NULL || (url->chars == NULL && url->length > 0) ||
	    (asyncContext != NULL && asyncContext->callback == NULL))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL url or callback", api);
	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	if (ipc_object_stale(&listener->obj)) {
		hr = ws_channel_stale_result(&listener->obj, api, error);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	u = url->length == 0 ? strdup("") :
	    ws_utf16_to_utf8(url->chars, url->length, NULL);
	if (u == NULL) {
		ipc_object_unref(&listener->obj);
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the URL is not valid UTF-16", api);
	}
	op.listener = listener->obj.id;
	op.url = u;
	req.op_case = WSCHANNEL__REQUEST__OP_OPEN_LISTENER;
	req.open_listener = &op;
	hr = ipc_object_call(&listener->obj, &req, asyncContext, error, api);
	free(u);
	return hr;
}

/*
 * The accept's Reply may bring the channel's first message (asked by
 * ws_listener_want_message): kept with the channel for its first receive,
 * which then needs no round trip.
 */
static HRESULT
ws_listener_accept_finish(struct ipc_call *c, HRESULT hr)
{
	struct ipc_object *o = c->obj2;

	if (FAILED(hr))
		return hr;
	ipc_object_set_flags(o, IPC_OBJ_ACCEPTED, IPC_OBJ_REPLIED);
	if (c->reply == NULL ||
	    c->reply->result_case != WSCHANNEL__REPLY__RESULT_MESSAGE ||
	    c->reply->message == NULL)
		return hr;
	if (ipc_object_keep(o, c->reply->message) != 0)
		return ws_error_fail(c->error, E_OUTOFMEMORY, "%s: out of memory "
		    "keeping the message that came with the accept", c->api);
	return hr;
}

/* Should the accept bring the first message?  The listeners whose accept
 * completes holding one (soap.udp, HTTP REPLY), for a whole message
 * (buffered input); the daemon's D-Bus door ignores the question. */
static bool
ws_listener_want_message(const WS_LISTENER *l, const WS_CHANNEL *ch)
{
	if (ch->transfer_mode & WS_STREAMED_INPUT_TRANSFER_MODE)
		return false;
	return l->binding == WS_UDP_CHANNEL_BINDING ||
	    (l->binding == WS_HTTP_CHANNEL_BINDING &&
	    l->type == WS_CHANNEL_TYPE_REPLY);
}

WS_EXPORT HRESULT WINAPI
WsAcceptChannel(WS_LISTENER *listener, WS_CHANNEL *channel,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error)
{
	static const char api[] = "WsAcceptChannel";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__AcceptChannel op = WSCHANNEL__ACCEPT_CHANNEL__INIT;
	struct ipc_call stack, *c;
	HRESULT hr;

	if (asyncContext != NULL && asyncContext->callback == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL callback", api);
	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	if (!ws_channel_get(channel)) {
		ipc_object_unref(&listener->obj);
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid channel handle", api);
	}
	hr = S_OK;
	if (ipc_object_stale(&listener->obj))
		hr = ws_channel_stale_result(&listener->obj, api, error);
	else if (ipc_object_stale(&channel->obj))
		hr = ws_channel_stale_result(&channel->obj, api, error);
	else if ((hr = ws_channel_deferred(channel, WS_E_OBJECT_FAULTED, error,
	    api)) != S_OK)
		;
	else if ((c = ipc_call_new(&stack, sizeof(stack), asyncContext)) == NULL)
		hr = ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	if (hr != S_OK) {
		ipc_object_unref(&channel->obj);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	c->conn = listener->obj.conn;
	c->obj = &listener->obj;
	c->obj2 = &channel->obj;
	c->pipeline = true;
	c->error = error;
	c->api = api;
	op.listener = listener->obj.id;
	op.channel = channel->obj.id;
	ipc_object_drop_kept(&channel->obj);
	if (ws_listener_want_message(listener, channel)) {
		req.has_want_message = true;
		req.want_message = true;
		c->finish = ws_listener_accept_finish;
	}
	req.op_case = WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL;
	req.accept_channel = &op;
	return ipc_call_run(c, &req);
}

WS_EXPORT HRESULT WINAPI
WsCloseListener(WS_LISTENER *listener, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error)
{
	static const char api[] = "WsCloseListener";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;

	if (asyncContext != NULL && asyncContext->callback == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: NULL callback", api);
	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	if (ipc_object_stale(&listener->obj)) {
		ipc_object_set_stale_state(&listener->obj,
		    WS_LISTENER_STATE_CLOSED);
		ipc_object_unref(&listener->obj);
		return S_OK;
	}
	ref.id = listener->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_CLOSE_LISTENER;
	req.close_listener = &ref;
	return ipc_object_call(&listener->obj, &req, asyncContext, error, api);
}

WS_EXPORT HRESULT WINAPI
WsAbortListener(WS_LISTENER *listener, WS_ERROR *error)
{
	HRESULT hr;

	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsAbortListener: invalid listener handle");
	hr = ipc_object_abort(&listener->obj, error, "WsAbortListener");
	ipc_object_unref(&listener->obj);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsResetListener(WS_LISTENER *listener, WS_ERROR *error)
{
	static const char api[] = "WsResetListener";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	HRESULT hr;

	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	if (ipc_object_stale(&listener->obj)) {
		if (ipc_object_stale_state(&listener->obj) ==
		    WS_LISTENER_STATE_CLOSED)
			hr = ws_error_fail(error, WS_E_ENDPOINT_DISCONNECTED,
			    "%s: the listener's connection to wschanneld was "
			    "lost; free it and create a new one", api);
		else
			hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
			    "%s: the listener is FAULTED", api);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	ref.id = listener->obj.id;
	req.op_case = WSCHANNEL__REQUEST__OP_RESET_LISTENER;
	req.reset_listener = &ref;
	return ipc_object_call(&listener->obj, &req, NULL, error, api);
}

WS_EXPORT void WINAPI
WsFreeListener(WS_LISTENER *listener)
{
	if (listener == NULL ||
	    !ipc_object_valid(&listener->obj, WS_LISTENER_MAGIC))
		return;
	listener->obj.magic = 0;
	ipc_object_release(&listener->obj);
}

static HRESULT
ws_listener_getprop_finish(struct ipc_call *c, HRESULT hr)
{
	struct ws_listener_prop_call *pc = (struct ws_listener_prop_call *)c;
	const Wschannel__Reply *r = c->reply;

	if (FAILED(hr))
		return hr;
	if (r == NULL || r->result_case != WSCHANNEL__REPLY__RESULT_PROPERTY ||
	    r->property == NULL)
		return ws_error_fail(c->error, WS_E_OTHER,
		    "%s: wschanneld's reply carries no property", c->api);
	if (pc->desc->kind == PROP_IFINDEX_SET)
		return ws_channel_prop_decode_ifset(pc->desc, r->property,
		    pc->value, pc->size, c->error, c->api);
	/* No listener property is a string. */
	return ws_channel_prop_decode(pc->desc, r->property, pc->value, NULL,
	    NULL, c->error, c->api);
}

WS_EXPORT HRESULT WINAPI
WsGetListenerProperty(WS_LISTENER *listener, WS_LISTENER_PROPERTY_ID id,
    void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsGetListenerProperty";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetProperty op = WSCHANNEL__GET_PROPERTY__INIT;
	const struct prop_desc *d = listener_prop((uint32_t)id);
	struct ws_listener_prop_call pc;
	uint32_t state;
	HRESULT hr;

	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	hr = ws_channel_prop_check(d, (uint32_t)id, value, valueSize, false,
	    error, api);
	if (hr != S_OK) {
		ipc_object_unref(&listener->obj);
		return hr;
	}
	if (ipc_object_stale(&listener->obj)) {
		if (id == WS_LISTENER_PROPERTY_STATE) {
			state = ipc_object_stale_state(&listener->obj);
			memcpy(value, &state, sizeof(state));
			hr = S_OK;
		} else
			hr = ws_channel_stale_result(&listener->obj, api,
			    error);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	op.id = listener->obj.id;
	op.property_id = (uint32_t)id;
	req.op_case = WSCHANNEL__REQUEST__OP_GET_LISTENER_PROPERTY;
	req.get_listener_property = &op;
	ipc_call_new(&pc, sizeof(pc), NULL);
	pc.c.conn = listener->obj.conn;
	pc.c.obj = &listener->obj;
	pc.c.error = error;
	pc.c.api = api;
	pc.c.finish = ws_listener_getprop_finish;
	pc.desc = d;
	pc.value = value;
	pc.size = valueSize;
	return ipc_call_run(&pc.c, &req);
}

WS_EXPORT HRESULT WINAPI
WsSetListenerProperty(WS_LISTENER *listener, WS_LISTENER_PROPERTY_ID id,
    const void *value, ULONG valueSize, WS_ERROR *error)
{
	static const char api[] = "WsSetListenerProperty";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__SetProperty op = WSCHANNEL__SET_PROPERTY__INIT;
	const struct prop_desc *d = listener_prop((uint32_t)id);
	Wschannel__Property p;
	HRESULT hr;

	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	hr = ws_channel_prop_check(d, (uint32_t)id, value, valueSize, true,
	    error, api);
	if (hr == S_OK && ipc_object_stale(&listener->obj))
		hr = ws_channel_stale_result(&listener->obj, api, error);
	if (hr == S_OK)
		hr = ws_channel_prop_encode(d, value, valueSize, &p, error,
		    api);
	if (hr != S_OK) {
		ipc_object_unref(&listener->obj);
		return hr;
	}
	op.id = listener->obj.id;
	op.property = &p;
	req.op_case = WSCHANNEL__REQUEST__OP_SET_LISTENER_PROPERTY;
	req.set_listener_property = &op;
	hr = ipc_object_call(&listener->obj, &req, NULL, error, api);
	ws_channel_prop_clear(&p);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsCreateChannelForListener(WS_LISTENER *listener,
    const WS_CHANNEL_PROPERTY *properties, ULONG propertyCount,
    WS_CHANNEL **channel, WS_ERROR *error)
{
	static const char api[] = "WsCreateChannelForListener";
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannelForListener op =
	    WSCHANNEL__CREATE_CHANNEL_FOR_LISTENER__INIT;
	Wschannel__Property **props;
	struct ws_http_mapping *map;
	WS_CHANNEL_PROPERTY *rest;
	ULONG nrest;
	struct ipc_conn *conn;
	WS_CHANNEL *ch;
	HRESULT hr;

	if (channel == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: channel or properties is NULL", api);
	if (!ws_listener_get(listener))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid listener handle", api);
	if (ipc_object_stale(&listener->obj)) {
		hr = ws_channel_stale_result(&listener->obj, api, error);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	/* HTTP_MESSAGE_MAPPING stays in the library (ws_header.c). */
	if ((hr = ws_header_mapping_take(listener->binding, properties,
	    propertyCount, &rest, &nrest, &map, error, api)) != S_OK) {
		ipc_object_unref(&listener->obj);
		return hr;
	}
	if (rest != NULL) {
		properties = rest;
		propertyCount = nrest;
	}
	hr = ws_channel_props_encode(channel_prop, properties, propertyCount,
	    &props, error, api);
	if (hr != S_OK) {
		free(rest);
		ws_header_mapping_free(map);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	/* The channel takes the listener's type and binding. */
	if ((ch = ws_channel_alloc(listener->type, listener->binding,
	    properties, propertyCount)) == NULL) {
		free(rest);
		ws_header_mapping_free(map);
		ws_channel_props_free(props, propertyCount);
		ipc_object_unref(&listener->obj);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	ch->mapping = map;
	free(rest);
	conn = listener->obj.conn;
	op.listener = listener->obj.id;
	op.n_properties = propertyCount;
	op.properties = props;
	req.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER;
	req.create_channel_for_listener = &op;
	ipc_conn_ref(conn);
	hr = ws_channel_create(ch, conn, &req, error, api);
	ws_channel_props_free(props, propertyCount);
	if (FAILED(hr)) {
		ipc_conn_unref(conn);
		ws_channel_discard(ch);
		ipc_object_unref(&listener->obj);
		return hr;
	}
	ipc_object_unref(&listener->obj);
	*channel = ch;
	return S_OK;
}
