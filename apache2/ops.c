/*
 * Operators: the "@name param" part of SecRule, with ModSecurity 2.9.7's
 * semantics and the exact match messages it logs.
 *
 * Every operator is a row {name, init, exec, flags} of the table at the
 * bottom.  init() runs at configuration time and compiles the parameter
 * into op->data (PCRE2 code, a phrase automaton, an IP range set, a byte
 * table); exec() runs per value at request time and only reads op->data.
 *
 * Where 2.9.7 behaves oddly, the oddity is kept on purpose and commented
 * (checked against the real mod_security2 2.9.7): @pm's automaton misses
 * some overlapping phrases and reports the text of the longer path,
 * @pmFromFile drops one-character phrases, @ipMatch refuses "/32", "/128"
 * and "/0", @verifyCC clears TX:0-9 on a match without "capture".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* memmem() */
#endif

#include "palisade.h"
#include "stream.h"

#include <apr_lib.h>
#include <apr_network_io.h>
#include <apr_strmatch.h>
#include <apr_thread_mutex.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xmlschemas.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PL_HAVE_SSDEEP
#include <fuzzy.h>
#endif

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

/* SecPcreMatchLimit / ...Recursion when not configured (2.9's build default). */
#define PCRE_DEFAULT_LIMIT  1500

/* 2.9 runs PCRE with an ovector of 30 ints, i.e. 15 pairs: a match with
 * more groups returns 0 ("matched, no captures").  A match data block of
 * the same size reproduces that for free. */
#define OVEC_PAIRS          15

/* Matched text longer than this (after escaping) is cut and gets " ...". */
#define MSG_TEXT_MAX        252

/* Phrase and IP files are read in lines of at most this many bytes
 * (httpd's HUGE_STRING_LEN, as 2.9 does: longer lines are split). */
#define FILE_LINE_MAX       8192

/* Match options of @rx (2.9: PCRE_DOTALL | PCRE_DOLLAR_ENDONLY) and of the
 * @verify* operators (PCRE_DOTALL | PCRE_MULTILINE). */
#define RX_OPTIONS          (PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY)
#define VERIFY_OPTIONS      (PCRE2_DOTALL | PCRE2_MULTILINE)

/* validateUtf8Encoding verdicts (negative, as the character length is > 0). */
enum {
    UTF8_MISSING = -1, UTF8_INVALID = -2, UTF8_OVERLONG = -3, UTF8_RESTRICTED = -4
};

/* Numeric comparisons. */
enum { CMP_EQ, CMP_GT, CMP_LT, CMP_GE, CMP_LE };

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* A compiled regular expression with the match limits of its rule. */
typedef struct pl_rx {
    pcre2_code          *re;
    pcre2_match_context *mctx;
    const char          *pattern;      /* as compiled, for the messages */
} pl_rx;

/*
 * Aho-Corasick automaton for @pm, laid out flat after construction.  The
 * root (node 0) has a direct table; other nodes keep their children as a
 * sorted run of edges.
 */
typedef struct ac_edge {
    unsigned char letter;
    int           to;
} ac_edge;

typedef struct ac_node {
    int            fail;
    int            first, count;  /* run of edges */
    unsigned char  last;          /* a phrase ends here */
    unsigned char  other;         /* a phrase ends on the fail chain */
    const char    *text;          /* reported on a match, NUL-terminated */
} ac_node;

typedef struct ac_automaton {
    ac_node *nodes;
    ac_edge *edges;
    int      root[256];
} ac_automaton;

/* Construction-time trie node (children as a sibling list, as 2.9). */
typedef struct ac_bnode {
    int         letter;
    int         last;
    int         parent, fail;
    int         child, sibling;
    const char *text;             /* the phrase that created the node */
    apr_size_t  text_len;         /* depth + 1 */
} ac_bnode;

typedef struct ac_builder {
    apr_array_header_t *nodes;    /* ac_bnode */
} ac_builder;

/* IP address sets as sorted, merged, inclusive ranges (IPv4 in .lo). */
typedef struct u128 {
    uint64_t hi, lo;
} u128;

typedef struct ip_range {
    u128 from, to;
} ip_range;

typedef struct ip_set {
    ip_range *v4, *v6;
    int       n4, n6;
} ip_set;

typedef struct ip_builder {
    apr_array_header_t *v4, *v6;  /* ip_range */
} ip_builder;

typedef int (*verify_fn)(const char *s, apr_size_t len);

/* @inspectFile's parameter: an external program, or a Lua script run in
 * the transaction's Lua state (2.9 tells them apart by the ".lua" end). */
typedef struct inspect_data {
    const char    *program;
    pl_lua_script *script;
} inspect_data;

/* ------------------------------------------------------------------------
 * Static function prototypes
 * --------------------------------------------------------------------- */

static apr_pool_t  *msg_pool(pl_tx *tx);
static const char  *var_name(const pl_var *var);
static const char  *param_value(pl_tx *tx, const pl_op *op, apr_size_t *len);
static char        *match_msg(apr_pool_t *p, const char *what, const char *text,
                              apr_size_t len, const pl_var *var);
static int          atoi_like(const char *s, apr_size_t len);
static char        *pm_content(apr_pool_t *p, const char *in, const char **err);
static const char  *resolve_path(apr_pool_t *p, const char *rule_file, const char *fn);
static void         capture_put(pl_tx *tx, int n, const char *val, apr_size_t len);
static void         capture_clear(pl_tx *tx, int from);

static pl_rx       *rx_compile(apr_pool_t *p, const char *pattern, uint32_t options,
                               const char **err);
static int          rx_run(const pl_rx *rx, const char *s, apr_size_t len,
                           apr_size_t start, uint32_t options, pcre2_match_data *md);
static pcre2_match_data *match_data_get(pl_tx *tx);
static void         match_data_put(pl_tx *tx, pcre2_match_data *md);

static ac_builder  *ac_create(apr_pool_t *p);
static void         ac_add(ac_builder *b, const char *phrase, apr_size_t len);
static ac_automaton *ac_finish(ac_builder *b, apr_pool_t *p);
static const char  *ac_scan(const ac_automaton *a, const char *s, apr_size_t len);

static int          ip_add_entry(ip_builder *b, const char *entry);
static ip_set      *ip_finish(ip_builder *b, apr_pool_t *p);
static int          ip_contains(const ip_set *set, const char *val, apr_size_t len,
                                apr_pool_t *p, char **err);

/* The operators themselves, one init and/or exec per table row. */
typedef const char *op_init_fn(pl_op *op, apr_pool_t *p);
typedef int op_exec_fn(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                       const char *val, apr_size_t len, char **msg);

static op_init_fn op_rx_init, op_pm_init, op_pmf_init, op_strmatch_init, op_byterange_init,
                  op_ipmatch_init, op_ipmatchf_init, op_verify_init, op_not_yet_init,
                  op_fuzzy_init, op_inspect_init, op_dtd_init, op_schema_init;
static op_exec_fn op_rx_exec, op_pm_exec, op_strmatch_exec, op_within_exec,
                  op_contains_exec, op_containsword_exec, op_streq_exec, op_beginswith_exec,
                  op_endswith_exec, op_eq_exec, op_gt_exec, op_lt_exec, op_ge_exec, op_le_exec,
                  op_byterange_exec, op_urlenc_exec, op_utf8_exec, op_ipmatch_exec,
                  op_ipmatchf_exec, op_verifycc_exec, op_verifycpf_exec, op_verifyssn_exec,
                  op_sqli_exec, op_xss_exec, op_geo_exec, op_rbl_exec, op_nomatch_exec,
                  op_always_exec, op_not_yet_exec, op_fuzzy_exec, op_inspect_exec,
                  op_dtd_exec, op_schema_exec;

/* ------------------------------------------------------------------------
 * Module state (written at configuration time only)
 * --------------------------------------------------------------------- */

static unsigned long pcre_match_limit = PCRE_DEFAULT_LIMIT;
static unsigned long pcre_depth_limit = PCRE_DEFAULT_LIMIT;

/* Limits for pl_regex_match(), which has no per-regex context. */
static pcre2_match_context *shared_mctx;

/* Messages of tx-less calls (unit tests, single-threaded) live here. */
static apr_pool_t *scratch_pool;

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static apr_pool_t *msg_pool(pl_tx *tx)
{
    if (tx != NULL) {
        return tx->pool;
    }
    if (scratch_pool == NULL) {
        apr_pool_create(&scratch_pool, NULL);
    }
    return scratch_pool;
}

static const char *var_name(const pl_var *var)
{
    return (var != NULL && var->name != NULL) ? var->name : "";
}

/* The parameter, macro-expanded when it holds macros and a transaction
 * is at hand. */
static const char *param_value(pl_tx *tx, const pl_op *op, apr_size_t *len)
{
    if (tx != NULL && op->param_macro != NULL && !pl_macro_is_const(op->param_macro)) {
        return pl_macro_expand(tx, op->param_macro, len);
    }
    if (op->param == NULL) {
        *len = 0;
        return "";
    }
    *len = strlen(op->param);
    return op->param;
}

/* "<what> \"<text, log-escaped>\" at <var>.", cut as 2.9 cuts it. */
static char *match_msg(apr_pool_t *p, const char *what, const char *text,
                       apr_size_t len, const pl_var *var)
{
    const char *e = pl_log_escape(p, text, len);

    if (strlen(e) > MSG_TEXT_MAX) {
        return apr_psprintf(p, "%s \"%.*s ...\" at %s.", what, MSG_TEXT_MAX, e,
                            var_name(var));
    }
    return apr_psprintf(p, "%s \"%s\" at %s.", what, e, var_name(var));
}

/*
 * atoi() over a counted string, as 2.9 computes numbers: glibc's
 * (int)strtol() of a NUL-terminated copy, saturating to LONG_MIN/LONG_MAX
 * and then truncated to int.
 */
static int atoi_like(const char *s, apr_size_t len)
{
    const unsigned long long limit = (unsigned long long)LONG_MAX + 1;
    unsigned long long acc = 0;
    apr_size_t i = 0;
    int neg = 0, over = 0;
    long v;

    while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
        i++;
    }
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = (s[i] == '-');
        i++;
    }
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (over || acc > (limit - d) / 10) {
            over = 1;
        } else {
            acc = acc * 10 + d;
        }
    }
    if (neg) {
        v = (over || acc >= limit) ? LONG_MIN : -(long)acc;
    } else {
        v = (over || acc > (unsigned long long)LONG_MAX) ? LONG_MAX : (long)acc;
    }
    return (int)v;
}

/*
 * 2.9's parse_pm_content(): strips one pair of surrounding double quotes,
 * decodes |hex| runs (anything but hex digits inside them is dropped) and
 * the escapes \: \; \\ \".  Returns NULL with *err on an empty result or
 * another escape; callers of 2.9 then fall back to the raw text.  When
 * nothing was decoded the original length is kept even if characters were
 * dropped, exactly like 2.9.
 */
static char *pm_content(apr_pool_t *p, const char *in, const char **err)
{
    apr_size_t n = strlen(in), off = 0, len, i, x = 0;
    int bin = 0, esc = 0, nhex = 0, converted = 0;
    char hex[3] = { 0, 0, 0 };
    char *parm;

    while (off < n && apr_isspace(in[off])) {
        off++;
    }
    if (off < n && in[off] == '"' && in[n - 1] == '"') {
        len = (n - off >= 2) ? n - off - 2 : 0;
        parm = apr_pstrmemdup(p, in + off + (len ? 1 : 0), len);
    } else {
        parm = apr_pstrdup(p, in + off);
    }
    len = strlen(parm);
    if (len == 0) {
        *err = "Content length is 0.";
        return NULL;
    }
    for (i = 0; i < len; i++) {
        char c = parm[i];

        if (c == '|') {
            bin = !bin;
        } else if (!esc && c == '\\') {
            esc = 1;
        } else if (bin) {
            if (apr_isxdigit(c)) {
                hex[nhex++] = c;
                if (nhex == 2) {
                    parm[x++] = (char)(strtol(hex, NULL, 16) & 0xff);
                    nhex = 0;
                    converted = 1;
                }
            }
        } else if (esc) {
            if (c != ':' && c != ';' && c != '\\' && c != '"') {
                *err = "Unsupported escape sequence.";
                return NULL;
            }
            parm[x++] = c;
            esc = 0;
            converted = 1;
        } else {
            parm[x++] = c;
        }
    }
    return apr_pstrmemdup(p, parm, converted ? x : len);
}

/* A data file named relative to the rule's file, as 2.9 resolves it. */
static const char *resolve_path(apr_pool_t *p, const char *rule_file, const char *fn)
{
    const char *root = NULL, *rest = fn, *dir = "";
    char *merged;

    if (apr_filepath_root(&root, &rest, APR_FILEPATH_TRUENAME, p) == APR_SUCCESS) {
        return fn;
    }
    if (rule_file != NULL) {
        dir = apr_pstrndup(p, rule_file,
                           strlen(rule_file) - strlen(apr_filepath_name_get(rule_file)));
    }
    if (apr_filepath_merge(&merged, *dir ? dir : NULL, fn, APR_FILEPATH_TRUENAME, p)
            != APR_SUCCESS) {
        return fn;
    }
    return merged;
}

/* TX:n.  pl_tx_set_capture() copies the value; pl_coll_set() does not,
 * and 2.9 also fills TX:10..14 when a regex has that many groups. */
static void capture_put(pl_tx *tx, int n, const char *val, apr_size_t len)
{
    if (n < PL_MAX_CAPTURES) {
        pl_tx_set_capture(tx, n, val, len);
    } else if (tx->tx_coll != NULL) {
        pl_coll_set(tx->tx_coll, apr_itoa(tx->pool, n), apr_pstrmemdup(tx->pool, val, len),
                    len);
    }
}

/* Unsets TX:from .. TX:9. */
static void capture_clear(pl_tx *tx, int from)
{
    static const char *const keys[PL_MAX_CAPTURES] = {
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"
    };
    int i;

    if (tx->tx_coll == NULL) {
        return;
    }
    for (i = from; i < PL_MAX_CAPTURES; i++) {
        pl_coll_del(tx->tx_coll, keys[i]);
    }
}

/* ------------------------------------------------------------------------
 * PCRE2
 * --------------------------------------------------------------------- */

static apr_status_t rx_cleanup(void *data)
{
    pl_rx *rx = data;

    if (rx->mctx != NULL) {
        pcre2_match_context_free(rx->mctx);
        rx->mctx = NULL;
    }
    if (rx->re != NULL) {
        pcre2_code_free(rx->re);
        rx->re = NULL;
    }
    return APR_SUCCESS;
}

/*
 * Compiles and JIT-compiles a pattern with the limits in force now (2.9
 * takes SecPcreMatchLimit* at the time each rule is created).  2.9 with
 * PCRE2 never fills the error text, hence "(null)" in its message.
 */
static pl_rx *rx_compile(apr_pool_t *p, const char *pattern, uint32_t options,
                         const char **err)
{
    pl_rx *rx = apr_pcalloc(p, sizeof(*rx));
    PCRE2_SIZE off = 0;
    int code = 0;

    rx->pattern = pattern;
    rx->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options,
                           &code, &off, NULL);
    if (rx->re == NULL) {
        *err = apr_psprintf(p, "Error compiling pattern (offset %d): (null)", (int)off);
        return NULL;
    }
    apr_pool_cleanup_register(p, rx, rx_cleanup, apr_pool_cleanup_null);
    /* no JIT (unsupported construct or platform) just means the interpreter */
    pcre2_jit_compile(rx->re, PCRE2_JIT_COMPLETE);
    rx->mctx = pcre2_match_context_create(NULL);
    if (rx->mctx == NULL) {
        *err = "Internal Error: cannot allocate a PCRE2 match context.";
        return NULL;
    }
    pcre2_set_match_limit(rx->mctx, (uint32_t)pcre_match_limit);
    pcre2_set_depth_limit(rx->mctx, (uint32_t)pcre_depth_limit);
    return rx;
}

/* pcre2_match() uses the JIT code when there is some; like 2.9, a JIT
 * stack overflow is retried with the interpreter. */
static int rx_run(const pl_rx *rx, const char *s, apr_size_t len, apr_size_t start,
                  uint32_t options, pcre2_match_data *md)
{
    int rc;

    if (s == NULL) {
        s = "";
        len = 0;
    }
    rc = pcre2_match(rx->re, (PCRE2_SPTR)s, len, start, options, md, rx->mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        rc = pcre2_match(rx->re, (PCRE2_SPTR)s, len, start, options | PCRE2_NO_JIT,
                         md, rx->mctx);
    }
    return rc;
}

static apr_status_t match_data_cleanup(void *md)
{
    pcre2_match_data_free(md);
    return APR_SUCCESS;
}

/*
 * Match data for one transaction.  A transaction runs on one thread at a
 * time and no match is nested in another, so one block per transaction
 * (created on first use, freed with the transaction pool) is enough and
 * costs one malloc per request instead of one per operator call.  It also
 * keeps PCRE2's interpreter frames across calls.  Calls without a
 * transaction get a block of their own, released by match_data_put().
 */
static pcre2_match_data *match_data_get(pl_tx *tx)
{
    if (tx == NULL) {
        return pcre2_match_data_create(OVEC_PAIRS, NULL);
    }
    if (tx->match_data == NULL) {
        tx->match_data = pcre2_match_data_create(OVEC_PAIRS, NULL);
        if (tx->match_data != NULL) {
            apr_pool_cleanup_register(tx->pool, tx->match_data, match_data_cleanup,
                                      apr_pool_cleanup_null);
        }
    }
    return tx->match_data;
}

static void match_data_put(pl_tx *tx, pcre2_match_data *md)
{
    if (tx == NULL && md != NULL) {
        pcre2_match_data_free(md);
    }
}

void pl_ops_set_pcre_limits(unsigned long match, unsigned long depth)
{
    pcre_match_limit = match > 0 ? match : PCRE_DEFAULT_LIMIT;
    pcre_depth_limit = depth > 0 ? depth : PCRE_DEFAULT_LIMIT;
    if (shared_mctx == NULL) {
        /* lives as long as the process: one context for all pl_regex_match() */
        shared_mctx = pcre2_match_context_create(NULL);
    }
    if (shared_mctx != NULL) {
        pcre2_set_match_limit(shared_mctx, (uint32_t)pcre_match_limit);
        pcre2_set_depth_limit(shared_mctx, (uint32_t)pcre_depth_limit);
    }
}

static apr_status_t code_cleanup(void *re)
{
    pcre2_code_free(re);
    return APR_SUCCESS;
}

pcre2_code *pl_regex_compile(apr_pool_t *p, const char *re, int caseless, const char **err)
{
    uint32_t options = RX_OPTIONS | (caseless ? PCRE2_CASELESS : 0);
    PCRE2_UCHAR text[256];
    PCRE2_SIZE off = 0;
    pcre2_code *code;
    int errcode = 0;

    if (shared_mctx == NULL) {
        /* configuration time: make sure the limits exist before requests */
        pl_ops_set_pcre_limits(pcre_match_limit, pcre_depth_limit);
    }
    code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, options, &errcode, &off, NULL);
    if (code == NULL) {
        pcre2_get_error_message(errcode, text, sizeof(text));
        *err = apr_psprintf(p, "Error compiling pattern (offset %d): %s", (int)off,
                            (const char *)text);
        return NULL;
    }
    apr_pool_cleanup_register(p, code, code_cleanup, apr_pool_cleanup_null);
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return code;
}

/*
 * Callers have no transaction here, so the match data is per thread: one
 * small block per thread for the life of the process, never per call.
 */
int pl_regex_match(const pcre2_code *re, const char *s, apr_size_t len)
{
    static __thread pcre2_match_data *md;
    int rc;

    if (md == NULL) {
        md = pcre2_match_data_create(1, NULL);
        if (md == NULL) {
            return -1;
        }
    }
    if (s == NULL) {
        s = "";
        len = 0;
    }
    rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, shared_mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_JIT, md, shared_mctx);
    }
    if (rc >= 0) {
        return 1;
    }
    if (rc == PCRE2_ERROR_NOMATCH) {
        return 0;
    }
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT
            || rc == PCRE2_ERROR_HEAPLIMIT) {
        return PL_RX_LIMIT;
    }
    return -1;
}

/* ------------------------------------------------------------------------
 * @rx
 * --------------------------------------------------------------------- */

/* Patterns with %{...} are compiled per call after expansion, as in 2.9. */
static const char *op_rx_init(pl_op *op, apr_pool_t *p)
{
    const char *err = NULL;
    const char *pattern = op->param ? op->param : "";

    if (strstr(pattern, "%{") != NULL) {
        op->data = NULL;
        return NULL;
    }
    op->data = rx_compile(p, pattern, RX_OPTIONS, &err);
    return op->data ? NULL : err;
}

static const char *rule_id(const pl_rule *rule)
{
    const pl_rule *s = rule;

    if (s != NULL && s->chain_start != NULL) {
        s = s->chain_start;
    }
    return (s != NULL && s->id_str != NULL) ? s->id_str : "-";
}

static pl_rx *rx_expand(pl_tx *tx, pl_rule *rule, const pl_op *op, char **msg)
{
    apr_pool_t *p = msg_pool(tx);
    const char *pattern = op->param ? op->param : "";
    const char *err = NULL;
    apr_size_t n;
    pl_rx *rx;

    if (tx != NULL && op->param_macro != NULL) {
        const char *expanded = pl_macro_expand(tx, op->param_macro, &n);

        pattern = apr_pstrmemdup(p, expanded, n);
    }
    rx = rx_compile(p, pattern, RX_OPTIONS, &err);
    if (rx == NULL) {
        *msg = (char *)err;
        return NULL;
    }
    if (tx != NULL) {
        /* 2.9 logs this for every macro pattern (its JIT flag is never set) */
        pl_debug(tx, 4, "Rule %s [id \"%s\"][file \"%s\"][line \"%d\"] - Execution error - "
                 "Does not support JIT (0).", rule_id(rule), rule_id(rule),
                 rule && rule->file ? rule->file : "-", rule ? rule->line : 0);
    }
    return rx;
}

static int rx_limit_error(pl_tx *tx, const pl_rule *rule, int rc, char **msg)
{
    if (tx != NULL && tx->tx_coll != NULL) {
        pl_coll_set(tx->tx_coll, "MSC_PCRE_LIMITS_EXCEEDED", "1", 1);
    }
    *msg = apr_psprintf(msg_pool(tx), "Rule %s [id \"%s\"][file \"%s\"][line \"%d\"] - "
                        "Execution error - PCRE limits exceeded (%d): (null).",
                        rule_id(rule), rule_id(rule),
                        rule && rule->file ? rule->file : "-", rule ? rule->line : 0, rc);
    return -1;
}

/* TX:0.. from a match; groups that did not take part are empty. */
static void rx_capture(pl_tx *tx, pcre2_match_data *md, const char *s, int rc)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    int i;

    capture_clear(tx, 0);
    for (i = 0; i < rc; i++) {
        if (ov[2 * i] == PCRE2_UNSET) {
            capture_put(tx, i, "", 0);
        } else {
            capture_put(tx, i, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
        }
    }
}

static int rx_match(pl_tx *tx, pl_rule *rule, const pl_rx *rx, const pl_var *var,
                    const char *val, apr_size_t len, char **msg)
{
    pcre2_match_data *md;
    int rc;

    md = match_data_get(tx);
    if (md == NULL) {
        *msg = "Internal Error: cannot allocate PCRE2 match data.";
        return -1;
    }
    rc = rx_run(rx, val, len, 0, 0, md);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
        match_data_put(tx, md);
        return rx_limit_error(tx, rule, rc, msg);
    }
    if (rc < PCRE2_ERROR_NOMATCH) {
        match_data_put(tx, md);
        *msg = apr_psprintf(msg_pool(tx), "Regex execution failed (%d): (null)", rc);
        return -1;
    }
    if (rc > 0 && tx != NULL && rule != NULL && rule->capture) {
        rx_capture(tx, md, val, rc);
    }
    match_data_put(tx, md);
    if (rc == PCRE2_ERROR_NOMATCH) {
        return 0;
    }
    *msg = match_msg(msg_pool(tx), "Pattern match", rx->pattern, strlen(rx->pattern), var);
    return 1;
}

static int op_rx_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    pl_rx *expanded;
    int rc;

    if (op->data != NULL) {
        return rx_match(tx, rule, op->data, var, val, len, msg);
    }
    expanded = rx_expand(tx, rule, op, msg);
    if (expanded == NULL) {
        return 0;               /* 2.9: a bad expanded pattern is "no match" */
    }
    rc = rx_match(tx, rule, expanded, var, val, len, msg);
    /* without a transaction the pattern was compiled into the scratch pool,
     * which is never destroyed: its PCRE2 code goes now, not with it */
    if (tx == NULL) {
        apr_pool_cleanup_run(msg_pool(NULL), expanded, rx_cleanup);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * @pm / @pmFromFile: 2.9's Aho-Corasick automaton, quirks included
 *
 * Letters are bytes lower-cased in the C locale.  Two differences from the
 * textbook automaton decide which inputs match, so they are kept:
 *  - a node's fail link is its parent's fail node's child for the same
 *    letter, or else the root (the fail chain is not followed further);
 *  - when a phrase ends on the fail chain of the current node, the text
 *    reported is the current node's path, not the phrase ("abc" for the
 *    phrases "abcd bc" on "abce").
 * The first match ends the scan.
 * --------------------------------------------------------------------- */

static ac_builder *ac_create(apr_pool_t *p)
{
    ac_builder *b = apr_pcalloc(p, sizeof(*b));
    ac_bnode *root;

    b->nodes = apr_array_make(p, 64, sizeof(ac_bnode));
    root = apr_array_push(b->nodes);
    memset(root, 0, sizeof(*root));
    root->parent = root->fail = root->child = root->sibling = -1;
    return b;
}

static int ac_child(const ac_builder *b, int node, int letter)
{
    const ac_bnode *n = (const ac_bnode *)b->nodes->elts;
    int c;

    for (c = n[node].child; c >= 0; c = n[c].sibling) {
        if (n[c].letter == letter) {
            return c;
        }
    }
    return -1;
}

/* The phrase must stay valid until ac_finish() (it lives in a pool). */
static void ac_add(ac_builder *b, const char *phrase, apr_size_t len)
{
    int node = 0;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        int letter = apr_tolower(phrase[i]);
        int c = ac_child(b, node, letter);

        if (c < 0) {
            ac_bnode *n = apr_array_push(b->nodes), *nodes;

            c = b->nodes->nelts - 1;
            memset(n, 0, sizeof(*n));
            n->letter = letter;
            n->parent = node;
            n->fail = n->child = n->sibling = -1;
            n->text = phrase;
            n->text_len = i + 1;
            nodes = (ac_bnode *)b->nodes->elts;
            nodes[c].sibling = nodes[node].child;
            nodes[node].child = c;
        }
        if (i == len - 1) {
            ((ac_bnode *)b->nodes->elts)[c].last = 1;
        }
        node = c;
    }
}

static int ac_edge_cmp(const void *a, const void *b)
{
    return (int)((const ac_edge *)a)->letter - (int)((const ac_edge *)b)->letter;
}

/* Fail links level by level (parents first), then the flat layout. */
static ac_automaton *ac_finish(ac_builder *b, apr_pool_t *p)
{
    ac_bnode *n = (ac_bnode *)b->nodes->elts;
    int count = b->nodes->nelts, head = 0, tail = 0, i, e = 0;
    int *queue = apr_palloc(b->nodes->pool, sizeof(int) * count);   /* scratch */
    ac_automaton *a = apr_pcalloc(p, sizeof(*a));

    a->nodes = apr_pcalloc(p, sizeof(ac_node) * count);
    a->edges = apr_palloc(p, sizeof(ac_edge) * (count > 1 ? count - 1 : 1));
    for (i = 0; i < 256; i++) {
        a->root[i] = -1;
    }
    for (i = n[0].child; i >= 0; i = n[i].sibling) {
        queue[tail++] = i;
    }
    while (head < tail) {
        int v = queue[head++], c;

        if (n[v].parent == 0) {
            n[v].fail = 0;
        } else {
            c = ac_child(b, n[n[v].parent].fail, n[v].letter);
            n[v].fail = c >= 0 ? c : 0;
        }
        for (c = n[v].child; c >= 0; c = n[c].sibling) {
            queue[tail++] = c;
        }
    }
    for (i = 0; i < count; i++) {
        ac_node *out = &a->nodes[i];
        int c, f;

        out->fail = i == 0 ? 0 : n[i].fail;
        out->last = (unsigned char)n[i].last;
        for (f = out->fail; i != 0 && f != 0; f = n[f].fail) {
            if (n[f].last) {
                out->other = 1;
                break;
            }
        }
        if (out->last || out->other) {
            out->text = apr_pstrmemdup(p, n[i].text, n[i].text_len);
        }
        out->first = e;
        for (c = n[i].child; c >= 0; c = n[c].sibling) {
            if (i == 0) {
                a->root[n[c].letter] = c;
            } else {
                a->edges[e].letter = (unsigned char)n[c].letter;
                a->edges[e].to = c;
                e++;
            }
        }
        out->count = e - out->first;
        qsort(a->edges + out->first, out->count, sizeof(ac_edge), ac_edge_cmp);
    }
    return a;
}

static int ac_goto(const ac_automaton *a, int node, int letter)
{
    const ac_edge *ed;
    int lo, hi;

    if (node == 0) {
        return a->root[letter];
    }
    ed = a->edges + a->nodes[node].first;
    lo = 0;
    hi = a->nodes[node].count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;

        if (ed[mid].letter == letter) {
            return ed[mid].to;
        }
        if (ed[mid].letter < letter) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}

/* The text 2.9 reports for the first match, or NULL. */
static const char *ac_scan(const ac_automaton *a, const char *s, apr_size_t len)
{
    const ac_node *nodes = a->nodes;
    int node = 0;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        int letter = apr_tolower(s[i]);
        int g;

        for (;;) {
            g = ac_goto(a, node, letter);
            if (g >= 0 && nodes[g].last) {
                return nodes[g].text;
            }
            if (g >= 0 || node == 0) {
                break;
            }
            node = nodes[node].fail;
        }
        if (g >= 0) {
            node = g;
        }
        if (nodes[node].other) {
            return nodes[node].text;
        }
    }
    return NULL;
}

static const char *op_pm_init(pl_op *op, apr_pool_t *p)
{
    const char *err = NULL, *s;
    ac_builder *b;
    apr_pool_t *tmp;

    if (op->param == NULL || *op->param == '\0') {
        return "Missing parameter for operator 'pm'.";
    }
    s = pm_content(p, op->param, &err);
    if (s == NULL) {
        s = op->param;              /* 2.9 falls back to the raw parameter */
    }
    apr_pool_create(&tmp, p);
    b = ac_create(tmp);
    for (;;) {
        const char *e;

        while (apr_isspace(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        for (e = s; *e != '\0' && !apr_isspace(*e); e++) {
        }
        ac_add(b, s, e - s);
        s = e;
    }
    op->data = ac_finish(b, p);
    apr_pool_destroy(tmp);
    return NULL;
}

/*
 * One phrase file: a phrase per line after |hex|/escape decoding, trimmed;
 * empty lines and lines starting with '#' are skipped.  2.9's trimming
 * also drops every one-character phrase; kept.
 */
static const char *pmf_load(ac_builder *b, apr_pool_t *p, apr_pool_t *tmp,
                            const char *path)
{
    char buf[FILE_LINE_MAX], errbuf[256];
    apr_file_t *fd;
    apr_status_t rc;
    int line;

    rc = apr_file_open(&fd, path, APR_READ | APR_BUFFERED, 0, tmp);
    if (rc != APR_SUCCESS) {
        return apr_psprintf(p, "Could not open phrase file \"%s\": %s", path,
                            apr_strerror(rc, errbuf, sizeof(errbuf)));
    }
    for (line = 1;; line++) {
        const char *err = NULL;
        char *s, *start, *end;

        rc = apr_file_gets(buf, sizeof(buf), fd);
        if (rc == APR_EOF) {
            break;
        }
        if (rc != APR_SUCCESS) {
            apr_file_close(fd);
            return apr_psprintf(p, "Could not read \"%s\" line %d: %s", path, line,
                                apr_strerror(rc, errbuf, sizeof(errbuf)));
        }
        s = pm_content(tmp, buf, &err);
        if (s == NULL) {
            s = buf;
        }
        for (start = s; apr_isspace(*start); start++) {
        }
        end = s + strlen(s);
        if (end > start) {
            end--;
        }
        while (end > start && apr_isspace(*end)) {
            end--;
        }
        if (end > start) {
            *(++end) = '\0';
        }
        if (start == end || *start == '#') {
            continue;
        }
        ac_add(b, apr_pstrmemdup(tmp, start, end - start), end - start);
    }
    apr_file_close(fd);
    return NULL;
}

static const char *op_pmf_init(pl_op *op, apr_pool_t *p)
{
    const char *err = NULL;
    char *fn, *next;
    ac_builder *b;
    apr_pool_t *tmp;

    if (op->param == NULL || *op->param == '\0') {
        return "Missing parameter for operator 'pmFromFile'.";
    }
    apr_pool_create(&tmp, p);
    b = ac_create(tmp);
    for (fn = apr_pstrdup(tmp, op->param); err == NULL; fn = next) {
        while (apr_isspace(*fn)) {
            fn++;
        }
        if (*fn == '\0') {
            break;
        }
        for (next = fn; *next != '\0' && !apr_isspace(*next); next++) {
        }
        while (*next != '\0' && apr_isspace(*next)) {
            *next++ = '\0';
        }
        if (strlen(fn) > 7 && strncmp(fn, "http://", 7) == 0) {
            err = apr_psprintf(p, "HTTPS address or file path are expected for operator "
                               "pmFromFile \"%s\"", fn);
        } else if (strlen(fn) > 8 && strncmp(fn, "https://", 8) == 0) {
            err = "not implemented yet: remote pmFromFile";
        } else {
            err = pmf_load(b, p, tmp, resolve_path(tmp, op->file, fn));
        }
    }
    if (err == NULL) {
        op->data = ac_finish(b, p);
    }
    apr_pool_destroy(tmp);
    return err;
}

static int op_pm_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    const char *text;

    if (val == NULL || len == 0 || op->data == NULL) {
        return 0;
    }
    text = ac_scan(op->data, val, len);
    if (text == NULL) {
        return 0;
    }
    if (tx != NULL && rule != NULL && rule->capture) {
        capture_put(tx, 0, text, strlen(text));
        capture_clear(tx, 1);
    }
    *msg = match_msg(msg_pool(tx), "Matched phrase", text, strlen(text), var);
    return 1;
}

/* ------------------------------------------------------------------------
 * @strmatch (Boyer-Moore-Horspool, case-sensitive, |hex| allowed)
 * --------------------------------------------------------------------- */

static const char *op_strmatch_init(pl_op *op, apr_pool_t *p)
{
    const char *err = NULL;
    const char *s = pm_content(p, op->param ? op->param : "", &err);

    if (s == NULL) {
        return err;
    }
    op->data = (void *)apr_strmatch_precompile(p, s, 1);
    if (op->data == NULL) {
        return apr_psprintf(p, "Error compiling pattern: %s", op->param);
    }
    return NULL;
}

static int op_strmatch_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                            const char *val, apr_size_t len, char **msg)
{
    const apr_strmatch_pattern *pattern = op->data;
    apr_pool_t *p = msg_pool(tx);

    (void)rule;
    if (val == NULL) {
        val = "";
        len = 0;
    }
    if (apr_strmatch(pattern, val, len) == NULL) {
        return 0;
    }
    *msg = apr_psprintf(p, "Pattern match \"%s\" at %s.",
                        pl_log_escape(p, op->param, strlen(op->param)), var_name(var));
    return 1;
}

/* ------------------------------------------------------------------------
 * String comparisons (parameter may hold macros)
 * --------------------------------------------------------------------- */

static int string_match(pl_tx *tx, const char *m, apr_size_t mlen, const pl_var *var,
                        char **msg)
{
    *msg = match_msg(msg_pool(tx), "String match", m, mlen, var);
    return 1;
}

static int op_within_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                          const char *val, apr_size_t len, char **msg)
{
    apr_pool_t *p = msg_pool(tx);
    apr_size_t mlen;
    const char *m = param_value(tx, op, &mlen);

    (void)rule;
    if (val == NULL) {
        return 0;
    }
    if (len == 0) {
        *msg = apr_psprintf(p, "String match within \"\" at %s.", var_name(var));
        return 1;
    }
    if (len > mlen || memmem(m, mlen, val, len) == NULL) {
        return 0;
    }
    *msg = apr_psprintf(p, "String match within \"%s\" at %s.", pl_log_escape(p, m, mlen),
                        var_name(var));
    return 1;
}

static int op_contains_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                            const char *val, apr_size_t len, char **msg)
{
    apr_size_t mlen;
    const char *m = param_value(tx, op, &mlen);

    (void)rule;
    if (val == NULL) {
        val = "";
        len = 0;
    }
    if (mlen == 0) {
        return string_match(tx, m, 0, var, msg);
    }
    if (mlen > len || memmem(val, len, m, mlen) == NULL) {
        return 0;
    }
    return string_match(tx, m, mlen, var, msg);
}

static int is_word_char(char c)
{
    return apr_isalnum(c) || c == '_';
}

static int op_containsword_exec(pl_tx *tx, pl_rule *rule, const pl_op *op,
                                const pl_var *var, const char *val, apr_size_t len,
                                char **msg)
{
    apr_size_t mlen, i;
    const char *m = param_value(tx, op, &mlen);

    (void)rule;
    if (val == NULL) {
        val = "";
        len = 0;
    }
    if (mlen == 0) {
        return string_match(tx, m, 0, var, msg);
    }
    if (mlen > len) {
        return 0;
    }
    for (i = 0; i <= len - mlen; i++) {
        if (i > 0 && is_word_char(val[i - 1])) {
            continue;
        }
        if (memcmp(val + i, m, mlen) != 0) {
            continue;
        }
        if (i == len - mlen || !is_word_char(val[i + mlen])) {
            return string_match(tx, m, mlen, var, msg);
        }
    }
    return 0;
}

static int op_streq_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                         const char *val, apr_size_t len, char **msg)
{
    apr_size_t mlen;
    const char *m = param_value(tx, op, &mlen);

    (void)rule;
    if (val == NULL) {
        val = "";
        len = 0;
    }
    if (mlen != len || memcmp(m, val, len) != 0) {
        return 0;
    }
    return string_match(tx, m, mlen, var, msg);
}

static int op_beginswith_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                              const char *val, apr_size_t len, char **msg)
{
    apr_size_t mlen;
    const char *m = param_value(tx, op, &mlen);

    (void)rule;
    if (val == NULL) {
        val = "";
        len = 0;
    }
    if (mlen > len || memcmp(m, val, mlen) != 0) {
        return 0;
    }
    return string_match(tx, m, mlen, var, msg);
}

static int op_endswith_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                            const char *val, apr_size_t len, char **msg)
{
    apr_size_t mlen;
    const char *m = param_value(tx, op, &mlen);

    (void)rule;
    if (val == NULL) {
        val = "";
        len = 0;
    }
    if (mlen > len || memcmp(m, val + (len - mlen), mlen) != 0) {
        return 0;
    }
    return string_match(tx, m, mlen, var, msg);
}

/* ------------------------------------------------------------------------
 * Numeric comparisons (parameter may hold macros)
 * --------------------------------------------------------------------- */

static int compare(pl_tx *tx, const pl_op *op, const pl_var *var, const char *val,
                   apr_size_t len, char **msg, int how)
{
    static const char *const names[] = { "EQ", "GT", "LT", "GE", "LE" };
    apr_size_t mlen;
    const char *m;
    int left, right, hit;

    if (val == NULL || op->param == NULL) {
        return 0;
    }
    m = param_value(tx, op, &mlen);
    left = atoi_like(val, len);
    right = atoi_like(m, mlen);
    switch (how) {
    case CMP_EQ: hit = left == right; break;
    case CMP_GT: hit = left > right;  break;
    case CMP_LT: hit = left < right;  break;
    case CMP_GE: hit = left >= right; break;
    default:     hit = left <= right; break;
    }
    if (!hit) {
        return 0;
    }
    *msg = apr_psprintf(msg_pool(tx), "Operator %s matched %d at %s.", names[how], right,
                        var_name(var));
    return 1;
}

static int op_eq_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return compare(tx, op, var, val, len, msg, CMP_EQ);
}

static int op_gt_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return compare(tx, op, var, val, len, msg, CMP_GT);
}

static int op_lt_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return compare(tx, op, var, val, len, msg, CMP_LT);
}

static int op_ge_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return compare(tx, op, var, val, len, msg, CMP_GE);
}

static int op_le_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                      const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return compare(tx, op, var, val, len, msg, CMP_LE);
}

/* ------------------------------------------------------------------------
 * Validation operators
 * --------------------------------------------------------------------- */

static void byte_set(unsigned char *table, int x)
{
    table[x >> 3] |= (unsigned char)(1 << (x & 7));
}

/* "a-b,c,...": a 256-bit table of the allowed bytes; atoi() leniency kept
 * ("xxx" allows byte 0, "1-2-3" is 1-2). */
static const char *op_byterange_init(pl_op *op, apr_pool_t *p)
{
    unsigned char *table;
    char *data, *tok, *save = NULL;

    if (op->param == NULL) {
        return "Missing parameter for validateByteRange.";
    }
    table = apr_pcalloc(p, 32);
    data = apr_pstrdup(p, op->param);
    for (tok = apr_strtok(data, ",", &save); tok; tok = apr_strtok(NULL, ",", &save)) {
        char *dash = strchr(tok, '-');
        int from = atoi(tok), to;

        if (dash == NULL) {
            if (from < 0 || from > 255) {
                return apr_psprintf(p, "Invalid range value: %d", from);
            }
            byte_set(table, from);
            continue;
        }
        to = atoi(dash + 1);
        if (from < 0 || from > 255) {
            return apr_psprintf(p, "Invalid range start value: %d", from);
        }
        if (to < 0 || to > 255) {
            return apr_psprintf(p, "Invalid range end value: %d", to);
        }
        if (from > to) {
            return apr_psprintf(p, "Invalid range: %d-%d", from, to);
        }
        for (; from <= to; from++) {
            byte_set(table, from);
        }
    }
    op->data = table;
    return NULL;
}

static int op_byterange_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                             const char *val, apr_size_t len, char **msg)
{
    const unsigned char *table = op->data;
    const unsigned char *s = (const unsigned char *)val;
    apr_size_t i;
    int count = 0;

    (void)rule;
    for (i = 0; s != NULL && i < len; i++) {
        if (!(table[s[i] >> 3] & (1 << (s[i] & 7)))) {
            count++;
        }
    }
    if (count == 0) {
        return 0;
    }
    *msg = apr_psprintf(msg_pool(tx), "Found %d byte(s) in %s outside range: %s.", count,
                        var_name(var), op->param);
    return 1;
}

static int op_urlenc_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                          const char *val, apr_size_t len, char **msg)
{
    apr_pool_t *p = msg_pool(tx);
    apr_size_t i = 0;

    (void)rule;
    (void)op;
    while (val != NULL && i < len) {
        if (val[i] != '%') {
            i++;
            continue;
        }
        if (i + 2 >= len) {
            *msg = apr_psprintf(p, "Invalid URL Encoding: Not enough characters at the end "
                                "of input at %s.", var_name(var));
            return 1;
        }
        if (!apr_isxdigit(val[i + 1]) || !apr_isxdigit(val[i + 2])) {
            *msg = apr_psprintf(p, "Invalid URL Encoding: Non-hexadecimal digits used at %s.",
                                var_name(var));
            return 1;
        }
        i += 3;
    }
    *msg = apr_psprintf(p, "Valid URL Encoding at %s.", var_name(var));
    return 0;
}

/*
 * Length of the UTF-8 character at s, or a UTF8_* verdict.  As in 2.9 the
 * code point of a 4-byte sequence is computed with "<" where "<<" was
 * meant, and nothing above U+10FFFF is refused except lead bytes >= 0xF5.
 */
static int utf8_char(const unsigned char *s, apr_size_t left)
{
    unsigned c = s[0], d = 0;
    int n;

    if ((c & 0x80) == 0) {
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 2;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
    } else if ((c & 0xF8) == 0xF0) {
        if (c >= 0xF5) {
            return UTF8_RESTRICTED;
        }
        n = 4;
    } else {
        return UTF8_INVALID;
    }
    if (left < (apr_size_t)n) {
        return UTF8_MISSING;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return UTF8_INVALID;
        }
    }
    if (n == 2) {
        d = ((c & 0x1F) << 6) | (s[1] & 0x3F);
    } else if (n == 3) {
        d = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    } else {
        d = ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) < 6) | (s[3] & 0x3F);
    }
    if (d >= 0xD800 && d <= 0xDFFF) {
        return UTF8_RESTRICTED;
    }
    if ((n == 4 && d < 0x10000) || (n == 3 && d < 0x800) || (n == 2 && d < 0x80)) {
        return UTF8_OVERLONG;
    }
    return n;
}

static int op_utf8_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                        const char *val, apr_size_t len, char **msg)
{
    const unsigned char *s = (const unsigned char *)val;
    const char *what;
    apr_size_t i = 0;

    (void)rule;
    (void)op;
    while (s != NULL && i < len) {
        int rc = utf8_char(s + i, len - i);

        if (rc > 0) {
            i += rc;
            continue;
        }
        switch (rc) {
        case UTF8_MISSING:    what = "not enough bytes in character"; break;
        case UTF8_INVALID:    what = "invalid byte value in character"; break;
        case UTF8_OVERLONG:   what = "overlong character detected"; break;
        default:              what = "use of restricted character"; break;
        }
        *msg = apr_psprintf(msg_pool(tx), "Invalid UTF-8 encoding: %s at %s. [offset \"%d\"]",
                            what, var_name(var), (int)i);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * IP address sets (@ipMatch, @ipMatchFromFile)
 * --------------------------------------------------------------------- */

static int u128_cmp(u128 a, u128 b)
{
    if (a.hi != b.hi) {
        return a.hi < b.hi ? -1 : 1;
    }
    if (a.lo != b.lo) {
        return a.lo < b.lo ? -1 : 1;
    }
    return 0;
}

static u128 u128_from_bytes(const unsigned char *b, int n)
{
    u128 v = { 0, 0 };
    int i;

    for (i = 0; i < n; i++) {
        if (n == 16 && i < 8) {
            v.hi = (v.hi << 8) | b[i];
        } else {
            v.lo = (v.lo << 8) | b[i];
        }
    }
    return v;
}

/* [address & mask, address | ~mask] for a prefix of bits out of width. */
static ip_range prefix_range(u128 a, int bits, int width)
{
    ip_range r;
    u128 mask = { 0, 0 };

    if (width == 32) {
        mask.lo = bits == 0 ? 0 : (0xffffffffULL << (32 - bits)) & 0xffffffffULL;
    } else {
        mask.hi = bits >= 64 ? ~0ULL : (bits == 0 ? 0 : ~0ULL << (64 - bits));
        mask.lo = bits <= 64 ? 0 : (bits == 128 ? ~0ULL : ~0ULL << (128 - bits));
    }
    r.from.hi = a.hi & mask.hi;
    r.from.lo = a.lo & mask.lo;
    r.to.hi = r.from.hi | (width == 32 ? 0 : ~mask.hi);
    r.to.lo = r.from.lo | (width == 32 ? (~mask.lo & 0xffffffffULL) : ~mask.lo);
    return r;
}

/*
 * One "address[/bits]" entry, parsed as 2.9's TreeAddIP(): IPv6 when it
 * holds ':', copied into 32 (IPv4) or 128 (IPv6) bytes, mask 1..32 or
 * 1..128 read with atoi().  The "/bits" is only cut off when it differs
 * from the full width, so "/32" and "/128" fail inet_pton(), as in 2.9.
 */
static int ip_add_entry(ip_builder *b, const char *entry)
{
    int v6 = strchr(entry, ':') != NULL, width = v6 ? 128 : 32, bits = width;
    const char *slash = strchr(entry, '/');
    char buf[128];
    unsigned char addr[16];
    apr_size_t cap = v6 ? 128 : 32;
    char *m;

    memset(buf, 0, sizeof(buf));
    strncpy(buf, entry, cap - 1);
    m = strchr(buf, '/');
    if (m != NULL) {
        int cidr;

        if (strchr(m + 1, v6 ? ':' : '.') != NULL) {
            return -1;
        }
        cidr = atoi(m + 1);
        if (cidr <= 0 || cidr > width) {
            return -1;
        }
        bits = cidr;
    }
    if (bits != width && slash != NULL && (apr_size_t)(slash - entry) < strlen(buf)) {
        buf[slash - entry] = '\0';
    }
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) <= 0) {
        return -1;
    }
    *(ip_range *)apr_array_push(v6 ? b->v6 : b->v4) =
        prefix_range(u128_from_bytes(addr, v6 ? 16 : 4), bits, width);
    return 0;
}

static int ip_range_cmp(const void *a, const void *b)
{
    return u128_cmp(((const ip_range *)a)->from, ((const ip_range *)b)->from);
}

static u128 u128_inc(u128 v)
{
    v.lo++;
    if (v.lo == 0) {
        v.hi++;
    }
    return v;
}

/* Sorts and merges overlapping or adjacent ranges into out; returns count. */
static int ip_merge(apr_array_header_t *in, ip_range *out)
{
    ip_range *r = (ip_range *)in->elts;
    int i, n = 0;

    qsort(r, in->nelts, sizeof(ip_range), ip_range_cmp);
    for (i = 0; i < in->nelts; i++) {
        /* the first test also covers a previous range ending at the top */
        if (n > 0 && (u128_cmp(r[i].from, out[n - 1].to) <= 0
                      || u128_cmp(r[i].from, u128_inc(out[n - 1].to)) == 0)) {
            if (u128_cmp(r[i].to, out[n - 1].to) > 0) {
                out[n - 1].to = r[i].to;
            }
        } else {
            out[n++] = r[i];
        }
    }
    return n;
}

static ip_builder *ip_create(apr_pool_t *tmp)
{
    ip_builder *b = apr_pcalloc(tmp, sizeof(*b));

    b->v4 = apr_array_make(tmp, 16, sizeof(ip_range));
    b->v6 = apr_array_make(tmp, 16, sizeof(ip_range));
    return b;
}

static ip_set *ip_finish(ip_builder *b, apr_pool_t *p)
{
    ip_set *set = apr_pcalloc(p, sizeof(*set));

    set->v4 = apr_palloc(p, sizeof(ip_range) * (b->v4->nelts + 1));
    set->v6 = apr_palloc(p, sizeof(ip_range) * (b->v6->nelts + 1));
    set->n4 = ip_merge(b->v4, set->v4);
    set->n6 = ip_merge(b->v6, set->v6);
    return set;
}

static int ip_in(const ip_range *r, int n, u128 a)
{
    int lo = 0, hi = n - 1;

    /* last range starting at or below a */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;

        if (u128_cmp(r[mid].from, a) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return hi >= 0 && u128_cmp(a, r[hi].to) <= 0;
}

/*
 * 1 when the address is in the set, 0 when not, -1 (with *err) when the
 * value is not an address: 2.9 treats that as an operator error.
 */
static int ip_contains(const ip_set *set, const char *val, apr_size_t len,
                       apr_pool_t *p, char **err)
{
    apr_size_t n = val ? strnlen(val, len) : 0;
    unsigned char addr[16];
    char buf[64];
    int v6;

    if (n >= sizeof(buf)) {
        v6 = memchr(val, ':', n) != NULL;
    } else {
        memcpy(buf, val ? val : "", n);
        buf[n] = '\0';
        v6 = strchr(buf, ':') != NULL;
        if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) > 0) {
            return v6 ? ip_in(set->v6, set->n6, u128_from_bytes(addr, 16))
                      : ip_in(set->v4, set->n4, u128_from_bytes(addr, 4));
        }
    }
    *err = apr_psprintf(p, "IPmatch: bad IPv%d specification \"%s\".", v6 ? 6 : 4,
                        apr_pstrmemdup(p, val ? val : "", n));
    return -1;
}

/* Comma-separated entries; no spaces allowed around them (2.9). */
static const char *op_ipmatch_init(pl_op *op, apr_pool_t *p)
{
    apr_pool_t *tmp;
    ip_builder *b;
    char *list, *tok, *save = NULL;
    const char *err = NULL;

    apr_pool_create(&tmp, p);
    b = ip_create(tmp);
    list = apr_pstrdup(tmp, op->param ? op->param : "");
    for (tok = apr_strtok(list, ",", &save); tok; tok = apr_strtok(NULL, ",", &save)) {
        if (ip_add_entry(b, tok) != 0) {
            /* 2.9 prints the list as cut by strtok: up to the first comma */
            err = apr_psprintf(p, "Could not add entry \"%s\" from: %s.", tok, list);
            break;
        }
    }
    if (err == NULL) {
        op->data = ip_finish(b, p);
    }
    apr_pool_destroy(tmp);
    return err;
}

/* One entry per line: what follows the leading spaces, up to the first
 * character that cannot be part of an address; "#" lines are skipped. */
static const char *ipf_load(ip_builder *b, apr_pool_t *p, apr_pool_t *tmp, const char *path)
{
    char buf[FILE_LINE_MAX], errbuf[256];
    apr_file_t *fd;
    apr_status_t rc;
    int line;

    rc = apr_file_open(&fd, path, APR_READ | APR_BUFFERED, 0, tmp);
    if (rc != APR_SUCCESS) {
        return apr_psprintf(p, "Could not open ipmatch file \"%s\": %s", path,
                            apr_strerror(rc, errbuf, sizeof(errbuf)));
    }
    for (line = 1; (rc = apr_file_gets(buf, sizeof(buf), fd)) != APR_EOF; line++) {
        char *start = buf, *end;

        if (rc != APR_SUCCESS) {
            apr_file_close(fd);
            return apr_psprintf(p, "Could not read \"%s\" line %d: %s", path, line,
                                apr_strerror(rc, errbuf, sizeof(errbuf)));
        }
        while (apr_isspace(*start)) {
            start++;
        }
        for (end = start; apr_isxdigit(*end) || *end == '.' || *end == '/' || *end == ':';
             end++) {
        }
        *end = '\0';
        if (start == end || *start == '#') {
            continue;
        }
        if (ip_add_entry(b, start) != 0) {
            apr_file_close(fd);
            return apr_psprintf(p, "Could not add entry \"%s\" in line %d of file %s to IP "
                                "list", start, line, path);
        }
    }
    apr_file_close(fd);
    return NULL;
}

static const char *op_ipmatchf_init(pl_op *op, apr_pool_t *p)
{
    const char *fn = op->param, *err;
    apr_pool_t *tmp;
    ip_builder *b;

    if (fn == NULL || *fn == '\0') {
        return "Missing parameter for operator 'ipmatchFromFile'.";
    }
    while (apr_isspace(*fn)) {
        fn++;
    }
    if (*fn == '\0') {
        return "Empty file specification for operator ipmatchFromFile \"\"";
    }
    if (strlen(fn) > 7 && strncmp(fn, "http://", 7) == 0) {
        return apr_psprintf(p, "HTTPS address or file path are expected for operator "
                            "ipmatchFromFile \"%s\"", fn);
    }
    if (strlen(fn) > 8 && strncmp(fn, "https://", 8) == 0) {
        return "not implemented yet: remote ipMatchFromFile";
    }
    apr_pool_create(&tmp, p);
    b = ip_create(tmp);
    err = ipf_load(b, p, tmp, resolve_path(tmp, op->file, fn));
    if (err == NULL) {
        op->data = ip_finish(b, p);
    }
    apr_pool_destroy(tmp);
    return err;
}

static int ip_exec(pl_tx *tx, const pl_op *op, const pl_var *var, const char *val,
                   apr_size_t len, char **msg, const char *what)
{
    apr_pool_t *p = msg_pool(tx);
    int rc = ip_contains(op->data, val, len, p, msg);

    /* a value that is no address: 2.9 logs why (level 1 for @ipMatch, 9
     * for @ipMatchFromFile) and the rule fails */
    if (rc < 0 && tx != NULL && *msg != NULL)
        pl_log_alert(tx, strcmp(what, "IPmatch") == 0 ? 1 : 9, *msg);
    if (rc <= 0) {
        return rc;
    }
    *msg = apr_psprintf(p, "%s: \"%s\" matched at %s.", what,
                        apr_pstrndup(p, val, len), var_name(var));
    return 1;
}

static int op_ipmatch_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                           const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return ip_exec(tx, op, var, val, len, msg, "IPmatch");
}

static int op_ipmatchf_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                            const char *val, apr_size_t len, char **msg)
{
    (void)rule;
    return ip_exec(tx, op, var, val, len, msg, "IPmatchFromFile");
}

/* ------------------------------------------------------------------------
 * @verifyCC, @verifyCPF, @verifySSN: regex candidates plus a checksum
 * --------------------------------------------------------------------- */

static const char *op_verify_init(pl_op *op, apr_pool_t *p)
{
    const char *err = NULL;

    op->data = rx_compile(p, op->param ? op->param : "", VERIFY_OPTIONS, &err);
    return op->data ? NULL : err;
}

/* Luhn over the digits of the match, weights chosen by parity (2.9). */
static int luhn_ok(const char *s, apr_size_t len)
{
    static const int twice[10] = { 0, 2, 4, 6, 8, 1, 3, 5, 7, 9 };
    int sum[2] = { 0, 0 }, odd = 0, digits = 0;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (apr_isdigit(s[i])) {
            int d = s[i] - '0';

            sum[0] += odd ? d : twice[d];
            sum[1] += odd ? twice[d] : d;
            odd = 1 - odd;
            digits++;
        }
    }
    return digits > 0 && sum[odd] % 10 == 0;
}

/* Brazilian CPF: the first 11 digits, two check digits mod 11. */
static int cpf_ok(const char *s, apr_size_t len)
{
    static const char *const bad[] = {
        "00000000000", "01234567890", "11111111111", "22222222222", "33333333333",
        "44444444444", "55555555555", "66666666666", "77777777777", "88888888888",
        "99999999999"
    };
    int cpf[11], i, n = 0, sum, factor, check1, check2;
    char digits[11];
    apr_size_t k;

    for (k = 0; k < len && s[k] != '\0'; k++) {
        if (n < 11 && apr_isdigit(s[k])) {
            digits[n] = s[k];
            cpf[n++] = s[k] - '0';
        }
    }
    if (n != 11) {
        return 0;
    }
    for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
        if (memcmp(digits, bad[i], 11) == 0) {
            return 0;
        }
    }
    for (sum = 0, i = 0; i < 9; i++) {
        sum += cpf[i] * (10 - i);
    }
    factor = sum % 11;
    check1 = factor < 2 ? 0 : 11 - factor;
    cpf[9] = check1;
    for (sum = 0, i = 0; i < 10; i++) {
        sum += cpf[i] * (11 - i);
    }
    factor = sum % 11;
    check2 = factor < 2 ? 0 : 11 - factor;
    return digits[9] - '0' == check1 && digits[10] - '0' == check2;
}

/* US SSN: 9 digits, not all ascending or equal, no zero field, area
 * below 740 and not 666. */
static int ssn_ok(const char *s, apr_size_t len)
{
    int num[9], digits = 0, seq = 0, rep = 0, i, area, group, serial;
    apr_size_t k;

    for (k = 0; k < len; k++) {
        if (apr_isdigit(s[k])) {
            if (digits < 9) {
                num[digits] = s[k] - '0';
            }
            digits++;
        }
    }
    if (digits != 9) {
        return 0;
    }
    for (i = 0; i < 8; i++) {
        seq += num[i] == num[i + 1] - 1;
        rep += num[i] == num[i + 1];
    }
    if (seq == 8 || rep == 8) {
        return 0;
    }
    area = num[0] * 100 + num[1] * 10 + num[2];
    group = num[3] * 10 + num[4];
    serial = num[5] * 1000 + num[6] * 100 + num[7] * 10 + num[8];
    return area != 0 && group != 0 && serial != 0 && area < 740 && area != 666;
}

/*
 * Tries the regex from each offset (PCRE2_NOTEMPTY) until a candidate
 * passes the check; a failing candidate restarts one byte after its start.
 * On success with "capture", TX:0..rc-1 all get the whole candidate; TX
 * variables above those are unset, all ten of them without "capture".
 */
static int verify_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                       const char *val, apr_size_t len, char **msg, verify_fn ok,
                       const char *label)
{
    const pl_rx *rx = op->data;
    pcre2_match_data *md = match_data_get(tx);
    apr_size_t offset;
    int found = 0;

    if (md == NULL) {
        *msg = "Internal Error: cannot allocate PCRE2 match data.";
        return -1;
    }
    for (offset = 0; offset < len && !found; offset++) {
        int rc = rx_run(rx, val, len, offset, PCRE2_NOTEMPTY, md);
        PCRE2_SIZE *ov;

        if (rc == PCRE2_ERROR_NOMATCH) {
            break;
        }
        if (rc < PCRE2_ERROR_NOMATCH) {
            match_data_put(tx, md);
            *msg = apr_psprintf(msg_pool(tx), "%s# regex execution failed: (null)", label);
            return -1;
        }
        if (rc == 0) {
            continue;
        }
        ov = pcre2_get_ovector_pointer(md);
        offset = ov[0];
        if (!ok(val + ov[0], ov[1] - ov[0])) {
            continue;
        }
        found = 1;
        if (tx != NULL) {
            int capture = rule != NULL && rule->capture, i;

            for (i = 0; capture && i < rc; i++) {
                capture_put(tx, i, val + ov[0], ov[1] - ov[0]);
            }
            capture_clear(tx, capture ? rc : 0);
        }
        break;
    }
    match_data_put(tx, md);
    if (!found) {
        return 0;
    }
    *msg = apr_psprintf(msg_pool(tx), "%s# match \"%s\" at %s. [offset \"%d\"]", label,
                        rx->pattern, var_name(var), (int)offset);
    return 1;
}

static int op_verifycc_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                            const char *val, apr_size_t len, char **msg)
{
    return verify_exec(tx, rule, op, var, val, len, msg, luhn_ok, "CC");
}

static int op_verifycpf_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                             const char *val, apr_size_t len, char **msg)
{
    return verify_exec(tx, rule, op, var, val, len, msg, cpf_ok, "CPF");
}

static int op_verifyssn_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                             const char *val, apr_size_t len, char **msg)
{
    return verify_exec(tx, rule, op, var, val, len, msg, ssn_ok, "SSN");
}

/* ------------------------------------------------------------------------
 * libinjection detectors (sqli.c, xss.c); TX:0 only with "capture"
 * --------------------------------------------------------------------- */

static int op_sqli_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                        const char *val, apr_size_t len, char **msg)
{
    char fp[9];

    (void)op;
    (void)var;
    memset(fp, 0, sizeof(fp));
    if (!pl_detect_sqli(val ? val : "", val ? len : 0, fp)) {
        return 0;
    }
    if (tx != NULL && rule != NULL && rule->capture) {
        capture_put(tx, 0, fp, strlen(fp));
    }
    *msg = apr_psprintf(msg_pool(tx), "detected SQLi using libinjection with fingerprint '%s'",
                        fp);
    return 1;
}

static int op_xss_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                       const char *val, apr_size_t len, char **msg)
{
    const char *s = val ? val : "";
    apr_size_t n = val ? len : 0;

    (void)op;
    (void)var;
    if (!pl_detect_xss(s, n)) {
        return 0;
    }
    if (tx != NULL && rule != NULL && rule->capture) {
        capture_put(tx, 0, s, strnlen(s, n));   /* 2.9 copies it as a C string */
    }
    *msg = "detected XSS using libinjection.";
    return 1;
}

/* ------------------------------------------------------------------------
 * Lookups
 * --------------------------------------------------------------------- */

/* No GeoIP database support yet: what 2.9 does without SecGeoLookupDB. */
/*
 * Looks the value up in SecGeoLookupDB (geo.c) and fills GEO.  Without a
 * database 2.9 logs at level 1 and does not match.  The success text is
 * the lookup's own ("... succeeded."), which 2.9 keeps.
 */
static int op_geo_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                       const char *val, apr_size_t len, char **msg)
{
    const char *host;

    (void)rule;
    (void)op;
    if (tx == NULL)
        return 0;
    host = apr_pstrmemdup(tx->pool, val ? val : "", val ? strnlen(val, len) : 0);
    if (tx->cfg == NULL || tx->cfg->geo_db == NULL) {
        pl_log_alert(tx, 1, apr_psprintf(tx->pool, "Geo lookup for \"%s\" attempted without "
                     "a database.  Set SecGeoLookupDB.", pl_log_escape(tx->pool, host, strlen(host))));
        return 0;
    }
    if (pl_geo_lookup(tx, tx->cfg->geo_db, host, msg))
        return 1;
    if (*msg == NULL)
        *msg = apr_psprintf(tx->pool, "Geo lookup for \"%s\" failed at %s.",
                            pl_log_escape_nq(tx->pool, host, strlen(host)), var_name(var));
    return 0;
}

/* The verdict text of a zone that encodes it in the last octet. */
static const char *rbl_verdict(const char *zone, unsigned code)
{
    if (strstr(zone, "uribl.com") != NULL) {
        switch (code) {
        case 2:   return " (BLACK)";
        case 4:   return " (GREY)";
        case 8:   return " (RED)";
        case 14:  return " (BLACK,GREY,RED)";
        case 255: return " (DNS IS BLOCKED)";
        default:  return " (WHITE)";
        }
    }
    if (strstr(zone, "spamhaus.org") != NULL) {
        switch (code) {
        case 2: case 3:                 return " (Static UBE sources)";
        case 4: case 5: case 6: case 7: return " (Illegal 3rd party exploits)";
        case 10: case 11:               return " (Delivering unauthenticated SMTP email)";
        default:                        return "";
        }
    }
    return "";
}

/* http:BL's visitor types, by the last octet of the answer. */
static const char *const httpbl_types[] = {
    "Search Engine", "Suspicious IP", "Harvester IP", "Suspicious harvester IP",
    "Comment spammer IP", "Suspicious comment spammer IP",
    "Harvester and comment spammer IP", "Suspicious harvester comment spammer IP"
};

/*
 * An http:BL answer 127.DAYS.SCORE.TYPE as 2.9 reports it; any other
 * first octet is a "bad response" (still a match in 2.9).
 */
static char *httpbl_text(apr_pool_t *p, const char *name, const pl_var *var,
                         const unsigned char a[4])
{
    if (a[0] != 127)
        return apr_psprintf(p, "RBL lookup of %s failed: bad response", name);
    return apr_psprintf(p, "RBL lookup of %s succeeded at %s. %s: %d days since last "
                        "activity, threat score %d", name, var_name(var),
                        a[3] < 8 ? httpbl_types[a[3]] : " ", a[1], a[2]);
}

/*
 * Resolves the reversed IPv4 (or the name itself) under the zone; any
 * answer is a match.  For http:BL (dnsbl.httpbl.org) the query starts with
 * SecHttpBlKey, without which 2.9 fails the operator, and the answer is
 * decoded into days, threat score and visitor type.
 */
static int op_rbl_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                       const char *val, apr_size_t len, char **msg)
{
    apr_pool_t *p = msg_pool(tx);
    const char *zone = op->param ? op->param : "", *name, *esc;
    const char *key = tx != NULL && tx->cfg != NULL ? tx->cfg->httpbl_key : NULL;
    char *target = apr_pstrmemdup(p, val ? val : "", val ? len : 0);
    apr_sockaddr_t *sa = NULL;
    unsigned char a[4];
    int h0, h1, h2, h3;

    if (sscanf(target, "%d.%d.%d.%d", &h0, &h1, &h2, &h3) == 4) {
        if (strstr(zone, "httpbl.org") != NULL) {
            if (key == NULL) {
                *msg = "RBL httpBl called but no key defined: set SecHttpBlKey";
                if (tx != NULL)
                    pl_debug(tx, 4, "%s", *msg);
                return -1;
            }
            name = apr_psprintf(p, "%s.%d.%d.%d.%d.%s", key, h3, h2, h1, h0, zone);
        } else {
            name = apr_psprintf(p, "%d.%d.%d.%d.%s", h3, h2, h1, h0, zone);
        }
    } else {
        name = apr_psprintf(p, "%s.%s", target, zone);
    }
    esc = pl_log_escape_nq(p, name, strlen(name));
    if (apr_sockaddr_info_get(&sa, name, APR_UNSPEC, 0, 0, p) != APR_SUCCESS) {
        if (tx != NULL)
            pl_debug(tx, 5, "RBL lookup of %s failed at %s.", esc, var_name(var));
        return 0;
    }
    /* 2.9 reads the first answer as IPv4 whatever its family */
    memcpy(a, &sa->sa.sin.sin_addr.s_addr, 4);
    if (strstr(zone, "uribl.com") != NULL || strstr(zone, "spamhaus.org") != NULL
            || strstr(zone, "httpbl.org") == NULL) {
        *msg = apr_psprintf(p, "RBL lookup of %s succeeded at %s%s.", esc, var_name(var),
                            rbl_verdict(zone, a[3]));
    } else {
        *msg = httpbl_text(p, esc, var, a);
    }
    if (tx != NULL && rule != NULL && rule->capture) {
        capture_put(tx, 0, *msg, strlen(*msg));
    }
    return 1;
}

/* ------------------------------------------------------------------------
 * @fuzzyHash: ssdeep similarity with the hashes of a file (libfuzzy)
 * --------------------------------------------------------------------- */

/* "FILE THRESHOLD": the hash lines of FILE (an ssdeep -l listing) and the
 * score from which a value matches. */
typedef struct fuzzy_data {
    const char          *file;
    int                  threshold;
    apr_array_header_t  *lines;        /* const char* */
} fuzzy_data;

/*
 * Reads the hash file at configuration time (relative to the rule's file).
 * A ModSecurity built without ssdeep accepts any parameter and fails at
 * request time; so does Palisade built without libfuzzy.
 */
static const char *op_fuzzy_init(pl_op *op, apr_pool_t *p)
{
#ifdef PL_HAVE_SSDEEP
    fuzzy_data *d = apr_pcalloc(p, sizeof(*d));
    const char *param = op->param ? op->param : "", *sp = strrchr(param, ' ');
    char line[FILE_LINE_MAX], *end, ebuf[256];
    apr_file_t *f = NULL;
    apr_status_t rc;
    long t;

    if (sp == NULL || sp == param)
        return "Operator @fuzzyHash requires a hash file and a threshold, "
               "e.g. \"@fuzzyHash hashes.txt 80\".";
    t = strtol(sp + 1, &end, 10);
    if (end == sp + 1 || *end != '\0' || t < 0 || t > 100)
        return apr_psprintf(p, "Operator @fuzzyHash: invalid threshold \"%s\" (0 to 100).", sp + 1);
    d->threshold = (int)t;
    d->file = resolve_path(p, op->file, apr_pstrndup(p, param, (apr_size_t)(sp - param)));
    if ((rc = apr_file_open(&f, d->file, APR_READ | APR_BUFFERED, APR_OS_DEFAULT, p)) != APR_SUCCESS)
        return apr_psprintf(p, "Could not open fuzzy hash file \"%s\": %s", d->file,
                            apr_strerror(rc, ebuf, sizeof(ebuf)));
    d->lines = apr_array_make(p, 16, sizeof(const char *));
    while (apr_file_gets(line, sizeof(line), f) == APR_SUCCESS) {
        apr_size_t n = strlen(line);

        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            APR_ARRAY_PUSH(d->lines, const char *) = apr_pstrmemdup(p, line, n);
    }
    apr_file_close(f);
    op->data = d;
#else
    (void)op;
    (void)p;
#endif
    return NULL;
}

/* Hashes the value and compares it with each line (the header line and
 * other non-hashes compare as -1); the first score at or over the
 * threshold matches. */
static int op_fuzzy_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                         const char *val, apr_size_t len, char **msg)
{
#ifdef PL_HAVE_SSDEEP
    const fuzzy_data *d = op->data;
    apr_pool_t *p = msg_pool(tx);
    char result[FUZZY_MAX_RESULT];
    int i, score;

    (void)rule;
    if (d == NULL || len > UINT32_MAX
            || fuzzy_hash_buf((const unsigned char *)(val ? val : ""), (uint32_t)len, result) != 0) {
        *msg = "Problems generating fuzzy hash.";
        return -1;
    }
    for (i = 0; i < d->lines->nelts; i++) {
        const char *line = APR_ARRAY_IDX(d->lines, i, const char *);

        score = fuzzy_compare(line, result);
        if (tx != NULL)
            pl_debug(tx, 9, "%d (%s)", score, line);
        if (score >= d->threshold) {
            *msg = apr_psprintf(p, "Fuzzy hash of %s matched with %s (from: %s). Score: %d.",
                                var_name(var), line, d->file, score);
            return 1;
        }
    }
    return 0;
#else
    (void)tx; (void)rule; (void)op; (void)var; (void)val; (void)len;
    *msg = "ModSecurity was not compiled with ssdeep support.";
    return -1;
#endif
}

/* ------------------------------------------------------------------------
 * @inspectFile: an external program approves each file (exec.c)
 * --------------------------------------------------------------------- */

/* A program as written, or relative to the rule's file when it is found
 * there (2.9 runs it as written, from the server's directory); a Lua
 * script relative to the rule's file, compiled now (2.9 does both). */
static const char *op_inspect_init(pl_op *op, apr_pool_t *p)
{
    const char *param = op->param ? op->param : "";
    apr_size_t n = strlen(param);
    inspect_data *d = apr_pcalloc(p, sizeof(*d));
    const char *path;
    apr_finfo_t fi;

    while (n > 0 && apr_isspace(param[n - 1]))
        n--;
    if (n == 0 || strspn(param, " \t\r\n") == n)
        return "Operator @inspectFile requires parameter.";
    op->data = d;
    path = apr_pstrndup(p, param, n);
    if (pl_lua_is_script(path))
        return pl_lua_compile(p, resolve_path(p, op->file, path), &d->script);
    d->program = param;
    if (strpbrk(param, " \t") == NULL && param[0] != '/') {
        path = resolve_path(p, op->file, param);
        if (apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS && fi.filetype == APR_REG)
            d->program = path;
    }
    return NULL;
}

/* The value is a file name (FILES_TMPNAMES).  A program approves it with
 * '1' as its first output byte, anything else is a match; a Lua script's
 * main(filename) matches by returning a string, which is the message. */
static int op_inspect_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                           const char *val, apr_size_t len, char **msg)
{
    const inspect_data *d = op->data;
    const char *script = op->param, *target, *err = NULL;
    char *out = NULL;

    (void)var;
    if (tx == NULL)
        return 0;
    target = apr_pstrmemdup(tx->pool, val ? val : "", val ? strnlen(val, len) : 0);
    if (d->script != NULL)
        return pl_lua_run(tx, rule, d->script, target, msg);
    pl_debug(tx, 4, "Executing %s to inspect %s.", script, target);
    if (pl_exec_program(tx, d->program, target, &out, &err) <= 0) {
        pl_log_alert(tx, 1, err);
        *msg = apr_psprintf(tx->pool, "Execution of the approver script \"%s\" failed "
                            "(invocation failed).", pl_log_escape(tx->pool, script, strlen(script)));
        return -1;
    }
    if (out[0] != '1') {
        *msg = apr_psprintf(tx->pool, "File \"%s\" rejected by the approver script \"%s\": %s",
                            pl_log_escape(tx->pool, target, strlen(target)),
                            pl_log_escape(tx->pool, script, strlen(script)),
                            pl_log_escape_nq(tx->pool, out, strlen(out)));
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * @validateDTD, @validateSchema: the XML body against a DTD / XML Schema
 * --------------------------------------------------------------------- */

/* A message libxml2 reported while loading the DTD or schema, replayed
 * for every transaction that uses it (2.9 loads them per transaction). */
typedef struct xml_note {
    int         level;
    const char *text;
} xml_note;

/* A DTD or schema compiled at configuration time.  Validation against a
 * DTD compiles its content models on first use, hence the lock. */
typedef struct xml_check {
    xmlDtdPtr             dtd;
    xmlSchemaPtr          schema;
    apr_thread_mutex_t   *lock;
    apr_array_header_t   *notes;        /* xml_note, loading messages */
} xml_check;

/* Collects libxml2 messages: into a check at configuration time (then
 * the user data is an xml_check with its pool in notes->pool), or as
 * transaction messages at request time. */
typedef struct xml_sink {
    pl_tx              *tx;
    apr_array_header_t *notes;
} xml_sink;

static void xml_note_add(xml_sink *k, int level, const char *fmt, va_list ap)
{
    apr_pool_t *p = k->tx ? k->tx->pool : k->notes->pool;
    char *text = apr_pvsprintf(p, fmt, ap);
    apr_size_t n = strlen(text);

    while (n > 0 && text[n - 1] == '\n')
        text[--n] = '\0';
    if (k->tx != NULL) {
        pl_log_alert(k->tx, level, text);
    } else {
        xml_note *note = apr_array_push(k->notes);
        note->level = level;
        note->text = text;
    }
}

/* 2.9 logs libxml2's errors at level 3 and its warnings at level 4. */
static void xml_error(void *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xml_note_add(ctx, 3, fmt, ap);
    va_end(ap);
}

static void xml_warning(void *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xml_note_add(ctx, 4, fmt, ap);
    va_end(ap);
}

static apr_status_t xml_check_free(void *data)
{
    xml_check *c = data;

    if (c->dtd != NULL)
        xmlFreeDtd(c->dtd);
    if (c->schema != NULL)
        xmlSchemaFree(c->schema);
    return APR_SUCCESS;
}

static xml_check *xml_check_new(pl_op *op, apr_pool_t *p)
{
    xml_check *c = apr_pcalloc(p, sizeof(*c));

    c->notes = apr_array_make(p, 2, sizeof(xml_note));
    apr_pool_cleanup_register(p, c, xml_check_free, apr_pool_cleanup_null);
    op->data = c;
    return c;
}

/* The file of the parameter, relative to the rule's file. */
static const char *xml_file(pl_op *op, apr_pool_t *p)
{
    return resolve_path(p, op->file, op->param ? op->param : "");
}

/* A DTD that fails to load fails each validation, as in 2.9 (which loads
 * it per transaction): the configuration still loads. */
static const char *op_dtd_init(pl_op *op, apr_pool_t *p)
{
    xml_check *c = xml_check_new(op, p);
    xml_sink sink = { NULL, c->notes };

    if (op->param == NULL || *op->param == '\0')
        return "Operator @validateDTD requires a file name.";
    xmlSetGenericErrorFunc(&sink, xml_warning);
    c->dtd = xmlParseDTD(NULL, (const xmlChar *)xml_file(op, p));
    xmlSetGenericErrorFunc(NULL, NULL);
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
        return "Operator @validateDTD: cannot create a lock.";
    return NULL;
}

static const char *op_schema_init(pl_op *op, apr_pool_t *p)
{
    xml_check *c = xml_check_new(op, p);
    xml_sink sink = { NULL, c->notes };
    xmlSchemaParserCtxtPtr ctx;

    if (op->param == NULL || *op->param == '\0')
        return "Operator @validateSchema requires a file name.";
    ctx = xmlSchemaNewParserCtxt(xml_file(op, p));
    if (ctx == NULL)
        return NULL;
    xmlSchemaSetParserErrors(ctx, xml_error, xml_warning, &sink);
    c->schema = xmlSchemaParse(ctx);
    xmlSchemaFreeParserCtxt(ctx);
    return NULL;
}

/*
 * What both validations check first, with 2.9's texts: a document must
 * exist (a body that did not parse counts as "not well formed"), and no
 * other body processing error may have happened.  Returns -1, 1 (match,
 * *msg set) or 0 to go on.
 */
static int xml_precheck(pl_tx *tx, const char *what, char **msg)
{
    int parsed_xml = tx->reqbody_processor != NULL
                     && strcmp(tx->reqbody_processor, "XML") == 0 && tx->reqbody_error;

    if (tx->xml_doc == NULL && !parsed_xml) {
        *msg = apr_psprintf(tx->pool, "XML document tree could not be found for %s validation.",
                            what[0] == 'D' ? "DTD" : "schema");
        return -1;
    }
    if (tx->xml_doc == NULL) {
        *msg = apr_psprintf(tx->pool, "XML: %s validation failed because content is not "
                            "well formed.", what);
        return 1;
    }
    if (tx->reqbody_error) {
        *msg = apr_psprintf(tx->pool, "XML: %s validation could not proceed due to previous "
                            "processing errors.", what);
        return 1;
    }
    return 0;
}

/*
 * 2.9.7 parses the XML body with external entities disabled unless
 * SecXmlExternalEntity is On, by replacing libxml2's file loader for the
 * whole process: its per-request loading of the DTD or schema then fails
 * too.  The same outcome here: these operators need SecXmlExternalEntity On.
 */
static int xml_files_blocked(const pl_tx *tx)
{
    return tx->cfg->xml_external_entity != 1;
}

/* Replays what loading the DTD or schema reported. */
static void xml_replay(pl_tx *tx, const xml_check *c)
{
    int i;

    for (i = 0; i < c->notes->nelts; i++) {
        const xml_note *n = &APR_ARRAY_IDX(c->notes, i, xml_note);
        pl_log_alert(tx, n->level, n->text);
    }
}

/* A valid document does not match; an invalid one matches (libxml2's
 * reasons go to the error log at level 3). */
static int op_dtd_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                       const char *val, apr_size_t len, char **msg)
{
    const xml_check *c = op->data;
    xmlValidCtxtPtr cvp;
    xml_sink sink;
    int rc, ok;

    (void)rule; (void)var; (void)val; (void)len;
    if (tx == NULL || c == NULL)
        return 0;
    if ((rc = xml_precheck(tx, "DTD", msg)) != 0)
        return rc;
    if (xml_files_blocked(tx)) {
        *msg = apr_psprintf(tx->pool, "XML: Failed to load DTD: %s", op->param);
        return -1;
    }
    xml_replay(tx, c);
    if (c->dtd == NULL) {
        *msg = apr_psprintf(tx->pool, "XML: Failed to load DTD: %s", op->param);
        return -1;
    }
    if ((cvp = xmlNewValidCtxt()) == NULL) {
        *msg = "XML: Failed to create a validation context.";
        return -1;
    }
    sink.tx = tx;
    sink.notes = NULL;
    cvp->error = xml_error;
    cvp->warning = xml_warning;
    cvp->userData = &sink;
    apr_thread_mutex_lock(c->lock);
    ok = xmlValidateDtd(cvp, tx->xml_doc, c->dtd);
    apr_thread_mutex_unlock(c->lock);
    xmlFreeValidCtxt(cvp);
    if (!ok) {
        *msg = "XML: DTD validation failed.";
        return 1;
    }
    pl_debug(tx, 4, "XML: Successfully validated payload against DTD: %s", op->param);
    return 0;
}

static int op_schema_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                          const char *val, apr_size_t len, char **msg)
{
    const xml_check *c = op->data;
    xmlSchemaValidCtxtPtr vctx;
    xml_sink sink;
    int rc;

    (void)rule; (void)var; (void)val; (void)len;
    if (tx == NULL || c == NULL)
        return 0;
    if ((rc = xml_precheck(tx, "Schema", msg)) != 0)
        return rc;
    if (xml_files_blocked(tx)) {
        pl_log_alert(tx, 3, apr_psprintf(tx->pool, "Failed to locate the main schema resource "
                                         "at '%s'.", xml_file((pl_op *)op, tx->pool)));
        *msg = apr_psprintf(tx->pool, "XML: Failed to load Schema: %s", op->param);
        return -1;
    }
    xml_replay(tx, c);
    if (c->schema == NULL) {
        *msg = apr_psprintf(tx->pool, "XML: Failed to load Schema: %s", op->param);
        return -1;
    }
    if ((vctx = xmlSchemaNewValidCtxt(c->schema)) == NULL) {
        *msg = "XML: Failed to create validation context.";
        return -1;
    }
    sink.tx = tx;
    sink.notes = NULL;
    xmlSchemaSetValidErrors(vctx, xml_error, xml_warning, &sink);
    rc = xmlSchemaValidateDoc(vctx, tx->xml_doc);
    xmlSchemaFreeValidCtxt(vctx);
    if (rc != 0) {
        *msg = "XML: Schema validation failed.";
        return 1;
    }
    pl_debug(tx, 4, "XML: Successfully validated payload against Schema: %s", op->param);
    return 0;
}

/* ------------------------------------------------------------------------
 * Trivial and not yet implemented operators
 * --------------------------------------------------------------------- */

static int op_nomatch_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                           const char *val, apr_size_t len, char **msg)
{
    (void)tx; (void)rule; (void)op; (void)var; (void)val; (void)len;
    *msg = "No match.";
    return 0;
}

static int op_always_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                          const char *val, apr_size_t len, char **msg)
{
    (void)tx; (void)rule; (void)op; (void)var; (void)val; (void)len;
    *msg = "Unconditional match in SecAction.";
    return 1;
}

static const char *op_not_yet_init(pl_op *op, apr_pool_t *p)
{
    return apr_psprintf(p, "not implemented yet: @%s", op->def ? op->def->name : "?");
}

static int op_not_yet_exec(pl_tx *tx, pl_rule *rule, const pl_op *op, const pl_var *var,
                           const char *val, apr_size_t len, char **msg)
{
    (void)tx; (void)rule; (void)op; (void)var; (void)val; (void)len;
    *msg = "not implemented yet";
    return -1;
}

/* ------------------------------------------------------------------------
 * Registration table
 * --------------------------------------------------------------------- */

static const pl_opdef opdefs[] = {
    { "beginsWith",           NULL,              op_beginswith_exec,   PL_OPF_MACRO },
    { "contains",             NULL,              op_contains_exec,     PL_OPF_MACRO },
    { "containsWord",         NULL,              op_containsword_exec, PL_OPF_MACRO },
    { "detectSQLi",           NULL,              op_sqli_exec,         0 },
    { "detectXSS",            NULL,              op_xss_exec,          0 },
    { "endsWith",             NULL,              op_endswith_exec,     PL_OPF_MACRO },
    { "eq",                   NULL,              op_eq_exec,           PL_OPF_MACRO },
    { "fuzzyHash",            op_fuzzy_init,     op_fuzzy_exec,        0 },
    { "ge",                   NULL,              op_ge_exec,           PL_OPF_MACRO },
    { "geoLookup",            NULL,              op_geo_exec,          0 },
    { "gsbLookup",            op_not_yet_init,   op_not_yet_exec,      PL_OPF_NOT_YET },
    { "gt",                   NULL,              op_gt_exec,           PL_OPF_MACRO },
    { "inspectFile",          op_inspect_init,   op_inspect_exec,      0 },
    { "ipMatch",              op_ipmatch_init,   op_ipmatch_exec,      0 },
    { "ipMatchFromFile",      op_ipmatchf_init,  op_ipmatchf_exec,     0 },
    { "le",                   NULL,              op_le_exec,           PL_OPF_MACRO },
    { "lt",                   NULL,              op_lt_exec,           PL_OPF_MACRO },
    { "noMatch",              NULL,              op_nomatch_exec,      0 },
    { "pm",                   op_pm_init,        op_pm_exec,           0 },
    { "pmFromFile",           op_pmf_init,       op_pm_exec,           0 },
    { "rbl",                  NULL,              op_rbl_exec,          0 },
    { "rsub",                 pl_stream_rsub_init, pl_stream_rsub_exec, 0 },
    { "rx",                   op_rx_init,        op_rx_exec,           PL_OPF_MACRO },
    { "streq",                NULL,              op_streq_exec,        PL_OPF_MACRO },
    { "strmatch",             op_strmatch_init,  op_strmatch_exec,     0 },
    { "unconditionalMatch",   NULL,              op_always_exec,       0 },
    { "validateByteRange",    op_byterange_init, op_byterange_exec,    0 },
    { "validateDTD",          op_dtd_init,       op_dtd_exec,          0 },
    { "validateHash",         op_not_yet_init,   op_not_yet_exec,      PL_OPF_NOT_YET },
    { "validateSchema",       op_schema_init,    op_schema_exec,       0 },
    { "validateUrlEncoding",  NULL,              op_urlenc_exec,       0 },
    { "validateUtf8Encoding", NULL,              op_utf8_exec,         0 },
    { "verifyCC",             op_verify_init,    op_verifycc_exec,     0 },
    { "verifyCPF",            op_verify_init,    op_verifycpf_exec,    0 },
    { "verifySSN",            op_verify_init,    op_verifyssn_exec,    0 },
    { "within",               NULL,              op_within_exec,       PL_OPF_MACRO },
};

/* Other names 2.9 registers for the same operators. */
static const struct {
    const char *alias, *name;
} opaliases[] = {
    { "ipMatchF", "ipMatchFromFile" },
    { "pmf",      "pmFromFile" },
};

/* @rsub's replacement is decoded as a phrase (stream.c). */
char *pl_pm_content(apr_pool_t *p, const char *in, const char **err)
{
    return pm_content(p, in, err);
}

const pl_opdef *pl_opdef_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(opaliases) / sizeof(opaliases[0]); i++) {
        if (strcasecmp(name, opaliases[i].alias) == 0) {
            name = opaliases[i].name;
            break;
        }
    }
    for (i = 0; i < sizeof(opdefs) / sizeof(opdefs[0]); i++) {
        if (strcasecmp(name, opdefs[i].name) == 0) {
            return &opdefs[i];
        }
    }
    return NULL;
}

const char *pl_resolve_path(apr_pool_t *p, const char *rule_file, const char *fn)
{
    return resolve_path(p, rule_file, fn);
}
