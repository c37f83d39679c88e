/*
 * Characters XML 1.0 can carry, checked before text is written; used by
 * the XML writer, header values and message bodies alike.
 */
#include "internal.h"

bool
ws_chars_xml_ok(const char *s, size_t len)
{
	size_t i;

	/* XML 1.0 has no way to carry the other C0 controls. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return false;
	}
	return true;
}
