# Without actions a SecRuleScript takes SecDefaultAction's (phase and
# disruptive action); 2.9 asks it no id, and then logs no [id].
--CONF--
SecRuleEngine On
SecDefaultAction "phase:1,deny,status:406,log"
SecRuleScript yes.lua
--FILE yes.lua--
function main() return "matched without id" end
--REQUEST--
GET /index.html HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
phase 1
log-contains ^ModSecurity: Access denied with code 406 \(phase 1\)\. matched without id \[file "[^"]*/main\.conf"\] \[line "3"\] \[hostname "localhost"\]
