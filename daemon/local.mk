# daemon/: the thin main (options, sockets, sd_notify, signals, shutdown),
# the configuration file, and the log every layer writes to.
noinst_LTLIBRARIES += libwslog.la
libwslog_la_SOURCES = %D%/log.c %D%/log.h
libwslog_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBSYSTEMD_CFLAGS)
libwslog_la_LIBADD = $(LIBSYSTEMD_LIBS)

# Include paths per layer: a layer sees its own headers and those below.
CODEC_INC = -I$(top_srcdir)/daemon/codec
CORE_INC = -I$(top_srcdir)/daemon/core $(CODEC_INC) -I$(top_srcdir)/daemon
TRANSPORT_INC = -I$(top_srcdir)/daemon/transport $(CORE_INC)
DOOR_INC = -I$(top_srcdir)/daemon/door $(CORE_INC)
DAEMON_INC = $(DOOR_INC) -I$(top_srcdir)/daemon/transport

# Everything the daemon is made of, top layer first.
DAEMON_LIBS = libwsdoor.la libwstransport.la libwscore.la libwscodec.la \
	libwslog.la libcommon.la

sbin_PROGRAMS = wschanneld
wschanneld_SOURCES = %D%/main.c \
	%D%/notify.c %D%/notify.h %D%/conf.c %D%/conf.h
wschanneld_CPPFLAGS = $(AM_CPPFLAGS) $(DAEMON_INC)
wschanneld_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBXML2_CFLAGS) \
	$(LIBSYSTEMD_CFLAGS) $(INIH_CFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'
wschanneld_LDADD = $(DAEMON_LIBS) $(LIBEVENT_LIBS) $(LIBXML2_LIBS) \
	$(PROTOBUF_C_LIBS) $(LIBSYSTEMD_LIBS) $(INIH_LIBS)
