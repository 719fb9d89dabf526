# STREAM_OUTPUT_BODY exists only with SecStreamOutBodyInspection On.
# (2.9 refuses &STREAM_OUTPUT_BODY: & needs a collection.)
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecRule STREAM_OUTPUT_BODY "@rx ^" "id:5151,phase:4,pass,log,msg:'exists'"
SecRule RESPONSE_BODY "@rx ^<html>" "id:5152,phase:4,pass,log,msg:'phase 4 ran'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
no-id 5151
id 5152
