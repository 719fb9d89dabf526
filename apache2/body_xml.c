/*
 * XML request bodies: a libxml2 document in tx->xml_doc for the XML
 * variable, @validateDTD and @validateSchema.
 */
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "body.h"

/* ------------------------------------------------------------------------
 * Static functions and the processor
 * --------------------------------------------------------------------- */

static apr_status_t free_xml_doc(void *doc)
{
    xmlFreeDoc(doc);
    return APR_SUCCESS;
}

/*
 * No network, no DTD loading, no entity substitution: external entities
 * stay unresolved whatever the document declares.  Internal entities still
 * read through xmlNodeGetContent(), as in 2.9.
 */
void pl_body_xml(pl_tx *tx, const char *buf, apr_size_t len)
{
    xmlDocPtr doc = NULL;

    pl_debug(tx, 4, "XML: Initialising parser.");
    if (len <= INT_MAX)
        doc = xmlReadMemory(buf, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    pl_debug(tx, 4, "XML: Parsing complete (well_formed %d).", doc != NULL);
    if (doc == NULL) {
        pl_body_error(tx, "XML parser error: XML: Failed parsing document.");
        return;
    }
    apr_pool_cleanup_register(tx->pool, doc, free_xml_doc, apr_pool_cleanup_null);
    tx->xml_doc = doc;
}

