/*
 * Pending operations.  Every long operation on a channel or listener is a
 * struct pending with one completion callback that runs exactly once: with
 * the result, or with WS_E_OPERATION_ABORTED.  A pending sits on two lists:
 * its object's (so an abort finds it) and its session's (so a client that
 * goes away cancels its own work).
 */
#ifndef WSCHANNEL_PENDING_H
#define WSCHANNEL_PENDING_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include "envelope.h"

struct channel;
struct listener;
struct session;
struct pending;
struct event;

enum pending_kind {
	PENDING_OPEN,
	PENDING_ACCEPT,
	PENDING_SEND,
	PENDING_RECEIVE,
	PENDING_CLOSE,
	PENDING_LISTENER_CLOSE,
	/* WS_STREAMED_INPUT: the next raw piece of the body being read. */
	PENDING_READ_MORE,
};

/* Called exactly once.  `p` is freed when it returns. */
typedef void (*pending_done_fn)(struct pending *p, int32_t hr, void *arg);

struct pending {
	TAILQ_ENTRY(pending)	 obj_entry;
	TAILQ_ENTRY(pending)	 sess_entry;
	enum pending_kind	 kind;
	struct channel		*ch;	/* the channel it acts on, if any */
	struct listener		*ls;	/* the listener (accept) */
	struct session		*sess;	/* who asked; NULL for internal */
	pending_done_fn		 done;
	void			*arg;
	bool			 read_start;	/* RECEIVE: WsReadMessageStart */
	struct envelope		 msg;		/* RECEIVE: the message received */
	const char		*why;		/* optional error text for the reply */
	struct event		*timer;		/* SEND / RECEIVE timeout, if armed */
	/* RECEIVE with read_start: the door can take the body in raw
	 * pieces (read_body_more), so a streamed-input transport may answer
	 * with the start of the bytes only. */
	bool			 stream_ok;
	/* `msg` holds raw bytes of a streamed body (msg.more_body: more may
	 * follow), not a parsed envelope. */
	bool			 raw;
};

TAILQ_HEAD(pending_list, pending);

struct pending	*pending_new(enum pending_kind, struct session *,
		    pending_done_fn, void *arg);
/* Frees the pendings kept for reuse (at shutdown). */
void		 pending_cache_drop(void);
/* Frees a pending the core never took (the call was refused at once):
 * unlinks it from its session, frees it without running its callback.
 * NULL: no-op. */
void		 pending_free(struct pending *p);
/* Stops the timeout of `p`, if one is armed (the owner of the timer,
 * channel.c, arms it). */
void		 pending_timer_stop(struct pending *p);
/* Unlinks `p` from every list, stops its timer, runs its callback once,
 * frees it. */
void		 pending_complete(struct pending *p, int32_t hr);
/* Completes every pending on `list` (object list) with `hr`; returns the count. */
unsigned	 pending_complete_all(struct pending_list *list, int32_t hr);
/* First pending of `kind` on an object list, or NULL. */
struct pending	*pending_first(struct pending_list *list, enum pending_kind kind);
unsigned	 pending_count(struct pending_list *list);

#endif
