/*
 * libFuzzer target for soap.udp's datagram decoder (daemon/transport/
 * udp_dgram.c): one input is one datagram as a listener or a client
 * channel reads it.  What it checks: a datagram is either dropped with a
 * reason or becomes an envelope of a known SOAP version that encodes and
 * decodes again to the same headers; the To of whatever arrives can be
 * matched against a listener under every option set without harm.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wschannel/webservices.h>

#include "encoding.h"
#include "envelope.h"
#include "fuzz.h"
#include "udp_priv.h"
#include "url.h"

static bool
fuzz_udp_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t opts[] = { 0, 0x1ff, UDP_MATCH_PORT,
	    UDP_MATCH_EXACT_PATH | UDP_MATCH_HOST_ADDRESSES,
	    UDP_MATCH_PREFIX_PATH | UDP_MATCH_LOCAL_HOST };
	struct encoding *enc = NULL;
	struct udp_dgram *d;
	struct envelope back;
	struct url lu;
	const char *why = NULL;
	uint8_t *table = NULL, *doc = NULL;
	size_t table_len, doc_len, i;

	if (encoding_new(WS_ENCODING_XML_UTF8, WS_ENVELOPE_VERSION_SOAP_1_2, 0,
	    &enc) != 0)
		abort();
	if ((d = udp_dgram_decode(enc, data, size, &why)) == NULL) {
		if (why == NULL)
			abort();	/* a drop always says why */
		encoding_free(enc);
		return 0;
	}
	if (d->size != size || (d->env.envelope_version !=
	    WS_ENVELOPE_VERSION_SOAP_1_1 && d->env.envelope_version !=
	    WS_ENVELOPE_VERSION_SOAP_1_2))
		abort();
	if (url_parse("soap.udp://127.0.0.1:3702/x", &lu) != 0)
		abort();
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		(void)udp_to_matches(opts[i], &lu, i % 2 == 0, NULL,
		    d->env.to);
	/* What we accepted, we can send back: same headers after a round
	 * trip in its own SOAP version. */
	encoding_free(enc);
	if (encoding_new(WS_ENCODING_XML_UTF8, d->env.envelope_version, 0,
	    &enc) != 0)
		abort();
	if (encoding_encode(enc, &d->env, &table, &table_len, &doc, &doc_len,
	    &why) == S_OK) {
		memset(&back, 0, sizeof(back));
		if (encoding_decode(enc, doc, doc_len, &back, &why) != S_OK ||
		    back.envelope_version != d->env.envelope_version ||
		    !fuzz_udp_same(back.action, d->env.action) ||
		    !fuzz_udp_same(back.message_id, d->env.message_id) ||
		    !fuzz_udp_same(back.relates_to, d->env.relates_to))
			abort();
		envelope_clear(&back);
	}
	free(table);
	free(doc);
	udp_dgram_free(d);
	encoding_free(enc);
	return 0;
}
