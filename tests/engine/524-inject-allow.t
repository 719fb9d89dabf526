# An allow in phase 2 skips phases 3 and 4 but the response still gets
# what phase 1 injected.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecContentInjection On
SecAction "id:5041,phase:1,pass,nolog,prepend:'PRE',append:'APP'"
SecAction "id:5042,phase:2,allow,log"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
id 5042
response-body PRE<html><body>Hello</body></html>APP
