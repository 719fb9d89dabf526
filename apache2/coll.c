/*
 * Collections: the ordered lists of pl_var behind ARGS, cookies, files and
 * the named collections (TX, IP, GEO ...).
 *
 * Keyed collections keep one element per key and index the lower-cased key
 * in a hash, so setvar and %{tx.x} are O(1); unkeyed ones keep duplicates in
 * the order they were added.  Every element carries the name ModSecurity
 * 2.9 logs for it ("TX:score", "ARGS:id"), built once when it is added, so
 * that reading a collection for a rule allocates nothing.
 *
 * Replacing a keyed element puts a new pl_var in its place instead of
 * changing the old one: MATCHED_VAR and friends may still point at it and
 * must keep the value they matched.
 */
#include <ctype.h>
#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

/* Keys up to this size are lower-cased on the stack for a lookup. */
#define KEY_BUF 256

/* ------------------------------------------------------------------------
 * Static functions
 * --------------------------------------------------------------------- */

/* Bytes the log escaping of ModSecurity 2.9 (log_escape_nq) rewrites. */
static int needs_escape(const char *k, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (c < 0x20 || c >= 0x7f || c == '\\')
            return 1;
    }
    return 0;
}

/* "NAME:key" as logged; the key escaped only when it has to be. */
static const char *element_name(const pl_coll *c, const char *key, apr_size_t klen)
{
    const char *k = needs_escape(key, klen) ? pl_log_escape_nq(c->pool, key, klen) : key;
    apr_size_t nlen = strlen(c->name), elen = strlen(k);
    char *name = apr_palloc(c->pool, nlen + 1 + elen + 1);

    memcpy(name, c->name, nlen);
    name[nlen] = ':';
    memcpy(name + nlen + 1, k, elen);
    name[nlen + 1 + elen] = '\0';
    return name;
}

/* Lower-cases key into buf when it fits, else into a pool copy. */
static char *lower_key(apr_pool_t *p, const char *key, apr_size_t klen, char *buf)
{
    char *out = klen < KEY_BUF ? buf : apr_palloc(p, klen + 1);
    apr_size_t i;

    for (i = 0; i < klen; i++)
        out[i] = (char)tolower((unsigned char)key[i]);
    out[klen] = '\0';
    return out;
}

/* Position of v in c->items, or -1. */
static int position_of(const pl_coll *c, const pl_var *v)
{
    int i;

    for (i = 0; i < c->items->nelts; i++)
        if (APR_ARRAY_IDX(c->items, i, const pl_var *) == v)
            return i;
    return -1;
}

static pl_var *new_element(pl_coll *c, const char *key, apr_size_t klen,
                           const char *val, apr_size_t len)
{
    pl_var *v = apr_palloc(c->pool, sizeof(*v));

    v->name = element_name(c, key, klen);
    v->key = key;
    v->value = val ? val : "";
    v->value_len = val ? len : 0;
    return v;
}

/* Removes the element at position i, keeping the order of the others. */
static void remove_at(pl_coll *c, int i)
{
    pl_var **items = (pl_var **)c->items->elts;

    memmove(items + i, items + i + 1, (c->items->nelts - i - 1) * sizeof(*items));
    c->items->nelts--;
}

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

pl_coll *pl_coll_create(apr_pool_t *p, const char *name, int keyed)
{
    pl_coll *c = apr_palloc(p, sizeof(*c));

    c->name = name;
    c->items = apr_array_make(p, 8, sizeof(pl_var *));
    c->index = keyed ? apr_hash_make(p) : NULL;
    c->pool = p;
    return c;
}

pl_var *pl_coll_set_n(pl_coll *c, const char *key, apr_size_t klen,
                      const char *val, apr_size_t len)
{
    char buf[KEY_BUF], *lk;
    pl_var *v, *old;
    int pos;

    if (key == NULL) {
        key = "";
        klen = 0;
    }
    v = new_element(c, key, klen, val, len);
    if (c->index == NULL) {
        APR_ARRAY_PUSH(c->items, pl_var *) = v;
        return v;
    }
    lk = lower_key(c->pool, key, klen, buf);
    old = apr_hash_get(c->index, lk, klen);
    if (old != NULL && (pos = position_of(c, old)) >= 0) {
        APR_ARRAY_IDX(c->items, pos, pl_var *) = v;
        /* the index key stays the one stored with the first element */
        apr_hash_set(c->index, lk, klen, v);
        return v;
    }
    if (lk == buf)
        lk = apr_pstrmemdup(c->pool, buf, klen);
    apr_hash_set(c->index, lk, klen, v);
    APR_ARRAY_PUSH(c->items, pl_var *) = v;
    return v;
}

pl_var *pl_coll_set(pl_coll *c, const char *key, const char *val, apr_size_t len)
{
    return pl_coll_set_n(c, key, key ? strlen(key) : 0, val, len);
}

void pl_coll_add(pl_coll *c, const char *key, const char *val, apr_size_t len)
{
    (void)pl_coll_set(c, key, val, len);
}

pl_var *pl_coll_get(const pl_coll *c, const char *key)
{
    apr_size_t klen;
    char buf[KEY_BUF];
    int i;

    if (c == NULL || key == NULL)
        return NULL;
    klen = strlen(key);
    if (c->index != NULL)
        return apr_hash_get(c->index, lower_key(c->pool, key, klen, buf), klen);
    for (i = 0; i < c->items->nelts; i++) {
        pl_var *v = APR_ARRAY_IDX(c->items, i, pl_var *);
        if (strcasecmp(v->key, key) == 0)
            return v;
    }
    return NULL;
}

void pl_coll_del(pl_coll *c, const char *key)
{
    char buf[KEY_BUF], *lk;
    apr_size_t klen;
    pl_var *old;
    int i;

    if (c == NULL || key == NULL)
        return;
    if (c->index == NULL) {
        /* unkeyed: every element of that name goes */
        for (i = c->items->nelts - 1; i >= 0; i--)
            if (strcasecmp(APR_ARRAY_IDX(c->items, i, pl_var *)->key, key) == 0)
                remove_at(c, i);
        return;
    }
    klen = strlen(key);
    lk = lower_key(c->pool, key, klen, buf);
    old = apr_hash_get(c->index, lk, klen);
    if (old == NULL)
        return;
    apr_hash_set(c->index, lk, klen, NULL);
    if ((i = position_of(c, old)) >= 0)
        remove_at(c, i);
}

void pl_coll_clear(pl_coll *c)
{
    if (c == NULL)
        return;
    c->items->nelts = 0;
    if (c->index != NULL)
        apr_hash_clear(c->index);
}
