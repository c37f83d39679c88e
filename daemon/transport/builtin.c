/*
 * The bindings built into wschanneld, one table entry each: what the core
 * allows for the binding, and the ops of the file that serves it (NULL:
 * a binding we know but whose transport this build lacks; its objects
 * can be created and configured, and opening them is WS_E_NOT_SUPPORTED).
 */
#include <stddef.h>

#include <wschannel/webservices.h>

#include "props.h"
#include "transport.h"
#include "builtin.h"
#include "tcp_sock.h"

/* Each transport file defines its ops. */
extern const struct transport_ops transport_tcp_ops;
extern const struct transport_ops transport_udp_ops;
extern const struct transport_ops transport_http_ops;

/* Every encoding of WS_ENCODING (0 ... WS_ENCODING_RAW). */
#define ENC_ALL		(TRANSPORT_BIT(WS_ENCODING_RAW + 1) - 1)

/*
 * UDP's fixed values (bindings.md): MAX_BUFFERED_MESSAGE_SIZE is 65536,
 * and WS-Addressing TRANSPORT is HTTP's.
 */
static int32_t
udp_prop_check(bool listener, uint32_t id, uint64_t value, const char **why)
{
	if (listener)
		return S_OK;
	if (id == WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE &&
	    value != 65536) {
		*why = "soap.udp's MAX_BUFFERED_MESSAGE_SIZE is fixed at 65536";
		return E_INVALIDARG;
	}
	if (id == WS_CHANNEL_PROPERTY_ADDRESSING_VERSION &&
	    value == WS_ADDRESSING_VERSION_TRANSPORT) {
		*why = "WS_ADDRESSING_VERSION_TRANSPORT is for HTTP only";
		return E_INVALIDARG;
	}
	return S_OK;
}

/* bindings.md, HTTP: MTOM is a known value we cannot speak yet. */
static int32_t
builtin_http_prop_check(bool listener, uint32_t id, uint64_t value,
    const char **why)
{
	if (!listener && id == WS_CHANNEL_PROPERTY_ENCODING &&
	    (value == WS_ENCODING_XML_MTOM_UTF8 ||
	    value == WS_ENCODING_XML_MTOM_UTF16BE ||
	    value == WS_ENCODING_XML_MTOM_UTF16LE)) {
		*why = "MTOM encodings are not supported over HTTP yet";
		return WS_E_NOT_SUPPORTED;
	}
	return S_OK;
}

static const struct transport_binding builtin_bindings[] = {
	{
		.binding = WS_TCP_CHANNEL_BINDING,
		.name = "net.tcp",
		.scheme = URL_NETTCP,
		.channel_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX_SESSION),
		.listener_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX_SESSION),
		.default_encoding = WS_ENCODING_XML_BINARY_SESSION_1,
		.encodings = TRANSPORT_BIT(WS_ENCODING_XML_BINARY_SESSION_1) |
		    TRANSPORT_BIT(WS_ENCODING_XML_BINARY_1) |
		    TRANSPORT_BIT(WS_ENCODING_XML_UTF8),
		.prop_bit = PROP_B_TCP,
		.ops = &transport_tcp_ops,
	},
	{
		.binding = WS_UDP_CHANNEL_BINDING,
		.name = "soap.udp",
		.scheme = URL_SOAPUDP,
		/* DUPLEX only, UTF-8 only (bindings.md). */
		.channel_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX),
		.listener_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX),
		.default_encoding = WS_ENCODING_XML_UTF8,
		.encodings = TRANSPORT_BIT(WS_ENCODING_XML_UTF8),
		.prop_bit = PROP_B_UDP,
		.prop_check = udp_prop_check,
		.ops = &transport_udp_ops,
	},
	{
		.binding = WS_HTTP_CHANNEL_BINDING,
		.name = "http",
		.scheme = URL_HTTP,
		.channel_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_REQUEST) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_REPLY),
		.listener_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_REPLY),
		.default_encoding = WS_ENCODING_XML_UTF8,
		/* bindings.md: BINARY_SESSION_1 needs a session. */
		.encodings = ENC_ALL &
		    ~TRANSPORT_BIT(WS_ENCODING_XML_BINARY_SESSION_1),
		/* NONE goes with RAW only (MS; http.c checks the pair). */
		.envelope_none = true,
		.prop_bit = PROP_B_HTTP,
		.prop_check = builtin_http_prop_check,
		.ops = &transport_http_ops,
	},
};

void
transport_register_builtin(void)
{
	size_t i;

	for (i = 0; i < sizeof(builtin_bindings) / sizeof(builtin_bindings[0]);
	    i++)
		(void)transport_register(&builtin_bindings[i]);
}

void
transport_builtin_finish(void)
{
	tcp_sock_reset_all();
}
