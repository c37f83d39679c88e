/*
 * abort_client: another process (or another uid) for the integration tests.
 *
 *   abort_client hold URL [N]   create N (default 1) DUPLEX_SESSION TCP
 *                               channels, open them on URL, print "ready",
 *                               then block in WsReceiveMessage on the first;
 *                               prints "receive 0x%08X" when it returns.
 *   abort_client abort-id ID    AbortChannel on a channel id of anyone,
 *                               through a raw control frame.
 *   abort_client get-state ID   GetChannelProperty(STATE) likewise.
 *   abort_client list           ListChannels: "channel ID UID PID STATE
 *                               LISTENER" and "listener ID UID PID STATE".
 *   abort_client true           does nothing (exits 0).
 *
 * The raw commands print "hresult=0x%08X state=N" and exit 0 once the
 * daemon answered, 3 when it could not be reached.  The daemon is found
 * through WSCHANNEL_ADDRESS (unix:path=...).  The library has no way to
 * name an object by id, hence the raw frames.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "frame.h"
#include "wschannel.pb-c.h"

#define RAW_TIMEOUT_MS	10000
#define MAX_HOLD	16

static void
usage(void)
{
	fprintf(stderr, "usage: abort_client hold URL [N] | listen URL | "
	    "abort-id ID | get-state ID | list | true\n");
	exit(2);
}

static WS_STRING
ws_string(const char *s)
{
	WS_STRING w = { 0, NULL };
	size_t i, n = strlen(s);

	if ((w.chars = calloc(n + 1, sizeof(WCHAR))) == NULL)
		return w;
	for (i = 0; i < n; i++)
		w.chars[i] = (unsigned char)s[i];
	w.length = (ULONG)n;
	return w;
}

/* Holds channels open and blocks in a receive until the channel dies. */
static int
cmd_hold(const char *url, int n)
{
	WS_ENCODING enc = WS_ENCODING_XML_UTF8;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc) };
	WS_XML_STRING action = { 8, (BYTE *)"urn:hold", NULL, 0 };
	WS_MESSAGE_DESCRIPTION desc = { &action, NULL };
	const WS_MESSAGE_DESCRIPTION *descs[1] = { &desc };
	WS_ENDPOINT_ADDRESS addr;
	WS_CHANNEL *ch[MAX_HOLD];
	WS_MESSAGE *msg;
	WS_HEAP *heap;
	HRESULT hr;
	int i;

	memset(&addr, 0, sizeof(addr));
	addr.url = ws_string(url);
	for (i = 0; i < n; i++) {
		hr = WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
		    WS_TCP_CHANNEL_BINDING, &prop, 1, NULL, &ch[i], NULL);
		if (FAILED(hr)) {
			printf("create 0x%08X\n", (unsigned)hr);
			return 1;
		}
		hr = WsOpenChannel(ch[i], &addr, NULL, NULL);
		if (FAILED(hr)) {
			printf("open 0x%08X\n", (unsigned)hr);
			return 1;
		}
	}
	if (FAILED(hr = WsCreateHeap(65536, 0, NULL, 0, &heap, NULL)) ||
	    FAILED(hr = WsCreateMessageForChannel(ch[0], NULL, 0, &msg, NULL))) {
		printf("setup 0x%08X\n", (unsigned)hr);
		return 1;
	}
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	hr = WsReceiveMessage(ch[0], msg, descs, 1, WS_RECEIVE_REQUIRED_MESSAGE,
	    WS_READ_REQUIRED_VALUE, heap, NULL, 0, NULL, NULL, NULL);
	printf("receive 0x%08X\n", (unsigned)hr);
	fflush(stdout);
	WsFreeMessage(msg);
	WsFreeHeap(heap);
	for (i = 0; i < n; i++)
		WsFreeChannel(ch[i]);
	free(addr.url.chars);
	return 0;
}

static int
raw_connect(void)
{
	const char *addr = getenv("WSCHANNEL_ADDRESS");
	struct sockaddr_un sun;
	const char *path;
	int fd;

	if (addr == NULL || strncmp(addr, "unix:path=", 10) != 0) {
		fprintf(stderr, "abort_client: WSCHANNEL_ADDRESS must be "
		    "unix:path=...\n");
		return -1;
	}
	path = addr + 10;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "abort_client: connect %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
read_full(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (poll(&p, 1, RAW_TIMEOUT_MS) <= 0)
			return -1;
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Sends one request and returns its terminal reply (events skipped). */
static Wschannel__Reply *
raw_call(Wschannel__Request *req)
{
	uint8_t hdr[FRAME_HEADER_SIZE], *buf;
	struct frame_header fh;
	Wschannel__Reply *reply;
	size_t len;
	int fd;

	if ((fd = raw_connect()) == -1)
		return NULL;
	len = wschannel__request__get_packed_size(req);
	if ((buf = malloc(FRAME_HEADER_SIZE + len)) == NULL)
		return NULL;
	frame_header_write(buf, FRAME_REQUEST, (uint32_t)len);
	wschannel__request__pack(req, buf + FRAME_HEADER_SIZE);
	if (write(fd, buf, FRAME_HEADER_SIZE + len) !=
	    (ssize_t)(FRAME_HEADER_SIZE + len)) {
		free(buf);
		close(fd);
		return NULL;
	}
	free(buf);
	for (;;) {
		if (read_full(fd, hdr, sizeof(hdr)) == -1 ||
		    frame_header_parse(hdr, &fh, NULL) < 0)
			break;
		if ((buf = malloc(fh.length ? fh.length : 1)) == NULL ||
		    read_full(fd, buf, fh.length) == -1) {
			free(buf);
			break;
		}
		if (fh.kind != FRAME_REPLY) {
			free(buf);
			continue;
		}
		reply = wschannel__reply__unpack(NULL, fh.length, buf);
		free(buf);
		if (reply == NULL)
			break;
		if (reply->id != req->id || (reply->has_interim &&
		    reply->interim)) {
			wschannel__reply__free_unpacked(reply, NULL);
			continue;
		}
		close(fd);
		return reply;
	}
	fprintf(stderr, "abort_client: no reply from the daemon\n");
	close(fd);
	return NULL;
}

static int
parse_id(const char *s, uint64_t *id)
{
	char *end;

	errno = 0;
	*id = strtoull(s, &end, 10);
	return errno != 0 || *s == '\0' || *end != '\0' ? -1 : 0;
}

static int
print_reply(Wschannel__Reply *reply)
{
	if (reply == NULL)
		return 3;
	printf("hresult=0x%08" PRIX32, reply->hresult);
	if (reply->result_case == WSCHANNEL__REPLY__RESULT_PROPERTY &&
	    reply->property->has_u)
		printf(" state=%" PRIu64, reply->property->u);
	else if (reply->has_state)
		printf(" state=%" PRIu32, reply->state);
	printf("\n");
	wschannel__reply__free_unpacked(reply, NULL);
	return 0;
}

static int
cmd_abort_id(uint64_t id)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ObjectRef ref = WSCHANNEL__OBJECT_REF__INIT;

	ref.id = id;
	req.id = 1;
	req.op_case = WSCHANNEL__REQUEST__OP_ABORT_CHANNEL;
	req.abort_channel = &ref;
	return print_reply(raw_call(&req));
}

static int
cmd_get_state(uint64_t id)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__GetProperty gp = WSCHANNEL__GET_PROPERTY__INIT;

	gp.id = id;
	gp.property_id = WS_CHANNEL_PROPERTY_STATE;
	req.id = 1;
	req.op_case = WSCHANNEL__REQUEST__OP_GET_CHANNEL_PROPERTY;
	req.get_channel_property = &gp;
	return print_reply(raw_call(&req));
}

static int
cmd_list(void)
{
	Wschannel__Request req = WSCHANNEL__REQUEST__INIT;
	Wschannel__ListChannels lc = WSCHANNEL__LIST_CHANNELS__INIT;
	Wschannel__Reply *reply;
	Wschannel__ChannelList *list;
	size_t i;

	req.id = 1;
	req.op_case = WSCHANNEL__REQUEST__OP_LIST_CHANNELS;
	req.list_channels = &lc;
	if ((reply = raw_call(&req)) == NULL)
		return 3;
	printf("hresult=0x%08" PRIX32 "\n", reply->hresult);
	if (reply->result_case == WSCHANNEL__REPLY__RESULT_LIST) {
		list = reply->list;
		for (i = 0; i < list->n_channels; i++)
			printf("channel %" PRIu64 " %" PRIu32 " %" PRIu32
			    " %" PRIu32 " %" PRIu64 "\n",
			    list->channels[i]->id, list->channels[i]->owner_uid,
			    list->channels[i]->owner_pid,
			    list->channels[i]->state,
			    list->channels[i]->has_listener ?
			    list->channels[i]->listener : 0);
		for (i = 0; i < list->n_listeners; i++)
			printf("listener %" PRIu64 " %" PRIu32 " %" PRIu32
			    " %" PRIu32 "\n", list->listeners[i]->id,
			    list->listeners[i]->owner_uid,
			    list->listeners[i]->owner_pid,
			    list->listeners[i]->state);
	}
	wschannel__reply__free_unpacked(reply, NULL);
	return 0;
}

/* Opens a TCP listener on URL through the library; prints its HRESULT. */
static int
cmd_listen(const char *url)
{
	WS_LISTENER *l = NULL;
	WS_STRING s = ws_string(url);
	HRESULT hr;

	hr = WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &l, NULL);
	if (SUCCEEDED(hr))
		hr = WsOpenListener(l, &s, NULL, NULL);
	printf("hresult=0x%08x\n", (unsigned)hr);
	if (l != NULL)
		WsFreeListener(l);
	free(s.chars);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t id;
	int n = 1;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "true") == 0)
		return 0;
	if (strcmp(argv[1], "hold") == 0 && (argc == 3 || argc == 4)) {
		if (argc == 4 && ((n = atoi(argv[3])) < 1 || n > MAX_HOLD))
			usage();
		return cmd_hold(argv[2], n);
	}
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return cmd_list();
	if (strcmp(argv[1], "listen") == 0 && argc == 3)
		return cmd_listen(argv[2]);
	if (argc != 3 || parse_id(argv[2], &id) == -1)
		usage();
	if (strcmp(argv[1], "abort-id") == 0)
		return cmd_abort_id(id);
	if (strcmp(argv[1], "get-state") == 0)
		return cmd_get_state(id);
	usage();
	return 2;
}
