# Without SecRulePerfTime, PERF_RULES is empty.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@rx (?:a+)+b" "id:3221,phase:1,pass,nolog"
SecRule &PERF_RULES "@eq 0" "id:3222,phase:2,pass,log,msg:'no rules'"
--REQUEST--
GET /index.html?a=aaaaaaaaaaaaaaaaaaaaaaaaaaaac HTTP/1.1
Host: localhost

--EXPECT--
id 3222
