# SecAction initialises variables used by later rules (the CRS pattern).
--CONF--
SecRuleEngine On
SecAction "id:8201,phase:1,pass,nolog,setvar:tx.threshold=3,setvar:tx.score=0"
SecRule ARGS "@rx a" "id:8202,phase:2,pass,nolog,setvar:tx.score=+2"
SecRule ARGS "@rx b" "id:8203,phase:2,pass,nolog,setvar:tx.score=+2"
SecRule TX:SCORE "@ge %{tx.threshold}" "id:8204,phase:2,deny,log,msg:'score %{tx.score}'"
--REQUEST--
GET /?x=a&y=b HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 8204
log-contains Operator GE matched 3 at TX:score\. .*\[msg "score 4"\]
tx score 4
