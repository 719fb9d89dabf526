# ProcessPartial: only the first SecRequestBodyLimit bytes are inspected.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 20
SecRequestBodyLimitAction ProcessPartial
SecRule ARGS_POST:a "@streq first" "id:8601,phase:2,pass,log"
SecRule ARGS_POST:c "@rx attack" "id:8602,phase:2,deny,log"
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

a=first&b=1234567890&c=attack
--EXPECT--
intercepted 0
status 200
id 8601
no-id 8602
