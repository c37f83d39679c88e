/*
 * .NET Binary Format for XML ([MC-NBFX]) with the SOAP static dictionary
 * ([MC-NBFS]) and the in-band session dictionary ([MC-NBFSE]).
 *
 * Pure functions over byte buffers; the infoset is a libxml2 document.
 * Nothing here logs, and every input is treated as hostile: a malformed
 * document gives -EBADMSG with a static reason, never a read past `len`.
 */
#ifndef WSCHANNEL_NBFX_H
#define WSCHANNEL_NBFX_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

/* The MC-NBFS static dictionary (nbfs_dict.c): index i is id 2*i. */
struct nbfs_string {
	const char	*s;
	size_t		 len;
};
#define NBFS_DICT_COUNT		487	/* MC-NBFS: ids 0x000..0x3cc */
#define NBFS_DICT_COUNT_READ	488	/* plus 0x3ce, which Windows knows */
extern const struct nbfs_string nbfs_dict[NBFS_DICT_COUNT_READ];

/* Index of `s` among the first NBFS_DICT_COUNT strings, or -1. */
int	nbfs_dict_lookup(const char *s, size_t len);

/* Reader limits: deeper, wider or bigger documents are -EBADMSG. */
#define NBFX_MAX_DEPTH		256		/* nested elements */
#define NBFX_MAX_ATTRS		256		/* attributes + xmlns per element */
#define NBFX_MAX_NODES		(1 << 20)	/* elements, attributes, texts */

/* The default MAX_SESSION_DICTIONARY_SIZE of WWSAPI and WCF. */
#define NBFX_DICT_DEFAULT_SIZE	2048

/*
 * One direction's session dictionary: the strings a peer has announced in
 * string tables (reader side) or that we have announced (writer side).
 * The quota counts what the strings occupy in string tables: their
 * MultiByteInt31 length plus their bytes, so 16 strings of 127 bytes fill
 * 2048 exactly.
 */
struct nbfx_dict;

struct nbfx_dict *nbfx_dict_new(uint32_t max_bytes);
void	nbfx_dict_free(struct nbfx_dict *d);
size_t	nbfx_dict_count(const struct nbfx_dict *d);	/* strings held */
uint32_t nbfx_dict_bytes(const struct nbfx_dict *d);	/* quota used */

/*
 * Reader side: consumes the StringTable (MultiByteInt31 size, then strings)
 * at the front of a session-encoded message and adds its strings to `d`;
 * the n-th string ever added gets id 2n+1.  Returns the bytes consumed
 * (size prefix included: 1 for an empty table), -EBADMSG when malformed
 * (truncated, strings not filling the size exactly, invalid UTF-8),
 * -EDQUOT when the strings would exceed the quota, -ENOMEM.  On error `d`
 * is unchanged.
 */
int	nbfx_dict_read_table(struct nbfx_dict *d, const uint8_t *in, size_t len);

/*
 * Decodes one NBFX document (all of `in`) into a new libxml2 document.
 * `d` is the session dictionary of this direction, NULL without a session
 * (then an odd DictionaryString id is malformed).  Typed text records
 * become their canonical XML text (Int32 -> "-5", Double -> shortest
 * round-trip form or INF/-INF/NaN, Bytes -> base64, DateTime -> xsd:dateTime,
 * UniqueId -> "urn:uuid:...", ...).  Returns 0, -EBADMSG with *why set to a
 * static reason, or -ENOMEM.  *out is untouched on failure.
 */
int	nbfx_read(const uint8_t *in, size_t len, const struct nbfx_dict *d,
	    xmlDocPtr *out, const char **why);

/*
 * Encodes `doc`.  Names and namespace URIs found in the static dictionary
 * are written by id.  With `d` (WS_ENCODING_XML_BINARY_SESSION_1) element
 * and attribute local names and namespace URIs that are not static get
 * session ids, in document order of first use, while the quota allows;
 * the strings this message added come back in *table as the StringTable
 * to send in front of the document (always present: "00" when nothing
 * was added).  Without `d` (WS_ENCODING_XML_BINARY_1) *table is NULL and
 * *table_len 0.  Text is written as Chars8/16/32 (Zero/One/True/False/Empty
 * for "0", "1", "true", "false", "" where that is exact).
 * Both buffers are malloc'd and owned by the caller.  Returns 0, -EINVAL
 * for what binary XML (or our reader) cannot carry: a processing
 * instruction, entity reference or DTD, an attribute in a namespace
 * without a prefix, two namespaces for one prefix on one element, a name
 * that is not an NCName, text or a comment XML 1.0 cannot hold, nesting
 * deeper than NBFX_MAX_DEPTH; -ENOMEM.  On failure nothing is returned
 * and `d` is unchanged.
 */
int	nbfx_write(xmlDocPtr doc, struct nbfx_dict *d, uint8_t **table,
	    size_t *table_len, uint8_t **out, size_t *out_len);

/*
 * Typed text records, for a reader and writer that keep them typed (the
 * WWSAPI library: WS_XML_INT32_TEXT, WS_XML_BASE64_TEXT...) rather than
 * flattening them to text.  `type` is the record type in its even form
 * (NBFX_*_TEXT of nbfx_priv.h, the values of MC-NBFX 2.2.3); `p`/`len`
 * the record's value bytes as they are on the wire, after the type byte
 * (a Bytes8 record: its length byte and the bytes; a StartListText: its
 * item records and the EndListText byte).
 */
struct nbfx_typed {
	uint8_t		 type;
	const uint8_t	*p;
	size_t		 len;
};

/*
 * nbfx_read, and a table of the typed records behind the tree's text: a
 * text node or attribute made of exactly one text record other than
 * Chars, UnicodeChars, Dictionary or Empty has in its _private
 * (void *)(uintptr_t)(i + 1), i its index in *tab.  The spans point into
 * `in`.  *tab is malloc'd (NULL when empty) and the caller's.
 */
int	nbfx_read_typed(const uint8_t *in, size_t len, const struct nbfx_dict *d,
	    xmlDocPtr *out, struct nbfx_typed **tab, size_t *ntab,
	    const char **why);

/* The bytes of the one text record at `p` (type byte included), 0 when
 * it is truncated or not a text record that stands alone in a list. */
size_t	nbfx_text_record_size(const uint8_t *p, size_t len);

/*
 * Writer options: typed records for text nodes and attributes whose
 * _private is (void *)(uintptr_t)(i + 1), i an index in `tab` (the value
 * bytes are written as they are after the type byte, or its
 * WithEndElement twin for the last text of an element); and a lookup for
 * names and namespaces outside the static dictionary: returning 1 with
 * *id writes the string as DictionaryString 2 * id + 1, 0 inline, < 0
 * fails the write with that code.
 */
struct nbfx_wopts {
	const struct nbfx_typed	*tab;
	size_t			 ntab;
	int			(*dynamic)(void *, const char *, size_t,
				    uint32_t *);
	void			*arg;
};

int	nbfx_write_opts(xmlDocPtr doc, struct nbfx_dict *d,
	    const struct nbfx_wopts *opts, uint8_t **table, size_t *table_len,
	    uint8_t **out, size_t *out_len);

#endif
