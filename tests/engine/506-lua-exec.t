# exec:SCRIPT.lua runs main() when its rule matches (its result is
# ignored, nothing is logged for it); a rule that does not match runs
# nothing.  (2.9 opens a relative script name from the server's working
# directory, so the case names it absolutely.)
--CONF--
SecRuleEngine On
SecRule ARGS:a "@streq 1" "id:5061,phase:1,pass,nolog,exec:@DIR@/ran.lua"
SecRule ARGS:a "@streq 2" "id:5062,phase:1,pass,nolog,exec:@DIR@/other.lua"
SecRule TX:exec_ran "@eq 1" "id:5063,phase:1,deny,msg:'exec ran with %{tx.exec_arg}'"
--FILE ran.lua--
function main()
    m.setvar("tx.exec_ran", "1")
    m.setvar("tx.exec_arg", m.getvar("ARGS.a"))
    return "this text is ignored"
end
--FILE other.lua--
function main()
    m.setvar("tx.other_ran", "1")
    return nil
end
--REQUEST--
GET /index.html?a=1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 5063
log-count 1
log-contains \[msg "exec ran with 1"\]
no-log-contains ignored
no-tx other_ran
