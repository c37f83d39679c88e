# common/: shared by the daemon, the library and wsctl (HRESULT names,
# property tables, control frames, the generated protobuf code).
noinst_LTLIBRARIES += libcommon.la
libcommon_la_SOURCES = %D%/frame.c %D%/frame.h %D%/hresult.c %D%/hresult.h \
	%D%/props.c %D%/props.h %D%/busmap.c %D%/busmap.h \
	%D%/httphdr.c %D%/httphdr.h %D%/bigmem.c %D%/bigmem.h
nodist_libcommon_la_SOURCES = $(PROTO_GEN)
libcommon_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) -fPIC
libcommon_la_LIBADD = $(PROTOBUF_C_LIBS)
