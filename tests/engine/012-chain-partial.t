# A chain whose later rule does not match neither intercepts nor logs.  But
# as in ModSecurity 2.9, the non-disruptive actions (setvar ...) of each
# chain member run as soon as that member matches, so the starter's setvar
# happens even though the chain as a whole fails.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@rx attack" "id:1201,phase:2,deny,log,setvar:tx.hit=1,chain"
    SecRule REQUEST_METHOD "@streq POST" "t:none"
SecRule ARGS:a "@rx attack" "id:1202,phase:2,pass,log,chain"
    SecRule REQUEST_METHOD "!@streq POST" "t:none,setvar:tx.second=1"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
no-id 1201
not-matched 1201
id 1202
tx hit 1
tx second 1
