# A chunked request body is de-chunked before the body processor.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule ARGS_POST:q "@streq attack" "id:8701,phase:2,deny,log"
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded
Transfer-Encoding: chunked

4
q=at
4
tack
0

--EXPECT--
intercepted 1
rule-id 8701
