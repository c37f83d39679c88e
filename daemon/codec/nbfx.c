/*
 * .NET Binary Format for XML ([MC-NBFX]), its SOAP static dictionary
 * ([MC-NBFS]) and the in-band session dictionary ([MC-NBFSE]): the reader,
 * which turns records into a libxml2 tree as it goes.  The writer is
 * nbfx_write.c, the session dictionary nbfx_dict.c, what both share
 * nbfx_buf.c.
 *
 * Input is hostile: every read is checked against the end of the buffer,
 * nesting, width and the amount of text a document may expand to are
 * bounded, and every string that reaches the tree is checked to be UTF-8
 * made of XML characters, so the tree can always be serialized as XML.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "nbfx.h"
#include "nbfx_priv.h"
#include "nmf.h"

#define NBFX_TICKS_MAX		3155378975999999999ULL	/* 9999-12-31T23:59:59.9999999 */
#define NBFX_TICKS_PER_SECOND	10000000ULL
#define NBFX_TICKS_PER_DAY	864000000000ULL
/* How much text a document may expand to, beyond 16 times its size:
 * dictionary references and arrays expand, nothing legitimate by much. */
#define NBFX_EXPANSION_SLACK	(1u << 20)

static const char nbfx_letters[] = "abcdefghijklmnopqrstuvwxyz";

/* ---- reader -------------------------------------------------------------- */

struct nbfx_span {
	const char	*s;	/* NULL: absent (no prefix) */
	size_t		 len;
};

/* An attribute whose prefix is resolved once all xmlns records are in. */
struct nbfx_pending_attr {
	xmlAttrPtr	 attr;
	struct nbfx_span prefix;
};

struct nbfx_rd {
	const uint8_t		*p, *end;
	const struct nbfx_dict	*d;
	xmlDocPtr		 doc;
	const char		*why;
	size_t			 nodes;		/* left of NBFX_MAX_NODES */
	size_t			 budget;	/* text bytes the tree may still take */
	struct nbfx_buf		 text;		/* an attribute value, or the
						 * element text not yet flushed */
	struct nbfx_pending_attr attrs[NBFX_MAX_ATTRS];
	/* nbfx_read_typed: the text records gathered in r->text (how many,
	 * the first one), and the table of typed records handed out. */
	bool			 typed;
	size_t			 nrec;
	struct nbfx_typed	 rec;
	struct nbfx_typed	*tab;
	size_t			 ntab, captab;
};

static int
nbfx_fail(struct nbfx_rd *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
	return -EBADMSG;
}

static int
nbfx_rd_need(struct nbfx_rd *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return nbfx_fail(r, "record truncated");
	return 0;
}

static int
nbfx_rd_u8(struct nbfx_rd *r, uint8_t *v)
{
	if (r->p == r->end)
		return nbfx_fail(r, "record truncated");
	*v = *r->p++;
	return 0;
}

static uint64_t
nbfx_le(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

/* Reads an n-byte little-endian unsigned integer. */
static int
nbfx_rd_uint(struct nbfx_rd *r, size_t n, uint64_t *v)
{
	int	 rc;

	if ((rc = nbfx_rd_need(r, n)) < 0)
		return rc;
	*v = nbfx_le(r->p, n);
	r->p += n;
	return 0;
}

static int
nbfx_rd_mbi31(struct nbfx_rd *r, uint32_t *v)
{
	int	 n;

	n = nmf_mbi31_decode(r->p, (size_t)(r->end - r->p), v);
	if (n == 0)
		return nbfx_fail(r, "record truncated");
	if (n < 0)
		return nbfx_fail(r, "bad MultiByteInt31");
	r->p += n;
	return 0;
}

static int
nbfx_rd_span(struct nbfx_rd *r, size_t n, struct nbfx_span *s)
{
	int	 rc;

	if ((rc = nbfx_rd_need(r, n)) < 0)
		return rc;
	s->s = (const char *)r->p;
	s->len = n;
	r->p += n;
	return 0;
}

/* A String: MultiByteInt31 length and UTF-8 bytes, not yet checked. */
static int
nbfx_rd_string(struct nbfx_rd *r, struct nbfx_span *s)
{
	uint32_t	 n;
	int		 rc;

	if ((rc = nbfx_rd_mbi31(r, &n)) < 0)
		return rc;
	return nbfx_rd_span(r, n, s);
}

/* A DictionaryString: even ids are static, odd ids the session's. */
static int
nbfx_rd_dict_string(struct nbfx_rd *r, struct nbfx_span *s)
{
	uint32_t	 id;
	int		 rc;

	if ((rc = nbfx_rd_mbi31(r, &id)) < 0)
		return rc;
	if ((id & 1) == 0) {
		if (id / 2 >= NBFS_DICT_COUNT_READ)
			return nbfx_fail(r, "static dictionary id out of range");
		s->s = nbfs_dict[id / 2].s;
		s->len = nbfs_dict[id / 2].len;
		return 0;
	}
	if (r->d == NULL)
		return nbfx_fail(r, "session dictionary id without a session");
	if ((s->s = nbfx_dict_string(r->d, id / 2, &s->len)) == NULL)
		return nbfx_fail(r, "session dictionary id not in the dictionary");
	return 0;
}

/* Charges `n` bytes of tree text against the expansion budget. */
static int
nbfx_rd_charge(struct nbfx_rd *r, size_t n)
{
	if (n > r->budget)
		return nbfx_fail(r, "document expands beyond the limit");
	r->budget -= n;
	return 0;
}

static int
nbfx_rd_node(struct nbfx_rd *r)
{
	if (r->nodes == 0)
		return nbfx_fail(r, "too many nodes");
	r->nodes--;
	return 0;
}

/* Records `rec` as the typed value of a node (its _private), when typed
 * records are asked for and `rec` is one that WWSAPI keeps typed. */
static int
nbfx_rd_annotate(struct nbfx_rd *r, void **priv, const struct nbfx_typed *rec)
{
	struct nbfx_typed	*n;
	size_t			 cap;

	if (!r->typed)
		return 0;
	switch (rec->type) {
	case NBFX_CHARS8_TEXT:
	case NBFX_CHARS16_TEXT:
	case NBFX_CHARS32_TEXT:
	case NBFX_UNICODE8_TEXT:
	case NBFX_UNICODE16_TEXT:
	case NBFX_UNICODE32_TEXT:
	case NBFX_EMPTY_TEXT:
	case NBFX_DICTIONARY_TEXT:
		return 0;
	}
	if (r->ntab == r->captab) {
		cap = r->captab == 0 ? 16 : 2 * r->captab;
		if ((n = reallocarray(r->tab, cap, sizeof(*n))) == NULL)
			return -ENOMEM;
		r->tab = n;
		r->captab = cap;
	}
	r->tab[r->ntab++] = *rec;
	*priv = (void *)(uintptr_t)r->ntab;
	return 0;
}

/* Appends checked text to the scratch buffer. */
static int
nbfx_text_add(struct nbfx_rd *r, const void *s, size_t n)
{
	int	 rc;

	if ((rc = nbfx_rd_charge(r, n)) < 0)
		return rc;
	if (nbfx_buf_add(&r->text, s, n) < 0)
		return -ENOMEM;
	return 0;
}

static int
nbfx_text_str(struct nbfx_rd *r, const char *s)
{
	return nbfx_text_add(r, s, strlen(s));
}

static int
nbfx_text_utf8(struct nbfx_rd *r, const struct nbfx_span *s)
{
	if (!nbfx_xml_chars((const uint8_t *)s->s, s->len))
		return nbfx_fail(r, "text is not UTF-8 XML characters");
	return nbfx_text_add(r, s->s, s->len);
}

static int
nbfx_text_base64(struct nbfx_rd *r, const uint8_t *p, size_t n)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			 q[4];
	uint32_t		 v;
	size_t			 i;
	int			 rc;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		if ((rc = nbfx_text_add(r, q, 4)) < 0)
			return rc;
	}
	return 0;
}

/* UTF-16LE (UnicodeChars records) to UTF-8, refusing lone surrogates. */
static int
nbfx_text_utf16(struct nbfx_rd *r, const uint8_t *p, size_t n)
{
	uint8_t		 u[4];
	uint32_t	 c, c2;
	size_t		 i, k;
	int		 rc;

	if (n % 2 != 0)
		return nbfx_fail(r, "odd UTF-16 length");
	for (i = 0; i < n; i += 2) {
		c = (uint32_t)nbfx_le(p + i, 2);
		if (c >= 0xd800 && c <= 0xdbff) {
			if (i + 2 >= n)
				return nbfx_fail(r, "lone UTF-16 surrogate");
			c2 = (uint32_t)nbfx_le(p + i + 2, 2);
			if (c2 < 0xdc00 || c2 > 0xdfff)
				return nbfx_fail(r, "lone UTF-16 surrogate");
			c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
			i += 2;
		} else if (c >= 0xdc00 && c <= 0xdfff)
			return nbfx_fail(r, "lone UTF-16 surrogate");
		if (c < 0x80) {
			u[0] = (uint8_t)c, k = 1;
		} else if (c < 0x800) {
			u[0] = (uint8_t)(0xc0 | c >> 6);
			u[1] = (uint8_t)(0x80 | (c & 0x3f)), k = 2;
		} else if (c < 0x10000) {
			u[0] = (uint8_t)(0xe0 | c >> 12);
			u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (uint8_t)(0x80 | (c & 0x3f)), k = 3;
		} else {
			u[0] = (uint8_t)(0xf0 | c >> 18);
			u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
			u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			u[3] = (uint8_t)(0x80 | (c & 0x3f)), k = 4;
		}
		if (!nbfx_xml_chars(u, k))
			return nbfx_fail(r, "text is not XML characters");
		if ((rc = nbfx_text_add(r, u, k)) < 0)
			return rc;
	}
	return 0;
}

/*
 * Shortest decimal form that reads back as the same value, spelled as .NET
 * spells "R": fixed notation for exponents -5 < x < sci, otherwise
 * d.dddE+xx.  `is_float` checks the round trip in single precision.
 */
static int
nbfx_text_real(struct nbfx_rd *r, double v, bool is_float)
{
	char	 tmp[64], digits[32], out[80];
	char	*e;
	int	 prec, nd = 0, x, i, o = 0, sci = is_float ? 7 : 15;

	if (isnan(v))
		return nbfx_text_str(r, "NaN");
	if (isinf(v))
		return nbfx_text_str(r, v > 0 ? "INF" : "-INF");
	if (v == 0)
		return nbfx_text_str(r, signbit(v) ? "-0" : "0");
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (is_float ? strtof(tmp, NULL) == (float)v :
		    strtod(tmp, NULL) == v)
			break;
	}
	/* Digits and exponent, whatever the locale's decimal point. */
	if ((e = strchr(tmp, 'e')) == NULL)
		return nbfx_fail(r, "unformattable number");
	for (i = 0; tmp + i < e; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9' && nd < (int)sizeof(digits))
			digits[nd++] = tmp[i];
	x = (int)strtol(e + 1, NULL, 10);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (v < 0)
		out[o++] = '-';
	if (x >= -5 + 1 && x < sci) {
		if (x < 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (i = -1; i > x; i--)
				out[o++] = '0';
			for (i = 0; i < nd; i++)
				out[o++] = digits[i];
		} else {
			for (i = 0; i <= x; i++)
				out[o++] = i < nd ? digits[i] : '0';
			if (nd > x + 1) {
				out[o++] = '.';
				for (i = x + 1; i < nd; i++)
					out[o++] = digits[i];
			}
		}
		out[o] = '\0';
	} else {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			for (i = 1; i < nd; i++)
				out[o++] = digits[i];
		}
		snprintf(out + o, sizeof(out) - (size_t)o, "E%c%02d",
		    x < 0 ? '-' : '+', x < 0 ? -x : x);
	}
	return nbfx_text_str(r, out);
}

/*
 * DecimalText: 16 bytes laid out as the MS-OAUT DECIMAL (wReserved, scale,
 * sign, Hi32, Lo64); the text keeps the scale's trailing zeros, like .NET.
 */
static int
nbfx_text_decimal(struct nbfx_rd *r, const uint8_t *p)
{
	uint32_t	 limb[3];	/* most significant first */
	uint64_t	 cur, rem;
	char		 digits[40], out[48];
	unsigned	 scale = p[2], sign = p[3];
	int		 nd = 0, i, o = 0;
	bool		 zero;

	if (p[0] != 0 || p[1] != 0 || scale > 28 || (sign != 0 && sign != 0x80))
		return nbfx_fail(r, "bad DecimalText");
	limb[0] = (uint32_t)nbfx_le(p + 4, 4);
	limb[2] = (uint32_t)nbfx_le(p + 8, 4);
	limb[1] = (uint32_t)nbfx_le(p + 12, 4);
	do {
		rem = 0;
		zero = true;
		for (i = 0; i < 3; i++) {
			cur = (rem << 32) | limb[i];
			limb[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
			if (limb[i] != 0)
				zero = false;
		}
		digits[nd++] = (char)('0' + rem);
	} while (!zero);
	/* digits[] is least significant first; pad to scale + 1 digits. */
	while (nd <= (int)scale)
		digits[nd++] = '0';
	zero = true;
	for (i = 0; i < nd; i++)
		if (digits[i] != '0')
			zero = false;
	if (sign != 0 && !zero)
		out[o++] = '-';
	for (i = nd - 1; i >= 0; i--) {
		out[o++] = digits[i];
		if (i == (int)scale && scale != 0)
			out[o++] = '.';
	}
	out[o] = '\0';
	return nbfx_text_str(r, out);
}

/* Proleptic Gregorian date of a day count from 0001-01-01. */
static void
nbfx_civil(int64_t days, int *year, int *month, int *day)
{
	int64_t	 z = days - 719162 + 719468;	/* from 0000-03-01 */
	int64_t	 era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t	 doe = z - era * 146097;
	int64_t	 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t	 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t	 mp = (5 * doy + 2) / 153;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

/* Seven-digit fraction of a second with trailing zeros dropped. */
static void
nbfx_fraction(char *out, size_t cap, uint64_t ticks)
{
	int	 n;

	n = snprintf(out, cap, ".%07" PRIu64, ticks);
	while (n > 1 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n == 1)
		out[0] = '\0';
}

/*
 * DateTimeText: 62 bits of ticks and 2 bits of kind on top.  Like .NET's
 * DateTime.ToBinary, a local time travels as UTC ticks; with no zone of
 * our own to convert to, we write that instant with offset +00:00.
 */
static int
nbfx_text_datetime(struct nbfx_rd *r, uint64_t raw)
{
	static const char	*suffix[] = { "", "Z", "+00:00" };
	uint64_t		 ticks = raw & 0x3fffffffffffffffULL;
	unsigned		 kind = (unsigned)(raw >> 62);
	uint64_t		 tod;
	char			 frac[16], out[64];
	int			 y, m, d;

	if (kind > 2 || ticks > NBFX_TICKS_MAX)
		return nbfx_fail(r, "bad DateTimeText");
	nbfx_civil((int64_t)(ticks / NBFX_TICKS_PER_DAY), &y, &m, &d);
	tod = ticks % NBFX_TICKS_PER_DAY;
	nbfx_fraction(frac, sizeof(frac), tod % NBFX_TICKS_PER_SECOND);
	tod /= NBFX_TICKS_PER_SECOND;
	snprintf(out, sizeof(out), "%04d-%02d-%02dT%02u:%02u:%02u%s%s",
	    y, m, d, (unsigned)(tod / 3600), (unsigned)(tod / 60 % 60),
	    (unsigned)(tod % 60), frac, suffix[kind]);
	return nbfx_text_str(r, out);
}

/* TimeSpanText: signed ticks as an xsd:duration, the way XmlConvert does. */
static int
nbfx_text_timespan(struct nbfx_rd *r, int64_t v)
{
	uint64_t	 t = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	uint64_t	 days, h, m, s, f;
	char		 out[96], frac[16];
	int		 o = 0;

	days = t / NBFX_TICKS_PER_DAY;
	t %= NBFX_TICKS_PER_DAY;
	h = t / (3600 * NBFX_TICKS_PER_SECOND);
	m = t / (60 * NBFX_TICKS_PER_SECOND) % 60;
	s = t / NBFX_TICKS_PER_SECOND % 60;
	f = t % NBFX_TICKS_PER_SECOND;
	o += snprintf(out + o, sizeof(out) - (size_t)o, "%sP", v < 0 ? "-" : "");
	if (days != 0)
		o += snprintf(out + o, sizeof(out) - (size_t)o, "%" PRIu64 "D", days);
	if (h != 0 || m != 0 || s != 0 || f != 0) {
		out[o++] = 'T';
		if (h != 0)
			o += snprintf(out + o, sizeof(out) - (size_t)o, "%" PRIu64 "H", h);
		if (m != 0)
			o += snprintf(out + o, sizeof(out) - (size_t)o, "%" PRIu64 "M", m);
		if (s != 0 || f != 0) {
			nbfx_fraction(frac, sizeof(frac), f);
			o += snprintf(out + o, sizeof(out) - (size_t)o,
			    "%" PRIu64 "%sS", s, frac);
		}
	}
	if (out[o - 1] == 'P')
		o += snprintf(out + o, sizeof(out) - (size_t)o, "T0S");
	return nbfx_text_str(r, out);
}

/* A GUID in its mixed-endian byte order, lower-case hex like .NET. */
static int
nbfx_text_guid(struct nbfx_rd *r, const uint8_t *p, bool urn)
{
	char	 out[64];

	snprintf(out, sizeof(out), "%s%08" PRIx32 "-%04x-%04x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", urn ? "urn:uuid:" : "",
	    (uint32_t)nbfx_le(p, 4), (unsigned)nbfx_le(p + 4, 2),
	    (unsigned)nbfx_le(p + 6, 2), p[8], p[9], p[10], p[11], p[12],
	    p[13], p[14], p[15]);
	return nbfx_text_str(r, out);
}

/* Length of a Chars/Bytes/UnicodeChars record: 1, 2 or 4 bytes. */
static int
nbfx_rd_length(struct nbfx_rd *r, size_t width, size_t *n)
{
	uint64_t	 v;
	int		 rc;

	if ((rc = nbfx_rd_uint(r, width, &v)) < 0)
		return rc;
	if (v > NBFX_MAX_STRING)
		return nbfx_fail(r, "negative length");
	*n = (size_t)v;
	return nbfx_rd_need(r, *n);
}

static int nbfx_rd_text(struct nbfx_rd *, uint8_t, bool);

static int
nbfx_rd_list(struct nbfx_rd *r)
{
	uint8_t	 t;
	bool	 first = true;
	int	 rc;

	for (;;) {
		if ((rc = nbfx_rd_u8(r, &t)) < 0)
			return rc;
		if (t == NBFX_END_LIST_TEXT)
			return 0;
		if (!first && (rc = nbfx_text_add(r, " ", 1)) < 0)
			return rc;
		first = false;
		if ((rc = nbfx_rd_text(r, t, true)) < 0)
			return rc;
	}
}

/*
 * Reads the value of text record `t` (its type byte already consumed; a
 * WithEndElement twin is the caller's business) and appends its canonical
 * text to r->text.
 */
static int
nbfx_rd_text(struct nbfx_rd *r, uint8_t t, bool in_list)
{
	struct nbfx_span	 s, name;
	uint64_t		 v;
	uint32_t		 u32;
	uint8_t			 b;
	size_t			 n;
	char			 num[32];
	float			 f;
	double			 dbl;
	int			 rc;

	if (t < NBFX_ZERO_TEXT || t > NBFX_LAST_TEXT || (t & 1) != 0)
		return nbfx_fail(r, "not a text record");
	switch (t) {
	case NBFX_ZERO_TEXT:
		return nbfx_text_str(r, "0");
	case NBFX_ONE_TEXT:
		return nbfx_text_str(r, "1");
	case NBFX_FALSE_TEXT:
		return nbfx_text_str(r, "false");
	case NBFX_TRUE_TEXT:
		return nbfx_text_str(r, "true");
	case NBFX_INT8_TEXT:
	case NBFX_INT16_TEXT:
	case NBFX_INT32_TEXT:
	case NBFX_INT64_TEXT:
		n = (size_t)1 << ((t - NBFX_INT8_TEXT) / 2);
		if ((rc = nbfx_rd_uint(r, n, &v)) < 0)
			return rc;
		/* Sign-extend from n bytes. */
		if (n < 8 && (v >> (8 * n - 1)) != 0)
			v |= ~(uint64_t)0 << (8 * n);
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)v);
		return nbfx_text_str(r, num);
	case NBFX_UINT64_TEXT:
		if ((rc = nbfx_rd_uint(r, 8, &v)) < 0)
			return rc;
		snprintf(num, sizeof(num), "%" PRIu64, v);
		return nbfx_text_str(r, num);
	case NBFX_FLOAT_TEXT:
		if ((rc = nbfx_rd_uint(r, 4, &v)) < 0)
			return rc;
		u32 = (uint32_t)v;
		memcpy(&f, &u32, sizeof(f));
		return nbfx_text_real(r, f, true);
	case NBFX_DOUBLE_TEXT:
		if ((rc = nbfx_rd_uint(r, 8, &v)) < 0)
			return rc;
		memcpy(&dbl, &v, sizeof(dbl));
		return nbfx_text_real(r, dbl, false);
	case NBFX_DECIMAL_TEXT:
		if ((rc = nbfx_rd_span(r, 16, &s)) < 0)
			return rc;
		return nbfx_text_decimal(r, (const uint8_t *)s.s);
	case NBFX_DATETIME_TEXT:
		if ((rc = nbfx_rd_uint(r, 8, &v)) < 0)
			return rc;
		return nbfx_text_datetime(r, v);
	case NBFX_CHARS8_TEXT:
	case NBFX_CHARS16_TEXT:
	case NBFX_CHARS32_TEXT:
		if ((rc = nbfx_rd_length(r, (size_t)1 << ((t - NBFX_CHARS8_TEXT) / 2),
		    &n)) < 0 || (rc = nbfx_rd_span(r, n, &s)) < 0)
			return rc;
		return nbfx_text_utf8(r, &s);
	case NBFX_BYTES8_TEXT:
	case NBFX_BYTES16_TEXT:
	case NBFX_BYTES32_TEXT:
		if ((rc = nbfx_rd_length(r, (size_t)1 << ((t - NBFX_BYTES8_TEXT) / 2),
		    &n)) < 0 || (rc = nbfx_rd_span(r, n, &s)) < 0)
			return rc;
		return nbfx_text_base64(r, (const uint8_t *)s.s, n);
	case NBFX_UNICODE8_TEXT:
	case NBFX_UNICODE16_TEXT:
	case NBFX_UNICODE32_TEXT:
		if ((rc = nbfx_rd_length(r,
		    (size_t)1 << ((t - NBFX_UNICODE8_TEXT) / 2), &n)) < 0 ||
		    (rc = nbfx_rd_span(r, n, &s)) < 0)
			return rc;
		return nbfx_text_utf16(r, (const uint8_t *)s.s, n);
	case NBFX_START_LIST_TEXT:
		if (in_list)
			return nbfx_fail(r, "nested list");
		return nbfx_rd_list(r);
	case NBFX_END_LIST_TEXT:
		return nbfx_fail(r, "EndListText without StartListText");
	case NBFX_EMPTY_TEXT:
		return 0;
	case NBFX_DICTIONARY_TEXT:
		if ((rc = nbfx_rd_dict_string(r, &s)) < 0)
			return rc;
		return nbfx_text_utf8(r, &s);
	case NBFX_UNIQUE_ID_TEXT:
	case NBFX_UUID_TEXT:
		if ((rc = nbfx_rd_span(r, 16, &s)) < 0)
			return rc;
		return nbfx_text_guid(r, (const uint8_t *)s.s,
		    t == NBFX_UNIQUE_ID_TEXT);
	case NBFX_TIMESPAN_TEXT:
		if ((rc = nbfx_rd_uint(r, 8, &v)) < 0)
			return rc;
		return nbfx_text_timespan(r, (int64_t)v);
	case NBFX_BOOL_TEXT:
		if ((rc = nbfx_rd_u8(r, &b)) < 0)
			return rc;
		/* .NET reads any non-zero byte as true. */
		return nbfx_text_str(r, b != 0 ? "true" : "false");
	case NBFX_QNAME_DICT_TEXT:
		/* One byte for the prefix letter, then a DictionaryString
		 * (MultiByteInt31), as .NET reads and writes it. */
		if ((rc = nbfx_rd_u8(r, &b)) < 0)
			return rc;
		if (b >= 26)
			return nbfx_fail(r, "bad QNameDictionaryText prefix");
		if ((rc = nbfx_rd_dict_string(r, &name)) < 0)
			return rc;
		if ((rc = nbfx_text_add(r, &nbfx_letters[b], 1)) < 0 ||
		    (rc = nbfx_text_add(r, ":", 1)) < 0)
			return rc;
		return nbfx_text_utf8(r, &name);
	}
	return nbfx_fail(r, "not a text record");
}

/* Reads one text record into r->text as a NUL-terminated string. */
static int
nbfx_rd_text_value(struct nbfx_rd *r, uint8_t t)
{
	int	 rc;

	r->text.len = 0;
	if ((rc = nbfx_rd_text(r, t, false)) < 0)
		return rc;
	if (nbfx_buf_byte(&r->text, 0) < 0)
		return -ENOMEM;
	r->text.len--;
	return 0;
}

/* A name (element or attribute local name, prefix) checked as an NCName. */
static int
nbfx_rd_ncname(struct nbfx_rd *r, const struct nbfx_span *s, xmlChar **out)
{
	int	 rc;

	if (s->len == 0 || !nbfx_xml_chars((const uint8_t *)s->s, s->len))
		return nbfx_fail(r, "bad name");
	if ((rc = nbfx_rd_charge(r, s->len)) < 0)
		return rc;
	if ((*out = xmlStrndup((const xmlChar *)s->s, (int)s->len)) == NULL)
		return -ENOMEM;
	if (xmlValidateNCName(*out, 0) != 0) {
		xmlFree(*out);
		*out = NULL;
		return nbfx_fail(r, "name is not an NCName");
	}
	return 0;
}

static bool
nbfx_span_is(const struct nbfx_span *s, const char *lit)
{
	return s->s != NULL && s->len == strlen(lit) &&
	    memcmp(s->s, lit, s->len) == 0;
}

/* Binds a prefix (NULL: the default namespace) on `node`. */
static int
nbfx_rd_xmlns(struct nbfx_rd *r, xmlNodePtr node,
    const struct nbfx_span *prefix, const struct nbfx_span *href)
{
	xmlChar		*p = NULL, *h;
	xmlNsPtr	 ns;
	int		 rc;

	if (!nbfx_xml_chars((const uint8_t *)href->s, href->len))
		return nbfx_fail(r, "namespace is not UTF-8 XML characters");
	if (nbfx_span_is(href, (const char *)XML_XML_NAMESPACE) &&
	    !nbfx_span_is(prefix, "xml"))
		return nbfx_fail(r, "the XML namespace bound to another prefix");
	if (nbfx_span_is(href, "http://www.w3.org/2000/xmlns/"))
		return nbfx_fail(r, "the xmlns namespace declared");
	if (prefix->s != NULL) {
		if (nbfx_span_is(prefix, "xmlns"))
			return nbfx_fail(r, "the xmlns prefix declared");
		if (href->len == 0)
			return nbfx_fail(r, "a prefix bound to no namespace");
		if (nbfx_span_is(prefix, "xml")) {
			/* Already bound, and only to this. */
			if (!nbfx_span_is(href, (const char *)XML_XML_NAMESPACE))
				return nbfx_fail(r, "the xml prefix rebound");
			return 0;
		}
		if ((rc = nbfx_rd_ncname(r, prefix, &p)) < 0)
			return rc;
	}
	for (ns = node->nsDef; ns != NULL; ns = ns->next) {
		if (xmlStrEqual(ns->prefix, p)) {
			xmlFree(p);
			return nbfx_fail(r, "a prefix declared twice on an element");
		}
	}
	if ((rc = nbfx_rd_charge(r, href->len)) < 0 ||
	    (rc = nbfx_rd_node(r)) < 0) {
		xmlFree(p);
		return rc;
	}
	if ((h = xmlStrndup((const xmlChar *)href->s, (int)href->len)) == NULL) {
		xmlFree(p);
		return -ENOMEM;
	}
	ns = xmlNewNs(node, h, p);
	xmlFree(h);
	xmlFree(p);
	return ns != NULL ? 0 : -ENOMEM;
}

/* The namespace a prefix stands for on `node`; NULL for none. */
static int
nbfx_rd_resolve(struct nbfx_rd *r, xmlNodePtr node,
    const struct nbfx_span *prefix, bool attribute, xmlNsPtr *out)
{
	xmlChar		*p = NULL;
	xmlNsPtr	 ns;

	*out = NULL;
	if (prefix->s == NULL) {
		if (attribute)
			return 0;	/* unprefixed attributes have none */
		ns = xmlSearchNs(r->doc, node, NULL);
		if (ns != NULL && ns->href != NULL && ns->href[0] != '\0')
			*out = ns;
		return 0;
	}
	if (!nbfx_xml_chars((const uint8_t *)prefix->s, prefix->len))
		return nbfx_fail(r, "bad prefix");
	if ((p = xmlStrndup((const xmlChar *)prefix->s, (int)prefix->len)) == NULL)
		return -ENOMEM;
	ns = xmlSearchNs(r->doc, node, p);
	xmlFree(p);
	if (ns == NULL || ns->href == NULL || ns->href[0] == '\0')
		return nbfx_fail(r, "prefix not declared");
	*out = ns;
	return 0;
}

/* Same local name in the same namespace. */
static bool
nbfx_same_attr(const xmlAttr *a, const xmlAttr *b)
{
	if (!xmlStrEqual(a->name, b->name))
		return false;
	if (a->ns == NULL || b->ns == NULL)
		return a->ns == b->ns;
	return xmlStrEqual(a->ns->href, b->ns->href);
}

/* The prefix (absent: s NULL) and local name of element record `t`. */
static int
nbfx_rd_element_name(struct nbfx_rd *r, uint8_t t, struct nbfx_span *prefix,
    struct nbfx_span *name)
{
	int	 rc;

	switch (t) {
	case NBFX_SHORT_ELEMENT:
		rc = nbfx_rd_string(r, name);
		break;
	case NBFX_ELEMENT:
		if ((rc = nbfx_rd_string(r, prefix)) == 0)
			rc = nbfx_rd_string(r, name);
		break;
	case NBFX_SHORT_DICT_ELEMENT:
		rc = nbfx_rd_dict_string(r, name);
		break;
	case NBFX_DICT_ELEMENT:
		if ((rc = nbfx_rd_string(r, prefix)) == 0)
			rc = nbfx_rd_dict_string(r, name);
		break;
	default:
		if (t >= NBFX_PREFIX_DICT_ELEMENT_A && t < NBFX_PREFIX_ELEMENT_A) {
			prefix->s = &nbfx_letters[t - NBFX_PREFIX_DICT_ELEMENT_A];
			prefix->len = 1;
			rc = nbfx_rd_dict_string(r, name);
		} else if (t >= NBFX_PREFIX_ELEMENT_A &&
		    t < NBFX_PREFIX_ELEMENT_A + 26) {
			prefix->s = &nbfx_letters[t - NBFX_PREFIX_ELEMENT_A];
			prefix->len = 1;
			rc = nbfx_rd_string(r, name);
		} else
			rc = nbfx_fail(r, "not an element record");
		break;
	}
	return rc;
}

/*
 * Reads an element record (type `t` consumed) and the attribute records
 * after it, adds the element to `parent` (the document when NULL) and
 * resolves its prefixes.
 */
static int
nbfx_rd_element(struct nbfx_rd *r, uint8_t t, xmlNodePtr parent,
    xmlNodePtr *out)
{
	struct nbfx_span	 prefix = { NULL, 0 }, name, aprefix, aname, href;
	struct nbfx_pending_attr *pa;
	struct nbfx_typed	 rec;
	xmlNodePtr		 node;
	xmlNsPtr		 ns;
	xmlChar			*lname;
	size_t			 nattrs = 0, npend = 0, i, j;
	uint8_t			 a;
	int			 rc;

	if ((rc = nbfx_rd_element_name(r, t, &prefix, &name)) < 0)
		return rc;
	if (prefix.s != NULL && prefix.len == 0)
		prefix.s = NULL;	/* an empty prefix is no prefix */
	if (prefix.s != NULL && nbfx_span_is(&prefix, "xmlns"))
		return nbfx_fail(r, "element with the xmlns prefix");
	if ((rc = nbfx_rd_node(r)) < 0 || (rc = nbfx_rd_ncname(r, &name, &lname)) < 0)
		return rc;
	node = xmlNewDocNode(r->doc, NULL, lname, NULL);
	xmlFree(lname);
	if (node == NULL)
		return -ENOMEM;
	if (xmlAddChild(parent != NULL ? parent : (xmlNodePtr)r->doc, node) == NULL) {
		xmlFreeNode(node);
		return -ENOMEM;
	}
	if (prefix.s != NULL && (rc = nbfx_rd_ncname(r, &prefix, &lname)) < 0)
		return rc;
	if (prefix.s != NULL)
		xmlFree(lname);

	/* Attributes: records 0x04..0x3f right after the element record. */
	while (r->p < r->end && *r->p >= NBFX_SHORT_ATTRIBUTE &&
	    *r->p < NBFX_SHORT_ELEMENT) {
		a = *r->p++;
		if (nattrs == NBFX_MAX_ATTRS)
			return nbfx_fail(r, "too many attributes");
		aprefix.s = NULL;
		aprefix.len = 0;
		switch (a) {
		case NBFX_SHORT_XMLNS:
		case NBFX_SHORT_DICT_XMLNS:
		case NBFX_XMLNS:
		case NBFX_DICT_XMLNS:
			if ((a == NBFX_XMLNS || a == NBFX_DICT_XMLNS) &&
			    (rc = nbfx_rd_string(r, &aprefix)) < 0)
				return rc;
			if (a == NBFX_SHORT_XMLNS || a == NBFX_XMLNS)
				rc = nbfx_rd_string(r, &href);
			else
				rc = nbfx_rd_dict_string(r, &href);
			if (rc < 0)
				return rc;
			if (aprefix.s != NULL && aprefix.len == 0)
				return nbfx_fail(r, "xmlns record with an empty prefix");
			if ((rc = nbfx_rd_xmlns(r, node, &aprefix, &href)) < 0)
				return rc;
			nattrs++;
			continue;
		case NBFX_SHORT_ATTRIBUTE:
			rc = nbfx_rd_string(r, &aname);
			break;
		case NBFX_ATTRIBUTE:
			if ((rc = nbfx_rd_string(r, &aprefix)) == 0)
				rc = nbfx_rd_string(r, &aname);
			break;
		case NBFX_SHORT_DICT_ATTRIBUTE:
			rc = nbfx_rd_dict_string(r, &aname);
			break;
		case NBFX_DICT_ATTRIBUTE:
			if ((rc = nbfx_rd_string(r, &aprefix)) == 0)
				rc = nbfx_rd_dict_string(r, &aname);
			break;
		default:
			if (a < NBFX_PREFIX_ATTRIBUTE_A) {
				aprefix.s = &nbfx_letters[a - NBFX_PREFIX_DICT_ATTRIBUTE_A];
				aprefix.len = 1;
				rc = nbfx_rd_dict_string(r, &aname);
			} else {
				aprefix.s = &nbfx_letters[a - NBFX_PREFIX_ATTRIBUTE_A];
				aprefix.len = 1;
				rc = nbfx_rd_string(r, &aname);
			}
			break;
		}
		if (rc < 0)
			return rc;
		if (aprefix.s != NULL && aprefix.len == 0)
			aprefix.s = NULL;
		if (aprefix.s == NULL && nbfx_span_is(&aname, "xmlns"))
			return nbfx_fail(r, "xmlns written as an ordinary attribute");
		if (nbfx_span_is(&aprefix, "xmlns"))
			return nbfx_fail(r, "xmlns written as an ordinary attribute");
		/* The value: exactly one text record, not a WithEndElement. */
		if ((rc = nbfx_rd_u8(r, &a)) < 0)
			return rc;
		if ((a & 1) != 0 || a < NBFX_ZERO_TEXT || a > NBFX_LAST_TEXT)
			return nbfx_fail(r, "attribute value is not a text record");
		rec.type = a;
		rec.p = r->p;
		if ((rc = nbfx_rd_text_value(r, a)) < 0)
			return rc;
		rec.len = (size_t)(r->p - rec.p);
		if ((rc = nbfx_rd_node(r)) < 0 ||
		    (rc = nbfx_rd_ncname(r, &aname, &lname)) < 0)
			return rc;
		nattrs++;
		pa = &r->attrs[npend++];
		pa->prefix = aprefix;
		pa->attr = xmlNewNsProp(node, NULL, lname, r->text.p);
		xmlFree(lname);
		if (pa->attr == NULL)
			return -ENOMEM;
		if ((rc = nbfx_rd_annotate(r, &pa->attr->_private, &rec)) < 0)
			return rc;
	}

	/* Now that every xmlns is in, resolve the prefixes. */
	if ((rc = nbfx_rd_resolve(r, node, &prefix, false, &ns)) < 0)
		return rc;
	xmlSetNs(node, ns);
	for (i = 0; i < npend; i++) {
		pa = &r->attrs[i];
		if ((rc = nbfx_rd_resolve(r, node, &pa->prefix, true, &ns)) < 0)
			return rc;
		pa->attr->ns = ns;
		for (j = 0; j < i; j++) {
			if (nbfx_same_attr(r->attrs[j].attr, pa->attr))
				return nbfx_fail(r, "duplicate attribute");
		}
	}
	*out = node;
	return 0;
}

/*
 * Adds the text gathered since the last non-text record to `cur`.  Text
 * records are gathered rather than added one by one so that a run of many
 * small records costs linear time.  Outside the root only whitespace may
 * appear, and it is dropped.
 */
static int
nbfx_rd_flush(struct nbfx_rd *r, xmlNodePtr cur)
{
	xmlNodePtr	 t;
	int		 rc;

	bool		 one = r->nrec == 1;

	r->nrec = 0;
	if (r->text.len == 0)
		return 0;
	if (cur == NULL) {
		if (!nbfx_is_space(r->text.p, r->text.len))
			return nbfx_fail(r, "text outside the root element");
		r->text.len = 0;
		return 0;
	}
	if (r->text.len > INT32_MAX)
		return nbfx_fail(r, "text too long");
	if ((rc = nbfx_rd_node(r)) < 0)
		return rc;
	t = xmlNewDocTextLen(r->doc, r->text.p, (int)r->text.len);
	r->text.len = 0;
	if (t == NULL)
		return -ENOMEM;
	if (xmlAddChild(cur, t) == NULL) {
		xmlFreeNode(t);
		return -ENOMEM;
	}
	return one ? nbfx_rd_annotate(r, &t->_private, &r->rec) : 0;
}

static int
nbfx_rd_comment(struct nbfx_rd *r, xmlNodePtr cur)
{
	struct nbfx_span	 s;
	xmlChar			*text;
	xmlNodePtr		 c;
	size_t			 i;
	int			 rc;

	if ((rc = nbfx_rd_string(r, &s)) < 0)
		return rc;
	if (!nbfx_xml_chars((const uint8_t *)s.s, s.len))
		return nbfx_fail(r, "comment is not UTF-8 XML characters");
	/* What XML cannot write as a comment cannot go in the tree. */
	for (i = 0; i < s.len; i++)
		if (s.s[i] == '-' && (i + 1 == s.len || s.s[i + 1] == '-'))
			return nbfx_fail(r, "comment with \"--\"");
	if ((rc = nbfx_rd_charge(r, s.len)) < 0 || (rc = nbfx_rd_node(r)) < 0)
		return rc;
	if ((text = xmlStrndup((const xmlChar *)s.s, (int)s.len)) == NULL)
		return -ENOMEM;
	c = xmlNewDocComment(r->doc, text);
	xmlFree(text);
	if (c == NULL)
		return -ENOMEM;
	if (xmlAddChild(cur != NULL ? cur : (xmlNodePtr)r->doc, c) == NULL) {
		xmlFreeNode(c);
		return -ENOMEM;
	}
	return 0;
}

/* Bytes per item of the record types an Array may carry, 0 for others. */
static size_t
nbfx_array_item_size(uint8_t t)
{
	switch (t) {
	case NBFX_BOOL_TEXT + 1:
		return 1;
	case NBFX_INT16_TEXT + 1:
		return 2;
	case NBFX_INT32_TEXT + 1:
	case NBFX_FLOAT_TEXT + 1:
		return 4;
	case NBFX_INT64_TEXT + 1:
	case NBFX_DOUBLE_TEXT + 1:
	case NBFX_DATETIME_TEXT + 1:
	case NBFX_TIMESPAN_TEXT + 1:
		return 8;
	case NBFX_DECIMAL_TEXT + 1:
	case NBFX_UUID_TEXT + 1:
		return 16;
	}
	return 0;
}

/*
 * Array (MC-NBFX 2.2.3.31): an element record with its attributes, an
 * EndElement, a WithEndElement text type, a count and that many values:
 * the element repeated once per value.  Each copy is read again from the
 * element record, so it gets its own nodes and namespace resolution, and
 * is charged against the limits like any other element.
 */
static int
nbfx_rd_array(struct nbfx_rd *r, xmlNodePtr parent, size_t depth)
{
	const uint8_t	*elem, *data;
	xmlNodePtr	 node;
	uint32_t	 count, i;
	uint8_t		 et, t;
	size_t		 size;
	int		 rc;

	if (parent == NULL)
		return nbfx_fail(r, "Array outside the root element");
	if (depth >= NBFX_MAX_DEPTH)
		return nbfx_fail(r, "elements nested too deep");
	elem = r->p;
	if ((rc = nbfx_rd_u8(r, &et)) < 0)
		return rc;
	if (et < NBFX_SHORT_ELEMENT || et >= NBFX_PREFIX_ELEMENT_A + 26)
		return nbfx_fail(r, "Array without an element record");
	if ((rc = nbfx_rd_element(r, et, parent, &node)) < 0)
		return rc;
	if ((rc = nbfx_rd_u8(r, &t)) < 0)
		return rc;
	if (t != NBFX_END_ELEMENT)
		return nbfx_fail(r, "Array element not followed by EndElement");
	if ((rc = nbfx_rd_u8(r, &t)) < 0)
		return rc;
	if ((size = nbfx_array_item_size(t)) == 0)
		return nbfx_fail(r, "bad Array value type");
	if ((rc = nbfx_rd_mbi31(r, &count)) < 0)
		return rc;
	if (count == 0)
		return nbfx_fail(r, "empty Array");
	if ((size_t)(r->end - r->p) / size < count)
		return nbfx_fail(r, "record truncated");
	data = r->p;
	for (i = 0;;) {
		r->p = data + (size_t)i * size;
		r->nrec = 1;
		r->rec.type = (uint8_t)(t - 1);
		r->rec.p = r->p;
		r->rec.len = size;
		if ((rc = nbfx_rd_text_value(r, (uint8_t)(t - 1))) < 0 ||
		    (rc = nbfx_rd_flush(r, node)) < 0)
			return rc;
		if (++i == count)
			break;
		r->p = elem + 1;
		if ((rc = nbfx_rd_element(r, et, parent, &node)) < 0)
			return rc;
		r->text.len = 0;	/* the last attribute value */
	}
	r->p = data + (size_t)count * size;
	return 0;
}

static int
nbfx_rd_document(struct nbfx_rd *r)
{
	xmlNodePtr	 cur = NULL, node;
	size_t		 depth = 0;
	bool		 root = false;
	uint8_t		 t;
	int		 rc;

	while (r->p < r->end) {
		t = *r->p++;
		if (t >= NBFX_ZERO_TEXT && t <= NBFX_LAST_TEXT) {
			if (t == NBFX_START_LIST_TEXT + 1 ||
			    t == NBFX_END_LIST_TEXT + 1)
				return nbfx_fail(r, "unknown record type");
			if ((t & 1) != 0 && cur == NULL)
				return nbfx_fail(r, "EndElement without an open element");
			/* Gathered in r->text until the next other record. */
			if (r->nrec++ == 0) {
				r->rec.type = (uint8_t)(t & ~1);
				r->rec.p = r->p;
			}
			if ((rc = nbfx_rd_text(r, (uint8_t)(t & ~1), false)) < 0)
				return rc;
			if (r->nrec == 1)
				r->rec.len = (size_t)(r->p - r->rec.p);
			if ((t & 1) == 0)
				continue;
			t = NBFX_END_ELEMENT;
		}
		if (t == NBFX_END_ELEMENT) {
			if (cur == NULL)
				return nbfx_fail(r, "EndElement without an open element");
			if ((rc = nbfx_rd_flush(r, cur)) < 0)
				return rc;
			cur = cur->parent != NULL &&
			    cur->parent->type == XML_ELEMENT_NODE ? cur->parent : NULL;
			depth--;
			continue;
		}
		if ((rc = nbfx_rd_flush(r, cur)) < 0)
			return rc;
		if (t == NBFX_COMMENT) {
			if ((rc = nbfx_rd_comment(r, cur)) < 0)
				return rc;
		} else if (t == NBFX_ARRAY) {
			if ((rc = nbfx_rd_array(r, cur, depth)) < 0)
				return rc;
		} else if (t >= NBFX_SHORT_ELEMENT && t < NBFX_PREFIX_ELEMENT_A + 26) {
			if (cur == NULL && root)
				return nbfx_fail(r, "more than one root element");
			if (depth >= NBFX_MAX_DEPTH)
				return nbfx_fail(r, "elements nested too deep");
			if ((rc = nbfx_rd_element(r, t, cur, &node)) < 0)
				return rc;
			r->text.len = 0;	/* the last attribute value */
			r->nrec = 0;
			cur = node;
			depth++;
			root = true;
		} else if (t >= NBFX_SHORT_ATTRIBUTE && t < NBFX_SHORT_ELEMENT)
			return nbfx_fail(r, "attribute record not after an element");
		else
			return nbfx_fail(r, "unknown record type");
	}
	if (cur != NULL)
		return nbfx_fail(r, "element not closed");
	if ((rc = nbfx_rd_flush(r, NULL)) < 0)
		return rc;
	if (!root)
		return nbfx_fail(r, "no root element");
	return 0;
}

static int
nbfx_read_common(const uint8_t *in, size_t len, const struct nbfx_dict *d,
    xmlDocPtr *out, struct nbfx_typed **tab, size_t *ntab, const char **why)
{
	struct nbfx_rd	*r;
	int		 rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	r->typed = tab != NULL;
	r->p = in;
	r->end = len > 0 ? in + len : in;
	r->d = d;
	r->nodes = NBFX_MAX_NODES;
	r->budget = NBFX_EXPANSION_SLACK +
	    (len < (SIZE_MAX - NBFX_EXPANSION_SLACK) / 16 ? 16 * len :
	    SIZE_MAX - NBFX_EXPANSION_SLACK);
	if ((r->doc = xmlNewDoc(BAD_CAST "1.0")) == NULL) {
		free(r);
		return -ENOMEM;
	}
	if ((rc = nbfx_rd_document(r)) == 0) {
		*out = r->doc;
		if (tab != NULL) {
			*tab = r->tab;
			*ntab = r->ntab;
			r->tab = NULL;
		}
	} else {
		xmlFreeDoc(r->doc);
		if (why != NULL)
			*why = rc == -EBADMSG ? r->why : "out of memory";
	}
	free(r->tab);
	free(r->text.p);
	free(r);
	return rc;
}

int
nbfx_read(const uint8_t *in, size_t len, const struct nbfx_dict *d,
    xmlDocPtr *out, const char **why)
{
	return nbfx_read_common(in, len, d, out, NULL, NULL, why);
}

int
nbfx_read_typed(const uint8_t *in, size_t len, const struct nbfx_dict *d,
    xmlDocPtr *out, struct nbfx_typed **tab, size_t *ntab, const char **why)
{
	*tab = NULL;
	*ntab = 0;
	return nbfx_read_common(in, len, d, out, tab, ntab, why);
}

size_t
nbfx_text_record_size(const uint8_t *p, size_t len)
{
	struct nbfx_rd	 r;
	size_t		 n;

	if (len == 0 || (p[0] & 1) != 0 || p[0] == NBFX_START_LIST_TEXT ||
	    p[0] == NBFX_END_LIST_TEXT)
		return 0;
	/* A reader that only measures: its text goes to a scratch buffer,
	 * names to nothing (no dictionary: an odd id does not measure). */
	memset(&r, 0, sizeof(r));
	r.p = p + 1;
	r.end = p + len;
	r.budget = SIZE_MAX;
	n = nbfx_rd_text(&r, p[0], true) < 0 ? 0 : (size_t)(r.p - p);
	free(r.text.p);
	return n;
}
