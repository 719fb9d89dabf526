#!/usr/bin/env python3
"""The audit log writer (apache2/audit.c, audit_json.c) through
tools/palisade-cli, without httpd: record layout, JSON validity, Concurrent
files, sanitisation of every body type, and a run of malformed multipart
bodies (under the sanitizer build this is where memory errors show).

Environment: PALISADE_CLI (default: the in-tree build).
"""

import codecs
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("PALISADE_CLI", os.path.join(ROOT, "tools", "palisade-cli"))
BOUNDARY = re.compile(r"^--([0-9a-f]{8})-([A-Z])--$", re.M)
SECRET = "S3cr3t-Pa55word"

passed = failed = 0


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


class Case:
    def __init__(self, conf):
        self.dir = tempfile.mkdtemp(prefix="palisade-audit-cli-")
        self.conf = os.path.join(self.dir, "main.conf")
        with open(self.conf, "w") as f:
            f.write(conf.replace("@DIR@", self.dir))
        os.mkdir(os.path.join(self.dir, "req"))
        self.n = 0

    def add(self, raw):
        self.n += 1
        with open(os.path.join(self.dir, "req", "%05d.req" % self.n), "wb") as f:
            f.write(raw)

    def run(self, args=()):
        p = subprocess.run([CLI] + list(args) + ["-c", self.conf, "-d", os.path.join(self.dir, "req")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")

    def log(self, name="audit.log"):
        try:
            with open(os.path.join(self.dir, name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def req(head, body=b""):
    head = head.replace("\n", "\r\n")
    if body:
        head = head.rstrip("\r\n") + "\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head.encode("latin-1") + body


def records(text):
    """(boundary, parts string) of each native record, checking structure."""
    out, cur = [], None
    for m in BOUNDARY.finditer(text):
        b, p = m.groups()
        if p == "A":
            if cur is not None:
                raise AssertionError("record %s not closed" % cur[0])
            cur = [b, "A"]
        elif cur is None or b != cur[0]:
            raise AssertionError("part %s of %s outside its record" % (p, b))
        else:
            cur[1] += p
            if p == "Z":
                out.append(tuple(cur))
                cur = None
    if cur is not None:
        raise AssertionError("record %s not closed" % cur[0])
    return out


BASE = """SecRuleEngine On
SecRequestBodyAccess On
SecAuditEngine On
SecAuditLog @DIR@/audit.log
SecAuditLogParts ABCDEFGHIJKZ
"""


def test_layout():
    c = Case(BASE + """SecRule ARGS:a "@rx 1" "id:1,phase:2,pass,log,chain"
SecRule ARGS:b "@rx 2" "t:none"
SecRule ARGS:x "@rx 1" "id:2,phase:1,deny,status:403,log,msg:'x'"
""")
    try:
        c.add(req("GET /p?a=1&b=2 HTTP/1.1\nHost: h\n\n"))
        c.add(req("GET /p?x=1 HTTP/1.1\nHost: h\n\n"))
        c.add(req("POST /p HTTP/1.1\nHost: h\nContent-Type: application/x-www-form-urlencoded\n",
                  b"a=1&b=3"))
        rc, out, err = c.run()
        text = c.log().decode("latin-1")
        recs = records(text)
        result("three records, parts in order",
               [p for _, p in recs] == ["ABFEHKZ", "ABFHKZ", "ABCFEHKZ"], "%s %s" % (recs, err))
        result("chain in part K", 'SecRule "ARGS:a" "@rx 1" "phase:2,auditlog,id:1,pass,log,chain"'
               '\nSecRule "ARGS:b" "@rx 2" "t:none"\n\n' in text, text[:2000])
        result("partial chain marked", '#SecRule "ARGS:b" "@rx 2" "t:none"' in text, text[-1500:])
        result("interception recorded", "Action: Intercepted (phase 1)" in text)
    finally:
        c.close()


def test_json_and_concurrent():
    c = Case(BASE + """SecAuditLogFormat JSON
SecAuditLogType Concurrent
SecAuditLogStorageDir @DIR@/store
SecAuditLog2 @DIR@/audit2.log
SecRule ARGS "@rx ." "id:3,phase:2,pass,log,logdata:'%{MATCHED_VAR}'"
""")
    try:
        bodies = [b"a=\xff\x00\x01\"\\", b"a=caf\xc3\xa9", b"a=\xe2\x82", b"a=" + bytes(range(256))]
        for b in bodies:
            c.add(req("POST /p HTTP/1.1\nHost: h\nContent-Type: application/x-www-form-urlencoded\n", b))
        rc, out, err = c.run()
        index = c.log().decode("latin-1").split("\n")[:-1]
        files = sorted(p for p in glob.glob(os.path.join(c.dir, "store", "**"), recursive=True)
                       if os.path.isfile(p))
        result("one file and one index line each", len(index) == len(bodies) == len(files),
               "%d %d %s" % (len(index), len(files), err))
        result("SecAuditLog2 gets the index too", c.log("audit2.log") == c.log())
        ok, why = True, ""
        for p in files:
            with open(p, "rb") as f:
                data = f.read()
            try:
                rec = json.loads(data.decode("utf-8"))
                ok &= rec["audit_data"]["message_details"][0]["id"] == "3"
            except (ValueError, KeyError, IndexError) as e:
                ok, why = False, "%s: %s: %r" % (p, e, data[:200])
        result("JSON records valid whatever the bytes", ok, why)
    finally:
        c.close()


def test_sanitise_bodies():
    conf = BASE + """SecRule REQUEST_HEADERS:Content-Type "^(?:application|text)/(?:json|xml)" "id:10,phase:1,pass,nolog,ctl:requestBodyProcessor=%s"
SecRule ARGS_NAMES "@rx (?i)pass" "id:11,phase:2,pass,log,logdata:'%%{MATCHED_VAR}',sanitiseMatched"
SecRule ARGS "@beginsWith %s" "id:12,phase:2,pass,log,logdata:'%%{MATCHED_VAR_NAME}=%%{MATCHED_VAR}',sanitiseMatched"
"""
    cases = [
        ("urlencoded", "URLENCODED", "application/x-www-form-urlencoded",
         ("user=bob&password=%s&pass2=%s" % (SECRET, SECRET)).encode()),
        ("json", "JSON", "application/json",
         json.dumps({"user": "bob", "auth": {"password": SECRET}}).encode()),
        ("xml", "XML", "text/xml",
         ("<r><user>bob</user><password>%s</password></r>" % SECRET).encode()),
        ("multipart", "MULTIPART", "multipart/form-data; boundary=zz",
         ("--zz\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n%s\r\n"
          "--zz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
          "Content-Type: text/plain\r\n\r\nhello %s\r\n--zz--\r\n" % (SECRET, SECRET)).encode()),
    ]
    for name, proc, ctype, body in cases:
        for fmt in ("Native", "JSON"):
            c = Case(conf % (proc, SECRET[:4]) + "SecAuditLogFormat %s\n" % fmt)
            try:
                c.add(req("POST /login?password=%s HTTP/1.1\nHost: h\nContent-Type: %s\n"
                          % (SECRET, ctype), body))
                rc, out, err = c.run()
                text = c.log().decode("latin-1")
                result("sanitise %s body, %s" % (name, fmt),
                       text and SECRET not in text and "*" * len(SECRET) in text,
                       "rc %d %s\n%s" % (rc, err, text[:3000]))
            finally:
                c.close()


def test_multipart_fuzz():
    """Malformed multipart bodies: the writer (masking, part I and J) never
    reads out of bounds and always closes the record."""
    rnd = random.Random(4242)
    parts = [b"--B\r\n", b"Content-Disposition: form-data; name=\"password\"\r\n",
             b"Content-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n",
             b"Content-Type: text/plain\r\n", b"\r\n", b"\n", b"value\r\n", b"--B--\r\n",
             b"--B", b"\r", b"name=", b"\"", b";", b"password", b"secret-value"]
    c = Case(BASE + """SecAction "id:20,phase:2,pass,nolog,sanitiseArg:password"
SecRule ARGS "@rx ." "id:21,phase:2,pass,log,logdata:'%{MATCHED_VAR}'"
""")
    try:
        count = 400
        for _ in range(count):
            body = b"".join(rnd.choice(parts) for _ in range(rnd.randint(0, 24)))
            if rnd.random() < 0.3:
                body = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 64))) + body
            c.add(req("POST /u HTTP/1.1\nHost: h\nContent-Type: multipart/form-data; boundary=B\n",
                      body or b"x"))
        rc, out, err = c.run()
        text = c.log().decode("latin-1")
        try:
            n = len(records(text))
        except AssertionError as e:
            n = -1
            err += str(e)
        result("%d malformed multipart bodies, %d records" % (count, n),
               rc == 0 and n == count and "ERROR: AddressSanitizer" not in err,
               "rc %d, %s" % (rc, err[-3000:]))
    finally:
        c.close()


# Invalid UTF-8 reads as Latin-1, byte by byte, as the JSON writer's \u00XX.
codecs.register_error("pl_bytes", lambda e: (e.object[e.start:e.start + 1].decode("latin-1"),
                                              e.start + 1))


def part_text(text, part):
    """The bytes of part X of the first native record."""
    m = re.search(r"^--([0-9a-f]{8})-%s--\n" % part, text, re.M)
    if m is None:
        return None
    end = re.compile(r"\n--%s-[A-Z]--\n" % m.group(1)).search(text, m.end())
    return text[m.end():end.start() if end else len(text)]


def test_body_pieces():
    """Part C is written from the stored pieces (memory chunks as the CLI
    appended them, or the spool file in 64 KiB blocks): the native record
    has the body byte for byte, the JSON one the same string, UTF-8
    sequences cut between two pieces included; parts I and J of a spooled
    multipart body come from the parser."""
    body = (b"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xff\xc3( \x00\x01\"\\ " * 7000)[:150001]
    for where, conf, args in (("memory, 7-byte pieces", "SecRequestBodyInMemoryLimit 1000000\n",
                               ["-b", "7"]),
                              ("spool file", "SecRequestBodyInMemoryLimit 1000\n", ["-b", "4093"])):
        for fmt in ("Native", "JSON"):
            c = Case(BASE + conf + "SecAuditLogFormat %s\n" % fmt)
            try:
                c.add(req("POST /p HTTP/1.1\nHost: h\nContent-Type: application/octet-stream\n",
                          body))
                rc, out, err = c.run(args)
                raw = c.log()
                if fmt == "Native":
                    got = part_text(raw.decode("latin-1"), "C")
                    ok = got is not None and got.encode("latin-1") == body
                else:
                    try:
                        got = json.loads(raw.decode("utf-8"))["request"]["body"][0]
                    except (ValueError, KeyError, IndexError) as e:
                        got = "%r" % e
                    ok = got == body.decode("utf-8", "pl_bytes")
                result("part C from the %s, %s" % (where, fmt), ok,
                       "rc %d %s %r" % (rc, err[-500:], (got or "")[:200]))
            finally:
                c.close()
    big = b"\x00\xffdata\r\n" * 20000
    mp = (b"--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
          b"--zz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"one.bin\"\r\n"
          b"Content-Type: application/x-one\r\n\r\n" + big + b"\r\n"
          b"--zz\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nthree\r\n"
          b"--zz\r\nContent-Disposition: form-data; name=\"g\"; filename=\"two.txt\"\r\n\r\n"
          b"xy\r\n--zz--\r\n")
    c = Case(BASE + "SecRequestBodyInMemoryLimit 1000\n")
    try:
        c.add(req("POST /u HTTP/1.1\nHost: h\nContent-Type: multipart/form-data; boundary=zz\n", mp))
        rc, out, err = c.run()
        text = c.log().decode("latin-1")
        want_j = ('2,%d,"one.bin","application/x-one"\n4,2,"two.txt","<Unknown ContentType>"\n'
                  "Total,%d\n" % (len(big), len(big) + 2))
        result("parts I and J of a spooled multipart body",
               part_text(text, "I") == "a=1&c=three" and part_text(text, "J") == want_j
               and (part_text(text, "C") or "").encode("latin-1") == mp,
               "I %r J %r" % (part_text(text, "I"), part_text(text, "J")))
    finally:
        c.close()


def main():
    if not os.access(CLI, os.X_OK):
        print("FAIL no palisade-cli at %s" % CLI)
        print("0 passed, 1 failed")
        return 1
    for t in (test_layout, test_json_and_concurrent, test_sanitise_bodies, test_multipart_fuzz,
              test_body_pieces):
        try:
            t()
        except Exception as e:  # a harness problem counts as a failure
            result(t.__name__, False, repr(e))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
