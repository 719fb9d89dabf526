# CRS 4 exclusion rules: ctl:ruleRemoveTargetById with an id range.
--CONF--
SecRuleEngine On
SecRule REQUEST_FILENAME "@streq /wiki/edit" "id:10001,phase:1,pass,nolog,ctl:ruleRemoveTargetById=942000-942999;ARGS:content"
SecRule ARGS "@rx select" "id:942100,phase:2,pass,log"
SecRule ARGS "@rx select" "id:942200,phase:2,pass,log"
SecRule ARGS "@rx select" "id:932100,phase:2,pass,log"
--REQUEST--
GET /wiki/edit?content=select HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-id 942100
no-id 942200
id 932100
