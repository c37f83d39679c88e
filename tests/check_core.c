/*
 * The core unit suite: daemon/core driven through a fake transport, with no
 * socket, no door and no real transport.  Every row of the call and abort
 * tables of spec/channel-semantics.md, in every channel state; graceful and
 * abortive close, End, faults, timeouts; listeners; ownership.
 *
 * The test is its own door: it makes a session, allocates one pending per
 * long call as daemon/door/unix.c does, and counts how often each pending
 * completes.  Every test ends (in the teardown) by checking that each
 * pending the core accepted completed exactly once and that each one it
 * refused completed never.
 *
 * Rows where today's core and the spec disagree are in the tcase
 * "known_divergence", compiled in but only run when WSCHANNEL_KNOWN_DIVERGENCE
 * is set in the environment: they assert what the spec wants.
 *
 * Over 1,500 lines on purpose: the fake and every row stay in one suite so
 * that a change of the transport contract is one section of one file.
 */
#include <sys/types.h>
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "envelope.h"
#include "hresult.h"
#include "listener.h"
#include "pending.h"
#include "registry.h"
#include "transport.h"

/* ==========================================================================
 * THE TRANSPORT CONTRACT: the only section to edit when it changes.
 *
 * Everything this suite knows of how a transport plugs into the core is
 * here: the fake's ops, its table entries and their registration
 * (fake_install), and the fake_* helpers through which a test makes the
 * fake call back into the core (fake_open_succeeds, fake_deliver_message,
 * fake_peer_end, fake_fail, fake_sent, fake_closed, fake_incoming,
 * fake_incoming_drop).  The tests below use only these helpers, the
 * struct fake counters and the core's public calls (channel.h,
 * listener.h, registry.h, pending.h).
 *
 * The fake is written as a real transport is (daemon/transport/): it
 * talks to the core only through the "for transports" functions of
 * channel.h and listener.h and reads no field of a core object.  It
 * cannot be built with WSCHANNEL_TRANSPORT defined, because the tests
 * below this section (and the includes above it) need the fields.
 *
 * What the fake asserts of the core (the core's side of the contract):
 * - the transport state the fake set (channel_set_tp, listener_set_tp,
 *   listener_transport_incoming) is what channel_tp / listener_tp give
 *   back on every later call, until the core clears it;
 * - after it aborted a transport, the core calls nothing else of it (no
 *   send, want_receive, shutdown, close) until a new open or accept;
 * - open is never called on a transport that is still up;
 * - accept is only called on a listener that is listening.
 * What the fake guarantees in turn: no upcall for an object after its
 * abort (the helpers assert the object is up), and after an upcall that
 * may abort it checks channel_tp() before it touches its own state.  The
 * core calls abort only while the transport holds state (channel_tp set);
 * the fake counts every abort and does nothing for one that finds no
 * state, as transport.h asks.
 * ======================================================================== */

#define FAKE_MAX	64
#define FAKE_BUFFERED	8

/* What the fake knows of one channel or listener (ids are unique across
 * both): whether its transport is up, and every call the core made.  The
 * struct is also the transport state the core keeps for the object. */
struct fake {
	uint64_t	 id;		/* 0: a free slot */
	bool		 live;		/* opened, accepted or listening */
	bool		 closing;	/* close() called, not finished */
	int		 checks, opens, sends, shutdowns, receives, closes;
	int		 aborts, listens, accepts, unlistens;
	int		 close_send_end;	/* send_end of the last close() */
	char		 last_sent[64];		/* action of the last send */
	char		*buffered[FAKE_BUFFERED];	/* messages nobody asked for yet */
	int		 nbuffered;
};

static struct fake	fakes[FAKE_MAX];

/* What the next calls answer; tests change them, the fixture resets them. */
static int32_t	fake_check_hr, fake_open_hr, fake_send_hr, fake_listen_hr;
static bool	fake_close_at_once;	/* close() finishes inside the call */

static struct fake *
fake_of(uint64_t id)
{
	size_t i, free_slot = FAKE_MAX;

	for (i = 0; i < FAKE_MAX; i++) {
		if (fakes[i].id == id)
			return &fakes[i];
		if (fakes[i].id == 0 && free_slot == FAKE_MAX)
			free_slot = i;
	}
	ck_assert_msg(free_slot < FAKE_MAX, "fake: too many objects");
	fakes[free_slot].id = id;
	return &fakes[free_slot];
}

#define fake_chan_of(ch)	fake_of(channel_id(ch))
#define fake_lis_of(ls)		fake_of(listener_id(ls))

static void
fake_assert_up(struct fake *fc, const char *what)
{
	ck_assert_msg(fc->live, "contract: %s on channel %llu whose transport "
	    "is down (aborted, failed or closed)", what,
	    (unsigned long long)fc->id);
}

/* As fake_assert_up, and the core still holds the fake's state. */
static struct fake *
fake_chan_up(struct channel *ch, const char *what)
{
	struct fake *fc = fake_chan_of(ch);

	fake_assert_up(fc, what);
	ck_assert_msg(channel_tp(ch) == fc, "contract: %s on channel %llu "
	    "whose transport state the core lost", what,
	    (unsigned long long)fc->id);
	return fc;
}

static void
fake_drop_buffered(struct fake *fc)
{
	while (fc->nbuffered > 0)
		free(fc->buffered[--fc->nbuffered]);
}

/* Hands a message with `action` (taken) to the oldest receive. */
static void
fake_hand_over(struct channel *ch, char *action)
{
	struct envelope env;

	memset(&env, 0, sizeof(env));
	env.envelope_version = WS_ENVELOPE_VERSION_SOAP_1_2;
	env.addressing_version = WS_ADDRESSING_VERSION_1_0;
	env.action = action;
	channel_transport_message(ch, &env);
	/* Zeroed when the core took it; frees it if it did not. */
	envelope_clear(&env);
}

static int32_t
fake_check(struct channel *ch, const char **why)
{
	fake_chan_of(ch)->checks++;
	if (fake_check_hr != S_OK)
		*why = "fake: the transport refused the channel";
	return fake_check_hr;
}

static int32_t
fake_open(struct channel *ch, const struct url *u)
{
	struct fake *fc = fake_chan_of(ch);

	(void)u;
	ck_assert_msg(!fc->live && channel_tp(ch) == NULL, "contract: open "
	    "of channel %llu whose transport is still up",
	    (unsigned long long)fc->id);
	fc->opens++;
	/* A failed open holds nothing and makes no upcall. */
	if (fake_open_hr != S_OK)
		return fake_open_hr;
	fc->live = true;
	channel_set_tp(ch, fc);
	return S_OK;
}

static int32_t
fake_send(struct channel *ch, const struct envelope *msg, const char **why)
{
	struct fake *fc = fake_chan_up(ch, "send");

	fc->sends++;
	snprintf(fc->last_sent, sizeof(fc->last_sent), "%s",
	    msg->action != NULL ? msg->action : "");
	if (fake_send_hr != S_OK)
		*why = "fake: the transport refused the message";
	return fake_send_hr;
}

static int32_t
fake_shutdown(struct channel *ch)
{
	struct fake *fc = fake_chan_up(ch, "shutdown");

	fc->shutdowns++;
	return S_OK;
}

static void
fake_want_receive(struct channel *ch)
{
	struct fake *fc = fake_chan_up(ch, "want_receive");
	char *action;
	int i;

	fc->receives++;
	/* A completion may abort the channel: stop when the state is gone. */
	while (channel_tp(ch) == fc && fc->nbuffered > 0 &&
	    channel_transport_receiving(ch)) {
		action = fc->buffered[0];
		for (i = 1; i < fc->nbuffered; i++)
			fc->buffered[i - 1] = fc->buffered[i];
		fc->nbuffered--;
		fake_hand_over(ch, action);
	}
}

static void	fake_closed(struct channel *);

static void
fake_close(struct channel *ch, bool send_end)
{
	struct fake *fc = fake_chan_up(ch, "close");

	fc->closes++;
	fc->close_send_end = send_end;
	fc->closing = true;
	if (fake_close_at_once)
		fake_closed(ch);
}

static void
fake_abort(struct channel *ch)
{
	struct fake *fc = fake_chan_of(ch);

	fc->aborts++;
	if (channel_tp(ch) == NULL)
		return;		/* holds nothing: nothing to do */
	ck_assert_msg(channel_tp(ch) == fc, "contract: abort of channel %llu "
	    "with a transport state that is not the fake's",
	    (unsigned long long)fc->id);
	fc->live = false;
	fc->closing = false;
	fake_drop_buffered(fc);
}

static int32_t
fake_listener_open(struct listener *ls, const struct url *u, const char **why)
{
	struct fake *fl = fake_lis_of(ls);

	(void)u;
	ck_assert_msg(!fl->live && listener_tp(ls) == NULL, "contract: listen "
	    "on listener %llu that is already listening",
	    (unsigned long long)fl->id);
	fl->listens++;
	if (fake_listen_hr != S_OK) {
		*why = "fake: cannot listen";
		return fake_listen_hr;
	}
	fl->live = true;
	listener_set_tp(ls, fl);
	return S_OK;
}

/* The fake has no peers of its own: tests bring them with fake_incoming. */
static void
fake_listener_accept(struct listener *ls)
{
	struct fake *fl = fake_lis_of(ls);

	ck_assert_msg(fl->live && listener_tp(ls) == fl, "contract: accept "
	    "on listener %llu that is not listening",
	    (unsigned long long)fl->id);
	fl->accepts++;
}

/* Close and abort alike: the fake has nothing to flush.  Both count as
 * unlistens. */
static void
fake_listener_stop(struct listener *ls)
{
	struct fake *fl = fake_lis_of(ls);

	ck_assert_msg(listener_tp(ls) == fl, "contract: listener %llu stopped "
	    "with a transport state that is not the fake's",
	    (unsigned long long)fl->id);
	fl->unlistens++;
	fl->live = false;
}

static const struct transport_ops fake_ops = {
	.check = fake_check,
	.open = fake_open,
	.send = fake_send,
	.want_receive = fake_want_receive,
	.shutdown = fake_shutdown,
	.close = fake_close,
	.abort = fake_abort,
	.listener_open = fake_listener_open,
	.listener_accept = fake_listener_accept,
	.listener_close = fake_listener_stop,
	.listener_abort = fake_listener_stop,
};

/* Every encoding of WS_ENCODING (0 ... WS_ENCODING_RAW). */
#define FAKE_ENC_ALL	(TRANSPORT_BIT(WS_ENCODING_RAW + 1) - 1)

/* The rules of daemon/transport/builtin.c, served by the fake (the suite
 * links no transport), for every binding the core knows a scheme for. */
static const struct transport_binding fake_bindings[] = {
	{
		.binding = WS_TCP_CHANNEL_BINDING,
		.name = "net.tcp (fake)",
		.scheme = URL_NETTCP,
		.channel_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX_SESSION),
		.listener_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX_SESSION),
		.default_encoding = WS_ENCODING_XML_BINARY_SESSION_1,
		.encodings = TRANSPORT_BIT(WS_ENCODING_XML_BINARY_SESSION_1) |
		    TRANSPORT_BIT(WS_ENCODING_XML_BINARY_1) |
		    TRANSPORT_BIT(WS_ENCODING_XML_UTF8),
		.prop_bit = PROP_B_TCP,
		.ops = &fake_ops,
	},
	{
		.binding = WS_UDP_CHANNEL_BINDING,
		.name = "soap.udp (fake)",
		.scheme = URL_SOAPUDP,
		.channel_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_OUTPUT) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_INPUT),
		.listener_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_DUPLEX) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_INPUT),
		.default_encoding = WS_ENCODING_XML_UTF8,
		.encodings = FAKE_ENC_ALL &
		    ~TRANSPORT_BIT(WS_ENCODING_XML_BINARY_SESSION_1),
		.prop_bit = PROP_B_UDP,
		.ops = &fake_ops,
	},
	{
		.binding = WS_HTTP_CHANNEL_BINDING,
		.name = "http (fake)",
		.scheme = URL_HTTP,
		.channel_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_REQUEST) |
		    TRANSPORT_BIT(WS_CHANNEL_TYPE_REPLY),
		.listener_types = TRANSPORT_BIT(WS_CHANNEL_TYPE_REPLY),
		.default_encoding = WS_ENCODING_XML_UTF8,
		.encodings = FAKE_ENC_ALL &
		    ~TRANSPORT_BIT(WS_ENCODING_XML_BINARY_SESSION_1),
		.envelope_none = true,
		.prop_bit = PROP_B_HTTP,
		.ops = &fake_ops,
	},
};

static void
fake_install(void)
{
	size_t i;

	memset(fakes, 0, sizeof(fakes));
	fake_check_hr = fake_open_hr = fake_send_hr = fake_listen_hr = S_OK;
	fake_close_at_once = false;
	for (i = 0; i < sizeof(fake_bindings) / sizeof(fake_bindings[0]); i++)
		ck_assert_int_eq(transport_register(&fake_bindings[i]), 0);
}

/* After everything was freed: no transport may still be up. */
static void
fake_uninstall(void)
{
	size_t i;

	for (i = 0; i < FAKE_MAX; i++) {
		ck_assert_msg(!fakes[i].live, "object %llu freed with its "
		    "transport still up", (unsigned long long)fakes[i].id);
		fake_drop_buffered(&fakes[i]);
	}
}

/* The connect (or an accepted channel's preamble) succeeded. */
static void
fake_open_succeeds(struct channel *ch)
{
	(void)fake_chan_up(ch, "opened upcall");
	channel_transport_opened(ch);
}

/* The connection failed with `hr`: one upcall, the core aborts the fake. */
static void
fake_fail(struct channel *ch, int32_t hr)
{
	(void)fake_chan_up(ch, "fault upcall");
	channel_transport_fault(ch, hr, "fake: the connection failed");
}

/* A message from the peer: to the oldest receive, or buffered. */
static void
fake_deliver_message(struct channel *ch, const char *action)
{
	struct fake *fc = fake_chan_up(ch, "message upcall");
	char *a;

	ck_assert((a = strdup(action)) != NULL);
	if (!channel_transport_receiving(ch)) {
		ck_assert_int_lt(fc->nbuffered, FAKE_BUFFERED);
		fc->buffered[fc->nbuffered++] = a;
		return;
	}
	fake_hand_over(ch, a);
}

/* The peer's End record: every waiting receive ends with WS_S_END. */
static void
fake_peer_end(struct channel *ch)
{
	(void)fake_chan_up(ch, "end upcall");
	channel_transport_end(ch);
}

/* Every queued send (and session End) has left. */
static void
fake_sent(struct channel *ch)
{
	(void)fake_chan_up(ch, "drained upcall");
	channel_transport_drained(ch);
}

/* The graceful close finished: as transport.h asks of close(), the
 * queued output was flushed (every waiting send has left), then the fake
 * frees its state, then the upcall. */
static void
fake_closed(struct channel *ch)
{
	struct fake *fc = fake_chan_up(ch, "closed upcall");

	ck_assert_msg(fc->closing, "fake: closed without a close()");
	channel_transport_drained(ch);
	/* A send's completion may have aborted the channel. */
	if (channel_tp(ch) != fc)
		return;
	fc->live = false;
	fc->closing = false;
	fake_drop_buffered(fc);
	channel_transport_closed(ch);
}

/* A peer connected: the oldest accepting channel (NULL when none waits)
 * takes it, and the fake drives its preamble; fake_open_succeeds ends
 * it. */
static struct channel *
fake_incoming(struct listener *ls)
{
	struct fake *fl = fake_lis_of(ls), *fc;
	struct channel *ch;

	ck_assert_msg(fl->live && listener_tp(ls) == fl, "fake: incoming on "
	    "a listener that is not listening");
	/* The fake keys its state by channel, unknown until the core names
	 * the channel: the listener's stands in, replaced at once. */
	if ((ch = listener_transport_incoming(ls, fl)) == NULL)
		return NULL;
	fc = fake_chan_of(ch);
	ck_assert_msg(!fc->live, "fake: accepted channel already up");
	fc->live = true;
	channel_set_tp(ch, fc);
	return ch;
}

/* The peer taken by fake_incoming went away before its preamble ended:
 * the fake frees its state, and the accept waits for the next peer (or,
 * when it cannot, the fake faults the channel). */
static void
fake_incoming_drop(struct listener *ls, struct channel *ch)
{
	struct fake *fc = fake_chan_up(ch, "requeue");

	(void)ls;
	fc->live = false;
	fake_drop_buffered(fc);
	if (!listener_transport_requeue(ch))
		channel_transport_fault(ch, WS_E_ENDPOINT_DISCONNECTED,
		    "fake: the peer went away before its preamble ended");
}

/* ==========================================================================
 * End of the transport contract.  Below: the test's door.
 * ======================================================================== */

#define OWNER_UID	1000
#define OTHER_UID	1001
#define MAX_OPS		128
#define MAX_EVENTS	256

/* One long call of the test's client and what became of it. */
struct op {
	const char	*name;
	struct pending	*p;		/* until it completes or is refused */
	int32_t		 call_hr;	/* what the call answered at once */
	bool		 refused;	/* the core did not take the pending */
	int		 done;		/* completions seen */
	int32_t		 hr;		/* the last completion's HRESULT */
	uint32_t	 state;		/* the channel's state at completion */
	char		 action[64];	/* a received message's action */
	void		(*hook)(struct op *);	/* runs inside the completion */
	void		*hook_arg;
};

struct state_rec {
	uint64_t	 object;
	bool		 is_listener;
	uint32_t	 old_state, new_state;
	int32_t		 cause;
};

static struct event_base	*base;
static struct session		 sess, other;
static struct op		 ops[MAX_OPS];
static int			 nops;
static struct state_rec		 events[MAX_EVENTS];
static int			 nevents;
static struct listener		*test_ls;	/* the listener of V_ACCEPTING */

static const char *
hr_name(int32_t hr)
{
	const char *n = hresult_name((uint32_t)hr);

	return n != NULL ? n : "?";
}

#define HR_EQ(got, want) do {						\
	int32_t g_ = (got), w_ = (want);				\
	ck_assert_msg(g_ == w_, "%s: got %s (0x%08x), want %s (0x%08x)",\
	    #got, hr_name(g_), (unsigned)g_, hr_name(w_), (unsigned)w_);\
} while (0)

static uint32_t
ch_state(struct channel *ch)
{
	const char *s, *why;
	uint64_t u;

	ck_assert_int_eq(channel_get_property(ch, WS_CHANNEL_PROPERTY_STATE,
	    &u, &s, &why), S_OK);
	return (uint32_t)u;
}

static uint32_t
ls_state(struct listener *ls)
{
	const char *s, *why;
	uint64_t u;

	ck_assert_int_eq(listener_get_property(ls, WS_LISTENER_PROPERTY_STATE,
	    &u, &s, &why), S_OK);
	return (uint32_t)u;
}

static const char *
st_name(uint32_t s)
{
	const char *n = channel_state_name(s);

	return n != NULL ? n : "?";
}

#define STATE_EQ(ch, want) do {						\
	uint32_t g_ = ch_state(ch), w_ = (want);			\
	ck_assert_msg(g_ == w_, "state of " #ch ": got %s, want %s",	\
	    st_name(g_), st_name(w_));					\
} while (0)

static void
op_done(struct pending *p, int32_t hr, void *arg)
{
	struct op *o = arg;

	o->done++;
	o->hr = hr;
	o->p = NULL;
	if (p->ch != NULL)
		o->state = ch_state(p->ch);
	if (p->msg.action != NULL)
		snprintf(o->action, sizeof(o->action), "%s", p->msg.action);
	if (o->hook != NULL)
		o->hook(o);
}

/* A pending of `s`, as a door makes one for a request. */
static struct op *
op_new(const char *name, enum pending_kind kind, struct session *s)
{
	struct op *o;

	ck_assert_int_lt(nops, MAX_OPS);
	o = &ops[nops++];
	memset(o, 0, sizeof(*o));
	o->name = name;
	ck_assert((o->p = pending_new(kind, s, op_done, o)) != NULL);
	TAILQ_INSERT_TAIL(&s->pendings, o->p, sess_entry);
	return o;
}

/* The core answered at once and left the pending alone: the door's
 * control_pending_discard. */
static void
op_refuse(struct op *o)
{
	struct pending *p = o->p;

	TAILQ_REMOVE(&p->sess->pendings, p, sess_entry);
	envelope_clear(&p->msg);
	free(p);
	o->p = NULL;
	o->refused = true;
}

static struct op *
op_result(struct op *o, int32_t hr)
{
	o->call_hr = hr;
	if (hr != S_OK) {
		ck_assert_msg(o->done == 0, "%s: refused with %s but completed",
		    o->name, hr_name(hr));
		op_refuse(o);
	}
	return o;
}

static void
watch_cb(const struct state_event *ev, void *arg)
{
	struct state_rec *r;

	(void)arg;
	if (ev->kind != STATE_EVENT_CHANGED || nevents == MAX_EVENTS)
		return;
	r = &events[nevents++];
	r->object = ev->object;
	r->is_listener = ev->is_listener;
	r->old_state = ev->old_state;
	r->new_state = ev->new_state;
	r->cause = ev->cause;
}

/* The cause of the last change of `id` into `state`, or 1 when none. */
static int32_t
event_cause(uint64_t id, uint32_t state)
{
	int i;

	for (i = nevents - 1; i >= 0; i--)
		if (!events[i].is_listener && events[i].object == id &&
		    events[i].new_state == state)
			return events[i].cause;
	return 1;
}

static void
loop_turn(void)
{
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_loop(base, EVLOOP_NONBLOCK);
}

/* Runs the loop until `o` completed, for at most about 3 s. */
static void
loop_until_done(struct op *o)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 3000 && o->done == 0; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (o->done == 0)
			nanosleep(&ms, NULL);
	}
	ck_assert_msg(o->done > 0, "%s never completed", o->name);
}

/* Runs the loop for about `n` ms, whatever happens. */
static void
loop_for(int n)
{
	struct timespec ms = { 0, 1000000 };

	while (n-- > 0) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		nanosleep(&ms, NULL);
	}
	loop_turn();
}

static void
setup(void)
{
	nops = nevents = 0;
	test_ls = NULL;
	ck_assert((base = event_base_new()) != NULL);
	ck_assert_int_eq(registry_init(base), 0);
	ck_assert(registry_watch_add(watch_cb, NULL) != NULL);
	fake_install();
	registry_session_init(&sess, OWNER_UID, 4242, OWNER_UID);
	registry_session_init(&other, OTHER_UID, 4343, OTHER_UID);
}

/* Ends both sessions, frees everything, then checks that every pending
 * the core accepted completed exactly once and every refused one never. */
static void
teardown(void)
{
	int i;

	registry_session_end(&sess);
	registry_session_end(&other);
	loop_turn();
	registry_shutdown();
	loop_turn();
	for (i = 0; i < nops; i++) {
		if (ops[i].refused)
			ck_assert_msg(ops[i].done == 0, "%s (#%d) was refused "
			    "with %s yet completed %d time(s)", ops[i].name, i,
			    hr_name(ops[i].call_hr), ops[i].done);
		else
			ck_assert_msg(ops[i].done == 1, "%s (#%d) completed %d "
			    "times, want exactly once", ops[i].name, i,
			    ops[i].done);
	}
	fake_uninstall();
	registry_pass_free();
	event_base_free(base);
	base = NULL;
}

/* ---- the calls, as a door makes them -------------------------------------- */

enum call {
	C_OPEN, C_ACCEPT, C_SEND, C_RECEIVE, C_REQUEST_REPLY, C_READ_START,
	C_READ_END, C_WRITE_START, C_WRITE_END, C_SHUTDOWN, C_ABANDON, C_CLOSE,
	C_RESET, C_ABORT, C_GET_PROPERTY, C_SET_PROPERTY, C_FREE, NCALLS
};

static const char *
url_for(uint32_t binding)
{
	switch (binding) {
	case WS_TCP_CHANNEL_BINDING:
		return "net.tcp://127.0.0.1:18081/core";
	case WS_UDP_CHANNEL_BINDING:
		return "soap.udp://127.0.0.1:18082/core";
	default:
		return "http://127.0.0.1:18083/core";
	}
}

static struct channel *
chan_new_props(uint32_t binding, const uint32_t *ids, const uint64_t *vals,
    size_t n)
{
	struct channel *ch;
	const char *why = NULL;
	uint32_t type;

	type = binding == WS_TCP_CHANNEL_BINDING ?
	    WS_CHANNEL_TYPE_DUPLEX_SESSION : binding == WS_UDP_CHANNEL_BINDING ?
	    WS_CHANNEL_TYPE_DUPLEX : WS_CHANNEL_TYPE_REQUEST;
	HR_EQ(channel_new(&sess, type, binding, ids, vals, n, &ch, &why), S_OK);
	return ch;
}

static struct channel *
chan_new(void)
{
	return chan_new_props(WS_TCP_CHANNEL_BINDING, NULL, NULL, 0);
}

/* A long call on `ch` as a door makes it: a pending of the session, the
 * call, and the pending discarded when the core answers at once. */
static struct op *
c_op(enum call c, struct channel *ch, const char *action)
{
	static const struct {
		const char		*name;
		enum pending_kind	 kind;
	} k[NCALLS] = {
		[C_OPEN] = { "open", PENDING_OPEN },
		[C_SEND] = { "send", PENDING_SEND },
		[C_RECEIVE] = { "receive", PENDING_RECEIVE },
		[C_REQUEST_REPLY] = { "request-reply", PENDING_RECEIVE },
		[C_READ_START] = { "read start", PENDING_RECEIVE },
		[C_WRITE_END] = { "write end", PENDING_SEND },
		[C_SHUTDOWN] = { "shutdown", PENDING_SEND },
	};
	struct op *o = op_new(k[c].name, k[c].kind, &sess);
	struct envelope env;
	const char *why = NULL;
	int32_t hr = E_FAIL;	/* every call below sets it */

	memset(&env, 0, sizeof(env));
	if (action != NULL)
		ck_assert((env.action = strdup(action)) != NULL);
	switch (c) {
	case C_OPEN:
		hr = channel_open(ch, url_for(ch->binding), o->p, &why);
		break;
	case C_SEND:
		hr = channel_send(ch, &env, o->p, &why);
		break;
	case C_RECEIVE:
		hr = channel_receive(ch, o->p, &why);
		break;
	case C_REQUEST_REPLY:
		hr = channel_request_reply(ch, &env, o->p, &why);
		break;
	case C_READ_START:
		hr = channel_read_start(ch, o->p, &why);
		break;
	case C_WRITE_END:
		hr = channel_write_end(ch, &env, o->p, &why);
		break;
	case C_SHUTDOWN:
		hr = channel_shutdown(ch, o->p, &why);
		break;
	default:
		ck_abort_msg("not a long call");
	}
	envelope_clear(&env);
	return op_result(o, hr);
}

#define c_open(ch)		c_op(C_OPEN, (ch), NULL)
#define c_send(ch, a)		c_op(C_SEND, (ch), (a))
#define c_receive(ch)		c_op(C_RECEIVE, (ch), NULL)
#define c_request_reply(ch, a)	c_op(C_REQUEST_REPLY, (ch), (a))
#define c_read_start(ch)	c_op(C_READ_START, (ch), NULL)
#define c_write_end(ch, a)	c_op(C_WRITE_END, (ch), (a))
#define c_shutdown(ch)		c_op(C_SHUTDOWN, (ch), NULL)

static struct op *
c_accept(struct listener *ls, struct channel *ch)
{
	const char *why = NULL;
	struct op *o = op_new("accept", PENDING_ACCEPT, &sess);

	return op_result(o, listener_accept(ls, ch, o->p, &why));
}

/* A close that ends at once leaves its pending unused (the door answers
 * it directly): that counts as "returned", not "completed". */
static struct op *
c_close(struct channel *ch)
{
	struct op *o = op_new("close", PENDING_CLOSE, &sess);
	int32_t hr;

	hr = channel_close(ch, o->p);
	o->call_hr = hr;
	if (o->done == 0 && (hr != S_OK || o->p->ch == NULL))
		op_refuse(o);
	return o;
}

static struct listener *
lis_new(void)
{
	struct listener *ls;
	const char *why = NULL;

	HR_EQ(listener_new(&sess, WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, NULL, 0, &ls, &why), S_OK);
	return ls;
}

static struct listener *
lis_open(void)
{
	struct listener *ls = lis_new();
	const char *why = NULL;

	HR_EQ(listener_open(ls, url_for(WS_TCP_CHANNEL_BINDING), &why), S_OK);
	ck_assert_uint_eq(ls_state(ls), WS_LISTENER_STATE_OPEN);
	return ls;
}

/* ---- getting a channel into each state through the fake ------------------ */

enum {
	V_CREATED, V_OPENING, V_ACCEPTING, V_OPEN, V_FAULTED, V_ABORTED,
	V_CLOSING, V_CLOSED, NVARIANTS
};

static const struct variant {
	const char	*name;
	uint32_t	 state;
} variants[NVARIANTS] = {
	{ "CREATED", WS_CHANNEL_STATE_CREATED },
	{ "OPENING (connect in flight)", WS_CHANNEL_STATE_OPENING },
	{ "ACCEPTING (on an open listener)", WS_CHANNEL_STATE_ACCEPTING },
	{ "OPEN", WS_CHANNEL_STATE_OPEN },
	{ "FAULTED (transport fault)", WS_CHANNEL_STATE_FAULTED },
	{ "FAULTED (abort)", WS_CHANNEL_STATE_FAULTED },
	{ "CLOSING (graceful close not finished)", WS_CHANNEL_STATE_CLOSING },
	{ "CLOSED", WS_CHANNEL_STATE_CLOSED },
};


static struct channel *
chan_opened(void)
{
	struct channel *ch = chan_new();
	struct op *o = c_open(ch);

	HR_EQ(o->call_hr, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPENING);
	fake_open_succeeds(ch);
	ck_assert_int_eq(o->done, 1);
	HR_EQ(o->hr, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	return ch;
}

/* A channel in variant `v`; `mid_write` starts a message being written
 * on the way through OPEN (for OPEN and FAULTED only). */
static struct channel *
chan_in(int v, bool mid_write)
{
	struct channel *ch;
	const char *why = NULL;

	switch (v) {
	case V_CREATED:
		ch = chan_new();
		break;
	case V_OPENING:
		ch = chan_new();
		HR_EQ(c_open(ch)->call_hr, S_OK);
		break;
	case V_ACCEPTING:
		if (test_ls == NULL || registry_listener(test_ls->id) != test_ls)
			test_ls = lis_open();
		ch = chan_new();
		HR_EQ(c_accept(test_ls, ch)->call_hr, S_OK);
		break;
	case V_CLOSING:
	case V_CLOSED:
		ch = chan_opened();
		HR_EQ(c_close(ch)->call_hr, S_OK);
		STATE_EQ(ch, WS_CHANNEL_STATE_CLOSING);
		if (v == V_CLOSED)
			fake_closed(ch);
		break;
	default:
		ch = chan_opened();
		if (mid_write)
			HR_EQ(channel_write_start(ch, &why), S_OK);
		if (v == V_FAULTED)
			fake_fail(ch, WS_E_ENDPOINT_DISCONNECTED);
		else if (v == V_ABORTED)
			channel_abort(ch);
		break;
	}
	STATE_EQ(ch, variants[v].state);
	return ch;
}

static int
fake_calls(struct channel *ch)
{
	struct fake *fc = fake_chan_of(ch);

	return fc->checks + fc->opens + fc->sends + fc->shutdowns +
	    fc->receives + fc->closes + fc->aborts;
}

/* ---- every call in every state -------------------------------------------- */

#define OK	S_OK
#define IO	WS_E_INVALID_OPERATION
#define OF	WS_E_OBJECT_FAULTED
#define IA	E_INVALIDARG
#define SAME	99	/* the state does not change */
#define CR	WS_CHANNEL_STATE_CREATED
#define OG	WS_CHANNEL_STATE_OPENING
#define AC	WS_CHANNEL_STATE_ACCEPTING
#define OP	WS_CHANNEL_STATE_OPEN
#define FA	WS_CHANNEL_STATE_FAULTED
#define CG	WS_CHANNEL_STATE_CLOSING
#define CD	WS_CHANNEL_STATE_CLOSED

/*
 * The spec's call table, per variant (CREATED, OPENING, ACCEPTING, OPEN,
 * FAULTED by fault, FAULTED by abort, CLOSING, CLOSED).  A FAULTED channel
 * answers open, accept and I/O with WS_E_OBJECT_FAULTED and reset with
 * WS_E_INVALID_OPERATION; any other wrong state WS_E_INVALID_OPERATION.
 * In OPEN, read end and write end follow their start (and abandon a write
 * start), so the row tests the call and not a missing start; in FAULTED,
 * abandon has a message mid-write.
 */
static const struct call_row {
	enum call	 call;
	const char	*name;
	int32_t		 hr[NVARIANTS];
	uint32_t	 after[NVARIANTS];	/* when hr is S_OK */
} call_rows[NCALLS] = {
	{ C_OPEN, "open", { OK, IO, IO, IO, OF, OF, IO, IO },
	    { OG, SAME, SAME, SAME, SAME, SAME, SAME, SAME } },
	{ C_ACCEPT, "accept", { OK, IO, IO, IO, OF, OF, IO, IO },
	    { AC, SAME, SAME, SAME, SAME, SAME, SAME, SAME } },
	{ C_SEND, "send", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_RECEIVE, "receive", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_REQUEST_REPLY, "request-reply", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_READ_START, "read start", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_READ_END, "read end", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_WRITE_START, "write start", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_WRITE_END, "write end", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_SHUTDOWN, "shutdown", { IO, IO, IO, OK, OF, OF, IO, IO },
	    { SAME, SAME, SAME, OP, SAME, SAME, SAME, SAME } },
	{ C_ABANDON, "abandon", { IO, IO, IO, OK, OK, OK, IO, IO },
	    { SAME, SAME, SAME, OP, FA, FA, SAME, SAME } },
	{ C_CLOSE, "close", { OK, OK, OK, OK, OK, OK, OK, OK },
	    { CD, CD, CD, CG, CD, CD, CG, CD } },
	{ C_RESET, "reset", { OK, IO, IO, IO, IO, IO, IO, OK },
	    { CR, SAME, SAME, SAME, SAME, SAME, SAME, CR } },
	{ C_ABORT, "abort", { OK, OK, OK, OK, OK, OK, OK, OK },
	    { CR, FA, FA, FA, FA, FA, CD, CD } },
	{ C_GET_PROPERTY, "get property", { OK, OK, OK, OK, OK, OK, OK, OK },
	    { SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME } },
	{ C_SET_PROPERTY, "set property", { OK, OK, OK, OK, OK, OK, OK, OK },
	    { SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME } },
	{ C_FREE, "free", { OK, OK, OK, OK, OK, OK, OK, OK },
	    { SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME } },
};

/* Makes call `c` on `ch`; *op is the pending of a long call, else NULL. */
static int32_t
do_call(enum call c, struct channel *ch, bool is_open, struct op **op)
{
	const char *why = NULL, *s;
	uint64_t u, id = ch->id;
	struct channel *found;
	int32_t hr;

	*op = NULL;
	switch (c) {
	case C_OPEN:
	case C_SEND:
	case C_RECEIVE:
	case C_REQUEST_REPLY:
	case C_READ_START:
	case C_SHUTDOWN:
		*op = c_op(c, ch, "urn:call");
		return (*op)->call_hr;
	case C_ACCEPT:
		if (test_ls == NULL || registry_listener(test_ls->id) != test_ls)
			test_ls = lis_open();
		*op = c_accept(test_ls, ch);
		return (*op)->call_hr;
	case C_READ_END:
		if (is_open) {
			struct op *rs = c_read_start(ch);

			fake_deliver_message(ch, "urn:read");
			ck_assert_int_eq(rs->done, 1);
		}
		return channel_read_end(ch, &why);
	case C_WRITE_START:
		return channel_write_start(ch, &why);
	case C_WRITE_END:
		if (is_open)
			HR_EQ(channel_write_start(ch, &why), S_OK);
		*op = c_write_end(ch, "urn:write");
		return (*op)->call_hr;
	case C_ABANDON:
		return channel_abandon(ch, &why);
	case C_CLOSE:
		*op = c_close(ch);
		return (*op)->call_hr;
	case C_RESET:
		return channel_reset(ch, &why);
	case C_ABORT:
		(void)channel_abort(ch);
		return S_OK;
	case C_GET_PROPERTY:
		if ((hr = channel_get_property(ch, WS_CHANNEL_PROPERTY_STATE, &u,
		    &s, &why)) == S_OK)
			ck_assert_uint_eq(u, ch->state);
		return hr;
	case C_SET_PROPERTY:
		if ((hr = channel_set_property(ch,
		    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, 1234, &why)) == S_OK) {
			ck_assert_int_eq(channel_get_property(ch,
			    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, &u, &s, &why),
			    S_OK);
			ck_assert_uint_eq(u, 1234);
		}
		return hr;
	case C_FREE:
		channel_free(ch);
		HR_EQ(registry_lookup_channel(&sess, id, &found), E_INVALIDARG);
		return S_OK;
	default:
		ck_abort_msg("no such call");
	}
	return E_FAIL;	/* not reached */
}

/* One test per row and state: the HRESULT, the state after, and that a
 * precondition failure completes nothing and reaches no transport. */
START_TEST(test_call_in_state)
{
	const struct call_row *r = &call_rows[_i / NVARIANTS];
	int v = _i % NVARIANTS;
	int32_t hr, want = r->hr[v];
	struct channel *ch;
	struct op *o;
	int nops_before, calls_before, i;
	int done_before[MAX_OPS];
	uint32_t after;

	ch = chan_in(v, r->call == C_ABANDON &&
	    (v == V_OPEN || v == V_FAULTED || v == V_ABORTED));
	nops_before = nops;
	for (i = 0; i < nops; i++)
		done_before[i] = ops[i].done;
	calls_before = fake_calls(ch);
	hr = do_call(r->call, ch, v == V_OPEN, &o);
	ck_assert_msg(hr == want, "%s in %s: got %s (0x%08x), want %s",
	    r->name, variants[v].name, hr_name(hr), (unsigned)hr,
	    hr_name(want));
	if (r->call == C_FREE) {
		loop_turn();
		return;
	}
	if (hr != S_OK) {
		STATE_EQ(ch, variants[v].state);
		ck_assert_msg(fake_calls(ch) == calls_before, "%s in %s was "
		    "refused but reached the transport", r->name,
		    variants[v].name);
		for (i = 0; i < nops; i++)
			ck_assert_msg(ops[i].done == (i < nops_before ?
			    done_before[i] : 0), "%s refused in %s, yet %s "
			    "completed", r->name, variants[v].name, ops[i].name);
		if (o != NULL)
			ck_assert(o->refused);
		return;
	}
	after = r->after[v] == SAME ? variants[v].state : r->after[v];
	ck_assert_msg(ch_state(ch) == after, "%s in %s: state after %s, want "
	    "%s", r->name, variants[v].name, st_name(ch_state(ch)),
	    st_name(after));
}
END_TEST

/* ---- WsAbortChannel -------------------------------------------------------- */

/* Abort in every state: the state after, the count it reports, every
 * pending completed with WS_E_OPERATION_ABORTED inside the call, and the
 * transport torn down. */
START_TEST(test_abort_in_state)
{
	static const uint32_t after[NVARIANTS] = { CR, FA, FA, FA, FA, FA, CD, CD };
	/* The operation each variant leaves pending: open, accept, close. */
	static const unsigned pending[NVARIANTS] = { 0, 1, 1, 0, 0, 0, 1, 0 };
	struct channel *ch = chan_in(_i, false);
	struct fake *fc = fake_chan_of(ch);
	bool waiting[MAX_OPS];
	int aborts = fc->aborts, i;
	bool was_up = fc->live;
	unsigned n;

	for (i = 0; i < nops; i++)
		waiting[i] = ops[i].done == 0 && !ops[i].refused;
	n = channel_abort(ch);
	ck_assert_uint_eq(n, pending[_i]);
	STATE_EQ(ch, after[_i]);
	/* The new contract (transport.h) calls abort only while a transport
	 * holds state for the channel; with none up (CREATED, ACCEPTING with
	 * no peer yet, FAULTED, CLOSED) there is nothing to tear down, which
	 * still meets the spec's "the transport is torn down at once". */
	ck_assert_msg(!was_up || fc->aborts > aborts, "abort in %s did not "
	    "reach the transport", variants[_i].name);
	ck_assert(!fc->live);
	for (i = 0; i < nops; i++) {
		if (ops[i].refused)
			continue;
		ck_assert_msg(ops[i].done == 1, "%s not completed by the abort",
		    ops[i].name);
		if (waiting[i]) {
			HR_EQ(ops[i].hr, WS_E_OPERATION_ABORTED);
			/* The new state first, so each reply carries it. */
			ck_assert_uint_eq(ops[i].state, after[_i]);
		}
	}
	if (_i == V_CLOSING)
		HR_EQ(event_cause(ch->id, CD), WS_E_OPERATION_ABORTED);
	/* A second abort changes nothing and cancels nothing. */
	ck_assert_uint_eq(channel_abort(ch), 0);
	STATE_EQ(ch, after[_i]);
}
END_TEST

/* Every kind of pending at once: each completes exactly once, aborted,
 * in the same call; the count is the caller's operations. */
START_TEST(test_abort_every_pending)
{
	struct channel *ch = chan_opened();
	struct op *o[4];
	int i;

	o[0] = c_send(ch, "urn:a");
	o[1] = c_receive(ch);
	o[2] = c_request_reply(ch, "urn:b");
	o[3] = c_read_start(ch);
	for (i = 0; i < 4; i++) {
		HR_EQ(o[i]->call_hr, S_OK);
		ck_assert_int_eq(o[i]->done, 0);
	}
	ck_assert_int_eq(fake_chan_of(ch)->sends, 2);
	ck_assert_uint_eq(channel_abort(ch), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_msg(o[i]->done == 1, "%s: %d completions", o[i]->name,
		    o[i]->done);
		HR_EQ(o[i]->hr, WS_E_OPERATION_ABORTED);
		ck_assert_uint_eq(o[i]->state, WS_CHANNEL_STATE_FAULTED);
	}
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(event_cause(ch->id, FA), WS_E_OPERATION_ABORTED);
}
END_TEST

/* A write end and a shutdown are sends too; a pending open is aborted
 * with the connect timer (nothing fires later). */
START_TEST(test_abort_write_and_open)
{
	uint32_t id = WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT;
	uint64_t val = 1;
	struct channel *ch = chan_opened(), *ch2;
	const char *why = NULL;
	struct op *w, *sd, *op;

	HR_EQ(channel_write_start(ch, &why), S_OK);
	w = c_write_end(ch, "urn:w");
	sd = c_shutdown(ch);
	ck_assert_uint_eq(channel_abort(ch), 2);
	HR_EQ(w->hr, WS_E_OPERATION_ABORTED);
	HR_EQ(sd->hr, WS_E_OPERATION_ABORTED);

	ch2 = chan_new_props(WS_TCP_CHANNEL_BINDING, &id, &val, 1);
	op = c_open(ch2);
	ck_assert_uint_eq(channel_abort(ch2), 1);
	HR_EQ(op->hr, WS_E_OPERATION_ABORTED);
	loop_for(20);
	ck_assert_int_eq(op->done, 1);
	STATE_EQ(ch2, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(event_cause(ch2->id, FA), WS_E_OPERATION_ABORTED);
}
END_TEST

/* After an abort: every I/O call WS_E_OBJECT_FAULTED; close then reset
 * make the channel reusable, with its properties; it opens again. */
START_TEST(test_abort_then_reuse)
{
	struct channel *ch = chan_opened();
	const char *why = NULL, *s;
	struct op *o, *cl;
	uint64_t u;

	HR_EQ(channel_set_property(ch, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT,
	    777, &why), S_OK);
	channel_abort(ch);
	HR_EQ(c_send(ch, "urn:x")->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(c_receive(ch)->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(c_request_reply(ch, "urn:x")->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(c_read_start(ch)->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(channel_read_end(ch, &why), WS_E_OBJECT_FAULTED);
	HR_EQ(channel_write_start(ch, &why), WS_E_OBJECT_FAULTED);
	HR_EQ(c_write_end(ch, "urn:x")->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(c_shutdown(ch)->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(c_open(ch)->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(channel_reset(ch, &why), WS_E_INVALID_OPERATION);
	cl = c_close(ch);
	HR_EQ(cl->call_hr, S_OK);
	ck_assert(cl->refused);		/* answered at once */
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	HR_EQ(channel_reset(ch, &why), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CREATED);
	HR_EQ(channel_get_property(ch, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, &u,
	    &s, &why), S_OK);
	ck_assert_uint_eq(u, 777);
	o = c_open(ch);
	HR_EQ(o->call_hr, S_OK);
	ck_assert_int_eq(fake_chan_of(ch)->opens, 2);
	fake_open_succeeds(ch);
	HR_EQ(o->hr, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
}
END_TEST

/* Free works at once after an abort, and with work still pending. */
START_TEST(test_abort_then_free)
{
	uint32_t id = WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT;
	uint64_t val = 1, cid;
	struct channel *ch = chan_opened(), *ch2, *found;
	struct op *r, *cl;

	channel_abort(ch);
	cid = ch->id;
	channel_free(ch);
	HR_EQ(registry_lookup_channel(&sess, cid, &found), E_INVALIDARG);

	/* Free of a CLOSING channel with a close timer armed: the close ends
	 * aborted and the timer never fires on freed memory. */
	ch2 = chan_new_props(WS_TCP_CHANNEL_BINDING, &id, &val, 1);
	HR_EQ(c_open(ch2)->call_hr, S_OK);
	fake_open_succeeds(ch2);
	r = c_send(ch2, "urn:s");
	cl = c_close(ch2);
	STATE_EQ(ch2, WS_CHANNEL_STATE_CLOSING);
	channel_free(ch2);
	ck_assert_int_eq(r->done, 1);
	HR_EQ(r->hr, WS_E_OPERATION_ABORTED);
	ck_assert_int_eq(cl->done, 1);
	HR_EQ(cl->hr, WS_E_OPERATION_ABORTED);
	loop_for(20);
}
END_TEST

/* ---- close, End, faults, timeouts --------------------------------------- */

/* Graceful: the session End is sent (unless already shut down), queued
 * output is flushed, the close completes when the transport is done. */
START_TEST(test_close_graceful)
{
	struct channel *ch = chan_opened(), *ch2, *u;
	struct op *s, *cl, *cl2, *sd;

	s = c_send(ch, "urn:queued");
	cl = c_close(ch);
	HR_EQ(cl->call_hr, S_OK);
	ck_assert(!cl->refused);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSING);
	ck_assert_int_eq(fake_chan_of(ch)->closes, 1);
	ck_assert_int_eq(fake_chan_of(ch)->close_send_end, 1);
	ck_assert_int_eq(fake_chan_of(ch)->aborts, 0);
	ck_assert_int_eq(s->done, 0);
	/* A second close joins the first. */
	cl2 = c_close(ch);
	ck_assert(!cl2->refused);
	fake_closed(ch);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	HR_EQ(s->hr, S_OK);
	HR_EQ(cl->hr, S_OK);
	HR_EQ(cl2->hr, S_OK);
	ck_assert_uint_eq(cl->state, WS_CHANNEL_STATE_CLOSED);

	/* After WsShutdownSessionChannel no second End. */
	ch2 = chan_opened();
	sd = c_shutdown(ch2);
	HR_EQ(sd->call_hr, S_OK);
	ck_assert_int_eq(fake_chan_of(ch2)->shutdowns, 1);
	fake_sent(ch2);
	HR_EQ(sd->hr, S_OK);
	HR_EQ(c_close(ch2)->call_hr, S_OK);
	ck_assert_int_eq(fake_chan_of(ch2)->close_send_end, 0);
	fake_closed(ch2);

	/* A non-session channel has no End record to send; a transport that
	 * closes inside the call completes the close there. */
	u = chan_new_props(WS_UDP_CHANNEL_BINDING, NULL, NULL, 0);
	HR_EQ(c_open(u)->call_hr, S_OK);
	fake_open_succeeds(u);
	fake_close_at_once = true;
	cl = c_close(u);
	ck_assert_int_eq(cl->done, 1);
	HR_EQ(cl->hr, S_OK);
	ck_assert_int_eq(fake_chan_of(u)->close_send_end, 0);
	STATE_EQ(u, WS_CHANNEL_STATE_CLOSED);
}
END_TEST

/* Mid-read or mid-write: pending I/O is aborted first, queued output
 * discarded, the transport aborted (no graceful close), CLOSED at once. */
START_TEST(test_close_abortive)
{
	struct channel *ch;
	const char *why = NULL;
	struct op *r, *s, *cl;
	int i;

	for (i = 0; i < 3; i++) {
		ch = chan_opened();
		s = c_send(ch, "urn:queued");
		r = NULL;
		if (i == 0) {
			r = c_read_start(ch);
			fake_deliver_message(ch, "urn:m");
			HR_EQ(r->hr, S_OK);	/* now mid-read */
			r = NULL;
		} else if (i == 1)
			HR_EQ(channel_write_start(ch, &why), S_OK);
		else
			r = c_receive(ch);	/* a receive in progress */
		cl = c_close(ch);
		HR_EQ(cl->call_hr, S_OK);
		ck_assert_msg(cl->refused, "close %d waited", i);
		STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
		ck_assert_int_eq(fake_chan_of(ch)->closes, 0);
		ck_assert_int_ge(fake_chan_of(ch)->aborts, 1);
		ck_assert_int_eq(s->done, 1);
		HR_EQ(s->hr, WS_E_OPERATION_ABORTED);
		if (r != NULL)
			HR_EQ(r->hr, WS_E_OPERATION_ABORTED);
	}
}
END_TEST

/* An End record: every waiting receive WS_S_END; later receives answer
 * WS_S_END at once; the channel stays OPEN. */
START_TEST(test_end_record)
{
	struct channel *ch = chan_opened();
	struct op *r1, *r2, *rr, *m;

	m = c_receive(ch);
	fake_deliver_message(ch, "urn:first");
	HR_EQ(m->hr, S_OK);
	ck_assert_str_eq(m->action, "urn:first");
	r1 = c_receive(ch);
	r2 = c_read_start(ch);
	fake_peer_end(ch);
	HR_EQ(r1->hr, WS_S_END);
	HR_EQ(r2->hr, WS_S_END);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	HR_EQ(c_receive(ch)->call_hr, WS_S_END);
	HR_EQ(c_read_start(ch)->call_hr, WS_S_END);
	rr = c_request_reply(ch, "urn:late");
	HR_EQ(rr->call_hr, WS_S_END);
	/* Sending is still allowed, and the close is graceful. */
	HR_EQ(c_send(ch, "urn:bye")->call_hr, S_OK);
	HR_EQ(c_close(ch)->call_hr, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSING);
	fake_closed(ch);
}
END_TEST

/* A message that arrives before anyone asked waits for the receive;
 * read start leaves the channel mid-read until read end. */
START_TEST(test_receive_buffered_and_read)
{
	struct channel *ch = chan_opened();
	const char *why = NULL;
	struct op *r, *rs, *rr;

	fake_deliver_message(ch, "urn:early");
	r = c_receive(ch);
	ck_assert_int_eq(r->done, 1);
	ck_assert_str_eq(r->action, "urn:early");
	rs = c_read_start(ch);
	fake_deliver_message(ch, "urn:read");
	HR_EQ(rs->hr, S_OK);
	HR_EQ(c_receive(ch)->call_hr, WS_E_INVALID_OPERATION);
	HR_EQ(channel_read_end(ch, &why), S_OK);
	HR_EQ(channel_read_end(ch, &why), WS_E_INVALID_OPERATION);
	HR_EQ(channel_abandon(ch, &why), E_INVALIDARG);
	rr = c_request_reply(ch, "urn:req");
	ck_assert_str_eq(fake_chan_of(ch)->last_sent, "urn:req");
	fake_sent(ch);
	ck_assert_int_eq(rr->done, 0);
	fake_deliver_message(ch, "urn:reply");
	HR_EQ(rr->hr, S_OK);
	ck_assert_str_eq(rr->action, "urn:reply");
	HR_EQ(channel_write_start(ch, &why), S_OK);
	HR_EQ(channel_write_start(ch, &why), WS_E_INVALID_OPERATION);
	HR_EQ(c_send(ch, "urn:x")->call_hr, WS_E_INVALID_OPERATION);
	HR_EQ(channel_abandon(ch, &why), S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	HR_EQ(c_write_end(ch, "urn:x")->call_hr, WS_E_INVALID_OPERATION);
}
END_TEST

/* Shutdown: session channels once; afterwards no more sends. */
START_TEST(test_shutdown)
{
	struct channel *ch = chan_opened(), *u;
	const char *why = NULL, *s;
	struct op *sd;
	uint64_t v;

	sd = c_shutdown(ch);
	HR_EQ(sd->call_hr, S_OK);
	fake_sent(ch);
	HR_EQ(sd->hr, S_OK);
	HR_EQ(channel_get_property(ch, WS_CHANNEL_PROPERTY_IS_SESSION_SHUT_DOWN,
	    &v, &s, &why), S_OK);
	ck_assert_uint_eq(v, 1);
	HR_EQ(c_shutdown(ch)->call_hr, WS_E_INVALID_OPERATION);
	HR_EQ(c_send(ch, "urn:x")->call_hr, WS_E_INVALID_OPERATION);
	HR_EQ(channel_write_start(ch, &why), WS_E_INVALID_OPERATION);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);

	u = chan_new_props(WS_UDP_CHANNEL_BINDING, NULL, NULL, 0);
	HR_EQ(c_open(u)->call_hr, S_OK);
	fake_open_succeeds(u);
	HR_EQ(c_shutdown(u)->call_hr, WS_E_INVALID_OPERATION);
	ck_assert_int_eq(fake_chan_of(u)->shutdowns, 0);
}
END_TEST

/* A transport fault: FAULTED with that HRESULT, every pending ends with
 * it, the transport is gone; during OPENING and ACCEPTING too. */
START_TEST(test_fault)
{
	struct channel *ch = chan_opened(), *oc, *ac;
	struct listener *ls;
	struct op *o[4], *op, *acc, *cl;
	int i;

	o[0] = c_send(ch, "urn:a");
	o[1] = c_receive(ch);
	o[2] = c_request_reply(ch, "urn:b");
	o[3] = c_send(ch, "urn:c");
	fake_fail(ch, WS_E_ENDPOINT_DISCONNECTED);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(o[i]->done, 1);
		HR_EQ(o[i]->hr, WS_E_ENDPOINT_DISCONNECTED);
		ck_assert_uint_eq(o[i]->state, WS_CHANNEL_STATE_FAULTED);
	}
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(event_cause(ch->id, FA), WS_E_ENDPOINT_DISCONNECTED);
	ck_assert(!fake_chan_of(ch)->live);
	ck_assert_uint_eq(channel_abort(ch), 0);

	oc = chan_new();
	op = c_open(oc);
	fake_fail(oc, WS_E_ENDPOINT_NOT_FOUND);
	HR_EQ(op->hr, WS_E_ENDPOINT_NOT_FOUND);
	STATE_EQ(oc, WS_CHANNEL_STATE_FAULTED);

	ls = lis_open();
	ac = chan_new();
	acc = c_accept(ls, ac);
	ck_assert(fake_incoming(ls) == ac);
	fake_fail(ac, WS_E_INVALID_FORMAT);
	HR_EQ(acc->hr, WS_E_INVALID_FORMAT);
	STATE_EQ(ac, WS_CHANNEL_STATE_FAULTED);
	ck_assert_uint_eq(ls_state(ls), WS_LISTENER_STATE_OPEN);

	/* A fault while closing still ends the close, CLOSED. */
	ch = chan_opened();
	cl = c_close(ch);
	fake_fail(ch, WS_E_ENDPOINT_DISCONNECTED);
	HR_EQ(cl->hr, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
}
END_TEST

/* Opens that fail: a wrong URL or a transport that refuses answer at
 * once and fault the channel; a refused connect completes the open. */
START_TEST(test_open_failures)
{
	struct channel *ch;
	const char *why = NULL;
	struct op *o;

	ch = chan_new();
	o = op_new("open", PENDING_OPEN, &sess);
	op_result(o, channel_open(ch, url_for(WS_HTTP_CHANNEL_BINDING), o->p,
	    &why));
	HR_EQ(o->call_hr, WS_E_INVALID_ENDPOINT_URL);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	ck_assert_int_eq(fake_chan_of(ch)->opens, 0);

	ch = chan_new();
	fake_check_hr = WS_E_NOT_SUPPORTED;
	HR_EQ(c_open(ch)->call_hr, WS_E_NOT_SUPPORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	fake_check_hr = S_OK;

	ch = chan_new();
	fake_open_hr = WS_E_ENDPOINT_UNREACHABLE;
	o = c_open(ch);
	HR_EQ(o->call_hr, S_OK);
	ck_assert_int_eq(o->done, 1);
	HR_EQ(o->hr, WS_E_ENDPOINT_UNREACHABLE);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	ck_assert(!fake_chan_of(ch)->live);
}
END_TEST

/* States are real: every transition is reported, in order. */
START_TEST(test_transitions_reported)
{
	static const uint32_t want[][2] = {
		{ CR, OG }, { OG, OP }, { OP, CG }, { CG, CD }, { CD, CR },
	};
	struct channel *ch = chan_opened();
	const char *why = NULL;
	size_t n = 0;
	int e;

	HR_EQ(c_close(ch)->call_hr, S_OK);
	fake_closed(ch);
	HR_EQ(channel_reset(ch, &why), S_OK);
	for (e = 0; e < nevents; e++) {
		if (events[e].is_listener || events[e].object != ch->id)
			continue;
		ck_assert_uint_lt(n, sizeof(want) / sizeof(want[0]));
		ck_assert_uint_eq(events[e].old_state, want[n][0]);
		ck_assert_uint_eq(events[e].new_state, want[n][1]);
		n++;
	}
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
}
END_TEST

/* CONNECT_TIMEOUT and CLOSE_TIMEOUT, set tiny: only the results. */
START_TEST(test_timeouts)
{
	uint32_t id = WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT;
	uint64_t val = 1;
	struct channel *ch;
	const char *why = NULL;
	struct op *o, *cl, *s;

	ch = chan_new_props(WS_TCP_CHANNEL_BINDING, &id, &val, 1);
	o = c_open(ch);
	loop_until_done(o);
	HR_EQ(o->hr, WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	ck_assert(!fake_chan_of(ch)->live);

	ch = chan_opened();
	HR_EQ(channel_set_property(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, 1,
	    &why), S_OK);
	s = c_send(ch, "urn:stuck");
	cl = c_close(ch);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSING);
	loop_until_done(cl);
	HR_EQ(cl->hr, WS_E_OPERATION_TIMED_OUT);
	ck_assert_int_eq(s->done, 1);
	ck_assert(s->hr < 0);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	ck_assert(!fake_chan_of(ch)->live);
	ck_assert_int_ge(fake_chan_of(ch)->aborts, 1);

	/* An open that succeeds in time stops its timer. */
	val = 20;
	ch = chan_new_props(WS_TCP_CHANNEL_BINDING, &id, &val, 1);
	o = c_open(ch);
	fake_open_succeeds(ch);
	loop_for(40);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	ck_assert_int_eq(o->done, 1);
}
END_TEST

/* SEND_TIMEOUT and RECEIVE_TIMEOUT, set tiny, on each call that waits for
 * one: the call ends WS_E_OPERATION_TIMED_OUT, the channel FAULTED, and
 * the other pending operation ends once with the same HRESULT. */
static const struct io_timeout_row {
	const char	*name;
	enum call	 call;
	uint32_t	 prop;		/* the timeout set to 1 ms */
	bool		 disabled;	/* ENABLE_TIMEOUTS FALSE too */
} io_timeout_rows[] = {
	{ "receive", C_RECEIVE, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, false },
	{ "read start", C_READ_START, WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT,
	    false },
	{ "request-reply", C_REQUEST_REPLY,
	    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, false },
	{ "send", C_SEND, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, false },
	{ "write end", C_WRITE_END, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, false },
	{ "shutdown", C_SHUTDOWN, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, false },
	/* A timeout given explicitly holds even so (bindings.md). */
	{ "receive, given, timeouts disabled", C_RECEIVE,
	    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT, true },
	{ "send, given, timeouts disabled", C_SEND,
	    WS_CHANNEL_PROPERTY_SEND_TIMEOUT, true },
};

START_TEST(test_io_timeouts)
{
	const struct io_timeout_row *r = &io_timeout_rows[_i];
	uint32_t ids[2] = { r->prop, WS_CHANNEL_PROPERTY_ENABLE_TIMEOUTS };
	uint64_t vals[2] = { 1, 0 };
	const char *why = NULL;
	struct channel *ch;
	struct op *o, *side;
	bool sends = r->prop == WS_CHANNEL_PROPERTY_SEND_TIMEOUT;

	ch = chan_new_props(WS_TCP_CHANNEL_BINDING, ids, vals,
	    r->disabled ? 2 : 1);
	HR_EQ(c_open(ch)->call_hr, S_OK);
	fake_open_succeeds(ch);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);
	/* The other kind of operation, without a timeout of its own. */
	side = sends ? c_receive(ch) : c_send(ch, "urn:other");
	HR_EQ(side->call_hr, S_OK);
	if (r->call == C_WRITE_END)
		HR_EQ(channel_write_start(ch, &why), S_OK);
	o = c_op(r->call, ch, "urn:waits");
	ck_assert_msg(o->call_hr == S_OK && o->done == 0, "%s: %s at once",
	    r->name, hr_name(o->call_hr));
	loop_until_done(o);
	ck_assert_msg(o->hr == WS_E_OPERATION_TIMED_OUT, "%s: got %s",
	    r->name, hr_name(o->hr));
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(event_cause(ch->id, WS_CHANNEL_STATE_FAULTED),
	    WS_E_OPERATION_TIMED_OUT);
	ck_assert_int_eq(side->done, 1);
	HR_EQ(side->hr, WS_E_OPERATION_TIMED_OUT);
	ck_assert(!fake_chan_of(ch)->live);
	ck_assert_int_eq(pending_count(&ch->pendings), 0);
}
END_TEST

/* An operation that ends in time stops its timer: nothing times out
 * later, and a timer never outlives its pending (an abort, a message). */
START_TEST(test_io_timeouts_stop)
{
	uint32_t ids[2] = { WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT,
	    WS_CHANNEL_PROPERTY_SEND_TIMEOUT };
	uint64_t vals[2] = { 20, 20 };
	struct channel *ch;
	struct op *r, *s;

	ch = chan_new_props(WS_TCP_CHANNEL_BINDING, ids, vals, 2);
	HR_EQ(c_open(ch)->call_hr, S_OK);
	fake_open_succeeds(ch);
	r = c_receive(ch);
	s = c_send(ch, "urn:leaves");
	fake_deliver_message(ch, "urn:arrives");
	fake_sent(ch);
	ck_assert_int_eq(r->done, 1);
	HR_EQ(r->hr, S_OK);
	ck_assert_int_eq(s->done, 1);
	HR_EQ(s->hr, S_OK);
	loop_for(50);
	STATE_EQ(ch, WS_CHANNEL_STATE_OPEN);

	/* Aborted before the timeout: ended once, with ABORTED. */
	r = c_receive(ch);
	ck_assert_uint_eq(channel_abort(ch), 1);
	loop_for(50);
	ck_assert_int_eq(r->done, 1);
	HR_EQ(r->hr, WS_E_OPERATION_ABORTED);
	HR_EQ(event_cause(ch->id, WS_CHANNEL_STATE_FAULTED),
	    WS_E_OPERATION_ABORTED);
}
END_TEST

/* What a timeout is worth (channel_timeout): the property, unless
 * ENABLE_TIMEOUTS is FALSE and the caller did not give it (INFINITE). */
START_TEST(test_timeout_values)
{
	static const uint32_t timeouts[] = {
		WS_CHANNEL_PROPERTY_RESOLVE_TIMEOUT,
		WS_CHANNEL_PROPERTY_CONNECT_TIMEOUT,
		WS_CHANNEL_PROPERTY_SEND_TIMEOUT,
		WS_CHANNEL_PROPERTY_RECEIVE_RESPONSE_TIMEOUT,
		WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT,
		WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT,
	};
	uint32_t ids[2] = { WS_CHANNEL_PROPERTY_ENABLE_TIMEOUTS,
	    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT };
	uint64_t vals[2] = { 0, 1234 };
	struct channel *on, *off;
	const char *why = NULL;
	size_t i;

	on = chan_new();
	off = chan_new_props(WS_TCP_CHANNEL_BINDING, ids, vals, 2);
	ck_assert_uint_eq(channel_timeout(on, WS_CHANNEL_PROPERTY_SEND_TIMEOUT),
	    30000);
	ck_assert_uint_eq(channel_timeout(on,
	    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT), 0xffffffffu);
	for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		ck_assert_uint_eq(channel_timeout(on, timeouts[i]),
		    channel_prop_value(on, timeouts[i]));
		if (timeouts[i] != WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT)
			ck_assert_uint_eq(channel_timeout(off, timeouts[i]),
			    0xffffffffu);
	}
	ck_assert_uint_eq(channel_timeout(off,
	    WS_CHANNEL_PROPERTY_RECEIVE_TIMEOUT), 1234);
	/* Set later counts as given, and survives reset. */
	HR_EQ(channel_set_property(off, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, 77,
	    &why), S_OK);
	HR_EQ(channel_reset(off, &why), S_OK);
	ck_assert_uint_eq(channel_timeout(off, WS_CHANNEL_PROPERTY_SEND_TIMEOUT),
	    77);
}
END_TEST

/* Properties: the creation defaults of the spec, read-only ones refused,
 * user-set ones kept by reset. */
START_TEST(test_properties)
{
	struct channel *t = chan_new(), *u;
	const char *why = NULL, *s;
	uint64_t v;

#define GET(ch, id, want) do {						\
	HR_EQ(channel_get_property(ch, id, &v, &s, &why), S_OK);	\
	ck_assert_uint_eq(v, want);					\
} while (0)
	GET(t, WS_CHANNEL_PROPERTY_MAX_BUFFERED_MESSAGE_SIZE, 65536);
	GET(t, WS_CHANNEL_PROPERTY_ENVELOPE_VERSION, WS_ENVELOPE_VERSION_SOAP_1_2);
	GET(t, WS_CHANNEL_PROPERTY_ADDRESSING_VERSION,
	    WS_ADDRESSING_VERSION_1_0);
	GET(t, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_BINARY_SESSION_1);
	GET(t, WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE, 2048);
	GET(t, WS_CHANNEL_PROPERTY_CHANNEL_TYPE, WS_CHANNEL_TYPE_DUPLEX_SESSION);
	u = chan_new_props(WS_UDP_CHANNEL_BINDING, NULL, NULL, 0);
	GET(u, WS_CHANNEL_PROPERTY_ENCODING, WS_ENCODING_XML_UTF8);
	HR_EQ(channel_get_property(u,
	    WS_CHANNEL_PROPERTY_MAX_SESSION_DICTIONARY_SIZE, &v, &s, &why),
	    E_INVALIDARG);
	HR_EQ(channel_set_property(t, WS_CHANNEL_PROPERTY_STATE, 3, &why),
	    E_INVALIDARG);
	HR_EQ(channel_set_property(t, WS_CHANNEL_PROPERTY_CHANNEL_TYPE, 3,
	    &why), E_INVALIDARG);
	HR_EQ(channel_set_property(t, WS_CHANNEL_PROPERTY_ENCODING,
	    WS_ENCODING_XML_UTF8, &why), E_INVALIDARG);
	HR_EQ(channel_set_property(t, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, 4321,
	    &why), S_OK);
	HR_EQ(c_close(t)->call_hr, S_OK);
	HR_EQ(channel_reset(t, &why), S_OK);
	GET(t, WS_CHANNEL_PROPERTY_SEND_TIMEOUT, 4321);
#undef GET
}
END_TEST

/* The state comes before what a call needs of the channel's kind: a
 * FAULTED channel that is not a session answers shutdown with
 * WS_E_OBJECT_FAULTED (Windows, in Wine's channel tests, answers a FAULTED
 * channel's shutdown so), an OPEN one WS_E_INVALID_OPERATION. */
START_TEST(test_state_before_kind)
{
	struct channel *u = chan_new_props(WS_UDP_CHANNEL_BINDING, NULL, NULL,
	    0);
	const char *why = NULL;
	struct op *o;

	HR_EQ(c_shutdown(u)->call_hr, WS_E_INVALID_OPERATION);
	o = c_open(u);
	HR_EQ(o->call_hr, S_OK);
	fake_open_succeeds(u);
	STATE_EQ(u, WS_CHANNEL_STATE_OPEN);
	HR_EQ(c_shutdown(u)->call_hr, WS_E_INVALID_OPERATION);
	/* No message is being read or written: FAULTED says it first. */
	channel_abort(u);
	STATE_EQ(u, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(c_shutdown(u)->call_hr, WS_E_OBJECT_FAULTED);
	HR_EQ(channel_read_end(u, &why), WS_E_OBJECT_FAULTED);
	HR_EQ(c_write_end(u, "urn:x")->call_hr, WS_E_OBJECT_FAULTED);
	channel_free(u);
	loop_turn();
}
END_TEST

/* Listener properties are given at create and refused later, as Windows
 * refuses WsSetListenerProperty(LISTEN_BACKLOG / IP_VERSION) with
 * E_INVALIDARG; a refused set changes nothing. */
START_TEST(test_listener_properties_create_only)
{
	static const uint32_t ids[] = { WS_LISTENER_PROPERTY_LISTEN_BACKLOG,
	    WS_LISTENER_PROPERTY_IP_VERSION,
	    WS_LISTENER_PROPERTY_CONNECT_TIMEOUT,
	    WS_LISTENER_PROPERTY_CLOSE_TIMEOUT };
	static const uint64_t vals[] = { 7, WS_IP_VERSION_4, 4321, 1234 };
	static const uint64_t later[] = { 9, WS_IP_VERSION_6, 999, 888 };
	struct listener *ls;
	const char *why = NULL, *s;
	uint64_t v;
	size_t i;

	HR_EQ(listener_new(&sess, WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, ids, vals, 4, &ls, &why), S_OK);
	for (i = 0; i < 4; i++) {
		why = NULL;
		HR_EQ(listener_set_property(ls, ids[i], later[i], &why),
		    E_INVALIDARG);
		ck_assert_str_eq(why, "property can only be set at creation");
		HR_EQ(listener_get_property(ls, ids[i], &v, &s, &why), S_OK);
		ck_assert_uint_eq(v, vals[i]);
	}
	HR_EQ(listener_open(ls, url_for(WS_TCP_CHANNEL_BINDING), &why), S_OK);
	HR_EQ(listener_set_property(ls, WS_LISTENER_PROPERTY_CONNECT_TIMEOUT,
	    1, &why), E_INVALIDARG);
	HR_EQ(listener_set_property(ls, WS_LISTENER_PROPERTY_STATE, 0, &why),
	    E_INVALIDARG);
	listener_free(ls);
	loop_turn();
}
END_TEST

/* ---- free from inside a completion callback ------------------------------ */

static void
hook_free_channel(struct op *o)
{
	channel_free(o->hook_arg);
}

static void
hook_abort_channel(struct op *o)
{
	channel_abort(o->hook_arg);
}

/* The channel is freed (or aborted) while its own callback is on the
 * stack, from each path that completes pendings; ASan is the judge. */
START_TEST(test_free_in_callback)
{
	struct channel *ch;
	struct listener *ls;
	struct op *a, *b;

	/* From an abort. */
	ch = chan_new();
	a = c_open(ch);
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	channel_abort(ch);
	HR_EQ(a->hr, WS_E_OPERATION_ABORTED);

	/* From a fault, with a second pending behind. */
	ch = chan_opened();
	a = c_receive(ch);
	b = c_send(ch, "urn:x");
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	fake_fail(ch, WS_E_ENDPOINT_DISCONNECTED);
	HR_EQ(a->hr, WS_E_ENDPOINT_DISCONNECTED);
	ck_assert_int_eq(b->done, 1);

	/* From a delivered message, with another receive waiting. */
	ch = chan_opened();
	a = c_receive(ch);
	b = c_receive(ch);
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	fake_deliver_message(ch, "urn:m");
	HR_EQ(a->hr, S_OK);
	HR_EQ(b->hr, WS_E_OPERATION_ABORTED);

	/* From a successful open, and an abort from inside a send's. */
	ch = chan_new();
	a = c_open(ch);
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	fake_open_succeeds(ch);
	ch = chan_opened();
	a = c_send(ch, "urn:1");
	b = c_send(ch, "urn:2");
	a->hook = hook_abort_channel;
	a->hook_arg = ch;
	fake_sent(ch);
	HR_EQ(a->hr, S_OK);
	HR_EQ(b->hr, WS_E_OPERATION_ABORTED);

	/* From a finished close and from a close timeout. */
	ch = chan_opened();
	a = c_close(ch);
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	fake_closed(ch);
	ch = chan_opened();
	HR_EQ(channel_set_property(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, 1,
	    &(const char *){ NULL }), S_OK);
	a = c_close(ch);
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	loop_until_done(a);

	/* From an accept ended by the listener's close. */
	ls = lis_open();
	ch = chan_new();
	a = c_accept(ls, ch);
	a->hook = hook_free_channel;
	a->hook_arg = ch;
	HR_EQ(listener_close(ls), S_OK);
	HR_EQ(a->hr, WS_E_OPERATION_ABORTED);
	loop_turn();
}
END_TEST

/* ---- listeners --------------------------------------------------------------- */

enum { LV_CREATED, LV_OPEN, LV_FAILED, LV_ABORTED, LV_CLOSED, NLVARIANTS };

static const struct {
	const char	*name;
	uint32_t	 state;
} lvariants[NLVARIANTS] = {
	{ "CREATED", WS_LISTENER_STATE_CREATED },
	{ "OPEN", WS_LISTENER_STATE_OPEN },
	{ "FAULTED (listen failed)", WS_LISTENER_STATE_FAULTED },
	{ "FAULTED (abort)", WS_LISTENER_STATE_FAULTED },
	{ "CLOSED", WS_LISTENER_STATE_CLOSED },
};

enum { L_OPEN, L_ACCEPT, L_CLOSE, L_ABORT, L_RESET, L_GET, L_SET, L_FREE,
	NLCALLS };

#define LCR	WS_LISTENER_STATE_CREATED
#define LOP	WS_LISTENER_STATE_OPEN
#define LFA	WS_LISTENER_STATE_FAULTED
#define LCD	WS_LISTENER_STATE_CLOSED

static const struct {
	const char	*name;
	int32_t		 hr[NLVARIANTS];
	uint32_t	 after[NLVARIANTS];
} lcall_rows[NLCALLS] = {
	{ "open", { OK, IO, OF, OF, IO }, { LOP, SAME, SAME, SAME, SAME } },
	{ "accept", { IO, OK, OF, OF, IO }, { SAME, LOP, SAME, SAME, SAME } },
	{ "close", { OK, OK, OK, OK, OK }, { LCD, LCD, LCD, LCD, LCD } },
	{ "abort", { OK, OK, OK, OK, OK }, { LCR, LFA, LFA, LFA, LCD } },
	{ "reset", { OK, IO, IO, IO, OK }, { LCR, SAME, SAME, SAME, LCR } },
	{ "get property", { OK, OK, OK, OK, OK },
	    { SAME, SAME, SAME, SAME, SAME } },
	/* Windows sets listener properties at create only (props.c). */
	{ "set property", { IA, IA, IA, IA, IA },
	    { SAME, SAME, SAME, SAME, SAME } },
	{ "free", { OK, OK, OK, OK, OK }, { SAME, SAME, SAME, SAME, SAME } },
};

static struct listener *
lis_in(int v)
{
	struct listener *ls = lis_new();
	const char *why = NULL;

	switch (v) {
	case LV_OPEN:
	case LV_ABORTED:
	case LV_CLOSED:
		HR_EQ(listener_open(ls, url_for(WS_TCP_CHANNEL_BINDING), &why),
		    S_OK);
		if (v == LV_ABORTED)
			listener_abort(ls);
		else if (v == LV_CLOSED)
			HR_EQ(listener_close(ls), S_OK);
		break;
	case LV_FAILED:
		fake_listen_hr = WS_E_ADDRESS_IN_USE;
		HR_EQ(listener_open(ls, url_for(WS_TCP_CHANNEL_BINDING), &why),
		    WS_E_ADDRESS_IN_USE);
		fake_listen_hr = S_OK;
		break;
	default:
		break;
	}
	ck_assert_uint_eq(ls_state(ls), lvariants[v].state);
	return ls;
}

START_TEST(test_listener_call_in_state)
{
	int c = _i / NLVARIANTS, v = _i % NLVARIANTS;
	struct listener *ls = lis_in(v), *found;
	struct channel *ch = chan_new();
	const char *why = NULL, *s;
	int32_t hr = S_OK, want = lcall_rows[c].hr[v];
	uint64_t u, id = ls->id;
	struct op *o = NULL;
	uint32_t after;

	switch (c) {
	case L_OPEN:
		hr = listener_open(ls, url_for(WS_TCP_CHANNEL_BINDING), &why);
		break;
	case L_ACCEPT:
		o = c_accept(ls, ch);
		hr = o->call_hr;
		break;
	case L_CLOSE:
		hr = listener_close(ls);
		break;
	case L_ABORT:
		ck_assert_uint_eq(listener_abort(ls), 0);
		break;
	case L_RESET:
		hr = listener_reset(ls, &why);
		break;
	case L_GET:
		if ((hr = listener_get_property(ls, WS_LISTENER_PROPERTY_STATE,
		    &u, &s, &why)) == S_OK)
			ck_assert_uint_eq(u, lvariants[v].state);
		break;
	case L_SET:
		hr = listener_set_property(ls,
		    WS_LISTENER_PROPERTY_CONNECT_TIMEOUT, 4321, &why);
		break;
	default:
		listener_free(ls);
		HR_EQ(registry_lookup_listener(&sess, id, &found), E_INVALIDARG);
		break;
	}
	ck_assert_msg(hr == want, "listener %s in %s: got %s, want %s",
	    lcall_rows[c].name, lvariants[v].name, hr_name(hr), hr_name(want));
	if (c == L_FREE)
		return;
	after = lcall_rows[c].after[v] == SAME ? lvariants[v].state :
	    lcall_rows[c].after[v];
	ck_assert_msg(ls_state(ls) == after, "listener %s in %s: state %u, "
	    "want %u", lcall_rows[c].name, lvariants[v].name, ls_state(ls),
	    after);
	if (c == L_ACCEPT)
		STATE_EQ(ch, hr == S_OK ? WS_CHANNEL_STATE_ACCEPTING :
		    WS_CHANNEL_STATE_CREATED);
}
END_TEST

/* Close and abort end every waiting accept with WS_E_OPERATION_ABORTED
 * in the call; those channels become FAULTED. */
START_TEST(test_listener_close_abort_accepts)
{
	struct listener *ls;
	struct channel *ch[3];
	struct op *a[3];
	int round, i;

	for (round = 0; round < 2; round++) {
		ls = lis_open();
		for (i = 0; i < 3; i++) {
			ch[i] = chan_new();
			a[i] = c_accept(ls, ch[i]);
			HR_EQ(a[i]->call_hr, S_OK);
			STATE_EQ(ch[i], WS_CHANNEL_STATE_ACCEPTING);
		}
		ck_assert_int_eq(fake_lis_of(ls)->accepts, 3);
		if (round == 0) {
			HR_EQ(listener_close(ls), S_OK);
			ck_assert_uint_eq(ls_state(ls), WS_LISTENER_STATE_CLOSED);
		} else {
			ck_assert_uint_eq(listener_abort(ls), 3);
			ck_assert_uint_eq(ls_state(ls), WS_LISTENER_STATE_FAULTED);
		}
		ck_assert(!fake_lis_of(ls)->live);
		for (i = 0; i < 3; i++) {
			ck_assert_int_eq(a[i]->done, 1);
			HR_EQ(a[i]->hr, WS_E_OPERATION_ABORTED);
			ck_assert_uint_eq(a[i]->state, WS_CHANNEL_STATE_FAULTED);
			STATE_EQ(ch[i], WS_CHANNEL_STATE_FAULTED);
		}
		/* The listener comes back after close (and reset). */
		if (round == 0) {
			HR_EQ(listener_reset(ls, &(const char *){ NULL }), S_OK);
			HR_EQ(listener_open(ls, url_for(WS_TCP_CHANNEL_BINDING),
			    &(const char *){ NULL }), S_OK);
			ck_assert_int_eq(fake_lis_of(ls)->listens, 2);
		}
	}
}
END_TEST

/*
 * An accept aborted at once, then more accepts on the same listener: they
 * work (a bug report says an aborted async accept poisons the listener;
 * this is the core's share of it).  The aborted channel, closed and
 * reset, accepts again.
 */
START_TEST(test_listener_accept_after_abort)
{
	struct listener *ls = lis_open();
	struct channel *c1 = chan_new(), *c2 = chan_new(), *c3 = chan_new();
	const char *why = NULL;
	struct op *a1, *a2, *a3, *a4;

	a1 = c_accept(ls, c1);
	ck_assert_uint_eq(channel_abort(c1), 1);
	HR_EQ(a1->hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(c1, WS_CHANNEL_STATE_FAULTED);
	ck_assert_uint_eq(ls_state(ls), WS_LISTENER_STATE_OPEN);

	a2 = c_accept(ls, c2);
	HR_EQ(a2->call_hr, S_OK);
	a3 = c_accept(ls, c3);
	/* Arrival order: the first peer goes to the first accept. */
	ck_assert(fake_incoming(ls) == c2);
	fake_open_succeeds(c2);
	HR_EQ(a2->hr, S_OK);
	STATE_EQ(c2, WS_CHANNEL_STATE_OPEN);

	/* A peer that drops before its preamble: the accept waits on. */
	ck_assert(fake_incoming(ls) == c3);
	fake_incoming_drop(ls, c3);
	ck_assert_int_eq(a3->done, 0);
	STATE_EQ(c3, WS_CHANNEL_STATE_ACCEPTING);
	ck_assert(fake_incoming(ls) == c3);
	/* Aborted in its preamble: the transport goes, the listener stays. */
	ck_assert_uint_eq(channel_abort(c3), 1);
	HR_EQ(a3->hr, WS_E_OPERATION_ABORTED);
	ck_assert(!fake_chan_of(c3)->live);
	ck_assert(fake_incoming(ls) == NULL);

	HR_EQ(c_close(c1)->call_hr, S_OK);
	HR_EQ(channel_reset(c1, &why), S_OK);
	a4 = c_accept(ls, c1);
	HR_EQ(a4->call_hr, S_OK);
	ck_assert(fake_incoming(ls) == c1);
	fake_open_succeeds(c1);
	HR_EQ(a4->hr, S_OK);
	STATE_EQ(c1, WS_CHANNEL_STATE_OPEN);
	ck_assert_uint_eq(ls_state(ls), WS_LISTENER_STATE_OPEN);
}
END_TEST

/* Accept preconditions: another binding or type is refused and changes
 * nothing; free of a listener ends its accepts. */
START_TEST(test_listener_accept_checks_and_free)
{
	struct listener *ls = lis_open();
	struct channel *u = chan_new_props(WS_UDP_CHANNEL_BINDING, NULL, NULL, 0);
	struct channel *ch = chan_new();
	struct op *a;

	a = c_accept(ls, u);
	HR_EQ(a->call_hr, E_INVALIDARG);
	STATE_EQ(u, WS_CHANNEL_STATE_CREATED);
	a = c_accept(ls, ch);
	listener_free(ls);
	ck_assert_int_eq(a->done, 1);
	HR_EQ(a->hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(ch, WS_CHANNEL_STATE_FAULTED);
}
END_TEST

/* ---- ownership ---------------------------------------------------------------- */

START_TEST(test_ownership)
{
	struct channel *ch = chan_new(), *found = NULL;
	struct listener *ls = lis_new(), *lfound = NULL;
	struct session root, admin;

	registry_session_init(&root, 0, 1, 0);
	registry_session_init(&admin, 2000, 2, 2000);
	HR_EQ(registry_lookup_channel(&other, ch->id, &found), E_ACCESSDENIED);
	ck_assert(found == NULL);
	HR_EQ(registry_lookup_listener(&other, ls->id, &lfound), E_ACCESSDENIED);
	ck_assert(lfound == NULL);
	HR_EQ(registry_lookup_channel(&other, 999999, &found), E_INVALIDARG);
	HR_EQ(registry_lookup_channel(&sess, ch->id, &found), S_OK);
	ck_assert(found == ch);
	HR_EQ(registry_lookup_channel(&root, ch->id, &found), S_OK);
	HR_EQ(registry_lookup_channel(&admin, ch->id, &found), E_ACCESSDENIED);
	registry_set_admin_gid(2000);
	HR_EQ(registry_lookup_channel(&admin, ch->id, &found), S_OK);
	registry_set_admin_gid((gid_t)-1);
}
END_TEST

/*
 * The end of a session: its pendings complete once, aborted, in the call
 * (even on another user's channel); what it owns is aborted and freed;
 * the other session's objects and work are untouched.
 */
START_TEST(test_session_end)
{
	struct channel *opening, *open, *closing, *acc, *theirs, *found;
	uint64_t ids[4], lid;
	struct listener *ls;
	struct op *o[6], *their_r, *mine_on_theirs;
	const char *why = NULL;
	struct session admin;
	int i;

	opening = chan_new();
	o[0] = c_open(opening);
	open = chan_opened();
	o[1] = c_send(open, "urn:s");
	o[2] = c_receive(open);
	closing = chan_opened();
	o[3] = c_close(closing);
	ls = lis_open();
	acc = chan_new();
	o[4] = c_accept(ls, acc);
	o[5] = c_request_reply(open, "urn:rr");
	ids[0] = opening->id;
	ids[1] = open->id;
	ids[2] = closing->id;
	ids[3] = acc->id;
	lid = ls->id;

	HR_EQ(channel_new(&other, WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, NULL, 0, &theirs, &why), S_OK);
	their_r = op_new("their open", PENDING_OPEN, &other);
	op_result(their_r, channel_open(theirs, url_for(WS_TCP_CHANNEL_BINDING),
	    their_r->p, &why));
	fake_open_succeeds(theirs);
	their_r = op_new("their receive", PENDING_RECEIVE, &other);
	op_result(their_r, channel_receive(theirs, their_r->p, &why));
	/* An administrator's receive on their channel, ended with the
	 * administrator's session. */
	registry_session_init(&admin, 0, 7, 0);
	mine_on_theirs = op_new("admin receive", PENDING_RECEIVE, &admin);
	op_result(mine_on_theirs, channel_receive(theirs, mine_on_theirs->p,
	    &why));

	registry_session_end(&sess);
	for (i = 0; i < 6; i++) {
		ck_assert_msg(o[i]->done == 1, "%s: %d completions",
		    o[i]->name, o[i]->done);
		HR_EQ(o[i]->hr, WS_E_OPERATION_ABORTED);
	}
	/* Freed (their memory goes at the next loop turn), transports down. */
	for (i = 0; i < 4; i++)
		ck_assert(registry_channel(ids[i]) == NULL);
	ck_assert(!fake_chan_of(opening)->live);
	ck_assert(!fake_chan_of(open)->live);
	ck_assert(!fake_chan_of(closing)->live);
	ck_assert(!fake_of(lid)->live);
	ck_assert(registry_listener(lid) == NULL);
	HR_EQ(registry_lookup_channel(&other, theirs->id, &found), S_OK);
	STATE_EQ(theirs, WS_CHANNEL_STATE_OPEN);
	ck_assert_int_eq(their_r->done, 0);

	registry_session_end(&admin);
	ck_assert_int_eq(mine_on_theirs->done, 1);
	HR_EQ(mine_on_theirs->hr, WS_E_OPERATION_ABORTED);
	STATE_EQ(theirs, WS_CHANNEL_STATE_OPEN);
	ck_assert_int_eq(their_r->done, 0);
	fake_deliver_message(theirs, "urn:still-works");
	HR_EQ(their_r->hr, S_OK);
	loop_turn();
}
END_TEST

/* ---- rows once known divergences, now fixed --------------------------- */

static void
hook_free_listener(struct op *o)
{
	listener_free(o->hook_arg);
}

/*
 * DESIGN.md: a channel's memory "and a listener's" is freed later from the
 * loop, so an abort can land inside any callback: freeing a listener from
 * an accept's completion while listener_close walks its accepts is safe
 * (ASan is the judge).
 */
START_TEST(test_div_listener_free_in_callback)
{
	struct listener *ls = lis_open();
	struct channel *c1 = chan_new(), *c2 = chan_new();
	struct op *a1, *a2;

	a1 = c_accept(ls, c1);
	a2 = c_accept(ls, c2);
	a1->hook = hook_free_listener;
	a1->hook_arg = ls;
	HR_EQ(listener_close(ls), S_OK);
	ck_assert_msg(a1->done == 1 && a2->done == 1, "spec: a listener freed "
	    "from an accept's callback during its close is safe and every "
	    "accept ends once");
	loop_turn();
}
END_TEST

/* Spec: CLOSE_TIMEOUT defaults to 30000 ms. */
START_TEST(test_div_close_timeout_default)
{
	struct channel *ch = chan_new();
	const char *why = NULL, *s;
	uint64_t v;

	HR_EQ(channel_get_property(ch, WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &v,
	    &s, &why), S_OK);
	ck_assert_msg(v == 30000, "spec: CLOSE_TIMEOUT default 30000 ms, "
	    "got %llu", (unsigned long long)v);
}
END_TEST

/* ---- known divergences: what the spec wants and today's core does not ---- */

/* Spec: "any transport or format failure leaves the channel FAULTED with
 * that error".  A send the transport refuses (connection reset) is
 * answered with its HRESULT but the channel stays OPEN. */
START_TEST(test_div_send_failure_faults)
{
	struct channel *ch = chan_opened();
	struct op *s;

	fake_send_hr = WS_E_ENDPOINT_DISCONNECTED;
	s = c_send(ch, "urn:x");
	HR_EQ(s->call_hr, WS_E_ENDPOINT_DISCONNECTED);
	ck_assert_msg(ch_state(ch) == WS_CHANNEL_STATE_FAULTED, "spec: a send "
	    "that fails in the transport leaves the channel FAULTED, got %s",
	    st_name(ch_state(ch)));
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc;

	tc = tcase_create("call_table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_call_in_state, 0, NCALLS * NVARIANTS);
	suite_add_tcase(s, tc);

	tc = tcase_create("abort");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_abort_in_state, 0, NVARIANTS);
	tcase_add_test(tc, test_abort_every_pending);
	tcase_add_test(tc, test_abort_write_and_open);
	tcase_add_test(tc, test_abort_then_reuse);
	tcase_add_test(tc, test_abort_then_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("close_end_fault");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_close_graceful);
	tcase_add_test(tc, test_close_abortive);
	tcase_add_test(tc, test_end_record);
	tcase_add_test(tc, test_receive_buffered_and_read);
	tcase_add_test(tc, test_shutdown);
	tcase_add_test(tc, test_fault);
	tcase_add_test(tc, test_open_failures);
	tcase_add_test(tc, test_transitions_reported);
	tcase_add_test(tc, test_timeouts);
	tcase_add_loop_test(tc, test_io_timeouts, 0,
	    sizeof(io_timeout_rows) / sizeof(io_timeout_rows[0]));
	tcase_add_test(tc, test_io_timeouts_stop);
	tcase_add_test(tc, test_timeout_values);
	tcase_add_test(tc, test_properties);
	tcase_add_test(tc, test_listener_properties_create_only);
	tcase_add_test(tc, test_state_before_kind);
	tcase_add_test(tc, test_free_in_callback);
	tcase_add_test(tc, test_div_close_timeout_default);
	suite_add_tcase(s, tc);

	tc = tcase_create("listener");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_listener_call_in_state, 0,
	    NLCALLS * NLVARIANTS);
	tcase_add_test(tc, test_listener_close_abort_accepts);
	tcase_add_test(tc, test_listener_accept_after_abort);
	tcase_add_test(tc, test_listener_accept_checks_and_free);
	tcase_add_test(tc, test_div_listener_free_in_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("ownership");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ownership);
	tcase_add_test(tc, test_session_end);
	suite_add_tcase(s, tc);

	/* Run only with WSCHANNEL_KNOWN_DIVERGENCE set: see the top. */
	tc = tcase_create("known_divergence");
	tcase_set_tags(tc, "known_divergence");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_div_send_failure_faults);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(core_suite());
	const char *exclude = "known_divergence";
	int failed;

	/* A fork per test costs more than the ~200 tests themselves (seconds
	 * under ASan); CK_FORK=yes brings the isolation back.  The known
	 * divergences run forked: one of them is a use after free. */
	if (getenv("WSCHANNEL_KNOWN_DIVERGENCE") != NULL)
		exclude = NULL;
	else if (getenv("CK_FORK") == NULL)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_tagged(sr, NULL, NULL, NULL, exclude, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
