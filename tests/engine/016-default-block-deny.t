# block takes its meaning from SecDefaultAction: here deny with status 406.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:2,log,auditlog,deny,status:406"
SecRule ARGS "@rx attack" "id:1601,phase:2,block,msg:'blocked'"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 1601
log-contains ^ModSecurity: Access denied with code 406 \(phase 2\)\. .*\[msg "blocked"\]
