/*
 * The Windows base types, HRESULT constants and macros that WWSAPI code
 * expects, sized as on Windows (LONG and ULONG are 32-bit, WCHAR a 16-bit
 * unit).  <wschannel/webservices.h> includes this file unless
 * WSCHANNEL_NO_BASE_TYPES is defined; the <windows.h> stand-in of the
 * libwschannel-win32 module includes it always.  Each group is guarded on
 * its own so that both may be included, in either order.
 */
#ifndef WSCHANNEL_WS_BASE_H
#define WSCHANNEL_WS_BASE_H

#include <stddef.h>
#include <stdint.h>

/* Integers. */
typedef int8_t		INT8;
typedef uint8_t		UINT8;
typedef int16_t		INT16;
typedef uint16_t	UINT16;
typedef int32_t		INT32;
typedef uint32_t	UINT32;
typedef int64_t		INT64;
typedef uint64_t	UINT64;
typedef int32_t		INT;
typedef uint32_t	UINT;
typedef int32_t		LONG;
typedef uint32_t	ULONG;
typedef int16_t		SHORT;
typedef uint16_t	USHORT;
typedef int64_t		LONG64;
typedef uint64_t	ULONG64;
typedef uint64_t	DWORD64;
typedef int64_t		LONGLONG;
typedef uint64_t	ULONGLONG;
typedef uint32_t	DWORD;
typedef uint16_t	WORD;
typedef uint8_t		BYTE;
typedef uint8_t		UCHAR;
typedef uint8_t		BOOLEAN;
typedef char		CHAR;
typedef int32_t		BOOL;
typedef int32_t		HRESULT;
typedef size_t		SIZE_T;
typedef intptr_t	LONG_PTR;
typedef uintptr_t	ULONG_PTR;
typedef uintptr_t	DWORD_PTR;
typedef float		FLOAT;
typedef double		DOUBLE;

/*
 * WCHAR is one UTF-16 unit.  Where wchar_t has 16 bits (-fshort-wchar, as
 * the libwschannel-win32 module's cflags give) it is wchar_t itself, so that
 * L"..." literals initialise WCHAR arrays and pointers in C and C++ alike;
 * elsewhere it is an unsigned 16-bit integer and u"..." is the literal.
 */
#if defined(__SIZEOF_WCHAR_T__) && __SIZEOF_WCHAR_T__ == 2
typedef wchar_t		WCHAR;
#else
typedef uint16_t	WCHAR;
#endif

/* Pointers and strings, the spellings the SDK prototypes and samples use. */
#ifndef VOID
#define VOID void
#endif
typedef void		*PVOID;
typedef void		*LPVOID;
typedef const void	*LPCVOID;
typedef void		*HANDLE;
typedef BYTE		*PBYTE;
typedef ULONG		*PULONG;
typedef CHAR		*PSTR, *LPSTR;
typedef const CHAR	*PCSTR, *LPCSTR;
typedef WCHAR		*PWSTR, *LPWSTR;
typedef const WCHAR	*PCWSTR, *LPCWSTR;

typedef struct _GUID {
	uint32_t Data1;
	uint16_t Data2;
	uint16_t Data3;
	uint8_t  Data4[8];
} GUID;

typedef struct _FILETIME {
	DWORD dwLowDateTime;
	DWORD dwHighDateTime;
} FILETIME;

typedef struct tagDEC {
	USHORT wReserved;
	BYTE scale;
	BYTE sign;
	ULONG Hi32;
	ULONGLONG Lo64;
} DECIMAL;

#ifndef TRUE
#define TRUE	1
#endif
#ifndef FALSE
#define FALSE	0
#endif

/* HRESULTs: the sign bit says failure. */
#define SUCCEEDED(hr)	(((HRESULT)(hr)) >= 0)
#define FAILED(hr)	(((HRESULT)(hr)) < 0)
#define FACILITY_WIN32	7
#define HRESULT_FROM_WIN32(x) ((HRESULT)(x) <= 0 ? (HRESULT)(x) : \
	(HRESULT)(((uint32_t)(x) & 0x0000FFFFu) | (FACILITY_WIN32 << 16) | \
	0x80000000u))

#define S_OK		((HRESULT)0x00000000)
#define S_FALSE		((HRESULT)0x00000001)
#define NO_ERROR	0
#define E_NOINTERFACE	((HRESULT)0x80004002)
#define E_POINTER	((HRESULT)0x80004003)
#define E_ABORT		((HRESULT)0x80004004)
#define E_FAIL		((HRESULT)0x80004005)
#define E_UNEXPECTED	((HRESULT)0x8000FFFF)
#define E_ACCESSDENIED	((HRESULT)0x80070005)
#define E_HANDLE	((HRESULT)0x80070006)
#define E_OUTOFMEMORY	((HRESULT)0x8007000E)
#define E_INVALIDARG	((HRESULT)0x80070057)

#endif /* WSCHANNEL_WS_BASE_H */
