/* Unit suite: serialization of described values (WS_STRUCT_DESCRIPTION and
 * the other kinds) through WsWriteElement/WsReadElement and WsWriteType/
 * WsReadType, text and binary; expected XML written by hand from the
 * reference pages of WS_FIELD_MAPPING and WS_FIELD_DESCRIPTION. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_xml_common.h"
#include "check_serial.h"

/* ---- helpers ------------------------------------------------------------ */

static WS_XML_WRITER *
serial_writer(bool binary)
{
	WS_XML_WRITER_BINARY_ENCODING benc = {
	    { WS_XML_WRITER_ENCODING_TYPE_BINARY }, NULL, NULL, NULL };
	WS_XML_WRITER_BUFFER_OUTPUT out = {
	    { WS_XML_WRITER_OUTPUT_TYPE_BUFFER } };
	WS_XML_WRITER *w;

	if (!binary)
		return xml_test_writer(NULL, 0);
	ck_assert_int_eq(WsCreateWriter(NULL, 0, &w, NULL), S_OK);
	ck_assert_int_eq(WsSetOutput(w, &benc.encoding, &out.output, NULL, 0,
	    NULL), S_OK);
	return w;
}

static WS_XML_READER *
serial_reader(const void *bytes, ULONG n, bool binary)
{
	WS_XML_READER_TEXT_ENCODING tenc = {
	    { WS_XML_READER_ENCODING_TYPE_TEXT }, WS_CHARSET_UTF8 };
	WS_XML_READER_BINARY_ENCODING benc = {
	    { WS_XML_READER_ENCODING_TYPE_BINARY }, NULL, NULL };
	WS_XML_READER_BUFFER_INPUT in = {
	    { WS_XML_READER_INPUT_TYPE_BUFFER }, (void *)bytes, n };
	WS_XML_READER *r = NULL;

	ck_assert_int_eq(WsCreateReader(NULL, 0, &r, NULL), S_OK);
	ck_assert_int_eq(WsSetInput(r, binary ? &benc.encoding :
	    &tenc.encoding, &in.input, NULL, 0, NULL), S_OK);
	return r;
}

/* The writer's bytes, copied (malloc). */
static void *
serial_bytes(WS_XML_WRITER *w, ULONG *n)
{
	WS_BYTES b;
	void *p;

	ck_assert_int_eq(WsGetWriterProperty(w, WS_XML_WRITER_PROPERTY_BYTES,
	    &b, sizeof(b), NULL), S_OK);
	p = malloc(b.length + 1);
	ck_assert_ptr_nonnull(p);
	memcpy(p, b.bytes, b.length);
	*n = b.length;
	return p;
}

/* Writes `v` as element `d` in text and compares with `exp`; reads it back
 * from the text and from a binary encoding, each read value written again
 * as text must give `exp` too. */
static void
round_trip(const WS_ELEMENT_DESCRIPTION *d, const void *v, ULONG size,
    const char *exp, WS_HEAP *heap, void *out)
{
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	void *bytes;
	ULONG n;
	int binary;

	w = serial_writer(false);
	HR_OK(WsWriteElement(w, d, WS_WRITE_REQUIRED_VALUE, v, size, NULL));
	out_is(w, exp);
	WsFreeWriter(w);
	for (binary = 0; binary <= 1; binary++) {
		w = serial_writer(binary);
		HR_OK(WsWriteElement(w, d, WS_WRITE_REQUIRED_VALUE, v, size,
		    NULL));
		bytes = serial_bytes(w, &n);
		WsFreeWriter(w);
		if (binary)	/* really binary: a record, not '<' */
			ck_assert_int_ne(((BYTE *)bytes)[0], '<');
		r = serial_reader(bytes, n, binary);
		memset(out, 0xa5, size);
		HR_OK(WsReadElement(r, d, WS_READ_REQUIRED_VALUE, heap, out,
		    size, NULL));
		WsFreeReader(r);
		free(bytes);
		w = serial_writer(false);
		HR_OK(WsWriteElement(w, d, WS_WRITE_REQUIRED_VALUE, out, size,
		    NULL));
		out_is(w, exp);
		WsFreeWriter(w);
	}
}

/* Reads `text` as element `d`; the HRESULT. */
static HRESULT
read_text(const WS_ELEMENT_DESCRIPTION *d, const char *text,
    WS_READ_OPTION opt, WS_HEAP *heap, void *out, ULONG size)
{
	WS_XML_READER *r = xml_test_reader(text);
	HRESULT hr;

	hr = WsReadElement(r, d, opt, heap, out, size, NULL);
	WsFreeReader(r);
	return hr;
}

static WS_HEAP *
heap_new(SIZE_T max)
{
	WS_HEAP *h = NULL;

	ck_assert_int_eq(WsCreateHeap(max, 0, NULL, 0, &h, NULL), S_OK);
	return h;
}

static bool
wstr_is(const WCHAR *w, const char *s)
{
	size_t i;

	if (w == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (w[i] != (WCHAR)(unsigned char)s[i])
			return false;
	return w[i] == 0;
}

/* ---- the purchase order ------------------------------------------------- */

START_TEST(purchase_order_text_and_binary)
{
	WS_HEAP *heap = heap_new(1 << 20);
	PURCHASE_ORDER po, got;
	int32_t prio = 2;

	po_sample(&po, &prio);
	round_trip(&po_elem, &po, sizeof(po), PO_XML, heap, &got);
	ck_assert_int_eq(got.id, 7);
	ck_assert(wstr_is(got.customer, "Ada & Co"));
	ck_assert(wstr_is(got.shipTo.city, "Paris"));
	ck_assert_int_eq(got.shipTo.zip, 75001);
	ck_assert_uint_eq(got.itemCount, 2);
	ck_assert(wstr_is(got.items[1].product, "nut"));
	ck_assert_int_eq(got.items[1].quantity, 100);
	ck_assert(got.items[0].price == 2.5);
	ck_assert_int_eq(got.status, PO_SHIPPED);
	ck_assert_uint_eq(got.orderDate.ticks, po.orderDate.ticks);
	ck_assert_ptr_nonnull(got.priority);
	ck_assert_int_eq(*got.priority, 2);
	ck_assert_ptr_null(got.note);
	WsFreeHeap(heap);
}
END_TEST

/* A pointer to the struct, and nil through NILLABLE_POINTER. */
START_TEST(purchase_order_pointer_options)
{
	WS_HEAP *heap = heap_new(1 << 20);
	PURCHASE_ORDER po, *pp = &po, *got = NULL;
	WS_XML_WRITER *w = serial_writer(false);
	int32_t prio = 2;

	po_sample(&po, &prio);
	HR_OK(WsWriteElement(w, &po_elem, WS_WRITE_REQUIRED_POINTER, &pp,
	    sizeof(pp), NULL));
	out_is(w, PO_XML);
	WsFreeWriter(w);
	HR_OK(read_text(&po_elem, PO_XML, WS_READ_REQUIRED_POINTER, heap, &got,
	    sizeof(got)));
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->itemCount, 2);

	pp = NULL;
	w = serial_writer(false);
	HR_OK(WsWriteElement(w, &po_elem, WS_WRITE_NILLABLE_POINTER, &pp,
	    sizeof(pp), NULL));
	out_is(w, "<PurchaseOrder xmlns=\"urn:po\" a:nil=\"true\" xmlns:a=\""
	    "http://www.w3.org/2001/XMLSchema-instance\"/>");
	WsFreeWriter(w);
	HR_OK(read_text(&po_elem, "<PurchaseOrder xmlns='urn:po' xmlns:i="
	    "'http://www.w3.org/2001/XMLSchema-instance' i:nil='true'/>",
	    WS_READ_NILLABLE_POINTER, heap, &got, sizeof(got)));
	ck_assert_ptr_null(got);
	HR_EQ(read_text(&po_elem, "<PurchaseOrder xmlns='urn:po' xmlns:i="
	    "'http://www.w3.org/2001/XMLSchema-instance' i:nil='true'/>",
	    WS_READ_REQUIRED_POINTER, heap, &got, sizeof(got)),
	    WS_E_INVALID_FORMAT);
	/* An absent optional element is NULL. */
	HR_OK(read_text(&po_elem, "<Other/>", WS_READ_OPTIONAL_POINTER, heap,
	    &got, sizeof(got)));
	ck_assert_ptr_null(got);
	HR_EQ(read_text(&po_elem, "<Other/>", WS_READ_REQUIRED_POINTER, heap,
	    &got, sizeof(got)), WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(purchase_order_argument_errors)
{
	WS_HEAP *heap = heap_new(1 << 20);
	PURCHASE_ORDER po, got;
	WS_XML_WRITER *w = serial_writer(false);
	int32_t prio = 2;

	po_sample(&po, &prio);
	/* valueSize must be the struct's size. */
	HR_EQ(WsWriteElement(w, &po_elem, WS_WRITE_REQUIRED_VALUE, &po,
	    sizeof(po) - 1, NULL), E_INVALIDARG);
	/* A struct has no nil value. */
	HR_EQ(WsWriteElement(w, &po_elem, WS_WRITE_NILLABLE_VALUE, &po,
	    sizeof(po), NULL), E_INVALIDARG);
	/* Nothing was written by the failures. */
	out_is(w, "");
	/* A required element NULL. */
	po.customer = NULL;
	HR_OK(WsWriteStartElement(w, NULL, &sx_PurchaseOrder, &sx_po, NULL));
	HR_EQ(WsWriteType(w, WS_ELEMENT_TYPE_MAPPING, WS_STRUCT_TYPE, &po_desc,
	    WS_WRITE_REQUIRED_VALUE, &po, sizeof(po), NULL), E_INVALIDARG);
	/* Without an open element there is nothing to write into. */
	po.customer = (WCHAR *)u"c";
	WsFreeWriter(w);
	w = serial_writer(false);
	HR_EQ(WsWriteType(w, WS_ELEMENT_TYPE_MAPPING, WS_STRUCT_TYPE, &po_desc,
	    WS_WRITE_REQUIRED_VALUE, &po, sizeof(po), NULL),
	    WS_E_INVALID_OPERATION);
	WsFreeWriter(w);
	HR_EQ(read_text(&po_elem, PO_XML, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got) + 1), E_INVALIDARG);
	HR_EQ(read_text(&po_elem, PO_XML, WS_READ_NILLABLE_VALUE, heap, &got,
	    sizeof(got)), E_INVALIDARG);
	/* A pointer read needs a heap. */
	HR_EQ(read_text(&po_elem, PO_XML, WS_READ_REQUIRED_POINTER, NULL, &got,
	    sizeof(void *)), E_INVALIDARG);
	WsFreeHeap(heap);
}
END_TEST

/* The input does not fit the description: WS_E_INVALID_FORMAT. */
START_TEST(purchase_order_format_errors)
{
	static const char *const bad[] = {
		/* customer missing */
		"<PurchaseOrder xmlns='urn:po' id='1'><ShipTo><City>x</City>"
		"<Zip>1</Zip></ShipTo><Items/><Status>New</Status>"
		"<OrderDate>2024-01-01T00:00:00Z</OrderDate></PurchaseOrder>",
		/* id missing (a required attribute) */
		"<PurchaseOrder xmlns='urn:po'><Customer>c</Customer><ShipTo>"
		"<City>x</City><Zip>1</Zip></ShipTo><Items/><Status>New"
		"</Status><OrderDate>2024-01-01T00:00:00Z</OrderDate>"
		"</PurchaseOrder>",
		/* an enum value that has no name */
		"<PurchaseOrder xmlns='urn:po' id='1'><Customer>c</Customer>"
		"<ShipTo><City>x</City><Zip>1</Zip></ShipTo><Items/><Status>"
		"Lost</Status><OrderDate>2024-01-01T00:00:00Z</OrderDate>"
		"</PurchaseOrder>",
		/* zip outside WS_INT32_DESCRIPTION's 1..99999 */
		"<PurchaseOrder xmlns='urn:po' id='1'><Customer>c</Customer>"
		"<ShipTo><City>x</City><Zip>100000</Zip></ShipTo><Items/>"
		"<Status>New</Status><OrderDate>2024-01-01T00:00:00Z"
		"</OrderDate></PurchaseOrder>",
		/* more items than WS_ITEM_RANGE's 3 */
		"<PurchaseOrder xmlns='urn:po' id='1'><Customer>c</Customer>"
		"<ShipTo><City>x</City><Zip>1</Zip></ShipTo><Items>"
		"<Item><Product>a</Product><Quantity>1</Quantity><Price>1"
		"</Price></Item><Item><Product>a</Product><Quantity>1"
		"</Quantity><Price>1</Price></Item><Item><Product>a</Product>"
		"<Quantity>1</Quantity><Price>1</Price></Item><Item><Product>"
		"a</Product><Quantity>1</Quantity><Price>1</Price></Item>"
		"</Items><Status>New</Status><OrderDate>2024-01-01T00:00:00Z"
		"</OrderDate></PurchaseOrder>",
		/* an element after the last field */
		"<PurchaseOrder xmlns='urn:po' id='1'><Customer>c</Customer>"
		"<ShipTo><City>x</City><Zip>1</Zip></ShipTo><Items/><Status>"
		"New</Status><OrderDate>2024-01-01T00:00:00Z</OrderDate>"
		"<Extra/></PurchaseOrder>",
		/* an attribute no field maps */
		"<PurchaseOrder xmlns='urn:po' id='1' color='red'><Customer>c"
		"</Customer><ShipTo><City>x</City><Zip>1</Zip></ShipTo><Items/>"
		"<Status>New</Status><OrderDate>2024-01-01T00:00:00Z"
		"</OrderDate></PurchaseOrder>",
		/* fields out of order */
		"<PurchaseOrder xmlns='urn:po' id='1'><ShipTo><City>x</City>"
		"<Zip>1</Zip></ShipTo><Customer>c</Customer><Items/><Status>"
		"New</Status><OrderDate>2024-01-01T00:00:00Z</OrderDate>"
		"</PurchaseOrder>",
		/* not an int */
		"<PurchaseOrder xmlns='urn:po' id='x'><Customer>c</Customer>"
		"<ShipTo><City>x</City><Zip>1</Zip></ShipTo><Items/><Status>"
		"New</Status><OrderDate>2024-01-01T00:00:00Z</OrderDate>"
		"</PurchaseOrder>",
	};
	static const char good[] =
		"<PurchaseOrder xmlns='urn:po' id='1'>\n <Customer>c</Customer>"
		"<ShipTo><City>x</City><Zip>1</Zip></ShipTo><Items/><Status>"
		"New</Status><OrderDate>2024-01-01T00:00:00Z</OrderDate>\n"
		"</PurchaseOrder>";
	WS_HEAP *heap = heap_new(1 << 20);
	PURCHASE_ORDER got;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(read_text(&po_elem, bad[i],
		    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got)) ==
		    WS_E_INVALID_FORMAT, "input %zu was accepted", i);
	HR_OK(read_text(&po_elem, good, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got)));
	ck_assert_uint_eq(got.itemCount, 0);
	ck_assert_int_eq(got.status, PO_NEW);
	ck_assert_ptr_null(got.priority);
	WsFreeHeap(heap);
}
END_TEST

/* Every allocation counts against the heap's maximum. */
START_TEST(heap_quota)
{
	WS_HEAP *heap = heap_new(160);
	PURCHASE_ORDER *got = NULL;
	WS_ERROR *err = NULL;
	ULONG n = 0;

	HR_OK(WsCreateError(NULL, 0, &err));
	HR_EQ(read_text(&po_elem, PO_XML, WS_READ_REQUIRED_POINTER, heap, &got,
	    sizeof(got)), WS_E_QUOTA_EXCEEDED);
	{
		WS_XML_READER *r = xml_test_reader(PO_XML);

		HR_EQ(WsReadElement(r, &po_elem, WS_READ_REQUIRED_POINTER,
		    heap, &got, sizeof(got), err), WS_E_QUOTA_EXCEEDED);
		WsFreeReader(r);
	}
	HR_OK(WsGetErrorProperty(err, WS_ERROR_PROPERTY_STRING_COUNT, &n,
	    sizeof(n)));
	ck_assert_uint_ge(n, 1);
	WsFreeError(err);
	WsFreeHeap(heap);
}
END_TEST

/* ---- field mappings ----------------------------------------------------- */

START_TEST(optional_default_and_no_field)
{
	WS_HEAP *heap = heap_new(1 << 16);
	OPTS o = { 5, 0, 9, 77 }, got;

	/* a == its default 5: left out; b == 0 (no default: zeros): left
	 * out; c written; d is not in the XML at all. */
	round_trip(&opts_elem, &o, sizeof(o), "<Opts><C>9</C></Opts>", heap,
	    &got);
	ck_assert_int_eq(got.a, 5);
	ck_assert_int_eq(got.b, 0);
	ck_assert_int_eq(got.c, 9);
	ck_assert_int_eq(got.d, 42);	/* WS_NO_FIELD_MAPPING's default */
	o.a = 6;
	o.b = 1;
	round_trip(&opts_elem, &o, sizeof(o),
	    "<Opts><A>6</A><B>1</B><C>9</C></Opts>", heap, &got);
	HR_OK(read_text(&opts_elem, "<Opts><C>1</C></Opts>",
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got)));
	ck_assert_int_eq(got.a, 5);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(nillable_fields)
{
	WS_HEAP *heap = heap_new(1 << 16);
	NILS n, got;
	int32_t seven = 7;

	memset(&n, 0, sizeof(n));
	round_trip(&nils_elem, &n, sizeof(n), NILS_XML_NULL, heap, &got);
	ck_assert_ptr_null(got.p);
	ck_assert_ptr_null(got.s.chars);
	ck_assert_ptr_null(got.w);
	n.p = &seven;
	n.s.chars = (WCHAR *)u"hi";
	n.s.length = 2;
	n.w = (WCHAR *)u"yo";
	round_trip(&nils_elem, &n, sizeof(n),
	    "<Nils><P>7</P><S>hi</S><W>yo</W></Nils>", heap, &got);
	ck_assert_int_eq(*got.p, 7);
	ck_assert(wstr_is(got.w, "yo"));
	WsFreeHeap(heap);
}
END_TEST

START_TEST(attributes_text_and_xml_lang)
{
	WS_HEAP *heap = heap_new(1 << 16);
	PRICE p = { { 3, (BYTE *)"EUR", NULL, 0 }, 12.5,
	    { 2, (BYTE *)"fr", NULL, 0 }, UNIT_KG }, got;

	round_trip(&price_elem, &p, sizeof(p), "<Price currency=\"EUR\" "
	    "xml:lang=\"fr\" unit=\"kg\">12.5</Price>", heap, &got);
	ck_assert(xml_test_str_is(&got.currency, "EUR"));
	ck_assert(xml_test_str_is(&got.lang, "fr"));
	ck_assert(got.amount == 12.5);
	ck_assert_int_eq(got.unit, UNIT_KG);
	/* unit is optional: absent reads as its default (zeros: UNIT_G). */
	HR_OK(read_text(&price_elem, "<Price currency='USD'> 1 </Price>",
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got)));
	ck_assert(got.amount == 1);
	ck_assert_int_eq(got.unit, UNIT_G);
	HR_EQ(read_text(&price_elem, "<Price unit='kg'>1</Price>",
	    WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got)),
	    WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(union_choice)
{
	WS_HEAP *heap = heap_new(1 << 16);
	CHOICE c, got;

	memset(&c, 0, sizeof(c));
	c.shape.kind = SHAPE_CIRCLE;
	c.shape.value.radius = 3;
	c.count = 3;
	c.list = choice_items;
	round_trip(&choice_elem, &c, sizeof(c), CHOICE_XML, heap, &got);
	ck_assert_int_eq(got.shape.kind, SHAPE_CIRCLE);
	ck_assert_int_eq(got.shape.value.radius, 3);
	ck_assert_uint_eq(got.count, 3);
	ck_assert_int_eq(got.list[0].kind, SHAPE_SQUARE);
	ck_assert_int_eq(got.list[0].value.side, 4);
	ck_assert_int_eq(got.list[1].kind, SHAPE_LABEL);
	ck_assert(wstr_is(got.list[1].value.label, "L"));
	ck_assert_int_eq(got.list[2].kind, SHAPE_CIRCLE);
	/* The optional choice left empty. */
	c.shape.kind = SHAPE_NONE;
	c.count = 0;
	round_trip(&choice_elem, &c, sizeof(c), "<Choice><List/></Choice>",
	    heap, &got);
	ck_assert_int_eq(got.shape.kind, SHAPE_NONE);
	/* A choice value that the union does not know. */
	{
		WS_XML_WRITER *w = serial_writer(false);

		c.shape.kind = 99;
		HR_EQ(WsWriteElement(w, &choice_elem, WS_WRITE_REQUIRED_VALUE,
		    &c, sizeof(c), NULL), E_INVALIDARG);
		WsFreeWriter(w);
	}
	WsFreeHeap(heap);
}
END_TEST

START_TEST(any_element_content_and_attributes)
{
	WS_HEAP *heap = heap_new(1 << 16);
	ANYS got;
	WS_XML_WRITER *w;
	WS_XML_READER *r;
	static const char in[] = "<Anys k=\"v\" xmlns:p=\"urn:p\" p:q=\"1\">"
	    "<First>f</First><X1/><X2>t</X2><Rest>r</Rest>tail</Anys>";

	r = xml_test_reader(in);
	HR_OK(WsReadElement(r, &anys_elem, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL));
	WsFreeReader(r);
	ck_assert_ptr_nonnull(got.first);
	/* The repeating any element takes every element after the first;
	 * the any content what is left (the text). */
	ck_assert_uint_eq(got.extra_count, 3);
	ck_assert_ptr_nonnull(got.rest);
	ck_assert_uint_eq(got.attrs.attributeCount, 2);
	ck_assert(xml_test_str_is(&got.attrs.attributes[0].localName, "k"));
	ck_assert(xml_test_str_is(&got.attrs.attributes[1].ns, "urn:p"));
	w = serial_writer(false);
	HR_OK(WsWriteElement(w, &anys_elem, WS_WRITE_REQUIRED_VALUE, &got,
	    sizeof(got), NULL));
	out_is(w, "<Anys k=\"v\" a:q=\"1\" xmlns:a=\"urn:p\"><First>f</First>"
	    "<X1/><X2>t</X2><Rest>r</Rest>tail</Anys>");
	WsFreeWriter(w);
	/* The any element is required. */
	HR_EQ(read_text(&anys_elem, "<Anys/>", WS_READ_REQUIRED_VALUE, heap,
	    &got, sizeof(got)), WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(subtypes_by_xsi_type)
{
	WS_HEAP *heap = heap_new(1 << 16);
	DOG d = { { &dog_desc, 4 }, 1 }, *dp = &d;
	ANIMAL *got = NULL;
	WS_XML_WRITER *w = serial_writer(false);

	HR_OK(WsWriteElement(w, &animal_elem, WS_WRITE_REQUIRED_POINTER, &dp,
	    sizeof(dp), NULL));
	out_is(w, DOG_XML);
	WsFreeWriter(w);
	HR_OK(read_text(&animal_elem, DOG_XML, WS_READ_REQUIRED_POINTER, heap,
	    &got, sizeof(got)));
	ck_assert_ptr_eq(got->type, &dog_desc);
	ck_assert_int_eq(got->legs, 4);
	ck_assert_int_eq(((DOG *)got)->barks, 1);
	/* Without xsi:type: the base type. */
	HR_OK(read_text(&animal_elem, "<Animal xmlns='urn:zoo'><Legs>2</Legs>"
	    "</Animal>", WS_READ_REQUIRED_POINTER, heap, &got, sizeof(got)));
	ck_assert_ptr_eq(got->type, &animal_desc);
	ck_assert_int_eq(got->legs, 2);
	/* A type that is not a subtype. */
	HR_EQ(read_text(&animal_elem, "<Animal xmlns='urn:zoo' xmlns:i='"
	    "http://www.w3.org/2001/XMLSchema-instance' i:type='Cat'><Legs>2"
	    "</Legs></Animal>", WS_READ_REQUIRED_POINTER, heap, &got,
	    sizeof(got)), WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(arrays_enum_attribute_and_bytes)
{
	WS_HEAP *heap = heap_new(1 << 16);
	ARRAYS a = { { (WCHAR *)u"h\u00e9", 2 }, { (BYTE *)"abc", 3 },
	    { (BYTE *)"\x01\x02\xff", 3 }, UNIT_KG }, got;

	round_trip(&arrays_elem, &a, sizeof(a), "<Arrays u=\"kg\"><C>h\xc3\xa9"
	    "</C><U>abc</U><B>AQL/</B></Arrays>", heap, &got);
	ck_assert_uint_eq(got.c.charCount, 2);
	ck_assert_int_eq(got.c.chars[1], 0xe9);
	ck_assert_uint_eq(got.u.byteCount, 3);
	ck_assert_uint_eq(got.b.byteCount, 3);
	ck_assert_int_eq(got.b.bytes[2], 0xff);
	WsFreeHeap(heap);
}
END_TEST

START_TEST(custom_void_and_endpoint_address)
{
	WS_HEAP *heap = heap_new(1 << 16);
	MISC m, got;
	WS_ENDPOINT_ADDRESS *ep;

	memset(&m, 0, sizeof(m));
	m.rgb = 0x102030;
	m.addr.url.chars = (WCHAR *)u"net.tcp://127.0.0.1/x";
	m.addr.url.length = 21;
	round_trip(&misc_elem, &m, sizeof(m), MISC_XML, heap, &got);
	ck_assert_uint_eq(got.rgb, 0x102030);
	ck_assert_uint_eq(got.addr.url.length, 21);
	ep = &got.addr;
	ck_assert_int_eq(ep->url.chars[0], 'n');
	ck_assert_ptr_null(ep->headers);
	/* The void field's element is skipped whatever it holds. */
	HR_OK(read_text(&misc_elem, "<Misc><Color>#000001</Color><Skip><a>b"
	    "</a></Skip><EP><Address xmlns='http://www.w3.org/2005/08/"
	    "addressing'>u</Address></EP></Misc>", WS_READ_REQUIRED_VALUE,
	    heap, &got, sizeof(got)));
	ck_assert_uint_eq(got.rgb, 1);
	/* The custom reader's own error. */
	HR_EQ(read_text(&misc_elem, "<Misc><Color>red</Color><Skip/><EP>"
	    "<Address xmlns='http://www.w3.org/2005/08/addressing'>u"
	    "</Address></EP></Misc>", WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got)), WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
}
END_TEST

/* WsWriteType/WsReadType with the other mappings. */
START_TEST(type_mappings)
{
	WS_HEAP *heap = heap_new(1 << 16);
	WS_XML_WRITER *w = serial_writer(false);
	WS_XML_READER *r;
	static WS_XML_STRING s_e = XS("e"), s_at = XS("at"), s_ns = XS("");
	int unit = UNIT_KG, got = 0;
	static char fault_dummy[64];

	HR_OK(WsWriteStartElement(w, NULL, &s_e, &s_ns, NULL));
	HR_OK(WsWriteStartAttribute(w, NULL, &s_at, &s_ns, FALSE, NULL));
	HR_OK(WsWriteType(w, WS_ATTRIBUTE_TYPE_MAPPING, WS_ENUM_TYPE,
	    &unit_desc, WS_WRITE_REQUIRED_VALUE, &unit, sizeof(unit), NULL));
	HR_OK(WsWriteEndAttribute(w, NULL));
	HR_OK(WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_ENUM_TYPE,
	    &unit_desc, WS_WRITE_REQUIRED_VALUE, &unit, sizeof(unit), NULL));
	/* A struct is not an attribute value. */
	HR_EQ(WsWriteType(w, WS_ATTRIBUTE_TYPE_MAPPING, WS_STRUCT_TYPE,
	    &opts_desc, WS_WRITE_REQUIRED_VALUE, &unit, sizeof(OPTS), NULL),
	    WS_E_INVALID_OPERATION);
	/* A missing description. */
	HR_EQ(WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_ENUM_TYPE,
	    NULL, WS_WRITE_REQUIRED_VALUE, &unit, sizeof(unit), NULL),
	    E_INVALIDARG);
	/* A fault is a whole Fault element: content alone is refused
	 * (check_fault_api round-trips the element mapping). */
	HR_EQ(WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_FAULT_TYPE,
	    &fault_dummy, WS_WRITE_REQUIRED_VALUE, &fault_dummy,
	    sizeof(fault_dummy), NULL), E_INVALIDARG);
	HR_OK(WsWriteEndElement(w, NULL));
	out_is(w, "<e at=\"kg\">kg</e>");
	WsFreeWriter(w);

	r = xml_test_reader("<e at=\"g\">kg</e>");
	HR_OK(WsReadToStartElement(r, NULL, NULL, NULL, NULL));
	HR_OK(WsReadStartAttribute(r, 0, NULL));
	HR_OK(WsReadType(r, WS_ATTRIBUTE_TYPE_MAPPING, WS_ENUM_TYPE,
	    &unit_desc, WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got),
	    NULL));
	ck_assert_int_eq(got, UNIT_G);
	HR_OK(WsReadEndAttribute(r, NULL));
	HR_OK(WsReadStartElement(r, NULL));
	HR_OK(WsReadType(r, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_ENUM_TYPE,
	    &unit_desc, WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got),
	    NULL));
	ck_assert_int_eq(got, UNIT_KG);
	HR_OK(WsReadEndElement(r, NULL));
	WsFreeReader(r);
	WsFreeHeap(heap);
}
END_TEST

/* WsWriteAttribute/WsReadAttribute with an enum. */
START_TEST(attribute_calls)
{
	WS_HEAP *heap = heap_new(1 << 16);
	WS_XML_WRITER *w = serial_writer(false);
	WS_XML_READER *r;
	static WS_XML_STRING s_e = XS("e"), s_u = XS("u"), s_ns = XS("");
	WS_ATTRIBUTE_DESCRIPTION ad = { &s_u, &s_ns, WS_ENUM_TYPE,
	    &unit_desc };
	int unit = UNIT_KG, got = -1, *gp = NULL;

	HR_OK(WsWriteStartElement(w, NULL, &s_e, &s_ns, NULL));
	HR_OK(WsWriteAttribute(w, &ad, WS_WRITE_REQUIRED_VALUE, &unit,
	    sizeof(unit), NULL));
	HR_OK(WsWriteEndElement(w, NULL));
	out_is(w, "<e u=\"kg\"/>");
	WsFreeWriter(w);
	r = xml_test_reader("<e u='g'/>");
	HR_OK(WsReadToStartElement(r, NULL, NULL, NULL, NULL));
	HR_OK(WsReadAttribute(r, &ad, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got), NULL));
	ck_assert_int_eq(got, UNIT_G);
	HR_OK(WsReadAttribute(r, &ad, WS_READ_REQUIRED_POINTER, heap, &gp,
	    sizeof(gp), NULL));
	ck_assert_int_eq(*gp, UNIT_G);
	WsFreeReader(r);
	WsFreeHeap(heap);
}
END_TEST

/* Constraints of the descriptions on write: E_INVALIDARG, nothing out. */
START_TEST(write_constraints)
{
	PURCHASE_ORDER po;
	LINE_ITEM four[4];
	WS_XML_WRITER *w = serial_writer(false);
	int32_t prio = 2;

	po_sample(&po, &prio);
	po.shipTo.zip = 0;	/* below WS_INT32_DESCRIPTION's 1 */
	HR_EQ(WsWriteElement(w, &po_elem, WS_WRITE_REQUIRED_VALUE, &po,
	    sizeof(po), NULL), E_INVALIDARG);
	WsFreeWriter(w);
	po_sample(&po, &prio);
	memset(four, 0, sizeof(four));
	po.items = four;
	po.itemCount = 4;	/* above WS_ITEM_RANGE's 3 */
	w = serial_writer(false);
	HR_EQ(WsWriteElement(w, &po_elem, WS_WRITE_REQUIRED_VALUE, &po,
	    sizeof(po), NULL), E_INVALIDARG);
	WsFreeWriter(w);
	po_sample(&po, &prio);
	po.status = 9;		/* not a value of the enum */
	w = serial_writer(false);
	HR_EQ(WsWriteElement(w, &po_elem, WS_WRITE_REQUIRED_VALUE, &po,
	    sizeof(po), NULL), E_INVALIDARG);
	WsFreeWriter(w);
	po_sample(&po, &prio);
	po.itemCount = 1;
	po.items = NULL;	/* a count without items */
	w = serial_writer(false);
	HR_EQ(WsWriteElement(w, &po_elem, WS_WRITE_REQUIRED_VALUE, &po,
	    sizeof(po), NULL), E_INVALIDARG);
	WsFreeWriter(w);
}
END_TEST

/* Subtypes through the binary writer and reader; an abstract base. */
START_TEST(subtypes_binary_and_abstract)
{
	WS_HEAP *heap = heap_new(1 << 16);
	DOG d = { { &dog_desc, 3 }, 0 }, *dp = &d;
	ANIMAL *got = NULL;
	WS_STRUCT_DESCRIPTION abstract = animal_desc;
	WS_ELEMENT_DESCRIPTION abs_elem = animal_elem;
	WS_XML_WRITER *w = serial_writer(true);
	WS_XML_READER *r;
	ANIMAL a = { NULL, 2 }, *ap = &a;
	void *bytes;
	ULONG n;

	HR_OK(WsWriteElement(w, &animal_elem, WS_WRITE_REQUIRED_POINTER, &dp,
	    sizeof(dp), NULL));
	bytes = serial_bytes(w, &n);
	WsFreeWriter(w);
	r = serial_reader(bytes, n, true);
	HR_OK(WsReadElement(r, &animal_elem, WS_READ_REQUIRED_POINTER, heap,
	    &got, sizeof(got), NULL));
	WsFreeReader(r);
	free(bytes);
	ck_assert_ptr_eq(got->type, &dog_desc);
	ck_assert_int_eq(got->legs, 3);
	ck_assert_int_eq(((DOG *)got)->barks, 0);
	/* An abstract type is only ever one of its subtypes. */
	abstract.structOptions = WS_STRUCT_ABSTRACT;
	abs_elem.typeDescription = &abstract;
	w = serial_writer(false);
	HR_EQ(WsWriteElement(w, &abs_elem, WS_WRITE_REQUIRED_POINTER, &ap,
	    sizeof(ap), NULL), E_INVALIDARG);
	WsFreeWriter(w);
	HR_EQ(read_text(&abs_elem, "<Animal xmlns='urn:zoo'><Legs>2</Legs>"
	    "</Animal>", WS_READ_REQUIRED_POINTER, heap, &got, sizeof(got)),
	    WS_E_INVALID_FORMAT);
	WsFreeHeap(heap);
}
END_TEST

/* WS_STRUCT_IGNORE_TRAILING_ELEMENT_CONTENT and
 * WS_STRUCT_IGNORE_UNHANDLED_ATTRIBUTES. */
START_TEST(struct_ignore_options)
{
	WS_HEAP *heap = heap_new(1 << 16);
	WS_STRUCT_DESCRIPTION lax = opts_desc;
	WS_ELEMENT_DESCRIPTION lax_elem = opts_elem;
	static const char in[] = "<Opts x='1'><C>4</C><Later>t</Later>text"
	    "</Opts>";
	OPTS got;

	HR_EQ(read_text(&opts_elem, in, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got)), WS_E_INVALID_FORMAT);
	lax_elem.typeDescription = &lax;
	lax.structOptions = WS_STRUCT_IGNORE_TRAILING_ELEMENT_CONTENT;
	HR_EQ(read_text(&lax_elem, in, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got)), WS_E_INVALID_FORMAT);
	lax.structOptions |= WS_STRUCT_IGNORE_UNHANDLED_ATTRIBUTES;
	HR_OK(read_text(&lax_elem, in, WS_READ_REQUIRED_VALUE, heap, &got,
	    sizeof(got)));
	ck_assert_int_eq(got.c, 4);
	WsFreeHeap(heap);
}
END_TEST

/* A struct as element content (WS_ELEMENT_CONTENT_TYPE_MAPPING) and a
 * custom type under WS_ANY_ELEMENT_TYPE_MAPPING. */
START_TEST(struct_content_mapping)
{
	WS_HEAP *heap = heap_new(1 << 16);
	static WS_XML_STRING s_w = XS("Wrap");
	OPTS o = { 1, 2, 3, 0 }, got;
	WS_XML_WRITER *w = serial_writer(false);
	WS_XML_READER *r;

	HR_OK(WsWriteStartElement(w, NULL, &s_w, &sx_empty, NULL));
	HR_OK(WsWriteType(w, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_STRUCT_TYPE,
	    &opts_desc, WS_WRITE_REQUIRED_VALUE, &o, sizeof(o), NULL));
	HR_OK(WsWriteEndElement(w, NULL));
	out_is(w, "<Wrap><A>1</A><B>2</B><C>3</C></Wrap>");
	WsFreeWriter(w);
	r = xml_test_reader("<Wrap><A>1</A><B>2</B><C>3</C></Wrap>");
	HR_OK(WsReadToStartElement(r, &s_w, &sx_empty, NULL, NULL));
	HR_OK(WsReadStartElement(r, NULL));
	HR_OK(WsReadType(r, WS_ELEMENT_CONTENT_TYPE_MAPPING, WS_STRUCT_TYPE,
	    &opts_desc, WS_READ_REQUIRED_VALUE, heap, &got, sizeof(got),
	    NULL));
	HR_OK(WsReadEndElement(r, NULL));
	ck_assert_int_eq(got.b, 2);
	ck_assert_int_eq(got.d, 42);
	WsFreeReader(r);
	WsFreeHeap(heap);
}
END_TEST

static Suite *
serial_suite(void)
{
	Suite *s = suite_create("serial");
	TCase *tc = tcase_create("po");

	tcase_add_test(tc, purchase_order_text_and_binary);
	tcase_add_test(tc, purchase_order_pointer_options);
	tcase_add_test(tc, purchase_order_argument_errors);
	tcase_add_test(tc, purchase_order_format_errors);
	tcase_add_test(tc, heap_quota);
	suite_add_tcase(s, tc);
	tc = tcase_create("mappings");
	tcase_add_test(tc, optional_default_and_no_field);
	tcase_add_test(tc, nillable_fields);
	tcase_add_test(tc, attributes_text_and_xml_lang);
	tcase_add_test(tc, union_choice);
	tcase_add_test(tc, any_element_content_and_attributes);
	tcase_add_test(tc, subtypes_by_xsi_type);
	tcase_add_test(tc, arrays_enum_attribute_and_bytes);
	tcase_add_test(tc, custom_void_and_endpoint_address);
	tcase_add_test(tc, type_mappings);
	tcase_add_test(tc, attribute_calls);
	tcase_add_test(tc, write_constraints);
	tcase_add_test(tc, subtypes_binary_and_abstract);
	tcase_add_test(tc, struct_ignore_options);
	tcase_add_test(tc, struct_content_mapping);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(serial_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
