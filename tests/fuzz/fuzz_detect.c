/*
 * fuzz_detect.c - libFuzzer harness for the @detectSQLi / @detectXSS
 * detectors (apache2/sqli.c, apache2/xss.c): any input must neither crash
 * nor read outside itself, and a fingerprint must be a NUL-terminated
 * string of token letters.
 *
 * Built and run by tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "palisade.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy, so reads past the end are caught */
    char *copy = malloc(size ? size : 1);
    char fp[9];
    size_t n;

    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    memset(fp, 'Z', sizeof(fp));
    if (pl_detect_sqli(copy, size, fp)) {
        n = strnlen(fp, sizeof(fp));
        if (n == 0 || n > 8 || strspn(fp, "sn1vkEUBTf&o(),;cAt:{}X?\\.") != n) {
            abort();
        }
    } else if (fp[0] != '\0') {
        abort();
    }
    (void)pl_detect_xss(copy, size);
    free(copy);
    return 0;
}
