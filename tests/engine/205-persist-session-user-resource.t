# setsid / setuid / setrsc: SESSION, USER and RESOURCE are stored under
# "<SecWebAppId>_SESSION" ...; SESSIONID and USERID are their keys.
--CONF--
SecRuleEngine On
SecDataDir @DIR@/data
SecWebAppId shop
SecRule ARGS:sid "@rx ." "id:20501,phase:1,pass,nolog,setsid:%{ARGS.sid},setuid:%{ARGS.uid},setrsc:%{REQUEST_FILENAME}"
SecAction "id:20502,phase:1,pass,nolog,setvar:session.hits=+1,setvar:user.hits=+10,setvar:resource.hits=+100"
SecAction "id:20503,phase:2,pass,nolog,setvar:tx.s=%{session.hits},setvar:tx.u=%{user.hits},setvar:tx.r=%{resource.hits},setvar:tx.sid=%{sessionid},setvar:tx.uid=%{userid},setvar:tx.app=%{webappid},setvar:tx.sname=%{session.__name}"
--REQUEST--
GET /a?sid=S1&uid=alice HTTP/1.1
Host: localhost

--EXPECT--
tx s 1
tx u 10
tx r 100
tx sid S1
tx uid alice
tx app shop
tx sname shop_SESSION
--REQUEST--
GET /a?sid=S1&uid=bob HTTP/1.1
Host: localhost

--EXPECT--
tx s 2
tx u 10
tx r 200
tx uid bob
--REQUEST--
GET /b?sid=S2&uid=alice HTTP/1.1
Host: localhost

--EXPECT--
tx s 1
tx u 20
tx r 100
tx sid S2
