# initcol on a record that is not stored yet: a new collection with the
# built-in fields of ModSecurity 2.9 (KEY, TIMEOUT from SecCollectionTimeout,
# CREATE_TIME, UPDATE_COUNTER 0, IS_NEW 1, no LAST_UPDATE_TIME nor
# UPDATE_RATE).  A literal key is lower-cased (2.9 lower-cases the whole
# parameter), a macro key keeps its case.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecCollectionTimeout 600
SecAction "id:20001,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},initcol:global=GLOBAL,initcol:resource=%{ARGS.r}"
SecAction "id:20002,phase:1,pass,nolog,setvar:tx.key=%{ip.key},setvar:tx.timeout=%{ip.timeout},setvar:tx.uc=%{ip.update_counter},setvar:tx.is_new=%{ip.is_new},setvar:tx.lut=%{ip.last_update_time},setvar:tx.rate=%{ip.update_rate},setvar:tx.gkey=%{global.key},setvar:tx.rkey=%{resource.key}"
SecRule IP:CREATE_TIME "@gt 1000000000" "id:20003,phase:1,pass,nolog,setvar:tx.ct=ok"
SecRule IP:__expire_KEY "@gt 1000000000" "id:20004,phase:1,pass,nolog,setvar:tx.ek=ok"
SecRule &IP:__name "@eq 1" "id:20005,phase:1,pass,nolog,setvar:tx.name=%{ip.__name}"
--REQUEST--
GET /?r=MixedCase HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
tx key 127.0.0.1
tx timeout 600
tx uc 0
tx is_new 1
tx lut 
tx rate 
tx gkey global
tx rkey MixedCase
tx ct ok
tx ek ok
tx name ip
