# Response bodies over SecResponseBodyLimit are inspected up to the limit
# with ProcessPartial.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecResponseBodyLimit 10
SecResponseBodyLimitAction ProcessPartial
SecRule RESPONSE_BODY "@contains head" "id:8801,phase:4,pass,log"
SecRule RESPONSE_BODY "@contains secret" "id:8802,phase:4,deny,log"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<head></head> and later a secret
--EXPECT--
intercepted 0
id 8801
no-id 8802
