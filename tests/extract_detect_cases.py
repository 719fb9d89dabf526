#!/usr/bin/env python3
"""Extract @detectSQLi / @detectXSS cases from the CRS 3.3.4 regression tests.

Reads the tests of the rules that call the detectors (942100, 942101, 941100,
941101) under ../shared/crs-tests/v3.3.4 (or $PALISADE_SHARED/crs-tests/...),
works out which values the rule inspects (its targets), decodes them roughly
as the rule's transformations would (URL decoding, '+' as space, then for the
XSS rules HTML entities), and writes tests/data/sqli_crs.txt and xss_crs.txt:
one case per line, `<expect 0/1>\t<payload hex>`.

Expectation: a test whose output has log_contains for the rule passes when
any inspected value matches, so only its attack-carrying value is kept, expecting
1: the first inspected value (in request order) holding a quote, '<' or '(',
else the longest one (the other values of such a test, e.g. argument names,
have no stated expectation and are left out).  In a test with
no_log_contains every inspected value expects 0.  The harness default
User-Agent always expects 0.
"""
import html
import os
import re
import sys
import urllib.parse

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_UA = "ModSecurity CRS 3 Tests"

# rule id -> (yaml path, inspected sources, detector)
RULES = {
    "942100": ("REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml",
               ("cookies", "ua", "referer", "args"), "sqli"),
    "942101": ("REQUEST-942-APPLICATION-ATTACK-SQLI/942101.yaml",
               ("basename",), "sqli"),
    "941100": ("REQUEST-941-APPLICATION-ATTACK-XSS/941100.yaml",
               ("cookies", "ua", "args"), "xss"),
    "941101": ("REQUEST-941-APPLICATION-ATTACK-XSS/941101.yaml",
               ("referer",), "xss"),
}


def shared_dir():
    env = os.environ.get("PALISADE_SHARED")
    return env if env else os.path.join(ROOT, "..", "shared")


def url_decode(b):
    """urlDecodeUni approximation: %XX, %uXXXX (low byte), '+' as space;
    invalid escapes are left as they are."""
    out = bytearray()
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25 and i + 5 < len(b) + 0 and b[i + 1:i + 2] in (b"u", b"U") \
                and re.fullmatch(rb"[0-9a-fA-F]{4}", b[i + 2:i + 6] or b""):
            out.append(int(b[i + 4:i + 6], 16))
            i += 6
        elif c == 0x25 and re.fullmatch(rb"[0-9a-fA-F]{2}", b[i + 1:i + 3] or b""):
            out.append(int(b[i + 1:i + 3], 16))
            i += 3
        elif c == 0x2B:
            out.append(0x20)
            i += 1
        else:
            out.append(c)
            i += 1
    return bytes(out)


def parse_args(s):
    """application/x-www-form-urlencoded: names and values, decoded once as
    the body parser does (a part without '=' is a name with an empty value)."""
    names, values = [], []
    for part in s.split(b"&"):
        if not part:
            continue
        if b"=" in part:
            n, v = part.split(b"=", 1)
            values.append(url_decode(v))
        else:
            n = part
        names.append(url_decode(n))
    return names, values


def transform(b, kind):
    """The rule's transformations after argument parsing: a second URL decode
    (urlDecodeUni) and, for the XSS rules, HTML entity decoding."""
    b = url_decode(b)
    if kind == "xss":
        b = html.unescape(b.decode("latin-1")).encode("latin-1", "replace")
    return b.replace(b"\0", b"")


def targets(inp, sources):
    """Yield (value, is_default) for each value the rule inspects."""
    headers = {k.lower(): v for k, v in (inp.get("headers") or {}).items()}
    uri = (inp.get("uri") or "/").encode("latin-1")
    path, _, query = uri.partition(b"?")
    if "args" in sources:
        data = inp.get("data") or ""
        if isinstance(data, list):
            data = "\r\n".join(data)
        for src in (query, data.encode("latin-1")):
            names, values = parse_args(src)
            for n in names:
                yield n, False
            for v in values:
                yield v, False
    if "basename" in sources:
        yield url_decode(path).rsplit(b"/", 1)[-1], False
    if "ua" in sources and "user-agent" in headers:
        ua = headers["user-agent"]
        yield ua.encode("latin-1"), ua == DEFAULT_UA
    if "referer" in sources and "referer" in headers:
        yield headers["referer"].encode("latin-1"), False
    if "cookies" in sources and "cookie" in headers:
        for c in headers["cookie"].split(";"):
            n, _, v = c.strip().partition("=")
            if not n.startswith("__utm"):
                yield n.encode("latin-1"), False
                yield v.encode("latin-1"), False


def main():
    base = os.path.join(shared_dir(), "crs-tests", "v3.3.4")
    if not os.path.isdir(base):
        print("skipped: no crs-tests in shared")
        return 0
    out = {"sqli": [], "xss": []}
    for rid, (rel, sources, kind) in sorted(RULES.items()):
        with open(os.path.join(base, rel)) as f:
            doc = yaml.safe_load(f)
        for test in doc["tests"]:
            for stage in test["stages"]:
                inp, outp = stage["stage"]["input"], stage["stage"]["output"]
                positive = rid in str(outp.get("log_contains", ""))
                negative = rid in str(outp.get("no_log_contains", ""))
                if not (positive or negative):
                    continue
                vals = [(transform(raw, kind), dflt)
                        for raw, dflt in targets(inp, sources)]
                cases = [(0, v) for v, dflt in vals if v and (dflt or negative)]
                if positive:
                    attack = [v for v, dflt in vals if not dflt]
                    meta = [v for v in attack if re.search(rb"['\"<(]", v)]
                    cases.append((1, meta[0] if meta else max(attack, key=len)))
                for expect, value in cases:
                    line = "%d\t%s" % (expect, value.hex())
                    if line not in out[kind]:
                        out[kind].append(line)
    for kind, lines in out.items():
        with open(os.path.join(HERE, "data", kind + "_crs.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("%s: %d cases (%d expect 1)" % (
            kind, len(lines), sum(l.startswith("1") for l in lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
