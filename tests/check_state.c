/* The spec's call table, every call in every state (spec/channel-semantics.md). */
#include <check.h>
#include <stdlib.h>

#include <wschannel/webservices.h>

#include "state.h"

enum { CREATED, OPENING, ACCEPTING, OPEN, FAULTED, CLOSING, CLOSED, NSTATES };

/* Expected HRESULT for each channel call in each state, straight from the
 * spec: FAULTED answers open/accept/I/O with WS_E_OBJECT_FAULTED and reset
 * with WS_E_INVALID_OPERATION; other wrong states WS_E_INVALID_OPERATION. */
static const struct {
	enum ch_call	call;
	const char	*name;
	int32_t		hr[NSTATES];
} channel_table[] = {
#define IO WS_E_INVALID_OPERATION
#define OF WS_E_OBJECT_FAULTED
	{ CH_CALL_OPEN, "open", { S_OK, IO, IO, IO, OF, IO, IO } },
	{ CH_CALL_ACCEPT, "accept", { S_OK, IO, IO, IO, OF, IO, IO } },
	{ CH_CALL_IO, "send/receive", { IO, IO, IO, S_OK, OF, IO, IO } },
	{ CH_CALL_SHUTDOWN, "shutdown", { IO, IO, IO, S_OK, OF, IO, IO } },
	{ CH_CALL_CLOSE, "close", { S_OK, S_OK, S_OK, S_OK, S_OK, S_OK, S_OK } },
	{ CH_CALL_RESET, "reset", { S_OK, IO, IO, IO, IO, IO, S_OK } },
	{ CH_CALL_ABORT, "abort", { S_OK, S_OK, S_OK, S_OK, S_OK, S_OK, S_OK } },
	{ CH_CALL_FREE, "free", { S_OK, S_OK, S_OK, S_OK, S_OK, S_OK, S_OK } },
#undef IO
#undef OF
};

START_TEST(test_channel_table)
{
	size_t i;
	uint32_t s;

	for (i = 0; i < sizeof(channel_table) / sizeof(channel_table[0]); i++)
		for (s = 0; s < NSTATES; s++)
			ck_assert_msg(state_channel_check(channel_table[i].call, s) ==
			    channel_table[i].hr[s],
			    "%s in state %u: got 0x%08x, want 0x%08x",
			    channel_table[i].name, s,
			    (unsigned)state_channel_check(channel_table[i].call, s),
			    (unsigned)channel_table[i].hr[s]);
}
END_TEST

/* OPENING, ACCEPTING and OPEN become FAULTED; CLOSING becomes CLOSED;
 * CREATED, FAULTED and CLOSED are unchanged. */
START_TEST(test_channel_after_abort)
{
	static const uint32_t want[NSTATES] = {
		CREATED, FAULTED, FAULTED, FAULTED, FAULTED, CLOSED, CLOSED,
	};
	uint32_t s;

	for (s = 0; s < NSTATES; s++)
		ck_assert_uint_eq(state_channel_after_abort(s), want[s]);
}
END_TEST

START_TEST(test_listener_table)
{
	enum { L_CREATED, L_OPENING, L_OPEN, L_FAULTED, L_CLOSING, L_CLOSED, L_N };
	uint32_t s;

	for (s = 0; s < L_N; s++) {
		ck_assert_int_eq(state_listener_check(LS_CALL_OPEN, s),
		    s == L_CREATED ? S_OK : s == L_FAULTED ?
		    WS_E_OBJECT_FAULTED : WS_E_INVALID_OPERATION);
		ck_assert_int_eq(state_listener_check(LS_CALL_ACCEPT, s),
		    s == L_OPEN ? S_OK : s == L_FAULTED ?
		    WS_E_OBJECT_FAULTED : WS_E_INVALID_OPERATION);
		ck_assert_int_eq(state_listener_check(LS_CALL_RESET, s),
		    s == L_CREATED || s == L_CLOSED ? S_OK :
		    WS_E_INVALID_OPERATION);
		ck_assert_int_eq(state_listener_check(LS_CALL_CLOSE, s), S_OK);
		ck_assert_int_eq(state_listener_check(LS_CALL_ABORT, s), S_OK);
	}
	/* WsAbortListener leaves an open listener FAULTED. */
	ck_assert_uint_eq(state_listener_after_abort(L_OPEN), L_FAULTED);
	ck_assert_uint_eq(state_listener_after_abort(L_CREATED), L_CREATED);
	ck_assert_uint_eq(state_listener_after_abort(L_CLOSED), L_CLOSED);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_channel_table);
	tcase_add_test(tc, test_channel_after_abort);
	tcase_add_test(tc, test_listener_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
