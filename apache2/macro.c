/*
 * Macros: "%{TX.anomaly_score}" and friends inside action parameters,
 * compiled once into literal and variable segments so that expansion at
 * request time only looks values up.
 *
 * An unresolvable macro expands to nothing, as in ModSecurity 2.9.
 */
#include <ctype.h>
#include <sys/uio.h>
#include "palisade.h"

typedef struct pl_macro_seg {
    const char *text;          /* literal part, or NULL for a variable */
    apr_size_t  len;
    pl_target   target;        /* when text == NULL */
} pl_macro_seg;

struct pl_macro {
    const char         *src;
    apr_array_header_t *segs;  /* pl_macro_seg */
    int                 is_const;
};

/* "TX.score" / "MATCHED_VAR" / "request_headers.host" -> target. */
static const char *macro_target(apr_pool_t *p, const char *name, pl_target *t)
{
    const char *dot = strchr(name, '.');
    char *var = dot ? apr_pstrndup(p, name, dot - name) : apr_pstrdup(p, name);
    const pl_vardef *def = pl_vardef_find(var);

    memset(t, 0, sizeof(*t));
    if (def == NULL)
        return apr_psprintf(p, "Unknown variable in macro: %%{%s}", name);
    t->def = def;
    t->text = name;
    if (def->flags & PL_VF_GENERIC) {
        char *c;
        for (c = var; *c; c++) *c = (char)toupper((unsigned char)*c);
        t->coll = var;
    }
    if (dot && dot[1] != '\0')
        t->selector = apr_pstrdup(p, dot + 1);
    return NULL;
}

pl_macro *pl_macro_compile(apr_pool_t *p, const char *text, const char **err)
{
    pl_macro *m = apr_pcalloc(p, sizeof(*m));
    const char *s = text, *start;

    *err = NULL;
    m->src = text;
    m->segs = apr_array_make(p, 2, sizeof(pl_macro_seg));
    m->is_const = 1;
    while (*s) {
        const char *open = strstr(s, "%{");
        const char *close = open ? strchr(open + 2, '}') : NULL;
        pl_macro_seg *seg;

        if (open == NULL || close == NULL) {
            seg = apr_array_push(m->segs);
            seg->text = s;
            seg->len = strlen(s);
            break;
        }
        if (open > s) {
            seg = apr_array_push(m->segs);
            seg->text = s;
            seg->len = open - s;
        }
        start = open + 2;
        seg = apr_array_push(m->segs);
        seg->text = NULL;
        *err = macro_target(p, apr_pstrndup(p, start, close - start), &seg->target);
        if (*err)
            return NULL;
        m->is_const = 0;
        s = close + 1;
    }
    return m;
}

pl_macro *pl_macro_literal(apr_pool_t *p, const char *text)
{
    pl_macro *m = apr_pcalloc(p, sizeof(*m));
    pl_macro_seg *seg;

    m->src = text;
    m->segs = apr_array_make(p, 1, sizeof(pl_macro_seg));
    m->is_const = 1;
    seg = apr_array_push(m->segs);
    seg->text = text;
    seg->len = strlen(text);
    return m;
}

int pl_macro_is_const(const pl_macro *m)
{
    return m == NULL || m->is_const;
}

const char *pl_macro_text(const pl_macro *m)
{
    return m ? m->src : "";
}

const char *pl_macro_expand(pl_tx *tx, const pl_macro *m, apr_size_t *len)
{
    const pl_macro_seg *segs;
    apr_array_header_t *vals;
    struct iovec vec[32];
    int i, n = 0;
    char *out, *o;
    apr_size_t total = 0;

    if (m == NULL) {
        if (len) *len = 0;
        return "";
    }
    if (m->is_const || tx == NULL) {
        if (len) *len = strlen(m->src);
        return m->src;
    }
    segs = (const pl_macro_seg *)m->segs->elts;
    vals = apr_array_make(tx->pool, 4, sizeof(pl_var *));
    for (i = 0; i < m->segs->nelts && n < 32; i++) {
        if (segs[i].text) {
            vec[n].iov_base = (void *)segs[i].text;
            vec[n].iov_len = segs[i].len;
        } else {
            vals->nelts = 0;
            pl_target_values(tx, &segs[i].target, vals);
            if (vals->nelts > 0) {
                const pl_var *v = APR_ARRAY_IDX(vals, 0, const pl_var *);
                vec[n].iov_base = (void *)v->value;
                vec[n].iov_len = v->value_len;
            } else {
                pl_debug(tx, 9, "Asked to expand %%{%s} but it does not exist.",
                         segs[i].target.text);
                vec[n].iov_base = (void *)"";
                vec[n].iov_len = 0;
            }
        }
        total += vec[n].iov_len;
        n++;
    }
    o = out = apr_palloc(tx->pool, total + 1);
    for (i = 0; i < n; i++) {
        memcpy(o, vec[i].iov_base, vec[i].iov_len);
        o += vec[i].iov_len;
    }
    *o = '\0';
    if (len) *len = total;
    return out;
}
