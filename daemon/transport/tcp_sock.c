/*
 * net.tcp's socket chores, none of which knows a connection: peer names,
 * socket options, errno to HRESULT, a connect that finished at once, and
 * writing a frame straight to the socket when nothing is queued before it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include <wschannel/webservices.h>

#include "channel.h"
#include "transport.h"
#include "tcp_sock.h"

/*
 * The peer's address, "127.0.0.1:4242" or "[::1]:4242", read from the
 * socket when wanted rather than kept in every connection (memory per idle
 * channel): the channel keeps its own copy for listings.  "?" when the
 * socket no longer knows it.
 */
const char *
tcp_sock_peer_name(evutil_socket_t fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	snprintf(buf, len, "?");
	if (fd == -1 || getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return buf;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%d", host, ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%d", host, ntohs(sin6->sin6_port));
	}
	return buf;
}


void
tcp_sock_options(struct channel *ch, evutil_socket_t fd)
{
	int on = 1;

	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_NO_DELAY))
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (channel_prop_value(ch, WS_CHANNEL_PROPERTY_SEND_KEEP_ALIVES))
		(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
}


/*
 * Writes a frame's parts at once when nothing is queued before them, so
 * that a send costs one system call and no write-readiness round; what
 * the socket does not take (or everything, behind queued output) waits
 * in the bufferevent, which then watches write readiness until it is out.
 * TRANSPORT_SENT when all of it left, S_OK when some is queued,
 * E_OUTOFMEMORY.  A socket error is left for the bufferevent
 * to meet on its next write.
 */
int32_t
tcp_sock_send(struct bufferevent *bev, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, const uint8_t *d, size_t dlen)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	struct iovec iov[3] = { { (void *)a, alen }, { (void *)b, blen },
	    { (void *)d, dlen } };
	struct msghdr mh;
	ssize_t w = 0;
	size_t skip;
	int i;

	if (evbuffer_get_length(out) == 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 3;
		do
			w = sendmsg(bufferevent_getfd(bev), &mh,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			w = 0;
		if ((size_t)w == alen + blen + dlen)
			return TRANSPORT_SENT;
	}
	skip = (size_t)w;
	for (i = 0; i < 3; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		if (bufferevent_write(bev, (uint8_t *)iov[i].iov_base +
		    skip, iov[i].iov_len - skip) != 0)
			return E_OUTOFMEMORY;
		skip = 0;
	}
	if (bufferevent_enable(bev, EV_WRITE) != 0)
		return E_OUTOFMEMORY;
	return S_OK;
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

/* Where a connect(2) in progress stands: 0 connected, EINPROGRESS still
 * going, or the errno it failed with (then consumed from the socket). */
int
tcp_sock_connect_result(evutil_socket_t fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&pfd, 1, 0) != 1 || pfd.revents == 0)
		return EINPROGRESS;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	if (err == 0 && !(pfd.revents & POLLOUT))
		return EINPROGRESS;
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
