/*
 * Binary XML (MC-NBFX) to and from XML buffers with typed text, as the
 * WWSAPI binary reader and writer keep it: an Int32 record is read as a
 * WS_XML_INT32_TEXT and a WS_XML_BASE64_TEXT is written as a Bytes record.
 * The records themselves are parsed and written by the shared codec
 * (daemon/codec/nbfx*.c); this file maps its typed records to WS_XML_TEXT
 * values and back, and calls the writer's dynamic string callback.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"
#include "nbfx.h"
#include "xml_binary.h"

/* MC-NBFX record types (the even forms), as nbfx_priv.h numbers them. */
enum {
	REC_ZERO = 0x80, REC_ONE = 0x82, REC_FALSE = 0x84, REC_TRUE = 0x86,
	REC_INT8 = 0x88, REC_INT16 = 0x8a, REC_INT32 = 0x8c, REC_INT64 = 0x8e,
	REC_FLOAT = 0x90, REC_DOUBLE = 0x92, REC_DECIMAL = 0x94,
	REC_DATETIME = 0x96, REC_CHARS8 = 0x98, REC_CHARS16 = 0x9a,
	REC_CHARS32 = 0x9c, REC_BYTES8 = 0x9e, REC_BYTES16 = 0xa0,
	REC_BYTES32 = 0xa2, REC_START_LIST = 0xa4, REC_END_LIST = 0xa6,
	REC_EMPTY = 0xa8, REC_UNIQUE_ID = 0xac, REC_TIMESPAN = 0xae,
	REC_UUID = 0xb0, REC_UINT64 = 0xb2, REC_BOOL = 0xb4,
	REC_QNAME_DICT = 0xbc
};

#define TICKS_MASK	0x3fffffffffffffffULL

static uint64_t
xml_binary_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static void
xml_binary_put_le(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void
xml_binary_guid_get(GUID *g, const uint8_t *p)
{
	g->Data1 = (ULONG)xml_binary_le(p, 4);
	g->Data2 = (USHORT)xml_binary_le(p + 4, 2);
	g->Data3 = (USHORT)xml_binary_le(p + 6, 2);
	memcpy(g->Data4, p + 8, 8);
}

static void
xml_binary_guid_put(uint8_t *p, const GUID *g)
{
	xml_binary_put_le(p, g->Data1, 4);
	xml_binary_put_le(p + 4, g->Data2, 2);
	xml_binary_put_le(p + 6, g->Data3, 2);
	memcpy(p + 8, g->Data4, 8);
}

/* ---- reading ------------------------------------------------------------- */

static WS_XML_TEXT *
xml_binary_alloc(WS_HEAP *heap, size_t size, WS_XML_TEXT_TYPE type,
    HRESULT *hr)
{
	WS_XML_TEXT *t;

	if ((t = ws_heap_alloc(heap, size, hr)) == NULL)
		return NULL;
	memset(t, 0, size);
	t->textType = type;
	return t;
}

static WS_XML_TEXT *xml_binary_text(WS_HEAP *, uint8_t, const uint8_t *,
    size_t, const char *, const struct xml_node *, HRESULT *);

/*
 * A StartListText's items, each typed; NULL (*hr S_OK) to keep it as text
 * when an item is a dictionary string or UTF-16.  There is no cap on the
 * item count: every item is a record of at least one byte, so the list
 * takes no more memory than the bytes that carry it.
 */
static WS_XML_TEXT *
xml_binary_list(WS_HEAP *heap, const uint8_t *p, size_t len,
    const struct xml_node *scope, HRESULT *hr)
{
	WS_XML_LIST_TEXT *l;
	WS_XML_TEXT **tab = NULL;
	size_t off, sz, n;
	ULONG count = 0, i;

	*hr = S_OK;
	/* First the count, and whether every item can be typed. */
	for (off = 0; off < len && p[off] != REC_END_LIST; off += sz) {
		if ((sz = nbfx_text_record_size(p + off, len - off)) == 0 ||
		    count == UINT32_MAX)
			return NULL;	/* kept as text */
		if (p[off] == REC_QNAME_DICT || p[off] == REC_START_LIST ||
		    p[off] == REC_EMPTY + 2 || (p[off] >= 0xb6 &&
		    p[off] <= 0xba))
			return NULL;	/* dictionary, UTF-16: text */
		count++;
	}
	if ((l = (WS_XML_LIST_TEXT *)xml_binary_alloc(heap, sizeof(*l),
	    WS_XML_TEXT_TYPE_LIST, hr)) == NULL || (count > 0 &&
	    (tab = ws_heap_alloc(heap, (size_t)count * sizeof(*tab), hr)) ==
	    NULL))
		return NULL;
	for (off = 0, i = 0; i < count; off += sz, i++) {
		sz = nbfx_text_record_size(p + off, len - off);
		if (p[off] >= REC_CHARS8 && p[off] <= REC_CHARS32) {
			n = (size_t)1 << ((p[off] - REC_CHARS8) / 2);
			tab[i] = xml_text_utf8(heap, p + off + 1 + n,
			    sz - 1 - n, hr);
		} else if (p[off] == REC_EMPTY)
			tab[i] = xml_text_utf8(heap, NULL, 0, hr);
		else
			tab[i] = xml_binary_text(heap, p[off], p + off + 1,
			    sz - 1, NULL, scope, hr);
		if (tab[i] == NULL)
			return NULL;
	}
	l->items = count > 0 ? tab : NULL;
	l->itemCount = count;
	return &l->text;
}

/*
 * The WS_XML_TEXT of a typed record; NULL with *hr S_OK when the record
 * is one to keep as the UTF-8 text the codec gave (a list holding a
 * dictionary string, a QName whose namespace is not in scope).
 */
static WS_XML_TEXT *
xml_binary_text(WS_HEAP *heap, uint8_t type, const uint8_t *p, size_t len,
    const char *flat, const struct xml_node *scope, HRESULT *hr)
{
	WS_XML_TEXT *t;
	uint64_t v;
	size_t n;

	*hr = S_OK;
	switch (type) {
	case REC_ZERO:
	case REC_ONE:
	case REC_INT8:
	case REC_INT16:
	case REC_INT32:
		n = type <= REC_ONE ? 0 : (size_t)1 << ((type - REC_INT8) / 2);
		v = type == REC_ONE ? 1 : xml_binary_le(p, n);
		if (n > 0 && n < 8 && (v >> (8 * n - 1)) != 0)
			v |= ~(uint64_t)0 << (8 * n);
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_INT32_TEXT),
		    WS_XML_TEXT_TYPE_INT32, hr)) != NULL)
			((WS_XML_INT32_TEXT *)t)->value = (int32_t)v;
		return t;
	case REC_INT64:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_INT64_TEXT),
		    WS_XML_TEXT_TYPE_INT64, hr)) != NULL)
			((WS_XML_INT64_TEXT *)t)->value =
			    (int64_t)xml_binary_le(p, 8);
		return t;
	case REC_UINT64:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_UINT64_TEXT),
		    WS_XML_TEXT_TYPE_UINT64, hr)) != NULL)
			((WS_XML_UINT64_TEXT *)t)->value = xml_binary_le(p, 8);
		return t;
	case REC_FALSE:
	case REC_TRUE:
	case REC_BOOL:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_BOOL_TEXT),
		    WS_XML_TEXT_TYPE_BOOL, hr)) != NULL)
			((WS_XML_BOOL_TEXT *)t)->value = type == REC_TRUE ||
			    (type == REC_BOOL && p[0] != 0);
		return t;
	case REC_FLOAT:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_FLOAT_TEXT),
		    WS_XML_TEXT_TYPE_FLOAT, hr)) != NULL) {
			uint32_t u = (uint32_t)xml_binary_le(p, 4);

			memcpy(&((WS_XML_FLOAT_TEXT *)t)->value, &u, 4);
		}
		return t;
	case REC_DOUBLE:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_DOUBLE_TEXT),
		    WS_XML_TEXT_TYPE_DOUBLE, hr)) != NULL) {
			v = xml_binary_le(p, 8);
			memcpy(&((WS_XML_DOUBLE_TEXT *)t)->value, &v, 8);
		}
		return t;
	case REC_DECIMAL:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_DECIMAL_TEXT),
		    WS_XML_TEXT_TYPE_DECIMAL, hr)) != NULL) {
			DECIMAL *d = &((WS_XML_DECIMAL_TEXT *)t)->value;

			d->wReserved = (USHORT)xml_binary_le(p, 2);
			d->scale = p[2];
			d->sign = p[3];
			d->Hi32 = (ULONG)xml_binary_le(p + 4, 4);
			d->Lo64 = xml_binary_le(p + 8, 8);
		}
		return t;
	case REC_DATETIME:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_DATETIME_TEXT),
		    WS_XML_TEXT_TYPE_DATETIME, hr)) != NULL) {
			WS_DATETIME *d = &((WS_XML_DATETIME_TEXT *)t)->value;

			v = xml_binary_le(p, 8);
			d->ticks = v & TICKS_MASK;
			/* MC-NBFX: 0 unspecified, 1 UTC, 2 local. */
			d->format = (v >> 62) == 1 ? WS_DATETIME_FORMAT_UTC :
			    (v >> 62) == 2 ? WS_DATETIME_FORMAT_LOCAL :
			    WS_DATETIME_FORMAT_NONE;
		}
		return t;
	case REC_TIMESPAN:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_TIMESPAN_TEXT),
		    WS_XML_TEXT_TYPE_TIMESPAN, hr)) != NULL)
			((WS_XML_TIMESPAN_TEXT *)t)->value.ticks =
			    (int64_t)xml_binary_le(p, 8);
		return t;
	case REC_UUID:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_GUID_TEXT),
		    WS_XML_TEXT_TYPE_GUID, hr)) != NULL)
			xml_binary_guid_get(&((WS_XML_GUID_TEXT *)t)->value, p);
		return t;
	case REC_UNIQUE_ID:
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_UNIQUE_ID_TEXT),
		    WS_XML_TEXT_TYPE_UNIQUE_ID, hr)) != NULL)
			xml_binary_guid_get(
			    &((WS_XML_UNIQUE_ID_TEXT *)t)->value, p);
		return t;
	case REC_BYTES8:
	case REC_BYTES16:
	case REC_BYTES32:
		n = (size_t)1 << ((type - REC_BYTES8) / 2);
		if ((t = xml_binary_alloc(heap, sizeof(WS_XML_BASE64_TEXT),
		    WS_XML_TEXT_TYPE_BASE64, hr)) != NULL) {
			WS_XML_BASE64_TEXT *b = (WS_XML_BASE64_TEXT *)t;

			b->length = (ULONG)(len - n);
			if (b->length > 0 && (b->bytes = ws_heap_alloc(heap,
			    b->length, hr)) == NULL)
				return NULL;
			if (b->length > 0)
				memcpy(b->bytes, p + n, b->length);
		}
		return t;
	case REC_QNAME_DICT: {
		WS_XML_QNAME_TEXT *q;
		const WS_XML_STRING *ns;
		WS_XML_STRING pre = { 1, (BYTE *)flat, NULL, 0 };

		/* The codec wrote "p:local"; the namespace is p's in scope. */
		if (flat == NULL || strlen(flat) < 3 || flat[1] != ':' ||
		    (ns = xml_scope_ns(scope, &pre)) == NULL)
			return NULL;
		if ((q = (WS_XML_QNAME_TEXT *)xml_binary_alloc(heap,
		    sizeof(*q), WS_XML_TEXT_TYPE_QNAME, hr)) == NULL ||
		    (q->prefix = xml_string_new(heap, (const BYTE *)flat, 1,
		    hr)) == NULL || (q->localName = xml_string_new(heap,
		    (const BYTE *)flat + 2, (ULONG)strlen(flat + 2),
		    hr)) == NULL || (q->ns = xml_string_dup(heap, ns,
		    hr)) == NULL)
			return NULL;
		return &q->text;
	}
	case REC_START_LIST:
		return xml_binary_list(heap, p, len, scope, hr);
	}
	return NULL;
}

/* Replaces the UTF-8 text of `*slot` with the typed record `priv` names. */
static HRESULT
xml_binary_retype(WS_HEAP *heap, WS_XML_TEXT **slot, void *priv,
    const struct nbfx_typed *tab, size_t ntab, const struct xml_node *scope)
{
	uintptr_t i = (uintptr_t)priv;
	const WS_XML_UTF8_TEXT *u = (const WS_XML_UTF8_TEXT *)*slot;
	char flat[128];
	WS_XML_TEXT *t;
	HRESULT hr;

	if (i == 0 || i > ntab)
		return S_OK;
	flat[0] = '\0';
	if (u != NULL && u->text.textType == WS_XML_TEXT_TYPE_UTF8 &&
	    u->value.length < sizeof(flat)) {
		memcpy(flat, u->value.bytes, u->value.length);
		flat[u->value.length] = '\0';
	}
	t = xml_binary_text(heap, tab[i - 1].type, tab[i - 1].p,
	    tab[i - 1].len, flat, scope, &hr);
	if (t != NULL)
		*slot = t;
	return hr;
}

/* Walks the codec's document and our tree built from it side by side:
 * one tree node per libxml2 node, attributes after the xmlns ones. */
static HRESULT
xml_binary_walk(WS_HEAP *heap, struct xml_node *n, xmlNodePtr x,
    const struct nbfx_typed *tab, size_t ntab)
{
	struct xml_node *c;
	xmlAttrPtr a;
	ULONG k;
	HRESULT hr;

	for (c = n->first; c != NULL && x != NULL; c = c->next, x = x->next) {
		if (c->kind == XML_KIND_TEXT && x->type == XML_TEXT_NODE) {
			if ((hr = xml_binary_retype(heap, &c->text.text,
			    x->_private, tab, ntab, n)) != S_OK)
				return hr;
			continue;
		}
		if (c->kind != XML_KIND_ELEMENT || x->type != XML_ELEMENT_NODE)
			continue;
		for (k = 0; k < c->elem.attributeCount &&
		    c->elem.attributes[k]->isXmlNs; k++)
			;
		for (a = x->properties; a != NULL &&
		    k < c->elem.attributeCount; a = a->next, k++)
			if ((hr = xml_binary_retype(heap,
			    &c->elem.attributes[k]->value, a->_private, tab,
			    ntab, c)) != S_OK)
				return hr;
		if ((hr = xml_binary_walk(heap, c, x->children, tab,
		    ntab)) != S_OK)
			return hr;
	}
	return S_OK;
}

/* A WS_XML_DICTIONARY as the codec's session dictionary: its string of
 * id k is DictionaryString 2k+1, as the binary encoding numbers them. */
static struct nbfx_dict *
xml_binary_dict(const WS_XML_DICTIONARY *dd, HRESULT *hr)
{
	struct xml_out t = { 0 }, m = { 0 };
	struct nbfx_dict *d;
	const WS_XML_STRING *s;
	uint8_t b[5];
	size_t k;
	uint32_t v;
	ULONG i, j;

	*hr = E_INVALIDARG;
	for (i = 0; i < dd->stringCount; i++) {
		/* The codec numbers strings by position: ids must be too. */
		for (j = 0, s = NULL; j < dd->stringCount; j++)
			if (dd->strings[j].id == i)
				s = &dd->strings[j];
		if (s == NULL)
			return NULL;
		for (k = 0, v = s->length; ; v >>= 7) {
			b[k++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
			if (v <= 0x7f)
				break;
		}
		xml_out_add(&t, b, k);
		xml_out_add(&t, s->bytes, s->length);
	}
	for (k = 0, v = (uint32_t)t.len; ; v >>= 7) {
		b[k++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		if (v <= 0x7f)
			break;
	}
	xml_out_add(&m, b, k);
	xml_out_add(&m, t.p, t.len);
	xml_out_free(&t);
	*hr = E_OUTOFMEMORY;
	if (m.oom || (d = nbfx_dict_new(UINT32_MAX)) == NULL) {
		xml_out_free(&m);
		return NULL;
	}
	if (nbfx_dict_read_table(d, m.p, m.len) < 0) {
		nbfx_dict_free(d);
		d = NULL;
		*hr = E_INVALIDARG;
	}
	xml_out_free(&m);
	return d;
}

static HRESULT
xml_binary_parse_bytes(WS_XML_BUFFER *b, const uint8_t *in, size_t len,
    const WS_XML_DICTIONARY *dynamic, ULONG max_depth, ULONG max_attrs,
    const char **why)
{
	struct nbfx_dict *d = NULL;
	struct nbfx_typed *tab = NULL;
	struct xml_node *last = b->root->last;
	size_t ntab = 0;
	xmlDocPtr doc;
	HRESULT hr;
	int rc;

	*why = NULL;
	if (len == 0)
		return S_OK;
	if (dynamic != NULL && dynamic->stringCount > 0 &&
	    (d = xml_binary_dict(dynamic, &hr)) == NULL) {
		*why = "the dynamic dictionary cannot be used";
		return hr;
	}
	rc = nbfx_read_typed(in, len, d, &doc, &tab, &ntab, why);
	nbfx_dict_free(d);
	if (rc == -ENOMEM)
		return E_OUTOFMEMORY;
	if (rc < 0)
		return WS_E_INVALID_FORMAT;
	hr = xml_serial_from_doc(b, b->root, doc->children, max_depth,
	    max_attrs);
	if (hr == S_OK && ntab > 0) {
		/* Walk only what this document added to the root. */
		struct xml_node tmp = *b->root;

		tmp.first = last != NULL ? last->next : b->root->first;
		hr = xml_binary_walk(b->heap, &tmp, doc->children, tab, ntab);
	}
	free(tab);
	xmlFreeDoc(doc);
	if (hr == WS_E_QUOTA_EXCEEDED)
		*why = "the maximum depth or attribute count was exceeded";
	return hr;
}

HRESULT
xml_binary_parse(WS_XML_BUFFER *b, const uint8_t *in, size_t len,
    const WS_XML_DICTIONARY *dynamic, ULONG max_depth, ULONG max_attrs,
    const char **why)
{
	size_t open, cut;

	return xml_binary_parse_part(b, in, len, dynamic, true, max_depth,
	    max_attrs, &open, &cut, why);
}

/* Whether the scanned records reach the root element's start. */
static bool
xml_binary_rooted(const struct xml_scan *s)
{
	size_t e;

	for (e = 0; e < s->nev; e++)
		if (s->ev[e].kind != XML_SCAN_COMMENT)
			return true;
	return false;
}

HRESULT
xml_binary_parse_part(WS_XML_BUFFER *b, const uint8_t *in, size_t len,
    const WS_XML_DICTIONARY *dynamic, bool complete, ULONG max_depth,
    ULONG max_attrs, size_t *open, size_t *cut, const char **why)
{
	struct xml_scan s = { 0 };
	struct xml_out part = { 0 };
	bool fresh = b->root->first == NULL;
	HRESULT hr;

	*why = NULL;
	xml_scan_binary(in, len, complete, &s);
	/* Comments obtained before the root element's start are not a
	 * document to the codec yet: they wait for it, as more data. */
	if (!complete && !xml_binary_rooted(&s))
		s.cut = s.nev = 0;
	if (!complete) {
		/* The complete records, and EndElements for what is open. */
		xml_out_add(&part, in, s.cut);
		xml_out_add(&part, s.closes.p, s.closes.len);
	}
	if (s.oom || part.oom)
		hr = E_OUTOFMEMORY;
	else if (complete)
		hr = xml_binary_parse_bytes(b, in, len, dynamic, max_depth,
		    max_attrs, why);
	else
		hr = xml_binary_parse_bytes(b, part.p != NULL ? part.p :
		    (const uint8_t *)"", part.len, dynamic, max_depth,
		    max_attrs, why);
	xml_scan_shift(&s, 0);
	if (hr == S_OK && fresh)
		xml_scan_assign(&s, b->root, false);
	*open = s.open;
	*cut = s.cut_in;
	xml_out_free(&part);
	xml_scan_free(&s);
	return hr;
}

/* ---- writing ------------------------------------------------------------- */

struct xml_binary_wr {
	const struct xml_binary_opts	*opts;
	struct nbfx_typed		*tab;
	size_t				 ntab, cap;
	struct xml_out			 vals;	/* the records' bytes */
	HRESULT				 cb_hr;
};

static void
xml_binary_mbi31(struct xml_out *o, uint32_t v)
{
	uint8_t b[5];
	size_t k = 0;

	for (;; v >>= 7) {
		b[k++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		if (v <= 0x7f)
			break;
	}
	xml_out_add(o, b, k);
}

/* The record Windows and .NET pick for an integer: the shortest. */
static uint8_t
xml_binary_int(struct xml_out *o, int64_t v)
{
	uint8_t b[8];

	if (v == 0 || v == 1)
		return v == 0 ? REC_ZERO : REC_ONE;
	xml_binary_put_le(b, (uint64_t)v, 8);
	if (v >= INT8_MIN && v <= INT8_MAX) {
		xml_out_add(o, b, 1);
		return REC_INT8;
	}
	if (v >= INT16_MIN && v <= INT16_MAX) {
		xml_out_add(o, b, 2);
		return REC_INT16;
	}
	if (v >= INT32_MIN && v <= INT32_MAX) {
		xml_out_add(o, b, 4);
		return REC_INT32;
	}
	xml_out_add(o, b, 8);
	return REC_INT64;
}

static uint8_t
xml_binary_float(struct xml_out *o, float f)
{
	uint32_t u;
	uint8_t b[4];

	/* Whole numbers go as integers, as .NET writes them. */
	if (f >= -9.2233720368547758e18f && f < 9.2233720368547758e18f &&
	    (float)(int64_t)f == f && !(f == 0 && signbit(f)))
		return xml_binary_int(o, (int64_t)f);
	memcpy(&u, &f, 4);
	xml_binary_put_le(b, u, 4);
	xml_out_add(o, b, 4);
	return REC_FLOAT;
}

static uint8_t
xml_binary_double(struct xml_out *o, double d)
{
	uint64_t u;
	uint8_t b[8];

	if (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18 &&
	    (double)(int64_t)d == d && !(d == 0 && signbit(d)))
		return xml_binary_int(o, (int64_t)d);
	if (isnan(d) || (double)(float)d == d)
		return xml_binary_float(o, (float)d);
	memcpy(&u, &d, 8);
	xml_binary_put_le(b, u, 8);
	xml_out_add(o, b, 8);
	return REC_DOUBLE;
}

/*
 * Appends the value bytes of the record for `t` to `o` and gives its type;
 * 0 for a text written as characters (UTF-8, UTF-16, a URI unique id, a
 * QName outside the static dictionary).
 */
static uint8_t
xml_binary_record(const WS_XML_TEXT *t, struct xml_out *o)
{
	uint8_t b[16];
	size_t n;

	switch (t->textType) {
	case WS_XML_TEXT_TYPE_BOOL:
		return ((const WS_XML_BOOL_TEXT *)t)->value ? REC_TRUE :
		    REC_FALSE;
	case WS_XML_TEXT_TYPE_INT32:
		return xml_binary_int(o, ((const WS_XML_INT32_TEXT *)t)->value);
	case WS_XML_TEXT_TYPE_INT64:
		return xml_binary_int(o, ((const WS_XML_INT64_TEXT *)t)->value);
	case WS_XML_TEXT_TYPE_UINT64: {
		uint64_t v = ((const WS_XML_UINT64_TEXT *)t)->value;

		if (v <= INT64_MAX)
			return xml_binary_int(o, (int64_t)v);
		xml_binary_put_le(b, v, 8);
		xml_out_add(o, b, 8);
		return REC_UINT64;
	}
	case WS_XML_TEXT_TYPE_FLOAT:
		return xml_binary_float(o, ((const WS_XML_FLOAT_TEXT *)t)->value);
	case WS_XML_TEXT_TYPE_DOUBLE:
		return xml_binary_double(o,
		    ((const WS_XML_DOUBLE_TEXT *)t)->value);
	case WS_XML_TEXT_TYPE_DECIMAL: {
		const DECIMAL *d = &((const WS_XML_DECIMAL_TEXT *)t)->value;

		xml_binary_put_le(b, d->wReserved, 2);
		b[2] = d->scale;
		b[3] = d->sign;
		xml_binary_put_le(b + 4, d->Hi32, 4);
		xml_binary_put_le(b + 8, d->Lo64, 8);
		xml_out_add(o, b, 16);
		return REC_DECIMAL;
	}
	case WS_XML_TEXT_TYPE_DATETIME: {
		const WS_DATETIME *d = &((const WS_XML_DATETIME_TEXT *)t)->value;
		uint64_t k = d->format == WS_DATETIME_FORMAT_UTC ? 1 :
		    d->format == WS_DATETIME_FORMAT_LOCAL ? 2 : 0;

		xml_binary_put_le(b, (d->ticks & TICKS_MASK) | k << 62, 8);
		xml_out_add(o, b, 8);
		return REC_DATETIME;
	}
	case WS_XML_TEXT_TYPE_TIMESPAN:
		xml_binary_put_le(b, (uint64_t)
		    ((const WS_XML_TIMESPAN_TEXT *)t)->value.ticks, 8);
		xml_out_add(o, b, 8);
		return REC_TIMESPAN;
	case WS_XML_TEXT_TYPE_GUID:
		xml_binary_guid_put(b, &((const WS_XML_GUID_TEXT *)t)->value);
		xml_out_add(o, b, 16);
		return REC_UUID;
	case WS_XML_TEXT_TYPE_UNIQUE_ID:
		xml_binary_guid_put(b,
		    &((const WS_XML_UNIQUE_ID_TEXT *)t)->value);
		xml_out_add(o, b, 16);
		return REC_UNIQUE_ID;
	case WS_XML_TEXT_TYPE_BASE64: {
		const WS_XML_BASE64_TEXT *x = (const WS_XML_BASE64_TEXT *)t;
		uint8_t type;

		if (x->length <= 0xff)
			type = REC_BYTES8, n = 1;
		else if (x->length <= 0xffff)
			type = REC_BYTES16, n = 2;
		else
			type = REC_BYTES32, n = 4;
		xml_binary_put_le(b, x->length, n);
		xml_out_add(o, b, n);
		xml_out_add(o, x->bytes, x->length);
		return type;
	}
	case WS_XML_TEXT_TYPE_QNAME: {
		const WS_XML_QNAME_TEXT *q = (const WS_XML_QNAME_TEXT *)t;
		int id;

		if (q->prefix == NULL || q->prefix->length != 1 ||
		    q->prefix->bytes[0] < 'a' || q->prefix->bytes[0] > 'z' ||
		    q->localName == NULL || (id = nbfs_dict_lookup(
		    (const char *)q->localName->bytes,
		    q->localName->length)) < 0)
			return 0;
		b[0] = (uint8_t)(q->prefix->bytes[0] - 'a');
		xml_out_add(o, b, 1);
		xml_binary_mbi31(o, 2 * (uint32_t)id);
		return REC_QNAME_DICT;
	}
	case WS_XML_TEXT_TYPE_LIST: {
		const WS_XML_LIST_TEXT *l = (const WS_XML_LIST_TEXT *)t;
		struct xml_out s = { 0 };
		uint8_t type;
		ULONG i;

		for (i = 0; i < l->itemCount; i++) {
			s.len = 0;
			if (l->items[i]->textType == WS_XML_TEXT_TYPE_LIST ||
			    (type = xml_binary_record(l->items[i], &s)) == 0) {
				/* Characters: the item's text as Chars. */
				s.len = 0;
				if (xml_text_format(l->items[i], &s) != S_OK ||
				    s.len > 0xffffffffu) {
					xml_out_free(&s);
					return 0;
				}
				n = s.len <= 0xff ? 1 : s.len <= 0xffff ? 2 : 4;
				type = (uint8_t)(s.len == 0 ? REC_EMPTY :
				    REC_CHARS8 + 2 * (n == 1 ? 0 : n == 2 ? 1 :
				    2));
				b[0] = type;
				xml_binary_put_le(b + 1, s.len, n);
				xml_out_add(o, b, s.len == 0 ? 1 : 1 + n);
				xml_out_add(o, s.p, s.len);
				continue;
			}
			xml_out_add(o, &type, 1);
			xml_out_add(o, s.p, s.len);
		}
		xml_out_free(&s);
		b[0] = REC_END_LIST;
		xml_out_add(o, b, 1);
		return REC_START_LIST;
	}
	default:
		return 0;
	}
}

/* Annotates libxml2 node or attribute `priv` with the record of `t`. */
static HRESULT
xml_binary_mark(struct xml_binary_wr *w, void **priv, const WS_XML_TEXT *t,
    bool attribute)
{
	struct nbfx_typed *n;
	size_t start = w->vals.len;
	uint8_t type;

	if (t == NULL || (type = xml_binary_record(t, &w->vals)) == 0 ||
	    (attribute && type == REC_START_LIST)) {
		w->vals.len = start;
		return S_OK;
	}
	if (w->ntab == w->cap) {
		size_t cap = w->cap == 0 ? 16 : 2 * w->cap;

		if ((n = reallocarray(w->tab, cap, sizeof(*n))) == NULL)
			return E_OUTOFMEMORY;
		w->tab = n;
		w->cap = cap;
	}
	/* Offsets for now: w->vals may move until all are in. */
	w->tab[w->ntab].type = type;
	w->tab[w->ntab].p = (const uint8_t *)(uintptr_t)start;
	w->tab[w->ntab].len = w->vals.len - start;
	*priv = (void *)(uintptr_t)++w->ntab;
	return w->vals.oom ? E_OUTOFMEMORY : S_OK;
}

/* libxml2 node `x` made from our element `n`: mark its typed texts. */
static HRESULT
xml_binary_mark_tree(struct xml_binary_wr *w, const struct xml_node *n,
    xmlNodePtr x)
{
	const struct xml_node *c;
	xmlAttrPtr a;
	ULONG k;
	HRESULT hr;

	for (k = 0; k < n->elem.attributeCount &&
	    n->elem.attributes[k]->isXmlNs; k++)
		;
	for (a = x->properties; a != NULL && k < n->elem.attributeCount;
	    a = a->next, k++)
		if ((hr = xml_binary_mark(w, &a->_private,
		    n->elem.attributes[k]->value, true)) != S_OK)
			return hr;
	for (c = n->first, x = x->children; c != NULL && x != NULL;
	    c = c->next, x = x->next) {
		if (c->kind == XML_KIND_TEXT && x->type == XML_TEXT_NODE)
			hr = xml_binary_mark(w, &x->_private, c->text.text,
			    false);
		else if (c->kind == XML_KIND_ELEMENT &&
		    x->type == XML_ELEMENT_NODE)
			hr = xml_binary_mark_tree(w, c, x);
		else
			hr = S_OK;
		if (hr != S_OK)
			return hr;
	}
	return S_OK;
}

static int
xml_binary_dynamic(void *arg, const char *s, size_t len, uint32_t *id)
{
	struct xml_binary_wr *w = arg;
	WS_XML_STRING str = { (ULONG)len, (BYTE *)s, NULL, 0 };
	BOOL found = FALSE;
	ULONG v = 0;
	HRESULT hr;

	hr = w->opts->dynamic(w->opts->dynamic_state, &str, &found, &v,
	    NULL);
	if (FAILED(hr)) {
		w->cb_hr = hr;
		return -ECANCELED;
	}
	if (!found)
		return 0;
	*id = v;
	return 1;
}

/* Links `x` as the last child of `parent` without libxml2 merging two
 * texts into one: each of our text nodes is its own record. */
static void
xml_binary_link(xmlNodePtr parent, xmlNodePtr x)
{
	x->parent = parent;
	x->doc = parent->doc;
	x->prev = parent->last;
	x->next = NULL;
	if (parent->last != NULL)
		parent->last->next = x;
	else
		parent->children = x;
	parent->last = x;
}

/* The tree under element `n` as libxml2 nodes under `parent`. */
static HRESULT
xml_binary_to_doc(const struct xml_node *n, xmlDocPtr doc, xmlNodePtr parent)
{
	struct xml_out v = { 0 };
	const struct xml_node *c;
	const WS_XML_ATTRIBUTE *a;
	xmlNodePtr x = NULL;
	xmlNsPtr ns;
	HRESULT hr = S_OK;
	ULONG i;

	switch (n->kind) {
	case XML_KIND_ELEMENT:
		if ((x = xmlNewDocNode(doc, NULL,
		    BAD_CAST n->elem.localName->bytes, NULL)) == NULL)
			return E_OUTOFMEMORY;
		xml_binary_link(parent, x);
		for (i = 0; i < n->elem.attributeCount; i++) {
			a = n->elem.attributes[i];
			if (a->isXmlNs && xmlNewNs(x, BAD_CAST a->ns->bytes,
			    a->prefix->length > 0 ? BAD_CAST a->prefix->bytes :
			    NULL) == NULL)
				return WS_E_INVALID_FORMAT;
		}
		xmlSetNs(x, xmlSearchNs(doc, x, n->elem.prefix->length > 0 ?
		    BAD_CAST n->elem.prefix->bytes : NULL));
		for (i = 0; i < n->elem.attributeCount && hr == S_OK; i++) {
			a = n->elem.attributes[i];
			if (a->isXmlNs)
				continue;
			ns = a->prefix->length > 0 ? xmlSearchNs(doc, x,
			    BAD_CAST a->prefix->bytes) : NULL;
			v.len = 0;
			if ((hr = xml_text_format(a->value, &v)) == S_OK) {
				xml_out_add(&v, "", 1);
				if (v.oom || xmlNewNsProp(x, ns,
				    BAD_CAST a->localName->bytes,
				    BAD_CAST v.p) == NULL)
					hr = E_OUTOFMEMORY;
			}
		}
		xml_out_free(&v);
		if (hr != S_OK)
			return hr;
		for (c = n->first; c != NULL; c = c->next)
			if ((hr = xml_binary_to_doc(c, doc, x)) != S_OK)
				return hr;
		return S_OK;
	case XML_KIND_TEXT:
	case XML_KIND_CDATA:
		/* CDATA is text to binary XML. */
		if (n->kind == XML_KIND_TEXT)
			hr = xml_text_format(n->text.text, &v);
		else
			for (c = n->first; c != NULL && hr == S_OK; c = c->next)
				hr = xml_text_format(c->text.text, &v);
		if (hr == S_OK) {
			if ((x = xmlNewDocTextLen(doc, v.p != NULL ? v.p :
			    BAD_CAST "", (int)v.len)) == NULL || v.oom) {
				xmlFreeNode(x);
				hr = E_OUTOFMEMORY;
			} else
				xml_binary_link(parent, x);
		}
		xml_out_free(&v);
		return hr;
	case XML_KIND_COMMENT:
		xml_out_add(&v, n->comment.value.bytes,
		    n->comment.value.length);
		xml_out_add(&v, "", 1);
		if (v.oom || (x = xmlNewDocComment(doc, v.p)) == NULL)
			hr = E_OUTOFMEMORY;
		else
			xml_binary_link(parent, x);
		xml_out_free(&v);
		return hr;
	case XML_KIND_ROOT:
		break;
	}
	return E_FAIL;
}

static HRESULT
xml_binary_encode_doc(xmlDocPtr doc, const struct xml_node *elem,
    const struct xml_binary_opts *opts, struct xml_out *o)
{
	struct xml_binary_wr w = { 0 };
	struct nbfx_wopts wo = { 0 };
	uint8_t *table = NULL, *bytes = NULL;
	size_t table_len, len, i;
	HRESULT hr;
	int rc;

	w.opts = opts;
	if ((hr = xml_binary_mark_tree(&w, elem,
	    xmlDocGetRootElement(doc))) != S_OK) {
		free(w.tab);
		xml_out_free(&w.vals);
		return hr;
	}
	for (i = 0; i < w.ntab; i++)
		w.tab[i].p = w.vals.p + (uintptr_t)w.tab[i].p;
	wo.tab = w.tab;
	wo.ntab = w.ntab;
	if (opts != NULL && opts->dynamic != NULL) {
		wo.dynamic = xml_binary_dynamic;
		wo.arg = &w;
	}
	w.cb_hr = S_OK;
	rc = nbfx_write_opts(doc, NULL, &wo, &table, &table_len, &bytes, &len);
	free(w.tab);
	xml_out_free(&w.vals);
	if (rc == -ECANCELED)
		return w.cb_hr;
	if (rc == -ENOMEM)
		return E_OUTOFMEMORY;
	if (rc < 0)
		return WS_E_INVALID_FORMAT;
	xml_out_add(o, bytes, len);
	free(bytes);
	free(table);
	return o->oom ? E_OUTOFMEMORY : S_OK;
}

/*
 * Each complete top-level element as its own document, concatenated (a
 * document has one root); top-level comments are dropped as the text
 * around them is, and top-level text cannot be binary.
 */
HRESULT
xml_binary_encode(const struct xml_node *root,
    const struct xml_binary_opts *opts, struct xml_out *o)
{
	const struct xml_node *c;
	xmlDocPtr doc;
	xmlNodePtr top, x;
	HRESULT hr = S_OK;

	for (c = root->first; c != NULL && hr == S_OK; c = c->next) {
		if (!c->closed)
			break;
		if (c->kind == XML_KIND_TEXT || c->kind == XML_KIND_CDATA)
			return WS_E_NOT_SUPPORTED;
		if (c->kind != XML_KIND_ELEMENT)
			continue;
		if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
		    (top = xmlNewDocNode(doc, NULL, BAD_CAST "_", NULL)) ==
		    NULL) {
			xmlFreeDoc(doc);
			return E_OUTOFMEMORY;
		}
		xmlDocSetRootElement(doc, top);
		if ((hr = xml_binary_to_doc(c, doc, top)) == S_OK) {
			/* Lift the element out of the helper root. */
			x = top->children;
			xmlUnlinkNode(x);
			xmlUnlinkNode(top);
			xmlFreeNode(top);
			xmlDocSetRootElement(doc, x);
			hr = xml_binary_encode_doc(doc, c, opts, o);
		}
		xmlFreeDoc(doc);
	}
	return hr;
}
