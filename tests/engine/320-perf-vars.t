# PERF_* variables: phase times (microseconds) are known once a phase has
# run; PERF_ALL lists every figure; SecRulePerfTime puts the rules whose
# operator time reached it in PERF_RULES (named PERF_RULES:id).  Rule 3201
# runs a program (/bin/echo approves "1"), which takes well over 1 us.
--CONF--
SecRuleEngine On
SecRulePerfTime 1
SecRule ARGS:a "@inspectFile /bin/echo" "id:3201,phase:1,pass,nolog"
SecRule PERF_PHASE1 "@eq 0" "id:3202,phase:1,pass,log,msg:'phase 1 not over yet'"
SecRule PERF_PHASE1 "@rx ^[0-9]+$" "id:3203,phase:2,pass,log,msg:'p1 %{MATCHED_VAR}'"
SecRule PERF_RULES:3201 "@rx ^[0-9]+$" "id:3204,phase:2,pass,log,msg:'rules %{MATCHED_VAR_NAME}'"
SecRule PERF_ALL "@rx ^combined=[0-9]+, p1=[0-9]+, p2=0, p3=0, p4=0, p5=0, sr=[0-9]+, sw=[0-9]+, l=[0-9]+, gc=[0-9]+$" "id:3205,phase:2,pass,log,msg:'all'"
SecRule PERF_COMBINED "@ge 0" "id:3206,phase:2,pass,log,msg:'combined'"
SecRule PERF_SREAD|PERF_SWRITE|PERF_LOGGING|PERF_GC "@rx ^[0-9]+$" "id:3207,phase:2,pass,log,msg:'%{MATCHED_VAR_NAME}'"
SecRule &PERF_RULES "@ge 1" "id:3208,phase:2,pass,log,msg:'rules timed'"
--REQUEST--
GET /index.html?a=1 HTTP/1.1
Host: localhost

--EXPECT--
id 3202
id 3203
log-contains \[msg "rules PERF_RULES:3201"\]
id 3205
id 3206
log-contains \[msg "PERF_SREAD"\]
log-contains \[msg "PERF_GC"\]
id 3208
