/*
 * wsdiscovery-probe: sends one WS-Discovery Probe to the SOAP-over-UDP
 * multicast group and prints each ProbeMatches that comes back.
 *
 *	wsdiscovery-probe [-w MS] [URL]
 *
 * URL defaults to soap.udp://239.255.255.250:3702, the WS-Discovery
 * group; -w is how long to wait for answers after the last one (default
 * 2000 ms).  The Probe is addressed as WS-Discovery 2005/04 wants it:
 * WS-Addressing 2004/08 (WS_ADDRESSING_VERSION_0_9), To
 * urn:schemas-xmlsoap-org:ws:2005:04:discovery, SOAP 1.2.  It is sent once;
 * SOAP-over-UDP's repeats are the application's job (bindings.md).
 * Answers come unicast from each responder to the channel's port.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "example.h"

#define WSD_NS		"http://schemas.xmlsoap.org/ws/2005/04/discovery"
#define WSD_TO		"urn:schemas-xmlsoap-org:ws:2005:04:discovery"
#define WSD_PROBE	WSD_NS "/Probe"
#define WSD_MATCHES	WSD_NS "/ProbeMatches"

static WS_XML_STRING probe_name = WS_XML_STRING_VALUE("Probe");
static WS_XML_STRING wsd_ns = WS_XML_STRING_VALUE(WSD_NS);
static WS_XML_STRING probe_action = WS_XML_STRING_VALUE(WSD_PROBE);
/* An empty Probe: no Types, no Scopes, so every target matches. */
static WS_ELEMENT_DESCRIPTION probe_elem = {
	&probe_name, &wsd_ns, WS_XML_STRING_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION probe_desc = { &probe_action, &probe_elem };

/*
 * The body of a ProbeMatches, read into structs through descriptions
 * (WS-Discovery 2005/04, section 5.3): each ProbeMatch's
 * EndpointReference (WS-Addressing 2004/08), Types, Scopes, XAddrs and
 * MetadataVersion.  Extensions a target adds are skipped.
 */
struct probe_match {
	WS_ENDPOINT_ADDRESS	 epr;
	WCHAR			*types;
	WCHAR			*scopes;
	WCHAR			*xaddrs;
	ULONG			 metadata_version;
};

struct probe_matches {
	ULONG			 count;
	struct probe_match	*matches;
};

static WS_XML_STRING wsa_ns = WS_XML_STRING_VALUE(
    "http://schemas.xmlsoap.org/ws/2004/08/addressing");
static WS_XML_STRING epr_name = WS_XML_STRING_VALUE("EndpointReference");
static WS_XML_STRING types_name = WS_XML_STRING_VALUE("Types");
static WS_XML_STRING scopes_name = WS_XML_STRING_VALUE("Scopes");
static WS_XML_STRING xaddrs_name = WS_XML_STRING_VALUE("XAddrs");
static WS_XML_STRING version_name = WS_XML_STRING_VALUE("MetadataVersion");
static WS_XML_STRING match_name = WS_XML_STRING_VALUE("ProbeMatch");
static WS_XML_STRING matches_name = WS_XML_STRING_VALUE("ProbeMatches");
static WS_ENDPOINT_ADDRESS_DESCRIPTION epr_desc = {
	WS_ADDRESSING_VERSION_0_9 };

#define WSD_FIELD(mapping, name, ns, type, desc, member, options) \
	{ (mapping), (name), (ns), (type), (desc), \
	    (ULONG)offsetof(struct probe_match, member), (options), NULL, 0, \
	    NULL, NULL, NULL }
static WS_FIELD_DESCRIPTION match_fields_[] = {
	WSD_FIELD(WS_ELEMENT_FIELD_MAPPING, &epr_name, &wsa_ns,
	    WS_ENDPOINT_ADDRESS_TYPE, &epr_desc, epr, 0),
	WSD_FIELD(WS_ELEMENT_FIELD_MAPPING, &types_name, &wsd_ns, WS_WSZ_TYPE,
	    NULL, types, WS_FIELD_OPTIONAL),
	WSD_FIELD(WS_ELEMENT_FIELD_MAPPING, &scopes_name, &wsd_ns, WS_WSZ_TYPE,
	    NULL, scopes, WS_FIELD_OPTIONAL),
	WSD_FIELD(WS_ELEMENT_FIELD_MAPPING, &xaddrs_name, &wsd_ns, WS_WSZ_TYPE,
	    NULL, xaddrs, WS_FIELD_OPTIONAL),
	WSD_FIELD(WS_ELEMENT_FIELD_MAPPING, &version_name, &wsd_ns,
	    WS_UINT32_TYPE, NULL, metadata_version, 0),
};
static WS_FIELD_DESCRIPTION *match_fields[] = {
	&match_fields_[0], &match_fields_[1], &match_fields_[2],
	&match_fields_[3], &match_fields_[4] };
static WS_STRUCT_DESCRIPTION match_desc = {
	sizeof(struct probe_match), _Alignof(struct probe_match),
	match_fields, 5, NULL, NULL, NULL, NULL, 0,
	WS_STRUCT_IGNORE_TRAILING_ELEMENT_CONTENT |
	WS_STRUCT_IGNORE_UNHANDLED_ATTRIBUTES };
/* ProbeMatch elements repeat directly in ProbeMatches, with no wrapper. */
static WS_FIELD_DESCRIPTION matches_field = {
	WS_REPEATING_ELEMENT_FIELD_MAPPING, NULL, NULL, WS_STRUCT_TYPE,
	&match_desc, (ULONG)offsetof(struct probe_matches, matches), 0, NULL,
	(ULONG)offsetof(struct probe_matches, count), &match_name, &wsd_ns,
	NULL };
static WS_FIELD_DESCRIPTION *matches_fields[] = { &matches_field };
static WS_STRUCT_DESCRIPTION matches_desc = {
	sizeof(struct probe_matches), _Alignof(struct probe_matches),
	matches_fields, 1, NULL, NULL, NULL, NULL, 0,
	WS_STRUCT_IGNORE_UNHANDLED_ATTRIBUTES };
static WS_ELEMENT_DESCRIPTION matches_elem = {
	&matches_name, &wsd_ns, WS_STRUCT_TYPE, &matches_desc };

/* A fresh urn:uuid (version 4) for the Probe's MessageID. */
static void
wsdiscovery_uuid(char *buf, size_t len)
{
	unsigned char b[16];
	FILE *f;
	size_t i;

	if ((f = fopen("/dev/urandom", "rb")) == NULL ||
	    fread(b, 1, sizeof(b), f) != sizeof(b)) {
		srand((unsigned)time(NULL) ^ (unsigned)getpid());
		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	}
	if (f != NULL)
		fclose(f);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(buf, len, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}

/* UTF-16 to a malloc'd ASCII string ('?' beyond); NULL for NULL. */
static char *
wsdiscovery_narrow(const WCHAR *w)
{
	size_t i, n;
	char *s;

	if (w == NULL)
		return NULL;
	n = example_wide_len(w);
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = w[i] < 0x80 ? (char)w[i] : '?';
	s[n] = '\0';
	return s;
}

/* Sends the Probe with MessageID `id`.  0 or 1. */
static int
wsdiscovery_send(WS_CHANNEL *ch, WS_MESSAGE *msg, const char *id,
    WS_ERROR *error)
{
	WS_XML_STRING empty = { 0, (BYTE *)"", NULL, 0 };
	WCHAR *to = example_to_wide(WSD_TO), *mid = example_to_wide(id);
	HRESULT hr;

	if (to == NULL || mid == NULL) {
		free(to);
		free(mid);
		return 1;
	}
	hr = WsInitializeMessage(msg, WS_BLANK_MESSAGE, NULL, error);
	if (SUCCEEDED(hr))
		hr = WsSetHeader(msg, WS_TO_HEADER, WS_WSZ_TYPE,
		    WS_WRITE_REQUIRED_POINTER, &to, sizeof(to), error);
	if (SUCCEEDED(hr))
		hr = WsSetHeader(msg, WS_MESSAGE_ID_HEADER, WS_WSZ_TYPE,
		    WS_WRITE_REQUIRED_POINTER, &mid, sizeof(mid), error);
	if (SUCCEEDED(hr))
		hr = WsSendMessage(ch, msg, &probe_desc,
		    WS_WRITE_REQUIRED_VALUE, &empty, sizeof(empty), NULL,
		    error);
	free(to);
	free(mid);
	if (FAILED(hr)) {
		example_report("sending the Probe", hr, error);
		return 1;
	}
	return 0;
}

static void
wsdiscovery_print_header(WS_MESSAGE *msg, WS_HEAP *heap,
    WS_HEADER_TYPE type, const char *label)
{
	WCHAR *v = NULL;

	if (SUCCEEDED(WsGetHeader(msg, type, WS_WSZ_TYPE,
	    WS_READ_OPTIONAL_POINTER, heap, &v, sizeof(v), NULL)) && v != NULL) {
		printf("  %s: ", label);
		example_print_wide(stdout, v, example_wide_len(v));
		putchar('\n');
	}
}

static void
wsdiscovery_print_wide(const char *label, const WCHAR *s, size_t len)
{
	if (s == NULL)
		return;
	printf("    %s: ", label);
	example_print_wide(stdout, s, len);
	putchar('\n');
}

/* Each ProbeMatch of the body: its address, types, scopes and XAddrs. */
static void
wsdiscovery_print_body(WS_MESSAGE *msg, WS_HEAP *heap)
{
	struct probe_matches pm;
	struct probe_match *m;
	WS_ERROR *error = NULL;
	HRESULT hr;
	ULONG i;

	memset(&pm, 0, sizeof(pm));
	(void)WsCreateError(NULL, 0, &error);
	hr = WsReadBody(msg, &matches_elem, WS_READ_REQUIRED_VALUE, heap, &pm,
	    sizeof(pm), error);
	if (FAILED(hr)) {
		example_report("  reading the ProbeMatches body", hr, error);
		if (error != NULL)
			WsFreeError(error);
		return;
	}
	for (i = 0; i < pm.count; i++) {
		m = &pm.matches[i];
		printf("  ProbeMatch %u\n", (unsigned)i + 1);
		wsdiscovery_print_wide("Address", m->epr.url.chars,
		    m->epr.url.length);
		if (m->types != NULL)
			wsdiscovery_print_wide("Types", m->types,
			    example_wide_len(m->types));
		if (m->scopes != NULL)
			wsdiscovery_print_wide("Scopes", m->scopes,
			    example_wide_len(m->scopes));
		if (m->xaddrs != NULL)
			wsdiscovery_print_wide("XAddrs", m->xaddrs,
			    example_wide_len(m->xaddrs));
		printf("    MetadataVersion: %u\n",
		    (unsigned)m->metadata_version);
	}
	if (error != NULL)
		WsFreeError(error);
}

/*
 * Prints the answers until none came for the wait: each ProbeMatches with
 * its headers and the matches of its body.  Returns how many came.
 */
static int
wsdiscovery_collect(WS_CHANNEL *ch, WS_MESSAGE *msg, WS_HEAP *heap,
    const char *id)
{
	WCHAR *action, *relates;
	char *a, *r;
	int n = 0;
	HRESULT hr;

	for (;;) {
		WsResetMessage(msg, NULL);
		WsResetHeap(heap, NULL);
		if (FAILED(hr = WsReadMessageStart(ch, msg, NULL, NULL)) ||
		    hr == WS_S_END)
			break;	/* the wait is over (RECEIVE_TIMEOUT) */
		action = relates = NULL;
		(void)WsGetHeader(msg, WS_ACTION_HEADER, WS_WSZ_TYPE,
		    WS_READ_OPTIONAL_POINTER, heap, &action, sizeof(action),
		    NULL);
		(void)WsGetHeader(msg, WS_RELATES_TO_HEADER, WS_WSZ_TYPE,
		    WS_READ_OPTIONAL_POINTER, heap, &relates, sizeof(relates),
		    NULL);
		a = wsdiscovery_narrow(action);
		r = wsdiscovery_narrow(relates);
		if (a != NULL && strcmp(a, WSD_MATCHES) == 0) {
			n++;
			printf("ProbeMatches %d%s\n", n, r != NULL &&
			    strcmp(r, id) == 0 ? "" : " (not for our Probe)");
			wsdiscovery_print_header(msg, heap,
			    WS_MESSAGE_ID_HEADER, "MessageID");
			wsdiscovery_print_header(msg, heap,
			    WS_RELATES_TO_HEADER, "RelatesTo");
			wsdiscovery_print_body(msg, heap);
		}
		free(a);
		free(r);
		(void)WsReadMessageEnd(ch, msg, NULL, NULL);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *url = "soap.udp://239.255.255.250:3702";
	WS_ADDRESSING_VERSION av = WS_ADDRESSING_VERSION_0_9;
	ULONG wait = 2000;
	WS_CHANNEL_PROPERTY props[2] = {
		{ WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &av, sizeof(av) },
		{ WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, &wait, sizeof(wait) },
	};
	WS_CHANNEL *ch = NULL;
	WS_MESSAGE *msg = NULL;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	WS_STRING wurl;
	char id[64];
	int c, n, rc = 1;
	HRESULT hr;

	while ((c = getopt(argc, argv, "w:")) != -1) {
		if (c != 'w') {
			fprintf(stderr, "usage: wsdiscovery-probe [-w MS] [URL]\n");
			return 2;
		}
		wait = (ULONG)strtoul(optarg, NULL, 10);
	}
	if (optind < argc)
		url = argv[optind];
	wsdiscovery_uuid(id, sizeof(id));
	if ((wurl.chars = example_to_wide(url)) == NULL)
		return 1;
	wurl.length = (ULONG)example_wide_len(wurl.chars);
	if (FAILED(hr = WsCreateError(NULL, 0, &error)) ||
	    FAILED(hr = WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)) ||
	    FAILED(hr = WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX,
	    WS_UDP_CHANNEL_BINDING, props, 2, NULL, &ch, error)) ||
	    FAILED(hr = WsCreateMessageForChannel(ch, NULL, 0, &msg, error))) {
		example_report("setting up", hr, error);
		goto out;
	}
	if (FAILED(hr = WsOpenChannel(ch, &(WS_ENDPOINT_ADDRESS){ .url = wurl },
	    NULL, error))) {
		example_report("WsOpenChannel", hr, error);
		goto out;
	}
	printf("Probe %s sent to %s\n", id, url);
	if (wsdiscovery_send(ch, msg, id, error) != 0)
		goto out;
	fflush(stdout);
	n = wsdiscovery_collect(ch, msg, heap, id);
	printf("%d answer%s\n", n, n == 1 ? "" : "s");
	rc = 0;
out:
	if (msg != NULL)
		WsFreeMessage(msg);
	if (ch != NULL)
		WsFreeChannel(ch);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (error != NULL)
		WsFreeError(error);
	free(wurl.chars);
	return rc;
}
