/*
 * fuzz_xml.c - libFuzzer harness for the XML request body processor: the
 * document it builds (no network, no external entities) and the XML
 * variable read with XPath expressions (fuzz_body.h's targets).
 *
 * After the two bytes of fuzz_body.h, bits 5-7 of byte 0:
 *   bit 5  the processor is named "xml" rather than "XML"
 *   bit 6  the Content-Type is a multipart one, which the ctl overrides
 * The rest of the input is the body.
 */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_body_in in;

    if (!fb_split(data, size, &in))
        return 0;
    fb_init();
    fb_run(&in, in.bits & 2 ? "multipart/form-data; boundary=0000" : "text/xml",
           in.bits & 1 ? "xml" : "XML", in.data, in.size);
    return 0;
}
