/*
 * XML request bodies: a libxml2 document in tx->xml_doc for the XML
 * variable, @validateDTD and @validateSchema.
 *
 * As in 2.9 (msc_xml.c) the body goes to libxml2's push parser piece by
 * piece as it is stored, so that no copy of the whole body is needed; the
 * document is taken when the body is complete.  Options as before the
 * parser streamed: no network, no DTD loading, no entity substitution, no
 * error output.
 */
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "body.h"

#define XML_OPTIONS   (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
#define XML_PIECE_MAX (INT_MAX / 2)      /* xmlParseChunk takes an int size */

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

struct pl_xml_parser {
    pl_tx            *tx;
    xmlParserCtxtPtr  ctx;       /* NULL once finished (or never made) */
    int               failed;    /* not well-formed: fed no more */
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

/*
 * The push parser starts without data: libxml2 detects the encoding from
 * the first four bytes when they arrive.  Internal entities still read
 * through xmlNodeGetContent(), as in 2.9.
 */
pl_xml_parser *pl_xml_start(pl_tx *tx)
{
    pl_xml_parser *xp = apr_pcalloc(tx->pool, sizeof(*xp));

    xp->tx = tx;
    pl_debug(tx, 4, "XML: Initialising parser.");
    xp->ctx = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
    if (xp->ctx == NULL) {
        xp->failed = 1;
        return xp;
    }
    xmlCtxtUseOptions(xp->ctx, XML_OPTIONS);
    apr_pool_cleanup_register(tx->pool, xp, free_xml_parser, apr_pool_cleanup_null);
    return xp;
}

/* A fatal error stops libxml2 for good: later pieces are not given to it. */
void pl_xml_feed(pl_xml_parser *xp, const char *data, apr_size_t len)
{
    while (!xp->failed && len > 0) {
        int n = len > XML_PIECE_MAX ? XML_PIECE_MAX : (int)len;

        if (xmlParseChunk(xp->ctx, data, n, 0) != 0 || !xp->ctx->wellFormed)
            xp->failed = 1;
        data += n;
        len -= (apr_size_t)n;
    }
}

int pl_xml_failed(const pl_xml_parser *xp)
{
    return xp->failed;
}

/* The document when it is well-formed to its end (what xmlReadMemory
 * returned before the parser streamed); otherwise 2.9's error. */
void pl_xml_finish(pl_xml_parser *xp)
{
    pl_tx *tx = xp->tx;
    xmlDocPtr doc = NULL;
    int well_formed = 0;

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
