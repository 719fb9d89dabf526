#!/usr/bin/env python3
"""SecRequestBodyNoFilesLimit end to end, as ModSecurity 2.9 counts it:
every byte a URLENCODED (or JSON, XML) body processor sees, and for
MULTIPART bodies the part header lines (the empty line ending them
included) and the text part data, not the boundaries nor the file parts;
the limit is reached when the count is >= the limit, and the answer is 413
with "Request body no files data length is larger than the configured
limit (N)." in the error log.

Runs in a private Apache through the harness of tests/e2e_apache.py;
PALISADE_E2E_REFERENCE=1 runs the same checks against ModSecurity 2.9.7
(mod_security2), which is where the exact counts below come from.
Last line: "N passed, M failed".
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_apache as E  # noqa: E402
from e2e_apache import Apache, Backend, Runner, check  # noqa: E402

LIMIT = 1000
BOUNDARY = "NoFilesXyZ"
MESSAGE = ("ModSecurity: Request body no files data length is larger than the "
           "configured limit (%d)." % LIMIT)
MP_TYPE = "multipart/form-data; boundary=" + BOUNDARY
# one header line of 42 bytes with its CRLF, and the empty line: 44 counted
CD = 'Content-Disposition: form-data; name="%s"'


def part(name, data, filename=None):
    cd = CD % name
    if filename is not None:
        cd += '; filename="%s"' % filename
    return ("--%s\r\n%s\r\n\r\n" % (BOUNDARY, cd)).encode() + data + b"\r\n"


def multipart(*parts):
    return b"".join(parts) + ("--%s--\r\n" % BOUNDARY).encode()


def conf(backend):
    return ("SecRuleEngine On\nSecRequestBodyAccess On\n"
            "SecRequestBodyLimit 1000000\nSecRequestBodyNoFilesLimit %d\n"
            "SecRequestBodyInMemoryLimit 8192\n"
            "ProxyPass /backend/ http://127.0.0.1:%d/\n" % (LIMIT, backend.port))


def messages(a):
    return len(re.findall(re.escape(MESSAGE), a.error_log()))


def post(a, be, body, ctype, want, label, chunked=False):
    before = len(be.requests)
    st, _, _ = a.post("/backend/x", body, ctype, chunked=chunked)
    check(st == want, "%s: status %d, expected %d" % (label, st, want), a.error_log())
    if want == 200:
        got = be.requests[-1]["body"] if len(be.requests) > before else None
        check(got == body, "%s: the backend got %s bytes of %d" % (
            label, None if got is None else len(got), len(body)))
    else:
        check(len(be.requests) == before, "%s: a refused body reached the backend" % label)


def test_file_part_not_counted():
    # 40 KB of file data (spooled past the in-memory limit) and two small
    # fields: only the headers and the fields count
    body = multipart(part("a", b"small"),
                     part("upload", bytes(range(256)) * 160, filename="big.bin"),
                     part("b", b"also small"))
    with Backend() as be:
        with Apache(conf(be)) as a:
            for chunked in (False, True):
                post(a, be, body, MP_TYPE, 200, "file part (chunked=%s)" % chunked, chunked)
            check(messages(a) == 0, "a no-files message for a file upload", a.error_log())


def test_text_fields_refused():
    body = multipart(part("a", b"small"), part("big", b"t" * 3000),
                     part("upload", b"f" * 100, filename="f.bin"))
    with Backend() as be:
        with Apache(conf(be)) as a:
            for chunked in (False, True):
                post(a, be, body, MP_TYPE, 413, "3000-byte field (chunked=%s)" % chunked, chunked)
            check(messages(a) == 2, "expected the no-files message twice, got %d" % messages(a),
                  a.error_log())


def test_multipart_count_exact():
    # counted: 44 header bytes + the value; boundaries and the value's final
    # CRLF (it belongs to the boundary) are not
    with Backend() as be:
        with Apache(conf(be)) as a:
            post(a, be, multipart(part("a", b"v" * (LIMIT - 45))), MP_TYPE, 200,
                 "multipart, count one under the limit")
            post(a, be, multipart(part("a", b"v" * (LIMIT - 44))), MP_TYPE, 413,
                 "multipart, count at the limit (2.9's >=)")
            # a line break inside a value counts (held back, then added)
            post(a, be, multipart(part("a", b"v" * 400 + b"\r\n" + b"w" * (LIMIT - 447))),
                 MP_TYPE, 200, "multipart, two lines, one under")
            post(a, be, multipart(part("a", b"v" * 400 + b"\r\n" + b"w" * (LIMIT - 446))),
                 MP_TYPE, 413, "multipart, two lines, at the limit")
            # two parts: both header blocks count
            post(a, be, multipart(part("a", b"v" * 400), part("b", b"w" * (LIMIT - 489))),
                 MP_TYPE, 200, "multipart, two parts, one under")
            post(a, be, multipart(part("a", b"v" * 400), part("b", b"w" * (LIMIT - 488))),
                 MP_TYPE, 413, "multipart, two parts, at the limit")
            check(messages(a) == 3, "expected 3 no-files messages, got %d" % messages(a),
                  a.error_log())


def test_urlencoded_count_exact():
    with Backend() as be:
        with Apache(conf(be)) as a:
            ct = "application/x-www-form-urlencoded"
            post(a, be, b"a=" + b"x" * (LIMIT - 3), ct, 200, "urlencoded, one under the limit")
            post(a, be, b"a=" + b"x" * (LIMIT - 2), ct, 413, "urlencoded, at the limit (2.9's >=)")
            check(messages(a) == 1, "expected 1 no-files message, got %d" % messages(a),
                  a.error_log())


TESTS = [
    ("multipart: a large file part and small fields pass", test_file_part_not_counted),
    ("multipart: large text fields answer 413", test_text_fields_refused),
    ("multipart: headers and text data count, >= the limit refuses", test_multipart_count_exact),
    ("urlencoded: >= the limit refuses", test_urlencoded_count_exact),
]


def main():
    why = E.prerequisites()
    runner = Runner()
    if why:
        print("FAIL end-to-end prerequisites: %s" % why)
        runner.failed += 1
        return runner.finish()
    print("# httpd %s, module %s" % (E.HTTPD, "mod_security2 (reference)" if E.REFERENCE
                                     else E.MODULE))
    for name, fn in TESTS:
        runner.run(name, fn)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
