/*
 * wsctl's formatters: the same replies as text or as JSON (json-c).  Text
 * on a terminal gets headers and aligned columns; text into a pipe is one
 * record per line, fields separated by one space, "-" for an empty field,
 * and no legend, so that scripts can rely on it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "hresult.h"
#include "wsctl.h"

const char *
wsctl_hresult_str(uint32_t hr, char *buf, size_t len)
{
	const char *name = hresult_name(hr);

	if (name != NULL)
		return name;
	snprintf(buf, len, "0x%08" PRIX32, hr);
	return buf;
}

const char *
wsctl_channel_why(uint32_t hr)
{
	switch (wsctl_exit_for_hresult(hr)) {
	case WSCTL_EXIT_NOT_FOUND:
		return "no such channel";
	case WSCTL_EXIT_DENIED:
		return "the channel belongs to another user";
	default:
		return hresult_text(hr);
	}
}

/* An enum's name, or its number when the table does not know it. */
static const char *
output_enum_str(const char *name, uint32_t v, char *buf, size_t len)
{
	if (name != NULL)
		return name;
	snprintf(buf, len, "%" PRIu32, v);
	return buf;
}

/* ---- text ---------------------------------------------------------- */

/*
 * A table is filled cell by cell and printed at the end, because aligned
 * columns need the widest cell first.
 */
#define TABLE_MAX_COLS	10

/*
 * The cells live back to back in one growing pool, each ending in NUL, and
 * are found by their offsets: a list of every channel is one allocation
 * per doubling rather than one per cell.
 */
struct table {
	size_t		  ncols;
	const char	 *head[TABLE_MAX_COLS];
	bool		  right[TABLE_MAX_COLS];	/* numbers */
	size_t		 *cells;	/* offsets into pool */
	size_t		  ncells;
	size_t		  cap;
	char		 *pool;
	size_t		  used, pool_cap;
	bool		  oom;	/* a cell is missing: print nothing */
	/* Not a terminal: no widths to find, so each cell is written as it
	 * comes and nothing is kept. */
	FILE		 *stream;
	size_t		  col;
};

static void
output_table_init(struct table *t, struct wsctl_out *out, size_t ncols,
    const char *const *head, const bool *right)
{
	memset(t, 0, sizeof(*t));
	if (!out->tty)
		t->stream = out->f;
	t->ncols = ncols;
	memcpy(t->head, head, ncols * sizeof(*head));
	memcpy(t->right, right, ncols * sizeof(*right));
}

/* Room for `n` more bytes in the pool. */
static bool
output_table_reserve(struct table *t, size_t n)
{
	size_t cap = t->pool_cap == 0 ? 4096 : t->pool_cap;
	char *pool;

	if (n <= t->pool_cap - t->used)
		return true;
	while (cap - t->used < n) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	if ((pool = realloc(t->pool, cap)) == NULL)
		return false;
	t->pool = pool;
	t->pool_cap = cap;
	return true;
}

/* An empty or absent value is "-", so a field is never blank. */
static void
output_table_add(struct table *t, const char *s)
{
	size_t *cells, cap, len;

	if (t->oom)
		return;
	if (s == NULL || *s == '\0')
		s = "-";
	if (t->stream != NULL) {
		/* One thread writes: no stream lock per cell. */
		fputs_unlocked(s, t->stream);
		t->col = (t->col + 1) % t->ncols;
		putc_unlocked(t->col == 0 ? '\n' : ' ', t->stream);
		return;
	}
	len = strlen(s) + 1;
	if (t->ncells == t->cap) {
		cap = t->cap == 0 ? 64 : t->cap * 2;
		cells = realloc(t->cells, cap * sizeof(*cells));
		if (cells == NULL) {
			t->oom = true;
			return;
		}
		t->cells = cells;
		t->cap = cap;
	}
	if (!output_table_reserve(t, len)) {
		t->oom = true;
		return;
	}
	memcpy(t->pool + t->used, s, len);
	t->cells[t->ncells++] = t->used;
	t->used += len;
}

static void
output_table_addu(struct table *t, uint64_t v)
{
	char buf[32], *p = buf + sizeof(buf);

	/* By hand: a listing has a hundred thousand numbers and snprintf's
	 * format parsing was a fifth of wsctl's time. */
	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	output_table_add(t, p);
}

/* An enum's name, or its number when the table does not know it. */
static void
output_table_enum(struct table *t, const char *name, uint32_t v)
{
	char buf[16];

	output_table_add(t, output_enum_str(name, v, buf, sizeof(buf)));
}

static void
output_table_print(struct table *t, struct wsctl_out *out)
{
	size_t width[TABLE_MAX_COLS], i, c, len;
	FILE *f = out->f;

	if (t->oom) {
		out->error = -ENOMEM;
		return;
	}
	if (t->stream != NULL)
		return;		/* written as added */
	for (c = 0; c < t->ncols; c++)
		width[c] = strlen(t->head[c]);
	for (i = 0; i < t->ncells; i++) {
		len = strlen(t->pool + t->cells[i]);
		if (len > width[i % t->ncols])
			width[i % t->ncols] = len;
	}
	for (i = 0; i < t->ncols + t->ncells; i++) {
		const char *s;
		bool last;

		c = i % t->ncols;
		s = i < t->ncols ? t->head[c] : t->pool + t->cells[i - t->ncols];
		last = c + 1 == t->ncols;
		if (t->right[c])
			fprintf(f, "%*s", (int)width[c], s);
		else if (last)
			fputs(s, f);
		else
			fprintf(f, "%-*s", (int)width[c], s);
		fputs(last ? "\n" : "  ", f);
	}
}

static void
output_table_free(struct table *t)
{
	free(t->cells);
	free(t->pool);
}

static const char *const chead[] = { "ID", "UID", "PID", "TYPE", "BINDING",
    "STATE", "REMOTE", "PENDING", "IN", "OUT", "LOCAL" };
static const bool cright[] = { true, true, true, false, false, false, false,
    true, true, true, false };
static const char *const lhead[] = { "ID", "UID", "PID", "TYPE", "BINDING",
    "STATE", "URL", "PENDING", "LOCAL", "GROUP", "DROPPED" };
static const bool lright[] = { true, true, true, false, false, false, false,
    true, false, false, true };

/* A channel's row; `local`: with the endpoint column. */
static void
output_channel_cells(struct table *t, const Wschannel__ChannelInfo *ci,
    bool local)
{
	output_table_addu(t, ci->id);
	output_table_addu(t, ci->owner_uid);
	output_table_addu(t, ci->owner_pid);
	output_table_enum(t, channel_type_name(ci->type), ci->type);
	output_table_enum(t, channel_binding_name(ci->binding), ci->binding);
	output_table_enum(t, channel_state_name(ci->state), ci->state);
	output_table_add(t, ci->remote_address);
	output_table_addu(t, ci->pending);
	output_table_addu(t, ci->bytes_in);
	output_table_addu(t, ci->bytes_out);
	if (local)
		output_table_add(t, ci->local_address);
}

/* A listener's row; `local`: with the endpoint columns. */
static void
output_listener_cells(struct table *t, const Wschannel__ListenerInfo *li,
    bool local)
{
	output_table_addu(t, li->id);
	output_table_addu(t, li->owner_uid);
	output_table_addu(t, li->owner_pid);
	output_table_enum(t, channel_type_name(li->type), li->type);
	output_table_enum(t, channel_binding_name(li->binding), li->binding);
	output_table_enum(t, listener_state_name(li->state), li->state);
	output_table_add(t, li->url);
	output_table_addu(t, li->pending);
	if (local) {
		output_table_add(t, li->local_address);
		output_table_add(t, li->group);
		output_table_addu(t, li->datagrams_dropped);
	}
}

void
wsctl_text_channel_line(struct wsctl_out *out,
    const Wschannel__ChannelInfo *ci, bool local)
{
	struct table t;

	output_table_init(&t, out, local ? 11 : 10, chead, cright);
	output_channel_cells(&t, ci, local);
}

void
wsctl_text_listener_line(struct wsctl_out *out,
    const Wschannel__ListenerInfo *li, bool local)
{
	struct table t;

	output_table_init(&t, out, local ? 11 : 8, lhead, lright);
	output_listener_cells(&t, li, local);
}

static void
output_text_list(struct wsctl_out *out, const Wschannel__ChannelList *list)
{
	struct table t;
	size_t i;
	bool clocal = false, llocal = false;

	/* The endpoint columns appear only when a transport reported one
	 * (UDP), so that other listings keep their shape. */
	for (i = 0; i < list->n_channels; i++)
		if (list->channels[i]->local_address != NULL &&
		    *list->channels[i]->local_address != '\0')
			clocal = true;
	for (i = 0; i < list->n_listeners; i++)
		if (list->listeners[i]->local_address != NULL &&
		    *list->listeners[i]->local_address != '\0')
			llocal = true;
	output_table_init(&t, out, clocal ? 11 : 10, chead, cright);
	for (i = 0; i < list->n_channels; i++)
		output_channel_cells(&t, list->channels[i], clocal);
	/*
	 * On a terminal an empty list is said in words; into a pipe it is
	 * no line at all, so that every line stays a record.
	 */
	if (list->n_channels > 0)
		output_table_print(&t, out);
	else if (out->tty)
		fputs("no channels\n", out->f);
	output_table_free(&t);

	if (list->n_listeners == 0) {
		if (out->tty)
			fputs("\nno listeners\n", out->f);
		return;
	}
	/* The empty line tells the listeners from the channels. */
	fputc('\n', out->f);
	output_table_init(&t, out, llocal ? 11 : 8, lhead, lright);
	for (i = 0; i < list->n_listeners; i++)
		output_listener_cells(&t, list->listeners[i], llocal);
	output_table_print(&t, out);
	output_table_free(&t);
}

/* An HTTP channel's exchange: every request it makes or takes is a
 * POST (the listener refuses other methods), to the path of its URL.
 * The path, or NULL for a channel that is not HTTP or has no URL. */
static const char *
output_http_path(const Wschannel__ChannelInfo *ci)
{
	const char *p;

	if (ci->binding != 0 || ci->url == NULL ||
	    strncmp(ci->url, "http://", 7) != 0)
		return NULL;
	p = ci->url + 7;
	p += strcspn(p, "/");
	return *p != '\0' ? p : "/";
}

static void
output_text_show_http(FILE *f, const Wschannel__ChannelInfo *ci)
{
	const char *p;

	if ((p = output_http_path(ci)) == NULL)
		return;
	fprintf(f, "%-13s %s\n", "http-method:", "POST");
	fprintf(f, "%-13s %s\n", "http-path:", p);
}

static void
output_text_show(struct wsctl_out *out, const Wschannel__ChannelInfo *ci)
{
	char buf[16];
	FILE *f = out->f;

#define SHOW_FMT "%-13s %"
	fprintf(f, SHOW_FMT PRIu64 "\n", "id:", ci->id);
	fprintf(f, SHOW_FMT PRIu32 "\n", "owner-uid:", ci->owner_uid);
	fprintf(f, SHOW_FMT PRIu32 "\n", "owner-pid:", ci->owner_pid);
	fprintf(f, SHOW_FMT "s\n", "type:", output_enum_str(
	    channel_type_name(ci->type), ci->type, buf, sizeof(buf)));
	fprintf(f, SHOW_FMT "s\n", "binding:", output_enum_str(
	    channel_binding_name(ci->binding), ci->binding, buf, sizeof(buf)));
	fprintf(f, SHOW_FMT "s\n", "state:", output_enum_str(
	    channel_state_name(ci->state), ci->state, buf, sizeof(buf)));
	fprintf(f, SHOW_FMT "s\n", "encoding:", !ci->has_encoding ? "-" :
	    output_enum_str(encoding_name(ci->encoding), ci->encoding, buf,
	    sizeof(buf)));
	fprintf(f, SHOW_FMT "s\n", "url:",
	    ci->url != NULL && *ci->url != '\0' ? ci->url : "-");
	fprintf(f, SHOW_FMT "s\n", "remote:",
	    ci->remote_address != NULL && *ci->remote_address != '\0' ?
	    ci->remote_address : "-");
	if (ci->local_address != NULL && *ci->local_address != '\0')
		fprintf(f, SHOW_FMT "s\n", "local:", ci->local_address);
	output_text_show_http(f, ci);
	if (ci->has_listener)
		fprintf(f, SHOW_FMT PRIu64 "\n", "listener:", ci->listener);
	else
		fprintf(f, SHOW_FMT "s\n", "listener:", "-");
	fprintf(f, SHOW_FMT PRIu32 "\n", "pending:", ci->pending);
	fprintf(f, SHOW_FMT PRIu64 "\n", "bytes-in:", ci->bytes_in);
	fprintf(f, SHOW_FMT PRIu64 "\n", "bytes-out:", ci->bytes_out);
	fprintf(f, SHOW_FMT PRIu64 "\n", "messages-in:", ci->messages_in);
	fprintf(f, SHOW_FMT PRIu64 "\n", "messages-out:", ci->messages_out);
	if (ci->has_datagrams_dropped)
		fprintf(f, SHOW_FMT PRIu64 "\n", "dropped:",
		    ci->datagrams_dropped);
#undef SHOW_FMT
}

static void
output_text_abort(struct wsctl_out *out, const Wschannel__AbortReport *report)
{
	char buf[16];
	size_t i;

	for (i = 0; i < report->n_results; i++) {
		const Wschannel__AbortResult *r = report->results[i];

		/* The verb says on stderr why this one failed. */
		if ((int32_t)r->hresult < 0)
			continue;
		fprintf(out->f, "%" PRIu64 " %s cancelled=%" PRIu32 "\n", r->id,
		    !r->has_state ? "-" : output_enum_str(
		    channel_state_name(r->state), r->state, buf, sizeof(buf)),
		    r->has_cancelled ? r->cancelled : 0);
	}
}

static const char *
output_event_state_str(const Wschannel__Event *ev, uint32_t state, char *buf,
    size_t len)
{
	return output_enum_str(ev->is_listener ? listener_state_name(state) :
	    channel_state_name(state), state, buf, len);
}

/* Events stream: fixed widths, since the widest is not known yet. */
#define EVENT_TTY_FMT	"%6s %-8s %6s %-9s %-9s %-26s %6s %7s %s\n"

static void
output_text_watch_begin(struct wsctl_out *out)
{
	if (out->tty)
		fprintf(out->f, EVENT_TTY_FMT, "SEQ", "KIND", "ID", "OLD",
		    "NEW", "CAUSE", "UID", "PID", "REMOTE");
}

static void
output_text_event(struct wsctl_out *out, const Wschannel__Event *ev)
{
	char seq[24], id[24], uid[16], pid[16], cause[16];
	char sold[16], snew[16];
	const char *remote;

	snprintf(seq, sizeof(seq), "%" PRIu64, ev->seq);
	snprintf(id, sizeof(id), "%" PRIu64, ev->object);
	if (ev->has_owner_uid)
		snprintf(uid, sizeof(uid), "%" PRIu32, ev->owner_uid);
	else
		strcpy(uid, "-");
	if (ev->has_owner_pid)
		snprintf(pid, sizeof(pid), "%" PRIu32, ev->owner_pid);
	else
		strcpy(pid, "-");
	remote = ev->remote_address != NULL && *ev->remote_address != '\0' ?
	    ev->remote_address : "-";
	fprintf(out->f, out->tty ? EVENT_TTY_FMT :
	    "%s %s %s %s %s %s %s %s %s\n",
	    seq, ev->is_listener ? "listener" : "channel", id,
	    output_event_state_str(ev, ev->old_state, sold, sizeof(sold)),
	    output_event_state_str(ev, ev->new_state, snew, sizeof(snew)),
	    ev->has_cause ? wsctl_hresult_str(ev->cause, cause, sizeof(cause)) :
	    "-", uid, pid, remote);
	out->events++;
}

const struct wsctl_formatter wsctl_format_text = {
	.name = "text",
	.list = output_text_list,
	.show = output_text_show,
	.abort = output_text_abort,
	.watch_begin = output_text_watch_begin,
	.event = output_text_event,
};

/* ---- JSON ---------------------------------------------------------- */

/*
 * Enums are names ("OPEN"); a value the tables do not know is kept as its
 * number rather than lost.  Fields without a value are null, so every
 * object of a kind has the same keys.
 */
static void
output_json_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void
output_json_enum(json_object *o, const char *key, const char *name,
    uint32_t v)
{
	json_object_object_add(o, key, name != NULL ?
	    json_object_new_string(name) : json_object_new_uint64(v));
}

static void
output_json_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s == NULL || *s == '\0' ? NULL :
	    json_object_new_string(s));
}

static void
output_json_null(json_object *o, const char *key)
{
	json_object_object_add(o, key, NULL);
}

static void
output_json_hresult(json_object *o, const char *key, uint32_t hr)
{
	char buf[16];

	json_object_object_add(o, key,
	    json_object_new_string(wsctl_hresult_str(hr, buf, sizeof(buf))));
}

static json_object *
output_json_channel(const Wschannel__ChannelInfo *ci)
{
	json_object *o = json_object_new_object();

	output_json_u64(o, "id", ci->id);
	output_json_u64(o, "owner_uid", ci->owner_uid);
	output_json_u64(o, "owner_pid", ci->owner_pid);
	output_json_enum(o, "type", channel_type_name(ci->type), ci->type);
	output_json_enum(o, "binding", channel_binding_name(ci->binding),
	    ci->binding);
	output_json_enum(o, "state", channel_state_name(ci->state), ci->state);
	output_json_str(o, "remote_address", ci->remote_address);
	output_json_u64(o, "pending", ci->pending);
	output_json_u64(o, "bytes_in", ci->bytes_in);
	output_json_u64(o, "bytes_out", ci->bytes_out);
	output_json_u64(o, "messages_in", ci->messages_in);
	output_json_u64(o, "messages_out", ci->messages_out);
	if (ci->has_encoding)
		output_json_enum(o, "encoding", encoding_name(ci->encoding),
		    ci->encoding);
	else
		output_json_null(o, "encoding");
	output_json_str(o, "url", ci->url);
	if (output_http_path(ci) != NULL) {
		output_json_str(o, "http_method", "POST");
		output_json_str(o, "http_path", output_http_path(ci));
	}
	if (ci->has_listener)
		output_json_u64(o, "listener", ci->listener);
	else
		output_json_null(o, "listener");
	/* Keys a transport reported, only then. */
	if (ci->local_address != NULL && *ci->local_address != '\0')
		output_json_str(o, "local_address", ci->local_address);
	if (ci->has_datagrams_dropped)
		output_json_u64(o, "datagrams_dropped", ci->datagrams_dropped);
	return o;
}

static json_object *
output_json_listener(const Wschannel__ListenerInfo *li)
{
	json_object *o = json_object_new_object();

	output_json_u64(o, "id", li->id);
	output_json_u64(o, "owner_uid", li->owner_uid);
	output_json_u64(o, "owner_pid", li->owner_pid);
	output_json_enum(o, "type", channel_type_name(li->type), li->type);
	output_json_enum(o, "binding", channel_binding_name(li->binding),
	    li->binding);
	output_json_enum(o, "state", listener_state_name(li->state),
	    li->state);
	output_json_str(o, "url", li->url);
	output_json_u64(o, "pending", li->pending);
	if (li->local_address != NULL && *li->local_address != '\0')
		output_json_str(o, "local_address", li->local_address);
	if (li->group != NULL && *li->group != '\0')
		output_json_str(o, "group", li->group);
	if (li->has_datagrams_dropped)
		output_json_u64(o, "datagrams_dropped", li->datagrams_dropped);
	return o;
}

/* A document: pretty on a terminal, one line otherwise.  Consumes `o`. */
static void
output_json_emit(struct wsctl_out *out, json_object *o, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *s;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
	    JSON_C_TO_STRING_PLAIN;
	s = json_object_to_json_string_ext(o, flags);
	if (s != NULL)
		fprintf(out->f, "%s\n", s);
	else
		out->error = -ENOMEM;
	json_object_put(o);
}

static void
output_json_list(struct wsctl_out *out, const Wschannel__ChannelList *list)
{
	json_object *o, *a;
	size_t i;

	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < list->n_channels; i++)
		json_object_array_add(a,
		    output_json_channel(list->channels[i]));
	json_object_object_add(o, "channels", a);
	a = json_object_new_array();
	for (i = 0; i < list->n_listeners; i++)
		json_object_array_add(a,
		    output_json_listener(list->listeners[i]));
	json_object_object_add(o, "listeners", a);
	output_json_emit(out, o, out->tty);
}

static void
output_json_show(struct wsctl_out *out, const Wschannel__ChannelInfo *ci)
{
	output_json_emit(out, output_json_channel(ci), out->tty);
}

static void
output_json_abort(struct wsctl_out *out, const Wschannel__AbortReport *report)
{
	json_object *o, *a, *r;
	size_t i;

	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < report->n_results; i++) {
		const Wschannel__AbortResult *ar = report->results[i];

		r = json_object_new_object();
		output_json_u64(r, "id", ar->id);
		output_json_hresult(r, "hresult", ar->hresult);
		/* The words of stderr, so that a script need not know them. */
		output_json_str(r, "error", (int32_t)ar->hresult >= 0 ? NULL :
		    wsctl_channel_why(ar->hresult));
		if (ar->has_state)
			output_json_enum(r, "state",
			    channel_state_name(ar->state), ar->state);
		else
			output_json_null(r, "state");
		if (ar->has_cancelled)
			output_json_u64(r, "cancelled", ar->cancelled);
		else
			output_json_null(r, "cancelled");
		json_object_array_add(a, r);
	}
	json_object_object_add(o, "results", a);
	output_json_emit(out, o, out->tty);
}

static void
output_json_event_state(json_object *o, const char *key,
    const Wschannel__Event *ev, uint32_t state)
{
	output_json_enum(o, key, ev->is_listener ? listener_state_name(state) :
	    channel_state_name(state), state);
}

static void
output_json_event(struct wsctl_out *out, const Wschannel__Event *ev)
{
	json_object *o = json_object_new_object();

	output_json_u64(o, "seq", ev->seq);
	output_json_str(o, "kind", ev->is_listener ? "listener" : "channel");
	output_json_u64(o, "id", ev->object);
	output_json_event_state(o, "old_state", ev, ev->old_state);
	output_json_event_state(o, "new_state", ev, ev->new_state);
	if (ev->has_cause)
		output_json_hresult(o, "cause", ev->cause);
	else
		output_json_null(o, "cause");
	if (ev->has_owner_uid)
		output_json_u64(o, "owner_uid", ev->owner_uid);
	else
		output_json_null(o, "owner_uid");
	if (ev->has_owner_pid)
		output_json_u64(o, "owner_pid", ev->owner_pid);
	else
		output_json_null(o, "owner_pid");
	output_json_str(o, "remote_address", ev->remote_address);
	/* One object per line, whatever stdout is: the stream is the format. */
	output_json_emit(out, o, false);
	out->events++;
}

const struct wsctl_formatter wsctl_format_json = {
	.name = "json",
	.list = output_json_list,
	.show = output_json_show,
	.abort = output_json_abort,
	.watch_begin = NULL,
	.event = output_json_event,
};

void
wsctl_out_init(struct wsctl_out *out, FILE *f, bool json, bool tty)
{
	out->fmt = json ? &wsctl_format_json : &wsctl_format_text;
	out->f = f;
	out->tty = tty;
	out->events = 0;
	out->error = 0;
}
