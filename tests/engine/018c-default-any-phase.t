# The latest SecDefaultAction (written with phase:1) also gives deny and
# status to a phase 2 rule, which keeps its own phase.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:2,log,auditlog,pass"
SecDefaultAction "phase:1,nolog,auditlog,deny,status:406"
SecRule ARGS "@rx attack" "id:1821,phase:2,log"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
phase 2
rule-id 1821
log-contains ^ModSecurity: Access denied with code 406 \(phase 2\)\.
