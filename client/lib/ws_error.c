/* WS_ERROR: the strings a failing call leaves for its caller. */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WS_UTF16	"UTF-16BE"
#else
#define WS_UTF16	"UTF-16LE"
#endif

/* The LANGID Windows reports for en-US; we only have English strings. */
#define WS_LANGID_EN_US	0x0409

struct _WS_ERROR {
	uint32_t	 magic;
	pthread_mutex_t	 lock;
	WS_STRING	*strs;		/* in order of addition */
	ULONG		 count;
	ULONG		 cap;
	HRESULT		 original;
	USHORT		 langid;
	/* The fault properties (ws_fault.c's), freed through their own
	 * destructor so that this file calls nothing above it. */
	struct ws_error_ext	*ext;
};

size_t
ws_wcslen(const WCHAR *s)
{
	size_t n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

/*
 * Each thread keeps its two converters open: opening one costs more than
 * converting a message's strings.
 */
struct ws_iconv_pair {
	iconv_t		 cd[2];		/* to UTF-8, to UTF-16 */
};

static pthread_key_t	 ws_iconv_key;
static pthread_once_t	 ws_iconv_once = PTHREAD_ONCE_INIT;
static bool		 ws_iconv_keyed;

static void
ws_iconv_free(void *arg)
{
	struct ws_iconv_pair *p = arg;
	int i;

	for (i = 0; i < 2; i++)
		if (p->cd[i] != (iconv_t)-1)
			iconv_close(p->cd[i]);
	free(p);
}

static void
ws_iconv_init(void)
{
	ws_iconv_keyed = pthread_key_create(&ws_iconv_key, ws_iconv_free) == 0;
}

/* This thread's converter to UTF-8 (which 0) or to UTF-16 (1), reset;
 * (iconv_t)-1 with errno when there is none. */
static iconv_t
ws_iconv_get(int which, bool *owned)
{
	static const char *const to[2] = { "UTF-8", WS_UTF16 };
	static const char *const from[2] = { WS_UTF16, "UTF-8" };
	struct ws_iconv_pair *p;

	*owned = false;
	pthread_once(&ws_iconv_once, ws_iconv_init);
	if (!ws_iconv_keyed)
		goto once;
	if ((p = pthread_getspecific(ws_iconv_key)) == NULL) {
		if ((p = malloc(sizeof(*p))) == NULL)
			goto once;
		p->cd[0] = p->cd[1] = (iconv_t)-1;
		if (pthread_setspecific(ws_iconv_key, p) != 0) {
			free(p);
			goto once;
		}
	}
	if (p->cd[which] == (iconv_t)-1)
		p->cd[which] = iconv_open(to[which], from[which]);
	else
		(void)iconv(p->cd[which], NULL, NULL, NULL, NULL);
	return p->cd[which];
once:
	/* Nowhere to keep it: one for this call only. */
	*owned = true;
	return iconv_open(to[which], from[which]);
}

/*
 * Converts `inlen` bytes to UTF-8 (which 0) or UTF-16 (1) into a new
 * buffer ending with `nul` zero bytes; `*outlen` gets the converted length
 * without them.
 */
static void *
ws_iconv(int which, const void *in, size_t inlen, size_t outmax, size_t nul,
    size_t *outlen)
{
	iconv_t cd;
	char *out, *ip, *op;
	size_t il, ol, r;
	bool owned;
	int saved;

	if ((out = malloc(outmax + nul)) == NULL)
		return NULL;
	if ((cd = ws_iconv_get(which, &owned)) == (iconv_t)-1) {
		saved = errno;
		free(out);
		errno = saved == EINVAL ? ENOTSUP : saved;
		return NULL;
	}
	ip = (char *)in;
	il = inlen;
	op = out;
	ol = outmax;
	r = iconv(cd, &ip, &il, &op, &ol);
	saved = errno;
	if (owned)
		iconv_close(cd);
	if (r == (size_t)-1) {
		free(out);
		/* An incomplete sequence at the end is as invalid as a bad one. */
		errno = (saved == EINVAL || saved == EILSEQ) ? EILSEQ : saved;
		return NULL;
	}
	memset(op, 0, nul);
	if (outlen != NULL)
		*outlen = (size_t)(op - out);
	return out;
}

/*
 * ASCII is the same code units in both forms: such strings (names, most
 * message text) are copied unit by unit, without a pass through iconv and
 * its per-call setup.  Anything else goes to iconv, which also judges it.
 */
static bool
ws_ascii16(const WCHAR *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 0x80)
			return false;
	return true;
}

static bool
ws_ascii8(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

char *
ws_utf16_to_utf8(const WCHAR *s, size_t len, size_t *outlen)
{
	char *out;
	size_t i;

	if (len > SIZE_MAX / 4) {
		errno = ENOMEM;
		return NULL;
	}
	if (ws_ascii16(s, len)) {
		if ((out = malloc(len + 1)) == NULL)
			return NULL;
		for (i = 0; i < len; i++)
			out[i] = (char)s[i];
		out[len] = '\0';
		if (outlen != NULL)
			*outlen = len;
		return out;
	}
	/* A UTF-16 unit becomes at most 3 UTF-8 bytes (a pair becomes 4). */
	return ws_iconv(0, s, len * sizeof(WCHAR), len * 3, 1, outlen);
}

WCHAR *
ws_utf8_to_utf16(const char *s, size_t len, size_t *outlen)
{
	WCHAR *w;
	size_t bytes;

	if (len > SIZE_MAX / 4) {
		errno = ENOMEM;
		return NULL;
	}
	if (ws_ascii8(s, len)) {
		if ((w = malloc((len + 1) * sizeof(WCHAR))) == NULL)
			return NULL;
		for (bytes = 0; bytes < len; bytes++)
			w[bytes] = (unsigned char)s[bytes];
		w[len] = 0;
		if (outlen != NULL)
			*outlen = len;
		return w;
	}
	/* A UTF-8 byte becomes at most one UTF-16 unit. */
	w = ws_iconv(1, s, len, len * sizeof(WCHAR), sizeof(WCHAR), &bytes);
	if (w != NULL && outlen != NULL)
		*outlen = bytes / sizeof(WCHAR);
	return w;
}

static bool
ws_error_valid(const WS_ERROR *e)
{
	return ipc_handle_live(e) && e->magic == WS_ERROR_MAGIC;
}

/* Appends a UTF-16 string the error takes ownership of. */
static HRESULT
ws_error_append(WS_ERROR *e, WCHAR *chars, ULONG len)
{
	WS_STRING *n;
	ULONG cap;

	if (e->count == e->cap) {
		cap = e->cap == 0 ? 4 : e->cap * 2;
		if ((n = realloc(e->strs, cap * sizeof(*n))) == NULL)
			return E_OUTOFMEMORY;
		e->strs = n;
		e->cap = cap;
	}
	e->strs[e->count].chars = chars;
	e->strs[e->count].length = len;
	e->count++;
	return S_OK;
}

/* Strings are best effort: a failure to record one never changes the
 * HRESULT the caller gets (think of an abort with malloc failing). */
void
ws_error_add_utf8(WS_ERROR *e, const char *s)
{
	WCHAR *w;
	size_t len;

	if (!ws_error_valid(e) || s == NULL)
		return;
	if ((w = ws_utf8_to_utf16(s, strlen(s), &len)) == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	if (ws_error_append(e, w, (ULONG)len) != S_OK)
		free(w);
	pthread_mutex_unlock(&e->lock);
}

void
ws_error_add(WS_ERROR *e, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (!ws_error_valid(e))
		return;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	ws_error_add_utf8(e, s);
	free(s);
}

void
ws_error_set_code(WS_ERROR *e, HRESULT hr)
{
	if (!ws_error_valid(e))
		return;
	pthread_mutex_lock(&e->lock);
	e->original = hr;
	pthread_mutex_unlock(&e->lock);
}

HRESULT
ws_error_fail(WS_ERROR *e, HRESULT hr, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (!ws_error_valid(e))
		return hr;
	ws_error_set_code(e, hr);
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r >= 0) {
		ws_error_add_utf8(e, s);
		free(s);
	}
	return hr;
}

/* How client/ipc fills a WS_ERROR without calling up into the library. */
static const struct ipc_error_sink ws_error_sink = {
	.add = ws_error_add_utf8,
	.set_code = ws_error_set_code,
};

static void
ws_error_clear(WS_ERROR *e)
{
	ULONG i;

	for (i = 0; i < e->count; i++)
		free(e->strs[i].chars);
	free(e->strs);
	e->strs = NULL;
	e->count = e->cap = 0;
	e->original = S_OK;
	if (e->ext != NULL)
		e->ext->free_fn(e->ext);
	e->ext = NULL;
}

WS_EXPORT HRESULT WINAPI
WsCreateError(const WS_ERROR_PROPERTY *properties, ULONG propertyCount,
    WS_ERROR **error)
{
	WS_ERROR *e;
	ULONG i;

	if (error == NULL || (properties == NULL && propertyCount > 0))
		return E_INVALIDARG;
	/* No call can be given a WS_ERROR before the first one exists. */
	ipc_error_sink_set(&ws_error_sink);
	if ((e = calloc(1, sizeof(*e))) == NULL || ipc_handle_add(e) != 0) {
		free(e);
		return E_OUTOFMEMORY;
	}
	e->langid = WS_LANGID_EN_US;
	for (i = 0; i < propertyCount; i++) {
		const WS_ERROR_PROPERTY *p = &properties[i];

		/* Only the language can be chosen; the count and the original
		 * code are results. */
		if (p->id != WS_ERROR_PROPERTY_LANGID || p->value == NULL ||
		    p->valueSize != sizeof(USHORT)) {
			ipc_handle_del(e);
			free(e);
			return E_INVALIDARG;
		}
		memcpy(&e->langid, p->value, sizeof(USHORT));
		if (e->langid == 0) {
			ipc_handle_del(e);
			free(e);
			return E_INVALIDARG;
		}
	}
	pthread_mutex_init(&e->lock, NULL);
	e->magic = WS_ERROR_MAGIC;
	*error = e;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsGetErrorProperty(WS_ERROR *error, WS_ERROR_PROPERTY_ID id, void *buffer,
    ULONG bufferSize)
{
	HRESULT hr = S_OK;
	ULONG count;
	HRESULT code;

	if (!ws_error_valid(error) || buffer == NULL)
		return E_INVALIDARG;
	pthread_mutex_lock(&error->lock);
	switch (id) {
	case WS_ERROR_PROPERTY_STRING_COUNT:
		if (bufferSize != sizeof(ULONG)) {
			hr = E_INVALIDARG;
			break;
		}
		count = error->count;
		memcpy(buffer, &count, sizeof(count));
		break;
	case WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE:
		if (bufferSize != sizeof(HRESULT)) {
			hr = E_INVALIDARG;
			break;
		}
		code = error->original;
		memcpy(buffer, &code, sizeof(code));
		break;
	case WS_ERROR_PROPERTY_LANGID:
		if (bufferSize != sizeof(USHORT)) {
			hr = E_INVALIDARG;
			break;
		}
		memcpy(buffer, &error->langid, sizeof(USHORT));
		break;
	default:
		hr = E_INVALIDARG;
		break;
	}
	pthread_mutex_unlock(&error->lock);
	return hr;
}

/* Index 0 is the string added last, as on Windows. */
WS_EXPORT HRESULT WINAPI
WsGetErrorString(WS_ERROR *error, ULONG index, WS_STRING *string)
{
	HRESULT hr = S_OK;

	if (!ws_error_valid(error) || string == NULL)
		return E_INVALIDARG;
	pthread_mutex_lock(&error->lock);
	if (index >= error->count)
		hr = E_INVALIDARG;
	else
		*string = error->strs[error->count - 1 - index];
	pthread_mutex_unlock(&error->lock);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsAddErrorString(WS_ERROR *error, const WS_STRING *string)
{
	WCHAR *copy;
	HRESULT hr;

	if (!ws_error_valid(error) || string == NULL ||
	    (string->chars == NULL && string->length > 0))
		return E_INVALIDARG;
	if (string->length > (ULONG)(SIZE_MAX / sizeof(WCHAR)) - 1)
		return E_OUTOFMEMORY;
	if ((copy = malloc(((size_t)string->length + 1) * sizeof(WCHAR))) == NULL)
		return E_OUTOFMEMORY;
	if (string->length > 0)
		memcpy(copy, string->chars, string->length * sizeof(WCHAR));
	copy[string->length] = 0;
	pthread_mutex_lock(&error->lock);
	hr = ws_error_append(error, copy, string->length);
	pthread_mutex_unlock(&error->lock);
	if (hr != S_OK)
		free(copy);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsResetError(WS_ERROR *error)
{
	if (!ws_error_valid(error))
		return E_INVALIDARG;
	pthread_mutex_lock(&error->lock);
	ws_error_clear(error);
	pthread_mutex_unlock(&error->lock);
	return S_OK;
}

WS_EXPORT void WINAPI
WsFreeError(WS_ERROR *error)
{
	if (!ws_error_valid(error))
		return;
	pthread_mutex_lock(&error->lock);
	error->magic = 0;
	ws_error_clear(error);
	pthread_mutex_unlock(&error->lock);
	pthread_mutex_destroy(&error->lock);
	ipc_handle_del(error);
	free(error);
}

char *
ws_error_join(WS_ERROR *e, const char *sep)
{
	char *out = NULL, *s, *n;
	size_t len = 0, slen, seplen = strlen(sep);
	ULONG i;

	if (!ws_error_valid(e))
		return NULL;
	pthread_mutex_lock(&e->lock);
	for (i = e->count; i > 0; i--) {
		s = ws_utf16_to_utf8(e->strs[i - 1].chars,
		    e->strs[i - 1].length, &slen);
		if (s == NULL)
			continue;
		if ((n = realloc(out, len + (len > 0 ? seplen : 0) +
		    slen + 1)) == NULL) {
			free(s);
			continue;
		}
		out = n;
		if (len > 0) {
			memcpy(out + len, sep, seplen);
			len += seplen;
		}
		memcpy(out + len, s, slen + 1);
		len += slen;
		free(s);
	}
	pthread_mutex_unlock(&e->lock);
	return out;
}

/*
 * Only the language can be set (the count and the original code are
 * results), never to 0, and only while the error holds nothing (just
 * created or reset), as the reference page says; our own strings stay
 * English whatever it is.
 */
WS_EXPORT HRESULT WINAPI
WsSetErrorProperty(WS_ERROR *error, WS_ERROR_PROPERTY_ID id,
    const void *value, ULONG valueSize)
{
	USHORT langid;
	HRESULT hr = S_OK;

	if (!ws_error_valid(error) || value == NULL ||
	    id != WS_ERROR_PROPERTY_LANGID || valueSize != sizeof(USHORT))
		return E_INVALIDARG;
	memcpy(&langid, value, sizeof(langid));
	if (langid == 0)
		return E_INVALIDARG;
	pthread_mutex_lock(&error->lock);
	if (error->count > 0 || error->ext != NULL)
		hr = WS_E_INVALID_OPERATION;
	else
		error->langid = langid;
	pthread_mutex_unlock(&error->lock);
	return hr;
}

bool
ws_error_lock(WS_ERROR *e)
{
	if (!ws_error_valid(e))
		return false;
	pthread_mutex_lock(&e->lock);
	return true;
}

void
ws_error_unlock(WS_ERROR *e)
{
	pthread_mutex_unlock(&e->lock);
}

struct ws_error_ext **
ws_error_ext_locked(WS_ERROR *e)
{
	return &e->ext;
}

USHORT
ws_error_langid_locked(const WS_ERROR *e)
{
	return e->langid;
}
