# setvar: =, +=N, -=N, ! (delete), a name alone (1), arithmetic on text
# (taken as 0), and ModSecurity 2.9's floor: a relative change never goes
# below 0 (also on a variable that does not exist yet).
--CONF--
SecRuleEngine On
SecAction "id:1901,phase:1,pass,nolog,setvar:tx.a=5,setvar:tx.a=+3,setvar:tx.b=10,setvar:tx.b=-4"
SecAction "id:1902,phase:1,pass,nolog,setvar:tx.c=1,setvar:!tx.c,setvar:tx.d"
SecAction "id:1903,phase:2,pass,nolog,setvar:tx.e=abc,setvar:tx.e=+2,setvar:'tx.f=%{tx.a}%{tx.b}'"
SecAction "id:1904,phase:2,pass,nolog,setvar:tx.g=-5,setvar:tx.h=+7,setvar:tx.i=3,setvar:tx.i=-5"
SecAction "id:1905,phase:2,pass,nolog,setvar:tx.j=-5,setvar:tx.j=+10"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
tx a 8
tx b 6
no-tx c
tx d 1
tx e 2
tx f 86
tx g 0
tx h 7
tx i 0
tx j 10
