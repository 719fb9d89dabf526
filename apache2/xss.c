/*
 * xss.c - cross-site scripting detector behind @detectXSS.
 *
 * A small HTML tokenizer, after the HTML5 rules for tags, attributes,
 * comments and markup declarations, reads the input as a page fragment
 * (text that may open tags) and, when the input could be the rest of an
 * attribute value, as if it started inside an unquoted, single-, double- or
 * back-quoted value.  It reports an attack when it meets:
 *   - a tag that runs script or loads content: script, iframe, object,
 *     embed, svg, style, base, link, meta, form, frameset, applet, ...
 *     (a namespace prefix does not hide it: <x:script>);
 *   - an event handler attribute (on...=) with a value;
 *   - a URL attribute (href, src, action, ...) whose value starts with
 *     javascript:, vbscript: or data: (not a raster image), once leading
 *     spaces, control characters, tabs and newlines and their character
 *     references are dropped, as browsers do;
 *   - a style attribute running script: expression(, javascript:, behavior,
 *     -moz-binding, @import;
 *   - xmlns, xlink:href, srcdoc attributes;
 *   - a comment with an IE conditional ([if, <![endif), a backtick (old IE
 *     ends attribute values with it), a DOCTYPE, or an <?xml / <?import
 *     processing instruction.
 * No allocation: the state is a few locals.
 */
#include <string.h>

#include <apr_lib.h>

#include "palisade.h"

#define NAME_MAX_LEN 32          /* longer tag and attribute names are harmless */

typedef struct {
    const unsigned char *s;
    apr_size_t           len;
    apr_size_t           pos;
} xss_scan_t;

/* Tags whose mere presence runs script or pulls in active content. */
static const char *const bad_tags[] = {
    "applet", "base", "bgsound", "embed", "form", "frame", "frameset",
    "handler", "iframe", "ilayer", "import", "isindex", "layer", "link",
    "listener", "meta", "noscript", "object", "portal", "script", "style",
    "svg", "vmlframe", "xml", "xss", NULL
};

/* Attributes holding a URL (or, for SVG animation, a value given to one). */
static const char *const url_attrs[] = {
    "action", "archive", "background", "by", "cite", "classid", "codebase",
    "content", "data", "dynsrc", "folder", "formaction", "from", "href",
    "icon", "longdesc", "lowsrc", "manifest", "ping", "poster", "profile",
    "src", "srcset", "to", "usemap", "values", NULL
};

/* Event handlers that count even when the input starts inside an attribute
 * value (there any on* name in prose would be too loose). */
static const char *const events[] = {
    "onabort", "onactivate", "onafterprint", "onanimationend",
    "onanimationiteration", "onanimationstart", "onauxclick",
    "onbeforeactivate", "onbeforecopy", "onbeforecut", "onbeforeinput",
    "onbeforepaste", "onbeforeprint", "onbeforetoggle", "onbeforeunload",
    "onbegin", "onblur", "oncanplay", "oncanplaythrough", "onchange",
    "onclick", "onclose", "oncontextmenu", "oncopy", "oncuechange", "oncut",
    "ondblclick", "ondrag", "ondragend", "ondragenter", "ondragleave",
    "ondragover", "ondragstart", "ondrop", "ondurationchange", "onend",
    "onended", "onerror", "onfinish", "onfocus", "onfocusin", "onfocusout",
    "onformdata", "onfullscreenchange", "onhashchange", "oninput",
    "oninvalid", "onkeydown", "onkeypress", "onkeyup", "onload",
    "onloadeddata", "onloadedmetadata", "onloadstart", "onmessage",
    "onmousedown", "onmouseenter", "onmouseleave", "onmousemove",
    "onmouseout", "onmouseover", "onmouseup", "onmousewheel", "onoffline",
    "ononline", "onpagehide", "onpageshow", "onpaste", "onpause", "onplay",
    "onplaying", "onpointercancel", "onpointerdown", "onpointerenter",
    "onpointerleave", "onpointermove", "onpointerout", "onpointerover",
    "onpointerrawupdate", "onpointerup", "onpopstate", "onprogress",
    "onratechange", "onrepeat", "onreset", "onresize", "onscroll",
    "onscrollend", "onsearch", "onseeked", "onseeking", "onselect",
    "onselectionchange", "onselectstart", "onshow", "onstalled",
    "onstorage", "onsubmit", "onsuspend", "ontimeupdate", "ontoggle",
    "ontouchend", "ontouchmove", "ontouchstart", "ontransitioncancel",
    "ontransitionend", "ontransitionrun", "ontransitionstart", "onunload",
    "onvolumechange", "onwaiting", "onwheel", NULL
};

static int is_html_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
        || c == '\v' || c == '\0';
}

/* Case-insensitive: does s[0..n) equal the lower-case word w? */
static int name_is(const unsigned char *s, apr_size_t n, const char *w)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (w[i] == '\0' || apr_tolower(s[i]) != (unsigned char)w[i]) {
            return 0;
        }
    }
    return w[n] == '\0';
}

static int in_list(const unsigned char *s, apr_size_t n, const char *const *list)
{
    int i;

    if (n == 0 || n > NAME_MAX_LEN) {
        return 0;
    }
    for (i = 0; list[i]; i++) {
        if (name_is(s, n, list[i])) {
            return 1;
        }
    }
    return 0;
}

/* Case-insensitive: does s[0..n) start with the lower-case word w? */
static int starts_with(const unsigned char *s, apr_size_t n, const char *w)
{
    apr_size_t i;

    for (i = 0; w[i]; i++) {
        if (i >= n || apr_tolower(s[i]) != (unsigned char)w[i]) {
            return 0;
        }
    }
    return 1;
}

static int contains_ci(const unsigned char *s, apr_size_t n, const char *w)
{
    apr_size_t i, wl = strlen(w);

    for (i = 0; i + wl <= n; i++) {
        if (starts_with(s + i, n - i, w)) {
            return 1;
        }
    }
    return 0;
}

/* The next character of a URL as a browser resolves it: character
 * references decoded, tabs, newlines and NULs dropped.  -1 at the end. */
static int url_char(const unsigned char *v, apr_size_t n, apr_size_t *i)
{
    while (*i < n) {
        int c = v[*i];

        if (c == '&' && *i + 1 < n) {
            apr_size_t j = *i + 1;
            if (v[j] == '#') {
                int hex = 0, val = 0, digits = 0;
                j++;
                if (j < n && (v[j] | 0x20) == 'x') {
                    hex = 1;
                    j++;
                }
                while (j < n && (hex ? apr_isxdigit(v[j]) : apr_isdigit(v[j]))) {
                    int d = apr_isdigit(v[j]) ? v[j] - '0' : (v[j] | 0x20) - 'a' + 10;
                    val = val < 0x110000 ? val * (hex ? 16 : 10) + d : val;
                    digits++;
                    j++;
                }
                if (digits > 0) {
                    if (j < n && v[j] == ';') {
                        j++;
                    }
                    *i = j;
                    c = val;
                    if (c == '\t' || c == '\n' || c == '\r' || c == 0) {
                        continue;
                    }
                    return c;
                }
            } else if (starts_with(v + j, n - j, "colon;")) {
                *i = j + 6;
                return ':';
            } else if (starts_with(v + j, n - j, "tab;")) {
                *i = j + 4;
                continue;
            } else if (starts_with(v + j, n - j, "newline;")) {
                *i = j + 8;
                continue;
            }
        }
        (*i)++;
        if (c == '\t' || c == '\n' || c == '\r' || c == 0) {
            continue;
        }
        return c;
    }
    return -1;
}

/* Does a URL value start with a scheme that runs script? */
static int bad_url(const unsigned char *v, apr_size_t n)
{
    static const char *const schemes[] = {
        "javascript:", "vbscript:", "livescript:", "mocha:", "data:", NULL
    };
    unsigned char buf[24];
    apr_size_t i = 0, k = 0;
    int c, s;

    /* leading spaces and control characters are ignored */
    while ((c = url_char(v, n, &i)) >= 0 && c <= 0x20) {
    }
    while (c >= 0 && k < sizeof(buf)) {
        buf[k++] = (unsigned char)apr_tolower(c > 0xff ? '?' : c);
        c = url_char(v, n, &i);
    }
    for (s = 0; schemes[s]; s++) {
        if (starts_with(buf, k, schemes[s])) {
            /* inline raster images are common in rich text */
            if (s == 4 && starts_with(buf + 5, k - 5, "image/")
                && !starts_with(buf + 11, k - 11, "svg")) {
                return 0;
            }
            return 1;
        }
    }
    return 0;
}

/* Does a style value run script?  CSS comments and escapes are dropped
 * first ("exp/ ** /ression(", "\65 xpression"). */
static int bad_style(const unsigned char *v, apr_size_t n)
{
    static const char *const words[] = {
        "expression(", "javascript:", "vbscript:", "behavior:", "behaviour:",
        "-moz-binding", "@import", NULL
    };
    unsigned char buf[256];
    apr_size_t i = 0, k = 0;
    int w;

    while (i < n && k < sizeof(buf)) {
        if (v[i] == '/' && i + 1 < n && v[i + 1] == '*') {
            i += 2;
            while (i + 1 < n && !(v[i] == '*' && v[i + 1] == '/')) {
                i++;
            }
            i += 2;
            continue;
        }
        if (v[i] == '\\' || is_html_space(v[i])) {
            i++;
            continue;
        }
        buf[k++] = (unsigned char)apr_tolower(v[i]);
        i++;
    }
    for (w = 0; words[w]; w++) {
        if (contains_ci(buf, k, words[w])) {
            return 1;
        }
    }
    return 0;
}

/* A tag name, possibly namespaced ("x:script", "svg:svg"). */
static int bad_tag(const unsigned char *name, apr_size_t n)
{
    const unsigned char *colon = memchr(name, ':', n);

    if (in_list(name, n, bad_tags)) {
        return 1;
    }
    if (colon) {
        apr_size_t off = (apr_size_t)(colon - name) + 1;
        return in_list(name + off, n - off, bad_tags)
            || in_list(name, off - 1, bad_tags);
    }
    return 0;
}

/* One attribute; in_tag is 0 when the input started inside a value (no tag
 * was seen), where only well-known event names count. */
static int bad_attr(const unsigned char *name, apr_size_t nlen, int has_value,
                    const unsigned char *val, apr_size_t vlen, int in_tag)
{
    if (nlen > NAME_MAX_LEN || !has_value) {
        return 0;
    }
    if (starts_with(name, nlen, "xmlns") || name_is(name, nlen, "xlink:href")
        || name_is(name, nlen, "srcdoc")) {
        return 1;
    }
    if (nlen >= 5 && starts_with(name, nlen, "on")
        && (in_tag || in_list(name, nlen, events))) {
        return 1;
    }
    if (name_is(name, nlen, "style")) {
        return bad_style(val, vlen);
    }
    if (in_list(name, nlen, url_attrs)) {
        return bad_url(val, vlen);
    }
    return 0;
}

static void skip_spaces(xss_scan_t *sc)
{
    while (sc->pos < sc->len && (is_html_space(sc->s[sc->pos])
                                 || sc->s[sc->pos] == '/')) {
        sc->pos++;
    }
}

/* Attributes up to the end of the tag ('>') or of the input. */
static int scan_attrs(xss_scan_t *sc, int in_tag)
{
    const unsigned char *s = sc->s;

    for (;;) {
        apr_size_t nstart, nlen, vstart = 0, vlen = 0;
        int has_value = 0;

        skip_spaces(sc);
        if (sc->pos >= sc->len) {
            return 0;
        }
        if (s[sc->pos] == '>') {
            sc->pos++;
            return 0;
        }
        /* the name: a leading '=' belongs to it, as in HTML5 */
        nstart = sc->pos++;
        while (sc->pos < sc->len && !is_html_space(s[sc->pos])
               && s[sc->pos] != '/' && s[sc->pos] != '>' && s[sc->pos] != '=') {
            sc->pos++;
        }
        nlen = sc->pos - nstart;
        while (sc->pos < sc->len && is_html_space(s[sc->pos])) {
            sc->pos++;
        }
        if (sc->pos < sc->len && s[sc->pos] == '=') {
            has_value = 1;
            sc->pos++;
            while (sc->pos < sc->len && is_html_space(s[sc->pos])) {
                sc->pos++;
            }
            if (sc->pos < sc->len && (s[sc->pos] == '"' || s[sc->pos] == '\''
                                      || s[sc->pos] == '`')) {
                unsigned char q = s[sc->pos++];
                const unsigned char *e;
                vstart = sc->pos;
                e = memchr(s + vstart, q, sc->len - vstart);
                sc->pos = e ? (apr_size_t)(e - s) + 1 : sc->len;
                vlen = (e ? (apr_size_t)(e - s) : sc->len) - vstart;
            } else {
                vstart = sc->pos;
                while (sc->pos < sc->len && !is_html_space(s[sc->pos])
                       && s[sc->pos] != '>') {
                    sc->pos++;
                }
                vlen = sc->pos - vstart;
            }
        }
        if (bad_attr(s + nstart, nlen, has_value, s + vstart, vlen, in_tag)) {
            return 1;
        }
    }
}

/* "<!..." and "<?...": comments, declarations, processing instructions.
 * pos is just past the '<'. */
static int scan_markup(xss_scan_t *sc)
{
    const unsigned char *s = sc->s + sc->pos, *end;
    apr_size_t left = sc->len - sc->pos, n;

    if (left >= 3 && memcmp(s, "!--", 3) == 0) {
        const unsigned char *body = s + 3;
        apr_size_t blen = left - 3, i;

        for (i = 0; i + 2 < blen; i++) {
            if (body[i] == '-' && body[i + 1] == '-' && body[i + 2] == '>') {
                break;
            }
        }
        n = (i + 2 < blen) ? i : blen;
        if (memchr(body, '`', n) || starts_with(body, n, "[if")
            || contains_ci(body, n, "<![endif") || contains_ci(body, n, "[if ")) {
            return 1;
        }
        sc->pos += 3 + n + (n < blen ? 3 : 0);
        return 0;
    }
    if (s[0] == '!' && starts_with(s + 1, left - 1, "doctype")) {
        return 1;
    }
    if (s[0] == '?' && (starts_with(s + 1, left - 1, "xml")
                        || starts_with(s + 1, left - 1, "import"))) {
        return 1;
    }
    /* a bogus comment ends at the first '>' */
    end = memchr(s, '>', left);
    n = end ? (apr_size_t)(end - s) + 1 : left;
    if (memchr(s, '`', n)) {
        return 1;
    }
    sc->pos += n;
    return 0;
}

/* Page text: tags, end tags and markup declarations. */
static int scan_data(xss_scan_t *sc)
{
    const unsigned char *s = sc->s;

    while (sc->pos < sc->len) {
        const unsigned char *lt = memchr(s + sc->pos, '<', sc->len - sc->pos);
        apr_size_t start;
        unsigned char c;

        if (lt == NULL) {
            return 0;
        }
        sc->pos = (apr_size_t)(lt - s) + 1;
        if (sc->pos >= sc->len) {
            return 0;
        }
        c = s[sc->pos];
        if (c == '!' || c == '?') {
            if (scan_markup(sc)) {
                return 1;
            }
            continue;
        }
        if (c == '/') {
            /* an end tag does nothing; its attributes are ignored too */
            const unsigned char *gt = memchr(s + sc->pos, '>', sc->len - sc->pos);
            sc->pos = gt ? (apr_size_t)(gt - s) + 1 : sc->len;
            continue;
        }
        if (!apr_isalpha(c)) {
            continue;
        }
        start = sc->pos;
        while (sc->pos < sc->len && !is_html_space(s[sc->pos])
               && s[sc->pos] != '/' && s[sc->pos] != '>') {
            sc->pos++;
        }
        if (bad_tag(s + start, sc->pos - start)) {
            return 1;
        }
        if (scan_attrs(sc, 1)) {
            return 1;
        }
    }
    return 0;
}

/* The input as the rest of an attribute value closed by quote (0 for an
 * unquoted value): what follows the value is more attributes, then text. */
static int scan_from_value(xss_scan_t *sc, unsigned char quote)
{
    const unsigned char *s = sc->s;

    if (quote) {
        const unsigned char *e = memchr(s, quote, sc->len);
        if (e == NULL) {
            return 0;
        }
        sc->pos = (apr_size_t)(e - s) + 1;
    } else {
        while (sc->pos < sc->len && !is_html_space(s[sc->pos])
               && s[sc->pos] != '>') {
            sc->pos++;
        }
    }
    return scan_attrs(sc, 0) || scan_data(sc);
}

/* "<script" followed by a tag-name end (or the end of the input). */
static int has_script_tag(const unsigned char *s, apr_size_t len)
{
    const unsigned char *p = s, *end = s + len;

    while ((p = memchr(p, '<', (apr_size_t)(end - p))) != NULL) {
        apr_size_t left = (apr_size_t)(end - p) - 1;
        p++;
        if (starts_with(p, left, "script")
            && (left == 6 || is_html_space(p[6]) || p[6] == '>' || p[6] == '/')) {
            return 1;
        }
    }
    return 0;
}

int pl_detect_xss(const char *s, apr_size_t len)
{
    static const unsigned char quotes[] = { '"', '\'', '`' };
    xss_scan_t sc;
    int i;

    if (s == NULL || len == 0) {
        return 0;
    }
    sc.s = (const unsigned char *)s;
    sc.len = len;
    sc.pos = 0;
    if (has_script_tag(sc.s, len) || scan_data(&sc)) {
        return 1;
    }
    sc.pos = 0;
    if (scan_from_value(&sc, 0)) {
        return 1;
    }
    for (i = 0; i < 3; i++) {
        if (memchr(s, quotes[i], len)) {
            sc.pos = 0;
            if (scan_from_value(&sc, quotes[i])) {
                return 1;
            }
        }
    }
    return 0;
}
