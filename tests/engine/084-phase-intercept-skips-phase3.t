# After an interception in phase 2 the response phases do not run, but
# phase 5 does.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:8401,phase:2,deny,log"
SecAction "id:8402,phase:3,pass,log"
SecAction "id:8403,phase:5,pass,log"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 8401
no-id 8402
id 8403
