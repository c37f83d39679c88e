/*
 * A gSOAP plain-HTTP (REST) client for check_http_raw_gsoap:
 * `rest_client URL METHOD CONTENT-TYPE BODY` sends BODY with PUT or POST
 * through gSOAP's own REST calls (no envelope) and prints
 * "STATUS <code> CT <Content-Type> BODY <body>" or "ERROR <gSOAP error>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soapH.h"

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
	char *body = NULL;
	size_t len = 0;
	int rc;

	if (argc != 5)
		return 2;
	if ((soap = soap_new()) == NULL)
		return 2;
	soap_set_namespaces(soap, namespaces);
	soap->connect_timeout = 10;
	soap->recv_timeout = 10;
	soap->send_timeout = 10;
	if (strcmp(argv[2], "PUT") == 0)
		rc = soap_PUT(soap, argv[1], NULL, argv[3]);
	else
		rc = soap_POST(soap, argv[1], NULL, argv[3]);
	if (rc == SOAP_OK)
		rc = soap_send_raw(soap, argv[4], strlen(argv[4]));
	if (rc == SOAP_OK)
		rc = soap_end_send(soap);
	if (rc == SOAP_OK)
		rc = soap_begin_recv(soap);
	if (rc == SOAP_OK && (body = soap_http_get_body(soap, &len)) == NULL)
		rc = soap->error;
	if (rc == SOAP_OK)
		rc = soap_end_recv(soap);
	if (rc == SOAP_OK)
		printf("STATUS %d CT %s BODY %.*s\n", soap->status,
		    soap->http_content != NULL ? soap->http_content : "-",
		    (int)len, body);
	else
		printf("ERROR %d\n", soap->error);
	fflush(stdout);
	soap_closesock(soap);
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	return 0;
}
