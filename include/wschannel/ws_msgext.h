/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * Messages beyond the basics: envelopes, mapped and custom headers, streamed bodies, WsAsyncExecute, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_MSGEXT_H
#define WSCHANNEL_WS_MSGEXT_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

#endif /* WSCHANNEL_WS_MSGEXT_H */
