# RESPONSE_STATUS in phase 3.
--CONF--
SecRuleEngine On
SecRule RESPONSE_STATUS "@streq 404" "id:7301,phase:3,pass,log,setvar:tx.notfound=1"
--REQUEST--
GET /missing HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 404 Not Found
Content-Type: text/html

nothing here
--EXPECT--
status 404
intercepted 0
id 7301
tx notfound 1
