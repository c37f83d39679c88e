/* libFuzzer target for the typed reader (client/lib/xml_struct_read.c):
 * the first byte picks text or binary XML, the rest is read as each of the
 * suites' descriptions (a purchase order with a nested struct, an array
 * and an enum; unions; any elements and attributes; subtypes; custom,
 * void and endpoint address fields...), and what was read is written
 * back.  The heap's quota bounds what any input can allocate. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "check_serial.h"

static const WS_ELEMENT_DESCRIPTION *const fuzz_serial_elems[] = {
	&po_elem, &opts_elem, &nils_elem, &price_elem, &choice_elem,
	&anys_elem, &animal_elem, &arrays_elem, &misc_elem,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_serial_write_back(const WS_ELEMENT_DESCRIPTION *d, void *v, bool binary)
{
	WS_XML_WRITER_TEXT_ENCODING tenc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_WRITER_BINARY_ENCODING benc = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w;

	if (WsCreateWriter(NULL, 0, &w, NULL) != S_OK)
		abort();
	if (WsSetOutput(w, binary ? &benc.encoding : &tenc.encoding,
	    &out.output, NULL, 0, NULL) != S_OK)
		abort();
	/* The writer on what the reader made of anything: it must not
	 * crash, whether the value can be written or not. */
	(void)WsWriteElement(w, d, WS_WRITE_REQUIRED_POINTER, &v, sizeof(v),
	    NULL);
	WsFreeWriter(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	WS_XML_READER_TEXT_ENCODING tenc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_READER_BINARY_ENCODING benc = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, NULL, 0 };
	WS_XML_READER *r;
	WS_HEAP *heap;
	bool binary;
	void *v;
	size_t i;

	if (size < 1 || size > 1 << 20)
		return 0;
	binary = data[0] & 1;
	in.encodedData = (void *)(data + 1);
	in.encodedDataSize = (ULONG)(size - 1);
	if (WsCreateReader(NULL, 0, &r, NULL) != S_OK ||
	    WsCreateHeap(1 << 16, 0, NULL, 0, &heap, NULL) != S_OK)
		abort();
	for (i = 0; i < sizeof(fuzz_serial_elems) /
	    sizeof(fuzz_serial_elems[0]); i++) {
		if (WsSetInput(r, binary ? &benc.encoding : &tenc.encoding,
		    &in.input, NULL, 0, NULL) != S_OK)
			break;
		v = NULL;
		if (WsReadElement(r, fuzz_serial_elems[i],
		    WS_READ_OPTIONAL_POINTER, heap, &v, sizeof(v),
		    NULL) == S_OK && v != NULL)
			fuzz_serial_write_back(fuzz_serial_elems[i], v, binary);
		WsResetHeap(heap, NULL);
	}
	WsFreeHeap(heap);
	WsFreeReader(r);
	return 0;
}
