#!/usr/bin/env python3
"""Memory of large request bodies: palisade-cli processes a generated
50 MB multipart upload (and a 50 MB body no processor reads), with the
audit log writing parts C, I and J, and its peak resident set size must
stay within SecRequestBodyInMemoryLimit plus a small constant over the
same run with a tiny body.  The outcome is checked too (FILES_SIZES, the
text parts around the file, the audit log's part J), so that a parser that
gave up early cannot pass.

The CLI reads a body that is not chunked from the request file piece by
piece (-b bytes at a time), so whatever memory the run needs beyond the
baseline is the engine's.

Environment: PALISADE_CLI (default tools/palisade-cli of this tree),
PALISADE_BODY_MB (body size, default 50), PALISADE_RSS_SLACK_MB (allowed
growth over the baseline, default 8).  The peak is GNU time's (%M) when
/usr/bin/time exists, else the child's ru_maxrss from wait4.  Last line: "N passed, M failed".
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("PALISADE_CLI") or os.path.join(ROOT, "tools", "palisade-cli")
BODY_MB = int(os.environ.get("PALISADE_BODY_MB", "50"))
SLACK_MB = int(os.environ.get("PALISADE_RSS_SLACK_MB", "8"))
INMEM_LIMIT = 131072                  # SecRequestBodyInMemoryLimit, bytes
BOUNDARY = "----palisadeMemoryTest7MA4YWxkTrZu0gW"
TIME = "/usr/bin/time"                # GNU time, for the tool's own peak

CONF = """SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 134217728
SecRequestBodyInMemoryLimit %(inmem)d
SecRequestBodyNoFilesLimit 65536
SecTmpDir %(dir)s
SecAuditEngine On
SecAuditLogParts ABCIJFHZ
SecAuditLog %(dir)s/../audit.log
SecRule REQBODY_ERROR "!@eq 0" "id:1,phase:2,deny,status:400,log,msg:'body error %%{REQBODY_ERROR_MSG}'"
SecRule FILES_SIZES:upload "@eq %(size)d" "id:2,phase:2,pass,log,msg:'file size ok'"
SecRule ARGS_POST:before "@streq first" "id:3,phase:2,pass,log,msg:'before ok'"
SecRule ARGS_POST:after "@streq last" "id:4,phase:2,pass,log,msg:'after ok'"
SecRule REQUEST_BODY_LENGTH "@eq %(total)d" "id:5,phase:2,pass,log,msg:'length ok'"
"""

passed = failed = 0


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
    sys.stdout.flush()


def file_block(n):
    """n bytes of file data: lines of varied length, CRLF and bare LF, and
    the odd "--" so the parser's boundary checks see something."""
    line = bytes(range(32, 127)) + b"\r\n" + b"--not-the-boundary\n" + b"x" * 300 + b"\r\n"
    reps = n // len(line) + 1
    return (line * reps)[:n]


def write_multipart(path, file_size):
    head_part = ("--%s\r\nContent-Disposition: form-data; name=\"before\"\r\n\r\nfirst\r\n"
                 "--%s\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n" % (BOUNDARY, BOUNDARY)).encode()
    tail = ("\r\n--%s\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nlast\r\n"
            "--%s--\r\n" % (BOUNDARY, BOUNDARY)).encode()
    total = len(head_part) + file_size + len(tail)
    block = file_block(1 << 20)
    with open(path, "wb") as f:
        f.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\n"
                 "Content-Type: multipart/form-data; boundary=%s\r\n"
                 "Content-Length: %d\r\n\r\n" % (BOUNDARY, total)).encode())
        f.write(head_part)
        left = file_size
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
        f.write(tail)
    return total


def write_raw(path, size):
    block = file_block(1 << 20)
    with open(path, "wb") as f:
        f.write(("POST /raw HTTP/1.1\r\nHost: localhost\r\n"
                 "Content-Type: application/octet-stream\r\n"
                 "Content-Length: %d\r\n\r\n" % size).encode())
        left = size
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n


def peak_rss_kib(conf, req, chunk=8192):
    """Runs palisade-cli: (exit status, output, peak RSS in KiB).  GNU time
    measures the tool alone; without it wait4 gives the child's peak, which
    includes this Python process's size at the fork (a floor of ~10 MiB)."""
    args = [CLI, "-b", str(chunk), "-c", conf, req]
    if os.access(TIME, os.X_OK):
        p = subprocess.run([TIME, "-f", "%M", "-o", req + ".rss"] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        with open(req + ".rss") as f:
            return p.returncode, p.stdout.decode("latin-1"), int(f.read().split()[-1])
    with open(req + ".out", "wb") as out:
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(req + ".out", encoding="latin-1") as f:
        return p.returncode, f.read(), ru.ru_maxrss


def tail_of(path, n=4096):
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - n))
        return f.read()


def matched(output):
    """Ids of the rules that matched, from palisade-cli's JSON."""
    try:
        return {m.get("id") for m in json.loads(output).get("matches", [])}
    except ValueError:
        return set()


def main():
    if not os.access(CLI, os.X_OK):
        print("FAIL no palisade-cli at %s" % CLI)
        print("0 passed, 1 failed")
        return 1
    d = tempfile.mkdtemp(prefix="palisade-bodymem-")
    try:
        file_size = BODY_MB << 20
        big = os.path.join(d, "big.req")
        total = write_multipart(big, file_size)
        small = os.path.join(d, "small.req")
        small_total = write_multipart(small, 1000)
        conf = os.path.join(d, "main.conf")
        conf_small = os.path.join(d, "small.conf")
        tmp = os.path.join(d, "tmp")
        os.mkdir(tmp)
        with open(conf, "w") as f:
            f.write(CONF % {"inmem": INMEM_LIMIT, "dir": tmp, "size": file_size, "total": total})
        with open(conf_small, "w") as f:
            f.write(CONF % {"inmem": INMEM_LIMIT, "dir": tmp, "size": 1000, "total": small_total})

        st, out, base = peak_rss_kib(conf_small, small)
        result("baseline: small multipart body parsed",
               st == 0 and matched(out) == {2, 3, 4, 5}, out[-2000:])
        print("# baseline peak RSS %.1f MiB" % (base / 1024.0))

        for chunk in (8192, 65536):
            st, out, rss = peak_rss_kib(conf, big, chunk)
            grow = (rss - base) / 1024.0
            print("# %d MiB multipart body, %d-byte pieces: peak RSS %.1f MiB (+%.1f MiB)"
                  % (BODY_MB, chunk, rss / 1024.0, grow))
            result("%d MiB multipart body (%d-byte pieces): parsed" % (BODY_MB, chunk),
                   st == 0 and matched(out) == {2, 3, 4, 5}, out[-2000:])
            audit = os.path.join(d, "audit.log")
            result("%d MiB multipart body (%d-byte pieces): audit log parts C and J"
                   % (BODY_MB, chunk),
                   os.path.getsize(audit) > total and
                   tail_of(audit).find(b'2,%d,"big.bin","application/octet-stream"\n'
                                       % file_size) >= 0)
            os.unlink(audit)
            result("%d MiB multipart body (%d-byte pieces): peak RSS grows %.1f MiB "
                   "(at most %d MiB)" % (BODY_MB, chunk, grow, SLACK_MB),
                   grow <= SLACK_MB + INMEM_LIMIT / 1048576.0)
        # a larger in-memory limit: the body costs that much, not its size
        inmem = 4 << 20
        conf_big_mem = os.path.join(d, "bigmem.conf")
        with open(conf_big_mem, "w") as f:
            f.write(CONF % {"inmem": inmem, "dir": tmp, "size": file_size, "total": total})
        st, out, rss = peak_rss_kib(conf_big_mem, big)
        grow = (rss - base) / 1024.0
        print("# %d MiB multipart body, SecRequestBodyInMemoryLimit %d: peak RSS %.1f MiB "
              "(+%.1f MiB)" % (BODY_MB, inmem, rss / 1024.0, grow))
        result("%d MiB multipart body, in-memory limit 4 MiB: parsed, peak RSS grows %.1f MiB "
               "(at most 4 + %d MiB)" % (BODY_MB, grow, SLACK_MB),
               st == 0 and matched(out) == {2, 3, 4, 5} and grow <= SLACK_MB + inmem / 1048576.0,
               out[-2000:])
        os.unlink(big)

        raw = os.path.join(d, "raw.req")
        write_raw(raw, file_size)
        st, out, rss = peak_rss_kib(conf, raw)
        grow = (rss - base) / 1024.0
        print("# %d MiB body without a processor: peak RSS %.1f MiB (+%.1f MiB)"
              % (BODY_MB, rss / 1024.0, grow))
        result("%d MiB body without a processor: peak RSS grows %.1f MiB (at most %d MiB)"
               % (BODY_MB, grow, SLACK_MB),
               st == 0 and grow <= SLACK_MB + INMEM_LIMIT / 1048576.0, out[-2000:])
        result("spool files removed", os.listdir(tmp) == [], repr(os.listdir(tmp)))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
