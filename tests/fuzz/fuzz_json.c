/*
 * fuzz_json.c - libFuzzer harness for the JSON request body processor
 * (the yajl-compatible lexer and parser, argument naming, the depth and
 * argument limits).
 *
 * After the two bytes of fuzz_body.h, bits 5-7 of byte 0:
 *   bit 5  the processor is named "json" rather than "JSON" (ctl values
 *          are matched without regard to case)
 *   bit 6  no Content-Type header
 * The rest of the input is the body.
 */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_body_in in;

    if (!fb_split(data, size, &in))
        return 0;
    fb_init();
    fb_run(&in, in.bits & 2 ? NULL : "application/json", in.bits & 1 ? "json" : "JSON",
           in.data, in.size);
    return 0;
}
