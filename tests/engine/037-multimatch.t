# multiMatch runs the operator before and after every transformation.
--CONF--
SecRuleEngine On
SecRule ARGS:q "@streq ATTACK" "id:3701,phase:2,pass,log,t:none,t:lowercase"
SecRule ARGS:q "@streq ATTACK" "id:3702,phase:2,pass,log,t:none,t:lowercase,multiMatch"
SecRule ARGS:q "@streq attack" "id:3703,phase:2,pass,log,t:none,t:lowercase,multiMatch"
--REQUEST--
GET /?q=ATTACK HTTP/1.1
Host: localhost

--EXPECT--
no-id 3701
id 3702
id 3703
