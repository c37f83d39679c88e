/*
 * The fault side of a WS_ERROR: the fault properties (a deep copy of a
 * WS_FAULT on memory of the error's own, the fault action, a fault
 * header), the fault detail through the XML writer and reader, and
 * WsCreateFaultFromError.
 *
 * ws_error.c keeps the properties as an opaque `struct ws_error_ext` and
 * frees them through its free_fn on WsResetError and WsFreeError.  Nothing
 * here calls ws_error_* on an error while holding its lock: the work under
 * the lock passes no WS_ERROR, and failures are told once it is released.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hresult.h"
#include "internal.h"
#include "ws_fault.h"

/* A copy lives on a heap of its own: replacing it frees the old one, so
 * setting a property again and again costs nothing more each time. */
#define WS_FAULT_ERROR_HEAP_MAX	(256u * 1024 * 1024)

/* The reason WsCreateFaultFromError gives with minimal disclosure. */
#define WS_FAULT_ERROR_GENERIC \
	"The server was unable to process the request due to an internal error."

struct ws_fault_store {
	struct ws_error_ext	 ext;		/* first: the error holds this */
	WS_HEAP			*fault_heap;
	WS_FAULT		*fault;
	BYTE			*action;	/* malloc'd, NULL: none */
	ULONG			 action_len;
	WS_HEAP			*header_heap;
	WS_XML_BUFFER		*header;
};

static void
ws_fault_store_free(struct ws_error_ext *ext)
{
	struct ws_fault_store *st = (struct ws_fault_store *)ext;

	if (st->fault_heap != NULL)
		WsFreeHeap(st->fault_heap);
	if (st->header_heap != NULL)
		WsFreeHeap(st->header_heap);
	free(st->action);
	free(st);
}

/* With the error locked: its store, created when `create` (NULL when
 * there is none, or no memory). */
static struct ws_fault_store *
ws_fault_store_get(WS_ERROR *e, bool create)
{
	struct ws_error_ext **slot = ws_error_ext_locked(e);
	struct ws_fault_store *st;

	if (*slot != NULL || !create)
		return (struct ws_fault_store *)*slot;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->ext.free_fn = ws_fault_store_free;
	*slot = &st->ext;
	return st;
}

static HRESULT
ws_fault_error_heap(WS_HEAP **heap)
{
	return WsCreateHeap(WS_FAULT_ERROR_HEAP_MAX, 0, NULL, 0, heap, NULL);
}

/* ---- languages ---------------------------------------------------------- */

/* The language tags of the LANGIDs a fault most likely carries; others
 * fall back to their primary language (the low 10 bits). */
static const struct {
	USHORT		 langid;
	const char	*tag;
} ws_fault_langs[] = {
	{ 0x0409, "en-US" }, { 0x0809, "en-GB" }, { 0x0407, "de-DE" },
	{ 0x040c, "fr-FR" }, { 0x0410, "it-IT" }, { 0x0c0a, "es-ES" },
	{ 0x0411, "ja-JP" }, { 0x0804, "zh-CN" }, { 0x0419, "ru-RU" },
	{ 0x0416, "pt-BR" }, { 0x0412, "ko-KR" }, { 0x0413, "nl-NL" },
	{ 0x0009, "en" }, { 0x0007, "de" }, { 0x000c, "fr" }, { 0x0010, "it" },
	{ 0x000a, "es" }, { 0x0011, "ja" }, { 0x0004, "zh" }, { 0x0019, "ru" },
	{ 0x0016, "pt" }, { 0x0012, "ko" }, { 0x0013, "nl" },
};

static const char *
ws_fault_lang_tag(USHORT langid)
{
	size_t i;

	for (i = 0; i < sizeof(ws_fault_langs) / sizeof(ws_fault_langs[0]); i++)
		if (ws_fault_langs[i].langid == langid)
			return ws_fault_langs[i].tag;
	for (i = 0; i < sizeof(ws_fault_langs) / sizeof(ws_fault_langs[0]); i++)
		if (ws_fault_langs[i].langid == (langid & 0x3ff))
			return ws_fault_langs[i].tag;
	return "en-US";
}

/*
 * Is a reason in the language of `tag`?  The same tag, or the same
 * primary language ("en" and "en-US"); a reason without xml:lang (SOAP
 * 1.1) is taken as being in the error's language.
 */
static bool
ws_fault_lang_matches(const WS_STRING *lang, const char *tag)
{
	char buf[16];
	size_t i, n = 0, tl = strcspn(tag, "-");

	if (lang->length == 0)
		return true;
	if (lang->length >= sizeof(buf))
		return false;
	for (i = 0; i < lang->length; i++) {
		if (lang->chars[i] > 0x7f)
			return false;
		buf[n++] = (char)lang->chars[i];
	}
	buf[n] = '\0';
	if (strcasecmp(buf, tag) == 0)
		return true;
	return strcspn(buf, "-") == tl && strncasecmp(buf, tag, tl) == 0;
}

/* The index of the reason in the error's language, or -1. */
static long
ws_fault_reason_for(const WS_FAULT *f, USHORT langid)
{
	const char *tag = ws_fault_lang_tag(langid);
	ULONG i;

	for (i = 0; i < f->reasonCount; i++)
		if (ws_fault_lang_matches(&f->reasons[i].lang, tag))
			return (long)i;
	return -1;
}

/* ---- the properties ----------------------------------------------------- */

/*
 * Stores a copy of `fault` in the error and adds the reason in the error's
 * language to its strings (any reason when `any_reason` and none is in
 * that language); `detail`, when not NULL, replaces the fault's detail.
 */
static HRESULT
ws_fault_error_set_fault(WS_ERROR *error, const WS_FAULT *fault,
    bool any_reason)
{
	struct ws_fault_store *st;
	WS_HEAP *heap = NULL, *old = NULL;
	WS_FAULT *copy;
	WS_STRING reason = { 0, NULL };
	WCHAR *chars = NULL;
	long idx;
	HRESULT hr;

	if ((hr = ws_fault_error_heap(&heap)) != S_OK)
		return hr;
	if ((copy = ws_heap_alloc(heap, sizeof(*copy), &hr)) == NULL ||
	    (hr = ws_fault_copy(heap, fault, copy)) != S_OK) {
		WsFreeHeap(heap);
		return hr;
	}
	if (!ws_error_lock(error)) {
		WsFreeHeap(heap);
		return E_INVALIDARG;
	}
	if ((st = ws_fault_store_get(error, true)) == NULL) {
		ws_error_unlock(error);
		WsFreeHeap(heap);
		return E_OUTOFMEMORY;
	}
	old = st->fault_heap;
	st->fault_heap = heap;
	st->fault = copy;
	idx = ws_fault_reason_for(copy, ws_error_langid_locked(error));
	if (idx < 0 && any_reason && copy->reasonCount > 0)
		idx = 0;
	/* A copy of the text: the error's strings are its own. */
	if (idx >= 0 && copy->reasons[idx].text.length > 0 &&
	    (chars = malloc(copy->reasons[idx].text.length *
	    sizeof(WCHAR))) != NULL) {
		memcpy(chars, copy->reasons[idx].text.chars,
		    copy->reasons[idx].text.length * sizeof(WCHAR));
		reason.chars = chars;
		reason.length = copy->reasons[idx].text.length;
	}
	ws_error_unlock(error);
	if (old != NULL)
		WsFreeHeap(old);
	if (reason.chars != NULL)
		(void)WsAddErrorString(error, &reason);
	free(chars);
	return S_OK;
}

static HRESULT
ws_fault_error_set_action(WS_ERROR *error, const WS_XML_STRING *action)
{
	struct ws_fault_store *st;
	BYTE *copy = NULL;

	if (action->length > 0 && action->bytes == NULL)
		return E_INVALIDARG;
	if (action->length > 0) {
		if ((copy = malloc(action->length)) == NULL)
			return E_OUTOFMEMORY;
		memcpy(copy, action->bytes, action->length);
	}
	if (!ws_error_lock(error)) {
		free(copy);
		return E_INVALIDARG;
	}
	if ((st = ws_fault_store_get(error, true)) == NULL) {
		ws_error_unlock(error);
		free(copy);
		return E_OUTOFMEMORY;
	}
	free(st->action);
	st->action = copy;
	st->action_len = copy != NULL ? action->length : 0;
	ws_error_unlock(error);
	return S_OK;
}

static HRESULT
ws_fault_error_set_header(WS_ERROR *error, WS_XML_BUFFER *header)
{
	struct ws_fault_store *st;
	WS_HEAP *heap = NULL, *old;
	WS_XML_BUFFER *copy = NULL;
	HRESULT hr;

	if (header != NULL &&
	    ((hr = ws_fault_error_heap(&heap)) != S_OK ||
	    (hr = ws_fault_copy_buffer(heap, header, &copy)) != S_OK)) {
		if (heap != NULL)
			WsFreeHeap(heap);
		return hr;
	}
	if (!ws_error_lock(error)) {
		if (heap != NULL)
			WsFreeHeap(heap);
		return E_INVALIDARG;
	}
	if ((st = ws_fault_store_get(error, true)) == NULL) {
		ws_error_unlock(error);
		if (heap != NULL)
			WsFreeHeap(heap);
		return E_OUTOFMEMORY;
	}
	old = st->header_heap;
	st->header_heap = heap;
	st->header = copy;
	ws_error_unlock(error);
	if (old != NULL)
		WsFreeHeap(old);
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsSetFaultErrorProperty(WS_ERROR *error, WS_FAULT_ERROR_PROPERTY_ID id,
    const void *value, ULONG valueSize)
{
	WS_XML_BUFFER *header;

	if (!ws_error_lock(error))
		return E_INVALIDARG;
	ws_error_unlock(error);
	if (value == NULL)
		return E_INVALIDARG;
	switch (id) {
	case WS_FAULT_ERROR_PROPERTY_FAULT:
		if (valueSize != sizeof(WS_FAULT))
			return E_INVALIDARG;
		return ws_fault_error_set_fault(error, value, false);
	case WS_FAULT_ERROR_PROPERTY_ACTION:
		if (valueSize != sizeof(WS_XML_STRING))
			return E_INVALIDARG;
		return ws_fault_error_set_action(error, value);
	case WS_FAULT_ERROR_PROPERTY_HEADER:
		if (valueSize != sizeof(WS_XML_BUFFER *))
			return E_INVALIDARG;
		memcpy(&header, value, sizeof(header));
		return ws_fault_error_set_header(error, header);
	default:
		return E_INVALIDARG;
	}
}

WS_EXPORT HRESULT WINAPI
WsGetFaultErrorProperty(WS_ERROR *error, WS_FAULT_ERROR_PROPERTY_ID id,
    void *buffer, ULONG bufferSize)
{
	struct ws_fault_store *st;
	WS_XML_STRING action;
	WS_FAULT *fault;
	WS_XML_BUFFER *header;
	HRESULT hr = S_OK;

	if (buffer == NULL || !ws_error_lock(error))
		return E_INVALIDARG;
	st = ws_fault_store_get(error, false);
	switch (id) {
	case WS_FAULT_ERROR_PROPERTY_FAULT:
		fault = st != NULL ? st->fault : NULL;
		if (bufferSize != sizeof(fault))
			hr = E_INVALIDARG;
		else
			memcpy(buffer, &fault, sizeof(fault));
		break;
	case WS_FAULT_ERROR_PROPERTY_ACTION:
		memset(&action, 0, sizeof(action));
		if (st != NULL && st->action != NULL) {
			action.bytes = st->action;
			action.length = st->action_len;
		}
		if (bufferSize != sizeof(action))
			hr = E_INVALIDARG;
		else
			memcpy(buffer, &action, sizeof(action));
		break;
	case WS_FAULT_ERROR_PROPERTY_HEADER:
		header = st != NULL ? st->header : NULL;
		if (bufferSize != sizeof(header))
			hr = E_INVALIDARG;
		else
			memcpy(buffer, &header, sizeof(header));
		break;
	default:
		hr = E_INVALIDARG;
		break;
	}
	ws_error_unlock(error);
	return hr;
}

/* ---- the detail --------------------------------------------------------- */

/* The detail value written into a new buffer on `heap`, wrapped in a
 * detail element whose name the fault's writer replaces. */
static HRESULT
ws_fault_error_write_detail(WS_HEAP *heap, const WS_ELEMENT_DESCRIPTION *d,
    WS_WRITE_OPTION opt, const void *value, ULONG size, WS_XML_BUFFER **out,
    WS_ERROR *error)
{
	static const WS_XML_STRING name = WS_XML_STRING_VALUE("detail");
	static const WS_XML_STRING none = WS_XML_STRING_VALUE("");
	WS_XML_WRITER *w = NULL;
	HRESULT hr;

	if ((hr = WsCreateXmlBuffer(heap, NULL, 0, out, error)) != S_OK ||
	    (hr = WsCreateWriter(NULL, 0, &w, error)) != S_OK)
		return hr;
	if ((hr = WsSetOutputToBuffer(w, *out, NULL, 0, error)) != S_OK ||
	    (hr = WsWriteStartElement(w, NULL, &name, &none, error)) != S_OK)
		goto out;
	/* Without an element name the type writes several elements (a
	 * struct whose fields are the detail's elements). */
	if (d->elementLocalName != NULL)
		hr = WsWriteElement(w, d, opt, value, size, error);
	else
		hr = WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, d->type,
		    d->typeDescription, opt, value, size, error);
	if (hr == S_OK)
		hr = WsWriteEndElement(w, error);
out:
	WsFreeWriter(w);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsSetFaultErrorDetail(WS_ERROR *error,
    const WS_FAULT_DETAIL_DESCRIPTION *faultDetailDescription,
    WS_WRITE_OPTION writeOption, const void *value, ULONG valueSize)
{
	static const char api[] = "WsSetFaultErrorDetail";
	const WS_FAULT_DETAIL_DESCRIPTION *fd = faultDetailDescription;
	struct ws_fault_store *st;
	WS_HEAP *heap = NULL, *old;
	WS_XML_BUFFER *detail;
	WS_FAULT *copy;
	HRESULT hr;

	if (!ws_error_lock(error))
		return E_INVALIDARG;
	ws_error_unlock(error);
	if (fd == NULL || fd->detailElementDescription == NULL)
		return ws_error_fail(error, E_INVALIDARG, "%s: NULL fault "
		    "detail description or element description", api);
	if ((hr = ws_fault_error_heap(&heap)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	/* The value is serialized before the error changes: a value that
	 * cannot be written leaves the error as it was. */
	if ((hr = ws_fault_error_write_detail(heap,
	    fd->detailElementDescription, writeOption, value, valueSize,
	    &detail, error)) != S_OK) {
		WsFreeHeap(heap);
		return hr;
	}
	if ((copy = ws_heap_alloc(heap, sizeof(*copy), &hr)) == NULL) {
		WsFreeHeap(heap);
		return ws_error_fail(error, hr, "%s: out of memory", api);
	}
	memset(copy, 0, sizeof(*copy));
	if (!ws_error_lock(error)) {
		WsFreeHeap(heap);
		return E_INVALIDARG;
	}
	/* The stored fault (if any) moves to the new heap with the new
	 * detail; a fault made of a detail only is completed when sent. */
	if ((st = ws_fault_store_get(error, true)) == NULL)
		hr = E_OUTOFMEMORY;
	else if (st->fault != NULL) {
		WS_FAULT f = *st->fault;

		f.detail = NULL;
		hr = ws_fault_copy(heap, &f, copy);
	}
	if (hr != S_OK) {
		ws_error_unlock(error);
		WsFreeHeap(heap);
		return ws_error_fail(error, hr, "%s: out of memory", api);
	}
	copy->detail = detail;
	old = st->fault_heap;
	st->fault_heap = heap;
	st->fault = copy;
	ws_error_unlock(error);
	if (old != NULL)
		WsFreeHeap(old);
	if (fd->action != NULL &&
	    (hr = ws_fault_error_set_action(error, fd->action)) != S_OK)
		return ws_error_fail(error, hr, "%s: invalid action", api);
	return S_OK;
}

/* The detail is missing (or is another fault's): a NULL pointer for the
 * options that allow one, a format error for the others. */
static HRESULT
ws_fault_error_no_detail(WS_READ_OPTION opt, void *value, ULONG size,
    WS_ERROR *error, const char *why)
{
	if (opt == WS_READ_OPTIONAL_POINTER || opt == WS_READ_NILLABLE_POINTER) {
		if (size != sizeof(void *))
			return ws_error_fail(error, E_INVALIDARG,
			    "WsGetFaultErrorDetail: the value size must be "
			    "that of a pointer");
		memset(value, 0, sizeof(void *));
		return S_OK;
	}
	return ws_error_fail(error, WS_E_INVALID_FORMAT,
	    "WsGetFaultErrorDetail: %s", why);
}

/* With the error locked: reads the stored detail (no error strings). */
static HRESULT
ws_fault_error_read_detail(WS_XML_BUFFER *detail,
    const WS_ELEMENT_DESCRIPTION *d, WS_READ_OPTION opt, WS_HEAP *heap,
    void *value, ULONG size, bool *absent)
{
	WS_XML_READER *r = NULL;
	BOOL found = FALSE;
	HRESULT hr;

	*absent = false;
	if ((hr = WsCreateReader(NULL, 0, &r, NULL)) != S_OK)
		return hr;
	if ((hr = WsSetInputToBuffer(r, detail, NULL, 0, NULL)) != S_OK ||
	    (hr = WsReadToStartElement(r, NULL, NULL, &found, NULL)) != S_OK)
		goto out;
	if (!found) {
		*absent = true;
		goto out;
	}
	if ((hr = WsReadStartElement(r, NULL)) != S_OK)
		goto out;
	if (d->elementLocalName != NULL) {
		if ((hr = WsReadToStartElement(r, d->elementLocalName,
		    d->elementNs, &found, NULL)) != S_OK)
			goto out;
		if (!found) {
			*absent = true;
			goto out;
		}
		hr = WsReadElement(r, d, opt, heap, value, size, NULL);
	} else
		hr = WsReadType(r, WS_ELEMENT_CONTENT_TYPE_MAPPING, d->type,
		    d->typeDescription, opt, heap, value, size, NULL);
out:
	WsFreeReader(r);
	return hr;
}

WS_EXPORT HRESULT WINAPI
WsGetFaultErrorDetail(WS_ERROR *error,
    const WS_FAULT_DETAIL_DESCRIPTION *faultDetailDescription,
    WS_READ_OPTION readOption, WS_HEAP *heap, void *value, ULONG valueSize)
{
	static const char api[] = "WsGetFaultErrorDetail";
	const WS_FAULT_DETAIL_DESCRIPTION *fd = faultDetailDescription;
	struct ws_fault_store *st;
	bool absent = true, other = false;
	HRESULT hr = S_OK;

	if (!ws_error_lock(error))
		return E_INVALIDARG;
	ws_error_unlock(error);
	if (fd == NULL || fd->detailElementDescription == NULL ||
	    value == NULL || (fd->action != NULL && fd->action->length > 0 &&
	    fd->action->bytes == NULL))
		return ws_error_fail(error, E_INVALIDARG, "%s: NULL fault "
		    "detail description, element description or value", api);
	ws_error_lock(error);
	st = ws_fault_store_get(error, false);
	/* Both actions known and different: this is another fault's detail
	 * description (the reference page's filter). */
	if (st != NULL && fd->action != NULL && st->action_len > 0 &&
	    (fd->action->length != st->action_len ||
	    memcmp(fd->action->bytes, st->action, st->action_len) != 0))
		other = true;
	else if (st != NULL && st->fault != NULL && st->fault->detail != NULL)
		hr = ws_fault_error_read_detail(st->fault->detail,
		    fd->detailElementDescription, readOption, heap, value,
		    valueSize, &absent);
	ws_error_unlock(error);
	if (other)
		return ws_fault_error_no_detail(readOption, value, valueSize,
		    error, "the fault's action is not the description's");
	if (hr == S_OK && absent)
		return ws_fault_error_no_detail(readOption, value, valueSize,
		    error, "the fault has no such detail element");
	if (hr != S_OK)
		return ws_error_fail(error, hr, "%s: the fault detail does not "
		    "read as described (%s)", api, hresult_text((uint32_t)hr));
	return S_OK;
}

/* ---- faults from errors ------------------------------------------------- */

/* A UTF-8 string as a WS_STRING on the heap. */
static HRESULT
ws_fault_error_wstr(WS_HEAP *heap, const char *s, WS_STRING *out)
{
	WCHAR *w;
	size_t len;
	HRESULT hr = S_OK;

	memset(out, 0, sizeof(*out));
	if ((w = ws_utf8_to_utf16(s, strlen(s), &len)) == NULL)
		return E_OUTOFMEMORY;
	if (len > 0 && (out->chars = ws_heap_alloc(heap, len * sizeof(WCHAR),
	    &hr)) != NULL) {
		memcpy(out->chars, w, len * sizeof(WCHAR));
		out->length = (ULONG)len;
	}
	free(w);
	return hr;
}

/*
 * Which generic code a failure gets: the request could not be read or
 * was out of range (the sender's doing), or anything else (ours).
 */
static const char *
ws_fault_error_generic_code(HRESULT code)
{
	if (code == WS_E_INVALID_FORMAT || code == WS_E_NUMERIC_OVERFLOW ||
	    code == WS_E_ENDPOINT_ACTION_NOT_SUPPORTED)
		return "Sender";
	return "Receiver";
}

/* long: the stored fault, completed as the reference page says. */
WS_EXPORT HRESULT WINAPI
WsCreateFaultFromError(WS_ERROR *error, HRESULT faultErrorCode,
    WS_FAULT_DISCLOSURE faultDisclosure, WS_HEAP *heap, WS_FAULT *fault)
{
	struct ws_fault_store *st;
	WS_FAULT f;
	WS_FAULT_CODE *code;
	WS_FAULT_REASON *reason;
	const char *text, *local;
	char *joined = NULL;
	USHORT langid;
	HRESULT hr = S_OK;

	if (!ws_error_lock(error))
		return E_INVALIDARG;
	ws_error_unlock(error);
	if (!ws_heap_valid(heap) || fault == NULL ||
	    SUCCEEDED(faultErrorCode) ||
	    (faultDisclosure != WS_MINIMAL_FAULT_DISCLOSURE &&
	    faultDisclosure != WS_FULL_FAULT_DISCLOSURE))
		return E_INVALIDARG;
	/* The strings, before the lock (joining takes it). */
	if (faultDisclosure == WS_FULL_FAULT_DISCLOSURE)
		joined = ws_error_join(error, "\n");
	memset(&f, 0, sizeof(f));
	ws_error_lock(error);
	langid = ws_error_langid_locked(error);
	st = ws_fault_store_get(error, false);
	if (st != NULL && st->fault != NULL)
		hr = ws_fault_copy(heap, st->fault, &f);
	ws_error_unlock(error);
	if (hr != S_OK)
		goto out;
	if (f.code == NULL) {
		local = ws_fault_error_generic_code(faultErrorCode);
		if ((code = ws_heap_alloc(heap, sizeof(*code), &hr)) == NULL)
			goto out;
		memset(code, 0, sizeof(*code));
		/* No namespace: SOAP's, spelled for the version when written. */
		if ((code->value.localName.bytes = ws_heap_alloc(heap,
		    strlen(local), &hr)) == NULL)
			goto out;
		memcpy(code->value.localName.bytes, local, strlen(local));
		code->value.localName.length = (ULONG)strlen(local);
		f.code = code;
	}
	if (f.reasonCount == 0) {
		if (faultDisclosure == WS_MINIMAL_FAULT_DISCLOSURE)
			text = WS_FAULT_ERROR_GENERIC;
		else if (joined != NULL)
			text = joined;
		else
			text = hresult_text((uint32_t)faultErrorCode);
		if ((reason = ws_heap_alloc(heap, sizeof(*reason), &hr)) ==
		    NULL)
			goto out;
		if ((hr = ws_fault_error_wstr(heap, text, &reason->text)) !=
		    S_OK || (hr = ws_fault_error_wstr(heap,
		    ws_fault_lang_tag(langid), &reason->lang)) != S_OK)
			goto out;
		f.reasons = reason;
		f.reasonCount = 1;
	}
	*fault = f;
out:
	free(joined);
	return hr;
}

/* ---- the exchange's side ------------------------------------------------ */

HRESULT
ws_fault_error_received(WS_ERROR *error, const uint8_t *body, size_t len,
    WS_ENVELOPE_VERSION v, const char *action)
{
	WS_XML_STRING xs;
	WS_HEAP *heap = NULL;
	WS_FAULT f;
	HRESULT hr;

	if ((hr = ws_fault_error_heap(&heap)) != S_OK)
		return hr;
	/* Quietly: a fault we cannot parse still ends the call as one. */
	if ((hr = ws_fault_from_text(body, len, v, heap, &f, NULL)) == S_OK)
		hr = ws_fault_error_set_fault(error, &f, true);
	WsFreeHeap(heap);
	if (hr == S_OK && action != NULL && *action != '\0') {
		xs.bytes = (BYTE *)action;
		xs.length = (ULONG)strlen(action);
		xs.dictionary = NULL;
		xs.id = 0;
		hr = ws_fault_error_set_action(error, &xs);
	}
	return hr;
}

HRESULT
ws_fault_error_body(WS_ERROR *fault_error, HRESULT code,
    WS_FAULT_DISCLOSURE disclosure, WS_ENVELOPE_VERSION v, uint8_t **body,
    size_t *body_len, char **action, char **reason, WS_ERROR *error,
    const char *api)
{
	struct ws_fault_store *st;
	WS_HEAP *heap = NULL;
	WS_FAULT f;
	size_t n;
	HRESULT hr;

	*body = NULL;
	*body_len = 0;
	*action = *reason = NULL;
	if ((hr = ws_fault_error_heap(&heap)) != S_OK)
		return ws_error_fail(error, hr, "%s: out of memory", api);
	if ((hr = WsCreateFaultFromError(fault_error, code, disclosure, heap,
	    &f)) != S_OK) {
		WsFreeHeap(heap);
		return ws_error_fail(error, hr, "%s: the fault error does not "
		    "make a fault", api);
	}
	if ((hr = ws_fault_to_text(v, &f, body, body_len, error)) != S_OK) {
		WsFreeHeap(heap);
		return hr;
	}
	/* The daemon's own reading of the fault, for older peers of ours. */
	*reason = ws_utf16_to_utf8(f.reasons[0].text.chars,
	    f.reasons[0].text.length, &n);
	WsFreeHeap(heap);
	if (ws_error_lock(fault_error)) {
		st = ws_fault_store_get(fault_error, false);
		if (st != NULL && st->action_len > 0 &&
		    (*action = malloc(st->action_len + 1)) != NULL) {
			memcpy(*action, st->action, st->action_len);
			(*action)[st->action_len] = '\0';
		}
		ws_error_unlock(fault_error);
	}
	if (*reason == NULL) {
		free(*body);
		free(*action);
		*body = NULL;
		*action = NULL;
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	return S_OK;
}
