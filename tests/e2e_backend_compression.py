#!/usr/bin/env python3
"""SecDisableBackendCompression in a private Apache with mod_proxy: the
back end gets no Accept-Encoding (so it answers uncompressed and the
response body can be inspected) while the rules still see the header in
REQUEST_HEADERS, in every phase; without the directive the header goes
through.  PALISADE_E2E_REFERENCE=1 runs the same checks with mod_security2.

Last line: "N passed, M failed".
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_apache import Apache, Backend, Runner, check, prerequisites  # noqa: E402

RULES = (
    "SecRule REQUEST_HEADERS:Accept-Encoding \"@contains gzip\" "
    "\"id:501,phase:2,pass,log,msg:'phase 2 sees it'\"\n"
    "SecRule REQUEST_HEADERS:Accept-Encoding \"@contains gzip\" "
    "\"id:502,phase:3,pass,log,msg:'phase 3 sees it'\"\n")


def proxied(directive):
    with Backend() as be:
        conf = ("SecRuleEngine On\n%s"
                "ProxyPass /backend/ http://127.0.0.1:%d/\n" % (directive, be.port) + RULES)
        with Apache(conf) as a:
            st, _, _ = a.get("/backend/x", headers=[("Host", "localhost"),
                                                     ("Accept-Encoding", "gzip, deflate")])
            a.wait_log(r'\[id "502"\]')
            return st, be.requests, a.error_log()


def test_on():
    st, reqs, log = proxied("SecDisableBackendCompression On\n")
    check(st == 200, "status %d, expected 200" % st, log)
    check(len(reqs) == 1, "the back end got %d requests" % len(reqs), log)
    names = [h.lower() for h in reqs[0]["headers"]]
    check("accept-encoding" not in names, "the back end got Accept-Encoding: %r" % reqs[0]["headers"])
    check('[id "501"]' in log and '[id "502"]' in log, "the rules did not see Accept-Encoding", log)


def test_off():
    st, reqs, log = proxied("")
    check(st == 200 and len(reqs) == 1, "status %d, %d requests" % (st, len(reqs)), log)
    got = {k.lower(): v for k, v in reqs[0]["headers"].items()}
    check(got.get("accept-encoding") == "gzip, deflate",
          "without the directive Accept-Encoding must reach the back end: %r" % got)


def main():
    why = prerequisites()
    if why:
        print("skipped: %s" % why)
        return 0
    r = Runner()
    r.run("SecDisableBackendCompression On hides Accept-Encoding from the back end", test_on)
    r.run("without it Accept-Encoding reaches the back end", test_off)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
