/*
 * wschanneld: owns every WWSAPI channel and listener of the machine and
 * serves them to libwschannel and wsctl.  A thin main: options, logging,
 * the control socket, signals, the loop and an ordered shutdown.
 */
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

#include "control.h"
#include "log.h"
#include "registry.h"

static struct event_base	*base;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wschanneld [-dhv] [--socket PATH] [--admin-group GROUP]\n"
	    "  -d, --foreground       stay in the foreground, log to stderr\n"
	    "  -v, --verbose          log debug messages\n"
	    "  -s, --socket PATH      control socket (default: $RUNTIME_DIRECTORY/control.sock,\n"
	    "                         else $XDG_RUNTIME_DIR/wschanneld/control.sock,\n"
	    "                         else /run/wschanneld/control.sock)\n"
	    "  -g, --admin-group GRP  members may act on every channel, like root\n"
	    "  -h, --help             this help\n");
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct event *ev_term, *ev_int;
	char sockpath[PATH_MAX];
	const char *path = NULL;
	struct group *gr;
	int ch, foreground = 0, verbose = 0;

	while ((ch = getopt_long(argc, argv, "dvs:g:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'v':
			verbose = 1;
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
			registry_set_admin_gid(gr->gr_gid);
			break;
		case 'h':
			usage(stdout);
			return 0;
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
	log_init(foreground || getenv("JOURNAL_STREAM") != NULL, verbose);
	if (path == NULL) {
		if (default_socket(sockpath, sizeof(sockpath)) != 0)
			fatalx("socket path too long");
		path = sockpath;
	}
	signal(SIGPIPE, SIG_IGN);
	xmlInitParser();

	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (registry_init(base) != 0)
		fatalx("cannot initialise the registry");
	if (control_init(base, path, -1) != 0)
		fatalx("cannot serve the control socket %s", path);
	ev_term = evsignal_new(base, SIGTERM, shutdown_cb, NULL);
	ev_int = evsignal_new(base, SIGINT, shutdown_cb, NULL);
	if (ev_term == NULL || ev_int == NULL ||
	    evsignal_add(ev_term, NULL) != 0 || evsignal_add(ev_int, NULL) != 0)
		fatalx("cannot install signal handlers");
	log_info("listening on %s", path);

	event_base_dispatch(base);

	/* Reverse order of construction. */
	control_stop_accepting();
	control_shutdown();
	registry_shutdown();
	/* Deferred releases of freed channels run here. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_free(ev_term);
	event_free(ev_int);
	event_base_free(base);
	xmlCleanupParser();
	log_info("stopped");
	return 0;
}
