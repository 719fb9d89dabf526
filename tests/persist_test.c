/*
 * Unit test of persistent collections (persist.c, persist_sdbm.c) through
 * the whole engine: rules read from a configuration file, transactions run
 * in this process, SDBM files in a temporary SecDataDir.
 *
 *  - transactions that overlap (both loaded before either stored): counter
 *    changes add up, the floor of 0 holds, a variable one set and another
 *    did not touch survives, a deleted variable stays deleted;
 *  - 8 threads x 250 transactions increment one counter to exactly 2000
 *    (the process-local lock, as in palisade-cli);
 *  - damaged records (every truncation, every byte changed, a later format
 *    version) are skipped without reading outside the record (run under
 *    ASan in the sanitizer build);
 *  - SecCollectionBackend syntax.
 *
 * Last line "N passed, M failed"; exit status 1 on failures.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_sdbm.h>
#include <apr_thread_proc.h>

#include "palisade.h"

/* ---- constants -------------------------------------------------------------- */

#define THREADS      8
#define PER_THREAD   250

static const char RULES[] =
    "SecRuleEngine On\n"
    "SecDataDir %s\n"
    "SecAction \"id:1,phase:1,pass,nolog,initcol:ip=%%{REMOTE_ADDR}\"\n"
    "SecRule ARGS:op \"@streq inc\" \"id:2,phase:1,pass,nolog,setvar:ip.n=+1\"\n"
    "SecRule ARGS:op \"@streq seta\" \"id:3,phase:1,pass,nolog,setvar:ip.a=A\"\n"
    "SecRule ARGS:op \"@streq setb\" \"id:4,phase:1,pass,nolog,setvar:ip.b=B\"\n"
    "SecRule ARGS:op \"@streq del\" \"id:5,phase:1,pass,nolog,setvar:!ip.a\"\n"
    "SecRule ARGS:op \"@streq dec\" \"id:6,phase:1,pass,nolog,setvar:ip.n=-5\"\n";

/* ---- bookkeeping -------------------------------------------------------------- */

static int passed, failed;

static void check(int ok, const char *what, const char *detail)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

/* ---- transactions ------------------------------------------------------------ */

static const pl_host host = { NULL, NULL, NULL };

static pl_tx *tx_phase1(apr_pool_t *p, const pl_config *cfg, const char *op)
{
    pl_tx *tx = pl_tx_create(p, cfg, &host, NULL);

    tx->unique_id = "persist-test";
    tx->remote_addr = "192.0.2.7";
    tx->remote_port = 40000;
    tx->server_addr = "127.0.0.1";
    tx->server_port = 80;
    tx->method = "GET";
    tx->uri_raw = apr_pstrcat(p, "/?op=", op, NULL);
    tx->request_line = apr_pstrcat(p, "GET ", tx->uri_raw, " HTTP/1.1", NULL);
    tx->protocol = "HTTP/1.1";
    tx->hostname = tx->server_name = "localhost";
    pl_tx_request_ready(tx);
    pl_run_phase(tx, 1);
    return tx;
}

static void tx_finish(pl_tx *tx)
{
    pl_run_phase(tx, 5);
    pl_persist_store(tx);
}

/* The stored IP collection as a new transaction sees it. */
static const char *ip_value(apr_pool_t *p, const pl_config *cfg, const char *name)
{
    pl_tx *tx = tx_phase1(p, cfg, "read");
    pl_coll *c = tx->colls ? apr_hash_get(tx->colls, "IP", APR_HASH_KEY_STRING) : NULL;
    pl_var *v = c ? pl_coll_get(c, name) : NULL;

    return v ? apr_pstrmemdup(p, v->value, v->value_len) : NULL;
}

static void check_value(apr_pool_t *p, const pl_config *cfg, const char *name,
                        const char *want, const char *what)
{
    const char *got = ip_value(p, cfg, name);
    int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);

    check(ok, what, ok ? NULL : apr_psprintf(p, "IP:%s is %s, expected %s", name,
                                             got ? got : "(none)", want ? want : "(none)"));
}

/* Two transactions loaded before either stores. */
static void overlap(apr_pool_t *p, const pl_config *cfg, const char *op1, const char *op2)
{
    pl_tx *a = tx_phase1(p, cfg, op1), *b = tx_phase1(p, cfg, op2);

    tx_finish(a);
    tx_finish(b);
}

static void test_overlapping(apr_pool_t *p, const pl_config *cfg)
{
    overlap(p, cfg, "inc", "inc");
    check_value(p, cfg, "n", "2", "two overlapping +1 both count");
    check_value(p, cfg, "UPDATE_COUNTER", "2", "UPDATE_COUNTER counts both stores");
    overlap(p, cfg, "seta", "setb");
    check_value(p, cfg, "a", "A", "a variable set by the first of two overlapping stores survives");
    check_value(p, cfg, "b", "B", "... and the second's too");
    overlap(p, cfg, "del", "inc");
    check_value(p, cfg, "a", NULL, "a variable deleted stays deleted after an overlapping store");
    check_value(p, cfg, "n", "3", "... which counted");
    overlap(p, cfg, "dec", "dec");
    check_value(p, cfg, "n", "0", "two overlapping -5 from 3 end at the floor 0");
    check_value(p, cfg, "b", "B", "untouched variables stay");
}

/* ---- threads ------------------------------------------------------------------- */

static void *APR_THREAD_FUNC worker(apr_thread_t *t, void *data)
{
    const pl_config *cfg = data;
    apr_pool_t *p;
    int i;

    apr_pool_create(&p, NULL);
    for (i = 0; i < PER_THREAD; i++) {
        apr_pool_t *tp;
        apr_pool_create(&tp, p);
        tx_finish(tx_phase1(tp, cfg, "inc"));
        apr_pool_destroy(tp);
    }
    apr_pool_destroy(p);
    /* (returning, not apr_thread_exit: pthread_exit trips ASan) */
    (void)t;
    return NULL;
}

static void test_threads(apr_pool_t *p, const pl_config *cfg)
{
    apr_thread_t *th[THREADS];
    apr_status_t rv;
    int i;

    for (i = 0; i < THREADS; i++)
        apr_thread_create(&th[i], NULL, worker, (void *)cfg, p);
    for (i = 0; i < THREADS; i++)
        apr_thread_join(&rv, th[i]);
    check_value(p, cfg, "n", apr_itoa(p, THREADS * PER_THREAD),
                "8 threads x 250 transactions: exact count");
}

/* ---- damaged records ----------------------------------------------------------- */

static int walked;

static void count_record(void *baton, const char *key, apr_size_t klen, const pl_coll *rec)
{
    (void)baton; (void)key; (void)klen;
    /* touch every value: ASan sees reads outside what was unpacked */
    for (int i = 0; i < rec->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(rec->items, i, const pl_var *);
        volatile size_t n = strlen(v->key) + v->value_len;
        (void)n;
    }
    walked++;
}

static void put(apr_sdbm_t *db, apr_pool_t *p, int n, const unsigned char *b, apr_size_t len)
{
    apr_sdbm_datum_t k, v;

    k.dptr = apr_psprintf(p, "k%d", n);
    k.dsize = (int)strlen(k.dptr) + 1;
    v.dptr = apr_pmemdup(p, b, len);
    v.dsize = (int)len;
    apr_sdbm_store(db, k, v, APR_SDBM_REPLACE);
}

static void test_damaged(apr_pool_t *p, const char *dir)
{
    /* "IR\1", KEY=1.2.3.4, n=5, end */
    static const unsigned char good[] = {
        0x49, 0x52, 0x01,
        0x00, 0x04, 'K', 'E', 'Y', 0, 0x00, 0x08, '1', '.', '2', '.', '3', '.', '4', 0,
        0x00, 0x02, 'n', 0, 0x00, 0x02, '5', 0,
        0x00, 0x00
    };
    const char *path = apr_pstrcat(p, dir, "/damaged", NULL);
    unsigned char buf[sizeof(good)];
    apr_size_t i;
    apr_sdbm_t *db;
    int n = 0, bad = -1, stored = 0, x;
    apr_status_t rv;

    if (apr_sdbm_open(&db, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE, APR_OS_DEFAULT, p)
            != APR_SUCCESS) {
        check(0, "create an SDBM file", path);
        return;
    }
    put(db, p, n++, good, sizeof(good));
    for (i = 1; i < sizeof(good); i++)             /* every truncation */
        put(db, p, n++, good, i);
    for (i = 0; i < sizeof(good); i++)             /* every byte changed */
        for (x = 0; x < 3; x++) {
            memcpy(buf, good, sizeof(good));
            buf[i] = (unsigned char)(x == 0 ? 0xff : x == 1 ? 0x00 : buf[i] + 1);
            put(db, p, n++, buf, sizeof(good));
        }
    apr_sdbm_close(db);
    stored = n;
    walked = 0;
    rv = pl_persist_sdbm_walk(p, path, count_record, NULL, &bad);
    check(rv == APR_SUCCESS, "walking a file of damaged records succeeds", NULL);
    check(walked + bad == stored, "every record is either read or counted as unreadable",
          apr_psprintf(p, "%d read + %d unreadable of %d", walked, bad, stored));
    check(bad >= (int)sizeof(good) - 1, "truncated records are unreadable",
          apr_psprintf(p, "only %d unreadable", bad));

    /* a later format version is not read */
    memcpy(buf, good, sizeof(good));
    buf[2] = 0x02;
    apr_sdbm_open(&db, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_TRUNCATE,
                  APR_OS_DEFAULT, p);
    put(db, p, 0, buf, sizeof(buf));
    put(db, p, 1, good, sizeof(good));
    apr_sdbm_close(db);
    walked = 0;
    pl_persist_sdbm_walk(p, path, count_record, NULL, &bad);
    check(walked == 1 && bad == 1, "a record of format version 2 is not read", NULL);
}

/* ---- SecCollectionBackend --------------------------------------------------------- */

static void test_backend_syntax(apr_pool_t *p)
{
    static const char *const bad[] = {
        "memcache://127.0.0.1", "redis://", "redis://:6379", "redis://h:0", "redis://h:70000",
        "redis://h:6379/x", "redis://h?timeout=0", "redis://h?bogus=1", "redis://[::1",
        NULL
    };
    int i;

    check(pl_persist_backend_check(p, "sdbm") == NULL, "SecCollectionBackend sdbm", NULL);
    for (i = 0; bad[i]; i++)
        check(pl_persist_backend_check(p, bad[i]) != NULL, "refused", bad[i]);
#ifdef PL_HAVE_HIREDIS
    check(pl_persist_backend_check(p, "redis://127.0.0.1:6379/2?timeout=50&retry=500&prefix=x:")
          == NULL, "a full redis:// URL", NULL);
    check(pl_persist_backend_check(p, "redis://:secret@[::1]:6380") == NULL,
          "password and IPv6 address", NULL);
#endif
}

/* ---- main --------------------------------------------------------------------------- */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static const pl_config *load_config(apr_pool_t *p, const char *dir)
{
    const char *path = apr_pstrcat(p, dir, "/rules.conf", NULL), *err;
    apr_file_t *f;
    pl_cmd cmd;

    apr_file_open(&f, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_TRUNCATE,
                  APR_OS_DEFAULT, p);
    apr_file_puts(apr_psprintf(p, RULES, dir), f);
    apr_file_close(f);
    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = p;
    cmd.temp_pool = p;
    cmd.cfg = pl_config_create(p);
    cmd.server_level = 1;
    if ((err = pl_conf_read_file(&cmd, path)) != NULL) {
        check(0, "configuration", err);
        return NULL;
    }
    return cmd.cfg;
}

int main(int argc, const char *const *argv)
{
    char tmpl[] = "/tmp/persist-test-XXXXXX";
    const pl_config *cfg;
    apr_pool_t *p;
    const char *dir;

    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&p, NULL);
    pl_persist_child_init(p);
    if ((dir = mkdtemp(tmpl)) == NULL) {
        puts("FAIL mkdtemp");
        return 1;
    }
    if ((cfg = load_config(p, dir)) != NULL) {
        test_overlapping(p, cfg);
        /* a fresh data directory for the threads */
        apr_dir_make(apr_pstrcat(p, dir, "/t", NULL), APR_OS_DEFAULT, p);
        cfg = load_config(p, apr_pstrcat(p, dir, "/t", NULL));
        if (cfg != NULL)
            test_threads(p, cfg);
    }
    test_damaged(p, dir);
    test_backend_syntax(p);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("%d passed, %d failed\n", passed, failed);
    apr_pool_destroy(p);
    apr_terminate();
    return failed ? 1 : 0;
}
