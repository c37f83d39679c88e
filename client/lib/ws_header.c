/*
 * The headers of a WS_MESSAGE: WsAddressMessage and the standard
 * addressing headers (WsSetHeader, WsGetHeader, WsRemoveHeader), kept as
 * UTF-8 text in the message and converted to and from the caller's value
 * types by ws_value.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

WS_EXPORT HRESULT WINAPI
WsAddressMessage(WS_MESSAGE *message, const WS_ENDPOINT_ADDRESS *address,
    WS_ERROR *error)
{
	static const char api[] = "WsAddressMessage";
	char *to = NULL;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	if (address != NULL && address->url.length > 0 &&
	    (hr = ws_value_encode(WS_ENDPOINT_ADDRESS_TYPE,
	    WS_WRITE_REQUIRED_VALUE, address, sizeof(*address), &to, error,
	    api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (message->addressed)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is already addressed", api);
	else {
		if (to != NULL) {
			free(message->h.to);
			message->h.to = to;
			to = NULL;
		}
		message->addressed = true;
	}
	pthread_mutex_unlock(&message->lock);
	free(to);
	return hr;
}

/* The slot of a standard header; NULL for From, which wschannel does not
 * carry. */
static char **
ws_header_slot(struct ws_headers *h, WS_HEADER_TYPE type)
{
	switch (type) {
	case WS_ACTION_HEADER:
		return &h->action;
	case WS_TO_HEADER:
		return &h->to;
	case WS_MESSAGE_ID_HEADER:
		return &h->message_id;
	case WS_RELATES_TO_HEADER:
		return &h->relates_to;
	case WS_REPLY_TO_HEADER:
		return &h->reply_to;
	case WS_FAULT_TO_HEADER:
		return &h->fault_to;
	default:
		return NULL;
	}
}

static bool
ws_header_valid(WS_HEADER_TYPE type)
{
	return type >= WS_ACTION_HEADER && type <= WS_FAULT_TO_HEADER;
}

/* The value types the Windows documentation lists for each header. */
static bool
ws_header_type_ok(WS_HEADER_TYPE header, WS_TYPE type)
{
	switch (header) {
	case WS_MESSAGE_ID_HEADER:
	case WS_RELATES_TO_HEADER:
		if (type == WS_UNIQUE_ID_TYPE)
			return true;
		/* FALLTHROUGH */
	case WS_ACTION_HEADER:
	case WS_TO_HEADER:
		return type == WS_STRING_TYPE || type == WS_XML_STRING_TYPE ||
		    type == WS_WSZ_TYPE;
	case WS_FROM_HEADER:
	case WS_REPLY_TO_HEADER:
	case WS_FAULT_TO_HEADER:
		return type == WS_ENDPOINT_ADDRESS_TYPE;
	default:
		return false;
	}
}

/* Action and To are the only headers without WS-Addressing. */
static bool
ws_header_transport_ok(WS_HEADER_TYPE header)
{
	return header == WS_ACTION_HEADER || header == WS_TO_HEADER;
}

WS_EXPORT HRESULT WINAPI
WsSetHeader(WS_MESSAGE *message, WS_HEADER_TYPE headerType, WS_TYPE valueType,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    WS_ERROR *error)
{
	static const char api[] = "WsSetHeader";
	char *text, **slot;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message) || !ws_header_valid(headerType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or header type", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (message->addressing_version ==
	    WS_ADDRESSING_VERSION_TRANSPORT &&
	    !ws_header_transport_ok(headerType))
		hr = ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: header %d needs WS-Addressing (the message uses "
		    "addressing TRANSPORT)", api, (int)headerType);
	pthread_mutex_unlock(&message->lock);
	if (hr != S_OK)
		return hr;
	if (!ws_header_type_ok(headerType, valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: header %d does not take value type %d", api,
		    (int)headerType, (int)valueType);
	if (headerType == WS_FROM_HEADER)
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: the From header is not supported by wschannel", api);
	if ((hr = ws_value_encode(valueType, writeOption, value,
	    valueSize, &text, error, api)) != S_OK)
		return hr;
	pthread_mutex_lock(&message->lock);
	/* Checked again: another thread may have started using it. */
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy) {
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	} else {
		slot = ws_header_slot(&message->h, headerType);
		free(*slot);
		*slot = text;
		text = NULL;
		if (headerType == WS_TO_HEADER)
			message->addressed = true;
	}
	pthread_mutex_unlock(&message->lock);
	free(text);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsGetHeader(WS_MESSAGE *message, WS_HEADER_TYPE headerType, WS_TYPE valueType,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    WS_ERROR *error)
{
	static const char api[] = "WsGetHeader";
	char *text = NULL, **slot;
	void *null = NULL;
	HRESULT hr;

	if (!ws_message_valid(message) || !ws_header_valid(headerType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message or header type", api);
	if (!ws_header_type_ok(headerType, valueType))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: header %d does not take value type %d", api,
		    (int)headerType, (int)valueType);
	if ((hr = ws_value_check_read(valueType, readOption, error,
	    api)) != S_OK)
		return hr;
	if (heap != NULL && !ws_heap_valid(heap))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid heap handle", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY) {
		pthread_mutex_unlock(&message->lock);
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY", api);
	}
	slot = ws_header_slot(&message->h, headerType);
	if (slot != NULL && *slot != NULL && (text = strdup(*slot)) == NULL) {
		pthread_mutex_unlock(&message->lock);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	if (heap == NULL && (heap = ws_message_heap_locked(message)) == NULL) {
		pthread_mutex_unlock(&message->lock);
		free(text);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	pthread_mutex_unlock(&message->lock);

	/* Absence is told before the value is looked at, as on Windows. */
	if (text == NULL) {
		if (readOption != WS_READ_OPTIONAL_POINTER)
			return ws_error_fail(error, WS_E_INVALID_FORMAT,
			    "%s: the message has no header %d", api,
			    (int)headerType);
		if (value == NULL || valueSize != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a pointer value is %zu bytes", api,
			    sizeof(void *));
		memcpy(value, &null, sizeof(null));
		return S_OK;
	}
	hr = ws_value_decode(text, valueType, readOption, heap, value,
	    valueSize, error, api);
	free(text);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsRemoveHeader(WS_MESSAGE *message, WS_HEADER_TYPE headerType,
    WS_ERROR *error)
{
	static const char api[] = "WsRemoveHeader";
	char **slot;
	HRESULT hr = S_OK;

	if (!ws_message_valid(message))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid message handle", api);
	pthread_mutex_lock(&message->lock);
	if (message->state == WS_MESSAGE_STATE_EMPTY || message->busy)
		hr = ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the message is EMPTY or in use", api);
	else if (!ws_header_valid(headerType))
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: invalid header type %d", api, (int)headerType);
	else if ((slot = ws_header_slot(&message->h,
	    headerType)) != NULL) {
		/* Removing a header that is not there is fine. */
		free(*slot);
		*slot = NULL;
	}
	pthread_mutex_unlock(&message->lock);
	return hr;
}
