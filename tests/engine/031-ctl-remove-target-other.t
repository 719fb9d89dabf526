# ctl:ruleRemoveTargetById: the other arguments are still inspected.
--CONF--
SecRuleEngine On
SecRule REQUEST_FILENAME "@streq /login" "id:3101,phase:1,pass,nolog,ctl:ruleRemoveTargetById=3102;ARGS:password"
SecRule ARGS "@rx '" "id:3102,phase:2,deny,log"
--REQUEST--
GET /login?password=it's&user=o'brien HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 3102
log-contains Pattern match "'" at ARGS:user\.
