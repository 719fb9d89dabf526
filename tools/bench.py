#!/usr/bin/env python3
"""Throughput and instruction-count benchmark of mod_palisade against bare
Apache and Apache + ModSecurity 2.9 (mod_security2), both WAFs running the
OWASP CRS 3.3.4 at paranoia level 1 with SecRuleEngine On.

Not a test: tests/run.sh and CI never run it (timings depend on the machine).

Part 1, throughput: three private httpd instances (`apache2 -f CONF -d DIR`,
event MPM, one process of 32 threads, 127.0.0.1 high ports) with the same
base configuration -- bare, + mod_palisade, + mod_security2; the two WAFs
also get rules/palisade.conf-recommended (engine On, private log and temp
directories: conf/recommended.conf), crs-setup.conf and the CRS rules.
wrk (Debian's package) loads each instance with each workload for
DURATION seconds; ROUNDS rounds,
interleaved (round -> workload -> instance, the instance order rotating),
so that drifts of the machine hit every instance alike.  Reported: requests
per second, median of the rounds, and the ratios palisade/mod_security2 and
palisade/bare.

Part 2, instructions: each instance again, single process (`-X`), under
valgrind --tool=callgrind --collect-atstart=no
--toggle-collect=ap_run_process_connection, once per workload: N requests
(one connection each), then the output is split by object file (self
cost, a parser of the callgrind format below).  Reported per request: the
instructions executed inside the module's own object (mod_palisade.so or
mod_security2.so, self cost only) and in the whole process, and the whole
process minus bare Apache (the WAF's cost including PCRE2, libxml2, APR and
libc work done for it).

Workloads: a benign GET with query arguments, a 1 KB urlencoded POST, a 2 KB
JSON POST, a 64 KB multipart upload, and an SQL injection GET that the CRS
blocks (403).  Before measuring, every instance is checked to answer each
workload with the expected status, and the WAFs to log no rule match for
the benign ones.

Usage:
    python3 tools/bench.py [--rounds 3] [--duration 5] [--connections 16]
        [--requests 100] [--no-load] [--no-callgrind]
        [--module apache2/.libs/mod_palisade.so] [--write docs/benchmark.md]

--write replaces the part of the file between the markers
"<!-- bench:begin -->" and "<!-- bench:end -->" (creates the file when
missing), so notes written around the tables stay.
"""

import argparse
import datetime
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTTPD = os.environ.get("PALISADE_HTTPD", "/usr/sbin/apache2")
MODDIR = os.environ.get("PALISADE_APACHE_MODDIR", "/usr/lib/apache2/modules")
RECOMMENDED = os.path.join(ROOT, "rules", "palisade.conf-recommended")
CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf"
CRS_RULES = "/usr/share/modsecurity-crs/rules"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
VALGRIND = shutil.which("valgrind") or "/usr/bin/valgrind"

START_TIMEOUT = 60            # seconds, normal start with the CRS
CALLGRIND_START_TIMEOUT = 900 # seconds, start under callgrind
MARK_BEGIN = "<!-- bench:begin -->"
MARK_END = "<!-- bench:end -->"

SERVERS = ("bare", "palisade", "modsec")
SERVER_TITLES = {"bare": "bare Apache", "palisade": "mod_palisade",
                 "modsec": "mod_security2"}
MODULE_OBJECTS = {"palisade": "mod_palisade.so", "modsec": "mod_security2.so"}

BROWSER_HEADERS = [
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "en-US,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate"),
]

# Words for generated bodies: plain English that no CRS rule at PL1 matches.
WORDS = ("garden river morning yellow window paper little bright orange "
         "mountain quiet summer travel pencil friendly harbor forest gentle "
         "picture kitchen village autumn silver meadow coffee bicycle letter "
         "winter market ocean candle planet thunder basket cotton").split()


# --- workloads ------------------------------------------------------------------

def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def fill_to(prefix, size, rng, sep, enc):
    """prefix plus generated words (joined by sep, encoded by enc) up to
    exactly size bytes."""
    out = prefix
    while len(out) < size:
        out += enc(rng.choice(WORDS)) + sep
    return out[:size]


def urlencoded_body(size, rng):
    head = ("username=alice&email=alice%40example.com&subject=Meeting+notes"
            "&page=3&lang=en&message=")
    return fill_to(head, size, rng, "+", lambda w: w).encode()


def json_body(size, rng):
    items = []
    for i in range(12):
        items.append('{"sku":"A-%03d","qty":%d,"price":%d.%02d,"note":"%s"}'
                     % (100 + i, i + 1, 5 + i, 99 - i, words(rng, 8)))
    head = ('{"user":{"id":1234,"name":"Alice Martin","email":"alice@example.com",'
            '"roles":["editor","viewer"],"active":true},"items":[%s],"comment":"'
            % ",".join(items))
    text = fill_to(head, size - 2, rng, " ", lambda w: w).rstrip()
    return (text + " " * (size - 2 - len(text)) + '"}').encode()


def multipart_body(size, rng):
    boundary = "----benchBoundary7MA4YWxkTrZu0gW"
    parts = []
    for name, value in (("title", "Quarterly report"), ("description", words(rng, 20))):
        parts.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                     % (boundary, name, value))
    file_head = ('--%s\r\nContent-Disposition: form-data; name="upload"; '
                 'filename="report.txt"\r\nContent-Type: text/plain\r\n\r\n' % boundary)
    tail = "\r\n--%s--\r\n" % boundary
    fixed = "".join(parts) + file_head
    content_size = size - len(fixed) - len(tail)
    lines, total = [], 0
    while total < content_size:
        line = words(rng, 10) + "\r\n"
        lines.append(line)
        total += len(line)
    content = "".join(lines)[:content_size]
    body = (fixed + content + tail).encode()
    return body, "multipart/form-data; boundary=" + boundary


def workloads():
    """(name, title, method, path, content type, body, expected status)."""
    rng = random.Random(20240501)
    mp_body, mp_type = multipart_body(65536, rng)
    return [
        ("get", "GET with query arguments", "GET",
         "/index.html?q=blue+running+shoes&category=sport&page=2&sort=price_asc&lang=en",
         None, None, 200),
        ("urlencoded", "POST urlencoded 1 KB", "POST", "/index.html",
         "application/x-www-form-urlencoded", urlencoded_body(1024, rng), 200),
        ("json", "POST JSON 2 KB", "POST", "/index.html",
         "application/json", json_body(2048, rng), 200),
        ("multipart", "POST multipart 64 KB", "POST", "/index.html",
         mp_type, mp_body, 200),
        ("attack", "GET SQL injection (403)", "GET",
         "/index.html?id=1%27%20or%201%3D1--&page=2", None, None, 403),
    ]


# --- Apache instances ---------------------------------------------------------------

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def waf_config(kind, d, module):
    """The WAF part of a configuration: the module, the recommended base
    settings with private directories, the engine On and the CRS at PL1."""
    if kind == "bare":
        return ""
    if kind == "palisade":
        load = "LoadModule palisade_module %s" % module
    else:
        load = "LoadModule security2_module %s/mod_security2.so" % MODDIR
    return "\n".join([
        load,
        "Include %s/conf/recommended.conf" % d,
        "Include %s" % CRS_SETUP,
        "Include %s/*.conf" % CRS_RULES,
    ]) + "\n"


def recommended_config(d):
    """rules/palisade.conf-recommended with the engine On and the files in
    the instance's directory (both modules open the audit log when they
    read the directive, so it cannot be overridden later)."""
    private = {"SecRuleEngine": "On", "SecAuditLog": d + "/logs/audit.log",
               "SecTmpDir": d + "/tmp", "SecDataDir": d + "/tmp"}
    out = []
    with open(RECOMMENDED) as f:
        for line in f:
            word = line.split(" ", 1)[0]
            if word in private:
                line = "%s %s\n" % (word, private[word])
            out.append(line)
    return "".join(out)


def httpd_config(kind, d, port, module):
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    mods = ""
    for m in ("mpm_event", "authz_core", "mime", "dir", "unique_id"):
        mods += "LoadModule %s_module %s/mod_%s.so\n" % (m, MODDIR, m)
    return """# generated by tools/bench.py (%(kind)s)
ServerRoot %(root)s
ServerName localhost
Listen 127.0.0.1:%(port)d
PidFile %(d)s/run/httpd.pid
DefaultRuntimeDir %(d)s/run
Mutex file:%(d)s/run default
ErrorLog %(d)s/logs/error.log
LogLevel warn
%(user)s%(mods)s
StartServers 1
ServerLimit 1
ThreadLimit 32
ThreadsPerChild 32
MinSpareThreads 1
MaxSpareThreads 32
MaxRequestWorkers 32
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
Timeout 30
TypesConfig /etc/mime.types
DocumentRoot %(d)s/htdocs
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory %(d)s/htdocs>
    Options None
    AllowOverride None
    Require all granted
</Directory>
%(waf)s""" % {"kind": kind, "root": MODDIR.rsplit("/", 1)[0], "port": port, "d": d,
              "user": user, "mods": mods, "waf": waf_config(kind, d, module)}


class Instance:
    def __init__(self, kind, base, module):
        self.kind = kind
        self.dir = os.path.join(base, kind)
        self.port = free_port()
        self.proc = None
        for sub in ("htdocs", "logs", "run", "tmp", "conf", "callgrind"):
            os.makedirs(os.path.join(self.dir, sub))
        for sub in ("tmp", "callgrind", "logs", "run"):
            os.chmod(os.path.join(self.dir, sub), 0o1777)
        with open(os.path.join(self.dir, "htdocs", "index.html"), "w") as f:
            f.write("<html><body><p>hello from the benchmark</p></body></html>\n")
        self.conf = os.path.join(self.dir, "conf", "httpd.conf")
        with open(os.path.join(self.dir, "conf", "recommended.conf"), "w") as f:
            f.write(recommended_config(self.dir))
        with open(self.conf, "w") as f:
            f.write(httpd_config(kind, self.dir, self.port, module))
        for dirpath, dirs, files in os.walk(self.dir):
            for n in dirs:
                p = os.path.join(dirpath, n)
                os.chmod(p, os.stat(p).st_mode | 0o755)
            for n in files:
                os.chmod(os.path.join(dirpath, n), 0o644)
        os.chmod(self.dir, 0o755)

    def command(self, single=False):
        cmd = [HTTPD, "-f", self.conf, "-d", self.dir]
        return cmd + (["-X"] if single else ["-DFOREGROUND"])

    def start(self, prefix=(), single=False, timeout=START_TIMEOUT):
        log = open(os.path.join(self.dir, "logs", "stderr.log"), "a")
        self.proc = subprocess.Popen(list(prefix) + self.command(single),
                                     stdout=log, stderr=log)
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("%s: httpd exited:\n%s" % (self.kind, self.log_tail()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("%s: httpd did not start:\n%s" % (self.kind, self.log_tail()))

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_tail(self, n=30):
        out = ""
        for name in ("stderr.log", "error.log"):
            p = os.path.join(self.dir, "logs", name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out += "".join(f.readlines()[-n:])
        return out

    def error_log_size(self):
        try:
            return os.path.getsize(os.path.join(self.dir, "logs", "error.log"))
        except OSError:
            return 0

    def error_log_since(self, offset):
        with open(os.path.join(self.dir, "logs", "error.log"), errors="replace") as f:
            f.seek(offset)
            return f.read()


def send(port, w, close=True, timeout=60):
    """One request of workload w; returns the status (0 if none)."""
    name, title, method, path, ctype, body, expect = w
    head = "%s %s HTTP/1.1\r\nHost: localhost\r\n" % (method, path)
    head += "".join("%s: %s\r\n" % h for h in BROWSER_HEADERS)
    if body is not None:
        head += "Content-Type: %s\r\nContent-Length: %d\r\n" % (ctype, len(body))
    head += "Connection: close\r\n\r\n"
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(head.encode() + (body or b""))
        data = b""
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            data += b
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.\d (\d{3})", data)
    return int(m.group(1)) if m else 0


def validate(instances, wls):
    """Every instance answers every workload as expected, and the WAFs log
    nothing for the benign ones (else the comparison would be unfair)."""
    problems = []
    for inst in instances:
        for w in wls:
            offset = inst.error_log_size()
            st = send(inst.port, w)
            expect = w[6] if inst.kind != "bare" else 200
            if st != expect:
                problems.append("%s %s: status %d, expected %d" % (inst.kind, w[0], st, expect))
            if inst.kind != "bare" and w[6] == 200:
                time.sleep(0.2)
                text = inst.error_log_since(offset)
                if "ModSecurity: " in text:
                    problems.append("%s %s: the WAF logged a match:\n%s"
                                    % (inst.kind, w[0], text[-2000:]))
    return problems


# --- part 1: wrk ----------------------------------------------------------------------

def wrk_script(base, w):
    name, title, method, path, ctype, body, expect = w
    lines = ['wrk.method = "%s"' % method,
             'wrk.headers["Host"] = "localhost"']     # not an IP (CRS 920350)
    for k, v in BROWSER_HEADERS:
        lines.append('wrk.headers["%s"] = "%s"' % (k, v))
    if body is not None:
        bodyfile = os.path.join(base, "body-%s.bin" % name)
        with open(bodyfile, "wb") as f:
            f.write(body)
        lines.append('wrk.headers["Content-Type"] = "%s"' % ctype)
        lines.append('local f = assert(io.open("%s", "rb"))' % bodyfile)
        lines.append("wrk.body = f:read(\"*a\")")
        lines.append("f:close()")
    script = os.path.join(base, "wrk-%s.lua" % name)
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    return script


def run_wrk(inst, w, script, args, duration):
    url = "http://127.0.0.1:%d%s" % (inst.port, w[3])
    cmd = [WRK, "-t%d" % args.threads, "-c%d" % args.connections,
           "-d%ds" % duration, "-s", script, url]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=duration + 60)
    m = re.search(r"Requests/sec:\s+([\d.]+)", p.stdout)
    if p.returncode != 0 or not m:
        raise RuntimeError("wrk failed on %s %s:\n%s" % (inst.kind, w[0], p.stdout))
    total = int(re.search(r"(\d+) requests in", p.stdout).group(1))
    m2 = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", p.stdout)
    non2xx = int(m2.group(1)) if m2 else 0
    errors = re.search(r"Socket errors:.*", p.stdout)
    expect_block = w[6] != 200 and inst.kind != "bare"
    if (expect_block and non2xx < total) or (not expect_block and non2xx):
        raise RuntimeError("%s %s: %d of %d responses not as expected:\n%s"
                           % (inst.kind, w[0], non2xx if not expect_block else total - non2xx,
                              total, p.stdout))
    return float(m.group(1)), errors.group(0) if errors else ""


def load_part(instances, wls, base, args):
    results = {(i.kind, w[0]): [] for i in instances for w in wls}
    notes = []
    scripts = {w[0]: wrk_script(base, w) for w in wls}
    for inst in instances:
        for w in wls:                 # warm-up: caches, JIT, thread pools
            run_wrk(inst, w, scripts[w[0]], args, 1)
    order = list(instances)
    for r in range(args.rounds):
        for w in wls:
            for inst in order:
                rps, err = run_wrk(inst, w, scripts[w[0]], args, args.duration)
                results[(inst.kind, w[0])].append(rps)
                if err:
                    notes.append("round %d %s %s: %s" % (r + 1, inst.kind, w[0], err))
                print("  round %d  %-10s %-13s %9.1f req/s" % (r + 1, w[0], inst.kind, rps))
                sys.stdout.flush()
            order = order[1:] + order[:1]
    return results, notes


# --- part 2: callgrind ---------------------------------------------------------------

def parse_callgrind(path):
    """Self cost (first event, Ir) per object file of one callgrind dump."""
    names = {}
    per_obj = {}
    obj = "???"
    skip_next = False
    total = 0
    with open(path, errors="replace") as f:
        for line in f:
            if not line or line[0] == "\n":
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:       # the inclusive cost of a call
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) > 1:
                    n = int(parts[1])
                    per_obj[obj] = per_obj.get(obj, 0) + n
                    total += n
                continue
            if line.startswith("ob="):
                obj = compressed_name(names, "ob", line[3:].strip())
            elif line.startswith(("cob=", "cfi=", "cfl=", "cfn=", "fl=", "fi=", "fe=", "fn=")):
                key, _, val = line.partition("=")
                compressed_name(names, "fl" if key in ("cfi", "cfl", "fi", "fe") else
                                key.lstrip("c") if key != "cob" else "ob", val.strip())
            elif line.startswith("calls="):
                skip_next = True
    return per_obj, total


def compressed_name(names, kind, val):
    """Resolves callgrind's name compression: "(n) name" defines, "(n)" uses."""
    m = re.match(r"\((\d+)\)(?:\s+(.*))?$", val)
    if not m:
        return val
    key = (kind, m.group(1))
    if m.group(2) is not None:
        names[key] = m.group(2)
    return names.get(key, val)


def port_listening(port):
    """127.0.0.1:port is in state LISTEN (0A) in /proc/net/tcp."""
    want = "0100007F:%04X" % port
    with open("/proc/net/tcp") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 3 and parts[1] == want and parts[3] == "0A":
                return True
    return False


def start_under_callgrind(inst, w):
    """httpd -X under callgrind, counting only inside
    ap_run_process_connection (the whole life of a connection's requests:
    every WAF phase, phase 5 and the request pool's cleanups included;
    start-up, configuration and the listener thread excluded)."""
    cgdir = os.path.join(inst.dir, "callgrind", w[0])
    os.makedirs(cgdir)
    os.chmod(cgdir, 0o1777)
    prefix = [VALGRIND, "--tool=callgrind", "--collect-atstart=no",
              "--toggle-collect=ap_run_process_connection",
              "--callgrind-out-file=%s/cg.out.%%p" % cgdir]
    if os.geteuid() == 0:
        # started as www-data rather than switching to it, so that
        # callgrind can write its file at exit; httpd's files follow
        prefix = ["setpriv", "--reuid=www-data", "--regid=www-data",
                  "--init-groups"] + prefix
        for sub in ("logs", "run", "tmp", "callgrind"):
            for dirpath, dirs, files in os.walk(os.path.join(inst.dir, sub)):
                for n in dirs + files:
                    shutil.chown(os.path.join(dirpath, n), "www-data", "www-data")
            shutil.chown(os.path.join(inst.dir, sub), "www-data", "www-data")
    log = open(os.path.join(inst.dir, "logs", "stderr.log"), "a")
    inst.proc = subprocess.Popen(prefix + inst.command(single=True), stdout=log, stderr=log)
    # no probe connection (it would be counted): the socket's LISTEN state
    # in /proc/net/tcp, then a moment for the worker threads
    end = time.time() + CALLGRIND_START_TIMEOUT
    while time.time() < end:
        if inst.proc.poll() is not None:
            raise RuntimeError("%s: httpd under callgrind exited:\n%s"
                               % (inst.kind, inst.log_tail()))
        if port_listening(inst.port):
            time.sleep(3.0)
            if inst.proc.poll() is None and port_listening(inst.port):
                return cgdir
        time.sleep(0.5)
    inst.stop()
    raise RuntimeError("%s: httpd did not start under callgrind" % inst.kind)


def callgrind_part(instances, wls, args):
    """{(server, workload): (module self Ir/req, process Ir/req)}: one
    callgrind run of N requests per instance and workload."""
    out = {}
    for inst in instances:
        for w in wls:
            t0 = time.time()
            cgdir = start_under_callgrind(inst, w)
            pid = inst.proc.pid
            try:
                expect = w[6] if inst.kind != "bare" else 200
                for _ in range(args.requests):
                    st = send(inst.port, w, timeout=300)
                    if st != expect:
                        raise RuntimeError("%s %s under callgrind: status %d"
                                           % (inst.kind, w[0], st))
                time.sleep(1.0)    # phase 5 ends after the response
            finally:
                inst.stop()
            dump = os.path.join(cgdir, "cg.out.%d" % pid)
            if not os.path.exists(dump):
                raise RuntimeError("no callgrind output %s:\n%s" % (dump, inst.log_tail()))
            per_obj, total = parse_callgrind(dump)
            mod = MODULE_OBJECTS.get(inst.kind)
            self_ir = sum(v for o, v in per_obj.items()
                          if mod and os.path.basename(o) == mod)
            out[(inst.kind, w[0])] = (self_ir / args.requests, total / args.requests, dump)
            print("  callgrind %-9s %-11s module %12s  process %12s Ir/request  (%.0f s)"
                  % (inst.kind, w[0], fmt(self_ir / args.requests),
                     fmt(total / args.requests), time.time() - t0))
            sys.stdout.flush()
    return out


# --- report -----------------------------------------------------------------------------

def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%d CPUs (nproc), %s, Linux %s" % (os.cpu_count() or 0, cpu, platform.release())


def versions():
    def first_line(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  universal_newlines=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"
    v = first_line([HTTPD, "-v"]).replace("Server version: ", "")
    modsec = first_line(["dpkg-query", "-W", "-f", "${Version}", "libapache2-mod-security2"])
    crs = first_line(["dpkg-query", "-W", "-f", "${Version}", "modsecurity-crs"])
    return "%s; libapache2-mod-security2 %s; modsecurity-crs %s; %s" % (
        v, modsec, crs, first_line([WRK, "-v"]).split(" [")[0].strip())


def fmt(n):
    return "{:,}".format(int(round(n)))


def report(wls, load, callg, args, notes, cmdline, loads):
    lines = []
    lines.append("Run of %s on %s." % (datetime.date.today().isoformat(), machine()))
    lines.append("")
    lines.append("Load average (1, 5, 15 min) before the run: %s; after: %s (other "
                 "work on the machine makes requests per second noisy; instruction "
                 "counts are not affected)." % loads)
    lines.append("")
    lines.append("Software: %s." % versions())
    lines.append("")
    lines.append("Command (from the repository root, after building the module):")
    lines.append("")
    lines.append("    " + cmdline)
    lines.append("")
    if load:
        lines.append("### Throughput (requests per second, median of %d rounds of %d s)"
                     % (args.rounds, args.duration))
        lines.append("")
        lines.append("wrk -t%d -c%d, keep-alive, 127.0.0.1; one httpd process of 32 threads "
                     "(event MPM) per instance." % (args.threads, args.connections))
        lines.append("")
        lines.append("| workload | bare Apache | mod_palisade | mod_security2 "
                     "| palisade / mod_security2 | palisade / bare |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for w in wls:
            med = {s: statistics.median(load[(s, w[0])]) for s in SERVERS}
            lines.append("| %s | %s | %s | %s | %.2f | %.2f |" % (
                w[1], fmt(med["bare"]), fmt(med["palisade"]), fmt(med["modsec"]),
                med["palisade"] / med["modsec"], med["palisade"] / med["bare"]))
        lines.append("")
        lines.append("Every round (req/s): " + "; ".join(
            "%s %s %s" % (w[0], s, "/".join("%.0f" % x for x in load[(s, w[0])]))
            for w in wls for s in SERVERS) + ".")
        lines.append("")
        for n in notes:
            lines.append("wrk: " + n)
        if notes:
            lines.append("")
    if callg:
        lines.append("### Instructions per request (callgrind, %d requests per workload)"
                     % args.requests)
        lines.append("")
        lines.append("`valgrind --tool=callgrind --collect-atstart=no "
                     "--toggle-collect=ap_run_process_connection` on `apache2 -X`, one run "
                     "per instance and workload of N requests on one connection each "
                     "(the first included, start-up excluded). "
                     "\"module\" is the self cost of the module's object file "
                     "(mod_palisade.so, mod_security2.so) and nothing else; \"process\" "
                     "counts every object (httpd, APR, PCRE2 and its JIT code, libxml2, "
                     "libc; not the kernel); \"WAF total\" is process minus "
                     "bare Apache's process.")
        lines.append("")
        lines.append("| workload | mod_palisade.so | mod_security2.so | ratio "
                     "| palisade WAF total | mod_security2 WAF total | ratio | bare Apache process |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for w in wls:
            p = callg.get(("palisade", w[0]))
            m = callg.get(("modsec", w[0]))
            b = callg.get(("bare", w[0]))
            if not (p and m and b):
                continue
            pt, mt = p[1] - b[1], m[1] - b[1]
            lines.append("| %s | %s | %s | %.2f | %s | %s | %.2f | %s |" % (
                w[1], fmt(p[0]), fmt(m[0]), p[0] / m[0] if m[0] else 0,
                fmt(pt), fmt(mt), pt / mt if mt else 0, fmt(b[1])))
        lines.append("")
    return "\n".join(lines)


def write_report(path, text):
    block = MARK_BEGIN + "\n" + text + "\n" + MARK_END
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if MARK_BEGIN in old and MARK_END in old:
            new = old[:old.index(MARK_BEGIN)] + block + old[old.index(MARK_END) + len(MARK_END):]
        else:
            new = old.rstrip("\n") + "\n\n" + block + "\n"
    else:
        new = "# Benchmark\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(new)


# --- main --------------------------------------------------------------------------------

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--requests", type=int, default=100, help="requests per workload under callgrind")
    ap.add_argument("--no-load", action="store_true", help="skip the wrk part")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the callgrind part")
    ap.add_argument("--only", help="comma-separated workload names")
    ap.add_argument("--module", default=os.environ.get(
        "PALISADE_MODULE", os.path.join(ROOT, "apache2", ".libs", "mod_palisade.so")))
    ap.add_argument("--write", metavar="FILE", help="put the tables into FILE (docs/benchmark.md)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return ap.parse_args()


def preflight(args):
    missing = []
    for p, what in ((HTTPD, "apache2"), (args.module, "the module (build first)"),
                    (os.path.join(MODDIR, "mod_security2.so"), "libapache2-mod-security2"),
                    (CRS_SETUP, "modsecurity-crs"), (RECOMMENDED, "rules/palisade.conf-recommended")):
        if not os.path.exists(p):
            missing.append("%s (%s)" % (p, what))
    if not args.no_load and not os.access(WRK, os.X_OK):
        missing.append("wrk (apt-get install wrk)")
    if not args.no_callgrind and not os.access(VALGRIND, os.X_OK):
        missing.append("valgrind (apt-get install valgrind)")
    return missing


def main():
    args = parse_args()
    missing = preflight(args)
    if missing:
        print("cannot run: missing " + ", ".join(missing))
        return 2
    args.module = os.path.abspath(args.module)
    shown, skip = [], False
    for a in sys.argv[1:]:          # the command without its --write FILE
        if skip or a.startswith("--write"):
            skip = a == "--write" and not skip
            continue
        shown.append(a)
    cmdline = " ".join(["python3", "tools/bench.py"] + shown)
    wls = workloads()
    if args.only:
        keep = args.only.split(",")
        wls = [w for w in wls if w[0] in keep]
    base = tempfile.mkdtemp(prefix="palisade-bench-")
    os.chmod(base, 0o755)
    instances = [Instance(k, base, args.module) for k in SERVERS]
    load, callg, notes = None, None, []
    load_before = load_average()
    try:
        for inst in instances:
            inst.start()
        problems = validate(instances, wls)
        if problems:
            print("the instances do not answer as expected:\n" + "\n".join(problems))
            return 1
        if not args.no_load:
            print("== throughput: %d rounds x %d workloads x 3 instances x %d s"
                  % (args.rounds, len(wls), args.duration))
            load, notes = load_part(instances, wls, base, args)
        for inst in instances:
            inst.stop()
        if not args.no_callgrind:
            print("== instructions: callgrind, %d requests per workload" % args.requests)
            callg = callgrind_part(instances, wls, args)
    finally:
        for inst in instances:
            inst.stop()
        if args.keep:
            print("kept " + base)
        else:
            shutil.rmtree(base, ignore_errors=True)
    text = report(wls, load, callg, args, notes, cmdline, (load_before, load_average()))
    print()
    print(text)
    if args.write:
        write_report(args.write, text)
        print("written to " + args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
