/*
 * vectors_json.h - the JSON reader the vector test programs share: just
 * enough for ../shared/modsec-vectors, where each string code point
 * U+0000..U+00FF stands for one byte.
 */
#ifndef VECTORS_JSON_H
#define VECTORS_JSON_H

#include <apr_pools.h>
#include <apr_tables.h>

/* A parsed JSON value; strings are byte strings (see above). */
typedef struct jv {
    enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } type;
    char        *s;           /* J_STR */
    apr_size_t   n;
    double       num;         /* J_NUM, J_BOOL */
    apr_array_header_t *items;  /* J_ARR: jv*, J_OBJ: jv* values */
    apr_array_header_t *keys;   /* J_OBJ: char* */
} jv;

/* Reads and parses a whole file; NULL with *err set on failure. */
jv *vj_read_file(apr_pool_t *p, const char *path, const char **err);
/* The member key of an object, or NULL. */
jv *vj_get(const jv *obj, const char *key);

#endif /* VECTORS_JSON_H */
