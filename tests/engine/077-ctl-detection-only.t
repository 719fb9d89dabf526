# ctl:ruleEngine=DetectionOnly turns later denies into warnings.
--CONF--
SecRuleEngine On
SecRule REQUEST_URI "@beginsWith /beta" "id:7701,phase:1,pass,nolog,ctl:ruleEngine=DetectionOnly"
SecRule ARGS "@rx attack" "id:7702,phase:2,deny,log"
--REQUEST--
GET /beta?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
log-contains ^ModSecurity: Warning\. .*\[id "7702"\]
