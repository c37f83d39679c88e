/*
 * How ipc fills a caller's WS_ERROR: through the sink the library gave
 * (ipc_error_sink_set), so that this layer never calls up into it.  Each
 * accepts a NULL error and does nothing without a sink.
 */
#ifndef WSCHANNEL_IPC_ERROR_H
#define WSCHANNEL_IPC_ERROR_H

#include "ipc.h"

void	 ipc_error_add(WS_ERROR *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 ipc_error_add_utf8(WS_ERROR *, const char *);
void	 ipc_error_set_code(WS_ERROR *, HRESULT);

#endif
