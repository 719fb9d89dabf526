/*
 * Log escaping in ModSecurity 2.9's three styles, so that operator match
 * messages and the "[data ...]" / "[msg ...]" fields read byte for byte as
 * mod_security2 writes them:
 *
 *   pl_log_escape      \b \n \r \t \v \\ and \" by name, other bytes below
 *                      0x20 or from 0x7f as \xHH (ModSecurity log_escape_ex)
 *   pl_log_escape_nq   the same without escaping '"' (log_escape_nq_ex)
 *   pl_log_escape_hex  '"', '\\', bytes below 0x20 and from 0x7f all as \xHH
 *                      (log_escape_hex, used for the [data] field)
 *
 * Hex digits are lower case.  Output is NUL-terminated and allocated from
 * the pool; a NULL input gives an empty string.
 */
#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

static const char hexdigits[] = "0123456789abcdef";

/* ------------------------------------------------------------------------
 * Functions
 * --------------------------------------------------------------------- */

/* The letter written after a backslash for the C escapes ModSecurity names,
 * or 0 when the byte has no named escape. */
static char named_escape(unsigned char c, int quotes)
{
    switch (c) {
    case '\b': return 'b';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\v': return 'v';
    case '\\': return '\\';
    case '"':  return quotes ? '"' : 0;
    default:   return 0;
    }
}

static char *escape_named(apr_pool_t *p, const char *s, apr_size_t len, int quotes)
{
    const unsigned char *in = (const unsigned char *)s;
    char *out, *d;
    apr_size_t i;

    if (s == NULL) {
        return apr_pstrdup(p, "");
    }
    /* worst case: every byte becomes \xHH */
    out = d = apr_palloc(p, len * 4 + 1);
    for (i = 0; i < len; i++) {
        unsigned char c = in[i];
        char name = named_escape(c, quotes);

        if (name != 0) {
            *d++ = '\\';
            *d++ = name;
        } else if (c > 0x1f && c < 0x7f) {
            *d++ = (char)c;
        } else {
            *d++ = '\\';
            *d++ = 'x';
            *d++ = hexdigits[c >> 4];
            *d++ = hexdigits[c & 0x0f];
        }
    }
    *d = '\0';
    return out;
}

char *pl_log_escape(apr_pool_t *p, const char *s, apr_size_t len)
{
    return escape_named(p, s, len, 1);
}

char *pl_log_escape_nq(apr_pool_t *p, const char *s, apr_size_t len)
{
    return escape_named(p, s, len, 0);
}

char *pl_log_escape_hex(apr_pool_t *p, const char *s, apr_size_t len)
{
    const unsigned char *in = (const unsigned char *)s;
    char *out, *d;
    apr_size_t i;

    if (s == NULL) {
        return apr_pstrdup(p, "");
    }
    out = d = apr_palloc(p, len * 4 + 1);
    for (i = 0; i < len; i++) {
        unsigned char c = in[i];

        if (c == '"' || c == '\\' || c <= 0x1f || c >= 0x7f) {
            *d++ = '\\';
            *d++ = 'x';
            *d++ = hexdigits[c >> 4];
            *d++ = hexdigits[c & 0x0f];
        } else {
            *d++ = (char)c;
        }
    }
    *d = '\0';
    return out;
}
