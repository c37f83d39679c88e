/* The small pieces under the XML layer: WS_XML_STRINGs on a heap and
 * growing byte strings. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml_internal.h"

void
xml_out_add(struct xml_out *o, const void *p, size_t n)
{
	size_t cap;
	uint8_t *np;

	if (o->oom || n == 0)
		return;
	if (o->cap - o->len < n) {
		cap = o->cap == 0 ? 256 : o->cap;
		while (cap - o->len < n) {
			if (cap > SIZE_MAX / 2) {
				o->oom = true;
				return;
			}
			cap *= 2;
		}
		if ((np = realloc(o->p, cap)) == NULL) {
			o->oom = true;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

void
xml_out_str(struct xml_out *o, const char *s)
{
	xml_out_add(o, s, strlen(s));
}

void
xml_out_free(struct xml_out *o)
{
	free(o->p);
	memset(o, 0, sizeof(*o));
}

WS_XML_STRING *
xml_string_new(WS_HEAP *heap, const BYTE *p, ULONG len, HRESULT *hr)
{
	WS_XML_STRING *s;

	if ((s = ws_heap_alloc(heap, sizeof(*s) + len + 1, hr)) == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->bytes = (BYTE *)(s + 1);
	if (len > 0)
		memcpy(s->bytes, p, len);
	s->bytes[len] = '\0';
	s->length = len;
	return s;
}

/* Keeps the dictionary and id: a binary writer may write the string by id. */
WS_XML_STRING *
xml_string_dup(WS_HEAP *heap, const WS_XML_STRING *src, HRESULT *hr)
{
	WS_XML_STRING *s;

	if (src == NULL)
		return xml_string_new(heap, NULL, 0, hr);
	if ((s = xml_string_new(heap, src->bytes, src->length, hr)) == NULL)
		return NULL;
	s->dictionary = src->dictionary;
	s->id = src->id;
	return s;
}

bool
xml_string_eq(const WS_XML_STRING *a, const WS_XML_STRING *b)
{
	ULONG la = a != NULL ? a->length : 0, lb = b != NULL ? b->length : 0;

	return la == lb && (la == 0 || memcmp(a->bytes, b->bytes, la) == 0);
}

bool
xml_string_is(const WS_XML_STRING *a, const char *s)
{
	size_t n = strlen(s);

	return a != NULL && a->length == n && memcmp(a->bytes, s, n) == 0;
}
