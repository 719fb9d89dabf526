# A quote never closed runs to the end of the line (httpd's word
# splitting): the rule is accepted.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:5611,phase:2,deny,status:406,log
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
