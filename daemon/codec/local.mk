# daemon/codec/: pure functions over byte buffers; they see nothing above.
noinst_LTLIBRARIES += libwscodec.la
libwscodec_la_SOURCES = \
	%D%/nmf.c %D%/nmf.h \
	%D%/nbfx.c %D%/nbfx.h %D%/nbfs_dict.c \
	%D%/nbfx_write.c %D%/nbfx_dict.c %D%/nbfx_buf.c %D%/nbfx_priv.h \
	%D%/envelope.c %D%/envelope.h \
	%D%/envelope_text.c %D%/envelope_text.h %D%/envelope_text_read.c \
	%D%/encoding.c %D%/encoding.h \
	%D%/url.c %D%/url.h
libwscodec_la_CPPFLAGS = $(AM_CPPFLAGS) $(CODEC_INC)
libwscodec_la_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS)
libwscodec_la_LIBADD = $(LIBXML2_LIBS)
