/*
 * fuzz_urlencoded.c - libFuzzer harness for the URLENCODED request body
 * processor (ARGS_POST through pl_tx_parse_args, REQUEST_BODY).
 *
 * After the two bytes of fuzz_body.h, bits 5-7 of byte 0:
 *   bit 5  the processor is named by ctl:requestBodyProcessor=urlencoded
 *          and the Content-Type is text/plain
 *   bit 6  the Content-Type carries a charset parameter
 * The rest of the input is the body.
 */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_body_in in;
    const char *ctype;

    if (!fb_split(data, size, &in))
        return 0;
    fb_init();
    if (in.bits & 1)
        ctype = "text/plain";
    else if (in.bits & 2)
        ctype = "application/x-www-form-urlencoded; charset=UTF-8";
    else
        ctype = "application/x-www-form-urlencoded";
    fb_run(&in, ctype, in.bits & 1 ? "urlencoded" : NULL, in.data, in.size);
    return 0;
}
