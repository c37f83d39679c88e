# daemon/door/: the Unix-socket (protobuf-c) and D-Bus (sd-bus) doors.
noinst_LTLIBRARIES += libwsdoor.la
libwsdoor_la_SOURCES = \
	%D%/unix.c %D%/unix.h \
	%D%/dbus.c %D%/dbus.h \
	%D%/bus_loop.c %D%/bus_loop.h
libwsdoor_la_CPPFLAGS = $(AM_CPPFLAGS) $(DOOR_INC)
libwsdoor_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBXML2_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) $(LIBSYSTEMD_CFLAGS)
libwsdoor_la_LIBADD = $(LIBEVENT_LIBS) $(PROTOBUF_C_LIBS) $(LIBSYSTEMD_LIBS)
