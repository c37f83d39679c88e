/*
 * The Unix socket backend: the control protocol's frames (a header and a
 * protobuf Request, Reply or Event; proto/wschannel.proto) on the daemon's
 * control socket.  Callers write their own frames, one writer at a time;
 * the I/O thread reads Replies and hands them to ipc.c, and Events to
 * whoever asked for them (wsctl watch; the library skips them).
 *
 * Without memory: a reservation's frame is encoded when its object is
 * created, frames are read into a buffer allocated with the connection,
 * and a Reply that cannot be decoded for lack of memory is decoded again
 * in a static arena, keeping only id, hresult and state.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "frame.h"

#define UNIX_RBUF_SIZE		(64 * 1024)
#define UNIX_ARENA_SIZE		(256 * 1024)
#define UNIX_STACK_FRAME	2048	/* requests up to this are built on
					 * the stack: no malloc to send them */

struct unix_conn {
	int		 fd;		/* closed by the I/O thread under wlock */
	pthread_mutex_t	 wlock;		/* one writer at a time, whole frames */
	uint8_t		*rbuf;		/* the I/O thread's frame buffer */
};

/* The emergency arena; used by one I/O thread at a time. */
struct unix_arena {
	size_t		 used;
	bool		 failed;
};
static pthread_mutex_t	 unix_arena_lock = PTHREAD_MUTEX_INITIALIZER;
static _Alignas(16) uint8_t unix_arena_mem[UNIX_ARENA_SIZE];
static struct unix_arena unix_arena;

/* malloc, remembering whether it failed: tells a payload that does not
 * decode from a decoder that ran out of memory. */
struct unix_track {
	bool		 failed;
};

static void *
unix_track_alloc(void *data, size_t size)
{
	struct unix_track *t = data;
	void *p;

	if ((p = malloc(size)) == NULL)
		t->failed = true;
	return p;
}

static void
unix_track_free(void *data, void *p)
{
	free(p);
}

static void *
unix_arena_alloc(void *data, size_t size)
{
	struct unix_arena *a = data;
	size_t n = (size + 15) & ~(size_t)15;
	void *p;

	if (size > UNIX_ARENA_SIZE || n > UNIX_ARENA_SIZE - a->used) {
		a->failed = true;
		return NULL;
	}
	p = unix_arena_mem + a->used;
	a->used += n;
	return p;
}

static void
unix_arena_free(void *data, void *p)
{
	/* Released all at once, after the reply has been delivered. */
}

/* ---- writing ------------------------------------------------------------- */

/* Writes one whole frame; on failure the connection is shut down, which
 * completes every pending call (the writer's included) with a disconnect. */
static int
unix_write(struct unix_conn *u, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int r = 0;

	pthread_mutex_lock(&u->wlock);
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

static int
unix_skip(int fd, uint8_t *buf, size_t len)
{
	size_t n;

	while (len > 0) {
		n = len < UNIX_RBUF_SIZE ? len : UNIX_RBUF_SIZE;
		if (unix_read_full(fd, buf, n) != 0)
			return -1;
		len -= n;
	}
	return 0;
}

/*
 * The id of a Reply that could not be decoded at all for lack of memory.
 * protobuf-c writes fields in field-number order, so a Reply starts with
 * field 1 (id, varint): tag byte 0x08.
 */
static int
unix_scan_id(const uint8_t *buf, size_t len, uint64_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (len < 2 || buf[0] != 0x08)
		return -1;
	for (i = 1; i < len && i < 11; i++) {
		v |= (uint64_t)(buf[i] & 0x7f) << (7 * (i - 1));
		if ((buf[i] & 0x80) == 0) {
			*id = v;
			return 0;
		}
	}
	return -1;
}

/* Hands one Reply to ipc.c.  Returns -1 for a payload that is not a
 * Reply, which ends the connection. */
static int
unix_dispatch(struct ipc_conn *c, const uint8_t *buf, size_t len)
{
	struct unix_track track = { false };
	ProtobufCAllocator talloc = { unix_track_alloc, unix_track_free,
	    &track };
	ProtobufCAllocator aalloc = { unix_arena_alloc, unix_arena_free,
	    &unix_arena };
	Wschannel__Reply *r;
	uint64_t id;
	bool oom;

	if ((r = wschannel__reply__unpack(&talloc, len, buf)) != NULL) {
		ipc_conn_reply(c, r, false);
		return 0;
	}
	if (!track.failed)
		return -1;
	pthread_mutex_lock(&unix_arena_lock);
	unix_arena.used = 0;
	unix_arena.failed = false;
	if ((r = wschannel__reply__unpack(&aalloc, len, buf)) != NULL) {
		ipc_conn_reply(c, r, true);
		pthread_mutex_unlock(&unix_arena_lock);
		return 0;
	}
	oom = unix_arena.failed;
	pthread_mutex_unlock(&unix_arena_lock);
	if (!oom || unix_scan_id(buf, len, &id) != 0)
		return oom ? 0 : -1;
	ipc_conn_fail_id(c, id, E_OUTOFMEMORY);
	return 0;
}

/* An Event frame: for a reader that asked, else skipped unread. */
static int
unix_event(struct ipc_conn *c, struct unix_conn *u, size_t len)
{
	Wschannel__Event *ev;
	uint8_t *buf = u->rbuf;
	int r = 0;

	if (!ipc_conn_wants_events(c))
		return unix_skip(u->fd, u->rbuf, len);
	if (len > UNIX_RBUF_SIZE && (buf = malloc(len)) == NULL) {
		ipc_conn_event(c, NULL, -ENOMEM);
		return unix_skip(u->fd, u->rbuf, len);
	}
	if (unix_read_full(u->fd, buf, len) != 0)
		r = -1;
	else if ((ev = wschannel__event__unpack(NULL, len, buf)) == NULL)
		ipc_conn_event(c, NULL, -EBADMSG);
	else
		ipc_conn_event(c, ev, 0);
	if (buf != u->rbuf)
		free(buf);
	return r;
}

/* Reads one Reply frame of `len` bytes and hands it over. */
static int
unix_reply(struct ipc_conn *c, struct unix_conn *u, size_t len)
{
	uint8_t *buf = u->rbuf;
	uint64_t id;
	size_t n;
	int r;

	if (len > UNIX_RBUF_SIZE && (buf = malloc(len)) == NULL) {
		/* Too big for the buffer and no memory: fail just that
		 * call, and keep the stream in step. */
		n = UNIX_RBUF_SIZE;
		if (unix_read_full(u->fd, u->rbuf, n) != 0 ||
		    unix_skip(u->fd, u->rbuf, len - n) != 0)
			return -1;
		if (unix_scan_id(u->rbuf, n, &id) == 0)
			ipc_conn_fail_id(c, id, E_OUTOFMEMORY);
		return 0;
	}
	r = unix_read_full(u->fd, buf, len);
	if (r == 0)
		r = unix_dispatch(c, buf, len);
	if (buf != u->rbuf)
		free(buf);
	return r;
}

static void *
unix_io_main(void *arg)
{
	struct ipc_conn *c = arg;
	struct unix_conn *u = c->be;
	uint8_t hdr[FRAME_HEADER_SIZE];
	struct frame_header h;
	int r;

	for (;;) {
		if (unix_read_full(u->fd, hdr, sizeof(hdr)) != 0 ||
		    frame_header_parse(hdr, &h, NULL) != 0)
			break;
		if (h.kind == FRAME_EVENT)
			r = unix_event(c, u, h.length);
		else if (h.kind == FRAME_REPLY)
			r = unix_reply(c, u, h.length);
		else
			r = -1;
		if (r != 0)
			break;
	}
	ipc_conn_lose(c);
	pthread_mutex_lock(&u->wlock);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	pthread_mutex_unlock(&u->wlock);
	ipc_conn_unref(c);
	return NULL;
}

/* ---- opening and the end ----------------------------------------------------- */

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
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->rbuf = malloc(UNIX_RBUF_SIZE)) == NULL) {
		free(u);
		close(fd);
		return ipc_status_set(st, E_OUTOFMEMORY, -ENOMEM,
		    "out of memory connecting to wschanneld");
	}
	u->fd = fd;
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

	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	pthread_mutex_init(&u->wlock, NULL);
}

static void
unix_free(struct ipc_conn *c)
{
	struct unix_conn *u = c->be;

	if (u == NULL)
		return;
	if (u->fd >= 0)
		close(u->fd);
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
	.shutdown = unix_shutdown,
	.forked = unix_forked,
	.free = unix_free,
};
