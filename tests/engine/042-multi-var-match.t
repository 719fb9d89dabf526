# A pass rule that matches several variables logs once per variable and
# runs its setvar once per variable (CRS anomaly scores rely on this).
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:4201,phase:2,pass,log,setvar:tx.n=+1"
--REQUEST--
GET /?a=attack&b=no&c=attack2 HTTP/1.1
Host: localhost

--EXPECT--
log-count 2
log-contains Pattern match "attack" at ARGS:a\.
log-contains Pattern match "attack" at ARGS:c\.
tx n 2
