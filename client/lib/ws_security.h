/* ws_security.c: a security description checked at channel and listener
 * creation (none is supported yet: WS_E_NOT_SUPPORTED naming the binding). */
#ifndef WSCHANNEL_CLIENT_WS_SECURITY_H
#define WSCHANNEL_CLIENT_WS_SECURITY_H

#include "wschannel/webservices.h"

HRESULT	 ws_security_check(const WS_SECURITY_DESCRIPTION *, WS_ERROR *,
	    const char *);
const char *ws_security_binding_name(WS_SECURITY_BINDING_TYPE);

#endif
