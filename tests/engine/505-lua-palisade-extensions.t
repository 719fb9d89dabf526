# Palisade only: m.setvar(name, nil) unsets the variable (2.9 fails the
# script: "bad argument #2 to 'setvar' (string expected, got nil)"), and
# m.getvar / m.getvars also take names as rules write them, "ARGS:q"
# (2.9 logs "Unknown variable: ARGS:q"); a missing value is an explicit
# nil (2.9 returns no value, which tostring() refuses).
--CONF--
SecRuleEngine On
SecAction "id:5050,phase:1,pass,nolog,setvar:tx.gone=1,setvar:tx.kept=1"
SecRuleScript ext.lua "id:5051,phase:1,pass,log"
--FILE ext.lua--
function main()
    m.setvar("tx.gone", nil)
    return "q=" .. m.getvar("ARGS:q", "lowercase") .. " n=" .. #m.getvars("ARGS:q")
        .. " missing=" .. tostring(m.getvar("ARGS:missing"))
end
--REQUEST--
GET /index.html?q=ABC HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-count 1
log-contains ^ModSecurity: Warning\. q=abc n=1 missing=nil \[file
no-tx gone
tx kept 1
