/*
 * http: SOAP over HTTP (WS_HTTP_CHANNEL_BINDING) on libevent's evhttp, no
 * HTTP parsing of our own.  The ops of the binding: a REQUEST channel's
 * record is http_client.c's, an accepted REPLY channel's http_server.c's.
 *
 * evhttp may call us from deep inside its own frames, and an upcall may
 * end in our abort, so nothing that evhttp owns is freed inside abort:
 * abort detaches the record and activates its "reap" event, allocated
 * with the record, which frees the connection from the loop later.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "encoding.h"
#include "envelope.h"
#include "listener.h"
#include "log.h"
#include "registry.h"
#include "transport.h"
#include "url.h"


#include "http.h"

static int32_t
http_check(struct channel *ch, const char **why)
{
	uint32_t enc = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENCODING);
	uint32_t env = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ENVELOPE_VERSION);

	uint32_t addr = (uint32_t)channel_prop_value(ch,
	    WS_CHANNEL_PROPERTY_ADDRESSING_VERSION);

	/* MS: no envelope is RAW's, and RAW carries no envelope, so no
	 * WS-Addressing either. */
	if ((enc == WS_ENCODING_RAW) != (env == WS_ENVELOPE_VERSION_NONE)) {
		*why = "WS_ENCODING_RAW goes with WS_ENVELOPE_VERSION_NONE, and "
		    "only with it";
		return E_INVALIDARG;
	}
	if (enc == WS_ENCODING_RAW && addr != WS_ADDRESSING_VERSION_TRANSPORT) {
		*why = "WS_ENCODING_RAW needs WS_ADDRESSING_VERSION_TRANSPORT";
		return E_INVALIDARG;
	}
	if (enc == WS_ENCODING_RAW && (http_util_streamed(ch,
	    WS_STREAMED_OUTPUT_TRANSFER_MODE) ||
	    http_util_streamed(ch, WS_STREAMED_INPUT_TRANSFER_MODE))) {
		*why = "raw bodies are buffered only in this build";
		return WS_E_NOT_SUPPORTED;
	}
	if (enc == WS_ENCODING_RAW)
		return S_OK;
	if (enc != WS_ENCODING_XML_UTF8 && enc != WS_ENCODING_XML_BINARY_1 &&
	    !http_util_utf16(enc)) {
		*why = "this build speaks UTF-8 and UTF-16 text and binary XML "
		    "over HTTP";
		return WS_E_NOT_SUPPORTED;
	}
	if (enc == WS_ENCODING_XML_BINARY_1 &&
	    env != WS_ENVELOPE_VERSION_SOAP_1_2) {
		*why = "application/soap+msbin1 carries SOAP 1.2 only";
		return WS_E_NOT_SUPPORTED;
	}
	/* Streamed bodies go out as UTF-8 text (http_util_encode_split). */
	if (http_util_streamed(ch, WS_STREAMED_OUTPUT_TRANSFER_MODE) &&
	    enc != WS_ENCODING_XML_UTF8) {
		*why = "streamed output is sent as UTF-8 text only";
		return WS_E_NOT_SUPPORTED;
	}
	return S_OK;
}

/* ---- the ops: REQUEST or REPLY by the record the channel holds ----------- */

/* Client records start with a channel pointer too; tell them apart by
 * the channel's type. */
static bool
http_is_reply(struct channel *ch)
{
	return channel_prop_value(ch, WS_CHANNEL_PROPERTY_CHANNEL_TYPE) ==
	    WS_CHANNEL_TYPE_REPLY;
}

static int32_t
http_send(struct channel *ch, const struct envelope *msg, const char **why)
{
	void *tp = channel_tp(ch);

	if (tp == NULL) {
		*why = "the channel is not open";
		return WS_E_INVALID_OPERATION;
	}
	return http_is_reply(ch) ? http_server_reply_send(tp, msg, why) :
	    http_client_send(tp, msg, why);
}

static int32_t
http_send_part(struct channel *ch, const struct envelope *msg,
    const char **why)
{
	void *tp = channel_tp(ch);

	if (tp == NULL) {
		*why = "the channel is not open";
		return WS_E_INVALID_OPERATION;
	}
	return http_is_reply(ch) ? http_server_reply_send_part(tp, msg, why) :
	    http_client_send_part(tp, msg, why);
}

static int32_t
http_receive_check(struct channel *ch, const char **why)
{
	void *tp = channel_tp(ch);

	if (tp == NULL || http_is_reply(ch))
		return S_OK;
	return http_client_receive_check(tp, why);
}

static void
http_want_receive(struct channel *ch)
{
	void *tp = channel_tp(ch);

	if (tp == NULL)
		return;
	if (http_is_reply(ch))
		http_server_reply_want_receive(tp);
	else
		http_client_deliver(tp);
}

static int32_t
http_read_more(struct channel *ch, const char **why)
{
	void *tp = channel_tp(ch);

	if (tp == NULL || http_is_reply(ch)) {
		*why = "the request came whole: there is no more of its body";
		return WS_E_INVALID_OPERATION;
	}
	return http_client_read_more(tp, why);
}

static int32_t
http_shutdown(struct channel *ch)
{
	return WS_E_INVALID_OPERATION;
}

static void
http_close(struct channel *ch, bool send_end)
{
	void *tp = channel_tp(ch);

	if (tp == NULL)
		channel_transport_closed(ch);
	else if (http_is_reply(ch))
		http_server_reply_close(tp);
	else
		http_client_close(tp);
}

static void
http_abort(struct channel *ch)
{
	void *tp = channel_tp(ch);

	if (tp == NULL)
		return;
	channel_set_tp(ch, NULL);
	if (http_is_reply(ch))
		http_server_req_release(tp);
	else
		http_client_release(tp, true);
}

const struct transport_ops transport_http_ops = {
	.check = http_check,
	.open = http_client_open,
	.send = http_send,
	.receive_check = http_receive_check,
	.want_receive = http_want_receive,
	.shutdown = http_shutdown,
	.close = http_close,
	.abort = http_abort,
	.listener_open = http_server_listen,
	.listener_accept = http_server_accept,
	.listener_close = http_server_unlisten,
	.listener_abort = http_server_unlisten_abort,
	.send_part = http_send_part,
	.read_more = http_read_more,
};

