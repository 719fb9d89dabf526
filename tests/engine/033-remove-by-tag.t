# SecRuleRemoveByTag takes a regex matched against each tag.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:3301,phase:2,deny,log,tag:'attack-sqli',tag:'OWASP'"
SecRule ARGS "@rx attack" "id:3302,phase:2,deny,status:406,log,tag:'attack-xss'"
SecRuleRemoveByTag "sqli$"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 3302
no-id 3301
