/*
 * The XML readers of libwschannel under a fuzzer: every node of the input
 * is read, and whatever reads as a buffer must survive a round trip (its
 * bytes, read again and written again, are the same bytes).
 */
#ifndef WSCHANNEL_FUZZ_XML_COMMON_H
#define WSCHANNEL_FUZZ_XML_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "wschannel/webservices.h"

static void
fuzz_xml_walk(WS_XML_READER *r)
{
	const WS_XML_NODE *n;
	const WS_XML_ELEMENT_NODE *e;
	WCHAR chars[16];
	ULONG i, got, idx;
	int steps;

	for (steps = 0; steps < 100000; steps++) {
		if (WsReadNode(r, NULL) != S_OK ||
		    WsGetReaderNode(r, &n, NULL) != S_OK)
			return;
		if (n->nodeType == WS_XML_NODE_TYPE_EOF)
			return;
		if (n->nodeType == WS_XML_NODE_TYPE_TEXT) {
			(void)WsReadChars(r, chars, 16, &got, NULL);
			continue;
		}
		if (n->nodeType != WS_XML_NODE_TYPE_ELEMENT)
			continue;
		e = (const WS_XML_ELEMENT_NODE *)n;
		for (i = 0; i < e->attributeCount; i++) {
			if (WsReadStartAttribute(r, i, NULL) != S_OK)
				abort();
			(void)WsReadChars(r, chars, 16, &got, NULL);
			if (WsReadEndAttribute(r, NULL) != S_OK)
				abort();
		}
		if (e->attributeCount > 0)
			(void)WsFindAttribute(r, e->attributes[0]->localName,
			    e->attributes[0]->ns, FALSE, &idx, NULL);
	}
}

/* Buffer from bytes, bytes from the buffer, and again: same bytes. */
static void
fuzz_xml_round_trip(const WS_XML_READER_ENCODING *renc,
    const WS_XML_WRITER_ENCODING *wenc, const uint8_t *data, size_t size)
{
	WS_XML_READER *r = NULL;
	WS_XML_WRITER *w = NULL;
	WS_HEAP *heap = NULL;
	WS_XML_BUFFER *b, *b2;
	void *out, *out2;
	ULONG n, n2;

	if (WsCreateHeap(1 << 26, 0, NULL, 0, &heap, NULL) != S_OK ||
	    WsCreateReader(NULL, 0, &r, NULL) != S_OK ||
	    WsCreateWriter(NULL, 0, &w, NULL) != S_OK)
		abort();
	if (WsReadXmlBufferFromBytes(r, renc, NULL, 0, data, (ULONG)size,
	    heap, &b, NULL) != S_OK)
		goto out;
	/* What cannot be encoded (text outside elements in binary) may
	 * fail; what was encoded must read back the same. */
	if (WsWriteXmlBufferToBytes(w, b, wenc, NULL, 0, heap, &out, &n,
	    NULL) != S_OK)
		goto out;
	if (WsReadXmlBufferFromBytes(r, renc, NULL, 0, out, n, heap, &b2,
	    NULL) != S_OK)
		abort();
	if (WsWriteXmlBufferToBytes(w, b2, wenc, NULL, 0, heap, &out2, &n2,
	    NULL) != S_OK || n2 != n || memcmp(out, out2, n) != 0)
		abort();
out:
	WsFreeWriter(w);
	WsFreeReader(r);
	WsFreeHeap(heap);
}

#endif
