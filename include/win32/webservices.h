/*
 * <webservices.h> as Windows programs include it, from the libwschannel-win32
 * pkg-config module: the header of libwschannel.
 */
#include <wschannel/webservices.h>
