/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * Faults: WS_FAULT, its parts, fault detail descriptions and the fault calls, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_FAULT_H
#define WSCHANNEL_WS_FAULT_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

#endif /* WSCHANNEL_WS_FAULT_H */
