/*
 * fuzz_common.h - what the libFuzzer harnesses of tests/fuzz share: APR set
 * up once, a configuration, and per input a pool (destroyed after it, so
 * leaks show) with a transaction.  Built by tests/fuzz/run.sh only.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "palisade.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The helpers are inline so that a harness using only some of them still
 * builds with -Wall -Werror. */

/* The directory the harnesses may write fixed files to (run.sh sets it). */
static inline const char *fuzz_dir(void)
{
    const char *d = getenv("PL_FUZZ_DIR");
    return d ? d : "/tmp";
}

static apr_pool_t *fuzz_root;
static pl_config  *fuzz_cfg;

static inline void fuzz_init(void)
{
    if (fuzz_root != NULL)
        return;
    apr_initialize();
    apr_pool_create(&fuzz_root, NULL);
    fuzz_cfg = pl_config_create(fuzz_root);
    fuzz_cfg->rule_engine = PL_ENGINE_ON;
    fuzz_cfg->xml_external_entity = 1;
}

/* A transaction with a request line, for operators that read it. */
static inline pl_tx *fuzz_tx(apr_pool_t *p)
{
    pl_tx *tx = pl_tx_create(p, fuzz_cfg, NULL, NULL);

    tx->method = "GET";
    tx->protocol = "HTTP/1.1";
    tx->uri_raw = tx->uri = "/fuzz?a=1";
    tx->request_line = "GET /fuzz?a=1 HTTP/1.1";
    tx->query_string = "a=1";
    tx->remote_addr = tx->server_addr = "127.0.0.1";
    tx->hostname = tx->server_name = "localhost";
    tx->unique_id = "fuzz";
    pl_tx_add_request_header(tx, "Host", "localhost");
    pl_tx_request_ready(tx);
    return tx;
}

/* A NUL-terminated private copy of data[0..n), so reads past the end are
 * caught by ASan. */
static inline char *fuzz_copy(apr_pool_t *p, const uint8_t *data, size_t n)
{
    char *c = apr_palloc(p, n + 1);
    memcpy(c, data, n);
    c[n] = '\0';
    return c;
}

#endif /* FUZZ_COMMON_H */
