/* WS_FAULT as XML (ws_fault.c): what WsReadType/WsWriteType do for
 * WS_FAULT_TYPE, and what the fault calls and the exchange use. */
#ifndef WSCHANNEL_CLIENT_WS_FAULT_H
#define WSCHANNEL_CLIENT_WS_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "wschannel/webservices.h"

/* Writes the soap:Fault element of the envelope version at the writer. */
HRESULT	 ws_fault_write(WS_XML_WRITER *, WS_ENVELOPE_VERSION, const WS_FAULT *,
	    WS_ERROR *);
/* The children of soap:Fault, in an element the caller has started
 * (WsWriteType's element mapping). */
HRESULT	 ws_fault_write_content(WS_XML_WRITER *, WS_ENVELOPE_VERSION,
	    const WS_FAULT *, WS_ERROR *);
/* Reads the soap:Fault element at (or after) the reader into `fault`, its
 * parts allocated on `heap`; `fault` is untouched on failure. */
HRESULT	 ws_fault_read(WS_XML_READER *, WS_ENVELOPE_VERSION, WS_HEAP *,
	    WS_FAULT *, WS_ERROR *);
/* A deep copy of `src` on `heap` (the detail buffer too). */
HRESULT	 ws_fault_copy(WS_HEAP *, const WS_FAULT *src, WS_FAULT *dst);
/* A copy of an XML buffer on `heap`. */
HRESULT	 ws_fault_copy_buffer(WS_HEAP *, WS_XML_BUFFER *, WS_XML_BUFFER **);
/* The Fault element as UTF-8 text (malloc'd), and back. */
HRESULT	 ws_fault_to_text(WS_ENVELOPE_VERSION, const WS_FAULT *, uint8_t **,
	    size_t *, WS_ERROR *);
HRESULT	 ws_fault_from_text(const uint8_t *, size_t, WS_ENVELOPE_VERSION,
	    WS_HEAP *, WS_FAULT *, WS_ERROR *);

/* ws_fault_error.c: a received Fault element (UTF-8 text) stored in the
 * error with its action, the reason added to the error's strings. */
HRESULT	 ws_fault_error_received(WS_ERROR *, const uint8_t *, size_t,
	    WS_ENVELOPE_VERSION, const char *action);
/* The Fault element WsSendFaultMessageForError sends for an error, the
 * error's fault action (NULL: none) and the first reason, all malloc'd. */
HRESULT	 ws_fault_error_body(WS_ERROR *fault_error, HRESULT,
	    WS_FAULT_DISCLOSURE, WS_ENVELOPE_VERSION, uint8_t **, size_t *,
	    char **action, char **reason, WS_ERROR *, const char *);

#endif
