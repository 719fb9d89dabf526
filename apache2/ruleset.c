/*
 * Rule sets: adding rules (chains, duplicate ids), copying a parent's set
 * into a child context, and the configuration-time edits SecRuleRemove* and
 * SecRuleUpdate*.  Edits that change a rule copy it first, because a rule can
 * be shared by several contexts.
 */
#include <ctype.h>
#include <stdlib.h>
#include "palisade.h"

pl_ruleset *pl_ruleset_create(apr_pool_t *p)
{
    pl_ruleset *rs = apr_pcalloc(p, sizeof(*rs));
    int i;
    for (i = 1; i <= PL_PHASES; i++)
        rs->phase[i] = apr_array_make(p, 16, sizeof(pl_rule *));
    return rs;
}

pl_ruleset *pl_ruleset_copy(apr_pool_t *p, const pl_ruleset *src)
{
    pl_ruleset *rs = apr_pcalloc(p, sizeof(*rs));
    int i;
    for (i = 1; i <= PL_PHASES; i++)
        rs->phase[i] = apr_array_copy(p, src->phase[i]);
    return rs;
}

static pl_rule *find_id(const pl_ruleset *rs, long id)
{
    int ph, i;
    for (ph = 1; ph <= PL_PHASES; ph++)
        for (i = 0; i < rs->phase[ph]->nelts; i++) {
            pl_rule *r = APR_ARRAY_IDX(rs->phase[ph], i, pl_rule *);
            if (r->id == id)
                return r;
        }
    return NULL;
}

const char *pl_ruleset_add(pl_cmd *cmd, pl_rule *r)
{
    pl_ruleset *rs = cmd->cfg->rules;
    pl_rule *last = rs->last;

    if (last && last->chain) {
        last->chain_next = r;
        r->chain_start = last->chain_start;
    } else {
        if (r->id != 0 && find_id(rs, r->id) != NULL)
            return apr_psprintf(cmd->pool, "Found another rule with the same id: %ld", r->id);
        r->chain_start = r;
        APR_ARRAY_PUSH(rs->phase[r->phase], pl_rule *) = r;
    }
    rs->last = r;
    return NULL;
}

int pl_rule_id_in(long id, const apr_array_header_t *ranges)
{
    int i;
    if (ranges == NULL)
        return 0;
    for (i = 0; i < ranges->nelts; i++) {
        const pl_id_range *g = &APR_ARRAY_IDX(ranges, i, pl_id_range);
        if (id >= g->from && id <= g->to)
            return 1;
    }
    return 0;
}

const char *pl_parse_id_ranges(apr_pool_t *p, const char *text, apr_array_header_t *out)
{
    const char *s = text;

    while (*s) {
        char *end;
        pl_id_range g;

        while (*s && (isspace((unsigned char)*s) || *s == ',')) s++;
        if (*s == '\0')
            break;
        g.from = strtol(s, &end, 10);
        if (end == s)
            return apr_psprintf(p, "Invalid rule id: %s", s);
        g.to = g.from;
        s = end;
        if (*s == '-') {
            const char *t = s + 1;
            g.to = strtol(t, &end, 10);
            if (end == t || g.to < g.from)
                return apr_psprintf(p, "Invalid rule id range: %s", text);
            s = end;
        }
        if (*s && !isspace((unsigned char)*s) && *s != ',')
            return apr_psprintf(p, "Invalid rule id: %s", text);
        APR_ARRAY_PUSH(out, pl_id_range) = g;
    }
    if (out->nelts == 0)
        return apr_psprintf(p, "Invalid rule id list: \"%s\"", text);
    return NULL;
}

int pl_rule_has_tag(const pl_rule *r, const pcre2_code *re)
{
    int i;
    const pl_rule *s = r->chain_start;
    for (i = 0; i < s->tags->nelts; i++) {
        const char *t = APR_ARRAY_IDX(s->tags, i, const char *);
        if (pl_regex_match(re, t, strlen(t)) == 1)
            return 1;
    }
    return 0;
}

int pl_rule_msg_matches(const pl_rule *r, const pcre2_code *re)
{
    const char *m;
    if (r->chain_start->msg == NULL)
        return 0;
    m = pl_macro_text(r->chain_start->msg);
    return pl_regex_match(re, m, strlen(m)) == 1;
}

static int edit_selects(const pl_edit *e, const pl_rule *r)
{
    switch (e->by) {
    case PL_BY_ID:  return r->id != 0 && pl_rule_id_in(r->id, e->ids);
    case PL_BY_TAG: return pl_rule_has_tag(r, e->re);
    default:        return pl_rule_msg_matches(r, e->re);
    }
}

/* Copies a chain so that it can be changed without touching other contexts. */
static pl_rule *clone_chain(apr_pool_t *p, const pl_rule *r)
{
    pl_rule *head = NULL, *prev = NULL;
    for (; r; r = r->chain_next) {
        pl_rule *c = apr_pmemdup(p, r, sizeof(*r));
        c->targets = apr_array_copy(p, r->targets);
        c->actions = apr_array_copy(p, r->actions);
        c->tfns = apr_array_copy(p, r->tfns);
        c->tags = apr_array_copy(p, r->tags);
        if (prev) {
            prev->chain_next = c;
            c->chain_start = head;
        } else {
            head = c;
            c->chain_start = c;
        }
        prev = c;
    }
    return head;
}

static const char *update_targets(pl_cmd *cmd, apr_pool_t *p, pl_rule *r, const pl_edit *e)
{
    apr_array_header_t *add = apr_array_make(p, 2, sizeof(pl_target));
    const char *err = pl_parse_targets(cmd, p, e->text, add);
    int i;

    if (err)
        return err;
    if (e->replaced) {
        for (i = 0; i < r->targets->nelts; i++) {
            pl_target *t = &APR_ARRAY_IDX(r->targets, i, pl_target);
            if (strcasecmp(t->text, e->replaced) == 0) {
                *t = APR_ARRAY_IDX(add, 0, pl_target);
                return NULL;
            }
        }
        return apr_psprintf(p, "Target %s not found in rule %ld", e->replaced, r->id);
    }
    apr_array_cat(r->targets, add);
    return NULL;
}

const char *pl_ruleset_edit(pl_cmd *cmd, apr_pool_t *p, pl_ruleset *rs, const pl_edit *e)
{
    int ph, i;

    for (ph = 1; ph <= PL_PHASES; ph++) {
        apr_array_header_t *a = rs->phase[ph];
        int out = 0;

        for (i = 0; i < a->nelts; i++) {
            pl_rule *r = APR_ARRAY_IDX(a, i, pl_rule *);
            const char *err = NULL;

            if (r->type == PL_RT_MARKER || !edit_selects(e, r)) {
                APR_ARRAY_IDX(a, out++, pl_rule *) = r;
                continue;
            }
            if (e->kind == PL_EDIT_REMOVE) {
                if (rs->last && rs->last->chain_start == r)
                    rs->last = NULL;
                continue;
            }
            r = clone_chain(p, r);
            if (e->kind == PL_EDIT_TARGET) {
                err = update_targets(cmd, p, r, e);
            } else {
                pl_rule *m = r;
                int k;
                for (k = 0; k < e->chain_offset && m; k++) m = m->chain_next;
                if (m == NULL)
                    err = apr_psprintf(p, "Rule %ld has no chained rule at offset %d",
                                       r->id, e->chain_offset);
                else
                    err = pl_parse_actions(cmd, m, e->text);
                if (err == NULL && m != NULL)
                    pl_rule_tfn_ids(p, m);
            }
            if (err)
                return err;
            APR_ARRAY_IDX(a, out++, pl_rule *) = r;
        }
        a->nelts = out;
    }
    return NULL;
}
