/* Names and descriptions of HRESULTs and WWSAPI enum values. */
#include <stddef.h>
#include <string.h>

#include "hresult.h"

/* The D-Bus door names its errors after the HRESULT, one name per value. */
#define DBUS_ERR(n)	HRESULT_DBUS_ERROR_PREFIX n

static const struct {
	uint32_t	 hr;
	const char	*name;
	const char	*dbus;		/* D-Bus error name */
	const char	*text;
} hresults[] = {
	{ 0x00000000, "S_OK", DBUS_ERR("Ok"),
	    "The operation completed successfully." },
	{ 0x003D0000, "WS_S_ASYNC", DBUS_ERR("Async"),
	    "The operation will complete asynchronously." },
	{ 0x003D0001, "WS_S_END", DBUS_ERR("End"),
	    "The session was ended by the remote endpoint; there are no more messages." },
	{ 0x80004001, "E_NOTIMPL", DBUS_ERR("NotImpl"),
	    "The operation is not implemented." },
	{ 0x80004005, "E_FAIL", DBUS_ERR("Fail"),
	    "Unspecified failure." },
	{ 0x80070005, "E_ACCESSDENIED", DBUS_ERR("AccessDenied"),
	    "Access denied: the caller does not own the object." },
	{ 0x8007000E, "E_OUTOFMEMORY", DBUS_ERR("OutOfMemory"),
	    "Out of memory." },
	{ 0x80070057, "E_INVALIDARG", DBUS_ERR("InvalidArg"),
	    "One or more arguments are invalid." },
	{ 0x803D0000, "WS_E_INVALID_FORMAT", DBUS_ERR("InvalidFormat"),
	    "The input data was not in the expected format." },
	{ 0x803D0001, "WS_E_OBJECT_FAULTED", DBUS_ERR("ObjectFaulted"),
	    "The object is in a faulted state." },
	{ 0x803D0002, "WS_E_NUMERIC_OVERFLOW", DBUS_ERR("NumericOverflow"),
	    "A numeric overflow occurred." },
	{ 0x803D0003, "WS_E_INVALID_OPERATION", DBUS_ERR("InvalidOperation"),
	    "The operation is not allowed in the object's current state." },
	{ 0x803D0004, "WS_E_OPERATION_ABORTED", DBUS_ERR("OperationAborted"),
	    "The operation was aborted." },
	{ 0x803D0005, "WS_E_ENDPOINT_ACCESS_DENIED", DBUS_ERR("EndpointAccessDenied"),
	    "Access was denied by the remote endpoint." },
	{ 0x803D0006, "WS_E_OPERATION_TIMED_OUT", DBUS_ERR("OperationTimedOut"),
	    "The operation did not complete within the time allotted." },
	{ 0x803D0007, "WS_E_OPERATION_ABANDONED", DBUS_ERR("OperationAbandoned"),
	    "The operation was abandoned." },
	{ 0x803D0008, "WS_E_QUOTA_EXCEEDED", DBUS_ERR("QuotaExceeded"),
	    "A quota was exceeded." },
	{ 0x803D0009, "WS_E_NO_TRANSLATION_AVAILABLE", DBUS_ERR("NoTranslationAvailable"),
	    "The information was not available in the specified language." },
	{ 0x803D000A, "WS_E_SECURITY_VERIFICATION_FAILURE", DBUS_ERR("SecurityVerificationFailure"),
	    "Security verification was not successful." },
	{ 0x803D000B, "WS_E_ADDRESS_IN_USE", DBUS_ERR("AddressInUse"),
	    "The address is already being used." },
	{ 0x803D000C, "WS_E_ADDRESS_NOT_AVAILABLE", DBUS_ERR("AddressNotAvailable"),
	    "The address is not valid for this context." },
	{ 0x803D000D, "WS_E_ENDPOINT_NOT_FOUND", DBUS_ERR("EndpointNotFound"),
	    "The remote endpoint does not exist or could not be located." },
	{ 0x803D000E, "WS_E_ENDPOINT_NOT_AVAILABLE", DBUS_ERR("EndpointNotAvailable"),
	    "The remote endpoint is not currently in service at this location." },
	{ 0x803D000F, "WS_E_ENDPOINT_FAILURE", DBUS_ERR("EndpointFailure"),
	    "The remote endpoint could not process the request." },
	{ 0x803D0010, "WS_E_ENDPOINT_UNREACHABLE", DBUS_ERR("EndpointUnreachable"),
	    "The remote endpoint was not reachable." },
	{ 0x803D0011, "WS_E_ENDPOINT_ACTION_NOT_SUPPORTED", DBUS_ERR("EndpointActionNotSupported"),
	    "The operation was not supported by the remote endpoint." },
	{ 0x803D0012, "WS_E_ENDPOINT_TOO_BUSY", DBUS_ERR("EndpointTooBusy"),
	    "The remote endpoint is too busy." },
	{ 0x803D0013, "WS_E_ENDPOINT_FAULT_RECEIVED", DBUS_ERR("EndpointFaultReceived"),
	    "A fault was received from the remote endpoint." },
	{ 0x803D0014, "WS_E_ENDPOINT_DISCONNECTED", DBUS_ERR("EndpointDisconnected"),
	    "The connection with the remote endpoint was terminated." },
	{ 0x803D0015, "WS_E_PROXY_FAILURE", DBUS_ERR("ProxyFailure"),
	    "The HTTP proxy server could not process the request." },
	{ 0x803D0016, "WS_E_PROXY_ACCESS_DENIED", DBUS_ERR("ProxyAccessDenied"),
	    "Access was denied by the HTTP proxy server." },
	{ 0x803D0017, "WS_E_NOT_SUPPORTED", DBUS_ERR("NotSupported"),
	    "The requested feature is not available on this platform." },
	{ 0x803D0018, "WS_E_PROXY_REQUIRES_BASIC_AUTH", DBUS_ERR("ProxyRequiresBasicAuth"),
	    "The HTTP proxy server requires HTTP authentication scheme 'basic'." },
	{ 0x803D0019, "WS_E_PROXY_REQUIRES_DIGEST_AUTH", DBUS_ERR("ProxyRequiresDigestAuth"),
	    "The HTTP proxy server requires HTTP authentication scheme 'digest'." },
	{ 0x803D001A, "WS_E_PROXY_REQUIRES_NTLM_AUTH", DBUS_ERR("ProxyRequiresNtlmAuth"),
	    "The HTTP proxy server requires HTTP authentication scheme 'NTLM'." },
	{ 0x803D001B, "WS_E_PROXY_REQUIRES_NEGOTIATE_AUTH", DBUS_ERR("ProxyRequiresNegotiateAuth"),
	    "The HTTP proxy server requires HTTP authentication scheme 'negotiate'." },
	{ 0x803D001C, "WS_E_SERVER_REQUIRES_BASIC_AUTH", DBUS_ERR("ServerRequiresBasicAuth"),
	    "The remote endpoint requires HTTP authentication scheme 'basic'." },
	{ 0x803D001D, "WS_E_SERVER_REQUIRES_DIGEST_AUTH", DBUS_ERR("ServerRequiresDigestAuth"),
	    "The remote endpoint requires HTTP authentication scheme 'digest'." },
	{ 0x803D001E, "WS_E_SERVER_REQUIRES_NTLM_AUTH", DBUS_ERR("ServerRequiresNtlmAuth"),
	    "The remote endpoint requires HTTP authentication scheme 'NTLM'." },
	{ 0x803D001F, "WS_E_SERVER_REQUIRES_NEGOTIATE_AUTH", DBUS_ERR("ServerRequiresNegotiateAuth"),
	    "The remote endpoint requires HTTP authentication scheme 'negotiate'." },
	{ 0x803D0020, "WS_E_INVALID_ENDPOINT_URL", DBUS_ERR("InvalidEndpointUrl"),
	    "The endpoint address URL is invalid." },
	{ 0x803D0021, "WS_E_OTHER", DBUS_ERR("Other"),
	    "Unrecognized error occurred in the Windows Web Services framework." },
	{ 0x803D0022, "WS_E_SECURITY_TOKEN_EXPIRED", DBUS_ERR("SecurityTokenExpired"),
	    "A security token was rejected by the server because it has expired." },
	{ 0x803D0023, "WS_E_SECURITY_SYSTEM_FAILURE", DBUS_ERR("SecuritySystemFailure"),
	    "A security operation failed in the Windows Web Services framework." },
};

const char *
hresult_name(uint32_t hr)
{
	size_t i;

	for (i = 0; i < sizeof(hresults) / sizeof(hresults[0]); i++)
		if (hresults[i].hr == hr)
			return hresults[i].name;
	return NULL;
}

const char *
hresult_dbus_error(uint32_t hr)
{
	size_t i;

	for (i = 0; i < sizeof(hresults) / sizeof(hresults[0]); i++)
		if (hresults[i].hr == hr)
			return hresults[i].dbus;
	return HRESULT_DBUS_ERROR_UNKNOWN;
}

int
hresult_from_dbus_error(const char *name, uint32_t *hr)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(hresults) / sizeof(hresults[0]); i++)
		if (strcmp(hresults[i].dbus, name) == 0) {
			*hr = hresults[i].hr;
			return 0;
		}
	return -1;
}

const char *
hresult_text(uint32_t hr)
{
	size_t i;

	for (i = 0; i < sizeof(hresults) / sizeof(hresults[0]); i++)
		if (hresults[i].hr == hr)
			return hresults[i].text;
	return "Unknown error.";
}

#define NAMEOF(table, v) \
	((v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

static const char *const channel_states[] = {
	"CREATED", "OPENING", "ACCEPTING", "OPEN", "FAULTED", "CLOSING", "CLOSED",
};

static const char *const listener_states[] = {
	"CREATED", "OPENING", "OPEN", "FAULTED", "CLOSING", "CLOSED",
};

static const char *const bindings[] = {
	"HTTP", "TCP", "UDP", "CUSTOM", "NAMEDPIPE",
};

static const char *const encodings[] = {
	"XML_BINARY_1", "XML_BINARY_SESSION_1", "XML_MTOM_UTF8",
	"XML_MTOM_UTF16BE", "XML_MTOM_UTF16LE", "XML_UTF8", "XML_UTF16BE",
	"XML_UTF16LE", "RAW",
};

const char *
channel_state_name(uint32_t state)
{
	return NAMEOF(channel_states, state);
}

const char *
listener_state_name(uint32_t state)
{
	return NAMEOF(listener_states, state);
}

const char *
channel_binding_name(uint32_t binding)
{
	return NAMEOF(bindings, binding);
}

const char *
encoding_name(uint32_t encoding)
{
	return NAMEOF(encodings, encoding);
}

const char *
channel_type_name(uint32_t type)
{
	switch (type) {
	case 0x1: return "INPUT";
	case 0x2: return "OUTPUT";
	case 0x3: return "DUPLEX";
	case 0x4: return "SESSION";
	case 0x5: return "INPUT_SESSION";
	case 0x6: return "OUTPUT_SESSION";
	case 0x7: return "DUPLEX_SESSION";
	case 0x8: return "REQUEST";
	case 0x10: return "REPLY";
	default: return NULL;
	}
}
