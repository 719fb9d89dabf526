# In DetectionOnly allow is only a "Warning." and stops nothing (2.9 applies
# it when it intercepts, which DetectionOnly never does): the later deny rules
# of the phase and of phase 2 still log.
--CONF--
SecRuleEngine DetectionOnly
SecAction "id:3321,phase:1,allow,log,msg:'ALLOWED'"
SecAction "id:3322,phase:1,deny,log,msg:'DENIED'"
SecAction "id:3323,phase:2,deny,log,msg:'DENIED2'"
--REQUEST--
GET /test.txt HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
id 3321
id 3322
id 3323
log-contains ^ModSecurity: Warning\. Unconditional match in SecAction\. .*\[id "3321"\]
no-log-contains Access allowed
