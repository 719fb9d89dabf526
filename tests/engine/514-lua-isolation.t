# Every run starts with fresh globals, as every run had a new Lua state in
# 2.9: what one script (or an earlier run of the same one) defines is gone.
--CONF--
SecRuleEngine On
SecRuleScript define.lua "id:5141,phase:1,pass,nolog"
SecRuleScript define.lua "id:5142,phase:1,pass,nolog"
SecRuleScript check.lua "id:5143,phase:1,pass,log"
--FILE define.lua--
counter = (counter or 0) + 1
function main()
    leaked = "yes"
    m.setvar("tx.runs", counter)
    return nil
end
--FILE check.lua--
function main()
    return "leaked=" .. tostring(leaked) .. " counter=" .. tostring(counter)
end
--REQUEST--
GET /index.html HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-contains ^ModSecurity: Warning\. leaked=nil counter=nil \[file
tx runs 1
