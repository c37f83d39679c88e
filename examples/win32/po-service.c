/*
 * po-service: the purchase-order service, written as the Windows SDK
 * samples are written.  It listens on URL and accepts channels one after
 * the other: a Submit message is printed; an Order is answered with an
 * OrderConfirmation, or, for a quantity of 0, with a fault whose detail
 * is an OrderFault.
 *
 *	po-service URL [COUNT]
 *
 * URL: net.tcp://127.0.0.1:PORT/po (a session per client),
 * soap.udp://127.0.0.1:PORT/po or http://127.0.0.1:PORT/po (a channel per
 * message).  After COUNT channels (0, the default: never) it exits.
 */
#include <stdio.h>
#include <stdlib.h>

#include <windows.h>
#include <WebServices.h>

#include "PurchaseOrder.h"
#include "SampleUtil.h"

static unsigned int orderCount;

/* Answers an Order: a confirmation, or a fault with its detail. */
static HRESULT
AnswerOrder(WS_CHANNEL *channel, WS_MESSAGE *requestMessage,
    WS_MESSAGE *replyMessage, const PurchaseOrderType *order,
    WS_ERROR *error)
{
	static WCHAR shipDate[] = L"2026-12-11";
	static WCHAR noQuantity[] = L"an order needs a quantity of at least 1";
	static WCHAR faultText[] = L"the order was refused";
	OrderConfirmationType confirmation;
	OrderFaultType detail;
	WS_ERROR *faultError = NULL;
	WS_STRING reason;
	HRESULT hr;

	if (order->quantity != 0) {
		confirmation.orderID = ++orderCount;
		confirmation.expectedShipDate = shipDate;
		return WsSendReplyMessage(channel, replyMessage,
		    &poOrderReplyMessage, WS_WRITE_REQUIRED_VALUE,
		    &confirmation, sizeof(confirmation), requestMessage, NULL,
		    error);
	}
	hr = WsCreateError(NULL, 0, &faultError);
	if (FAILED(hr))
		return hr;
	reason.chars = faultText;
	reason.length = (ULONG)(WsCountOf(faultText) - 1);
	detail.quantity = order->quantity;
	detail.reason = noQuantity;
	hr = WsAddErrorString(faultError, &reason);
	if (SUCCEEDED(hr))
		hr = WsSetFaultErrorDetail(faultError, &poFaultDetail,
		    WS_WRITE_REQUIRED_VALUE, &detail, sizeof(detail));
	if (SUCCEEDED(hr))
		hr = WsSendFaultMessageForError(channel, replyMessage,
		    faultError, E_INVALIDARG, WS_FULL_FAULT_DISCLOSURE,
		    requestMessage, NULL, error);
	WsFreeError(faultError);
	return hr;
}

/*
 * Serves one accepted channel: every message of a session, or the one
 * message of a datagram or HTTP channel.
 */
static HRESULT
ServeChannel(WS_CHANNEL *channel, WS_CHANNEL_TYPE channelType,
    WS_HEAP *heap, WS_ERROR *error)
{
	const WS_MESSAGE_DESCRIPTION *descriptions[] = {
		&poSubmitMessage, &poOrderMessage };
	WS_MESSAGE *requestMessage = NULL, *replyMessage = NULL;
	PurchaseOrderType order;
	ULONG index = 0;
	HRESULT hr;

	hr = WsCreateMessageForChannel(channel, NULL, 0, &requestMessage,
	    error);
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0, &replyMessage,
		    error);
	while (SUCCEEDED(hr)) {
		hr = WsReceiveMessage(channel, requestMessage, descriptions,
		    WsCountOf(descriptions),
		    channelType == WS_CHANNEL_TYPE_DUPLEX_SESSION ?
		    WS_RECEIVE_OPTIONAL_MESSAGE : WS_RECEIVE_REQUIRED_MESSAGE,
		    WS_READ_REQUIRED_VALUE, heap, &order, sizeof(order), &index,
		    NULL, error);
		if (FAILED(hr) || hr == WS_S_END)
			break;
		printf("%s: %u ", index == 0 ? "submitted" : "ordered",
		    order.quantity);
		PrintWsz(order.productName);
		printf("\n");
		fflush(stdout);
		if (index == 1)
			hr = AnswerOrder(channel, requestMessage, replyMessage,
			    &order, error);
		WsResetMessage(requestMessage, NULL);
		WsResetMessage(replyMessage, NULL);
		WsResetHeap(heap, NULL);
		if (channelType != WS_CHANNEL_TYPE_DUPLEX_SESSION)
			break;
	}
	if (SUCCEEDED(hr))
		hr = WsCloseChannel(channel, NULL, error);
	if (requestMessage != NULL)
		WsFreeMessage(requestMessage);
	if (replyMessage != NULL)
		WsFreeMessage(replyMessage);
	return hr == WS_S_END ? S_OK : hr;
}

int
main(int argc, char **argv)
{
	WS_CHANNEL_BINDING binding;
	WS_CHANNEL_TYPE channelType;
	WS_LISTENER *listener = NULL;
	WS_CHANNEL *channel = NULL;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	WS_STRING url = { 0, NULL };
	long count, done;
	HRESULT hr = S_OK;

	if (argc < 2 || argc > 3 || !ChannelForUrl(argv[1], &binding,
	    &channelType, TRUE)) {
		fprintf(stderr, "usage: po-service net.tcp://|soap.udp://|"
		    "http://HOST:PORT/PATH [COUNT]\n");
		return 2;
	}
	count = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	if (!UrlToString(argv[1], &url))
		return 1;
	hr = WsCreateError(NULL, 0, &error);
	if (SUCCEEDED(hr))
		hr = WsCreateHeap(65536, 0, NULL, 0, &heap, error);
	if (SUCCEEDED(hr))
		hr = WsCreateListener(channelType, binding, NULL, 0, NULL,
		    &listener, error);
	if (SUCCEEDED(hr))
		hr = WsOpenListener(listener, &url, NULL, error);
	if (SUCCEEDED(hr)) {
		printf("listening on %s\n", argv[1]);
		fflush(stdout);
	}
	for (done = 0; SUCCEEDED(hr) && (count == 0 || done < count); done++) {
		hr = WsCreateChannelForListener(listener, NULL, 0, &channel,
		    error);
		if (SUCCEEDED(hr))
			hr = WsAcceptChannel(listener, channel, NULL, error);
		if (SUCCEEDED(hr))
			hr = ServeChannel(channel, channelType, heap, error);
		if (channel != NULL)
			WsFreeChannel(channel);
		channel = NULL;
	}
	if (FAILED(hr))
		PrintError(hr, error);
	if (listener != NULL) {
		WsCloseListener(listener, NULL, NULL);
		WsFreeListener(listener);
	}
	if (heap != NULL)
		WsFreeHeap(heap);
	if (error != NULL)
		WsFreeError(error);
	free(url.chars);
	return FAILED(hr) ? 1 : 0;
}
