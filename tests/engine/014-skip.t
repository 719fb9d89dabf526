# skip:N jumps over the next N rules (a chain counts as one rule).
--CONF--
SecRuleEngine On
SecAction "id:1401,phase:1,pass,nolog,skip:2"
SecAction "id:1402,phase:1,pass,nolog,setvar:tx.a=1"
SecAction "id:1403,phase:1,pass,nolog,setvar:tx.b=1,chain"
    SecAction "setvar:tx.b2=1"
SecAction "id:1404,phase:1,pass,nolog,setvar:tx.c=1"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-tx a
no-tx b
no-tx b2
tx c 1
