/*
 * wsctl's command line: the verb table and the parser.  No I/O happens
 * here (usage text goes to a FILE the caller chooses), so Check can run
 * every command line through it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wsctl.h"

const struct wsctl_verb wsctl_verbs[] = {
	{ "list", 0, 0, 0, wsctl_run_list, "",
	  "list the channels and listeners you may see",
	  "List the channels, then the listeners, that you may see (all\n"
	  "of them for an administrator, your own otherwise), in id order.\n"
	  "Channel columns: ID, UID, PID, TYPE, BINDING, STATE, REMOTE,\n"
	  "PENDING, IN and OUT (bytes).  Listener columns: ID, UID, PID,\n"
	  "TYPE, BINDING, STATE, URL and PENDING.  Headers are printed only\n"
	  "on a terminal; otherwise fields are separated by one space, an\n"
	  "empty field is \"-\", and the listeners, if any, follow an empty\n"
	  "line.  On a terminal an empty list says \"no channels\" and \"no\n"
	  "listeners\"; into a pipe it prints nothing.\n" },
	{ "show", 1, 1, 0, wsctl_run_show, "ID",
	  "show one channel in detail",
	  "Show every field the daemon reports for channel ID, one\n"
	  "\"name: value\" line each (\"-\" for a field without a value).\n" },
	{ "abort", 1, WSCTL_ARGS_ANY, WSCTL_OPT_PID | WSCTL_OPT_ALL,
	  wsctl_run_abort, "ID... | --pid PID | --all",
	  "abort channels by id, by process, or all",
	  "Abort the channels named by ID, every channel of process PID\n"
	  "(--pid), or every channel you may see (--all).  Each pending\n"
	  "operation on them completes with WS_E_OPERATION_ABORTED.  One\n"
	  "line per channel aborted, in id order: \"ID STATE cancelled=N\",\n"
	  "the state it was left in and the number of operations\n"
	  "cancelled.  A channel that could not be aborted is named on\n"
	  "stderr instead (\"no such channel ID\", \"channel ID belongs to\n"
	  "another user\"); with --json it stays in the results with its\n"
	  "\"hresult\" and an \"error\" in words.  The exit status is the\n"
	  "worst of them: 1 over 4 over 3.\n"
	  "\n"
	  "Options:\n"
	  "  --pid PID            every channel of process PID\n"
	  "  --all                every channel you may see\n" },
	{ "watch", 0, 0, 0, wsctl_run_watch, "",
	  "print state changes as they happen",
	  "Print every state change of the channels and listeners you may\n"
	  "see, one line each, as it happens, until interrupted (exit\n"
	  "status 0) or until the daemon goes away (exit status 5).\n"
	  "Fields: SEQ, KIND (channel or listener), ID, OLD and NEW state,\n"
	  "CAUSE (an HRESULT), UID, PID, REMOTE; \"-\" for a field without\n"
	  "a value.  With --json, one object per line.\n"
	  "\n"
	  "Over D-Bus (--bus) the lines come from the objects'\n"
	  "PropertiesChanged signals (State and StateCause), which carry no\n"
	  "sequence number: SEQ is counted by wsctl from 1.\n" },
};
const size_t wsctl_nverbs = sizeof(wsctl_verbs) / sizeof(wsctl_verbs[0]);

enum {
	OPT_SOCKET = 0x100,
	OPT_BUS,
	OPT_JSON,
	OPT_PID,
	OPT_ALL,
};

static const struct option wsctl_options[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "bus", required_argument, NULL, OPT_BUS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "all", no_argument, NULL, OPT_ALL },
	{ NULL, 0, NULL, 0 },
};

static const char wsctl_exit_text[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  other failure\n"
    "  2  usage error\n"
    "  3  not found (no channel with that id)\n"
    "  4  permission denied (not your channel)\n"
    "  5  daemon unreachable (connect failed or connection lost; over\n"
    "     D-Bus: the bus, or the daemon's name on it, cannot be reached)\n";

void
wsctl_usage(FILE *f, const struct wsctl_verb *verb)
{
	size_t i;

	if (verb != NULL) {
		fprintf(f, "Usage: wsctl [--socket PATH | --bus BUS] [--json] "
		    "%s%s%s\n\n",
		    verb->name, *verb->synopsis != '\0' ? " " : "",
		    verb->synopsis);
		fprintf(f, "%s\n%s", verb->description, wsctl_exit_text);
		return;
	}
	fputs("Usage: wsctl [--socket PATH | --bus BUS] [--json] COMMAND "
	    "[ARG...]\n"
	    "       wsctl COMMAND --help\n"
	    "       wsctl --version\n"
	    "\n"
	    "Inspect, watch and abort the channels of wschanneld.\n"
	    "\n"
	    "Commands:\n", f);
	for (i = 0; i < wsctl_nverbs; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", wsctl_verbs[i].name,
		    wsctl_verbs[i].synopsis);
		/* A long synopsis gets a line of its own. */
		if (strlen(left) > 20)
			fprintf(f, "  %s\n  %-20s %s\n", left, "",
			    wsctl_verbs[i].summary);
		else
			fprintf(f, "  %-20s %s\n", left, wsctl_verbs[i].summary);
	}
	fputs("\n"
	    "Options:\n"
	    "  --socket PATH  the daemon's control socket; by default the\n"
	    "                 path in WSCHANNEL_ADDRESS (unix:path=PATH),\n"
	    "                 else $XDG_RUNTIME_DIR/wschanneld/control.sock\n"
	    "                 if it exists, else /run/wschanneld/control.sock\n"
	    "  --bus BUS      the daemon's D-Bus door instead: BUS is system,\n"
	    "                 session or a D-Bus address (unix:path=...);\n"
	    "                 also WSCHANNEL_ADDRESS=dbus:BUS.  The bus may\n"
	    "                 start the daemon (D-Bus activation)\n"
	    "  --json         print JSON instead of text\n"
	    "  -h, --help     show this help, or a command's help\n"
	    "  -V, --version  print wsctl's version\n"
	    "\n", f);
	fputs(wsctl_exit_text, f);
}

const struct wsctl_verb *
wsctl_verb_find(const char *name)
{
	size_t i;

	for (i = 0; i < wsctl_nverbs; i++)
		if (strcmp(wsctl_verbs[i].name, name) == 0)
			return &wsctl_verbs[i];
	return NULL;
}

int
wsctl_exit_for_hresult(uint32_t hr)
{
	switch (hr) {
	case 0x80070057:	/* E_INVALIDARG: the daemon knows no such id */
		return WSCTL_EXIT_NOT_FOUND;
	case 0x80070005:	/* E_ACCESSDENIED */
		return WSCTL_EXIT_DENIED;
	default:
		return (int32_t)hr >= 0 ? WSCTL_EXIT_OK : WSCTL_EXIT_FAILURE;
	}
}

/*
 * Of two exit codes, the one to report: a failure the daemon gave no
 * reason for outranks a denial, which outranks a missing id.
 */
int
wsctl_exit_worst(int a, int b)
{
	static const int rank[] = {
		[WSCTL_EXIT_OK] = 0,
		[WSCTL_EXIT_NOT_FOUND] = 1,
		[WSCTL_EXIT_DENIED] = 2,
		[WSCTL_EXIT_FAILURE] = 3,
		[WSCTL_EXIT_USAGE] = 3,
		[WSCTL_EXIT_UNREACHABLE] = 4,
	};

	const int n = (int)(sizeof(rank) / sizeof(rank[0]));

	if (a < 0 || a >= n || b < 0 || b >= n)
		return a < 0 || a >= n ? a : b;
	return rank[b] > rank[a] ? b : a;
}

/* Digits only: strtoull alone would take " 12", "+12" and "-1". */
static int
wsctl_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	const char *p;
	char *end;

	if (*s == '\0')
		return -EINVAL;
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int
wsctl_parse_id(const char *s, uint64_t *out)
{
	return wsctl_parse_u64(s, UINT64_MAX, out);
}

/*
 * Only the shape is checked (sd-bus judges the rest when it connects):
 * "transport:" and then key=value pairs, so that a typo such as
 * "--bus sesion" is a usage error rather than an unreachable bus.
 */
int
wsctl_parse_bus(const char *s)
{
	const char *colon;

	if (strcmp(s, "system") == 0 || strcmp(s, "session") == 0)
		return 0;
	colon = strchr(s, ':');
	if (colon == NULL || colon == s || strchr(colon, '=') == NULL)
		return -EINVAL;
	return 0;
}

static enum wsctl_action
wsctl_usage_error(struct wsctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd->error, sizeof(cmd->error), fmt, ap);
	va_end(ap);
	return WSCTL_USAGE_ERROR;
}

void
wsctl_cmd_clear(struct wsctl_cmd *cmd)
{
	if (cmd == NULL)
		return;
	free(cmd->ids);
	memset(cmd, 0, sizeof(*cmd));
}

/* The verb's own options and argument count, once options are all read. */
static enum wsctl_action
wsctl_check_args(struct wsctl_cmd *cmd, int nargs, char **args)
{
	const struct wsctl_verb *verb = cmd->verb;
	int i;

	if (cmd->has_pid && !(verb->options & WSCTL_OPT_PID))
		return wsctl_usage_error(cmd, "%s: unknown option --pid",
		    verb->name);
	if (cmd->all && !(verb->options & WSCTL_OPT_ALL))
		return wsctl_usage_error(cmd, "%s: unknown option --all",
		    verb->name);
	if (cmd->has_pid && cmd->all)
		return wsctl_usage_error(cmd,
		    "%s: --pid and --all exclude each other", verb->name);
	if (cmd->has_pid || cmd->all) {
		/* A selector replaces the ids. */
		if (nargs > 0)
			return wsctl_usage_error(cmd,
			    "%s: %s takes no ID arguments", verb->name,
			    cmd->all ? "--all" : "--pid");
		return WSCTL_RUN;
	}
	if (nargs < verb->min_args)
		return wsctl_usage_error(cmd, "%s: missing %s", verb->name,
		    verb->synopsis);
	if (verb->max_args != WSCTL_ARGS_ANY && nargs > verb->max_args)
		return wsctl_usage_error(cmd, "%s: too many arguments",
		    verb->name);
	if (nargs == 0)
		return WSCTL_RUN;
	/* Every verb that takes arguments takes ids. */
	cmd->ids = calloc(nargs, sizeof(*cmd->ids));
	if (cmd->ids == NULL)
		return wsctl_usage_error(cmd, "out of memory");
	for (i = 0; i < nargs; i++)
		if (wsctl_parse_id(args[i], &cmd->ids[i]) < 0)
			return wsctl_usage_error(cmd, "%s: invalid id '%s'",
			    verb->name, args[i]);
	cmd->n_ids = nargs;
	return WSCTL_RUN;
}

enum wsctl_action
wsctl_parse(int argc, char **argv, struct wsctl_cmd *cmd)
{
	uint64_t pid;
	bool help = false, version = false;
	int c;

	memset(cmd, 0, sizeof(*cmd));
	/*
	 * GNU getopt permutes argv so that options may follow the verb
	 * ("wsctl list --json"); optind = 0 makes it start afresh, which the
	 * tests need.  ':' first: a missing argument is reported as ':'.
	 */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", wsctl_options, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			if (*optarg == '\0')
				return wsctl_usage_error(cmd,
				    "--socket needs a path");
			cmd->socket = optarg;
			break;
		case OPT_BUS:
			if (wsctl_parse_bus(optarg) < 0)
				return wsctl_usage_error(cmd,
				    "invalid bus '%s': system, session or a "
				    "D-Bus address (unix:path=PATH)", optarg);
			cmd->bus = optarg;
			break;
		case OPT_JSON:
			cmd->json = true;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		case OPT_PID:
			if (wsctl_parse_u64(optarg, INT32_MAX, &pid) < 0)
				return wsctl_usage_error(cmd,
				    "invalid pid '%s'", optarg);
			cmd->has_pid = true;
			cmd->pid = (uint32_t)pid;
			break;
		case OPT_ALL:
			cmd->all = true;
			break;
		case ':':
			return wsctl_usage_error(cmd, "option %s needs a value",
			    argv[optind - 1]);
		default:
			/* "--help=1" is refused as 'h': name it as written. */
			if (optopt != 0 && optopt < 0x100 &&
			    strncmp(argv[optind - 1], "--", 2) != 0)
				return wsctl_usage_error(cmd,
				    "unknown option -%c", optopt);
			return wsctl_usage_error(cmd, "unknown option %s",
			    argv[optind - 1]);
		}
	}

	if (cmd->socket != NULL && cmd->bus != NULL)
		return wsctl_usage_error(cmd,
		    "--socket and --bus exclude each other");
	/* As --help: whatever else the line says, it is answered alone. */
	if (version && !help)
		return WSCTL_VERSION;
	if (optind < argc) {
		cmd->verb = wsctl_verb_find(argv[optind]);
		if (cmd->verb == NULL)
			return wsctl_usage_error(cmd, "unknown command '%s'",
			    argv[optind]);
		optind++;
	}
	if (help)
		return WSCTL_HELP;
	if (cmd->verb == NULL)
		return wsctl_usage_error(cmd, "missing command");
	return wsctl_check_args(cmd, argc - optind, argv + optind);
}
