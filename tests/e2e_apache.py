#!/usr/bin/env python3
"""End-to-end tests of mod_palisade in a private Apache, and the harness
other end-to-end test scripts import (standard library only).

Apache is never run with the system configuration: every test writes its
own httpd.conf into a temporary directory and starts
`apache2 -f CONF -d DIR -DFOREGROUND` on a free 127.0.0.1 port.

Environment (tests/run.sh sets these from the build being tested):
  PALISADE_MODULE         the module to load (default: the in-tree build,
                          apache2/.libs/mod_palisade.so)
  PALISADE_HTTPD          the httpd binary (default /usr/sbin/apache2)
  PALISADE_HTTPD_PRELOAD  a library to LD_PRELOAD into httpd (the ASan
                          runtime for a sanitizer build)
  PALISADE_E2E_REFERENCE  "1": load ModSecurity 2.9 (mod_security2) instead,
                          to check that the expectations match the reference
  PALISADE_E2E_KEEP       "1": keep the temporary directories
  PALISADE_E2E_ONLY       run only the tests whose name contains this text

Usage from another script:
    from e2e_apache import Apache, Backend, Runner
    with Apache('SecRuleEngine On\\n...') as a:
        st, hdrs, body = a.get('/?q=1')
        assert 'ModSecurity: ' in a.error_log()
"""

import glob
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTTPD = os.environ.get("PALISADE_HTTPD", "/usr/sbin/apache2")
MODULE = os.environ.get("PALISADE_MODULE",
                        os.path.join(ROOT, "apache2", ".libs", "mod_palisade.so"))
PRELOAD = os.environ.get("PALISADE_HTTPD_PRELOAD", "")
REFERENCE = os.environ.get("PALISADE_E2E_REFERENCE") == "1"
KEEP = os.environ.get("PALISADE_E2E_KEEP") == "1"
MODDIR = os.environ.get("PALISADE_APACHE_MODDIR", "/usr/lib/apache2/modules")
CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf"
CRS_RULES = "/usr/share/modsecurity-crs/rules"
RECOMMENDED = os.path.join(ROOT, "rules", "palisade.conf-recommended")

# Sanitizer builds are slower to start and to answer.
START_TIMEOUT = 60 if PRELOAD else 30
IO_TIMEOUT = 60 if PRELOAD else 20

BASE_MODULES = ["mpm_event", "authz_core", "mime", "dir", "unique_id",
                "log_config", "alias", "proxy", "proxy_http", "headers"]

# Headers a browser sends, so that the CRS does not score missing ones.
BROWSER_HEADERS = [("Host", "localhost"),
                   ("User-Agent", "Mozilla/5.0 (palisade-e2e)"),
                   ("Accept", "text/html,*/*")]


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout):
    """Waits until something accepts on 127.0.0.1:port (False if proc died)."""
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def parse_response(raw):
    """Splits a raw HTTP/1.x response into (status, [(name, value)], body).
    status is 0 when nothing (or no status line) came back."""
    if not raw:
        return 0, [], b""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/\d\.\d (\d{3})", lines[0])
    if not m:
        return 0, [], raw
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    if any(n.lower() == "transfer-encoding" and "chunked" in v.lower() for n, v in headers):
        body = dechunk(body)
    return int(m.group(1)), headers, body


def dechunk(data):
    out, pos = b"", 0
    while pos < len(data):
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            break
        size = int(data[pos:eol].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[eol + 2:eol + 2 + size]
        pos = eol + 2 + size + 2
    return out


def chunk(body, size=1000):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def header(headers, name):
    for n, v in headers:
        if n.lower() == name.lower():
            return v
    return None


class Apache:
    """A private httpd with mod_palisade (or mod_security2 in reference mode)
    and conf_snippet appended to a minimal base configuration."""

    def __init__(self, conf_snippet="", modules=(), files=None):
        self.dir = tempfile.mkdtemp(prefix="palisade-e2e-")
        os.chmod(self.dir, 0o755)
        for sub in ("htdocs", "logs", "run", "tmp", "conf", "san"):
            os.mkdir(os.path.join(self.dir, sub))
        # written by the children, which run as www-data when we are root
        os.chmod(os.path.join(self.dir, "tmp"), 0o1777)
        os.chmod(os.path.join(self.dir, "san"), 0o1777)
        self.port = free_port()
        self.proc = None
        self.modules = list(BASE_MODULES) + [m for m in modules if m not in BASE_MODULES]
        self.write("htdocs/index.html", "hello from htdocs\n")
        self.write("htdocs/private/index.html", "private area\n")
        for name, text in (files or {}).items():
            self.write(name, text)
        self.conf = self.write("conf/httpd.conf", self.base_config() + "\n" + self.subst(conf_snippet) + "\n")

    # --- files and configuration -----------------------------------------
    def path(self, name):
        return os.path.join(self.dir, name)

    def subst(self, text):
        return text.replace("@DIR@", self.dir).replace("@PORT@", str(self.port)).replace("@ROOT@", ROOT)

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(p, mode) as f:
            f.write(text if isinstance(text, bytes) else self.subst(text))
        os.chmod(p, 0o644)
        d = os.path.dirname(p)
        while d.startswith(self.dir):
            os.chmod(d, os.stat(d).st_mode | 0o755)
            if d == self.dir:
                break
            d = os.path.dirname(d)
        return p

    def base_config(self):
        d = self.dir
        lines = [
            "ServerRoot %s" % MODDIR.rsplit("/", 1)[0],
            "ServerName localhost",
            "Listen 127.0.0.1:%d" % self.port,
            "PidFile %s/run/httpd.pid" % d,
            "DefaultRuntimeDir %s/run" % d,
            "Mutex file:%s/run default" % d,
            "ErrorLog %s/logs/error.log" % d,
            "LogLevel notice",
        ]
        for m in self.modules:
            # some (log_config) are built into Debian's httpd
            lines.append("<IfModule !%s_module>\n    LoadModule %s_module %s/mod_%s.so\n</IfModule>"
                         % (m, m, MODDIR, m))
        if REFERENCE:
            lines.append("LoadModule security2_module %s/mod_security2.so" % MODDIR)
        else:
            lines.append("LoadModule palisade_module %s" % MODULE)
        if os.geteuid() == 0:
            lines += ["User www-data", "Group www-data"]
        lines += [
            "StartServers 1",
            "ServerLimit 1",
            "ThreadLimit 16",
            "ThreadsPerChild 16",
            "MinSpareThreads 1",
            "MaxSpareThreads 16",
            "MaxRequestWorkers 16",
            "TypesConfig /etc/mime.types",
            "DocumentRoot %s/htdocs" % d,
            "<Directory %s/htdocs>" % d,
            "    Require all granted",
            "</Directory>",
            "DirectoryIndex index.html",
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common',
            "CustomLog %s/logs/access.log common" % d,
            "SecTmpDir %s/tmp" % d,
            "SecDataDir %s/tmp" % d,
        ]
        return "\n".join(lines) + "\n"

    # --- running ----------------------------------------------------------
    def env(self):
        env = dict(os.environ)
        if PRELOAD:
            env["LD_PRELOAD"] = PRELOAD
            env["ASAN_OPTIONS"] = "detect_leaks=0:log_path=%s/san/asan" % self.dir
            env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:log_path=%s/san/ubsan" % self.dir
        return env

    def config_test(self):
        """Runs httpd -t on the configuration: (exit status, output)."""
        p = subprocess.run([HTTPD, "-t", "-f", self.conf, "-d", self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=self.env(), timeout=START_TIMEOUT)
        return p.returncode, p.stdout.decode("latin-1")

    def start(self):
        self.proc = subprocess.Popen([HTTPD, "-f", self.conf, "-d", self.dir, "-DFOREGROUND"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=self.env())
        if not wait_port(self.port, self.proc, START_TIMEOUT):
            out = b""
            if self.proc.poll() is None:
                self.proc.kill()
            out = self.proc.communicate()[0]
            self.proc = None
            raise RuntimeError("httpd did not start: %s\n%s" % (
                out.decode("latin-1").strip(), self.error_log()[-3000:]))
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def cleanup(self, failing=False):
        """Stops httpd and removes the directory; raises when a sanitizer
        reported something (printed as well when the test failed anyway)."""
        self.stop()
        problems = self.sanitizer_reports()
        if not KEEP:
            shutil.rmtree(self.dir, ignore_errors=True)
        if problems:
            if failing:
                print("sanitizer report from httpd:\n" + problems)
            else:
                raise AssertionError("sanitizer report from httpd:\n" + problems)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup(failing=True)
            raise

    def __exit__(self, *exc):
        self.cleanup(failing=exc[0] is not None)
        return False

    # --- logs -------------------------------------------------------------
    def error_log(self):
        try:
            with open(self.path("logs/error.log"), "rb") as f:
                return f.read().decode("latin-1")
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=5):
        """Waits for a regular expression to appear in the error log (phase 5
        messages are written after the response) and returns the match."""
        end = time.time() + timeout
        while True:
            m = re.search(pattern, self.error_log())
            if m or time.time() > end:
                return m
            time.sleep(0.1)

    def sanitizer_reports(self):
        text = ""
        for p in sorted(glob.glob(self.path("san/*"))):
            with open(p, "rb") as f:
                text += f.read().decode("latin-1")[:20000]
        return text

    # --- requests ---------------------------------------------------------
    def raw(self, data, timeout=IO_TIMEOUT):
        """Sends bytes as they are and returns everything read until the
        server closes the connection."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    b = s.recv(65536)
                except ConnectionResetError:
                    break
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks)
        finally:
            s.close()

    def request(self, method, path, body=None, headers=None, chunked=False):
        """One request with Connection: close; returns (status, headers, body)."""
        hdrs = list(headers) if headers is not None else list(BROWSER_HEADERS)
        if body is not None:
            if chunked:
                hdrs.append(("Transfer-Encoding", "chunked"))
            else:
                hdrs.append(("Content-Length", str(len(body))))
        hdrs.append(("Connection", "close"))
        head = "%s %s HTTP/1.1\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % (n, v) for n, v in hdrs) + "\r\n"
        data = head.encode("latin-1")
        if body is not None:
            data += chunk(body) if chunked else body
        return parse_response(self.raw(data))

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, body, content_type="application/x-www-form-urlencoded",
             chunked=False):
        return self.request("POST", path, body,
                            BROWSER_HEADERS + [("Content-Type", content_type)], chunked)


class LoopbackServer:
    """An HTTP server on a free 127.0.0.1 port, serving from a thread while
    the with-block runs; subclasses call listen() with their handler."""

    def listen(self, handler, server_class=http.server.ThreadingHTTPServer):
        self.server = server_class(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False


class Backend(LoopbackServer):
    """A tiny HTTP server on 127.0.0.1 that records every request it gets
    (method, path, headers, body) and answers 200 with a short text."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def read_body(self):
                te = self.headers.get("Transfer-Encoding", "")
                if "chunked" in te.lower():
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return body
                        body += self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length", "0") or "0")
                return self.rfile.read(n) if n else b""

            def answer(self):
                body = self.read_body()
                outer.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers.items()),
                                       "body": body})
                reply = b"backend got %d bytes\n" % len(body)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = answer

        self.listen(Handler)


class Runner:
    """Runs test functions, prints one line per test and the totals."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        only = os.environ.get("PALISADE_E2E_ONLY")
        if only and only not in name:
            return
        t0 = time.time()
        try:
            fn()
        except Exception as e:  # a failed check or a harness problem
            self.failed += 1
            plain = isinstance(e, (AssertionError, RuntimeError))
            detail = str(e) if plain else traceback.format_exc()
            print("FAIL %s (%.1fs): %s" % (name, time.time() - t0, detail.strip()))
        else:
            self.passed += 1
            print("ok   %s (%.1fs)" % (name, time.time() - t0))
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def check(cond, msg, log=None):
    if not cond:
        if log:
            msg += "\n--- error log (tail) ---\n" + log[-4000:]
        raise AssertionError(msg)


def prerequisites():
    """Why the end-to-end tests cannot run here, or None."""
    if not os.access(HTTPD, os.X_OK):
        return "no httpd at %s (apt-get install apache2)" % HTTPD
    if REFERENCE:
        if not os.path.exists(os.path.join(MODDIR, "mod_security2.so")):
            return "reference mode needs libapache2-mod-security2"
    elif not os.path.exists(MODULE):
        return "module not built: %s" % MODULE
    return None


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

SQLI_QUERY = "/?id=1'%20or%201=1--"
SQLI_RULE = 'SecRule ARGS "@rx or 1=1" "id:1001,phase:2,deny,status:403,log,msg:\'SQLi test\'"\n'


def crs_config():
    return ("Include %s\n"
            "SecRuleEngine On\n"
            "SecAuditEngine Off\n"
            "SecAuditLog @DIR@/logs/audit.log\n"
            "Include %s\n"
            "Include %s/*.conf\n") % (RECOMMENDED, CRS_SETUP, CRS_RULES)


def test_rule_blocks():
    with Apache("SecRuleEngine On\nSecRequestBodyAccess On\n" + SQLI_RULE) as a:
        st, _, _ = a.get("/?q=hello")
        check(st == 200, "benign request: status %d, expected 200" % st, a.error_log())
        st, _, _ = a.get(SQLI_QUERY)
        check(st == 403, "attack: status %d, expected 403" % st, a.error_log())
        m = a.wait_log(r"ModSecurity: Access denied with code 403 \(phase 2\)\..*\[id \"1001\"\]")
        check(m is not None, "no 'Access denied with code 403 (phase 2)' line with [id \"1001\"]",
              a.error_log())


def test_crs_blocks_sqli():
    if not os.path.isdir(CRS_RULES):
        raise AssertionError("CRS not installed (apt-get install modsecurity-crs)")
    with Apache(crs_config()) as a:
        st, _, _ = a.get("/?q=hello")
        check(st == 200, "benign request with the CRS: status %d, expected 200" % st, a.error_log())
        check("[id \"9" not in a.error_log(), "benign request logged a CRS match", a.error_log())
        st, _, _ = a.get(SQLI_QUERY)
        check(st == 403, "SQLi with the CRS: status %d, expected 403" % st, a.error_log())
        m = a.wait_log(r"\[id \"942\d+\"\]")
        check(m is not None, "no [id \"942...\"] line in the error log", a.error_log())
        m = a.wait_log(r"ModSecurity: Access denied with code 403 \(phase 2\).*\[id \"949110\"\]")
        check(m is not None, "no 949110 'Access denied' line in the error log", a.error_log())


def test_config_error_names_file_and_line():
    rules = ("# rules with a misspelled operator\n"
             "SecRuleEngine On\n"
             'SecRule ARGS "@rxx foo" "id:1002,phase:2,deny"\n')
    a = Apache("Include @DIR@/conf/bad-rules.conf\n", files={"conf/bad-rules.conf": rules})
    try:
        rc, out = a.config_test()
        check(rc != 0, "httpd -t accepted an unknown operator:\n" + out)
        want = "line 3 of %s" % a.path("conf/bad-rules.conf")
        check(want in out, "httpd -t output does not name %r:\n%s" % (want, out))
        check("rxx" in out, "httpd -t output does not name the operator:\n" + out)
    finally:
        a.cleanup()


def test_post_body_reaches_backend_unchanged():
    binary = bytes(range(256)) * 1200           # 300 KiB, past the in-memory limit
    bodies = [
        ("form", b"name=alice&comment=hello+world%21&x=%00%ff", "application/x-www-form-urlencoded", False),
        ("binary", binary, "application/octet-stream", False),
        ("chunked", binary[:70000] + b"\r\n--\x00end", "application/octet-stream", True),
        ("empty", b"", "application/x-www-form-urlencoded", False),
    ]
    with Backend() as be:
        conf = ("SecRuleEngine On\nSecRequestBodyAccess On\n"
                "SecRequestBodyLimit 13107200\nSecRequestBodyNoFilesLimit 13107200\n"
                "ProxyPass /backend/ http://127.0.0.1:%d/\n" % be.port + SQLI_RULE)
        with Apache(conf) as a:
            for name, body, ctype, chunked in bodies:
                before = len(be.requests)
                st, _, resp = a.post("/backend/echo", body, ctype, chunked)
                check(st == 200, "%s body: status %d, expected 200" % (name, st), a.error_log())
                check(len(be.requests) == before + 1, "%s body: backend got no request" % name)
                got = be.requests[-1]["body"]
                check(got == body, "%s body: backend got %d bytes, sent %d (first difference at %s)" % (
                    name, len(got), len(body),
                    next((i for i, (x, y) in enumerate(zip(got, body)) if x != y), min(len(got), len(body)))))
            # an attack in the body is still seen before the backend
            before = len(be.requests)
            st, _, _ = a.post("/backend/echo", b"id=1'+or+1=1--")
            check(st == 403, "attack in POST body: status %d, expected 403" % st, a.error_log())
            check(len(be.requests) == before, "blocked POST body reached the backend")


def test_detection_only_logs_without_blocking():
    with Apache("SecRuleEngine DetectionOnly\nSecRequestBodyAccess On\n" + SQLI_RULE) as a:
        st, _, body = a.get(SQLI_QUERY)
        check(st == 200, "DetectionOnly: status %d, expected 200" % st, a.error_log())
        check(b"hello from htdocs" in body, "DetectionOnly: page content missing")
        m = a.wait_log(r"ModSecurity: Warning\..*\[id \"1001\"\]")
        check(m is not None, "DetectionOnly: no 'ModSecurity: Warning.' line with [id \"1001\"]",
              a.error_log())
        check("Access denied" not in a.error_log(), "DetectionOnly logged 'Access denied'",
              a.error_log())


def test_location_scoped_rule():
    conf = ("SecRuleEngine On\n"
            "<Location /private>\n"
            '    SecRule ARGS "@rx attack" "id:1003,phase:2,deny,status:403"\n'
            "</Location>\n")
    with Apache(conf) as a:
        st, _, _ = a.get("/private/?x=attack")
        check(st == 403, "inside <Location>: status %d, expected 403" % st, a.error_log())
        st, _, _ = a.get("/?x=attack")
        check(st == 200, "outside <Location>: status %d, expected 200" % st, a.error_log())
        st, _, _ = a.get("/private/?x=fine")
        check(st == 200, "inside <Location>, benign: status %d, expected 200" % st, a.error_log())


def test_redirect_action():
    conf = ("SecRuleEngine On\n"
            'SecRule ARGS "@rx go-away" "id:1004,phase:1,redirect:http://www.example.com/blocked.html"\n')
    with Apache(conf) as a:
        st, hdrs, _ = a.get("/?x=go-away")
        check(st == 302, "redirect: status %d, expected 302" % st, a.error_log())
        check(header(hdrs, "Location") == "http://www.example.com/blocked.html",
              "redirect: Location is %r" % header(hdrs, "Location"))


def test_drop_action():
    conf = ("SecRuleEngine On\n"
            'SecRule ARGS "@rx hang-up" "id:1005,phase:1,drop"\n')
    with Apache(conf) as a:
        raw = a.raw(b"GET /?x=hang-up HTTP/1.1\r\nHost: localhost\r\n\r\n")
        check(raw == b"", "drop: the client got a response: %r" % raw[:200], a.error_log())
        st, _, _ = a.get("/?x=fine")
        check(st == 200, "after a drop: status %d, expected 200" % st, a.error_log())


def test_response_body_deny_leaks_nothing():
    conf = ("SecRuleEngine On\nSecResponseBodyAccess On\n"
            "SecResponseBodyMimeType text/plain text/html\n"
            'SecRule RESPONSE_BODY "@rx secret-token" "id:1006,phase:4,deny,status:403"\n')
    page = "<html><body>" + "x" * 20000 + " secret-token " + "y" * 20000 + "</body></html>\n"
    with Apache(conf, files={"htdocs/leak.html": page}) as a:
        st, _, body = a.get("/leak.html")
        check(st == 403, "response body rule: status %d, expected 403" % st, a.error_log())
        check(b"secret-token" not in body and b"xxxxxxxx" not in body,
              "the original response body leaked (%d bytes)" % len(body))
        st, _, body = a.get("/index.html")
        check(st == 200 and b"hello from htdocs" in body, "clean page: status %d" % st)


def limit_lines(log, what):
    return len(re.findall(r"ModSecurity: %s is larger than the configured limit \(1000\)\."
                          % re.escape(what), log))


def test_request_body_limit():
    # ModSecurity 2.9: Reject (when blocking) answers 413 before reading a
    # body whose Content-Length is too large, or once a chunked body passes
    # the limit; otherwise the whole body still reaches the application and
    # the Content-Length message is logged twice.
    with Backend() as be:
        base = ("SecRequestBodyAccess On\n"
                "SecRequestBodyLimit 1000\nSecRequestBodyNoFilesLimit 100000\n"
                "ProxyPass /backend/ http://127.0.0.1:%d/\n" % be.port)
        body = bytes(range(256)) * 10             # 2560 bytes
        with Apache(base + "SecRuleEngine On\nSecRequestBodyLimitAction Reject\n") as a:
            st, _, _ = a.post("/backend/x", body, "application/octet-stream")
            check(st == 413, "Reject: status %d, expected 413" % st, a.error_log())
            check(limit_lines(a.error_log(), "Request body (Content-Length)") == 1,
                  "Reject: expected one 'Request body (Content-Length) is larger' line", a.error_log())
            st, _, _ = a.post("/backend/x", body, "application/octet-stream", chunked=True)
            check(st == 413, "Reject, chunked: status %d, expected 413" % st, a.error_log())
            check(limit_lines(a.error_log(), "Request body") == 1,
                  "Reject, chunked: expected one 'Request body is larger' line", a.error_log())
            check(not be.requests, "a rejected body reached the backend")
        for mode in ("SecRuleEngine On\nSecRequestBodyLimitAction ProcessPartial\n",
                     "SecRuleEngine DetectionOnly\nSecRequestBodyLimitAction Reject\n"):
            with Apache(base + mode) as a:
                for chunked in (False, True):
                    st, _, _ = a.post("/backend/x", body, "application/octet-stream", chunked=chunked)
                    check(st == 200, "%r (chunked=%s): status %d, expected 200" % (mode, chunked, st),
                          a.error_log())
                    got = be.requests[-1]["body"] if be.requests else b""
                    check(got == body, "%r (chunked=%s): backend got %d of %d bytes"
                          % (mode, chunked, len(got), len(body)))
                log = a.error_log()
                check(limit_lines(log, "Request body (Content-Length)") == 2 and
                      limit_lines(log, "Request body") == 0,
                      "%r: expected the Content-Length message twice and nothing else" % mode, log)


def test_request_body_nofiles_limit():
    # SecRequestBodyNoFilesLimit counts what a body processor sees (not
    # file parts, nothing without a processor) and always answers 413.
    mp_file = (b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
               b"Content-Type: application/octet-stream\r\n\r\n" + b"y" * 3000 +
               b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nhello\r\n--XyZ--\r\n")
    cases = [("urlencoded", "application/x-www-form-urlencoded", b"a=" + b"x" * 3000, 413),
             ("no processor", "application/octet-stream", b"a=" + b"x" * 3000, 200),
             ("multipart file", "multipart/form-data; boundary=XyZ", mp_file, 200)]
    with Backend() as be:
        conf = ("SecRuleEngine DetectionOnly\nSecRequestBodyAccess On\n"
                "SecRequestBodyLimit 100000\nSecRequestBodyNoFilesLimit 1000\n"
                "SecRequestBodyLimitAction ProcessPartial\n"
                "ProxyPass /backend/ http://127.0.0.1:%d/\n" % be.port)
        with Apache(conf) as a:
            for name, ctype, body, want in cases:
                for chunked in (False, True):
                    st, _, _ = a.post("/backend/x", body, ctype, chunked=chunked)
                    check(st == want, "%s (chunked=%s): status %d, expected %d" % (name, chunked, st, want),
                          a.error_log())
            n = limit_lines(a.error_log(), "Request body no files data length")
            check(n == 2, "expected 2 'no files data length' lines, got %d" % n, a.error_log())


def test_response_body_limit_reject():
    conf = ("SecRuleEngine On\nSecResponseBodyAccess On\n"
            "SecResponseBodyLimit 1000\nSecResponseBodyLimitAction Reject\n")
    with Apache(conf, files={"htdocs/big.html": "z" * 5000}) as a:
        st, _, body = a.get("/big.html")
        check(st == 500, "response over the limit: status %d, expected 500" % st, a.error_log())
        check(b"zzzz" not in body, "the original response body leaked")
        st, _, _ = a.get("/index.html")
        check(st == 200, "small response: status %d, expected 200" % st, a.error_log())


def test_engine_off_does_nothing():
    with Apache("SecRuleEngine Off\n" + SQLI_RULE) as a:
        st, _, _ = a.get(SQLI_QUERY)
        check(st == 200, "engine Off: status %d, expected 200" % st, a.error_log())
        time.sleep(0.3)
        check("ModSecurity: Warning" not in a.error_log() and "Access denied" not in a.error_log(),
              "engine Off logged a match", a.error_log())


def test_phase5_rule_logs():
    conf = ("SecRuleEngine On\n"
            'SecRule RESPONSE_STATUS "@rx ^200$" "id:1007,phase:5,pass,log,msg:\'logged in phase 5\'"\n')
    with Apache(conf) as a:
        st, _, _ = a.get("/index.html")
        check(st == 200, "status %d, expected 200" % st, a.error_log())
        m = a.wait_log(r"ModSecurity: Warning\..*\[id \"1007\"\]")
        check(m is not None, "no phase 5 'Warning.' line for [id \"1007\"]", a.error_log())


def test_graceful_restart():
    with Apache("SecRuleEngine On\n" + SQLI_RULE) as a:
        st, _, _ = a.get(SQLI_QUERY)
        check(st == 403, "before the restart: status %d, expected 403" % st, a.error_log())
        for _ in range(2):
            a.proc.send_signal(signal.SIGUSR1)      # apachectl graceful
            check(a.wait_log(r"AH00493|SIGUSR1 received", 10) is not None,
                  "httpd did not log the graceful restart", a.error_log())
            time.sleep(1)
        st, _, _ = a.get("/?q=hello")
        check(st == 200, "after two restarts, benign: status %d, expected 200" % st, a.error_log())
        st, _, _ = a.get(SQLI_QUERY)
        check(st == 403, "after two restarts, attack: status %d, expected 403" % st, a.error_log())


def test_phase1_rule_in_location_never_runs():
    # ModSecurity runs phase 1 before Apache maps the URL to <Location>
    # sections: a phase 1 rule there never runs, a phase 2 rule does.
    conf = ("SecRuleEngine On\n"
            "<Location /private>\n"
            '    SecRule ARGS "@rx one" "id:1008,phase:1,deny,status:403"\n'
            '    SecRule ARGS "@rx two" "id:1009,phase:2,deny,status:403"\n'
            "</Location>\n")
    with Apache(conf) as a:
        st, _, _ = a.get("/private/?x=one")
        check(st == 200, "phase 1 rule in <Location>: status %d, expected 200" % st, a.error_log())
        st, _, _ = a.get("/private/?x=two")
        check(st == 403, "phase 2 rule in <Location>: status %d, expected 403" % st, a.error_log())


def test_internal_redirect_runs_phases_once():
    conf = ("SecRuleEngine On\n"
            "ErrorDocument 404 /index.html\n"
            'SecAction "id:1010,phase:1,pass,log,msg:\'phase 1\'"\n'
            'SecAction "id:1011,phase:2,pass,log,msg:\'phase 2\'"\n'
            'SecAction "id:1012,phase:5,pass,log,msg:\'phase 5\'"\n')
    with Apache(conf) as a:
        st, _, body = a.get("/missing.html")
        check(st == 404 and b"hello from htdocs" in body,
              "ErrorDocument: status %d, body %r" % (st, body[:60]), a.error_log())
        a.wait_log(r"\[id \"1012\"\]")
        time.sleep(0.3)
        log = a.error_log()
        for rid in ("1010", "1011", "1012"):
            n = log.count('[id "%s"]' % rid)
            check(n == 1, "rule %s logged %d times, expected once" % (rid, n), log)


def test_keepalive_pipelined_bodies():
    # Bodies read for inspection must not eat into the next request on the
    # connection; a chunked body reaches the backend with a Content-Length,
    # as with ModSecurity; "Expect: 100-continue" still works.
    body1 = b"a=1&b=2"
    body2 = bytes(range(256)) * 20
    with Backend() as be:
        conf = ("SecRuleEngine On\nSecRequestBodyAccess On\n"
                "ProxyPass /backend/ http://127.0.0.1:%d/\n" % be.port)
        with Apache(conf) as a:
            req = (b"POST /backend/one HTTP/1.1\r\nHost: localhost\r\n"
                   b"Content-Type: application/x-www-form-urlencoded\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body1)) + body1
            req += (b"POST /backend/two HTTP/1.1\r\nHost: localhost\r\n"
                    b"Content-Type: application/octet-stream\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n") + chunk(body2, 777)
            req += b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            raw = a.raw(req)
            statuses = re.findall(rb"HTTP/1.1 (\d+)", raw)
            check(statuses == [b"200"] * 3, "pipelined statuses %r" % statuses, a.error_log())
            got = [(r["path"], r["body"], r["headers"].get("Content-Length"),
                    r["headers"].get("Transfer-Encoding")) for r in be.requests]
            check(got == [("/one", body1, "7", None), ("/two", body2, "5120", None)],
                  "backend saw %r" % [(g[0], len(g[1]), g[2], g[3]) for g in got])
            s = socket.create_connection(("127.0.0.1", a.port), timeout=IO_TIMEOUT)
            try:
                s.sendall(b"POST /backend/three HTTP/1.1\r\nHost: localhost\r\n"
                          b"Content-Type: application/octet-stream\r\nContent-Length: 3\r\n"
                          b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
                interim = s.recv(100)
                check(interim.startswith(b"HTTP/1.1 100"), "no 100 Continue: %r" % interim)
                s.sendall(b"abc")
                rest = b""
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    rest += d
            finally:
                s.close()
            check(rest.startswith(b"HTTP/1.1 200") and be.requests[-1]["body"] == b"abc",
                  "after 100 Continue: %r" % rest[:40])


TESTS = [
    ("SecRule blocks an SQL injection with 403 and logs it", test_rule_blocks),
    ("CRS 3.3 passes a benign request and blocks SQLi (942xxx, 949110)", test_crs_blocks_sqli),
    ("httpd -t names file and line of a misspelled operator", test_config_error_names_file_and_line),
    ("POST bodies reach a proxied backend byte-identical", test_post_body_reaches_backend_unchanged),
    ("DetectionOnly logs but does not block", test_detection_only_logs_without_blocking),
    ("a deny rule in <Location> applies only there", test_location_scoped_rule),
    ("redirect action answers 302 with Location", test_redirect_action),
    ("drop action closes the connection without a response", test_drop_action),
    ("phase 4 deny replaces the response without leaking it", test_response_body_deny_leaks_nothing),
    ("SecRequestBodyLimit: Reject gives 413, ProcessPartial forwards all", test_request_body_limit),
    ("SecRequestBodyNoFilesLimit answers 413 in every mode", test_request_body_nofiles_limit),
    ("SecResponseBodyLimit Reject gives 500", test_response_body_limit_reject),
    ("SecRuleEngine Off does nothing", test_engine_off_does_nothing),
    ("a phase 5 rule logs after the response", test_phase5_rule_logs),
    ("graceful restarts re-read the rules", test_graceful_restart),
    ("a phase 1 rule in <Location> never runs (as in ModSecurity)", test_phase1_rule_in_location_never_runs),
    ("an ErrorDocument redirect runs each phase once", test_internal_redirect_runs_phases_once),
    ("keep-alive: pipelined bodies, chunked, 100-continue", test_keepalive_pipelined_bodies),
]


def main():
    why = prerequisites()
    runner = Runner()
    if why:
        print("FAIL end-to-end prerequisites: %s" % why)
        runner.failed += 1
        return runner.finish()
    print("# httpd %s, module %s%s" % (HTTPD, "mod_security2 (reference)" if REFERENCE else MODULE,
                                      ", preload " + PRELOAD if PRELOAD else ""))
    for name, fn in TESTS:
        runner.run(name, fn)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
