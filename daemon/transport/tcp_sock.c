/*
 * net.tcp's socket chores, none of which knows a channel: addresses,
 * socket options, errno to HRESULT, deferred resets, and the I/O of one
 * connection on its own events (tcp_sock.h says why not a bufferevent).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/util.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "registry.h"
#include "transport.h"
#include "tcp_sock.h"

static const char *
tcp_sock_addr_unknown(char *buf, size_t len)
{
	if (len > 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Writes `v` in decimal at p; returns the end. */
static char *
tcp_sock_put_uint(char *p, unsigned v)
{
	char tmp[10];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/*
 * An address as "127.0.0.1:4242" or "[::1]:4242" (listings, logs).  Two
 * per channel pair opened: without printf, whose format parsing was a
 * twelfth of the daemon's instructions for a pair (and glibc's inet_ntop
 * prints an IPv4 address with it).
 */
const char *
tcp_sock_addr_name(const struct sockaddr *sa, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN + 16], *p = tmp;
	const uint8_t *a;
	unsigned port;
	size_t n;
	int i;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		a = (const uint8_t *)&sin->sin_addr;
		for (i = 0; i < 4; i++) {
			if (i > 0)
				*p++ = '.';
			p = tcp_sock_put_uint(p, a[i]);
		}
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		*p++ = '[';
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, p,
		    INET6_ADDRSTRLEN) == NULL)
			return tcp_sock_addr_unknown(buf, len);
		p += strlen(p);
		*p++ = ']';
		port = ntohs(sin6->sin6_port);
	} else
		return tcp_sock_addr_unknown(buf, len);
	*p++ = ':';
	p = tcp_sock_put_uint(p, port);
	if (len == 0)
		return buf;
	n = (size_t)(p - tmp) < len ? (size_t)(p - tmp) : len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return buf;
}

/*
 * An address literal (127.0.0.1, ::1) as a socket address, without
 * libevent's resolver, which parses IPv4 with sscanf: that was a sixth of
 * the daemon's instructions for opening a channel pair.  Scoped IPv6
 * literals (fe80::1%eth0) are left to the resolver.
 */
bool
tcp_sock_literal_addr(const char *host, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *salen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*salen = sizeof(*sin);
		return true;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*salen = sizeof(*sin6);
		return true;
	}
	return false;
}

/*
 * The listening socket has TCP_NODELAY (tcp.c), which Linux passes on to
 * what it accepts: an accepted socket costs a system call only when its
 * channel wants Nagle back.
 */
void
tcp_sock_options(struct channel *ch, evutil_socket_t fd, bool accepted)
{
	int on = 1, off = 0;

	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_NO_DELAY)) {
		if (!accepted)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
			    sizeof(on));
	} else if (accepted)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &off,
		    sizeof(off));
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_SEND_KEEP_ALIVES))
		(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
}


int32_t
tcp_sock_hr_from_errno(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return WS_E_ENDPOINT_NOT_FOUND;
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return WS_E_ENDPOINT_UNREACHABLE;
	case EADDRNOTAVAIL:
		return WS_E_ADDRESS_NOT_AVAILABLE;
	default:
		return WS_E_ENDPOINT_DISCONNECTED;
	}
}


/* Errors of socket(2) and accept(2) that mean "out of descriptors or
 * kernel memory": they pass when other sockets close. */
int
tcp_sock_shortage(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM;
}

int
tcp_sock_error(evutil_socket_t fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

/* An IPv4 or IPv6 literal (url.c keeps IPv6 without its brackets). */
int
tcp_sock_host_is_literal(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
}

/*
 * Does a connect to `to` reach the socket listening on `at`?  The same
 * port, and the same address, or a wildcard listener reached on a
 * loopback address (an IPv6 wildcard also takes IPv4, tcp.c listens
 * dual-stack).  Only a hint: a wrong answer costs one accept or read that
 * finds nothing.
 */
bool
tcp_sock_reaches(const struct sockaddr *at, const struct sockaddr *to)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)at;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)at;
	const struct sockaddr_in *t4 = (const struct sockaddr_in *)to;
	const struct sockaddr_in6 *t6 = (const struct sockaddr_in6 *)to;

	if (at->sa_family == AF_INET && to->sa_family == AF_INET)
		return a4->sin_port == t4->sin_port &&
		    (a4->sin_addr.s_addr == t4->sin_addr.s_addr ||
		    (a4->sin_addr.s_addr == htonl(INADDR_ANY) &&
		    (ntohl(t4->sin_addr.s_addr) >> 24) == 127));
	if (at->sa_family != AF_INET6)
		return false;
	if (to->sa_family == AF_INET)
		return a6->sin6_port == t4->sin_port &&
		    IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) &&
		    (ntohl(t4->sin_addr.s_addr) >> 24) == 127;
	if (to->sa_family != AF_INET6 || a6->sin6_port != t6->sin6_port)
		return false;
	return IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &t6->sin6_addr) ||
	    (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) &&
	    IN6_IS_ADDR_LOOPBACK(&t6->sin6_addr));
}

/* ---- resets after the replies ------------------------------------------- */

/*
 * Aborted connections waiting for their reset.  Resetting a loopback TCP
 * connection is the costliest thing an abort does (the RST is delivered
 * inside close()), and nobody waits for it: the replies of the abort and of
 * the operations it ended are.  So the sockets are reset once the loop pass
 * has written those replies out.  Each keeps its read event (made inert)
 * and the memory that holds it until then: closed first, the socket
 * leaves the epoll set by itself, so freeing the event afterwards needs
 * no epoll_ctl that succeeds (libevent takes its EBADF as done), and none
 * comes before the replies.
 */
struct tcp_doomed {
	evutil_socket_t	 fd;
	struct event	*rev;
	void		*owner;
};
static struct tcp_doomed *tcp_doomed;
static size_t		 tcp_ndoomed, tcp_doomed_cap;
static struct event	*tcp_doomed_ev;	/* the next pass, for the rest */

/* RST rather than FIN: SO_LINGER 0 discards what is queued. */
static void
tcp_sock_reset_now(struct tcp_doomed *d)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(d->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	(void)close(d->fd);
	if (d->rev != NULL)
		event_free(d->rev);
	free(d->owner);
}

/*
 * Resets per loop pass at most.  An abort of thousands of channels (wsctl
 * abort --all) resets them over several passes, so that the loop still
 * writes a reply larger than the socket takes at once (the abort's own,
 * to a client reading it meanwhile) and serves other clients in between.
 */
#define TCP_DOOMED_BATCH	1024

static void	 tcp_sock_doomed_cb(evutil_socket_t, short, void *);

/* REGISTRY_PASS_RESETS: after the pass's replies. */
static void
tcp_sock_doomed_run(void)
{
	static const struct timeval now = { 0, 0 };
	size_t i, n;

	n = tcp_ndoomed < TCP_DOOMED_BATCH ? tcp_ndoomed : TCP_DOOMED_BATCH;
	for (i = 0; i < n; i++)
		tcp_sock_reset_now(&tcp_doomed[i]);
	if (n < tcp_ndoomed)
		memmove(tcp_doomed, tcp_doomed + n, (tcp_ndoomed - n) *
		    sizeof(*tcp_doomed));
	tcp_ndoomed -= n;
	if (tcp_ndoomed == 0)
		return;
	/* The rest in the next pass, after what it wakes for. */
	if ((tcp_doomed_ev != NULL || (tcp_doomed_ev = event_new(
	    registry_base(), -1, 0, tcp_sock_doomed_cb, NULL)) != NULL) &&
	    event_add(tcp_doomed_ev, &now) == 0)
		return;
	tcp_sock_reset_all();
}

static void
tcp_sock_doomed_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (tcp_ndoomed > 0 &&
	    !registry_pass_end(REGISTRY_PASS_RESETS, tcp_sock_doomed_run))
		tcp_sock_reset_all();
}

void
tcp_sock_reset_all(void)
{
	size_t i;

	for (i = 0; i < tcp_ndoomed; i++)
		tcp_sock_reset_now(&tcp_doomed[i]);
	free(tcp_doomed);
	tcp_doomed = NULL;
	tcp_ndoomed = tcp_doomed_cap = 0;
	/* Nothing left behind for the daemon's exit to free. */
	if (tcp_doomed_ev != NULL)
		event_free(tcp_doomed_ev);
	tcp_doomed_ev = NULL;
}

/* Resets `fd`, then frees `rev` and `owner`, after this loop pass's
 * replies (or now when that cannot be arranged). */
static void
tcp_sock_reset_later(evutil_socket_t fd, struct event *rev, void *owner)
{
	struct tcp_doomed d = { fd, rev, owner }, *v;
	size_t cap;

	if (tcp_ndoomed == tcp_doomed_cap) {
		cap = tcp_doomed_cap == 0 ? 64 : tcp_doomed_cap * 2;
		if ((v = reallocarray(tcp_doomed, cap, sizeof(*v))) == NULL) {
			tcp_sock_reset_now(&d);
			return;
		}
		tcp_doomed = v;
		tcp_doomed_cap = cap;
	}
	if (tcp_ndoomed == 0 &&
	    !registry_pass_end(REGISTRY_PASS_RESETS, tcp_sock_doomed_run)) {
		tcp_sock_reset_now(&d);
		return;
	}
	tcp_doomed[tcp_ndoomed++] = d;
}

/* ---- one connection's I/O ----------------------------------------------- */

/*
 * The loop's read buffer.  Records are parsed where readv put them; after
 * the callback, what is left moves to the connection.  tcp_rio is the
 * connection whose read callback runs (cleared if it is released inside,
 * which is how the reader learns it is gone) and tcp_roff/tcp_rlen its
 * unread bytes here.
 */
#define TCP_RBUF_SIZE	65536
static uint8_t		 tcp_rbuf[TCP_RBUF_SIZE];
static struct tcp_io	*tcp_rio;
static size_t		 tcp_roff, tcp_rlen;

void
tcp_io_init(struct tcp_io *io, tcp_io_cb *cb, void *arg)
{
	memset(io, 0, sizeof(*io));
	io->fd = -1;
	io->cb = cb;
	io->arg = arg;
	io->inmax = TCP_RBUF_SIZE;
}

/* Input kept, here and (inside its read callback) in the loop's buffer. */
static size_t
tcp_io_kept(const struct tcp_io *io)
{
	return io->inlen + (tcp_rio == io ? tcp_rlen : 0);
}

/* Read readiness is watched while the owner reads, the socket can still
 * give something and less than inmax waits unread. */
static void
tcp_io_arm_read(struct tcp_io *io)
{
	bool want = io->want_read && !io->rdone && io->rev != NULL &&
	    tcp_io_kept(io) < io->inmax;

	if (want == io->reading)
		return;
	if (want) {
		if (event_add(io->rev, NULL) == 0)
			io->reading = 1;
	} else {
		(void)event_del(io->rev);
		io->reading = 0;
	}
}

static void	tcp_io_write_cb(evutil_socket_t, short, void *);

static int
tcp_io_arm_write(struct tcp_io *io, bool on)
{
	if (on == io->writing)
		return 0;
	if (!on) {
		(void)event_del(io->wev);
		io->writing = 0;
		return 0;
	}
	if (io->wev == NULL && (io->wev = event_new(registry_base(), io->fd,
	    EV_WRITE | EV_PERSIST, tcp_io_write_cb, io)) == NULL)
		return -1;
	if (event_add(io->wev, NULL) != 0)
		return -1;
	io->writing = 1;
	return 0;
}

/* Room for `need` more bytes of kept input (and for the whole of a
 * partial record whose size is known, so it is read in place). */
static int
tcp_io_reserve(struct tcp_io *io, size_t need)
{
	size_t want = io->inlen + need, cap;
	uint8_t *p;

	if (io->inoff > 0) {
		memmove(io->in, io->in + io->inoff, io->inlen);
		io->inoff = 0;
	}
	if (want < io->expect)
		want = io->expect < io->inmax ? io->expect : io->inmax;
	if (want <= io->incap)
		return 0;
	cap = (size_t)io->incap * 2;
	if (cap > io->inmax)
		cap = io->inmax;
	if (cap < want)
		cap = want;
	if ((p = realloc(io->in, cap)) == NULL)
		return -1;
	io->in = p;
	io->incap = (uint32_t)cap;
	return 0;
}

static int
tcp_io_append(struct tcp_io *io, const uint8_t *p, size_t n)
{
	if (tcp_io_reserve(io, n) != 0)
		return -1;
	memcpy(io->in + io->inlen, p, n);
	io->inlen += (uint32_t)n;
	return 0;
}

/* An end of reading: EOF, or the error `err`. */
static void
tcp_io_read_end(struct tcp_io *io, int err)
{
	io->rdone = 1;
	tcp_io_arm_read(io);
	io->cb(io->arg, err == 0 ? TCP_IO_EOF : TCP_IO_ERROR, err);
}

/*
 * One readv per wake-up: first into the free end of the kept input (the
 * rest of a partial record lands in place), then into the loop's buffer,
 * never past inmax in all (the watermark).  A socket with more to give
 * wakes the loop again.
 */
static void
tcp_io_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_io *io = arg;
	struct iovec iov[2];
	size_t room, n0;
	ssize_t n;

	if (tcp_rio != NULL || io->rdone)
		return;
	if (io->inlen >= io->inmax) {
		tcp_io_arm_read(io);
		return;
	}
	room = io->inmax - io->inlen;
	n0 = 0;
	if (io->inlen > 0) {
		if (tcp_io_reserve(io, 0) != 0) {
			tcp_io_read_end(io, ENOMEM);
			return;
		}
		n0 = io->incap - io->inlen;
		if (n0 > room)
			n0 = room;
	}
	iov[0].iov_base = io->in != NULL ? io->in + io->inlen : NULL;
	iov[0].iov_len = n0;
	iov[1].iov_base = tcp_rbuf;
	iov[1].iov_len = room - n0 < TCP_RBUF_SIZE ? room - n0 : TCP_RBUF_SIZE;
	do
		n = readv(fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			tcp_io_read_end(io, errno);
		return;
	}
	if (n == 0) {
		tcp_io_read_end(io, 0);
		return;
	}
	tcp_roff = tcp_rlen = 0;
	if ((size_t)n <= n0)
		io->inlen += (uint32_t)n;
	else if (io->inlen > 0 || n0 > 0) {
		io->inlen += (uint32_t)n0;
		if (tcp_io_append(io, tcp_rbuf, (size_t)n - n0) != 0) {
			tcp_io_read_end(io, ENOMEM);
			return;
		}
	} else
		tcp_rlen = (size_t)n;
	tcp_rio = io;
	io->cb(io->arg, TCP_IO_READ, 0);
	if (tcp_rio != io)
		return;		/* released inside */
	tcp_rio = NULL;
	if (tcp_rlen > 0 && tcp_io_append(io, tcp_rbuf + tcp_roff,
	    tcp_rlen) != 0) {
		tcp_rlen = 0;
		tcp_io_read_end(io, ENOMEM);
		return;
	}
	tcp_rlen = 0;
	tcp_io_arm_read(io);
}

static void
tcp_io_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_io *io = arg;
	int n;

	if (io->wait_conn) {
		io->wait_conn = 0;
		(void)tcp_io_arm_write(io, false);
		io->cb(io->arg, TCP_IO_WRITABLE, 0);
		return;
	}
	if (tcp_io_queued(io) > 0) {
		n = evbuffer_write(io->out, fd);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			(void)tcp_io_arm_write(io, false);
			io->cb(io->arg, TCP_IO_ERROR, errno);
			return;
		}
		if (tcp_io_queued(io) > 0)
			return;
	}
	(void)tcp_io_arm_write(io, false);
	io->cb(io->arg, TCP_IO_DRAINED, 0);
}

int
tcp_io_setfd(struct tcp_io *io, evutil_socket_t fd)
{
	if ((io->rev = event_new(registry_base(), fd, EV_READ | EV_PERSIST,
	    tcp_io_read_cb, io)) == NULL)
		return -1;
	io->fd = fd;
	tcp_io_arm_read(io);
	return 0;
}

void
tcp_io_release(struct tcp_io *io, bool reset, void *owner)
{
	struct event *rev = io->rev;
	evutil_socket_t fd = io->fd;

	if (tcp_rio == io) {
		tcp_rio = NULL;
		tcp_rlen = 0;
	}
	if (io->wev != NULL)
		event_free(io->wev);
	if (io->out != NULL)
		evbuffer_free(io->out);
	free(io->in);
	io->wev = NULL;
	io->out = NULL;
	io->in = NULL;
	io->inlen = io->inoff = io->incap = 0;
	/* Inert until freed: a wake-up already due this pass reads nothing. */
	io->rdone = 1;
	if (fd != -1 && reset) {
		tcp_sock_reset_later(fd, rev, owner);
		return;
	}
	if (rev != NULL)
		event_free(rev);
	if (fd != -1)
		(void)close(fd);
	free(owner);
}

void
tcp_io_read(struct tcp_io *io, bool on)
{
	io->want_read = on;
	tcp_io_arm_read(io);
}

void
tcp_io_set_max(struct tcp_io *io, size_t max)
{
	io->inmax = max > 0x7fffffff ? 0x7fffffff : (uint32_t)max;
	tcp_io_arm_read(io);
}

void
tcp_io_read_soon(struct tcp_io *io)
{
	if (io->reading)
		registry_activate(io->rev, EV_READ);
}

void
tcp_io_read_now(struct tcp_io *io)
{
	if (io->rev != NULL && io->want_read)
		tcp_io_read_cb(io->fd, EV_READ, io);
}

const uint8_t *
tcp_io_data(struct tcp_io *io, size_t *len)
{
	if (tcp_rio == io && tcp_rlen > 0) {
		*len = tcp_rlen;
		return tcp_rbuf + tcp_roff;
	}
	*len = io->inlen;
	return io->in != NULL ? io->in + io->inoff : NULL;
}

void
tcp_io_drain(struct tcp_io *io, size_t n)
{
	io->expect = 0;
	if (tcp_rio == io && tcp_rlen > 0) {
		tcp_roff += n;
		tcp_rlen -= n;
		return;
	}
	io->inoff += (uint32_t)n;
	io->inlen -= (uint32_t)n;
	if (io->inlen == 0) {
		/* Kept input is held only while there is some. */
		free(io->in);
		io->in = NULL;
		io->inoff = io->incap = 0;
	}
	tcp_io_arm_read(io);
}

void
tcp_io_expect(struct tcp_io *io, size_t total)
{
	io->expect = total > io->inmax ? io->inmax : (uint32_t)total;
}

size_t
tcp_io_queued(const struct tcp_io *io)
{
	return io->out != NULL ? evbuffer_get_length(io->out) : 0;
}

int
tcp_io_queue(struct tcp_io *io, const void *p, size_t n)
{
	if (io->out == NULL && (io->out = evbuffer_new()) == NULL)
		return -1;
	if (evbuffer_add(io->out, p, n) != 0)
		return -1;
	return tcp_io_arm_write(io, true);
}

/*
 * Writes a frame's parts at once when nothing is queued before them, so
 * that a send costs one system call and no write-readiness round; what
 * the socket does not take (or everything, behind queued output) waits in
 * `out`, watched for write readiness until it is out.
 */
int32_t
tcp_io_send(struct tcp_io *io, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, const uint8_t *d, size_t dlen)
{
	struct iovec iov[3] = { { (void *)a, alen }, { (void *)b, blen },
	    { (void *)d, dlen } };
	struct msghdr mh;
	ssize_t w = 0;
	size_t skip;
	int i;

	if (tcp_io_queued(io) == 0 && io->fd != -1) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 3;
		do
			w = sendmsg(io->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			w = 0;
		if ((size_t)w == alen + blen + dlen)
			return TRANSPORT_SENT;
	}
	skip = (size_t)w;
	if (io->out == NULL && (io->out = evbuffer_new()) == NULL)
		return E_OUTOFMEMORY;
	for (i = 0; i < 3; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		if (evbuffer_add(io->out, (uint8_t *)iov[i].iov_base + skip,
		    iov[i].iov_len - skip) != 0)
			return E_OUTOFMEMORY;
		skip = 0;
	}
	if (tcp_io_arm_write(io, true) != 0)
		return E_OUTOFMEMORY;
	return S_OK;
}

int
tcp_io_wait_writable(struct tcp_io *io)
{
	io->wait_conn = 1;
	return tcp_io_arm_write(io, true);
}

ssize_t
tcp_io_write_raw(struct tcp_io *io, const void *p, size_t n)
{
	ssize_t w;

	do
		w = send(io->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w < 0 ? -errno : w;
}
