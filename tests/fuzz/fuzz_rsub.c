/*
 * fuzz_rsub.c - libFuzzer harness for @rsub (apache2/stream_rsub.c): the
 * bytes up to the first NUL are the parameter, compiled as the rule parser
 * does, the rest is the value of STREAM_OUTPUT_BODY (and then of
 * STREAM_INPUT_BODY) that it rewrites.  fuzz_ops reaches @rsub's parser
 * only: its variable is ARGS:a, which @rsub refuses at run time.
 */
#include "fuzz_common.h"

#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    apr_pool_t *p;
    pl_tx *tx;
    pl_op op;
    pl_var var;
    char *msg = NULL, *param, *value;
    size_t vlen = nul ? size - plen - 1 : 0;
    const char *out;
    apr_size_t n = 0;
    int rc;

    fuzz_init();
    apr_pool_create(&p, fuzz_root);
    param = fuzz_copy(p, data, plen);
    value = fuzz_copy(p, nul ? nul + 1 : data + size, vlen);
    memset(&op, 0, sizeof(op));
    op.def = pl_opdef_find("rsub");
    op.param = param;
    if (op.def->init(&op, p) == NULL) {
        tx = fuzz_tx(p);
        /* results are held to the body limits: keep them small here */
        tx->reqbody_limit = tx->resbody_limit = 1 << 20;
        pl_tx_set_capture(tx, 1, "x.y", 3);
        pl_stream_state(tx)->out_ready = 1;
        pl_stream_state(tx)->in_ready = pl_stream_state(tx)->in_loaded = 1;
        memset(&var, 0, sizeof(var));
        var.name = "STREAM_OUTPUT_BODY";
        var.value = value;
        var.value_len = vlen;
        rc = op.def->exec(tx, NULL, &op, &var, value, vlen, &msg);
        out = pl_stream_output_value(tx, &n);
        if (rc == 1 && (out == NULL || out[n] != '\0'))
            abort();
        var.name = "STREAM_INPUT_BODY";
        (void)op.def->exec(tx, NULL, &op, &var, value, vlen, &msg);
    }
    apr_pool_destroy(p);
    return 0;
}
