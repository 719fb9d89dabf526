/*
 * Palisade engine: shared types and the interfaces between subsystems.
 *
 * The engine knows APR, PCRE2 and libxml2 but never httpd: the Apache glue
 * (mod_palisade.c) and the command-line tool (tools/palisade-cli.c) are both
 * "hosts" that fill a pl_tx with the transaction data and call the phase
 * functions at the bottom of this file.
 *
 * Memory: configuration objects live in the configuration pool, everything
 * per transaction in tx->pool.  Non-APR objects (PCRE2 code and match data,
 * libxml2 documents) get a pool cleanup where they are created.
 */
#ifndef PALISADE_H
#define PALISADE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define PL_VERSION        "0.1.0"
#define PL_SIGNATURE      "ModSecurity for Apache/2.9.7 (http://www.modsecurity.org/); Palisade/" PL_VERSION
#define PL_UNSET          (-1)
#define PL_PHASES         5           /* phases are numbered 1..5 */
#define PL_MAX_CAPTURES   10          /* TX:0 .. TX:9 */

typedef struct pl_config    pl_config;
typedef struct pl_ruleset   pl_ruleset;
typedef struct pl_rule      pl_rule;
typedef struct pl_tx        pl_tx;
typedef struct pl_macro     pl_macro;
typedef struct pl_target    pl_target;
typedef struct pl_op        pl_op;
typedef struct pl_action    pl_action;
typedef struct pl_cmd       pl_cmd;
typedef struct pl_stream    pl_stream;

/* ------------------------------------------------------------------------
 * Variables and collections
 * --------------------------------------------------------------------- */

/* One value produced for a rule target at request time. */
typedef struct pl_var {
    const char *name;        /* as logged: "ARGS:id", "REQUEST_URI", "TX:anomaly_score" */
    const char *key;         /* element key ("id"), NULL for scalar variables */
    const char *value;
    apr_size_t  value_len;
} pl_var;

/*
 * An ordered collection of pl_var.  ARGS-like collections keep duplicates
 * (index == NULL); keyed collections (TX, IP, GEO, ...) have a hash index
 * of lower-cased keys so setvar and %{tx.x} are O(1).
 */
typedef struct pl_coll {
    const char          *name;    /* upper case: "TX", "ARGS", "IP" */
    apr_array_header_t  *items;   /* pl_var* in insertion order */
    apr_hash_t          *index;   /* lower-cased key -> pl_var*, or NULL */
    apr_pool_t          *pool;
} pl_coll;

pl_coll    *pl_coll_create(apr_pool_t *p, const char *name, int keyed);
/* Appends (unkeyed) or replaces (keyed) an element; copies nothing. */
pl_var     *pl_coll_set(pl_coll *c, const char *key, const char *val, apr_size_t len);
void        pl_coll_add(pl_coll *c, const char *key, const char *val, apr_size_t len);
/* pl_coll_set for a key of klen bytes that may hold NULs (decoded names). */
pl_var     *pl_coll_set_n(pl_coll *c, const char *key, apr_size_t klen,
                          const char *val, apr_size_t len);
pl_var     *pl_coll_get(const pl_coll *c, const char *key);   /* case-insensitive */
void        pl_coll_del(pl_coll *c, const char *key);
void        pl_coll_clear(pl_coll *c);
/* apr_hash_make_custom() function for tables keyed by small binary records
 * (pointers, lengths, ids), mixed a word at a time: APR's default hashes a
 * byte at a time, which the per-request caches paid for on every lookup.
 * Inline, so that no file has to be linked for it. */
static inline unsigned int pl_hash_binary(const char *key, apr_ssize_t *klen)
{
    apr_uint64_t h = 0x9e3779b97f4a7c15ULL, w;
    apr_ssize_t i;

    if (*klen == APR_HASH_KEY_STRING)
        *klen = (apr_ssize_t)strlen(key);
    for (i = 0; i + 8 <= *klen; i += 8) {
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    for (; i < *klen; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    h ^= h >> 29;
    return (unsigned int)h;
}

/* Variable kinds, for the variable table. */
enum { PL_VK_SCALAR = 0, PL_VK_COLL = 1 };

/*
 * A row of the variable table (vars.c).  get() appends pl_var* to out for
 * the target t, honouring t->selector / t->sel_re; exclusions and counting
 * are applied by the engine afterwards.
 */
typedef struct pl_vardef {
    const char *name;
    int         kind;
    void      (*get)(pl_tx *tx, const pl_target *t, apr_array_header_t *out);
    int         flags;
} pl_vardef;

#define PL_VF_NOT_YET   0x01   /* recognised but not implemented yet */
#define PL_VF_GENERIC   0x02   /* a named collection (TX, IP, ...): reads tx->colls */
#define PL_VF_SEL_REQUIRED 0x04   /* a selector is mandatory (TX, IP, RULE, ENV ...) */
#define PL_VF_SEL_NONE     0x08   /* takes no selector (ModSecurity argc_max 0) */

const pl_vardef *pl_vardef_find(const char *name);   /* case-insensitive */

struct pl_target {
    const pl_vardef *def;
    const char      *coll;       /* collection name for generic collections
                                  * (TX, IP, GLOBAL, custom): upper case */
    const char      *selector;   /* literal key, NULL = every element */
    pl_macro        *sel_macro;  /* selector holding %{..}: expanded per tx */
    pcre2_code      *sel_re;     /* selector written as /regex/ */
    const char      *sel_re_src;
    int              count;      /* &VAR */
    int              exclude;    /* !VAR:sel */
    const char      *text;       /* as written, e.g. "ARGS:/^id_/" */
};

/* Collects the values of one target (no exclusions applied). */
void pl_target_values(pl_tx *tx, const pl_target *t, apr_array_header_t *out);
/* Does var (produced by some target) fall under exclusion target ex? */
int  pl_target_excludes(pl_tx *tx, const pl_target *ex, const pl_var *var, const pl_target *from);

/* ------------------------------------------------------------------------
 * Macros: %{VAR} / %{COLL.key} templates compiled at configuration time
 * --------------------------------------------------------------------- */

/* Returns NULL and *err on a malformed macro. Plain text compiles too. */
pl_macro   *pl_macro_compile(apr_pool_t *p, const char *text, const char **err);
/* Text taken as it is, "%{" included (values given at request time). */
pl_macro   *pl_macro_literal(apr_pool_t *p, const char *text);
int         pl_macro_is_const(const pl_macro *m);
const char *pl_macro_expand(pl_tx *tx, const pl_macro *m, apr_size_t *len);
const char *pl_macro_text(const pl_macro *m);   /* as written */

/* ------------------------------------------------------------------------
 * Transformations (tfn.c)
 * --------------------------------------------------------------------- */

/*
 * Transforms in[0..len) into *out and *out_len (allocated from p, or in itself
 * when unchanged).  Returns 1 when the value changed, 0 when not.  Output is
 * always NUL-terminated at out[out_len] for the convenience of callers.
 */
typedef int (*pl_tfn_fn)(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len);

typedef struct pl_tfndef {
    const char *name;
    pl_tfn_fn   fn;
} pl_tfndef;

const pl_tfndef *pl_tfn_find(const char *name);      /* case-insensitive, aliases too */
/* SecUnicodeMapFile: loads the code page's best-fit table; NULL or error text. */
const char *pl_tfn_load_unicode_map(apr_pool_t *p, const char *path, int codepage);

/* ------------------------------------------------------------------------
 * Operators (ops.c)
 * --------------------------------------------------------------------- */

struct pl_op {
    const struct pl_opdef *def;
    const char *param;          /* as written after "@name " */
    pl_macro   *param_macro;    /* for operators that expand macros */
    int         negated;        /* "!@rx" */
    void       *data;           /* compiled form: pcre2_code*, automaton, ... */
    const char *file;           /* for data files relative to the rule's file */
};

/*
 * init() compiles op->param at configuration time; returns NULL or an error
 * text.  exec() returns 1 on match, 0 on no match, -1 on error (with *msg).
 * On a match *msg gets ModSecurity 2.9's text for it, e.g.
 * "Pattern match \"^a\" at ARGS:x." (the engine adds the rule metadata).
 * exec() may be called with tx == NULL by unit tests; operators that need
 * tx (capture, macros, GEO) must then behave sanely.
 */
typedef struct pl_opdef {
    const char *name;
    const char *(*init)(pl_op *op, apr_pool_t *p);
    int         (*exec)(pl_tx *tx, pl_rule *rule, const pl_op *op,
                        const pl_var *var, const char *val, apr_size_t len,
                        char **msg);
    int          flags;
} pl_opdef;

#define PL_OPF_MACRO      0x01   /* parameter may hold %{...} */
#define PL_OPF_NOT_YET    0x02   /* recognised but not implemented yet */

const pl_opdef *pl_opdef_find(const char *name);    /* case-insensitive, aliases too */
/* PCRE2 limits from SecPcreMatchLimit(Recursion), set at configuration time. */
void pl_ops_set_pcre_limits(unsigned long match, unsigned long depth);
/* A data file, program or script named in a rule: absolute as written,
 * else relative to the directory of the configuration file (rule_file)
 * that names it, as 2.9 resolves them. */
const char *pl_resolve_path(apr_pool_t *p, const char *rule_file, const char *fn);
/* Compiles a regex (used for selectors, ctl by msg/tag, ...). */
pcre2_code *pl_regex_compile(apr_pool_t *p, const char *re, int caseless, const char **err);
/* 1 match, 0 none, <0 error (PL_RX_LIMIT when a PCRE limit was hit). */
#define PL_RX_LIMIT (-2)
int pl_regex_match(const pcre2_code *re, const char *s, apr_size_t len);
/* 2.9's parse_pm_content() (@pm phrases, @rsub's replacement): quotes,
 * |hex| bytes and \: \; \\ \" escapes decoded; NULL and *err when empty
 * or on another escape. */
char *pl_pm_content(apr_pool_t *p, const char *in, const char **err);

/* Detectors (sqli.c, xss.c): 1 when an attack is found.  fp gets the
 * SQLi fingerprint (at most 8 chars + NUL). */
int pl_detect_sqli(const char *s, apr_size_t len, char fp[9]);
int pl_detect_xss(const char *s, apr_size_t len);

/* ------------------------------------------------------------------------
 * Actions (actions.c)
 * --------------------------------------------------------------------- */

enum pl_action_type {
    PL_AT_META,          /* id, msg, tag ...: applied to the rule at parse time */
    PL_AT_DISRUPTIVE,    /* deny, drop, ... */
    PL_AT_FLOW,          /* chain, skip, skipAfter */
    PL_AT_RUN,           /* setvar, ctl, ...: executed when the rule matches */
    PL_AT_DATA           /* t:, capture, status, xmlns ...: configure the rule */
};

enum pl_disruptive {
    PL_DA_NONE = 0, PL_DA_PASS, PL_DA_DENY, PL_DA_DROP, PL_DA_REDIRECT,
    PL_DA_PROXY, PL_DA_ALLOW, PL_DA_ALLOW_PHASE, PL_DA_ALLOW_REQUEST,
    PL_DA_BLOCK, PL_DA_PAUSE_UNUSED
};

struct pl_action {
    const struct pl_actiondef *def;
    const char *param;           /* unquoted, NULL when none */
    pl_macro   *macro;           /* compiled param where macros apply */
    void       *data;            /* compiled form (setvar, ctl, ...) */
};

/*
 * init() validates and compiles the parameter and, for META/DATA/FLOW/
 * DISRUPTIVE actions, records itself in the rule's fields; it returns NULL
 * or an error text.  exec() runs a PL_AT_RUN action when its rule matches
 * (after a chain matched as a whole), in the order written.
 */
typedef struct pl_actiondef {
    const char *name;
    int         type;
    int         arg;            /* PL_ARG_NONE / PL_ARG_REQ / PL_ARG_OPT */
    const char *(*init)(pl_rule *r, pl_action *a, apr_pool_t *p);
    int         (*exec)(pl_tx *tx, pl_rule *r, const pl_action *a);
    int         flags;
} pl_actiondef;

enum { PL_ARG_NONE, PL_ARG_REQ, PL_ARG_OPT };
#define PL_AF_NOT_YET  0x01

const pl_actiondef *pl_actiondef_find(const char *name);
/* setvar:NAME=VALUE with both given at request time (Lua's m.setvar):
 * macros expanded in both, "!coll.key" unsets, a value starting with + or
 * - is a relative change, the value is taken as it is (not trimmed).
 * Returns 1 when a variable was set or unset. */
int pl_action_setvar(pl_tx *tx, pl_rule *r, const char *name, const char *value);

/* ------------------------------------------------------------------------
 * Rules
 * --------------------------------------------------------------------- */

enum pl_rule_type { PL_RT_RULE, PL_RT_ACTION, PL_RT_MARKER, PL_RT_SCRIPT };

struct pl_rule {
    int          type;
    const char  *file;
    int          line;
    /* metadata; for chain members the starter's values are authoritative */
    long         id;               /* 0 = none (chain members) */
    const char  *id_str;
    int          phase;            /* 1..5 */
    const char  *rev, *ver;
    pl_macro    *msg, *logdata;
    int          severity;         /* 0..7, PL_UNSET */
    int          maturity, accuracy;   /* PL_UNSET when absent */
    apr_array_header_t *tags;      /* const char* */

    /* targets and operator (PL_RT_RULE only) */
    apr_array_header_t *targets;   /* pl_target, including exclusions */
    pl_op        op;

    /* transformation pipeline, after t:none handling and defaults */
    apr_array_header_t *tfns;      /* const pl_tfndef* */
    int          tfn_none;         /* t:none seen: defaults were dropped */
    int         *tfn_ids;          /* per step, the interned id of the pipeline
                                    * prefix ending there (transformation cache) */
    int          multi_match, capture;

    /* flow */
    int          chain;            /* "chain" action present */
    pl_rule     *chain_next;       /* next member of the chain */
    pl_rule     *chain_start;      /* starter (itself for the starter) */
    int          skip;
    const char  *skip_after;

    /* disruption and logging */
    int          disruptive;       /* enum pl_disruptive */
    int          status;           /* PL_UNSET */
    pl_macro    *redirect_url;     /* redirect:/proxy: target */
    int          log, auditlog;    /* 1/0, PL_UNSET */
    int          pause_ms;
    /* what "block" (or no disruptive action) means for this rule: the
     * SecDefaultAction of its phase, resolved when the rule was parsed */
    int          def_disruptive, def_status;
    pl_macro    *def_url;

    apr_array_header_t *actions;   /* pl_action, every action as written */
    const char  *text_targets, *text_op, *text_actions;  /* as written */
    const char  *marker;           /* SecMarker label */
    int          index;            /* position in its phase, starters only */
};

typedef struct pl_id_range { long from, to; } pl_id_range;
enum { PL_BY_ID, PL_BY_TAG, PL_BY_MSG };

/*
 * Rules of one configuration context, in phase order.  phase[n] holds the
 * chain starters of phase n (chain members hang off chain_next), markers
 * included so skipAfter can find them.
 */
struct pl_ruleset {
    apr_array_header_t *phase[PL_PHASES + 1];   /* pl_rule*; [0] unused */
    pl_rule            *last;                   /* last member added (chains) */
};

/* A configuration-time edit (SecRuleRemove*, SecRuleUpdate*), kept so a
 * child context can apply it to the rules it inherits. */
typedef struct pl_edit {
    int         kind;          /* PL_EDIT_* */
    int         by;            /* PL_BY_ID, PL_BY_TAG, PL_BY_MSG */
    apr_array_header_t *ids;   /* pl_id_range, by id */
    pcre2_code *re;            /* by tag / msg */
    const char *text;          /* targets or actions to apply */
    const char *replaced;      /* SecRuleUpdateTarget*: target replaced */
    int         chain_offset;  /* SecRuleUpdateActionById id:N */
    const char *file;
    int         line;
} pl_edit;

enum { PL_EDIT_REMOVE, PL_EDIT_TARGET, PL_EDIT_ACTION };

pl_ruleset *pl_ruleset_create(apr_pool_t *p);
pl_ruleset *pl_ruleset_copy(apr_pool_t *p, const pl_ruleset *rs);
pl_rule    *pl_rule_new(apr_pool_t *p, int type, const char *file, int line);
/* Interns the rule's transformation prefixes (after its tfns changed). */
void        pl_rule_tfn_ids(apr_pool_t *p, pl_rule *r);
/* Applies an edit to a ruleset (copying the rules it changes). */
const char *pl_ruleset_edit(pl_cmd *cmd, apr_pool_t *p, pl_ruleset *rs, const pl_edit *e);
int         pl_rule_id_in(long id, const apr_array_header_t *ranges);
/* Parses "1,2,10-20 30" into pl_id_range; NULL or an error text. */
const char *pl_parse_id_ranges(apr_pool_t *p, const char *text, apr_array_header_t *out);
int         pl_rule_has_tag(const pl_rule *r, const pcre2_code *re);
int         pl_rule_msg_matches(const pl_rule *r, const pcre2_code *re);

/* ------------------------------------------------------------------------
 * Configuration (per server / directory context)
 * --------------------------------------------------------------------- */

enum { PL_ENGINE_OFF = 0, PL_ENGINE_ON = 1, PL_ENGINE_DETECT = 2 };
enum { PL_LIMIT_REJECT = 0, PL_LIMIT_PARTIAL = 1 };
enum { PL_AUDIT_OFF = 0, PL_AUDIT_ON = 1, PL_AUDIT_RELEVANT = 2 };

struct pl_config {
    apr_pool_t *pool;
    int   rule_engine;
    int   reqbody_access, resbody_access;
    apr_off_t reqbody_limit, reqbody_nofiles_limit, reqbody_inmem_limit;
    apr_off_t resbody_limit;
    int   reqbody_limit_action, resbody_limit_action;
    long  json_depth_limit, args_limit;
    apr_table_t *resbody_mime;       /* lower-case type -> "" ; NULL = unset */
    int   cookie_format;
    int   argument_separator;        /* a character; PL_UNSET */
    int   cookiev0_separator;
    const char *tmp_dir, *data_dir, *upload_dir;
    int   upload_keep_files, upload_file_limit, upload_file_mode, tmp_save_uploaded;
    int   debug_log_level;
    const char *debug_log_path;
    apr_file_t *debug_log;
    int   audit_engine;
    const char *audit_log, *audit_log2, *audit_parts, *audit_type, *audit_format;
    const char *audit_storage_dir, *audit_relevant_status;
    int   audit_dir_mode, audit_file_mode;
    const char *web_app_id, *sensor_id;
    long  collection_timeout;
    /* SecCollectionBackend (NULL: SDBM files under SecDataDir) and
     * SecCollectionBackendFailure (PL_BACKEND_FAIL_*, PL_UNSET = open) */
    const char *coll_backend;
    int   coll_backend_failure;
    int   xml_external_entity;
    int   intercept_on_error;
    int   inheritance;               /* SecRuleInheritance, default On */
    /* SecGeoLookupDB (geo.c), SecHttpBlKey (@rbl with http:BL),
     * SecRulePerfTime (microseconds, PL_UNSET = off) and
     * SecDisableBackendCompression (1/0, PL_UNSET = Off) */
    struct pl_geodb *geo_db;
    const char *httpbl_key;
    long  rule_perf_time;
    int   disable_backend_compression;
    /* SecContentInjection, SecStreamInBodyInspection,
     * SecStreamOutBodyInspection: 1/0, PL_UNSET = Off (stream.c) */
    int   content_injection, stream_inbody, stream_outbody;

    /* the last SecDefaultAction (a rule holding its actions), NULL = the
     * built-in "phase:2,log,auditlog,pass"; as in ModSecurity 2.9 it applies
     * to every later rule whatever phase it names */
    pl_rule *default_action;

    pl_ruleset *rules;               /* rules of this context (merged) */
    /* configuration-time exclusions recorded in this context, re-applied to
     * inherited rules at merge time (SecRuleRemove*, SecRuleUpdate*) */
    apr_array_header_t *edits;       /* pl_edit */
};

/* Server-wide settings (first definition wins, as in ModSecurity). */
typedef struct pl_global {
    apr_array_header_t *component_signatures;   /* const char* */
    const char *unicode_map_file;
    int         unicode_code_page;
    unsigned long pcre_match_limit, pcre_match_limit_recursion;
    const char *server_signature;
    int         status_engine;
} pl_global;

extern pl_global pl_globals;

pl_config *pl_config_create(apr_pool_t *p);
pl_config *pl_config_merge(apr_pool_t *p, const pl_config *parent, const pl_config *child);
/* Effective values, resolving PL_UNSET to ModSecurity's defaults. */
int        pl_config_engine(const pl_config *c);

/* ------------------------------------------------------------------------
 * Directives (directives.c): one table shared by the Apache glue and the
 * command-line tool's own configuration reader.
 * --------------------------------------------------------------------- */

struct pl_cmd {
    apr_pool_t *pool;        /* configuration pool */
    apr_pool_t *temp_pool;
    pl_config  *cfg;         /* context being configured */
    const char *file;        /* current configuration file and line */
    int         line;
    int         server_level;/* 1 when outside <Location>/<Directory> */
};

/* Handler: raw argument text as it follows the directive name. */
typedef const char *(*pl_directive_fn)(pl_cmd *cmd, const char *args);

typedef struct pl_directive {
    const char     *name;
    pl_directive_fn fn;
    const char     *help;
} pl_directive;

extern const pl_directive pl_directives[];      /* NULL-name terminated */
const pl_directive *pl_directive_find(const char *name);

/*
 * Splits directive arguments as Apache's ap_getword_conf does: words
 * separated by white space; a word may be quoted with ' or ", inside which a
 * backslash before the quote character escapes it; "\\" becomes "\"
 * everywhere.  Returns the count.
 */
int pl_tokenize(apr_pool_t *p, const char *args, char **argv, int max);

/*
 * Configuration file reader for hosts without httpd (conffile.c): reads an
 * Apache-style file (continuations, Include, <IfModule> ...) and runs the
 * table's handlers.  Returns NULL or "FILE:LINE: message".
 */
const char *pl_conf_read_file(pl_cmd *cmd, const char *path);

/* Parser (parse.c): builds rules from SecRule/SecAction/SecMarker text. */
const char *pl_parse_rule(pl_cmd *cmd, int type, const char *targets,
                          const char *op, const char *actions, pl_rule **out);
const char *pl_parse_actions(pl_cmd *cmd, pl_rule *r, const char *actions);
const char *pl_parse_targets(pl_cmd *cmd, apr_pool_t *p, const char *text,
                             apr_array_header_t *out);
/* One target ("ARGS:id", "TX:/^a/", "REQUEST_URI"), without splitting
 * at '|' or ','; NULL or an error text ("Unknown variable: X"). */
const char *pl_parse_target(apr_pool_t *p, const char *text, pl_target *t);
/* Adds a parsed rule to cmd->cfg (chain bookkeeping, id checks). */
const char *pl_ruleset_add(pl_cmd *cmd, pl_rule *r);

/* ------------------------------------------------------------------------
 * Transaction
 * --------------------------------------------------------------------- */

/* Host callbacks: how the engine talks back to Apache or the tool. */
typedef struct pl_host {
    /* one finished ModSecurity-format message, without the "ModSecurity: "
     * prefix, e.g. "Warning. Pattern match ... [unique_id \"...\"]" */
    void (*log_error)(pl_tx *tx, int level, const char *msg);
    void (*set_env)(pl_tx *tx, const char *name, const char *value);
    void (*unset_env)(pl_tx *tx, const char *name);
} pl_host;

/* A matched-rule record, kept for logging and the tool's JSON output. */
typedef struct pl_match {
    const pl_rule *rule;       /* chain starter */
    const char    *message;    /* full ModSecurity message, as logged */
    int            phase;
    int            logged;     /* went to the error log */
    int            disruptive; /* caused the interception */
    const char    *op_message; /* the operator's text alone, e.g. "Pattern
                                * match \"x\" at ARGS:a." (audit log) */
} pl_match;

/* A "Message:" line of the audit log's part H (ModSecurity's alerts): a
 * rule match logged or audit-logged, or a message of the host. */
typedef struct pl_alert {
    const char *text;          /* without the [hostname ...] trailer */
    int         match;         /* index in tx->matches, -1 for the host's */
} pl_alert;

/* A sanitise* request: what the audit log masks with '*' (audit.c). */
enum { PL_SAN_ARG = 1, PL_SAN_REQUEST_HEADER, PL_SAN_RESPONSE_HEADER, PL_SAN_VALUE };
typedef struct pl_sanitise {
    int         kind;          /* PL_SAN_* */
    const char *name;          /* argument or header name (any case); for
                                * PL_SAN_VALUE the variable's name */
    const char *value;         /* PL_SAN_VALUE: the matched bytes */
    apr_size_t  value_len;
    int         keep_front, keep_back;  /* sanitiseMatchedBytes:F/B: bytes
                                * left visible at each end; 0/0 = all masked */
} pl_sanitise;

/* Interception decided by a disruptive action. */
typedef struct pl_intercept {
    int         action;        /* enum pl_disruptive: DENY, DROP, REDIRECT, PROXY */
    int         status;
    const char *url;           /* redirect or proxy target */
    int         phase;
    const pl_rule *rule;
} pl_intercept;

/* Request body storage: memory chunks up to the in-memory limit, then a
 * spool file under SecTmpDir.  The MULTIPART and XML processors are fed
 * each piece as it is stored (2.9's streaming processors), so that neither
 * needs the body as one buffer. */
typedef struct pl_body {
    apr_array_header_t *chunks;    /* pl_str-like: struct iovec */
    apr_size_t  block, room;       /* the last chunk's block: its size, and
                                    * the bytes free after its data */
    apr_off_t   length;
    apr_file_t *spool;
    const char *spool_path;
    char       *flat;              /* whole body, built on demand; one spare
                                    * byte after its NUL (body_json.c) */
    char       *readbuf;           /* pl_tx_body_each's block for the spool */
    int         available;         /* REQUEST_BODY exists (2.9: URLENCODED or forced) */
    /* bytes counted against SecRequestBodyNoFilesLimit, as 2.9 counts them
     * (msc_reqbody_no_files_length): what URLENCODED, JSON and XML see,
     * MULTIPART part headers and text part data */
    apr_off_t   nofiles;
    int         started;           /* the first piece chose the processor */
    int         proc_ok;           /* a processor was chosen then, with no
                                    * request body error before */
    struct pl_mp_parser  *multipart;   /* body_multipart.c, fed as stored */
    struct pl_xml_parser *xml;         /* body_xml.c, likewise */
} pl_body;

/* A part of a MULTIPART request body as the parser recorded it, in body
 * order (parts without a name are not kept, as in 2.9): what the audit
 * log's parts I and J show and where part C masks a sanitised value. */
typedef struct pl_mpart {
    const char *name;
    const char *filename;          /* file parts; NULL for text parts */
    const char *ctype;             /* the part's Content-Type; NULL if none */
    const char *value;             /* text parts: the value, len bytes and a NUL */
    apr_size_t  len;               /* text parts: value length; file parts:
                                    * the file's size (bytes) */
    apr_off_t   data_offset;       /* where the part's data starts in the
                                    * body (bytes from its first byte) */
} pl_mpart;

struct pl_tx {
    apr_pool_t       *pool;
    const pl_config  *cfg;
    const pl_host    *host;
    void             *host_ctx;    /* request_rec* in Apache */
    apr_time_t        start;       /* microseconds */
    int               phase;       /* phase being run */
    int               engine;      /* effective rule engine (ctl:ruleEngine) */

    /* request, filled by the host before phase 1 */
    const char *unique_id;
    const char *remote_addr, *remote_host, *server_addr, *server_name, *hostname;
    int         remote_port, server_port;
    const char *request_line, *method, *uri_raw, *protocol;
    const char *uri;               /* normalised, no scheme/host */
    const char *path_decoded;      /* REQUEST_FILENAME */
    /* REQUEST_URI / REQUEST_FILENAME as phase 1 sees them: httpd decodes and
     * normalises the path only after phase 1 (pl_tx_request_ready derives
     * both forms when NULL) */
    const char *uri_phase1, *path_phase1;
    const char *query_string;      /* NULL when absent */
    const char *remote_user, *auth_type, *path_info, *script_filename;
    apr_array_header_t *req_headers;   /* pl_var*, in order as received */
    pl_body     body;

    /* response, filled by the host before phases 3 and 4 */
    int         status;
    const char *status_line, *response_protocol;
    apr_array_header_t *resp_headers;  /* pl_var* */
    const char *resp_body;
    apr_size_t  resp_body_len;
    int         resp_body_partial;

    /* parsed data */
    pl_coll    *args_get, *args_post, *cookies, *files, *files_names,
               *files_sizes, *files_tmpnames, *files_tmp_content,
               *multipart_part_headers, *env;
    pl_coll    *args_json;         /* JSON body arguments: in ARGS, not ARGS_POST (2.9) */
    apr_hash_t *colls;             /* upper-case name -> pl_coll* (TX, IP, GEO, ...) */
    pl_coll    *tx_coll;           /* == colls["TX"] */
    void       *xml_doc;           /* xmlDocPtr when the XML processor ran */
    const char *reqbody_processor; /* URLENCODED, MULTIPART, XML, JSON or NULL */
    int         reqbody_error;
    const char *reqbody_error_msg;
    int         urlencoded_error, inbound_data_error, outbound_data_error;
    apr_hash_t *multipart_flags;   /* "MULTIPART_STRICT_ERROR" -> "0"/"1" */
    apr_array_header_t *multipart_parts;   /* pl_mpart*, as the parts end;
                                            * NULL when the MULTIPART parser
                                            * did not run */

    /* per-transaction overrides (ctl) */
    int         reqbody_access, resbody_access, force_reqbody_var;
    apr_off_t   reqbody_limit, resbody_limit;
    const char *ctl_reqbody_processor;
    int         audit_engine, debug_log_level;
    const char *audit_parts;
    apr_array_header_t *removed_ids;      /* pl_id_range */
    apr_array_header_t *removed_tags;     /* pcre2_code* */
    apr_array_header_t *removed_msgs;     /* pcre2_code* */
    apr_array_header_t *removed_targets;  /* pl_target_removal */

    /* matching state */
    const pl_var *matched_var;             /* MATCHED_VAR / _NAME */
    apr_array_header_t *matched_vars;      /* pl_var*, current rule */
    int         highest_severity;          /* 255 = none */
    const pl_rule *rule;                   /* rule being run (RULE collection) */
    apr_hash_t *tfn_cache;
    apr_hash_t *var_views;                 /* vars.c: derived values, built once */

    /* outcome */
    apr_array_header_t *matches;           /* pl_match */
    pl_intercept intercept;                /* action == PL_DA_NONE: none */
    int         allow;                     /* PL_DA_ALLOW / _PHASE / _REQUEST */
    int         is_relevant;               /* for RelevantOnly audit logging */
    apr_array_header_t *web_errors;        /* WEBSERVER_ERROR_LOG */

    /* the request's URI as the web server has it now (httpd's r->uri, which
     * mod_dir changes from "/" to "/index.html" before phase 3), for the
     * [uri "..."] log trailer as ModSecurity writes it; NULL until the host
     * sets it (then path_decoded applies) */
    const char *log_uri;

    /* persist.c: the persistent collections of this transaction */
    struct pl_persist_tx *persist;

    /* audit log (audit.c); the arrays are created when first needed */
    apr_array_header_t *alerts;            /* pl_alert: part H "Message:" */
    apr_array_header_t *matched_rules;     /* const pl_rule*: each operator
                                            * match, chain members too (K) */
    apr_array_header_t *sanitise;          /* pl_sanitise, deduplicated and
                                            * bounded (CVE-2025-48866) */
    apr_time_t  phase_time[PL_PHASES + 1]; /* microseconds per phase */
    const char *handler;                   /* host: Apache-Handler */
    apr_off_t   bytes_sent;                /* host: response bytes sent */
    apr_array_header_t *final_resp_headers;/* host: pl_var*, the response
                                            * headers as sent (part F);
                                            * NULL: resp_headers */
    const char *intercept_message;         /* operator text of the rule
                                            * that intercepted */

    /* PERF_* variables, microseconds (phase_time above holds the phases):
     * rule id -> time of rules at or over SecRulePerfTime (engine.c), and
     * what persistent storage reads / writes, audit logging and collection
     * garbage collection took (added by those subsystems) */
    apr_table_t *perf_rules;
    apr_time_t  perf_sread, perf_swrite, perf_logging, perf_gc;

    /* ops.c: the PCRE2 match data of this transaction, made on first use */
    void       *match_data;

    /* lua.c: the transaction's Lua state, made on first use */
    struct pl_lua_ctx *lua;

    /* stream.c: prepend/append text, STREAM_INPUT_BODY and
     * STREAM_OUTPUT_BODY; NULL until one of them is used */
    pl_stream  *stream;
};

/* ctl:ruleRemove* records kept per transaction. */
typedef struct pl_target_removal {
    int         by;             /* PL_BY_ID, PL_BY_TAG, PL_BY_MSG */
    long        id_from, id_to; /* by id (a single id has from == to) */
    pcre2_code *re;             /* by tag / msg */
    pl_target   target;         /* the exclusion, exclude == 1 */
} pl_target_removal;

/* Creates a transaction; the host then fills the request fields. */
pl_tx *pl_tx_create(apr_pool_t *p, const pl_config *cfg, const pl_host *host, void *host_ctx);
/* Adds one request/response header (copies nothing). */
void   pl_tx_add_request_header(pl_tx *tx, const char *name, const char *value);
void   pl_tx_add_response_header(pl_tx *tx, const char *name, const char *value);
/* Derives QUERY_STRING, ARGS_GET, cookies, REQUEST_FILENAME from the
 * request fields; call once after they are filled. */
void   pl_tx_request_ready(pl_tx *tx);
/* Appends request body bytes (copies them; spools past the memory limit)
 * and feeds them to the MULTIPART or XML processor.  Returns APR_SUCCESS,
 * or APR_ENOSPC when SecRequestBodyLimit is exceeded (what fits is kept),
 * or PL_BODY_NOFILES when SecRequestBodyNoFilesLimit is: the bytes counted
 * as 2.9 counts them (everything URLENCODED, JSON and XML see; MULTIPART
 * part headers and text parts, not file data nor boundaries; the whole body
 * under ctl:forceRequestBodyVariable when no processor runs) reach the
 * limit (2.9's ">="), which ModSecurity 2.9 answers with 413 whatever the
 * engine mode and SecRequestBodyLimitAction.  The host logs and answers. */
#define PL_BODY_NOFILES (APR_OS_START_USERERR + 1)
apr_status_t pl_tx_body_append(pl_tx *tx, const char *data, apr_size_t len);
/* Completes the body processor on the collected body (before phase 2). */
void   pl_tx_body_done(pl_tx *tx);
/* Whole body as one buffer (REQUEST_BODY); reads the spool if needed. */
const char *pl_tx_body_flat(pl_tx *tx, apr_size_t *len);
/* Calls fn on the stored body in order, without making it one buffer: the
 * memory chunks, or the spool file read in blocks of 64 KiB into one
 * buffer reused for every call.  fn returns 0 to go on, anything else to
 * stop.  Returns APR_SUCCESS, or the error reading the spool file. */
apr_status_t pl_tx_body_each(pl_tx *tx, int (*fn)(void *ctx, const char *data, apr_size_t len),
                             void *ctx);
/* Parses name=value pairs (query string, urlencoded body) into c as 2.9
 * does: '+' and %XX decoded, invalid %-encodings kept and flagged in
 * tx->urlencoded_error, SecArgumentsLimit enforced (tx.c). */
void   pl_tx_parse_args(pl_tx *tx, pl_coll *c, const char *s, apr_size_t len);

/*
 * Runs one phase.  Returns 1 when the transaction is intercepted (see
 * tx->intercept), 0 otherwise.  Phases already run, or skipped by
 * allow, return 0.  Phase 5 never intercepts.
 */
int    pl_run_phase(pl_tx *tx, int phase);

/* Engine-wide logging helpers. */
void   pl_debug(pl_tx *tx, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* A message of the engine at 2.9's msr_log level: the debug log, and for
 * levels 1-3 also the error log (with the [hostname] [uri] [unique_id]
 * trailer) and the audit log's part H; it makes the transaction relevant. */
void   pl_log_alert(pl_tx *tx, int level, const char *msg);
/* Escapes for the error log the way ModSecurity does (\xHH, \" ...). */
char  *pl_log_escape(apr_pool_t *p, const char *s, apr_size_t len);
/* As pl_log_escape but leaves '"' as is (ModSecurity log_escape_nq). */
char  *pl_log_escape_nq(apr_pool_t *p, const char *s, apr_size_t len);
/* For the "[data ...]" field: '"', '\\', controls and bytes >= 0x7f as \xHH
 * (ModSecurity log_escape_hex). */
char  *pl_log_escape_hex(apr_pool_t *p, const char *s, apr_size_t len);

/* Sets TX:n captures (n 0..9). */
void   pl_tx_set_capture(pl_tx *tx, int n, const char *val, apr_size_t len);

/* ------------------------------------------------------------------------
 * Content injection and stream editing (stream.c)
 *
 * The prepend / append actions record text for the response body, sent
 * only with SecContentInjection On.  With SecStreamInBodyInspection On the
 * stored request body is STREAM_INPUT_BODY from phase 2 on; with
 * SecStreamOutBodyInspection On the body given to phase 4 is
 * STREAM_OUTPUT_BODY; @rsub rewrites them.  The host hands the rewritten
 * request body to the handler after phase 2, and sends prepend, the
 * (rewritten) response body and append after phase 4 when it buffered
 * the body, as ModSecurity 2.9 does.  Every pointer returned lives in
 * tx->pool.
 * --------------------------------------------------------------------- */

/* Host: the request body is stored and pl_tx_body_done() ran. */
void        pl_stream_input_ready(pl_tx *tx);
/* Host, right before phase 4: tx->resp_body holds what phase 4 sees
 * ("" when the body is not buffered). */
void        pl_stream_output_ready(pl_tx *tx);
/* What replaces the stored request body (the bytes read past
 * SecRequestBodyLimit follow it); NULL when @rsub did not rewrite it. */
const char *pl_stream_input_rewritten(const pl_tx *tx, apr_size_t *len);
/* What replaces the buffered response body; NULL unless @rsub rewrote
 * STREAM_OUTPUT_BODY and SecContentInjection is On. */
const char *pl_stream_output_rewritten(const pl_tx *tx, apr_size_t *len);
/* Host: the rewritten request body went to the handler / a whole
 * buffered response body was sent after phase 4.  2.9 frees the variable
 * then, so later phases do not see it (it stays otherwise). */
void        pl_stream_input_forwarded(pl_tx *tx);
void        pl_stream_output_forwarded(pl_tx *tx);
/* Text to send before / after the response body; NULL unless a prepend /
 * append action ran and SecContentInjection is On. */
const char *pl_stream_prepend(const pl_tx *tx, apr_size_t *len);
const char *pl_stream_append(const pl_tx *tx, apr_size_t *len);

/* ------------------------------------------------------------------------
 * Persistent collections (persist.c; backends persist_sdbm.c, persist_redis.c)
 *
 * initcol/setsid/setuid/setrsc load a record with pl_persist_load (or
 * create a new collection) and register it with pl_persist_attach; setvar,
 * expirevar and deprecatevar report changes; the host calls
 * pl_persist_store after phase 5, which writes changed collections back,
 * merging relative counter changes with those of concurrent requests.
 * --------------------------------------------------------------------- */

enum { PL_BACKEND_FAIL_OPEN = 0, PL_BACKEND_FAIL_CLOSED = 1 };

struct apr_global_mutex_t;

/* Record (real_name, key) from the transaction's store as a collection
 * named coll_uc, expired variables removed; NULL when there is none (or the
 * store is unavailable: then, with SecCollectionBackendFailure closed and
 * the engine On, the transaction is intercepted with 503). */
pl_coll *pl_persist_load(pl_tx *tx, const char *coll_uc, const char *real_name,
                         const char *key, apr_size_t key_len);
/* Makes c (loaded or new, holding __name and __key) persistent. */
void  pl_persist_attach(pl_tx *tx, pl_coll *c);
/* setvar / expirevar / deprecatevar changed collection coll_uc. */
void  pl_persist_dirty(pl_tx *tx, const char *coll_uc);
/* Before a relative change (setvar:c.k=+n) of any collection: remembers the
 * value k had (old NULL: "0"), so the store applies the difference to
 * the value stored by then.  coll is the name as written in the rule. */
void  pl_persist_original(pl_tx *tx, const char *coll, const char *coll_uc,
                          const char *key, const pl_var *old);
/* Host, after phase 5: writes back the changed collections. */
void  pl_persist_store(pl_tx *tx);
/* Host, once per process (Apache child, tool) with a pool as long-lived. */
void  pl_persist_child_init(apr_pool_t *p);
/* Host: the cross-process lock for SDBM files (Apache: post_config and,
 * after apr_global_mutex_child_init, child_init).  NULL: a process lock. */
void  pl_persist_set_mutex(struct apr_global_mutex_t *m);
/* SecCollectionBackend argument check at configuration time. */
const char *pl_persist_backend_check(apr_pool_t *p, const char *spec);
/* Every record of an SDBM collection file (path without .pag), for tools:
 * calls fn for each readable record, counts unreadable ones in *bad. */
apr_status_t pl_persist_sdbm_walk(apr_pool_t *p, const char *path,
                                  void (*fn)(void *baton, const char *key, apr_size_t klen,
                                             const pl_coll *rec),
                                  void *baton, int *bad);

/* ------------------------------------------------------------------------
 * Audit log (audit.c, audit_json.c)
 *
 * The host registers where records go (files it opened, or Apache piped
 * logs) under the name SecAuditLog / SecAuditLog2 gave, and the lock that
 * serialises records of a serial log across processes and threads; it
 * calls pl_audit_log once per transaction, after phase 5, with the
 * response fields (status, final_resp_headers, resp_body) filled.
 * --------------------------------------------------------------------- */

/* Host, whenever the configuration is (re)read: forgets the targets, the
 * lock and the server name; p lives as long as the configuration. */
void pl_audit_reset(apr_pool_t *p);
/* Host: the open log called name in the configuration (is_pipe: a piped
 * log, whose index lines must stay under PIPE_BUF). */
void pl_audit_add_target(const char *name, apr_file_t *f, int is_pipe);
/* Host: the lock around every serial record and index line (Apache: a
 * global mutex, re-attached in each child).  NULL: no locking. */
void pl_audit_set_mutex(struct apr_global_mutex_t *m);
/* Host: the "Server:" line (httpd's banner before SecServerSignature). */
void pl_audit_set_server(const char *software);
/* Adds a part H message (match: index in tx->matches or -1). */
void pl_audit_alert(pl_tx *tx, const char *text, int match);
/* sanitiseArg / sanitiseRequestHeader / sanitiseResponseHeader. */
void pl_audit_sanitise(pl_tx *tx, int kind, const char *name, int keep_front, int keep_back);
/* sanitiseMatched / sanitiseMatchedBytes: what tx->matched_var names. */
void pl_audit_sanitise_matched(pl_tx *tx, int keep_front, int keep_back);
/* End of the transaction: writes the record when SecAuditEngine (or
 * ctl:auditEngine) asks for it.  Returns 1 when a record was written. */
int  pl_audit_log(pl_tx *tx);
/* The rule as ModSecurity prints it in part K and the debug log:
 * SecRule "TARGETS" "@op param" "actions merged with the defaults". */
const char *pl_rule_unparsed(apr_pool_t *p, const pl_rule *r, const pl_rule *defaults);

/* ------------------------------------------------------------------------
 * Operators' helpers: geolocation (geo.c), external programs (exec.c)
 * --------------------------------------------------------------------- */

typedef struct pl_geodb pl_geodb;

/* SecGeoLookupDB: opens a legacy GeoIP .dat (country or city edition) or
 * a MaxMind DB file; NULL or an error text. */
const char *pl_geo_open(apr_pool_t *p, const char *path, pl_geodb **out);
/* @geoLookup: looks target (an address or a host name) up and fills the
 * GEO collection; 1 when found (*msg "Geo lookup for ... succeeded."),
 * 0 when not (GEO emptied, *msg the reason). */
int pl_geo_lookup(pl_tx *tx, const pl_geodb *db, const char *target, char **msg);

/* Runs cmd (through /bin/sh -c, as 2.9's apache2_exec) with arg appended
 * when not NULL, the transaction's CGI-style environment, and reads the
 * first line of its standard output into *first_line (NULL when it wrote
 * nothing).  Returns 1 when the program ran, -1 (with *err) when not. */
int pl_exec_program(pl_tx *tx, const char *cmd, const char *arg,
                    char **first_line, const char **err);

/* ------------------------------------------------------------------------
 * Lua scripts (lua.c): SecRuleScript, exec:FILE.lua, @inspectFile FILE.lua
 *
 * A script is compiled once, at configuration time, to bytecode kept in
 * the configuration pool.  At request time each transaction gets one Lua
 * state on first use (closed by a cleanup of tx->pool); every run loads the
 * bytecode into a fresh global table and calls the script's main().
 * --------------------------------------------------------------------- */

typedef struct pl_lua_script pl_lua_script;

/* 1 when path names a Lua script (ends with ".lua", as 2.9 tells them from
 * programs). */
int         pl_lua_is_script(const char *path);
/* Compiles the script at path (already resolved) into p; NULL or
 * "Failed to compile script PATH: <Lua's message>". */
const char *pl_lua_compile(apr_pool_t *p, const char *path, pl_lua_script **out);
/* Runs main(param) (no argument when param is NULL) for rule.  Returns 1
 * when main returned a string or a number (*msg: its text, 2.9's match
 * message), 0 when it returned anything else (nil, false, nothing), -1
 * when the script failed or ran too long (*msg: "Lua: Script execution
 * failed: ..."). */
int         pl_lua_run(pl_tx *tx, pl_rule *rule, const pl_lua_script *s,
                       const char *param, char **msg);

#endif /* PALISADE_H */
