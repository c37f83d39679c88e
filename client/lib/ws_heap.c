/* WS_HEAP: a bump allocator whose memory is released all at once. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define WS_HEAP_ALIGN		8
#define WS_HEAP_MIN_CHUNK	4096

struct ws_heap_chunk {
	struct ws_heap_chunk	*next;
	size_t			 size;	/* usable bytes in data */
	size_t			 used;
	_Alignas(16) unsigned char data[];
};

struct _WS_HEAP {
	uint32_t		 magic;
	pthread_mutex_t		 lock;
	size_t			 max;		/* quota over all allocations */
	size_t			 trim;		/* kept across WsResetHeap */
	size_t			 requested;	/* allocated since the last reset */
	struct ws_heap_chunk	*chunks;	/* newest first */
};

bool
ws_heap_valid(const WS_HEAP *h)
{
	return ipc_handle_live(h) && h->magic == WS_HEAP_MAGIC;
}

void *
ws_heap_alloc(WS_HEAP *h, size_t size, HRESULT *hr)
{
	struct ws_heap_chunk *c;
	size_t want, csize;
	void *p = NULL;

	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - WS_HEAP_ALIGN) {
		*hr = WS_E_QUOTA_EXCEEDED;
		return NULL;
	}
	want = (size + WS_HEAP_ALIGN - 1) & ~(size_t)(WS_HEAP_ALIGN - 1);
	pthread_mutex_lock(&h->lock);
	/* The quota counts what callers asked for, not the alignment. */
	if (size > h->max || h->requested > h->max - size) {
		*hr = WS_E_QUOTA_EXCEEDED;
		goto out;
	}
	c = h->chunks;
	if (c == NULL || c->size - c->used < want) {
		/* Grow geometrically so that many small allocations stay cheap,
		 * but never beyond what the quota still allows. */
		csize = c == NULL ? WS_HEAP_MIN_CHUNK : c->size * 2;
		if (csize > h->max - h->requested)
			csize = h->max - h->requested;
		if (csize < want)
			csize = want;
		if (csize > SIZE_MAX - sizeof(*c) ||
		    (c = malloc(sizeof(*c) + csize)) == NULL) {
			*hr = E_OUTOFMEMORY;
			goto out;
		}
		c->size = csize;
		c->used = 0;
		c->next = h->chunks;
		h->chunks = c;
	}
	p = c->data + c->used;
	c->used += want;
	h->requested += size;
	*hr = S_OK;
out:
	pthread_mutex_unlock(&h->lock);
	return p;
}

WS_EXPORT HRESULT WINAPI
WsCreateHeap(SIZE_T maxSize, SIZE_T trimSize,
    const WS_HEAP_PROPERTY *properties, ULONG propertyCount, WS_HEAP **heap,
    WS_ERROR *error)
{
	WS_HEAP *h;
	ULONG i;

	if (heap == NULL || (properties == NULL && propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsCreateHeap: heap is NULL");
	for (i = 0; i < propertyCount; i++) {
		const WS_HEAP_PROPERTY *p = &properties[i];

		if ((p->id != WS_HEAP_PROPERTY_MAX_SIZE &&
		    p->id != WS_HEAP_PROPERTY_TRIM_SIZE) || p->value == NULL ||
		    p->valueSize != sizeof(SIZE_T))
			return ws_error_fail(error, E_INVALIDARG,
			    "WsCreateHeap: property %d cannot be set",
			    (int)p->id);
	}
	if ((h = calloc(1, sizeof(*h))) == NULL || ipc_handle_add(h) != 0) {
		free(h);
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "WsCreateHeap: out of memory");
	}
	h->max = maxSize;
	h->trim = trimSize;
	for (i = 0; i < propertyCount; i++) {
		if (properties[i].id == WS_HEAP_PROPERTY_MAX_SIZE)
			memcpy(&h->max, properties[i].value, sizeof(SIZE_T));
		else
			memcpy(&h->trim, properties[i].value, sizeof(SIZE_T));
	}
	pthread_mutex_init(&h->lock, NULL);
	h->magic = WS_HEAP_MAGIC;
	*heap = h;
	return S_OK;
}

WS_EXPORT HRESULT WINAPI
WsAlloc(WS_HEAP *heap, SIZE_T size, void **ptr, WS_ERROR *error)
{
	HRESULT hr;
	void *p;

	if (!ws_heap_valid(heap) || ptr == NULL)
		return ws_error_fail(error, E_INVALIDARG,
		    "WsAlloc: invalid heap or NULL result pointer");
	if ((p = ws_heap_alloc(heap, size, &hr)) == NULL) {
		if (hr == WS_E_QUOTA_EXCEEDED)
			return ws_error_fail(error, hr,
			    "WsAlloc: %zu bytes would exceed the heap's "
			    "maximum size of %zu bytes", (size_t)size,
			    heap->max);
		return ws_error_fail(error, hr, "WsAlloc: out of memory");
	}
	*ptr = p;
	return S_OK;
}

/* Frees every allocation; keeps one chunk of at most trimSize bytes. */
WS_EXPORT HRESULT WINAPI
WsResetHeap(WS_HEAP *heap, WS_ERROR *error)
{
	struct ws_heap_chunk *c, *next, *keep = NULL;

	if (!ws_heap_valid(heap))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsResetHeap: invalid heap");
	pthread_mutex_lock(&heap->lock);
	for (c = heap->chunks; c != NULL; c = next) {
		next = c->next;
		if (c->size <= heap->trim &&
		    (keep == NULL || c->size > keep->size)) {
			if (keep != NULL)
				free(keep);
			keep = c;
		} else
			free(c);
	}
	if (keep != NULL) {
		keep->next = NULL;
		keep->used = 0;
	}
	heap->chunks = keep;
	heap->requested = 0;
	pthread_mutex_unlock(&heap->lock);
	return S_OK;
}

WS_EXPORT void WINAPI
WsFreeHeap(WS_HEAP *heap)
{
	struct ws_heap_chunk *c, *next;

	if (!ws_heap_valid(heap))
		return;
	heap->magic = 0;
	for (c = heap->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&heap->lock);
	ipc_handle_del(heap);
	free(heap);
}

/* The sizes a heap was created with and what it holds now. */
WS_EXPORT HRESULT WINAPI
WsGetHeapProperty(WS_HEAP *heap, WS_HEAP_PROPERTY_ID id, void *value,
    ULONG valueSize, WS_ERROR *error)
{
	struct ws_heap_chunk *c;
	SIZE_T v = 0;

	if (!ws_heap_valid(heap) || value == NULL ||
	    valueSize != sizeof(SIZE_T))
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetHeapProperty: invalid heap, NULL value or wrong "
		    "size");
	pthread_mutex_lock(&heap->lock);
	switch (id) {
	case WS_HEAP_PROPERTY_MAX_SIZE:
		v = heap->max;
		break;
	case WS_HEAP_PROPERTY_TRIM_SIZE:
		v = heap->trim;
		break;
	case WS_HEAP_PROPERTY_REQUESTED_SIZE:
		v = heap->requested;
		break;
	case WS_HEAP_PROPERTY_ACTUAL_SIZE:
		for (c = heap->chunks; c != NULL; c = c->next)
			v += c->size;
		break;
	default:
		pthread_mutex_unlock(&heap->lock);
		return ws_error_fail(error, E_INVALIDARG,
		    "WsGetHeapProperty: unknown property %d", (int)id);
	}
	pthread_mutex_unlock(&heap->lock);
	memcpy(value, &v, sizeof(v));
	return S_OK;
}
