# m.setvar(name, value) is the setvar action: a collection is required,
# "+n" / "-n" are relative changes, macros are expanded, "!tx.x" unsets; a
# later SecRule sees the variables.  Numbers are written as Lua 5.1 did.
--CONF--
SecRuleEngine On
SecAction "id:5040,phase:1,pass,nolog,setvar:tx.counter=2,setvar:tx.gone=1"
SecRuleScript setvar.lua "id:5041,phase:1,pass,nolog"
SecRule TX:lua_score "@eq 5" "id:5042,phase:1,deny,msg:'score %{tx.lua_score}'"
--FILE setvar.lua--
function main()
    m.setvar("tx.lua_score", "5")
    m.setvar("tx.counter", "+3")
    m.setvar("tx.copy", "%{tx.counter}-%{REQUEST_METHOD}")
    m.setvar("tx.half", 10 / 2)
    m.setvar("!tx.gone", "")
    m.setvar("nocollection", "1")
    return nil
end
--REQUEST--
GET /index.html HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 5042
log-contains ^ModSecurity: Access denied with code 403 \(phase 1\)\. Operator EQ matched 5 at TX:lua_score\. .*\[msg "score 5"\]
tx lua_score 5
tx counter 5
tx copy 5-GET
tx half 5
no-tx gone
no-tx nocollection
