/* Errors for the caller's WS_ERROR, through the library's sink. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipc_error.h"

static const struct ipc_error_sink *ipc_sink;

void
ipc_error_sink_set(const struct ipc_error_sink *sink)
{
	__atomic_store_n(&ipc_sink, sink, __ATOMIC_RELEASE);
}

void
ipc_error_add(WS_ERROR *error, const char *fmt, ...)
{
	const struct ipc_error_sink *sink;
	va_list ap;
	char *s;
	int r;

	sink = __atomic_load_n(&ipc_sink, __ATOMIC_ACQUIRE);
	if (error == NULL || sink == NULL)
		return;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	sink->add(error, s);
	free(s);
}

void
ipc_error_add_utf8(WS_ERROR *error, const char *s)
{
	const struct ipc_error_sink *sink;

	sink = __atomic_load_n(&ipc_sink, __ATOMIC_ACQUIRE);
	if (error != NULL && sink != NULL)
		sink->add(error, s);
}

void
ipc_error_set_code(WS_ERROR *error, HRESULT hr)
{
	const struct ipc_error_sink *sink;

	sink = __atomic_load_n(&ipc_sink, __ATOMIC_ACQUIRE);
	if (error != NULL && sink != NULL)
		sink->set_code(error, hr);
}
