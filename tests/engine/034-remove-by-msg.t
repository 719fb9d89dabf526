# SecRuleRemoveByMsg takes a regex matched against the msg text.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:3401,phase:2,deny,log,msg:'Noisy check number 1'"
SecRule ARGS "@rx attack" "id:3402,phase:2,deny,status:406,log,msg:'Real check'"
SecRuleRemoveByMsg "^Noisy"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 3402
no-id 3401
