# block with a SecDefaultAction of pass only logs.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:2,log,auditlog,pass"
SecRule ARGS "@rx attack" "id:1701,phase:2,block,msg:'blocked'"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
id 1701
log-contains ^ModSecurity: Warning\. Pattern match "attack" at ARGS:a\.
