/*
 * A gSOAP HTTP server for check_http_mapping: like ping_server, and it
 * prints the X-Request-Id header of each request ("REQID <value>") and
 * answers with "X-Trace: trace-<value>", so that a test sees both ways
 * that our mapped headers are real HTTP headers to an independent peer.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "soapH.h"

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

static int (*hdr_default_parse)(struct soap *, const char *, const char *);
static char hdr_request_id[256];
static char hdr_extra[300];

static int
hdr_parse(struct soap *soap, const char *key, const char *val)
{
	if (strcasecmp(key, "X-Request-Id") == 0)
		snprintf(hdr_request_id, sizeof(hdr_request_id), "%s", val);
	return hdr_default_parse(soap, key, val);
}

int
__ns__Ask(struct soap *soap, int value, int *answer)
{
	printf("REQID %s\n", hdr_request_id);
	fflush(stdout);
	snprintf(hdr_extra, sizeof(hdr_extra), "X-Trace: trace-%s",
	    hdr_request_id);
	soap->http_extra_header = hdr_extra;
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
	hdr_default_parse = soap->fparsehdr;
	soap->fparsehdr = hdr_parse;
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
		hdr_request_id[0] = '\0';
		if (soap_serve(soap) != SOAP_OK && soap->error != SOAP_FAULT)
			soap_print_fault(soap, stderr);
		soap_destroy(soap);
		soap_end(soap);
	}
	soap_free(soap);
	return 0;
}
