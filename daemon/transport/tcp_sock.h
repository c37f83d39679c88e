/* net.tcp's socket chores and the I/O of one connection (tcp_sock.c), for
 * tcp.c. */
#ifndef WSCHANNEL_TCP_SOCK_H
#define WSCHANNEL_TCP_SOCK_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/util.h>

struct channel;
struct event;
struct evbuffer;

/* "127.0.0.1:4242", "[::1]:4242", or "?" for another family. */
const char	*tcp_sock_addr_name(const struct sockaddr *, char *buf,
		    size_t len);
/* An address literal as a socket address (false: a name to resolve). */
bool		 tcp_sock_literal_addr(const char *host, uint16_t port,
		    struct sockaddr_storage *, socklen_t *);
/* NO_DELAY and SEND_KEEP_ALIVES of the channel, on its socket; an
 * accepted socket already has TCP_NODELAY from its listening socket. */
void		 tcp_sock_options(struct channel *, evutil_socket_t,
		    bool accepted);
/* The HRESULT of a failed connect or a broken connection. */
int32_t		 tcp_sock_hr_from_errno(int);
/* Errors that mean "out of descriptors or kernel memory". */
int		 tcp_sock_shortage(int);
/* The error a connect ended with (SO_ERROR), 0 when it succeeded. */
int		 tcp_sock_error(evutil_socket_t);
/* An IPv4 or IPv6 literal. */
int		 tcp_sock_host_is_literal(const char *);
/* The resets still waiting for a later loop pass, now (the exit). */
void		 tcp_sock_reset_all(void);
/* A connect to `to` would reach the listening address `at` (a hint). */
bool		 tcp_sock_reaches(const struct sockaddr *at,
		    const struct sockaddr *to);
/*
 * One connection's I/O on its own events, without a bufferevent (whose
 * reads each cost a FIONREAD ioctl besides the read, and whose state and
 * two buffers weigh on every idle channel): one readv per readable
 * wake-up, into a 64 KiB buffer the loop shares, so that records are
 * parsed where they landed; only what no one took (a partial record, or
 * records waiting for a receive) is copied to the connection's own input,
 * allocated while it holds something.  Writes go to the socket at once;
 * what it does not take waits in `out`, and write readiness is watched
 * only then.
 */
enum tcp_io_what {
	TCP_IO_READ,		/* input arrived (tcp_io_data) */
	TCP_IO_EOF,		/* the peer closed its side; reading stops */
	TCP_IO_ERROR,		/* the socket failed with `err` */
	TCP_IO_DRAINED,		/* queued output has all left */
	TCP_IO_WRITABLE,	/* tcp_io_wait_writable: the socket is */
};
struct tcp_io;
typedef void	 tcp_io_cb(void *arg, enum tcp_io_what, int err);

struct tcp_io {
	evutil_socket_t	 fd;
	struct event	*rev;		/* read readiness */
	struct event	*wev;		/* write readiness, made when needed */
	struct evbuffer	*out;		/* output the socket did not take */
	uint8_t		*in;		/* kept input: in[inoff..+inlen] */
	uint32_t	 inoff, inlen, incap;
	uint32_t	 inmax;		/* read nothing more past this */
	uint32_t	 expect;	/* the whole size of a partial record */
	tcp_io_cb	*cb;
	void		*arg;
	bool		 want_read:1;	/* the owner reads */
	bool		 rdone:1;	/* EOF or a read error */
	bool		 reading:1;	/* rev is armed */
	bool		 writing:1;	/* wev is armed */
	bool		 wait_conn:1;	/* wev is for a connect */
};

void		 tcp_io_init(struct tcp_io *, tcp_io_cb *, void *arg);
/* Takes `fd`: 0, or -1 (out of memory; `fd` is not taken). */
int		 tcp_io_setfd(struct tcp_io *, evutil_socket_t);
/* Frees everything and then `owner` (the memory that holds `io`); closes
 * the socket, with a reset if `reset`: then only after this loop pass's
 * replies are out.  No callback comes after. */
void		 tcp_io_release(struct tcp_io *, bool reset, void *owner);
/* Reading on or off; at most `max` bytes are kept unread (backpressure). */
void		 tcp_io_read(struct tcp_io *, bool);
void		 tcp_io_set_max(struct tcp_io *, size_t max);
/* Reads later in this loop pass, as a readable wake-up would: a peer of
 * ours has just written to it. */
void		 tcp_io_read_soon(struct tcp_io *);
/* Reads once now, as a readable wake-up would (a peer that wrote before
 * we looked); no-op inside another connection's read. */
void		 tcp_io_read_now(struct tcp_io *);
/* The unread input, and consuming it. */
const uint8_t	*tcp_io_data(struct tcp_io *, size_t *len);
void		 tcp_io_drain(struct tcp_io *, size_t);
/* The record at the start of the input is `total` bytes long. */
void		 tcp_io_expect(struct tcp_io *, size_t total);
/* The parts of a frame, at once when nothing is queued, else queued:
 * TRANSPORT_SENT when all of it left, S_OK when some waits (then
 * TCP_IO_DRAINED comes when it is out), or E_OUTOFMEMORY.  A socket error
 * is met by the next write. */
int32_t		 tcp_io_send(struct tcp_io *, const uint8_t *a, size_t alen,
		    const uint8_t *b, size_t blen, const uint8_t *d,
		    size_t dlen);
/* Queues bytes behind the rest (TCP_IO_DRAINED follows); 0 or -1. */
int		 tcp_io_queue(struct tcp_io *, const void *, size_t);
size_t		 tcp_io_queued(const struct tcp_io *);
/* One TCP_IO_WRITABLE when the socket can be written (a connect). */
int		 tcp_io_wait_writable(struct tcp_io *);
/* Writes `len` bytes straight to the socket: the count, or -errno. */
ssize_t		 tcp_io_write_raw(struct tcp_io *, const void *, size_t);

#endif
