/*
 * Transformation functions (t:name), with the byte-for-byte results and the
 * "changed" flag of ModSecurity 2.9.7, quirks included: CRS rules are tuned
 * against those exact outputs, so a "better" decoder would change matches.
 *
 * Every function reads in[0..len) and never writes it.  Like ModSecurity's
 * in-place decoders, some of them look one byte past the end, where
 * ModSecurity always has a NUL; byte_at() supplies that NUL here, so the input
 * does not need a terminator.  A few functions (cmdline, sqlHexDecode,
 * base64Decode, base64DecodeExt) stop at the first NUL, as ModSecurity's do.
 *
 * When nothing changes, out = in: callers pass NUL-terminated values (every
 * value in the engine is), which keeps "out is NUL-terminated" true.
 *
 * The result is always what ModSecurity hands to the operator, even when the
 * flag says 0: compressWhitespace turns a lone TAB into a space and still
 * reports 0, utf8toUnicode drops NUL bytes without reporting them.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_md5.h>
#include <apr_sha1.h>

#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

#define NBSP              0xa0
#define UNICODE_MAP_SIZE  65536            /* one entry per %uHHHH code */
#define CODEPAGE_SEPS     " \t\n\r"

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

typedef unsigned char uchar;

/*
 * State of normalisePath(Win) over a working copy b[0..end] (len >= 1):
 * src reads, dst writes (dst <= src), indexes are signed because ".."
 * handling steps dst back before testing it.  With win, backslashes count
 * as slashes and are rewritten to '/' one step ahead of src.
 */
typedef struct path_walk {
    uchar      *b;
    long        src, dst, end;
    int         win, relative, hitroot, done, changed;
} path_walk;

/*
 * SecUnicodeMapFile: best-fit byte for each UTF-16 code unit, -1 = none.
 * Set at configuration time, read-only while requests run; process-wide as
 * in ModSecurity (the last directive wins).  A pool cleanup clears it when
 * the configuration pool goes away.
 */
static const int *unicode_map;
static int        unicode_codepage;

/* ------------------------------------------------------------------------
 * Helpers.  Character classes are those of the C locale, which is what
 * ModSecurity's isspace()/isxdigit()/tolower() see inside httpd.
 * --------------------------------------------------------------------- */

static int is_space(uchar c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_digit(uchar c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(uchar c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_odigit(uchar c)
{
    return c >= '0' && c <= '7';
}

static int is_alnum(uchar c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uchar to_lower(uchar c)
{
    return (c >= 'A' && c <= 'Z') ? (uchar)(c + 32) : c;
}

static int is_f(uchar c)
{
    return c == 'f' || c == 'F';
}

/* Byte i of the input, or the NUL ModSecurity keeps at in[len]. */
static uchar byte_at(const uchar *in, apr_size_t len, apr_size_t i)
{
    return i < len ? in[i] : 0;
}

/*
 * Value of one hex digit as ModSecurity computes it: no validation, so
 * hexDecode of non-hex text yields the same odd bytes as ModSecurity.
 */
static uchar hex_nibble(uchar c)
{
    return (uchar)(c >= 'A' ? ((c & 0xdf) - 'A') + 10 : c - '0');
}

static uchar hex_pair(const uchar *s)
{
    return (uchar)(hex_nibble(s[0]) * 16 + hex_nibble(s[1]));
}

static int keep(const char *in, apr_size_t len, char **out, apr_size_t *out_len)
{
    *out = (char *)in;
    *out_len = len;
    return 0;
}

/* Output buffer of n bytes plus the terminator. */
static uchar *new_buf(apr_pool_t *p, apr_size_t n)
{
    return apr_palloc(p, n + 1);
}

static int done(uchar *buf, apr_size_t n, int changed,
                char **out, apr_size_t *out_len)
{
    buf[n] = '\0';
    *out = (char *)buf;
    *out_len = n;
    return changed;
}

/* The result differs from the input exactly when its length does. */
static int done_by_len(uchar *buf, apr_size_t n, apr_size_t len,
                       char **out, apr_size_t *out_len)
{
    return done(buf, n, n != len, out, out_len);
}

static int has_byte(const char *in, apr_size_t len, uchar c)
{
    return memchr(in, c, len) != NULL;
}

static int has_pair(const uchar *in, apr_size_t len, uchar a, uchar b)
{
    apr_size_t i;

    for (i = 0; i + 1 < len; i++) {
        if (in[i] == a && in[i + 1] == b) {
            return 1;
        }
    }
    return 0;
}

/*
 * strtol() of a run of digits, reduced to a byte as ModSecurity's
 * (unsigned char) cast does: an overflowing number saturates at LONG_MAX,
 * whose low byte is 0xff.
 */
static uchar digits_to_byte(const uchar *s, apr_size_t n, unsigned base)
{
    unsigned long v = 0;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned d = is_digit(s[i]) ? (unsigned)(s[i] - '0')
                                    : (unsigned)(to_lower(s[i]) - 'a' + 10);
        if (v > ((unsigned long)LONG_MAX - d) / base) {
            return (uchar)LONG_MAX;
        }
        v = v * base + d;
    }
    return (uchar)v;
}

/*
 * Up to three octal digits starting at in[i] (in[i] is one), as the jsDecode
 * and escapeSeqDecode loops collect them.  Returns the digit count.
 */
static apr_size_t octal_run(const uchar *in, apr_size_t len, apr_size_t i)
{
    apr_size_t j = 0;

    while (i + j < len && j < 3) {
        j++;
        if (!is_odigit(byte_at(in, len, i + j))) {
            break;
        }
    }
    return j;
}

static unsigned octal_value(const uchar *s, apr_size_t n)
{
    unsigned v = 0;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        v = v * 8 + (unsigned)(s[i] - '0');
    }
    return v;
}

/* Low byte of \uHHHH or %uHHHH (h = first of the 4 digits); full-width ASCII
 * U+FF01..U+FF5E becomes its ASCII twin by adding 0x20 to the low byte. */
static uchar unicode_low_byte(const uchar *h)
{
    uchar c = hex_pair(h + 2);

    if (c > 0x00 && c < 0x5f && is_f(h[0]) && is_f(h[1])) {
        c += 0x20;
    }
    return c;
}

/* ------------------------------------------------------------------------
 * Case, whitespace, NUL bytes
 * --------------------------------------------------------------------- */

static int tfn_lowercase(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i, first;
    uchar *b;

    for (first = 0; first < len && to_lower(s[first]) == s[first]; first++)
        ;
    if (first == len) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    memcpy(b, s, first);
    for (i = first; i < len; i++) {
        b[i] = to_lower(s[i]);
    }
    return done(b, len, 1, out, out_len);
}

static apr_size_t leading_spaces(const uchar *s, apr_size_t len)
{
    apr_size_t i = 0;

    while (i < len && is_space(s[i])) {
        i++;
    }
    return i;
}

static apr_size_t trailing_spaces(const uchar *s, apr_size_t len)
{
    apr_size_t i = len;

    while (i > 0 && is_space(s[i - 1])) {
        i--;
    }
    return len - i;
}

/* A suffix of the input keeps the input's terminator: no copy needed. */
static int tfn_trimLeft(apr_pool_t *p, const char *in, apr_size_t len,
                        char **out, apr_size_t *out_len)
{
    apr_size_t n = leading_spaces((const uchar *)in, len);

    (void)p;
    *out = (char *)in + n;
    *out_len = len - n;
    return n > 0;
}

static int tfn_trimRight(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    apr_size_t n = trailing_spaces((const uchar *)in, len);

    if (n == 0) {
        return keep(in, len, out, out_len);
    }
    *out = apr_pstrmemdup(p, in, len - n);
    *out_len = len - n;
    return 1;
}

static int tfn_trim(apr_pool_t *p, const char *in, apr_size_t len,
                    char **out, apr_size_t *out_len)
{
    char *mid;
    apr_size_t mid_len;

    tfn_trimLeft(p, in, len, &mid, &mid_len);
    tfn_trimRight(p, mid, mid_len, out, out_len);
    return *out_len != len;
}

static int tfn_removeNulls(apr_pool_t *p, const char *in, apr_size_t len,
                           char **out, apr_size_t *out_len)
{
    apr_size_t i, n = 0;
    uchar *b;

    if (!has_byte(in, len, 0)) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    for (i = 0; i < len; i++) {
        if (in[i] != '\0') {
            b[n++] = (uchar)in[i];
        }
    }
    return done(b, n, 1, out, out_len);
}

static int tfn_replaceNulls(apr_pool_t *p, const char *in, apr_size_t len,
                            char **out, apr_size_t *out_len)
{
    apr_size_t i;
    uchar *b;

    if (!has_byte(in, len, 0)) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    for (i = 0; i < len; i++) {
        b[i] = in[i] == '\0' ? ' ' : (uchar)in[i];
    }
    return done(b, len, 1, out, out_len);
}

static int is_ws_or_nbsp(uchar c)
{
    return is_space(c) || c == NBSP;
}

static int has_ws_or_nbsp(const uchar *s, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (is_ws_or_nbsp(s[i])) {
            return 1;
        }
    }
    return 0;
}

/* Each run becomes one space; only a run of two or more counts as a change. */
static int tfn_compressWhitespace(apr_pool_t *p, const char *in, apr_size_t len,
                                  char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0, run;
    int changed = 0;
    uchar *b;

    if (!has_ws_or_nbsp(s, len)) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        for (run = 0; i < len && is_ws_or_nbsp(s[i]); i++) {
            run++;
        }
        if (run > 0) {
            b[n++] = ' ';
            changed |= run > 1;
        }
        if (i < len) {
            b[n++] = s[i++];
        }
    }
    return done(b, n, changed, out, out_len);
}

static int tfn_removeWhitespace(apr_pool_t *p, const char *in, apr_size_t len,
                                char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i, n = 0;
    uchar *b;

    if (!has_ws_or_nbsp(s, len)) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    for (i = 0; i < len; i++) {
        if (!is_ws_or_nbsp(s[i])) {
            b[n++] = s[i];
        }
    }
    return done(b, n, 1, out, out_len);
}

/* ------------------------------------------------------------------------
 * Comments
 * --------------------------------------------------------------------- */

static int starts(const uchar *s, apr_size_t len, apr_size_t i, const char *lit)
{
    apr_size_t n = strlen(lit);

    return i + n <= len && memcmp(s + i, lit, n) == 0;
}

/* Each C comment, terminated or not, becomes one space. */
static int tfn_replaceComments(apr_pool_t *p, const char *in, apr_size_t len,
                               char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0;
    int in_comment = 0;
    uchar *b;

    if (!has_pair(s, len, '/', '*')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (!in_comment && starts(s, len, i, "/*")) {
            in_comment = 1;
            i += 2;
        } else if (in_comment && starts(s, len, i, "*/")) {
            in_comment = 0;
            i += 2;
            b[n++] = ' ';
        } else if (in_comment) {
            i++;
        } else {
            b[n++] = s[i++];
        }
    }
    if (in_comment) {
        b[n++] = ' ';
    }
    return done(b, n, 1, out, out_len);
}

/*
 * removeComments drops C and HTML comments and cuts the value at the first
 * "--" or "#" outside a comment.  The byte following a comment's end marker
 * is copied without being examined; at the very end of the value that byte
 * is ModSecurity's terminating NUL, which becomes part of the result.
 */
static int tfn_removeComments(apr_pool_t *p, const char *in, apr_size_t len,
                              char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0, end_mark;
    int in_comment = 0, changed = 0;
    uchar *b;

    if (!has_pair(s, len, '/', '*') && !has_pair(s, len, '-', '-')
        && !has_byte(in, len, '#')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (!in_comment) {
            if (starts(s, len, i, "/*") || starts(s, len, i, "<!--")) {
                i += s[i] == '/' ? 2 : 4;
                in_comment = changed = 1;
            } else if (starts(s, len, i, "--") || s[i] == '#') {
                changed = 1;
                break;
            } else {
                b[n++] = s[i++];
            }
            continue;
        }
        end_mark = starts(s, len, i, "*/") ? 2 : starts(s, len, i, "-->") ? 3 : 0;
        if (end_mark) {
            in_comment = 0;
            i += end_mark;
            b[n++] = byte_at(s, len, i);
            i++;
        } else {
            i++;
        }
    }
    if (in_comment) {
        b[n++] = ' ';
    }
    return done(b, n, changed, out, out_len);
}

/* Drops the comment markers themselves, keeping what they enclose. */
static int tfn_removeCommentsChar(apr_pool_t *p, const char *in, apr_size_t len,
                                  char **out, apr_size_t *out_len)
{
    static const char *const marks[] = { "/*", "*/", "<!--", "-->", "--", "#" };
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0, k, skip;
    int changed = 0;
    uchar *b;

    if (!has_pair(s, len, '/', '*') && !has_pair(s, len, '*', '/')
        && !has_pair(s, len, '-', '-') && !has_byte(in, len, '#')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        skip = 0;
        for (k = 0; k < sizeof(marks) / sizeof(marks[0]) && !skip; k++) {
            if (starts(s, len, i, marks[k])) {
                skip = strlen(marks[k]);
            }
        }
        if (skip) {
            changed = 1;
            i += skip;
        } else {
            b[n++] = s[i++];
        }
    }
    return done(b, n, changed, out, out_len);
}

/* ------------------------------------------------------------------------
 * Decoders
 * --------------------------------------------------------------------- */

static int tfn_urlDecode(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0;
    int changed = 0;
    uchar *b;

    if (!has_byte(in, len, '%') && !has_byte(in, len, '+')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (s[i] == '%' && i + 2 < len && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            b[n++] = hex_pair(s + i + 1);
            i += 3;
            changed = 1;
        } else if (s[i] == '+') {
            b[n++] = ' ';
            i++;
            changed = 1;
        } else {
            b[n++] = s[i++];
        }
    }
    return done(b, n, changed, out, out_len);
}

/* %uHHHH at s (s[0] == '%'): the code page's best-fit byte, else the low
 * byte (full-width ASCII shifted back). */
static uchar unicode_escape_byte(const uchar *s)
{
    if (unicode_map != NULL && unicode_codepage > 0) {
        unsigned code = ((unsigned)hex_pair(s + 2) << 8) | hex_pair(s + 4);
        if (unicode_map[code] != -1) {
            return (uchar)unicode_map[code];
        }
    }
    return unicode_low_byte(s + 2);
}

static int is_unicode_escape(const uchar *s, apr_size_t len, apr_size_t i)
{
    return i + 5 < len && is_hex(s[i + 2]) && is_hex(s[i + 3])
           && is_hex(s[i + 4]) && is_hex(s[i + 5]);
}

static int tfn_urlDecodeUni(apr_pool_t *p, const char *in, apr_size_t len,
                            char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0;
    int changed = 0;
    uchar *b;

    if (!has_byte(in, len, '%') && !has_byte(in, len, '+')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (s[i] == '%' && i + 1 < len && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            if (is_unicode_escape(s, len, i)) {
                b[n++] = unicode_escape_byte(s + i);
                i += 6;
                changed = 1;
            } else {
                /* not a valid %u escape: keep "%u" and go on after it */
                b[n++] = s[i++];
                b[n++] = s[i++];
            }
        } else if (s[i] == '%' && i + 2 < len && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            b[n++] = hex_pair(s + i + 1);
            i += 3;
            changed = 1;
        } else if (s[i] == '+') {
            b[n++] = ' ';
            i++;
            changed = 1;
        } else {
            b[n++] = s[i++];
        }
    }
    return done(b, n, changed, out, out_len);
}

/* Letters of \a \b \f \n \r \t \v, shared by jsDecode and escapeSeqDecode. */
static int c_escape(uchar c)
{
    switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default:  return -1;
    }
}

/* One escape at s[i] == '\\' with at least one byte after it; returns the
 * number of input bytes consumed and stores the decoded byte. */
static apr_size_t js_escape(const uchar *s, apr_size_t len, apr_size_t i, uchar *c)
{
    apr_size_t j;
    int e;

    if (s[i + 1] == 'u' && is_unicode_escape(s, len, i)) {
        *c = unicode_low_byte(s + i + 2);
        return 6;
    }
    if (s[i + 1] == 'x' && i + 3 < len && is_hex(s[i + 2]) && is_hex(s[i + 3])) {
        *c = hex_pair(s + i + 2);
        return 4;
    }
    if (is_odigit(s[i + 1])) {
        j = octal_run(s, len, i + 1);
        /* three digits only while the value fits a byte (\000 - \377) */
        if (j == 3 && s[i + 1] > '3') {
            j = 2;
        }
        *c = (uchar)octal_value(s + i + 1, j);
        return 1 + j;
    }
    e = c_escape(s[i + 1]);
    *c = e == -1 ? s[i + 1] : (uchar)e;
    return 2;
}

static int tfn_jsDecode(apr_pool_t *p, const char *in, apr_size_t len,
                        char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0;
    uchar *b;

    if (!has_byte(in, len, '\\')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (s[i] == '\\' && i + 1 < len) {
            i += js_escape(s, len, i, &b[n++]);
        } else {
            b[n++] = s[i++];
        }
    }
    return done_by_len(b, n, len, out, out_len);
}

/*
 * One CSS escape: s[i] is the first byte after the backslash and starts a
 * run of hex digits.  Only the last two digits are used; four digits, or
 * five/six with leading zeros, get the full-width check.  Returns the bytes
 * consumed, including one whitespace byte after the digits.
 */
static apr_size_t css_hex_escape(const uchar *s, apr_size_t len, apr_size_t i,
                                 uchar *b, apr_size_t *n)
{
    apr_size_t j = 0;
    int fullcheck = 0;
    uchar c;

    while (j < 6 && i + j < len && is_hex(s[i + j])) {
        j++;
    }
    c = j == 1 ? hex_nibble(s[i]) : hex_pair(s + i + j - 2);
    if (j == 4 || (j == 5 && s[i] == '0') || (j == 6 && s[i] == '0' && s[i + 1] == '0')) {
        fullcheck = 1;
    }
    if (fullcheck && c > 0x00 && c < 0x5f && is_f(s[i + j - 3]) && is_f(s[i + j - 4])) {
        c += 0x20;
    }
    b[(*n)++] = c;
    if (i + j < len && is_space(s[i + j])) {
        j++;
    }
    return j;
}

static int tfn_cssDecode(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0;
    uchar *b;

    if (!has_byte(in, len, '\\')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (s[i] != '\\') {
            b[n++] = s[i++];
            continue;
        }
        i++;                    /* the backslash itself is never kept */
        if (i >= len) {
            break;
        }
        if (is_hex(s[i])) {
            i += css_hex_escape(s, len, i, b, &n);
        } else if (s[i] == '\n') {
            i++;                /* escaped newline: line continuation */
        } else {
            b[n++] = s[i++];
        }
    }
    return done_by_len(b, n, len, out, out_len);
}

/* Named entities ModSecurity knows; any other name is left alone. */
static int entity_byte(const uchar *name, apr_size_t n)
{
    static const struct { const char *name; uchar c; } ents[] = {
        { "quot", '"' }, { "amp", '&' }, { "lt", '<' }, { "gt", '>' },
        { "nbsp", NBSP }
    };
    apr_size_t k;

    for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
        if (strlen(ents[k].name) == n
            && strncasecmp((const char *)name, ents[k].name, n) == 0) {
            return ents[k].c;
        }
    }
    return -1;
}

/*
 * One entity at s[i] == '&'.  Returns the bytes consumed and stores the
 * decoded byte, or returns 0 and sets *copy to how many raw bytes ModSecurity
 * copies before looking for the next entity ("&#x" is copied as a unit).
 */
static apr_size_t html_entity(const uchar *s, apr_size_t len, apr_size_t i,
                              uchar *c, apr_size_t *copy)
{
    apr_size_t j = i + 1, k;
    unsigned base = 10;
    int e;

    *copy = 1;
    if (j >= len) {
        return 0;
    }
    if (s[j] == '#') {
        *copy = 2;
        if (++j >= len) {
            return 0;
        }
        if (s[j] == 'x' || s[j] == 'X') {
            *copy = 3;
            if (++j >= len) {
                return 0;
            }
            base = 16;
        }
        for (k = j; j < len && (base == 16 ? is_hex(s[j]) : is_digit(s[j])); j++)
            ;
        if (j == k) {
            return 0;
        }
        *c = digits_to_byte(s + k, j - k, base);
    } else {
        for (k = j; j < len && is_alnum(s[j]); j++)
            ;
        if (j == k) {
            return 0;
        }
        if ((e = entity_byte(s + k, j - k)) == -1) {
            *copy = j - i;
            return 0;
        }
        *c = (uchar)e;
    }
    if (j < len && s[j] == ';') {
        j++;
    }
    return j - i;
}

static int tfn_htmlEntityDecode(apr_pool_t *p, const char *in, apr_size_t len,
                                char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0, used, copy;
    uchar *b;

    if (!has_byte(in, len, '&')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        copy = 1;
        if (s[i] == '&' && (used = html_entity(s, len, i, &b[n], &copy)) > 0) {
            n++;
            i += used;
            continue;
        }
        while (copy-- > 0 && i < len) {
            b[n++] = s[i++];
        }
    }
    return done_by_len(b, n, len, out, out_len);
}

/* ANSI C escapes; an unknown or malformed escape loses its backslash. */
static int tfn_escapeSeqDecode(apr_pool_t *p, const char *in, apr_size_t len,
                               char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0, j;
    uchar *b, x;
    int c;

    if (!has_byte(in, len, '\\')) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len);
    while (i < len) {
        if (s[i] != '\\' || i + 1 >= len) {
            b[n++] = s[i++];
            continue;
        }
        x = s[i + 1];
        c = c_escape(x);
        if (c == -1 && (x == '\\' || x == '?' || x == '\'' || x == '"')) {
            c = x;
        }
        if (c != -1) {
            i += 2;
        } else if ((x == 'x' || x == 'X') && i + 3 < len
                   && is_hex(s[i + 2]) && is_hex(s[i + 3])) {
            c = hex_pair(s + i + 2);
            i += 4;
        } else if (is_odigit(x)) {
            /* up to \777: the value is truncated to a byte */
            j = octal_run(s, len, i + 1);
            c = (int)octal_value(s + i + 1, j);
            i += 1 + j;
        } else {
            c = x;
            i += 2;
        }
        b[n++] = (uchar)c;
    }
    return done_by_len(b, n, len, out, out_len);
}

/* Pairs of hex digits, unvalidated; an odd last digit is dropped. */
static int tfn_hexDecode(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i, n = 0;
    uchar *b = new_buf(p, len / 2);

    for (i = 0; i + 2 <= len; i += 2) {
        b[n++] = hex_pair(s + i);
    }
    return done(b, n, 1, out, out_len);
}

/*
 * 0xHHHH... literals.  Works on text up to the first NUL; the byte after a
 * run of hex pairs is copied unexamined, and the result ends at its first
 * NUL (a decoded 0x00 included), as ModSecurity's strlen() does.
 */
static int tfn_sqlHexDecode(apr_pool_t *p, const char *in, apr_size_t len,
                            char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0;
    uchar *b = new_buf(p, len);

    while (i < len && s[i] != '\0') {
        if (s[i] == '0' && to_lower(byte_at(s, len, i + 1)) == 'x'
            && is_hex(byte_at(s, len, i + 2)) && is_hex(byte_at(s, len, i + 3))) {
            i += 2;
            while (is_hex(byte_at(s, len, i)) && is_hex(byte_at(s, len, i + 1))) {
                b[n++] = hex_pair(s + i);
                i += 2;
            }
            if (i >= len || s[i] == '\0') {
                break;
            }
        }
        b[n++] = s[i++];
    }
    b[n] = '\0';
    return done(b, strlen((const char *)b), 1, out, out_len);
}

/* ------------------------------------------------------------------------
 * Base64
 * --------------------------------------------------------------------- */

/* Sextet value of a Base64 alphabet byte, -1 for anything else. */
static int b64_value(uchar c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/*
 * apr_base64_decode(): decodes the leading run of alphabet bytes and stops at
 * anything else ('=' included); a lone trailing sextet is ignored.
 */
static int tfn_base64Decode(apr_pool_t *p, const char *in, apr_size_t len,
                            char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t run = 0, i, n = 0;
    unsigned acc = 0;
    uchar *b;

    while (run < len && b64_value(s[run]) >= 0) {
        run++;
    }
    b = new_buf(p, run / 4 * 3 + 2);
    for (i = 0; i < run; i++) {
        acc = (acc << 6) | (unsigned)b64_value(s[i]);
        if (i % 4 == 1) b[n++] = (uchar)(acc >> 4);
        if (i % 4 == 2) b[n++] = (uchar)(acc >> 2);
        if (i % 4 == 3) b[n++] = (uchar)acc;
    }
    return done(b, n, n > 0, out, out_len);
}

/*
 * Forgiving decoder: skips bytes outside the alphabet, stops at NUL, and
 * gives up (empty result) on a '=' that follows a lone sextet unless another
 * '=' comes right after it.
 */
static int tfn_base64DecodeExt(apr_pool_t *p, const char *in, apr_size_t len,
                               char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i, sextets = 0, n = 0;
    uchar *b = new_buf(p, len);
    int v;

    b[0] = 0;
    for (i = 0; i < len && s[i] != '\0'; i++) {
        if (s[i] == '=') {
            if (byte_at(s, len, i + 1) != '=' && sextets % 4 == 1) {
                return done(b, 0, 0, out, out_len);
            }
            continue;
        }
        if ((v = b64_value(s[i])) < 0) {
            continue;
        }
        switch (sextets % 4) {
        case 0: b[n] = (uchar)(v << 2); break;
        case 1: b[n++] |= (uchar)(v >> 4); b[n] = (uchar)((v & 0x0f) << 4); break;
        case 2: b[n++] |= (uchar)(v >> 2); b[n] = (uchar)((v & 0x03) << 6); break;
        case 3: b[n++] |= (uchar)v; break;
        }
        sextets++;
    }
    return done(b, n, n > 0, out, out_len);
}

static int tfn_base64Encode(apr_pool_t *p, const char *in, apr_size_t len,
                            char **out, apr_size_t *out_len)
{
    char *b;
    int n;

    if (len == 0) {
        return keep(in, len, out, out_len);
    }
    b = apr_palloc(p, apr_base64_encode_len((int)len));
    n = apr_base64_encode_binary(b, (const uchar *)in, (int)len) - 1;
    *out = b;
    *out_len = (apr_size_t)n;
    return n > 0;
}

/* ------------------------------------------------------------------------
 * Encoders, hashes, length
 * --------------------------------------------------------------------- */

static const char hex_digits[] = "0123456789abcdef";

static int tfn_hexEncode(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i;
    uchar *b = new_buf(p, len * 2);

    for (i = 0; i < len; i++) {
        b[2 * i] = (uchar)hex_digits[s[i] >> 4];
        b[2 * i + 1] = (uchar)hex_digits[s[i] & 0x0f];
    }
    return done(b, len * 2, 1, out, out_len);
}

/* Keeps '*' and alphanumerics, space becomes '+', the rest %hh. */
static int url_safe(uchar c)
{
    return c == '*' || is_alnum(c);
}

static int tfn_urlEncode(apr_pool_t *p, const char *in, apr_size_t len,
                         char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i, n = 0;
    uchar *b;

    for (i = 0; i < len && url_safe(s[i]); i++)
        ;
    if (i == len) {
        return keep(in, len, out, out_len);
    }
    b = new_buf(p, len * 3);
    for (i = 0; i < len; i++) {
        if (url_safe(s[i])) {
            b[n++] = s[i];
        } else if (s[i] == ' ') {
            b[n++] = '+';
        } else {
            b[n++] = '%';
            b[n++] = (uchar)hex_digits[s[i] >> 4];
            b[n++] = (uchar)hex_digits[s[i] & 0x0f];
        }
    }
    return done(b, n, 1, out, out_len);
}

static int tfn_length(apr_pool_t *p, const char *in, apr_size_t len,
                      char **out, apr_size_t *out_len)
{
    (void)in;
    *out = apr_psprintf(p, "%" APR_SIZE_T_FMT, len);
    *out_len = strlen(*out);
    return 1;
}

static int tfn_md5(apr_pool_t *p, const char *in, apr_size_t len,
                   char **out, apr_size_t *out_len)
{
    uchar digest[APR_MD5_DIGESTSIZE];

    apr_md5(digest, in, len);
    *out = apr_pstrmemdup(p, (const char *)digest, sizeof(digest));
    *out_len = sizeof(digest);
    return 1;
}

static int tfn_sha1(apr_pool_t *p, const char *in, apr_size_t len,
                    char **out, apr_size_t *out_len)
{
    uchar digest[APR_SHA1_DIGESTSIZE];
    apr_sha1_ctx_t ctx;

    apr_sha1_init(&ctx);
    apr_sha1_update_binary(&ctx, (const uchar *)in, (unsigned int)len);
    apr_sha1_final(digest, &ctx);
    *out = apr_pstrmemdup(p, (const char *)digest, sizeof(digest));
    *out_len = sizeof(digest);
    return 1;
}

/* ------------------------------------------------------------------------
 * UTF-8 to %uHHHH
 * --------------------------------------------------------------------- */

/*
 * Length of the UTF-8 sequence led by c, 1 for an ASCII byte, 0 for a byte
 * that cannot lead one (copied as is).
 */
static apr_size_t utf8_seq_len(uchar c)
{
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0) return 2;
    if ((c & 0xf0) == 0xe0) return 3;
    if ((c & 0xf8) == 0xf0) return 4;
    return 0;
}

static int utf8_tail_ok(const uchar *s, apr_size_t len, apr_size_t i, apr_size_t n)
{
    apr_size_t k;

    for (k = 1; k < n; k++) {
        if ((byte_at(s, len, i + k) & 0xc0) != 0x80) {
            return 0;
        }
    }
    return 1;
}

static apr_size_t put_unicode(uchar *b, apr_size_t n, unsigned d)
{
    char hex[16];
    int k, w = apr_snprintf(hex, sizeof(hex), "%04x", d);

    b[n++] = '%';
    b[n++] = 'u';
    for (k = 0; k < w; k++) {
        b[n++] = (uchar)hex[k];
    }
    return n;
}

/*
 * Valid 2-4 byte sequences become %uHHHH (at least 4 lowercase digits).
 * Overlong forms and surrogates also get their lead byte appended; a lead
 * byte F5-F7 is emitted before the sequence; a lead byte with a broken
 * sequence is dropped; NUL bytes are dropped; stray bytes are copied.
 * Only decoded sequences count as a change.
 */
static int tfn_utf8toUnicode(apr_pool_t *p, const char *in, apr_size_t len,
                             char **out, apr_size_t *out_len)
{
    static const unsigned lead_mask[5] = { 0, 0, 0x1f, 0x0f, 0x07 };
    static const unsigned min_code[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    const uchar *s = (const uchar *)in;
    apr_size_t i = 0, n = 0, sl, k;
    int changed = 0;
    unsigned d;
    uchar *b;

    for (i = 0; i < len && s[i] != 0 && s[i] < 0x80; i++)
        ;
    if (i == len) {
        return keep(in, len, out, out_len);
    }
    /* worst case: 2 bytes -> "%uHHHH" plus the lead byte */
    b = new_buf(p, len * 4);
    i = 0;
    while (i < len) {
        uchar c = s[i];

        sl = utf8_seq_len(c);
        if (sl <= 1) {
            if (c != 0) {
                b[n++] = c;
            }
            i++;
            continue;
        }
        if (sl == 4 && c >= 0xf5) {
            b[n++] = c;
        }
        if (!utf8_tail_ok(s, len, i, sl)) {
            i++;
            continue;
        }
        d = c & lead_mask[sl];
        for (k = 1; k < sl; k++) {
            d = (d << 6) | (s[i + k] & 0x3f);
        }
        n = put_unicode(b, n, d);
        changed = 1;
        /* both checks apply: an overlong surrogate gets the byte twice */
        if (d >= 0xd800 && d <= 0xdfff) {
            b[n++] = c;
        }
        if (d < min_code[sl]) {
            b[n++] = c;
        }
        i += sl;
    }
    return done(b, n, changed, out, out_len);
}

/* ------------------------------------------------------------------------
 * Shell command lines
 * --------------------------------------------------------------------- */

/*
 * Deletes \ " ' ^, turns runs of space , ; TAB CR LF into one space, drops
 * a space before / and (, lower-cases the rest.  Stops at the first NUL and
 * always reports a change, as ModSecurity does.
 */
static int tfn_cmdline(apr_pool_t *p, const char *in, apr_size_t len,
                       char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i, n = 0;
    int space = 0;
    uchar *b = new_buf(p, len);

    for (i = 0; i < len && s[i] != '\0'; i++) {
        switch (s[i]) {
        case '"': case '\'': case '\\': case '^':
            break;
        case ' ': case ',': case ';': case '\t': case '\r': case '\n':
            if (!space) {
                b[n++] = ' ';
                space = 1;
            }
            break;
        case '/': case '(':
            if (space) {
                n--;
            }
            space = 0;
            b[n++] = s[i];
            break;
        default:
            b[n++] = to_lower(s[i]);
            space = 0;
        }
    }
    return done(b, n, 1, out, out_len);
}

/* ------------------------------------------------------------------------
 * Paths
 * --------------------------------------------------------------------- */

/*
 * Removes "." and ".." segments and repeated slashes in place on a copy
 * (see path_walk).  The walk mirrors ModSecurity's step by step so that its
 * corner cases (relative paths climbing past their start, root handling,
 * trailing slash, when a change is flagged) come out the same.
 */

static int is_sep(const path_walk *w, uchar c)
{
    return c == '/' || (w->win && c == '\\');
}

/*
 * A "." or ".." segment ends at src.  Drops it from the output and moves src
 * onto the separator after it, which the caller then copies in the same
 * step (unconverted if it is a backslash, as in ModSecurity).  Returns 1
 * when the segment ends the value: nothing is left to copy.
 */
static int path_dot(path_walk *w)
{
    uchar *b = w->b;

    if (w->dst > 0 && b[w->dst - 1] == '.') {
        /* ".." that cannot climb: keep it */
        if (w->relative && (w->hitroot || w->dst - 2 <= 0)) {
            w->hitroot = 1;
            return 0;
        }
        w->dst -= 3;
        while (w->dst > 0 && b[w->dst] != '/') {
            w->dst--;
        }
        if (w->dst <= 0) {
            w->hitroot = 1;
            w->dst = 0;
            if (!w->relative && w->src == w->end) {
                w->dst++;
            }
        }
        if (w->done) {
            return 1;           /* ModSecurity does not flag this one */
        }
    } else if (w->dst == 0) {
        /* leading "./" of a relative path */
        w->changed = 1;
        if (w->done) {
            return 1;
        }
    } else if (b[w->dst - 1] == '/') {
        w->changed = 1;
        if (w->done) {
            return 1;
        }
        w->dst--;
    } else {
        return 0;               /* a name ending in '.' */
    }
    w->changed = 1;
    w->src++;
    return 0;
}

/* Copies b[src], collapsing a run of slashes into its last one. */
static void path_copy(path_walk *w)
{
    uchar *b = w->b;
    long start = w->src;

    if (b[w->src] == '/') {
        while (w->src < w->end && is_sep(w, b[w->src + 1])) {
            w->src++;
        }
        if (w->src != start) {
            w->changed = 1;
        }
        /* a relative path never starts with a slash */
        if (w->relative && w->dst == 0) {
            w->src++;
            return;
        }
    }
    b[w->dst++] = b[w->src++];
}

static void path_step(path_walk *w)
{
    uchar *b = w->b;

    if (w->win) {
        if (b[w->src] == '\\') {
            b[w->src] = '/';
            w->changed = 1;
        }
        if (w->src < w->end && b[w->src + 1] == '\\') {
            b[w->src + 1] = '/';
            w->changed = 1;
        }
    }
    if (w->src == w->end) {
        w->done = 1;
    } else if (b[w->src + 1] != '/') {
        path_copy(w);           /* not the end of a segment */
        return;
    }
    if (w->src != w->end && b[w->src] == '/') {
        w->changed = 1;         /* empty segment: the copy collapses it */
    } else if (b[w->src] == '.') {
        if (path_dot(w)) {
            return;
        }
    } else if (w->dst > 0) {
        w->hitroot = 0;
    }
    path_copy(w);
}

static int normalise_path(apr_pool_t *p, const char *in, apr_size_t len, int win,
                          char **out, apr_size_t *out_len)
{
    path_walk w;
    apr_size_t i;
    int trailing;

    for (i = 0; i < len; i++) {
        if (in[i] == '/' || in[i] == '.' || (win && in[i] == '\\')) {
            break;
        }
    }
    if (i == len) {
        return keep(in, len, out, out_len);
    }
    memset(&w, 0, sizeof(w));
    w.b = (uchar *)apr_pstrmemdup(p, in, len);
    w.end = (long)len - 1;
    w.win = win;
    w.relative = !is_sep(&w, w.b[0]);
    trailing = is_sep(&w, w.b[w.end]);

    while (!w.done && w.src <= w.end && w.dst <= w.end) {
        path_step(&w);
    }
    /* no trailing slash unless the input had one */
    if (!trailing && w.dst > 0 && w.b[w.dst - 1] == '/') {
        w.dst--;
    }
    return done(w.b, (apr_size_t)w.dst, w.changed, out, out_len);
}

static int tfn_normalisePath(apr_pool_t *p, const char *in, apr_size_t len,
                             char **out, apr_size_t *out_len)
{
    return normalise_path(p, in, len, 0, out, out_len);
}

static int tfn_normalisePathWin(apr_pool_t *p, const char *in, apr_size_t len,
                                char **out, apr_size_t *out_len)
{
    return normalise_path(p, in, len, 1, out, out_len);
}

/* ------------------------------------------------------------------------
 * 7-bit parity.  The parity is taken over all eight bits, as ModSecurity
 * does, then stored in bit 7.
 * --------------------------------------------------------------------- */

static int odd_bits(uchar c)
{
    uchar t = (uchar)((c ^ (c >> 4)) & 0x0f);

    return (0x6996 >> t) & 1;
}

static int parity(apr_pool_t *p, const char *in, apr_size_t len, int mode,
                  char **out, apr_size_t *out_len)
{
    const uchar *s = (const uchar *)in;
    apr_size_t i;
    int changed = 0;
    uchar *b = new_buf(p, len);

    for (i = 0; i < len; i++) {
        int set = mode == 'e' ? odd_bits(s[i]) : mode == 'o' ? !odd_bits(s[i]) : 0;
        b[i] = set ? (uchar)(s[i] | 0x80) : (uchar)(s[i] & 0x7f);
        changed |= b[i] != s[i];
    }
    if (!changed) {
        return keep(in, len, out, out_len);
    }
    return done(b, len, 1, out, out_len);
}

static int tfn_parityEven7bit(apr_pool_t *p, const char *in, apr_size_t len,
                              char **out, apr_size_t *out_len)
{
    return parity(p, in, len, 'e', out, out_len);
}

static int tfn_parityOdd7bit(apr_pool_t *p, const char *in, apr_size_t len,
                             char **out, apr_size_t *out_len)
{
    return parity(p, in, len, 'o', out, out_len);
}

static int tfn_parityZero7bit(apr_pool_t *p, const char *in, apr_size_t len,
                              char **out, apr_size_t *out_len)
{
    return parity(p, in, len, 'z', out, out_len);
}

/* ------------------------------------------------------------------------
 * SecUnicodeMapFile
 * --------------------------------------------------------------------- */

static apr_status_t unicode_map_cleanup(void *map)
{
    if (unicode_map == map) {
        unicode_map = NULL;
        unicode_codepage = 0;
    }
    return APR_SUCCESS;
}

/* "hhhh:bb": code unit and best-fit byte, both hex, parsed as sscanf %x
 * does; a side that does not parse keeps its previous value. */
static void unicode_map_entry(int *map, const char *tok, unsigned *code, unsigned *byte)
{
    const char *colon;

    while (*tok == ':') {
        tok++;
    }
    if (*tok == '\0') {
        return;
    }
    colon = strchr(tok, ':');
    sscanf(tok, "%x", code);
    if (colon != NULL) {
        sscanf(colon + 1, "%x", byte);
    }
    if (*code < UNICODE_MAP_SIZE) {
        map[*code] = (int)*byte;
    }
}

/*
 * The file is a list of sections "<codepage> (description)" followed by
 * "hhhh:bb" tokens.  As in ModSecurity, a token whose leading number equals
 * the code page starts the section, its mapping tokens are applied, and the
 * first later token without a colon ends it.
 */
static void unicode_map_parse(int *map, char *text, int codepage)
{
    char *tok, *save = NULL;
    int found = 0, processing = 0;
    unsigned code = 0, byte = 0;

    for (tok = apr_strtok(text, CODEPAGE_SEPS, &save); tok != NULL;
         tok = apr_strtok(NULL, CODEPAGE_SEPS, &save)) {
        int mapping = strchr(tok, ':') != NULL;

        if ((unsigned)atol(tok) == (unsigned)codepage) {
            found = 1;
        }
        if (found && mapping) {
            processing = 1;
            unicode_map_entry(map, tok, &code, &byte);
        }
        if (processing && !mapping) {
            break;
        }
    }
}

const char *pl_tfn_load_unicode_map(apr_pool_t *p, const char *path, int codepage)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t n = 0;
    apr_status_t rc;
    char err[256];
    char *text;
    int *map;
    long k;

    unicode_map = NULL;
    unicode_codepage = 0;

    rc = apr_file_open(&f, path, APR_READ | APR_BINARY, APR_OS_DEFAULT, p);
    if (rc != APR_SUCCESS) {
        return apr_psprintf(p, "Could not open unicode map file \"%s\": %s",
                            path, apr_strerror(rc, err, sizeof(err)));
    }
    rc = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (rc != APR_SUCCESS) {
        apr_file_close(f);
        return apr_psprintf(p, "Could not get unicode map file information \"%s\": %s",
                            path, apr_strerror(rc, err, sizeof(err)));
    }
    text = apr_palloc(p, (apr_size_t)fi.size + 1);
    apr_file_read_full(f, text, (apr_size_t)fi.size, &n);
    apr_file_close(f);
    text[n] = '\0';

    map = apr_palloc(p, sizeof(int) * UNICODE_MAP_SIZE);
    for (k = 0; k < UNICODE_MAP_SIZE; k++) {
        map[k] = -1;
    }
    /* full stops of RFC 3490 section 3.1, mapped whatever the code page */
    map[0x002e] = map[0x3002] = map[0xff0e] = map[0xff61] = 0x2e;
    unicode_map_parse(map, text, codepage);

    unicode_map = map;
    unicode_codepage = codepage;
    apr_pool_cleanup_register(p, map, unicode_map_cleanup, apr_pool_cleanup_null);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Registration table.  Names are spelled as ModSecurity registers them
 * (they appear in logs); lookup ignores case.  t:none has no function: the
 * rule parser handles it.
 * --------------------------------------------------------------------- */

static const pl_tfndef tfn_table[] = {
    { "none",               NULL },
    { "base64Decode",       tfn_base64Decode },
    { "base64DecodeExt",    tfn_base64DecodeExt },
    { "base64Encode",       tfn_base64Encode },
    { "cmdline",            tfn_cmdline },
    { "compressWhitespace", tfn_compressWhitespace },
    { "cssDecode",          tfn_cssDecode },
    { "escapeSeqDecode",    tfn_escapeSeqDecode },
    { "hexDecode",          tfn_hexDecode },
    { "hexEncode",          tfn_hexEncode },
    { "htmlEntityDecode",   tfn_htmlEntityDecode },
    { "jsDecode",           tfn_jsDecode },
    { "length",             tfn_length },
    { "lowercase",          tfn_lowercase },
    { "md5",                tfn_md5 },
    { "normalisePath",      tfn_normalisePath },
    { "normalizePath",      tfn_normalisePath },
    { "normalisePathWin",   tfn_normalisePathWin },
    { "normalizePathWin",   tfn_normalisePathWin },
    { "parityEven7bit",     tfn_parityEven7bit },
    { "parityOdd7bit",      tfn_parityOdd7bit },
    { "parityZero7bit",     tfn_parityZero7bit },
    { "removeComments",     tfn_removeComments },
    { "removeCommentsChar", tfn_removeCommentsChar },
    { "removeNulls",        tfn_removeNulls },
    { "removeWhitespace",   tfn_removeWhitespace },
    { "replaceComments",    tfn_replaceComments },
    { "replaceNulls",       tfn_replaceNulls },
    { "sha1",               tfn_sha1 },
    { "sqlHexDecode",       tfn_sqlHexDecode },
    { "trim",               tfn_trim },
    { "trimLeft",           tfn_trimLeft },
    { "trimRight",          tfn_trimRight },
    { "urlDecode",          tfn_urlDecode },
    { "urlDecodeUni",       tfn_urlDecodeUni },
    { "urlEncode",          tfn_urlEncode },
    { "Utf8toUnicode",      tfn_utf8toUnicode },
};

const pl_tfndef *pl_tfn_find(const char *name)
{
    apr_size_t k;

    if (name == NULL) {
        return NULL;
    }
    for (k = 0; k < sizeof(tfn_table) / sizeof(tfn_table[0]); k++) {
        if (strcasecmp(tfn_table[k].name, name) == 0) {
            return &tfn_table[k];
        }
    }
    return NULL;
}
