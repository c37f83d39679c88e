/*
 * libFuzzer target for daemon/codec/nbfx*.c: the payload of a SizedEnvelope in the
 * binary session encoding (a StringTable, then an NBFX document), and the
 * same bytes as a document without a session.
 *
 * Whatever decodes must survive a round trip: encoding the tree with a
 * fresh session dictionary and decoding that again gives the same tree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "fuzz.h"
#include "nbfx.h"

static void
fuzz_quiet(void *ctx, const char *msg, ...)
{
}

static xmlChar *
fuzz_dump(xmlDocPtr doc, int *len)
{
	xmlChar	*s = NULL;

	xmlDocDumpMemory(doc, &s, len);
	if (s == NULL)
		abort();
	return s;
}

/* Encode, decode again, compare the serializations. */
static void
fuzz_round_trip(xmlDocPtr doc)
{
	struct nbfx_dict	*wd, *rd;
	uint8_t			*table, *out;
	size_t			 table_len, out_len;
	xmlDocPtr		 again;
	xmlChar			*s1, *s2;
	const char		*why;
	int			 n, l1, l2;

	wd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	rd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	if (wd == NULL || rd == NULL)
		abort();
	if (nbfx_write(doc, wd, &table, &table_len, &out, &out_len) != 0)
		abort();	/* a tree the reader built must be writable */
	n = nbfx_dict_read_table(rd, table, table_len);
	if (n < 0 || (size_t)n != table_len)
		abort();
	if (nbfx_read(out, out_len, rd, &again, &why) != 0) {
		fprintf(stderr, "re-read failed: %s\n", why);
		abort();
	}
	s1 = fuzz_dump(doc, &l1);
	s2 = fuzz_dump(again, &l2);
	if (l1 != l2 || memcmp(s1, s2, (size_t)l1) != 0) {
		fprintf(stderr, "round trip differs:\n%s\n%s\n", s1, s2);
		abort();
	}
	xmlFree(s1);
	xmlFree(s2);
	xmlFreeDoc(again);
	free(table);
	free(out);
	nbfx_dict_free(wd);
	nbfx_dict_free(rd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct nbfx_dict	*d;
	xmlDocPtr		 doc;
	const char		*why;
	int			 n;

	if (!init) {
		xmlSetGenericErrorFunc(NULL, fuzz_quiet);
		init = 1;
	}
	if ((d = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE)) == NULL)
		return 0;
	n = nbfx_dict_read_table(d, data, size);
	if (n >= 0 && nbfx_read(data + n, size - (size_t)n, d, &doc, &why) == 0) {
		fuzz_round_trip(doc);
		xmlFreeDoc(doc);
	}
	nbfx_dict_free(d);
	if (nbfx_read(data, size, NULL, &doc, &why) == 0) {
		fuzz_round_trip(doc);
		xmlFreeDoc(doc);
	}
	return 0;
}
