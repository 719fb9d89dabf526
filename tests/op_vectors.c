/*
 * Runs the ModSecurity 2.9.7 operator vectors (every .json file in
 * ../shared/modsec-vectors/op) through the ops.c table, then the
 * regression cases below: match messages, captures, macros, data files,
 * PCRE limits and configuration errors, each recorded from the real
 * mod_security2 2.9.7 (Debian libapache2-mod-security2).
 *
 * Build and run from the repository root:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fPIC -Iapache2 \
 *       $(apr-1-config --cflags --cppflags --includes) $(apu-1-config --includes) \
 *       $(pkg-config --cflags libpcre2-8) \
 *       -o /tmp/op_vectors tests/op_vectors.c apache2/ops.c apache2/logfmt.c \
 *       $(apu-1-config --link-ld) $(apr-1-config --link-ld --libs) \
 *       $(pkg-config --libs libpcre2-8)
 *   /tmp/op_vectors
 *
 * The functions of other subsystems that ops.c calls are stubbed at the
 * end of this file.  The libinjection detectors are stubs too (they never
 * detect), so the detectSQLi/detectXSS vectors are run but reported apart
 * and not counted; add -DPL_REAL_DETECTORS and apache2/sqli.c
 * apache2/xss.c to the command to count them.
 *
 * The shared folder is $PALISADE_SHARED, else ../shared seen from the
 * repository root (found from the current directory or this file's path).
 * The JSON reader (as in tfn_vectors.c) is just enough for those files:
 * each string code point U+0000..U+00FF stands for one byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_lib.h>

#include "palisade.h"
#include "stream.h"
#include "vectors_json.h"

/* Test stub of a compiled macro: the text, expanded by the stub below. */
struct pl_macro {
    const char *text;
};

static int passed, failed, detector_passed, detector_failed;
static const char *vectors_dir;         /* .../modsec-vectors */
static char last_debug[2048];           /* last pl_debug() line */

/* Vectors whose parameter ModSecurity 2.9.7 itself refuses at start-up
 * (checked with the real module: "Could not add entry ..."): the upstream
 * harness cannot run them either, so an init error is their right result. */
static const struct {
    const char *op, *param;
} refused_by_29[] = {
    { "ipMatch", "10.0.0.0/100" },
};

/* ------------------------------------------------------------------------
 * A fake transaction with a TX collection
 * --------------------------------------------------------------------- */

static pl_tx *fake_tx(apr_pool_t *p)
{
    pl_tx *tx = apr_pcalloc(p, sizeof(*tx));

    tx->pool = p;
    tx->tx_coll = pl_coll_create(p, "TX", 1);
    return tx;
}

static const char *tx_get(pl_tx *tx, const char *key)
{
    pl_var *v = pl_coll_get(tx->tx_coll, key);
    return v ? apr_pstrmemdup(tx->pool, v->value, v->value_len) : NULL;
}

static void tx_put(pl_tx *tx, const char *key, const char *val)
{
    pl_coll_set(tx->tx_coll, apr_pstrdup(tx->pool, key), apr_pstrdup(tx->pool, val),
                strlen(val));
}

/* ------------------------------------------------------------------------
 * Running one operator
 * --------------------------------------------------------------------- */

static char *show(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out = apr_palloc(p, n * 4 + 1), *d = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            *d++ = (char)c;
        } else {
            sprintf(d, "\\x%02x", c);
            d += 4;
        }
    }
    *d = '\0';
    return out;
}

/* Initialises op for "@name param" as the parser would; NULL or error. */
static const char *op_setup(apr_pool_t *p, pl_op *op, const char *name, const char *param)
{
    memset(op, 0, sizeof(*op));
    op->def = pl_opdef_find(name);
    if (op->def == NULL) {
        return "unknown operator";
    }
    op->param = apr_pstrdup(p, param);
    op->file = apr_pstrcat(p, vectors_dir ? vectors_dir : ".", "/unit-test.conf", NULL);
    if ((op->def->flags & PL_OPF_MACRO) && strstr(param, "%{") != NULL) {
        op->param_macro = apr_pcalloc(p, sizeof(pl_macro));
        op->param_macro->text = op->param;
    }
    return op->def->init ? op->def->init(op, p) : NULL;
}

static int op_exec(pl_tx *tx, pl_rule *rule, pl_op *op, const char *var_name,
                   const char *in, apr_size_t len, char **msg)
{
    pl_var var;

    var.name = var_name;
    var.key = NULL;
    var.value = in;
    var.value_len = len;
    *msg = NULL;
    return op->def->exec(tx, rule, op, &var, in, len, msg);
}

static int refused(const char *name, const char *param)
{
    size_t k;

    for (k = 0; k < sizeof(refused_by_29) / sizeof(refused_by_29[0]); k++) {
        if (strcmp(name, refused_by_29[k].op) == 0 && strcmp(param, refused_by_29[k].param) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A vector case, run without and with a transaction; 1 when it passes.
 * Cases that are not counted are reported as "note" instead of "FAIL". */
static int vector_case(apr_pool_t *p, const char *where, const char *name,
                       const char *param, const char *in, apr_size_t len, int want,
                       int counted)
{
    pl_op op;
    const char *err = op_setup(p, &op, name, param);
    char *msg;
    int pass, rc1, rc2;
    char *copy = apr_pstrmemdup(p, in, len);

    if (err != NULL) {
        if (refused(name, param)) {
            return 1;
        }
        printf("FAIL %s: @%s \"%s\": init: %s\n", where, name, show(p, param, strlen(param)), err);
        return 0;
    }
    if (refused(name, param)) {
        printf("FAIL %s: @%s \"%s\" accepted, 2.9.7 refuses it\n", where, name, param);
        return 0;
    }
    rc1 = op_exec(NULL, NULL, &op, "UNIT_TEST", copy, len, &msg);
    rc2 = op_exec(fake_tx(p), NULL, &op, "UNIT_TEST", copy, len, &msg);
    pass = rc1 == want && rc2 == want;
    if (!pass) {
        printf("%s %s: @%s \"%s\" on \"%s\": got %d/%d, want %d%s%s\n",
               counted ? "FAIL" : "note (stub detector)", where, name,
               show(p, param, strlen(param)), show(p, in, len), rc1, rc2, want,
               msg ? ": " : "", msg ? msg : "");
    }
    return pass;
}

static int run_file(apr_pool_t *p, const char *path, const char *fname)
{
    const char *err = NULL;
    jv *root = vj_read_file(p, path, &err), *cases = vj_get(root, "cases");
    int k;

    if (root == NULL || cases == NULL || cases->type != J_ARR) {
        printf("FAIL %s: %s\n", fname, err ? err : "no cases array");
        failed++;
        return -1;
    }
    for (k = 0; k < cases->items->nelts; k++) {
        jv *c = APR_ARRAY_IDX(cases->items, k, jv *);
        jv *name = vj_get(c, "name"), *in = vj_get(c, "input");
        jv *param = vj_get(c, "param"), *ret = vj_get(c, "ret");
        jv *idx = vj_get(c, "index");
        char *where = apr_psprintf(p, "%s #%d", fname, idx ? (int)idx->num : k + 1);
        int detector, ok;

        if (!name || !in || !ret || name->type != J_STR || in->type != J_STR
            || (param != NULL && param->type != J_STR)) {
            printf("FAIL %s: malformed case\n", where);
            failed++;
            continue;
        }
        detector = strcmp(name->s, "detectSQLi") == 0 || strcmp(name->s, "detectXSS") == 0;
#ifdef PL_REAL_DETECTORS
        detector = 0;
#endif
        ok = vector_case(p, where, name->s, param ? param->s : "", in->s, in->n,
                         (int)ret->num, !detector);
        if (detector) {
            ok ? detector_passed++ : detector_failed++;
            continue;
        }
        ok ? passed++ : failed++;
    }
    return cases->items->nelts;
}

/* ------------------------------------------------------------------------
 * Regression cases
 * --------------------------------------------------------------------- */

#define S(lit) lit, (sizeof(lit) - 1)

static void check(int cond, const char *what, const char *detail)
{
    if (cond) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    }
}

/* "@name param" on var=in gives rc and (when want_msg) exactly that message. */
static void expect(apr_pool_t *p, pl_tx *tx, int capture, const char *name, const char *param,
                   const char *var, const char *in, apr_size_t len, int want_rc,
                   const char *want_msg)
{
    pl_rule rule;
    pl_op op;
    const char *err = op_setup(p, &op, name, param);
    char *msg = NULL, *what;
    int rc;

    what = apr_psprintf(p, "@%s \"%s\" on \"%s\"", name, show(p, param, strlen(param)),
                        show(p, in, len));
    if (err != NULL) {
        check(0, what, apr_pstrcat(p, "init: ", err, NULL));
        return;
    }
    memset(&rule, 0, sizeof(rule));
    rule.capture = capture;
    rule.id_str = "4242";
    rule.file = "/etc/rules.conf";
    rule.line = 7;
    rule.chain_start = &rule;
    rc = op_exec(tx, &rule, &op, var, apr_pstrmemdup(p, in, len), len, &msg);
    if (rc != want_rc) {
        check(0, what, apr_psprintf(p, "rc %d, want %d (%s)", rc, want_rc, msg ? msg : ""));
        return;
    }
    if (want_msg != NULL && (msg == NULL || strcmp(msg, want_msg) != 0)) {
        check(0, what, apr_psprintf(p, "message\n    got  %s\n    want %s",
                                    msg ? msg : "(none)", want_msg));
        return;
    }
    check(1, what, NULL);
}

static void expect_init_error(apr_pool_t *p, const char *name, const char *param,
                              const char *want)
{
    pl_op op;
    const char *err = op_setup(p, &op, name, param);
    const char *what = apr_psprintf(p, "init @%s \"%s\"", name, param);

    if (err == NULL) {
        check(0, what, apr_psprintf(p, "accepted, want \"%s\"", want));
    } else {
        check(strcmp(err, want) == 0, what,
              apr_psprintf(p, "\n    got  %s\n    want %s", err, want));
    }
}

static void expect_tx(pl_tx *tx, const char *key, const char *want, const char *what)
{
    const char *got = tx_get(tx, key);
    int ok = (want == NULL) ? got == NULL : (got != NULL && strcmp(got, want) == 0);

    check(ok, apr_psprintf(tx->pool, "%s: TX:%s", what, key),
          apr_psprintf(tx->pool, "got %s%s%s, want %s%s%s", got ? "\"" : "", got ? got : "unset",
                       got ? "\"" : "", want ? "\"" : "", want ? want : "unset", want ? "\"" : ""));
}

/* Match messages, as 2.9.7 logged them for the same rules. */
static void check_messages(apr_pool_t *p)
{
    pl_tx *tx = fake_tx(p);
    char big[301];

    expect(p, tx, 0, "rx", "abc", "ARGS:x", S("xxabcxx"), 1,
           "Pattern match \"abc\" at ARGS:x.");
    expect(p, tx, 0, "rx", "a\"b\\\\c\\x01", "ARGS:p", S("a\"b\\c\001"), 1,
           "Pattern match \"a\\\"b\\\\\\\\c\\\\x01\" at ARGS:p.");
    memset(big, 'a', 300);
    big[300] = '\0';
    expect(p, tx, 0, "rx", big, "ARGS:x", big, 300, 1,
           apr_psprintf(p, "Pattern match \"%.252s ...\" at ARGS:x.", big));
    expect(p, tx, 0, "rx", "a.b", "ARGS:x", S("a\nb"), 1, NULL);      /* DOTALL */
    expect(p, tx, 0, "rx", "a$", "ARGS:x", S("a\n"), 0, NULL);         /* DOLLAR_ENDONLY */
    expect(p, tx, 0, "pm", "abcd bc", "ARGS:d", S("abce"), 1,
           "Matched phrase \"abc\" at ARGS:d.");
    expect(p, tx, 0, "pm", "abce bz cd", "ARGS:c", S("abcd"), 0, NULL);
    expect(p, tx, 0, "pm", "caf|c3 a9|", "ARGS:e", S("caf\xc3\xa9"), 1,
           "Matched phrase \"caf\\xc3\\xa9\" at ARGS:e.");
    expect(p, tx, 0, "pm", "x|c3|y foo", "ARGS:g", S("x\xc3y"), 1,
           "Matched phrase \"x\\xc3y\" at ARGS:g.");
    expect(p, tx, 0, "pm", "\"quoted one\"", "ARGS:h", S("quoted"), 1,
           "Matched phrase \"quoted\" at ARGS:h.");
    expect(p, tx, 0, "pm", "a\\q b", "ARGS:h", S("a\\q"), 1,     /* bad escape: raw text */
           "Matched phrase \"a\\\\q\" at ARGS:h.");
    expect(p, tx, 0, "pm", "ab ABCD", "ARGS:h", S("xaBcd"), 1,
           "Matched phrase \"ab\" at ARGS:h.");
    expect(p, tx, 0, "strmatch", "ab|63|", "ARGS:j", S("abc"), 1,
           "Pattern match \"ab|63|\" at ARGS:j.");
    expect(p, tx, 0, "strmatch", "ab|63|", "ARGS:j", S("aBc"), 0, NULL);
    expect(p, tx, 0, "within", "x", "ARGS:k", S("x"), 1, "String match within \"x\" at ARGS:k.");
    expect(p, tx, 0, "within", "abc", "ARGS:k", S(""), 1, "String match within \"\" at ARGS:k.");
    expect(p, tx, 0, "contains", "b\"c", "ARGS:k", S("ab\"cd"), 1,
           "String match \"b\\\"c\" at ARGS:k.");
    expect(p, tx, 0, "containsWord", "foo", "ARGS:q", S("a foo"), 1,
           "String match \"foo\" at ARGS:q.");
    expect(p, tx, 0, "containsWord", "foo", "ARGS:q", S("a foo_"), 0, NULL);
    expect(p, tx, 0, "containsWord", "foo", "ARGS:q", S("_foo foo"), 1, NULL);
    expect(p, tx, 0, "streq", "", "ARGS:q", S(""), 1, "String match \"\" at ARGS:q.");
    expect(p, tx, 0, "beginsWith", "ab", "ARGS:q", S("abc"), 1, "String match \"ab\" at ARGS:q.");
    expect(p, tx, 0, "endsWith", "bc", "ARGS:q", S("abc"), 1, "String match \"bc\" at ARGS:q.");
    expect(p, tx, 0, "validateByteRange", "32-126,10", "ARGS:l", S("a\001b\xff"), 1,
           "Found 2 byte(s) in ARGS:l outside range: 32-126,10.");
    expect(p, tx, 0, "validateByteRange", "1-2-3,x", "ARGS:l", S("\001\002\000"), 0, NULL);
    expect(p, tx, 0, "eq", "5", "ARGS:n", S("5"), 1, "Operator EQ matched 5 at ARGS:n.");
    expect(p, tx, 0, "gt", "5", "ARGS:n", S(" +6"), 1, "Operator GT matched 5 at ARGS:n.");
    expect(p, tx, 0, "lt", "-2", "ARGS:n", S("-3x"), 1, "Operator LT matched -2 at ARGS:n.");
    expect(p, tx, 0, "ge", "7", "ARGS:n", S("7"), 1, "Operator GE matched 7 at ARGS:n.");
    expect(p, tx, 0, "le", "7", "ARGS:n", S("6"), 1, "Operator LE matched 7 at ARGS:n.");
    /* strtol saturates at LONG_MAX, which is -1 as an int */
    expect(p, tx, 0, "eq", "-1", "ARGS:n", S("99999999999999999999"), 1, NULL);
    expect(p, tx, 0, "eq", "1410065407", "ARGS:n", S("9999999999"), 1, NULL);
    expect(p, tx, 0, "validateUtf8Encoding", "", "ARGS:o", S("a\xc3\x28"), 1,
           "Invalid UTF-8 encoding: invalid byte value in character at ARGS:o. [offset \"1\"]");
    expect(p, tx, 0, "validateUtf8Encoding", "", "ARGS:o", S("ab\xe2\x82"), 1,
           "Invalid UTF-8 encoding: not enough bytes in character at ARGS:o. [offset \"2\"]");
    expect(p, tx, 0, "validateUtf8Encoding", "", "ARGS:o", S("\xc0\xaf"), 1,
           "Invalid UTF-8 encoding: overlong character detected at ARGS:o. [offset \"0\"]");
    expect(p, tx, 0, "validateUtf8Encoding", "", "ARGS:o", S("\xed\xa0\x80"), 1,
           "Invalid UTF-8 encoding: use of restricted character at ARGS:o. [offset \"0\"]");
    expect(p, tx, 0, "validateUtf8Encoding", "", "ARGS:o", S("\xf4\x90\x80\x80"), 0, NULL);
    expect(p, tx, 0, "validateUtf8Encoding", "", "ARGS:o", S("\xf5\x80\x80\x80"), 1, NULL);
    expect(p, tx, 0, "validateUrlEncoding", "", "ARGS:s", S("a%zz"), 1,
           "Invalid URL Encoding: Non-hexadecimal digits used at ARGS:s.");
    expect(p, tx, 0, "validateUrlEncoding", "", "ARGS:s", S("a%4"), 1,
           "Invalid URL Encoding: Not enough characters at the end of input at ARGS:s.");
    expect(p, tx, 0, "verifyCC", "\\d{13,16}", "ARGS:m", S("x4111111111111111y"), 1,
           "CC# match \"\\d{13,16}\" at ARGS:m. [offset \"1\"]");
    expect(p, tx, 0, "verifyCPF", "\\d{3}\\.?\\d{3}\\.?\\d{3}-?\\d{2}", "ARGS:u",
           S("111.444.777-35"), 1,
           "CPF# match \"\\d{3}\\.?\\d{3}\\.?\\d{3}-?\\d{2}\" at ARGS:u. [offset \"0\"]");
    expect(p, tx, 0, "verifyCPF", "\\d{11}", "ARGS:u", S("11111111111"), 0, NULL);
    expect(p, tx, 0, "verifySSN", "\\d{3}-?\\d{2}-?\\d{4}", "ARGS:t", S("123-45-6789"), 0, NULL);
    expect(p, tx, 0, "verifySSN", "\\d{3}-?\\d{2}-?\\d{4}", "ARGS:t", S("x 078-05-1120"), 1,
           "SSN# match \"\\d{3}-?\\d{2}-?\\d{4}\" at ARGS:t. [offset \"2\"]");
    expect(p, tx, 0, "verifySSN", "\\d{3}-?\\d{2}-?\\d{4}", "ARGS:t", S("666-05-1120"), 0, NULL);
    expect(p, tx, 0, "ipMatch", "1.2.3.4,5.6.7.8", "ARGS:a", S("1.2.3.4"), 1,
           "IPmatch: \"1.2.3.4\" matched at ARGS:a.");
    expect(p, tx, 0, "ipMatch", "1.2.3.4,5.6.7.8", "ARGS:a", S("foo"), -1,
           "IPmatch: bad IPv4 specification \"foo\".");
    expect(p, tx, 0, "ipMatch", "1.2.3.4/08", "ARGS:a", S("1.9.9.9"), 1, NULL);
    expect(p, tx, 0, "ipMatch", "1.2.3.4/ 8", "ARGS:a", S("1.9.9.9"), 1, NULL);
    expect(p, tx, 0, "ipMatch", "::1", "ARGS:a", S("::g"), -1,
           "IPmatch: bad IPv6 specification \"::g\".");
    expect(p, tx, 0, "ipMatch", "0.0.0.0/1,128.0.0.0/1", "ARGS:a", S("255.255.255.255"), 1, NULL);
    expect(p, tx, 0, "ipMatch", "::/1,8000::/1", "ARGS:a",
           S("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 1, NULL);
    expect(p, tx, 0, "ipMatch", "10.0.0.0/8,10.1.0.0/16,12.0.0.0/8", "ARGS:a", S("11.0.0.1"), 0,
           NULL);
    expect(p, tx, 0, "noMatch", "", "ARGS:a", S("x"), 0, "No match.");
    expect(p, tx, 0, "unconditionalMatch", "", "ARGS:a", S("x"), 1,
           "Unconditional match in SecAction.");
    expect(p, tx, 1, "rbl", "httpbl.org", "REMOTE_ADDR", S("1.2.3.4"), -1,
           "RBL httpBl called but no key defined: set SecHttpBlKey");
    expect(p, tx, 0, "rbl", "rbl.invalid", "REMOTE_ADDR", S("1.2.3.4"), 0, NULL);
    check(strcmp(last_debug, "[5] RBL lookup of 4.3.2.1.rbl.invalid failed at REMOTE_ADDR.") == 0,
          "rbl: debug log line", last_debug);
    expect(p, tx, 0, "geoLookup", "", "ARGS:r", S("1.2.3.4"), 0, NULL);
    check(strcmp(last_debug, "[1] Geo lookup for \"1.2.3.4\" attempted without a database.  "
                 "Set SecGeoLookupDB.") == 0, "geoLookup: debug log line", last_debug);
}

static void check_init_errors(apr_pool_t *p)
{
    expect_init_error(p, "rx", "a(b", "Error compiling pattern (offset 3): (null)");
    expect_init_error(p, "verifyCC", "a(", "Error compiling pattern (offset 2): (null)");
    expect_init_error(p, "validateByteRange", "5-300", "Invalid range end value: 300");
    expect_init_error(p, "validateByteRange", "10-5", "Invalid range: 10-5");
    expect_init_error(p, "validateByteRange", "-5", "Invalid range start value: -5");
    expect_init_error(p, "validateByteRange", "256", "Invalid range value: 256");
    expect_init_error(p, "pm", "", "Missing parameter for operator 'pm'.");
    expect_init_error(p, "pmFromFile", "", "Missing parameter for operator 'pmFromFile'.");
    expect_init_error(p, "strmatch", "", "Content length is 0.");
    expect_init_error(p, "strmatch", "a\\q", "Unsupported escape sequence.");
    expect_init_error(p, "pmFromFile", "/nonexist.dat",
                      "Could not open phrase file \"/nonexist.dat\": No such file or directory");
    expect_init_error(p, "ipMatchFromFile", "/nonexist.dat",
                      "Could not open ipmatch file \"/nonexist.dat\": No such file or directory");
    expect_init_error(p, "pmFromFile", "http://x/y",
                      "HTTPS address or file path are expected for operator pmFromFile "
                      "\"http://x/y\"");
    expect_init_error(p, "ipMatchFromFile", "http://x/y",
                      "HTTPS address or file path are expected for operator ipmatchFromFile "
                      "\"http://x/y\"");
    expect_init_error(p, "pmFromFile", "https://x/y", "not implemented yet: remote pmFromFile");
    expect_init_error(p, "ipMatchFromFile", "https://x/y",
                      "not implemented yet: remote ipMatchFromFile");
    expect_init_error(p, "ipMatch", "1.2.3.4/32",
                      "Could not add entry \"1.2.3.4/32\" from: 1.2.3.4/32.");
    expect_init_error(p, "ipMatch", "::1/128", "Could not add entry \"::1/128\" from: ::1/128.");
    expect_init_error(p, "ipMatch", "1.2.3.4/0", "Could not add entry \"1.2.3.4/0\" from: 1.2.3.4/0.");
    expect_init_error(p, "ipMatch", "1.2.3.4, 5.6.7.8",
                      "Could not add entry \" 5.6.7.8\" from: 1.2.3.4.");
    expect_init_error(p, "ipMatch", "01.2.3.4", "Could not add entry \"01.2.3.4\" from: 01.2.3.4.");
    expect_init_error(p, "ipMatch", "1.2.3.4/8.0",
                      "Could not add entry \"1.2.3.4/8.0\" from: 1.2.3.4/8.0.");
}

static void check_captures(apr_pool_t *p)
{
    pl_tx *tx = fake_tx(p);

    expect(p, tx, 1, "rx", "(a)(b)?(c)", "ARGS:v", S("ac"), 1, NULL);
    expect_tx(tx, "0", "ac", "rx capture");
    expect_tx(tx, "1", "a", "rx capture");
    expect_tx(tx, "2", "", "rx capture");
    expect_tx(tx, "3", "c", "rx capture");
    expect(p, tx, 1, "rx", "(x)", "ARGS:v", S("x"), 1, NULL);
    expect_tx(tx, "1", "x", "rx capture again");
    expect_tx(tx, "2", NULL, "rx capture again");
    expect(p, tx, 0, "rx", "(y)", "ARGS:v", S("y"), 1, NULL);
    expect_tx(tx, "0", "x", "rx without capture");

    expect(p, tx, 1, "pm", "ABC", "ARGS:i", S("xxabcxx"), 1, "Matched phrase \"ABC\" at ARGS:i.");
    expect_tx(tx, "0", "ABC", "pm capture");
    expect_tx(tx, "1", NULL, "pm capture");

    tx_put(tx, "3", "old");
    expect(p, tx, 1, "verifyCC", "\\d{13,16}", "ARGS:m", S("x4111111111111111y"), 1, NULL);
    expect_tx(tx, "0", "4111111111111111", "verifyCC capture");
    expect_tx(tx, "1", NULL, "verifyCC capture");
    expect_tx(tx, "3", NULL, "verifyCC capture");
    tx_put(tx, "0", "old");
    expect(p, tx, 0, "verifyCC", "(\\d{13,16})", "ARGS:m", S("4111111111111111"), 1, NULL);
    expect_tx(tx, "0", NULL, "verifyCC without capture clears");

    /* 2.9.7 sets TX:0 for the detectors only with "capture" */
    expect(p, tx, 0, "detectSQLi", "", "ARGS:b", S("1' or '1'='1"), 1,
           "detected SQLi using libinjection with fingerprint 's&sos'");
    expect_tx(tx, "0", NULL, "detectSQLi without capture");
    expect(p, tx, 1, "detectSQLi", "", "ARGS:b", S("1' or '1'='1"), 1, NULL);
    expect_tx(tx, "0", "s&sos", "detectSQLi with capture");
    expect(p, tx, 1, "detectXSS", "", "ARGS:b", S("<a href=\"javascript:alert(1)\">"), 1,
           "detected XSS using libinjection.");
    expect_tx(tx, "0", "<a href=\"javascript:alert(1)\">", "detectXSS with capture");
}

static void check_macros(apr_pool_t *p)
{
    pl_tx *tx = fake_tx(p);

    tx_put(tx, "limit", "7");
    tx_put(tx, "cs", "utf-8|iso-8859-1");
    tx_put(tx, "list", "GET HEAD");
    expect(p, tx, 0, "eq", "%{tx.limit}", "ARGS:n", S("7"), 1, "Operator EQ matched 7 at ARGS:n.");
    expect(p, tx, 0, "within", "%{tx.list}", "REQUEST_METHOD", S("HEAD"), 1,
           "String match within \"GET HEAD\" at REQUEST_METHOD.");
    expect(p, tx, 0, "rx", "^%{tx.cs}$", "ARGS:a", S("iso-8859-1"), 1,
           "Pattern match \"^utf-8|iso-8859-1$\" at ARGS:a.");
    expect(p, tx, 0, "rx", "^%{tx.cs}$", "ARGS:a", S("latin1"), 0, NULL);
    expect(p, tx, 0, "rx", "%{tx.none}(", "ARGS:a", S("x"), 0, NULL);  /* bad: no match */
    expect(p, tx, 0, "endsWith", ".%{tx.list}", "ARGS:a", S("x.GET HEAD"), 1, NULL);
}

static void check_limits(apr_pool_t *p)
{
    pl_tx *tx = fake_tx(p);
    pcre2_code *re;
    const char *err = NULL;

    /* (a+)+$ on a^n b needs 2^(n+1) - 2 JIT steps; the default is 1500 */
    expect(p, tx, 0, "rx", "(a+)+$", "ARGS:f", S("aaaaaaaaab"), 0, NULL);
    expect_tx(tx, "MSC_PCRE_LIMITS_EXCEEDED", NULL, "below the limit");
    expect(p, tx, 0, "rx", "(a+)+$", "ARGS:f", S("aaaaaaaaaab"), -1,
           "Rule 4242 [id \"4242\"][file \"/etc/rules.conf\"][line \"7\"] - Execution error - "
           "PCRE limits exceeded (-47): (null).");
    expect_tx(tx, "MSC_PCRE_LIMITS_EXCEEDED", "1", "limit hit");
    expect(p, tx, 0, "verifyCC", "(a+)+$", "ARGS:f", S("aaaaaaaaaaaaab"), -1,
           "CC# regex execution failed: (null)");

    pl_ops_set_pcre_limits(100000, 100000);
    expect(p, tx, 0, "rx", "(a+)+$", "ARGS:f", S("aaaaaaaaaaaaab"), 0, NULL);
    re = pl_regex_compile(p, "^(a+)+$", 1, &err);
    check(re != NULL, "pl_regex_compile", err);
    if (re != NULL) {
        check(pl_regex_match(re, S("AAA")) == 1, "pl_regex_match caseless", NULL);
        check(pl_regex_match(re, S("aab")) == 0, "pl_regex_match no match", NULL);
        check(pl_regex_match(re, S("aaaaaaaaaaaaaaaaaaaaaaab")) == PL_RX_LIMIT,
              "pl_regex_match limit", NULL);
    }
    check(pl_regex_compile(p, "a(", 0, &err) == NULL && strstr(err, "offset 2") != NULL,
          "pl_regex_compile error", err);
    pl_ops_set_pcre_limits(0, 0);
    expect(p, tx, 0, "rx", "(a+)+$", "ARGS:f", S("aaaaaaaaaab"), -1, NULL);
}

static apr_status_t write_file(apr_pool_t *p, const char *path, const char *text)
{
    apr_file_t *f;
    apr_status_t rc = apr_file_open(&f, path, APR_WRITE | APR_CREATE | APR_TRUNCATE,
                                    APR_OS_DEFAULT, p);

    if (rc == APR_SUCCESS) {
        apr_file_puts(text, f);
        apr_file_close(f);
    }
    return rc;
}

/* Data files, named relative to the rule's file. */
static void check_files(apr_pool_t *p)
{
    const char *tmp = NULL, *dir;
    pl_tx *tx = fake_tx(p);
    pl_op op;
    const char *err;

    apr_temp_dir_get(&tmp, p);
    dir = apr_psprintf(p, "%s/op_vectors.%d", tmp, (int)getpid());
    apr_dir_make(dir, APR_OS_DEFAULT, p);
    write_file(p, apr_pstrcat(p, dir, "/a.data", NULL),
               "# comment\n\nab\nx\n  spaced phrase  \n|41 42|c\n\"quoted\"\nlast");
    write_file(p, apr_pstrcat(p, dir, "/b.data", NULL), "second\n");
    write_file(p, apr_pstrcat(p, dir, "/ips.txt", NULL),
               "192.168.0.0/16\n# comment\n  10.1.2.3 trailing text\n\n::1\n2001:db8::/32\r\n");
    write_file(p, apr_pstrcat(p, dir, "/bad.txt", NULL), "1.2.3.4\nfoo\n");

    memset(&op, 0, sizeof(op));
    op.def = pl_opdef_find("pmf");
    op.param = "a.data  b.data";
    op.file = apr_pstrcat(p, dir, "/rules.conf", NULL);
    err = op.def->init(&op, p);
    check(err == NULL, "pmFromFile relative files", err);
    if (err == NULL) {
        struct { const char *in; int rc; const char *text; } cases[] = {
            { "zzabzz", 1, "ab" }, { "x", 0, NULL }, { "a spaced phrase", 1, "spaced phrase" },
            { "abc", 1, "ab" }, { "xABCx", 1, "ab" }, { "\"quoted\"", 1, "\"quoted\"" },
            { "quoted", 0, NULL }, { "last", 1, "last" }, { "SECOND", 1, "second" },
            { "# comment", 0, NULL },
        };
        size_t k;

        for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            char *msg = NULL;
            int rc = op_exec(tx, NULL, &op, "ARGS:x", cases[k].in, strlen(cases[k].in), &msg);
            const char *want = cases[k].text
                ? apr_psprintf(p, "Matched phrase \"%s\" at ARGS:x.",
                               pl_log_escape(p, cases[k].text, strlen(cases[k].text)))
                : NULL;
            check(rc == cases[k].rc && (want == NULL || (msg && strcmp(msg, want) == 0)),
                  apr_psprintf(p, "pmFromFile on \"%s\"", cases[k].in),
                  apr_psprintf(p, "rc %d msg %s", rc, msg ? msg : "(none)"));
        }
    }

    op.def = pl_opdef_find("ipMatchF");
    op.param = "ips.txt";
    err = op.def->init(&op, p);
    check(err == NULL, "ipMatchFromFile relative file", err);
    if (err == NULL) {
        struct { const char *in; int rc; } cases[] = {
            { "192.168.4.5", 1 }, { "192.169.0.1", 0 }, { "10.1.2.3", 1 }, { "10.1.2.4", 0 },
            { "::1", 1 }, { "::2", 0 }, { "2001:db8:1::5", 1 }, { "bad", -1 },
        };
        size_t k;

        for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            char *msg = NULL;
            int rc = op_exec(tx, NULL, &op, "REMOTE_ADDR", cases[k].in, strlen(cases[k].in), &msg);
            check(rc == cases[k].rc, apr_psprintf(p, "ipMatchFromFile on \"%s\"", cases[k].in),
                  apr_psprintf(p, "rc %d msg %s", rc, msg ? msg : "(none)"));
            if (rc == 1) {
                check(strcmp(msg, apr_psprintf(p, "IPmatchFromFile: \"%s\" matched at "
                                               "REMOTE_ADDR.", cases[k].in)) == 0,
                      "ipMatchFromFile message", msg);
            }
        }
    }
    op.param = "bad.txt";
    err = op.def->init(&op, p);
    check(err != NULL && strcmp(err, apr_psprintf(p, "Could not add entry \"f\" in line 2 of file "
                                                  "%s/bad.txt to IP list", dir)) == 0,
          "ipMatchFromFile bad entry", err);

    apr_file_remove(apr_pstrcat(p, dir, "/a.data", NULL), p);
    apr_file_remove(apr_pstrcat(p, dir, "/b.data", NULL), p);
    apr_file_remove(apr_pstrcat(p, dir, "/ips.txt", NULL), p);
    apr_file_remove(apr_pstrcat(p, dir, "/bad.txt", NULL), p);
    apr_dir_remove(dir, p);
}

/*
 * @rsub (stream.c): its parameter and its substitution, as 2.9.7 rewrote
 * a response body with them (the engine cases tests/engine/53x-54x run it
 * in whole transactions).  C strings: "\\" is one backslash.
 */
static void check_rsub(apr_pool_t *p)
{
    static const struct {
        const char *param, *in, *want;
    } subs[] = {
        { "s/aaa/bbb/", "x aaa y", "x bbb y" },
        { "s/zzz/bbb/", "x aaa y", "x aaa y" },            /* still a match */
        { "s/^./X/", "ab\n", "XXX" },                      /* each search restarts */
        { "s/^a/b/", "aab", "bbb" },
        { "s/WORLD/Earth/i", "Hello World", "Hello Earth" },
        { "s/ \\/ / SLASH /", "a / b", "aSLASH b" },       /* \/; leading blank dropped */
        { "s#Hello#Bye#", "Hello", "Bye" },
        { "s/Hello/A|41 42|B/", "Hello", "AABB" },
        { "s/Hello/a\\;b\\:c/", "Hello", "a;b:c" },
        { "s/Hello/bye", "Hello", "bye" },                 /* closing delimiter left out */
        { "s/Hello/\"q\"/", "Hello", "q" },
        { "s/(W)(o)rld/\\\\2\\\\1\\\\3/", "World", "oW" },  /* \\N: groups, unset empty */
        { "s/l+/L/x", "hello", "heLo" },                    /* unknown flag ignored */
        { "s/x*/-/", "ab", "-a-b-" },                       /* 2.9 never returns */
        { "s/$/END/", "ab", "abEND" },
        { "s/a//", "banana", "bnn" },                       /* 2.9: "b/n/n/" */
        { "s/%{tx.p}/Q/", "a.a aaa", "Q Q" },
        { "s/%{tx.p}/Q/d", "a.a aaa", "Q aaa" },
        { "s/x/%{tx.r}/", "axb", "a<r>b" },
    };
    static const struct {
        const char *param, *err;
    } bad[] = {
        { "x/a/b/", "Error rsub operator format, must be s/ pattern" },
        { "s", "Error rsub operator format - must be s/regex/str/[flags]" },
        { "s/abc", "Error rsub operator format - must be s/regex/str/[flags]" },
        { "s/", "Error rsub operator format - must be s/regex/str/[flags]" },   /* fuzz_rsub */
        { "s//x/", "Error rsub operator format - must be s/regex/str/[flags]" },
        { "s/(W)orld/\\1x/", "Error rsub operator parsing input data" },
        { "s/a/ /", "Error rsub operator parsing input data" },
        { "s/a(/b/", "Error compiling rsub pattern (offset 2): missing closing parenthesis" },
    };
    size_t k;

    for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
        pl_tx *tx = fake_tx(p);
        pl_op op;
        char *msg = NULL;
        const char *err = op_setup(p, &op, "rsub", subs[k].param), *got;
        apr_size_t n = 0;
        int rc;

        if (err != NULL) {
            check(0, apr_psprintf(p, "@rsub %s: init", subs[k].param), err);
            continue;
        }
        tx_put(tx, "p", "a.a");
        tx_put(tx, "r", "<r>");
        pl_stream_state(tx)->out_ready = 1;
        rc = op_exec(tx, NULL, &op, "STREAM_OUTPUT_BODY", subs[k].in, strlen(subs[k].in), &msg);
        got = pl_stream_output_value(tx, &n);
        check(rc == 1 && msg != NULL && strcmp(msg, "Operator rsub succeeded.") == 0
              && got != NULL && n == strlen(subs[k].want) && memcmp(got, subs[k].want, n) == 0,
              apr_psprintf(p, "@rsub %s on \"%s\"", subs[k].param, subs[k].in),
              apr_psprintf(p, "rc %d, got \"%s\", want \"%s\"", rc,
                           got ? show(p, got, n) : "(none)", subs[k].want));
    }
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        pl_op op;
        const char *err = op_setup(p, &op, "rsub", bad[k].param);

        check(err != NULL && strcmp(err, bad[k].err) == 0,
              apr_psprintf(p, "@rsub %s refused", bad[k].param), err ? err : "(accepted)");
    }
    {
        /* any other variable: an operator error, the value untouched */
        pl_tx *tx = fake_tx(p);
        pl_op op;
        char *msg = NULL;
        int rc;

        op_setup(p, &op, "rsub", "s/a/b/");
        rc = op_exec(tx, NULL, &op, "ARGS:a", S("aaa"), &msg);
        check(rc == -1 && msg == NULL && strstr(last_debug, "only works with STREAM_*") != NULL,
              "@rsub on ARGS fails", last_debug);
        rc = op_exec(NULL, NULL, &op, "STREAM_INPUT_BODY", S("aaa"), &msg);
        check(rc == -1, "@rsub without a transaction fails", NULL);
    }
    {
        /* a result past the body limit: an error, the value unchanged */
        pl_tx *tx = fake_tx(p);
        pl_op op;
        char *msg = NULL;
        apr_size_t n = 0;
        int rc;

        op_setup(p, &op, "rsub", "s/a/0123456789/");
        tx->resbody_limit = 20;
        pl_stream_state(tx)->out_ready = 1;
        pl_stream_state(tx)->out = "aa";
        pl_stream_state(tx)->out_len = 2;
        rc = op_exec(tx, NULL, &op, "STREAM_OUTPUT_BODY", S("aa"), &msg);
        check(rc == 1 && pl_stream_output_value(tx, &n) != NULL && n == 20,
              "@rsub up to the limit", msg);
        rc = op_exec(tx, NULL, &op, "STREAM_OUTPUT_BODY", S("aaa"), &msg);
        check(rc == -1 && msg != NULL && strstr(msg, "larger than the body limit (20 bytes)")
              && pl_stream_output_value(tx, &n) != NULL && n == 20,
              "@rsub past the limit fails", msg);
    }
}

static void check_table(apr_pool_t *p)
{
    static const char *const not_yet[] = {
        "gsbLookup", "validateHash"
    };
    static const char *const implemented[] = {
        "inspectFile", "fuzzyHash", "validateDTD", "validateSchema", "geoLookup", "rbl",
        "rsub"
    };
    static const char *const macro[] = {
        "within", "contains", "containsWord", "streq", "beginsWith", "endsWith",
        "eq", "ge", "gt", "le", "lt", "rx"
    };
    size_t k;

    check(pl_opdef_find("ipMatchF") == pl_opdef_find("ipmatchfromfile"), "alias ipMatchF", NULL);
    check(pl_opdef_find("PMF") == pl_opdef_find("pmFromFile"), "alias pmf", NULL);
    check(pl_opdef_find("IPMATCH") != NULL && strcmp(pl_opdef_find("IPMATCH")->name, "ipMatch") == 0,
          "case-insensitive lookup", NULL);
    check(pl_opdef_find("nosuchop") == NULL, "unknown operator", NULL);
    for (k = 0; k < sizeof(not_yet) / sizeof(not_yet[0]); k++) {
        const pl_opdef *d = pl_opdef_find(not_yet[k]);
        pl_op op;

        memset(&op, 0, sizeof(op));
        op.def = d;
        check(d != NULL && (d->flags & PL_OPF_NOT_YET) && d->init != NULL
              && strncmp(d->init(&op, p), "not implemented yet", 19) == 0,
              apr_psprintf(p, "%s is not implemented yet", not_yet[k]), NULL);
    }
    for (k = 0; k < sizeof(implemented) / sizeof(implemented[0]); k++) {
        const pl_opdef *d = pl_opdef_find(implemented[k]);
        check(d != NULL && !(d->flags & PL_OPF_NOT_YET),
              apr_psprintf(p, "%s is implemented", implemented[k]), NULL);
    }
    for (k = 0; k < sizeof(macro) / sizeof(macro[0]); k++) {
        const pl_opdef *d = pl_opdef_find(macro[k]);
        check(d != NULL && (d->flags & PL_OPF_MACRO),
              apr_psprintf(p, "%s expands macros", macro[k]), NULL);
    }
    check(!(pl_opdef_find("pm")->flags & PL_OPF_MACRO), "pm takes no macros", NULL);
}

static void check_logfmt(apr_pool_t *p)
{
    const char in[] = "a\"b\\c\n\r\t\v\b\001\x7f\xff:+.";
    apr_size_t n = sizeof(in) - 1;

    check(strcmp(pl_log_escape(p, in, n),
                 "a\\\"b\\\\c\\n\\r\\t\\v\\b\\x01\\x7f\\xff:+.") == 0,
          "pl_log_escape", pl_log_escape(p, in, n));
    check(strcmp(pl_log_escape_nq(p, in, n),
                 "a\"b\\\\c\\n\\r\\t\\v\\b\\x01\\x7f\\xff:+.") == 0,
          "pl_log_escape_nq", pl_log_escape_nq(p, in, n));
    check(strcmp(pl_log_escape_hex(p, in, n),
                 "a\\x22b\\x5cc\\x0a\\x0d\\x09\\x0b\\x08\\x01\\x7f\\xff:+.") == 0,
          "pl_log_escape_hex", pl_log_escape_hex(p, in, n));
    check(strcmp(pl_log_escape(p, S("a\0b")), "a\\x00b") == 0, "pl_log_escape NUL", NULL);
    check(strcmp(pl_log_escape(p, NULL, 0), "") == 0, "pl_log_escape NULL", NULL);
}

/* ------------------------------------------------------------------------
 * Locating ../shared
 * --------------------------------------------------------------------- */

static int is_dir(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;
    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS && fi.filetype == APR_DIR;
}

static const char *find_shared(apr_pool_t *p)
{
    const char *env = getenv("PALISADE_SHARED");
    const char *src = __FILE__, *slash = strrchr(src, '/');
    const char *tries[3];
    int k;

    if (env != NULL) {
        return is_dir(p, env) ? env : NULL;
    }
    tries[0] = "../shared";          /* from the repository root */
    tries[1] = "../../shared";       /* from tests/ */
    tries[2] = slash ? apr_psprintf(p, "%.*s/../../shared", (int)(slash - src), src) : NULL;
    for (k = 0; k < 3; k++) {
        if (tries[k] != NULL && is_dir(p, apr_pstrcat(p, tries[k], "/modsec-vectors", NULL))) {
            return tries[k];
        }
    }
    return NULL;
}

int main(void)
{
    apr_pool_t *p;
    apr_dir_t *dir;
    apr_finfo_t fi;
    const char *shared, *vdir;
    int files = 0, vector_cases = 0, before;

    apr_app_initialize(NULL, NULL, NULL);
    apr_pool_create(&p, NULL);

    shared = find_shared(p);
    if (shared == NULL) {
        printf("modsec-vectors: skipped (no ../shared)\n");
    } else {
        char *abs = NULL;

        apr_filepath_merge(&abs, NULL, apr_pstrcat(p, shared, "/modsec-vectors", NULL),
                           APR_FILEPATH_TRUENAME, p);
        vectors_dir = abs;
        vdir = apr_pstrcat(p, vectors_dir, "/op", NULL);
        before = passed;
        if (apr_dir_open(&dir, vdir, p) != APR_SUCCESS) {
            printf("FAIL cannot open %s\n", vdir);
            failed++;
        } else {
            while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, dir) == APR_SUCCESS) {
                apr_size_t nl = strlen(fi.name);
                int n;
                if (fi.filetype != APR_REG || nl < 5 || strcmp(fi.name + nl - 5, ".json") != 0) {
                    continue;
                }
                n = run_file(p, apr_pstrcat(p, vdir, "/", fi.name, NULL), fi.name);
                if (n > 0) {
                    vector_cases += n;
                    files++;
                }
            }
            apr_dir_close(dir);
            printf("modsec-vectors: %d cases in %d files, %d passed", vector_cases, files,
                   passed - before);
            if (detector_passed + detector_failed > 0) {
                printf(" (detectSQLi/detectXSS with stub detectors, not counted: "
                       "%d passed, %d failed)", detector_passed, detector_failed);
            }
            printf("\n");
        }
    }
    before = passed;
    check_messages(p);
    check_init_errors(p);
    check_captures(p);
    check_macros(p);
    check_limits(p);
    check_files(p);
    check_table(p);
    check_rsub(p);
    check_logfmt(p);
    printf("regression cases: %d passed\n", passed - before);

    printf("%d passed, %d failed\n", passed, failed);
    apr_pool_destroy(p);
    apr_terminate();
    return failed ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Stubs of other subsystems
 * --------------------------------------------------------------------- */

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
    for (c = l; *c; c++) *c = (char)apr_tolower(*c);
    return l;
}

pl_var *pl_coll_set(pl_coll *c, const char *key, const char *val, apr_size_t len)
{
    pl_var *v = apr_pcalloc(c->pool, sizeof(*v));

    v->name = apr_pstrcat(c->pool, c->name, ":", key, NULL);
    v->key = key;
    v->value = val;
    v->value_len = len;
    apr_hash_set(c->index, lower(c->pool, key), APR_HASH_KEY_STRING, v);
    return v;
}

pl_var *pl_coll_get(const pl_coll *c, const char *key)
{
    return apr_hash_get(c->index, lower(c->pool, key), APR_HASH_KEY_STRING);
}

void pl_coll_del(pl_coll *c, const char *key)
{
    apr_hash_set(c->index, lower(c->pool, key), APR_HASH_KEY_STRING, NULL);
}

/* Copies the value, as tx.c does. */
void pl_tx_set_capture(pl_tx *tx, int n, const char *val, apr_size_t len)
{
    pl_coll_set(tx->tx_coll, apr_itoa(tx->pool, n), apr_pstrmemdup(tx->pool, val, len), len);
}

/* @rsub (stream.c) compiles its pattern and replacement itself. */
pl_macro *pl_macro_compile(apr_pool_t *p, const char *text, const char **err)
{
    pl_macro *m = apr_pcalloc(p, sizeof(*m));

    m->text = text;
    *err = NULL;
    return m;
}

int pl_macro_is_const(const pl_macro *m)
{
    return strstr(m->text, "%{") == NULL;
}

/* %{tx.name} from the TX collection, anything else empty. */
const char *pl_macro_expand(pl_tx *tx, const pl_macro *m, apr_size_t *len)
{
    const char *s = m->text, *open;
    char *out = "";

    while ((open = strstr(s, "%{")) != NULL) {
        const char *close = strchr(open, '}');
        const char *val = "";

        if (close == NULL) {
            break;
        }
        if (strncasecmp(open + 2, "tx.", 3) == 0) {
            pl_var *v = pl_coll_get(tx->tx_coll,
                                    apr_pstrndup(tx->pool, open + 5, close - open - 5));
            if (v != NULL) {
                val = apr_pstrmemdup(tx->pool, v->value, v->value_len);
            }
        }
        out = apr_pstrcat(tx->pool, out, apr_pstrndup(tx->pool, s, open - s), val, NULL);
        s = close + 1;
    }
    out = apr_pstrcat(tx->pool, out, s, NULL);
    *len = strlen(out);
    return out;
}

void pl_debug(pl_tx *tx, int level, const char *fmt, ...)
{
    va_list ap;
    int n;

    (void)tx;
    n = snprintf(last_debug, sizeof(last_debug), "[%d] ", level);
    va_start(ap, fmt);
    vsnprintf(last_debug + n, sizeof(last_debug) - n, fmt, ap);
    va_end(ap);
}

/* Engine messages go to the debug log only here. */
void pl_log_alert(pl_tx *tx, int level, const char *msg)
{
    pl_debug(tx, level, "%s", msg);
}

/* No database is configured in these cases (tests/extops_test.py has
 * the lookups); no program is run (same). */
int pl_geo_lookup(pl_tx *tx, const pl_geodb *db, const char *target, char **msg)
{
    (void)tx; (void)db; (void)target;
    *msg = "No geo data.";
    return 0;
}

int pl_exec_program(pl_tx *tx, const char *cmd, const char *arg,
                    char **first_line, const char **err)
{
    (void)tx; (void)cmd; (void)arg;
    *first_line = NULL;
    *err = "Exec: not in unit tests";
    return -1;
}

/* Lua (lua.c): no script is compiled or run here (tests/engine/5xx-lua-*.t
 * run them). */
int pl_lua_is_script(const char *path)
{
    (void)path;
    return 0;
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

#ifndef PL_REAL_DETECTORS
/* Detect exactly the inputs the regression cases above use, with the
 * results libinjection gives for them. */
int pl_detect_sqli(const char *s, apr_size_t len, char fp[9])
{
    if (len == 12 && memcmp(s, "1' or '1'='1", 12) == 0) {
        strcpy(fp, "s&sos");
        return 1;
    }
    return 0;
}

int pl_detect_xss(const char *s, apr_size_t len)
{
    return len == 30 && memcmp(s, "<a href=\"javascript:alert(1)\">", 30) == 0;
}
#endif
