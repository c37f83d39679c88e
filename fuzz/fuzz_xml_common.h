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

/* Input handed out in pieces, as a socket would. */
struct fuzz_xml_piece {
	const uint8_t	*p;
	size_t		 len, off, piece;
};

static HRESULT CALLBACK
fuzz_xml_read(void *state, void *bytes, ULONG max, ULONG *actual,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct fuzz_xml_piece *s = state;
	size_t n = s->len - s->off;

	(void)ctx;
	(void)error;
	if (n > s->piece)
		n = s->piece;
	if (n > max)
		n = max;
	memcpy(bytes, s->p + s->off, n);
	s->off += n;
	*actual = (ULONG)n;
	return S_OK;
}

#define FUZZ_XML_TYPES	4096
#define FUZZ_XML_FILL	16384	/* the default STREAM_BUFFER_SIZE */

/* The node types up to EOF (their count), -1 on an error, -2 when a node
 * does not fit the stream buffer. */
static int
fuzz_xml_types(WS_XML_READER *r, struct fuzz_xml_piece *s, uint8_t *t)
{
	const WS_XML_NODE *n;
	ULONG want = s != NULL ? (ULONG)s->piece : 0;
	int k = 0, steps;
	HRESULT hr;

	for (steps = 0; steps < 200000; steps++) {
		hr = WsReadNode(r, NULL);
		if (s != NULL && hr == WS_E_QUOTA_EXCEEDED) {
			if (want >= FUZZ_XML_FILL)
				return -2;
			want += (ULONG)s->piece;
			if (want > FUZZ_XML_FILL)
				want = FUZZ_XML_FILL;
			if (WsFillReader(r, want, NULL, NULL) != S_OK)
				return -1;
			continue;
		}
		if (hr != S_OK || WsGetReaderNode(r, &n, NULL) != S_OK)
			return -1;
		if (k < FUZZ_XML_TYPES)
			t[k++] = (uint8_t)n->nodeType;
		if (n->nodeType == WS_XML_NODE_TYPE_EOF)
			return k;
		want = s != NULL ? (ULONG)s->piece : 0;
	}
	return -1;
}

/*
 * The input read from a buffer and as a stream in pieces (1 to 16 bytes,
 * from the first byte): a document the buffer reader reads whole reads
 * whole as a stream too, node for node.
 */
static void
fuzz_xml_stream(const WS_XML_READER_ENCODING *enc, const uint8_t *data,
    size_t size)
{
	static uint8_t a[FUZZ_XML_TYPES], b[FUZZ_XML_TYPES];
	struct fuzz_xml_piece s = { data, size, 0, 1 };
	WS_XML_READER_BUFFER_INPUT bi = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)data, (ULONG)size };
	WS_XML_READER_STREAM_INPUT si = {
	    { WS_XML_READER_INPUT_TYPE_STREAM }, fuzz_xml_read, &s };
	WS_XML_READER *r;
	int na, nb;

	if (size == 0 || size > 4096)
		return;
	s.piece = (size_t)(data[0] % 16) + 1;
	if (WsCreateReader(NULL, 0, &r, NULL) != S_OK)
		abort();
	na = WsSetInput(r, enc, &bi.input, NULL, 0, NULL) == S_OK ?
	    fuzz_xml_types(r, NULL, a) : -1;
	nb = WsSetInput(r, enc, &si.input, NULL, 0, NULL) == S_OK ?
	    fuzz_xml_types(r, &s, b) : -1;
	WsFreeReader(r);
	if (na >= 0 && nb != -2 && (nb != na || memcmp(a, b, (size_t)na) != 0))
		abort();
}

#endif
