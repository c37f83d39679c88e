/*
 * Where the daemon is (WSCHANNEL_ADDRESS, see ipc.h) and what went wrong
 * reaching it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"

#define IPC_DEFAULT_SOCKET	"/run/wschanneld/control.sock"
#define IPC_XDG_SOCKET		"/wschanneld/control.sock"
#define IPC_SUN_PATH_MAX	108	/* sizeof(sockaddr_un.sun_path) */

int
ipc_status_set(struct ipc_status *st, HRESULT hr, int err, const char *fmt,
    ...)
{
	va_list ap;

	st->hr = hr;
	st->err = err;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	return err;
}

/* Copies `len` bytes of `val` into the address; -ENAMETOOLONG. */
static int
ipc_address_set(struct ipc_address *a, enum ipc_door door, bool abstract,
    const char *val, size_t len, struct ipc_status *st)
{
	size_t max = door == IPC_DOOR_UNIX ? IPC_SUN_PATH_MAX -
	    (abstract ? 1 : 0) : sizeof(a->target);

	if (len >= max)
		return ipc_status_set(st, WS_E_ENDPOINT_UNREACHABLE,
		    -ENAMETOOLONG, door == IPC_DOOR_UNIX ? "wschanneld socket "
		    "path is too long: %.*s" : "the bus address is too long: "
		    "%.*s", (int)len, val);
	a->door = door;
	a->abstract = abstract;
	memcpy(a->target, val, len);
	a->target[len] = '\0';
	return 0;
}

int
ipc_address_parse(const char *env, struct ipc_address *a,
    struct ipc_status *st)
{
	const char *p, *end, *val = NULL, *xdg;
	char path[IPC_SUN_PATH_MAX + 64];
	bool abstract = false;
	size_t len = 0;

	memset(a, 0, sizeof(*a));
	if (env != NULL && strncmp(env, "dbus:", 5) == 0) {
		if (env[5] == '\0')
			return ipc_status_set(st, WS_E_ENDPOINT_UNREACHABLE,
			    -EAFNOSUPPORT, "WSCHANNEL_ADDRESS=dbus: names no "
			    "bus (dbus:system, dbus:session or dbus:ADDRESS)");
		return ipc_address_set(a, IPC_DOOR_DBUS, false, env + 5,
		    strlen(env + 5), st);
	}
	if (env != NULL && *env != '\0') {
		if (env[0] == '/') {
			val = env;
			len = strlen(env);
		} else if (strncmp(env, "unix:", 5) == 0) {
			/* key=value pairs separated by commas, D-Bus style;
			 * keys other than path and abstract are ignored. */
			for (p = env + 5; *p != '\0'; p = *end ? end + 1 : end) {
				if ((end = strchr(p, ',')) == NULL)
					end = p + strlen(p);
				if (strncmp(p, "path=", 5) == 0) {
					val = p + 5;
					len = (size_t)(end - val);
					abstract = false;
				} else if (strncmp(p, "abstract=", 9) == 0) {
					val = p + 9;
					len = (size_t)(end - val);
					abstract = true;
				}
			}
		}
		if (val == NULL || len == 0)
			return ipc_status_set(st, WS_E_ENDPOINT_UNREACHABLE,
			    -EAFNOSUPPORT, "WSCHANNEL_ADDRESS=%s: not an "
			    "address wschanneld listens on (expected "
			    "unix:path=/path or dbus:system)", env);
	} else {
		xdg = secure_getenv("XDG_RUNTIME_DIR");
		if (xdg != NULL && xdg[0] == '/' &&
		    (size_t)snprintf(path, sizeof(path), "%s%s", xdg,
		    IPC_XDG_SOCKET) < sizeof(path) && access(path, F_OK) == 0)
			val = path;
		else
			val = IPC_DEFAULT_SOCKET;
		len = strlen(val);
	}
	return ipc_address_set(a, IPC_DOOR_UNIX, abstract, val, len, st);
}
