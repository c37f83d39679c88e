/* libFuzzer target for the text XML reader of libwschannel (UTF-8 and
 * UTF-16, detected). */
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
	WS_XML_READER_TEXT_ENCODING renc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_AUTO };
	WS_XML_WRITER_TEXT_ENCODING wenc = {
	    { WS_XML_WRITER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
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
	fuzz_xml_round_trip(&renc.encoding, &wenc.encoding, data, size);
	fuzz_xml_stream(&renc.encoding, data, size);
	return 0;
}
