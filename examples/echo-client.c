/*
 * echo-client: opens a session channel to echo-server, sends each word of
 * its command line as one EXAMPLE_ECHO message, prints each reply, then
 * ends the session and closes the channel.
 *
 *	echo-client [PORT] WORD...
 *	echo-client --http [PORT] WORD...
 *
 * PORT (all digits) defaults to 8000.  The channel uses TCP's default
 * encoding, the binary session encoding, as a Windows program would.
 * With --http it sends each word as a SOAP 1.2 request (UTF-8 text, HTTP
 * POST) to http://127.0.0.1:PORT/echo on a REQUEST channel and prints
 * the reply, one WsRequestReply per word.
 */
#include <ctype.h>
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

static int
echo_client_is_port(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Sends one word and prints the reply.  0, or 1 on a failure. */
static int
echo_client_send(WS_CHANNEL *channel, WS_MESSAGE *msg, WS_HEAP *heap,
    const char *word, WS_ERROR *error)
{
	const WS_MESSAGE_DESCRIPTION *descs[] = { &reply_desc };
	WCHAR *text, *reply;
	HRESULT hr;

	if ((text = example_to_wide(word)) == NULL)
		return 1;
	hr = WsSendMessage(channel, msg, &echo_desc, WS_WRITE_REQUIRED_POINTER,
	    &text, sizeof(text), NULL, error);
	free(text);
	if (FAILED(hr)) {
		example_report("WsSendMessage", hr, error);
		return 1;
	}
	WsResetMessage(msg, NULL);
	if (FAILED(hr = WsReceiveMessage(channel, msg, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_POINTER, heap, &reply,
	    sizeof(reply), NULL, NULL, error)) || hr == WS_S_END) {
		example_report("WsReceiveMessage", hr, error);
		return 1;
	}
	printf("reply: ");
	example_print_wide(stdout, reply, example_wide_len(reply));
	printf("\n");
	WsResetMessage(msg, NULL);
	WsResetHeap(heap, NULL);
	return 0;
}

/* One WsRequestReply: the request and its reply on a REQUEST channel. */
static int
echo_client_request(WS_CHANNEL *channel, WS_MESSAGE *request,
    WS_MESSAGE *reply, WS_HEAP *heap, const char *word, WS_ERROR *error)
{
	WCHAR *text, *answer;
	HRESULT hr;

	if ((text = example_to_wide(word)) == NULL)
		return 1;
	hr = WsRequestReply(channel, request, &echo_desc,
	    WS_WRITE_REQUIRED_POINTER, &text, sizeof(text), reply, &reply_desc,
	    WS_READ_REQUIRED_POINTER, heap, &answer, sizeof(answer), NULL,
	    error);
	free(text);
	if (FAILED(hr)) {
		example_report("WsRequestReply", hr, error);
		return 1;
	}
	printf("reply: ");
	example_print_wide(stdout, answer, example_wide_len(answer));
	printf("\n");
	WsResetMessage(request, NULL);
	WsResetMessage(reply, NULL);
	WsResetHeap(heap, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *port = "8000";
	WS_CHANNEL *channel = NULL;
	WS_MESSAGE *msg = NULL, *reply = NULL;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	WS_ENDPOINT_ADDRESS to = { 0 };
	char curl[128];
	HRESULT hr;
	int i = 1, rc = 1, http = 0;

	if (argc > 1 && strcmp(argv[1], "--http") == 0) {
		http = 1;
		i++;
	}
	if (argc > i && echo_client_is_port(argv[i]))
		port = argv[i++];
	if (i >= argc) {
		fprintf(stderr, "usage: echo-client [--http] [PORT] WORD...\n");
		return 2;
	}
	snprintf(curl, sizeof(curl), "%s://127.0.0.1:%s/echo",
	    http ? "http" : "net.tcp", port);
	to.url.chars = example_to_wide(curl);
	to.url.length = (ULONG)strlen(curl);
	if (to.url.chars == NULL ||
	    FAILED(WsCreateError(NULL, 0, &error)) ||
	    FAILED(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)))
		goto out;
	if (FAILED(hr = WsCreateChannel(http ? WS_CHANNEL_TYPE_REQUEST :
	    WS_CHANNEL_TYPE_DUPLEX_SESSION, http ? WS_HTTP_CHANNEL_BINDING :
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &channel, error))) {
		example_report("WsCreateChannel", hr, error);
		goto out;
	}
	if (FAILED(hr = WsOpenChannel(channel, &to, NULL, error))) {
		example_report(curl, hr, error);
		goto out;
	}
	if (FAILED(hr = WsCreateMessageForChannel(channel, NULL, 0, &msg,
	    error))) {
		example_report("WsCreateMessageForChannel", hr, error);
		goto out;
	}
	if (http && FAILED(hr = WsCreateMessageForChannel(channel, NULL, 0,
	    &reply, error))) {
		example_report("WsCreateMessageForChannel", hr, error);
		goto out;
	}
	for (; i < argc; i++)
		if ((http ? echo_client_request(channel, msg, reply, heap,
		    argv[i], error) : echo_client_send(channel, msg, heap,
		    argv[i], error)) != 0)
			goto out;
	/* Ends the session (the server sees WS_S_END), then closes. */
	if ((!http && FAILED(hr = WsShutdownSessionChannel(channel, NULL,
	    error))) || FAILED(hr = WsCloseChannel(channel, NULL, error))) {
		example_report("closing", hr, error);
		goto out;
	}
	rc = 0;
out:
	if (reply != NULL)
		WsFreeMessage(reply);
	if (msg != NULL)
		WsFreeMessage(msg);
	if (channel != NULL)
		WsFreeChannel(channel);
	if (heap != NULL)
		WsFreeHeap(heap);
	if (error != NULL)
		WsFreeError(error);
	free(to.url.chars);
	return rc;
}
