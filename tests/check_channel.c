/*
 * Integration suite: the call table of spec/channel-semantics.md, row by
 * row, on real channels through libwschannel and a private wschanneld.
 * One daemon per test (checked fixture; Check forks each test).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define T_MS		10000	/* bound of every wait that should succeed */
#define QUIET_MS	50	/* how long "nothing more happens" is watched */

/* ---- small helpers -------------------------------------------------------------- */

#define XSTR(s) { sizeof(s) - 1, (BYTE *)(s), NULL, 0 }

static WS_XML_STRING elem_name = XSTR("value");
static WS_XML_STRING elem_ns = XSTR("urn:wschannel-test");

static ULONG
get_ulong(WS_CHANNEL *ch, WS_CHANNEL_PROPERTY_ID id, HRESULT *hr)
{
	ULONG v = 0xdeadbeef;

	*hr = WsGetChannelProperty(ch, id, &v, sizeof(v), NULL);
	return v;
}

#define PROP_EQ(ch, id, want) do {					\
	HRESULT phr_;							\
	ULONG pv_ = get_ulong((ch), (id), &phr_);			\
	HR_EQ(phr_, S_OK);						\
	ck_assert_msg(pv_ == (ULONG)(want), "%s = %u, expected %u", #id,	\
	    (unsigned)pv_, (unsigned)(want));				\
} while (0)

static WS_CHANNEL *
tcp_channel(void)
{
	WS_CHANNEL *ch = NULL;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	return ch;
}

/* A channel FAULTED by an open that was refused. */
static WS_CHANNEL *
faulted_channel(void)
{
	WS_CHANNEL *ch = tcp_channel();
	uint16_t port;
	HRESULT hr;

	ck_assert_int_eq(harness_free_port(&port), 0);
	hr = harness_open(ch, port, NULL, NULL);
	ck_assert_msg(FAILED(hr), "open of a closed port gave %s",
	    harness_hr_name(hr));
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	return ch;
}

static struct harness_pair
pair(void)
{
	struct harness_pair p;

	HR_EQ(harness_pair_open(&p, NULL, 0), S_OK);
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.server, WS_CHANNEL_STATE_OPEN);
	return p;
}

static void
exchange_int(WS_CHANNEL *from, WS_CHANNEL *to, int32_t v)
{
	struct harness_msg s = { 0 }, r = { 0 };

	HR_EQ(harness_send_int32(from, &s, v, NULL), S_OK);
	HR_EQ(harness_receive(to, &r, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(r.value, v);
	harness_msg_free(&s);
	harness_msg_free(&r);
}

/* Opens `c` to `port` with an accept on `l`; the accepted channel. */
static WS_CHANNEL *
open_accepted(WS_LISTENER *l, uint16_t port, WS_CHANNEL *c)
{
	WS_CHANNEL *s = NULL;

	HR_EQ(harness_open_accepted(l, port, c, &s), S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	return s;
}

/* A raw TCP listener the channel opens to; `lfd` keeps listening. */
struct raw_server {
	int		lfd;
	int		fd;
	uint16_t	port;
	WS_CHANNEL	*ch;
	struct harness_async open;
};

/* Opens a channel to a raw peer that completes the preamble by hand. */
static void
raw_server_open(struct raw_server *rs)
{
	char via[128], url[128];
	uint8_t enc = 0xff;

	rs->lfd = harness_tcp_listener(&rs->port, 8);
	ck_assert_int_ge(rs->lfd, 0);
	rs->ch = tcp_channel();
	harness_async_init(&rs->open);
	HR_EQ(harness_open(rs->ch, rs->port, &rs->open.ctx, NULL), WS_S_ASYNC);
	rs->fd = harness_raw_accept(rs->lfd, T_MS);
	ck_assert_int_ge(rs->fd, 0);
	ck_assert_int_eq(harness_nmf_read_preamble(rs->fd, T_MS, via,
	    sizeof(via), &enc), 0);
	harness_url(url, sizeof(url), rs->port, "x");
	ck_assert_str_eq(via, url);
	ck_assert_int_eq(enc, HARNESS_NMF_SOAP12_UTF8);
	ck_assert_int_eq(harness_nmf_write_ack(rs->fd), 0);
	ASYNC_EQ(&rs->open, WS_S_ASYNC, S_OK);
	STATE_EQ(rs->ch, WS_CHANNEL_STATE_OPEN);
}

/* Channel rows of `wsctl list` owned by `pid`. */
static int
rows_of_pid(pid_t pid)
{
	struct harness_channel_row rows[64];
	int i, n, count = 0;

	n = harness_list_channels(rows, 64);
	ck_assert_msg(n >= 0, "wsctl list failed: %d", n);
	for (i = 0; i < n && i < 64; i++)
		if (rows[i].pid == (uint32_t)pid)
			count++;
	return count;
}

static bool
wait_rows_of_pid(pid_t pid, int want, int timeout_ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;

	for (;;) {
		if (rows_of_pid(pid) == want)
			return true;
		if (harness_now_us() > deadline)
			return false;
		harness_sleep_ms(20);
	}
}

/* ---- WsCreateChannel ------------------------------------------------------------ */

/* Every default the spec lists, on a TCP channel. */
START_TEST(create_defaults_tcp)
{
	WS_CHANNEL *ch = NULL;

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &ch, NULL), S_OK);
	ck_assert_ptr_nonnull(ch);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, 65536);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION,
	    WS_ENVELOPE_VERSION_SOAP_1_2);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_ADDRESSING_VERSION,
	    WS_ADDRESSING_VERSION_1_0);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_ENCODING,
	    WS_ENCODING_XML_BINARY_SESSION_1);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE, 2048);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_CHANNEL_TYPE,
	    WS_CHANNEL_TYPE_DUPLEX_SESSION);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, 30000);
	/* bindings.md, timeouts: TCP resolves without limit, sends 30000. */
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT, 0xffffffffu);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, 30000);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT, 30000);
	WsFreeChannel(ch);
}
END_TEST

/* HTTP and UDP default to XML_UTF8 and have no session dictionary. */
START_TEST(create_defaults_http_udp)
{
	WS_CHANNEL *http = NULL, *udp = NULL;
	HRESULT hr;

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_REQUEST, WS_HTTP_CHANNEL_BINDING,
	    NULL, 0, NULL, &http, NULL), S_OK);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &udp, NULL), S_OK);
	STATE_EQ(http, WS_CHANNEL_STATE_CREATED);
	STATE_EQ(udp, WS_CHANNEL_STATE_CREATED);
	PROP_EQ(http, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_UTF8);
	PROP_EQ(udp, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_UTF8);
	PROP_EQ(http, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, 65536);
	PROP_EQ(http, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION,
	    WS_ENVELOPE_VERSION_SOAP_1_2);
	PROP_EQ(http, WS_CHANNEL_PROPERTY_ADDRESSING_VERSION,
	    WS_ADDRESSING_VERSION_1_0);
	PROP_EQ(http, WS_CHANNEL_PROPERTY_CHANNEL_TYPE,
	    WS_CHANNEL_TYPE_REQUEST);
	get_ulong(http, WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE, &hr);
	HR_EQ(hr, E_INVALIDARG);
	get_ulong(udp, WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE, &hr);
	HR_EQ(hr, E_INVALIDARG);
	WsFreeChannel(http);
	WsFreeChannel(udp);
}
END_TEST

/* Read-only properties and wrong value sizes are E_INVALIDARG. */
START_TEST(create_readonly_and_sizes)
{
	WS_CHANNEL_STATE st = WS_CHANNEL_STATE_OPEN;
	WS_ENCODING enc = WS_ENCODING_XML_UTF8;
	WS_CHANNEL_TYPE type = WS_CHANNEL_TYPE_DUPLEX;
	ULONGLONG big = 1000;
	ULONG v = 1234;
	WS_CHANNEL_PROPERTY prop;
	WS_CHANNEL *ch = NULL, *bad = NULL;
	USHORT small = 0;

	ch = tcp_channel();
	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), E_INVALIDARG);
	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc), NULL), E_INVALIDARG);
	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_CHANNEL_TYPE, &type,
	    sizeof(type), NULL), E_INVALIDARG);
	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &v,
	    2, NULL), E_INVALIDARG);
	HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &small,
	    sizeof(small), NULL), E_INVALIDARG);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_CHANNEL_TYPE,
	    WS_CHANNEL_TYPE_DUPLEX_SESSION);

	/* The same checks at creation. */
	prop.id = WS_CHANNEL_PROPERTY_STATE;
	prop.value = &st;
	prop.valueSize = sizeof(st);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, &prop, 1, NULL, &bad, NULL), E_INVALIDARG);
	prop.id = WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE;
	prop.value = &big;
	prop.valueSize = sizeof(big);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, &prop, 1, NULL, &bad, NULL), E_INVALIDARG);
	WsFreeChannel(ch);
}
END_TEST

/* A property settable after creation is set in CREATED and read back. */
START_TEST(set_later_property)
{
	WS_CHANNEL *ch = tcp_channel();
	ULONG v = 1234;

	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &v,
	    sizeof(v), NULL), S_OK);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, 1234);
	WsFreeChannel(ch);
}
END_TEST

/* ---- NULL handles ------------------------------------------------------------------ */

/* Every call on a NULL handle or NULL required pointer is E_INVALIDARG. */
START_TEST(null_handles)
{
	struct harness_async a;
	WS_ENDPOINT_ADDRESS addr;
	WS_STRING url = harness_ws_string("net.tcp://127.0.0.1:1/x");
	WS_CHANNEL_STATE st;
	WS_LISTENER_STATE lst;
	WS_CHANNEL *ch = tcp_channel(), *out = NULL;
	WS_LISTENER *l = NULL;
	WS_MESSAGE *msg = NULL;
	WS_HEAP *heap = NULL;
	ULONG v = 1;

	memset(&addr, 0, sizeof(addr));
	addr.url = url;
	harness_async_init(&a);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &msg, NULL), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);

	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsOpenChannel(NULL, &addr, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsOpenChannel(NULL, &addr, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsOpenChannel(ch, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsCloseChannel(NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsCloseChannel(NULL, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsAbortChannel(NULL, NULL), E_INVALIDARG);
	HR_EQ(WsResetChannel(NULL, NULL), E_INVALIDARG);
	HR_EQ(WsGetChannelProperty(NULL, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), E_INVALIDARG);
	HR_EQ(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, NULL,
	    sizeof(st), NULL), E_INVALIDARG);
	HR_EQ(WsSetChannelProperty(NULL, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &v,
	    sizeof(v), NULL), E_INVALIDARG);
	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, NULL,
	    sizeof(v), NULL), E_INVALIDARG);
	HR_EQ(WsSendMessage(NULL, msg, NULL, WS_WRITE_REQUIRED_VALUE, NULL, 0,
	    NULL, NULL), E_INVALIDARG);
	HR_EQ(WsSendMessage(NULL, msg, NULL, WS_WRITE_REQUIRED_VALUE, NULL, 0,
	    &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsSendMessage(ch, NULL, NULL, WS_WRITE_REQUIRED_VALUE, NULL, 0,
	    NULL, NULL), E_INVALIDARG);
	HR_EQ(WsReceiveMessage(NULL, msg, NULL, 0, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, NULL, 0, NULL, NULL, NULL),
	    E_INVALIDARG);
	HR_EQ(WsReceiveMessage(NULL, msg, NULL, 0, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, NULL, 0, NULL, &a.ctx, NULL),
	    E_INVALIDARG);
	HR_EQ(WsReceiveMessage(ch, NULL, NULL, 0, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, NULL, 0, NULL, NULL, NULL),
	    E_INVALIDARG);
	HR_EQ(WsCreateMessageForChannel(NULL, NULL, 0, &msg, NULL),
	    E_INVALIDARG);
	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, NULL, NULL),
	    E_INVALIDARG);

	HR_EQ(WsOpenListener(NULL, &url, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsOpenListener(NULL, &url, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsOpenListener(l, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsAcceptChannel(NULL, ch, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsAcceptChannel(NULL, ch, &a.ctx, NULL), E_INVALIDARG);
	HR_EQ(WsAcceptChannel(l, NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsCloseListener(NULL, NULL, NULL), E_INVALIDARG);
	HR_EQ(WsAbortListener(NULL, NULL), E_INVALIDARG);
	HR_EQ(WsResetListener(NULL, NULL), E_INVALIDARG);
	HR_EQ(WsGetListenerProperty(NULL, WS_LISTENER_PROPERTY_STATE, &lst,
	    sizeof(lst), NULL), E_INVALIDARG);
	HR_EQ(WsSetListenerProperty(NULL, WS_LISTENER_PROPERTY_CLOSE_TIMEOUT,
	    &v, sizeof(v), NULL), E_INVALIDARG);
	HR_EQ(WsCreateChannelForListener(NULL, NULL, 0, &out, NULL),
	    E_INVALIDARG);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, NULL, NULL),
	    E_INVALIDARG);
	WsFreeChannel(NULL);
	WsFreeListener(NULL);

	/* Nothing changed, and no callback ran. */
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_CREATED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	WsFreeMessage(msg);
	WsFreeHeap(heap);
	WsFreeChannel(ch);
	WsFreeListener(l);
	free(url.chars);
}
END_TEST

/* ---- WsOpenChannel ------------------------------------------------------------------ */

/* A URL scheme that is not net.tcp on a TCP channel. */
START_TEST(open_bad_scheme)
{
	WS_CHANNEL *ch = tcp_channel(), *ch2 = tcp_channel();

	HR_EQ(harness_open_url(ch, "http://127.0.0.1:1/x", NULL, NULL),
	    WS_E_INVALID_ENDPOINT_URL);
	/* "An open that fails leaves the channel FAULTED." */
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(harness_open_url(ch2, "soap.udp://127.0.0.1:1/x", NULL, NULL),
	    WS_E_INVALID_ENDPOINT_URL);
	STATE_EQ(ch2, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(ch);
	WsFreeChannel(ch2);
}
END_TEST

/* A refused connect is an error and leaves the channel FAULTED. */
START_TEST(open_refused)
{
	WS_CHANNEL *ch = faulted_channel();

	WsFreeChannel(ch);
}
END_TEST

/* A second open of an OPEN channel is WS_E_INVALID_OPERATION. */
START_TEST(open_second_invalid)
{
	struct harness_pair p = pair();

	HR_EQ(harness_open(p.client, p.port, NULL, NULL),
	    WS_E_INVALID_OPERATION);
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	exchange_int(p.client, p.server, 5);
	harness_pair_free(&p);
}
END_TEST

/* TCP's default encoding is the binary session encoding, as on Windows:
 * such a channel opens, the accepted side adopts it, messages flow; binary
 * with SOAP 1.1 has no net.tcp framing and fails the open. */
START_TEST(open_tcp_binary_default)
{
	WS_LISTENER *l;
	WS_CHANNEL *ch = NULL, *s;
	WS_ENCODING enc = 0;
	WS_ENVELOPE_VERSION v11 = WS_ENVELOPE_VERSION_SOAP_1_1;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_ENVELOPE_VERSION,
	    &v11, sizeof(v11) };
	uint16_t port;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &ch, NULL), S_OK);
	s = open_accepted(l, port, ch);
	HR_EQ(WsGetChannelProperty(s, WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc), NULL), S_OK);
	ck_assert_int_eq(enc, WS_ENCODING_XML_BINARY_SESSION_1);
	exchange_int(ch, s, 77);
	exchange_int(s, ch, -78);
	WsFreeChannel(s);
	WsFreeChannel(ch);

	ch = NULL;
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, &prop, 1, NULL, &ch, NULL), S_OK);
	HR_EQ(harness_open(ch, port, NULL, NULL), WS_E_NOT_SUPPORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(ch);
	WsFreeListener(l);
}
END_TEST

/* Async open and accept: WS_S_ASYNC, one WS_LONG_CALLBACK elsewhere. */
START_TEST(open_async_callback)
{
	struct harness_async op, acc;
	WS_LISTENER *l;
	WS_CHANNEL *c, *s = NULL;
	uint16_t port;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	c = tcp_channel();
	harness_async_init(&op);
	harness_async_init(&acc);
	HR_EQ(WsAcceptChannel(l, s, &acc.ctx, NULL), WS_S_ASYNC);
	ASYNC_EQ(&op, harness_open(c, port, &op.ctx, NULL), S_OK);
	ASYNC_EQ(&acc, WS_S_ASYNC, S_OK);
	STATE_EQ(c, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_le(harness_async_calls(&op), 1);
	ck_assert_int_eq(harness_async_calls(&acc), 1);
	exchange_int(s, c, 77);
	WsFreeChannel(c);
	WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

/* The library's thread carries its name, not the application's. */
START_TEST(library_thread_named)
{
	WS_CHANNEL *c = tcp_channel();

	STATE_EQ(c, WS_CHANNEL_STATE_CREATED);
	ck_assert_int_eq(harness_threads_named("wschannel-io", NULL), 1);
	WsFreeChannel(c);
}
END_TEST

/* OPENING is visible while the connect waits on a full backlog. */
START_TEST(opening_visible_backlog_full)
{
	struct harness_async op;
	WS_CHANNEL *ch = tcp_channel();
	int lfd, f1, f2;
	uint16_t port;

	/* listen(fd, 0) that never accepts, filled by two connects. */
	lfd = harness_tcp_listener(&port, 0);
	ck_assert_int_ge(lfd, 0);
	f1 = harness_tcp_connect_nb(port);
	f2 = harness_tcp_connect_nb(port);
	ck_assert_int_ge(f1, 0);
	ck_assert_int_ge(f2, 0);
	harness_sleep_ms(20);
	harness_async_init(&op);
	HR_EQ(harness_open(ch, port, &op.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(ch, WS_CHANNEL_STATE_OPENING,
	    T_MS));
	harness_sleep_ms(200);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPENING);
	ck_assert_int_eq(harness_async_calls(&op), 0);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	ASYNC_EQ(&op, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(ch);
	close(f1);
	close(f2);
	close(lfd);
}
END_TEST

/* OPENING is visible until the peer answers the preamble. */
START_TEST(opening_visible_preamble_unanswered)
{
	struct harness_async op;
	WS_CHANNEL *ch = tcp_channel();
	char via[128];
	int lfd, fd;
	uint16_t port;

	lfd = harness_tcp_listener(&port, 8);
	ck_assert_int_ge(lfd, 0);
	harness_async_init(&op);
	HR_EQ(harness_open(ch, port, &op.ctx, NULL), WS_S_ASYNC);
	fd = harness_raw_accept(lfd, T_MS);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(harness_nmf_read_preamble(fd, T_MS, via, sizeof(via),
	    NULL), 0);
	ck_assert(harness_wait_channel_state(ch, WS_CHANNEL_STATE_OPENING,
	    T_MS));
	harness_sleep_ms(100);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPENING);
	ck_assert_int_eq(harness_async_calls(&op), 0);
	ck_assert_int_eq(harness_nmf_write_ack(fd), 0);
	ASYNC_EQ(&op, WS_S_ASYNC, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	WsFreeChannel(ch);
	close(fd);
	close(lfd);
}
END_TEST

/* A failed call leaves strings in its WS_ERROR. */
START_TEST(error_strings_after_failure)
{
	WS_CHANNEL *ch = tcp_channel();
	WS_ERROR *err = NULL;
	char text[256];
	uint16_t port;
	HRESULT hr;

	HR_EQ(WsCreateError(NULL, 0, &err), S_OK);
	ck_assert_int_eq(harness_free_port(&port), 0);
	hr = harness_open(ch, port, NULL, err);
	ck_assert(FAILED(hr));
	ck_assert_msg(harness_error_string(err, text, sizeof(text)),
	    "no error string after a refused open");
	ck_assert_int_gt(strlen(text), 0);

	/* A precondition failure fills it too. */
	HR_EQ(WsResetError(err), S_OK);
	HR_EQ(harness_open(ch, port, NULL, err), WS_E_OBJECT_FAULTED);
	ck_assert_msg(harness_error_string(err, text, sizeof(text)),
	    "no error string after WS_E_OBJECT_FAULTED");
	WsFreeError(err);
	WsFreeChannel(ch);
}
END_TEST

/* ---- WsAcceptChannel ----------------------------------------------------------------- */

/* ACCEPTING is visible while an accept waits; the peer's encoding wins. */
START_TEST(accepting_visible)
{
	struct harness_async acc;
	WS_LISTENER *l;
	WS_CHANNEL *s = NULL, *c;
	uint16_t port;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	ck_assert_int_eq(harness_listener_state(l), WS_LISTENER_STATE_OPEN);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_CREATED);
	harness_async_init(&acc);
	HR_EQ(WsAcceptChannel(l, s, &acc.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(s, WS_CHANNEL_STATE_ACCEPTING,
	    T_MS));
	harness_sleep_ms(QUIET_MS);
	STATE_EQ(s, WS_CHANNEL_STATE_ACCEPTING);
	ck_assert_int_eq(harness_async_calls(&acc), 0);
	c = tcp_channel();
	HR_EQ(harness_open(c, port, NULL, NULL), S_OK);
	ASYNC_EQ(&acc, WS_S_ASYNC, S_OK);
	STATE_EQ(s, WS_CHANNEL_STATE_OPEN);
	PROP_EQ(s, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_UTF8);
	exchange_int(c, s, 1);
	WsFreeChannel(c);
	WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

/* A blocking accept in a thread returns when a peer connects. */
static HRESULT
bg_accept(void *arg)
{
	void **a = arg;

	return WsAcceptChannel(a[0], a[1], NULL, NULL);
}

/* Several accepts wait on one listener at once; each gets a peer. */
START_TEST(concurrent_accepts)
{
	enum { N = 4 };
	struct harness_async acc[N];
	struct harness_msg m = { 0 };
	struct harness_bg *bg;
	WS_CHANNEL *s[N + 1], *c[N + 1];
	WS_LISTENER *l;
	void *bgarg[2];
	unsigned seen = 0;
	uint16_t port;
	HRESULT hr;
	int i;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < N; i++) {
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s[i], NULL),
		    S_OK);
		harness_async_init(&acc[i]);
		HR_EQ(WsAcceptChannel(l, s[i], &acc[i].ctx, NULL), WS_S_ASYNC);
	}
	/* And one synchronous accept blocked in another thread. */
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s[N], NULL), S_OK);
	bgarg[0] = l;
	bgarg[1] = s[N];
	bg = harness_bg_start(bg_accept, bgarg);
	ck_assert_ptr_nonnull(bg);
	for (i = 0; i <= N; i++)
		ck_assert(harness_wait_channel_state(s[i],
		    WS_CHANNEL_STATE_ACCEPTING, T_MS));
	for (i = 0; i <= N; i++) {
		c[i] = tcp_channel();
		HR_EQ(harness_open(c[i], port, NULL, NULL), S_OK);
	}
	for (i = 0; i < N; i++)
		ASYNC_EQ(&acc[i], WS_S_ASYNC, S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	for (i = 0; i <= N; i++) {
		STATE_EQ(s[i], WS_CHANNEL_STATE_OPEN);
		HR_EQ(harness_send_int32(c[i], &m, i, NULL), S_OK);
	}
	/* Which server got which client is not defined; all are paired. */
	for (i = 0; i <= N; i++) {
		HR_EQ(harness_receive(s[i], &m, HARNESS_BODY_INT, NULL), S_OK);
		ck_assert_int_ge(m.value, 0);
		ck_assert_int_le(m.value, N);
		seen |= 1u << m.value;
	}
	ck_assert_uint_eq(seen, (1u << (N + 1)) - 1);
	harness_msg_free(&m);
	for (i = 0; i <= N; i++) {
		WsFreeChannel(c[i]);
		WsFreeChannel(s[i]);
	}
	WsFreeListener(l);
}
END_TEST

/*
 * Both ends in one daemon, with no accept waiting: the open waits in
 * OPENING for an accept (the daemon's loopback short cut reads the ack
 * only once one took the peer); with _i == 1 the listener closes instead,
 * and the open fails, once.  Either way the next pair opens at once.
 */
START_TEST(open_before_accept)
{
	bool closes = _i == 1;
	struct harness_async op, acc;
	struct harness_msg m = { 0 };
	WS_CHANNEL *c, *s, *c2, *s2;
	WS_LISTENER *l;
	uint16_t port;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	c = tcp_channel();
	harness_async_init(&op);
	HR_EQ(harness_open(c, port, &op.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(c, WS_CHANNEL_STATE_OPENING,
	    T_MS));
	harness_sleep_ms(QUIET_MS);
	STATE_EQ(c, WS_CHANNEL_STATE_OPENING);
	ck_assert_int_eq(harness_async_calls(&op), 0);
	if (closes) {
		HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
		harness_async_wait(&op, 1, T_MS);
		ck_assert(FAILED(op.hr));
		STATE_EQ(c, WS_CHANNEL_STATE_FAULTED);
		WsFreeChannel(s);
		WsFreeListener(l);
		HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
		s = NULL;
	} else {
		harness_async_init(&acc);
		HR_EQ(WsAcceptChannel(l, s, &acc.ctx, NULL), WS_S_ASYNC);
		ASYNC_EQ(&acc, WS_S_ASYNC, S_OK);
		ASYNC_EQ(&op, WS_S_ASYNC, S_OK);
		HR_EQ(harness_send_int32(c, &m, 7, NULL), S_OK);
		HR_EQ(harness_receive(s, &m, HARNESS_BODY_INT, NULL), S_OK);
		ck_assert_int_eq(m.value, 7);
		harness_async_destroy(&acc);
	}
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&op), 1);
	harness_async_destroy(&op);
	/* The next pair, an accept waiting first, as usual. */
	c2 = tcp_channel();
	HR_EQ(harness_open_accepted(l, port, c2, &s2), S_OK);
	HR_EQ(harness_send_int32(s2, &m, 9, NULL), S_OK);
	HR_EQ(harness_receive(c2, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 9);
	harness_msg_free(&m);
	WsFreeChannel(c2);
	WsFreeChannel(s2);
	WsFreeChannel(c);
	if (s != NULL)
		WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

/* ---- messages -------------------------------------------------------------------------- */

static const WCHAR wsz_value[] = { 'h', 0xe9, 'l', 'l', 'o', ' ', '<', 'w',
    0xf6, 'r', 'l', 'd', '>', ' ', '&', ' ', '"', 'q', '"', 0x20ac, 0 };
static WCHAR *wsz_ptr = (WCHAR *)wsz_value;
static WS_XML_STRING xml_value = XSTR("text <&> \xc3\xa9t\xc3\xa9 \"x\"");

static const int32_t v_i32 = -123456789;
static const uint32_t v_u32 = 4000000000u;
static const int64_t v_i64 = -9000000000000000000ll;
static const uint64_t v_u64 = 18000000000000000000ull;
static const BOOL v_bool = TRUE;
static const double v_double = -1234.5625;

struct body_case {
	const char	*name;
	WS_TYPE		 type;
	bool		 none;		/* no body at all */
	WS_WRITE_OPTION	 wopt;
	WS_READ_OPTION	 ropt;
	const void	*value;
	ULONG		 size;
};

static const struct body_case body_cases[] = {
	{ "int32", WS_INT32_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &v_i32, sizeof(v_i32) },
	{ "uint32", WS_UINT32_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &v_u32, sizeof(v_u32) },
	{ "int64", WS_INT64_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &v_i64, sizeof(v_i64) },
	{ "uint64", WS_UINT64_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &v_u64, sizeof(v_u64) },
	{ "bool", WS_BOOL_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &v_bool, sizeof(v_bool) },
	{ "double", WS_DOUBLE_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &v_double, sizeof(v_double) },
	{ "wsz", WS_WSZ_TYPE, false, WS_WRITE_REQUIRED_POINTER,
	    WS_READ_REQUIRED_POINTER, &wsz_ptr, sizeof(wsz_ptr) },
	{ "xml_string", WS_XML_STRING_TYPE, false, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, &xml_value, sizeof(xml_value) },
	{ "none", WS_VOID_TYPE, true, WS_WRITE_REQUIRED_VALUE,
	    WS_READ_REQUIRED_VALUE, NULL, 0 },
};
#define N_BODY_CASES (int)(sizeof(body_cases) / sizeof(body_cases[0]))

static void
check_body(const struct body_case *bc, const void *got)
{
	const WCHAR *w;
	const WS_XML_STRING *x;
	size_t i;

	switch (bc->type) {
	case WS_WSZ_TYPE:
		w = *(WCHAR *const *)got;
		ck_assert_ptr_nonnull(w);
		for (i = 0; wsz_value[i] != 0; i++)
			ck_assert_msg(w[i] == wsz_value[i], "wsz[%zu] = %#x, "
			    "expected %#x", i, w[i], wsz_value[i]);
		ck_assert_int_eq(w[i], 0);
		break;
	case WS_XML_STRING_TYPE:
		x = got;
		ck_assert_uint_eq(x->length, xml_value.length);
		ck_assert(memcmp(x->bytes, xml_value.bytes, x->length) == 0);
		break;
	case WS_BOOL_TYPE:
		ck_assert_int_eq(*(const BOOL *)got, TRUE);
		break;
	default:
		ck_assert_msg(memcmp(got, bc->value, bc->size) == 0,
		    "%s body differs", bc->name);
	}
}

/* Each primitive body type (and no body) goes through, both ways. */
START_TEST(body_types)
{
	const struct body_case *bc = &body_cases[_i / 2];
	struct harness_pair p = pair();
	WS_CHANNEL *from = _i % 2 ? p.server : p.client;
	WS_CHANNEL *to = _i % 2 ? p.client : p.server;
	WS_ELEMENT_DESCRIPTION elem = { &elem_name, &elem_ns, bc->type, NULL };
	WS_MESSAGE_DESCRIPTION desc;
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &desc };
	WS_XML_STRING action;
	char act[64];
	WS_MESSAGE *sm = NULL, *rm = NULL;
	WS_HEAP *heap = NULL;
	union {
		uint8_t		raw[64];
		WCHAR		*wsz;
		WS_XML_STRING	xs;
	} got;
	ULONG index = 99;

	snprintf(act, sizeof(act), "urn:wschannel-test/%s", bc->name);
	action.length = (ULONG)strlen(act);
	action.bytes = (BYTE *)act;
	action.dictionary = NULL;
	action.id = 0;
	desc.action = &action;
	desc.bodyElementDescription = bc->none ? NULL : &elem;
	memset(&got, 0, sizeof(got));

	HR_EQ(WsCreateMessageForChannel(from, NULL, 0, &sm, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(to, NULL, 0, &rm, NULL), S_OK);
	HR_EQ(WsCreateHeap(1 << 20, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsSendMessage(from, sm, &desc, bc->wopt, bc->value, bc->size,
	    NULL, NULL), S_OK);
	HR_EQ(WsReceiveMessage(to, rm, descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    bc->ropt, heap, bc->none ? NULL : &got, bc->size, &index, NULL,
	    NULL), S_OK);
	ck_assert_uint_eq(index, 0);
	if (!bc->none)
		check_body(bc, &got);
	STATE_EQ(from, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(to, WS_CHANNEL_STATE_OPEN);
	WsFreeMessage(sm);
	WsFreeMessage(rm);
	WsFreeHeap(heap);
	harness_pair_free(&p);
}
END_TEST

/* The received action picks the description; index says which. */
START_TEST(action_index)
{
	static WS_XML_STRING act_a = XSTR("urn:wschannel-test/a");
	static WS_XML_STRING act_b = XSTR("urn:wschannel-test/b");
	WS_ELEMENT_DESCRIPTION elem = { &elem_name, &elem_ns, WS_INT32_TYPE,
	    NULL };
	WS_MESSAGE_DESCRIPTION da = { &act_a, &elem }, db = { &act_b, &elem };
	const WS_MESSAGE_DESCRIPTION *descs[2] = { &da, &db };
	struct harness_pair p = pair();
	WS_MESSAGE *sm = NULL, *rm = NULL;
	WS_HEAP *heap = NULL;
	int32_t v = 7, got = 0;
	ULONG index = 99;

	HR_EQ(WsCreateMessageForChannel(p.client, NULL, 0, &sm, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(p.server, NULL, 0, &rm, NULL), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);

	HR_EQ(WsSendMessage(p.client, sm, &db, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL, NULL), S_OK);
	HR_EQ(WsReceiveMessage(p.server, rm, descs, 2,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), &index, NULL, NULL), S_OK);
	ck_assert_uint_eq(index, 1);
	ck_assert_int_eq(got, 7);

	v = 5;
	HR_EQ(WsResetMessage(sm, NULL), S_OK);
	HR_EQ(WsResetMessage(rm, NULL), S_OK);
	HR_EQ(WsSendMessage(p.client, sm, &da, WS_WRITE_REQUIRED_VALUE, &v,
	    sizeof(v), NULL, NULL), S_OK);
	HR_EQ(WsReceiveMessage(p.server, rm, descs, 2,
	    WS_RECEIVE_REQUIRED_MESSAGE, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), &index, NULL, NULL), S_OK);
	ck_assert_uint_eq(index, 0);
	ck_assert_int_eq(got, 5);
	WsFreeMessage(sm);
	WsFreeMessage(rm);
	WsFreeHeap(heap);
	harness_pair_free(&p);
}
END_TEST

/* Async send and receive: WS_S_ASYNC, one callback, on a library thread. */
START_TEST(async_send_receive)
{
	struct harness_async ra, sa;
	struct harness_msg r = { 0 }, s = { 0 };
	struct harness_pair p = pair();

	harness_async_init(&ra);
	harness_async_init(&sa);
	HR_EQ(harness_receive(p.server, &r, HARNESS_BODY_INT, &ra.ctx),
	    WS_S_ASYNC);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 0);
	ASYNC_EQ(&sa, harness_send_int32(p.client, &s, 4242, &sa.ctx), S_OK);
	ASYNC_EQ(&ra, WS_S_ASYNC, S_OK);
	ck_assert_int_eq(r.value, 4242);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_le(harness_async_calls(&sa), 1);
	ck_assert_int_eq(harness_async_calls(&ra), 1);
	harness_msg_free(&r);
	harness_msg_free(&s);
	harness_pair_free(&p);
}
END_TEST

/*
 * A thread blocked in a synchronous receive reads the process's
 * connection for every call; a completion it reads for an async receive
 * on another channel is called back at once, not when its own receive
 * ends.  The library thread does not read meanwhile: it waits for what
 * the reader hands over.
 */
START_TEST(async_completion_while_another_thread_reads)
{
	struct harness_async ra;
	struct harness_recv br = { 0 };
	struct harness_msg r = { 0 }, s = { 0 };
	struct harness_pair a = pair(), b = pair();
	struct harness_bg *bg;
	HRESULT hr;

	harness_async_init(&ra);
	HR_EQ(harness_receive(a.server, &r, HARNESS_BODY_INT, &ra.ctx),
	    WS_S_ASYNC);
	br.ch = b.server;
	ck_assert_ptr_nonnull(bg = harness_receive_start(&br));
	harness_sleep_ms(QUIET_MS);	/* it waits, reading */
	HR_EQ(harness_send_int32(a.client, &s, 17, NULL), S_OK);
	ck_assert_int_eq(harness_async_wait(&ra, 1, T_MS), 1);
	HR_EQ(ra.hr, S_OK);
	ck_assert_int_eq(r.value, 17);
	ck_assert(!harness_bg_done(bg));
	harness_msg_free(&s);
	HR_EQ(harness_send_int32(b.client, &s, 18, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	ck_assert_int_eq(br.m.value, 18);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 1);
	harness_msg_free(&br.m);
	harness_msg_free(&r);
	harness_msg_free(&s);
	harness_pair_free(&a);
	harness_pair_free(&b);
}
END_TEST

/* A message over MAX_BUFFERED_MESSAGE_SIZE: QUOTA_EXCEEDED, FAULTED. */
START_TEST(quota_exceeded)
{
	ULONG max = 4096;
	WS_CHANNEL_PROPERTY prop = {
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max, sizeof(max) };
	struct harness_msg s = { 0 }, r = { 0 };
	struct harness_pair p;

	HR_EQ(harness_pair_open(&p, &prop, 1), S_OK);
	PROP_EQ(p.server, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, 4096);
	HR_EQ(harness_send_text(p.client, &s, 20000, NULL), S_OK);
	HR_EQ(harness_receive(p.server, &r, HARNESS_BODY_TEXT, NULL),
	    WS_E_QUOTA_EXCEEDED);
	STATE_EQ(p.server, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(harness_receive(p.server, &r, HARNESS_BODY_TEXT, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(harness_send_int32(p.server, &s, 1, NULL), WS_E_OBJECT_FAULTED);
	harness_msg_free(&s);
	harness_msg_free(&r);
	harness_pair_free(&p);
}
END_TEST

/*
 * Closing a session channel sends End: the peer's receive of an optional
 * message is WS_S_END (of a required one, a failure: WS_RECEIVE_OPTION).
 */
START_TEST(close_sends_end)
{
	struct harness_pair p = pair();
	struct harness_msg r = { .optional = true };
	HRESULT hr;

	struct harness_bg *bg;

	exchange_int(p.client, p.server, 3);
	/* The client's close waits for the server's End (or FIN). */
	bg = harness_close_start(p.client);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(harness_receive(p.server, &r, HARNESS_BODY_INT, NULL), WS_S_END);
	/* Again: still the end.  A required message cannot be had. */
	HR_EQ(harness_receive(p.server, &r, HARNESS_BODY_INT, NULL), WS_S_END);
	r.optional = false;
	hr = harness_receive(p.server, &r, HARNESS_BODY_INT, NULL);
	ck_assert_msg(FAILED(hr), "required receive after End: %s",
	    harness_hr_name(hr));
	HR_EQ(WsCloseChannel(p.server, NULL, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_CLOSED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	STATE_EQ(p.client, WS_CHANNEL_STATE_CLOSED);
	harness_msg_free(&r);
	harness_pair_free(&p);
}
END_TEST

/* ---- close / reset / free --------------------------------------------------------------- */

/* WsCloseChannel is S_OK in CREATED, OPEN, FAULTED and CLOSED. */
START_TEST(close_rows)
{
	struct harness_async ca;
	struct harness_pair p = pair();
	WS_CHANNEL *ch = tcp_channel(), *f = faulted_channel();
	struct harness_bg *bg;
	HRESULT hr;

	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	/* Properties survive. */
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, 65536);

	HR_EQ(WsCloseChannel(f, NULL, NULL), S_OK);
	STATE_EQ(f, WS_CHANNEL_STATE_CLOSED);

	/* Both ends close: each waits for the other's End. */
	bg = harness_close_start(p.client);
	ck_assert_ptr_nonnull(bg);
	harness_async_init(&ca);
	ASYNC_EQ(&ca, WsCloseChannel(p.server, &ca.ctx, NULL), S_OK);
	STATE_EQ(p.server, WS_CHANNEL_STATE_CLOSED);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	STATE_EQ(p.client, WS_CHANNEL_STATE_CLOSED);
	PROP_EQ(p.client, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_UTF8);
	WsFreeChannel(ch);
	WsFreeChannel(f);
	harness_pair_free(&p);
}
END_TEST

/* CLOSING lasts at most CLOSE_TIMEOUT when the output cannot drain. */
START_TEST(close_drain_timeout)
{
	ULONG max = 1 << 20, ct = 300;
	WS_CHANNEL_PROPERTY props[2] = {
		{ WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max,
		    sizeof(max) },
		{ WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &ct, sizeof(ct) },
	};
	struct harness_raw_server rs;
	struct harness_async ca;
	struct harness_fill *fill;
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, props, 2), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 4096), 0);
	fill = harness_fill_start(ch, 24, 250000);
	ck_assert_ptr_nonnull(fill);
	harness_fill_settle(fill, 1000, &hr);
	ck_assert_msg(SUCCEEDED(hr), "send before close: %s",
	    harness_hr_name(hr));
	harness_async_init(&ca);
	hr = WsCloseChannel(ch, &ca.ctx, NULL);
	if (hr == WS_S_ASYNC) {
		ck_assert_int_eq(harness_async_wait(&ca, 1, T_MS), 1);
		hr = ca.hr;
	}
	/* The spec names no HRESULT for a close cut short by its timeout. */
	ck_assert_msg(hr == S_OK || hr == WS_E_OPERATION_TIMED_OUT,
	    "close that timed out: %s", harness_hr_name(hr));
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	ck_assert(harness_fill_end(fill, T_MS, &hr));
	/* The peer sees the connection end. */
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, T_MS), 0);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_le(harness_async_calls(&ca), 1);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* WsResetChannel: CREATED and CLOSED ok, OPEN and FAULTED refused. */
START_TEST(reset_rows)
{
	ULONG max = 12345, ct = 1234;
	WS_CHANNEL_PROPERTY prop = {
	    WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max, sizeof(max) };
	struct harness_pair p = pair();
	WS_CHANNEL *ch = NULL, *f = faulted_channel(), *acc;
	struct harness_bg *bg;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	HR_EQ(WsSetChannelProperty(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &ct,
	    sizeof(ct), NULL), S_OK);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);

	HR_EQ(WsResetChannel(p.client, NULL), WS_E_INVALID_OPERATION);
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	HR_EQ(WsResetChannel(f, NULL), WS_E_INVALID_OPERATION);
	STATE_EQ(f, WS_CHANNEL_STATE_FAULTED);

	/* CLOSED -> CREATED, user-set properties kept, and reusable. */
	acc = open_accepted(p.listener, p.port, ch);
	/* Each close waits for the other end's End: both ends close. */
	bg = harness_close_start(acc);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(WsResetChannel(ch, NULL), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, 12345);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, 1234);
	PROP_EQ(ch, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_UTF8);

	bg = harness_close_start(p.client);
	ck_assert_ptr_nonnull(bg);
	HR_EQ(WsCloseChannel(p.server, NULL, NULL), S_OK);
	ck_assert(harness_bg_wait(bg, T_MS, &hr));
	HR_EQ(hr, S_OK);
	HR_EQ(WsResetChannel(p.client, NULL), S_OK);
	HR_EQ(WsResetChannel(p.server, NULL), S_OK);
	HR_EQ(harness_pair_reconnect(&p), S_OK);
	exchange_int(p.client, p.server, 11);
	exchange_int(p.server, p.client, 12);
	WsFreeChannel(acc);
	WsFreeChannel(ch);
	WsFreeChannel(f);
	harness_pair_free(&p);
}
END_TEST

/* WsFreeChannel works in every state; the daemon keeps nothing. */
START_TEST(free_any_state)
{
	struct harness_async acc, op;
	struct harness_pair p = pair();
	WS_CHANNEL *created = tcp_channel(), *faulted = faulted_channel();
	WS_CHANNEL *closed = tcp_channel(), *accepting = NULL;
	WS_CHANNEL *opening = tcp_channel();
	int lfd, f1, f2;
	uint16_t port;

	HR_EQ(WsCloseChannel(closed, NULL, NULL), S_OK);
	HR_EQ(WsCreateChannelForListener(p.listener, NULL, 0, &accepting,
	    NULL), S_OK);
	harness_async_init(&acc);
	HR_EQ(WsAcceptChannel(p.listener, accepting, &acc.ctx, NULL),
	    WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(accepting,
	    WS_CHANNEL_STATE_ACCEPTING, T_MS));

	lfd = harness_tcp_listener(&port, 0);
	f1 = harness_tcp_connect_nb(port);
	f2 = harness_tcp_connect_nb(port);
	ck_assert(lfd >= 0 && f1 >= 0 && f2 >= 0);
	harness_sleep_ms(20);
	harness_async_init(&op);
	HR_EQ(harness_open(opening, port, &op.ctx, NULL), WS_S_ASYNC);
	ck_assert(harness_wait_channel_state(opening,
	    WS_CHANNEL_STATE_OPENING, T_MS));
	ck_assert_int_eq(rows_of_pid(getpid()), 7);

	WsFreeChannel(created);
	WsFreeChannel(faulted);
	WsFreeChannel(closed);
	WsFreeChannel(p.client);
	WsFreeChannel(p.server);
	p.client = p.server = NULL;
	/* Pending operations still complete exactly once. */
	WsFreeChannel(accepting);
	WsFreeChannel(opening);
	ASYNC_EQ(&acc, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	ASYNC_EQ(&op, WS_S_ASYNC, WS_E_OPERATION_ABORTED);
	ck_assert_msg(wait_rows_of_pid(getpid(), 0, 5000),
	    "freed channels still listed by the daemon");
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&acc), 1);
	ck_assert_int_eq(harness_async_calls(&op), 1);
	harness_pair_free(&p);
	close(f1);
	close(f2);
	close(lfd);
}
END_TEST

/* ---- I/O in the wrong state --------------------------------------------------------------- */

static HRESULT
do_send(WS_CHANNEL *ch, const WS_ASYNC_CONTEXT *async)
{
	static struct harness_msg m;

	return harness_send_int32(ch, &m, 1, async);
}

static HRESULT
do_receive(WS_CHANNEL *ch, const WS_ASYNC_CONTEXT *async)
{
	static struct harness_msg m;

	return harness_receive(ch, &m, HARNESS_BODY_INT, async);
}

/* Expects `hr` from open/send/receive (and accept when l != NULL). */
static void
io_calls(WS_CHANNEL *ch, WS_LISTENER *l, uint16_t port, HRESULT open_hr,
    HRESULT io_hr, bool async)
{
	struct harness_async a;
	const WS_ASYNC_CONTEXT *ctx;
	int before = harness_channel_state(ch);

	harness_async_init(&a);
	ctx = async ? &a.ctx : NULL;
	if (l != NULL)
		HR_EQ(WsAcceptChannel(l, ch, ctx, NULL), open_hr);
	else
		HR_EQ(harness_open(ch, port, ctx, NULL), open_hr);
	HR_EQ(do_send(ch, ctx), io_hr);
	HR_EQ(do_receive(ch, ctx), io_hr);
	/* Precondition failures change nothing and run no callback. */
	STATE_EQ(ch, before);
	harness_sleep_ms(async ? QUIET_MS : 0);
	ck_assert_int_eq(harness_async_calls(&a), 0);
}

/* Every I/O call in CREATED, OPEN, FAULTED and CLOSED, sync and async. */
START_TEST(wrong_state_calls)
{
	bool async = _i == 1;
	struct harness_pair p = pair(), q = pair();
	WS_CHANNEL *created = tcp_channel(), *faulted = faulted_channel();
	WS_CHANNEL *closed = tcp_channel(), *lclosed = NULL;
	struct harness_async a;

	harness_async_init(&a);
	/* CREATED: send and receive need OPEN. */
	HR_EQ(do_send(created, async ? &a.ctx : NULL), WS_E_INVALID_OPERATION);
	HR_EQ(do_receive(created, async ? &a.ctx : NULL),
	    WS_E_INVALID_OPERATION);
	STATE_EQ(created, WS_CHANNEL_STATE_CREATED);

	/* OPEN: open and accept again. */
	HR_EQ(harness_open(p.client, p.port, async ? &a.ctx : NULL, NULL),
	    WS_E_INVALID_OPERATION);
	HR_EQ(WsAcceptChannel(p.listener, p.server, async ? &a.ctx : NULL,
	    NULL), WS_E_INVALID_OPERATION);
	STATE_EQ(p.client, WS_CHANNEL_STATE_OPEN);
	STATE_EQ(p.server, WS_CHANNEL_STATE_OPEN);

	/* FAULTED: WS_E_OBJECT_FAULTED for all; reset refused. */
	io_calls(faulted, NULL, p.port, WS_E_OBJECT_FAULTED,
	    WS_E_OBJECT_FAULTED, async);
	HR_EQ(WsResetChannel(faulted, NULL), WS_E_INVALID_OPERATION);
	HR_EQ(WsAbortChannel(q.server, NULL), S_OK);
	STATE_EQ(q.server, WS_CHANNEL_STATE_FAULTED);
	io_calls(q.server, q.listener, 0, WS_E_OBJECT_FAULTED,
	    WS_E_OBJECT_FAULTED, async);

	/* CLOSED: WS_E_INVALID_OPERATION for all. */
	HR_EQ(WsCloseChannel(closed, NULL, NULL), S_OK);
	io_calls(closed, NULL, p.port, WS_E_INVALID_OPERATION,
	    WS_E_INVALID_OPERATION, async);
	HR_EQ(WsCreateChannelForListener(p.listener, NULL, 0, &lclosed, NULL),
	    S_OK);
	HR_EQ(WsCloseChannel(lclosed, NULL, NULL), S_OK);
	io_calls(lclosed, p.listener, 0, WS_E_INVALID_OPERATION,
	    WS_E_INVALID_OPERATION, async);

	harness_sleep_ms(async ? QUIET_MS : 0);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	/* The pair that was not touched still works. */
	exchange_int(p.client, p.server, 9);
	WsFreeChannel(created);
	WsFreeChannel(faulted);
	WsFreeChannel(closed);
	WsFreeChannel(lclosed);
	harness_pair_free(&p);
	harness_pair_free(&q);
}
END_TEST

/*
 * The channel's state comes before the message's, as on Windows (Wine's channel tests: on a
 * FAULTED channel receive, send and shutdown give WS_E_OBJECT_FAULTED).
 */
START_TEST(faulted_before_message_and_kind)
{
	WS_CHANNEL *faulted = faulted_channel();
	WS_MESSAGE *init = NULL, *empty = NULL;
	WS_MESSAGE_STATE ms;

	HR_EQ(WsCreateMessageForChannel(faulted, NULL, 0, &init, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(faulted, NULL, 0, &empty, NULL), S_OK);
	HR_EQ(WsInitializeMessage(init, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	/* Not being written, not being read, not INITIALIZED, not EMPTY:
	 * the FAULTED channel answers first. */
	HR_EQ(WsWriteMessageEnd(faulted, init, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(WsReadMessageEnd(faulted, empty, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(WsWriteMessageStart(faulted, empty, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(WsReadMessageStart(faulted, init, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	HR_EQ(WsGetMessageProperty(init, WS_MESSAGE_PROPERTY_STATE, &ms,
	    sizeof(ms), NULL), S_OK);
	ck_assert_int_eq(ms, WS_MESSAGE_STATE_INITIALIZED);
	HR_EQ(WsGetMessageProperty(empty, WS_MESSAGE_PROPERTY_STATE, &ms,
	    sizeof(ms), NULL), S_OK);
	ck_assert_int_eq(ms, WS_MESSAGE_STATE_EMPTY);
	STATE_EQ(faulted, WS_CHANNEL_STATE_FAULTED);

	/* Shutdown: FAULTED before whether there is a session to shut
	 * down (check_core covers a FAULTED non-session channel: only TCP
	 * is built here). */
	HR_EQ(WsShutdownSessionChannel(faulted, NULL, NULL),
	    WS_E_OBJECT_FAULTED);
	WsFreeMessage(init);
	WsFreeMessage(empty);
	WsFreeChannel(faulted);
}
END_TEST

/* ---- raw TCP peers ------------------------------------------------------------------------ */

/* A hand-made envelope is received; a sent one reaches the raw peer. */
START_TEST(raw_peer_envelope_both_ways)
{
	struct raw_server rs;
	struct harness_msg m = { 0 };
	char *env, *payload;
	size_t len;
	uint8_t type;

	raw_server_open(&rs);
	env = harness_soap12_envelope(HARNESS_ACTION_INT,
	    "<value xmlns=\"urn:wschannel-test\">42</value>");
	ck_assert_int_eq(harness_nmf_write_envelope(rs.fd, env, strlen(env)),
	    0);
	HR_EQ(harness_receive(rs.ch, &m, HARNESS_BODY_INT, NULL), S_OK);
	ck_assert_int_eq(m.value, 42);

	HR_EQ(harness_send_int32(rs.ch, &m, -7, NULL), S_OK);
	ck_assert_int_eq(harness_nmf_read_record(rs.fd, T_MS, &type, &payload,
	    &len), 0);
	ck_assert_int_eq(type, 0x06);
	ck_assert_ptr_nonnull(strstr(payload, HARNESS_ACTION_INT));
	ck_assert_ptr_nonnull(strstr(payload, "urn:wschannel-test"));
	ck_assert_ptr_nonnull(strstr(payload, ">-7<"));
	ck_assert_ptr_nonnull(strstr(payload,
	    "http://www.w3.org/2003/05/soap-envelope"));
	STATE_EQ(rs.ch, WS_CHANNEL_STATE_OPEN);
	free(payload);
	free(env);
	harness_msg_free(&m);
	WsFreeChannel(rs.ch);
	close(rs.fd);
	close(rs.lfd);
}
END_TEST

/* Runs a receive that is pending when the raw peer misbehaves. */
static void
raw_misbehave(int how, HRESULT want, HRESULT alt)
{
	static const uint8_t garbage[] = { 0x42, 0x13, 0x37, 0xff, 0x00 };
	static const uint8_t partial[] = { 0x06, 0x64, '<', 's', ':', 'E',
	    'n', 'v', 'e', 'l', 'o', 'p' };
	struct raw_server rs;
	struct harness_async ra;
	struct harness_msg m = { 0 };
	int calls;

	raw_server_open(&rs);
	harness_async_init(&ra);
	HR_EQ(harness_receive(rs.ch, &m, HARNESS_BODY_INT, &ra.ctx),
	    WS_S_ASYNC);
	switch (how) {
	case 0:		/* garbage */
		ck_assert_int_eq(harness_raw_write(rs.fd, garbage,
		    sizeof(garbage)), 0);
		break;
	case 1:		/* stops mid-record and goes away */
		ck_assert_int_eq(harness_raw_write(rs.fd, partial,
		    sizeof(partial)), 0);
		harness_sleep_ms(20);
		close(rs.fd);
		break;
	case 2:		/* resets the connection */
		harness_raw_reset(rs.fd);
		break;
	}
	calls = harness_async_wait(&ra, 1, T_MS);
	ck_assert_int_eq(calls, 1);
	ck_assert_msg(ra.hr == want || ra.hr == alt, "receive got %s, "
	    "expected %s", harness_hr_name(ra.hr), harness_hr_name(want));
	ck_assert_int_eq(ra.model, WS_LONG_CALLBACK);
	STATE_EQ(rs.ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(harness_receive(rs.ch, &m, HARNESS_BODY_INT, NULL),
	    WS_E_OBJECT_FAULTED);
	harness_sleep_ms(QUIET_MS);
	ck_assert_int_eq(harness_async_calls(&ra), 1);
	harness_msg_free(&m);
	WsFreeChannel(rs.ch);
	if (how == 0)
		close(rs.fd);
	close(rs.lfd);
}

/* A peer sending garbage: WS_E_INVALID_FORMAT and FAULTED. */
START_TEST(raw_garbage)
{
	raw_misbehave(0, WS_E_INVALID_FORMAT, WS_E_INVALID_FORMAT);
}
END_TEST

/* A peer stopping mid-record: disconnected (or format) and FAULTED. */
START_TEST(raw_truncated)
{
	raw_misbehave(1, WS_E_ENDPOINT_DISCONNECTED, WS_E_INVALID_FORMAT);
}
END_TEST

/* A peer resetting the connection: disconnected and FAULTED. */
START_TEST(raw_reset)
{
	raw_misbehave(2, WS_E_ENDPOINT_DISCONNECTED,
	    WS_E_ENDPOINT_DISCONNECTED);
}
END_TEST

/* A received End record returns WS_S_END (optional message). */
START_TEST(raw_end_record)
{
	static const uint8_t end = 0x07;
	struct raw_server rs;
	struct harness_async ra;
	struct harness_msg m = { .optional = true };

	raw_server_open(&rs);
	harness_async_init(&ra);
	ck_assert_int_eq(harness_raw_write(rs.fd, &end, 1), 0);
	ASYNC_EQ(&ra, harness_receive(rs.ch, &m, HARNESS_BODY_INT, &ra.ctx),
	    WS_S_END);
	harness_msg_free(&m);
	WsFreeChannel(rs.ch);
	close(rs.fd);
	close(rs.lfd);
}
END_TEST

/* ---- listeners -------------------------------------------------------------------------------- */

static HRESULT
listener_open_port(WS_LISTENER *l, uint16_t port)
{
	char url[64];
	WS_STRING s;
	HRESULT hr;

	harness_url(url, sizeof(url), port, "x");
	s = harness_ws_string(url);
	hr = WsOpenListener(l, &s, NULL, NULL);
	free(s.chars);
	return hr;
}

static WS_LISTENER *
tcp_listener(void)
{
	WS_LISTENER *l = NULL;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL), S_OK);
	return l;
}

#define LSTATE_EQ(l, want) ck_assert_int_eq(harness_listener_state(l), want)

/* Listener create/open/close/reset rows. */
START_TEST(listener_rows)
{
	WS_LISTENER *l = tcp_listener(), *l2 = tcp_listener();
	WS_CHANNEL_TYPE type = 0;
	WS_CHANNEL_BINDING binding = 99;
	WS_CHANNEL *c, *s;
	uint16_t port;

	LSTATE_EQ(l, WS_LISTENER_STATE_CREATED);
	HR_EQ(WsGetListenerProperty(l, WS_LISTENER_PROPERTY_CHANNEL_TYPE,
	    &type, sizeof(type), NULL), S_OK);
	ck_assert_int_eq(type, WS_CHANNEL_TYPE_DUPLEX_SESSION);
	HR_EQ(WsGetListenerProperty(l, WS_LISTENER_PROPERTY_CHANNEL_BINDING,
	    &binding, sizeof(binding), NULL), S_OK);
	ck_assert_int_eq(binding, WS_TCP_CHANNEL_BINDING);

	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(listener_open_port(l, port), S_OK);
	LSTATE_EQ(l, WS_LISTENER_STATE_OPEN);
	HR_EQ(listener_open_port(l, port), WS_E_INVALID_OPERATION);
	HR_EQ(WsResetListener(l, NULL), WS_E_INVALID_OPERATION);
	LSTATE_EQ(l, WS_LISTENER_STATE_OPEN);

	HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
	LSTATE_EQ(l, WS_LISTENER_STATE_CLOSED);
	HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
	LSTATE_EQ(l, WS_LISTENER_STATE_CLOSED);
	/* Closed means closed: nobody listens on the port any more. */
	c = tcp_channel();
	ck_assert(FAILED(harness_open(c, port, NULL, NULL)));
	WsFreeChannel(c);

	HR_EQ(WsResetListener(l, NULL), S_OK);
	LSTATE_EQ(l, WS_LISTENER_STATE_CREATED);
	HR_EQ(listener_open_port(l, port), S_OK);
	LSTATE_EQ(l, WS_LISTENER_STATE_OPEN);
	c = tcp_channel();
	s = open_accepted(l, port, c);
	exchange_int(c, s, 4);
	WsFreeChannel(c);
	WsFreeChannel(s);

	/* Close and reset in CREATED. */
	HR_EQ(WsResetListener(l2, NULL), S_OK);
	HR_EQ(WsCloseListener(l2, NULL, NULL), S_OK);
	LSTATE_EQ(l2, WS_LISTENER_STATE_CLOSED);
	WsFreeListener(l);
	WsFreeListener(l2);
}
END_TEST

/*
 * Listener properties are given at create only: Windows refuses
 * WsSetListenerProperty on LISTEN_BACKLOG and IP_VERSION with E_INVALIDARG
 * (Wine's listener tests), and the reference gives CONNECT_TIMEOUT and
 * CLOSE_TIMEOUT to WsCreateListener and WsGetListenerProperty only.
 */
START_TEST(listener_properties_create_only)
{
	ULONG backlog = 7, connect = 4321, v;
	WS_IP_VERSION ipv = WS_IP_VERSION_4;
	WS_LISTENER_STATE st = WS_LISTENER_STATE_OPEN;
	WS_LISTENER_PROPERTY props[2] = {
		{ WS_LISTENER_PROPERTY_LISTEN_BACKLOG, &backlog,
		    sizeof(backlog) },
		{ WS_LISTENER_PROPERTY_CONNECT_TIMEOUT, &connect,
		    sizeof(connect) },
	};
	WS_LISTENER *l = NULL;
	uint16_t port;
	int round;

	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, props, 2, NULL, &l, NULL), S_OK);
	for (round = 0; round < 2; round++) {
		v = 9;
		HR_EQ(WsSetListenerProperty(l,
		    WS_LISTENER_PROPERTY_LISTEN_BACKLOG, &v, sizeof(v), NULL),
		    E_INVALIDARG);
		HR_EQ(WsSetListenerProperty(l, WS_LISTENER_PROPERTY_IP_VERSION,
		    &ipv, sizeof(ipv), NULL), E_INVALIDARG);
		HR_EQ(WsSetListenerProperty(l,
		    WS_LISTENER_PROPERTY_CONNECT_TIMEOUT, &v, sizeof(v), NULL),
		    E_INVALIDARG);
		HR_EQ(WsSetListenerProperty(l,
		    WS_LISTENER_PROPERTY_CLOSE_TIMEOUT, &v, sizeof(v), NULL),
		    E_INVALIDARG);
		HR_EQ(WsSetListenerProperty(l, WS_LISTENER_PROPERTY_STATE, &st,
		    sizeof(st), NULL), E_INVALIDARG);
		/* Nothing changed. */
		HR_EQ(WsGetListenerProperty(l,
		    WS_LISTENER_PROPERTY_LISTEN_BACKLOG, &v, sizeof(v), NULL),
		    S_OK);
		ck_assert_uint_eq(v, 7);
		HR_EQ(WsGetListenerProperty(l,
		    WS_LISTENER_PROPERTY_CONNECT_TIMEOUT, &v, sizeof(v), NULL),
		    S_OK);
		ck_assert_uint_eq(v, 4321);
		HR_EQ(WsGetListenerProperty(l, WS_LISTENER_PROPERTY_IP_VERSION,
		    &v, sizeof(v), NULL), S_OK);
		ck_assert_uint_eq(v, WS_IP_VERSION_AUTO);
		if (round == 0) {
			/* The same once OPEN. */
			ck_assert_int_eq(harness_free_port(&port), 0);
			HR_EQ(listener_open_port(l, port), S_OK);
			LSTATE_EQ(l, WS_LISTENER_STATE_OPEN);
		}
	}
	LSTATE_EQ(l, WS_LISTENER_STATE_OPEN);
	WsFreeListener(l);
}
END_TEST

/* A port taken (by a listener or a raw socket): WS_E_ADDRESS_IN_USE. */
START_TEST(listener_address_in_use)
{
	WS_LISTENER *l1, *l2 = tcp_listener(), *l3 = tcp_listener();
	uint16_t port, rport;
	int fd;

	HR_EQ(harness_tcp_listener_open(&l1, &port), S_OK);
	HR_EQ(listener_open_port(l2, port), WS_E_ADDRESS_IN_USE);
	fd = harness_tcp_listener(&rport, 4);
	ck_assert_int_ge(fd, 0);
	HR_EQ(listener_open_port(l3, rport), WS_E_ADDRESS_IN_USE);
	LSTATE_EQ(l1, WS_LISTENER_STATE_OPEN);
	close(fd);
	WsFreeListener(l1);
	WsFreeListener(l2);
	WsFreeListener(l3);
}
END_TEST

/* Closing (0) or aborting (1) a listener aborts its waiting accepts. */
START_TEST(listener_ends_accepts)
{
	enum { N = 3 };
	bool abort = _i == 1;
	struct harness_async acc[N];
	WS_CHANNEL *s[N], *c;
	WS_LISTENER *l;
	uint16_t port;
	int i;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < N; i++) {
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s[i], NULL),
		    S_OK);
		harness_async_init(&acc[i]);
		HR_EQ(WsAcceptChannel(l, s[i], &acc[i].ctx, NULL), WS_S_ASYNC);
		ck_assert(harness_wait_channel_state(s[i],
		    WS_CHANNEL_STATE_ACCEPTING, T_MS));
	}
	if (abort)
		HR_EQ(WsAbortListener(l, NULL), S_OK);
	else
		HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
	for (i = 0; i < N; i++) {
		ASYNC_EQ(&acc[i], WS_S_ASYNC, WS_E_OPERATION_ABORTED);
		STATE_EQ(s[i], WS_CHANNEL_STATE_FAULTED);
	}
	LSTATE_EQ(l, abort ? WS_LISTENER_STATE_FAULTED :
	    WS_LISTENER_STATE_CLOSED);
	c = tcp_channel();
	ck_assert(FAILED(harness_open(c, port, NULL, NULL)));
	if (abort) {
		HR_EQ(WsResetListener(l, NULL), WS_E_INVALID_OPERATION);
		HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
		LSTATE_EQ(l, WS_LISTENER_STATE_CLOSED);
	}
	HR_EQ(WsResetListener(l, NULL), S_OK);
	LSTATE_EQ(l, WS_LISTENER_STATE_CREATED);
	harness_sleep_ms(QUIET_MS);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(harness_async_calls(&acc[i]), 1);
		WsFreeChannel(s[i]);
	}
	WsFreeChannel(c);
	WsFreeListener(l);
}
END_TEST

/* WsCreateChannelForListener copies the listener's type and binding. */
START_TEST(channel_for_listener_copies)
{
	static const struct {
		WS_CHANNEL_TYPE type;
		WS_CHANNEL_BINDING binding;
	} cases[] = {
		{ WS_CHANNEL_TYPE_DUPLEX_SESSION, WS_TCP_CHANNEL_BINDING },
		{ WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING },
		{ WS_CHANNEL_TYPE_REPLY, WS_HTTP_CHANNEL_BINDING },
	};
	WS_LISTENER *l;
	WS_CHANNEL *ch;
	HRESULT hr;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l = NULL;
		ch = NULL;
		HR_EQ(WsCreateListener(cases[i].type, cases[i].binding, NULL,
		    0, NULL, &l, NULL), S_OK);
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &ch, NULL), S_OK);
		STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
		PROP_EQ(ch, WS_CHANNEL_PROPERTY_CHANNEL_TYPE, cases[i].type);
		/* The session dictionary exists on TCP only. */
		get_ulong(ch, WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE,
		    &hr);
		HR_EQ(hr, cases[i].binding == WS_TCP_CHANNEL_BINDING ? S_OK :
		    E_INVALIDARG);
		WsFreeChannel(ch);
		WsFreeListener(l);
	}
}
END_TEST

/* ---- processes -------------------------------------------------------------------------------- */

/* A SIGKILLed client's channels disappear from `wsctl list`. */
START_TEST(killed_client_channels_disappear)
{
	struct harness_async acc[2];
	struct harness_msg m = { 0 };
	WS_CHANNEL *s[2];
	WS_LISTENER *l;
	char url[64], line[128], *client, *argv[5];
	uint16_t port;
	pid_t pid;
	int fd, i, st, cpid = -1;

	m.optional = true;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	for (i = 0; i < 2; i++) {
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s[i], NULL),
		    S_OK);
		harness_async_init(&acc[i]);
		HR_EQ(WsAcceptChannel(l, s[i], &acc[i].ctx, NULL), WS_S_ASYNC);
	}
	harness_url(url, sizeof(url), port, "x");
	client = harness_build_path("tests/abort_client");
	argv[0] = client;
	argv[1] = "hold";
	argv[2] = url;
	argv[3] = "2";
	argv[4] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	ck_assert_msg(sscanf(line, "ready %d", &cpid) == 1,
	    "abort_client said: %s", line);
	for (i = 0; i < 2; i++)
		ASYNC_EQ(&acc[i], WS_S_ASYNC, S_OK);
	/* The client's channels carry its pid (not the listener's). */
	ck_assert_int_eq(rows_of_pid(cpid), 2);

	ck_assert_int_eq(kill(cpid, SIGKILL), 0);
	st = harness_wait_pid(pid, T_MS);
	ck_assert_int_eq(st, 128 + SIGKILL);
	ck_assert_msg(wait_rows_of_pid(cpid, 0, 5000),
	    "the killed client's channels are still listed");
	/* Its sessions are torn down: our side does not hang. */
	for (i = 0; i < 2; i++) {
		HRESULT hr = harness_receive(s[i], &m, HARNESS_BODY_INT, NULL);

		ck_assert_msg(hr == WS_E_ENDPOINT_DISCONNECTED ||
		    hr == WS_S_END, "receive from a killed peer: %s",
		    harness_hr_name(hr));
	}
	harness_msg_free(&m);
	close(fd);
	free(client);
	WsFreeChannel(s[0]);
	WsFreeChannel(s[1]);
	WsFreeListener(l);
}
END_TEST

/* The daemon alone in a network namespace: a wildcard listener there
 * listens on nothing but that namespace's loopback. */
static void
setup_netns(void)
{
	ck_assert_int_eq(harness_daemon_start_flags(HARNESS_NETNS), 0);
}

/* Listener hosts "+" and "*" mean any address: channels reach them on
 * 127.0.0.1 and on ::1 (dual stack). */
START_TEST(listener_wildcard_hosts)
{
	static const char *const hosts[] = { "+", "*" };
	static const char *const targets[] = {
		"net.tcp://127.0.0.1:%u/w", "net.tcp://[::1]:%u/w",
	};
	const uint16_t port = (uint16_t)(18000 + _i);
	WS_LISTENER *l;
	WS_CHANNEL *c, *s;
	WS_STRING url;
	char buf[80];
	HRESULT hr;
	size_t t;

	snprintf(buf, sizeof(buf), "net.tcp://%s:%u/w", hosts[_i], port);
	url = harness_ws_string(buf);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL), S_OK);
	HR_EQ(WsOpenListener(l, &url, NULL, NULL), S_OK);
	free(url.chars);
	for (t = 0; t < 2; t++) {
		struct harness_bg *bg;
		WS_ENDPOINT_ADDRESS addr;
		void *args[2];

		HR_EQ(harness_tcp_channel(&c, NULL, 0), S_OK);
		HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
		args[0] = l;
		args[1] = s;
		ck_assert_ptr_nonnull(bg = harness_bg_start(bg_accept, args));
		snprintf(buf, sizeof(buf), targets[t], port);
		memset(&addr, 0, sizeof(addr));
		addr.url = harness_ws_string(buf);
		HR_EQ(WsOpenChannel(c, &addr, NULL, NULL), S_OK);
		free(addr.url.chars);
		ck_assert(harness_bg_wait(bg, T_MS, &hr));
		HR_EQ(hr, S_OK);
		exchange_int(c, s, (int32_t)(t + 1));
		WsFreeChannel(c);
		WsFreeChannel(s);
	}
	WsFreeListener(l);
}
END_TEST

/* ---- RECEIVE, SEND and RESOLVE timeouts ------------------------------------------ */

/* A receive from a peer that stays silent ends at RECEIVE_TIMEOUT with
 * WS_E_OPERATION_TIMED_OUT, and the channel is FAULTED (bindings.md). */
START_TEST(receive_timeout)
{
	ULONG rt = 200;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, &rt,
	    sizeof(rt) };
	struct harness_raw_server rs;
	struct harness_msg m = { 0 };
	struct harness_async a;
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	harness_async_init(&a);
	hr = harness_receive(ch, &m, HARNESS_BODY_INT, &a.ctx);
	ASYNC_EQ(&a, hr, WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	/* The connection is gone, and the next receive says FAULTED. */
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, T_MS), 0);
	harness_msg_free(&m);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, NULL),
	    WS_E_OBJECT_FAULTED);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* Sends toward a peer that stops reading: once the buffers on the way are
 * full, the send that cannot leave ends at SEND_TIMEOUT with
 * WS_E_OPERATION_TIMED_OUT, and the channel is FAULTED. */
START_TEST(send_timeout)
{
	ULONG max = 1 << 20, st = 300;
	WS_CHANNEL_PROPERTY props[2] = {
		{ WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max,
		    sizeof(max) },
		{ WS_CHANNEL_PROPERTY_SEND_TIMEOUT, &st, sizeof(st) },
	};
	struct harness_raw_server rs;
	struct harness_fill *fill;
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, props, 2), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 4096), 0);
	fill = harness_fill_start(ch, 64, 250000);
	ck_assert_ptr_nonnull(fill);
	ck_assert_msg(harness_fill_end(fill, T_MS, &hr), "a send toward a "
	    "peer that never reads did not end");
	HR_EQ(hr, WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, T_MS), 0);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/* ENABLE_TIMEOUTS FALSE and no timeout given: a send that cannot leave
 * waits (past the point where a short SEND_TIMEOUT ends it, above) until
 * the abort, which ends it with WS_E_OPERATION_ABORTED. */
START_TEST(timeouts_disabled)
{
	ULONG max = 1 << 20;
	BOOL off = FALSE;
	WS_CHANNEL_PROPERTY props[2] = {
		{ WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, &max,
		    sizeof(max) },
		{ WS_CHANNEL_PROPERTY_ENABLE_TIMEOUTS, &off, sizeof(off) },
	};
	struct harness_raw_server rs;
	struct harness_fill *fill;
	struct harness_msg m = { 0 };
	struct harness_async a;
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, props, 2), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 4096), 0);
	harness_async_init(&a);
	HR_EQ(harness_receive(ch, &m, HARNESS_BODY_INT, &a.ctx), WS_S_ASYNC);
	fill = harness_fill_start(ch, 64, 250000);
	ck_assert_ptr_nonnull(fill);
	harness_fill_settle(fill, 1000, &hr);
	ck_assert_msg(SUCCEEDED(hr), "send with timeouts disabled: %s",
	    harness_hr_name(hr));
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	HR_EQ(WsAbortChannel(ch, NULL), S_OK);
	ck_assert(harness_fill_end(fill, T_MS, &hr));
	HR_EQ(hr, WS_E_OPERATION_ABORTED);
	ck_assert_int_eq(harness_async_wait(&a, 1, T_MS), 1);
	HR_EQ(a.hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	harness_msg_free(&m);
	WsFreeChannel(ch);
	harness_raw_server_close(&rs);
}
END_TEST

/*
 * RESOLVE_TIMEOUT: the daemon's resolver is pointed (WSCHANNEL_RESOLV_CONF,
 * read by daemon/core/registry.c) at a name server of the test's own, a
 * UDP socket on loopback that reads queries and never answers.
 */
static int dns_fd = -1;

static void
setup_silent_dns(void)
{
	ck_assert_int_ge(dns_fd = harness_silent_dns_start(), 0);
	harness_fixture_setup();
}

static void
teardown_silent_dns(void)
{
	harness_fixture_teardown();
	harness_silent_dns_stop();
	dns_fd = -1;
}

/* A lookup the name server never answers: the open ends at
 * RESOLVE_TIMEOUT with WS_E_OPERATION_TIMED_OUT, FAULTED; meanwhile the
 * daemon answers other calls (the lookup does not block its loop). */
START_TEST(resolve_timeout)
{
	ULONG rt = 300;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT, &rt,
	    sizeof(rt) };
	struct harness_async a;
	struct pollfd pfd = { dns_fd, POLLIN, 0 };
	WS_CHANNEL *ch = NULL;
	HRESULT hr;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	harness_async_init(&a);
	hr = harness_open_url(ch, "net.tcp://silent.wschannel.test:808/x",
	    &a.ctx, NULL);
	/* The query reached our name server... */
	ck_assert_int_eq(poll(&pfd, 1, T_MS), 1);
	/* ...and the daemon still answers while it waits (unless the
	 * timeout already ended the open). */
	if (harness_async_calls(&a) == 0)
		ck_assert_int_ge(harness_channel_state(ch), 0);
	ASYNC_EQ(&a, hr, WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	WsFreeChannel(ch);
}
END_TEST

static Suite *
channel_suite(void)
{
	Suite *s = suite_create("channel");
	TCase *tc;

#define TCASE(name) do {						\
	tc = tcase_create(name);					\
	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);			\
	tcase_set_timeout(tc, 60);					\
	suite_add_tcase(s, tc);						\
} while (0)

	TCASE("create");
	tcase_add_test(tc, create_defaults_tcp);
	tcase_add_test(tc, create_defaults_http_udp);
	tcase_add_test(tc, create_readonly_and_sizes);
	tcase_add_test(tc, set_later_property);
	tcase_add_test(tc, null_handles);

	TCASE("open");
	tcase_add_test(tc, open_bad_scheme);
	tcase_add_test(tc, open_refused);
	tcase_add_test(tc, open_second_invalid);
	tcase_add_test(tc, open_tcp_binary_default);
	tcase_add_test(tc, open_async_callback);
	tcase_add_test(tc, library_thread_named);
	tcase_add_test(tc, opening_visible_backlog_full);
	tcase_add_test(tc, opening_visible_preamble_unanswered);
	tcase_add_test(tc, error_strings_after_failure);

	TCASE("accept");
	tcase_add_test(tc, accepting_visible);
	tcase_add_test(tc, concurrent_accepts);
	tcase_add_loop_test(tc, open_before_accept, 0, 2);

	TCASE("messages");
	tcase_add_loop_test(tc, body_types, 0, 2 * N_BODY_CASES);
	tcase_add_test(tc, action_index);
	tcase_add_test(tc, async_send_receive);
	tcase_add_test(tc, async_completion_while_another_thread_reads);
	tcase_add_test(tc, quota_exceeded);
	tcase_add_test(tc, close_sends_end);

	TCASE("states");
	tcase_add_test(tc, close_rows);
	tcase_add_test(tc, close_drain_timeout);
	tcase_add_test(tc, reset_rows);
	tcase_add_test(tc, free_any_state);
	tcase_add_loop_test(tc, wrong_state_calls, 0, 2);
	tcase_add_test(tc, faulted_before_message_and_kind);

	TCASE("raw");
	tcase_add_test(tc, raw_peer_envelope_both_ways);
	tcase_add_test(tc, raw_garbage);
	tcase_add_test(tc, raw_truncated);
	tcase_add_test(tc, raw_reset);
	tcase_add_test(tc, raw_end_record);

	TCASE("listener");
	tcase_add_test(tc, listener_rows);
	tcase_add_test(tc, listener_properties_create_only);
	tcase_add_test(tc, listener_address_in_use);
	tcase_add_loop_test(tc, listener_ends_accepts, 0, 2);
	tcase_add_test(tc, channel_for_listener_copies);

	TCASE("process");
	tcase_add_test(tc, killed_client_channels_disappear);

	TCASE("timeouts");
	tcase_add_test(tc, receive_timeout);
	tcase_add_test(tc, send_timeout);
	tcase_add_test(tc, timeouts_disabled);

	tc = tcase_create("resolve");
	tcase_add_checked_fixture(tc, setup_silent_dns, teardown_silent_dns);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, resolve_timeout);
	suite_add_tcase(s, tc);

	/* Wildcard listeners only where they cannot listen beyond this
	 * machine: in a network namespace of the test's own (root only). */
	if (harness_netns_usable()) {
		tc = tcase_create("wildcard");
		tcase_add_checked_fixture(tc, setup_netns, harness_fixture_teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_loop_test(tc, listener_wildcard_hosts, 0, 2);
		suite_add_tcase(s, tc);
	}
#undef TCASE
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(channel_suite());
	int failed;

#ifdef WSCHANNEL_TEST_DBUS
	/* The same suite, the library over the D-Bus door. */
	harness_use_dbus(true);
#endif

	/* Every test needs its own process: the library connects once. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
