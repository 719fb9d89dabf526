/*
 * The rule engine: runs the rules of one phase against a transaction.
 *
 * Semantics follow ModSecurity 2.9: a rule is evaluated against every value
 * of its targets; each match runs the rule's non-disruptive actions; when the
 * last rule of a chain matches, the match is logged with the chain starter's
 * metadata and the starter's disruptive action is applied (only logged in
 * DetectionOnly).  skip/skipAfter move over chain starters of the phase.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "palisade.h"

#define DATA_MAX 512           /* logdata is cut here, as ModSecurity does */
#define MATCHED_RULES_MAX 1000 /* part K entries kept per transaction */

static const char *const severities[] = {
    "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"
};

/* ---- debug log ----------------------------------------------------------- */

/* The debug level in effect, so that costly messages are only built when
 * they will be written (-1: no debug log). */
static int dbg_level(const pl_tx *tx)
{
    int l;

    if (tx->cfg == NULL || tx->cfg->debug_log == NULL)
        return -1;
    l = tx->debug_log_level != PL_UNSET ? tx->debug_log_level : tx->cfg->debug_log_level;
    return l == PL_UNSET ? -1 : l;
}

void pl_debug(pl_tx *tx, int level, const char *fmt, ...)
{
    char tbuf[APR_CTIME_LEN + 32], *line;
    apr_time_exp_t t;
    apr_size_t tl;
    va_list ap;
    int max;

    if (tx == NULL || tx->cfg->debug_log == NULL)
        return;
    max = tx->debug_log_level != PL_UNSET ? tx->debug_log_level : tx->cfg->debug_log_level;
    if (max == PL_UNSET || level > max)
        return;
    /* 2.9's line: [time with microseconds] [host/sid#config][rid#request][uri][level] */
    apr_time_exp_lt(&t, apr_time_now());
    apr_strftime(tbuf, &tl, sizeof(tbuf), "%d/%b/%Y:%H:%M:%S", &t);
    apr_snprintf(tbuf + tl, sizeof(tbuf) - tl, ".%06ld %c%.2ld%.2ld", (long)t.tm_usec,
                 t.tm_gmtoff < 0 ? '-' : '+', labs((long)t.tm_gmtoff) / 3600,
                 (labs((long)t.tm_gmtoff) / 60) % 60);
    va_start(ap, fmt);
    line = apr_pvsprintf(tx->pool, fmt, ap);
    va_end(ap);
    line = apr_psprintf(tx->pool, "[%s] [%s/sid#%pp][rid#%pp][%s][%d] %s\n", tbuf,
                        tx->hostname ? tx->hostname : "-", (void *)tx->cfg, (void *)tx,
                        tx->log_uri ? tx->log_uri : tx->path_decoded ? tx->path_decoded : "",
                        level, line);
    apr_file_write_full(tx->cfg->debug_log, line, strlen(line), NULL);
}

/* ---- messages ------------------------------------------------------------ */

static const char *metadata(pl_tx *tx, const pl_rule *s)
{
    apr_pool_t *p = tx->pool;
    char *m = apr_psprintf(p, " [file \"%s\"] [line \"%d\"]", s->file ? s->file : "", s->line);
    int i;

    /* only a SecRuleScript may have no id: 2.9 then writes no [id] */
    if (s->id_str)
        m = apr_pstrcat(p, m, " [id \"", s->id_str, "\"]", NULL);

    if (s->rev)
        m = apr_pstrcat(p, m, " [rev \"", pl_log_escape(p, s->rev, strlen(s->rev)), "\"]", NULL);
    if (s->msg) {
        apr_size_t n;
        const char *v = pl_macro_expand(tx, s->msg, &n);
        m = apr_pstrcat(p, m, " [msg \"", pl_log_escape(p, v, n), "\"]", NULL);
    }
    if (s->logdata) {
        apr_size_t n;
        const char *v = pl_macro_expand(tx, s->logdata, &n);
        const char *e = pl_log_escape_hex(p, v, n);
        if (strlen(e) > DATA_MAX)
            e = apr_psprintf(p, "%.*s...", DATA_MAX - 3, e);
        m = apr_pstrcat(p, m, " [data \"", e, "\"]", NULL);
    }
    if (s->severity >= 0 && s->severity <= 7)
        m = apr_pstrcat(p, m, " [severity \"", severities[s->severity], "\"]", NULL);
    if (s->ver)
        m = apr_pstrcat(p, m, " [ver \"", pl_log_escape(p, s->ver, strlen(s->ver)), "\"]", NULL);
    if (s->maturity > 0)
        m = apr_psprintf(p, "%s [maturity \"%d\"]", m, s->maturity);
    if (s->accuracy > 0)
        m = apr_psprintf(p, "%s [accuracy \"%d\"]", m, s->accuracy);
    for (i = 0; i < s->tags->nelts; i++) {
        const char *t = APR_ARRAY_IDX(s->tags, i, const char *);
        m = apr_pstrcat(p, m, " [tag \"", pl_log_escape(p, t, strlen(t)), "\"]", NULL);
    }
    return m;
}

static const char *trailer(pl_tx *tx)
{
    const char *uri = tx->log_uri ? tx->log_uri : tx->path_decoded ? tx->path_decoded : "";
    return apr_psprintf(tx->pool, " [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]",
                        pl_log_escape(tx->pool, tx->hostname ? tx->hostname : "",
                                      tx->hostname ? strlen(tx->hostname) : 0),
                        pl_log_escape(tx->pool, uri, strlen(uri)),
                        tx->unique_id ? tx->unique_id : "");
}

void pl_log_alert(pl_tx *tx, int level, const char *msg)
{
    pl_debug(tx, level, "%s", msg);
    if (level > 3)
        return;
    pl_audit_alert(tx, msg, -1);
    tx->is_relevant = 1;
    if (tx->host && tx->host->log_error)
        tx->host->log_error(tx, level, apr_pstrcat(tx->pool, msg, trailer(tx), NULL));
}

/* ---- disruption ----------------------------------------------------------- */

typedef struct effect {
    int         action;        /* enum pl_disruptive after block resolution */
    int         status;
    const char *url;
} effect;

static effect resolve(pl_tx *tx, const pl_rule *s)
{
    effect e;
    e.action = s->disruptive;
    e.status = s->status;
    e.url = s->redirect_url ? pl_macro_expand(tx, s->redirect_url, NULL) : NULL;
    if (e.action == PL_DA_BLOCK || e.action == PL_DA_NONE) {
        e.action = s->def_disruptive;
        if (s->def_status != PL_UNSET)
            e.status = s->def_status;
        if (s->def_url)
            e.url = pl_macro_expand(tx, s->def_url, NULL);
    }
    if (e.status == PL_UNSET)
        e.status = e.action == PL_DA_REDIRECT ? 302 : 403;
    return e;
}

static const char *prefix(pl_tx *tx, const effect *e, int active)
{
    apr_pool_t *p = tx->pool;
    if (!active)
        return "Warning.";
    switch (e->action) {
    case PL_DA_DENY:
        return apr_psprintf(p, "Access denied with code %d (phase %d).", e->status, tx->phase);
    case PL_DA_DROP:
        return apr_psprintf(p, "Access denied with connection close (phase %d).", tx->phase);
    case PL_DA_REDIRECT:
        return apr_psprintf(p, "Access denied with redirection to %s using status %d (phase %d).",
                            e->url ? e->url : "", e->status, tx->phase);
    case PL_DA_PROXY:
        return apr_psprintf(p, "Access denied using proxy to %s (phase %d).",
                            e->url ? e->url : "", tx->phase);
    case PL_DA_ALLOW:
    case PL_DA_ALLOW_PHASE:
    case PL_DA_ALLOW_REQUEST:
        return apr_psprintf(p, "Access allowed (phase %d).", tx->phase);
    default:
        return "Warning.";
    }
}

/*
 * The whole chain matched: log with the starter's metadata and apply its
 * disruptive action.  Returns 1 when the transaction is now intercepted.
 */
static int chain_matched(pl_tx *tx, const pl_rule *s, const char *opmsg)
{
    effect e = resolve(tx, s);
    int blocking = e.action == PL_DA_DENY || e.action == PL_DA_DROP
                || e.action == PL_DA_REDIRECT || e.action == PL_DA_PROXY;
    int allowing = e.action == PL_DA_ALLOW || e.action == PL_DA_ALLOW_PHASE
                || e.action == PL_DA_ALLOW_REQUEST;
    /* as 2.9, allow too is only a "Warning." without effect in
     * DetectionOnly and in phase 5 */
    int active = (blocking || allowing) && tx->engine == PL_ENGINE_ON && tx->phase != 5;
    pl_match *m = apr_array_push(tx->matches);
    const char *body;

    if (s->severity >= 0 && s->severity < tx->highest_severity)
        tx->highest_severity = s->severity;
    m->rule = s;
    m->phase = tx->phase;
    m->disruptive = active && blocking;
    m->logged = s->log == 1;
    m->op_message = opmsg;
    /* ModSecurity expands msg and logdata with no current rule, so
     * %{RULE.x} is empty there (it works in setvar) */
    tx->rule = NULL;
    body = apr_pstrcat(tx->pool, prefix(tx, &e, active), " ", opmsg ? opmsg : "",
                       metadata(tx, s), NULL);
    /* ModSecurity formats the message into a 1024-byte buffer */
    if (strlen(body) > 1023)
        body = apr_pstrndup(tx->pool, body, 1023);
    m->message = apr_pstrcat(tx->pool, body, trailer(tx), NULL);
    tx->rule = s;
    /* the audit log's part H gets what is logged and what is audit-logged
     * (nolog,auditlog); only auditlog makes the transaction relevant, as
     * in 2.9 (log,noauditlog: error log only) */
    if (s->log == 1 || s->auditlog == 1)
        pl_audit_alert(tx, body, tx->matches->nelts - 1);
    if (s->auditlog == 1)
        tx->is_relevant = 1;
    if (m->logged && tx->host && tx->host->log_error)
        tx->host->log_error(tx, 3, m->message);
    pl_debug(tx, m->disruptive ? 1 : s->log == 1 ? 2 : 4, "%s", body);
    if (!active)
        return 0;
    if (allowing) {
        tx->allow = e.action;
        return 0;
    }
    tx->intercept.action = e.action;
    tx->intercept.status = e.status;
    tx->intercept.url = e.url;
    tx->intercept.phase = tx->phase;
    tx->intercept.rule = s;
    tx->intercept_message = opmsg;
    return 1;
}

/* ---- target values ------------------------------------------------------ */

static int removal_applies(const pl_target_removal *rm, const pl_rule *s)
{
    switch (rm->by) {
    case PL_BY_ID:  return s->id >= rm->id_from && s->id <= rm->id_to && s->id != 0;
    case PL_BY_TAG: return pl_rule_has_tag(s, rm->re);
    default:        return pl_rule_msg_matches(s, rm->re);
    }
}

static int excluded(pl_tx *tx, const pl_rule *r, const pl_target *from, const pl_var *v)
{
    int i;
    const pl_target *ts = (const pl_target *)r->targets->elts;

    for (i = 0; i < r->targets->nelts; i++)
        if (ts[i].exclude && pl_target_excludes(tx, &ts[i], v, from))
            return 1;
    if (tx->removed_targets) {
        for (i = 0; i < tx->removed_targets->nelts; i++) {
            const pl_target_removal *rm =
                &APR_ARRAY_IDX(tx->removed_targets, i, pl_target_removal);
            if (removal_applies(rm, r->chain_start)
                    && pl_target_excludes(tx, &rm->target, v, from))
                return 1;
        }
    }
    return 0;
}

static void collect(pl_tx *tx, const pl_rule *r, apr_array_header_t *out,
                    apr_array_header_t *tmp)
{
    const pl_target *ts = (const pl_target *)r->targets->elts;
    int i, j;

    for (i = 0; i < r->targets->nelts; i++) {
        const pl_target *t = &ts[i];
        if (t->exclude)
            continue;
        tmp->nelts = 0;
        pl_target_values(tx, t, tmp);
        if (t->count) {
            pl_var *c = apr_pcalloc(tx->pool, sizeof(*c));
            int n = 0;
            for (j = 0; j < tmp->nelts; j++)
                if (!excluded(tx, r, t, APR_ARRAY_IDX(tmp, j, pl_var *)))
                    n++;
            /* 2.9 names a counted target after its collection alone */
            c->name = t->coll ? t->coll : t->def->name;
            c->value = apr_itoa(tx->pool, n);
            c->value_len = strlen(c->value);
            APR_ARRAY_PUSH(out, pl_var *) = c;
            continue;
        }
        for (j = 0; j < tmp->nelts; j++) {
            pl_var *v = APR_ARRAY_IDX(tmp, j, pl_var *);
            if (!excluded(tx, r, t, v))
                APR_ARRAY_PUSH(out, pl_var *) = v;
        }
    }
}

/* ---- one rule ------------------------------------------------------------- */

static void run_actions(pl_tx *tx, pl_rule *r)
{
    const pl_action *as = (const pl_action *)r->actions->elts;
    int i;
    for (i = 0; i < r->actions->nelts; i++)
        if (as[i].def->type == PL_AT_RUN && as[i].def->exec)
            as[i].def->exec(tx, r, &as[i]);
}

/*
 * SecRulePerfTime: adds an operator run's time to its rule (by id) in
 * tx->perf_rules, as 2.9 does: a rule enters the table once one run, or
 * its total since it entered, reaches the limit.
 */
static void perf_rule(pl_tx *tx, const pl_rule *s, apr_time_t t)
{
    const char *old;

    if (tx->perf_rules == NULL)
        tx->perf_rules = apr_table_make(tx->pool, 8);
    old = apr_table_get(tx->perf_rules, s->id_str);
    if (old != NULL)
        t += (apr_time_t)apr_atoi64(old);
    if (t >= tx->cfg->rule_perf_time)
        apr_table_setn(tx->perf_rules, s->id_str,
                       apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, t));
}

/* Runs the operator once; 1 when the rule's condition holds, -1 when the
 * operator failed. */
static int test(pl_tx *tx, pl_rule *r, const pl_var *v, const char *val,
                apr_size_t len, char **msg)
{
    int rc;

    int level = dbg_level(tx);
    int perf = tx->cfg->rule_perf_time > 0 && r->chain_start->id_str != NULL;
    apr_time_t t0 = 0;

    *msg = NULL;
    if (level >= 4) {
        pl_debug(tx, 4, "Executing operator \"%s%s\" with param \"%s\" against %s.",
                 r->op.negated ? "!" : "", r->op.def->name,
                 pl_log_escape(tx->pool, r->op.param, strlen(r->op.param)), v->name);
        if (level >= 9)
            pl_debug(tx, 9, "Target value: \"%s\"", pl_log_escape_nq(tx->pool, val, len));
        t0 = apr_time_now();
    }
    if (perf && level < 4)
        t0 = apr_time_now();
    rc = r->op.def->exec(tx, r, &r->op, v, val, len, msg);
    if (level >= 4)
        pl_debug(tx, 4, "Operator completed in %" APR_TIME_T_FMT " usec.", apr_time_now() - t0);
    if (perf)
        perf_rule(tx, r->chain_start, apr_time_now() - t0);
    if (rc < 0) {
        /* an operator error counts as no match for this value, as in 2.9;
         * execution errors (PCRE limits) also reach the error log and the
         * audit log */
        if (*msg && strncmp(*msg, "Rule ", 5) == 0) {
            pl_audit_alert(tx, *msg, -1);
            tx->is_relevant = 1;
            if (tx->host && tx->host->log_error)
                tx->host->log_error(tx, 3, *msg);
        }
        pl_debug(tx, 4, "Operator error: %s", *msg ? *msg : "operator failed");
        /* other errors end the rule: "Rule processing failed" */
        return *msg && strncmp(*msg, "Rule ", 5) == 0 ? 0 : -1;
    }
    if (r->op.negated) {
        const char *param;
        if (rc == 1)
            return 0;
        param = pl_log_escape(tx->pool, r->op.param, strlen(r->op.param));
        if (strlen(param) > 252)
            param = apr_psprintf(tx->pool, "%.252s ...", param);
        *msg = apr_psprintf(tx->pool, "Match of \"%s %s\" against \"%s\" required.",
                            r->op.def->name, param,
                            pl_log_escape(tx->pool, v->name, strlen(v->name)));
        return 1;
    }
    return rc == 1;
}

/*
 * Transformation cache: one entry per (original value, pipeline prefix).
 * Values are identified by address and length: collections keep their
 * values for the whole transaction, so the address is stable, and a value
 * replaced later (setvar) gets a new address.
 */
typedef struct tfn_key {
    const char *val;
    apr_size_t  len;
    int         prefix;
} tfn_key;

typedef struct tfn_result {
    const char *val;
    apr_size_t  len;
    int         changed;
} tfn_result;

/* Applies step k of r's pipeline to cur, which derives from orig. */
static int tfn_step(pl_tx *tx, const pl_rule *r, int k, const pl_var *orig,
                    const char **cur, apr_size_t *len)
{
    const pl_tfndef *tf = APR_ARRAY_IDX(r->tfns, k, const pl_tfndef *);
    tfn_key key, *kp;
    tfn_result *res;
    char *out;
    apr_size_t olen;

    memset(&key, 0, sizeof(key));
    key.val = orig->value;
    key.len = orig->value_len;
    key.prefix = r->tfn_ids[k];
    res = apr_hash_get(tx->tfn_cache, &key, sizeof(key));
    if (res == NULL) {
        res = apr_palloc(tx->pool, sizeof(*res));
        res->changed = tf->fn ? tf->fn(tx->pool, *cur, *len, &out, &olen) : 0;
        res->val = res->changed ? out : *cur;
        res->len = res->changed ? olen : *len;
        kp = apr_pmemdup(tx->pool, &key, sizeof(key));
        apr_hash_set(tx->tfn_cache, kp, sizeof(*kp), res);
    }
    *cur = res->val;
    *len = res->len;
    /* 2.9 prints 0 here whatever the function returned */
    if (dbg_level(tx) >= 9)
        pl_debug(tx, 9, "T (0) %s: \"%s\"", tf->name, pl_log_escape_nq(tx->pool, *cur, *len));
    return res->changed;
}

/* Every operator match, for the audit log's part K (bounded: a rule that
 * matches many values is listed once per value, as in 2.9, up to a limit). */
static void note_match(pl_tx *tx, const pl_rule *r)
{
    if (tx->matched_rules == NULL)
        tx->matched_rules = apr_array_make(tx->pool, 8, sizeof(const pl_rule *));
    if (tx->matched_rules->nelts < MATCHED_RULES_MAX)
        APR_ARRAY_PUSH(tx->matched_rules, const pl_rule *) = r;
}

/* A value matched: remember it and run the rule's non-disruptive actions. */
static void matched(pl_tx *tx, pl_rule *r, const pl_var *v, const char *val, apr_size_t len)
{
    pl_var *m = apr_palloc(tx->pool, sizeof(*m));
    m->name = v->name;
    m->key = v->key;
    m->value = val;
    m->value_len = len;
    tx->matched_var = m;
    APR_ARRAY_PUSH(tx->matched_vars, const pl_var *) = m;
    note_match(tx, r);
    run_actions(tx, r);
}

/*
 * Evaluates one rule of a chain.  Returns -1 when the transaction got
 * intercepted, -2 when its operator failed (the rule stops there, as in
 * 2.9), otherwise the number of matched values.
 */
/* Runs the operator on one (transformed) value; on a match records it and,
 * for the last rule of a chain, logs and disrupts.  Returns 1 on a match,
 * 0 without, -1 when the transaction got intercepted, -2 when the
 * operator failed. */
static int evaluate(pl_tx *tx, pl_rule *r, const pl_var *v, const char *val,
                    apr_size_t len, int last)
{
    char *msg = NULL;
    int rc = test(tx, r, v, val, len, &msg);

    if (rc <= 0)
        return rc == 0 ? 0 : -2;
    matched(tx, r, v, val, len);
    if (last && chain_matched(tx, r->chain_start, msg))
        return -1;
    return 1;
}

/*
 * SecRuleScript: main() returning a string (or a number) is a match whose
 * message is that text, as in 2.9, which neither sets MATCHED_VAR nor
 * lists the rule in the audit log's part K.  A failing script fails the
 * rule ("Rule processing failed" follows its own error line).
 */
static int run_script(pl_tx *tx, pl_rule *r, int last)
{
    char *msg = NULL;
    int rc = pl_lua_run(tx, r, r->op.data, NULL, &msg);

    if (rc < 0) {
        pl_log_alert(tx, 1, msg);
        return -2;
    }
    if (rc == 0)
        return 0;
    run_actions(tx, r);
    if (last && chain_matched(tx, r->chain_start, msg))
        return -1;
    return 1;
}

static int run_rule(pl_tx *tx, pl_rule *r, apr_array_header_t *vals, apr_array_header_t *tmp)
{
    /* a "chain" with no rule after it never completes: as in 2.9 its
     * actions run on a match but it neither logs nor disrupts */
    int last = r->chain_next == NULL && !r->chain, hits = 0, i, k;

    if (r->type == PL_RT_SCRIPT)
        return run_script(tx, r, last);
    if (r->type != PL_RT_RULE) {
        note_match(tx, r);
        run_actions(tx, r);
        if (last && chain_matched(tx, r->chain_start, "Unconditional match in SecAction."))
            return -1;
        return 1;
    }
    vals->nelts = 0;
    collect(tx, r, vals, tmp);
    for (i = 0; i < vals->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(vals, i, const pl_var *);
        const char *val = v->value;
        apr_size_t len = v->value_len;
        int rc, changed = 1;

        if (!r->multi_match) {
            for (k = 0; k < r->tfns->nelts; k++)
                tfn_step(tx, r, k, v, &val, &len);
            if ((rc = evaluate(tx, r, v, val, len, last)) < 0)
                return rc;
            hits += rc;
            continue;
        }
        /* multiMatch as in 2.9: before the first transformation and after
         * every one that changed the value; never without transformations */
        for (k = 0; k < r->tfns->nelts; k++) {
            if (changed) {
                if ((rc = evaluate(tx, r, v, val, len, last)) < 0)
                    return rc;
                hits += rc;
            }
            changed = tfn_step(tx, r, k, v, &val, &len);
        }
        if (r->tfns->nelts > 0 && changed) {
            if ((rc = evaluate(tx, r, v, val, len, last)) < 0)
                return rc;
            hits += rc;
        }
    }
    return hits;
}

/* 1 when ctl:ruleRemove* took the rule out for this transaction. */
static int removed(const pl_tx *tx, const pl_rule *s)
{
    int i;
    if (s->id && pl_rule_id_in(s->id, tx->removed_ids))
        return 1;
    if (tx->removed_tags)
        for (i = 0; i < tx->removed_tags->nelts; i++)
            if (pl_rule_has_tag(s, APR_ARRAY_IDX(tx->removed_tags, i, pcre2_code *)))
                return 1;
    if (tx->removed_msgs)
        for (i = 0; i < tx->removed_msgs->nelts; i++)
            if (pl_rule_msg_matches(s, APR_ARRAY_IDX(tx->removed_msgs, i, pcre2_code *)))
                return 1;
    return 0;
}

/* ---- phases ------------------------------------------------------------- */

static const char *const phase_names[] = {
    "", "REQUEST_HEADERS", "REQUEST_BODY", "RESPONSE_HEADERS", "RESPONSE_BODY", "LOGGING"
};

/* Rules of a phase as 2.9 counts them: chain members included. */
static int rule_count(const apr_array_header_t *rules)
{
    int i, n = 0;
    const pl_rule *r;

    for (i = 0; i < rules->nelts; i++)
        for (r = APR_ARRAY_IDX(rules, i, const pl_rule *); r; r = r->chain_next)
            n++;
    return n;
}

static int run_phase(pl_tx *tx, int phase)
{
    apr_array_header_t *rules, *vals, *tmp;
    int level = dbg_level(tx);
    const char *skip_after = NULL;
    int skip = 0, i;

    if (tx->engine == PL_ENGINE_OFF || phase < 1 || phase > PL_PHASES)
        return 0;
    if (tx->intercept.action != PL_DA_NONE && phase != 5)
        return 0;
    if ((tx->allow == PL_DA_ALLOW && phase < 5)
            || (tx->allow == PL_DA_ALLOW_REQUEST && phase <= 2))
        return 0;
    if (tx->allow == PL_DA_ALLOW_PHASE)
        tx->allow = PL_DA_NONE;
    tx->phase = phase;
    rules = tx->cfg->rules->phase[phase];
    vals = apr_array_make(tx->pool, 16, sizeof(pl_var *));
    tmp = apr_array_make(tx->pool, 16, sizeof(pl_var *));
    if (level >= 4)
        pl_debug(tx, 4, "Starting phase %s.", phase_names[phase]);
    if (level >= 9)
        pl_debug(tx, 9, "This phase consists of %d rule(s).", rule_count(rules));

    for (i = 0; i < rules->nelts; i++) {
        pl_rule *s = APR_ARRAY_IDX(rules, i, pl_rule *), *r;
        int rc = 0;

        if (skip_after) {
            if (s->id_str && strcmp(s->id_str, skip_after) == 0) {
                pl_debug(tx, 9, "Current rule is id=\"%s\" [chained 0] is trying to find the SecMarker=\"%s\" [stop 1]",
                         s->id_str, skip_after);
                skip_after = NULL;
            }
            continue;
        }
        if (s->type == PL_RT_MARKER)
            continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        if (removed(tx, s))
            continue;
        tx->rule = s;
        tx->matched_vars->nelts = 0;
        if (level >= 4)
            pl_debug(tx, 4, "Recipe: Invoking rule %pp; [file \"%s\"] [line \"%d\"]%s%s%s.",
                     (void *)s, s->file ? s->file : "", s->line, s->id_str ? " [id \"" : "",
                     s->id_str ? s->id_str : "", s->id_str ? "\"]" : "");
        for (r = s; r; r = r->chain_next) {
            if (level >= 5)
                pl_debug(tx, 5, "Rule %pp: %s", (void *)r,
                         pl_rule_unparsed(tx->pool, r, tx->cfg->default_action));
            rc = run_rule(tx, r, vals, tmp);
            if (level >= 4)
                pl_debug(tx, 4, "Rule returned %d.", rc > 0 ? 1 : rc == -2 ? -1 : rc < 0 ? 1 : 0);
            if (level >= 9)
                pl_debug(tx, 9, "%s", rc > 0 && r->chain_next ? "Match -> mode NEXT_RULE (chained)."
                         : rc != 0 ? "Match -> mode NEXT_RULE."
                         : r->chain_next || r != s ? "No match, chained -> mode NEXT_RULE."
                         : "No match, not chained -> mode NEXT_RULE.");
            if (rc <= 0)
                break;
        }
        if (rc == -2) {
            pl_log_alert(tx, 1, apr_psprintf(tx->pool, "Rule processing failed (id=%s, msg=%s).",
                         s->id_str ? s->id_str : "", s->msg ? pl_macro_text(s->msg) : ""));
            rc = 0;
        }
        tx->rule = NULL;
        /* also an interception by an action (a persistent collection store
         * that is down with SecCollectionBackendFailure closed) */
        if (rc < 0 || (tx->intercept.action != PL_DA_NONE && phase != 5))
            return 1;
        if (rc == 0)
            continue;
        if (tx->allow != PL_DA_NONE || tx->engine == PL_ENGINE_OFF)
            break;
        if (s->skip_after)
            skip_after = s->skip_after;
        else if (s->skip > 0)
            skip = s->skip;
    }
    return 0;
}

/* Runs a phase and adds its time to the audit log's Stopwatch2. */
int pl_run_phase(pl_tx *tx, int phase)
{
    apr_time_t t0 = apr_time_now();
    int rc = run_phase(tx, phase);

    if (phase >= 1 && phase <= PL_PHASES)
        tx->phase_time[phase] += apr_time_now() - t0;
    return rc;
}
