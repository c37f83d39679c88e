/*
 * wschanneld: owns every WWSAPI channel and listener of the machine and
 * serves them to libwschannel and wsctl.  A thin main: options, logging,
 * the control socket, signals, the loop and an ordered shutdown.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <libxml/parser.h>
#include <systemd/sd-daemon.h>

#include "conf.h"
#include "unix.h"
#include "dbus.h"
#include "log.h"
#include "notify.h"
#include "pending.h"
#include "registry.h"
#include "request.h"
#include "request_log.h"
#include "builtin.h"
#include "envelope_text.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static struct event_base	*base;
static const char		*conf_path = SYSCONFDIR "/wschannel/wschanneld.conf";
static const char		*bus_arg = "none";
static int			 opt_foreground, opt_verbose;
static gid_t			 opt_admin_gid = (gid_t)-1;	/* -g wins */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wschanneld [-dhVv] [--socket PATH] [--admin-group GROUP]\n"
	    "                  [--bus system|session|none|ADDRESS] [--config FILE]\n"
	    "  -d, --foreground       stay in the foreground, log to stderr\n"
	    "  -v, --verbose          log debug messages\n"
	    "  -s, --socket PATH      control socket (default: $RUNTIME_DIRECTORY/control.sock,\n"
	    "                         else $XDG_RUNTIME_DIR/wschanneld/control.sock,\n"
	    "                         else /run/wschanneld/control.sock)\n"
	    "  -g, --admin-group GRP  members may act on every channel, like root\n"
	    "  -b, --bus BUS          also serve org.wschannel.WsChannel1 on the system\n"
	    "                         or session bus, or the bus at a D-Bus ADDRESS\n"
	    "                         (default: none)\n"
	    "  -c, --config FILE      configuration (default: " SYSCONFDIR "/wschannel/wschanneld.conf)\n"
	    "  -h, --help             this help\n"
	    "  -V, --version          print the version and exit\n");
}

/* The default socket path, by the rules of the README. */
static int
default_socket(char *buf, size_t len)
{
	const char *dir;
	int n;

	if ((dir = getenv("RUNTIME_DIRECTORY")) != NULL && *dir != '\0') {
		/* systemd may pass several, separated by ':'; use the first. */
		n = snprintf(buf, len, "%.*s/control.sock",
		    (int)strcspn(dir, ":"), dir);
	} else if ((dir = getenv("XDG_RUNTIME_DIR")) != NULL && *dir != '\0')
		n = snprintf(buf, len, "%s/wschanneld/control.sock", dir);
	else
		n = snprintf(buf, len, "/run/wschanneld/control.sock");
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* Reads the configuration file and applies it; the old one stays on error. */
static int
apply_config(char *why, size_t len)
{
	struct conf cf;
	int r;

	if ((r = conf_load(conf_path, &cf, why, len)) < 0)
		return r;
	registry_set_admin_gid(opt_admin_gid != (gid_t)-1 ? opt_admin_gid :
	    cf.admin_gid);
	registry_set_limits(&cf.limits);
	log_init(opt_foreground || getenv("JOURNAL_STREAM") != NULL,
	    opt_verbose || cf.verbose);
	return 0;
}

/* SIGHUP and the doors' Reload, with the manager told around it. */
static int
reload(char *why, size_t len)
{
	int r;

	notify_reloading();
	if ((r = apply_config(why, len)) < 0)
		log_warnx("reload: %s; keeping the configuration", why);
	else
		log_info("configuration reloaded from %s", conf_path);
	notify_ready();
	return r;
}

static void
sighup_cb(evutil_socket_t sig, short what, void *arg)
{
	char why[256];

	reload(why, sizeof(why));
}

/* The watchdog is fed only while every door we were asked for is up. */
static bool
healthy(void)
{
	return control_accepting() &&
	    (strcmp(bus_arg, "none") == 0 || control_dbus_connected());
}

/* The control socket passed by systemd (wschanneld.socket), or -1. */
static int
listen_fd_from_systemd(void)
{
	char **names = NULL;
	int i, n, fd = -1;

	if ((n = sd_listen_fds_with_names(1, &names)) <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		/* The one named "control", else the only one. */
		if (fd == -1 && (n == 1 || (names != NULL &&
		    strcmp(names[i], "control") == 0)) &&
		    sd_is_socket_unix(SD_LISTEN_FDS_START + i, SOCK_STREAM, 1,
		    NULL, 0) > 0)
			fd = SD_LISTEN_FDS_START + i;
		else
			close(SD_LISTEN_FDS_START + i);
	}
	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	if (fd == -1)
		log_warnx("none of the %d sockets from systemd is a listening "
		    "stream socket named \"control\"", n);
	/* The loop accepts until EAGAIN: a blocking socket would hang it. */
	else if (evutil_make_socket_nonblocking(fd) != 0 ||
	    evutil_make_socket_closeonexec(fd) != 0)
		log_warn("cannot make the socket from systemd non-blocking");
	return fd;
}

static void
shutdown_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("%s received, shutting down", strsignal((int)sig));
	event_base_loopbreak(base);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "socket", required_argument, NULL, 's' },
		{ "admin-group", required_argument, NULL, 'g' },
		{ "bus", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct event *ev_term, *ev_int, *ev_hup;
	char sockpath[PATH_MAX], why[256];
	const char *path = NULL;
	struct group *gr;
	int ch, fd;

	while ((ch = getopt_long(argc, argv, "dvs:g:b:c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			opt_foreground = 1;
			break;
		case 'v':
			opt_verbose = 1;
			break;
		case 'b':
			bus_arg = optarg;
			break;
		case 'c':
			conf_path = optarg;
			break;
		case 's':
			path = optarg;
			break;
		case 'g':
			if ((gr = getgrnam(optarg)) == NULL) {
				fprintf(stderr, "wschanneld: unknown group %s\n",
				    optarg);
				return 2;
			}
			opt_admin_gid = gr->gr_gid;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("wschanneld %s\n", PACKAGE_VERSION);
			return fflush(stdout) == 0 ? 0 : 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Under systemd stderr goes to the journal: log there as well. */
	log_init(opt_foreground || getenv("JOURNAL_STREAM") != NULL,
	    opt_verbose);
	if (apply_config(why, sizeof(why)) < 0)
		fatalx("%s", why);
	if (path == NULL) {
		if (default_socket(sockpath, sizeof(sockpath)) != 0)
			fatalx("socket path too long");
		path = sockpath;
	}
	signal(SIGPIPE, SIG_IGN);
	xmlInitParser();

	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	transport_register_builtin();
	if (registry_init(base) != 0)
		fatalx("cannot initialise the registry");
	if (notify_init(base, healthy) != 0)
		fatalx("cannot set up the watchdog");
	/* Signals first: a SIGTERM that arrives as soon as the socket
	 * accepts must shut down cleanly, not kill us. */
	ev_term = evsignal_new(base, SIGTERM, shutdown_cb, NULL);
	ev_int = evsignal_new(base, SIGINT, shutdown_cb, NULL);
	ev_hup = evsignal_new(base, SIGHUP, sighup_cb, NULL);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    evsignal_add(ev_term, NULL) != 0 || evsignal_add(ev_int, NULL) != 0 ||
	    evsignal_add(ev_hup, NULL) != 0)
		fatalx("cannot install signal handlers");
	/* Socket activation: systemd's socket, else our own. */
	if ((fd = listen_fd_from_systemd()) >= 0)
		path = "(socket from systemd)";
	if (control_init(base, path, fd, reload) != 0)
		fatalx("cannot serve the control socket %s", path);
	if (strcmp(bus_arg, "none") != 0 &&
	    control_dbus_init(base, bus_arg, reload) != 0)
		fatalx("cannot serve the %s bus", bus_arg);
	log_info("listening on %s", path);
	/* Both doors listen: clients may come. */
	notify_ready();

	event_base_dispatch(base);

	/*
	 * Reverse order of construction: tell the manager, stop taking new
	 * work, abort everything so every pending call of every client is
	 * answered, write the answers out, then free.
	 */
	notify_stopping();
	control_stop_accepting();
	control_dbus_stop_accepting();
	registry_abort_all();
	control_shutdown();
	control_dbus_shutdown();
	notify_shutdown();
	registry_shutdown();
	/* Deferred releases of freed channels run here, and the resets a
	 * pass did not get to. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	transport_builtin_finish();
	/* Log lines still waiting for the end of a loop pass. */
	request_log_end();
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	registry_pass_free();
	pending_cache_drop();
	request_cache_drop();
	/* The shutdown is under way and bounded: a second signal must not
	 * turn a clean exit into a death by signal. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	event_base_free(base);
	/* The codec's reused parsers: no thread-exit destructor runs here. */
	envelope_text_cleanup();
	xmlCleanupParser();
	log_info("stopped");
	return 0;
}
