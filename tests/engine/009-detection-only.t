# DetectionOnly: disruptive rules log a warning but never intercept.
--CONF--
SecRuleEngine DetectionOnly
SecRule ARGS "@rx attack" "id:901,phase:2,deny,log,msg:'attack'"
SecRule ARGS "@rx attack" "id:902,phase:1,drop,log"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
id 901
id 902
log-count 2
log-contains ^ModSecurity: Warning\. Pattern match "attack" at ARGS:a\. .*\[id "901"\]
no-log-contains Access denied
