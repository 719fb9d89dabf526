# A SecRuleScript may end a chain (its message is the one logged, with the
# starter's metadata) or start one.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@streq x" "id:5121,phase:1,pass,log,msg:'chain ends in Lua',chain"
    SecRuleScript yes.lua
SecRuleScript yes.lua "id:5122,phase:1,deny,msg:'chain starts in Lua',chain"
    SecRule ARGS:b "@streq y" "t:none"
--FILE yes.lua--
function main() return "Lua agreed on " .. m.getvar("ARGS.a") end
--REQUEST--
GET /index.html?a=x&b=y HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 5122
log-contains ^ModSecurity: Warning\. Lua agreed on x \[file "[^"]*/main\.conf"\] \[line "2"\] \[id "5121"\] \[msg "chain ends in Lua"\]
log-contains ^ModSecurity: Access denied with code 403 \(phase 1\)\. String match "y" at ARGS:b\. \[file "[^"]*/main\.conf"\] \[line "4"\] \[id "5122"\] \[msg "chain starts in Lua"\]
