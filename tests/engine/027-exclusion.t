# !ARGS:name removes one element from a collection target.
--CONF--
SecRuleEngine On
SecRule ARGS|!ARGS:safe "@rx attack" "id:2701,phase:2,pass,log"
SecRule ARGS "@rx attack" "id:2702,phase:2,pass,log"
SecRule ARGS|!ARGS:safe "@rx other" "id:2703,phase:2,pass,log"
--REQUEST--
GET /?safe=attack&x=other HTTP/1.1
Host: localhost

--EXPECT--
no-id 2701
id 2702
id 2703
log-contains Pattern match "other" at ARGS:x\. .*\[id "2703"\]
