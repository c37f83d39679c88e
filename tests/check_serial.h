/* Descriptions shared by the serialization suites (check_serial*.c):
 * static tables written the way the Windows SDK samples and wsutil write
 * them. */
#ifndef CHECK_SERIAL_H
#define CHECK_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Each suite uses some of the tables and callbacks below. */
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-function"

#include "wschannel/webservices.h"

#ifndef HR_EQ
#define HR_EQ(a, b)	ck_assert_int_eq((a), (b))
#endif
#define HR_OK(a)	HR_EQ((a), S_OK)

#define SX(s)	{ sizeof(s) - 1, (BYTE *)(s), NULL, 0 }

static WS_XML_STRING sx_empty = SX(""), sx_po = SX("urn:po"),
    sx_PurchaseOrder = SX("PurchaseOrder"), sx_id = SX("id"),
    sx_Customer = SX("Customer"), sx_ShipTo = SX("ShipTo"),
    sx_City = SX("City"), sx_Zip = SX("Zip"), sx_Items = SX("Items"),
    sx_Item = SX("Item"), sx_Product = SX("Product"),
    sx_Quantity = SX("Quantity"), sx_Price = SX("Price"),
    sx_Status = SX("Status"), sx_OrderDate = SX("OrderDate"),
    sx_Priority = SX("Priority"), sx_Note = SX("Note"), sx_New = SX("New"),
    sx_Shipped = SX("Shipped");

/* ---- a purchase order: attribute, string, nested struct, array of line
 * items with a wrapper and a range, enum, datetime, optional pointer,
 * optional string ---- */
typedef enum { PO_NEW = 1, PO_SHIPPED = 2 } PO_STATUS;

typedef struct {
	WCHAR	*city;
	int32_t	 zip;
} PO_ADDRESS;

typedef struct {
	WCHAR	*product;
	int32_t	 quantity;
	double	 price;
} LINE_ITEM;

typedef struct {
	int32_t		 id;
	WCHAR		*customer;
	PO_ADDRESS	 shipTo;
	ULONG		 itemCount;
	LINE_ITEM	*items;
	PO_STATUS	 status;
	WS_DATETIME	 orderDate;
	int32_t		*priority;
	WCHAR		*note;
} PURCHASE_ORDER;

static WS_ENUM_VALUE po_status_values[] = {
	{ PO_NEW, &sx_New }, { PO_SHIPPED, &sx_Shipped } };
static WS_ENUM_DESCRIPTION po_status_desc = { po_status_values, 2, 7,
    NULL };
static WS_INT32_DESCRIPTION zip_range = { 1, 99999 };
static WS_ITEM_RANGE po_items_range = { 0, 3 };

static WS_FIELD_DESCRIPTION addr_city = { WS_ELEMENT_FIELD_MAPPING, &sx_City,
    &sx_po, WS_WSZ_TYPE, NULL, offsetof(PO_ADDRESS, city), 0, NULL, 0, NULL,
    NULL, NULL };
static WS_FIELD_DESCRIPTION addr_zip = { WS_ELEMENT_FIELD_MAPPING, &sx_Zip,
    &sx_po, WS_INT32_TYPE, &zip_range, offsetof(PO_ADDRESS, zip), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *addr_fields[] = { &addr_city, &addr_zip };
static WS_STRUCT_DESCRIPTION addr_desc = { sizeof(PO_ADDRESS),
    __alignof__(PO_ADDRESS), addr_fields, 2, NULL, NULL, NULL, NULL, 0, 0 };

static WS_FIELD_DESCRIPTION li_product = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Product, &sx_po, WS_WSZ_TYPE, NULL, offsetof(LINE_ITEM, product), 0,
    NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION li_quantity = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Quantity, &sx_po, WS_INT32_TYPE, NULL, offsetof(LINE_ITEM, quantity),
    0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION li_price = { WS_ELEMENT_FIELD_MAPPING, &sx_Price,
    &sx_po, WS_DOUBLE_TYPE, NULL, offsetof(LINE_ITEM, price), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *li_fields[] = { &li_product, &li_quantity,
    &li_price };
static WS_STRUCT_DESCRIPTION li_desc = { sizeof(LINE_ITEM),
    __alignof__(LINE_ITEM), li_fields, 3, NULL, NULL, NULL, NULL, 0, 0 };

static WS_FIELD_DESCRIPTION po_id = { WS_ATTRIBUTE_FIELD_MAPPING, &sx_id,
    &sx_empty, WS_INT32_TYPE, NULL, offsetof(PURCHASE_ORDER, id), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION po_customer = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Customer, &sx_po, WS_WSZ_TYPE, NULL,
    offsetof(PURCHASE_ORDER, customer), 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION po_shipto = { WS_ELEMENT_FIELD_MAPPING,
    &sx_ShipTo, &sx_po, WS_STRUCT_TYPE, &addr_desc,
    offsetof(PURCHASE_ORDER, shipTo), 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION po_items = { WS_REPEATING_ELEMENT_FIELD_MAPPING,
    &sx_Items, &sx_po, WS_STRUCT_TYPE, &li_desc,
    offsetof(PURCHASE_ORDER, items), 0, NULL,
    offsetof(PURCHASE_ORDER, itemCount), &sx_Item, &sx_po, &po_items_range };
static WS_FIELD_DESCRIPTION po_status = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Status, &sx_po, WS_ENUM_TYPE, &po_status_desc,
    offsetof(PURCHASE_ORDER, status), 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION po_date = { WS_ELEMENT_FIELD_MAPPING,
    &sx_OrderDate, &sx_po, WS_DATETIME_TYPE, NULL,
    offsetof(PURCHASE_ORDER, orderDate), 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION po_priority = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Priority, &sx_po, WS_INT32_TYPE, NULL,
    offsetof(PURCHASE_ORDER, priority), WS_FIELD_POINTER | WS_FIELD_OPTIONAL,
    NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION po_note = { WS_ELEMENT_FIELD_MAPPING, &sx_Note,
    &sx_po, WS_WSZ_TYPE, NULL, offsetof(PURCHASE_ORDER, note),
    WS_FIELD_OPTIONAL, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *po_fields[] = { &po_id, &po_customer,
    &po_shipto, &po_items, &po_status, &po_date, &po_priority, &po_note };
static WS_STRUCT_DESCRIPTION po_desc = { sizeof(PURCHASE_ORDER),
    __alignof__(PURCHASE_ORDER), po_fields, 8, &sx_PurchaseOrder, &sx_po,
    NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION po_elem = { &sx_PurchaseOrder, &sx_po,
    WS_STRUCT_TYPE, &po_desc };

static LINE_ITEM po_sample_items[] = {
	{ (WCHAR *)u"bolt", 10, 2.5 },
	{ (WCHAR *)u"nut", 100, 0.25 },
};

#define PO_TICKS	638397614450000000ULL	/* 2024-01-02T03:04:05Z */

static inline void
po_sample(PURCHASE_ORDER *po, int32_t *priority)
{
	memset(po, 0, sizeof(*po));
	po->id = 7;
	po->customer = (WCHAR *)u"Ada & Co";
	po->shipTo.city = (WCHAR *)u"Paris";
	po->shipTo.zip = 75001;
	po->itemCount = 2;
	po->items = po_sample_items;
	po->status = PO_SHIPPED;
	po->orderDate.ticks = PO_TICKS;
	po->orderDate.format = WS_DATETIME_FORMAT_UTC;
	po->priority = priority;
}

/* WsWriteStartElement with no prefix makes the namespace the default
 * one; unprefixed attributes are in no namespace. */
#define PO_XML \
	"<PurchaseOrder xmlns=\"urn:po\" id=\"7\">" \
	"<Customer>Ada &amp; Co</Customer>" \
	"<ShipTo><City>Paris</City><Zip>75001</Zip></ShipTo>" \
	"<Items><Item><Product>bolt</Product>" \
	"<Quantity>10</Quantity><Price>2.5</Price></Item>" \
	"<Item><Product>nut</Product><Quantity>100</Quantity>" \
	"<Price>0.25</Price></Item></Items>" \
	"<Status>Shipped</Status>" \
	"<OrderDate>2024-01-02T03:04:05Z</OrderDate>" \
	"<Priority>2</Priority></PurchaseOrder>"

/* ---- optional fields with and without default, no-field mapping ---- */
typedef struct {
	int32_t a, b, c, d;
} OPTS;

static WS_XML_STRING sx_Opts = SX("Opts"), sx_A = SX("A"), sx_B = SX("B"),
    sx_C = SX("C");
static int32_t opts_five = 5, opts_42 = 42;
static WS_DEFAULT_VALUE opts_def_a = { &opts_five, sizeof(int32_t) };
static WS_DEFAULT_VALUE opts_def_d = { &opts_42, sizeof(int32_t) };
static WS_FIELD_DESCRIPTION opts_a = { WS_ELEMENT_FIELD_MAPPING, &sx_A,
    &sx_empty, WS_INT32_TYPE, NULL, offsetof(OPTS, a), WS_FIELD_OPTIONAL,
    &opts_def_a, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION opts_b = { WS_ELEMENT_FIELD_MAPPING, &sx_B,
    &sx_empty, WS_INT32_TYPE, NULL, offsetof(OPTS, b), WS_FIELD_OPTIONAL,
    NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION opts_c = { WS_ELEMENT_FIELD_MAPPING, &sx_C,
    &sx_empty, WS_INT32_TYPE, NULL, offsetof(OPTS, c), 0, NULL, 0, NULL,
    NULL, NULL };
static WS_FIELD_DESCRIPTION opts_d = { WS_NO_FIELD_MAPPING, NULL, NULL,
    WS_INT32_TYPE, NULL, offsetof(OPTS, d), 0, &opts_def_d, 0, NULL, NULL,
    NULL };
static WS_FIELD_DESCRIPTION *opts_fields[] = { &opts_a, &opts_b, &opts_c,
    &opts_d };
static WS_STRUCT_DESCRIPTION opts_desc = { sizeof(OPTS), 4, opts_fields, 4,
    NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION opts_elem = { &sx_Opts, &sx_empty,
    WS_STRUCT_TYPE, &opts_desc };

/* ---- nillable fields: a pointer, a WS_STRING, a WSZ ---- */
typedef struct {
	int32_t		*p;
	WS_STRING	 s;
	WCHAR		*w;
} NILS;

static WS_XML_STRING sx_Nils = SX("Nils"), sx_P = SX("P"), sx_S = SX("S"),
    sx_W = SX("W");
static WS_FIELD_DESCRIPTION nils_p = { WS_ELEMENT_FIELD_MAPPING, &sx_P,
    &sx_empty, WS_INT32_TYPE, NULL, offsetof(NILS, p),
    WS_FIELD_POINTER | WS_FIELD_NILLABLE, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION nils_s = { WS_ELEMENT_FIELD_MAPPING, &sx_S,
    &sx_empty, WS_STRING_TYPE, NULL, offsetof(NILS, s), WS_FIELD_NILLABLE,
    NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION nils_w = { WS_ELEMENT_FIELD_MAPPING, &sx_W,
    &sx_empty, WS_WSZ_TYPE, NULL, offsetof(NILS, w), WS_FIELD_NILLABLE, NULL,
    0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *nils_fields[] = { &nils_p, &nils_s, &nils_w };
static WS_STRUCT_DESCRIPTION nils_desc = { sizeof(NILS), __alignof__(NILS),
    nils_fields, 3, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION nils_elem = { &sx_Nils, &sx_empty,
    WS_STRUCT_TYPE, &nils_desc };

#define XSI_DECL "xmlns:a=\"http://www.w3.org/2001/XMLSchema-instance\""
#define NILS_XML_NULL \
	"<Nils><P a:nil=\"true\" " XSI_DECL "/><S a:nil=\"true\" " XSI_DECL \
	"/><W a:nil=\"true\" " XSI_DECL "/></Nils>"

/* ---- attributes, xml:lang, text content, an enum attribute ---- */
typedef enum { UNIT_G = 0, UNIT_KG = 1 } UNIT;

typedef struct {
	WS_XML_STRING	 currency;
	double		 amount;
	WS_XML_STRING	 lang;
	int		 unit;
} PRICE;

static WS_XML_STRING sx_currency = SX("currency"), sx_lang = SX("lang"),
    sx_unit = SX("unit"), sx_g = SX("g"), sx_kg = SX("kg");
static WS_ENUM_VALUE unit_values[] = { { UNIT_G, &sx_g }, { UNIT_KG, &sx_kg } };
static WS_ENUM_DESCRIPTION unit_desc = { unit_values, 2, 2, NULL };
static WS_FIELD_DESCRIPTION price_currency = { WS_ATTRIBUTE_FIELD_MAPPING,
    &sx_currency, &sx_empty, WS_XML_STRING_TYPE, NULL,
    offsetof(PRICE, currency), 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION price_amount = { WS_TEXT_FIELD_MAPPING, NULL,
    NULL, WS_DOUBLE_TYPE, NULL, offsetof(PRICE, amount), 0, NULL, 0, NULL,
    NULL, NULL };
static WS_FIELD_DESCRIPTION price_lang = { WS_XML_ATTRIBUTE_FIELD_MAPPING,
    &sx_lang, NULL, WS_XML_STRING_TYPE, NULL, offsetof(PRICE, lang),
    WS_FIELD_OPTIONAL, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION price_unit = { WS_ATTRIBUTE_FIELD_MAPPING,
    &sx_unit, &sx_empty, WS_ENUM_TYPE, &unit_desc, offsetof(PRICE, unit),
    WS_FIELD_OPTIONAL, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *price_fields[] = { &price_currency,
    &price_amount, &price_lang, &price_unit };
static WS_STRUCT_DESCRIPTION price_desc = { sizeof(PRICE),
    __alignof__(PRICE), price_fields, 4, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION price_elem = { &sx_Price, &sx_empty,
    WS_STRUCT_TYPE, &price_desc };

/* ---- a union as an optional choice and as a repeating choice ---- */
typedef enum { SHAPE_NONE = 0, SHAPE_CIRCLE = 1, SHAPE_SQUARE = 2,
    SHAPE_LABEL = 3 } SHAPE_KIND;

typedef struct {
	SHAPE_KIND kind;
	union {
		int32_t	 radius;
		int32_t	 side;
		WCHAR	*label;
	} value;
} SHAPE;

typedef struct {
	SHAPE	 shape;
	ULONG	 count;
	SHAPE	*list;
} CHOICE;

static WS_XML_STRING sx_Choice = SX("Choice"), sx_Circle = SX("Circle"),
    sx_Square = SX("Square"), sx_Label = SX("Label"), sx_List = SX("List");
static WS_UNION_FIELD_DESCRIPTION shape_circle = { SHAPE_CIRCLE, {
    WS_ELEMENT_FIELD_MAPPING, &sx_Circle, &sx_empty, WS_INT32_TYPE, NULL,
    offsetof(SHAPE, value.radius), 0, NULL, 0, NULL, NULL, NULL } };
static WS_UNION_FIELD_DESCRIPTION shape_square = { SHAPE_SQUARE, {
    WS_ELEMENT_FIELD_MAPPING, &sx_Square, &sx_empty, WS_INT32_TYPE, NULL,
    offsetof(SHAPE, value.side), 0, NULL, 0, NULL, NULL, NULL } };
static WS_UNION_FIELD_DESCRIPTION shape_label = { SHAPE_LABEL, {
    WS_ELEMENT_FIELD_MAPPING, &sx_Label, &sx_empty, WS_WSZ_TYPE, NULL,
    offsetof(SHAPE, value.label), 0, NULL, 0, NULL, NULL, NULL } };
static WS_UNION_FIELD_DESCRIPTION *shape_fields[] = { &shape_circle,
    &shape_square, &shape_label };
static WS_UNION_DESCRIPTION shape_desc = { sizeof(SHAPE), __alignof__(SHAPE),
    shape_fields, 3, offsetof(SHAPE, kind), SHAPE_NONE, NULL };
static WS_FIELD_DESCRIPTION choice_shape = { WS_ELEMENT_CHOICE_FIELD_MAPPING,
    NULL, NULL, WS_UNION_TYPE, &shape_desc, offsetof(CHOICE, shape),
    WS_FIELD_OPTIONAL, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION choice_list = {
    WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING, &sx_List, &sx_empty,
    WS_UNION_TYPE, &shape_desc, offsetof(CHOICE, list), 0, NULL,
    offsetof(CHOICE, count), NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *choice_fields[] = { &choice_shape,
    &choice_list };
static WS_STRUCT_DESCRIPTION choice_desc = { sizeof(CHOICE),
    __alignof__(CHOICE), choice_fields, 2, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION choice_elem = { &sx_Choice, &sx_empty,
    WS_STRUCT_TYPE, &choice_desc };
static SHAPE choice_items[3] = {
	{ SHAPE_SQUARE, { .side = 4 } },
	{ SHAPE_LABEL, { .label = (WCHAR *)u"L" } },
	{ SHAPE_CIRCLE, { .radius = 1 } },
};
#define CHOICE_XML "<Choice><Circle>3</Circle><List><Square>4</Square>" \
	"<Label>L</Label><Circle>1</Circle></List></Choice>"

/* ---- any element, repeating any element, any content, any attributes ---- */
typedef struct {
	WS_ANY_ATTRIBUTES	 attrs;
	WS_XML_BUFFER		*first;
	ULONG			 extra_count;
	WS_XML_BUFFER		**extra;
	WS_XML_BUFFER		*rest;
} ANYS;

static WS_XML_STRING sx_Anys = SX("Anys");
static WS_FIELD_DESCRIPTION anys_attrs = { WS_ANY_ATTRIBUTES_FIELD_MAPPING,
    NULL, NULL, WS_ANY_ATTRIBUTES_TYPE, NULL, offsetof(ANYS, attrs), 0, NULL,
    0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION anys_first = { WS_ANY_ELEMENT_FIELD_MAPPING,
    NULL, NULL, WS_XML_BUFFER_TYPE, NULL, offsetof(ANYS, first), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION anys_extra = {
    WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING, NULL, NULL, WS_XML_BUFFER_TYPE,
    NULL, offsetof(ANYS, extra), 0, NULL, offsetof(ANYS, extra_count), NULL,
    NULL, NULL };
static WS_FIELD_DESCRIPTION anys_rest = { WS_ANY_CONTENT_FIELD_MAPPING,
    NULL, NULL, WS_XML_BUFFER_TYPE, NULL, offsetof(ANYS, rest), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *anys_fields[] = { &anys_attrs, &anys_first,
    &anys_extra, &anys_rest };
static WS_STRUCT_DESCRIPTION anys_desc = { sizeof(ANYS), __alignof__(ANYS),
    anys_fields, 4, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION anys_elem = { &sx_Anys, &sx_empty,
    WS_STRUCT_TYPE, &anys_desc };

/* ---- subtypes: Dog derives from Animal, named by xsi:type ---- */
typedef struct {
	const WS_STRUCT_DESCRIPTION	*type;
	int32_t				 legs;
} ANIMAL;

typedef struct {
	ANIMAL	 base;
	BOOL	 barks;
} DOG;

static WS_XML_STRING sx_zoo = SX("urn:zoo"), sx_Animal = SX("Animal"),
    sx_Dog = SX("Dog"), sx_Legs = SX("Legs"), sx_Barks = SX("Barks");
static WS_STRUCT_DESCRIPTION dog_desc;
static WS_STRUCT_DESCRIPTION *animal_subtypes[] = { &dog_desc };
static WS_FIELD_DESCRIPTION animal_type = { WS_TYPE_ATTRIBUTE_FIELD_MAPPING,
    NULL, NULL, WS_DESCRIPTION_TYPE, NULL, offsetof(ANIMAL, type), 0, NULL,
    0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION animal_legs = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Legs, &sx_zoo, WS_INT32_TYPE, NULL, offsetof(ANIMAL, legs), 0, NULL,
    0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION dog_barks = { WS_ELEMENT_FIELD_MAPPING,
    &sx_Barks, &sx_zoo, WS_BOOL_TYPE, NULL, offsetof(DOG, barks), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *animal_fields[] = { &animal_type, &animal_legs };
static WS_FIELD_DESCRIPTION *dog_fields[] = { &animal_type, &animal_legs,
    &dog_barks };
static WS_STRUCT_DESCRIPTION animal_desc = { sizeof(ANIMAL),
    __alignof__(ANIMAL), animal_fields, 2, &sx_Animal, &sx_zoo, NULL,
    animal_subtypes, 1, 0 };
static WS_STRUCT_DESCRIPTION dog_desc = { sizeof(DOG), __alignof__(DOG),
    dog_fields, 3, &sx_Dog, &sx_zoo, &animal_desc, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION animal_elem = { &sx_Animal, &sx_zoo,
    WS_STRUCT_TYPE, &animal_desc };
/* xsi:type's QName: Dog in the default namespace, urn:zoo. */
#define DOG_XML "<Animal xmlns=\"urn:zoo\" a:type=\"Dog\" " \
	"xmlns:a=\"http://www.w3.org/2001/XMLSchema-instance\">" \
	"<Legs>4</Legs><Barks>true</Barks></Animal>"

/* ---- char, UTF-8 and byte arrays; an enum attribute ---- */
typedef struct {
	WS_CHAR_ARRAY	 c;
	WS_UTF8_ARRAY	 u;
	WS_BYTE_ARRAY	 b;
	int		 unit;
} ARRAYS;

static WS_XML_STRING sx_Arrays = SX("Arrays"), sx_U = SX("U"),
    sx_u = SX("u");
static WS_FIELD_DESCRIPTION arrays_c = { WS_ELEMENT_FIELD_MAPPING, &sx_C,
    &sx_empty, WS_CHAR_ARRAY_TYPE, NULL, offsetof(ARRAYS, c), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION arrays_u = { WS_ELEMENT_FIELD_MAPPING, &sx_U,
    &sx_empty, WS_UTF8_ARRAY_TYPE, NULL, offsetof(ARRAYS, u), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION arrays_b = { WS_ELEMENT_FIELD_MAPPING, &sx_B,
    &sx_empty, WS_BYTE_ARRAY_TYPE, NULL, offsetof(ARRAYS, b), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION arrays_unit = { WS_ATTRIBUTE_FIELD_MAPPING,
    &sx_u, &sx_empty, WS_ENUM_TYPE, &unit_desc, offsetof(ARRAYS, unit), 0,
    NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *arrays_fields[] = { &arrays_c, &arrays_u,
    &arrays_b, &arrays_unit };
static WS_STRUCT_DESCRIPTION arrays_desc = { sizeof(ARRAYS),
    __alignof__(ARRAYS), arrays_fields, 4, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION arrays_elem = { &sx_Arrays, &sx_empty,
    WS_STRUCT_TYPE, &arrays_desc };

/* ---- a custom type (an RGB colour as "#rrggbb"), void, an address ---- */
typedef struct {
	ULONG			 rgb;
	WS_ENDPOINT_ADDRESS	 addr;
} MISC;

static HRESULT CALLBACK
rgb_write(WS_XML_WRITER *w, WS_TYPE_MAPPING m, const void *data,
    const void *value, ULONG size, WS_ERROR *error)
{
	char buf[16];
	WS_XML_STRING s;
	ULONG v;

	(void)data;
	if (size != sizeof(ULONG))
		return E_INVALIDARG;
	memcpy(&v, value, sizeof(v));
	snprintf(buf, sizeof(buf), "#%06x", (unsigned)v & 0xffffff);
	memset(&s, 0, sizeof(s));
	s.bytes = (BYTE *)buf;
	s.length = 7;
	return WsWriteType(w, m == WS_ELEMENT_TYPE_MAPPING ?
	    WS_ELEMENT_CONTENT_TYPE_MAPPING : m, WS_XML_STRING_TYPE, NULL,
	    WS_WRITE_REQUIRED_VALUE, &s, sizeof(s), error);
}

static HRESULT CALLBACK
rgb_read(WS_XML_READER *r, WS_TYPE_MAPPING m, const void *data,
    WS_HEAP *heap, void *value, ULONG size, WS_ERROR *error)
{
	WS_XML_STRING s;
	unsigned v = 0;
	char buf[8];
	ULONG i;

	(void)data;
	if (size != sizeof(ULONG))
		return E_INVALIDARG;
	if (m != WS_ELEMENT_TYPE_MAPPING)
		return E_INVALIDARG;
	HRESULT hr = WsReadType(r, m, WS_XML_STRING_TYPE, NULL,
	    WS_READ_REQUIRED_VALUE, heap, &s, sizeof(s), error);
	if (FAILED(hr))
		return hr;
	if (s.length != 7 || s.bytes[0] != '#')
		return WS_E_INVALID_FORMAT;
	for (i = 1; i < 7; i++)
		if (!((s.bytes[i] >= '0' && s.bytes[i] <= '9') ||
		    (s.bytes[i] >= 'a' && s.bytes[i] <= 'f')))
			return WS_E_INVALID_FORMAT;
	memcpy(buf, s.bytes + 1, 6);
	buf[6] = '\0';
	sscanf(buf, "%x", &v);
	memcpy(value, &v, sizeof(ULONG));
	return S_OK;
}

static WS_XML_STRING sx_Misc = SX("Misc"), sx_Color = SX("Color"),
    sx_Skip = SX("Skip"), sx_EP = SX("EP");
static WS_CUSTOM_TYPE_DESCRIPTION rgb_desc = { sizeof(ULONG), 4, rgb_read,
    rgb_write, NULL, NULL };
static WS_ENDPOINT_ADDRESS_DESCRIPTION ep_desc = {
    WS_ADDRESSING_VERSION_1_0 };
static WS_FIELD_DESCRIPTION misc_rgb = { WS_ELEMENT_FIELD_MAPPING, &sx_Color,
    &sx_empty, WS_CUSTOM_TYPE, &rgb_desc, offsetof(MISC, rgb), 0, NULL, 0,
    NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION misc_void = { WS_ELEMENT_FIELD_MAPPING, &sx_Skip,
    &sx_empty, WS_VOID_TYPE, NULL, 0, 0, NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION misc_ep = { WS_ELEMENT_FIELD_MAPPING, &sx_EP,
    &sx_empty, WS_ENDPOINT_ADDRESS_TYPE, &ep_desc, offsetof(MISC, addr), 0,
    NULL, 0, NULL, NULL, NULL };
static WS_FIELD_DESCRIPTION *misc_fields[] = { &misc_rgb, &misc_void,
    &misc_ep };
static WS_STRUCT_DESCRIPTION misc_desc = { sizeof(MISC), __alignof__(MISC),
    misc_fields, 3, NULL, NULL, NULL, NULL, 0, 0 };
static WS_ELEMENT_DESCRIPTION misc_elem = { &sx_Misc, &sx_empty,
    WS_STRUCT_TYPE, &misc_desc };
#define MISC_XML "<Misc><Color>#102030</Color><Skip/><EP><Address " \
	"xmlns=\"http://www.w3.org/2005/08/addressing\">" \
	"net.tcp://127.0.0.1/x</Address></EP></Misc>"

#endif
