/*
 * A translation unit written the way Windows WWSAPI code is written:
 * <windows.h> and <WebServices.h>, L"..." strings, WS_STRING_VALUE,
 * WsCountOf, WsOffsetOf, HRESULT macros.  Built with exactly the flags of
 * `pkg-config --cflags libwschannel-win32` (plus -Werror), as C here and as
 * C++ by check_win32_cxx.cc, which includes this file.  No daemon is
 * needed: everything it calls runs in the library, and a channel with a
 * security description is refused before any connection.
 */
#include <windows.h>
#include <WebServices.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#ifndef WIN32_SUITE_NAME
#define WIN32_SUITE_NAME "win32"
#endif

/* As wsutil would generate for a purchase order. */
typedef struct _PurchaseOrderType {
	INT32 quantity;
	WCHAR *productName;
	ULONG lineCount;
	DOUBLE price;
} PurchaseOrderType;

static const WCHAR productName[] = L"Pencil";

static WS_XML_STRING dictionaryStrings[] = {
	WS_XML_STRING_DICTIONARY_VALUE("PurchaseOrderType", NULL, 0),
	WS_XML_STRING_DICTIONARY_VALUE("quantity", NULL, 1),
	WS_XML_STRING_DICTIONARY_VALUE("productName", NULL, 2),
};

/* Does the UTF-16 string contain the ASCII text? */
static BOOL
wcontains(const WS_STRING *s, const char *text)
{
	size_t n = strlen(text), i, j;

	for (i = 0; i + n <= s->length; i++) {
		for (j = 0; j < n && s->chars[i + j] == (WCHAR)text[j]; j++)
			;
		if (j == n)
			return TRUE;
	}
	return FALSE;
}

static BOOL
wequals(const WS_STRING *s, const WCHAR *text)
{
	return (int)s->length == lstrlenW(text) &&
	    memcmp(s->chars, text, s->length * sizeof(WCHAR)) == 0;
}

START_TEST(wide_strings_and_macros)
{
	WS_STRING url = WS_STRING_VALUE(L"net.tcp://localhost:8000/po");
	WS_STRING empty = WS_STRING_EMPTY;
	WS_XML_STRING none = WS_XML_STRING_NULL;
	WS_XML_STRING action = WS_XML_STRING_VALUE("http://tempuri.org/po");
	WCHAR copy[16];

	ck_assert_uint_eq(sizeof(WCHAR), 2);
	ck_assert_uint_eq(sizeof(L'x'), 2);
	ck_assert_uint_eq(sizeof(L"ab"), 3 * sizeof(WCHAR));
	ck_assert_uint_eq(url.length, 27);
	ck_assert_uint_eq(url.chars[0], 'n');
	ck_assert_uint_eq(url.chars[26], 'o');
	ck_assert_uint_eq(empty.length, 0);
	ck_assert_ptr_null(empty.chars);
	ck_assert_uint_eq(none.length, 0);
	ck_assert_ptr_null(none.bytes);
	ck_assert_uint_eq(action.length, 21);
	ck_assert_uint_eq(WsCountOf(dictionaryStrings), 3);
	ck_assert_uint_eq(dictionaryStrings[2].id, 2);
	ck_assert_uint_eq(dictionaryStrings[1].length, 8);
	ck_assert_uint_eq(WsCountOf(productName), 7);
	ck_assert_uint_eq(WsOffsetOf(PurchaseOrderType, quantity), 0);
	ck_assert_uint_eq(WsOffsetOf(PurchaseOrderType, price),
	    offsetof(PurchaseOrderType, price));
	ck_assert_int_eq(lstrlenW(productName), 6);
	lstrcpyW(copy, productName);
	ck_assert_int_eq(lstrcmpW(copy, L"Pencil"), 0);
	ck_assert_int_gt(lstrcmpW(copy, L"Pen"), 0);
	ck_assert_int_lt(lstrcmpW(L"Apple", copy), 0);
	lstrcpynW(copy, L"Notebook", 4);
	ck_assert_int_eq(lstrcmpW(copy, L"Not"), 0);
}
END_TEST

START_TEST(base_types_and_hresults)
{
	HRESULT hr = S_OK;

	ck_assert_uint_eq(sizeof(INT32), 4);
	ck_assert_uint_eq(sizeof(UINT64), 8);
	ck_assert_uint_eq(sizeof(LONG), 4);
	ck_assert_uint_eq(sizeof(ULONG), 4);
	ck_assert_uint_eq(sizeof(BOOL), 4);
	ck_assert_uint_eq(sizeof(BYTE), 1);
	ck_assert_uint_eq(sizeof(USHORT), 2);
	ck_assert_uint_eq(sizeof(DWORD), 4);
	ck_assert_uint_eq(sizeof(HRESULT), 4);
	ck_assert_uint_eq(sizeof(GUID), 16);
	ck_assert_uint_eq(sizeof(FILETIME), 8);
	ck_assert_uint_eq(sizeof(DECIMAL), 16);
	ck_assert(SUCCEEDED(hr) && !FAILED(hr));
	ck_assert(SUCCEEDED(S_FALSE));
	ck_assert(FAILED(E_INVALIDARG) && FAILED(WS_E_NOT_SUPPORTED));
	ck_assert_uint_eq((DWORD)E_OUTOFMEMORY, 0x8007000EU);
	ck_assert_uint_eq((DWORD)HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY),
	    0x80070008U);
	ck_assert_int_eq(HRESULT_FROM_WIN32(ERROR_SUCCESS), S_OK);
	ck_assert_int_eq(TRUE, 1);
	ck_assert_int_eq(FALSE, 0);
}
END_TEST

START_TEST(error_and_heap)
{
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	WS_STRING added = WS_STRING_VALUE(L"purchase order rejected");
	WS_STRING got;
	ULONG count = 0;
	void *p = NULL;
	HRESULT hr;

	hr = WsCreateError(NULL, 0, &error);
	ck_assert(SUCCEEDED(hr));
	hr = WsAddErrorString(error, &added);
	ck_assert_int_eq(hr, S_OK);
	hr = WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count,
	    sizeof(count));
	ck_assert_int_eq(hr, S_OK);
	ck_assert_uint_eq(count, 1);
	hr = WsGetErrorString(error, 0, &got);
	ck_assert_int_eq(hr, S_OK);
	ck_assert(wequals(&got, L"purchase order rejected"));

	hr = WsCreateHeap(2048, 512, NULL, 0, &heap, error);
	ck_assert_int_eq(hr, S_OK);
	hr = WsAlloc(heap, sizeof(PurchaseOrderType), &p, error);
	ck_assert_int_eq(hr, S_OK);
	ck_assert_ptr_nonnull(p);
	WsFreeHeap(heap);
	WsFreeError(error);
}
END_TEST

START_TEST(decode_url)
{
	WS_STRING address = WS_STRING_VALUE(L"net.tcp://localhost:8000/po?x#y");
	WS_HEAP *heap = NULL;
	WS_URL *url = NULL;
	WS_NETTCP_URL *tcp;
	HRESULT hr;

	hr = WsCreateHeap(4096, 0, NULL, 0, &heap, NULL);
	ck_assert_int_eq(hr, S_OK);
	hr = WsDecodeUrl(&address, 0, heap, &url, NULL);
	ck_assert_int_eq(hr, S_OK);
	ck_assert_int_eq(url->scheme, WS_URL_NETTCP_SCHEME_TYPE);
	tcp = (WS_NETTCP_URL *)url;
	ck_assert(wequals(&tcp->host, L"localhost"));
	ck_assert_uint_eq(tcp->port, 8000);
	ck_assert(wequals(&tcp->path, L"/po"));
	ck_assert(wequals(&tcp->query, L"x"));
	ck_assert(wequals(&tcp->fragment, L"y"));
	WsFreeHeap(heap);
}
END_TEST

START_TEST(security_not_supported)
{
	WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING sspiBinding;
	WS_SSL_TRANSPORT_SECURITY_BINDING sslBinding;
	WS_SECURITY_BINDING *bindings[1];
	WS_SECURITY_DESCRIPTION securityDescription;
	WS_CHANNEL *channel = NULL;
	WS_LISTENER *listener = NULL;
	WS_ERROR *error = NULL;
	WS_STRING message;
	HRESULT hr;

	ZeroMemory(&sspiBinding, sizeof(sspiBinding));
	sspiBinding.binding.bindingType =
	    WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING_TYPE;
	bindings[0] = &sspiBinding.binding;
	securityDescription.securityBindings = bindings;
	securityDescription.securityBindingCount = WsCountOf(bindings);
	securityDescription.properties = NULL;
	securityDescription.propertyCount = 0;

	hr = WsCreateError(NULL, 0, &error);
	ck_assert_int_eq(hr, S_OK);
	hr = WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, &securityDescription, &channel,
	    error);
	ck_assert_int_eq(hr, WS_E_NOT_SUPPORTED);
	ck_assert_ptr_null(channel);
	hr = WsGetErrorString(error, 0, &message);
	ck_assert_int_eq(hr, S_OK);
	ck_assert(wcontains(&message,
	    "WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING_TYPE"));

	WsResetError(error);
	ZeroMemory(&sslBinding, sizeof(sslBinding));
	sslBinding.binding.bindingType = WS_SSL_TRANSPORT_SECURITY_BINDING_TYPE;
	bindings[0] = &sslBinding.binding;
	hr = WsCreateListener(WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, &securityDescription, &listener, error);
	ck_assert_int_eq(hr, WS_E_NOT_SUPPORTED);
	ck_assert_ptr_null(listener);
	hr = WsGetErrorString(error, 0, &message);
	ck_assert_int_eq(hr, S_OK);
	ck_assert(wcontains(&message, "WS_SSL_TRANSPORT_SECURITY_BINDING_TYPE"));

	/* A binding type the SDK does not define is a bad argument. */
	sslBinding.binding.bindingType = (WS_SECURITY_BINDING_TYPE)77;
	hr = WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, &securityDescription, &channel, error);
	ck_assert_int_eq(hr, E_INVALIDARG);
	WsFreeError(error);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create(WIN32_SUITE_NAME);
	TCase *tc = tcase_create("windows-style");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, wide_strings_and_macros);
	tcase_add_test(tc, base_types_and_hresults);
	tcase_add_test(tc, error_and_heap);
	tcase_add_test(tc, decode_url);
	tcase_add_test(tc, security_not_supported);
#ifdef WIN32_EXTRA_TESTS
	WIN32_EXTRA_TESTS(tc);
#endif
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
