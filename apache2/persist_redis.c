/*
 * Persistent collections in a Redis-protocol server (Valkey, Redis), for a
 * fleet of web servers that share IP and SESSION state:
 *
 *     SecCollectionBackend redis://[[user]:password@]host[:port][/db][?options]
 *
 * options: timeout=MS (connect and per-call timeout, default 200),
 * retry=MS (after a connection failure the store counts as down for that
 * long and calls fail at once, default 1000), prefix=TEXT (key prefix,
 * default "palisade:").
 *
 * Mapping: collection NAME with key KEY is the hash PREFIX NAME ":" KEY;
 * each variable (built-ins included, as in the SDBM record) is a field.
 * The record's expiry (__expire_KEY) is the key's EXPIREAT, so the server
 * removes expired records itself; per-variable expiry (__expire_<var>)
 * is applied on load like with SDBM.  A write is one MULTI/EXEC: HSET for
 * values the transaction set, HINCRBY for relative counter changes (merged
 * with concurrent requests by the server), HDEL for deleted variables,
 * HSETNX for the built-ins, EXPIREAT.  A counter that a concurrent decrement
 * took below 0 is then set to 0 (2.9's floor), outside the transaction.
 *
 * Connections (hiredis, blocking, with socket timeouts) are kept per
 * process in a small free list shared by its threads; a connection that
 * failed is closed, never reused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <apr_thread_mutex.h>

#include "persist.h"

#ifdef PL_HAVE_HIREDIS

#include <hiredis/hiredis.h>

/* ---- constants ----------------------------------------------------------------- */

#define DEFAULT_PORT        6379
#define DEFAULT_TIMEOUT_MS  200
#define DEFAULT_RETRY_MS    1000
#define DEFAULT_PREFIX      "palisade:"
/* Idle connections kept per process. */
#define MAX_IDLE            64
/* Arguments of the longest command (HSET key field value). */
#define MAX_ARGS            4

/* ---- types ------------------------------------------------------------------------ */

typedef struct redis_state {
    const char         *host;
    int                 port, db;
    const char         *user, *password;
    struct timeval      timeout;
    apr_interval_time_t retry;
    const char         *prefix;
    apr_thread_mutex_t *lock;             /* the fields below */
    redisContext       *idle[MAX_IDLE];
    int                 nidle;
    apr_time_t          down_until;
    const char         *down_reason;      /* in the store's pool */
    apr_pool_t         *pool;
} redis_state;

/* A command being built: argv with lengths. */
typedef struct cmd {
    const char *argv[MAX_ARGS];
    size_t      len[MAX_ARGS];
    int         argc;
} cmd;

/* ---- configuration --------------------------------------------------------------- */

static const char *parse_ms(apr_pool_t *p, const char *name, const char *v, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (*v == '\0' || *end != '\0' || n <= 0 || n > 600000)
        return apr_psprintf(p, "SecCollectionBackend: invalid %s \"%s\" (milliseconds, 1-600000)",
                            name, v);
    *out = n;
    return NULL;
}

static const char *parse_options(apr_pool_t *p, redis_state *s, char *q)
{
    char *last = NULL, *opt;
    long ms;
    const char *err;

    for (opt = apr_strtok(q, "&", &last); opt; opt = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(opt, '=');
        if (eq == NULL)
            return apr_psprintf(p, "SecCollectionBackend: option \"%s\" has no value", opt);
        *eq++ = '\0';
        if (strcmp(opt, "timeout") == 0) {
            if ((err = parse_ms(p, opt, eq, &ms)) != NULL)
                return err;
            s->timeout.tv_sec = ms / 1000;
            s->timeout.tv_usec = (ms % 1000) * 1000;
        } else if (strcmp(opt, "retry") == 0) {
            if ((err = parse_ms(p, opt, eq, &ms)) != NULL)
                return err;
            s->retry = apr_time_from_msec(ms);
        } else if (strcmp(opt, "prefix") == 0) {
            s->prefix = eq;
        } else {
            return apr_psprintf(p, "SecCollectionBackend: unknown option \"%s\" (timeout, "
                                "retry, prefix)", opt);
        }
    }
    return NULL;
}

/* redis://[[user]:password@]host[:port][/db][?options] */
static const char *parse_url(apr_pool_t *p, redis_state *s, const char *spec)
{
    char *u = apr_pstrdup(p, spec + 8), *q, *path, *at, *colon, *end;

    if ((q = strchr(u, '?')) != NULL)
        *q++ = '\0';
    if ((path = strchr(u, '/')) != NULL)
        *path++ = '\0';
    if ((at = strrchr(u, '@')) != NULL) {
        *at = '\0';
        if ((colon = strchr(u, ':')) != NULL) {
            *colon = '\0';
            s->user = *u ? u : NULL;
            s->password = colon + 1;
        } else {
            s->password = u;
        }
        u = at + 1;
    }
    if (*u == '[') {                            /* [IPv6]:port */
        if ((end = strchr(u, ']')) == NULL)
            return "SecCollectionBackend: unterminated [address]";
        *end = '\0';
        s->host = u + 1;
        colon = end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strchr(u, ':');
        if (colon)
            *colon = '\0';
        s->host = u;
    }
    if (*s->host == '\0')
        return apr_psprintf(p, "SecCollectionBackend: no host in \"%s\"", spec);
    if (colon) {
        s->port = (int)strtol(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || s->port <= 0 || s->port > 65535)
            return apr_psprintf(p, "SecCollectionBackend: invalid port in \"%s\"", spec);
    }
    if (path && *path) {
        s->db = (int)strtol(path, &end, 10);
        if (*end != '\0' || s->db < 0)
            return apr_psprintf(p, "SecCollectionBackend: invalid database number in \"%s\"",
                                spec);
    }
    return q ? parse_options(p, s, q) : NULL;
}

/* ---- connections -------------------------------------------------------------------- */

static apr_status_t close_idle(void *data)
{
    redis_state *s = data;

    while (s->nidle > 0)
        redisFree(s->idle[--s->nidle]);
    return APR_SUCCESS;
}

/* A reply that is an error, as text; NULL when it is not one. */
static const char *reply_error(apr_pool_t *p, const redisReply *r)
{
    if (r == NULL)
        return "no reply";
    if (r->type == REDIS_REPLY_ERROR)
        return apr_pstrmemdup(p, r->str, (apr_size_t)r->len);
    return NULL;
}

/* One command on a fresh connection (AUTH, SELECT); NULL or an error. */
static const char *setup_cmd(apr_pool_t *p, redisContext *c, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    const char *err;

    if (r == NULL)
        return apr_pstrdup(p, c->errstr);
    err = reply_error(p, r);
    freeReplyObject(r);
    return err;
}

static redisContext *connect_new(pl_tx *tx, redis_state *s, const char **err)
{
    redisContext *c = redisConnectWithTimeout(s->host, s->port, s->timeout);
    char db[16];

    if (c == NULL || c->err) {
        *err = apr_psprintf(tx->pool, "connecting to %s:%d: %s", s->host, s->port,
                            c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, s->timeout);
    if (s->password != NULL) {
        const char *auth[3] = { "AUTH", s->user ? s->user : s->password, s->password };
        if ((*err = setup_cmd(tx->pool, c, s->user ? 3 : 2, auth)) != NULL) {
            redisFree(c);
            return NULL;
        }
    }
    if (s->db != 0) {
        const char *sel[2] = { "SELECT", db };
        apr_snprintf(db, sizeof(db), "%d", s->db);
        if ((*err = setup_cmd(tx->pool, c, 2, sel)) != NULL) {
            redisFree(c);
            return NULL;
        }
    }
    return c;
}

static void mark_down(redis_state *s, const char *reason)
{
    apr_thread_mutex_lock(s->lock);
    s->down_until = apr_time_now() + s->retry;
    s->down_reason = apr_pstrdup(s->pool, reason);
    apr_thread_mutex_unlock(s->lock);
}

/*
 * An idle connection (*reused = 1) or a new one; NULL with *err when the
 * store is down.  fresh asks for a new connection.
 */
static redisContext *acquire(pl_tx *tx, redis_state *s, int fresh, int *reused,
                             const char **err)
{
    redisContext *c = NULL;
    apr_time_t now = apr_time_now();

    *reused = 0;
    apr_thread_mutex_lock(s->lock);
    if (now < s->down_until)
        *err = apr_psprintf(tx->pool, "%s (not retried for %" APR_TIME_T_FMT " ms)",
                            s->down_reason, apr_time_as_msec(s->down_until - now));
    else if (s->nidle > 0 && !fresh)
        c = s->idle[--s->nidle];
    apr_thread_mutex_unlock(s->lock);
    if (c != NULL || *err != NULL) {
        *reused = c != NULL;
        return c;
    }
    if ((c = connect_new(tx, s, err)) == NULL)
        mark_down(s, *err);
    return c;
}

/*
 * A kept connection the server closed meanwhile (it restarted, or closed
 * idle clients): the request never reached it, so it is sent again on a
 * new connection, and the other kept connections are dropped too.  Not on
 * a timeout: the server may have done the work.
 */
static int stale(redis_state *s, redisContext *c, int reused)
{
    if (!reused || !(c->err == REDIS_ERR_EOF
                     || (c->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE
                                                    || strstr(c->errstr, "reset")
                                                    || strstr(c->errstr, "Broken pipe")))))
        return 0;
    redisFree(c);
    apr_thread_mutex_lock(s->lock);
    close_idle(s);
    apr_thread_mutex_unlock(s->lock);
    return 1;
}

/* Gives c back, or closes it when it failed (ok == 0). */
static void release(redis_state *s, redisContext *c, int ok)
{
    if (ok && c->err == 0) {
        apr_thread_mutex_lock(s->lock);
        if (s->nidle < MAX_IDLE) {
            s->idle[s->nidle++] = c;
            c = NULL;
        }
        apr_thread_mutex_unlock(s->lock);
    }
    if (c != NULL)
        redisFree(c);
}

/* The connection broke: close it and count the store as down. */
static const char *broken(pl_tx *tx, redis_state *s, redisContext *c)
{
    const char *err = apr_psprintf(tx->pool, "%s:%d: %s", s->host, s->port,
                                   c->errstr[0] ? c->errstr : "connection lost");

    release(s, c, 0);
    mark_down(s, err);
    return err;
}

/* ---- keys and commands ------------------------------------------------------------ */

static void hkey(pl_tx *tx, redis_state *s, const char *name, const char *key,
                 apr_size_t klen, const char **out, size_t *out_len)
{
    apr_size_t pl = strlen(s->prefix), nl = strlen(name);
    char *k = apr_palloc(tx->pool, pl + nl + 1 + klen + 1);

    memcpy(k, s->prefix, pl);
    memcpy(k + pl, name, nl);
    k[pl + nl] = ':';
    memcpy(k + pl + nl + 1, key, klen);
    k[pl + nl + 1 + klen] = '\0';
    *out = k;
    *out_len = pl + nl + 1 + klen;
}

static void arg(cmd *c, const char *s, size_t len)
{
    c->argv[c->argc] = s;
    c->len[c->argc] = len;
    c->argc++;
}

static void arg_str(cmd *c, const char *s)
{
    arg(c, s, strlen(s));
}

/* One command; its reply (NULL with *err when the store failed), *ctx
 * to release afterwards. */
static redisReply *command(pl_tx *tx, redis_state *s, cmd *c, redisContext **ctx,
                           const char **err)
{
    redisReply *r;
    int reused, attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        if ((*ctx = acquire(tx, s, attempt, &reused, err)) == NULL)
            return NULL;
        if ((r = redisCommandArgv(*ctx, c->argc, c->argv, c->len)) != NULL)
            return r;
        if (!stale(s, *ctx, reused))
            break;
    }
    *err = broken(tx, s, *ctx);
    return NULL;
}

/* ---- operations ------------------------------------------------------------------- */

static const char *redis_open(pl_store *st, apr_pool_t *p)
{
    redis_state *s = apr_pcalloc(p, sizeof(*s));
    const char *err;

    st->data = s;
    s->pool = p;
    s->port = DEFAULT_PORT;
    s->timeout.tv_sec = DEFAULT_TIMEOUT_MS / 1000;
    s->timeout.tv_usec = (DEFAULT_TIMEOUT_MS % 1000) * 1000;
    s->retry = apr_time_from_msec(DEFAULT_RETRY_MS);
    s->prefix = DEFAULT_PREFIX;
    if ((err = parse_url(p, s, st->spec)) != NULL)
        return err;
    if (apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS)
        return "cannot create a mutex";
    apr_pool_cleanup_register(p, s, close_idle, apr_pool_cleanup_null);
    return NULL;
}

static apr_status_t redis_load(pl_store *st, pl_tx *tx, const char *name, const char *key,
                               apr_size_t klen, apr_array_header_t **rec, const char **err)
{
    redis_state *s = st->data;
    cmd c = { { 0 }, { 0 }, 0 };
    const char *k;
    size_t kl;
    redisContext *ctx;
    redisReply *r;
    size_t i;

    *rec = NULL;
    *err = NULL;
    hkey(tx, s, name, key, klen, &k, &kl);
    pl_debug(tx, 9, "collection_retrieve_ex: Retrieving collection (name \"%s\", "
             "redis key \"%s\")", name, pl_log_escape(tx->pool, k, kl));
    arg_str(&c, "HGETALL");
    arg(&c, k, kl);
    if ((r = command(tx, s, &c, &ctx, err)) == NULL)
        return APR_EGENERAL;
    if (r->type != REDIS_REPLY_ARRAY) {
        *err = apr_psprintf(tx->pool, "HGETALL %s: %s", name,
                            reply_error(tx->pool, r) ? reply_error(tx->pool, r)
                                                     : "unexpected reply");
        freeReplyObject(r);
        release(s, ctx, 1);
        return APR_EGENERAL;
    }
    if (r->elements > 0)
        *rec = apr_array_make(tx->pool, (int)(r->elements / 2), sizeof(pl_pfield));
    for (i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *n = r->element[i], *v = r->element[i + 1];
        pl_pfield *f;
        if (n->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        f = apr_array_push(*rec);
        f->name = apr_pstrmemdup(tx->pool, n->str, (apr_size_t)n->len);
        f->value = apr_pstrmemdup(tx->pool, v->str, (apr_size_t)v->len);
        f->value_len = (apr_size_t)v->len;
        if (pl_persist_dbg(tx, 9))
            pl_debug(tx, 9, "collection_unpack: Read variable: name \"%s\", value \"%s\".",
                     pl_log_escape(tx->pool, f->name, strlen(f->name)),
                     pl_log_escape(tx->pool, f->value, f->value_len));
    }
    freeReplyObject(r);
    release(s, ctx, 1);
    return APR_SUCCESS;
}

static apr_status_t redis_remove(pl_store *st, pl_tx *tx, const char *name, const char *key,
                                 apr_size_t klen, const char **err)
{
    redis_state *s = st->data;
    cmd c = { { 0 }, { 0 }, 0 };
    redisContext *ctx;
    redisReply *r;
    const char *k;
    size_t kl;

    *err = NULL;
    hkey(tx, s, name, key, klen, &k, &kl);
    arg_str(&c, "DEL");
    arg(&c, k, kl);
    if ((r = command(tx, s, &c, &ctx, err)) == NULL)
        return APR_EGENERAL;
    freeReplyObject(r);
    release(s, ctx, 1);
    return APR_SUCCESS;
}

/* Queues the command of one change; returns 0 when it needs none. */
static int change_cmd(pl_tx *tx, const pl_pchange *ch, const char *k, size_t kl, cmd *c)
{
    c->argc = 0;
    switch (ch->op) {
    case PL_PC_SET:   arg_str(c, "HSET");   break;
    case PL_PC_SETNX: arg_str(c, "HSETNX"); break;
    case PL_PC_DEL:   arg_str(c, "HDEL");   break;
    default:
        /* no change of the counter: only make sure it exists */
        arg_str(c, ch->delta != 0 ? "HINCRBY" : "HSETNX");
        break;
    }
    arg(c, k, kl);
    arg_str(c, ch->name);
    if (ch->op == PL_PC_ADD && ch->delta != 0)
        arg_str(c, apr_ltoa(tx->pool, ch->delta));
    else if (ch->op != PL_PC_DEL)
        arg(c, ch->value, ch->value_len);
    return 1;
}

/* After EXEC: logs the merged counters, repairs what HINCRBY could not do
 * (a counter below 0, a field that was not a number). */
static void after_exec(pl_tx *tx, redis_state *s, redisContext *ctx, const pl_pwrite *w,
                       const char *k, size_t kl, const redisReply *exec)
{
    size_t i;

    for (i = 0; i < (size_t)w->changes->nelts && i < exec->elements; i++) {
        const pl_pchange *ch = &APR_ARRAY_IDX(w->changes, i, pl_pchange);
        const redisReply *r = exec->element[i];
        const char *fix = NULL;
        cmd c = { { 0 }, { 0 }, 0 };
        redisReply *fr;

        if (ch->op == PL_PC_SET && pl_persist_dbg(tx, 9))
            pl_debug(tx, 9, "collection_store: Wrote variable: name \"%s\", value \"%s\".",
                     pl_log_escape(tx->pool, ch->name, strlen(ch->name)),
                     pl_log_escape(tx->pool, ch->value, ch->value_len));
        if (ch->op != PL_PC_ADD || ch->delta == 0)
            continue;
        if (r->type == REDIS_REPLY_INTEGER) {
            if (pl_persist_dbg(tx, 9))
                pl_debug(tx, 9, "collection_store: Delta applied for %s.%s %ld->%ld (%ld): "
                         "%lld + (%ld) = %lld", w->name, ch->name, ch->orig, ch->orig + ch->delta,
                         ch->delta, r->integer - ch->delta, ch->delta, r->integer);
            if (r->integer < 0)
                fix = "0";                  /* counters never go below zero */
        } else {
            fix = apr_pstrmemdup(tx->pool, ch->value, ch->value_len);  /* not a number */
        }
        if (fix == NULL)
            continue;
        arg_str(&c, "HSET");
        arg(&c, k, kl);
        arg_str(&c, ch->name);
        arg_str(&c, fix);
        if ((fr = redisCommandArgv(ctx, c.argc, c.argv, c.len)) != NULL)
            freeReplyObject(fr);
    }
    (void)s;
}

/* Queues MULTI, the changes, EXPIREAT (or PERSIST) and EXEC; returns how
 * many replies are to come. */
static int queue_write(pl_tx *tx, redisContext *ctx, const pl_pwrite *w, const char *k,
                       size_t kl)
{
    cmd c;
    int i, n = 0;

    c.argc = 0;
    arg_str(&c, "MULTI");
    redisAppendCommandArgv(ctx, c.argc, c.argv, c.len);
    n++;
    for (i = 0; i < w->changes->nelts; i++) {
        change_cmd(tx, &APR_ARRAY_IDX(w->changes, i, pl_pchange), k, kl, &c);
        redisAppendCommandArgv(ctx, c.argc, c.argv, c.len);
        n++;
    }
    c.argc = 0;
    if (w->expire_at > 0) {
        arg_str(&c, "EXPIREAT");
        arg(&c, k, kl);
        arg_str(&c, apr_psprintf(tx->pool, "%" APR_TIME_T_FMT, w->expire_at));
    } else {
        arg_str(&c, "PERSIST");
        arg(&c, k, kl);
    }
    redisAppendCommandArgv(ctx, c.argc, c.argv, c.len);
    n++;
    c.argc = 0;
    arg_str(&c, "EXEC");
    redisAppendCommandArgv(ctx, c.argc, c.argv, c.len);
    return n + 1;
}

static apr_status_t redis_write(pl_store *st, pl_tx *tx, const pl_pwrite *w, const char **err)
{
    redis_state *s = st->data;
    redisContext *ctx = NULL;
    redisReply *r = NULL, *exec = NULL;
    const char *k;
    size_t kl;
    int i, n = 0, ok = 1, reused, attempt;

    *err = NULL;
    hkey(tx, s, w->name, w->key, w->key_len, &k, &kl);
    /* the first reply (MULTI's) tells whether a kept connection still works */
    for (attempt = 0; attempt < 2; attempt++) {
        if ((ctx = acquire(tx, s, attempt, &reused, err)) == NULL)
            return APR_EGENERAL;
        n = queue_write(tx, ctx, w, k, kl);
        if (redisGetReply(ctx, (void **)&r) == REDIS_OK && r != NULL)
            break;
        r = NULL;
        if (!stale(s, ctx, reused))
            break;
    }
    /* MULTI and the queued commands answer +OK / +QUEUED, EXEC the results */
    for (i = 0; i < n; i++) {
        if (i > 0 && (redisGetReply(ctx, (void **)&r) != REDIS_OK))
            r = NULL;
        if (r == NULL) {
            *err = broken(tx, s, ctx);
            return APR_EGENERAL;
        }
        if (i < n - 1) {
            if (*err == NULL && reply_error(tx->pool, r) != NULL)
                *err = apr_psprintf(tx->pool, "queueing: %s", reply_error(tx->pool, r));
            freeReplyObject(r);
        } else {
            exec = r;
        }
        r = NULL;
    }
    if (exec->type != REDIS_REPLY_ARRAY) {
        if (*err == NULL)
            *err = apr_psprintf(tx->pool, "EXEC: %s", reply_error(tx->pool, exec)
                                ? reply_error(tx->pool, exec) : "transaction aborted");
        ok = 0;
    } else {
        after_exec(tx, s, ctx, w, k, kl, exec);
    }
    freeReplyObject(exec);
    release(s, ctx, 1);
    return ok ? APR_SUCCESS : APR_EGENERAL;
}

/* ---- registration ---------------------------------------------------------------------- */

/* The server expires records itself (EXPIREAT): no sweep. */
const pl_store_ops pl_store_redis = {
    "redis", redis_open, redis_load, redis_remove, redis_write, NULL
};

#else /* !PL_HAVE_HIREDIS */

/* Built without hiredis: the directive is refused with what to do. */
static const char *redis_unavailable(pl_store *st, apr_pool_t *p)
{
    (void)st;
    (void)p;
    return "SecCollectionBackend redis://: this build has no Redis support (configure did "
           "not find hiredis: apt-get install libhiredis-dev, then configure and build again)";
}

const pl_store_ops pl_store_redis = {
    "redis", redis_unavailable, NULL, NULL, NULL, NULL
};

#endif /* PL_HAVE_HIREDIS */
