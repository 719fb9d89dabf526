# SecRuleEngine Off: no rule runs.
--CONF--
SecRuleEngine Off
SecRule ARGS "@rx attack" "id:1001,phase:1,deny,log"
SecAction "id:1002,phase:5,pass,log,setvar:tx.ran=1"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
log-count 0
not-matched 1001
