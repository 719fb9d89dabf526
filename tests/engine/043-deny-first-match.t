# A disruptive rule stops at its first matching variable.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:4301,phase:2,deny,log,setvar:tx.n=+1"
--REQUEST--
GET /?a=attack&b=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
log-count 1
log-contains Pattern match "attack" at ARGS:a\.
