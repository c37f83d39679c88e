/*
 * Part of <wschannel/webservices.h>; include that header, not this one.
 * Serialization descriptions (WS_STRUCT_DESCRIPTION and friends) and the calls that take them, with the names and values of the Windows SDK.
 */
#ifndef WSCHANNEL_WS_SERIAL_H
#define WSCHANNEL_WS_SERIAL_H

#ifndef WSCHANNEL_WEBSERVICES_H
#error "include <wschannel/webservices.h>, not a part of it"
#endif

/* How a field of a structure appears in XML. */
typedef enum {
	WS_TYPE_ATTRIBUTE_FIELD_MAPPING = 0,
	WS_ATTRIBUTE_FIELD_MAPPING = 1,
	WS_ELEMENT_FIELD_MAPPING = 2,
	WS_REPEATING_ELEMENT_FIELD_MAPPING = 3,
	WS_TEXT_FIELD_MAPPING = 4,
	WS_NO_FIELD_MAPPING = 5,
	WS_XML_ATTRIBUTE_FIELD_MAPPING = 6,
	WS_ELEMENT_CHOICE_FIELD_MAPPING = 7,
	WS_REPEATING_ELEMENT_CHOICE_FIELD_MAPPING = 8,
	WS_ANY_ELEMENT_FIELD_MAPPING = 9,
	WS_REPEATING_ANY_ELEMENT_FIELD_MAPPING = 10,
	WS_ANY_CONTENT_FIELD_MAPPING = 11,
	WS_ANY_ATTRIBUTES_FIELD_MAPPING = 12
} WS_FIELD_MAPPING;

typedef struct _WS_DEFAULT_VALUE {
	void *value;
	ULONG valueSize;
} WS_DEFAULT_VALUE;

typedef struct _WS_ITEM_RANGE {
	ULONG minItemCount;
	ULONG maxItemCount;
} WS_ITEM_RANGE;

/* WS_FIELD_DESCRIPTION.options */
#define WS_FIELD_POINTER		0x1
#define WS_FIELD_OPTIONAL		0x2
#define WS_FIELD_NILLABLE		0x4
#define WS_FIELD_NILLABLE_ITEM		0x8
#define WS_FIELD_OTHER_NAMESPACE	0x10

typedef struct _WS_FIELD_DESCRIPTION {
	WS_FIELD_MAPPING mapping;
	WS_XML_STRING *localName;
	WS_XML_STRING *ns;
	WS_TYPE type;
	void *typeDescription;
	ULONG offset;
	ULONG options;
	WS_DEFAULT_VALUE *defaultValue;
	ULONG countOffset;
	WS_XML_STRING *itemLocalName;
	WS_XML_STRING *itemNs;
	WS_ITEM_RANGE *itemRange;
} WS_FIELD_DESCRIPTION;

/* WS_STRUCT_DESCRIPTION.structOptions */
#define WS_STRUCT_ABSTRACT				0x1
#define WS_STRUCT_IGNORE_TRAILING_ELEMENT_CONTENT	0x2
#define WS_STRUCT_IGNORE_UNHANDLED_ATTRIBUTES		0x4

typedef struct _WS_STRUCT_DESCRIPTION {
	ULONG size;
	ULONG alignment;
	WS_FIELD_DESCRIPTION **fields;
	ULONG fieldCount;
	WS_XML_STRING *typeLocalName;
	WS_XML_STRING *typeNs;
	struct _WS_STRUCT_DESCRIPTION *parentType;
	struct _WS_STRUCT_DESCRIPTION **subTypes;
	ULONG subTypeCount;
	ULONG structOptions;
} WS_STRUCT_DESCRIPTION;

typedef struct _WS_UNION_FIELD_DESCRIPTION {
	int value;
	WS_FIELD_DESCRIPTION field;
} WS_UNION_FIELD_DESCRIPTION;

typedef struct _WS_UNION_DESCRIPTION {
	ULONG size;
	ULONG alignment;
	WS_UNION_FIELD_DESCRIPTION **fields;
	ULONG fieldCount;
	ULONG enumOffset;
	int noneEnumValue;
	ULONG *valueIndices;
} WS_UNION_DESCRIPTION;

typedef struct _WS_ENUM_VALUE {
	int value;
	WS_XML_STRING *name;
} WS_ENUM_VALUE;

typedef struct _WS_ENUM_DESCRIPTION {
	WS_ENUM_VALUE *values;
	ULONG valueCount;
	ULONG maxByteCount;
	ULONG *nameIndices;
} WS_ENUM_DESCRIPTION;

/* Ranges and constraints of the primitive types. */
typedef struct _WS_BOOL_DESCRIPTION {
	BOOL value;
} WS_BOOL_DESCRIPTION;
typedef struct _WS_INT8_DESCRIPTION {
	char minValue;
	char maxValue;
} WS_INT8_DESCRIPTION;
typedef struct _WS_INT16_DESCRIPTION {
	short minValue;
	short maxValue;
} WS_INT16_DESCRIPTION;
typedef struct _WS_INT32_DESCRIPTION {
	int minValue;
	int maxValue;
} WS_INT32_DESCRIPTION;
typedef struct _WS_INT64_DESCRIPTION {
	int64_t minValue;
	int64_t maxValue;
} WS_INT64_DESCRIPTION;
typedef struct _WS_UINT8_DESCRIPTION {
	BYTE minValue;
	BYTE maxValue;
} WS_UINT8_DESCRIPTION;
typedef struct _WS_UINT16_DESCRIPTION {
	USHORT minValue;
	USHORT maxValue;
} WS_UINT16_DESCRIPTION;
typedef struct _WS_UINT32_DESCRIPTION {
	ULONG minValue;
	ULONG maxValue;
} WS_UINT32_DESCRIPTION;
typedef struct _WS_UINT64_DESCRIPTION {
	uint64_t minValue;
	uint64_t maxValue;
} WS_UINT64_DESCRIPTION;
typedef struct _WS_FLOAT_DESCRIPTION {
	float minValue;
	float maxValue;
} WS_FLOAT_DESCRIPTION;
typedef struct _WS_DOUBLE_DESCRIPTION {
	double minValue;
	double maxValue;
} WS_DOUBLE_DESCRIPTION;
typedef struct _WS_DECIMAL_DESCRIPTION {
	DECIMAL minValue;
	DECIMAL maxValue;
} WS_DECIMAL_DESCRIPTION;
typedef struct _WS_DATETIME_DESCRIPTION {
	WS_DATETIME minValue;
	WS_DATETIME maxValue;
} WS_DATETIME_DESCRIPTION;
typedef struct _WS_TIMESPAN_DESCRIPTION {
	WS_TIMESPAN minValue;
	WS_TIMESPAN maxValue;
} WS_TIMESPAN_DESCRIPTION;
typedef HRESULT (CALLBACK *WS_DURATION_COMPARISON_CALLBACK)(
    const WS_DURATION *duration1, const WS_DURATION *duration2, int *result,
    WS_ERROR *error);
typedef struct _WS_DURATION_DESCRIPTION {
	WS_DURATION minValue;
	WS_DURATION maxValue;
	WS_DURATION_COMPARISON_CALLBACK comparer;
} WS_DURATION_DESCRIPTION;
typedef struct _WS_GUID_DESCRIPTION {
	GUID value;
} WS_GUID_DESCRIPTION;
typedef struct _WS_UNIQUE_ID_DESCRIPTION {
	ULONG minCharCount;
	ULONG maxCharCount;
} WS_UNIQUE_ID_DESCRIPTION;
typedef struct _WS_STRING_DESCRIPTION {
	ULONG minCharCount;
	ULONG maxCharCount;
} WS_STRING_DESCRIPTION;
typedef struct _WS_WSZ_DESCRIPTION {
	ULONG minCharCount;
	ULONG maxCharCount;
} WS_WSZ_DESCRIPTION;
typedef struct _WS_BYTES_DESCRIPTION {
	ULONG minByteCount;
	ULONG maxByteCount;
} WS_BYTES_DESCRIPTION;
typedef struct _WS_XML_STRING_DESCRIPTION {
	ULONG minByteCount;
	ULONG maxByteCount;
} WS_XML_STRING_DESCRIPTION;
typedef struct _WS_XML_QNAME_DESCRIPTION {
	ULONG minLocalNameByteCount;
	ULONG maxLocalNameByteCount;
	ULONG minNsByteCount;
	ULONG maxNsByteCount;
} WS_XML_QNAME_DESCRIPTION;

/* Counted arrays: the element's text as WCHARs, UTF-8 bytes or base64. */
typedef struct _WS_CHAR_ARRAY {
	WCHAR *chars;
	ULONG charCount;
} WS_CHAR_ARRAY;
typedef struct _WS_UTF8_ARRAY {
	BYTE *bytes;
	ULONG byteCount;
} WS_UTF8_ARRAY;
typedef struct _WS_BYTE_ARRAY {
	BYTE *bytes;
	ULONG byteCount;
} WS_BYTE_ARRAY;
typedef struct _WS_CHAR_ARRAY_DESCRIPTION {
	ULONG minCharCount;
	ULONG maxCharCount;
} WS_CHAR_ARRAY_DESCRIPTION;
typedef struct _WS_UTF8_ARRAY_DESCRIPTION {
	ULONG minByteCount;
	ULONG maxByteCount;
} WS_UTF8_ARRAY_DESCRIPTION;
typedef struct _WS_BYTE_ARRAY_DESCRIPTION {
	ULONG minByteCount;
	ULONG maxByteCount;
} WS_BYTE_ARRAY_DESCRIPTION;

/* Attributes a structure does not map (WS_ANY_ATTRIBUTES_FIELD_MAPPING). */
typedef struct _WS_ANY_ATTRIBUTE {
	WS_XML_STRING localName;
	WS_XML_STRING ns;
	WS_XML_TEXT *value;
} WS_ANY_ATTRIBUTE;
typedef struct _WS_ANY_ATTRIBUTES {
	WS_ANY_ATTRIBUTE *attributes;
	ULONG attributeCount;
} WS_ANY_ATTRIBUTES;

/* WS_CUSTOM_TYPE: the application reads and writes the value. */
typedef HRESULT (CALLBACK *WS_READ_TYPE_CALLBACK)(WS_XML_READER *reader,
    WS_TYPE_MAPPING typeMapping, const void *descriptionData, WS_HEAP *heap,
    void *value, ULONG valueSize, WS_ERROR *error);
typedef HRESULT (CALLBACK *WS_WRITE_TYPE_CALLBACK)(WS_XML_WRITER *writer,
    WS_TYPE_MAPPING typeMapping, const void *descriptionData,
    const void *value, ULONG valueSize, WS_ERROR *error);
typedef HRESULT (CALLBACK *WS_IS_DEFAULT_VALUE_CALLBACK)(
    const void *descriptionData, const void *value, const void *defaultValue,
    ULONG valueSize, BOOL *isDefault, WS_ERROR *error);
typedef struct _WS_CUSTOM_TYPE_DESCRIPTION {
	ULONG size;
	ULONG alignment;
	WS_READ_TYPE_CALLBACK readCallback;
	WS_WRITE_TYPE_CALLBACK writeCallback;
	void *descriptionData;
	WS_IS_DEFAULT_VALUE_CALLBACK isDefaultValueCallback;
} WS_CUSTOM_TYPE_DESCRIPTION;

typedef struct _WS_ENDPOINT_ADDRESS_DESCRIPTION {
	WS_ADDRESSING_VERSION addressingVersion;
} WS_ENDPOINT_ADDRESS_DESCRIPTION;

typedef struct _WS_VOID_DESCRIPTION {
	ULONG size;
} WS_VOID_DESCRIPTION;

#endif /* WSCHANNEL_WS_SERIAL_H */
