/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * The rest of the SDK surface: security descriptions, service model and metadata types, URLs, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_SDK_H
#define WSCHANNEL_WS_SDK_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

#endif /* WSCHANNEL_WS_SDK_H */
