/*
 * fuzz_tfn.c - libFuzzer harness for the transformations (apache2/tfn.c):
 * the first byte picks a transformation, the second an optional one to
 * apply after it, the rest is the value.  Every transformation must keep
 * its contract: a changed value is NUL-terminated at out[out_len] (an
 * unchanged one is ignored by the engine, whatever out holds).
 */
#include "fuzz_common.h"

static const char *const names[] = {
    "base64Decode", "base64DecodeExt", "base64Encode", "cmdline", "compressWhitespace",
    "cssDecode", "escapeSeqDecode", "hexDecode", "hexEncode", "htmlEntityDecode",
    "jsDecode", "length", "lowercase", "md5", "normalisePath", "normalizePath",
    "normalisePathWin", "normalizePathWin", "parityEven7bit", "parityOdd7bit",
    "parityZero7bit", "removeComments", "removeCommentsChar", "removeNulls",
    "removeWhitespace", "replaceComments", "replaceNulls", "sha1", "sqlHexDecode",
    "trim", "trimLeft", "trimRight", "urlDecode", "urlDecodeUni", "urlEncode",
    "Utf8toUnicode",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* Applies one transformation and checks its contract. */
static void apply(apr_pool_t *p, const char *name, char **val, apr_size_t *len)
{
    const pl_tfndef *t = pl_tfn_find(name);
    char *out = NULL;
    apr_size_t olen = 0;
    int changed;

    if (t == NULL || t->fn == NULL)
        abort();
    changed = t->fn(p, *val, *len, &out, &olen);
    if (changed) {
        if (out == NULL || out[olen] != '\0')
            abort();
        *val = out;
        *len = olen;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *val;
    apr_size_t len;

    if (size < 2)
        return 0;
    fuzz_init();
    apr_pool_create(&p, fuzz_root);
    val = fuzz_copy(p, data + 2, size - 2);
    len = size - 2;
    apply(p, names[data[0] % N_NAMES], &val, &len);
    if (data[1] & 1)
        apply(p, names[(data[1] >> 1) % N_NAMES], &val, &len);
    apr_pool_destroy(p);
    return 0;
}
