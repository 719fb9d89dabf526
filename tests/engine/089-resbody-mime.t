# Only the types of SecResponseBodyMimeType are inspected in phase 4.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain
SecRule RESPONSE_BODY "@contains secret" "id:8901,phase:4,deny,log"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html; charset=utf-8

a secret
--EXPECT--
intercepted 0
status 200
no-id 8901
