# nolog: the rule matches and acts but writes nothing to the error log.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:4001,phase:2,pass,nolog,setvar:tx.seen=1"
SecRule ARGS "@rx attack" "id:4002,phase:2,deny,nolog"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 403
log-count 0
matched 4001
tx seen 1
