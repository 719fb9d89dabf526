# Without SecDefaultAction a rule without phase runs in phase 2 (the
# built-in default is phase:2,log,auditlog,pass).
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:1841,deny"
SecRule ARGS "@rx attack" "id:1842"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
phase 2
rule-id 1841
