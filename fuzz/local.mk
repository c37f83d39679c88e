# fuzz/: a target per decoder (NMF, binary XML, SOAP envelope, URL, the
# control protocol's frames).  Each runs for a few seconds in `make check`
# and longer with `make fuzz`.  The main is fuzz/driver.c (seeds, then
# seeded random mutations for FUZZ_SECONDS) unless ./configure CC=clang
# --enable-fuzzing, which links libFuzzer's main (fuzz/libfuzzer.c gives
# it a time budget and the seeds when it is started without arguments).
if FUZZING
FUZZ_MAIN = %D%/libfuzzer.c
else
FUZZ_MAIN = %D%/driver.c
endif
FUZZ_NAMES = nmf nbfx envelope url frame http
FUZZ_TARGETS = %D%/fuzz_nmf %D%/fuzz_nbfx %D%/fuzz_envelope %D%/fuzz_url \
	%D%/fuzz_frame %D%/fuzz_http
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
EXTRA_DIST += %D%/corpus
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/%D% -DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
FUZZ_LDFLAGS_ALL = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

%C%_fuzz_nmf_SOURCES = %D%/fuzz_nmf.c %D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_nmf_CPPFLAGS = $(FUZZ_CPPFLAGS) $(CODEC_INC) -DFUZZ_TARGET='"nmf"'
%C%_fuzz_nmf_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_nmf_LDADD = libwscodec.la

%C%_fuzz_nbfx_SOURCES = %D%/fuzz_nbfx.c %D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_nbfx_CPPFLAGS = $(FUZZ_CPPFLAGS) $(CODEC_INC) -DFUZZ_TARGET='"nbfx"'
%C%_fuzz_nbfx_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS)
%C%_fuzz_nbfx_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_nbfx_LDADD = libwscodec.la $(LIBXML2_LIBS)

%C%_fuzz_envelope_SOURCES = %D%/fuzz_envelope.c %D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_envelope_CPPFLAGS = $(FUZZ_CPPFLAGS) $(CODEC_INC) -DFUZZ_TARGET='"envelope"'
%C%_fuzz_envelope_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS)
%C%_fuzz_envelope_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_envelope_LDADD = libwscodec.la $(LIBXML2_LIBS)

%C%_fuzz_url_SOURCES = %D%/fuzz_url.c %D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_url_CPPFLAGS = $(FUZZ_CPPFLAGS) $(CODEC_INC) -DFUZZ_TARGET='"url"'
%C%_fuzz_url_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_url_LDADD = libwscodec.la

# The control frames as daemon/door/unix.c reads them: common/frame.c
# and the generated protobuf-c code, nothing of the daemon itself.
%C%_fuzz_frame_SOURCES = %D%/fuzz_frame.c %D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_frame_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_TARGET='"frame"'
%C%_fuzz_frame_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
%C%_fuzz_frame_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_frame_LDADD = libcommon.la $(PROTOBUF_C_LIBS)
$(%C%_fuzz_frame_OBJECTS): $(PROTO_GEN)

# soap.udp's datagram decoder (issue 9): daemon/transport/udp_dgram.c is
# pure, so it is compiled in with the codecs and nothing of the daemon.
FUZZ_NAMES += udp
FUZZ_TARGETS += %D%/fuzz_udp
%C%_fuzz_udp_SOURCES = %D%/fuzz_udp.c %D%/fuzz.h $(FUZZ_MAIN) \
	daemon/transport/udp_dgram.c daemon/transport/udp_priv.h
%C%_fuzz_udp_CPPFLAGS = $(FUZZ_CPPFLAGS) $(CODEC_INC) \
	-I$(top_srcdir)/daemon/transport -DFUZZ_TARGET='"udp"'
%C%_fuzz_udp_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS)
%C%_fuzz_udp_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_udp_LDADD = libwscodec.la $(LIBXML2_LIBS)

# The header values the HTTP transport reads from any client (http_util.c,
# built into the target with what it calls of the core and the codecs).
%C%_fuzz_http_SOURCES = %D%/fuzz_http.c %D%/fuzz.h $(FUZZ_MAIN) \
	daemon/transport/http_util.c daemon/transport/http.h
%C%_fuzz_http_CPPFLAGS = $(FUZZ_CPPFLAGS) $(TRANSPORT_INC) -DWSCHANNEL_TRANSPORT \
	-DFUZZ_TARGET='"http"'
%C%_fuzz_http_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBXML2_CFLAGS)
%C%_fuzz_http_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_http_LDADD = libwscore.la libwscodec.la libwslog.la libcommon.la \
	$(LIBEVENT_LIBS) $(LIBXML2_LIBS) $(PROTOBUF_C_LIBS)

# The XML readers of libwschannel (client/lib/xml_*.c), through its API.
FUZZ_NAMES += xml_text xml_binary
FUZZ_TARGETS += %D%/fuzz_xml_text %D%/fuzz_xml_binary

%C%_fuzz_xml_text_SOURCES = %D%/fuzz_xml_text.c %D%/fuzz_xml_common.h \
	%D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_xml_text_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_TARGET='"xml_text"'
%C%_fuzz_xml_text_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_xml_text_LDADD = libwschannel.la

%C%_fuzz_xml_binary_SOURCES = %D%/fuzz_xml_binary.c %D%/fuzz_xml_common.h \
	%D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_xml_binary_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_TARGET='"xml_binary"'
%C%_fuzz_xml_binary_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_xml_binary_LDADD = libwschannel.la

# The typed reader of libwschannel (issue 12): the descriptions of the
# serialization suites (tests/check_serial.h) read from any input.
FUZZ_NAMES += serial
FUZZ_TARGETS += %D%/fuzz_serial
%C%_fuzz_serial_SOURCES = %D%/fuzz_serial.c %D%/fuzz.h $(FUZZ_MAIN) \
	tests/check_serial.h
%C%_fuzz_serial_CPPFLAGS = $(FUZZ_CPPFLAGS) -I$(top_srcdir)/tests \
	-DFUZZ_TARGET='"serial"'
%C%_fuzz_serial_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_serial_LDADD = libwschannel.la

# `make fuzz`: each target for FUZZ_TIME seconds (make fuzz FUZZ_TIME=600).
FUZZ_TIME = 60
if FUZZING
FUZZ_RUN = $$p -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	%D%/corpus-$$t '$(abs_top_srcdir)/%D%/corpus/'$$t
else
FUZZ_RUN = FUZZ_SECONDS=$(FUZZ_TIME) $$p
endif
fuzz: $(FUZZ_TARGETS)
	$(AM_V_at)for t in $(FUZZ_NAMES); do \
	  p=%D%/fuzz_$$t; $(MKDIR_P) %D%/corpus-$$t || exit 1; \
	  WSCHANNEL_SRCDIR='$(abs_top_srcdir)' $(FUZZ_RUN) || exit 1; \
	done
.PHONY: fuzz
CLEANFILES += fuzz-crash-*
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf %D%/corpus-*
.PHONY: clean-fuzz

# The fault reader (issue 12): ws_fault.c is not exported, so the target
# links the library's own objects.
FUZZ_NAMES += fault
FUZZ_TARGETS += %D%/fuzz_fault
%C%_fuzz_fault_SOURCES = %D%/fuzz_fault.c %D%/fuzz.h $(FUZZ_MAIN)
%C%_fuzz_fault_CPPFLAGS = $(FUZZ_CPPFLAGS) $(CLIENT_INC) -DFUZZ_TARGET='"fault"'
%C%_fuzz_fault_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS) $(PROTOBUF_C_CFLAGS)
%C%_fuzz_fault_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
%C%_fuzz_fault_LDADD = libwsclient.la libwsipc.la libwscodec.la libcommon.la \
	$(LIBXML2_LIBS) $(PROTOBUF_C_LIBS) $(LIBSYSTEMD_LIBS) $(PTHREAD_LIBS)
