/*
 * Audit log, JSON format (SecAuditLogFormat JSON): one object per line with
 * ModSecurity 2.9.7's layout (transaction, request, response, audit_data,
 * uploads, matched_rules), plus audit_data.message_details, the part H
 * messages as structured objects.  docs/audit-json.md is the schema.
 *
 * Strings are valid JSON whatever the bytes: valid UTF-8 passes through,
 * control characters and bytes that are not UTF-8 become \u00XX.
 */
#include <ctype.h>
#include <string.h>

#include "palisade.h"
#include "audit.h"

/* ---- constants --------------------------------------------------------- */

static const char *const severities[] = {
    "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"
};

/* ---- types --------------------------------------------------------------- */

/* A JSON string written from pieces (the request body): the bytes of a
 * UTF-8 sequence cut between two pieces wait in carry. */
typedef struct jpieces {
    pl_aw        *w;
    unsigned char carry[4];
    apr_size_t    ncarry;
} jpieces;

/* ---- strings ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static apr_size_t utf8_len(const unsigned char *s, apr_size_t n)
{
    apr_size_t len, i;
    unsigned int cp;

    if (s[0] < 0xc2 || s[0] > 0xf4)
        return 0;
    len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    cp = len == 2 ? (s[0] & 0x1fu) : len == 3 ? (s[0] & 0x0fu) : (s[0] & 0x07u);
    for (i = 1; i < len; i++)
        cp = (cp << 6) | (s[i] & 0x3fu);
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
        || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

/* Bytes a UTF-8 sequence starting with lead byte c claims (1 for others). */
static apr_size_t utf8_claim(unsigned char c)
{
    if (c < 0xc2 || c > 0xf4)
        return 1;
    return c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/*
 * Writes s[0..n) escaped for a JSON string and returns the bytes written.
 * When more bytes follow (final 0), a UTF-8 sequence cut by the end of s is
 * left for the caller to give again with what follows (at most 3 bytes), so
 * that the body's pieces escape exactly as the whole body would.
 */
static apr_size_t jesc(pl_aw *w, const unsigned char *u, apr_size_t n, int final)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t i = 0, start = 0, k;

    while (i < n) {
        unsigned char c = u[i];
        char esc[7];
        const char *e = NULL;

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80 && !final && n - i < utf8_claim(c))
            break;
        if (c >= 0x80 && (k = utf8_len(u + i, n - i)) > 0) {
            i += k;
            continue;
        }
        pl_aw_write(w, (const char *)u + start, i - start);
        switch (c) {
        case '"':  e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            esc[6] = '\0';
            e = esc;
        }
        pl_aw_puts(w, e);
        start = ++i;
    }
    pl_aw_write(w, (const char *)u + start, i - start);
    return i;
}

static void jstr(pl_aw *w, const char *s, apr_size_t n)
{
    pl_aw_write(w, "\"", 1);
    if (s != NULL)
        jesc(w, (const unsigned char *)s, n, 1);
    pl_aw_write(w, "\"", 1);
}

static int jstr_piece(void *ctx, const char *data, apr_size_t len)
{
    jpieces *jp = ctx;
    const unsigned char *u = (const unsigned char *)data;
    apr_size_t used = 0, k;

    if (jp->ncarry > 0) {
        /* the held bytes and enough of this piece to end their sequence */
        unsigned char tmp[8];
        apr_size_t take = len < 4 ? len : 4, t = jp->ncarry + take;

        memcpy(tmp, jp->carry, jp->ncarry);
        memcpy(tmp + jp->ncarry, u, take);
        k = jesc(jp->w, tmp, t, 0);
        if (k < jp->ncarry) {
            /* still cut: this piece was shorter than the sequence */
            memmove(jp->carry, tmp + k, t - k);
            jp->ncarry = t - k;
            return 0;
        }
        used = k - jp->ncarry;
        jp->ncarry = 0;
    }
    used += jesc(jp->w, u + used, len - used, 0);
    memcpy(jp->carry, u + used, len - used);
    jp->ncarry = len - used;
    return 0;
}

static void jcstr(pl_aw *w, const char *s)
{
    jstr(w, s, s ? strlen(s) : 0);
}

/* "key": ; comma before every member but the first of an object */
static void jkey(pl_aw *w, int *first, const char *key)
{
    if (!*first)
        pl_aw_write(w, ",", 1);
    *first = 0;
    jcstr(w, key);
    pl_aw_write(w, ":", 1);
}

static void jkv_str(pl_aw *w, int *first, const char *key, const char *v)
{
    jkey(w, first, key);
    jcstr(w, v);
}

static void jkv_int(pl_aw *w, int *first, const char *key, long v)
{
    jkey(w, first, key);
    pl_aw_printf(w, "%ld", v);
}

static void jkv_bool(pl_aw *w, int *first, const char *key, int v)
{
    jkey(w, first, key);
    pl_aw_puts(w, v ? "true" : "false");
}

static void jstr_array(pl_aw *w, const apr_array_header_t *a)
{
    int i;

    pl_aw_write(w, "[", 1);
    for (i = 0; a != NULL && i < a->nelts; i++) {
        if (i)
            pl_aw_write(w, ",", 1);
        jcstr(w, APR_ARRAY_IDX(a, i, const char *));
    }
    pl_aw_write(w, "]", 1);
}

/* Headers as an object, as 2.9 writes them (a repeated name repeats the
 * key; readers that need every value should keep duplicate keys). */
static void jheaders(pl_aw *w, const apr_array_header_t *h)
{
    int i, first = 1;

    pl_aw_write(w, "{", 1);
    for (i = 0; i < h->nelts; i++) {
        const pl_audit_hdr *e = &APR_ARRAY_IDX(h, i, pl_audit_hdr);
        jkv_str(w, &first, e->name, e->value);
    }
    pl_aw_write(w, "}", 1);
}

/* ---- sections -------------------------------------------------------------- */

static void transaction(pl_aw *w, const pl_audit_rec *r)
{
    const pl_tx *tx = r->tx;
    int first = 1;

    pl_aw_puts(w, "\"transaction\":{");
    jkv_str(w, &first, "time", r->logtime);
    jkv_str(w, &first, "transaction_id", tx->unique_id ? tx->unique_id : "-");
    jkv_str(w, &first, "remote_address", tx->remote_addr ? tx->remote_addr : "");
    jkv_int(w, &first, "remote_port", tx->remote_port);
    jkv_str(w, &first, "local_address", tx->server_addr ? tx->server_addr : "");
    jkv_int(w, &first, "local_port", tx->server_port);
    pl_aw_write(w, "}", 1);
}

static void request(pl_aw *w, const pl_audit_rec *r)
{
    int first = 1;

    pl_aw_puts(w, ",\"request\":{");
    jkv_str(w, &first, "request_line", r->request_line ? r->request_line : "");
    if (pl_audit_has_part(r, 'B')) {
        jkey(w, &first, "headers");
        jheaders(w, r->req_headers);
    }
    if ((pl_audit_has_part(r, 'C') || (pl_audit_has_part(r, 'I') && !r->multipart))
        && (r->body != NULL || r->body_stored)) {
        jpieces jp;

        jkey(w, &first, "body");
        pl_aw_write(w, "[\"", 2);
        memset(&jp, 0, sizeof(jp));
        jp.w = w;
        pl_audit_body_each(r, jstr_piece, &jp);
        jesc(w, jp.carry, jp.ncarry, 1);
        pl_aw_write(w, "\"]", 2);
    }
    if (pl_audit_has_part(r, 'I') && r->multipart && r->fake_body != NULL)
        jkv_str(w, &first, "fake_body", r->fake_body);
    pl_aw_write(w, "}", 1);
}

static void response(pl_aw *w, const pl_audit_rec *r)
{
    int first = 1;

    if (!pl_audit_has_part(r, 'F') && !(pl_audit_has_part(r, 'E') && r->resp_body))
        return;
    pl_aw_puts(w, ",\"response\":{");
    if (pl_audit_has_part(r, 'F')) {
        jkv_str(w, &first, "protocol", r->resp_protocol);
        jkv_int(w, &first, "status", r->status);
        jkey(w, &first, "headers");
        jheaders(w, r->resp_headers);
    }
    if (pl_audit_has_part(r, 'E') && r->resp_body != NULL) {
        jkey(w, &first, "body");
        jstr(w, r->resp_body, r->resp_body_len);
    }
    pl_aw_write(w, "}", 1);
}

/* The rule fields of one message, from the match that produced it. */
static void message_detail(pl_aw *w, const pl_audit_rec *r, const pl_alert *a)
{
    const pl_tx *tx = r->tx;
    const pl_match *m = NULL;
    const pl_rule *s;
    int first = 1, i;

    if (a->match >= 0 && tx->matches && a->match < tx->matches->nelts)
        m = &APR_ARRAY_IDX(tx->matches, a->match, pl_match);
    pl_aw_write(w, "{", 1);
    jkv_str(w, &first, "message", a->text);
    if (m == NULL || m->rule == NULL) {
        pl_aw_write(w, "}", 1);
        return;
    }
    s = m->rule;
    {
        const char *dot = strchr(a->text, '.');
        jkey(w, &first, "action");
        jstr(w, a->text, dot ? (apr_size_t)(dot - a->text) : strlen(a->text));
    }
    jkv_int(w, &first, "phase", m->phase);
    jkv_bool(w, &first, "disruptive", m->disruptive);
    if (m->op_message)
        jkv_str(w, &first, "operator_message", m->op_message);
    if (s->id_str)
        jkv_str(w, &first, "id", s->id_str);
    jkv_str(w, &first, "file", s->file ? s->file : "");
    jkv_int(w, &first, "line", s->line);
    if (s->rev)
        jkv_str(w, &first, "rev", s->rev);
    {
        /* msg and data as they were logged: from the message text, where
         * the macros were expanded at match time */
        static const char *const fields[] = { "msg", "data", NULL };
        for (i = 0; fields[i]; i++) {
            const char *open = apr_pstrcat(tx->pool, " [", fields[i], " \"", NULL);
            const char *b = strstr(a->text, open), *e;
            if (b == NULL)
                continue;
            b += strlen(open);
            for (e = b; *e && !(e[0] == '"' && e[1] == ']' && e[-1] != '\\'); e++)
                ;
            jkey(w, &first, fields[i]);
            jstr(w, b, (apr_size_t)(e - b));
        }
    }
    if (s->severity >= 0 && s->severity <= 7)
        jkv_str(w, &first, "severity", severities[s->severity]);
    if (s->ver)
        jkv_str(w, &first, "ver", s->ver);
    if (s->maturity > 0)
        jkv_int(w, &first, "maturity", s->maturity);
    if (s->accuracy > 0)
        jkv_int(w, &first, "accuracy", s->accuracy);
    jkey(w, &first, "tags");
    jstr_array(w, s->tags);
    pl_aw_write(w, "}", 1);
}

static void audit_data(pl_aw *w, const pl_audit_rec *r)
{
    int first = 1, i;

    if (!pl_audit_has_part(r, 'H'))
        return;
    pl_aw_puts(w, ",\"audit_data\":{");
    /* as 2.9: the lists only when they have something */
    if (r->alerts->nelts > 0) {
        jkey(w, &first, "messages");
        pl_aw_write(w, "[", 1);
        for (i = 0; i < r->alerts->nelts; i++) {
            if (i)
                pl_aw_write(w, ",", 1);
            jcstr(w, APR_ARRAY_IDX(r->alerts, i, pl_alert).text);
        }
        pl_aw_write(w, "]", 1);
        jkey(w, &first, "message_details");
        pl_aw_write(w, "[", 1);
        for (i = 0; i < r->alerts->nelts; i++) {
            if (i)
                pl_aw_write(w, ",", 1);
            message_detail(w, r, &APR_ARRAY_IDX(r->alerts, i, pl_alert));
        }
        pl_aw_write(w, "]", 1);
    }
    if (r->errors->nelts > 0) {
        jkey(w, &first, "error_messages");
        jstr_array(w, r->errors);
    }
    if (r->intercepted) {
        int f2 = 1;
        jkey(w, &first, "action");
        pl_aw_write(w, "{", 1);
        jkv_bool(w, &f2, "intercepted", 1);
        jkv_int(w, &f2, "phase", r->intercept_phase);
        if (r->intercept_message)
            jkv_str(w, &f2, "message", r->intercept_message);
        pl_aw_write(w, "}", 1);
    }
    if (r->handler)
        jkv_str(w, &first, "handler", r->handler);
    {
        int f2 = 1;
        static const char *const names[] = { NULL, "p1", "p2", "p3", "p4", "p5" };
        jkey(w, &first, "stopwatch");
        pl_aw_write(w, "{", 1);
        for (i = 1; i <= PL_PHASES; i++)
            jkv_int(w, &f2, names[i], (long)r->phase_time[i]);
        jkv_int(w, &f2, "sr", 0);
        jkv_int(w, &f2, "sw", 0);
        jkv_int(w, &f2, "l", 0);
        jkv_int(w, &f2, "gc", 0);
        pl_aw_write(w, "}", 1);
    }
    if (pl_audit_has_part(r, 'E') && r->resp_body != NULL)
        jkv_bool(w, &first, "response_body_dechunked", 1);
    jkey(w, &first, "producer");
    if (r->producer->nelts == 1)
        jcstr(w, APR_ARRAY_IDX(r->producer, 0, const char *));
    else
        jstr_array(w, r->producer);
    if (r->server)
        jkv_str(w, &first, "server", r->server);
    if (r->san_args->nelts || r->san_req_headers->nelts || r->san_resp_headers->nelts) {
        int f2 = 1;
        jkey(w, &first, "sanitized");
        pl_aw_write(w, "{", 1);
        if (r->san_args->nelts) {
            jkey(w, &f2, "args");
            jstr_array(w, r->san_args);
        }
        if (r->san_req_headers->nelts) {
            jkey(w, &f2, "request_headers");
            jstr_array(w, r->san_req_headers);
        }
        if (r->san_resp_headers->nelts) {
            jkey(w, &f2, "response_headers");
            jstr_array(w, r->san_resp_headers);
        }
        pl_aw_write(w, "}", 1);
    }
    if (r->webapp_info) {
        int f2 = 1;
        jkey(w, &first, "webapp_info");
        pl_aw_write(w, "{", 1);
        if (r->webapp_id)
            jkv_str(w, &f2, "id", r->webapp_id);
        if (r->session_id)
            jkv_str(w, &f2, "session", r->session_id);
        if (r->user_id)
            jkv_str(w, &f2, "user_id", r->user_id);
        pl_aw_write(w, "}", 1);
    }
    if (r->sensor_id)
        jkv_str(w, &first, "sensor_id", r->sensor_id);
    if (r->engine_mode)
        jkv_str(w, &first, "engine_mode", r->engine_mode);
    pl_aw_write(w, "}", 1);
}

static void uploads(pl_aw *w, const pl_audit_rec *r)
{
    int first = 1, i;

    if (!pl_audit_has_part(r, 'J') || r->uploads == NULL)
        return;
    pl_aw_puts(w, ",\"uploads\":{\"info\":[");
    for (i = 0; i < r->uploads->nelts; i++) {
        const pl_audit_upload *u = &APR_ARRAY_IDX(r->uploads, i, pl_audit_upload);
        int f2 = 1;
        pl_aw_puts(w, i ? ",{" : "{");
        jkv_int(w, &f2, "file_size", (long)u->size);
        jkv_str(w, &f2, "file_name", u->name);
        jkv_str(w, &f2, "content_type", u->ctype ? u->ctype : "<Unknown Content-Type>");
        jkv_int(w, &f2, "part", u->index);
        pl_aw_write(w, "}", 1);
    }
    pl_aw_write(w, "]", 1);
    first = 0;
    jkv_int(w, &first, "total", (long)r->uploads_total);
    pl_aw_write(w, "}", 1);
}

static void rule_json(pl_aw *w, const pl_audit_rec *r, const pl_rule *rule)
{
    const pl_tx *tx = r->tx;
    const int starter = rule->chain_start == NULL || rule->chain_start == rule;
    const int chained = rule->chain_next != NULL || !starter;
    int first = 1, f2 = 1;

    pl_aw_puts(w, "{\"actionset\":{");
    if (starter && rule->id_str)
        jkv_str(w, &f2, "id", rule->id_str);
    if (starter && rule->rev)
        jkv_str(w, &f2, "rev", rule->rev);
    if (starter && rule->ver)
        jkv_str(w, &f2, "version", rule->ver);
    if (starter && rule->severity >= 0 && rule->severity <= 7)
        jkv_int(w, &f2, "severity", rule->severity);
    if (starter && rule->accuracy > 0)
        jkv_int(w, &f2, "accuracy", rule->accuracy);
    if (starter && rule->maturity > 0)
        jkv_int(w, &f2, "maturity", rule->maturity);
    jkv_int(w, &f2, "phase", rule->phase);
    jkv_bool(w, &f2, "is_chained", chained);
    if (starter && rule->chain_next != NULL)
        jkv_bool(w, &f2, "chain_starter", 1);
    if (starter && rule->tags && rule->tags->nelts > 0) {
        jkey(w, &f2, "tags");
        jstr_array(w, rule->tags);
    }
    pl_aw_puts(w, "},\"operator\":{");
    f2 = 1;
    if (rule->type == PL_RT_RULE) {
        jkv_str(w, &f2, "operator", rule->op.def ? rule->op.def->name : "rx");
        jkv_str(w, &f2, "operator_param", rule->op.param ? rule->op.param : "");
        jkv_str(w, &f2, "target", rule->text_targets ? rule->text_targets : "");
        jkv_bool(w, &f2, "negated", rule->op.negated);
    } else {
        jkv_str(w, &f2, "operator", "unconditionalMatch");
        jkv_str(w, &f2, "operator_param", "");
        jkv_str(w, &f2, "target", "REMOTE_ADDR");
        jkv_bool(w, &f2, "negated", 0);
    }
    pl_aw_puts(w, "},\"config\":{");
    f2 = 1;
    jkv_str(w, &f2, "filename", rule->file ? rule->file : "");
    jkv_int(w, &f2, "line_num", rule->line);
    pl_aw_write(w, "}", 1);
    first = 0;
    jkv_str(w, &first, "unparsed", pl_rule_unparsed(tx->pool, rule, r->defaults));
    jkv_bool(w, &first, "is_matched", pl_audit_rule_matched(tx, rule));
    pl_aw_write(w, "}", 1);
}

static void matched_rules(pl_aw *w, const pl_audit_rec *r)
{
    const pl_tx *tx = r->tx;
    int i, n = 0;

    if (!pl_audit_has_part(r, 'K'))
        return;
    pl_aw_puts(w, ",\"matched_rules\":[");
    for (i = 0; tx->matched_rules && i < tx->matched_rules->nelts; i++) {
        const pl_rule *rule = APR_ARRAY_IDX(tx->matched_rules, i, const pl_rule *), *m;
        int all = 1, first = 1;

        if (rule->chain_start != NULL && rule->chain_start != rule)
            continue;
        pl_aw_puts(w, n++ ? ",{" : "{");
        jkv_bool(w, &first, "chain", rule->chain_next != NULL);
        jkey(w, &first, "rules");
        pl_aw_write(w, "[", 1);
        rule_json(w, r, rule);
        for (m = rule->chain_next; m != NULL; m = m->chain_next) {
            pl_aw_write(w, ",", 1);
            rule_json(w, r, m);
            all &= pl_audit_rule_matched(tx, m);
        }
        pl_aw_write(w, "]", 1);
        if (rule->chain_next != NULL)
            jkv_bool(w, &first, "full_chain_match", all);
        pl_aw_write(w, "}", 1);
    }
    pl_aw_write(w, "]", 1);
}

void pl_audit_write_json(pl_aw *w, const pl_audit_rec *r)
{
    pl_aw_write(w, "{", 1);
    transaction(w, r);
    request(w, r);
    response(w, r);
    audit_data(w, r);
    uploads(w, r);
    matched_rules(w, r);
    pl_aw_write(w, "}\n", 2);
}
