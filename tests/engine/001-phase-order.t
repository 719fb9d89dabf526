# Phases run in order 1..5 whatever the order of the rules in the file.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecAction "id:105,phase:5,pass,nolog,setvar:'tx.order=%{tx.order}5'"
SecAction "id:104,phase:4,pass,nolog,setvar:'tx.order=%{tx.order}4'"
SecAction "id:103,phase:3,pass,nolog,setvar:'tx.order=%{tx.order}3'"
SecAction "id:102,phase:2,pass,nolog,setvar:'tx.order=%{tx.order}2'"
SecAction "id:101,phase:1,pass,nolog,setvar:'tx.order=%{tx.order}1'"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html>hello</html>
--EXPECT--
status 200
intercepted 0
tx order 12345
log-count 0
