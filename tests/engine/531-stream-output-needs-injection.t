# 2.9 re-injects a rewritten STREAM_OUTPUT_BODY only with
# SecContentInjection On: without it the rule matches and the client still
# gets the original body.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecStreamOutBodyInspection On
SecRule STREAM_OUTPUT_BODY "@rsub s/Hello/Bye/" "id:5111,phase:4,pass,log"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
id 5111
response-body <html><body>Hello</body></html>
