/*
 * The transaction: creation, request and response headers, and what
 * ModSecurity 2.9 derives from the request line and headers before phase 1
 * (REQUEST_URI in its two forms, REQUEST_FILENAME, QUERY_STRING, ARGS_GET,
 * REQUEST_COOKIES, the request body processor chosen by Content-Type).
 *
 * Argument parsing follows 2.9's parse_arguments(): a name runs up to '='
 * or the separator, a value up to the separator; '+' and valid %XX are
 * decoded; an invalid or truncated %-sequence is kept as is and counts as a
 * URL-encoding error.  SecArgumentsLimit counts the query string, body and
 * JSON arguments together; arguments past it are dropped and REQBODY_ERROR
 * is raised with 2.9's message.
 */
#include <ctype.h>
#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants: ModSecurity 2.9 defaults for settings left PL_UNSET
 * --------------------------------------------------------------------- */

#define DEFAULT_ARGS_LIMIT       1000
#define DEFAULT_ARG_SEPARATOR    '&'
#define DEFAULT_COOKIE_FORMAT    0
#define DEFAULT_COOKIEV0_SEP     ';'

#define ARGS_LIMIT_MSG           "SecArgumentsLimit exceeded"

/* ------------------------------------------------------------------------
 * Static functions: settings
 * --------------------------------------------------------------------- */

static long args_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->args_limit > 0 ? tx->cfg->args_limit : DEFAULT_ARGS_LIMIT;
}

static int arg_separator(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->argument_separator > 0 ? tx->cfg->argument_separator
                                                       : DEFAULT_ARG_SEPARATOR;
}

static int cookie_format(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->cookie_format != PL_UNSET ? tx->cfg->cookie_format
                                                          : DEFAULT_COOKIE_FORMAT;
}

static int cookiev0_separator(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->cookiev0_separator > 0 ? tx->cfg->cookiev0_separator
                                                       : DEFAULT_COOKIEV0_SEP;
}

/* ------------------------------------------------------------------------
 * Static functions: URL decoding and arguments
 * --------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/*
 * Decodes s[0..len) into out (at least len + 1 bytes) as 2.9's
 * urldecode_nonstrict: returns the decoded length and adds the number of
 * invalid %-sequences to *invalid.
 */
static apr_size_t urldecode_args(const char *s, apr_size_t len, char *out, int *invalid)
{
    apr_size_t i = 0, n = 0;

    while (i < len) {
        if (s[i] == '%') {
            if (i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
                out[n++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
                i += 3;
                continue;
            }
            (*invalid)++;
            out[n++] = s[i++];
        } else {
            out[n++] = s[i] == '+' ? ' ' : s[i];
            i++;
        }
    }
    out[n] = '\0';
    return n;
}

/* Debug lines are built only when they would be written. */
static int debug_on(const pl_tx *tx, int level)
{
    int max = tx->debug_log_level != PL_UNSET ? tx->debug_log_level
            : tx->cfg ? tx->cfg->debug_log_level : 0;
    return level <= max;
}

static int args_count(const pl_tx *tx)
{
    int n = 0;

    if (tx->args_get) n += tx->args_get->items->nelts;
    if (tx->args_post) n += tx->args_post->items->nelts;
    if (tx->args_json) n += tx->args_json->items->nelts;
    return n;
}

/*
 * Decodes and stores one argument unless SecArgumentsLimit is reached; the
 * debug lines are 2.9's, which logs the argument before dropping it.
 */
static void add_arg(pl_tx *tx, pl_coll *c, const char *name, apr_size_t nlen,
                    const char *value, apr_size_t vlen, int *invalid)
{
    const char *origin = c == tx->args_get ? "QUERY_STRING" : "BODY";
    char *n = apr_palloc(tx->pool, nlen + 1), *v = apr_palloc(tx->pool, vlen + 1);
    const char *en = "", *ev = "";

    nlen = urldecode_args(name, nlen, n, invalid);
    vlen = urldecode_args(value, vlen, v, invalid);
    if (debug_on(tx, 4)) {
        en = pl_log_escape(tx->pool, n, nlen);
        ev = pl_log_escape(tx->pool, v, vlen);
    }
    if (debug_on(tx, 5))
        pl_debug(tx, 5, "Adding request argument (%s): name \"%s\", value \"%s\"",
                 origin, en, ev);
    if (args_count(tx) >= args_limit(tx)) {
        if (debug_on(tx, 4))
            pl_debug(tx, 4, "Skipping request argument, over limit (%s): name \"%s\", "
                     "value \"%s\"", origin, en, ev);
        tx->reqbody_error = 1;
        tx->reqbody_error_msg = ARGS_LIMIT_MSG;
        return;
    }
    pl_coll_set_n(c, n, nlen, v, vlen);
}

/* ------------------------------------------------------------------------
 * Static functions: cookies
 * --------------------------------------------------------------------- */

/* value NULL: the cookie had no value at all (2.9 logs "value empty"). */
static void add_cookie(pl_tx *tx, const char *name, const char *value)
{
    if (debug_on(tx, 5)) {
        const char *en = pl_log_escape(tx->pool, name, strlen(name));
        if (value == NULL)
            pl_debug(tx, 5, "Adding request cookie: name \"%s\", value empty", en);
        else
            pl_debug(tx, 5, "Adding request cookie: name \"%s\", value \"%s\"", en,
                     pl_log_escape(tx->pool, value, strlen(value)));
    }
    pl_coll_add(tx->cookies, name, value ? value : "", value ? strlen(value) : 0);
}

/*
 * Version 0 (Netscape) cookies as 2.9 reads them: pairs split on the
 * separator, empty pieces skipped, leading white space of the name removed
 * and nothing else trimmed; a piece without '=' is a cookie with an empty
 * value, one with an empty name is ignored.
 */
static void parse_cookies_v0(pl_tx *tx, const char *header)
{
    char *copy = apr_pstrdup(tx->pool, header), *p = copy, *end;
    int sep = cookiev0_separator(tx);

    while (*p) {
        char *eq;

        end = strchr(p, sep);
        if (end)
            *end = '\0';
        while (isspace((unsigned char)*p))
            p++;
        eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        if (*p)
            add_cookie(tx, p, eq ? eq + 1 : NULL);
        if (end == NULL)
            break;
        p = end + 1;
    }
}

static void trim_right(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/*
 * Version 1 (RFC 2109) cookies as 2.9 reads them: pairs separated by ';'
 * or ',', white space around names and unquoted values trimmed, quoted
 * values taken up to the next quote, and "$Path"-style attributes renamed
 * "$<cookie>_Path" after the cookie they follow.
 */
static void parse_cookies_v1(pl_tx *tx, const char *header)
{
    char *p = apr_pstrdup(tx->pool, header);
    const char *prev = NULL;

    while (*p) {
        char *name, *value = NULL;

        while (isspace((unsigned char)*p))
            p++;
        name = p;
        while (*p && *p != '=' && *p != ';' && *p != ',')
            p++;
        if (*p == '=') {
            *p++ = '\0';
            while (isspace((unsigned char)*p))
                p++;
            if (*p == '"') {
                if (*++p != '\0') {
                    value = p;
                    while (*p && *p != '"')
                        p++;
                    if (*p)
                        *p++ = '\0';
                }
            } else if (*p) {
                value = p;
                while (*p && *p != ';' && *p != ',')
                    p++;
                if (*p)
                    *p++ = '\0';
                trim_right(value);
            }
        } else if (*p) {
            *p++ = '\0';      /* no value: ';' or ',' ends the name */
        }
        trim_right(name);
        if (*name) {
            if (name[0] == '$' && prev != NULL)
                name = apr_psprintf(tx->pool, "$%s_%s", prev, name + 1);
            add_cookie(tx, name, value);
            if (name[0] != '$')
                prev = name;
        }
        while (*p && (*p == ',' || *p == ';' || isspace((unsigned char)*p)))
            p++;
    }
}

static void parse_cookies(pl_tx *tx)
{
    int i, v1 = cookie_format(tx) == 1;

    for (i = 0; i < tx->req_headers->nelts; i++) {
        const pl_var *h = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
        if (strcasecmp(h->key, "Cookie") != 0)
            continue;
        if (v1)
            parse_cookies_v1(tx, h->value);
        else
            parse_cookies_v0(tx, h->value);
    }
}

/* ------------------------------------------------------------------------
 * Static functions: the request URI
 * --------------------------------------------------------------------- */

static int unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Decodes the %XX of unreserved characters only, as httpd does first. */
static char *decode_unreserved(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *d = out;

    while (*s) {
        if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0
                && unreserved(hexval(s[1]) * 16 + hexval(s[2]))) {
            *d++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 3;
        } else {
            *d++ = *s++;
        }
    }
    *d = '\0';
    return out;
}

/*
 * Removes "." and ".." segments and merges slashes in place, like httpd's
 * ap_normalize_path() with MergeSlashes On (the default).  httpd answers
 * 400 to a path climbing above the root; here it stops at the root.
 */
static void remove_dot_segments(char *path)
{
    char *in = path, *out = path;

    while (*in) {
        if (in[0] == '/' && in[1] == '/') {
            in++;
        } else if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || in[2] == '\0')) {
            in += 2;
            if (*in == '\0')
                *out++ = '/';
        } else if (in[0] == '/' && in[1] == '.' && in[2] == '.'
                   && (in[3] == '/' || in[3] == '\0')) {
            in += 3;
            while (out > path && *--out != '/')
                ;
            if (*in == '\0')
                *out++ = '/';
        } else {
            do {
                *out++ = *in++;
            } while (*in && *in != '/');
        }
    }
    *out = '\0';
}

/* The rest of %XX decoding after normalisation; bad sequences stay. */
static void decode_percent(char *s)
{
    char *d = s;

    while (*s) {
        if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *d++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 3;
        } else {
            *d++ = *s++;
        }
    }
    *d = '\0';
}

/* The path as httpd hands it to the later phases (r->uri). */
static const char *normalise_path(apr_pool_t *p, const char *raw)
{
    char *path = decode_unreserved(p, raw);

    if (path[0] == '/')
        remove_dot_segments(path);
    decode_percent(path);
    return path;
}

/*
 * Splits the request-target into path (NULL when an absolute URI has none)
 * and query (NULL without '?'); scheme and authority are dropped, as is a
 * fragment.
 */
static void split_target(apr_pool_t *p, const char *raw, const char **path,
                         const char **query)
{
    const char *s = raw, *q, *hash, *end;

    if (raw[0] != '/') {
        const char *colon = strstr(raw, "://");
        if (colon && strcspn(raw, "/?#") > (apr_size_t)(colon - raw)) {
            s = colon + 3;
            s += strcspn(s, "/?#");
        }
    }
    hash = strchr(s, '#');
    end = hash ? hash : s + strlen(s);
    q = memchr(s, '?', end - s);
    *query = q ? apr_pstrmemdup(p, q + 1, end - q - 1) : NULL;
    if (q == NULL)
        q = end;
    *path = q > s || s == raw ? apr_pstrmemdup(p, s, q - s) : NULL;
}

/* path[?query]; ModSecurity's concatenation gives "" for a missing path. */
static const char *join_uri(apr_pool_t *p, const char *path, const char *query)
{
    if (query == NULL)
        return path;
    return path ? apr_pstrcat(p, path, "?", query, NULL) : "";
}

static void derive_uri(pl_tx *tx)
{
    const char *path, *query;

    split_target(tx->pool, tx->uri_raw ? tx->uri_raw : "", &path, &query);
    if (tx->query_string == NULL)
        tx->query_string = query;
    if (tx->path_phase1 == NULL)
        tx->path_phase1 = path;
    if (tx->uri_phase1 == NULL)
        tx->uri_phase1 = join_uri(tx->pool, path, tx->query_string);
    if (tx->path_decoded == NULL && path != NULL)
        tx->path_decoded = normalise_path(tx->pool, path);
    if (tx->uri == NULL)
        tx->uri = join_uri(tx->pool, tx->path_decoded, tx->query_string);
}

/* ------------------------------------------------------------------------
 * Static functions: headers
 * --------------------------------------------------------------------- */

/* Headers live in plain arrays; a collection view names their elements. */
static void add_header(pl_tx *tx, apr_array_header_t *a, const char *coll,
                       const char *name, const char *value)
{
    pl_coll c;

    c.name = coll;
    c.items = a;
    c.index = NULL;
    c.pool = tx->pool;
    pl_coll_add(&c, name, value, value ? strlen(value) : 0);
}

static const char *request_header(const pl_tx *tx, const char *name)
{
    int i;

    for (i = 0; i < tx->req_headers->nelts; i++) {
        const pl_var *h = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
        if (strcasecmp(h->key, name) == 0)
            return h->value;
    }
    return NULL;
}

/* 2.9 picks URLENCODED and MULTIPART by a Content-Type prefix. */
static const char *processor_for(const char *ctype)
{
    if (ctype == NULL)
        return NULL;
    if (strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
        return "URLENCODED";
    if (strncasecmp(ctype, "multipart/form-data", 19) == 0)
        return "MULTIPART";
    return NULL;
}

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

pl_tx *pl_tx_create(apr_pool_t *p, const pl_config *cfg, const pl_host *host, void *host_ctx)
{
    pl_tx *tx = apr_pcalloc(p, sizeof(*tx));

    tx->pool = p;
    tx->cfg = cfg;
    tx->host = host;
    tx->host_ctx = host_ctx;
    tx->start = apr_time_now();
    tx->engine = cfg ? pl_config_engine(cfg) : PL_ENGINE_OFF;

    tx->req_headers = apr_array_make(p, 16, sizeof(pl_var *));
    tx->resp_headers = apr_array_make(p, 16, sizeof(pl_var *));
    tx->body.chunks = apr_array_make(p, 8, sizeof(struct iovec));

    /* ARGS is read far more than its parts, so argument elements carry
     * ARGS names; ARGS_GET / ARGS_POST are views on them */
    tx->args_get = pl_coll_create(p, "ARGS", 0);
    tx->args_post = pl_coll_create(p, "ARGS", 0);
    tx->args_json = pl_coll_create(p, "ARGS", 0);
    tx->cookies = pl_coll_create(p, "REQUEST_COOKIES", 0);
    tx->files = pl_coll_create(p, "FILES", 0);
    tx->files_names = pl_coll_create(p, "FILES_NAMES", 0);
    tx->files_sizes = pl_coll_create(p, "FILES_SIZES", 0);
    tx->files_tmpnames = pl_coll_create(p, "FILES_TMPNAMES", 0);
    tx->files_tmp_content = pl_coll_create(p, "FILES_TMP_CONTENT", 0);
    tx->multipart_part_headers = pl_coll_create(p, "MULTIPART_PART_HEADERS", 0);
    tx->env = pl_coll_create(p, "ENV", 1);

    tx->colls = apr_hash_make(p);
    tx->tx_coll = pl_coll_create(p, "TX", 1);
    apr_hash_set(tx->colls, "TX", APR_HASH_KEY_STRING, tx->tx_coll);
    apr_hash_set(tx->colls, "GEO", APR_HASH_KEY_STRING, pl_coll_create(p, "GEO", 1));
    tx->multipart_flags = apr_hash_make(p);

    /* ctl overrides: PL_UNSET until a ctl action sets them */
    tx->reqbody_access = PL_UNSET;
    tx->resbody_access = PL_UNSET;
    tx->reqbody_limit = PL_UNSET;
    tx->resbody_limit = PL_UNSET;
    tx->audit_engine = PL_UNSET;
    tx->debug_log_level = PL_UNSET;
    tx->removed_ids = apr_array_make(p, 2, sizeof(pl_id_range));
    tx->removed_tags = apr_array_make(p, 2, sizeof(pcre2_code *));
    tx->removed_msgs = apr_array_make(p, 2, sizeof(pcre2_code *));
    tx->removed_targets = apr_array_make(p, 2, sizeof(pl_target_removal));

    tx->matched_vars = apr_array_make(p, 8, sizeof(pl_var *));
    tx->highest_severity = 255;
    tx->tfn_cache = apr_hash_make_custom(p, pl_hash_binary);
    tx->matches = apr_array_make(p, 8, sizeof(pl_match));
    tx->intercept.action = PL_DA_NONE;
    tx->web_errors = apr_array_make(p, 2, sizeof(const char *));
    return tx;
}

void pl_tx_add_request_header(pl_tx *tx, const char *name, const char *value)
{
    add_header(tx, tx->req_headers, "REQUEST_HEADERS", name, value);
}

void pl_tx_add_response_header(pl_tx *tx, const char *name, const char *value)
{
    add_header(tx, tx->resp_headers, "RESPONSE_HEADERS", name, value);
}

void pl_tx_parse_args(pl_tx *tx, pl_coll *c, const char *s, apr_size_t len)
{
    int sep = arg_separator(tx), invalid = 0;
    apr_size_t i = 0;

    while (i < len) {
        apr_size_t n0 = i, v0, ne;

        while (i < len && s[i] != '=' && s[i] != sep)
            i++;
        ne = i;
        if (i < len && s[i] == sep) {
            /* a name without '=' has an empty value */
            add_arg(tx, c, s + n0, ne - n0, "", 0, &invalid);
            i++;
            continue;
        }
        v0 = i < len ? i + 1 : len;      /* past the '=' */
        i = v0;
        while (i < len && s[i] != sep)
            i++;
        add_arg(tx, c, s + n0, ne - n0, s + v0, i - v0, &invalid);
        i++;
    }
    if (invalid)
        tx->urlencoded_error = 1;
}

void pl_tx_request_ready(pl_tx *tx)
{
    derive_uri(tx);
    if (tx->query_string != NULL)
        pl_tx_parse_args(tx, tx->args_get, tx->query_string, strlen(tx->query_string));
    parse_cookies(tx);
    if (tx->reqbody_processor == NULL)
        tx->reqbody_processor = processor_for(request_header(tx, "Content-Type"));
}

void pl_tx_set_capture(pl_tx *tx, int n, const char *val, apr_size_t len)
{
    static const char *const keys[PL_MAX_CAPTURES] =
        { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

    if (n < 0 || n >= PL_MAX_CAPTURES || tx->tx_coll == NULL)
        return;
    pl_coll_set(tx->tx_coll, keys[n], val ? apr_pstrmemdup(tx->pool, val, len) : "",
                val ? len : 0);
}
