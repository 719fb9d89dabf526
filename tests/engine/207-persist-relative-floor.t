# Relative changes of a persistent counter never go below 0 (2.9 also
# floors the merged value); text counts as 0; an absolute value replaces
# the stored one.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecAction "id:20701,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"
SecRule ARGS:step "@eq 1" "id:20702,phase:1,pass,nolog,setvar:ip.n=5,setvar:ip.t=abc,setvar:ip.m=-3"
SecRule ARGS:step "@eq 2" "id:20703,phase:1,pass,nolog,setvar:ip.n=-7,setvar:ip.t=+2,setvar:ip.m=+1"
SecAction "id:20704,phase:2,pass,nolog,setvar:tx.n=%{ip.n},setvar:tx.t=%{ip.t},setvar:tx.m=%{ip.m}"
--REQUEST--
GET /?step=1 HTTP/1.1
Host: localhost

--EXPECT--
tx n 5
tx t abc
tx m 0
--REQUEST--
GET /?step=2 HTTP/1.1
Host: localhost

--EXPECT--
tx n 0
tx t 2
tx m 1
--REQUEST--
GET /?step=3 HTTP/1.1
Host: localhost

--EXPECT--
tx n 0
tx t 2
tx m 1
