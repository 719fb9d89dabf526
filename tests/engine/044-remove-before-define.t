# SecRuleRemoveById only removes rules defined before it.
--CONF--
SecRuleEngine On
SecRuleRemoveById 4401
SecRule ARGS "@rx attack" "id:4401,phase:2,deny,log"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 4401
