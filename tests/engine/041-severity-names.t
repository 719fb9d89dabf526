# severity given as a number is logged by name.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:4101,phase:2,pass,log,severity:2"
SecRule ARGS "@rx attack" "id:4102,phase:2,pass,log,severity:'WARNING'"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
log-contains \[id "4101"\] \[severity "CRITICAL"\]
log-contains \[id "4102"\] \[severity "WARNING"\]
