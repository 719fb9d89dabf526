# SecRuleUpdateActionById replaces the disruptive action and metadata.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:3601,phase:2,deny,log,msg:'original'"
SecRule ARGS "@rx attack" "id:3602,phase:2,deny,log,msg:'second'"
SecRuleUpdateActionById 3601 "pass,msg:'updated'"
SecRuleUpdateActionById 3602 "status:406"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 3602
log-contains ^ModSecurity: Warning\. .*\[id "3601"\] \[msg "updated"\]
