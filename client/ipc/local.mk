# client/ipc/: the one wire client of the project (calls, handles,
# waiting), with a backend per door; the library and wsctl both use it.
noinst_LTLIBRARIES += libwsipc.la
libwsipc_la_SOURCES = \
	%D%/ipc.c %D%/ipc.h %D%/backend.h \
	%D%/ipc_arena.c %D%/ipc_arena.h %D%/ipc_handle.c %D%/ipc_address.c \
	%D%/ipc_error.c %D%/ipc_error.h %D%/ipc_int.h %D%/ipc_request.c \
	%D%/ipc_event.c \
	%D%/ipc_create.c %D%/ipc_loop.c %D%/ipc_object.c \
	%D%/unix.c \
	%D%/bus.c %D%/bus.h %D%/bus_msg.c %D%/bus_admin.c
libwsipc_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client/ipc
libwsipc_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(LIBSYSTEMD_CFLAGS) -fvisibility=hidden
libwsipc_la_LIBADD = $(LIBSYSTEMD_LIBS) $(PTHREAD_LIBS)
