/*
 * Actions: the ModSecurity 2.9 action language (id, msg, deny, setvar,
 * ctl:..., ...) as one table at the bottom of this file.
 *
 * init() runs when the parser meets an action: it validates the parameter,
 * compiles its macros and, for metadata, disruptive, flow and data actions,
 * records the setting in the rule.  exec() runs the PL_AT_RUN actions when
 * their rule matched, in the order written.
 *
 * Run-time behaviour and debug-log texts follow ModSecurity 2.9.7 (checked
 * against the installed module), because the regression tests grep the
 * level 9 debug log: e.g. "Setting variable: tx.x=+1", "Relative change:
 * x=0+1", "Set variable \"tx.x\" to \"1\".".  Counters set with =+n / =-n
 * use int arithmetic and never go below zero, as in 2.9.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "palisade.h"
#include "stream.h"

/* ---- constants --------------------------------------------------------- */

/* SecAuditLogParts when the configuration does not set it (2.9 default). */
#define DEFAULT_AUDIT_PARTS    "ABCFHZ"
/* SecCollectionTimeout default, seconds. */
#define DEFAULT_COLL_TIMEOUT   3600L
/* ModSecurity's hard limit for ctl:request/responseBodyLimit, bytes. */
#define BODY_HARD_LIMIT        1073741824L
/* SecWebAppId default: prefix of SESSION/USER/RESOURCE storage names. */
#define DEFAULT_WEBAPPID       "default"

/* ---- types --------------------------------------------------------------- */

/*
 * A "collection.variable" name as written in setvar/expirevar/deprecatevar.
 * When it holds no macro it is split once at init; otherwise it is expanded
 * and split per transaction, at the first '.', as 2.9 does.
 */
typedef struct var_name {
    pl_macro   *m;
    const char *full;          /* escaped "coll.key", constant names only */
    const char *coll;          /* as written: "tx", "IP" */
    const char *coll_uc;       /* key of tx->colls */
    const char *key;
} var_name;

typedef struct setvar_data {
    const char *raw_name;      /* as written, "!" included, for the debug log */
    const char *raw_value;
    var_name    name;
    pl_macro   *value;
    int         unset;         /* !coll.key */
    int         relative;      /* value starts with + or - */
} setvar_data;

/* name=value actions evaluated at run time: setenv, expirevar, deprecatevar. */
typedef struct pair_data {
    const char *raw_name, *raw_value;
    pl_macro   *name_m;        /* setenv */
    var_name    name;          /* expirevar, deprecatevar */
    pl_macro   *value;
} pair_data;

/* initcol, setsid, setuid, setrsc */
typedef struct coll_data {
    const char *coll_uc;       /* key of tx->colls: "IP", "SESSION" */
    const char *real_name;     /* storage name; NULL = "<webappid>_" + coll_uc */
    pl_macro   *key;
} coll_data;

typedef struct sanitise_data {
    int keep_front, keep_back; /* sanitiseMatchedBytes:x/y */
} sanitise_data;

typedef struct ctl_data ctl_data;

/* One ctl: option: init() parses the value at configuration time, exec()
 * applies it to the transaction. */
typedef struct ctl_def {
    const char *name;
    const char *(*init)(apr_pool_t *p, ctl_data *c, const char *value);
    void        (*exec)(pl_tx *tx, const ctl_data *c);
} ctl_def;

struct ctl_data {
    const ctl_def      *def;
    const char         *value;     /* as written after '=' */
    long                num;       /* flag, enum, limit or level */
    pcre2_code         *re;        /* ruleRemoveByTag / ByMsg */
    apr_array_header_t *ranges;    /* pl_id_range: ruleRemoveById */
    apr_array_header_t *removals;  /* pl_target_removal: ruleRemoveTarget* */
    const char         *what;      /* ruleRemoveTarget*: id / tag / msg text */
    const char         *targets;   /* ruleRemoveTarget*: target text */
};

/* ---- static prototypes --------------------------------------------------- */

static const ctl_def *ctl_find(const char *name);

/* ---- small helpers ------------------------------------------------------- */

/* Cheap pre-check so that messages are only formatted when they can be
 * written; pl_debug() applies the exact level itself. */
static int dbg(const pl_tx *tx, int level)
{
    int l = tx->debug_log_level;

    if (tx->cfg != NULL && tx->cfg->debug_log_level > l)
        l = tx->cfg->debug_log_level;
    return l >= level;
}

/* 2.9's log_escape_nq_ex(): the form in which setvar/setenv names are
 * stored (controls become \n, \xHH ...; quotes are kept). */
static char *escape_nq(apr_pool_t *p, const char *s, apr_size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *out = apr_palloc(p, len * 4 + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = NULL;

        switch (c) {
        case '\b': e = "\\b"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\v': e = "\\v"; break;
        case '\\': e = "\\\\"; break;
        default: break;
        }
        if (e != NULL) {
            *d++ = e[0];
            *d++ = e[1];
        } else if (c <= 0x1f || c >= 0x7f) {
            *d++ = '\\';
            *d++ = 'x';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 0x0f];
        } else {
            *d++ = (char)c;
        }
    }
    *d = '\0';
    return out;
}

/* 2.9's log_escape_nul(): environment values cannot hold NUL bytes. */
static char *escape_nul(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *out = apr_palloc(p, len * 4 + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\0') {
            memcpy(d, "\\x00", 4);
            d += 4;
        } else {
            *d++ = s[i];
        }
    }
    *d = '\0';
    return out;
}

/* atoi() on a counted string, with glibc's behaviour: leading space and
 * sign, saturation at LONG_MIN/LONG_MAX, then truncation to int. */
static int int_value(const char *s, apr_size_t len)
{
    apr_size_t i = 0;
    int neg = 0;
    long v = 0;

    while (i < len && isspace((unsigned char)s[i])) i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = (s[i++] == '-');
    for (; i < len && isdigit((unsigned char)s[i]); i++) {
        int dgt = s[i] - '0';
        if (!neg && v > (LONG_MAX - dgt) / 10) { v = LONG_MAX; break; }
        if (neg && v < (LONG_MIN + dgt) / 10) { v = LONG_MIN; break; }
        v = neg ? v * 10 - dgt : v * 10 + dgt;
    }
    return (int)v;
}

static char *upper_dup(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *u = apr_pstrmemdup(p, s, len), *c;

    for (c = u; *c; c++) *c = (char)toupper((unsigned char)*c);
    return u;
}

static int all_digits(const char *s)
{
    if (*s == '\0') return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* Splits "name=value" at the first '='; *value is NULL without one. */
static void split_pair(apr_pool_t *p, const char *text, char **name, const char **value)
{
    const char *eq = strchr(text, '=');

    if (eq == NULL) {
        *name = apr_pstrdup(p, text);
        *value = NULL;
    } else {
        *name = apr_pstrmemdup(p, text, eq - text);
        *value = eq + 1;
    }
}

static const char *compile(apr_pool_t *p, const char *action, const char *text,
                           pl_macro **out)
{
    const char *err = NULL;

    *out = pl_macro_compile(p, text, &err);
    if (*out == NULL)
        return apr_psprintf(p, "Invalid %s: \"%s\": %s", action, text,
                            err ? err : "bad macro");
    return NULL;
}

/* Expansion as a NUL-terminated string owned by the transaction. */
static const char *expand(pl_tx *tx, const pl_macro *m, apr_size_t *len)
{
    const char *s = pl_macro_expand(tx, m, len);

    if (s == NULL) {
        *len = 0;
        return "";
    }
    if (pl_macro_is_const(m))
        return s;               /* configuration text: outlives tx */
    return apr_pstrmemdup(tx->pool, s, *len);
}

/* A collection of the transaction by name (any case); TX itself only when
 * with_tx, because 2.9's expirevar/deprecatevar do not see TX. */
static pl_coll *find_coll(pl_tx *tx, const char *uc, int with_tx)
{
    if (strcmp(uc, "TX") == 0) {
        if (!with_tx) return NULL;
        if (tx->tx_coll != NULL) return tx->tx_coll;
    }
    if (tx->colls == NULL) return NULL;
    return apr_hash_get(tx->colls, uc, APR_HASH_KEY_STRING);
}

/* ---- collection.variable names ------------------------------------------- */

static void var_name_split(apr_pool_t *p, const char *full, const char **coll,
                           const char **coll_uc, const char **key)
{
    const char *dot = strchr(full, '.');

    if (dot == NULL) {
        *coll = *coll_uc = *key = NULL;
        return;
    }
    *coll = apr_pstrmemdup(p, full, dot - full);
    *coll_uc = upper_dup(p, full, dot - full);
    *key = dot + 1;
}

static const char *var_name_init(apr_pool_t *p, var_name *n, const char *action,
                                 const char *param, const char *text)
{
    const char *err = compile(p, action, text, &n->m);

    if (err != NULL)
        return err;
    if (!pl_macro_is_const(n->m))
        return NULL;
    n->full = escape_nq(p, text, strlen(text));
    /* 2.9 accepts a name without collection ("deprecatevar:bogus", in its
     * regression tests) and complains when the action runs */
    var_name_split(p, n->full, &n->coll, &n->coll_uc, &n->key);
    (void)action;
    (void)param;
    return NULL;
}

/* Returns 0 when the expanded name has no collection part. */
static int var_name_resolve(pl_tx *tx, const var_name *n, const char **full,
                            const char **coll, const char **coll_uc, const char **key)
{
    apr_size_t len;
    const char *s;

    if (n->full != NULL) {
        *full = n->full; *coll = n->coll; *coll_uc = n->coll_uc; *key = n->key;
        return *coll != NULL;
    }
    s = expand(tx, n->m, &len);
    *full = escape_nq(tx->pool, s, len);
    var_name_split(tx->pool, *full, coll, coll_uc, key);
    return *coll != NULL;
}

/* ---- metadata ------------------------------------------------------------ */

static const char *act_id(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    long id;

    if (!all_digits(a->param))
        return apr_psprintf(p, "Invalid value for action ID: %s", a->param);
    id = strtol(a->param, NULL, 10);
    if (id <= 0 || id > INT_MAX)
        return apr_psprintf(p, "Invalid value for action ID: %s", a->param);
    r->id = id;
    r->id_str = a->param;
    return NULL;
}

static const char *act_rev(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    r->rev = a->param;
    return NULL;
}

static const char *act_ver(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    r->ver = a->param;
    return NULL;
}

static const char *act_msg(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const char *err = compile(p, "msg", a->param, &a->macro);

    r->msg = a->macro;
    return err;
}

static const char *act_logdata(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const char *err = compile(p, "logdata", a->param, &a->macro);

    r->logdata = a->macro;
    return err;
}

static const char *act_severity(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    static const char *const names[] = {
        "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"
    };
    int i;

    for (i = 0; i < 8; i++) {
        if (strcasecmp(a->param, names[i]) == 0) {
            r->severity = i;
            return NULL;
        }
    }
    if (!all_digits(a->param) || strtol(a->param, NULL, 10) > 7)
        return apr_psprintf(p, "Invalid severity: \"%s\"", a->param);
    r->severity = (int)strtol(a->param, NULL, 10);
    return NULL;
}

/* maturity and accuracy are informational: 2.9 takes atoi() of anything. */
static const char *act_maturity(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    r->maturity = int_value(a->param, strlen(a->param));
    return NULL;
}

static const char *act_accuracy(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    r->accuracy = int_value(a->param, strlen(a->param));
    return NULL;
}

static const char *act_tag(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    if (r->tags == NULL)
        r->tags = apr_array_make(p, 2, sizeof(const char *));
    APR_ARRAY_PUSH(r->tags, const char *) = a->param;
    return NULL;
}

static const char *act_phase(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    long n;

    if (strcasecmp(a->param, "request") == 0) {
        r->phase = 2;
    } else if (strcasecmp(a->param, "response") == 0) {
        r->phase = 4;
    } else if (strcasecmp(a->param, "logging") == 0) {
        r->phase = 5;
    } else {
        /* 2.9 reads the number as atoi() does: "3:" is phase 3 */
        n = strtol(a->param, NULL, 10);
        if (n < 1 || n > PL_PHASES)
            return apr_psprintf(p, "Invalid phase: \"%s\"", a->param);
        r->phase = (int)n;
    }
    return NULL;
}

/* SecMarker's internal action: the label skipAfter looks for. */
static const char *act_marker(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    if (r->marker == NULL)
        r->marker = a->param;
    return NULL;
}

/* ---- disruptive ------------------------------------------------------------ */

static const char *act_deny(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->disruptive = PL_DA_DENY;
    return NULL;
}

static const char *act_drop(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->disruptive = PL_DA_DROP;
    return NULL;
}

static const char *act_pass(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->disruptive = PL_DA_PASS;
    return NULL;
}

/* block: the engine applies the phase's SecDefaultAction (r->def_*). */
static const char *act_block(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->disruptive = PL_DA_BLOCK;
    return NULL;
}

static const char *act_allow(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    if (a->param == NULL)
        r->disruptive = PL_DA_ALLOW;
    else if (strcasecmp(a->param, "phase") == 0)
        r->disruptive = PL_DA_ALLOW_PHASE;
    else if (strcasecmp(a->param, "request") == 0)
        r->disruptive = PL_DA_ALLOW_REQUEST;
    else
        return apr_psprintf(p, "Invalid parameter for allow: %s", a->param);
    return NULL;
}

/* redirect:URL; the engine uses status 302 unless status: says otherwise. */
static const char *act_redirect(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const char *err = compile(p, "redirect", a->param, &a->macro);

    r->disruptive = PL_DA_REDIRECT;
    r->redirect_url = a->macro;
    return err;
}

/*
 * proxy:[nocanon]URL.  The "[nocanon]" prefix is not part of the URL; the
 * Apache glue finds it in a->param of the rule's proxy action.
 */
static const char *act_proxy(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const char *url = a->param;
    const char *err;

    if (strncmp(url, "[nocanon]", 9) == 0)
        url += 9;
    err = compile(p, "proxy", url, &a->macro);
    r->disruptive = PL_DA_PROXY;
    r->redirect_url = a->macro;
    return err;
}

/* pause:ms delays the response of an intercepted request; it is not a
 * disruptive action of its own (2.9 keeps it outside that group). */
static const char *act_pause(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    if (!all_digits(a->param))
        return apr_psprintf(p, "Invalid pause: \"%s\"", a->param);
    r->pause_ms = int_value(a->param, strlen(a->param));
    return NULL;
}

/* ---- flow -------------------------------------------------------------- */

static const char *act_chain(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->chain = 1;
    return NULL;
}

/* skip:N counts chains as one rule; anything below 1 means 1, as in 2.9. */
static const char *act_skip(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    r->skip = int_value(a->param, strlen(a->param));
    if (r->skip <= 0)
        r->skip = 1;
    return NULL;
}

static const char *act_skip_after(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)p;
    r->skip_after = a->param;
    return NULL;
}

/* ---- data ---------------------------------------------------------------- */

static const char *act_t(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const pl_tfndef *t;

    if (r->tfns == NULL)
        r->tfns = apr_array_make(p, 4, sizeof(const pl_tfndef *));
    if (strcasecmp(a->param, "none") == 0) {
        apr_array_clear(r->tfns);
        r->tfn_none = 1;
        return NULL;
    }
    t = pl_tfn_find(a->param);
    if (t == NULL)
        return apr_psprintf(p, "Invalid transformation function: %s", a->param);
    APR_ARRAY_PUSH(r->tfns, const pl_tfndef *) = t;
    return NULL;
}

static const char *act_capture(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->capture = 1;
    return NULL;
}

static const char *act_multi_match(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->multi_match = 1;
    return NULL;
}

static const char *act_status(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    if (!all_digits(a->param) || strlen(a->param) > 3)
        return apr_psprintf(p, "Invalid status: \"%s\"", a->param);
    r->status = int_value(a->param, strlen(a->param));
    return NULL;
}

static const char *act_log(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->log = 1;
    return NULL;
}

/* nolog also keeps the match out of the audit log, as in 2.9. */
static const char *act_nolog(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->log = 0;
    r->auditlog = 0;
    return NULL;
}

static const char *act_auditlog(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->auditlog = 1;
    return NULL;
}

static const char *act_noauditlog(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)a; (void)p;
    r->auditlog = 0;
    return NULL;
}

/* xmlns:prefix=href stays in r->actions, where the XML variable reads it. */
static const char *act_xmlns(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const char *eq = strchr(a->param, '=');

    (void)r;
    if (eq == NULL || eq == a->param)
        return apr_psprintf(p, "Missing xmlns href for prefix: %s", a->param);
    return NULL;
}

/* ---- sanitise* (audit log masking) ---------------------------------------- */

/* sanitiseMatchedBytes[:front/back]: how many matched bytes stay visible. */
static const char *act_sanitise_bytes(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    sanitise_data *d = apr_pcalloc(p, sizeof(*d));
    const char *s = a->param;

    (void)r;
    if (s != NULL && strlen(s) == 3 && isdigit((unsigned char)s[0]) && s[1] == '/'
        && isdigit((unsigned char)s[2])) {
        d->keep_front = s[0] - '0';
        d->keep_back = s[2] - '0';
    }
    a->data = d;
    return NULL;
}

/*
 * The sanitise* actions only record what the audit log masks when it is
 * written (audit.c): a name (argument, header) or, for the Matched forms,
 * what tx->matched_var names.  The record is deduplicated and bounded.
 */
static int exec_sanitise(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const char *n = a->def->name + 8;          /* past "sanitise" / "sanitize" */
    const sanitise_data *d = a->data;

    (void)r;
    if (strcmp(n, "Arg") == 0)
        pl_audit_sanitise(tx, PL_SAN_ARG, a->param, 0, 0);
    else if (strcmp(n, "RequestHeader") == 0)
        pl_audit_sanitise(tx, PL_SAN_REQUEST_HEADER, a->param, 0, 0);
    else if (strcmp(n, "ResponseHeader") == 0)
        pl_audit_sanitise(tx, PL_SAN_RESPONSE_HEADER, a->param, 0, 0);
    else
        pl_audit_sanitise_matched(tx, d ? d->keep_front : 0, d ? d->keep_back : 0);
    return 1;
}

/* ---- exec ------------------------------------------------------------------ */

/* exec:PROGRAM runs an external program when the rule matches (exec.c);
 * its output is read and ignored.  exec:SCRIPT.lua runs the script's
 * main() in-process (lua.c), compiled now; its return value is ignored.
 * 2.9 opens a relative script name from the server's working directory;
 * here it is relative to the rule's file, as SecRuleScript's is. */
static const char *act_exec(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    pl_lua_script *script = NULL;
    const char *err;

    if (!pl_lua_is_script(a->param))
        return NULL;
    err = pl_lua_compile(p, pl_resolve_path(p, r->file, a->param), &script);
    a->data = script;
    return err;
}

static int exec_exec(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const char *err = NULL;
    char *out = NULL;

    if (a->data != NULL) {
        if (pl_lua_run(tx, r, a->data, NULL, &out) < 0) {
            pl_log_alert(tx, 1, out);
            return 0;
        }
        return 1;
    }
    if (pl_exec_program(tx, a->param, NULL, &out, &err) != 1) {
        pl_log_alert(tx, 1, err);
        pl_log_alert(tx, 1, apr_psprintf(tx->pool, "Failed to execute: %s", a->param));
        return 0;
    }
    return 1;
}

/* ---- setvar ---------------------------------------------------------------- */

/*
 * setvar:coll.key=value | =+n | =-n, setvar:!coll.key, setvar:coll.key ("1").
 * Blanks after '=' are dropped; =+/=- is decided on the text as written, so
 * "=%{tx.a}" is an assignment even when tx.a holds "-5".
 */
static const char *act_setvar(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    setvar_data *d = apr_pcalloc(p, sizeof(*d));
    const char *name, *value;
    char *n;
    const char *err;

    (void)r;
    split_pair(p, a->param, &n, &value);
    if (value == NULL) {
        value = "1";
    } else {
        while (isspace((unsigned char)*value)) value++;
    }
    d->raw_name = n;
    d->raw_value = value;
    name = n;
    if (*name == '!') {
        d->unset = 1;
        name++;
    }
    if ((err = var_name_init(p, &d->name, "setvar", a->param, name)) != NULL)
        return err;
    d->relative = (value[0] == '+' || value[0] == '-');
    if ((err = compile(p, "setvar", value, &d->value)) != NULL)
        return err;
    a->data = d;
    return NULL;
}

static void setvar_relative(pl_tx *tx, pl_coll *c, const setvar_data *d,
                            const char *coll, const char *key)
{
    const pl_var *old = pl_coll_get(c, key);
    const char *name = (old && old->key) ? old->key : key;
    int cur = old ? int_value(old->value, old->value_len) : 0;
    apr_size_t len;
    const char *delta = expand(tx, d->value, &len);
    char *val;
    int now;

    if (dbg(tx, 9))
        pl_debug(tx, 9, "Relative change: %s=%d%s", key, cur, delta);
    /* 2.9 adds in int: overflow wraps, then the floor of 0 applies */
    now = (int)((unsigned int)cur + (unsigned int)int_value(delta, len));
    if (now < 0)
        now = 0;
    val = apr_itoa(tx->pool, now);
    /* an existing variable keeps the spelling of its name */
    pl_coll_set(c, name, val, strlen(val));
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Set variable \"%s.%s\" to \"%s\".", coll, name,
                 pl_log_escape(tx->pool, val, strlen(val)));
}

static void setvar_absolute(pl_tx *tx, pl_coll *c, const setvar_data *d,
                            const char *coll, const char *key)
{
    apr_size_t len;
    const char *val = expand(tx, d->value, &len);

    pl_coll_set(c, key, val, len);
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Set variable \"%s.%s\" to \"%s\".",
                 pl_log_escape(tx->pool, coll, strlen(coll)),
                 pl_log_escape(tx->pool, key, strlen(key)),
                 pl_log_escape(tx->pool, val, len));
}

static int exec_setvar(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const setvar_data *d = a->data;
    const char *full, *coll, *coll_uc, *key;
    pl_coll *c;

    (void)r;
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Setting variable: %s=%s", d->raw_name, d->raw_value);
    if (!var_name_resolve(tx, &d->name, &full, &coll, &coll_uc, &key)) {
        pl_debug(tx, 3, "Asked to set variable \"%s\", but no collection name specified. ",
                 pl_log_escape(tx->pool, full, strlen(full)));
        return 0;
    }
    c = find_coll(tx, coll_uc, 1);
    if (c == NULL) {
        pl_debug(tx, 3, "Could not set variable \"%s.%s\" as the collection does not exist.",
                 pl_log_escape(tx->pool, coll, strlen(coll)),
                 pl_log_escape(tx->pool, key, strlen(key)));
        return 0;
    }
    /* relative changes of persistent collections are merged at store time
     * with those of concurrent requests (2.9 records TX's too) */
    if (d->relative && !d->unset)
        pl_persist_original(tx, coll, coll_uc, key, pl_coll_get(c, key));
    if (c != tx->tx_coll)
        pl_persist_dirty(tx, coll_uc);
    if (d->unset) {
        pl_coll_del(c, key);
        if (dbg(tx, 9))
            pl_debug(tx, 9, "Unset variable \"%s.%s\".", coll, key);
    } else if (d->relative) {
        setvar_relative(tx, c, d, coll, key);
    } else {
        setvar_absolute(tx, c, d, coll, key);
    }
    return 1;
}

int pl_action_setvar(pl_tx *tx, pl_rule *r, const char *name, const char *value)
{
    setvar_data d;
    pl_action a;
    const char *key = name;

    memset(&d, 0, sizeof(d));
    d.raw_name = name;
    d.raw_value = value;
    if (*key == '!') {
        d.unset = 1;
        key++;
    }
    /* text that is no valid macro is taken literally, as 2.9's expansion
     * leaves what it cannot resolve */
    if (var_name_init(tx->pool, &d.name, "setvar", name, key) != NULL) {
        d.name.m = NULL;
        d.name.full = escape_nq(tx->pool, key, strlen(key));
        var_name_split(tx->pool, d.name.full, &d.name.coll, &d.name.coll_uc, &d.name.key);
    }
    if (compile(tx->pool, "setvar", value, &d.value) != NULL)
        d.value = pl_macro_literal(tx->pool, value);
    d.relative = (value[0] == '+' || value[0] == '-');
    memset(&a, 0, sizeof(a));
    a.def = pl_actiondef_find("setvar");
    a.param = name;
    a.data = &d;
    return exec_setvar(tx, r, &a);
}

/* ---- setenv ---------------------------------------------------------------- */

/* setenv:name=value (value "1" when absent), setenv:!name unsets. */
static const char *act_setenv(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    pair_data *d = apr_pcalloc(p, sizeof(*d));
    const char *value;
    char *name;
    const char *err;

    (void)r;
    split_pair(p, a->param, &name, &value);
    if (value == NULL)
        value = "1";
    if (*name == '\0' || (name[0] == '!' && name[1] == '\0'))
        return apr_psprintf(p, "Invalid setenv: \"%s\"", a->param);
    d->raw_name = name;
    d->raw_value = value;
    if ((err = compile(p, "setenv", name, &d->name_m)) != NULL
        || (err = compile(p, "setenv", value, &d->value)) != NULL)
        return err;
    a->data = d;
    return NULL;
}

static int exec_setenv(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const pair_data *d = a->data;
    apr_size_t len;
    const char *s, *name;
    char *val;

    (void)r;
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Setting env variable: %s=%s", d->raw_name, d->raw_value);
    s = expand(tx, d->name_m, &len);
    name = escape_nq(tx->pool, s, len);
    if (name[0] == '!') {
        if (tx->host != NULL && tx->host->unset_env != NULL)
            tx->host->unset_env(tx, name + 1);
        if (tx->env != NULL)
            pl_coll_del(tx->env, name + 1);
        if (dbg(tx, 9))
            pl_debug(tx, 9, "Unset env variable \"%s\".", name);
        return 1;
    }
    s = expand(tx, d->value, &len);
    val = escape_nul(tx->pool, s, len);
    if (tx->host != NULL && tx->host->set_env != NULL)
        tx->host->set_env(tx, name, val);
    /* ENV reads tx->env when it exists; it is not created here so that the
     * variable code can still fill it from the process environment. */
    if (tx->env != NULL)
        pl_coll_set(tx->env, name, val, strlen(val));
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Set env variable \"%s\" to: %s", name,
                 escape_nq(tx->pool, val, strlen(val)));
    return 1;
}

/* ---- expirevar / deprecatevar ---------------------------------------------- */

static const char *pair_var_init(pl_action *a, apr_pool_t *p, const char *action)
{
    pair_data *d = apr_pcalloc(p, sizeof(*d));
    const char *value;
    char *name;
    const char *err;

    split_pair(p, a->param, &name, &value);
    if (value == NULL)
        value = "1";
    d->raw_name = name;
    d->raw_value = value;
    if ((err = var_name_init(p, &d->name, action, a->param, name)) != NULL
        || (err = compile(p, action, value, &d->value)) != NULL)
        return err;
    a->data = d;
    return NULL;
}

static const char *act_expirevar(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)r;
    return pair_var_init(a, p, "expirevar");
}

static const char *act_deprecatevar(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)r;
    return pair_var_init(a, p, "deprecatevar");
}

/* The collection named by a resolved name (full, coll, coll_uc, key) of
 * expirevar / deprecatevar; logs like 2.9 when there is none. */
static pl_coll *pair_coll(pl_tx *tx, const char *verb, const char *const n[4])
{
    pl_coll *c;

    if (n[1] == NULL) {
        pl_debug(tx, 3, "Asked to %s variable \"%s\", but no collection name specified. ",
                 verb, pl_log_escape(tx->pool, n[0], strlen(n[0])));
        return NULL;
    }
    c = find_coll(tx, n[2], 0);
    if (c == NULL)
        pl_debug(tx, 3, "Could not %s variable \"%s.%s\" as the collection does not exist.",
                 verb, pl_log_escape(tx->pool, n[1], strlen(n[1])),
                 pl_log_escape(tx->pool, n[3], strlen(n[3])));
    return c;
}

/*
 * expirevar:coll.key=seconds records __expire_<key> (request time + seconds)
 * in the collection, like 2.9.  The expiry itself happens when persistent
 * storage loads the record again.
 */
static int exec_expirevar(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const pair_data *d = a->data;
    const char *n[4], *coll, *key, *secs;
    apr_size_t len;
    pl_coll *c;
    char *when;

    (void)r;
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Expiring variable: %s=%s", d->raw_name, d->raw_value);
    var_name_resolve(tx, &d->name, &n[0], &n[1], &n[2], &n[3]);
    if ((c = pair_coll(tx, "expire", n)) == NULL)
        return 0;
    coll = n[1];
    key = n[3];
    secs = expand(tx, d->value, &len);
    when = apr_psprintf(tx->pool, "%" APR_TIME_T_FMT,
                        (apr_time_t)(apr_time_sec(tx->start) + int_value(secs, len)));
    pl_coll_set(c, apr_pstrcat(tx->pool, "__expire_", key, NULL), when, strlen(when));
    pl_persist_dirty(tx, n[2]);
    if (dbg(tx, 4))
        pl_debug(tx, 4, "Variable \"%s.%s\" set to expire in %s seconds.", coll, key, secs);
    return 1;
}

/*
 * deprecatevar:coll.key=N/S lowers a counter by N for every S seconds since
 * the collection was last stored (LAST_UPDATE_TIME, which only records
 * loaded from storage have).
 */
static int exec_deprecatevar(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const pair_data *d = a->data;
    const char *n[4], *coll, *key, *spec, *slash;
    const pl_var *v, *last;
    apr_size_t len;
    apr_time_t now, elapsed;
    long cur, next, per;
    pl_coll *c;

    (void)r;
    if (dbg(tx, 9))
        pl_debug(tx, 9, "Deprecating variable: %s=%s", d->raw_name, d->raw_value);
    var_name_resolve(tx, &d->name, &n[0], &n[1], &n[2], &n[3]);
    spec = expand(tx, d->value, &len);
    if ((c = pair_coll(tx, "deprecate", n)) == NULL)
        return 0;
    coll = n[1];
    key = n[3];
    if ((v = pl_coll_get(c, key)) == NULL) {
        pl_debug(tx, 9, "Asked to deprecate variable \"%s.%s\", but it does not exist.",
                 pl_log_escape(tx->pool, coll, strlen(coll)),
                 pl_log_escape(tx->pool, key, strlen(key)));
        return 0;
    }
    if ((last = pl_coll_get(c, "LAST_UPDATE_TIME")) == NULL)
        return 0;
    slash = strchr(spec, '/');
    per = slash ? strtol(slash + 1, NULL, 10) : 0;
    if (slash == NULL || per <= 0) {
        pl_debug(tx, 3, "Incorrect format for the deprecatevar argument: \"%s\"",
                 pl_log_escape(tx->pool, spec, len));
        return 0;
    }
    cur = int_value(v->value, v->value_len);
    now = apr_time_sec(apr_time_now());
    elapsed = now - int_value(last->value, last->value_len);
    next = cur - strtol(spec, NULL, 10) * (long)(elapsed / per);
    if (next < 0)
        next = 0;
    if (next == cur) {
        pl_debug(tx, 9, "Not deprecating variable \"%s.%s\" because the new value (%ld) is "
                 "the same as the old one (%ld) (%" APR_TIME_T_FMT " seconds since last update).",
                 coll, key, cur, next, elapsed);
        return 1;
    }
    {
        char *val = apr_ltoa(tx->pool, next);
        pl_coll_set(c, v->key, val, strlen(val));
        pl_persist_dirty(tx, n[2]);
    }
    pl_debug(tx, 4, "Deprecated variable \"%s.%s\" from %ld to %ld (%" APR_TIME_T_FMT
             " seconds since last update).", coll, key, cur, next, elapsed);
    return 1;
}

/* ---- initcol, setsid, setuid, setrsc ---------------------------------------- */

static void coll_put(pl_coll *c, const char *key, const char *val)
{
    pl_coll_set(c, key, val, strlen(val));
}

/*
 * Makes collection coll_uc available to the transaction, keyed by key.
 * A collection already present is left alone (2.9 does the same).
 */
static int init_collection(pl_tx *tx, const char *coll_uc, const char *real_name,
                           const char *key, apr_size_t key_len)
{
    long timeout = DEFAULT_COLL_TIMEOUT;
    apr_time_t now = apr_time_sec(tx->start);
    pl_coll *c;

    if (find_coll(tx, coll_uc, 1) != NULL)
        return 0;
    if (tx->cfg != NULL && tx->cfg->collection_timeout != PL_UNSET)
        timeout = tx->cfg->collection_timeout;
    /* the stored record (persist.c), else a new one */
    c = pl_persist_load(tx, coll_uc, real_name, key, key_len);
    if (c == NULL) {
        pl_debug(tx, 4, "Creating collection (name \"%s\", key \"%s\").", real_name, key);
        pl_debug(tx, 4, "Setting default timeout collection value %ld.", timeout);
        c = pl_coll_create(tx->pool, coll_uc, 1);
        coll_put(c, "__expire_KEY",
                 apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, (apr_time_t)(now + timeout)));
        pl_coll_set(c, "KEY", key, key_len);
        coll_put(c, "TIMEOUT", apr_ltoa(tx->pool, timeout));
        pl_coll_set(c, "__key", key, key_len);
        coll_put(c, "__name", real_name);
        coll_put(c, "CREATE_TIME", apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, now));
        coll_put(c, "UPDATE_COUNTER", "0");
        coll_put(c, "IS_NEW", "1");
    }
    pl_persist_attach(tx, c);
    if (tx->colls == NULL)
        tx->colls = apr_hash_make(tx->pool);
    apr_hash_set(tx->colls, coll_uc, APR_HASH_KEY_STRING, c);
    if (strcasecmp(real_name, coll_uc) != 0)
        pl_debug(tx, 4, "Added collection \"%s\" to the list as \"%s\".", real_name, coll_uc);
    else
        pl_debug(tx, 4, "Added collection \"%s\" to the list.", real_name);
    return 1;
}

/*
 * initcol:coll=key.  2.9 lower-cases the whole parameter before splitting
 * it, so a literal key is lower-cased too ("initcol:ip=ABC" has KEY "abc");
 * macro values keep their case.
 */
static const char *act_initcol(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    coll_data *d = apr_pcalloc(p, sizeof(*d));
    char *lc = apr_pstrdup(p, a->param), *c;
    const char *key;
    char *name;

    (void)r;
    for (c = lc; *c; c++) *c = (char)tolower((unsigned char)*c);
    split_pair(p, lc, &name, &key);
    if (key == NULL || *name == '\0')
        return apr_psprintf(p, "Invalid initcol: \"%s\"", a->param);
    d->real_name = name;
    d->coll_uc = upper_dup(p, name, strlen(name));
    a->data = d;
    return compile(p, "initcol", key, &d->key);
}

static const char *coll_id_init(pl_action *a, apr_pool_t *p, const char *coll,
                                const char *action)
{
    coll_data *d = apr_pcalloc(p, sizeof(*d));

    d->coll_uc = coll;
    a->data = d;
    return compile(p, action, a->param, &d->key);
}

static const char *act_setsid(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)r;
    return coll_id_init(a, p, "SESSION", "setsid");
}

static const char *act_setuid(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)r;
    return coll_id_init(a, p, "USER", "setuid");
}

static const char *act_setrsc(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    (void)r;
    return coll_id_init(a, p, "RESOURCE", "setrsc");
}

/* SESSION/USER/RESOURCE are stored as "<SecWebAppId>_SESSION" ...; their
 * id (SESSIONID, USERID) is the KEY of the collection. */
static int exec_collection(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const coll_data *d = a->data;
    const char *real = d->real_name;
    apr_size_t len;
    const char *key = expand(tx, d->key, &len);

    (void)r;
    if (real == NULL) {
        const char *app = (tx->cfg && tx->cfg->web_app_id) ? tx->cfg->web_app_id
                                                           : DEFAULT_WEBAPPID;
        real = apr_pstrcat(tx->pool, app, "_", d->coll_uc, NULL);
    }
    return init_collection(tx, d->coll_uc, real, key, len);
}

/* ---- ctl ---------------------------------------------------------------- */

/* SecRuleEngine-style flags: On/Off; the body access options also take
 * true/false/1/0 (2.9's parse_boolean). */
static int parse_bool(const char *v, int strict)
{
    if (strcasecmp(v, "on") == 0) return 1;
    if (strcasecmp(v, "off") == 0) return 0;
    if (strict) return -1;
    if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) return 1;
    if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0) return 0;
    return -1;
}

static const char *bad_ctl(apr_pool_t *p, const ctl_data *c, const char *value)
{
    return apr_psprintf(p, "Invalid setting for ctl name %s: %s", c->def->name, value);
}

static const char *ctl_engine_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    if (strcasecmp(v, "on") == 0) c->num = PL_ENGINE_ON;
    else if (strcasecmp(v, "off") == 0) c->num = PL_ENGINE_OFF;
    else if (strcasecmp(v, "detectiononly") == 0) c->num = PL_ENGINE_DETECT;
    else return bad_ctl(p, c, v);
    return NULL;
}

static void ctl_engine_exec(pl_tx *tx, const ctl_data *c)
{
    tx->engine = (int)c->num;
    pl_debug(tx, 4, "Ctl: Set ruleEngine to %s.", c->value);
}

static const char *ctl_bool_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    c->num = parse_bool(v, 0);
    return c->num < 0 ? bad_ctl(p, c, v) : NULL;
}

static const char *ctl_onoff_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    c->num = parse_bool(v, 1);
    return c->num < 0 ? bad_ctl(p, c, v) : NULL;
}

static void ctl_reqbody_access_exec(pl_tx *tx, const ctl_data *c)
{
    tx->reqbody_access = (int)c->num;
    pl_debug(tx, 4, "Ctl: Set requestBodyAccess to %d.", tx->reqbody_access);
}

static void ctl_resbody_access_exec(pl_tx *tx, const ctl_data *c)
{
    tx->resbody_access = (int)c->num;
    pl_debug(tx, 4, "Ctl: Set responseBodyAccess to %d.", tx->resbody_access);
}

/* 2.9 reports this one as "requestBodyAccess" too. */
static void ctl_force_reqbody_exec(pl_tx *tx, const ctl_data *c)
{
    tx->force_reqbody_var = (int)c->num;
    pl_debug(tx, 4, "Ctl: Set requestBodyAccess to %d.", tx->force_reqbody_var);
}

/* Any name is accepted, as in 2.9; the body code reports unknown ones. */
static const char *ctl_processor_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    (void)p; (void)c; (void)v;
    return NULL;
}

static void ctl_processor_exec(pl_tx *tx, const ctl_data *c)
{
    tx->ctl_reqbody_processor = c->value;
    pl_debug(tx, 4, "Ctl: Set requestBodyProcessor to %s.", c->value);
}

static const char *ctl_limit_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    c->num = strtol(v, NULL, 10);
    if (c->num <= 0 || c->num == LONG_MAX)
        return bad_ctl(p, c, v);
    if (c->num > BODY_HARD_LIMIT)
        return apr_psprintf(p, "%s size limit cannot exceed the hard limit: %ld",
                            strncasecmp(c->def->name, "request", 7) == 0 ? "Request"
                                                                         : "Response",
                            BODY_HARD_LIMIT);
    return NULL;
}

static void ctl_reqbody_limit_exec(pl_tx *tx, const ctl_data *c)
{
    tx->reqbody_limit = c->num;
    pl_debug(tx, 4, "Ctl: Set requestBodyLimit to %ld.", c->num);
}

static void ctl_resbody_limit_exec(pl_tx *tx, const ctl_data *c)
{
    tx->resbody_limit = c->num;
    pl_debug(tx, 4, "Ctl: Set responseBodyLimit to %ld.", c->num);
}

static const char *ctl_audit_engine_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    if (strcasecmp(v, "on") == 0) c->num = PL_AUDIT_ON;
    else if (strcasecmp(v, "off") == 0) c->num = PL_AUDIT_OFF;
    else if (strcasecmp(v, "relevantonly") == 0) c->num = PL_AUDIT_RELEVANT;
    else return bad_ctl(p, c, v);
    return NULL;
}

static void ctl_audit_engine_exec(pl_tx *tx, const ctl_data *c)
{
    tx->audit_engine = (int)c->num;
    pl_debug(tx, 4, "Ctl: Set auditEngine to %d.", tx->audit_engine);
}

/* Audit log parts are A..K and Z, upper case only. */
static const char *ctl_parts_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    const char *s = (v[0] == '+' || v[0] == '-') ? v + 1 : v;

    for (; *s; s++)
        if (*s != 'Z' && (*s < 'A' || *s > 'K'))
            return bad_ctl(p, c, v);
    return NULL;
}

/* "+X" appends (duplicates included, as 2.9), "-X" removes every X, any
 * other value replaces the parts. */
static void ctl_parts_exec(pl_tx *tx, const ctl_data *c)
{
    const char *cur = tx->audit_parts;
    const char *v = c->value;
    char *parts;

    if (cur == NULL)
        cur = (tx->cfg && tx->cfg->audit_parts) ? tx->cfg->audit_parts : DEFAULT_AUDIT_PARTS;
    if (v[0] == '+') {
        parts = apr_pstrcat(tx->pool, cur, v + 1, NULL);
    } else if (v[0] == '-') {
        char *d;
        const char *s;
        parts = apr_pstrdup(tx->pool, cur);
        for (s = parts, d = parts; *s; s++)
            if (strchr(v + 1, *s) == NULL)
                *d++ = *s;
        *d = '\0';
    } else {
        parts = apr_pstrdup(tx->pool, v);
    }
    tx->audit_parts = parts;
    pl_debug(tx, 4, "Ctl: Set auditLogParts to %s.", parts);
}

static const char *ctl_debug_level_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    c->num = int_value(v, strlen(v));
    if (c->num < 0 || c->num > 9)
        return bad_ctl(p, c, v);
    return NULL;
}

static void ctl_debug_level_exec(pl_tx *tx, const ctl_data *c)
{
    tx->debug_log_level = (int)c->num;
    pl_debug(tx, 4, "Ctl: Set debugLogLevel to %d.", tx->debug_log_level);
}

/* "1,2 10-20": the same list syntax as SecRuleRemoveById. */
static const char *ctl_remove_id_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    c->ranges = apr_array_make(p, 2, sizeof(pl_id_range));
    return pl_parse_id_ranges(p, v, c->ranges);
}

static void ctl_remove_id_exec(pl_tx *tx, const ctl_data *c)
{
    if (tx->removed_ids == NULL)
        tx->removed_ids = apr_array_make(tx->pool, 4, sizeof(pl_id_range));
    apr_array_cat(tx->removed_ids, c->ranges);
    pl_debug(tx, 4, "Ctl: Removed rule by id : %s.", c->value);
}

static const char *compile_re(apr_pool_t *p, const char *re, pcre2_code **out)
{
    const char *err = NULL;

    *out = pl_regex_compile(p, re, 0, &err);
    if (*out == NULL)
        return apr_psprintf(p, "Invalid regular expression \"%s\": %s", re,
                            err ? err : "compilation failed");
    return NULL;
}

static const char *ctl_remove_re_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    return compile_re(p, v, &c->re);
}

static void push_re(pl_tx *tx, apr_array_header_t **arr, pcre2_code *re)
{
    if (*arr == NULL)
        *arr = apr_array_make(tx->pool, 4, sizeof(pcre2_code *));
    APR_ARRAY_PUSH(*arr, pcre2_code *) = re;
}

static void ctl_remove_tag_exec(pl_tx *tx, const ctl_data *c)
{
    push_re(tx, &tx->removed_tags, c->re);
    pl_debug(tx, 4, "Ctl: Removed rule by tag : %s.", c->value);
}

static void ctl_remove_msg_exec(pl_tx *tx, const ctl_data *c)
{
    push_re(tx, &tx->removed_msgs, c->re);
    pl_debug(tx, 4, "Ctl: Removed rule by msg : %s.", c->value);
}

/*
 * ruleRemoveTarget{ById,ByTag,ByMsg}=<ids|regex>;<targets>.  As in 2.9 the
 * targets end at the next ';'.  One pl_target_removal is prepared per id
 * range (or regex) and target, and copied to the transaction on exec.
 */
static const char *ctl_remove_target_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    const char *semi, *end, *err;
    apr_array_header_t *targets, *ranges = NULL;
    pcre2_code *re = NULL;
    int by, i, j, n;

    while (*v == ';') v++;
    semi = strchr(v, ';');
    if (semi == NULL || semi == v)
        return apr_psprintf(p, "Missing target in ctl:%s=%s", c->def->name, v);
    c->what = apr_pstrmemdup(p, v, semi - v);
    end = strchr(semi + 1, ';');
    c->targets = end ? apr_pstrmemdup(p, semi + 1, end - semi - 1) : apr_pstrdup(p, semi + 1);
    if (*c->targets == '\0')
        return apr_psprintf(p, "Missing target in ctl:%s=%s", c->def->name, v);

    by = strcasecmp(c->def->name, "ruleRemoveTargetById") == 0 ? PL_BY_ID
       : strcasecmp(c->def->name, "ruleRemoveTargetByTag") == 0 ? PL_BY_TAG : PL_BY_MSG;
    if (by == PL_BY_ID) {
        ranges = apr_array_make(p, 1, sizeof(pl_id_range));
        err = pl_parse_id_ranges(p, c->what, ranges);
    } else {
        err = compile_re(p, c->what, &re);
    }
    if (err != NULL)
        return err;
    targets = apr_array_make(p, 1, sizeof(pl_target));
    if ((err = pl_parse_targets(NULL, p, c->targets, targets)) != NULL)
        return err;

    n = ranges ? ranges->nelts : 1;
    c->removals = apr_array_make(p, n * targets->nelts, sizeof(pl_target_removal));
    for (i = 0; i < n; i++) {
        for (j = 0; j < targets->nelts; j++) {
            pl_target_removal *rm = apr_array_push(c->removals);
            memset(rm, 0, sizeof(*rm));
            rm->by = by;
            rm->re = re;
            if (ranges != NULL) {
                rm->id_from = APR_ARRAY_IDX(ranges, i, pl_id_range).from;
                rm->id_to = APR_ARRAY_IDX(ranges, i, pl_id_range).to;
            }
            rm->target = APR_ARRAY_IDX(targets, j, pl_target);
            rm->target.exclude = 1;
        }
    }
    return NULL;
}

static void ctl_remove_target_exec(pl_tx *tx, const ctl_data *c)
{
    const pl_target_removal *first = (const pl_target_removal *)c->removals->elts;
    const char *word = first->by == PL_BY_ID ? "id" : first->by == PL_BY_TAG ? "tag" : "msg";

    if (tx->removed_targets == NULL)
        tx->removed_targets = apr_array_make(tx->pool, 4, sizeof(pl_target_removal));
    apr_array_cat(tx->removed_targets, c->removals);
    pl_debug(tx, 4, "Ctl: %s %s=%s targets=%s", c->def->name, word, c->what, c->targets);
}

static const char *ctl_not_yet_init(apr_pool_t *p, ctl_data *c, const char *v)
{
    (void)v;
    return apr_psprintf(p, "not implemented yet: ctl:%s", c->def->name);
}

/* ctl:name=value, parsed and compiled here; blanks after '=' are dropped. */
static const char *act_ctl(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    ctl_data *c = apr_pcalloc(p, sizeof(*c));
    const char *value;
    char *name;

    (void)r;
    split_pair(p, a->param, &name, &value);
    if (value == NULL)
        return apr_psprintf(p, "Missing ctl value for name: %s", name);
    while (isspace((unsigned char)*value)) value++;
    if ((c->def = ctl_find(name)) == NULL)
        return apr_psprintf(p, "Invalid ctl name setting: %s", name);
    c->value = value;
    a->data = c;
    return c->def->init(p, c, value);
}

static int exec_ctl(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    const ctl_data *c = a->data;

    (void)r;
    c->def->exec(tx, c);
    return 1;
}

/* ---- tables ----------------------------------------------------------------- */

static const ctl_def ctl_defs[] = {
    { "auditEngine",              ctl_audit_engine_init,  ctl_audit_engine_exec },
    { "auditLogParts",            ctl_parts_init,         ctl_parts_exec },
    { "debugLogLevel",            ctl_debug_level_init,   ctl_debug_level_exec },
    { "forceRequestBodyVariable", ctl_onoff_init,         ctl_force_reqbody_exec },
    { "HashEnforcement",          ctl_not_yet_init,       NULL },
    { "HashEngine",               ctl_not_yet_init,       NULL },
    { "requestBodyAccess",        ctl_bool_init,          ctl_reqbody_access_exec },
    { "requestBodyLimit",         ctl_limit_init,         ctl_reqbody_limit_exec },
    { "requestBodyProcessor",     ctl_processor_init,     ctl_processor_exec },
    { "responseBodyAccess",       ctl_bool_init,          ctl_resbody_access_exec },
    { "responseBodyLimit",        ctl_limit_init,         ctl_resbody_limit_exec },
    { "ruleEngine",               ctl_engine_init,        ctl_engine_exec },
    { "ruleRemoveById",           ctl_remove_id_init,     ctl_remove_id_exec },
    { "ruleRemoveByMsg",          ctl_remove_re_init,     ctl_remove_msg_exec },
    { "ruleRemoveByTag",          ctl_remove_re_init,     ctl_remove_tag_exec },
    { "ruleRemoveTargetById",     ctl_remove_target_init, ctl_remove_target_exec },
    { "ruleRemoveTargetByMsg",    ctl_remove_target_init, ctl_remove_target_exec },
    { "ruleRemoveTargetByTag",    ctl_remove_target_init, ctl_remove_target_exec },
};

static const ctl_def *ctl_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(ctl_defs) / sizeof(ctl_defs[0]); i++)
        if (strcasecmp(ctl_defs[i].name, name) == 0)
            return &ctl_defs[i];
    return NULL;
}

#define META  PL_AT_META
#define DISR  PL_AT_DISRUPTIVE
#define FLOW  PL_AT_FLOW
#define RUN   PL_AT_RUN
#define DATA  PL_AT_DATA
#define NONE  PL_ARG_NONE
#define REQ   PL_ARG_REQ
#define OPT   PL_ARG_OPT

static const pl_actiondef action_defs[] = {
    /* name                      type  arg   init                exec               flags */
    { "accuracy",                META, REQ,  act_accuracy,       NULL,              0 },
    { "allow",                   DISR, OPT,  act_allow,          NULL,              0 },
    { "append",                  RUN,  REQ,  pl_stream_inject_init, pl_stream_append_exec, 0 },
    { "auditlog",                DATA, NONE, act_auditlog,       NULL,              0 },
    { "block",                   DISR, NONE, act_block,          NULL,              0 },
    { "capture",                 DATA, NONE, act_capture,        NULL,              0 },
    { "chain",                   FLOW, NONE, act_chain,          NULL,              0 },
    { "ctl",                     RUN,  REQ,  act_ctl,            exec_ctl,          0 },
    { "deny",                    DISR, NONE, act_deny,           NULL,              0 },
    { "deprecatevar",            RUN,  REQ,  act_deprecatevar,   exec_deprecatevar, 0 },
    { "drop",                    DISR, NONE, act_drop,           NULL,              0 },
    { "exec",                    RUN,  REQ,  act_exec,           exec_exec,         0 },
    { "expirevar",               RUN,  REQ,  act_expirevar,      exec_expirevar,    0 },
    { "id",                      META, REQ,  act_id,             NULL,              0 },
    { "initcol",                 RUN,  REQ,  act_initcol,        exec_collection,   0 },
    { "log",                     DATA, NONE, act_log,            NULL,              0 },
    { "logdata",                 META, REQ,  act_logdata,        NULL,              0 },
    { "marker",                  META, REQ,  act_marker,         NULL,              0 },
    { "maturity",                META, REQ,  act_maturity,       NULL,              0 },
    { "msg",                     META, REQ,  act_msg,            NULL,              0 },
    { "multiMatch",              DATA, NONE, act_multi_match,    NULL,              0 },
    { "noauditlog",              DATA, NONE, act_noauditlog,     NULL,              0 },
    { "nolog",                   DATA, NONE, act_nolog,          NULL,              0 },
    { "pass",                    DISR, NONE, act_pass,           NULL,              0 },
    { "pause",                   DATA, REQ,  act_pause,          NULL,              0 },
    { "phase",                   META, REQ,  act_phase,          NULL,              0 },
    { "prepend",                 RUN,  REQ,  pl_stream_inject_init, pl_stream_prepend_exec, 0 },
    { "proxy",                   DISR, REQ,  act_proxy,          NULL,              0 },
    { "redirect",                DISR, REQ,  act_redirect,       NULL,              0 },
    { "rev",                     META, REQ,  act_rev,            NULL,              0 },
    { "sanitiseArg",             RUN,  REQ,  NULL,               exec_sanitise,     0 },
    { "sanitiseMatched",         RUN,  NONE, NULL,               exec_sanitise,     0 },
    { "sanitiseMatchedBytes",    RUN,  OPT,  act_sanitise_bytes, exec_sanitise,     0 },
    { "sanitiseRequestHeader",   RUN,  REQ,  NULL,               exec_sanitise,     0 },
    { "sanitiseResponseHeader",  RUN,  REQ,  NULL,               exec_sanitise,     0 },
    { "sanitizeArg",             RUN,  REQ,  NULL,               exec_sanitise,     0 },
    { "sanitizeMatched",         RUN,  NONE, NULL,               exec_sanitise,     0 },
    { "sanitizeMatchedBytes",    RUN,  OPT,  act_sanitise_bytes, exec_sanitise,     0 },
    { "sanitizeRequestHeader",   RUN,  REQ,  NULL,               exec_sanitise,     0 },
    { "sanitizeResponseHeader",  RUN,  REQ,  NULL,               exec_sanitise,     0 },
    { "setenv",                  RUN,  REQ,  act_setenv,         exec_setenv,       0 },
    { "setrsc",                  RUN,  REQ,  act_setrsc,         exec_collection,   0 },
    { "setsid",                  RUN,  REQ,  act_setsid,         exec_collection,   0 },
    { "setuid",                  RUN,  REQ,  act_setuid,         exec_collection,   0 },
    { "setvar",                  RUN,  REQ,  act_setvar,         exec_setvar,       0 },
    { "severity",                META, REQ,  act_severity,       NULL,              0 },
    { "skip",                    FLOW, REQ,  act_skip,           NULL,              0 },
    { "skipAfter",               FLOW, REQ,  act_skip_after,     NULL,              0 },
    { "status",                  DATA, REQ,  act_status,         NULL,              0 },
    { "t",                       DATA, REQ,  act_t,              NULL,              0 },
    { "tag",                     META, REQ,  act_tag,            NULL,              0 },
    { "ver",                     META, REQ,  act_ver,            NULL,              0 },
    { "xmlns",                   DATA, REQ,  act_xmlns,          NULL,              0 },
};

const pl_actiondef *pl_actiondef_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(action_defs) / sizeof(action_defs[0]); i++)
        if (strcasecmp(action_defs[i].name, name) == 0)
            return &action_defs[i];
    return NULL;
}
