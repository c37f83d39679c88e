/*
 * The in-band session dictionary of [MC-NBFSE]: the strings one direction
 * of a session has announced, found by hash when writing and by index when
 * reading, and the StringTables that carry them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nbfx_priv.h"
#include "nmf.h"

static int
nbfx_mbi31_size(uint32_t v)
{
	uint8_t	 mbi[NMF_MBI31_MAX];

	return nmf_mbi31_encode(v, mbi);
}

struct nbfx_dstr {
	char		*s;		/* NUL-terminated copy */
	uint32_t	 len;
	uint32_t	 next;		/* index + 1 of the next string of its bucket */
};

struct nbfx_dict {
	struct nbfx_dstr *strs;
	size_t		 count, cap;
	uint32_t	*buckets;	/* index + 1 of the newest string, 0: empty */
	size_t		 nbuckets;	/* a power of two */
	uint32_t	 used, max;
};

static uint32_t
nbfx_hash(const char *s, size_t len)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void
nbfx_dict_rehash(struct nbfx_dict *d)
{
	size_t		 i;
	uint32_t	 b;

	memset(d->buckets, 0, d->nbuckets * sizeof(*d->buckets));
	/* In index order, so the newest string heads its bucket: what
	 * nbfx_dict_truncate relies on. */
	for (i = 0; i < d->count; i++) {
		b = nbfx_hash(d->strs[i].s, d->strs[i].len) & (d->nbuckets - 1);
		d->strs[i].next = d->buckets[b];
		d->buckets[b] = (uint32_t)i + 1;
	}
}

struct nbfx_dict *
nbfx_dict_new(uint32_t max_bytes)
{
	struct nbfx_dict	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->max = max_bytes;
	d->nbuckets = 64;
	if ((d->buckets = calloc(d->nbuckets, sizeof(*d->buckets))) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
nbfx_dict_free(struct nbfx_dict *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->count; i++)
		free(d->strs[i].s);
	free(d->strs);
	free(d->buckets);
	free(d);
}

size_t
nbfx_dict_count(const struct nbfx_dict *d)
{
	return d != NULL ? d->count : 0;
}

uint32_t
nbfx_dict_bytes(const struct nbfx_dict *d)
{
	return d != NULL ? d->used : 0;
}

/* The string of index `i` (id 2i+1), NULL when there is none. */
const char *
nbfx_dict_string(const struct nbfx_dict *d, size_t i, size_t *len)
{
	if (i >= d->count)
		return NULL;
	*len = d->strs[i].len;
	return d->strs[i].s;
}

/* What a string costs in a StringTable, hence against the quota. */
static uint64_t
nbfx_dict_cost(size_t len)
{
	return (uint64_t)nbfx_mbi31_size((uint32_t)len) + len;
}

int
nbfx_dict_find(const struct nbfx_dict *d, const char *s, size_t len)
{
	uint32_t	 i;

	i = d->buckets[nbfx_hash(s, len) & (d->nbuckets - 1)];
	while (i != 0) {
		if (d->strs[i - 1].len == len &&
		    memcmp(d->strs[i - 1].s, s, len) == 0)
			return (int)i - 1;
		i = d->strs[i - 1].next;
	}
	return -1;
}

/* Appends a string; returns its index, -EDQUOT over quota, -ENOMEM. */
int
nbfx_dict_add(struct nbfx_dict *d, const char *s, size_t len)
{
	struct nbfx_dstr	*strs;
	uint32_t		*buckets, b;
	size_t			 cap;
	char			*copy;

	if (len > NBFX_MAX_STRING ||
	    (uint64_t)d->used + nbfx_dict_cost(len) > d->max)
		return -EDQUOT;
	/* Ids are 2n+1 in a MultiByteInt31. */
	if (d->count >= NBFX_MAX_STRING / 2)
		return -EDQUOT;
	if (d->count == d->cap) {
		cap = d->cap != 0 ? d->cap * 2 : 16;
		if ((strs = reallocarray(d->strs, cap, sizeof(*strs))) == NULL)
			return -ENOMEM;
		d->strs = strs;
		d->cap = cap;
	}
	if (d->count >= d->nbuckets) {
		if ((buckets = reallocarray(d->buckets, d->nbuckets * 2,
		    sizeof(*buckets))) == NULL)
			return -ENOMEM;
		d->buckets = buckets;
		d->nbuckets *= 2;
		nbfx_dict_rehash(d);
	}
	if ((copy = malloc(len + 1)) == NULL)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	b = nbfx_hash(s, len) & (d->nbuckets - 1);
	d->strs[d->count].s = copy;
	d->strs[d->count].len = (uint32_t)len;
	d->strs[d->count].next = d->buckets[b];
	d->buckets[b] = (uint32_t)d->count + 1;
	d->used += (uint32_t)nbfx_dict_cost(len);
	return (int)d->count++;
}

/* Forgets the strings added after the first `count`, newest first. */
void
nbfx_dict_truncate(struct nbfx_dict *d, size_t count)
{
	struct nbfx_dstr	*e;
	uint32_t		 b;

	while (d->count > count) {
		e = &d->strs[d->count - 1];
		b = nbfx_hash(e->s, e->len) & (d->nbuckets - 1);
		d->buckets[b] = e->next;	/* it heads its bucket */
		d->used -= (uint32_t)nbfx_dict_cost(e->len);
		free(e->s);
		d->count--;
	}
}

int
nbfx_dict_read_table(struct nbfx_dict *d, const uint8_t *in, size_t len)
{
	const uint8_t	*p, *end;
	uint32_t	 size, slen;
	size_t		 mark = d->count;
	int		 n, rc;

	n = nmf_mbi31_decode(in, len, &size);
	if (n <= 0)
		return -EBADMSG;
	if (size > len - (size_t)n || size > INT32_MAX - (uint32_t)n)
		return -EBADMSG;
	p = in + n;
	end = p + size;
	while (p < end) {
		n = nmf_mbi31_decode(p, (size_t)(end - p), &slen);
		if (n <= 0 || slen > (size_t)(end - p) - (size_t)n) {
			rc = -EBADMSG;
			goto fail;
		}
		p += n;
		if (!nbfx_xml_chars(p, slen)) {
			rc = -EBADMSG;
			goto fail;
		}
		if ((rc = nbfx_dict_add(d, (const char *)p, slen)) < 0)
			goto fail;
		p += slen;
	}
	return (int)(end - in);
fail:
	nbfx_dict_truncate(d, mark);
	return rc;
}

/* The StringTable of the strings added since `mark`. */
int
nbfx_dict_write_table(const struct nbfx_dict *d, size_t mark, struct nbfx_buf *b)
{
	uint64_t	 size = 0;
	size_t		 i;
	int		 rc;

	for (i = mark; i < d->count; i++)
		size += nbfx_dict_cost(d->strs[i].len);
	if (size > NBFX_MAX_STRING)
		return -EINVAL;
	if ((rc = nbfx_buf_mbi31(b, (uint32_t)size)) < 0)
		return rc;
	for (i = mark; i < d->count; i++)
		if ((rc = nbfx_buf_string(b, d->strs[i].s, d->strs[i].len)) < 0)
			return rc;
	return 0;
}
