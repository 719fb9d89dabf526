/*
 * Audit log: one record per transaction, as ModSecurity 2.9 writes it.
 *
 * Native format: parts A..K and Z, each after a "--BOUNDARY-X--" line, in
 * the order A B C I F E H J K Z whatever the order of SecAuditLogParts;
 * JSON format: one object per line (audit_json.c).  Serial logs get every
 * record under one lock (the host's global mutex: Apache children are
 * processes and threads), so records never interleave even on pipes;
 * Concurrent logs get a file per transaction under SecAuditLogStorageDir
 * (/USER/YYYYMMDD/YYYYMMDD-HHMM/YYYYMMDD-HHMMSS-UNIQUE_ID, as 2.9.7) and
 * an index line in SecAuditLog.
 *
 * Sanitisation: the sanitise* actions record names (deduplicated, at most
 * SANITISE_MAX per transaction, so a request cannot make the list grow
 * without bound as in CVE-2025-48866).  When a record is written, argument
 * values are masked where they are (query string and request line and
 * urlencoded bodies, found by parsing; multipart bodies, where the
 * engine's parser found them), named headers are masked, and the values so
 * found are also masked wherever else they appear (other body types, other
 * headers such as Referer, the response, the messages).
 *
 * The request body (part C) is written from the engine's storage piece by
 * piece (pl_tx_body_each), never as one buffer, unless something is to be
 * masked; parts I and J come from what the MULTIPART parser recorded
 * (tx->multipart_parts), as 2.9 writes them from its parser's parts.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_global_mutex.h>
#include <apr_thread_mutex.h>
#include <apr_user.h>

#include "palisade.h"
#include "audit.h"

/* ---- constants --------------------------------------------------------- */

#define DEFAULT_PARTS     "ABCFHZ"     /* 2.9.7 when SecAuditLogParts is unset */
#define DEFAULT_DIR_MODE  0750         /* SecAuditLogDirMode default (octal) */
#define DEFAULT_FILE_MODE 0640         /* SecAuditLogFileMode default */
#define AW_BUFSIZE        65536        /* writer buffer, bytes */
#define SANITISE_MAX      256          /* sanitise requests kept per transaction */
#define LITERALS_MAX      64           /* values searched for in free text */
#define LITERAL_MIN       4            /* shorter values: whole words only */
#define ALERTS_MAX        1000         /* part H messages kept */
#define INDEX_LIMIT       3980         /* index line bytes, as 2.9 */
#define STATUS_RE_MAX     16           /* SecAuditLogRelevantStatus regexes cached */
#ifndef PIPE_BUF
#define PIPE_BUF          4096
#endif

/* ---- types --------------------------------------------------------------- */

/* Where a SecAuditLog / SecAuditLog2 name goes. */
typedef struct target {
    apr_file_t *file;
    int         is_pipe;
} target;

/* A value to mask wherever it appears. */
typedef struct literal {
    const char *s;
    apr_size_t  n;
} literal;

/* What to mask, resolved once per record. */
typedef struct masker {
    pl_tx      *tx;
    apr_hash_t *args;          /* lower-case name -> const pl_sanitise* */
    apr_hash_t *req_headers, *resp_headers;
    apr_array_header_t *literals;
    int         sep;           /* argument separator */
} masker;

/* ---- host registry --------------------------------------------------------
 * Set in the parent at configuration time and only read by request
 * threads afterwards. */

static apr_pool_t          *reg_pool;
static apr_hash_t          *reg_targets;
static apr_global_mutex_t  *reg_lock;
static const char          *reg_server;

/* SecAuditLogRelevantStatus compiled once per text (the directive keeps
 * the text only): a small cache in a pool of its own, filled under a
 * thread mutex as request threads meet the texts. */
static struct {
    apr_pool_t         *pool;
    apr_thread_mutex_t *mutex;
    int                 n;
    const char         *text[STATUS_RE_MAX];
    pcre2_code         *re[STATUS_RE_MAX];
} status_re;

static apr_status_t registry_cleanup(void *data)
{
    (void)data;
    reg_pool = NULL;
    reg_targets = NULL;
    reg_lock = NULL;
    reg_server = NULL;
    memset(&status_re, 0, sizeof(status_re));
    return APR_SUCCESS;
}

void pl_audit_reset(apr_pool_t *p)
{
    reg_pool = p;
    reg_targets = apr_hash_make(p);
    reg_lock = NULL;
    reg_server = NULL;
    memset(&status_re, 0, sizeof(status_re));
    if (apr_pool_create(&status_re.pool, p) != APR_SUCCESS
        || apr_thread_mutex_create(&status_re.mutex, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
        status_re.pool = NULL;
    apr_pool_cleanup_register(p, NULL, registry_cleanup, apr_pool_cleanup_null);
}

void pl_audit_add_target(const char *name, apr_file_t *f, int is_pipe)
{
    target *t;

    if (reg_targets == NULL || name == NULL || f == NULL)
        return;
    t = apr_pcalloc(reg_pool, sizeof(*t));
    t->file = f;
    t->is_pipe = is_pipe;
    apr_hash_set(reg_targets, apr_pstrdup(reg_pool, name), APR_HASH_KEY_STRING, t);
}

void pl_audit_set_mutex(struct apr_global_mutex_t *m)
{
    reg_lock = m;
}

void pl_audit_set_server(const char *software)
{
    reg_server = software && reg_pool ? apr_pstrdup(reg_pool, software) : NULL;
}

static const target *find_target(const char *name)
{
    if (reg_targets == NULL || name == NULL)
        return NULL;
    return apr_hash_get(reg_targets, name, APR_HASH_KEY_STRING);
}

/* ---- small helpers --------------------------------------------------------- */

static int dbg(const pl_tx *tx, int level)
{
    int l = tx->debug_log_level;

    if (tx->cfg != NULL && tx->cfg->debug_log_level > l)
        l = tx->cfg->debug_log_level;
    return tx->cfg != NULL && tx->cfg->debug_log != NULL && l >= level;
}

/* An error about the audit log itself: error log (with the usual trailer)
 * and part H of later records of this transaction. */
static void audit_error(pl_tx *tx, const char *text)
{
    const char *host = tx->hostname ? tx->hostname : "";
    const char *uri = tx->log_uri ? tx->log_uri : tx->path_decoded ? tx->path_decoded : "";
    const char *id = tx->unique_id ? tx->unique_id : "";

    pl_debug(tx, 1, "%s", text);
    if (tx->host != NULL && tx->host->log_error != NULL)
        tx->host->log_error(tx, 1, apr_psprintf(tx->pool,
            "%s [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]", text,
            pl_log_escape(tx->pool, host, strlen(host)),
            pl_log_escape(tx->pool, uri, strlen(uri)), id));
}

/* 2.9's current_logtime(): local time with microseconds. */
static const char *logtime(apr_pool_t *p, apr_time_t now)
{
    apr_time_exp_t t;
    char buf[64];
    apr_size_t len;
    long off;

    apr_time_exp_lt(&t, now);
    apr_strftime(buf, &len, sizeof(buf), "%d/%b/%Y:%H:%M:%S", &t);
    off = t.tm_gmtoff < 0 ? -(long)t.tm_gmtoff : (long)t.tm_gmtoff;
    return apr_psprintf(p, "%s.%06ld %c%.2ld%.2ld", buf, (long)t.tm_usec,
                        t.tm_gmtoff < 0 ? '-' : '+', off / 3600, (off / 60) % 60);
}

/* Octal mode bits to APR permissions. */
static apr_fileperms_t perms(int mode)
{
    static const struct { int bit; apr_fileperms_t perm; } map[] = {
        { 0400, APR_FPROT_UREAD }, { 0200, APR_FPROT_UWRITE }, { 0100, APR_FPROT_UEXECUTE },
        { 0040, APR_FPROT_GREAD }, { 0020, APR_FPROT_GWRITE }, { 0010, APR_FPROT_GEXECUTE },
        { 0004, APR_FPROT_WREAD }, { 0002, APR_FPROT_WWRITE }, { 0001, APR_FPROT_WEXECUTE },
    };
    apr_fileperms_t p = 0;
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (mode & map[i].bit)
            p |= map[i].perm;
    return p;
}

static const char *parts_of(const pl_tx *tx)
{
    if (tx->audit_parts != NULL)
        return tx->audit_parts;
    return tx->cfg->audit_parts ? tx->cfg->audit_parts : DEFAULT_PARTS;
}

int pl_audit_has_part(const pl_audit_rec *r, char part)
{
    return strchr(r->parts, part) != NULL;
}

static const char *request_header(const pl_tx *tx, const char *name)
{
    int i;

    for (i = 0; tx->req_headers && i < tx->req_headers->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
        if (v->key && strcasecmp(v->key, name) == 0)
            return v->value;
    }
    return NULL;
}

/* ---- writer ------------------------------------------------------------------- */

static void aw_flush(pl_aw *w)
{
    int i;

    for (i = 0; i < w->nfd && w->used > 0; i++) {
        apr_size_t done = 0;
        apr_status_t rv;

        if (w->fd[i] == NULL)
            continue;
        rv = apr_file_write_full(w->fd[i], w->buf, w->used, &done);
        if (rv != APR_SUCCESS) {
            char err[120];
            audit_error(w->tx, apr_psprintf(w->tx->pool,
                "Audit log: Failed writing (requested %" APR_SIZE_T_FMT " bytes, written %"
                APR_SIZE_T_FMT "): %s", w->used, done, apr_strerror(rv, err, sizeof(err))));
            w->fd[i] = NULL;
            w->failed = 1;
        }
    }
    w->used = 0;
}

void pl_aw_write(pl_aw *w, const char *s, apr_size_t n)
{
    if (s == NULL || n == 0)
        return;
    w->size += n;
    if (w->hash)
        apr_md5_update(&w->md5, s, n);
    while (n > 0) {
        apr_size_t room = w->cap - w->used, k = n < room ? n : room;
        memcpy(w->buf + w->used, s, k);
        w->used += k;
        s += k;
        n -= k;
        if (w->used == w->cap)
            aw_flush(w);
    }
}

void pl_aw_puts(pl_aw *w, const char *s)
{
    if (s != NULL)
        pl_aw_write(w, s, strlen(s));
}

void pl_aw_printf(pl_aw *w, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = apr_pvsprintf(w->tx->pool, fmt, ap);
    va_end(ap);
    pl_aw_puts(w, s);
}

static void aw_init(pl_aw *w, pl_tx *tx)
{
    memset(w, 0, sizeof(*w));
    w->tx = tx;
    w->cap = AW_BUFSIZE;
    w->buf = apr_palloc(tx->pool, w->cap);
}

/* ---- sanitise requests (actions) ------------------------------------------------- */

static void add_sanitise(pl_tx *tx, int kind, const char *name, const char *value,
                         apr_size_t vlen, int front, int back)
{
    pl_sanitise *s;
    int i;

    if (name == NULL)
        return;
    if (tx->sanitise == NULL)
        tx->sanitise = apr_array_make(tx->pool, 4, sizeof(pl_sanitise));
    for (i = 0; i < tx->sanitise->nelts; i++) {
        s = &APR_ARRAY_IDX(tx->sanitise, i, pl_sanitise);
        if (s->kind != kind || strcasecmp(s->name, name) != 0)
            continue;
        if (kind == PL_SAN_VALUE
            && (s->value_len != vlen || memcmp(s->value, value, vlen) != 0))
            continue;
        /* asked twice: the stricter masking wins */
        if (front < s->keep_front) s->keep_front = front;
        if (back < s->keep_back) s->keep_back = back;
        return;
    }
    if (tx->sanitise->nelts >= SANITISE_MAX) {
        pl_debug(tx, 4, "Sanitise: too many requests, \"%s\" not added.", name);
        return;
    }
    s = apr_array_push(tx->sanitise);
    s->kind = kind;
    s->name = apr_pstrdup(tx->pool, name);
    s->value = value;
    s->value_len = vlen;
    s->keep_front = front > 0 ? front : 0;
    s->keep_back = back > 0 ? back : 0;
}

void pl_audit_sanitise(pl_tx *tx, int kind, const char *name, int keep_front, int keep_back)
{
    add_sanitise(tx, kind, name, NULL, 0, keep_front, keep_back);
}

/* The variable prefixes sanitiseMatched understands (2.9 knows ARGS,
 * ARGS_NAMES and the header collections; the ARGS_GET/POST forms name
 * arguments too). */
static const struct { const char *prefix; int kind; } matched_kinds[] = {
    { "ARGS:", PL_SAN_ARG }, { "ARGS_NAMES:", PL_SAN_ARG },
    { "ARGS_GET:", PL_SAN_ARG }, { "ARGS_POST:", PL_SAN_ARG },
    { "ARGS_GET_NAMES:", PL_SAN_ARG }, { "ARGS_POST_NAMES:", PL_SAN_ARG },
    { "REQUEST_HEADERS:", PL_SAN_REQUEST_HEADER },
    { "REQUEST_HEADERS_NAMES:", PL_SAN_REQUEST_HEADER },
    { "RESPONSE_HEADERS:", PL_SAN_RESPONSE_HEADER },
    { "RESPONSE_HEADERS_NAMES:", PL_SAN_RESPONSE_HEADER },
};

void pl_audit_sanitise_matched(pl_tx *tx, int keep_front, int keep_back)
{
    const pl_var *mv = tx->matched_var;
    size_t i;

    if (mv == NULL || mv->name == NULL || mv->name[0] == '\0')
        return;
    for (i = 0; i < sizeof(matched_kinds) / sizeof(matched_kinds[0]); i++) {
        size_t n = strlen(matched_kinds[i].prefix);
        if (strncmp(mv->name, matched_kinds[i].prefix, n) == 0 && mv->name[n] != '\0') {
            add_sanitise(tx, matched_kinds[i].kind, mv->name + n, NULL, 0,
                         keep_front, keep_back);
            return;
        }
    }
    /* any other variable: its matched bytes are masked wherever they are */
    if (mv->value != NULL && mv->value_len > 0)
        add_sanitise(tx, PL_SAN_VALUE, mv->name,
                     apr_pstrmemdup(tx->pool, mv->value, mv->value_len), mv->value_len,
                     keep_front, keep_back);
}

void pl_audit_alert(pl_tx *tx, const char *text, int match)
{
    pl_alert *a;

    if (text == NULL)
        return;
    if (tx->alerts == NULL)
        tx->alerts = apr_array_make(tx->pool, 4, sizeof(pl_alert));
    if (tx->alerts->nelts >= ALERTS_MAX)
        return;
    a = apr_array_push(tx->alerts);
    a->text = text;
    a->match = match;
}

/* ---- masking ------------------------------------------------------------------ */

/* Replaces s[0..n) with '*' but for the bytes sanitiseMatchedBytes keeps
 * (when they leave something to hide). */
static void mask_value(char *s, apr_size_t n, const pl_sanitise *sn)
{
    apr_size_t front = sn ? (apr_size_t)sn->keep_front : 0;
    apr_size_t back = sn ? (apr_size_t)sn->keep_back : 0;

    if (front + back >= n)
        front = back = 0;
    if (n > front + back)
        memset(s + front, '*', n - front - back);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Lower-cased copy. */
static char *lower(apr_pool_t *p, const char *s)
{
    char *c = apr_pstrdup(p, s), *q;

    for (q = c; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return c;
}

/* URL-decoded, lower-cased copy of a raw argument name. */
static char *decode_name(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out = apr_palloc(p, n + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        }
        *d++ = (char)tolower(c);
    }
    *d = '\0';
    return out;
}

static const pl_sanitise *arg_sanitised(const masker *m, apr_pool_t *p,
                                        const char *name, apr_size_t n)
{
    if (m->args == NULL || apr_hash_count(m->args) == 0)
        return NULL;
    return apr_hash_get(m->args, decode_name(p, name, n), APR_HASH_KEY_STRING);
}

/* name=value pairs (query string, urlencoded body): masks the raw bytes of
 * the values of sanitised arguments. */
static void mask_urlencoded(const masker *m, char *s, apr_size_t len)
{
    apr_size_t i = 0;

    if (m->args == NULL || apr_hash_count(m->args) == 0)
        return;
    while (i < len) {
        apr_size_t n0 = i, ne, v0;
        const pl_sanitise *sn;

        while (i < len && s[i] != '=' && s[i] != m->sep)
            i++;
        ne = i;
        if (i >= len || s[i] == m->sep) {
            i++;
            continue;
        }
        v0 = ++i;
        while (i < len && s[i] != m->sep)
            i++;
        sn = arg_sanitised(m, m->tx->pool, s + n0, ne - n0);
        if (sn != NULL)
            mask_value(s + v0, i - v0, sn);
        i++;
    }
}

static int word_byte(int c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

/* Masks every occurrence of the collected values; short ones only where
 * they stand alone, so that a value "1" does not blank every digit. */
static void mask_literals(const masker *m, char *s, apr_size_t len)
{
    int k;

    for (k = 0; m->literals && k < m->literals->nelts; k++) {
        const literal *l = &APR_ARRAY_IDX(m->literals, k, literal);
        char *p = s, *end = s + len;

        while (l->n > 0 && (apr_size_t)(end - p) >= l->n) {
            char *hit = memmem(p, (size_t)(end - p), l->s, l->n);
            if (hit == NULL)
                break;
            if (l->n >= LITERAL_MIN
                || ((hit == s || !word_byte((unsigned char)hit[-1]))
                    && (hit + l->n == end || !word_byte((unsigned char)hit[l->n]))))
                memset(hit, '*', l->n);
            p = hit + l->n;
        }
    }
}

static void add_literal(masker *m, const char *s, apr_size_t n)
{
    literal *l;
    int k;

    if (s == NULL || n == 0)
        return;
    if (m->literals == NULL)
        m->literals = apr_array_make(m->tx->pool, 4, sizeof(literal));
    if (m->literals->nelts >= LITERALS_MAX)
        return;
    for (k = 0; k < m->literals->nelts; k++) {
        const literal *o = &APR_ARRAY_IDX(m->literals, k, literal);
        if (o->n == n && memcmp(o->s, s, n) == 0)
            return;
    }
    l = apr_array_push(m->literals);
    l->s = s;
    l->n = n;
}

/* Values of the sanitised arguments (and their log-escaped forms, as they
 * appear in messages) become literals. */
static void collect_arg_literals(masker *m, const pl_coll *c)
{
    int i;

    for (i = 0; c != NULL && c->items != NULL && i < c->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(c->items, i, const pl_var *);
        char *lk;

        if (v->key == NULL || v->value == NULL || v->value_len == 0)
            continue;
        lk = lower(m->tx->pool, v->key);
        if (apr_hash_get(m->args, lk, APR_HASH_KEY_STRING) == NULL)
            continue;
        add_literal(m, v->value, v->value_len);
        {
            const char *e = pl_log_escape_hex(m->tx->pool, v->value, v->value_len);
            if (strlen(e) != v->value_len || memcmp(e, v->value, v->value_len) != 0)
                add_literal(m, e, strlen(e));
        }
    }
}

static void collect_header_literals(masker *m, apr_array_header_t *hdrs, apr_hash_t *names)
{
    int i;

    for (i = 0; hdrs != NULL && names != NULL && i < hdrs->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(hdrs, i, const pl_var *);
        char *lk;

        if (v->key == NULL || v->value == NULL)
            continue;
        lk = lower(m->tx->pool, v->key);
        if (apr_hash_get(names, lk, APR_HASH_KEY_STRING) != NULL)
            add_literal(m, v->value, v->value_len ? v->value_len : strlen(v->value));
    }
}

static void masker_init(masker *m, pl_tx *tx)
{
    int i;

    memset(m, 0, sizeof(*m));
    m->tx = tx;
    m->sep = tx->cfg && tx->cfg->argument_separator > 0 ? tx->cfg->argument_separator : '&';
    if (tx->sanitise == NULL || tx->sanitise->nelts == 0)
        return;
    m->args = apr_hash_make(tx->pool);
    m->req_headers = apr_hash_make(tx->pool);
    m->resp_headers = apr_hash_make(tx->pool);
    for (i = 0; i < tx->sanitise->nelts; i++) {
        const pl_sanitise *s = &APR_ARRAY_IDX(tx->sanitise, i, pl_sanitise);
        char *lk = lower(tx->pool, s->name);
        switch (s->kind) {
        case PL_SAN_ARG:             apr_hash_set(m->args, lk, APR_HASH_KEY_STRING, s); break;
        case PL_SAN_REQUEST_HEADER:  apr_hash_set(m->req_headers, lk, APR_HASH_KEY_STRING, s); break;
        case PL_SAN_RESPONSE_HEADER: apr_hash_set(m->resp_headers, lk, APR_HASH_KEY_STRING, s); break;
        default:                     add_literal(m, s->value, s->value_len); break;
        }
    }
    collect_arg_literals(m, tx->args_get);
    collect_arg_literals(m, tx->args_post);
    collect_arg_literals(m, tx->args_json);
    collect_header_literals(m, tx->req_headers, m->req_headers);
    collect_header_literals(m, tx->final_resp_headers ? tx->final_resp_headers
                                                      : tx->resp_headers, m->resp_headers);
}

static int masking(const masker *m)
{
    return m->args != NULL;
}

/* A writable copy of free text with the literals masked. */
static char *masked_text(const masker *m, const char *s, apr_size_t n)
{
    char *c;

    if (s == NULL || !masking(m) || m->literals == NULL)
        return (char *)s;
    c = apr_pstrmemdup(m->tx->pool, s, n);
    mask_literals(m, c, n);
    return c;
}

/* ---- the record ---------------------------------------------------------------- */

static apr_array_header_t *masked_headers(const masker *m, apr_array_header_t *src,
                                          apr_hash_t *names)
{
    apr_array_header_t *out = apr_array_make(m->tx->pool, src ? src->nelts : 1,
                                             sizeof(pl_audit_hdr));
    int i;

    for (i = 0; src != NULL && i < src->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(src, i, const pl_var *);
        pl_audit_hdr *h = apr_array_push(out);
        const char *val = v->value ? v->value : "";

        h->name = v->key ? v->key : "";
        h->value = val;
        if (!masking(m))
            continue;
        {
            char *c = apr_pstrdup(m->tx->pool, val), *lk = lower(m->tx->pool, h->name);
            const pl_sanitise *sn;
            sn = names ? apr_hash_get(names, lk, APR_HASH_KEY_STRING) : NULL;
            if (sn != NULL)
                mask_value(c, strlen(c), sn);
            mask_literals(m, c, strlen(c));
            h->value = c;
        }
    }
    return out;
}

/* The request line with the query string's sanitised values masked. */
static const char *masked_request_line(const masker *m, const char *line)
{
    char *c, *q, *end;

    if (line == NULL || !masking(m))
        return line;
    c = apr_pstrdup(m->tx->pool, line);
    q = strchr(c, '?');
    if (q != NULL) {
        q++;
        end = strrchr(q, ' ');
        if (end == NULL)
            end = q + strlen(q);
        mask_urlencoded(m, q, (apr_size_t)(end - q));
    }
    mask_literals(m, c, strlen(c));
    return c;
}

static int is_urlencoded(const pl_tx *tx, const char *ct)
{
    if (tx->reqbody_processor && strcmp(tx->reqbody_processor, "URLENCODED") == 0)
        return 1;
    return ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* pl_tx_body_each callbacks: a copy of the body, and the writer. */
static int copy_piece(void *ctx, const char *data, apr_size_t len)
{
    char **d = ctx;

    memcpy(*d, data, len);
    *d += len;
    return 0;
}

static int write_piece(void *w, const char *data, apr_size_t len)
{
    pl_aw_write(w, data, len);
    return 0;
}

void pl_audit_body_each(const pl_audit_rec *r, int (*fn)(void *ctx, const char *data,
                                                          apr_size_t len), void *ctx)
{
    if (r->body != NULL)
        fn(ctx, r->body, r->body_len);
    else if (r->body_stored)
        pl_tx_body_each(r->tx, fn, ctx);
}

/*
 * Parts I and J from the parts the MULTIPART parser recorded (2.9's
 * multipart_reconstruct_urlencoded_body_sanitize and its upload list):
 * "name=value" of the text parts joined with '&' (a value ends at a NUL,
 * sanitised ones masked), and each file part with its 1-based position
 * among the parts.
 */
static void multipart_parts(pl_audit_rec *r, const masker *m, const apr_array_header_t *parts)
{
    pl_tx *tx = r->tx;
    apr_size_t n = 1;
    char *fake, *d;
    int i;

    r->multipart = 1;
    r->uploads = apr_array_make(tx->pool, 2, sizeof(pl_audit_upload));
    for (i = 0; i < parts->nelts; i++) {
        const pl_mpart *p = APR_ARRAY_IDX(parts, i, const pl_mpart *);
        if (p->filename == NULL)
            n += strlen(p->name) + 1 + strlen(p->value) + 1;
    }
    d = fake = apr_palloc(tx->pool, n);
    for (i = 0; i < parts->nelts; i++) {
        const pl_mpart *p = APR_ARRAY_IDX(parts, i, const pl_mpart *);
        const pl_sanitise *sn;
        apr_size_t nl, vl;

        if (p->filename != NULL) {
            pl_audit_upload *u = apr_array_push(r->uploads);
            u->index = i + 1;
            u->size = p->len;
            u->name = p->filename;
            u->ctype = p->ctype;
            r->uploads_total += p->len;
            continue;
        }
        nl = strlen(p->name);
        vl = strlen(p->value);
        if (d != fake)
            *d++ = '&';
        memcpy(d, p->name, nl);
        d += nl;
        *d++ = '=';
        memcpy(d, p->value, vl);
        sn = masking(m) ? apr_hash_get(m->args, lower(tx->pool, p->name), APR_HASH_KEY_STRING)
                        : NULL;
        if (sn != NULL)
            mask_value(d, vl, sn);
        d += vl;
    }
    *d = '\0';
    r->fake_body = masked_text(m, fake, (apr_size_t)(d - fake));
}

/*
 * Part C: the stored body as it is, written piece by piece when nothing is
 * to be masked; otherwise a copy, masked where the values of sanitised
 * arguments are (urlencoded: found by parsing; multipart: where the parser
 * found each part's data) and wherever a collected value appears.
 */
static void request_body(pl_audit_rec *r, const masker *m)
{
    pl_tx *tx = r->tx;
    const apr_array_header_t *parts = tx->multipart_parts;
    char *body, *end;
    apr_size_t len;
    int i;

    if (tx->body.length <= 0)
        return;
    if (parts != NULL)
        multipart_parts(r, m, parts);
    if (!masking(m)) {
        r->body_stored = 1;
        r->body_len = (apr_size_t)tx->body.length;
        return;
    }
    body = end = apr_palloc(tx->pool, (apr_size_t)tx->body.length + 1);
    pl_tx_body_each(tx, copy_piece, &end);
    len = (apr_size_t)(end - body);
    *end = '\0';
    if (parts != NULL) {
        for (i = 0; i < parts->nelts; i++) {
            const pl_mpart *p = APR_ARRAY_IDX(parts, i, const pl_mpart *);
            const pl_sanitise *sn = apr_hash_get(m->args, lower(tx->pool, p->name),
                                                 APR_HASH_KEY_STRING);
            if (sn != NULL && p->data_offset >= 0 && (apr_size_t)p->data_offset <= len
                    && p->len <= len - (apr_size_t)p->data_offset)
                mask_value(body + p->data_offset, p->len, sn);
        }
    } else if (is_urlencoded(tx, request_header(tx, "Content-Type"))) {
        mask_urlencoded(m, body, len);
    }
    mask_literals(m, body, len);
    r->body = body;
    r->body_len = len;
}

/* Argument names as "Sanitised-Args:" lists them: each argument of a
 * sanitised name, in the order the request had them. */
static void sanitised_lists(pl_audit_rec *r, const masker *m)
{
    pl_tx *tx = r->tx;
    const pl_coll *colls[3];
    int i, k;

    colls[0] = tx->args_get;
    colls[1] = tx->args_post;
    colls[2] = tx->args_json;
    r->san_args = apr_array_make(tx->pool, 2, sizeof(const char *));
    r->san_req_headers = apr_array_make(tx->pool, 1, sizeof(const char *));
    r->san_resp_headers = apr_array_make(tx->pool, 1, sizeof(const char *));
    if (!masking(m))
        return;
    for (k = 0; k < 3; k++) {
        for (i = 0; colls[k] && colls[k]->items && i < colls[k]->items->nelts; i++) {
            const pl_var *v = APR_ARRAY_IDX(colls[k]->items, i, const pl_var *);
            char *lk;
            if (v->key == NULL)
                continue;
            lk = lower(tx->pool, v->key);
            if (apr_hash_get(m->args, lk, APR_HASH_KEY_STRING) != NULL)
                APR_ARRAY_PUSH(r->san_args, const char *) = v->key;
        }
    }
    for (i = 0; i < tx->sanitise->nelts; i++) {
        const pl_sanitise *s = &APR_ARRAY_IDX(tx->sanitise, i, pl_sanitise);
        if (s->kind == PL_SAN_REQUEST_HEADER)
            APR_ARRAY_PUSH(r->san_req_headers, const char *) = s->name;
        else if (s->kind == PL_SAN_RESPONSE_HEADER)
            APR_ARRAY_PUSH(r->san_resp_headers, const char *) = s->name;
    }
}

static const char *coll_key(const pl_tx *tx, const char *coll)
{
    const pl_coll *c = tx->colls ? apr_hash_get(tx->colls, coll, APR_HASH_KEY_STRING) : NULL;
    const pl_var *v;

    if (c == NULL)
        return NULL;
    v = pl_coll_get(c, "KEY");
    if (v == NULL)
        v = pl_coll_get(c, "__key");
    return v ? v->value : NULL;
}

static void trailer_data(pl_audit_rec *r, const masker *m)
{
    pl_tx *tx = r->tx;
    const pl_config *cfg = tx->cfg;
    int i;

    r->alerts = apr_array_make(tx->pool, tx->alerts ? tx->alerts->nelts : 1, sizeof(pl_alert));
    for (i = 0; tx->alerts && i < tx->alerts->nelts; i++) {
        pl_alert *a = apr_array_push(r->alerts);
        *a = APR_ARRAY_IDX(tx->alerts, i, pl_alert);
        a->text = masked_text(m, a->text, strlen(a->text));
    }
    r->errors = apr_array_make(tx->pool, 2, sizeof(const char *));
    for (i = 0; tx->web_errors && i < tx->web_errors->nelts; i++) {
        const char *e = APR_ARRAY_IDX(tx->web_errors, i, const char *);
        APR_ARRAY_PUSH(r->errors, const char *) = masked_text(m, e, strlen(e));
    }
    r->intercepted = tx->intercept.action != PL_DA_NONE;
    r->intercept_phase = tx->intercept.phase;
    r->intercept_message = tx->intercept_message
        ? masked_text(m, tx->intercept_message, strlen(tx->intercept_message)) : NULL;
    r->handler = tx->handler;
    r->start = tx->start;
    r->duration = apr_time_now() - tx->start;
    memcpy(r->phase_time, tx->phase_time, sizeof(r->phase_time));
    r->producer = apr_array_make(tx->pool, 4, sizeof(const char *));
    {
        char *sig = apr_pstrdup(tx->pool, PL_SIGNATURE), *last = NULL, *tok;
        for (tok = apr_strtok(sig, ";", &last); tok; tok = apr_strtok(NULL, ";", &last)) {
            while (*tok == ' ')
                tok++;
            APR_ARRAY_PUSH(r->producer, const char *) = tok;
        }
    }
    for (i = 0; pl_globals.component_signatures && i < pl_globals.component_signatures->nelts; i++)
        APR_ARRAY_PUSH(r->producer, const char *) =
            APR_ARRAY_IDX(pl_globals.component_signatures, i, const char *);
    r->server = reg_server;
    sanitised_lists(r, m);
    r->session_id = coll_key(tx, "SESSION");
    r->user_id = coll_key(tx, "USER");
    r->webapp_id = cfg->web_app_id;
    r->webapp_info = (cfg->web_app_id && strcmp(cfg->web_app_id, "default") != 0)
                     || r->session_id || r->user_id;
    r->sensor_id = cfg->sensor_id && strcmp(cfg->sensor_id, "default") != 0 ? cfg->sensor_id : NULL;
    r->engine_mode = tx->engine == PL_ENGINE_ON ? "ENABLED"
                   : tx->engine == PL_ENGINE_DETECT ? "DETECTION_ONLY" : NULL;
}

static void build_record(pl_audit_rec *r, pl_tx *tx)
{
    masker m;

    memset(r, 0, sizeof(*r));
    r->tx = tx;
    r->parts = parts_of(tx);
    r->logtime = logtime(tx->pool, apr_time_now());
    r->defaults = tx->cfg->default_action;
    masker_init(&m, tx);
    r->request_line = masked_request_line(&m, tx->request_line);
    r->req_headers = masked_headers(&m, tx->req_headers, m.req_headers);
    if (strpbrk(r->parts, "CIJ") != NULL)
        request_body(r, &m);
    r->resp_protocol = tx->response_protocol ? tx->response_protocol
                     : tx->protocol ? tx->protocol : "HTTP/1.1";
    r->status = tx->status;
    r->status_line = tx->status_line;
    r->resp_headers = masked_headers(&m, tx->final_resp_headers ? tx->final_resp_headers
                                                                : tx->resp_headers,
                                     m.resp_headers);
    if (tx->resp_body != NULL) {
        r->resp_body = masked_text(&m, tx->resp_body, tx->resp_body_len);
        r->resp_body_len = tx->resp_body_len;
    }
    trailer_data(r, &m);
}

/* ---- native format ----------------------------------------------------------------- */

static void part_header(pl_aw *w, const char *boundary, char part, int first)
{
    pl_aw_printf(w, "%s--%s-%c--\n", first ? "" : "\n", boundary, part);
}

static void native_headers(pl_aw *w, const apr_array_header_t *h)
{
    int i;

    for (i = 0; i < h->nelts; i++) {
        const pl_audit_hdr *e = &APR_ARRAY_IDX(h, i, pl_audit_hdr);
        pl_aw_puts(w, e->name);
        pl_aw_write(w, ": ", 2);
        pl_aw_puts(w, e->value);
        pl_aw_write(w, "\n", 1);
    }
}

static void native_list(pl_aw *w, const char *label, const apr_array_header_t *a)
{
    int i;

    if (a->nelts == 0)
        return;
    pl_aw_puts(w, label);
    for (i = 0; i < a->nelts; i++) {
        const char *s = APR_ARRAY_IDX(a, i, const char *);
        pl_aw_printf(w, "%s\"%s\"%s", i ? ", " : "", pl_log_escape(w->tx->pool, s, strlen(s)),
                     i == a->nelts - 1 ? ".\n" : "");
    }
}

static void native_trailer(pl_aw *w, const pl_audit_rec *r, int wrote_body)
{
    apr_pool_t *p = w->tx->pool;
    apr_time_t combined = 0;
    int i;

    for (i = 0; i < r->alerts->nelts; i++)
        pl_aw_printf(w, "Message: %s\n", APR_ARRAY_IDX(r->alerts, i, pl_alert).text);
    for (i = 0; i < r->errors->nelts; i++)
        pl_aw_printf(w, "Apache-Error: %s\n", APR_ARRAY_IDX(r->errors, i, const char *));
    if (r->intercepted)
        pl_aw_printf(w, "Action: Intercepted (phase %d)\n", r->intercept_phase);
    if (r->handler != NULL)
        pl_aw_printf(w, "Apache-Handler: %s\n", r->handler);
    pl_aw_printf(w, "Stopwatch: %" APR_TIME_T_FMT " %" APR_TIME_T_FMT " (- - -)\n",
                 r->start, r->duration);
    for (i = 1; i <= PL_PHASES; i++)
        combined += r->phase_time[i];
    pl_aw_printf(w, "Stopwatch2: %" APR_TIME_T_FMT " %" APR_TIME_T_FMT "; combined=%"
                 APR_TIME_T_FMT ", p1=%" APR_TIME_T_FMT ", p2=%" APR_TIME_T_FMT ", p3=%"
                 APR_TIME_T_FMT ", p4=%" APR_TIME_T_FMT ", p5=%" APR_TIME_T_FMT
                 ", sr=0, sw=0, l=0, gc=0\n", r->start, r->duration, combined,
                 r->phase_time[1], r->phase_time[2], r->phase_time[3], r->phase_time[4],
                 r->phase_time[5]);
    if (wrote_body)
        pl_aw_puts(w, "Response-Body-Transformed: Dechunked\n");
    pl_aw_puts(w, "Producer: ");
    for (i = 0; i < r->producer->nelts; i++)
        pl_aw_printf(w, "%s%s", i ? "; " : "", APR_ARRAY_IDX(r->producer, i, const char *));
    pl_aw_puts(w, ".\n");
    if (r->server != NULL)
        pl_aw_printf(w, "Server: %s\n", r->server);
    native_list(w, "Sanitised-Args: ", r->san_args);
    native_list(w, "Sanitised-Request-Headers: ", r->san_req_headers);
    native_list(w, "Sanitised-Response-Headers: ", r->san_resp_headers);
    if (r->webapp_info)
        pl_aw_printf(w, "WebApp-Info: \"%s\" \"%s\" \"%s\"\n",
                     r->webapp_id ? pl_log_escape(p, r->webapp_id, strlen(r->webapp_id)) : "-",
                     r->session_id ? pl_log_escape(p, r->session_id, strlen(r->session_id)) : "-",
                     r->user_id ? pl_log_escape(p, r->user_id, strlen(r->user_id)) : "-");
    if (r->sensor_id != NULL)
        pl_aw_printf(w, "Sensor-Id: \"%s\"\n", pl_log_escape(p, r->sensor_id, strlen(r->sensor_id)));
    if (r->engine_mode != NULL)
        pl_aw_printf(w, "Engine-Mode: \"%s\"\n", r->engine_mode);
}

int pl_audit_rule_matched(const pl_tx *tx, const pl_rule *r)
{
    int i;

    for (i = 0; tx->matched_rules && i < tx->matched_rules->nelts; i++)
        if (APR_ARRAY_IDX(tx->matched_rules, i, const pl_rule *) == r)
            return 1;
    return 0;
}

/* Part K: each matched rule once per match, a chain as its starter
 * followed by its members ("#" before those that did not match). */
static void native_rules(pl_aw *w, const pl_audit_rec *r)
{
    const pl_tx *tx = r->tx;
    apr_pool_t *p = w->tx->pool;
    int i;

    for (i = 0; tx->matched_rules && i < tx->matched_rules->nelts; i++) {
        const pl_rule *rule = APR_ARRAY_IDX(tx->matched_rules, i, const pl_rule *), *m;

        if (rule->chain_start != NULL && rule->chain_start != rule)
            continue;
        pl_aw_printf(w, "%s\n", pl_rule_unparsed(p, rule, r->defaults));
        if (rule->chain_next == NULL) {
            pl_aw_write(w, "\n", 1);
            continue;
        }
        for (m = rule->chain_next; m != NULL; m = m->chain_next)
            pl_aw_printf(w, "%s%s\n", pl_audit_rule_matched(tx, m) ? "" : "#",
                         pl_rule_unparsed(p, m, r->defaults));
        pl_aw_write(w, "\n", 1);
    }
}

static void write_native(pl_aw *w, const pl_audit_rec *r, const char *boundary)
{
    pl_tx *tx = r->tx;
    int wrote_body = 0, i;

    part_header(w, boundary, 'A', 1);
    pl_aw_printf(w, "[%s] %s %s %d %s %d", r->logtime, tx->unique_id ? tx->unique_id : "-",
                 tx->remote_addr ? tx->remote_addr : "", tx->remote_port,
                 tx->server_addr ? tx->server_addr : "", tx->server_port);
    if (pl_audit_has_part(r, 'B')) {
        part_header(w, boundary, 'B', 0);
        pl_aw_puts(w, r->request_line);
        pl_aw_write(w, "\n", 1);
        native_headers(w, r->req_headers);
    }
    if ((pl_audit_has_part(r, 'C') || (pl_audit_has_part(r, 'I') && !r->multipart))
        && (r->body != NULL || r->body_stored)) {
        part_header(w, boundary, 'C', 0);
        pl_audit_body_each(r, write_piece, w);
    }
    if (pl_audit_has_part(r, 'I') && r->multipart && r->fake_body != NULL) {
        part_header(w, boundary, 'I', 0);
        pl_aw_puts(w, r->fake_body);
    }
    if (pl_audit_has_part(r, 'F')) {
        part_header(w, boundary, 'F', 0);
        if (r->status_line != NULL)
            pl_aw_printf(w, "%s %s\n", r->resp_protocol, r->status_line);
        else
            pl_aw_printf(w, "%s %d\n", r->resp_protocol, r->status);
        native_headers(w, r->resp_headers);
    }
    if (pl_audit_has_part(r, 'E') && r->resp_body != NULL) {
        part_header(w, boundary, 'E', 0);
        pl_aw_write(w, r->resp_body, r->resp_body_len);
        wrote_body = 1;
    }
    if (pl_audit_has_part(r, 'H')) {
        part_header(w, boundary, 'H', 0);
        native_trailer(w, r, wrote_body);
    }
    if (pl_audit_has_part(r, 'J') && r->uploads != NULL) {
        part_header(w, boundary, 'J', 0);
        for (i = 0; i < r->uploads->nelts; i++) {
            const pl_audit_upload *u = &APR_ARRAY_IDX(r->uploads, i, pl_audit_upload);
            pl_aw_printf(w, "%d,%" APR_SIZE_T_FMT ",\"%s\",\"%s\"\n", u->index, u->size,
                         pl_log_escape(tx->pool, u->name, strlen(u->name)),
                         u->ctype ? pl_log_escape(tx->pool, u->ctype, strlen(u->ctype))
                                  : "<Unknown ContentType>");
        }
        pl_aw_printf(w, "Total,%" APR_SIZE_T_FMT "\n", r->uploads_total);
    }
    if (pl_audit_has_part(r, 'K')) {
        part_header(w, boundary, 'K', 0);
        native_rules(w, r);
    }
    part_header(w, boundary, 'Z', 0);
}

/* ---- rule text (part K, debug log) ------------------------------------------------- */

typedef struct act_entry {
    const char *name, *param;
} act_entry;

enum { CG_NONE, CG_DISRUPTIVE, CG_LOG, CG_AUDITLOG };

static int is_disruptive(const char *n)
{
    static const char *const disruptive[] = {
        "allow", "block", "deny", "drop", "pass", "proxy", "redirect", NULL
    };
    int i;

    for (i = 0; disruptive[i]; i++)
        if (strcasecmp(n, disruptive[i]) == 0)
            return 1;
    return 0;
}

/* 2.9's cardinality groups: skip and skipAfter share the disruptive
 * actions' group (a rule with skipAfter shows no default "pass"). */
static int action_group(const char *n)
{
    if (is_disruptive(n) || strcasecmp(n, "skip") == 0 || strcasecmp(n, "skipAfter") == 0)
        return CG_DISRUPTIVE;
    if (strcasecmp(n, "log") == 0 || strcasecmp(n, "nolog") == 0)
        return CG_LOG;
    if (strcasecmp(n, "auditlog") == 0 || strcasecmp(n, "noauditlog") == 0)
        return CG_AUDITLOG;
    return CG_NONE;
}

/* Actions that may appear more than once (2.9's CARDINALITY_MANY). */
static int action_many(const char *n)
{
    static const char *const many[] = {
        "t", "tag", "setvar", "setenv", "ctl", "initcol", "expirevar", "deprecatevar",
        "xmlns", "exec", "sanitiseArg", "sanitizeArg", "sanitiseRequestHeader",
        "sanitizeRequestHeader", "sanitiseResponseHeader", "sanitizeResponseHeader", NULL
    };
    int i;

    for (i = 0; many[i]; i++)
        if (strcasecmp(n, many[i]) == 0)
            return 1;
    return 0;
}

static void acts_unset(apr_array_header_t *a, int (*match)(const act_entry *, const void *),
                       const void *arg)
{
    int i, j = 0;
    act_entry *e = (act_entry *)a->elts;

    for (i = 0; i < a->nelts; i++)
        if (!match(&e[i], arg))
            e[j++] = e[i];
    a->nelts = j;
}

static int same_group(const act_entry *e, const void *g)
{
    return action_group(e->name) == *(const int *)g;
}

static int same_name(const act_entry *e, const void *n)
{
    return strcasecmp(e->name, (const char *)n) == 0;
}

/* ModSecurity's actionset merge: group members replace each other, single
 * actions keep the place of the one they replace, t:none drops earlier
 * transformations. */
static void acts_merge(apr_array_header_t *a, const char *name, const char *param)
{
    int g = action_group(name), i;
    act_entry *e;

    if (g != CG_NONE)
        acts_unset(a, same_group, &g);
    if (strcasecmp(name, "t") == 0 && param && strcasecmp(param, "none") == 0)
        acts_unset(a, same_name, "t");
    if (!action_many(name)) {
        e = (act_entry *)a->elts;
        for (i = 0; i < a->nelts; i++) {
            if (strcasecmp(e[i].name, name) == 0) {
                e[i].param = param;
                {
                    int j, k = i + 1;
                    for (j = i + 1; j < a->nelts; j++)
                        if (strcasecmp(e[j].name, name) != 0)
                            e[k++] = e[j];
                    a->nelts = k;
                }
                return;
            }
        }
    }
    e = apr_array_push(a);
    e->name = name;
    e->param = param;
}

/* Actions a chain member does not show (2.9 leaves them to the starter). */
static int member_hides(const char *name)
{
    static const char *const hidden[] = {
        "log", "auditlog", "nolog", "noauditlog", "severity", "ver", "maturity",
        "accuracy", "tag", "phase", "id", "rev", "msg", "logdata", NULL
    };
    int i;

    if (is_disruptive(name))
        return 1;
    for (i = 0; hidden[i]; i++)
        if (strcasecmp(name, hidden[i]) == 0)
            return 1;
    return 0;
}

static const char *actions_text(apr_pool_t *p, const pl_rule *r, const pl_rule *defaults)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(act_entry));
    const int member = r->chain_start != NULL && r->chain_start != r;
    char *out = NULL;
    int i;

    if (defaults != NULL && defaults->actions != NULL) {
        for (i = 0; i < defaults->actions->nelts; i++) {
            const pl_action *d = &APR_ARRAY_IDX(defaults->actions, i, pl_action);
            acts_merge(a, d->def->name, d->param);
        }
    } else {
        acts_merge(a, "phase", "2");
        acts_merge(a, "log", NULL);
        acts_merge(a, "auditlog", NULL);
        acts_merge(a, "pass", NULL);
    }
    for (i = 0; r->actions && i < r->actions->nelts; i++) {
        const pl_action *x = &APR_ARRAY_IDX(r->actions, i, pl_action);
        acts_merge(a, x->def->name, x->param);
    }
    for (i = 0; i < a->nelts; i++) {
        const act_entry *e = &APR_ARRAY_IDX(a, i, act_entry);
        int quote = 0;
        const char *c;

        if (member && member_hides(e->name))
            continue;
        if (e->param != NULL) {
            quote = e->param[0] == '\0';
            for (c = e->param; *c && !quote; c++)
                quote = isspace((unsigned char)*c);
        }
        out = apr_pstrcat(p, out ? out : "", out ? "," : "", e->name, e->param ? ":" : "",
                          quote ? "'" : "", e->param ? e->param : "", quote ? "'" : "", NULL);
    }
    return out;
}

const char *pl_rule_unparsed(apr_pool_t *p, const pl_rule *r, const pl_rule *defaults)
{
    const char *acts = actions_text(p, r, defaults);
    const char *ea = acts ? pl_log_escape(p, acts, strlen(acts)) : NULL;

    switch (r->type) {
    case PL_RT_ACTION:
        return apr_psprintf(p, "SecAction \"%s\"", ea ? ea : "");
    case PL_RT_MARKER:
        return apr_psprintf(p, "SecMarker \"%s\"", r->marker ? r->marker : "");
    case PL_RT_SCRIPT:
        return apr_psprintf(p, "SecRuleScript \"%s\" \"%s\"",
                            r->op.param ? pl_log_escape(p, r->op.param, strlen(r->op.param)) : "",
                            ea ? ea : "");
    default: {
        const char *t = r->text_targets ? r->text_targets : "";
        const char *op = apr_psprintf(p, "%s@%s %s", r->op.negated ? "!" : "",
                                      r->op.def ? r->op.def->name : "rx",
                                      r->op.param ? r->op.param : "");
        const char *head = apr_psprintf(p, "SecRule \"%s\" \"%s\"",
                                        pl_log_escape(p, t, strlen(t)),
                                        pl_log_escape(p, op, strlen(op)));
        return ea ? apr_psprintf(p, "%s \"%s\"", head, ea) : head;
    }
    }
}

/* ---- writing -------------------------------------------------------------------- */

static void write_record(pl_aw *w, const pl_audit_rec *r, const char *boundary)
{
    const char *fmt = r->tx->cfg->audit_format;

    if (fmt != NULL && strcasecmp(fmt, "JSON") == 0)
        pl_audit_write_json(w, r);
    else
        write_native(w, r, boundary);
}

static void lock(pl_tx *tx)
{
    apr_status_t rv;
    char err[120];

    if (reg_lock == NULL)
        return;
    rv = apr_global_mutex_lock(reg_lock);
    if (rv != APR_SUCCESS)
        audit_error(tx, apr_psprintf(tx->pool, "Audit log: Failed to lock global mutex: %s",
                                     apr_strerror(rv, err, sizeof(err))));
}

static void unlock(pl_tx *tx)
{
    apr_status_t rv;
    char err[120];

    if (reg_lock == NULL)
        return;
    rv = apr_global_mutex_unlock(reg_lock);
    if (rv != APR_SUCCESS)
        audit_error(tx, apr_psprintf(tx->pool, "Audit log: Failed to unlock global mutex: %s",
                                     apr_strerror(rv, err, sizeof(err))));
}

/* A random boundary of 8 hex digits, as 2.9's. */
static const char *boundary_of(apr_pool_t *p)
{
    unsigned char b[4];
    static const char hex[] = "0123456789abcdef";
    char *s = apr_palloc(p, 9);
    int i;

    if (apr_generate_random_bytes(b, sizeof(b)) != APR_SUCCESS) {
        unsigned long t = (unsigned long)apr_time_now();
        memcpy(b, &t, sizeof(b));
    }
    for (i = 0; i < 4; i++) {
        s[2 * i] = hex[b[i] >> 4];
        s[2 * i + 1] = hex[b[i] & 15];
    }
    s[8] = '\0';
    return s;
}

/* A serial record goes to SecAuditLog only (SecAuditLog2 is the second
 * index of a Concurrent log, as in 2.9). */
static int write_serial(pl_tx *tx, const pl_audit_rec *r, const target *t1)
{
    pl_aw w;
    const char *fmt = tx->cfg->audit_format;
    int json = fmt != NULL && strcasecmp(fmt, "JSON") == 0;

    aw_init(&w, tx);
    w.fd[w.nfd++] = t1->file;
    /* the whole record under the lock: other processes and threads wait,
     * so records stay whole even on pipes past PIPE_BUF */
    lock(tx);
    write_record(&w, r, boundary_of(tx->pool));
    if (!json)
        pl_aw_write(&w, "\n", 1);
    aw_flush(&w);
    unlock(tx);
    return !w.failed;
}

/* The index line: 2.9's vcombinedus fields, shortened to fit the limit. */
static const char *index_line(pl_tx *tx, const pl_audit_rec *r, const char *name,
                              apr_size_t size, const unsigned char *md5, int is_pipe)
{
    apr_pool_t *p = tx->pool;
    char hex[2 * APR_MD5_DIGESTSIZE + 1];
    const char *host = tx->hostname ? pl_log_escape_nq(p, tx->hostname, strlen(tx->hostname)) : "-";
    char *ruser = "-", *luser = tx->remote_user
        ? pl_log_escape_nq(p, tx->remote_user, strlen(tx->remote_user)) : "-";
    char *req = pl_log_escape(p, r->request_line ? r->request_line : "",
                              r->request_line ? strlen(r->request_line) : 0);
    const char *id = tx->unique_id ? pl_log_escape(p, tx->unique_id, strlen(tx->unique_id)) : "-";
    const char *tail, *sent = apr_off_t_toa(p, tx->bytes_sent);
    int limit = INDEX_LIMIT, limited = 0, i;

    for (i = 0; i < APR_MD5_DIGESTSIZE; i++)
        apr_snprintf(hex + 2 * i, 3, "%02x", md5[i]);
    tail = apr_psprintf(p, "%s 0 %" APR_SIZE_T_FMT " md5:%s", name, size, hex);
    if (is_pipe && PIPE_BUF < limit)
        limit = PIPE_BUF;
    limit -= (int)strlen(tail) + 5;
    limit -= 22 + (int)strlen(host) + (int)strlen(tx->remote_addr ? tx->remote_addr : "")
           + 28 + 3 + (int)strlen(sent) + (int)strlen(id) + 1;
    if (limit < (int)(strlen(ruser) + strlen(luser) + 2 + strlen(req))) {
        limited = 1;
        if (strlen(luser) > 32)
            luser[32] = '\0';
        limit -= (int)(strlen(ruser) + strlen(luser) + 2);
        if (limit < 0)
            limit = 0;
        if ((int)strlen(req) > limit)
            req[limit] = '\0';
    }
    return apr_psprintf(p, "%s %s %s %s [%s] \"%s\" %d %s \"-\" \"-\" %s \"-\" %s %s\n",
                        host, tx->remote_addr ? tx->remote_addr : "", ruser, luser,
                        logtime(p, apr_time_now()), req, tx->status, sent, id, tail,
                        limited ? "L" : "");
}

static const char *user_name(apr_pool_t *p)
{
    apr_uid_t uid;
    apr_gid_t gid;
    char *name = NULL;

    if (apr_uid_current(&uid, &gid, p) != APR_SUCCESS)
        return "unknown";
    if (apr_uid_name_get(&name, uid, p) != APR_SUCCESS || name == NULL)
        return apr_psprintf(p, "%lu", (unsigned long)uid);
    return name;
}

static int write_concurrent(pl_tx *tx, const pl_audit_rec *r, const target *t1, const target *t2)
{
    const pl_config *cfg = tx->cfg;
    apr_pool_t *p = tx->pool;
    apr_time_exp_t t;
    char stamp[64];
    apr_size_t sl;
    const char *dir = cfg->audit_storage_dir, *name, *path, *line;
    apr_file_t *f;
    apr_status_t rv;
    unsigned char md5[APR_MD5_DIGESTSIZE];
    char err[120];
    pl_aw w;

    if (dir == NULL) {
        const char *slash = strrchr(cfg->audit_log, '/');
        dir = slash ? apr_pstrmemdup(p, cfg->audit_log, (apr_size_t)(slash - cfg->audit_log)) : ".";
    }
    apr_time_exp_lt(&t, apr_time_now());
    apr_strftime(stamp, &sl, sizeof(stamp), "/%Y%m%d/%Y%m%d-%H%M/%Y%m%d-%H%M%S", &t);
    name = apr_psprintf(p, "/%s%s-%s", user_name(p), stamp, tx->unique_id ? tx->unique_id : "-");
    path = apr_pstrcat(p, dir, name, NULL);
    rv = apr_dir_make_recursive(apr_pstrmemdup(p, path, (apr_size_t)(strrchr(path, '/') - path)),
                                perms(cfg->audit_dir_mode != PL_UNSET ? cfg->audit_dir_mode
                                                                      : DEFAULT_DIR_MODE), p);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
        audit_error(tx, apr_psprintf(p, "Audit log: Failed to create subdirectories: %s (%s)",
                    apr_pstrmemdup(p, path, (apr_size_t)(strrchr(path, '/') - path)),
                    apr_strerror(rv, err, sizeof(err))));
        return 0;
    }
    rv = apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE
                       | APR_FOPEN_BINARY, perms(cfg->audit_file_mode != PL_UNSET
                                                 ? cfg->audit_file_mode : DEFAULT_FILE_MODE), p);
    if (rv != APR_SUCCESS) {
        audit_error(tx, apr_psprintf(p, "Audit log: Failed to create file: %s (%s)", path,
                                     apr_strerror(rv, err, sizeof(err))));
        return 0;
    }
    aw_init(&w, tx);
    w.fd[w.nfd++] = f;
    w.hash = 1;
    apr_md5_init(&w.md5);
    write_record(&w, r, boundary_of(p));
    aw_flush(&w);
    apr_file_close(f);
    apr_md5_final(md5, &w.md5);
    line = index_line(tx, r, name, w.size, md5, t1->is_pipe);
    pl_debug(tx, 9, "Audit Log: Writing %" APR_SIZE_T_FMT " bytes to primary concurrent index",
             strlen(line));
    lock(tx);
    apr_file_write_full(t1->file, line, strlen(line), NULL);
    if (t2 != NULL && t2->file != t1->file)
        apr_file_write_full(t2->file, line, strlen(line), NULL);
    unlock(tx);
    return !w.failed;
}

/* SecAuditLogRelevantStatus against the final status. */
static pcre2_code *status_regex(pl_tx *tx, const char *text)
{
    pcre2_code *re = NULL;
    const char *err = NULL;
    int i;

    if (status_re.pool == NULL)           /* no host registry: per request */
        return pl_regex_compile(tx->pool, text, 0, &err);
    apr_thread_mutex_lock(status_re.mutex);
    for (i = 0; i < status_re.n && re == NULL; i++)
        if (status_re.text[i] == text || strcmp(status_re.text[i], text) == 0)
            re = status_re.re[i];
    if (re == NULL && status_re.n < STATUS_RE_MAX) {
        re = pl_regex_compile(status_re.pool, text, 0, &err);
        if (re != NULL) {
            status_re.text[status_re.n] = apr_pstrdup(status_re.pool, text);
            status_re.re[status_re.n++] = re;
        }
    }
    apr_thread_mutex_unlock(status_re.mutex);
    return re != NULL ? re : pl_regex_compile(tx->pool, text, 0, &err);
}

static int status_relevant(pl_tx *tx)
{
    const char *re_text = tx->cfg->audit_relevant_status;
    pcre2_code *re;
    char buf[16];

    if (re_text == NULL || tx->status <= 0)
        return 0;
    re = status_regex(tx, re_text);
    if (re == NULL)
        return 0;
    apr_snprintf(buf, sizeof(buf), "%d", tx->status);
    return pl_regex_match(re, buf, strlen(buf)) > 0;
}

int pl_audit_log(pl_tx *tx)
{
    const pl_config *cfg = tx->cfg;
    int engine;
    const target *t1, *t2;
    pl_audit_rec r;
    apr_time_t t0;

    if (cfg == NULL)
        return 0;
    engine = tx->audit_engine != PL_UNSET ? tx->audit_engine : cfg->audit_engine;
    if (engine == PL_UNSET || engine == PL_AUDIT_OFF) {
        pl_debug(tx, 4, "Audit log: Not configured to run for this request.");
        return 0;
    }
    if (!tx->is_relevant && status_relevant(tx))
        tx->is_relevant = 1;
    if (engine == PL_AUDIT_RELEVANT && !tx->is_relevant) {
        pl_debug(tx, 4, "Audit log: Ignoring a non-relevant request.");
        return 0;
    }
    if (tx->request_line == NULL) {
        pl_debug(tx, 4, "Audit log: Skipping request whose request_line is null.");
        return 0;
    }
    t1 = find_target(cfg->audit_log);
    if (t1 == NULL) {
        pl_debug(tx, 4, "Audit log: Skipping request since there is nowhere to write to.");
        return 0;
    }
    t2 = find_target(cfg->audit_log2);
    pl_debug(tx, 4, "Audit log: Logging this transaction.");
    t0 = apr_time_now();
    build_record(&r, tx);
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Audit log: parts %s, format %s, type %s.", r.parts,
                 cfg->audit_format ? cfg->audit_format : "Native",
                 cfg->audit_type ? cfg->audit_type : "Serial");
    if (cfg->audit_type != NULL && strcasecmp(cfg->audit_type, "Concurrent") == 0) {
        if (!write_concurrent(tx, &r, t1, t2))
            return 0;
    } else if (!write_serial(tx, &r, t1)) {
        return 0;
    }
    pl_debug(tx, 4, "Audit log: wrote the record in %" APR_TIME_T_FMT " usec.",
             apr_time_now() - t0);
    return 1;
}
