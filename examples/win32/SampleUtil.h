/*
 * What the Windows-style examples share, as the SDK samples' PrintError
 * does: the HRESULT and every string of the WS_ERROR.  Strings are UTF-16
 * (WCHAR), printed as ASCII so that the same source runs on Windows and,
 * built with -fshort-wchar, on Linux, where the C library's wide-character
 * functions expect 32-bit characters and must not see L"..." strings.
 */
#ifndef SAMPLE_UTIL_H
#define SAMPLE_UTIL_H

#include <windows.h>
#include <WebServices.h>

void	PrintChars(const WCHAR *chars, ULONG length);
void	PrintWsz(const WCHAR *wsz);
void	PrintError(HRESULT errorCode, WS_ERROR *error);
/* The binding and channel type a URL's scheme asks for. */
BOOL	ChannelForUrl(const char *url, WS_CHANNEL_BINDING *binding,
	    WS_CHANNEL_TYPE *type, BOOL server);
/* An ASCII URL as the WS_STRING the API takes; free() string->chars. */
BOOL	UrlToString(const char *url, WS_STRING *string);

#endif
