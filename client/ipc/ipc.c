/*
 * The connection to wschanneld.  One per process, opened lazily and shared
 * by every handle.  Callers register a call (keyed by request id) and write
 * their frame; the I/O thread reads Replies and hands each to its call: a
 * sync caller is woken on its own condition variable, an async call that
 * the daemon made pending is queued for the callback thread.  Nothing here
 * runs user code on the I/O thread.
 *
 * Over D-Bus (WSCHANNEL_ADDRESS=dbus:...) the calls are the same; callers
 * queue them for the bus I/O thread of ipc_bus.c instead of writing
 * frames, and that thread completes them through ipc_conn_complete.
 *
 * An abort must work with malloc failing: its frame is encoded when the
 * object is created, its call lives on the caller's stack, frames are read
 * into a buffer allocated with the connection, and a Reply that cannot be
 * decoded for lack of memory is decoded again in a static arena, keeping
 * only id, hresult and state.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "frame.h"
#include "hresult.h"
#include "internal.h"

#define IPC_RBUF_SIZE		(64 * 1024)
#define IPC_ARENA_SIZE		(256 * 1024)
#define IPC_STACK_FRAME		2048	/* requests up to this are built on
					 * the stack: no malloc to send them */
#define IPC_DEFAULT_SOCKET	"/run/wschanneld/control.sock"
#define IPC_XDG_SOCKET		"/wschanneld/control.sock"

struct ipc_conn {
	struct ipc_bus	*bus;		/* D-Bus: the backend; else NULL */
	struct ipc_call	*qhead, *qtail;	/* D-Bus: calls to send (ipc_lock) */
	int		 fd;		/* closed by the I/O thread under wlock */
	int		 refs;		/* ipc_lock */
	bool		 dead;		/* ipc_lock; read atomically */
	uint64_t	 next_id;	/* ipc_lock */
	struct ipc_call	*pending;	/* ipc_lock */
	pthread_mutex_t	 wlock;		/* one writer at a time, whole frames */
	uint8_t		*rbuf;		/* the I/O thread's frame buffer */
	struct ipc_conn	*all_next;	/* ipc_all, for fork */
};

/* One lock for the connection table, every pending list, every call's
 * flags and the callback queue: contention is low and it keeps the
 * hand-offs between threads simple to reason about. */
static pthread_mutex_t	 ipc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ipc_conn	*ipc_current;
static struct ipc_conn	*ipc_all;
static pthread_once_t	 ipc_once = PTHREAD_ONCE_INIT;

static pthread_cond_t	 ipc_cb_cond = PTHREAD_COND_INITIALIZER;
static struct ipc_call	*ipc_cb_head, *ipc_cb_tail;
static bool		 ipc_cb_started;

/* The emergency arena; used by one I/O thread at a time. */
struct ipc_arena {
	size_t		 used;
	bool		 failed;
};
static pthread_mutex_t	 ipc_arena_lock = PTHREAD_MUTEX_INITIALIZER;
static _Alignas(16) uint8_t ipc_arena_mem[IPC_ARENA_SIZE];
static struct ipc_arena	 ipc_arena;

/* malloc, remembering whether it failed: tells a payload that does not
 * decode from a decoder that ran out of memory. */
struct ipc_track {
	bool		 failed;
};

/* The live handles: an open-addressing set of pointers; a deleted slot
 * holds ipc_handle_tomb until the next rehash. */
#define IPC_HANDLES_MIN		64
static pthread_rwlock_t	 ipc_handles_lock = PTHREAD_RWLOCK_INITIALIZER;
static const void	**ipc_handles;
static size_t		 ipc_handles_cap;	/* a power of two */
static size_t		 ipc_handles_used;	/* live + tombstones */
static size_t		 ipc_handles_live;
static const char	 ipc_handle_tomb_mark;
#define ipc_handle_tomb	((const void *)&ipc_handle_tomb_mark)

static void	 ipc_call_complete_async(struct ipc_call *);

static void *
ipc_track_alloc(void *data, size_t size)
{
	struct ipc_track *t = data;
	void *p;

	if ((p = malloc(size)) == NULL)
		t->failed = true;
	return p;
}

static void
ipc_track_free(void *data, void *p)
{
	free(p);
}

static void *
ipc_arena_alloc(void *data, size_t size)
{
	struct ipc_arena *a = data;
	size_t n = (size + 15) & ~(size_t)15;
	void *p;

	if (size > IPC_ARENA_SIZE || n > IPC_ARENA_SIZE - a->used) {
		a->failed = true;
		return NULL;
	}
	p = ipc_arena_mem + a->used;
	a->used += n;
	return p;
}

static void
ipc_arena_free(void *data, void *p)
{
	/* Released all at once, after the reply has been delivered. */
}

/*
 * fork: the child has none of our threads.  It drops every connection it
 * inherited (closing its copy of the socket, so the daemon still sees the
 * parent go away) and never writes to one again; handles from before the
 * fork are stale in the child.  New handles connect afresh.
 */
static void
ipc_atfork_prepare(void)
{
	pthread_rwlock_wrlock(&ipc_handles_lock);
	pthread_mutex_lock(&ipc_lock);
}

static void
ipc_atfork_parent(void)
{
	pthread_mutex_unlock(&ipc_lock);
	pthread_rwlock_unlock(&ipc_handles_lock);
}

static void
ipc_atfork_child(void)
{
	struct ipc_conn *c;

	for (c = ipc_all; c != NULL; c = c->all_next) {
		__atomic_store_n(&c->dead, true, __ATOMIC_RELEASE);
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		if (c->bus != NULL)
			ipc_bus_forked(c->bus);
		/* Their callers are threads of the parent. */
		c->pending = NULL;
		c->qhead = c->qtail = NULL;
		pthread_mutex_init(&c->wlock, NULL);
	}
	ipc_all = NULL;
	ipc_current = NULL;
	ipc_cb_head = ipc_cb_tail = NULL;
	ipc_cb_started = false;
	pthread_cond_init(&ipc_cb_cond, NULL);
	pthread_mutex_init(&ipc_arena_lock, NULL);
	pthread_mutex_unlock(&ipc_lock);
	/* Handles stay what they were: the child may free them. */
	pthread_rwlock_init(&ipc_handles_lock, NULL);
}

static size_t
ipc_handle_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* With the write lock held: the table rebuilt with room for more. */
static int
ipc_handle_grow(void)
{
	const void **t, **old = ipc_handles;
	size_t cap = IPC_HANDLES_MIN, i, j, oldcap = ipc_handles_cap;

	while (cap < (ipc_handles_live + 1) * 4)
		cap *= 2;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return -ENOMEM;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL || old[i] == ipc_handle_tomb)
			continue;
		for (j = ipc_handle_hash(old[i]) & (cap - 1); t[j] != NULL;
		    j = (j + 1) & (cap - 1))
			;
		t[j] = old[i];
	}
	free(old);
	ipc_handles = t;
	ipc_handles_cap = cap;
	ipc_handles_used = ipc_handles_live;
	return 0;
}

int
ipc_handle_add(const void *p)
{
	size_t j;
	int r = 0;

	pthread_rwlock_wrlock(&ipc_handles_lock);
	if ((ipc_handles_used + 1) * 2 > ipc_handles_cap &&
	    (r = ipc_handle_grow()) != 0)
		goto out;
	for (j = ipc_handle_hash(p) & (ipc_handles_cap - 1);
	    ipc_handles[j] != NULL && ipc_handles[j] != ipc_handle_tomb;
	    j = (j + 1) & (ipc_handles_cap - 1))
		;
	if (ipc_handles[j] == NULL)
		ipc_handles_used++;
	ipc_handles[j] = p;
	ipc_handles_live++;
out:
	pthread_rwlock_unlock(&ipc_handles_lock);
	return r;
}

/* With a lock held: the slot of `p`, or -1. */
static ssize_t
ipc_handle_find(const void *p)
{
	size_t j;

	if (ipc_handles_cap == 0)
		return -1;
	for (j = ipc_handle_hash(p) & (ipc_handles_cap - 1);
	    ipc_handles[j] != NULL; j = (j + 1) & (ipc_handles_cap - 1))
		if (ipc_handles[j] == p)
			return (ssize_t)j;
	return -1;
}

void
ipc_handle_del(const void *p)
{
	ssize_t j;

	if (p == NULL)
		return;
	pthread_rwlock_wrlock(&ipc_handles_lock);
	if ((j = ipc_handle_find(p)) >= 0) {
		ipc_handles[j] = ipc_handle_tomb;
		ipc_handles_live--;
	}
	pthread_rwlock_unlock(&ipc_handles_lock);
}

bool
ipc_handle_live(const void *p)
{
	bool live;

	if (p == NULL)
		return false;
	pthread_rwlock_rdlock(&ipc_handles_lock);
	live = ipc_handle_find(p) >= 0;
	pthread_rwlock_unlock(&ipc_handles_lock);
	return live;
}

static void
ipc_init(void)
{
	pthread_atfork(ipc_atfork_prepare, ipc_atfork_parent,
	    ipc_atfork_child);
}

bool
ipc_conn_lost(const struct ipc_conn *c)
{
	return c == NULL || __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE);
}

void
ipc_conn_ref(struct ipc_conn *c)
{
	pthread_mutex_lock(&ipc_lock);
	c->refs++;
	pthread_mutex_unlock(&ipc_lock);
}

void
ipc_conn_unref(struct ipc_conn *c)
{
	struct ipc_conn **pp;
	bool last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&ipc_lock);
	last = --c->refs == 0;
	if (last) {
		for (pp = &ipc_all; *pp != NULL; pp = &(*pp)->all_next) {
			if (*pp == c) {
				*pp = c->all_next;
				break;
			}
		}
	}
	pthread_mutex_unlock(&ipc_lock);
	if (!last)
		return;
	ipc_bus_free(c->bus);
	pthread_mutex_destroy(&c->wlock);
	free(c->rbuf);
	free(c);
}

struct ipc_bus *
ipc_conn_bus(const struct ipc_conn *c)
{
	return c != NULL ? c->bus : NULL;
}

/* With ipc_lock held: `call` waits for the bus I/O thread. */
static void
ipc_queue(struct ipc_conn *c, struct ipc_call *call)
{
	call->qnext = NULL;
	call->qprev = c->qtail;
	if (c->qtail != NULL)
		c->qtail->qnext = call;
	else
		c->qhead = call;
	c->qtail = call;
}

struct ipc_call *
ipc_conn_take(struct ipc_conn *c)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	if ((call = c->qhead) != NULL) {
		if ((c->qhead = call->qnext) == NULL)
			c->qtail = NULL;
		call->qnext = call->qprev = NULL;
	}
	pthread_mutex_unlock(&ipc_lock);
	return call;
}

/* Writes one whole frame; on failure the connection is shut down, which
 * completes every pending call (this one included) with a disconnect. */
static int
ipc_write(struct ipc_conn *c, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int r = 0;

	pthread_mutex_lock(&c->wlock);
	while (off < len) {
		if (c->fd < 0) {
			r = -EPIPE;
			break;
		}
		n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (r != 0 && c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->wlock);
	return r;
}

static int
ipc_read_full(int fd, uint8_t *buf, size_t len)
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
ipc_skip(int fd, uint8_t *buf, size_t len)
{
	size_t n;

	while (len > 0) {
		n = len < IPC_RBUF_SIZE ? len : IPC_RBUF_SIZE;
		if (ipc_read_full(fd, buf, n) != 0)
			return -1;
		len -= n;
	}
	return 0;
}

static void
ipc_link(struct ipc_conn *c, struct ipc_call *call)
{
	call->prev = NULL;
	call->next = c->pending;
	if (c->pending != NULL)
		c->pending->prev = call;
	c->pending = call;
	call->linked = true;
}

static void
ipc_unlink(struct ipc_conn *c, struct ipc_call *call)
{
	if (!call->linked)
		return;
	if (call->prev != NULL)
		call->prev->next = call->next;
	else
		c->pending = call->next;
	if (call->next != NULL)
		call->next->prev = call->prev;
	call->next = call->prev = NULL;
	call->linked = false;
}

/* With ipc_lock held: the call has its result; wake whoever completes it. */
static void
ipc_deliver(struct ipc_call *call)
{
	call->done = true;
	if (call->async && call->interim) {
		call->next = NULL;
		if (ipc_cb_tail != NULL)
			ipc_cb_tail->next = call;
		else
			ipc_cb_head = call;
		ipc_cb_tail = call;
		pthread_cond_signal(&ipc_cb_cond);
	} else
		pthread_cond_signal(&call->cond);
}

/* With ipc_lock held. */
static struct ipc_call *
ipc_find(struct ipc_conn *c, uint64_t id)
{
	struct ipc_call *call;

	for (call = c->pending; call != NULL; call = call->next)
		if (call->id == id)
			return call;
	return NULL;
}

/* Completes call `id` with `hr` and no reply: used when a reply could not
 * be decoded for lack of memory. */
static void
ipc_fail_id(struct ipc_conn *c, uint64_t id, HRESULT hr)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	if ((call = ipc_find(c, id)) != NULL) {
		ipc_unlink(c, call);
		call->hr = hr;
		call->reply = NULL;
		ipc_deliver(call);
	}
	pthread_mutex_unlock(&ipc_lock);
}

void
ipc_conn_interim(struct ipc_conn *c, struct ipc_call *call)
{
	pthread_mutex_lock(&ipc_lock);
	if (call->linked && call->async && !call->interim) {
		call->interim = true;
		pthread_cond_signal(&call->cond);
	}
	pthread_mutex_unlock(&ipc_lock);
}

void
ipc_conn_complete(struct ipc_conn *c, struct ipc_call *call, HRESULT hr,
    Wschannel__Reply *r, bool has_state, uint32_t state)
{
	pthread_mutex_lock(&ipc_lock);
	if (call->linked) {
		ipc_unlink(c, call);
		call->hr = hr;
		call->has_state = has_state;
		call->state = state;
		call->reply = r;
		r = NULL;
		ipc_deliver(call);
	}
	pthread_mutex_unlock(&ipc_lock);
	if (r != NULL)
		wschannel__reply__free_unpacked(r, NULL);
}

/*
 * The id of a Reply that could not be decoded at all for lack of memory.
 * protobuf-c writes fields in field-number order, so a Reply starts with
 * field 1 (id, varint): tag byte 0x08.
 */
static int
ipc_scan_id(const uint8_t *buf, size_t len, uint64_t *id)
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

/* Hands one Reply to its call.  Returns -1 for a payload that is not a
 * Reply, which ends the connection. */
static int
ipc_dispatch(struct ipc_conn *c, const uint8_t *buf, size_t len)
{
	struct ipc_track track = { false };
	ProtobufCAllocator talloc = { ipc_track_alloc, ipc_track_free, &track };
	ProtobufCAllocator aalloc = { ipc_arena_alloc, ipc_arena_free, &ipc_arena };
	Wschannel__Reply *r;
	struct ipc_call *call;
	bool emergency = false;
	uint64_t id;

	r = wschannel__reply__unpack(&talloc, len, buf);
	if (r == NULL && !track.failed)
		return -1;
	if (r == NULL) {
		pthread_mutex_lock(&ipc_arena_lock);
		ipc_arena.used = 0;
		ipc_arena.failed = false;
		r = wschannel__reply__unpack(&aalloc, len, buf);
		if (r == NULL) {
			bool oom = ipc_arena.failed;

			pthread_mutex_unlock(&ipc_arena_lock);
			if (!oom || ipc_scan_id(buf, len, &id) != 0)
				return oom ? 0 : -1;
			ipc_fail_id(c, id, E_OUTOFMEMORY);
			return 0;
		}
		emergency = true;
	}

	pthread_mutex_lock(&ipc_lock);
	call = ipc_find(c, r->id);
	if (call == NULL) {
		/* Nobody waits for it (cannot happen with a sane daemon). */
	} else if (r->has_interim && r->interim) {
		if (call->async && !call->interim) {
			call->interim = true;
			pthread_cond_signal(&call->cond);
		}
	} else {
		ipc_unlink(c, call);
		call->hr = (HRESULT)r->hresult;
		call->has_state = false;
		if (r->has_state) {
			call->has_state = true;
			call->state = r->state;
		} else if (r->result_case == WSCHANNEL__REPLY__RESULT_ABORT &&
		    r->abort != NULL && r->abort->has_state) {
			call->has_state = true;
			call->state = r->abort->state;
		}
		if (emergency) {
			/* Only id, hresult and state survive an emergency. */
			call->reply = NULL;
			if (SUCCEEDED(call->hr) &&
			    r->result_case != WSCHANNEL__REPLY__RESULT__NOT_SET &&
			    r->result_case != WSCHANNEL__REPLY__RESULT_ABORT)
				call->hr = E_OUTOFMEMORY;
		} else {
			call->reply = r;
			r = NULL;
		}
		ipc_deliver(call);
	}
	pthread_mutex_unlock(&ipc_lock);

	if (emergency)
		pthread_mutex_unlock(&ipc_arena_lock);
	else if (r != NULL)
		wschannel__reply__free_unpacked(r, NULL);
	return 0;
}

/* The connection is gone: every pending call completes, exactly once. */
void
ipc_conn_lose(struct ipc_conn *c)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	__atomic_store_n(&c->dead, true, __ATOMIC_RELEASE);
	if (ipc_current == c) {
		ipc_current = NULL;
		c->refs--;	/* the I/O thread still holds one */
	}
	/* Queued calls are pending too: they end below, unsent. */
	c->qhead = c->qtail = NULL;
	while ((call = c->pending) != NULL) {
		ipc_unlink(c, call);
		call->hr = WS_E_ENDPOINT_DISCONNECTED;
		call->reply = NULL;
		ipc_deliver(call);
	}
	pthread_mutex_unlock(&ipc_lock);

	pthread_mutex_lock(&c->wlock);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&c->wlock);
}

static void *
ipc_io_main(void *arg)
{
	struct ipc_conn *c = arg;
	uint8_t hdr[FRAME_HEADER_SIZE];
	struct frame_header h;
	uint8_t *buf;
	uint64_t id;
	size_t n;
	int r;

	for (;;) {
		if (ipc_read_full(c->fd, hdr, sizeof(hdr)) != 0)
			break;
		if (frame_header_parse(hdr, &h, NULL) != 0)
			break;
		if (h.kind == FRAME_EVENT) {
			/* Events are for wsctl; the library ignores them. */
			if (ipc_skip(c->fd, c->rbuf, h.length) != 0)
				break;
			continue;
		}
		if (h.kind != FRAME_REPLY)
			break;
		buf = c->rbuf;
		if (h.length > IPC_RBUF_SIZE && (buf = malloc(h.length)) == NULL) {
			/* Too big for the buffer and no memory: fail just
			 * that call, and keep the stream in step. */
			n = IPC_RBUF_SIZE;
			if (ipc_read_full(c->fd, c->rbuf, n) != 0 ||
			    ipc_skip(c->fd, c->rbuf, h.length - n) != 0)
				break;
			if (ipc_scan_id(c->rbuf, n, &id) == 0)
				ipc_fail_id(c, id, E_OUTOFMEMORY);
			continue;
		}
		if (ipc_read_full(c->fd, buf, h.length) != 0) {
			if (buf != c->rbuf)
				free(buf);
			break;
		}
		r = ipc_dispatch(c, buf, h.length);
		if (buf != c->rbuf)
			free(buf);
		if (r != 0)
			break;
	}
	ipc_conn_lose(c);
	ipc_conn_unref(c);
	return NULL;
}

/* Runs the completions of async calls, so that callbacks never run on the
 * I/O thread nor on the stack of the call that caused them. */
static void *
ipc_cb_main(void *arg)
{
	struct ipc_call *call;

	pthread_mutex_lock(&ipc_lock);
	for (;;) {
		while (ipc_cb_head == NULL)
			pthread_cond_wait(&ipc_cb_cond, &ipc_lock);
		call = ipc_cb_head;
		if ((ipc_cb_head = call->next) == NULL)
			ipc_cb_tail = NULL;
		call->next = NULL;
		pthread_mutex_unlock(&ipc_lock);
		ipc_call_complete_async(call);
		pthread_mutex_lock(&ipc_lock);
	}
	return NULL;
}

/* Our threads take no signals: those belong to the application. */
static int
ipc_thread_start(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int r;

	if ((r = pthread_attr_init(&attr)) != 0)
		return -r;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return -r;
}

/*
 * Where the daemon listens: WSCHANNEL_ADDRESS ("unix:path=/p", a bare
 * absolute path, "unix:abstract=name"), else the per-user socket under
 * $XDG_RUNTIME_DIR if there is one, else the system socket.  D-Bus
 * addresses ("dbus:...") are ipc_open's.
 */
static HRESULT
ipc_address(struct sockaddr_un *sa, socklen_t *salen, char *shown,
    size_t shownlen, WS_ERROR *error)
{
	const char *env, *p, *end, *val = NULL;
	char path[sizeof(sa->sun_path) + 64];
	bool abstract = false;
	size_t len = 0;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	env = secure_getenv("WSCHANNEL_ADDRESS");
	if (env != NULL && *env != '\0') {
		if (env[0] == '/') {
			val = env;
			len = strlen(env);
		} else if (strncmp(env, "unix:", 5) == 0) {
			/* key=value pairs separated by commas, D-Bus style;
			 * keys other than path and abstract are ignored. */
			for (p = env + 5; *p != '\0'; p = *end ? end + 1 : end) {
				if ((end = strchr(p, ',')) == NULL)
					end = p + strlen(p);
				if (strncmp(p, "path=", 5) == 0) {
					val = p + 5;
					len = (size_t)(end - val);
					abstract = false;
				} else if (strncmp(p, "abstract=", 9) == 0) {
					val = p + 9;
					len = (size_t)(end - val);
					abstract = true;
				}
			}
		}
		if (val == NULL || len == 0)
			return ws_error_fail(error, WS_E_ENDPOINT_UNREACHABLE,
			    "WSCHANNEL_ADDRESS=%s: not an address wschanneld "
			    "listens on (expected unix:path=/path or "
			    "dbus:system)", env);
	} else {
		env = secure_getenv("XDG_RUNTIME_DIR");
		if (env != NULL && env[0] == '/' &&
		    (size_t)snprintf(path, sizeof(path), "%s%s", env,
		    IPC_XDG_SOCKET) < sizeof(path) && access(path, F_OK) == 0)
			val = path;
		else
			val = IPC_DEFAULT_SOCKET;
		len = strlen(val);
	}
	if (len + (abstract ? 1 : 0) >= sizeof(sa->sun_path))
		return ws_error_fail(error, WS_E_ENDPOINT_UNREACHABLE,
		    "wschanneld socket path is too long: %.*s", (int)len, val);
	if (abstract) {
		memcpy(sa->sun_path + 1, val, len);
		*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    1 + len);
		snprintf(shown, shownlen, "@%.*s", (int)len, val);
	} else {
		memcpy(sa->sun_path, val, len);
		*salen = (socklen_t)sizeof(*sa);
		snprintf(shown, shownlen, "%.*s", (int)len, val);
	}
	return S_OK;
}

/* With ipc_lock held: the threads of a new connection. */
static HRESULT
ipc_start(struct ipc_conn *c, void *(*io)(void *), struct ipc_conn **out,
    WS_ERROR *error)
{
	int r;

	if (!ipc_cb_started) {
		if ((r = ipc_thread_start(ipc_cb_main, NULL)) != 0)
			goto fail;
		ipc_cb_started = true;
	}
	/* ipc_current's, the I/O thread's and the caller's. */
	c->refs = 3;
	if ((r = ipc_thread_start(io, c)) != 0)
		goto fail;
	c->all_next = ipc_all;
	ipc_all = c;
	ipc_current = c;
	*out = c;
	return S_OK;
fail:
	return ws_error_fail(error, E_OUTOFMEMORY,
	    "cannot start the libwschannel threads: %s", strerror(-r));
}

/*
 * WSCHANNEL_ADDRESS=dbus:system, dbus:session or dbus:ADDRESS (a D-Bus
 * address such as unix:path=/run/bus): the daemon's D-Bus door.
 */
static HRESULT
ipc_open_bus(const char *address, struct ipc_conn **out, WS_ERROR *error)
{
	struct ipc_conn *c;
	HRESULT hr;

	if (*address == '\0')
		return ws_error_fail(error, WS_E_ENDPOINT_UNREACHABLE,
		    "WSCHANNEL_ADDRESS=dbus: names no bus (dbus:system, "
		    "dbus:session or dbus:ADDRESS)");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "out of memory connecting to wschanneld");
	c->fd = -1;
	pthread_mutex_init(&c->wlock, NULL);
	if ((hr = ipc_bus_open(c, address, &c->bus, error)) == S_OK &&
	    (hr = ipc_start(c, ipc_bus_main, out, error)) == S_OK)
		return S_OK;
	/* Not started: nobody else knows the connection. */
	ipc_bus_free(c->bus);
	pthread_mutex_destroy(&c->wlock);
	free(c);
	return hr;
}

/* With ipc_lock held: opens a new connection and its threads. */
static HRESULT
ipc_open(struct ipc_conn **out, WS_ERROR *error)
{
	struct sockaddr_un sa;
	struct ipc_conn *c;
	char shown[sizeof(sa.sun_path) + 2];
	socklen_t salen = 0;
	const char *env;
	HRESULT hr;
	int fd, r, saved;

	env = secure_getenv("WSCHANNEL_ADDRESS");
	if (env != NULL && strncmp(env, "dbus:", 5) == 0)
		return ipc_open_bus(env + 5, out, error);
	if ((hr = ipc_address(&sa, &salen, shown, sizeof(shown), error)) != S_OK)
		return hr;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return ws_error_fail(error, errno == ENOMEM || errno == ENOBUFS ?
		    E_OUTOFMEMORY : WS_E_ENDPOINT_UNREACHABLE,
		    "cannot create a socket for wschanneld: %s",
		    strerror(errno));
	do
		r = connect(fd, (struct sockaddr *)&sa, salen);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		saved = errno;
		close(fd);
		return ws_error_fail(error, WS_E_ENDPOINT_UNREACHABLE,
		    "cannot connect to wschanneld at %s: %s", shown,
		    strerror(saved));
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->rbuf = malloc(IPC_RBUF_SIZE)) == NULL) {
		free(c);
		close(fd);
		return ws_error_fail(error, E_OUTOFMEMORY,
		    "out of memory connecting to wschanneld");
	}
	c->fd = fd;
	pthread_mutex_init(&c->wlock, NULL);
	if ((hr = ipc_start(c, ipc_io_main, out, error)) == S_OK)
		return S_OK;
	pthread_mutex_destroy(&c->wlock);
	free(c->rbuf);
	free(c);
	close(fd);
	return hr;
}

HRESULT
ipc_connect(struct ipc_conn **out, WS_ERROR *error)
{
	HRESULT hr = S_OK;

	pthread_once(&ipc_once, ipc_init);
	pthread_mutex_lock(&ipc_lock);
	if (ipc_current != NULL && !ipc_current->dead) {
		ipc_current->refs++;
		*out = ipc_current;
	} else
		hr = ipc_open(out, error);
	pthread_mutex_unlock(&ipc_lock);
	return hr;
}

void *
ipc_call_new(void *stack, size_t size, const WS_ASYNC_CONTEXT *ctx)
{
	struct ipc_call *call;

	if (ctx == NULL) {
		memset(stack, 0, size);
		return stack;
	}
	if ((call = calloc(1, size)) == NULL)
		return NULL;
	call->allocated = true;
	call->async = true;
	call->callback = ctx->callback;
	call->callback_state = ctx->callbackState;
	return call;
}

static void
ipc_call_release(struct ipc_call *call)
{
	ipc_object_unref(call->obj);
	ipc_object_unref(call->obj2);
	call->obj = call->obj2 = NULL;
	if (call->cleanup != NULL)
		call->cleanup(call);
}

static void
ipc_call_free(struct ipc_call *call)
{
	pthread_cond_destroy(&call->cond);
	if (call->allocated)
		free(call);
}

/* Adds the reply's strings so that WsGetErrorString(0) is errors[0]. */
static void
ipc_reply_errors(WS_ERROR *error, const Wschannel__Reply *r)
{
	size_t i;

	for (i = r->n_errors; i > 0; i--)
		ws_error_add_utf8(error, r->errors[i - 1]);
}

/* Turns the result into the call's HRESULT; releases everything but the
 * call's own memory. */
static HRESULT
ipc_call_finish(struct ipc_call *call)
{
	HRESULT hr = call->hr;

	if (FAILED(hr)) {
		if (call->reply != NULL && call->reply->n_errors > 0)
			ipc_reply_errors(call->error, call->reply);
		else if (hr == WS_E_ENDPOINT_DISCONNECTED && call->reply == NULL)
			ws_error_add(call->error, "%s: the connection to "
			    "wschanneld was lost", call->api);
		else
			ws_error_add(call->error, "%s: %s", call->api,
			    hresult_text((uint32_t)hr));
	}
	if (call->finish != NULL)
		hr = call->finish(call, hr);
	if (FAILED(hr))
		ws_error_set_code(call->error, hr);
	if (call->reply != NULL)
		wschannel__reply__free_unpacked(call->reply, NULL);
	call->reply = NULL;
	ipc_call_release(call);
	return hr;
}

static void
ipc_call_complete_async(struct ipc_call *call)
{
	HRESULT hr;
	bool last;

	hr = ipc_call_finish(call);
	if (call->callback != NULL)
		call->callback(hr, WS_LONG_CALLBACK, call->callback_state);
	pthread_mutex_lock(&ipc_lock);
	last = --call->refs == 0;
	pthread_mutex_unlock(&ipc_lock);
	if (last)
		ipc_call_free(call);
}

/* With ipc_lock held: completes a call that never reached the daemon. */
static void
ipc_call_abandon(struct ipc_call *call, HRESULT hr)
{
	if (!call->linked)
		return;		/* the connection loss completed it */
	ipc_unlink(call->conn, call);
	call->hr = hr;
	call->reply = NULL;
	call->done = true;
}

HRESULT
ipc_call_run(struct ipc_call *call, Wschannel__Request *req)
{
	struct ipc_conn *c = call->conn;
	uint8_t stackbuf[IPC_STACK_FRAME], *buf = NULL;
	size_t plen;
	HRESULT hr = S_OK;
	bool last;

	pthread_cond_init(&call->cond, NULL);
	call->refs = call->async ? 2 : 1;
	call->done = call->interim = false;

	if (c != NULL && c->bus != NULL &&
	    wschannel__request__get_packed_size(req) > FRAME_MAX_PAYLOAD) {
		/* The same limit as on the socket, whatever the bus allows. */
		call->hr = WS_E_QUOTA_EXCEEDED;
		call->done = true;
		ws_error_add(call->error, "%s: the request is larger than the "
		    "protocol's %u-byte limit", call->api, FRAME_MAX_PAYLOAD);
		goto wait;
	}
	pthread_mutex_lock(&ipc_lock);
	if (c == NULL || c->dead) {
		call->hr = WS_E_ENDPOINT_DISCONNECTED;
		call->done = true;
		pthread_mutex_unlock(&ipc_lock);
		goto wait;
	}
	call->id = ++c->next_id;
	ipc_link(c, call);
	if (c->bus != NULL) {
		/* The I/O thread reads `req` until it sent it; this thread
		 * waits at least that long (for the interim reply, or for
		 * the result). */
		call->req = req;
		call->reserved = NULL;
		call->cookie = 0;
		ipc_queue(c, call);
		pthread_mutex_unlock(&ipc_lock);
		ipc_bus_wake(c->bus);
		goto wait;
	}
	pthread_mutex_unlock(&ipc_lock);

	req->id = call->id;
	req->has_async = call->async;
	req->async = call->async;
	plen = wschannel__request__get_packed_size(req);
	if (plen > FRAME_MAX_PAYLOAD)
		hr = WS_E_QUOTA_EXCEEDED;
	else if (plen + FRAME_HEADER_SIZE <= sizeof(stackbuf))
		buf = stackbuf;
	else if ((buf = malloc(plen + FRAME_HEADER_SIZE)) == NULL)
		hr = E_OUTOFMEMORY;
	if (buf == NULL) {
		pthread_mutex_lock(&ipc_lock);
		ipc_call_abandon(call, hr);
		pthread_mutex_unlock(&ipc_lock);
		if (hr == WS_E_QUOTA_EXCEEDED)
			ws_error_add(call->error, "%s: the request is larger "
			    "than the protocol's %u-byte limit", call->api,
			    FRAME_MAX_PAYLOAD);
		goto wait;
	}
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)plen);
	wschannel__request__pack(req, buf + FRAME_HEADER_SIZE);
	/* A failed write shuts the connection down; the I/O thread then
	 * completes this call like every other. */
	(void)ipc_write(c, buf, plen + FRAME_HEADER_SIZE);
	if (buf != stackbuf)
		free(buf);

wait:
	pthread_mutex_lock(&ipc_lock);
	while (!call->done && !(call->async && call->interim))
		pthread_cond_wait(&call->cond, &ipc_lock);
	if (call->async && call->interim) {
		/* Pending: the callback thread completes it. */
		last = --call->refs == 0;
		pthread_mutex_unlock(&ipc_lock);
		if (last)
			ipc_call_free(call);
		return WS_S_ASYNC;
	}
	pthread_mutex_unlock(&ipc_lock);
	hr = ipc_call_finish(call);
	ipc_call_free(call);
	return hr;
}

void
ipc_object_init(struct ipc_object *o, enum ipc_kind kind, uint32_t magic,
    void (*destroy)(struct ipc_object *))
{
	o->magic = magic;
	o->refs = 1;
	o->kind = kind;
	o->stale_state = kind == IPC_CHANNEL ? WS_CHANNEL_STATE_FAULTED :
	    WS_LISTENER_STATE_FAULTED;
	pthread_mutex_init(&o->abort.lock, NULL);
	pthread_mutex_init(&o->abandon.lock, NULL);
	o->destroy = destroy;
}

/* Encodes `req` (an ObjectRef operation) into the reservation, with a
 * request id of its own. */
static int
ipc_reserve(struct ipc_conn *c, struct ipc_reserved *r,
    Wschannel__Request *req)
{
	size_t plen;

	pthread_mutex_lock(&ipc_lock);
	r->req = ++c->next_id;
	pthread_mutex_unlock(&ipc_lock);
	req->id = r->req;
	plen = wschannel__request__get_packed_size(req);
	if (plen + FRAME_HEADER_SIZE > sizeof(r->frame))
		return -EMSGSIZE;
	frame_header_write(r->frame, FRAME_REQUEST, (uint32_t)plen);
	wschannel__request__pack(req, r->frame + FRAME_HEADER_SIZE);
	r->len = plen + FRAME_HEADER_SIZE;
	return 0;
}

int
ipc_object_bind(struct ipc_object *o, struct ipc_conn *c, uint64_t id)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	int r;

	o->conn = c;
	o->id = id;
	o->abort.member = "Abort";
	o->abandon.member = "AbandonMessage";
	if (c->bus != NULL) {
		/* A failure here is made good at the first use. */
		if ((r = ipc_bus_reserve(c->bus, o, &o->abort)) != 0 ||
		    o->kind != IPC_CHANNEL)
			return r;
		return ipc_bus_reserve(c->bus, o, &o->abandon);
	}
	ref.id = id;
	if (o->kind == IPC_CHANNEL) {
		req.op_case = WSCHANNEL__REQUEST__OP_ABORT_CHANNEL;
		req.abort_channel = &ref;
	} else {
		req.op_case = WSCHANNEL__REQUEST__OP_ABORT_LISTENER;
		req.abort_listener = &ref;
	}
	if ((r = ipc_reserve(c, &o->abort, &req)) != 0 ||
	    o->kind != IPC_CHANNEL)
		return r;
	wschannel__request__init(&req);
	req.op_case = WSCHANNEL__REQUEST__OP_ABANDON_MESSAGE;
	req.abandon_message = &ref;
	return ipc_reserve(c, &o->abandon, &req);
}

bool
ipc_object_valid(const struct ipc_object *o, uint32_t magic)
{
	return ipc_handle_live(o) && o->magic == magic;
}

void
ipc_object_ref(struct ipc_object *o)
{
	__atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
}

void
ipc_object_unref(struct ipc_object *o)
{
	if (o == NULL || __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (ipc_conn_bus(o->conn) != NULL) {
		ipc_bus_unreserve(o->conn->bus, &o->abort);
		ipc_bus_unreserve(o->conn->bus, &o->abandon);
	}
	ipc_conn_unref(o->conn);
	pthread_mutex_destroy(&o->abort.lock);
	pthread_mutex_destroy(&o->abandon.lock);
	o->destroy(o);
}

bool
ipc_object_stale(const struct ipc_object *o)
{
	return ipc_conn_lost(o->conn);
}

uint32_t
ipc_object_stale_state(const struct ipc_object *o)
{
	return __atomic_load_n(&o->stale_state, __ATOMIC_RELAXED);
}

void
ipc_object_set_stale_state(struct ipc_object *o, uint32_t state)
{
	__atomic_store_n(&o->stale_state, state, __ATOMIC_RELAXED);
}

HRESULT
ipc_object_call(struct ipc_object *o, Wschannel__Request *req,
    const WS_ASYNC_CONTEXT *ctx, WS_ERROR *error, const char *api)
{
	struct ipc_call stack, *c;

	if ((c = ipc_call_new(&stack, sizeof(stack), ctx)) == NULL) {
		ipc_object_unref(o);
		return ws_error_fail(error, E_OUTOFMEMORY, "%s: out of memory",
		    api);
	}
	c->conn = o->conn;
	c->obj = o;
	c->error = error;
	c->api = api;
	return ipc_call_run(c, req);
}

/* An abort of an object whose daemon side went with the connection. */
static HRESULT
ipc_object_abort_stale(struct ipc_object *o)
{
	uint32_t closed = o->kind == IPC_CHANNEL ? WS_CHANNEL_STATE_CLOSED :
	    WS_LISTENER_STATE_CLOSED;
	uint32_t faulted = o->kind == IPC_CHANNEL ? WS_CHANNEL_STATE_FAULTED :
	    WS_LISTENER_STATE_FAULTED;

	if (ipc_object_stale_state(o) != closed)
		ipc_object_set_stale_state(o, faulted);
	return S_OK;
}

/*
 * Sends a reserved request and waits for its reply.  Nothing here
 * allocates: the frame was encoded at creation, the call is on this stack,
 * and the I/O thread can decode the reply without malloc.  Returns false
 * when the connection is gone (then nothing was sent); otherwise the call
 * holds the result, and call->reply (may be NULL) is the caller's to free.
 */
static bool
ipc_reserved_run(struct ipc_object *o, struct ipc_reserved *r,
    struct ipc_call *call)
{
	struct ipc_conn *c = o->conn;

	if (ipc_object_stale(o) || (r->len == 0 && c->bus == NULL))
		return false;
	pthread_mutex_lock(&r->lock);
	memset(call, 0, sizeof(*call));
	pthread_cond_init(&call->cond, NULL);
	call->conn = c;
	call->id = r->req;
	call->refs = 1;

	pthread_mutex_lock(&ipc_lock);
	if (c->dead) {
		pthread_mutex_unlock(&ipc_lock);
		pthread_mutex_unlock(&r->lock);
		pthread_cond_destroy(&call->cond);
		return false;
	}
	ipc_link(c, call);
	if (c->bus != NULL) {
		/* The I/O thread sends the reservation's message; `obj` is
		 * borrowed (our caller holds a reference). */
		call->reserved = r;
		call->obj = o;
		ipc_queue(c, call);
		pthread_mutex_unlock(&ipc_lock);
		ipc_bus_wake(c->bus);
	} else {
		pthread_mutex_unlock(&ipc_lock);
		(void)ipc_write(c, r->frame, r->len);
	}

	pthread_mutex_lock(&ipc_lock);
	while (!call->done)
		pthread_cond_wait(&call->cond, &ipc_lock);
	pthread_mutex_unlock(&ipc_lock);
	pthread_mutex_unlock(&r->lock);
	pthread_cond_destroy(&call->cond);
	return true;
}

/* Concurrent aborts of one object take turns on the reservation. */
HRESULT
ipc_object_abort(struct ipc_object *o, WS_ERROR *error, const char *api)
{
	struct ipc_call call;
	HRESULT hr;

	if (!ipc_reserved_run(o, &o->abort, &call))
		return ipc_object_abort_stale(o);
	hr = call.hr;
	if (hr == WS_E_ENDPOINT_DISCONNECTED && call.reply == NULL)
		hr = ipc_object_abort_stale(o);
	if (FAILED(hr)) {
		if (call.reply != NULL && call.reply->n_errors > 0)
			ipc_reply_errors(error, call.reply);
		else
			ws_error_add(error, "%s: %s", api,
			    hresult_text((uint32_t)hr));
		ws_error_set_code(error, hr);
	}
	if (call.reply != NULL)
		wschannel__reply__free_unpacked(call.reply, NULL);
	return hr;
}

HRESULT
ipc_object_abandon(struct ipc_object *o, uint32_t *state)
{
	struct ipc_call call;
	HRESULT hr;

	if (!ipc_reserved_run(o, &o->abandon, &call))
		return S_OK;
	hr = call.hr;
	if (hr == WS_E_ENDPOINT_DISCONNECTED && call.reply == NULL)
		hr = S_OK;	/* lost meanwhile: the channel went with it */
	if (state != NULL && call.has_state)
		*state = call.state;
	if (call.reply != NULL)
		wschannel__reply__free_unpacked(call.reply, NULL);
	return hr;
}

void
ipc_object_release(struct ipc_object *o)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;
	struct ipc_call call;

	if (!ipc_object_stale(o)) {
		(void)ipc_object_abort(o, NULL, "free");
		memset(&call, 0, sizeof(call));
		call.conn = o->conn;
		call.api = o->kind == IPC_CHANNEL ? "WsFreeChannel" :
		    "WsFreeListener";
		ref.id = o->id;
		if (o->kind == IPC_CHANNEL) {
			req.op_case = WSCHANNEL__REQUEST__OP_FREE_CHANNEL;
			req.free_channel = &ref;
		} else {
			req.op_case = WSCHANNEL__REQUEST__OP_FREE_LISTENER;
			req.free_listener = &ref;
		}
		(void)ipc_call_run(&call, &req);
	}
	ipc_object_unref(o);
}
