/*
 * @rsub s/REGEX/REPLACEMENT/[FLAGS]: stream editing of STREAM_INPUT_BODY
 * and STREAM_OUTPUT_BODY (stream.c keeps them and tells the hosts), as
 * 2.9.7 runs it (checked against the installed module):
 *  - the parameter is 's', a delimiter (any character), the pattern, the
 *    delimiter, the replacement, then optionally the delimiter and flags;
 *    a delimiter right after a backslash belongs to the text, and the
 *    closing delimiter of the replacement may be left out;
 *  - "\/" stands for "/" in the pattern and in the replacement; the
 *    replacement is then decoded like an @pm phrase (leading white space
 *    and one pair of surrounding quotes dropped, |hex| bytes, the escapes
 *    \: \; \\ \" and no other), so a back-reference \1 is written \\1;
 *  - flags: i (caseless, only for a pattern without macros), d (the
 *    expanded pattern is escaped as literal text, the way 2.9's
 *    log_escape_re() does it); other letters are ignored;
 *  - the pattern is compiled as httpd's ap_regcomp() compiles it (DOTALL,
 *    DOLLAR_ENDONLY); one holding %{...} is expanded and compiled on every
 *    run; macros in the replacement are expanded on every run;
 *  - after each replacement the search restarts on the rest of the value
 *    as a new subject, so ^ and look-behind see its start: s/^a/b/ turns
 *    "aaa" into "bbb";
 *  - it matches whenever it ran on a STREAM_* variable, whether it
 *    replaced anything or not ("Operator rsub succeeded."); on any other
 *    variable it fails and its rule ends with "Rule processing failed".
 * Where 2.9 misbehaves we do not follow it: an empty match moves on by
 * one byte (2.9 loops forever on a pattern such as x* or $), the value is
 * not cut at its first NUL byte, an empty replacement deletes (2.9
 * inserts the delimiter), and a pattern that does not compile is a
 * configuration error (2.9 fails on every run).  A result may not grow
 * past the body limit of its direction (SecRequestBodyLimit,
 * SecResponseBodyLimit): the operator fails instead and the variable
 * keeps its value, since a replacement holding a macro of the request
 * (%{ARGS.x}) could otherwise grow with the square of the input.
 *
 * Memory: results in the transaction pool; compiled patterns and match
 * data get a pool cleanup where they are made.
 */
#include <string.h>
#include "stream.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

/* httpd 2.4's ap_regcomp() default options (RegexDefaultOptions). */
#define RSUB_OPTIONS    (PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY)
/* The whole match and \1..\9, as 2.9's AP_MAX_REG_MATCH. */
#define RSUB_PAIRS      10
/* First size of a substitution's output beyond the input, bytes. */
#define RSUB_SLACK      256
/* ModSecurity 2.9's SecRequestBodyLimit / SecResponseBodyLimit defaults,
 * bytes: a result may not outgrow the body limit of its direction. */
#define DEFAULT_REQBODY_LIMIT  134217728
#define DEFAULT_RESBODY_LIMIT  524288

/* 2.9's messages. */
#define MSG_FORMAT_S    "Error rsub operator format, must be s/ pattern"
#define MSG_FORMAT      "Error rsub operator format - must be s/regex/str/[flags]"
#define MSG_PARSE       "Error rsub operator parsing input data"
#define MSG_NO_REGEX    "Internal Error: regex data is null."
#define MSG_SUCCEEDED   "Operator rsub succeeded."

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* @rsub's parameter, compiled. */
typedef struct rsub_data {
    pcre2_code *re;                   /* NULL: the pattern holds macros */
    pl_macro   *re_macro;
    int         escape;               /* flag d */
    pl_macro   *repl;                 /* replacement (constant or not) */
} rsub_data;

/* Output of a substitution, growing in the transaction pool up to max
 * bytes (over: full, and nothing more is added). */
typedef struct sbuf {
    apr_pool_t *p;
    char       *d;
    apr_size_t  n, cap, max;
    int         full;
} sbuf;

/* ------------------------------------------------------------------------
 * Static functions: PCRE2 objects
 * --------------------------------------------------------------------- */

static apr_status_t code_cleanup(void *re)
{
    pcre2_code_free(re);
    return APR_SUCCESS;
}

static apr_status_t md_cleanup(void *md)
{
    pcre2_match_data_free(md);
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Static functions: @rsub's parameter
 * --------------------------------------------------------------------- */

/* The delimiter ending the text at s, skipping one right after a
 * backslash (2.9 looks at the previous character only); NULL if none. */
static char *find_delim(char *s, char delim)
{
    char *c;

    if (*s == '\0')
        return NULL;
    if (*s == delim)
        return s;
    for (c = s + 1; *c != '\0'; c++)
        if (*c == delim && c[-1] != '\\')
            return c;
    return NULL;
}

/* "\/" -> "/", every other backslash kept (2.9's param_remove_escape). */
static char *unescape_slash(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;

    for (; *s != '\0'; s++) {
        if (s[0] == '\\' && s[1] == '/')
            s++;
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

static pcre2_code *compile(apr_pool_t *p, const char *pattern, apr_size_t len,
                           uint32_t options, const char **err)
{
    PCRE2_UCHAR text[256];
    PCRE2_SIZE off = 0;
    int code = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, options, &code, &off, NULL);

    if (re == NULL) {
        pcre2_get_error_message(code, text, sizeof(text));
        *err = apr_psprintf(p, "Error compiling rsub pattern (offset %d): %s", (int)off,
                            (const char *)text);
        return NULL;
    }
    apr_pool_cleanup_register(p, re, code_cleanup, apr_pool_cleanup_null);
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/*
 * Flag d: the expanded pattern made literal as 2.9's log_escape_re() does
 * it, and no further: : " + . [ ] ( ) ? / and \ get a backslash, control
 * characters become \b \n \r \t \v or \xHH, bytes >= 0x7f \xHH; * ^ $ |
 * { } are left as they are.
 */
static char *escape_re(apr_pool_t *p, const char *s, apr_size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *out = apr_palloc(p, len * 4 + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case ':': case '"': case '+': case '.': case '[': case ']':
        case '(': case ')': case '?': case '/': case '\\':
            *o++ = '\\';
            *o++ = (char)c;
            break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\v': *o++ = '\\'; *o++ = 'v'; break;
        default:
            if (c <= 0x1f || c >= 0x7f) {
                *o++ = '\\';
                *o++ = 'x';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 0x0f];
            } else {
                *o++ = (char)c;
            }
        }
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------------
 * Static functions: substitution
 * --------------------------------------------------------------------- */

static void sb_add(sbuf *b, const char *s, apr_size_t n)
{
    if (n == 0 || b->full)
        return;
    if (n > b->max - b->n) {
        b->full = 1;
        return;
    }
    if (b->n + n + 1 > b->cap) {
        apr_size_t cap = b->cap ? b->cap : RSUB_SLACK;
        char *d;

        while (cap < b->n + n + 1)
            cap *= 2;
        d = apr_palloc(b->p, cap);
        if (b->n)
            memcpy(d, b->d, b->n);
        b->d = d;
        b->cap = cap;
    }
    memcpy(b->d + b->n, s, n);
    b->n += n;
}

/* The replacement for one match of subject s: \1..\9 are its groups
 * (empty when unset), everything else is literal and copied in runs. */
static void add_replacement(sbuf *b, const char *repl, apr_size_t rlen,
                            const char *s, const PCRE2_SIZE *ov, int groups)
{
    const char *r = repl, *end = repl + rlen, *bs;

    while (r < end && (bs = memchr(r, '\\', (apr_size_t)(end - r))) != NULL) {
        if (bs + 1 < end && bs[1] > '0' && bs[1] <= '9') {
            int g = bs[1] - '0';

            sb_add(b, r, (apr_size_t)(bs - r));
            if (g < groups && ov[2 * g] != PCRE2_UNSET)
                sb_add(b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
            r = bs + 2;
        } else {
            sb_add(b, r, (apr_size_t)(bs - r) + 1);     /* a literal backslash */
            r = bs + 1;
        }
    }
    sb_add(b, r, (apr_size_t)(end - r));
}

/*
 * Replaces every match of re in val[0..len) by repl, restarting the search
 * on the rest of the value after each match as 2.9 does; an empty match
 * lets one byte through before the next search.  The result is
 * NUL-terminated, in the transaction pool; NULL when it would exceed max
 * bytes (a replacement holding a macro can make it grow with the square of
 * the input).
 */
static char *substitute(pl_tx *tx, pcre2_match_data *md, const pcre2_code *re,
                        const char *val, apr_size_t len, const char *repl,
                        apr_size_t rlen, apr_size_t max, apr_size_t *out_len)
{
    sbuf b;
    apr_size_t off = 0;

    b.p = tx->pool;
    b.n = 0;
    b.max = max;
    b.full = 0;
    b.cap = len + RSUB_SLACK;
    b.d = apr_palloc(tx->pool, b.cap);
    for (; !b.full;) {
        const char *s = val + off;
        PCRE2_SIZE *ov;
        int rc = pcre2_match(re, (PCRE2_SPTR)s, len - off, 0, 0, md, NULL);

        if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
            rc = pcre2_match(re, (PCRE2_SPTR)s, len - off, 0, PCRE2_NO_JIT, md, NULL);
        if (rc < 0) {
            if (rc != PCRE2_ERROR_NOMATCH)
                pl_debug(tx, 4, "Operator rsub: PCRE error %d, the rest is left as is.", rc);
            break;
        }
        ov = pcre2_get_ovector_pointer(md);
        sb_add(&b, s, ov[0]);
        add_replacement(&b, repl, rlen, s, ov, rc == 0 ? RSUB_PAIRS : rc);
        if (ov[1] > ov[0]) {
            off += ov[1];
        } else if (off + ov[1] < len) {
            sb_add(&b, s + ov[1], 1);
            off += ov[1] + 1;
        } else {
            off = len;
            break;
        }
    }
    sb_add(&b, val + off, len - off);
    if (b.full)
        return NULL;
    b.d[b.n] = '\0';
    *out_len = b.n;
    return b.d;
}

/* The body limit of the variable's direction (ctl first, as the host). */
static apr_size_t result_limit(const pl_tx *tx, int output)
{
    apr_off_t l = output ? tx->resbody_limit : tx->reqbody_limit;

    if (l <= 0 && tx->cfg != NULL)
        l = output ? tx->cfg->resbody_limit : tx->cfg->reqbody_limit;
    if (l <= 0)
        l = output ? DEFAULT_RESBODY_LIMIT : DEFAULT_REQBODY_LIMIT;
    return (apr_size_t)l;
}

/* ------------------------------------------------------------------------
 * @rsub (table in ops.c)
 * --------------------------------------------------------------------- */

const char *pl_stream_rsub_init(pl_op *op, apr_pool_t *p)
{
    rsub_data *d = apr_pcalloc(p, sizeof(*d));
    const char *line = op->param ? op->param : "", *err = NULL, *flags = "";
    char *data, *pattern, *repl, *end, delim;
    int caseless = 0;

    if (*line != 's' && *line != 'S')
        return MSG_FORMAT_S;
    data = apr_pstrdup(p, line + 1);
    delim = *data;
    if (delim == '\0')
        return MSG_FORMAT;
    pattern = data + 1;
    end = find_delim(pattern, delim);
    if (end == NULL || end == pattern)
        return MSG_FORMAT;
    *end = '\0';
    repl = end + 1;
    end = find_delim(repl, delim);
    if (end != NULL) {
        *end = '\0';
        flags = end + 1;
    }
    for (; *flags != '\0'; flags++) {
        if (*flags == 'i' || *flags == 'I')
            caseless = 1;
        else if (*flags == 'd' || *flags == 'D')
            d->escape = 1;
    }

    repl = unescape_slash(p, repl);
    if (*repl != '\0' && (repl = pl_pm_content(p, repl, &err)) == NULL)
        return MSG_PARSE;
    d->repl = pl_macro_compile(p, repl, &err);
    if (d->repl == NULL)
        return err;

    pattern = unescape_slash(p, pattern);
    if (strstr(pattern, "%{") != NULL) {
        /* 2.9 compiles the expanded pattern without the i flag */
        d->re_macro = pl_macro_compile(p, pattern, &err);
        if (d->re_macro == NULL)
            return err;
    } else {
        d->re = compile(p, pattern, strlen(pattern),
                        RSUB_OPTIONS | (caseless ? PCRE2_CASELESS : 0), &err);
        if (d->re == NULL)
            return err;
    }
    op->data = d;
    return NULL;
}

int pl_stream_rsub_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                        const char *val, apr_size_t len, char **msg)
{
    const rsub_data *d = op->data;
    const pcre2_code *re = d->re;
    const char *name = var != NULL && var->name != NULL ? var->name : "";
    const char *repl, *err = NULL;
    apr_size_t rlen, out_len;
    pl_stream *st;
    char *out;
    int output;

    (void)rule;
    *msg = NULL;
    if (strcmp(name, "STREAM_OUTPUT_BODY") == 0) {
        output = 1;
    } else if (strcmp(name, "STREAM_INPUT_BODY") == 0) {
        output = 0;
    } else {
        if (tx != NULL)
            pl_debug(tx, 9, "Operator rsub only works with STREAM_* variables");
        return -1;
    }
    if (tx == NULL)
        return -1;              /* unit tests: nothing to rewrite */
    st = pl_stream_state(tx);
    if (re == NULL) {
        apr_size_t plen;
        const char *pattern = pl_macro_expand(tx, d->re_macro, &plen);

        if (plen == 0) {
            *msg = MSG_NO_REGEX;
            return -1;
        }
        if (d->escape) {
            pattern = escape_re(tx->pool, pattern, plen);
            plen = strlen(pattern);
            pl_debug(tx, 6, "Escaping pattern [%s]", pattern);
        }
        re = compile(tx->pool, pattern, plen, RSUB_OPTIONS, &err);
        if (re == NULL) {
            pl_debug(tx, 4, "%s", err);
            *msg = MSG_NO_REGEX;
            return -1;
        }
    }
    if (st->md == NULL) {
        st->md = pcre2_match_data_create(RSUB_PAIRS, NULL);
        if (st->md == NULL) {
            *msg = "Internal Error: cannot allocate memory";
            return -1;
        }
        apr_pool_cleanup_register(tx->pool, st->md, md_cleanup, apr_pool_cleanup_null);
    }
    repl = pl_macro_expand(tx, d->repl, &rlen);
    out = substitute(tx, st->md, re, val ? val : "", val ? len : 0, repl, rlen,
                     result_limit(tx, output), &out_len);
    if (out == NULL) {
        *msg = apr_psprintf(tx->pool, "Operator rsub: the result would be larger than "
                            "the body limit (%" APR_SIZE_T_FMT " bytes); %s left as it was.",
                            result_limit(tx, output), name);
        return -1;
    }
    if (output && st->out_ready) {
        st->out = out;
        st->out_len = out_len;
        st->out_changed = 1;
    } else if (!output && st->in_ready) {
        st->in = out;
        st->in_len = out_len;
        st->in_loaded = st->in_changed = 1;
    }
    *msg = MSG_SUCCEEDED;
    return 1;
}
