/*
 * stress_client: a client process for tests/stress to kill in the middle
 * of a call on the bindings abort_client does not speak.
 *
 *   stress_client udp URL    a DUPLEX soap.udp channel opened on URL sends
 *                            one datagram, prints "ready", then blocks in
 *                            a receive for the answer
 *   stress_client http URL   a REQUEST HTTP channel opened on URL prints
 *                            "ready", then blocks in the request's send
 *                            until the answer's headers come
 *
 * Each prints "done 0x%08X" when its blocking call returns; the daemon
 * is found through WSCHANNEL_ADDRESS like every client.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <wschannel/webservices.h>

#include "harness.h"

int
main(int argc, char *argv[])
{
	struct harness_msg m = { 0 }, r = { 0 };
	WS_CHANNEL *ch = NULL;
	bool udp;
	HRESULT hr;

	if (argc != 3 || (strcmp(argv[1], "udp") != 0 &&
	    strcmp(argv[1], "http") != 0)) {
		fprintf(stderr, "usage: stress_client udp|http URL\n");
		return 2;
	}
	udp = strcmp(argv[1], "udp") == 0;
	hr = WsCreateChannel(udp ? WS_CHANNEL_TYPE_DUPLEX :
	    WS_CHANNEL_TYPE_REQUEST, udp ? WS_UDP_CHANNEL_BINDING :
	    WS_HTTP_CHANNEL_BINDING, NULL, 0, NULL, &ch, NULL);
	if (SUCCEEDED(hr))
		hr = harness_open_url(ch, argv[2], NULL, NULL);
	if (SUCCEEDED(hr) && udp)
		hr = harness_send_int32(ch, &m, 7, NULL);
	if (FAILED(hr)) {
		printf("setup 0x%08X\n", (unsigned)hr);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	if (udp)
		hr = harness_receive(ch, &r, HARNESS_BODY_INT, NULL);
	else
		hr = harness_send_int32(ch, &m, 7, NULL);
	printf("done 0x%08X\n", (unsigned)hr);
	fflush(stdout);
	harness_msg_free(&m);
	harness_msg_free(&r);
	WsFreeChannel(ch);
	return 0;
}
