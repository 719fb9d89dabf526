# A rule without phase takes the phase of the SecDefaultAction before it.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:1,log,auditlog,pass"
SecRule ARGS "@rx attack" "id:1831,deny"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
phase 1
rule-id 1831
