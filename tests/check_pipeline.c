/*
 * Pipelined calls.  On the wire: an async request marked pipelined
 * gets only its terminal Reply, one that is not gets the interim WS_S_ASYNC
 * first.  Through the library: an async I/O call on a channel the last
 * reply found OPEN returns WS_S_ASYNC without waiting for the daemon, and
 * its callback runs exactly once whatever happened to the channel
 * meanwhile; on a channel a reply found FAULTED the error comes back
 * directly and no callback runs.  A create the daemon accepted before is
 * only written; the channel is bound when the next call on it needs it.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "config.h"
#include "frame.h"
#include "harness.h"
#include "wschannel.pb-c.h"

/* ---- on the wire ------------------------------------------------------------ */

static int
pipe_connect(void)
{
	int fd;

	ck_assert_int_ge(fd = harness_control_connect(), 0);
	return fd;
}

static void
pipe_send(int fd, Wschannel__Request *rq)
{
	uint8_t buf[4096];
	size_t n = wschannel__request__get_packed_size(rq);

	ck_assert_uint_le(n, sizeof(buf) - FRAME_HEADER_SIZE);
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)n);
	wschannel__request__pack(rq, buf + FRAME_HEADER_SIZE);
	ck_assert_int_eq(harness_raw_write(fd, buf, FRAME_HEADER_SIZE + n), 0);
}

/* The next Reply on `fd` (the caller frees it). */
static Wschannel__Reply *
pipe_reply(int fd)
{
	uint8_t buf[4096], hdr[FRAME_HEADER_SIZE];
	struct frame_header fh;
	Wschannel__Reply *r;

	ck_assert_int_eq(harness_raw_read_full(fd, hdr, sizeof(hdr), 5000), 0);
	ck_assert_int_eq(frame_header_parse(hdr, &fh, NULL), 0);
	ck_assert_int_eq(fh.kind, FRAME_REPLY);
	ck_assert_uint_le(fh.length, sizeof(buf));
	ck_assert_int_eq(harness_raw_read_full(fd, buf, fh.length, 5000), 0);
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, fh.length,
	    buf));
	return r;
}

/* A request answered at once: its HRESULT, and the id it created. */
static uint32_t
pipe_call(int fd, Wschannel__Request *rq, uint64_t *created)
{
	Wschannel__Reply *r;
	uint32_t hr;

	pipe_send(fd, rq);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, rq->id);
	hr = r->hresult;
	if (created != NULL) {
		ck_assert_int_eq(r->result_case,
		    WSCHANNEL__REPLY__RESULT_CREATED);
		*created = r->created;
	}
	wschannel__reply__free_unpacked(r, NULL);
	return hr;
}

/*
 * An open listener and a channel of its, on a raw connection; then an
 * async accept (pipelined or not) that only an abort of the listener
 * ends.  Returns how many replies came for the accept before the abort's.
 */
static int
pipe_accept_replies(bool pipelined, uint32_t *terminal)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateListener cl = WSCHANNEL__CREATE_LISTENER__INIT;
	Wschannel__OpenListener ol = WSCHANNEL__OPEN_LISTENER__INIT;
	Wschannel__CreateChannelForListener cc =
	    WSCHANNEL__CREATE_CHANNEL_FOR_LISTENER__INIT;
	Wschannel__AcceptChannel ac = WSCHANNEL__ACCEPT_CHANNEL__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__Reply *r;
	uint64_t ls, ch;
	uint16_t port;
	char url[64];
	int fd, n = 0;
	bool aborted = false, accepted = false;

	fd = pipe_connect();
	cl.type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	cl.binding = WS_TCP_CHANNEL_BINDING;
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_LISTENER;
	rq.create_listener = &cl;
	ck_assert_uint_eq(pipe_call(fd, &rq, &ls), S_OK);

	ck_assert_int_eq(harness_free_port(&port), 0);
	snprintf(url, sizeof(url), "net.tcp://127.0.0.1:%u/p", port);
	ol.listener = ls;
	ol.url = url;
	rq.id = 2;
	rq.op_case = WSCHANNEL__REQUEST__OP_OPEN_LISTENER;
	rq.open_listener = &ol;
	ck_assert_uint_eq(pipe_call(fd, &rq, NULL), S_OK);

	cc.listener = ls;
	rq.id = 3;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL_FOR_LISTENER;
	rq.create_channel_for_listener = &cc;
	ck_assert_uint_eq(pipe_call(fd, &rq, &ch), S_OK);

	ac.listener = ls;
	ac.channel = ch;
	rq.id = 4;
	rq.has_async = true;
	rq.async = true;
	rq.has_pipelined = pipelined;
	rq.pipelined = pipelined;
	rq.op_case = WSCHANNEL__REQUEST__OP_ACCEPT_CHANNEL;
	rq.accept_channel = &ac;
	pipe_send(fd, &rq);

	ref.id = ls;
	memset(&rq, 0, sizeof(rq));
	wschannel__request__init(&rq);
	rq.id = 5;
	rq.op_case = WSCHANNEL__REQUEST__OP_ABORT_LISTENER;
	rq.abort_listener = &ref;
	pipe_send(fd, &rq);

	/* Replies to 4 (interim or not, then terminal) and to 5. */
	while (!aborted || !accepted) {
		r = pipe_reply(fd);
		if (r->id == 5) {
			ck_assert_uint_eq(r->hresult, S_OK);
			aborted = true;
		} else {
			ck_assert_uint_eq(r->id, 4);
			ck_assert(!accepted);
			if (r->has_interim && r->interim) {
				ck_assert_uint_eq(r->hresult, (uint32_t)WS_S_ASYNC);
				ck_assert_int_eq(n, 0);
			} else {
				*terminal = r->hresult;
				accepted = true;
			}
			n++;
		}
		wschannel__reply__free_unpacked(r, NULL);
	}
	close(fd);
	return n;
}

START_TEST(pipelined_request_has_no_interim)
{
	uint32_t hr = 0;

	ck_assert_int_eq(pipe_accept_replies(false, &hr), 2);
	ck_assert_uint_eq(hr, (uint32_t)WS_E_OPERATION_ABORTED);
	hr = 0;
	ck_assert_int_eq(pipe_accept_replies(true, &hr), 1);
	ck_assert_uint_eq(hr, (uint32_t)WS_E_OPERATION_ABORTED);
}
END_TEST

/*
 * A request may name an object by the create that made it (the id with
 * bit 63 set and the create's request id below): the daemon puts the
 * real id in.  A create it refused passes its HRESULT on; a create it
 * never saw is a bad argument.  The reply to a create says the daemon
 * remembers it.
 */
START_TEST(objects_named_by_their_create)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__GetProperty gp = WSCHANNEL__GET_PROPERTY__INIT;
	Wschannel__Reply *r;
	const uint64_t ref = UINT64_C(1) << 63;
	int fd = pipe_connect();

	cc.type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	cc.binding = WS_TCP_CHANNEL_BINDING;
	rq.id = 7;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	pipe_send(fd, &rq);
	/* Sent before the create's reply was read. */
	gp.id = ref | 7;
	gp.property_id = WS_CHANNEL_PROPERTY_STATE;
	rq.id = 8;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	rq.get_channel_property = &gp;
	pipe_send(fd, &rq);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, 7);
	ck_assert_uint_eq(r->hresult, S_OK);
	ck_assert(r->has_creates_kept && r->creates_kept);
	wschannel__reply__free_unpacked(r, NULL);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, 8);
	ck_assert_uint_eq(r->hresult, S_OK);
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT_PROPERTY);
	ck_assert_uint_eq(r->property->u, WS_CHANNEL_STATE_CREATED);
	wschannel__reply__free_unpacked(r, NULL);

	/* A refused create: UDP has no DUPLEX_SESSION channels. */
	cc.binding = WS_UDP_CHANNEL_BINDING;
	rq.id = 9;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	ck_assert_uint_ne(pipe_call(fd, &rq, NULL), S_OK);
	gp.id = ref | 9;
	rq.id = 10;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	rq.get_channel_property = &gp;
	pipe_send(fd, &rq);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->hresult, (uint32_t)E_INVALIDARG);
	ck_assert_uint_ge(r->n_errors, 1);
	ck_assert_ptr_nonnull(strstr(r->errors[0], "create"));
	wschannel__reply__free_unpacked(r, NULL);

	/* A create this connection never made. */
	gp.id = ref | 4242;
	rq.id = 11;
	ck_assert_uint_eq(pipe_call(fd, &rq, NULL), (uint32_t)E_INVALIDARG);
	close(fd);
}
END_TEST

/* A create the client does not wait for (Request.unawaited). */
static void
pipe_send_unawaited_create(int fd, uint64_t id, Wschannel__CreateChannel *cc)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;

	rq.id = id;
	rq.has_unawaited = 1;
	rq.unawaited = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = cc;
	pipe_send(fd, &rq);
}

/*
 * A create the library does not wait for goes out marked unawaited (it
 * names the new object by that create meanwhile): its Reply may be held
 * back to go out with the next one, so that it does not wake the client
 * by itself.  The Replies still come in the order of their requests; the
 * object exists at once (wsctl lists it); a held Reply comes by itself
 * when nothing follows; a refused create is answered like any other.
 */
START_TEST(unawaited_create_replies_keep_their_order)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__GetProperty gp = WSCHANNEL__GET_PROPERTY__INIT;
	struct harness_channel_row rows[8];
	Wschannel__Reply *r;
	const uint64_t ref = UINT64_C(1) << 63;
	uint64_t id;
	int fd = pipe_connect();

	cc.type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	cc.binding = WS_TCP_CHANNEL_BINDING;
	for (id = 1; id <= 2; id++)
		pipe_send_unawaited_create(fd, id, &cc);
	gp.id = ref | 1;
	gp.property_id = WS_CHANNEL_PROPERTY_STATE;
	rq.id = 3;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	rq.get_channel_property = &gp;
	pipe_send(fd, &rq);
	for (id = 1; id <= 3; id++) {
		r = pipe_reply(fd);
		ck_assert_uint_eq(r->id, id);
		ck_assert_uint_eq(r->hresult, S_OK);
		ck_assert_int_eq(r->result_case, id < 3 ?
		    WSCHANNEL__REPLY__RESULT_CREATED :
		    WSCHANNEL__REPLY__RESULT_PROPERTY);
		if (id == 3)
			ck_assert_uint_eq(r->property->u,
			    WS_CHANNEL_STATE_CREATED);
		wschannel__reply__free_unpacked(r, NULL);
	}

	/* Nothing follows it: listed at once, answered by itself. */
	pipe_send_unawaited_create(fd, 4, &cc);
	ck_assert_int_eq(harness_list_channels(rows, 8), 3);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, 4);
	ck_assert_uint_eq(r->hresult, S_OK);
	wschannel__reply__free_unpacked(r, NULL);

	/* Refused: UDP has no DUPLEX_SESSION channels. */
	cc.binding = WS_UDP_CHANNEL_BINDING;
	pipe_send_unawaited_create(fd, 5, &cc);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, 5);
	ck_assert_uint_ne(r->hresult, S_OK);
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
}
END_TEST

/*
 * A quiet request (posted by the library, nobody waiting) is answered
 * only when it fails: a close that succeeds sends nothing, the next
 * request's Reply comes first; a close of a channel that does not exist
 * is answered with its error.
 */
START_TEST(quiet_request_answered_only_on_failure)
{
	Wschannel__Request rq = WSCHANNEL__REQUEST__INIT;
	Wschannel__CreateChannel cc = WSCHANNEL__CREATE_CHANNEL__INIT;
	Wschannel__GetProperty gp = WSCHANNEL__GET_PROPERTY__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	Wschannel__Reply *r;
	uint64_t ch;
	int fd = pipe_connect();

	cc.type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	cc.binding = WS_TCP_CHANNEL_BINDING;
	rq.id = 1;
	rq.op_case = WSCHANNEL__REQUEST__OP_CREATE_CHANNEL;
	rq.create_channel = &cc;
	ck_assert_uint_eq(pipe_call(fd, &rq, &ch), S_OK);

	/* A CREATED channel's close succeeds: no Reply. */
	ref.id = ch;
	rq.id = 2;
	rq.has_quiet = true;
	rq.quiet = true;
	rq.op_case = WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL;
	rq.close_channel = &ref;
	pipe_send(fd, &rq);
	gp.id = ch;
	gp.property_id = WS_CHANNEL_PROPERTY_STATE;
	rq.id = 3;
	rq.has_quiet = false;
	rq.quiet = false;
	rq.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	rq.get_channel_property = &gp;
	pipe_send(fd, &rq);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, 3);
	ck_assert_uint_eq(r->property->u, WS_CHANNEL_STATE_CLOSED);
	wschannel__reply__free_unpacked(r, NULL);

	/* One that fails is answered. */
	ref.id = ch + 1000;
	rq.id = 4;
	rq.has_quiet = true;
	rq.quiet = true;
	rq.op_case = WSCHANNEL__REQUEST__OP_CLOSE_CHANNEL;
	rq.close_channel = &ref;
	pipe_send(fd, &rq);
	r = pipe_reply(fd);
	ck_assert_uint_eq(r->id, 4);
	ck_assert(FAILED((HRESULT)r->hresult));
	wschannel__reply__free_unpacked(r, NULL);
	close(fd);
}
END_TEST

/* ---- through the library ----------------------------------------------------- */

/* The daemon's id of `ch`: the one channel of `wsctl list` not in `skip`. */
static uint64_t
pipe_other_channel(uint64_t skip)
{
	struct harness_channel_row rows[8];
	int i, n;

	n = harness_list_channels(rows, 8);
	ck_assert_int_eq(n, 2);
	for (i = 0; i < n; i++)
		if (rows[i].id != skip)
			return rows[i].id;
	return 0;
}

/* `wsctl abort ID` from another process. */
static void
pipe_wsctl_abort(uint64_t id)
{
	char arg[32], *out = NULL;
	int status = -1;

	snprintf(arg, sizeof(arg), "%llu", (unsigned long long)id);
	ck_assert_int_eq(harness_wsctl(&out, &status, "abort", arg, NULL), 0);
	ck_assert_int_eq(status, 0);
	free(out);
}

/* A pair whose server channel's daemon id is known: the client is the
 * only channel before the server is created. */
static uint64_t
pipe_pair(struct harness_pair *p)
{
	struct harness_channel_row rows[4];
	uint64_t client;

	memset(p, 0, sizeof(*p));
	HR_EQ(harness_tcp_listener_open(&p->listener, &p->port), S_OK);
	HR_EQ(harness_tcp_channel(&p->client, NULL, 0), S_OK);
	ck_assert_int_eq(harness_list_channels(rows, 4), 1);
	client = rows[0].id;
	HR_EQ(WsCreateChannelForListener(p->listener, NULL, 0, &p->server,
	    NULL), S_OK);
	HR_EQ(harness_pair_reconnect(p), S_OK);
	return pipe_other_channel(client);
}

/*
 * The channel faults while nothing is pending on it (an administrator's
 * abort): the library last saw it OPEN, so the next async receive returns
 * WS_S_ASYNC at once and its one callback brings WS_E_OBJECT_FAULTED; that
 * reply taught the library, so the receive after it fails directly.
 */
START_TEST(fault_meanwhile_reaches_the_callback)
{
	struct harness_pair p;
	struct harness_async a;
	struct harness_msg m = { 0 }, out = { 0 };
	uint64_t server;
	HRESULT hr;

	server = pipe_pair(&p);
	/* One message through, so the library has seen the channel OPEN. */
	HR_EQ(harness_send_text(p.client, &out, 16, NULL), S_OK);
	HR_EQ(harness_receive(p.server, &m, HARNESS_BODY_TEXT, NULL), S_OK);
	harness_msg_free(&m);

	pipe_wsctl_abort(server);
	harness_async_init(&a);
	hr = harness_receive(p.server, &m, HARNESS_BODY_TEXT, &a.ctx);
	ck_assert_int_eq(hr, WS_S_ASYNC);
	ck_assert_int_eq(harness_async_wait(&a, 1, 5000), 1);
	ck_assert_int_eq(a.hr, WS_E_OBJECT_FAULTED);
	/* Exactly once. */
	usleep(100 * 1000);
	ck_assert_int_eq(harness_async_calls(&a), 1);
	harness_async_destroy(&a);
	harness_msg_free(&m);

	harness_async_init(&a);
	hr = harness_receive(p.server, &m, HARNESS_BODY_TEXT, &a.ctx);
	ck_assert_int_eq(hr, WS_E_OBJECT_FAULTED);
	usleep(100 * 1000);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	harness_async_destroy(&a);
	harness_msg_free(&m);
	harness_msg_free(&out);
	harness_pair_free(&p);
}
END_TEST

/*
 * Many pipelined receives and sends in flight at once on one channel
 * pair: every message arrives in order and every callback runs once.
 */
START_TEST(pipelined_sends_arrive_in_order)
{
	enum { N = 32 };
	struct harness_pair p;
	struct harness_async s[N], r;
	struct harness_msg out[N], in = { 0 };
	int i;

	memset(out, 0, sizeof(out));
	(void)pipe_pair(&p);
	for (i = 0; i < N; i++) {
		harness_async_init(&s[i]);
		HR_EQ(harness_send_int32(p.client, &out[i], 1000 + i,
		    &s[i].ctx), WS_S_ASYNC);
	}
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(harness_async_wait(&s[i], 1, 5000), 1);
		HR_EQ(s[i].hr, S_OK);
	}
	for (i = 0; i < N; i++) {
		harness_async_init(&r);
		HR_EQ(harness_receive(p.server, &in, HARNESS_BODY_INT,
		    &r.ctx), WS_S_ASYNC);
		ck_assert_int_eq(harness_async_wait(&r, 1, 5000), 1);
		HR_EQ(r.hr, S_OK);
		ck_assert_int_eq(in.value, 1000 + i);
		harness_async_destroy(&r);
		harness_msg_free(&in);
	}
	usleep(100 * 1000);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(harness_async_calls(&s[i]), 1);
		harness_async_destroy(&s[i]);
		harness_msg_free(&out[i]);
	}
	harness_pair_free(&p);
}
END_TEST

/*
 * Creates the daemon has accepted before are only written: many in a row,
 * each then used, still name channels of their own (each keeps the
 * property set on it), and channels freed before any use leave nothing
 * behind in the daemon.
 */
START_TEST(repeated_creates_name_their_own_channels)
{
	enum { N = 24 };
	WS_CHANNEL *ch[N];
	struct harness_channel_row rows[N + 4];
	ULONG v;
	int i;

	for (i = 0; i < N; i++)
		HR_EQ(harness_tcp_channel(&ch[i], NULL, 0), S_OK);
	for (i = 0; i < N; i++) {
		v = 1000 + (ULONG)i;
		HR_EQ(WsSetChannelProperty(ch[i],
		    WS_CHANNEL_PROPERTY_SEND_TIMEOUT, &v, sizeof(v), NULL),
		    S_OK);
	}
	for (i = N - 1; i >= 0; i--) {
		HR_EQ(WsGetChannelProperty(ch[i],
		    WS_CHANNEL_PROPERTY_SEND_TIMEOUT, &v, sizeof(v), NULL),
		    S_OK);
		ck_assert_uint_eq(v, 1000 + (ULONG)i);
	}
	ck_assert_int_eq(harness_list_channels(rows, N + 4), N);
	for (i = 0; i < N; i++)
		WsFreeChannel(ch[i]);
	/* Created and freed without a call in between. */
	for (i = 0; i < N; i++)
		HR_EQ(harness_tcp_channel(&ch[i], NULL, 0), S_OK);
	for (i = 0; i < N; i++)
		WsFreeChannel(ch[i]);
	ck_assert_int_eq(harness_list_channels(rows, N + 4), 0);
}
END_TEST

/*
 * fork while a create is in flight: the child's calls on the channel do
 * not wait for a reply that only the parent can read; they see a
 * channel whose daemon went with the parent's connection.
 */
START_TEST(fork_with_a_create_in_flight)
{
	WS_CHANNEL *a, *b;
	WS_CHANNEL_STATE st;
	pid_t pid;

	HR_EQ(harness_tcp_channel(&a, NULL, 0), S_OK);
	HR_EQ(harness_tcp_channel(&b, NULL, 0), S_OK);	/* only written */
	if ((pid = fork()) == 0) {
		st = 0;
		if (WsGetChannelProperty(b, WS_CHANNEL_PROPERTY_STATE, &st,
		    sizeof(st), NULL) != S_OK || st != WS_CHANNEL_STATE_FAULTED)
			_exit(1);
		WsFreeChannel(b);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(harness_wait_pid(pid, 10000), 0);
	/* The parent's channels are untouched. */
	st = 99;
	HR_EQ(WsGetChannelProperty(b, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), S_OK);
	ck_assert_int_eq(st, WS_CHANNEL_STATE_CREATED);
	WsFreeChannel(a);
	WsFreeChannel(b);
}
END_TEST

/*
 * An async accept is pipelined only on a listener last found OPEN: on a
 * closed one the precondition failure comes back directly, and no
 * callback runs (channel-semantics.md, asynchronous calls).
 */
START_TEST(accept_on_closed_listener_fails_directly)
{
	WS_LISTENER *l;
	WS_CHANNEL *s;
	struct harness_async a;
	uint16_t port;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s, NULL), S_OK);
	HR_EQ(WsCloseListener(l, NULL, NULL), S_OK);
	harness_async_init(&a);
	HR_EQ(WsAcceptChannel(l, s, &a.ctx, NULL), WS_E_INVALID_OPERATION);
	usleep(100 * 1000);
	ck_assert_int_eq(harness_async_calls(&a), 0);
	harness_async_destroy(&a);
	WsFreeChannel(s);
	WsFreeListener(l);
}
END_TEST

/*
 * A call on an object whose create is still in flight does not wait for
 * the create's reply: with the daemon stopped, a repeated create and an
 * async accept on its channel both return at once, and the accept
 * completes once the daemon runs again and a client connects.
 */
START_TEST(call_on_a_channel_being_created_does_not_wait)
{
	WS_LISTENER *l;
	WS_CHANNEL *s0, *s1, *c;
	WS_CHANNEL_STATE st = 0;
	struct harness_async a;
	pid_t daemon = harness_daemon_pid();
	uint16_t port;

	HR_EQ(harness_tcp_listener_open(&l, &port), S_OK);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s0, NULL), S_OK);
	ck_assert_int_gt(daemon, 0);
	ck_assert_int_eq(kill(daemon, SIGSTOP), 0);
	HR_EQ(WsCreateChannelForListener(l, NULL, 0, &s1, NULL), S_OK);
	harness_async_init(&a);
	HR_EQ(WsAcceptChannel(l, s1, &a.ctx, NULL), WS_S_ASYNC);
	ck_assert_int_eq(kill(daemon, SIGCONT), 0);
	HR_EQ(harness_tcp_channel(&c, NULL, 0), S_OK);
	HR_EQ(harness_open(c, port, NULL, NULL), S_OK);
	ck_assert_int_eq(harness_async_wait(&a, 1, 10000), 1);
	HR_EQ(a.hr, S_OK);
	HR_EQ(WsGetChannelProperty(s1, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL), S_OK);
	ck_assert_int_eq(st, WS_CHANNEL_STATE_OPEN);
	harness_async_destroy(&a);
	WsFreeChannel(c);
	WsFreeChannel(s1);
	WsFreeChannel(s0);
	WsFreeListener(l);
}
END_TEST

static Suite *
pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("pipeline");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pipelined_request_has_no_interim);
	tcase_add_test(tc, fault_meanwhile_reaches_the_callback);
	tcase_add_test(tc, pipelined_sends_arrive_in_order);
	tcase_add_test(tc, repeated_creates_name_their_own_channels);
	tcase_add_test(tc, fork_with_a_create_in_flight);
	tcase_add_test(tc, accept_on_closed_listener_fails_directly);
	tcase_add_test(tc, objects_named_by_their_create);
	tcase_add_test(tc, unawaited_create_replies_keep_their_order);
	tcase_add_test(tc, quiet_request_answered_only_on_failure);
	tcase_add_test(tc, call_on_a_channel_being_created_does_not_wait);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pipeline_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
