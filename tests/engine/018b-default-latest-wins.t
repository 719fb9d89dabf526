# ModSecurity 2.9 keeps ONE default action list per context: the latest
# SecDefaultAction applies to every rule after it, whatever the phase
# written in it.  Here the phase 1 rule gets "pass" from the phase:2 line.
--CONF--
SecRuleEngine On
SecDefaultAction "phase:1,log,auditlog,deny,status:406"
SecDefaultAction "phase:2,log,auditlog,pass"
SecRule ARGS "@rx attack" "id:1811,phase:1"
SecRule ARGS "@rx attack" "id:1812"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
log-contains ^ModSecurity: Warning\. Pattern match "attack" at ARGS:a\. .*\[id "1811"\]
log-contains ^ModSecurity: Warning\. Pattern match "attack" at ARGS:a\. .*\[id "1812"\]
