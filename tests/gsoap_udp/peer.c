/*
 * wsprobe-peer: an independent SOAP-over-UDP endpoint built with gSOAP, for
 * tests/check_udp's interop cases.
 *
 *	wsprobe-peer send URL TEXT [IF]	one Ping to URL (a group too: TTL 1 on
 *					127.0.0.1, or an IPv6 group out of
 *					interface IF), then waits for one
 *					answer and prints "reply: TEXT
 *					RELATESTO"
 *	wsprobe-peer serve PORT [GROUP [IF]]
 *					binds PORT (joins GROUP on lo, or an
 *					IPv6 GROUP on interface IF), prints
 *					"ready", takes one Ping, prints
 *					"got: TEXT MESSAGEID", answers it to
 *					its source, RelatesTo its MessageID
 *
 * Every wait is bounded (10 s); exit 0 on success.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
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
peer_send(const char *url, const char *text, const char *ifname)
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
	/* A link-local IPv6 group needs its interface: gSOAP puts it in
	 * the destination's scope id. */
	if (ifname != NULL)
		soap->ipv6_multicast_if = if_nametoindex(ifname);
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
peer_serve(int port, const char *group, const char *ifname)
{
	struct soap *soap = soap_new1(SOAP_IO_UDP);
	struct __ns__Ping in;
	struct ip_mreqn mr;
	struct ipv6_mreq mr6;
	char *id, *text;
	bool v6 = group != NULL && strchr(group, ':') != NULL;

	soap->recv_timeout = 10;
	soap->send_timeout = 10;
	soap->bind_flags = SO_REUSEADDR;
	soap->bind_inet6 = v6;
	if (!soap_valid_socket(soap_bind(soap, group != NULL ? NULL :
	    "127.0.0.1", port, 10))) {
		soap_print_fault(soap, stderr);
		return 1;
	}
	if (v6) {
		memset(&mr6, 0, sizeof(mr6));
		inet_pton(AF_INET6, group, &mr6.ipv6mr_multiaddr);
		mr6.ipv6mr_interface = ifname != NULL ?
		    if_nametoindex(ifname) : 0;
		if (setsockopt(soap->master, IPPROTO_IPV6, IPV6_JOIN_GROUP,
		    &mr6, sizeof(mr6)) != 0) {
			perror("IPV6_JOIN_GROUP");
			return 1;
		}
	} else if (group != NULL) {
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
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "send") == 0)
		return peer_send(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc >= 3 && argc <= 5 && strcmp(argv[1], "serve") == 0)
		return peer_serve(atoi(argv[2]), argc >= 4 ? argv[3] : NULL,
		    argc == 5 ? argv[4] : NULL);
	fprintf(stderr, "usage: wsprobe-peer send URL TEXT [IF] | serve PORT "
	    "[GROUP [IF]]\n");
	return 2;
}
