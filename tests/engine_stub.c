/*
 * TEMPORARY: a tiny stand-in for the engine so that mod_palisade.c can be
 * built and exercised before the real engine links.  Understands
 * SecRuleEngine, SecRequestBodyAccess, SecResponseBodyAccess,
 * SecRequestBodyLimit(Action), SecResponseBodyLimit(Action) and
 * SecRule VAR "@contains|@rx text" "id:N,phase:P,deny|drop|redirect:URL|pass,status:S".
 * To be deleted once the engine links.
 */
#include <string.h>
#include <stdlib.h>
#include "palisade.h"

pl_global pl_globals;

typedef struct stub_rule { const char *var, *op, *param; long id; int phase, action, status; const char *url; } stub_rule;
typedef struct stub_cfg { apr_array_header_t *rules; } stub_cfg;

pl_config *pl_config_create(apr_pool_t *p)
{
    pl_config *c = apr_pcalloc(p, sizeof(*c));
    stub_cfg *sc = apr_pcalloc(p, sizeof(*sc));
    c->pool = p;
    c->rule_engine = c->reqbody_access = c->resbody_access = PL_UNSET;
    c->reqbody_limit = c->resbody_limit = PL_UNSET;
    c->reqbody_limit_action = c->resbody_limit_action = PL_UNSET;
    sc->rules = apr_array_make(p, 4, sizeof(stub_rule));
    c->edits = (apr_array_header_t *)sc;   /* stub storage */
    return c;
}

#define M(f) m->f = child->f != PL_UNSET ? child->f : parent->f
pl_config *pl_config_merge(apr_pool_t *p, const pl_config *parent, const pl_config *child)
{
    pl_config *m = pl_config_create(p);
    stub_cfg *sc = (stub_cfg *)m->edits;
    M(rule_engine); M(reqbody_access); M(resbody_access); M(reqbody_limit);
    M(resbody_limit); M(reqbody_limit_action); M(resbody_limit_action);
    m->resbody_mime = child->resbody_mime ? child->resbody_mime : parent->resbody_mime;
    apr_array_cat(sc->rules, ((stub_cfg *)parent->edits)->rules);
    apr_array_cat(sc->rules, ((stub_cfg *)child->edits)->rules);
    return m;
}

int pl_config_engine(const pl_config *c)
{
    return c->rule_engine == PL_UNSET ? PL_ENGINE_OFF : c->rule_engine;
}

int pl_tokenize(apr_pool_t *p, const char *args, char **argv, int max)
{
    int n = 0;
    while (*args && n < max) {
        const char *s;
        while (*args == ' ' || *args == '\t') args++;
        if (!*args) break;
        if (*args == '"' || *args == '\'') {
            char q = *args++;
            char *out = apr_palloc(p, strlen(args) + 1), *o = out;
            while (*args && *args != q) {
                if (*args == '\\' && args[1] == q) args++;
                *o++ = *args++;
            }
            *o = 0;
            if (*args) args++;
            argv[n++] = out;
        } else {
            s = args;
            while (*args && *args != ' ' && *args != '\t') args++;
            argv[n++] = apr_pstrmemdup(p, s, args - s);
        }
    }
    return n;
}

static const char *d_engine(pl_cmd *c, const char *a)
{
    if (!strcasecmp(a, "On")) c->cfg->rule_engine = PL_ENGINE_ON;
    else if (!strcasecmp(a, "Off")) c->cfg->rule_engine = PL_ENGINE_OFF;
    else if (!strcasecmp(a, "DetectionOnly")) c->cfg->rule_engine = PL_ENGINE_DETECT;
    else return "Invalid value for SecRuleEngine";
    return NULL;
}
static const char *d_reqbody(pl_cmd *c, const char *a) { c->cfg->reqbody_access = !strcasecmp(a, "On"); return NULL; }
static const char *d_resbody(pl_cmd *c, const char *a) { c->cfg->resbody_access = !strcasecmp(a, "On"); return NULL; }
static const char *d_reqlim(pl_cmd *c, const char *a) { c->cfg->reqbody_limit = atol(a); return NULL; }
static const char *d_reslim(pl_cmd *c, const char *a) { c->cfg->resbody_limit = atol(a); return NULL; }
static const char *d_reqlima(pl_cmd *c, const char *a) { c->cfg->reqbody_limit_action = strcasecmp(a, "Reject") ? PL_LIMIT_PARTIAL : PL_LIMIT_REJECT; return NULL; }
static const char *d_reslima(pl_cmd *c, const char *a) { c->cfg->resbody_limit_action = strcasecmp(a, "Reject") ? PL_LIMIT_PARTIAL : PL_LIMIT_REJECT; return NULL; }
static const char *d_ignore(pl_cmd *c, const char *a) { (void)c; (void)a; return NULL; }

static const char *d_rule(pl_cmd *c, const char *a)
{
    char *argv[4], *tok, *last;
    int n = pl_tokenize(c->pool, a, argv, 4);
    stub_rule *r;
    if (n < 3) return "SecRule takes two or three arguments";
    r = apr_array_push(((stub_cfg *)c->cfg->edits)->rules);
    memset(r, 0, sizeof(*r));
    r->var = argv[0];
    if (!strncmp(argv[1], "@contains ", 10)) { r->op = "contains"; r->param = argv[1] + 10; }
    else if (!strncmp(argv[1], "@rx ", 4)) { r->op = "rx"; r->param = argv[1] + 4; }
    else if (argv[1][0] == '@') {
        char *sp = strchr(argv[1], ' ');
        return apr_psprintf(c->pool, "Error creating rule: Failed to resolve operator: %s",
                            sp ? apr_pstrmemdup(c->pool, argv[1] + 1, sp - argv[1] - 1) : argv[1] + 1);
    } else { r->op = "rx"; r->param = argv[1]; }
    r->phase = 2; r->status = 0; r->action = PL_DA_PASS;
    for (tok = apr_strtok(argv[2], ",", &last); tok; tok = apr_strtok(NULL, ",", &last)) {
        if (!strncmp(tok, "id:", 3)) r->id = atol(tok + 3);
        else if (!strncmp(tok, "phase:", 6)) r->phase = atoi(tok + 6);
        else if (!strncmp(tok, "status:", 7)) r->status = atoi(tok + 7);
        else if (!strcmp(tok, "deny")) r->action = PL_DA_DENY;
        else if (!strcmp(tok, "drop")) r->action = PL_DA_DROP;
        else if (!strncmp(tok, "redirect:", 9)) { r->action = PL_DA_REDIRECT; r->url = tok + 9; }
    }
    return NULL;
}

#define PL_DIRECTIVE(n, f, h) { #n, NULL, h },
const pl_directive pl_directives[] = {
#include "directives.def"
    { NULL, NULL, NULL }
};
#undef PL_DIRECTIVE

const pl_directive *pl_directive_find(const char *name)
{
    static pl_directive row;
    const pl_directive *d;
    for (d = pl_directives; d->name; d++) {
        if (strcasecmp(d->name, name)) continue;
        row = *d;
        if (!strcasecmp(name, "SecRuleEngine")) row.fn = d_engine;
        else if (!strcasecmp(name, "SecRule")) row.fn = d_rule;
        else if (!strcasecmp(name, "SecRequestBodyAccess")) row.fn = d_reqbody;
        else if (!strcasecmp(name, "SecResponseBodyAccess")) row.fn = d_resbody;
        else if (!strcasecmp(name, "SecRequestBodyLimit")) row.fn = d_reqlim;
        else if (!strcasecmp(name, "SecResponseBodyLimit")) row.fn = d_reslim;
        else if (!strcasecmp(name, "SecRequestBodyLimitAction")) row.fn = d_reqlima;
        else if (!strcasecmp(name, "SecResponseBodyLimitAction")) row.fn = d_reslima;
        else row.fn = d_ignore;
        return &row;
    }
    return NULL;
}

void pl_ops_set_pcre_limits(unsigned long match, unsigned long depth) { (void)match; (void)depth; }

pl_tx *pl_tx_create(apr_pool_t *p, const pl_config *cfg, const pl_host *host, void *host_ctx)
{
    pl_tx *tx = apr_pcalloc(p, sizeof(*tx));
    tx->pool = p; tx->cfg = cfg; tx->host = host; tx->host_ctx = host_ctx;
    tx->engine = pl_config_engine(cfg);
    tx->req_headers = apr_array_make(p, 8, sizeof(pl_var *));
    tx->resp_headers = apr_array_make(p, 8, sizeof(pl_var *));
    tx->reqbody_access = tx->resbody_access = PL_UNSET;
    tx->reqbody_limit = tx->resbody_limit = PL_UNSET;
    tx->body.chunks = apr_array_make(p, 4, sizeof(char *));
    return tx;
}

static void add_header(pl_tx *tx, apr_array_header_t *a, const char *n, const char *v)
{
    pl_var *var = apr_pcalloc(tx->pool, sizeof(*var));
    var->name = n; var->key = n; var->value = v; var->value_len = strlen(v);
    APR_ARRAY_PUSH(a, pl_var *) = var;
}
void pl_tx_add_request_header(pl_tx *tx, const char *n, const char *v) { add_header(tx, tx->req_headers, n, v); }
void pl_tx_add_response_header(pl_tx *tx, const char *n, const char *v) { add_header(tx, tx->resp_headers, n, v); }

void pl_tx_request_ready(pl_tx *tx)
{
    const char *q = strchr(tx->uri_raw, '?');
    tx->query_string = q ? q + 1 : NULL;
    tx->uri = q ? apr_pstrmemdup(tx->pool, tx->uri_raw, q - tx->uri_raw) : tx->uri_raw;
}

apr_status_t pl_tx_body_append(pl_tx *tx, const char *data, apr_size_t len)
{
    apr_off_t limit = tx->cfg->reqbody_limit > 0 ? tx->cfg->reqbody_limit : 134217728;
    if (tx->body.length + (apr_off_t)len > limit) {
        len = (apr_size_t)(limit - tx->body.length);
        APR_ARRAY_PUSH(tx->body.chunks, char *) = apr_pstrmemdup(tx->pool, data, len);
        tx->body.length += len;
        return APR_ENOSPC;
    }
    APR_ARRAY_PUSH(tx->body.chunks, char *) = apr_pstrmemdup(tx->pool, data, len);
    tx->body.length += len;
    return APR_SUCCESS;
}

void pl_tx_body_done(pl_tx *tx)
{
    int i;
    char *flat = apr_palloc(tx->pool, tx->body.length + 1), *o = flat;
    for (i = 0; i < tx->body.chunks->nelts; i++) {
        const char *c = APR_ARRAY_IDX(tx->body.chunks, i, char *);
        size_t l = strlen(c);
        memcpy(o, c, l); o += l;
    }
    *o = 0;
    tx->body.flat = flat;
}

const char *pl_tx_body_flat(pl_tx *tx, apr_size_t *len) { *len = tx->body.flat ? strlen(tx->body.flat) : 0; return tx->body.flat; }

char *pl_log_escape(apr_pool_t *p, const char *s, apr_size_t len) { return apr_pstrmemdup(p, s, len); }
char *pl_log_escape_nq(apr_pool_t *p, const char *s, apr_size_t len) { return apr_pstrmemdup(p, s, len); }

static char *unescape(apr_pool_t *p, const char *s)
{
    char *o = apr_pstrdup(p, s), *w = o;
    for (; *s; s++) {
        if (*s == '%' && s[1] && s[2]) { char h[3] = { s[1], s[2], 0 }; *w++ = (char)strtol(h, NULL, 16); s += 2; }
        else if (*s == '+') *w++ = ' ';
        else *w++ = *s;
    }
    *w = 0;
    return o;
}

static const char *value_of(pl_tx *tx, const char *var)
{
    if (!strcmp(var, "REQUEST_URI")) return tx->uri_raw;
    if (!strcmp(var, "ARGS")) return unescape(tx->pool, apr_pstrcat(tx->pool, tx->query_string ? tx->query_string : "", "&", tx->body.flat ? tx->body.flat : "", NULL));
    if (!strcmp(var, "REQUEST_BODY")) return tx->body.flat ? tx->body.flat : "";
    if (!strcmp(var, "RESPONSE_BODY")) return tx->resp_body ? tx->resp_body : "";
    if (!strcmp(var, "RESPONSE_STATUS")) return apr_itoa(tx->pool, tx->status);
    return "";
}

int pl_run_phase(pl_tx *tx, int phase)
{
    stub_cfg *sc = (stub_cfg *)tx->cfg->edits;
    int i;
    if (tx->engine == PL_ENGINE_OFF) return 0;
    for (i = 0; i < sc->rules->nelts; i++) {
        stub_rule *r = &APR_ARRAY_IDX(sc->rules, i, stub_rule);
        const char *v;
        if (r->phase != phase) continue;
        v = value_of(tx, r->var);
        if (!strstr(v, r->param)) continue;
        if (r->action == PL_DA_PASS || tx->engine == PL_ENGINE_DETECT) {
            tx->host->log_error(tx, 2, apr_psprintf(tx->pool, "Warning. String match \"%s\" at %s. [id \"%ld\"] [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]",
                                r->param, r->var, r->id, tx->hostname, tx->uri, tx->unique_id));
            continue;
        }
        tx->intercept.action = r->action;
        tx->intercept.status = r->status ? r->status : (r->action == PL_DA_REDIRECT ? 302 : 403);
        tx->intercept.url = r->url;
        tx->intercept.phase = phase;
        tx->host->log_error(tx, 1, apr_psprintf(tx->pool, "Access denied with code %d (phase %d). String match \"%s\" at %s. [id \"%ld\"] [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]",
                            tx->intercept.status, phase, r->param, r->var, r->id, tx->hostname, tx->uri, tx->unique_id));
        return 1;
    }
    return 0;
}
