/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * Messages beyond the basics: envelopes, mapped and custom headers, streamed bodies, WsAsyncExecute, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_MSGEXT_H
#define WSCHANNEL_WS_MSGEXT_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

/* Header attributes (WsAddCustomHeader, WsGetHeaderAttributes). */
#define WS_MUST_UNDERSTAND_HEADER_ATTRIBUTE	0x1
#define WS_RELAY_HEADER_ATTRIBUTE		0x2

typedef ULONG WS_HEADER_ATTRIBUTES;

typedef enum {
	WS_REPEATING_HEADER = 1,
	WS_SINGLETON_HEADER = 2
} WS_REPEATING_HEADER_OPTION;

typedef void (CALLBACK *WS_MESSAGE_DONE_CALLBACK)(void *doneCallbackState);

/* WsAsyncExecute: a chain of functions, each naming the next. */
typedef struct _WS_ASYNC_OPERATION WS_ASYNC_OPERATION;

typedef HRESULT (CALLBACK *WS_ASYNC_FUNCTION)(HRESULT hr,
    WS_CALLBACK_MODEL callbackModel, void *callbackState,
    WS_ASYNC_OPERATION *next, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error);

struct _WS_ASYNC_OPERATION {
	WS_ASYNC_FUNCTION function;
};

/* Opaque to the caller, who only provides the storage. */
typedef struct _WS_ASYNC_STATE {
	void *internal0;
	void *internal1;
	void *internal2;
	void *internal3;
	void *internal4;
} WS_ASYNC_STATE;

HRESULT WINAPI WsWriteEnvelopeStart(WS_MESSAGE *message,
    WS_XML_WRITER *writer, WS_MESSAGE_DONE_CALLBACK doneCallback,
    void *doneCallbackState, WS_ERROR *error);
HRESULT WINAPI WsWriteEnvelopeEnd(WS_MESSAGE *message, WS_ERROR *error);
HRESULT WINAPI WsReadEnvelopeStart(WS_MESSAGE *message,
    WS_XML_READER *reader, WS_MESSAGE_DONE_CALLBACK doneCallback,
    void *doneCallbackState, WS_ERROR *error);
HRESULT WINAPI WsReadEnvelopeEnd(WS_MESSAGE *message, WS_ERROR *error);

HRESULT WINAPI WsAddMappedHeader(WS_MESSAGE *message,
    const WS_XML_STRING *headerName, WS_TYPE valueType,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    WS_ERROR *error);
HRESULT WINAPI WsGetMappedHeader(WS_MESSAGE *message,
    const WS_XML_STRING *headerName,
    WS_REPEATING_HEADER_OPTION repeatingOption, ULONG headerIndex,
    WS_TYPE valueType, WS_READ_OPTION readOption, WS_HEAP *heap, void *value,
    ULONG valueSize, WS_ERROR *error);
HRESULT WINAPI WsRemoveMappedHeader(WS_MESSAGE *message,
    const WS_XML_STRING *headerName, WS_ERROR *error);

HRESULT WINAPI WsAddCustomHeader(WS_MESSAGE *message,
    const WS_ELEMENT_DESCRIPTION *headerDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize,
    ULONG headerAttributes, WS_ERROR *error);
HRESULT WINAPI WsGetCustomHeader(WS_MESSAGE *message,
    const WS_ELEMENT_DESCRIPTION *customHeaderDescription,
    WS_REPEATING_HEADER_OPTION repeatingOption, ULONG headerIndex,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize,
    ULONG *headerAttributes, WS_ERROR *error);
HRESULT WINAPI WsRemoveCustomHeader(WS_MESSAGE *message,
    const WS_XML_STRING *headerName, const WS_XML_STRING *headerNs,
    WS_ERROR *error);
HRESULT WINAPI WsGetHeaderAttributes(WS_MESSAGE *message,
    WS_XML_READER *reader, ULONG *headerAttributes, WS_ERROR *error);
HRESULT WINAPI WsCheckMustUnderstandHeaders(WS_MESSAGE *message,
    WS_ERROR *error);
HRESULT WINAPI WsMarkHeaderAsUnderstood(WS_MESSAGE *message,
    const WS_XML_NODE_POSITION *headerPosition, WS_ERROR *error);

/* Not in the Windows SDK: a deep copy of headers and body. */
HRESULT WINAPI WsCopyMessage(WS_MESSAGE *message, WS_MESSAGE *sourceMessage,
    WS_ERROR *error);

HRESULT WINAPI WsFillBody(WS_MESSAGE *message, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error);
HRESULT WINAPI WsFlushBody(WS_MESSAGE *message, ULONG minSize,
    const WS_ASYNC_CONTEXT *asyncContext, WS_ERROR *error);

HRESULT WINAPI WsAsyncExecute(WS_ASYNC_STATE *asyncState,
    WS_ASYNC_FUNCTION operation, WS_CALLBACK_MODEL callbackModel,
    void *callbackState, const WS_ASYNC_CONTEXT *asyncContext,
    WS_ERROR *error);

#endif /* WSCHANNEL_WS_MSGEXT_H */
