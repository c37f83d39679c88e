/* Logging for wschanneld.  Each error is logged once, where it is handled. */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-journal.h>

#include "log.h"

static int log_foreground = 1;
static int log_verbose;
static int log_journal;		/* stderr is the journal: structured entries */

/* systemd sets JOURNAL_STREAM to the device:inode of the stream it gave us;
 * it only counts while stderr is still that stream. */
static int
log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *errstr)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_journal) {
		sd_journal_send("MESSAGE=%s%s%s", buf, errstr != NULL ? ": " : "",
		    errstr != NULL ? errstr : "", "PRIORITY=%d", pri,
		    "SYSLOG_IDENTIFIER=wschanneld", NULL);
	} else if (log_foreground) {
		if (errstr != NULL)
			fprintf(stderr, "wschanneld: %s: %s\n", buf, errstr);
		else
			fprintf(stderr, "wschanneld: %s\n", buf);
		fflush(stderr);
	} else {
		if (errstr != NULL)
			syslog(pri, "%s: %s", buf, errstr);
		else
			syslog(pri, "%s", buf);
	}
}

static void
log_write_channel(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(pri, fmt, ap, NULL);
	va_end(ap);
}

/* libevent's own messages go through the same path (tmux does this). */
static void
log_event_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

void
log_init(int foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	log_journal = log_stderr_is_journal();
	if (!foreground && !log_journal)
		openlog("wschanneld", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	event_set_log_callback(log_event_cb);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_channel(int pri, unsigned long long id, unsigned uid, int32_t hr,
    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (pri >= LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_journal) {
		sd_journal_send("MESSAGE=channel %llu: %s", id, buf,
		    "PRIORITY=%d", pri, "SYSLOG_IDENTIFIER=wschanneld",
		    "CHANNEL_ID=%llu", id, "OWNER_UID=%u", uid,
		    "HRESULT=0x%08X", (unsigned)hr, NULL);
		return;
	}
	if (hr != 0)
		log_write_channel(pri, "channel %llu (uid %u): %s (0x%08X)", id,
		    uid, buf, (unsigned)hr);
	else
		log_write_channel(pri, "channel %llu (uid %u): %s", id, uid,
		    buf);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
