/* WS_VALUE_TYPE values (WsWriteValue, WsReadValue, WsWriteArray, ...) to
 * and from texts. */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

size_t
xml_value_size(WS_VALUE_TYPE t)
{
	switch (t) {
	case WS_BOOL_VALUE_TYPE:	return sizeof(BOOL);
	case WS_INT8_VALUE_TYPE:	return 1;
	case WS_INT16_VALUE_TYPE:	return 2;
	case WS_INT32_VALUE_TYPE:	return 4;
	case WS_INT64_VALUE_TYPE:	return 8;
	case WS_UINT8_VALUE_TYPE:	return 1;
	case WS_UINT16_VALUE_TYPE:	return 2;
	case WS_UINT32_VALUE_TYPE:	return 4;
	case WS_UINT64_VALUE_TYPE:	return 8;
	case WS_FLOAT_VALUE_TYPE:	return sizeof(float);
	case WS_DOUBLE_VALUE_TYPE:	return sizeof(double);
	case WS_DECIMAL_VALUE_TYPE:	return sizeof(DECIMAL);
	case WS_DATETIME_VALUE_TYPE:	return sizeof(WS_DATETIME);
	case WS_TIMESPAN_VALUE_TYPE:	return sizeof(WS_TIMESPAN);
	case WS_GUID_VALUE_TYPE:	return sizeof(GUID);
	case WS_DURATION_VALUE_TYPE:	return sizeof(WS_DURATION);
	}
	return 0;
}

static void
xml_duration_format(const WS_DURATION *d, struct xml_out *o)
{
	char buf[160];
	int n;

	n = snprintf(buf, sizeof(buf), "%sP%uY%uM%uDT%uH%uM%u.%03u%04uS",
	    d->negative ? "-" : "", d->years, d->months, d->days, d->hours,
	    d->minutes, d->seconds, d->milliseconds, d->ticks);
	xml_out_add(o, buf, (size_t)n);
}

/* long: a case per value type, each building one typed text. */
HRESULT
xml_value_text(WS_HEAP *heap, WS_VALUE_TYPE type, const void *value,
    ULONG size, WS_XML_TEXT **out)
{
	union {
		WS_XML_BOOL_TEXT	b;
		WS_XML_INT32_TEXT	i32;
		WS_XML_INT64_TEXT	i64;
		WS_XML_UINT64_TEXT	u64;
		WS_XML_FLOAT_TEXT	f;
		WS_XML_DOUBLE_TEXT	d;
		WS_XML_DECIMAL_TEXT	dec;
		WS_XML_DATETIME_TEXT	dt;
		WS_XML_TIMESPAN_TEXT	ts;
		WS_XML_GUID_TEXT	g;
	} u;
	struct xml_out o = { 0 };
	HRESULT hr = S_OK;
	int8_t i8;
	int16_t i16;
	int32_t i32;
	uint16_t u16;
	uint32_t u32;

	if (value == NULL || xml_value_size(type) == 0 ||
	    size != xml_value_size(type))
		return E_INVALIDARG;
	memset(&u, 0, sizeof(u));
	switch (type) {
	case WS_BOOL_VALUE_TYPE:
		u.b.text.textType = WS_XML_TEXT_TYPE_BOOL;
		memcpy(&u.b.value, value, sizeof(BOOL));
		u.b.value = u.b.value != 0;
		break;
	case WS_INT8_VALUE_TYPE:
		memcpy(&i8, value, 1);
		u.i32.value = i8;
		u.i32.text.textType = WS_XML_TEXT_TYPE_INT32;
		break;
	case WS_INT16_VALUE_TYPE:
		memcpy(&i16, value, 2);
		u.i32.value = i16;
		u.i32.text.textType = WS_XML_TEXT_TYPE_INT32;
		break;
	case WS_INT32_VALUE_TYPE:
		memcpy(&i32, value, 4);
		u.i32.value = i32;
		u.i32.text.textType = WS_XML_TEXT_TYPE_INT32;
		break;
	case WS_INT64_VALUE_TYPE:
		memcpy(&u.i64.value, value, 8);
		u.i64.text.textType = WS_XML_TEXT_TYPE_INT64;
		break;
	case WS_UINT8_VALUE_TYPE:
		u.u64.value = *(const uint8_t *)value;
		u.u64.text.textType = WS_XML_TEXT_TYPE_UINT64;
		break;
	case WS_UINT16_VALUE_TYPE:
		memcpy(&u16, value, 2);
		u.u64.value = u16;
		u.u64.text.textType = WS_XML_TEXT_TYPE_UINT64;
		break;
	case WS_UINT32_VALUE_TYPE:
		memcpy(&u32, value, 4);
		u.u64.value = u32;
		u.u64.text.textType = WS_XML_TEXT_TYPE_UINT64;
		break;
	case WS_UINT64_VALUE_TYPE:
		memcpy(&u.u64.value, value, 8);
		u.u64.text.textType = WS_XML_TEXT_TYPE_UINT64;
		break;
	case WS_FLOAT_VALUE_TYPE:
		memcpy(&u.f.value, value, sizeof(float));
		u.f.text.textType = WS_XML_TEXT_TYPE_FLOAT;
		break;
	case WS_DOUBLE_VALUE_TYPE:
		memcpy(&u.d.value, value, sizeof(double));
		u.d.text.textType = WS_XML_TEXT_TYPE_DOUBLE;
		break;
	case WS_DECIMAL_VALUE_TYPE:
		memcpy(&u.dec.value, value, sizeof(DECIMAL));
		if (u.dec.value.scale > 28)
			return E_INVALIDARG;
		u.dec.text.textType = WS_XML_TEXT_TYPE_DECIMAL;
		break;
	case WS_DATETIME_VALUE_TYPE:
		memcpy(&u.dt.value, value, sizeof(WS_DATETIME));
		u.dt.text.textType = WS_XML_TEXT_TYPE_DATETIME;
		if (!xml_text_valid(&u.dt.text))
			return E_INVALIDARG;
		/* Range is checked when formatted. */
		if ((hr = xml_text_format(&u.dt.text, &o)) != S_OK) {
			xml_out_free(&o);
			return hr;
		}
		xml_out_free(&o);
		break;
	case WS_TIMESPAN_VALUE_TYPE:
		memcpy(&u.ts.value, value, sizeof(WS_TIMESPAN));
		u.ts.text.textType = WS_XML_TEXT_TYPE_TIMESPAN;
		break;
	case WS_GUID_VALUE_TYPE:
		memcpy(&u.g.value, value, sizeof(GUID));
		u.g.text.textType = WS_XML_TEXT_TYPE_GUID;
		break;
	case WS_DURATION_VALUE_TYPE:
		xml_duration_format(value, &o);
		if (o.oom)
			return E_OUTOFMEMORY;
		*out = xml_text_utf8(heap, o.p, o.len, &hr);
		xml_out_free(&o);
		return *out != NULL ? S_OK : hr;
	}
	*out = xml_text_copy(heap, &u.b.text, &hr);
	return *out != NULL ? S_OK : hr;
}

static HRESULT
xml_duration_parse(const char *s, size_t n, WS_DURATION *d)
{
	const char *end = s + n;
	unsigned long long v;
	bool in_time = false, any = false;
	char unit;

	memset(d, 0, sizeof(*d));
	while (s < end && strchr(" \t\r\n", *s) != NULL && *s != 0)
		s++;
	while (end > s && strchr(" \t\r\n", end[-1]) != NULL && end[-1] != 0)
		end--;
	if (s < end && *s == '-') {
		d->negative = TRUE;
		s++;
	}
	if (s == end || *s++ != 'P')
		return WS_E_INVALID_FORMAT;
	while (s < end) {
		if (*s == 'T' && !in_time) {
			in_time = true;
			s++;
			continue;
		}
		if (*s < '0' || *s > '9')
			return WS_E_INVALID_FORMAT;
		for (v = 0; s < end && *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (unsigned long long)(*s - '0');
			if (v > UINT32_MAX)
				return WS_E_NUMERIC_OVERFLOW;
		}
		if (s < end && *s == '.' && in_time) {
			unsigned long long frac = 0, scale = 1000000;

			for (s++; s < end && *s >= '0' && *s <= '9'; s++) {
				frac += (unsigned long long)(*s - '0') * scale;
				scale /= 10;
			}
			d->milliseconds = (ULONG)(frac / 10000);
			d->ticks = (ULONG)(frac % 10000);
		}
		if (s == end)
			return WS_E_INVALID_FORMAT;
		unit = *s++;
		if (!in_time && unit == 'Y')
			d->years = (ULONG)v;
		else if (!in_time && unit == 'M')
			d->months = (ULONG)v;
		else if (!in_time && unit == 'D')
			d->days = (ULONG)v;
		else if (in_time && unit == 'H')
			d->hours = (ULONG)v;
		else if (in_time && unit == 'M')
			d->minutes = (ULONG)v;
		else if (in_time && unit == 'S')
			d->seconds = (ULONG)v;
		else
			return WS_E_INVALID_FORMAT;
		any = true;
	}
	return any ? S_OK : WS_E_INVALID_FORMAT;
}

/* long: a case per value type, each parsing and range checking. */
HRESULT
xml_value_parse(WS_VALUE_TYPE type, const char *s, size_t n, void *value,
    ULONG size)
{
	union {
		BOOL b; int8_t i8; int16_t i16; int32_t i32; int64_t i64;
		uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64;
		float f; double d; DECIMAL dec; WS_DATETIME dt;
		WS_TIMESPAN ts; GUID g; WS_DURATION dur;
	} u;
	int64_t i;
	uint64_t ui;
	HRESULT hr = S_OK;

	if (value == NULL || xml_value_size(type) == 0 ||
	    size != xml_value_size(type))
		return E_INVALIDARG;
	memset(&u, 0, sizeof(u));	/* padding too: values compare whole */
	switch (type) {
	case WS_BOOL_VALUE_TYPE:
		hr = xml_parse_bool(s, n, &u.b);
		break;
	case WS_INT8_VALUE_TYPE:
		if ((hr = xml_parse_int(s, n, INT8_MIN, INT8_MAX, &i)) == S_OK)
			u.i8 = (int8_t)i;
		break;
	case WS_INT16_VALUE_TYPE:
		if ((hr = xml_parse_int(s, n, INT16_MIN, INT16_MAX,
		    &i)) == S_OK)
			u.i16 = (int16_t)i;
		break;
	case WS_INT32_VALUE_TYPE:
		if ((hr = xml_parse_int(s, n, INT32_MIN, INT32_MAX,
		    &i)) == S_OK)
			u.i32 = (int32_t)i;
		break;
	case WS_INT64_VALUE_TYPE:
		hr = xml_parse_int(s, n, INT64_MIN, INT64_MAX, &u.i64);
		break;
	case WS_UINT8_VALUE_TYPE:
		if ((hr = xml_parse_uint(s, n, UINT8_MAX, &ui)) == S_OK)
			u.u8 = (uint8_t)ui;
		break;
	case WS_UINT16_VALUE_TYPE:
		if ((hr = xml_parse_uint(s, n, UINT16_MAX, &ui)) == S_OK)
			u.u16 = (uint16_t)ui;
		break;
	case WS_UINT32_VALUE_TYPE:
		if ((hr = xml_parse_uint(s, n, UINT32_MAX, &ui)) == S_OK)
			u.u32 = (uint32_t)ui;
		break;
	case WS_UINT64_VALUE_TYPE:
		hr = xml_parse_uint(s, n, UINT64_MAX, &u.u64);
		break;
	case WS_FLOAT_VALUE_TYPE:
		if ((hr = xml_parse_double(s, n, &u.d)) == S_OK) {
			if (isfinite(u.d) && fabs(u.d) > 3.4028234663852886e38)
				hr = WS_E_NUMERIC_OVERFLOW;
			u.f = (float)u.d;
		}
		break;
	case WS_DOUBLE_VALUE_TYPE:
		hr = xml_parse_double(s, n, &u.d);
		break;
	case WS_DECIMAL_VALUE_TYPE:
		hr = xml_parse_decimal(s, n, &u.dec);
		break;
	case WS_DATETIME_VALUE_TYPE:
		hr = xml_parse_datetime(s, n, &u.dt);
		break;
	case WS_TIMESPAN_VALUE_TYPE:
		hr = xml_parse_timespan(s, n, &u.ts);
		break;
	case WS_GUID_VALUE_TYPE:
		hr = xml_parse_guid(s, n, &u.g);
		break;
	case WS_DURATION_VALUE_TYPE:
		hr = xml_duration_parse(s, n, &u.dur);
		break;
	}
	if (hr == S_OK)
		memcpy(value, &u, size);
	return hr;
}
