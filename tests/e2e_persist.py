#!/usr/bin/env python3
"""End-to-end tests of persistent collections (issue 7) in private Apache
instances: SDBM files under SecDataDir with the event MPM (threads) and the
prefork MPM (processes), and a Redis-protocol store (a redis-server this
script starts on a free 127.0.0.1 port with its own configuration in a
temporary directory, and stops).

  - counters: 8 clients x 250 requests, the IP counter ends at exactly 2000
    (SDBM event and prefork, Redis);
  - expiry: SecCollectionTimeout, expirevar, the SDBM sweep of expired
    records, Redis TTLs;
  - a child killed with SIGKILL while writing leaves a readable database;
  - files: ModSecurity 2.9.7's names and record format (the upstream
    regression case "SecDataDir"), SecWebAppId namespacing, a database
    written by mod_security2 read and continued;
  - Redis unreachable or hanging: fail-open (requests pass, one error-log
    line per interval) and fail-closed (503).

Uses the harness of tests/e2e_apache.py.  Environment as there, plus
PALISADE_REDIS_SERVER (default: redis-server, then valkey-server, on PATH
or in /usr/bin).  Last line "N passed, M failed".
"""

import glob
import http.client
import json
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_apache as E  # noqa: E402
from e2e_apache import Apache, Runner, check  # noqa: E402

CLIENTS = 8
REQUESTS_PER_CLIENT = 250
SHARED = os.environ.get("PALISADE_SHARED") or os.path.join(E.ROOT, "..", "shared")
CLI = os.environ.get("PALISADE_CLI") or os.path.join(E.ROOT, "tools", "palisade-cli")

# The counter every test uses: phase 1 initcol + increment, ?read=1 only
# reports the value in a response header (through setenv and mod_headers).
COUNTER_RULES = r'''
SecRuleEngine On
SecAction "id:7001,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"
SecRule &ARGS:read "@eq 0" "id:7002,phase:1,pass,nolog,setvar:ip.n=+1"
SecAction "id:7003,phase:1,pass,nolog,setenv:pl_n=%{ip.n},setenv:pl_new=%{ip.is_new},setenv:pl_uc=%{ip.update_counter}"
Header always set X-N "%{pl_n}e"
Header always set X-New "%{pl_new}e"
Header always set X-UC "%{pl_uc}e"
'''


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

class PApache(Apache):
    """Apache of the harness with a choice of MPM: event (the harness's:
    one child, 16 threads), worker, or prefork (4 to 8 processes)."""

    def __init__(self, conf="", mpm="event", **kw):
        self.mpm = mpm
        super().__init__(conf, **kw)

    def base_config(self):
        text = super().base_config()
        if self.mpm == "worker":
            return text.replace("mpm_event", "mpm_worker")
        if self.mpm != "prefork":
            return text
        text = text.replace("mpm_event", "mpm_prefork")
        out = []
        for line in text.split("\n"):
            word = line.split(" ", 1)[0]
            if word in ("ThreadLimit", "ThreadsPerChild", "MinSpareThreads", "MaxSpareThreads"):
                continue
            if word == "ServerLimit":
                line = "ServerLimit 8"
            elif word == "StartServers":
                line = "StartServers 4\nMinSpareServers 4\nMaxSpareServers 8"
            elif word == "MaxRequestWorkers":
                line = "MaxRequestWorkers 8"
            out.append(line)
        return "\n".join(out)

    def start(self):
        # in a process group of its own: prefork's parent signals its
        # whole group (SIGTERM) when it shuts down
        self.proc = subprocess.Popen([E.HTTPD, "-f", self.conf, "-d", self.dir, "-DFOREGROUND"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=self.env(), start_new_session=True)
        if not E.wait_port(self.port, self.proc, E.START_TIMEOUT):
            if self.proc.poll() is None:
                self.proc.kill()
            out = self.proc.communicate()[0]
            self.proc = None
            raise RuntimeError("httpd did not start: %s\n%s" % (
                out.decode("latin-1").strip(), self.error_log()[-3000:]))
        return self

    def children(self):
        """Pids of the httpd children (the processes serving requests)."""
        if self.proc is None:
            return []
        p = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],
                           capture_output=True, text=True)
        return [int(x) for x in p.stdout.split()]


def header(resp, name):
    return resp.getheader(name)


def get_counter(a, path="/index.html?read=1"):
    """(n, is_new, update_counter) as the next request sees them."""
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=E.IO_TIMEOUT)
    try:
        conn.request("GET", path, headers=dict(E.BROWSER_HEADERS))
        r = conn.getresponse()
        r.read()
        return r.getheader("X-N"), r.getheader("X-New"), r.getheader("X-UC")
    finally:
        conn.close()


def hammer(port, clients, per_client, path="/index.html", stop=None):
    """clients threads send per_client keep-alive GETs each; returns
    (successes, failures).  A connection that breaks is opened again; a
    request on a kept-alive connection the server had closed without
    answering (the event MPM does that when its workers are busy) is sent
    again once, as browsers do."""
    ok = [0] * clients
    bad = [0] * clients

    def one(conn):
        conn.request("GET", path, headers=dict(E.BROWSER_HEADERS))
        r = conn.getresponse()
        r.read()
        return r

    def client(i):
        conn = None
        for _ in range(per_client):
            if stop is not None and stop.is_set():
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=E.IO_TIMEOUT)
                try:
                    r = one(conn)
                except http.client.RemoteDisconnected:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=E.IO_TIMEOUT)
                    r = one(conn)
                if r.status == 200:
                    ok[i] += 1
                else:
                    bad[i] += 1
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                bad[i] += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(ok), sum(bad)


def settle():
    """Collections are stored in log_transaction, after the response."""
    time.sleep(0.5)


def data_files(a, pattern):
    return sorted(glob.glob(a.path("tmp/" + pattern)))


def dump(path):
    """Records of an SDBM collection file through palisade-cli -D:
    ([(key, fields)], unreadable)."""
    p = subprocess.run([CLI, "-D", path], capture_output=True, timeout=60)
    check(p.returncode == 0, "palisade-cli -D %s: %s" % (path, p.stderr.decode("latin-1")))
    recs, bad = [], None
    for line in p.stdout.decode("latin-1").splitlines():
        d = json.loads(line)
        if "records" in d:
            bad = d["unreadable"]
        else:
            recs.append((d["key"], d["fields"]))
    return recs, bad


def child_user():
    """The user the children run as: the collection files' prefix."""
    return "www-data" if os.geteuid() == 0 else \
        subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()


# ---------------------------------------------------------------------------
# A private redis-server
# ---------------------------------------------------------------------------

def redis_binary():
    cands = [os.environ.get("PALISADE_REDIS_SERVER"), shutil.which("redis-server"),
             "/usr/bin/redis-server", shutil.which("valkey-server"), "/usr/bin/valkey-server"]
    for c in cands:
        if c and os.access(c, os.X_OK):
            return c
    return None


class Redis:
    """redis-server on a free 127.0.0.1 port, no persistence, temp dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="palisade-redis-")
        self.port = E.free_port()
        self.proc = None

    def start(self):
        conf = os.path.join(self.dir, "redis.conf")
        with open(conf, "w") as f:
            f.write("bind 127.0.0.1\nport %d\nsave \"\"\nappendonly no\n"
                    "dir %s\nprotected-mode yes\nlogfile %s/redis.log\n"
                    % (self.port, self.dir, self.dir))
        self.proc = subprocess.Popen([redis_binary(), conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if not E.wait_port(self.port, self.proc, 10):
            raise RuntimeError("redis-server did not start on %d" % self.port)
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def cmd(self, *args):
        """One command in the RESP protocol; returns the decoded reply."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            out = b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
            s.sendall(out)
            f = s.makefile("rb")
            return self._read(f)
        finally:
            s.close()

    def _read(self, f):
        line = f.readline().rstrip(b"\r\n")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = f.read(n + 2)[:-2]
            return data.decode("latin-1")
        if t == b"*":
            return [self._read(f) for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)


def redis_prereq():
    env = os.path.join(os.environ.get("PALISADE_BUILDDIR", E.ROOT), "tests", "build.env")
    try:
        with open(env) as f:
            if "PL_HIREDIS='no'" in f.read():
                return "this build has no Redis store (configure found no hiredis)"
    except OSError:
        pass
    if redis_binary() is None:
        return "no redis-server (apt-get install redis-server)"
    return None


def backend(r, prefix, extra=""):
    return "SecCollectionBackend redis://127.0.0.1:%d/0?prefix=%s:%s\n" % (r.port, prefix, extra)


# ---------------------------------------------------------------------------
# Tests: SDBM
# ---------------------------------------------------------------------------

def counter_exact(a, label):
    ok, bad = hammer(a.port, CLIENTS, REQUESTS_PER_CLIENT)
    settle()
    n, _, uc = get_counter(a)
    total = CLIENTS * REQUESTS_PER_CLIENT
    check(ok == total and bad == 0, "%s: %d requests answered 200, %d not" % (label, ok, bad),
          a.error_log())
    check(n == str(total), "%s: IP:n is %s after %d concurrent increments" % (label, n, total),
          a.error_log())
    check(uc == str(total), "%s: UPDATE_COUNTER is %s, expected %d" % (label, uc, total))


def test_sdbm_counter_event():
    with PApache(COUNTER_RULES, mpm="event") as a:
        counter_exact(a, "SDBM, event MPM")


def test_sdbm_counter_prefork():
    with PApache(COUNTER_RULES, mpm="prefork") as a:
        counter_exact(a, "SDBM, prefork MPM")
        check(len(a.children()) >= 2, "prefork ran with %d children" % len(a.children()))


def test_sdbm_counter_worker_after_graceful():
    with PApache(COUNTER_RULES, mpm="worker") as a:
        get_counter(a, "/index.html")
        a.proc.send_signal(signal.SIGUSR1)
        check(a.wait_log(r"AH00493|SIGUSR1 received", 10) is not None, "no graceful restart")
        time.sleep(1)
        ok, bad = hammer(a.port, 4, 100)
        settle()
        n, _, _ = get_counter(a)
        check(bad == 0 and n == "401", "after a graceful restart: n=%s (%d failed)" % (n, bad),
              a.error_log())


def test_sdbm_files_and_record_format():
    # tests/regression/config/10-misc-directives.t "SecDataDir" of
    # ModSecurity 2.9.7 expects DATA_DIR/ip.pag holding the record; 2.9.7
    # itself names the file USER-ip.pag (the user the children run as).
    conf = ('SecRuleEngine On\n'
            'SecAction initcol:ip=%{REMOTE_ADDR},setvar:ip.dummy=1,pass,id:500085\n')
    pattern = rb"\x00\x06dummy\x00\x00\x021\x00"
    case = os.path.join(SHARED, "modsec-vectors/regression/config/10-misc-directives.json")
    if os.path.exists(case):
        with open(case) as f:
            for c in json.load(f)["cases"]:
                if c.get("comment") == "SecDataDir":
                    conf = re.sub(r'SecDataDir "@@DATA_DIR@@"\s*', "", c["conf"])
                    pattern = c["match_file"][0]["pattern"].encode("latin-1") \
                        .decode("unicode_escape").encode("latin-1")
    with PApache(conf) as a:
        st, _, _ = a.get("/index.html")
        check(st == 200, "status %d" % st)
        check(a.wait_log(r"Warning\. Unconditional match in SecAction\.") is not None,
              "no 'Unconditional match' line", a.error_log())
        settle()
        pag = a.path("tmp/%s-ip.pag" % child_user())
        check(os.path.exists(pag), "no %s (files: %s)" % (pag, os.listdir(a.path("tmp"))))
        with open(pag, "rb") as f:
            data = f.read()
        check(re.search(pattern, data) is not None, "%s lacks %r" % (pag, pattern))
        check(b"IR\x01" in data, "no 2.9 record header (IR\\x01) in %s" % pag)
        recs, bad = dump(pag[:-4])
        check(bad == 0 and len(recs) == 1 and recs[0][0] == "127.0.0.1"
              and recs[0][1].get("dummy") == "1", "dump: %r, %r unreadable" % (recs, bad))


def test_sdbm_webappid_namespaces():
    conf = ("SecRuleEngine On\n"
            "<Location /shop>\n  SecWebAppId shop\n</Location>\n"
            "<Location /blog>\n  SecWebAppId blog\n</Location>\n"
            'SecAction "id:7101,phase:2,pass,nolog,setsid:%{ARGS.sid},setvar:session.n=+1,'
            'setenv:pl_n=%{session.n}"\n'
            'Header always set X-N "%{pl_n}e"\n')
    with PApache(conf, files={"htdocs/shop/index.html": "shop\n",
                              "htdocs/blog/index.html": "blog\n"}) as a:
        seen = []
        for path in ("/shop/", "/shop/", "/blog/", "/shop/"):
            conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=E.IO_TIMEOUT)
            conn.request("GET", path + "?sid=abc")
            r = conn.getresponse()
            r.read()
            seen.append(r.getheader("X-N"))
            conn.close()
            settle()
        check(seen == ["1", "2", "1", "3"], "SESSION counters per SecWebAppId: %r" % seen,
              a.error_log())
        user = child_user()
        for app in ("shop", "blog"):
            f = a.path("tmp/%s-%s_SESSION.pag" % (user, app))
            check(os.path.exists(f), "no %s" % f)


def test_sdbm_expiry_and_sweep():
    conf = ("SecRuleEngine On\nSecCollectionTimeout 1\n"
            'SecAction "id:7201,phase:1,pass,nolog,initcol:ip=%{ARGS.k},setvar:ip.n=+1,'
            'setenv:pl_new=%{ip.is_new}"\n'
            'Header always set X-New "%{pl_new}e"\n')
    with PApache(conf) as a:
        for k in range(40):
            st, _, _ = a.get("/index.html?k=key%d" % k)
            check(st == 200, "status %d" % st)
        settle()
        pag = a.path("tmp/%s-ip" % child_user())
        recs, bad = dump(pag)
        check(len(recs) == 40 and bad == 0, "%d records stored, %d unreadable" % (len(recs), bad))
        time.sleep(2.2)
        # expired: a new collection for the same key
        st, hdrs, _ = a.get("/index.html?k=key0")
        check(E.header(hdrs, "X-New") == "1", "expired record still loaded: %r" % hdrs)
        # the sweep runs at most once a minute per file (a process looks at
        # the marker at most every second): backdate the marker
        settle()
        os.utime(pag + ".sweep", (0, 0))
        time.sleep(1.1)
        st, _, _ = a.get("/index.html?k=fresh")
        settle()
        recs, bad = dump(pag)
        keys = sorted(k for k, _ in recs)
        # (key0 was stored again with the same 1 s timeout: gone too)
        check(keys == ["fresh"] and bad == 0,
              "after the sweep: %r (%r unreadable)" % (keys, bad), a.error_log())


def sigkill_while_writing(mpm, mutex=""):
    """Children are killed (SIGKILL) while 8 clients write big records (a
    wide write window).  The lock a killed child held must not block the
    others, counting must go on, and the database, checked with
    palisade-cli -D once the server is stopped, must be readable."""
    filler = ",".join("setvar:ip.v%d=%s" % (i, "x" * 20) for i in range(12))
    conf = COUNTER_RULES + 'SecAction "id:7301,phase:1,pass,nolog,%s"\n' % filler + mutex
    keep = tempfile.mkdtemp(prefix="palisade-sdbm-")
    try:
        with PApache(conf, mpm=mpm) as a:
            stop = threading.Event()
            result = []
            t = threading.Thread(target=lambda: result.append(
                hammer(a.port, CLIENTS, 400, stop=stop)))
            t.start()
            kills = 0
            for _ in range(6):
                time.sleep(0.4)
                kids = a.children()
                # event: its only child; prefork: one of them
                for pid in (kids if mpm != "prefork" else kids[len(kids) // 2:][:1]):
                    try:
                        os.kill(pid, signal.SIGKILL)
                        kills += 1
                    except OSError:
                        pass
            stop.set()
            t.join()
            ok, bad = result[0]
            time.sleep(1.5)                # the parent starts new children
            n1, _, _ = get_counter(a)
            st, _, _ = a.get("/index.html")
            settle()
            n2, _, _ = get_counter(a)
            check(kills > 0, "no child was killed")
            check(n1 is not None and n1.isdigit() and 0 < int(n1) <= ok + CLIENTS,
                  "after %d kills: IP:n=%s with %d requests answered" % (kills, n1, ok),
                  a.error_log())
            check(st == 200 and n2 == str(int(n1) + 1),
                  "counting after the kills: %s -> %s (status %d)" % (n1, n2, st), a.error_log())
            a.stop()
            for f in glob.glob(a.path("tmp/*-ip.*")):
                shutil.copy(f, keep)
        base = glob.glob(os.path.join(keep, "*-ip.pag"))
        check(base, "no ip database")
        recs, unreadable = dump(base[0][:-4])
        check(unreadable == 0 and len(recs) == 1 and recs[0][1].get("n") == n2,
              "after SIGKILLs: %d records, %d unreadable, n=%r (expected %s)"
              % (len(recs), unreadable, recs[0][1].get("n") if recs else None, n2))
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def test_sdbm_sigkill_event():
    # the harness's "Mutex file:": fcntl() locks
    sigkill_while_writing("event")


def test_sdbm_sigkill_prefork():
    # APR's default on Linux: a process-shared (robust) pthread mutex
    sigkill_while_writing("prefork", "Mutex pthread palisade-persist\n")


def test_sdbm_shared_with_modsecurity():
    # mod_security2 (2.9.7) writes the database, Palisade continues the
    # counter, mod_security2 reads Palisade's record.
    if not os.path.exists(os.path.join(E.MODDIR, "mod_security2.so")) or E.REFERENCE:
        print("   (skipped: no mod_security2)")
        return
    data = tempfile.mkdtemp(prefix="palisade-shared-data-")
    os.chmod(data, 0o1777)
    conf = COUNTER_RULES + "SecDataDir %s\n" % data
    try:
        def run(reference, times):
            saved = E.REFERENCE
            E.REFERENCE = reference
            try:
                a = PApache(conf)
            finally:
                E.REFERENCE = saved
            with a:
                for _ in range(times):
                    a.get("/index.html")
                    settle()
                return get_counter(a)[0]
        n1 = run(True, 3)
        n2 = run(False, 2)
        n3 = run(True, 1)
        check((n1, n2, n3) == ("3", "5", "6"),
              "ModSecurity 3 requests, Palisade 2, ModSecurity 1: counters %r" % ((n1, n2, n3),))
    finally:
        shutil.rmtree(data, ignore_errors=True)


# ---------------------------------------------------------------------------
# Tests: Redis
# ---------------------------------------------------------------------------

def test_redis_counter_event():
    with Redis() as r:
        with PApache(COUNTER_RULES + backend(r, "t1")) as a:
            counter_exact(a, "Redis, event MPM")
        fields = r.cmd("HGETALL", "t1:ip:127.0.0.1")
        h = dict(zip(fields[0::2], fields[1::2]))
        check(h.get("n") == "2000" and h.get("KEY") == "127.0.0.1" and h.get("__name") == "ip",
              "hash t1:ip:127.0.0.1 = %r" % h)
        ttl = r.cmd("TTL", "t1:ip:127.0.0.1")
        check(3000 < ttl <= 3600, "TTL %r, expected SecCollectionTimeout (3600)" % ttl)


def test_redis_counter_prefork():
    with Redis() as r:
        with PApache(COUNTER_RULES + backend(r, "t2"), mpm="prefork") as a:
            counter_exact(a, "Redis, prefork MPM")


def test_redis_expiry():
    conf = (COUNTER_RULES + "SecCollectionTimeout 2\n"
            'SecAction "id:7501,phase:1,pass,nolog,setvar:ip.tmp=1,expirevar:ip.tmp=1"\n')
    with Redis() as r:
        with PApache(conf + backend(r, "t3")) as a:
            a.get("/index.html")
            settle()
            check(r.cmd("EXISTS", "t3:ip:127.0.0.1") == 1, "no hash after a store")
            ttl = r.cmd("TTL", "t3:ip:127.0.0.1")
            check(0 < ttl <= 2, "TTL %r, expected <= 2" % ttl)
            time.sleep(3.2)
            check(r.cmd("EXISTS", "t3:ip:127.0.0.1") == 0, "the server kept an expired record")
            n, new, _ = get_counter(a)
            check(new == "1", "expired record: IS_NEW %r" % new)


def test_redis_fail_open():
    port = E.free_port()                   # nothing listens there
    conf = (COUNTER_RULES + "SecCollectionBackend redis://127.0.0.1:%d/0?timeout=100\n"
            "SecCollectionBackendFailure open\n" % port)
    with PApache(conf) as a:
        statuses = [a.get("/index.html")[0] for _ in range(20)]
        check(statuses == [200] * 20, "fail-open statuses %r" % statuses, a.error_log())
        time.sleep(0.5)
        lines = [l for l in a.error_log().splitlines() if "store redis://" in l]
        check(len(lines) == 1, "%d error-log lines about the store for 20 requests "
              "(one per interval expected)" % len(lines), a.error_log())
        check("failing open" in lines[0], "unexpected line: %s" % lines[0])


def test_redis_fail_closed_and_recovery():
    with Redis() as r:
        conf = (COUNTER_RULES + backend(r, "t5", "&retry=200") +
                "SecCollectionBackendFailure closed\n")
        with PApache(conf) as a:
            check(a.get("/index.html")[0] == 200, "with the store up: not 200", a.error_log())
            settle()
            r.stop()
            st = [a.get("/index.html")[0] for _ in range(3)]
            check(st == [503] * 3, "store down, fail closed: %r" % st, a.error_log())
            check(a.wait_log(r"Access denied with code 503 \(phase 1\)\. Persistent collection store")
                  is not None, "no 'Access denied with code 503' line", a.error_log())
            r.start()
            time.sleep(0.5)
            st = a.get("/index.html")[0]
            check(st == 200, "store back: status %d" % st, a.error_log())


def test_redis_restart_with_kept_connections():
    # Connections kept from before a restart of the store are dead: the
    # request is sent again on a new connection, nothing fails.
    with Redis() as r:
        conf = COUNTER_RULES + backend(r, "t8") + "SecCollectionBackendFailure closed\n"
        with PApache(conf) as a:
            ok, bad = hammer(a.port, 6, 20)
            check(ok == 120, "before the restart: %d ok, %d not" % (ok, bad), a.error_log())
            settle()
            r.stop()
            r.start()
            ok, bad = hammer(a.port, 6, 20)
            settle()
            n, _, _ = get_counter(a)
            check(ok == 120 and bad == 0, "after the restart: %d ok, %d not (503: fail "
                  "closed)" % (ok, bad), a.error_log())
            # the new server started empty: only the requests after it count
            check(n == "120", "IP:n %s after the restart, expected 120" % n)


def test_redis_hanging_store_times_out():
    # A store that accepts but never answers (SIGSTOP): each request waits
    # at most the call timeout, then the store counts as down for retry ms.
    with Redis() as r:
        conf = (COUNTER_RULES + backend(r, "t6", "&timeout=150&retry=1000") +
                "SecCollectionBackendFailure open\n")
        with PApache(conf) as a:
            a.get("/index.html")
            settle()
            r.proc.send_signal(signal.SIGSTOP)
            try:
                t0 = time.time()
                st = [a.get("/index.html")[0] for _ in range(5)]
                took = time.time() - t0
            finally:
                r.proc.send_signal(signal.SIGCONT)
            check(st == [200] * 5, "hanging store, fail open: %r" % st, a.error_log())
            check(took < 3.0, "5 requests against a hanging store took %.1fs" % took)


def test_redis_crs_dos_shared_by_two_servers():
    # Two web servers share the IP collection: requests alternate between
    # them and CRS 3.3.4's DoS rules (threshold 2) block on the 5th.
    if not os.path.exists(E.CRS_RULES):
        print("   (skipped: no CRS)")
        return
    crs = ("SecRuleEngine On\nSecRequestBodyAccess On\nInclude %s\n"
           "SecAction \"id:900700,phase:1,nolog,pass,t:none,setvar:'tx.dos_burst_time_slice=60',"
           "setvar:'tx.dos_counter_threshold=2',setvar:'tx.dos_block_timeout=600'\"\n"
           "Include %s/*.conf\n" % (E.CRS_SETUP, E.CRS_RULES))
    with Redis() as r:
        with PApache(crs + backend(r, "t7")) as a, PApache(crs + backend(r, "t7")) as b:
            got = []
            for i in range(5):
                srv = (a, b)[i % 2]
                got.append(srv.get("/app.php?page=%d" % i)[0])
                settle()
            check(got[:4] == [404] * 4 and got[4] == 0,
                  "statuses %r (404 x4, then dropped)" % got, a.error_log() + b.error_log())
            check(a.wait_log(r'\[id "912120"\]') is not None, "no 912120 line", a.error_log())


def test_redis_engine_cases():
    # The engine cases of persistent collections (tests/engine/2xx-persist)
    # through palisade-cli with this store instead of SDBM files.
    with Redis() as r:
        env = dict(os.environ, PALISADE_TEST_BACKEND="redis://127.0.0.1:%d/0?prefix={case}:"
                   % r.port)
        p = subprocess.run([sys.executable, os.path.join(E.ROOT, "tests", "engine_test.py"),
                            "-persist-"], env=env, capture_output=True, text=True, timeout=600)
        last = (p.stdout.strip().splitlines() or ["(no output)"])[-1]
        check(p.returncode == 0 and re.match(r"\d+ passed, 0 failed", last),
              "engine cases with Redis: %s\n%s" % (last, p.stdout[-3000:]))


SDBM_TESTS = [
    ("SDBM: 8x250 concurrent increments = 2000 (event MPM, threads)", test_sdbm_counter_event),
    ("SDBM: 8x250 concurrent increments = 2000 (prefork MPM, processes)", test_sdbm_counter_prefork),
    ("SDBM: counting goes on across a graceful restart (worker MPM)",
     test_sdbm_counter_worker_after_graceful),
    ("SDBM: 2.9.7 file name and record format (regression SecDataDir)",
     test_sdbm_files_and_record_format),
    ("SDBM: SecWebAppId namespaces SESSION", test_sdbm_webappid_namespaces),
    ("SDBM: SecCollectionTimeout expiry and the sweep of expired records",
     test_sdbm_expiry_and_sweep),
    ("SDBM: children SIGKILLed while writing: no stuck lock, readable database (event, fcntl)",
     test_sdbm_sigkill_event),
    ("SDBM: children SIGKILLed while writing: no stuck lock, readable database (prefork, pthread)",
     test_sdbm_sigkill_prefork),
    ("SDBM: a database of mod_security2 2.9.7 is read and continued", test_sdbm_shared_with_modsecurity),
]

REDIS_TESTS = [
    ("Redis: 8x250 concurrent increments = 2000 (event), hash and TTL", test_redis_counter_event),
    ("Redis: 8x250 concurrent increments = 2000 (prefork)", test_redis_counter_prefork),
    ("Redis: expiry by TTL and expirevar", test_redis_expiry),
    ("Redis: unreachable, fail open: requests pass, one log line", test_redis_fail_open),
    ("Redis: down, fail closed: 503; back: 200", test_redis_fail_closed_and_recovery),
    ("Redis: a restarted store: kept connections are replaced, no request fails",
     test_redis_restart_with_kept_connections),
    ("Redis: a hanging store costs at most the call timeout", test_redis_hanging_store_times_out),
    ("Redis: two servers share CRS DoS counters", test_redis_crs_dos_shared_by_two_servers),
    ("Redis: engine cases 2xx-persist through palisade-cli", test_redis_engine_cases),
]


def main():
    why = E.prerequisites()
    runner = Runner()
    if why:
        print("FAIL end-to-end prerequisites: %s" % why)
        runner.failed += 1
        return runner.finish()
    if not os.access(CLI, os.X_OK):
        print("FAIL palisade-cli not found at %s (set PALISADE_CLI)" % CLI)
        runner.failed += 1
        return runner.finish()
    for name, fn in SDBM_TESTS:
        runner.run(name, fn)
    why = redis_prereq()
    if why:
        print("skip Redis tests: %s" % why)
    else:
        for name, fn in REDIS_TESTS:
            runner.run(name, fn)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
