/*
 * Header values (WS_STRING, WS_XML_STRING, WSZ, WS_UNIQUE_ID and
 * WS_ENDPOINT_ADDRESS) to and from the UTF-8 text a message keeps: the
 * caller's value checked and converted on the way in, copied into the
 * caller's heap on the way out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlstring.h>

#include "internal.h"

#define WS_UUID_PREFIX		"urn:uuid:"
#define WS_UUID_PREFIX_LEN	(sizeof(WS_UUID_PREFIX) - 1)
#define WS_UUID_LEN		36	/* 8-4-4-4-12 */

/* What a header value type is, as the library handles it. */
static size_t
ws_value_size(WS_TYPE type)
{
	switch (type) {
	case WS_STRING_TYPE:
		return sizeof(WS_STRING);
	case WS_XML_STRING_TYPE:
		return sizeof(WS_XML_STRING);
	case WS_WSZ_TYPE:
		return sizeof(WCHAR *);
	case WS_UNIQUE_ID_TYPE:
		return sizeof(WS_UNIQUE_ID);
	case WS_ENDPOINT_ADDRESS_TYPE:
		return sizeof(WS_ENDPOINT_ADDRESS);
	default:
		return 0;
	}
}

static int
ws_value_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into a GUID. */
static bool
ws_value_parse_uuid(const char *s, GUID *g)
{
	static const int dash[] = { 8, 13, 18, 23 };
	uint8_t b[16];
	size_t i, j, n = 0;
	int hi, lo;

	if (strncasecmp(s, WS_UUID_PREFIX, WS_UUID_PREFIX_LEN) != 0)
		return false;
	s += WS_UUID_PREFIX_LEN;
	if (strlen(s) != WS_UUID_LEN)
		return false;
	for (i = 0; i < 4; i++)
		if (s[dash[i]] != '-')
			return false;
	for (i = 0; i < WS_UUID_LEN; ) {
		for (j = 0; j < 4; j++)
			if ((int)i == dash[j])
				break;
		if (j < 4) {
			i++;
			continue;
		}
		if ((hi = ws_value_hexval(s[i])) < 0 ||
		    (lo = ws_value_hexval(s[i + 1])) < 0)
			return false;
		b[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	g->Data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	g->Data2 = (uint16_t)(b[4] << 8 | b[5]);
	g->Data3 = (uint16_t)(b[6] << 8 | b[7]);
	memcpy(g->Data4, b + 8, 8);
	return true;
}

static char *
ws_value_format_uuid(const GUID *g)
{
	char *s;

	if (asprintf(&s, WS_UUID_PREFIX "%08" PRIx32 "-%04x-%04x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", g->Data1, g->Data2, g->Data3,
	    g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4],
	    g->Data4[5], g->Data4[6], g->Data4[7]) < 0)
		return NULL;
	return s;
}

static HRESULT
ws_value_utf16_in(const WCHAR *w, size_t len, char **out, WS_ERROR *error,
    const char *api)
{
	if (len == 0)
		*out = strdup("");
	else if (w == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the string has a length but no characters", api);
	else
		*out = ws_utf16_to_utf8(w, len, NULL);
	if (*out == NULL)
		return ws_error_fail(error, errno == EILSEQ ? E_INVALIDARG :
		    E_OUTOFMEMORY, "%s: the string is not valid UTF-16", api);
	return S_OK;
}

HRESULT
ws_value_encode(WS_TYPE type, WS_WRITE_OPTION opt, const void *value,
    ULONG size, char **out, WS_ERROR *error, const char *api)
{
	const WS_XML_STRING *xs;
	const WS_UNIQUE_ID *id;
	const WS_ENDPOINT_ADDRESS *ea;
	const WS_STRING *ws;
	const WCHAR *w;
	const void *v;
	size_t want = ws_value_size(type);
	HRESULT hr;

	*out = NULL;
	if (want == 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: value type %d is not valid for this header", api,
		    (int)type);
	if (value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the value pointer is NULL", api);
	/* WSZ is a pointer type: the value is a WCHAR* whatever the option;
	 * for the structures a pointer option adds one indirection. */
	switch (opt) {
	case WS_WRITE_REQUIRED_VALUE:
		if (size != want)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: the value is %zu bytes, not %u", api, want,
			    size);
		v = type == WS_WSZ_TYPE ? *(const void *const *)value : value;
		break;
	case WS_WRITE_REQUIRED_POINTER:
		if (size != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: a pointer value is %zu bytes, not %u", api,
			    sizeof(void *), size);
		v = *(const void *const *)value;
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: write option %d is not allowed for a header (headers "
		    "are never nil)", api, (int)opt);
	}
	if (v == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the required value is NULL", api);

	switch (type) {
	case WS_STRING_TYPE:
		ws = v;
		hr = ws_value_utf16_in(ws->chars, ws->length, out, error, api);
		break;
	case WS_WSZ_TYPE:
		w = v;
		hr = ws_value_utf16_in(w, ws_wcslen(w), out, error, api);
		break;
	case WS_XML_STRING_TYPE:
		xs = v;
		if (xs->length > 0 && xs->bytes == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: the XML string has a length but no bytes",
			    api);
		if ((*out = ws_body_xml_string(xs)) == NULL)
			return ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		hr = S_OK;
		if (strlen(*out) != xs->length ||
		    !xmlCheckUTF8((const xmlChar *)*out))
			hr = ws_error_fail(error, E_INVALIDARG,
			    "%s: the XML string is not valid UTF-8", api);
		break;
	case WS_UNIQUE_ID_TYPE:
		id = v;
		if (id->uri.length > 0)
			hr = ws_value_utf16_in(id->uri.chars, id->uri.length,
			    out, error, api);
		else if ((*out = ws_value_format_uuid(&id->guid)) == NULL)
			hr = ws_error_fail(error, E_OUTOFMEMORY,
			    "%s: out of memory", api);
		else
			hr = S_OK;
		break;
	case WS_ENDPOINT_ADDRESS_TYPE:
		ea = v;
		if (ea->headers != NULL || ea->extensions != NULL ||
		    ea->identity != NULL)
			return ws_error_fail(error, WS_E_NOT_SUPPORTED,
			    "%s: endpoint address headers, extensions and "
			    "identities are not supported", api);
		hr = ws_value_utf16_in(ea->url.chars, ea->url.length, out,
		    error, api);
		break;
	default:
		hr = E_INVALIDARG;
		break;
	}
	if (hr == S_OK && !ws_chars_xml_ok(*out, strlen(*out)))
		hr = ws_error_fail(error, E_INVALIDARG,
		    "%s: the value holds characters XML 1.0 cannot carry", api);
	if (hr != S_OK) {
		free(*out);
		*out = NULL;
	}
	return hr;
}

HRESULT
ws_value_check_read(WS_TYPE type, WS_READ_OPTION opt, WS_ERROR *error,
    const char *api)
{
	if (ws_value_size(type) == 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: value type %d is not valid for this header", api,
		    (int)type);
	switch (opt) {
	case WS_READ_REQUIRED_VALUE:
	case WS_READ_REQUIRED_POINTER:
	case WS_READ_OPTIONAL_POINTER:
		return S_OK;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: read option %d is not allowed for a header (headers "
		    "are never nil)", api, (int)opt);
	}
}

/* A UTF-16 copy of `s` in the heap. */
static HRESULT
ws_value_heap_utf16(WS_HEAP *heap, const char *s, WS_STRING *out,
    WS_ERROR *error, const char *api)
{
	WCHAR *w = NULL, *hw;
	size_t len = 0;
	HRESULT hr;

	if (*s != '\0' && (w = ws_utf8_to_utf16(s, strlen(s), &len)) == NULL)
		return ws_error_fail(error, errno == EILSEQ ?
		    WS_E_INVALID_FORMAT : E_OUTOFMEMORY,
		    "%s: the value is not valid UTF-8", api);
	hw = ws_heap_alloc(heap, (len + 1) * sizeof(WCHAR), &hr);
	if (hw == NULL) {
		free(w);
		return ws_error_fail(error, hr, "%s: no room in the heap for "
		    "the value", api);
	}
	if (len > 0)
		memcpy(hw, w, len * sizeof(WCHAR));
	hw[len] = 0;
	free(w);
	out->length = (ULONG)len;
	out->chars = hw;
	return S_OK;
}

HRESULT
ws_value_decode(const char *s, WS_TYPE type, WS_READ_OPTION opt,
    WS_HEAP *heap, void *value, ULONG size, WS_ERROR *error, const char *api)
{
	union {
		WS_STRING		ws;
		WS_XML_STRING		xs;
		WS_UNIQUE_ID		id;
		WS_ENDPOINT_ADDRESS	ea;
		WCHAR			*wsz;
	} v;
	size_t want = ws_value_size(type);
	void *p;
	HRESULT hr;

	if (value == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the value pointer is NULL", api);
	if (opt == WS_READ_REQUIRED_VALUE ? size != want :
	    size != sizeof(void *))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: the value is %zu bytes, not %u", api,
		    opt == WS_READ_REQUIRED_VALUE ? want : sizeof(void *),
		    size);
	memset(&v, 0, sizeof(v));
	switch (type) {
	case WS_STRING_TYPE:
		hr = ws_value_heap_utf16(heap, s, &v.ws, error, api);
		break;
	case WS_WSZ_TYPE:
		hr = ws_value_heap_utf16(heap, s, &v.ws, error, api);
		if (hr != S_OK)
			return hr;
		/* A WCHAR* whatever the option. */
		memcpy(value, &v.ws.chars, sizeof(v.ws.chars));
		return S_OK;
	case WS_XML_STRING_TYPE:
		v.xs.length = (ULONG)strlen(s);
		if ((v.xs.bytes = ws_heap_alloc(heap, v.xs.length + 1,
		    &hr)) == NULL)
			return ws_error_fail(error, hr, "%s: no room in the "
			    "heap for the value", api);
		memcpy(v.xs.bytes, s, (size_t)v.xs.length + 1);
		hr = S_OK;
		break;
	case WS_UNIQUE_ID_TYPE:
		hr = S_OK;
		if (!ws_value_parse_uuid(s, &v.id.guid))
			hr = ws_value_heap_utf16(heap, s, &v.id.uri, error,
			    api);
		break;
	case WS_ENDPOINT_ADDRESS_TYPE:
		hr = ws_value_heap_utf16(heap, s, &v.ea.url, error, api);
		break;
	default:
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: value type %d is not valid for this header", api,
		    (int)type);
	}
	if (hr != S_OK)
		return hr;
	if (opt == WS_READ_REQUIRED_VALUE) {
		memcpy(value, &v, want);
		return S_OK;
	}
	if ((p = ws_heap_alloc(heap, want, &hr)) == NULL)
		return ws_error_fail(error, hr, "%s: no room in the heap for "
		    "the value", api);
	memcpy(p, &v, want);
	memcpy(value, &p, sizeof(p));
	return S_OK;
}
