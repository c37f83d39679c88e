/* The D-Bus API map: the method table and object paths (busmap.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "busmap.h"

const struct busmap_method busmap_methods[] = {
	{ BUSMAP_IFACE_MANAGER, "CreateChannel", BUSMAP_MGR_CREATE_CHANNEL_IN, BUSMAP_MGR_CREATE_CHANNEL_OUT },
	{ BUSMAP_IFACE_MANAGER, "CreateListener", BUSMAP_MGR_CREATE_LISTENER_IN, BUSMAP_MGR_CREATE_LISTENER_OUT },
	{ BUSMAP_IFACE_MANAGER, "ListChannels", BUSMAP_MGR_LIST_CHANNELS_IN, BUSMAP_MGR_LIST_CHANNELS_OUT },
	{ BUSMAP_IFACE_MANAGER, "ListListeners", BUSMAP_MGR_LIST_LISTENERS_IN, BUSMAP_MGR_LIST_LISTENERS_OUT },
	{ BUSMAP_IFACE_MANAGER, "AbortAll", BUSMAP_MGR_ABORT_ALL_IN, BUSMAP_MGR_ABORT_ALL_OUT },
	{ BUSMAP_IFACE_MANAGER, "AbortProcess", BUSMAP_MGR_ABORT_PROCESS_IN, BUSMAP_MGR_ABORT_PROCESS_OUT },
	{ BUSMAP_IFACE_MANAGER, "Reload", BUSMAP_MGR_RELOAD_IN, BUSMAP_MGR_RELOAD_OUT },
	{ BUSMAP_IFACE_MANAGER, "GetStatistics", BUSMAP_MGR_GET_STATISTICS_IN, BUSMAP_MGR_GET_STATISTICS_OUT },
	{ BUSMAP_IFACE_MANAGER, "EnableAccepted", BUSMAP_MGR_ENABLE_ACCEPTED_IN, BUSMAP_MGR_ENABLE_ACCEPTED_OUT },
	{ BUSMAP_IFACE_MANAGER, "Subscribe", BUSMAP_MGR_SUBSCRIBE_IN, BUSMAP_MGR_SUBSCRIBE_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Open", BUSMAP_CH_OPEN_IN, BUSMAP_CH_OPEN_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Close", BUSMAP_CH_CLOSE_IN, BUSMAP_CH_CLOSE_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Abort", BUSMAP_CH_ABORT_IN, BUSMAP_CH_ABORT_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Reset", BUSMAP_CH_RESET_IN, BUSMAP_CH_RESET_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Free", BUSMAP_CH_FREE_IN, BUSMAP_CH_FREE_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Send", BUSMAP_CH_SEND_IN, BUSMAP_CH_SEND_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Receive", BUSMAP_CH_RECEIVE_IN, BUSMAP_CH_RECEIVE_OUT },
	{ BUSMAP_IFACE_CHANNEL, "RequestReply", BUSMAP_CH_REQUEST_REPLY_IN, BUSMAP_CH_REQUEST_REPLY_OUT },
	{ BUSMAP_IFACE_CHANNEL, "ReadMessageStart", BUSMAP_CH_READ_MESSAGE_START_IN, BUSMAP_CH_READ_MESSAGE_START_OUT },
	{ BUSMAP_IFACE_CHANNEL, "ReadMessageEnd", BUSMAP_CH_READ_MESSAGE_END_IN, BUSMAP_CH_READ_MESSAGE_END_OUT },
	{ BUSMAP_IFACE_CHANNEL, "WriteMessageStart", BUSMAP_CH_WRITE_MESSAGE_START_IN, BUSMAP_CH_WRITE_MESSAGE_START_OUT },
	{ BUSMAP_IFACE_CHANNEL, "WriteMessageEnd", BUSMAP_CH_WRITE_MESSAGE_END_IN, BUSMAP_CH_WRITE_MESSAGE_END_OUT },
	{ BUSMAP_IFACE_CHANNEL, "AbandonMessage", BUSMAP_CH_ABANDON_MESSAGE_IN, BUSMAP_CH_ABANDON_MESSAGE_OUT },
	{ BUSMAP_IFACE_CHANNEL, "Shutdown", BUSMAP_CH_SHUTDOWN_IN, BUSMAP_CH_SHUTDOWN_OUT },
	{ BUSMAP_IFACE_CHANNEL, "GetProperty", BUSMAP_CH_GET_PROPERTY_IN, BUSMAP_CH_GET_PROPERTY_OUT },
	{ BUSMAP_IFACE_CHANNEL, "SetProperty", BUSMAP_CH_SET_PROPERTY_IN, BUSMAP_CH_SET_PROPERTY_OUT },
	{ BUSMAP_IFACE_LISTENER, "Open", BUSMAP_LS_OPEN_IN, BUSMAP_LS_OPEN_OUT },
	{ BUSMAP_IFACE_LISTENER, "Accept", BUSMAP_LS_ACCEPT_IN, BUSMAP_LS_ACCEPT_OUT },
	{ BUSMAP_IFACE_LISTENER, "Close", BUSMAP_LS_CLOSE_IN, BUSMAP_LS_CLOSE_OUT },
	{ BUSMAP_IFACE_LISTENER, "Abort", BUSMAP_LS_ABORT_IN, BUSMAP_LS_ABORT_OUT },
	{ BUSMAP_IFACE_LISTENER, "Reset", BUSMAP_LS_RESET_IN, BUSMAP_LS_RESET_OUT },
	{ BUSMAP_IFACE_LISTENER, "Free", BUSMAP_LS_FREE_IN, BUSMAP_LS_FREE_OUT },
	{ BUSMAP_IFACE_LISTENER, "CreateChannel", BUSMAP_LS_CREATE_CHANNEL_IN, BUSMAP_LS_CREATE_CHANNEL_OUT },
	{ BUSMAP_IFACE_LISTENER, "GetProperty", BUSMAP_LS_GET_PROPERTY_IN, BUSMAP_LS_GET_PROPERTY_OUT },
	{ BUSMAP_IFACE_LISTENER, "SetProperty", BUSMAP_LS_SET_PROPERTY_IN, BUSMAP_LS_SET_PROPERTY_OUT },
	{ NULL, NULL, NULL, NULL },
};

const struct busmap_method *
busmap_method(const char *iface, const char *member)
{
	const struct busmap_method *m;

	for (m = busmap_methods; m->member != NULL; m++)
		if (strcmp(m->iface, iface) == 0 && strcmp(m->member, member) == 0)
			return m;
	return NULL;
}

int
busmap_path(char *buf, size_t len, bool listener, uint64_t id)
{
	int n;

	n = snprintf(buf, len, "%s/%" PRIu64,
	    listener ? BUSMAP_LISTENERS : BUSMAP_CHANNELS, id);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
busmap_parse_path(const char *path, bool *listener, uint64_t *id)
{
	const char *rest;
	unsigned long long v;
	char *end;
	bool ls;

	if (path == NULL)
		return 0;
	if (strncmp(path, BUSMAP_CHANNELS "/", sizeof(BUSMAP_CHANNELS)) == 0) {
		ls = false;
		rest = path + sizeof(BUSMAP_CHANNELS);
	} else if (strncmp(path, BUSMAP_LISTENERS "/",
	    sizeof(BUSMAP_LISTENERS)) == 0) {
		ls = true;
		rest = path + sizeof(BUSMAP_LISTENERS);
	} else
		return 0;
	/* Digits only: strtoull would take a sign or spaces. */
	if (rest[0] < '1' || rest[0] > '9' ||
	    strspn(rest, "0123456789") != strlen(rest))
		return 0;
	errno = 0;
	v = strtoull(rest, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*listener = ls;
	*id = (uint64_t)v;
	return 1;
}
