/* Check suite for incremental stream input (WsFillReader, WsReadNode on
 * WS_XML_READER_STREAM_INPUT): the reader reads the nodes that the bytes
 * filled so far complete, text and binary, from read callbacks that hand
 * the bytes out in pieces of 1, 7 and 64 bytes or complete
 * asynchronously; reading past them is WS_E_QUOTA_EXCEEDED, and
 * WS_XML_READER_PROPERTY_STREAM_BUFFER_SIZE bounds what is buffered. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "wschannel/webservices.h"
#include "check_xml_common.h"

/* A stream handing out at most `piece` bytes per call, synchronously or
 * (async) completing later, when the test says so. */
struct pieces {
	const uint8_t		*data;
	size_t			 len, off, piece;
	int			 calls;
	bool			 ended;	/* a read gave 0 bytes */
	ULONG			 biggest_ask;
	bool			 async;
	/* A read left pending. */
	bool			 pending;
	WS_ASYNC_CONTEXT	 ctx;
	void			*bytes;
	ULONG			 max, *actual;
};

static ULONG
pieces_give(struct pieces *p, void *bytes, ULONG max)
{
	size_t n = p->len - p->off;

	if (n > p->piece)
		n = p->piece;
	if (n > max)
		n = max;
	memcpy(bytes, p->data + p->off, n);
	p->off += n;
	if (n == 0)
		p->ended = true;
	return (ULONG)n;
}

static HRESULT CALLBACK
pieces_read(void *state, void *bytes, ULONG max, ULONG *actual,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error)
{
	struct pieces *p = state;

	(void)error;
	p->calls++;
	if (max > p->biggest_ask)
		p->biggest_ask = max;
	ck_assert(!p->pending);
	if (p->async && ctx != NULL) {
		p->pending = true;
		p->ctx = *ctx;
		p->bytes = bytes;
		p->max = max;
		p->actual = actual;
		return WS_S_ASYNC;
	}
	*actual = pieces_give(p, bytes, max);
	return S_OK;
}

/* Completes the pending read, as the I/O would. */
static void
pieces_complete(struct pieces *p)
{
	ck_assert(p->pending);
	p->pending = false;
	*p->actual = pieces_give(p, p->bytes, p->max);
	p->ctx.callback(S_OK, WS_LONG_CALLBACK, p->ctx.callbackState);
}

static WS_XML_READER *
pieces_reader(struct pieces *p, bool binary, WS_CHARSET cs,
    const WS_XML_READER_PROPERTY *props, ULONG nprops)
{
	WS_XML_READER_TEXT_ENCODING te = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, cs };
	WS_XML_READER_BINARY_ENCODING be = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_STREAM_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_STREAM }, pieces_read, p };
	WS_XML_READER *r = NULL;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, binary ? &be.encoding : &te.encoding,
	    &in.input, props, nprops, NULL), S_OK);
	return r;
}

/* One line per node: what a reader reports, to compare two readers. */
static void
trace_node(WS_XML_READER *r, char *out, size_t size)
{
	const WS_XML_NODE *n;
	const WS_XML_ELEMENT_NODE *e;
	const WS_XML_TEXT *t;
	size_t len = strlen(out);
	WS_XML_STRING s;
	char v[256];

	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	switch (n->nodeType) {
	case WS_XML_NODE_TYPE_ELEMENT:
		e = (const WS_XML_ELEMENT_NODE *)n;
		snprintf(out + len, size - len, "<%.*s %u\n",
		    (int)e->localName->length, (const char *)e->localName->bytes,
		    (unsigned)e->attributeCount);
		break;
	case WS_XML_NODE_TYPE_TEXT:
		t = ((const WS_XML_TEXT_NODE *)n)->text;
		if (t->textType == WS_XML_TEXT_TYPE_UTF8) {
			s = ((const WS_XML_UTF8_TEXT *)t)->value;
			snprintf(v, sizeof(v), "%.*s", (int)s.length,
			    (const char *)s.bytes);
		} else
			snprintf(v, sizeof(v), "type %d", (int)t->textType);
		snprintf(out + len, size - len, "T %s\n", v);
		break;
	default:
		snprintf(out + len, size - len, "%d\n", (int)n->nodeType);
		break;
	}
}

/* Every node of a buffer reader over the same bytes. */
static void
trace_buffer(const uint8_t *data, size_t len, bool binary, WS_CHARSET cs,
    char *out, size_t size)
{
	WS_XML_READER_TEXT_ENCODING te = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, cs };
	WS_XML_READER_BINARY_ENCODING be = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)data, (ULONG)len };
	WS_XML_READER *r = NULL;
	const WS_XML_NODE *n;
	int i;

	out[0] = '\0';
	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, binary ? &be.encoding : &te.encoding,
	    &in.input, NULL, 0, NULL), S_OK);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
		trace_node(r, out, size);
		ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
		if (n->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
	}
	WsFreeReader(r);
}

/*
 * Reads a stream node by node as an application does: on
 * WS_E_QUOTA_EXCEEDED it asks WsFillReader for more (a piece more than
 * last time) and tries again.  *early: the first element was read before
 * the whole document was obtained.
 */
static void
trace_stream(WS_XML_READER *r, struct pieces *p, char *out, size_t size,
    bool *early)
{
	const WS_XML_NODE *n;
	ULONG want = (ULONG)p->piece;
	bool seen = false;
	int i;
	HRESULT hr;

	out[0] = '\0';
	*early = false;
	for (i = 0; i < 20000; i++) {
		hr = WsReadNode(r, NULL);
		if (hr == WS_E_QUOTA_EXCEEDED) {
			/* Only while the stream has not ended. */
			ck_assert(!p->ended);
			want += (ULONG)p->piece;
			ck_assert_int_eq(WsFillReader(r, want, NULL, NULL),
			    S_OK);
			continue;
		}
		ck_assert_int_eq(hr, S_OK);
		want = (ULONG)p->piece;
		trace_node(r, out, size);
		ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
		if (n->nodeType == WS_XML_NODE_TYPE_ELEMENT && !seen) {
			seen = true;
			*early = p->off < p->len;
		}
		if (n->nodeType == WS_XML_NODE_TYPE_EOF)
			break;
	}
	ck_assert_int_lt(i, 20000);
	ck_assert_uint_eq(p->off, p->len);
}

static const char text_doc[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<r xmlns=\"urn:x\" a='1'>\n"
    "  <i n=\"&amp;1\" m='x>y'>one &lt;two&gt; three</i>\n"
    "  <!-- a comment - not two -->\n"
    "  <e/><f></f>\n"
    "  <![CDATA[raw <x> & y]]>\n"
    "  <j>\xc3\xbcn\xc3\xaf\xc3\xa7\xc3\xb6" "d\xc3\xa9 \xe2\x82\xac "
    "\xf0\x9f\x98\x80</j>\n"
    "  <k><l><m>deep</m></l></k>\n"
    "</r>\n";

static void
text_in_pieces(size_t piece)
{
	struct pieces p = { .data = (const uint8_t *)text_doc,
	    .len = strlen(text_doc), .piece = piece };
	WS_XML_READER *r = pieces_reader(&p, false, WS_CHARSET_UTF8, NULL, 0);
	char want[4096], got[4096];
	bool early;

	trace_buffer(p.data, p.len, false, WS_CHARSET_UTF8, want,
	    sizeof(want));
	trace_stream(r, &p, got, sizeof(got), &early);
	ck_assert_str_eq(got, want);
	ck_assert(early);
	/* Each piece is a call; a few empty reads for the end at most. */
	ck_assert_int_ge(p.calls, (int)((p.len + piece - 1) / piece));
	WsFreeReader(r);
}

START_TEST(text_in_pieces_of_1)
{
	text_in_pieces(1);
}
END_TEST

START_TEST(text_in_pieces_of_7)
{
	text_in_pieces(7);
}
END_TEST

START_TEST(text_in_pieces_of_64)
{
	text_in_pieces(64);
}
END_TEST

/* The text document written as binary, with typed values. */
static size_t
binary_doc(uint8_t *out, size_t size)
{
	static const WS_XML_STRING r = XS("r"), v = XS("v"), s = XS("s"),
	    at = XS("at"), ns = XS("urn:x"), none = XS("");
	WS_XML_WRITER_BINARY_ENCODING enc = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER_BUFFER_OUTPUT o = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_UTF8_TEXT u = { { WS_XML_TEXT_TYPE_UTF8 },
	    XS("a string of some length") };
	WS_XML_WRITER *w;
	WS_BYTES b;
	int32_t i32;
	double d = 2.5;
	int k;

	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &enc.encoding, &o.output, NULL, 0,
	    NULL), S_OK);
	ck_assert_int_eq(WsWriteStartElement(w, NULL, &r, &ns, NULL), S_OK);
	for (k = 0; k < 6; k++) {
		ck_assert_int_eq(WsWriteStartElement(w, NULL, &v, &none,
		    NULL), S_OK);
		ck_assert_int_eq(WsWriteStartAttribute(w, NULL, &at, &none,
		    FALSE, NULL), S_OK);
		ck_assert_int_eq(WsWriteText(w, &u.text, NULL), S_OK);
		ck_assert_int_eq(WsWriteEndAttribute(w, NULL), S_OK);
		i32 = k * 1000 - 2500;
		ck_assert_int_eq(WsWriteValue(w, WS_INT32_VALUE_TYPE, &i32,
		    sizeof(i32), NULL), S_OK);
		ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
		ck_assert_int_eq(WsWriteStartElement(w, NULL, &s, &none,
		    NULL), S_OK);
		ck_assert_int_eq(WsWriteText(w, &u.text, NULL), S_OK);
		ck_assert_int_eq(WsWriteValue(w, WS_DOUBLE_VALUE_TYPE, &d,
		    sizeof(d), NULL), S_OK);
		ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	}
	ck_assert_int_eq(WsWriteEndElement(w, NULL), S_OK);
	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	ck_assert_uint_le(b.length, size);
	memcpy(out, b.bytes, b.length);
	WsFreeWriter(w);
	return b.length;
}

static void
binary_in_pieces(size_t piece)
{
	uint8_t doc[2048];
	struct pieces p = { .data = doc, .piece = piece };
	WS_XML_READER *r;
	char want[4096], got[4096];
	bool early;

	p.len = binary_doc(doc, sizeof(doc));
	ck_assert_uint_gt(p.len, 128);
	r = pieces_reader(&p, true, WS_CHARSET_UTF8, NULL, 0);
	trace_buffer(p.data, p.len, true, WS_CHARSET_UTF8, want,
	    sizeof(want));
	/* Typed records stay typed through the stream. */
	ck_assert_ptr_nonnull(strstr(want, "T type 5\n"));	/* INT32 */
	trace_stream(r, &p, got, sizeof(got), &early);
	ck_assert_str_eq(got, want);
	ck_assert(early);
	WsFreeReader(r);
}

START_TEST(binary_in_pieces_of_1)
{
	binary_in_pieces(1);
}
END_TEST

START_TEST(binary_in_pieces_of_7)
{
	binary_in_pieces(7);
}
END_TEST

START_TEST(binary_in_pieces_of_64)
{
	binary_in_pieces(64);
}
END_TEST

START_TEST(utf16_in_odd_pieces)
{
	uint8_t doc[2048];
	size_t n = 0, i;
	struct pieces p = { .data = doc, .piece = 7 };
	static const char src[] = "<a x='1'>t\xe2\x82\xac<b/>"
	    "\xf0\x9f\x98\x80</a>";
	WS_XML_READER *r;
	char want[1024], got[1024];
	bool early;

	/* UTF-16LE with a BOM: pieces of 7 bytes split code units and the
	 * surrogate pair. */
	doc[n++] = 0xff;
	doc[n++] = 0xfe;
	for (i = 0; i < sizeof(src) - 1; i++) {
		uint32_t c = (uint8_t)src[i];

		if (c >= 0xf0) {
			c = (c & 7) << 18 | (uint32_t)(src[i + 1] & 0x3f) <<
			    12 | (uint32_t)(src[i + 2] & 0x3f) << 6 |
			    (src[i + 3] & 0x3f);
			i += 3;
			c -= 0x10000;
			doc[n++] = (uint8_t)(0xd800 | c >> 10);
			doc[n++] = (uint8_t)((0xd800 | c >> 10) >> 8);
			c = 0xdc00 | (c & 0x3ff);
		} else if (c >= 0xe0) {
			c = (c & 15) << 12 | (uint32_t)(src[i + 1] & 0x3f) <<
			    6 | (src[i + 2] & 0x3f);
			i += 2;
		}
		doc[n++] = (uint8_t)c;
		doc[n++] = (uint8_t)(c >> 8);
	}
	p.len = n;
	r = pieces_reader(&p, false, WS_CHARSET_AUTO, NULL, 0);
	trace_buffer(doc, n, false, WS_CHARSET_AUTO, want, sizeof(want));
	ck_assert_str_eq(want, "<a 1\nT t\xe2\x82\xac\n<b 0\n3\n"
	    "T \xf0\x9f\x98\x80\n3\n8\n");
	trace_stream(r, &p, got, sizeof(got), &early);
	ck_assert_str_eq(got, want);
	ck_assert(early);
	/* WS_CHARSET_AUTO found UTF-16LE in the stream too. */
	{
		WS_CHARSET cs = WS_CHARSET_AUTO;

		ck_assert_int_eq(WsGetReaderProperty(r,
		    WS_XML_READER_PROPERTY_CHARSET, &cs, sizeof(cs), NULL),
		    S_OK);
		ck_assert_int_eq(cs, WS_CHARSET_UTF16LE);
	}
	WsFreeReader(r);
}
END_TEST

struct done {
	int	 calls;
	HRESULT	 hr;
};

static void CALLBACK
fill_done(HRESULT hr, WS_CALLBACK_MODEL model, void *state)
{
	struct done *d = state;

	ck_assert_int_eq(model, WS_LONG_CALLBACK);
	d->calls++;
	d->hr = hr;
}

/* Completes pending reads until the fill is over; how many it took. */
static int
complete_all(struct pieces *p, struct done *d)
{
	int rounds = 0;

	while (p->pending) {
		ck_assert_int_eq(d->calls, 0);
		ck_assert_int_lt(rounds, 100);
		pieces_complete(p);
		rounds++;
	}
	ck_assert_int_eq(d->calls, 1);
	return rounds;
}

START_TEST(async_fill)
{
	static const char doc[] = "<a><b>x</b><c>yy</c></a>";
	struct pieces p = { .data = (const uint8_t *)doc,
	    .len = strlen(doc), .piece = 3, .async = true };
	WS_XML_READER *r = pieces_reader(&p, false, WS_CHARSET_UTF8, NULL, 0);
	struct done d = { 0, E_FAIL };
	WS_ASYNC_CONTEXT ac = { fill_done, &d };
	const WS_XML_NODE *n;
	int i;

	/* Without an asyncContext the callback completes at once. */
	ck_assert_int_eq(WsFillReader(r, 4, NULL, NULL), S_OK);
	ck_assert_uint_eq(p.off, 6);
	/* With one, the fill is pending until the reads complete. */
	ck_assert_int_eq(WsFillReader(r, 12, &ac, NULL), WS_S_ASYNC);
	ck_assert(p.pending);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_INVALID_OPERATION);
	ck_assert_int_eq(WsFillReader(r, 1, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	ck_assert_int_eq(complete_all(&p, &d), 2);
	ck_assert_int_eq(d.hr, S_OK);
	ck_assert_uint_eq(p.off, 12);
	/* "<a><b>x</b><": a, b, x, /b; then more is needed. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	/* To the end of the stream, asynchronously. */
	d.calls = 0;
	ck_assert_int_eq(WsFillReader(r, 100, &ac, NULL), WS_S_ASYNC);
	complete_all(&p, &d);
	ck_assert_int_eq(d.hr, S_OK);
	ck_assert_uint_eq(p.off, p.len);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(WsReadNode(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_EOF);
	/* At the end there is nothing to wait for. */
	d.calls = 0;
	ck_assert_int_eq(WsFillReader(r, 100, &ac, NULL), S_OK);
	ck_assert_int_eq(d.calls, 0);
	WsFreeReader(r);
}
END_TEST

START_TEST(stream_buffer_size_bounds_what_is_buffered)
{
	static const char doc[] = "<r><a>1</a><b>22</b><c>333</c><d>4444</d>"
	    "<long attribute-with-a-long-name='and a value longer still'/>"
	    "</r>";
	ULONG size = 32;
	WS_XML_READER_PROPERTY prop = {
	    WS_XML_READER_PROPERTY_STREAM_BUFFER_SIZE, &size, sizeof(size) };
	struct pieces p = { .data = (const uint8_t *)doc,
	    .len = strlen(doc), .piece = 64 };
	WS_XML_READER *r = pieces_reader(&p, false, WS_CHARSET_UTF8, &prop,
	    1);
	const WS_XML_NODE *n;
	int nodes = 0, i;
	HRESULT hr;

	/* More than the buffer holds cannot be asked for. */
	ck_assert_int_eq(WsFillReader(r, 33, NULL, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(p.calls, 0);
	/* Small nodes read through a 32-byte buffer, never asked for more
	 * than it has room for; the long element does not fit. */
	for (i = 0; i < 200; i++) {
		hr = WsReadNode(r, NULL);
		if (hr == WS_E_QUOTA_EXCEEDED) {
			ck_assert_int_eq(WsFillReader(r, size, NULL, NULL),
			    S_OK);
			if (WsReadNode(r, NULL) == WS_E_QUOTA_EXCEEDED)
				break;
		}
		ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
		nodes++;
	}
	ck_assert_uint_le(p.biggest_ask, size);
	ck_assert_int_eq(nodes, 1 + 4 * 3);	/* r, then a..d: start, text, end */
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_END_ELEMENT);
	ck_assert_uint_lt(p.off, p.len);
	WsFreeReader(r);
}
END_TEST

START_TEST(malformed_before_the_end)
{
	static const char doc[] = "<a><b>x</c><d>much more to come</d></a>";
	struct pieces p = { .data = (const uint8_t *)doc,
	    .len = strlen(doc), .piece = 4 };
	WS_XML_READER *r = pieces_reader(&p, false, WS_CHARSET_UTF8, NULL, 0);
	HRESULT hr = S_OK;
	ULONG want = 4;
	int i;

	/* Once the mismatched end tag is in, the input is malformed, not
	 * short. */
	for (i = 0; i < 50; i++) {
		hr = WsReadNode(r, NULL);
		if (hr == WS_E_QUOTA_EXCEEDED) {
			want += 4;
			ck_assert_int_eq(WsFillReader(r, want, NULL, NULL),
			    S_OK);
			continue;
		}
		if (hr != S_OK)
			break;
	}
	ck_assert_int_eq(hr, WS_E_INVALID_FORMAT);
	ck_assert_uint_lt(p.off, p.len);
	WsFreeReader(r);
}
END_TEST

START_TEST(failed_reads_do_not_move)
{
	static const char doc[] = "<?xml version='1.0'?>\n<a><b>t</b></a>";
	struct pieces p = { .data = (const uint8_t *)doc,
	    .len = strlen(doc), .piece = 1 };
	WS_XML_READER *r = pieces_reader(&p, false, WS_CHARSET_UTF8, NULL, 0);
	const WS_XML_NODE *n;

	/* Up to the end of <a>, nothing after it. */
	ck_assert_int_eq(WsFillReader(r, 25, NULL, NULL), S_OK);
	ck_assert_uint_eq(p.off, 25);
	ck_assert_int_eq(WsReadStartElement(r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_BOF);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsSkipNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsReadNode(r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_ELEMENT);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "a"));
	/* The rest: the same reads go on from there. */
	ck_assert_int_eq(WsFillReader(r, 100, NULL, NULL), S_OK);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert(xml_test_str_is(((const WS_XML_ELEMENT_NODE *)n)->localName,
	    "b"));
	ck_assert_int_eq(WsSkipNode(r, NULL), S_OK);
	ck_assert_int_eq(WsReadEndElement(r, NULL), S_OK);
	ck_assert_int_eq(WsGetReaderNode(r, &n, NULL), S_OK);
	ck_assert_int_eq(n->nodeType, WS_XML_NODE_TYPE_EOF);
	WsFreeReader(r);
}
END_TEST

START_TEST(copy_node_takes_complete_elements)
{
	static const char doc[] = "<r><a k='v'>1</a><b>2</b></r>";
	struct pieces p = { .data = (const uint8_t *)doc,
	    .len = strlen(doc), .piece = 1 };
	WS_XML_READER *r = pieces_reader(&p, false, WS_CHARSET_UTF8, NULL, 0);
	WS_XML_WRITER *w = xml_test_writer(NULL, 0);

	/* "<r><a k='v'>1</a><b": a is whole, r is not. */
	ck_assert_int_eq(WsFillReader(r, 19, NULL, NULL), S_OK);
	ck_assert_int_eq(WsReadToStartElement(r, NULL, NULL, NULL, NULL),
	    S_OK);
	ck_assert_int_eq(WsCopyNode(w, r, NULL), WS_E_QUOTA_EXCEEDED);
	ck_assert_int_eq(WsReadStartElement(r, NULL), S_OK);
	/* What follows a is not there yet: the reader could not go on. */
	ck_assert_int_eq(WsCopyNode(w, r, NULL), WS_E_QUOTA_EXCEEDED);
	/* 7 bytes past a's start tag are buffered: one more is "<b>". */
	ck_assert_int_eq(WsFillReader(r, 8, NULL, NULL), S_OK);
	ck_assert_uint_eq(p.off, 20);
	ck_assert_int_eq(WsCopyNode(w, r, NULL), S_OK);
	out_is(w, "<a k=\"v\">1</a>");
	WsFreeWriter(w);
	WsFreeReader(r);
}
END_TEST

static Suite *
xml_incremental_suite(void)
{
	Suite *s = suite_create("xml_incremental");
	TCase *tc = tcase_create("incremental");

	tcase_add_test(tc, text_in_pieces_of_1);
	tcase_add_test(tc, text_in_pieces_of_7);
	tcase_add_test(tc, text_in_pieces_of_64);
	tcase_add_test(tc, binary_in_pieces_of_1);
	tcase_add_test(tc, binary_in_pieces_of_7);
	tcase_add_test(tc, binary_in_pieces_of_64);
	tcase_add_test(tc, utf16_in_odd_pieces);
	tcase_add_test(tc, async_fill);
	tcase_add_test(tc, stream_buffer_size_bounds_what_is_buffered);
	tcase_add_test(tc, malformed_before_the_end);
	tcase_add_test(tc, failed_reads_do_not_move);
	tcase_add_test(tc, copy_node_takes_complete_elements);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xml_incremental_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
