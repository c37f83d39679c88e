/*
 * Check suite for daemon/codec/envelope_text.c: the text envelope written
 * without a tree must be, byte for byte, what the tree path writes, and it
 * must take the common messages (else it saves nothing).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf */
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "envelope.h"
#include "envelope_text.h"

/* Bodies the library writes: the fast path must take every one. */
static const char *const canonical[] = {
	"<text xmlns=\"urn:wsprobe\">hello from wsprobe client</text>",
	"<p:a xmlns:p=\"urn:p\" p:x=\"1\" y=\"two\"><p:b/><c>t</c></p:a>",
	"<a xmlns=\"urn:x\">x &lt; y &amp;&amp; y &gt; z&#13;\n\tend</a>",
	"<a xmlns=\"urn:x\">caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80</a>",
	"<a>1</a><b>2</b>",
	"<a/>",
	" <a/> text &amp; more <b/>\n",
	"plain text only",
	"<a xml:lang=\"en\" q=\"it's\">\"quoted\" 'single'</a>",
	"<x:a xmlns:x=\"urn:x\"><x:b xmlns:x=\"urn:y\"><x:c/></x:b></x:a>",
	"<a><b xmlns:s=\"urn:other\" s:z=\"1\"/></a>",
	"<a attr=\"caf\xc3\xa9\"/>",
};

/* Bodies the tree writes differently, or refuses: the fast path must
 * leave them to it (and agree when it does not). */
static const char *const other[] = {
	"<a></a>",
	"<a x='1'/>",
	"<a  x=\"1\"/>",
	"<a x=\"1\" />",
	"<a>&#65;</a>",
	"<a>x > y</a>",
	"<a x=\"a&amp;b\"/>",
	"<a x=\"a&lt;b\"/>",
	"<a x=\"line\nbreak\"/>",
	"<a x=\"tab\tthere\"/>",
	"<a x=\"&#10;\"/>",
	"<a><![CDATA[x < y]]></a>",
	"<a><!-- comment --></a>",
	"<a><?pi data?></a>",
	"<s:Fault xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"/>",
	"<a xmlns:a=\"http://www.w3.org/2005/08/addressing\"/>",
	"<a xmlns:s=\"urn:top-level-s-is-left-to-the-tree\"/>",
	"<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>",
	"<p:a/>",
	"<a p:x=\"1\"/>",
	"<a>",
	"</w><w>",
	"<a/></w><w><b/>",
	"<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
	"<?xml version=\"1.0\"?><a/>",
	"<a>&unknown;</a>",
	"<a xmlns=\"\"/>",
	"<a\n/>",
	"<a x=\"1\" x=\"2\"/>",
	"<a>\xff\xfe</a>",
	"<a>\r\n</a>",
	"\xef\xbb\xbf<a/>",
	"<a xmlns=\"urn:x\" b=\"1\" xmlns:p=\"urn:p\"/>",
	"</a>",
	"<a><b></a></b>",
};

static void
fill(struct envelope *e, const char *body, uint32_t ev, uint32_t av)
{
	memset(e, 0, sizeof *e);
	e->envelope_version = ev;
	e->addressing_version = av;
	e->action = (char *)"urn:test/Ping";
	e->to = (char *)"net.tcp://127.0.0.1:1/x?a=1&b=<2>";
	e->body = (uint8_t *)body;
	e->body_len = body != NULL ? strlen(body) : 0;
}

/* Returns the fast path's verdict after holding its bytes to the tree's. */
static int
same_as_tree(const struct envelope *e)
{
	uint8_t	*fast = NULL, *tree = NULL, *pub = NULL;
	size_t	 fast_len = 0, tree_len = 0, pub_len = 0;
	int	 rf, rt, rp;

	rt = envelope_write_dom(e, &tree, &tree_len);
	rf = envelope_text_write(e, &fast, &fast_len);
	ck_assert_int_ge(rf, 0);
	if (rf == 0) {
		ck_assert_msg(rt == 0, "fast path wrote what the tree refuses: "
		    "%.*s", (int)e->body_len, e->body);
		ck_assert_msg(fast_len == tree_len &&
		    memcmp(fast, tree, tree_len) == 0,
		    "fast path differs:\n%.*s\n%.*s", (int)fast_len, fast,
		    (int)tree_len, tree);
		ck_assert_uint_eq(fast[fast_len], '\0');
	}
	/* envelope_write is one or the other, never a third answer. */
	rp = envelope_write(e, &pub, &pub_len);
	ck_assert_int_eq(rp, rt);
	if (rp == 0)
		ck_assert(pub_len == tree_len &&
		    memcmp(pub, tree, tree_len) == 0);
	free(fast);
	free(tree);
	free(pub);
	return rf;
}

START_TEST(test_canonical_taken)
{
	struct envelope	e;
	uint32_t	ev, av;
	size_t		i;

	for (ev = 1; ev <= 2; ev++)
		for (av = 1; av <= 3; av++)
			for (i = 0; i < sizeof canonical / sizeof *canonical;
			    i++) {
				fill(&e, canonical[i], ev, av);
				ck_assert_msg(same_as_tree(&e) == 0,
				    "not taken: %s", canonical[i]);
			}
	fill(&e, NULL, 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
}
END_TEST

START_TEST(test_other_left)
{
	struct envelope	e;
	size_t		i;

	for (i = 0; i < sizeof other / sizeof *other; i++) {
		fill(&e, other[i], 2, 2);
		ck_assert_msg(same_as_tree(&e) == 1, "taken: %s", other[i]);
	}
}
END_TEST

START_TEST(test_headers_escaped)
{
	static const char *const values[] = { "", "a", "x&y<z>w\r\nq\t",
	    "caf\xc3\xa9", "  spaced  ", "]]>", "\"'" };
	struct envelope	e;
	size_t		i, j;

	for (i = 0; i < sizeof values / sizeof *values; i++)
		for (j = 0; j < 64; j++) {
			fill(&e, canonical[0], 1 + (uint32_t)(j & 1),
			    1 + (uint32_t)((j >> 1) % 3));
			e.action = j & 4 ? (char *)values[i] : NULL;
			e.message_id = j & 8 ? (char *)values[i] : NULL;
			e.relates_to = j & 16 ? (char *)values[i] : NULL;
			e.reply_to = j & 32 ? (char *)values[i] : NULL;
			e.fault_to = j & 16 ? (char *)values[i] : NULL;
			e.to = j & 8 ? NULL : (char *)values[i];
			ck_assert_int_eq(same_as_tree(&e), 0);
		}
}
END_TEST

/* What the fast path leaves to the tree: faults, other headers. */
START_TEST(test_left_to_tree)
{
	struct envelope	e;
	uint8_t		*out = NULL;
	size_t		 out_len = 0;

	fill(&e, canonical[0], 2, 2);
	e.is_fault = true;
	e.fault_reason = (char *)"broken";
	ck_assert_int_eq(same_as_tree(&e), 1);
	fill(&e, canonical[0], 2, 2);
	e.headers = (uint8_t *)"<h xmlns=\"urn:h\">1</h>";
	e.headers_len = strlen((char *)e.headers);
	ck_assert_int_eq(same_as_tree(&e), 1);
	/* A bad header value is refused before either path. */
	fill(&e, canonical[0], 2, 2);
	e.action = (char *)"bad\x01";
	ck_assert_int_eq(envelope_write(&e, &out, &out_len), -EINVAL);
	ck_assert_ptr_null(out);
}
END_TEST

/*
 * Bounded random edits of the bodies above: whatever the fast path takes
 * must be what the tree writes.  Fixed seed, so a failure repeats.
 */
START_TEST(test_mutations_agree)
{
	static const char alphabet[] = "<>/&;=\"' \r\n\tax:#!?[]-\xc3\xa9\xef\xbb\xbf";
	struct envelope	e;
	char		buf[256];
	unsigned int	seed = 0x5eed;
	size_t		i, len, src, k;
	int		n, taken = 0;

	for (i = 0; i < 6000; i++) {
		src = (size_t)rand_r(&seed) % (sizeof canonical /
		    sizeof *canonical + sizeof other / sizeof *other);
		snprintf(buf, sizeof buf, "%s", src < sizeof canonical /
		    sizeof *canonical ? canonical[src] :
		    other[src - sizeof canonical / sizeof *canonical]);
		len = strlen(buf);
		for (n = 1 + rand_r(&seed) % 3; n > 0 && len > 0; n--) {
			k = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0:		/* replace */
				buf[k] = alphabet[rand_r(&seed) %
				    (sizeof alphabet - 1)];
				break;
			case 1:		/* delete */
				memmove(buf + k, buf + k + 1, len - k);
				len--;
				break;
			default:	/* insert */
				if (len + 2 >= sizeof buf)
					break;
				memmove(buf + k + 1, buf + k, len - k + 1);
				buf[k] = alphabet[rand_r(&seed) %
				    (sizeof alphabet - 1)];
				len++;
				break;
			}
		}
		buf[len] = '\0';
		fill(&e, buf, 2, 2);
		if (same_as_tree(&e) == 0)
			taken++;
	}
	/* Some edits keep a body canonical; otherwise this proves little. */
	ck_assert_int_gt(taken, 100);
}
END_TEST

/* ---- the library's simple bodies ------------------------------------------ */

/* What ws_body_write_simple writes: told by its bytes, with no parse. */
static const char *const simple[] = {
	"<text xmlns=\"urn:wsprobe\">hello from wsprobe client</text>",
	"<a xmlns=\"urn:x\">x &lt; y &amp;&amp; y &gt; z&#13;\n\tend</a>",
	"<a/>",
	"<Value xmlns=\"http://tempuri.org/\"/>",
	"<_x-1.y>\"it's\" 42</_x-1.y>",
	"<a xmlns=\"urn:x\"> </a>",
	"<a>&amp;</a>",
};

/* Like them, but not quite: the parse decides (and agrees with the tree). */
static const char *const nearly[] = {
	"<a></a>", "<a xmlns=\"\"/>", "<a xmlns='urn:x'/>",
	"<a xmlns=\"http://www.w3.org/XML/1998/namespace\">x</a>",
	"<a xmlns=\"http://www.w3.org/2000/xmlns/\">x</a>",
	"<a>x</b>", "<a>x</ab>", "<ab>x</a>", "<a>x > y</a>", "<a>&#65;</a>",
	"<a>&lt</a>", "<a>\r</a>", "<a>\x01</a>", "<a>caf\xc3\xa9</a>",
	"<a>\x7f</a>", "<1a/>", "<-a/>", "<a:b xmlns:a=\"urn:a\"/>",
	"<a xmlns=\"urn:x\" b=\"1\"/>", "<a x=\"1\"/>", "<a />", "<a/> ",
	"<a>x</a><b/>", "<a>x</a>\n", "<a xmlns=\"urn:&amp;\"/>",
	"<a xmlns=\"urn:\tx\"/>", "<a xmlns=\"urn:x/>",
	"<a><![CDATA[x]]></a>", "<a>x<!-- c --></a>", "<a>",
	/* namespaces libxml2 cannot read as a URI */
	"<a xmlns=\"urn:a|b\">x</a>", "<a xmlns=\"http://h:port/\">x</a>",
	"<a xmlns=\"urn:{x}\"/>", "<a xmlns=\"a b\"/>",
};

START_TEST(test_simple_told)
{
	struct envelope	e;
	size_t		i;

	for (i = 0; i < sizeof simple / sizeof *simple; i++) {
		ck_assert_msg(envelope_text_body_simple((const uint8_t *)
		    simple[i], strlen(simple[i])), "not told: %s", simple[i]);
		fill(&e, simple[i], 2, 2);
		ck_assert_int_eq(same_as_tree(&e), 0);
	}
	for (i = 0; i < sizeof nearly / sizeof *nearly; i++) {
		ck_assert_msg(!envelope_text_body_simple((const uint8_t *)
		    nearly[i], strlen(nearly[i])), "told: %s", nearly[i]);
		fill(&e, nearly[i], 2, 2);
		(void)same_as_tree(&e);
	}
}
END_TEST

/*
 * Bodies made of the simple form's pieces and near misses, at random
 * (fixed seed): each one the simple test takes must be written exactly as
 * the tree writes it, and the test must take a fair share of them.
 */
START_TEST(test_simple_random)
{
	static const char *const names[] = { "a", "Value", "_x", "x-1.y", "a:b",
	    "1a", "\xc3\xa9", "" };
	static const char *const attrs[] = { "", " xmlns=\"urn:x\"",
	    " xmlns=\"\"", " xmlns='urn:x'", " xmlns=\"u&amp;\"",
	    " xmlns=\"http://www.w3.org/XML/1998/namespace\"", "  xmlns=\"u\"",
	    " xmlns=\"u\" b=\"1\"", " xmlns=\"u\tv\"", " xmlns=\"a<b\"",
	    " xmlns=\"urn:a|b\"", " xmlns=\"http://h:x/\"" };
	static const char *const bits[] = { "x", " ", "\t", "\n", "\r", "&lt;",
	    "&gt;", "&amp;", "&#13;", "&#10;", "&lt", "&", "<", ">", "\"", "'",
	    "\x01", "\x7f", "\xc3\xa9", "]]>", "<b/>", "<!--c-->", ";",
	    "a run of plain text, longer than 16 bytes", "0123456789abcdef" };
	struct envelope	e;
	char		body[512];
	unsigned int	seed = 0x51b1e;
	size_t		i, k, n, told = 0;
	int		len;

	for (i = 0; i < 20000; i++) {
		const char *name = names[rand_r(&seed) % 8];
		const char *end = rand_r(&seed) % 8 == 0 ?
		    names[rand_r(&seed) % 8] : name;

		len = snprintf(body, sizeof body, "<%s%s", name,
		    attrs[rand_r(&seed) %
		    (sizeof attrs / sizeof *attrs)]);
		n = (size_t)rand_r(&seed) % 8;
		if (n == 0 && rand_r(&seed) % 2 == 0)
			len += snprintf(body + len, sizeof body - (size_t)len,
			    "/>");
		else {
			len += snprintf(body + len, sizeof body - (size_t)len,
			    ">");
			for (k = 0; k < n; k++)
				len += snprintf(body + len, sizeof body -
				    (size_t)len, "%s", bits[rand_r(&seed) %
				    (sizeof bits / sizeof *bits)]);
			len += snprintf(body + len, sizeof body - (size_t)len,
			    "</%s>", end);
		}
		fill(&e, body, 2, 2);
		if (envelope_text_body_simple((const uint8_t *)body,
		    (size_t)len)) {
			told++;
			ck_assert_msg(same_as_tree(&e) == 0, "told, but not "
			    "canonical: %s", body);
		} else
			(void)same_as_tree(&e);
	}
	ck_assert_uint_gt(told, 200);
}
END_TEST

/* ---- reading ------------------------------------------------------------ */

static void
assert_same_str(const char *a, const char *b, const char *what)
{
	ck_assert_msg((a == NULL) == (b == NULL) &&
	    (a == NULL || strcmp(a, b) == 0), "%s: %s vs %s", what,
	    a != NULL ? a : "(null)", b != NULL ? b : "(null)");
}

static void
assert_same_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, const char *what)
{
	ck_assert_msg(alen == blen && (alen == 0 || memcmp(a, b, alen) == 0),
	    "%s differs:\n%.*s\n%.*s", what, (int)alen, a != NULL ?
	    (const char *)a : "", (int)blen, b != NULL ? (const char *)b : "");
	ck_assert((a == NULL) == (b == NULL));
}

/* Reads `doc` both ways; returns the fast path's verdict. */
static int
read_same_as_tree(const uint8_t *doc, size_t len)
{
	struct envelope	 f, t, p;
	const char	*why = NULL;
	int		 rf, rt, rp;

	rt = envelope_read_dom(doc, len, &t, &why);
	rf = envelope_text_read(doc, len, &f);
	ck_assert_int_ge(rf, 0);
	if (rf == 0) {
		ck_assert_msg(rt == 0, "fast path read what the tree refuses "
		    "(%s): %.*s", why, (int)len, doc);
		ck_assert_uint_eq(f.envelope_version, t.envelope_version);
		ck_assert_uint_eq(f.addressing_version, t.addressing_version);
		assert_same_str(f.action, t.action, "action");
		assert_same_str(f.to, t.to, "to");
		assert_same_str(f.message_id, t.message_id, "message_id");
		assert_same_str(f.relates_to, t.relates_to, "relates_to");
		assert_same_str(f.reply_to, t.reply_to, "reply_to");
		assert_same_str(f.fault_to, t.fault_to, "fault_to");
		assert_same_bytes(f.body, f.body_len, t.body, t.body_len,
		    "body");
		ck_assert(f.body == NULL || f.body[f.body_len] == '\0');
		ck_assert(!f.is_fault && !t.is_fault);
		ck_assert_ptr_null(t.headers);
		ck_assert_ptr_null(t.fault_reason);
	} else
		ck_assert_ptr_null(f.body);
	rp = envelope_read(doc, len, &p, NULL);
	ck_assert_int_eq(rp, rt);
	if (rp == 0)
		assert_same_bytes(p.body, p.body_len, t.body, t.body_len,
		    "envelope_read body");
	envelope_clear(&f);
	envelope_clear(&t);
	envelope_clear(&p);
	return rf;
}

static int
read_str_same(const char *doc)
{
	return read_same_as_tree((const uint8_t *)doc, strlen(doc));
}

#define ENV12	"<s:Envelope xmlns:a=\"http://www.w3.org/2005/08/addressing\" " \
		"xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"

/* What envelope_write gives, with every body and header mix, reads back
 * without the tree, to what the tree reads. */
START_TEST(test_read_written)
{
	struct envelope	e;
	uint8_t		*out;
	size_t		 out_len, i;
	uint32_t	 ev, av;

	for (ev = 1; ev <= 2; ev++)
		for (av = 1; av <= 3; av++)
			for (i = 0; i < sizeof canonical / sizeof *canonical;
			    i++) {
				fill(&e, canonical[i], ev, av);
				e.message_id = (char *)"urn:uuid:1";
				e.reply_to = (char *)" http://x/&amp; ";
				e.relates_to = (char *)"";
				ck_assert_int_eq(envelope_write(&e, &out,
				    &out_len), 0);
				/* Text between Body's children is left to
				 * the tree. */
				if (i != 6 && i != 7)
					ck_assert_msg(read_same_as_tree(out,
					    out_len) == 0, "not taken: %s",
					    out);
				else
					read_same_as_tree(out, out_len);
				free(out);
			}
}
END_TEST

/* Envelopes written by others, and what the fast reader leaves. */
START_TEST(test_read_others)
{
	static const char *const taken[] = {
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">\n  x  \n"
		"</a:Action><a:ReplyTo><a:Address>r</a:Address></a:ReplyTo>"
		"</s:Header><s:Body>\n  <m:x xmlns:m=\"urn:m\" m:y=\"a&lt;"
		"b\tc\nd&quot;e&gt;\">t&#13;x</m:x>\n</s:Body></s:Envelope>",
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>" ENV12
		"<s:Body><x xmlns=\"urn:x\" xsi:type=\"xs:int\" xmlns:xsi="
		"\"urn:xsi\" xmlns:xs=\"urn:xs\">xs:q</x></s:Body>"
		"</s:Envelope>",
		ENV12 "<s:Body><x xmlns=\"urn:x\"><y>12:30 http://h/p</y></x><z/></s:Body>"
		"</s:Envelope>",
		ENV12 "<s:Header/><s:Body/></s:Envelope>",
	};
	static const char *const left[] = {
		/* the body takes s from the envelope */
		ENV12 "<s:Body><s:x/></s:Body></s:Envelope>",
		/* a QName value whose prefix Body's scope declares */
		ENV12 "<s:Body><x>s:Receiver</x></s:Body></s:Envelope>",
		ENV12 "<s:Body><x v=\" s:Sender \"/></s:Body></s:Envelope>",
		ENV12 "<s:Body><s:Fault/></s:Body></s:Envelope>",
		/* (or that no scope declares: left alike, to be simple) */
		ENV12 "<s:Body><x>p:q</x></s:Body></s:Envelope>",
		ENV12 "<s:Header><h xmlns=\"urn:h\"/></s:Header><s:Body/>"
		"</s:Envelope>",
		ENV12 "<s:Header><a:Action>1</a:Action><a:Action>2</a:Action>"
		"</s:Header><s:Body/></s:Envelope>",
		ENV12 "<s:Body><x a=\"1&amp;2\"/></s:Body></s:Envelope>",
		ENV12 "<s:Body><x><!-- c --></x></s:Body></s:Envelope>",
		ENV12 "<s:Body>text</s:Body></s:Envelope>",
		ENV12 "<s:Body><x xmlns=\"\"/></s:Body></s:Envelope>",
		ENV12 "<s:Body><p:x/></s:Body></s:Envelope>",
		ENV12 "<s:Body/><s:Header/></s:Envelope>",
		ENV12 "<s:Header/></s:Envelope>",
		"<Envelope/>",
		" " ENV12 "<s:Body/></s:Envelope>",
		"\xef\xbb\xbf" ENV12 "<s:Body/></s:Envelope>",
		"<!DOCTYPE s:Envelope>" ENV12 "<s:Body/></s:Envelope>",
		ENV12 "<s:Body><x>",
	};
	size_t	 i;

	for (i = 0; i < sizeof taken / sizeof *taken; i++)
		ck_assert_msg(read_str_same(taken[i]) == 0, "not taken: %s",
		    taken[i]);
	for (i = 0; i < sizeof left / sizeof *left; i++)
		ck_assert_msg(read_str_same(left[i]) == 1, "taken: %s",
		    left[i]);
}
END_TEST

/* Bounded random edits of written envelopes; fixed seed. */
START_TEST(test_read_mutations_agree)
{
	static const char alphabet[] = "<>/&;=\"' \r\n\tax:s#!?[]-\xc3\xa9";
	struct envelope	e;
	uint8_t		*out;
	size_t		 out_len, k, len;
	char		 buf[1024];
	unsigned int	 seed = 0xfeed;
	int		 i, n, taken = 0;

	for (i = 0; i < 6000; i++) {
		fill(&e, canonical[(size_t)rand_r(&seed) %
		    (sizeof canonical / sizeof *canonical)],
		    1 + (uint32_t)(i & 1), 1 + (uint32_t)(i % 3));
		e.reply_to = i & 4 ? (char *)"urn:r" : NULL;
		ck_assert_int_eq(envelope_write(&e, &out, &out_len), 0);
		ck_assert_uint_lt(out_len, sizeof buf - 8);
		memcpy(buf, out, out_len);
		free(out);
		len = out_len;
		for (n = rand_r(&seed) % 4; n > 0 && len > 0; n--) {
			k = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0:
				buf[k] = alphabet[rand_r(&seed) %
				    (sizeof alphabet - 1)];
				break;
			case 1:
				memmove(buf + k, buf + k + 1, len - k - 1);
				len--;
				break;
			default:
				memmove(buf + k + 1, buf + k, len - k);
				buf[k] = alphabet[rand_r(&seed) %
				    (sizeof alphabet - 1)];
				len++;
				break;
			}
		}
		if (read_same_as_tree((const uint8_t *)buf, len) == 0)
			taken++;
	}
	ck_assert_int_gt(taken, 1000);
}
END_TEST

/*
 * The daemon's own messages (addressing headers, a simple body or none)
 * read from their bytes, with no parser made; the same envelope with a
 * body of another form, or an edit the writer would never make, is
 * parsed, and both read as the tree reads them.
 */
START_TEST(test_read_own_form)
{
	static const char *const bodies[] = { NULL, "<a/>",
	    "<Value xmlns=\"urn:v\">x &lt; y &amp; z&#13;\n\tend</Value>" };
	static const char *const parsed[] = {
		/* a ':' may be a QName on Envelope's prefixes */
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">urn:a"
		"</a:Action></s:Header><s:Body><x>s:y</x></s:Body></s:Envelope>",
		/* not the writer's header order */
		ENV12 "<s:Header><a:To s:mustUnderstand=\"1\">urn:t</a:To>"
		"<a:Action s:mustUnderstand=\"1\">urn:a</a:Action></s:Header>"
		"<s:Body><x>1</x></s:Body></s:Envelope>",
		/* an escape the writer does not write */
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">&#65;"
		"</a:Action></s:Header><s:Body><x>1</x></s:Body></s:Envelope>",
		/* a value the writer writes, but with a carriage return at
		 * an end, which the tree trims (fuzz_envelope found it) */
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">urn:a&#13;"
		"</a:Action></s:Header><s:Body><x>1</x></s:Body></s:Envelope>",
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">&#13;urn:a"
		"</a:Action></s:Header><s:Body><x>1</x></s:Body></s:Envelope>",
		ENV12 "<s:Header><a:Action>urn:a</a:Action></s:Header>"
		"<s:Body><x>1</x></s:Body></s:Envelope>",
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">urn:a"
		"</a:Action></s:Header><s:Body><x>1</x><y/></s:Body>"
		"</s:Envelope>",
		ENV12 "<s:Header><a:Action s:mustUnderstand=\"1\">urn:a"
		"</a:Action></s:Header><s:Body><x>1</x></s:Body></s:Envelope> ",
	};
	struct envelope	e;
	uint8_t		*out;
	size_t		 out_len, i;
	uint32_t	 ev, av;

	for (ev = 1; ev <= 2; ev++)
		for (av = 1; av <= 2; av++)
			for (i = 0; i < sizeof bodies / sizeof *bodies; i++) {
				fill(&e, bodies[i], ev, av);
				e.message_id = (char *)"urn:uuid:1";
				e.reply_to = (char *)"urn:r&<>";
				e.fault_to = (char *)"";
				ck_assert_int_eq(envelope_write(&e, &out,
				    &out_len), 0);
				ck_assert_int_eq(read_same_as_tree(out,
				    out_len), 0);
				free(out);
			}
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_READ), 0);
	for (i = 0; i < sizeof parsed / sizeof *parsed; i++) {
		envelope_text_cleanup();
		(void)read_str_same(parsed[i]);
		ck_assert_msg(envelope_text_generation(ENVELOPE_TEXT_READ) !=
		    0, "not parsed: %s", parsed[i]);
	}
}
END_TEST

/* The per-thread parser, stopped by a DTD, serves the next message. */
START_TEST(test_parser_after_stop)
{
	static const char dtd[] = "<!DOCTYPE x>" ENV12 "<s:Body/></s:Envelope>";
	static const char ok[] = ENV12 "<s:Body><x/></s:Body></s:Envelope>";
	struct envelope	e;

	ck_assert_int_eq(read_str_same(dtd), 1);
	ck_assert_int_eq(read_str_same(ok), 0);
	fill(&e, "<!DOCTYPE a><a/>", 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 1);
	fill(&e, "<p:a xmlns:p=\"urn:p\"/>", 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
}
END_TEST

/* ---- the kept parsers ----------------------------------------------------- */

#define GOOD_READ	ENV12 "<s:Header><a:Action>urn:a</a:Action></s:Header>" \
			"<s:Body><x xmlns=\"urn:x\">1</x></s:Body></s:Envelope>"

/* Each use keeps its parser from one message to the next (else every
 * message pays for a new one). */
START_TEST(test_parser_kept)
{
	struct envelope	e;
	unsigned int	gr, gc;

	ck_assert_int_eq(read_str_same(GOOD_READ), 0);
	ck_assert_uint_ne(gr = envelope_text_generation(ENVELOPE_TEXT_READ),
	    0);
	fill(&e, canonical[1], 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_ne(gc = envelope_text_generation(ENVELOPE_TEXT_CHECK),
	    0);
	ck_assert_uint_ne(gr, gc);
	ck_assert_int_eq(read_str_same(GOOD_READ), 0);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_READ), gr);
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_CHECK), gc);
}
END_TEST

/* What a broken message leaves in the kept parser (open elements, their
 * namespace bindings, a header's half-read text, the error) never reaches
 * the next one: each reads as the tree reads it. */
START_TEST(test_parser_after_broken)
{
	static const char *const reads[] = {
		GOOD_READ,
		ENV12 "<s:Body><p:x xmlns:p=\"urn:p\"><y>",
		/* p was bound only in the broken message */
		ENV12 "<s:Body><p:y/></s:Body></s:Envelope>",
		ENV12 "<s:Header><a:Action>half",
		ENV12 "<s:Header><a:To>urn:t</a:To></s:Header><s:Body><x "
		"xmlns=\"urn:x\"/></s:Body></s:Envelope>",
		ENV12 "<s:Body><x xmlns=\"urn:x\">\x01</x></s:Body></s:Envelope>",
		ENV12 "<s:Body><x xmlns=\"urn:x\" a=\"1\" a=\"2\"/></s:Body>"
		"</s:Envelope>",
		GOOD_READ,
	};
	static const int read_rc[] = { 0, 1, 1, 1, 0, 1, 1, 0 };
	static const char *const bodies[] = {
		"<a/>", "<p:a xmlns:p=\"urn:p\"><b>", "<p:c/>", "</w><w>",
		"<a>\x01</a>", "<a/>", "<p:a xmlns:p=\"urn:p\">x", "</p:a>",
		"<c>x</c>",
	};
	static const int write_rc[] = { 0, 1, 1, 1, 1, 0, 1, 1, 0 };
	struct envelope	e;
	unsigned int	gr, gc;
	size_t		i;

	ck_assert_int_eq(read_str_same(GOOD_READ), 0);
	gr = envelope_text_generation(ENVELOPE_TEXT_READ);
	for (i = 0; i < sizeof reads / sizeof *reads; i++)
		ck_assert_msg(read_str_same(reads[i]) == read_rc[i],
		    "read %zu: %s", i, reads[i]);
	fill(&e, "<p:a xmlns:p=\"urn:p\"/>", 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_ne(gc = envelope_text_generation(ENVELOPE_TEXT_CHECK),
	    0);
	for (i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		fill(&e, bodies[i], 2, 2);
		ck_assert_msg(same_as_tree(&e) == write_rc[i], "body %zu: %s",
		    i, bodies[i]);
	}
	/* ... and the errors cost no parser. */
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_READ), gr);
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_CHECK), gc);
}
END_TEST

/* A body of `n` distinct empty elements named with `tag` and a number,
 * each name `width` characters long at least; malloc'd. */
static char *
many_names(const char *tag, size_t n, size_t width)
{
	size_t	 i, len = 0, size = n * (width + 32) + 64;
	char	*b;

	ck_assert_ptr_nonnull(b = malloc(size));
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, size - len, "<%s%0*zu/>",
		    tag, (int)width, i);
	return b;
}

/* What the kept parsers keep is bounded: one that saw too many names, or
 * too long ones over several messages, or one large message, is replaced,
 * and the next message reads and writes as before. */
START_TEST(test_parser_bounded)
{
	struct envelope	e;
	char		*body, *doc, *p;
	size_t		 i, size, kept = 0;
	unsigned int	 g, last;

	/* 5000 names in one body: more than a dictionary may keep. */
	body = many_names("n", 5000, 1);
	fill(&e, body, 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_CHECK), 0);
	ck_assert_int_gt(asprintf(&doc, ENV12 "<s:Body><x xmlns=\"urn:x\">%s"
	    "</x></s:Body></s:Envelope>", body), 0);
	ck_assert_int_eq(read_str_same(doc), 0);
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_READ), 0);
	free(doc);
	free(body);
	ck_assert_int_eq(read_str_same(GOOD_READ), 0);
	ck_assert_uint_ne(envelope_text_generation(ENVELOPE_TEXT_READ), 0);
	fill(&e, canonical[1], 1, 1);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_ne(envelope_text_generation(ENVELOPE_TEXT_CHECK), 0);

	/* Long names, one per message: the parser is kept a while, then
	 * replaced before its dictionary holds much. */
	last = envelope_text_generation(ENVELOPE_TEXT_READ);
	for (i = 0; i < 12; i++) {
		body = many_names(i & 1 ? "m" : "l", 1, 30000 + i);
		ck_assert_int_gt(asprintf(&doc, ENV12 "<s:Body><x xmlns="
		    "\"urn:x\">%s</x></s:Body></s:Envelope>", body), 0);
		ck_assert_int_eq(read_str_same(doc), 0);
		if ((g = envelope_text_generation(ENVELOPE_TEXT_READ)) ==
		    last && g != 0)
			kept++;
		last = g;
		free(doc);
		free(body);
	}
	ck_assert_uint_gt(kept, 2);
	ck_assert_uint_lt(kept, 12);

	/* One large message: neither its parser nor its buffer is kept. */
	ck_assert_ptr_nonnull(body = malloc(100 * 1024 + 64));
	p = body + sprintf(body, "<p:a xmlns:p=\"urn:p\">");
	memset(p, 'z', 100 * 1024);
	strcpy(p + 100 * 1024, "</p:a>");
	fill(&e, body, 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_CHECK), 0);
	envelope_text_take(ENVELOPE_TEXT_CHECK, &p, &size);
	ck_assert_ptr_null(p);
	free(body);
	fill(&e, canonical[1], 2, 2);
	ck_assert_int_eq(same_as_tree(&e), 0);
	envelope_text_take(ENVELOPE_TEXT_CHECK, &p, &size);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_le(size, 64 * 1024);
	envelope_text_give(ENVELOPE_TEXT_CHECK, p, size);
}
END_TEST

/* The parsers a thread freed are made again when next needed. */
START_TEST(test_parser_cleanup)
{
	struct envelope	e;

	ck_assert_int_eq(read_str_same(GOOD_READ), 0);
	envelope_text_cleanup();
	ck_assert_uint_eq(envelope_text_generation(ENVELOPE_TEXT_READ), 0);
	ck_assert_int_eq(read_str_same(GOOD_READ), 0);
	ck_assert_uint_ne(envelope_text_generation(ENVELOPE_TEXT_READ), 0);
	envelope_text_cleanup();
	envelope_text_cleanup();
	fill(&e, canonical[1], 2, 1);
	ck_assert_int_eq(same_as_tree(&e), 0);
	ck_assert_uint_ne(envelope_text_generation(ENVELOPE_TEXT_CHECK), 0);
}
END_TEST

/* The library links the codec too: threads each use their own parsers. */
#define THREADS		4
#define THREAD_ITERS	300

struct thread_arg {
	const uint8_t	*wire;		/* what envelope_write gives */
	size_t		 wire_len;
	const uint8_t	*body;		/* what reading it gives */
	size_t		 body_len;
	int		 failures;
};

static void *
thread_main(void *p)
{
	struct thread_arg	*a = p;
	struct envelope		 e, r;
	uint8_t			*out;
	size_t			 out_len;
	int			 i;

	for (i = 0; i < THREAD_ITERS; i++) {
		fill(&e, canonical[1], 2, 2);
		if (i % 2 == 0) {
			if (envelope_write(&e, &out, &out_len) != 0 ||
			    out_len != a->wire_len ||
			    memcmp(out, a->wire, out_len) != 0)
				a->failures++;
			free(out);
		} else if (envelope_text_read(a->wire, a->wire_len, &r) !=
		    0 || r.body_len != a->body_len ||
		    memcmp(r.body, a->body, r.body_len) != 0) {
			a->failures++;
			envelope_clear(&r);
		} else
			envelope_clear(&r);
	}
	return NULL;
}

START_TEST(test_parser_threads)
{
	struct thread_arg	 a[THREADS];
	struct envelope		 e, r;
	pthread_t		 t[THREADS];
	uint8_t			*wire;
	size_t			 wire_len;
	int			 i;

	fill(&e, canonical[1], 2, 2);
	ck_assert_int_eq(envelope_write_dom(&e, &wire, &wire_len), 0);
	ck_assert_int_eq(envelope_read_dom(wire, wire_len, &r, NULL), 0);
	for (i = 0; i < THREADS; i++) {
		a[i] = (struct thread_arg){ wire, wire_len, r.body,
		    r.body_len, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, thread_main,
		    &a[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(a[i].failures, 0);
	}
	envelope_clear(&r);
	free(wire);
}
END_TEST

static Suite *
envelope_text_suite(void)
{
	Suite	*s = suite_create("envelope_text");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_canonical_taken);
	tcase_add_test(tc, test_other_left);
	tcase_add_test(tc, test_headers_escaped);
	tcase_add_test(tc, test_left_to_tree);
	tcase_add_test(tc, test_mutations_agree);
	tcase_add_test(tc, test_simple_told);
	tcase_add_test(tc, test_simple_random);
	tcase_add_test(tc, test_read_written);
	tcase_add_test(tc, test_read_others);
	tcase_add_test(tc, test_read_mutations_agree);
	tcase_add_test(tc, test_read_own_form);
	tcase_add_test(tc, test_parser_after_stop);
	tcase_add_test(tc, test_parser_kept);
	tcase_add_test(tc, test_parser_after_broken);
	tcase_add_test(tc, test_parser_bounded);
	tcase_add_test(tc, test_parser_cleanup);
	tcase_add_test(tc, test_parser_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(envelope_text_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	envelope_text_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
