/* Integration test harness: see harness.h. */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <systemd/sd-bus.h>

#include "harness.h"
#include "hresult.h"

#ifndef ABS_BUILDDIR
#define ABS_BUILDDIR "."
#endif
#ifndef ABS_SRCDIR
#define ABS_SRCDIR "."
#endif
#ifndef DBUS_DAEMON
#define DBUS_DAEMON ""
#endif
/* configure's path, else $PATH. */
#define DBUS_DAEMON_PROG (DBUS_DAEMON[0] != '\0' ? DBUS_DAEMON : "dbus-daemon")
#define DBUS_WSCHANNEL	"org.wschannel.WsChannel1"

#if defined(__SANITIZE_ADDRESS__)
#define HARNESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARNESS_ASAN 1
#endif
#endif

#define START_TIMEOUT_MS	10000
#define STOP_TIMEOUT_MS		10000
#define VALGRIND_TIMEOUT_MS	90000	/* valgrind starts and stops slowly */
#define WSCTL_TIMEOUT_MS	20000

static struct {
	pid_t	pid;		/* the daemon, -1 when none */
	pid_t	owner;		/* the process that started it */
	bool	valgrind;
	bool	have_dir;
	bool	atexit_set;
	char	dir[80];
	char	sock[100];		/* fits sun_path */
	char	sockaddr[112];		/* "unix:path=" sock */
	char	log[100];
	bool	dbus;		/* the library uses the D-Bus door */
	pid_t	bus_pid;	/* the private dbus-daemon, -1 when none */
	char	bus_addr[512];
} hd = { .pid = -1, .bus_pid = -1 };

uint64_t
harness_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
harness_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Milliseconds left until `deadline_us`, at least 0. */
static int
ms_left(uint64_t deadline_us)
{
	uint64_t now = harness_now_us();

	return now >= deadline_us ? 0 : (int)((deadline_us - now + 999) / 1000);
}

const char *
harness_builddir(void)
{
	const char *d = getenv("WSCHANNEL_BUILDDIR");

	return d != NULL && *d != '\0' ? d : ABS_BUILDDIR;
}

char *
harness_build_path(const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", harness_builddir(), rel) == -1)
		return NULL;
	return p;
}

bool
harness_sanitized(void)
{
#ifdef HARNESS_ASAN
	return true;
#else
	return false;
#endif
}

bool
harness_have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	const char *p, *end;

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, name);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

bool
harness_valgrind_usable(void)
{
	return !harness_sanitized() && harness_have_program("valgrind");
}

/* ---- the private daemon ----------------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void
remove_dir(void)
{
	if (hd.have_dir)
		nftw(hd.dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	hd.have_dir = false;
}

/* A test that fails exits from the middle: do not leave a daemon behind. */
static void
harness_atexit(void)
{
	if (hd.pid > 0 && getpid() == hd.owner) {
		kill(hd.pid, SIGKILL);
		waitpid(hd.pid, NULL, 0);
		hd.pid = -1;
		remove_dir();
	}
	if (hd.bus_pid > 0 && getpid() == hd.owner) {
		kill(hd.bus_pid, SIGKILL);
		waitpid(hd.bus_pid, NULL, 0);
		hd.bus_pid = -1;
	}
}

/*
 * A failed Check assertion ends the forked test with _exit: no atexit, no
 * teardown.  The daemon dies with its parent (PDEATHSIG), and the process
 * that forked the tests removes every directory named after it when it
 * exits, unless WSCHANNEL_KEEP_TMP=1.
 */
static pid_t harness_root_pid;

static void
harness_root_exit(void)
{
	const char *keep = getenv("WSCHANNEL_KEEP_TMP");
	const char *tmp = getenv("TMPDIR");
	char prefix[64], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (getpid() != harness_root_pid || (keep != NULL &&
	    strcmp(keep, "1") == 0))
		return;
	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(prefix, sizeof(prefix), "wschannel-test.%ld.",
	    (long)harness_root_pid);
	if ((d = opendir(tmp)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name);
		nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	closedir(d);
}

__attribute__((constructor)) static void
harness_init(void)
{
	harness_root_pid = getpid();
	atexit(harness_root_exit);
}

static int
try_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	r = r == -1 ? -errno : 0;
	close(fd);
	return r;
}

static void
dump_log(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(hd.log, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return;
	fprintf(stderr, "---- %s ----\n", hd.log);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	fprintf(stderr, "---- end of daemon log ----\n");
	close(fd);
}

static int
status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* ---- the private bus ------------------------------------------------------------ */

void
harness_use_dbus(bool on)
{
	hd.dbus = on;
}

bool
harness_dbus(void)
{
	const char *env = getenv("WSCHANNEL_TEST_DBUS");

	return hd.dbus || (env != NULL && strcmp(env, "1") == 0);
}

const char *
harness_bus_address(void)
{
	return hd.bus_pid > 0 ? hd.bus_addr : NULL;
}

pid_t
harness_bus_pid(void)
{
	return hd.bus_pid;
}

const char *
harness_socket_address(void)
{
	return hd.pid > 0 ? hd.sockaddr : NULL;
}

static const char *
harness_srcdir(void)
{
	const char *s = getenv("WSCHANNEL_SRCDIR");

	return s != NULL && *s != '\0' ? s : ABS_SRCDIR;
}

static void
bus_stop(void)
{
	if (hd.bus_pid <= 0)
		return;
	kill(hd.bus_pid, SIGTERM);
	if (harness_wait_pid(hd.bus_pid, STOP_TIMEOUT_MS) < 0) {
		kill(hd.bus_pid, SIGKILL);
		waitpid(hd.bus_pid, NULL, 0);
	}
	hd.bus_pid = -1;
	hd.bus_addr[0] = '\0';
}

/* A private dbus-daemon that dies with us; its address in hd.bus_addr. */
static int
bus_start(void)
{
	char conf[PATH_MAX], cfg[PATH_MAX + 16];
	pid_t parent = getpid();
	int pfd[2], nullfd, r;

	snprintf(conf, sizeof(conf), "%s/tests/dbus-session.conf",
	    harness_srcdir());
	snprintf(cfg, sizeof(cfg), "--config-file=%s", conf);
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return -errno;
	if ((hd.bus_pid = fork()) == -1) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	if (hd.bus_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		nullfd = open("/dev/null", O_RDWR);
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);	/* its warnings (fd limits as root) */
		/* The address goes to fd 3, which must survive exec. */
		if (pfd[1] == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(pfd[1], 3);
		execlp(DBUS_DAEMON_PROG, "dbus-daemon", cfg, "--nofork",
		    "--print-address=3", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	hd.owner = parent;
	r = harness_read_line(pfd[0], hd.bus_addr, sizeof(hd.bus_addr),
	    START_TIMEOUT_MS);
	close(pfd[0]);
	if (r < 0 || hd.bus_addr[0] == '\0') {
		fprintf(stderr, "harness: cannot start %s with %s\n",
		    DBUS_DAEMON_PROG, conf);
		bus_stop();
		return r < 0 ? r : -EPROTO;
	}
	return 0;
}

/* Whether wschanneld owns its name on the private bus. */
static bool
bus_name_owned(void)
{
	sd_bus_message *reply = NULL;
	sd_bus *b = NULL;
	int has = 0;

	if (sd_bus_new(&b) < 0)
		return false;
	if (sd_bus_set_address(b, hd.bus_addr) >= 0 &&
	    sd_bus_set_bus_client(b, 1) >= 0 && sd_bus_start(b) >= 0 &&
	    sd_bus_call_method(b, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
	    NULL, &reply, "s", DBUS_WSCHANNEL) >= 0)
		(void)sd_bus_message_read(reply, "b", &has);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(b);
	return has != 0;
}

int
harness_daemon_start(void)
{
	return harness_daemon_start_flags(0);
}

/* A new network namespace with its loopback up; raw syscalls only (it
 * runs between fork and exec). */
static int
netns_enter(void)
{
	struct ifreq ifr;
	int s, r = -1;

	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

bool
harness_netns_usable(void)
{
	pid_t pid;
	int st;

	if (geteuid() != 0)
		return false;
	if ((pid = fork()) == -1)
		return false;
	if (pid == 0)
		_exit(netns_enter() == 0 ? 0 : 1);
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int
harness_daemon_start_flags(int flags)
{
	const char *env = getenv("WSCHANNEL_VALGRIND"), *tmp;
	char *daemon, addr[sizeof(hd.bus_addr) + 8];
	const char *argv[16];
	pid_t parent, pid;
	uint64_t deadline;
	int argc = 0, st, r, logfd, nullfd;

	if (hd.pid > 0)
		return -EALREADY;
	if (!hd.atexit_set) {
		atexit(harness_atexit);
		hd.atexit_set = true;
	}
	hd.valgrind = ((flags & HARNESS_VALGRIND) ||
	    (env != NULL && strcmp(env, "1") == 0)) && harness_valgrind_usable();

	/* $TMPDIR if it leaves room for the socket name (sun_path). */
	tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(hd.dir, sizeof(hd.dir), "%s/wschannel-test.%ld.XXXXXX", tmp,
	    (long)harness_root_pid);
	if (mkdtemp(hd.dir) == NULL)
		return -errno;
	hd.have_dir = true;
	snprintf(hd.sock, sizeof(hd.sock), "%s/control.sock", hd.dir);
	snprintf(hd.sockaddr, sizeof(hd.sockaddr), "unix:path=%s", hd.sock);
	snprintf(hd.log, sizeof(hd.log), "%s/daemon.log", hd.dir);
	if (harness_dbus() && hd.bus_pid <= 0 && (r = bus_start()) < 0) {
		remove_dir();
		return r;
	}

	if ((daemon = harness_build_path("wschanneld")) == NULL)
		return -ENOMEM;
	if (hd.valgrind) {
		argv[argc++] = "valgrind";
		argv[argc++] = "-q";
		argv[argc++] = "--leak-check=full";
		argv[argc++] = "--error-exitcode=99";
	}
	argv[argc++] = daemon;
	argv[argc++] = "-d";
	argv[argc++] = "--socket";
	argv[argc++] = hd.sock;
	if (harness_dbus()) {
		argv[argc++] = "--bus";
		argv[argc++] = hd.bus_addr;
	}
	argv[argc] = NULL;

	logfd = open(hd.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (logfd == -1 || nullfd == -1) {
		r = -errno;
		goto fail;
	}
	parent = getpid();
	pid = fork();
	if (pid == -1) {
		r = -errno;
		goto fail;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls until exec. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		if ((flags & HARNESS_NETNS) && netns_enter() != 0)
			_exit(125);
		dup2(nullfd, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		if (hd.valgrind)
			execvp(argv[0], (char *const *)argv);
		else
			execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(logfd);
	close(nullfd);
	logfd = nullfd = -1;
	free(daemon);
	daemon = NULL;
	hd.pid = pid;
	hd.owner = parent;

	deadline = harness_now_us() + 1000ull *
	    (hd.valgrind ? VALGRIND_TIMEOUT_MS : START_TIMEOUT_MS);
	for (;;) {
		if (try_connect_unix(hd.sock) == 0)
			break;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			hd.pid = -1;
			fprintf(stderr, "harness: wschanneld exited with %d "
			    "before its socket accepted\n", status_code(st));
			dump_log();
			return -ECHILD;
		}
		if (harness_now_us() > deadline) {
			fprintf(stderr, "harness: wschanneld socket not ready\n");
			dump_log();
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			hd.pid = -1;
			return -ETIMEDOUT;
		}
		harness_sleep_ms(2);
	}
	if (harness_dbus()) {
		/* The name comes after the socket. */
		while (!bus_name_owned()) {
			if (waitpid(pid, &st, WNOHANG) == pid ||
			    harness_now_us() > deadline) {
				fprintf(stderr, "harness: wschanneld did not "
				    "take %s on %s\n", DBUS_WSCHANNEL,
				    hd.bus_addr);
				dump_log();
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				hd.pid = -1;
				return -ETIMEDOUT;
			}
			harness_sleep_ms(2);
		}
		snprintf(addr, sizeof(addr), "dbus:%s", hd.bus_addr);
	} else
		snprintf(addr, sizeof(addr), "unix:path=%s", hd.sock);
	setenv("WSCHANNEL_ADDRESS", addr, 1);
	return 0;

fail:
	if (logfd != -1)
		close(logfd);
	if (nullfd != -1)
		close(nullfd);
	free(daemon);
	remove_dir();
	return r;
}

int
harness_daemon_stop(void)
{
	uint64_t deadline;
	int st = 0, code;
	pid_t r;

	if (hd.pid <= 0) {
		remove_dir();
		bus_stop();
		return 0;
	}
	kill(hd.pid, SIGTERM);
	deadline = harness_now_us() + 1000ull *
	    (hd.valgrind ? VALGRIND_TIMEOUT_MS : STOP_TIMEOUT_MS);
	for (;;) {
		r = waitpid(hd.pid, &st, WNOHANG);
		if (r == hd.pid)
			break;
		if (r == -1 && errno != EINTR) {
			hd.pid = -1;
			return -errno;
		}
		if (harness_now_us() > deadline) {
			fprintf(stderr, "harness: wschanneld ignored SIGTERM, "
			    "killing it\n");
			kill(hd.pid, SIGKILL);
			waitpid(hd.pid, &st, 0);
			break;
		}
		harness_sleep_ms(2);
	}
	hd.pid = -1;
	code = status_code(st);
	if (code != 0) {
		fprintf(stderr, "harness: wschanneld exit status %d%s; "
		    "directory kept (until the test program exits, or for "
		    "good with WSCHANNEL_KEEP_TMP=1): %s\n", code,
		    hd.valgrind ? " (valgrind: 99 = errors or leaks)" : "",
		    hd.dir);
		dump_log();
		hd.have_dir = false;
	} else
		remove_dir();
	bus_stop();
	return code;
}

int
harness_daemon_kill(void)
{
	if (hd.pid <= 0)
		return -ESRCH;
	if (kill(hd.pid, SIGKILL) == -1)
		return -errno;
	waitpid(hd.pid, NULL, 0);
	hd.pid = -1;
	return 0;
}

pid_t
harness_daemon_pid(void)
{
	return hd.pid;
}

bool
harness_daemon_valgrind(void)
{
	return hd.pid > 0 && hd.valgrind;
}

const char *
harness_socket_path(void)
{
	return hd.pid > 0 ? hd.sock : NULL;
}

const char *
harness_dir(void)
{
	return hd.have_dir ? hd.dir : NULL;
}

int
harness_share_socket(void)
{
	if (hd.pid <= 0)
		return -ESRCH;
	if (chmod(hd.dir, 0755) == -1 || chmod(hd.sock, 0666) == -1)
		return -errno;
	return 0;
}

/* ---- programs ------------------------------------------------------------------ */

int
harness_run(char *const argv[], int timeout_ms, char **out, int *status)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0;
	int pfd[2], nullfd, st, r = 0;
	posix_spawn_file_actions_t fa;
	struct pollfd p;
	ssize_t n;
	pid_t pid;

	if (out != NULL)
		*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return -errno;
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd == -1) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	/* Spawned, not forked: a fork copies the page tables of this process,
	 * which in the benchmark holds tens of thousands of channels, and
	 * that was part of what `wsctl list` was timed at. */
	if ((r = posix_spawn_file_actions_init(&fa)) == 0) {
		if ((r = posix_spawn_file_actions_adddup2(&fa, nullfd, 0)) ==
		    0 && (r = posix_spawn_file_actions_adddup2(&fa, pfd[1],
		    1)) == 0)
			r = posix_spawnp(&pid, argv[0], &fa, NULL, argv,
			    environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(pfd[1]);
	close(nullfd);
	if (r != 0) {
		close(pfd[0]);
		return -r;
	}

	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				r = -ENOMEM;
				break;
			}
			buf = nbuf;
		}
		p.fd = pfd[0];
		p.events = POLLIN;
		if (poll(&p, 1, ms_left(deadline)) == 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pfd[0]);
	if (r == 0) {
		for (;;) {
			pid_t w = waitpid(pid, &st, WNOHANG);

			if (w == pid)
				break;
			if (harness_now_us() > deadline) {
				r = -ETIMEDOUT;
				break;
			}
			harness_sleep_ms(1);
		}
	}
	if (r != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		free(buf);
		return r;
	}
	if (buf != NULL)
		buf[len] = '\0';
	if (status != NULL)
		*status = status_code(st);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return 0;
}

pid_t
harness_spawn(char *const argv[], int *outfd)
{
	int pfd[2] = { -1, -1 }, nullfd, r;
	pid_t parent = getpid(), pid;

	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd == -1)
		return -errno;
	if (outfd != NULL && pipe2(pfd, O_CLOEXEC) == -1) {
		r = -errno;
		close(nullfd);
		return r;
	}
	pid = fork();
	if (pid == -1) {
		r = -errno;
		close(nullfd);
		if (pfd[0] != -1) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return r;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(nullfd, 0);
		dup2(pfd[1] != -1 ? pfd[1] : nullfd, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(nullfd);
	if (outfd != NULL) {
		close(pfd[1]);
		*outfd = pfd[0];
	}
	return pid;
}

int
harness_read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	size_t n = 0;
	char c;
	int r;

	if (len == 0)
		return -EINVAL;
	for (;;) {
		if ((r = harness_raw_read_full(fd, &c, 1, ms_left(deadline))) < 0) {
			buf[n] = '\0';
			return r;
		}
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

int
harness_wait_pid(pid_t pid, int timeout_ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	int st;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return status_code(st);
		if (r == -1 && errno != EINTR)
			return -errno;
		if (harness_now_us() > deadline)
			return -ETIMEDOUT;
		harness_sleep_ms(1);
	}
}

static int
wsctl_v(const char *const *prefix, char **out, int *status, const char *arg,
    va_list ap)
{
	const char *argv[64];
	char *wsctl;
	int argc = 0, r;

	if (hd.pid <= 0)
		return -ESRCH;
	if ((wsctl = harness_build_path("wsctl")) == NULL)
		return -ENOMEM;
	for (; prefix != NULL && *prefix != NULL && argc < 16; prefix++)
		argv[argc++] = *prefix;
	argv[argc++] = wsctl;
	if (harness_dbus() && hd.bus_pid > 0) {
		/* The D-Bus run: wsctl takes the same door as the library. */
		argv[argc++] = "--bus";
		argv[argc++] = hd.bus_addr;
	} else {
		argv[argc++] = "--socket";
		argv[argc++] = hd.sock;
	}
	for (; arg != NULL && argc < 63; arg = va_arg(ap, const char *))
		argv[argc++] = arg;
	argv[argc] = NULL;
	r = harness_run((char *const *)argv, WSCTL_TIMEOUT_MS, out, status);
	free(wsctl);
	return r;
}

int
harness_wsctl(char **out, int *status, const char *arg, ...)
{
	va_list ap;
	int r;

	va_start(ap, arg);
	r = wsctl_v(NULL, out, status, arg, ap);
	va_end(ap);
	return r;
}

int
harness_wsctl_prefixed(const char *const *prefix, char **out, int *status,
    const char *arg, ...)
{
	va_list ap;
	int r;

	va_start(ap, arg);
	r = wsctl_v(prefix, out, status, arg, ap);
	va_end(ap);
	return r;
}

int
harness_parse_list(const char *out, struct harness_channel_row *rows, int max)
{
	struct harness_channel_row row;
	const char *line, *nl;
	int n = 0;

	/* Channel rows come first; an empty line starts the listeners. */
	for (line = out; line != NULL && *line != '\0' && *line != '\n';
	    line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		memset(&row, 0, sizeof(row));
		/* ID UID PID TYPE BINDING STATE REMOTE PENDING IN OUT */
		if (sscanf(line, "%" SCNu64 " %" SCNu32 " %" SCNu32
		    " %*s %*s %15s %*s %" SCNu32, &row.id, &row.uid, &row.pid,
		    row.state, &row.pending) < 4)
			continue;
		if (n < max)
			rows[n] = row;
		n++;
	}
	return n;
}

int
harness_list_channels(struct harness_channel_row *rows, int max)
{
	char *out = NULL;
	int st, r;

	r = harness_wsctl(&out, &st, "list", NULL);
	if (r < 0)
		return r;
	if (st != 0) {
		free(out);
		return -EPROTO;
	}
	r = harness_parse_list(out, rows, max);
	free(out);
	return r;
}

/* ---- raw loopback peers ------------------------------------------------------- */

static void
loopback(struct sockaddr_in *sin, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
}

int
harness_tcp_listener(uint16_t *port, int backlog)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd, r;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	loopback(&sin, 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, backlog) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) == -1) {
		r = -errno;
		close(fd);
		return r;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static int silent_dns_fd = -1;
static char silent_dns_conf[64];

int
harness_silent_dns_start(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	FILE *f;
	int fd, err;

	if (silent_dns_fd != -1)
		return -EALREADY;
	if ((silent_dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
	    0)) == -1)
		return -errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(silent_dns_conf, sizeof(silent_dns_conf),
	    "/tmp/wschannel-resolv.XXXXXX");
	if (bind(silent_dns_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(silent_dns_fd, (struct sockaddr *)&sin, &len) == -1 ||
	    (fd = mkstemp(silent_dns_conf)) == -1)
		goto fail;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto fail_file;
	}
	fprintf(f, "nameserver 127.0.0.1:%u\n", (unsigned)ntohs(sin.sin_port));
	if (fclose(f) != 0)
		goto fail_file;
	setenv("WSCHANNEL_RESOLV_CONF", silent_dns_conf, 1);
	return silent_dns_fd;
fail_file:
	err = errno;
	unlink(silent_dns_conf);
	errno = err;
fail:
	err = errno;
	close(silent_dns_fd);
	silent_dns_fd = -1;
	return -err;
}

void
harness_silent_dns_stop(void)
{
	if (silent_dns_fd == -1)
		return;
	unsetenv("WSCHANNEL_RESOLV_CONF");
	unlink(silent_dns_conf);
	close(silent_dns_fd);
	silent_dns_fd = -1;
}

int
harness_free_port(uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	loopback(&sin, 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) == -1)
		r = -errno;
	else
		*port = ntohs(sin.sin_port);
	close(fd);
	return r;
}

static int
tcp_connect(uint16_t port, bool nb)
{
	struct sockaddr_in sin;
	int fd, r, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    (nb ? SOCK_NONBLOCK : 0), 0);
	if (fd == -1)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	loopback(&sin, port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    !(nb && errno == EINPROGRESS)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
harness_tcp_connect(uint16_t port)
{
	return tcp_connect(port, false);
}

int
harness_tcp_connect_nb(uint16_t port)
{
	return tcp_connect(port, true);
}

static int
wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

int
harness_raw_accept(int lfd, int timeout_ms)
{
	int fd, r, one = 1;

	if ((r = wait_fd(lfd, POLLIN, timeout_ms)) < 0)
		return r;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd == -1)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

ssize_t
harness_raw_read(int fd, void *buf, size_t len, int timeout_ms)
{
	ssize_t n;
	int r;

	if ((r = wait_fd(fd, POLLIN, timeout_ms)) < 0)
		return r;
	do
		n = read(fd, buf, len);	/* poll said readable; pipes too */
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	return n;
}

int
harness_raw_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = harness_raw_read(fd, (char *)buf + got, len - got,
		    ms_left(deadline));
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

int
harness_control_connect(void)
{
	struct sockaddr_un sun;
	const char *path = harness_socket_path();
	int fd, err;

	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		return -ENOENT;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int
harness_raw_write(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, (const char *)buf + done, len - done,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			wait_fd(fd, POLLOUT, 1000);
			continue;
		}
		if (n == -1)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

void
harness_raw_reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

int
harness_raw_wait_eof(int fd, int timeout_ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = harness_raw_read(fd, buf, sizeof(buf), ms_left(deadline));
		if (n == -ETIMEDOUT)
			return -ETIMEDOUT;
		if (n <= 0)
			return 0;
	}
}

/* ---- .NET Message Framing ------------------------------------------------------ */

static size_t
mbi31_encode(uint32_t v, uint8_t out[5])
{
	size_t n = 0;

	do {
		out[n] = v & 0x7f;
		v >>= 7;
		if (v != 0)
			out[n] |= 0x80;
		n++;
	} while (v != 0);
	return n;
}

static int
mbi31_read(int fd, uint64_t deadline, uint32_t *v)
{
	uint8_t b;
	int i, r;

	*v = 0;
	for (i = 0; i < 5; i++) {
		if ((r = harness_raw_read_full(fd, &b, 1, ms_left(deadline))) < 0)
			return r;
		*v |= (uint32_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
			return 0;
	}
	return -EBADMSG;
}

int
harness_nmf_read_preamble(int fd, int timeout_ms, char *via, size_t vialen,
    uint8_t *encoding)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	uint8_t type, b[2];
	uint32_t len;
	char *tmp;
	int r;

	for (;;) {
		if ((r = harness_raw_read_full(fd, &type, 1,
		    ms_left(deadline))) < 0)
			return r;
		switch (type) {
		case 0x00:	/* Version: major, minor */
			r = harness_raw_read_full(fd, b, 2, ms_left(deadline));
			break;
		case 0x01:	/* Mode */
			r = harness_raw_read_full(fd, b, 1, ms_left(deadline));
			break;
		case 0x03:	/* KnownEncoding */
			r = harness_raw_read_full(fd, b, 1, ms_left(deadline));
			if (r == 0 && encoding != NULL)
				*encoding = b[0];
			break;
		case 0x02:	/* Via */
		case 0x04:	/* ExtensibleEncoding */
			if ((r = mbi31_read(fd, deadline, &len)) < 0)
				return r;
			if (len > 65536)
				return -EBADMSG;
			if ((tmp = malloc(len + 1)) == NULL)
				return -ENOMEM;
			r = harness_raw_read_full(fd, tmp, len,
			    ms_left(deadline));
			tmp[len] = '\0';
			if (r == 0 && type == 0x02 && via != NULL && vialen > 0)
				snprintf(via, vialen, "%s", tmp);
			free(tmp);
			break;
		case 0x0c:	/* PreambleEnd */
			return 0;
		default:
			return -EBADMSG;
		}
		if (r < 0)
			return r;
	}
}

int
harness_nmf_write_preamble(int fd, const char *via, uint8_t encoding)
{
	size_t vlen = strlen(via), n = 0;
	uint8_t *buf;
	int r;

	if ((buf = malloc(vlen + 16)) == NULL)
		return -ENOMEM;
	buf[n++] = 0x00;	/* Version 1.0 */
	buf[n++] = 1;
	buf[n++] = 0;
	buf[n++] = 0x01;	/* Mode: duplex */
	buf[n++] = 2;
	buf[n++] = 0x02;	/* Via */
	n += mbi31_encode((uint32_t)vlen, buf + n);
	memcpy(buf + n, via, vlen);
	n += vlen;
	buf[n++] = 0x03;	/* KnownEncoding */
	buf[n++] = encoding;
	buf[n++] = 0x0c;	/* PreambleEnd */
	r = harness_raw_write(fd, buf, n);
	free(buf);
	return r;
}

int
harness_nmf_write_ack(int fd)
{
	uint8_t b = 0x0b;

	return harness_raw_write(fd, &b, 1);
}

int
harness_nmf_read_ack(int fd, int timeout_ms)
{
	uint8_t b;
	int r;

	if ((r = harness_raw_read_full(fd, &b, 1, timeout_ms)) < 0)
		return r;
	return b == 0x0b ? 0 : -EBADMSG;
}

int
harness_nmf_write_envelope(int fd, const void *data, size_t len)
{
	uint8_t hdr[6];
	size_t n = 0;
	int r;

	hdr[n++] = 0x06;
	n += mbi31_encode((uint32_t)len, hdr + n);
	if ((r = harness_raw_write(fd, hdr, n)) < 0)
		return r;
	return harness_raw_write(fd, data, len);
}

int
harness_nmf_read_record(int fd, int timeout_ms, uint8_t *type,
    char **payload, size_t *len)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;
	uint32_t size;
	char *buf;
	int r;

	*payload = NULL;
	*len = 0;
	if ((r = harness_raw_read_full(fd, type, 1, timeout_ms)) < 0)
		return r;
	if (*type != 0x06 && *type != 0x08)
		return 0;
	if ((r = mbi31_read(fd, deadline, &size)) < 0)
		return r;
	if (size > 64u * 1024 * 1024)
		return -EBADMSG;
	if ((buf = malloc((size_t)size + 1)) == NULL)
		return -ENOMEM;
	if ((r = harness_raw_read_full(fd, buf, size, ms_left(deadline))) < 0) {
		free(buf);
		return r;
	}
	buf[size] = '\0';
	*payload = buf;
	*len = size;
	return 0;
}

char *
harness_soap12_envelope(const char *action, const char *body_xml)
{
	char *s;

	if (asprintf(&s,
	    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
	    " xmlns:a=\"http://www.w3.org/2005/08/addressing\">"
	    "<s:Header><a:Action s:mustUnderstand=\"1\">%s</a:Action>"
	    "</s:Header><s:Body>%s</s:Body></s:Envelope>",
	    action, body_xml) == -1)
		return NULL;
	return s;
}

int
harness_raw_server_open(struct harness_raw_server *rs, WS_CHANNEL *ch,
    int rcvbuf)
{
	struct harness_async *op;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	HRESULT hr;
	int r;

	memset(rs, 0, sizeof(*rs));
	rs->lfd = rs->fd = -1;
	rs->ch = ch;
	rs->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rs->lfd == -1)
		return -errno;
	/* Set before listen: accepted sockets inherit it. */
	if (rcvbuf > 0)
		setsockopt(rs->lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	loopback(&sin, 0);
	if (bind(rs->lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(rs->lfd, 8) == -1 ||
	    getsockname(rs->lfd, (struct sockaddr *)&sin, &slen) == -1)
		return -errno;
	rs->port = ntohs(sin.sin_port);

	/* Leaked on failure: a late callback must find it alive. */
	if ((op = malloc(sizeof(*op))) == NULL)
		return -ENOMEM;
	harness_async_init(op);
	hr = harness_open(ch, rs->port, &op->ctx, NULL);
	if (hr != WS_S_ASYNC)
		return -EPROTO;
	if ((rs->fd = harness_raw_accept(rs->lfd, 10000)) < 0)
		return rs->fd;
	if ((r = harness_nmf_read_preamble(rs->fd, 10000, NULL, 0, NULL)) < 0 ||
	    (r = harness_nmf_write_ack(rs->fd)) < 0)
		return r;
	if (harness_async_wait(op, 1, 10000) != 1 || op->hr != S_OK)
		return -EPROTO;
	harness_async_destroy(op);
	free(op);
	return 0;
}

void
harness_raw_server_close(struct harness_raw_server *rs)
{
	if (rs->fd >= 0)
		close(rs->fd);
	if (rs->lfd >= 0)
		close(rs->lfd);
	rs->fd = rs->lfd = -1;
}

/* ---- WWSAPI helpers ----------------------------------------------------------- */

void
harness_url(char *buf, size_t len, uint16_t port, const char *path)
{
	snprintf(buf, len, "net.tcp://127.0.0.1:%u/%s", port,
	    path != NULL ? path : "x");
}

WS_STRING
harness_ws_string(const char *ascii)
{
	WS_STRING s = { 0, NULL };
	size_t i, n = strlen(ascii);

	s.chars = calloc(n + 1, sizeof(WCHAR));
	if (s.chars == NULL)
		return s;
	for (i = 0; i < n; i++)
		s.chars[i] = (unsigned char)ascii[i];
	s.length = (ULONG)n;
	return s;
}

int
harness_channel_state(WS_CHANNEL *ch)
{
	WS_CHANNEL_STATE st;

	if (FAILED(WsGetChannelProperty(ch, WS_CHANNEL_PROPERTY_STATE, &st,
	    sizeof(st), NULL)))
		return -1;
	return (int)st;
}

int
harness_listener_state(WS_LISTENER *l)
{
	WS_LISTENER_STATE st;

	if (FAILED(WsGetListenerProperty(l, WS_LISTENER_PROPERTY_STATE, &st,
	    sizeof(st), NULL)))
		return -1;
	return (int)st;
}

bool
harness_wait_channel_state(WS_CHANNEL *ch, int state, int timeout_ms)
{
	uint64_t deadline = harness_now_us() + 1000ull * (uint64_t)timeout_ms;

	for (;;) {
		if (harness_channel_state(ch) == state)
			return true;
		if (harness_now_us() > deadline)
			return false;
		harness_sleep_ms(1);
	}
}

HRESULT
harness_tcp_channel(WS_CHANNEL **ch, const WS_CHANNEL_PROPERTY *extra,
    ULONG nextra)
{
	WS_ENCODING enc = WS_ENCODING_XML_UTF8;
	WS_CHANNEL_PROPERTY props[16];
	ULONG n = 0, i;

	props[n].id = WS_CHANNEL_PROPERTY_ENCODING;
	props[n].value = &enc;
	props[n].valueSize = sizeof(enc);
	n++;
	for (i = 0; i < nextra && n < 16; i++)
		props[n++] = extra[i];
	return WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, props, n, NULL, ch, NULL);
}

HRESULT
harness_open(WS_CHANNEL *ch, uint16_t port, const WS_ASYNC_CONTEXT *async,
    WS_ERROR *error)
{
	WS_ENDPOINT_ADDRESS addr;
	char url[64];
	HRESULT hr;

	harness_url(url, sizeof(url), port, "x");
	memset(&addr, 0, sizeof(addr));
	addr.url = harness_ws_string(url);
	if (addr.url.chars == NULL)
		return E_OUTOFMEMORY;
	hr = WsOpenChannel(ch, &addr, async, error);
	free(addr.url.chars);
	return hr;
}

HRESULT
harness_open_url(WS_CHANNEL *ch, const char *url, const WS_ASYNC_CONTEXT *async,
    WS_ERROR *error)
{
	WS_ENDPOINT_ADDRESS addr;
	HRESULT hr;

	memset(&addr, 0, sizeof(addr));
	addr.url = harness_ws_string(url);
	if (addr.url.chars == NULL)
		return E_OUTOFMEMORY;
	hr = WsOpenChannel(ch, &addr, async, error);
	free(addr.url.chars);
	return hr;
}

HRESULT
harness_tcp_listener_open(WS_LISTENER **out, uint16_t *port)
{
	WS_LISTENER *l;
	WS_STRING s;
	char url[64];
	HRESULT hr = E_FAIL;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (harness_free_port(port) < 0)
			return E_FAIL;
		hr = WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
		    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL);
		if (FAILED(hr))
			return hr;
		harness_url(url, sizeof(url), *port, "x");
		s = harness_ws_string(url);
		hr = WsOpenListener(l, &s, NULL, NULL);
		free(s.chars);
		if (SUCCEEDED(hr)) {
			*out = l;
			return hr;
		}
		WsFreeListener(l);
		if (hr != WS_E_ADDRESS_IN_USE)
			break;
	}
	return hr;
}

/*
 * Accepts on the server side while the client opens.  The async context is
 * on the heap and leaked when the accept may still be pending, so a late
 * callback never writes into a dead stack frame.
 */
static HRESULT
pair_connect(struct harness_pair *p)
{
	struct harness_async *acc;
	HRESULT hr;

	if ((acc = malloc(sizeof(*acc))) == NULL)
		return E_OUTOFMEMORY;
	harness_async_init(acc);
	hr = WsAcceptChannel(p->listener, p->server, &acc->ctx, NULL);
	if (hr != WS_S_ASYNC) {
		/* Done at once (an error, most likely): no callback. */
		if (SUCCEEDED(hr))
			hr = harness_open(p->client, p->port, NULL, NULL);
		harness_async_destroy(acc);
		free(acc);
		return hr;
	}
	hr = harness_open(p->client, p->port, NULL, NULL);
	if (FAILED(hr))
		return hr;
	if (harness_async_wait(acc, 1, 10000) < 1)
		return WS_E_OPERATION_TIMED_OUT;
	hr = acc->hr;
	harness_async_destroy(acc);
	free(acc);
	return hr;
}

HRESULT
harness_open_accepted(WS_LISTENER *l, uint16_t port, WS_CHANNEL *c,
    WS_CHANNEL **s)
{
	struct harness_pair p;
	HRESULT hr;

	memset(&p, 0, sizeof(p));
	p.listener = l;
	p.port = port;
	p.client = c;
	if (FAILED(hr = WsCreateChannelForListener(l, NULL, 0, &p.server,
	    NULL)))
		return hr;
	*s = p.server;
	return pair_connect(&p);
}

HRESULT
harness_pair_open(struct harness_pair *p, const WS_CHANNEL_PROPERTY *sprops,
    ULONG nsprops)
{
	HRESULT hr;

	memset(p, 0, sizeof(*p));
	if (FAILED(hr = harness_tcp_listener_open(&p->listener, &p->port)))
		return hr;
	if (FAILED(hr = harness_tcp_channel(&p->client, NULL, 0)))
		return hr;
	if (FAILED(hr = WsCreateChannelForListener(p->listener, sprops,
	    nsprops, &p->server, NULL)))
		return hr;
	return pair_connect(p);
}

HRESULT
harness_pair_reconnect(struct harness_pair *p)
{
	return pair_connect(p);
}

void
harness_pair_free(struct harness_pair *p)
{
	if (p->client != NULL)
		WsFreeChannel(p->client);
	if (p->server != NULL)
		WsFreeChannel(p->server);
	if (p->listener != NULL)
		WsFreeListener(p->listener);
	memset(p, 0, sizeof(*p));
}

static void CALLBACK
harness_async_cb(HRESULT hr, WS_CALLBACK_MODEL model, void *state)
{
	struct harness_async *a = state;

	pthread_mutex_lock(&a->lock);
	a->calls++;
	a->hr = hr;
	a->model = model;
	a->on_caller_thread = pthread_equal(pthread_self(), a->caller);
	a->when_us = harness_now_us();
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

void
harness_async_init(struct harness_async *a)
{
	pthread_condattr_t ca;

	memset(a, 0, sizeof(*a));
	a->ctx.callback = harness_async_cb;
	a->ctx.callbackState = a;
	a->hr = E_FAIL;
	a->caller = pthread_self();
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &ca);
	pthread_condattr_destroy(&ca);
}

static void
deadline_ts(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

int
harness_async_wait(struct harness_async *a, int n, int timeout_ms)
{
	struct timespec ts;
	int calls;

	deadline_ts(&ts, timeout_ms);
	pthread_mutex_lock(&a->lock);
	while (a->calls < n &&
	    pthread_cond_timedwait(&a->cond, &a->lock, &ts) != ETIMEDOUT)
		;
	calls = a->calls;
	pthread_mutex_unlock(&a->lock);
	return calls;
}

int
harness_async_calls(struct harness_async *a)
{
	int calls;

	pthread_mutex_lock(&a->lock);
	calls = a->calls;
	pthread_mutex_unlock(&a->lock);
	return calls;
}

const char *
harness_async_verify(struct harness_async *a, HRESULT ret, HRESULT want,
    int timeout_ms)
{
	static __thread char msg[256];
	int calls;

	if (ret != WS_S_ASYNC) {
		/* A known result comes back directly, without a callback. */
		if (ret != want) {
			snprintf(msg, sizeof(msg), "returned %s, expected %s",
			    harness_hr_name(ret), harness_hr_name(want));
			return msg;
		}
		if ((calls = harness_async_calls(a)) != 0) {
			snprintf(msg, sizeof(msg), "returned %s directly but "
			    "the callback ran %d times", harness_hr_name(ret),
			    calls);
			return msg;
		}
		return NULL;
	}
	calls = harness_async_wait(a, 1, timeout_ms);
	pthread_mutex_lock(&a->lock);
	if (calls != 1)
		snprintf(msg, sizeof(msg), "callback ran %d times, expected "
		    "once", calls);
	else if (a->hr != want)
		snprintf(msg, sizeof(msg), "callback got %s, expected %s",
		    harness_hr_name(a->hr), harness_hr_name(want));
	else if (a->model != WS_LONG_CALLBACK)
		snprintf(msg, sizeof(msg), "callback model %d, expected "
		    "WS_LONG_CALLBACK", (int)a->model);
	else if (a->on_caller_thread)
		snprintf(msg, sizeof(msg), "callback ran on the caller's "
		    "thread");
	else
		msg[0] = '\0';
	pthread_mutex_unlock(&a->lock);
	return msg[0] != '\0' ? msg : NULL;
}

void
harness_async_destroy(struct harness_async *a)
{
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
}

struct harness_bg {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 done;
	HRESULT		 hr;
	HRESULT		(*fn)(void *);
	void		*arg;
};

static void *
bg_main(void *arg)
{
	struct harness_bg *bg = arg;
	HRESULT hr;

	hr = bg->fn(bg->arg);
	pthread_mutex_lock(&bg->lock);
	bg->hr = hr;
	bg->done = true;
	pthread_cond_broadcast(&bg->cond);
	pthread_mutex_unlock(&bg->lock);
	return NULL;
}

struct harness_bg *
harness_bg_start(HRESULT (*fn)(void *), void *arg)
{
	struct harness_bg *bg;
	pthread_condattr_t ca;

	if ((bg = calloc(1, sizeof(*bg))) == NULL)
		return NULL;
	bg->fn = fn;
	bg->arg = arg;
	pthread_mutex_init(&bg->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&bg->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&bg->thread, NULL, bg_main, bg) != 0) {
		free(bg);
		return NULL;
	}
	return bg;
}

bool
harness_bg_wait(struct harness_bg *bg, int timeout_ms, HRESULT *hr)
{
	struct timespec ts;
	bool done;

	deadline_ts(&ts, timeout_ms);
	pthread_mutex_lock(&bg->lock);
	while (!bg->done &&
	    pthread_cond_timedwait(&bg->cond, &bg->lock, &ts) != ETIMEDOUT)
		;
	done = bg->done;
	pthread_mutex_unlock(&bg->lock);
	if (!done)
		return false;
	pthread_join(bg->thread, NULL);
	if (hr != NULL)
		*hr = bg->hr;
	pthread_cond_destroy(&bg->cond);
	pthread_mutex_destroy(&bg->lock);
	free(bg);
	return true;
}

bool
harness_bg_done(struct harness_bg *bg)
{
	bool done;

	pthread_mutex_lock(&bg->lock);
	done = bg->done;
	pthread_mutex_unlock(&bg->lock);
	return done;
}

static WS_XML_STRING h_elem = { 5, (BYTE *)"value", NULL, 0 };
static WS_XML_STRING h_ns = { 18, (BYTE *)"urn:wschannel-test", NULL, 0 };
static WS_XML_STRING h_act_int = { sizeof(HARNESS_ACTION_INT) - 1,
    (BYTE *)HARNESS_ACTION_INT, NULL, 0 };
static WS_XML_STRING h_act_text = { sizeof(HARNESS_ACTION_TEXT) - 1,
    (BYTE *)HARNESS_ACTION_TEXT, NULL, 0 };
static WS_ELEMENT_DESCRIPTION h_int_elem = { &h_elem, &h_ns, WS_INT32_TYPE,
    NULL };
static WS_ELEMENT_DESCRIPTION h_text_elem = { &h_elem, &h_ns, WS_WSZ_TYPE,
    NULL };
static WS_MESSAGE_DESCRIPTION h_int_desc = { &h_act_int, &h_int_elem };
static WS_MESSAGE_DESCRIPTION h_text_desc = { &h_act_text, &h_text_elem };

static HRESULT
msg_prepare(WS_CHANNEL *ch, struct harness_msg *m)
{
	HRESULT hr;

	if (m->msg == NULL && FAILED(hr = WsCreateMessageForChannel(ch, NULL,
	    0, &m->msg, NULL)))
		return hr;
	if (m->heap == NULL && FAILED(hr = WsCreateHeap(64u * 1024 * 1024, 0,
	    NULL, 0, &m->heap, NULL)))
		return hr;
	WsResetMessage(m->msg, NULL);
	WsResetHeap(m->heap, NULL);
	return S_OK;
}

HRESULT
harness_send_int32(WS_CHANNEL *ch, struct harness_msg *m, int32_t v,
    const WS_ASYNC_CONTEXT *async)
{
	HRESULT hr;

	if (FAILED(hr = msg_prepare(ch, m)))
		return hr;
	m->value = v;
	return WsSendMessage(ch, m->msg, &h_int_desc, WS_WRITE_REQUIRED_VALUE,
	    &m->value, sizeof(m->value), async, NULL);
}

HRESULT
harness_send_text(WS_CHANNEL *ch, struct harness_msg *m, size_t n,
    const WS_ASYNC_CONTEXT *async)
{
	HRESULT hr;
	size_t i;

	if (FAILED(hr = msg_prepare(ch, m)))
		return hr;
	free(m->text);
	if ((m->text = malloc((n + 1) * sizeof(WCHAR))) == NULL)
		return E_OUTOFMEMORY;
	for (i = 0; i < n; i++)
		m->text[i] = (WCHAR)('a' + i % 26);
	m->text[n] = 0;
	return WsSendMessage(ch, m->msg, &h_text_desc,
	    WS_WRITE_REQUIRED_POINTER, &m->text, sizeof(m->text), async, NULL);
}

HRESULT
harness_receive(WS_CHANNEL *ch, struct harness_msg *m, enum harness_body kind,
    const WS_ASYNC_CONTEXT *async)
{
	static const WS_MESSAGE_DESCRIPTION *int_descs[1] = { &h_int_desc };
	static const WS_MESSAGE_DESCRIPTION *text_descs[1] = { &h_text_desc };
	WS_RECEIVE_OPTION opt;
	HRESULT hr;

	if (FAILED(hr = msg_prepare(ch, m)))
		return hr;
	m->value = 0;
	m->rtext = NULL;
	m->index = (ULONG)-1;
	opt = m->optional ? WS_RECEIVE_OPTIONAL_MESSAGE :
	    WS_RECEIVE_REQUIRED_MESSAGE;
	if (kind == HARNESS_BODY_TEXT)
		return WsReceiveMessage(ch, m->msg, text_descs, 1, opt,
		    WS_READ_REQUIRED_POINTER, m->heap, &m->rtext,
		    sizeof(m->rtext), &m->index, async, NULL);
	return WsReceiveMessage(ch, m->msg, int_descs, 1, opt,
	    WS_READ_REQUIRED_VALUE, m->heap, &m->value, sizeof(m->value),
	    &m->index, async, NULL);
}

void
harness_msg_free(struct harness_msg *m)
{
	if (m->msg != NULL)
		WsFreeMessage(m->msg);
	if (m->heap != NULL)
		WsFreeHeap(m->heap);
	free(m->text);
	memset(m, 0, sizeof(*m));	/* optional too: back to the default */
}

struct harness_fill {
	WS_CHANNEL		*ch;
	struct harness_msg	 m;
	int			 count;
	size_t			 chars;
	atomic_int		 sent;
	atomic_int		 last;	/* HRESULT */
	struct harness_bg	*bg;
};

static HRESULT
fill_main(void *arg)
{
	struct harness_fill *f = arg;
	HRESULT hr = S_OK;
	int i;

	for (i = 0; i < f->count; i++) {
		hr = harness_send_text(f->ch, &f->m, f->chars, NULL);
		atomic_store(&f->last, hr);
		if (FAILED(hr))
			break;
		atomic_fetch_add(&f->sent, 1);
	}
	return hr;
}

struct harness_fill *
harness_fill_start(WS_CHANNEL *ch, int count, size_t chars)
{
	struct harness_fill *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->ch = ch;
	f->count = count;
	f->chars = chars;
	atomic_init(&f->sent, 0);
	atomic_init(&f->last, S_OK);
	if ((f->bg = harness_bg_start(fill_main, f)) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

int
harness_fill_settle(struct harness_fill *f, int stall_ms, HRESULT *last)
{
	int sent = -1, stalled = 0, now;

	while (!harness_bg_done(f->bg) && stalled < stall_ms) {
		harness_sleep_ms(10);
		now = atomic_load(&f->sent);
		if (now == sent)
			stalled += 10;
		else {
			sent = now;
			stalled = 0;
		}
	}
	if (last != NULL)
		*last = atomic_load(&f->last);
	return atomic_load(&f->sent);
}

bool
harness_fill_end(struct harness_fill *f, int timeout_ms, HRESULT *hr)
{
	if (!harness_bg_wait(f->bg, timeout_ms, hr))
		return false;
	harness_msg_free(&f->m);
	free(f);
	return true;
}

/* Names from the project's one HRESULT table (common/hresult.c). */
const char *
harness_hr_name(HRESULT hr)
{
	/* A few buffers, so that one message can name several. */
	static __thread char buf[4][16];
	static __thread unsigned next;
	const char *name;
	char *b;

	if ((name = hresult_name((uint32_t)hr)) != NULL)
		return name;
	b = buf[next++ % 4];
	snprintf(b, sizeof(buf[0]), "0x%08X", (unsigned)hr);
	return b;
}

const char *
harness_state_name(int state)
{
	const char *name = state >= 0 ? channel_state_name((uint32_t)state) :
	    NULL;

	return name != NULL ? name : "(unknown)";
}

bool
harness_error_string(WS_ERROR *error, char *buf, size_t len)
{
	ULONG count = 0, i;
	WS_STRING s;

	if (len == 0 || FAILED(WsGetErrorProperty(error,
	    WS_ERROR_PROPERTY_STRING_COUNT, &count, sizeof(count))) ||
	    count == 0)
		return false;
	memset(&s, 0, sizeof(s));
	if (FAILED(WsGetErrorString(error, 0, &s)) || s.chars == NULL)
		return false;
	for (i = 0; i < s.length && i + 1 < len; i++)
		buf[i] = s.chars[i] < 0x80 ? (char)s.chars[i] : '?';
	buf[i] = '\0';
	return s.length > 0;
}

static HRESULT
harness_close_main(void *arg)
{
	return WsCloseChannel(arg, NULL, NULL);
}

/*
 * A graceful close of a session waits for the peer's End record (or its
 * FIN), so a test that closes both ends of a pair in turn closes the
 * first on a thread and the second on its own.
 */
struct harness_bg *
harness_close_start(WS_CHANNEL *ch)
{
	return harness_bg_start(harness_close_main, ch);
}

static HRESULT
harness_abort_main(void *arg)
{
	return WsAbortChannel(arg, NULL);
}

struct harness_bg *
harness_abort_start(WS_CHANNEL *ch)
{
	return harness_bg_start(harness_abort_main, ch);
}

static HRESULT
harness_receive_main(void *arg)
{
	struct harness_recv *r = arg;

	return harness_receive(r->ch, &r->m, HARNESS_BODY_INT, NULL);
}

struct harness_bg *
harness_receive_start(struct harness_recv *r)
{
	return harness_bg_start(harness_receive_main, r);
}

void
harness_fixture_setup(void)
{
	ck_assert_int_eq(harness_daemon_start(), 0);
}

void
harness_fixture_teardown(void)
{
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
