# daemon/door/: the one dispatcher (request.c) and the two doors that feed
# it, the Unix socket (protobuf-c) and D-Bus (sd-bus).
noinst_LTLIBRARIES += libwsdoor.la
libwsdoor_la_SOURCES = \
	%D%/request.c %D%/request.h \
	%D%/request_log.c %D%/request_log.h \
	%D%/unix.c %D%/unix.h \
	%D%/unix_refs.c %D%/unix_refs.h \
	%D%/unix_envelope.c %D%/unix_envelope.h \
	%D%/unix_list.c %D%/unix_list.h \
	%D%/dbus.c %D%/dbus.h %D%/dbus_peer.c %D%/dbus_int.h \
	%D%/dbus_methods.c %D%/dbus_objects.c \
	%D%/bus_loop.c %D%/bus_loop.h
libwsdoor_la_CPPFLAGS = $(AM_CPPFLAGS) $(DOOR_INC)
libwsdoor_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBXML2_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) $(LIBSYSTEMD_CFLAGS)
libwsdoor_la_LIBADD = $(LIBEVENT_LIBS) $(PROTOBUF_C_LIBS) $(LIBSYSTEMD_LIBS)
