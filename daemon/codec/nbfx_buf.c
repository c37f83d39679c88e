/*
 * The bottom of the binary XML codec: a growable byte buffer with the
 * MC-NBFX string forms, and the character checks every string that
 * reaches a tree passes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nbfx_priv.h"
#include "nmf.h"

/* ---- growable byte buffer ------------------------------------------------ */

int
nbfx_buf_reserve(struct nbfx_buf *b, size_t n)
{
	size_t	 cap;
	uint8_t	*p;

	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	cap = b->cap != 0 ? b->cap : 64;
	while (cap - b->len < n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int
nbfx_buf_add(struct nbfx_buf *b, const void *data, size_t n)
{
	int	 rc;

	if (n == 0)
		return 0;
	if ((rc = nbfx_buf_reserve(b, n)) < 0)
		return rc;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

int
nbfx_buf_byte(struct nbfx_buf *b, uint8_t c)
{
	return nbfx_buf_add(b, &c, 1);
}

int
nbfx_buf_str(struct nbfx_buf *b, const char *s)
{
	return nbfx_buf_add(b, s, strlen(s));
}

int
nbfx_buf_mbi31(struct nbfx_buf *b, uint32_t v)
{
	uint8_t	 mbi[NMF_MBI31_MAX];

	return nbfx_buf_add(b, mbi, (size_t)nmf_mbi31_encode(v, mbi));
}

/* A String of MC-NBFX 2.1.3: MultiByteInt31 length, then UTF-8 bytes. */
int
nbfx_buf_string(struct nbfx_buf *b, const char *s, size_t len)
{
	int	 rc;

	if (len > NBFX_MAX_STRING)
		return -EINVAL;
	if ((rc = nbfx_buf_mbi31(b, (uint32_t)len)) < 0)
		return rc;
	return nbfx_buf_add(b, s, len);
}

/* ---- character checks ---------------------------------------------------- */

/*
 * True when s[0..len) is well-formed UTF-8 (no overlong forms, surrogates
 * or values above U+10FFFF) made only of XML 1.0 Chars, so libxml2 can
 * hold it and serialize it without character references.
 */
bool
nbfx_xml_chars(const uint8_t *s, size_t len)
{
	size_t		 i = 0, n, k;
	uint32_t	 c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 && c != 0x09 && c != 0x0a && c != 0x0d)
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 2, c &= 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3, c &= 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4, c &= 0x07, min = 0x10000;
		} else
			return false;
		if (len - i < n)
			return false;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    c == 0xfffe || c == 0xffff)
			return false;
		i += n;
	}
	return true;
}

bool
nbfx_is_space(const uint8_t *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}
