/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * Serialization descriptions (WS_STRUCT_DESCRIPTION and friends) and the calls that take them, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_SERIAL_H
#define WSCHANNEL_WS_SERIAL_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

#endif /* WSCHANNEL_WS_SERIAL_H */
