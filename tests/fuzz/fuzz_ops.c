/*
 * fuzz_ops.c - libFuzzer harness for the operators (apache2/ops.c): the
 * first byte picks an operator row (and negation, capture), the bytes up
 * to the first NUL are its parameter, compiled with the row's init() as
 * the rule parser does, and the rest is the value given to exec() in a
 * transaction.
 *
 * Rows whose exec() reaches outside the process run init() only: @rbl
 * (DNS queries) and @inspectFile (runs a program).  @validateDTD and
 * @validateSchema get a fixed DTD / schema and the value as the XML
 * document; parameters naming URLs are skipped (libxml2 could fetch them).
 */
#include "fuzz_common.h"

#include <stdio.h>

#include <libxml/parser.h>

static const char *const names[] = {
    "beginsWith", "contains", "containsWord", "detectSQLi", "detectXSS", "endsWith",
    "eq", "fuzzyHash", "ge", "geoLookup", "gsbLookup", "gt", "inspectFile", "ipMatch",
    "ipMatchFromFile", "le", "lt", "noMatch", "pm", "pmFromFile", "rbl", "rsub", "rx",
    "streq", "strmatch", "unconditionalMatch", "validateByteRange", "validateDTD",
    "validateHash", "validateSchema", "validateUrlEncoding", "validateUtf8Encoding",
    "verifyCC", "verifyCPF", "verifySSN", "within",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

static const char *dtd_file, *xsd_file, *hash_file;

/* Fixed files for the XML validations and @fuzzyHash. */
static void write_fixtures(void)
{
    FILE *f;

    if (dtd_file != NULL)
        return;
    dtd_file = apr_pstrcat(fuzz_root, fuzz_dir(), "/fuzz.dtd", NULL);
    xsd_file = apr_pstrcat(fuzz_root, fuzz_dir(), "/fuzz.xsd", NULL);
    hash_file = apr_pstrcat(fuzz_root, fuzz_dir(), "/fuzz.ssdeep 40", NULL);
    if ((f = fopen(dtd_file, "w")) != NULL) {
        fputs("<!ELEMENT a (b*)>\n<!ELEMENT b (#PCDATA)>\n<!ATTLIST b n CDATA #REQUIRED>\n", f);
        fclose(f);
    }
    if ((f = fopen(xsd_file, "w")) != NULL) {
        fputs("<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"
              "<xs:element name=\"a\"><xs:complexType><xs:sequence>"
              "<xs:element name=\"b\" type=\"xs:int\" maxOccurs=\"4\"/></xs:sequence>"
              "</xs:complexType></xs:element></xs:schema>\n", f);
        fclose(f);
    }
    if ((f = fopen(apr_pstrcat(fuzz_root, fuzz_dir(), "/fuzz.ssdeep", NULL), "w")) != NULL) {
        fputs("ssdeep,1.1--blocksize:hash:hash,filename\n"
              "3:hMCEpn:hup,\"a\"\n6:hMCEpnIAy:hu4,\"b\"\n", f);
        fclose(f);
    }
}

static apr_status_t free_doc(void *d)
{
    xmlFreeDoc(d);
    return APR_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *name, *err = NULL;
    const uint8_t *nul;
    apr_pool_t *p;
    pl_rule *rule;
    pl_tx *tx;
    pl_op op;
    pl_var var;
    char *param, *val, *msg = NULL;
    size_t plen;

    if (size < 1)
        return 0;
    fuzz_init();
    write_fixtures();
    name = names[(data[0] & 0x3f) % N_NAMES];
    data++;
    size--;
    nul = memchr(data, 0, size);
    plen = nul ? (size_t)(nul - data) : size;

    apr_pool_create(&p, fuzz_root);
    param = fuzz_copy(p, data, plen);
    val = nul ? fuzz_copy(p, nul + 1, size - plen - 1) : fuzz_copy(p, (const uint8_t *)"", 0);
    memset(&op, 0, sizeof(op));
    op.def = pl_opdef_find(name);
    op.negated = (data[-1] & 0x40) != 0;
    op.file = apr_pstrcat(p, fuzz_dir(), "/fuzz.conf", NULL);
    if (strcmp(name, "validateDTD") == 0)
        param = (char *)dtd_file;
    else if (strcmp(name, "validateSchema") == 0)
        param = (char *)xsd_file;
    else if (strcmp(name, "fuzzyHash") == 0 && (data[-1] & 0x80))
        param = (char *)hash_file;
    op.param = param;
    if (op.def == NULL)
        abort();
    if ((op.def->flags & PL_OPF_MACRO) && strstr(param, "%{"))
        op.param_macro = pl_macro_compile(p, param, &err);
    if (err == NULL && op.def->init != NULL)
        err = op.def->init(&op, p);
    if (err != NULL || (op.def->flags & PL_OPF_NOT_YET) || strcmp(name, "rbl") == 0
            || strcmp(name, "inspectFile") == 0) {
        apr_pool_destroy(p);
        return 0;
    }

    tx = fuzz_tx(p);
    rule = pl_rule_new(p, PL_RT_RULE, op.file, 1);
    rule->capture = (data[-1] & 0x80) != 0;
    rule->op = op;
    var.name = "ARGS:a";
    var.key = "a";
    var.value = val;
    var.value_len = nul ? size - plen - 1 : 0;
    if (strcmp(name, "validateDTD") == 0 || strcmp(name, "validateSchema") == 0) {
        xmlDocPtr doc = xmlReadMemory(val, (int)var.value_len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (doc != NULL) {
            apr_pool_cleanup_register(p, doc, free_doc, apr_pool_cleanup_null);
            tx->xml_doc = doc;
        }
        tx->reqbody_processor = "XML";
        tx->reqbody_error = doc == NULL;
    }
    (void)op.def->exec(tx, rule, &rule->op, &var, var.value, var.value_len, &msg);
    (void)op.def->exec(NULL, rule, &rule->op, &var, var.value, var.value_len, &msg);
    apr_pool_destroy(p);
    return 0;
}
