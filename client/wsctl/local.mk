# client/wsctl/: the administrator's tool.  Parsing and output are a
# convenience library of their own so that Check tests them without a
# daemon; wsctl reaches the daemon through client/ipc like the library.
bin_PROGRAMS = wsctl
noinst_LTLIBRARIES += libwsctl.la
libwsctl_la_SOURCES = %D%/wsctl_parse.c %D%/wsctl.h %D%/wsctl_output.c \
	%D%/wsctl_conn.c %D%/wsctl_bus.c
libwsctl_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client/wsctl
libwsctl_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS) $(LIBSYSTEMD_CFLAGS)
libwsctl_la_LIBADD = libcommon.la $(JSONC_LIBS) $(LIBSYSTEMD_LIBS)
wsctl_SOURCES = %D%/wsctl.c
wsctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client/wsctl
wsctl_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS)
wsctl_LDADD = libwsctl.la
