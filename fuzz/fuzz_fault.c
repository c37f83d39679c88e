/* libFuzzer target for the fault reader of libwschannel: a soap:Fault as
 * SOAP 1.2 and as SOAP 1.1; one that reads is stored in an error, made
 * into a fault again and written, and what is written must read back. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "wschannel/webservices.h"
#include "ws_fault.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_fault_one(const uint8_t *data, size_t size, WS_ENVELOPE_VERSION v)
{
	WS_HEAP *heap, *heap2;
	WS_ERROR *error;
	WS_FAULT f, g;
	uint8_t *out;
	size_t len;

	if (WsCreateHeap(1 << 24, 0, NULL, 0, &heap, NULL) != S_OK ||
	    WsCreateHeap(1 << 24, 0, NULL, 0, &heap2, NULL) != S_OK ||
	    WsCreateError(NULL, 0, &error) != S_OK)
		abort();
	if (ws_fault_from_text(data, size, v, heap, &f, error) == S_OK) {
		if (WsSetFaultErrorProperty(error,
		    WS_FAULT_ERROR_PROPERTY_FAULT, &f, sizeof(f)) != S_OK ||
		    WsCreateFaultFromError(error, E_FAIL,
		    WS_FULL_FAULT_DISCLOSURE, heap2, &g) != S_OK)
			abort();
		/* A fault read is a fault that can be written and read. */
		if (ws_fault_to_text(v, &g, &out, &len, NULL) != S_OK)
			abort();
		if (ws_fault_from_text(out, len, v, heap2, &g, NULL) != S_OK)
			abort();
		free(out);
	}
	WsFreeError(error);
	WsFreeHeap(heap2);
	WsFreeHeap(heap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	fuzz_fault_one(data, size, WS_ENVELOPE_VERSION_SOAP_1_2);
	fuzz_fault_one(data, size, WS_ENVELOPE_VERSION_SOAP_1_1);
	return 0;
}
