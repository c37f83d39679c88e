/*
 * The floors of the soap.udp and HTTP rows: the hops the daemon makes,
 * with bare sockets.  A writes MSG_SIZE bytes on a Unix socket to a
 * relay process; the relay carries them, padded to about an envelope's
 * size, over loopback UDP (or as an HTTP POST between an evhttp client
 * and an evhttp server of its own) and hands them on a Unix socket to B,
 * an echo process; B's answer goes back the same way.  One process and
 * one loop relays both ways, as the daemon does; B stands for the
 * replying application, A for the calling one.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "wsbench.h"

#define WIRE_SIZE	(MSG_SIZE * 3)	/* about the envelope of MSG_SIZE */

/* Reads what `fd` has; true once `acc` holds a whole MSG_SIZE message. */
static int
relay_take(int fd, char *acc, size_t *have)
{
	ssize_t n;

	n = read(fd, acc + *have, MSG_SIZE - *have);
	if (n <= 0)
		return -1;
	*have += (size_t)n;
	return *have == MSG_SIZE;
}

/* A bound loopback datagram socket; -1 on failure. */
static int
relay_udp_socket(struct sockaddr_in *a)
{
	socklen_t al = sizeof(*a);
	int fd;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)a, &al) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A -unix-> relay -udp-> relay -unix-> B and back. */
static void
relay_udp_main(int ua, int ub)
{
	struct sockaddr_in a1, a2;
	struct pollfd p[4];
	char acc[2][MSG_SIZE], wire[WIRE_SIZE];
	size_t have[2] = { 0, 0 };
	int u1, u2, i, r;

	if ((u1 = relay_udp_socket(&a1)) < 0 ||
	    (u2 = relay_udp_socket(&a2)) < 0 ||
	    connect(u1, (struct sockaddr *)&a2, sizeof(a2)) != 0 ||
	    connect(u2, (struct sockaddr *)&a1, sizeof(a1)) != 0)
		_exit(1);
	memset(wire, 'x', sizeof(wire));
	p[0].fd = ua;
	p[1].fd = u2;
	p[2].fd = ub;
	p[3].fd = u1;
	for (i = 0; i < 4; i++)
		p[i].events = POLLIN;
	for (;;) {
		if (poll(p, 4, -1) < 0)
			continue;
		if (p[0].revents) {		/* A's request: out as a datagram */
			if ((r = relay_take(ua, acc[0], &have[0])) < 0)
				_exit(0);
			if (r == 1) {
				memcpy(wire, acc[0], MSG_SIZE);
				(void)send(u1, wire, sizeof(wire), 0);
				have[0] = 0;
			}
		}
		if (p[1].revents) {		/* ... in, to B */
			if (recv(u2, wire, sizeof(wire), 0) < MSG_SIZE ||
			    full_io(ub, wire, MSG_SIZE, true) != 0)
				_exit(0);
		}
		if (p[2].revents) {		/* B's answer: out as a datagram */
			if ((r = relay_take(ub, acc[1], &have[1])) < 0)
				_exit(0);
			if (r == 1) {
				memcpy(wire, acc[1], MSG_SIZE);
				(void)send(u2, wire, sizeof(wire), 0);
				have[1] = 0;
			}
		}
		if (p[3].revents) {		/* ... in, to A */
			if (recv(u1, wire, sizeof(wire), 0) < MSG_SIZE ||
			    full_io(ua, wire, MSG_SIZE, true) != 0)
				_exit(0);
		}
	}
}

/* The HTTP relay's state: one request in flight at a time. */
struct relay_http {
	struct event_base	 *base;
	struct evhttp_connection *evcon;
	struct evhttp_request	 *pending;	/* the server's, awaiting B */
	int			  ua, ub;
	char			  acc[2][MSG_SIZE];
	size_t			  have[2];
};

static void
relay_http_body(struct evbuffer *b, const char *msg)
{
	char pad[WIRE_SIZE - MSG_SIZE];

	memset(pad, 'x', sizeof(pad));
	evbuffer_add(b, msg, MSG_SIZE);
	evbuffer_add(b, pad, sizeof(pad));
}

/* The client's answer: its first MSG_SIZE bytes to A. */
static void
relay_http_answer(struct evhttp_request *req, void *arg)
{
	struct relay_http *h = arg;
	char buf[MSG_SIZE];

	if (req == NULL || evbuffer_remove(evhttp_request_get_input_buffer(req),
	    buf, sizeof(buf)) != MSG_SIZE || full_io(h->ua, buf, sizeof(buf),
	    true) != 0)
		event_base_loopbreak(h->base);
}

/* The server's request: its first MSG_SIZE bytes to B. */
static void
relay_http_request(struct evhttp_request *req, void *arg)
{
	struct relay_http *h = arg;
	char buf[MSG_SIZE];

	if (evbuffer_remove(evhttp_request_get_input_buffer(req), buf,
	    sizeof(buf)) != MSG_SIZE || full_io(h->ub, buf, sizeof(buf),
	    true) != 0) {
		event_base_loopbreak(h->base);
		return;
	}
	h->pending = req;
}

static void
relay_http_from_a(evutil_socket_t fd, short what, void *arg)
{
	struct relay_http *h = arg;
	struct evhttp_request *req;
	int r;

	if ((r = relay_take(h->ua, h->acc[0], &h->have[0])) < 0) {
		event_base_loopbreak(h->base);
		return;
	}
	if (r == 0)
		return;
	h->have[0] = 0;
	if ((req = evhttp_request_new(relay_http_answer, h)) == NULL) {
		event_base_loopbreak(h->base);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    "127.0.0.1");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/soap+xml; charset=utf-8");
	relay_http_body(evhttp_request_get_output_buffer(req), h->acc[0]);
	if (evhttp_make_request(h->evcon, req, EVHTTP_REQ_POST, "/relay") != 0)
		event_base_loopbreak(h->base);
}

static void
relay_http_from_b(evutil_socket_t fd, short what, void *arg)
{
	struct relay_http *h = arg;
	struct evbuffer *b;
	int r;

	if ((r = relay_take(h->ub, h->acc[1], &h->have[1])) < 0 ||
	    (r == 1 && h->pending == NULL)) {
		event_base_loopbreak(h->base);
		return;
	}
	if (r == 0)
		return;
	h->have[1] = 0;
	if ((b = evbuffer_new()) == NULL) {
		event_base_loopbreak(h->base);
		return;
	}
	relay_http_body(b, h->acc[1]);
	evhttp_add_header(evhttp_request_get_output_headers(h->pending),
	    "Content-Type", "application/soap+xml; charset=utf-8");
	evhttp_send_reply(h->pending, 200, "OK", b);
	h->pending = NULL;
	evbuffer_free(b);
}

/* A -unix-> relay -http-> relay -unix-> B and back, on a kept-alive
 * connection between the relay's own evhttp client and server. */
static void
relay_http_main(int ua, int ub)
{
	struct relay_http h;
	struct evhttp *http;
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct event *ea, *eb;

	memset(&h, 0, sizeof(h));
	h.ua = ua;
	h.ub = ub;
	if ((h.base = event_base_new()) == NULL ||
	    (http = evhttp_new(h.base)) == NULL ||
	    (bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0)) ==
	    NULL || getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &sl) != 0)
		_exit(1);
	evhttp_set_gencb(http, relay_http_request, &h);
	if ((h.evcon = evhttp_connection_base_new(h.base, NULL, "127.0.0.1",
	    ntohs(sin.sin_port))) == NULL ||
	    (ea = event_new(h.base, ua, EV_READ | EV_PERSIST,
	    relay_http_from_a, &h)) == NULL ||
	    (eb = event_new(h.base, ub, EV_READ | EV_PERSIST,
	    relay_http_from_b, &h)) == NULL ||
	    event_add(ea, NULL) != 0 || event_add(eb, NULL) != 0)
		_exit(1);
	event_base_dispatch(h.base);
	_exit(0);
}

int
relay_floor_start(enum relay_kind kind, struct relay_floor *rf)
{
	int sa[2], sb[2];

	rf->afd = -1;
	rf->relay = rf->echo = -1;
	/* B first, so that it holds no end of A's socket: A's close must
	 * reach the relay. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sb) != 0)
		return -1;
	rf->echo = echo_process(sb[1], sb[0], MSG_SIZE);
	close(sb[1]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sa) != 0) {
		close(sb[0]);
		return -1;
	}
	if ((rf->relay = fork()) == 0) {
		close(sa[0]);
		if (kind == RELAY_UDP)
			relay_udp_main(sa[1], sb[0]);
		relay_http_main(sa[1], sb[0]);
	}
	close(sa[1]);
	close(sb[0]);
	rf->afd = sa[0];
	return rf->relay > 0 && rf->echo > 0 ? 0 : -1;
}

/* One MSG_SIZE round trip through the relay and B; 0 or -1. */
int
relay_floor_round(struct relay_floor *rf)
{
	char buf[MSG_SIZE];

	memset(buf, 'a', sizeof(buf));
	return full_io(rf->afd, buf, sizeof(buf), true) != 0 ||
	    full_io(rf->afd, buf, sizeof(buf), false) != 0 ? -1 : 0;
}

void
relay_floor_stop(struct relay_floor *rf)
{
	int st;

	if (rf->afd >= 0)
		close(rf->afd);	/* the relay ends, then B */
	if (rf->relay > 0)
		while (waitpid(rf->relay, &st, 0) == -1 && errno == EINTR)
			;
	if (rf->echo > 0)
		while (waitpid(rf->echo, &st, 0) == -1 && errno == EINTR)
			;
	rf->afd = -1;
	rf->relay = rf->echo = -1;
}
