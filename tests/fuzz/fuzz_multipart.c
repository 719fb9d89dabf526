/*
 * fuzz_multipart.c - libFuzzer harness for the MULTIPART request body
 * processor: boundary parsing from Content-Type, parts, part headers,
 * files (spooled, inspected, kept or removed) and the MULTIPART_* flags.
 *
 * After the two bytes of fuzz_body.h, bits 5-7 of byte 0:
 *   bit 5  Content-Type "multipart/form-data; boundary=0000" and the rest
 *          is the body; otherwise the bytes up to the first LF are the
 *          Content-Type header (so boundary parsing is fuzzed) and the
 *          rest is the body
 *   bit 6  the processor is named by ctl:requestBodyProcessor=multipart
 *          rather than chosen from the Content-Type
 *   bit 7  with bit 5: the boundary is quoted ("0000")
 */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_body_in in;
    const char *ctype;
    const uint8_t *body, *lf;
    size_t len;
    apr_pool_t *p;

    if (!fb_split(data, size, &in))
        return 0;
    fb_init();
    apr_pool_create(&p, fuzz_root);
    if (in.bits & 1) {
        ctype = in.bits & 4 ? "multipart/form-data; boundary=\"0000\""
                            : "multipart/form-data; boundary=0000";
        body = in.data;
        len = in.size;
    } else {
        lf = memchr(in.data, '\n', in.size);
        len = lf ? (size_t)(lf - in.data) : in.size;
        ctype = fuzz_copy(p, in.data, len);
        body = lf ? lf + 1 : in.data + in.size;
        len = in.size - (size_t)(body - in.data);
    }
    fb_run(&in, ctype, in.bits & 2 ? "multipart" : NULL, body, len);
    apr_pool_destroy(p);
    return 0;
}
