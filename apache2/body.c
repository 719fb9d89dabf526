/*
 * Request body storage: memory chunks up to SecRequestBodyInMemoryLimit,
 * then a spool file under SecTmpDir; the limits; and the choice of the
 * body processor that turns the stored body into variables before phase 2:
 *
 *   URLENCODED  ARGS_POST (pl_tx_parse_args in tx.c), REQUEST_BODY
 *   MULTIPART   body_multipart.c, fed each piece as it is stored
 *   XML         body_xml.c, likewise
 *   JSON        body_json.c, given the whole body at the end
 *
 * As in 2.9 a processor runs only when no request body error was raised
 * before (SecArgumentsLimit in the query string), and REQUEST_BODY exists
 * for URLENCODED or when ctl:forceRequestBodyVariable asked for it.
 *
 * Memory: a body costs at most SecRequestBodyInMemoryLimit (its memory
 * chunks stay in the pool once it is spooled) plus the processors' state;
 * MULTIPART and XML bodies are never made one buffer (the no-files limit
 * bounds the XML document and text parts), URLENCODED and JSON bodies are,
 * which the no-files limit bounds too.
 */
#include <unistd.h>
#include <sys/uio.h>
#include "body.h"

/* ModSecurity 2.9 defaults for settings left PL_UNSET. */
#define DEFAULT_REQBODY_LIMIT    134217728
#define DEFAULT_INMEM_LIMIT      131072
#define DEFAULT_ARGS_LIMIT       1000
#define DEFAULT_NOFILES_LIMIT    1048576
#define READ_BLOCK               65536   /* pl_tx_body_each's spool reads, bytes */
/* Memory chunks: pieces are copied into blocks that double from the
 * smaller size to the larger (bytes), each a little under a power of two so
 * that it fills an APR allocator node with the node's header (copying each
 * 8 KiB piece by itself cost a 12 KiB node: half as much again). */
#define BLOCK_MIN                8064
#define BLOCK_MAX                65408

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
    b->room = 0;
    return rv;
}

/*
 * A piece in memory: appended to the last chunk when its block has room,
 * else in a new block (twice the last one, within BLOCK_MIN..BLOCK_MAX, at
 * least the piece, at most what the in-memory limit leaves), so that the
 * blocks never add up to much more than the limit.
 */
static void store_memory(pl_tx *tx, const char *data, apr_size_t len)
{
    pl_body *b = &tx->body;
    struct iovec *v;
    apr_off_t left = inmem_limit(tx) - b->length;
    apr_size_t cap;

    if (b->chunks->nelts > 0 && len <= b->room) {
        v = &APR_ARRAY_IDX(b->chunks, b->chunks->nelts - 1, struct iovec);
        memcpy((char *)v->iov_base + v->iov_len, data, len);
        v->iov_len += len;
        b->room -= len;
        return;
    }
    cap = b->block < BLOCK_MIN ? BLOCK_MIN : b->block * 2 > BLOCK_MAX ? BLOCK_MAX : b->block * 2;
    if (left > 0 && (apr_off_t)cap > left)
        cap = (apr_size_t)left;
    if (cap < len)
        cap = len;
    v = apr_array_push(b->chunks);
    v->iov_base = apr_palloc(tx->pool, cap);
    memcpy(v->iov_base, data, len);
    v->iov_len = len;
    b->block = cap;
    b->room = cap - len;
}

static apr_status_t store(pl_tx *tx, const char *data, apr_size_t len)
{
    pl_body *b = &tx->body;

    if (len == 0)
        return APR_SUCCESS;
    if (b->spool == NULL && b->length + (apr_off_t)len > inmem_limit(tx)) {
        pl_debug(tx, 4, "Input filter: Request too large to store in memory, switching to disk.");
        /* without a spool file the body stays in memory */
        spill(tx);
    }
    b->flat = NULL;
    if (b->spool == NULL)
        store_memory(tx, data, len);
    b->length += len;
    if (b->spool != NULL)
        return apr_file_write_full(b->spool, data, len, NULL);
    return APR_SUCCESS;
}

/* The body into buf (length bytes), read from the spool file, which is
 * left at its end for the pieces still to come. */
static void read_spool(pl_tx *tx, char *buf)
{
    pl_body *b = &tx->body;
    apr_off_t off = 0;
    apr_size_t got = 0;

    if (apr_file_seek(b->spool, APR_SET, &off) != APR_SUCCESS
            || apr_file_read_full(b->spool, buf, (apr_size_t)b->length, &got) != APR_SUCCESS)
        pl_debug(tx, 1, "Failed to read the request body from %s", b->spool_path);
    buf[got] = '\0';
    off = 0;
    apr_file_seek(b->spool, APR_END, &off);
}

/* The whole body in one buffer, kept in b->flat: length bytes, a NUL and
 * one spare byte (the JSON lexer's). */
static char *flatten(pl_tx *tx)
{
    pl_body *b = &tx->body;
    char *d;
    int i;

    if (b->flat != NULL)
        return b->flat;
    b->flat = apr_palloc(tx->pool, (apr_size_t)b->length + 2);
    if (b->spool != NULL) {
        read_spool(tx, b->flat);
        return b->flat;
    }
    d = b->flat;
    for (i = 0; i < b->chunks->nelts; i++) {
        const struct iovec *v = &APR_ARRAY_IDX(b->chunks, i, struct iovec);
        memcpy(d, v->iov_base, v->iov_len);
        d += v->iov_len;
    }
    *d = '\0';
    return b->flat;
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

/* SecRequestBodyNoFilesLimit, default 1 MiB as in ModSecurity. */
static apr_off_t nofiles_limit(const pl_tx *tx)
{
    return tx->cfg->reqbody_nofiles_limit > 0 ? tx->cfg->reqbody_nofiles_limit
                                              : DEFAULT_NOFILES_LIMIT;
}

/* Does the streaming processor still take data (2.9: no error yet)? */
static int processor_healthy(const pl_body *b)
{
    if (b->multipart != NULL)
        return !pl_mp_failed(b->multipart);
    if (b->xml != NULL)
        return !pl_xml_failed(b->xml);
    return 1;
}

static int feed_multipart(void *mp, const char *data, apr_size_t len)
{
    pl_mp_feed(mp, data, len);
    return 0;
}

static int feed_xml(void *xp, const char *data, apr_size_t len)
{
    pl_xml_feed(xp, data, len);
    return 0;
}

/*
 * A piece about to be stored, as 2.9's modsecurity_request_body_store sees
 * it: the processor chosen with the first piece gets it (MULTIPART and XML
 * parse it now) and it is counted against the no-files limit - by the
 * MULTIPART parser for its part headers and text parts, whole for the
 * others; once the processor failed, or when there is none, only under
 * ctl:forceRequestBodyVariable.
 */
static void process_piece(pl_tx *tx, const char *data, apr_size_t len)
{
    pl_body *b = &tx->body;
    const char *proc = choose_processor(tx);

    if (!b->started) {
        b->started = 1;
        b->proc_ok = proc != NULL && !tx->reqbody_error;
        if (b->proc_ok && strcmp(proc, "MULTIPART") == 0)
            b->multipart = pl_mp_start(tx);
        else if (b->proc_ok && strcmp(proc, "XML") == 0)
            b->xml = pl_xml_start(tx);
    }
    if (b->proc_ok && processor_healthy(b)) {
        if (b->multipart != NULL) {
            pl_mp_feed(b->multipart, data, len);
        } else {
            b->nofiles += (apr_off_t)len;
            if (b->xml != NULL)
                pl_xml_feed(b->xml, data, len);
        }
    } else if (tx->force_reqbody_var == 1) {
        b->nofiles += (apr_off_t)len;
    }
}

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

/*
 * The order is 2.9's: what fits under SecRequestBodyLimit goes to the
 * processor, then the no-files count is checked (">=", as 2.9), then the
 * piece is stored.  Over the no-files limit nothing more is stored.
 */
apr_status_t pl_tx_body_append(pl_tx *tx, const char *data, apr_size_t len)
{
    apr_off_t limit = reqbody_limit(tx);
    apr_size_t keep = len;
    int over = 0;

    if (tx->body.length + (apr_off_t)len > limit) {
        /* what fits is kept for ProcessPartial */
        keep = tx->body.length < limit ? (apr_size_t)(limit - tx->body.length) : 0;
        tx->inbound_data_error = 1;
        over = 1;
    }
    if (keep > 0) {
        process_piece(tx, data, keep);
        if (tx->body.nofiles >= nofiles_limit(tx))
            return PL_BODY_NOFILES;
        store(tx, data, keep);
    }
    return over ? APR_ENOSPC : APR_SUCCESS;
}

const char *pl_tx_body_flat(pl_tx *tx, apr_size_t *len)
{
    const char *flat = flatten(tx);

    if (len)
        *len = (apr_size_t)tx->body.length;
    return flat;
}

apr_status_t pl_tx_body_each(pl_tx *tx, int (*fn)(void *ctx, const char *data, apr_size_t len),
                             void *ctx)
{
    pl_body *b = &tx->body;
    apr_status_t rv = APR_SUCCESS;
    apr_off_t off = 0, left = b->length;
    int i;

    if (b->length <= 0)
        return APR_SUCCESS;
    if (b->flat != NULL) {
        fn(ctx, b->flat, (apr_size_t)b->length);
        return APR_SUCCESS;
    }
    if (b->spool == NULL) {
        for (i = 0; i < b->chunks->nelts; i++) {
            const struct iovec *v = &APR_ARRAY_IDX(b->chunks, i, struct iovec);
            if (fn(ctx, v->iov_base, v->iov_len) != 0)
                break;
        }
        return APR_SUCCESS;
    }
    if (b->readbuf == NULL)
        b->readbuf = apr_palloc(tx->pool, READ_BLOCK);
    rv = apr_file_seek(b->spool, APR_SET, &off);
    while (rv == APR_SUCCESS && left > 0) {
        apr_size_t n = left < READ_BLOCK ? (apr_size_t)left : READ_BLOCK, got = 0;

        rv = apr_file_read_full(b->spool, b->readbuf, n, &got);
        left -= (apr_off_t)got;
        if (got > 0 && fn(ctx, b->readbuf, got) != 0)
            break;
    }
    if (rv != APR_SUCCESS)
        pl_debug(tx, 1, "Failed to read the request body from %s", b->spool_path);
    /* appends, if any, go on at the end */
    off = 0;
    apr_file_seek(b->spool, APR_END, &off);
    return rv;
}

/*
 * MULTIPART and XML parsed the body as it came and are only completed
 * here; URLENCODED and JSON read it as one buffer.
 */
void pl_tx_body_done(pl_tx *tx)
{
    pl_body *b = &tx->body;
    const char *proc = choose_processor(tx);
    char *buf;

    tx->reqbody_processor = proc;
    if (b->length == 0)
        return;                     /* 2.9 does not process an empty body */
    if (proc == NULL || tx->reqbody_error) {
        b->available = tx->force_reqbody_var == 1;
        return;
    }
    if (strcmp(proc, "URLENCODED") == 0) {
        b->available = 1;
        buf = flatten(tx);
        pl_tx_parse_args(tx, tx->args_post, buf, (apr_size_t)b->length);
    } else if (strcmp(proc, "MULTIPART") == 0) {
        /* a processor the first piece did not choose gets the body now */
        if (b->multipart == NULL) {
            b->multipart = pl_mp_start(tx);
            pl_tx_body_each(tx, feed_multipart, b->multipart);
        }
        pl_mp_finish(b->multipart);
    } else if (strcmp(proc, "JSON") == 0) {
        pl_body_json(tx, flatten(tx), (apr_size_t)b->length);
    } else if (strcmp(proc, "XML") == 0) {
        if (b->xml == NULL) {
            b->xml = pl_xml_start(tx);
            pl_tx_body_each(tx, feed_xml, b->xml);
        }
        pl_xml_finish(b->xml);
    } else {
        pl_debug(tx, 1, "Unknown request body processor: %s", proc);
    }
}
