#!/usr/bin/env python3
"""End-to-end tests of Lua scripts (SecRuleScript, m.getvar / m.setvar) in
a private Apache, with the harness of tests/e2e_apache.py:

  - SecRuleScript blocks a request with the script's text as the message,
    lets a clean one through, and a later SecRule reads what the script set
    with m.setvar; the script is named relative to the rules file;
  - sixteen threads of the event MPM run scripts at once, each request in
    its own Lua state, and each gets its own answer;
  - a script that does not compile stops "httpd -t" at the directive's
    line, with Lua's message;
  - a runaway script is stopped and the request answered (not in reference
    mode: mod_security2 never returns from it).

PALISADE_E2E_REFERENCE=1 runs the same tests against mod_security2 2.9.7
(Debian's build has Lua 5.1).  Last line "N passed, M failed".
"""

import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_apache as E  # noqa: E402
from e2e_apache import Apache, Runner, check  # noqa: E402

# Rules in conf/rules.conf; the scripts sit in conf/lua/, named relative to
# the rules file.
RULES = r'''
SecRuleEngine On
SecRequestBodyAccess On
SecRuleScript lua/check.lua "id:9101,phase:2,deny,status:403,log,msg:'Lua check',tag:'e2e-lua'"
SecRule TX:lua_seen "@streq yes" "id:9102,phase:2,pass,log,msg:'script saw %{tx.lua_len} bytes'"
'''

CHECK_LUA = r'''
function main()
    local q = m.getvar("ARGS.q", {"urlDecodeUni", "lowercase"})
    if q == nil then
        return nil
    end
    m.setvar("tx.lua_seen", "yes")
    m.setvar("tx.lua_len", string.len(q))
    if string.find(q, "<script", 1, true) then
        return "Script tag in ARGS:q (" .. string.len(q) .. " bytes)"
    end
    return nil
end
'''

# Each request names a token; the script returns it as the message when the
# request asks to be blocked, so that a state shared between requests
# would show up as a wrong token in a line.
TOKEN_LUA = r'''
function main()
    local token = m.getvar("ARGS.token")
    local block = m.getvar("ARGS.block")
    m.setvar("tx.token", token)
    if block == "1" then
        return "token " .. tostring(token) .. " " .. m.getvar("TX.token")
    end
    return nil
end
'''


def lua_apache(rules, scripts):
    files = {"conf/rules.conf": rules}
    for name, text in scripts.items():
        files["conf/lua/" + name] = text
    return Apache("Include @DIR@/conf/rules.conf\n", files=files)


def test_rule_script_blocks():
    with lua_apache(RULES, {"check.lua": CHECK_LUA}) as a:
        st, _, body = a.get("/index.html?q=hello")
        check(st == 200 and b"hello from htdocs" in body,
              "clean request: status %d, expected 200" % st, a.error_log())
        m = a.wait_log(r'ModSecurity: Warning\. String match "yes" at TX:lua_seen\. .*'
                       r'\[id "9102"\] \[msg "script saw 5 bytes"\]')
        check(m is not None, "no line of rule 9102 (m.setvar then SecRule)", a.error_log())
        st, _, _ = a.get("/index.html?q=%3CScRiPt%3Ealert(1)")
        check(st == 403, "attack: status %d, expected 403" % st, a.error_log())
        m = a.wait_log(r'ModSecurity: Access denied with code 403 \(phase 2\)\. Script tag in '
                       r'ARGS:q \(16 bytes\) \[file "[^"]*/conf/rules\.conf"\] \[line "4"\] '
                       r'\[id "9101"\] \[msg "Lua check"\] \[tag "e2e-lua"\] \[hostname "localhost"\] '
                       r'\[uri "/index\.html"\] \[unique_id "[^"]+"\]')
        check(m is not None, "no 'Access denied' line with the script's message", a.error_log())


def test_concurrent_states():
    rules = ('SecRuleEngine On\n'
             'SecRuleScript lua/token.lua "id:9201,phase:1,deny,status:403,log"\n')
    errors = []
    with lua_apache(rules, {"token.lua": TOKEN_LUA}) as a:
        def client(n):
            try:
                for i in range(12):
                    token = "t%d_%d" % (n, i)
                    block = (n + i) % 2
                    st, _, _ = a.get("/index.html?token=%s&block=%d" % (token, block))
                    want = 403 if block else 200
                    if st != want:
                        errors.append("token %s: status %d, expected %d" % (token, st, want))
            except Exception as e:  # reported below
                errors.append("client %d: %s" % (n, e))
        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors, "; ".join(errors[:5]), a.error_log())
        time.sleep(0.5)
        lines = [l for l in a.error_log().splitlines() if "Access denied" in l]
        check(len(lines) == 48, "%d 'Access denied' lines, expected 48" % len(lines), a.error_log())
        for l in lines:
            m = re.search(r'Access denied with code 403 \(phase 1\)\. token (t\d+_\d+) (t\d+_\d+) '
                          r'.*\[uri "/index\.html"\]', l)
            check(m is not None and m.group(1) == m.group(2),
                  "a script saw another request's data: %s" % l)


def test_compile_error_stops_startup():
    rules = ('SecRuleEngine On\n'
             '\n'
             'SecRuleScript lua/broken.lua "id:9301,phase:1,deny"\n')
    a = lua_apache(rules, {"broken.lua": "function main()\n    return 'x' ..\nend\n"})
    try:
        rc, out = a.config_test()
        check(rc != 0, "httpd -t accepted a script that does not compile:\n" + out)
        want = "line 3 of %s" % a.path("conf/rules.conf")
        check(want in out, "httpd -t output does not name %r:\n%s" % (want, out))
        check("Failed to compile script %s" % a.path("conf/lua/broken.lua") in out
              and "broken.lua:3:" in out,
              "httpd -t output does not give Lua's message:\n" + out)
    finally:
        a.cleanup()


def test_runaway_script_stopped():
    rules = ('SecRuleEngine On\n'
             'SecRuleScript lua/loop.lua "id:9401,phase:1,deny"\n')
    with lua_apache(rules, {"loop.lua": "function main()\n    while true do end\nend\n"}) as a:
        t0 = time.time()
        st, _, _ = a.get("/index.html")
        took = time.time() - t0
        check(st == 200, "runaway script: status %d, expected 200" % st, a.error_log())
        check(took < 15, "the request took %.1f s" % took)
        m = a.wait_log(r'ModSecurity: Lua: Script execution failed: \S*/loop\.lua: stopped after '
                       r'200 million instructions')
        check(m is not None, "no 'stopped after' line", a.error_log())
        m = a.wait_log(r'ModSecurity: Rule processing failed \(id=9401, msg=\)\.')
        check(m is not None, "no 'Rule processing failed' line", a.error_log())


def main():
    why = E.prerequisites()
    if why:
        print("skipped: " + why)
        return 0
    r = Runner()
    r.run("SecRuleScript blocks, m.setvar feeds a SecRule", test_rule_script_blocks)
    r.run("concurrent requests each get their own Lua state", test_concurrent_states)
    r.run("a script that does not compile stops httpd -t at its line",
          test_compile_error_stops_startup)
    if not E.REFERENCE:
        r.run("a runaway script is stopped", test_runaway_script_stopped)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
