# daemon/transport/: one file per binding behind struct transport_ops, and
# builtin.c, the one table that registers them.
noinst_LTLIBRARIES += libwstransport.la
libwstransport_la_SOURCES = \
	%D%/builtin.c %D%/builtin.h \
	%D%/tcp.c %D%/tcp_sock.c %D%/tcp_sock.h \
	%D%/udp.c %D%/udp_dgram.c %D%/udp_priv.h \
	%D%/http.c %D%/http.h %D%/http_util.c %D%/http_client.c \
	%D%/http_server.c \
	%D%/http_raw.c %D%/http_raw.h
# WSCHANNEL_TRANSPORT hides the fields of the core's objects: transports use
# the core's functions "for transports" only.
libwstransport_la_CPPFLAGS = $(AM_CPPFLAGS) $(TRANSPORT_INC) -DWSCHANNEL_TRANSPORT
libwstransport_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBXML2_CFLAGS)
libwstransport_la_LIBADD = $(LIBEVENT_LIBS)
# The response body of a streamed-input REQUEST channel, as it arrives.
libwstransport_la_SOURCES += %D%/http_stream_in.c
