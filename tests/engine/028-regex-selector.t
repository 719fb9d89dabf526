# ARGS:/regex/ selects by name; exclusions by regex too.
--CONF--
SecRuleEngine On
SecRule ARGS:/^id_/ "@rx attack" "id:2801,phase:2,pass,log"
SecRule ARGS:/^x/ "@rx attack" "id:2802,phase:2,pass,log"
SecRule ARGS|!ARGS:/^x/ "@rx attack" "id:2803,phase:2,pass,log"
SecRule ARGS_NAMES "@rx ^xid$" "id:2804,phase:2,pass,log"
--REQUEST--
GET /?xid=attack&id=attack2 HTTP/1.1
Host: localhost

--EXPECT--
no-id 2801
id 2802
log-contains Pattern match "attack" at ARGS:id\. .*\[id "2803"\]
id 2804
