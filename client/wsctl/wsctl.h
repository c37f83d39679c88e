/*
 * wsctl, the administrator's tool: shared declarations.
 *
 * wsctl_parse.c turns a command line into a struct wsctl_cmd and does no
 * I/O, so Check tests it without a daemon.  wsctl_verbs.c holds the verbs,
 * which send one request each through client/ipc (the library's wire
 * client, not the library) and hand the reply to a formatter from
 * wsctl_output.c (text or JSON, chosen once).  With --bus the same
 * requests go to the daemon's D-Bus door instead: ipc's bus backend
 * answers them with the replies and events the socket would have sent, so
 * the verbs and the formatters do not know which door they used.  One
 * exception, for speed: `list` into a pipe over the socket writes its
 * records from the Reply's bytes as they are walked (wsctl_list.c).
 */
#ifndef WSCTL_H
#define WSCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wschannel.pb-c.h"

/* Exit codes; wsctl --help lists them. */
enum wsctl_exit {
	WSCTL_EXIT_OK = 0,
	WSCTL_EXIT_FAILURE = 1,		/* anything else */
	WSCTL_EXIT_USAGE = 2,		/* bad command line */
	WSCTL_EXIT_NOT_FOUND = 3,	/* no such id (E_INVALIDARG) */
	WSCTL_EXIT_DENIED = 4,		/* E_ACCESSDENIED */
	WSCTL_EXIT_UNREACHABLE = 5,	/* connect failed or connection lost */
};

/* ---- command line (wsctl_parse.c) ------------------------------------ */

struct wsctl_cmd;

/* Options a verb accepts besides the global ones. */
#define WSCTL_OPT_PID	0x1
#define WSCTL_OPT_ALL	0x2

#define WSCTL_ARGS_ANY	(-1)	/* max_args: no upper bound */

struct wsctl_verb {
	const char	*name;
	int		 min_args;	/* arguments after the verb */
	int		 max_args;	/* or WSCTL_ARGS_ANY */
	unsigned	 options;	/* WSCTL_OPT_* */
	/* Runs the verb; returns an exit code. */
	int		(*fn)(const struct wsctl_cmd *);
	const char	*synopsis;	/* "ID... | --pid PID | --all" */
	const char	*summary;	/* one line for wsctl --help */
	const char	*description;	/* for wsctl VERB --help */
};

extern const struct wsctl_verb wsctl_verbs[];
extern const size_t wsctl_nverbs;

enum wsctl_action {
	WSCTL_RUN,		/* call cmd->verb->fn */
	WSCTL_HELP,		/* help for cmd->verb (NULL: all), exit 0 */
	WSCTL_VERSION,		/* "wsctl VERSION", exit 0 */
	WSCTL_USAGE_ERROR,	/* print cmd->error, exit WSCTL_EXIT_USAGE */
};

struct wsctl_cmd {
	const struct wsctl_verb	*verb;
	const char		*socket;	/* --socket, points into argv */
	const char		*bus;		/* --bus, points into argv */
	bool			 json;
	uint64_t		*ids;		/* owned; positional ids */
	size_t			 n_ids;
	bool			 has_pid;
	uint32_t		 pid;
	bool			 all;
	char			 error[256];	/* why, for WSCTL_USAGE_ERROR */
};

/*
 * Parses argv (argv[0] is the program name).  Options may appear anywhere.
 * Fills `cmd` (which wsctl_cmd_clear must release) and returns what to do.
 * Reentrant across calls: it resets getopt's state itself.
 */
enum wsctl_action wsctl_parse(int argc, char **argv, struct wsctl_cmd *cmd);
void		 wsctl_cmd_clear(struct wsctl_cmd *cmd);
const struct wsctl_verb *wsctl_verb_find(const char *name);
/* Global help (verb NULL) or one verb's help. */
void		 wsctl_usage(FILE *f, const struct wsctl_verb *verb);
/* The exit code for a failed HRESULT from the daemon. */
int		 wsctl_exit_for_hresult(uint32_t hr);
/* Of two exit codes, the worse: 1 over 4 over 3 over 0 (5 over all). */
int		 wsctl_exit_worst(int a, int b);
/* A decimal id: 1..UINT64_MAX, nothing else.  0 or -EINVAL. */
int		 wsctl_parse_id(const char *s, uint64_t *out);
/*
 * A bus for --bus or WSCHANNEL_ADDRESS=dbus:...: "system", "session", or
 * a D-Bus address ("unix:path=/run/bus", "unix:abstract=x,guid=...").
 * 0 or -EINVAL.
 */
int		 wsctl_parse_bus(const char *s);

/* ---- output (wsctl_output.c) ----------------------------------------- */

struct wsctl_out;

/* One formatter per output style; the verbs call it, never printf. */
struct wsctl_formatter {
	const char	*name;
	void	(*list)(struct wsctl_out *, const Wschannel__ChannelList *);
	void	(*show)(struct wsctl_out *, const Wschannel__ChannelInfo *);
	void	(*abort)(struct wsctl_out *, const Wschannel__AbortReport *);
	void	(*watch_begin)(struct wsctl_out *);	/* may be NULL */
	void	(*event)(struct wsctl_out *, const Wschannel__Event *);
};

extern const struct wsctl_formatter wsctl_format_text;
extern const struct wsctl_formatter wsctl_format_json;

struct wsctl_out {
	const struct wsctl_formatter	*fmt;
	FILE				*f;
	/* A terminal: headers and aligned columns, pretty JSON. */
	bool				 tty;
	unsigned long			 events;	/* watch lines so far */
	int				 error;		/* -ENOMEM: cut short */
};

void	wsctl_out_init(struct wsctl_out *out, FILE *f, bool json, bool tty);
/*
 * One record of a listing into a pipe (not a terminal: no widths to
 * find), as the text formatter's list writes it; `local`: with the
 * endpoint columns, which a listing has when any of its rows has an
 * address there.  For a listing written entry by entry (wsctl_list.c).
 */
void	wsctl_text_channel_line(struct wsctl_out *out,
	    const Wschannel__ChannelInfo *ci, bool local);
void	wsctl_text_listener_line(struct wsctl_out *out,
	    const Wschannel__ListenerInfo *li, bool local);
/* ---- a listing into a pipe, entry by entry (wsctl_list.c) ---------- */

struct wsctl_list_raw {
	struct wsctl_out	*out;
	bool			 done;	/* written here: the Reply has no list */
	bool			 bad;	/* ...but an entry did not decode */
};

/*
 * ipc_request_frame's function for a ListChannels Reply (`arg` a struct
 * wsctl_list_raw): writes a successful listing's records itself when it
 * can, and returns how much of the Reply is left to decode.
 */
size_t	wsctl_list_frame(void *arg, const uint8_t *buf, size_t len);

/* "S_OK", "WS_E_OPERATION_ABORTED", or "0x80001234" into buf. */
const char *wsctl_hresult_str(uint32_t hr, char *buf, size_t len);
/* Why a channel was not acted on, in words: "no such channel", ... */
const char *wsctl_channel_why(uint32_t hr);

/* ---- where the daemon is, and the verbs (wsctl_verbs.c) ------------- */

/*
 * Where the daemon is: `opt` (--socket) if not NULL, else WSCHANNEL_ADDRESS
 * ("unix:path=..."), else $XDG_RUNTIME_DIR/wschanneld/control.sock if it
 * exists, else /run/wschanneld/control.sock.  *path is owned by the caller.
 * -EAFNOSUPPORT for an address that is not unix:path=, -ENOMEM.
 */
int	wsctl_socket_path(const char *opt, char **path);
/*
 * Whether the daemon is to be reached over D-Bus: `opt` (--bus) if not
 * NULL, else WSCHANNEL_ADDRESS=dbus:system, dbus:session or dbus:ADDRESS.
 * 1 with *bus set ("system", "session" or the address; the caller owns
 * it), 0 for the Unix socket (nothing said, or WSCHANNEL_ADDRESS is not a
 * dbus: one), -EAFNOSUPPORT for a dbus: address wsctl_parse_bus refuses,
 * -ENOMEM.
 */
int	wsctl_bus_address(const char *opt, char **bus);
/* The exit code for a request that failed with -errno. */
int	wsctl_exit_for_errno(int error);

/* The verbs, named in wsctl_verbs[]. */
int	wsctl_run_list(const struct wsctl_cmd *cmd);
int	wsctl_run_show(const struct wsctl_cmd *cmd);
int	wsctl_run_abort(const struct wsctl_cmd *cmd);
int	wsctl_run_watch(const struct wsctl_cmd *cmd);

#endif
