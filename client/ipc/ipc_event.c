/*
 * The events of a connection that asked for them (wsctl watch's own): the
 * backend's I/O thread queues each as it comes, and the reader takes them
 * in order, woken through an eventfd that polls readable while there is
 * something to take.  The library's shared connection skips them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipc_int.h"

bool
ipc_conn_wants_events(const struct ipc_conn *c)
{
	return !c->shared;
}

/* ipc_int.h */
void
ipc_event_poke(struct ipc_conn *c)
{
	uint64_t one = 1;

	if (c->efd >= 0)
		(void)!write(c->efd, &one, sizeof(one));
}

void
ipc_conn_event(struct ipc_conn *c, Wschannel__Event *ev, int error)
{
	struct ipc_event *e = NULL;

	if (ev != NULL && (!ipc_conn_wants_events(c) ||
	    (e = calloc(1, sizeof(*e))) == NULL)) {
		wschannel__event__free_unpacked(ev, NULL);
		if (!ipc_conn_wants_events(c))
			return;
		error = -ENOMEM;
	}
	pthread_mutex_lock(&ipc_lock);
	if (e != NULL && c->eerror == 0) {
		e->ev = ev;
		if (c->etail != NULL)
			c->etail->next = e;
		else
			c->ehead = e;
		c->etail = e;
		e = NULL;
	} else if (error < 0 && c->eerror == 0)
		c->eerror = error;
	ipc_event_poke(c);
	pthread_mutex_unlock(&ipc_lock);
	if (e != NULL) {
		wschannel__event__free_unpacked(e->ev, NULL);
		free(e);
	}
}

int
ipc_event_fd(struct ipc_conn *c)
{
	return c->efd;
}

int
ipc_event_next(struct ipc_conn *c, Wschannel__Event **ev)
{
	struct ipc_event *e;
	uint64_t n;
	int r = 0;

	*ev = NULL;
	pthread_mutex_lock(&ipc_lock);
	if ((e = c->ehead) != NULL) {
		if ((c->ehead = e->next) == NULL)
			c->etail = NULL;
		*ev = e->ev;
		free(e);
	} else if (c->eerror != 0)
		r = c->eerror;
	else
		r = -EAGAIN;
	/* Readable again only when there is more to say. */
	if (c->ehead == NULL && c->eerror == 0)
		(void)!read(c->efd, &n, sizeof(n));
	pthread_mutex_unlock(&ipc_lock);
	return r;
}

/* ipc_int.h */
void
ipc_event_clear(struct ipc_conn *c)
{
	struct ipc_event *e;

	while ((e = c->ehead) != NULL) {
		c->ehead = e->next;
		wschannel__event__free_unpacked(e->ev, NULL);
		free(e);
	}
	c->etail = NULL;
}
