# CRS 4 exclusions: the rules of an updated range still see the other
# arguments, and a range update can add a target as well.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:942100,phase:2,pass,log"
SecRule ARGS "@rx attack" "id:942200,phase:2,pass,log"
SecRuleUpdateTargetById 942100-942999 "!ARGS:foo"
SecRuleUpdateTargetById 942150-942250 "REQUEST_HEADERS:X-Extra"
--REQUEST--
GET /?foo=attack&bar=attack HTTP/1.1
Host: localhost
X-Extra: attack

--EXPECT--
intercepted 0
id 942100
log-contains Pattern match "attack" at ARGS:bar\. .*\[id "942100"\]
no-log-contains at ARGS:foo\.
log-contains Pattern match "attack" at REQUEST_HEADERS:X-Extra\. .*\[id "942200"\]
no-log-contains at REQUEST_HEADERS:X-Extra\. .*\[id "942100"\]
