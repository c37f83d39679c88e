/*
 * The service the gSOAP peer of tests/check_udp speaks: one one-way Ping
 * whose body is a single ns:text element (the leading "__" drops gSOAP's
 * wrapper element), with WS-Addressing 1.0 headers, as in
 * ../shared/vectors/soap.udp-capture.txt.  soapcpp2 turns this into the
 * peer's stubs at `make check` time; nothing it generates is committed.
 */
//gsoap ns service name: wsprobe
//gsoap ns service namespace: urn:wsprobe
//gsoap ns schema namespace: urn:wsprobe
//gsoap ns schema form: qualified
#import "wsa5.h"
//gsoap ns service method-action: Ping urn:wsprobe/Ping
int __ns__Ping(char *ns__text, void);
