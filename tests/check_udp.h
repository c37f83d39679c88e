/* What check_udp.c shares with its vector table. */
#ifndef WSCHANNEL_CHECK_UDP_H
#define WSCHANNEL_CHECK_UDP_H

#include <stddef.h>

struct udp_vector {
	const char	*id;		/* "A1", as in the capture */
	size_t		 size;
	const char	*sha256;	/* hex, of the payload */
	const char	*payload;	/* `size` bytes */
};

/* Ends with an entry whose id is NULL. */
extern const struct udp_vector udp_vectors[];

/*
 * check_udp.c's helpers, shared with check_udp_mcast.c (multicast in a
 * namespace of the test's own, gSOAP interop, the WS-Discovery example).
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <check.h>
#include <wschannel/webservices.h>

int		 raw_udp(int, uint16_t *);
void		 raw_send_to(int, const char *, uint16_t, const void *, size_t);
ssize_t		 raw_recv(int, char *, size_t, uint16_t *, int);
WS_CHANNEL	*udp_channel(const WS_CHANNEL_PROPERTY *, ULONG);
WS_LISTENER	*udp_listener_props(const char *, uint16_t *,
		    const WS_LISTENER_PROPERTY *, ULONG);
WS_LISTENER	*udp_listener(const char *, uint16_t *);
HRESULT		 open_to(WS_CHANNEL *, const char *, uint16_t);
WS_CHANNEL	*accept_one(WS_LISTENER *);
int32_t		 receive_int(WS_CHANNEL *);
void		 send_int(WS_CHANNEL *, int32_t);
const struct udp_vector *vector(const char *);
long		 wsctl_number(const char *, const char *, const char *, int);
uint64_t	 stats_dropped(void);
char		*receive_ping(WS_CHANNEL *, WS_MESSAGE **, WS_HEAP *);
void		 header_str(WS_MESSAGE *, WS_HEAP *, WS_HEADER_TYPE, char *,
		    size_t);
void		 remote_address(WS_CHANNEL *, char *, size_t);
void		 setup(void);
void		 teardown(void);

extern WS_MESSAGE_DESCRIPTION ping_desc;

/* check_udp_mcast.c: adds its test cases to the udp suite. */
void		 udp_mcast_tcases(Suite *);

#endif
