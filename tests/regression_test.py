#!/usr/bin/env python3
"""ModSecurity 2.9's own end-to-end regression cases, run in private Apaches.

Every case of modsec-vectors/regression (see its README.md) is a conf
snippet, a request, and expectations on the response and on the error,
debug and audit logs.  For each case this script lays out a server root as
the upstream runner did (conf/ with the fixtures and the case's conf,
htdocs/, logs/{audit,subdir}, data/ip.dir, tmp/, upload/), writes an
httpd.conf adapted from fixtures/server_root/conf/httpd.conf.in (our module
instead of mod_security2, plus the modules a Debian httpd needs), starts
`apache2 -f CONF -d DIR` on a free 127.0.0.1 port, sends the request,
polls the logs until the positive expectations appear or their timeout
passes, stops the server gracefully (so that phase 5, the audit log and the
debug log are complete) and checks match_response, match_log (a negative
one must not be there once the server stopped) and match_file.

Requests are sent as the bytes given: "raw" ones as is, then half-closed
(as upstream's raw socket); "lwp" ones from their reconstruction, with
LWP's "TE: deflate,gzip;q=0.3" and "Connection: TE, close" (which the
FULL_REQUEST cases show upstream sent), and what LWP's user agent does on
top: redirects of GET/HEAD are followed (up to 7), a connection closed
without a response reads as status 500, chunked responses are decoded, and
the "raw" response field is HTTP::Response's as_string (lines ending in
"\\n").  Ports have four digits, as upstream's 8088.

Cases that cannot run are listed, with the reason, in
tests/regression-skips.txt (subsystems not built yet, the network, cases
that 2.9.7 itself does not pass); ADAPT below adapts the expectations of a
case to 2.9.7 where only a detail (a file name) changed.

Usage: python3 tests/regression_test.py [--reference] [-j N] [--keep]
                         [--keep-failed] [--no-skips] [-v] [FILTER ...]
  FILTER      a label ("dir/file#index") runs that case, other text every
              case whose label contains it
  --reference load ModSecurity 2.9.7 (mod_security2) instead of our module
  --no-skips  run the cases listed in tests/regression-skips.txt too
  -v          print the log tails of failing cases
Environment: PALISADE_MODULE, PALISADE_HTTPD, PALISADE_HTTPD_PRELOAD,
PALISADE_SHARED (see tests/run.sh), PALISADE_REGRESSION_JOBS.
"""

import argparse
import concurrent.futures
import glob
import gzip
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
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTTPD = os.environ.get("PALISADE_HTTPD", "/usr/sbin/apache2")
MODULE = os.environ.get("PALISADE_MODULE",
                        os.path.join(ROOT, "apache2", ".libs", "mod_palisade.so"))
PRELOAD = os.environ.get("PALISADE_HTTPD_PRELOAD", "")
MODDIR = os.environ.get("PALISADE_APACHE_MODDIR", "/usr/lib/apache2/modules")
SKIPS_FILE = os.path.join(ROOT, "tests", "regression-skips.txt")

# seconds; a sanitizer build is slower to start and to answer
START_TIMEOUT = 60 if PRELOAD else 20
IO_TIMEOUT = 60 if PRELOAD else 20
STOP_TIMEOUT = 30
MAX_REDIRECTS = 7                 # LWP::UserAgent's default

# Modules of the upstream base configuration, and what a modular Debian
# httpd needs besides (mpm, mime types, directory index, access log).
MODULES = ["mpm_event", "unique_id", "proxy", "proxy_http", "access_compat",
           "authn_core", "authz_core", "mime", "dir", "alias", "log_config",
           "version", "unixd"]


# --- the cases -------------------------------------------------------------------

def vectors_dir():
    d = os.environ.get("PALISADE_SHARED") or os.path.join(ROOT, "..", "shared")
    d = os.path.join(d, "modsec-vectors")
    return d if os.path.isdir(os.path.join(d, "regression")) else None


def load_cases(vectors):
    """[(label, case)] in file order; label is "dir/file#index"."""
    regdir = os.path.join(vectors, "regression")
    out = []
    for path in sorted(glob.glob(os.path.join(regdir, "*", "*.json"))):
        rel = os.path.relpath(path, regdir)[:-len(".json")]
        with open(path) as f:
            data = json.load(f)
        for case in data.get("cases", []):
            out.append(("%s#%d" % (rel, case["index"]), case))
    return out


def load_skips(path=SKIPS_FILE):
    """{label: (applies, subsystem, reason)}; applies is "ours" (skipped only
    with our module), "reference" (only with --reference) or "both"."""
    skips = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|", 3)]
            if len(parts) != 4 or parts[1] not in ("ours", "reference", "both"):
                raise SystemExit("%s: bad line %r" % (path, line))
            skips[parts[0]] = (parts[1], parts[2], parts[3])
    return skips


def latin1(s):
    return s.encode("latin-1") if isinstance(s, str) else s


# --- one server root -------------------------------------------------------------

_ports_lock = threading.Lock()
_ports_used = set()


def free_port():
    """A free 127.0.0.1 port with four digits, as upstream's 8088: the
    FULL_REQUEST_LENGTH cases count the Host header's bytes."""
    with _ports_lock:
        for _ in range(200):
            port = random.randint(8100, 9999)
            if port in _ports_used:
                continue
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            finally:
                s.close()
            _ports_used.add(port)
            return port
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class PortTaken(RuntimeError):
    pass


class Server:
    """A server root laid out as upstream's, and its httpd."""

    def __init__(self, vectors, label, reference):
        self.vectors = vectors
        self.reference = reference
        self.dir = tempfile.mkdtemp(prefix="palisade-regr-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.proc = None
        fx = os.path.join(vectors, "fixtures", "server_root")
        for sub in ("conf", "htdocs", "logs", "logs/audit", "logs/subdir", "data",
                    "tmp", "upload", "run", "san"):
            os.makedirs(self.path(sub), exist_ok=True)
        for sub in ("conf", "htdocs", "data"):
            for p in glob.glob(os.path.join(fx, sub, "*")):
                shutil.copy(p, self.path(sub))
                os.chmod(self.path(sub + "/" + os.path.basename(p)), 0o644)
        # the children run as www-data and write logs, data and files
        for sub in ("logs", "logs/audit", "logs/subdir", "data", "tmp", "upload", "san"):
            os.chmod(self.path(sub), 0o1777)
        for p in glob.glob(self.path("data/*")):
            os.chmod(p, 0o666)
        self.label = label
        self.conf = None

    def path(self, name):
        return os.path.join(self.dir, name)

    def tokens(self):
        d = self.dir
        return [("@@SERVER_PORT@@", str(self.port)),
                ("@@DEBUG_LOG@@", d + "/logs/modsec_debug.log"),
                ("@@AUDIT_LOG@@", d + "/logs/modsec_audit.log"),
                ("@@ERROR_LOG@@", d + "/logs/error.log"),
                ("@@LOGS_DIR@@", d + "/logs"),
                ("@@CONF_DIR@@", d + "/conf"),
                ("@@DATA_DIR@@", d + "/data"),
                ("@@TEMP_DIR@@", d + "/tmp"),
                ("@@UPLOAD_DIR@@", d + "/upload"),
                ("@@TEST_SERVER_ROOT@@", d),
                ("@@HTDOCS@@", d + "/htdocs"),
                ("@@DIST_ROOT@@", ROOT)]

    def subst(self, text):
        for k, v in self.tokens():
            text = text.replace(k, v)
        return text

    def base_config(self):
        """fixtures/server_root/conf/httpd.conf.in, adapted."""
        d = self.dir
        lines = ["ServerRoot %s" % d]
        for m in MODULES:
            lines.append("<IfModule !%s_module>\n    LoadModule %s_module %s/mod_%s.so\n"
                         "</IfModule>" % (m, m, MODDIR, m))
        if self.reference:
            lines.append("LoadModule security2_module %s/mod_security2.so" % MODDIR)
        else:
            lines.append("LoadModule palisade_module %s" % MODULE)
        if os.geteuid() == 0:
            lines += ["User www-data", "Group www-data"]
        lines += [
            "ServerName localhost",
            "Listen 127.0.0.1:%d" % self.port,
            "CoreDumpDirectory %s/tmp" % d,
            "LogLevel debug",
            "ErrorLog %s/logs/error.log" % d,
            "PidFile %s/logs/httpd.pid" % d,
            "ScoreBoardFile %s/logs/httpd.scoreboard" % d,
            "DefaultRuntimeDir %s/run" % d,
            "Mutex file:%s/run default" % d,
            "StartServers 1",
            "ServerLimit 1",
            "ThreadsPerChild 8",
            "MinSpareThreads 1",
            "MaxSpareThreads 8",
            "MaxRequestWorkers 8",
            "GracefulShutdownTimeout 10",
            "TypesConfig /etc/mime.types",
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common',
            "CustomLog %s/logs/access.log common" % d,
            "DocumentRoot %s/htdocs" % d,
            '<Directory "%s/htdocs">' % d,
            "    Options +Indexes +FollowSymLinks",
            "    Require all granted",
            "</Directory>",
        ]
        return "\n".join(lines) + "\n"

    def configure(self, case):
        """Writes the case's conf as upstream did (CONF_DIR/<type>_<file>_<NNNNNN>.conf)
        and httpd.conf including it."""
        fname = os.path.basename(case.get("source_file", "case.t"))[:-2]
        name = "%s_%s_%06d.conf" % (case.get("type", "case"), fname, case["index"])
        casefile = self.path("conf/" + name)
        with open(casefile, "wb") as f:
            f.write(latin1(self.subst(case.get("conf") or "")))
        os.chmod(casefile, 0o644)
        self.conf = self.path("conf/httpd.conf")
        with open(self.conf, "w") as f:
            f.write(self.base_config() + "Include %s\n" % casefile)

    def env(self):
        env = dict(os.environ)
        # the default temporary directory (no SecTmpDir) is in the root too
        env["TMPDIR"] = self.path("tmp")
        if PRELOAD:
            env["LD_PRELOAD"] = PRELOAD
            env["ASAN_OPTIONS"] = "detect_leaks=0:log_path=%s/san/asan" % self.dir
            env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:log_path=%s/san/ubsan" % self.dir
        return env

    def start(self):
        # httpd's own output goes to a file: a pipe nobody reads could fill
        with open(self.path("logs/httpd.out"), "wb") as out:
            self.proc = subprocess.Popen([HTTPD, "-f", self.conf, "-d", self.dir,
                                          "-DFOREGROUND"], stdout=out,
                                         stderr=subprocess.STDOUT, env=self.env())
        end = time.time() + START_TIMEOUT
        while time.time() < end:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc = None
        out = self.log_text("logs/httpd.out")
        if "Address already in use" in out:
            raise PortTaken(out)
        raise RuntimeError("httpd did not start: %s\n--- error log ---\n%s" % (
            out.strip(), self.log_text("error")[-3000:]))

    def stop(self):
        """Graceful stop: the parent waits for the children, which finish
        logging (phase 5, audit log) the requests they served."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGWINCH, STOP_TIMEOUT), (signal.SIGTERM, 10),
                          (signal.SIGKILL, 10)):
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None

    def cleanup(self, keep):
        self.stop()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self, which):
        name = {"error": "logs/error.log", "debug": "logs/modsec_debug.log",
                "audit": "logs/modsec_audit.log"}.get(which)
        path = self.path(name) if name else self.path(self.subst(which))
        try:
            with open(path, "rb") as f:
                return f.read().decode("latin-1")
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return ""

    def sanitizer_reports(self):
        text = ""
        for p in sorted(glob.glob(self.path("san/*"))):
            with open(p, "rb") as f:
                text += f.read().decode("latin-1")[:20000]
        return text


# --- requests --------------------------------------------------------------------

def exchange(port, data, half_close):
    """Sends data to 127.0.0.1:port; returns everything read until the
    server closes the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
    chunks = []
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass                  # the server may answer (413) before reading all
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


class Response:
    def __init__(self, status=None, reason="", headers=(), body=b""):
        self.status = status
        self.reason = reason
        self.headers = list(headers)
        self.body = body

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def as_string(self):
        """HTTP::Response->as_string: status line, headers, blank line,
        content, "\\n"-terminated lines."""
        if self.status is None:
            return ""
        out = "HTTP/1.1 %d %s\n" % (self.status, self.reason)
        out += "".join("%s: %s\n" % (n, v) for n, v in self.headers)
        body = self.body.decode("latin-1")
        out += "\n" + body
        if body and not body.endswith("\n"):
            out += "\n"
        return out


def dechunk(data):
    out, pos = b"", 0
    while pos < len(data):
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            break
        try:
            size = int(data[pos:eol].split(b";")[0].strip() or b"0", 16)
        except ValueError:
            break
        if size == 0:
            break
        out += data[eol + 2:eol + 2 + size]
        pos = eol + 2 + size + 2
    return out


def parse_response(raw, decode_chunked):
    if not raw:
        return Response()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/\d\.\d (\d{3}) ?(.*)", lines[0])
    if not m:
        return Response()
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    r = Response(int(m.group(1)), m.group(2).decode("latin-1"), headers, body)
    te = r.header("Transfer-Encoding") or ""
    if decode_chunked and "chunked" in te.lower():
        r.body = dechunk(body)
    return r


def redirect_request(raw, location, port):
    """LWP's redirect: the same request (GET/HEAD only) to the new URI,
    without Host (set again from the URI) and Cookie."""
    url = urllib.parse.urlsplit(location)
    target = (url.path or "/") + ("?" + url.query if url.query else "")
    host = url.netloc or "localhost:%d" % port
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    method = lines[0].split(b" ", 1)[0]
    out = [method + b" " + latin1(target) + b" HTTP/1.1"]
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name == b"host":
            out.append(b"Host: " + latin1(host))
        elif name != b"cookie":
            out.append(line)
    return b"\r\n".join(out) + b"\r\n\r\n" + body


def lwp_te(raw):
    """The headers upstream's LWP sent first (the FULL_REQUEST cases show
    them): "TE: deflate,gzip;q=0.3" and "Connection: TE, close"."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if len(lines) > 1 and lines[1] == b"Connection: close":
        lines[1:2] = [b"TE: deflate,gzip;q=0.3", b"Connection: TE, close"]
    return b"\r\n".join(lines) + sep + body


def send_request(server, req, casedir):
    if req.get("raw_file"):
        # relative to the case file's directory (regression/<dir>/blobs/...)
        with gzip.open(os.path.join(casedir, req["raw_file"])) as f:
            raw = f.read()
    else:
        raw = latin1(req["raw"])
    raw = latin1(server.subst(raw.decode("latin-1")))
    if req.get("kind") != "raw":
        raw = lwp_te(raw)
    if req.get("kind") == "raw":
        return parse_response(exchange(server.port, raw, True), False)
    resp = None
    for _ in range(MAX_REDIRECTS + 1):
        resp = parse_response(exchange(server.port, raw, False), True)
        if resp.status is None:
            # LWP's own answer when the server closed without responding
            return Response(500, "Server closed connection without sending any data back",
                            [("Client-Warning", "Internal response")])
        loc = resp.header("Location")
        method = raw.split(b" ", 1)[0]
        if resp.status in (301, 302, 303, 307, 308) and loc and method in (b"GET", b"HEAD"):
            url = urllib.parse.urlsplit(loc)
            if url.hostname not in (None, "localhost", "127.0.0.1") or \
               (url.port or 80) != server.port:
                return resp               # not ours to follow
            raw = redirect_request(raw, loc, server.port)
            continue
        return resp
    return resp


# --- checks ----------------------------------------------------------------------

def perl_flags(flags):
    f = 0
    for c in flags or "":
        f |= {"s": re.S, "m": re.M, "i": re.I, "x": re.X}.get(c, 0)
    return f


def pattern_flags(m):
    # a qr// keeps its own modifiers; a plain string got upstream's m//m
    return perl_flags(m.get("flags")) | (0 if m.get("qr", True) else re.M)


def check_response(case, resp):
    problems = []
    for m in case.get("match_response") or []:
        field = m["field"]
        if field == "status":
            text = None if resp.status is None else str(resp.status)
        elif field == "content":
            text = resp.body.decode("latin-1") if resp.status is not None else None
        elif field == "raw":
            text = resp.as_string() if resp.status is not None else None
        else:
            text = None           # upstream's match_response knows no other field
        found = text is not None and re.search(m["pattern"], text, pattern_flags(m)) is not None
        if found == bool(m.get("negate")):
            problems.append("response %s %s /%s/ (got %r)" % (
                field, "matches" if found else "does not match", m["pattern"],
                (text or "")[:300] if field != "status" else text))
    return problems


def log_found(server, m):
    return re.search(server.subst(m["pattern"]), server.log_text(m["log"]),
                     pattern_flags(m)) is not None


def wait_positive_logs(case, server):
    """Polls the logs until every positive expectation is there or its
    timeout passed (the audit record and phase 5 follow the response)."""
    checks = [m for m in case.get("match_log") or [] if not m.get("negate")]
    pending = list(checks)
    start = time.time()
    while pending:
        pending = [m for m in pending if not log_found(server, m)]
        if not pending or all(time.time() > start + (m.get("timeout") or 0) for m in pending):
            break
        time.sleep(0.05)


def check_logs(case, server, verbose):
    problems = []
    for m in case.get("match_log") or []:
        found = log_found(server, m)
        if found == bool(m.get("negate")):
            msg = "%s log %s /%s/%s" % (m["log"], "has" if found else "lacks",
                                        m["pattern"], m.get("flags") or "")
            if verbose:
                msg += "\n--- %s log (tail) ---\n%s" % (m["log"], server.log_text(m["log"])[-2500:])
            problems.append(msg)
    for m in case.get("match_file") or []:
        path = server.subst(m["file"])
        try:
            with open(path, "rb") as f:
                text = f.read().decode("latin-1")
        except OSError:
            text = None
        found = text is not None and re.search(m["pattern"], text, pattern_flags(m)) is not None
        if found == bool(m.get("negate")):
            problems.append("file %s %s /%s/" % (
                os.path.relpath(path, server.dir), "is missing" if text is None else
                ("matches" if found else "does not match"), m["pattern"]))
    return problems


def check_uploaded_file(case, server, verbose):
    """config/10-misc-directives#4's Perl test: the debug log names the file
    the upload was moved to, and that file holds the part's data."""
    m = re.search(r'Moved file from .* to "(.*)"\.', server.log_text("debug"))
    if not m:
        return ["debug log lacks /Moved file from .* to \".*\"\\./"]
    fn = m.group(1)
    try:
        with open(fn, "rb") as f:
            data = f.read().decode("latin-1")
    except OSError:
        return ["File does not exist: %s" % fn]
    if not re.search(r"^TESTFILE$", data, re.M):
        return ["Failed to match contents of uploaded file: %s" % fn]
    return []


def server_user():
    """The user the children run as (they own the files they create)."""
    if os.geteuid() == 0:
        return "www-data"
    import pwd
    return pwd.getpwuid(os.geteuid()).pw_name


def adapt_user_data_file(case):
    """2.9.7 names a collection's SDBM files after the server's user as well
    (SecDataDir/www-data-ip.pag); the case predates that."""
    case = dict(case)
    case["match_file"] = [dict(m, file=m["file"].replace("@@DATA_DIR@@/ip.pag",
                                                         "@@DATA_DIR@@/%s-ip.pag" % server_user()))
                          for m in case.get("match_file") or []]
    return case


# Cases whose expectations are adapted to 2.9.7 (with the reason above).
ADAPT = {"config/10-misc-directives#3": adapt_user_data_file}

# Hand ports of upstream's Perl "test" subs (config/10-audit-directives#6's
# returns 0: nothing to check beyond the response).
PERL_TESTS = {"config/10-misc-directives#4": check_uploaded_file}


def run_case(vectors, label, case, reference, keep, verbose):
    """Returns a list of problems (empty when the case passes)."""
    regdir = os.path.join(vectors, "regression")
    if label in ADAPT:
        case = ADAPT[label](case)
    server = Server(vectors, label, reference)
    problems = []
    try:
        for attempt in range(3):
            server.configure(case)
            try:
                server.start()
                break
            except PortTaken:
                if attempt == 2:
                    raise
                server.port = free_port()
        resp = None
        if case.get("request"):
            try:
                resp = send_request(server, case["request"],
                                    os.path.join(regdir, label.split("/")[0]))
            except OSError as e:
                problems.append("request failed: %s" % e)
                resp = Response()
        wait_positive_logs(case, server)
        server.stop()
        if resp is not None:
            problems += check_response(case, resp)
        problems += check_logs(case, server, verbose)
        if label in PERL_TESTS:
            problems += PERL_TESTS[label](case, server, verbose)
        if problems and verbose and resp is not None:
            problems.append("--- response ---\n" + resp.as_string()[:1500])
    except RuntimeError as e:
        problems.append(str(e))
    finally:
        server.stop()
        san = server.sanitizer_reports()
        if san:
            problems.append("sanitizer report from httpd:\n" + san)
        server.cleanup(keep or (keep is None and problems))
        if problems and (keep or keep is None):
            problems.append("(server root kept in %s)" % server.dir)
    return problems


# --- main ------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", action="store_true",
                    help="load ModSecurity 2.9.7 (mod_security2) instead of our module")
    ap.add_argument("-j", "--jobs", type=int,
                    default=int(os.environ.get("PALISADE_REGRESSION_JOBS", "4")))
    ap.add_argument("--keep", action="store_true", help="keep every server root")
    ap.add_argument("--keep-failed", action="store_true", help="keep the roots of failing cases")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--no-skips", action="store_true", help="run the listed cases too")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    reference = args.reference or os.environ.get("PALISADE_E2E_REFERENCE") == "1"

    vectors = vectors_dir()
    if vectors is None:
        print("skipped: no modsec-vectors (../shared or PALISADE_SHARED)")
        return 0
    if not os.access(HTTPD, os.X_OK):
        print("skipped: no httpd at %s" % HTTPD)
        return 0
    if reference and not os.path.exists(os.path.join(MODDIR, "mod_security2.so")):
        print("skipped: --reference needs libapache2-mod-security2")
        return 0
    if not reference and not os.path.exists(MODULE):
        print("FAIL module not built: %s" % MODULE)
        print("0 passed, 1 failed")
        return 1

    skips = {} if args.no_skips else load_skips()
    # "dir/file#N" selects that case, anything else every label containing it
    cases = [(l, c) for l, c in load_cases(vectors)
             if not args.filters or any(f == l or ("#" not in f and f in l)
                                        for f in args.filters)]
    print("# %s, %s%s" % (HTTPD, "mod_security2 (reference)" if reference else MODULE,
                          ", preload " + PRELOAD if PRELOAD else ""))
    torun, skipped = [], 0
    for label, case in cases:
        s = skips.get(label)
        if s and s[0] in ("both", "reference" if reference else "ours"):
            print("skip %s (%s): %s: %s" % (label, case.get("comment"), s[1], s[2]))
            skipped += 1
        else:
            torun.append((label, case))
    sys.stdout.flush()

    keep = True if args.keep else (None if args.keep_failed else False)
    passed = failed = 0
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futs = [(label, case, pool.submit(run_case, vectors, label, case, reference,
                                          keep, args.verbose))
                for label, case in torun]
        for label, case, fut in futs:
            try:
                problems = fut.result()
            except Exception as e:      # a harness error counts as a failure
                problems = ["harness error: %r" % e]
            if problems:
                failed += 1
                print("FAIL %s (%s):\n  %s" % (label, case.get("comment"),
                                               "\n  ".join(problems).replace("\n", "\n  ")))
            else:
                passed += 1
                print("ok   %s (%s)" % (label, case.get("comment")))
            sys.stdout.flush()
    print("# %.0fs; %d skipped (listed in tests/regression-skips.txt)" % (
        time.time() - t0, skipped))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
