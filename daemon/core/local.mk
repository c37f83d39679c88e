# daemon/core/: objects, states, pending operations, ownership, abort and
# the registry of bindings.  Knows no IPC and no wire.
noinst_LTLIBRARIES += libwscore.la
libwscore_la_SOURCES = \
	%D%/state.c %D%/state.h \
	%D%/pending.c %D%/pending.h %D%/freelist.h \
	%D%/registry.c %D%/registry.h \
	%D%/channel.c %D%/channel.h \
	%D%/listener.c %D%/listener.h \
	%D%/transport.c %D%/transport.h
libwscore_la_CPPFLAGS = $(AM_CPPFLAGS) $(CORE_INC)
libwscore_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBXML2_CFLAGS)
libwscore_la_LIBADD = $(LIBEVENT_LIBS)
