# client/wsctl/: verb table, parsing (tested without a daemon), output.
bin_PROGRAMS = wsctl
noinst_LTLIBRARIES += libwsctl.la
libwsctl_la_SOURCES = %D%/wsctl_parse.c %D%/wsctl.h %D%/wsctl_output.c \
	%D%/wsctl_conn.c %D%/wsctl_bus.c
libwsctl_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS) $(LIBSYSTEMD_CFLAGS)
libwsctl_la_LIBADD = libcommon.la $(JSONC_LIBS) $(LIBSYSTEMD_LIBS)
wsctl_SOURCES = %D%/wsctl.c
wsctl_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS)
wsctl_LDADD = libwsctl.la
