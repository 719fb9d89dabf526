# CRS 4: REQUEST_BODY_LENGTH is 0 for a request without a body.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_BODY_LENGTH "@eq 0" "id:40501,phase:2,pass,log,setvar:'tx.body_length=%{REQUEST_BODY_LENGTH}'"
--REQUEST--
GET /?a=1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
id 40501
tx body_length 0
