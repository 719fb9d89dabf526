/*
 * Configuration directives: the per-context configuration (create, merge,
 * effective values) and one handler per Sec* directive.  The table at the
 * bottom is generated from directives.def, the same list the Apache glue
 * registers, so Apache and the command-line tool accept exactly the same
 * language.
 *
 * Handlers receive the raw argument text and split it themselves with
 * pl_tokenize(), which quotes exactly as Apache does.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include "palisade.h"

#include <apr_lib.h>

pl_global pl_globals = { NULL, NULL, 0, 0, 0, NULL, 0 };

/* ---- configuration objects ------------------------------------------- */

pl_config *pl_config_create(apr_pool_t *p)
{
    pl_config *c = apr_pcalloc(p, sizeof(*c));

    c->pool = p;
    c->rule_engine = PL_UNSET;
    c->reqbody_access = c->resbody_access = PL_UNSET;
    c->reqbody_limit = c->reqbody_nofiles_limit = c->reqbody_inmem_limit = PL_UNSET;
    c->resbody_limit = PL_UNSET;
    c->reqbody_limit_action = c->resbody_limit_action = PL_UNSET;
    c->json_depth_limit = c->args_limit = PL_UNSET;
    c->cookie_format = c->argument_separator = c->cookiev0_separator = PL_UNSET;
    c->upload_keep_files = c->upload_file_limit = PL_UNSET;
    c->upload_file_mode = c->tmp_save_uploaded = PL_UNSET;
    c->debug_log_level = PL_UNSET;
    c->audit_engine = PL_UNSET;
    c->audit_dir_mode = c->audit_file_mode = PL_UNSET;
    c->collection_timeout = PL_UNSET;
    c->coll_backend_failure = PL_UNSET;
    c->xml_external_entity = c->intercept_on_error = PL_UNSET;
    c->inheritance = PL_UNSET;
    c->rule_perf_time = c->disable_backend_compression = PL_UNSET;
    c->content_injection = c->stream_inbody = c->stream_outbody = PL_UNSET;
    c->rules = pl_ruleset_create(p);
    c->edits = apr_array_make(p, 1, sizeof(pl_edit));
    return c;
}

#define MERGE(f) m->f = (child->f != PL_UNSET) ? child->f : parent->f
#define MERGE_PTR(f) m->f = child->f ? child->f : parent->f

pl_config *pl_config_merge(apr_pool_t *p, const pl_config *parent, const pl_config *child)
{
    pl_config *m = apr_pmemdup(p, child, sizeof(*m));
    int i, ph;

    m->pool = p;
    MERGE(rule_engine); MERGE(reqbody_access); MERGE(resbody_access);
    MERGE(reqbody_limit); MERGE(reqbody_nofiles_limit); MERGE(reqbody_inmem_limit);
    MERGE(resbody_limit); MERGE(reqbody_limit_action); MERGE(resbody_limit_action);
    MERGE(json_depth_limit); MERGE(args_limit); MERGE(cookie_format);
    MERGE(argument_separator); MERGE(cookiev0_separator);
    MERGE(upload_keep_files); MERGE(upload_file_limit); MERGE(upload_file_mode);
    MERGE(tmp_save_uploaded); MERGE(debug_log_level); MERGE(audit_engine);
    MERGE(audit_dir_mode); MERGE(audit_file_mode); MERGE(collection_timeout);
    MERGE(xml_external_entity); MERGE(intercept_on_error); MERGE(inheritance);
    MERGE(coll_backend_failure); MERGE_PTR(coll_backend);
    MERGE_PTR(resbody_mime); MERGE_PTR(tmp_dir); MERGE_PTR(data_dir);
    MERGE_PTR(upload_dir); MERGE_PTR(debug_log_path); MERGE_PTR(debug_log);
    MERGE_PTR(audit_log); MERGE_PTR(audit_log2); MERGE_PTR(audit_parts);
    MERGE_PTR(audit_type); MERGE_PTR(audit_format); MERGE_PTR(audit_storage_dir);
    MERGE_PTR(audit_relevant_status); MERGE_PTR(web_app_id); MERGE_PTR(sensor_id);
    MERGE_PTR(default_action);
    MERGE(rule_perf_time); MERGE(disable_backend_compression);
    MERGE(content_injection); MERGE(stream_inbody); MERGE(stream_outbody);
    MERGE_PTR(geo_db); MERGE_PTR(httpbl_key);

    if (child->inheritance == 0) {
        m->rules = child->rules;
        return m;
    }
    /* inherited rules first, with this context's edits applied to them */
    m->rules = pl_ruleset_copy(p, parent->rules);
    for (i = 0; i < child->edits->nelts; i++) {
        pl_cmd cmd = { p, p, m, NULL, 0, 0 };
        const pl_edit *e = &APR_ARRAY_IDX(child->edits, i, pl_edit);
        cmd.file = e->file;
        cmd.line = e->line;
        pl_ruleset_edit(&cmd, p, m->rules, e);
    }
    for (ph = 1; ph <= PL_PHASES; ph++)
        apr_array_cat(m->rules->phase[ph], child->rules->phase[ph]);
    m->edits = apr_array_append(p, parent->edits, child->edits);
    return m;
}

int pl_config_engine(const pl_config *c)
{
    return c->rule_engine == PL_UNSET ? PL_ENGINE_OFF : c->rule_engine;
}

/* ---- argument helpers ------------------------------------------------- */

#define MAX_ARGS 8

static const char *args_n(pl_cmd *cmd, const char *args, char **argv,
                          int min, int max, int *n)
{
    *n = pl_tokenize(cmd->pool, args, argv, MAX_ARGS);
    if (*n < min)
        return "Missing argument";
    if (*n > max && max < MAX_ARGS)
        return apr_psprintf(cmd->pool, "Too many arguments, unexpected \"%s\"", argv[max]);
    return NULL;
}

static const char *one_arg(pl_cmd *cmd, const char *args, char **out)
{
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 1, 1, &n);
    if (err == NULL)
        *out = argv[0];
    return err;
}

static const char *set_flag(pl_cmd *cmd, const char *args, int *field)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "on") == 0)
        *field = 1;
    else if (strcasecmp(v, "off") == 0)
        *field = 0;
    else
        return apr_psprintf(cmd->pool, "Invalid value \"%s\": expected On or Off", v);
    return NULL;
}

static const char *set_long(pl_cmd *cmd, const char *args, long *field)
{
    char *v, *end;
    long n = 0;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    n = strtol(v, &end, 10);
    if (end == v || *end || n < 0)
        return apr_psprintf(cmd->pool, "Invalid value \"%s\": expected a non-negative number", v);
    *field = n;
    return NULL;
}

static const char *set_off(pl_cmd *cmd, const char *args, apr_off_t *field)
{
    long n = 0;
    const char *err = set_long(cmd, args, &n);
    if (err == NULL)
        *field = n;
    return err;
}

static const char *set_int(pl_cmd *cmd, const char *args, int *field)
{
    long n = 0;
    const char *err = set_long(cmd, args, &n);
    if (err == NULL)
        *field = (int)n;
    return err;
}

static const char *set_str(pl_cmd *cmd, const char *args, const char **field)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err == NULL)
        *field = v;
    return err;
}

static const char *set_mode(pl_cmd *cmd, const char *args, int *field)
{
    char *v, *end;
    long n = 0;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "default") == 0) {
        *field = PL_UNSET;
        return NULL;
    }
    n = strtol(v, &end, 8);
    if (end == v || *end || n < 0 || n > 07777)
        return apr_psprintf(cmd->pool, "Invalid octal mode \"%s\"", v);
    *field = (int)n;
    return NULL;
}

static const char *set_limit_action(pl_cmd *cmd, const char *args, int *field)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "Reject") == 0)
        *field = PL_LIMIT_REJECT;
    else if (strcasecmp(v, "ProcessPartial") == 0)
        *field = PL_LIMIT_PARTIAL;
    else
        return apr_psprintf(cmd->pool, "Invalid value \"%s\": expected Reject or ProcessPartial", v);
    return NULL;
}

static const char *not_yet(pl_cmd *cmd, const char *name)
{
    return apr_psprintf(cmd->pool, "%s: not implemented yet in Palisade " PL_VERSION, name);
}

#define NOT_YET(name) \
    static const char *pl_dir_##name(pl_cmd *cmd, const char *args) \
    { (void)args; return not_yet(cmd, #name); }

/* Accepted and recorded; the subsystem using it is a later issue. */
#define STORE_STR(name, field) \
    static const char *pl_dir_##name(pl_cmd *cmd, const char *args) \
    { return set_str(cmd, args, &cmd->cfg->field); }

/* ---- rules ---------------------------------------------------------- */

static const char *add_rule(pl_cmd *cmd, int type, const char *t, const char *op,
                            const char *actions)
{
    pl_rule *r;
    const char *err = pl_parse_rule(cmd, type, t, op, actions, &r);
    if (err == NULL)
        err = pl_ruleset_add(cmd, r);
    return err;
}

static const char *pl_dir_SecRule(pl_cmd *cmd, const char *args)
{
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 2, 3, &n);
    if (err)
        return err;
    return add_rule(cmd, PL_RT_RULE, argv[0], argv[1], n == 3 ? argv[2] : NULL);
}

static const char *pl_dir_SecAction(pl_cmd *cmd, const char *args)
{
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 1, 1, &n);
    if (err)
        return err;
    return add_rule(cmd, PL_RT_ACTION, NULL, NULL, argv[0]);
}

/* SecRuleScript FILE [ACTIONS]: a rule whose condition is a Lua script's
 * main() (lua.c), the file relative to this configuration file's. */
static const char *pl_dir_SecRuleScript(pl_cmd *cmd, const char *args)
{
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 1, 2, &n);
    if (err)
        return err;
    return add_rule(cmd, PL_RT_SCRIPT, NULL, argv[0], n == 2 ? argv[1] : NULL);
}

/* A marker sits in every phase so that skipAfter finds it from any. */
static const char *pl_dir_SecMarker(pl_cmd *cmd, const char *args)
{
    char *label;
    int ph;
    const char *err = one_arg(cmd, args, &label);
    pl_rule *r;

    if (err)
        return err;
    if (cmd->cfg->rules->last && cmd->cfg->rules->last->chain)
        return "SecMarker cannot follow a rule that asked for a chain";
    r = pl_rule_new(cmd->pool, PL_RT_MARKER, cmd->file, cmd->line);
    r->marker = label;
    r->id_str = label;
    r->id = atol(label);
    r->log = r->auditlog = 0;
    for (ph = 1; ph <= PL_PHASES; ph++) {
        pl_rule *c = apr_pmemdup(cmd->pool, r, sizeof(*r));
        c->phase = ph;
        c->chain_start = c;
        APR_ARRAY_PUSH(cmd->cfg->rules->phase[ph], pl_rule *) = c;
    }
    cmd->cfg->rules->last = NULL;
    return NULL;
}

static const char *pl_dir_SecDefaultAction(pl_cmd *cmd, const char *args)
{
    char *actions;
    pl_rule *r;
    const char *err = one_arg(cmd, args, &actions);

    if (err)
        return err;
    r = pl_rule_new(cmd->pool, PL_RT_ACTION, cmd->file, cmd->line);
    if ((err = pl_parse_actions(cmd, r, actions)) != NULL)
        return err;
    /* as 2.9.7: tag, logdata and severity are accepted and inherited */
    if (r->id || r->msg || r->rev || r->ver || r->maturity != PL_UNSET
            || r->accuracy != PL_UNSET)
        return "SecDefaultAction must not contain metadata actions (id, rev, msg, ver, maturity, accuracy)";
    if (r->disruptive == PL_DA_NONE)
        return "SecDefaultAction must specify a disruptive action.";
    if (r->phase == PL_UNSET)
        return "SecDefaultAction must specify a phase.";
    cmd->cfg->default_action = r;
    return NULL;
}

/* Applies an edit now to this context and keeps it for child contexts. */
static const char *record_edit(pl_cmd *cmd, pl_edit *e)
{
    e->file = cmd->file;
    e->line = cmd->line;
    *(pl_edit *)apr_array_push(cmd->cfg->edits) = *e;
    return pl_ruleset_edit(cmd, cmd->pool, cmd->cfg->rules, e);
}

static const char *edit_regex(pl_cmd *cmd, pl_edit *e, const char *re)
{
    const char *err;
    e->re = pl_regex_compile(cmd->pool, re, 0, &err);
    if (e->re == NULL)
        return apr_psprintf(cmd->pool, "Invalid regular expression \"%s\": %s", re, err);
    return NULL;
}

static const char *pl_dir_SecRuleRemoveById(pl_cmd *cmd, const char *args)
{
    pl_edit e = { PL_EDIT_REMOVE, PL_BY_ID, NULL, NULL, NULL, NULL, 0, NULL, 0 };
    char *argv[MAX_ARGS];
    int n, i;
    const char *err = args_n(cmd, args, argv, 1, MAX_ARGS, &n);

    if (err)
        return err;
    e.ids = apr_array_make(cmd->pool, n, sizeof(pl_id_range));
    for (i = 0; i < n; i++)
        if ((err = pl_parse_id_ranges(cmd->pool, argv[i], e.ids)) != NULL)
            return err;
    return record_edit(cmd, &e);
}

static const char *remove_by_re(pl_cmd *cmd, const char *args, int by)
{
    pl_edit e = { PL_EDIT_REMOVE, by, NULL, NULL, NULL, NULL, 0, NULL, 0 };
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err || (err = edit_regex(cmd, &e, v)) != NULL)
        return err;
    return record_edit(cmd, &e);
}

static const char *pl_dir_SecRuleRemoveByTag(pl_cmd *cmd, const char *args)
{
    return remove_by_re(cmd, args, PL_BY_TAG);
}

static const char *pl_dir_SecRuleRemoveByMsg(pl_cmd *cmd, const char *args)
{
    return remove_by_re(cmd, args, PL_BY_MSG);
}

static const char *update_target(pl_cmd *cmd, const char *args, int by)
{
    pl_edit e = { PL_EDIT_TARGET, by, NULL, NULL, NULL, NULL, 0, NULL, 0 };
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 2, 3, &n);

    if (err)
        return err;
    if (by == PL_BY_ID) {
        e.ids = apr_array_make(cmd->pool, 1, sizeof(pl_id_range));
        err = pl_parse_id_ranges(cmd->pool, argv[0], e.ids);
    } else {
        err = edit_regex(cmd, &e, argv[0]);
    }
    if (err)
        return err;
    e.text = argv[1];
    e.replaced = n == 3 ? argv[2] : NULL;
    return record_edit(cmd, &e);
}

static const char *pl_dir_SecRuleUpdateTargetById(pl_cmd *cmd, const char *args)
{
    return update_target(cmd, args, PL_BY_ID);
}

static const char *pl_dir_SecRuleUpdateTargetByTag(pl_cmd *cmd, const char *args)
{
    return update_target(cmd, args, PL_BY_TAG);
}

static const char *pl_dir_SecRuleUpdateTargetByMsg(pl_cmd *cmd, const char *args)
{
    return update_target(cmd, args, PL_BY_MSG);
}

static const char *pl_dir_SecRuleUpdateActionById(pl_cmd *cmd, const char *args)
{
    pl_edit e = { PL_EDIT_ACTION, PL_BY_ID, NULL, NULL, NULL, NULL, 0, NULL, 0 };
    char *argv[MAX_ARGS], *colon;
    int n = 0;
    const char *err = args_n(cmd, args, argv, 2, 2, &n);

    if (err)
        return err;
    if ((colon = strchr(argv[0], ':')) != NULL) {
        *colon = '\0';
        e.chain_offset = atoi(colon + 1);
    }
    e.ids = apr_array_make(cmd->pool, 1, sizeof(pl_id_range));
    if ((err = pl_parse_id_ranges(cmd->pool, argv[0], e.ids)) != NULL)
        return err;
    e.text = argv[1];
    return record_edit(cmd, &e);
}

static const char *pl_dir_SecRuleInheritance(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->inheritance);
}

/* ---- engine settings --------------------------------------------------- */

static const char *pl_dir_SecRuleEngine(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "On") == 0)
        cmd->cfg->rule_engine = PL_ENGINE_ON;
    else if (strcasecmp(v, "Off") == 0)
        cmd->cfg->rule_engine = PL_ENGINE_OFF;
    else if (strcasecmp(v, "DetectionOnly") == 0)
        cmd->cfg->rule_engine = PL_ENGINE_DETECT;
    else
        return apr_psprintf(cmd->pool, "Invalid value for SecRuleEngine: %s", v);
    return NULL;
}

static const char *pl_dir_SecRequestBodyAccess(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->reqbody_access);
}

static const char *pl_dir_SecResponseBodyAccess(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->resbody_access);
}

static const char *pl_dir_SecRequestBodyLimit(pl_cmd *cmd, const char *args)
{
    return set_off(cmd, args, &cmd->cfg->reqbody_limit);
}

static const char *pl_dir_SecRequestBodyNoFilesLimit(pl_cmd *cmd, const char *args)
{
    return set_off(cmd, args, &cmd->cfg->reqbody_nofiles_limit);
}

static const char *pl_dir_SecRequestBodyInMemoryLimit(pl_cmd *cmd, const char *args)
{
    return set_off(cmd, args, &cmd->cfg->reqbody_inmem_limit);
}

static const char *pl_dir_SecResponseBodyLimit(pl_cmd *cmd, const char *args)
{
    return set_off(cmd, args, &cmd->cfg->resbody_limit);
}

static const char *pl_dir_SecRequestBodyLimitAction(pl_cmd *cmd, const char *args)
{
    return set_limit_action(cmd, args, &cmd->cfg->reqbody_limit_action);
}

static const char *pl_dir_SecResponseBodyLimitAction(pl_cmd *cmd, const char *args)
{
    return set_limit_action(cmd, args, &cmd->cfg->resbody_limit_action);
}

static const char *pl_dir_SecRequestBodyJsonDepthLimit(pl_cmd *cmd, const char *args)
{
    return set_long(cmd, args, &cmd->cfg->json_depth_limit);
}

static const char *pl_dir_SecArgumentsLimit(pl_cmd *cmd, const char *args)
{
    return set_long(cmd, args, &cmd->cfg->args_limit);
}

static const char *pl_dir_SecResponseBodyMimeType(pl_cmd *cmd, const char *args)
{
    char *argv[MAX_ARGS * 4];
    int n = pl_tokenize(cmd->pool, args, argv, MAX_ARGS * 4), i;

    if (n == 0)
        return "Missing argument";
    if (cmd->cfg->resbody_mime == NULL)
        cmd->cfg->resbody_mime = apr_table_make(cmd->pool, 4);
    for (i = 0; i < n; i++) {
        char *c;
        for (c = argv[i]; *c; c++) *c = (char)tolower((unsigned char)*c);
        apr_table_setn(cmd->cfg->resbody_mime, argv[i], "");
    }
    return NULL;
}

static const char *pl_dir_SecResponseBodyMimeTypesClear(pl_cmd *cmd, const char *args)
{
    (void)args;
    cmd->cfg->resbody_mime = apr_table_make(cmd->pool, 4);
    return NULL;
}

static const char *pl_dir_SecArgumentSeparator(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strlen(v) != 1)
        return apr_psprintf(cmd->pool, "Invalid argument separator \"%s\": one character expected", v);
    cmd->cfg->argument_separator = (unsigned char)v[0];
    return NULL;
}

static const char *pl_dir_SecCookiev0Separator(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strlen(v) != 1)
        return apr_psprintf(cmd->pool, "Invalid cookie separator \"%s\": one character expected", v);
    cmd->cfg->cookiev0_separator = (unsigned char)v[0];
    return NULL;
}

static const char *pl_dir_SecCookieFormat(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcmp(v, "0") && strcmp(v, "1"))
        return apr_psprintf(cmd->pool, "Invalid cookie format \"%s\": 0 or 1 expected", v);
    cmd->cfg->cookie_format = atoi(v);
    return NULL;
}

static const char *pl_dir_SecPcreMatchLimit(pl_cmd *cmd, const char *args)
{
    long n = 0;
    const char *err = set_long(cmd, args, &n);
    if (err == NULL) {
        pl_globals.pcre_match_limit = (unsigned long)n;
        pl_ops_set_pcre_limits(pl_globals.pcre_match_limit, pl_globals.pcre_match_limit_recursion);
    }
    return err;
}

static const char *pl_dir_SecPcreMatchLimitRecursion(pl_cmd *cmd, const char *args)
{
    long n = 0;
    const char *err = set_long(cmd, args, &n);
    if (err == NULL) {
        pl_globals.pcre_match_limit_recursion = (unsigned long)n;
        pl_ops_set_pcre_limits(pl_globals.pcre_match_limit, pl_globals.pcre_match_limit_recursion);
    }
    return err;
}

STORE_STR(SecTmpDir, tmp_dir)
STORE_STR(SecDataDir, data_dir)
STORE_STR(SecUploadDir, upload_dir)
STORE_STR(SecWebAppId, web_app_id)
STORE_STR(SecSensorId, sensor_id)

static const char *pl_dir_SecUploadKeepFiles(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "On") == 0)
        cmd->cfg->upload_keep_files = 1;
    else if (strcasecmp(v, "Off") == 0)
        cmd->cfg->upload_keep_files = 0;
    else if (strcasecmp(v, "RelevantOnly") == 0)
        cmd->cfg->upload_keep_files = 2;
    else
        return apr_psprintf(cmd->pool, "Invalid value for SecUploadKeepFiles: %s", v);
    return NULL;
}

static const char *pl_dir_SecUploadFileLimit(pl_cmd *cmd, const char *args)
{
    return set_int(cmd, args, &cmd->cfg->upload_file_limit);
}

static const char *pl_dir_SecUploadFileMode(pl_cmd *cmd, const char *args)
{
    return set_mode(cmd, args, &cmd->cfg->upload_file_mode);
}

static const char *pl_dir_SecTmpSaveUploadedFiles(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->tmp_save_uploaded);
}

static const char *pl_dir_SecXmlExternalEntity(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->xml_external_entity);
}

static const char *pl_dir_SecInterceptOnError(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->intercept_on_error);
}

static const char *pl_dir_SecCollectionTimeout(pl_cmd *cmd, const char *args)
{
    return set_long(cmd, args, &cmd->cfg->collection_timeout);
}

/* SecCollectionBackend sdbm | redis://host:port/db?timeout=MS (persist.c) */
static const char *pl_dir_SecCollectionBackend(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);

    if (err == NULL && (err = pl_persist_backend_check(cmd->pool, v)) == NULL)
        cmd->cfg->coll_backend = v;
    return err;
}

/* What a request gets when the collection store cannot be reached: open
 * (new, empty collections) or closed (503 when the engine blocks). */
static const char *pl_dir_SecCollectionBackendFailure(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);

    if (err)
        return err;
    if (strcasecmp(v, "open") == 0)
        cmd->cfg->coll_backend_failure = PL_BACKEND_FAIL_OPEN;
    else if (strcasecmp(v, "closed") == 0)
        cmd->cfg->coll_backend_failure = PL_BACKEND_FAIL_CLOSED;
    else
        return apr_psprintf(cmd->pool, "Invalid value for SecCollectionBackendFailure: %s "
                            "(open or closed)", v);
    return NULL;
}

/* ---- logging ---------------------------------------------------------- */

static const char *pl_dir_SecDebugLog(pl_cmd *cmd, const char *args)
{
    char *path;
    apr_status_t rv;
    const char *err = one_arg(cmd, args, &path);

    if (err)
        return err;
    cmd->cfg->debug_log_path = path;
    rv = apr_file_open(&cmd->cfg->debug_log, path,
                       APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_APPEND,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD, cmd->pool);
    if (rv != APR_SUCCESS) {
        char buf[120];
        return apr_psprintf(cmd->pool, "Failed to open debug log file %s: %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    return NULL;
}

static const char *pl_dir_SecDebugLogLevel(pl_cmd *cmd, const char *args)
{
    long n = 0;
    const char *err = set_long(cmd, args, &n);
    if (err)
        return err;
    if (n > 9)
        return apr_psprintf(cmd->pool, "Invalid debug log level %ld: 0-9 expected", n);
    cmd->cfg->debug_log_level = (int)n;
    return NULL;
}

/* Audit logging is accepted and recorded here; writing the audit log is
 * the subject of its own subsystem. */
static const char *pl_dir_SecAuditEngine(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "On") == 0)
        cmd->cfg->audit_engine = PL_AUDIT_ON;
    else if (strcasecmp(v, "Off") == 0)
        cmd->cfg->audit_engine = PL_AUDIT_OFF;
    else if (strcasecmp(v, "RelevantOnly") == 0)
        cmd->cfg->audit_engine = PL_AUDIT_RELEVANT;
    else
        return apr_psprintf(cmd->pool, "Invalid value for SecAuditEngine: %s", v);
    return NULL;
}

static const char *pl_dir_SecAuditLogParts(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v), *c;
    if (err)
        return err;
    for (c = v; *c; c++)
        if (strchr("ABCDEFGHIJKZ", *c) == NULL)
            return apr_psprintf(cmd->pool, "Invalid audit log part '%c' in \"%s\"", *c, v);
    cmd->cfg->audit_parts = v;
    return NULL;
}

static const char *pl_dir_SecAuditLogRelevantStatus(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (pl_regex_compile(cmd->pool, v, 0, &err) == NULL)
        return apr_psprintf(cmd->pool, "Invalid regular expression \"%s\": %s", v, err);
    cmd->cfg->audit_relevant_status = v;
    return NULL;
}

static const char *pl_dir_SecAuditLogType(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "Serial") && strcasecmp(v, "Concurrent"))
        return apr_psprintf(cmd->pool, "Invalid value for SecAuditLogType: %s", v);
    cmd->cfg->audit_type = v;
    return NULL;
}

static const char *pl_dir_SecAuditLogFormat(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (strcasecmp(v, "Native") && strcasecmp(v, "JSON"))
        return apr_psprintf(cmd->pool, "Invalid value for SecAuditLogFormat: %s", v);
    cmd->cfg->audit_format = v;
    return NULL;
}

STORE_STR(SecAuditLog, audit_log)
STORE_STR(SecAuditLog2, audit_log2)
STORE_STR(SecAuditLogStorageDir, audit_storage_dir)

static const char *pl_dir_SecAuditLogDirMode(pl_cmd *cmd, const char *args)
{
    return set_mode(cmd, args, &cmd->cfg->audit_dir_mode);
}

static const char *pl_dir_SecAuditLogFileMode(pl_cmd *cmd, const char *args)
{
    return set_mode(cmd, args, &cmd->cfg->audit_file_mode);
}

/* ---- server-wide ----------------------------------------------------- */

static const char *pl_dir_SecComponentSignature(pl_cmd *cmd, const char *args)
{
    char *v;
    const char *err = one_arg(cmd, args, &v);
    if (err)
        return err;
    if (pl_globals.component_signatures == NULL)
        pl_globals.component_signatures = apr_array_make(cmd->pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(pl_globals.component_signatures, const char *) = v;
    return NULL;
}

static const char *pl_dir_SecUnicodeMapFile(pl_cmd *cmd, const char *args)
{
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 1, 2, &n);

    if (err)
        return err;
    pl_globals.unicode_map_file = argv[0];
    if (n == 2)
        pl_globals.unicode_code_page = atoi(argv[1]);
    if (pl_globals.unicode_code_page <= 0)
        return NULL;    /* loaded when SecUnicodeCodePage names the page */
    return pl_tfn_load_unicode_map(cmd->pool, argv[0], pl_globals.unicode_code_page);
}

static const char *pl_dir_SecUnicodeCodePage(pl_cmd *cmd, const char *args)
{
    long n = 0;
    const char *err = set_long(cmd, args, &n);
    if (err)
        return err;
    pl_globals.unicode_code_page = (int)n;
    if (pl_globals.unicode_map_file == NULL)
        return NULL;
    return pl_tfn_load_unicode_map(cmd->pool, pl_globals.unicode_map_file, (int)n);
}

static const char *pl_dir_SecServerSignature(pl_cmd *cmd, const char *args)
{
    return set_str(cmd, args, &pl_globals.server_signature);
}

/* Palisade never sends a status beacon; the setting is accepted so that
 * existing configurations load. */
static const char *pl_dir_SecStatusEngine(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &pl_globals.status_engine);
}

/* Accepted for compatibility: ModSecurity 2.9 parses it and never uses it. */
static const char *pl_dir_SecRequestEncoding(pl_cmd *cmd, const char *args)
{
    char *v;
    return one_arg(cmd, args, &v);
}

/* Deprecated in 2.9 and off by default there; results are cached anyway. */
static const char *pl_dir_SecCacheTransformations(pl_cmd *cmd, const char *args)
{
    char *argv[MAX_ARGS];
    int n = 0;
    const char *err = args_n(cmd, args, argv, 1, 2, &n);
    if (err)
        return err;
    if (strcasecmp(argv[0], "On") && strcasecmp(argv[0], "Off"))
        return apr_psprintf(cmd->pool, "Invalid value for SecCacheTransformations: %s", argv[0]);
    return NULL;
}

/* ---- operators' resources, performance, proxying ---------------------- */

/* SecGeoLookupDB FILE: a legacy GeoIP .dat or a MaxMind DB, relative to
 * the configuration file (geo.c). */
static const char *pl_dir_SecGeoLookupDB(pl_cmd *cmd, const char *args)
{
    char *v, *path = NULL;
    const char *err = one_arg(cmd, args, &v);

    if (err)
        return err;
    if (cmd->file == NULL || v[0] == '/'
            || apr_filepath_merge(&path, apr_pstrndup(cmd->temp_pool, cmd->file,
                                  strlen(cmd->file) - strlen(apr_filepath_name_get(cmd->file))),
                                  v, APR_FILEPATH_TRUENAME, cmd->pool) != APR_SUCCESS)
        path = v;
    return pl_geo_open(cmd->pool, path, &cmd->cfg->geo_db);
}

/* SecHttpBlKey KEY: the Project Honey Pot access key @rbl puts in front
 * of dnsbl.httpbl.org queries. */
static const char *pl_dir_SecHttpBlKey(pl_cmd *cmd, const char *args)
{
    return set_str(cmd, args, &cmd->cfg->httpbl_key);
}

/* SecRulePerfTime USECS: rules whose operator time reaches it are listed
 * in PERF_RULES and the audit log (2.9: a positive number). */
static const char *pl_dir_SecRulePerfTime(pl_cmd *cmd, const char *args)
{
    char *v;
    long n;
    const char *err = one_arg(cmd, args, &v);

    if (err)
        return err;
    n = strtol(v, NULL, 10);
    if (n <= 0 || n == LONG_MAX)
        return apr_psprintf(cmd->pool, "Invalid value for SecRulePerfTime: %s", v);
    cmd->cfg->rule_perf_time = n;
    return NULL;
}

/* SecDisableBackendCompression On|Off: the glue hides Accept-Encoding from
 * proxied back ends (mod_palisade.c). */
static const char *pl_dir_SecDisableBackendCompression(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->disable_backend_compression);
}

/* SecContentInjection On|Off: prepend / append, and STREAM_OUTPUT_BODY
 * rewritten by @rsub, reach the client (stream.c, mod_palisade.c). */
static const char *pl_dir_SecContentInjection(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->content_injection);
}

/* SecStreamInBodyInspection On|Off: the request body as
 * STREAM_INPUT_BODY, which @rsub may rewrite for the handler. */
static const char *pl_dir_SecStreamInBodyInspection(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->stream_inbody);
}

/* SecStreamOutBodyInspection On|Off: the response body as
 * STREAM_OUTPUT_BODY, which @rsub may rewrite for the client. */
static const char *pl_dir_SecStreamOutBodyInspection(pl_cmd *cmd, const char *args)
{
    return set_flag(cmd, args, &cmd->cfg->stream_outbody);
}

NOT_YET(SecChrootDir)
NOT_YET(SecConnEngine)
NOT_YET(SecConnReadStateLimit)
NOT_YET(SecConnWriteStateLimit)
NOT_YET(SecReadStateLimit)
NOT_YET(SecWriteStateLimit)
NOT_YET(SecGsbLookupDB)
NOT_YET(SecGuardianLog)
NOT_YET(SecHashEngine)
NOT_YET(SecHashKey)
NOT_YET(SecHashMethodPm)
NOT_YET(SecHashMethodRx)
NOT_YET(SecHashParam)
NOT_YET(SecRemoteRules)
NOT_YET(SecRemoteRulesFailAction)

/* ---- the table --------------------------------------------------------- */

#define PL_DIRECTIVE(n, f, h) { #n, f, h },
const pl_directive pl_directives[] = {
#include "directives.def"
    { NULL, NULL, NULL }
};
#undef PL_DIRECTIVE

const pl_directive *pl_directive_find(const char *name)
{
    const pl_directive *d;
    for (d = pl_directives; d->name; d++)
        if (strcasecmp(d->name, name) == 0)
            return d;
    return NULL;
}
