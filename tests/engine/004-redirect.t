# redirect: 302 to the URL, expanded macros included.
--CONF--
SecRuleEngine On
SecRule ARGS:go "@streq away" "id:401,phase:1,redirect:'http://www.example.com/blocked?from=%{REQUEST_FILENAME}',log"
--REQUEST--
GET /page?go=away HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
action redirect
status 302
phase 1
rule-id 401
url http://www.example.com/blocked?from=/page
log-contains Access denied with redirection to http://www\.example\.com/blocked\?from=/page using status 302 \(phase 1\)
