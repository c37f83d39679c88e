/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * Faults: WS_FAULT, its parts, fault detail descriptions and the fault calls, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_FAULT_H
#define WSCHANNEL_WS_FAULT_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

/* A fault code and its more specific subcodes, most generic first. */
typedef struct _WS_FAULT_CODE {
	WS_XML_QNAME value;
	struct _WS_FAULT_CODE *subCode;
} WS_FAULT_CODE;

/* The text of a fault in one language (xml:lang, e.g. "en-US"). */
typedef struct _WS_FAULT_REASON {
	WS_STRING text;
	WS_STRING lang;
} WS_FAULT_REASON;

typedef struct _WS_FAULT {
	WS_FAULT_CODE *code;
	WS_FAULT_REASON *reasons;
	ULONG reasonCount;
	WS_STRING actor;
	WS_STRING node;
	WS_XML_BUFFER *detail;
} WS_FAULT;

/* The typeDescription of WS_FAULT_TYPE: which SOAP's Fault it is. */
typedef struct _WS_FAULT_DESCRIPTION {
	WS_ENVELOPE_VERSION envelopeVersion;
} WS_FAULT_DESCRIPTION;

typedef struct _WS_FAULT_DETAIL_DESCRIPTION {
	WS_XML_STRING *action;
	WS_ELEMENT_DESCRIPTION *detailElementDescription;
} WS_FAULT_DETAIL_DESCRIPTION;

typedef enum {
	WS_FAULT_ERROR_PROPERTY_FAULT = 0,
	WS_FAULT_ERROR_PROPERTY_ACTION = 1,
	WS_FAULT_ERROR_PROPERTY_HEADER = 2
} WS_FAULT_ERROR_PROPERTY_ID;

HRESULT WINAPI WsCreateFaultFromError(WS_ERROR *error,
    HRESULT faultErrorCode, WS_FAULT_DISCLOSURE faultDisclosure,
    WS_HEAP *heap, WS_FAULT *fault);
HRESULT WINAPI WsGetFaultErrorDetail(WS_ERROR *error,
    const WS_FAULT_DETAIL_DESCRIPTION *faultDetailDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize);
HRESULT WINAPI WsSetFaultErrorDetail(WS_ERROR *error,
    const WS_FAULT_DETAIL_DESCRIPTION *faultDetailDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize);
HRESULT WINAPI WsGetFaultErrorProperty(WS_ERROR *error,
    WS_FAULT_ERROR_PROPERTY_ID id, void *buffer, ULONG bufferSize);
HRESULT WINAPI WsSetFaultErrorProperty(WS_ERROR *error,
    WS_FAULT_ERROR_PROPERTY_ID id, const void *value, ULONG valueSize);

#endif /* WSCHANNEL_WS_FAULT_H */
