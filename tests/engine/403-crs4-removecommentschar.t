# CRS 4: t:removeCommentsChar deletes the comment markers /*, */, -- and #
# (not what they enclose; t:removeComments does that).
--CONF--
SecRuleEngine On
SecRule ARGS:a "@streq union select" "id:40301,phase:2,pass,log,t:none,t:removeCommentsChar"
SecRule ARGS:b "@streq ab" "id:40302,phase:2,pass,log,t:none,t:removeCommentsChar"
SecRule ARGS:c "@streq x-y" "id:40303,phase:2,pass,log,t:none,t:removeCommentsChar"
SecRule ARGS:a "@streq union select" "id:40304,phase:2,pass,log,t:none,t:removeComments"
--REQUEST--
GET /?a=un/**/ion%20se--lect%23&b=a%23%23b&c=x-y HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
id 40301
id 40302
id 40303
no-id 40304
