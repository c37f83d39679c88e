/* What the Windows-style examples share; see SampleUtil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <WebServices.h>

#include "SampleUtil.h"

void
PrintChars(const WCHAR *chars, ULONG length)
{
	ULONG i;

	for (i = 0; i < length; i++)
		putchar(chars[i] < 0x80 ? (int)chars[i] : '?');
}

void
PrintWsz(const WCHAR *wsz)
{
	ULONG n = 0;

	while (wsz != NULL && wsz[n] != 0)
		n++;
	PrintChars(wsz, n);
}

void
PrintError(HRESULT errorCode, WS_ERROR *error)
{
	ULONG errorCount = 0, i;
	WS_STRING string;

	printf("Failure: errorCode=0x%08x\n", (unsigned int)errorCode);
	if (error == NULL || FAILED(WsGetErrorProperty(error,
	    WS_ERROR_PROPERTY_STRING_COUNT, &errorCount, sizeof(errorCount))))
		return;
	for (i = 0; i < errorCount; i++) {
		if (FAILED(WsGetErrorString(error, i, &string)))
			break;
		PrintChars(string.chars, string.length);
		putchar('\n');
	}
	fflush(stdout);
}

BOOL
ChannelForUrl(const char *url, WS_CHANNEL_BINDING *binding,
    WS_CHANNEL_TYPE *type, BOOL server)
{
	if (strncmp(url, "net.tcp://", 10) == 0) {
		*binding = WS_TCP_CHANNEL_BINDING;
		*type = WS_CHANNEL_TYPE_DUPLEX_SESSION;
	} else if (strncmp(url, "soap.udp://", 11) == 0) {
		*binding = WS_UDP_CHANNEL_BINDING;
		*type = WS_CHANNEL_TYPE_DUPLEX;
	} else if (strncmp(url, "http://", 7) == 0) {
		*binding = WS_HTTP_CHANNEL_BINDING;
		*type = server ? WS_CHANNEL_TYPE_REPLY :
		    WS_CHANNEL_TYPE_REQUEST;
	} else
		return FALSE;
	return TRUE;
}

BOOL
UrlToString(const char *url, WS_STRING *string)
{
	ULONG i, n = (ULONG)strlen(url);

	string->length = n;
	string->chars = (WCHAR *)malloc((n + 1) * sizeof(WCHAR));
	if (string->chars == NULL)
		return FALSE;
	for (i = 0; i <= n; i++)
		string->chars[i] = (WCHAR)(unsigned char)url[i];
	return TRUE;
}
