/*
 * The one map of the D-Bus API (systemd/org.wschannel.WsChannel1.xml):
 * bus name, object paths, interfaces, and each method's in and out
 * signatures.  The daemon's door, the library's bus backend and wsctl all
 * take their names from here; check_dbus holds the live introspection
 * against the XML.
 */
#ifndef WSCHANNEL_BUSMAP_H
#define WSCHANNEL_BUSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUSMAP_NAME		"org.wschannel.WsChannel1"
#define BUSMAP_ROOT		"/org/wschannel/WsChannel1"
#define BUSMAP_CHANNELS		BUSMAP_ROOT "/channel"
#define BUSMAP_LISTENERS	BUSMAP_ROOT "/listener"
#define BUSMAP_IFACE_MANAGER	BUSMAP_NAME ".Manager"
#define BUSMAP_IFACE_CHANNEL	BUSMAP_NAME ".Channel"
#define BUSMAP_IFACE_LISTENER	BUSMAP_NAME ".Listener"
#define BUSMAP_IFACE_OBJMANAGER	"org.freedesktop.DBus.ObjectManager"
#define BUSMAP_IFACE_PROPERTIES	"org.freedesktop.DBus.Properties"
/* The bus daemon itself: peers' credentials and departures. */
#define BUSMAP_DRIVER_NAME	"org.freedesktop.DBus"
#define BUSMAP_DRIVER_PATH	"/org/freedesktop/DBus"
#define BUSMAP_DRIVER_IFACE	"org.freedesktop.DBus"
/* Errors are BUSMAP_ERROR_PREFIX + the HRESULT's name (common/hresult.h). */
#define BUSMAP_ERROR_PREFIX	BUSMAP_NAME ".Error."

/* Method signatures, in and out, as sd-bus vtables and calls need them. */
#define BUSMAP_MGR_CREATE_CHANNEL_IN         "uua{uv}"
#define BUSMAP_MGR_CREATE_CHANNEL_OUT        "o"
#define BUSMAP_MGR_CREATE_LISTENER_IN        "uua{uv}"
#define BUSMAP_MGR_CREATE_LISTENER_OUT       "o"
#define BUSMAP_MGR_LIST_CHANNELS_IN          ""
#define BUSMAP_MGR_LIST_CHANNELS_OUT         "a(oa{sv})"
#define BUSMAP_MGR_LIST_LISTENERS_IN         ""
#define BUSMAP_MGR_LIST_LISTENERS_OUT        "a(oa{sv})"
#define BUSMAP_MGR_ABORT_ALL_IN              ""
#define BUSMAP_MGR_ABORT_ALL_OUT             "a(ouu)"
#define BUSMAP_MGR_ABORT_PROCESS_IN          "u"
#define BUSMAP_MGR_ABORT_PROCESS_OUT         "a(ouu)"
#define BUSMAP_MGR_RELOAD_IN                 ""
#define BUSMAP_MGR_RELOAD_OUT                ""
#define BUSMAP_MGR_GET_STATISTICS_IN         ""
#define BUSMAP_MGR_GET_STATISTICS_OUT        "a{sv}"
#define BUSMAP_MGR_ENABLE_ACCEPTED_IN        ""
#define BUSMAP_MGR_ENABLE_ACCEPTED_OUT       ""
#define BUSMAP_MGR_SUBSCRIBE_IN              ""
#define BUSMAP_MGR_SUBSCRIBE_OUT             ""
#define BUSMAP_CH_OPEN_IN                    "s"
#define BUSMAP_CH_OPEN_OUT                   "u"
#define BUSMAP_CH_CLOSE_IN                   ""
#define BUSMAP_CH_CLOSE_OUT                  "u"
#define BUSMAP_CH_ABORT_IN                   ""
#define BUSMAP_CH_ABORT_OUT                  "uu"
#define BUSMAP_CH_RESET_IN                   ""
#define BUSMAP_CH_RESET_OUT                  "u"
#define BUSMAP_CH_FREE_IN                    ""
#define BUSMAP_CH_FREE_OUT                   ""
#define BUSMAP_CH_SEND_IN                    "a{sv}"
#define BUSMAP_CH_SEND_OUT                   "u"
#define BUSMAP_CH_RECEIVE_IN                 ""
#define BUSMAP_CH_RECEIVE_OUT                "ua{sv}"
#define BUSMAP_CH_REQUEST_REPLY_IN           "a{sv}"
#define BUSMAP_CH_REQUEST_REPLY_OUT          "ua{sv}"
#define BUSMAP_CH_READ_MESSAGE_START_IN      ""
#define BUSMAP_CH_READ_MESSAGE_START_OUT     "ua{sv}"
#define BUSMAP_CH_READ_MESSAGE_END_IN        ""
#define BUSMAP_CH_READ_MESSAGE_END_OUT       "u"
#define BUSMAP_CH_WRITE_MESSAGE_START_IN     ""
#define BUSMAP_CH_WRITE_MESSAGE_START_OUT    "u"
#define BUSMAP_CH_WRITE_MESSAGE_END_IN       "a{sv}"
#define BUSMAP_CH_WRITE_MESSAGE_END_OUT      "u"
#define BUSMAP_CH_ABANDON_MESSAGE_IN         ""
#define BUSMAP_CH_ABANDON_MESSAGE_OUT        "u"
#define BUSMAP_CH_SHUTDOWN_IN                ""
#define BUSMAP_CH_SHUTDOWN_OUT               "u"
#define BUSMAP_CH_GET_PROPERTY_IN            "u"
#define BUSMAP_CH_GET_PROPERTY_OUT           "v"
#define BUSMAP_CH_SET_PROPERTY_IN            "uv"
#define BUSMAP_CH_SET_PROPERTY_OUT           ""
#define BUSMAP_CH_SIG_ACCEPTED               "u"
#define BUSMAP_LS_OPEN_IN                    "s"
#define BUSMAP_LS_OPEN_OUT                   "u"
#define BUSMAP_LS_ACCEPT_IN                  "o"
#define BUSMAP_LS_ACCEPT_OUT                 "u"
#define BUSMAP_LS_CLOSE_IN                   ""
#define BUSMAP_LS_CLOSE_OUT                  "u"
#define BUSMAP_LS_ABORT_IN                   ""
#define BUSMAP_LS_ABORT_OUT                  "uu"
#define BUSMAP_LS_RESET_IN                   ""
#define BUSMAP_LS_RESET_OUT                  "u"
#define BUSMAP_LS_FREE_IN                    ""
#define BUSMAP_LS_FREE_OUT                   ""
#define BUSMAP_LS_CREATE_CHANNEL_IN          "a{uv}"
#define BUSMAP_LS_CREATE_CHANNEL_OUT         "o"
#define BUSMAP_LS_GET_PROPERTY_IN            "u"
#define BUSMAP_LS_GET_PROPERTY_OUT           "v"
#define BUSMAP_LS_SET_PROPERTY_IN            "uv"
#define BUSMAP_LS_SET_PROPERTY_OUT           ""
#define BUSMAP_LS_SIG_ACCEPTED               "u"

/* The message dictionary's (a{sv}) key for Envelope.http_headers, and
 * its value: (name, value) pairs. */
#define BUSMAP_MSG_HTTP_HEADERS		"HttpHeaders"
#define BUSMAP_MSG_HTTP_HEADERS_SIG	"a(ss)"
/* ... and for Envelope.more_body (WriteMessageEnd only), a "b". */
#define BUSMAP_MSG_MORE_BODY		"MoreBody"
/* ... and for Envelope.http_verb ("s"), http_status ("u") and
 * http_status_text ("s"): a raw HTTP message's method and status. */
#define BUSMAP_MSG_HTTP_VERB		"HttpVerb"
#define BUSMAP_MSG_HTTP_STATUS		"HttpStatus"
#define BUSMAP_MSG_HTTP_STATUS_TEXT	"HttpStatusText"

struct busmap_method {
	const char	*iface;
	const char	*member;
	const char	*in;		/* signature of the arguments */
	const char	*out;		/* signature of the reply */
};

/* The method `member` of `iface`, or NULL. */
const struct busmap_method *busmap_method(const char *iface, const char *member);
/* Every method, ending with an entry whose member is NULL. */
extern const struct busmap_method busmap_methods[];

/* Writes the object path of a channel or listener; -1 if `len` is short. */
int	busmap_path(char *buf, size_t len, bool listener, uint64_t id);
/*
 * Parses an object path.  Returns 1 and sets *listener and *id for
 * BUSMAP_CHANNELS/<id> or BUSMAP_LISTENERS/<id> (decimal, no sign, no
 * leading zero, not 0), 0 for anything else.
 */
int	busmap_parse_path(const char *path, bool *listener, uint64_t *id);

#endif
