/*
 * Persistent collections: the interface between persist.c (load, merge and
 * write-back logic) and the storage backends (persist_sdbm.c,
 * persist_redis.c).  Only these three files include it.
 *
 * A record is an ordered list of fields (name, value) as ModSecurity 2.9
 * keeps a collection: built-in fields (KEY, TIMEOUT, __expire_KEY,
 * CREATE_TIME, UPDATE_COUNTER, LAST_UPDATE_TIME, __key, __name) and the
 * rules' variables, with "__expire_<var>" fields for expirevar.
 *
 * A write is described twice: as the whole record the transaction has
 * (written when no live record is stored any more) and as a list of field
 * changes (applied to the record stored by then), so that concurrent
 * requests do not lose each other's counter updates.
 */
#ifndef PL_PERSIST_H
#define PL_PERSIST_H

#include <apr_global_mutex.h>
#include "palisade.h"

/* One field of a record; names are NUL-free C strings, values counted. */
typedef struct pl_pfield {
    const char *name;
    const char *value;
    apr_size_t  value_len;
} pl_pfield;

/* Change kinds, in the order a backend applies them. */
enum {
    PL_PC_SET,      /* value replaces the stored one */
    PL_PC_SETNX,    /* value only when the field is not stored (built-ins) */
    PL_PC_ADD,      /* stored value + delta, never below 0 (counters);
                     * value is ours, used when the field is not stored */
    PL_PC_DEL       /* the field is removed */
};

typedef struct pl_pchange {
    int         op;
    const char *name;
    const char *value;
    apr_size_t  value_len;
    long        delta;
    long        orig;            /* PL_PC_ADD: value when recorded, for logs */
} pl_pchange;

/* One collection to write back. */
typedef struct pl_pwrite {
    const char *name;            /* storage name: "ip", "default_SESSION" */
    const char *key;
    apr_size_t  key_len;
    apr_array_header_t *full;    /* pl_pfield: the transaction's record */
    apr_array_header_t *changes; /* pl_pchange */
    apr_time_t  expire_at;       /* __expire_KEY, seconds since the epoch;
                                  * 0: the record does not expire */
} pl_pwrite;

typedef struct pl_store pl_store;

/*
 * A backend.  load() returns APR_SUCCESS with *rec (NULL when nothing is
 * stored) or an error with *err when the store cannot be reached; the
 * caller applies field expiry.  remove() deletes an expired record.
 * write() merges w into the stored record (see pl_persist_merge).
 * sweep() removes expired records of collection name, at most every
 * PL_SWEEP_INTERVAL seconds, in short steps (may do nothing).
 */
typedef struct pl_store_ops {
    const char *scheme;
    const char *(*open)(pl_store *st, apr_pool_t *p);
    apr_status_t (*load)(pl_store *st, pl_tx *tx, const char *name, const char *key,
                         apr_size_t klen, apr_array_header_t **rec, const char **err);
    apr_status_t (*remove)(pl_store *st, pl_tx *tx, const char *name, const char *key,
                           apr_size_t klen, const char **err);
    apr_status_t (*write)(pl_store *st, pl_tx *tx, const pl_pwrite *w, const char **err);
    void         (*sweep)(pl_store *st, pl_tx *tx, const char *name);
} pl_store_ops;

struct pl_store {
    const pl_store_ops *ops;
    const char *spec;            /* SecCollectionBackend text, "sdbm" */
    apr_pool_t *pool;            /* lives as long as the process */
    void       *data;            /* backend state */
};

/* Seconds between two sweeps of one collection (per data file / store). */
#define PL_SWEEP_INTERVAL 60

extern const pl_store_ops pl_store_sdbm;
extern const pl_store_ops pl_store_redis;

/* ---- helpers of persist.c for the backends ------------------------------ */

/* Removes the expired variables of rec (2.9's rules: __expire_X <= request
 * time removes X and __expire_X).  Returns 0 when the record as a whole is
 * gone (KEY removed or missing), 1 when it is alive. */
int  pl_persist_expire(pl_tx *tx, apr_array_header_t *rec, const char *name,
                       const char *key, apr_size_t klen, int *expired);
/* Applies w->changes to the stored record rec (in place, order kept). */
void pl_persist_merge(pl_tx *tx, apr_array_header_t *rec, const pl_pwrite *w);
/* Index of field name in rec (case-insensitive), -1 when absent. */
int  pl_persist_find(const apr_array_header_t *rec, const char *name);
/* 2.9's atoi() on a counted value. */
long pl_persist_atol(const char *s, apr_size_t len);
/* The lock that serialises access to SDBM files across the processes and
 * threads of the server (NULL before pl_persist_set_mutex). */
apr_global_mutex_t *pl_persist_global_mutex(void);
/* An error of the store: debug log level 1 and the error log (with the
 * transaction's trailer), as 2.9 logs storage errors. */
void pl_persist_error(pl_tx *tx, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Debug log helper that skips formatting when the level is not logged. */
int  pl_persist_dbg(const pl_tx *tx, int level);

#endif /* PL_PERSIST_H */
