/* WS_XML_TEXT values: copies, their canonical XML text, and parsing. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

#define TICKS_PER_SECOND	10000000ULL
#define TICKS_PER_DAY		(86400ULL * TICKS_PER_SECOND)
/* 9999-12-31T23:59:59.9999999, the last tick of WS_DATETIME. */
#define TICKS_MAX		3155378975999999999ULL

static size_t
xml_text_size(WS_XML_TEXT_TYPE t)
{
	switch (t) {
	case WS_XML_TEXT_TYPE_UTF8:	return sizeof(WS_XML_UTF8_TEXT);
	case WS_XML_TEXT_TYPE_UTF16:	return sizeof(WS_XML_UTF16_TEXT);
	case WS_XML_TEXT_TYPE_BASE64:	return sizeof(WS_XML_BASE64_TEXT);
	case WS_XML_TEXT_TYPE_BOOL:	return sizeof(WS_XML_BOOL_TEXT);
	case WS_XML_TEXT_TYPE_INT32:	return sizeof(WS_XML_INT32_TEXT);
	case WS_XML_TEXT_TYPE_INT64:	return sizeof(WS_XML_INT64_TEXT);
	case WS_XML_TEXT_TYPE_UINT64:	return sizeof(WS_XML_UINT64_TEXT);
	case WS_XML_TEXT_TYPE_FLOAT:	return sizeof(WS_XML_FLOAT_TEXT);
	case WS_XML_TEXT_TYPE_DOUBLE:	return sizeof(WS_XML_DOUBLE_TEXT);
	case WS_XML_TEXT_TYPE_DECIMAL:	return sizeof(WS_XML_DECIMAL_TEXT);
	case WS_XML_TEXT_TYPE_GUID:	return sizeof(WS_XML_GUID_TEXT);
	case WS_XML_TEXT_TYPE_UNIQUE_ID: return sizeof(WS_XML_UNIQUE_ID_TEXT);
	case WS_XML_TEXT_TYPE_DATETIME:	return sizeof(WS_XML_DATETIME_TEXT);
	case WS_XML_TEXT_TYPE_TIMESPAN:	return sizeof(WS_XML_TIMESPAN_TEXT);
	case WS_XML_TEXT_TYPE_QNAME:	return sizeof(WS_XML_QNAME_TEXT);
	case WS_XML_TEXT_TYPE_LIST:	return sizeof(WS_XML_LIST_TEXT);
	}
	return 0;
}

bool
xml_text_valid(const WS_XML_TEXT *t)
{
	const WS_XML_LIST_TEXT *l;
	const WS_XML_QNAME_TEXT *q;
	ULONG i;

	if (t == NULL || xml_text_size(t->textType) == 0)
		return false;
	switch (t->textType) {
	case WS_XML_TEXT_TYPE_UTF8:
		return ((const WS_XML_UTF8_TEXT *)t)->value.length == 0 ||
		    ((const WS_XML_UTF8_TEXT *)t)->value.bytes != NULL;
	case WS_XML_TEXT_TYPE_UTF16:
		return (((const WS_XML_UTF16_TEXT *)t)->byteCount == 0 ||
		    ((const WS_XML_UTF16_TEXT *)t)->bytes != NULL) &&
		    ((const WS_XML_UTF16_TEXT *)t)->byteCount % 2 == 0;
	case WS_XML_TEXT_TYPE_BASE64:
		return ((const WS_XML_BASE64_TEXT *)t)->length == 0 ||
		    ((const WS_XML_BASE64_TEXT *)t)->bytes != NULL;
	case WS_XML_TEXT_TYPE_QNAME:
		q = (const WS_XML_QNAME_TEXT *)t;
		return q->localName != NULL && q->ns != NULL;
	case WS_XML_TEXT_TYPE_LIST:
		l = (const WS_XML_LIST_TEXT *)t;
		if (l->itemCount > 0 && l->items == NULL)
			return false;
		for (i = 0; i < l->itemCount; i++)
			if (!xml_text_valid(l->items[i]) ||
			    l->items[i]->textType == WS_XML_TEXT_TYPE_LIST)
				return false;
		return true;
	default:
		return true;
	}
}

static BYTE *
xml_bytes_dup(WS_HEAP *heap, const BYTE *p, size_t n, HRESULT *hr)
{
	BYTE *q;

	if ((q = ws_heap_alloc(heap, n + 1, hr)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(q, p, n);
	q[n] = 0;
	return q;
}

/* A deep copy on `heap`; `t` must be valid (xml_text_valid). */
WS_XML_TEXT *
xml_text_copy(WS_HEAP *heap, const WS_XML_TEXT *t, HRESULT *hr)
{
	size_t size = xml_text_size(t->textType);
	WS_XML_TEXT *c;
	ULONG i;

	if ((c = ws_heap_alloc(heap, size, hr)) == NULL)
		return NULL;
	memcpy(c, t, size);
	switch (t->textType) {
	case WS_XML_TEXT_TYPE_UTF8: {
		WS_XML_UTF8_TEXT *u = (WS_XML_UTF8_TEXT *)c;

		if ((u->value.bytes = xml_bytes_dup(heap, u->value.bytes,
		    u->value.length, hr)) == NULL)
			return NULL;
		break;
	}
	case WS_XML_TEXT_TYPE_UTF16: {
		WS_XML_UTF16_TEXT *u = (WS_XML_UTF16_TEXT *)c;

		if ((u->bytes = xml_bytes_dup(heap, u->bytes, u->byteCount,
		    hr)) == NULL)
			return NULL;
		break;
	}
	case WS_XML_TEXT_TYPE_BASE64: {
		WS_XML_BASE64_TEXT *u = (WS_XML_BASE64_TEXT *)c;

		if ((u->bytes = xml_bytes_dup(heap, u->bytes, u->length,
		    hr)) == NULL)
			return NULL;
		break;
	}
	case WS_XML_TEXT_TYPE_QNAME: {
		WS_XML_QNAME_TEXT *q = (WS_XML_QNAME_TEXT *)c;

		if ((q->prefix = xml_string_dup(heap, q->prefix, hr)) == NULL ||
		    (q->localName = xml_string_dup(heap, q->localName,
		    hr)) == NULL ||
		    (q->ns = xml_string_dup(heap, q->ns, hr)) == NULL)
			return NULL;
		break;
	}
	case WS_XML_TEXT_TYPE_LIST: {
		WS_XML_LIST_TEXT *l = (WS_XML_LIST_TEXT *)c;
		WS_XML_TEXT **items;

		if ((items = ws_heap_alloc(heap,
		    (l->itemCount + 1) * sizeof(*items), hr)) == NULL)
			return NULL;
		for (i = 0; i < l->itemCount; i++)
			if ((items[i] = xml_text_copy(heap, l->items[i],
			    hr)) == NULL)
				return NULL;
		l->items = items;
		break;
	}
	default:
		break;
	}
	return c;
}

WS_XML_TEXT *
xml_text_utf8(WS_HEAP *heap, const BYTE *p, size_t n, HRESULT *hr)
{
	WS_XML_UTF8_TEXT *u;

	if (n > UINT32_MAX) {
		*hr = WS_E_QUOTA_EXCEEDED;
		return NULL;
	}
	if ((u = ws_heap_alloc(heap, sizeof(*u), hr)) == NULL)
		return NULL;
	memset(u, 0, sizeof(*u));
	u->text.textType = WS_XML_TEXT_TYPE_UTF8;
	if ((u->value.bytes = xml_bytes_dup(heap, p, n, hr)) == NULL)
		return NULL;
	u->value.length = (ULONG)n;
	return &u->text;
}

static const char xml_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
xml_base64_encode(struct xml_out *o, const BYTE *p, size_t n)
{
	char q[4];
	size_t i;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = xml_b64[(v >> 18) & 63];
		q[1] = xml_b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? xml_b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? xml_b64[v & 63] : '=';
		xml_out_add(o, q, 4);
	}
}

int
xml_base64_decode(const char *s, size_t n, struct xml_out *o)
{
	uint32_t v = 0;
	int bits = 0, pad = 0, k;
	size_t i;
	uint8_t b;
	const char *c;

	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (c = memchr(xml_b64, s[i], 64)) == NULL ||
		    s[i] == '\0')
			return -1;
		k = (int)(c - xml_b64);
		v = (v << 6) | (uint32_t)k;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b = (uint8_t)(v >> bits);
			xml_out_add(o, &b, 1);
		}
	}
	/* Leftover bits must be zero padding and the '=' count must fit. */
	if (pad > 2 || (bits == 0 && pad != 0) ||
	    (bits == 2 && pad != 1 && pad != 0) || bits == 6 ||
	    (bits == 4 && pad != 2 && pad != 0) ||
	    (v & ((1u << bits) - 1)) != 0)
		return -1;
	return 0;
}

static void
xml_fmt_double(struct xml_out *o, double d, int maxprec)
{
	char buf[64];
	int p;

	if (isnan(d)) {
		xml_out_str(o, "NaN");
		return;
	}
	if (isinf(d)) {
		xml_out_str(o, d < 0 ? "-INF" : "INF");
		return;
	}
	/* The shortest form that reads back as the same value. */
	for (p = 1; p <= maxprec; p++) {
		snprintf(buf, sizeof(buf), "%.*G", p, d);
		if (maxprec <= 9 ? (float)strtod(buf, NULL) == (float)d :
		    strtod(buf, NULL) == d)
			break;
	}
	xml_out_str(o, buf);
}

static void
xml_fmt_guid(struct xml_out *o, const GUID *g)
{
	char buf[40];

	snprintf(buf, sizeof(buf),
	    "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1],
	    g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6],
	    g->Data4[7]);
	xml_out_str(o, buf);
}

/* Days since 0001-01-01 to a proleptic Gregorian date. */
static void
xml_civil(uint64_t days, int *y, int *m, int *d)
{
	/* Shift to 0000-03-01 based eras (Howard Hinnant's algorithm). */
	int64_t z = (int64_t)days + 306, era, doe, yoe, doy, mp;

	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t
xml_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 306;
}

static void
xml_fmt_fraction(struct xml_out *o, uint64_t ticks)
{
	char buf[16];
	int n;

	if (ticks == 0)
		return;
	n = snprintf(buf, sizeof(buf), ".%07llu", (unsigned long long)ticks);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	xml_out_str(o, buf);
}

static void
xml_fmt_datetime(struct xml_out *o, const WS_DATETIME *dt)
{
	char buf[64];
	uint64_t t = dt->ticks, secs;
	int y, m, d;

	xml_civil(t / TICKS_PER_DAY, &y, &m, &d);
	secs = (t % TICKS_PER_DAY) / TICKS_PER_SECOND;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	xml_out_str(o, buf);
	xml_fmt_fraction(o, t % TICKS_PER_SECOND);
	if (dt->format == WS_DATETIME_FORMAT_UTC)
		xml_out_str(o, "Z");
	else if (dt->format == WS_DATETIME_FORMAT_LOCAL)
		xml_out_str(o, "+00:00");
}

static void
xml_fmt_timespan(struct xml_out *o, int64_t ticks)
{
	char buf[64];
	uint64_t t = ticks < 0 ? (uint64_t)0 - (uint64_t)ticks :
	    (uint64_t)ticks, days, rest;

	if (ticks < 0)
		xml_out_str(o, "-");
	xml_out_str(o, "P");
	days = t / TICKS_PER_DAY;
	rest = t % TICKS_PER_DAY;
	if (days > 0) {
		snprintf(buf, sizeof(buf), "%lluD", (unsigned long long)days);
		xml_out_str(o, buf);
	}
	if (rest == 0 && days > 0)
		return;
	xml_out_str(o, "T");
	if (rest / (3600 * TICKS_PER_SECOND) > 0) {
		snprintf(buf, sizeof(buf), "%lluH", (unsigned long long)
		    (rest / (3600 * TICKS_PER_SECOND)));
		xml_out_str(o, buf);
	}
	if (rest / (60 * TICKS_PER_SECOND) % 60 > 0) {
		snprintf(buf, sizeof(buf), "%lluM", (unsigned long long)
		    (rest / (60 * TICKS_PER_SECOND) % 60));
		xml_out_str(o, buf);
	}
	if (rest % (60 * TICKS_PER_SECOND) > 0 || rest == 0) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)
		    (rest / TICKS_PER_SECOND % 60));
		xml_out_str(o, buf);
		xml_fmt_fraction(o, rest % TICKS_PER_SECOND);
		xml_out_str(o, "S");
	}
}

static void
xml_fmt_decimal(struct xml_out *o, const DECIMAL *dec)
{
	/* The 96-bit magnitude as three 32-bit words, divided down by 10. */
	uint32_t w[3] = { dec->Hi32, (uint32_t)(dec->Lo64 >> 32),
	    (uint32_t)dec->Lo64 };
	char digits[64], out[72];
	int n = 0, i, k = 0;
	uint64_t r;

	do {
		r = 0;
		for (i = 0; i < 3; i++) {
			r = (r << 32) | w[i];
			w[i] = (uint32_t)(r / 10);
			r %= 10;
		}
		digits[n++] = (char)('0' + r);
	} while (w[0] != 0 || w[1] != 0 || w[2] != 0);
	while (n <= dec->scale && n < 40)
		digits[n++] = '0';
	if (dec->sign & 0x80)
		out[k++] = '-';
	for (i = n - 1; i >= 0; i--) {
		out[k++] = digits[i];
		if (i == dec->scale && i > 0)
			out[k++] = '.';
	}
	xml_out_add(o, out, (size_t)k);
}

/* long: one case per text type, each a line or two. */
HRESULT
xml_text_format(const WS_XML_TEXT *t, struct xml_out *o)
{
	char buf[64];
	char *u;
	size_t n;
	ULONG i;
	HRESULT hr;

	if (!xml_text_valid(t))
		return E_INVALIDARG;
	switch (t->textType) {
	case WS_XML_TEXT_TYPE_UTF8: {
		const WS_XML_UTF8_TEXT *x = (const WS_XML_UTF8_TEXT *)t;

		xml_out_add(o, x->value.bytes, x->value.length);
		break;
	}
	case WS_XML_TEXT_TYPE_UTF16: {
		const WS_XML_UTF16_TEXT *x = (const WS_XML_UTF16_TEXT *)t;
		WCHAR *w;

		if (x->byteCount == 0)
			break;
		if ((w = malloc(x->byteCount)) == NULL)
			return E_OUTOFMEMORY;
		memcpy(w, x->bytes, x->byteCount);
		u = ws_utf16_to_utf8(w, x->byteCount / 2, &n);
		free(w);
		if (u == NULL)
			return errno == ENOMEM ? E_OUTOFMEMORY : E_INVALIDARG;
		xml_out_add(o, u, n);
		free(u);
		break;
	}
	case WS_XML_TEXT_TYPE_BASE64: {
		const WS_XML_BASE64_TEXT *x = (const WS_XML_BASE64_TEXT *)t;

		xml_base64_encode(o, x->bytes, x->length);
		break;
	}
	case WS_XML_TEXT_TYPE_BOOL:
		xml_out_str(o, ((const WS_XML_BOOL_TEXT *)t)->value ?
		    "true" : "false");
		break;
	case WS_XML_TEXT_TYPE_INT32:
		snprintf(buf, sizeof(buf), "%d",
		    (int)((const WS_XML_INT32_TEXT *)t)->value);
		xml_out_str(o, buf);
		break;
	case WS_XML_TEXT_TYPE_INT64:
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)((const WS_XML_INT64_TEXT *)t)->value);
		xml_out_str(o, buf);
		break;
	case WS_XML_TEXT_TYPE_UINT64:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)
		    ((const WS_XML_UINT64_TEXT *)t)->value);
		xml_out_str(o, buf);
		break;
	case WS_XML_TEXT_TYPE_FLOAT:
		xml_fmt_double(o, ((const WS_XML_FLOAT_TEXT *)t)->value, 9);
		break;
	case WS_XML_TEXT_TYPE_DOUBLE:
		xml_fmt_double(o, ((const WS_XML_DOUBLE_TEXT *)t)->value, 17);
		break;
	case WS_XML_TEXT_TYPE_DECIMAL:
		if (((const WS_XML_DECIMAL_TEXT *)t)->value.scale > 28)
			return E_INVALIDARG;
		xml_fmt_decimal(o, &((const WS_XML_DECIMAL_TEXT *)t)->value);
		break;
	case WS_XML_TEXT_TYPE_GUID:
		xml_fmt_guid(o, &((const WS_XML_GUID_TEXT *)t)->value);
		break;
	case WS_XML_TEXT_TYPE_UNIQUE_ID:
		xml_out_str(o, "urn:uuid:");
		xml_fmt_guid(o, &((const WS_XML_UNIQUE_ID_TEXT *)t)->value);
		break;
	case WS_XML_TEXT_TYPE_DATETIME: {
		const WS_DATETIME *dt =
		    &((const WS_XML_DATETIME_TEXT *)t)->value;

		if (dt->ticks > TICKS_MAX ||
		    dt->format > WS_DATETIME_FORMAT_NONE)
			return E_INVALIDARG;
		xml_fmt_datetime(o, dt);
		break;
	}
	case WS_XML_TEXT_TYPE_TIMESPAN:
		xml_fmt_timespan(o,
		    ((const WS_XML_TIMESPAN_TEXT *)t)->value.ticks);
		break;
	case WS_XML_TEXT_TYPE_QNAME: {
		const WS_XML_QNAME_TEXT *q = (const WS_XML_QNAME_TEXT *)t;

		if (q->prefix != NULL && q->prefix->length > 0) {
			xml_out_add(o, q->prefix->bytes, q->prefix->length);
			xml_out_str(o, ":");
		}
		xml_out_add(o, q->localName->bytes, q->localName->length);
		break;
	}
	case WS_XML_TEXT_TYPE_LIST: {
		const WS_XML_LIST_TEXT *l = (const WS_XML_LIST_TEXT *)t;

		for (i = 0; i < l->itemCount; i++) {
			if (i > 0)
				xml_out_str(o, " ");
			if ((hr = xml_text_format(l->items[i], o)) != S_OK)
				return hr;
		}
		break;
	}
	}
	return o->oom ? E_OUTOFMEMORY : S_OK;
}

/* Trims XML whitespace; false when nothing is left. */
static bool
xml_trim(const char **s, size_t *n)
{
	while (*n > 0 && strchr(" \t\r\n", (*s)[0]) != NULL && (*s)[0] != 0) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && strchr(" \t\r\n", (*s)[*n - 1]) != NULL &&
	    (*s)[*n - 1] != 0)
		(*n)--;
	return *n > 0;
}

HRESULT
xml_parse_bool(const char *s, size_t n, BOOL *v)
{
	if (!xml_trim(&s, &n))
		return WS_E_INVALID_FORMAT;
	if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && *s == '1'))
		*v = TRUE;
	else if ((n == 5 && memcmp(s, "false", 5) == 0) ||
	    (n == 1 && *s == '0'))
		*v = FALSE;
	else
		return WS_E_INVALID_FORMAT;
	return S_OK;
}

HRESULT
xml_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t r = 0;
	bool overflow = false;
	size_t i;

	if (!xml_trim(&s, &n))
		return WS_E_INVALID_FORMAT;
	i = s[0] == '+' ? 1 : 0;
	if (i == n)
		return WS_E_INVALID_FORMAT;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return WS_E_INVALID_FORMAT;
		if (r > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			overflow = true;
		else
			r = r * 10 + (uint64_t)(s[i] - '0');
	}
	if (overflow || r > max)
		return WS_E_NUMERIC_OVERFLOW;
	*v = r;
	return S_OK;
}

HRESULT
xml_parse_int(const char *s, size_t n, int64_t min, int64_t max,
    int64_t *v)
{
	uint64_t u;
	bool neg;
	HRESULT hr;

	if (!xml_trim(&s, &n))
		return WS_E_INVALID_FORMAT;
	neg = s[0] == '-';
	if (neg && (n == 1 || s[1] == '+'))
		return WS_E_INVALID_FORMAT;
	if ((hr = xml_parse_uint(s + neg, n - neg, UINT64_MAX, &u)) != S_OK)
		return hr;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1 ||
		    (u > 0 && -(int64_t)(u - 1) - 1 < min))
			return WS_E_NUMERIC_OVERFLOW;
		*v = u == 0 ? 0 : -(int64_t)(u - 1) - 1;
	} else {
		if (u > (uint64_t)max)
			return WS_E_NUMERIC_OVERFLOW;
		*v = (int64_t)u;
	}
	return S_OK;
}

HRESULT
xml_parse_double(const char *s, size_t n, double *v)
{
	char buf[128], *end;
	size_t i;

	if (!xml_trim(&s, &n) || n >= sizeof(buf))
		return WS_E_INVALID_FORMAT;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "INF") == 0) {
		*v = INFINITY;
		return S_OK;
	}
	if (strcmp(buf, "-INF") == 0) {
		*v = -INFINITY;
		return S_OK;
	}
	if (strcmp(buf, "NaN") == 0) {
		*v = NAN;
		return S_OK;
	}
	/* strtod knows hex, inf and nan spellings XML Schema does not. */
	for (i = 0; i < n; i++)
		if (strchr("0123456789+-.eE", buf[i]) == NULL)
			return WS_E_INVALID_FORMAT;
	errno = 0;
	*v = strtod(buf, &end);
	if (end != buf + n)
		return WS_E_INVALID_FORMAT;
	return S_OK;
}

static int
xml_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

HRESULT
xml_parse_guid(const char *s, size_t n, GUID *g)
{
	uint8_t b[16];
	size_t i, k = 0;
	int hi, lo;

	if (!xml_trim(&s, &n) || n != 36)
		return WS_E_INVALID_FORMAT;
	for (i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return WS_E_INVALID_FORMAT;
			continue;
		}
		if ((hi = xml_hex(s[i])) < 0 || (lo = xml_hex(s[i + 1])) < 0)
			return WS_E_INVALID_FORMAT;
		b[k++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	g->Data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	g->Data2 = (uint16_t)(b[4] << 8 | b[5]);
	g->Data3 = (uint16_t)(b[6] << 8 | b[7]);
	memcpy(g->Data4, b + 8, 8);
	return S_OK;
}

/* `n` digits at *s into *v; advances. */
static bool
xml_digits(const char **s, const char *end, int n, int *v)
{
	int i;

	if (end - *s < n)
		return false;
	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		*v = *v * 10 + (*s)[i] - '0';
	}
	*s += n;
	return true;
}

/* A fraction of a second ".ddd" into ticks (beyond 7 digits dropped). */
static bool
xml_fraction(const char **s, const char *end, uint64_t *ticks)
{
	uint64_t scale = TICKS_PER_SECOND / 10;
	int digits = 0;

	*ticks = 0;
	if (*s == end || **s != '.')
		return true;
	(*s)++;
	for (; *s < end && **s >= '0' && **s <= '9'; (*s)++, digits++) {
		*ticks += (uint64_t)(**s - '0') * scale;
		scale /= 10;
	}
	return digits > 0;
}

HRESULT
xml_parse_datetime(const char *s, size_t n, WS_DATETIME *dt)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char *end;
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	uint64_t frac, t;
	WS_DATETIME_FORMAT fmt = WS_DATETIME_FORMAT_NONE;

	if (!xml_trim(&s, &n))
		return WS_E_INVALID_FORMAT;
	end = s + n;
	if (!xml_digits(&s, end, 4, &y) || s == end || *s++ != '-' ||
	    !xml_digits(&s, end, 2, &mo) || s == end || *s++ != '-' ||
	    !xml_digits(&s, end, 2, &d) || s == end || *s++ != 'T' ||
	    !xml_digits(&s, end, 2, &h) || s == end || *s++ != ':' ||
	    !xml_digits(&s, end, 2, &mi) || s == end || *s++ != ':' ||
	    !xml_digits(&s, end, 2, &se) || !xml_fraction(&s, end, &frac))
		return WS_E_INVALID_FORMAT;
	if (s < end && *s == 'Z') {
		fmt = WS_DATETIME_FORMAT_UTC;
		s++;
	} else if (s < end && (*s == '+' || *s == '-')) {
		sign = *s++ == '-' ? -1 : 1;
		if (!xml_digits(&s, end, 2, &oh) || s == end || *s++ != ':' ||
		    !xml_digits(&s, end, 2, &om) || oh > 14 || om > 59)
			return WS_E_INVALID_FORMAT;
		fmt = WS_DATETIME_FORMAT_LOCAL;
	}
	if (s != end || y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || (mo == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0))) || h > 24 || mi > 59 || se > 59 ||
	    (h == 24 && (mi != 0 || se != 0 || frac != 0)))
		return WS_E_INVALID_FORMAT;
	t = (uint64_t)xml_days(y, mo, d) * TICKS_PER_DAY +
	    ((uint64_t)h * 3600 + (uint64_t)mi * 60 + (uint64_t)se) *
	    TICKS_PER_SECOND + frac;
	/* An offset names local time; the value is kept in UTC. */
	if (sign != 0) {
		uint64_t off = ((uint64_t)oh * 3600 + (uint64_t)om * 60) *
		    TICKS_PER_SECOND;

		if (sign > 0 && t < off)
			return WS_E_INVALID_FORMAT;
		t = sign > 0 ? t - off : t + off;
	}
	if (t > TICKS_MAX)
		return WS_E_INVALID_FORMAT;
	dt->ticks = t;
	dt->format = fmt;
	return S_OK;
}

HRESULT
xml_parse_timespan(const char *s, size_t n, WS_TIMESPAN *ts)
{
	const char *end;
	uint64_t t = 0, v, frac, scale;
	bool neg = false, in_time = false, any = false;
	char unit;

	if (!xml_trim(&s, &n))
		return WS_E_INVALID_FORMAT;
	end = s + n;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (s == end || *s++ != 'P')
		return WS_E_INVALID_FORMAT;
	while (s < end) {
		if (*s == 'T') {
			if (in_time)
				return WS_E_INVALID_FORMAT;
			in_time = true;
			s++;
			continue;
		}
		v = 0;
		if (*s < '0' || *s > '9')
			return WS_E_INVALID_FORMAT;
		for (; s < end && *s >= '0' && *s <= '9'; s++) {
			if (v > UINT64_MAX / 10 / TICKS_PER_DAY)
				return WS_E_INVALID_FORMAT;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		frac = 0;
		if (in_time && !xml_fraction(&s, end, &frac))
			return WS_E_INVALID_FORMAT;
		if (s == end)
			return WS_E_INVALID_FORMAT;
		unit = *s++;
		if (!in_time && unit == 'D')
			scale = TICKS_PER_DAY;
		else if (in_time && unit == 'H' && frac == 0)
			scale = 3600 * TICKS_PER_SECOND;
		else if (in_time && unit == 'M' && frac == 0)
			scale = 60 * TICKS_PER_SECOND;
		else if (in_time && unit == 'S')
			scale = TICKS_PER_SECOND;
		else
			return WS_E_INVALID_FORMAT;
		/* Each part and the sum within a signed 64-bit tick count. */
		if (v > ((uint64_t)INT64_MAX + 1) / scale ||
		    v * scale + frac > (uint64_t)INT64_MAX + neg - t)
			return WS_E_INVALID_FORMAT;
		t += v * scale + frac;
		any = true;
	}
	if (!any)
		return WS_E_INVALID_FORMAT;
	ts->ticks = neg ? (int64_t)(0 - t) : (int64_t)t;
	return S_OK;
}

HRESULT
xml_parse_decimal(const char *s, size_t n, DECIMAL *dec)
{
	uint32_t w[3] = { 0, 0, 0 };
	uint64_t r;
	int scale = 0, i, digits = 0;
	bool neg = false, point = false;

	if (!xml_trim(&s, &n))
		return WS_E_INVALID_FORMAT;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
		n--;
	}
	for (; n > 0; s++, n--) {
		if (*s == '.' && !point) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return WS_E_INVALID_FORMAT;
		digits++;
		if (point && ++scale > 28)
			return WS_E_NUMERIC_OVERFLOW;
		/* w = w * 10 + digit, in 96 bits. */
		r = (uint64_t)(*s - '0');
		for (i = 2; i >= 0; i--) {
			r += (uint64_t)w[i] * 10;
			w[i] = (uint32_t)r;
			r >>= 32;
		}
		if (r != 0)
			return WS_E_NUMERIC_OVERFLOW;
	}
	if (digits == 0)
		return WS_E_INVALID_FORMAT;
	memset(dec, 0, sizeof(*dec));
	dec->scale = (BYTE)scale;
	dec->sign = neg ? 0x80 : 0;
	dec->Hi32 = w[0];
	dec->Lo64 = (uint64_t)w[1] << 32 | w[2];
	return S_OK;
}
