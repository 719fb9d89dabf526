# ctl:ruleRemoveById with a range, at request time.
--CONF--
SecRuleEngine On
SecRule REQUEST_URI "@beginsWith /api/" "id:2901,phase:1,pass,nolog,ctl:ruleRemoveById=29100-29199"
SecRule ARGS "@rx attack" "id:29150,phase:2,deny,log"
SecRule ARGS "@rx attack" "id:29200,phase:2,deny,status:406,log"
--REQUEST--
GET /api/x?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 29200
no-id 29150
