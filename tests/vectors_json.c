/*
 * vectors_json.c - the JSON reader of the vector test programs (see
 * vectors_json.h).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_file_info.h>

#include "vectors_json.h"

#define MAX_DEPTH 64

typedef struct jparser {
    const char *p, *end;
    apr_pool_t *pool;
    const char *err;
} jparser;

static jv *j_value(jparser *j, int depth);

static void j_ws(jparser *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
        j->p++;
    }
}

static jv *j_new(jparser *j, int type)
{
    jv *v = apr_pcalloc(j->pool, sizeof(*v));
    v->type = type;
    return v;
}

static int hex4(const char *s, unsigned *cp)
{
    int k;

    *cp = 0;
    for (k = 0; k < 4; k++) {
        char c = s[k];
        unsigned d = (c >= '0' && c <= '9') ? (unsigned)(c - '0')
                   : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                   : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10) : 16;
        if (d == 16) {
            return 0;
        }
        *cp = *cp * 16 + d;
    }
    return 1;
}

static jv *j_string(jparser *j)
{
    jv *v = j_new(j, J_STR);
    char *b = apr_palloc(j->pool, (apr_size_t)(j->end - j->p) + 1);
    apr_size_t n = 0;
    unsigned cp;

    j->p++;                                 /* opening quote */
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if (c != '\\') {
            b[n++] = c;
            continue;
        }
        if (j->p >= j->end) break;
        c = *j->p++;
        switch (c) {
        case 'b': b[n++] = '\b'; break;
        case 'f': b[n++] = '\f'; break;
        case 'n': b[n++] = '\n'; break;
        case 'r': b[n++] = '\r'; break;
        case 't': b[n++] = '\t'; break;
        case 'u':
            if (j->end - j->p < 4 || !hex4(j->p, &cp) || cp > 0xff) {
                j->err = "bad or non-byte \\u escape";
                return NULL;
            }
            b[n++] = (char)cp;
            j->p += 4;
            break;
        default: b[n++] = c; break;  /* \" \\ \/ */
        }
    }
    if (j->p >= j->end) {
        j->err = "unterminated string";
        return NULL;
    }
    j->p++;
    b[n] = '\0';
    v->s = b;
    v->n = n;
    return v;
}

static jv *j_container(jparser *j, int depth, int obj)
{
    jv *v = j_new(j, obj ? J_OBJ : J_ARR);

    v->items = apr_array_make(j->pool, 8, sizeof(jv *));
    v->keys = apr_array_make(j->pool, 8, sizeof(char *));
    j->p++;
    j_ws(j);
    if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
        j->p++;
        return v;
    }
    for (;;) {
        jv *item;
        j_ws(j);
        if (obj) {
            jv *key;
            if (j->p >= j->end || *j->p != '"' || (key = j_string(j)) == NULL) {
                if (!j->err) j->err = "expected key";
                return NULL;
            }
            j_ws(j);
            if (j->p >= j->end || *j->p++ != ':') {
                j->err = "expected ':'";
                return NULL;
            }
            APR_ARRAY_PUSH(v->keys, char *) = key->s;
        }
        if ((item = j_value(j, depth + 1)) == NULL) {
            return NULL;
        }
        APR_ARRAY_PUSH(v->items, jv *) = item;
        j_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
            j->p++;
            return v;
        }
        j->err = "expected ',' or end of container";
        return NULL;
    }
}

static jv *j_value(jparser *j, int depth)
{
    jv *v;
    char *endp;

    j_ws(j);
    if (j->p >= j->end || depth > MAX_DEPTH) {
        j->err = "unexpected end or nesting";
        return NULL;
    }
    switch (*j->p) {
    case '"': return j_string(j);
    case '{': return j_container(j, depth, 1);
    case '[': return j_container(j, depth, 0);
    }
    if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "false", 5) == 0) {
        v = j_new(j, J_BOOL);
        v->num = *j->p == 't';
        j->p += *j->p == 't' ? 4 : 5;
        return v;
    }
    if (strncmp(j->p, "null", 4) == 0) {
        j->p += 4;
        return j_new(j, J_NULL);
    }
    v = j_new(j, J_NUM);
    v->num = strtod(j->p, &endp);
    if (endp == j->p) {
        j->err = "bad value";
        return NULL;
    }
    j->p = endp;
    return v;
}

jv *vj_get(const jv *obj, const char *key)
{
    int k;

    if (obj == NULL || obj->type != J_OBJ) return NULL;
    for (k = 0; k < obj->keys->nelts; k++) {
        if (strcmp(APR_ARRAY_IDX(obj->keys, k, char *), key) == 0) {
            return APR_ARRAY_IDX(obj->items, k, jv *);
        }
    }
    return NULL;
}

jv *vj_read_file(apr_pool_t *p, const char *path, const char **err)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t n = 0;
    jparser j;
    char *text;
    jv *root;

    if (apr_file_open(&f, path, APR_READ, APR_OS_DEFAULT, p) != APR_SUCCESS
        || apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS) {
        *err = "cannot read";
        return NULL;
    }
    text = apr_palloc(p, (apr_size_t)fi.size + 1);
    apr_file_read_full(f, text, (apr_size_t)fi.size, &n);
    apr_file_close(f);
    text[n] = '\0';

    memset(&j, 0, sizeof(j));
    j.p = text;
    j.end = text + n;
    j.pool = p;
    root = j_value(&j, 0);
    if (root == NULL)
        *err = j.err ? j.err : "bad JSON";
    return root;
}
