#!/usr/bin/env python3
"""ModSecurity 2.9 regression cases that read the audit log, run end to end.

Runs, each in its own private Apache (tests/e2e_apache.py), every case of
modsec-vectors regression/config/10-audit-directives.json and
regression/action/10-logging.json, and every other case with an expectation
on the audit log.  The case's conf is written to CONF_DIR with the
placeholders substituted (see modsec-vectors/README.md), its request is sent
as is, and match_response / match_log are checked (Perl regular
expressions, which these cases write in a form Python's re accepts).

Standalone: python3 tests/regression_audit.py [SUBSTRING]   ("file#index")
tests/e2e_audit.py runs the same cases as part of its own totals.
PALISADE_E2E_REFERENCE=1 runs them against mod_security2 instead.
"""

import glob
import gzip
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_apache as E  # noqa: E402

ROOT = E.ROOT
USER_AGENT = "ModSecurity Regression Tests/1.2.3"
WHOLE_FILES = ("config/10-audit-directives.json", "action/10-logging.json")
# Cases known to fail, with the reason: against mod_security2 itself
# (PALISADE_E2E_REFERENCE=1) ...
KNOWN_REFERENCE = {
    "rule/10-xml#4": "mod_security2 2.9.7 answers 500 here with this libxml2",
}
# ... and against Palisade (none at present).
KNOWN_PALISADE = {}
WORKERS = 4          # cases run in parallel, each in its own httpd


def shared_dir():
    d = os.environ.get("PALISADE_SHARED") or os.path.join(ROOT, "..", "shared")
    d = os.path.join(d, "modsec-vectors")
    return d if os.path.isdir(d) else None


def reads_audit(case):
    if any(m.get("log") == "audit" for m in case.get("match_log") or []):
        return True
    return "@@AUDIT_LOG@@" in (case.get("conf") or "")


def select_cases(vectors):
    """(label, case, regression dir) for every audit-reading case."""
    out = []
    regdir = os.path.join(vectors, "regression")
    for path in sorted(glob.glob(os.path.join(regdir, "*", "*.json"))):
        rel = os.path.relpath(path, regdir)
        if rel.endswith("summary.json"):
            continue
        with open(path) as f:
            data = json.load(f)
        for case in data.get("cases", []):
            if rel in WHOLE_FILES or any(m.get("log") == "audit"
                                         for m in case.get("match_log") or []):
                out.append(("%s#%d" % (rel[:-5], case["index"]), case, regdir))
    return out


def latin1(s):
    return s.encode("latin-1") if isinstance(s, str) else s


class CaseServer(E.Apache):
    """A private Apache laid out as the upstream test server root."""

    def __init__(self, vectors):
        self.vectors = vectors
        super().__init__("")
        fx = os.path.join(vectors, "fixtures", "server_root")
        for sub in ("conf", "htdocs"):
            for p in glob.glob(os.path.join(fx, sub, "*")):
                shutil.copy(p, self.path(sub))
        for sub in ("logs/audit", "logs/subdir", "data", "upload"):
            os.makedirs(self.path(sub), exist_ok=True)
        shutil.copy(os.path.join(fx, "data", "ip.dir"), self.path("data"))
        # the children (www-data when we are root) write logs and data
        for sub in ("logs", "logs/audit", "logs/subdir", "data", "upload", "tmp"):
            os.chmod(self.path(sub), 0o1777)
        for p in glob.glob(self.path("htdocs/*")) + glob.glob(self.path("conf/*")):
            os.chmod(p, 0o644)

    def tokens(self):
        d = self.dir
        return {
            "@@SERVER_PORT@@": str(self.port),
            "@@DEBUG_LOG@@": d + "/logs/modsec_debug.log",
            "@@AUDIT_LOG@@": d + "/logs/modsec_audit.log",
            "@@ERROR_LOG@@": d + "/logs/error.log",
            "@@LOGS_DIR@@": d + "/logs",
            "@@CONF_DIR@@": d + "/conf",
            "@@DATA_DIR@@": d + "/data",
            "@@TEMP_DIR@@": d + "/tmp",
            "@@UPLOAD_DIR@@": d + "/upload",
            "@@TEST_SERVER_ROOT@@": d,
            "@@HTDOCS@@": d + "/htdocs",
            "@@DIST_ROOT@@": ROOT,
        }

    def subst_tokens(self, text):
        for k, v in self.tokens().items():
            text = text.replace(k, v)
        return text

    def configure(self, label, conf):
        name = "case_%s.conf" % re.sub(r"[^A-Za-z0-9]+", "_", label)
        self.write("conf/" + name, self.subst_tokens(conf or ""))
        base = self.base_config().replace("LogLevel notice", "LogLevel debug")
        # the upstream base configuration has no SecTmpDir / SecDataDir
        base = "\n".join(l for l in base.split("\n")
                         if not l.startswith(("SecTmpDir", "SecDataDir")))
        self.conf = self.write("conf/httpd.conf", base + "\nInclude %s/conf/%s\n"
                               % (self.dir, name))

    def log_text(self, which):
        name = {"error": "logs/error.log", "debug": "logs/modsec_debug.log",
                "audit": "logs/modsec_audit.log"}.get(which, which)
        try:
            with open(self.path(name), "rb") as f:
                return f.read().decode("latin-1")
        except FileNotFoundError:
            return ""


def request_bytes(case, regdir, server):
    req = case.get("request")
    if not req:
        return None
    if req.get("raw_file"):
        with gzip.open(os.path.join(regdir, req["raw_file"])) as f:
            raw = f.read()
    else:
        raw = latin1(req["raw"])
    return latin1(server.subst_tokens(raw.decode("latin-1")))


def perl_flags(flags):
    f = 0
    for c in flags or "":
        f |= {"s": re.S, "m": re.M, "i": re.I, "x": re.X}.get(c, 0)
    return f


def check_response(case, status, raw, body):
    problems = []
    for m in case.get("match_response") or []:
        field = m["field"]
        if field == "status":
            text = str(status)
        elif field == "content":
            text = body.decode("latin-1")
        elif field == "raw":
            text = raw.decode("latin-1")
        else:
            continue
        flags = perl_flags(m.get("flags")) | (re.M if field in ("content", "raw") else 0)
        found = re.search(m["pattern"], text, flags) is not None
        if found == bool(m.get("negate")):
            problems.append("response %s %s /%s/ (got %r)" % (
                field, "matches" if found else "does not match", m["pattern"], text[:200]))
    return problems


def log_found(server, m):
    flags = perl_flags(m.get("flags")) | (0 if m.get("qr") else re.M)
    return re.search(m["pattern"], server.log_text(m["log"]), flags) is not None


def check_logs(case, server):
    """Waits for the positive expectations (up to their timeout, at least a
    second, as the audit record follows the response) and a second for the
    negative ones, then judges them all."""
    checks = case.get("match_log") or []
    start = time.time()
    deadline = start + max([c.get("timeout") or 0 for c in checks] + [1])
    while time.time() < deadline:
        positives_ok = all(log_found(server, m) for m in checks if not m.get("negate"))
        if positives_ok and time.time() >= start + 1.0:
            break
        time.sleep(0.1)
    problems = []
    for m in checks:
        found = log_found(server, m)
        if found == bool(m.get("negate")):
            text = server.log_text(m["log"])
            problems.append("%s log %s /%s/%s\n--- %s log (tail) ---\n%s" % (
                m["log"], "has" if found else "lacks", m["pattern"], m.get("flags") or "",
                m["log"], text[-1500:]))
    return problems


def run_case(vectors, label, case, regdir):
    """Runs one case; raises AssertionError with the differences."""
    server = CaseServer(vectors)
    failing = True
    try:
        server.configure(label, case.get("conf"))
        server.start()
        data = request_bytes(case, regdir, server)
        status, raw, body = 0, b"", b""
        if data is not None:
            raw = server.raw(data)
            status, _, body = E.parse_response(raw)
        problems = check_response(case, status, raw, body) + check_logs(case, server)
        if problems:
            raise AssertionError("%s (%s):\n  %s" % (label, case.get("comment"),
                                                     "\n  ".join(problems)))
        failing = False
    finally:
        server.cleanup(failing=failing)
    return None


def run_all(runner, only=None, prefix="regression"):
    """Adds every selected case to runner (cases run WORKERS at a time)."""
    import concurrent.futures
    vectors = shared_dir()
    if vectors is None:
        print("skipped: no modsec-vectors (../shared)")
        return
    env_only = os.environ.get("PALISADE_E2E_ONLY")
    cases = [(l, c, d) for l, c, d in select_cases(vectors)
             if (not only or only in l)
             and (not env_only or env_only in "%s %s %s" % (prefix, l, c.get("comment")))]
    known = KNOWN_REFERENCE if E.REFERENCE else KNOWN_PALISADE
    for l, c, _ in cases:
        if l in known and not env_only:
            print("skip %s %s: %s" % (prefix, l, known[l]))
    cases = [x for x in cases if x[0] not in known]
    outcome = {}

    def one(item):
        label, case, regdir = item
        try:
            run_case(vectors, label, case, regdir)
            return label, None
        except Exception as e:  # reported through the runner below
            return label, e

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for label, err in pool.map(one, cases):
            outcome[label] = err

    def report(label):
        if outcome[label] is not None:
            raise outcome[label]

    for label, case, _ in cases:
        runner.run("%s %s %s" % (prefix, label, case.get("comment")),
                   lambda l=label: report(l))


def main():
    why = E.prerequisites()
    if why:
        print("skipped: " + why)
        return 0
    if shared_dir() is None:
        print("skipped: no modsec-vectors (../shared)")
        return 0
    runner = E.Runner()
    run_all(runner, sys.argv[1] if len(sys.argv) > 1 else None)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
