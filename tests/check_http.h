/* What the HTTP suites share; tests/http_peer.c. */
#ifndef CHECK_HTTP_H
#define CHECK_HTTP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <wschannel/webservices.h>

#ifndef T_MS
#define T_MS		10000	/* bound of every wait that should succeed */
#endif

#define XSTR(s) { sizeof(s) - 1, (BYTE *)(s), NULL, 0 }

/* An int32 <value> in urn:wschannel-test, asked (Ask) and answered
 * (Answer). */
extern WS_ELEMENT_DESCRIPTION v_int;
extern WS_MESSAGE_DESCRIPTION req_desc, rep_desc;
extern const WS_MESSAGE_DESCRIPTION *req_descs[1], *rep_descs[1];

/* Every string of an error, joined, as ASCII. */
void	 error_text(WS_ERROR *, char *buf, size_t len);
HRESULT	 new_msg(WS_CHANNEL *, WS_MESSAGE **);
/* Frees what a server thread made, whichever of them exist. */
void	 free_server_side(WS_CHANNEL *, WS_MESSAGE *, WS_MESSAGE *, WS_HEAP *);
/* WsRequestReply of v; the answer in *out. */
HRESULT	 ask(WS_CHANNEL *, int32_t v, int32_t *out, WS_ERROR *);
HRESULT	 send_int(WS_CHANNEL *, int32_t v, const WS_ASYNC_CONTEXT *);
HRESULT	 receive_reply(WS_CHANNEL *, int32_t *out, WS_ERROR *);
/* A REPLY listener on http://127.0.0.1:<free port><path>. */
HRESULT	 listener_open(WS_LISTENER **, uint16_t *port, const char *path,
	    const WS_LISTENER_PROPERTY *, ULONG n);
HRESULT	 request_channel(WS_CHANNEL **, uint16_t port, const char *path,
	    const WS_CHANNEL_PROPERTY *, ULONG n);

/* A server thread through the daemon: accept, receive, answer, close. */
enum srv_mode {
	SRV_ECHO,		/* answers v + 1 */
	SRV_FAULT,		/* answers a fault */
	SRV_ONEWAY,		/* receives, closes without a reply: 202 */
};

struct srv {
	WS_LISTENER	*l;
	enum srv_mode	 mode;
	int		 count;		/* requests to serve */
	int		 served;
	HRESULT		 hr;		/* first failure */
	int32_t		 last;		/* last value received */
	pthread_t	 th;
};

void	 srv_start(struct srv *, WS_LISTENER *, enum srv_mode, int count);
void	 srv_join(struct srv *);

/* Raw HTTP peers: one message read by Content-Length (or EOF), its
 * status, a POST by hand (the socket, or -errno). */
ssize_t	 raw_read_http(int fd, char *buf, size_t len, int timeout_ms);
int	 raw_status(const char *resp);
int	 raw_post(uint16_t port, const char *path, const char *ctype,
	    const char *extra, const char *body, char *resp, size_t rlen);

#define ENV12_HEAD "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>" \
	"<a:Action s:mustUnderstand=\"1\">urn:wschannel-test/Ask</a:Action>" \
	"<a:MessageID>urn:uuid:00000000-0000-0000-0000-0000000000aa" \
	"</a:MessageID></s:Header><s:Body>"
#define ENV12(v) ENV12_HEAD "<value xmlns=\"urn:wschannel-test\">" v \
	"</value></s:Body></s:Envelope>"
#define CT12 "application/soap+xml; charset=utf-8; action=\"urn:wschannel-test/Ask\""

#endif
