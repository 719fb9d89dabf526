#!/usr/bin/env python3
"""Data-driven engine tests: every tests/engine/*.t file is one transaction,
a few in a row, or one configuration check, run through tools/palisade-cli.

Case file format (sections start with a line "--NAME--"):

    # free comment lines before the first section
    --CONF--          configuration, written to DIR/main.conf
    --FILE rel/path-- an extra file written to DIR/rel/path (optional, repeatable)
    --REQUIRES--      paths that must exist, else the case is skipped (optional)
    --REQUEST--       raw request: request line, headers, empty line, body
    --RESPONSE--      raw response: status line, headers, empty line, body (optional)
    --EXPECT--        one check per line (below)

In CONF and FILE sections @DIR@ is the case directory, @CRS_SETUP@ and
@CRS_RULES@ the installed CRS; @DIR@/data exists and anyone may write to
it (for SecDataDir).  Request and response lines are sent with
CRLF line ends; a body gets a Content-Length header unless one is written
(or Transfer-Encoding is); trailing empty lines of a body are dropped.

Checks:
    status N            final status (interception status, else the response's)
    intercepted 0|1
    action NAME         deny, drop, redirect, allow, pass ...
    phase N             phase of the interception
    rule-id N           rule that intercepted
    url TEXT            redirect target
    id N / no-id N      a log line has (not) [id "N"]
    matched N / not-matched N   rule N is (not) in the matches, logged or not
    log-contains RE / no-log-contains RE    some / no log line matches RE
    log-count N         number of log lines
    tx NAME VALUE       TX:NAME == VALUE after phase 5 (VALUE may be empty)
    no-tx NAME          TX:NAME does not exist
    env NAME VALUE      set by setenv
    request-body TEXT   the body the handler reads (after STREAM_INPUT_BODY
                        rewriting); TEXT takes Python escapes (\\n, \\xHH)
    response-body TEXT  the body the client gets, when not intercepted
                        (content injection, STREAM_OUTPUT_BODY rewriting)
    config-ok           the configuration loads (palisade-cli -t)
    error-contains RE   the configuration fails with a message matching RE
    error-line N        ... reported at line N

Without a REQUEST section only the configuration is checked.

Several transactions (persistent collections): REQUEST (and RESPONSE) may
come again; each EXPECT section checks the transaction before it, and a
section
    --SLEEP--         seconds to wait before the next request
may stand between them.  Each transaction is a separate palisade-cli run
(httpd request in --reference mode) on the same case directory.  With
PALISADE_TEST_BACKEND set (e.g. redis://127.0.0.1:PORT/0?prefix={case}:),
"SecCollectionBackend VALUE" is added to every configuration, {case}
replaced by a name unique to the case.

    engine_test.py [CASE...]            run through palisade-cli
                                        (PALISADE_CLI or ./tools/palisade-cli)
    engine_test.py --reference [CASE...]
        run the same cases through the real ModSecurity 2.9 (mod_security2
        in a private httpd on 127.0.0.1), to check the expectations
        themselves; checks it cannot observe (matched, env) are not counted.

Last line: "N passed, M failed"; the exit status is non-zero on failures.
"""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES = os.path.join(HERE, "engine")
CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf"
CRS_RULES = "/usr/share/modsecurity-crs/rules"

APACHE_MODULES = "/usr/lib/apache2/modules"
REF_TX_ID = 9990000          # ids of the rules the reference mode adds


class CaseError(Exception):
    pass


# ----------------------------------------------------------------------
# Case files
# ----------------------------------------------------------------------

SECTION_RE = re.compile(r"^--(CONF|FILE|REQUIRES|REQUEST|RESPONSE|EXPECT|SLEEP)(?: (.+?))?--\s*$")


def parse_case(path):
    case = {"name": os.path.basename(path), "files": [], "requires": [],
            "conf": None, "request": None, "response": None, "expect": [],
            "steps": []}
    current = None
    lines = []
    pending_sleep = [0.0]

    def step():
        """The transaction the current section belongs to."""
        return case["steps"][-1] if case["steps"] else None

    def flush():
        if current is None:
            return
        kind, arg = current
        text = "\n".join(lines)
        if kind == "CONF":
            case["conf"] = text
        elif kind == "FILE":
            case["files"].append((arg, text))
        elif kind == "REQUIRES":
            case["requires"] += [l.strip() for l in lines if l.strip()]
        elif kind == "REQUEST":
            case["steps"].append({"request": text, "response": None, "expect": [],
                                  "sleep": pending_sleep[0]})
            pending_sleep[0] = 0.0
            if case["request"] is None:
                case["request"] = text
        elif kind == "RESPONSE":
            if step() is None:
                raise CaseError("--RESPONSE-- before --REQUEST--")
            step()["response"] = text
            if len(case["steps"]) == 1:
                case["response"] = text
        elif kind == "SLEEP":
            pending_sleep[0] = float(text.strip() or "0")
        elif kind == "EXPECT":
            for l in lines:
                l = l.strip()
                if l and not l.startswith("#"):
                    word, _, rest = l.partition(" ")
                    case["expect"].append((word, rest))
                    if step() is not None:
                        step()["expect"].append((word, rest))
        else:
            raise CaseError("unknown section --%s--" % kind)

    with open(path, encoding="latin-1") as f:
        for raw in f.read().split("\n"):
            m = SECTION_RE.match(raw)
            if m:
                flush()
                current, lines = (m.group(1), m.group(2)), []
            elif current is not None:
                lines.append(raw)
    flush()
    if case["conf"] is None:
        raise CaseError("no --CONF-- section")
    if not case["expect"]:
        raise CaseError("no --EXPECT-- checks")
    return case


def substitute(text, d):
    return (text.replace("@DIR@", d).replace("@CRS_SETUP@", CRS_SETUP)
            .replace("@CRS_RULES@", CRS_RULES))


def http_message(text, add_length=True):
    """Section text -> raw bytes with CRLF line ends and a Content-Length."""
    head, sep, body = text.partition("\n\n")
    head_lines = [l for l in head.split("\n")]
    while head_lines and head_lines[0] == "":
        head_lines.pop(0)
    body = body.rstrip("\n")
    names = [l.split(":", 1)[0].strip().lower() for l in head_lines[1:] if ":" in l]
    if body and add_length and "content-length" not in names \
            and "transfer-encoding" not in names:
        head_lines.append("Content-Length: %d" % len(body.encode("latin-1")))
    raw = "\r\n".join(head_lines) + "\r\n\r\n"
    if "transfer-encoding" in names and body:
        # chunk lines end in CRLF and the last chunk in an empty line
        body = body.replace("\n", "\r\n") + "\r\n\r\n"
    return (raw + body).encode("latin-1")


def step_file(kind, i):
    """File of transaction i: req, resp for the first, req2, resp2 ..."""
    return kind if i == 0 else "%s%d" % (kind, i + 1)


def write_case_files(case, d):
    data = os.path.join(d, "data")
    os.makedirs(data, exist_ok=True)
    os.chmod(data, 0o1777)
    for rel, text in case["files"]:
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="latin-1") as f:
            f.write(substitute(text, d) + "\n")
    conf = substitute(case["conf"], d) + "\n"
    with open(os.path.join(d, "main.conf"), "w", encoding="latin-1") as f:
        f.write(conf)
    for i, st in enumerate(case["steps"]):
        with open(os.path.join(d, step_file("req", i)), "wb") as f:
            f.write(http_message(st["request"]))
        if st["response"] is not None:
            with open(os.path.join(d, step_file("resp", i)), "wb") as f:
                f.write(http_message(st["response"]))


# ----------------------------------------------------------------------
# Checking an outcome
# ----------------------------------------------------------------------

def check(case, out):
    """out: dict with config_error, intercepted, action, status, phase,
    rule_id, url, log (list), matches (list of ids or None), tx (dict or
    None), env (dict or None).  Returns (failures, unchecked)."""
    fails, unchecked = [], 0
    log = out.get("log") or []

    def fail(msg):
        fails.append(msg)

    def ids_logged():
        found = set()
        for l in log:
            found.update(re.findall(r'\[id "(\d+)"\]', l))
        return found

    for word, arg in case["expect"]:
        if word in ("config-ok", "error-contains", "error-line"):
            err = out.get("config_error")
            if word == "config-ok":
                if err:
                    fail("configuration error: %s" % err)
            elif err is None:
                fail("expected a configuration error, none reported")
            elif word == "error-contains" and not re.search(arg, err):
                fail("error %r does not match /%s/" % (err, arg))
            elif word == "error-line" and not re.search(r":%s: " % re.escape(arg), err):
                fail("error %r is not at line %s" % (err, arg))
            continue
        if out.get("config_error"):
            fail("configuration error: %s" % out["config_error"])
            break
        if word == "status":
            if str(out.get("status")) != arg:
                fail("status %s, want %s" % (out.get("status"), arg))
        elif word == "intercepted":
            if int(bool(out.get("intercepted"))) != int(arg):
                fail("intercepted %s, want %s" % (out.get("intercepted"), arg))
        elif word == "action":
            if out.get("action") != arg:
                fail("action %s, want %s" % (out.get("action"), arg))
        elif word == "phase":
            if str(out.get("phase")) != arg:
                fail("phase %s, want %s" % (out.get("phase"), arg))
        elif word == "rule-id":
            if str(out.get("rule_id")) != arg:
                fail("rule_id %s, want %s" % (out.get("rule_id"), arg))
        elif word == "url":
            if out.get("url") != arg:
                fail("url %r, want %r" % (out.get("url"), arg))
        elif word == "id":
            if arg not in ids_logged():
                fail("no log line for id %s" % arg)
        elif word == "no-id":
            if arg in ids_logged():
                fail("unexpected log line for id %s" % arg)
        elif word in ("matched", "not-matched"):
            if out.get("matches") is None:
                unchecked += 1
            elif (arg in out["matches"]) != (word == "matched"):
                fail("rule %s %s in matches %s" % (
                    arg, "not" if word == "matched" else "unexpectedly", out["matches"]))
        elif word == "log-contains":
            if not any(re.search(arg, l) for l in log):
                fail("no log line matches /%s/" % arg)
        elif word == "no-log-contains":
            bad = [l for l in log if re.search(arg, l)]
            if bad:
                fail("log line matches /%s/: %s" % (arg, bad[0]))
        elif word == "log-count":
            if len(log) != int(arg):
                fail("%d log lines, want %s" % (len(log), arg))
        elif word in ("tx", "no-tx"):
            name, _, value = arg.partition(" ")
            tx = out.get("tx")
            if tx is None:
                unchecked += 1
                continue
            got = {k.lower(): v for k, v in tx.items()}.get(name.lower())
            if word == "no-tx":
                if got is not None:
                    fail("TX:%s exists (%r)" % (name, got))
            elif got != value:
                fail("TX:%s is %r, want %r" % (name, got, value))
        elif word == "env":
            name, _, value = arg.partition(" ")
            env = out.get("env")
            if env is None:
                unchecked += 1
            elif env.get(name) != value:
                fail("env %s is %r, want %r" % (name, env.get(name), value))
        elif word in ("request-body", "response-body"):
            key = word.replace("-", "_")
            want = arg.encode("latin-1").decode("unicode_escape")
            if key not in out:
                unchecked += 1
            elif out[key] != want:
                fail("%s is %r, want %r" % (word, out[key], want))
        else:
            fail("unknown check %r" % word)
    return fails, unchecked


# ----------------------------------------------------------------------
# Running through palisade-cli
# ----------------------------------------------------------------------

def cli_path():
    p = os.environ.get("PALISADE_CLI")
    if p:
        return p
    for cand in (os.path.join(os.getcwd(), "tools", "palisade-cli"),
                 os.path.join(ROOT, "tools", "palisade-cli")):
        if os.path.exists(cand):
            return cand
    return os.path.join(ROOT, "tools", "palisade-cli")


def add_test_backend(case, d):
    """PALISADE_TEST_BACKEND: the cases run with that collection store."""
    backend = os.environ.get("PALISADE_TEST_BACKEND")
    if not backend:
        return
    token = "%s-%d-%d" % (re.sub(r"[^A-Za-z0-9]", "_", case["name"]), os.getpid(),
                          random.randint(0, 1 << 30))
    with open(os.path.join(d, "main.conf"), "a", encoding="latin-1") as f:
        f.write("SecCollectionBackend %s\n" % backend.replace("{case}", token))


def run_cli(case, d):
    """One outcome per transaction (a list), or the configuration check."""
    cli = cli_path()
    conf = os.path.join(d, "main.conf")
    env = dict(os.environ, PALISADE_UNIQUE_ID="PLtestUniqueId0000000000001")
    add_test_backend(case, d)
    if case["request"] is None:
        p = subprocess.run([cli, "-t", "-c", conf], cwd=d, env=env,
                           capture_output=True, timeout=120)
        err = p.stderr.decode("latin-1").strip()
        if p.returncode == 0:
            return {"config_error": None}
        return {"config_error": err or "exit status %d" % p.returncode}
    outs = []
    for i, st in enumerate(case["steps"]):
        if st["sleep"]:
            time.sleep(st["sleep"])
        outs.append(run_cli_one(cli, conf, d, env, i, st))
    return outs


def run_cli_one(cli, conf, d, env, i, st):
    args = [cli, "-c", conf, os.path.join(d, step_file("req", i))]
    if st["response"] is not None:
        args.append(os.path.join(d, step_file("resp", i)))
    p = subprocess.run(args, cwd=d, env=env, capture_output=True, timeout=120)
    if p.returncode != 0:
        err = p.stderr.decode("latin-1").strip()
        return {"config_error": err or "exit status %d" % p.returncode}
    try:
        res = json.loads(p.stdout.decode("latin-1"))
    except ValueError as e:
        raise CaseError("bad JSON from palisade-cli (%s): %r" % (e, p.stdout[:300]))
    res["config_error"] = None
    res["matches"] = [str(m.get("id")) for m in res.get("matches", [])]
    return res


# ----------------------------------------------------------------------
# Running through the real ModSecurity (--reference)
# ----------------------------------------------------------------------

REF_HTTPD = """ServerRoot {d}
Listen 127.0.0.1:{port}
PidFile {d}/httpd.pid
ErrorLog {d}/error.log
LogLevel warn
User nobody
Group nogroup
LoadModule mpm_prefork_module {mods}/mod_mpm_prefork.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule unique_id_module {mods}/mod_unique_id.so
LoadModule security2_module {mods}/mod_security2.so
LoadModule cgi_module {mods}/mod_cgi.so
LoadModule alias_module {mods}/mod_alias.so
ServerName localhost
DocumentRoot {d}
StartServers 1
ScriptAliasMatch "^/" "{d}/resp.cgi"
Include {d}/main.conf
"""


def cgi_output(case):
    if case["response"] is None:
        return b"Status: 200 OK\r\nContent-Type: text/html\r\n\r\n", 200
    raw = http_message(case["response"], add_length=False)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = lines[0].split(b" ", 1)[1]
    out = b"Status: " + status + b"\r\n" + b"\r\n".join(lines[1:]) + b"\r\n\r\n" + body
    return out, int(status.split()[0])


def free_port():
    for _ in range(50):
        port = random.randint(20000, 40000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise CaseError("no free port")


def apache_error(text):
    """Innermost "Syntax error on line N of FILE: msg" as "FILE:N: msg"."""
    text = text.replace("\n", " ")
    found = re.findall(r"Syntax error on line (\d+) of ([^:]+):\s*", text)
    if not found:
        return text.strip()
    line, path = found[-1]
    msg = re.split(r"Syntax error on line \d+ of [^:]+:\s*", text)[-1]
    msg = re.sub(r"\s*Action '.*$", "", msg).strip()
    m = re.match(r"^\S+:\d+: (.*)$", msg)         # "<Location> was not closed."
    if m:
        msg = m.group(1)
    return "%s:%s: %s" % (path, line, msg)


def send(port, data, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
    finally:
        s.close()
    return b"".join(chunks)


def run_reference(case, d):
    """Like run_cli: one outcome per transaction, all sent to one httpd."""
    os.chmod(d, 0o755)
    tx_checks = []
    for w, a in case["expect"]:
        if w in ("tx", "no-tx") and (w, a.partition(" ")[0]) not in \
                [(x, y.partition(" ")[0]) for x, y in tx_checks]:
            tx_checks.append((w, a))
    with open(os.path.join(d, "main.conf"), "a", encoding="latin-1") as f:
        for i, (w, a) in enumerate(tx_checks):
            name = a.partition(" ")[0]
            if w == "tx":
                f.write("SecAction \"id:%d,phase:5,pass,log,msg:'PLTX %s=%%{tx.%s}'\"\n"
                        % (REF_TX_ID + i, name, name))
            else:
                f.write("SecRule &TX:%s \"@eq 0\" \"id:%d,phase:5,pass,log,msg:'PLTXNONE %s'\"\n"
                        % (name, REF_TX_ID + i, name))
    for root, dirs, files in os.walk(d):
        for n in dirs:
            os.chmod(os.path.join(root, n), 0o755)
        for n in files:
            os.chmod(os.path.join(root, n), 0o644)
    os.chmod(os.path.join(d, "data"), 0o1777)
    with open(os.path.join(d, "resp.cgi"), "w") as f:
        # the request body as the handler reads it (request-body checks)
        f.write("#!/bin/sh\ncat >'%s/data/req.got'\ncat '%s/resp.out'\n" % (d, d))
    os.chmod(os.path.join(d, "resp.cgi"), 0o755)
    port = free_port()
    conf = os.path.join(d, "httpd.conf")
    with open(conf, "w") as f:
        f.write(REF_HTTPD.format(d=d, port=port, mods=APACHE_MODULES))

    p = subprocess.run(["apache2", "-t", "-f", conf], capture_output=True)
    if p.returncode != 0:
        return {"config_error": apache_error(p.stderr.decode("latin-1"))}
    if case["request"] is None:
        return {"config_error": None}

    outs = []
    subprocess.run(["apache2", "-f", conf, "-k", "start"], check=True, capture_output=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        log_pos = 0
        for i, st in enumerate(case["steps"]):
            if st["sleep"]:
                time.sleep(st["sleep"])
            body, base_status = cgi_output(st)
            with open(os.path.join(d, "resp.out"), "wb") as f:
                f.write(body)
            os.chmod(os.path.join(d, "resp.out"), 0o644)
            got = os.path.join(d, "data", "req.got")
            if os.path.exists(got):
                os.unlink(got)
            with open(os.path.join(d, step_file("req", i)), "rb") as f:
                raw = send(port, f.read())
            time.sleep(0.3)
            req_body = None
            if os.path.exists(got):
                with open(got, "rb") as f:
                    req_body = f.read().decode("latin-1")
            with open(os.path.join(d, "error.log"), encoding="latin-1") as f:
                f.seek(log_pos)
                lines = f.read()
                log_pos = f.tell()
            outs.append(reference_outcome(raw, base_status, lines.splitlines(), tx_checks))
            outs[-1]["request_body"] = req_body
            if outs[-1]["intercepted"]:
                outs[-1]["response_body"] = None
    finally:
        pid_file = os.path.join(d, "httpd.pid")
        try:
            pid = int(open(pid_file).read().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not os.path.exists(pid_file):
                    break
                time.sleep(0.05)
        except (OSError, ValueError):
            pass
    return outs


def response_body(raw):
    """The body of a raw HTTP/1.1 response, de-chunked (latin-1 text)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        out, pos = b"", 0
        while pos < len(body):
            eol = body.find(b"\r\n", pos)
            size = int(body[pos:eol].split(b";")[0] or b"0", 16) if eol >= 0 else 0
            if size == 0:
                break
            out += body[eol + 2:eol + 2 + size]
            pos = eol + 2 + size + 2
        body = out
    return body.decode("latin-1")


def reference_outcome(raw, base_status, error_lines, tx_checks):
    """The outcome of one request from its response and error-log lines."""
    status = None
    m = re.match(rb"HTTP/\d\.\d (\d+)", raw)
    if m:
        status = int(m.group(1))
    log, tx, tx_none = [], {}, set()
    for l in error_lines:
        if "ModSecurity: " not in l or "[client " not in l:
            continue
        msg = l[l.index("ModSecurity: "):]
        tm = re.search(r'\[msg "PLTX ([^=]+)=(.*?)"\]', msg)
        if tm:
            tx[tm.group(1)] = tm.group(2)
            continue
        tm = re.search(r'\[msg "PLTXNONE (.*?)"\]', msg)
        if tm:
            tx_none.add(tm.group(1))
            continue
        log.append(msg)
    # A tx check whose rule did not log: the variable is absent (no-tx) or
    # the engine did not run phase 5 (then leave it unchecked).
    tx_out = None
    if tx_checks:
        tx_out = dict(tx)
        for w, a in tx_checks:
            name = a.partition(" ")[0]
            if w == "no-tx" and name in tx_none:
                tx_out.pop(name, None)
            elif w == "no-tx":
                tx_out.setdefault(name, "(present)")
    out = {"config_error": None, "status": status, "log": log, "matches": None,
           "tx": tx_out, "env": None, "intercepted": False, "action": "pass",
           "phase": None, "rule_id": None, "url": None,
           "response_body": response_body(raw)}
    for l in log:
        m = re.search(r"Access denied with (code (\d+)|redirection to (\S+) using status (\d+)"
                      r"|connection close)(?: \(phase (\d)\))?", l)
        if m:
            out["intercepted"] = True
            out["action"] = ("deny" if m.group(2) else
                             "redirect" if m.group(3) else "drop")
            out["phase"] = int(m.group(5)) if m.group(5) else None
            out["url"] = m.group(3)
            idm = re.search(r'\[id "(\d+)"\]', l)
            out["rule_id"] = int(idm.group(1)) if idm else None
            break
        if re.search(r"Access allowed", l):
            out["action"] = "allow"
    if status is None and not out["intercepted"]:
        out.update(intercepted=True, action="drop")
    elif status != base_status and not out["intercepted"]:
        out.update(intercepted=True, action="deny")
    if out["intercepted"] and out["action"] == "deny":
        out["status"] = status
    return out


# ----------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------

def main(argv):
    reference = "--reference" in argv
    names = [a for a in argv if not a.startswith("--")]
    files = sorted(f for f in os.listdir(CASES) if f.endswith(".t"))
    if names:
        files = [f for f in files if any(n in f for n in names)]
    passed = failed = skipped = unchecked_total = 0
    if not reference and not os.path.exists(cli_path()):
        print("palisade-cli not found at %s (set PALISADE_CLI)" % cli_path())
    for name in files:
        path = os.path.join(CASES, name)
        d = tempfile.mkdtemp(prefix="pl-engine-")
        out = None
        try:
            case = parse_case(path)
            missing = [p for p in case["requires"] if not os.path.exists(p)]
            if missing:
                print("skip %s: %s is absent" % (name, ", ".join(missing)))
                skipped += 1
                continue
            write_case_files(case, d)
            out = run_reference(case, d) if reference else run_cli(case, d)
            if isinstance(out, list):
                fails, unchecked = [], 0
                for i, (st, o) in enumerate(zip(case["steps"], out)):
                    f, u = check(st, o)
                    prefix = "transaction %d: " % (i + 1) if len(out) > 1 else ""
                    fails += [prefix + x for x in f]
                    unchecked += u
            else:
                fails, unchecked = check(case, out)
            unchecked_total += unchecked
        except (CaseError, OSError, subprocess.SubprocessError) as e:
            fails = ["%s" % e]
        finally:
            shutil.rmtree(d, ignore_errors=True)
        if fails:
            failed += 1
            print("FAIL %s" % name)
            for f in fails:
                print("    " + f)
            if os.environ.get("PL_TEST_VERBOSE") and out is not None:
                print("    outcome: %s" % json.dumps(out)[:2000])
        else:
            passed += 1
            print("ok   %s" % name)
    if skipped:
        print("%d skipped" % skipped)
    if unchecked_total:
        print("%d checks not observable in this mode" % unchecked_total)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
