#!/usr/bin/env python3
"""Where the request body is cut must not matter: the MULTIPART and XML
processors are fed each piece as it is stored (URLENCODED and JSON read
the whole body), so each case below runs through palisade-cli with the
body given in pieces of many sizes (-b), and the outcome (the JSON
palisade-cli prints: matches, messages, status) and the debug log at level
9 (every variable value, the parser's lines with their offsets, the
multipart flags and errors) must be those of the run with the body in one
piece.

The sizes include 1 (a cut between every two bytes: inside the boundary,
between CR and LF, inside a part header), small primes, the parser's line
buffer (4096) and its neighbours, and for each case sizes that put the
first cut at a chosen place: inside the first boundary, between the CR and
LF of the first line, inside the first part header, inside the final
boundary.

Debug lines are compared without their time, durations, pointers (%pp)
and the time and random part of temporary file names; the storage lines ("Input filter:"
about memory and the spool file) depend on the piece sizes and are left
out.

Environment: PALISADE_CLI (default tools/palisade-cli of this tree).
Last line: "N passed, M failed".
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("PALISADE_CLI") or os.path.join(ROOT, "tools", "palisade-cli")

BASE_CONF = """SecRuleEngine On
SecRequestBodyAccess On
SecTmpDir @DIR@/tmp
SecUploadDir @DIR@/upload
SecRule ARGS|ARGS_NAMES|FILES|FILES_NAMES|FILES_SIZES|MULTIPART_PART_HEADERS|REQBODY_ERROR|REQBODY_ERROR_MSG|MULTIPART_STRICT_ERROR|MULTIPART_UNMATCHED_BOUNDARY|MULTIPART_DATA_BEFORE|MULTIPART_DATA_AFTER|MULTIPART_LF_LINE|MULTIPART_CRLF_LINE|MULTIPART_INVALID_PART|MULTIPART_HEADER_FOLDING|MULTIPART_FILENAME|MULTIPART_NAME|REQUEST_BODY_LENGTH "@unconditionalMatch" "id:1,phase:2,pass,log,msg:'%{MATCHED_VAR_NAME}'"
SecRule REQBODY_ERROR "!@eq 0" "id:2,phase:2,pass,log,msg:'error %{REQBODY_ERROR_MSG}'"
"""
XML_CONF = BASE_CONF + """SecRule REQUEST_HEADERS:Content-Type "xml" "id:10,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule XML:/* "@unconditionalMatch" "id:11,phase:2,pass,log,msg:'xml %{MATCHED_VAR}'"
"""
JSON_CONF = BASE_CONF + """SecRule REQUEST_HEADERS:Content-Type "json" "id:10,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
"""

B = "AaB03x"


def mp(*parts, boundary=B, eol=b"\r\n", final=True, after=b""):
    """A multipart body: parts are (headers, data); data may be bytes."""
    out = b""
    for headers, data in parts:
        out += b"--" + boundary.encode() + eol
        for h in headers:
            out += h.encode() + eol
        out += eol + data + eol
    if final:
        out += b"--" + boundary.encode() + b"--" + eol
    return out + after


CD = 'Content-Disposition: form-data; name="%s"'
CDF = 'Content-Disposition: form-data; name="%s"; filename="%s"'

CASES = [
    ("plain fields and a file", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "a"], b"1"), ([CD % "b"], b"two\r\nlines"),
        ([CDF % ("f", "a.txt"), "Content-Type: text/plain"], b"file data\r\nmore\r\n"),
        ([CD % "c"], b""))),
    ("spooled past a 100-byte in-memory limit", "multipart/form-data; boundary=" + B,
     BASE_CONF + "SecRequestBodyInMemoryLimit 100\n",
     mp(([CD % "a"], b"1" * 300), ([CDF % ("f", "s.bin")], bytes(range(256)) * 8),
        ([CD % "b"], b"after the file"))),
    ("kept files (SecUploadKeepFiles)", "multipart/form-data; boundary=" + B,
     BASE_CONF + "SecUploadKeepFiles On\nSecUploadFileLimit 1\n",
     mp(([CDF % ("f1", "x.bin")], bytes(range(256)) * 4),
        ([CDF % ("f2", "y.bin")], b"second file"), ([CD % "t"], b"text"))),
    ("LF line endings", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "a"], b"1\n2"), ([CDF % ("f", "b")], b"x\ny\n"), eol=b"\n")),
    ("data before and after", "multipart/form-data; boundary=" + B, BASE_CONF,
     b"preamble\r\nmore\r\n" + mp(([CD % "a"], b"v"), after=b"epilogue " * 40)),
    ("final boundary without its line break", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "a"], b"v"), final=False) + b"--" + B.encode() + b"--"),
    ("final boundary missing", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "a"], b"v"), ([CD % "b"], b"w"), final=False)),
    ("header folding, quoted boundary", 'multipart/form-data; boundary="' + B + '"', BASE_CONF,
     mp((['Content-Disposition: form-data;', '\tname="folded"'], b"v"), ([CD % "n"], b"x"))),
    ("nameless and invalid parts", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp((["X-Other: 1"], b"lost"), ([CD % "ok"], b"kept")) +
     b"--" + B.encode() + b"\r\n--" + B.encode() + b"--\r\n"),
    ("unmatched boundary in data", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "a"], b"x --" + B.encode() + b" y\r\n--" + B.encode() + b"x"))),
    ("long lines (4096-byte buffer, CR at the cut)", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "long"], b"L" * 4095 + b"\r\n" + b"M" * 5000 + b"\r" + b"N" * 3),
        ([CDF % ("f", "long.txt")], b"F" * 4094 + b"\r\r\n" + b"G" * 9000))),
    ("header line too long", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp((['Content-Disposition: form-data; name="' + "h" * 5000 + '"'], b"v"))),
    ("NUL in part headers", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(([CD % "a", "X-Nul: a\x00b"], b"v"))),
    ("bad Content-Type", "multipart/form-data; boundary=", BASE_CONF,
     mp(([CD % "a"], b"v"))),
    ("many parts", "multipart/form-data; boundary=" + B, BASE_CONF,
     mp(*[([CD % ("p%d" % i)], (b"value %d " % i) * (i % 7)) for i in range(60)])),
    ("XML", "text/xml", XML_CONF,
     b'<?xml version="1.0"?>\n<doc a="1"><x>one</x><y><![CDATA[two]]></y>'
     b'<z>three &amp; four</z></doc>\n'),
    ("XML, UTF-16 with a byte order mark", "application/xml", XML_CONF,
     '\ufeff<?xml version="1.0" encoding="UTF-16"?><r><v>h\u00e9llo</v></r>'.encode("utf-16-le")),
    ("XML not well-formed", "text/xml", XML_CONF, b"<a><b>text</a>" + b" " * 100),
    ("XML, bad end", "text/xml", XML_CONF, b"<a><b>text</b></a><c>"),
    ("JSON", "application/json", JSON_CONF, b'{"a": [1, "two", {"b": null}], "c": "d\\u00e9"}'),
    ("urlencoded", "application/x-www-form-urlencoded", BASE_CONF, b"a=1&b=%41%42&c=x+y&d"),
]

SIZES = [1, 2, 3, 5, 7, 13, 64, 1000, 4095, 4096, 4097]

passed = failed = 0


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
    sys.stdout.flush()


def awkward_sizes(body):
    """Piece sizes whose first cut falls at a chosen place."""
    cuts = []
    b = body.find(b"--" + B.encode())
    if b >= 0:
        cuts.append(b + 4)                       # inside the first boundary
    crlf = body.find(b"\r\n")
    if crlf >= 0:
        cuts.append(crlf + 1)                    # between CR and LF
    h = body.find(b"Content-Disposition")
    if h >= 0:
        cuts.append(h + 11)                      # inside a part header
    f = body.rfind(b"--" + B.encode() + b"--")
    if f > 0:
        cuts.append(f + 3)                       # inside the final boundary
        cuts.append(f - 1)                       # between CR and LF before it
    return [c for c in cuts if c > 0]


PREFIX = re.compile(r"^\[[^\]]*\] \[[^\]]*\]\[[^\]]*\]\[[^\]]*\]\[(\d)\] ")
STORAGE = re.compile(r"^\d Input filter: (Request too large to store in memory|"
                     r"Created temporary file to store request body)")


def tmp_names(text):
    """Upload files are named after the time and a random suffix."""
    return re.sub(r"\d{8}-\d{6}-([^/\s]*)-file-[A-Za-z0-9]{6}", r"TIME-\1-file-XXXXXX", text)


def normalise_debug(text):
    out = []
    for line in text.split("\n"):
        m = PREFIX.match(line)
        if not m:
            if line.strip():
                out.append("?? " + line)
            continue
        line = m.group(1) + " " + line[m.end():]
        if STORAGE.match(line):
            continue
        line = re.sub(r"(?<![0-9A-Za-z])(0x)?[0-9a-f]{12}(?![0-9A-Za-z])", "PTR", line)
        line = tmp_names(line)
        line = re.sub(r"\d+ usec", "N usec", line)
        out.append(line)
    return out


def xml_streaming_error(out, dbg):
    """2.9 tells an XML error found while pieces arrive ("XML parsing
    error", no completion line) from one found at the end ("XML parser
    error"): where the body is cut decides which, so they compare equal."""
    out = out.replace("XML parsing error: ", "XML parser error: ")
    dbg = [l.replace("XML parsing error: ", "XML parser error: ") for l in dbg
           if "XML: Parsing complete (well_formed 0)" not in l]
    return out, dbg


def run(d, conf, req, size):
    env = dict(os.environ, PALISADE_UNIQUE_ID="PLchunkTestUniqueId00000001")
    p = subprocess.run([CLI, "-v", "9", "-b", str(size), "-c", conf, req], cwd=d, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    out = p.stdout.decode("latin-1")
    out = tmp_names(out)
    return p.returncode, out, normalise_debug(p.stderr.decode("latin-1"))


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "line %d:\n  whole: %s\n  piece: %s" % (i, x, y)
    return "%d lines against %d; first extra: %s" % (
        len(a), len(b), (a[len(b)] if len(a) > len(b) else b[len(a)]))


def main():
    if not os.access(CLI, os.X_OK):
        print("FAIL no palisade-cli at %s" % CLI)
        print("0 passed, 1 failed")
        return 1
    d = tempfile.mkdtemp(prefix="palisade-chunks-")
    try:
        for sub in ("tmp", "upload"):
            os.mkdir(os.path.join(d, sub))
        for name, ctype, conf_text, body in CASES:
            conf = os.path.join(d, "main.conf")
            with open(conf, "w") as f:
                f.write(conf_text.replace("@DIR@", d))
            req = os.path.join(d, "case.req")
            with open(req, "wb") as f:
                f.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\n"
                         "Content-Length: %d\r\n\r\n" % (ctype, len(body))).encode("latin-1"))
                f.write(body)
            rc, ref_out, ref_dbg = run(d, conf, req, len(body) + 1)
            sane = rc == 0 and '"id":1' in ref_out and not any(l.startswith("??") for l in ref_dbg)
            result("%s: whole body (%d bytes) processed" % (name, len(body)), sane,
                   "rc %d\n%s\n%s" % (rc, ref_out[:1500], "\n".join(ref_dbg[:20])))
            bad = []
            for size in sorted(set(SIZES + awkward_sizes(body))):
                if size >= len(body):
                    continue
                rc, out, dbg = run(d, conf, req, size)
                if "XML parsing error" in out:
                    ref_out, ref_dbg = xml_streaming_error(ref_out, ref_dbg)
                    out, dbg = xml_streaming_error(out, dbg)
                if rc != 0 or out != ref_out:
                    bad.append("%d-byte pieces: output differs:\n  whole: %s\n  piece: %s"
                               % (size, ref_out[:800], out[:800]))
                elif dbg != ref_dbg:
                    bad.append("%d-byte pieces: debug log differs at %s"
                               % (size, first_difference(ref_dbg, dbg)))
            result("%s: same outcome and debug log in pieces" % name, not bad,
                   "\n".join(bad[:3]))
            if name == "XML not well-formed":
                _, cut_out, _ = run(d, conf, req, 7)
                result("XML: an error found while pieces arrive is 2.9's \"parsing error\", "
                       "one found at the end its \"parser error\"",
                       "XML parser error: XML: Failed parsing document." in ref_out
                       and "XML parsing error: XML: Failed parsing document." in cut_out,
                       "whole: %s\npieces: %s" % (ref_out[-600:], cut_out[-600:]))
            for sub in ("tmp", "upload"):
                for f in os.listdir(os.path.join(d, sub)):
                    os.unlink(os.path.join(d, sub, f))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
