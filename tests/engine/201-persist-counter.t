# A counter in IP across three transactions: loaded by initcol, written
# back after phase 5.  UPDATE_COUNTER counts the stores, IS_NEW is only
# there before the first one, LAST_UPDATE_TIME and UPDATE_RATE appear once
# the record was stored.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecAction "id:20101,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},setvar:ip.n=+1"
SecAction "id:20102,phase:2,pass,nolog,setvar:tx.n=%{ip.n},setvar:tx.uc=%{ip.update_counter},setvar:tx.is_new=%{ip.is_new}"
SecRule &IP:LAST_UPDATE_TIME "@eq 1" "id:20103,phase:2,pass,nolog,setvar:tx.lut=yes"
SecRule &IP:UPDATE_RATE "@eq 1" "id:20104,phase:2,pass,nolog,setvar:tx.rate=yes"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx n 1
tx uc 0
tx is_new 1
no-tx lut
no-tx rate
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx n 2
tx uc 1
tx is_new 
tx lut yes
tx rate yes
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx n 3
tx uc 2
