/*
 * The Windows-style translation unit of check_win32.c compiled as C++ with
 * the flags of `pkg-config --cflags libwschannel-win32`, where wchar_t is a
 * type of its own: L"..." must still fit WCHAR, WS_STRING_VALUE and the
 * WsXxx prototypes, and the header must be usable from C++ (extern "C",
 * no narrowing in its initializers, constant expressions).
 */
#define WIN32_SUITE_NAME "win32_cxx"
#define WIN32_EXTRA_TESTS(tc) tcase_add_test((tc), cxx_only)

#include <windows.h>
#include <WebServices.h>

#include <stddef.h>
#include <string.h>

#include <check.h>

static_assert(sizeof(WCHAR) == 2, "WCHAR is one UTF-16 unit");
static_assert(sizeof(L'x') == 2, "L'x' is 16-bit (-fshort-wchar)");
static_assert(WsOffsetOf(WS_STRING, chars) == offsetof(WS_STRING, chars),
    "WsOffsetOf is a constant expression");

namespace {

/* A C++ owner of a WS_HEAP, as a port would write one. */
class Heap {
public:
	Heap() : heap_(NULL) {}
	~Heap() { if (heap_ != NULL) WsFreeHeap(heap_); }
	HRESULT create(SIZE_T max) {
		return WsCreateHeap(max, 0, NULL, 0, &heap_, NULL);
	}
	WS_HEAP *get() const { return heap_; }
private:
	WS_HEAP *heap_;
	Heap(const Heap &);
	Heap &operator=(const Heap &);
};

template <typename T, size_t N>
constexpr size_t
count_of(const T (&)[N])
{
	return N;
}

const WS_STRING constantUrl = WS_STRING_VALUE(L"http://localhost:80/svc");

}

START_TEST(cxx_only)
{
	const WCHAR *wide = L"wide";
	WS_XML_STRING names[] = {
		WS_XML_STRING_VALUE("a"), WS_XML_STRING_VALUE("bb"),
	};
	WS_STRING encoded;
	WS_URL *url = NULL;
	Heap heap;

	ck_assert_uint_eq(WsCountOf(names), count_of(names));
	ck_assert_uint_eq(names[1].length, 2);
	ck_assert_int_eq(lstrlenW(wide), 4);
	ck_assert_int_eq(heap.create(4096), S_OK);
	ck_assert_int_eq(WsDecodeUrl(&constantUrl, 0, heap.get(), &url, NULL),
	    S_OK);
	ck_assert_int_eq(url->scheme, WS_URL_HTTP_SCHEME_TYPE);
	ck_assert_int_eq(WsEncodeUrl(url, 0, heap.get(), &encoded, NULL),
	    S_OK);
	/* The port as the URL wrote it (portAsString) is kept. */
	ck_assert_uint_eq(encoded.length, lstrlenW(L"http://localhost:80/svc"));
	ck_assert_int_eq(memcmp(encoded.chars, L"http://localhost:80/svc",
	    encoded.length * sizeof(WCHAR)), 0);
}
END_TEST

#include "check_win32.c"
