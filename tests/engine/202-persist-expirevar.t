# expirevar: the variable is stored with __expire_<name> and is gone when
# the record is loaded after that time; the other variables stay.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecAction "id:20201,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"
SecRule ARGS:set "@eq 1" "id:20202,phase:1,pass,nolog,setvar:ip.short=1,expirevar:ip.short=3,setvar:ip.long=2,expirevar:ip.long=3600,setvar:ip.plain=3"
SecAction "id:20203,phase:2,pass,nolog,setvar:tx.short=%{ip.short},setvar:tx.long=%{ip.long},setvar:tx.plain=%{ip.plain}"
SecRule &IP:__expire_short "@eq 1" "id:20204,phase:2,pass,nolog,setvar:tx.has_expire=1"
--REQUEST--
GET /?set=1 HTTP/1.1
Host: localhost

--EXPECT--
tx short 1
tx long 2
tx has_expire 1
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx short 1
tx long 2
tx plain 3
tx has_expire 1
--SLEEP--
3.5
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx short 
tx long 2
tx plain 3
no-tx has_expire
