/*
 * A look at XML bytes ahead of the parsers (libxml2 for text, the MC-NBFX
 * codec for binary), which decide what is well-formed; this only finds
 * where nodes begin and end:
 *  - the byte offset of each node, and for text its 0-based row and column
 *    (WS_XML_READER_PROPERTY_ROW and _COLUMN), given to the tree's
 *    positions once the parser built it;
 *  - whether an element was written <a/> or <a></a>, which WsCopyNode
 *    keeps unless WS_XML_WRITER_PROPERTY_COMPRESS_EMPTY_ELEMENTS;
 *  - for a stream, how many of the bytes obtained so far make complete
 *    nodes (the cut) and which elements are still open there, so that the
 *    reader can read what was filled before the rest arrives.
 * Text runs are complete when what follows them is there (a '<', a record
 * that is not text), as one text node is made of the whole run.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

static void
xml_scan_ev(struct xml_scan *s, enum xml_scan_kind kind, size_t off)
{
	struct xml_scan_ev *e;
	size_t cap;

	if (s->nev == s->cap) {
		cap = s->cap == 0 ? 64 : 2 * s->cap;
		if ((e = reallocarray(s->ev, cap, sizeof(*e))) == NULL) {
			s->oom = true;
			return;
		}
		s->ev = e;
		s->cap = cap;
	}
	e = &s->ev[s->nev++];
	e->kind = kind;
	e->off = off;
	e->row = s->row;
	e->col = s->col;
}

void
xml_scan_free(struct xml_scan *s)
{
	free(s->ev);
	xml_out_free(&s->closes);
	memset(s, 0, sizeof(*s));
}

/* Rows and columns over [from, to): a line ends at LF, CR or CR LF; a
 * column is a character (a UTF-8 sequence). */
static void
xml_scan_walk(struct xml_scan *s, const uint8_t *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (p[i] == '\n' && i > 0 && p[i - 1] == '\r')
			continue;
		if (p[i] == '\n' || p[i] == '\r') {
			s->row++;
			s->col = 0;
		} else if ((p[i] & 0xc0) != 0x80)
			s->col++;
	}
}

static size_t
xml_scan_find(const uint8_t *p, size_t from, size_t n, const char *what)
{
	size_t k = strlen(what), i;

	for (i = from; i + k <= n; i++)
		if (memcmp(p + i, what, k) == 0)
			return i;
	return SIZE_MAX;
}

/* Is p[i..n) the start of `what` but shorter? */
static bool
xml_scan_short(const uint8_t *p, size_t i, size_t n, const char *what)
{
	size_t k = strlen(what);

	return n - i < k && memcmp(p + i, what, n - i) == 0;
}

struct xml_scan_names {
	size_t	*off, *len;
	size_t	 count, cap;
};

static void
xml_scan_push(struct xml_scan *s, struct xml_scan_names *nm, size_t off,
    size_t len)
{
	size_t cap;
	size_t *a, *b;

	if (nm->count == nm->cap) {
		cap = nm->cap == 0 ? 16 : 2 * nm->cap;
		a = reallocarray(nm->off, cap, sizeof(*a));
		if (a != NULL)
			nm->off = a;
		b = reallocarray(nm->len, cap, sizeof(*b));
		if (b != NULL)
			nm->len = b;
		if (a == NULL || b == NULL) {
			s->oom = true;
			return;
		}
		nm->cap = cap;
	}
	nm->off[nm->count] = off;
	nm->len[nm->count++] = len;
}

/* The markup at p[i] ('<'): its end (past it), SIZE_MAX while it is not
 * all there; events for what it starts. */
static size_t
xml_scan_markup(struct xml_scan *s, struct xml_scan_names *nm,
    const uint8_t *p, size_t i, size_t n, bool complete)
{
	size_t j, k;
	uint8_t q = 0;

	if (i + 1 >= n)
		return SIZE_MAX;
	if (p[i + 1] == '?')
		return (j = xml_scan_find(p, i + 2, n, "?>")) == SIZE_MAX ?
		    j : j + 2;
	if (p[i + 1] == '!') {
		if (!complete && (xml_scan_short(p, i, n, "<!--") ||
		    xml_scan_short(p, i, n, "<![CDATA[")))
			return SIZE_MAX;
		if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
			if ((j = xml_scan_find(p, i + 4, n, "-->")) ==
			    SIZE_MAX)
				return j;
			xml_scan_ev(s, XML_SCAN_COMMENT, i);
			return j + 3;
		}
		if (n - i >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0) {
			if ((j = xml_scan_find(p, i + 9, n, "]]>")) ==
			    SIZE_MAX)
				return j;
			xml_scan_ev(s, XML_SCAN_CDATA, i);
			xml_scan_walk(s, p, i, i + 9);
			xml_scan_ev(s, XML_SCAN_CDATA_TEXT, i + 9);
			xml_scan_walk(s, p, i + 9, j);
			xml_scan_ev(s, XML_SCAN_CDATA_END, j);
			s->walked = j;
			return j + 3;
		}
		/* A document type declaration: the parser refuses it. */
		return (j = xml_scan_find(p, i, n, ">")) == SIZE_MAX ? j :
		    j + 1;
	}
	if (p[i + 1] == '/') {
		if ((j = xml_scan_find(p, i + 2, n, ">")) == SIZE_MAX)
			return j;
		xml_scan_ev(s, XML_SCAN_END, i);
		if (nm->count > 0)
			nm->count--;
		return j + 1;
	}
	/* A start tag: its '>' is the first outside quoted values. */
	for (j = i + 1; j < n; j++) {
		if (q != 0) {
			if (p[j] == q)
				q = 0;
		} else if (p[j] == '"' || p[j] == '\'')
			q = p[j];
		else if (p[j] == '>')
			break;
	}
	if (j >= n)
		return SIZE_MAX;
	if (p[j - 1] == '/' && j - 1 > i) {
		xml_scan_ev(s, XML_SCAN_EMPTY, i);
		return j + 1;
	}
	xml_scan_ev(s, XML_SCAN_START, i);
	for (k = i + 1; k < j && strchr(" \t\r\n/>", p[k]) == NULL; k++)
		;
	xml_scan_push(s, nm, i + 1, k - i - 1);
	return j + 1;
}

void
xml_scan_text(const uint8_t *p, size_t n, bool complete, struct xml_scan *s)
{
	struct xml_scan_names nm = { 0 };
	const uint8_t *lt;
	size_t i = 0, j;

	while (i < n && !s->oom) {
		xml_scan_walk(s, p, s->walked, i);
		s->walked = i;
		if (p[i] != '<') {
			lt = memchr(p + i, '<', n - i);
			if (lt == NULL && !complete)
				break;
			xml_scan_ev(s, XML_SCAN_TEXT, i);
			i = s->cut = lt != NULL ? (size_t)(lt - p) : n;
			continue;
		}
		if ((j = xml_scan_markup(s, &nm, p, i, n, complete)) ==
		    SIZE_MAX)
			break;
		i = s->cut = j;
	}
	if (s->walked < s->cut)
		xml_scan_walk(s, p, s->walked, s->cut);
	s->walked = s->cut;
	/* End tags for the open elements, innermost first. */
	s->open = nm.count;
	while (nm.count > 0) {
		nm.count--;
		xml_out_str(&s->closes, "</");
		xml_out_add(&s->closes, p + nm.off[nm.count],
		    nm.len[nm.count]);
		xml_out_str(&s->closes, ">");
	}
	if (s->closes.oom)
		s->oom = true;
	free(nm.off);
	free(nm.len);
}

/* ---- binary (MC-NBFX records) ------------------------------------------ */

/* A MultiByteInt31's size, 0 while it is not all there (or malformed:
 * the codec says so once the stream ends). */
static size_t
xml_scan_mbi(const uint8_t *p, size_t i, size_t n, uint32_t *v)
{
	size_t k;

	*v = 0;
	for (k = 0; k < 5 && i + k < n; k++) {
		*v |= (uint32_t)(p[i + k] & 0x7f) << (7 * k);
		if ((p[i + k] & 0x80) == 0)
			return k + 1;
	}
	return 0;
}

/* A String (length, then bytes): its size or 0. */
static size_t
xml_scan_str(const uint8_t *p, size_t i, size_t n)
{
	uint32_t len;
	size_t k = xml_scan_mbi(p, i, n, &len);

	if (k == 0 || n - i - k < len)
		return 0;
	return k + len;
}

static size_t
xml_scan_le(const uint8_t *p, size_t k)
{
	size_t v = 0;

	while (k-- > 0)
		v = v << 8 | p[k];
	return v;
}

/* A text record (type `t` even) at p[i]: its size or 0. */
static size_t
xml_scan_record(const uint8_t *p, size_t i, size_t n)
{
	static const uint8_t fixed[] = {
		0, 0, 0, 0, 1, 2, 4, 8, 4, 8, 16, 8,	/* 0x80 .. 0x96 */
	};
	uint8_t t = (uint8_t)(p[i] & ~1);
	size_t k, len, j, sz;
	uint32_t v;

	if (t >= 0x80 && t <= 0x96)
		return n - i > fixed[(t - 0x80) / 2] ?
		    1 + fixed[(t - 0x80) / 2] : 0;
	switch (t) {
	case 0x98: case 0x9a: case 0x9c:	/* Chars8/16/32 */
	case 0x9e: case 0xa0: case 0xa2:	/* Bytes8/16/32 */
	case 0xb6: case 0xb8: case 0xba:	/* Unicode8/16/32 */
		k = (size_t)1 << ((t == 0x98 || t == 0x9e || t == 0xb6) ? 0 :
		    (t == 0x9a || t == 0xa0 || t == 0xb8) ? 1 : 2);
		if (n - i < 1 + k)
			return 0;
		len = xml_scan_le(p + i + 1, k);
		return n - i - 1 - k < len ? 0 : 1 + k + len;
	case 0xa4:	/* StartList: items up to EndList */
		for (j = i + 1; j < n && p[j] != 0xa6; j += sz)
			if (p[j] == 0xa4 || (sz = xml_scan_record(p, j,
			    n)) == 0)
				return 0;
		return j < n ? j + 1 - i : 0;
	case 0xa6: case 0xa8:
		return 1;
	case 0xaa:	/* Dictionary */
		return (k = xml_scan_mbi(p, i + 1, n, &v)) == 0 ? 0 : 1 + k;
	case 0xac: case 0xb0:
		return n - i > 16 ? 17 : 0;
	case 0xae: case 0xb2:
		return n - i > 8 ? 9 : 0;
	case 0xb4:
		return n - i > 1 ? 2 : 0;
	case 0xbc:	/* QNameDictionary: prefix, then the name's id */
		return n - i < 2 || (k = xml_scan_mbi(p, i + 2, n, &v)) == 0 ?
		    0 : 2 + k;
	default:
		return 0;
	}
}

/* The names of an element (type `t`) or attribute record from p[i]
 * (after the type byte): their size or 0. */
static size_t
xml_scan_names(const uint8_t *p, size_t i, size_t n, bool prefix,
    bool dict)
{
	size_t a = 0, b;
	uint32_t v;

	if (prefix && (a = xml_scan_str(p, i, n)) == 0)
		return 0;
	b = dict ? xml_scan_mbi(p, i + a, n, &v) : xml_scan_str(p, i + a, n);
	return b == 0 ? 0 : a + b;
}

/* An element record and its attributes at p[i]: its size, 0 while more is
 * needed (the next record tells whether the attributes are over). */
static size_t
xml_scan_element(const uint8_t *p, size_t i, size_t n, bool complete)
{
	uint8_t t = p[i];
	size_t j = i + 1, k;

	if (t <= 0x43)
		k = xml_scan_names(p, j, n, t == 0x41 || t == 0x43,
		    t == 0x42 || t == 0x43);
	else
		k = xml_scan_names(p, j, n, false, t <= 0x5d);
	if (k == 0)
		return 0;
	for (j += k; j < n && p[j] >= 0x04 && p[j] <= 0x3f; j += k) {
		t = p[j];
		if (t >= 0x0c)	/* prefix a..z: a dictionary or other name */
			k = xml_scan_names(p, j + 1, n, false, t <= 0x25);
		else
			k = xml_scan_names(p, j + 1, n, t == 0x05 ||
			    t == 0x07 || t == 0x09 || t == 0x0b,
			    t == 0x06 || t == 0x07 || t == 0x0a || t == 0x0b);
		if (k == 0)
			return 0;
		k++;
		/* Attributes other than xmlns have a text record. */
		if (t < 0x08 || t > 0x0b) {
			size_t r;

			if (j + k >= n || (r = xml_scan_record(p, j + k,
			    n)) == 0)
				return 0;
			k += r;
		}
	}
	return j < n || complete ? j - i : 0;
}

/* Array: an element, EndElement, a text type and count, the values. */
static size_t
xml_scan_array(struct xml_scan *s, const uint8_t *p, size_t i, size_t n)
{
	static const uint8_t fixed[] = {
		0, 0, 0, 0, 1, 2, 4, 8, 4, 8, 16, 8,
	};
	size_t j, k, sz;
	uint32_t count, m;
	uint8_t t;

	if (i + 1 >= n || p[i + 1] < 0x40 || p[i + 1] > 0x77 ||
	    (j = xml_scan_element(p, i + 1, n, false)) == 0)
		return 0;
	j += i + 1;
	if (j + 2 > n || p[j] != 0x01)
		return 0;
	t = (uint8_t)(p[j + 1] & ~1);
	if ((k = xml_scan_mbi(p, j + 2, n, &count)) == 0)
		return 0;
	if (t >= 0x80 && t <= 0x96)
		sz = fixed[(t - 0x80) / 2];
	else if (t == 0xae || t == 0xb2)
		sz = 8;
	else if (t == 0xac || t == 0xb0)
		sz = 16;
	else if (t == 0xb4)
		sz = 1;
	else
		return 0;
	j += 2 + k;
	if ((n - j) / (sz > 0 ? sz : 1) < count)
		return 0;
	for (m = 0; m < count && !s->oom; m++) {
		xml_scan_ev(s, XML_SCAN_START, i);
		xml_scan_ev(s, XML_SCAN_TEXT, i);
		xml_scan_ev(s, XML_SCAN_END, i);
	}
	return j + (size_t)count * sz - i;
}

void
xml_scan_binary(const uint8_t *p, size_t n, bool complete,
    struct xml_scan *s)
{
	size_t i = 0, j, k;
	uint8_t t;

	while (i < n && !s->oom) {
		t = p[i];
		if (t == 0x01) {
			xml_scan_ev(s, XML_SCAN_END, i);
			if (s->open > 0)
				s->open--;
			j = i + 1;
		} else if (t == 0x02) {
			if ((k = xml_scan_str(p, i + 1, n)) == 0)
				break;
			xml_scan_ev(s, XML_SCAN_COMMENT, i);
			j = i + 1 + k;
		} else if (t == 0x03) {
			if ((k = xml_scan_array(s, p, i, n)) == 0)
				break;
			j = i + k;
		} else if (t >= 0x40 && t <= 0x77) {
			if ((k = xml_scan_element(p, i, n, complete)) == 0)
				break;
			xml_scan_ev(s, XML_SCAN_START, i);
			s->open++;
			j = i + k;
		} else if (t >= 0x80 && t <= 0xbd) {
			/* A run of text records is one text node: complete
			 * when a record that is not text follows. */
			bool ended = false, more = false;

			for (j = i; j < n && p[j] >= 0x80 && p[j] <= 0xbd;
			    j += k) {
				if ((k = xml_scan_record(p, j, n)) == 0) {
					more = true;
					break;
				}
				if (p[j] & 1) {
					ended = true;
					j += k;
					break;
				}
			}
			if (more || (j >= n && !ended && !complete))
				break;
			xml_scan_ev(s, XML_SCAN_TEXT, i);
			if (ended) {
				xml_scan_ev(s, XML_SCAN_END, j - k);
				if (s->open > 0)
					s->open--;
			}
		} else
			break;	/* malformed: the codec tells */
		i = s->cut = j;
	}
	for (k = 0; k < s->open; k++)
		xml_out_add(&s->closes, "\x01", 1);
	if (s->closes.oom)
		s->oom = true;
}

void
xml_scan_shift(struct xml_scan *s, size_t bom)
{
	size_t e;

	for (e = 0; e < s->nev; e++)
		s->ev[e].off += bom;
	s->cut_in = s->cut + bom;
}

/* Moves offsets in UTF-8 `u` (what a UTF-16 input became) to offsets in
 * the input, which had `bom` bytes before. */
void
xml_scan_utf16(struct xml_scan *s, const uint8_t *u, size_t ulen,
    size_t bom)
{
	size_t i = 0, in = bom, e = 0, k;

	for (;;) {
		while (e < s->nev && s->ev[e].off <= i) {
			s->ev[e].off = in;
			e++;
		}
		if (s->cut == i)
			s->cut_in = in;
		if (i >= ulen)
			break;
		k = u[i] < 0x80 ? 1 : u[i] < 0xe0 ? 2 : u[i] < 0xf0 ? 3 : 4;
		in += k == 4 ? 4 : 2;
		i += k;
	}
}

/*
 * Gives the positions of the tree under `root`, in document order, the
 * places of the events; stops at the first that does not match (the
 * position keeps 0).  With `text`, an element without content written
 * <a></a> keeps its end tag (explicit_end).  The end of the document is
 * at the cut.
 */
void
xml_scan_assign(const struct xml_scan *s, struct xml_node *root, bool text)
{
	const struct xml_scan_ev *ev;
	struct xml_pos *p;
	struct xml_node *n;
	enum xml_scan_kind want;
	size_t e = 0;

	for (p = xml_pos_next(&root->at_start); p != NULL;
	    p = xml_pos_next(p)) {
		n = p->node;
		if (n == root) {
			p->row = s->row;
			p->col = s->col;
			p->off = s->cut_in;
			break;
		}
		if (e >= s->nev)
			break;
		ev = &s->ev[e++];
		switch (n->kind) {
		case XML_KIND_ELEMENT:
			want = p->end ? XML_SCAN_END : ev->kind ==
			    XML_SCAN_EMPTY && n->first == NULL ?
			    XML_SCAN_EMPTY : XML_SCAN_START;
			break;
		case XML_KIND_CDATA:
			want = p->end ? XML_SCAN_CDATA_END : XML_SCAN_CDATA;
			break;
		case XML_KIND_TEXT:
			want = n->parent->kind == XML_KIND_CDATA ?
			    XML_SCAN_CDATA_TEXT : XML_SCAN_TEXT;
			break;
		case XML_KIND_COMMENT:
			want = XML_SCAN_COMMENT;
			break;
		default:
			return;
		}
		if (ev->kind != want)
			return;
		p->row = ev->row;
		p->col = ev->col;
		p->off = ev->off;
		if (want == XML_SCAN_EMPTY) {
			/* One tag is both the start and the end. */
			n->at_end.row = ev->row;
			n->at_end.col = ev->col;
			n->at_end.off = ev->off;
			n->explicit_end = false;
			p = &n->at_end;
		} else if (want == XML_SCAN_START && text && n->first == NULL)
			n->explicit_end = true;
	}
}
