/* net.tcp's socket chores (tcp_sock.c), for tcp.c. */
#ifndef WSCHANNEL_TCP_SOCK_H
#define WSCHANNEL_TCP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/util.h>

struct channel;

/* "127.0.0.1:4242", "[::1]:4242", or "?" when the socket cannot say. */
const char	*tcp_sock_peer_name(evutil_socket_t, char *buf, size_t len);
/* NO_DELAY and SEND_KEEP_ALIVES of the channel, on its socket. */
void		 tcp_sock_options(struct channel *, evutil_socket_t);
/* The parts of a frame, at once when nothing is queued, else queued:
 * TRANSPORT_SENT when all of it left, S_OK when some waits, or
 * E_OUTOFMEMORY. */
int32_t		 tcp_sock_send(struct bufferevent *, const uint8_t *a,
		    size_t alen, const uint8_t *b, size_t blen,
		    const uint8_t *d, size_t dlen);
/* The HRESULT of a failed connect or a broken connection. */
int32_t		 tcp_sock_hr_from_errno(int);
/* Errors that mean "out of descriptors or kernel memory". */
int		 tcp_sock_shortage(int);
/* 0 (connected), EINPROGRESS, or the errno a connect failed with. */
int		 tcp_sock_connect_result(evutil_socket_t);
/* An IPv4 or IPv6 literal. */
int		 tcp_sock_host_is_literal(const char *);

#endif
