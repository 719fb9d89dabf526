# SecRuleUpdateTargetById adds an exclusion (and a new target) to a rule.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:3501,phase:2,deny,log"
SecRule REQUEST_URI "@rx nomatch" "id:3502,phase:2,pass,log"
SecRuleUpdateTargetById 3501 "!ARGS:comment"
SecRuleUpdateTargetById 3502 "REQUEST_HEADERS:X-Extra"
--REQUEST--
GET /?comment=attack HTTP/1.1
Host: localhost
X-Extra: nomatch

--EXPECT--
intercepted 0
no-id 3501
id 3502
log-contains Pattern match "nomatch" at REQUEST_HEADERS:X-Extra\.
