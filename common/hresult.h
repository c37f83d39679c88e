/* The one HRESULT-to-text table, shared by the daemon's log, wsctl and the
 * library's error strings. */
#ifndef WSCHANNEL_HRESULT_H
#define WSCHANNEL_HRESULT_H

#include <stdint.h>

/* "WS_E_OPERATION_ABORTED", or NULL for a value not in the table. */
const char	*hresult_name(uint32_t hr);
/*
 * D-Bus errors: "org.wschannel.WsChannel1.Error.OperationAborted" for
 * WS_E_OPERATION_ABORTED, one name per HRESULT of the table; a value not in
 * the table is HRESULT_DBUS_ERROR_UNKNOWN.  The error message starts with
 * the HRESULT as "0x%08X: ".
 */
#define HRESULT_DBUS_ERROR_PREFIX	"org.wschannel.WsChannel1.Error."
#define HRESULT_DBUS_ERROR_UNKNOWN	HRESULT_DBUS_ERROR_PREFIX "Unknown"
const char	*hresult_dbus_error(uint32_t hr);	/* never NULL */
/* The HRESULT a D-Bus error name stands for: 0, or -1 when not ours. */
int		 hresult_from_dbus_error(const char *name, uint32_t *hr);
/* A sentence describing it ("The operation was aborted."), never NULL. */
const char	*hresult_text(uint32_t hr);

/* Names of the WWSAPI enums, NULL when out of range. */
const char	*channel_state_name(uint32_t state);	/* "OPEN" */
const char	*listener_state_name(uint32_t state);
const char	*channel_type_name(uint32_t type);	/* "DUPLEX_SESSION" */
const char	*channel_binding_name(uint32_t binding);	/* "TCP" */
const char	*encoding_name(uint32_t encoding);	/* "XML_UTF8" */

#endif
