/*
 * Persistent collections (IP, GLOBAL, SESSION, USER, RESOURCE and any
 * initcol'ed name): loading a record when a rule initialises a collection,
 * keeping track of what the transaction changes, and writing the changed
 * collections back after phase 5, as ModSecurity 2.9.7 does.
 *
 * Semantics follow 2.9.7 (checked against the installed module):
 *  - a new collection gets KEY, TIMEOUT (SecCollectionTimeout), __expire_KEY,
 *    __key, __name, CREATE_TIME, UPDATE_COUNTER 0 and IS_NEW 1 (actions.c);
 *  - a loaded one loses the variables whose __expire_<name> has passed
 *    (the whole record when KEY goes), and gets UPDATE_RATE (updates per
 *    minute since CREATE_TIME); LAST_UPDATE_TIME is the time of the last
 *    store;
 *  - only collections changed by setvar, expirevar or deprecatevar are
 *    written; a write sets LAST_UPDATE_TIME, __expire_KEY (now + TIMEOUT),
 *    adds 1 to UPDATE_COUNTER and drops IS_NEW and UPDATE_RATE;
 *  - a variable changed relatively (setvar:ip.n=+1) is merged into the
 *    value stored by then: stored + (ours - original), never below 0, so
 *    concurrent requests do not lose each other's increments.  2.9 rewrites
 *    the other variables with the transaction's copy; here only the ones
 *    the transaction set or deleted are, so a concurrent request's other
 *    changes survive too (the same result when requests do not overlap).
 *
 * The store of a transaction is SDBM files under SecDataDir
 * (persist_sdbm.c) or a Redis-protocol server chosen with
 * SecCollectionBackend (persist_redis.c).  Backends are created once per
 * process and shared by its threads.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_thread_mutex.h>

#include "persist.h"

/* ---- constants ------------------------------------------------------------ */

/* Seconds between two error-log lines about an unreachable store. */
#define FAIL_LOG_INTERVAL   60
/* What a transaction gets when SecCollectionBackendFailure closed applies. */
#define FAIL_CLOSED_STATUS  503
#define DEFAULT_BACKEND     "sdbm"
#define DEFAULT_WEBAPPID    "default"

/* ---- types ------------------------------------------------------------------- */

/* A store with what persist.c keeps about it per process. */
typedef struct store_entry {
    pl_store            store;
    const char         *open_error;    /* backend could not be set up */
    apr_thread_mutex_t *lock;          /* the fields below */
    apr_time_t          last_log;      /* last error-log line, microseconds */
    unsigned long       suppressed;    /* errors not logged since */
} store_entry;

/* A persistent collection of the transaction. */
typedef struct pcoll {
    pl_coll     *c;
    const char  *name;                 /* storage name, "ip", "default_SESSION" */
    const char  *key;
    apr_size_t   key_len;
    apr_hash_t  *snapshot;             /* lower-cased name -> pl_pfield*, as loaded */
    int          dirty;
    store_entry *se;
} pcoll;

struct pl_persist_tx {
    apr_hash_t         *colls;         /* coll_uc -> pcoll* */
    apr_array_header_t *order;         /* pcoll*, in initcol order */
    apr_hash_t         *originals;     /* coll_uc -> (lower-cased key -> char*) */
    apr_hash_t         *loaded;        /* pl_coll* -> store_entry*: from a store */
};

/* Process-wide state (one per Apache child or tool). */
static struct {
    apr_pool_t         *pool;
    apr_thread_mutex_t *lock;          /* stores */
    apr_hash_t         *stores;        /* spec -> store_entry* */
    apr_global_mutex_t *mutex;
} proc;

/* ---- small helpers -------------------------------------------------------- */

int pl_persist_dbg(const pl_tx *tx, int level)
{
    int l = tx->debug_log_level;

    if (tx->cfg != NULL && tx->cfg->debug_log_level > l)
        l = tx->cfg->debug_log_level;
    return l >= level;
}

long pl_persist_atol(const char *s, apr_size_t len)
{
    apr_size_t i = 0;
    int neg = 0;
    long v = 0;

    while (i < len && isspace((unsigned char)s[i]))
        i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = (s[i++] == '-');
    for (; i < len && isdigit((unsigned char)s[i]) && v < 100000000000L; i++)
        v = v * 10 + (s[i] - '0');
    /* 2.9 keeps counters in an int */
    return (long)(int)(neg ? -v : v);
}

static char *lower_dup(apr_pool_t *p, const char *s)
{
    char *l = apr_pstrdup(p, s), *c;

    for (c = l; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return l;
}

static const char *esc(pl_tx *tx, const char *s, apr_size_t len)
{
    return pl_log_escape(tx->pool, s, len);
}

static const char *trailer(pl_tx *tx)
{
    const char *uri = tx->log_uri ? tx->log_uri : tx->path_decoded ? tx->path_decoded : "";
    const char *host = tx->hostname ? tx->hostname : "";

    return apr_psprintf(tx->pool, " [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]",
                        esc(tx, host, strlen(host)), esc(tx, uri, strlen(uri)),
                        tx->unique_id ? tx->unique_id : "");
}

static void error_log(pl_tx *tx, const char *msg)
{
    pl_debug(tx, 1, "%s", msg);
    if (tx->host != NULL && tx->host->log_error != NULL)
        tx->host->log_error(tx, 1, apr_pstrcat(tx->pool, msg, trailer(tx), NULL));
}

void pl_persist_error(pl_tx *tx, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(tx->pool, fmt, ap);
    va_end(ap);
    error_log(tx, msg);
}

int pl_persist_find(const apr_array_header_t *rec, const char *name)
{
    int i;

    for (i = 0; i < rec->nelts; i++)
        if (strcasecmp(APR_ARRAY_IDX(rec, i, pl_pfield).name, name) == 0)
            return i;
    return -1;
}

static void rec_remove(apr_array_header_t *rec, int i)
{
    pl_pfield *f = (pl_pfield *)rec->elts;

    memmove(f + i, f + i + 1, (size_t)(rec->nelts - i - 1) * sizeof(*f));
    rec->nelts--;
}

static void rec_set(apr_array_header_t *rec, const char *name, const char *value,
                    apr_size_t len)
{
    int i = pl_persist_find(rec, name);
    pl_pfield *f = i >= 0 ? &APR_ARRAY_IDX(rec, i, pl_pfield) : apr_array_push(rec);

    if (i < 0)
        f->name = name;
    f->value = value;
    f->value_len = len;
}

/* ---- process state and stores ----------------------------------------------- */

void pl_persist_child_init(apr_pool_t *p)
{
    proc.pool = p;
    proc.stores = apr_hash_make(p);
    if (apr_thread_mutex_create(&proc.lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
        proc.lock = NULL;
}

void pl_persist_set_mutex(struct apr_global_mutex_t *m)
{
    proc.mutex = m;
}

apr_global_mutex_t *pl_persist_global_mutex(void)
{
    return proc.mutex;
}

static const pl_store_ops *ops_for(const char *spec)
{
    if (strcasecmp(spec, "sdbm") == 0)
        return &pl_store_sdbm;
    if (strncasecmp(spec, "redis://", 8) == 0)
        return &pl_store_redis;
    return NULL;
}

const char *pl_persist_backend_check(apr_pool_t *p, const char *spec)
{
    const pl_store_ops *ops = ops_for(spec);
    pl_store st;

    if (ops == NULL)
        return apr_psprintf(p, "SecCollectionBackend: unknown store \"%s\" (expected "
                            "sdbm or redis://host:port/db)", spec);
    memset(&st, 0, sizeof(st));
    st.ops = ops;
    st.spec = spec;
    st.pool = p;
    return ops->open(&st, p);
}

/* The store of the transaction's configuration, created on first use. */
static store_entry *store_for(pl_tx *tx)
{
    const char *spec = (tx->cfg && tx->cfg->coll_backend) ? tx->cfg->coll_backend
                                                          : DEFAULT_BACKEND;
    store_entry *se;

    if (proc.pool == NULL) {
        /* a host that never called pl_persist_child_init (test programs):
         * single-threaded, a pool of its own for the process */
        apr_pool_t *p;
        apr_pool_create(&p, NULL);
        pl_persist_child_init(p);
    }
    if (proc.lock)
        apr_thread_mutex_lock(proc.lock);
    se = apr_hash_get(proc.stores, spec, APR_HASH_KEY_STRING);
    if (se == NULL) {
        apr_pool_t *sp;
        apr_pool_create(&sp, proc.pool);
        se = apr_pcalloc(sp, sizeof(*se));
        se->store.ops = ops_for(spec);
        se->store.spec = apr_pstrdup(sp, spec);
        se->store.pool = sp;
        if (se->store.ops == NULL)
            se->open_error = "unknown store";
        else
            se->open_error = se->store.ops->open(&se->store, sp);
        apr_thread_mutex_create(&se->lock, APR_THREAD_MUTEX_DEFAULT, sp);
        apr_hash_set(proc.stores, se->store.spec, APR_HASH_KEY_STRING, se);
    }
    if (proc.lock)
        apr_thread_mutex_unlock(proc.lock);
    return se;
}

static int fail_closed(const pl_tx *tx)
{
    return tx->cfg != NULL && tx->cfg->coll_backend_failure == PL_BACKEND_FAIL_CLOSED;
}

/*
 * The store could not be used.  The error log gets one line per
 * FAIL_LOG_INTERVAL and store (a dead store must not flood it), the debug
 * log every one.  When loading fails with SecCollectionBackendFailure
 * closed, a blocking engine denies the request.
 */
static void store_failed(pl_tx *tx, store_entry *se, const char *what, const char *err,
                         int loading)
{
    apr_time_t now = apr_time_now();
    unsigned long skipped = 0;
    int log_now = 0;

    if (err == NULL)
        return;                             /* already logged by the backend */
    pl_debug(tx, 1, "Persistent storage %s failed (%s): %s", what, se->store.spec, err);
    apr_thread_mutex_lock(se->lock);
    if (se->last_log == 0 || now - se->last_log >= apr_time_from_sec(FAIL_LOG_INTERVAL)) {
        log_now = 1;
        skipped = se->suppressed;
        se->suppressed = 0;
        se->last_log = now;
    } else {
        se->suppressed++;
    }
    apr_thread_mutex_unlock(se->lock);
    if (log_now && tx->host && tx->host->log_error)
        tx->host->log_error(tx, 1, apr_psprintf(tx->pool,
            "Persistent collection store %s unavailable: %s failed: %s (failing %s; "
            "%lu more errors in the last %d seconds not logged)%s",
            se->store.spec, what, err, fail_closed(tx) ? "closed" : "open",
            skipped, FAIL_LOG_INTERVAL, trailer(tx)));
    if (loading && fail_closed(tx) && tx->engine == PL_ENGINE_ON && tx->phase != 5
        && tx->intercept.action == PL_DA_NONE) {
        const char *msg = apr_psprintf(tx->pool, "Access denied with code %d (phase %d). "
            "Persistent collection store %s unavailable (SecCollectionBackendFailure closed).",
            FAIL_CLOSED_STATUS, tx->phase, se->store.spec);
        tx->intercept.action = PL_DA_DENY;
        tx->intercept.status = FAIL_CLOSED_STATUS;
        tx->intercept.url = NULL;
        tx->intercept.phase = tx->phase;
        tx->intercept.rule = tx->rule;
        tx->is_relevant = 1;
        error_log(tx, msg);
    }
}

/* ---- per-transaction state ---------------------------------------------------- */

static struct pl_persist_tx *state(pl_tx *tx)
{
    struct pl_persist_tx *s = tx->persist;

    if (s == NULL) {
        s = apr_pcalloc(tx->pool, sizeof(*s));
        s->colls = apr_hash_make(tx->pool);
        s->order = apr_array_make(tx->pool, 4, sizeof(pcoll *));
        s->originals = apr_hash_make(tx->pool);
        s->loaded = apr_hash_make(tx->pool);
        tx->persist = s;
    }
    return s;
}

static const pl_var *coll_field(const pl_coll *c, const char *name)
{
    return pl_coll_get(c, name);
}

/* ---- expiry ----------------------------------------------------------------------- */

int pl_persist_expire(pl_tx *tx, apr_array_header_t *rec, const char *name,
                      const char *key, apr_size_t klen, int *expired)
{
    apr_time_t now = apr_time_sec(tx->start);
    int i, again = 1;

    *expired = 0;
    /* one variable per pass, the record's own expiry ends it (2.9's order) */
    while (again && !*expired) {
        again = 0;
        for (i = 0; i < rec->nelts; i++) {
            pl_pfield *f = &APR_ARRAY_IDX(rec, i, pl_pfield);
            const char *var;
            int j;

            if (strncmp(f->name, "__expire_", 9) != 0
                || pl_persist_atol(f->value, f->value_len) > now)
                continue;
            var = f->name + 9;
            if (strcmp(var, "KEY") == 0)
                *expired = 1;
            if (pl_persist_dbg(tx, 9)) {
                pl_debug(tx, 9, "collection_retrieve_ex: Removing key \"%s\" from collection.", var);
                pl_debug(tx, 9, "collection_retrieve_ex: Removing key \"%s\" from collection.",
                         f->name);
            }
            pl_debug(tx, 4, "collection_retrieve_ex: Removed expired variable \"%s\".", var);
            rec_remove(rec, i);
            if ((j = pl_persist_find(rec, var)) >= 0)
                rec_remove(rec, j);
            again = 1;
            break;
        }
    }
    if (pl_persist_find(rec, "KEY") >= 0)
        return 1;
    if (*expired && pl_persist_dbg(tx, 9))
        pl_debug(tx, 9, "collection_retrieve_ex: Collection expired (name \"%s\", key \"%s\").",
                 name, esc(tx, key, klen));
    return 0;
}

/* ---- loading -------------------------------------------------------------------- */

/* UPDATE_RATE: updates per minute since CREATE_TIME, 0 in the first second. */
static void add_update_rate(pl_tx *tx, apr_array_header_t *rec)
{
    int ct = pl_persist_find(rec, "CREATE_TIME"), uc = pl_persist_find(rec, "UPDATE_COUNTER");
    apr_time_t td;
    long rate = 0;
    char *v;

    if (ct < 0 || uc < 0)
        return;
    td = apr_time_sec(apr_time_now())
         - pl_persist_atol(APR_ARRAY_IDX(rec, ct, pl_pfield).value,
                           APR_ARRAY_IDX(rec, ct, pl_pfield).value_len);
    if (td != 0)
        rate = (long)((60 * (apr_time_t)pl_persist_atol(APR_ARRAY_IDX(rec, uc, pl_pfield).value,
                                                         APR_ARRAY_IDX(rec, uc, pl_pfield).value_len))
                      / td);
    v = apr_ltoa(tx->pool, rate);
    rec_set(rec, "UPDATE_RATE", v, strlen(v));
}

pl_coll *pl_persist_load(pl_tx *tx, const char *coll_uc, const char *real_name,
                         const char *key, apr_size_t key_len)
{
    store_entry *se = store_for(tx);
    apr_array_header_t *rec = NULL;
    const char *err = NULL, *k = apr_pstrmemdup(tx->pool, key, key_len);
    apr_status_t rv;
    pl_coll *c;
    int expired, i;

    if (se->open_error != NULL) {
        store_failed(tx, se, "set-up", se->open_error, 1);
        return NULL;
    }
    rv = se->store.ops->load(&se->store, tx, real_name, k, key_len, &rec, &err);
    if (rv != APR_SUCCESS) {
        store_failed(tx, se, "load", err, 1);
        return NULL;
    }
    if (rec == NULL)
        return NULL;
    if (!pl_persist_expire(tx, rec, real_name, k, key_len, &expired)) {
        if (se->store.ops->remove(&se->store, tx, real_name, k, key_len, &err) != APR_SUCCESS)
            store_failed(tx, se, "delete", err, 0);
        else
            pl_debug(tx, 4, "collection_retrieve_ex: Deleted collection (name \"%s\", key \"%s\").",
                     esc(tx, real_name, strlen(real_name)), esc(tx, k, key_len));
        return NULL;
    }
    add_update_rate(tx, rec);
    c = pl_coll_create(tx->pool, coll_uc, 1);
    for (i = 0; i < rec->nelts; i++) {
        const pl_pfield *f = &APR_ARRAY_IDX(rec, i, pl_pfield);
        pl_coll_set(c, f->name, f->value, f->value_len);
    }
    {
        pl_coll **kp = apr_palloc(tx->pool, sizeof(*kp));
        *kp = c;
        apr_hash_set(state(tx)->loaded, kp, sizeof(*kp), se);
    }
    pl_debug(tx, 4, "collection_retrieve_ex: Retrieved collection (name \"%s\", key \"%s\").",
             esc(tx, real_name, strlen(real_name)), esc(tx, k, key_len));
    return c;
}

/* ---- tracking changes ------------------------------------------------------------- */

/* The originals recorded for collection coll_uc (created on demand). */
static apr_hash_t *originals(pl_tx *tx, const char *coll_uc, int create)
{
    struct pl_persist_tx *s = state(tx);
    apr_hash_t *h = apr_hash_get(s->originals, coll_uc, APR_HASH_KEY_STRING);

    if (h == NULL && create) {
        h = apr_hash_make(tx->pool);
        apr_hash_set(s->originals, apr_pstrdup(tx->pool, coll_uc), APR_HASH_KEY_STRING, h);
    }
    return h;
}

static void record_original(pl_tx *tx, const char *shown, const char *coll_uc,
                            const char *key, const char *value, apr_size_t len)
{
    apr_hash_t *h = originals(tx, coll_uc, 1);
    const char *lk = lower_dup(tx->pool, key);

    if (apr_hash_get(h, lk, APR_HASH_KEY_STRING) != NULL) {
        if (pl_persist_dbg(tx, 9))
            pl_debug(tx, 9, "Original collection variable: %s.%s = \"%s\"", shown, key,
                     esc(tx, value, len));
        return;
    }
    apr_hash_set(h, lk, APR_HASH_KEY_STRING, apr_pstrmemdup(tx->pool, value, len));
    if (pl_persist_dbg(tx, 9))
        pl_debug(tx, 9, "Recorded original collection variable: %s.%s = \"%s\"", shown, key,
                 esc(tx, value, len));
}

void pl_persist_attach(pl_tx *tx, pl_coll *c)
{
    struct pl_persist_tx *s = state(tx);
    pcoll *pc = apr_pcalloc(tx->pool, sizeof(*pc));
    const pl_var *name = coll_field(c, "__name"), *key = coll_field(c, "__key");
    const pl_var *uc = coll_field(c, "UPDATE_COUNTER");
    store_entry *se = apr_hash_get(s->loaded, &c, sizeof(c));
    int i;

    pc->c = c;
    pc->name = name ? name->value : c->name;
    pc->key = key ? key->value : "";
    pc->key_len = key ? key->value_len : 0;
    pc->snapshot = apr_hash_make(tx->pool);
    pc->se = se ? se : store_for(tx);
    /* a loaded record: what it held, to find what the transaction changes;
     * a new one: everything it holds is to be written */
    for (i = 0; se != NULL && i < c->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(c->items, i, const pl_var *);
        pl_pfield *f = apr_palloc(tx->pool, sizeof(*f));
        f->name = v->key;
        f->value = v->value;
        f->value_len = v->value_len;
        apr_hash_set(pc->snapshot, lower_dup(tx->pool, v->key), APR_HASH_KEY_STRING, f);
    }
    /* 2.9.7 merges UPDATE_COUNTER like a counter changed with =+ */
    if (uc != NULL)
        record_original(tx, pc->name, c->name, "UPDATE_COUNTER", uc->value, uc->value_len);
    apr_hash_set(s->colls, c->name, APR_HASH_KEY_STRING, pc);
    APR_ARRAY_PUSH(s->order, pcoll *) = pc;
}

void pl_persist_dirty(pl_tx *tx, const char *coll_uc)
{
    pcoll *pc;

    if (tx->persist == NULL)
        return;
    pc = apr_hash_get(tx->persist->colls, coll_uc, APR_HASH_KEY_STRING);
    if (pc != NULL)
        pc->dirty = 1;
}

void pl_persist_original(pl_tx *tx, const char *coll, const char *coll_uc,
                         const char *key, const pl_var *old)
{
    const char *shown = coll;

    /* 2.9.7 names SESSION/USER/RESOURCE by their storage name here */
    if (strcmp(coll_uc, "SESSION") == 0 || strcmp(coll_uc, "USER") == 0
        || strcmp(coll_uc, "RESOURCE") == 0) {
        const char *app = (tx->cfg && tx->cfg->web_app_id) ? tx->cfg->web_app_id
                                                           : DEFAULT_WEBAPPID;
        shown = apr_pstrcat(tx->pool, app, "_", coll, NULL);
    }
    if (old != NULL)
        record_original(tx, shown, coll_uc, old->key ? old->key : key, old->value,
                        old->value_len);
    else
        record_original(tx, shown, coll_uc, key, "0", 1);
}

/* ---- writing back ------------------------------------------------------------------ */

static pl_pchange *change(apr_array_header_t *ch, int op, const pl_pfield *f)
{
    pl_pchange *c = apr_array_push(ch);

    memset(c, 0, sizeof(*c));
    c->op = op;
    c->name = f->name;
    c->value = f->value;
    c->value_len = f->value_len;
    return c;
}

/* Built-in fields every stored record must have, whoever created it. */
static int builtin(const char *name)
{
    return strcmp(name, "KEY") == 0 || strcmp(name, "__key") == 0
        || strcmp(name, "__name") == 0 || strcmp(name, "TIMEOUT") == 0
        || strcmp(name, "CREATE_TIME") == 0;
}

/* The transaction's record as it is to be stored (2.9's collection_store). */
static apr_array_header_t *final_record(pl_tx *tx, const pcoll *pc, apr_time_t now,
                                        apr_time_t *expire_at)
{
    apr_array_header_t *rec = apr_array_make(tx->pool, pc->c->items->nelts + 2,
                                             sizeof(pl_pfield));
    const pl_var *to = coll_field(pc->c, "TIMEOUT"), *uc = coll_field(pc->c, "UPDATE_COUNTER");
    long timeout = to ? pl_persist_atol(to->value, to->value_len) : 0;
    char *v;
    int i;

    for (i = 0; i < pc->c->items->nelts; i++) {
        const pl_var *var = APR_ARRAY_IDX(pc->c->items, i, const pl_var *);
        pl_pfield *f;
        if (strcasecmp(var->key, "IS_NEW") == 0 || strcasecmp(var->key, "UPDATE_RATE") == 0)
            continue;
        f = apr_array_push(rec);
        f->name = var->key;
        f->value = var->value;
        f->value_len = var->value_len;
    }
    /* the record lives TIMEOUT seconds after its last store; one without
     * __expire_KEY (a rule deleted it) never expires */
    *expire_at = 0;
    if ((i = pl_persist_find(rec, "__expire_KEY")) >= 0) {
        pl_pfield *f = &APR_ARRAY_IDX(rec, i, pl_pfield);
        *expire_at = to ? now + timeout : pl_persist_atol(f->value, f->value_len);
        v = apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, *expire_at);
        f->value = v;
        f->value_len = strlen(v);
    }
    v = apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, now);
    rec_set(rec, "LAST_UPDATE_TIME", v, strlen(v));
    v = apr_itoa(tx->pool, uc ? (int)pl_persist_atol(uc->value, uc->value_len) + 1 : 1);
    rec_set(rec, "UPDATE_COUNTER", v, strlen(v));
    return rec;
}

/* What the transaction did to the record, field by field. */
static apr_array_header_t *changes(pl_tx *tx, const pcoll *pc, const apr_array_header_t *rec)
{
    apr_array_header_t *ch = apr_array_make(tx->pool, rec->nelts, sizeof(pl_pchange));
    apr_hash_t *orig = originals(tx, pc->c->name, 0);
    apr_hash_index_t *hi;
    int i;

    for (i = 0; i < rec->nelts; i++) {
        const pl_pfield *f = &APR_ARRAY_IDX(rec, i, pl_pfield);
        const char *lk = lower_dup(tx->pool, f->name);
        const char *o = orig ? apr_hash_get(orig, lk, APR_HASH_KEY_STRING) : NULL;
        const pl_pfield *s = apr_hash_get(pc->snapshot, lk, APR_HASH_KEY_STRING);

        if (o != NULL) {
            pl_pchange *c = change(ch, PL_PC_ADD, f);
            c->orig = pl_persist_atol(o, strlen(o));
            c->delta = pl_persist_atol(f->value, f->value_len) - c->orig;
        } else if (s == NULL || s->value_len != f->value_len
                   || memcmp(s->value, f->value, f->value_len) != 0) {
            change(ch, PL_PC_SET, f);
        } else if (builtin(f->name)) {
            change(ch, PL_PC_SETNX, f);
        }
    }
    for (hi = apr_hash_first(tx->pool, pc->snapshot); hi; hi = apr_hash_next(hi)) {
        const pl_pfield *s = apr_hash_this_val(hi);
        if (strcasecmp(s->name, "IS_NEW") != 0 && strcasecmp(s->name, "UPDATE_RATE") != 0
            && pl_persist_find(rec, s->name) < 0)
            change(ch, PL_PC_DEL, s);
    }
    return ch;
}

void pl_persist_merge(pl_tx *tx, apr_array_header_t *rec, const pl_pwrite *w)
{
    int i, j;

    for (i = 0; i < w->changes->nelts; i++) {
        const pl_pchange *c = &APR_ARRAY_IDX(w->changes, i, pl_pchange);

        j = pl_persist_find(rec, c->name);
        switch (c->op) {
        case PL_PC_SET:
            rec_set(rec, c->name, c->value, c->value_len);
            break;
        case PL_PC_SETNX:
            if (j < 0)
                rec_set(rec, c->name, c->value, c->value_len);
            break;
        case PL_PC_DEL:
            if (j >= 0)
                rec_remove(rec, j);
            break;
        default: {
            pl_pfield *f;
            long stored, now;
            char *v;
            if (j < 0) {
                rec_set(rec, c->name, c->value, c->value_len);
                break;
            }
            f = &APR_ARRAY_IDX(rec, j, pl_pfield);
            stored = pl_persist_atol(f->value, f->value_len);
            now = stored + c->delta;
            if (now < 0)
                now = 0;            /* counters never go below zero */
            v = apr_ltoa(tx->pool, now);
            if (pl_persist_dbg(tx, 9))
                pl_debug(tx, 9, "collection_store: Delta applied for %s.%s %ld->%ld (%ld): "
                         "%ld + (%ld) = %ld [%s,%d]", w->name, c->name, c->orig,
                         c->orig + c->delta, c->delta, stored, c->delta, now, v, (int)strlen(v));
            f->value = v;
            f->value_len = strlen(v);
            break;
        }
        }
    }
}

static void store_one(pl_tx *tx, pcoll *pc, apr_time_t now)
{
    pl_pwrite w;
    const char *err = NULL;
    apr_status_t rv;

    w.name = pc->name;
    w.key = pc->key;
    w.key_len = pc->key_len;
    w.full = final_record(tx, pc, now, &w.expire_at);
    w.changes = changes(tx, pc, w.full);
    if (pc->se->open_error != NULL) {
        store_failed(tx, pc->se, "set-up", pc->se->open_error, 0);
        return;
    }
    rv = pc->se->store.ops->write(&pc->se->store, tx, &w, &err);
    if (rv != APR_SUCCESS) {
        store_failed(tx, pc->se, "store", err, 0);
        return;
    }
    pl_debug(tx, 4, "collection_store: Persisted collection (name \"%s\", key \"%s\").",
             esc(tx, pc->name, strlen(pc->name)), esc(tx, pc->key, pc->key_len));
}

void pl_persist_store(pl_tx *tx)
{
    struct pl_persist_tx *s = tx->persist;
    apr_time_t before = apr_time_now(), now = apr_time_sec(before);
    int i;

    if (s == NULL)
        return;
    for (i = 0; i < s->order->nelts; i++) {
        pcoll *pc = APR_ARRAY_IDX(s->order, i, pcoll *);
        if (pc->dirty)
            store_one(tx, pc, now);
    }
    pl_debug(tx, 4, "Recording persistent data took %" APR_TIME_T_FMT " microseconds.",
             apr_time_now() - before);
    /* after the response: expired records go, a few at a time */
    for (i = 0; i < s->order->nelts; i++) {
        pcoll *pc = APR_ARRAY_IDX(s->order, i, pcoll *);
        if (pc->se->open_error == NULL && pc->se->store.ops->sweep != NULL)
            pc->se->store.ops->sweep(&pc->se->store, tx, pc->name);
    }
}
