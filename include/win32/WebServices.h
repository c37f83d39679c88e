/*
 * <WebServices.h>, the spelling of the Windows SDK's own samples, from the
 * libwschannel-win32 pkg-config module: the header of libwschannel.
 */
#include <wschannel/webservices.h>
