# allow:request skips the rest of the request phases, but the response
# phases still run.
--CONF--
SecRuleEngine On
SecAction "id:801,phase:1,allow:request,nolog"
SecRule REQUEST_URI "@contains attack" "id:802,phase:2,deny,log"
SecRule RESPONSE_STATUS "@streq 200" "id:803,phase:3,deny,status:503,log"
--REQUEST--
GET /attack HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

ok
--EXPECT--
intercepted 1
status 503
phase 3
rule-id 803
no-id 802
