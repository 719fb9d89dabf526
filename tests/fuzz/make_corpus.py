#!/usr/bin/env python3
"""Writes the seed corpora of the request body harnesses,
tests/fuzz/corpus/fuzz_{urlencoded,multipart,json,xml}/, from the request
bodies of tests/engine/*.t and of the ModSecurity v2 regression vectors
(../shared/modsec-vectors, test data), plus a few written here.

Each seed gets the two leading bytes fuzz_body.h reads: the configuration
variant and the chunking cycle through their values so that every variant
starts with some seeds.  The multipart seeds keep their Content-Type as
the first line (bit 5 of byte 0 clear).  Files named r-* are inputs that
found a problem, kept as they were: this script leaves them alone.  Run
it again to refresh the others:

    python3 tests/fuzz/make_corpus.py [VECTORS_DIR]
"""

import glob
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "modsec-vectors")

# Seeds written here: a body, or (configuration variant, body).
EXTRA = {
    "urlencoded": [
        b"a=1&b=2&c=%41%42&d=%zz&e+f=g+h&&=x&y=&z",
        b"id=1%27%20or%201%3D1--&name=%u0041&%00=%",
        b"a=1;b=2;c=3&d=4",
        b"x=" + b"A" * 300 + b"&y=" + b"%41" * 100,
    ],
    "json": [
        b'{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":{"g":null}},"h":true,"i":false}',
        b'[1,[2,[3,[4,[5]]]],"x",{"k":"v"}]',
        b'{"s":"\\u0041\\ud83d\\ude00\\n\\t\\"\\\\\\/","n":-1.5e+10,"z":0}',
        b'{"a":{"b":{"c":{"d":{"e":1}}}},"":"empty","k\\u0000":"nul"}',
        b'{"a":1,}',
        b'{"a" 1}',
        b'"just a string"',
        b'123',
        b'{"\xc3\xa9":"\xe2\x82\xac","bad":"\xff"}',
        # SecArgumentsLimit and SecRequestBodyJsonDepthLimit (variant 5)
        (5, b'{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8}'),
        (5, b'{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}'),
        b'["\\ud800","\\udbff\\udfff","\\ud800x","\\u00e9\\u20ac",' + b'"\xf0\x9f\x98\x80"]',
        b'{"a":"\xe2\x82',
    ],
    "xml": [
        b'<?xml version="1.0"?><a x="1" y="2"><b n="q">text</b><b n="r"><![CDATA[c<d]]></b></a>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "entity">]><a>&e;&e;</a>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:q xmlns:m="urn:x">1</m:q></s:Body></s:Envelope>',
        b'<a><b>unclosed</a>',
        b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>',
    ],
    "multipart": [
        b"multipart/form-data; boundary=0000\n"
        b"--0000\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        b"--0000\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n"
        b"Content-Type: text/plain\r\n\r\nfile data\r\nline 2\r\n"
        b"--0000\r\nContent-Disposition: form-data; name=\"g\"; filename=\"g.txt\"\r\n\r\n"
        b"more\r\n--0000\r\nContent-Disposition: form-data; name=\"h\"; filename=\"\"\r\n\r\n\r\n"
        b"--0000--\r\n",
        b"multipart/form-data; boundary=0000\n"
        b"--0000\nContent-Disposition: form-data;\n name=\"a\"\n\nlf only\n--0000--",
        b"multipart/form-data; boundary=0000\n"
        b"preamble\r\n--0000\r\nContent-Disposition: form-data; name='q'\r\n\r\nv\r\n"
        b"--0000--\r\nepilogue",
        # SecArgumentsLimit (variant 5)
        (5, b"multipart/form-data; boundary=0000\n" + b"".join(
            b"--0000\r\nContent-Disposition: form-data; name=\"a%d\"\r\n\r\n%d\r\n" % (i, i)
            for i in range(8)) + b"--0000--\r\n"),
        # Content-Type over 1024 bytes
        b"multipart/form-data; boundary=" + b"b" * 1100 + b"\n--" + b"b" * 1100 + b"--\r\n",
        # a part header line over 4096 bytes, and one folded past it
        b"multipart/form-data; boundary=0000\n--0000\r\nX-Long: " + b"x" * 4200
        + b"\r\n\r\n\r\n--0000--\r\n",
        b"multipart/form-data; boundary=0000\n--0000\r\nX-Fold: a\r\n"
        + b"".join(b"\t" + b"y" * 1000 + b"\r\n" for _ in range(5)) + b"\r\n\r\n--0000--\r\n",
        # final boundary twice; a quoted boundary repeated with its quotes
        b"multipart/form-data; boundary=0000\n--0000\r\nContent-Disposition: form-data; "
        b"name=\"a\"\r\n\r\n1\r\n--0000--\r\n--0000--\r\n",
        b"multipart/form-data; boundary=\"0000\"\n--\"0000\"\r\nContent-Disposition: "
        b"form-data; name=\"a\"\r\n\r\n1\r\n--0000--\r\n",
        # many files: SecUploadFileLimit (variants 2 and 4)
        (2, b"multipart/form-data; boundary=0000\n" + b"".join(
            b"--0000\r\nContent-Disposition: form-data; name=\"f%d\"; filename=\"f%d\"\r\n\r\n"
            b"data %d\r\n" % (i, i, i) for i in range(4)) + b"--0000--\r\n"),
    ],
}


def latin1(s):
    return s.encode("latin-1") if isinstance(s, str) else b""


def split_raw(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    ct = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-type":
            ct = value.strip()
    return ct, body


def vector_requests():
    for path in sorted(glob.glob(os.path.join(VECTORS, "regression", "*", "*.json"))):
        with open(path) as f:
            data = json.load(f)
        stem = os.path.relpath(path, os.path.join(VECTORS, "regression"))[:-5]
        for case in data["cases"]:
            req = case.get("request") or {}
            if not req.get("raw"):
                continue
            ct, body = split_raw(latin1(req["raw"]))
            if req.get("kind") == "lwp" and req.get("body") is not None:
                body = latin1(req["body"])
            yield "v-%s-%02d" % (stem.replace("/", "-"), case["index"]), ct, body


def engine_requests():
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "engine", "*.t"))):
        with open(path, "rb") as f:
            text = f.read()
        for i, m in enumerate(re.finditer(rb"^--REQUEST--\n(.*?)(?=^--[A-Z]+--\n)", text,
                                          re.S | re.M)):
            head, _, body = m.group(1).partition(b"\n\n")
            ct = None
            for line in head.split(b"\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-type":
                    ct = value.strip()
            body = body.rstrip(b"\n").replace(b"\n", b"\r\n") if b"multipart" in (ct or b"") \
                else body.rstrip(b"\n")
            name = os.path.basename(path)[:-2]
            yield "e-%s%s" % (name, "-%d" % i if i else ""), ct, body


def kind_of(ct):
    ct = (ct or b"").lower()
    if ct.startswith(b"multipart/form-data"):
        return "multipart"
    if ct.startswith(b"application/x-www-form-urlencoded"):
        return "urlencoded"
    if b"json" in ct:
        return "json"
    if b"xml" in ct:
        return "xml"
    return None


def main():
    seeds = {k: [] for k in EXTRA}
    seen = set()
    for name, ct, body in list(engine_requests()) + list(vector_requests()):
        kind = kind_of(ct)
        if kind is None or not body or len(body) > 16000:
            continue
        payload = ct + b"\n" + body if kind == "multipart" else body
        key = hashlib.sha1(kind.encode() + payload).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        seeds[kind].append((name, payload))
    for kind, bodies in EXTRA.items():
        for i, body in enumerate(bodies):
            seeds[kind].append(("x-%02d" % (i + 1), body))
    for kind, items in seeds.items():
        out = os.path.join(HERE, "corpus", "fuzz_" + kind)
        os.makedirs(out, exist_ok=True)
        for prefix in ("e-", "v-", "x-"):
            for old in glob.glob(os.path.join(out, prefix + "*")):
                os.unlink(old)
        for i, (name, payload) in enumerate(items):
            variant = i % 8
            if isinstance(payload, tuple):
                variant, payload = payload
            head = bytes([variant, (7 if i % 3 == 0 else (i * 5) % 8) | ((i * 8) & 0xf8)])
            with open(os.path.join(out, name), "wb") as f:
                f.write(head + payload)
        print("%-10s %d seeds" % (kind, len(items)))


if __name__ == "__main__":
    main()
