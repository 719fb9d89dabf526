# m.getvar(name [, tfn | {tfns}]): the first value, after the
# transformations in the order given (the engine's own functions), or nil.
# "none" starts the list over; an unknown transformation is logged at
# level 1 and skipped, as in 2.9.
--CONF--
SecRuleEngine On
SecAction "id:5020,phase:1,pass,nolog,setvar:tx.score=7"
SecRuleScript getvar.lua "id:5021,phase:1,pass,log"
--FILE getvar.lua--
function main()
    -- (2.9 returns no value for a missing one: keep it in a local)
    local missing = m.getvar("ARGS.missing")
    local parts = {
        "raw=" .. tostring(m.getvar("ARGS.q")),
        "lower=" .. tostring(m.getvar("ARGS.q", "lowercase")),
        "both=" .. tostring(m.getvar("ARGS.q", {"lowercase", "urlDecodeUni"})),
        "reset=" .. tostring(m.getvar("ARGS.q", {"lowercase", "none", "urlDecode"})),
        "bogus=" .. tostring(m.getvar("ARGS.q", "bogusTfn")),
        "uri=" .. tostring(m.getvar("REQUEST_URI")),
        "host=" .. tostring(m.getvar("REQUEST_HEADERS.Host")),
        "score=" .. tostring(m.getvar("TX.score")),
        "missing=" .. tostring(missing),
        "first=" .. tostring(m.getvar("ARGS.dup")),
    }
    return table.concat(parts, " ")
end
--REQUEST--
GET /index.html?q=Hello%2541World&dup=one&dup=two HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-count 2
log-contains ^ModSecurity: SecRuleScript: Invalid transformation function: bogusTfn \[hostname
log-contains ^ModSecurity: Warning\. raw=Hello%41World lower=hello%41world both=helloAworld reset=HelloAWorld bogus=Hello%41World uri=/index\.html\?q=Hello%2541World&dup=one&dup=two host=localhost score=7 missing=nil first=one \[file
