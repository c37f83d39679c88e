/*
 * Security descriptions.  wschannel has neither transport nor message
 * security yet, so a channel or listener asked to use a security binding
 * is refused at creation with WS_E_NOT_SUPPORTED and a WS_ERROR string
 * naming the binding: a Windows program that asks for SSL or SSPI builds,
 * and fails honestly instead of talking in the clear.
 */
#include "internal.h"
#include "ws_security.h"

static const char *const ws_security_binding_names[] = {
	[WS_SSL_TRANSPORT_SECURITY_BINDING_TYPE] =
	    "WS_SSL_TRANSPORT_SECURITY_BINDING_TYPE (SSL/TLS transport security)",
	[WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING_TYPE] =
	    "WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING_TYPE (Windows SSPI over net.tcp)",
	[WS_HTTP_HEADER_AUTH_SECURITY_BINDING_TYPE] =
	    "WS_HTTP_HEADER_AUTH_SECURITY_BINDING_TYPE (HTTP header authentication)",
	[WS_USERNAME_MESSAGE_SECURITY_BINDING_TYPE] =
	    "WS_USERNAME_MESSAGE_SECURITY_BINDING_TYPE (username message security)",
	[WS_KERBEROS_APREQ_MESSAGE_SECURITY_BINDING_TYPE] =
	    "WS_KERBEROS_APREQ_MESSAGE_SECURITY_BINDING_TYPE (Kerberos AP-REQ message security)",
	[WS_XML_TOKEN_MESSAGE_SECURITY_BINDING_TYPE] =
	    "WS_XML_TOKEN_MESSAGE_SECURITY_BINDING_TYPE (XML token message security)",
	[WS_SAML_MESSAGE_SECURITY_BINDING_TYPE] =
	    "WS_SAML_MESSAGE_SECURITY_BINDING_TYPE (SAML message security)",
	[WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING_TYPE] =
	    "WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING_TYPE (secure conversation)",
	[WS_NAMEDPIPE_SSPI_TRANSPORT_SECURITY_BINDING_TYPE] =
	    "WS_NAMEDPIPE_SSPI_TRANSPORT_SECURITY_BINDING_TYPE (Windows SSPI over net.pipe)",
};

/* The name of a binding type, NULL for a value the SDK does not define. */
const char *
ws_security_binding_name(WS_SECURITY_BINDING_TYPE type)
{
	size_t n = sizeof(ws_security_binding_names) /
	    sizeof(ws_security_binding_names[0]);

	if ((size_t)type >= n)
		return NULL;
	return ws_security_binding_names[type];
}

/*
 * S_OK for no security (NULL, or a description with no binding and no
 * property); E_INVALIDARG for a malformed description; otherwise
 * WS_E_NOT_SUPPORTED naming the first binding.
 */
HRESULT
ws_security_check(const WS_SECURITY_DESCRIPTION *sd, WS_ERROR *error,
    const char *api)
{
	const WS_SECURITY_BINDING *b;
	const char *name;
	ULONG i;

	if (sd == NULL)
		return S_OK;
	if ((sd->securityBindings == NULL && sd->securityBindingCount > 0) ||
	    (sd->properties == NULL && sd->propertyCount > 0))
		return ws_error_fail(error, E_INVALIDARG,
		    "%s: security description with a NULL array", api);
	for (i = 0; i < sd->securityBindingCount; i++) {
		if ((b = sd->securityBindings[i]) == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: security binding %lu is NULL", api,
			    (unsigned long)i);
		if ((name = ws_security_binding_name(b->bindingType)) == NULL)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: security binding %lu has an unknown type %d",
			    api, (unsigned long)i, (int)b->bindingType);
		if (b->properties == NULL && b->propertyCount > 0)
			return ws_error_fail(error, E_INVALIDARG,
			    "%s: security binding %s has NULL properties", api,
			    name);
	}
	if (sd->securityBindingCount > 0)
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: security binding %s is not supported: wschannel has "
		    "no transport or message security yet",
		    api, ws_security_binding_name(
		    sd->securityBindings[0]->bindingType));
	if (sd->propertyCount > 0)
		return ws_error_fail(error, WS_E_NOT_SUPPORTED,
		    "%s: security property %d is not supported: wschannel has "
		    "no transport or message security yet", api,
		    (int)sd->properties[0].id);
	return S_OK;
}
