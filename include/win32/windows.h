/*
 * A minimal <windows.h> for WWSAPI programs written for Windows, from the
 * libwschannel-win32 pkg-config module.  It gives the base types and HRESULT
 * macros of <wschannel/ws_base.h> and the few helpers such programs use
 * beside WWSAPI; it is not the Win32 API.
 *
 * The module's cflags include -fshort-wchar, so L"..." is UTF-16 and WCHAR is
 * wchar_t, in C and C++.  As under Winelib, the C library's wide-character
 * functions (wcslen, wprintf, swprintf...) then must not be given such
 * strings: they expect 32-bit wchar_t.  Use the lstr*W helpers below, or
 * WsXxx calls, instead.
 */
#ifndef WSCHANNEL_WIN32_WINDOWS_H
#define WSCHANNEL_WIN32_WINDOWS_H

#include <string.h>
#include <wschannel/ws_base.h>

#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef __stdcall
#define __stdcall
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef CONST
#define CONST const
#endif

#define ERROR_SUCCESS		0L
#define ERROR_NOT_ENOUGH_MEMORY	8L
#define ERROR_INVALID_PARAMETER	87L
#define INFINITE		0xFFFFFFFF

#define UNREFERENCED_PARAMETER(P)	((void)(P))
#define ARRAYSIZE(A)			(sizeof(A) / sizeof((A)[0]))
#define _countof(A)			ARRAYSIZE(A)
#define ZeroMemory(P, N)		memset((P), 0, (N))
#define CopyMemory(D, S, N)		memcpy((D), (S), (N))
#define MoveMemory(D, S, N)		memmove((D), (S), (N))
#define FillMemory(P, N, V)		memset((P), (V), (N))

/* kernel32's string calls on 16-bit strings (no libc wide functions). */
static inline int
lstrlenW(LPCWSTR s)
{
	int n = 0;

	if (s == NULL)
		return 0;
	while (s[n] != 0)
		n++;
	return n;
}

static inline int
lstrcmpW(LPCWSTR a, LPCWSTR b)
{
	while (*a != 0 && *a == *b) {
		a++;
		b++;
	}
	return (*a > *b) - (*a < *b);
}

static inline LPWSTR
lstrcpyW(LPWSTR dst, LPCWSTR src)
{
	LPWSTR d = dst;

	while ((*d++ = *src++) != 0)
		;
	return dst;
}

static inline LPWSTR
lstrcpynW(LPWSTR dst, LPCWSTR src, int n)
{
	int i;

	if (n <= 0)
		return dst;
	for (i = 0; i < n - 1 && src[i] != 0; i++)
		dst[i] = src[i];
	dst[i] = 0;
	return dst;
}

#endif /* WSCHANNEL_WIN32_WINDOWS_H */
