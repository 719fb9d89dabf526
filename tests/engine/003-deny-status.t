# deny with status:N answers N; the rule that did not match is not logged.
--CONF--
SecRuleEngine On
SecRule ARGS:q "@rx nomatch" "id:301,phase:2,deny,status:503,log"
SecRule ARGS:q "@rx ^bad$" "id:302,phase:2,deny,status:406,log"
--REQUEST--
GET /search?q=bad HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
phase 2
rule-id 302
no-id 301
log-contains Access denied with code 406 \(phase 2\)\. Pattern match "\^bad\$" at ARGS:q\.
