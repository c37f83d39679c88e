/*
 * wsprobe-peer: an independent SOAP-over-UDP endpoint built with gSOAP, for
 * tests/check_udp's interop cases.
 *
 *	wsprobe-peer send URL TEXT	one Ping to URL (a group too: TTL 1 on
 *					127.0.0.1), then waits for one answer
 *					and prints "reply: TEXT RELATESTO"
 *	wsprobe-peer serve PORT [GROUP]	binds PORT (joins GROUP on lo), prints
 *					"ready", takes one Ping, prints
 *					"got: TEXT MESSAGEID", answers it to
 *					its source, RelatesTo its MessageID
 *
 * Every wait is bounded (10 s); exit 0 on success.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "soapH.h"
#include "wsprobe.nsmap"

static void
peer_headers(struct soap *soap, const char *to, const char *relates)
{
	static char id[64];
	struct SOAP_ENV__Header *h;

	h = soap_malloc(soap, sizeof(*h));
	soap_default_SOAP_ENV__Header(soap, h);
	snprintf(id, sizeof(id), "urn:uuid:%08x-1787-4e12-ab8b-4567327b23c6",
	    (unsigned)rand());
	h->wsa5__MessageID = id;
	h->wsa5__To = (char *)to;
	h->wsa5__Action = "urn:wsprobe/Ping";
	if (relates != NULL) {
		h->wsa5__RelatesTo = soap_malloc(soap,
		    sizeof(*h->wsa5__RelatesTo));
		soap_default_wsa5__RelatesToType(soap, h->wsa5__RelatesTo);
		h->wsa5__RelatesTo->__item = (char *)relates;
	}
	soap->header = h;
}

static int
peer_send(const char *url, const char *text)
{
	struct soap *soap = soap_new1(SOAP_IO_UDP);
	struct __ns__Ping in;
	struct in_addr lo;
	const char *rel;

	soap->recv_timeout = 10;
	soap->send_timeout = 10;
	/* Multicast out through loopback, one hop, as in part C of the
	 * capture. */
	lo.s_addr = htonl(INADDR_LOOPBACK);
	soap->ipv4_multicast_if = (char *)&lo;
	soap->ipv4_multicast_ttl = 1;
	peer_headers(soap, url, NULL);
	if (soap_send___ns__Ping(soap, url, NULL, (char *)text) != SOAP_OK) {
		soap_print_fault(soap, stderr);
		return 1;
	}
	memset(&in, 0, sizeof(in));
	if (soap_recv___ns__Ping(soap, &in) != SOAP_OK) {
		soap_print_fault(soap, stderr);
		return 1;
	}
	rel = soap->header != NULL && soap->header->wsa5__RelatesTo != NULL ?
	    soap->header->wsa5__RelatesTo->__item : "-";
	printf("reply: %s %s\n", in.ns__text != NULL ? in.ns__text : "-", rel);
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	return 0;
}

static int
peer_serve(int port, const char *group)
{
	struct soap *soap = soap_new1(SOAP_IO_UDP);
	struct __ns__Ping in;
	struct ip_mreqn mr;
	char *id, *text;

	soap->recv_timeout = 10;
	soap->send_timeout = 10;
	soap->bind_flags = SO_REUSEADDR;
	if (!soap_valid_socket(soap_bind(soap, group != NULL ? NULL :
	    "127.0.0.1", port, 10))) {
		soap_print_fault(soap, stderr);
		return 1;
	}
	if (group != NULL) {
		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET, group, &mr.imr_multiaddr);
		mr.imr_address.s_addr = htonl(INADDR_LOOPBACK);
		if (setsockopt(soap->master, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) != 0) {
			perror("IP_ADD_MEMBERSHIP");
			return 1;
		}
	}
	soap->socket = soap->master;
	printf("ready\n");
	fflush(stdout);
	memset(&in, 0, sizeof(in));
	if (soap_recv___ns__Ping(soap, &in) != SOAP_OK) {
		soap_print_fault(soap, stderr);
		return 1;
	}
	id = soap->header != NULL && soap->header->wsa5__MessageID != NULL ?
	    soap_strdup(soap, soap->header->wsa5__MessageID) : "-";
	text = in.ns__text != NULL ? in.ns__text : "-";
	printf("got: %s %s\n", text, id);
	fflush(stdout);
	/* To the request's source: soap->peer, on the bound socket. */
	peer_headers(soap, "http://www.w3.org/2005/08/addressing/anonymous",
	    id);
	if (soap_send___ns__Ping(soap, NULL, NULL, "reply from gsoap") !=
	    SOAP_OK) {
		soap_print_fault(soap, stderr);
		return 1;
	}
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return peer_send(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "serve") == 0)
		return peer_serve(atoi(argv[2]), argc == 4 ? argv[3] : NULL);
	fprintf(stderr, "usage: wsprobe-peer send URL TEXT | serve PORT "
	    "[GROUP]\n");
	return 2;
}
