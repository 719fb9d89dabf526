#!/usr/bin/env python3
"""OWASP CRS 3.3.4 regression suite against mod_palisade in a private Apache.

Starts `apache2 -f CONF -d DIR` from a temporary directory on a free
127.0.0.1 port, configured as CRS's own CI was (tests/crs/httpd.conf.in and
tests/crs/waf.conf.in: DetectionOnly, paranoia level 4, marker rule 999999,
Debian's CRS 3.3.4), runs tools/crs-regress.py on ../shared/crs-tests/v3.3.4
with tests/crs/overrides.yaml, stops Apache and prints the runner's
"N passed, M failed, K skipped" last.  Prints "skipped" (exit 0) when the
CRS rules or the shared tests are absent.

Options / environment:
  --reference (or PALISADE_CRS_REFERENCE=1)  load ModSecurity 2.9
        (mod_security2) instead: the harness must give 2396/2396 there.
  --filter REGEX, --exclude REGEX   passed to the runner (test ids).
  --json FILE   per-test results (default: PALISADE_BUILDDIR/tests/logs/
                crs-results.json when that directory exists).
  --waf-conf FILE   another template than tests/crs/waf.conf.in.
  --keep (or PALISADE_CRS_KEEP=1)   keep the temporary directory (logs).
  --serve       start Apache, print its port and directory, wait for ^C.
  PALISADE_MODULE, PALISADE_HTTPD, PALISADE_HTTPD_PRELOAD, PALISADE_SHARED
        as for the other tests (see tests/run.sh).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "tests", "crs")
RUNNER = os.path.join(ROOT, "tools", "crs-regress.py")
HTTPD = os.environ.get("PALISADE_HTTPD", "/usr/sbin/apache2")
MODDIR = os.environ.get("PALISADE_APACHE_MODDIR", "/usr/lib/apache2/modules")
MODULE = os.environ.get("PALISADE_MODULE",
                        os.path.join(ROOT, "apache2", ".libs", "mod_palisade.so"))
PRELOAD = os.environ.get("PALISADE_HTTPD_PRELOAD", "")
CRS_RULES = "/usr/share/modsecurity-crs/rules"
CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf"
START_TIMEOUT = 90 if PRELOAD else 45      # seconds: CRS at PL4 loads slowly


def shared_dir():
    d = os.environ.get("PALISADE_SHARED") or os.path.join(ROOT, "..", "shared")
    return os.path.abspath(d)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


class Apache:
    """httpd with the CRS CI configuration in a private directory."""

    def __init__(self, reference, waf_template):
        self.dir = tempfile.mkdtemp(prefix="palisade-crs-")
        self.port = free_port()
        self.proc = None
        os.chmod(self.dir, 0o755)
        for sub in ("logs", "run", "conf"):
            os.mkdir(os.path.join(self.dir, sub))
        # written by the children, which run as www-data when we are root
        for sub in ("tmp", "data", "upload"):
            os.mkdir(os.path.join(self.dir, sub))
            os.chmod(os.path.join(self.dir, sub), 0o1777)
        shutil.copytree(os.path.join(HERE, "htdocs"), os.path.join(self.dir, "htdocs"))
        if reference:
            load = "LoadModule security2_module %s/mod_security2.so" % MODDIR
        else:
            load = "LoadModule palisade_module %s" % MODULE
        user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
        values = {"@DIR@": self.dir, "@PORT@": str(self.port), "@MODDIR@": MODDIR,
                  "@WAF_LOAD@": load, "@USER@": user}
        self.conf = self.fill("httpd.conf.in", "conf/httpd.conf", values)
        self.fill(waf_template, "conf/waf.conf", values)
        for dirpath, dirs, files in os.walk(self.dir):
            for name in files:
                os.chmod(os.path.join(dirpath, name), 0o644)
            for name in dirs:
                p = os.path.join(dirpath, name)
                os.chmod(p, os.stat(p).st_mode | 0o755)
        self.error_log = os.path.join(self.dir, "logs", "error.log")

    def fill(self, template, name, values):
        with open(os.path.join(HERE, template)) as f:
            text = f.read()
        for k, v in values.items():
            text = text.replace(k, v)
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self):
        env = dict(os.environ)
        if PRELOAD:
            env["LD_PRELOAD"] = PRELOAD
            env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        cmd = [HTTPD, "-f", self.conf, "-d", self.dir, "-DFOREGROUND"]
        check = subprocess.run(cmd[:-1] + ["-t"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True)
        if check.returncode != 0:
            return "configuration test failed:\n" + check.stdout[-3000:]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "logs", "stderr.log"), "w"))
        if not wait_port(self.port, self.proc, START_TIMEOUT):
            self.stop()
            return "apache2 did not start:\n" + self.tail()
        return None

    def tail(self, n=40):
        out = ""
        for name in ("stderr.log", "error.log"):
            p = os.path.join(self.dir, "logs", name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out += "".join(f.readlines()[-n:])
        return out

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self, keep):
        if keep:
            print("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def default_json():
    build = os.environ.get("PALISADE_BUILDDIR")
    if build and os.path.isdir(os.path.join(build, "tests", "logs")):
        return os.path.join(build, "tests", "logs", "crs-results.json")
    return None


def on_sigterm(signum, frame):
    raise KeyboardInterrupt()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", action="store_true",
                    default=os.environ.get("PALISADE_CRS_REFERENCE") == "1")
    ap.add_argument("--filter")
    ap.add_argument("--exclude")
    ap.add_argument("--json", default=default_json())
    ap.add_argument("--keep", action="store_true",
                    default=os.environ.get("PALISADE_CRS_KEEP") == "1")
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--waf-conf", default=os.path.join(HERE, "waf.conf.in"),
                    help="another WAF configuration template (@DIR@ is replaced)")
    ap.add_argument("--verbose", action="store_true", help="print passing tests too")
    ap.add_argument("--show-log", action="store_true", help="print log lines of failures")
    ap.add_argument("--compare", metavar="JSON",
                    help="list tests whose rule ids differ from this results file "
                    "(e.g. one written with --reference --json)")
    return ap.parse_args()


def preflight(args, tests):
    """None when the suite can run, else (message, exit status)."""
    if not os.path.isdir(CRS_RULES) or not os.path.isfile(CRS_SETUP):
        return "skipped: the CRS rules (%s, %s) are not installed" % (CRS_RULES, CRS_SETUP), 0
    if not os.path.isdir(tests):
        return "skipped: %s is absent" % tests, 0
    if not args.reference and not os.path.isfile(MODULE):
        return "no module at %s (build first)\n0 passed, 1 failed" % MODULE, 1
    # the request builder first: a broken runner makes every result void
    selftest = subprocess.run([sys.executable, RUNNER, "--self-test"], stdout=subprocess.PIPE,
                              universal_newlines=True)
    if selftest.returncode != 0:
        return selftest.stdout + "tools/crs-regress.py --self-test failed\n0 passed, 1 failed", 1
    return None


def serve(apache):
    """Keeps Apache up until ^C or SIGTERM (for running tests by hand)."""
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        while apache.proc.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    apache.stop()
    apache.cleanup(True)
    return 0


def run_suite(args, apache, tests):
    cmd = [sys.executable, RUNNER, "--port", str(apache.port), "--log", apache.error_log,
           "--overrides", os.path.join(HERE, "overrides.yaml"), tests]
    if not args.verbose:
        cmd.append("--quiet")
    for opt in ("filter", "exclude", "json", "compare"):
        if getattr(args, opt):
            cmd += ["--" + opt, getattr(args, opt)]
    if args.show_log:
        cmd.append("--show-log")
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, universal_newlines=True)
    except BaseException:
        apache.stop()
        raise
    lines = proc.stdout.splitlines()
    totals = lines.pop() if lines and " passed, " in lines[-1] else "0 passed, 1 failed"
    print("\n".join(lines))
    alive = apache.proc.poll() is None
    apache.stop()
    if not alive:
        print("apache2 died during the run:\n" + apache.tail())
    crashes = [l for l in apache.tail(400).splitlines()
               if "exit signal" in l or "AddressSanitizer" in l]
    for l in crashes[:10]:
        print("CRASH " + l)
    apache.cleanup(args.keep or proc.returncode != 0)
    if args.json:
        print("results: %s" % args.json)
    failed = proc.returncode != 0 or not alive or crashes
    m = re.match(r"(\d+) passed, (\d+) failed(.*)", totals)
    if failed and (not m or m.group(2) == "0"):
        # a crash or a runner error must show as a failure in the totals
        totals = "%s passed, 1 failed%s" % (m.group(1), m.group(3)) if m else "0 passed, 1 failed"
    print(totals)
    return 1 if failed else 0


def main():
    args = parse_args()
    tests = os.path.join(shared_dir(), "crs-tests", "v3.3.4")
    stop = preflight(args, tests)
    if stop:
        print(stop[0])
        return stop[1]
    apache = Apache(args.reference, os.path.abspath(args.waf_conf))
    err = apache.start()
    if err:
        print(err)
        apache.cleanup(True)
        print("0 passed, 1 failed")
        return 1
    print("apache2 (%s) on 127.0.0.1:%d, directory %s"
          % ("mod_security2" if args.reference else "mod_palisade", apache.port, apache.dir))
    sys.stdout.flush()
    if args.serve:
        return serve(apache)
    return run_suite(args, apache, tests)


if __name__ == "__main__":
    sys.exit(main())
