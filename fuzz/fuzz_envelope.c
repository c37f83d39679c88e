/*
 * Fuzz target for daemon/codec/envelope.c: the bytes are a SOAP envelope
 * as a peer sent it.  An envelope that reads must be writable, and what
 * is written must read back to the same fields (what the daemon does to
 * every message it forwards); the document path (envelope_to_doc, then
 * envelope_from_doc, as the binary encodings use it) must agree, also
 * through binary XML (nbfx_write, nbfx_read with a session dictionary),
 * which is how net.tcp carries an envelope.
 *
 * One difference is allowed in the body, and only on the first rewrite:
 * a QName-valued text or attribute ("s:Server") whose prefix nothing
 * declared is resolved, when read again, against the prefix s or a that
 * the writer declares on its Envelope, so the body read back gains that
 * declaration.  XML 1.0 cannot undeclare a prefix, and our prefixes are
 * fixed to match Windows byte for byte.  A second rewrite must change
 * nothing at all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "envelope.h"
#include "envelope_text.h"
#include "fuzz.h"
#include "nbfx.h"

static void
fuzz_envelope_quiet(void *ctx, const char *msg, ...)
{
}

static bool
fuzz_envelope_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
fuzz_envelope_has_addressing(const struct envelope *e)
{
	return e->action != NULL || e->to != NULL || e->message_id != NULL ||
	    e->relates_to != NULL || e->reply_to != NULL ||
	    e->fault_to != NULL;
}

/* `b` without the declarations xmlns:s="..." and xmlns:a="...". */
static uint8_t *
fuzz_envelope_strip(const uint8_t *b, size_t len, size_t *out_len)
{
	uint8_t		*out;
	const uint8_t	*q;
	size_t		 i = 0, n = 0;

	if ((out = malloc(len + 1)) == NULL)
		abort();
	while (i < len) {
		if (len - i > 11 && memcmp(b + i, " xmlns:", 7) == 0 &&
		    (b[i + 7] == 's' || b[i + 7] == 'a') &&
		    memcmp(b + i + 8, "=\"", 2) == 0 &&
		    (q = memchr(b + i + 10, '"', len - i - 10)) != NULL) {
			i = (size_t)(q - b) + 1;
			continue;
		}
		out[n++] = b[i++];
	}
	*out_len = n;
	return out;
}

static bool
fuzz_envelope_same_body(const struct envelope *a, const struct envelope *b,
    bool strict)
{
	uint8_t	*sa, *sb;
	size_t	 la, lb;
	bool	 same;

	if (a->body_len == b->body_len && (a->body_len == 0 ||
	    memcmp(a->body, b->body, a->body_len) == 0))
		return true;
	if (strict || a->body == NULL || b->body == NULL)
		return false;
	sa = fuzz_envelope_strip(a->body, a->body_len, &la);
	sb = fuzz_envelope_strip(b->body, b->body_len, &lb);
	same = la == lb && memcmp(sa, sb, la) == 0;
	free(sa);
	free(sb);
	return same;
}

/* Names the first field that differs, NULL when none does. */
static const char *
fuzz_envelope_diff(const struct envelope *a, const struct envelope *b,
    bool strict)
{
	if (a->envelope_version != b->envelope_version)
		return "envelope_version";
	/* A version with no header to show it cannot survive a rewrite. */
	if (fuzz_envelope_has_addressing(a) &&
	    a->addressing_version != b->addressing_version)
		return "addressing_version";
	if (!fuzz_envelope_same_str(a->action, b->action))
		return "action";
	if (!fuzz_envelope_same_str(a->to, b->to))
		return "to";
	if (!fuzz_envelope_same_str(a->message_id, b->message_id))
		return "message_id";
	if (!fuzz_envelope_same_str(a->relates_to, b->relates_to))
		return "relates_to";
	if (!fuzz_envelope_same_str(a->reply_to, b->reply_to))
		return "reply_to";
	if (!fuzz_envelope_same_str(a->fault_to, b->fault_to))
		return "fault_to";
	if (!fuzz_envelope_same_body(a, b, strict))
		return "body";
	if (a->is_fault != b->is_fault)
		return "is_fault";
	if (!fuzz_envelope_same_str(a->fault_reason, b->fault_reason))
		return "fault_reason";
	return NULL;
}

static __attribute__((noreturn)) void
fuzz_envelope_fail(const struct envelope *env, const uint8_t *out,
    size_t out_len, const char *what)
{
	fprintf(stderr, "%s\n", what);
	if (env->body != NULL)
		fprintf(stderr, "body read: %.*s\n", (int)env->body_len,
		    (const char *)env->body);
	if (out != NULL)
		fprintf(stderr, "written: %.*s\n", (int)out_len,
		    (const char *)out);
	abort();
}

/* Write, read back, compare; the first time again, strictly. */
static void
fuzz_envelope_rewrite(const struct envelope *env, bool strict)
{
	struct envelope	 again;
	uint8_t		*out = NULL;
	size_t		 out_len = 0;
	const char	*why = NULL, *diff;
	int		 rc;

	if ((rc = envelope_write(env, &out, &out_len)) != 0) {
		if (rc == -ENOMEM)
			return;
		fuzz_envelope_fail(env, NULL, 0,
		    "an envelope that was read cannot be written");
	}
	if ((rc = envelope_read(out, out_len, &again, &why)) != 0) {
		fprintf(stderr, "%s\n", why != NULL ? why : "?");
		fuzz_envelope_fail(env, out, out_len,
		    "what was written does not read");
	}
	if ((diff = fuzz_envelope_diff(env, &again, strict)) != NULL) {
		fprintf(stderr, "field %s differs\n", diff);
		if (again.body != NULL)
			fprintf(stderr, "body re-read: %.*s\n",
			    (int)again.body_len, (const char *)again.body);
		fuzz_envelope_fail(env, out, out_len,
		    "a write and read changed a field");
	}
	if (!strict)
		fuzz_envelope_rewrite(&again, true);
	envelope_clear(&again);
	free(out);
}

/* The text writer, when it takes an envelope, writes the tree's bytes:
 * its body check (told by the bytes, or parsed) lets nothing else by. */
static void
fuzz_envelope_fast(const struct envelope *env)
{
	uint8_t	*fast = NULL, *tree = NULL;
	size_t	 fast_len = 0, tree_len = 0;
	int	 rc;

	if (envelope_text_write(env, &fast, &fast_len) == 0) {
		rc = envelope_write_dom(env, &tree, &tree_len);
		if (rc != -ENOMEM && (rc != 0 || fast_len != tree_len ||
		    memcmp(fast, tree, tree_len) != 0))
			fuzz_envelope_fail(env, fast, fast_len,
			    "the text writer differs from the tree");
	}
	free(fast);
	free(tree);
}

/* The text reader, when it takes the bytes (its own form told from
 * them, or parsed), reads what the tree reads. */
static void
fuzz_envelope_fast_read(const uint8_t *data, size_t size)
{
	struct envelope	 f, t;
	const char	*why = NULL, *diff;
	int		 rc;

	if (envelope_text_read(data, size, &f) != 0)
		return;
	if ((rc = envelope_read_dom(data, size, &t, &why)) == -ENOMEM) {
		envelope_clear(&f);
		return;
	}
	if (rc != 0)
		fuzz_envelope_fail(&f, NULL, 0,
		    "the text reader read what the tree refuses");
	if ((diff = fuzz_envelope_diff(&f, &t, true)) != NULL) {
		fprintf(stderr, "field %s differs\n", diff);
		fuzz_envelope_fail(&f, NULL, 0,
		    "the text reader differs from the tree");
	}
	envelope_clear(&f);
	envelope_clear(&t);
}

/*
 * The document through binary XML and back, as net.tcp sends it; NULL
 * when binary XML cannot carry it (a processing instruction, say).
 * Always frees `doc`.
 */
static xmlDoc *
fuzz_envelope_binary(const struct envelope *env, xmlDoc *doc)
{
	struct nbfx_dict	*wd, *rd;
	uint8_t			*table = NULL, *out = NULL;
	size_t			 table_len, out_len;
	xmlDoc			*again = NULL;
	const char		*why = NULL;
	int			 rc, n;

	wd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	rd = nbfx_dict_new(NBFX_DICT_DEFAULT_SIZE);
	if (wd == NULL || rd == NULL)
		abort();
	rc = nbfx_write(doc, wd, &table, &table_len, &out, &out_len);
	xmlFreeDoc(doc);
	if (rc == 0) {
		n = nbfx_dict_read_table(rd, table, table_len);
		if (n < 0 || (size_t)n != table_len)
			fuzz_envelope_fail(env, NULL, 0,
			    "a StringTable we wrote does not read");
		if (nbfx_read(out, out_len, rd, &again, &why) != 0) {
			fprintf(stderr, "%s\n", why != NULL ? why : "?");
			fuzz_envelope_fail(env, NULL, 0,
			    "binary XML we wrote does not read");
		}
	} else if (rc != -EINVAL && rc != -ENOMEM)
		abort();
	free(table);
	free(out);
	nbfx_dict_free(wd);
	nbfx_dict_free(rd);
	return again;
}

/*
 * envelope_to_doc then envelope_from_doc gives the fields back, directly
 * and through binary XML.
 */
static void
fuzz_envelope_doc(const struct envelope *env, bool binary)
{
	struct envelope	 again;
	xmlDoc		*doc;
	const char	*why = NULL, *diff;
	int		 rc;

	if ((rc = envelope_to_doc(env, &doc)) != 0) {
		if (rc == -ENOMEM)
			return;
		fuzz_envelope_fail(env, NULL, 0,
		    "an envelope that was read has no document");
	}
	if (binary && (doc = fuzz_envelope_binary(env, doc)) == NULL)
		return;
	if ((rc = envelope_from_doc(doc, &again, &why)) != 0) {
		fprintf(stderr, "%s\n", why != NULL ? why : "?");
		fuzz_envelope_fail(env, NULL, 0,
		    "its document does not read");
	}
	if ((diff = fuzz_envelope_diff(env, &again, false)) != NULL) {
		fprintf(stderr, "field %s differs\n", diff);
		if (again.body != NULL)
			fprintf(stderr, "body re-read: %.*s\n",
			    (int)again.body_len, (const char *)again.body);
		fuzz_envelope_fail(env, NULL, 0, binary ?
		    "binary XML changed a field" :
		    "to_doc and from_doc changed a field");
	}
	envelope_clear(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool	 init;
	struct envelope	 env;
	const char	*why = NULL;
	int		 rc;

	if (!init) {
		xmlSetGenericErrorFunc(NULL, fuzz_envelope_quiet);
		init = true;
	}
	fuzz_envelope_fast_read(data, size);
	rc = envelope_read(data, size, &env, &why);
	if (rc != 0) {
		if (rc != -EBADMSG && rc != -ENOMEM)
			abort();
		if (why == NULL)
			abort();	/* a failure always says why */
		if (fuzz_envelope_has_addressing(&env) || env.body != NULL)
			abort();	/* and leaves the struct zeroed */
		return 0;
	}
	fuzz_envelope_rewrite(&env, false);
	fuzz_envelope_fast(&env);
	fuzz_envelope_doc(&env, false);
	fuzz_envelope_doc(&env, true);
	envelope_clear(&env);
	return 0;
}
