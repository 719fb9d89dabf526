# SecContentInjection On: prepend and append (macro-expanded when their
# rule matches) go around the response body sent to the client; of two
# prepend actions in one rule the last one counts.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecContentInjection On
SecAction "id:5001,phase:1,pass,nolog,prepend:'first',prepend:'<!-- %{REQUEST_METHOD} %{ARGS.who} -->'"
SecRule ARGS:who "@streq you" "id:5002,phase:2,pass,nolog,append:'<!-- end -->'"
--REQUEST--
GET /page?who=you HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>Hello</body></html>
--EXPECT--
intercepted 0
status 200
response-body <!-- GET you --><html><body>Hello</body></html><!-- end -->
