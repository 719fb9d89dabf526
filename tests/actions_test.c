/*
 * Unit test of apache2/actions.c: every action name, init of each action
 * kind, setvar arithmetic and deletion (compared with the debug log of
 * ModSecurity 2.9.7), setenv, expirevar/deprecatevar, initcol/setsid and
 * ctl parsing of id ranges and target removals.
 *
 * Standalone: the functions of other subsystems are small stubs below.
 *
 * Build and run (from the repository root):
 *   gcc -Wall -Wextra -Werror -fPIC -std=gnu11 \
 *       $(apr-1-config --cflags --cppflags --includes) $(apu-1-config --includes) \
 *       $(pkg-config --cflags libpcre2-8 libxml-2.0) -Iapache2 \
 *       tests/actions_test.c apache2/actions.c apache2/persist.c \
 *       apache2/persist_sdbm.c apache2/persist_redis.c -o /tmp/actions_test \
 *       $(apu-1-config --link-ld) $(apr-1-config --link-ld) \
 *       $(pkg-config --libs libpcre2-8) && /tmp/actions_test
 * (persist_redis.c is a stub without -DPL_HAVE_HIREDIS)
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "palisade.h"

/* ---- test bookkeeping ---------------------------------------------------- */

static int passed, failed;

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
        printf("  got \"%s\", want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
    check(ok, what);
}

static apr_pool_t *pool;

/* ---- stubs: debug log ---------------------------------------------------- */

static apr_array_header_t *debug_lines;   /* char* */

void pl_debug(pl_tx *tx, int level, const char *fmt, ...)
{
    va_list ap;

    if (tx->debug_log_level < level)
        return;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(debug_lines, char *) = apr_pvsprintf(pool, fmt, ap);
    va_end(ap);
}

char *pl_log_escape(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *out = apr_palloc(p, len * 2 + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\') *d++ = '\\';
        *d++ = s[i];
    }
    *d = '\0';
    return out;
}

char *pl_log_escape_nq(apr_pool_t *p, const char *s, apr_size_t len)
{
    return apr_pstrmemdup(p, s, len);
}

static int log_has(const char *line)
{
    int i;

    for (i = 0; i < debug_lines->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(debug_lines, i, char *), line) == 0)
            return 1;
    printf("  debug log lacks: %s\n", line);
    return 0;
}

/* The debug log holds exactly these lines, in order. */
static int log_is(const char *const *want, int n)
{
    int i, ok = (debug_lines->nelts == n);

    for (i = 0; i < n && i < debug_lines->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(debug_lines, i, char *), want[i]) != 0) {
            printf("  line %d: got \"%s\", want \"%s\"\n", i,
                   APR_ARRAY_IDX(debug_lines, i, char *), want[i]);
            ok = 0;
        }
    }
    if (debug_lines->nelts != n) {
        printf("  %d lines, want %d\n", debug_lines->nelts, n);
        for (i = 0; i < debug_lines->nelts; i++)
            printf("    %s\n", APR_ARRAY_IDX(debug_lines, i, char *));
    }
    return ok;
}

void pl_log_alert(pl_tx *tx, int level, const char *msg)
{
    pl_debug(tx, level, "%s", msg);
}

/* exec: no program is run here (tests/extops_test.py runs them). */
int pl_exec_program(pl_tx *tx, const char *cmd, const char *arg,
                    char **first_line, const char **err)
{
    (void)tx; (void)cmd; (void)arg;
    *first_line = NULL;
    *err = "Exec: not in unit tests";
    return -1;
}

/* Lua (lua.c) and file names (ops.c): no script is compiled or run here
 * (tests/engine/5xx-lua-*.t run them). */
int pl_lua_is_script(const char *path)
{
    apr_size_t n = strlen(path);

    return n > 4 && strcmp(path + n - 4, ".lua") == 0;
}

const char *pl_lua_compile(apr_pool_t *p, const char *path, pl_lua_script **out)
{
    (void)p; (void)path;
    *out = NULL;
    return "Lua: not in unit tests";
}

int pl_lua_run(pl_tx *tx, pl_rule *rule, const pl_lua_script *s, const char *param,
               char **msg)
{
    (void)tx; (void)rule; (void)s; (void)param;
    *msg = "Lua: not in unit tests";
    return -1;
}

const char *pl_resolve_path(apr_pool_t *p, const char *rule_file, const char *fn)
{
    (void)p; (void)rule_file;
    return fn;
}

/* audit log (audit.c): the sanitise* actions record their requests there */
void pl_audit_sanitise(pl_tx *tx, int kind, const char *name, int keep_front, int keep_back)
{
    (void)tx; (void)kind; (void)name; (void)keep_front; (void)keep_back;
}

void pl_audit_sanitise_matched(pl_tx *tx, int keep_front, int keep_back)
{
    (void)tx; (void)keep_front; (void)keep_back;
}

/* ---- stubs: collections ----------------------------------------------------- */

pl_coll *pl_coll_create(apr_pool_t *p, const char *name, int keyed)
{
    pl_coll *c = apr_pcalloc(p, sizeof(*c));

    c->name = name;
    c->pool = p;
    c->items = apr_array_make(p, 8, sizeof(pl_var *));
    c->index = keyed ? apr_hash_make(p) : NULL;
    return c;
}

static char *lower(apr_pool_t *p, const char *s)
{
    char *l = apr_pstrdup(p, s), *c;

    for (c = l; *c; c++) *c = (char)tolower((unsigned char)*c);
    return l;
}

pl_var *pl_coll_get(const pl_coll *c, const char *key)
{
    int i;

    for (i = 0; i < c->items->nelts; i++) {
        pl_var *v = APR_ARRAY_IDX(c->items, i, pl_var *);
        if (strcasecmp(v->key, key) == 0)
            return v;
    }
    return NULL;
}

pl_var *pl_coll_set(pl_coll *c, const char *key, const char *val, apr_size_t len)
{
    pl_var *v = c->index ? pl_coll_get(c, key) : NULL;

    if (v == NULL) {
        v = apr_pcalloc(c->pool, sizeof(*v));
        APR_ARRAY_PUSH(c->items, pl_var *) = v;
        if (c->index)
            apr_hash_set(c->index, lower(c->pool, key), APR_HASH_KEY_STRING, v);
    }
    v->key = key;
    v->name = apr_pstrcat(c->pool, c->name, ":", key, NULL);
    v->value = val;
    v->value_len = len;
    return v;
}

void pl_coll_add(pl_coll *c, const char *key, const char *val, apr_size_t len)
{
    pl_var *v = apr_pcalloc(c->pool, sizeof(*v));

    v->key = key;
    v->value = val;
    v->value_len = len;
    APR_ARRAY_PUSH(c->items, pl_var *) = v;
}

void pl_coll_del(pl_coll *c, const char *key)
{
    int i, j;

    for (i = 0, j = 0; i < c->items->nelts; i++) {
        pl_var *v = APR_ARRAY_IDX(c->items, i, pl_var *);
        if (strcasecmp(v->key, key) != 0)
            APR_ARRAY_IDX(c->items, j++, pl_var *) = v;
    }
    c->items->nelts = j;
    if (c->index)
        apr_hash_set(c->index, lower(c->pool, key), APR_HASH_KEY_STRING, NULL);
}

void pl_coll_clear(pl_coll *c)
{
    c->items->nelts = 0;
}

/* ---- stubs: macros: literal text with %{COLL.key} looked up in tx->colls -- */

struct pl_macro {
    const char *text;
    int         is_const;
};

pl_macro *pl_macro_compile(apr_pool_t *p, const char *text, const char **err)
{
    pl_macro *m = apr_pcalloc(p, sizeof(*m));

    *err = NULL;
    if (strstr(text, "%{}") != NULL) {
        *err = "empty macro";
        return NULL;
    }
    m->text = text;
    m->is_const = strstr(text, "%{") == NULL;
    return m;
}

pl_macro *pl_macro_literal(apr_pool_t *p, const char *text)
{
    pl_macro *m = apr_pcalloc(p, sizeof(*m));

    m->text = text;
    m->is_const = 1;
    return m;
}

int pl_macro_is_const(const pl_macro *m) { return m->is_const; }
const char *pl_macro_text(const pl_macro *m) { return m->text; }

const char *pl_macro_expand(pl_tx *tx, const pl_macro *m, apr_size_t *len)
{
    const char *s = m->text;
    struct { char buf[1024]; apr_size_t n; } out;

    out.n = 0;
    while (*s) {
        const char *open = strstr(s, "%{"), *close = open ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) {
            memcpy(out.buf + out.n, s, strlen(s));
            out.n += strlen(s);
            break;
        }
        memcpy(out.buf + out.n, s, open - s);
        out.n += open - s;
        {
            char *name = apr_pstrmemdup(pool, open + 2, close - open - 2);
            char *dot = strchr(name, '.'), *c;
            pl_coll *coll;
            if (dot) {
                *dot = '\0';
                for (c = name; *c; c++) *c = (char)toupper((unsigned char)*c);
                coll = apr_hash_get(tx->colls, name, APR_HASH_KEY_STRING);
                if (coll) {
                    pl_var *v = pl_coll_get(coll, dot + 1);
                    if (v) {
                        memcpy(out.buf + out.n, v->value, v->value_len);
                        out.n += v->value_len;
                    }
                }
            }
        }
        s = close + 1;
    }
    *len = out.n;
    return apr_pstrmemdup(tx->pool, out.buf, out.n);
}

/* ---- stubs: transformations, regex, targets, id ranges ----------------------- */

static int tfn_dummy(apr_pool_t *p, const char *in, apr_size_t len, char **out,
                     apr_size_t *out_len)
{
    (void)p;
    *out = (char *)in;
    *out_len = len;
    return 0;
}

static const pl_tfndef tfns[] = {
    { "lowercase", tfn_dummy }, { "urlDecodeUni", tfn_dummy }, { "normalisePath", tfn_dummy },
};

const pl_tfndef *pl_tfn_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(tfns) / sizeof(tfns[0]); i++)
        if (strcasecmp(tfns[i].name, name) == 0)
            return &tfns[i];
    return NULL;
}

static apr_status_t re_free(void *re)
{
    pcre2_code_free(re);
    return APR_SUCCESS;
}

pcre2_code *pl_regex_compile(apr_pool_t *p, const char *re, int caseless, const char **err)
{
    int rc;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                     caseless ? PCRE2_CASELESS : 0, &rc, &off, NULL);

    if (code == NULL) {
        *err = "bad regex";
        return NULL;
    }
    apr_pool_cleanup_register(p, code, re_free, apr_pool_cleanup_null);
    return code;
}

/* "ARGS:a|REQUEST_COOKIES:/x/" -> pl_target with coll/selector/text. */
const char *pl_parse_targets(pl_cmd *cmd, apr_pool_t *p, const char *text,
                             apr_array_header_t *out)
{
    char *copy = apr_pstrdup(p, text), *last, *tok;

    (void)cmd;
    for (tok = apr_strtok(copy, "|", &last); tok; tok = apr_strtok(NULL, "|", &last)) {
        pl_target *t = apr_array_push(out);
        char *colon = strchr(tok, ':');
        memset(t, 0, sizeof(*t));
        t->text = tok;
        if (colon) {
            t->coll = apr_pstrmemdup(p, tok, colon - tok);
            t->selector = colon + 1;
        } else {
            t->coll = tok;
        }
        if (*t->coll == '\0')
            return "bad target";
    }
    return NULL;
}

const char *pl_parse_id_ranges(apr_pool_t *p, const char *text, apr_array_header_t *out)
{
    const char *s = text;

    while (*s) {
        char *end;
        pl_id_range g;

        while (*s && (isspace((unsigned char)*s) || *s == ',')) s++;
        if (*s == '\0') break;
        g.from = g.to = strtol(s, &end, 10);
        if (end == s) return apr_psprintf(p, "Invalid rule id: %s", s);
        s = end;
        if (*s == '-') {
            g.to = strtol(s + 1, &end, 10);
            s = end;
        }
        APR_ARRAY_PUSH(out, pl_id_range) = g;
    }
    return out->nelts ? NULL : "empty id list";
}

/* ---- fixtures --------------------------------------------------------------- */

static pl_config cfg;
static apr_array_header_t *env_set;   /* "name=value" / "!name" */

static void host_set_env(pl_tx *tx, const char *name, const char *value)
{
    (void)tx;
    APR_ARRAY_PUSH(env_set, char *) = apr_pstrcat(pool, name, "=", value, NULL);
}

static void host_unset_env(pl_tx *tx, const char *name)
{
    (void)tx;
    APR_ARRAY_PUSH(env_set, char *) = apr_pstrcat(pool, "!", name, NULL);
}

static const pl_host host = { NULL, host_set_env, host_unset_env };

static pl_rule *new_rule(void)
{
    pl_rule *r = apr_pcalloc(pool, sizeof(*r));

    r->severity = r->maturity = r->accuracy = r->status = PL_UNSET;
    r->log = r->auditlog = r->phase = PL_UNSET;
    r->actions = apr_array_make(pool, 4, sizeof(pl_action));
    r->chain_start = r;
    return r;
}

static pl_tx *new_tx(void)
{
    pl_tx *tx = apr_pcalloc(pool, sizeof(*tx));

    tx->pool = pool;
    tx->cfg = &cfg;
    tx->host = &host;
    tx->start = apr_time_from_sec(1700000000);
    tx->debug_log_level = 9;
    tx->colls = apr_hash_make(pool);
    tx->tx_coll = pl_coll_create(pool, "TX", 1);
    apr_hash_set(tx->colls, "TX", APR_HASH_KEY_STRING, tx->tx_coll);
    tx->env = pl_coll_create(pool, "ENV", 1);
    debug_lines->nelts = 0;
    env_set->nelts = 0;
    return tx;
}

/* Adds an action to r as the parser does; returns init's error. */
static const char *add(pl_rule *r, const char *name, const char *param, pl_action **out)
{
    const pl_actiondef *def = pl_actiondef_find(name);
    pl_action *a;

    if (def == NULL)
        return "no such action";
    a = apr_array_push(r->actions);
    memset(a, 0, sizeof(*a));
    a->def = def;
    a->param = param;
    if (out) *out = a;
    return def->init ? def->init(r, a, pool) : NULL;
}

/* Adds and executes a run-time action; returns exec's result, or -9 when
 * init failed. */
static int run(pl_tx *tx, const char *name, const char *param)
{
    pl_rule *r = new_rule();
    pl_action *a;

    if (add(r, name, param, &a) != NULL)
        return -9;
    return a->def->exec(tx, r, a);
}

static const char *txval(pl_tx *tx, const char *coll, const char *key)
{
    pl_coll *c = apr_hash_get(tx->colls, coll, APR_HASH_KEY_STRING);
    pl_var *v = c ? pl_coll_get(c, key) : NULL;

    return v ? v->value : NULL;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_names(void)
{
    static const char *const names[] = {
        "accuracy", "allow", "append", "auditlog", "block", "capture", "chain", "ctl",
        "deny", "deprecatevar", "drop", "exec", "expirevar", "id", "initcol", "log",
        "logdata", "marker", "maturity", "msg", "multiMatch", "noauditlog", "nolog",
        "pass", "pause", "phase", "prepend", "proxy", "redirect", "rev",
        "sanitiseArg", "sanitiseMatched", "sanitiseMatchedBytes", "sanitiseRequestHeader",
        "sanitiseResponseHeader", "sanitizeArg", "sanitizeMatched", "sanitizeMatchedBytes",
        "sanitizeRequestHeader", "sanitizeResponseHeader", "setenv", "setrsc", "setsid",
        "setuid", "setvar", "severity", "skip", "skipAfter", "status", "t", "tag", "ver",
        "xmlns",
    };
    size_t i;
    int found = 0, run_ok = 1;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const pl_actiondef *d = pl_actiondef_find(names[i]);
        if (d != NULL && strcmp(d->name, names[i]) == 0) found++;
        else printf("  missing action %s\n", names[i]);
        if (d != NULL && d->type == PL_AT_RUN && d->exec == NULL) run_ok = 0;
        if (d != NULL && d->type != PL_AT_RUN && d->exec != NULL) run_ok = 0;
    }
    check(sizeof(names) / sizeof(names[0]) == 53 && found == 53, "all 53 action names");
    check(run_ok, "exactly the run-time actions have exec");
    check(pl_actiondef_find("SETVAR") == pl_actiondef_find("setvar"), "lookup ignores case");
    check(pl_actiondef_find("multimatch") != NULL, "multimatch found");
    check(pl_actiondef_find("SkipAfter") != NULL, "SkipAfter found");
    check(pl_actiondef_find("bogus") == NULL, "unknown action");
    check(pl_actiondef_find("setvar")->arg == PL_ARG_REQ, "setvar needs a parameter");
    check(pl_actiondef_find("deny")->arg == PL_ARG_NONE, "deny takes none");
    check(pl_actiondef_find("allow")->arg == PL_ARG_OPT, "allow takes an optional one");
    check(!(pl_actiondef_find("exec")->flags & PL_AF_NOT_YET), "exec implemented");
    check(!(pl_actiondef_find("append")->flags & PL_AF_NOT_YET), "append implemented");
    check(!(pl_actiondef_find("prepend")->flags & PL_AF_NOT_YET), "prepend implemented");
    check(pl_actiondef_find("proxy")->flags == 0, "proxy accepted");
    check_str(add(new_rule(), "exec", "/bin/x", NULL), NULL, "exec init");
    check_str(add(new_rule(), "exec", "/x/y.lua", NULL), "Lua: not in unit tests",
              "exec compiles a Lua script");
}

static void test_meta(void)
{
    pl_rule *r = new_rule();
    pl_action *a;

    check(add(r, "id", "942100", NULL) == NULL && r->id == 942100, "id");
    check_str(r->id_str, "942100", "id_str");
    check_str(add(r, "id", "abc", NULL), "Invalid value for action ID: abc", "id abc");
    check(add(r, "id", "0", NULL) != NULL, "id 0");
    check(add(r, "id", "-5", NULL) != NULL, "id negative");
    check(add(r, "id", "12x", NULL) != NULL, "id 12x");
    check(add(r, "id", "99999999999", NULL) != NULL, "id too big");
    check(add(r, "rev", "2", NULL) == NULL && strcmp(r->rev, "2") == 0, "rev");
    check(add(r, "ver", "OWASP_CRS/3.3.4", NULL) == NULL
          && strcmp(r->ver, "OWASP_CRS/3.3.4") == 0, "ver");
    check(add(r, "msg", "SQLi %{tx.x}", &a) == NULL && r->msg != NULL
          && strcmp(pl_macro_text(r->msg), "SQLi %{tx.x}") == 0 && a->macro == r->msg, "msg");
    check(add(r, "logdata", "Matched Data: %{TX.0}", NULL) == NULL && r->logdata != NULL, "logdata");
    check(add(r, "msg", "bad %{}", NULL) != NULL, "msg macro error");
    check(add(r, "severity", "CRITICAL", NULL) == NULL && r->severity == 2, "severity CRITICAL");
    check(add(r, "severity", "warning", NULL) == NULL && r->severity == 4, "severity warning");
    check(add(r, "severity", "EMERGENCY", NULL) == NULL && r->severity == 0, "severity EMERGENCY");
    check(add(r, "severity", "debug", NULL) == NULL && r->severity == 7, "severity debug");
    check(add(r, "severity", "5", NULL) == NULL && r->severity == 5, "severity 5");
    check(add(r, "severity", "8", NULL) != NULL, "severity 8");
    check(add(r, "severity", "loud", NULL) != NULL, "severity loud");
    check(add(r, "maturity", "9", NULL) == NULL && r->maturity == 9, "maturity");
    check(add(r, "accuracy", "8", NULL) == NULL && r->accuracy == 8, "accuracy");
    check(add(r, "tag", "application-multi", NULL) == NULL
          && add(r, "tag", "OWASP_CRS", NULL) == NULL && r->tags->nelts == 2
          && strcmp(APR_ARRAY_IDX(r->tags, 1, const char *), "OWASP_CRS") == 0, "tags append");
    check(add(r, "phase", "request", NULL) == NULL && r->phase == 2, "phase request");
    check(add(r, "phase", "RESPONSE", NULL) == NULL && r->phase == 4, "phase response");
    check(add(r, "phase", "logging", NULL) == NULL && r->phase == 5, "phase logging");
    check(add(r, "phase", "1", NULL) == NULL && r->phase == 1, "phase 1");
    check(add(r, "phase", "5", NULL) == NULL && r->phase == 5, "phase 5");
    check(add(r, "phase", "0", NULL) != NULL, "phase 0");
    check(add(r, "phase", "6", NULL) != NULL, "phase 6");
    check(add(r, "phase", "early", NULL) != NULL, "phase early");
    check(add(r, "marker", "END_HOST_CHECK", NULL) == NULL
          && strcmp(r->marker, "END_HOST_CHECK") == 0, "marker");
    check(r->actions->nelts > 20, "actions kept in r->actions");
}

static void test_disruptive_flow_data(void)
{
    pl_rule *r = new_rule();
    pl_action *a;

    {
        int i, n = 0;
        static const char *const sanit[] = { "sanitiseArg", "sanitizeArg",
            "sanitiseRequestHeader", "sanitizeRequestHeader", "sanitiseResponseHeader",
            "sanitizeResponseHeader" };
        for (i = 0; i < 6; i++)
            n += add(r, sanit[i], "password", NULL) == NULL;
        n += add(r, "sanitiseMatched", NULL, NULL) == NULL;
        n += add(r, "sanitizeMatched", NULL, NULL) == NULL;
        n += add(r, "sanitiseMatchedBytes", "1/3", NULL) == NULL;
        n += add(r, "sanitizeMatchedBytes", NULL, NULL) == NULL;
        check(n == 10, "sanitise* accepted");
    }

    check(add(r, "deny", NULL, NULL) == NULL && r->disruptive == PL_DA_DENY, "deny");
    check(add(r, "drop", NULL, NULL) == NULL && r->disruptive == PL_DA_DROP, "drop");
    check(add(r, "block", NULL, NULL) == NULL && r->disruptive == PL_DA_BLOCK, "block");
    check(add(r, "pass", NULL, NULL) == NULL && r->disruptive == PL_DA_PASS, "pass");
    check(add(r, "allow", NULL, NULL) == NULL && r->disruptive == PL_DA_ALLOW, "allow");
    check(add(r, "allow", "phase", NULL) == NULL && r->disruptive == PL_DA_ALLOW_PHASE,
          "allow:phase");
    check(add(r, "allow", "REQUEST", NULL) == NULL && r->disruptive == PL_DA_ALLOW_REQUEST,
          "allow:request");
    check_str(add(r, "allow", "all", NULL), "Invalid parameter for allow: all", "allow:all");
    check(add(r, "redirect", "http://x/?u=%{tx.u}", &a) == NULL
          && r->disruptive == PL_DA_REDIRECT && r->redirect_url == a->macro
          && strcmp(pl_macro_text(r->redirect_url), "http://x/?u=%{tx.u}") == 0, "redirect");
    check(add(r, "proxy", "[nocanon]http://b/t", &a) == NULL && r->disruptive == PL_DA_PROXY
          && strcmp(pl_macro_text(r->redirect_url), "http://b/t") == 0
          && strcmp(a->param, "[nocanon]http://b/t") == 0, "proxy nocanon");
    check(add(r, "pause", "5000", NULL) == NULL && r->pause_ms == 5000
          && r->disruptive == PL_DA_PROXY, "pause keeps the disruptive action");
    check(add(r, "pause", "soon", NULL) != NULL, "pause soon");

    check(add(r, "chain", NULL, NULL) == NULL && r->chain == 1, "chain");
    check(add(r, "skip", "3", NULL) == NULL && r->skip == 3, "skip 3");
    check(add(r, "skip", "0", NULL) == NULL && r->skip == 1, "skip 0 -> 1");
    check(add(r, "skipAfter", "END_X", NULL) == NULL && strcmp(r->skip_after, "END_X") == 0,
          "skipAfter");

    check(add(r, "t", "lowercase", NULL) == NULL && add(r, "t", "urlDecodeUni", NULL) == NULL
          && r->tfns->nelts == 2
          && APR_ARRAY_IDX(r->tfns, 1, const pl_tfndef *) == pl_tfn_find("urldecodeuni"),
          "t: appends");
    check(add(r, "t", "none", NULL) == NULL && r->tfns->nelts == 0 && r->tfn_none == 1, "t:none");
    check(add(r, "t", "normalisePath", NULL) == NULL && r->tfns->nelts == 1, "t after none");
    check_str(add(r, "t", "rot13", NULL), "Invalid transformation function: rot13", "t unknown");
    check(add(r, "capture", NULL, NULL) == NULL && r->capture == 1, "capture");
    check(add(r, "multiMatch", NULL, NULL) == NULL && r->multi_match == 1, "multiMatch");
    check(add(r, "status", "403", NULL) == NULL && r->status == 403, "status");
    check(add(r, "status", "4o3", NULL) != NULL, "status 4o3");
    check(add(r, "log", NULL, NULL) == NULL && r->log == 1, "log");
    check(add(r, "auditlog", NULL, NULL) == NULL && r->auditlog == 1, "auditlog");
    check(add(r, "nolog", NULL, NULL) == NULL && r->log == 0 && r->auditlog == 0,
          "nolog clears both");
    check(add(r, "auditlog", NULL, NULL) == NULL && r->log == 0 && r->auditlog == 1,
          "nolog,auditlog");
    check(add(r, "noauditlog", NULL, NULL) == NULL && r->auditlog == 0, "noauditlog");
    check(add(r, "xmlns", "soap=http://schemas.xmlsoap.org/soap/envelope/", NULL) == NULL,
          "xmlns");
    check_str(add(r, "xmlns", "soap", NULL), "Missing xmlns href for prefix: soap", "xmlns bad");
}

static void test_setvar(void)
{
    /* the sequence of rule 1 run against ModSecurity 2.9.7, with its
     * debug log lines (a relative change records the value before it, for
     * persistent collections, also in TX) */
    static const char *const seq[][2] = {
        { "tx.a=5", NULL }, { "tx.a=-10", NULL }, { "tx.b=+abc", NULL },
        { "tx.c=3x", NULL }, { "tx.c=+2", NULL }, { "tx.d=-%{tx.c}", NULL },
        { "tx.e= 7", NULL }, { "tx.f", NULL }, { "!tx.f", NULL }, { "foo.bar=1", NULL },
        { "TX.Upper=1", NULL }, { "tx.g=2147483647", NULL }, { "tx.g=+1", NULL },
        { "tx.h=+-3", NULL }, { "tx.i=1", NULL }, { "tx.i=-%{tx.a}", NULL },
    };
    static const char *const want[] = {
        "Setting variable: tx.a=5", "Set variable \"tx.a\" to \"5\".",
        "Setting variable: tx.a=-10", "Recorded original collection variable: tx.a = \"5\"",
        "Relative change: a=5-10", "Set variable \"tx.a\" to \"0\".",
        "Setting variable: tx.b=+abc", "Recorded original collection variable: tx.b = \"0\"",
        "Relative change: b=0+abc", "Set variable \"tx.b\" to \"0\".",
        "Setting variable: tx.c=3x", "Set variable \"tx.c\" to \"3x\".",
        "Setting variable: tx.c=+2", "Recorded original collection variable: tx.c = \"3x\"",
        "Relative change: c=3+2", "Set variable \"tx.c\" to \"5\".",
        "Setting variable: tx.d=-%{tx.c}", "Recorded original collection variable: tx.d = \"0\"",
        "Relative change: d=0-5",
        "Set variable \"tx.d\" to \"0\".",
        "Setting variable: tx.e=7", "Set variable \"tx.e\" to \"7\".",
        "Setting variable: tx.f=1", "Set variable \"tx.f\" to \"1\".",
        "Setting variable: !tx.f=1", "Unset variable \"tx.f\".",
        "Setting variable: foo.bar=1",
        "Could not set variable \"foo.bar\" as the collection does not exist.",
        "Setting variable: TX.Upper=1", "Set variable \"TX.Upper\" to \"1\".",
        "Setting variable: tx.g=2147483647", "Set variable \"tx.g\" to \"2147483647\".",
        "Setting variable: tx.g=+1",
        "Recorded original collection variable: tx.g = \"2147483647\"",
        "Relative change: g=2147483647+1",
        "Set variable \"tx.g\" to \"0\".",
        "Setting variable: tx.h=+-3", "Recorded original collection variable: tx.h = \"0\"",
        "Relative change: h=0+-3", "Set variable \"tx.h\" to \"0\".",
        "Setting variable: tx.i=1", "Set variable \"tx.i\" to \"1\".",
        "Setting variable: tx.i=-%{tx.a}", "Recorded original collection variable: tx.i = \"1\"",
        "Relative change: i=1-0",
        "Set variable \"tx.i\" to \"1\".",
    };
    pl_tx *tx = new_tx();
    size_t i;
    int rc_ok = 1;

    for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        int rc = run(tx, "setvar", seq[i][0]);
        if (rc != (strcmp(seq[i][0], "foo.bar=1") == 0 ? 0 : 1)) {
            printf("  setvar:%s returned %d\n", seq[i][0], rc);
            rc_ok = 0;
        }
    }
    check(rc_ok, "setvar return codes");
    check(log_is(want, (int)(sizeof(want) / sizeof(want[0]))), "setvar debug log as 2.9.7");
    check_str(txval(tx, "TX", "a"), "0", "tx.a floor 0");
    check_str(txval(tx, "TX", "c"), "5", "tx.c 3x+2");
    check_str(txval(tx, "TX", "e"), "7", "tx.e blank skipped");
    check(txval(tx, "TX", "f") == NULL, "tx.f deleted");
    check_str(txval(tx, "TX", "upper"), "1", "TX.Upper case-insensitive");
    check_str(txval(tx, "TX", "g"), "0", "int overflow wraps then floors");
    check_str(txval(tx, "TX", "i"), "1", "tx.i");

    /* increments keep counting; assignment from a macro is not relative */
    tx = new_tx();
    run(tx, "setvar", "tx.anomaly_score=0");
    run(tx, "setvar", "tx.critical=5");
    run(tx, "setvar", "tx.anomaly_score=+%{tx.critical}");
    run(tx, "setvar", "tx.anomaly_score=+%{tx.critical}");
    check_str(txval(tx, "TX", "anomaly_score"), "10", "anomaly score +5 +5");
    run(tx, "setvar", "tx.neg=-5");
    check_str(txval(tx, "TX", "neg"), "0", "=-5 is relative: floor 0");
    pl_coll_set(tx->tx_coll, "n", "-7x", 3);
    run(tx, "setvar", "tx.o=%{tx.n}");
    check_str(txval(tx, "TX", "o"), "-7x", "=%{..} holding -7x is an assignment");
    run(tx, "setvar", "tx.o=+%{tx.n}");
    check_str(txval(tx, "TX", "o"), "0", "-7x + -7 floors at 0");
    run(tx, "setvar", "tx.big=99999999999");
    run(tx, "setvar", "tx.big=+0");
    check_str(txval(tx, "TX", "big"), "1215752191", "atoi truncates to int like glibc");

    /* macros in the name; escaping of the expanded name */
    run(tx, "setvar", "tx.%{tx.critical}_x=1");
    check_str(txval(tx, "TX", "5_x"), "1", "macro in the name");
    pl_coll_set(tx->tx_coll, "nl", "a\nb", 3);
    run(tx, "setvar", "tx.k_%{tx.nl}=1");
    check_str(txval(tx, "TX", "k_a\\nb"), "1", "expanded name is escaped like 2.9");
    pl_coll_set(tx->tx_coll, "nodot", "nodot", 5);
    debug_lines->nelts = 0;
    check(run(tx, "setvar", "%{tx.nodot}=1") == 0
          && log_has("Asked to set variable \"nodot\", but no collection name specified. "),
          "expanded name without collection");

    /* the collection name is looked up in upper case */
    {
        pl_coll *ip = pl_coll_create(pool, "IP", 1);
        apr_hash_set(tx->colls, "IP", APR_HASH_KEY_STRING, ip);
        run(tx, "setvar", "Ip.Hits=+1");
        run(tx, "setvar", "ip.hits=+1");
        check_str(txval(tx, "IP", "hits"), "2", "ip.hits +1 +1");
        check_str(pl_coll_get(ip, "HITS")->key, "Hits", "existing name keeps its spelling");
    }

    /* names without a collection load (2.9.7 accepts "setvar:foo",
     * "setvar:!", "deprecatevar:bogus" ...) and complain when they run */
    check(add(new_rule(), "setvar", "foo", NULL) == NULL, "setvar foo loads");
    check(add(new_rule(), "setvar", "!", NULL) == NULL, "setvar ! loads");
    check(add(new_rule(), "setvar", "=5", NULL) == NULL, "setvar =5 loads");
    check(add(new_rule(), "setvar", ".x=5", NULL) == NULL, "setvar .x loads");
    check(add(new_rule(), "deprecatevar", "bogus", NULL) == NULL, "deprecatevar bogus loads");
    check(add(new_rule(), "expirevar", "bogus=3", NULL) == NULL, "expirevar bogus loads");
    debug_lines->nelts = 0;
    check(run(tx, "setvar", "foo=1") == 0
          && log_has("Asked to set variable \"foo\", but no collection name specified. "),
          "setvar foo: no collection when it runs");
    check(add(new_rule(), "setvar", "tx.x=%{}", NULL) != NULL, "setvar bad macro");
    check(add(new_rule(), "setvar", "%{tx.a}.x=1", NULL) == NULL, "setvar macro name ok");
}

static void test_setenv(void)
{
    pl_tx *tx = new_tx();
    static const char *const want[] = {
        "Setting env variable: foo=%{tx.c}", "Set env variable \"foo\" to: 5",
        "Setting env variable: bar=1", "Set env variable \"bar\" to: 1",
        "Setting env variable: !foo=1", "Unset env variable \"!foo\".",
    };

    pl_coll_set(tx->tx_coll, "c", "5", 1);
    debug_lines->nelts = 0;
    check(run(tx, "setenv", "foo=%{tx.c}") == 1, "setenv foo");
    check(run(tx, "setenv", "bar") == 1, "setenv bar");
    check(txval(tx, "TX", "c") && tx->env && pl_coll_get(tx->env, "foo")
          && strcmp(pl_coll_get(tx->env, "foo")->value, "5") == 0, "ENV updated");
    check(run(tx, "setenv", "!foo") == 1, "setenv !foo");
    check(log_is(want, 6), "setenv debug log as 2.9.7");
    check(env_set->nelts == 3
          && strcmp(APR_ARRAY_IDX(env_set, 0, char *), "foo=5") == 0
          && strcmp(APR_ARRAY_IDX(env_set, 1, char *), "bar=1") == 0
          && strcmp(APR_ARRAY_IDX(env_set, 2, char *), "!foo") == 0, "host callbacks");
    check(pl_coll_get(tx->env, "foo") == NULL, "ENV unset");

    pl_coll_set(tx->tx_coll, "z", "x\0y", 3);
    run(tx, "setenv", "nul=%{tx.z}");
    check_str(APR_ARRAY_IDX(env_set, 3, char *), "nul=x\\x00y", "NUL escaped");
    tx->host = NULL;
    check(run(tx, "setenv", "nohost=1") == 1, "setenv without host");
    check(add(new_rule(), "setenv", "=x", NULL) != NULL, "setenv =x");
}

/* prepend / append (stream.c): expanded when run, the last one wins, and
 * only offered to the host with SecContentInjection On. */
static void test_injection(void)
{
    pl_tx *tx = new_tx();
    apr_size_t n = 0;
    const char *s;

    pl_coll_set(tx->tx_coll, "who", "you", 3);
    check(run(tx, "prepend", "<p>hello %{tx.who}</p>") == 1, "prepend runs");
    check(run(tx, "append", "first") == 1 && run(tx, "append", "<!-- end -->") == 1,
          "append runs");
    cfg.content_injection = PL_UNSET;
    check(pl_stream_prepend(tx, &n) == NULL && pl_stream_append(tx, &n) == NULL,
          "nothing injected without SecContentInjection On");
    cfg.content_injection = 1;
    s = pl_stream_prepend(tx, &n);
    check(s != NULL && n == 16 && memcmp(s, "<p>hello you</p>", 16) == 0, "prepend expanded");
    s = pl_stream_append(tx, &n);
    check(s != NULL && n == 12 && memcmp(s, "<!-- end -->", 12) == 0, "the last append wins");
    cfg.content_injection = PL_UNSET;
    check(add(new_rule(), "prepend", "%{}", NULL) != NULL, "prepend bad macro");
}

static void test_collections(void)
{
    pl_tx *tx = new_tx();
    pl_coll *ip;
    /* 2.9.7 without SecDataDir */
    static const char *const want[] = {
        "collection_retrieve_ex: Unable to retrieve collection (name \"ip\", key \"foobar\"). "
        "Use SecDataDir to define data directory first.",
        "Creating collection (name \"ip\", key \"foobar\").",
        "Setting default timeout collection value 3600.",
        "Recorded original collection variable: ip.UPDATE_COUNTER = \"0\"",
        "Added collection \"ip\" to the list.",
    };

    cfg.collection_timeout = PL_UNSET;
    debug_lines->nelts = 0;
    check(run(tx, "initcol", "IP=FooBar") == 1, "initcol");
    check(log_is(want, 5), "initcol debug log as 2.9.7");
    ip = apr_hash_get(tx->colls, "IP", APR_HASH_KEY_STRING);
    check(ip != NULL && strcmp(ip->name, "IP") == 0, "IP in tx->colls");
    check_str(txval(tx, "IP", "KEY"), "foobar", "literal key lower-cased like 2.9");
    check_str(txval(tx, "IP", "TIMEOUT"), "3600", "TIMEOUT default");
    check_str(txval(tx, "IP", "IS_NEW"), "1", "IS_NEW");
    check_str(txval(tx, "IP", "UPDATE_COUNTER"), "0", "UPDATE_COUNTER");
    check_str(txval(tx, "IP", "CREATE_TIME"), "1700000000", "CREATE_TIME");
    check_str(txval(tx, "IP", "__expire_KEY"), "1700003600", "__expire_KEY");
    check_str(txval(tx, "IP", "__name"), "ip", "__name");
    check(txval(tx, "IP", "LAST_UPDATE_TIME") == NULL, "no LAST_UPDATE_TIME on a new record");
    check(run(tx, "initcol", "ip=other") == 0 && strcmp(txval(tx, "IP", "KEY"), "foobar") == 0,
          "second initcol leaves it");

    pl_coll_set(tx->tx_coll, "addr", "10.0.0.1", 8);
    cfg.collection_timeout = 600;
    check(run(tx, "initcol", "global=%{tx.addr}") == 1, "initcol with macro");
    check_str(txval(tx, "GLOBAL", "KEY"), "10.0.0.1", "macro key");
    check_str(txval(tx, "GLOBAL", "TIMEOUT"), "600", "SecCollectionTimeout");
    check(add(new_rule(), "initcol", "ip", NULL) != NULL, "initcol without key");

    debug_lines->nelts = 0;
    check(run(tx, "setsid", "AbC") == 1, "setsid");
    check_str(txval(tx, "SESSION", "KEY"), "AbC", "session key keeps case");
    check_str(txval(tx, "SESSION", "__name"), "default_SESSION", "session storage name");
    check(log_has("Added collection \"default_SESSION\" to the list as \"SESSION\"."),
          "setsid debug");
    cfg.web_app_id = "shop";
    check(run(tx, "setuid", "bob") == 1 && strcmp(txval(tx, "USER", "__name"), "shop_USER") == 0
          && strcmp(txval(tx, "USER", "KEY"), "bob") == 0, "setuid");
    check(run(tx, "setrsc", "/a") == 1 && strcmp(txval(tx, "RESOURCE", "KEY"), "/a") == 0,
          "setrsc");
    cfg.web_app_id = NULL;

    /* expirevar */
    run(tx, "setvar", "ip.x=+1");
    debug_lines->nelts = 0;
    check(run(tx, "expirevar", "ip.x=60") == 1, "expirevar");
    check_str(txval(tx, "IP", "__expire_x"), "1700000060", "__expire_x");
    check(log_has("Expiring variable: ip.x=60")
          && log_has("Variable \"ip.x\" set to expire in 60 seconds."), "expirevar debug");
    check(run(tx, "expirevar", "tx.r=10") == 0
          && log_has("Could not expire variable \"tx.r\" as the collection does not exist."),
          "expirevar on TX as 2.9");
    check(add(new_rule(), "expirevar", "x=10", NULL) == NULL, "expirevar without collection loads");

    /* deprecatevar: only records with LAST_UPDATE_TIME decay */
    {
        char *last = apr_psprintf(pool, "%" APR_TIME_T_FMT,
                                  (apr_time_t)apr_time_sec(apr_time_now()) - 100);
        run(tx, "setvar", "ip.c=100");
        check(run(tx, "deprecatevar", "ip.c=5/10") == 0
              && strcmp(txval(tx, "IP", "c"), "100") == 0, "no LAST_UPDATE_TIME: unchanged");
        pl_coll_set(ip, "LAST_UPDATE_TIME", last, strlen(last));
        check(run(tx, "deprecatevar", "ip.c=5/10") == 1, "deprecatevar");
        check_str(txval(tx, "IP", "c"), "50", "100 - 5 * (100 / 10)");
        run(tx, "setvar", "ip.d=20");
        run(tx, "deprecatevar", "ip.d=5/10");
        check_str(txval(tx, "IP", "d"), "0", "deprecatevar floor 0");
        check(run(tx, "deprecatevar", "ip.d=5") == 0, "deprecatevar bad format");
        check(run(tx, "deprecatevar", "ip.none=5/10") == 0, "deprecatevar missing var");
    }
}

/* Adds ctl:<param> and returns init's error. */
static const char *ctl(pl_rule *r, const char *param, pl_action **a)
{
    return add(r, "ctl", param, a);
}

static void test_ctl(void)
{
    pl_tx *tx = new_tx();
    pl_rule *r = new_rule();
    pl_action *a;
    const pl_target_removal *rm;

    /* engine and body options */
    check(ctl(r, "ruleEngine=DetectionOnly", &a) == NULL, "ruleEngine init");
    a->def->exec(tx, r, a);
    check(tx->engine == PL_ENGINE_DETECT && log_has("Ctl: Set ruleEngine to DetectionOnly."),
          "ruleEngine=DetectionOnly");
    ctl(r, "ruleEngine=off", &a);
    a->def->exec(tx, r, a);
    check(tx->engine == PL_ENGINE_OFF, "ruleEngine=off");
    check_str(ctl(r, "ruleEngine=maybe", NULL), "Invalid setting for ctl name ruleEngine: maybe",
              "ruleEngine=maybe");
    check_str(ctl(r, "ruleEngine", NULL), "Missing ctl value for name: ruleEngine", "no value");
    check_str(ctl(r, "ruleFoo=1", NULL), "Invalid ctl name setting: ruleFoo", "unknown ctl");
    check_str(ctl(r, "HashEngine=On", NULL), "not implemented yet: ctl:HashEngine", "HashEngine");
    check(ctl(r, "HashEnforcement=On", NULL) != NULL, "HashEnforcement");

    tx->reqbody_access = 1;
    ctl(r, "requestBodyAccess=Off", &a);
    a->def->exec(tx, r, a);
    check(tx->reqbody_access == 0 && log_has("Ctl: Set requestBodyAccess to 0."),
          "requestBodyAccess=Off");
    ctl(r, "requestBodyAccess=true", &a);
    a->def->exec(tx, r, a);
    check(tx->reqbody_access == 1, "requestBodyAccess=true");
    check(ctl(r, "requestBodyAccess=yes", NULL) != NULL, "requestBodyAccess=yes");
    ctl(r, "responseBodyAccess=On", &a);
    a->def->exec(tx, r, a);
    check(tx->resbody_access == 1, "responseBodyAccess=On");
    ctl(r, "forceRequestBodyVariable=On", &a);
    a->def->exec(tx, r, a);
    check(tx->force_reqbody_var == 1, "forceRequestBodyVariable=On");
    check(ctl(r, "forceRequestBodyVariable=1", NULL) != NULL, "forceRequestBodyVariable=1");
    ctl(r, "requestBodyProcessor=XML", &a);
    a->def->exec(tx, r, a);
    check_str(tx->ctl_reqbody_processor, "XML", "requestBodyProcessor=XML");
    ctl(r, "requestBodyProcessor= JSON", &a);
    a->def->exec(tx, r, a);
    check_str(tx->ctl_reqbody_processor, "JSON", "blank after = dropped");
    ctl(r, "requestBodyLimit=131072", &a);
    a->def->exec(tx, r, a);
    check(tx->reqbody_limit == 131072 && log_has("Ctl: Set requestBodyLimit to 131072."),
          "requestBodyLimit");
    ctl(r, "responseBodyLimit=1000", &a);
    a->def->exec(tx, r, a);
    check(tx->resbody_limit == 1000, "responseBodyLimit");
    check(ctl(r, "requestBodyLimit=0", NULL) != NULL, "requestBodyLimit=0");
    check(ctl(r, "requestBodyLimit=lots", NULL) != NULL, "requestBodyLimit=lots");
    check_str(ctl(r, "responseBodyLimit=2000000000", NULL),
              "Response size limit cannot exceed the hard limit: 1073741824", "hard limit");

    /* audit */
    ctl(r, "auditEngine=RelevantOnly", &a);
    a->def->exec(tx, r, a);
    check(tx->audit_engine == PL_AUDIT_RELEVANT && log_has("Ctl: Set auditEngine to 2."),
          "auditEngine");
    check(ctl(r, "auditEngine=sometimes", NULL) != NULL, "auditEngine bad");
    cfg.audit_parts = NULL;
    ctl(r, "auditLogParts=+K", &a);
    a->def->exec(tx, r, a);
    check_str(tx->audit_parts, "ABCFHZK", "+K on the default parts (as 2.9.7)");
    ctl(r, "auditLogParts=-B", &a);
    a->def->exec(tx, r, a);
    check_str(tx->audit_parts, "ACFHZK", "-B");
    check(log_has("Ctl: Set auditLogParts to ACFHZK."), "auditLogParts debug");
    ctl(r, "auditLogParts=ABZ", &a);
    a->def->exec(tx, r, a);
    check_str(tx->audit_parts, "ABZ", "absolute parts");
    tx->audit_parts = NULL;
    cfg.audit_parts = "ABIJDEFHZ";
    ctl(r, "auditLogParts=+E", &a);
    a->def->exec(tx, r, a);
    check_str(tx->audit_parts, "ABIJDEFHZE", "+E on SecAuditLogParts (duplicates kept)");
    cfg.audit_parts = NULL;
    check(ctl(r, "auditLogParts=+e", NULL) != NULL, "lower-case part");
    check(ctl(r, "auditLogParts=ABQ", NULL) != NULL, "part Q");
    ctl(r, "debugLogLevel=3", &a);
    a->def->exec(tx, r, a);
    check(tx->debug_log_level == 3, "debugLogLevel");
    tx->debug_log_level = 9;
    check(ctl(r, "debugLogLevel=10", NULL) != NULL, "debugLogLevel=10");

    /* rule removal */
    debug_lines->nelts = 0;
    check(ctl(r, "ruleRemoveById=942100-942199,920350 666", &a) == NULL, "ruleRemoveById init");
    a->def->exec(tx, r, a);
    check(tx->removed_ids != NULL && tx->removed_ids->nelts == 3
          && APR_ARRAY_IDX(tx->removed_ids, 0, pl_id_range).from == 942100
          && APR_ARRAY_IDX(tx->removed_ids, 0, pl_id_range).to == 942199
          && APR_ARRAY_IDX(tx->removed_ids, 1, pl_id_range).from == 920350
          && APR_ARRAY_IDX(tx->removed_ids, 2, pl_id_range).to == 666, "id ranges");
    check(log_has("Ctl: Removed rule by id : 942100-942199,920350 666."), "ById debug");
    ctl(r, "ruleRemoveById=1", &a);
    a->def->exec(tx, r, a);
    check(tx->removed_ids->nelts == 4, "ranges accumulate");
    check(ctl(r, "ruleRemoveById=abc", NULL) != NULL, "ruleRemoveById=abc");

    ctl(r, "ruleRemoveByTag=attack-sqli", &a);
    a->def->exec(tx, r, a);
    check(tx->removed_tags && tx->removed_tags->nelts == 1
          && log_has("Ctl: Removed rule by tag : attack-sqli."), "ruleRemoveByTag");
    ctl(r, "ruleRemoveByMsg=^SQL", &a);
    a->def->exec(tx, r, a);
    check(tx->removed_msgs && tx->removed_msgs->nelts == 1, "ruleRemoveByMsg");
    check(ctl(r, "ruleRemoveByTag=(", NULL) != NULL, "bad regex");

    debug_lines->nelts = 0;
    check(ctl(r, "ruleRemoveTargetById=3;ARGS:a|ARGS:b;ARGS:c", &a) == NULL, "TargetById init");
    a->def->exec(tx, r, a);
    check(tx->removed_targets && tx->removed_targets->nelts == 2, "two targets, up to the next ;");
    rm = &APR_ARRAY_IDX(tx->removed_targets, 1, pl_target_removal);
    check(rm->by == PL_BY_ID && rm->id_from == 3 && rm->id_to == 3 && rm->target.exclude == 1
          && strcmp(rm->target.selector, "b") == 0, "removal by id");
    check(log_has("Ctl: ruleRemoveTargetById id=3 targets=ARGS:a|ARGS:b"), "TargetById debug");
    ctl(r, "ruleRemoveTargetById=942100-942199,942200;REQUEST_COOKIES:/^_ga/", &a);
    a->def->exec(tx, r, a);
    check(tx->removed_targets->nelts == 4, "one removal per range");
    rm = &APR_ARRAY_IDX(tx->removed_targets, 2, pl_target_removal);
    check(rm->id_from == 942100 && rm->id_to == 942199
          && strcmp(rm->target.text, "REQUEST_COOKIES:/^_ga/") == 0, "range removal");
    ctl(r, "ruleRemoveTargetByTag=OWASP_CRS;ARGS:body[0][value]", &a);
    a->def->exec(tx, r, a);
    rm = &APR_ARRAY_IDX(tx->removed_targets, 4, pl_target_removal);
    check(rm->by == PL_BY_TAG && rm->re != NULL && strcmp(rm->target.selector, "body[0][value]") == 0,
          "removal by tag");
    check(log_has("Ctl: ruleRemoveTargetByTag tag=OWASP_CRS targets=ARGS:body[0][value]"),
          "TargetByTag debug");
    ctl(r, "ruleRemoveTargetByMsg=^SQL;ARGS", &a);
    a->def->exec(tx, r, a);
    rm = &APR_ARRAY_IDX(tx->removed_targets, 5, pl_target_removal);
    check(rm->by == PL_BY_MSG && rm->re != NULL && rm->target.selector == NULL, "removal by msg");
    check(ctl(r, "ruleRemoveTargetById=3", NULL) != NULL, "missing target");
    check(ctl(r, "ruleRemoveTargetById=3;", NULL) != NULL, "empty target");
    check(ctl(r, "ruleRemoveTargetById=x;ARGS", NULL) != NULL, "bad id");
    check(ctl(r, "ruleRemoveTargetByTag=(;ARGS", NULL) != NULL, "bad tag regex");
    check(ctl(r, "RULEREMOVEBYID=5", NULL) == NULL, "ctl names ignore case");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    debug_lines = apr_array_make(pool, 64, sizeof(char *));
    env_set = apr_array_make(pool, 8, sizeof(char *));
    cfg.debug_log_level = 9;
    cfg.collection_timeout = PL_UNSET;

    test_names();
    test_meta();
    test_disruptive_flow_data();
    test_setvar();
    test_setenv();
    test_injection();
    test_collections();
    test_ctl();

    printf("%d passed, %d failed\n", passed, failed);
    apr_pool_destroy(pool);
    apr_terminate();
    return failed ? 1 : 0;
}
