# client/ipc/: the one wire client of the project (calls, handles,
# waiting), with a backend per door; the library and wsctl both use it.
noinst_LTLIBRARIES += libwsipc.la
libwsipc_la_SOURCES = \
	%D%/ipc.c %D%/ipc.h %D%/bus.c
libwsipc_la_CPPFLAGS = $(AM_CPPFLAGS) $(CLIENT_INC)
libwsipc_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(LIBSYSTEMD_CFLAGS) -fvisibility=hidden
