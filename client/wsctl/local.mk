# client/wsctl/: the administrator's tool.  Parsing, output and the verbs
# are a convenience library so that Check tests them without a daemon;
# wsctl reaches the daemon through client/ipc like the library does, and
# links that layer (and common/), not libwschannel.
WSCTL_INC = -I$(top_srcdir)/client/wsctl -I$(top_srcdir)/client/ipc
bin_PROGRAMS = wsctl
noinst_LTLIBRARIES += libwsctl.la
libwsctl_la_SOURCES = %D%/wsctl_parse.c %D%/wsctl.h %D%/wsctl_output.c \
	%D%/wsctl_verbs.c %D%/wsctl_list.c
libwsctl_la_CPPFLAGS = $(AM_CPPFLAGS) $(WSCTL_INC)
libwsctl_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS)
libwsctl_la_LIBADD = libwsipc.la libcommon.la $(JSONC_LIBS) \
	$(LIBSYSTEMD_LIBS) $(PROTOBUF_C_LIBS) $(PTHREAD_LIBS)
wsctl_SOURCES = %D%/wsctl.c
wsctl_CPPFLAGS = $(AM_CPPFLAGS) $(WSCTL_INC)
wsctl_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS)
wsctl_LDADD = libwsctl.la
