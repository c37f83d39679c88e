/*
 * Deferred log lines.  An abort is logged (who aborted what: administrators
 * and journald users expect it), but the line is a write to stderr, the
 * journal or syslog that costs as much as the abort itself, and the caller
 * waits for the reply, not for the line.  So the line is formatted at once
 * and written once the loop pass has written its replies.  Bounded: past
 * REQUEST_LOG_MAX waiting lines, a line is written at once; none is lost.
 */
#include <sys/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "registry.h"
#include "request_log.h"

#define REQUEST_LOG_MAX		64

struct request_logline {
	bool			 channel;	/* log_channel, else log_info */
	unsigned long long	 id;
	unsigned		 owner;
	char			 text[200];
};

static struct request_logline	 request_log_lines[REQUEST_LOG_MAX];
static size_t			 request_log_n;

static void
request_log_write(const struct request_logline *l)
{
	if (l->channel)
		log_channel(LOG_INFO, l->id, l->owner, 0, "%s", l->text);
	else
		log_info("%s", l->text);
}

/* REGISTRY_PASS_LOG: after the pass's replies. */
static void
request_log_flush(void)
{
	size_t i;

	for (i = 0; i < request_log_n; i++)
		request_log_write(&request_log_lines[i]);
	request_log_n = 0;
}

void
request_log_end(void)
{
	request_log_flush();
}

/* A slot for a line that waits, NULL when it must be written now. */
static struct request_logline *
request_log_slot(void)
{
	if (request_log_n == REQUEST_LOG_MAX || (request_log_n == 0 &&
	    !registry_pass_end(REGISTRY_PASS_LOG, request_log_flush)))
		return NULL;
	return &request_log_lines[request_log_n++];
}

void
request_log_channel(unsigned long long id, unsigned owner, const char *fmt,
    ...)
{
	struct request_logline now, *l;
	va_list ap;

	if ((l = request_log_slot()) == NULL)
		l = &now;
	l->channel = true;
	l->id = id;
	l->owner = owner;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	if (l == &now)
		request_log_write(l);
}

void
request_log_info(const char *fmt, ...)
{
	struct request_logline now, *l;
	va_list ap;

	if ((l = request_log_slot()) == NULL)
		l = &now;
	l->channel = false;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	if (l == &now)
		request_log_write(l);
}
