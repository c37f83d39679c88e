/*
 * po-stream: a catalog of purchase orders sent as one streamed message,
 * written as the Windows SDK samples are written.  The sender writes the
 * body order by order and pushes it out with WsFlushBody; the receiver
 * reads it order by order, asking WsFillBody for more before each.
 *
 *	po-stream --serve http://HOST:PORT/PATH
 *	po-stream http://HOST:PORT/PATH COUNT
 *
 * Over HTTP, as on Windows (where only HTTP channels stream): the client
 * asks for COUNT orders and reads the reply as it comes, in
 * WS_STREAMED_INPUT_TRANSFER_MODE; the service answers one request in
 * WS_STREAMED_OUTPUT_TRANSFER_MODE, each flush leaving as an HTTP chunk,
 * and exits.
 *
 *	po-stream --serve net.tcp://HOST:PORT/PATH
 *	po-stream net.tcp://HOST:PORT/PATH COUNT
 *
 * Over net.tcp (ours: Windows keeps TCP channels buffered) the client
 * sends the catalog in WS_STREAMED_TRANSFER_MODE; the server takes one
 * session, prints how many orders and units the catalog held, and exits.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <windows.h>
#include <WebServices.h>

#include "PurchaseOrder.h"
#include "SampleUtil.h"

#define FLUSH_SIZE	4096

static WS_XML_STRING catalogAction =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder/Catalog");
static WS_TRANSFER_MODE transferMode = WS_STREAMED_TRANSFER_MODE;
static WS_CHANNEL_PROPERTY channelProperties[] = {
	{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &transferMode,
	    sizeof(transferMode) } };

/* HTTP: the request names how many orders the catalog should hold. */
static WS_XML_STRING getCatalogAction =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder/GetCatalog");
static WS_XML_STRING countLocalName = WS_XML_STRING_VALUE("OrderCount");
static WS_XML_STRING countNamespace =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder");
static WS_ELEMENT_DESCRIPTION countElement = {
	&countLocalName, &countNamespace, WS_UINT32_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION getCatalogMessage = {
	&getCatalogAction, &countElement };
static WS_TRANSFER_MODE inputMode = WS_STREAMED_INPUT_TRANSFER_MODE;
static WS_CHANNEL_PROPERTY requestProperties[] = {
	{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &inputMode, sizeof(inputMode) } };
static WS_TRANSFER_MODE outputMode = WS_STREAMED_OUTPUT_TRANSFER_MODE;
static WS_CHANNEL_PROPERTY replyProperties[] = {
	{ WS_CHANNEL_PROPERTY_TRANSFER_MODE, &outputMode, sizeof(outputMode) } };

static HRESULT
ReceiveCatalog(WS_CHANNEL *channel, WS_HEAP *heap, WS_ERROR *error)
{
	WS_MESSAGE *message = NULL;
	PurchaseOrderType *order;
	ULONG orders = 0, units = 0;
	HRESULT hr;

	hr = WsCreateMessageForChannel(channel, NULL, 0, &message, error);
	if (SUCCEEDED(hr))
		hr = WsReadMessageStart(channel, message, NULL, error);
	while (SUCCEEDED(hr)) {
		hr = WsFillBody(message, FLUSH_SIZE, NULL, error);
		if (SUCCEEDED(hr))
			hr = WsReadBody(message, &poPurchaseOrderElement,
			    WS_READ_OPTIONAL_POINTER, heap, &order,
			    sizeof(order), error);
		if (FAILED(hr) || order == NULL)
			break;
		orders++;
		units += order->quantity;
		if (orders % 256 == 0)
			WsResetHeap(heap, NULL);
	}
	if (SUCCEEDED(hr))
		hr = WsReadMessageEnd(channel, message, NULL, error);
	if (SUCCEEDED(hr))
		printf("catalog: %u orders, %u units\n", (unsigned)orders,
		    (unsigned)units);
	if (message != NULL)
		WsFreeMessage(message);
	return hr;
}

static HRESULT
Serve(const WS_STRING *url, WS_HEAP *heap, WS_ERROR *error)
{
	WS_LISTENER *listener = NULL;
	WS_CHANNEL *channel = NULL;
	HRESULT hr;

	hr = WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &listener, error);
	if (SUCCEEDED(hr))
		hr = WsOpenListener(listener, url, NULL, error);
	if (SUCCEEDED(hr)) {
		printf("listening\n");
		fflush(stdout);
		hr = WsCreateChannelForListener(listener, channelProperties,
		    WsCountOf(channelProperties), &channel, error);
	}
	if (SUCCEEDED(hr))
		hr = WsAcceptChannel(listener, channel, NULL, error);
	if (SUCCEEDED(hr))
		hr = ReceiveCatalog(channel, heap, error);
	if (SUCCEEDED(hr))
		hr = WsCloseChannel(channel, NULL, error);
	if (channel != NULL)
		WsFreeChannel(channel);
	if (listener != NULL) {
		WsCloseListener(listener, NULL, NULL);
		WsFreeListener(listener);
	}
	return hr;
}

/* The catalog as one streamed message: its action, then COUNT orders,
 * each flushed as it is written, then the end. */
static HRESULT
SendCatalog(WS_CHANNEL *channel, WS_MESSAGE *message, ULONG count,
    WS_ERROR *error)
{
	static WCHAR eraser[] = L"Eraser";
	PurchaseOrderType order = { 0, eraser };
	HRESULT hr;
	ULONG i;

	hr = WsSetHeader(message, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
	    WS_WRITE_REQUIRED_VALUE, &catalogAction, sizeof(catalogAction),
	    error);
	if (SUCCEEDED(hr))
		hr = WsWriteMessageStart(channel, message, NULL, error);
	for (i = 0; SUCCEEDED(hr) && i < count; i++) {
		order.quantity = i % 10 + 1;
		hr = WsWriteBody(message, &poPurchaseOrderElement,
		    WS_WRITE_REQUIRED_VALUE, &order, sizeof(order), error);
		if (SUCCEEDED(hr))
			hr = WsFlushBody(message, FLUSH_SIZE, NULL, error);
	}
	if (SUCCEEDED(hr))
		hr = WsWriteMessageEnd(channel, message, NULL, error);
	if (SUCCEEDED(hr))
		printf("sent %u orders\n", (unsigned)count);
	return hr;
}

static HRESULT
Send(const WS_STRING *url, ULONG count, WS_ERROR *error)
{
	WS_ENDPOINT_ADDRESS address;
	WS_CHANNEL *channel = NULL;
	WS_MESSAGE *message = NULL;
	HRESULT hr;

	memset(&address, 0, sizeof(address));
	address.url = *url;
	hr = WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, channelProperties,
	    WsCountOf(channelProperties), NULL, &channel, error);
	if (SUCCEEDED(hr))
		hr = WsOpenChannel(channel, &address, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0, &message,
		    error);
	if (SUCCEEDED(hr))
		hr = WsInitializeMessage(message, WS_BLANK_MESSAGE, NULL,
		    error);
	if (SUCCEEDED(hr))
		hr = SendCatalog(channel, message, count, error);
	if (SUCCEEDED(hr))
		hr = WsShutdownSessionChannel(channel, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsCloseChannel(channel, NULL, error);
	if (message != NULL)
		WsFreeMessage(message);
	if (channel != NULL)
		WsFreeChannel(channel);
	return hr;
}

/* HTTP service: one request for a catalog, answered as a stream. */
static HRESULT
ServeHttp(const WS_STRING *url, WS_HEAP *heap, WS_ERROR *error)
{
	WS_LISTENER *listener = NULL;
	WS_CHANNEL *channel = NULL;
	WS_MESSAGE *request = NULL, *reply = NULL;
	ULONG count = 0;
	HRESULT hr;

	hr = WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &listener, error);
	if (SUCCEEDED(hr))
		hr = WsOpenListener(listener, url, NULL, error);
	if (SUCCEEDED(hr)) {
		printf("listening\n");
		fflush(stdout);
		hr = WsCreateChannelForListener(listener, replyProperties,
		    WsCountOf(replyProperties), &channel, error);
	}
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0, &request,
		    error);
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0, &reply,
		    error);
	if (SUCCEEDED(hr))
		hr = WsAcceptChannel(listener, channel, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsReceiveMessage(channel, request,
		    (const WS_MESSAGE_DESCRIPTION *[]){ &getCatalogMessage },
		    1, WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE,
		    heap, &count, sizeof(count), NULL, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsInitializeMessage(reply, WS_REPLY_MESSAGE, request,
		    error);
	if (SUCCEEDED(hr))
		hr = SendCatalog(channel, reply, count, error);
	if (SUCCEEDED(hr))
		hr = WsCloseChannel(channel, NULL, error);
	if (request != NULL)
		WsFreeMessage(request);
	if (reply != NULL)
		WsFreeMessage(reply);
	if (channel != NULL)
		WsFreeChannel(channel);
	if (listener != NULL) {
		WsCloseListener(listener, NULL, NULL);
		WsFreeListener(listener);
	}
	return hr;
}

/* HTTP client: asks for COUNT orders and reads the catalog as it comes. */
static HRESULT
RequestHttp(const WS_STRING *url, ULONG count, WS_HEAP *heap,
    WS_ERROR *error)
{
	WS_ENDPOINT_ADDRESS address;
	WS_CHANNEL *channel = NULL;
	WS_MESSAGE *request = NULL;
	HRESULT hr;

	memset(&address, 0, sizeof(address));
	address.url = *url;
	hr = WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    requestProperties, WsCountOf(requestProperties), NULL, &channel,
	    error);
	if (SUCCEEDED(hr))
		hr = WsOpenChannel(channel, &address, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0, &request,
		    error);
	if (SUCCEEDED(hr))
		hr = WsSendMessage(channel, request, &getCatalogMessage,
		    WS_WRITE_REQUIRED_VALUE, &count, sizeof(count), NULL,
		    error);
	if (SUCCEEDED(hr))
		hr = ReceiveCatalog(channel, heap, error);
	if (SUCCEEDED(hr))
		hr = WsCloseChannel(channel, NULL, error);
	if (request != NULL)
		WsFreeMessage(request);
	if (channel != NULL)
		WsFreeChannel(channel);
	return hr;
}

int
main(int argc, char **argv)
{
	BOOL serve = argc == 3 && strcmp(argv[1], "--serve") == 0, http;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	WS_STRING url = { 0, NULL };
	long count = 0;
	HRESULT hr;

	if (!serve && (argc != 3 || (count = strtol(argv[2], NULL, 10)) <= 0)) {
		fprintf(stderr, "usage: po-stream --serve URL\n"
		    "       po-stream URL COUNT\n");
		return 2;
	}
	http = strncmp(argv[serve ? 2 : 1], "http:", 5) == 0;
	if (!UrlToString(argv[serve ? 2 : 1], &url))
		return 1;
	hr = WsCreateError(NULL, 0, &error);
	if (SUCCEEDED(hr))
		hr = WsCreateHeap(1 << 20, 0, NULL, 0, &heap, error);
	if (SUCCEEDED(hr) && http)
		hr = serve ? ServeHttp(&url, heap, error) :
		    RequestHttp(&url, (ULONG)count, heap, error);
	else if (SUCCEEDED(hr))
		hr = serve ? Serve(&url, heap, error) :
		    Send(&url, (ULONG)count, error);
	if (FAILED(hr))
		PrintError(hr, error);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (error != NULL)
		WsFreeError(error);
	free(url.chars);
	return FAILED(hr) ? 1 : 0;
}
