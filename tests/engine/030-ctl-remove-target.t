# ctl:ruleRemoveTargetById removes one target of one rule for this request.
--CONF--
SecRuleEngine On
SecRule REQUEST_FILENAME "@streq /login" "id:3001,phase:1,pass,nolog,ctl:ruleRemoveTargetById=3002;ARGS:password"
SecRule ARGS "@rx '" "id:3002,phase:2,deny,log"
--REQUEST--
GET /login?password=it's HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
no-id 3002
