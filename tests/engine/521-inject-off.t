# Without SecContentInjection On (its default is Off) prepend and append
# run but nothing reaches the client.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecAction "id:5011,phase:1,pass,nolog,prepend:'PRE',append:'APP'"
SecRule RESPONSE_BODY "@rx Hello" "id:5012,phase:4,pass,log,prepend:'PRE4'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
id 5012
response-body <html><body>Hello</body></html>
