/*
 * Requests that name an object by the create that made it.  A library
 * whose create repeats one the daemon accepted returns at once, and its
 * next call on the new object may leave before the create's reply is
 * back: it names the object as UNIX_REF_BIT | the create's request id.
 * The connection is ordered, so the create was handled by then; this file
 * keeps the last UNIX_REFS creates of a connection and puts the real ids
 * in before the request is decoded.
 *
 * Every object id field of every request is found through the protobuf
 * descriptors: a request's op is one message whose uint64 fields named
 * "id", "channel" or "listener" name objects.  New requests need nothing
 * here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <wschannel/webservices.h>

#include "unix_refs.h"

void
unix_refs_note(struct unix_refs *rf, uint64_t req, int32_t hr, uint64_t id)
{
	unsigned i = rf->next++ % UNIX_REFS;

	rf->req[i] = req;
	rf->hr[i] = hr;
	rf->id[i] = hr == S_OK ? id : 0;
	if (rf->count < UNIX_REFS)
		rf->count++;
}

/* S_OK and *id, the create's failure, or E_INVALIDARG when forgotten. */
static int32_t
unix_refs_find(const struct unix_refs *rf, uint64_t ref, uint64_t *id,
    const char **why)
{
	uint64_t req = ref & ~UNIX_REF_BIT;
	unsigned i;

	for (i = 0; i < rf->count; i++) {
		if (rf->req[i] != req)
			continue;
		if (rf->hr[i] != S_OK) {
			*why = "the create of the object it names failed";
			return rf->hr[i];
		}
		*id = rf->id[i];
		return S_OK;
	}
	*why = "names an object by a create this connection does not "
	    "remember";
	return E_INVALIDARG;
}

static bool
unix_refs_is_object_field(const ProtobufCFieldDescriptor *f)
{
	return f->type == PROTOBUF_C_TYPE_UINT64 &&
	    f->label != PROTOBUF_C_LABEL_REPEATED &&
	    (strcmp(f->name, "id") == 0 || strcmp(f->name, "channel") == 0 ||
	    strcmp(f->name, "listener") == 0);
}

int32_t
unix_refs_resolve(const struct unix_refs *rf, Wschannel__Request *rq,
    const char **why)
{
	const ProtobufCFieldDescriptor *f, *sf;
	ProtobufCMessage *op;
	uint64_t *v;
	unsigned i;
	int32_t hr;

	/* The op's field (a binary search: this runs for every request). */
	f = protobuf_c_message_descriptor_get_field(
	    &wschannel__request__descriptor, (unsigned)rq->op_case);
	if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return S_OK;
	op = *(ProtobufCMessage **)(void *)((char *)rq + f->offset);
	if (op == NULL)
		return S_OK;
	for (i = 0; i < op->descriptor->n_fields; i++) {
		sf = &op->descriptor->fields[i];
		if (!unix_refs_is_object_field(sf))
			continue;
		if (sf->label == PROTOBUF_C_LABEL_OPTIONAL &&
		    sf->quantifier_offset != 0 &&
		    !*(protobuf_c_boolean *)(void *)((char *)op +
		    sf->quantifier_offset))
			continue;
		v = (uint64_t *)(void *)((char *)op + sf->offset);
		if ((*v & UNIX_REF_BIT) == 0)
			continue;
		if ((hr = unix_refs_find(rf, *v, v, why)) != S_OK)
			return hr;
	}
	return S_OK;
}
