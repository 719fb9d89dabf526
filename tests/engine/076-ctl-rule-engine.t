# ctl:ruleEngine=Off stops inspection for the rest of the transaction.
--CONF--
SecRuleEngine On
SecRule REQUEST_URI "@beginsWith /health" "id:7601,phase:1,pass,nolog,ctl:ruleEngine=Off"
SecRule ARGS "@rx attack" "id:7602,phase:1,deny,log"
SecRule ARGS "@rx attack" "id:7603,phase:2,deny,log"
--REQUEST--
GET /health?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
log-count 0
