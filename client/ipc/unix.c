/*
 * The Unix socket backend: the control protocol's frames (a header and a
 * protobuf Request, Reply or Event; proto/wschannel.proto) on the daemon's
 * control socket.  Callers write their own frames, one writer at a time.
 * Reading is leader/follower on the library's connection (backend.h): the
 * thread that waits reads, one read(2) per wake-up into the connection's
 * buffer, and hands every whole frame to ipc.c; wsctl's connections have
 * their I/O thread read the same way.  Events go to whoever asked for
 * them (wsctl watch; the library skips them).
 *
 * Without memory: a reservation's frame is encoded when its object is
 * created, frames are read into a buffer allocated with the connection,
 * and ipc.c decodes a Reply in its call's arena, or in a static one
 * keeping only id, hresult and state.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "frame.h"
#include "bigmem.h"

#define UNIX_RBUF_SIZE		(64 * 1024)
#define UNIX_STACK_FRAME	2048	/* requests up to this are built on
					 * the stack: no malloc to send them */

struct unix_conn {
	int		 fd;		/* closed by the I/O thread under wlock */
	int		 kfd;		/* eventfd: wakes the idle I/O thread */
	int		 ifd;		/* eventfd: wakes a leader that polls */
	/* The idle library thread's: kfd, and fd for its end and, while
	 * `watching_in` (ipc_lock), for something to read. */
	int		 epfd;
	bool		 watching_in;
	/* Interrupts written to ifd, and the count the leader had seen
	 * when it last drained it (atomic). */
	unsigned	 interrupts, interrupts_seen;
	pthread_mutex_t	 wlock;		/* one writer at a time, whole frames */
	/* The reader's (the leader's; handed over under ipc_lock). */
	uint8_t		*rbuf;
	size_t		 rlen;		/* bytes held, from rbuf[0] */
};

/* ---- writing ------------------------------------------------------------- */

/* Writes one whole frame, u->wlock held; on failure the connection is
 * shut down, which completes every pending call (the writer's included)
 * with a disconnect. */
static int
unix_write_locked(struct unix_conn *u, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int r = 0;

	while (off < len) {
		if (u->fd < 0) {
			r = -EPIPE;
			break;
		}
		n = send(u->fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (r != 0 && u->fd >= 0)
		shutdown(u->fd, SHUT_RDWR);
	return r;
}

static int
unix_write(struct unix_conn *u, const uint8_t *buf, size_t len)
{
	int r;

	pthread_mutex_lock(&u->wlock);
	r = unix_write_locked(u, buf, len);
	pthread_mutex_unlock(&u->wlock);
	return r;
}

static void
unix_send(struct ipc_conn *c, struct ipc_call *call, Wschannel__Request *req)
{
	struct unix_conn *u = c->be;
	uint8_t stackbuf[UNIX_STACK_FRAME], *buf = stackbuf;
	size_t plen;

	plen = wschannel__request__get_packed_size(req);
	if (plen + FRAME_HEADER_SIZE > sizeof(stackbuf) &&
	    (buf = malloc(plen + FRAME_HEADER_SIZE)) == NULL) {
		ipc_call_unsent(call, E_OUTOFMEMORY);
		return;
	}
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)plen);
	wschannel__request__pack(req, buf + FRAME_HEADER_SIZE);
	(void)unix_write(u, buf, plen + FRAME_HEADER_SIZE);
	if (buf != stackbuf)
		free(buf);
}

static int
unix_reserve(struct ipc_conn *c, struct ipc_object *o,
    struct ipc_reserved *r, Wschannel__Request *req)
{
	size_t plen;

	plen = wschannel__request__get_packed_size(req);
	if (plen + FRAME_HEADER_SIZE > sizeof(r->frame))
		return -EMSGSIZE;
	frame_header_write(r->frame, FRAME_REQUEST, (uint32_t)plen);
	wschannel__request__pack(req, r->frame + FRAME_HEADER_SIZE);
	r->len = plen + FRAME_HEADER_SIZE;
	return 0;
}

static void
unix_unreserve(struct ipc_conn *c, struct ipc_reserved *r)
{
	/* The frame is part of the object. */
}

static void
unix_send_reserved(struct ipc_conn *c, struct ipc_reserved *r)
{
	(void)unix_write(c->be, r->frame, r->len);
}

static uint64_t
unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * An abort just interrupted the leader (its call ended here): let that
 * thread run before the abort goes to the daemon.  Woken by an eventfd,
 * the leader is often queued on this very CPU, and the write that follows
 * (a wake-up of the daemon, then this thread's wait for its answer) kept
 * it there: the blocked receive was released after ~31 us, a cold round
 * trip being ~23 us.  Yielding until it is up, bounded by
 * UNIX_LEADER_WAIT_NS, releases it in ~13 us; the daemon's part of the
 * abort follows a few microseconds later.
 */
#define UNIX_LEADER_WAIT_NS	(50 * 1000)

static void
unix_let_leader_up(struct unix_conn *u, unsigned before)
{
	unsigned now = __atomic_load_n(&u->interrupts, __ATOMIC_ACQUIRE);
	uint64_t end;

	if (now == before)
		return;		/* this abort interrupted nobody */
	end = unix_now_ns() + UNIX_LEADER_WAIT_NS;
	while (__atomic_load_n(&u->interrupts_seen, __ATOMIC_ACQUIRE) != now &&
	    unix_now_ns() < end)
		sched_yield();
}

static void
unix_send_reserved_after(struct ipc_conn *c, struct ipc_reserved *r,
    void (*first)(struct ipc_conn *, void *), void *arg)
{
	struct unix_conn *u = c->be;
	unsigned before;

	pthread_mutex_lock(&u->wlock);
	before = __atomic_load_n(&u->interrupts, __ATOMIC_ACQUIRE);
	first(c, arg);
	unix_let_leader_up(u, before);
	(void)unix_write_locked(u, r->frame, r->len);
	pthread_mutex_unlock(&u->wlock);
}

/* ---- reading --------------------------------------------------------------- */

static int
unix_read_full(int fd, uint8_t *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = read(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* One whole frame's payload. */
static int
unix_frame(struct ipc_conn *c, unsigned kind, const uint8_t *buf,
    size_t len)
{
	Wschannel__Event *ev;

	if (kind == FRAME_REPLY)
		return ipc_conn_reply_frame(c, buf, len);
	if (kind != FRAME_EVENT)
		return -1;
	if (!ipc_conn_wants_events(c))
		return 0;
	if ((ev = wschannel__event__unpack(NULL, len, buf)) == NULL)
		ipc_conn_event(c, NULL, -EBADMSG);
	else
		ipc_conn_event(c, ev, 0);
	return 0;
}

/*
 * A frame larger than the buffer, of which `have` payload bytes are in
 * `part`: the rest is read into memory of its own.  Without that memory
 * the frame is skipped, failing the call it answers.
 */
static int
unix_big_frame(struct ipc_conn *c, struct unix_conn *u, unsigned kind,
    const uint8_t *part, size_t have, size_t len)
{
	uint8_t *buf, scratch[64];
	uint64_t id;
	size_t n;
	int r;

	if ((buf = bigmem_alloc(len)) != NULL) {
		memcpy(buf, part, have);
		r = unix_read_full(u->fd, buf + have, len - have);
		if (r == 0)
			r = unix_frame(c, kind, buf, len);
		bigmem_free(buf, len);
		return r;
	}
	/* Keep the stream in step; the id is in the first bytes. */
	memcpy(scratch, part, have < sizeof(scratch) ? have : sizeof(scratch));
	if (have < sizeof(scratch) && unix_read_full(u->fd, scratch + have,
	    sizeof(scratch) - have) != 0)
		return -1;
	have = have > sizeof(scratch) ? have : sizeof(scratch);
	while (have < len) {
		n = len - have < UNIX_RBUF_SIZE ? len - have : UNIX_RBUF_SIZE;
		if (unix_read_full(u->fd, u->rbuf, n) != 0)
			return -1;
		have += n;
	}
	if (kind == FRAME_REPLY && scratch[0] == 0x08) {
		id = 0;
		for (n = 1; n < 11; n++) {
			id |= (uint64_t)(scratch[n] & 0x7f) << (7 * (n - 1));
			if ((scratch[n] & 0x80) == 0)
				break;
		}
		ipc_conn_fail_id(c, id, E_OUTOFMEMORY);
	} else if (kind == FRAME_EVENT && ipc_conn_wants_events(c))
		ipc_conn_event(c, NULL, -ENOMEM);
	return 0;
}

/*
 * A leader whose call an abort may end here (c->lead_poll) waits for the
 * socket to be readable or for ifd, whichever first, and drains ifd: 1
 * when the socket has something (or poll failed: the read will say what),
 * 0 for the interrupt alone.
 */
static int
unix_wait_readable(struct unix_conn *u)
{
	struct pollfd p[2] = {
		{ .fd = u->fd, .events = POLLIN },
		{ .fd = u->ifd, .events = POLLIN },
	};
	uint64_t v;

	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return 1;
	if (p[1].revents & POLLIN) {
		/* The leader is up. */
		__atomic_store_n(&u->interrupts_seen, __atomic_load_n(
		    &u->interrupts, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
		(void)!read(u->ifd, &v, sizeof(v));
	}
	return p[0].revents != 0;
}

/* backend.lead: one read(2), then every whole frame it completed. */
static int
unix_lead(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;
	struct frame_header h;
	size_t off = 0, flen, have;
	ssize_t n;
	int flags;

	if (c->lead_poll && unix_wait_readable(u) == 0)
		return 0;
	/* The library thread reads only what is there (ipc_conn_serve). */
	flags = c->leader == &c->io_cond ? MSG_DONTWAIT : 0;
	do
		n = recv(u->fd, u->rbuf + u->rlen, UNIX_RBUF_SIZE - u->rlen,
		    flags);
	while (n < 0 && errno == EINTR);
	if (n < 0 && flags != 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	u->rlen += (size_t)n;
	while (u->rlen - off >= FRAME_HEADER_SIZE) {
		if (frame_header_parse(u->rbuf + off, &h, NULL) != 0)
			return -1;
		flen = FRAME_HEADER_SIZE + (size_t)h.length;
		if (flen > UNIX_RBUF_SIZE) {
			have = u->rlen - off - FRAME_HEADER_SIZE;
			u->rlen = 0;
			return unix_big_frame(c, u, h.kind,
			    u->rbuf + off + FRAME_HEADER_SIZE, have, h.length);
		}
		if (u->rlen - off < flen)
			break;
		if (unix_frame(c, h.kind, u->rbuf + off + FRAME_HEADER_SIZE,
		    h.length) != 0)
			return -1;
		off += flen;
	}
	if (off > 0) {
		memmove(u->rbuf, u->rbuf + off, u->rlen - off);
		u->rlen -= off;
	}
	return 0;
}

/*
 * backend.watch, with ipc_lock held: whether idle also ends when there is
 * something to read.  A change of the epoll set wakes nobody unless the
 * socket has it already, so that a caller may turn it on for the async
 * call it just wrote, where a kick would wake the library thread now.
 */
static void
unix_watch(struct ipc_conn *c, bool readable)
{
	struct unix_conn *u = c->be;
	struct epoll_event ev = { .events = EPOLLRDHUP, .data.u32 = 0 };

	if (u->watching_in == readable || u->epfd < 0)
		return;
	if (readable)
		ev.events |= EPOLLIN;
	if (epoll_ctl(u->epfd, EPOLL_CTL_MOD, u->fd, &ev) == 0)
		u->watching_in = readable;
}

/* backend.idle: the stream's end, or something to read while watched for
 * (1), or a kick (0), whichever first. */
static int
unix_idle(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;
	struct epoll_event ev[2];
	uint64_t v;
	int i, n, r = 0;

	while ((n = epoll_wait(u->epfd, ev, 2, -1)) < 0)
		if (errno != EINTR)
			return 1;	/* the caller's read will say what */
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == 1)
			(void)!read(u->kfd, &v, sizeof(v));
		else
			r = 1;
	}
	return r;
}

/* The idle thread's epoll set: the kicks, and the stream's end. */
static int
unix_epoll(struct unix_conn *u)
{
	struct epoll_event k = { .events = EPOLLIN, .data.u32 = 1 };
	struct epoll_event s = { .events = EPOLLRDHUP, .data.u32 = 0 };
	int e;

	if ((u->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	if (epoll_ctl(u->epfd, EPOLL_CTL_ADD, u->kfd, &k) != 0 ||
	    epoll_ctl(u->epfd, EPOLL_CTL_ADD, u->fd, &s) != 0) {
		e = errno;
		close(u->epfd);
		u->epfd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

static void
unix_kick(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;
	uint64_t one = 1;

	(void)!write(u->kfd, &one, sizeof(one));
}

static void
unix_interrupt(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;
	uint64_t one = 1;

	__atomic_add_fetch(&u->interrupts, 1, __ATOMIC_RELEASE);
	(void)!write(u->ifd, &one, sizeof(one));
}

static void *
unix_io_main(void *arg)
{
	struct ipc_conn *c = arg;
	struct unix_conn *u = c->be;

	if (c->leads)
		ipc_conn_serve(c);
	else {
		while (unix_lead(c) == 0)
			;
		ipc_conn_lose(c);
	}
	pthread_mutex_lock(&u->wlock);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	pthread_mutex_unlock(&u->wlock);
	ipc_conn_unref(c);
	return NULL;
}

/* ---- opening and the end ----------------------------------------------------- */

static void
unix_close_all(struct unix_conn *u)
{
	if (u->fd >= 0)
		close(u->fd);
	if (u->kfd >= 0)
		close(u->kfd);
	if (u->ifd >= 0)
		close(u->ifd);
	if (u->epfd >= 0)
		close(u->epfd);
	u->fd = u->kfd = u->ifd = u->epfd = -1;
}

static int
unix_open(struct ipc_conn *c, const struct ipc_address *a,
    struct ipc_status *st)
{
	struct sockaddr_un sa;
	struct unix_conn *u;
	socklen_t salen;
	size_t len = strlen(a->target);
	int fd, r;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (len + (a->abstract ? 1 : 0) >= sizeof(sa.sun_path))
		return ipc_status_set(st, WS_E_ENDPOINT_UNREACHABLE,
		    -ENAMETOOLONG, "wschanneld socket path is too long: %s",
		    a->target);
	if (a->abstract) {
		memcpy(sa.sun_path + 1, a->target, len);
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    1 + len);
	} else {
		memcpy(sa.sun_path, a->target, len);
		salen = (socklen_t)sizeof(sa);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		r = -errno;
		return ipc_status_set(st, r == -ENOMEM || r == -ENOBUFS ?
		    E_OUTOFMEMORY : WS_E_ENDPOINT_UNREACHABLE, r,
		    "cannot create a socket for wschanneld: %s", strerror(-r));
	}
	do
		r = connect(fd, (struct sockaddr *)&sa, salen);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		r = -errno;
		close(fd);
		return ipc_status_set(st, WS_E_ENDPOINT_UNREACHABLE, r,
		    "cannot connect to wschanneld at %s%s: %s",
		    a->abstract ? "@" : "", a->target, strerror(-r));
	}
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		close(fd);
		return ipc_status_set(st, E_OUTOFMEMORY, -ENOMEM,
		    "out of memory connecting to wschanneld");
	}
	u->fd = fd;
	u->kfd = u->ifd = u->epfd = -1;
	if ((u->rbuf = malloc(UNIX_RBUF_SIZE)) == NULL ||
	    (u->kfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    (u->ifd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    unix_epoll(u) != 0) {
		/* Out of memory or of descriptors: the process's own limits. */
		r = u->rbuf == NULL ? -ENOMEM : -errno;
		unix_close_all(u);
		free(u->rbuf);
		free(u);
		return ipc_status_set(st, E_OUTOFMEMORY, r, "cannot set up "
		    "the connection to wschanneld: %s", strerror(-r));
	}
	pthread_mutex_init(&u->wlock, NULL);
	c->be = u;
	return 0;
}

static void
unix_shutdown(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;

	/* The I/O thread reads the end and loses the connection. */
	pthread_mutex_lock(&u->wlock);
	if (u->fd >= 0)
		shutdown(u->fd, SHUT_RDWR);
	pthread_mutex_unlock(&u->wlock);
}

static void
unix_forked(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;

	unix_close_all(u);
	pthread_mutex_init(&u->wlock, NULL);
}

static void
unix_free(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;

	if (u == NULL)
		return;
	unix_close_all(u);
	pthread_mutex_destroy(&u->wlock);
	free(u->rbuf);
	free(u);
}

const struct ipc_backend ipc_unix_backend = {
	.name = "unix",
	.open = unix_open,
	.io_main = unix_io_main,
	.send = unix_send,
	.reserve = unix_reserve,
	.unreserve = unix_unreserve,
	.send_reserved = unix_send_reserved,
	.send_reserved_after = unix_send_reserved_after,
	.shutdown = unix_shutdown,
	.forked = unix_forked,
	.free = unix_free,
	.lead = unix_lead,
	.idle = unix_idle,
	.watch = unix_watch,
	.kick = unix_kick,
	.interrupt = unix_interrupt,
};
