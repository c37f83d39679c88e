/*
 * wsctl without a daemon: the command-line parser on good and bad command
 * lines, the socket and bus lookup, how D-Bus errors and paths are read,
 * and the text and JSON formatters on replies built by hand.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "busmap.h"
#include "ipc.h"
#include "wsctl.h"

#define ARGC(a)	((int)(sizeof(a) / sizeof((a)[0])) - 1)

static struct wsctl_cmd cmd;

static void
teardown(void)
{
	wsctl_cmd_clear(&cmd);
}

/* Parses a NULL-terminated argv and returns the action. */
#define PARSE(...) ({							\
	char *argv_[] = { "wsctl", __VA_ARGS__, NULL };			\
	wsctl_parse(ARGC(argv_), argv_, &cmd);				\
})

static void
assert_usage_error(enum wsctl_action a, const char *needle)
{
	ck_assert_int_eq(a, WSCTL_USAGE_ERROR);
	ck_assert_msg(strstr(cmd.error, needle) != NULL,
	    "error '%s' does not mention '%s'", cmd.error, needle);
}

/* ---- good command lines ----------------------------------------------- */

START_TEST(test_list)
{
	ck_assert_int_eq(PARSE("list"), WSCTL_RUN);
	ck_assert_str_eq(cmd.verb->name, "list");
	ck_assert_ptr_eq(cmd.verb->fn, wsctl_run_list);
	ck_assert(!cmd.json);
	ck_assert_ptr_null(cmd.socket);
	ck_assert_uint_eq(cmd.n_ids, 0);
	ck_assert(!cmd.has_pid);
	ck_assert(!cmd.all);
}
END_TEST

START_TEST(test_json_anywhere)
{
	ck_assert_int_eq(PARSE("--json", "list"), WSCTL_RUN);
	ck_assert(cmd.json);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("list", "--json"), WSCTL_RUN);
	ck_assert(cmd.json);
	ck_assert_str_eq(cmd.verb->name, "list");
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("abort", "3", "--json", "4"), WSCTL_RUN);
	ck_assert(cmd.json);
	ck_assert_uint_eq(cmd.n_ids, 2);
	ck_assert_uint_eq(cmd.ids[0], 3);
	ck_assert_uint_eq(cmd.ids[1], 4);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("show", "7", "--json"), WSCTL_RUN);
	ck_assert(cmd.json);
	ck_assert_uint_eq(cmd.ids[0], 7);
}
END_TEST

START_TEST(test_socket)
{
	ck_assert_int_eq(PARSE("--socket", "/tmp/a.sock", "list"), WSCTL_RUN);
	ck_assert_str_eq(cmd.socket, "/tmp/a.sock");
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("list", "--socket=/tmp/b.sock"), WSCTL_RUN);
	ck_assert_str_eq(cmd.socket, "/tmp/b.sock");
	wsctl_cmd_clear(&cmd);
	/* The last one wins, as with most tools. */
	ck_assert_int_eq(PARSE("--socket", "/x", "watch", "--socket", "/y"),
	    WSCTL_RUN);
	ck_assert_str_eq(cmd.socket, "/y");
	ck_assert_str_eq(cmd.verb->name, "watch");
}
END_TEST

START_TEST(test_bus)
{
	ck_assert_int_eq(PARSE("--bus", "system", "list"), WSCTL_RUN);
	ck_assert_str_eq(cmd.bus, "system");
	ck_assert_ptr_null(cmd.socket);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("watch", "--bus=session"), WSCTL_RUN);
	ck_assert_str_eq(cmd.bus, "session");
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("--bus", "unix:path=/tmp/b,guid=0123", "show",
	    "4"), WSCTL_RUN);
	ck_assert_str_eq(cmd.bus, "unix:path=/tmp/b,guid=0123");
	ck_assert_uint_eq(cmd.ids[0], 4);
}
END_TEST

START_TEST(test_show)
{
	ck_assert_int_eq(PARSE("show", "12"), WSCTL_RUN);
	ck_assert_str_eq(cmd.verb->name, "show");
	ck_assert_uint_eq(cmd.n_ids, 1);
	ck_assert_uint_eq(cmd.ids[0], 12);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("show", "18446744073709551615"), WSCTL_RUN);
	ck_assert_uint_eq(cmd.ids[0], UINT64_MAX);
}
END_TEST

START_TEST(test_abort_ids)
{
	ck_assert_int_eq(PARSE("abort", "1", "2", "30"), WSCTL_RUN);
	ck_assert_str_eq(cmd.verb->name, "abort");
	ck_assert_uint_eq(cmd.n_ids, 3);
	ck_assert_uint_eq(cmd.ids[0], 1);
	ck_assert_uint_eq(cmd.ids[1], 2);
	ck_assert_uint_eq(cmd.ids[2], 30);
	ck_assert(!cmd.has_pid);
	ck_assert(!cmd.all);
}
END_TEST

START_TEST(test_abort_pid)
{
	ck_assert_int_eq(PARSE("abort", "--pid", "4242"), WSCTL_RUN);
	ck_assert(cmd.has_pid);
	ck_assert_uint_eq(cmd.pid, 4242);
	ck_assert_uint_eq(cmd.n_ids, 0);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("abort", "--pid=17"), WSCTL_RUN);
	ck_assert_uint_eq(cmd.pid, 17);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("--pid", "2147483647", "abort"), WSCTL_RUN);
	ck_assert_uint_eq(cmd.pid, INT32_MAX);
}
END_TEST

START_TEST(test_abort_all)
{
	ck_assert_int_eq(PARSE("abort", "--all"), WSCTL_RUN);
	ck_assert(cmd.all);
	ck_assert(!cmd.has_pid);
	ck_assert_uint_eq(cmd.n_ids, 0);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("--json", "--all", "abort"), WSCTL_RUN);
	ck_assert(cmd.all);
	ck_assert(cmd.json);
}
END_TEST

START_TEST(test_double_dash)
{
	ck_assert_int_eq(PARSE("--", "list"), WSCTL_RUN);
	ck_assert_str_eq(cmd.verb->name, "list");
	wsctl_cmd_clear(&cmd);
	/* After "--" nothing is an option, so --json is a bad id. */
	assert_usage_error(PARSE("abort", "--", "5", "--json"), "--json");
}
END_TEST

START_TEST(test_help)
{
	ck_assert_int_eq(PARSE("--help"), WSCTL_HELP);
	ck_assert_ptr_null(cmd.verb);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("-h"), WSCTL_HELP);
	ck_assert_ptr_null(cmd.verb);
	wsctl_cmd_clear(&cmd);
	/* Each verb's --help, even without the arguments it needs. */
	ck_assert_int_eq(PARSE("abort", "--help"), WSCTL_HELP);
	ck_assert_str_eq(cmd.verb->name, "abort");
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("--help", "show"), WSCTL_HELP);
	ck_assert_str_eq(cmd.verb->name, "show");
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("watch", "-h"), WSCTL_HELP);
	ck_assert_str_eq(cmd.verb->name, "watch");
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("list", "--help", "--json"), WSCTL_HELP);
	ck_assert_str_eq(cmd.verb->name, "list");
}
END_TEST

/* --version and -V stand alone, wherever they are; --help wins. */
START_TEST(test_version)
{
	ck_assert_int_eq(PARSE("--version"), WSCTL_VERSION);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("-V"), WSCTL_VERSION);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("list", "--version"), WSCTL_VERSION);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("--json", "-V", "abort"), WSCTL_VERSION);
	wsctl_cmd_clear(&cmd);
	ck_assert_int_eq(PARSE("--version", "--help"), WSCTL_HELP);
	wsctl_cmd_clear(&cmd);
	/* A bad command line is still one. */
	assert_usage_error(PARSE("--version", "--bogus"), "--bogus");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--version=1"), "--version");
}
END_TEST

START_TEST(test_reparse)
{
	int i;

	/* getopt's state is reset by every call. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(PARSE("--json", "show", "9"), WSCTL_RUN);
		ck_assert_uint_eq(cmd.ids[0], 9);
		wsctl_cmd_clear(&cmd);
		assert_usage_error(PARSE("show"), "missing");
		wsctl_cmd_clear(&cmd);
	}
}
END_TEST

/* ---- bad command lines ------------------------------------------------ */

START_TEST(test_no_verb)
{
	char *argv[] = { "wsctl", NULL };

	assert_usage_error(wsctl_parse(1, argv, &cmd), "missing command");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--json"), "missing command");
}
END_TEST

START_TEST(test_unknown_verb)
{
	assert_usage_error(PARSE("frobnicate"), "unknown command 'frobnicate'");
	ck_assert_ptr_null(cmd.verb);
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("List"), "unknown command");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--help", "frobnicate"), "unknown command");
}
END_TEST

START_TEST(test_unknown_option)
{
	assert_usage_error(PARSE("--frob", "list"), "--frob");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("list", "-x"), "-x");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("list", "--json=yes"), "--json");
}
END_TEST

START_TEST(test_missing_id)
{
	assert_usage_error(PARSE("show"), "show: missing ID");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort"), "abort: missing");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--json", "abort"), "abort: missing");
}
END_TEST

START_TEST(test_bad_id)
{
	static const char *const bad[] = { "abc", "12x", "x12", "0", "",
	    " 5", "+5", "5 ", "0x10", "1.5", "18446744073709551616",
	    "99999999999999999999999" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "wsctl", "show", (char *)bad[i], NULL };

		assert_usage_error(wsctl_parse(3, argv, &cmd), "invalid id");
		wsctl_cmd_clear(&cmd);
	}
	/* One bad id spoils the lot. */
	assert_usage_error(PARSE("abort", "1", "2", "three"), "'three'");
	wsctl_cmd_clear(&cmd);
	/* "-1" looks like an option to getopt: refused either way. */
	ck_assert_int_eq(PARSE("show", "-1"), WSCTL_USAGE_ERROR);
}
END_TEST

START_TEST(test_parse_id)
{
	uint64_t v = 77;

	ck_assert_int_eq(wsctl_parse_id("1", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(wsctl_parse_id("007", &v), 0);
	ck_assert_uint_eq(v, 7);
	v = 77;
	ck_assert_int_eq(wsctl_parse_id("0", &v), -EINVAL);
	ck_assert_int_eq(wsctl_parse_id("-3", &v), -EINVAL);
	ck_assert_int_eq(wsctl_parse_id("", &v), -EINVAL);
	ck_assert_uint_eq(v, 77);	/* untouched on failure */
}
END_TEST

START_TEST(test_too_many_args)
{
	assert_usage_error(PARSE("show", "1", "2"), "show: too many arguments");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("list", "1"), "list: too many arguments");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("watch", "all"), "watch: too many arguments");
}
END_TEST

START_TEST(test_pid_without_value)
{
	assert_usage_error(PARSE("abort", "--pid"), "--pid needs a value");
	wsctl_cmd_clear(&cmd);
	/* The value is taken as given: "--all" is no pid. */
	assert_usage_error(PARSE("abort", "--pid", "--all"), "invalid pid");
}
END_TEST

START_TEST(test_bad_pid)
{
	assert_usage_error(PARSE("abort", "--pid", "abc"), "invalid pid 'abc'");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "--pid", "0"), "invalid pid");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "--pid", "-5"), "invalid pid");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "--pid", "2147483648"),
	    "invalid pid");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "--pid="), "invalid pid");
}
END_TEST

START_TEST(test_all_with_ids)
{
	assert_usage_error(PARSE("abort", "--all", "3"),
	    "--all takes no ID");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "3", "4", "--all"),
	    "--all takes no ID");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "--pid", "10", "3"),
	    "--pid takes no ID");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("abort", "--pid", "10", "--all"),
	    "exclude each other");
}
END_TEST

START_TEST(test_option_of_other_verb)
{
	assert_usage_error(PARSE("list", "--all"), "list: unknown option --all");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("show", "3", "--pid", "3"),
	    "show: unknown option --pid");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--all", "watch"), "unknown option --all");
}
END_TEST

START_TEST(test_socket_without_value)
{
	assert_usage_error(PARSE("list", "--socket"), "--socket needs a value");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--socket=", "list"), "--socket needs a path");
}
END_TEST

START_TEST(test_bad_bus)
{
	assert_usage_error(PARSE("list", "--bus"), "--bus needs a value");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--bus=", "list"), "invalid bus ''");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--bus", "sesion", "list"),
	    "invalid bus 'sesion'");
	wsctl_cmd_clear(&cmd);
	assert_usage_error(PARSE("--bus", "system", "--socket", "/s", "list"),
	    "--socket and --bus exclude each other");
	wsctl_cmd_clear(&cmd);
	/* Even with --help: the command line is wrong either way. */
	assert_usage_error(PARSE("--socket", "/s", "--bus", "session"),
	    "exclude each other");
}
END_TEST

START_TEST(test_parse_bus)
{
	ck_assert_int_eq(wsctl_parse_bus("system"), 0);
	ck_assert_int_eq(wsctl_parse_bus("session"), 0);
	ck_assert_int_eq(wsctl_parse_bus(
	    "unix:path=/run/dbus/system_bus_socket"), 0);
	ck_assert_int_eq(wsctl_parse_bus("unix:abstract=/tmp/dbus-x,guid=12"),
	    0);
	ck_assert_int_eq(wsctl_parse_bus("tcp:host=127.0.0.1,port=4"), 0);
	ck_assert_int_eq(wsctl_parse_bus(""), -EINVAL);
	ck_assert_int_eq(wsctl_parse_bus("System"), -EINVAL);
	ck_assert_int_eq(wsctl_parse_bus("user"), -EINVAL);
	ck_assert_int_eq(wsctl_parse_bus("unix:"), -EINVAL);
	ck_assert_int_eq(wsctl_parse_bus(":path=/x"), -EINVAL);
	ck_assert_int_eq(wsctl_parse_bus("/run/dbus/system_bus_socket"),
	    -EINVAL);
}
END_TEST

/* ---- tables and help -------------------------------------------------- */

START_TEST(test_verb_table)
{
	size_t i;

	ck_assert_uint_eq(wsctl_nverbs, 4);
	for (i = 0; i < wsctl_nverbs; i++) {
		ck_assert_ptr_nonnull(wsctl_verbs[i].fn);
		ck_assert_ptr_eq(wsctl_verb_find(wsctl_verbs[i].name),
		    &wsctl_verbs[i]);
	}
	ck_assert_ptr_null(wsctl_verb_find("lis"));
	ck_assert_ptr_null(wsctl_verb_find(""));
}
END_TEST

START_TEST(test_exit_for_hresult)
{
	ck_assert_int_eq(wsctl_exit_for_hresult(0), WSCTL_EXIT_OK);
	ck_assert_int_eq(wsctl_exit_for_hresult(0x003D0001), WSCTL_EXIT_OK);
	ck_assert_int_eq(wsctl_exit_for_hresult(0x80070057),
	    WSCTL_EXIT_NOT_FOUND);
	ck_assert_int_eq(wsctl_exit_for_hresult(0x80070005),
	    WSCTL_EXIT_DENIED);
	ck_assert_int_eq(wsctl_exit_for_hresult(0x803D0004),
	    WSCTL_EXIT_FAILURE);
	ck_assert_int_eq(wsctl_exit_for_errno(-ECONNREFUSED),
	    WSCTL_EXIT_UNREACHABLE);
	ck_assert_int_eq(wsctl_exit_for_errno(-ENOENT), WSCTL_EXIT_UNREACHABLE);
	ck_assert_int_eq(wsctl_exit_for_errno(-ECONNRESET),
	    WSCTL_EXIT_UNREACHABLE);
	ck_assert_int_eq(wsctl_exit_for_errno(-EBADMSG), WSCTL_EXIT_FAILURE);
	/* abort of several ids: the worst, in either order. */
	ck_assert_int_eq(wsctl_exit_worst(WSCTL_EXIT_OK, WSCTL_EXIT_NOT_FOUND),
	    WSCTL_EXIT_NOT_FOUND);
	ck_assert_int_eq(wsctl_exit_worst(WSCTL_EXIT_NOT_FOUND,
	    WSCTL_EXIT_DENIED), WSCTL_EXIT_DENIED);
	ck_assert_int_eq(wsctl_exit_worst(WSCTL_EXIT_DENIED,
	    WSCTL_EXIT_NOT_FOUND), WSCTL_EXIT_DENIED);
	ck_assert_int_eq(wsctl_exit_worst(WSCTL_EXIT_FAILURE,
	    WSCTL_EXIT_DENIED), WSCTL_EXIT_FAILURE);
	ck_assert_int_eq(wsctl_exit_worst(WSCTL_EXIT_NOT_FOUND,
	    WSCTL_EXIT_OK), WSCTL_EXIT_NOT_FOUND);
}
END_TEST

static char *
capture_usage(const struct wsctl_verb *verb)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	wsctl_usage(f, verb);
	fclose(f);
	return buf;
}

START_TEST(test_usage)
{
	char *text;
	size_t i;

	text = capture_usage(NULL);
	for (i = 0; i < wsctl_nverbs; i++)
		ck_assert_ptr_nonnull(strstr(text, wsctl_verbs[i].name));
	ck_assert_ptr_nonnull(strstr(text, "--socket PATH"));
	ck_assert_ptr_nonnull(strstr(text, "--bus BUS"));
	ck_assert_ptr_nonnull(strstr(text, "dbus:BUS"));
	ck_assert_ptr_nonnull(strstr(text, "--json"));
	ck_assert_ptr_nonnull(strstr(text, "Exit status:"));
	ck_assert_ptr_nonnull(strstr(text, "  5  daemon unreachable"));
	ck_assert_ptr_nonnull(strstr(text, "-V, --version"));
	free(text);
	for (i = 0; i < wsctl_nverbs; i++) {
		text = capture_usage(&wsctl_verbs[i]);
		ck_assert_ptr_nonnull(strstr(text, wsctl_verbs[i].name));
		ck_assert_ptr_nonnull(strstr(text, "Exit status:"));
		free(text);
	}
	text = capture_usage(wsctl_verb_find("abort"));
	ck_assert_ptr_nonnull(strstr(text, "--pid PID"));
	ck_assert_ptr_nonnull(strstr(text, "no such channel ID"));
	ck_assert_ptr_nonnull(strstr(text, "worst"));
	ck_assert_ptr_nonnull(strstr(text, "--all"));
	free(text);
	/* Over D-Bus SEQ is wsctl's own, and the cause is StateCause. */
	text = capture_usage(wsctl_verb_find("watch"));
	ck_assert_ptr_nonnull(strstr(text, "SEQ is counted by wsctl"));
	ck_assert_ptr_nonnull(strstr(text, "StateCause"));
	free(text);
}
END_TEST

/* ---- where the daemon is ---------------------------------------------- */

static void
clear_env(void)
{
	unsetenv("WSCHANNEL_ADDRESS");
	unsetenv("XDG_RUNTIME_DIR");
}

START_TEST(test_socket_path)
{
	char dir[] = "/tmp/wsctl-parse-XXXXXX", sub[PATH_MAX], sock[PATH_MAX];
	char *path;
	FILE *f;

	clear_env();
	ck_assert_int_eq(wsctl_socket_path("/given", &path), 0);
	ck_assert_str_eq(path, "/given");
	free(path);

	ck_assert_int_eq(wsctl_socket_path(NULL, &path), 0);
	ck_assert_str_eq(path, "/run/wschanneld/control.sock");
	free(path);

	/* XDG_RUNTIME_DIR counts only when the socket is there. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_RUNTIME_DIR", dir, 1);
	ck_assert_int_eq(wsctl_socket_path(NULL, &path), 0);
	ck_assert_str_eq(path, "/run/wschanneld/control.sock");
	free(path);
	snprintf(sub, sizeof(sub), "%s/wschanneld", dir);
	snprintf(sock, sizeof(sock), "%s/wschanneld/control.sock", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	f = fopen(sock, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(wsctl_socket_path(NULL, &path), 0);
	ck_assert_str_eq(path, sock);
	free(path);

	/* WSCHANNEL_ADDRESS comes before it; --socket before both. */
	setenv("WSCHANNEL_ADDRESS", "unix:path=/from/env.sock", 1);
	ck_assert_int_eq(wsctl_socket_path(NULL, &path), 0);
	ck_assert_str_eq(path, "/from/env.sock");
	free(path);
	ck_assert_int_eq(wsctl_socket_path("/given", &path), 0);
	ck_assert_str_eq(path, "/given");
	free(path);

	path = NULL;
	setenv("WSCHANNEL_ADDRESS", "dbus:system", 1);
	ck_assert_int_eq(wsctl_socket_path(NULL, &path), -EAFNOSUPPORT);
	setenv("WSCHANNEL_ADDRESS", "unix:path=", 1);
	ck_assert_int_eq(wsctl_socket_path(NULL, &path), -EAFNOSUPPORT);
	ck_assert_ptr_null(path);

	clear_env();
	unlink(sock);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(test_bus_address)
{
	char *bus = NULL;

	unsetenv("WSCHANNEL_ADDRESS");
	/* Nothing said: the socket. */
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), 0);
	ck_assert_ptr_null(bus);
	ck_assert_int_eq(wsctl_bus_address("session", &bus), 1);
	ck_assert_str_eq(bus, "session");
	free(bus);

	setenv("WSCHANNEL_ADDRESS", "unix:path=/from/env.sock", 1);
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), 0);
	/* --bus before WSCHANNEL_ADDRESS. */
	ck_assert_int_eq(wsctl_bus_address("system", &bus), 1);
	ck_assert_str_eq(bus, "system");
	free(bus);

	setenv("WSCHANNEL_ADDRESS", "dbus:system", 1);
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), 1);
	ck_assert_str_eq(bus, "system");
	free(bus);
	setenv("WSCHANNEL_ADDRESS", "dbus:session", 1);
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), 1);
	ck_assert_str_eq(bus, "session");
	free(bus);
	setenv("WSCHANNEL_ADDRESS", "dbus:unix:path=/tmp/bus,guid=ab", 1);
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), 1);
	ck_assert_str_eq(bus, "unix:path=/tmp/bus,guid=ab");
	free(bus);
	ck_assert_int_eq(wsctl_bus_address("session", &bus), 1);
	ck_assert_str_eq(bus, "session");
	free(bus);

	bus = NULL;
	setenv("WSCHANNEL_ADDRESS", "dbus:", 1);
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), -EAFNOSUPPORT);
	setenv("WSCHANNEL_ADDRESS", "dbus:sytem", 1);
	ck_assert_int_eq(wsctl_bus_address(NULL, &bus), -EAFNOSUPPORT);
	ck_assert_ptr_null(bus);
	unsetenv("WSCHANNEL_ADDRESS");
}
END_TEST

START_TEST(test_bus_errors)
{
	static const char prefix[] = "org.wschannel.WsChannel1.Error.";
	char name[128];
	uint32_t hr = 0;

	/* The daemon's errors, by name. */
	snprintf(name, sizeof(name), "%sOperationAborted", prefix);
	ck_assert_int_eq(bus_admin_error_hresult(name,
	    "0x803D0004: The operation was aborted.", false, &hr), 0);
	ck_assert_uint_eq(hr, 0x803D0004);
	snprintf(name, sizeof(name), "%sAccessDenied", prefix);
	ck_assert_int_eq(bus_admin_error_hresult(name, NULL, true, &hr), 0);
	ck_assert_uint_eq(hr, 0x80070005);
	snprintf(name, sizeof(name), "%sInvalidArg", prefix);
	ck_assert_int_eq(bus_admin_error_hresult(name, "", false, &hr), 0);
	ck_assert_uint_eq(hr, 0x80070057);
	/* One this wsctl does not know: the value its message starts with. */
	snprintf(name, sizeof(name), "%sUnknown", prefix);
	ck_assert_int_eq(bus_admin_error_hresult(name,
	    "0x803D00FF: something new", false, &hr), 0);
	ck_assert_uint_eq(hr, 0x803D00FF);
	ck_assert_int_eq(bus_admin_error_hresult(name, "no value", false,
	    &hr), 0);
	ck_assert_uint_eq(hr, 0x80004005);	/* E_FAIL */
	ck_assert_int_eq(bus_admin_error_hresult(name, "0x80Z: x", false,
	    &hr), 0);
	ck_assert_uint_eq(hr, 0x80004005);

	/* The bus's, and sd-bus's for an object that is not there. */
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.AccessDenied", "policy", false, &hr), 0);
	ck_assert_uint_eq(hr, 0x80070005);
	hr = 0;
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.UnknownObject", "x", true, &hr), 0);
	ck_assert_uint_eq(hr, 0x80070057);
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.UnknownObject", "x", false, &hr),
	    -EPROTO);

	/* No daemon to ask. */
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.ServiceUnknown", "x", false, &hr),
	    -EHOSTUNREACH);
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.NameHasNoOwner", "x", true, &hr),
	    -EHOSTUNREACH);
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.Spawn.ChildExited", "x", false, &hr),
	    -EHOSTUNREACH);
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.NoReply", "x", false, &hr), -ETIMEDOUT);
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.Disconnected", "x", false, &hr),
	    -ECONNRESET);
	ck_assert_int_eq(bus_admin_error_hresult(
	    "org.freedesktop.DBus.Error.InvalidArgs", "x", false, &hr),
	    -EPROTO);
	ck_assert_int_eq(bus_admin_error_hresult(NULL, NULL, false, &hr),
	    -EPROTO);
	ck_assert_int_eq(wsctl_exit_for_errno(-EHOSTUNREACH),
	    WSCTL_EXIT_UNREACHABLE);
	ck_assert_int_eq(wsctl_exit_for_errno(-ETIMEDOUT),
	    WSCTL_EXIT_UNREACHABLE);
	ck_assert_int_eq(wsctl_exit_for_errno(-EPROTO), WSCTL_EXIT_FAILURE);
}
END_TEST

START_TEST(test_bus_paths)
{
	bool listener = true;
	uint64_t id = 0;

	ck_assert_int_eq(busmap_parse_path(
	    "/org/wschannel/WsChannel1/channel/12", &listener, &id), 1);
	ck_assert(!listener);
	ck_assert_uint_eq(id, 12);
	ck_assert_int_eq(busmap_parse_path(
	    "/org/wschannel/WsChannel1/listener/18446744073709551615",
	    &listener, &id), 1);
	ck_assert(listener);
	ck_assert_uint_eq(id, UINT64_MAX);
	ck_assert_int_eq(busmap_parse_path("/org/wschannel/WsChannel1",
	    &listener, &id), 0);
	ck_assert_int_eq(busmap_parse_path(
	    "/org/wschannel/WsChannel1/channel/", &listener, &id), 0);
	ck_assert_int_eq(busmap_parse_path(
	    "/org/wschannel/WsChannel1/channel/0", &listener, &id), 0);
	ck_assert_int_eq(busmap_parse_path(
	    "/org/wschannel/WsChannel1/channel/1/x", &listener, &id), 0);
	ck_assert_int_eq(busmap_parse_path(
	    "/org/wschannel/WsChannel1/channels/1", &listener, &id), 0);
}
END_TEST

START_TEST(test_conn_unreachable)
{
	char dir[] = "/tmp/wsctl-parse-XXXXXX", longp[200];
	struct ipc_address addr = { .door = IPC_DOOR_UNIX };
	struct ipc_status st;
	struct ipc_conn *conn = NULL;

	/* wsctl's connection is ipc's, as the library's is. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(addr.target, sizeof(addr.target), "%s/none.sock", dir);
	ck_assert_int_eq(ipc_open(&addr, &conn, &st), -ENOENT);
	ck_assert_ptr_null(conn);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	snprintf(addr.target, sizeof(addr.target), "%s", longp);
	ck_assert_int_eq(ipc_open(&addr, &conn, &st), -ENAMETOOLONG);
	ipc_close(NULL);
	rmdir(dir);
}
END_TEST

/* ipc_request_frame's function for the test below: slower than the
 * request's timeout, as a pipe nobody reads yet makes wsctl list. */
static size_t
slow_frame(void *arg, const uint8_t *buf, size_t len)
{
	(void)buf;
	*(int *)arg += 1;
	usleep(300 * 1000);
	return len;
}

/*
 * A Reply that has come in time is not late because what is done with
 * its bytes takes long: `wsctl list | less` writes the listing from the
 * Reply's bytes (wsctl_list.c) and waits for the pager, longer than
 * wsctl waits for the daemon.  Against a real daemon started here; the
 * request times out after 50 ms, the function takes 300.
 */
START_TEST(test_request_slow_frame_fn)
{
	char dir[] = "/tmp/wsctl-parse-XXXXXX", daemon[PATH_MAX];
	const char *build = getenv("WSCHANNEL_BUILDDIR");
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ListChannels lc = WSCHANNEL__LIST_CHANNELS__INIT;
	struct ipc_address addr = { .door = IPC_DOOR_UNIX };
	struct ipc_status st;
	struct ipc_conn *conn = NULL;
	Wschannel__Reply *reply = NULL;
	char *argv[5];
	pid_t pid;
	int i, calls = 0, status;

	ck_assert_ptr_nonnull(build);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(daemon, sizeof(daemon), "%s/wschanneld", build);
	snprintf(addr.target, sizeof(addr.target), "%s/control.sock", dir);
	argv[0] = daemon;
	argv[1] = "-d";
	argv[2] = "--socket";
	argv[3] = addr.target;
	argv[4] = NULL;
	/* Ended with this test's process, whatever becomes of the test. */
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(daemon, argv);
		_exit(127);
	}
	for (i = 0; i < 500 && ipc_open(&addr, &conn, &st) != 0; i++)
		usleep(10 * 1000);
	ck_assert_ptr_nonnull(conn);

	req.op_case = WSCHANNEL__REQUEST__OP_LIST_CHANNELS;
	req.list_channels = &lc;
	ck_assert_int_eq(ipc_request_frame(conn, &req, 50, slow_frame, &calls,
	    &reply), 0);
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_nonnull(reply);
	ck_assert_uint_eq(reply->hresult, 0);
	ck_assert_int_eq(reply->result_case, WSCHANNEL__REPLY__RESULT_LIST);
	ipc_reply_free(reply);
	ipc_close(conn);

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	unlink(addr.target);
	rmdir(dir);
}
END_TEST

/* ---- formatters ------------------------------------------------------- */

static Wschannel__ChannelInfo chan1 = WSCHANNEL__CHANNEL_INFO__INIT;
static Wschannel__ChannelInfo chan2 = WSCHANNEL__CHANNEL_INFO__INIT;
static Wschannel__ListenerInfo lsn3 = WSCHANNEL__LISTENER_INFO__INIT;

static void
setup_infos(void)
{
	chan1.id = 1;
	chan1.owner_uid = 1000;
	chan1.owner_pid = 4242;
	chan1.type = 7;			/* DUPLEX_SESSION */
	chan1.binding = 1;		/* TCP */
	chan1.state = 3;		/* OPEN */
	chan1.remote_address = "127.0.0.1:8000";
	chan1.pending = 1;
	chan1.bytes_in = 1234;
	chan1.bytes_out = 56;
	chan1.messages_in = 2;
	chan1.messages_out = 1;
	chan1.has_encoding = 1;
	chan1.encoding = 1;		/* XML_BINARY_SESSION_1 */
	chan1.url = "net.tcp://127.0.0.1:8000/svc";

	chan2.id = 20;
	chan2.owner_uid = 0;
	chan2.owner_pid = 1;
	chan2.type = 0x10;		/* REPLY */
	chan2.binding = 0;		/* HTTP */
	chan2.state = 99;		/* no such state: printed as a number */
	chan2.remote_address = "";
	chan2.has_listener = 1;
	chan2.listener = 3;

	lsn3.id = 3;
	lsn3.owner_uid = 1000;
	lsn3.owner_pid = 4242;
	lsn3.type = 7;
	lsn3.binding = 1;
	lsn3.state = 2;			/* OPEN */
	lsn3.url = "net.tcp://127.0.0.1:8000/svc";
	lsn3.pending = 0;
}

static struct wsctl_out out;
static char *outbuf;
static size_t outlen;

static void
out_open(bool json, bool tty)
{
	FILE *f = open_memstream(&outbuf, &outlen);

	ck_assert_ptr_nonnull(f);
	wsctl_out_init(&out, f, json, tty);
}

/* Closes the stream and compares everything written with `want`. */
static void
out_check(const char *want)
{
	fclose(out.f);
	ck_assert_int_eq(out.error, 0);
	ck_assert_str_eq(outbuf, want);
	free(outbuf);
	outbuf = NULL;
}

static void
list_both(Wschannel__ChannelList *list, Wschannel__ChannelInfo **chans,
    Wschannel__ListenerInfo **lsns)
{
	setup_infos();
	chans[0] = &chan1;
	chans[1] = &chan2;
	lsns[0] = &lsn3;
	list->channels = chans;
	list->n_channels = 2;
	list->listeners = lsns;
	list->n_listeners = 1;
}

START_TEST(test_text_list_plain)
{
	Wschannel__ChannelList list = WSCHANNEL__CHANNEL_LIST__INIT;
	Wschannel__ChannelInfo *chans[2];
	Wschannel__ListenerInfo *lsns[1];

	list_both(&list, chans, lsns);
	out_open(false, false);
	out.fmt->list(&out, &list);
	out_check(
	    "1 1000 4242 DUPLEX_SESSION TCP OPEN 127.0.0.1:8000 1 1234 56\n"
	    "20 0 1 REPLY HTTP 99 - 0 0 0\n"
	    "\n"
	    "3 1000 4242 DUPLEX_SESSION TCP OPEN net.tcp://127.0.0.1:8000/svc 0\n");

	/* Nothing at all: no output at all. */
	list.n_channels = 0;
	list.n_listeners = 0;
	out_open(false, false);
	out.fmt->list(&out, &list);
	out_check("");

	/* Listeners only: still after an empty line. */
	list.n_listeners = 1;
	out_open(false, false);
	out.fmt->list(&out, &list);
	out_check("\n"
	    "3 1000 4242 DUPLEX_SESSION TCP OPEN net.tcp://127.0.0.1:8000/svc 0\n");
}
END_TEST

/* A Reply carrying `list` (or refused with `hr`), packed by protobuf-c
 * as the daemon's is; *len its size. */
static uint8_t *
list_reply_bytes(Wschannel__ChannelList *list, uint32_t hr, size_t *len)
{
	Wschannel__Reply r = WSCHANNEL__REPLY__INIT;
	uint8_t *buf;

	r.id = 9;
	r.hresult = hr;
	if (hr == 0) {
		r.result_case = WSCHANNEL__REPLY__RESULT_LIST;
		r.list = list;
	}
	*len = wschannel__reply__get_packed_size(&r);
	ck_assert_ptr_nonnull(buf = malloc(*len));
	ck_assert_uint_eq(wschannel__reply__pack(&r, buf), *len);
	return buf;
}

/*
 * `wsctl list` into a pipe writes the records as it walks the Reply's
 * bytes (wsctl_list.c): the same records the formatter writes from the
 * decoded Reply, the endpoint column included when a channel has an
 * address there, and what is left to decode is the Reply without its
 * list.  A refusal, ids out of order and bytes that are no fields are
 * left whole to the usual decode, with nothing written; an entry that
 * does not decode is said.
 */
START_TEST(test_list_frame_records)
{
	Wschannel__ChannelList list = WSCHANNEL__CHANNEL_LIST__INIT;
	Wschannel__ChannelInfo *chans[3], udp;
	Wschannel__ListenerInfo *lsns[1];
	struct wsctl_list_raw raw;
	Wschannel__Reply *r;
	uint8_t *buf;
	char *want;
	size_t len, n;
	/* id 1, hresult 0, a list of one ChannelInfo with only its id. */
	static const uint8_t partial[] = { 0x08, 0x01, 0x10, 0x00, 0x72, 0x04,
	    0x0a, 0x02, 0x08, 0x05 };

	list_both(&list, chans, lsns);
	udp = chan1;
	udp.id = 7;
	udp.binding = 2;	/* UDP */
	udp.remote_address = NULL;
	udp.local_address = "127.0.0.1:3702";
	chans[1] = &udp;
	chans[2] = &chan2;
	list.n_channels = 3;
	out_open(false, false);
	out.fmt->list(&out, &list);
	fclose(out.f);
	want = outbuf;
	outbuf = NULL;
	ck_assert_ptr_nonnull(strstr(want, " 127.0.0.1:3702\n"));

	buf = list_reply_bytes(&list, 0, &len);
	out_open(false, false);
	memset(&raw, 0, sizeof(raw));
	raw.out = &out;
	n = wsctl_list_frame(&raw, buf, len);
	ck_assert(raw.done);
	ck_assert(!raw.bad);
	ck_assert_uint_lt(n, len);
	ck_assert_ptr_nonnull(r = wschannel__reply__unpack(NULL, n, buf));
	ck_assert_uint_eq(r->id, 9);
	ck_assert_uint_eq(r->hresult, 0);
	ck_assert_int_eq(r->result_case, WSCHANNEL__REPLY__RESULT__NOT_SET);
	wschannel__reply__free_unpacked(r, NULL);
	out_check(want);
	free(want);
	free(buf);

	/* Out of order: left whole, nothing written. */
	chans[1] = &chan2;
	chans[2] = &udp;
	buf = list_reply_bytes(&list, 0, &len);
	out_open(false, false);
	memset(&raw, 0, sizeof(raw));
	raw.out = &out;
	ck_assert_uint_eq(wsctl_list_frame(&raw, buf, len), len);
	ck_assert(!raw.done);
	out_check("");
	free(buf);

	/* A refusal, and a frame cut short. */
	buf = list_reply_bytes(&list, 0x80070005, &len);
	out_open(false, false);
	memset(&raw, 0, sizeof(raw));
	raw.out = &out;
	ck_assert_uint_eq(wsctl_list_frame(&raw, buf, len), len);
	ck_assert(!raw.done);
	free(buf);
	buf = list_reply_bytes(&list, 0, &len);
	ck_assert_uint_eq(wsctl_list_frame(&raw, buf, len - 3), len - 3);
	ck_assert(!raw.done);
	out_check("");
	free(buf);

	/* An entry larger than the scratch memory (a URL of 10 KB). */
	{
		char *url = malloc(10001);

		ck_assert_ptr_nonnull(url);
		memset(url, 'u', 10000);
		url[10000] = '\0';
		udp.url = url;
		chans[1] = &udp;
		chans[2] = &chan2;
		buf = list_reply_bytes(&list, 0, &len);
		out_open(false, false);
		out.fmt->list(&out, &list);
		fclose(out.f);
		want = outbuf;
		outbuf = NULL;
		out_open(false, false);
		memset(&raw, 0, sizeof(raw));
		raw.out = &out;
		ck_assert_uint_lt(wsctl_list_frame(&raw, buf, len), len);
		ck_assert(raw.done);
		ck_assert(!raw.bad);
		out_check(want);
		free(want);
		free(buf);
		free(url);
	}

	/* Well framed, but the entry lacks its required fields. */
	out_open(false, false);
	memset(&raw, 0, sizeof(raw));
	raw.out = &out;
	ck_assert_uint_eq(wsctl_list_frame(&raw, partial, sizeof(partial)), 4);
	ck_assert(raw.done);
	ck_assert(raw.bad);
	out_check("");
}
END_TEST

START_TEST(test_text_list_tty)
{
	Wschannel__ChannelList list = WSCHANNEL__CHANNEL_LIST__INIT;
	Wschannel__ChannelInfo *chans[2];
	Wschannel__ListenerInfo *lsns[1];

	list_both(&list, chans, lsns);
	out_open(false, true);
	out.fmt->list(&out, &list);
	out_check(
	    "ID   UID   PID  TYPE            BINDING  STATE  REMOTE          PENDING    IN  OUT\n"
	    " 1  1000  4242  DUPLEX_SESSION  TCP      OPEN   127.0.0.1:8000        1  1234   56\n"
	    "20     0     1  REPLY           HTTP     99     -                     0     0    0\n"
	    "\n"
	    "ID   UID   PID  TYPE            BINDING  STATE  URL                           PENDING\n"
	    " 3  1000  4242  DUPLEX_SESSION  TCP      OPEN   net.tcp://127.0.0.1:8000/svc        0\n");

	/* An empty list in words, each half on its own. */
	list.n_channels = 0;
	list.n_listeners = 0;
	out_open(false, true);
	out.fmt->list(&out, &list);
	out_check("no channels\n\nno listeners\n");

	list.n_channels = 2;
	out_open(false, true);
	out.fmt->list(&out, &list);
	out_check(
	    "ID   UID   PID  TYPE            BINDING  STATE  REMOTE          PENDING    IN  OUT\n"
	    " 1  1000  4242  DUPLEX_SESSION  TCP      OPEN   127.0.0.1:8000        1  1234   56\n"
	    "20     0     1  REPLY           HTTP     99     -                     0     0    0\n"
	    "\n"
	    "no listeners\n");

	list.n_channels = 0;
	list.n_listeners = 1;
	out_open(false, true);
	out.fmt->list(&out, &list);
	out_check("no channels\n"
	    "\n"
	    "ID   UID   PID  TYPE            BINDING  STATE  URL                           PENDING\n"
	    " 3  1000  4242  DUPLEX_SESSION  TCP      OPEN   net.tcp://127.0.0.1:8000/svc        0\n");
}
END_TEST

START_TEST(test_json_list)
{
	Wschannel__ChannelList list = WSCHANNEL__CHANNEL_LIST__INIT;
	Wschannel__ChannelInfo *chans[2];
	Wschannel__ListenerInfo *lsns[1];

	list_both(&list, chans, lsns);
	out_open(true, false);
	out.fmt->list(&out, &list);
	out_check("{\"channels\":["
	    "{\"id\":1,\"owner_uid\":1000,\"owner_pid\":4242,"
	    "\"type\":\"DUPLEX_SESSION\",\"binding\":\"TCP\",\"state\":\"OPEN\","
	    "\"remote_address\":\"127.0.0.1:8000\",\"pending\":1,"
	    "\"bytes_in\":1234,\"bytes_out\":56,\"messages_in\":2,"
	    "\"messages_out\":1,\"encoding\":\"XML_BINARY_SESSION_1\","
	    "\"url\":\"net.tcp://127.0.0.1:8000/svc\",\"listener\":null},"
	    "{\"id\":20,\"owner_uid\":0,\"owner_pid\":1,"
	    "\"type\":\"REPLY\",\"binding\":\"HTTP\",\"state\":99,"
	    "\"remote_address\":null,\"pending\":0,"
	    "\"bytes_in\":0,\"bytes_out\":0,\"messages_in\":0,"
	    "\"messages_out\":0,\"encoding\":null,"
	    "\"url\":null,\"listener\":3}],"
	    "\"listeners\":["
	    "{\"id\":3,\"owner_uid\":1000,\"owner_pid\":4242,"
	    "\"type\":\"DUPLEX_SESSION\",\"binding\":\"TCP\",\"state\":\"OPEN\","
	    "\"url\":\"net.tcp://127.0.0.1:8000/svc\",\"pending\":0}]}\n");

	list.n_channels = 0;
	list.n_listeners = 0;
	out_open(true, false);
	out.fmt->list(&out, &list);
	out_check("{\"channels\":[],\"listeners\":[]}\n");

	/* On a terminal the same document, indented. */
	out_open(true, true);
	out.fmt->list(&out, &list);
	fclose(out.f);
	ck_assert_ptr_nonnull(strchr(outbuf, '\n'));
	ck_assert_ptr_nonnull(strstr(outbuf, "\"channels\""));
	ck_assert_uint_gt(strlen(outbuf),
	    strlen("{\"channels\":[],\"listeners\":[]}\n"));
	free(outbuf);
	outbuf = NULL;
}
END_TEST

START_TEST(test_text_show)
{
	setup_infos();
	out_open(false, false);
	out.fmt->show(&out, &chan1);
	out_check(
	    "id:           1\n"
	    "owner-uid:    1000\n"
	    "owner-pid:    4242\n"
	    "type:         DUPLEX_SESSION\n"
	    "binding:      TCP\n"
	    "state:        OPEN\n"
	    "encoding:     XML_BINARY_SESSION_1\n"
	    "url:          net.tcp://127.0.0.1:8000/svc\n"
	    "remote:       127.0.0.1:8000\n"
	    "listener:     -\n"
	    "pending:      1\n"
	    "bytes-in:     1234\n"
	    "bytes-out:    56\n"
	    "messages-in:  2\n"
	    "messages-out: 1\n");
	out_open(false, true);
	out.fmt->show(&out, &chan2);
	out_check(
	    "id:           20\n"
	    "owner-uid:    0\n"
	    "owner-pid:    1\n"
	    "type:         REPLY\n"
	    "binding:      HTTP\n"
	    "state:        99\n"
	    "encoding:     -\n"
	    "url:          -\n"
	    "remote:       -\n"
	    "listener:     3\n"
	    "pending:      0\n"
	    "bytes-in:     0\n"
	    "bytes-out:    0\n"
	    "messages-in:  0\n"
	    "messages-out: 0\n");
}
END_TEST

START_TEST(test_json_show)
{
	setup_infos();
	out_open(true, false);
	out.fmt->show(&out, &chan2);
	out_check("{\"id\":20,\"owner_uid\":0,\"owner_pid\":1,"
	    "\"type\":\"REPLY\",\"binding\":\"HTTP\",\"state\":99,"
	    "\"remote_address\":null,\"pending\":0,"
	    "\"bytes_in\":0,\"bytes_out\":0,\"messages_in\":0,"
	    "\"messages_out\":0,\"encoding\":null,"
	    "\"url\":null,\"listener\":3}\n");
}
END_TEST

static Wschannel__AbortResult res_ok = WSCHANNEL__ABORT_RESULT__INIT;
static Wschannel__AbortResult res_missing = WSCHANNEL__ABORT_RESULT__INIT;
static Wschannel__AbortResult res_denied = WSCHANNEL__ABORT_RESULT__INIT;
static Wschannel__AbortResult *results[3];

static void
setup_results(Wschannel__AbortReport *report)
{
	res_ok.id = 1;
	res_ok.hresult = 0;
	res_ok.has_state = 1;
	res_ok.state = 4;		/* FAULTED */
	res_ok.has_cancelled = 1;
	res_ok.cancelled = 1;
	res_missing.id = 99;
	res_missing.hresult = 0x80070057;
	res_denied.id = 5;
	res_denied.hresult = 0x80070005;
	results[0] = &res_ok;
	results[1] = &res_missing;
	results[2] = &res_denied;
	report->results = results;
	report->n_results = 3;
}

START_TEST(test_text_abort)
{
	Wschannel__AbortReport report = WSCHANNEL__ABORT_REPORT__INIT;

	setup_results(&report);
	out_open(false, false);
	out.fmt->abort(&out, &report);
	/* Failures are the verb's to say, on stderr: stdout has none. */
	out_check("1 FAULTED cancelled=1\n");
	report.n_results = 0;
	out_open(false, true);
	out.fmt->abort(&out, &report);
	out_check("");
}
END_TEST

START_TEST(test_json_abort)
{
	Wschannel__AbortReport report = WSCHANNEL__ABORT_REPORT__INIT;

	setup_results(&report);
	res_denied.hresult = 0x80001234;	/* not in the table */
	out_open(true, false);
	out.fmt->abort(&out, &report);
	out_check("{\"results\":["
	    "{\"id\":1,\"hresult\":\"S_OK\",\"error\":null,"
	    "\"state\":\"FAULTED\",\"cancelled\":1},"
	    "{\"id\":99,\"hresult\":\"E_INVALIDARG\","
	    "\"error\":\"no such channel\",\"state\":null,\"cancelled\":null},"
	    "{\"id\":5,\"hresult\":\"0x80001234\","
	    "\"error\":\"Unknown error.\",\"state\":null,\"cancelled\":null}"
	    "]}\n");
	res_denied.hresult = 0x80070005;
	out_open(true, false);
	out.fmt->abort(&out, &report);
	fclose(out.f);
	ck_assert_ptr_nonnull(strstr(outbuf, "{\"id\":5,\"hresult\":"
	    "\"E_ACCESSDENIED\",\"error\":\"the channel belongs to another "
	    "user\","));
	free(outbuf);
	outbuf = NULL;
}
END_TEST

static void
setup_events(Wschannel__Event *a, Wschannel__Event *b)
{
	a->seq = 7;
	a->object = 1;
	a->is_listener = 0;
	a->old_state = 3;		/* OPEN */
	a->new_state = 4;		/* FAULTED */
	a->has_cause = 1;
	a->cause = 0x803D0004;
	a->has_owner_uid = 1;
	a->owner_uid = 1000;
	a->has_owner_pid = 1;
	a->owner_pid = 4242;
	a->remote_address = "[::1]:8000";
	b->seq = 8;
	b->object = 2;
	b->is_listener = 1;
	b->old_state = 1;		/* listener OPENING */
	b->new_state = 2;		/* listener OPEN */
}

START_TEST(test_text_event)
{
	Wschannel__Event a = WSCHANNEL__EVENT__INIT, b = WSCHANNEL__EVENT__INIT;

	setup_events(&a, &b);
	out_open(false, false);
	if (out.fmt->watch_begin != NULL)
		out.fmt->watch_begin(&out);
	out.fmt->event(&out, &a);
	out.fmt->event(&out, &b);
	ck_assert_uint_eq(out.events, 2);
	out_check("7 channel 1 OPEN FAULTED WS_E_OPERATION_ABORTED 1000 4242 [::1]:8000\n"
	    "8 listener 2 OPENING OPEN - - - -\n");

	out_open(false, true);
	out.fmt->watch_begin(&out);
	out.fmt->event(&out, &b);
	out_check(
	    "   SEQ KIND         ID OLD       NEW       CAUSE                         UID     PID REMOTE\n"
	    "     8 listener      2 OPENING   OPEN      -                               -       - -\n");
}
END_TEST

START_TEST(test_json_event)
{
	Wschannel__Event a = WSCHANNEL__EVENT__INIT, b = WSCHANNEL__EVENT__INIT;

	setup_events(&a, &b);
	/* One object per line, also on a terminal. */
	out_open(true, true);
	if (out.fmt->watch_begin != NULL)
		out.fmt->watch_begin(&out);
	out.fmt->event(&out, &a);
	out.fmt->event(&out, &b);
	out_check("{\"seq\":7,\"kind\":\"channel\",\"id\":1,\"old_state\":\"OPEN\","
	    "\"new_state\":\"FAULTED\",\"cause\":\"WS_E_OPERATION_ABORTED\","
	    "\"owner_uid\":1000,\"owner_pid\":4242,"
	    "\"remote_address\":\"[::1]:8000\"}\n"
	    "{\"seq\":8,\"kind\":\"listener\",\"id\":2,\"old_state\":\"OPENING\","
	    "\"new_state\":\"OPEN\",\"cause\":null,\"owner_uid\":null,"
	    "\"owner_pid\":null,\"remote_address\":null}\n");
}
END_TEST

static Suite *
wsctl_parse_suite(void)
{
	Suite *s = suite_create("wsctl_parse");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_json_anywhere);
	tcase_add_test(tc, test_socket);
	tcase_add_test(tc, test_bus);
	tcase_add_test(tc, test_show);
	tcase_add_test(tc, test_abort_ids);
	tcase_add_test(tc, test_abort_pid);
	tcase_add_test(tc, test_abort_all);
	tcase_add_test(tc, test_double_dash);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_reparse);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_no_verb);
	tcase_add_test(tc, test_unknown_verb);
	tcase_add_test(tc, test_unknown_option);
	tcase_add_test(tc, test_missing_id);
	tcase_add_test(tc, test_bad_id);
	tcase_add_test(tc, test_parse_id);
	tcase_add_test(tc, test_too_many_args);
	tcase_add_test(tc, test_pid_without_value);
	tcase_add_test(tc, test_bad_pid);
	tcase_add_test(tc, test_all_with_ids);
	tcase_add_test(tc, test_option_of_other_verb);
	tcase_add_test(tc, test_socket_without_value);
	tcase_add_test(tc, test_bad_bus);
	suite_add_tcase(s, tc);

	tc = tcase_create("tables");
	tcase_add_test(tc, test_verb_table);
	tcase_add_test(tc, test_exit_for_hresult);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_socket_path);
	tcase_add_test(tc, test_parse_bus);
	tcase_add_test(tc, test_bus_address);
	tcase_add_test(tc, test_bus_errors);
	tcase_add_test(tc, test_bus_paths);
	tcase_add_test(tc, test_conn_unreachable);
	tcase_add_test(tc, test_request_slow_frame_fn);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_test(tc, test_text_list_plain);
	tcase_add_test(tc, test_text_list_tty);
	tcase_add_test(tc, test_list_frame_records);
	tcase_add_test(tc, test_json_list);
	tcase_add_test(tc, test_text_show);
	tcase_add_test(tc, test_json_show);
	tcase_add_test(tc, test_text_abort);
	tcase_add_test(tc, test_json_abort);
	tcase_add_test(tc, test_text_event);
	tcase_add_test(tc, test_json_event);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(wsctl_parse_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
