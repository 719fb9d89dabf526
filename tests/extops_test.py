#!/usr/bin/env python3
"""Operators and actions that reach outside the rule text, through
tools/palisade-cli: @geoLookup on generated legacy GeoIP and MaxMind DB
files, @fuzzyHash, @inspectFile, the exec action, and @rbl's http:BL
decoding against a small DNS server (in private mount and network
namespaces, so the resolver's configuration is replaced for the test only).

Expected texts and values are those of ModSecurity 2.9.7 (checked against
mod_security2 with the same generated databases).  Parts that need what
the build or the machine lacks (libmaxminddb, libfuzzy, unshare) say
"skipped" and count nothing.

Last line: "N passed, M failed"; exit status non-zero on failures.
"""

import ctypes
import ctypes.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lib_geo  # noqa: E402

ROOT = os.path.dirname(HERE)
passed = failed = 0


def cli_path():
    p = os.environ.get("PALISADE_CLI")
    if p:
        return p
    return os.path.join(os.environ.get("PALISADE_BUILDDIR", ROOT), "tools", "palisade-cli")


def ok(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + ("\n    " + detail if detail else ""))


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def request(d, uri, body=None, ctype="application/x-www-form-urlencoded"):
    head = "%s %s HTTP/1.1\r\nHost: localhost\r\n" % ("POST" if body is not None else "GET", uri)
    raw = head.encode()
    if body is not None:
        raw += ("Content-Type: %s\r\nContent-Length: %d\r\n" % (ctype, len(body))).encode()
    raw += b"\r\n" + (body or b"")
    path = os.path.join(d, "req")
    write(path, raw, "wb")
    return path


def run(d, conf, uri, body=None, prefix=None):
    """Runs one transaction; returns (config error or None, result dict)."""
    cpath = os.path.join(d, "main.conf")
    write(cpath, conf)
    req = request(d, uri, body)
    cmd = (prefix or []) + [cli_path(), "-c", cpath, req]
    p = subprocess.run(cmd, cwd=d, capture_output=True, timeout=60)
    if p.returncode != 0:
        return (p.stderr.decode("latin-1").strip() or "exit %d" % p.returncode), {}
    return None, json.loads(p.stdout.decode("latin-1"))


def config_error(d, conf):
    cpath = os.path.join(d, "main.conf")
    write(cpath, conf)
    p = subprocess.run([cli_path(), "-t", "-c", cpath], cwd=d, capture_output=True, timeout=60)
    return p.stderr.decode("latin-1").strip() if p.returncode else None


def log_has(res, pattern):
    return any(re.search(pattern, l) for l in res.get("log", []))


GEO_MSG = ("G|%{GEO.COUNTRY_CODE}|%{GEO.COUNTRY_CODE3}|%{GEO.COUNTRY_NAME}|"
           "%{GEO.COUNTRY_CONTINENT}|%{GEO.REGION}|%{GEO.CITY}|%{GEO.POSTAL_CODE}|"
           "%{GEO.LATITUDE}|%{GEO.LONGITUDE}|%{GEO.DMA_CODE}|%{GEO.AREA_CODE}")


def geo_conf(db):
    return ("SecRuleEngine On\nSecGeoLookupDB %s\n"
            "SecRule ARGS:ip \"@geoLookup\" \"id:1,phase:1,pass,log,msg:'%s'\"\n"
            "SecRule ARGS:ip \"!@geoLookup\" \"id:2,phase:1,pass,log,msg:'NOGEO'\"\n" % (db, GEO_MSG))


def geo_result(d, db, ip):
    err, res = run(d, geo_conf(db), "/?ip=" + ip)
    if err:
        return "ERROR " + err
    for l in res.get("log", []):
        m = re.search(r'\[msg "(G\|.*?|NOGEO)"\]', l)
        if m:
            return m.group(1)
    return None


# ----------------------------------------------------------------------
# @geoLookup
# ----------------------------------------------------------------------

def test_geo_legacy(d):
    db = os.path.join(d, "country.dat")
    lib_geo.write_legacy_country(db, [("10.1.0.0/16", 1), ("10.73.0.0/16", 73),
                                      ("10.225.0.0/16", 225), ("10.251.0.0/16", 251),
                                      ("10.255.0.0/16", 255), ("11.0.0.0/8", 0)])
    cases = [
        ("10.1.2.3", "G|AP|AP|Asia/Pacific Region|AS||||0.000000|0.000000|0|0"),
        ("10.73.0.1", "G|FO|FRO|Faroe Islands|EU||||0.000000|0.000000|0|0"),
        ("10.225.9.9", "G|US|USA|United States|NA||||0.000000|0.000000|0|0"),
        ("10.251.0.1", "G|BL|BLM|Saint Barth\\xc3\\xa9lemy|--||||0.000000|0.000000|0|0"),
        ("10.255.1.1", "G|SS|SSD|South Sudan|AF||||0.000000|0.000000|0|0"),
        ("11.1.1.1", "NOGEO"),
        ("12.1.1.1", "NOGEO"),
        ("::1", "NOGEO"),
        ("not-an-address.invalid", "NOGEO"),
    ]
    for ip, want in cases:
        got = geo_result(d, db, ip)
        ok(got == want, "legacy country edition: %s" % ip, "got %r, want %r" % (got, want))

    city = os.path.join(d, "city.dat")
    lib_geo.write_legacy_city(city, [
        ("1.2.3.0/24", lib_geo.city_record(225, "CA", "Mountain View", "94043",
                                           37.751, -97.822, 807, 650)),
        ("5.6.0.0/16", lib_geo.city_record(73, "B8", "Paris", "75001", 48.8582, 2.3387, 12, 34)),
        ("7.7.7.0/24", lib_geo.city_record(0, "X", "Y")),
        ("8.8.0.0/16", lib_geo.city_record(225)),
    ])
    cases = [
        ("1.2.3.4", "G|US|USA|United States|NA|CA|Mountain View|94043|37.750999|-97.821999|807|650"),
        ("5.6.7.8", "G|FO|FRO|Faroe Islands|EU|B8|Paris|75001|48.858200|2.338700|0|0"),
        ("7.7.7.7", "NOGEO"),
        ("8.8.8.8", "G|US|USA|United States|NA||||0.000000|0.000000|0|0"),
        ("9.9.9.9", "NOGEO"),
    ]
    for ip, want in cases:
        got = geo_result(d, city, ip)
        ok(got == want, "legacy city edition (rev 1): %s" % ip, "got %r, want %r" % (got, want))

    # relative to the configuration file
    got = geo_result(d, "country.dat", "10.225.0.1")
    ok(got and got.startswith("G|US|"), "SecGeoLookupDB relative to the configuration", repr(got))

    junk = os.path.join(d, "junk.dat")
    write(junk, b"\x01\x02\x03", "wb")
    err = config_error(d, "SecGeoLookupDB %s\n" % junk)
    ok(err is not None and "Could not open geo database" in err, "a 3-byte file is refused", repr(err))
    # a truncated database answers "no data", it never reads past its end
    trunc = os.path.join(d, "trunc.dat")
    with open(db, "rb") as f:
        raw = f.read()
    write(trunc, raw[:40] + b"\xff\xff\xff\x01", "wb")
    got = geo_result(d, trunc, "10.225.9.9")
    ok(got is not None and (got == "NOGEO" or got.startswith("G|")),
       "a truncated trie is read within its bounds", repr(got))


def mmdb_supported(d):
    path = os.path.join(d, "probe.mmdb")
    lib_geo.write_mmdb(path, [("1.0.0.0/8", {"country": {"iso_code": "US"}})])
    err = config_error(d, "SecGeoLookupDB %s\n" % path)
    return err is None, err


def test_geo_mmdb(d):
    supported, err = mmdb_supported(d)
    if not supported:
        ok(err is not None and "libmaxminddb" in err,
           "without libmaxminddb a .mmdb file is refused with a clear message", repr(err))
        print("skipped: MaxMind DB lookups (Palisade built without libmaxminddb)")
        return
    db = os.path.join(d, "city.mmdb")
    lib_geo.write_mmdb(db, [
        ("1.2.3.0/24", lib_geo.geoip2_record("US", "United States", "NA", "CA", "Mountain View",
                                             "94043", 37.751, -97.822, 807)),
        ("5.6.0.0/16", lib_geo.geoip2_record("FR", "France", "EU", "IDF", "Paris", "75001",
                                             48.8582, 2.3387)),
        ("2001:db8::/32", lib_geo.geoip2_record("DE", "Germany", "EU")),
        ("9.0.0.0/8", {"registered_country": {"iso_code": "JP", "names": {"en": "Japan"}}}),
        ("10.0.0.0/8", {"city": {"names": {"en": "Nowhere"}}}),
    ])
    cases = [
        ("1.2.3.4", "G|US|USA|United States|NA|CA|Mountain View|94043|37.750999|-97.821999|807|0"),
        ("5.6.7.8", "G|FR|FRA|France|EU|IDF|Paris|75001|48.858200|2.338700|0|0"),
        ("2001:db8::1", "G|DE|DEU|Germany|EU||||0.000000|0.000000|0|0"),
        ("9.1.1.1", "G|JP|JPN|Japan|--||||0.000000|0.000000|0|0"),
        ("10.1.1.1", "NOGEO"),
        ("11.1.1.1", "NOGEO"),
        ("nonsense", "NOGEO"),
    ]
    for ip, want in cases:
        got = geo_result(d, db, ip)
        ok(got == want, "MaxMind DB: %s" % ip, "got %r, want %r" % (got, want))
    v4 = os.path.join(d, "v4.mmdb")
    lib_geo.write_mmdb(v4, [("1.2.3.0/24", lib_geo.geoip2_record("US", "United States", "NA"))],
                       ip_version=4)
    ok(geo_result(d, v4, "1.2.3.4") == "G|US|USA|United States|NA||||0.000000|0.000000|0|0",
       "MaxMind DB, IPv4 tree")
    ok(geo_result(d, v4, "2001:db8::1") == "NOGEO", "MaxMind DB, IPv6 address in an IPv4 tree")
    broken = os.path.join(d, "broken.mmdb")
    with open(db, "rb") as f:
        raw = f.read()
    write(broken, raw[:-10], "wb")
    err = config_error(d, "SecGeoLookupDB %s\n" % broken)
    ok(err is not None and "Could not open geo database" in err, "a broken MaxMind DB is refused",
       repr(err))


def test_geo_debian(d):
    db = "/usr/share/GeoIP/GeoIP.dat"
    if not os.path.exists(db):
        print("skipped: %s absent (apt-get install geoip-database)" % db)
        return
    got = geo_result(d, db, "8.8.8.8")
    ok(got == "G|US|USA|United States|NA||||0.000000|0.000000|0|0", "Debian GeoIP.dat: 8.8.8.8",
       repr(got))


# ----------------------------------------------------------------------
# @fuzzyHash
# ----------------------------------------------------------------------

def libfuzzy():
    name = ctypes.util.find_library("fuzzy") or "libfuzzy.so.2"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.fuzzy_hash_buf.argtypes = [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_char_p]
    return lib


def ssdeep(lib, data):
    out = ctypes.create_string_buffer(160)
    lib.fuzzy_hash_buf(data, len(data), out)
    return out.value.decode()


TEXT = b"".join(b"line %d of a text that is hashed, with some words: %s\n"
                % (i, b"alpha beta gamma delta"[i % 7:]) for i in range(120))


def test_fuzzy(d):
    conf = ("SecRuleEngine On\nSecRequestBodyAccess On\n"
            "SecRule REQUEST_BODY \"@fuzzyHash hashes.txt %d\" \"id:10,phase:2,deny,log\"\n")
    err, res = run(d, conf % 50 + "", "/", b"x=1")
    write(os.path.join(d, "hashes.txt"), "ssdeep,1.1--blocksize:hash:hash,filename\n")
    err, res = run(d, conf % 50, "/", b"x=1")
    if err is None and log_has(res, "not compiled with ssdeep"):
        ok(not res.get("intercepted"), "without libfuzzy @fuzzyHash fails as in 2.9 (no match)")
        print("skipped: @fuzzyHash (Palisade built without libfuzzy)")
        return
    lib = libfuzzy()
    if lib is None:
        print("skipped: @fuzzyHash (libfuzzy not loadable by the test)")
        return
    h = ssdeep(lib, TEXT)
    write(os.path.join(d, "hashes.txt"),
          "ssdeep,1.1--blocksize:hash:hash,filename\n%s,\"text.txt\"\n" % h)
    err, res = run(d, conf % 100, "/", TEXT)
    ok(err is None and res.get("status") == 403
       and log_has(res, r'Fuzzy hash of REQUEST_BODY matched with %s,"text\.txt" \(from: .*/hashes\.txt\)\. '
                   r'Score: 100\.' % re.escape(h)),
       "@fuzzyHash: the same text scores 100", repr(res.get("log")))
    similar = TEXT.replace(b"line 5 ", b"LINE 5 ").replace(b"line 50 ", b"row 50 ")
    err, res = run(d, conf % 50, "/", similar)
    ok(err is None and res.get("status") == 403, "@fuzzyHash: a similar text reaches 50",
       repr(res.get("log")))
    err, res = run(d, conf % 1, "/", b"completely different " * 40)
    ok(err is None and not res.get("intercepted"), "@fuzzyHash: an unrelated text does not match")
    for bad, what in (("hashes.txt", "no threshold"), ("hashes.txt x", "bad threshold"),
                      ("missing.txt 10", "missing file")):
        e = config_error(d, "SecRule REQUEST_BODY \"@fuzzyHash %s\" \"id:11,phase:2,deny\"\n" % bad)
        ok(e is not None, "@fuzzyHash configuration error: " + what, repr(e))

    shared = os.environ.get("PALISADE_SHARED") or os.path.join(ROOT, "..", "shared")
    vec = os.path.join(shared, "modsec-vectors", "regression", "misc", "30-fuzzyHash.json")
    fixture = os.path.join(shared, "modsec-vectors", "fixtures", "server_root", "conf", "ssdeep.txt")
    if not (os.path.exists(vec) and os.path.exists(fixture)):
        print("skipped: ModSecurity's 30-fuzzyHash vectors (no shared data)")
        return
    with open(vec) as f:
        cases = json.load(f)["cases"]
    for c in cases[:2]:
        body = c["request"]["body"].encode("latin-1")
        conf2 = ("SecRuleEngine On\nSecRequestBodyAccess On\n"
                 "SecRule REQUEST_BODY \"@fuzzyHash %s 1\" \"id:192372,log,deny\"\n" % fixture)
        err, res = run(d, conf2, "/index.html", body)
        want_block = c["index"] == 1
        got_block = err is None and res.get("status") == 403
        if want_block:
            got_block = got_block and log_has(res, r'Access denied with code 403 \(phase 2\)\. Fuzzy '
                                              r'hash of REQUEST_BODY matched with 96:MbQ1L0LDX8GPI8ov3D2D9zd6'
                                              r'.*"modsecurity\.conf-recommended"')
        ok(got_block == want_block, "ModSecurity vector 30-fuzzyHash #%d" % c["index"],
           repr((err, res.get("log"))))


# ----------------------------------------------------------------------
# @inspectFile and exec
# ----------------------------------------------------------------------

def test_inspect_exec(d):
    write(os.path.join(d, "approve.sh"),
          "#!/bin/sh\ncase \"$1\" in *bad*) echo \"0 rejected $1\";; *) echo '1 fine';; esac\n")
    write(os.path.join(d, "silent.sh"), "#!/bin/sh\nexit 0\n")
    for n in ("approve.sh", "silent.sh"):
        os.chmod(os.path.join(d, n), 0o755)
    conf = ("SecRuleEngine On\n"
            "SecRule ARGS:f \"@inspectFile %s\" \"id:20,phase:2,deny,log\"\n"
            "SecRule REQUEST_URI \"@rx .\" \"id:21,phase:2,pass,log,msg:'after'\"\n")
    err, res = run(d, conf % "approve.sh", "/?f=/tmp/good")
    ok(err is None and not res.get("intercepted") and log_has(res, r'\[id "21"\]'),
       "@inspectFile: '1' approves (program relative to the rule's file)", repr((err, res.get("log"))))
    err, res = run(d, conf % os.path.join(d, "approve.sh"), "/?f=/tmp/bad.exe")
    ok(err is None and res.get("status") == 403
       and log_has(res, r'File "/tmp/bad\.exe" rejected by the approver script ".*/approve\.sh": '
                   r'0 rejected /tmp/bad\.exe \[file'),
       "@inspectFile: other output rejects, with the first line", repr((err, res.get("log"))))
    err, res = run(d, conf % os.path.join(d, "silent.sh"), "/?f=x")
    ok(err is None and not res.get("intercepted")
       and log_has(res, r"Rule processing failed \(id=20, msg=\)")
       and log_has(res, r"Exec: Execution failed while reading output"),
       "@inspectFile: no output is an invocation failure", repr((err, res.get("log"))))
    e = config_error(d, "SecRule FILES_TMPNAMES \"@inspectFile check.lua\" \"id:22,phase:2,deny\"\n")
    ok(e is not None and re.search(r"Failed to compile script /\S*/check\.lua: cannot open", e),
       "@inspectFile with a missing Lua script", repr(e))
    e = config_error(d, "SecRule FILES_TMPNAMES \"@inspectFile\" \"id:23,phase:2,deny\"\n")
    ok(e is not None and "requires parameter" in e, "@inspectFile without a program", repr(e))

    marker = os.path.join(d, "exec-ran")
    write(os.path.join(d, "record.sh"),
          "#!/bin/sh\necho \"$REQUEST_METHOD $QUERY_STRING $REMOTE_ADDR $HTTP_HOST\" > %s\n"
          "echo done\n" % marker)
    os.chmod(os.path.join(d, "record.sh"), 0o755)
    conf = ("SecRuleEngine On\n"
            "SecRule ARGS:a \"@streq 1\" \"id:30,phase:1,pass,nolog,exec:%s\"\n" % os.path.join(d, "record.sh"))
    if os.path.exists(marker):
        os.unlink(marker)
    err, res = run(d, conf, "/?a=1")
    got = open(marker).read().strip() if os.path.exists(marker) else None
    ok(err is None and got is not None and got.startswith("GET a=1 ") and got.endswith(" localhost"),
       "exec runs the program with a CGI environment", repr((err, got)))
    os.unlink(marker) if os.path.exists(marker) else None
    err, res = run(d, conf, "/?a=2")
    ok(err is None and not os.path.exists(marker), "exec does not run when the rule does not match")
    conf = ("SecRuleEngine On\n"
            "SecRule ARGS:a \"@streq 1\" \"id:31,phase:1,pass,nolog,exec:/nonexistent/prog\"\n")
    err, res = run(d, conf, "/?a=1")
    ok(err is None and log_has(res, r"^ModSecurity: Failed to execute: /nonexistent/prog \[hostname"),
       "exec of a missing program is logged", repr((err, res.get("log"))))
    e = config_error(d, "SecAction \"id:32,phase:1,pass,exec:/x/script.lua\"\n")
    ok(e is not None and "Failed to compile script /x/script.lua: cannot open" in e,
       "exec with a missing Lua script", repr(e))


# ----------------------------------------------------------------------
# @rbl with http:BL, against a DNS server in private namespaces
# ----------------------------------------------------------------------

DNS_SERVER = r'''
import socket, struct, sys
answers = dict(l.split() for l in open(sys.argv[1]) if l.strip())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[2], "w").write("ready\n")
while True:
    q, addr = s.recvfrom(512)
    tid, flags = struct.unpack(">HH", q[:4])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("latin-1"))
        i += 1 + q[i]
    qtype, = struct.unpack(">H", q[i + 1:i + 3])
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    ip = answers.get(name)
    if ip is None or qtype != 1:
        rcode = 3 if ip is None else 0
        s.sendto(struct.pack(">HHHHHH", tid, 0x8180 | rcode, 1, 0, 0, 0) + question, addr)
        continue
    ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(ip)
    s.sendto(struct.pack(">HHHHHH", tid, 0x8180, 1, 1, 0, 0) + question + ans, addr)
'''

RBL_WRAPPER = r'''
ip link set lo up || exit 1
mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 1
mount --bind "$1/hosts" /etc/hosts || exit 1
python3 "$1/dns.py" "$1/answers" "$1/dns.ready" </dev/null >/dev/null 2>&1 &
server=$!
for i in $(seq 1 50); do [ -e "$1/dns.ready" ] && break; sleep 0.1; done
shift
"$@"
status=$?
kill "$server"
wait "$server" 2>/dev/null
exit $status
'''


def netns_works():
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    p = subprocess.run(["unshare", "-m", "-n", "sh", "-c", "ip link set lo up && mount -t tmpfs none /mnt"],
                       capture_output=True)
    return p.returncode == 0


def test_httpbl(d):
    if not netns_works():
        print("skipped: @rbl with http:BL (unshare of mount and network namespaces not permitted)")
        return
    write(os.path.join(d, "dns.py"), DNS_SERVER)
    write(os.path.join(d, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    write(os.path.join(d, "hosts"), "127.0.0.1 localhost\n")
    write(os.path.join(d, "wrap.sh"), RBL_WRAPPER)
    write(os.path.join(d, "answers"),
          "abcdefghijkl.4.3.2.1.dnsbl.httpbl.org 127.3.5.1\n"
          "abcdefghijkl.5.3.2.1.dnsbl.httpbl.org 127.10.80.6\n"
          "abcdefghijkl.6.3.2.1.dnsbl.httpbl.org 10.1.2.3\n"
          "abcdefghijkl.7.3.2.1.dnsbl.httpbl.org 127.1.1.9\n"
          "4.3.2.1.zen.spamhaus.org 127.0.0.4\n"
          "evil.example.multi.uribl.com 127.0.0.2\n"
          "4.3.2.1.bl.example.org 127.0.0.2\n")
    prefix = ["unshare", "-m", "-n", "sh", os.path.join(d, "wrap.sh"), d]

    def rbl(zone, value, key=True):
        if os.path.exists(os.path.join(d, "dns.ready")):
            os.unlink(os.path.join(d, "dns.ready"))
        conf = ("SecRuleEngine On\n%s"
                "SecRule ARGS:v \"@rbl %s\" \"id:40,phase:1,pass,log,capture,setvar:tx.r=%%{tx.0}\"\n"
                % ("SecHttpBlKey abcdefghijkl\n" if key else "", zone))
        return run(d, conf, "/?v=" + value, prefix=prefix)

    cases = [
        ("dnsbl.httpbl.org", "1.2.3.4",
         r"RBL lookup of abcdefghijkl\.4\.3\.2\.1\.dnsbl\.httpbl\.org succeeded at ARGS:v\. "
         r"Suspicious IP: 3 days since last activity, threat score 5 \[file"),
        ("dnsbl.httpbl.org", "1.2.3.5",
         r"succeeded at ARGS:v\. Harvester and comment spammer IP: 10 days since last activity, "
         r"threat score 80 \["),
        ("dnsbl.httpbl.org", "1.2.3.6",
         r"RBL lookup of abcdefghijkl\.6\.3\.2\.1\.dnsbl\.httpbl\.org failed: bad response \[file"),
        ("dnsbl.httpbl.org", "1.2.3.7", r"succeeded at ARGS:v\.  : 1 days since last activity, "
                                        r"threat score 1 \["),
        ("zen.spamhaus.org", "1.2.3.4", r"RBL lookup of 4\.3\.2\.1\.zen\.spamhaus\.org succeeded at "
                                        r"ARGS:v \(Illegal 3rd party exploits\)\. \["),
        ("multi.uribl.com", "evil.example", r"RBL lookup of evil\.example\.multi\.uribl\.com "
                                            r"succeeded at ARGS:v \(BLACK\)\. \["),
        ("bl.example.org", "1.2.3.4", r"RBL lookup of 4\.3\.2\.1\.bl\.example\.org succeeded at "
                                      r"ARGS:v\. \["),
    ]
    for zone, value, pattern in cases:
        err, res = rbl(zone, value)
        ok(err is None and log_has(res, pattern), "@rbl %s %s" % (zone, value),
           repr((err, res.get("log"))))
    err, res = rbl("dnsbl.httpbl.org", "1.2.3.4")
    ok(err is None and (res.get("tx") or {}).get("r", "").startswith("RBL lookup of abcdefghijkl"),
       "@rbl capture puts the text in TX:0", repr(res.get("tx")))
    err, res = rbl("dnsbl.httpbl.org", "9.9.9.9")
    ok(err is None and not log_has(res, r'\[id "40"\]'), "@rbl: no answer, no match",
       repr((err, res.get("log"))))
    err, res = rbl("dnsbl.httpbl.org", "1.2.3.4", key=False)
    ok(err is None and log_has(res, r"Rule processing failed \(id=40, msg=\)"),
       "@rbl http:BL without SecHttpBlKey fails the rule", repr((err, res.get("log"))))


def main():
    if not os.path.exists(cli_path()):
        print("palisade-cli not found at %s" % cli_path())
        print("0 passed, 1 failed")
        return 1
    d = tempfile.mkdtemp(prefix="palisade-extops-")
    try:
        for t in (test_geo_legacy, test_geo_mmdb, test_geo_debian, test_fuzzy,
                  test_inspect_exec, test_httpbl):
            sub = os.path.join(d, t.__name__)
            os.makedirs(sub)
            t(sub)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
