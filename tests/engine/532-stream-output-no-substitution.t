# @rsub matches whenever it runs on a STREAM_* variable, also when the
# pattern is not found (2.9.7); the body stays as it was.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecStreamOutBodyInspection On
SecContentInjection On
SecRule STREAM_OUTPUT_BODY "@rsub s/not-there/x/" "id:5121,phase:4,pass,log,setvar:tx.ran=1"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
id 5121
tx ran 1
response-body <html><body>Hello</body></html>
