/*
 * echo-server: a net.tcp service on 127.0.0.1.  It accepts session
 * channels one after the other and answers every EXAMPLE_ECHO message with
 * an EXAMPLE_REPLY message carrying the same text, until the client ends
 * its session.
 *
 *	echo-server [PORT [COUNT]]
 *	echo-server --http [PORT [COUNT]]
 *
 * PORT defaults to 8000; after COUNT sessions (default 0: never) it exits.
 * With --http it is a SOAP 1.2 service at http://127.0.0.1:PORT/echo
 * instead: each HTTP request reaches it as a REPLY channel of its own,
 * which it answers once and closes; COUNT then counts requests.
 * The daemon is found through WSCHANNEL_ADDRESS, as for every program
 * linked with libwschannel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wschannel/webservices.h>

#include "example.h"

static WS_XML_STRING text_name = WS_XML_STRING_VALUE("text");
static WS_XML_STRING text_ns = WS_XML_STRING_VALUE(EXAMPLE_NS);
static WS_XML_STRING echo_action = WS_XML_STRING_VALUE(EXAMPLE_ECHO);
static WS_XML_STRING reply_action = WS_XML_STRING_VALUE(EXAMPLE_REPLY);
static WS_ELEMENT_DESCRIPTION text_elem = {
	&text_name, &text_ns, WS_WSZ_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION echo_desc = { &echo_action, &text_elem };
static WS_MESSAGE_DESCRIPTION reply_desc = { &reply_action, &text_elem };

/*
 * One session: echo until the peer ends it (an optional message, so the
 * end is WS_S_END rather than an error).  0, or 1 on a failure.
 */
static int
echo_server_session(WS_CHANNEL *channel, WS_HEAP *heap, WS_ERROR *error)
{
	const WS_MESSAGE_DESCRIPTION *descs[] = { &echo_desc };
	WS_MESSAGE *msg = NULL;
	WCHAR *text;
	HRESULT hr;
	int rc = 1;

	if (FAILED(hr = WsCreateMessageForChannel(channel, NULL, 0, &msg,
	    error))) {
		example_report("WsCreateMessageForChannel", hr, error);
		return 1;
	}
	for (;;) {
		hr = WsReceiveMessage(channel, msg, descs, 1,
		    WS_RECEIVE_OPTIONAL_MESSAGE, WS_READ_REQUIRED_POINTER, heap,
		    &text, sizeof(text), NULL, NULL, error);
		if (hr == WS_S_END) {
			printf("session ended\n");
			rc = 0;
			break;
		}
		if (FAILED(hr)) {
			example_report("WsReceiveMessage", hr, error);
			break;
		}
		printf("echo: ");
		example_print_wide(stdout, text, example_wide_len(text));
		printf("\n");
		fflush(stdout);
		WsResetMessage(msg, NULL);
		if (FAILED(hr = WsSendMessage(channel, msg, &reply_desc,
		    WS_WRITE_REQUIRED_POINTER, &text, sizeof(text), NULL,
		    error))) {
			example_report("WsSendMessage", hr, error);
			break;
		}
		WsResetMessage(msg, NULL);
		WsResetHeap(heap, NULL);
	}
	WsFreeMessage(msg);
	return rc;
}

/*
 * One HTTP request: the accepted REPLY channel carries exactly one
 * request, answered with WsSendReplyMessage (a reply correlated to it,
 * sent as the HTTP response).  0, or 1 on a failure.
 */
static int
echo_server_request(WS_CHANNEL *channel, WS_HEAP *heap, WS_ERROR *error)
{
	const WS_MESSAGE_DESCRIPTION *descs[] = { &echo_desc };
	WS_MESSAGE *request = NULL, *reply = NULL;
	WCHAR *text;
	HRESULT hr;
	int rc = 1;

	if (FAILED(hr = WsCreateMessageForChannel(channel, NULL, 0, &request,
	    error)) || FAILED(hr = WsCreateMessageForChannel(channel, NULL, 0,
	    &reply, error))) {
		example_report("WsCreateMessageForChannel", hr, error);
		goto out;
	}
	if (FAILED(hr = WsReceiveMessage(channel, request, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_POINTER, heap, &text,
	    sizeof(text), NULL, NULL, error))) {
		example_report("WsReceiveMessage", hr, error);
		goto out;
	}
	printf("request: ");
	example_print_wide(stdout, text, example_wide_len(text));
	printf("\n");
	fflush(stdout);
	if (FAILED(hr = WsSendReplyMessage(channel, reply, &reply_desc,
	    WS_WRITE_REQUIRED_POINTER, &text, sizeof(text), request, NULL,
	    error))) {
		example_report("WsSendReplyMessage", hr, error);
		goto out;
	}
	rc = 0;
out:
	if (reply != NULL)
		WsFreeMessage(reply);
	if (request != NULL)
		WsFreeMessage(request);
	WsResetHeap(heap, NULL);
	return rc;
}

int
main(int argc, char **argv)
{
	int http = argc > 1 && strcmp(argv[1], "--http") == 0;
	const char *port = argc > 1 + http ? argv[1 + http] : "8000";
	long count = argc > 2 + http ? strtol(argv[2 + http], NULL, 10) : 0;
	long done;
	WS_LISTENER *listener = NULL;
	WS_CHANNEL *channel = NULL;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	WS_STRING url;
	char curl[128];
	HRESULT hr;
	int rc = 1;

	if (argc > 3 + http || atoi(port) <= 0) {
		fprintf(stderr, "usage: echo-server [--http] [PORT [COUNT]]\n");
		return 2;
	}
	snprintf(curl, sizeof(curl), "%s://127.0.0.1:%s/echo",
	    http ? "http" : "net.tcp", port);
	url.chars = example_to_wide(curl);
	url.length = (ULONG)strlen(curl);
	if (url.chars == NULL ||
	    FAILED(WsCreateError(NULL, 0, &error)) ||
	    FAILED(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)))
		goto out;
	if (FAILED(hr = WsCreateListener(http ? WS_CHANNEL_TYPE_REPLY :
	    WS_CHANNEL_TYPE_DUPLEX_SESSION, http ? WS_HTTP_CHANNEL_BINDING :
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &listener, error))) {
		example_report("WsCreateListener", hr, error);
		goto out;
	}
	if (FAILED(hr = WsOpenListener(listener, &url, NULL, error))) {
		example_report(curl, hr, error);
		goto out;
	}
	printf("listening on %s\n", curl);
	fflush(stdout);
	for (done = 0; count == 0 || done < count; done++) {
		if (FAILED(hr = WsCreateChannelForListener(listener, NULL, 0,
		    &channel, error))) {
			example_report("WsCreateChannelForListener", hr, error);
			goto out;
		}
		if (FAILED(hr = WsAcceptChannel(listener, channel, NULL,
		    error))) {
			example_report("WsAcceptChannel", hr, error);
			goto out;
		}
		if (http) {
			if (echo_server_request(channel, heap, error) != 0)
				goto out;
		} else {
			printf("accepted a session\n");
			fflush(stdout);
			if (echo_server_session(channel, heap, error) != 0)
				goto out;
		}
		WsCloseChannel(channel, NULL, NULL);
		WsFreeChannel(channel);
		channel = NULL;
	}
	rc = 0;
out:
	if (channel != NULL)
		WsFreeChannel(channel);
	if (listener != NULL) {
		WsCloseListener(listener, NULL, NULL);
		WsFreeListener(listener);
	}
	if (heap != NULL)
		WsFreeHeap(heap);
	if (error != NULL)
		WsFreeError(error);
	free(url.chars);
	return rc;
}
