/*
 * The purchase-order contract's tables (see PurchaseOrder.h), as wsutil
 * would write them into the .c file beside its header.
 */
#include <windows.h>
#include <WebServices.h>

#include "PurchaseOrder.h"

static WS_XML_STRING poNamespace =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder");
static WS_XML_STRING poQuantity = WS_XML_STRING_VALUE("Quantity");
static WS_XML_STRING poProductName = WS_XML_STRING_VALUE("ProductName");
static WS_XML_STRING poOrderID = WS_XML_STRING_VALUE("OrderID");
static WS_XML_STRING poShipDate = WS_XML_STRING_VALUE("ExpectedShipDate");
static WS_XML_STRING poReason = WS_XML_STRING_VALUE("Reason");
static WS_XML_STRING poPurchaseOrder = WS_XML_STRING_VALUE("PurchaseOrder");
static WS_XML_STRING poPurchaseOrderType =
    WS_XML_STRING_VALUE("PurchaseOrderType");
static WS_XML_STRING poConfirmation =
    WS_XML_STRING_VALUE("OrderConfirmation");
static WS_XML_STRING poConfirmationType =
    WS_XML_STRING_VALUE("OrderConfirmationType");
static WS_XML_STRING poFault = WS_XML_STRING_VALUE("OrderFault");
static WS_XML_STRING poFaultType = WS_XML_STRING_VALUE("OrderFaultType");

static WS_XML_STRING poSubmitAction =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder/Submit");
static WS_XML_STRING poOrderAction =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder/Order");
static WS_XML_STRING poOrderReplyAction =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder/OrderReply");
static WS_XML_STRING poFaultAction =
    WS_XML_STRING_VALUE("http://example.org/purchaseorder/OrderFault");

/* PurchaseOrderType: <Quantity>, then <ProductName>. */
static WS_FIELD_DESCRIPTION poQuantityField = {
	WS_ELEMENT_FIELD_MAPPING, &poQuantity, &poNamespace, WS_UINT32_TYPE,
	NULL, WsOffsetOf(PurchaseOrderType, quantity), 0, NULL, 0, NULL, NULL,
	NULL };
static WS_FIELD_DESCRIPTION poProductNameField = {
	WS_ELEMENT_FIELD_MAPPING, &poProductName, &poNamespace, WS_WSZ_TYPE,
	NULL, WsOffsetOf(PurchaseOrderType, productName), 0, NULL, 0, NULL,
	NULL, NULL };
static WS_FIELD_DESCRIPTION *poFields[] = {
	&poQuantityField, &poProductNameField };
static WS_STRUCT_DESCRIPTION poTypeDescription = {
	sizeof(PurchaseOrderType), __alignof(PurchaseOrderType), poFields,
	WsCountOf(poFields), &poPurchaseOrderType, &poNamespace, NULL, NULL,
	0, 0 };

/* OrderConfirmationType: <OrderID>, then <ExpectedShipDate>. */
static WS_FIELD_DESCRIPTION poOrderIDField = {
	WS_ELEMENT_FIELD_MAPPING, &poOrderID, &poNamespace, WS_UINT32_TYPE,
	NULL, WsOffsetOf(OrderConfirmationType, orderID), 0, NULL, 0, NULL,
	NULL, NULL };
static WS_FIELD_DESCRIPTION poShipDateField = {
	WS_ELEMENT_FIELD_MAPPING, &poShipDate, &poNamespace, WS_WSZ_TYPE, NULL,
	WsOffsetOf(OrderConfirmationType, expectedShipDate), 0, NULL, 0, NULL,
	NULL, NULL };
static WS_FIELD_DESCRIPTION *poConfirmationFields[] = {
	&poOrderIDField, &poShipDateField };
static WS_STRUCT_DESCRIPTION poConfirmationTypeDescription = {
	sizeof(OrderConfirmationType), __alignof(OrderConfirmationType),
	poConfirmationFields, WsCountOf(poConfirmationFields),
	&poConfirmationType, &poNamespace, NULL, NULL, 0, 0 };

/* OrderFaultType: <Quantity>, then <Reason>. */
static WS_FIELD_DESCRIPTION poFaultQuantityField = {
	WS_ELEMENT_FIELD_MAPPING, &poQuantity, &poNamespace, WS_UINT32_TYPE,
	NULL, WsOffsetOf(OrderFaultType, quantity), 0, NULL, 0, NULL, NULL,
	NULL };
static WS_FIELD_DESCRIPTION poFaultReasonField = {
	WS_ELEMENT_FIELD_MAPPING, &poReason, &poNamespace, WS_WSZ_TYPE, NULL,
	WsOffsetOf(OrderFaultType, reason), 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *poFaultFields[] = {
	&poFaultQuantityField, &poFaultReasonField };
static WS_STRUCT_DESCRIPTION poFaultTypeDescription = {
	sizeof(OrderFaultType), __alignof(OrderFaultType), poFaultFields,
	WsCountOf(poFaultFields), &poFaultType, &poNamespace, NULL, NULL, 0,
	0 };

WS_ELEMENT_DESCRIPTION poPurchaseOrderElement = {
	&poPurchaseOrder, &poNamespace, WS_STRUCT_TYPE, &poTypeDescription };
WS_ELEMENT_DESCRIPTION poConfirmationElement = {
	&poConfirmation, &poNamespace, WS_STRUCT_TYPE,
	&poConfirmationTypeDescription };
WS_ELEMENT_DESCRIPTION poFaultElement = {
	&poFault, &poNamespace, WS_STRUCT_TYPE, &poFaultTypeDescription };

WS_MESSAGE_DESCRIPTION poSubmitMessage = {
	&poSubmitAction, &poPurchaseOrderElement };
WS_MESSAGE_DESCRIPTION poOrderMessage = {
	&poOrderAction, &poPurchaseOrderElement };
WS_MESSAGE_DESCRIPTION poOrderReplyMessage = {
	&poOrderReplyAction, &poConfirmationElement };
WS_FAULT_DETAIL_DESCRIPTION poFaultDetail = {
	&poFaultAction, &poFaultElement };
