/*
 * sqli.c - SQL injection detector behind @detectSQLi.
 *
 * The input is read up to three times: as SQL code, as if it began inside a
 * single-quoted string and as if it began inside a double-quoted string (a
 * quote context only when the input holds that quote).  Each pass splits the
 * text into tokens (string, number, keyword, function, operator, comment,
 * ...), folds them (comparisons and arithmetic collapse into one value,
 * multi-word keywords join, unary operators and inline comments drop) and
 * writes the types of the first five as a fingerprint such as "s&1" or
 * "1UE".  The fingerprint is an injection when the DFA generated from
 * tools/sqli_patterns.txt accepts it under the conditions that hold for the
 * pass (see conditions()).
 *
 * Letters: s string, 1 number, n bareword, v variable or NULL, k keyword,
 * E statement, U union, B group/order by, T procedural statement, f function
 * call, & logic operator, o operator, c comment, A collate, t SQL type,
 * ( ) , ; { } : punctuation, . a lone dot, \ a backslash, ? anything else,
 * X an evasion that only an attack uses (MySQL's executable comment).
 *
 * No allocation: the whole state lives on the caller's stack.
 */
#include <string.h>

#include <apr_lib.h>

#include "palisade.h"
#include "sqli_data.h"

#define FP_LEN      5      /* tokens in a fingerprint */
#define VEC_LEN     8      /* tokens kept while folding: a fold may reach 2 back */
#define VAL_LEN     32     /* bytes of a token's text kept, with the NUL */

/* Conditions, in the order of CONDS in tools/gen_sqli_data.py. */
#define C_FOLDED    0x01   /* more tokens were read than the fingerprint shows */
#define C_BALANCED  0x02   /* the first string was opened by the context and
                            * the input ends inside a string it opened with
                            * the context's quote: made to fit the quotes */
#define C_QUOTE     0x04   /* a quote context pass */
#define C_NONE      0x08   /* the plain SQL pass */
#define C_CUT       0x10   /* the last token is a "--" or block comment with
                            * no letters or digits: it cuts off the rest of
                            * a query ('#' is too common in text) */
#define C_WHOLE     0x20   /* the fingerprint covers the whole input */
#define C_PROBE     0x40   /* a logic operator joins a comparison of literals
                            * that is true ("or 1=1") or any such comparison
                            * after AND ("and 526=527"): a blind probe */
#define C_NOTHASH   0x80   /* no '#' comment anywhere */
#define C_STRONG    0x100  /* a function or keyword that attacks use and
                            * applications rarely do (sleep, into outfile) */
#define C_SPACED    0x200  /* the second token stands between whitespace */
#define C_LEAD      0x400  /* the context string is not empty */
#define C_CONCAT    0x800  /* ctx' | ... | 'ctx: the input is wrapped in
                            * concatenation operators (|, ||, +) right after
                            * the context's string and right before a string
                            * left open, with no other string in between */

/* Token flags. */
#define F_CMP       0x01   /* folded from a comparison of two literals */
#define F_TRUE      0x02   /* ... which holds */
#define F_AND       0x04   /* logic operator AND / && */
#define F_EXPR      0x08   /* folded from other arithmetic or comparisons */
#define F_STRONG    0x10   /* a word from the table's 'F' or 'K' classes */

/* Character classes for the lexer's dispatch. */
enum {
    CC_OTHER = 0, CC_WS, CC_QUOTE, CC_TICK, CC_DIGIT, CC_DOT, CC_WORD, CC_AT,
    CC_HASH, CC_DASH, CC_SLASH, CC_BSLASH, CC_OP, CC_PUNCT, CC_BRACKET
};

typedef struct {
    char          type;
    char          open;          /* quote that opened a string, 0 = the context */
    char          close;         /* quote that closed it, 0 = input ended first */
    unsigned char word;          /* a word (candidate for multi-word keywords) */
    unsigned char flags;         /* F_* */
    apr_size_t    pos;           /* offset of the token in the input */
    apr_size_t    end;           /* offset just past it */
    unsigned char vlen;
    char          val[VAL_LEN];  /* leading bytes of the token */
} sqli_tok_t;

typedef struct {
    const unsigned char *s;
    apr_size_t  len;
    apr_size_t  pos;
    char        quote;           /* context quote, 0 for the plain SQL pass */
    int         started;         /* context string already read */
    int         raw;             /* tokens read, before folding */
    int         evil;
    int         hash;            /* a '#' comment was seen */
    int         n;
    sqli_tok_t  vec[VEC_LEN];
} sqli_state_t;

/* The lexer's classes; bytes >= 0x80 are word bytes (UTF-8 identifiers),
 * except NBSP which some databases skip as space. */
static const unsigned char cclass[256] = {
    [0] = CC_WS, ['\t'] = CC_WS, ['\n'] = CC_WS, ['\v'] = CC_WS,
    ['\f'] = CC_WS, ['\r'] = CC_WS, [' '] = CC_WS,
    ['\''] = CC_QUOTE, ['"'] = CC_QUOTE, ['`'] = CC_TICK,
    ['0' ... '9'] = CC_DIGIT, ['.'] = CC_DOT,
    ['A' ... 'Z'] = CC_WORD, ['a' ... 'z'] = CC_WORD, ['_'] = CC_WORD,
    ['$'] = CC_WORD, [0x80 ... 0x9F] = CC_WORD, [0xA0] = CC_WS,
    [0xA1 ... 0xFF] = CC_WORD,
    ['@'] = CC_AT, ['#'] = CC_HASH, ['-'] = CC_DASH, ['/'] = CC_SLASH,
    ['\\'] = CC_BSLASH,
    ['='] = CC_OP, ['<'] = CC_OP, ['>'] = CC_OP, ['!'] = CC_OP,
    ['~'] = CC_OP, ['^'] = CC_OP, ['|'] = CC_OP, ['&'] = CC_OP,
    ['+'] = CC_OP, ['*'] = CC_OP, ['%'] = CC_OP, [':'] = CC_OP,
    ['('] = CC_PUNCT, [')'] = CC_PUNCT, [','] = CC_PUNCT, [';'] = CC_PUNCT,
    ['{'] = CC_PUNCT, ['}'] = CC_PUNCT, ['['] = CC_BRACKET,
};

/* Two-byte operators; "||" and "&&" are logic operators. */
static const char *const ops2[] = {
    "!=", "<>", "<=", ">=", "||", "&&", "<<", ">>", ":=", "!<", "!>", "==",
    "->", "|/", "@>", "<@", "::", NULL
};

static int is_wordc(unsigned char c)
{
    return cclass[c] == CC_WORD || cclass[c] == CC_DIGIT;
}

static int is_space(unsigned char c)
{
    return cclass[c] == CC_WS;
}

static void tok_set(sqli_tok_t *t, char type, const unsigned char *p,
                    apr_size_t n)
{
    if (n >= VAL_LEN) {
        n = VAL_LEN - 1;
    }
    t->type = type;
    t->open = t->close = 0;
    t->word = 0;
    t->flags = 0;
    t->vlen = (unsigned char)n;
    memcpy(t->val, p, n);
    t->val[n] = '\0';
}

/* Case-insensitive binary search of the word table; 0 when absent. */
static char lookup(const char *w, apr_size_t n)
{
    size_t lo = 0, hi = sizeof(sqli_words) / sizeof(sqli_words[0]);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const unsigned char *k = (const unsigned char *)sqli_words[mid].word;
        apr_size_t i;
        int d = 0;

        for (i = 0; i < n && d == 0; i++) {
            unsigned char c = (unsigned char)w[i];
            if (c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            d = (int)c - (int)k[i];      /* k[i] == 0 past its end: c > 0 */
        }
        if (d == 0 && k[n] != '\0') {
            d = -1;
        }
        if (d == 0) {
            return sqli_words[mid].type;
        }
        if (d < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0;
}

static apr_size_t skip_space(const sqli_state_t *st, apr_size_t p)
{
    while (p < st->len && is_space(st->s[p])) {
        p++;
    }
    return p;
}

/* A string body from pos; q is the closing quote.  Backslash escapes and a
 * doubled quote stay inside the string. */
static void lex_string(sqli_state_t *st, sqli_tok_t *t, char open, char q)
{
    apr_size_t start = st->pos, p = start;

    while (p < st->len) {
        if (st->s[p] == '\\' && p + 1 < st->len) {
            p += 2;
        } else if (st->s[p] == (unsigned char)q) {
            if (p + 1 < st->len && st->s[p + 1] == (unsigned char)q) {
                p += 2;
            } else {
                break;
            }
        } else {
            p++;
        }
    }
    tok_set(t, 's', st->s + start, p - start);
    t->open = open;
    if (p < st->len) {
        t->close = q;
        p++;
    }
    st->pos = p;
}

/* Up to the end of the line (the newline stays for the next token). */
static void lex_line_comment(sqli_state_t *st, sqli_tok_t *t)
{
    apr_size_t start = st->pos, p = start;

    while (p < st->len && st->s[p] != '\n') {
        p++;
    }
    tok_set(t, 'c', st->s + start, p - start);
    st->pos = p;
}

static void lex_block_comment(sqli_state_t *st, sqli_tok_t *t)
{
    apr_size_t start = st->pos, p = start + 2;

    /* MySQL runs the body of an executable comment: an evasion */
    if (p < st->len && st->s[p] == '!') {
        st->evil = 1;
    }
    while (p + 1 < st->len && !(st->s[p] == '*' && st->s[p + 1] == '/')) {
        p++;
    }
    p = (p + 1 < st->len) ? p + 2 : st->len;
    tok_set(t, 'c', st->s + start, p - start);
    st->pos = p;
}

/* Numbers: 0x.., 0b.., digits with an optional fraction and exponent. */
static void lex_number(sqli_state_t *st, sqli_tok_t *t)
{
    const unsigned char *s = st->s;
    apr_size_t start = st->pos, p = start, n = st->len;

    if (p + 2 < n && s[p] == '0' && (s[p + 1] | 0x20) == 'x'
        && apr_isxdigit(s[p + 2])) {
        p += 2;
        while (p < n && apr_isxdigit(s[p])) {
            p++;
        }
    } else if (p + 2 < n && s[p] == '0' && (s[p + 1] | 0x20) == 'b'
               && (s[p + 2] == '0' || s[p + 2] == '1')) {
        p += 2;
        while (p < n && (s[p] == '0' || s[p] == '1')) {
            p++;
        }
    } else {
        while (p < n && apr_isdigit(s[p])) {
            p++;
        }
        if (p < n && s[p] == '.') {
            p++;
            while (p < n && apr_isdigit(s[p])) {
                p++;
            }
        }
        if (p + 1 < n && (s[p] | 0x20) == 'e'
            && (apr_isdigit(s[p + 1])
                || ((s[p + 1] == '+' || s[p + 1] == '-') && p + 2 < n
                    && apr_isdigit(s[p + 2])))) {
            p += 2;
            while (p < n && apr_isdigit(s[p])) {
                p++;
            }
        }
    }
    tok_set(t, '1', s + start, p - start);
    st->pos = p;
}

/* A word: [A-Za-z0-9_$ and bytes >= 0x80], with inner dots when a word
 * follows ("schema.table", "utl_inaddr.get_host_address").  Functions count
 * only when a '(' follows, so "left" and "user" in prose stay barewords. */
static void lex_word(sqli_state_t *st, sqli_tok_t *t)
{
    const unsigned char *s = st->s;
    apr_size_t start = st->pos, p = start;
    char type;
    int strong;

    for (;;) {
        while (p < st->len && is_wordc(s[p])) {
            p++;
        }
        /* "db.table" and SQL Server's "db..object" */
        if (p + 1 < st->len && s[p] == '.' && cclass[s[p + 1]] == CC_WORD) {
            p++;
            continue;
        }
        if (p + 2 < st->len && s[p] == '.' && s[p + 1] == '.'
            && cclass[s[p + 2]] == CC_WORD) {
            p += 2;
            continue;
        }
        break;
    }
    /* a dotted name counts only as a whole: "utl_http.request" is a
     * function, "data.replace" a method of an application's object */
    type = (p - start < VAL_LEN) ? lookup((const char *)s + start, p - start) : 0;
    /* 'F' and 'K': functions and keywords that attacks use */
    strong = (type == 'F' || type == 'K');
    if (type == 'F') {
        type = 'f';
    } else if (type == 'K') {
        type = 'k';
    }
    if (type == 'f') {
        apr_size_t q = skip_space(st, p);
        if (q >= st->len || s[q] != '(') {
            type = 'n';
        }
    }
    tok_set(t, type ? type : 'n', s + start, p - start);
    t->word = 1;
    if (strong) {
        t->flags = F_STRONG;
    }
    if (type == '&' && (s[start] | 0x20) == 'a') {
        t->flags = F_AND;
    }
    st->pos = p;
}

/* @name, @@name, @'quoted', @"quoted", @`quoted`. */
static void lex_variable(sqli_state_t *st, sqli_tok_t *t)
{
    const unsigned char *s = st->s;
    apr_size_t start = st->pos, p = start + 1;

    if (p < st->len && s[p] == '@') {
        p++;
    }
    if (p < st->len && (s[p] == '\'' || s[p] == '"' || s[p] == '`')) {
        char q = (char)s[p];
        p++;
        while (p < st->len && s[p] != (unsigned char)q) {
            p++;
        }
        if (p < st->len) {
            p++;
        }
    } else {
        while (p < st->len && (is_wordc(s[p]) || s[p] == '.')) {
            p++;
        }
    }
    tok_set(t, 'v', s + start, p - start);
    st->pos = p;
}

/* Quoted identifiers: `name` (MySQL) and [name] (SQL Server). */
static void lex_quoted_name(sqli_state_t *st, sqli_tok_t *t, unsigned char end)
{
    apr_size_t start = st->pos, p = start + 1;

    while (p < st->len && st->s[p] != end) {
        p++;
    }
    tok_set(t, 'n', st->s + start + 1, p - start - 1);
    st->pos = (p < st->len) ? p + 1 : p;
}

static void lex_operator(sqli_state_t *st, sqli_tok_t *t)
{
    const unsigned char *s = st->s + st->pos;
    apr_size_t left = st->len - st->pos;
    int i;

    if (left >= 3 && memcmp(s, "<=>", 3) == 0) {
        tok_set(t, 'o', s, 3);
        st->pos += 3;
        return;
    }
    if (left >= 2) {
        for (i = 0; ops2[i]; i++) {
            if (s[0] == (unsigned char)ops2[i][0]
                && s[1] == (unsigned char)ops2[i][1]) {
                char type = (s[0] == s[1] && (s[0] == '|' || s[0] == '&')) ? '&' : 'o';
                tok_set(t, type, s, 2);
                if (s[0] == '&' && s[1] == '&') {
                    t->flags = F_AND;
                }
                st->pos += 2;
                return;
            }
        }
    }
    tok_set(t, s[0] == ':' ? ':' : 'o', s, 1);
    st->pos++;
}

static int lex_one(sqli_state_t *st, sqli_tok_t *t);

/* Reads one token; 0 at the end of the input. */
static int lex(sqli_state_t *st, sqli_tok_t *t)
{
    apr_size_t start;

    if (st->quote && !st->started) {
        start = 0;
    } else {
        start = st->pos = skip_space(st, st->pos);
    }
    if (!lex_one(st, t)) {
        return 0;
    }
    t->pos = start;
    t->end = st->pos;
    return 1;
}

static int lex_one(sqli_state_t *st, sqli_tok_t *t)
{
    const unsigned char *s = st->s;
    unsigned char c;

    if (st->quote && !st->started) {
        st->started = 1;
        lex_string(st, t, 0, st->quote);
        return 1;
    }
    st->pos = skip_space(st, st->pos);
    if (st->pos >= st->len) {
        return 0;
    }
    c = s[st->pos];
    switch (cclass[c]) {
    case CC_QUOTE:
        st->pos++;
        lex_string(st, t, (char)c, (char)c);
        return 1;
    case CC_TICK:
        lex_quoted_name(st, t, '`');
        return 1;
    case CC_BRACKET:
        lex_quoted_name(st, t, ']');
        return 1;
    case CC_DIGIT:
        lex_number(st, t);
        return 1;
    case CC_DOT:
        if (st->pos + 1 < st->len && apr_isdigit(s[st->pos + 1])) {
            lex_number(st, t);
        } else {
            tok_set(t, '.', s + st->pos, 1);
            st->pos++;
        }
        return 1;
    case CC_WORD:
        lex_word(st, t);
        return 1;
    case CC_AT:
        lex_variable(st, t);
        return 1;
    case CC_HASH:
        st->hash = 1;
        lex_line_comment(st, t);
        return 1;
    case CC_DASH:
        if (st->pos + 1 < st->len && s[st->pos + 1] == '-') {
            lex_line_comment(st, t);
        } else {
            tok_set(t, 'o', s + st->pos, 1);
            st->pos++;
        }
        return 1;
    case CC_SLASH:
        if (st->pos + 1 < st->len && s[st->pos + 1] == '*') {
            lex_block_comment(st, t);
        } else {
            tok_set(t, 'o', s + st->pos, 1);
            st->pos++;
        }
        return 1;
    case CC_BSLASH:
        /* \N is MySQL's NULL */
        if (st->pos + 1 < st->len && s[st->pos + 1] == 'N') {
            tok_set(t, 'v', s + st->pos, 2);
            st->pos += 2;
        } else {
            tok_set(t, '\\', s + st->pos, 1);
            st->pos++;
        }
        return 1;
    case CC_OP:
        lex_operator(st, t);
        return 1;
    case CC_PUNCT:
        tok_set(t, (char)c, s + st->pos, 1);
        st->pos++;
        return 1;
    default:
        tok_set(t, '?', s + st->pos, 1);
        st->pos++;
        return 1;
    }
}

static int is_unary(const sqli_tok_t *t)
{
    if (t->type != 'o') {
        return 0;
    }
    if (t->vlen == 1) {
        return t->val[0] == '+' || t->val[0] == '-' || t->val[0] == '!'
            || t->val[0] == '~';
    }
    return t->vlen == 3 && (t->val[0] | 0x20) == 'n'
        && (t->val[1] | 0x20) == 'o' && (t->val[2] | 0x20) == 't';
}

/* Joins two adjacent words into one multi-word keyword when the table has
 * the pair ("GROUP BY", "UNION ALL", "WAITFOR DELAY"). */
static int join_words(sqli_tok_t *a, const sqli_tok_t *b)
{
    char buf[2 * VAL_LEN];
    apr_size_t n = a->vlen + 1 + b->vlen;
    char type;

    if (n >= VAL_LEN) {
        return 0;
    }
    memcpy(buf, a->val, a->vlen);
    buf[a->vlen] = ' ';
    memcpy(buf + a->vlen + 1, b->val, b->vlen);
    type = lookup(buf, n);
    if (type == 0) {
        return 0;
    }
    if (type == 'K' || type == 'F') {
        /* "INTO OUTFILE": a keyword that attacks use */
        type = (type == 'K') ? 'k' : 'f';
        a->flags |= F_STRONG;
    }
    a->type = type;
    if (type == '&' && (a->val[0] | 0x20) == 'a') {
        a->flags = F_AND;       /* AND NOT */
    }
    memcpy(a->val, buf, n);
    a->val[n] = '\0';
    a->vlen = (unsigned char)n;
    return 1;
}

static int ci_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if ((*a | 0x20) != (*b | 0x20)) {
            return 0;
        }
    }
    return *a == *b;
}

/* Decimal value of a plain number token; 0 when it is not one. */
static int number_value(const sqli_tok_t *t, long long *v)
{
    int i;

    *v = 0;
    if (t->type != '1' || t->flags || t->vlen == 0 || t->vlen > 17) {
        return 0;
    }
    for (i = 0; i < t->vlen; i++) {
        if (!apr_isdigit(t->val[i])) {
            return 0;
        }
        *v = *v * 10 + (t->val[i] - '0');
    }
    return 1;
}

/* Comparison operators: which orderings of (a, c) make "a op c" hold. */
#define R_LT 1
#define R_EQ 2
#define R_GT 4

static int relation_mask(const char *o)
{
    static const struct { const char *op; int holds; } rel[] = {
        {"=", R_EQ}, {"==", R_EQ}, {"<=>", R_EQ}, {"LIKE", R_EQ},
        {"RLIKE", R_EQ}, {"REGEXP", R_EQ}, {"IS", R_EQ},
        {"!=", R_LT | R_GT}, {"<>", R_LT | R_GT}, {"IS NOT", R_LT | R_GT},
        {"NOT LIKE", R_LT | R_GT}, {"<", R_LT}, {"!>", R_LT | R_EQ},
        {">", R_GT}, {"!<", R_GT | R_EQ}, {"<=", R_LT | R_EQ},
        {">=", R_GT | R_EQ}, {NULL, 0}
    };
    int i;

    for (i = 0; rel[i].op; i++) {
        if (ci_eq(o, rel[i].op)) {
            return rel[i].holds;
        }
    }
    return 0;
}

/* Flags for the value folded from "a op c": F_CMP (plus F_TRUE when it
 * surely holds) for a comparison of literals or of a name with itself
 * ("x=x"), F_EXPR for anything else. */
static unsigned char compare(const sqli_tok_t *a, const sqli_tok_t *op,
                             const sqli_tok_t *c)
{
    long long x, y;
    int holds = relation_mask(op->val), order;

    if (holds == 0 || (a->flags & F_CMP) || (c->flags & F_CMP)) {
        return F_EXPR;
    }
    if (number_value(a, &x) && number_value(c, &y)) {
        order = x < y ? R_LT : x == y ? R_EQ : R_GT;
    } else if (a->type == c->type && !a->flags && !c->flags
               && ci_eq(a->val, c->val)) {
        order = R_EQ;
    } else if (a->type != 'n' && c->type != 'n') {
        return F_CMP;
    } else {
        return F_EXPR;
    }
    return F_CMP | ((holds & order) ? F_TRUE : 0);
}

/* Folds the tail of the token vector until no rule applies. */
static void fold(sqli_state_t *st)
{
    for (;;) {
        sqli_tok_t *a, *b, *c;

        if (st->n >= 2) {
            b = &st->vec[st->n - 2];
            c = &st->vec[st->n - 1];
            /* adjacent literals concatenate: 'a' 'b' */
            if (b->type == 's' && c->type == 's') {
                b->close = c->close;
                st->n--;
                continue;
            }
            if (b->type == ';' && c->type == ';') {
                st->n--;
                continue;
            }
            /* a sign or NOT after an operator or keyword changes nothing */
            if (is_unary(c) && strchr("o&(,kEUBTA;", b->type)) {
                st->n--;
                continue;
            }
            /* a type in front of a value, as in "binary 'x'" or "int 1" */
            if (b->type == 't' && strchr("s1nv", c->type)) {
                *b = *c;
                st->n--;
                continue;
            }
            if (b->word && c->word && join_words(b, c)) {
                st->n--;
                continue;
            }
        }
        if (st->n >= 3) {
            a = &st->vec[st->n - 3];
            b = &st->vec[st->n - 2];
            c = &st->vec[st->n - 1];
            /* a list of literals is one value: 'a', 'b', 'c' */
            if (a->type == 's' && b->type == ',' && strchr("s1", c->type)) {
                a->close = c->type == 's' ? c->close : a->close;
                st->n -= 2;
                continue;
            }
            /* arithmetic and comparisons of plain values are one value */
            if (strchr("1nv", a->type) && b->type == 'o'
                && strchr("1nv", c->type)) {
                a->flags = compare(a, b, c);
                if (c->type == '1') {
                    a->type = '1';
                }
                a->word = 0;
                st->n -= 2;
                continue;
            }
        }
        break;
    }
}

/* Does a comment token hold a letter or digit?  Its leading bytes are
 * enough: the token keeps VAL_LEN - 1 of them. */
static int has_alnum(const sqli_tok_t *t)
{
    int i;

    for (i = 0; i < t->vlen; i++) {
        if (apr_isalnum(t->val[i])) {
            return 1;
        }
    }
    return t->vlen == VAL_LEN - 1;
}

/* Is there anything but whitespace left? */
static int more_input(const sqli_state_t *st)
{
    return skip_space(st, st->pos) < st->len;
}

/* Concatenation operators for C_CONCAT. */
static int is_concat(const sqli_tok_t *t)
{
    return (t->type == 'o' && t->vlen == 1 && (t->val[0] == '|' || t->val[0] == '+'))
        || (t->type == '&' && t->vlen == 2 && t->val[0] == '|');
}

/* What a pass learns from the raw tokens, before folding. */
typedef struct {
    sqli_tok_t  second;          /* the second token */
    sqli_tok_t  prev;            /* the one before the last */
    sqli_tok_t  last;
    int         strings;
    int         overflow;        /* tokens came after the vector was full */
} sqli_raw_t;

static void note_raw(sqli_raw_t *r, int nraw, const sqli_tok_t *t)
{
    if (nraw == 2) {
        r->second = *t;
    }
    if (nraw > 1) {
        r->prev = r->last;
    }
    r->last = *t;
    if (t->type == 's') {
        r->strings++;
    }
}

static unsigned conditions(const sqli_state_t *st, const sqli_raw_t *r, int m)
{
    const sqli_tok_t *v = st->vec;
    unsigned c = st->quote ? C_QUOTE : C_NONE;
    int i, ctx_string = (st->quote && m > 0 && v[0].type == 's' && v[0].open == 0);
    int balanced = ctx_string && r->last.type == 's' && r->last.close == 0
                   && r->last.open == st->quote;

    if (st->raw > m) {
        c |= C_FOLDED;
    }
    if (balanced && m > 1) {
        c |= C_BALANCED;
    }
    if (ctx_string && v[0].vlen > 0) {
        c |= C_LEAD;
    }
    if (balanced && st->raw >= 5 && r->strings == 2 && is_concat(&r->second)
        && is_concat(&r->prev)) {
        c |= C_CONCAT;
    }
    if (m > 0 && v[m - 1].type == 'c' && v[m - 1].val[0] != '#'
        && !has_alnum(&v[m - 1])) {
        c |= C_CUT;
    }
    if (!r->overflow && st->n <= FP_LEN) {
        c |= C_WHOLE;
    }
    if (!st->hash) {
        c |= C_NOTHASH;
    }
    if (m > 1 && v[1].pos > 0 && is_space(st->s[v[1].pos - 1])
        && v[1].end < st->len && is_space(st->s[v[1].end])) {
        c |= C_SPACED;
    }
    for (i = 0; i < m; i++) {
        if (v[i].flags & F_STRONG) {
            c |= C_STRONG;
        }
    }
    for (i = 0; i + 1 < m; i++) {
        /* "or 1=1" and "or (1=1" */
        int k = (v[i + 1].type == '(' && i + 2 < m) ? i + 2 : i + 1;
        unsigned char f = v[k].flags;
        if (v[i].type == '&' && (f & F_CMP)
            && (i == 0 || !(v[i - 1].flags & (F_CMP | F_EXPR)))
            && ((f & F_TRUE) || (v[i].flags & F_AND))) {
            c |= C_PROBE;
        }
    }
    return c;
}

/* One pass: tokens, folding, fingerprint.  Returns the fingerprint length
 * and sets *cond to the conditions that hold. */
static int sqli_pass(const char *s, apr_size_t len, char quote, char fp[9],
                     unsigned *cond)
{
    sqli_state_t st;
    sqli_raw_t r;
    sqli_tok_t t;
    int i, m;

    st.s = (const unsigned char *)s;
    st.len = len;
    st.pos = 0;
    st.quote = quote;
    st.started = 0;
    st.raw = st.evil = st.hash = 0;
    st.n = 0;
    r.strings = r.overflow = 0;
    r.second.type = r.prev.type = r.last.type = 0;

    while (lex(&st, &t)) {
        st.raw++;
        note_raw(&r, st.raw, &t);
        if (st.n == VEC_LEN) {
            r.overflow = 1;
            continue;
        }
        /* leading noise: openers, signs, types and comments */
        if (st.n == 0 && (t.type == '(' || t.type == 'c' || t.type == 't'
                          || is_unary(&t))) {
            continue;
        }
        /* a comment with more input after it works as whitespace */
        if (t.type == 'c' && more_input(&st)) {
            continue;
        }
        st.vec[st.n++] = t;
        fold(&st);
    }

    if (st.evil) {
        fp[0] = 'X';
        fp[1] = '\0';
        *cond = C_WHOLE | (quote ? C_QUOTE : C_NONE);
        return 1;
    }
    m = st.n < FP_LEN ? st.n : FP_LEN;
    for (i = 0; i < m; i++) {
        fp[i] = st.vec[i].type;
    }
    fp[m] = '\0';
    *cond = conditions(&st, &r, m);
    return m;
}

/* Does the generated DFA accept fp under the conditions cond? */
static int sqli_accepts(const char *fp, unsigned cond)
{
    static const char alphabet[] = SQLI_ALPHABET;
    unsigned state = 1;
    const unsigned short *m;
    const char *p;

    for (; *fp; fp++) {
        p = memchr(alphabet, *fp, SQLI_NLETTERS);
        if (p == NULL) {
            return 0;
        }
        state = sqli_dfa[state][p - alphabet];
        if (state == 0) {
            return 0;
        }
    }
    if (sqli_accept[state] == 0) {
        return 0;
    }
    for (m = &sqli_masks[sqli_accept[state]]; *m != 0xFFFF; m++) {
        if ((*m & ~cond) == 0) {
            return 1;
        }
    }
    return 0;
}

int pl_detect_sqli(const char *s, apr_size_t len, char fp[9])
{
    static const char contexts[3] = { 0, '\'', '"' };
    unsigned cond;
    int i;

    fp[0] = '\0';
    if (s == NULL || len == 0) {
        return 0;
    }
    for (i = 0; i < 3; i++) {
        if (contexts[i] && memchr(s, contexts[i], len) == NULL) {
            continue;
        }
        if (sqli_pass(s, len, contexts[i], fp, &cond) > 0
            && sqli_accepts(fp, cond)) {
            return 1;
        }
    }
    fp[0] = '\0';
    return 0;
}
