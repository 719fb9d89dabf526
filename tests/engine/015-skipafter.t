# skipAfter jumps to after the SecMarker; rules after the marker run.
--CONF--
SecRuleEngine On
SecRule ARGS:mode "@streq fast" "id:1501,phase:2,pass,nolog,skipAfter:END-CHECKS"
SecRule ARGS "@rx ." "id:1502,phase:2,deny,log"
SecAction "id:1503,phase:2,pass,nolog,setvar:tx.skipped=1"
SecMarker END-CHECKS
SecAction "id:1504,phase:2,pass,nolog,setvar:tx.after=1"
--REQUEST--
GET /?mode=fast HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
no-id 1502
no-tx skipped
tx after 1
