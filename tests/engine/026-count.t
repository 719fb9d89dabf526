# &VAR counts: all arguments, one name (duplicates count), absent ones.
--CONF--
SecRuleEngine On
SecRule &ARGS "@eq 3" "id:2601,phase:2,pass,log"
SecRule &ARGS:a "@eq 2" "id:2602,phase:2,pass,log"
SecRule &ARGS:missing "@eq 0" "id:2603,phase:2,pass,log"
SecRule &REQUEST_HEADERS:Host "@eq 1" "id:2604,phase:1,pass,log"
SecRule &ARGS "@gt 3" "id:2605,phase:2,pass,log"
--REQUEST--
GET /?a=1&a=2&b=3 HTTP/1.1
Host: localhost

--EXPECT--
id 2601
id 2602
id 2603
id 2604
no-id 2605
log-contains Operator EQ matched 3 at ARGS\.
