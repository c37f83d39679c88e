/*
 * Fuzz target for the header values daemon/transport/http_util.c reads
 * from any HTTP client: evhttp parses the request, we read Content-Type
 * (media type, charset, action parameter) and SOAPAction.  The input is
 * "<Content-Type>\n<SOAPAction>".  A media type that is accepted must map
 * to an encoding and a SOAP version we speak; an action that is found
 * must be a piece of a header value, without quotes.
 */
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <wschannel/webservices.h>

#include "fuzz.h"
#include "http.h"

static __attribute__((noreturn)) void
fuzz_http_fail(const char *ct, const char *what)
{
	fprintf(stderr, "content-type \"%s\": %s\n", ct, what);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evkeyvalq hdrs;
	char *in, *nl, *act;
	const char *ct, *sa;
	uint32_t enc = 99, env = 99, v;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	ct = in;
	sa = "";
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		sa = nl + 1;
	}
	if (http_util_media_type(ct, &enc, &env) == 0 &&
	    ((enc != WS_ENCODING_XML_UTF8 && enc != WS_ENCODING_XML_BINARY_1 &&
	    !http_util_utf16(enc)) ||
	    (env != WS_ENVELOPE_VERSION_SOAP_1_1 &&
	    env != WS_ENVELOPE_VERSION_SOAP_1_2)))
		fuzz_http_fail(ct, "accepted with an encoding we do not speak");
	TAILQ_INIT(&hdrs);
	/* evhttp refuses values it would not have parsed (CR, LF). */
	(void)evhttp_add_header(&hdrs, "Content-Type", ct);
	(void)evhttp_add_header(&hdrs, "SOAPAction", sa);
	for (v = WS_ENVELOPE_VERSION_SOAP_1_1; v <= WS_ENVELOPE_VERSION_SOAP_1_2;
	    v++) {
		if ((act = http_util_header_action(&hdrs, v)) == NULL)
			continue;
		if (*act == '\0' || strchr(act, '"') != NULL ||
		    (strstr(ct, act) == NULL && strstr(sa, act) == NULL))
			fuzz_http_fail(ct, "action is not a piece of a header");
		free(act);
	}
	evhttp_clear_headers(&hdrs);
	free(in);
	return 0;
}
