/* The configuration file (see conf.h), parsed with inih. */
#include <sys/types.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"

struct conf_parse {
	struct conf	 cf;
	char		 why[160];	/* the first error */
	bool		 failed;
};

static int
conf_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int
conf_uint(const char *v, unsigned *out)
{
	unsigned long n;
	char *end;

	if (*v == '\0' || *v == '-')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > UINT_MAX)
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

/* Remembers the first error only: inih goes on after a bad line. */
static int
conf_fail(struct conf_parse *cp, const char *section, const char *name,
    const char *what)
{
	if (!cp->failed)
		snprintf(cp->why, sizeof(cp->why), "[%s] %s: %s", section,
		    name, what);
	cp->failed = true;
	return 0;
}

static int
conf_entry(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse *cp = user;
	struct conf *cf = &cp->cf;

	if (strcmp(section, "Daemon") == 0) {
		if (strcmp(name, "AdminGroup") == 0) {
			if (strlen(value) >= sizeof(cf->admin_group))
				return conf_fail(cp, section, name,
				    "group name too long");
			strcpy(cf->admin_group, value);
			return 1;
		}
		if (strcmp(name, "Verbose") == 0) {
			if (conf_bool(value, &cf->verbose) != 0)
				return conf_fail(cp, section, name,
				    "not a boolean");
			return 1;
		}
	} else if (strcmp(section, "Limits") == 0) {
		if (strcmp(name, "ChannelsPerUser") == 0) {
			if (conf_uint(value, &cf->limits.channels_per_user) != 0)
				return conf_fail(cp, section, name,
				    "not a number");
			return 1;
		}
		if (strcmp(name, "ListenersPerUser") == 0) {
			if (conf_uint(value, &cf->limits.listeners_per_user) != 0)
				return conf_fail(cp, section, name,
				    "not a number");
			return 1;
		}
	} else
		return conf_fail(cp, section, name, "unknown section");
	return conf_fail(cp, section, name, "unknown key");
}

void
conf_init(struct conf *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->admin_gid = (gid_t)-1;
}

int
conf_load(const char *path, struct conf *out, char *err, size_t errlen)
{
	struct conf_parse cp;
	struct group *gr;
	int r;

	memset(&cp, 0, sizeof(cp));
	conf_init(&cp.cf);
	if (access(path, F_OK) == -1 && errno == ENOENT) {
		*out = cp.cf;
		return 0;
	}
	if ((r = ini_parse(path, conf_entry, &cp)) < 0) {
		snprintf(err, errlen, "%s: %s", path,
		    r == -1 ? strerror(errno) : "out of memory");
		return r == -1 ? -EIO : -ENOMEM;
	}
	if (r > 0) {
		/* inih reports the line of the first error. */
		snprintf(err, errlen, "%s:%d: %s", path, r,
		    cp.failed ? cp.why : "syntax error");
		return -EINVAL;
	}
	if (cp.cf.admin_group[0] != '\0') {
		/* Resolved now, so a bad name fails the load, not a check. */
		if ((gr = getgrnam(cp.cf.admin_group)) == NULL) {
			snprintf(err, errlen, "%s: [Daemon] AdminGroup: "
			    "unknown group %s", path, cp.cf.admin_group);
			return -EINVAL;
		}
		cp.cf.admin_gid = gr->gr_gid;
	}
	*out = cp.cf;
	return 0;
}
