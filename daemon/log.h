/* Logging: the journal (structured) under systemd, stderr in the
 * foreground, syslog otherwise (bgpd style). */
#ifndef WSCHANNEL_LOG_H
#define WSCHANNEL_LOG_H

#include <stdarg.h>
#include <stdint.h>

void	log_init(int foreground, int verbose);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* About one object: in the journal with CHANNEL_ID, OWNER_UID and HRESULT
 * fields; `pri` is a syslog priority (LOG_INFO...), `hr` 0 when none. */
void	log_channel(int pri, unsigned long long id, unsigned uid, int32_t hr,
	    const char *, ...) __attribute__((format(printf, 5, 6)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
