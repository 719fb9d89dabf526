/*
 * XML request bodies: a libxml2 document in tx->xml_doc for the XML
 * variable, @validateDTD and @validateSchema.
 *
 * As in 2.9 (msc_xml.c) the body goes to libxml2's push parser piece by
 * piece as it is stored, so that no copy of the whole body is needed; the
 * document is taken when the body is complete.  The first piece only
 * creates the parser (libxml2 holds it unparsed), so, as in 2.9, an error
 * is found while the body streams in ("XML parsing error: ...") only once a
 * later piece arrives, otherwise when the parse completes ("XML parser
 * error: ...").  Options as before the
 * parser streamed: no network, no DTD loading, no entity substitution, no
 * error output.
 */
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "body.h"

#define XML_OPTIONS   (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
#define XML_PIECE_MAX (INT_MAX / 2)      /* xmlParseChunk takes an int size */
#define XML_HEAD      4                  /* bytes libxml2 detects the encoding from */

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

struct pl_xml_parser {
    pl_tx            *tx;
    xmlParserCtxtPtr  ctx;       /* made by the first piece; NULL once finished */
    int               failed;    /* not well-formed: fed no more */
    int               streaming; /* the failure came while pieces arrived */
    char              head[XML_HEAD];   /* a first piece too short to */
    int               nhead;            /* tell the encoding, held back */
};

/* ------------------------------------------------------------------------
 * Static functions
 * --------------------------------------------------------------------- */

static apr_status_t free_xml_doc(void *doc)
{
    xmlFreeDoc(doc);
    return APR_SUCCESS;
}

/* A parse the transaction ended in the middle of (the host stopped reading
 * the body) still frees libxml2's memory. */
static apr_status_t free_xml_parser(void *data)
{
    pl_xml_parser *xp = data;

    if (xp->ctx != NULL) {
        if (xp->ctx->myDoc != NULL)
            xmlFreeDoc(xp->ctx->myDoc);
        xmlFreeParserCtxt(xp->ctx);
        xp->ctx = NULL;
    }
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------------
 * The processor
 * --------------------------------------------------------------------- */

pl_xml_parser *pl_xml_start(pl_tx *tx)
{
    pl_xml_parser *xp = apr_pcalloc(tx->pool, sizeof(*xp));

    xp->tx = tx;
    pl_debug(tx, 4, "XML: Initialising parser.");
    apr_pool_cleanup_register(tx->pool, xp, free_xml_parser, apr_pool_cleanup_null);
    return xp;
}

/* Creates the parser with the first piece, unparsed (2.9's order); fewer
 * than XML_HEAD bytes wait for the next piece, so that libxml2 can detect
 * the encoding (a byte order mark, UTF-16) whatever the piece sizes. */
static void xml_create(pl_xml_parser *xp, const char *data, int n)
{
    if (xp->nhead + n < XML_HEAD) {
        memcpy(xp->head + xp->nhead, data, (apr_size_t)n);
        xp->nhead += n;
        return;
    }
    if (xp->nhead > 0) {
        char *joined = apr_palloc(xp->tx->pool, (apr_size_t)xp->nhead + (apr_size_t)n);

        memcpy(joined, xp->head, (apr_size_t)xp->nhead);
        memcpy(joined + xp->nhead, data, (apr_size_t)n);
        data = joined;
        n += xp->nhead;
        xp->nhead = 0;
    }
    xp->ctx = xmlCreatePushParserCtxt(NULL, NULL, data, n, NULL);
    if (xp->ctx == NULL)
        xp->failed = xp->streaming = 1;
    else
        xmlCtxtUseOptions(xp->ctx, XML_OPTIONS);
}

/*
 * Internal entities still read through xmlNodeGetContent(), as in 2.9.  A
 * fatal error stops libxml2 for good: later pieces are not given to it.
 */
void pl_xml_feed(pl_xml_parser *xp, const char *data, apr_size_t len)
{
    while (!xp->failed && len > 0) {
        int n = len > XML_PIECE_MAX - XML_HEAD ? XML_PIECE_MAX - XML_HEAD : (int)len;

        if (xp->ctx == NULL)
            xml_create(xp, data, n);
        else if (xmlParseChunk(xp->ctx, data, n, 0) != 0 || !xp->ctx->wellFormed)
            xp->failed = xp->streaming = 1;
        data += n;
        len -= (apr_size_t)n;
    }
}

int pl_xml_failed(const pl_xml_parser *xp)
{
    return xp->failed;
}

/* The document when it is well-formed to its end; otherwise 2.9's error.
 * As in 2.9, an error found while streaming ends the processor: the parse
 * is not completed and its debug line not written. */
void pl_xml_finish(pl_xml_parser *xp)
{
    pl_tx *tx = xp->tx;
    xmlDocPtr doc = NULL;
    int well_formed = 0;

    if (xp->streaming) {
        pl_body_error(tx, "XML parsing error: XML: Failed parsing document.");
        return;
    }
    if (xp->ctx == NULL && xp->nhead > 0) {
        xp->ctx = xmlCreatePushParserCtxt(NULL, NULL, xp->head, xp->nhead, NULL);
        if (xp->ctx != NULL)
            xmlCtxtUseOptions(xp->ctx, XML_OPTIONS);
    }
    if (xp->ctx != NULL) {
        if (!xp->failed)
            xmlParseChunk(xp->ctx, NULL, 0, 1);
        well_formed = !xp->failed && xp->ctx->wellFormed;
        doc = xp->ctx->myDoc;
        xp->ctx->myDoc = NULL;
        if (!well_formed && doc != NULL) {
            xmlFreeDoc(doc);
            doc = NULL;
        }
        /* the parser's buffers go now, not with the transaction */
        xmlFreeParserCtxt(xp->ctx);
        xp->ctx = NULL;
    }
    pl_debug(tx, 4, "XML: Parsing complete (well_formed %d).", doc != NULL);
    if (doc == NULL) {
        pl_body_error(tx, "XML parser error: XML: Failed parsing document.");
        return;
    }
    apr_pool_cleanup_register(tx->pool, doc, free_xml_doc, apr_pool_cleanup_null);
    tx->xml_doc = doc;
}
