/*
 * po-stream: a catalog of purchase orders sent as one streamed message,
 * written as the Windows SDK samples are written.  The sender writes the
 * body order by order and pushes it out with WsFlushBody; the receiver
 * reads it order by order, asking WsFillBody for more before each.
 *
 *	po-stream --serve net.tcp://HOST:PORT/PATH
 *	po-stream net.tcp://HOST:PORT/PATH COUNT
 *
 * The channels ask for WS_STREAMED_TRANSFER_MODE.  The server takes one
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

static HRESULT
Send(const WS_STRING *url, ULONG count, WS_ERROR *error)
{
	static WCHAR eraser[] = L"Eraser";
	PurchaseOrderType order = { 0, eraser };
	WS_ENDPOINT_ADDRESS address;
	WS_CHANNEL *channel = NULL;
	WS_MESSAGE *message = NULL;
	HRESULT hr;
	ULONG i;

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
		hr = WsSetHeader(message, WS_ACTION_HEADER, WS_XML_STRING_TYPE,
		    WS_WRITE_REQUIRED_VALUE, &catalogAction,
		    sizeof(catalogAction), error);
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

int
main(int argc, char **argv)
{
	BOOL serve = argc == 3 && strcmp(argv[1], "--serve") == 0;
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
	if (!UrlToString(argv[serve ? 2 : 1], &url))
		return 1;
	hr = WsCreateError(NULL, 0, &error);
	if (SUCCEEDED(hr))
		hr = WsCreateHeap(1 << 20, 0, NULL, 0, &heap, error);
	if (SUCCEEDED(hr))
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
