/*
 * One codec object per channel and direction pair, so that the session
 * dictionaries of MC-NBFSE live as long as the session and nowhere else.
 */
#include <errno.h>
#include <stdlib.h>

#include <wschannel/webservices.h>

#include "encoding.h"
#include "envelope.h"
#include "nbfx.h"

struct encoding {
	uint32_t		 type;		/* WS_ENCODING */
	uint32_t		 envelope_version;
	/* MC-NBFSE: what the peer announced, what we announced. */
	struct nbfx_dict	*dict_in, *dict_out;
};

int
encoding_new(uint32_t ws_encoding, uint32_t envelope_version,
    uint32_t max_dict, struct encoding **out)
{
	struct encoding *e;

	if (ws_encoding != WS_ENCODING_XML_UTF8 &&
	    ws_encoding != WS_ENCODING_XML_BINARY_1 &&
	    ws_encoding != WS_ENCODING_XML_BINARY_SESSION_1)
		return -ENOTSUP;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -ENOMEM;
	e->type = ws_encoding;
	e->envelope_version = envelope_version;
	if (ws_encoding == WS_ENCODING_XML_BINARY_SESSION_1 &&
	    ((e->dict_in = nbfx_dict_new(max_dict)) == NULL ||
	    (e->dict_out = nbfx_dict_new(max_dict)) == NULL)) {
		encoding_free(e);
		return -ENOMEM;
	}
	*out = e;
	return 0;
}

void
encoding_free(struct encoding *e)
{
	if (e == NULL)
		return;
	nbfx_dict_free(e->dict_in);
	nbfx_dict_free(e->dict_out);
	free(e);
}

uint32_t
encoding_type(const struct encoding *e)
{
	return e->type;
}

int32_t
encoding_encode(struct encoding *e, const struct envelope *msg,
    uint8_t **table, size_t *table_len, uint8_t **doc, size_t *doc_len,
    const char **why)
{
	xmlDoc *xdoc;
	int rc;

	*table = NULL;
	*table_len = 0;
	if (e->type == WS_ENCODING_XML_UTF8)
		rc = envelope_write(msg, doc, doc_len);
	else if ((rc = envelope_to_doc(msg, &xdoc)) == 0) {
		rc = nbfx_write(xdoc, e->dict_out, table, table_len, doc,
		    doc_len);
		xmlFreeDoc(xdoc);
	}
	if (rc == -ENOMEM) {
		*why = "out of memory";
		return E_OUTOFMEMORY;
	}
	if (rc != 0) {
		*why = "the message cannot be encoded (is the body well-formed XML?)";
		return WS_E_INVALID_FORMAT;
	}
	return S_OK;
}

int32_t
encoding_decode(struct encoding *e, const uint8_t *in, size_t len,
    struct envelope *env, const char **why)
{
	xmlDoc *xdoc;
	int n, rc;

	if (e->type == WS_ENCODING_XML_UTF8) {
		rc = envelope_read(in, len, env, why);
		return rc == 0 ? S_OK : rc == -ENOMEM ? E_OUTOFMEMORY :
		    WS_E_INVALID_FORMAT;
	}
	if (e->dict_in != NULL) {
		n = nbfx_dict_read_table(e->dict_in, in, len);
		if (n == -EDQUOT) {
			*why = "peer overflowed MAX_SESSION_DICTIONARY_SIZE";
			return WS_E_QUOTA_EXCEEDED;
		}
		if (n < 0) {
			*why = n == -ENOMEM ? "out of memory" :
			    "malformed session string table";
			return n == -ENOMEM ? E_OUTOFMEMORY : WS_E_INVALID_FORMAT;
		}
		in += n;
		len -= (size_t)n;
	}
	if ((rc = nbfx_read(in, len, e->dict_in, &xdoc, why)) != 0)
		return rc == -ENOMEM ? E_OUTOFMEMORY : WS_E_INVALID_FORMAT;
	/* envelope_from_doc frees the document whatever it returns. */
	rc = envelope_from_doc(xdoc, env, why);
	return rc == 0 ? S_OK : rc == -ENOMEM ? E_OUTOFMEMORY :
	    WS_E_INVALID_FORMAT;
}

const char *
encoding_content_type(uint32_t ws_encoding, uint32_t envelope_version)
{
	switch (ws_encoding) {
	case WS_ENCODING_XML_UTF8:
		if (envelope_version == WS_ENVELOPE_VERSION_SOAP_1_1)
			return "text/xml; charset=utf-8";
		if (envelope_version == WS_ENVELOPE_VERSION_SOAP_1_2)
			return "application/soap+xml; charset=utf-8";
		return NULL;
	case WS_ENCODING_XML_BINARY_1:
		return "application/soap+msbin1";
	case WS_ENCODING_XML_BINARY_SESSION_1:
		return "application/soap+msbinsession1";
	default:
		return NULL;
	}
}
