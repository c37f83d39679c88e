/*
 * po-client: the purchase-order client, written as the Windows SDK
 * samples are written.  It submits one order one way, places one order
 * by request and reply and prints the confirmation, then places an order
 * the service refuses and prints the fault's reason and its detail.
 *
 *	po-client URL
 *
 * URL as for po-service: net.tcp://, soap.udp:// or http://.
 */
#include <stdio.h>
#include <stdlib.h>

#include <windows.h>
#include <WebServices.h>

#include "PurchaseOrder.h"
#include "SampleUtil.h"

/* An order the service refuses: the fault, its reason, its detail. */
static HRESULT
PrintFault(WS_ERROR *error, WS_HEAP *heap)
{
	OrderFaultType *detail = NULL;
	WS_FAULT *fault = NULL;
	HRESULT hr;
	ULONG i;

	hr = WsGetFaultErrorProperty(error, WS_FAULT_ERROR_PROPERTY_FAULT,
	    &fault, sizeof(fault));
	if (FAILED(hr))
		return hr;
	for (i = 0; fault != NULL && i < fault->reasonCount; i++) {
		printf("fault reason: ");
		PrintChars(fault->reasons[i].text.chars,
		    fault->reasons[i].text.length);
		printf("\n");
	}
	hr = WsGetFaultErrorDetail(error, &poFaultDetail,
	    WS_READ_OPTIONAL_POINTER, heap, &detail, sizeof(detail));
	if (FAILED(hr))
		return hr;
	if (detail == NULL) {
		printf("fault detail: none\n");
		return S_OK;
	}
	printf("fault detail: quantity %u: ", detail->quantity);
	PrintWsz(detail->reason);
	printf("\n");
	return S_OK;
}

int
main(int argc, char **argv)
{
	static WCHAR pencil[] = L"Pencil";
	static WCHAR notebook[] = L"Notebook";
	PurchaseOrderType submission = { 100, pencil };
	PurchaseOrderType order = { 5, notebook };
	PurchaseOrderType empty = { 0, notebook };
	OrderConfirmationType confirmation;
	WS_CHANNEL_BINDING binding;
	WS_CHANNEL_TYPE channelType;
	WS_ENDPOINT_ADDRESS address;
	WS_CHANNEL *channel = NULL;
	WS_MESSAGE *requestMessage = NULL, *replyMessage = NULL;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	HRESULT hr;

	if (argc != 2 || !ChannelForUrl(argv[1], &binding, &channelType,
	    FALSE)) {
		fprintf(stderr, "usage: po-client net.tcp://|soap.udp://|"
		    "http://HOST:PORT/PATH\n");
		return 2;
	}
	memset(&address, 0, sizeof(address));
	if (!UrlToString(argv[1], &address.url))
		return 1;
	hr = WsCreateError(NULL, 0, &error);
	if (SUCCEEDED(hr))
		hr = WsCreateHeap(65536, 0, NULL, 0, &heap, error);
	if (SUCCEEDED(hr))
		hr = WsCreateChannel(channelType, binding, NULL, 0, NULL,
		    &channel, error);
	if (SUCCEEDED(hr))
		hr = WsOpenChannel(channel, &address, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0,
		    &requestMessage, error);
	if (SUCCEEDED(hr))
		hr = WsCreateMessageForChannel(channel, NULL, 0, &replyMessage,
		    error);

	/* One way: nothing comes back. */
	if (SUCCEEDED(hr))
		hr = WsSendMessage(channel, requestMessage, &poSubmitMessage,
		    WS_WRITE_REQUIRED_VALUE, &submission, sizeof(submission),
		    NULL, error);
	if (SUCCEEDED(hr)) {
		printf("submitted %u ", submission.quantity);
		PrintWsz(submission.productName);
		printf("\n");
		WsResetMessage(requestMessage, NULL);
	}

	/* Request and reply: the confirmation is read onto the heap. */
	if (SUCCEEDED(hr))
		hr = WsRequestReply(channel, requestMessage, &poOrderMessage,
		    WS_WRITE_REQUIRED_VALUE, &order, sizeof(order), replyMessage,
		    &poOrderReplyMessage, WS_READ_REQUIRED_VALUE, heap,
		    &confirmation, sizeof(confirmation), NULL, error);
	if (SUCCEEDED(hr)) {
		printf("order %u ships ", confirmation.orderID);
		PrintWsz(confirmation.expectedShipDate);
		printf("\n");
		WsResetMessage(requestMessage, NULL);
		WsResetMessage(replyMessage, NULL);
	}

	/* A refused order: the fault is the error of WsRequestReply. */
	if (SUCCEEDED(hr)) {
		hr = WsRequestReply(channel, requestMessage, &poOrderMessage,
		    WS_WRITE_REQUIRED_VALUE, &empty, sizeof(empty), replyMessage,
		    &poOrderReplyMessage, WS_READ_REQUIRED_VALUE, heap,
		    &confirmation, sizeof(confirmation), NULL, error);
		if (hr == WS_E_ENDPOINT_FAULT_RECEIVED) {
			printf("order refused: WS_E_ENDPOINT_FAULT_RECEIVED\n");
			hr = PrintFault(error, heap);
			WsResetError(error);
		} else if (SUCCEEDED(hr)) {
			printf("an empty order was confirmed\n");
			hr = E_FAIL;
		}
	}

	if (SUCCEEDED(hr) && channelType == WS_CHANNEL_TYPE_DUPLEX_SESSION)
		hr = WsShutdownSessionChannel(channel, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsCloseChannel(channel, NULL, error);
	if (FAILED(hr))
		PrintError(hr, error);
	if (requestMessage != NULL)
		WsFreeMessage(requestMessage);
	if (replyMessage != NULL)
		WsFreeMessage(replyMessage);
	if (channel != NULL)
		WsFreeChannel(channel);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (error != NULL)
		WsFreeError(error);
	free(address.url.chars);
	return FAILED(hr) ? 1 : 0;
}
