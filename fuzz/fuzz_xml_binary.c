/* libFuzzer target for the binary XML reader of libwschannel (MC-NBFX
 * through the shared codec), with a dynamic dictionary. */
#include <stdint.h>

#include "fuzz.h"
#include "fuzz_xml_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static WS_XML_STRING strs[] = {
	    { 1, (BYTE *)"s", NULL, 0 }, { 2, (BYTE *)"ns", NULL, 1 } };
	static WS_XML_DICTIONARY dict = { { 0 }, strs, 2, TRUE };
	WS_XML_READER_BINARY_ENCODING renc = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, &dict };
	WS_XML_READER_BINARY_ENCODING plain = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_WRITER_BINARY_ENCODING wenc = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)data, (ULONG)size };
	WS_XML_READER *r;

	if (size > 1 << 20)
		return 0;
	if (WsCreateReader(NULL, 0, &r, NULL) != S_OK)
		abort();
	if (WsSetInput(r, &renc.encoding, &in.input, NULL, 0, NULL) == S_OK)
		fuzz_xml_walk(r);
	WsFreeReader(r);
	fuzz_xml_round_trip(&plain.encoding, &wenc.encoding, data, size);
	fuzz_xml_stream(&plain.encoding, data, size);
	return 0;
}
