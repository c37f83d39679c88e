/*
 * WSCHANNEL_NO_BASE_TYPES: a program with its own Windows base types (here
 * spelled otherwise than ws_base.h spells them, S_OK and FAILED included)
 * includes <wschannel/webservices.h> after them.  Built with -Werror -Wall
 * -Wextra: any type or macro the header defined again would be an error.
 */
#include <stdlib.h>

typedef signed char INT8;
typedef unsigned char UINT8;
typedef short INT16;
typedef unsigned short UINT16;
typedef int INT32;
typedef unsigned int UINT32;
typedef long long INT64;
typedef unsigned long long UINT64;
typedef int INT;
typedef unsigned int UINT;
typedef int LONG;
typedef unsigned int ULONG;
typedef short SHORT;
typedef unsigned short USHORT;
typedef long long LONG64;
typedef unsigned long long ULONG64;
typedef unsigned long long DWORD64;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG;
typedef unsigned int DWORD;
typedef unsigned short WORD;
typedef unsigned char BYTE;
typedef unsigned char UCHAR;
typedef unsigned char BOOLEAN;
typedef char CHAR;
typedef int BOOL;
typedef int HRESULT;
typedef unsigned long SIZE_T;
typedef long LONG_PTR;
typedef unsigned long ULONG_PTR;
typedef unsigned long DWORD_PTR;
typedef float FLOAT;
typedef double DOUBLE;
typedef unsigned short WCHAR;
#define VOID void
typedef void *PVOID, *LPVOID, *HANDLE;
typedef const void *LPCVOID;
typedef BYTE *PBYTE;
typedef ULONG *PULONG;
typedef CHAR *PSTR, *LPSTR;
typedef const CHAR *PCSTR, *LPCSTR;
typedef WCHAR *PWSTR, *LPWSTR;
typedef const WCHAR *PCWSTR, *LPCWSTR;
typedef struct _GUID {
	unsigned int Data1;
	unsigned short Data2, Data3;
	unsigned char Data4[8];
} GUID;
typedef struct _FILETIME {
	DWORD dwLowDateTime, dwHighDateTime;
} FILETIME;
typedef struct tagDEC {
	USHORT wReserved;
	BYTE scale, sign;
	ULONG Hi32;
	ULONGLONG Lo64;
} DECIMAL;
#define TRUE 1L
#define FALSE 0L
#define WINAPI
#define CALLBACK
#define S_OK ((HRESULT)0L)
#define S_FALSE ((HRESULT)1L)
#define NO_ERROR 0L
#define E_NOINTERFACE ((HRESULT)0x80004002L)
#define E_POINTER ((HRESULT)0x80004003L)
#define E_ABORT ((HRESULT)0x80004004L)
#define E_FAIL ((HRESULT)0x80004005L)
#define E_UNEXPECTED ((HRESULT)0x8000FFFFL)
#define E_ACCESSDENIED ((HRESULT)0x80070005L)
#define E_HANDLE ((HRESULT)0x80070006L)
#define E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define E_INVALIDARG ((HRESULT)0x80070057L)
#define SUCCEEDED(Status) ((HRESULT)(Status) >= 0)
#define FAILED(Status) ((HRESULT)(Status) < 0)
#define FACILITY_WIN32 7
#define HRESULT_FROM_WIN32(x) ((HRESULT)(x) <= 0 ? ((HRESULT)(x)) : \
	((HRESULT)(((x) & 0x0000FFFF) | (FACILITY_WIN32 << 16) | 0x80000000)))

#define WSCHANNEL_NO_BASE_TYPES
#include <wschannel/webservices.h>

#include <check.h>

_Static_assert(sizeof(ULONG) == 4 && sizeof(WCHAR) == 2 &&
    sizeof(HRESULT) == 4, "our own base types have the Windows sizes");

START_TEST(own_base_types)
{
	WS_ERROR *error = NULL;
	WS_STRING s = WS_STRING_VALUE(u"ours");
	WS_STRING got;
	ULONG count = 0;
	HRESULT hr;

	hr = WsCreateError(NULL, 0, &error);
	ck_assert(SUCCEEDED(hr));
	ck_assert_int_eq(WsAddErrorString(error, &s), S_OK);
	ck_assert_int_eq(WsGetErrorProperty(error,
	    WS_ERROR_PROPERTY_STRING_COUNT, &count, sizeof(count)), S_OK);
	ck_assert_uint_eq(count, 1);
	ck_assert_int_eq(WsGetErrorString(error, 0, &got), S_OK);
	ck_assert_uint_eq(got.length, 4);
	ck_assert_uint_eq(got.chars[0], 'o');
	ck_assert(FAILED(WsGetErrorString(error, 5, &got)));
	ck_assert_int_eq(WsGetErrorString(NULL, 0, &got), E_INVALIDARG);
	WsFreeError(error);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("win32_nobase");
	TCase *tc = tcase_create("own-base-types");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, own_base_types);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
