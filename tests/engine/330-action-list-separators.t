# The action list as 2.9 splits it: white space and '|' separate actions as
# commas do (an Apache line continuation inside the quoted list leaves
# "id:1 <tabs> phase:2"), and the phase number is read as atoi() reads it,
# so "phase:1:" is phase 1 (regression/rule/10-xml writes "phase:3:").
--CONF--
SecRuleEngine On
SecRule ARGS "@rx attack" "id:3301 \
        phase:1:,deny|log,msg:'separators'"
SecRule ARGS "@rx attack" "id:3302,phase:1,deny,log"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 403
phase 1
rule-id 3301
id 3301
no-id 3302
log-contains \[msg "separators"\]
