/*
 * net.tcp on the wire, end to end through a private wschanneld: the bytes
 * captured between Wine's webservices.dll and a plain socket
 * (../shared/vectors/net.tcp-capture.txt) replayed against our listener and
 * compared with what our channels write, preamble faults, and the session
 * dictionary quota.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wschannel/webservices.h>

#include "harness.h"

/* Part A: everything the Wine client sent (preamble, one sized envelope in
 * binary session encoding, End). */
static const uint8_t wine_client[] = {
	0x00, 0x01, 0x00, 0x01, 0x02, 0x02, 0x21, 0x6e, 0x65, 0x74, 0x2e, 0x74, 0x63, 0x70, 0x3a, 0x2f,
	0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x32, 0x37, 0x31, 0x35, 0x30,
	0x2f, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x03, 0x08, 0x0c, 0x06, 0x81, 0x01, 0x11, 0x04,
	0x74, 0x65, 0x78, 0x74, 0x0b, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65,
	0x56, 0x02, 0x0b, 0x01, 0x61, 0x06, 0x0b, 0x01, 0x73, 0x04, 0x56, 0x08, 0x44, 0x0a, 0x1e, 0x00,
	0x82, 0x99, 0x10, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x2f, 0x50,
	0x69, 0x6e, 0x67, 0x44, 0x0c, 0x1e, 0x00, 0x82, 0x99, 0x21, 0x6e, 0x65, 0x74, 0x2e, 0x74, 0x63,
	0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x32, 0x37,
	0x31, 0x35, 0x30, 0x2f, 0x77, 0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x01, 0x56, 0x0e, 0x42, 0x01,
	0x0a, 0x03, 0x99, 0x19, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x66, 0x72, 0x6f, 0x6d, 0x20, 0x77,
	0x73, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x01, 0x01, 0x07,
};
#define WINE_PREAMBLE_LEN	43
#define WINE_RECORD_LEN		132	/* the sized envelope record */

/* Part B: what the Wine listener answered (PreambleAck, then the reply). */
static const uint8_t wine_listener[] = {
	0x0b, 0x06, 0x59, 0x11, 0x04, 0x74, 0x65, 0x78, 0x74, 0x0b, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73,
	0x70, 0x72, 0x6f, 0x62, 0x65, 0x56, 0x02, 0x0b, 0x01, 0x61, 0x06, 0x0b, 0x01, 0x73, 0x04, 0x56,
	0x08, 0x44, 0x0a, 0x1e, 0x00, 0x82, 0x99, 0x10, 0x75, 0x72, 0x6e, 0x3a, 0x77, 0x73, 0x70, 0x72,
	0x6f, 0x62, 0x65, 0x2f, 0x50, 0x69, 0x6e, 0x67, 0x01, 0x56, 0x0e, 0x42, 0x01, 0x0a, 0x03, 0x99,
	0x19, 0x72, 0x65, 0x70, 0x6c, 0x79, 0x20, 0x66, 0x72, 0x6f, 0x6d, 0x20, 0x77, 0x73, 0x70, 0x72,
	0x6f, 0x62, 0x65, 0x20, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x01, 0x01,
};

/* On a mismatch, both sides in hex on stderr (the test log). */
static int
bytes_eq(const uint8_t *got, const uint8_t *want, size_t len)
{
	size_t i;

	if (memcmp(got, want, len) == 0)
		return 1;
	fprintf(stderr, "got: ");
	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", got[i], got[i] != want[i] ? "*" : " ");
	fprintf(stderr, "\nwant:");
	for (i = 0; i < len; i++)
		fprintf(stderr, " %02x", want[i]);
	fprintf(stderr, "\n");
	return 0;
}

static WS_XML_STRING action_ping = { 16, (BYTE *)"urn:wsprobe/Ping", NULL, 0 };
static WS_XML_STRING elem_text = { 4, (BYTE *)"text", NULL, 0 };
static WS_XML_STRING ns_probe = { 11, (BYTE *)"urn:wsprobe", NULL, 0 };
static WS_ELEMENT_DESCRIPTION text_elem = { &elem_text, &ns_probe, WS_WSZ_TYPE, NULL };
static WS_MESSAGE_DESCRIPTION ping_desc = { &action_ping, &text_elem };

static WCHAR *
wsz(const char *ascii)
{
	WS_STRING s = harness_ws_string(ascii);

	return s.chars;
}

static int
wsz_eq(const WCHAR *w, const char *ascii)
{
	size_t i;

	for (i = 0; ascii[i] != '\0'; i++)
		if (w[i] != (unsigned char)ascii[i])
			return 0;
	return w[i] == 0;
}

static void
send_text(WS_CHANNEL *ch, const char *text)
{
	WS_MESSAGE *msg;
	WCHAR *body = wsz(text);

	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &msg, NULL), S_OK);
	HR_EQ(WsSendMessage(ch, msg, &ping_desc, WS_WRITE_REQUIRED_POINTER,
	    &body, sizeof(body), NULL, NULL), S_OK);
	WsFreeMessage(msg);
	free(body);
}

static HRESULT
receive_text(WS_CHANNEL *ch, const char *want)
{
	const WS_MESSAGE_DESCRIPTION *descs[] = { &ping_desc };
	WS_MESSAGE *msg;
	WS_HEAP *heap;
	WCHAR *text = NULL;
	HRESULT hr;

	HR_EQ(WsCreateHeap(65536, 0, NULL, 0, &heap, NULL), S_OK);
	HR_EQ(WsCreateMessageForChannel(ch, NULL, 0, &msg, NULL), S_OK);
	hr = WsReceiveMessage(ch, msg, descs, 1, WS_RECEIVE_OPTIONAL_MESSAGE,
	    WS_READ_REQUIRED_POINTER, heap, &text, sizeof(text), NULL, NULL,
	    NULL);
	if (hr == S_OK && want != NULL)
		ck_assert_msg(text != NULL && wsz_eq(text, want),
		    "received body differs from \"%s\"", want);
	WsFreeMessage(msg);
	WsFreeHeap(heap);
	return hr;
}

struct acceptor {
	WS_LISTENER	*l;
	WS_CHANNEL	*ch;
	HRESULT		 hr;
	pthread_t	 t;
};

static void *
acceptor_run(void *arg)
{
	struct acceptor *a = arg;

	a->hr = WsAcceptChannel(a->l, a->ch, NULL, NULL);
	return NULL;
}

/* A listener whose accept runs in a thread; the raw peer connects to it. */
static void
acceptor_start(struct acceptor *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	HR_EQ(harness_tcp_listener_open(&a->l, port), S_OK);
	HR_EQ(WsCreateChannelForListener(a->l, NULL, 0, &a->ch, NULL), S_OK);
	ck_assert_int_eq(pthread_create(&a->t, NULL, acceptor_run, a), 0);
	ck_assert(harness_wait_channel_state(a->ch, WS_CHANNEL_STATE_ACCEPTING,
	    5000));
}

static void
acceptor_free(struct acceptor *a)
{
	WsFreeChannel(a->ch);
	WsFreeListener(a->l);
}

/* Wine's client bytes, replayed: our accepted channel answers with the
 * PreambleAck, adopts the binary session encoding, decodes the message,
 * and its reply is byte for byte what Wine's listener wrote. */
START_TEST(wine_client_to_our_listener)
{
	struct acceptor a;
	uint8_t buf[sizeof(wine_listener)];
	WS_ENCODING enc = 0;
	uint16_t port;
	int fd;

	acceptor_start(&a, &port);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	/* Preamble and message in one write: the peer sends its preamble
	 * lazily, with its first message. */
	ck_assert_int_eq(harness_raw_write(fd, wine_client,
	    WINE_PREAMBLE_LEN + WINE_RECORD_LEN), 0);
	ck_assert_int_eq(pthread_join(a.t, NULL), 0);
	HR_EQ(a.hr, S_OK);
	HR_EQ(WsGetChannelProperty(a.ch, WS_CHANNEL_PROPERTY_ENCODING, &enc,
	    sizeof(enc), NULL), S_OK);
	ck_assert_int_eq(enc, WS_ENCODING_XML_BINARY_SESSION_1);
	HR_EQ(receive_text(a.ch, "hello from wsprobe client"), S_OK);

	send_text(a.ch, "reply from wsprobe server");
	ck_assert_int_eq(harness_raw_read_full(fd, buf, sizeof(buf), 5000), 0);
	ck_assert_msg(bytes_eq(buf, wine_listener, sizeof(buf)),
	    "our reply differs from Wine's captured reply");

	/* The peer's End record: the next receive returns WS_S_END. */
	ck_assert_int_eq(harness_raw_write(fd, wine_client + sizeof(wine_client) - 1,
	    1), 0);
	HR_EQ(receive_text(a.ch, NULL), WS_S_END);
	close(fd);
	acceptor_free(&a);
}
END_TEST

/* Our client channel against a raw peer playing Wine's listener: the
 * preamble and the message are the captured bytes, with the port of this
 * run in place of 27150 (same length: both have five digits). */
START_TEST(our_client_to_wine_listener)
{
	uint8_t want[WINE_PREAMBLE_LEN + WINE_RECORD_LEN];
	uint8_t got[sizeof(want)];
	char url[64], portstr[8], *p;
	WS_CHANNEL *ch;
	WS_ENDPOINT_ADDRESS addr;
	struct harness_async open;
	uint16_t port;
	int lfd, fd;
	size_t i;

	ck_assert_int_ge(lfd = harness_tcp_listener(&port, 4), 0);
	if (port < 10000) {
		close(lfd);
		return;		/* the substitution below needs 5 digits */
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	memcpy(want, wine_client, sizeof(want));
	for (i = 0; i + 5 <= sizeof(want); i++)
		if (memcmp(want + i, "27150", 5) == 0)
			memcpy(want + i, portstr, 5);

	/* Default properties: the binary session encoding, SOAP 1.2, WSA 1.0. */
	HR_EQ(WsCreateChannel(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, NULL, 0, NULL, &ch, NULL), S_OK);
	snprintf(url, sizeof(url), "net.tcp://127.0.0.1:%u/wsprobe", port);
	memset(&addr, 0, sizeof(addr));
	addr.url = harness_ws_string(url);
	harness_async_init(&open);
	HR_EQ(WsOpenChannel(ch, &addr, &open.ctx, NULL), WS_S_ASYNC);
	ck_assert_int_ge(fd = harness_raw_accept(lfd, 5000), 0);
	ck_assert_int_eq(harness_raw_read_full(fd, got, WINE_PREAMBLE_LEN,
	    5000), 0);
	ck_assert_msg(bytes_eq(got, want, WINE_PREAMBLE_LEN),
	    "our preamble differs from Wine's");
	ck_assert_int_eq(harness_nmf_write_ack(fd), 0);
	ck_assert_int_eq(harness_async_wait(&open, 1, 5000), 1);
	HR_EQ(open.hr, S_OK);

	send_text(ch, "hello from wsprobe client");
	ck_assert_int_eq(harness_raw_read_full(fd, got + WINE_PREAMBLE_LEN,
	    WINE_RECORD_LEN, 5000), 0);
	p = (char *)got + WINE_PREAMBLE_LEN;
	ck_assert_msg(bytes_eq((uint8_t *)p, want + WINE_PREAMBLE_LEN, WINE_RECORD_LEN),
	    "our message differs from Wine's");

	/* Wine's reply comes back in as a message. */
	ck_assert_int_eq(harness_raw_write(fd, wine_listener + 1,
	    sizeof(wine_listener) - 1), 0);
	HR_EQ(receive_text(ch, "reply from wsprobe server"), S_OK);
	free(addr.url.chars);
	WsFreeChannel(ch);
	harness_async_destroy(&open);
	close(fd);
	close(lfd);
}
END_TEST

/* A preamble we cannot honour gets the framing Fault record, then the
 * connection closes; the accept fails and the channel is FAULTED. */
static void
preamble_fault(const uint8_t *pre, size_t len, const char *fault)
{
	struct acceptor a;
	char buf[512];
	uint16_t port;
	ssize_t n;
	int fd;

	acceptor_start(&a, &port);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(harness_raw_write(fd, pre, len), 0);
	n = harness_raw_read(fd, buf, sizeof(buf) - 1, 5000);
	ck_assert_int_gt(n, 2);
	ck_assert_int_eq((uint8_t)buf[0], 0x08);	/* Fault record */
	buf[n] = '\0';
	ck_assert_msg(memmem(buf, (size_t)n, fault, strlen(fault)) != NULL,
	    "fault record does not name %s", fault);
	ck_assert_int_eq(harness_raw_wait_eof(fd, 5000), 0);
	ck_assert_int_eq(pthread_join(a.t, NULL), 0);
	ck_assert(FAILED(a.hr));
	STATE_EQ(a.ch, WS_CHANNEL_STATE_FAULTED);
	close(fd);
	acceptor_free(&a);
}

START_TEST(preamble_unsupported_version)
{
	static const uint8_t pre[] = { 0x00, 0x02, 0x00 };

	preamble_fault(pre, sizeof(pre), "UnsupportedVersion");
}
END_TEST

START_TEST(preamble_unsupported_mode)
{
	static const uint8_t pre[] = { 0x00, 0x01, 0x00, 0x01, 0x01 };

	preamble_fault(pre, sizeof(pre), "UnsupportedMode");
}
END_TEST

START_TEST(preamble_unsupported_encoding)
{
	/* Known encoding 0x06 is MTOM, which net.tcp here does not speak. */
	static const uint8_t pre[] = { 0x00, 0x01, 0x00, 0x01, 0x02,
	    0x02, 0x03, 'x', ':', '/', 0x03, 0x06 };

	preamble_fault(pre, sizeof(pre), "ContentTypeInvalid");
}
END_TEST

/* Appends a MultiByteInt31. */
static size_t
put_mbi31(uint8_t *p, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = 0x80 | (v & 0x7f);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * A sized envelope record: a string table of `count` strings (string i
 * has length lens[i], the first two are "text" and "urn:wsprobe" when
 * `named`), then the captured document, whose session ids 1 and 3 must
 * name those two strings.
 */
static size_t
quota_record(uint8_t *out, const size_t *lens, size_t count, int named)
{
	static uint8_t table[4096];
	const uint8_t *doc = wine_client + WINE_PREAMBLE_LEN + 3 + 18;
	size_t doclen = WINE_RECORD_LEN - 3 - 18, t = 0, n = 0, i;

	for (i = 0; i < count; i++) {
		t += put_mbi31(table + t, (uint32_t)lens[i]);
		if (named && i == 0)
			memcpy(table + t, "text", 4);
		else if (named && i == 1)
			memcpy(table + t, "urn:wsprobe", 11);
		else
			memset(table + t, 'a' + (int)(i % 26), lens[i]);
		t += lens[i];
	}
	out[n++] = 0x06;
	{
		uint8_t tsz[5];
		size_t tn = put_mbi31(tsz, (uint32_t)t);

		n += put_mbi31(out + n, (uint32_t)(tn + t + doclen));
		memcpy(out + n, tsz, tn);
		n += tn;
	}
	memcpy(out + n, table, t);
	n += t;
	memcpy(out + n, doc, doclen);
	return n + doclen;
}

/*
 * MAX_SESSION_DICTIONARY_SIZE (default 2048) counts what the strings take
 * in string tables, length prefix included (16 strings of 127 bytes are
 * 2048).  A peer filling it exactly is served; one more string overflows
 * it: the receive returns WS_E_QUOTA_EXCEEDED, the channel is FAULTED and
 * later I/O gives WS_E_OBJECT_FAULTED.
 */
START_TEST(session_dictionary_quota)
{
	struct acceptor a;
	uint8_t rec[4096];
	size_t lens[20], n, i;
	uint16_t port;
	int fd;

	acceptor_start(&a, &port);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(harness_raw_write(fd, wine_client, WINE_PREAMBLE_LEN), 0);
	ck_assert_int_eq(pthread_join(a.t, NULL), 0);
	HR_EQ(a.hr, S_OK);

	/* 5 + 12 + 15 * 128 + 111 = 2048: full, not over. */
	lens[0] = 4;
	lens[1] = 11;
	for (i = 2; i < 17; i++)
		lens[i] = 127;
	lens[17] = 110;
	n = quota_record(rec, lens, 18, 1);
	ck_assert_int_eq(harness_raw_write(fd, rec, n), 0);
	HR_EQ(receive_text(a.ch, "hello from wsprobe client"), S_OK);

	/* One more string of one byte: 2050 > 2048. */
	lens[0] = 1;
	n = quota_record(rec, lens, 1, 0);
	ck_assert_int_eq(harness_raw_write(fd, rec, n), 0);
	HR_EQ(receive_text(a.ch, NULL), WS_E_QUOTA_EXCEEDED);
	STATE_EQ(a.ch, WS_CHANNEL_STATE_FAULTED);
	HR_EQ(receive_text(a.ch, NULL), WS_E_OBJECT_FAULTED);
	close(fd);
	acceptor_free(&a);
}
END_TEST

/* A binary document that does not decode (a record byte MC-NBFX does not
 * define, after a valid string table) leaves the channel FAULTED with
 * WS_E_INVALID_FORMAT; the daemon serves the next connection as before. */
START_TEST(malformed_binary_document)
{
	static const uint8_t bad[] = { 0x06, 0x04, 0x00, 0x56, 0x02, 0x00 };
	struct acceptor a;
	uint16_t port;
	int fd;

	acceptor_start(&a, &port);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(harness_raw_write(fd, wine_client, WINE_PREAMBLE_LEN), 0);
	ck_assert_int_eq(pthread_join(a.t, NULL), 0);
	HR_EQ(a.hr, S_OK);
	ck_assert_int_eq(harness_raw_write(fd, bad, sizeof(bad)), 0);
	HR_EQ(receive_text(a.ch, NULL), WS_E_INVALID_FORMAT);
	STATE_EQ(a.ch, WS_CHANNEL_STATE_FAULTED);
	close(fd);
	acceptor_free(&a);

	/* Nothing else was affected: the Wine exchange still works. */
	acceptor_start(&a, &port);
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(harness_raw_write(fd, wine_client,
	    WINE_PREAMBLE_LEN + WINE_RECORD_LEN), 0);
	ck_assert_int_eq(pthread_join(a.t, NULL), 0);
	HR_EQ(a.hr, S_OK);
	HR_EQ(receive_text(a.ch, "hello from wsprobe client"), S_OK);
	close(fd);
	acceptor_free(&a);
}
END_TEST

/* A peer that connects and never sends its preamble is dropped after the
 * listener's CONNECT_TIMEOUT, and the accept it held serves the next peer. */
START_TEST(silent_peer_does_not_hold_accept)
{
	ULONG ms = 300;
	WS_LISTENER_PROPERTY lp = { WS_LISTENER_PROPERTY_CONNECT_TIMEOUT, &ms,
	    sizeof(ms) };
	struct acceptor a;
	WS_STRING url;
	char buf[64];
	uint16_t port;
	uint8_t ack;
	int silent, fd;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(harness_free_port(&port), 0);
	HR_EQ(WsCreateListener(WS_CHANNEL_TYPE_DUPLEX_SESSION,
	    WS_TCP_CHANNEL_BINDING, &lp, 1, NULL, &a.l, NULL), S_OK);
	harness_url(buf, sizeof(buf), port, "x");
	url = harness_ws_string(buf);
	HR_EQ(WsOpenListener(a.l, &url, NULL, NULL), S_OK);
	free(url.chars);
	HR_EQ(WsCreateChannelForListener(a.l, NULL, 0, &a.ch, NULL), S_OK);
	ck_assert_int_eq(pthread_create(&a.t, NULL, acceptor_run, &a), 0);
	ck_assert(harness_wait_channel_state(a.ch, WS_CHANNEL_STATE_ACCEPTING,
	    5000));

	ck_assert_int_ge(silent = harness_tcp_connect(port), 0);
	/* The daemon drops the silent one ... */
	ck_assert_int_eq(harness_raw_wait_eof(silent, 5000), 0);
	STATE_EQ(a.ch, WS_CHANNEL_STATE_ACCEPTING);
	/* ... and the accept completes for a peer that speaks. */
	ck_assert_int_ge(fd = harness_tcp_connect(port), 0);
	ck_assert_int_eq(harness_raw_write(fd, wine_client,
	    WINE_PREAMBLE_LEN + WINE_RECORD_LEN), 0);
	ck_assert_int_eq(harness_raw_read_full(fd, &ack, 1, 5000), 0);
	ck_assert_int_eq(ack, 0x0b);
	ck_assert_int_eq(pthread_join(a.t, NULL), 0);
	HR_EQ(a.hr, S_OK);
	HR_EQ(receive_text(a.ch, "hello from wsprobe client"), S_OK);
	close(silent);
	close(fd);
	acceptor_free(&a);
}
END_TEST

/*
 * A graceful close sends End, then waits for the peer's End before its
 * FIN, as .NET Message Framing expects (WCF logs a reset otherwise): the
 * raw peer sees our End, no EOF while it holds its own back, then EOF once
 * it sent it; the close is S_OK.
 */
START_TEST(close_waits_for_peer_end)
{
	static const uint8_t end = 0x07;
	struct harness_raw_server rs;
	struct harness_async ca;
	WS_CHANNEL *ch = NULL;
	uint8_t b;

	HR_EQ(harness_tcp_channel(&ch, NULL, 0), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	harness_async_init(&ca);
	HR_EQ(WsCloseChannel(ch, &ca.ctx, NULL), WS_S_ASYNC);
	ck_assert_int_eq(harness_raw_read_full(rs.fd, &b, 1, 5000), 0);
	ck_assert_int_eq(b, 0x07);
	/* The daemon still waits for the peer's End: no FIN yet. */
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, 300), -ETIMEDOUT);
	ck_assert_int_eq(harness_async_calls(&ca), 0);
	ck_assert_int_eq(harness_raw_write(rs.fd, &end, 1), 0);
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, 5000), 0);
	ASYNC_EQ(&ca, WS_S_ASYNC, S_OK);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	harness_async_destroy(&ca);
	harness_raw_server_close(&rs);
	WsFreeChannel(ch);
}
END_TEST

/* A peer that never sends its End holds the close for CLOSE_TIMEOUT only:
 * then WS_E_OPERATION_TIMED_OUT, the channel CLOSED, the socket closed. */
START_TEST(close_times_out_without_peer_end)
{
	ULONG ct = 300;
	WS_CHANNEL_PROPERTY prop = { WS_CHANNEL_PROPERTY_CLOSE_TIMEOUT, &ct,
	    sizeof(ct) };
	struct harness_raw_server rs;
	WS_CHANNEL *ch = NULL;
	uint8_t b;

	HR_EQ(harness_tcp_channel(&ch, &prop, 1), S_OK);
	ck_assert_int_eq(harness_raw_server_open(&rs, ch, 0), 0);
	HR_EQ(WsCloseChannel(ch, NULL, NULL), WS_E_OPERATION_TIMED_OUT);
	STATE_EQ(ch, WS_CHANNEL_STATE_CLOSED);
	ck_assert_int_eq(harness_raw_read_full(rs.fd, &b, 1, 5000), 0);
	ck_assert_int_eq(b, 0x07);
	ck_assert_int_eq(harness_raw_wait_eof(rs.fd, 5000), 0);
	harness_raw_server_close(&rs);
	WsFreeChannel(ch);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("vectors");

	tcase_add_checked_fixture(tc, harness_fixture_setup, harness_fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, wine_client_to_our_listener);
	tcase_add_test(tc, our_client_to_wine_listener);
	tcase_add_test(tc, preamble_unsupported_version);
	tcase_add_test(tc, preamble_unsupported_mode);
	tcase_add_test(tc, preamble_unsupported_encoding);
	tcase_add_test(tc, session_dictionary_quota);
	tcase_add_test(tc, malformed_binary_document);
	tcase_add_test(tc, silent_peer_does_not_hold_accept);
	tcase_add_test(tc, close_waits_for_peer_end);
	tcase_add_test(tc, close_times_out_without_peer_end);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
