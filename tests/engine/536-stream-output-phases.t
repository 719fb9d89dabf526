# STREAM_OUTPUT_BODY in phase 4 holds the buffered body; phase 3 and,
# after a whole buffered body was sent, phase 5 do not see it (2.9 frees
# it then).
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecStreamOutBodyInspection On
SecRule STREAM_OUTPUT_BODY "@rx ^" "id:5161,phase:3,pass,log,msg:'phase 3'"
SecRule STREAM_OUTPUT_BODY "@rx ^<html>" "id:5162,phase:4,pass,log,msg:'phase 4'"
SecRule STREAM_OUTPUT_BODY "@rx ^" "id:5163,phase:5,pass,log,msg:'phase 5'"
SecRule RESPONSE_STATUS "@streq 200" "id:5164,phase:5,pass,log,msg:'phase 5 ran'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
no-id 5161
id 5162
no-id 5163
id 5164
