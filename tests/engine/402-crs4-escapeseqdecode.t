# CRS 4: t:escapeSeqDecode (ANSI C escapes: \xHH, octal, \n ..., and an
# unknown escape keeps the character without the backslash).
--CONF--
SecRuleEngine On
SecRule ARGS:hex "@streq cat /etc/passwd" "id:40201,phase:2,pass,log,t:none,t:escapeSeqDecode"
SecRule ARGS:oct "@streq cat" "id:40202,phase:2,pass,log,t:none,t:escapeSeqDecode"
SecRule ARGS:ctl "@rx ^a\nb\tc$" "id:40203,phase:2,pass,log,t:none,t:escapeSeqDecode"
SecRule ARGS:other "@streq qz" "id:40204,phase:2,pass,log,t:none,t:escapeSeqDecode"
SecRule ARGS:hex "@streq cat /etc/passwd" "id:40205,phase:2,pass,log,t:none"
--REQUEST--
GET /?hex=%5Cx63%5Cx61%5Cx74%20/etc/passwd&oct=%5C143%5C141t&ctl=a%5Cnb%5Ctc&other=%5Cq%5Cz HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
id 40201
id 40202
id 40203
id 40204
no-id 40205
