# SecRuleRemoveById: single ids and ranges, written after the rules.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:3201,phase:2,deny,log"
SecRule ARGS "@rx attack" "id:3210,phase:2,deny,log"
SecRule ARGS "@rx attack" "id:3215,phase:2,deny,log"
SecRule ARGS "@rx attack" "id:3230,phase:2,deny,status:406,log"
SecRuleRemoveById 3201 3210-3220
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 3230
no-id 3201
no-id 3210
no-id 3215
