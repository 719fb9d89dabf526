# allow:phase only ends the current phase: phase 2 still runs and denies.
--CONF--
SecRuleEngine On
SecAction "id:701,phase:1,allow:phase,nolog"
SecRule REQUEST_URI "@contains attack" "id:702,phase:1,deny,log"
SecRule REQUEST_URI "@contains attack" "id:703,phase:2,deny,status:406,log"
--REQUEST--
GET /attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
phase 2
rule-id 703
no-id 702
