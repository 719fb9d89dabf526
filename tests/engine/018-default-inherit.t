# A rule without a disruptive action, and without log/nolog, takes both
# from the SecDefaultAction of its phase.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:1,log,auditlog,deny,status:406"
SecRule ARGS "@rx attack" "id:1801,phase:1"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
phase 1
rule-id 1801
log-contains ^ModSecurity: Access denied with code 406 \(phase 1\)\. Pattern match "attack" at ARGS:a\. .*\[id "1801"\]
