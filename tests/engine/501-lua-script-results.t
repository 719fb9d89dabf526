# What main() returns: nil, false, true, nothing or a failed lookup are no
# match (2.9 takes lua_tostring(), which is NULL for them); a number is a
# match whose message is the number, written as Lua 5.1 writes it (2.9's
# Lua): 10/4 is "2.5" and 10/2 "5", not Lua 5.4's "5.0".
--CONF--
SecRuleEngine On
SecRuleScript @DIR@/r-nil.lua "id:5011,phase:1,deny"
SecRuleScript @DIR@/r-false.lua "id:5012,phase:1,deny"
SecRuleScript @DIR@/r-true.lua "id:5013,phase:1,deny"
SecRuleScript @DIR@/r-none.lua "id:5014,phase:1,deny"
SecRuleScript @DIR@/r-number.lua "id:5015,phase:1,pass,log"
SecRuleScript @DIR@/r-float.lua "id:5016,phase:1,pass,log"
--FILE r-nil.lua--
function main() return nil end
--FILE r-false.lua--
function main() return false end
--FILE r-true.lua--
function main() return true end
--FILE r-none.lua--
function main() local x = m.getvar("ARGS.nothere") end
--FILE r-number.lua--
function main() return 10 / 2 end
--FILE r-float.lua--
function main() return 10 / 4 end
--REQUEST--
GET /index.html?a=1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-count 2
log-contains ^ModSecurity: Warning\. 5 \[file "[^"]*/main\.conf"\] \[line "6"\] \[id "5015"\]
log-contains ^ModSecurity: Warning\. 2\.5 \[file "[^"]*/main\.conf"\] \[line "7"\] \[id "5016"\]
