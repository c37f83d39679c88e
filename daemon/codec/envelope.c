/*
 * SOAP envelopes with WS-Addressing headers, built and parsed with libxml2.
 *
 * Reading treats the document as hostile: no DTD (so no entity can be
 * declared, let alone expanded), no network access, a depth limit enforced
 * while parsing, and nothing printed by libxml2.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "envelope.h"
#include "envelope_text.h"

/* WS_ENVELOPE_VERSION and WS_ADDRESSING_VERSION values. */
#define ENV_SOAP11		1
#define ENV_SOAP12		2
#define ADDR_WSA09		1
#define ADDR_WSA10		2
#define ADDR_TRANSPORT		3

/* Deepest element nesting we accept, the Envelope being depth 1. */
#define ENVELOPE_MAX_DEPTH	256

#define ENVELOPE_PARSE_OPTIONS \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
	 XML_PARSE_IGNORE_ENC)

static const char *
envelope_soap_ns(uint32_t version)
{
	return version == ENV_SOAP11 ? ENV_NS_SOAP11 : ENV_NS_SOAP12;
}

static bool
envelope_is(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST ns) &&
	    xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNode *
envelope_first_element(xmlNode *n)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

void
envelope_http_clear(struct envelope *env)
{
	size_t i;

	for (i = 0; i < env->nhttp; i++) {
		free(env->http[i].name);
		free(env->http[i].value);
	}
	free(env->http);
	env->http = NULL;
	env->nhttp = 0;
}

int
envelope_http_add(struct envelope *env, const char *name, const char *value)
{
	struct envelope_http *n;
	char *a, *b;

	if ((a = strdup(name)) == NULL || (b = strdup(value)) == NULL) {
		free(a);
		return -ENOMEM;
	}
	if ((n = realloc(env->http, (env->nhttp + 1) * sizeof(*n))) == NULL) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	env->http = n;
	n[env->nhttp].name = a;
	n[env->nhttp].value = b;
	env->nhttp++;
	return 0;
}

#define ENVELOPE_FREE(p)	do {	\
	if ((p) != NULL)		\
		free(p);		\
} while (0)

void
envelope_clear(struct envelope *env)
{
	if (env == NULL)
		return;
	/* Most members are NULL (every request and pending operation
	 * clears an envelope): a test costs less than a call to free. */
	ENVELOPE_FREE(env->action);
	ENVELOPE_FREE(env->to);
	ENVELOPE_FREE(env->message_id);
	ENVELOPE_FREE(env->relates_to);
	ENVELOPE_FREE(env->reply_to);
	ENVELOPE_FREE(env->fault_to);
	ENVELOPE_FREE(env->body);
	ENVELOPE_FREE(env->fault_reason);
	ENVELOPE_FREE(env->headers);
	if (env->http != NULL)
		envelope_http_clear(env);
	memset(env, 0, sizeof *env);
}

/* ---- writing ------------------------------------------------------------ */

/*
 * libxml2 would serialize a C0 control character as a character reference
 * that no XML 1.0 parser accepts, and bad UTF-8 as garbage; refuse both.
 */
static bool
envelope_valid_text(const char *s)
{
	const unsigned char *p;

	if (xmlCheckUTF8(BAD_CAST s) == 0)
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/* Checks that no element or attribute kept a prefix it could not bind. */
static bool
envelope_namespaces_bound(const xmlNode *n)
{
	const xmlAttr	*a;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns == NULL && xmlStrchr(n->name, ':') != NULL)
			return false;
		for (a = n->properties; a != NULL; a = a->next)
			if (a->ns == NULL && xmlStrchr(a->name, ':') != NULL)
				return false;
		if (!envelope_namespaces_bound(n->children))
			return false;
	}
	return true;
}

/*
 * Parses env->body into a node list owned by `doc`.  The context element
 * is the still-detached Body, which declares no namespace, so the body
 * cannot silently borrow the envelope's prefixes: it must be standalone.
 */
static int
envelope_parse_body(const struct envelope *env, xmlNode *ctx, xmlNode **list)
{
	xmlParserErrors	 perr;

	*list = NULL;
	if (env->body == NULL || env->body_len == 0)
		return 0;
	if (env->body_len > INT_MAX)
		return -EINVAL;
	perr = xmlParseInNodeContext(ctx, (const char *)env->body,
	    (int)env->body_len, ENVELOPE_PARSE_OPTIONS, list);
	if (perr != XML_ERR_OK) {
		xmlFreeNodeList(*list);
		*list = NULL;
		return perr == XML_ERR_NO_MEMORY ? -ENOMEM : -EINVAL;
	}
	if (!envelope_namespaces_bound(*list)) {
		xmlFreeNodeList(*list);
		*list = NULL;
		return -EINVAL;
	}
	return 0;
}

/* The same for env->headers, in the context of the detached Header. */
static int
envelope_parse_headers(const struct envelope *env, xmlNode *ctx,
    xmlNode **list)
{
	struct envelope	 tmp;

	memset(&tmp, 0, sizeof tmp);
	tmp.body = env->headers;
	tmp.body_len = env->headers_len;
	return envelope_parse_body(&tmp, ctx, list);
}

/*
 * Appends an element in namespace `ns`, or in none when it is NULL
 * (xmlNewChild would instead inherit the parent's namespace).
 */
static xmlNode *
envelope_add_element(xmlNode *parent, xmlNs *ns, const char *name)
{
	xmlNode	*n;

	if ((n = xmlNewDocNode(parent->doc, ns, BAD_CAST name, NULL)) == NULL)
		return NULL;
	if (xmlAddChild(parent, n) == NULL) {
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

static int
envelope_add_text(xmlNode *parent, xmlNs *ns, const char *name,
    const char *value, xmlNs *mu_ns)
{
	xmlNode	*n, *t;

	if ((n = envelope_add_element(parent, ns, name)) == NULL)
		return -ENOMEM;
	if (mu_ns != NULL &&
	    xmlNewNsProp(n, mu_ns, BAD_CAST "mustUnderstand",
	    BAD_CAST "1") == NULL)
		return -ENOMEM;
	if (*value == '\0')
		return 0;
	/* A text node holds raw text; the serializer escapes it. */
	if ((t = xmlNewDocText(n->doc, BAD_CAST value)) == NULL)
		return -ENOMEM;
	if (xmlAddChild(n, t) == NULL) {
		xmlFreeNode(t);
		return -ENOMEM;
	}
	return 0;
}

static int
envelope_add_address(xmlNode *parent, xmlNs *ns, const char *name,
    const char *address)
{
	xmlNode	*n;

	if ((n = envelope_add_element(parent, ns, name)) == NULL)
		return -ENOMEM;
	return envelope_add_text(n, ns, "Address", address, NULL);
}

static void	envelope_drop_redundant_ns(xmlNode *);

static int
envelope_write_headers(const struct envelope *env, xmlNode *root,
    xmlNs *s, xmlNs *a)
{
	xmlNode	*h, *list = NULL, *n;
	int	 error = 0;

	if (env->headers != NULL && env->headers_len > 0) {
		if ((h = xmlNewDocNode(root->doc, s, BAD_CAST "Header",
		    NULL)) == NULL)
			return -ENOMEM;
		error = envelope_parse_headers(env, h, &list);
		xmlFreeNode(h);
		if (error != 0)
			return error;
	}
	if ((a == NULL || (env->action == NULL && env->message_id == NULL &&
	    env->relates_to == NULL && env->reply_to == NULL &&
	    env->fault_to == NULL && env->to == NULL)) && list == NULL)
		return 0;
	if ((h = envelope_add_element(root, s, "Header")) == NULL) {
		xmlFreeNodeList(list);
		return -ENOMEM;
	}
	if (a == NULL)
		goto others;
	if (env->action != NULL)
		error = envelope_add_text(h, a, "Action", env->action, s);
	if (error == 0 && env->message_id != NULL)
		error = envelope_add_text(h, a, "MessageID", env->message_id,
		    NULL);
	if (error == 0 && env->relates_to != NULL)
		error = envelope_add_text(h, a, "RelatesTo", env->relates_to,
		    NULL);
	if (error == 0 && env->reply_to != NULL)
		error = envelope_add_address(h, a, "ReplyTo", env->reply_to);
	if (error == 0 && env->fault_to != NULL)
		error = envelope_add_address(h, a, "FaultTo", env->fault_to);
	if (error == 0 && env->to != NULL)
		error = envelope_add_text(h, a, "To", env->to, s);
others:
	/* The other headers follow the addressing ones, as Windows writes
	 * them; a binding they redeclare (s for mustUnderstand) goes. */
	if (error != 0) {
		xmlFreeNodeList(list);
		return error;
	}
	if (list != NULL) {
		n = h->last;
		xmlAddChildList(h, list);
		for (n = n != NULL ? n->next : h->children; n != NULL;
		    n = n->next)
			if (n->type == XML_ELEMENT_NODE)
				envelope_drop_redundant_ns(n);
	}
	return error;
}

/*
 * Builds a Fault from fault_reason under `body`; `detail` (the parsed body,
 * may be NULL) goes into its Detail element.  Takes ownership of `detail`.
 */
static int
envelope_write_fault(const struct envelope *env, xmlNode *body, xmlNs *s,
    xmlNode *detail)
{
	const char	*reason = env->fault_reason != NULL ?
			    env->fault_reason : "";
	xmlNode		*f, *n, *d = NULL;

	if ((f = envelope_add_element(body, s, "Fault")) == NULL)
		goto nomem;
	if (env->envelope_version == ENV_SOAP12) {
		if ((n = envelope_add_element(f, s, "Code")) == NULL ||
		    envelope_add_text(n, s, "Value", "s:Receiver", NULL) != 0)
			goto nomem;
		if ((n = envelope_add_element(f, s, "Reason")) == NULL ||
		    envelope_add_text(n, s, "Text", reason, NULL) != 0)
			goto nomem;
		xmlNodeSetLang(n->last, BAD_CAST "en");
		if (detail != NULL &&
		    (d = envelope_add_element(f, s, "Detail")) == NULL)
			goto nomem;
	} else {
		/* SOAP 1.1 fault children are unqualified. */
		if (envelope_add_text(f, NULL, "faultcode", "s:Server",
		    NULL) != 0 ||
		    envelope_add_text(f, NULL, "faultstring", reason,
		    NULL) != 0)
			goto nomem;
		if (detail != NULL &&
		    (d = envelope_add_element(f, NULL, "detail")) == NULL)
			goto nomem;
	}
	if (detail != NULL)
		xmlAddChildList(d, detail);
	return 0;
nomem:
	xmlFreeNodeList(detail);
	return -ENOMEM;
}

/* Points every reference to `from` in the element `n` and below at `to`. */
static void
envelope_retarget_ns(xmlNode *n, const xmlNs *from, xmlNs *to)
{
	xmlNode	*c;
	xmlAttr	*a;

	if (n->ns == from)
		n->ns = to;
	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == from)
			a->ns = to;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			envelope_retarget_ns(c, from, to);
}

/*
 * A standalone body element redeclares bindings that the envelope already
 * has in scope (xmlns:s on a Fault that was read and is sent on); drop
 * those so that writing what was read gives the same document back.
 */
static void
envelope_drop_redundant_ns(xmlNode *top)
{
	xmlNs	**pp = &top->nsDef, *d, *outer;

	while ((d = *pp) != NULL) {
		outer = top->parent != NULL ?
		    xmlSearchNs(top->doc, top->parent, d->prefix) : NULL;
		if (outer == NULL || outer->href == NULL || d->href == NULL ||
		    !xmlStrEqual(outer->href, d->href)) {
			pp = &d->next;
			continue;
		}
		envelope_retarget_ns(top, d, outer);
		*pp = d->next;
		d->next = NULL;
		xmlFreeNs(d);
	}
}

static int
envelope_check(const struct envelope *env)
{
	const char *const strings[] = { env->action, env->to,
	    env->message_id, env->relates_to, env->reply_to, env->fault_to,
	    env->is_fault ? env->fault_reason : NULL };
	size_t	 i;

	if (env->envelope_version != ENV_SOAP11 &&
	    env->envelope_version != ENV_SOAP12)
		return -EINVAL;
	if (env->addressing_version != ADDR_WSA09 &&
	    env->addressing_version != ADDR_WSA10 &&
	    env->addressing_version != ADDR_TRANSPORT)
		return -EINVAL;
	for (i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (strings[i] != NULL && !envelope_valid_text(strings[i]))
			return -EINVAL;
	return 0;
}

/* Serializes `node` without XML declaration, non-ASCII kept as UTF-8. */
static int
envelope_save(xmlNode *node, xmlBuffer *buf)
{
	xmlSaveCtxt	*save;
	int		 rc;

	if ((save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_NO_DECL)) == NULL)
		return -ENOMEM;
	rc = xmlSaveTree(save, node);
	if (xmlSaveClose(save) < 0 || rc < 0)
		return -ENOMEM;
	return 0;
}

/* Copies the buffer's bytes into a plain malloc'd block for the caller. */
static int
envelope_take(xmlBuffer *buf, uint8_t **out, size_t *out_len)
{
	int	 len = xmlBufferLength(buf);
	uint8_t	*p;

	if (len < 0)
		return -ENOMEM;
	if ((p = malloc((size_t)len + 1)) == NULL)
		return -ENOMEM;
	memcpy(p, xmlBufferContent(buf), (size_t)len);
	p[len] = '\0';
	*out = p;
	*out_len = (size_t)len;
	return 0;
}

static xmlDoc *
envelope_new_doc(void)
{
	xmlDoc	*doc;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return NULL;
	/* With an encoding set, attribute values keep their UTF-8 as is. */
	if ((doc->encoding = xmlStrdup(BAD_CAST "UTF-8")) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int
envelope_to_doc(const struct envelope *env, xmlDoc **out)
{
	xmlDoc		*doc = NULL;
	xmlNode		*root, *body, *list, *first;
	xmlNs		*s, *a = NULL;
	int		 error;

	if ((error = envelope_check(env)) != 0)
		return error;
	xmlInitParser();
	if ((doc = envelope_new_doc()) == NULL)
		return -ENOMEM;
	error = -ENOMEM;
	if ((root = xmlNewDocNode(doc, NULL, BAD_CAST "Envelope",
	    NULL)) == NULL)
		goto out;
	xmlDocSetRootElement(doc, root);
	/* Declared a then s, as WCF and Wine write them. */
	if (env->addressing_version != ADDR_TRANSPORT &&
	    (a = xmlNewNs(root, BAD_CAST (env->addressing_version ==
	    ADDR_WSA10 ? ENV_NS_WSA10 : ENV_NS_WSA09), BAD_CAST "a")) == NULL)
		goto out;
	if ((s = xmlNewNs(root, BAD_CAST envelope_soap_ns(
	    env->envelope_version), BAD_CAST "s")) == NULL)
		goto out;
	xmlSetNs(root, s);

	if ((error = envelope_write_headers(env, root, s, a)) != 0)
		goto out;

	error = -ENOMEM;
	if ((body = xmlNewDocNode(doc, s, BAD_CAST "Body", NULL)) == NULL)
		goto out;
	if ((error = envelope_parse_body(env, body, &list)) != 0) {
		xmlFreeNode(body);
		goto out;
	}
	xmlAddChild(root, body);
	/*
	 * A fault whose body already is a soap:Fault (one that was read, or
	 * one the application built) goes out as it is; otherwise we build
	 * the Fault from fault_reason and the body becomes its detail.
	 */
	first = envelope_first_element(list);
	if (env->is_fault && !envelope_is(first, envelope_soap_ns(
	    env->envelope_version), "Fault")) {
		if ((error = envelope_write_fault(env, body, s, list)) != 0)
			goto out;
	} else if (list != NULL)
		xmlAddChildList(body, list);
	for (first = body->children; first != NULL; first = first->next)
		if (first->type == XML_ELEMENT_NODE)
			envelope_drop_redundant_ns(first);
	*out = doc;
	return 0;
out:
	xmlFreeDoc(doc);
	return error;
}

/*
 * The common message goes without a tree (envelope_text.c); whatever that
 * does not write byte for byte as the tree path does goes the tree path.
 */
int
envelope_write(const struct envelope *env, uint8_t **out, size_t *out_len)
{
	int	 error;

	if ((error = envelope_check(env)) != 0)
		return error;
	if ((error = envelope_text_write(env, out, out_len)) != 1)
		return error;
	return envelope_write_dom(env, out, out_len);
}

int
envelope_write_dom(const struct envelope *env, uint8_t **out, size_t *out_len)
{
	xmlDoc		*doc = NULL;
	xmlBuffer	*buf = NULL;
	int		 error;

	if ((error = envelope_to_doc(env, &doc)) != 0)
		return error;
	error = -ENOMEM;
	if ((buf = xmlBufferCreate()) == NULL)
		goto out;
	if ((error = envelope_save(xmlDocGetRootElement(doc), buf)) != 0)
		goto out;
	error = envelope_take(buf, out, out_len);
out:
	if (buf != NULL)
		xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return error;
}

/* ---- reading ------------------------------------------------------------ */

struct envelope_parse_state {
	int		 depth;
	bool		 too_deep;
	bool		 has_dtd;
};

/* A SOAP message must not carry a DTD; stop before its subset is read. */
static void
envelope_sax_internal_subset(void *ctx, const xmlChar *name,
    const xmlChar *external_id, const xmlChar *system_id)
{
	xmlParserCtxt			*ctxt = ctx;
	struct envelope_parse_state	*st = ctxt->_private;

	st->has_dtd = true;
	xmlStopParser(ctxt);
}

static void
envelope_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxt			*ctxt = ctx;
	struct envelope_parse_state	*st = ctxt->_private;

	if (++st->depth > ENVELOPE_MAX_DEPTH) {
		st->too_deep = true;
		xmlStopParser(ctxt);
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
}

static void
envelope_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxt			*ctxt = ctx;
	struct envelope_parse_state	*st = ctxt->_private;

	st->depth--;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static xmlDoc *
envelope_parse(const uint8_t *in, size_t len, const char **why)
{
	struct envelope_parse_state	 st;
	xmlParserCtxt			*ctxt;
	xmlDoc				*doc;

	if (len > INT_MAX) {
		*why = "envelope too large";
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	memset(&st, 0, sizeof st);
	ctxt->_private = &st;
	ctxt->sax->internalSubset = envelope_sax_internal_subset;
	ctxt->sax->startElementNs = envelope_sax_start;
	ctxt->sax->endElementNs = envelope_sax_end;
	doc = xmlCtxtReadMemory(ctxt, (const char *)in, (int)len, NULL,
	    "UTF-8", ENVELOPE_PARSE_OPTIONS);
	if (st.has_dtd)
		*why = "document type declarations are not allowed";
	else if (st.too_deep)
		*why = "document nested too deeply";
	else if (doc == NULL)
		*why = "not well-formed XML";
	else if (!ctxt->nsWellFormed)
		*why = "undeclared namespace prefix";
	else {
		xmlFreeParserCtxt(ctxt);
		return doc;
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return NULL;
}

static bool
envelope_is_space(xmlChar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text content of `n` without surrounding XML white space, malloc'd. */
static char *
envelope_text(const xmlNode *n)
{
	xmlChar	*content;
	size_t	 start = 0, end;
	char	*s;

	if ((content = xmlNodeGetContent(n)) == NULL)
		return strdup("");
	end = strlen((const char *)content);
	while (start < end && envelope_is_space(content[start]))
		start++;
	while (end > start && envelope_is_space(content[end - 1]))
		end--;
	s = strndup((const char *)content + start, end - start);
	xmlFree(content);
	return s;
}

/* Stores the text of header `n` in *slot; a second copy is an error. */
static int
envelope_read_header(const xmlNode *n, char **slot, const char **why)
{
	if (*slot != NULL) {
		*why = "duplicate addressing header";
		return -EBADMSG;
	}
	if ((*slot = envelope_text(n)) == NULL) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

static int
envelope_read_address(const xmlNode *n, const char *ns, char **slot,
    const char **why)
{
	xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (envelope_is(c, ns, "Address"))
			return envelope_read_header(c, slot, why);
	return 0;
}

static int
envelope_read_headers(const xmlNode *header, struct envelope *env,
    const char **why)
{
	const char	*ns = NULL;
	xmlNode		*n;
	int		 error = 0;

	for (n = header->children; n != NULL && error == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n->ns == NULL)
			continue;
		/* The first addressing header decides the version. */
		if (ns == NULL) {
			if (xmlStrEqual(n->ns->href, BAD_CAST ENV_NS_WSA10)) {
				ns = ENV_NS_WSA10;
				env->addressing_version = ADDR_WSA10;
			} else if (xmlStrEqual(n->ns->href,
			    BAD_CAST ENV_NS_WSA09)) {
				ns = ENV_NS_WSA09;
				env->addressing_version = ADDR_WSA09;
			} else
				continue;
		}
		if (envelope_is(n, ns, "Action"))
			error = envelope_read_header(n, &env->action, why);
		else if (envelope_is(n, ns, "To"))
			error = envelope_read_header(n, &env->to, why);
		else if (envelope_is(n, ns, "MessageID"))
			error = envelope_read_header(n, &env->message_id, why);
		else if (envelope_is(n, ns, "RelatesTo"))
			error = envelope_read_header(n, &env->relates_to, why);
		else if (envelope_is(n, ns, "ReplyTo"))
			error = envelope_read_address(n, ns, &env->reply_to,
			    why);
		else if (envelope_is(n, ns, "FaultTo"))
			error = envelope_read_address(n, ns, &env->fault_to,
			    why);
	}
	return error;
}

/* A whole value of the form prefix:local, as in xsi:type="xsd:int". */
static const xmlChar *
envelope_qname_prefix(const xmlChar *value, xmlChar *prefix, size_t size)
{
	const xmlChar	*colon;
	size_t		 len;

	while (envelope_is_space(*value))
		value++;
	len = (size_t)xmlStrlen(value);
	while (len > 0 && envelope_is_space(value[len - 1]))
		len--;
	if (len == 0 || len >= size)
		return NULL;
	memcpy(prefix, value, len);
	prefix[len] = '\0';
	if (xmlValidateQName(prefix, 0) != 0)
		return NULL;
	if ((colon = xmlStrchr(prefix, ':')) == NULL)
		return NULL;
	prefix[colon - prefix] = '\0';
	return prefix;
}

/*
 * Declares on `top` a prefix that a QName-valued text or attribute under
 * `n` uses but that only an ancestor of the original Body declared.
 */
static void
envelope_declare_value_prefix(xmlDoc *scratch, xmlNode *top, xmlNode *n,
    const xmlChar *value, xmlNode *orig_body)
{
	xmlChar		 buf[256];
	const xmlChar	*prefix;
	xmlNs		*ns;

	if (value == NULL ||
	    (prefix = envelope_qname_prefix(value, buf, sizeof buf)) == NULL)
		return;
	if (xmlSearchNs(scratch, n, prefix) != NULL)
		return;
	if ((ns = xmlSearchNs(orig_body->doc, orig_body, prefix)) == NULL)
		return;
	xmlNewNs(top, ns->href, prefix);
}

static void
envelope_declare_value_prefixes(xmlDoc *scratch, xmlNode *top, xmlNode *n,
    xmlNode *orig_body)
{
	xmlAttr	*a;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a != NULL; a = a->next)
			if (a->children != NULL && a->children->next == NULL &&
			    a->children->type == XML_TEXT_NODE)
				envelope_declare_value_prefix(scratch, top, n,
				    a->children->content, orig_body);
		if (n->children != NULL && n->children->next == NULL &&
		    n->children->type == XML_TEXT_NODE)
			envelope_declare_value_prefix(scratch, top, n,
			    n->children->content, orig_body);
		else
			envelope_declare_value_prefixes(scratch, top,
			    n->children, orig_body);
	}
}

static bool
envelope_is_blank(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE && xmlIsBlankNode((xmlNode *)n);
}

/*
 * Serializes the children of Body, each made standalone: copying a node
 * into a scratch document declares on the copy every namespace that its
 * elements and attributes took from outside the subtree.
 */
static int
envelope_read_body(xmlNode *body, struct envelope *env)
{
	xmlDoc		*scratch;
	xmlBuffer	*buf;
	xmlNode		*n, *copy;
	int		 error = 0;

	if ((scratch = envelope_new_doc()) == NULL)
		return -ENOMEM;
	if ((buf = xmlBufferCreate()) == NULL) {
		xmlFreeDoc(scratch);
		return -ENOMEM;
	}
	for (n = body->children; n != NULL && error == 0; n = n->next) {
		/* White space between Body's children carries nothing. */
		if (envelope_is_blank(n))
			continue;
		if ((copy = xmlDocCopyNode(n, scratch, 1)) == NULL) {
			error = -ENOMEM;
			break;
		}
		if (copy->type == XML_ELEMENT_NODE)
			envelope_declare_value_prefixes(scratch, copy, copy,
			    body);
		error = envelope_save(copy, buf);
		xmlFreeNode(copy);
	}
	if (error == 0 && xmlBufferLength(buf) > 0)
		error = envelope_take(buf, &env->body, &env->body_len);
	xmlBufferFree(buf);
	xmlFreeDoc(scratch);
	return error;
}

static bool
envelope_is_addressing(const xmlNode *n, uint32_t version)
{
	static const char *const names[] = { "Action", "To", "MessageID",
	    "RelatesTo", "ReplyTo", "FaultTo" };
	const char	*ns;
	size_t		 i;

	if (version == ADDR_WSA10)
		ns = ENV_NS_WSA10;
	else if (version == ADDR_WSA09)
		ns = ENV_NS_WSA09;
	else
		return false;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (envelope_is(n, ns, names[i]))
			return true;
	return false;
}

/*
 * The children of Header that are not addressing headers, each made
 * standalone the way body elements are, into env->headers.
 */
static int
envelope_read_others(xmlNode *header, struct envelope *env)
{
	xmlDoc		*scratch;
	xmlBuffer	*buf;
	xmlNode		*n, *copy;
	int		 error = 0;

	for (n = header->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    !envelope_is_addressing(n, env->addressing_version))
			break;
	if (n == NULL)
		return 0;
	if ((scratch = envelope_new_doc()) == NULL)
		return -ENOMEM;
	if ((buf = xmlBufferCreate()) == NULL) {
		xmlFreeDoc(scratch);
		return -ENOMEM;
	}
	for (; n != NULL && error == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    envelope_is_addressing(n, env->addressing_version))
			continue;
		if ((copy = xmlDocCopyNode(n, scratch, 1)) == NULL) {
			error = -ENOMEM;
			break;
		}
		envelope_declare_value_prefixes(scratch, copy, copy, header);
		error = envelope_save(copy, buf);
		xmlFreeNode(copy);
	}
	if (error == 0 && xmlBufferLength(buf) > 0)
		error = envelope_take(buf, &env->headers, &env->headers_len);
	xmlBufferFree(buf);
	xmlFreeDoc(scratch);
	return error;
}

static int
envelope_read_fault(xmlNode *fault, const char *ns, struct envelope *env)
{
	xmlNode	*n, *t;

	env->is_fault = true;
	for (n = fault->children; n != NULL; n = n->next) {
		if (env->envelope_version == ENV_SOAP12 &&
		    envelope_is(n, ns, "Reason")) {
			for (t = n->children; t != NULL; t = t->next)
				if (envelope_is(t, ns, "Text"))
					break;
			if (t == NULL)
				return 0;
			n = t;
			break;
		}
		if (env->envelope_version == ENV_SOAP11 &&
		    n->type == XML_ELEMENT_NODE && n->ns == NULL &&
		    xmlStrEqual(n->name, BAD_CAST "faultstring"))
			break;
	}
	if (n == NULL)
		return 0;
	if ((env->fault_reason = envelope_text(n)) == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * The common message is read without a tree (envelope_text_read.c); the
 * rest, and every error, the tree path reads.
 */
int
envelope_read(const uint8_t *in, size_t len, struct envelope *env,
    const char **why)
{
	const char	*dummy;
	int		 rc;

	if (why == NULL)
		why = &dummy;
	xmlInitParser();
	if ((rc = envelope_text_read(in, len, env)) == -ENOMEM)
		*why = "out of memory";
	if (rc != 1)
		return rc;
	return envelope_read_dom(in, len, env, why);
}

int
envelope_read_dom(const uint8_t *in, size_t len, struct envelope *env,
    const char **why)
{
	const char	*dummy;
	xmlDoc		*doc;

	if (why == NULL)
		why = &dummy;
	memset(env, 0, sizeof *env);
	if (in == NULL && len != 0) {
		*why = "no input";
		return -EBADMSG;
	}
	xmlInitParser();
	if ((doc = envelope_parse(in, len, why)) == NULL)
		return -EBADMSG;
	return envelope_from_doc(doc, env, why);
}

int
envelope_from_doc(xmlDoc *doc, struct envelope *env, const char **why)
{
	const char	*dummy, *ns;
	xmlNode		*root, *n, *header = NULL, *body = NULL, *first;
	int		 error;

	if (why == NULL)
		why = &dummy;
	memset(env, 0, sizeof *env);
	error = -EBADMSG;
	root = xmlDocGetRootElement(doc);
	if (envelope_is(root, ENV_NS_SOAP12, "Envelope"))
		env->envelope_version = ENV_SOAP12;
	else if (envelope_is(root, ENV_NS_SOAP11, "Envelope"))
		env->envelope_version = ENV_SOAP11;
	else {
		*why = "not a SOAP envelope";
		goto fail;
	}
	ns = envelope_soap_ns(env->envelope_version);
	env->addressing_version = ADDR_TRANSPORT;

	for (n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (header == NULL && body == NULL &&
		    envelope_is(n, ns, "Header"))
			header = n;
		else if (body == NULL && envelope_is(n, ns, "Body"))
			body = n;
		else if (body == NULL) {
			*why = "unexpected element before the SOAP Body";
			goto fail;
		}
	}
	if (body == NULL) {
		*why = "no SOAP Body";
		goto fail;
	}

	if (header != NULL &&
	    (error = envelope_read_headers(header, env, why)) != 0)
		goto fail;
	if (header != NULL && (error = envelope_read_others(header, env)) != 0)
		goto nomem;
	first = envelope_first_element(body->children);
	if (envelope_is(first, ns, "Fault") &&
	    (error = envelope_read_fault(first, ns, env)) != 0)
		goto nomem;
	if ((error = envelope_read_body(body, env)) != 0)
		goto nomem;
	xmlFreeDoc(doc);
	return 0;

nomem:
	*why = "out of memory";
fail:
	envelope_clear(env);
	xmlFreeDoc(doc);
	return error == -ENOMEM ? -ENOMEM : -EBADMSG;
}
