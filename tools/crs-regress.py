#!/usr/bin/env python3
"""Runs OWASP CRS regression tests against a running web server.

Reads CRS test files in both formats:
  - ftw (CRS 3.x): tests[].test_title, stages[].stage.{input,output};
  - go-ftw (CRS 4): tests[].test_id (rule id from rule_id: or the file
    name), stages[].{input,output}, output.log.expect_ids/no_expect_ids,
    input.autocomplete_headers, input.encoded_request.
Each request is sent byte for byte over a plain socket to --host/--port
(the tests' dest_addr and port are ignored), and the lines the server
wrote to its error log (--log) for that request are found between two
marker requests carrying an X-CRS-Test header, which CRS's marker rule
999999 writes to the log:

  SecRule REQUEST_HEADERS:X-CRS-Test "@rx ^.*$" "id:999999,phase:1,pass,\
      t:none,log,msg:'%{MATCHED_VAR}',ctl:ruleRemoveById=1-999999"

The requests are built as ftw built them, since the expectations were
written against ftw: a body given as a list is joined with CRLF; unless
stop_magic is set, a body gets Content-Type
application/x-www-form-urlencoded when it has none, such a body is
re-encoded with urlencode when it holds no %-escapes, and Content-Length
is added when absent; no other header is ever added.  raw_request has its
backslash escapes expanded and is sent as UTF-8 (as ftw did), and
encoded_request is base64 of the whole request.

Prints one line per test (failures only with --quiet), writes the
per-test results to --json, and ends with "N passed, M failed, K skipped".
--compare JSON lists the tests whose logged rule ids or status differ from
another run's results (e.g. ModSecurity's), which the tests' own
expectations do not look at.  Tests run one at a time: the markers cut
one shared log, so --jobs is accepted but has no effect.
Exit status: 0 when nothing failed, 1 otherwise, 2 on a usage error.

Overrides (--overrides FILE, YAML or JSON), any of these shapes:
  overrides:                       # or test_overrides: (go-ftw names too)
    - test: 920100-4               # a test id; or regex: '^9202[5-9]0-'
      reason: why                  # required
      skip: true                   # skip it ...
      output: {status: [400, 403]} # ... or replace expectations (all
      stage: 1                     #     stages, or only stage N, 1-based)
    - rule_id: 920100              # go-ftw style: rule_id + test_ids
      test_ids: [4, 5]
      reason: why
  or a plain mapping {"920100-4": "reason"} meaning skip.
"""

import argparse
import base64
import encodings.aliases
import glob
import json
import os
import re
import select
import socket
import sys
import time
import urllib.parse
import uuid

import yaml

# ---------------------------------------------------------------------------
# Constants

CRLF = "\r\n"
MARKER_HEADER = "X-CRS-Test"
DEFAULT_TIMEOUT = 3.0        # seconds without an answer before giving up
MARKER_TIMEOUT = 5.0         # seconds to wait for a marker in the log
SETTLE_AFTER_ERROR = 0.3     # seconds: lets late log lines of a failed
                             # request land before the closing marker
CHARSET_RE = re.compile(r"\;\s{0,1}?charset\=(.*?)(?:$|\;|\s)")
ID_RE = re.compile(r'\[id "(\d+)"\]')
APACHE_CODE_RE = re.compile(r"\b(AH\d{5}): ([^\[]{0,120})")


class RequestError(Exception):
    """The request got no usable answer (what ftw reported as TestError)."""


# ---------------------------------------------------------------------------
# Loading tests


class Stage:
    def __init__(self, inp, out, fmt):
        self.input = inp or {}
        self.output = dict(out or {})
        self.fmt = fmt              # "ftw" or "goftw"


class Test:
    def __init__(self, title, path, stages, enabled=True, skip_reason=None):
        self.title = str(title)
        self.path = path
        self.stages = stages
        self.enabled = enabled
        self.skip_reason = skip_reason


def rule_id_of(doc, path):
    if doc.get("rule_id") is not None:
        return str(doc["rule_id"])
    m = re.match(r"(\d+)", os.path.basename(path))
    return m.group(1) if m else os.path.splitext(os.path.basename(path))[0]


def load_file(path):
    with open(path, "rb") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("tests"), list):
        return []
    meta = doc.get("meta") or {}
    file_enabled = meta.get("enabled", True) is not False
    tests = []
    for t in doc["tests"]:
        if "test_title" in t:
            title = t["test_title"]
        else:
            title = "%s-%s" % (rule_id_of(doc, path), t.get("test_id"))
        stages = []
        for s in t.get("stages") or []:
            if "stage" in s:            # ftw, and early go-ftw
                s = s["stage"]
                fmt = "goftw" if "test_id" in t else "ftw"
            else:
                fmt = "goftw"
            stages.append(Stage(s.get("input"), s.get("output"), fmt))
        enabled = file_enabled and t.get("enabled", True) is not False
        reason = None if enabled else "disabled in the test file"
        tests.append(Test(title, path, stages, enabled, reason))
    return tests


def find_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for ext in ("yaml", "yml"):
                files += glob.glob(os.path.join(p, "**", "*." + ext), recursive=True)
        else:
            files.append(p)
    return sorted(set(files))


# ---------------------------------------------------------------------------
# Overrides


def load_overrides(path):
    """Returns a list of (matcher(title) -> bool, entry) pairs."""
    with open(path, "rb") as f:
        doc = yaml.safe_load(f) or {}
    entries = []
    if isinstance(doc, dict):
        listed = None
        if "overrides" in doc or "test_overrides" in doc:
            listed = (doc.get("overrides") or []) + (doc.get("test_overrides") or [])
        if listed is None:
            listed = [{"test": k, "reason": v, "skip": True} for k, v in doc.items()
                      if k not in ("version", "meta")]
    else:
        listed = doc
    for e in listed or []:
        if not e.get("reason"):
            raise ValueError("override without a reason: %r" % (e,))
        if "regex" in e:
            rx = re.compile(e["regex"])
            entries.append((lambda t, rx=rx: rx.search(t) is not None, e))
            continue
        if "rule_id" in e:
            ids = e.get("test_ids") or ([e["test_id"]] if "test_id" in e else [])
            names = {"%s-%s" % (e["rule_id"], i) for i in ids}
            if not ids:
                prefix = "%s-" % e["rule_id"]
                entries.append((lambda t, p=prefix: t.startswith(p), e))
                continue
        else:
            names = {str(x) for x in (e["test"] if isinstance(e.get("test"), list)
                                      else [e.get("test", e.get("test_title"))])}
        entries.append((lambda t, n=names: t in n, e))
    return entries


def apply_overrides(test, overrides):
    """Applies the first matching override; returns (skip_reason or None,
    override reason or None)."""
    for match, e in overrides:
        if not match(test.title):
            continue
        if not e.get("output"):
            return e["reason"], e["reason"]
        only = e.get("stage")
        for n, st in enumerate(test.stages, 1):
            if only is not None and only != n:
                continue
            if {"log_contains", "no_log_contains", "log"} & set(e["output"]):
                for k in ("log_contains", "no_log_contains", "log"):
                    st.output.pop(k, None)
            st.output.update(e["output"])
        return None, e["reason"]
    return None, None


# ---------------------------------------------------------------------------
# Building requests


def text(v):
    """A YAML scalar as ftw's str() gave it."""
    if v is True:
        return "True"
    if v is False:
        return "False"
    return str(v)


def charset_of(headers):
    ct = headers.get("Content-Type")
    if ct is None:
        return "utf-8"
    m = CHARSET_RE.search(text(ct))
    if not m:
        return "utf-8"
    choice = m.group(1).replace("-", "_").lower()
    known = set(encodings.aliases.aliases.keys()) | set(encodings.aliases.aliases.values())
    return choice if choice in known else "utf-8"


def header_items(inp):
    """The headers of a stage in file order (go-ftw: ordered_headers too)."""
    if inp.get("ordered_headers"):
        return [(text(h["name"]), text(h["value"])) for h in inp["ordered_headers"]]
    return [(text(k), text(v)) for k, v in (inp.get("headers") or {}).items()]


def build_ftw(inp):
    if inp.get("encoded_request") is not None:
        return base64.b64decode(inp["encoded_request"])
    if inp.get("raw_request") is not None:
        # ftw: UTF-8, then backslash escapes expanded, then UTF-8 again
        raw = text(inp["raw_request"]).encode("utf-8").decode("unicode_escape")
        return raw.encode("utf-8")
    method = text(inp.get("method", "GET"))
    uri = text(inp.get("uri", "/"))
    version = text(inp.get("version", "HTTP/1.1"))
    headers = dict(header_items(inp))
    data = inp.get("data", "")
    if data is None:
        data = ""
    if isinstance(data, list):
        data = CRLF.join(text(x) for x in data)
    data = text(data)
    magic = not inp.get("stop_magic", False)
    if data != "":
        if "Content-Type" not in headers and magic:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if headers.get("Content-Type") == "application/x-www-form-urlencoded" and magic:
            if urllib.parse.unquote(data) == data:
                pairs = urllib.parse.parse_qsl(data)
                if pairs:
                    data = urllib.parse.urlencode(pairs)
        if "Content-Length" not in headers and magic:
            headers["Content-Length"] = str(len(data))
    head = "%s %s %s%s" % (method, uri, version, CRLF)
    head += "".join("%s: %s%s" % (k, v, CRLF) for k, v in headers.items())
    head += CRLF
    body = b""
    if data != "":
        body = data.encode(charset_of(headers) if magic else "utf-8")
    return head.encode("utf-8") + body


def build_goftw(inp):
    if inp.get("encoded_request"):
        return base64.b64decode(inp["encoded_request"])
    if inp.get("raw_request"):
        return text(inp["raw_request"]).encode("utf-8")
    method = text(inp.get("method", "GET"))
    uri = text(inp.get("uri", "/"))
    version = text(inp.get("version", "HTTP/1.1"))
    headers = header_items(inp)
    data = inp.get("data", "")
    data = b"" if data is None else text(data).encode("utf-8")
    if inp.get("autocomplete_headers", True) and not inp.get("stop_magic", False):
        names = {k.lower() for k, _ in headers}
        if "connection" not in names:
            headers.append(("Connection", "close"))
        if data and "content-length" not in names:
            headers.append(("Content-Length", str(len(data))))
    head = "%s %s %s%s" % (method, uri, version, CRLF)
    head += "".join("%s: %s%s" % (k, v, CRLF) for k, v in headers)
    return (head + CRLF).encode("utf-8") + data


def build_request(stage):
    return build_ftw(stage.input) if stage.fmt == "ftw" else build_goftw(stage.input)


# ---------------------------------------------------------------------------
# Talking to the server


def exchange(host, port, raw, timeout):
    """Sends raw, returns every byte received until the server closes or
    stays silent for `timeout` seconds.  Raises RequestError when nothing
    came back."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        raise RequestError("cannot connect: %s" % e)
    chunks = []
    try:
        try:
            sock.sendall(raw)
        except OSError:
            pass                    # the server may answer before reading all
        while True:
            ready, _, _ = select.select([sock], [], [], timeout)
            if not ready:
                break
            try:
                data = sock.recv(65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        sock.close()
    if not chunks:
        raise RequestError("no response within %.1fs" % timeout)
    return b"".join(chunks)


def parse_response(resp):
    """Returns (status, headers, body) or raises RequestError as ftw did
    for an answer it could not read (e.g. an HTTP/0.9 reply)."""
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].decode("latin-1").split(" ", 2)
    if len(parts) != 3 or not parts[0].startswith("HTTP/"):
        raise RequestError("no HTTP status line: %r" % lines[0][:60])
    try:
        status = int(parts[1])
    except ValueError:
        raise RequestError("bad status in %r" % lines[0][:60])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise RequestError("bad response header %r" % line[:60])
        headers[name.decode("latin-1").lower()] = value.decode("latin-1").strip()
    return status, headers, body


class ErrorLog:
    """Reads a growing error log and cuts it at marker lines."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        self.f.seek(0, os.SEEK_END)
        self.partial = b""
        self.pending = []

    def _read(self):
        data = self.f.read()
        if not data:
            return
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        self.pending += [l.decode("utf-8", "replace") for l in lines]

    def until(self, marker, timeout):
        """Lines before the line holding marker, which is consumed; None if
        the marker did not show up in time (the lines stay pending)."""
        end = time.time() + timeout
        while True:
            self._read()
            for i, line in enumerate(self.pending):
                if marker in line:
                    before = self.pending[:i]
                    self.pending = self.pending[i + 1:]
                    return before
            if time.time() >= end:
                return None
            time.sleep(0.005)


class Runner:
    def __init__(self, host, port, log, timeout, vhost="localhost"):
        self.host = host
        self.port = port
        self.log = ErrorLog(log) if log else None
        self.timeout = timeout
        self.vhost = vhost

    def marker(self):
        """Sends a marker request and waits for its line; returns the log
        lines written since the previous marker (None if it never came)."""
        mark = "crs-regress-" + uuid.uuid4().hex
        raw = ("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: crs-regress\r\n"
               "Accept: */*\r\n%s: %s\r\nConnection: close\r\n\r\n"
               % (self.vhost, MARKER_HEADER, mark)).encode()
        try:
            exchange(self.host, self.port, raw, self.timeout)
        except RequestError:
            pass
        if self.log is None:
            return []
        return self.log.until(mark, MARKER_TIMEOUT)

    def run_stage(self, stage):
        """Runs one stage; returns a result dict (see check_stage)."""
        raw = build_request(stage)
        res = {"request_bytes": len(raw)}
        try:
            resp = exchange(self.host, self.port, raw, self.timeout)
            res["status"], res["headers"], res["body"] = parse_response(resp)
            res["raw"] = resp
        except RequestError as e:
            res["error"] = str(e)
            time.sleep(SETTLE_AFTER_ERROR)
        lines = self.marker()
        res["log"] = lines
        return res


# ---------------------------------------------------------------------------
# Checking


def expectations(out):
    """The output of a stage as a list of (kind, value) checks."""
    checks = []
    if out.get("status") not in (None, [], ""):
        st = out["status"]
        checks.append(("status", [int(s) for s in st] if isinstance(st, list) else [int(st)]))
    for key in ("log_contains", "no_log_contains", "response_contains"):
        if out.get(key):
            checks.append((key, text(out[key])))
    log = out.get("log") or {}
    for i in log.get("expect_ids") or []:
        checks.append(("log_contains", r'\[id "%s"\]' % int(i)))
    for i in log.get("no_expect_ids") or []:
        checks.append(("no_log_contains", r'\[id "%s"\]' % int(i)))
    if log.get("match_regex"):
        checks.append(("log_contains", text(log["match_regex"])))
    if log.get("no_match_regex"):
        checks.append(("no_log_contains", text(log["no_match_regex"])))
    if out.get("expect_error"):
        checks.append(("expect_error", True))
    return checks


def check_stage(checks, res):
    """Returns a list of failure messages (empty when the stage passed)."""
    fails = []
    lines = res["log"]
    expect_error = any(k == "expect_error" for k, _ in checks)
    if "error" in res and not expect_error:
        fails.append("request error: %s" % res["error"])
    if expect_error and "error" not in res:
        fails.append("expected an error, got status %s" % res.get("status"))
    if lines is None and any(k in ("log_contains", "no_log_contains") for k, _ in checks):
        fails.append("closing marker never reached the error log")
        return fails
    for kind, value in checks:
        if kind == "status":
            if "status" in res and res["status"] not in value:
                fails.append("status %s, expected %s" % (res["status"], value))
            elif "status" not in res and not expect_error:
                fails.append("no status, expected %s" % value)
        elif kind == "log_contains":
            rx = re.compile(value)
            if not any(rx.search(l) for l in lines):
                fails.append("log lacks /%s/" % value)
        elif kind == "no_log_contains":
            rx = re.compile(value)
            if any(rx.search(l) for l in lines):
                fails.append("log has /%s/" % value)
        elif kind == "response_contains":
            rx = re.compile(value)
            if "raw" not in res or not rx.search(res["raw"].decode("latin-1")):
                fails.append("response lacks /%s/" % value)
    return fails


def log_summary(lines):
    """Rule ids and Apache message codes found in a test's log lines."""
    ids, other = [], []
    for l in lines or []:
        ids += ID_RE.findall(l)
        m = APACHE_CODE_RE.search(l)
        if m and "ModSecurity" not in l:
            other.append("%s: %s" % (m.group(1), m.group(2).strip()))
    seen = set()
    ids = [i for i in ids if not (i in seen or seen.add(i))]
    return ids, other


def compare(results, path):
    """Prints the tests whose logged rule ids differ from those of another
    run: differences the tests' own expectations do not look at."""
    with open(path) as f:
        other = {t["id"]: t for t in json.load(f)["tests"]}
    ndiff = 0
    for r in results:
        o = other.get(r["id"])
        if r["result"] == "skip" or not o or o["result"] == "skip":
            continue
        for n, (a, b) in enumerate(zip(o.get("stages", []), r.get("stages", [])), 1):
            theirs, ours = set(a["ids"]), set(b["ids"])
            if theirs != ours or a.get("status") != b.get("status"):
                ndiff += 1
                print("DIFF %s%s: only there %s, only here %s, status %s here %s"
                      % (r["id"], "" if n == 1 else " stage %d" % n,
                         " ".join(sorted(theirs - ours)) or "-",
                         " ".join(sorted(ours - theirs)) or "-", a.get("status"), b.get("status")))
    print("compare: %d stages log other rule ids or statuses than %s" % (ndiff, path))


def self_test():
    """Checks the request builder on the ftw rules it must follow."""
    cases = [
        ({"method": "POST", "uri": "/", "version": "HTTP/1.0", "headers": {"Host": "h"},
          "data": "a=<b>&c"},
         b"POST / HTTP/1.0\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         b"Content-Length: 9\r\n\r\na=%3Cb%3E"),
        ({"headers": {"Host": "h", "Content-Type": "text/plain"}, "data": ["x", "y"]},
         b"GET / HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nx\r\ny"),
        ({"method": "POST", "headers": {"Host": "h"}, "data": "a=%41 b", "stop_magic": True},
         b"POST / HTTP/1.1\r\nHost: h\r\n\r\na=%41 b"),
        ({"headers": {"Host": "h", "Content-Length": 7}, "data": "q=%2F"},
         b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n"
         b"Content-Type: application/x-www-form-urlencoded\r\n\r\nq=%2F"),
        ({"version": "", "uri": "/x", "headers": {}}, b"GET /x \r\n\r\n"),
        ({"raw_request": "GET / HTTP/1.0\\r\\n\\r\\n"}, b"GET / HTTP/1.0\r\n\r\n"),
        ({"encoded_request": base64.b64encode(b"\xac\xed").decode()}, b"\xac\xed"),
    ]
    goftw = [
        ({"method": "POST", "headers": {"Host": "h"}, "data": "ab"},
         b"POST / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab"),
        ({"headers": {"Host": "h"}, "autocomplete_headers": False, "data": "ab"},
         b"GET / HTTP/1.1\r\nHost: h\r\n\r\nab"),
    ]
    npass = nfail = 0
    for fmt, group in (("ftw", cases), ("goftw", goftw)):
        for inp, want in group:
            got = build_request(Stage(inp, {}, fmt))
            if got == want:
                npass += 1
            else:
                nfail += 1
                print("FAIL %s %r:\n  want %r\n  got  %r" % (fmt, inp, want, got))
    checks = expectations({"status": [200, 404], "log": {"expect_ids": [1], "no_expect_ids": [2]}})
    res = {"status": 404, "log": ['x [id "1"] y']}
    if check_stage(checks, res) == [] and check_stage(checks, {"status": 200, "log": ['[id "2"]']}):
        npass += 1
    else:
        nfail += 1
        print("FAIL expectation checks")
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


# ---------------------------------------------------------------------------
# Main


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Run CRS regression tests (ftw or go-ftw YAML) "
                                 "against a running server.")
    ap.add_argument("paths", nargs="*", help="test files or directories")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--log", help="the server's error log (needed for log checks)")
    ap.add_argument("--overrides", help="YAML/JSON file of skipped or changed tests")
    ap.add_argument("--filter", help="regex on test ids: run only those that match")
    ap.add_argument("--exclude", help="regex on test ids: skip those that match")
    ap.add_argument("--jobs", type=int, default=1,
                    help="accepted for compatibility; markers make runs sequential")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help="seconds without an answer (default %(default)s)")
    ap.add_argument("--json", help="write per-test results here")
    ap.add_argument("--quiet", action="store_true", help="print failures only")
    ap.add_argument("--show-log", action="store_true", help="print the log lines of failures")
    ap.add_argument("--compare", metavar="JSON",
                    help="results of another engine (e.g. the reference): list the tests "
                    "whose rule ids differ, whatever their result")
    ap.add_argument("--self-test", action="store_true",
                    help="check the request builder and exit (no server needed)")
    ap.add_argument("--save-log", action="store_true",
                    help="keep every test's log lines in the --json file")
    return ap.parse_args(argv)


def select_tests(args):
    tests = []
    for path in find_files(args.paths):
        tests += load_file(path)
    if args.filter:
        rx = re.compile(args.filter)
        tests = [t for t in tests if rx.search(t.title)]
    if args.exclude:
        rx = re.compile(args.exclude)
        tests = [t for t in tests if not rx.search(t.title)]
    return tests


def run_test(runner, t, args):
    """Runs every stage of a test; returns its result record."""
    r = {"id": t.title, "file": t.path}
    t0 = time.time()
    fails, stages = [], []
    for n, st in enumerate(t.stages, 1):
        checks = expectations(st.output)
        res = runner.run_stage(st)
        f = check_stage(checks, res)
        ids, other = log_summary(res["log"])
        stages.append({"expected": {k: v for k, v in checks},
                       "status": res.get("status"), "error": res.get("error"),
                       "ids": ids, "apache": other, "failures": f})
        if (args.show_log and f) or args.save_log:
            stages[-1]["log"] = res["log"]
        fails += ["stage %d: %s" % (n, m) if len(t.stages) > 1 else m for m in f]
    r["ms"] = int((time.time() - t0) * 1000)
    r["stages"] = stages
    if fails:
        r.update(result="fail", reason="; ".join(fails))
    else:
        r["result"] = "pass"
    return r


def report(r, args):
    if r["result"] == "skip":
        if not args.quiet:
            print("SKIP %s: %s" % (r["id"], r["reason"]))
    elif r["result"] == "pass":
        if not args.quiet:
            print("PASS %s" % r["id"])
    else:
        print("FAIL %s: %s [ids %s]" % (r["id"], r["reason"],
                                       " ".join(r["stages"][-1]["ids"]) or "-"))
        if args.show_log:
            for st in r["stages"]:
                for line in st.get("log") or []:
                    print("    | " + line[:400])


def run(args):
    overrides = load_overrides(args.overrides) if args.overrides else []
    tests = select_tests(args)
    runner = Runner(args.host, args.port, args.log, args.timeout)
    results = []
    started = time.time()
    if runner.marker() is None:
        print("the marker request never reached %s: is rule 999999 loaded?" % args.log)
    for t in tests:
        skip, why = (t.skip_reason, None) if not t.enabled else apply_overrides(t, overrides)
        if skip:
            r = {"id": t.title, "file": t.path, "result": "skip", "reason": skip}
        else:
            r = run_test(runner, t, args)
        if why:
            r["override"] = why
        report(r, args)
        results.append(r)
    elapsed = time.time() - started
    count = {k: sum(1 for r in results if r["result"] == k) for k in ("pass", "fail", "skip")}
    if args.compare:
        compare(results, args.compare)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": {"passed": count["pass"], "failed": count["fail"],
                                   "skipped": count["skip"], "total": len(results),
                                   "seconds": round(elapsed, 1)},
                       "tests": results}, f, indent=1)
    print("time: %.1fs" % elapsed)
    print("%d passed, %d failed, %d skipped" % (count["pass"], count["fail"], count["skip"]))
    return 1 if count["fail"] else 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        return self_test()
    if not args.paths:
        print("crs-regress: no test files given", file=sys.stderr)
        return 2
    try:
        return run(args)
    except (OSError, ValueError, yaml.YAMLError) as e:
        print("crs-regress: %s" % e, file=sys.stderr)
        print("0 passed, 1 failed")
        return 2


if __name__ == "__main__":
    sys.exit(main())
