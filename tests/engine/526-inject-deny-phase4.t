# A phase 4 deny: the client gets the error page, nothing injected into
# the original body reaches it.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecContentInjection On
SecAction "id:5061,phase:1,pass,nolog,prepend:'PRE'"
SecRule RESPONSE_BODY "@contains secret" "id:5062,phase:4,deny,status:403,log"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>a secret</body></html>
--EXPECT--
intercepted 1
status 403
id 5062
