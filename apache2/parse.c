/*
 * Rule-language parser: turns the text of SecRule / SecAction / SecMarker
 * (targets, operator, action list) into a typed pl_rule.  Everything that can
 * be compiled is compiled here, so the request path only executes.
 *
 * Quoting follows what ModSecurity 2.9 sees: Apache's word splitting for the
 * directive arguments (pl_tokenize), then single quotes inside the action
 * list, where a backslash escapes the next character.
 */
#include <ctype.h>
#include "palisade.h"

#define PL_DEFAULT_PHASE 2

static char *str_upper(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *u = apr_pstrndup(p, s, n), *c;
    for (c = u; *c; c++) *c = (char)toupper((unsigned char)*c);
    return u;
}

/* Copies a word, undoing the escapes Apache undoes: "\\" anywhere and
 * a backslash before the quote character inside a quoted word. */
static char *unescape_word(apr_pool_t *p, const char *s, apr_size_t len, char quote)
{
    char *w = apr_palloc(p, len + 1), *o = w;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '\\' || (quote && s[i + 1] == quote)))
            i++;
        *o++ = s[i];
    }
    *o = '\0';
    return w;
}

int pl_tokenize(apr_pool_t *p, const char *args, char **argv, int max)
{
    int n = 0;
    const char *s = args;

    while (n < max) {
        const char *end;
        char quote = 0;

        while (*s && isspace((unsigned char)*s)) s++;
        if (*s == '\0')
            break;
        if (*s == '"' || *s == '\'') {
            quote = *s++;
            end = s;
            while (*end && *end != quote)
                end += (end[0] == '\\' && end[1] == quote) ? 2 : 1;
            argv[n++] = unescape_word(p, s, end - s, quote);
            s = *end ? end + 1 : end;
        } else {
            end = s;
            while (*end && !isspace((unsigned char)*end)) end++;
            argv[n++] = unescape_word(p, s, end - s, 0);
            s = end;
        }
    }
    return n;
}

/* ---- targets ---------------------------------------------------------- */

/* Length of one target at s: up to the next '|' or ',' outside single
 * quotes, as ModSecurity 2.9 splits target lists (a selector holding '|',
 * such as a regex alternation, must be quoted: ARGS:'/^(a|b)$/'). */
static apr_size_t target_span(const char *s)
{
    const char *c = s;
    int quoted = 0;

    for (; *c; c++) {
        if (*c == '\'')
            quoted = !quoted;
        else if (!quoted && (*c == '|' || *c == ','))
            break;
    }
    return c - s;
}

static const char *parse_one_target(apr_pool_t *p, const char *text, apr_size_t len,
                                    pl_target *t)
{
    const char *s = text, *end = text + len, *colon;
    char *name;
    const pl_vardef *def;

    memset(t, 0, sizeof(*t));
    t->text = apr_pstrndup(p, text, len);
    while (s < end && isspace((unsigned char)*s)) s++;
    while (end > s && isspace((unsigned char)end[-1])) end--;
    if (s < end && *s == '!') { t->exclude = 1; s++; }
    if (s < end && *s == '&') { t->count = 1; s++; }
    colon = memchr(s, ':', end - s);
    name = str_upper(p, s, (colon ? colon : end) - s);
    if (*name == '\0')
        return apr_psprintf(p, "Missing variable name in \"%s\"", t->text);
    def = pl_vardef_find(name);
    if (def == NULL)
        return apr_psprintf(p, "Unknown variable: %s", name);
    if (def->flags & PL_VF_NOT_YET)
        return apr_psprintf(p, "Variable not implemented yet: %s", name);
    t->def = def;
    if (def->flags & PL_VF_GENERIC)
        t->coll = name;
    if (colon) {
        const char *sel = colon + 1;
        apr_size_t sl = end - sel;

        if (sl >= 2 && sel[0] == '\'' && sel[sl - 1] == '\'') {
            sel++;
            sl -= 2;
        }
        if (sl >= 2 && sel[0] == '/' && sel[sl - 1] == '/'
                && strcmp(def->name, "XML") != 0) {
            const char *err;
            t->sel_re_src = apr_pstrndup(p, sel + 1, sl - 2);
            t->sel_re = pl_regex_compile(p, t->sel_re_src, 1, &err);
            if (t->sel_re == NULL)
                return apr_psprintf(p, "Invalid regular expression in target %s: %s",
                                    t->text, err);
        } else if (sl > 0) {
            t->selector = apr_pstrndup(p, sel, sl);
            if (strstr(t->selector, "%{")) {
                const char *err;
                t->sel_macro = pl_macro_compile(p, t->selector, &err);
                if (t->sel_macro == NULL)
                    return err;
            }
        }
    }
    return NULL;
}

const char *pl_parse_targets(pl_cmd *cmd, apr_pool_t *p, const char *text,
                             apr_array_header_t *out)
{
    const char *s = text;
    (void)cmd;

    while (*s) {
        apr_size_t n = target_span(s);
        if (n > 0) {
            const char *err = parse_one_target(p, s, n, apr_array_push(out));
            if (err)
                return err;
        }
        s += n;
        if (*s == '|' || *s == ',')
            s++;
    }
    if (out->nelts == 0)
        return apr_psprintf(p, "Missing target in \"%s\"", text);
    return NULL;
}

const char *pl_parse_target(apr_pool_t *p, const char *text, pl_target *t)
{
    return parse_one_target(p, text, strlen(text), t);
}

/* ---- operator ----------------------------------------------------------- */

static const char *parse_operator(pl_cmd *cmd, pl_rule *r, const char *text)
{
    apr_pool_t *p = cmd->pool;
    const char *s = text, *name_end;
    const pl_opdef *def;
    char *name;

    while (isspace((unsigned char)*s)) s++;
    if (*s == '!') {
        r->op.negated = 1;
        s++;
    }
    if (*s != '@') {
        name = "rx";            /* the default operator */
    } else {
        s++;
        name_end = s;
        while (*name_end && !isspace((unsigned char)*name_end)) name_end++;
        name = apr_pstrndup(p, s, name_end - s);
        s = name_end;
        while (isspace((unsigned char)*s)) s++;
    }
    def = pl_opdef_find(name);
    if (def == NULL)
        return apr_psprintf(p, "Error creating rule: Failed to resolve operator: %s", name);
    if (def->flags & PL_OPF_NOT_YET)
        return apr_psprintf(p, "Operator not implemented yet: @%s", name);
    r->op.def = def;
    r->op.param = apr_pstrdup(p, s);
    r->op.file = r->file;
    if ((def->flags & PL_OPF_MACRO) && strstr(s, "%{")) {
        const char *err;
        r->op.param_macro = pl_macro_compile(p, r->op.param, &err);
        if (r->op.param_macro == NULL)
            return err;
    }
    if (def->init) {
        const char *err = def->init(&r->op, p);
        if (err)
            return apr_psprintf(p, "Error creating rule: %s", err);
    }
    return NULL;
}

/* ---- actions ------------------------------------------------------------ */

static int is_action_sep(char c)
{
    return c == ',' || c == '|' || isspace((unsigned char)c);
}

const char *pl_parse_actions(pl_cmd *cmd, pl_rule *r, const char *text)
{
    apr_pool_t *p = cmd->pool;
    const char *s = text;

    while (*s) {
        const char *name_start, *name_end;
        char *name, *param = NULL;
        const pl_actiondef *def;
        pl_action *a;
        const char *err;

        while (*s && is_action_sep(*s)) s++;
        if (*s == '\0')
            break;
        /* as 2.9: a name ends at ':', a separator (',', '|', white space);
         * an unquoted value starts right after the ':' and ends at a
         * separator, so "id:1 phase:2" is two actions and "msg: 'x'" an
         * empty msg followed by an unknown action */
        name_start = s;
        while (*s && *s != ':' && !is_action_sep(*s)) s++;
        name_end = s;
        if (*s == ':') {
            apr_size_t i = 0;
            char *v;

            s++;
            v = apr_palloc(p, strlen(s) + 1);
            if (*s == '\'') {
                s++;
                while (*s && *s != '\'') {
                    if (*s == '\\' && s[1]) s++;
                    v[i++] = *s++;
                }
                if (*s != '\'')
                    return apr_psprintf(p, "Invalid quoted action value in: %s", text);
                s++;
            } else {
                while (*s && !is_action_sep(*s)) v[i++] = *s++;
            }
            v[i] = '\0';
            param = v;
        }
        name = apr_pstrndup(p, name_start, name_end - name_start);
        def = pl_actiondef_find(name);
        if (def == NULL)
            return apr_psprintf(p, "Unknown action: %s", name);
        if (def->flags & PL_AF_NOT_YET)
            return apr_psprintf(p, "Action not implemented yet: %s", name);
        if (def->arg == PL_ARG_REQ && param == NULL)
            return apr_psprintf(p, "Missing mandatory argument for action %s", name);
        if (def->arg == PL_ARG_NONE && param != NULL)
            return apr_psprintf(p, "Extra parameter provided to action %s", name);
        a = apr_array_push(r->actions);
        a->def = def;
        a->param = param;
        if (def->init && (err = def->init(r, a, p)) != NULL)
            return err;
    }
    return NULL;
}

/* ---- rules ------------------------------------------------------------- */

pl_rule *pl_rule_new(apr_pool_t *p, int type, const char *file, int line)
{
    pl_rule *r = apr_pcalloc(p, sizeof(*r));
    r->type = type;
    r->file = file;
    r->line = line;
    r->severity = r->maturity = r->accuracy = PL_UNSET;
    r->status = r->log = r->auditlog = PL_UNSET;
    r->phase = PL_UNSET;
    r->tfns = apr_array_make(p, 2, sizeof(const pl_tfndef *));
    r->tags = apr_array_make(p, 1, sizeof(const char *));
    r->actions = apr_array_make(p, 4, sizeof(pl_action));
    r->targets = apr_array_make(p, 1, sizeof(pl_target));
    r->chain_start = r;
    return r;
}

/*
 * Merges the last SecDefaultAction into the rule, as ModSecurity
 * does when it creates a rule: the rule's own settings win; its
 * transformations come after the default ones unless it said t:none.
 */
static void apply_defaults(pl_cmd *cmd, pl_rule *r, int chained_member)
{
    const pl_rule *d = cmd->cfg->default_action;

    r->def_disruptive = PL_DA_PASS;
    r->def_status = PL_UNSET;
    if (d == NULL)
        goto builtin;
    if (!r->tfn_none && d->tfns->nelts > 0) {
        apr_array_header_t *t = apr_array_copy(cmd->pool, d->tfns);
        apr_array_cat(t, r->tfns);
        r->tfns = t;
    }
    if (r->log == PL_UNSET) r->log = d->log;
    if (r->auditlog == PL_UNSET) r->auditlog = d->auditlog;
    if (r->severity == PL_UNSET) r->severity = d->severity;
    if (r->logdata == NULL) r->logdata = d->logdata;
    if (d->tags->nelts > 0) {
        apr_array_header_t *t = apr_array_copy(cmd->pool, d->tags);
        apr_array_cat(t, r->tags);
        r->tags = t;
    }
    if (d->disruptive != PL_DA_NONE && d->disruptive != PL_DA_BLOCK) {
        r->def_disruptive = d->disruptive;
        r->def_status = d->status;
        r->def_url = d->redirect_url;
    }
builtin:
    if (r->log == PL_UNSET) r->log = 1;
    if (r->auditlog == PL_UNSET) r->auditlog = 1;
    if (!chained_member && r->disruptive == PL_DA_NONE) {
        r->disruptive = r->def_disruptive;
        if (r->status == PL_UNSET) r->status = r->def_status;
        if (r->redirect_url == NULL) r->redirect_url = r->def_url;
    }
}

/* The last rule added, when it asked to be chained to the next one. */
static pl_rule *chain_tail(pl_cmd *cmd)
{
    pl_rule *last = cmd->cfg->rules->last;
    return (last && last->chain) ? last : NULL;
}

const char *pl_parse_rule(pl_cmd *cmd, int type, const char *targets,
                          const char *op, const char *actions, pl_rule **out)
{
    apr_pool_t *p = cmd->pool;
    pl_rule *r = pl_rule_new(p, type, cmd->file, cmd->line);
    pl_rule *tail = chain_tail(cmd);
    const char *err;

    *out = r;
    r->text_targets = targets;
    r->text_op = op;
    r->text_actions = actions;
    if (actions && (err = pl_parse_actions(cmd, r, actions)) != NULL)
        return err;
    if (tail) {
        /* a chain member runs in its starter's phase and carries no
         * metadata or disruptive action of its own */
        if (r->phase != PL_UNSET && r->phase != tail->chain_start->phase)
            return "Execution phases can only be specified by chain starter rules.";
        if (r->disruptive != PL_DA_NONE)
            return "Disruptive actions can only be specified by chain starter rules.";
        if (r->skip || r->skip_after)
            return "SkipAfter/skip actions can only be specified by chain starter rules.";
        if (r->id)
            return "Metadata actions (id, rev, msg, tag, severity, logdata) can only be specified by chain starter rules.";
        r->phase = tail->chain_start->phase;
    } else {
        if (r->phase == PL_UNSET)
            r->phase = cmd->cfg->default_action ? cmd->cfg->default_action->phase
                                                : PL_DEFAULT_PHASE;
        /* 2.9 asks no id of SecRuleScript (such a rule cannot be
         * removed or updated by id, and logs no [id]) */
        if (r->id == 0 && type != PL_RT_MARKER && type != PL_RT_SCRIPT)
            return "No action id present within the rule";
    }
    if (type == PL_RT_RULE) {
        if ((err = pl_parse_targets(cmd, p, targets, r->targets)) != NULL)
            return apr_psprintf(p, "Error creating rule: %s", err);
        if ((err = parse_operator(cmd, r, op)) != NULL)
            return err;
    } else if (type == PL_RT_SCRIPT) {
        /* the script's file stands where a SecRule has its operator */
        pl_lua_script *script = NULL;

        r->op.param = pl_resolve_path(p, cmd->file, op);
        if ((err = pl_lua_compile(p, r->op.param, &script)) != NULL)
            return err;
        r->op.data = script;
    }
    apply_defaults(cmd, r, tail != NULL);
    pl_rule_tfn_ids(p, r);
    return NULL;
}

/*
 * Pipeline prefixes are interned per configuration pool: two rules whose
 * transformations start the same way get the same ids, so the engine can
 * cache each intermediate result once per value and transaction.  Ids are
 * never 0.
 */
void pl_rule_tfn_ids(apr_pool_t *p, pl_rule *r)
{
    static const char key[] = "palisade.tfn_intern";
    apr_hash_t *intern = NULL;
    const pl_tfndef **tf = (const pl_tfndef **)r->tfns->elts;
    const char *path = "";
    int k;

    apr_pool_userdata_get((void **)&intern, key, p);
    if (intern == NULL) {
        intern = apr_hash_make(p);
        apr_pool_userdata_set(intern, key, NULL, p);
    }
    r->tfn_ids = apr_pcalloc(p, sizeof(int) * (r->tfns->nelts + 1));
    for (k = 0; k < r->tfns->nelts; k++) {
        int *id;
        path = apr_pstrcat(p, path, ",", tf[k]->name, NULL);
        id = apr_hash_get(intern, path, APR_HASH_KEY_STRING);
        if (id == NULL) {
            id = apr_palloc(p, sizeof(*id));
            *id = (int)apr_hash_count(intern) + 1;
            apr_hash_set(intern, path, APR_HASH_KEY_STRING, id);
        }
        r->tfn_ids[k] = *id;
    }
}
