# CRS 4 exclusions: SecRuleUpdateTargetById with an id range removes a
# target from every rule of the range defined before it, not from the
# rules outside the range nor from those defined after it.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:942100,phase:2,pass,log"
SecRule ARGS "@rx attack" "id:942999,phase:2,pass,log"
SecRule ARGS "@rx attack" "id:941100,phase:2,pass,log"
SecRule ARGS "@rx attack" "id:943000,phase:2,pass,log"
SecRuleUpdateTargetById 942100-942999 "!ARGS:foo"
SecRule ARGS "@rx attack" "id:942500,phase:2,pass,log"
--REQUEST--
GET /?foo=attack&bar=benign HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-id 942100
no-id 942999
id 941100
id 943000
id 942500
