/*
 * soap.udp multicast inside a network namespace of the test's own (IPv4
 * on 239.255.255.250, IPv6 on ff02::c), the WS-Discovery example, and
 * interop with a gSOAP peer built by soapcpp2, unicast and multicast.
 * Split from check_udp.c, whose helpers it shares (check_udp.h).
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/route.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "check_udp.h"
#include "harness.h"

/* ---- multicast, in a network namespace of the test's own -------------------- */

/*
 * A new network namespace (and user namespace when not root) with lo up,
 * multicast on, and 224.0.0.0/4 routed to it, as `unshare -rn` and two
 * `ip` commands would.  false when namespaces are not available here.
 */
static bool
netns_multicast(void)
{
	struct rtentry rt;
	struct ifreq ifr;
	struct sockaddr_in *sin;
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int s, fd;

	if (unshare(uid == 0 ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET)
	    != 0)
		return false;
	if (uid != 0) {
		if ((fd = open("/proc/self/setgroups", O_WRONLY)) >= 0) {
			(void)!write(fd, "deny", 4);
			close(fd);
		}
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if ((fd = open("/proc/self/uid_map", O_WRONLY)) < 0 ||
		    write(fd, map, strlen(map)) < 0)
			return false;
		close(fd);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if ((fd = open("/proc/self/gid_map", O_WRONLY)) < 0 ||
		    write(fd, map, strlen(map)) < 0)
			return false;
		close(fd);
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP | IFF_MULTICAST;
	ck_assert_int_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	memset(&rt, 0, sizeof(rt));
	sin = (struct sockaddr_in *)&rt.rt_dst;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xe0000000);
	sin = (struct sockaddr_in *)&rt.rt_genmask;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xf0000000);
	rt.rt_flags = RTF_UP;
	rt.rt_dev = "lo";
	ck_assert_int_eq(ioctl(s, SIOCADDRT, &rt), 0);
	close(s);
	return true;
}

/*
 * IPv6 multicast in the namespace netns_multicast made.  lo cannot carry
 * it: the kernel's neighbour layer has no multicast mapping for a
 * loopback device, so every datagram to ff02::c via lo is dropped as "no
 * route" (Ip6OutNoRoutes), whatever route is added.  So a veth pair
 * instead, both ends up, and a link-local address without DAD on veth0
 * (the source of what we send); the kernel loops our own multicast back
 * to veth0's members, as `ip link add veth0 type veth peer name veth1`
 * and `ip addr add fe80::1/64 dev veth0 nodad` would.
 */
#define MC6_IF	"veth0"

/* Appends attribute `type` with `len` bytes of `data` at the end of `nh`;
 * the start of its payload. */
static struct rtattr *
nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data,
    size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh +
	    NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len > 0)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

/* Closes a nest opened by nl_attr(..., NULL, 0). */
static void
nl_nest_end(struct nlmsghdr *nh, struct rtattr *rta)
{
	rta->rta_len = (unsigned short)((char *)nh + nh->nlmsg_len -
	    (char *)rta);
}

/* Sends one request and reads its ack; 0 or -1 with errno. */
static int
nl_talk(int fd, struct nlmsghdr *nh)
{
	char buf[1024];
	struct nlmsgerr *err;
	ssize_t n;

	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, nh, nh->nlmsg_len, 0) < 0)
		return -1;
	if ((n = recv(fd, buf, sizeof(buf), 0)) < (ssize_t)NLMSG_LENGTH(
	    sizeof(*err)))
		return -1;
	err = NLMSG_DATA((struct nlmsghdr *)buf);
	if (((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR &&
	    err->error != 0) {
		errno = -err->error;
		return -1;
	}
	return 0;
}

static int
netns_up(int s, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_MULTICAST;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* The veth pair and veth0's address; false, errno set, where the kernel
 * has no veth or no IPv6. */
static bool
netns_multicast6(void)
{
	union {
		struct nlmsghdr	nh;
		char		buf[512];
	} m;
	struct ifinfomsg *ifi, peer;
	struct ifaddrmsg *ifa;
	struct rtattr *info, *data, *pa;
	struct in6_addr ll;
	int fd, s, e = 0;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0)
		return false;
	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_type = RTM_NEWLINK;
	m.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	ifi = NLMSG_DATA(&m.nh);
	ifi->ifi_family = AF_UNSPEC;
	nl_attr(&m.nh, IFLA_IFNAME, MC6_IF, sizeof(MC6_IF));
	info = nl_attr(&m.nh, IFLA_LINKINFO, NULL, 0);
	nl_attr(&m.nh, IFLA_INFO_KIND, "veth", 4);
	data = nl_attr(&m.nh, IFLA_INFO_DATA, NULL, 0);
	memset(&peer, 0, sizeof(peer));
	pa = nl_attr(&m.nh, VETH_INFO_PEER, &peer, sizeof(peer));
	nl_attr(&m.nh, IFLA_IFNAME, "veth1", sizeof("veth1"));
	nl_nest_end(&m.nh, pa);
	nl_nest_end(&m.nh, data);
	nl_nest_end(&m.nh, info);
	if (nl_talk(fd, &m.nh) != 0)
		goto fail;
	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (netns_up(s, MC6_IF) != 0 || netns_up(s, "veth1") != 0) {
		e = errno;
		close(s);
		errno = e;
		goto fail;
	}
	close(s);

	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_type = RTM_NEWADDR;
	m.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	ifa = NLMSG_DATA(&m.nh);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_LINK;
	ifa->ifa_index = if_nametoindex(MC6_IF);
	inet_pton(AF_INET6, "fe80::1", &ll);
	nl_attr(&m.nh, IFA_LOCAL, &ll, sizeof(ll));
	nl_attr(&m.nh, IFA_ADDRESS, &ll, sizeof(ll));
	if (nl_talk(fd, &m.nh) != 0)
		goto fail;
	close(fd);
	return true;
fail:
	e = errno;
	close(fd);
	errno = e;
	return false;
}

#define GROUP4	"239.255.255.250"
#define GROUP6	"ff02::c"

/* Starts the daemon inside a fresh namespace; false (test skipped, with
 * the reason on stderr) where namespaces are unavailable. */
static bool
mc_setup(const char *test)
{
	if (!netns_multicast()) {
		fprintf(stderr, "%s: skipped: cannot create a network namespace "
		    "here (%s)\n", test, strerror(errno));
		return false;
	}
	ck_assert_int_eq(harness_daemon_start(), 0);
	return true;
}

/* mc_setup for an IPv6 group: the namespace, then lo's ff00::/8 route. */
static bool
mc6_setup(const char *test)
{
	if (!netns_multicast()) {
		fprintf(stderr, "%s: skipped: cannot create a network namespace "
		    "here (%s)\n", test, strerror(errno));
		return false;
	}
	if (!netns_multicast6()) {
		fprintf(stderr, "%s: skipped: no veth pair with IPv6 in the "
		    "namespace (%s)\n", test, strerror(errno));
		return false;
	}
	ck_assert_int_eq(harness_daemon_start(), 0);
	return true;
}

static WS_LISTENER *
mc_listener_group(const char *group, uint16_t *port, bool join,
    bool fixed_port)
{
	BOOL yes = TRUE;
	ULONG ifs[1] = { if_nametoindex(strchr(group, ':') != NULL ? MC6_IF :
	    "lo") };
	WS_LISTENER_PROPERTY lp[2] = {
		{ WS_LISTENER_PROPERTY_IS_MULTICAST, &yes, sizeof(yes) },
		{ WS_LISTENER_PROPERTY_MULTICAST_INTERFACES, ifs, sizeof(ifs) },
	};
	WS_LISTENER *l = NULL;
	WS_STRING url;
	char buf[96];

	if (!fixed_port)
		return udp_listener_props(group, port, lp, join ? 2 : 1);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    lp, join ? 2 : 1, NULL, &l, NULL), S_OK);
	snprintf(buf, sizeof(buf), strchr(group, ':') != NULL ?
	    "soap.udp://[%s]:%u/x" : "soap.udp://%s:%u/x", group, *port);
	url = harness_ws_string(buf);
	HR_EQ(WsOpenListener(l, &url, NULL, NULL), S_OK);
	free(url.chars);
	return l;
}

static WS_LISTENER *
mc_listener(uint16_t *port, bool join, bool fixed_port)
{
	return mc_listener_group(GROUP4, port, join, fixed_port);
}

/* A client channel whose multicast leaves through veth0: a link-local
 * IPv6 group (ff02::) names no interface by itself. */
static WS_CHANNEL *
mc6_channel(void)
{
	ULONG ifx = if_nametoindex(MC6_IF);
	WS_CHANNEL_PROPERTY cp = { WS_CHANNEL_PROPERTY_MULTICAST_INTERFACE,
	    &ifx, sizeof(ifx) };

	return udp_channel(&cp, 1);
}

/* A client sends to the group; the joined listener accepts it and answers
 * unicast from its port; wsctl shows the group. */
START_TEST(multicast_round_trip)
{
	WS_LISTENER *l;
	WS_CHANNEL *c, *s;
	char *out = NULL;
	uint16_t port;
	int status;

	if (!mc_setup("multicast_round_trip"))
		return;
	c = udp_channel(NULL, 0);
	l = mc_listener(&port, true, false);
	HR_EQ(open_to(c, GROUP4, port), S_OK);
	send_int(c, 11);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 11);
	send_int(s, 12);
	ck_assert_int_eq(receive_int(c), 12);
	ck_assert_int_eq(harness_wsctl(&out, &status, "list", NULL), 0);
	ck_assert_msg(strstr(out, " " GROUP4 " ") != NULL, "%s", out);
	free(out);
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

/* The same on [ff02::c], WS-Discovery's IPv6 group: the listener joins on
 * veth0, the client sends through veth0; the answer comes back unicast from
 * the listener's port, and two responders on the port both answer.
 * The group is joined on veth0, not lo: see netns_multicast6. */
START_TEST(multicast6_round_trip)
{
	WS_LISTENER *l1, *l2;
	WS_CHANNEL *c, *s1, *s2;
	char *out = NULL, ra[128];
	uint16_t port;
	int status, a, b;

	if (!mc6_setup("multicast6_round_trip"))
		return;
	c = mc6_channel();
	l1 = mc_listener_group(GROUP6, &port, true, false);
	l2 = mc_listener_group(GROUP6, &port, true, true);
	HR_EQ(open_to(c, GROUP6, port), S_OK);
	send_int(c, 41);
	s1 = accept_one(l1);
	s2 = accept_one(l2);
	ck_assert_int_eq(receive_int(s1), 41);
	ck_assert_int_eq(receive_int(s2), 41);
	/* The source is an IPv6 address of this host, never the group. */
	remote_address(s1, ra, sizeof(ra));
	ck_assert_msg(strncmp(ra, "soap.udp://[", 12) == 0 &&
	    strstr(ra, GROUP6) == NULL, "%s", ra);
	send_int(s1, 51);
	send_int(s2, 52);
	a = receive_int(c);
	b = receive_int(c);
	ck_assert_int_eq(a + b, 103);
	ck_assert_int_eq(harness_wsctl(&out, &status, "list", NULL), 0);
	ck_assert_msg(strstr(out, GROUP6) != NULL, "%s", out);
	free(out);
	WsFreeChannel(s1);
	WsFreeChannel(s2);
	WsFreeChannel(c);
	WsFreeListener(l1);
	WsFreeListener(l2);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

/* A soap.udp URL without a port means 3702 (bindings.md), for a listener
 * and a channel alike; in a namespace, where 3702 is surely free. */
START_TEST(default_port_3702)
{
	WS_LISTENER *l = NULL;
	WS_CHANNEL *c, *s;
	WS_STRING url;
	char ra[128];

	if (!mc_setup("default_port_3702"))
		return;
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l, NULL), S_OK);
	url = harness_ws_string("soap.udp://127.0.0.1/x");
	HR_EQ(WsOpenListener(l, &url, NULL, NULL), S_OK);
	free(url.chars);
	c = udp_channel(NULL, 0);
	HR_EQ(harness_open_url(c, "soap.udp://127.0.0.1/x", NULL, NULL), S_OK);
	send_int(c, 3702);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 3702);
	send_int(s, 2073);
	ck_assert_int_eq(receive_int(c), 2073);
	remote_address(c, ra, sizeof(ra));
	ck_assert_str_eq(ra, "soap.udp://127.0.0.1/x");
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

static volatile HRESULT quiet_hr;
static volatile int quiet_done;

static void
quiet_accepted(HRESULT hr, WS_CALLBACK_MODEL model, void *state)
{
	(void)model;
	(void)state;
	quiet_hr = hr;
	__atomic_store_n(&quiet_done, 1, __ATOMIC_SEQ_CST);
}

/* MULTICAST_LOOPBACK FALSE drops what this host sent to the group: a
 * listener with it, joined like one with the default (TRUE) on the same
 * port, never accepts the datagram the other one gets; its waiting
 * accept ends only by our abort.  (A drop asked for is not counted.) */
START_TEST(multicast_loopback_false)
{
	BOOL yes = TRUE, no = FALSE, got = TRUE;
	ULONG ifs[1];
	WS_LISTENER_PROPERTY lp[3] = {
		{ WS_LISTENER_PROPERTY_IS_MULTICAST, &yes, sizeof(yes) },
		{ WS_LISTENER_PROPERTY_MULTICAST_INTERFACES, ifs, sizeof(ifs) },
		{ WS_LISTENER_PROPERTY_MULTICAST_LOOPBACK, &no, sizeof(no) },
	};
	WS_ASYNC_CONTEXT ctx = { quiet_accepted, NULL };
	WS_LISTENER *quiet = NULL, *l;
	WS_CHANNEL *c, *s, *qs = NULL;
	WS_STRING url;
	char buf[96], *out = NULL;
	uint16_t port;
	int i, status;

	if (!mc_setup("multicast_loopback_false"))
		return;
	ifs[0] = if_nametoindex("lo");
	l = mc_listener(&port, true, false);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    lp, 3, NULL, &quiet, NULL), S_OK);
	snprintf(buf, sizeof(buf), "soap.udp://" GROUP4 ":%u/x", port);
	url = harness_ws_string(buf);
	HR_EQ(WsOpenListener(quiet, &url, NULL, NULL), S_OK);
	free(url.chars);
	HR_EQ(WsGetListenerProperty(quiet,
	    WS_LISTENER_PROPERTY_MULTICAST_LOOPBACK, &got, sizeof(got), NULL),
	    S_OK);
	ck_assert_int_eq(got, FALSE);
	HR_EQ(WsCreateChannelForListener(quiet, NULL, 0, &qs, NULL), S_OK);
	quiet_done = 0;
	HR_EQ(WsAcceptChannel(quiet, qs, &ctx, NULL), WS_S_ASYNC);

	c = udp_channel(NULL, 0);
	HR_EQ(open_to(c, GROUP4, port), S_OK);
	for (i = 0; i < 2; i++) {
		send_int(c, 77 + i);
		s = accept_one(l);
		ck_assert_int_eq(receive_int(s), 77 + i);
		WsFreeChannel(s);
	}
	/* One more trip through the daemon's loop, then the accept of the
	 * quiet listener must still be waiting. */
	ck_assert_int_eq(harness_wsctl(&out, &status, "list", NULL), 0);
	free(out);
	ck_assert_msg(__atomic_load_n(&quiet_done, __ATOMIC_SEQ_CST) == 0,
	    "the quiet listener's accept ended: 0x%08x", (unsigned)quiet_hr);
	HR_EQ(WsAbortChannel(qs, NULL), S_OK);
	for (i = 0; i < 500 && !__atomic_load_n(&quiet_done, __ATOMIC_SEQ_CST);
	    i++)
		harness_sleep_ms(20);
	ck_assert_int_eq(quiet_done, 1);
	HR_EQ(quiet_hr, WS_E_OPERATION_ABORTED);
	ck_assert_uint_eq(stats_dropped(), 0);
	WsFreeChannel(qs);
	WsFreeChannel(c);
	WsFreeListener(quiet);
	WsFreeListener(l);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

/* No interface, no join, no traffic; MULTICAST_INTERFACES set while OPEN
 * joins at once.  A group without IS_MULTICAST is refused. */
START_TEST(multicast_join_later)
{
	ULONG ifs[1];
	WS_LISTENER *l, *l2 = NULL;
	WS_CHANNEL *c, *s;
	WS_STRING url;
	uint16_t port;

	if (!mc_setup("multicast_join_later"))
		return;
	ifs[0] = if_nametoindex("lo");
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX, WS_UDP_CHANNEL_BINDING,
	    NULL, 0, NULL, &l2, NULL), S_OK);
	url = harness_ws_string("soap.udp://" GROUP4 ":3702");
	HR_EQ(WsOpenListener(l2, &url, NULL, NULL), WS_E_ADDRESS_NOT_AVAILABLE);
	free(url.chars);
	WsFreeListener(l2);

	c = udp_channel(NULL, 0);
	l = mc_listener(&port, false, false);
	HR_EQ(open_to(c, GROUP4, port), S_OK);
	send_int(c, 1);		/* nobody joined: never arrives */
	HR_EQ(WsSetListenerProperty(l, WS_LISTENER_PROPERTY_MULTICAST_INTERFACES,
	    ifs, sizeof(ifs), NULL), S_OK);
	{
		ULONG got[2] = { 0, 0 };

		HR_EQ(WsGetListenerProperty(l,
		    WS_LISTENER_PROPERTY_MULTICAST_INTERFACES, got,
		    sizeof(got), NULL), S_OK);
		ck_assert_uint_eq(got[0], ifs[0]);
	}
	send_int(c, 2);
	s = accept_one(l);
	ck_assert_int_eq(receive_int(s), 2);
	WsFreeChannel(s);
	WsFreeChannel(c);
	WsFreeListener(l);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

/* Two responders share the group's port (SO_REUSEPORT): one request, two
 * accepts, two unicast answers to the one client (WS-Discovery's shape);
 * gSOAP's multicast request (C1) is accepted like ours. */
START_TEST(multicast_two_responders)
{
	WS_LISTENER *l1, *l2;
	WS_CHANNEL *c, *s1, *s2;
	const struct udp_vector *v;
	uint16_t port, rport;
	int fd, a, b;

	if (!mc_setup("multicast_two_responders"))
		return;
	c = udp_channel(NULL, 0);
	l1 = mc_listener(&port, true, false);
	l2 = mc_listener(&port, true, true);
	HR_EQ(open_to(c, GROUP4, port), S_OK);
	send_int(c, 21);
	s1 = accept_one(l1);
	s2 = accept_one(l2);
	ck_assert_int_eq(receive_int(s1), 21);
	ck_assert_int_eq(receive_int(s2), 21);
	send_int(s1, 31);
	send_int(s2, 32);
	a = receive_int(c);
	b = receive_int(c);
	ck_assert_int_eq(a + b, 63);
	WsFreeChannel(s1);
	WsFreeChannel(s2);
	WsFreeListener(l2);

	/* C1 as gSOAP sent it, To the group on its own port: matched by
	 * TO_HEADER_MATCHING_OPTIONS 0 only. */
	v = vector("C1");
	fd = raw_udp(AF_INET, &rport);
	{
		unsigned char ttl = 1;

		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl));
	}
	raw_send_to(fd, GROUP4, port, v->payload, v->size);
	/* The default options drop it (To names port 32420): counted. */
	for (a = 0; a < 200 && wsctl_number("list", NULL, "soap.udp://", 10)
	    != 1; a++)
		harness_sleep_ms(20);
	ck_assert_int_eq(wsctl_number("list", NULL, "soap.udp://", 10), 1);
	close(fd);
	WsFreeChannel(c);
	WsFreeListener(l1);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

static WS_XML_STRING wsd_ns = WS_XML_STRING_VALUE(
    "http://schemas.xmlsoap.org/ws/2005/04/discovery");
static WS_XML_STRING matches_name = WS_XML_STRING_VALUE("ProbeMatches");
static WS_XML_STRING matches_action = WS_XML_STRING_VALUE(
    "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches");
/* What a target answers: one ProbeMatch with an address, types and
 * XAddrs, written through a struct description. */
struct t_match {
	WS_ENDPOINT_ADDRESS	 epr;
	WCHAR			*types;
	WCHAR			*xaddrs;
	ULONG			 version;
};
struct t_matches {
	ULONG			 count;
	struct t_match		*matches;
};
static WS_XML_STRING wsa04_ns = WS_XML_STRING_VALUE(
    "http://schemas.xmlsoap.org/ws/2004/08/addressing");
static WS_XML_STRING t_epr = WS_XML_STRING_VALUE("EndpointReference");
static WS_XML_STRING t_types = WS_XML_STRING_VALUE("Types");
static WS_XML_STRING t_xaddrs = WS_XML_STRING_VALUE("XAddrs");
static WS_XML_STRING t_version = WS_XML_STRING_VALUE("MetadataVersion");
static WS_XML_STRING t_match = WS_XML_STRING_VALUE("ProbeMatch");
static WS_ENDPOINT_ADDRESS_DESCRIPTION t_epr_desc = {
	WS_ADDRESSING_VERSION_0_9 };
static WS_FIELD_DESCRIPTION t_fields_[] = {
	{ WS_ELEMENT_FIELD_MAPPING, &t_epr, &wsa04_ns, WS_ENDPOINT_ADDRESS_TYPE,
	    &t_epr_desc, offsetof(struct t_match, epr), 0, NULL, 0, NULL,
	    NULL, NULL },
	{ WS_ELEMENT_FIELD_MAPPING, &t_types, &wsd_ns, WS_WSZ_TYPE, NULL,
	    offsetof(struct t_match, types), 0, NULL, 0, NULL, NULL, NULL },
	{ WS_ELEMENT_FIELD_MAPPING, &t_xaddrs, &wsd_ns, WS_WSZ_TYPE, NULL,
	    offsetof(struct t_match, xaddrs), 0, NULL, 0, NULL, NULL, NULL },
	{ WS_ELEMENT_FIELD_MAPPING, &t_version, &wsd_ns, WS_UINT32_TYPE, NULL,
	    offsetof(struct t_match, version), 0, NULL, 0, NULL, NULL, NULL },
};
static WS_FIELD_DESCRIPTION *t_fields[] = { &t_fields_[0], &t_fields_[1],
    &t_fields_[2], &t_fields_[3] };
static WS_STRUCT_DESCRIPTION t_match_desc = { sizeof(struct t_match),
    _Alignof(struct t_match), t_fields, 4, NULL, NULL, NULL, NULL, 0, 0 };
static WS_FIELD_DESCRIPTION t_list = { WS_REPEATING_ELEMENT_FIELD_MAPPING,
    NULL, NULL, WS_STRUCT_TYPE, &t_match_desc,
    offsetof(struct t_matches, matches), 0, NULL,
    offsetof(struct t_matches, count), &t_match, &wsd_ns, NULL };
static WS_FIELD_DESCRIPTION *t_lists[] = { &t_list };
static WS_STRUCT_DESCRIPTION t_matches_desc = { sizeof(struct t_matches),
    _Alignof(struct t_matches), t_lists, 1, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION matches_elem = { &matches_name, &wsd_ns,
    WS_STRUCT_TYPE, &t_matches_desc };
static WS_MESSAGE_DESCRIPTION matches_desc = { &matches_action,
    &matches_elem };

/* One WS-Discovery target: accepts the next Probe on `l` and answers it
 * with a ProbeMatches in WS-Addressing 2004/08 naming target `n`. */
static void
discovery_answer(WS_LISTENER *l, WS_HEAP *heap, int n)
{
	WS_ADDRESSING_VERSION av = WS_ADDRESSING_VERSION_0_9;
	WS_CHANNEL_PROPERTY cp = { WS_CHANNEL_PROPERTY_ADDRESSING_VERSION, &av,
	    sizeof(av) };
	char addr[64], xaddrs[64];
	struct t_match m;
	struct t_matches ms = { 1, &m };
	WS_CHANNEL *s = NULL;
	WS_MESSAGE *req, *rep;
	char got[128];

	HR_EQ(WsCreateChannelForListener(l, &cp, 1, &s, NULL), S_OK);
	HR_EQ(WsAcceptChannel(l, s, NULL, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(s, NULL, 0, &req, NULL), S_OK);
	HR_EQ(WsReadMessageStart(s, req, NULL, NULL), S_OK);
	header_str(req, heap, WS_ACTION_HEADER, got, sizeof(got));
	ck_assert_str_eq(got,
	    "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe");
	header_str(req, heap, WS_TO_HEADER, got, sizeof(got));
	ck_assert_str_eq(got, "urn:schemas-xmlsoap-org:ws:2005:04:discovery");
	HR_EQ(WsReadMessageEnd(s, req, NULL, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(s, NULL, 0, &rep, NULL), S_OK);
	memset(&m, 0, sizeof(m));
	snprintf(addr, sizeof(addr), "urn:uuid:11111111-2222-3333-4444-%012d",
	    n);
	snprintf(xaddrs, sizeof(xaddrs), "http://127.0.0.%d:5357/", n);
	m.epr.url = harness_ws_string(addr);
	m.types = harness_ws_string("wsdp:Device pub:Computer").chars;
	m.xaddrs = harness_ws_string(xaddrs).chars;
	m.version = 1;
	HR_EQ(WsSendReplyMessage(s, rep, &matches_desc,
	    WS_WRITE_REQUIRED_VALUE, &ms, sizeof(ms), req, NULL, NULL),
	    S_OK);
	free(m.epr.url.chars);
	free(m.types);
	free(m.xaddrs);
	WsFreeMessage(req);
	WsFreeMessage(rep);
	WsFreeChannel(s);
}

/* examples/wsdiscovery-probe against two targets on 239.255.255.250:3702:
 * both ProbeMatches are printed, each related to the Probe. */
START_TEST(example_wsdiscovery_probe)
{
	BOOL yes = TRUE;
	ULONG zero = 0, ifs[1];
	WS_LISTENER_PROPERTY lp[3] = {
		{ WS_LISTENER_PROPERTY_IS_MULTICAST, &yes, sizeof(yes) },
		{ WS_LISTENER_PROPERTY_MULTICAST_INTERFACES, ifs, sizeof(ifs) },
		{ WS_LISTENER_PROPERTY_TO_HEADER_MATCHING_OPTIONS, &zero,
		    sizeof(zero) },
	};
	WS_LISTENER *l[2] = { NULL, NULL };
	WS_STRING url;
	WS_HEAP *heap;
	char *prog, line[256], *argv[4];
	int fd, n = 0, i, related = 0, addresses = 0, types = 0, xaddrs = 0;
	pid_t pid;

	if (!mc_setup("example_wsdiscovery_probe"))
		return;
	ifs[0] = if_nametoindex("lo");
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	for (i = 0; i < 2; i++) {
		HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX,
		    WS_UDP_CHANNEL_BINDING, lp, 3, NULL, &l[i], NULL), S_OK);
		url = harness_ws_string("soap.udp://" GROUP4 ":3702");
		HR_EQ(WsOpenListener(l[i], &url, NULL, NULL), S_OK);
		free(url.chars);
	}
	prog = harness_build_path("examples/wsdiscovery-probe");
	argv[0] = prog;
	argv[1] = "-w";
	argv[2] = "1500";
	argv[3] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), 10000), 0);
	ck_assert_msg(strncmp(line, "Probe urn:uuid:", 15) == 0, "%s", line);
	discovery_answer(l[0], heap, 1);
	discovery_answer(l[1], heap, 2);
	while (harness_read_line(fd, line, sizeof(line), 10000) == 0) {
		if (strncmp(line, "ProbeMatches ", 13) == 0 &&
		    strstr(line, "not for") == NULL)
			n++;
		if (strncmp(line, "  RelatesTo: urn:uuid:", 22) == 0)
			related++;
		/* Each body's match, read by the example's descriptions. */
		if (strncmp(line, "    Address: urn:uuid:11111111-2222-3333-"
		    "4444-00000000000", 52) == 0)
			addresses++;
		if (strcmp(line, "    Types: wsdp:Device pub:Computer") == 0)
			types++;
		if (strncmp(line, "    XAddrs: http://127.0.0.", 27) == 0)
			xaddrs++;
		if (strstr(line, "answers") != NULL)
			break;
	}
	ck_assert_str_eq(line, "2 answers");
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(related, 2);
	ck_assert_int_eq(addresses, 2);
	ck_assert_int_eq(types, 2);
	ck_assert_int_eq(xaddrs, 2);
	ck_assert_int_eq(harness_wait_pid(pid, 10000), 0);
	close(fd);
	free(prog);
	WsFreeListener(l[0]);
	WsFreeListener(l[1]);
	WsFreeHeap(heap);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

/* ---- interop with gSOAP ------------------------------------------------------- */

/* The gSOAP peer's path, or NULL (the test is skipped, saying why). */
static char *
gsoap_peer(const char *test)
{
	char *p = harness_build_path("tests/gsoap_udp/wsprobe-peer");

	if (access(p, X_OK) == 0)
		return p;
	fprintf(stderr, "%s: skipped: no gSOAP peer (configure found no "
	    "soapcpp2 or libgsoap-dev)\n", test);
	free(p);
	return NULL;
}

/* gSOAP's client sends to our listener (`host`: a literal or the group),
 * we answer with WsSendReplyMessage and gSOAP reads the reply, RelatesTo
 * its MessageID. */
static void
gsoap_client_to_us(const char *peer, WS_LISTENER *l, const char *url,
    const char *ifname)
{
	WS_CHANNEL *s;
	WS_MESSAGE *req, *rep;
	WS_HEAP *heap;
	WCHAR *reply;
	char *text, line[256], id[128], want[256], *argv[6];
	int fd;
	pid_t pid;

	argv[0] = (char *)peer;
	argv[1] = "send";
	argv[2] = (char *)url;
	argv[3] = "hello from gsoap";
	argv[4] = (char *)ifname;
	argv[5] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	s = accept_one(l);
	text = receive_ping(s, &req, heap);
	ck_assert_str_eq(text, "hello from gsoap");
	free(text);
	header_str(req, heap, WS_MESSAGE_ID_HEADER, id, sizeof(id));
	HR_EQ(WsCreateMessageForChannel(s, NULL, 0, &rep, NULL), S_OK);
	reply = harness_ws_string("reply from wschannel").chars;
	HR_EQ(WsSendReplyMessage(s, rep, &ping_desc, WS_WRITE_REQUIRED_POINTER,
	    &reply, sizeof(reply), req, NULL, NULL), S_OK);
	free(reply);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), 10000), 0);
	snprintf(want, sizeof(want), "reply: reply from wschannel %s", id);
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(harness_wait_pid(pid, 10000), 0);
	close(fd);
	WsFreeMessage(req);
	WsFreeMessage(rep);
	WsFreeChannel(s);
	WsFreeHeap(heap);
}

#define OUR_MESSAGE_ID	"urn:uuid:5c0d4e7a-8d1f-4b55-9a3e-2f6b1c9e0d11"

/* Our client sends to gSOAP's server (`group` NULL: unicast on its port),
 * which answers to our channel's port, RelatesTo our MessageID. */
static void
us_to_gsoap_server(const char *peer, const char *group, const char *ifname)
{
	const WS_MESSAGE_DESCRIPTION *descs[] = { &ping_desc };
	WS_CHANNEL *c = ifname != NULL ? mc6_channel() : udp_channel(NULL, 0);
	WS_MESSAGE *msg, *in;
	WS_HEAP *heap;
	WCHAR *text, *got = NULL;
	char line[256], *argv[6], portstr[8], rel[128], *mid;
	uint16_t port;
	int fd;
	pid_t pid;

	ck_assert_int_eq(harness_free_port(&port), 0);
	snprintf(portstr, sizeof(portstr), "%u", port);
	argv[0] = (char *)peer;
	argv[1] = "serve";
	argv[2] = portstr;
	argv[3] = (char *)group;
	argv[4] = group != NULL ? (char *)ifname : NULL;
	argv[5] = NULL;
	pid = harness_spawn(argv, &fd);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), 10000), 0);
	ck_assert_str_eq(line, "ready");
	HR_EQ(open_to(c, group != NULL ? group : "127.0.0.1", port), S_OK);
	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &msg, NULL), S_OK);
	/* Our MessageID, for gSOAP's RelatesTo. */
	HR_EQ(WsInitializeMessage(msg, WS_BLANK_MESSAGE, NULL, NULL), S_OK);
	text = harness_ws_string(OUR_MESSAGE_ID).chars;
	HR_EQ(WsSetHeader(msg, WS_MESSAGE_ID_HEADER, WS_WSZ_TYPE,
	    WS_WRITE_REQUIRED_POINTER, &text, sizeof(text), NULL), S_OK);
	free(text);
	text = harness_ws_string("hello from wschannel").chars;
	HR_EQ(WsSendMessage(c, msg, &ping_desc, WS_WRITE_REQUIRED_POINTER,
	    &text, sizeof(text), NULL, NULL), S_OK);
	free(text);
	ck_assert_int_eq(harness_read_line(fd, line, sizeof(line), 10000), 0);
	ck_assert_str_eq(line, "got: hello from wschannel " OUR_MESSAGE_ID);
	mid = strrchr(line, ' ') + 1;
	HR_EQ(WsCreateMessageForChannel(c, NULL, 0, &in, NULL), S_OK);
	HR_EQ(WsReceiveMessage(c, in, descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_POINTER, heap, &got, sizeof(got), NULL, NULL,
	    NULL), S_OK);
	header_str(in, heap, WS_RELATES_TO_HEADER, rel, sizeof(rel));
	ck_assert_str_eq(rel, mid);
	ck_assert_int_eq(harness_wait_pid(pid, 10000), 0);
	close(fd);
	WsFreeMessage(msg);
	WsFreeMessage(in);
	WsFreeHeap(heap);
	WsFreeChannel(c);
}

START_TEST(gsoap_unicast)
{
	char *peer = gsoap_peer("gsoap_unicast"), url[96];
	WS_LISTENER *l;
	uint16_t port;

	if (peer == NULL)
		return;
	l = udp_listener("127.0.0.1", &port);
	snprintf(url, sizeof(url), "soap.udp://127.0.0.1:%u/x", port);
	gsoap_client_to_us(peer, l, url, NULL);
	us_to_gsoap_server(peer, NULL, NULL);
	WsFreeListener(l);
	free(peer);
}
END_TEST

START_TEST(gsoap_multicast)
{
	char *peer = gsoap_peer("gsoap_multicast"), url[96];
	WS_LISTENER *l;
	uint16_t port;

	if (peer == NULL)
		return;
	if (!mc_setup("gsoap_multicast")) {
		free(peer);
		return;
	}
	l = mc_listener(&port, true, false);
	snprintf(url, sizeof(url), "soap.udp://" GROUP4 ":%u/x", port);
	gsoap_client_to_us(peer, l, url, NULL);
	us_to_gsoap_server(peer, GROUP4, NULL);
	WsFreeListener(l);
	free(peer);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

/* Both directions on [ff02::c] through veth0: gSOAP's client to our
 * joined listener, ours to gSOAP's joined server. */
START_TEST(gsoap_multicast6)
{
	char *peer = gsoap_peer("gsoap_multicast6"), url[96];
	WS_LISTENER *l;
	uint16_t port;

	if (peer == NULL)
		return;
	if (!mc6_setup("gsoap_multicast6")) {
		free(peer);
		return;
	}
	l = mc_listener_group(GROUP6, &port, true, false);
	snprintf(url, sizeof(url), "soap.udp://[" GROUP6 "]:%u/x", port);
	gsoap_client_to_us(peer, l, url, MC6_IF);
	us_to_gsoap_server(peer, GROUP6, MC6_IF);
	WsFreeListener(l);
	free(peer);
	ck_assert_int_eq(harness_daemon_stop(), 0);
}
END_TEST

void
udp_mcast_tcases(Suite *s)
{
	TCase *tc;

	tc = tcase_create("gsoap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gsoap_unicast);
	suite_add_tcase(s, tc);

	/* Each test makes its namespace, then starts its daemon in it. */
	tc = tcase_create("multicast");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, multicast_round_trip);
	tcase_add_test(tc, multicast6_round_trip);
	tcase_add_test(tc, default_port_3702);
	tcase_add_test(tc, multicast_loopback_false);
	tcase_add_test(tc, multicast_join_later);
	tcase_add_test(tc, multicast_two_responders);
	tcase_add_test(tc, example_wsdiscovery_probe);
	tcase_add_test(tc, gsoap_multicast);
	tcase_add_test(tc, gsoap_multicast6);
	suite_add_tcase(s, tc);
}
