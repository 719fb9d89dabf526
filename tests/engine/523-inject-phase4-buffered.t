# A buffered response body: prepend and append of phase 4 are injected
# too (phase 5 is too late).
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecContentInjection On
SecRule RESPONSE_BODY "@contains Hello" "id:5031,phase:4,pass,nolog,prepend:'<p>%{RESPONSE_STATUS}</p>',append:'<p>end</p>'"
SecAction "id:5032,phase:5,pass,nolog,append:'too late'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
response-body <p>200</p><html><body>Hello</body></html><p>end</p>
