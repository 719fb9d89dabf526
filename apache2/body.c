/*
 * Request body storage: memory chunks up to SecRequestBodyInMemoryLimit,
 * then a spool file under SecTmpDir; the limits; and the choice of the
 * body processor that turns the stored body into variables before phase 2:
 *
 *   URLENCODED  ARGS_POST (pl_tx_parse_args in tx.c), REQUEST_BODY
 *   MULTIPART   body_multipart.c
 *   JSON        body_json.c
 *   XML         body_xml.c
 *
 * As in 2.9 a processor runs only when no request body error was raised
 * before (SecArgumentsLimit in the query string), and REQUEST_BODY exists
 * for URLENCODED or when ctl:forceRequestBodyVariable asked for it.
 */
#include <unistd.h>
#include <sys/uio.h>
#include "body.h"

/* ModSecurity 2.9 defaults for settings left PL_UNSET. */
#define DEFAULT_REQBODY_LIMIT    134217728
#define DEFAULT_INMEM_LIMIT      131072
#define DEFAULT_ARGS_LIMIT       1000

/* ------------------------------------------------------------------------
 * Shared with the processors: settings and messages
 * --------------------------------------------------------------------- */

static apr_off_t reqbody_limit(const pl_tx *tx)
{
    if (tx->reqbody_limit > 0)
        return tx->reqbody_limit;
    return tx->cfg && tx->cfg->reqbody_limit > 0 ? tx->cfg->reqbody_limit
                                                  : DEFAULT_REQBODY_LIMIT;
}

static apr_off_t inmem_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->reqbody_inmem_limit > 0 ? tx->cfg->reqbody_inmem_limit
                                                        : DEFAULT_INMEM_LIMIT;
}

long pl_body_args_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->args_limit > 0 ? tx->cfg->args_limit : DEFAULT_ARGS_LIMIT;
}

/* Without SecTmpDir, 2.9's guess: $TMPDIR, $TMP or $TEMP, else /tmp
 * (APR's choice, made once per process). */
const char *pl_body_tmp_dir(const pl_tx *tx)
{
    const char *dir = NULL;

    if (tx->cfg && tx->cfg->tmp_dir)
        return tx->cfg->tmp_dir;
    if (apr_temp_dir_get(&dir, tx->pool) != APR_SUCCESS || dir == NULL)
        dir = PL_BODY_DEFAULT_TMP_DIR;
    return dir;
}

int pl_body_args_count(const pl_tx *tx)
{
    return tx->args_get->items->nelts + tx->args_post->items->nelts
         + tx->args_json->items->nelts;
}

/* Debug lines are built only when they would be written. */
int pl_body_debug_on(const pl_tx *tx, int level)
{
    int max = tx->debug_log_level != PL_UNSET ? tx->debug_log_level
            : tx->cfg ? tx->cfg->debug_log_level : 0;
    return level <= max;
}

/*
 * A message at one of 2.9's log levels: the debug log, and for levels 1-3
 * also the error log with the usual trailer (which, as in 2.9, makes the
 * transaction relevant).
 */
void pl_body_log(pl_tx *tx, int level, const char *msg)
{
    const char *uri = tx->log_uri ? tx->log_uri : tx->path_decoded ? tx->path_decoded : "";
    const char *host = tx->hostname ? tx->hostname : "";

    pl_debug(tx, level, "%s", msg);
    if (level > 3 || tx->host == NULL || tx->host->log_error == NULL)
        return;
    tx->is_relevant = 1;
    tx->host->log_error(tx, level, apr_psprintf(tx->pool,
        "%s [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]", msg,
        pl_log_escape(tx->pool, host, strlen(host)), pl_log_escape(tx->pool, uri, strlen(uri)),
        tx->unique_id ? tx->unique_id : ""));
}

void pl_body_error(pl_tx *tx, const char *msg)
{
    tx->reqbody_error = 1;
    tx->reqbody_error_msg = msg;
    pl_debug(tx, 4, "%s", msg);
}

/* ------------------------------------------------------------------------
 * Static functions: storage
 * --------------------------------------------------------------------- */

/* The spool file goes with the transaction (it is also opened with
 * APR_FOPEN_DELONCLOSE; this covers a file closed elsewhere). */
static apr_status_t remove_spool(void *path)
{
    unlink(path);
    return APR_SUCCESS;
}

/* Moves what is in memory to a new spool file; memory chunks stay in the
 * pool until the transaction ends. */
static apr_status_t spill(pl_tx *tx)
{
    pl_body *b = &tx->body;
    char *path = apr_pstrcat(tx->pool, pl_body_tmp_dir(tx), "/palisade-reqbody-XXXXXX", NULL);
    apr_status_t rv;
    int i;

    rv = apr_file_mktemp(&b->spool, path, APR_FOPEN_CREATE | APR_FOPEN_READ
                         | APR_FOPEN_WRITE | APR_FOPEN_EXCL | APR_FOPEN_BINARY
                         | APR_FOPEN_DELONCLOSE, tx->pool);
    if (rv != APR_SUCCESS) {
        b->spool = NULL;
        pl_debug(tx, 1, "Input filter: Failed to create temporary file: %s", path);
        return rv;
    }
    b->spool_path = path;
    apr_pool_cleanup_register(tx->pool, path, remove_spool, apr_pool_cleanup_null);
    pl_debug(tx, 4, "Input filter: Created temporary file to store request body: %s", path);
    for (i = 0; i < b->chunks->nelts && rv == APR_SUCCESS; i++) {
        const struct iovec *v = &APR_ARRAY_IDX(b->chunks, i, struct iovec);
        rv = apr_file_write_full(b->spool, v->iov_base, v->iov_len, NULL);
    }
    b->chunks->nelts = 0;
    return rv;
}

static apr_status_t store(pl_tx *tx, const char *data, apr_size_t len)
{
    pl_body *b = &tx->body;
    struct iovec *v;

    if (len == 0)
        return APR_SUCCESS;
    if (b->spool == NULL && b->length + (apr_off_t)len > inmem_limit(tx)) {
        pl_debug(tx, 4, "Input filter: Request too large to store in memory, switching to disk.");
        /* without a spool file the body stays in memory */
        spill(tx);
    }
    b->length += len;
    b->flat = NULL;
    if (b->spool != NULL)
        return apr_file_write_full(b->spool, data, len, NULL);
    v = apr_array_push(b->chunks);
    v->iov_base = apr_pmemdup(tx->pool, data, len);
    v->iov_len = len;
    return APR_SUCCESS;
}

static char *read_spool(pl_tx *tx)
{
    pl_body *b = &tx->body;
    char *buf = apr_palloc(tx->pool, (apr_size_t)b->length + 1);
    apr_off_t off = 0;
    apr_size_t got = 0;

    if (apr_file_seek(b->spool, APR_SET, &off) != APR_SUCCESS
            || apr_file_read_full(b->spool, buf, (apr_size_t)b->length, &got) != APR_SUCCESS)
        pl_debug(tx, 1, "Failed to read the request body from %s", b->spool_path);
    buf[got] = '\0';
    off = 0;
    apr_file_seek(b->spool, APR_END, &off);
    return buf;
}

/* ------------------------------------------------------------------------
 * Static functions: processor choice
 * --------------------------------------------------------------------- */

/* Canonical spelling of a processor name from ctl:requestBodyProcessor. */
static const char *canonical_processor(const char *name)
{
    static const char *const known[] = { "URLENCODED", "MULTIPART", "XML", "JSON" };
    apr_size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcasecmp(name, known[i]) == 0)
            return known[i];
    return name;
}

static const char *choose_processor(const pl_tx *tx)
{
    return tx->ctl_reqbody_processor ? canonical_processor(tx->ctl_reqbody_processor)
                                     : tx->reqbody_processor;
}

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

/* SecRequestBodyNoFilesLimit, default 1 MiB as in ModSecurity. */
static apr_off_t nofiles_limit(const pl_tx *tx)
{
    return tx->cfg->reqbody_nofiles_limit > 0 ? tx->cfg->reqbody_nofiles_limit : 1048576;
}

apr_status_t pl_tx_body_append(pl_tx *tx, const char *data, apr_size_t len)
{
    apr_off_t limit = reqbody_limit(tx);
    const char *proc = choose_processor(tx);

    /* Bodies a processor reads whole count against the no-files limit;
     * multipart file parts do not.  ModSecurity counts the non-file bytes
     * of a multipart body as it parses; here multipart bodies are only
     * held to SecRequestBodyLimit (the parser runs after buffering). */
    if (proc != NULL && strcmp(proc, "MULTIPART") != 0
            && tx->body.length + (apr_off_t)len > nofiles_limit(tx))
        return PL_BODY_NOFILES;

    if (tx->body.length + (apr_off_t)len > limit) {
        /* what fits is kept for ProcessPartial */
        if (tx->body.length < limit)
            store(tx, data, (apr_size_t)(limit - tx->body.length));
        tx->inbound_data_error = 1;
        return APR_ENOSPC;
    }
    store(tx, data, len);
    return APR_SUCCESS;
}

const char *pl_tx_body_flat(pl_tx *tx, apr_size_t *len)
{
    pl_body *b = &tx->body;
    char *d;
    int i;

    if (b->flat == NULL) {
        if (b->spool != NULL) {
            b->flat = read_spool(tx);
        } else {
            d = b->flat = apr_palloc(tx->pool, (apr_size_t)b->length + 1);
            for (i = 0; i < b->chunks->nelts; i++) {
                const struct iovec *v = &APR_ARRAY_IDX(b->chunks, i, struct iovec);
                memcpy(d, v->iov_base, v->iov_len);
                d += v->iov_len;
            }
            *d = '\0';
        }
    }
    if (len)
        *len = (apr_size_t)b->length;
    return b->flat;
}

void pl_tx_body_done(pl_tx *tx)
{
    const char *proc = choose_processor(tx);
    const char *buf;
    apr_size_t len;

    tx->reqbody_processor = proc;
    if (tx->body.length == 0)
        return;                     /* 2.9 does not process an empty body */
    buf = pl_tx_body_flat(tx, &len);
    if (proc == NULL || tx->reqbody_error) {
        tx->body.available = tx->force_reqbody_var == 1;
        return;
    }
    if (strcmp(proc, "URLENCODED") == 0) {
        tx->body.available = 1;
        pl_tx_parse_args(tx, tx->args_post, buf, len);
    } else if (strcmp(proc, "MULTIPART") == 0) {
        pl_body_multipart(tx, buf, len);
    } else if (strcmp(proc, "JSON") == 0) {
        pl_body_json(tx, buf, len);
    } else if (strcmp(proc, "XML") == 0) {
        pl_body_xml(tx, buf, len);
    } else {
        pl_debug(tx, 1, "Unknown request body processor: %s", proc);
    }
}

