/*
 * Datagrams of ../shared/vectors/soap.udp-capture.txt, byte for byte, with
 * the size and SHA-256 the capture gives (check_udp.c checks both before
 * it uses one).  Generated from the capture's text payloads.
 */
#include <stddef.h>

#include "check_udp.h"

const struct udp_vector udp_vectors[] = {
	/* A1: gSOAP client request, SOAP 1.2, WS-Addressing 1.0 */
	{ "A1", 899, "0dd9ab7d4af5b638f1e4604b4ab3e5cf97f3ab3949d2c8602b1d32d22af8d7be",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmln"
	    "s:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:SOAP-E"
	    "NC=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:xsi=\"http://w"
	    "ww.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2"
	    "001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/2005/0"
	    "2/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" xmln"
	    "s:ns=\"urn:wsprobe\"><SOAP-ENV:Header><wsa5:MessageID>urn:uuid:f036"
	    "2de9-1787-4e12-ab8b-4567327b23c6</wsa5:MessageID><wsa5:ReplyTo SOAP"
	    "-ENV:mustUnderstand=\"true\"><wsa5:Address>http://www.w3.org/2005/0"
	    "8/addressing/anonymous</wsa5:Address></wsa5:ReplyTo><wsa5:To SOAP-E"
	    "NV:mustUnderstand=\"true\">soap.udp://127.0.0.1:32404</wsa5:To><wsa"
	    "5:Action SOAP-ENV:mustUnderstand=\"true\">urn:wsprobe/Ping</wsa5:Ac"
	    "tion></SOAP-ENV:Header><SOAP-ENV:Body><ns:text>hello from wsprobe c"
	    "lient</ns:text></SOAP-ENV:Body></SOAP-ENV:Envelope>\r\n" },
	/* A2: gSOAP server reply to A1 */
	{ "A2", 862, "ebfff6d97c2dbab632df2b93a97c6246445a7fe20191e027a31f1d614e6646ef",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmln"
	    "s:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:SOAP-E"
	    "NC=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:xsi=\"http://w"
	    "ww.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2"
	    "001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/2005/0"
	    "2/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" xmln"
	    "s:ns=\"urn:wsprobe\"><SOAP-ENV:Header><wsa5:MessageID>urn:uuid:f036"
	    "3039-1787-4e6a-ab8b-4567327b23c6</wsa5:MessageID><wsa5:RelatesTo>ur"
	    "n:uuid:f0362de9-1787-4e12-ab8b-4567327b23c6</wsa5:RelatesTo><wsa5:T"
	    "o SOAP-ENV:mustUnderstand=\"true\">http://www.w3.org/2005/08/addres"
	    "sing/anonymous</wsa5:To><wsa5:Action SOAP-ENV:mustUnderstand=\"true"
	    "\">urn:wsprobe/Ping</wsa5:Action></SOAP-ENV:Header><SOAP-ENV:Body><"
	    "ns:text>reply from wsprobe server</ns:text></SOAP-ENV:Body></SOAP-E"
	    "NV:Envelope>\r\n" },
	/* B1: gSOAP client request, SOAP 1.1 */
	{ "B1", 894, "ed2f8c83ac12d16078e9ae7e99ea5e097e284b020c5a55281af7a1dd86837e49",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmln"
	    "s:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:SOAP"
	    "-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsi=\"http"
	    "://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.o"
	    "rg/2001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/20"
	    "05/02/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" "
	    "xmlns:ns=\"urn:wsprobe\"><SOAP-ENV:Header><wsa5:MessageID>urn:uuid:"
	    "f161ef7f-1787-4e12-ab8b-4567327b23c6</wsa5:MessageID><wsa5:ReplyTo "
	    "SOAP-ENV:mustUnderstand=\"1\"><wsa5:Address>http://www.w3.org/2005/"
	    "08/addressing/anonymous</wsa5:Address></wsa5:ReplyTo><wsa5:To SOAP-"
	    "ENV:mustUnderstand=\"1\">soap.udp://127.0.0.1:32405</wsa5:To><wsa5:"
	    "Action SOAP-ENV:mustUnderstand=\"1\">urn:wsprobe/Ping</wsa5:Action>"
	    "</SOAP-ENV:Header><SOAP-ENV:Body><ns:text>hello from wsprobe client"
	    "</ns:text></SOAP-ENV:Body></SOAP-ENV:Envelope>\r\n" },
	/* B2: gSOAP server reply to B1, SOAP 1.1 */
	{ "B2", 860, "66d17b7436b50afc93d33df594a7d3a46e7989b9797ccf397e0353d2abaae750",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmln"
	    "s:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:SOAP"
	    "-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsi=\"http"
	    "://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.o"
	    "rg/2001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/20"
	    "05/02/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" "
	    "xmlns:ns=\"urn:wsprobe\"><SOAP-ENV:Header><wsa5:MessageID>urn:uuid:"
	    "f161f197-1787-4e6a-ab8b-4567327b23c6</wsa5:MessageID><wsa5:RelatesT"
	    "o>urn:uuid:f161ef7f-1787-4e12-ab8b-4567327b23c6</wsa5:RelatesTo><ws"
	    "a5:To SOAP-ENV:mustUnderstand=\"1\">http://www.w3.org/2005/08/addre"
	    "ssing/anonymous</wsa5:To><wsa5:Action SOAP-ENV:mustUnderstand=\"1\""
	    ">urn:wsprobe/Ping</wsa5:Action></SOAP-ENV:Header><SOAP-ENV:Body><ns"
	    ":text>reply from wsprobe server</ns:text></SOAP-ENV:Body></SOAP-ENV"
	    ":Envelope>\r\n" },
	/* C1: gSOAP client request to the group 239.255.255.250 */
	{ "C1", 905, "a322c753dbc7dd8d86825f8a4fefdc18cd965712ea79e0f146bf26c14da929e7",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmln"
	    "s:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:SOAP-E"
	    "NC=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:xsi=\"http://w"
	    "ww.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2"
	    "001/XMLSchema\" xmlns:chan=\"http://schemas.microsoft.com/ws/2005/0"
	    "2/duplex\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" xmln"
	    "s:ns=\"urn:wsprobe\"><SOAP-ENV:Header><wsa5:MessageID>urn:uuid:f291"
	    "bf14-1787-4e12-ab8b-4567327b23c6</wsa5:MessageID><wsa5:ReplyTo SOAP"
	    "-ENV:mustUnderstand=\"true\"><wsa5:Address>http://www.w3.org/2005/0"
	    "8/addressing/anonymous</wsa5:Address></wsa5:ReplyTo><wsa5:To SOAP-E"
	    "NV:mustUnderstand=\"true\">soap.udp://239.255.255.250:32420</wsa5:T"
	    "o><wsa5:Action SOAP-ENV:mustUnderstand=\"true\">urn:wsprobe/Ping</w"
	    "sa5:Action></SOAP-ENV:Header><SOAP-ENV:Body><ns:text>hello from wsp"
	    "robe client</ns:text></SOAP-ENV:Body></SOAP-ENV:Envelope>\r\n" },
	/* D1: Mono WCF one-way message: BOM and XML declaration */
	{ "D1", 450, "9df38698744245390e448033ca2acb06228225a88a87817ec435c472dce90e76",
	    "\xef""\xbb""\xbf""<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Enve"
	    "lope xmlns:a=\"http://www.w3.org/2005/08/addressing\" xmlns:s=\"htt"
	    "p://www.w3.org/2003/05/soap-envelope\"><s:Header><a:Action s:mustUn"
	    "derstand=\"1\">urn:wsprobe/Ping</a:Action><a:MessageID>urn:uuid:283"
	    "9a984-0764-4aa8-a1b1-138642984042</a:MessageID><a:To s:mustUndersta"
	    "nd=\"1\">soap.udp://127.0.0.1:32115/</a:To></s:Header><s:Body><text"
	    " xmlns=\"urn:wsprobe\">hello from wsprobe client</text></s:Body></s"
	    ":Envelope>" },
	/* E4: WS-Discovery Probe (WS-Addressing 2004/08) to the group */
	{ "E4", 678, "a17a45be6aec6861e09313ac809b1d980dbff906bf210e97a1fa346918243f60",
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap"
	    "=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://sch"
	    "emas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas"
	    ".xmlsoap.org/ws/2005/04/discovery\" xmlns:wsdp=\"http://schemas.xml"
	    "soap.org/ws/2006/02/devprof\" xmlns:wsx=\"http://schemas.xmlsoap.or"
	    "g/ws/2004/09/mex\"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:"
	    "2005:04:discovery</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws"
	    "/2005/04/discovery/Probe</wsa:Action><wsa:MessageID>urn:uuid:65b624"
	    "dd-1086-49b1-896e-c550c1742c99</wsa:MessageID></soap:Header><soap:B"
	    "ody><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe></soap"
	    ":Body></soap:Envelope>" },
	/* E5: wsdd ProbeMatches, unicast to the prober */
	{ "E5", 1247, "a9cf84218ad206d11015fa516445345a9c166ccabd967603237dc7f615aadd1f",
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap"
	    "=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://sch"
	    "emas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas"
	    ".xmlsoap.org/ws/2005/04/discovery\" xmlns:wsx=\"http://schemas.xmls"
	    "oap.org/ws/2004/09/mex\" xmlns:wsdp=\"http://schemas.xmlsoap.org/ws"
	    "/2006/02/devprof\" xmlns:pnpx=\"http://schemas.microsoft.com/window"
	    "s/pnpx/2005/10\" xmlns:pub=\"http://schemas.microsoft.com/windows/p"
	    "ub/2005/07\"><soap:Header><wsa:To>http://schemas.xmlsoap.org/ws/200"
	    "4/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.x"
	    "mlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><wsa:Messa"
	    "geID>urn:uuid:07d3bac8-efb4-11f1-8c97-31e0b0f16616</wsa:MessageID><"
	    "wsa:RelatesTo>urn:uuid:65b624dd-1086-49b1-896e-c550c1742c99</wsa:Re"
	    "latesTo><wsd:AppSequence InstanceId=\"1796369192\" SequenceId=\"urn"
	    ":uuid:07d3bc58-efb4-11f1-8c97-31e0b0f16616\" MessageNumber=\"1\" />"
	    "</soap:Header><soap:Body><wsd:ProbeMatches><wsd:ProbeMatch><wsa:End"
	    "pointReference><wsa:Address>urn:uuid:11111111-2222-3333-4444-555555"
	    "555555</wsa:Address></wsa:EndpointReference><wsd:Types>wsdp:Device "
	    "pub:Computer</wsd:Types><wsd:MetadataVersion>1</wsd:MetadataVersion"
	    "></wsd:ProbeMatch></wsd:ProbeMatches></soap:Body></soap:Envelope>" },
	/* E9: wsdd ResolveMatches with XAddrs */
	{ "E9", 1340, "736f3a5020c437fe295813a48dfdd792b3054592943a01f30eebc828e019c5f2",
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap"
	    "=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://sch"
	    "emas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas"
	    ".xmlsoap.org/ws/2005/04/discovery\" xmlns:wsx=\"http://schemas.xmls"
	    "oap.org/ws/2004/09/mex\" xmlns:wsdp=\"http://schemas.xmlsoap.org/ws"
	    "/2006/02/devprof\" xmlns:pnpx=\"http://schemas.microsoft.com/window"
	    "s/pnpx/2005/10\" xmlns:pub=\"http://schemas.microsoft.com/windows/p"
	    "ub/2005/07\"><soap:Header><wsa:To>http://schemas.xmlsoap.org/ws/200"
	    "4/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.x"
	    "mlsoap.org/ws/2005/04/discovery/ResolveMatches</wsa:Action><wsa:Mes"
	    "sageID>urn:uuid:0a47e6da-efb4-11f1-8c97-31e0b0f16616</wsa:MessageID"
	    "><wsa:RelatesTo>urn:uuid:58f71057-9118-41cf-8265-a84b59811091</wsa:"
	    "RelatesTo><wsd:AppSequence InstanceId=\"1796369192\" SequenceId=\"u"
	    "rn:uuid:0a47e86a-efb4-11f1-8c97-31e0b0f16616\" MessageNumber=\"2\" "
	    "/></soap:Header><soap:Body><wsd:ResolveMatches><wsd:ResolveMatch><w"
	    "sa:EndpointReference><wsa:Address>urn:uuid:11111111-2222-3333-4444-"
	    "555555555555</wsa:Address></wsa:EndpointReference><wsd:Types>wsdp:D"
	    "evice pub:Computer</wsd:Types><wsd:XAddrs>http://192.0.2.1:5357/111"
	    "11111-2222-3333-4444-555555555555</wsd:XAddrs><wsd:MetadataVersion>"
	    "1</wsd:MetadataVersion></wsd:ResolveMatch></wsd:ResolveMatches></so"
	    "ap:Body></soap:Envelope>" },
	{ NULL, 0, NULL, NULL },
};
