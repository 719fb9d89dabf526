# setvar:!ip.x deletes the stored variable; a collection that is only
# initialised (nothing set) is not stored, so it stays new.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecAction "id:20601,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},initcol:global=global"
SecRule ARGS:step "@eq 1" "id:20602,phase:1,pass,nolog,setvar:ip.a=1,setvar:ip.b=2"
SecRule ARGS:step "@eq 2" "id:20603,phase:1,pass,nolog,setvar:!ip.a"
SecAction "id:20604,phase:2,pass,nolog,setvar:tx.a=%{ip.a},setvar:tx.b=%{ip.b},setvar:tx.g_new=%{global.is_new}"
SecRule &IP:a "@eq 0" "id:20605,phase:2,pass,nolog,setvar:tx.no_a=1"
--REQUEST--
GET /?step=1 HTTP/1.1
Host: localhost

--EXPECT--
tx a 1
tx b 2
--REQUEST--
GET /?step=2 HTTP/1.1
Host: localhost

--EXPECT--
tx no_a 1
tx b 2
--REQUEST--
GET /?step=3 HTTP/1.1
Host: localhost

--EXPECT--
tx no_a 1
tx b 2
tx g_new 1
