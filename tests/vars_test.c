/*
 * Unit test of the transaction data model: apache2/coll.c, tx.c, body.c
 * and vars.c.  Query strings, cookies (v0 and v1), URL-encoding errors,
 * REQUEST_URI in phase 1 and later, urlencoded / multipart / JSON / XML
 * bodies, body spooling and limits, selectors, regex selectors, macro
 * selectors, exclusions and the variable table.  Expected values were
 * taken from ModSecurity 2.9.7 (mod_security2 in a private httpd) and from
 * its regression vectors (rule/15-json, config/10-request-directives).
 *
 * Standalone: the functions of other subsystems are small stubs below.
 *
 * Build and run (from the repository root):
 *   gcc -Wall -Wextra -Werror -fPIC -std=gnu11 \
 *       $(apr-1-config --cflags --cppflags --includes) $(apu-1-config --includes) \
 *       $(pkg-config --cflags libpcre2-8 libxml-2.0) -Iapache2 \
 *       tests/vars_test.c apache2/coll.c apache2/tx.c apache2/body.c apache2/vars.c \
 *       -o /tmp/vars_test $(apr-1-config --link-ld) $(apu-1-config --link-ld) \
 *       $(pkg-config --libs libpcre2-8 libxml-2.0) && /tmp/vars_test
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <libxml/parser.h>
#include "palisade.h"

/* ---- test bookkeeping ---------------------------------------------------- */

static int passed, failed;
static apr_pool_t *pool;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL: %s\n", what);
    }
}

static void check_str(const char *got, const char *want, const char *what)
{
    int ok = (got == NULL && want == NULL)
          || (got != NULL && want != NULL && strcmp(got, want) == 0);
    if (!ok)
        printf("  got  \"%s\"\n  want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
    check(ok, what);
}

/* ---- stubs: debug log, configuration -------------------------------------- */

static apr_array_header_t *debug_lines;   /* char* */

void pl_debug(pl_tx *tx, int level, const char *fmt, ...)
{
    va_list ap;

    (void)tx;
    (void)level;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(debug_lines, char *) = apr_pvsprintf(pool, fmt, ap);
    va_end(ap);
}

static int debug_has(const char *text)
{
    int i;

    for (i = 0; i < debug_lines->nelts; i++)
        if (strstr(APR_ARRAY_IDX(debug_lines, i, char *), text))
            return 1;
    return 0;
}

int pl_config_engine(const pl_config *c)
{
    return c->rule_engine == PL_UNSET ? PL_ENGINE_OFF : c->rule_engine;
}

/* ---- stubs: log escaping (logfmt.c) --------------------------------------- */

static char *escape(apr_pool_t *p, const char *s, apr_size_t len, int quotes)
{
    char *out = apr_palloc(p, len * 4 + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                          : c == '\\' ? "\\\\" : (c == '"' && quotes) ? "\\\"" : NULL;
        if (named) {
            memcpy(d, named, 2);
            d += 2;
        } else if (c < 0x20 || c >= 0x7f) {
            d += sprintf(d, "\\x%02x", c);
        } else {
            *d++ = (char)c;
        }
    }
    *d = '\0';
    return out;
}

char *pl_log_escape(apr_pool_t *p, const char *s, apr_size_t len)
{
    return escape(p, s, len, 1);
}

char *pl_log_escape_nq(apr_pool_t *p, const char *s, apr_size_t len)
{
    return escape(p, s, len, 0);
}

/* ---- stubs: regex (ops.c) ------------------------------------------------- */

static apr_status_t free_code(void *re)
{
    pcre2_code_free(re);
    return APR_SUCCESS;
}

pcre2_code *pl_regex_compile(apr_pool_t *p, const char *re, int caseless, const char **err)
{
    int rc;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                  PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY
                                  | (caseless ? PCRE2_CASELESS : 0), &rc, &off, NULL);
    if (c == NULL) {
        *err = "bad regex";
        return NULL;
    }
    apr_pool_cleanup_register(p, c, free_code, apr_pool_cleanup_null);
    return c;
}

int pl_regex_match(const pcre2_code *re, const char *s, apr_size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);

    pcre2_match_data_free(md);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* ---- stubs: macros (macro.c): "%{tx.name}" only --------------------------- */

struct pl_macro {
    const char *text;
};

const char *pl_macro_text(const pl_macro *m)
{
    return m ? m->text : "";
}

const char *pl_macro_expand(pl_tx *tx, const pl_macro *m, apr_size_t *len)
{
    const char *out = m->text;

    if (strncasecmp(m->text, "%{tx.", 5) == 0) {
        char *key = apr_pstrdup(pool, m->text + 5);
        const pl_var *v;
        key[strlen(key) - 1] = '\0';
        v = pl_coll_get(tx->tx_coll, key);
        out = v ? v->value : "";
    }
    if (len)
        *len = strlen(out);
    return out;
}

/* ---- helpers --------------------------------------------------------------- */

static pl_config *new_config(void)
{
    pl_config *c = apr_pcalloc(pool, sizeof(*c));

    c->pool = pool;
    c->rule_engine = PL_ENGINE_ON;
    c->reqbody_access = PL_UNSET;
    c->resbody_access = PL_UNSET;
    c->reqbody_limit = PL_UNSET;
    c->reqbody_nofiles_limit = PL_UNSET;
    c->reqbody_inmem_limit = PL_UNSET;
    c->resbody_limit = PL_UNSET;
    c->json_depth_limit = PL_UNSET;
    c->args_limit = PL_UNSET;
    c->cookie_format = PL_UNSET;
    c->argument_separator = PL_UNSET;
    c->cookiev0_separator = PL_UNSET;
    c->upload_file_limit = PL_UNSET;
    c->debug_log_level = 9;
    return c;
}

/* A GET (or other) transaction with headers "Name: value" and request_ready. */
static pl_tx *new_tx(const pl_config *cfg, const char *method, const char *target, ...)
{
    pl_tx *tx = pl_tx_create(pool, cfg, NULL, NULL);
    const char *h;
    va_list ap;

    tx->method = method;
    tx->uri_raw = target;
    tx->protocol = "HTTP/1.1";
    tx->request_line = apr_psprintf(pool, "%s %s HTTP/1.1", method, target);
    tx->remote_addr = "127.0.0.1";
    va_start(ap, target);
    while ((h = va_arg(ap, const char *)) != NULL) {
        const char *colon = strchr(h, ':');
        pl_tx_add_request_header(tx, apr_pstrmemdup(pool, h, colon - h), colon + 2);
    }
    va_end(ap);
    pl_tx_request_ready(tx);
    return tx;
}

static pl_tx *post(const pl_config *cfg, const char *ctype, const char *body, apr_size_t len)
{
    pl_tx *tx = new_tx(cfg, "POST", "/t.txt", apr_pstrcat(pool, "Content-Type: ", ctype, NULL),
                       NULL);
    pl_tx_body_append(tx, body, len);
    pl_tx_body_done(tx);
    return tx;
}

/* Builds a target from text as the rule parser would: NAME[:sel]. */
static pl_target *target(const char *text)
{
    pl_target *t = apr_pcalloc(pool, sizeof(*t));
    const char *colon = strchr(text, ':');
    char *name = colon ? apr_pstrmemdup(pool, text, colon - text) : apr_pstrdup(pool, text);
    char *c;

    t->text = text;
    if (name[0] == '!') {
        t->exclude = 1;
        name++;
    }
    for (c = name; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    t->def = pl_vardef_find(name);
    if (t->def == NULL) {
        printf("unknown variable %s\n", name);
        exit(2);
    }
    if (t->def->flags & PL_VF_GENERIC)
        t->coll = name;
    if (colon) {
        const char *sel = colon + 1;
        apr_size_t n = strlen(sel);
        if (n > 2 && sel[0] == '/' && sel[n - 1] == '/' && strcmp(name, "XML") != 0) {
            const char *err;
            t->sel_re_src = apr_pstrmemdup(pool, sel + 1, n - 2);
            t->sel_re = pl_regex_compile(pool, t->sel_re_src, 1, &err);
        } else if (strstr(sel, "%{")) {
            pl_macro *m = apr_palloc(pool, sizeof(*m));
            m->text = sel;
            t->sel_macro = m;
            t->selector = sel;
        } else {
            t->selector = sel;
        }
    }
    return t;
}

static apr_array_header_t *values_of(pl_tx *tx, const char *text)
{
    apr_array_header_t *out = apr_array_make(pool, 8, sizeof(pl_var *));

    pl_target_values(tx, target(text), out);
    return out;
}

/* "NAME=value|NAME=value", values log-escaped so NULs show. */
static const char *vals(pl_tx *tx, const char *text)
{
    apr_array_header_t *out = values_of(tx, text);
    const char *s = "";
    int i;

    for (i = 0; i < out->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(out, i, const pl_var *);
        s = apr_pstrcat(pool, s, i ? "|" : "", v->name, "=",
                        pl_log_escape_nq(pool, v->value, v->value_len), NULL);
    }
    return s;
}

static const char *val1(pl_tx *tx, const char *text)
{
    apr_array_header_t *out = values_of(tx, text);

    if (out->nelts == 0)
        return NULL;
    return APR_ARRAY_IDX(out, 0, const pl_var *)->value;
}

/* ---- collections ----------------------------------------------------------- */

static void test_coll(void)
{
    pl_coll *k = pl_coll_create(pool, "TX", 1), *u = pl_coll_create(pool, "ARGS", 0);
    pl_var *a, *b;

    a = pl_coll_set(k, "Foo", "1", 1);
    pl_coll_set(k, "bar", "2", 1);
    check_str(a->name, "TX:Foo", "keyed element name");
    check(pl_coll_get(k, "FOO") == a, "keyed get is case-insensitive");
    b = pl_coll_set(k, "foo", "3", 1);
    check(b != a && k->items->nelts == 2, "keyed set replaces with a new element");
    check(APR_ARRAY_IDX(k->items, 0, pl_var *) == b, "replacement keeps the position");
    check_str(a->value, "1", "old element keeps its value");
    check_str(pl_coll_get(k, "Foo")->value, "3", "get sees the replacement");
    pl_coll_del(k, "FOO");
    check(pl_coll_get(k, "foo") == NULL && k->items->nelts == 1, "keyed del");
    pl_coll_add(u, "x", "1", 1);
    pl_coll_add(u, "X", "2", 1);
    pl_coll_add(u, "y", "3", 1);
    check(u->items->nelts == 3, "unkeyed keeps duplicates");
    check_str(pl_coll_get(u, "X")->value, "1", "unkeyed get returns the first");
    pl_coll_del(u, "x");
    check(u->items->nelts == 1, "unkeyed del removes every duplicate");
    pl_coll_clear(k);
    check(k->items->nelts == 0 && pl_coll_get(k, "bar") == NULL, "clear");
    a = pl_coll_set_n(u, "a\0b\x01\\", 5, "v", 1);
    check_str(a->name, "ARGS:a\\x00b\\x01\\\\", "names are log-escaped");
}

/* ---- the variable table ------------------------------------------------- */

static const char *const all_names[] = {
    "ARGS", "ARGS_COMBINED_SIZE", "ARGS_GET", "ARGS_GET_NAMES", "ARGS_NAMES", "ARGS_POST",
    "ARGS_POST_NAMES", "AUTH_TYPE", "DURATION", "ENV", "FILES", "FILES_COMBINED_SIZE",
    "FILES_NAMES", "FILES_SIZES", "FILES_TMPNAMES", "FILES_TMP_CONTENT", "FULL_REQUEST",
    "FULL_REQUEST_LENGTH", "GEO", "GLOBAL", "HIGHEST_SEVERITY", "INBOUND_DATA_ERROR", "IP",
    "MATCHED_VAR", "MATCHED_VARS", "MATCHED_VARS_NAMES", "MATCHED_VAR_NAME", "MODSEC_BUILD",
    "MULTIPART_BOUNDARY_QUOTED", "MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_CRLF_LF_LINES",
    "MULTIPART_CRLF_LINE", "MULTIPART_DATA_AFTER", "MULTIPART_DATA_BEFORE",
    "MULTIPART_FILENAME", "MULTIPART_FILE_LIMIT_EXCEEDED", "MULTIPART_HEADER_FOLDING",
    "MULTIPART_INVALID_HEADER_FOLDING", "MULTIPART_INVALID_PART", "MULTIPART_INVALID_QUOTING",
    "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON", "MULTIPART_NAME",
    "MULTIPART_PART_HEADERS", "MULTIPART_STRICT_ERROR", "MULTIPART_UNMATCHED_BOUNDARY",
    "OUTBOUND_DATA_ERROR", "PATH_INFO", "PERF_ALL", "PERF_COMBINED", "PERF_GC",
    "PERF_LOGGING", "PERF_PHASE1", "PERF_PHASE2", "PERF_PHASE3", "PERF_PHASE4",
    "PERF_PHASE5", "PERF_RULES", "PERF_SREAD", "PERF_SWRITE", "QUERY_STRING", "REMOTE_ADDR",
    "REMOTE_HOST", "REMOTE_PORT", "REMOTE_USER", "REQBODY_ERROR", "REQBODY_ERROR_MSG",
    "REQBODY_PROCESSOR", "REQBODY_PROCESSOR_ERROR", "REQBODY_PROCESSOR_ERROR_MSG",
    "REQUEST_BASENAME", "REQUEST_BODY", "REQUEST_BODY_LENGTH", "REQUEST_COOKIES",
    "REQUEST_COOKIES_NAMES", "REQUEST_FILENAME", "REQUEST_HEADERS", "REQUEST_HEADERS_NAMES",
    "REQUEST_LINE", "REQUEST_METHOD", "REQUEST_PROTOCOL", "REQUEST_URI", "REQUEST_URI_RAW",
    "RESOURCE", "RESPONSE_BODY", "RESPONSE_CONTENT_LENGTH", "RESPONSE_CONTENT_TYPE",
    "RESPONSE_HEADERS", "RESPONSE_HEADERS_NAMES", "RESPONSE_PROTOCOL", "RESPONSE_STATUS",
    "RULE", "SCRIPT_BASENAME", "SCRIPT_FILENAME", "SCRIPT_GID", "SCRIPT_GROUPNAME",
    "SCRIPT_MODE", "SCRIPT_UID", "SCRIPT_USERNAME", "SDBM_DELETE_ERROR", "SERVER_ADDR",
    "SERVER_NAME", "SERVER_PORT", "SESSION", "SESSIONID", "STATUS_LINE", "STREAM_INPUT_BODY",
    "STREAM_OUTPUT_BODY", "TIME", "TIME_DAY", "TIME_EPOCH", "TIME_HOUR", "TIME_MIN",
    "TIME_MON", "TIME_SEC", "TIME_WDAY", "TIME_YEAR", "TX", "UNIQUE_ID", "URLENCODED_ERROR",
    "USER", "USERAGENT_IP", "USERID", "WEBAPPID", "WEBSERVER_ERROR_LOG", "XML",
};

static void test_table(void)
{
    apr_size_t i, found = 0;
    const char *missing = "";

    for (i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++) {
        const pl_vardef *d = pl_vardef_find(all_names[i]);
        if (d != NULL && strcmp(d->name, all_names[i]) == 0 && d->get != NULL)
            found++;
        else
            missing = apr_pstrcat(pool, missing, " ", all_names[i], NULL);
    }
    check(sizeof(all_names) / sizeof(all_names[0]) == 126, "126 names in the list");
    if (*missing)
        printf("  missing:%s\n", missing);
    check(found == 126, "every 2.9 variable has a row");
    check(pl_vardef_find("request_headers") == pl_vardef_find("REQUEST_HEADERS"),
          "pl_vardef_find is case-insensitive");
    check(pl_vardef_find("NO_SUCH_VAR") == NULL, "unknown variable");
    check((pl_vardef_find("TX")->flags & (PL_VF_GENERIC | PL_VF_SEL_REQUIRED))
          == (PL_VF_GENERIC | PL_VF_SEL_REQUIRED), "TX is generic and needs a selector");
    check(!(pl_vardef_find("STREAM_INPUT_BODY")->flags & PL_VF_NOT_YET), "STREAM_INPUT_BODY implemented");
    check(!(pl_vardef_find("STREAM_OUTPUT_BODY")->flags & PL_VF_NOT_YET), "STREAM_OUTPUT_BODY implemented");
    check(!(pl_vardef_find("ARGS")->flags & PL_VF_NOT_YET), "ARGS implemented");
}

/* ---- query strings ----------------------------------------------------------- */

static void test_query(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx;

    /* 2.9.7: name "s t" = "u v", "w" = "", "" = "", "" = "x"; %zz kept */
    tx = new_tx(cfg, "GET", "/t.txt?q=1&r=%zz&s+t=u+v&w&&=x", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:q=1|ARGS:r=%zz|ARGS:s t=u v|ARGS:w=|ARGS:=|ARGS:=x",
              "query arguments as 2.9 splits them");
    check(tx->urlencoded_error == 1, "invalid %-encoding sets URLENCODED_ERROR");
    check_str(val1(tx, "URLENCODED_ERROR"), "1", "URLENCODED_ERROR variable");
    check_str(val1(tx, "QUERY_STRING"), "q=1&r=%zz&s+t=u+v&w&&=x", "QUERY_STRING raw");
    check_str(val1(tx, "ARGS_COMBINED_SIZE"), "14", "ARGS_COMBINED_SIZE");
    check(debug_has("Adding request argument (QUERY_STRING): name \"s t\", value \"u v\""),
          "2.9's debug line for an argument");
    check_str(vals(tx, "ARGS_GET:S T"), "ARGS_GET:s t=u v", "ARGS_GET literal selector");
    check_str(vals(tx, "ARGS_GET_NAMES:/^[qr]$/"), "ARGS_GET_NAMES:q=q|ARGS_GET_NAMES:r=r",
              "ARGS_GET_NAMES regex selector");
    check_str(vals(tx, "ARGS_POST"), "", "no ARGS_POST without a body");

    tx = new_tx(cfg, "GET", "/?a=%41%4&b=%4g&c=%&d=+%2B", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:a=A%4|ARGS:b=%4g|ARGS:c=%|ARGS:d= +",
              "truncated and bad %-sequences kept");

    tx = new_tx(cfg, "GET", "/?a=1&", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:a=1", "trailing separator");
    tx = new_tx(cfg, "GET", "/?a", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:a=", "name only");
    tx = new_tx(cfg, "GET", "/?a=b=c", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:a=b=c", "'=' inside a value");
    tx = new_tx(cfg, "GET", "/t.txt", NULL);
    check(val1(tx, "QUERY_STRING") == NULL, "no QUERY_STRING without '?'");
    check(tx->urlencoded_error == 0 && strcmp(val1(tx, "URLENCODED_ERROR"), "0") == 0,
          "URLENCODED_ERROR 0");
    tx = new_tx(cfg, "GET", "/t.txt?", NULL);
    check_str(val1(tx, "QUERY_STRING"), "", "empty QUERY_STRING after '?'");

    cfg->argument_separator = ';';
    tx = new_tx(cfg, "GET", "/test.txt?a=1;b=2&c=3", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:a=1|ARGS:b=2&c=3", "SecArgumentSeparator ;");

    cfg = new_config();
    tx = new_tx(cfg, "GET", "/?a%00b=1", NULL);
    check_str(vals(tx, "ARGS_NAMES"), "ARGS_NAMES:a\\x00b=a\\x00b",
              "a NUL in a name survives in ARGS_NAMES");
    check_str(val1(tx, "ARGS_COMBINED_SIZE"), "4", "combined size counts the NUL");

    /* SecArgumentsLimit: 2.9 keeps the first, drops the rest, flags the body */
    cfg->args_limit = 3;
    tx = new_tx(cfg, "GET", "/?q=1&r=2&s=3&t=4&u=5", NULL);
    check_str(vals(tx, "ARGS"), "ARGS:q=1|ARGS:r=2|ARGS:s=3", "arguments over the limit dropped");
    check_str(val1(tx, "REQBODY_ERROR"), "1", "limit in the query string: REQBODY_ERROR");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "SecArgumentsLimit exceeded", "limit message");
    check(debug_has("Skipping request argument, over limit (QUERY_STRING): name \"t\""),
          "limit debug line");
}

/* ---- cookies ----------------------------------------------------------------- */

static void test_cookies(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx;

    tx = new_tx(cfg, "GET", "/", "Cookie: a=1; b; =c; d=e=f; g=;  h = 2 ;i", NULL);
    check_str(vals(tx, "REQUEST_COOKIES"),
              "REQUEST_COOKIES:a=1|REQUEST_COOKIES:b=|REQUEST_COOKIES:d=e=f|REQUEST_COOKIES:g="
              "|REQUEST_COOKIES:h = 2 |REQUEST_COOKIES:i=", "v0 cookies as 2.9.7 reads them");
    check_str(vals(tx, "REQUEST_COOKIES_NAMES:/^[ab]/"),
              "REQUEST_COOKIES_NAMES:a=a|REQUEST_COOKIES_NAMES:b=b", "cookie names, regex");
    check(debug_has("Adding request cookie: name \"b\", value empty"), "v0 value empty");

    tx = new_tx(cfg, "GET", "/", "Cookie: $Version=\"1\"; SESSIONID=\"cookieval\"; $PATH=\"/\"",
                NULL);
    check_str(vals(tx, "REQUEST_COOKIES_NAMES"),
              "REQUEST_COOKIES_NAMES:$Version=$Version|REQUEST_COOKIES_NAMES:SESSIONID=SESSIONID"
              "|REQUEST_COOKIES_NAMES:$PATH=$PATH", "v0 keeps $ names as they are");
    check_str(val1(tx, "REQUEST_COOKIES:SESSIONID"), "\"cookieval\"", "v0 keeps quotes");

    cfg->cookie_format = 1;
    tx = new_tx(cfg, "GET", "/", "Cookie: $Version=\"1\"; SESSIONID=\"cookieval\"; $PATH=\"/\"",
                NULL);
    check_str(val1(tx, "REQUEST_COOKIES:$SESSIONID_PATH"), "/", "v1 $PATH renamed");
    check_str(val1(tx, "REQUEST_COOKIES:sessionid"), "cookieval", "v1 unquotes");
    check(debug_has("Adding request cookie: name \"$SESSIONID_PATH\", value \"/\""),
          "v1 debug line (regression vector)");
    tx = new_tx(cfg, "GET", "/", "Cookie: $Version=1; a=\"q;w\"; $Path=/; b = c , d;e=",
                "Cookie: f=\"unterminated", NULL);
    check_str(vals(tx, "REQUEST_COOKIES"),
              "REQUEST_COOKIES:$Version=1|REQUEST_COOKIES:a=q;w|REQUEST_COOKIES:$a_Path=/"
              "|REQUEST_COOKIES:b=c|REQUEST_COOKIES:d=|REQUEST_COOKIES:e=|REQUEST_COOKIES:f="
              "unterminated", "v1 cookies as 2.9.7 reads them, two headers");
}

/* ---- request line, URI forms, headers ------------------------------------------ */

static void test_uri(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx;

    tx = new_tx(cfg, "GET", "/%74.txt/./a//b/../c%3fd?x=%41+%2b", "Host: x", NULL);
    tx->phase = 1;
    check_str(val1(tx, "REQUEST_FILENAME"), "/%74.txt/./a//b/../c%3fd", "phase 1 filename raw");
    check_str(val1(tx, "REQUEST_BASENAME"), "c%3fd", "phase 1 basename");
    check_str(val1(tx, "REQUEST_URI"), "/%74.txt/./a//b/../c%3fd?x=%41+%2b", "phase 1 URI raw");
    tx->phase = 2;
    check_str(val1(tx, "REQUEST_FILENAME"), "/t.txt/a/c?d", "phase 2 filename normalised");
    check_str(val1(tx, "REQUEST_BASENAME"), "c?d", "phase 2 basename");
    check_str(val1(tx, "REQUEST_URI"), "/t.txt/a/c?d?x=%41+%2b", "phase 2 URI");
    check_str(val1(tx, "REQUEST_URI_RAW"), "/%74.txt/./a//b/../c%3fd?x=%41+%2b", "URI_RAW");
    check_str(val1(tx, "ARGS:x"), "A +", "query decoded");

    tx = new_tx(cfg, "GET", "http://foo.example:81/x/./y//t.txt?a=1", NULL);
    tx->phase = 2;
    check_str(val1(tx, "REQUEST_URI"), "/x/y/t.txt?a=1", "absolute URI, phase 2");
    check_str(val1(tx, "REQUEST_URI_RAW"), "http://foo.example:81/x/./y//t.txt?a=1", "raw");
    tx->phase = 1;
    check_str(val1(tx, "REQUEST_URI"), "/x/./y//t.txt?a=1", "absolute URI, phase 1");

    tx = new_tx(cfg, "GET", "http://h?x=1", NULL);
    tx->phase = 1;
    check(val1(tx, "REQUEST_FILENAME") == NULL, "no path, no REQUEST_FILENAME");
    check_str(val1(tx, "REQUEST_URI"), "", "no path: 2.9 gives an empty REQUEST_URI");

    tx = new_tx(cfg, "GET", "/p%2e%2e/x/%2e%2e/t.txt?y", NULL);
    tx->phase = 2;
    check_str(val1(tx, "REQUEST_FILENAME"), "/p../t.txt", "unreserved decoded before dots");
    tx = new_tx(cfg, "GET", "/t.txt/more\\bs", NULL);
    check_str(val1(tx, "REQUEST_BASENAME"), "bs", "basename after a backslash");
    tx = new_tx(cfg, "GET", "/a/b/..", NULL);
    tx->phase = 2;
    check_str(val1(tx, "REQUEST_FILENAME"), "/a/", "trailing ..");

    tx = new_tx(cfg, "GET", "/t.txt", "Host: x", "User-Agent: UA/1", "X-A: 1", NULL);
    check_str(vals(tx, "REQUEST_HEADERS"),
              "REQUEST_HEADERS:Host=x|REQUEST_HEADERS:User-Agent=UA/1|REQUEST_HEADERS:X-A=1",
              "REQUEST_HEADERS in order");
    check_str(vals(tx, "REQUEST_HEADERS:user-agent"), "REQUEST_HEADERS:User-Agent=UA/1",
              "header selector is case-insensitive");
    check_str(vals(tx, "REQUEST_HEADERS_NAMES:/^x-/"), "REQUEST_HEADERS_NAMES:X-A=X-A",
              "REQUEST_HEADERS_NAMES regex");
    check_str(val1(tx, "REQUEST_LINE"), "GET /t.txt HTTP/1.1", "REQUEST_LINE");
    check_str(val1(tx, "REQUEST_METHOD"), "GET", "REQUEST_METHOD");
    check_str(val1(tx, "REQUEST_PROTOCOL"), "HTTP/1.1", "REQUEST_PROTOCOL");
    check_str(val1(tx, "FULL_REQUEST_LENGTH"), "34", "FULL_REQUEST_LENGTH (2.9's formula)");
    check_str(val1(tx, "REMOTE_ADDR"), "127.0.0.1", "REMOTE_ADDR");
    check_str(val1(tx, "REMOTE_HOST"), "127.0.0.1", "REMOTE_HOST falls back to the address");
    check_str(val1(tx, "REQBODY_PROCESSOR"), "", "no processor for a GET");
    check_str(val1(tx, "HIGHEST_SEVERITY"), "255", "HIGHEST_SEVERITY");
    check_str(val1(tx, "MODSEC_BUILD"), "020907900", "MODSEC_BUILD as 2.9.7 reports it");
    check_str(val1(tx, "WEBAPPID"), "default", "WEBAPPID");
    check_str(val1(tx, "MULTIPART_STRICT_ERROR"), "0", "MULTIPART_STRICT_ERROR default");
    check_str(val1(tx, "FILES_COMBINED_SIZE"), "0", "FILES_COMBINED_SIZE default");
    check_str(val1(tx, "REQUEST_BODY_LENGTH"), "0", "REQUEST_BODY_LENGTH default");
    check(val1(tx, "REQUEST_BODY") == NULL, "no REQUEST_BODY without a body");
    check(val1(tx, "UNIQUE_ID") == NULL && val1(tx, "AUTH_TYPE") == NULL
          && val1(tx, "SESSIONID") == NULL, "absent scalars produce nothing");
    check(strlen(val1(tx, "TIME")) == 14 && strlen(val1(tx, "TIME_YEAR")) == 4
          && strlen(val1(tx, "TIME_MON")) == 2, "TIME formats");
    check(atol(val1(tx, "TIME_EPOCH")) > 1600000000L, "TIME_EPOCH");
    check(atol(val1(tx, "DURATION")) >= 0, "DURATION");
    tx->status = 404;
    pl_tx_add_response_header(tx, "Content-Type", "text/html");
    check_str(val1(tx, "RESPONSE_STATUS"), "404", "RESPONSE_STATUS");
    check_str(val1(tx, "RESPONSE_CONTENT_TYPE"), "text/html", "RESPONSE_CONTENT_TYPE");
    check_str(vals(tx, "RESPONSE_HEADERS_NAMES"),
              "RESPONSE_HEADERS_NAMES:Content-Type=Content-Type", "RESPONSE_HEADERS_NAMES");
}

/* ---- request bodies ----------------------------------------------------------- */

static void test_urlencoded(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx = new_tx(cfg, "POST", "/t.txt?q=1",
                       "Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL);
    const char *body = "a=1&b=%zz&a=2";

    check_str(val1(tx, "REQBODY_PROCESSOR"), "URLENCODED", "processor chosen in phase 1");
    pl_tx_body_append(tx, body, 5);
    pl_tx_body_append(tx, body + 5, strlen(body) - 5);
    pl_tx_body_done(tx);
    tx->phase = 2;
    check_str(vals(tx, "ARGS"), "ARGS:q=1|ARGS:a=1|ARGS:b=%zz|ARGS:a=2", "ARGS: query first");
    check_str(vals(tx, "ARGS_POST:A"), "ARGS_POST:a=1|ARGS_POST:a=2", "ARGS_POST duplicates");
    check_str(vals(tx, "ARGS_POST_NAMES"),
              "ARGS_POST_NAMES:a=a|ARGS_POST_NAMES:b=b|ARGS_POST_NAMES:a=a", "ARGS_POST_NAMES");
    check_str(vals(tx, "REQUEST_BODY"), "REQUEST_BODY=a=1&b=%zz&a=2", "REQUEST_BODY");
    check_str(val1(tx, "REQUEST_BODY_LENGTH"), "13", "REQUEST_BODY_LENGTH");
    check_str(val1(tx, "URLENCODED_ERROR"), "1", "body URL-encoding error");
    check(values_of(tx, "ARGS_NAMES")->nelts == 4, "ARGS_NAMES count");
    {
        apr_array_header_t *x = values_of(tx, "ARGS_NAMES"), *y = values_of(tx, "ARGS_NAMES");
        check(APR_ARRAY_IDX(x, 1, pl_var *) == APR_ARRAY_IDX(y, 1, pl_var *),
              "derived values are the same pl_var on each read");
    }

    /* 2.9.7 config/10-request-directives #22 */
    cfg->args_limit = 5;
    tx = post(cfg, "application/x-www-form-urlencoded", "a=1&b=2&c=3&d=4&e=5&f=6", 23);
    check_str(val1(tx, "REQBODY_ERROR"), "1", "SecArgumentsLimit exceeded by the body");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "SecArgumentsLimit exceeded", "body limit message");
    check(values_of(tx, "ARGS")->nelts == 5, "five arguments kept");
    tx = post(cfg, "application/x-www-form-urlencoded", "a=1&b=2&c=3&d=4&e=5", 19);
    check_str(val1(tx, "REQBODY_ERROR"), "0", "at the limit is fine (#23)");

    /* the query string hit the limit: 2.9 does not parse the body at all */
    cfg->args_limit = 3;
    tx = new_tx(cfg, "POST", "/t.txt?a=1&b=2&c=3&d=4",
                "Content-Type: application/x-www-form-urlencoded", NULL);
    pl_tx_body_append(tx, "x=1", 3);
    pl_tx_body_done(tx);
    check_str(vals(tx, "ARGS_POST"), "", "no body arguments after a query limit error");
    check(val1(tx, "REQUEST_BODY") == NULL, "and no REQUEST_BODY");
    tx = new_tx(cfg, "POST", "/t.txt?a=1&b=2&c=3&d=4",
                "Content-Type: application/x-www-form-urlencoded", NULL);
    tx->force_reqbody_var = 1;
    pl_tx_body_append(tx, "x=1", 3);
    pl_tx_body_done(tx);
    check_str(val1(tx, "REQUEST_BODY"), "x=1", "unless forceRequestBodyVariable");

    cfg = new_config();
    tx = post(cfg, "text/plain", "hello", 5);
    check(val1(tx, "REQUEST_BODY") == NULL, "no processor: no REQUEST_BODY");
    check_str(val1(tx, "REQUEST_BODY_LENGTH"), "5", "but its length");
    tx = new_tx(cfg, "POST", "/", "Content-Type: text/plain", NULL);
    tx->force_reqbody_var = 1;
    pl_tx_body_append(tx, "hello", 5);
    pl_tx_body_done(tx);
    check_str(val1(tx, "REQUEST_BODY"), "hello", "forced REQUEST_BODY");
    tx = new_tx(cfg, "POST", "/", "Content-Type: text/plain", NULL);
    tx->ctl_reqbody_processor = "urlencoded";
    pl_tx_body_append(tx, "k=v", 3);
    pl_tx_body_done(tx);
    check_str(vals(tx, "ARGS_POST"), "ARGS_POST:k=v", "ctl:requestBodyProcessor=URLENCODED");
    check_str(val1(tx, "REQBODY_PROCESSOR"), "urlencoded", "REQBODY_PROCESSOR as ctl wrote it");
    check_str(val1(tx, "REQBODY_PROCESSOR_ERROR"), "0", "deprecated REQBODY_PROCESSOR_ERROR");
}

/* pl_tx_body_each: the pieces, concatenated (stopping after `stop` calls
 * when it is not 0). */
typedef struct each_ctx {
    char       buf[256];
    apr_size_t len;
    int        calls, stop;
} each_ctx;

static int each_piece(void *ctx, const char *data, apr_size_t len)
{
    each_ctx *e = ctx;

    if (e->len + len <= sizeof(e->buf)) {
        memcpy(e->buf + e->len, data, len);
        e->len += len;
    }
    e->calls++;
    return e->stop != 0 && e->calls >= e->stop;
}

static void test_storage(void)
{
    each_ctx each;
    char *big;
    pl_config *cfg = new_config();
    apr_pool_t *sub;
    pl_tx *tx;
    const char *flat, *path;
    char chunk[10];
    apr_size_t len;
    int i, ok = 1;

    apr_pool_create(&sub, pool);
    cfg->reqbody_inmem_limit = 16;
    cfg->tmp_dir = "/tmp";
    tx = pl_tx_create(sub, cfg, NULL, NULL);
    tx->uri_raw = "/";
    pl_tx_request_ready(tx);
    for (i = 0; i < 10; i++) {
        memset(chunk, '0' + i, sizeof(chunk));
        if (pl_tx_body_append(tx, chunk, sizeof(chunk)) != APR_SUCCESS)
            ok = 0;
    }
    check(ok, "appends within the limit succeed");
    check(tx->body.spool != NULL && tx->body.chunks->nelts == 0, "spooled past the memory limit");
    path = apr_pstrdup(pool, tx->body.spool_path ? tx->body.spool_path : "");
    check(strncmp(path, "/tmp/palisade-reqbody-", 22) == 0, "spool file under SecTmpDir");
    check(access(path, F_OK) == 0, "spool file exists");
    memset(&each, 0, sizeof(each));
    check(pl_tx_body_each(tx, each_piece, &each) == APR_SUCCESS && each.len == 100
          && each.buf[0] == '0' && each.buf[99] == '9' && each.buf[50] == '5',
          "pl_tx_body_each reads the spool file");
    flat = pl_tx_body_flat(tx, &len);
    check(len == 100 && flat[0] == '0' && flat[99] == '9' && flat[50] == '5' && flat[100] == '\0',
          "flat body read back from the spool");
    check(pl_tx_body_append(tx, "x", 1) == APR_SUCCESS && pl_tx_body_flat(tx, &len) && len == 101,
          "append after reading");
    apr_pool_destroy(sub);
    check(access(path, F_OK) != 0, "spool file removed with the transaction");

    cfg = new_config();
    cfg->reqbody_limit = 8;
    tx = pl_tx_create(pool, cfg, NULL, NULL);
    check(pl_tx_body_append(tx, "12345", 5) == APR_SUCCESS, "under the body limit");
    check(pl_tx_body_append(tx, "67890", 5) == APR_ENOSPC, "over the body limit: APR_ENOSPC");
    check(tx->body.length == 8 && tx->inbound_data_error == 1, "kept to the limit, flagged");
    check_str(pl_tx_body_flat(tx, NULL), "12345678", "partial body");
    check(pl_tx_body_append(tx, "x", 1) == APR_ENOSPC && tx->body.length == 8, "stays full");
    tx->reqbody_limit = 20;
    check(pl_tx_body_append(tx, "9", 1) == APR_SUCCESS, "ctl:requestBodyLimit wins");

    /* memory: small pieces share a block; pl_tx_body_each gives them in
     * order, and stops when the callback says so */
    tx = pl_tx_create(pool, new_config(), NULL, NULL);
    for (i = 0; i < 50; i++)
        pl_tx_body_append(tx, i % 2 ? "ab" : "c", i % 2 ? 2 : 1);
    check(tx->body.chunks->nelts == 1 && tx->body.length == 75, "pieces copied into one block");
    memset(&each, 0, sizeof(each));
    pl_tx_body_each(tx, each_piece, &each);
    check(each.len == 75 && memcmp(each.buf, "cabcabcab", 9) == 0, "pl_tx_body_each in memory");
    /* a piece larger than the smallest block (8064 bytes) gets a block of
     * its own size; the next block is twice that and takes two pieces */
    cfg = new_config();
    cfg->reqbody_inmem_limit = 100000;
    tx = pl_tx_create(pool, cfg, NULL, NULL);
    big = apr_pcalloc(pool, 9000);
    for (i = 0; i < 3; i++)
        pl_tx_body_append(tx, big, 9000);
    check(tx->body.chunks->nelts == 2 && tx->body.length == 27000, "blocks grow");
    memset(&each, 0, sizeof(each));
    pl_tx_body_each(tx, each_piece, &each);
    check(each.calls == 2, "one call per memory chunk");
    memset(&each, 0, sizeof(each));
    each.stop = 1;
    pl_tx_body_each(tx, each_piece, &each);
    check(each.calls == 1, "pl_tx_body_each stops when the callback asks");
}

/* ---- multipart ---------------------------------------------------------------- */

#define MP_OK "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n" \
              "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n" \
              "Content-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n"

static const char *mp_flags(pl_tx *tx)
{
    return apr_pstrcat(pool, "S", val1(tx, "MULTIPART_STRICT_ERROR"),
                       " LF", val1(tx, "MULTIPART_LF_LINE"),
                       " CRLF", val1(tx, "MULTIPART_CRLF_LINE"),
                       " DB", val1(tx, "MULTIPART_DATA_BEFORE"),
                       " DA", val1(tx, "MULTIPART_DATA_AFTER"),
                       " BQ", val1(tx, "MULTIPART_BOUNDARY_QUOTED"), NULL);
}

static void test_multipart(void)
{
    pl_config *cfg = new_config();
    const char *ok = MP_OK;
    pl_tx *tx;
    char *lf, *d;
    const char *s;

    tx = post(cfg, "multipart/form-data; boundary=XX", ok, strlen(ok));
    check_str(val1(tx, "REQBODY_PROCESSOR"), "MULTIPART", "multipart processor");
    check_str(val1(tx, "REQBODY_ERROR"), "0", "well-formed multipart");
    check_str(mp_flags(tx), "S0 LF0 CRLF1 DB0 DA0 BQ0", "flags of a clean body");
    check_str(vals(tx, "ARGS"), "ARGS:a=1", "text part in ARGS");
    check_str(vals(tx, "ARGS_POST"), "ARGS_POST:a=1", "text part in ARGS_POST");
    check_str(vals(tx, "FILES"), "FILES:f=x.txt", "FILES");
    check_str(vals(tx, "FILES_NAMES"), "FILES_NAMES:f=f", "FILES_NAMES");
    check_str(vals(tx, "FILES_SIZES"), "FILES_SIZES:f=5", "FILES_SIZES");
    check_str(val1(tx, "FILES_COMBINED_SIZE"), "5", "FILES_COMBINED_SIZE");
    check_str(val1(tx, "ARGS_COMBINED_SIZE"), "2", "files are not in ARGS_COMBINED_SIZE");
    check_str(vals(tx, "MULTIPART_PART_HEADERS"),
              "MULTIPART_PART_HEADERS:a=Content-Disposition: form-data; name=\"a\""
              "|MULTIPART_PART_HEADERS:f=Content-Disposition: form-data; name=\"f\"; "
              "filename=\"x.txt\"|MULTIPART_PART_HEADERS:f=Content-Type: text/plain",
              "MULTIPART_PART_HEADERS");
    check_str(val1(tx, "MULTIPART_NAME"), "f", "MULTIPART_NAME of the last part");
    check_str(val1(tx, "MULTIPART_FILENAME"), "x.txt", "MULTIPART_FILENAME");
    check(val1(tx, "REQUEST_BODY") == NULL, "no REQUEST_BODY for multipart");

    tx = post(cfg, "multipart/form-data", ok, strlen(ok));
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "Multipart: Boundary not found in C-T.",
              "no boundary: 2.9's message");
    check_str(mp_flags(tx), "S1 LF0 CRLF0 DB0 DA0 BQ0", "no boundary: strict error");
    check_str(vals(tx, "ARGS"), "", "no arguments");

    tx = post(cfg, "multipart/form-data; boundary=\"XX\"", ok, strlen(ok));
    check_str(mp_flags(tx), "S1 LF0 CRLF1 DB0 DA0 BQ1", "quoted boundary");
    check_str(vals(tx, "ARGS"), "ARGS:a=1", "quoted boundary still parsed");

    s = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(val1(tx, "REQBODY_ERROR_MSG"),
              "Multipart parsing error: Multipart: Final boundary missing.", "final boundary");
    check_str(vals(tx, "ARGS"), "", "nothing used without the final boundary");

    lf = apr_pstrdup(pool, ok);
    for (s = ok, d = lf; *s; s++)
        if (*s != '\r')
            *d++ = *s;
    *d = '\0';
    tx = post(cfg, "multipart/form-data; boundary=XX", lf, strlen(lf));
    check_str(mp_flags(tx), "S1 LF1 CRLF0 DB0 DA0 BQ0", "LF lines");
    check_str(vals(tx, "ARGS"), "ARGS:a=1", "LF body parsed");

    s = apr_pstrcat(pool, "junk\r\n", ok, "after", NULL);
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(mp_flags(tx), "S1 LF0 CRLF1 DB1 DA1 BQ0", "data before and after");

    s = "--XX\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--XX\r\n"
        "Content-Disposition: form-data; name=\"m\"\r\n\r\nline1\r\nline2\r\n\r\n--XX--";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(vals(tx, "ARGS"), "ARGS:e=|ARGS:m=line1\\r\\nline2\\r\\n",
              "empty value; multi-line value; final boundary without CRLF");
    check_str(val1(tx, "MULTIPART_STRICT_ERROR"), "0", "and no strict error");

    s = "--XX\r\nContent-Disposition: form-data; name=\"m\"\r\n\r\nv\r\n--XXnot\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(val1(tx, "REQBODY_ERROR_MSG"),
              "Multipart parsing error: Multipart: Invalid boundary: --XXnot\\r\\n",
              "a boundary followed by other text is fatal (2.9)");
    check_str(vals(tx, "ARGS"), "", "and gives no arguments");
    check_str(val1(tx, "MULTIPART_STRICT_ERROR"), "1", "and a strict error");

    s = "--XX\r\nContent-Disposition: form-data; name=\"m\"\r\n\r\nv\r\n--YY\r\nw\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(vals(tx, "ARGS"), "ARGS:m=v\\r\\n--YY\\r\\nw", "another boundary is data");
    check_str(val1(tx, "MULTIPART_UNMATCHED_BOUNDARY"), "1", "but flagged as unmatched");

    s = "--XX\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n--XX\r\n"
        "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(vals(tx, "ARGS"), "ARGS:e=--XX\\r\\nContent-Disposition: form-data; "
              "name=\"a\"\\r\\n\\r\\n1", "a boundary right after the headers is data (2.9)");
    check_str(val1(tx, "MULTIPART_INVALID_PART"), "1", "flagged as an invalid part");

    s = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain;\r\n"
        " charset=utf-8\r\n\r\n1\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(vals(tx, "MULTIPART_PART_HEADERS"), "MULTIPART_PART_HEADERS:a=Content-Disposition: "
              "form-data; name=\"a\"|MULTIPART_PART_HEADERS:a=Content-Type: text/plain; "
              "charset=utf-8", "folded part header");
    check_str(val1(tx, "MULTIPART_HEADER_FOLDING"), "1", "folding flagged");

    s = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n X-Fold: y\r\n\r\n1\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "Multipart parsing error: Multipart: Invalid "
              "Content-Disposition header (-12): form-data; name=\"a\" X-Fold: y.",
              "Content-Disposition errors carry 2.9's codes");
    s = "--XX\r\nContent-Type: text/plain\r\n\r\n1\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "Multipart parsing error: Multipart: Part missing "
              "Content-Disposition header.", "part without Content-Disposition");
    s = "--XX\r\nContent-Disposition: form-data; name='a'\r\n\r\n1\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(vals(tx, "ARGS"), "ARGS:a=1", "single-quoted name");
    check_str(val1(tx, "MULTIPART_INVALID_QUOTING"), "1", "flagged as invalid quoting");
    tx = post(cfg, "multipart/form-data; BOUNDARY=XX", ok, strlen(ok));
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "Multipart: Invalid boundary in C-T (case "
              "sensitivity).", "boundary parameter name is case-sensitive");
    {
        /* lines over 2.9's 4096-byte buffer are cut, values stay whole */
        char *big = apr_palloc(pool, 20000), *d = big;
        d += sprintf(d, "--XX\r\nContent-Disposition: form-data; name=\"big\"\r\n\r\n");
        memset(d, 'a', 10000);
        d += 10000;
        d += sprintf(d, "\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; "
                     "filename=\"b.bin\"\r\n\r\n");
        memset(d, 'x', 4095);
        d += 4095;
        d += sprintf(d, "\r\n");
        memset(d, 'y', 100);
        d += 100;
        d += sprintf(d, "\r\n--XX--\r\n");
        tx = post(cfg, "multipart/form-data; boundary=XX", big, d - big);
        check(values_of(tx, "ARGS:big")->nelts == 1
              && APR_ARRAY_IDX(values_of(tx, "ARGS:big"), 0, pl_var *)->value_len == 10000,
              "a 10000-byte value");
        check_str(val1(tx, "FILES_SIZES:f"), "4197", "file size across a CR at the buffer end");
    }

    tx = post(cfg, "multipart/form-data; boundary=XX; charset=utf-8", ok, strlen(ok));
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "Multipart: Invalid boundary in C-T (characters).",
              "2.9 takes the boundary to the end of the header");

    cfg->args_limit = 2;
    s = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX\r\n"
        "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--XX\r\n"
        "Content-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n--XX--\r\n";
    tx = post(cfg, "multipart/form-data; boundary=XX", s, strlen(s));
    check_str(vals(tx, "ARGS"), "ARGS:a=1|ARGS:b=2", "multipart over SecArgumentsLimit");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "SecArgumentsLimit exceeded", "its message");
}

/* ---- JSON --------------------------------------------------------------------- */

static pl_tx *json(pl_config *cfg, const char *body)
{
    pl_tx *tx = new_tx(cfg, "POST", "/t.txt", "Content-Type: application/json", NULL);

    check(val1(tx, "REQBODY_PROCESSOR")[0] == '\0', "JSON is not chosen by Content-Type");
    tx->ctl_reqbody_processor = "JSON";
    pl_tx_body_append(tx, body, strlen(body));
    pl_tx_body_done(tx);
    return tx;
}

static const char *json_names(pl_tx *tx)
{
    return vals(tx, "ARGS");
}

static void test_json(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx;

    /* regression vectors rule/15-json */
    tx = json(cfg, "{\r\n\t\"foo\":\"bar\",\r\n\t\"mod\":\"sec\"\r\n}\r\n");
    check_str(json_names(tx), "ARGS:foo=bar|ARGS:mod=sec", "15-json #1");
    check(debug_has("Adding JSON argument 'foo' with value 'bar'"), "15-json #1 debug line");
    check_str(vals(tx, "ARGS_POST"), "", "JSON arguments are not ARGS_POST (2.9)");
    check_str(vals(tx, "ARGS_NAMES:mod"), "ARGS_NAMES:mod=mod", "but ARGS_NAMES");
    tx = json(cfg, "{\r\n    \"foo\":\"bar\",\r\n    \"mod\":\"sec\",\r\n    \"ops\":[\r\n"
              "        [\r\n            \"um\",\r\n            \"um e meio\"\r\n        ],\r\n"
              "        \"dois\",\r\n        \"tres\",\r\n        {\r\n            \"eins\":[\r\n"
              "                \"zwei\",\r\n                \"drei\"\r\n            ]\r\n"
              "        }\r\n    ],\r\n    \"whee\":\"lhebs\"\r\n}\r\n");
    check_str(json_names(tx), "ARGS:foo=bar|ARGS:mod=sec|ARGS:ops.ops.ops=um"
              "|ARGS:ops.ops.ops=um e meio|ARGS:ops.ops=dois|ARGS:ops.ops=tres"
              "|ARGS:ops.ops.eins.eins=zwei|ARGS:ops.ops.eins.eins=drei|ARGS:whee=lhebs",
              "15-json #2 (issue 1576)");
    tx = json(cfg, "[\r\n    \"um\",\r\n    \"um e meio\"\r\n]\r\n");
    check_str(json_names(tx), "ARGS:array.array=um|ARGS:array.array=um e meio", "15-json #3");
    tx = json(cfg, "[\r\n    \"um\",\r\n    \"um e meio\",\r\n    {\r\n        \"tres\": "
              "\"quatro\",\r\n        \"cinco\": \"seis\"\r\n    }\r\n]\r\n");
    check_str(json_names(tx), "ARGS:array.array=um|ARGS:array.array=um e meio"
              "|ARGS:array.array.tres=quatro|ARGS:array.array.cinco=seis", "15-json #4");
    cfg->json_depth_limit = 5;
    tx = json(cfg, "{\r\n\t\"key1\":{\"key2\":{\"key3\":{\"key4\":{\"key5\":"
                   "\"thevalue\"}}}}\r\n}\r\n");
    check_str(val1(tx, "REQBODY_ERROR"), "0", "15-json #5 depth not exceeded");
    check_str(json_names(tx), "ARGS:key1.key2.key3.key4.key5=thevalue", "deep name");
    cfg->json_depth_limit = 3;
    tx = json(cfg, "{\r\n\t\"key1\":{\"key2\":{\"key3\":{\"key4\":{\"key5\":"
                   "\"thevalue\"}}}}\r\n}\r\n");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: JSON depth limit exceeded",
              "15-json #6 depth exceeded");
    tx = json(cfg, "25\r\n");
    check_str(json_names(tx), "ARGS:=25", "15-json #7 no-key single value");
    check_str(val1(tx, "REQBODY_ERROR"), "0", "15-json #7 no error");

    /* compared with 2.9.7 */
    cfg = new_config();
    cfg->json_depth_limit = 3;
    tx = json(cfg, "{\"a.b\":{\"c\":[1,{\"d\":null}],\"e\":true},\"f\":[[]],\"g\":{},\"h\":\"x\"}");
    check_str(json_names(tx), "ARGS:a.b.c.c=1|ARGS:a.b.c.c.d=|ARGS:a.b.e=true|ARGS:a.h=x",
              "dotted keys as 2.9 mangles them");
    tx = json(cfg, "[[1,2],[3]]");
    check_str(json_names(tx), "ARGS:array.array.array=1|ARGS:array.array.array=2"
              "|ARGS:array.array.array=3", "nested arrays");
    tx = json(cfg, "{\"a\":1} x");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: parse error: trailing garbage\n",
              "trailing garbage");
    check_str(json_names(tx), "ARGS:a=1", "arguments before the error stay");
    tx = json(cfg, "{\"a\":");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parser error: parse error: premature EOF\n",
              "premature EOF is found when completing");
    tx = json(cfg, "{\"a\":1,}");
    check_str(val1(tx, "REQBODY_ERROR_MSG"),
              "JSON parsing error: parse error: invalid object key (must be a string)\n",
              "trailing comma");
    tx = json(cfg, "{\"a\":tru");
    check_str(val1(tx, "REQBODY_ERROR_MSG"),
              "JSON parser error: lexical error: invalid string in json text.\n",
              "cut literal");
    tx = json(cfg, "\"str\"");
    check_str(json_names(tx), "ARGS:=str", "top-level string");
    tx = json(cfg, "[[[[1]]]]");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: JSON depth limit exceeded",
              "arrays count for the depth");
    tx = json(cfg, "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}");
    check_str(json_names(tx), "ARGS:a.b.c.d=1", "the top-level object does not count");
    tx = json(cfg, "{\"\":1,\"k\":{\"\":2}}");
    check_str(json_names(tx), "ARGS:=1|ARGS:k.=2", "empty keys");
    tx = json(cfg, "{\"a\":\"\\u00e9\\n\\ud83d\\ude00\\/\"}");
    check_str(json_names(tx), "ARGS:a=\\xc3\\xa9\\n\\xf0\\x9f\\x98\\x80/", "string escapes");
    tx = json(cfg, "{\"a\":\"\\ud800xy\"}");
    check_str(json_names(tx), "ARGS:a=?xy", "a lone surrogate as yajl decodes it");
    tx = json(cfg, "{\"n\":-1.5e+3,\"z\":0}");
    check_str(json_names(tx), "ARGS:n=-1.5e+3|ARGS:z=0", "numbers as written");
    tx = json(cfg, "{\"a\":1.}");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: lexical error: malformed "
              "number, a digit is required after the decimal point.\n", "bad number");
    tx = json(cfg, "{\"a\":\"\xff\"}");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: lexical error: invalid bytes "
              "in UTF8 string.\n", "bad UTF-8");
    tx = json(cfg, "{'a':1}");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: lexical error: invalid char "
              "in json text.\n", "single quotes");
    {
        /* error texts of 2.9.7 (yajl 2.1): "parsing" while feeding the
         * data, "parser" when completing the parse */
        static const char *const errs[][2] = {
            { "{\"a\":1} tru", "JSON parser error: parse error: trailing garbage\n" },
            { "{\"a\":1} /", "JSON parsing error: parse error: trailing garbage\n" },
            { "[1]]", "JSON parsing error: parse error: trailing garbage\n" },
            { "01", "JSON parser error: parse error: trailing garbage\n" },
            { "-", "JSON parser error: lexical error: malformed number, a digit is "
                   "required after the minus sign.\n" },
            { "  ", "JSON parser error: parse error: premature EOF\n" },
            { "[1,]", "JSON parsing error: parse error: unallowed token at this point "
                      "in JSON text\n" },
            { "{\"a\" 1}", "JSON parsing error: parse error: object key and value must "
                           "be separated by a colon (':')\n" },
            { "{\"a\":1 \"b\"}", "JSON parsing error: parse error: after key and value, "
                                "inside map, I expect ',' or '}'\n" },
            { "{\"a\":\"x\x01\"}", "JSON parsing error: lexical error: invalid character "
                                   "inside string.\n" },
            { "{\"a\":\"\\q\"}", "JSON parsing error: lexical error: inside a string, "
                                  "'\\' occurs before a character which it may not.\n" },
            { "{\"a\":nul}", "JSON parsing error: lexical error: invalid string in json "
                             "text.\n" },
        };
        apr_size_t i;
        for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
            tx = json(cfg, errs[i][0]);
            check_str(val1(tx, "REQBODY_ERROR_MSG"), errs[i][1],
                      apr_psprintf(pool, "JSON error for %s", errs[i][0]));
        }
    }
    cfg->args_limit = 2;
    tx = json(cfg, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}");
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "JSON parsing error: parse error: client cancelled "
              "parse via callback return value\n", "JSON over SecArgumentsLimit");
    check_str(json_names(tx), "ARGS:a=1|ARGS:b=2", "JSON arguments up to the limit");
}

/* ---- XML ---------------------------------------------------------------------- */

static void test_xml(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx;
    const char *doc = "<?xml version=\"1.0\"?><a><b id=\"7\">x y</b><b>z</b>t</a>";

    tx = new_tx(cfg, "POST", "/", "Content-Type: text/xml", NULL);
    tx->ctl_reqbody_processor = "XML";
    pl_tx_body_append(tx, doc, strlen(doc));
    pl_tx_body_done(tx);
    check(tx->xml_doc != NULL, "XML document parsed");
    check_str(val1(tx, "REQBODY_PROCESSOR"), "XML", "XML processor");
    check_str(vals(tx, "XML"), "XML=[XML document tree]", "XML alone, as 2.9");
    check_str(vals(tx, "XML:/*"), "XML=x yzt", "XML:/*");
    check_str(vals(tx, "XML://b"), "XML=x y|XML=z", "XML://b");
    check_str(vals(tx, "XML://@id"), "XML=7", "attribute");
    check_str(vals(tx, "XML:/a/b/text()"), "XML=x y|XML=z", "text()");
    check_str(vals(tx, "XML:/no/such"), "", "no node");
    check_str(vals(tx, "XML:!!bad"), "", "bad xpath gives nothing");

    tx = new_tx(cfg, "POST", "/", "Content-Type: text/xml", NULL);
    tx->ctl_reqbody_processor = "XML";
    pl_tx_body_append(tx, "<a><b></a>", 10);
    pl_tx_body_done(tx);
    check_str(val1(tx, "REQBODY_ERROR_MSG"), "XML parser error: XML: Failed parsing document.",
              "malformed XML");
    check_str(vals(tx, "XML:/*"), "", "no document");

    doc = "<!DOCTYPE a [<!ENTITY e \"EEE\"><!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
          "<a>&e;[&x;]</a>";
    tx = new_tx(cfg, "POST", "/", "Content-Type: text/xml", NULL);
    tx->ctl_reqbody_processor = "XML";
    pl_tx_body_append(tx, doc, strlen(doc));
    pl_tx_body_done(tx);
    check_str(vals(tx, "XML:/*"), "XML=EEE[]", "internal entity read, external one not loaded");
}

/* ---- selectors, exclusions, collections, matching state ----------------------- */

static void test_selectors(void)
{
    pl_config *cfg = new_config();
    pl_tx *tx = new_tx(cfg, "GET", "/?foo=1&bar=2&fox=3&a%0ab=4", "Host: x", "X-A: 1", NULL);
    apr_array_header_t *out;
    const pl_var *v;
    pl_target *ex;

    check_str(vals(tx, "ARGS:FOO"), "ARGS:foo=1", "literal selector, any case");
    check_str(vals(tx, "ARGS:/^F/"), "ARGS:foo=1|ARGS:fox=3", "regex selector is caseless");
    check_str(vals(tx, "ARGS:/a.b/"), "ARGS:a\\nb=4", "regex selector is dot-all");
    check_str(vals(tx, "ARGS_NAMES:/a.b/"), "ARGS_NAMES:a\\nb=a\\nb", "escaped name");
    pl_coll_set(tx->tx_coll, "which", "bar", 3);
    check_str(vals(tx, "ARGS:%{tx.which}"), "ARGS:bar=2", "macro selector");

    out = values_of(tx, "ARGS");
    v = APR_ARRAY_IDX(out, 0, const pl_var *);
    check(pl_target_excludes(tx, target("!ARGS:FOO"), v, target("ARGS")), "!ARGS:FOO");
    check(!pl_target_excludes(tx, target("!ARGS:bar"), v, target("ARGS")), "!ARGS:bar");
    check(pl_target_excludes(tx, target("!ARGS:/^f/"), v, target("ARGS")), "!ARGS:/^f/");
    check(!pl_target_excludes(tx, target("!ARGS_GET:foo"), v, target("ARGS")),
          "!ARGS_GET:foo leaves ARGS:foo (2.9)");
    check(pl_target_excludes(tx, target("!ARGS"), v, target("ARGS")), "!ARGS removes all");
    ex = target("!ARGS:%{tx.which}");
    v = APR_ARRAY_IDX(out, 1, const pl_var *);
    check(pl_target_excludes(tx, ex, v, target("ARGS")), "macro exclusion");
    out = values_of(tx, "REQUEST_HEADERS");
    check(pl_target_excludes(tx, target("!REQUEST_HEADERS:host"),
                             APR_ARRAY_IDX(out, 0, const pl_var *), target("REQUEST_HEADERS")),
          "header exclusion");

    /* named collections */
    pl_coll_set(tx->tx_coll, "Anomaly_Score", "5", 1);
    check_str(vals(tx, "TX:anomaly_score"), "TX:Anomaly_Score=5", "TX key as set");
    check_str(vals(tx, "TX:/^ANOM/"), "TX:Anomaly_Score=5", "TX regex");
    pl_tx_set_capture(tx, 0, "abc", 2);
    pl_tx_set_capture(tx, 9, "z", 1);
    pl_tx_set_capture(tx, 10, "no", 2);
    check_str(val1(tx, "TX:0"), "ab", "capture TX:0");
    check_str(val1(tx, "TX:9"), "z", "capture TX:9");
    check(val1(tx, "TX:10") == NULL, "no TX:10");
    check(values_of(tx, "GEO")->nelts == 0, "GEO exists, empty");
    {
        pl_coll *ip = pl_coll_create(pool, "IP", 1);
        pl_coll_set(ip, "dos_counter", "3", 1);
        apr_hash_set(tx->colls, "IP", APR_HASH_KEY_STRING, ip);
        check_str(vals(tx, "IP:DOS_COUNTER"), "IP:dos_counter=3", "IP via tx->colls");
        check_str(vals(tx, "GLOBAL:x"), "", "collection not initialised");
    }

    /* ENV */
    pl_coll_set(tx->env, "foo", "bar", 3);
    check_str(vals(tx, "ENV:FOO"), "ENV=bar", "ENV named without its key");
    setenv("PALISADE_TEST_ENV", "pe", 1);
    check_str(vals(tx, "ENV:PALISADE_TEST_ENV"), "ENV=pe", "ENV falls back to the process");

    /* matching state */
    {
        pl_var m1 = { "ARGS:foo", "foo", "1", 1 }, m2 = { "REQUEST_HEADERS:Host", "Host", "x", 1 };
        pl_var m3 = { "MATCHED_VARS:x", "x", "y", 1 };
        APR_ARRAY_PUSH(tx->matched_vars, const pl_var *) = &m1;
        APR_ARRAY_PUSH(tx->matched_vars, const pl_var *) = &m2;
        APR_ARRAY_PUSH(tx->matched_vars, const pl_var *) = &m3;
        tx->matched_var = &m2;
        check_str(vals(tx, "MATCHED_VAR"), "MATCHED_VAR=x", "MATCHED_VAR");
        check_str(vals(tx, "MATCHED_VAR_NAME"), "MATCHED_VAR_NAME=REQUEST_HEADERS:Host",
                  "MATCHED_VAR_NAME");
        check_str(vals(tx, "MATCHED_VARS"), "ARGS:foo=1|REQUEST_HEADERS:Host=x",
                  "MATCHED_VARS keep their names");
        check_str(vals(tx, "MATCHED_VARS_NAMES:/^args:/"), "ARGS:foo=ARGS:foo",
                  "MATCHED_VARS_NAMES select by the full name");
    }

    /* RULE */
    {
        pl_rule *r = apr_pcalloc(pool, sizeof(*r)), *member = apr_pcalloc(pool, sizeof(*r));
        pl_macro *msg = apr_palloc(pool, sizeof(*msg));
        msg->text = "A %{MATCHED_VAR}";
        r->id = 942100;
        r->id_str = "942100";
        r->severity = 2;
        r->maturity = PL_UNSET;
        r->accuracy = 9;
        r->ver = "OWASP_CRS/3.3.4";
        r->msg = msg;
        r->chain_start = r;
        member->chain_start = r;
        tx->rule = member;
        check_str(vals(tx, "RULE:id"), "RULE=942100", "RULE:id of the chain starter");
        check_str(val1(tx, "RULE:severity"), "2", "RULE:severity");
        check_str(val1(tx, "RULE:msg"), "A %{MATCHED_VAR}", "RULE:msg unexpanded, as 2.9");
        check_str(val1(tx, "RULE:ver"), "OWASP_CRS/3.3.4", "RULE:ver");
        check_str(val1(tx, "RULE:accuracy"), "9", "RULE:accuracy");
        check(val1(tx, "RULE:maturity") == NULL && val1(tx, "RULE:phase") == NULL,
              "unset and unknown RULE fields");
    }
}

int main(void)
{
    apr_initialize();
    xmlInitParser();
    apr_pool_create(&pool, NULL);
    debug_lines = apr_array_make(pool, 64, sizeof(char *));

    test_coll();
    test_table();
    test_query();
    test_cookies();
    test_uri();
    test_urlencoded();
    test_storage();
    test_multipart();
    test_json();
    test_xml();
    test_selectors();

    apr_pool_destroy(pool);
    xmlCleanupParser();
    apr_terminate();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
