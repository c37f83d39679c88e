/*
 * The interface soapcpp2 builds the gSOAP peers of check_http_gsoap from:
 * one document/literal operation without wrapper (the double underscore),
 * so that the Body holds <ns:value> alone, as a WS_INT32 element
 * description of libwschannel reads and writes it.
 */
//gsoap ns service name: ping
//gsoap ns service style: document
//gsoap ns service encoding: literal
//gsoap ns service namespace: urn:wschannel-test
//gsoap ns schema namespace: urn:wschannel-test
//gsoap ns schema elementForm: qualified
//gsoap ns service method-action: Ask urn:wschannel-test/Ask
typedef int _ns__value;
int __ns__Ask(_ns__value ns__value, _ns__value *ns__value_);
