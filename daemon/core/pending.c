/* The pending-operation queue: one completion per operation, exactly once. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "freelist.h"
#include "pending.h"
#include "channel.h"
#include "listener.h"
#include "registry.h"

static struct freelist	 pending_kept;

void
pending_cache_drop(void)
{
	freelist_drain(&pending_kept);
}

struct pending *
pending_new(enum pending_kind kind, struct session *sess, pending_done_fn done,
    void *arg)
{
	struct pending *p;

	if ((p = freelist_take(&pending_kept)) != NULL)
		memset(p, 0, sizeof(*p));
	else if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->kind = kind;
	p->sess = sess;
	p->done = done;
	p->arg = arg;
	return p;
}

static struct pending_list *
pending_obj_list(struct pending *p)
{
	if (p->ch != NULL)
		return &p->ch->pendings;
	if (p->ls != NULL)
		return &p->ls->pendings;
	return NULL;
}

void
pending_timer_stop(struct pending *p)
{
	if (p->timer != NULL) {
		event_free(p->timer);
		p->timer = NULL;
	}
}

void
pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	pending_timer_stop(p);
	if (p->sess != NULL)
		TAILQ_REMOVE(&p->sess->pendings, p, sess_entry);
	envelope_clear(&p->msg);
	freelist_give(&pending_kept, p);
}

void
pending_complete(struct pending *p, int32_t hr)
{
	struct pending_list *l;

	/* No timeout may fire for a pending that is gone. */
	pending_timer_stop(p);
	if ((l = pending_obj_list(p)) != NULL)
		TAILQ_REMOVE(l, p, obj_entry);
	if (p->sess != NULL)
		TAILQ_REMOVE(&p->sess->pendings, p, sess_entry);
	if (p->done != NULL)
		p->done(p, hr, p->arg);
	envelope_clear(&p->msg);
	freelist_give(&pending_kept, p);
}

unsigned
pending_complete_all(struct pending_list *list, int32_t hr)
{
	struct pending *p;
	unsigned n = 0;

	while ((p = TAILQ_FIRST(list)) != NULL) {
		/* Internal operations (a request-reply's send) are not counted:
		 * the caller cancelled one operation, not two. */
		if (p->done != NULL)
			n++;
		pending_complete(p, hr);
	}
	return n;
}

struct pending *
pending_first(struct pending_list *list, enum pending_kind kind)
{
	struct pending *p;

	TAILQ_FOREACH(p, list, obj_entry)
		if (p->kind == kind)
			return p;
	return NULL;
}

unsigned
pending_count(struct pending_list *list)
{
	struct pending *p;
	unsigned n = 0;

	TAILQ_FOREACH(p, list, obj_entry)
		n++;
	return n;
}
