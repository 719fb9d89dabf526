# SecRuleScript rules are removed by SecRuleRemoveById and changed by
# SecRuleUpdateActionById like any rule.
--CONF--
SecRuleEngine On
SecRuleScript always.lua "id:5111,phase:1,deny,msg:'removed'"
SecRuleScript always.lua "id:5112,phase:1,deny,msg:'original'"
SecRuleRemoveById 5111
SecRuleUpdateActionById 5112 "pass,msg:'updated'"
--FILE always.lua--
function main() return "always" end
--REQUEST--
GET /index.html HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-count 1
no-id 5111
log-contains ^ModSecurity: Warning\. always \[file "[^"]*/main\.conf"\] \[line "3"\] \[id "5112"\] \[msg "updated"\]
