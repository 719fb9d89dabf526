# drop closes the connection.
--CONF--
SecRuleEngine On
SecRule REQUEST_HEADERS:User-Agent "@contains evilbot" "id:501,phase:1,drop,log"
--REQUEST--
GET / HTTP/1.1
Host: localhost
User-Agent: evilbot/1.0

--EXPECT--
intercepted 1
action drop
phase 1
rule-id 501
log-contains Access denied with connection close \(phase 1\)
