/*
 * The variable table: one row per ModSecurity 2.9 variable, each with the
 * function that produces its values for a rule target at request time.
 *
 * Values are named as 2.9 logs them: "ARGS:id", "REQUEST_HEADERS:Host",
 * "TX:score", but "XML", "ENV" and "RULE" without their parameter.  A
 * literal selector compares with the key case-insensitively, a /regex/
 * selector is matched against it (compiled caseless, dot-all by the
 * parser), a selector holding %{...} is expanded first.  Exclusions and
 * counting are the engine's business (pl_target_excludes helps).
 *
 * Collection elements already carry their names, so ARGS, TX, cookies and
 * headers are returned as stored.  Derived values (ARGS_NAMES, ARGS_GET,
 * scalars) are built once per transaction and kept in a small cache, so a
 * variable read by many rules yields the same pl_var each time.
 *
 * REQUEST_URI, REQUEST_FILENAME and REQUEST_BASENAME change after phase 1:
 * httpd decodes and normalises the path between phases 1 and 2, and 2.9
 * reads it from the request each time.
 */
#include <ctype.h>
#include <stdlib.h>
#include <time.h>
#include <apr_user.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include "palisade.h"
#include "stream.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

/* MODSEC_BUILD of the 2.9.7 we replace: 02 09 07, release type 9, 00. */
#define MODSEC_BUILD         "020907900"
#define DEFAULT_WEBAPPID     "default"

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

typedef void (*pl_var_get)(pl_tx *tx, const pl_target *t, apr_array_header_t *out);

/* What a derived value is cached under: its source and its variable. */
typedef struct view_id {
    const void      *src;
    const pl_vardef *def;
} view_id;

/* How a derived value is named. */
enum { NAME_KEYED, NAME_PLAIN, NAME_SOURCE };

/* ------------------------------------------------------------------------
 * Static functions: selectors and keys
 * --------------------------------------------------------------------- */

/* The literal selector for this transaction, or NULL. */
static const char *selector(pl_tx *tx, const pl_target *t)
{
    if (t->sel_macro)
        return pl_macro_expand(tx, t->sel_macro, NULL);
    return t->selector;
}

/* Reverses the log escaping of a name (\xHH, \n, \\ ...). */
static char *unescape_name(apr_pool_t *p, const char *s, apr_size_t *len)
{
    char *out = apr_palloc(p, strlen(s) + 1), *d = out;

    while (*s) {
        if (s[0] != '\\' || s[1] == '\0') {
            *d++ = *s++;
            continue;
        }
        switch (s[1]) {
        case 'b': *d++ = '\b'; break;
        case 'n': *d++ = '\n'; break;
        case 'r': *d++ = '\r'; break;
        case 't': *d++ = '\t'; break;
        case 'v': *d++ = '\v'; break;
        case 'x':
            if (isxdigit((unsigned char)s[2]) && isxdigit((unsigned char)s[3])) {
                char hex[3] = { s[2], s[3], '\0' };
                *d++ = (char)strtol(hex, NULL, 16);
                s += 2;
                break;
            }
            /* fall through */
        default: *d++ = s[1]; break;
        }
        s += 2;
    }
    *d = '\0';
    *len = d - out;
    return out;
}

/*
 * The key's bytes.  Keys are C strings; a decoded name holding NUL bytes
 * (ARGS from "a%00b") keeps its full form only in the element's escaped
 * name, which is read back in that rare case.
 */
static const char *key_bytes(pl_tx *tx, const pl_var *v, apr_size_t *len)
{
    const char *colon;

    if (v->key == NULL) {
        *len = 0;
        return "";
    }
    if (v->name && (colon = strchr(v->name, ':')) != NULL && strstr(colon, "\\x00"))
        return unescape_name(tx->pool, colon + 1, len);
    *len = strlen(v->key);
    return v->key;
}

/* Does element v pass the selector of t?  sel is selector(tx, t). */
static int key_matches(pl_tx *tx, const pl_target *t, const char *sel, const pl_var *v)
{
    if (t->sel_re) {
        apr_size_t n;
        const char *k = key_bytes(tx, v, &n);
        return pl_regex_match(t->sel_re, k, n) > 0;
    }
    if (sel)
        return v->key != NULL && strcasecmp(v->key, sel) == 0;
    return 1;
}

/* ------------------------------------------------------------------------
 * Static functions: producing values
 * --------------------------------------------------------------------- */

static apr_hash_t *views(pl_tx *tx)
{
    if (tx->var_views == NULL)
        tx->var_views = apr_hash_make_custom(tx->pool, pl_hash_binary);
    return tx->var_views;
}

static const char *view_name(pl_tx *tx, const char *prefix, const pl_var *src, int how)
{
    const char *colon;

    if (how == NAME_SOURCE)
        return src->name;
    if (how == NAME_PLAIN || src == NULL || (colon = strchr(src->name, ':')) == NULL)
        return prefix;
    return apr_pstrcat(tx->pool, prefix, colon, NULL);
}

/*
 * A value derived from src (or from target t for scalars), named after
 * prefix; the cached one when its value has not changed.
 */
static const pl_var *view(pl_tx *tx, const pl_vardef *def, const void *src_id,
                          const pl_var *src, const char *prefix, int how,
                          const char *value, apr_size_t len)
{
    apr_hash_t *h = views(tx);
    view_id id;
    pl_var *old, *v;

    id.src = src_id;
    id.def = def;
    old = apr_hash_get(h, &id, sizeof(id));
    if (old != NULL && old->value_len == len
            && (old->value == value || memcmp(old->value, value, len) == 0))
        return old;
    v = apr_palloc(tx->pool, sizeof(*v));
    v->name = old ? old->name : view_name(tx, prefix, src, how);
    v->key = src ? src->key : NULL;
    v->value = value;
    v->value_len = len;
    /* a known id keeps the key stored with it */
    apr_hash_set(h, old ? (const void *)&id : apr_pmemdup(tx->pool, &id, sizeof(id)),
                 sizeof(id), v);
    return v;
}

static void push(apr_array_header_t *out, const pl_var *v)
{
    APR_ARRAY_PUSH(out, const pl_var *) = v;
}

/* A scalar named after its variable; nothing when value is NULL. */
static void scalar_n(pl_tx *tx, const pl_target *t, apr_array_header_t *out,
                     const char *value, apr_size_t len)
{
    if (value != NULL)
        push(out, view(tx, t->def, t, NULL, t->def->name, NAME_PLAIN, value, len));
}

static void scalar(pl_tx *tx, const pl_target *t, apr_array_header_t *out, const char *value)
{
    if (value != NULL)
        scalar_n(tx, t, out, value, strlen(value));
}

static void scalar_int(pl_tx *tx, const pl_target *t, apr_array_header_t *out, long n)
{
    scalar(tx, t, out, apr_ltoa(tx->pool, n));
}

static void scalar_flag(pl_tx *tx, const pl_target *t, apr_array_header_t *out, int on)
{
    scalar_n(tx, t, out, on ? "1" : "0", 1);
}

/* Getters of one scalar computed from the transaction: expr may use tx. */
#define GETTER_STRING(fn, expr) \
    static void fn(pl_tx *tx, const pl_target *t, apr_array_header_t *out) \
    { scalar(tx, t, out, (expr)); }
#define GETTER_INT(fn, expr) \
    static void fn(pl_tx *tx, const pl_target *t, apr_array_header_t *out) \
    { scalar_int(tx, t, out, (expr)); }
#define GETTER_FLAG(fn, expr) \
    static void fn(pl_tx *tx, const pl_target *t, apr_array_header_t *out) \
    { scalar_flag(tx, t, out, (expr)); }

/* Stored elements of an array of pl_var* that pass the selector. */
static void elements(pl_tx *tx, const pl_target *t, const apr_array_header_t *items,
                     apr_array_header_t *out)
{
    const char *sel = selector(tx, t);
    int i;

    if (items == NULL)
        return;
    for (i = 0; i < items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(items, i, const pl_var *);
        if (key_matches(tx, t, sel, v))
            push(out, v);
    }
}

/* Elements renamed "PREFIX:key", valued with the key or with their value. */
static void derived(pl_tx *tx, const pl_target *t, const apr_array_header_t *items,
                    const char *prefix, int names, apr_array_header_t *out)
{
    const char *sel = selector(tx, t);
    int i;

    if (items == NULL)
        return;
    for (i = 0; i < items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(items, i, const pl_var *);
        const char *val = v->value;
        apr_size_t len = v->value_len;

        if (!key_matches(tx, t, sel, v))
            continue;
        if (names)
            val = key_bytes(tx, v, &len);
        push(out, view(tx, t->def, v, v, prefix, NAME_KEYED, val, len));
    }
}

/* ------------------------------------------------------------------------
 * Static functions: helpers of the getters
 * --------------------------------------------------------------------- */

/* 2.9's file_basename: after the last '/', then after the last '\'. */
static const char *basename_of(const char *path)
{
    const char *p;

    if (path == NULL)
        return NULL;
    if ((p = strrchr(path, '/')) != NULL)
        path = p + 1;
    if ((p = strrchr(path, '\\')) != NULL)
        path = p + 1;
    return path;
}

static const char *request_filename(const pl_tx *tx)
{
    return tx->phase <= 1 && tx->path_phase1 ? tx->path_phase1 : tx->path_decoded;
}

static const char *response_header(const pl_tx *tx, const char *name)
{
    int i;

    for (i = tx->resp_headers->nelts - 1; i >= 0; i--) {
        const pl_var *h = APR_ARRAY_IDX(tx->resp_headers, i, const pl_var *);
        if (strcasecmp(h->key, name) == 0)
            return h->value;
    }
    return NULL;
}

static int coll_count(const pl_coll *c)
{
    return c ? c->items->nelts : 0;
}

static void local_now(struct tm *tm)
{
    time_t now = time(NULL);

    localtime_r(&now, tm);
}

static const char *multipart_flag(const pl_tx *tx, const char *name)
{
    const char *v = tx->multipart_flags
                  ? apr_hash_get(tx->multipart_flags, name, APR_HASH_KEY_STRING) : NULL;
    return v ? v : "0";
}

/* The script file's metadata; zeroed (as httpd's r->finfo) when unknown. */
static void script_info(pl_tx *tx, apr_finfo_t *fi)
{
    memset(fi, 0, sizeof(*fi));
    if (tx->script_filename != NULL)
        apr_stat(fi, tx->script_filename, APR_FINFO_OWNER | APR_FINFO_PROT, tx->pool);
}

/* ------------------------------------------------------------------------
 * Getters: arguments
 * --------------------------------------------------------------------- */

static void get_args(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->args_get->items, out);
    elements(tx, t, tx->args_post->items, out);
    elements(tx, t, tx->args_json->items, out);
}

static void get_args_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->args_get->items, "ARGS_NAMES", 1, out);
    derived(tx, t, tx->args_post->items, "ARGS_NAMES", 1, out);
    derived(tx, t, tx->args_json->items, "ARGS_NAMES", 1, out);
}

static void get_args_get(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->args_get->items, "ARGS_GET", 0, out);
}

static void get_args_get_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->args_get->items, "ARGS_GET_NAMES", 1, out);
}

static void get_args_post(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->args_post->items, "ARGS_POST", 0, out);
}

static void get_args_post_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->args_post->items, "ARGS_POST_NAMES", 1, out);
}

static apr_size_t combined_size(pl_tx *tx, const pl_coll *c)
{
    apr_size_t n = 0, kl;
    int i;

    for (i = 0; i < c->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(c->items, i, const pl_var *);
        key_bytes(tx, v, &kl);
        n += kl + v->value_len;
    }
    return n;
}

static void get_args_combined_size(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_size_t n = combined_size(tx, tx->args_get) + combined_size(tx, tx->args_post)
                 + combined_size(tx, tx->args_json);
    scalar(tx, t, out, apr_psprintf(tx->pool, "%u", (unsigned)n));
}

/* ------------------------------------------------------------------------
 * Getters: request line, headers, cookies, body
 * --------------------------------------------------------------------- */

GETTER_STRING(get_request_line, tx->request_line)
GETTER_STRING(get_request_method, tx->method)
GETTER_STRING(get_request_protocol, tx->protocol)
GETTER_STRING(get_request_uri, tx->phase <= 1 && tx->uri_phase1 ? tx->uri_phase1 : tx->uri)
GETTER_STRING(get_request_uri_raw, tx->uri_raw)
GETTER_STRING(get_request_filename, request_filename(tx))
GETTER_STRING(get_request_basename, basename_of(request_filename(tx)))
GETTER_STRING(get_query_string, tx->query_string)

static void get_request_headers(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->req_headers, out);
}

static void get_request_headers_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->req_headers, "REQUEST_HEADERS_NAMES", 1, out);
}

static void get_request_cookies(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->cookies->items, out);
}

static void get_request_cookies_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->cookies->items, "REQUEST_COOKIES_NAMES", 1, out);
}

static void get_request_body(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_size_t len;
    const char *body;

    if (!tx->body.available)
        return;
    body = pl_tx_body_flat(tx, &len);
    scalar_n(tx, t, out, body, len);
}

GETTER_STRING(get_request_body_length, apr_off_t_toa(tx->pool, tx->body.length))

/* The headers as 2.9 lays them out for FULL_REQUEST: "Name: value\n" each
 * and an empty line. */
static char *headers_block(pl_tx *tx, apr_size_t *len)
{
    apr_size_t n = 1;
    char *buf, *d;
    int i;

    for (i = 0; i < tx->req_headers->nelts; i++) {
        const pl_var *h = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
        n += strlen(h->key) + 2 + h->value_len + 1;
    }
    d = buf = apr_palloc(tx->pool, n + 1);
    for (i = 0; i < tx->req_headers->nelts; i++) {
        const pl_var *h = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
        apr_size_t kl = strlen(h->key);
        memcpy(d, h->key, kl);
        d += kl;
        *d++ = ':';
        *d++ = ' ';
        memcpy(d, h->value, h->value_len);
        d += h->value_len;
        *d++ = '\n';
    }
    *d++ = '\n';
    *d = '\0';
    *len = n;
    return buf;
}

/* Request line, empty line, headers, body; 2.9 counts a final NUL in the
 * value and its length (and leaves the request line out of the length). */
static void get_full_request(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *line = tx->request_line ? tx->request_line : "";
    apr_size_t ll = strlen(line), hl, bl = 0;
    const char *hdrs = headers_block(tx, &hl), *body = NULL;
    char *buf;

    if (tx->body.length > 0)
        body = pl_tx_body_flat(tx, &bl);
    buf = apr_palloc(tx->pool, ll + 2 + hl + bl + 1);
    memcpy(buf, line, ll);
    memcpy(buf + ll, "\n\n", 2);
    memcpy(buf + ll + 2, hdrs, hl);
    if (bl)
        memcpy(buf + ll + 2 + hl, body, bl);
    buf[ll + 2 + hl + bl] = '\0';
    scalar_n(tx, t, out, buf, ll + 2 + hl + bl + 1);
}

static void get_full_request_length(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_size_t hl;

    headers_block(tx, &hl);
    scalar(tx, t, out, apr_off_t_toa(tx->pool, (apr_off_t)hl + tx->body.length + 1));
}

/* ------------------------------------------------------------------------
 * Getters: body processing
 * --------------------------------------------------------------------- */

GETTER_INT(get_reqbody_error, tx->reqbody_error)
GETTER_STRING(get_reqbody_error_msg, tx->reqbody_error_msg ? tx->reqbody_error_msg : "")

static void get_reqbody_processor(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *p = tx->ctl_reqbody_processor ? tx->ctl_reqbody_processor
                                              : tx->reqbody_processor;
    scalar(tx, t, out, p ? p : "");
}

GETTER_FLAG(get_urlencoded_error, tx->urlencoded_error)
GETTER_FLAG(get_inbound_data_error, tx->inbound_data_error)
GETTER_FLAG(get_outbound_data_error, tx->outbound_data_error)

static void get_files(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->files->items, out);
}

/* 2.9 takes no selector for FILES_NAMES. */
static void get_files_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    int i;

    (void)t;
    for (i = 0; i < tx->files_names->items->nelts; i++)
        push(out, APR_ARRAY_IDX(tx->files_names->items, i, const pl_var *));
}

static void get_files_sizes(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->files_sizes->items, out);
}

static void get_files_tmpnames(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->files_tmpnames->items, out);
}

/* The contents of the files FILES_TMPNAMES names, read when first asked
 * for: the files are closed once the body is parsed. */
static void load_tmp_content(pl_tx *tx)
{
    int i;

    if (tx->files_tmp_content->items->nelts >= tx->files_tmpnames->items->nelts)
        return;
    pl_coll_clear(tx->files_tmp_content);
    for (i = 0; i < tx->files_tmpnames->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(tx->files_tmpnames->items, i, const pl_var *);
        apr_file_t *f;
        apr_finfo_t fi;
        apr_size_t got = 0;
        const char *buf = "";

        if (apr_file_open(&f, v->value, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT,
                          tx->pool) == APR_SUCCESS) {
            if (apr_file_info_get(&fi, APR_FINFO_SIZE, f) == APR_SUCCESS && fi.size > 0) {
                char *data = apr_palloc(tx->pool, (apr_size_t)fi.size + 1);
                apr_file_read_full(f, data, (apr_size_t)fi.size, &got);
                data[got] = '\0';
                buf = data;
            }
            apr_file_close(f);
        }
        pl_coll_set(tx->files_tmp_content, v->key, buf, got);
    }
}

static void get_files_tmp_content(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    load_tmp_content(tx);
    elements(tx, t, tx->files_tmp_content->items, out);
}

static void get_files_combined_size(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    unsigned long n = 0;
    int i;

    for (i = 0; i < coll_count(tx->files_sizes); i++)
        n += strtoul(APR_ARRAY_IDX(tx->files_sizes->items, i, const pl_var *)->value, NULL, 10);
    scalar(tx, t, out, apr_psprintf(tx->pool, "%lu", n));
}

/* Every MULTIPART_* flag row: "0" unless the parser raised it. */
GETTER_STRING(get_multipart_flag, multipart_flag(tx, t->def->name))

/* MULTIPART_NAME / MULTIPART_FILENAME: the last part's, if any. */
static void get_multipart_value(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    scalar(tx, t, out, tx->multipart_flags
           ? apr_hash_get(tx->multipart_flags, t->def->name, APR_HASH_KEY_STRING) : NULL);
}

static void get_multipart_part_headers(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->multipart_part_headers->items, out);
}

/* ------------------------------------------------------------------------
 * Getters: XML
 * --------------------------------------------------------------------- */

/* libxml2 2.12 made the error argument const. */
#if LIBXML_VERSION >= 21200
static void xpath_silent(void *ctx, const xmlError *err)
#else
static void xpath_silent(void *ctx, xmlErrorPtr err)
#endif
{
    (void)ctx;
    (void)err;
}

/*
 * Namespaces for XPath come from the xmlns actions of the rule being run
 * ("xmlns:soap=http://..."), as in 2.9.
 */
static void register_namespaces(pl_tx *tx, xmlXPathContextPtr ctx)
{
    int i;

    if (tx->rule == NULL || tx->rule->actions == NULL)
        return;
    for (i = 0; i < tx->rule->actions->nelts; i++) {
        const pl_action *a = &APR_ARRAY_IDX(tx->rule->actions, i, pl_action);
        const char *eq;
        char *prefix, *href;

        if (a->def == NULL || strcasecmp(a->def->name, "xmlns") != 0 || a->param == NULL
                || (eq = strchr(a->param, '=')) == NULL)
            continue;
        prefix = apr_pstrmemdup(tx->pool, a->param, eq - a->param);
        href = apr_pstrdup(tx->pool, eq + 1);
        apr_collapse_spaces(prefix, prefix);
        if (href[0] == '\'' || href[0] == '"') {
            href++;
            if (*href && (href[strlen(href) - 1] == '\'' || href[strlen(href) - 1] == '"'))
                href[strlen(href) - 1] = '\0';
        }
        if (xmlXPathRegisterNs(ctx, (const xmlChar *)prefix, (const xmlChar *)href) != 0)
            pl_debug(tx, 1, "Failed to register XML namespace href \"%s\" prefix \"%s\".",
                     href, prefix);
    }
}

/* XML:/xpath: the text content of every node selected; XML alone: 2.9's
 * placeholder for operators that take the document (@validateDTD ...). */
static void get_xml(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *xpath = selector(tx, t);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr obj;
    int i;

    /* a body the XML processor could not parse still gives the tree's
     * placeholder, as 2.9's partial document did, so that @validateDTD and
     * @validateSchema can say it is not well formed */
    if (tx->xml_doc == NULL && !(xpath == NULL && tx->reqbody_error
                                 && tx->reqbody_processor != NULL
                                 && strcmp(tx->reqbody_processor, "XML") == 0))
        return;
    if (xpath == NULL) {
        scalar(tx, t, out, "[XML document tree]");
        return;
    }
    if ((ctx = xmlXPathNewContext(tx->xml_doc)) == NULL)
        return;
    ctx->error = xpath_silent;
    register_namespaces(tx, ctx);
    obj = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
    if (obj == NULL) {
        pl_debug(tx, 1, "XML: Unable to evaluate xpath expression.");
    } else if (obj->nodesetval != NULL) {
        for (i = 0; i < obj->nodesetval->nodeNr; i++) {
            xmlChar *content = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
            pl_var *v;

            if (content == NULL)
                continue;
            v = apr_palloc(tx->pool, sizeof(*v));
            v->name = "XML";
            v->key = xpath;
            v->value = apr_pstrdup(tx->pool, (const char *)content);
            v->value_len = strlen(v->value);
            xmlFree(content);
            push(out, v);
        }
    }
    if (obj != NULL)
        xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
}

/* ------------------------------------------------------------------------
 * Getters: connection, server, script, authentication
 * --------------------------------------------------------------------- */

GETTER_STRING(get_remote_addr, tx->remote_addr)
GETTER_STRING(get_useragent_ip, tx->remote_addr ? tx->remote_addr : "0.0.0.0")
GETTER_STRING(get_remote_host, tx->remote_host ? tx->remote_host : tx->remote_addr)
GETTER_INT(get_remote_port, tx->remote_port)
GETTER_STRING(get_remote_user, tx->remote_user)
GETTER_STRING(get_auth_type, tx->auth_type)
GETTER_STRING(get_server_addr, tx->server_addr)
GETTER_STRING(get_server_name, tx->hostname ? tx->hostname : tx->server_name)
GETTER_INT(get_server_port, tx->server_port)
GETTER_STRING(get_path_info, tx->path_info)
GETTER_STRING(get_script_filename, tx->script_filename)
GETTER_STRING(get_script_basename, basename_of(tx->script_filename))

static void get_script_uid(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_finfo_t fi;

    script_info(tx, &fi);
    scalar_int(tx, t, out, (long)fi.user);
}

static void get_script_gid(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_finfo_t fi;

    script_info(tx, &fi);
    scalar_int(tx, t, out, (long)fi.group);
}

/* APR's permission bits read as octal when printed in hex ("0644"). */
static void get_script_mode(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_finfo_t fi;

    script_info(tx, &fi);
    scalar(tx, t, out, apr_psprintf(tx->pool, "%04x", (unsigned)fi.protection));
}

static void get_script_username(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_finfo_t fi;
    char *name = NULL;

    script_info(tx, &fi);
    if (apr_uid_name_get(&name, fi.user, tx->pool) == APR_SUCCESS)
        scalar(tx, t, out, name);
}

static void get_script_groupname(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_finfo_t fi;
    char *name = NULL;

    script_info(tx, &fi);
    if (apr_gid_name_get(&name, fi.group, tx->pool) == APR_SUCCESS)
        scalar(tx, t, out, name);
}

/* ------------------------------------------------------------------------
 * Getters: response
 * --------------------------------------------------------------------- */

static void get_response_headers(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    elements(tx, t, tx->resp_headers, out);
}

static void get_response_headers_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    derived(tx, t, tx->resp_headers, "RESPONSE_HEADERS_NAMES", 1, out);
}

static void get_response_body(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    scalar_n(tx, t, out, tx->resp_body, tx->resp_body_len);
}

GETTER_INT(get_response_status, tx->status)
GETTER_STRING(get_response_protocol, tx->response_protocol)
GETTER_STRING(get_status_line, tx->status_line)
GETTER_STRING(get_response_content_type, response_header(tx, "Content-Type"))

/* httpd's r->clength: the Content-Length, else what was buffered. */
static void get_response_content_length(pl_tx *tx, const pl_target *t,
                                        apr_array_header_t *out)
{
    const char *cl = response_header(tx, "Content-Length");

    if (cl == NULL)
        cl = apr_psprintf(tx->pool, "%" APR_SIZE_T_FMT, tx->resp_body ? tx->resp_body_len : 0);
    scalar(tx, t, out, cl);
}

/* ------------------------------------------------------------------------
 * Getters: matching state, rule, engine
 * --------------------------------------------------------------------- */

static void get_matched_var(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const pl_var *m = tx->matched_var;

    scalar_n(tx, t, out, m ? m->value : "", m ? m->value_len : 0);
}

static void get_matched_var_name(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const pl_var *m = tx->matched_var;

    scalar(tx, t, out, m && m->name ? m->name : "");
}

/* MATCHED_VARS select by the full variable name ("ARGS:id") and skip
 * values that came from MATCHED_VARS themselves. */
static int matched_candidate(const pl_target *t, const char *sel, const pl_var *v)
{
    if (v->name == NULL || strncmp(v->name, "MATCHED_VARS:", 13) == 0
            || strncmp(v->name, "MATCHED_VARS_NAMES:", 19) == 0)
        return 0;
    if (t->sel_re)
        return pl_regex_match(t->sel_re, v->name, strlen(v->name)) > 0;
    return sel == NULL || strcasecmp(v->name, sel) == 0;
}

static void get_matched_vars(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *sel = selector(tx, t);
    int i;

    for (i = 0; tx->matched_vars && i < tx->matched_vars->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(tx->matched_vars, i, const pl_var *);
        if (matched_candidate(t, sel, v))
            push(out, v);
    }
}

static void get_matched_vars_names(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *sel = selector(tx, t);
    int i;

    for (i = 0; tx->matched_vars && i < tx->matched_vars->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(tx->matched_vars, i, const pl_var *);
        if (matched_candidate(t, sel, v))
            push(out, view(tx, t->def, v, v, NULL, NAME_SOURCE, v->name, strlen(v->name)));
    }
}

GETTER_INT(get_highest_severity, tx->highest_severity)

/* 2.9 knows these RULE fields; msg and logdata unexpanded. */
static const char *rule_field(pl_tx *tx, const pl_rule *r, const char *f)
{
    if (strcasecmp(f, "id") == 0)
        return r->id_str ? r->id_str : r->id ? apr_ltoa(tx->pool, r->id) : NULL;
    if (strcasecmp(f, "rev") == 0)
        return r->rev;
    if (strcasecmp(f, "severity") == 0)
        return r->severity != PL_UNSET ? apr_itoa(tx->pool, r->severity) : NULL;
    if (strcasecmp(f, "msg") == 0)
        return r->msg ? pl_macro_text(r->msg) : NULL;
    if (strcasecmp(f, "logdata") == 0)
        return r->logdata ? pl_macro_text(r->logdata) : NULL;
    if (strcasecmp(f, "ver") == 0)
        return r->ver;
    if (strcasecmp(f, "maturity") == 0)
        return r->maturity != PL_UNSET ? apr_itoa(tx->pool, r->maturity) : NULL;
    if (strcasecmp(f, "accuracy") == 0)
        return r->accuracy != PL_UNSET ? apr_itoa(tx->pool, r->accuracy) : NULL;
    return NULL;
}

static void get_rule(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const pl_rule *r = tx->rule;
    const char *sel = selector(tx, t);

    if (r == NULL || sel == NULL)
        return;
    if (r->chain_start != NULL)
        r = r->chain_start;
    scalar(tx, t, out, rule_field(tx, r, sel));
}

static void get_env(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *sel = selector(tx, t);
    const pl_var *v;
    int i;

    if (sel == NULL && t->sel_re == NULL) {
        for (i = 0; i < tx->env->items->nelts; i++) {
            v = APR_ARRAY_IDX(tx->env->items, i, const pl_var *);
            push(out, view(tx, t->def, v, v, "ENV", NAME_PLAIN, v->value, v->value_len));
        }
        return;
    }
    if (sel != NULL && (v = pl_coll_get(tx->env, sel)) != NULL) {
        push(out, view(tx, t->def, v, v, "ENV", NAME_PLAIN, v->value, v->value_len));
        return;
    }
    /* 2.9 falls back to the process environment */
    if (sel != NULL)
        scalar(tx, t, out, getenv(sel));
}

/* TX, IP, GLOBAL, SESSION, USER, RESOURCE, GEO and initcol'ed ones. */
static void get_collection(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const char *name = t->coll ? t->coll : t->def->name;
    const pl_coll *c = tx->colls ? apr_hash_get(tx->colls, name, APR_HASH_KEY_STRING) : NULL;
    const char *sel;
    const pl_var *v;

    if (c == NULL)
        return;
    sel = selector(tx, t);
    if (sel != NULL && t->sel_re == NULL && c->index != NULL) {
        if ((v = pl_coll_get(c, sel)) != NULL)
            push(out, v);
        return;
    }
    elements(tx, t, c->items, out);
}

GETTER_STRING(get_unique_id, tx->unique_id)

/* SESSIONID / USERID: the key setsid / setuid gave their collection. */
static void get_coll_key(pl_tx *tx, const pl_target *t, const char *coll,
                         apr_array_header_t *out)
{
    const pl_coll *c = tx->colls ? apr_hash_get(tx->colls, coll, APR_HASH_KEY_STRING) : NULL;
    const pl_var *k = c ? pl_coll_get(c, "__key") : NULL;

    if (k != NULL)
        scalar_n(tx, t, out, k->value, k->value_len);
}

static void get_sessionid(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    get_coll_key(tx, t, "SESSION", out);
}

static void get_userid(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    get_coll_key(tx, t, "USER", out);
}

static void get_webappid(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    scalar(tx, t, out, tx->cfg && tx->cfg->web_app_id ? tx->cfg->web_app_id
                                                      : DEFAULT_WEBAPPID);
}

GETTER_STRING(get_modsec_build, MODSEC_BUILD)
GETTER_FLAG(get_sdbm_delete_error, 0)

/* STREAM_INPUT_BODY / STREAM_OUTPUT_BODY: the bodies @rsub may rewrite
 * (stream.c), absent unless SecStream*BodyInspection is On. */
static void get_stream_input_body(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_size_t len = 0;
    const char *s = pl_stream_input_value(tx, &len);

    scalar_n(tx, t, out, s, len);
}

static void get_stream_output_body(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    apr_size_t len = 0;
    const char *s = pl_stream_output_value(tx, &len);

    scalar_n(tx, t, out, s, len);
}

static void get_webserver_error_log(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    int i;

    for (i = 0; tx->web_errors && i < tx->web_errors->nelts; i++) {
        const char *e = APR_ARRAY_IDX(tx->web_errors, i, const char *);
        pl_var *v = apr_palloc(tx->pool, sizeof(*v));

        v->name = t->def->name;
        v->key = NULL;
        v->value = e;
        v->value_len = strlen(e);
        push(out, v);
    }
}

/* ------------------------------------------------------------------------
 * Getters: time (local time, as 2.9)
 * --------------------------------------------------------------------- */

/* Microseconds since the transaction started. */
GETTER_STRING(get_duration,
              apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, apr_time_now() - tx->start))

/* ------------------------------------------------------------------------
 * Getters: performance (microseconds, as 2.9's PERF_* variables)
 * --------------------------------------------------------------------- */

/* 2.9 leaves storage reads out: they happen inside the phases. */
static apr_time_t perf_combined(const pl_tx *tx)
{
    return tx->phase_time[1] + tx->phase_time[2] + tx->phase_time[3] + tx->phase_time[4]
           + tx->phase_time[5] + tx->perf_swrite + tx->perf_logging + tx->perf_gc;
}

#define PERF_GETTER(fn, expr) \
    GETTER_STRING(fn, apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, (apr_time_t)(expr)))
PERF_GETTER(get_perf_combined, perf_combined(tx))
PERF_GETTER(get_perf_gc, tx->perf_gc)
PERF_GETTER(get_perf_logging, tx->perf_logging)
PERF_GETTER(get_perf_phase1, tx->phase_time[1])
PERF_GETTER(get_perf_phase2, tx->phase_time[2])
PERF_GETTER(get_perf_phase3, tx->phase_time[3])
PERF_GETTER(get_perf_phase4, tx->phase_time[4])
PERF_GETTER(get_perf_phase5, tx->phase_time[5])
PERF_GETTER(get_perf_sread, tx->perf_sread)
PERF_GETTER(get_perf_swrite, tx->perf_swrite)
#undef PERF_GETTER

GETTER_STRING(get_perf_all,
              apr_psprintf(tx->pool, "combined=%" APR_TIME_T_FMT ", p1=%" APR_TIME_T_FMT
                           ", p2=%" APR_TIME_T_FMT ", p3=%" APR_TIME_T_FMT ", p4=%" APR_TIME_T_FMT
                           ", p5=%" APR_TIME_T_FMT ", sr=%" APR_TIME_T_FMT ", sw=%" APR_TIME_T_FMT
                           ", l=%" APR_TIME_T_FMT ", gc=%" APR_TIME_T_FMT, perf_combined(tx),
                           tx->phase_time[1], tx->phase_time[2], tx->phase_time[3],
                           tx->phase_time[4], tx->phase_time[5], tx->perf_sread,
                           tx->perf_swrite, tx->perf_logging, tx->perf_gc))

/* PERF_RULES:id, the rules at or over SecRulePerfTime (engine.c). */
static void get_perf_rules(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *te;
    const char *sel;
    int i;

    if (tx->perf_rules == NULL)
        return;
    sel = selector(tx, t);
    arr = apr_table_elts(tx->perf_rules);
    te = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        pl_var *v = apr_palloc(tx->pool, sizeof(*v));

        v->key = te[i].key;
        v->value = te[i].val;
        v->value_len = strlen(te[i].val);
        v->name = apr_pstrcat(tx->pool, "PERF_RULES:",
                              pl_log_escape_nq(tx->pool, te[i].key, strlen(te[i].key)), NULL);
        if (key_matches(tx, t, sel, v))
            push(out, v);
    }
}

/* YYYYMMDDHHMMSS */
static void get_time(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    struct tm tm;

    local_now(&tm);
    scalar(tx, t, out, apr_psprintf(tx->pool, "%02d%02d%02d%02d%02d%02d%02d",
                                    tm.tm_year / 100 + 19, tm.tm_year % 100, tm.tm_mon + 1,
                                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec));
}

GETTER_INT(get_time_epoch, (long)time(NULL))

static void get_time_year(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    struct tm tm;

    local_now(&tm);
    scalar(tx, t, out, apr_psprintf(tx->pool, "%02d%02d", tm.tm_year / 100 + 19,
                                    tm.tm_year % 100));
}

/* Two digits: 2.9 prints the month 01-12 despite its documentation. */
static void time_part(pl_tx *tx, const pl_target *t, apr_array_header_t *out, int which)
{
    struct tm tm;
    int v;

    local_now(&tm);
    switch (which) {
    case 'M': v = tm.tm_mon + 1; break;
    case 'd': v = tm.tm_mday; break;
    case 'h': v = tm.tm_hour; break;
    case 'm': v = tm.tm_min; break;
    default:  v = tm.tm_sec; break;
    }
    scalar(tx, t, out, apr_psprintf(tx->pool, "%02d", v));
}

static void get_time_mon(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    time_part(tx, t, out, 'M');
}

static void get_time_day(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    time_part(tx, t, out, 'd');
}

static void get_time_hour(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    time_part(tx, t, out, 'h');
}

static void get_time_min(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    time_part(tx, t, out, 'm');
}

static void get_time_sec(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    time_part(tx, t, out, 's');
}

static void get_time_wday(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    struct tm tm;

    local_now(&tm);
    scalar_int(tx, t, out, tm.tm_wday);
}

/* ------------------------------------------------------------------------
 * The variable table (2.9's registration order: alphabetical)
 * --------------------------------------------------------------------- */

#define S PL_VK_SCALAR
#define C PL_VK_COLL
#define NOSEL PL_VF_SEL_NONE
#define NEEDSEL PL_VF_SEL_REQUIRED
#define GEN PL_VF_GENERIC

static const pl_vardef vardefs[] = {
    { "ARGS",                          C, get_args,                    0 },
    { "ARGS_COMBINED_SIZE",            C, get_args_combined_size,      NOSEL },
    { "ARGS_GET",                      C, get_args_get,                0 },
    { "ARGS_GET_NAMES",                C, get_args_get_names,          0 },
    { "ARGS_NAMES",                    C, get_args_names,              0 },
    { "ARGS_POST",                     C, get_args_post,               0 },
    { "ARGS_POST_NAMES",               C, get_args_post_names,         0 },
    { "AUTH_TYPE",                     S, get_auth_type,               NOSEL },
    { "DURATION",                      S, get_duration,                NOSEL },
    { "ENV",                           C, get_env,                     NEEDSEL },
    { "FILES",                         C, get_files,                   0 },
    { "FILES_COMBINED_SIZE",           C, get_files_combined_size,     NOSEL },
    { "FILES_NAMES",                   C, get_files_names,             NOSEL },
    { "FILES_SIZES",                   C, get_files_sizes,             0 },
    { "FILES_TMPNAMES",                C, get_files_tmpnames,          0 },
    { "FILES_TMP_CONTENT",             C, get_files_tmp_content,       0 },
    { "FULL_REQUEST",                  S, get_full_request,            NOSEL },
    { "FULL_REQUEST_LENGTH",           S, get_full_request_length,     NOSEL },
    { "GEO",                           C, get_collection,              GEN },
    { "GLOBAL",                        C, get_collection,              GEN | NEEDSEL },
    { "HIGHEST_SEVERITY",              S, get_highest_severity,        NOSEL },
    { "INBOUND_DATA_ERROR",            S, get_inbound_data_error,      NOSEL },
    { "IP",                            C, get_collection,              GEN | NEEDSEL },
    { "MATCHED_VAR",                   S, get_matched_var,             NOSEL },
    { "MATCHED_VARS",                  C, get_matched_vars,            0 },
    { "MATCHED_VARS_NAMES",            C, get_matched_vars_names,      0 },
    { "MATCHED_VAR_NAME",              S, get_matched_var_name,        NOSEL },
    { "MODSEC_BUILD",                  S, get_modsec_build,            NOSEL },
    { "MULTIPART_BOUNDARY_QUOTED",     S, get_multipart_flag,          NOSEL },
    { "MULTIPART_BOUNDARY_WHITESPACE", S, get_multipart_flag,          NOSEL },
    { "MULTIPART_CRLF_LF_LINES",       S, get_multipart_flag,          NOSEL },
    { "MULTIPART_CRLF_LINE",           S, get_multipart_flag,          NOSEL },
    { "MULTIPART_DATA_AFTER",          S, get_multipart_flag,          NOSEL },
    { "MULTIPART_DATA_BEFORE",         S, get_multipart_flag,          NOSEL },
    { "MULTIPART_FILENAME",            S, get_multipart_value,         NOSEL },
    { "MULTIPART_FILE_LIMIT_EXCEEDED", S, get_multipart_flag,          NOSEL },
    { "MULTIPART_HEADER_FOLDING",      S, get_multipart_flag,          NOSEL },
    { "MULTIPART_INVALID_HEADER_FOLDING", S, get_multipart_flag,       NOSEL },
    { "MULTIPART_INVALID_PART",        S, get_multipart_flag,          NOSEL },
    { "MULTIPART_INVALID_QUOTING",     S, get_multipart_flag,          NOSEL },
    { "MULTIPART_LF_LINE",             S, get_multipart_flag,          NOSEL },
    { "MULTIPART_MISSING_SEMICOLON",   S, get_multipart_flag,          NOSEL },
    { "MULTIPART_NAME",                S, get_multipart_value,         NOSEL },
    { "MULTIPART_PART_HEADERS",        C, get_multipart_part_headers,  0 },
    { "MULTIPART_STRICT_ERROR",        S, get_multipart_flag,          NOSEL },
    { "MULTIPART_UNMATCHED_BOUNDARY",  S, get_multipart_flag,          NOSEL },
    { "OUTBOUND_DATA_ERROR",           S, get_outbound_data_error,     NOSEL },
    { "PATH_INFO",                     S, get_path_info,               NOSEL },
    { "PERF_ALL",                      S, get_perf_all,                NOSEL },
    { "PERF_COMBINED",                 S, get_perf_combined,           NOSEL },
    { "PERF_GC",                       S, get_perf_gc,                 NOSEL },
    { "PERF_LOGGING",                  S, get_perf_logging,            NOSEL },
    { "PERF_PHASE1",                   S, get_perf_phase1,             NOSEL },
    { "PERF_PHASE2",                   S, get_perf_phase2,             NOSEL },
    { "PERF_PHASE3",                   S, get_perf_phase3,             NOSEL },
    { "PERF_PHASE4",                   S, get_perf_phase4,             NOSEL },
    { "PERF_PHASE5",                   S, get_perf_phase5,             NOSEL },
    { "PERF_RULES",                    C, get_perf_rules,              0 },
    { "PERF_SREAD",                    S, get_perf_sread,              NOSEL },
    { "PERF_SWRITE",                   S, get_perf_swrite,             NOSEL },
    { "QUERY_STRING",                  S, get_query_string,            NOSEL },
    { "REMOTE_ADDR",                   S, get_remote_addr,             NOSEL },
    { "REMOTE_HOST",                   S, get_remote_host,             NOSEL },
    { "REMOTE_PORT",                   S, get_remote_port,             NOSEL },
    { "REMOTE_USER",                   S, get_remote_user,             NOSEL },
    { "REQBODY_ERROR",                 S, get_reqbody_error,           NOSEL },
    { "REQBODY_ERROR_MSG",             S, get_reqbody_error_msg,       NOSEL },
    { "REQBODY_PROCESSOR",             S, get_reqbody_processor,       NOSEL },
    { "REQBODY_PROCESSOR_ERROR",       S, get_reqbody_error,           NOSEL },
    { "REQBODY_PROCESSOR_ERROR_MSG",   S, get_reqbody_error_msg,       NOSEL },
    { "REQUEST_BASENAME",              S, get_request_basename,        NOSEL },
    { "REQUEST_BODY",                  C, get_request_body,            0 },
    { "REQUEST_BODY_LENGTH",           S, get_request_body_length,     NOSEL },
    { "REQUEST_COOKIES",               C, get_request_cookies,         0 },
    { "REQUEST_COOKIES_NAMES",         C, get_request_cookies_names,   0 },
    { "REQUEST_FILENAME",              S, get_request_filename,        NOSEL },
    { "REQUEST_HEADERS",               C, get_request_headers,         0 },
    { "REQUEST_HEADERS_NAMES",         C, get_request_headers_names,   0 },
    { "REQUEST_LINE",                  S, get_request_line,            NOSEL },
    { "REQUEST_METHOD",                S, get_request_method,          NOSEL },
    { "REQUEST_PROTOCOL",              S, get_request_protocol,        NOSEL },
    { "REQUEST_URI",                   S, get_request_uri,             NOSEL },
    { "REQUEST_URI_RAW",               S, get_request_uri_raw,         NOSEL },
    { "RESOURCE",                      C, get_collection,              GEN | NEEDSEL },
    { "RESPONSE_BODY",                 S, get_response_body,           NOSEL },
    { "RESPONSE_CONTENT_LENGTH",       S, get_response_content_length, NOSEL },
    { "RESPONSE_CONTENT_TYPE",         S, get_response_content_type,   NOSEL },
    { "RESPONSE_HEADERS",              C, get_response_headers,        0 },
    { "RESPONSE_HEADERS_NAMES",        C, get_response_headers_names,  0 },
    { "RESPONSE_PROTOCOL",             S, get_response_protocol,       NOSEL },
    { "RESPONSE_STATUS",               S, get_response_status,         NOSEL },
    { "RULE",                          C, get_rule,                    NEEDSEL },
    { "SCRIPT_BASENAME",               S, get_script_basename,         NOSEL },
    { "SCRIPT_FILENAME",               S, get_script_filename,         NOSEL },
    { "SCRIPT_GID",                    S, get_script_gid,              NOSEL },
    { "SCRIPT_GROUPNAME",              S, get_script_groupname,        NOSEL },
    { "SCRIPT_MODE",                   S, get_script_mode,             NOSEL },
    { "SCRIPT_UID",                    S, get_script_uid,              NOSEL },
    { "SCRIPT_USERNAME",               S, get_script_username,         NOSEL },
    { "SDBM_DELETE_ERROR",             S, get_sdbm_delete_error,       NOSEL },
    { "SERVER_ADDR",                   S, get_server_addr,             NOSEL },
    { "SERVER_NAME",                   S, get_server_name,             NOSEL },
    { "SERVER_PORT",                   S, get_server_port,             NOSEL },
    { "SESSION",                       C, get_collection,              GEN | NEEDSEL },
    { "SESSIONID",                     S, get_sessionid,               NOSEL },
    { "STATUS_LINE",                   S, get_status_line,             NOSEL },
    { "STREAM_INPUT_BODY",             S, get_stream_input_body,       NOSEL },
    { "STREAM_OUTPUT_BODY",            S, get_stream_output_body,      NOSEL },
    { "TIME",                          S, get_time,                    NOSEL },
    { "TIME_DAY",                      S, get_time_day,                NOSEL },
    { "TIME_EPOCH",                    S, get_time_epoch,              NOSEL },
    { "TIME_HOUR",                     S, get_time_hour,               NOSEL },
    { "TIME_MIN",                      S, get_time_min,                NOSEL },
    { "TIME_MON",                      S, get_time_mon,                NOSEL },
    { "TIME_SEC",                      S, get_time_sec,                NOSEL },
    { "TIME_WDAY",                     S, get_time_wday,               NOSEL },
    { "TIME_YEAR",                     S, get_time_year,               NOSEL },
    { "TX",                            C, get_collection,              GEN | NEEDSEL },
    { "UNIQUE_ID",                     S, get_unique_id,               NOSEL },
    { "URLENCODED_ERROR",              S, get_urlencoded_error,        NOSEL },
    { "USER",                          C, get_collection,              GEN | NEEDSEL },
    { "USERAGENT_IP",                  S, get_useragent_ip,            NOSEL },
    { "USERID",                        S, get_userid,                  NOSEL },
    { "WEBAPPID",                      S, get_webappid,                NOSEL },
    { "WEBSERVER_ERROR_LOG",           C, get_webserver_error_log,     NOSEL },
    { "XML",                           C, get_xml,                     0 },
};

#undef S
#undef C
#undef NOSEL
#undef NEEDSEL
#undef GEN

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

/* A linear scan: only the configuration parser asks. */
const pl_vardef *pl_vardef_find(const char *name)
{
    apr_size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; i < sizeof(vardefs) / sizeof(vardefs[0]); i++)
        if (strcasecmp(vardefs[i].name, name) == 0)
            return &vardefs[i];
    return NULL;
}

void pl_target_values(pl_tx *tx, const pl_target *t, apr_array_header_t *out)
{
    if (tx == NULL || t == NULL || t->def == NULL || t->def->get == NULL
            || (t->def->flags & PL_VF_NOT_YET))
        return;
    t->def->get(tx, t, out);
}

/*
 * "!ARGS:foo" removes what the ARGS target produced for key foo (literal
 * keys compare case-insensitively, /regex/ ones are matched); an exclusion
 * without a selector removes the whole variable.  Another variable is never
 * affected: !ARGS_GET:foo leaves ARGS:foo alone, as in 2.9.
 */
int pl_target_excludes(pl_tx *tx, const pl_target *ex, const pl_var *var, const pl_target *from)
{
    const char *sel;

    if (ex == NULL || var == NULL || from == NULL || ex->def != from->def)
        return 0;
    if ((ex->def->flags & PL_VF_GENERIC) && ex->coll && from->coll
            && strcasecmp(ex->coll, from->coll) != 0)
        return 0;
    sel = selector(tx, ex);
    if (sel == NULL && ex->sel_re == NULL)
        return 1;
    if (var->key == NULL)
        return 0;
    return key_matches(tx, ex, sel, var);
}
