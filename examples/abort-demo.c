/*
 * abort-demo: WsAbortChannel from another thread, or `wsctl abort` from
 * another terminal, ends a receive that would otherwise wait forever.
 *
 *	abort-demo [PORT]		a second thread aborts after one second
 *	abort-demo --wsctl [PORT]	waits for `wsctl abort --pid PID`
 *
 * It listens on net.tcp://127.0.0.1:PORT/abort-demo (PORT defaults to
 * 8001), connects a channel to itself, and receives on it: nothing is ever
 * sent, so only an abort ends the wait, with WS_E_OPERATION_ABORTED.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "example.h"

struct abort_demo_job {
	WS_LISTENER	*listener;
	WS_CHANNEL	*channel;
	HRESULT		 hr;
};

static void *
abort_demo_accept(void *arg)
{
	struct abort_demo_job *job = arg;

	job->hr = WsAcceptChannel(job->listener, job->channel, NULL, NULL);
	return NULL;
}

static void *
abort_demo_abort(void *arg)
{
	WS_CHANNEL *channel = arg;

	sleep(1);
	printf("aborting from another thread\n");
	fflush(stdout);
	WsAbortChannel(channel, NULL);
	return NULL;
}

int
main(int argc, char **argv)
{
	static WS_XML_STRING action = WS_XML_STRING_VALUE("urn:never-sent");
	static WS_MESSAGE_DESCRIPTION desc = { &action, NULL };
	const WS_MESSAGE_DESCRIPTION *descs[] = { &desc };
	struct abort_demo_job job = { NULL, NULL, S_OK };
	WS_CHANNEL *client = NULL;
	WS_MESSAGE *msg = NULL;
	WS_ERROR *error = NULL;
	WS_ENDPOINT_ADDRESS to = { 0 };
	const char *port = "8001";
	pthread_t t;
	char curl[128];
	int i = 1, wsctl = 0, rc = 1;
	HRESULT hr;

	if (i < argc && strcmp(argv[i], "--wsctl") == 0) {
		wsctl = 1;
		i++;
	}
	if (i < argc)
		port = argv[i++];
	if (i != argc || atoi(port) <= 0) {
		fprintf(stderr, "usage: abort-demo [--wsctl] [PORT]\n");
		return 2;
	}
	snprintf(curl, sizeof(curl), "net.tcp://127.0.0.1:%s/abort-demo",
	    port);
	to.url.chars = example_to_wide(curl);
	to.url.length = (ULONG)strlen(curl);
	if (to.url.chars == NULL || FAILED(WsCreateError(NULL, 0, &error)))
		goto out;

	/* Our own peer: a listener and the channel it accepts. */
	if (FAILED(hr = WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &job.listener, error)) ||
	    FAILED(hr = WsOpenListener(job.listener, &to.url, NULL, error)) ||
	    FAILED(hr = WsCreateChannelForListener(job.listener, NULL, 0,
	    &job.channel, error))) {
		example_report(curl, hr, error);
		goto out;
	}
	if (pthread_create(&t, NULL, abort_demo_accept, &job) != 0)
		goto out;
	if (FAILED(hr = WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &client, error)) ||
	    FAILED(hr = WsOpenChannel(client, &to, NULL, error))) {
		example_report("WsOpenChannel", hr, error);
		WsAbortListener(job.listener, NULL);
		pthread_join(t, NULL);
		goto out;
	}
	pthread_join(t, NULL);
	if (FAILED(job.hr)) {
		example_report("WsAcceptChannel", job.hr, NULL);
		goto out;
	}
	if (FAILED(hr = WsCreateMessageForChannel(client, NULL, 0, &msg,
	    error))) {
		example_report("WsCreateMessageForChannel", hr, error);
		goto out;
	}

	if (wsctl)
		printf("receiving; abort it from another terminal with:\n"
		    "  wsctl abort --pid %ld\n", (long)getpid());
	else if (pthread_create(&t, NULL, abort_demo_abort, client) != 0)
		goto out;
	else
		printf("receiving; a second thread aborts in one second\n");
	fflush(stdout);
	hr = WsReceiveMessage(client, msg, descs, 1,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, NULL, NULL, 0,
	    NULL, NULL, error);
	printf("receive: 0x%08X %s\n", (unsigned)hr, example_hr_name(hr));
	fflush(stdout);
	if (!wsctl)
		pthread_join(t, NULL);
	rc = hr == WS_E_OPERATION_ABORTED ? 0 : 1;
out:
	if (msg != NULL)
		WsFreeMessage(msg);
	if (client != NULL)
		WsFreeChannel(client);
	if (job.channel != NULL)
		WsFreeChannel(job.channel);
	if (job.listener != NULL) {
		WsCloseListener(job.listener, NULL, NULL);
		WsFreeListener(job.listener);
	}
	if (error != NULL)
		WsFreeError(error);
	free(to.url.chars);
	return rc;
}
