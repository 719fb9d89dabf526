/*
 * Persistent collections in SDBM files under SecDataDir (APR-util's
 * apr_sdbm), the default store.
 *
 * Files and records are ModSecurity 2.9.7's, so that an existing
 * SecDataDir keeps working: collection NAME lives in
 * SecDataDir/USER-NAME.{dir,pag} (USER: the user the web server runs as,
 * or its uid), the key is the collection key with its NUL, the value is
 * 2.9's blob:
 *
 *     0x49 0x52 VERSION         "IR" and the format version, 0x01
 *     { name_len:2 name NUL value_len:2 value NUL } ...   lengths big-endian,
 *                                                         NUL included
 *     0x00 0x00
 *
 * A record with another version byte is refused (and logged), never
 * rewritten by a sweep, so a later format can be told apart.
 *
 * Locking.  apr_sdbm locks with fcntl(), whose locks belong to the process:
 * two threads of one process do not exclude each other, and closing any
 * descriptor of a file drops every lock the process holds on it.  So every
 * SDBM call of the server runs under one lock that excludes both the other
 * processes and the other threads: the APR global mutex the host creates in
 * post_config (a process-local mutex when there is none, as in the tool).
 * Under it, the files' own locks (APR_SHARELOCK, apr_sdbm_lock) still keep
 * out other programs using the same directory.  A read-modify-write holds
 * both for one fetch, one merge and one store.
 *
 * Crash safety: apr_sdbm writes whole 1 KB pages with one write() each, so
 * a process killed at any point leaves every page whole; a record is
 * replaced within one page.  A record that fails to unpack is treated as
 * absent (the next store replaces it, the sweep deletes it).
 *
 * Expired records are removed by a sweep at most every PL_SWEEP_INTERVAL
 * seconds per file, for all processes together (a marker file's time),
 * after the response, and in batches so that other requests wait for at
 * most one batch.
 */
#include <string.h>

#include <apr_sdbm.h>
#include <apr_thread_mutex.h>
#include <apr_user.h>

#include "persist.h"

/* ---- constants ---------------------------------------------------------------- */

#define BLOB_MAGIC0     0x49
#define BLOB_MAGIC1     0x52
#define BLOB_VERSION    0x01
/* Longest name or value, NUL included: the length field is 16 bits. */
#define FIELD_MAX       65535
/* apr_sdbm's limit for key + value (PAIRMAX in its sources), bytes. */
#define SDBM_PAIRMAX    1008
#define FILE_MODE       (APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD)
/* Keys looked at per hold of the lock while sweeping. */
#define SWEEP_BATCH     128
#define SWEEP_SUFFIX    ".sweep"
/* Seconds between two looks of one process at a file's sweep marker. */
#define SWEEP_CHECK     1

/* ---- types ------------------------------------------------------------------------ */

typedef struct sdbm_state {
    const char         *user;        /* file name prefix */
    apr_thread_mutex_t *lock;        /* without a global mutex; sweeps */
    apr_hash_t         *next_sweep;  /* path -> apr_time_t*, this process */
} sdbm_state;

/* ---- locking ---------------------------------------------------------------------- */

static apr_status_t lock(sdbm_state *s)
{
    apr_global_mutex_t *g = pl_persist_global_mutex();

    return g ? apr_global_mutex_lock(g) : apr_thread_mutex_lock(s->lock);
}

static void unlock(sdbm_state *s)
{
    apr_global_mutex_t *g = pl_persist_global_mutex();

    if (g)
        apr_global_mutex_unlock(g);
    else
        apr_thread_mutex_unlock(s->lock);
}

/* ---- records ---------------------------------------------------------------------- */

static const char *errtext(pl_tx *tx, apr_status_t rv)
{
    char buf[256];

    return apr_pstrdup(tx->pool, apr_strerror(rv, buf, sizeof(buf)));
}

/*
 * Blob to fields (copied into p).  NULL when the blob is not a record of
 * ours; *why says what is wrong.  tx may be NULL (tools).
 */
static apr_array_header_t *unpack(apr_pool_t *p, pl_tx *tx, const unsigned char *b,
                                  apr_size_t len, const char **why)
{
    apr_array_header_t *rec = apr_array_make(p, 16, sizeof(pl_pfield));
    apr_size_t off = 3;

    if (len < 5 || b[0] != BLOB_MAGIC0 || b[1] != BLOB_MAGIC1) {
        *why = "not a collection record";
        return NULL;
    }
    if (b[2] != BLOB_VERSION) {
        *why = apr_psprintf(p, "record format version %d is not supported", b[2]);
        return NULL;
    }
    while (off + 2 < len) {
        apr_size_t nl = ((apr_size_t)b[off] << 8) | b[off + 1], vl;
        pl_pfield *f;

        if (nl == 0)
            break;                          /* end marker */
        off += 2;
        if (off + nl + 2 > len || b[off + nl - 1] != '\0')
            break;
        vl = ((apr_size_t)b[off + nl] << 8) | b[off + nl + 1];
        if (vl == 0 || off + nl + 2 + vl > len || b[off + nl + 2 + vl - 1] != '\0')
            break;
        f = apr_array_push(rec);
        f->name = apr_pstrmemdup(p, (const char *)b + off, nl - 1);
        f->value = apr_pstrmemdup(p, (const char *)b + off + nl + 2, vl - 1);
        f->value_len = vl - 1;
        off += nl + 2 + vl;
        if (tx != NULL && pl_persist_dbg(tx, 9))
            pl_debug(tx, 9, "collection_unpack: Read variable: name \"%s\", value \"%s\".",
                     pl_log_escape(tx->pool, f->name, strlen(f->name)),
                     pl_log_escape(tx->pool, f->value, f->value_len));
    }
    if (off + 2 != len || b[off] != 0 || b[off + 1] != 0) {
        *why = apr_psprintf(p, "record damaged at offset %lu", (unsigned long)off);
        return NULL;
    }
    return rec;
}

static apr_size_t field_len(apr_size_t len)
{
    return len + 1 > FIELD_MAX ? FIELD_MAX : len + 1;
}

static void put_field(unsigned char *b, apr_size_t *off, const char *s, apr_size_t len)
{
    apr_size_t n = field_len(len);

    b[*off] = (unsigned char)(n >> 8);
    b[*off + 1] = (unsigned char)(n & 0xff);
    memcpy(b + *off + 2, s, n - 1);
    b[*off + 2 + n - 1] = '\0';
    *off += 2 + n;
}

static unsigned char *pack(pl_tx *tx, const apr_array_header_t *rec, apr_size_t *len)
{
    apr_size_t size = 3 + 2, off = 3;
    unsigned char *b;
    int i;

    for (i = 0; i < rec->nelts; i++) {
        const pl_pfield *f = &APR_ARRAY_IDX(rec, i, pl_pfield);
        size += 2 + field_len(strlen(f->name)) + 2 + field_len(f->value_len);
    }
    b = apr_palloc(tx->pool, size);
    b[0] = BLOB_MAGIC0;
    b[1] = BLOB_MAGIC1;
    b[2] = BLOB_VERSION;
    for (i = 0; i < rec->nelts; i++) {
        const pl_pfield *f = &APR_ARRAY_IDX(rec, i, pl_pfield);
        put_field(b, &off, f->name, strlen(f->name));
        put_field(b, &off, f->value, f->value_len);
        if (pl_persist_dbg(tx, 9))
            pl_debug(tx, 9, "collection_store: Wrote variable: name \"%s\", value \"%s\".",
                     pl_log_escape(tx->pool, f->name, strlen(f->name)),
                     pl_log_escape(tx->pool, f->value, f->value_len));
    }
    b[off] = 0;
    b[off + 1] = 0;
    *len = size;
    return b;
}

/* ---- files ------------------------------------------------------------------------ */

/* SecDataDir/USER-NAME, or NULL (and 2.9's message) without SecDataDir. */
static const char *file_of(pl_store *st, pl_tx *tx, const char *name)
{
    sdbm_state *s = st->data;

    if (tx->cfg == NULL || tx->cfg->data_dir == NULL)
        return NULL;
    return apr_pstrcat(tx->pool, tx->cfg->data_dir, "/", s->user, "-", name, NULL);
}

static apr_sdbm_datum_t key_datum(pl_tx *tx, const char *key, apr_size_t klen)
{
    apr_sdbm_datum_t k;

    k.dptr = apr_pstrmemdup(tx->pool, key, klen);
    k.dsize = (int)klen + 1;
    return k;
}

/* ---- operations -------------------------------------------------------------- */

static const char *sdbm_open(pl_store *st, apr_pool_t *p)
{
    sdbm_state *s = apr_pcalloc(p, sizeof(*s));
    apr_uid_t uid;
    apr_gid_t gid;
    char *name = NULL;

    st->data = s;
    /* the user of the process that uses the files (after httpd changed
     * user); 2.9.7 falls back to the number */
    if (apr_uid_current(&uid, &gid, p) != APR_SUCCESS)
        uid = 0;
    if (apr_uid_name_get(&name, uid, p) != APR_SUCCESS || name == NULL)
        name = apr_psprintf(p, "%lu", (unsigned long)uid);
    s->user = name;
    s->next_sweep = apr_hash_make(p);
    if (apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
        return "cannot create a mutex";
    return NULL;
}

static apr_status_t sdbm_load(pl_store *st, pl_tx *tx, const char *name, const char *key,
                              apr_size_t klen, apr_array_header_t **rec, const char **err)
{
    sdbm_state *s = st->data;
    const char *path = file_of(st, tx, name), *why = NULL;
    apr_sdbm_datum_t k = key_datum(tx, key, klen), v;
    unsigned char *blob = NULL;
    apr_size_t blen = 0;
    apr_sdbm_t *db;
    apr_status_t rv;

    *rec = NULL;
    if (path == NULL) {
        pl_persist_error(tx, "collection_retrieve_ex: Unable to retrieve collection (name "
                         "\"%s\", key \"%s\"). Use SecDataDir to define data directory first.",
                         pl_log_escape(tx->pool, name, strlen(name)),
                         pl_log_escape(tx->pool, key, klen));
        return APR_SUCCESS;
    }
    pl_debug(tx, 9, "collection_retrieve_ex: collection_retrieve_ex: Retrieving collection "
             "(name \"%s\", filename \"%s\")", pl_log_escape(tx->pool, name, strlen(name)),
             pl_log_escape(tx->pool, path, strlen(path)));
    if ((rv = lock(s)) != APR_SUCCESS) {
        *err = apr_psprintf(tx->pool, "cannot lock: %s", errtext(tx, rv));
        return rv;
    }
    rv = apr_sdbm_open(&db, path, APR_FOPEN_READ | APR_FOPEN_SHARELOCK, FILE_MODE, tx->pool);
    if (rv == APR_SUCCESS) {
        rv = apr_sdbm_fetch(db, &v, k);
        if (rv == APR_SUCCESS && v.dptr != NULL) {
            /* the page buffer goes with the handle */
            blob = apr_pmemdup(tx->pool, v.dptr, (apr_size_t)v.dsize);
            blen = (apr_size_t)v.dsize;
        }
        apr_sdbm_close(db);
    }
    unlock(s);
    if (APR_STATUS_IS_ENOENT(rv))
        return APR_SUCCESS;                 /* no file yet */
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(tx->pool, "collection_retrieve_ex: Failed to read from DBM "
                            "file \"%s\": %s", path, errtext(tx, rv));
        return rv;
    }
    if (blob == NULL)
        return APR_SUCCESS;
    *rec = unpack(tx->pool, tx, blob, blen, &why);
    if (*rec == NULL)
        pl_debug(tx, 4, "collection_unpack: Possibly corrupted database (name \"%s\", key "
                 "\"%s\"): %s; the record is ignored.", name,
                 pl_log_escape(tx->pool, key, klen), why);
    return APR_SUCCESS;
}

static apr_status_t sdbm_remove(pl_store *st, pl_tx *tx, const char *name, const char *key,
                                apr_size_t klen, const char **err)
{
    sdbm_state *s = st->data;
    const char *path = file_of(st, tx, name);
    apr_sdbm_t *db;
    apr_status_t rv;

    if (path == NULL)
        return APR_SUCCESS;
    if ((rv = lock(s)) != APR_SUCCESS) {
        *err = apr_psprintf(tx->pool, "cannot lock: %s", errtext(tx, rv));
        return rv;
    }
    rv = apr_sdbm_open(&db, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_SHARELOCK,
                       FILE_MODE, tx->pool);
    if (rv == APR_SUCCESS) {
        rv = apr_sdbm_delete(db, key_datum(tx, key, klen));
        apr_sdbm_close(db);
    }
    unlock(s);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_ENOENT(rv)) {
        *err = apr_psprintf(tx->pool, "collection_retrieve_ex: Failed deleting collection "
                            "(name \"%s\", key \"%s\"): %s", name,
                            pl_log_escape(tx->pool, key, klen), errtext(tx, rv));
        return rv;
    }
    return APR_SUCCESS;
}

/*
 * The stored record as it is now (expired variables removed), NULL when
 * there is none; the caller holds the locks.
 */
static apr_array_header_t *stored_now(pl_tx *tx, apr_sdbm_t *db, apr_sdbm_datum_t k,
                                      const pl_pwrite *w)
{
    apr_array_header_t *rec;
    apr_sdbm_datum_t v;
    const char *why = NULL;
    int expired;

    if (apr_sdbm_fetch(db, &v, k) != APR_SUCCESS || v.dptr == NULL)
        return NULL;
    rec = unpack(tx->pool, tx, (const unsigned char *)v.dptr, (apr_size_t)v.dsize, &why);
    if (rec == NULL) {
        pl_debug(tx, 4, "collection_unpack: Possibly corrupted database (name \"%s\"): %s; "
                 "the record is replaced.", w->name, why);
        return NULL;
    }
    if (!pl_persist_expire(tx, rec, w->name, w->key, w->key_len, &expired))
        return NULL;
    pl_debug(tx, 4, "collection_retrieve_ex: Retrieved collection (name \"%s\", key \"%s\").",
             w->name, pl_log_escape(tx->pool, w->key, w->key_len));
    return rec;
}

static apr_status_t sdbm_write(pl_store *st, pl_tx *tx, const pl_pwrite *w, const char **err)
{
    sdbm_state *s = st->data;
    const char *path = file_of(st, tx, w->name), *step = "access";
    apr_sdbm_datum_t k = key_datum(tx, w->key, w->key_len), v;
    apr_array_header_t *rec;
    apr_size_t blen;
    apr_sdbm_t *db;
    apr_status_t rv;

    if (path == NULL) {
        pl_persist_error(tx, "collection_store: Unable to store collection (name \"%s\", "
                         "key \"%s\"). Use SecDataDir to define data directory first.",
                         pl_log_escape(tx->pool, w->name, strlen(w->name)),
                         pl_log_escape(tx->pool, w->key, w->key_len));
        *err = NULL;
        return APR_ENOENT;
    }
    pl_debug(tx, 9, "collection_store: Retrieving collection (name \"%s\", filename \"%s\")",
             pl_log_escape(tx->pool, w->name, strlen(w->name)),
             pl_log_escape(tx->pool, path, strlen(path)));
    if ((rv = lock(s)) != APR_SUCCESS) {
        *err = apr_psprintf(tx->pool, "cannot lock: %s", errtext(tx, rv));
        return rv;
    }
    rv = apr_sdbm_open(&db, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_SHARELOCK,
                       FILE_MODE, tx->pool);
    if (rv == APR_SUCCESS) {
        step = "exclusively lock";
        if ((rv = apr_sdbm_lock(db, APR_FLOCK_EXCLUSIVE)) == APR_SUCCESS) {
            pl_debug(tx, 9, "collection_store: Re-retrieving collection prior to store: %s",
                     w->name);
            pl_debug(tx, 9, "collection_retrieve_ex: collection_retrieve_ex: Retrieving "
                     "collection (name \"%s\", filename \"%s\")", w->name, path);
            rec = stored_now(tx, db, k, w);
            if (rec != NULL)
                pl_persist_merge(tx, rec, w);
            else
                rec = w->full;
            v.dptr = (char *)pack(tx, rec, &blen);
            v.dsize = (int)blen;
            step = "write to";
            if ((apr_size_t)k.dsize + blen > SDBM_PAIRMAX)
                rv = APR_EINVAL;
            else
                rv = apr_sdbm_store(db, k, v, APR_SDBM_REPLACE);
            apr_sdbm_unlock(db);
        }
        apr_sdbm_close(db);
    }
    unlock(s);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(tx->pool, "collection_store: Failed to %s DBM file \"%s\": %s%s",
                            step, path, errtext(tx, rv),
                            rv == APR_EINVAL ? apr_psprintf(tx->pool, " (record of key and "
                            "value over SDBM's limit of %d bytes)", SDBM_PAIRMAX) : "");
        return rv;
    }
    return APR_SUCCESS;
}

/* ---- sweeping ------------------------------------------------------------------------ */

/* Is it this process's turn to sweep path?  A process looks at most every
 * SWEEP_CHECK seconds (no lock taken); the marker file's time says when
 * any process of any server last swept. */
static int sweep_due(sdbm_state *s, pl_tx *tx, const char *path)
{
    const char *marker = apr_pstrcat(tx->pool, path, SWEEP_SUFFIX, NULL);
    apr_time_t now = apr_time_now(), *next;
    apr_finfo_t fi;
    apr_file_t *f;
    int due = 0;

    apr_thread_mutex_lock(s->lock);
    next = apr_hash_get(s->next_sweep, path, APR_HASH_KEY_STRING);
    if (next == NULL) {
        apr_pool_t *hp = apr_hash_pool_get(s->next_sweep);
        next = apr_pcalloc(hp, sizeof(*next));
        apr_hash_set(s->next_sweep, apr_pstrdup(hp, path), APR_HASH_KEY_STRING, next);
    }
    if (now >= *next) {
        *next = now + apr_time_from_sec(SWEEP_CHECK);
        due = 1;
    }
    apr_thread_mutex_unlock(s->lock);
    if (!due || (apr_stat(&fi, marker, APR_FINFO_MTIME, tx->pool) == APR_SUCCESS
                 && now - fi.mtime < apr_time_from_sec(PL_SWEEP_INTERVAL)))
        return 0;
    if (lock(s) != APR_SUCCESS)
        return 0;
    due = 0;
    if (apr_stat(&fi, marker, APR_FINFO_MTIME, tx->pool) != APR_SUCCESS
        || now - fi.mtime >= apr_time_from_sec(PL_SWEEP_INTERVAL)) {
        if (apr_file_open(&f, marker, APR_FOPEN_CREATE | APR_FOPEN_WRITE, FILE_MODE,
                          tx->pool) == APR_SUCCESS) {
            apr_file_close(f);
            due = apr_file_mtime_set(marker, now, tx->pool) == APR_SUCCESS;
        }
    }
    unlock(s);
    return due;
}

/* Every key of the file, a batch per hold of the lock. */
static apr_array_header_t *all_keys(sdbm_state *s, apr_pool_t *p, const char *path)
{
    apr_array_header_t *keys = apr_array_make(p, 64, sizeof(apr_sdbm_datum_t));
    apr_sdbm_datum_t k;
    apr_sdbm_t *db;
    apr_status_t rv;
    int n, first = 1;

    if (lock(s) != APR_SUCCESS)
        return keys;
    rv = apr_sdbm_open(&db, path, APR_FOPEN_READ | APR_FOPEN_SHARELOCK, FILE_MODE, p);
    unlock(s);
    if (rv != APR_SUCCESS)
        return keys;
    do {
        if (lock(s) != APR_SUCCESS)
            break;
        for (n = 0; n < SWEEP_BATCH; n++) {
            rv = first ? apr_sdbm_firstkey(db, &k) : apr_sdbm_nextkey(db, &k);
            first = 0;
            if (rv != APR_SUCCESS || k.dptr == NULL)
                break;
            k.dptr = apr_pmemdup(p, k.dptr, (apr_size_t)k.dsize);
            APR_ARRAY_PUSH(keys, apr_sdbm_datum_t) = k;
        }
        unlock(s);
    } while (n == SWEEP_BATCH);
    if (lock(s) == APR_SUCCESS) {
        apr_sdbm_close(db);
        unlock(s);
    }
    return keys;
}

/* Deletes the keys [from, to) whose record has expired (or is damaged). */
static int sweep_batch(sdbm_state *s, pl_tx *tx, apr_pool_t *p, const char *path,
                       const char *name, const apr_array_header_t *keys, int from, int to)
{
    apr_time_t now = apr_time_sec(apr_time_now());
    apr_sdbm_t *db;
    int i, removed = 0;

    if (lock(s) != APR_SUCCESS)
        return 0;
    if (apr_sdbm_open(&db, path, APR_FOPEN_WRITE | APR_FOPEN_SHARELOCK, FILE_MODE, p)
            == APR_SUCCESS) {
        if (apr_sdbm_lock(db, APR_FLOCK_EXCLUSIVE) == APR_SUCCESS) {
            for (i = from; i < to; i++) {
                apr_sdbm_datum_t k = APR_ARRAY_IDX(keys, i, apr_sdbm_datum_t), v;
                apr_array_header_t *rec;
                const char *why = NULL;
                int e;

                if (apr_sdbm_fetch(db, &v, k) != APR_SUCCESS || v.dptr == NULL)
                    continue;               /* gone meanwhile */
                rec = unpack(p, NULL, (const unsigned char *)v.dptr, (apr_size_t)v.dsize, &why);
                if (rec == NULL && v.dsize >= 3 && (unsigned char)v.dptr[2] != BLOB_VERSION)
                    continue;               /* a later format: not ours to judge */
                if (rec != NULL) {
                    e = pl_persist_find(rec, "__expire_KEY");
                    if (e < 0 || pl_persist_atol(APR_ARRAY_IDX(rec, e, pl_pfield).value,
                                                 APR_ARRAY_IDX(rec, e, pl_pfield).value_len) > now)
                        continue;
                }
                if (apr_sdbm_delete(db, k) == APR_SUCCESS) {
                    removed++;
                    pl_debug(tx, 4, "collections_remove_stale: Removed stale collection (name "
                             "\"%s\", key \"%s\")%s.", name,
                             pl_log_escape(tx->pool, k.dptr, (apr_size_t)(k.dsize > 0 ? k.dsize - 1 : 0)),
                             rec ? "" : apr_pstrcat(tx->pool, ": unreadable, ", why, NULL));
                }
            }
            apr_sdbm_unlock(db);
        }
        apr_sdbm_close(db);
    }
    unlock(s);
    return removed;
}

static void sdbm_sweep(pl_store *st, pl_tx *tx, const char *name)
{
    sdbm_state *s = st->data;
    const char *path = file_of(st, tx, name);
    apr_array_header_t *keys;
    apr_pool_t *p;
    int i, removed = 0;

    if (path == NULL || !sweep_due(s, tx, path))
        return;
    apr_pool_create(&p, tx->pool);
    keys = all_keys(s, p, path);
    pl_debug(tx, 9, "collections_remove_stale: Found %d record(s) in file \"%s\".",
             keys->nelts, path);
    for (i = 0; i < keys->nelts; i += SWEEP_BATCH)
        removed += sweep_batch(s, tx, p, path, name, keys, i,
                               i + SWEEP_BATCH < keys->nelts ? i + SWEEP_BATCH : keys->nelts);
    pl_debug(tx, 4, "collections_remove_stale: Removed %d of %d record(s) of \"%s\".",
             removed, keys->nelts, path);
    apr_pool_destroy(p);
}

/* ---- tools -------------------------------------------------------------------------- */

apr_status_t pl_persist_sdbm_walk(apr_pool_t *p, const char *path,
                                  void (*fn)(void *baton, const char *key, apr_size_t klen,
                                             const pl_coll *rec),
                                  void *baton, int *bad)
{
    apr_array_header_t *keys = apr_array_make(p, 64, sizeof(apr_sdbm_datum_t));
    apr_sdbm_datum_t k, v;
    apr_sdbm_t *db;
    apr_status_t rv;
    int i, j;

    *bad = 0;
    rv = apr_sdbm_open(&db, path, APR_FOPEN_READ | APR_FOPEN_SHARELOCK, FILE_MODE, p);
    if (rv != APR_SUCCESS)
        return rv;
    if ((rv = apr_sdbm_lock(db, APR_FLOCK_SHARED)) != APR_SUCCESS) {
        apr_sdbm_close(db);
        return rv;
    }
    /* keys first: a fetch moves the page the iteration reads from */
    for (rv = apr_sdbm_firstkey(db, &k); rv == APR_SUCCESS && k.dptr != NULL;
         rv = apr_sdbm_nextkey(db, &k)) {
        k.dptr = apr_pmemdup(p, k.dptr, (apr_size_t)k.dsize);
        APR_ARRAY_PUSH(keys, apr_sdbm_datum_t) = k;
    }
    if (APR_STATUS_IS_EOF(rv))
        rv = APR_SUCCESS;                   /* the end of the keys */
    for (i = 0; rv == APR_SUCCESS && i < keys->nelts; i++) {
        apr_array_header_t *rec = NULL;
        const char *why = NULL;
        pl_coll *c;

        k = APR_ARRAY_IDX(keys, i, apr_sdbm_datum_t);
        if (apr_sdbm_fetch(db, &v, k) == APR_SUCCESS && v.dptr != NULL)
            rec = unpack(p, NULL, (const unsigned char *)v.dptr, (apr_size_t)v.dsize, &why);
        if (rec == NULL) {
            (*bad)++;
            continue;
        }
        c = pl_coll_create(p, "RECORD", 1);
        for (j = 0; j < rec->nelts; j++) {
            const pl_pfield *f = &APR_ARRAY_IDX(rec, j, pl_pfield);
            pl_coll_set(c, f->name, f->value, f->value_len);
        }
        fn(baton, k.dptr, k.dsize > 0 ? (apr_size_t)k.dsize - 1 : 0, c);
    }
    apr_sdbm_unlock(db);
    apr_sdbm_close(db);
    return rv;
}

/* ---- registration --------------------------------------------------------------------- */

const pl_store_ops pl_store_sdbm = {
    "sdbm", sdbm_open, sdbm_load, sdbm_remove, sdbm_write, sdbm_sweep
};
