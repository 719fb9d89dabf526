/*
 * JSON request bodies: ARGS named as 2.9's msc_json.c names them (json.a.b,
 * json.list.0; in ARGS, not ARGS_POST), SecRequestBodyJsonDepthLimit.  The
 * lexer and parser follow yajl's grammar, states and error texts, so
 * REQBODY_ERROR_MSG reads as in 2.9.
 */
#include <ctype.h>
#include <limits.h>
#include "body.h"

#define DEFAULT_JSON_DEPTH       10000

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* The JSON parser's tokens (yajl's lexer). */
enum json_tok {
    JT_EOF, JT_ERROR, JT_LBRACE, JT_RBRACE, JT_LBRACK, JT_RBRACK, JT_COMMA,
    JT_COLON, JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL
};

/* Parser states (yajl's). */
enum json_state {
    JS_START, JS_COMPLETE, JS_MAP_START, JS_MAP_NEED_KEY, JS_MAP_SEP,
    JS_MAP_NEED_VAL, JS_MAP_GOT_VAL, JS_ARRAY_START, JS_ARRAY_NEED_VAL,
    JS_ARRAY_GOT_VAL
};

typedef struct json_parser {
    pl_tx      *tx;
    const char *s;          /* the body followed by one space: yajl feeds a
                             * space when the parse is completed */
    apr_size_t  len;        /* body length; bytes from len on are "late" */
    apr_size_t  pos;
    /* current token */
    const char *tok;
    apr_size_t  tok_len;
    int         tok_escapes, tok_late;
    /* argument naming, kept as msc_json.c keeps it */
    char       *prefix;         /* valid when has_prefix */
    apr_size_t  plen, pcap;
    int         has_prefix;
    const char *key;
    long        depth, depth_limit;
    int         depth_exceeded;
    /* outcome */
    const char *err;        /* "parse error: ..." / "lexical error: ..." */
    int         err_late;   /* found only when completing the parse */
} json_parser;


/* ------------------------------------------------------------------------
 * Static functions: settings
 * --------------------------------------------------------------------- */

static long json_depth_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->json_depth_limit > 0 ? tx->cfg->json_depth_limit
                                                     : DEFAULT_JSON_DEPTH;
}

/* ------------------------------------------------------------------------
 * Static functions: JSON lexer (yajl's rules and messages)
 * --------------------------------------------------------------------- */

static int json_hex(int c)
{
    return isxdigit(c);
}

/* Valid UTF-8 as yajl checks it: lead byte and continuation bytes only. */
static int json_utf8(json_parser *jp, apr_size_t *i, apr_size_t end)
{
    unsigned char c = (unsigned char)jp->s[*i];
    int more = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;

    if (more < 0)
        return -1;
    while (more-- > 0) {
        if (++*i >= end)
            return 0;               /* runs past the data: incomplete */
        if (((unsigned char)jp->s[*i] >> 6) != 0x2)
            return -1;
    }
    return 1;
}

static enum json_tok json_lex_error(json_parser *jp, apr_size_t at, const char *msg)
{
    jp->err = apr_pstrcat(jp->tx->pool, "lexical error: ", msg, "\n", NULL);
    jp->err_late = at >= jp->len;
    return JT_ERROR;
}

static enum json_tok json_lex_string(json_parser *jp, apr_size_t start, apr_size_t end)
{
    apr_size_t i = start + 1;

    jp->tok_escapes = 0;
    for (; i < end; i++) {
        unsigned char c = (unsigned char)jp->s[i];
        if (c == '"') {
            jp->tok = jp->s + start + 1;
            jp->tok_len = i - start - 1;
            jp->pos = i + 1;
            return JT_STRING;
        }
        if (c == '\\') {
            jp->tok_escapes = 1;
            if (++i >= end)
                break;
            c = (unsigned char)jp->s[i];
            if (c == 'u') {
                int k;
                for (k = 0; k < 4; k++) {
                    if (++i >= end)
                        return JT_EOF;
                    if (!json_hex((unsigned char)jp->s[i]))
                        return json_lex_error(jp, i, "invalid (non-hex) character "
                                              "occurs after '\\u' inside string.");
                }
            } else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
                return json_lex_error(jp, i, "inside a string, '\\' occurs before "
                                      "a character which it may not.");
            }
        } else if (c < 0x20) {
            return json_lex_error(jp, i, "invalid character inside string.");
        } else if (c >= 0x80) {
            int rc = json_utf8(jp, &i, end);
            if (rc == 0)
                break;
            if (rc < 0)
                return json_lex_error(jp, i, "invalid bytes in UTF8 string.");
        }
    }
    return JT_EOF;                  /* unterminated: yajl waits for more */
}

static enum json_tok json_lex_number(json_parser *jp, apr_size_t start, apr_size_t end)
{
    apr_size_t i = start;
    const char *s = jp->s;

#define NUM_EOF() do { if (i >= end) return JT_EOF; } while (0)
    if (s[i] == '-') {
        i++;
        NUM_EOF();
    }
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < end && isdigit((unsigned char)s[i]))
            i++;
    } else {
        return json_lex_error(jp, i, "malformed number, a digit is required after "
                              "the minus sign.");
    }
    NUM_EOF();
    if (s[i] == '.') {
        i++;
        NUM_EOF();
        if (!isdigit((unsigned char)s[i]))
            return json_lex_error(jp, i, "malformed number, a digit is required after "
                                  "the decimal point.");
        while (i < end && isdigit((unsigned char)s[i]))
            i++;
        NUM_EOF();
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        NUM_EOF();
        if (s[i] == '+' || s[i] == '-')
            i++;
        NUM_EOF();
        if (!isdigit((unsigned char)s[i]))
            return json_lex_error(jp, i, "malformed number, a digit is required after "
                                  "the exponent.");
        while (i < end && isdigit((unsigned char)s[i]))
            i++;
        NUM_EOF();
    }
#undef NUM_EOF
    jp->tok = s + start;
    jp->tok_len = i - start;
    jp->tok_late = i >= jp->len;     /* its end was seen only with the space */
    jp->pos = i;
    return JT_NUMBER;
}

static enum json_tok json_lex_word(json_parser *jp, apr_size_t start, apr_size_t end,
                                   const char *word, enum json_tok tok)
{
    apr_size_t i, n = strlen(word);

    for (i = 1; i < n; i++) {
        if (start + i >= end)
            return JT_EOF;
        if (jp->s[start + i] != word[i])
            return json_lex_error(jp, start + i, "invalid string in json text.");
    }
    jp->tok = jp->s + start;
    jp->tok_len = n;
    jp->tok_late = start + n > jp->len;
    jp->pos = start + n;
    return tok;
}

/* Next token over body + one space; JT_EOF past the end. */
static enum json_tok json_lex(json_parser *jp)
{
    apr_size_t end = jp->len + 1, i = jp->pos;
    const char *s = jp->s;

    while (i < end && strchr(" \t\n\v\f\r", s[i]) != NULL && s[i] != '\0')
        i++;
    jp->pos = i;
    jp->tok_late = i >= jp->len;
    if (i >= end)
        return JT_EOF;
    jp->pos = i + 1;
    switch (s[i]) {
    case '{': return JT_LBRACE;
    case '}': return JT_RBRACE;
    case '[': return JT_LBRACK;
    case ']': return JT_RBRACK;
    case ',': return JT_COMMA;
    case ':': return JT_COLON;
    case '"': return json_lex_string(jp, i, end);
    case 't': return json_lex_word(jp, i, end, "true", JT_TRUE);
    case 'f': return json_lex_word(jp, i, end, "false", JT_FALSE);
    case 'n': return json_lex_word(jp, i, end, "null", JT_NULL);
    case '/':
        return json_lex_error(jp, i, "probable comment found in input text, "
                              "comments are not enabled.");
    default:
        if (s[i] == '-' || isdigit((unsigned char)s[i]))
            return json_lex_number(jp, i, end);
        return json_lex_error(jp, i, "invalid char in json text.");
    }
}

static void json_put_utf8(char **d, unsigned long cp)
{
    unsigned char *o = (unsigned char *)*d;

    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xc0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xe0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x200000) {
        *o++ = (unsigned char)(0xf0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = '?';
    }
    *d = (char *)o;
}

static unsigned long json_hex4(const char *s)
{
    unsigned long v = 0;
    int k;

    for (k = 0; k < 4; k++) {
        int c = (unsigned char)s[k];
        v = v * 16 + (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    return v;
}

/*
 * Unescapes a lexed string as yajl_string_decode does, quirks included: a
 * high surrogate combines with any \u escape that follows it, whatever its
 * value, and a lone one becomes '?'.
 */
static char *json_decode(apr_pool_t *p, const char *s, apr_size_t n, apr_size_t *out_len)
{
    char *out = apr_palloc(p, n + 1), *d = out;
    apr_size_t i = 0;

    while (i < n) {
        if (s[i] != '\\') {
            *d++ = s[i++];
            continue;
        }
        switch (s[++i]) {
        case 'r': *d++ = '\r'; break;
        case 'n': *d++ = '\n'; break;
        case 'f': *d++ = '\f'; break;
        case 'b': *d++ = '\b'; break;
        case 't': *d++ = '\t'; break;
        case 'u': {
            unsigned long cp = json_hex4(s + i + 1);
            i += 4;
            if ((cp & 0xFC00) == 0xD800) {
                if (i + 2 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
                    unsigned long lo = json_hex4(s + i + 3);
                    cp = ((cp & 0x3F) << 10) | ((((cp >> 6) & 0xF) + 1) << 16) | (lo & 0x3FF);
                    i += 6;
                } else {
                    *d++ = '?';
                    break;
                }
            }
            json_put_utf8(&d, cp);
            break;
        }
        default: *d++ = s[i]; break;    /* " \ / */
        }
        i++;
    }
    *d = '\0';
    *out_len = d - out;
    return out;
}

/* ------------------------------------------------------------------------
 * Static functions: JSON arguments, named as 2.9's msc_json.c names them
 * --------------------------------------------------------------------- */

static int json_on_scalar(json_parser *jp, const char *v, apr_size_t n)
{
    pl_tx *tx = jp->tx;
    const char *name;

    if (jp->key == NULL)
        jp->key = "";
    name = jp->has_prefix ? apr_pstrcat(tx->pool, jp->prefix, ".", jp->key, NULL) : jp->key;
    if (pl_body_debug_on(tx, 9))
        pl_debug(tx, 9, "Adding JSON argument '%s' with value '%s'", name, v);
    if (pl_body_args_count(tx) >= pl_body_args_limit(tx)) {
        if (pl_body_debug_on(tx, 4))
            pl_debug(tx, 4, "Skipping request argument, over limit (JSON): name \"%s\", "
                     "value \"%s\"", pl_log_escape(tx->pool, name, strlen(name)),
                     pl_log_escape(tx->pool, v, n));
        tx->reqbody_error = 1;
        return 0;
    }
    pl_coll_set(tx->args_json, name, v, n);
    return 1;
}

/*
 * The prefix lives in one growing buffer: 2.9 rebuilds the string at every
 * level, which costs the square of the depth.
 */
static void json_prefix_add(json_parser *jp, const char *part, int dot)
{
    apr_size_t n = strlen(part), need = jp->plen + dot + n + 1;

    if (need > jp->pcap) {
        apr_size_t cap = jp->pcap ? jp->pcap * 2 : 128;
        char *b;
        while (cap < need)
            cap *= 2;
        b = apr_palloc(jp->tx->pool, cap);
        if (jp->plen > 0)
            memcpy(b, jp->prefix, jp->plen);
        jp->prefix = b;
        jp->pcap = cap;
    }
    if (dot)
        jp->prefix[jp->plen++] = '.';
    memcpy(jp->prefix + jp->plen, part, n + 1);
    jp->plen += n;
    jp->has_prefix = 1;
}

static int json_deeper(json_parser *jp)
{
    if (++jp->depth > jp->depth_limit) {
        jp->depth_exceeded = 1;
        return 0;
    }
    if (pl_body_debug_on(jp->tx, 9))
        pl_debug(jp->tx, 9, "New JSON hash context (prefix '%s')", jp->prefix);
    return 1;
}

static int json_on_start_map(json_parser *jp)
{
    if (jp->key == NULL)
        return 1;                   /* the top-level object */
    json_prefix_add(jp, jp->key, jp->has_prefix);
    return json_deeper(jp);
}

static int json_on_start_array(json_parser *jp)
{
    if (jp->key == NULL && !jp->has_prefix)
        jp->key = "array";          /* the top-level array */
    json_prefix_add(jp, jp->key, jp->has_prefix);
    return json_deeper(jp);
}

/* The prefix loses its last component; a map also makes it the key. */
static void json_on_end(json_parser *jp, int map)
{
    const char *dot;

    if (!jp->has_prefix)
        return;
    dot = strrchr(jp->prefix, '.');
    if (map)
        jp->key = apr_pstrdup(jp->tx->pool, dot ? dot + 1 : jp->prefix);
    if (dot) {
        jp->plen = dot - jp->prefix;
        jp->prefix[jp->plen] = '\0';
    } else {
        jp->plen = 0;
        jp->has_prefix = 0;
    }
    jp->depth--;
}

/* ------------------------------------------------------------------------
 * Static functions: JSON parser (yajl's state machine)
 * --------------------------------------------------------------------- */

static int json_parse_error(json_parser *jp, const char *msg)
{
    jp->err = apr_pstrcat(jp->tx->pool, "parse error: ", msg, "\n", NULL);
    jp->err_late = jp->tok_late;
    return 0;
}

static int json_cancelled(json_parser *jp)
{
    return json_parse_error(jp, "client cancelled parse via callback return value");
}

/* A scalar token as the argument value (decoded strings, raw numbers). */
static int json_scalar(json_parser *jp, enum json_tok t)
{
    const char *v = jp->tok;
    apr_size_t n = jp->tok_len;

    if (t == JT_STRING && jp->tok_escapes)
        v = json_decode(jp->tx->pool, jp->tok, jp->tok_len, &n);
    else if (t == JT_NULL)
        v = "", n = 0;
    else
        v = apr_pstrmemdup(jp->tx->pool, v, n);
    return json_on_scalar(jp, v, n) ? 1 : json_cancelled(jp);
}

static enum json_state json_after_value(const apr_array_header_t *stack)
{
    if (stack->nelts == 0)
        return JS_COMPLETE;
    return APR_ARRAY_IDX(stack, stack->nelts - 1, char) == '{' ? JS_MAP_GOT_VAL
                                                               : JS_ARRAY_GOT_VAL;
}

/* A token where a value may start; returns the next state or -1. */
static int json_value(json_parser *jp, enum json_tok t, apr_array_header_t *stack)
{
    switch (t) {
    case JT_STRING: case JT_NUMBER: case JT_TRUE: case JT_FALSE: case JT_NULL:
        return json_scalar(jp, t) ? (int)json_after_value(stack) : -1;
    case JT_LBRACE:
        if (!json_on_start_map(jp))
            return json_cancelled(jp), -1;
        APR_ARRAY_PUSH(stack, char) = '{';
        return JS_MAP_START;
    case JT_LBRACK:
        if (!json_on_start_array(jp))
            return json_cancelled(jp), -1;
        APR_ARRAY_PUSH(stack, char) = '[';
        return JS_ARRAY_START;
    default:
        return json_parse_error(jp, "unallowed token at this point in JSON text"), -1;
    }
}

static int json_close(json_parser *jp, apr_array_header_t *stack, int map)
{
    json_on_end(jp, map);
    stack->nelts--;
    return json_after_value(stack);
}

/* One token in state st; returns the next state or -1 on an error. */
static int json_step(json_parser *jp, int st, enum json_tok t, apr_array_header_t *stack)
{
    switch (st) {
    case JS_COMPLETE:
        return json_parse_error(jp, "trailing garbage"), -1;
    case JS_ARRAY_START:
        if (t == JT_RBRACK)
            return json_close(jp, stack, 0);
        return json_value(jp, t, stack);
    case JS_START: case JS_MAP_NEED_VAL: case JS_ARRAY_NEED_VAL:
        return json_value(jp, t, stack);
    case JS_MAP_START: case JS_MAP_NEED_KEY:
        if (t == JT_RBRACE && st == JS_MAP_START)
            return json_close(jp, stack, 1);
        if (t != JT_STRING)
            return json_parse_error(jp, "invalid object key (must be a string)"), -1;
        {
            apr_size_t n;
            const char *k = jp->tok_escapes ? json_decode(jp->tx->pool, jp->tok, jp->tok_len, &n)
                                            : apr_pstrmemdup(jp->tx->pool, jp->tok, jp->tok_len);
            jp->key = k;        /* a C string: a NUL ends the name, as in 2.9 */
            if (pl_body_debug_on(jp->tx, 9))
                pl_debug(jp->tx, 9, "New JSON hash key '%s'", k);
        }
        return JS_MAP_SEP;
    case JS_MAP_SEP:
        if (t != JT_COLON)
            return json_parse_error(jp, "object key and value must be separated by "
                                    "a colon (':')"), -1;
        return JS_MAP_NEED_VAL;
    case JS_MAP_GOT_VAL:
        if (t == JT_RBRACE)
            return json_close(jp, stack, 1);
        if (t != JT_COMMA)
            return json_parse_error(jp, "after key and value, inside map, I expect "
                                    "',' or '}'"), -1;
        return JS_MAP_NEED_KEY;
    default: /* JS_ARRAY_GOT_VAL */
        if (t == JT_RBRACK)
            return json_close(jp, stack, 0);
        if (t != JT_COMMA)
            return json_parse_error(jp, "after array element, I expect ',' or ']'"), -1;
        return JS_ARRAY_NEED_VAL;
    }
}

/*
 * Parses the whole body.  2.9 reports an error found while feeding the data
 * as "JSON parsing error: ..." and one found when completing the parse
 * (premature end, a token cut by the end) as "JSON parser error: ...".
 * The lexer reads the body in place: its NUL becomes the space yajl is fed
 * at the end and the spare byte after it the NUL, until the parse is done
 * (values are copied out, nothing keeps pointing into buf).
 */
void pl_body_json(pl_tx *tx, char *buf, apr_size_t len)
{
    json_parser jp;
    apr_array_header_t *stack = apr_array_make(tx->pool, 16, sizeof(char));
    char *s = buf;
    int st = JS_START;

    s[len] = ' ';
    s[len + 1] = '\0';
    memset(&jp, 0, sizeof(jp));
    jp.tx = tx;
    jp.s = s;
    jp.len = len;
    jp.depth_limit = json_depth_limit(tx);
    pl_debug(tx, 4, "JSON parser initialization");

    while (st >= 0) {
        enum json_tok t = json_lex(&jp);
        if (st == JS_COMPLETE && t != JT_EOF) {
            /* after the value any token, even a bad one, is garbage */
            if (t == JT_ERROR)
                jp.tok_late = jp.err_late;
            json_parse_error(&jp, "trailing garbage");
            break;
        }
        if (t == JT_ERROR)
            break;
        if (t == JT_EOF) {
            if (st != JS_COMPLETE) {
                jp.err = "parse error: premature EOF\n";
                jp.err_late = 1;
            }
            break;
        }
        st = json_step(&jp, st, t, stack);
    }
    s[len] = '\0';                  /* the buffer is REQUEST_BODY again */
    if (jp.err != NULL)
        pl_body_error(tx, apr_pstrcat(tx->pool,
                   jp.err_late ? "JSON parser error: " : "JSON parsing error: ",
                   jp.depth_exceeded ? "JSON depth limit exceeded" : jp.err, NULL));
}

