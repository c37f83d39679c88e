/* The registry of bindings: which transport serves each WS_CHANNEL_BINDING. */
#include <stddef.h>
#include <stdint.h>

#include <wschannel/webservices.h>

#include "transport.h"

static const struct transport_ops *transport_table[WS_NAMEDPIPE_CHANNEL_BINDING + 1];

int
transport_register(uint32_t binding, const struct transport_ops *ops)
{
	if (binding > WS_NAMEDPIPE_CHANNEL_BINDING)
		return -1;
	transport_table[binding] = ops;
	return 0;
}

const struct transport_ops *
transport_for_binding(uint32_t binding)
{
	if (binding > WS_NAMEDPIPE_CHANNEL_BINDING)
		return NULL;
	return transport_table[binding];
}
