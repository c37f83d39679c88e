/* The WWSAPI channel and listener property tables, shared by the daemon
 * (defaults, validation, who may set what) and the library (the C type of
 * each value, to convert it to and from the wire's Property message). */
#ifndef WSCHANNEL_PROPS_H
#define WSCHANNEL_PROPS_H

#include <stdint.h>

enum prop_kind {
	PROP_NONE = 0,		/* id not known */
	PROP_ULONG,		/* ULONG (uint32_t), travels in Property.u */
	PROP_UINT64,		/* unsigned __int64, travels in Property.u */
	PROP_ENUM,		/* an enum (int), travels in Property.u */
	PROP_BOOL,		/* BOOL (int32_t), travels in Property.u */
	PROP_STRING,		/* WS_STRING, travels as UTF-8 in Property.s */
	PROP_ADDRESS,		/* WS_ENDPOINT_ADDRESS (url only), Property.s */
	PROP_UNSUPPORTED,	/* a pointer/struct property that cannot cross
				 * into the daemon: WS_E_NOT_SUPPORTED */
	/* Appended: */
	PROP_IFINDEX_SET,	/* ULONG array of interface indexes, size 4 x
				 * count; travels in Property.u as a mask,
				 * bit i for index i (0..63) */
	PROP_SOCKADDR,		/* SOCKADDR_STORAGE (128 bytes), read only;
				 * travels in Property.s as "1.2.3.4:80" or
				 * "[::1]:80" */
};

/* Interface indexes a PROP_IFINDEX_SET can hold. */
#define PROP_IFINDEX_MAX	63

/* When a property may be set. */
#define PROP_SET_CREATE	0x1	/* in WsCreateChannel / WsCreateListener */
#define PROP_SET_LATER	0x2	/* with WsSetChannelProperty in CREATED */
#define PROP_READONLY	0x0

/* Bindings a property applies to (bit 1 << WS_CHANNEL_BINDING). */
#define PROP_B_HTTP	0x01
#define PROP_B_TCP	0x02
#define PROP_B_UDP	0x04
#define PROP_B_ALL	0x1f

struct prop_desc {
	uint32_t	 id;
	const char	*name;		/* "MAX_BUFFERED_MESSAGE_SIZE" */
	enum prop_kind	 kind;
	uint32_t	 size;		/* the C value size the caller passes */
	uint32_t	 set;		/* PROP_SET_* */
	uint32_t	 bindings;	/* PROP_B_* */
	uint64_t	 def;		/* default for integer-like kinds */
	uint64_t	 min, max;	/* accepted range for integer-like kinds */
};

#define CHANNEL_PROP_COUNT	50
#define LISTENER_PROP_COUNT	17

/*
 * The checks every property call shares, as HRESULTs with a reason:
 * prop_check_readable for Get (known, usable here, applies to `binding`),
 * prop_check_settable for Set and create (also: settable then, in range).
 */
int32_t		 prop_check_readable(const struct prop_desc *, uint32_t binding,
		    const char **why);
int32_t		 prop_check_settable(const struct prop_desc *, uint32_t binding,
		    uint64_t value, int at_create, const char **why);

/* NULL for an id out of range. */
const struct prop_desc	*channel_prop(uint32_t id);
const struct prop_desc	*listener_prop(uint32_t id);

#endif
