/*
 * The purchase-order contract shared by po-service, po-client and
 * po-stream, written by hand the way wsutil writes a contract from a WSDL:
 * C structs here, and in PurchaseOrder.c the WS_XML_STRINGs of their names
 * and the WS_STRUCT_DESCRIPTION and WS_ELEMENT_DESCRIPTION tables that
 * WsSendMessage, WsReceiveMessage, WsRequestReply and the fault calls
 * serialize through.
 *
 * Windows source: it builds unchanged with the Windows SDK and here with
 * `pkg-config --cflags --libs libwschannel-win32`.
 */
#ifndef PURCHASE_ORDER_H
#define PURCHASE_ORDER_H

#include <windows.h>
#include <WebServices.h>

typedef struct _PurchaseOrderType {
	unsigned int quantity;
	WCHAR *productName;
} PurchaseOrderType;

typedef struct _OrderConfirmationType {
	unsigned int orderID;
	WCHAR *expectedShipDate;
} OrderConfirmationType;

/* The detail of the fault sent for an order the service refuses. */
typedef struct _OrderFaultType {
	unsigned int quantity;
	WCHAR *reason;
} OrderFaultType;

extern WS_ELEMENT_DESCRIPTION poPurchaseOrderElement;
extern WS_ELEMENT_DESCRIPTION poConfirmationElement;
extern WS_ELEMENT_DESCRIPTION poFaultElement;

/* A one-way submission; an order answered by a confirmation or a fault. */
extern WS_MESSAGE_DESCRIPTION poSubmitMessage;
extern WS_MESSAGE_DESCRIPTION poOrderMessage;
extern WS_MESSAGE_DESCRIPTION poOrderReplyMessage;
extern WS_FAULT_DETAIL_DESCRIPTION poFaultDetail;

#endif
