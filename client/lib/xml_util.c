/*
 * The small calls of the XML API: whitespace trimming, NCName checks, and
 * element content pushed or pulled through callbacks.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "internal.h"
#include "xml_internal.h"

static bool
xml_util_space(WCHAR c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The trimmed characters are those of the input: nothing is copied. */
WS_EXPORT HRESULT WINAPI
WsTrimXmlWhitespace(WCHAR *chars, ULONG charCount, WCHAR **trimmedChars,
    ULONG *trimmedCount, WS_ERROR *error)
{
	ULONG b = 0, e = charCount;

	if ((chars == NULL && charCount > 0) || trimmedChars == NULL ||
	    trimmedCount == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsTrimXmlWhitespace: NULL characters or result");
	while (b < e && xml_util_space(chars[b]))
		b++;
	while (e > b && xml_util_space(chars[e - 1]))
		e--;
	*trimmedChars = chars != NULL ? chars + b : NULL;
	*trimmedCount = e - b;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsVerifyXmlNCName(const WCHAR *ncNameChars, ULONG ncNameCharCount,
    WS_ERROR *error)
{
	static const char api[] = "WsVerifyXmlNCName";
	char *u;
	size_t n;
	int bad;

	if (ncNameChars == NULL && ncNameCharCount > 0)
		return ws_error_fail(error, E_INVALIDARG, "%s: NULL name", api);
	if (ncNameCharCount == 0)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: an empty name is no NCName", api);
	if ((u = ws_utf16_to_utf8(ncNameChars, ncNameCharCount, &n)) == NULL)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the name is not valid UTF-16", api);
	/* A NUL inside is no name character. */
	bad = strlen(u) != n || xmlValidateNCName(BAD_CAST u, 0) != 0;
	free(u);
	if (bad)
		return ws_error_fail(error, WS_E_INVALID_FORMAT,
		    "%s: the string is not an XML NCName", api);
	return S_OK;
}

/*
 * Bytes written in pieces: each WsWriteBytes is a text of its own, and a
 * piece that is not a multiple of 3 bytes would end its base64 with
 * padding in the middle of the content.  Pieces go out in multiples of 3;
 * the rest waits for the next piece or the end.
 */
struct xml_util_b64 {
	WS_XML_WRITER	*writer;
	BYTE		 carry[3];
	ULONG		 ncarry;
};

static HRESULT
xml_util_b64_add(struct xml_util_b64 *b, const BYTE *p, ULONG n,
    WS_ERROR *error)
{
	ULONG m;
	HRESULT hr;

	while (b->ncarry > 0 && b->ncarry < 3 && n > 0) {
		b->carry[b->ncarry++] = *p++;
		n--;
	}
	if (b->ncarry == 3) {
		if ((hr = WsWriteBytes(b->writer, b->carry, 3, error)) != S_OK)
			return hr;
		b->ncarry = 0;
	}
	m = n - n % 3;
	if (m > 0 && (hr = WsWriteBytes(b->writer, p, m, error)) != S_OK)
		return hr;
	memcpy(b->carry + b->ncarry, p + m, n - m);
	b->ncarry += n - m;
	return S_OK;
}

static HRESULT
xml_util_b64_end(struct xml_util_b64 *b, WS_ERROR *error)
{
	if (b->ncarry == 0)
		return S_OK;
	return WsWriteBytes(b->writer, b->carry, b->ncarry, error);
}

static HRESULT CALLBACK
xml_util_push_write(void *state, const WS_BYTES *buffers, ULONG count,
    const WS_ASYNC_CONTEXT *async, WS_ERROR *error)
{
	struct xml_util_b64 *b = state;
	HRESULT hr;
	ULONG i;

	(void)async;
	if (buffers == NULL && count > 0)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsPushBytes: NULL buffers");
	for (i = 0; i < count; i++) {
		if (buffers[i].bytes == NULL && buffers[i].length > 0)
			return ws_error_fail(error, E_INVALIDARG,
			    "WsPushBytes: NULL bytes");
		if ((hr = xml_util_b64_add(b, buffers[i].bytes,
		    buffers[i].length, error)) != S_OK)
			return hr;
	}
	return S_OK;
}

static HRESULT
xml_util_bytes_check(WS_XML_WRITER *writer, const void *callback,
    WS_ERROR *error, const char *api)
{
	HRESULT hr;

	if (callback == NULL)
		return ws_error_fail(error, E_INVALIDARG, "%s: NULL callback",
		    api);
	if ((hr = xml_writer_check(writer, error, api)) != S_OK)
		return hr;
	if (xml_writer_in_attribute(writer))
		return ws_error_fail(error, WS_E_INVALID_OPERATION,
		    "%s: the writer is in an attribute", api);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsPushBytes(WS_XML_WRITER *writer, WS_PUSH_BYTES_CALLBACK callback,
    void *callbackState, WS_ERROR *error)
{
	struct xml_util_b64 b = { writer, { 0 }, 0 };
	HRESULT hr;

	if ((hr = xml_util_bytes_check(writer, (const void *)callback, error,
	    "WsPushBytes")) != S_OK)
		return hr;
	hr = callback(callbackState, xml_util_push_write, &b, NULL, error);
	if (hr == WS_S_ASYNC)
		return ws_error_fail(error, E_FAIL,
		    "WsPushBytes: the callback did not complete");
	if (FAILED(hr))
		return hr;
	return xml_util_b64_end(&b, error);
}

WS_EXPORT HRESULT WINAPI
WsPullBytes(WS_XML_WRITER *writer, WS_PULL_BYTES_CALLBACK callback,
    void *callbackState, WS_ERROR *error)
{
	struct xml_util_b64 b = { writer, { 0 }, 0 };
	BYTE chunk[4096];
	ULONG n;
	HRESULT hr;

	if ((hr = xml_util_bytes_check(writer, (const void *)callback, error,
	    "WsPullBytes")) != S_OK)
		return hr;
	/* The callback is pulled until it gives no more bytes. */
	for (;;) {
		n = 0;
		hr = callback(callbackState, chunk, sizeof(chunk), &n, NULL,
		    error);
		if (hr == WS_S_ASYNC)
			return ws_error_fail(error, E_FAIL,
			    "WsPullBytes: the callback did not complete");
		if (FAILED(hr))
			return hr;
		if (n > sizeof(chunk))
			return ws_error_fail(error, E_INVALIDARG,
			    "WsPullBytes: the callback gave %u bytes for %zu",
			    (unsigned)n, sizeof(chunk));
		if (n == 0)
			return xml_util_b64_end(&b, error);
		if ((hr = xml_util_b64_add(&b, chunk, n, error)) != S_OK)
			return hr;
	}
}
