# deprecatevar:ip.d=N/S lowers the counter by N for every S seconds since
# LAST_UPDATE_TIME (the last store): nothing on a new record, nothing
# within S seconds, never below 0.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecAction "id:20301,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"
SecRule &IP:d "@eq 0" "id:20302,phase:1,pass,nolog,setvar:ip.d=10"
SecRule ARGS:slow "@eq 1" "id:20303,phase:1,pass,nolog,deprecatevar:ip.d=3/600"
SecRule ARGS:fast "@eq 1" "id:20304,phase:1,pass,nolog,deprecatevar:ip.d=5/1"
SecAction "id:20305,phase:2,pass,nolog,setvar:tx.d=%{ip.d}"
--REQUEST--
GET /?slow=1 HTTP/1.1
Host: localhost

--EXPECT--
tx d 10
--REQUEST--
GET /?slow=1 HTTP/1.1
Host: localhost

--EXPECT--
tx d 10
--SLEEP--
2.2
--REQUEST--
GET /?fast=1 HTTP/1.1
Host: localhost

--EXPECT--
tx d 0
