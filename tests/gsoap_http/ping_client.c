/*
 * A gSOAP HTTP client for check_http_gsoap: `ping_client URL 11|12 N`
 * calls Ask(N) in SOAP 1.1 or 1.2 and prints "OK <answer>",
 * "FAULT <reason>" or "ERROR <gSOAP error>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soapH.h"

static struct Namespace ping_ns11[] = {
	{ "SOAP-ENV", "http://schemas.xmlsoap.org/soap/envelope/", NULL, NULL },
	{ "SOAP-ENC", "http://schemas.xmlsoap.org/soap/encoding/", NULL, NULL },
	{ "xsi", "http://www.w3.org/2001/XMLSchema-instance", NULL, NULL },
	{ "xsd", "http://www.w3.org/2001/XMLSchema", NULL, NULL },
	{ "ns", "urn:wschannel-test", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

/* libgsoap refers to this global table by name. */
struct Namespace namespaces[] = {
	{ "SOAP-ENV", "http://www.w3.org/2003/05/soap-envelope", NULL, NULL },
	{ "SOAP-ENC", "http://www.w3.org/2003/05/soap-encoding", NULL, NULL },
	{ "xsi", "http://www.w3.org/2001/XMLSchema-instance", NULL, NULL },
	{ "xsd", "http://www.w3.org/2001/XMLSchema", NULL, NULL },
	{ "ns", "urn:wschannel-test", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

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
	const char *reason;
	int answer = 0;

	if (argc != 4)
		return 2;
	if ((soap = soap_new()) == NULL)
		return 2;
	soap_set_namespaces(soap, strcmp(argv[2], "11") == 0 ? ping_ns11 :
	    namespaces);
	soap->connect_timeout = 10;
	soap->recv_timeout = 10;
	soap->send_timeout = 10;
	if (soap_call___ns__Ask(soap, argv[1], NULL, atoi(argv[3]),
	    &answer) == SOAP_OK)
		printf("OK %d\n", answer);
	else if (soap->error == SOAP_FAULT || soap->error == SOAP_CLI_FAULT ||
	    soap->error == SOAP_SVR_FAULT) {
		reason = *soap_faultstring(soap);
		printf("FAULT %s\n", reason != NULL ? reason : "");
	} else
		printf("ERROR %d\n", soap->error);
	fflush(stdout);
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	return 0;
}
