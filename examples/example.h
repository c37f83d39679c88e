/*
 * What the three examples share: turning an HRESULT and a WS_ERROR into a
 * line a person can act on, and converting between the UTF-16 strings of
 * the API and the terminal's text.  Only <wschannel/webservices.h> is used.
 */
#ifndef WSCHANNEL_EXAMPLE_H
#define WSCHANNEL_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wschannel/webservices.h>

/* The action and body element the echo server and client agree on. */
#define EXAMPLE_NS	"urn:wschannel-example"
#define EXAMPLE_ECHO	EXAMPLE_NS "/echo"
#define EXAMPLE_REPLY	EXAMPLE_NS "/echo-reply"

static inline const char *
example_hr_name(HRESULT hr)
{
	switch (hr) {
	case S_OK:				return "S_OK";
	case WS_S_END:				return "WS_S_END";
	case E_INVALIDARG:			return "E_INVALIDARG";
	case E_ACCESSDENIED:			return "E_ACCESSDENIED";
	case WS_E_OPERATION_ABORTED:		return "WS_E_OPERATION_ABORTED";
	case WS_E_ADDRESS_IN_USE:		return "WS_E_ADDRESS_IN_USE";
	case WS_E_ENDPOINT_NOT_FOUND:		return "WS_E_ENDPOINT_NOT_FOUND";
	case WS_E_ENDPOINT_UNREACHABLE:		return "WS_E_ENDPOINT_UNREACHABLE";
	case WS_E_ENDPOINT_DISCONNECTED:	return "WS_E_ENDPOINT_DISCONNECTED";
	case WS_E_INVALID_FORMAT:		return "WS_E_INVALID_FORMAT";
	case WS_E_OBJECT_FAULTED:		return "WS_E_OBJECT_FAULTED";
	case WS_E_INVALID_OPERATION:		return "WS_E_INVALID_OPERATION";
	case WS_E_QUOTA_EXCEEDED:		return "WS_E_QUOTA_EXCEEDED";
	default:				return "an HRESULT";
	}
}

/* UTF-16 to the terminal; anything beyond ASCII becomes '?'. */
static inline void
example_print_wide(FILE *f, const WCHAR *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fputc(s[i] < 0x80 ? (int)s[i] : '?', f);
}

static inline size_t
example_wide_len(const WCHAR *s)
{
	size_t n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

/* ASCII to a NUL-terminated UTF-16 string; free() it.  NULL: no memory. */
static inline WCHAR *
example_to_wide(const char *s)
{
	size_t i, n = strlen(s);
	WCHAR *w;

	if ((w = calloc(n + 1, sizeof(*w))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		w[i] = (unsigned char)s[i];
	return w;
}

/*
 * "what: 0x803D000D WS_E_ENDPOINT_NOT_FOUND: <the library's reasons>",
 * then a hint for the failures a newcomer meets first.
 */
static inline void
example_report(const char *what, HRESULT hr, WS_ERROR *error)
{
	ULONG i, count = 0;
	WS_STRING s;

	fprintf(stderr, "%s: 0x%08X %s", what, (unsigned)hr,
	    example_hr_name(hr));
	if (error != NULL && WsGetErrorProperty(error,
	    WS_ERROR_PROPERTY_STRING_COUNT, &count, sizeof(count)) == S_OK) {
		for (i = 0; i < count; i++) {
			if (WsGetErrorString(error, i, &s) != S_OK)
				break;
			fputs(i == 0 ? ": " : "; ", stderr);
			example_print_wide(stderr, s.chars, s.length);
		}
	}
	fputc('\n', stderr);
	if (hr == WS_E_ENDPOINT_NOT_FOUND)
		fputs("  (nothing accepts on that address: is the server "
		    "running, on that port?)\n", stderr);
	else if (hr == WS_E_ENDPOINT_UNREACHABLE ||
	    hr == WS_E_ENDPOINT_DISCONNECTED)
		fputs("  (is wschanneld running, and does WSCHANNEL_ADDRESS "
		    "name its socket? `./quickstart run` prints it)\n", stderr);
}

#endif
