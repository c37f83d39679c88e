/*
 * Log lines of the dispatcher that may wait for the end of the loop pass:
 * after the replies of the pass are written, so that a caller does not
 * wait for the line.
 */
#ifndef WSCHANNEL_REQUEST_LOG_H
#define WSCHANNEL_REQUEST_LOG_H

#include <stdint.h>

/* An info line about channel `id` of `owner` (log_channel's fields). */
void	request_log_channel(unsigned long long id, unsigned owner,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
/* An info line about no one channel. */
void	request_log_info(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
/* Writes what waits now and lets go of the event (the daemon's exit). */
void	request_log_end(void);

#endif
