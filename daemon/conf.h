/*
 * WSCHANNELD.CONF(5)
 *
 * NAME
 *	wschanneld.conf - configuration of the wschannel daemon
 *
 * SYNOPSIS
 *	/etc/wschannel/wschanneld.conf  ($sysconfdir/wschannel/wschanneld.conf;
 *	another file with wschanneld --config PATH)
 *
 * DESCRIPTION
 *	An INI file, read at start and again on SIGHUP, `systemctl reload
 *	wschanneld` and the D-Bus method Manager.Reload.  A file that does not
 *	exist means "all defaults".  A file with an error (unknown section or
 *	key, bad value, unknown group) is rejected as a whole: at start the
 *	daemon exits, on a reload it keeps the configuration it had and the
 *	reload fails.  Lines starting with '#' or ';' are comments.  Keys are
 *	case-sensitive.  Command-line options win over the file.
 *
 *	[Daemon]
 *	AdminGroup=GROUP	Members of GROUP (besides root) may see and act
 *				on every channel and listener, like root.  For
 *				Unix-socket clients this is their primary group;
 *				for D-Bus clients any group of the connection.
 *				Empty (the default): root only.
 *	Verbose=BOOL		Log debug messages (yes/no, true/false, on/off,
 *				1/0).  Default: no.
 *
 *	[Limits]
 *	ChannelsPerUser=N	A user (other than an administrator) may own at
 *				most N channels; one more is WS_E_QUOTA_EXCEEDED.
 *				0 (the default): no limit.
 *	ListenersPerUser=N	The same for listeners.
 *
 *	Limits apply to new objects only; a reload that lowers them frees
 *	nothing.
 *
 * EXAMPLE
 *	[Daemon]
 *	AdminGroup=wsadmin
 *
 *	[Limits]
 *	ChannelsPerUser=1024
 *	ListenersPerUser=64
 */
#ifndef WSCHANNEL_CONF_H
#define WSCHANNEL_CONF_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "registry.h"

struct conf {
	char			 admin_group[64];	/* "" for none */
	gid_t			 admin_gid;		/* (gid_t)-1 for none */
	bool			 verbose;
	struct registry_limits	 limits;
};

/* The defaults. */
void	conf_init(struct conf *);
/*
 * Reads `path` into *out (all of it or nothing): 0 (also when the file does
 * not exist: then the defaults), or a negative errno with a reason in
 * `err` ("wschanneld.conf:3: unknown key Foo in [Daemon]").
 */
int	conf_load(const char *path, struct conf *out, char *err,
	    size_t errlen);

#endif
