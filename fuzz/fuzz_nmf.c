/*
 * libFuzzer target for daemon/codec/nmf.c: decode records one after another as
 * the net.tcp transport does, checking what the decoder promises (a
 * record's payload lies inside the record, a prefix of a record asks for
 * more input) and that MultiByteInt31 values survive encode/decode.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nmf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nmf_record	 rec;
	uint8_t			 mbi[NMF_MBI31_MAX];
	uint32_t		 v, v2;
	size_t			 off = 0;
	int			 n, m;

	if ((n = nmf_mbi31_decode(data, size, &v)) > 0) {
		m = nmf_mbi31_encode(v, mbi);
		if (nmf_mbi31_decode(mbi, (size_t)m, &v2) != m || v2 != v)
			abort();
	}
	while (off < size) {
		n = nmf_record_decode(data + off, size - off, 1 << 16, &rec);
		if (n == 0 || n == -EBADMSG || n == -EMSGSIZE)
			break;
		if (n < 0 || (size_t)n > size - off)
			abort();
		if (rec.data != NULL && (rec.data < data + off ||
		    rec.data + rec.size > data + off + (size_t)n))
			abort();
		/* Any strict prefix of a whole record is incomplete. */
		if (n > 1 && nmf_record_decode(data + off, (size_t)n - 1,
		    1 << 16, &rec) != 0)
			abort();
		off += (size_t)n;
	}
	return 0;
}
