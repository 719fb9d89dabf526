# A negated operator matches when the operator does not; its message says
# what was required.
--CONF--
SecRuleEngine On
SecRule REQUEST_METHOD "!@within GET HEAD POST" "id:8101,phase:1,deny,status:405,log"
SecRule REQUEST_METHOD "!@streq PUT" "id:8102,phase:1,pass,log"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-id 8101
log-contains Match of "streq PUT" against "REQUEST_METHOD" required\. .*\[id "8102"\]
