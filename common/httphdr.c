/* What an HTTP header standing for a mapped header may be (httphdr.h). */
#include <string.h>
#include <strings.h>

#include "httphdr.h"

/*
 * The transport's own (bindings.md: the request and response lines we
 * write), the hop-by-hop ones (RFC 9110 7.6.1) and those that frame or
 * encode the body: an application that set them would break the exchange.
 */
static const char *const httphdr_owned_names[] = {
	"Connection", "Content-Encoding", "Content-Length", "Content-Type",
	"Expect", "Host", "Keep-Alive", "Proxy-Connection", "SOAPAction", "TE",
	"Trailer", "Transfer-Encoding", "Upgrade", "User-Agent",
};

bool
httphdr_name_ok(const char *name, size_t len)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	size_t i;

	if (name == NULL || len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != '\0' &&
		    strchr(extra, c) != NULL)))
			return false;
	}
	return true;
}

bool
httphdr_value_ok(const char *value, size_t len)
{
	size_t i;

	if (value == NULL)
		return len == 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

bool
httphdr_owned(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(httphdr_owned_names) /
	    sizeof(httphdr_owned_names[0]); i++)
		if (strlen(httphdr_owned_names[i]) == len &&
		    strncasecmp(httphdr_owned_names[i], name, len) == 0)
			return true;
	return false;
}
