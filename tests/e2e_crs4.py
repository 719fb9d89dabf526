#!/usr/bin/env python3
"""CRS 4 readiness, end to end: a small rule set written in CRS 4's style
(tests/crs4: crs-setup.conf, rules/, plugins/) run by mod_palisade in a
private Apache.  CRS 4 is not packaged for Debian 12, so these rules use,
the way CRS 4 does, what it needs beyond CRS 3.3: @unconditionalMatch
(901318), @beginsWith, t:escapeSeqDecode, t:removeCommentsChar,
REQUEST_BODY_LENGTH, RESPONSE_HEADERS, MULTIPART_PART_HEADERS,
SecRuleUpdateTargetById over an id range, ctl:ruleRemoveById over a
plugin's range, and the plugin mechanism (IncludeOptional
plugins/*-config.conf, *-before.conf, *-after.conf, also with no plugin).

Same environment as tests/e2e_apache.py (PALISADE_E2E_REFERENCE=1 runs the
same checks against mod_security2).  Last line: "N passed, M failed".
"""

import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_apache import (Apache, BROWSER_HEADERS, Runner, check,  # noqa: E402
                        prerequisites, REFERENCE, MODULE, HTTPD)

CRS4_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crs4")

OLD_PHP_PAGE = ("Status: 200 OK\n"
                "Content-Type: text/html\n"
                "X-Powered-By: PHP/5.6.40\n"
                "\n"
                "<html><body>legacy page</body></html>\n")


def crs4_files(plugins):
    """tests/crs4 as files of the instance (under crs4/), crs.conf naming
    the plugin directory given (relative to the instance directory)."""
    files = {"htdocs/old.asis": OLD_PHP_PAGE}
    for dirpath, dirs, names in os.walk(CRS4_SRC):
        for n in names:
            src = os.path.join(dirpath, n)
            rel = os.path.relpath(src, CRS4_SRC)
            with open(src) as f:
                text = f.read()
            text = text.replace("@CRS4@", "@DIR@/crs4").replace("@PLUGINS@", "@DIR@/" + plugins)
            files["crs4/" + rel] = text
    return files


def crs4_apache(plugins="crs4/plugins", extra_files=None):
    conf = ("SecRuleEngine On\n"
            "SecRequestBodyAccess On\n"
            "SecResponseBodyAccess On\n"
            "SecResponseBodyMimeType text/plain text/html\n"
            "SecAuditEngine Off\n"
            "AddHandler send-as-is asis\n"
            "Include @DIR@/crs4/crs.conf\n")
    files = crs4_files(plugins)
    files.update(extra_files or {})
    return Apache(conf, modules=("asis",), files=files)


def ids(log):
    return set(re.findall(r'\[id "(\d+)"\]', log))


def wait_new(a, start, pattern, timeout=5):
    """Waits for pattern in the error log after offset start (the lines of
    this test's request only; phase 5 writes after the response)."""
    end = time.time() + timeout
    while True:
        m = re.search(pattern, a.error_log()[start:])
        if m or time.time() > end:
            return m
        time.sleep(0.1)


def matches_logged(text):
    return re.search(r"ModSecurity: (?:Warning|Access denied)", text) is not None


def expect_block(a, start, st, rule, phase=2):
    check(st == 403, "status %d, expected 403 (rule %s)" % (st, rule), a.error_log()[start:])
    m = wait_new(a, start, r'\[id "%s"\]' % rule)
    check(m is not None, "no log line of rule %s" % rule, a.error_log()[start:])
    m = wait_new(a, start, r"Access denied with code 403 \(phase %d\)" % phase)
    check(m is not None, "no 'Access denied with code 403 (phase %d)' line" % phase,
          a.error_log()[start:])


# --- with plugins -------------------------------------------------------------

def t_benign(a):
    start = len(a.error_log())
    st, _, body = a.get("/?q=hello+world&page=2")
    time.sleep(0.3)
    new = a.error_log()[start:]
    check(st == 200, "benign request: status %d" % st, new)
    check(not matches_logged(new), "benign request logged a match", new)


def t_plugin_order_and_unconditional_match(a):
    start = len(a.error_log())
    st, _, _ = a.get("/?q=trace", headers=BROWSER_HEADERS + [("X-CRS4-Trace", "1")])
    check(st == 200, "trace request: status %d" % st, a.error_log()[start:])
    ua = dict(BROWSER_HEADERS)["User-Agent"]
    want = r"trace config,before,rules,after ua_hash=%s paranoia=1 body_length=0" % (
        hashlib.sha1(ua.encode()).hexdigest())
    check(wait_new(a, start, want) is not None, "no log line /%s/ (plugin files in CRS 4 "
          "order, 901318's @unconditionalMatch hash)" % want, a.error_log()[start:])


def t_remove_comments_char(a):
    start = len(a.error_log())
    st, _, _ = a.get("/?id=1%20un/**/ion%20se--lect%20password%20from%20users")
    expect_block(a, start, st, "942361")
    check(wait_new(a, start, r'\[id "949110"\]') is not None, "no 949110 line",
          a.error_log()[start:])


def t_escape_seq_decode(a):
    start = len(a.error_log())
    st, _, _ = a.get("/?cmd=%5Cx63%5Cx61%5Cx74%20/etc/passwd")
    expect_block(a, start, st, "932231")
    check(wait_new(a, start, r'Matched Data: cat /etc/ found within ARGS:cmd') is not None,
          "932231 did not log the decoded command", a.error_log()[start:])


def t_request_body_length(a):
    start = len(a.error_log())
    st, _, _ = a.request("GET", "/", body=b"a=1&b=2",
                         headers=BROWSER_HEADERS + [("Content-Type",
                                                     "application/x-www-form-urlencoded")])
    expect_block(a, start, st, "920171")


def t_post_body_allowed(a):
    start = len(a.error_log())
    st, _, _ = a.post("/index.html", b"name=alice&comment=hello+there")
    check(st == 200, "POST with a body: status %d" % st, a.error_log()[start:])


def t_begins_with_multipart(a):
    start = len(a.error_log())
    st, _, _ = a.post("/index.html", b"x", content_type="multipart/form-data")
    expect_block(a, start, st, "920541")


def t_multipart_part_headers(a):
    body = (b"--XyZ\r\n"
            b"Content-Disposition: form-data; name=\"note\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"\r\n"
            b"aGVsbG8=\r\n"
            b"--XyZ--\r\n")
    start = len(a.error_log())
    st, _, _ = a.post("/index.html", body, content_type="multipart/form-data; boundary=XyZ")
    expect_block(a, start, st, "922120")
    check(wait_new(a, start, r"at MULTIPART_PART_HEADERS:note\.") is not None,
          "922120 did not match at MULTIPART_PART_HEADERS:note", a.error_log()[start:])


def t_plugin_begins_with_user_agent(a):
    hdrs = [(n, "BadBot/2.1 (scanner)" if n == "User-Agent" else v) for n, v in BROWSER_HEADERS]
    start = len(a.error_log())
    st, _, _ = a.get("/?q=1", headers=hdrs)
    expect_block(a, start, st, "9500100")


def t_disabled_plugin(a):
    start = len(a.error_log())
    st, _, _ = a.get("/?greeting=hello")
    time.sleep(0.3)
    new = a.error_log()[start:]
    check(st == 200, "disabled plugin: status %d (rule 9501100 should be removed)" % st, new)
    check('[id "9501100"]' not in new, "the disabled plugin's rule logged", new)


def t_update_target_range(a):
    start = len(a.error_log())
    st, _, _ = a.get("/?wiki_text=1%20union%20select%20password%20from%20users")
    time.sleep(0.3)
    new = a.error_log()[start:]
    check(st == 200, "excluded argument: status %d (SecRuleUpdateTargetById 942000-942999)"
          % st, new)
    check(not [i for i in ids(new) if i.startswith("942")],
          "a 942 rule still looked at ARGS:wiki_text", new)
    start = len(a.error_log())
    st, _, _ = a.get("/?wiki_title=1%20union%20select%20password%20from%20users")
    expect_block(a, start, st, "942361")


def t_response_headers(a):
    start = len(a.error_log())
    st, _, body = a.get("/old.asis")
    check(st == 403, "old PHP header: status %d, expected 403 (phase 4)" % st,
          a.error_log()[start:])
    check(b"legacy page" not in body, "the response body leaked")
    m = wait_new(a, start, r"at RESPONSE_HEADERS:X-Powered-By\..*\[id \"950171\"\]")
    check(m is not None, "no 950171 line at RESPONSE_HEADERS:X-Powered-By", a.error_log()[start:])
    m = wait_new(a, start, r"Access denied with code 403 \(phase 4\).*\[id \"959100\"\]")
    check(m is not None, "no 959100 'Access denied ... (phase 4)' line", a.error_log()[start:])


WITH_PLUGINS = [
    ("benign request passes", t_benign),
    ("plugin files run config, before, rules, after; @unconditionalMatch hashes the UA",
     t_plugin_order_and_unconditional_match),
    ("t:removeCommentsChar: un/**/ion se--lect blocked (942361, 949110)", t_remove_comments_char),
    ("t:escapeSeqDecode: \\x63\\x61\\x74 /etc/passwd blocked (932231)", t_escape_seq_decode),
    ("REQUEST_BODY_LENGTH: GET with a body blocked (920171)", t_request_body_length),
    ("a POST with a body passes", t_post_body_allowed),
    ("@beginsWith: multipart Content-Type without boundary blocked (920541)",
     t_begins_with_multipart),
    ("MULTIPART_PART_HEADERS: Content-Transfer-Encoding blocked (922120)",
     t_multipart_part_headers),
    ("plugin rule (@beginsWith on User-Agent) blocks (9500100)", t_plugin_begins_with_user_agent),
    ("a disabled plugin removes its id range (ctl:ruleRemoveById)", t_disabled_plugin),
    ("SecRuleUpdateTargetById 942000-942999 in a plugin's -after file", t_update_target_range),
    ("RESPONSE_HEADERS in phase 3, outbound blocking in phase 4 (950171, 959100)",
     t_response_headers),
]


# --- without plugins ------------------------------------------------------------

def no_plugin_case(plugins, extra_files=None):
    def fn():
        a = crs4_apache(plugins, extra_files)
        try:
            rc, out = a.config_test()
            check(rc == 0, "httpd -t failed with plugins=%s:\n%s" % (plugins, out))
            a.start()
            start = len(a.error_log())
            st, _, _ = a.get("/?q=hello", headers=BROWSER_HEADERS + [("X-CRS4-Trace", "1")])
            check(st == 200, "benign request: status %d" % st, a.error_log()[start:])
            m = wait_new(a, start, r"trace ,rules ua_hash=[0-9a-f]{40} ")
            check(m is not None, "the rules ran without any plugin file: no "
                  "'trace ,rules' line", a.error_log()[start:])
            start = len(a.error_log())
            st, _, _ = a.get("/?id=1%20un/**/ion%20se--lect%20password%20from%20users")
            expect_block(a, start, st, "942361")
            hdrs = [(n, "BadBot/2.1" if n == "User-Agent" else v) for n, v in BROWSER_HEADERS]
            start = len(a.error_log())
            st, _, _ = a.get("/?q=1", headers=hdrs)
            check(st == 200, "no bad-bot plugin, yet status %d" % st, a.error_log()[start:])
        finally:
            a.cleanup()
    return fn


def main():
    why = prerequisites()
    runner = Runner()
    if why:
        print("FAIL end-to-end prerequisites: %s" % why)
        runner.failed += 1
        return runner.finish()
    print("# httpd %s, module %s" % (HTTPD, "mod_security2 (reference)" if REFERENCE else MODULE))

    a = crs4_apache()
    started = None
    try:
        a.start()
        started = a
    except RuntimeError as e:
        print("FAIL start Apache with the CRS 4 style rules and plugins: %s" % e)
        runner.failed += 1
        a.cleanup(failing=True)
    if started is not None:
        try:
            for name, fn in WITH_PLUGINS:
                runner.run(name, lambda fn=fn: fn(a))
        finally:
            a.cleanup()

    runner.run("IncludeOptional plugins/*: a missing plugin directory",
               no_plugin_case("crs4/no-such-dir"))
    runner.run("IncludeOptional plugins/*: a directory with no *-config/-before/-after file",
               no_plugin_case("plugins-none", {"plugins-none/README.md": "no plugin\n"}))
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
