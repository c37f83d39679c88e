/*
 * A gSOAP HTTP server for check_http_gsoap: binds 127.0.0.1 on a port of
 * the kernel's choice, prints "PORT <n>", serves `count` connections and
 * exits.  Ask answers value + 1, or a SOAP fault for a negative value.
 * gSOAP answers in the SOAP version of each request.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include "soapH.h"

/* SOAP 1.2 by default; a SOAP 1.1 request is recognised by the pattern. */
/* libgsoap refers to this global table by name. */
struct Namespace namespaces[] = {
	{ "SOAP-ENV", "http://www.w3.org/2003/05/soap-envelope",
	    "http://schemas.xmlsoap.org/soap/envelope/", NULL },
	{ "SOAP-ENC", "http://www.w3.org/2003/05/soap-encoding",
	    "http://schemas.xmlsoap.org/soap/encoding/", NULL },
	{ "xsi", "http://www.w3.org/2001/XMLSchema-instance",
	    "http://www.w3.org/*/XMLSchema-instance", NULL },
	{ "xsd", "http://www.w3.org/2001/XMLSchema",
	    "http://www.w3.org/*/XMLSchema", NULL },
	{ "ns", "urn:wschannel-test", NULL, NULL },
	{ NULL, NULL, NULL, NULL }
};

int
__ns__Ask(struct soap *soap, int value, int *answer)
{
	if (value < 0)
		return soap_receiver_fault(soap, "negative values are refused",
		    NULL);
	*answer = value + 1;
	return SOAP_OK;
}

int
main(int argc, char **argv)
{
	struct soap *soap = soap_new();
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int count = argc > 1 ? atoi(argv[1]) : 1, i;

	if (soap == NULL)
		return 2;
	soap_set_namespaces(soap, namespaces);
	soap->accept_timeout = 20;
	soap->recv_timeout = 20;
	soap->send_timeout = 20;
	if (!soap_valid_socket(soap_bind(soap, "127.0.0.1", 0, 8)) ||
	    getsockname(soap->master, (struct sockaddr *)&sin, &len) != 0) {
		soap_print_fault(soap, stderr);
		return 2;
	}
	printf("PORT %u\n", (unsigned)ntohs(sin.sin_port));
	fflush(stdout);
	for (i = 0; i < count; i++) {
		if (!soap_valid_socket(soap_accept(soap)))
			break;
		if (soap_serve(soap) != SOAP_OK && soap->error != SOAP_FAULT)
			soap_print_fault(soap, stderr);
		soap_destroy(soap);
		soap_end(soap);
	}
	soap_free(soap);
	return 0;
}
