# redirect with status:301.
--CONF--
SecRuleEngine On
SecRule REQUEST_FILENAME "@streq /old" "id:7901,phase:1,redirect:http://localhost/new,status:301,log"
--REQUEST--
GET /old HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
action redirect
status 301
url http://localhost/new
