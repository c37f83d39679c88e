/*
 * The programs of examples/, run as the README tells a newcomer to run
 * them, against a private wschanneld: the echo server and client, the
 * abort demo (a second thread, then `wsctl abort --pid`), the messages a
 * newcomer sees when the server or the daemon is missing, wsctl's bash
 * completion of live channel ids, and D-Bus activation on a session bus
 * through the installed session activation file.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <systemd/sd-bus.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define T_MS	20000

static char *
example_path(const char *name)
{
	char rel[64];
	char *p;

	snprintf(rel, sizeof(rel), "examples/%s", name);
	ck_assert_ptr_nonnull(p = harness_build_path(rel));
	return p;
}

/* Runs argv through sh with stderr folded into stdout. */
static char *
run_both(const char *env, char *const argv[], int *status)
{
	char script[256];
	char *sargv[16], *out = NULL;
	int i;

	snprintf(script, sizeof(script), "%s exec \"$0\" \"$@\" 2>&1",
	    env != NULL ? env : "");
	sargv[0] = "/bin/sh";
	sargv[1] = "-c";
	sargv[2] = script;
	for (i = 0; argv[i] != NULL && i < 12; i++)
		sargv[3 + i] = argv[i];
	sargv[3 + i] = NULL;
	ck_assert_int_eq(harness_run(sargv, T_MS, &out, status), 0);
	return out;
}

static void
expect_line(int fd, const char *want)
{
	char line[256];

	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	ck_assert_str_eq(line, want);
}

START_TEST(test_echo)
{
	char *server = example_path("echo-server");
	char *client = example_path("echo-client");
	char port[8], want[96], *out = NULL;
	uint16_t p;
	pid_t pid;
	int fd, status;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(port, sizeof(port), "%u", p);
	{
		char *argv[] = { server, port, "1", NULL };

		ck_assert_int_gt(pid = harness_spawn(argv, &fd), 0);
	}
	snprintf(want, sizeof(want), "listening on net.tcp://127.0.0.1:%s/echo",
	    port);
	expect_line(fd, want);
	{
		char *argv[] = { client, port, "hello", "world", NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out, "reply: hello\nreply: world\n");
	expect_line(fd, "accepted a session");
	expect_line(fd, "echo: hello");
	expect_line(fd, "echo: world");
	expect_line(fd, "session ended");
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(out);
	free(server);
	free(client);
}
END_TEST

/*
 * The same echo over HTTP: the server answers each SOAP 1.2 request on a
 * REPLY channel of its own, the client's WsRequestReply prints the reply.
 */
START_TEST(test_echo_http)
{
	char *server = example_path("echo-server");
	char *client = example_path("echo-client");
	char port[8], want[96], *out = NULL;
	uint16_t p;
	pid_t pid;
	int fd, status;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(port, sizeof(port), "%u", p);
	{
		char *argv[] = { server, "--http", port, "2", NULL };

		ck_assert_int_gt(pid = harness_spawn(argv, &fd), 0);
	}
	snprintf(want, sizeof(want), "listening on http://127.0.0.1:%s/echo",
	    port);
	expect_line(fd, want);
	{
		char *argv[] = { client, "--http", port, "hello", "world",
		    NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out, "reply: hello\nreply: world\n");
	expect_line(fd, "request: hello");
	expect_line(fd, "request: world");
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(out);
	free(server);
	free(client);
}
END_TEST

/*
 * The Windows-style purchase-order programs (examples/win32, built with
 * libwschannel-win32's flags only) over each binding: a one-way
 * submission, a confirmed order, and a refused order whose fault carries
 * its reason and a struct detail.
 */
static const char *const po_schemes[] = { "net.tcp", "http", "soap.udp" };

START_TEST(test_po)
{
	char *server = example_path("win32/po-service");
	char *client = example_path("win32/po-client");
	char url[96], want[128], *out = NULL;
	uint16_t p;
	pid_t pid;
	int fd, status;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u/po", po_schemes[_i],
	    (unsigned)p);
	{
		/* A session over net.tcp; a channel per message otherwise. */
		char *argv[] = { server, url, _i == 0 ? "1" : "3", NULL };

		ck_assert_int_gt(pid = harness_spawn(argv, &fd), 0);
	}
	snprintf(want, sizeof(want), "listening on %s", url);
	expect_line(fd, want);
	{
		char *argv[] = { client, url, NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}
	ck_assert_str_eq(out, "submitted 100 Pencil\n"
	    "order 1 ships 2026-12-11\n"
	    "order refused: WS_E_ENDPOINT_FAULT_RECEIVED\n"
	    "fault reason: the order was refused\n"
	    "fault detail: quantity 0: an order needs a quantity of at least 1\n");
	ck_assert_int_eq(status, 0);
	expect_line(fd, "submitted: 100 Pencil");
	expect_line(fd, "ordered: 5 Notebook");
	expect_line(fd, "ordered: 0 Notebook");
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(out);
	free(server);
	free(client);
}
END_TEST

/*
 * A catalog of orders as one streamed message, flushed and filled: sent by
 * the client over net.tcp (ours), streamed back as the reply over HTTP
 * (as on Windows).
 */
START_TEST(test_po_stream)
{
	bool http = _i == 1;
	char *prog = example_path("win32/po-stream");
	char url[96], *out = NULL;
	uint16_t p;
	pid_t pid;
	int fd, status;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u/catalog",
	    http ? "http" : "net.tcp", (unsigned)p);
	{
		char *argv[] = { prog, "--serve", url, NULL };

		ck_assert_int_gt(pid = harness_spawn(argv, &fd), 0);
	}
	expect_line(fd, "listening");
	{
		char *argv[] = { prog, url, "400", NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}
	/* Quantities 1..10 over and over: 40 rounds of 55 units. */
	ck_assert_str_eq(out, http ? "catalog: 400 orders, 2200 units\n" :
	    "sent 400 orders\n");
	ck_assert_int_eq(status, 0);
	expect_line(fd, http ? "sent 400 orders" :
	    "catalog: 400 orders, 2200 units");
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(out);
	free(prog);
}
END_TEST

/* No server: the client says which HRESULT and what to check. */
START_TEST(test_echo_no_server)
{
	char *client = example_path("echo-client");
	char port[8], *out;
	uint16_t p;
	int status;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(port, sizeof(port), "%u", p);
	{
		char *argv[] = { client, port, "hello", NULL };

		out = run_both(NULL, argv, &status);
	}
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "0x803D000D WS_E_ENDPOINT_NOT_FOUND") != NULL &&
	    strstr(out, "is the server running") != NULL, "%s", out);
	free(out);
	free(client);
}
END_TEST

/* No daemon: the message points at WSCHANNEL_ADDRESS. */
START_TEST(test_echo_no_daemon)
{
	char *client = example_path("echo-client");
	char env[256], *out;
	int status;

	snprintf(env, sizeof(env), "WSCHANNEL_ADDRESS=unix:path=%s/nothing.sock",
	    harness_dir());
	{
		char *argv[] = { client, "8000", "hello", NULL };

		out = run_both(env, argv, &status);
	}
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "WS_E_ENDPOINT_UNREACHABLE") != NULL &&
	    strstr(out, "nothing.sock") != NULL &&
	    strstr(out, "WSCHANNEL_ADDRESS") != NULL, "%s", out);
	free(out);
	free(client);
}
END_TEST

START_TEST(test_abort_thread)
{
	char *demo = example_path("abort-demo");
	char port[8], *out = NULL;
	uint16_t p;
	int status;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(port, sizeof(port), "%u", p);
	{
		char *argv[] = { demo, port, NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out,
	    "receiving; a second thread aborts in one second\n"
	    "aborting from another thread\n"
	    "receive: 0x803D0004 WS_E_OPERATION_ABORTED\n");
	free(out);
	free(demo);
}
END_TEST

/*
 * Completes `wsctl --socket S abort <TAB>` with bash-completion's own
 * functions; NULL when bash-completion is not installed.
 */
static char *
complete_abort(void)
{
	static const char *const main_script[] = {
		"/usr/share/bash-completion/bash_completion", NULL };
	char *wsctl, *script, *out = NULL, *file;
	int status;

	if (access(main_script[0], R_OK) != 0)
		return NULL;
	ck_assert_ptr_nonnull(wsctl = harness_build_path("wsctl"));
	ck_assert_int_ge(asprintf(&file, "%s/completion/wsctl",
	    getenv("WSCHANNEL_SRCDIR") != NULL ? getenv("WSCHANNEL_SRCDIR") :
	    ABS_SRCDIR), 0);
	ck_assert_int_ge(asprintf(&script,
	    ". %s; . %s; COMP_WORDS=(%s --socket %s abort ''); COMP_CWORD=4; "
	    "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; "
	    "_wsctl; printf '%%s\\n' \"${COMPREPLY[@]}\"", main_script[0],
	    file, wsctl, harness_socket_path()), 0);
	{
		char *argv[] = { "/bin/bash", "-c", script, NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}
	ck_assert_int_eq(status, 0);
	free(script);
	free(file);
	free(wsctl);
	return out;
}

/* The README's second half: `wsctl abort --pid` from another terminal. */
START_TEST(test_abort_wsctl)
{
	char *demo = example_path("abort-demo");
	char port[8], want[64], line[256], *out = NULL, *ids;
	struct harness_channel_row rows[8];
	uint16_t p;
	pid_t pid;
	int fd, status, n, i;

	ck_assert_int_eq(harness_free_port(&p), 0);
	snprintf(port, sizeof(port), "%u", p);
	{
		char *argv[] = { demo, "--wsctl", port, NULL };

		ck_assert_int_gt(pid = harness_spawn(argv, &fd), 0);
	}
	expect_line(fd, "receiving; abort it from another terminal with:");
	snprintf(want, sizeof(want), "  wsctl abort --pid %ld", (long)pid);
	expect_line(fd, want);

	/* Its two channels are live: completion offers their ids. */
	ck_assert_int_eq(n = harness_list_channels(rows, 8), 2);
	if ((ids = complete_abort()) != NULL) {
		for (i = 0; i < n; i++) {
			snprintf(line, sizeof(line), "%" PRIu64 "\n",
			    rows[i].id);
			ck_assert_msg(strstr(ids, line) != NULL,
			    "completion: %s", ids);
		}
		free(ids);
	}

	snprintf(want, sizeof(want), "%ld", (long)pid);
	ck_assert_int_eq(harness_wsctl(&out, &status, "abort", "--pid", want,
	    NULL), 0);
	ck_assert_msg(status == 0, "wsctl abort: %d %s", status, out);
	ck_assert_msg(strstr(out, "cancelled=1") != NULL, "%s", out);
	expect_line(fd, "receive: 0x803D0004 WS_E_OPERATION_ABORTED");
	ck_assert_int_eq(harness_wait_pid(pid, T_MS), 0);
	close(fd);
	free(out);
	free(demo);
}
END_TEST

static void
write_text(const char *path, const char *text)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * The session bus activation file that make install installs, with only
 * the folder of wschanneld changed to the build tree: `wsctl --bus` on a
 * private session bus that has it starts the daemon, which serves the bus
 * and puts its socket under $XDG_RUNTIME_DIR.
 */
START_TEST(test_session_activation)
{
	char dir[] = "/tmp/wschannel-activation.XXXXXX";
	char path[256], line[512], *text, *svc, *wsctl, *daemon, *out = NULL;
	char *exec = NULL, *p;
	const char *name = "org.wschannel.WsChannel1";
	sd_bus_creds *creds = NULL;
	sd_bus *b = NULL;
	pid_t bus_pid, pid = -1;
	int fd, status, i;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(svc = harness_build_path(
	    "systemd/session/org.wschannel.WsChannel1.service"));
	ck_assert_ptr_nonnull(daemon = harness_build_path("wschanneld"));
	ck_assert_ptr_nonnull(f = fopen(svc, "r"));
	snprintf(path, sizeof(path), "%s/services", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	text = NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *n;

		if (strncmp(line, "Exec=", 5) == 0 &&
		    (p = strstr(line, "/wschanneld ")) != NULL) {
			ck_assert_int_ge(asprintf(&exec, "Exec=%s%s", daemon,
			    p + strlen("/wschanneld")), 0);
			ck_assert_str_eq(p, "/wschanneld --bus session\n");
		}
		ck_assert_int_ge(asprintf(&n, "%s%s", text != NULL ? text : "",
		    strncmp(line, "Exec=", 5) == 0 && exec != NULL ? exec :
		    line), 0);
		free(text);
		text = n;
	}
	fclose(f);
	ck_assert_ptr_nonnull(exec);
	snprintf(path, sizeof(path), "%s/services/%s.service", dir, name);
	write_text(path, text);
	free(text);
	ck_assert_int_ge(asprintf(&text,
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
	    "Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/"
	    "busconfig.dtd\">\n"
	    "<busconfig>\n"
	    "  <type>session</type>\n"
	    "  <listen>unix:path=%s/bus</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    "  <servicedir>%s/services</servicedir>\n"
	    "  <policy context=\"default\">\n"
	    "    <allow user=\"*\"/>\n"
	    "    <allow own=\"*\"/>\n"
	    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	    "    <allow eavesdrop=\"true\"/>\n"
	    "  </policy>\n"
	    "</busconfig>\n", dir, dir), 0);
	snprintf(path, sizeof(path), "%s/bus.conf", dir);
	write_text(path, text);
	free(text);

	/* The daemon's socket goes under the session's runtime folder. */
	setenv("XDG_RUNTIME_DIR", dir, 1);
	snprintf(line, sizeof(line), "--config-file=%s", path);
	{
		char *argv[] = { DBUS_DAEMON, line, "--nofork",
		    "--print-address", NULL };

		ck_assert_int_gt(bus_pid = harness_spawn(argv, &fd), 0);
	}
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), T_MS), 0);
	snprintf(path, sizeof(path), "unix:path=%s/bus", dir);
	ck_assert_ptr_nonnull(wsctl = harness_build_path("wsctl"));
	{
		char *argv[] = { wsctl, "--bus", path, "list", NULL };

		ck_assert_int_eq(harness_run(argv, T_MS, &out, &status), 0);
	}

	/* Who owns the name now: stop it by its pid. */
	ck_assert_int_ge(sd_bus_new(&b), 0);
	ck_assert_int_ge(sd_bus_set_address(b, path), 0);
	ck_assert_int_ge(sd_bus_set_bus_client(b, 1), 0);
	ck_assert_int_ge(sd_bus_start(b), 0);
	if (sd_bus_get_name_creds(b, name, SD_BUS_CREDS_PID, &creds) >= 0)
		sd_bus_creds_get_pid(creds, &pid);
	sd_bus_creds_unref(creds);
	sd_bus_flush_close_unref(b);
	snprintf(line, sizeof(line), "%s/wschanneld/control.sock", dir);
	status = status * 1000 + (access(line, F_OK) == 0 ? 0 : 1);
	if (pid > 0) {
		kill(pid, SIGTERM);
		for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
			usleep(10000);
	}
	kill(bus_pid, SIGTERM);
	harness_wait_pid(bus_pid, T_MS);
	close(fd);

	ck_assert_msg(status == 0, "wsctl --bus %s list: %d (socket %s)",
	    path, status / 1000, status % 1000 ? "missing" : "there");
	ck_assert_str_eq(out, "");
	ck_assert_msg(pid > 0, "nobody owns %s after wsctl", name);
	snprintf(line, sizeof(line), "/proc/%ld", (long)pid);
	ck_assert_msg(access(line, F_OK) != 0, "wschanneld did not stop");
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(line), 0);
	free(exec);
	free(out);
	free(wsctl);
	free(daemon);
	free(svc);
}
END_TEST

static Suite *
examples_suite(void)
{
	Suite *s = suite_create("examples");
	TCase *tc = tcase_create("examples");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_echo_http);
	tcase_add_loop_test(tc, test_po, 0,
	    (int)(sizeof(po_schemes) / sizeof(po_schemes[0])));
	tcase_add_loop_test(tc, test_po_stream, 0, 2);
	tcase_add_test(tc, test_echo_no_server);
	tcase_add_test(tc, test_echo_no_daemon);
	tcase_add_test(tc, test_abort_thread);
	tcase_add_test(tc, test_abort_wsctl);
	suite_add_tcase(s, tc);

	tc = tcase_create("activation");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_activation);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(examples_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
