# t:none drops the transformations inherited from SecDefaultAction.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:2,log,pass,t:lowercase"
SecRule ARGS:q "@rx ^ATTACK$" "id:2301,phase:2"
SecRule ARGS:q "@rx ^ATTACK$" "id:2302,phase:2,t:none"
SecRule ARGS:q "@rx ^attack$" "id:2303,phase:2"
--REQUEST--
GET /?q=ATTACK HTTP/1.1
Host: localhost

--EXPECT--
no-id 2301
id 2302
id 2303
