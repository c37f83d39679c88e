/*
 * A gSOAP HTTP client for check_http_mapping: `hdr_client URL N ID` calls
 * Ask(N) in SOAP 1.2 with the HTTP header "X-Request-Id: ID" and prints
 * "OK <answer> TRACE <X-Trace of the response>" or "ERROR <gSOAP error>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "soapH.h"

struct Namespace namespaces[] = {
	{ "SOAP-ENV", "http://www.w3.org/2003/05/soap-envelope", NULL, NULL },
	{ "SOAP-ENC", "http://www.w3.org/2003/05/soap-encoding", NULL, NULL },
	{ "xsi", "http://www.w3.org/2001/XMLSchema-instance", NULL, NULL },
	{ "xsd", "http://www.w3.org/2001/XMLSchema", NULL, NULL },
	{ "ns", "urn:wschannel-test", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

static int (*hdr_default_parse)(struct soap *, const char *, const char *);
static char hdr_trace[256] = "-";

static int
hdr_parse(struct soap *soap, const char *key, const char *val)
{
	if (strcasecmp(key, "X-Trace") == 0)
		snprintf(hdr_trace, sizeof(hdr_trace), "%s", val);
	return hdr_default_parse(soap, key, val);
}

/* soapcpp2 generates the server side too; the client never serves. */
int
__ns__Ask(struct soap *soap, int value, int *answer)
{
	return SOAP_NO_METHOD;
}

int
main(int argc, char **argv)
{
	struct soap *soap;
	char extra[300];
	int answer = 0;

	if (argc != 4)
		return 2;
	if ((soap = soap_new()) == NULL)
		return 2;
	soap_set_namespaces(soap, namespaces);
	soap->connect_timeout = 10;
	soap->recv_timeout = 10;
	soap->send_timeout = 10;
	hdr_default_parse = soap->fparsehdr;
	soap->fparsehdr = hdr_parse;
	snprintf(extra, sizeof(extra), "X-Request-Id: %s", argv[3]);
	soap->http_extra_header = extra;
	if (soap_call___ns__Ask(soap, argv[1], NULL, atoi(argv[2]),
	    &answer) == SOAP_OK)
		printf("OK %d TRACE %s\n", answer, hdr_trace);
	else
		printf("ERROR %d\n", soap->error);
	fflush(stdout);
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	return 0;
}
