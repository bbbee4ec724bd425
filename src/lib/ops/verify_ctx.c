/* verify_ctx.c — what the parts of one verification share (verify_ctx.h): the archive's
 * entries by name, small entries read whole, documents judged well-formed, base64. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <openssl/evp.h>
#include "container.h"
#include "verify_ctx.h"

int by_entry_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

struct entry *find_entry(struct vctx *c, const char *name)
{
	struct entry key = { .name = (char *)name };
	if (!c->nentries)
		return NULL;
	return bsearch(&key, c->entries, c->nentries, sizeof(*c->entries), by_entry_name);
}

/* The whole of a small entry into b, up to cap bytes: 0, -2 over the cap, -1 unreadable
 * (*why says why). */
int read_small(struct vctx *c, const struct zip_dirent *z, struct buf *b, size_t cap,
    char *why, size_t wl)
{
	char tmp[16384];
	ssize_t n;
	struct zip_rd *rd = zip_rd_open(c->fd, z);
	if (!rd) {
		snprintf(why, wl, "out of memory");
		return -1;
	}
	while ((n = zip_rd_read(rd, tmp, sizeof(tmp))) > 0)
		if (b->len + (size_t)n > cap || buf_append(b, tmp, (size_t)n)) {
			zip_rd_close(rd);
			return -2;
		}
	if (n < 0)
		snprintf(why, wl, "%s", zip_rd_error(rd));
	zip_rd_close(rd);
	return n < 0 ? -1 : 0;
}

/* Whether the whole document is well-formed, decided as a full parse (xmlReadMemory)
 * decides it, building no tree: the default SAX2 handlers keep the DTD and entity
 * declarations, the element and text handlers are removed.  A stream sees an error only
 * when it gets there, after the items before it; this keeps a malformed document
 * all-or-nothing: refused as a whole, nothing taken from it. */
/* XML_PARSE_HUGE also lifts libxml2's nesting limit: the 256 levels it has without it
 * are counted here. */
#define MAX_XML_DEPTH 256
struct depth {
	int n, over;
};

static void depth_in(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn,
    const xmlChar **ns, int na, int nd, const xmlChar **a)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct depth *d = ctxt->_private;
	(void)l, (void)p, (void)u, (void)nn, (void)ns, (void)na, (void)nd, (void)a;
	if (++d->n > MAX_XML_DEPTH) {
		d->over = 1;
		xmlStopParser(ctxt);
	}
}

static void depth_out(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u)
{
	xmlParserCtxtPtr ctxt = ctx;
	(void)l, (void)p, (void)u;
	((struct depth *)ctxt->_private)->n--;
}

int well_formed(const struct doc *d)
{
	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt((const char *)d->b.data, (int)d->b.len);
	struct depth depth = { 0, 0 };
	int ok;
	if (!ctxt)
		return 0;
	xmlSAXVersion(ctxt->sax, 2);
	ctxt->_private = &depth;
	ctxt->sax->startElementNs = depth_in;
	ctxt->sax->endElementNs = depth_out;
	ctxt->sax->characters = NULL;
	ctxt->sax->ignorableWhitespace = NULL;
	ctxt->sax->cdataBlock = NULL;
	ctxt->sax->comment = NULL;
	ctxt->sax->processingInstruction = NULL;
	ctxt->sax->reference = NULL;
	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
	xmlParseDocument(ctxt);
	ok = ctxt->wellFormed && !depth.over;
	xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return ok;
}

int b64_decode(const char *in, unsigned char *out, size_t cap, size_t *outlen)
{
	unsigned char tmp[128];
	size_t n = strlen(in), pad = 0;
	while (n && (in[n - 1] == '\n' || in[n - 1] == ' ' || in[n - 1] == '\r'))
		n--;
	if (n == 0 || n % 4 || n > sizeof(tmp))
		return -1;
	pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	int len = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)n);
	if (len < 0 || (size_t)len - pad > cap)
		return -1;
	memcpy(out, tmp, (size_t)len - pad);
	*outlen = (size_t)len - pad;
	return 0;
}
