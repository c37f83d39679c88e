# client/lib/: the WsXxx calls of libwschannel (channel, listener, message,
# body, error, heap).
noinst_LTLIBRARIES += libwsclient.la
libwsclient_la_SOURCES = \
	%D%/internal.h \
	%D%/ws_error.c %D%/ws_heap.c \
	%D%/ws_channel.c %D%/ws_listener.c \
	%D%/ws_message.c %D%/ws_header.c %D%/ws_envelope.c \
	%D%/ws_exchange.c %D%/ws_body.c %D%/ws_value.c
libwsclient_la_SOURCES += %D%/ws_fault.h %D%/ws_fault.c %D%/ws_fault_error.c
# The XML layer (WS_XML_READER, WS_XML_WRITER, WS_XML_BUFFER); binary XML
# through daemon/codec's nbfx, linked into the library below.
libwsclient_la_SOURCES += %D%/xml_internal.h %D%/xml_writer.h \
	%D%/xml_string.c %D%/xml_buffer.c %D%/xml_text.c %D%/xml_value.c %D%/xml_serial.c \
	%D%/xml_writer.c %D%/xml_writer_out.c \
	%D%/xml_reader.h %D%/xml_reader.c %D%/xml_reader_in.c %D%/xml_type.c \
	%D%/xml_message.c
# Serialization of described values (structs, enums, unions...): issue 12.
libwsclient_la_SOURCES += %D%/xml_struct.c %D%/xml_struct_read.c %D%/ws_chars.c
# Windows source compatibility (issue 12): security descriptions refused
# by name, the WS_URL calls.
libwsclient_la_SOURCES += %D%/ws_security.h %D%/ws_security.c %D%/ws_url.c
# Message extensions: custom and mapped headers, streamed bodies,
# WsAsyncExecute.
libwsclient_la_SOURCES += %D%/ws_custom_header.c %D%/ws_stream.c %D%/ws_async.c
# Streamed input: a body read as it arrives (HTTP REQUEST channels).
libwsclient_la_SOURCES += %D%/ws_stream_in.c
libwsclient_la_CPPFLAGS = $(AM_CPPFLAGS) $(CLIENT_INC) $(CODEC_INC)
libwsclient_la_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS) $(PROTOBUF_C_CFLAGS) -fvisibility=hidden

CLIENT_INC = -I$(top_srcdir)/client/lib -I$(top_srcdir)/client/ipc

lib_LTLIBRARIES = libwschannel.la
libwschannel_la_SOURCES =
libwschannel_la_LIBADD = libwsclient.la libwsipc.la libwscodec.la libcommon.la \
	$(LIBXML2_LIBS) $(PROTOBUF_C_LIBS) $(LIBSYSTEMD_LIBS) $(PTHREAD_LIBS)
libwschannel_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -no-undefined \
	-Wl,-z,nodelete
# The linker script keeps everything but the WsXxx API local.
libwschannel_la_LDFLAGS += -Wl,--version-script=$(top_srcdir)/client/libwschannel.sym
EXTRA_libwschannel_la_DEPENDENCIES = $(top_srcdir)/client/libwschannel.sym
# The rest of the XML layer: typed binary records, canonicalization, the
# small XML calls.
libwsclient_la_SOURCES += %D%/xml_binary.h %D%/xml_binary.c %D%/xml_util.c \
	%D%/xml_c14n.c %D%/xml_indent.c
# Node boundaries ahead of the parsers: incremental stream input, rows and
# columns, <a/> against <a></a>.
libwsclient_la_SOURCES += %D%/xml_scan.c
