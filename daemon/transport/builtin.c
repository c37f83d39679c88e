/* The transports built into wschanneld: one line per binding. */
#include <wschannel/webservices.h>

#include "transport.h"
#include "builtin.h"

void
transport_register_builtin(void)
{
	transport_register(WS_TCP_CHANNEL_BINDING, &transport_tcp_ops);
}
