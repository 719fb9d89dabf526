# SecCollectionTimeout: a record not stored again within TIMEOUT seconds
# is gone (a new collection, IS_NEW 1); setvar:ip.TIMEOUT changes it for
# that record.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecCollectionTimeout 1
SecAction "id:20401,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},setvar:ip.n=+1"
SecRule ARGS:keep "@eq 1" "id:20402,phase:1,pass,nolog,setvar:ip.TIMEOUT=3600"
SecAction "id:20403,phase:2,pass,nolog,setvar:tx.n=%{ip.n},setvar:tx.is_new=%{ip.is_new},setvar:tx.timeout=%{ip.timeout}"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx n 1
tx timeout 1
--SLEEP--
2.2
--REQUEST--
GET /?keep=1 HTTP/1.1
Host: localhost

--EXPECT--
tx n 1
tx is_new 1
tx timeout 3600
--SLEEP--
2.2
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx n 2
tx is_new 
tx timeout 3600
