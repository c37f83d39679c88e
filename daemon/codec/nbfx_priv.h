/*
 * What the parts of the binary XML codec share: record types, the byte
 * buffer both directions write into, character checks, and the session
 * dictionary calls that are not public.  Calls go one way only: the
 * reader (nbfx.c) and the writer (nbfx_write.c) call the session
 * dictionary (nbfx_dict.c) and nbfx_buf.c, the dictionary calls
 * nbfx_buf.c, and the reader and the writer never call each other.
 */
#ifndef WSCHANNEL_NBFX_PRIV_H
#define WSCHANNEL_NBFX_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbfx.h"

/* Record types of MC-NBFX section 2.2. */
enum nbfx_record {
	NBFX_END_ELEMENT = 0x01,
	NBFX_COMMENT = 0x02,
	NBFX_ARRAY = 0x03,
	NBFX_SHORT_ATTRIBUTE = 0x04,
	NBFX_ATTRIBUTE = 0x05,
	NBFX_SHORT_DICT_ATTRIBUTE = 0x06,
	NBFX_DICT_ATTRIBUTE = 0x07,
	NBFX_SHORT_XMLNS = 0x08,
	NBFX_XMLNS = 0x09,
	NBFX_SHORT_DICT_XMLNS = 0x0a,
	NBFX_DICT_XMLNS = 0x0b,
	NBFX_PREFIX_DICT_ATTRIBUTE_A = 0x0c,	/* .. 0x25: prefix 'a'..'z' */
	NBFX_PREFIX_ATTRIBUTE_A = 0x26,		/* .. 0x3f */
	NBFX_SHORT_ELEMENT = 0x40,
	NBFX_ELEMENT = 0x41,
	NBFX_SHORT_DICT_ELEMENT = 0x42,
	NBFX_DICT_ELEMENT = 0x43,
	NBFX_PREFIX_DICT_ELEMENT_A = 0x44,	/* .. 0x5d */
	NBFX_PREFIX_ELEMENT_A = 0x5e,		/* .. 0x77 */
	/* Text records; each has a WithEndElement twin at type + 1. */
	NBFX_ZERO_TEXT = 0x80,
	NBFX_ONE_TEXT = 0x82,
	NBFX_FALSE_TEXT = 0x84,
	NBFX_TRUE_TEXT = 0x86,
	NBFX_INT8_TEXT = 0x88,
	NBFX_INT16_TEXT = 0x8a,
	NBFX_INT32_TEXT = 0x8c,
	NBFX_INT64_TEXT = 0x8e,
	NBFX_FLOAT_TEXT = 0x90,
	NBFX_DOUBLE_TEXT = 0x92,
	NBFX_DECIMAL_TEXT = 0x94,
	NBFX_DATETIME_TEXT = 0x96,
	NBFX_CHARS8_TEXT = 0x98,
	NBFX_CHARS16_TEXT = 0x9a,
	NBFX_CHARS32_TEXT = 0x9c,
	NBFX_BYTES8_TEXT = 0x9e,
	NBFX_BYTES16_TEXT = 0xa0,
	NBFX_BYTES32_TEXT = 0xa2,
	NBFX_START_LIST_TEXT = 0xa4,		/* no WithEndElement twin */
	NBFX_END_LIST_TEXT = 0xa6,		/* no WithEndElement twin */
	NBFX_EMPTY_TEXT = 0xa8,
	NBFX_DICTIONARY_TEXT = 0xaa,
	NBFX_UNIQUE_ID_TEXT = 0xac,
	NBFX_TIMESPAN_TEXT = 0xae,
	NBFX_UUID_TEXT = 0xb0,
	NBFX_UINT64_TEXT = 0xb2,
	NBFX_BOOL_TEXT = 0xb4,
	NBFX_UNICODE8_TEXT = 0xb6,
	NBFX_UNICODE16_TEXT = 0xb8,
	NBFX_UNICODE32_TEXT = 0xba,
	NBFX_QNAME_DICT_TEXT = 0xbc,
	NBFX_LAST_TEXT = 0xbd,
};

#define NBFX_MAX_STRING		0x7fffffffu

/* nbfx_buf.c: a growable byte buffer; functions return 0 or -ENOMEM
 * (nbfx_buf_string: -EINVAL for a string over NBFX_MAX_STRING). */
struct nbfx_buf {
	uint8_t		*p;
	size_t		 len, cap;
};

int	nbfx_buf_reserve(struct nbfx_buf *b, size_t n);
int	nbfx_buf_add(struct nbfx_buf *b, const void *data, size_t n);
int	nbfx_buf_byte(struct nbfx_buf *b, uint8_t c);
int	nbfx_buf_str(struct nbfx_buf *b, const char *s);
int	nbfx_buf_mbi31(struct nbfx_buf *b, uint32_t v);
int	nbfx_buf_string(struct nbfx_buf *b, const char *s, size_t len);

/* nbfx_buf.c: UTF-8 made of XML 1.0 Chars; XML whitespace only. */
bool	nbfx_xml_chars(const uint8_t *s, size_t len);
bool	nbfx_is_space(const uint8_t *s, size_t len);

/* nbfx_dict.c: index of a string or -1; append (index, -EDQUOT, -ENOMEM);
 * forget all but the first `count`; the string of an index or NULL; the
 * StringTable of the strings added since `mark`. */
int	nbfx_dict_find(const struct nbfx_dict *d, const char *s, size_t len);
int	nbfx_dict_add(struct nbfx_dict *d, const char *s, size_t len);
void	nbfx_dict_truncate(struct nbfx_dict *d, size_t count);
const char *nbfx_dict_string(const struct nbfx_dict *d, size_t i, size_t *len);
int	nbfx_dict_write_table(const struct nbfx_dict *d, size_t mark,
	    struct nbfx_buf *b);

#endif
