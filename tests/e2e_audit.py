#!/usr/bin/env python3
"""End-to-end tests of the audit log (and the debug log) in private Apache
instances, on the harness of tests/e2e_apache.py.

- the ModSecurity regression cases that read the audit log
  (tests/regression_audit.py);
- records compared with mod_security2 2.9.7's, byte for byte once the
  fields that always differ are normalised (time, ids, ports, durations,
  boundaries), when the reference module is installed;
- serial logs under concurrency: several children, threads in each, 4,000
  requests, some records past the writer's buffer and past PIPE_BUF, all
  logged whole; Concurrent logs (a file and an index line each); a piped
  log; JSON;
- sanitisation: a password and an Authorization header only as '*' in
  every part of both formats;
- SecAuditEngine / RelevantOnly / ctl:auditEngine / ctl:auditLogParts;
- tools/palisade-auditlog (conversion and filters) on the logs written.

Environment as tests/e2e_apache.py; PALISADE_AUDIT_REQUESTS changes the
4,000 of the concurrency tests.
"""

import glob
import hashlib
import http.client
import importlib.machinery
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_apache as E  # noqa: E402
import regression_audit  # noqa: E402

from e2e_apache import Apache, Runner, check  # noqa: E402

ROOT = E.ROOT
TOOL = os.path.join(ROOT, "tools", "palisade-auditlog")
REFERENCE_SO = os.path.join(E.MODDIR, "mod_security2.so")
REQUESTS = int(os.environ.get("PALISADE_AUDIT_REQUESTS", "4000"))
CLIENTS = 8
BIG_EVERY = 10                 # every tenth request carries a large body
BIG_BODY = b"x=" + b"0123456789abcdef" * 2560          # 40 KiB
BIG_PAGE = "".join("line %05d of a page larger than the writer's buffer\n" % i
                   for i in range(600))                 # about 32 KiB
PASSWORD = "Hunter2Secret!"
AUTH = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
BOUNDARY_LINE = re.compile(r"^--([0-9a-f]{8})-([A-Z])--$")
PART_ORDER = "ABCIFEHJKZ"
RETRIED = set()                # requests traffic() had to send twice


def load_tool():
    loader = importlib.machinery.SourceFileLoader("palisade_auditlog", TOOL)
    spec = importlib.util.spec_from_loader("palisade_auditlog", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class MultiApache(Apache):
    """Four children with eight threads each: records come from several
    processes and threads at once."""

    def base_config(self):
        b = super().base_config()
        for old, new in (("StartServers 1", "StartServers 4"), ("ServerLimit 1", "ServerLimit 4"),
                         ("ThreadLimit 16", "ThreadLimit 8"),
                         ("ThreadsPerChild 16", "ThreadsPerChild 8"),
                         ("MinSpareThreads 1", "MinSpareThreads 8"),
                         ("MaxSpareThreads 16", "MaxSpareThreads 32"),
                         ("MaxRequestWorkers 16", "MaxRequestWorkers 32")):
            b = b.replace(old, new)
        return b + "KeepAlive On\nMaxKeepAliveRequests 0\n"


def audit_text(a, name="logs/audit.log"):
    try:
        with open(a.path(name), "rb") as f:
            return f.read().decode("latin-1")
    except FileNotFoundError:
        return ""


def wait_records(a, count, name="logs/audit.log", marker=None, timeout=20):
    """Waits until the log holds count records (phase 5 and the audit log
    come after the response)."""
    end = time.time() + timeout
    marker = marker or re.compile(r"^--[0-9a-f]{8}-Z--$", re.M)
    while True:
        text = audit_text(a, name)
        n = len(marker.findall(text))
        if n >= count or time.time() > end:
            return text
        time.sleep(0.1)


def native_records(text):
    """Strict split of a serial native log: every record A..Z with one
    boundary, parts in 2.9's order, nothing between records."""
    records, cur, lines = [], None, text.split("\n")
    for n, line in enumerate(lines, 1):
        m = BOUNDARY_LINE.match(line)
        if cur is None:
            if line == "":
                continue
            if not m or m.group(2) != "A":
                raise AssertionError("line %d: %r outside a record" % (n, line[:120]))
            cur = {"boundary": m.group(1), "parts": {"A": []}, "order": "A", "last": "A"}
            continue
        if m and m.group(1) == cur["boundary"]:
            p = m.group(2)
            if PART_ORDER.index(p) <= PART_ORDER.index(cur["last"]):
                raise AssertionError("line %d: part %s after %s" % (n, p, cur["last"]))
            cur["last"] = p
            cur["order"] += p
            cur["parts"][p] = []
            if p == "Z":
                records.append(cur)
                cur = None
            continue
        if m:
            raise AssertionError("line %d: boundary %s inside record %s" %
                                 (n, m.group(1), cur["boundary"]))
        cur["parts"][cur["last"]].append(line)
    if cur is not None:
        raise AssertionError("unterminated record %s" % cur["boundary"])
    for r in records:
        r["text"] = {k: "\n".join(v) for k, v in r["parts"].items()}
    return records


# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------

def traffic(port, total, clients=CLIENTS):
    """clients keep-alive connections sending total requests between them:
    GET /index.html?t=T&i=I, every BIG_EVERY-th a 40 KiB POST for the big
    page.  Returns the number of 200 answers."""
    RETRIED.clear()
    ok = [0] * clients
    errors = []

    def send(conn, t, i):
        if i % BIG_EVERY == 0:
            conn.request("POST", "/big.txt?t=%d&i=%d" % (t, i), body=BIG_BODY,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            conn.request("GET", "/index.html?t=%d&i=%d" % (t, i))
        resp = conn.getresponse()
        resp.read()
        return resp.status

    def worker(t):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=E.IO_TIMEOUT)
        for i in range(t, total, clients):
            if errors:
                break                      # one failure is enough: stop early
            try:
                try:
                    status = send(conn, t, i)
                except http.client.RemoteDisconnected:
                    # a kept-alive connection the server closed meanwhile:
                    # once more on a new one, as HTTP clients do (the check
                    # accepts a second record for this request)
                    RETRIED.add((t, i))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=E.IO_TIMEOUT)
                    status = send(conn, t, i)
                if status == 200:
                    ok[t] += 1
            except (OSError, http.client.HTTPException) as e:
                errors.append("%d: %s" % (i, e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=E.IO_TIMEOUT)
        conn.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    check(not errors, "client errors: %s" % errors[:5])
    return sum(ok)


LOAD_CONF = """SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html
SecAuditEngine On
SecAuditLogParts ABCEFHKZ
SecAuditLog %s
SecRule ARGS:i "@rx ." "id:100,phase:2,pass,log,msg:'seen %%{ARGS.i}'"
"""


def expected_ids(total):
    return {(i % CLIENTS, i) for i in range(total)}


def check_native_load(records, total):
    dups = sum(1 for r in records
               if re.search(r"[?&]t=(\d+)&i=(\d+) ", r["text"].get("B", "")) is not None
               and tuple(int(x) for x in re.search(r"[?&]t=(\d+)&i=(\d+) ",
                                                     r["text"]["B"]).groups()) in RETRIED)
    check(total <= len(records) <= total + dups,
          "%d records for %d requests" % (len(records), total))
    seen = set()
    for r in records:
        t = r["text"]
        m = re.search(r"[?&]t=(\d+)&i=(\d+) ", t.get("B", ""))
        check(m is not None, "record without its request line: %r" % t.get("B", "")[:200])
        key = (int(m.group(1)), int(m.group(2)))
        check(key not in seen or key in RETRIED, "request %s logged twice" % (key,))
        seen.add(key)
        check(r["order"] in ("ABFEHKZ", "ABCFEHKZ"), "parts %s" % r["order"])
        check("Message: Warning. Pattern match" in t["H"], "part H without the match")
        if key[1] % BIG_EVERY == 0:
            check(t.get("C") == BIG_BODY.decode(), "big request body damaged (%d bytes)"
                  % len(t.get("C", "")))
            check(t.get("E") == BIG_PAGE, "big response body damaged (%d bytes)"
                  % len(t.get("E", "")))
    check(seen == expected_ids(total), "records missing: %d" % len(expected_ids(total) - seen))


def test_serial_concurrency():
    with MultiApache(LOAD_CONF % "@DIR@/logs/audit.log", files={"htdocs/big.txt": BIG_PAGE}) as a:
        t0 = time.time()
        ok = traffic(a.port, REQUESTS)
        took = time.time() - t0
        text = wait_records(a, REQUESTS)
        check(ok == REQUESTS, "%d of %d answered 200" % (ok, REQUESTS), a.error_log())
        records = native_records(text)
        check_native_load(records, REQUESTS)
        pids = set(re.findall(r"\[pid (\d+):tid", a.error_log()))
        print("   serial: %d requests from %d clients in %.1fs, %d records, %.1f MB, "
              "%d children, %d resent" % (REQUESTS, CLIENTS, took, len(records), len(text) / 1e6,
                                          len(pids), len(RETRIED)))


def test_serial_json_concurrency():
    conf = (LOAD_CONF % "@DIR@/logs/audit.log") + "SecAuditLogFormat JSON\n"
    total = max(REQUESTS // 4, 100)
    with MultiApache(conf, files={"htdocs/big.txt": BIG_PAGE}) as a:
        ok = traffic(a.port, total)
        text = wait_records(a, total, marker=re.compile(r"^\{", re.M))
        check(ok == total, "%d of %d answered 200" % (ok, total), a.error_log())
        lines = [l for l in text.split("\n") if l]
        check(total <= len(lines) <= total + len(RETRIED),
              "%d JSON lines for %d requests" % (len(lines), total))
        seen = set()
        for line in lines:
            rec = json.loads(line)
            m = re.search(r"[?&]t=(\d+)&i=(\d+) ", rec["request"]["request_line"])
            seen.add((int(m.group(1)), int(m.group(2))))
            if int(m.group(2)) % BIG_EVERY == 0:
                check(rec["request"]["body"] == [BIG_BODY.decode()], "big body damaged")
                check(rec["response"]["body"] == BIG_PAGE, "big page damaged")
        check(seen == expected_ids(total), "JSON records missing")


def test_concurrent_concurrency():
    conf = (LOAD_CONF % "@DIR@/logs/index.log") + (
        "SecAuditLogType Concurrent\nSecAuditLogStorageDir @DIR@/tmp/audit\n"
        "SecAuditLog2 @DIR@/logs/index2.log\n"
        "SecAuditLogDirMode 0750\nSecAuditLogFileMode 0640\n")
    with MultiApache(conf, files={"htdocs/big.txt": BIG_PAGE}) as a:
        t0 = time.time()
        ok = traffic(a.port, REQUESTS)
        took = time.time() - t0
        marker = re.compile(r" md5:[0-9a-f]{32} \n")
        index = wait_records(a, REQUESTS, "logs/index.log", marker)
        check(ok == REQUESTS, "%d of %d answered 200" % (ok, REQUESTS), a.error_log())
        lines = index.split("\n")[:-1]
        check(REQUESTS <= len(lines) <= REQUESTS + len(RETRIED), "%d index lines" % len(lines))
        check(audit_text(a, "logs/index2.log") == index, "SecAuditLog2 differs from SecAuditLog")
        files = [p for p in glob.glob(a.path("tmp/audit/**"), recursive=True) if os.path.isfile(p)]
        check(len(files) == len(lines), "%d record files" % len(files))
        line_re = re.compile(r'^\S+ 127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{6} '
                             r'[+-]\d{4}\] "(?:GET|POST) /\S+ HTTP/1\.1" 200 \d+ "-" "-" '
                             r'([A-Za-z0-9@_-]+) "-" (/[^/ ]+/\d{8}/\d{8}-\d{4}/\d{8}-\d{6}-\1) '
                             r'0 (\d+) md5:([0-9a-f]{32}) $')
        records = []
        for line in lines:
            m = line_re.match(line)
            check(m is not None, "bad index line: %r" % line)
            path = a.path("tmp/audit") + m.group(2)
            with open(path, "rb") as f:
                data = f.read()
            check(len(data) == int(m.group(3)), "size of %s" % path)
            check(hashlib.md5(data).hexdigest() == m.group(4), "md5 of %s" % path)
            check(os.stat(path).st_mode & 0o777 == 0o640 & ~current_umask(),
                  "file mode %o" % (os.stat(path).st_mode & 0o777))
            recs = native_records(data.decode("latin-1"))
            check(len(recs) == 1, "%d records in %s" % (len(recs), path))
            records += recs
        check_native_load(records, REQUESTS)
        d = os.path.dirname(files[0])
        check(os.stat(d).st_mode & 0o777 == 0o750 & ~current_umask(),
              "directory mode %o" % (os.stat(d).st_mode & 0o777))
        print("   concurrent: %d requests in %.1fs, %d files, %d index lines"
              % (REQUESTS, took, len(files), len(lines)))


def current_umask():
    u = os.umask(0)
    os.umask(u)
    return u


def test_piped_log_concurrency():
    total = max(REQUESTS // 4, 100)
    # "|program args" runs the program without a shell (httpd 2.4)
    conf = LOAD_CONF % '"|/bin/sh @DIR@/logger.sh @DIR@/logs/piped.log"'
    files = {"htdocs/big.txt": BIG_PAGE, "logger.sh": '#!/bin/sh\nexec cat >> "$1"\n'}
    with MultiApache(conf, files=files) as a:
        ok = traffic(a.port, total)
        text = wait_records(a, total, "logs/piped.log")
        check(ok == total, "%d of %d answered 200" % (ok, total), a.error_log())
        check_native_load(native_records(text), total)


# ---------------------------------------------------------------------------
# Comparison with mod_security2 2.9.7
# ---------------------------------------------------------------------------

def normalise(t, d):
    """Replaces what always differs between two runs (and the documented
    differences of Palisade) by fixed text."""
    t = t.replace(d, "@DIR@")
    out = []
    for line in t.split("\n"):
        if line.startswith("{"):
            o = json.loads(line)
            ad = o.get("audit_data", {})
            ad.pop("message_details", None)
            p = ad.get("producer")
            if isinstance(p, list):
                p = [x for x in p if not x.startswith("Palisade/")]
                ad["producer"] = p[0] if len(p) == 1 else p
            for u in o.get("uploads", {}).get("info", []):
                u["content_type"] = "CT"
                u.pop("part", None)
            line = json.dumps(o, indent=1)
        out.append(line)
    t = "\n".join(out)
    subs = [
        (r"--[0-9a-f]{8}-([A-Z])--", r"--B-\1--"),
        (r"\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d\.\d{6} [+-]\d{4}", "TIME"),
        (r"[A-Za-z0-9@_-]{27}", "UID"),
        (r"127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+", "CONN"),
        (r'"(remote|local)_port": \d+', r'"\1_port": 0'),
        (r"Stopwatch2?: [^\n]*", "STOPWATCH"),
        (r'"(p\d|sr|sw|l|gc)": \d+', r'"\1": 0'),
        (r"(Last-Modified|ETag): [^\n]*", r"\1: X"),
        (r'"(Last-Modified|ETag)": "(\\.|[^"\\])*"', r'"\1": "X"'),
        (r'\[file \\?"(apache2_util|mod_palisade)\.c\\?"\] \[line \d+\]', "[file GLUE]"),
        (r"; Palisade/[0-9.]+", ""),
        (r'^(\d+,\d+,"[^"]*"),"[^"]*"$', r'\1,"CT"'),
        (r"md5:[0-9a-f]{32}", "md5:X"),
        # 2.9.7's JSON writer masks a sanitised header with one '*' more
        (r'"Authorization": "\*+"', '"Authorization": "*"'),
        (r"\d{8}/\d{8}-\d{4}/\d{8}-\d{6}", "DATEPATH"),
    ]
    for a, b in subs:
        t = re.sub(a, b, t, flags=re.M)
    return t


def raw_req(s, body=b""):
    return s.replace("\n", "\r\n").encode("latin-1") + body


MP_BODY = (b'------b0\r\nContent-Disposition: form-data; name="pw"\r\n\r\nsupersecret\r\n'
           b'------b0\r\nContent-Disposition: form-data; name="a"\r\n\r\nhello\r\n'
           b'------b0\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n'
           b'Content-Type: text/plain\r\n\r\nFILEDATA\r\n------b0--\r\n')
CMP_BASE = """SecRequestBodyAccess On
SecResponseBodyAccess On
SecAuditEngine On
SecAuditLog @DIR@/logs/audit.log
SecAuditLogParts ABCDEFGHIJKZ
SecComponentSignature "OWASP_CRS/3.3.4"
"""
CMP_RULES = """SecRuleEngine On
SecRule ARGS:a "@rx 1" "id:1001,phase:2,pass,log,msg:'hello',tag:'t1',tag:'t2',logdata:'%{MATCHED_VAR}',severity:2,rev:3,ver:'v1',maturity:4,accuracy:5"
SecRule ARGS:b "@rx x" "id:1002,phase:2,deny,status:403,log,msg:'block',chain"
SecRule ARGS:b "@rx x" "t:none"
SecRule ARGS:pw "@rx ." "id:1003,phase:2,pass,nolog,sanitiseArg:pw,sanitiseRequestHeader:Authorization,sanitiseMatched"
SecRule ARGS:c "@rx 1" "id:1004,phase:1,pass,log,chain"
SecRule ARGS:d "@rx 1" "chain"
SecRule ARGS:e "@rx 1" ""
SecRule RESPONSE_BODY "@rx secret page" "id:1005,phase:4,deny,status:403,log"
SecAction "id:1006,phase:2,pass,nolog"
"""
CMP_REQUESTS = [
    raw_req("POST /index.html?q=1&r=2 HTTP/1.1\nHost: localhost\nUser-Agent: test\n"
            "Content-Type: application/x-www-form-urlencoded\nContent-Length: 7\n"
            "Connection: close\n\n", b"a=1&c=2"),
    raw_req("GET /index.html?b=x HTTP/1.1\nHost: localhost\nConnection: close\n\n"),
    raw_req("POST /index.html?q=1&pw=secret HTTP/1.1\nHost: localhost\n"
            "Authorization: Basic abcdef\nContent-Type: application/x-www-form-urlencoded\n"
            "Content-Length: 17\nConnection: close\n\n", b"a=1&c=2&pw=hunter"),
    raw_req("POST /index.html HTTP/1.1\nHost: localhost\n"
            "Content-Type: multipart/form-data; boundary=----b0\nContent-Length: %d\n"
            "Connection: close\n\n" % len(MP_BODY), MP_BODY),
    raw_req("GET /index.html?c=1&e=1 HTTP/1.1\nHost: localhost\nConnection: close\n\n"),
    raw_req("GET /secret.html HTTP/1.1\nHost: localhost\nConnection: close\n\n"),
    raw_req("GET /nothere HTTP/1.1\nHost: localhost\nConnection: close\n\n"),
]
COMPARISONS = {
    "rules, native": CMP_BASE + CMP_RULES,
    "rules, JSON": CMP_BASE + CMP_RULES + "SecAuditLogFormat JSON\n",
    "engine off": CMP_BASE,
    "detection only, relevant only": CMP_BASE.replace("SecAuditEngine On", "SecAuditEngine RelevantOnly")
    + CMP_RULES.replace("SecRuleEngine On", "SecRuleEngine DetectionOnly")
    + 'SecAuditLogRelevantStatus "^404"\nSecWebAppId "app1"\nSecSensorId "sensor-7"\n',
    "limits": CMP_BASE + "SecRuleEngine On\nSecRequestBodyLimit 10\n",
    "allow, phase 3 deny": CMP_BASE + "SecRuleEngine On\n"
    'SecRule ARGS:a "@rx 1" "id:7,phase:1,allow,log"\n'
    'SecRule REQUEST_URI "@rx nothere" "id:8,phase:3,deny,status:403,log"\n',
}
if os.path.exists(E.CRS_SETUP):
    COMPARISONS["CRS 3.3.4, relevant only"] = (
        "Include %s\nSecRuleEngine On\nSecAuditEngine RelevantOnly\n"
        "SecAuditLogParts ABCFHKZ\nSecAuditLog @DIR@/logs/audit.log\n"
        "Include %s\nInclude %s/*.conf\n" % (E.RECOMMENDED, E.CRS_SETUP, E.CRS_RULES))


CRS_REQUESTS = [
    raw_req("GET /index.html?id=1'%20or%201=1-- HTTP/1.1\nHost: localhost\n"
            "User-Agent: Mozilla/5.0\nAccept: text/html\nConnection: close\n\n"),
    raw_req("POST /index.html HTTP/1.1\nHost: localhost\nUser-Agent: Mozilla/5.0\n"
            "Accept: text/html\nContent-Type: application/x-www-form-urlencoded\n"
            "Content-Length: 34\nConnection: close\n\n", b"q=<script>alert(document.cookie)</"),
]


def run_for_compare(conf, reference):
    E.REFERENCE = reference
    reqs = CRS_REQUESTS if "modsecurity-crs" in conf else CMP_REQUESTS
    try:
        with Apache(conf, files={"htdocs/secret.html": "a secret page\n"}) as a:
            for r in reqs:
                a.raw(r)
            wait_records(a, 1, timeout=3, marker=re.compile(r"^\{|^--[0-9a-f]{8}-Z--$", re.M))
            time.sleep(0.5)
            return normalise(audit_text(a), a.dir)
    finally:
        E.REFERENCE = False


def compare_with_reference(name):
    import difflib
    conf = COMPARISONS[name]
    ref = run_for_compare(conf, True)
    pal = run_for_compare(conf, False)
    check(ref.strip() != "", "the reference wrote nothing")
    if ref != pal:
        diff = "\n".join(list(difflib.unified_diff(ref.split("\n"), pal.split("\n"),
                                                   "mod_security2", "palisade",
                                                   lineterm="", n=1))[:80])
        raise AssertionError("records differ:\n" + diff)


# ---------------------------------------------------------------------------
# Sanitisation
# ---------------------------------------------------------------------------

SANITISE_CONF = """SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecAuditEngine On
SecAuditLog @DIR@/logs/audit.log
SecAuditLogParts ABCEFHIJKZ
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:20,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule ARGS:/password/ "@rx ." "id:21,phase:2,pass,log,msg:'password %{MATCHED_VAR}',logdata:'%{MATCHED_VAR}',sanitiseMatched,sanitiseArg:password,sanitiseRequestHeader:Authorization"
SecRule REQUEST_HEADERS:Authorization "@rx ." "id:22,phase:1,pass,log,logdata:'%{MATCHED_VAR}'"
"""


def sanitise_requests():
    form = ("user=bob&password=%s" % PASSWORD.replace("!", "%21")).encode()
    js = json.dumps({"user": "bob", "password": PASSWORD}).encode()
    mp = ('--XyZ\r\nContent-Disposition: form-data; name="user"\r\n\r\nbob\r\n'
          '--XyZ\r\nContent-Disposition: form-data; name="password"\r\n\r\n%s\r\n'
          '--XyZ--\r\n' % PASSWORD).encode()
    common = "Host: localhost\nAuthorization: %s\nReferer: http://x/login?password=%s\n" % (
        AUTH, PASSWORD)
    return [
        raw_req("GET /secret.html?user=bob&password=%s HTTP/1.1\n%sConnection: close\n\n"
                % (PASSWORD, common)),
        raw_req("POST /secret.html HTTP/1.1\n%sContent-Type: application/x-www-form-urlencoded\n"
                "Content-Length: %d\nConnection: close\n\n" % (common, len(form)), form),
        raw_req("POST /secret.html HTTP/1.1\n%sContent-Type: application/json\n"
                "Content-Length: %d\nConnection: close\n\n" % (common, len(js)), js),
        raw_req("POST /secret.html HTTP/1.1\n%sContent-Type: multipart/form-data; boundary=XyZ\n"
                "Content-Length: %d\nConnection: close\n\n" % (common, len(mp)), mp),
    ]


def check_sanitised(text, fmt):
    for secret in (PASSWORD, PASSWORD.replace("!", "%21"), AUTH, AUTH.split()[1]):
        check(secret not in text, "%s log holds %r:\n%s" % (fmt, secret, text[:3000]))
    stars = "*" * len(PASSWORD)
    check(("password=" + stars) in text, "%s: no masked query/body value" % fmt)
    check(("Authorization: " if fmt == "native" else '"Authorization":"') + "*" * len(AUTH)
          in text, "%s: Authorization not masked" % fmt)


def test_sanitise_native_and_json():
    for fmt in ("native", "json"):
        conf = SANITISE_CONF + ("SecAuditLogFormat JSON\n" if fmt == "json" else "")
        with Apache(conf, files={"htdocs/secret.html": "your password is %s\n" % PASSWORD}) as a:
            for r in sanitise_requests():
                st, _, _ = E.parse_response(a.raw(r))
                check(st == 200, "status %d" % st, a.error_log())
            n = len(sanitise_requests())
            text = wait_records(a, n, marker=re.compile(r"^\{|^--[0-9a-f]{8}-Z--$", re.M))
            check_sanitised(text, fmt)
            if fmt == "json":
                recs = [json.loads(l) for l in text.split("\n") if l]
                check(len(recs) == n, "%d JSON records" % len(recs))
                for rec in recs:
                    check("args" in rec["audit_data"]["sanitized"], "no sanitized.args")
            else:
                recs = native_records(text)
                check(len(recs) == n, "%d native records" % len(recs))
                for r in recs:
                    check("Sanitised-Args: " in r["text"]["H"], "no Sanitised-Args line")
                    check('Sanitised-Request-Headers: "Authorization".' in r["text"]["H"],
                          "no Sanitised-Request-Headers line")
            # the error log is not the audit log: the value is there
            check(PASSWORD in a.error_log(), "the rule did not see the password")


def test_sanitise_matched_bytes():
    conf = """SecRuleEngine On
SecAuditEngine On
SecAuditLog @DIR@/logs/audit.log
SecRule ARGS:card "@rx ." "id:30,phase:1,pass,nolog,sanitiseMatchedBytes:2/4"
SecRule REQUEST_HEADERS:X-Token "@rx ." "id:31,phase:1,pass,nolog,sanitiseMatchedBytes"
"""
    with Apache(conf) as a:
        a.get("/index.html?card=4111222233334444&x=1", headers=E.BROWSER_HEADERS
              + [("X-Token", "tok-abcdef")])
        text = wait_records(a, 1)
        check("card=41**********4444" in text, "card not masked 2/4:\n" + text)
        check("X-Token: **********" in text, "token not masked:\n" + text)


def test_sanitise_bounded():
    """Thousands of arguments of a sanitised name (CVE-2025-48866): the
    request is answered quickly and every value is masked."""
    conf = """SecRuleEngine On
SecArgumentsLimit 20000
SecAuditEngine On
SecAuditLog @DIR@/logs/audit.log
SecRule ARGS "@rx ." "id:40,phase:2,pass,nolog,sanitiseArg:pw,sanitiseMatched"
SecRequestBodyAccess On
"""
    body = "&".join("pw=v%05d" % i for i in range(5000)).encode()
    with Apache(conf) as a:
        t0 = time.time()
        st, _, _ = a.post("/index.html", body)
        took = time.time() - t0
        text = wait_records(a, 1)
        check(st == 200, "status %d" % st, a.error_log())
        check(took < 10, "took %.1fs" % took)
        check("v00042" not in text and "pw=******" in text, "values not masked")


# ---------------------------------------------------------------------------
# Engines, parts, relevance
# ---------------------------------------------------------------------------

def test_ctl_parts_and_engine():
    conf = """SecRuleEngine On
SecResponseBodyAccess On
SecAuditEngine Off
SecAuditLog @DIR@/logs/audit.log
SecRule ARGS:on "@rx 1" "id:50,phase:1,pass,nolog,ctl:auditEngine=On"
SecRule ARGS:plus "@rx 1" "id:51,phase:2,pass,nolog,ctl:auditLogParts=+E"
SecRule ARGS:minus "@rx 1" "id:52,phase:3,pass,nolog,ctl:auditLogParts=-B"
SecRule ARGS:set "@rx 1" "id:53,phase:1,pass,nolog,ctl:auditLogParts=AHZ"
"""
    with Apache(conf) as a:
        for q in ("x=1", "on=1", "on=1&plus=1", "on=1&minus=1", "on=1&set=1&plus=1"):
            a.get("/index.html?" + q)
        recs = native_records(wait_records(a, 4))
        check([r["order"] for r in recs] == ["ABFHZ", "ABFEHZ", "AFHZ", "AEHZ"],
              "parts: %s" % [r["order"] for r in recs])


def test_relevant_only():
    conf = """SecRuleEngine On
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLog @DIR@/logs/audit.log
SecRule ARGS:w "@rx 1" "id:60,phase:1,pass,log"
SecRule ARGS:n "@rx 1" "id:61,phase:1,pass,log,noauditlog"
SecRule ARGS:a "@rx 1" "id:62,phase:1,pass,nolog,auditlog"
SecRule ARGS:d "@rx 1" "id:63,phase:1,deny,status:401,nolog,noauditlog"
"""
    with Apache(conf) as a:
        for q in ("/index.html?w=1", "/index.html?n=1", "/index.html?a=1", "/nothere",
                  "/index.html?d=1", "/index.html?x=1"):
            a.get(q)
        recs = native_records(wait_records(a, 3))
        lines = [r["text"]["B"].split("\n")[0] for r in recs]
        check(lines == ["GET /index.html?w=1 HTTP/1.1", "GET /index.html?a=1 HTTP/1.1",
                        "GET /index.html?d=1 HTTP/1.1"], "logged: %s" % lines)
        check("Message: Warning. Unconditional" not in recs[1]["text"]["H"]
              and 'id "62"' in recs[1]["text"]["H"], "nolog,auditlog message missing")


def test_engine_off_still_audits():
    with Apache("SecAuditEngine On\nSecAuditLog @DIR@/logs/audit.log\n") as a:
        a.get("/index.html?x=1")
        recs = native_records(wait_records(a, 1))
        check(len(recs) == 1 and recs[0]["order"] == "ABFHZ", "record: %s" % recs)
        check("Engine-Mode" not in recs[0]["text"]["H"], "Engine-Mode with the engine Off")


def test_json_any_bytes():
    conf = """SecRuleEngine On
SecRequestBodyAccess On
SecAuditEngine On
SecAuditLogFormat JSON
SecAuditLog @DIR@/logs/audit.log
SecRule ARGS "@rx ." "id:70,phase:2,pass,log,logdata:'%{MATCHED_VAR}'"
"""
    body = b"a=\xff\xfe\x01caf\xc3\xa9\"\\&b=\xe2\x82"
    with Apache(conf) as a:
        a.request("POST", "/index.html?q=%C3%A9", body, E.BROWSER_HEADERS + [
            ("Content-Type", "application/x-www-form-urlencoded"), ("X-Bin", "caf\xe9")])
        wait_records(a, 1, marker=re.compile(r"^\{", re.M))
        with open(a.path("logs/audit.log"), "rb") as f:
            text = f.read().decode("utf-8")     # valid UTF-8 throughout
        rec = json.loads(text.split("\n")[0])
        check(rec["request"]["body"] == ["a=\u00ff\u00fe\u0001caf\u00e9\"\\&b=\u00e2\u0082"],
              "body: %r" % rec["request"]["body"])
        check(rec["request"]["headers"]["X-Bin"] == "caf\u00e9", "header with a latin-1 byte")
        check('"X-Bin":"caf\\u00e9"' in text, "byte not written as \\u00e9")
        check(rec["audit_data"]["message_details"][0]["id"] == "70", "message_details")


# ---------------------------------------------------------------------------
# Debug log
# ---------------------------------------------------------------------------

DEBUG_LINE = re.compile(r"^\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{6} [+-]\d{4}\] "
                        r"\[localhost/sid#[0-9a-f]+\]\[rid#[0-9a-f]+\]\[/[^\]]*\]\[(\d)\] ")


def test_debug_log_levels():
    for level in (1, 4, 9):
        conf = """SecRuleEngine On
SecAuditEngine On
SecAuditLog @DIR@/logs/audit.log
SecDebugLog @DIR@/logs/debug.log
SecDebugLogLevel %d
SecRule ARGS:q "@rx abc" "id:80,phase:2,deny,log"
""" % level
        with Apache(conf) as a:
            a.get("/index.html?q=abc")
            wait_records(a, 1)
            time.sleep(0.3)
            lines = [l for l in audit_text(a, "logs/debug.log").split("\n") if l]
            check(lines, "empty debug log at level %d" % level)
            for l in lines:
                m = DEBUG_LINE.match(l)
                check(m is not None, "bad debug line: %r" % l)
                check(int(m.group(1)) <= level, "level %s line at level %d" % (m.group(1), level))
            text = "\n".join(lines)
            check("Access denied with code 403 (phase 2)" in text, "no match at level %d" % level)
            if level >= 4:
                for want in ("Starting phase REQUEST_HEADERS.", "Recipe: Invoking rule",
                             'Executing operator "rx" with param "abc" against ARGS:q.',
                             "Audit log: Logging this transaction."):
                    check(want in text, "level %d lacks %r" % (level, want))
            if level >= 9:
                for want in ('Target value: "abc"', "This phase consists of 1 rule(s).",
                             'Rule returned 1.'):
                    check(want in text, "level 9 lacks %r" % want)


# ---------------------------------------------------------------------------
# tools/palisade-auditlog
# ---------------------------------------------------------------------------

def run_tool(*args):
    p = subprocess.run([sys.executable, TOOL] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    check(p.returncode == 0, "palisade-auditlog %s: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout.decode("utf-8", "surrogateescape")


def test_tool_convert_and_filter():
    conf = CMP_BASE + CMP_RULES
    with Apache(conf, files={"htdocs/secret.html": "a secret page\n"}) as a:
        for r in CMP_REQUESTS:
            a.raw(r)
        native = wait_records(a, len(CMP_REQUESTS))
        log = a.path("logs/audit.log")
        # native -> JSON -> native is the identity
        as_json = run_tool("-f", "json", log)
        jpath = a.write("logs/converted.json", as_json)
        for line in as_json.split("\n")[:-1]:
            json.loads(line)
        back = run_tool("-f", "native", jpath)

        def same(t):
            t = re.sub(r"--[0-9a-f]{8}-([A-Z])--", r"--B-\1--", t)
            return re.sub(r"^Stopwatch2?: .*\n", "", t, flags=re.M)
        check(same(back) == same(native), "native -> JSON -> native differs")
        check(run_tool(log) == native, "native -> native differs")
        # filters
        summary = run_tool("-f", "summary", "--id", "1002", log)
        check(len(summary.split("\n")[:-1]) == 1 and " 403 " in summary, summary)
        check(len(run_tool("-f", "summary", "--status", "4xx", log).split("\n")[:-1]) == 3,
              "--status 4xx")
        check(run_tool("-f", "summary", "--status", "200", "--id", "1002", log) == "",
              "--status with --id")
        check(len(run_tool("-f", "summary", "--client", "127.0.0.0/8", log).split("\n")[:-1])
              == len(CMP_REQUESTS), "--client")
        check(run_tool("-f", "summary", "--client", "10.0.0.1", log) == "", "--client other")
        check(run_tool("-f", "summary", "--until", "2000-01-01T00:00:00+00:00", log) == "",
              "--until")
        check(len(run_tool("-f", "summary", "--since", "2000-01-01T00:00:00+00:00", jpath)
                  .split("\n")[:-1]) == len(CMP_REQUESTS), "--since on JSON")


def test_tool_concurrent_json():
    conf = CMP_BASE + CMP_RULES + ("SecAuditLogType Concurrent\nSecAuditLogFormat JSON\n"
                                   "SecAuditLogStorageDir @DIR@/tmp/store\n")
    with Apache(conf, files={"htdocs/secret.html": "a secret page\n"}) as a:
        for r in CMP_REQUESTS:
            a.raw(r)
        wait_records(a, len(CMP_REQUESTS), marker=re.compile(r" md5:", re.M))
        out = run_tool("-f", "native", "--storage-dir", a.path("tmp/store"),
                       a.path("logs/audit.log"))
        check(len(native_records(out)) == len(CMP_REQUESTS), "records via the index")
        out2 = run_tool("-f", "native", a.path("tmp/store"))
        def content(t):
            return sorted((r["order"], sorted(r["text"].items())) for r in native_records(t))
        check(content(out2) == content(out), "records via the directory differ")


# ---------------------------------------------------------------------------

TESTS = [
    ("serial log: %d requests, %d clients, 4 children" % (REQUESTS, CLIENTS),
     test_serial_concurrency),
    ("serial JSON log under load", test_serial_json_concurrency),
    ("concurrent log: a file and an index line per request", test_concurrent_concurrency),
    ("piped serial log under load", test_piped_log_concurrency),
    ("sanitise: password and Authorization masked in both formats",
     test_sanitise_native_and_json),
    ("sanitiseMatchedBytes keeps the bytes asked for", test_sanitise_matched_bytes),
    ("sanitise requests are bounded (CVE-2025-48866)", test_sanitise_bounded),
    ("ctl:auditEngine and ctl:auditLogParts (+E, -B, set)", test_ctl_parts_and_engine),
    ("RelevantOnly: auditlog, noauditlog, relevant status", test_relevant_only),
    ("SecRuleEngine Off still audit-logs", test_engine_off_still_audits),
    ("JSON is valid whatever the bytes", test_json_any_bytes),
    ("debug log format and levels", test_debug_log_levels),
    ("palisade-auditlog: convert and filter", test_tool_convert_and_filter),
    ("palisade-auditlog: Concurrent JSON", test_tool_concurrent_json),
]


def main():
    runner = Runner()
    why = E.prerequisites()
    if why:
        print("FAIL end-to-end prerequisites: %s" % why)
        runner.failed += 1
        return runner.finish()
    print("# httpd %s, module %s%s" % (E.HTTPD, "mod_security2 (reference)" if E.REFERENCE
                                      else E.MODULE, ", preload " + E.PRELOAD if E.PRELOAD else ""))
    for name, fn in TESTS:
        runner.run(name, fn)
    if not E.REFERENCE:
        if os.path.exists(REFERENCE_SO) and not E.PRELOAD:
            for name in COMPARISONS:
                runner.run("same record as mod_security2 2.9.7: " + name,
                           lambda n=name: compare_with_reference(n))
        else:
            print("skip comparison with mod_security2 (%s)" % (
                "sanitizer build" if E.PRELOAD else "not installed"))
    regression_audit.run_all(runner)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
