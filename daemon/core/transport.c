/*
 * The registry of bindings: one entry per WS_CHANNEL_BINDING, filled at
 * start by transport_register_builtin() (daemon/transport/builtin.c), so
 * that the rules of a binding are written once, in its table entry.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <wschannel/webservices.h>

#include "transport.h"

/* props.c keeps one bit per binding in a 32-bit mask. */
#define TRANSPORT_MAX	32

static const struct transport_binding *transport_table[TRANSPORT_MAX];

int
transport_register(const struct transport_binding *tb)
{
	if (tb->binding >= TRANSPORT_MAX ||
	    tb->prop_bit != TRANSPORT_BIT(tb->binding))
		return -EINVAL;
	transport_table[tb->binding] = tb;
	return 0;
}

const struct transport_binding *
transport_binding(uint32_t binding)
{
	if (binding >= TRANSPORT_MAX)
		return NULL;
	return transport_table[binding];
}

int32_t
transport_lookup(uint32_t binding, const struct transport_binding **out,
    const char **why)
{
	if ((*out = transport_binding(binding)) != NULL)
		return S_OK;
	/* A value of the enum that nothing here serves is a feature we
	 * lack; anything else is a bad argument. */
	if (binding <= WS_NAMEDPIPE_CHANNEL_BINDING) {
		*why = "custom and named-pipe bindings are not available";
		return WS_E_NOT_SUPPORTED;
	}
	*why = "unknown channel binding";
	return E_INVALIDARG;
}

const struct transport_binding *
transport_binding_for_scheme(enum url_scheme scheme)
{
	size_t i;

	for (i = 0; i < TRANSPORT_MAX; i++)
		if (transport_table[i] != NULL &&
		    transport_table[i]->scheme == scheme)
			return transport_table[i];
	return NULL;
}

int32_t
transport_prop_check(const struct transport_binding *tb, bool listener,
    uint32_t id, uint64_t value, const char **why)
{
	bool has_session;

	if (!listener && id == WS_CHANNEL_PROPERTY_ENCODING &&
	    (value >= 32 || !(tb->encodings & TRANSPORT_BIT(value)))) {
		has_session = (tb->channel_types &
		    (TRANSPORT_BIT(WS_CHANNEL_TYPE_INPUT_SESSION) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_OUTPUT_SESSION) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX_SESSION))) != 0;
		*why = value == WS_ENCODING_XML_BINARY_SESSION_1 &&
		    !has_session ? "session encoding needs a session channel" :
		    "encoding not valid for this binding";
		return E_INVALIDARG;
	}
	if (!listener && id == WS_CHANNEL_PROPERTY_ENVELOPE_VERSION &&
	    value == WS_ENVELOPE_VERSION_NONE && !tb->envelope_none) {
		*why = "envelope version NONE is not valid for this binding";
		return E_INVALIDARG;
	}
	if (tb->prop_check != NULL)
		return tb->prop_check(listener, id, value, why);
	return S_OK;
}
