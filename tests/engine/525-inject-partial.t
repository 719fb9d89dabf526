# A response over SecResponseBodyLimit with ProcessPartial: phase 4 sees
# the first 10 bytes; prepend is injected after it, the append of phase 4
# is not (the body's end came with the bytes over the limit, before phase
# 4 ran), the append of phase 1 is.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecResponseBodyLimit 10
SecResponseBodyLimitAction ProcessPartial
SecContentInjection On
SecAction "id:5051,phase:1,pass,nolog,append:'[1]'"
SecAction "id:5052,phase:4,pass,nolog,prepend:'[4]',append:'[4]'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
response-body [4]<html><body>Hello</body></html>[1]
